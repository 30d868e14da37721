// SPDX-License-Identifier: GPL-2.0
/* redirect-runc: an OCI runtime for runc's place; rewrites a bundle's seccomp for usersentry. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "libredirect.h"

#define DEFAULT_SOCKET "/run/redirect/usersentry.sock"
#define DEFAULT_POLICY "default"
#define DEFAULT_CONFIG "/etc/redirect/redirect-runc.conf"
#ifndef REDIRECT_POLICY_DIR
#define REDIRECT_POLICY_DIR "/usr/local/share/redirect/policies"
#endif

#define ANNOT_POLICY "dev.redirect.policy"
/* on a rewritten config.json: the hash of the original kept beside it */
#define ANNOT_REWRITTEN "dev.redirect.rewritten"
#define BACKUP_SUFFIX ".redirect-orig"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* exit status when redirect-runc itself refuses, before runc runs */
#define EXIT_WRAPPER 125

struct opts {
	const char *runc;
	const char *policy_dir;
	const char *socket;
	const char *default_policy;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: redirect-runc [REDIRECT OPTIONS] [RUNC GLOBAL OPTIONS] COMMAND [ARGS...]\n"
		"An OCI runtime used in runc's place: every command and option goes to runc\n"
		"unchanged; 'create' and 'run' first rewrite the bundle's linux.seccomp from a\n"
		"redirect policy (merged with the bundle's own profile) so that usersentry\n"
		"answers the container's notified system calls.\n"
		"\n"
		"  --redirect-runc PATH        the real runc (env REDIRECT_RUNC; default: runc in PATH)\n"
		"  --redirect-policy-dir DIR   policies, DIR/NAME.json (env REDIRECT_POLICY_DIR;\n"
		"                              default " REDIRECT_POLICY_DIR ")\n"
		"  --redirect-socket PATH      usersentry's agent socket (env REDIRECT_SOCKET;\n"
		"                              default " DEFAULT_SOCKET ")\n"
		"  --redirect-policy NAME      policy without a " ANNOT_POLICY " annotation\n"
		"                              (env REDIRECT_POLICY; default " DEFAULT_POLICY ")\n"
		"  --redirect-help             this text\n"
		"\n"
		"Defaults may also be set in " DEFAULT_CONFIG " (env REDIRECT_RUNC_CONFIG):\n"
		"\"key = value\" lines with the keys runc, policy-dir, socket, policy.\n"
		"\n"
		"See redirect-runc(1). Exit status: runc's, or %d when redirect-runc refused\n"
		"(the bundle is then left as it was and no container is started).\n",
		EXIT_WRAPPER);
}

static int fail(struct redirect_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct redirect_error **err, int errnum, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return redirect_error_set(err, errnum, "%s", msg);
}

/* ---- argument parsing: runc's flags, only to find the command and the bundle ---- */

struct flag {
	const char *name;	/* without dashes */
	bool takes_value;
};

/* runc 1.1 global options */
static const struct flag global_flags[] = {
	{ "debug", false }, { "systemd-cgroup", false }, { "help", false }, { "h", false },
	{ "version", false }, { "v", false }, { "log", true }, { "log-format", true },
	{ "root", true }, { "criu", true }, { "rootless", true },
};

/* runc 1.1 create and run options */
static const struct flag create_flags[] = {
	{ "bundle", true }, { "b", true }, { "console-socket", true }, { "pid-file", true },
	{ "preserve-fds", true }, { "no-pivot", false }, { "no-new-keyring", false },
	{ "help", false }, { "h", false },
};

static const struct flag run_flags[] = {
	{ "detach", false }, { "d", false }, { "keep", false }, { "no-subreaper", false },
};

/*
 * Go's flag syntax, as runc (urfave/cli) reads it: -name or --name, a value
 * as the next argument or after '='.  Returns the flag or NULL; *name_len is
 * the length of the name, *inline_value the text after '=' or NULL.
 */
static const struct flag *match_flag(const char *arg, const struct flag *set, size_t n,
				     const char **inline_value)
{
	const char *name = arg + (arg[1] == '-' ? 2 : 1);
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	size_t i;

	*inline_value = eq ? eq + 1 : NULL;
	for (i = 0; i < n; i++)
		if (strlen(set[i].name) == len && !strncmp(set[i].name, name, len))
			return &set[i];
	return NULL;
}

static bool is_flag(const char *arg)
{
	return arg[0] == '-' && arg[1] && strcmp(arg, "--");
}

/* Our own options: --redirect-NAME VALUE or --redirect-NAME=VALUE. */
static int take_own_option(int argc, char **argv, int *i, struct opts *o, bool *help)
{
	static const char *const names[] = { "runc", "policy-dir", "socket", "policy" };
	const char **slots[] = { &o->runc, &o->policy_dir, &o->socket, &o->default_policy };
	const char *arg = argv[*i] + strlen("--redirect-"), *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg), k;

	if (!strcmp(arg, "help")) {
		*help = true;
		return 0;
	}
	for (k = 0; k < ARRAY_SIZE(names); k++) {
		if (strlen(names[k]) != len || strncmp(names[k], arg, len))
			continue;
		if (eq) {
			*slots[k] = eq + 1;
		} else {
			if (*i + 1 >= argc) {
				fprintf(stderr, "redirect-runc: %s needs a value\n", argv[*i]);
				return -EINVAL;
			}
			*slots[k] = argv[++*i];
		}
		if (!**slots[k]) {
			fprintf(stderr, "redirect-runc: --redirect-%s: empty value\n", names[k]);
			return -EINVAL;
		}
		return 0;
	}
	fprintf(stderr, "redirect-runc: unknown option %s (see --redirect-help)\n", argv[*i]);
	return -EINVAL;
}

/*
 * The bundle of a create/run command line, args = what follows the command.
 * Every option must be one runc 1.1 knows: with an unknown one we could not
 * tell a value from the container id, and so not which bundle runc will use.
 */
