// SPDX-License-Identifier: GPL-2.0
/* Policy loader: an OCI / Docker seccomp profile plus the "redirect" section, via json-c. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "policy.h"
#include "rules_eval.h"

#define PATH_MAX_LEN 256
#define MAX_ARGS_PER_RULE 64

/* Files being loaded, outermost first: extends / include cycles and depth. */
struct load_chain {
	const struct load_chain *parent;
	dev_t dev;
	ino_t ino;
	unsigned int depth;
};

/* Where we are in the document, for error messages. */
struct loader {
	const char *origin;
	struct redirect_error **err;
	char path[PATH_MAX_LEN];
	size_t path_len;
	bool oci;			/* a config.json's seccomp section */
};

static size_t path_push_key(struct loader *l, const char *key)
{
	size_t mark = l->path_len;
	int n;

	n = snprintf(l->path + mark, sizeof(l->path) - mark, "%s%s", mark ? "." : "", key);
	if (n > 0)
		l->path_len = mark + (size_t)n < sizeof(l->path) ? mark + n : sizeof(l->path) - 1;
	return mark;
}

static size_t path_push_index(struct loader *l, size_t i)
{
	size_t mark = l->path_len;
	int n;

	n = snprintf(l->path + mark, sizeof(l->path) - mark, "[%zu]", i);
	if (n > 0)
		l->path_len = mark + (size_t)n < sizeof(l->path) ? mark + n : sizeof(l->path) - 1;
	return mark;
}

static void path_pop(struct loader *l, size_t mark)
{
	l->path_len = mark;
	l->path[mark] = '\0';
}

__attribute__((format(printf, 2, 3)))
static int fail(struct loader *l, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return redirect_make_error(l->err, ENOMEM, "%s: out of memory", l->origin);
	if (l->path_len)
		return redirect_make_error(l->err, EINVAL, "%s: %s: %s", l->origin, l->path, msg);
	return redirect_make_error(l->err, EINVAL, "%s: %s", l->origin, msg);
}

static const char *type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a fractional number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "unknown";
}

/* Reject keys of obj not in the NULL-terminated list. */
static int check_keys(struct loader *l, json_object *obj, const char *const *known)
{
	json_object_object_foreach(obj, key, val) {
		const char *const *k;

		(void)val;
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k) {
			size_t mark = path_push_key(l, key);
			int ret = fail(l, "unknown key");

			path_pop(l, mark);
			return ret;
		}
	}
	return 0;
}

static int expect_type(struct loader *l, json_object *o, enum json_type type, const char *what)
{
	if (json_object_get_type(o) != type)
		return fail(l, "expected %s, got %s", what, type_name(o));
	return 0;
}

/* A non-empty string without NUL bytes, at most max bytes (0: no limit). */
static int get_string(struct loader *l, json_object *o, size_t max, const char **out)
{
	const char *s;
	size_t len;
	int ret;

	ret = expect_type(l, o, json_type_string, "a string");
	if (ret < 0)
		return ret;
	s = json_object_get_string(o);
	len = (size_t)json_object_get_string_len(o);
	if (strlen(s) != len)
		return fail(l, "string contains a NUL character");
	if (len == 0)
		return fail(l, "empty string");
	if (max && len > max)
		return fail(l, "string longer than %zu bytes", max);
	*out = s;
	return 0;
}

