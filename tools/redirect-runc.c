// SPDX-License-Identifier: GPL-2.0
/* redirect-runc: an OCI runtime in runc's (or crun's) place; hands the bundle's seccomp to usersentry. */
#include <ctype.h>
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

/* exit status when redirect-runc itself refuses, before the runtime runs */
#define EXIT_WRAPPER 125

struct opts {
	const char *runtime;		/* NULL: runc in PATH */
	const char *policy_dir;
	const char *socket;
	const char *default_policy;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: redirect-runc [REDIRECT OPTIONS] [RUNTIME GLOBAL OPTIONS] COMMAND [ARGS...]\n"
		"An OCI runtime used in runc's place: every command and option goes to the\n"
		"runtime (runc, or crun) unchanged; 'create' and 'run' first rewrite the\n"
		"bundle's linux.seccomp from a redirect policy (merged with the bundle's own\n"
		"profile) so that usersentry answers the container's notified system calls.\n"
		"\n"
		"  --runtime-binary PATH       the real runtime, runc or crun (env REDIRECT_RUNTIME;\n"
		"                              default: runc in PATH)\n"
		"  --redirect-policy-dir DIR   policies, DIR/NAME.json (env REDIRECT_POLICY_DIR;\n"
		"                              default " REDIRECT_POLICY_DIR ")\n"
		"  --redirect-socket PATH      usersentry's agent socket (env REDIRECT_SOCKET;\n"
		"                              default " DEFAULT_SOCKET ")\n"
		"  --redirect-policy NAME      policy without a " ANNOT_POLICY " annotation\n"
		"                              (env REDIRECT_POLICY; default " DEFAULT_POLICY ")\n"
		"  --redirect-help             this text\n"
		"(--redirect-runc PATH and REDIRECT_RUNC: older spellings of --runtime-binary.)\n"
		"\n"
		"Defaults may also be set in " DEFAULT_CONFIG " (env REDIRECT_RUNC_CONFIG):\n"
		"\"key = value\" lines with the keys runtime, policy-dir, socket, policy.\n"
		"\n"
		"See redirect-runc(1). Exit status: the runtime's, or %d when redirect-runc\n"
		"refused (the bundle is then left as it was and no container is started).\n",
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

/* ---- the command line ------------------------------------------------------------------ */

/*
 * Only what redirect-runc needs is read from the runtime's command line: the
 * global --root, the command, and for create and run the bundle and the
 * container id.  Everything else is passed on as it is, known or not.  To
 * tell an option's value from the command or the container id, the options
 * of runc (1.0 to 1.2) and crun that take a value are listed; an option
 * not listed is taken as one without a value, unless written --name=value.
 * Both parsers' forms are read: --name value, --name=value, -n value,
 * -n=value (runc), -nvalue and clusters of short options (crun).
 */
static const char *const global_valued[] = {
	"log", "log-format", "log-level", "root", "criu", "rootless", "cgroup-manager",
};

static const char *const create_valued[] = {
	"bundle", "b", "console-socket", "console", "pid-file", "preserve-fds", "pidfd-socket",
	"config", "f",
};

static const char *const global_flags[] = {
	"debug", "systemd-cgroup", "help", "h", "?", "usage", "version", "v", "V",
};

static const char *const create_flags[] = {
	"detach", "d", "keep", "no-pivot", "no-new-keyring", "no-subreaper", "help", "h", "?",
	"usage",
};

/* every command of runc and crun: what follows an unlisted global option */
static const char *const commands[] = {
	"checkpoint", "create", "delete", "events", "exec", "features", "help", "h", "kill",
	"list", "pause", "ps", "restore", "resume", "run", "spec", "start", "state", "update",
	"mounts",
};

struct cmdline {
	char **argv;			/* for the runtime: ours taken out */
	int argc;
	const char *root;		/* global --root, NULL: the runtime's default */
	const char *command;		/* NULL: none (--version, --help) */
	bool help;			/* --help or -h for the command */
	const char *bundle;		/* create and run: --bundle, or "." */
	const char *id;			/* create and run: NULL when unknown options hide it */
};

static bool in_list(const char *const *list, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncmp(list[i], name, len))
			return true;
	return false;
}