static int find_bundle(const char *cmd, char **args, int n, const char **bundlep,
		       bool *helpp, struct redirect_error **err)
{
	const char *bundle = ".", *id = NULL;
	bool run = !strcmp(cmd, "run");
	int i, positional = 0;

	for (i = 0; i < n; i++) {
		const struct flag *f;
		const char *val;

		if (!strcmp(args[i], "--")) {
			positional += n - i - 1;
			if (!id && i + 1 < n)
				id = args[i + 1];
			break;
		}
		if (!is_flag(args[i])) {
			positional++;
			id = id ? id : args[i];
			continue;
		}
		f = match_flag(args[i], create_flags, ARRAY_SIZE(create_flags), &val);
		if (!f && run)
			f = match_flag(args[i], run_flags, ARRAY_SIZE(run_flags), &val);
		if (!f)
			return fail(err, EINVAL, "runc %s: unknown option %s: cannot tell which "
				    "bundle runc would use", cmd, args[i]);
		if (!f->takes_value) {
			if (!strcmp(f->name, "help") || !strcmp(f->name, "h"))
				*helpp = true;
			continue;
		}
		if (!val) {
			if (i + 1 >= n)
				return fail(err, EINVAL, "runc %s: %s needs a value", cmd, args[i]);
			val = args[++i];
		}
		if (!strcmp(f->name, "bundle") || !strcmp(f->name, "b"))
			bundle = val;
	}
	if (*helpp)
		return 0;
	if (positional != 1)
		return fail(err, EINVAL, "runc %s: expected exactly one container id, got %d "
			    "arguments", cmd, positional);
	if (!*bundle)
		return fail(err, EINVAL, "runc %s: empty --bundle", cmd);
	(void)id;
	*bundlep = bundle;
	return 0;
}

/* ---- files ------------------------------------------------------------------ */

/* config.json is never read through a symlink: the bundle's own file is rewritten */
static int read_file(const char *path, bool nofollow, char **bufp, size_t *lenp, mode_t *modep,
		     struct redirect_error **err)
{
	struct stat st;
	size_t len = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return fail(err, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = S_ISREG(st.st_mode) ? errno : EINVAL;

		close(fd);
		return fail(err, e, "%s: %s", path, e == EINVAL ? "not a regular file" :
			    strerror(e));
	}
	if ((uint64_t)st.st_size > REDIRECT_OCI_CONFIG_MAX_SIZE) {
		close(fd);
		return fail(err, EFBIG, "%s: larger than %u bytes", path,
			    REDIRECT_OCI_CONFIG_MAX_SIZE);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return fail(err, ENOMEM, "out of memory");
	}
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;

			free(buf);
			close(fd);
			return fail(err, e, "%s: read: %s", path,
				    r < 0 ? strerror(e) : "file shrank while read");
		}
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	if (modep)
		*modep = st.st_mode & 07777;
	return 0;
}

/* Write path atomically: a temporary file in the same directory, fsync, rename, fsync dir. */
static int write_atomic(const char *dir, const char *path, const char *buf, size_t len,
			mode_t mode, struct redirect_error **err)
{
	char tmp[PATH_MAX];
	size_t off = 0;
	int fd, dfd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.redirect-tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return fail(err, ENAMETOOLONG, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return fail(err, errno, "cannot create %s: %s", tmp, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail_write;
		off += (size_t)w;
	}
	/* the umask may have narrowed it; keep the original's mode */
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
		goto fail_write;
	if (close(fd) < 0) {
		fd = -1;
		goto fail_write;
	}
	if (rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		return fail(err, e, "rename %s to %s: %s", tmp, path, strerror(e));
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		e = errno;
		if (dfd >= 0)
			close(dfd);
		return fail(err, e, "fsync %s: %s", dir, strerror(e));
	}
	close(dfd);
	return 0;
fail_write:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return fail(err, e, "writing %s: %s", tmp, strerror(e));
}

/* FNV-1a, 64 bits: tells whether the kept original changed; not a security check */
static void hash_text(const char *buf, size_t len, char out[32])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)buf[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 32, "fnv1a64:%016llx", (unsigned long long)h);
}

static int parse_json(const char *buf, size_t len, const char *origin, json_object **out,
		      struct redirect_error **err)
{
	json_tokener *tok = json_tokener_new();
	json_object *o;

	if (!tok)
		return fail(err, ENOMEM, "out of memory");
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		json_tokener_free(tok);
		json_object_put(o);
		return fail(err, EINVAL, "%s: not valid JSON", origin);
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return fail(err, EINVAL, "%s: expected a JSON object", origin);
	}
	*out = o;
	return 0;
}

/* annotations[key] as a string; NULL when absent; -EINVAL when not a string */
static int annotation(json_object *root, const char *origin, const char *key, const char **out,
		      struct redirect_error **err)
{
	json_object *a, *v;

