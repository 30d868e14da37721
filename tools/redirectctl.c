// SPDX-License-Identifier: GPL-2.0
/* redirectctl: inspect and steer redirect (module, sandboxes, stats, trace, rules, policies). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/audit.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "libredirect.h"

#define DEFAULT_SOCKET REDIRECT_AGENT_SOCKET
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes, documented in --help and redirectctl(8). */
#define EXIT_OK 0
#define EXIT_FAILED 1		/* the operation failed */
#define EXIT_USAGE 2		/* bad command line */
#define EXIT_UNAVAILABLE 3	/* redirect.ko not loaded, or usersentry not running */

/* Kernel stats slot that collects calls with no per-number slot (kmod/stats.h). */
#define STATS_OTHER_NR 511
#define METRICS_TIMEOUT_MS 5000
#define CONTROL_TIMEOUT_MS 10000
/* trace gives up after this many failed reads in a row */
#define TRACE_MAX_ERRORS 10

static const char *const stat_names[REDIRECT_STAT_COUNT] = {
	[REDIRECT_STAT_NOTIFIED] = "notified",	 [REDIRECT_STAT_ERRNO] = "errno",
	[REDIRECT_STAT_VALUE] = "value",	 [REDIRECT_STAT_KILL] = "kill",
	[REDIRECT_STAT_FORWARDED] = "forwarded", [REDIRECT_STAT_FALLBACK] = "fallback",
	[REDIRECT_STAT_RACED] = "raced",	 [REDIRECT_STAT_REPLAYED] = "replayed",
};

static const char *const feature_names[] = { "attach", "fastpath", "broker", "custody",
					     "netlink" };

static const char *const cmp_names[] = {
	[REDIRECT_CMP_EQ] = "EQ", [REDIRECT_CMP_NE] = "NE", [REDIRECT_CMP_LT] = "LT",
	[REDIRECT_CMP_LE] = "LE", [REDIRECT_CMP_GT] = "GT", [REDIRECT_CMP_GE] = "GE",
};

static const char *const cmp_symbols[] = {
	[REDIRECT_CMP_EQ] = "==", [REDIRECT_CMP_NE] = "!=", [REDIRECT_CMP_LT] = "<",
	[REDIRECT_CMP_LE] = "<=", [REDIRECT_CMP_GT] = ">", [REDIRECT_CMP_GE] = ">=",
};

static const char *prog = "redirectctl";

static void __attribute__((format(printf, 1, 2))) msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the command table -------------------------------------------------------------- */

struct command {
	const char *name;
	int (*run)(const struct command *cmd, int argc, char **argv);
	const char *synopsis;
	const char *summary;
	const char *options;
};

static int usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s %s%s--help'.\n", prog, cmd ? cmd->name : "", cmd ? " " : "");
	return EXIT_USAGE;
}

static void command_help(const struct command *cmd, FILE *f)
{
	fprintf(f, "Usage: %s %s %s\n%s\n", prog, cmd->name, cmd->synopsis, cmd->summary);
	if (cmd->options && *cmd->options)
		fprintf(f, "\n%s", cmd->options);
	fprintf(f, "\nExit status: 0 ok, 1 operation failed, 2 usage error,\n"
		   "3 redirect.ko not loaded or usersentry not running.\n");
}

/*
 * Options common to the commands; each command accepts the subset named in
 * its `accept` string (short option letters).
 */
struct opts {
	bool json;
	const char *socket;
	const char *control;	/* NULL: the one beside socket */
	const char *metrics;
	long count;		/* trace: stop after this many events; 0: no limit */
	double timeout;		/* trace: stop after this many seconds; 0: no limit */
	bool pfc;
	bool strict;		/* policy check: unknown profile keys are errors */
	int nargs;
	char **args;
};

static bool parse_number(const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > max)
		return false;
	*out = v;
	return true;
}

