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

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_REPS 64
#define MAX_THREADS 64

enum call { CALL_GETPPID, CALL_UNAME, CALL_OPENAT, CALL_STAT, CALL_READ, CALL_CONNECT, CALL_COUNT };

static const struct call_desc {
	const char *name;
	int nr;			/* the one trapped system call */
	const char *what;
} calls_desc[CALL_COUNT] = {
	[CALL_GETPPID] = { "getppid", __NR_getppid, "getppid()" },
	[CALL_UNAME] = { "uname", __NR_uname, "uname()" },
	[CALL_OPENAT] = { "openat", __NR_openat,
			  "openat() of a small file + close() (only openat trapped)" },
	[CALL_STAT] = { "stat", __NR_newfstatat, "stat() = newfstatat() of a small file" },
	[CALL_READ] = { "read", __NR_pread64, "pread64() of 64 bytes of a small file" },
	[CALL_CONNECT] = { "connect", __NR_connect,
			   "connect() of a UDP socket to 127.0.0.1 (same socket, repeated)" },
};

enum mode {
	MODE_NATIVE,
	MODE_TIER0_ALLOW,
	MODE_TIER0_ERRNO,
	MODE_TIER1,
	MODE_BROKER,
	MODE_AGENT,
	MODE_AGENT_SYNC,
	MODE_SENTRY,
	MODE_COUNT
};

static const struct mode_desc {
	const char *name;
	const char *what;
} modes_desc[MODE_COUNT] = {
	[MODE_NATIVE] = { "native", "no filter" },
	[MODE_TIER0_ALLOW] = { "tier0-allow", "cBPF filter matches the call and allows it" },
	[MODE_TIER0_ERRNO] = { "tier0-errno", "cBPF filter fails the call with EPERM" },
	[MODE_TIER1] = { "tier1",
			 "redirect.ko tier-1 rule in the calling task: getppid VALUE 1, others "
			 "ERRNO EPERM" },
	[MODE_BROKER] = { "forward-broker",
			  "forwarded through redirect.ko's broker (batched) to the bench's own "
			  "in-process Sentry: getppid answered 1, others CONTINUE" },
	[MODE_AGENT] = { "forward-plain-agent",
			 "plain seccomp agent on the listener (poll, RECV, SEND): getppid "
			 "answered 1, others CONTINUE" },
	[MODE_AGENT_SYNC] = { "forward-plain-agent-sync",
			      "the same agent with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6+)" },
	[MODE_SENTRY] = { "usersentry",
			  "the real usersentry through redirect-run and tools/bench/sentry-bench.json: "
			  "uname emulated; openat opened by the Sentry and the fd injected, stat "
			  "performed by the Sentry (both resolved in the root under the file rules, "
			  "in a worker thread); connect checked against the rules and performed on "
			  "a copy of the socket" },
};

/* Where the modes can run; set in main. */
static bool have_module, have_sync, have_sentry;
static const char *sentry_socket, *sentry_policy, *redirect_run = "redirect-run";
static char file_path[PATH_MAX];
static uint16_t udp_port;

/* Requests fetched and broker calls made, for the mean batch size. */
static unsigned long broker_requests, broker_calls;

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

static void fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "redirect-bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (--help for usage)\n");
	exit(2);
}

/* Call @nr answered by @ret (a SECCOMP_RET_* value) for the calling thread. */
static int install_filter(int nr, uint32_t ret, bool listener)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(f), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("no_new_privs");
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		       listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &prog);
}

/* What every call must answer in a mode: the bench checks each one. */
enum expect { EXPECT_SUCCESS, EXPECT_ONE, EXPECT_EPERM };