	*out = NULL;
	if (!json_object_object_get_ex(root, "annotations", &a) ||
	    json_object_is_type(a, json_type_null))
		return 0;
	if (!json_object_is_type(a, json_type_object))
		return fail(err, EINVAL, "%s: annotations: expected an object", origin);
	if (!json_object_object_get_ex(a, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(err, EINVAL, "%s: annotations.%s: expected a string", origin, key);
	*out = json_object_get_string(v);
	return 0;
}

/* ---- merging the policy's seccomp section with the bundle's own -------------- */

/*
 * An action with its kernel precedence: when two filters disagree, the kernel
 * takes the higher one (seccomp(2)), and so does the merge.
 */
struct action {
	int rank;
	const char *name;
	int ret;	/* errnoRet for ERRNO and TRACE */
};

static const struct {
	const char *name;
	int rank;
	bool has_ret;
} actions[] = {
	{ "SCMP_ACT_ALLOW", 0, false },  { "SCMP_ACT_LOG", 1, false },
	{ "SCMP_ACT_TRACE", 2, true },   { "SCMP_ACT_NOTIFY", 3, false },
	{ "SCMP_ACT_ERRNO", 4, true },   { "SCMP_ACT_TRAP", 5, false },
	{ "SCMP_ACT_KILL", 6, false },   { "SCMP_ACT_KILL_THREAD", 6, false },
	{ "SCMP_ACT_KILL_PROCESS", 7, false },
};

#define RANK_NOTIFY 3

static int parse_action(json_object *o, const char *key, const char *ret_key, const char *where,
			struct action *a, struct redirect_error **err)
{
	json_object *v, *r;
	const char *s;
	size_t i;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return fail(err, EINVAL, "%s.%s: expected an action name", where, key);
	s = json_object_get_string(v);
	for (i = 0; i < ARRAY_SIZE(actions); i++) {
		if (strcmp(actions[i].name, s))
			continue;
		a->rank = actions[i].rank;
		a->name = actions[i].name;
		/* runc's default for ERRNO and TRACE without errnoRet */
		a->ret = actions[i].has_ret ? EPERM : 0;
		if (actions[i].has_ret && json_object_object_get_ex(o, ret_key, &r)) {
			if (!json_object_is_type(r, json_type_int) ||
			    json_object_get_int64(r) < 0 || json_object_get_int64(r) > 0xffff)
				return fail(err, EINVAL, "%s.%s: expected 0..65535", where,
					    ret_key);
			a->ret = (int)json_object_get_int64(r);
		}
		return 0;
	}
	return fail(err, EINVAL, "%s.%s: unknown action \"%s\"", where, key, s);
}

static bool same_action(const struct action *a, const struct action *b)
{
	return a->rank == b->rank && a->ret == b->ret;
}

/* The stricter of the two; on a tie the bundle's (its errno, its spelling). */
static struct action stricter(const struct action *policy, const struct action *bundle)
{
	return policy->rank > bundle->rank ? *policy : *bundle;
}

static void put_action(json_object *o, const char *key, const char *ret_key,
		       const struct action *a)
{
	json_object_object_add(o, key, json_object_new_string(a->name));
	if (!strcmp(a->name, "SCMP_ACT_ERRNO") || !strcmp(a->name, "SCMP_ACT_TRACE"))
		json_object_object_add(o, ret_key, json_object_new_int(a->ret));
}

struct rule {
	json_object *args;	/* canonical args[], NULL: unconditional */
	struct action act;
};

struct sys {
	char *name;
	struct rule *rules;
	size_t n;
};

struct profile {
	const char *what;	/* "the policy", "the bundle" */
	struct action def;
	bool has_arches;
	json_object *arches;
	json_object *flags;
	struct sys *sys;
	size_t n_sys;
};

static void profile_free(struct profile *p)
{
	size_t i, j;

	for (i = 0; i < p->n_sys; i++) {
		for (j = 0; j < p->sys[i].n; j++)
			json_object_put(p->sys[i].rules[j].args);
		free(p->sys[i].rules);
		free(p->sys[i].name);
	}
	free(p->sys);
}

static struct sys *find_sys(struct profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_sys; i++)
		if (!strcmp(p->sys[i].name, name))
			return &p->sys[i];
	return NULL;
}

static int add_rule(struct profile *p, const char *name, json_object *args,
		    const struct action *a, struct redirect_error **err)
{
	struct sys *s = find_sys(p, name);
	struct rule *r;

	if (!s) {
		s = realloc(p->sys, (p->n_sys + 1) * sizeof(*s));
		if (!s)
			return fail(err, ENOMEM, "out of memory");
		p->sys = s;
		s = &p->sys[p->n_sys];
		memset(s, 0, sizeof(*s));
		s->name = strdup(name);
		if (!s->name)
			return fail(err, ENOMEM, "out of memory");
		p->n_sys++;
	}
	r = realloc(s->rules, (s->n + 1) * sizeof(*r));
	if (!r)
		return fail(err, ENOMEM, "out of memory");
	s->rules = r;
	s->rules[s->n].args = args ? json_object_get(args) : NULL;
	s->rules[s->n].act = *a;
	s->n++;
	return 0;
}

/* args[] with every field written out, so that equal conditions compare equal */
static int canonical_args(json_object *in, const char *where, json_object **out,
			  struct redirect_error **err)
{
	static const char *const keys[] = { "index", "value", "valueTwo", "op" };
	json_object *arr;
	size_t i, k, n;

	if (!json_object_is_type(in, json_type_array))
		return fail(err, EINVAL, "%s.args: expected an array", where);
	n = json_object_array_length(in);
	if (!n) {
		*out = NULL;
		return 0;
	}
	arr = json_object_new_array();
	for (i = 0; arr && i < n; i++) {
		json_object *a = json_object_array_get_idx(in, i), *c = json_object_new_object(), *v;

		if (!c)
			break;
		json_object_array_add(arr, c);
		if (!json_object_is_type(a, json_type_object)) {
			json_object_put(arr);
			return fail(err, EINVAL, "%s.args[%zu]: expected an object", where, i);
		}
		json_object_object_foreach(a, key, val) {
			(void)val;
			for (k = 0; k < ARRAY_SIZE(keys) && strcmp(keys[k], key); k++)
				;
			if (k == ARRAY_SIZE(keys)) {
				json_object_put(arr);
				return fail(err, EINVAL, "%s.args[%zu]: unknown key \"%s\"", where,
					    i, key);
			}
		}
		if (!json_object_object_get_ex(a, "index", &v) ||
		    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > 5) {
			json_object_put(arr);
			return fail(err, EINVAL, "%s.args[%zu].index: expected 0..5", where, i);
		}
		json_object_object_add(c, "index", json_object_new_int((int)json_object_get_int64(v)));
		for (k = 1; k <= 2; k++) {
			uint64_t num = 0;

			if (json_object_object_get_ex(a, keys[k], &v)) {
				if (!json_object_is_type(v, json_type_int)) {
					json_object_put(arr);
					return fail(err, EINVAL, "%s.args[%zu].%s: expected a "
						    "number", where, i, keys[k]);
				}
				num = json_object_get_uint64(v);
			}
			json_object_object_add(c, keys[k], json_object_new_uint64(num));
		}
		if (!json_object_object_get_ex(a, "op", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			json_object_put(arr);
			return fail(err, EINVAL, "%s.args[%zu].op: expected a comparison", where,
				    i);
		}
		json_object_object_add(c, "op", json_object_new_string(json_object_get_string(v)));
	}
	if (!arr || json_object_array_length(arr) != n) {
		json_object_put(arr);
		return fail(err, ENOMEM, "out of memory");
	}
	*out = arr;
	return 0;
}

static int read_profile(json_object *sec, const char *where, struct profile *p,
			struct redirect_error **err)
{
	static const char *const keys[] = { "defaultAction", "defaultErrnoRet", "architectures",
					    "flags", "listenerPath", "listenerMetadata",
					    "syscalls" };
	static const char *const rule_keys[] = { "names", "action", "errnoRet", "args",
						 "comment" };
	char at[256];
	json_object *calls, *v;
	size_t i, j, k, n;
	int ret;