/* Returns -1 to go on, else an exit code (help printed, or a usage error). */
static int parse_opts(const struct command *cmd, const char *accept, int argc, char **argv,
		      int min_args, int max_args, struct opts *o)
{
	enum { OPT_PFC = 256, OPT_STRICT };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'C' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "pfc", no_argument, NULL, OPT_PFC },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("REDIRECT_SOCKET");
	double v;
	int opt, idx;

	memset(o, 0, sizeof(*o));
	o->socket = env && *env ? env : DEFAULT_SOCKET;
	env = getenv("REDIRECT_CONTROL");
	o->control = env && *env ? env : NULL;
	env = getenv("REDIRECT_METRICS");
	o->metrics = env && *env ? env : NULL;
	optind = 0;	/* GNU getopt: start over for this command's argv */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":js:C:m:c:t:h", longopts, &idx)) != -1) {
		const char *name = opt == '?' || opt == ':' ? argv[optind - 1] : NULL;

		if (opt == 'h')
			return command_help(cmd, stdout), EXIT_OK;
		if (opt == '?')
			return usage_error(cmd, "unknown option '%s'", name);
		if (opt == ':')
			return usage_error(cmd, "option '%s' needs a value", name);
		if (!strchr(accept, opt == OPT_PFC ? 'P' : opt == OPT_STRICT ? 'S' : opt)) {
			const struct option *lo = longopts;

			while (lo->name && lo->val != opt)
				lo++;
			return usage_error(cmd, "%s takes no option --%s", cmd->name, lo->name);
		}
		switch (opt) {
		case 'j':
			o->json = true;
			break;
		case 's':
			if (!*optarg || strlen(optarg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
				return usage_error(cmd, "--socket: path empty or too long");
			o->socket = optarg;
			break;
		case 'C':
			if (!*optarg || strlen(optarg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
				return usage_error(cmd, "--control: path empty or too long");
			o->control = optarg;
			break;
		case 'm':
			if (!*optarg || strlen(optarg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
				return usage_error(cmd, "--metrics: path empty or too long");
			o->metrics = optarg;
			break;
		case 'c':
			if (!parse_number(optarg, 1e9, &v) || v < 1 || v != (long)v)
				return usage_error(cmd, "--count: '%s' is not a whole number "
						   "from 1 to 1000000000", optarg);
			o->count = (long)v;
			break;
		case 't':
			if (!parse_number(optarg, 86400 * 365, &v) || v <= 0)
				return usage_error(cmd, "--timeout: '%s' is not a number of "
						   "seconds above 0", optarg);
			o->timeout = v;
			break;
		case OPT_PFC:
			o->pfc = true;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		}
	}
	o->nargs = argc - optind;
	o->args = argv + optind;
	if (o->nargs < min_args)
		return usage_error(cmd, "%s: missing argument (%s)", cmd->name, cmd->synopsis);
	if (o->nargs > max_args)
		return usage_error(cmd, "%s: unexpected argument '%s'", cmd->name,
				   o->args[max_args]);
	return -1;
}

/* ---- helpers ------------------------------------------------------------------------ */

static int fail(struct redirect_error *e, int ret, const char *what)
{
	/* the family resolves for anybody; reading wants CAP_NET_ADMIN, changing CAP_SYS_ADMIN */
	const char *hint = ret == -EPERM ? " (the control plane needs CAP_NET_ADMIN, and "
					   "CAP_SYS_ADMIN to change rules: run as root)" : "";

	if (e)
		msg("%s%s", e->msg, hint);
	else
		msg("%s: %s%s", what, strerror(-ret), hint);
	redirect_error_free(e);
	return EXIT_FAILED;
}

/* The control plane, or the documented exit code when there is none. */
static int open_ctl(const char *what, struct redirect_ctl **ctl)
{
	struct redirect_error *e = NULL;
	int ret = redirect_ctl_open(ctl, &e);

	if (ret == -ENOENT) {
		msg("redirect.ko is not loaded; '%s' needs the module's control plane "
		    "(portable mode has none; see '%s status')", what, prog);
		redirect_error_free(e);
		return EXIT_UNAVAILABLE;
	}
	if (ret == -EPERM || ret == -EACCES) {
		msg("%s: permission denied: the control plane needs CAP_NET_ADMIN "
		    "(run as root)", what);
		redirect_error_free(e);
		return EXIT_FAILED;
	}
	if (ret < 0)
		return fail(e, ret, what);
	return EXIT_OK;
}

/* Same checks as the module applies to names (REDIRECT_IOC_ATTACH). */
static bool valid_sandbox_name(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= REDIRECT_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._:-", s[i])))
			return false;
	return true;
}

static bool parse_id(const char *s, uint32_t *id)
{
	unsigned long long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v == 0 || v > UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

/* Digits are an id, anything else a name: usage error (-1 ok) before any request. */
static int check_sandbox_arg(const struct command *cmd, const char *arg, uint32_t *id)
{
	uint32_t tmp;

	if (*arg && strspn(arg, "0123456789") == strlen(arg)) {
		if (!parse_id(arg, id ? id : &tmp))
			return usage_error(cmd, "sandbox id '%s' out of range (1 to %u)", arg,
					   UINT32_MAX);
		return -1;
	}
	if (!valid_sandbox_name(arg))
		return usage_error(cmd, "'%s' is neither a sandbox id nor a sandbox name "
				   "(1 to %d letters, digits, '.', '_', ':', '-')", arg,
				   REDIRECT_NAME_MAX - 1);
	if (id)
		*id = 0;
	return -1;
}

/*
 * No sandbox has the name: one whose name starts with @arg, as docker takes a
 * unique prefix of a container id; several are an error that lists them.
 */
static int by_prefix(const struct redirect_sandbox_list *all, const char *arg, uint32_t *id)
{
	size_t i, found = 0, len = strlen(arg);
	char names[512] = "";

	for (i = 0; i < redirect_sandbox_list_count(all); i++) {
		const struct redirect_sandbox_info *s = redirect_sandbox_list_get(all, i);

		if (strncmp(redirect_sandbox_info_name(s), arg, len))
			continue;
		if (!found++)
			*id = redirect_sandbox_info_id(s);
		if (strlen(names) < sizeof(names) - 80)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s (%u)",
				 found > 1 ? ", " : "", redirect_sandbox_info_name(s),
				 redirect_sandbox_info_id(s));
		else if (!strstr(names, ", ..."))
			strcat(names, ", ...");
	}
	if (!found) {
		msg("no sandbox named '%s' or with a name starting with it (see '%s sandboxes')",
		    arg, prog);
		return EXIT_FAILED;
	}
	if (found > 1) {
		msg("'%s' is ambiguous: %zu sandboxes' names start with it: %s", arg, found,
		    names);
		return EXIT_FAILED;
	}
	return -1;
}

/*
 * A sandbox named by id (digits) or by name.  Returns -1 with *info set (the
 * caller frees it), else an exit code.
 */
static int find_sandbox(const struct command *cmd, struct redirect_ctl *ctl, const char *arg,
			struct redirect_sandbox_info **info)
{
	struct redirect_sandbox_list *all = NULL;
	struct redirect_error *e = NULL;
	size_t i, found = 0;
	char ids[128] = "";
	uint32_t id;
	int ret;

	ret = check_sandbox_arg(cmd, arg, &id);
	if (ret >= 0)
		return ret;
	if (!id) {
		ret = redirect_ctl_sandboxes(ctl, &all, &e);
		if (ret < 0)
			return fail(e, ret, "listing sandboxes");
		for (i = 0; i < redirect_sandbox_list_count(all); i++) {
			const struct redirect_sandbox_info *s = redirect_sandbox_list_get(all, i);

			if (strcmp(redirect_sandbox_info_name(s), arg))
				continue;
			if (!found++)
				id = redirect_sandbox_info_id(s);
			if (strlen(ids) < sizeof(ids) - 16)
				snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%u",
					 found > 1 ? ", " : "", redirect_sandbox_info_id(s));
		}
		ret = found ? -1 : by_prefix(all, arg, &id);
		redirect_sandbox_list_free(all);
		if (ret >= 0)
			return ret;
		if (found > 1) {
			msg("%zu sandboxes are named '%s' (ids %s): name one by its id", found, arg,
			    ids);
			return EXIT_FAILED;
		}
	}
	ret = redirect_ctl_sandbox(ctl, id, info, &e);
	if (ret == -ENOENT) {
		redirect_error_free(e);
		msg("no sandbox with id %u (see '%s sandboxes')", id, prog);
		return EXIT_FAILED;
	}
	return ret < 0 ? fail(e, ret, "sandbox") : -1;
}

static const char *syscall_name(uint32_t nr, char *buf, size_t size)
{
	if (!redirect_syscall_name(AUDIT_ARCH_X86_64, (int)nr, buf, size)) {
		if (nr == STATS_OTHER_NR)
			snprintf(buf, size, "other");
		else
			snprintf(buf, size, "syscall_%u", nr);
	}
	return buf;
}

static const char *fail_mode_name(uint32_t mode)
{
	switch (mode) {
	case REDIRECT_FAIL_HOLD:
		return "hold";
	case REDIRECT_FAIL_KILL:
		return "kill";
	}
	return "unknown";
}

static const char *errno_name(int64_t e, char *buf, size_t size)
{
	const char *name = e > 0 && e < 4096 ? strerrorname_np((int)e) : NULL;

	if (name)
		return name;
	snprintf(buf, size, "%lld", (long long)e);
	return buf;
}

/* "errno:EACCES", "value:42", "kill", "forward": the policy's spelling. */
static const char *verdict_text(uint32_t verdict, int64_t value, char *buf, size_t size)
{
	char tmp[32];

	switch (verdict) {
	case REDIRECT_VERDICT_FORWARD:
		return "forward";
	case REDIRECT_VERDICT_ERRNO:
		snprintf(buf, size, "errno:%s", errno_name(value, tmp, sizeof(tmp)));
		return buf;
	case REDIRECT_VERDICT_VALUE:
		snprintf(buf, size, "value:%lld", (long long)value);
		return buf;
	case REDIRECT_VERDICT_KILL:
		return "kill";
	}
	snprintf(buf, size, "verdict:%u", verdict);
	return buf;
}

/*
 * Latency percentile from the histogram: the exclusive upper bound of the
 * bucket the p-th call falls in, in microseconds; 0 when nothing was
 * measured, UINT64_MAX for the open-ended last bucket.
 */
static uint64_t hist_percentile(const struct redirect_counters *c, double p)
{
	uint64_t total = 0, cum = 0, rank;
	unsigned int b;

	for (b = 0; b < REDIRECT_HIST_BUCKETS; b++)
		total += redirect_counters_hist(c, b);
	if (!total)
		return 0;
	rank = (uint64_t)(p * (double)total);
	if ((double)rank < p * (double)total || !rank)
		rank++;
	for (b = 0; b < REDIRECT_HIST_BUCKETS; b++) {
		cum += redirect_counters_hist(c, b);
		if (cum >= rank)
			break;
	}
	return b >= REDIRECT_HIST_BUCKETS - 1 ? UINT64_MAX : 1ULL << b;
}

static const char *latency_text(uint64_t us, char *buf, size_t size)
{
	if (!us)
		return "-";
	if (us == UINT64_MAX) {
		snprintf(buf, size, ">=%gms", (double)(1ULL << (REDIRECT_HIST_BUCKETS - 2)) / 1000);
		return buf;
	}
	if (us >= 1000)
		snprintf(buf, size, "<%gms", (double)us / 1000);
	else
		snprintf(buf, size, "<%lluus", (unsigned long long)us);
	return buf;
}

static const double percentiles[] = { 0.50, 0.90, 0.99, 1.0 };
static const char *const percentile_names[] = { "p50", "p90", "p99", "max" };

static struct json_object *latency_json(const struct redirect_counters *c)
{
	struct json_object *o = json_object_new_object(), *h = json_object_new_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(percentiles); i++) {
		uint64_t us = hist_percentile(c, percentiles[i]);

		/* null: nothing measured, or beyond the last bounded bucket */
		json_object_object_add(o, percentile_names[i],
				       us && us != UINT64_MAX ? json_object_new_int64((int64_t)us)
							      : NULL);
	}
	for (i = 0; i < REDIRECT_HIST_BUCKETS; i++) {
		uint64_t calls = redirect_counters_hist(c, (unsigned int)i);

		json_object_array_add(h, json_object_new_int64((int64_t)calls));
	}
	json_object_object_add(o, "histogram", h);
	return o;
}

static uint64_t counter(const struct redirect_counters *c, enum redirect_stat k)
{
	return redirect_counters_stat(c, k);
}

static struct json_object *stats_json(const struct redirect_counters *c)
{
	struct json_object *o = json_object_new_object();
	unsigned int k;

	for (k = 0; k < REDIRECT_STAT_COUNT; k++)
		json_object_object_add(o, stat_names[k],
				       json_object_new_int64((int64_t)counter(c, k)));
	return o;
}

static void print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* ---- usersentry: asked on its control socket --------------------------------------- */

static const char *control_path(const struct opts *o, char *buf, size_t size,
				struct redirect_error **err)
{
	if (o->control)
		return o->control;
	return redirect_control_path(o->socket, buf, size, err) < 0 ? NULL : buf;
}

/*
 * One request to usersentry's control socket; *answerp: the answer object
 * (its "ok" true).  -ENOENT / -ECONNREFUSED: not running (daemon_absent).
 */
static int ask_daemon(const struct opts *o, enum redirect_control_op op,
		      struct json_object **answerp, struct redirect_error **err)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *path;
	int ret;

	*answerp = NULL;
	path = control_path(o, buf, sizeof(buf), err);
	if (!path)
		return -ENAMETOOLONG;
	ret = redirect_control_call(path, op, NULL, CONTROL_TIMEOUT_MS, answerp, err);
	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		redirect_error_free(*err);
		*err = NULL;
		return redirect_error_set(err, -ret, "control socket %s: %s%s", path,
					  strerror(-ret), ret == -ENOENT ?
					  ": usersentry is not running" :
					  ": nobody listens (stale socket): usersentry is not running");
	}
	return ret;
}

static int64_t answer_int(struct json_object *a, const char *key)
{
	struct json_object *v;

	return a && json_object_object_get_ex(a, key, &v) ? json_object_get_int64(v) : -1;
}

static const char *answer_str(struct json_object *a, const char *key)
{
	struct json_object *v;

	return a && json_object_object_get_ex(a, key, &v) && v ? json_object_get_string(v) : NULL;
}

static bool daemon_absent(int ret)
{
	return ret == -ENOENT || ret == -ECONNREFUSED;
}

/* The metrics page: its sandbox gauge and the daemon's mode. */
static int read_metrics(const char *path, char *mode, size_t mode_size, long *sandboxes,
			struct redirect_error **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap), *line;
	struct pollfd p;
	int fd, ret = 0;

	if (!buf)
		return redirect_error_set(err, ENOMEM, "out of memory");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = redirect_error_set(err, errno, "metrics socket %s: %s", path,
					 strerror(errno));
		goto out;
	}
	/*
	 * usersentry answers at once and takes any request line as optional: a
	 * request it has not read when it closes would reset the connection.
	 */
	for (;;) {
		ssize_t n;

		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		n = poll(&p, 1, METRICS_TIMEOUT_MS);
		if (n == 0) {
			ret = redirect_error_set(err, ETIMEDOUT, "metrics socket %s: no answer "
						 "within %d s", path, METRICS_TIMEOUT_MS / 1000);
			goto out;
		}
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				ret = redirect_error_set(err, ENOMEM, "out of memory");
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		n = n < 0 ? -1 : read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET && len)
			break;
		if (n < 0) {
			ret = redirect_error_set(err, errno, "metrics socket %s: %s", path,
						 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (strncmp(buf, "HTTP/1.0 200", 12)) {
		ret = redirect_error_set(err, EBADMSG, "metrics socket %s: not an HTTP 200 answer",
					 path);
		goto out;
	}
	ret = redirect_error_set(err, EBADMSG, "metrics socket %s: no usersentry_sandboxes "
				 "line", path);
	for (line = strtok(buf, "\r\n"); line; line = strtok(NULL, "\r\n")) {
		char m[32];
		long v;

		if (sscanf(line, "usersentry_sandboxes{mode=\"%31[a-z]\"} %ld", m, &v) == 2) {
			snprintf(mode, mode_size, "%s", m);
			*sandboxes = v;
			if (err) {
				redirect_error_free(*err);
				*err = NULL;
			}
			ret = 0;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/* ---- status ------------------------------------------------------------------------- */

static int handshake(struct redirect_handshake *hs, struct redirect_error **err)
{
	int fd = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return redirect_error_set(err, errno, "%s: %s", REDIRECT_DEVICE, strerror(errno));
	/* wanting no feature: the answer still lists every supported one */
	memset(hs, 0, sizeof(*hs));
	hs->api_version = REDIRECT_API_VERSION;
	if (ioctl(fd, REDIRECT_IOC_HANDSHAKE, hs) < 0) {
		int e = errno;

		if (e == EPROTONOSUPPORT)
			ret = redirect_error_set(err, e, "%s speaks API version %u, this tool %u",
						 REDIRECT_DEVICE, hs->api_version,
						 REDIRECT_API_VERSION);
		else
			ret = redirect_error_set(err, e, "%s: handshake: %s", REDIRECT_DEVICE,
						 strerror(e));
	}
	close(fd);
	return ret;
}

static int cmd_status(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_list *sbs = NULL;
	struct redirect_error *e = NULL, *de = NULL, *me = NULL, *he = NULL, *ne = NULL;
	struct redirect_handshake hs = { 0 };
	struct redirect_ctl *ctl = NULL;
	struct json_object *j = NULL, *feats, *da = NULL;
	enum redirect_mode machine_mode = REDIRECT_MODE_PORTABLE;
	char version[64] = "", mmode[32] = "", feat_text[128] = "";
	const char *mode;
	bool loaded, hs_ok = false, nl_ok = false, daemon_ok, metrics_ok = false;
	size_t n_sb = 0, owned = 0, i;
	long m_sandboxes = -1;
	struct opts o;
	FILE *f;
	int ret, rc;

	rc = parse_opts(cmd, "jsCm", argc, argv, 0, 0, &o);
	if (rc >= 0)
		return rc;
	loaded = access("/sys/module/redirect", F_OK) == 0;
	f = fopen("/sys/module/redirect/version", "re");
	if (f) {
		if (fgets(version, sizeof(version), f))
			version[strcspn(version, "\n")] = '\0';
		fclose(f);
	}
	ret = redirect_mode_detect(&machine_mode, &e);
	if (ret < 0) {
		msg("%s", e->msg);
		redirect_error_free(e);
		e = NULL;
	}
	if (machine_mode == REDIRECT_MODE_MODULE)
		hs_ok = handshake(&hs, &he) == 0;
	/* only ask netlink when the module is there: a request would load it */
	if (loaded && redirect_ctl_open(&ctl, &ne) == 0) {
		nl_ok = redirect_ctl_sandboxes(ctl, &sbs, &ne) == 0;
		redirect_ctl_close(ctl);
		n_sb = redirect_sandbox_list_count(sbs);
		for (i = 0; i < n_sb; i++)
			owned += redirect_sandbox_info_owned(redirect_sandbox_list_get(sbs, i));
		redirect_sandbox_list_free(sbs);
	}
	ret = ask_daemon(&o, REDIRECT_CONTROL_STATUS, &da, &de);
	daemon_ok = ret == 0;
	/* the metrics socket: asked whether it answers; the daemon's state is the control's */
	if (o.metrics)
		metrics_ok = read_metrics(o.metrics, mmode, sizeof(mmode), &m_sandboxes, &me) == 0;
	/* the daemon's mode is what it runs in; without one, what this machine offers */
	if (daemon_ok && answer_str(da, "mode"))
		mode = answer_str(da, "mode");
	else
		mode = machine_mode == REDIRECT_MODE_MODULE ? "module" : "portable";
	for (i = 0; hs_ok && i < ARRAY_SIZE(feature_names); i++)
		if (hs.supported & (1ULL << i))
			snprintf(feat_text + strlen(feat_text), sizeof(feat_text) - strlen(feat_text),
				 "%s%s", feat_text[0] ? " " : "", feature_names[i]);

	if (o.json) {
		j = json_object_new_object();
		json_object_object_add(j, "module_loaded", json_object_new_boolean(loaded));
		json_object_object_add(j, "module_version",
				       version[0] ? json_object_new_string(version) : NULL);
		json_object_object_add(j, "device", json_object_new_boolean(
					       machine_mode == REDIRECT_MODE_MODULE));
		json_object_object_add(j, "api_version",
				       hs_ok ? json_object_new_int((int)hs.api_version) : NULL);
		json_object_object_add(j, "tool_api_version",
				       json_object_new_int(REDIRECT_API_VERSION));
		feats = json_object_new_array();
		for (i = 0; hs_ok && i < ARRAY_SIZE(feature_names); i++)
			if (hs.supported & (1ULL << i))
				json_object_array_add(feats, json_object_new_string(feature_names[i]));
		json_object_object_add(j, "features", feats);
		json_object_object_add(j, "mode", json_object_new_string(mode));
		json_object_object_add(j, "sandboxes", nl_ok ? json_object_new_int64((int64_t)n_sb) :
				       daemon_ok ? json_object_new_int64(answer_int(da, "sandboxes"))
						 : NULL);
		json_object_object_add(j, "sandboxes_in_custody",
				       nl_ok ? json_object_new_int64((int64_t)(n_sb - owned)) : NULL);
		json_object_object_add(j, "daemon_running", json_object_new_boolean(daemon_ok));
		json_object_object_add(j, "daemon_pid",
				       daemon_ok ? json_object_new_int64(answer_int(da, "pid")) : NULL);
		json_object_object_add(j, "socket", json_object_new_string(o.socket));
		/* the daemon's own status, as its control socket gave it */
		json_object_object_add(j, "daemon", daemon_ok ? json_object_get(da) : NULL);
		json_object_object_add(j, "metrics_answering",
				       o.metrics ? json_object_new_boolean(metrics_ok) : NULL);
		print_json(j);
	} else {
		printf("module:     %s", loaded ? "loaded" : "not loaded");
		if (version[0])
			printf(" (redirect %s)", version);
		if (machine_mode == REDIRECT_MODE_MODULE)
			printf(", %s present", REDIRECT_DEVICE);
		printf("\n");
		if (hs_ok) {
			printf("api:        version %u (this tool: %u)\n", hs.api_version,
			       REDIRECT_API_VERSION);
			printf("features:   %s\n", feat_text);
		} else if (he) {
			printf("api:        unknown: %s\n", he->msg);
		}
		printf("mode:       %s\n", mode);
		if (nl_ok)
			printf("sandboxes:  %zu (%zu owned by a daemon, %zu in custody)\n", n_sb,
			       owned, n_sb - owned);
		else if (daemon_ok)
			printf("sandboxes:  %lld (the daemon's count)\n",
			       (long long)answer_int(da, "sandboxes"));
		else if (ne)
			printf("sandboxes:  unknown: %s\n", ne->msg);
		else
			printf("sandboxes:  unknown (portable mode: the daemon counts them)\n");
		if (daemon_ok) {
			printf("daemon:     usersentry running, pid %lld, socket %s\n",
			       (long long)answer_int(da, "pid"), o.socket);
			printf("reloads:    %lld", (long long)answer_int(da, "reloads"));
			if (answer_int(da, "sandboxes_keeping_handlers") > 0)
				printf("; %lld sandboxes keep their old policy's handlers for calls "
				       "their filter notifies (redirectctl daemon)",
				       (long long)answer_int(da, "sandboxes_keeping_handlers"));
			printf("\n");
		} else {
			printf("daemon:     not running: %s\n", de->msg);
		}
		if (o.metrics)
			printf("metrics:    %s%s\n", metrics_ok ? "answering on " : "",
			       metrics_ok ? o.metrics : me->msg);
	}
	rc = EXIT_OK;
	if (!daemon_ok)
		rc = daemon_absent(ret) ? EXIT_UNAVAILABLE : EXIT_FAILED;
	else if (machine_mode == REDIRECT_MODE_MODULE && !hs_ok)
		rc = EXIT_FAILED;	/* a module this tool cannot talk to */
	else if (o.metrics && !metrics_ok)
		rc = EXIT_FAILED;
	json_object_put(da);
	redirect_error_free(de);
	redirect_error_free(me);
	redirect_error_free(he);
	redirect_error_free(ne);
	return rc;
}

/* ---- sandboxes ---------------------------------------------------------------------- */

static uint64_t fast_path(const struct redirect_counters *c)
{
	return counter(c, REDIRECT_STAT_ERRNO) + counter(c, REDIRECT_STAT_VALUE) +
	       counter(c, REDIRECT_STAT_KILL);
}

static struct json_object *sandbox_json(const struct redirect_sandbox_info *s)
{
	struct json_object *o = json_object_new_object();
	bool owned = redirect_sandbox_info_owned(s);

	json_object_object_add(o, "id", json_object_new_int64(redirect_sandbox_info_id(s)));
	json_object_object_add(o, "name", json_object_new_string(redirect_sandbox_info_name(s)));
	json_object_object_add(o, "state", json_object_new_string(owned ? "owned" : "custody"));
	json_object_object_add(o, "owned", json_object_new_boolean(owned));
	json_object_object_add(o, "fail_mode",
			       json_object_new_string(
				       fail_mode_name(redirect_sandbox_info_fail_mode(s))));
	json_object_object_add(o, "forward_pending",
			       json_object_new_int64(redirect_sandbox_info_forward_pending(s)));
	json_object_object_add(o, "delivered",
			       json_object_new_int64(redirect_sandbox_info_delivered(s)));
	json_object_object_add(o, "replay", json_object_new_int64(redirect_sandbox_info_replay(s)));
	json_object_object_add(o, "rules_generation",
			       json_object_new_int64(
				       (int64_t)redirect_sandbox_info_rules_generation(s)));
	json_object_object_add(o, "stats", stats_json(redirect_sandbox_info_counters(s)));
	json_object_object_add(o, "latency_us", latency_json(redirect_sandbox_info_counters(s)));
	return o;
}

static int cmd_sandboxes(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_list *sbs = NULL;
	struct redirect_error *e = NULL;
	struct redirect_ctl *ctl;
	struct opts o;
	size_t n = 0, i;
	int rc, ret;

	rc = parse_opts(cmd, "j", argc, argv, 0, 0, &o);
	if (rc >= 0)
		return rc;
	rc = open_ctl(cmd->name, &ctl);
	if (rc)
		return rc;
	ret = redirect_ctl_sandboxes(ctl, &sbs, &e);
	redirect_ctl_close(ctl);
	if (ret < 0)
		return fail(e, ret, "listing sandboxes");
	n = redirect_sandbox_list_count(sbs);
	if (o.json) {
		struct json_object *a = json_object_new_array();

		for (i = 0; i < n; i++)
			json_object_array_add(a, sandbox_json(redirect_sandbox_list_get(sbs, i)));
		print_json(a);
	} else {
		printf("%-6s %-31s %-7s %-4s %7s %9s %6s %8s %10s %10s %10s\n", "ID", "NAME",
		       "STATE", "FAIL", "PENDING", "DELIVERED", "REPLAY", "RULESGEN", "NOTIFIED",
		       "FASTPATH", "FORWARDED");
		for (i = 0; i < n; i++) {
			const struct redirect_sandbox_info *s = redirect_sandbox_list_get(sbs, i);
			const struct redirect_counters *c = redirect_sandbox_info_counters(s);

			printf("%-6u %-31s %-7s %-4s %7u %9u %6u %8llu %10llu %10llu %10llu\n",
			       redirect_sandbox_info_id(s), redirect_sandbox_info_name(s),
			       redirect_sandbox_info_owned(s) ? "owned" : "custody",
			       fail_mode_name(redirect_sandbox_info_fail_mode(s)),
			       redirect_sandbox_info_forward_pending(s),
			       redirect_sandbox_info_delivered(s), redirect_sandbox_info_replay(s),
			       (unsigned long long)redirect_sandbox_info_rules_generation(s),
			       (unsigned long long)counter(c, REDIRECT_STAT_NOTIFIED),
			       (unsigned long long)fast_path(c),
			       (unsigned long long)counter(c, REDIRECT_STAT_FORWARDED));
		}
		if (!n)
			printf("(no sandboxes)\n");
	}
	redirect_sandbox_list_free(sbs);
	return EXIT_OK;
}

/* ---- daemon ------------------------------------------------------------------------- */

static int cmd_daemon(const struct command *cmd, int argc, char **argv)
{
	struct redirect_error *e = NULL;
	struct json_object *a = NULL, *list;
	struct opts o;
	size_t i, n;
	int rc, ret;

	rc = parse_opts(cmd, "jsC", argc, argv, 0, 0, &o);
	if (rc >= 0)
		return rc;
	ret = ask_daemon(&o, REDIRECT_CONTROL_SANDBOXES, &a, &e);
	if (ret < 0) {
		msg("daemon: %s", e ? e->msg : strerror(-ret));
		redirect_error_free(e);
		return daemon_absent(ret) ? EXIT_UNAVAILABLE : EXIT_FAILED;
	}
	if (!json_object_object_get_ex(a, "sandboxes", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		msg("daemon: the answer has no sandbox list");
		json_object_put(a);
		return EXIT_FAILED;
	}
	if (o.json) {
		print_json(json_object_get(list));
		json_object_put(a);
		return EXIT_OK;
	}
	n = json_object_array_length(list);
	printf("%-24s %-6s %-8s %-16s %-7s %10s  %s\n", "CONTAINER", "ID", "PID", "POLICY",
	       "ADOPTED", "CALLS", "KEPT HANDLERS");
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(list, i), *v;
		const char *kept = answer_str(s, "kept_handlers"), *pol = answer_str(s, "policy");

		printf("%-24s %-6lld %-8lld %-16s %-7s %10lld  %s\n", answer_str(s, "id"),
		       (long long)answer_int(s, "sandbox_id"), (long long)answer_int(s, "pid"),
		       pol ? pol : "(none)",
		       json_object_object_get_ex(s, "adopted", &v) && json_object_get_boolean(v) ?
		       "yes" : "no", (long long)answer_int(s, "calls"), kept ? kept : "-");
	}
	if (!n)
		printf("(no sandboxes)\n");
	json_object_put(a);
	return EXIT_OK;
}

/* ---- stats -------------------------------------------------------------------------- */

static void stats_row(const char *name, const struct redirect_counters *c)
{
	char l[ARRAY_SIZE(percentiles)][24];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(percentiles); i++)
		latency_text(hist_percentile(c, percentiles[i]), l[i], sizeof(l[i]));
	printf("%-20s %9llu %8llu %8llu %5llu %9llu %8llu %6llu %8llu %8s %8s %8s %8s\n", name,
	       (unsigned long long)counter(c, REDIRECT_STAT_NOTIFIED),
	       (unsigned long long)counter(c, REDIRECT_STAT_ERRNO),
	       (unsigned long long)counter(c, REDIRECT_STAT_VALUE),
	       (unsigned long long)counter(c, REDIRECT_STAT_KILL),
	       (unsigned long long)counter(c, REDIRECT_STAT_FORWARDED),
	       (unsigned long long)counter(c, REDIRECT_STAT_FALLBACK),
	       (unsigned long long)counter(c, REDIRECT_STAT_RACED),
	       (unsigned long long)counter(c, REDIRECT_STAT_REPLAYED),
	       hist_percentile(c, 0.5) ? l[0] : "-", hist_percentile(c, 0.9) ? l[1] : "-",
	       hist_percentile(c, 0.99) ? l[2] : "-", hist_percentile(c, 1) ? l[3] : "-");
}

/* One sandbox's table (or JSON object, added to arr). */
static int stats_one(struct redirect_ctl *ctl, const struct redirect_sandbox_info *s, bool json,
		     struct json_object *arr)
{
	const struct redirect_counters *total = redirect_sandbox_info_counters(s);
	struct redirect_syscall_stats_list *st = NULL;
	struct redirect_error *e = NULL;
	uint32_t id = redirect_sandbox_info_id(s);
	const char *name = redirect_sandbox_info_name(s);
	char nb[64];
	size_t n, i;
	int ret;

	ret = redirect_ctl_stats(ctl, id, &st, &e);
	if (ret < 0)
		return fail(e, ret, "statistics");
	n = redirect_syscall_stats_list_count(st);
	if (json) {
		struct json_object *o = json_object_new_object(), *calls = json_object_new_array();

		json_object_object_add(o, "id", json_object_new_int64(id));
		json_object_object_add(o, "name", json_object_new_string(name));
		for (i = 0; i < n; i++) {
			const struct redirect_syscall_stats *sc =
				redirect_syscall_stats_list_get(st, i);
			uint32_t nr = redirect_syscall_stats_nr(sc);
			struct json_object *c = json_object_new_object();

			json_object_object_add(c, "nr", json_object_new_int64(nr));
			json_object_object_add(c, "name",
					       json_object_new_string(
						       syscall_name(nr, nb, sizeof(nb))));
			json_object_object_add(c, "stats",
					       stats_json(redirect_syscall_stats_counters(sc)));
			json_object_object_add(c, "latency_us",
					       latency_json(redirect_syscall_stats_counters(sc)));
			json_object_array_add(calls, c);
		}
		json_object_object_add(o, "syscalls", calls);
		json_object_object_add(o, "total", stats_json(total));
		json_object_object_add(o, "total_latency_us", latency_json(total));
		json_object_array_add(arr, o);
	} else {
		printf("sandbox %u (%s): %llu calls notified, %llu answered in the kernel, "
		       "%llu forwarded\n",
		       id, name, (unsigned long long)counter(total, REDIRECT_STAT_NOTIFIED),
		       (unsigned long long)fast_path(total),
		       (unsigned long long)counter(total, REDIRECT_STAT_FORWARDED));
		printf("%-20s %9s %8s %8s %5s %9s %8s %6s %8s %8s %8s %8s %8s\n", "SYSCALL",
		       "NOTIFIED", "ERRNO", "VALUE", "KILL", "FORWARDED", "FALLBACK", "RACED",
		       "REPLAYED", "P50", "P90", "P99", "MAX");
		for (i = 0; i < n; i++) {
			const struct redirect_syscall_stats *sc =
				redirect_syscall_stats_list_get(st, i);

			stats_row(syscall_name(redirect_syscall_stats_nr(sc), nb, sizeof(nb)),
				  redirect_syscall_stats_counters(sc));
		}
		stats_row("total", total);
	}
	redirect_syscall_stats_list_free(st);
	return EXIT_OK;
}

static int cmd_stats(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_list *sbs = NULL;
	struct redirect_sandbox_info *one = NULL;
	struct redirect_error *e = NULL;
	struct json_object *arr = NULL;
	struct redirect_ctl *ctl;
	struct opts o;
	size_t n = 0, i;
	int rc, ret;

	rc = parse_opts(cmd, "j", argc, argv, 0, 1, &o);
	if (rc >= 0)
		return rc;
	if (o.nargs && (rc = check_sandbox_arg(cmd, o.args[0], NULL)) >= 0)
		return rc;
	rc = open_ctl(cmd->name, &ctl);
	if (rc)
		return rc;
	if (o.nargs) {
		rc = find_sandbox(cmd, ctl, o.args[0], &one);
		if (rc >= 0)
			goto out;
		n = 1;
	} else {
		ret = redirect_ctl_sandboxes(ctl, &sbs, &e);
		if (ret < 0) {
			rc = fail(e, ret, "listing sandboxes");
			goto out;
		}
		n = redirect_sandbox_list_count(sbs);
	}
	if (o.json)
		arr = json_object_new_array();
	rc = EXIT_OK;
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		if (i && !o.json)
			printf("\n");
		rc = stats_one(ctl, one ? one : redirect_sandbox_list_get(sbs, i), o.json, arr);
	}
	if (arr && rc == EXIT_OK)
		print_json(arr);
	else if (arr)
		json_object_put(arr);
	if (!n && !o.json)
		printf("(no sandboxes)\n");
out:
	redirect_sandbox_info_free(one);
	redirect_sandbox_list_free(sbs);
	redirect_ctl_close(ctl);
	return rc;
}

/* ---- trace -------------------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* Names of sandboxes seen in events, looked up once each. */
struct name_cache {
	uint32_t id;
	char name[REDIRECT_NAME_MAX];
	bool known;
};

static const char *event_sandbox_name(struct redirect_ctl *ctl, struct name_cache **cache,
				      size_t *n, uint32_t id)
{
	struct redirect_sandbox_info *info;
	struct name_cache *c;
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*cache)[i].id == id)
			return (*cache)[i].known ? (*cache)[i].name : NULL;
	c = realloc(*cache, (*n + 1) * sizeof(**cache));
	if (!c)
		return NULL;
	*cache = c;
	c = &c[(*n)++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	/* a sandbox that already ended has no name to show */
	if (redirect_ctl_sandbox(ctl, id, &info, NULL) == 0) {
		snprintf(c->name, sizeof(c->name), "%s", redirect_sandbox_info_name(info));
		redirect_sandbox_info_free(info);
		c->known = true;
	}
	return c->known ? c->name : NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_event(const struct redirect_event *ev, const char *name, bool json)
{
	char nb[64], vb[64], eb[32], ts[32];
	struct timespec rt;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &rt);
	localtime_r(&rt.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "time", json_object_new_double(
					       (double)rt.tv_sec + (double)rt.tv_nsec / 1e9));
		json_object_object_add(o, "sandbox_id", json_object_new_int64(ev->sandbox_id));
		json_object_object_add(o, "sandbox", name ? json_object_new_string(name) : NULL);
		json_object_object_add(o, "pid", json_object_new_int64(ev->pid));
		json_object_object_add(o, "nr", json_object_new_int64(ev->nr));
		json_object_object_add(o, "syscall", json_object_new_string(
					       syscall_name(ev->nr, nb, sizeof(nb))));
		json_object_object_add(o, "action", json_object_new_string(
					       verdict_text(ev->verdict, ev->value, vb, sizeof(vb))));
		json_object_object_add(o, "rule", json_object_new_int64(ev->rule));
		json_object_object_add(o, "dropped", json_object_new_int64((int64_t)ev->dropped));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return;
	}
	if (ev->dropped)
		printf("%s.%06ld --- %llu events dropped by the module's rate limit ---\n", ts,
		       rt.tv_nsec / 1000, (unsigned long long)ev->dropped);
	printf("%s.%06ld [%u %s] pid %u %s(...) = ", ts, rt.tv_nsec / 1000, ev->sandbox_id,
	       name ? name : "?", ev->pid, syscall_name(ev->nr, nb, sizeof(nb)));
	switch (ev->verdict) {
	case REDIRECT_VERDICT_ERRNO:
		printf("-1 %s (%s)", errno_name(ev->value, eb, sizeof(eb)),
		       ev->value > 0 && ev->value < 4096 ? strerror((int)ev->value) : "?");
		break;
	case REDIRECT_VERDICT_VALUE:
		printf("%lld", (long long)ev->value);
		break;
	case REDIRECT_VERDICT_KILL:
		printf("? +++ killed by SIGKILL +++");
		break;
	case REDIRECT_VERDICT_FORWARD:
		printf("? (forwarded to the Sentry)");
		break;
	default:
		printf("? (verdict %u)", ev->verdict);
	}
	printf(" <tier 1, rule %u>\n", ev->rule);
}