static int get_uint64(struct loader *l, json_object *o, uint64_t max, uint64_t *out)
{
	int ret;

	ret = expect_type(l, o, json_type_int, "an integer");
	if (ret < 0)
		return ret;
	if (json_object_get_int64(o) < 0)
		return fail(l, "negative value %lld", (long long)json_object_get_int64(o));
	*out = json_object_get_uint64(o);
	if (*out > max)
		return fail(l, "value %llu out of range (at most %llu)",
			    (unsigned long long)*out, (unsigned long long)max);
	return 0;
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

typedef int (*string_check_fn)(struct loader *l, const char *s);

/* An array of strings, each checked by check (may be NULL). */
static int get_string_array(struct loader *l, json_object *arr, bool allow_empty,
			    string_check_fn check, char ***vp, size_t *np)
{
	char **v;
	size_t n, i;
	int ret;

	ret = expect_type(l, arr, json_type_array, "an array");
	if (ret < 0)
		return ret;
	n = json_object_array_length(arr);
	if (!n && !allow_empty)
		return fail(l, "empty array");
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return fail(l, "out of memory");
	for (i = 0; i < n; i++) {
		size_t mark = path_push_index(l, i);
		const char *s;

		ret = get_string(l, json_object_array_get_idx(arr, i), 0, &s);
		if (ret == 0 && check)
			ret = check(l, s);
		if (ret == 0) {
			v[i] = strdup(s);
			if (!v[i])
				ret = fail(l, "out of memory");
		}
		path_pop(l, mark);
		if (ret < 0) {
			free_strv(v, i);
			return ret;
		}
	}
	*vp = v;
	*np = n;
	return 0;
}

/* ---- actions, architectures, operators ----------------------------------- */

static const struct {
	const char *name;
	uint32_t action;
	bool takes_errno;
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

/*
 * Parse parent[action_key] and parent[errno_key] (optional; EPERM by
 * default, as in runc).  The path points at parent.
 */
static int get_action(struct loader *l, json_object *parent, const char *action_key,
		      const char *errno_key, uint32_t *out)
{
	json_object *o, *errno_obj;
	uint64_t errnum = EPERM;
	const char *s;
	size_t mark, i;
	int ret;

	if (!json_object_object_get_ex(parent, action_key, &o))
		return fail(l, "missing \"%s\"", action_key);
	mark = path_push_key(l, action_key);
	ret = get_string(l, o, 0, &s);
	if (ret == 0) {
		for (i = 0; i < ARRAY_SIZE(actions); i++)
			if (!strcmp(actions[i].name, s))
				break;
		if (i == ARRAY_SIZE(actions))
			ret = fail(l, "unknown action \"%s\"", s);
	}
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(parent, errno_key, &errno_obj)) {
		mark = path_push_key(l, errno_key);
		if (!actions[i].takes_errno)
			ret = fail(l, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
		else
			ret = get_uint64(l, errno_obj, 4095, &errnum);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	*out = actions[i].takes_errno ? (actions[i].action | (uint32_t)errnum)
				      : actions[i].action;
	return 0;
}

static int check_arch(struct loader *l, const char *s)
{
	char lower[32];
	size_t i;

	if (strncmp(s, "SCMP_ARCH_", 10) || strlen(s + 10) >= sizeof(lower))
		return fail(l, "unknown architecture \"%s\"", s);
	for (i = 0; s[10 + i]; i++)
		lower[i] = (char)((s[10 + i] >= 'A' && s[10 + i] <= 'Z') ? s[10 + i] + 32
									: s[10 + i]);
	lower[i] = '\0';
	if (!strcmp(lower, "native") || seccomp_arch_resolve_name(lower) == 0)
		return fail(l, "unknown architecture \"%s\"", s);
	return 0;
}

static uint32_t arch_token(const char *s)
{
	char lower[32];
	size_t i;

	for (i = 0; s[10 + i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)((s[10 + i] >= 'A' && s[10 + i] <= 'Z') ? s[10 + i] + 32
									: s[10 + i]);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int check_syscall_name(struct loader *l, const char *s)
{
	if (strlen(s) > 64)
		return fail(l, "system call name too long");
	return 0;
}

static int check_known_syscall(struct loader *l, const char *s)
{
	if (seccomp_syscall_resolve_name(s) == __NR_SCMP_ERROR)
		return fail(l, "unknown system call \"%s\"", s);
	return 0;
}

static int check_cap(struct loader *l, const char *s)
{
	const char *p;

	if (strncmp(s, "CAP_", 4) || !s[4])
		return fail(l, "invalid capability \"%s\"", s);
	for (p = s + 4; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return fail(l, "invalid capability \"%s\"", s);
	return 0;
}

static int check_goarch(struct loader *l, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return fail(l, "invalid architecture \"%s\"", s);
	return 0;
}

/* ---- profile part ----------------------------------------------------------- */

static void free_cond(struct policy_cond *c)
{
	free_strv(c->arches, c->n_arches);
	free_strv(c->caps, c->n_caps);
}

static void free_rule(struct policy_rule *r)
{
	free_strv(r->names, r->n_names);
	free(r->args);
	free_cond(&r->includes);
	free_cond(&r->excludes);
}

static int parse_min_kernel(struct loader *l, json_object *o, struct policy_cond *c)
{
	const char *s;
	unsigned int major, minor;
	int n = 0, ret;

	ret = get_string(l, o, 32, &s);
	if (ret < 0)
		return ret;
	if (sscanf(s, "%u.%u%n", &major, &minor, &n) != 2 || (size_t)n != strlen(s) ||
	    s[0] < '0' || s[0] > '9')
		return fail(l, "expected \"MAJOR.MINOR\", got \"%s\"", s);
	c->has_min_kernel = true;
	c->min_major = major;
	c->min_minor = minor;
	return 0;
}

static int parse_cond(struct loader *l, json_object *o, struct policy_cond *c)
{
	static const char *const known[] = { "arches", "caps", "minKernel", NULL };
	json_object *v;
	size_t mark;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "arches", &v)) {
		mark = path_push_key(l, "arches");
		ret = get_string_array(l, v, true, check_goarch, &c->arches, &c->n_arches);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "caps", &v)) {
		mark = path_push_key(l, "caps");
		ret = get_string_array(l, v, true, check_cap, &c->caps, &c->n_caps);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "minKernel", &v)) {
		mark = path_push_key(l, "minKernel");
		ret = parse_min_kernel(l, v, c);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int parse_arg(struct loader *l, json_object *o, struct policy_arg *a)
{
	static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
	json_object *v;
	const char *op;
	uint64_t index;
	size_t mark, i;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;

	if (!json_object_object_get_ex(o, "index", &v))
		return fail(l, "missing \"index\"");
	mark = path_push_key(l, "index");
	ret = get_uint64(l, v, 5, &index);
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	a->index = (unsigned int)index;

	if (!json_object_object_get_ex(o, "value", &v))
		return fail(l, "missing \"value\"");
	mark = path_push_key(l, "value");
	ret = get_uint64(l, v, UINT64_MAX, &a->value);
	path_pop(l, mark);
	if (ret < 0)
		return ret;

	a->value_two = 0;
	if (json_object_object_get_ex(o, "valueTwo", &v)) {
		mark = path_push_key(l, "valueTwo");
		ret = get_uint64(l, v, UINT64_MAX, &a->value_two);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	if (!json_object_object_get_ex(o, "op", &v))
		return fail(l, "missing \"op\"");
	mark = path_push_key(l, "op");
	ret = get_string(l, v, 0, &op);
	if (ret == 0) {
		for (i = 0; i < ARRAY_SIZE(operators); i++)
			if (!strcmp(operators[i].name, op))
				break;
		if (i == ARRAY_SIZE(operators))
			ret = fail(l, "unknown operator \"%s\"", op);
		else
			a->op = operators[i].op;
	}
	path_pop(l, mark);
	return ret;
}

static int parse_rule(struct loader *l, json_object *o, struct policy_rule *r)
{
	static const char *const known[] = { "names", "name", "action", "errnoRet", "args",
					     "comment", "includes", "excludes", NULL };
	json_object *v;
	size_t mark, i, n;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(o, "names", &v)) {
		if (json_object_object_get_ex(o, "name", NULL))
			return fail(l, "both \"names\" and \"name\" given");
		mark = path_push_key(l, "names");
		ret = get_string_array(l, v, false, check_syscall_name, &r->names, &r->n_names);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	} else if (json_object_object_get_ex(o, "name", &v)) {
		const char *s;

		mark = path_push_key(l, "name");
		ret = get_string(l, v, 64, &s);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		r->names = calloc(1, sizeof(*r->names));
		if (!r->names || !(r->names[0] = strdup(s)))
			return fail(l, "out of memory");
		r->n_names = 1;
	} else {
		return fail(l, "missing \"names\"");
	}

	if (json_object_object_get_ex(o, "comment", &v)) {
		mark = path_push_key(l, "comment");
		ret = expect_type(l, v, json_type_string, "a string");
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	ret = get_action(l, o, "action", "errnoRet", &r->action);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(o, "args", &v) && !json_object_is_type(v, json_type_null)) {
		mark = path_push_key(l, "args");
		ret = expect_type(l, v, json_type_array, "an array");
		n = ret < 0 ? 0 : json_object_array_length(v);
		if (ret == 0 && n > MAX_ARGS_PER_RULE)
			ret = fail(l, "more than %d conditions", MAX_ARGS_PER_RULE);
		if (ret == 0 && n) {
			r->args = calloc(n, sizeof(*r->args));
			if (!r->args)
				ret = fail(l, "out of memory");
		}
		for (i = 0; ret == 0 && i < n; i++) {
			size_t m2 = path_push_index(l, i);

			ret = parse_arg(l, json_object_array_get_idx(v, i), &r->args[i]);
			path_pop(l, m2);
			if (ret == 0)
				r->n_args++;
		}
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	if (json_object_object_get_ex(o, "includes", &v)) {
		mark = path_push_key(l, "includes");
		ret = parse_cond(l, v, &r->includes);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "excludes", &v)) {
		mark = path_push_key(l, "excludes");
		ret = parse_cond(l, v, &r->excludes);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int parse_arch_map(struct loader *l, json_object *arr, struct redirect_policy *p)
{
	static const char *const known[] = { "architecture", "subArchitectures", NULL };
	uint32_t native = seccomp_arch_native();
	size_t i, n;
	int ret;

	ret = expect_type(l, arr, json_type_array, "an array");
	if (ret < 0)
		return ret;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *v;
		size_t mark = path_push_index(l, i), m2;
		const char *arch;
		char **subs = NULL;
		size_t n_subs = 0, j;

		ret = expect_type(l, e, json_type_object, "an object");
		if (ret == 0)
			ret = check_keys(l, e, known);
		if (ret == 0 && !json_object_object_get_ex(e, "architecture", &v))
			ret = fail(l, "missing \"architecture\"");
		if (ret == 0) {
			m2 = path_push_key(l, "architecture");
			ret = get_string(l, v, 0, &arch);
			if (ret == 0)
				ret = check_arch(l, arch);
			path_pop(l, m2);
		}
		if (ret == 0 && json_object_object_get_ex(e, "subArchitectures", &v)) {
			m2 = path_push_key(l, "subArchitectures");
			ret = get_string_array(l, v, true, check_arch, &subs, &n_subs);
			path_pop(l, m2);
		}
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		/* Docker uses only the entry of the native architecture */
		if (arch_token(arch) == native && !p->n_arches) {
			p->arches = calloc(n_subs + 1, sizeof(*p->arches));
			if (!p->arches) {
				free_strv(subs, n_subs);
				return fail(l, "out of memory");
			}
			p->arches[p->n_arches++] = native;
			for (j = 0; j < n_subs; j++)
				p->arches[p->n_arches++] = arch_token(subs[j]);
		}
		free_strv(subs, n_subs);
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned int flag;
} filter_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 0 },	/* single-threaded launcher: no-op */
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static int check_filter_flag(struct loader *l, const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(filter_flags); i++)
		if (!strcmp(filter_flags[i].name, s))
			return 0;
	return fail(l, "unknown filter flag \"%s\"", s);
}

/* ---- redirect section ------------------------------------------------------------ */

static const char *const uname_keys[REDIRECT_UNAME_NR_FIELDS] = {
	[REDIRECT_UNAME_SYSNAME] = "sysname",
	[REDIRECT_UNAME_NODENAME] = "nodename",
	[REDIRECT_UNAME_RELEASE] = "release",
	[REDIRECT_UNAME_VERSION] = "version",
	[REDIRECT_UNAME_MACHINE] = "machine",
	[REDIRECT_UNAME_DOMAINNAME] = "domainname",
};

/* The calls each handler takes (x86-64 names). */
const char *const policy_files_calls[] = {
	"open", "openat", "openat2", "creat", "truncate", "mkdir", "mkdirat", "mknod",
	"mknodat", "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "link",
	"linkat", "symlink", "symlinkat", "chmod", "fchmodat", "chown", "lchown", "fchownat",
	"stat", "lstat", "newfstatat", "statx", "access", "faccessat", "faccessat2",
	"readlink", "readlinkat", "utimensat", "utime", "utimes", "futimesat", "fchmod", "fchown",
	"statfs", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
	"setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
	"inotify_add_watch", "bind",
	/* refused by the Sentry: see docs/policy.md, "Every call that takes a path" */
	"fanotify_mark", "name_to_handle_at", "open_by_handle_at", "chroot", "pivot_root",
	"fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
	NULL,
};
/* only with hidden or remap rules: checked on the Sentry's copy, then performed by the kernel */
const char *const policy_cwd_calls[] = { "chdir", "execve", "execveat", NULL };
/* sendto only with an address: filter.c notifies it when args[4] is not NULL */
const char *const policy_connect_calls[] = { "connect", "sendto", NULL };
const char *const policy_sysinfo_calls[] = { "sysinfo", NULL };
const char *const policy_mount_calls[] = { "mount", "umount2", "fsopen", "fsconfig", "fsmount",
					   "fspick", "move_mount", "open_tree", "mount_setattr",
					   "pivot_root", NULL };
/* only with hidden file rules: listings lose the hidden names (a round trip each) */
const char *const policy_dents_calls[] = { "getdents64", "getdents", NULL };

const char *const redirect_docker_default_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

static int parse_uname(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "sysname", "nodename", "release", "version",
					     "machine", "domainname", NULL };
	json_object *v;
	int i, ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
		const char *s;
		size_t mark;

		if (!json_object_object_get_ex(o, uname_keys[i], &v))
			continue;
		mark = path_push_key(l, uname_keys[i]);
		ret = get_string(l, v, REDIRECT_UNAME_LEN - 1, &s);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->uname[i] = strdup(s);
		if (!p->uname[i])
			return fail(l, "out of memory");
	}
	p->has_uname = true;
	p->has |= POLICY_HAS_UNAME;
	return 0;
}

static int parse_verdict(struct loader *l, json_object *o, struct redirect_answer *vd)
{
	const char *s;
	int ret;

	ret = get_string(l, o, 64, &s);
	if (ret < 0)
		return ret;
	if (!strcmp(s, "continue")) {
		vd->kind = REDIRECT_ANSWER_CONTINUE;
		vd->errnum = 0;
		return 0;
	}
	if (!strncmp(s, "errno:", 6)) {
		if (redirect_errno_parse(s + 6, &vd->errnum) < 0)
			return fail(l, "unknown errno \"%s\"", s + 6);
		vd->kind = REDIRECT_ANSWER_ERRNO;
		return 0;
	}
	return fail(l, "expected \"continue\" or \"errno:NAME\", got \"%s\"", s);
}

/* An absolute path without ".", "..", "//" or a trailing "/" (but "/"). */
static bool path_is_normal(const char *s)
{
	const char *c;

	if (s[0] != '/')
		return false;
	if (!s[1])
		return true;
	for (c = s; *c; c++) {
		if (*c != '/')
			continue;
		if (c[1] == '/' || c[1] == '\0')
			return false;
		if (c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return false;
		if (c[1] == '.' && c[2] == '.' && (c[3] == '/' || c[3] == '\0'))
			return false;
	}
	return true;
}

static int check_path(struct loader *l, const char *s)
{
	if (strlen(s) >= PATH_MAX)
		return fail(l, "path longer than %d bytes", PATH_MAX - 1);
	if (!path_is_normal(s))
		return fail(l, "\"%s\" is not an absolute path without \".\", \"..\", \"//\" or a "
			    "trailing \"/\"", s);
	return 0;
}

static int add_file_rules(struct loader *l, json_object *o, const char *key,
			  enum redirect_file_action action, struct redirect_policy *p)
{
	char **paths = NULL;
	size_t n = 0, i, mark;
	json_object *v;
	int ret;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	mark = path_push_key(l, key);
	ret = get_string_array(l, v, true, check_path, &paths, &n);
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		struct policy_file_rule *f = &p->files[p->n_files++];

		f->action = action;
		f->path = paths[i];
	}
	free(paths);
	return 0;
}

static int parse_files(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "readOnly", "hidden", "remap", NULL };
	static const char *const remap_known[] = { "from", "to", NULL };
	json_object *v;
	size_t total = 0, i, j, n, mark;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	for (i = 0; known[i]; i++)
		if (json_object_object_get_ex(o, known[i], &v) &&
		    json_object_is_type(v, json_type_array))
			total += json_object_array_length(v);
	p->files = calloc(total ? total : 1, sizeof(*p->files));
	if (!p->files)
		return fail(l, "out of memory");
	p->has |= POLICY_HAS_FILES;
	ret = add_file_rules(l, o, "readOnly", REDIRECT_FILE_READ_ONLY, p);
	if (ret == 0)
		ret = add_file_rules(l, o, "hidden", REDIRECT_FILE_HIDDEN, p);
	if (ret < 0)
		return ret;
	if (!json_object_object_get_ex(o, "remap", &v))
		goto unique;
	mark = path_push_key(l, "remap");
	ret = expect_type(l, v, json_type_array, "an array");
	n = ret < 0 ? 0 : json_object_array_length(v);
	for (i = 0; ret == 0 && i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i), *f;
		size_t m2 = path_push_index(l, i), m3;
		const char *vals[2] = { NULL, NULL };

		ret = expect_type(l, e, json_type_object, "an object");
		if (ret == 0)
			ret = check_keys(l, e, remap_known);
		for (j = 0; ret == 0 && j < 2; j++) {
			if (!json_object_object_get_ex(e, remap_known[j], &f)) {
				ret = fail(l, "missing \"%s\"", remap_known[j]);
				break;
			}
			m3 = path_push_key(l, remap_known[j]);
			ret = get_string(l, f, 0, &vals[j]);
			if (ret == 0)
				ret = check_path(l, vals[j]);
			path_pop(l, m3);
		}
		if (ret == 0 && !strcmp(vals[0], "/"))
			ret = fail(l, "cannot remap \"/\"");
		if (ret == 0) {
			struct policy_file_rule *fr = &p->files[p->n_files];

			fr->action = REDIRECT_FILE_REMAP;
			fr->path = strdup(vals[0]);
			fr->target = strdup(vals[1]);
			p->n_files++;
			if (!fr->path || !fr->target)
				ret = fail(l, "out of memory");
		}
		path_pop(l, m2);
	}
	path_pop(l, mark);
	if (ret < 0)
		return ret;
unique:
	/* one rule per path: two would make the lookup depend on their order */
	for (i = 0; i < p->n_files; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(p->files[i].path, p->files[j].path))
				return fail(l, "\"%s\" has more than one rule", p->files[i].path);
	return 0;
}