	json_object_object_foreach(sec, key, val) {
		(void)val;
		for (k = 0; k < ARRAY_SIZE(keys) && strcmp(keys[k], key); k++)
			;
		if (k == ARRAY_SIZE(keys))
			return fail(err, EINVAL, "%s: key \"%s\" is not one redirect-runc can "
				    "merge", where, key);
	}
	ret = parse_action(sec, "defaultAction", "defaultErrnoRet", where, &p->def, err);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(sec, "architectures", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_array))
			return fail(err, EINVAL, "%s.architectures: expected an array", where);
		p->has_arches = json_object_array_length(v) > 0;
		p->arches = v;
	}
	if (json_object_object_get_ex(sec, "flags", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_array))
			return fail(err, EINVAL, "%s.flags: expected an array", where);
		p->flags = v;
	}
	if (!json_object_object_get_ex(sec, "syscalls", &calls) ||
	    json_object_is_type(calls, json_type_null))
		return 0;
	if (!json_object_is_type(calls, json_type_array))
		return fail(err, EINVAL, "%s.syscalls: expected an array", where);
	n = json_object_array_length(calls);
	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(calls, i), *names, *args = NULL;
		struct action a;

		snprintf(at, sizeof(at), "%s.syscalls[%zu]", where, i);
		if (!json_object_is_type(r, json_type_object))
			return fail(err, EINVAL, "%s: expected an object", at);
		json_object_object_foreach(r, rkey, rval) {
			(void)rval;
			for (k = 0; k < ARRAY_SIZE(rule_keys) && strcmp(rule_keys[k], rkey); k++)
				;
			if (k == ARRAY_SIZE(rule_keys))
				return fail(err, EINVAL, "%s: key \"%s\" is not one redirect-runc "
					    "can merge", at, rkey);
		}
		ret = parse_action(r, "action", "errnoRet", at, &a, err);
		if (ret < 0)
			return ret;
		if (json_object_object_get_ex(r, "args", &v) &&
		    !json_object_is_type(v, json_type_null)) {
			ret = canonical_args(v, at, &args, err);
			if (ret < 0)
				return ret;
		}
		if (!json_object_object_get_ex(r, "names", &names) ||
		    !json_object_is_type(names, json_type_array)) {
			json_object_put(args);
			return fail(err, EINVAL, "%s.names: expected an array", at);
		}
		for (j = 0; j < json_object_array_length(names); j++) {
			json_object *nm = json_object_array_get_idx(names, j);

			if (!json_object_is_type(nm, json_type_string) ||
			    !json_object_get_string_len(nm)) {
				ret = fail(err, EINVAL, "%s.names[%zu]: expected a syscall name",
					   at, j);
				break;
			}
			ret = add_rule(p, json_object_get_string(nm), args, &a, err);
			if (ret < 0)
				break;
		}
		json_object_put(args);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * One syscall's rules in a profile: unconditional (*uncond set, 1), or a
 * list of argument conditions (0).  Unconditional and conditional rules mixed,
 * or unconditional ones that disagree, have no single meaning to merge.
 */
static int classify(struct profile *p, const char *name, struct action *uncond,
		    struct sys **condp, struct redirect_error **err)
{
	struct sys *s = find_sys(p, name);
	size_t i, n_uncond = 0;

	*condp = NULL;
	if (!s) {
		*uncond = p->def;
		return 1;
	}
	for (i = 0; i < s->n; i++) {
		if (s->rules[i].args)
			continue;
		if (n_uncond++ && !same_action(&s->rules[i].act, uncond))
			return fail(err, EINVAL, "%s: %s has rules with different actions for "
				    "all arguments", p->what, name);
		*uncond = s->rules[i].act;
	}
	if (n_uncond == s->n)
		return 1;
	if (n_uncond)
		return fail(err, EINVAL, "%s: %s has both unconditional and argument rules; "
			    "cannot merge", p->what, name);
	*condp = s;
	return 0;
}

struct group {
	struct action act;
	json_object *names;
};