static int cmd_trace(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_info *want = NULL;
	struct redirect_error *e = NULL;
	struct name_cache *cache = NULL;
	struct redirect_ctl *ctl;
	struct redirect_event ev;
	const char *filter_name = NULL;
	uint32_t filter_id = 0;
	size_t n_cache = 0;
	struct sigaction sa = { .sa_handler = on_stop };
	double deadline = 0;
	long seen = 0;
	struct opts o;
	int rc, ret, errors = 0;

	rc = parse_opts(cmd, "jct", argc, argv, 0, 1, &o);
	if (rc >= 0)
		return rc;
	if (o.nargs && (rc = check_sandbox_arg(cmd, o.args[0], &filter_id)) >= 0)
		return rc;
	if (o.nargs && !filter_id)
		filter_name = o.args[0];
	rc = open_ctl(cmd->name, &ctl);
	if (rc)
		return rc;
	ret = redirect_ctl_subscribe(ctl, &e);
	if (ret < 0) {
		redirect_ctl_close(ctl);
		return fail(e, ret, "subscribing to events");
	}
	/* an id must exist now; a name may belong to a sandbox still to come */
	if (filter_id && (rc = find_sandbox(cmd, ctl, o.args[0], &want)) >= 0) {
		redirect_ctl_close(ctl);
		return rc;
	}
	redirect_sandbox_info_free(want);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.timeout)
		deadline = now_s() + o.timeout;
	fprintf(stderr, "%s: tracing tier-1 decisions of audited rules%s%s (Ctrl-C to stop)\n",
		prog, o.nargs ? " of sandbox " : "", o.nargs ? o.args[0] : "");
	rc = EXIT_OK;
	while (!stop_signal && (!o.count || seen < o.count)) {
		int slice = 1000;
		const char *name;

		if (deadline) {
			double left = deadline - now_s();

			if (left <= 0)
				break;
			if (left * 1000 < slice)
				slice = (int)(left * 1000) + 1;
		}
		ret = redirect_ctl_next_event(ctl, &ev, slice, &e);
		if (ret == -EINTR) {
			redirect_error_free(e);
			e = NULL;
			continue;
		}
		if (ret < 0) {
			/* a receive-buffer overrun loses events but not the socket */
			if (++errors < TRACE_MAX_ERRORS) {
				msg("trace: %s (events may have been lost)",
				    e ? e->msg : strerror(-ret));
				redirect_error_free(e);
				e = NULL;
				continue;
			}
			rc = fail(e, ret, "reading events");
			e = NULL;
			break;
		}
		errors = 0;
		if (!ret)
			continue;
		if (filter_id && ev.sandbox_id != filter_id)
			continue;
		name = event_sandbox_name(ctl, &cache, &n_cache, ev.sandbox_id);
		if (filter_name && (!name || strcmp(name, filter_name)))
			continue;
		print_event(&ev, name, o.json);
		if (ferror(stdout)) {
			rc = EXIT_FAILED;
			break;
		}
		seen++;
	}
	if (rc == EXIT_OK && o.count && seen < o.count && !stop_signal) {
		msg("trace: timed out after %g s with %ld of %ld events", o.timeout, seen, o.count);
		rc = EXIT_FAILED;
	}
	free(cache);
	redirect_ctl_close(ctl);
	return rc;
}

