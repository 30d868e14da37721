// SPDX-License-Identifier: GPL-2.0
/*
 * redirect-bench: cost per call of each tier, side by side in one run.
 *
 * Every mode runs the calls in a forked target that installs its own filter;
 * the bench process is the agent (plain seccomp agent, or a Sentry on the
 * module's broker). Figures are medians of repeated runs with their spread,
 * and ratios to the native call measured in the same run.
 */
#include <linux/redirect.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode {
	MODE_NATIVE,
	MODE_TIER0_ERRNO,
	MODE_TIER1,
	MODE_BROKER,
	MODE_AGENT,
	MODE_COUNT
};

static const char *const mode_name[MODE_COUNT] = {
	[MODE_NATIVE] = "native",
	[MODE_TIER0_ERRNO] = "tier0-errno",
	[MODE_TIER1] = "tier1-value",
	[MODE_BROKER] = "forward-broker",
	[MODE_AGENT] = "forward-plain-agent",
};

struct target_args {
	long calls;
	int threads;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "redirect-bench: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* getppid answered by @ret (a SECCOMP_RET_* value) for the calling thread. */
static int install_filter(uint32_t ret, bool listener)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("no_new_privs");
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		       listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &prog);
}

static void *target_thread(void *arg)
{
	struct target_args *ta = arg;
	long i;

	for (i = 0; i < ta->calls; i++)
		syscall(__NR_getppid);
	return NULL;
}

/*
 * The target: install the mode's filter, send the listener's number up,
 * wait for "go", time the calls in @threads threads, report the nanoseconds.
 */
static void run_target(enum mode mode, struct target_args ta, int up, int go)
{
	pthread_t th[64];
	uint64_t t0, t1;
	int listener = -1, i;
	char c;

	switch (mode) {
	case MODE_NATIVE:
		break;
	case MODE_TIER0_ERRNO:
		if (install_filter(SECCOMP_RET_ERRNO | EPERM, false) < 0)
			die("seccomp");
		break;
	default:
		listener = install_filter(SECCOMP_RET_USER_NOTIF, true);
		if (listener < 0)
			die("seccomp listener");
		break;
	}
	if (write(up, &listener, sizeof(listener)) != sizeof(listener) || read(go, &c, 1) != 1)
		_exit(3);
	t0 = now_ns();
	for (i = 0; i < ta.threads; i++)
		pthread_create(&th[i], NULL, target_thread, &ta);
	for (i = 0; i < ta.threads; i++)
		pthread_join(th[i], NULL);
	t1 = now_ns();
	t1 -= t0;
	if (write(up, &t1, sizeof(t1)) != sizeof(t1))
		_exit(3);
	_exit(0);
}

static int redirect_session(void)
{
	struct redirect_handshake hs = {
		.api_version = REDIRECT_API_VERSION,
		.features = REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH |
			    REDIRECT_FEATURE_BROKER,
	};
	int fd = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ioctl(fd, REDIRECT_IOC_HANDSHAKE, &hs))
		die("handshake");
	return fd;
}

static uint32_t attach(int dev, int listener, bool tier1)
{
	struct redirect_attach a = { .listener_fd = listener, .pidfd = -1 };
	struct redirect_rule rule = {
		.nr = __NR_getppid, .verdict = REDIRECT_VERDICT_VALUE, .value = 1,
	};
	struct redirect_rules rs = {
		.nr_rules = 1, .rule_size = sizeof(rule), .rules = (uintptr_t)&rule,
	};

	strcpy(a.name, "bench");
	if (ioctl(dev, REDIRECT_IOC_ATTACH, &a))
		die("attach");
	rs.sandbox_id = a.sandbox_id;
	if (tier1 && ioctl(dev, REDIRECT_IOC_SET_RULES, &rs))
		die("set rules");
	return a.sandbox_id;
}

/* Requests fetched and broker calls made, for the mean batch size. */
static unsigned long broker_requests, broker_calls;

/* The Sentry side on the broker: answer every request with 1, in batches. */
static void serve_broker(int dev, int done_fd)
{
	struct redirect_request req[REDIRECT_BATCH_MAX];
	struct redirect_reply rep[REDIRECT_BATCH_MAX];
	uint32_t nrep = 0, i;

	for (;;) {
		struct redirect_broker b = {
			.replies = (uintptr_t)rep, .nr_replies = nrep,
			.requests = (uintptr_t)req, .max_requests = 64, .timeout_ms = 20,
		};
		struct pollfd p = { .fd = done_fd, .events = POLLIN };

		if (ioctl(dev, REDIRECT_IOC_BROKER, &b) && errno != EINTR)
			die("broker");
		nrep = b.nr_requests;
		if (nrep) {
			broker_requests += nrep;
			broker_calls++;
		}
		for (i = 0; i < nrep; i++) {
			memset(&rep[i], 0, sizeof(rep[i]));
			rep[i].sandbox_id = req[i].sandbox_id;
			rep[i].kind = REDIRECT_REPLY_SEND;
			rep[i].resp.id = req[i].notif.id;
			rep[i].resp.val = 1;
		}
		if (!nrep && poll(&p, 1, 0) == 1)
			return;
	}
}

/* The canonical plain agent: RECV, SEND, on the listener itself. */
static void serve_agent(int listener, int done_fd)
{
	struct seccomp_notif n;
	struct seccomp_notif_resp r;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = listener, .events = POLLIN }, { .fd = done_fd, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			die("poll");
		if (p[1].revents)
			return;
		if (!(p[0].revents & POLLIN))
			continue;
		memset(&n, 0, sizeof(n));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n))
			continue;
		memset(&r, 0, sizeof(r));
		r.id = n.id;
		r.val = 1;
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
	}
}