static int merge_sys(struct profile *pol, struct profile *bun, const char *name,
		     const struct action *def, json_object *out, struct group **groups,
		     size_t *n_groups, struct redirect_error **err)
{
	struct action ua, ub, m;
	struct sys *ca, *cb, *cond;
	size_t i;
	int ra, rb;

	ra = classify(pol, name, &ua, &ca, err);
	if (ra < 0)
		return ra;
	rb = classify(bun, name, &ub, &cb, err);
	if (rb < 0)
		return rb;
	if (ra && rb) {
		struct group *g;

		m = stricter(&ua, &ub);
		if (same_action(&m, def))
			return 0;
		for (i = 0; i < *n_groups; i++)
			if (same_action(&(*groups)[i].act, &m) &&
			    !strcmp((*groups)[i].act.name, m.name))
				break;
		if (i == *n_groups) {
			g = realloc(*groups, (*n_groups + 1) * sizeof(*g));
			if (!g)
				return fail(err, ENOMEM, "out of memory");
			*groups = g;
			g[i].act = m;
			g[i].names = json_object_new_array();
			if (!g[i].names)
				return fail(err, ENOMEM, "out of memory");
			(*n_groups)++;
		}
		json_object_array_add((*groups)[i].names, json_object_new_string(name));
		return 0;
	}
	if (!ra && !rb) {
		/* the same conditions on both sides (e.g. both from Docker's profile) */
		if (ca->n != cb->n)
			goto refuse_both;
		for (i = 0; i < ca->n; i++)
			if (!json_object_equal(ca->rules[i].args, cb->rules[i].args))
				goto refuse_both;
		cond = cb;
	} else {
		/*
		 * One side conditional: its calls that match no condition fall to
		 * the merged default, which must then be what the two sides'
		 * answers for them combine to.
		 */
		const struct action *other = ra ? &ua : &ub;
		const struct action *fallback = ra ? &bun->def : &pol->def;

		cond = ra ? cb : ca;
		m = ra ? stricter(other, fallback) : stricter(fallback, other);
		if (!same_action(&m, def))
			return fail(err, EINVAL, "cannot merge %s: %s has argument rules for it, "
				    "and its calls that match none would get %s from the merged "
				    "default where the stricter answer is %s", name,
				    ra ? bun->what : pol->what, def->name, m.name);
	}
	for (i = 0; i < cond->n; i++) {
		json_object *r = json_object_new_object(), *names = json_object_new_array();
		const struct action *a = ra ? &ua : &ca->rules[i].act;
		const struct action *b = rb ? &ub : &cb->rules[i].act;

		if (!r || !names) {
			json_object_put(r);
			json_object_put(names);
			return fail(err, ENOMEM, "out of memory");
		}
		m = stricter(a, b);
		json_object_array_add(names, json_object_new_string(name));
		json_object_object_add(r, "names", names);
		put_action(r, "action", "errnoRet", &m);
		json_object_object_add(r, "args", json_object_get(cond->rules[i].args));
		json_object_array_add(out, r);
	}
	return 0;
refuse_both:
	return fail(err, EINVAL, "cannot merge %s: the policy and the bundle both have argument "
		    "rules for it, and they differ", name);
}

static bool array_has_string(json_object *arr, const char *s)
{
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return true;
	return false;
}

/*
 * The merge rule (redirect-runc(1)): per system call and per set of argument
 * conditions, the answer of higher kernel precedence wins; the default is the
 * stricter default; architectures are the ones both allow; flags are the
 * union, but SPEC_ALLOW (weaker) only when both ask for it.
 */
static int merge(json_object *policy_sec, json_object *bundle_sec, const char *origin,
		 json_object **outp, bool *notifiesp, struct redirect_error **err)
{
	struct profile pol = { .what = "the policy" }, bun = { .what = origin };
	json_object *out = NULL, *calls = NULL, *v;
	struct group *groups = NULL;
	size_t n_groups = 0, i, j;
	struct action def;
	char where[PATH_MAX + 32];
	int ret;

	snprintf(where, sizeof(where), "%s: linux.seccomp", origin);
	ret = read_profile(policy_sec, "the policy's seccomp section", &pol, err);
	if (ret == 0)
		ret = read_profile(bundle_sec, where, &bun, err);
	if (ret < 0)
		goto out;
	def = stricter(&pol.def, &bun.def);
	if (def.rank == RANK_NOTIFY) {
		ret = fail(err, EINVAL, "%s: a default action of SCMP_ACT_NOTIFY cannot be merged",
			   where);
		goto out;
	}
	out = json_object_new_object();
	calls = json_object_new_array();
	if (!out || !calls) {
		ret = fail(err, ENOMEM, "out of memory");
		goto out;
	}
	put_action(out, "defaultAction", "defaultErrnoRet", &def);
	if (pol.has_arches && bun.has_arches) {
		json_object *arches = json_object_new_array();

		for (i = 0; i < json_object_array_length(bun.arches); i++) {
			const char *a = json_object_get_string(json_object_array_get_idx(bun.arches,
											 i));

			if (array_has_string(pol.arches, a))
				json_object_array_add(arches, json_object_new_string(a));
		}
		if (!json_object_array_length(arches)) {
			json_object_put(arches);
			ret = fail(err, EINVAL, "%s.architectures: none of them is one the policy "
				   "allows", where);
			goto out;
		}
		json_object_object_add(out, "architectures", arches);
	}
	/* one side without architectures: the native one only, the stricter answer */
	if (pol.flags || bun.flags) {
		json_object *flags = json_object_new_array();
		json_object *sides[2] = { pol.flags, bun.flags };

		for (j = 0; j < 2; j++) {
			for (i = 0; sides[j] && i < json_object_array_length(sides[j]); i++) {
				const char *f = json_object_get_string(
					json_object_array_get_idx(sides[j], i));

				if (array_has_string(flags, f))
					continue;
				if (!strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") &&
				    !(array_has_string(pol.flags, f) &&
				      array_has_string(bun.flags, f)))
					continue;
				json_object_array_add(flags, json_object_new_string(f));
			}
		}
		json_object_object_add(out, "flags", flags);
	}
	for (i = 0; i < pol.n_sys + bun.n_sys; i++) {
		const char *name = i < pol.n_sys ? pol.sys[i].name : bun.sys[i - pol.n_sys].name;

		if (i >= pol.n_sys && find_sys(&pol, name))
			continue;	/* done from the policy's side */
		ret = merge_sys(&pol, &bun, name, &def, calls, &groups, &n_groups, err);
		if (ret < 0)
			goto out;
	}
	for (i = 0; i < n_groups; i++) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "names", groups[i].names);
		groups[i].names = NULL;
		put_action(r, "action", "errnoRet", &groups[i].act);
		json_object_array_add(calls, r);
	}
	*notifiesp = false;
	for (i = 0; i < json_object_array_length(calls); i++) {
		json_object *r = json_object_array_get_idx(calls, i);

		if (json_object_object_get_ex(r, "action", &v) &&
		    !strcmp(json_object_get_string(v), "SCMP_ACT_NOTIFY"))
			*notifiesp = true;
	}
	if (*notifiesp) {
		if (json_object_object_get_ex(policy_sec, "listenerPath", &v))
			json_object_object_add(out, "listenerPath", json_object_get(v));
		if (json_object_object_get_ex(policy_sec, "listenerMetadata", &v))
			json_object_object_add(out, "listenerMetadata", json_object_get(v));
	}
	json_object_object_add(out, "syscalls", calls);
	calls = NULL;
	*outp = out;
	out = NULL;
	ret = 0;