/*
 * One option at args[*i]: its name (without dashes, up to '='), its value
 * when it has one (after '=', or the next argument, which is then consumed).
 * In a cluster of short options (-db DIR) the first letter that takes a
 * value takes the rest of the word, or the next argument.
 */
struct option {
	const char *name;
	size_t len;
	const char *value;		/* NULL: none */
};

/* -EINVAL when the value is missing */
static int read_option(char **args, int n, int *i, const char *const *valued, size_t n_valued,
		       struct option *opt)
{
	const char *arg = args[*i], *name, *eq;
	bool is_long = arg[1] == '-';

	name = arg + (is_long ? 2 : 1);
	eq = strchr(name, '=');
	opt->name = name;
	opt->len = eq ? (size_t)(eq - name) : strlen(name);
	opt->value = eq ? eq + 1 : NULL;
	if (!is_long && !eq && opt->len > 1 && !in_list(valued, n_valued, name, opt->len)) {
		size_t k;

		for (k = 0; k < opt->len && !in_list(valued, n_valued, name + k, 1); k++)
			if (!isalnum((unsigned char)name[k]))
				return 0;	/* Go's -long-name */
		if (k == opt->len)
			return 0;	/* letters without values, or Go's -name */
		opt->name = name + k;
		opt->len = 1;
		if (name[k + 1]) {
			opt->value = name + k + 1;
			return 0;
		}
	}
	if (opt->value || !in_list(valued, n_valued, opt->name, opt->len))
		return 0;
	if (*i + 1 >= n)
		return -EINVAL;
	opt->value = args[++*i];
	return 0;
}

static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] && strcmp(arg, "--");
}

static bool option_is(const struct option *o, const char *name)
{
	return strlen(name) == o->len && !strncmp(o->name, name, o->len);
}

/* create / run: the bundle and the container id, in args (what follows the command) */
static int read_create_args(char **args, int n, struct cmdline *c, struct redirect_error **err)
{
	int i, positional = 0;
	bool unknown = false;

	c->bundle = ".";
	for (i = 0; i < n; i++) {
		struct option o;
		bool known;

		if (!strcmp(args[i], "--")) {
			positional += n - i - 1;
			if (!c->id && i + 1 < n)
				c->id = args[i + 1];
			break;
		}
		if (!is_option(args[i])) {
			positional++;
			c->id = c->id ? c->id : args[i];
			continue;
		}
		if (read_option(args, n, &i, create_valued, ARRAY_SIZE(create_valued), &o) < 0)
			return fail(err, EINVAL, "%s %s: needs a value", c->command, args[i]);
		known = in_list(create_valued, ARRAY_SIZE(create_valued), o.name, o.len) ||
			in_list(create_flags, ARRAY_SIZE(create_flags), o.name, o.len);
		/*
		 * crun (argp) takes a unique prefix of a long option: --bun DIR is
		 * its bundle, --conf FILE its config file.
		 */
		if (!known && args[i][1] == '-' && o.len && !strncmp(o.name, "bundle", o.len)) {
			if (!o.value && i + 1 >= n)
				return fail(err, EINVAL, "%s %s: needs a value", c->command, args[i]);
			o = (struct option){ "bundle", 6, o.value ? o.value : args[++i] };
			known = true;
		}
		if (!known && args[i][1] == '-' && o.len >= 4 && !strncmp(o.name, "config", o.len))
			o = (struct option){ "config", 6, o.value };
		if (option_is(&o, "help") || option_is(&o, "h") || option_is(&o, "?") ||
		    option_is(&o, "usage"))
			c->help = true;
		else if (option_is(&o, "bundle") || option_is(&o, "b"))
			c->bundle = o.value;
		else if (option_is(&o, "config") || option_is(&o, "f"))
			/* crun's: another file than the bundle's config.json */
			return fail(err, EINVAL, "%s %s: another config file than the bundle's "
				    "config.json is not supported", c->command, args[i]);
		else if (!known && !o.value)
			unknown = true;
	}
	if (c->help)
		return 0;
	if (!*c->bundle)
		return fail(err, EINVAL, "%s: empty --bundle", c->command);
	/*
	 * One container id.  With more, an option we do not know may have taken
	 * one as its value: the runtime will tell; the bundle is known either way.
	 */
	if (positional != 1 && !(unknown && positional == 2))
		return fail(err, EINVAL, "%s: expected exactly one container id, got %d "
			    "arguments", c->command, positional);
	if (positional != 1)
		c->id = NULL;
	return 0;
}

