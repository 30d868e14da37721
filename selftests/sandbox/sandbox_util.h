/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the sandbox kselftests: sessions, seccomp targets, rules, a Sentry.
 *
 * A target is a forked child that installs a cBPF filter answering a chosen
 * list of syscalls with SECCOMP_RET_USER_NOTIF, hands the listener to the
 * parent over a socketpair (SCM_RIGHTS) and waits for a go byte before it
 * makes any trapped call. target_fork() returns twice, like fork(): 0 in the
 * child (filter installed, go received), the pid in the parent (listener in
 * t->listener, a pidfd in t->pidfd). Children use EXPECT_* only and end with
 * TARGET_EXIT(); every target dies with the test process (PR_SET_PDEATHSIG)
 * and is killed by targets_kill_all() in the fixtures' teardown.
 *
 * Include after kselftest_harness.h.
 */
#ifndef SANDBOX_UTIL_H
#define SANDBOX_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/redirect.h>
#include <linux/seccomp.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

#define RDR_FEATURES_IOCTL (REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH | \
			    REDIRECT_FEATURE_BROKER | REDIRECT_FEATURE_CUSTODY)

/* What the helper Sentry answers a forwarded call whose first argument is @a0. */
#define FWD_VAL(a0) ((long)(0x40000000L + (long)((a0) & 0xffffffffUL)))

/* ---- time ----------------------------------------------------------------- */

static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* An environment variable as a positive number, or @def. */
static inline long env_long(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 0);
	return (*end || v <= 0) ? def : v;
}

/* ---- sessions --------------------------------------------------------------- */

/* Open /dev/redirect and handshake for @features: fd, or -errno. */
static inline int rdr_session(__u64 features, __u64 *supported)
{
	struct redirect_handshake hs = {
		.api_version = REDIRECT_API_VERSION,
		.features = features,
		.notif_size = sizeof(struct seccomp_notif),
		.resp_size = sizeof(struct seccomp_notif_resp),
		.addfd_size = sizeof(struct seccomp_notif_addfd),
	};
	int fd = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, REDIRECT_IOC_HANDSHAKE, &hs)) {
		int err = -errno;

		if (supported)
			*supported = hs.supported;
		close(fd);
		return err;
	}
	if (supported)
		*supported = hs.supported;
	return fd;
}

/*
 * A session with @features, or SKIP when the module is missing or lacks one
 * of them. Inside a TEST only.
 */
#define OPEN_SESSION(fd, features) do {						\
	__u64 __sup = 0;							\
	(fd) = rdr_session((features), &__sup);					\
	if ((fd) == -ENOENT)							\
		SKIP(return, REDIRECT_DEVICE " absent: redirect.ko not loaded");\
	if ((fd) == -EACCES || (fd) == -EPERM)					\
		SKIP(return, "opening " REDIRECT_DEVICE " needs root");	\
	if ((fd) == -EOPNOTSUPP)						\
		SKIP(return, "module lacks features %#llx (has %#llx)",		\
		     (unsigned long long)((features) & ~__sup),			\
		     (unsigned long long)__sup);				\
	ASSERT_LE(0, (fd)) TH_LOG("session: %s", strerror(-(fd)));		\
} while (0)

static inline int rdr_attach(int fd, int listener, int pidfd, __u32 fail_mode, __u32 hold_ms,
			     const char *name, __u32 *id)
{
	struct redirect_attach a = {
		.listener_fd = listener,
		.pidfd = pidfd,
		.fail_mode = fail_mode,
		.hold_timeout_ms = hold_ms,
	};

	snprintf(a.name, sizeof(a.name), "%s", name);
	if (ioctl(fd, REDIRECT_IOC_ATTACH, &a))
		return -errno;
	if (id)
		*id = a.sandbox_id;
	return 0;
}

static inline int rdr_adopt(int fd, __u32 id)
{
	struct redirect_adopt a = { .sandbox_id = id };

	return ioctl(fd, REDIRECT_IOC_ADOPT, &a) ? -errno : 0;
}

/* SET_RULES; on EINVAL *hdr_out (if given) holds error_rule/field/arg. */
static inline int rdr_set_rules(int fd, __u32 id, const struct redirect_rule *rules, __u32 n,
				struct redirect_rules *hdr_out)
{
	struct redirect_rules hdr = {
		.sandbox_id = id,
		.nr_rules = n,
		.rule_size = sizeof(struct redirect_rule),
		.rules = (uintptr_t)rules,
	};
	int ret = ioctl(fd, REDIRECT_IOC_SET_RULES, &hdr) ? -errno : 0;