/* ---- rules -------------------------------------------------------------------------- */

static void c_escape(char *out, size_t size, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			n += (size_t)snprintf(out + n, size - n, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

static const char *cmp_name(uint8_t op, const char *const *names)
{
	return op >= REDIRECT_CMP_EQ && op <= REDIRECT_CMP_GE ? names[op] : "?";
}

/* "arg2 & 0x3 == 0x0, arg1 == \"/etc/shadow\"" */
static const char *rule_match_text(const struct redirect_rule *r, char *buf, size_t size)
{
	char esc[4 * REDIRECT_STR_MAX + 4];
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < r->nr_args && i < REDIRECT_ARGS_MAX && n < size; i++) {
		const struct redirect_arg_cmp *a = &r->args[i];

		n += (size_t)snprintf(buf + n, size - n, "%sarg%u", n ? ", " : "", a->index);
		if (n < size && a->mask != UINT64_MAX)
			n += (size_t)snprintf(buf + n, size - n, " & %#llx",
					      (unsigned long long)a->mask);
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, " %s %#llx",
					      cmp_name(a->op, cmp_symbols),
					      (unsigned long long)a->value);
	}
	if (r->str_match != REDIRECT_STR_NONE && n < size) {
		c_escape(esc, sizeof(esc), r->str, r->str_len < REDIRECT_STR_MAX ? r->str_len : 0);
		n += (size_t)snprintf(buf + n, size - n, "%sarg%u %s \"%s\"", n ? ", " : "",
				      r->str_index,
				      r->str_match == REDIRECT_STR_EXACT ? "==" : "starts with",
				      esc);
	}
	if (!buf[0])
		snprintf(buf, size, "any");
	return buf;
}