/*
 * argv: redirect-runc's own options (anywhere before the command) taken out,
 * the runtime's global options up to the command, the command and its
 * arguments.  Own options: --runtime-binary and --redirect-NAME, with the
 * value after '=' or as the next argument.
 */
static int take_own_option(int argc, char **argv, int *i, struct opts *o, bool *help,
			   struct redirect_error **err)
{
	static const char *const names[] = { "runtime-binary", "redirect-runc",
					     "redirect-policy-dir", "redirect-socket",
					     "redirect-policy" };
	const char **slots[] = { &o->runtime, &o->runtime, &o->policy_dir, &o->socket,
				 &o->default_policy };
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg), k;

	if (!strcmp(arg, "redirect-help")) {
		*help = true;
		return 0;
	}
	for (k = 0; k < ARRAY_SIZE(names); k++) {
		if (strlen(names[k]) != len || strncmp(names[k], arg, len))
			continue;
		if (eq) {
			*slots[k] = eq + 1;
		} else {
			if (*i + 1 >= argc)
				return fail(err, EINVAL, "%s needs a value", argv[*i]);
			*slots[k] = argv[++*i];
		}
		if (!**slots[k])
			return fail(err, EINVAL, "--%s: empty value", names[k]);
		return 0;
	}
	return fail(err, EINVAL, "unknown option %s (see --redirect-help)", argv[*i]);
}

static bool own_option(const char *arg)
{
	return !strncmp(arg, "--redirect-", 11) || !strcmp(arg, "--runtime-binary") ||
	       !strncmp(arg, "--runtime-binary=", 17);
}

static int read_cmdline(int argc, char **argv, struct opts *o, bool *own_help, struct cmdline *c,
			struct redirect_error **err)
{
	int i, cmd = -1, ret;

	c->argv = calloc((size_t)argc + 1, sizeof(*c->argv));
	if (!c->argv)
		return fail(err, ENOMEM, "out of memory");
	c->argv[c->argc++] = argv[0];
	for (i = 1; i < argc && cmd < 0; i++) {
		struct option opt;
		int start = i;

		if (own_option(argv[i])) {
			ret = take_own_option(argc, argv, &i, o, own_help, err);
			if (ret < 0)
				return ret;
			continue;
		}
		/* "--" ends the options: the command is what follows */
		if (!strcmp(argv[i], "--")) {
			c->argv[c->argc++] = argv[i];
			cmd = i + 1;
			break;
		}
		if (!is_option(argv[i])) {
			cmd = i;
			break;
		}
		if (read_option(argv, argc, &i, global_valued, ARRAY_SIZE(global_valued), &opt) < 0)
			return fail(err, EINVAL, "%s needs a value", argv[i]);
		if (option_is(&opt, "root"))
			c->root = opt.value;
		/*
		 * An unlisted option followed by what is no command took a value
		 * (a newer runtime's global option): it is passed on with it.
		 */
		else if (!opt.value && !in_list(global_flags, ARRAY_SIZE(global_flags), opt.name,
						opt.len) && i + 1 < argc && !is_option(argv[i + 1]) &&
			 !in_list(commands, ARRAY_SIZE(commands), argv[i + 1], strlen(argv[i + 1])))
			i++;
		for (; start <= i; start++)
			c->argv[c->argc++] = argv[start];
	}
	if (cmd < 0 || cmd >= argc)
		return 0;
	for (i = cmd; i < argc; i++)
		c->argv[c->argc++] = argv[i];
	c->command = argv[cmd];
	if (strcmp(c->command, "create") && strcmp(c->command, "run"))
		return 0;
	return read_create_args(argv + cmd + 1, argc - cmd - 1, c, err);
}

/* ---- files ------------------------------------------------------------------ */

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
	char policy[256];	/* the policy chosen for the container */
	bool notifies;		/* the new config hands calls to usersentry */
	char *out;		/* the new config.json */
};