out:
	for (i = 0; i < n_groups; i++)
		json_object_put(groups[i].names);
	free(groups);
	json_object_put(calls);
	json_object_put(out);
	profile_free(&pol);
	profile_free(&bun);
	return ret;
}

static bool section_notifies(json_object *sec)
{
	json_object *calls, *v;
	size_t i;

	if (!json_object_object_get_ex(sec, "syscalls", &calls) ||
	    !json_object_is_type(calls, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(calls); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(calls, i), "action", &v) &&
		    !strcmp(json_object_get_string(v), "SCMP_ACT_NOTIFY"))
			return true;
	return false;
}

/* ---- the bundle ---------------------------------------------------------------- */

/* usersentry must be there: a container whose listener nobody takes hangs in its calls. */
static int check_daemon(const char *path, struct redirect_error **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (strlen(path) >= sizeof(sun.sun_path))
		return fail(err, ENAMETOOLONG, "usersentry socket %s: path too long", path);
	if (path[0] != '/')
		return fail(err, EINVAL, "usersentry socket %s: not an absolute path", path);
	if (stat(path, &st) < 0)
		return fail(err, errno, "usersentry socket %s: %s (is usersentry running?)", path,
			    strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(err, ENOTSOCK, "usersentry socket %s: not a socket", path);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errno, "socket: %s", strerror(errno));
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	ret = ret < 0 ? -errno : 0;
	close(fd);
	if (ret < 0)
		return fail(err, -ret, "usersentry socket %s: %s (is usersentry running?)", path,
			    strerror(-ret));
	return 0;
}

static int set_annotation(json_object *root, const char *key, const char *val)
{
	json_object *a;

	if (!json_object_object_get_ex(root, "annotations", &a) ||
	    !json_object_is_type(a, json_type_object)) {
		a = json_object_new_object();
		if (!a || json_object_object_add(root, "annotations", a) < 0)
			return -ENOMEM;
	}
	return json_object_object_add(a, key, json_object_new_string(val)) < 0 ? -ENOMEM : 0;
}

/*
 * usersentry must know the policy too: one it cannot load would answer every
 * notified call of the container with ENOSYS.  Asked on its control socket
 * ($REDIRECT_CONTROL, else the one beside the agent socket).
 */
static int check_policy(const char *socket, const char *name, struct redirect_error **err)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *env = getenv("REDIRECT_CONTROL");
	struct redirect_error *e = NULL;
	int ret;

	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else if (redirect_control_path(socket, path, sizeof(path), err) < 0)
		return -ENAMETOOLONG;
	ret = redirect_control_policy_known(path, name, 10000, &e);
	if (ret == 1)
		return 0;
	if (ret == 0)
		ret = fail(err, ENOENT, "usersentry does not know policy \"%s\": %s", name, e->msg);
	else
		ret = fail(err, e ? e->errnum : EIO, "asking usersentry about policy \"%s\": %s "
			   "(is usersentry running?)", name, e ? e->msg : strerror(-ret));
	redirect_error_free(e);
	return ret;
}

struct bundle {
	char dir[PATH_MAX];
	char config[PATH_MAX];
	char backup[PATH_MAX];
	char *cur;		/* config.json as it is */
	size_t cur_len;
	mode_t mode;
	char *orig;		/* the original: config.json, or the kept backup */
	size_t orig_len;
	bool write_backup;
	char *out;		/* the rewritten config.json */
};

/* Read config.json; when it is our own rewrite, the original kept beside it. */
static int load_bundle(const char *dir, struct bundle *b, struct redirect_error **err)
{
	json_object *root = NULL;
	const char *mark;
	char hash[32];
	int ret;

	if (snprintf(b->dir, sizeof(b->dir), "%s", dir) >= (int)sizeof(b->dir) ||
	    snprintf(b->config, sizeof(b->config), "%s/config.json", dir) >=
	    (int)sizeof(b->config) ||
	    snprintf(b->backup, sizeof(b->backup), "%s" BACKUP_SUFFIX, b->config) >=
	    (int)sizeof(b->backup))
		return fail(err, ENAMETOOLONG, "bundle %s: path too long", dir);
	ret = read_file(b->config, true, &b->cur, &b->cur_len, &b->mode, err);
	if (ret < 0)
		return ret;
	ret = parse_json(b->cur, b->cur_len, b->config, &root, err);
	if (ret == 0)
		ret = annotation(root, b->config, ANNOT_REWRITTEN, &mark, err);
	if (ret < 0)
		goto out;
	if (!mark) {
		b->orig = b->cur;
		b->orig_len = b->cur_len;
		b->write_backup = true;
		goto out;
	}
	ret = read_file(b->backup, true, &b->orig, &b->orig_len, NULL, err);
	if (ret < 0) {
		ret = fail(err, -ret, "%s was rewritten by redirect-runc but its original %s "
			   "cannot be read (%s); restore the original config.json", b->config,
			   b->backup, strerror(-ret));
		goto out;
	}
	hash_text(b->orig, b->orig_len, hash);
	if (strcmp(hash, mark))
		ret = fail(err, EINVAL, "%s was rewritten by redirect-runc from another original "
			   "than %s (annotation %s says %s, the file is %s); restore the "
			   "original config.json", b->config, b->backup, ANNOT_REWRITTEN, mark,
			   hash);
out:
	json_object_put(root);
	return ret;
}