static struct json_object *rule_json(const struct redirect_rule_info *ri,
				     const struct redirect_rule *r)
{
	struct json_object *o = json_object_new_object(), *args = json_object_new_array();
	char nb[64], vb[64];
	unsigned int i;

	json_object_object_add(o, "index", json_object_new_int64(redirect_rule_info_index(ri)));
	json_object_object_add(o, "name", json_object_new_string(syscall_name(r->nr, nb,
									    sizeof(nb))));
	json_object_object_add(o, "nr", json_object_new_int64(r->nr));
	json_object_object_add(o, "action", json_object_new_string(
				       verdict_text(r->verdict, r->value, vb, sizeof(vb))));
	for (i = 0; i < r->nr_args && i < REDIRECT_ARGS_MAX; i++) {
		struct json_object *a = json_object_new_object();

		json_object_object_add(a, "index", json_object_new_int(r->args[i].index));
		json_object_object_add(a, "op", json_object_new_string(
					       cmp_name(r->args[i].op, cmp_names)));
		json_object_object_add(a, "mask", json_object_new_uint64(r->args[i].mask));
		json_object_object_add(a, "value", json_object_new_uint64(r->args[i].value));
		json_object_array_add(args, a);
	}
	json_object_object_add(o, "args", args);
	if (r->str_match != REDIRECT_STR_NONE) {
		struct json_object *s = json_object_new_object();
		size_t len = r->str_len < REDIRECT_STR_MAX ? r->str_len : 0;

		json_object_object_add(s, "index", json_object_new_int(r->str_index));
		json_object_object_add(s, r->str_match == REDIRECT_STR_EXACT ? "exact" : "prefix",
				       json_object_new_string_len(r->str, (int)len));
		json_object_object_add(o, "string", s);
	}
	json_object_object_add(o, "limit", json_object_new_uint64(r->limit));
	json_object_object_add(o, "audit", json_object_new_boolean(r->flags & REDIRECT_RULE_AUDIT));
	json_object_object_add(o, "hits", json_object_new_uint64(redirect_rule_info_hits(ri)));
	json_object_object_add(o, "generation",
			       json_object_new_uint64(redirect_rule_info_generation(ri)));
	return o;
}