/* Read config.json; when it is our own rewrite, the original kept beside it. */
static int load_bundle(const char *dir, struct bundle *b, struct redirect_error **err)
{
	struct redirect_oci_config *cur = NULL;
	const char *mark;
	struct stat st;
	char hash[32];
	int ret;

	if (snprintf(b->dir, sizeof(b->dir), "%s", dir) >= (int)sizeof(b->dir) ||
	    snprintf(b->config, sizeof(b->config), "%s/config.json", dir) >=
	    (int)sizeof(b->config) ||
	    snprintf(b->backup, sizeof(b->backup), "%s" BACKUP_SUFFIX, b->config) >=
	    (int)sizeof(b->backup))
		return fail(err, ENAMETOOLONG, "bundle %s: path too long", dir);
	/* never through a symlink: the bundle's own file is rewritten */
	ret = redirect_read_file(b->config, REDIRECT_READ_NOFOLLOW, REDIRECT_OCI_CONFIG_MAX_SIZE,
				 &b->cur, &b->cur_len, &st, err);
	if (ret < 0)
		return ret;
	b->mode = st.st_mode & 07777;
	ret = redirect_oci_config_read(b->cur, b->cur_len, b->config, &cur, err);
	if (ret < 0)
		return ret;
	mark = redirect_oci_config_annotation(cur, ANNOT_REWRITTEN);
	if (!mark) {
		b->orig = b->cur;
		b->orig_len = b->cur_len;
		b->write_backup = true;
		goto out;
	}
	ret = redirect_read_file(b->backup, REDIRECT_READ_NOFOLLOW, REDIRECT_OCI_CONFIG_MAX_SIZE,
				 &b->orig, &b->orig_len, NULL, err);
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
	redirect_oci_config_free(cur);
	return ret;
}

/* The policy named by the bundle's annotation, else the default; its capabilities the bundle's. */
static int choose_policy(const struct opts *o, const struct redirect_oci_config *cfg,
			 struct bundle *b, struct redirect_policy **policyp,
			 struct redirect_error **err)
{
	const char *name = redirect_oci_config_annotation(cfg, ANNOT_POLICY);
	const char **caps;
	char path[PATH_MAX];
	size_t i, n;
	int ret;

