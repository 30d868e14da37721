// SPDX-License-Identifier: GPL-2.0
/*
 * redirect-bench: cost per call of each tier, side by side in one run.
 *
 * Every run forks a target that installs its own filter (trapping exactly the
 * measured system call) and times its calls; the bench process is the agent:
 * a plain seccomp agent on the listener (RECV/SEND, optionally with the
 * SYNC_WAKE_UP flag), or a Sentry on the module's broker.  The real usersentry
 * is measured through redirect-run when its socket is given.  Repetitions are
 * interleaved over the modes so that load drift hits every mode alike; every
 * figure is the median of the repetitions with its spread, and its ratio to
 * the native call measured in the same run.
 */
#include <linux/redirect.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* ---- command line ------------------------------------------------------- */

static void usage(FILE *f)
{
	int i;

	fprintf(f,
		"usage: redirect-bench [OPTIONS]\n"
		"Cost per call of each tier, side by side in one run (median of --reps runs,\n"
		"min/max and quartiles, ratio to native), then getppid throughput with N\n"
		"trapped threads served by one agent.\n\n"
		"  -c, --calls N          calls per run for native and in-kernel tiers (20000)\n"
		"      --fwd-calls N      calls per run for forwarded modes (calls/10 + 1)\n"
		"  -r, --reps R           repeated runs per figure, 1..%d (5)\n"
		"  -t, --threads T        scaling: one thread count, 1..%d (same as --scale T)\n"
		"      --scale LIST       scaling: comma-separated thread counts (1,2,4,8,16);\n"
		"                         \"none\" to skip\n"
		"      --scale-calls N    scaling: calls per thread per run (fwd-calls)\n"
		"      --call LIST        calls to measure (all): ",
		MAX_REPS, MAX_THREADS);
	for (i = 0; i < CALL_COUNT; i++)
		fprintf(f, "%s%s", i ? "," : "", calls_desc[i].name);
	fprintf(f, "\n      --mode LIST        modes to run (all available):\n");
	for (i = 0; i < MODE_COUNT; i++)
		fprintf(f, "                           %-25s %s\n", modes_desc[i].name,
			modes_desc[i].what);
	fprintf(f,
		"      --usersentry SOCK  measure the real usersentry on this agent socket\n"
		"      --policy P         its policy for redirect-run (tools/bench/sentry-bench.json\n"
		"                         beside the binary's source tree)\n"
		"      --redirect-run P   the redirect-run binary (build/bin/redirect-run beside\n"
		"                         this binary, else from $PATH)\n"
		"      --dir DIR          where the small file lives (/dev/shm, else /tmp)\n"
		"  -j, --json             JSON on stdout instead of tables\n"
		"  -h, --help             this text\n"
		"tier1 and forward-broker need /dev/redirect; forward-plain-agent-sync a 6.6+\n"
		"kernel; they are reported n/a otherwise.\n");
}

static long parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "redirect-bench: %s wants a number from %ld to %ld, got \"%s\"\n",
			opt, min, max, s);
		exit(2);
	}
	return v;
}

/* Comma-separated names into @want; returns false for an unknown name. */
static void parse_names(const char *opt, const char *list, const char *const *names, int n,
			bool *want)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int i;

	if (!copy)
		die("strdup");
	memset(want, 0, n * sizeof(*want));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n; i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == n) {
			fprintf(stderr, "redirect-bench: %s: unknown name \"%s\"\n", opt, tok);
			exit(2);
		}
		want[i] = true;
	}
	free(copy);
}

static void parse_scale(struct options *o, const char *list)
{
	char *copy, *tok, *save = NULL;

	o->n_scale = 0;
	if (!strcmp(list, "none"))
		return;
	copy = strdup(list);
	if (!copy)
		die("strdup");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->n_scale == (int)ARRAY_SIZE(o->scale_threads))
			fail_usage("--scale takes at most 16 thread counts, got \"%s\"", list);
		o->scale_threads[o->n_scale++] = parse_long("--scale", tok, 1, MAX_THREADS);
	}
	free(copy);
	if (!o->n_scale)
		fail_usage("--scale wants thread counts, got \"%s\"", list);
}

/* A path beside this binary's source tree (build/bin/../../REL), if it exists. */
static const char *tree_path(const char *rel)
{
	static char buf[2][PATH_MAX];
	static int which;
	char *p = buf[which++ % 2], *slash;
	ssize_t n = readlink("/proc/self/exe", p, PATH_MAX - strlen(rel) - 8);

	if (n < 0)
		return NULL;
	p[n] = '\0';
	slash = strrchr(p, '/');
	if (!slash)
		return NULL;
	sprintf(slash, "/../../%s", rel);
	return access(p, F_OK) == 0 ? p : NULL;
}

/* The hidden target of the usersentry mode: run the loop, print nanoseconds. */
static int loop_main(const char *call_name, long calls, int threads)
{
	unsigned long long ns;
	long wrong;
	int c;

	for (c = 0; c < CALL_COUNT; c++)
		if (!strcmp(call_name, calls_desc[c].name))
			break;
	if (c == CALL_COUNT)
		fail_usage("--loop: unknown call \"%s\"", call_name);
	ns = timed_loop(c, EXPECT_SUCCESS, calls, threads, &wrong);
	printf("%llu %ld\n", (unsigned long long)ns, wrong);
	return 0;
}