/* One run of @mode: nanoseconds per call (total time / calls per thread). */
static double run_once(enum mode mode, long calls, int threads)
{
	int up[2], go[2], listener = -1, dev = -1, remote;
	struct target_args ta = { .calls = calls, .threads = threads };
	uint64_t ns = 0;
	pid_t pid;
	int status;

	if (pipe(up) || pipe(go))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		run_target(mode, ta, up[1], go[0]);
	if (read(up[0], &remote, sizeof(remote)) != sizeof(remote))
		die("target setup");
	if (remote >= 0) {
		int pidfd = syscall(__NR_pidfd_open, pid, 0);

		listener = syscall(__NR_pidfd_getfd, pidfd, remote, 0);
		if (listener < 0)
			die("pidfd_getfd");
		close(pidfd);
	}
	if (mode == MODE_TIER1 || mode == MODE_BROKER) {
		dev = redirect_session();
		if (dev < 0)
			die(REDIRECT_DEVICE);
		attach(dev, listener, mode == MODE_TIER1);
		close(listener);
		listener = -1;
	}
	if (write(go[1], "g", 1) != 1)
		die("go");

	if (mode == MODE_BROKER)
		serve_broker(dev, up[0]);
	else if (mode == MODE_AGENT)
		serve_agent(listener, up[0]);
	if (read(up[0], &ns, sizeof(ns)) != sizeof(ns))
		die("target result");
	waitpid(pid, &status, 0);
	if (listener >= 0)
		close(listener);
	if (dev >= 0)
		close(dev);
	close(up[0]);
	close(up[1]);
	close(go[0]);
	close(go[1]);
	return (double)ns / calls;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct figure {
	double median, min, max;
};

static struct figure measure(enum mode mode, long calls, int threads, int reps)
{
	double v[64];
	struct figure f;
	int i;

	for (i = 0; i < reps; i++)
		v[i] = run_once(mode, calls, threads);
	qsort(v, reps, sizeof(v[0]), cmp_double);
	f.median = v[reps / 2];
	f.min = v[0];
	f.max = v[reps - 1];
	return f;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: redirect-bench [--calls N] [--reps R] [--threads T] [--json]\n"
		"  Cost per getppid() for each tier in one run; tier1 and forward-broker\n"
		"  need /dev/redirect (skipped without it).\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", required_argument, NULL, 'c' },
		{ "reps", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	long calls = 20000;
	int reps = 5, threads = 8, json = 0, opt, m;
	bool have_module = access(REDIRECT_DEVICE, R_OK | W_OK) == 0;
	struct figure single[MODE_COUNT] = {}, multi_broker = {}, multi_agent = {};

	while ((opt = getopt_long(argc, argv, "c:r:t:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			calls = strtol(optarg, NULL, 10);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'j':
			json = 1;
			break;
		default:
			usage();
		}
	}
	if (calls < 1 || reps < 1 || reps > 64 || threads < 1 || threads > 64)
		usage();

	for (m = 0; m < MODE_COUNT; m++) {
		/* Forwarded calls are slow under emulation: fewer of them. */
		long n = m >= MODE_BROKER ? calls / 10 + 1 : calls;

		if ((m == MODE_TIER1 || m == MODE_BROKER) && !have_module)
			continue;
		single[m] = measure(m, n, 1, reps);
	}
	if (have_module) {
		broker_requests = broker_calls = 0;
		multi_broker = measure(MODE_BROKER, calls / 10 + 1, threads, reps);
	}
	multi_agent = measure(MODE_AGENT, calls / 10 + 1, threads, reps);

	if (json) {
		printf("{\"calls\": %ld, \"reps\": %d, \"modes\": {", calls, reps);
		for (m = 0; m < MODE_COUNT; m++)
			printf("%s\"%s\": {\"ns_median\": %.1f, \"ns_min\": %.1f, \"ns_max\": %.1f}",
			       m ? ", " : "", mode_name[m], single[m].median, single[m].min,
			       single[m].max);
		printf("}, \"threads\": %d, \"throughput_calls_per_s\": "
		       "{\"broker\": %.0f, \"plain_agent\": %.0f}}\n", threads,
		       multi_broker.median ? 1e9 * threads / multi_broker.median : 0,
		       1e9 * threads / multi_agent.median);
		return 0;
	}
	printf("%-22s %12s %12s %12s %10s\n", "mode (getppid)", "ns/call", "min", "max",
	       "x native");
	for (m = 0; m < MODE_COUNT; m++) {
		if (!single[m].median) {
			printf("%-22s %12s\n", mode_name[m], "skipped");
			continue;
		}
		printf("%-22s %12.1f %12.1f %12.1f %10.2f\n", mode_name[m], single[m].median,
		       single[m].min, single[m].max, single[m].median / single[MODE_NATIVE].median);
	}
	if (single[MODE_TIER1].median)
		printf("\ntier1 is %.1fx cheaper than the plain agent round trip; %.2fx native\n",
		       single[MODE_AGENT].median / single[MODE_TIER1].median,
		       single[MODE_TIER1].median / single[MODE_NATIVE].median);
	if (single[MODE_BROKER].median)
		printf("broker forwarding: %.2fx the plain agent's time per call\n",
		       single[MODE_BROKER].median / single[MODE_AGENT].median);
	printf("%d threads: plain agent %.0f calls/s", threads, 1e9 * threads / multi_agent.median);
	if (multi_broker.median)
		printf(", broker %.0f calls/s (%.2fx; %.2f requests per batch)",
		       1e9 * threads / multi_broker.median, multi_agent.median / multi_broker.median,
		       broker_calls ? (double)broker_requests / broker_calls : 0.0);
	printf("\n");
	return 0;
}
