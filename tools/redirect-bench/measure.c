// SPDX-License-Identifier: GPL-2.0
/* redirect-bench: the measured calls: the target, its filter, and the agents that answer it. */
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

const struct call_desc calls_desc[CALL_COUNT] = {
	[CALL_GETPPID] = { "getppid", __NR_getppid, "getppid()" },
	[CALL_UNAME] = { "uname", __NR_uname, "uname()" },
	[CALL_OPENAT] = { "openat", __NR_openat,
			  "openat() of a small file + close() (only openat trapped)" },
	[CALL_STAT] = { "stat", __NR_newfstatat, "stat() = newfstatat() of a small file" },
	[CALL_READ] = { "read", __NR_pread64, "pread64() of 64 bytes of a small file" },
	[CALL_CONNECT] = { "connect", __NR_connect,
			   "connect() of a UDP socket to 127.0.0.1 (same socket, repeated)" },
};

const struct mode_desc modes_desc[MODE_COUNT] = {
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

bool have_module, have_sync, have_sentry;
const char *sentry_socket, *sentry_policy, *redirect_run = "redirect-run";
char file_path[PATH_MAX];
uint16_t udp_port;

/* Requests fetched and broker calls made, for the mean batch size. */
unsigned long broker_requests, broker_calls;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void die(const char *what)
{
	fprintf(stderr, "redirect-bench: %s: %s\n", what, strerror(errno));
	exit(2);
}

void fail_usage(const char *fmt, const char *arg)
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
	long wrong; /* answers not as expected */
	pthread_barrier_t start;
	pthread_mutex_t lock;
	uint64_t first_start, last_end; /* over all threads */
};

/* One thread of the target: set up, wait for the start, make the calls. */
static void *target_thread(void *arg)
{
	struct target_args *ta = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(udp_port),
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
uint64_t timed_loop(enum call call, enum expect expect, long calls, int threads, long *wrong)
{
	struct target_args ta = { .call = call,
				  .expect = expect,
				  .calls = calls,
				  .threads = threads,
				  .lock = PTHREAD_MUTEX_INITIALIZER };
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
		.nr_rules = 1,
		.rule_size = sizeof(rule),
		.rules = (uintptr_t)&rule,
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
			.replies = (uintptr_t)rep,
			.nr_replies = nrep,
			.requests = (uintptr_t)req,
			.max_requests = REDIRECT_BATCH_MAX,
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
			{ .fd = listener, .events = POLLIN },
			{ .fd = done_fd, .events = POLLIN },
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

/*
 * A forked target (run_target) with its pipes up and go; *remote: the number
 * of its listener fd in it (-1: none).  Returns its pid.
 */
static pid_t start_target(enum mode mode, enum call call, long calls, int threads, int up[2],
			  int go[2], int *remote)
{
	pid_t pid;

	if (pipe(up) || pipe(go))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		run_target(mode, call, calls, threads, up[1], go[0]);
	if (read(up[0], remote, sizeof(*remote)) != sizeof(*remote))
		die("target setup");
	return pid;
}

/* One run of @mode: nanoseconds per call (total time / calls per thread). */
double run_once(enum mode mode, enum call call, long calls, int threads)
{
	int up[2], go[2], listener = -1, dev = -1, remote, status;
	uint64_t res[2];
	pid_t pid;

	if (mode == MODE_SENTRY)
		return run_sentry(call, calls, threads);
	pid = start_target(mode, call, calls, threads, up, go, &remote);
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
bool probe_sync_wakeup(void)
{
	int up[2], go[2], remote, pidfd, listener, status;
	uint64_t res[2];
	bool ok = false;
	pid_t pid;

	pid = start_target(MODE_AGENT, CALL_GETPPID, 0, 1, up, go, &remote);
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