static int parse_allow_deny(struct loader *l, json_object *o, bool *allow)
{
	const char *s;
	int ret;

	ret = get_string(l, o, 16, &s);
	if (ret < 0)
		return ret;
	if (!strcmp(s, "allow"))
		*allow = true;
	else if (!strcmp(s, "deny"))
		*allow = false;
	else
		return fail(l, "expected \"allow\" or \"deny\", got \"%s\"", s);
	return 0;
}

static int parse_cidr(struct loader *l, const char *s, struct policy_connect_rule *r)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int max, bits;
	char *end;

	if (len >= sizeof(addr))
		return fail(l, "\"%s\" is not an address or CIDR block", s);
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, r->addr) == 1) {
		r->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, r->addr) == 1) {
		r->family = AF_INET6;
		max = 128;
	} else {
		return fail(l, "\"%s\" is not an address or CIDR block", s);
	}
	r->prefix_len = max;
	if (!slash)
		return 0;
	errno = 0;
	bits = (unsigned int)strtoul(slash + 1, &end, 10);
	if (!slash[1] || slash[1] < '0' || slash[1] > '9' || *end || errno || bits > max)
		return fail(l, "prefix length of \"%s\" is not 0..%u", s, max);
	r->prefix_len = bits;
	/* host bits set: almost certainly a typo for another block */
	for (; bits < max; bits++)
		if (r->addr[bits / 8] & (0x80 >> (bits % 8)))
			return fail(l, "\"%s\" has bits set beyond its prefix", s);
	return 0;
}

static int parse_ports(struct loader *l, json_object *o, struct policy_connect_rule *r)
{
	unsigned int lo, hi;
	const char *s;
	int n = 0, ret;

	ret = get_string(l, o, 16, &s);
	if (ret < 0)
		return ret;
	if (sscanf(s, "%u-%u%n", &lo, &hi, &n) != 2 || (size_t)n != strlen(s) ||
	    s[0] < '0' || s[0] > '9' || lo > hi || hi > 65535)
		return fail(l, "expected \"LOW-HIGH\" within 0-65535, got \"%s\"", s);
	r->port_min = (uint16_t)lo;
	r->port_max = (uint16_t)hi;
	return 0;
}

static int parse_connect_rule(struct loader *l, json_object *o, struct policy_connect_rule *r)
{
	static const char *const known[] = { "action", "cidr", "port", "ports", "comment", NULL };
	json_object *v;
	const char *s;
	uint64_t port;
	size_t mark;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (!json_object_object_get_ex(o, "action", &v))
		return fail(l, "missing \"action\"");
	mark = path_push_key(l, "action");
	ret = parse_allow_deny(l, v, &r->allow);
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	r->family = AF_UNSPEC;
	r->port_max = 65535;
	if (json_object_object_get_ex(o, "cidr", &v)) {
		mark = path_push_key(l, "cidr");
		ret = get_string(l, v, 64, &s);
		if (ret == 0)
			ret = parse_cidr(l, s, r);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "port", &v)) {
		if (json_object_object_get_ex(o, "ports", NULL))
			return fail(l, "both \"port\" and \"ports\" given");
		mark = path_push_key(l, "port");
		ret = get_uint64(l, v, 65535, &port);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		r->port_min = r->port_max = (uint16_t)port;
	} else if (json_object_object_get_ex(o, "ports", &v)) {
		mark = path_push_key(l, "ports");
		ret = parse_ports(l, v, r);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "comment", &v)) {
		mark = path_push_key(l, "comment");
		ret = expect_type(l, v, json_type_string, "a string");
		path_pop(l, mark);
	}
	return ret;
}

#define CONNECT_RULES_MAX 4096

static int parse_connect(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "default", "rules", "denyErrno", "unix", NULL };
	json_object *v;
	size_t mark, i, n;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_CONNECT;
	p->connect_default_allow = false;
	p->connect_unix_allow = true;
	p->connect_deny_errno = EACCES;
	if (json_object_object_get_ex(o, "default", &v)) {
		mark = path_push_key(l, "default");
		ret = parse_allow_deny(l, v, &p->connect_default_allow);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "unix", &v)) {
		mark = path_push_key(l, "unix");
		ret = parse_allow_deny(l, v, &p->connect_unix_allow);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "denyErrno", &v)) {
		const char *s;

		mark = path_push_key(l, "denyErrno");
		ret = get_string(l, v, 32, &s);
		if (ret == 0 && (redirect_errno_parse(s, &p->connect_deny_errno) < 0 ||
				 p->connect_deny_errno <= 0))
			ret = fail(l, "unknown errno \"%s\"", s);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (!json_object_object_get_ex(o, "rules", &v))
		return 0;
	mark = path_push_key(l, "rules");
	ret = expect_type(l, v, json_type_array, "an array");
	n = ret < 0 ? 0 : json_object_array_length(v);
	if (n > CONNECT_RULES_MAX)
		ret = fail(l, "more than %d rules", CONNECT_RULES_MAX);
	if (ret == 0 && n) {
		p->connect = calloc(n, sizeof(*p->connect));
		if (!p->connect)
			ret = fail(l, "out of memory");
	}
	for (i = 0; ret == 0 && i < n; i++) {
		size_t m2 = path_push_index(l, i);

		ret = parse_connect_rule(l, json_object_array_get_idx(v, i), &p->connect[i]);
		path_pop(l, m2);
		p->n_connect++;
	}
	path_pop(l, mark);
	return ret;
}

static int check_fs_type(struct loader *l, const char *s)
{
	const char *c;

	if (strlen(s) > 64)
		return fail(l, "file system type longer than 64 bytes");
	for (c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '-' || *c == '.'))
			return fail(l, "invalid file system type \"%s\"", s);
	return 0;
}

static int parse_mount(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "fsTypes", "targets", "bind", NULL };
	json_object *v;
	size_t mark;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_MOUNT;
	if (json_object_object_get_ex(o, "fsTypes", &v)) {
		mark = path_push_key(l, "fsTypes");
		ret = get_string_array(l, v, true, check_fs_type, &p->mount_fs, &p->n_mount_fs);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "targets", &v)) {
		mark = path_push_key(l, "targets");
		ret = get_string_array(l, v, true, check_path, &p->mount_targets,
				       &p->n_mount_targets);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "bind", &v)) {
		mark = path_push_key(l, "bind");
		ret = expect_type(l, v, json_type_boolean, "a boolean");
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->mount_bind = json_object_get_boolean(v);
	}
	return 0;
}

/* One of names[] (n of them): its index. */
static int parse_choice(struct loader *l, json_object *o, const char *const *names, int n,
			int *out)
{
	const char *s;
	int i, ret;

	ret = get_string(l, o, 32, &s);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return n == 2 ? fail(l, "expected \"%s\" or \"%s\", got \"%s\"", names[0], names[1], s)
		      : fail(l, "unexpected \"%s\"", s);
}