static enum expect expect_of(enum mode mode, enum call call)
{
	switch (mode) {
	case MODE_TIER0_ERRNO:
		return EXPECT_EPERM;
	case MODE_TIER1:
		return call == CALL_GETPPID ? EXPECT_ONE : EXPECT_EPERM;
	case MODE_BROKER:
	case MODE_AGENT:
	case MODE_AGENT_SYNC:
		return call == CALL_GETPPID ? EXPECT_ONE : EXPECT_SUCCESS;
	default:
		return EXPECT_SUCCESS;
	}
}

struct target_args {
	enum call call;
	enum expect expect;
	long calls;
	int threads;
	long wrong;			/* answers not as expected */
	pthread_barrier_t start;
	pthread_mutex_t lock;
	uint64_t first_start, last_end;	/* over all threads */
};

/* One thread of the target: set up, wait for the start, make the calls. */
static void *target_thread(void *arg)
{
	struct target_args *ta = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(udp_port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct utsname u;
	struct stat st;
	uint64_t t0, t1;
	char buf[64];
	long i, r = 0, wrong = 0;
	int fd = -1;

	if (ta->call == CALL_READ)
		fd = open(file_path, O_RDONLY | O_CLOEXEC);
	else if (ta->call == CALL_CONNECT)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	pthread_barrier_wait(&ta->start);
	t0 = now_ns();
	for (i = 0; i < ta->calls; i++) {
		switch (ta->call) {
		case CALL_GETPPID:
			r = syscall(__NR_getppid);
			break;
		case CALL_UNAME:
			r = syscall(__NR_uname, &u);
			break;
		case CALL_OPENAT:
			r = syscall(__NR_openat, AT_FDCWD, file_path, O_RDONLY | O_CLOEXEC);
			if (r >= 0)
				close(r);
			break;
		case CALL_STAT:
			r = syscall(__NR_newfstatat, AT_FDCWD, file_path, &st, 0);
			break;
		case CALL_READ:
			r = syscall(__NR_pread64, fd, buf, sizeof(buf), 0);
			break;
		case CALL_CONNECT:
			r = syscall(__NR_connect, fd, &sin, sizeof(sin));
			break;
		case CALL_COUNT:
			break;
		}
		switch (ta->expect) {
		case EXPECT_SUCCESS:
			wrong += r < 0;
			break;
		case EXPECT_ONE:
			wrong += r != 1;
			break;
		case EXPECT_EPERM:
			wrong += r != -1 || errno != EPERM;
			break;
		}
	}
	t1 = now_ns();
	pthread_mutex_lock(&ta->lock);
	if (!ta->first_start || t0 < ta->first_start)
		ta->first_start = t0;
	if (t1 > ta->last_end)
		ta->last_end = t1;
	ta->wrong += wrong;
	pthread_mutex_unlock(&ta->lock);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/*
 * Time @calls calls of @call in each of @threads threads: nanoseconds from
 * the first thread's start to the last one's end (each thread reads the
 * clock itself: a preempted main thread must not shorten the span).
 */
static uint64_t timed_loop(enum call call, enum expect expect, long calls, int threads,
			   long *wrong)
{
	struct target_args ta = { .call = call, .expect = expect, .calls = calls,
				  .threads = threads, .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t th[MAX_THREADS];
	int i;

	pthread_barrier_init(&ta.start, NULL, threads);
	for (i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, target_thread, &ta))
			_exit(3);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	*wrong = ta.wrong;
	return ta.last_end - ta.first_start;
}

/*
 * The target: install the mode's filter, send the listener's number up,
 * wait for "go", time the calls, report the nanoseconds and wrong answers.
 */
static void run_target(enum mode mode, enum call call, long calls, int threads, int up, int go)
{
	int nr = calls_desc[call].nr, listener = -1;
	uint64_t res[2];
	long wrong;
	char c;

	switch (mode) {
	case MODE_NATIVE:
		break;
	case MODE_TIER0_ALLOW:
		if (install_filter(nr, SECCOMP_RET_ALLOW, false) < 0)
			die("seccomp");
		break;
	case MODE_TIER0_ERRNO:
		if (install_filter(nr, SECCOMP_RET_ERRNO | EPERM, false) < 0)
			die("seccomp");
		break;
	default:
		listener = install_filter(nr, SECCOMP_RET_USER_NOTIF, true);
		if (listener < 0)
			die("seccomp listener");
		break;
	}
	if (write(up, &listener, sizeof(listener)) != sizeof(listener) || read(go, &c, 1) != 1)
		_exit(3);
	res[0] = timed_loop(call, expect_of(mode, call), calls, threads, &wrong);
	res[1] = wrong;
	if (write(up, res, sizeof(res)) != sizeof(res))
		_exit(3);
	_exit(0);
}

static int redirect_session(void)
{
	struct redirect_handshake hs = {
		.api_version = REDIRECT_API_VERSION,
		.features = REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH |
			    REDIRECT_FEATURE_BROKER,
		.notif_size = sizeof(struct seccomp_notif),
		.resp_size = sizeof(struct seccomp_notif_resp),
		.addfd_size = sizeof(struct seccomp_notif_addfd),
	};
	int fd = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die(REDIRECT_DEVICE);
	if (ioctl(fd, REDIRECT_IOC_HANDSHAKE, &hs))
		die("handshake");
	return fd;
}

static void attach(int dev, int listener, enum call call, bool tier1)
{
	struct redirect_attach a = { .listener_fd = listener, .pidfd = -1 };
	struct redirect_rule rule = { .nr = calls_desc[call].nr };
	struct redirect_rules rs = {
		.nr_rules = 1, .rule_size = sizeof(rule), .rules = (uintptr_t)&rule,
	};

	if (call == CALL_GETPPID) {
		rule.verdict = REDIRECT_VERDICT_VALUE;
		rule.value = 1;
	} else {
		rule.verdict = REDIRECT_VERDICT_ERRNO;
		rule.value = EPERM;
	}
	strcpy(a.name, "bench");
	if (ioctl(dev, REDIRECT_IOC_ATTACH, &a))
		die("attach");
	rs.sandbox_id = a.sandbox_id;
	if (tier1 && ioctl(dev, REDIRECT_IOC_SET_RULES, &rs))
		die("set rules");
}

/* The answer of the bench's own agents: getppid emulated, the rest continued. */
static void fill_answer(struct seccomp_notif_resp *r, const struct seccomp_notif *n)
{
	memset(r, 0, sizeof(*r));
	r->id = n->id;
	if (n->data.nr == __NR_getppid)
		r->val = 1;
	else
		r->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
}

/* The Sentry side on the broker: answer every request, in batches. */
static void serve_broker(int dev, int done_fd)
{
	struct redirect_request req[REDIRECT_BATCH_MAX];
	struct redirect_reply rep[REDIRECT_BATCH_MAX];
	uint32_t nrep = 0, i;

	for (;;) {
		struct redirect_broker b = {
			.replies = (uintptr_t)rep, .nr_replies = nrep,
			.requests = (uintptr_t)req, .max_requests = REDIRECT_BATCH_MAX,
			.timeout_ms = 20,
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
			fill_answer(&rep[i].resp, &req[i].notif);
		}
		if (!nrep && poll(&p, 1, 0) == 1)
			return;
	}
}

/* The canonical plain agent: poll, RECV, SEND, on the listener itself. */
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
		fill_answer(&r, &n);
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
	}
}