	if (hdr_out)
		*hdr_out = hdr;
	return ret;
}

/*
 * One REDIRECT_IOC_BROKER call. Returns 0 or -errno; *nr_done gets the
 * replies performed, *nr_req the requests fetched.
 */
static inline int rdr_broker(int fd, struct redirect_reply *rep, __u32 nr_rep,
			     struct redirect_request *req, __u32 max_req, int timeout_ms,
			     __u32 *nr_done, __u32 *nr_req)
{
	struct redirect_broker b = {
		.replies = (uintptr_t)rep,
		.requests = (uintptr_t)req,
		.nr_replies = nr_rep,
		.max_requests = max_req,
		.timeout_ms = timeout_ms,
	};
	int ret = ioctl(fd, REDIRECT_IOC_BROKER, &b) ? -errno : 0;

	if (nr_done)
		*nr_done = b.nr_replies;
	if (nr_req)
		*nr_req = ret ? 0 : b.nr_requests;
	return ret;
}

/* Fetch exactly one request, waiting up to @timeout_ms: 1, 0 (none) or -errno. */
static inline int rdr_fetch_one(int fd, struct redirect_request *req, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	__u32 n = 0;
	int ret;

	do {
		memset(req, 0, sizeof(*req));
		ret = rdr_broker(fd, NULL, 0, req, 1, 100, NULL, &n);
		if (ret && ret != -EINTR)
			return ret;
		if (n)
			return 1;
	} while (now_ms() < end);
	return 0;
}

static inline struct redirect_reply reply_send(const struct redirect_request *req, __s64 val,
					       __s32 error, __u32 flags)
{
	return (struct redirect_reply){
		.sandbox_id = req->sandbox_id,
		.kind = REDIRECT_REPLY_SEND,
		.resp = { .id = req->notif.id, .val = val, .error = error, .flags = flags },
	};
}

/* Answer one request: the reply's result (0, an fd, or -errno) or the call's -errno. */
static inline long rdr_reply_one(int fd, struct redirect_reply *rep)
{
	__u32 done = 0;
	int ret = rdr_broker(fd, rep, 1, NULL, 0, 0, &done, NULL);

	if (ret)
		return ret;
	if (done != 1)
		return -EPROTO;
	return rep->result;
}

/* ---- rules ------------------------------------------------------------------ */

static inline struct redirect_rule rule_make(__u32 nr, __u16 verdict, __s64 value)
{
	return (struct redirect_rule){ .nr = nr, .verdict = verdict, .value = value };
}

static inline void rule_arg(struct redirect_rule *r, __u8 index, __u8 op, __u64 mask, __u64 value)
{
	struct redirect_arg_cmp *a = &r->args[r->nr_args++];

	a->index = index;
	a->op = op;
	a->mask = mask;
	a->value = value;
}

static inline void rule_str(struct redirect_rule *r, __u8 index, __u8 match, const char *s)
{
	r->str_index = index;
	r->str_match = match;
	r->str_len = strlen(s);
	memcpy(r->str, s, r->str_len);
}

/* ---- targets ---------------------------------------------------------------- */

struct target {
	pid_t pid;
	int pidfd;	/* parent: pidfd of the child */
	int listener;	/* parent: the child's seccomp listener */
	int ctl[2];	/* parent writes commands, child reads */
	int res[2];	/* child writes results, parent reads */
};

#define MAX_CHILDREN 64
static pid_t children[MAX_CHILDREN];
static int nr_children;

static inline void targets_kill_all(void)
{
	int i;

	for (i = 0; i < nr_children; i++) {
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
	}
	nr_children = 0;
}

static inline void child_forget(pid_t pid)
{
	int i;

	for (i = 0; i < nr_children; i++)
		if (children[i] == pid)
			children[i] = 0;
}

/*
 * Numbers trapped for ia32 calls (int $0x80) too; -1: none. x32 numbers
 * (with __X32_SYSCALL_BIT) go in the normal list: their arch is x86-64.
 */
static int notify_i386_nr = -1;

static inline int install_notify_filter(const int *nrs, int n, unsigned int flags)
{
	struct sock_filter f[12 + 2 * 32];
	struct sock_fprog prog;
	int i = 0, k;

	if (n > 32)
		return -E2BIG;
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 5, 0);
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 3);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)notify_i386_nr, 0, 1);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (k = 0; k < n; k++) {
		f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nrs[k], 0, 1);
		f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	}
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = i;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	k = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_NEW_LISTENER | flags, &prog);
	return k < 0 ? -errno : k;
}