static int rewrite_bundle(const struct opts *o, struct bundle *b, struct redirect_error **err)
{
	struct redirect_oci_config *cfg = NULL, *check = NULL;
	struct redirect_policy *policy = NULL;
	json_object *root = NULL, *lnx, *sec = NULL, *merged = NULL, *psec = NULL;
	const char **caps = NULL, *name, *s, *origin;
	char path[PATH_MAX], hash[32], *pjson = NULL;
	bool notifies = false;
	size_t i, n;
	int ret;

	/* the library validates what it reads (ociVersion, capabilities, seccomp) */
	origin = b->write_backup ? b->config : b->backup;
	ret = redirect_oci_config_read(b->orig, b->orig_len, origin, &cfg, err);
	if (ret < 0)
		goto out;
	ret = parse_json(b->orig, b->orig_len, origin, &root, err);
	if (ret == 0)
		ret = annotation(root, origin, ANNOT_REWRITTEN, &s, err);
	if (ret == 0 && s)
		ret = fail(err, EINVAL, "%s: the kept original is itself a rewritten config",
			   b->backup);
	if (ret == 0)
		ret = annotation(root, b->config, ANNOT_POLICY, &name, err);
	if (ret < 0)
		goto out;
	if (!name)
		name = o->default_policy;
	if (!redirect_policy_name_valid(name)) {
		ret = fail(err, EINVAL, "%s: policy name \"%s\" is invalid (letters, digits, "
			   "'.', '_', '-'; no '/', no leading '.', no \"..\")", b->config, name);
		goto out;
	}
	if (snprintf(path, sizeof(path), "%s/%s.json", o->policy_dir, name) >= (int)sizeof(path)) {
		ret = fail(err, ENAMETOOLONG, "policy %s: path too long", name);
		goto out;
	}
	ret = redirect_policy_load_file(path, &policy, err);
	if (ret < 0) {
		if (ret == -ENOENT)
			ret = fail(err, ENOENT, "policy \"%s\" not found: no %s", name, path);
		goto out;
	}
	/* Docker's includes/excludes.caps: against the container's bounding set */
	n = redirect_oci_config_cap_count(cfg);
	caps = calloc(n + 1, sizeof(*caps));
	if (!caps) {
		ret = fail(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		caps[i] = redirect_oci_config_cap(cfg, i);
	ret = redirect_policy_set_capabilities(policy, caps, n, err);
	if (ret == 0)
		ret = redirect_oci_seccomp_json(policy, o->socket, &pjson, err);
	if (ret == 0)
		ret = parse_json(pjson, strlen(pjson), "the policy's seccomp section", &psec, err);
	if (ret < 0)
		goto out;

	if (!json_object_object_get_ex(root, "linux", &lnx)) {
		lnx = json_object_new_object();
		json_object_object_add(root, "linux", lnx);
	}
	if (json_object_object_get_ex(lnx, "seccomp", &sec) &&
	    !json_object_is_type(sec, json_type_null)) {
		if (json_object_object_get_ex(sec, "listenerPath", NULL) || section_notifies(sec)) {
			ret = fail(err, EINVAL, "%s: linux.seccomp already hands calls to a seccomp "
				   "agent (listenerPath or SCMP_ACT_NOTIFY); one listener cannot "
				   "serve two agents", b->config);
			goto out;
		}
		ret = merge(psec, sec, b->config, &merged, &notifies, err);
		if (ret < 0)
			goto out;
	} else {
		merged = json_object_get(psec);
		notifies = section_notifies(merged);
	}
	if (notifies) {
		ret = check_daemon(o->socket, err);
		if (ret == 0)
			ret = check_policy(o->socket, name, err);
		if (ret < 0)
			goto out;
	}
	json_object_object_add(lnx, "seccomp", merged);
	merged = NULL;
	hash_text(b->orig, b->orig_len, hash);
	if (set_annotation(root, ANNOT_REWRITTEN, hash) < 0) {
		ret = fail(err, ENOMEM, "out of memory");
		goto out;
	}
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					   JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	b->out = s ? strdup(s) : NULL;
	if (!b->out) {
		ret = fail(err, ENOMEM, "out of memory");
		goto out;
	}
	/* what runc gets must read back as a valid config with a valid profile */
	ret = redirect_oci_config_read(b->out, strlen(b->out), "the rewritten config.json",
				       &check, err);
out:
	redirect_oci_config_free(check);
	redirect_oci_config_free(cfg);
	redirect_policy_free(policy);
	json_object_put(merged);
	json_object_put(psec);
	json_object_put(root);
	free(pjson);
	free(caps);
	return ret;
}

static int commit_bundle(struct bundle *b, struct redirect_error **err)
{
	int ret = 0;

	/* the original first: once config.json is rewritten it must be there */
	if (b->write_backup)
		ret = write_atomic(b->dir, b->backup, b->orig, b->orig_len, b->mode, err);
	if (ret == 0)
		ret = write_atomic(b->dir, b->config, b->out, strlen(b->out), b->mode, err);
	return ret;
}

/* ---- the real runc ------------------------------------------------------------ */

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int find_runc(const char *want, char *out, size_t size, struct redirect_error **err)
{
	const char *path = getenv("PATH"), *p, *end;

	if (want) {
		if (!strchr(want, '/'))
			return fail(err, EINVAL, "runc %s: give a path (with '/')", want);
		if (access(want, X_OK) < 0)
			return fail(err, errno, "runc %s: %s", want, strerror(errno));
		if (same_file(want, "/proc/self/exe"))
			return fail(err, ELOOP, "runc %s is redirect-runc itself", want);
		snprintf(out, size, "%s", want);
		return 0;
	}
	for (p = path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	     ; p = end + 1) {
		end = strchrnul(p, ':');
		if (end > p && snprintf(out, size, "%.*s/runc", (int)(end - p), p) < (int)size &&
		    access(out, X_OK) == 0 && !same_file(out, "/proc/self/exe"))
			return 0;
		if (!*end)
			break;
	}
	return fail(err, ENOENT, "no runc in PATH (other than redirect-runc itself); set "
		    "REDIRECT_RUNC or --redirect-runc");
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/*
 * The configuration file, for runtimes that pass no options (containerd):
 * "key = value" lines, '#' comments; keys runc, policy-dir, socket, policy.
 * A missing file is no error; anything malformed in it is.
 */
static int read_config_file(const char *path, bool must_exist, struct opts *o,
			    struct redirect_error **err)
{
	static const char *const keys[] = { "runc", "policy-dir", "socket", "policy" };
	const char **slots[] = { &o->runc, &o->policy_dir, &o->socket, &o->default_policy };
	char *buf, *line, *save = NULL;
	size_t len, k;
	int ret;

	ret = read_file(path, false, &buf, &len, NULL, err);
	if (ret == -ENOENT && !must_exist) {
		redirect_error_free(*err);
		*err = NULL;
		return 0;
	}
	if (ret < 0)
		return ret;
	if (memchr(buf, '\0', len)) {
		free(buf);
		return fail(err, EINVAL, "%s: not a text file", path);
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *key = line, *val, *end;

		while (*key == ' ' || *key == '\t')
			key++;
		if (!*key || *key == '#')
			continue;
		val = strchr(key, '=');
		if (!val) {
			ret = fail(err, EINVAL, "%s: \"%s\": expected key = value", path, key);
			break;
		}
		for (end = val; end > key && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		for (val++; *val == ' ' || *val == '\t'; val++)
			;
		for (end = val + strlen(val); end > val && strchr(" \t\r", end[-1]); end--)
			;
		*end = '\0';
		for (k = 0; k < ARRAY_SIZE(keys) && strcmp(keys[k], key); k++)
			;
		if (k == ARRAY_SIZE(keys)) {
			ret = fail(err, EINVAL, "%s: unknown key \"%s\" (runc, policy-dir, socket, "
				   "policy)", path, key);
			break;
		}
		if (!*val) {
			ret = fail(err, EINVAL, "%s: %s: empty value", path, key);
			break;
		}
		*slots[k] = strdup(val);
		if (!*slots[k]) {
			ret = fail(err, ENOMEM, "out of memory");
			break;
		}
	}
	free(buf);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.policy_dir = REDIRECT_POLICY_DIR,
		.socket = DEFAULT_SOCKET,
		.default_policy = DEFAULT_POLICY,
	};
	const char *config = getenv("REDIRECT_RUNC_CONFIG");
	struct redirect_error *e = NULL;
	struct bundle b = { 0 };
	char runc[PATH_MAX], **rargv;
	int i, n = 0, cmd = -1;
	bool help = false;

	/* precedence: --redirect-* options, then the environment, then the file */
	if (read_config_file(config && *config ? config : DEFAULT_CONFIG, config && *config, &o,
			     &e) < 0) {
		fprintf(stderr, "redirect-runc: %s\n", e->msg);
		return EXIT_WRAPPER;
	}
	o.runc = env_or("REDIRECT_RUNC", o.runc);
	o.policy_dir = env_or("REDIRECT_POLICY_DIR", o.policy_dir);
	o.socket = env_or("REDIRECT_SOCKET", o.socket);
	o.default_policy = env_or("REDIRECT_POLICY", o.default_policy);
	rargv = calloc((size_t)argc + 1, sizeof(*rargv));
	if (!rargv) {
		fprintf(stderr, "redirect-runc: out of memory\n");
		return EXIT_WRAPPER;
	}
	rargv[n++] = argv[0];
	/* global options up to the command: ours are taken out, runc's kept */
	for (i = 1; i < argc; i++) {
		const struct flag *f;
		const char *val;

		if (!strncmp(argv[i], "--redirect-", 11)) {
			if (take_own_option(argc, argv, &i, &o, &help) < 0)
				return EXIT_WRAPPER;
			continue;
		}
		/* "--" ends the options: the command is what follows */
		if (!strcmp(argv[i], "--")) {
			rargv[n++] = argv[i];
			cmd = i + 1 < argc ? i + 1 : -1;
			break;
		}
		if (!is_flag(argv[i])) {
			cmd = i;
			break;
		}
		f = match_flag(argv[i], global_flags, ARRAY_SIZE(global_flags), &val);
		if (!f) {
			fprintf(stderr, "redirect-runc: unknown runc global option %s: cannot tell "
				"where the command starts\n", argv[i]);
			return EXIT_WRAPPER;
		}
		rargv[n++] = argv[i];
		if (f->takes_value && !val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "redirect-runc: %s needs a value\n", argv[i]);
				return EXIT_WRAPPER;
			}
			rargv[n++] = argv[++i];
		}
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	for (i = cmd; cmd > 0 && i < argc; i++)
		rargv[n++] = argv[i];
	rargv[n] = NULL;

	if (find_runc(o.runc, runc, sizeof(runc), &e) < 0)
		goto fail;
	if (cmd > 0 && (!strcmp(argv[cmd], "create") || !strcmp(argv[cmd], "run"))) {
		const char *bundle = NULL;
		bool cmd_help = false;

		if (find_bundle(argv[cmd], argv + cmd + 1, argc - cmd - 1, &bundle, &cmd_help,
				&e) < 0)
			goto fail;
		if (!cmd_help) {
			if (load_bundle(bundle, &b, &e) < 0 || rewrite_bundle(&o, &b, &e) < 0 ||
			    commit_bundle(&b, &e) < 0)
				goto fail;
		}
	}
	rargv[0] = runc;
	execv(runc, rargv);
	fprintf(stderr, "redirect-runc: exec %s: %s\n", runc, strerror(errno));
	return EXIT_WRAPPER;
fail:
	fprintf(stderr, "redirect-runc: %s\n", e ? e->msg : "failed");
	redirect_error_free(e);
	return EXIT_WRAPPER;
}