/* The small file and, when connect is measured, the UDP port it uses. */
static void prepare(const char *dir, bool udp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	static const char data[4096] = "redirect-bench small file\n";
	int fd, s;

	snprintf(file_path, sizeof(file_path), "%s/redirect-bench.XXXXXX", dir);
	fd = mkstemp(file_path);
	if (fd < 0)
		die(file_path);
	if (write(fd, data, sizeof(data)) != sizeof(data))
		die("write");
	close(fd);
	if (!udp)
		return;
	/* a bound socket keeps the port; connect() on UDP needs no listener */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(s, (struct sockaddr *)&sin, &len))
		die("udp socket");
	udp_port = ntohs(sin.sin_port);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect to 127.0.0.1 (is the loopback interface up?)");
}

int main(int argc, char **argv)
{
	enum {
		OPT_FWD = 256,
		OPT_SCALE,
		OPT_SCALE_CALLS,
		OPT_CALL,
		OPT_MODE,
		OPT_SENTRY,
		OPT_POLICY,
		OPT_RUN,
		OPT_DIR,
		OPT_LOOP,
		OPT_FILE
	};
	static const struct option opts[] = {
		{ "calls", required_argument, NULL, 'c' },
		{ "fwd-calls", required_argument, NULL, OPT_FWD },
		{ "reps", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "scale", required_argument, NULL, OPT_SCALE },
		{ "scale-calls", required_argument, NULL, OPT_SCALE_CALLS },
		{ "call", required_argument, NULL, OPT_CALL },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "usersentry", required_argument, NULL, OPT_SENTRY },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "redirect-run", required_argument, NULL, OPT_RUN },
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "loop", required_argument, NULL, OPT_LOOP },
		{ "file", required_argument, NULL, OPT_FILE },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *call_names[CALL_COUNT], *mode_names[MODE_COUNT];
	struct options o = {
		.calls = 20000, .reps = 5, .scale_threads = { 1, 2, 4, 8, 16 }, .n_scale = 5
	};
	const char *dir = NULL, *loop = NULL;
	struct stat st;
	int opt, i, threads = 1;

	for (i = 0; i < CALL_COUNT; i++) {
		call_names[i] = calls_desc[i].name;
		o.want_call[i] = true;
	}
	for (i = 0; i < MODE_COUNT; i++) {
		mode_names[i] = modes_desc[i].name;
		o.want_mode[i] = true;
	}
	while ((opt = getopt_long(argc, argv, "c:r:t:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.calls = parse_long("--calls", optarg, 1, 1000000000);
			break;
		case OPT_FWD:
			o.fwd_calls = parse_long("--fwd-calls", optarg, 1, 1000000000);
			break;
		case 'r':
			o.reps = parse_long("--reps", optarg, 1, MAX_REPS);
			break;
		case 't':
			threads = parse_long("--threads", optarg, 1, MAX_THREADS);
			o.scale_threads[0] = threads;
			o.n_scale = 1;
			break;
		case OPT_SCALE:
			parse_scale(&o, optarg);
			break;
		case OPT_SCALE_CALLS:
			o.scale_calls = parse_long("--scale-calls", optarg, 1, 1000000000);
			break;
		case OPT_CALL:
			parse_names("--call", optarg, call_names, CALL_COUNT, o.want_call);
			break;
		case OPT_MODE:
			parse_names("--mode", optarg, mode_names, MODE_COUNT, o.want_mode);
			break;
		case OPT_SENTRY:
			sentry_socket = optarg;
			break;
		case OPT_POLICY:
			sentry_policy = optarg;
			break;
		case OPT_RUN:
			redirect_run = optarg;
			break;
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_LOOP:
			loop = optarg;
			break;
		case OPT_FILE:
			if (strlen(optarg) >= sizeof(file_path))
				fail_usage("--file: path too long: %s", optarg);
			strcpy(file_path, optarg);
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		fail_usage("unexpected argument \"%s\"", argv[optind]);
	if (loop)
		return loop_main(loop, o.calls, threads);

	if (!o.fwd_calls)
		o.fwd_calls = o.calls / 10 + 1;
	if (!o.scale_calls)
		o.scale_calls = o.fwd_calls;
	if (!dir)
		dir = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
				      access("/dev/shm", W_OK) == 0 ?
			      "/dev/shm" :
			      "/tmp";
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		fail_usage("--dir: \"%s\" is not a directory", dir);

	have_module = access(REDIRECT_DEVICE, R_OK | W_OK) == 0;
	have_sync = probe_sync_wakeup();
	if (sentry_socket) {
		const char *run = tree_path("build/bin/redirect-run");

		if (stat(sentry_socket, &st) || !S_ISSOCK(st.st_mode))
			fail_usage("--usersentry: \"%s\" is not a socket", sentry_socket);
		if (!sentry_policy)
			sentry_policy = tree_path("tools/bench/sentry-bench.json");
		if (!sentry_policy)
			fail_usage("--usersentry needs --policy (%s)",
				   "tools/bench/sentry-bench.json not found");
		if (!strcmp(redirect_run, "redirect-run") && run)
			redirect_run = run;
		have_sentry = true;
	}
	prepare(dir, o.want_call[CALL_CONNECT]);
	run_micro(&o);
	run_scaling(&o);
	unlink(file_path);
	if (o.json)
		print_json(&o);
	else
		print_text(&o);
	return 0;
}