/* Whether the listener takes SYNC_WAKE_UP; the agent then runs with it set. */
static bool set_sync_wakeup(int listener)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		     (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
}

/* A benchmark whose calls were answered wrongly measures nothing: stop. */
static void check_answers(enum mode mode, enum call call, long wrong, long total)
{
	if (!wrong)
		return;
	fprintf(stderr, "redirect-bench: %s in mode %s: %ld of %ld answers wrong\n",
		calls_desc[call].name, modes_desc[mode].name, wrong, total);
	exit(1);
}

/* The real usersentry: this program's --loop under redirect-run. */
static double run_sentry(enum call call, long calls, int threads)
{
	char n[32], t[32], self[PATH_MAX], out[64];
	int pipefd[2], status;
	ssize_t got, len = 0;
	pid_t pid;

	snprintf(n, sizeof(n), "%ld", calls);
	snprintf(t, sizeof(t), "%d", threads);
	got = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (got < 0)
		die("/proc/self/exe");
	self[got] = '\0';
	if (pipe(pipefd))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execlp(redirect_run, redirect_run, "--socket", sentry_socket, "--policy",
		       sentry_policy, "--", self, "--loop", calls_desc[call].name, "--calls", n,
		       "--threads", t, "--file", file_path, (char *)NULL);
		fprintf(stderr, "redirect-bench: %s: %s\n", redirect_run, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	while (len < (ssize_t)sizeof(out) - 1 &&
	       (got = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += got;
	out[len] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !len) {
		fprintf(stderr, "redirect-bench: %s under redirect-run failed (status %d)\n",
			calls_desc[call].name, status);
		exit(2);
	}
	{
		char *end;
		double ns = strtod(out, &end);

		check_answers(MODE_SENTRY, call, strtol(end, NULL, 10), calls * threads);
		return ns / calls;
	}
}

/* One run of @mode: nanoseconds per call (total time / calls per thread). */
static double run_once(enum mode mode, enum call call, long calls, int threads)
{
	int up[2], go[2], listener = -1, dev = -1, remote, status;
	uint64_t res[2];
	pid_t pid;

	if (mode == MODE_SENTRY)
		return run_sentry(call, calls, threads);
	if (pipe(up) || pipe(go))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		run_target(mode, call, calls, threads, up[1], go[0]);
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
		attach(dev, listener, call, mode == MODE_TIER1);
		close(listener);
		listener = -1;
	}
	if (mode == MODE_AGENT_SYNC && !set_sync_wakeup(listener))
		die("SECCOMP_IOCTL_NOTIF_SET_FLAGS");
	if (write(go[1], "g", 1) != 1)
		die("go");

	if (mode == MODE_BROKER)
		serve_broker(dev, up[0]);
	else if (mode == MODE_AGENT || mode == MODE_AGENT_SYNC)
		serve_agent(listener, up[0]);
	if (read(up[0], res, sizeof(res)) != sizeof(res))
		die("target result");
	waitpid(pid, &status, 0);
	check_answers(mode, call, res[1], calls * threads);
	if (listener >= 0)
		close(listener);
	if (dev >= 0)
		close(dev);
	close(up[0]);
	close(up[1]);
	close(go[0]);
	close(go[1]);
	return (double)res[0] / calls;
}

/* Whether SYNC_WAKE_UP is there: one listener, one ioctl. */
static bool probe_sync_wakeup(void)
{
	int up[2], go[2], remote, pidfd, listener, status;
	uint64_t res[2];
	bool ok = false;
	pid_t pid;

	if (pipe(up) || pipe(go))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		run_target(MODE_AGENT, CALL_GETPPID, 0, 1, up[1], go[0]);
	if (read(up[0], &remote, sizeof(remote)) != sizeof(remote))
		die("target setup");
	pidfd = syscall(__NR_pidfd_open, pid, 0);
	listener = syscall(__NR_pidfd_getfd, pidfd, remote, 0);
	if (listener >= 0) {
		ok = set_sync_wakeup(listener);
		close(listener);
	}
	close(pidfd);
	if (write(go[1], "g", 1) != 1 || read(up[0], res, sizeof(res)) != sizeof(res))
		die("probe target");
	waitpid(pid, &status, 0);
	close(up[0]);
	close(up[1]);
	close(go[0]);
	close(go[1]);
	return ok;
}

/* ---- statistics --------------------------------------------------------- */

struct figure {
	bool ok;
	double median, min, max, p25, p75;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile by linear interpolation between closest ranks. */
static double quantile(const double *v, int n, double q)
{
	double pos = q * (n - 1);
	int lo = (int)pos;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (pos - lo) * (v[lo + 1] - v[lo]);
}

static struct figure summarize(double *v, int n)
{
	struct figure f = { .ok = true };

	qsort(v, n, sizeof(v[0]), cmp_double);
	f.median = quantile(v, n, 0.5);
	f.p25 = quantile(v, n, 0.25);
	f.p75 = quantile(v, n, 0.75);
	f.min = v[0];
	f.max = v[n - 1];
	return f;
}

/* ---- what runs ---------------------------------------------------------- */

/* Whether @mode can measure @call here; if not, why (for the report). */
static const char *unavailable(enum mode mode, enum call call)
{
	switch (mode) {
	case MODE_TIER1:
	case MODE_BROKER:
		return have_module ? NULL : "no /dev/redirect";
	case MODE_AGENT_SYNC:
		return have_sync ? NULL : "kernel lacks SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP";
	case MODE_SENTRY:
		if (!have_sentry)
			return "no --usersentry socket given";
		/* sentry-bench.json notifies these */
		return call == CALL_UNAME || call == CALL_OPENAT || call == CALL_STAT ||
		       call == CALL_CONNECT ? NULL :
			"not notified under the bench policy (no usersentry handler)";
	default:
		return NULL;
	}
}

static bool forwarded(enum mode m)
{
	return m >= MODE_BROKER;
}

struct options {
	long calls, fwd_calls, scale_calls;
	int reps;
	bool want_call[CALL_COUNT], want_mode[MODE_COUNT];
	int scale_threads[16], n_scale;
	bool json;
};

static struct figure micro[CALL_COUNT][MODE_COUNT];
static struct figure scaling[MODE_COUNT][16];
static double batch_size[16];

static void run_micro(const struct options *o)
{
	static double v[CALL_COUNT][MODE_COUNT][MAX_REPS];
	int c, m, r;

	for (r = 0; r < o->reps; r++)
		for (c = 0; c < CALL_COUNT; c++)
			for (m = 0; m < MODE_COUNT; m++) {
				if (!o->want_call[c] || !o->want_mode[m] || unavailable(m, c))
					continue;
				v[c][m][r] = run_once(m, c, forwarded(m) ? o->fwd_calls : o->calls,
						      1);
			}
	for (c = 0; c < CALL_COUNT; c++)
		for (m = 0; m < MODE_COUNT; m++)
			if (o->want_call[c] && o->want_mode[m] && !unavailable(m, c))
				micro[c][m] = summarize(v[c][m], o->reps);
}

/* getppid throughput with N trapped threads: one agent serving them all. */
static const enum mode scale_modes[] = { MODE_NATIVE, MODE_AGENT, MODE_AGENT_SYNC, MODE_BROKER };

static void run_scaling(const struct options *o)
{
	static double v[MODE_COUNT][16][MAX_REPS];
	unsigned long req0, calls0;
	size_t i;
	int t, r;

	for (t = 0; t < o->n_scale; t++) {
		for (r = 0; r < o->reps; r++)
			for (i = 0; i < ARRAY_SIZE(scale_modes); i++) {
				enum mode m = scale_modes[i];
				int n = o->scale_threads[t];
				long calls = m == MODE_NATIVE ? o->calls : o->scale_calls;

				if (!o->want_mode[m] || unavailable(m, CALL_GETPPID))
					continue;
				req0 = broker_requests;
				calls0 = broker_calls;
				/* calls per second over all threads */
				v[m][t][r] = 1e9 * n / run_once(m, CALL_GETPPID, calls, n);
				if (m == MODE_BROKER && broker_calls > calls0)
					batch_size[t] += (double)(broker_requests - req0) /
							 (broker_calls - calls0) / o->reps;
			}
		for (i = 0; i < ARRAY_SIZE(scale_modes); i++)
			if (o->want_mode[scale_modes[i]] &&
			    !unavailable(scale_modes[i], CALL_GETPPID))
				scaling[scale_modes[i]][t] = summarize(v[scale_modes[i]][t], o->reps);
	}
}

/* ---- output ------------------------------------------------------------- */

static void json_figure(const char *key, struct figure f)
{
	printf("\"%s\": {\"median\": %.1f, \"min\": %.1f, \"max\": %.1f, \"p25\": %.1f, "
	       "\"p75\": %.1f}", key, f.median, f.min, f.max, f.p25, f.p75);
}

static void print_json(const struct options *o)
{
	struct utsname u;
	bool first = true;
	int c, m, t;

	uname(&u);
	printf("{\n  \"bench\": \"redirect-bench\", \"format\": 2,\n");
	printf("  \"kernel\": \"%s\", \"machine\": \"%s\", \"cpus\": %ld,\n", u.release, u.machine,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("  \"module\": %s, \"sync_wakeup\": %s, \"usersentry\": %s,\n",
	       have_module ? "true" : "false", have_sync ? "true" : "false",
	       have_sentry ? "true" : "false");
	printf("  \"calls_per_run\": %ld, \"forwarded_calls_per_run\": %ld, "
	       "\"scaling_calls_per_thread\": %ld, \"reps\": %d,\n",
	       o->calls, o->fwd_calls, o->scale_calls, o->reps);
	printf("  \"modes\": {");
	for (m = 0; m < MODE_COUNT; m++)
		printf("%s\n    \"%s\": \"%s\"", m ? "," : "", modes_desc[m].name,
		       modes_desc[m].what);
	printf("\n  },\n  \"calls\": {");
	for (c = 0; c < CALL_COUNT; c++)
		printf("%s\n    \"%s\": \"%s\"", c ? "," : "", calls_desc[c].name,
		       calls_desc[c].what);
	printf("\n  },\n  \"micro\": [");
	for (c = 0; c < CALL_COUNT; c++) {
		double native = micro[c][MODE_NATIVE].median;

		if (!o->want_call[c])
			continue;
		for (m = 0; m < MODE_COUNT; m++) {
			const char *why = unavailable(m, c);

			if (!o->want_mode[m])
				continue;
			printf("%s\n    {\"call\": \"%s\", \"mode\": \"%s\", ", first ? "" : ",",
			       calls_desc[c].name, modes_desc[m].name);
			first = false;
			if (why) {
				printf("\"status\": \"n/a\", \"reason\": \"%s\"}", why);
				continue;
			}
			printf("\"status\": \"ok\", ");
			json_figure("ns_per_call", micro[c][m]);
			if (native)
				printf(", \"x_native\": %.3f, \"x_native_min\": %.3f, "
				       "\"x_native_max\": %.3f",
				       micro[c][m].median / native, micro[c][m].min / native,
				       micro[c][m].max / native);
			printf("}");
		}
	}
	printf("\n  ],\n  \"scaling\": [");
	first = true;
	for (t = 0; t < o->n_scale; t++) {
		double agent = scaling[MODE_AGENT][t].median;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(scale_modes); i++) {
			enum mode sm = scale_modes[i];
			const char *why = unavailable(sm, CALL_GETPPID);

			if (!o->want_mode[sm])
				continue;
			printf("%s\n    {\"call\": \"getppid\", \"mode\": \"%s\", \"threads\": %d, ",
			       first ? "" : ",", modes_desc[sm].name, o->scale_threads[t]);
			first = false;
			if (why) {
				printf("\"status\": \"n/a\", \"reason\": \"%s\"}", why);
				continue;
			}
			printf("\"status\": \"ok\", ");
			json_figure("calls_per_s", scaling[sm][t]);
			if (agent)
				printf(", \"x_plain_agent\": %.3f", scaling[sm][t].median / agent);
			if (sm == MODE_BROKER)
				printf(", \"requests_per_batch\": %.2f", batch_size[t]);
			printf("}");
		}
	}
	printf("\n  ]\n}\n");
}

static void print_text(const struct options *o)
{
	static const enum mode cols[] = { MODE_AGENT, MODE_AGENT_SYNC, MODE_BROKER };
	size_t i;
	int c, m, t;

	for (c = 0; c < CALL_COUNT; c++) {
		double native = micro[c][MODE_NATIVE].median;

		if (!o->want_call[c])
			continue;
		printf("%-26s %12s %12s %12s %10s\n", calls_desc[c].name, "ns/call", "min", "max",
		       "x native");
		for (m = 0; m < MODE_COUNT; m++) {
			const char *why = unavailable(m, c);

			if (!o->want_mode[m])
				continue;
			if (why) {
				printf("  %-24s n/a: %s\n", modes_desc[m].name, why);
				continue;
			}
			printf("  %-24s %12.1f %12.1f %12.1f", modes_desc[m].name,
			       micro[c][m].median, micro[c][m].min, micro[c][m].max);
			if (native)
				printf(" %10.2f", micro[c][m].median / native);
			printf("\n");
		}
		printf("\n");
	}
	if (o->want_call[CALL_GETPPID] && micro[CALL_GETPPID][MODE_TIER1].ok &&
	    micro[CALL_GETPPID][MODE_AGENT].ok && micro[CALL_GETPPID][MODE_NATIVE].ok)
		printf("tier1 is %.1fx cheaper than the plain agent round trip; %.2fx native\n",
		       micro[CALL_GETPPID][MODE_AGENT].median / micro[CALL_GETPPID][MODE_TIER1].median,
		       micro[CALL_GETPPID][MODE_TIER1].median / micro[CALL_GETPPID][MODE_NATIVE].median);
	if (o->want_call[CALL_GETPPID] && micro[CALL_GETPPID][MODE_BROKER].ok &&
	    micro[CALL_GETPPID][MODE_AGENT].ok)
		printf("broker forwarding: %.2fx the plain agent's time per call\n",
		       micro[CALL_GETPPID][MODE_BROKER].median /
		       micro[CALL_GETPPID][MODE_AGENT].median);
	if (!o->n_scale)
		return;
	printf("\ngetppid calls/s %8s %14s %14s %14s %10s\n", "threads", "plain agent",
	       "agent+sync", "broker", "batch");
	for (t = 0; t < o->n_scale; t++) {
		printf("%24d", o->scale_threads[t]);
		for (i = 0; i < ARRAY_SIZE(cols); i++) {
			if (scaling[cols[i]][t].ok)
				printf(" %14.0f", scaling[cols[i]][t].median);
			else
				printf(" %14s", "n/a");
		}
		if (scaling[MODE_BROKER][t].ok)
			printf(" %10.2f", batch_size[t]);
		printf("\n");
	}
	for (t = 0; t < o->n_scale; t++)
		if (scaling[MODE_BROKER][t].ok && scaling[MODE_AGENT][t].ok)
			printf("%d threads: broker %.2fx the plain agent's throughput\n",
			       o->scale_threads[t],
			       scaling[MODE_BROKER][t].median / scaling[MODE_AGENT][t].median);
}

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
	enum { OPT_FWD = 256, OPT_SCALE, OPT_SCALE_CALLS, OPT_CALL, OPT_MODE, OPT_SENTRY,
	       OPT_POLICY, OPT_RUN, OPT_DIR, OPT_LOOP, OPT_FILE };
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
	struct options o = { .calls = 20000, .reps = 5, .scale_threads = { 1, 2, 4, 8, 16 },
			     .n_scale = 5 };
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
		      access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
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