static int parse_sysinfo(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "memory", "uptime", NULL };
	/* in the order of the enums */
	static const char *const memory[] = { "cgroup", "host" };
	static const char *const uptime[] = { "sandbox", "host" };
	json_object *v;
	size_t mark;
	int ret, c;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_SYSINFO;
	p->sysinfo_memory = REDIRECT_SYSINFO_MEMORY_CGROUP;
	p->sysinfo_uptime = REDIRECT_SYSINFO_UPTIME_SANDBOX;
	if (json_object_object_get_ex(o, "memory", &v)) {
		mark = path_push_key(l, "memory");
		ret = parse_choice(l, v, memory, 2, &c);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->sysinfo_memory = (enum redirect_sysinfo_memory)c;
	}
	if (json_object_object_get_ex(o, "uptime", &v)) {
		mark = path_push_key(l, "uptime");
		ret = parse_choice(l, v, uptime, 2, &c);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->sysinfo_uptime = (enum redirect_sysinfo_uptime)c;
	}
	return 0;
}

static int parse_sentry(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "default", "uname", "files", "connect", "mount",
					     "sysinfo", NULL };
	static int (*const section[])(struct loader *, json_object *,
				      struct redirect_policy *) = {
		NULL, parse_uname, parse_files, parse_connect, parse_mount, parse_sysinfo,
	};
	json_object *v;
	size_t mark, i;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "default", &v)) {
		mark = path_push_key(l, "default");
		ret = parse_verdict(l, v, &p->default_verdict);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->has |= POLICY_HAS_DEFAULT_ANSWER;
	}
	for (i = 1; known[i]; i++) {
		if (!json_object_object_get_ex(o, known[i], &v))
			continue;
		mark = path_push_key(l, known[i]);
		ret = section[i](l, v, p);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int strv_add_unique(char ***vp, size_t *np, const char *s)
{
	char **v;
	size_t i;

	for (i = 0; i < *np; i++)
		if (!strcmp((*vp)[i], s))
			return 0;
	v = realloc(*vp, (*np + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	*vp = v;
	v[*np] = strdup(s);
	if (!v[*np])
		return -ENOMEM;
	(*np)++;
	return 0;
}

/* ---- tier-1 rules ------------------------------------------------------------------ */

static int check_x86_64_syscall(struct loader *l, const char *s)
{
	if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, s) < 0)
		return fail(l, "unknown x86-64 system call \"%s\"", s);
	return 0;
}

static const struct {
	const char *name;
	const char *scmp;
	enum redirect_cmp op;
} trule_ops[] = {
	{ "EQ", "SCMP_CMP_EQ", REDIRECT_CMP_EQ },
	{ "NE", "SCMP_CMP_NE", REDIRECT_CMP_NE },
	{ "LT", "SCMP_CMP_LT", REDIRECT_CMP_LT },
	{ "LE", "SCMP_CMP_LE", REDIRECT_CMP_LE },
	{ "GT", "SCMP_CMP_GT", REDIRECT_CMP_GT },
	{ "GE", "SCMP_CMP_GE", REDIRECT_CMP_GE },
};

/* An integer as 64 bits: non-negative as it is, negative in two's complement. */
static int get_bits64(struct loader *l, json_object *o, uint64_t *out)
{
	int ret = expect_type(l, o, json_type_int, "an integer");

	if (ret < 0)
		return ret;
	if (json_object_get_int64(o) < 0)
		*out = (uint64_t)json_object_get_int64(o);
	else
		*out = json_object_get_uint64(o);
	return 0;
}

static int parse_trule_arg(struct loader *l, json_object *o, struct redirect_arg_cmp *a)
{
	static const char *const known[] = { "index", "value", "mask", "op", NULL };
	json_object *v;
	uint64_t index, bits;
	const char *op;
	size_t mark, i;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (!json_object_object_get_ex(o, "index", &v))
		return fail(l, "missing \"index\"");
	mark = path_push_key(l, "index");
	ret = get_uint64(l, v, REDIRECT_ARGS_MAX - 1, &index);
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	a->index = (uint8_t)index;
	if (!json_object_object_get_ex(o, "value", &v))
		return fail(l, "missing \"value\"");
	mark = path_push_key(l, "value");
	ret = get_bits64(l, v, &bits);
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	a->value = bits;
	a->mask = UINT64_MAX;
	if (json_object_object_get_ex(o, "mask", &v)) {
		mark = path_push_key(l, "mask");
		ret = get_bits64(l, v, &bits);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		a->mask = bits;
	}
	if (!json_object_object_get_ex(o, "op", &v))
		return fail(l, "missing \"op\"");
	mark = path_push_key(l, "op");
	ret = get_string(l, v, 32, &op);
	if (ret == 0) {
		for (i = 0; i < ARRAY_SIZE(trule_ops); i++)
			if (!strcmp(trule_ops[i].name, op) || !strcmp(trule_ops[i].scmp, op))
				break;
		if (i == ARRAY_SIZE(trule_ops))
			ret = fail(l, "unknown comparison \"%s\" (EQ, NE, LT, LE, GT, GE)", op);
		else
			a->op = (uint8_t)trule_ops[i].op;
	}
	path_pop(l, mark);
	return ret;
}

static int parse_trule_string(struct loader *l, json_object *o, struct redirect_rule *r)
{
	static const char *const known[] = { "index", "exact", "prefix", NULL };
	json_object *v, *ex, *pre;
	uint64_t index;
	const char *s = "";
	size_t mark, len = 0;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (!json_object_object_get_ex(o, "index", &v))
		return fail(l, "missing \"index\"");
	mark = path_push_key(l, "index");
	ret = get_uint64(l, v, REDIRECT_ARGS_MAX - 1, &index);
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	r->str_index = (uint8_t)index;
	json_object_object_get_ex(o, "exact", &ex);
	json_object_object_get_ex(o, "prefix", &pre);
	if (!ex == !pre)
		return fail(l, "exactly one of \"exact\" and \"prefix\" is needed");
	mark = path_push_key(l, ex ? "exact" : "prefix");
	v = ex ? ex : pre;
	ret = expect_type(l, v, json_type_string, "a string");
	if (ret == 0) {
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (strlen(s) != len)
			ret = fail(l, "string contains a NUL character");
		else if (len > REDIRECT_STR_MAX - 1)
			ret = fail(l, "string longer than %d bytes", REDIRECT_STR_MAX - 1);
		else if (!len && pre)
			ret = fail(l, "empty prefix (it would match every string)");
	}
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	r->str_match = ex ? REDIRECT_STR_EXACT : REDIRECT_STR_PREFIX;
	r->str_len = (uint32_t)len;
	memcpy(r->str, s, len);
	return 0;
}

static int parse_trule_action(struct loader *l, json_object *o, struct redirect_rule *r)
{
	const char *s;
	long long v;
	char *end;
	int errnum, ret;

	ret = get_string(l, o, 64, &s);
	if (ret < 0)
		return ret;
	if (!strcmp(s, "kill")) {
		r->verdict = REDIRECT_VERDICT_KILL;
	} else if (!strcmp(s, "forward")) {
		r->verdict = REDIRECT_VERDICT_FORWARD;
	} else if (!strncmp(s, "errno:", 6)) {
		if (redirect_errno_parse(s + 6, &errnum) < 0)
			return fail(l, "unknown errno \"%s\"", s + 6);
		r->verdict = REDIRECT_VERDICT_ERRNO;
		r->value = errnum;
	} else if (!strncmp(s, "value:", 6)) {
		errno = 0;
		v = strtoll(s + 6, &end, 0);
		if (!s[6] || *end || errno)
			return fail(l, "\"%s\": not a 64-bit integer", s + 6);
		if (v < 0 && v >= -4095)
			return fail(l, "value %lld would read as an error: use \"errno:%lld\"", v,
				    -v);
		r->verdict = REDIRECT_VERDICT_VALUE;
		r->value = v;
	} else {
		return fail(l, "expected \"errno:NAME\", \"value:N\", \"kill\" or \"forward\", "
			    "got \"%s\"", s);
	}
	return 0;
}

static int parse_trule(struct loader *l, json_object *o, struct policy_trule *t)
{
	static const char *const known[] = { "names", "name", "args", "string", "action",
					     "limit", "audit", "comment", NULL };
	struct redirect_rule *r = &t->tmpl;
	enum redirect_rule_field field;
	json_object *v;
	size_t mark, i, n;
	uint32_t bad;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (asprintf(&t->where, "%s: %s", l->origin, l->path) < 0) {
		t->where = NULL;
		return fail(l, "out of memory");
	}
	if (json_object_object_get_ex(o, "names", &v)) {
		if (json_object_object_get_ex(o, "name", NULL))
			return fail(l, "both \"names\" and \"name\" given");
		mark = path_push_key(l, "names");
		ret = get_string_array(l, v, false, check_x86_64_syscall, &t->names, &t->n_names);
		path_pop(l, mark);
	} else if (json_object_object_get_ex(o, "name", &v)) {
		const char *s;

		mark = path_push_key(l, "name");
		ret = get_string(l, v, 64, &s);
		if (ret == 0)
			ret = check_x86_64_syscall(l, s);
		path_pop(l, mark);
		if (ret == 0) {
			t->names = calloc(1, sizeof(*t->names));
			if (!t->names || !(t->names[0] = strdup(s)))
				return fail(l, "out of memory");
			t->n_names = 1;
		}
	} else {
		return fail(l, "missing \"names\"");
	}
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(o, "args", &v)) {
		mark = path_push_key(l, "args");
		ret = expect_type(l, v, json_type_array, "an array");
		n = ret < 0 ? 0 : json_object_array_length(v);
		if (n > REDIRECT_ARGS_MAX)
			ret = fail(l, "more than %d comparisons", REDIRECT_ARGS_MAX);
		for (i = 0; ret == 0 && i < n; i++) {
			size_t m2 = path_push_index(l, i);

			ret = parse_trule_arg(l, json_object_array_get_idx(v, i), &r->args[i]);
			path_pop(l, m2);
		}
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		r->nr_args = (uint8_t)n;
	}
	if (json_object_object_get_ex(o, "string", &v)) {
		mark = path_push_key(l, "string");
		ret = parse_trule_string(l, v, r);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (!json_object_object_get_ex(o, "action", &v))
		return fail(l, "missing \"action\"");
	mark = path_push_key(l, "action");
	ret = parse_trule_action(l, v, r);
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "limit", &v)) {
		uint64_t limit;

		mark = path_push_key(l, "limit");
		ret = get_uint64(l, v, UINT64_MAX, &limit);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		r->limit = limit;
	}
	if (json_object_object_get_ex(o, "audit", &v)) {
		mark = path_push_key(l, "audit");
		ret = expect_type(l, v, json_type_boolean, "a boolean");
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		if (json_object_get_boolean(v))
			r->flags |= REDIRECT_RULE_AUDIT;
	}
	if (json_object_object_get_ex(o, "comment", &v)) {
		mark = path_push_key(l, "comment");
		ret = expect_type(l, v, json_type_string, "a string");
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	/* the module's own check, so that both sides agree on what is valid */
	field = rdr_rule_check(r, &bad);
	if (field != REDIRECT_RULE_FIELD_NONE) {
		char what[160];

		return fail(l, "%s", rule_field_text(field, bad, what, sizeof(what)));
	}
	return 0;
}