static int rules_show(const struct command *cmd, int argc, char **argv)
{
	struct redirect_rule_info_list *rules = NULL;
	struct redirect_sandbox_info *sb = NULL;
	struct redirect_error *e = NULL;
	struct redirect_ctl *ctl;
	char nb[64], vb[64], mb[1024], lb[32];
	uint64_t generation;
	struct opts o;
	size_t n = 0, i;
	int rc, ret;

	rc = parse_opts(cmd, "j", argc, argv, 1, 1, &o);
	if (rc < 0)
		rc = check_sandbox_arg(cmd, o.args[0], NULL);
	if (rc >= 0)
		return rc;
	rc = open_ctl("rules show", &ctl);
	if (rc)
		return rc;
	rc = find_sandbox(cmd, ctl, o.args[0], &sb);
	if (rc >= 0)
		goto out;
	ret = redirect_ctl_get_rules(ctl, redirect_sandbox_info_id(sb), &rules, &e);
	if (ret < 0) {
		rc = fail(e, ret, "rules");
		goto out;
	}
	rc = EXIT_OK;
	n = redirect_rule_info_list_count(rules);
	generation = n ? redirect_rule_info_generation(redirect_rule_info_list_get(rules, 0)) :
			 redirect_sandbox_info_rules_generation(sb);
	if (o.json) {
		struct json_object *top = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(top, "id",
				       json_object_new_int64(redirect_sandbox_info_id(sb)));
		json_object_object_add(top, "name",
				       json_object_new_string(redirect_sandbox_info_name(sb)));
		json_object_object_add(top, "generation", json_object_new_uint64(generation));
		for (i = 0; i < n; i++) {
			const struct redirect_rule_info *ri = redirect_rule_info_list_get(rules, i);
			struct redirect_rule r;

			redirect_rule_info_rule(ri, &r, sizeof(r));
			json_object_array_add(a, rule_json(ri, &r));
		}
		json_object_object_add(top, "rules", a);
		print_json(top);
		goto out;
	}
	printf("sandbox %u (%s): %zu tier-1 rule%s, generation %llu\n",
	       redirect_sandbox_info_id(sb), redirect_sandbox_info_name(sb), n, n == 1 ? "" : "s",
	       (unsigned long long)generation);
	if (n)
		printf("%4s  %-16s %-16s %8s %10s %-5s  %s\n", "#", "SYSCALL", "ACTION", "LIMIT",
		       "HITS", "AUDIT", "MATCH");
	for (i = 0; i < n; i++) {
		const struct redirect_rule_info *ri = redirect_rule_info_list_get(rules, i);
		struct redirect_rule rule;
		const struct redirect_rule *r = &rule;

		redirect_rule_info_rule(ri, &rule, sizeof(rule));
		if (r->limit)
			snprintf(lb, sizeof(lb), "%llu", (unsigned long long)r->limit);
		else
			snprintf(lb, sizeof(lb), "-");
		printf("%4u  %-16s %-16s %8s %10llu %-5s  %s\n", redirect_rule_info_index(ri),
		       syscall_name(r->nr, nb, sizeof(nb)),
		       verdict_text(r->verdict, r->value, vb, sizeof(vb)), lb,
		       (unsigned long long)redirect_rule_info_hits(ri),
		       r->flags & REDIRECT_RULE_AUDIT ? "yes" : "no",
		       rule_match_text(r, mb, sizeof(mb)));
	}
out:
	redirect_rule_info_list_free(rules);
	redirect_sandbox_info_free(sb);
	redirect_ctl_close(ctl);
	return rc;
}