static inline int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	char byte = 'L';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static inline int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Child: wait for the next command byte from the parent; exits on EOF. */
static inline int target_cmd(struct target *t)
{
	char c;
	ssize_t n;

	do {
		n = read(t->ctl[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(99);
	return c;
}

/* Child: send @len bytes of results to the parent. */
static inline void target_report(struct target *t, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(t->res[1], p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(98);
		p += n;
		len -= n;
	}
}

#define TARGET_EXIT() _exit(_metadata->passed ? 0 : 1)

/* Installs a target's filter in the child: the listener fd, or -errno. */
typedef int (*target_filter_fn)(const void *arg);

/*
 * Fork a target whose filter @install(@arg) installs. Child: returns 0 once
 * the parent said go (target_go()). Parent: returns the pid, or -1.
 */
static inline pid_t target_fork_filter(struct target *t, target_filter_fn install, const void *arg)
{
	int sv[2], fd;
	pid_t pid;

	memset(t, 0, sizeof(*t));
	t->pidfd = t->listener = -1;
	if (pipe2(t->ctl, O_CLOEXEC) || pipe2(t->res, O_CLOEXEC))
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int keep[] = { t->ctl[0], t->res[1], sv[1] };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/*
		 * Drop every inherited fd, above all the parent's sessions of
		 * /dev/redirect: a copy here would keep a session alive after
		 * the parent closed it.
		 */
		for (fd = 3; fd < 1024; fd++)
			if (fd != keep[0] && fd != keep[1] && fd != keep[2])
				close(fd);
		fd = install(arg);
		if (fd < 0)
			_exit(97);
		if (send_fd(sv[1], fd))
			_exit(96);
		close(fd);
		close(sv[1]);
		if (target_cmd(t) != 'g')
			_exit(95);
		return 0;
	}
	if (nr_children < MAX_CHILDREN)
		children[nr_children++] = pid;
	close(sv[1]);
	close(t->ctl[0]);
	close(t->res[1]);
	t->pid = pid;
	t->pidfd = syscall(__NR_pidfd_open, pid, 0);
	t->listener = recv_fd(sv[0]);
	close(sv[0]);
	if (t->listener < 0 || t->pidfd < 0)
		return -1;
	return pid;
}

struct notify_filter {
	const int *nrs;
	int n;
	unsigned int flags;
};

static inline int notify_filter_install(const void *arg)
{
	const struct notify_filter *f = arg;

	return install_notify_filter(f->nrs, f->n, f->flags);
}

/* A target trapping @nrs[0..n) with filter @flags (see target_fork_filter()). */
static inline pid_t target_fork(struct target *t, const int *nrs, int n, unsigned int flags)
{
	struct notify_filter f = { nrs, n, flags };

	return target_fork_filter(t, notify_filter_install, &f);
}

static inline int target_send(struct target *t, char c)
{
	return write(t->ctl[1], &c, 1) == 1 ? 0 : -errno;
}

static inline int target_go(struct target *t)
{
	return target_send(t, 'g');
}

/* Parent: read exactly @len result bytes within @timeout_ms; 0 or -errno. */
static inline int target_read(struct target *t, void *buf, size_t len, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	char *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = t->res[0], .events = POLLIN };
		long long left = end - now_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = read(t->res[0], p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

/* Parent: has the target exited (without reaping it)? */
static inline bool target_exited(struct target *t, int timeout_ms)
{
	struct pollfd pfd = { .fd = t->pidfd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1;
}

/*
 * Parent: reap the target, waiting up to @timeout_ms for it to exit on its
 * own, then SIGKILL it. Returns the wait status, or -1 if it had to be killed.
 */
static inline int target_wait(struct target *t, int timeout_ms)
{
	int status = 0, killed = 0;

	if (!target_exited(t, timeout_ms)) {
		kill(t->pid, SIGKILL);
		killed = 1;
	}
	waitpid(t->pid, &status, 0);
	child_forget(t->pid);
	return killed ? -1 : status;
}

static inline void target_close(struct target *t)
{
	int *fds[] = { &t->pidfd, &t->listener, &t->ctl[1], &t->res[0] };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* "exit N" / "signal N" / "timeout", for logs. */
static inline const char *status_str(int status)
{
	static char buf[32];

	if (status == -1)
		return "did not exit in time (killed)";
	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "status %#x", status);
	return buf;
}

#define EXPECT_TARGET_OK(t, timeout_ms) do {					\
	int __st = target_wait((t), (timeout_ms));				\
	EXPECT_TRUE(__st >= 0 && WIFEXITED(__st) && WEXITSTATUS(__st) == 0)	\
		TH_LOG("target %d: %s", (t)->pid, status_str(__st));		\
} while (0)

/* Is thread @tid of @pid blocked in syscall @nr (per /proc/.../syscall)? */
static inline bool thread_in_syscall(pid_t pid, pid_t tid, int nr)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return atoi(buf) == nr;
}

/* Count the threads of @pid blocked in syscall @nr. */
static inline int threads_in_syscall(pid_t pid, int nr)
{
	char path[64];
	struct dirent *de;
	int count = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && thread_in_syscall(pid, atoi(de->d_name), nr))
			count++;
	closedir(d);
	return count;
}

/* Wait up to @timeout_ms until @want threads of @pid sit in syscall @nr. */
static inline bool wait_threads_in_syscall(pid_t pid, int nr, int want, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	do {
		if (threads_in_syscall(pid, nr) >= want)
			return true;
		sleep_ms(10);
	} while (now_ms() < end);
	return false;
}

/* ---- a Sentry thread in the test process -------------------------------- */

struct sentry;
/* Fill @rep for @req; return false to leave the request unanswered. */
typedef bool (*sentry_fn)(struct sentry *s, const struct redirect_request *req,
			  struct redirect_reply *rep);

struct sentry {
	int fd;
	pthread_t thread;
	bool running;
	atomic_int stop;
	sentry_fn answer;
	void *arg;
	atomic_ulong requests;		/* fetched */
	atomic_ulong per_nr[512];	/* fetched, by syscall number */
	atomic_ulong replied;		/* replies with result >= 0 */
	atomic_ulong reply_enoent;	/* target gone or id not held */
	atomic_ulong errors;		/* other failures */
	atomic_int last_error;
};

/* Default answer: SEND val = FWD_VAL(args[0]). */
static inline bool sentry_answer_fwd(struct sentry *s, const struct redirect_request *req,
				     struct redirect_reply *rep)
{
	*rep = reply_send(req, FWD_VAL(req->notif.data.args[0]), 0, 0);
	return true;
}

static inline void *sentry_main(void *arg)
{
	struct sentry *s = arg;
	struct redirect_request req[64];
	struct redirect_reply rep[64];
	__u32 nr_rep = 0, nr_req, done, i;

	for (;;) {
		bool stopping = atomic_load(&s->stop);
		int ret;

		if (stopping && !nr_rep)
			break;
		memset(req, 0, sizeof(req));
		ret = rdr_broker(s->fd, rep, nr_rep, req, stopping ? 0 : 64, 50, &done, &nr_req);
		for (i = 0; i < done; i++) {
			if (rep[i].result >= 0)
				atomic_fetch_add(&s->replied, 1);
			else if (rep[i].result == -ENOENT)
				atomic_fetch_add(&s->reply_enoent, 1);
			else {
				atomic_fetch_add(&s->errors, 1);
				atomic_store(&s->last_error, (int)rep[i].result);
			}
		}
		nr_rep = 0;
		if (ret && ret != -EINTR) {
			atomic_fetch_add(&s->errors, 1);
			atomic_store(&s->last_error, ret);
			if (stopping)
				break;
			sleep_ms(10);
			continue;
		}
		for (i = 0; i < nr_req; i++) {
			atomic_fetch_add(&s->requests, 1);
			if (req[i].notif.data.nr < 512)
				atomic_fetch_add(&s->per_nr[req[i].notif.data.nr], 1);
			if (s->answer(s, &req[i], &rep[nr_rep]))
				nr_rep++;
		}
	}
	return NULL;
}

static inline int sentry_start(struct sentry *s, int fd, sentry_fn answer, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->answer = answer ? answer : sentry_answer_fwd;
	s->arg = arg;
	if (pthread_create(&s->thread, NULL, sentry_main, s))
		return -1;
	s->running = true;
	return 0;
}

static inline void sentry_stop(struct sentry *s)
{
	if (!s->running)
		return;
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	s->running = false;
}

#endif /* SANDBOX_UTIL_H */