static int parse_trules(struct loader *l, json_object *v, struct redirect_policy *p)
{
	size_t i, n;
	int ret;

	ret = expect_type(l, v, json_type_array, "an array");
	if (ret < 0)
		return ret;
	n = json_object_array_length(v);
	if (n > REDIRECT_RULES_MAX)
		return fail(l, "more than %d rules", REDIRECT_RULES_MAX);
	p->trules = calloc(n ? n : 1, sizeof(*p->trules));
	if (!p->trules)
		return fail(l, "out of memory");
	for (i = 0; ret == 0 && i < n; i++) {
		size_t mark = path_push_index(l, i);

		ret = parse_trule(l, json_object_array_get_idx(v, i), &p->trules[i]);
		path_pop(l, mark);
		p->n_trules++;
	}
	return ret;
}

static int parse_redirect(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "capabilities", "notify", "rules", "sentry", NULL };
	json_object *v;
	size_t mark;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "capabilities", &v)) {
		mark = path_push_key(l, "capabilities");
		ret = get_string_array(l, v, true, check_cap, &p->caps, &p->n_caps);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->has |= POLICY_HAS_CAPS;
	}
	if (json_object_object_get_ex(o, "sentry", &v)) {
		mark = path_push_key(l, "sentry");
		ret = parse_sentry(l, v, p);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "notify", &v)) {
		mark = path_push_key(l, "notify");
		ret = get_string_array(l, v, true, check_known_syscall, &p->extra_notify,
				       &p->n_extra_notify);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "rules", &v)) {
		mark = path_push_key(l, "rules");
		ret = parse_trules(l, v, p);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- document --------------------------------------------------------------------- */

static int parse_policy(struct loader *l, json_object *root, struct redirect_policy *p)
{
	static const char *const known[] = { "defaultAction", "defaultErrnoRet", "architectures",
					     "archMap", "flags", "syscalls", "listenerPath",
					     "listenerMetadata", "redirect", "extends", "include",
					     NULL };
	static const char *const oci_known[] = { "defaultAction", "defaultErrnoRet",
						 "architectures", "flags", "syscalls",
						 "listenerPath", "listenerMetadata", NULL };
	json_object *v;
	size_t mark, i, n;
	int ret;

	ret = expect_type(l, root, json_type_object, l->oci ? "an object" :
			  "a JSON object at the top level");
	if (ret < 0)
		return ret;
	ret = check_keys(l, root, l->oci ? oci_known : known);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(root, "defaultAction", NULL)) {
		ret = get_action(l, root, "defaultAction", "defaultErrnoRet", &p->default_action);
		if (ret < 0)
			return ret;
		p->has |= POLICY_HAS_DEFAULT_ACTION;
	} else if (json_object_object_get_ex(root, "defaultErrnoRet", NULL)) {
		mark = path_push_key(l, "defaultErrnoRet");
		ret = fail(l, "given without \"defaultAction\"");
		path_pop(l, mark);
		return ret;
	}

	if (json_object_object_get_ex(root, "architectures", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		char **names = NULL;
		size_t n_names = 0;

		if (json_object_object_get_ex(root, "archMap", NULL))
			return fail(l, "both \"architectures\" and \"archMap\" given");
		mark = path_push_key(l, "architectures");
		ret = get_string_array(l, v, true, check_arch, &names, &n_names);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->arches = calloc(n_names ? n_names : 1, sizeof(*p->arches));
		if (!p->arches) {
			free_strv(names, n_names);
			return fail(l, "out of memory");
		}
		for (i = 0; i < n_names; i++)
			p->arches[i] = arch_token(names[i]);
		p->n_arches = n_names;
		free_strv(names, n_names);
		p->has |= POLICY_HAS_ARCHES;
	} else if (json_object_object_get_ex(root, "archMap", &v) &&
		   !json_object_is_type(v, json_type_null)) {
		mark = path_push_key(l, "archMap");
		ret = parse_arch_map(l, v, p);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->has |= POLICY_HAS_ARCHES;
	}

	if (json_object_object_get_ex(root, "flags", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		char **flags = NULL;
		size_t n_flags = 0, j;

		mark = path_push_key(l, "flags");
		ret = get_string_array(l, v, true, check_filter_flag, &flags, &n_flags);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		for (i = 0; i < n_flags; i++)
			for (j = 0; j < ARRAY_SIZE(filter_flags); j++)
				if (!strcmp(flags[i], filter_flags[j].name))
					p->load_flags |= filter_flags[j].flag;
		free_strv(flags, n_flags);
		p->has |= POLICY_HAS_FLAGS;
	}

	for (i = 0; i < 2; i++) {
		const char *key = i ? "listenerMetadata" : "listenerPath";

		if (json_object_object_get_ex(root, key, &v)) {
			mark = path_push_key(l, key);
			ret = expect_type(l, v, json_type_string, "a string");
			path_pop(l, mark);
			if (ret < 0)
				return ret;
		}
	}

	if (json_object_object_get_ex(root, "syscalls", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		mark = path_push_key(l, "syscalls");
		ret = expect_type(l, v, json_type_array, "an array");
		n = ret < 0 ? 0 : json_object_array_length(v);
		if (ret == 0 && n) {
			p->rules = calloc(n, sizeof(*p->rules));
			if (!p->rules)
				ret = fail(l, "out of memory");
		}
		for (i = 0; ret == 0 && i < n; i++) {
			size_t m2 = path_push_index(l, i);

			ret = parse_rule(l, json_object_array_get_idx(v, i), &p->rules[i]);
			path_pop(l, m2);
			p->n_rules++;
		}
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	if (json_object_object_get_ex(root, "redirect", &v)) {
		mark = path_push_key(l, "redirect");
		ret = parse_redirect(l, v, p);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- layers: extends / include ------------------------------------------------------ */

#define MOVE(dst, src) do { (dst) = (src); (src) = 0; } while (0)

static void free_files(struct redirect_policy *p)
{
	size_t i;

	for (i = 0; i < p->n_files; i++) {
		free(p->files[i].path);
		free(p->files[i].target);
	}
	free(p->files);
	p->files = NULL;
	p->n_files = 0;
}

static void free_trules(struct policy_trule *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free_strv(t[i].names, t[i].n_names);
		free(t[i].where);
	}
	free(t);
}

/* Drop from acc's syscalls[] every name that layer's syscalls[] names. */
static void drop_overridden_names(struct redirect_policy *acc, const struct redirect_policy *layer)
{
	size_t i, j, k, m, out;

	for (i = 0; i < acc->n_rules; i++) {
		struct policy_rule *r = &acc->rules[i];

		for (j = 0, out = 0; j < r->n_names; j++) {
			bool named = false;

			for (k = 0; k < layer->n_rules && !named; k++)
				for (m = 0; m < layer->rules[k].n_names && !named; m++)
					named = !strcmp(layer->rules[k].names[m], r->names[j]);
			if (named)
				free(r->names[j]);
			else
				r->names[out++] = r->names[j];
		}
		r->n_names = out;
	}
}

/* Apply layer on top of acc; layer is emptied.  Returns 0 or -ENOMEM. */
static int merge_layer(struct redirect_policy *acc, struct redirect_policy *layer)
{
	size_t i;

	if (layer->has & POLICY_HAS_DEFAULT_ACTION)
		acc->default_action = layer->default_action;
	if (layer->has & POLICY_HAS_ARCHES) {
		free(acc->arches);
		MOVE(acc->arches, layer->arches);
		MOVE(acc->n_arches, layer->n_arches);
	}
	if (layer->has & POLICY_HAS_FLAGS)
		acc->load_flags = layer->load_flags;
	if (layer->has & POLICY_HAS_CAPS) {
		free_strv(acc->caps, acc->n_caps);
		MOVE(acc->caps, layer->caps);
		MOVE(acc->n_caps, layer->n_caps);
	}
	if (layer->has & POLICY_HAS_DEFAULT_ANSWER)
		acc->default_verdict = layer->default_verdict;
	if (layer->has & POLICY_HAS_UNAME) {
		for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
			free(acc->uname[i]);
			MOVE(acc->uname[i], layer->uname[i]);
		}
		acc->has_uname = true;
	}
	if (layer->has & POLICY_HAS_FILES) {
		free_files(acc);
		MOVE(acc->files, layer->files);
		MOVE(acc->n_files, layer->n_files);
	}
	if (layer->has & POLICY_HAS_CONNECT) {
		free(acc->connect);
		MOVE(acc->connect, layer->connect);
		MOVE(acc->n_connect, layer->n_connect);
		acc->connect_default_allow = layer->connect_default_allow;
		acc->connect_unix_allow = layer->connect_unix_allow;
		acc->connect_deny_errno = layer->connect_deny_errno;
	}
	if (layer->has & POLICY_HAS_SYSINFO) {
		acc->sysinfo_memory = layer->sysinfo_memory;
		acc->sysinfo_uptime = layer->sysinfo_uptime;
	}
	if (layer->has & POLICY_HAS_MOUNT) {
		free_strv(acc->mount_fs, acc->n_mount_fs);
		free_strv(acc->mount_targets, acc->n_mount_targets);
		MOVE(acc->mount_fs, layer->mount_fs);
		MOVE(acc->n_mount_fs, layer->n_mount_fs);
		MOVE(acc->mount_targets, layer->mount_targets);
		MOVE(acc->n_mount_targets, layer->n_mount_targets);
		acc->mount_bind = layer->mount_bind;
	}
	acc->has |= layer->has;

	/* syscalls[]: the layer's names override, its rules come after */
	if (layer->n_rules) {
		struct policy_rule *r;

		drop_overridden_names(acc, layer);
		r = realloc(acc->rules, (acc->n_rules + layer->n_rules) * sizeof(*r));
		if (!r)
			return -ENOMEM;
		memcpy(r + acc->n_rules, layer->rules, layer->n_rules * sizeof(*r));
		acc->rules = r;
		acc->n_rules += layer->n_rules;
		free(layer->rules);
		layer->rules = NULL;
		layer->n_rules = 0;
	}
	for (i = 0; i < layer->n_extra_notify; i++)
		if (strv_add_unique(&acc->extra_notify, &acc->n_extra_notify,
				    layer->extra_notify[i]) < 0)
			return -ENOMEM;
	/* tier-1 rules: the layer's first, so they win the first match */
	if (layer->n_trules) {
		struct policy_trule *t = malloc((acc->n_trules + layer->n_trules) * sizeof(*t));

		if (!t)
			return -ENOMEM;
		memcpy(t, layer->trules, layer->n_trules * sizeof(*t));
		if (acc->n_trules)
			memcpy(t + layer->n_trules, acc->trules, acc->n_trules * sizeof(*t));
		free(acc->trules);
		acc->trules = t;
		acc->n_trules += layer->n_trules;
		if (acc->n_trules > REDIRECT_RULES_MAX)
			return -E2BIG;
		free(layer->trules);
		layer->trules = NULL;
		layer->n_trules = 0;
	}
	return 0;
}

static bool has_file_action(const struct redirect_policy *p, enum redirect_file_action a)
{
	size_t i;

	for (i = 0; i < p->n_files; i++)
		if (p->files[i].action == a)
			return true;
	return false;
}

static bool has_hidden_files(const struct redirect_policy *p)
{
	return has_file_action(p, REDIRECT_FILE_HIDDEN);
}

static int add_calls(struct redirect_policy *p, const char *const *calls)
{
	for (; *calls; calls++)
		if (strv_add_unique(&p->sentry_calls, &p->n_sentry_calls, *calls) < 0)
			return -ENOMEM;
	return 0;
}

static bool in_calls(const char *const *calls, const char *name)
{
	for (; *calls; calls++)
		if (!strcmp(*calls, name))
			return true;
	return false;
}

/* A Sentry handler performs @name itself under this policy: it never continues. */
static bool sentry_performs(const struct redirect_policy *p, const char *name)
{
	return (p->has_uname && !strcmp(name, "uname")) ||
	       ((p->has & POLICY_HAS_FILES) && in_calls(policy_files_calls, name)) ||
	       ((p->has & POLICY_HAS_CONNECT) && in_calls(policy_connect_calls, name)) ||
	       ((p->has & POLICY_HAS_MOUNT) && in_calls(policy_mount_calls, name)) ||
	       ((p->has & POLICY_HAS_SYSINFO) && in_calls(policy_sysinfo_calls, name));
}

/*
 * A string rule decides on the target's memory. A call it does not match
 * (or forwards) reaches the Sentry; were the answer CONTINUE, the kernel
 * would read the string again, after the target may have changed it, and
 * the rule would have decided nothing. So each call a string rule names
 * needs a handler that performs it or a Sentry default that is not
 * "continue".
 */
static int check_string_rules(struct loader *l, const struct redirect_policy *p)
{
	size_t i, j;

	if (p->default_verdict.kind != REDIRECT_ANSWER_CONTINUE)
		return 0;
	for (i = 0; i < p->n_trules; i++) {
		const struct policy_trule *t = &p->trules[i];

		if (t->tmpl.str_match == REDIRECT_STR_NONE)
			continue;
		for (j = 0; j < t->n_names; j++)
			if (!sentry_performs(p, t->names[j]))
				return redirect_make_error(l->err, EINVAL,
					"%s: a string rule on \"%s\" with sentry.default "
					"\"continue\": a call the rule does not match would "
					"continue, and the kernel would read the string again "
					"(the target may have changed it). Give the Sentry a "
					"handler for it (e.g. \"files\" rules) or a default "
					"errno", t->where, t->names[j]);
	}
	return 0;
}

/* After the last layer: the notified set. */
static int finalize_policy(struct loader *l, struct redirect_policy *p)
{
	size_t i, j;

	if (!(p->has & POLICY_HAS_DEFAULT_ACTION))
		return fail(l, "missing \"defaultAction\"");
	if (check_string_rules(l, p) < 0)
		return -EINVAL;
	free_strv(p->sentry_calls, p->n_sentry_calls);
	free_strv(p->notify, p->n_notify);
	p->sentry_calls = p->notify = NULL;
	p->n_sentry_calls = p->n_notify = 0;
	/* the handlers' calls, redirect.notify, the tier-1 rules' calls */
	if (p->has_uname && strv_add_unique(&p->sentry_calls, &p->n_sentry_calls, "uname") < 0)
		goto oom;
	if ((p->has & POLICY_HAS_FILES) && add_calls(p, policy_files_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_FILES) && has_hidden_files(p) && add_calls(p, policy_dents_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_FILES) && (has_hidden_files(p) ||
	    has_file_action(p, REDIRECT_FILE_REMAP)) && add_calls(p, policy_cwd_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_CONNECT) && add_calls(p, policy_connect_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_MOUNT) && add_calls(p, policy_mount_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_SYSINFO) && add_calls(p, policy_sysinfo_calls) < 0)
		goto oom;
	for (i = 0; i < p->n_extra_notify; i++)
		if (strv_add_unique(&p->sentry_calls, &p->n_sentry_calls, p->extra_notify[i]) < 0)
			goto oom;
	for (i = 0; i < p->n_trules; i++)
		for (j = 0; j < p->trules[i].n_names; j++)
			if (strv_add_unique(&p->sentry_calls, &p->n_sentry_calls,
					    p->trules[i].names[j]) < 0)
				goto oom;
	/* then the profile's own NOTIFY rules */
	for (i = 0; i < p->n_sentry_calls; i++)
		if (strv_add_unique(&p->notify, &p->n_notify, p->sentry_calls[i]) < 0)
			goto oom;
	for (i = 0; i < p->n_rules; i++) {
		if (p->rules[i].action != SCMP_ACT_NOTIFY)
			continue;
		for (j = 0; j < p->rules[i].n_names; j++)
			if (strv_add_unique(&p->notify, &p->n_notify, p->rules[i].names[j]) < 0)
				goto oom;
	}
	return 0;
oom:
	return fail(l, "out of memory");
}

void redirect_policy_free(struct redirect_policy *p)
{
	size_t i;

	if (!p)
		return;
	free(p->name);
	free(p->arches);
	for (i = 0; i < p->n_rules; i++)
		free_rule(&p->rules[i]);
	free(p->rules);
	free_strv(p->caps, p->n_caps);
	free_strv(p->extra_notify, p->n_extra_notify);
	free_trules(p->trules, p->n_trules);
	free_strv(p->sentry_calls, p->n_sentry_calls);
	free_strv(p->notify, p->n_notify);
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++)
		free(p->uname[i]);
	free_files(p);
	free(p->connect);
	free_strv(p->mount_fs, p->n_mount_fs);
	free_strv(p->mount_targets, p->n_mount_targets);
	free(p);
}

static void offset_to_line_col(const char *buf, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static char *name_from_origin(const char *origin)
{
	const char *base = strrchr(origin, '/');
	size_t len;

	base = base ? base + 1 : origin;
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".json"))
		len -= 5;
	return strndup(base, len);
}

/* Parse a JSON document strictly: one value, nothing after it. */
static int parse_json(const char *buf, size_t len, size_t max, const char *origin,
		      json_object **rootp, struct redirect_error **err)
{
	enum json_tokener_error jerr;
	json_tokener *tok;
	json_object *root;
	const char *nul;
	size_t off, line, col;

	if (len > max)
		return redirect_make_error(err, EFBIG, "%s: larger than %zu bytes", origin, max);
	nul = memchr(buf, '\0', len);
	if (nul) {
		offset_to_line_col(buf, (size_t)(nul - buf), &line, &col);
		return redirect_make_error(err, EINVAL, "%s:%zu:%zu: NUL byte in the document",
					   origin, line, col);
	}
	tok = json_tokener_new();
	if (!tok)
		return redirect_make_error(err, ENOMEM, "%s: out of memory", origin);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		json_object_put(root);
		offset_to_line_col(buf, off, &line, &col);
		if (jerr == json_tokener_continue || jerr == json_tokener_success)
			return redirect_make_error(err, EINVAL,
						   "%s:%zu:%zu: JSON: unexpected end of input",
						   origin, line, col);
		return redirect_make_error(err, EINVAL, "%s:%zu:%zu: JSON: %s", origin, line, col,
					   json_tokener_error_desc(jerr));
	}
	for (; off < len; off++) {
		char c = buf[off];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			json_object_put(root);
			offset_to_line_col(buf, off, &line, &col);
			return redirect_make_error(err, EINVAL,
						   "%s:%zu:%zu: JSON: data after the document",
						   origin, line, col);
		}
	}
	*rootp = root;
	return 0;
}