static int rules_load(const struct command *cmd, int argc, char **argv)
{
	struct redirect_ruleset *rs = NULL;
	struct redirect_policy *policy = NULL;
	struct redirect_sandbox_info *sb = NULL, *after = NULL;
	struct redirect_error *e = NULL;
	struct redirect_ctl *ctl = NULL;
	struct opts o;
	int rc, ret;

	rc = parse_opts(cmd, "", argc, argv, 2, 2, &o);
	if (rc >= 0)
		return rc;
	rc = check_sandbox_arg(cmd, o.args[0], NULL);
	if (rc >= 0)
		return rc;
	/* the policy first: a bad file is reported whether or not the module is there */
	ret = redirect_policy_load_file(o.args[1], &policy, &e);
	if (ret == 0)
		ret = redirect_ruleset_compile(policy, &rs, &e);
	if (ret < 0) {
		rc = fail(e, ret, o.args[1]);
		goto out;
	}
	rc = open_ctl("rules load", &ctl);
	if (rc)
		goto out;
	rc = find_sandbox(cmd, ctl, o.args[0], &sb);
	if (rc >= 0)
		goto out;
	ret = redirect_ctl_set_rules(ctl, redirect_sandbox_info_id(sb), rs, &e);
	if (ret < 0) {
		rc = fail(e, ret, "setting rules");
		goto out;
	}
	printf("sandbox %u (%s): %zu tier-1 rule%s from %s loaded", redirect_sandbox_info_id(sb),
	       redirect_sandbox_info_name(sb), redirect_ruleset_count(rs),
	       redirect_ruleset_count(rs) == 1 ? "" : "s", o.args[1]);
	if (redirect_ctl_sandbox(ctl, redirect_sandbox_info_id(sb), &after, NULL) == 0 &&
	    redirect_sandbox_info_rules_generation(after))
		printf(", generation %llu",
		       (unsigned long long)redirect_sandbox_info_rules_generation(after));
	printf("\n");
	rc = EXIT_OK;
out:
	redirect_sandbox_info_free(after);
	redirect_sandbox_info_free(sb);
	redirect_ctl_close(ctl);
	redirect_ruleset_free(rs);
	redirect_policy_free(policy);
	return rc;
}

static int rules_clear(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_info *sb = NULL;
	struct redirect_error *e = NULL;
	struct redirect_ctl *ctl;
	struct opts o;
	int rc, ret;

	rc = parse_opts(cmd, "", argc, argv, 1, 1, &o);
	if (rc < 0)
		rc = check_sandbox_arg(cmd, o.args[0], NULL);
	if (rc >= 0)
		return rc;
	rc = open_ctl("rules clear", &ctl);
	if (rc)
		return rc;
	rc = find_sandbox(cmd, ctl, o.args[0], &sb);
	if (rc < 0) {
		ret = redirect_ctl_set_rules(ctl, redirect_sandbox_info_id(sb), NULL, &e);
		if (ret < 0) {
			rc = fail(e, ret, "clearing rules");
		} else {
			printf("sandbox %u (%s): tier-1 rules cleared\n",
			       redirect_sandbox_info_id(sb), redirect_sandbox_info_name(sb));
			rc = EXIT_OK;
		}
	}
	redirect_sandbox_info_free(sb);
	redirect_ctl_close(ctl);
	return rc;
}

static int rules_reload(const struct command *cmd, int argc, char **argv)
{
	struct redirect_error *e = NULL;
	struct json_object *a = NULL;
	struct opts o;
	int rc, ret;

	rc = parse_opts(cmd, "sC", argc, argv, 0, 0, &o);
	if (rc >= 0)
		return rc;
	ret = ask_daemon(&o, REDIRECT_CONTROL_RELOAD, &a, &e);
	if (ret < 0) {
		msg("rules reload: %s", e ? e->msg : strerror(-ret));
		redirect_error_free(e);
		return daemon_absent(ret) ? EXIT_UNAVAILABLE : EXIT_FAILED;
	}
	printf("usersentry (pid %lld) reloaded its policies: %lld sandboxes, %lld replaced, "
	       "%lld kept their policy, %lld keep their old policy's handlers for calls their "
	       "filter notifies\n", (long long)answer_int(a, "pid"),
	       (long long)answer_int(a, "sandboxes"), (long long)answer_int(a, "replaced"),
	       (long long)answer_int(a, "kept"), (long long)answer_int(a, "keeping_handlers"));
	rc = EXIT_OK;
	if (answer_str(a, "default_policy_error")) {
		msg("rules reload: the default policy was kept: %s",
		    answer_str(a, "default_policy_error"));
		rc = EXIT_FAILED;
	}
	json_object_put(a);
	return rc;
}

/* ---- policy check ------------------------------------------------------------------- */

/* The loader's notices (keys it ignores) belong to a check's report. */
static void check_notice(void *ctx, const char *msg)
{
	fprintf(stderr, "redirectctl: notice: %s\n", msg);
}

static int policy_check(const struct command *cmd, int argc, char **argv)
{
	static const char *const fields[] = { "sysname", "nodename", "release", "version",
					      "machine", "domainname" };
	struct redirect_policy *policy = NULL;
	struct redirect_filter *filter = NULL;
	struct redirect_ruleset *rs = NULL;
	struct redirect_error *e = NULL;
	struct redirect_answer answer;
	char vb[64];
	struct opts o;
	size_t i, n;
	int rc, ret;

	rc = parse_opts(cmd, "PS", argc, argv, 1, 1, &o);
	if (rc >= 0)
		return rc;
	redirect_set_notice_fn(check_notice, NULL);
	ret = redirect_policy_load_file_flags(o.args[0], o.strict ? REDIRECT_POLICY_STRICT : 0,
					      &policy, &e);
	if (ret == 0)
		ret = redirect_filter_compile(policy, 0, &filter, &e);
	if (ret == 0)
		ret = redirect_ruleset_compile(policy, &rs, &e);
	if (ret < 0) {
		rc = fail(e, ret, o.args[0]);
		goto out;
	}
	if (o.pfc) {
		fflush(stdout);
		ret = redirect_filter_export_pfc(policy, STDOUT_FILENO, &e);
		rc = ret < 0 ? fail(e, ret, "exporting the filter") : EXIT_OK;
		goto out;
	}
	printf("%s: policy \"%s\" is valid\n", o.args[0], redirect_policy_name(policy));
	printf("tier 0:   %zu cBPF instructions (libseccomp), %s\n",
	       redirect_filter_length(filter),
	       redirect_filter_notifies(filter) ? "notifies" : "never notifies");
	n = redirect_policy_notify_count(policy);
	printf("notified: %zu system call%s%s", n, n == 1 ? "" : "s", n ? ":" : "");
	for (i = 0; i < n; i++)
		printf(" %s", redirect_policy_notify_name(policy, i));
	printf("\n");
	n = redirect_ruleset_count(rs);
	printf("tier 1:   %zu rule%s (one per rule and system call)\n", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		const struct redirect_rule *r = &redirect_ruleset_rules(rs)[i];

		printf("          %zu: %s -> %s\n", i, redirect_ruleset_origin(rs, i),
		       verdict_text(r->verdict, r->value, vb, sizeof(vb)));
	}
	redirect_policy_default_verdict(policy, &answer);
	printf("sentry:   default %s", redirect_verdict_format(&answer, vb, sizeof(vb)));
	printf("; handlers:");
	n = 0;
	if (redirect_policy_has_uname(policy)) {
		printf(" uname(");
		for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
			const char *v = redirect_policy_uname(policy, i);

			if (v)
				printf("%s%s=%s", n++ ? " " : "", fields[i], v);
		}
		printf(")");
		n = 1;
	}
	if (redirect_policy_has_files(policy))
		n++, printf(" files");
	if (redirect_policy_has_connect(policy))
		n++, printf(" connect");
	if (redirect_policy_has_mount(policy))
		n++, printf(" mount");
	if (redirect_policy_has_sysinfo(policy))
		n++, printf(" sysinfo");
	if (redirect_policy_has_views(policy)) {
		size_t k = 0;

		printf(" views(");
		for (i = 0; i < REDIRECT_VIEW_NR; i++)
			if (redirect_policy_view_enabled(policy, i))
				printf("%s%s", k++ ? " " : "", redirect_view_path(i));
		printf(")");
		n++;
	}
	printf("%s\n", n ? "" : " none");
	rc = EXIT_OK;