	if (!name)
		name = o->default_policy;
	if (!redirect_policy_name_valid(name))
		return fail(err, EINVAL, "%s: policy name \"%s\" is invalid (letters, digits, "
			    "'.', '_', '-'; no '/', no leading '.', no \"..\")", b->config, name);
	if (snprintf(path, sizeof(path), "%s/%s.json", o->policy_dir, name) >= (int)sizeof(path) ||
	    snprintf(b->policy, sizeof(b->policy), "%s", name) >= (int)sizeof(b->policy))
		return fail(err, ENAMETOOLONG, "policy %s: name or path too long", name);
	ret = redirect_policy_load_file(path, policyp, err);
	if (ret == -ENOENT)
		return fail(err, ENOENT, "policy \"%s\" not found: no %s", name, path);
	if (ret < 0)
		return ret;
	/* Docker's includes/excludes.caps: against the container's bounding set */
	n = redirect_oci_config_cap_count(cfg);
	caps = calloc(n + 1, sizeof(*caps));
	if (!caps)
		return fail(err, ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		caps[i] = redirect_oci_config_cap(cfg, i);
	ret = redirect_policy_set_capabilities(*policyp, caps, n, err);
	free(caps);
	return ret;
}

/* The new config.json: the policy merged into the bundle's seccomp (libredirect). */
static int rewrite_bundle(const struct opts *o, struct bundle *b, struct redirect_error **err)
{
	struct redirect_oci_config *cfg = NULL, *check = NULL;
	struct redirect_policy *policy = NULL;
	const char *origin = b->write_backup ? b->config : b->backup;
	char hash[32];
	int ret;

	/* the library validates what it reads (ociVersion, capabilities, seccomp) */
	ret = redirect_oci_config_read(b->orig, b->orig_len, origin, &cfg, err);
	if (ret < 0)
		goto out;
	if (redirect_oci_config_annotation(cfg, ANNOT_REWRITTEN)) {
		ret = fail(err, EINVAL, "%s: the kept original is itself a rewritten config",
			   b->backup);
		goto out;
	}
	ret = choose_policy(o, cfg, b, &policy, err);
	if (ret < 0)
		goto out;
	hash_text(b->orig, b->orig_len, hash);
	ret = redirect_oci_config_set_annotation(cfg, ANNOT_REWRITTEN, hash, err);
	if (ret == 0)
		ret = redirect_oci_config_merge_seccomp(cfg, policy, o->socket, &b->out, err);
	/* what the runtime gets must read back as a valid config with a valid profile */
	if (ret == 0)
		ret = redirect_oci_config_read(b->out, strlen(b->out), "the rewritten config.json",
					       &check, err);
	if (ret == 0)
		b->notifies = redirect_oci_config_listener_path(check) != NULL;
out:
	redirect_oci_config_free(check);
	redirect_oci_config_free(cfg);
	redirect_policy_free(policy);
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

/* ---- the real runtime ---------------------------------------------------------- */

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int find_runtime(const char *want, char *out, size_t size, struct redirect_error **err)
{
	const char *path = getenv("PATH"), *p, *end;

	if (want) {
		if (!strchr(want, '/'))
			return fail(err, EINVAL, "runtime %s: give a path (with '/')", want);
		if (access(want, X_OK) < 0)
			return fail(err, errno, "runtime %s: %s", want, strerror(errno));
		if (same_file(want, "/proc/self/exe"))
			return fail(err, ELOOP, "runtime %s is redirect-runc itself", want);
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
		    "REDIRECT_RUNTIME or --runtime-binary");
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/*
 * The configuration file, for runtimes that pass no options (containerd):
 * "key = value" lines, '#' comments; keys runtime (or runc), policy-dir, socket, policy.
 * A missing file is no error; anything malformed in it is.
 */
static int read_config_file(const char *path, bool must_exist, struct opts *o,
			    struct redirect_error **err)
{
	static const char *const keys[] = { "runtime", "runc", "policy-dir", "socket", "policy" };
	const char **slots[] = { &o->runtime, &o->runtime, &o->policy_dir, &o->socket,
				 &o->default_policy };
	char *buf, *line, *save = NULL;
	size_t len, k;
	int ret;

	ret = redirect_read_file(path, 0, REDIRECT_OCI_CONFIG_MAX_SIZE, &buf, &len, NULL, err);
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
			ret = fail(err, EINVAL, "%s: unknown key \"%s\" (runtime, policy-dir, socket, "
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
	struct cmdline c = { 0 };
	struct bundle b = { 0 };
	char runtime[PATH_MAX];
	bool help = false;

	/* precedence: our options, then the environment, then the file */
	if (read_config_file(config && *config ? config : DEFAULT_CONFIG, config && *config, &o,
			     &e) < 0)
		goto fail;
	o.runtime = env_or("REDIRECT_RUNTIME", env_or("REDIRECT_RUNC", o.runtime));
	o.policy_dir = env_or("REDIRECT_POLICY_DIR", o.policy_dir);
	o.socket = env_or("REDIRECT_SOCKET", o.socket);
	o.default_policy = env_or("REDIRECT_POLICY", o.default_policy);
	if (read_cmdline(argc, argv, &o, &help, &c, &e) < 0)
		goto fail;
	if (help) {
		usage(stdout);
		return 0;
	}
	if (find_runtime(o.runtime, runtime, sizeof(runtime), &e) < 0)
		goto fail;
	if (c.command && (!strcmp(c.command, "create") || !strcmp(c.command, "run")) && !c.help) {
		if (load_bundle(c.bundle, &b, &e) < 0 || rewrite_bundle(&o, &b, &e) < 0)
			goto fail;
		/*
		 * Here the policy is chosen (b.policy) and the new config.json is
		 * ready (b.out); nothing is written yet and the runtime has not run.
		 * Checks that may still refuse the container belong here.
		 */
		if (b.notifies && check_daemon(o.socket, &e) < 0)
			goto fail;
		if (b.notifies && check_policy(o.socket, b.policy, &e) < 0)
			goto fail;
		if (commit_bundle(&b, &e) < 0)
			goto fail;
	}
	c.argv[0] = runtime;
	execv(runtime, c.argv);
	fprintf(stderr, "redirect-runc: exec %s: %s\n", runtime, strerror(errno));
	return EXIT_WRAPPER;
fail:
	fprintf(stderr, "redirect-runc: %s\n", e ? e->msg : "failed");
	redirect_error_free(e);
	return EXIT_WRAPPER;
}