int redirect_json_parse(const char *buf, size_t len, size_t max, const char *origin,
			struct json_object **rootp, struct redirect_error **err)
{
	return parse_json(buf, len, max, origin, rootp, err);
}

/* Read a whole regular file (never blocking on a FIFO); *bufp is malloc()ed. */
int redirect_read_file(const char *path, size_t max, char **bufp, size_t *lenp, dev_t *dev,
		       ino_t *ino, struct redirect_error **err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	struct stat st;
	size_t done = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return redirect_make_error_errno(err, errno, "cannot open %s", path);
	if (fstat(fd, &st) < 0)
		return redirect_make_error_errno(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return redirect_make_error(err, EINVAL, "%s: not a regular file", path);
	if ((uint64_t)st.st_size > max)
		return redirect_make_error(err, EFBIG, "%s: larger than %zu bytes", path, max);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return redirect_make_error(err, ENOMEM, "%s: out of memory", path);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return redirect_make_error_errno(err, errno, "reading %s", path);
		if (n == 0)
			break;
		done += (size_t)n;
	}
	buf[done] = '\0';
	if (dev)
		*dev = st.st_dev;
	if (ino)
		*ino = st.st_ino;
	*lenp = done;
	*bufp = steal_pointer(&buf);
	return 0;
}