out:
	redirect_ruleset_free(rs);
	redirect_filter_free(filter);
	redirect_policy_free(policy);
	return rc;
}

/* ---- dispatch ----------------------------------------------------------------------- */

static const struct command rules_commands[] = {
	{ "show", rules_show, "[--json] SANDBOX",
	  "Print a sandbox's tier-1 rules as the module holds them, with hit counts.",
	  "  -j, --json    JSON: {id, name, generation, rules: [...]}\n" },
	{ "load", rules_load, "SANDBOX POLICY-FILE",
	  "Compile a policy file's tier-1 rules (redirect.rules) and set them on a sandbox.\n"
	  "usersentry sets its policy's rules again when it reloads (rules reload).",
	  "" },
	{ "clear", rules_clear, "SANDBOX",
	  "Remove every tier-1 rule of a sandbox: its calls go to the Sentry.", "" },
	{ "reload", rules_reload, "[--socket PATH] [--control PATH]",
	  "Have the running usersentry reload its policies (on its control socket) and\n"
	  "say what it did: it sets each sandbox's tier-1 rules again; a sandbox whose\n"
	  "filter notifies calls the new policy does not keeps the old handlers for them.\n"
	  "Exits 1 when the default policy (--policy) could not be reloaded.",
	  "  -s, --socket PATH   agent socket (default: $REDIRECT_SOCKET or " DEFAULT_SOCKET ")\n"
	  "  -C, --control PATH  its control socket (default: $REDIRECT_CONTROL, else beside\n"
	  "                      the agent socket, see 'redirectctl status --help')\n" },
};

static const struct command policy_commands[] = {
	{ "check", policy_check, "[--pfc] [--strict] POLICY-FILE",
	  "Load and compile a policy as usersentry would: tier 0 through libseccomp, the\n"
	  "tier-1 rules, the Sentry's sections. Works without the module. A key that no\n"
	  "seccomp profile format defines is ignored with a notice, as the engines do.",
	  "      --pfc     print the compiled filter (libseccomp PFC) instead of a summary\n"
	  "      --strict  refuse keys that no seccomp profile format defines\n" },
};

static int run_group(const struct command *group, const struct command *table, size_t n,
		     int argc, char **argv);

static int cmd_rules(const struct command *cmd, int argc, char **argv)
{
	return run_group(cmd, rules_commands, ARRAY_SIZE(rules_commands), argc, argv);
}

static int cmd_policy(const struct command *cmd, int argc, char **argv)
{
	return run_group(cmd, policy_commands, ARRAY_SIZE(policy_commands), argc, argv);
}

static const struct command commands[] = {
	{ "status", cmd_status, "[--json] [--socket PATH] [--control PATH] [--metrics PATH]",
	  "Is redirect.ko loaded, which API version and features does it offer, is\n"
	  "usersentry running (asked on its control socket), in which mode, how many\n"
	  "sandboxes are there, how many reloads it did and how many sandboxes keep\n"
	  "their old policy's handlers for calls their filter notifies.\n"
	  "Exits 0 when usersentry runs, 3 when it does not, 1 when the module is\n"
	  "present but cannot be talked to or the metrics socket does not answer.",
	  "  -j, --json            JSON object (\"daemon\": the control socket's answer)\n"
	  "  -s, --socket PATH     usersentry's agent socket\n"
	  "                        (default: $REDIRECT_SOCKET or " DEFAULT_SOCKET ")\n"
	  "  -C, --control PATH    its control socket (default: $REDIRECT_CONTROL, else\n"
	  "                        " REDIRECT_CONTROL_SOCKET " beside the default socket,\n"
	  "                        or the socket's path + .control)\n"
	  "  -m, --metrics PATH    usersentry's metrics socket (its --metrics): checked to\n"
	  "                        answer (default: $REDIRECT_METRICS, else not asked)\n" },
	{ "sandboxes", cmd_sandboxes, "[--json]",
	  "List the module's sandboxes: id, name, owned or in custody, fail mode, calls\n"
	  "pending, delivered and waiting for replay, rules generation, call counts.",
	  "  -j, --json    JSON array\n" },
	{ "daemon", cmd_daemon, "[--json] [--socket PATH] [--control PATH]",
	  "usersentry's own view, asked on its control socket (works in portable mode\n"
	  "too): each sandbox it serves, with its container id, pid, policy, whether it\n"
	  "was adopted after a restart, calls served, and the calls for which a reload\n"
	  "kept the old policy's handlers (the policy would have changed what the\n"
	  "sandbox's filter notifies).",
	  "  -j, --json            JSON array\n"
	  "  -s, --socket PATH     usersentry's agent socket\n"
	  "                        (default: $REDIRECT_SOCKET or " DEFAULT_SOCKET ")\n"
	  "  -C, --control PATH    its control socket (default: $REDIRECT_CONTROL, else\n"
	  "                        " REDIRECT_CONTROL_SOCKET " beside the default socket,\n"
	  "                        or the socket's path + .control)\n" },
	{ "stats", cmd_stats, "[--json] [SANDBOX]",
	  "Per-syscall counters of one sandbox (id or name), or of each: notifications,\n"
	  "tier-1 verdicts (errno, value, kill), forwards, fallbacks, races, replays, and\n"
	  "the latency of forwarded calls (histogram bucket bounds: under 2^k us).",
	  "  -j, --json    JSON array, one object per sandbox\n" },
	{ "trace", cmd_trace, "[--json] [--count N] [--timeout S] [SANDBOX]",
	  "Print the module's audit events as they happen, one strace-like line each:\n"
	  "tier-1 decisions of rules with \"audit\": true. A SANDBOX given by name matches\n"
	  "while that sandbox exists; one given by id must exist. Stops on SIGINT.",
	  "  -j, --json          one JSON object per line\n"
	  "  -c, --count N       stop after N events (exit 1 if the timeout comes first)\n"
	  "  -t, --timeout S     stop after S seconds\n" },
	{ "rules", cmd_rules, "show|load|clear|reload ...",
	  "Tier-1 rules of sandboxes: show, load from a policy file, clear, or have\n"
	  "usersentry reload its policies. 'redirectctl rules CMD --help' for each.",
	  "" },
	{ "policy", cmd_policy, "check [--pfc] POLICY-FILE",
	  "Check a policy file. 'redirectctl policy check --help'.", "" },
};

static void main_help(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s COMMAND [OPTIONS] [ARGS]\n"
		   "Inspect and steer redirect: the module, its sandboxes, statistics, audit\n"
		   "events, tier-1 rules, and policies.\n\nCommands:\n", prog);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].synopsis);
	fprintf(f, "\n'%s COMMAND --help' describes each. Options: -h, --help; -V, --version.\n"
		   "\nExit status:\n"
		   "  0  success\n"
		   "  1  the operation failed (the message says why)\n"
		   "  2  usage error\n"
		   "  3  redirect.ko is not loaded (portable mode), or usersentry is not running\n",
		prog);
}

static int dispatch(const struct command *table, size_t n, const struct command *parent,
		    int argc, char **argv)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(argv[0], table[i].name))
			return table[i].run(&table[i], argc, argv);
	if (parent)
		return usage_error(parent, "%s: unknown command '%s'", parent->name, argv[0]);
	return usage_error(NULL, "unknown command '%s'", argv[0]);
}

static int run_group(const struct command *group, const struct command *table, size_t n,
		     int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage_error(group, "%s: missing command (%s)", group->name, group->synopsis);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("Usage: %s %s %s\n%s\n\nCommands:\n", prog, group->name, group->synopsis,
		       group->summary);
		for (i = 0; i < n; i++)
			printf("  %s %-8s %s\n", group->name, table[i].name, table[i].synopsis);
		return EXIT_OK;
	}
	if (argv[1][0] == '-')
		return usage_error(group, "%s: unknown option '%s'", group->name, argv[1]);
	for (i = 0; i < n; i++) {
		if (!strcmp(argv[1], table[i].name)) {
			/* "rules show": help and messages name both words */
			struct command sub = table[i];
			char name[64];

			snprintf(name, sizeof(name), "%s %s", group->name, table[i].name);
			sub.name = name;
			return sub.run(&sub, argc - 1, argv + 1);
		}
	}
	return dispatch(table, 0, group, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	redirect_set_notice_fn(NULL, NULL);
	if (argc < 2) {
		main_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		main_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("redirectctl %s (API version %u)\n", redirect_version(), REDIRECT_API_VERSION);
		return EXIT_OK;
	}
	if (argv[1][0] == '-')
		return usage_error(NULL, "unknown option '%s'", argv[1]);
	return dispatch(commands, ARRAY_SIZE(commands), NULL, argc - 1, argv + 1);
}