static int load_layered(const char *buf, size_t len, const char *origin,
			const struct load_chain *chain, struct redirect_policy **policyp,
			struct redirect_error **err);

/* Resolve a path named by extends / include against the including file's directory. */
static char *resolve_base(const char *origin, const char *name)
{
	cleanup_free char *copy = NULL;
	char *out;

	if (name[0] == '/' || !strchr(origin, '/'))
		return strdup(name);
	copy = strdup(origin);
	if (!copy)
		return NULL;
	if (asprintf(&out, "%s/%s", dirname(copy), name) < 0)
		return NULL;
	return out;
}

static int load_base(struct loader *l, const char *name, const struct load_chain *chain,
		     struct redirect_policy **basep)
{
	cleanup_free char *path = resolve_base(l->origin, name);
	cleanup_free char *buf = NULL;
	struct load_chain link;
	const struct load_chain *c;
	size_t len;
	int ret;

	if (!path)
		return fail(l, "out of memory");
	if (chain->depth + 1 > REDIRECT_POLICY_MAX_DEPTH)
		return fail(l, "\"%s\": more than %d levels of extends / include", name,
			    REDIRECT_POLICY_MAX_DEPTH);
	ret = redirect_read_file(path, REDIRECT_POLICY_MAX_SIZE, &buf, &len, &link.dev, &link.ino,
				 l->err);
	if (ret < 0)
		return redirect_error_prefix(l->err, ret, "%s: %s", l->origin, l->path);
	for (c = chain; c; c = c->parent)
		if (c->ino == link.ino && c->dev == link.dev && (c->ino || c->dev))
			return fail(l, "\"%s\" includes itself (a cycle)", name);
	link.parent = chain;
	link.depth = chain->depth + 1;
	ret = load_layered(buf, len, path, &link, basep, l->err);
	if (ret < 0)
		return redirect_error_prefix(l->err, ret, "%s: %s", l->origin, l->path);
	return 0;
}

/* The bases a document names, in order: extends, then include[]. */
static int load_bases(struct loader *l, json_object *root, const struct load_chain *chain,
		      struct redirect_policy *acc)
{
	json_object *v;
	size_t i, n, mark;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return 0;
	if (json_object_object_get_ex(root, "extends", &v)) {
		struct redirect_policy *base = NULL;
		const char *name;

		mark = path_push_key(l, "extends");
		ret = get_string(l, v, PATH_MAX - 1, &name);
		if (ret == 0)
			ret = load_base(l, name, chain, &base);
		if (ret == 0 && merge_layer(acc, base) < 0)
			ret = fail(l, "out of memory or too many rules");
		redirect_policy_free(base);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (!json_object_object_get_ex(root, "include", &v))
		return 0;
	mark = path_push_key(l, "include");
	ret = expect_type(l, v, json_type_array, "an array");
	n = ret < 0 ? 0 : json_object_array_length(v);
	for (i = 0; ret == 0 && i < n; i++) {
		struct redirect_policy *base = NULL;
		size_t m2 = path_push_index(l, i);
		const char *name;

		ret = get_string(l, json_object_array_get_idx(v, i), PATH_MAX - 1, &name);
		if (ret == 0)
			ret = load_base(l, name, chain, &base);
		if (ret == 0 && merge_layer(acc, base) < 0)
			ret = fail(l, "out of memory or too many rules");
		redirect_policy_free(base);
		path_pop(l, m2);
	}
	path_pop(l, mark);
	return ret;
}

static struct redirect_policy *policy_new(void)
{
	struct redirect_policy *p = calloc(1, sizeof(*p));

	if (p) {
		p->default_verdict.kind = REDIRECT_ANSWER_ERRNO;
		p->default_verdict.errnum = ENOSYS;
	}
	return p;
}

/* One file and its bases, merged; not finalized. */
static int load_layered(const char *buf, size_t len, const char *origin,
			const struct load_chain *chain, struct redirect_policy **policyp,
			struct redirect_error **err)
{
	struct loader l = { .origin = origin, .err = err };
	struct redirect_policy *acc = NULL, *layer = NULL;
	json_object *root = NULL;
	int ret;

	ret = parse_json(buf, len, REDIRECT_POLICY_MAX_SIZE, origin, &root, err);
	if (ret < 0)
		return ret;
	acc = policy_new();
	layer = policy_new();
	if (!acc || !layer) {
		ret = redirect_make_error(err, ENOMEM, "%s: out of memory", origin);
		goto out;
	}
	ret = load_bases(&l, root, chain, acc);
	if (ret == 0)
		ret = parse_policy(&l, root, layer);
	if (ret == 0 && merge_layer(acc, layer) < 0)
		ret = fail(&l, "out of memory or more than %d tier-1 rules", REDIRECT_RULES_MAX);
	if (ret == 0) {
		*policyp = acc;
		acc = NULL;
	}
out:
	json_object_put(root);
	redirect_policy_free(layer);
	redirect_policy_free(acc);
	return ret;
}

static int load_top(const char *buf, size_t len, const char *origin, dev_t dev, ino_t ino,
		    struct redirect_policy **policyp, struct redirect_error **err)
{
	struct load_chain chain = { .dev = dev, .ino = ino };
	struct loader l = { .origin = origin, .err = err };
	struct redirect_policy *p = NULL;
	int ret;

	ret = load_layered(buf, len, origin, &chain, &p, err);
	if (ret < 0)
		return ret;
	ret = finalize_policy(&l, p);
	if (ret == 0) {
		p->name = name_from_origin(origin);
		if (!p->name)
			ret = redirect_make_error(err, ENOMEM, "%s: out of memory", origin);
	}
	if (ret < 0) {
		redirect_policy_free(p);
		return ret;
	}
	*policyp = p;
	return 0;
}

int redirect_policy_load_buffer(const char *buf, size_t len, const char *origin,
				struct redirect_policy **policyp, struct redirect_error **err)
{
	return load_top(buf, len, origin ? origin : "policy", 0, 0, policyp, err);
}

int redirect_policy_load_file(const char *path, struct redirect_policy **policyp,
			      struct redirect_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len;
	dev_t dev;
	ino_t ino;
	int ret;

	ret = redirect_read_file(path, REDIRECT_POLICY_MAX_SIZE, &buf, &len, &dev, &ino, err);
	if (ret < 0) {
		if (ret != -EINVAL && ret != -EFBIG)
			redirect_error_prefix(err, ret, "policy");
		return ret;
	}
	return load_top(buf, len, path, dev, ino, policyp, err);
}

int policy_parse_oci_section(struct json_object *obj, const char *origin, const char *path,
			     struct redirect_policy **policyp, struct redirect_error **err)
{
	struct loader l = { .origin = origin, .err = err, .oci = true };
	struct redirect_policy *p = policy_new();
	int ret;

	if (!p)
		return redirect_make_error(err, ENOMEM, "%s: out of memory", origin);
	path_push_key(&l, path);
	ret = parse_policy(&l, obj, p);
	if (ret == 0)
		ret = finalize_policy(&l, p);
	if (ret == 0) {
		p->name = strdup("oci");
		if (!p->name)
			ret = fail(&l, "out of memory");
	}
	if (ret < 0) {
		redirect_policy_free(p);
		return ret;
	}
	*policyp = p;
	return 0;
}

bool redirect_policy_name_valid(const char *name)
{
	size_t i;

	if (!name || !name[0] || name[0] == '.' || strlen(name) > 128)
		return false;
	for (i = 0; name[i]; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return !strstr(name, "..");
}

const char *redirect_policy_name(const struct redirect_policy *p)
{
	return p->name;
}

bool redirect_policy_has_uname(const struct redirect_policy *p)
{
	return p->has_uname;
}

const char *redirect_policy_uname(const struct redirect_policy *p, enum redirect_uname_field f)
{
	if ((unsigned int)f >= REDIRECT_UNAME_NR_FIELDS)
		return NULL;
	return p->uname[f];
}

void redirect_policy_default_verdict(const struct redirect_policy *p, struct redirect_answer *v)
{
	*v = p->default_verdict;
}

size_t redirect_policy_notify_count(const struct redirect_policy *p)
{
	return p->n_notify;
}

const char *redirect_policy_notify_name(const struct redirect_policy *p, size_t i)
{
	return i < p->n_notify ? p->notify[i] : NULL;
}

const char *redirect_verdict_format(const struct redirect_answer *v, char *buf, size_t size)
{
	const char *name;

	if (v->kind == REDIRECT_ANSWER_CONTINUE) {
		snprintf(buf, size, "continue");
		return buf;
	}
	name = redirect_errno_name(v->errnum);
	if (name)
		snprintf(buf, size, "errno:%s", name);
	else
		snprintf(buf, size, "errno:%d", v->errnum);
	return buf;
}

int redirect_policy_set_capabilities(struct redirect_policy *p, const char *const *caps,
				     size_t n, struct redirect_error **err)
{
	struct loader l = { .origin = p->name, .err = err };
	char **v = NULL;
	size_t nv = 0, i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = check_cap(&l, caps[i]);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < n; i++) {
		if (strv_add_unique(&v, &nv, caps[i]) < 0) {
			free_strv(v, nv);
			return redirect_make_error(err, ENOMEM, "out of memory");
		}
	}
	free_strv(p->caps, p->n_caps);
	p->caps = v;
	p->n_caps = nv;
	return 0;
}

/* ---- Sentry handler settings -------------------------------------------------------- */

bool redirect_policy_has_files(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_FILES;
}

/* Is path at or below prefix (both normalised)?  Returns the prefix length used. */
static size_t path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1)	/* "/" */
		return 1;
	if (strncmp(path, prefix, n) || (path[n] != '/' && path[n] != '\0'))
		return 0;
	return n;
}

int redirect_policy_file_lookup(const struct redirect_policy *p, const char *path,
				enum redirect_file_action *action, char *remapped, size_t size)
{
	const struct policy_file_rule *best = NULL;
	size_t best_len = 0, i;

	if (!path || !path_is_normal(path))
		return -EINVAL;
	for (i = 0; i < p->n_files; i++) {
		size_t n = path_under(path, p->files[i].path);

		if (n > best_len) {
			best = &p->files[i];
			best_len = n;
		}
	}
	if (!best)
		return 0;
	*action = best->action;
	if (best->action == REDIRECT_FILE_REMAP && remapped) {
		int n = snprintf(remapped, size, "%s%s", best->target, path + best_len);

		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
	}
	return 1;
}

bool redirect_policy_has_connect(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_CONNECT;
}

static bool prefix_matches(const unsigned char *a, const unsigned char *b, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return false;
	return !rest || !((a[full] ^ b[full]) & (0xff00 >> rest));
}

int redirect_policy_connect_check(const struct redirect_policy *p, const struct sockaddr *sa,
				  socklen_t len)
{
	unsigned char addr[16];
	uint16_t port;
	int family;
	size_t i;

	if (!sa || len < sizeof(sa_family_t))
		return -EINVAL;
	family = sa->sa_family;
	if (family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		if (len < sizeof(*in))
			return -EINVAL;
		memcpy(addr, &in->sin_addr, 4);
		port = ntohs(in->sin_port);
	} else if (family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (len < sizeof(*in6))
			return -EINVAL;
		port = ntohs(in6->sin6_port);
		/* ::ffff:a.b.c.d reaches a.b.c.d: the IPv4 rules decide */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			family = AF_INET;
			memcpy(addr, &in6->sin6_addr.s6_addr[12], 4);
		} else {
			memcpy(addr, &in6->sin6_addr, 16);
		}
	} else {
		return -EAFNOSUPPORT;
	}
	for (i = 0; i < p->n_connect; i++) {
		const struct policy_connect_rule *r = &p->connect[i];

		if (r->family != AF_UNSPEC &&
		    (r->family != family || !prefix_matches(addr, r->addr, r->prefix_len)))
			continue;
		if (port < r->port_min || port > r->port_max)
			continue;
		return r->allow;
	}
	return p->connect_default_allow;
}

int redirect_policy_connect_deny_errno(const struct redirect_policy *p)
{
	return p->connect_deny_errno > 0 ? p->connect_deny_errno : EACCES;
}

bool redirect_policy_connect_default_allowed(const struct redirect_policy *p)
{
	return p->connect_default_allow;
}

bool redirect_policy_connect_unix_allowed(const struct redirect_policy *p)
{
	return p->connect_unix_allow;
}

bool redirect_policy_has_sysinfo(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_SYSINFO;
}

enum redirect_sysinfo_memory redirect_policy_sysinfo_memory(const struct redirect_policy *p)
{
	return p->sysinfo_memory;
}

enum redirect_sysinfo_uptime redirect_policy_sysinfo_uptime(const struct redirect_policy *p)
{
	return p->sysinfo_uptime;
}

bool redirect_policy_has_mount(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_MOUNT;
}

int redirect_policy_mount_target_check(const struct redirect_policy *p, const char *target)
{
	size_t i;

	if (!target || !path_is_normal(target))
		return -EINVAL;
	for (i = 0; i < p->n_mount_targets; i++)
		if (path_under(target, p->mount_targets[i]))
			return 1;
	return 0;
}

int redirect_policy_mount_check(const struct redirect_policy *p, const char *fstype,
				const char *target, unsigned long flags)
{
	bool fs_ok = false, target_ok = false;
	size_t i;

	if (!target || !path_is_normal(target))
		return -EINVAL;
	for (i = 0; i < p->n_mount_targets; i++)
		if (path_under(target, p->mount_targets[i]))
			target_ok = true;
	if (flags & MS_BIND)
		fs_ok = p->mount_bind;
	else
		for (i = 0; fstype && i < p->n_mount_fs; i++)
			if (!strcmp(fstype, p->mount_fs[i]))
				fs_ok = true;
	return fs_ok && target_ok;
}

/* ---- includes / excludes ----------------------------------------------------------- */

static const char *native_goarch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__arm__)
	return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	return "unknown";
#endif
}

static bool kernel_at_least(unsigned int major, unsigned int minor)
{
	struct utsname u;
	unsigned int kmaj, kmin;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &kmaj, &kmin) != 2)
		return false;
	return kmaj > major || (kmaj == major && kmin >= minor);
}

static bool strv_contains(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static bool has_cap(const struct redirect_policy *p, const char *cap)
{
	return strv_contains(p->caps, p->n_caps, cap);
}

/* Docker's semantics: includes.caps all held, excludes.caps any held. */
bool policy_rule_applies(const struct redirect_policy *p, const struct policy_rule *r)
{
	const char *arch = native_goarch();
	size_t i;

	if (r->excludes.n_arches && strv_contains(r->excludes.arches, r->excludes.n_arches, arch))
		return false;
	for (i = 0; i < r->excludes.n_caps; i++)
		if (has_cap(p, r->excludes.caps[i]))
			return false;
	if (r->excludes.has_min_kernel &&
	    kernel_at_least(r->excludes.min_major, r->excludes.min_minor))
		return false;
	if (r->includes.n_arches && !strv_contains(r->includes.arches, r->includes.n_arches, arch))
		return false;
	for (i = 0; i < r->includes.n_caps; i++)
		if (!has_cap(p, r->includes.caps[i]))
			return false;
	if (r->includes.has_min_kernel &&
	    !kernel_at_least(r->includes.min_major, r->includes.min_minor))
		return false;
	return true;
}

bool policy_sendto_on_address(const struct redirect_policy *p, uint32_t *rest)
{
	const char *name = "sendto";
	uint32_t action;
	size_t i, j;

	if (!(p->has & POLICY_HAS_CONNECT))
		return false;
	for (i = 0; i < p->n_extra_notify; i++)
		if (!strcmp(p->extra_notify[i], name))
			return false;
	for (i = 0; i < p->n_trules; i++)
		for (j = 0; j < p->trules[i].n_names; j++)
			if (!strcmp(p->trules[i].names[j], name))
				return false;
	action = p->default_action;
	if (action == SCMP_ACT_NOTIFY)
		return false;
	for (i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (!policy_rule_applies(p, r))
			continue;
		for (j = 0; j < r->n_names; j++) {
			if (strcmp(r->names[j], name))
				continue;
			if (r->n_args || r->action == SCMP_ACT_NOTIFY)
				return false;
			action = r->action;
		}
	}
	if (rest)
		*rest = action;
	return true;
}

bool policy_is_sentry_call(const struct redirect_policy *p, int nr)
{
	size_t i;

	for (i = 0; i < p->n_sentry_calls; i++)
		if (seccomp_syscall_resolve_name(p->sentry_calls[i]) == nr)
			return true;
	return false;
}

const char *policy_action_name(uint32_t action)
{
	size_t i;

	/* SCMP_ACT_KILL_THREAD first: "SCMP_ACT_KILL" is its older spelling */
	for (i = 1; i < ARRAY_SIZE(actions); i++)
		if ((actions[i].takes_errno ? (action & ~0xffffU) : action) == actions[i].action)
			return actions[i].name;
	return NULL;
}

const char *policy_op_name(enum scmp_compare op)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(operators); i++)
		if (operators[i].op == op)
			return operators[i].name;
	return NULL;
}

const char *policy_arch_name(uint32_t token)
{
	static const char *const names[] = {
		"X86", "X86_64", "X32", "ARM", "AARCH64", "MIPS", "MIPS64", "MIPS64N32",
		"MIPSEL", "MIPSEL64", "MIPSEL64N32", "PPC", "PPC64", "PPC64LE", "S390",
		"S390X", "PARISC", "PARISC64", "RISCV64",
	};
	static char buf[ARRAY_SIZE(names)][32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char lower[32];
		size_t j;

		for (j = 0; names[i][j] && j < sizeof(lower) - 1; j++)
			lower[j] = (char)(names[i][j] >= 'A' && names[i][j] <= 'Z' ?
					  names[i][j] + 32 : names[i][j]);
		lower[j] = '\0';
		if (seccomp_arch_resolve_name(lower) == token) {
			snprintf(buf[i], sizeof(buf[i]), "SCMP_ARCH_%s", names[i]);
			return buf[i];
		}
	}
	return NULL;
}
