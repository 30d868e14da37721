// SPDX-License-Identifier: GPL-2.0
/*
 * rdr_fuzz: drives /dev/redirect and the "redirect" generic-netlink family with
 * random and mutated input, as root inside a VM, ideally under the debug
 * kernel (KASAN, lockdep, kmemleak) where the kernel log tells the verdict.
 * One file (over 900 lines) on purpose: one self-contained binary copied into
 * the guest, its generators sharing one random state and one set of open handles.
 *
 *   rdr_fuzz [-s SEED]... [-S SEEDFILE] [-t SECONDS] [-n OPS] [-T 0|1] [-m] [-v]
 *
 * Each seed runs as one episode: a forked process whose operations (open,
 * handshake, every ioctl number in and around the module's range with any
 * direction and size, arguments from a fenced arena, random fds of many
 * kinds, seccomp targets that make trapped calls, rule sets, broker replies,
 * adoption, sessions closed at random times, netlink requests and dumps) are
 * drawn from a PRNG seeded with the seed alone: the sequence of operation
 * kinds is the same on every run, and each operation's choices come from a
 * stream of its own (seed, index), so they differ between runs only where
 * the state they act on does (what the kernel, the targets and the
 * scheduler did before). -T 0 drops the helper thread, the largest source
 * of such differences; -n and -v replay a prefix and print each operation.
 *
 * Oracles, besides the kernel log: every ioctl's errno must be one the UAPI
 * header lists for it (in the order of its common checks); a request handed
 * out by the broker must belong to a sandbox the fetching session owns; the
 * module must not unload while a session is open (-m); after each episode
 * every sandbox must end and the module's reference count return to zero.
 *
 * Output: TAP, one line per seed, diagnostics as "#" lines. Exit status 0
 * when every seed passed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/utsname.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "../sandbox/sandbox_util.h"
#include "rel_util.h"
#include "rel_nl.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#endif

#define PAGE 4096UL

/* Calls the targets trap with SECCOMP_RET_USER_NOTIF: harmless to answer anyhow. */
static const int trap_nrs[] = {
	__NR_getppid, __NR_getpgid, __NR_uname, __NR_getcwd, __NR_openat, __NR_getpriority,
};
#define NR_TRAPS ((int)(sizeof(trap_nrs) / sizeof(trap_nrs[0])))

static const char *const paths[] = {
	"/etc/hostname", "/etc/passwd", "/tmp/rdr-fuzz", "/proc/self/status", "/dev/null",
	"/etc", "/", "", "/etc/hostname/../passwd",
};
#define NR_PATHS ((int)(sizeof(paths) / sizeof(paths[0])))

/* ---- options and results ------------------------------------------------------ */

static struct {
	int seconds;
	long max_ops;
	int verbose;
	int thread;
	int rmmod;
} opt = { .seconds = 60, .max_ops = -1, .thread = 1 };

enum op_kind {
	OP_OPEN, OP_CLOSE_SESSION, OP_DUP_SESSION, OP_HANDSHAKE, OP_IOCTL_RANDOM, OP_ATTACH,
	OP_SET_RULES, OP_ADOPT, OP_BROKER, OP_ANSWER, OP_POLL, OP_SPAWN, OP_KILL, OP_NL_SEND,
	OP_NL_RULES, OP_NL_DRAIN, OP_NL_CLOSE, OP_NL_GROUP, OP_FDS, OP_RMMOD, OP_MAX
};

static const char *const op_names[] = {
	"open", "close", "dup", "handshake", "ioctl", "attach", "set_rules", "adopt", "broker",
	"answer", "poll", "spawn", "kill", "nl_send", "nl_rules", "nl_drain", "nl_close",
	"nl_group", "fds", "rmmod",
};

/* Sent from an episode to its parent at the end. */
struct summary {
	long ops;
	long per_op[OP_MAX];
	long ioctl_ok, ioctl_err;
	long attached, fetched, replied_ok, nl_sent, nl_msgs;
	long violations;
	long unload_ok;
	long helper_fetched, helper_replied;
	char first_violation[256];
};

static struct summary sum;

static void violation(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!sum.violations++)
		snprintf(sum.first_violation, sizeof(sum.first_violation), "%s", buf);
	printf("# violation: %s\n", buf);
	fflush(stdout);
}

static void vlog(const char *fmt, ...)
{
	va_list ap;

	if (!opt.verbose)
		return;
	va_start(ap, fmt);
	printf("# [%ld] ", sum.ops);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

/* ---- the arena: argument memory with fences ------------------------------------ */

/*
 * Each arena is RW pages followed by a PROT_NONE page and a read-only page,
 * so an argument can end exactly at, or straddle, memory the kernel cannot
 * touch, or sit where it can read but not write back.
 */
struct arena {
	char *base;
	size_t rw;	/* bytes of the RW part */
};

static struct arena a_arg, a_rules, a_replies, a_requests;

static void arena_init(struct arena *a, size_t rw_pages)
{
	size_t len = (rw_pages + 2) * PAGE;

	a->base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->base == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	a->rw = rw_pages * PAGE;
	memset(a->base + a->rw + PAGE, 0x5a, PAGE);
	mprotect(a->base + a->rw, PAGE, PROT_NONE);
	mprotect(a->base + a->rw + PAGE, PAGE, PROT_READ);
}

/*
 * Where to put @size bytes: a user address, usually in the RW part (the
 * bytes are then written at the returned address by the caller), sometimes
 * against or across the fence, read-only, NULL or not a user address at all.
 * *writable says whether the caller may fill it.
 */
static char *arena_place(struct rng *r, struct arena *a, size_t size, bool *writable)
{
	size_t fence = a->rw;

	*writable = true;
	if (size > a->rw)
		size = a->rw;
	switch (rng_below(r, 40)) {
	case 0:
		*writable = false;
		return NULL;
	case 1:
		*writable = false;
		return (char *)0xffffffff81000000UL;	/* kernel text */
	case 2:
		*writable = false;
		return (char *)0x8000000000000000UL;	/* non-canonical */
	case 3:
	case 4:
		*writable = false;
		return a->base + fence + PAGE;		/* read-only */
	case 5:
	case 6:
	case 7:
		/* straddles the fence: the tail is unreadable */
		if (size > 1)
			return a->base + fence - size + 1 + rng_below(r, size - 1);
		/* fallthrough */
	case 8:
	case 9:
	case 10:
	case 11:
		return a->base + fence - size;		/* ends at the fence */
	case 12:
	case 13:
		return a->base + rng_below(r, a->rw - size + 1);	/* unaligned */
	default:
		return a->base;
	}
}

/* ---- fds of many kinds ------------------------------------------------------------ */

enum fd_kind {
	FD_SESSION, FD_LISTENER, FD_PIDFD, FD_PIPE, FD_EVENTFD, FD_MEMFD, FD_NETLINK,
	FD_DEVNULL, FD_EPOLL, FD_SIGNALFD, FD_TIMERFD, FD_SOCKET, FD_KINDS
};

#define MAX_FDS 96
struct fdent {
	int fd;
	int kind;
	int sess;	/* FD_SESSION: index in sessions[] */
};

static struct fdent fds[MAX_FDS];
static int nr_fds;
static int closed_fds[16];	/* numbers recently closed, for EBADF */

static void fd_forget_at(int i)
{
	memmove(closed_fds + 1, closed_fds, sizeof(closed_fds) - sizeof(closed_fds[0]));
	closed_fds[0] = fds[i].fd;
	fds[i] = fds[--nr_fds];
}

static void fd_add(int fd, int kind, int sess)
{
	if (fd < 0)
		return;
	if (nr_fds == MAX_FDS) {
		/* Full: a new fd replaces an old one that is neither session nor socket. */
		int i = (int)(fd * 2654435761U % MAX_FDS), k;

		for (k = 0; k < MAX_FDS; k++, i = (i + 1) % MAX_FDS)
			if (fds[i].kind != FD_SESSION && fds[i].kind != FD_NETLINK)
				break;
		if (k == MAX_FDS) {
			close(fd);
			return;
		}
		close(fds[i].fd);
		fd_forget_at(i);
	}
	fds[nr_fds++] = (struct fdent){ fd, kind, sess };
}

static int fd_find_kind(struct rng *r, int kind)
{
	int idx[MAX_FDS], n = 0, i;

	for (i = 0; i < nr_fds; i++)
		if (fds[i].kind == kind)
			idx[n++] = i;
	return n ? idx[rng_below(r, n)] : -1;
}

/* Any fd number worth passing where the module expects an fd. */
static int pick_any_fd(struct rng *r, int prefer_kind)
{
	int i;

	if (prefer_kind >= 0 && rng_below(r, 3)) {
		i = fd_find_kind(r, prefer_kind);
		if (i >= 0)
			return fds[i].fd;
	}
	switch (rng_below(r, 10)) {
	case 0:
		return closed_fds[rng_below(r, 16)];
	case 1:
		return (int)rng_interesting(r);
	case 2:
		return -1;
	default:
		return nr_fds ? fds[rng_below(r, nr_fds)].fd : -1;
	}
}

/* ---- sessions ------------------------------------------------------------------ */

#define MAX_SESSIONS 12
#define MAX_OWNED 256
struct session {
	int refs;		/* fds of ours referring to it; 0: closed */
	bool ready;		/* handshaken */
	__u64 features;
	bool owned_unknown;	/* attached with an id we could not read back */
	int nr_owned;
	__u32 owned[MAX_OWNED];
};

static struct session sessions[MAX_SESSIONS];

static int sessions_open(void)
{
	int i, n = 0;

	for (i = 0; i < MAX_SESSIONS; i++)
		n += sessions[i].refs > 0;
	return n;
}

static void session_own(struct session *s, __u32 id)
{
	int i;

	for (i = 0; i < s->nr_owned; i++)
		if (s->owned[i] == id)
			return;
	if (s->nr_owned < MAX_OWNED)
		s->owned[s->nr_owned++] = id;
	else
		s->owned_unknown = true;
}

static bool session_owns(struct session *s, __u32 id)
{
	int i;

	for (i = 0; i < s->nr_owned; i++)
		if (s->owned[i] == id)
			return true;
	return s->owned_unknown;
}

/* Sandbox ids seen in this episode, for adopt, replies and netlink. */
static __u32 known_ids[256];
static int nr_known;

static void known_add(__u32 id)
{
	int i;

	for (i = 0; i < nr_known; i++)
		if (known_ids[i] == id)
			return;
	if (nr_known < 256)
		known_ids[nr_known++] = id;
	else
		known_ids[id % 256] = id;
}

static __u32 pick_id(struct rng *r)
{
	if (nr_known && rng_below(r, 5))
		return known_ids[rng_below(r, nr_known)] + (rng_one_in(r, 10) ? 1 : 0);
	return (__u32)rng_interesting(r);
}

/* Requests handed out, for replies that name a real id. */
struct held {
	int sess;
	__u32 sandbox_id;
	__u64 id;
	__u64 arg0;
	int nr;
};

#define MAX_HELD 128
static struct held held[MAX_HELD];
static int nr_held;

static void held_add(int sess, const struct redirect_request *req)
{
	struct held h = { sess, req->sandbox_id, req->notif.id, req->notif.data.args[0],
			  req->notif.data.nr };

	if (nr_held == MAX_HELD)
		memmove(held, held + 1, sizeof(held) - sizeof(held[0])), nr_held--;
	held[nr_held++] = h;
}

static void held_forget_session(int sess)
{
	int i, k = 0;

	for (i = 0; i < nr_held; i++)
		if (held[i].sess != sess)
			held[k++] = held[i];
	nr_held = k;
}

static void check_errno(unsigned int cmd, const struct session *s, int ret, int err);

/* ---- targets: processes under a seccomp filter with a listener ---------------------- */

#define MAX_TARGETS 8
struct fuzz_target {
	pid_t pid;
	int pidfd;	/* in fds[] too */
	int listener;	/* in fds[] too */
};

static struct fuzz_target targets[MAX_TARGETS];
static pid_t episode_pid;

/* One thread of a target: trapped and untrapped calls with random arguments. */
static void *target_loop(void *arg)
{
	struct rng r = { (uint64_t)(uintptr_t)arg };
	char buf[512];
	struct utsname uts;

	for (;;) {
		long a[6];
		int i, fd;

		for (i = 0; i < 6; i++)
			a[i] = rng_one_in(&r, 2) ? (long)rng_below(&r, 8) : (long)rng_interesting(&r);
		switch (rng_below(&r, 10)) {
		case 0:
			syscall(__NR_getppid, a[0], a[1], a[2], a[3], a[4], a[5]);
			break;
		case 1:
			syscall(__NR_getpgid, rng_below(&r, 2) ? 0 : a[0], a[1], a[2]);
			break;
		case 2:
			syscall(__NR_uname, rng_one_in(&r, 8) ? (void *)a[0] : &uts);
			break;
		case 3:
			syscall(__NR_getcwd, rng_one_in(&r, 8) ? (char *)a[0] : buf,
				rng_below(&r, sizeof(buf)));
			break;
		case 4:
		case 5:
			fd = syscall(__NR_openat, AT_FDCWD,
				     rng_one_in(&r, 10) ? (const char *)a[1] :
				     paths[rng_below(&r, NR_PATHS)], O_RDONLY | O_CLOEXEC, 0);
			/* a Sentry may answer anything: close only what we could own */
			if (fd > 2 && fd < 64)
				close(fd);
			break;
		case 6:
			syscall(__NR_getpriority, rng_below(&r, 4), a[1]);
			break;
		case 7:
			getuid();
			break;
		default:
			if (rng_one_in(&r, 4))
				usleep(rng_below(&r, 2000));
			break;
		}
	}
	return NULL;
}

/*
 * Die when @parent does. PDEATHSIG set after the parent already died never
 * fires: such a child would live on, trapped, and keep its sandbox (F9).
 * Only before the filter is installed: getppid() is a trapped call.
 */
static void die_with(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
}

/*
 * Fork a target: it installs the filter, hands its listener over and starts
 * making calls at once (so some are pending before the attach). Variants:
 * threads, a forked second process in the same sandbox, WAIT_KILLABLE_RECV,
 * or exiting at once (a listener whose filter has no user left).
 */
static void target_spawn(struct rng *r)
{
	int sv[2], slot, i, nthreads = 1 + (int)rng_below(r, 3);
	unsigned int flags = rng_one_in(r, 3) ? SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV : 0;
	bool forker = rng_one_in(r, 5), exit_at_once = rng_one_in(r, 12);
	uint64_t tseed = rng_next(r);
	pid_t pid;

	for (slot = 0; slot < MAX_TARGETS; slot++)
		if (!targets[slot].pid)
			break;
	if (slot == MAX_TARGETS)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0) {
		int fd, lst;

		die_with(episode_pid);
		for (fd = 3; fd < 1024; fd++)
			if (fd != sv[1])
				close(fd);
		lst = install_notify_filter(trap_nrs, NR_TRAPS, flags);
		if (lst < 0 || send_fd(sv[1], lst))
			_exit(97);
		close(lst);
		close(sv[1]);
		if (exit_at_once)
			_exit(0);
		if (forker) {
			/*
			 * getppid() is trapped now, and under FAIL_HOLD its answer
			 * may never come: the child learns of its parent's death
			 * from a pipe the parent holds open instead.
			 */
			int alive[2];

			if (pipe(alive))
				_exit(98);
			if (fork() == 0) {
				struct pollfd pfd = { .fd = alive[0] };

				prctl(PR_SET_PDEATHSIG, SIGKILL);
				close(alive[1]);
				if (poll(&pfd, 1, 0) != 0)
					_exit(0);
				close(alive[0]);
			} else {
				close(alive[0]);
			}
		}
		for (i = 1; i < nthreads; i++) {
			pthread_t t;

			pthread_create(&t, NULL, target_loop, (void *)(uintptr_t)(tseed + i));
		}
		target_loop((void *)(uintptr_t)tseed);
		_exit(0);
	}
	close(sv[1]);
	targets[slot].pid = pid;
	targets[slot].listener = recv_fd(sv[0]);
	targets[slot].pidfd = syscall(__NR_pidfd_open, pid, 0);
	close(sv[0]);
	fd_add(targets[slot].listener, FD_LISTENER, -1);
	fd_add(targets[slot].pidfd, FD_PIDFD, -1);
	vlog("spawn target %d%s%s%s", pid, flags ? " killable" : "", forker ? " forker" : "",
	     exit_at_once ? " exits" : "");
	if (exit_at_once) {
		waitpid(pid, NULL, 0);
		targets[slot].pid = 0;
		return;
	}
	/* Half the targets are attached properly at once, so that sandboxes do exist. */
	if (rng_below(r, 2)) {
		int i = fd_find_kind(r, FD_SESSION);
		struct session *s = i >= 0 ? &sessions[fds[i].sess] : NULL;
		struct redirect_attach a = {
			.listener_fd = targets[slot].listener,
			.pidfd = targets[slot].pidfd,
			.fail_mode = REDIRECT_FAIL_HOLD,
		};

		if (!s || !s->ready || !(s->features & REDIRECT_FEATURE_ATTACH))
			return;
		snprintf(a.name, sizeof(a.name), "fuzz-%d", pid);
		if (!ioctl(fds[i].fd, REDIRECT_IOC_ATTACH, &a)) {
			sum.attached++;
			known_add(a.sandbox_id);
			session_own(s, a.sandbox_id);
		} else {
			check_errno(REDIRECT_IOC_ATTACH, s, -1, errno);
		}
	}
}

static void target_kill(struct rng *r)
{
	int live[MAX_TARGETS], n = 0, i;
	struct fuzz_target *t;

	for (i = 0; i < MAX_TARGETS; i++)
		if (targets[i].pid)
			live[n++] = i;
	if (!n)
		return;
	t = &targets[live[rng_below(r, n)]];
	vlog("kill target %d", t->pid);
	kill(t->pid, SIGKILL);
	/* Reaped now or later: the sandbox ends only once it is reaped. */
	if (rng_below(r, 2))
		waitpid(t->pid, NULL, 0);
	t->pid = 0;
}

/* ---- structure generators ---------------------------------------------------------- */

static void gen_name(struct rng *r, char *name)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789._:-";
	int len = 1 + (int)rng_below(r, REDIRECT_NAME_MAX - 1), i;

	memset(name, 0, REDIRECT_NAME_MAX);
	for (i = 0; i < len - (rng_one_in(r, 20) ? 0 : 1); i++)
		name[i] = alnum[rng_below(r, sizeof(alnum) - 1)];
	if (rng_one_in(r, 8))
		name[rng_below(r, REDIRECT_NAME_MAX)] = (char)rng_next(r);
}

static void gen_rule(struct rng *r, struct redirect_rule *ru)
{
	int i;

	memset(ru, 0, sizeof(*ru));
	ru->nr = rng_below(r, 4) ? (__u32)trap_nrs[rng_below(r, NR_TRAPS)] :
		 (rng_below(r, 2) ? (__u32)rng_below(r, 1024) : (__u32)rng_interesting(r));
	ru->verdict = rng_below(r, 8) ? (__u16)rng_below(r, 4) : (__u16)rng_next(r);
	switch (ru->verdict) {
	case REDIRECT_VERDICT_ERRNO:
		ru->value = 1 + rng_below(r, 4095);
		break;
	case REDIRECT_VERDICT_VALUE:
		ru->value = rng_below(r, 2) ? (__s64)rng_below(r, 1000) : (__s64)rng_interesting(r);
		break;
	default:
		break;
	}
	if (rng_one_in(r, 4))
		ru->flags = REDIRECT_RULE_AUDIT;
	if (rng_one_in(r, 3))
		ru->limit = rng_below(r, 5);
	ru->nr_args = (__u8)rng_below(r, 3);
	for (i = 0; i < ru->nr_args; i++) {
		ru->args[i].index = (__u8)rng_below(r, 6);
		ru->args[i].op = (__u8)(1 + rng_below(r, 6));
		ru->args[i].mask = rng_below(r, 2) ? ~0ULL : rng_interesting(r);
		ru->args[i].value = rng_below(r, 2) ? rng_below(r, 8) : rng_interesting(r);
	}
	if (rng_one_in(r, 3)) {
		const char *p = paths[rng_below(r, NR_PATHS)];
		size_t len = strlen(p);

		if (len) {
			ru->str_index = 1;	/* openat's path */
			ru->str_match = (__u8)(1 + rng_below(r, 2));
			ru->str_len = (__u32)(rng_below(r, 2) ? len : 1 + rng_below(r, len));
			memcpy(ru->str, p, ru->str_len);
		}
	}
	/* Mutate one time in four: most rule sets should pass validation. */
	if (rng_one_in(r, 4)) {
		int flips = 1 + (int)rng_below(r, 3);

		while (flips--)
			((unsigned char *)ru)[rng_below(r, sizeof(*ru))] ^= 1 << rng_below(r, 8);
	}
}

/* Flip bits or plant an interesting value in the first @len bytes of @p. */
static void mutate(struct rng *r, void *p, size_t len)
{
	unsigned char *b = p;
	int n;

	if (!len || rng_below(r, 3))
		return;
	n = 1 + (int)rng_below(r, 4);
	while (n--) {
		size_t off = rng_below(r, len);

		if (rng_below(r, 2)) {
			b[off] ^= 1 << rng_below(r, 8);
		} else {
			__u64 v = rng_interesting(r);
			size_t w = 1U << rng_below(r, 4);

			off &= ~(w - 1);
			if (off + w <= len)
				memcpy(b + off, &v, w);
		}
	}
}

/* ---- the ioctl oracle ----------------------------------------------------------------- */

typedef unsigned __int128 errset;
#define E(x) ((errset)1 << (x))

/* Which errnos may @cmd return on a session in @s's state? 0 means "must succeed". */
static errset allowed_errnos(unsigned int cmd, const struct session *s)
{
	unsigned int nr = _IOC_NR(cmd), dir = _IOC_DIR(cmd);
	errset ext = E(EINVAL) | E(E2BIG) | E(EFAULT);
	static const struct {
		unsigned int cmd;
		__u64 feature;
		errset errs;
	} tab[] = {
		{ REDIRECT_IOC_ATTACH, REDIRECT_FEATURE_ATTACH,
		  E(EBADF) | E(EALREADY) | E(EPIPE) | E(ENOSPC) | E(ENOMEM) | E(EINTR) },
		{ REDIRECT_IOC_SET_RULES, REDIRECT_FEATURE_FASTPATH,
		  E(ENOENT) | E(EPERM) | E(ENOMEM) },
		{ REDIRECT_IOC_ADOPT, REDIRECT_FEATURE_CUSTODY, E(ENOENT) | E(EBUSY) },
		{ REDIRECT_IOC_BROKER, REDIRECT_FEATURE_BROKER, E(EINTR) | E(ENOMEM) },
	};
	size_t i;

	if (_IOC_TYPE(cmd) != REDIRECT_IOC_MAGIC)
		return E(ENOTTY);
	if (nr == REDIRECT_IOC_NR_HANDSHAKE) {
		if (dir != _IOC_DIR(REDIRECT_IOC_HANDSHAKE))
			return E(ENOTTY);
		return ext | E(EBUSY) | E(EPROTONOSUPPORT) | E(EOPNOTSUPP);
	}
	/* The order of the UAPI header: an unassigned number is unknown in any state. */
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (nr == _IOC_NR(tab[i].cmd))
			break;
	if (i == sizeof(tab) / sizeof(tab[0]))
		return E(ENOTTY);
	if (!s->ready)
		return E(EPROTO);
	if (dir != _IOC_DIR(tab[i].cmd))
		return E(ENOTTY);
	if (!(s->features & tab[i].feature))
		return E(EOPNOTSUPP);
	return ext | tab[i].errs;
}

static void check_errno(unsigned int cmd, const struct session *s, int ret, int err)
{
	errset allowed = allowed_errnos(cmd, s);

	if (ret == 0) {
		sum.ioctl_ok++;
		/* Only ioctls in the range that passed the common checks may succeed. */
		if (allowed == E(ENOTTY) || allowed == E(EPROTO) || allowed == E(EOPNOTSUPP))
			violation("ioctl %#x succeeded, expected %s", cmd,
				  allowed == E(ENOTTY) ? "ENOTTY" :
				  allowed == E(EPROTO) ? "EPROTO" : "EOPNOTSUPP");
		return;
	}
	sum.ioctl_err++;
	if (err <= 0 || err >= 128 || !(allowed & E(err)))
		violation("ioctl %#x (nr %#x dir %u size %u, session %s features %#llx): "
			  "errno %d (%s) not in the contract", cmd, _IOC_NR(cmd), _IOC_DIR(cmd),
			  _IOC_SIZE(cmd), s->ready ? "ready" : "new",
			  (unsigned long long)s->features, err, strerror(err));
}

/* ---- ioctl operations ---------------------------------------------------------------- */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/* Interrupt whatever blocks in @ms milliseconds (SIGALRM, no SA_RESTART). */
static void arm_timer(long ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_timer(void)
{
	struct itimerval it = {};

	setitimer(ITIMER_REAL, &it, NULL);
}

/* Is @cmd the ioctl @good, whatever its size? */
static bool is_cmd(unsigned int cmd, unsigned int good)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(good) && _IOC_NR(cmd) == _IOC_NR(good) &&
	       _IOC_DIR(cmd) == _IOC_DIR(good);
}

/* The argument bytes as the last do_ioctl() passed them in (after mutation). */
static unsigned char last_in[256];

static int pick_session(struct rng *r, int *sess)
{
	int i = fd_find_kind(r, FD_SESSION);

	if (i < 0)
		return -1;
	*sess = fds[i].sess;
	return fds[i].fd;
}

/* An ioctl command for number @nr: usually right, sometimes any dir/size/magic. */
static unsigned int gen_cmd(struct rng *r, unsigned int good)
{
	unsigned int type = REDIRECT_IOC_MAGIC, nr = _IOC_NR(good), dir = _IOC_DIR(good);
	unsigned int size = _IOC_SIZE(good);
	static const unsigned int magics[] = { 0xD6, 0xD8, 0xFF, 0x01 };

	if (rng_below(r, 3))
		return good;
	switch (rng_below(r, 6)) {
	case 0:
		type = magics[rng_below(r, 4)];
		break;
	case 1:
		nr = (unsigned int)rng_below(r, 0x28);
		break;
	case 2:
		dir = (unsigned int)rng_below(r, 4);
		break;
	default: {
		static const unsigned int sizes[] = { 0, 1, 7, 8, 23, 24, 32, 39, 40, 48, 55, 56,
						      64, 4095, 4096, 4097, 8192, 16383 };

		size = rng_below(r, 3) ? sizes[rng_below(r, sizeof(sizes) / sizeof(sizes[0]))] :
					 (unsigned int)rng_below(r, 16384);
		break;
	}
	}
	return _IOC(dir, type, nr, size);
}

/*
 * Run ioctl @cmd on session fd @fd with @body (@blen bytes of the intended
 * structure) placed in the argument arena. Returns the ioctl's result, errno
 * in *err; *where gets the user address used (NULL if not writable by us).
 */
static int do_ioctl(struct rng *r, int fd, int sess, unsigned int cmd, const void *body,
		    size_t blen, char **where)
{
	size_t size = _IOC_SIZE(cmd), fill = size > blen ? size : blen;
	struct session dummy = {};
	bool writable;
	char *p;
	int ret, err;

	if (fill > a_arg.rw)
		fill = a_arg.rw;
	p = arena_place(r, &a_arg, size ? size : blen, &writable);
	if (writable) {
		size_t room = a_arg.base + a_arg.rw - p, n = fill < room ? fill : room;
		size_t b = blen < n ? blen : n;

		memcpy(p, body, b);
		if (n > b) {
			if (rng_one_in(r, 6))
				rng_bytes(r, p + b, n - b);
			else
				memset(p + b, 0, n - b);
		}
		mutate(r, p, n);
		memset(last_in, 0, sizeof(last_in));
		memcpy(last_in, p, n < sizeof(last_in) ? n : sizeof(last_in));
	}
	/*
	 * A mutated timeout may wait for ever: SIGALRM always ends a call
	 * (the broker's wait is interruptible), usually soon, sometimes at once.
	 */
	arm_timer(rng_one_in(r, 10) ? 1 + rng_below(r, 20) : 60);
	ret = ioctl(fd, cmd, p);
	err = errno;
	disarm_timer();
	check_errno(cmd, sess >= 0 ? &sessions[sess] : &dummy, ret, ret ? err : 0);
	*where = writable ? p : NULL;
	errno = err;
	return ret;
}

static void op_open(struct rng *r)
{
	int s, fd;

	for (s = 0; s < MAX_SESSIONS; s++)
		if (!sessions[s].refs)
			break;
	if (s == MAX_SESSIONS)
		return;
	fd = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC | (rng_one_in(r, 4) ? O_NONBLOCK : 0));
	if (fd < 0) {
		if (errno != ENOENT || !rdr_module_loaded())
			vlog("open: %s", strerror(errno));
		return;
	}
	memset(&sessions[s], 0, sizeof(sessions[s]));
	sessions[s].refs = 1;
	fd_add(fd, FD_SESSION, s);
	vlog("open session %d fd %d", s, fd);
	/* Most sessions handshake right away, so that the deeper ioctls get exercised. */
	if (rng_below(r, 5)) {
		struct redirect_handshake hs = {
			.api_version = REDIRECT_API_VERSION,
			.features = rng_below(r, 4) ? 0x3f : rng_below(r, 64),
			.notif_size = sizeof(struct seccomp_notif),
			.resp_size = sizeof(struct seccomp_notif_resp),
			.addfd_size = sizeof(struct seccomp_notif_addfd),
		};

		if (!ioctl(fd, REDIRECT_IOC_HANDSHAKE, &hs)) {
			sessions[s].ready = true;
			sessions[s].features = hs.features;
		}
	}
}

static void op_close_session(struct rng *r)
{
	int i = fd_find_kind(r, FD_SESSION);

	if (i < 0)
		return;
	vlog("close session %d fd %d", fds[i].sess, fds[i].fd);
	if (!--sessions[fds[i].sess].refs)
		held_forget_session(fds[i].sess);
	close(fds[i].fd);
	fd_forget_at(i);
}

static void op_dup_session(struct rng *r)
{
	int i = fd_find_kind(r, FD_SESSION), fd;

	if (i < 0 || nr_fds >= MAX_FDS)
		return;
	fd = fcntl(fds[i].fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return;
	sessions[fds[i].sess].refs++;
	fd_add(fd, FD_SESSION, fds[i].sess);
}

static void op_handshake(struct rng *r)
{
	struct redirect_handshake hs = {
		.api_version = rng_below(r, 8) ? REDIRECT_API_VERSION : (__u32)rng_interesting(r),
		.features = rng_below(r, 4) ? (rng_below(r, 2) ? 0x3f : rng_below(r, 64)) :
					      rng_interesting(r),
		/* mostly right; sometimes a caller built against other headers */
		.notif_size = rng_below(r, 8) ? sizeof(struct seccomp_notif) :
						(__u16)rng_interesting(r),
		.resp_size = sizeof(struct seccomp_notif_resp),
		.addfd_size = sizeof(struct seccomp_notif_addfd),
	};
	unsigned int cmd = gen_cmd(r, REDIRECT_IOC_HANDSHAKE);
	int sess, fd = pick_session(r, &sess), ret;
	char *p;

	if (fd < 0)
		return;
	ret = do_ioctl(r, fd, sess, cmd, &hs, sizeof(hs), &p);
	vlog("handshake fd %d cmd %#x: %d %s", fd, cmd, ret, ret ? strerror(errno) : "");
	if (!ret && is_cmd(cmd, REDIRECT_IOC_HANDSHAKE)) {
		struct redirect_handshake out;

		/* The answer went where we put the question. */
		memcpy(&out, p, sizeof(out));
		if (out.api_version != REDIRECT_API_VERSION || (out.features & ~out.supported))
			violation("handshake answer: version %u features %#llx supported %#llx",
				  out.api_version, (unsigned long long)out.features,
				  (unsigned long long)out.supported);
		sessions[sess].ready = true;
		sessions[sess].features = out.features;
	}
}

/* An ioctl with any number near the range and any bytes. */
static void op_ioctl_random(struct rng *r)
{
	unsigned char body[256];
	unsigned int cmd = _IOC((unsigned int)rng_below(r, 4),
				rng_below(r, 8) ? REDIRECT_IOC_MAGIC : 0xD8,
				(unsigned int)rng_below(r, 0x28),
				rng_below(r, 2) ? (unsigned int)rng_below(r, 128) :
						  (unsigned int)rng_interesting(r) & 0x3fff);
	int sess = -1, fd;
	char *p;

	fd = rng_one_in(r, 10) ? pick_any_fd(r, -1) : pick_session(r, &sess);
	if (fd < 0)
		return;
	/* Only sessions have an oracle: other fds answer for themselves. */
	if (sess < 0) {
		int i;

		for (i = 0; i < nr_fds; i++)
			if (fds[i].fd == fd && fds[i].kind == FD_SESSION)
				sess = fds[i].sess;
		if (sess < 0) {
			ioctl(fd, cmd, rng_below(r, 2) ? NULL : a_arg.base);
			return;
		}
	}
	rng_bytes(r, body, sizeof(body));
	if (rng_below(r, 2))
		memset(body, 0, rng_below(r, sizeof(body)));
	do_ioctl(r, fd, sess, cmd, body, sizeof(body), &p);
}

static void op_attach(struct rng *r)
{
	struct redirect_attach a = {
		.listener_fd = pick_any_fd(r, FD_LISTENER),
		.pidfd = rng_below(r, 3) ? -1 : pick_any_fd(r, FD_PIDFD),
		.fail_mode = rng_below(r, 8) ? (__u32)rng_below(r, 2) : (__u32)rng_interesting(r),
		.hold_timeout_ms = rng_below(r, 3) ? 0 : (__u32)rng_below(r, 50),
	};
	unsigned int cmd = gen_cmd(r, REDIRECT_IOC_ATTACH);
	int sess, fd = pick_session(r, &sess), ret;
	char *p;

	if (fd < 0)
		return;
	if (a.fail_mode == REDIRECT_FAIL_KILL && a.pidfd < 0 && rng_below(r, 2))
		a.pidfd = pick_any_fd(r, FD_PIDFD);
	if (a.hold_timeout_ms && a.pidfd < 0)
		a.pidfd = pick_any_fd(r, FD_PIDFD);
	gen_name(r, a.name);
	ret = do_ioctl(r, fd, sess, cmd, &a, sizeof(a), &p);
	vlog("attach fd %d listener %d: %d %s", fd, a.listener_fd, ret, ret ? strerror(errno) : "");
	if (!is_cmd(cmd, REDIRECT_IOC_ATTACH))
		return;
	if (!ret) {
		struct redirect_attach out;

		memcpy(&out, p, sizeof(out));
		if (!out.sandbox_id)
			violation("attach returned sandbox id 0");
		sum.attached++;
		known_add(out.sandbox_id);
		session_own(&sessions[sess], out.sandbox_id);
	} else if (errno == EFAULT && sessions[sess].ready) {
		/* It may have attached with an id we could not read back. */
		sessions[sess].owned_unknown = true;
	}
}

static void op_set_rules(struct rng *r)
{
	unsigned int cmd = gen_cmd(r, REDIRECT_IOC_SET_RULES);
	__u32 n = rng_below(r, 6) ? (__u32)rng_below(r, 16) :
		  (rng_below(r, 2) ? (__u32)rng_below(r, 1100) : (__u32)rng_interesting(r));
	__u32 rsize = rng_below(r, 6) ? sizeof(struct redirect_rule) :
		      (__u32)(rng_below(r, 2) ? 300 + rng_below(r, 10) : rng_interesting(r));
	struct redirect_rules h = {
		.sandbox_id = pick_id(r),
		.nr_rules = n,
		.rule_size = rsize,
	};
	int sess, fd = pick_session(r, &sess), ret;
	size_t bytes, i, gen;
	bool writable;
	char *rp, *p;

	if (fd < 0)
		return;
	bytes = (size_t)n * rsize;
	if (bytes > a_rules.rw)
		bytes = a_rules.rw;
	rp = arena_place(r, &a_rules, bytes ? bytes : 1, &writable);
	if (writable && rsize >= 8 && rsize <= PAGE) {
		size_t room = a_rules.base + a_rules.rw - rp;

		gen = room / rsize;
		if (gen > n)
			gen = n;
		for (i = 0; i < gen; i++) {
			struct redirect_rule ru;
			char *dst = rp + i * rsize;

			gen_rule(r, &ru);
			memcpy(dst, &ru, rsize < sizeof(ru) ? rsize : sizeof(ru));
			if (rsize > sizeof(ru))
				memset(dst + sizeof(ru), rng_one_in(r, 10) ? 0xff : 0,
				       rsize - sizeof(ru));
		}
	}
	h.rules = (uintptr_t)rp;
	ret = do_ioctl(r, fd, sess, cmd, &h, sizeof(h), &p);
	vlog("set_rules fd %d id %u n %u size %u: %d %s", fd, h.sandbox_id, n, rsize, ret,
	     ret ? strerror(errno) : "");
}

static void op_adopt(struct rng *r)
{
	struct redirect_adopt a = { .sandbox_id = pick_id(r), .flags = rng_one_in(r, 10) };
	unsigned int cmd = gen_cmd(r, REDIRECT_IOC_ADOPT);
	int sess, fd = pick_session(r, &sess), ret;
	char *p;

	if (fd < 0)
		return;
	ret = do_ioctl(r, fd, sess, cmd, &a, sizeof(a), &p);
	vlog("adopt fd %d id %u: %d %s", fd, a.sandbox_id, ret, ret ? strerror(errno) : "");
	if (!ret && p && is_cmd(cmd, REDIRECT_IOC_ADOPT)) {
		struct redirect_adopt in;

		memcpy(&in, last_in, sizeof(in));	/* what the kernel read, after mutation */
		session_own(&sessions[sess], in.sandbox_id);
	}
}

/* A reply: to a request we hold (usually), or anything. */
static void gen_reply(struct rng *r, struct redirect_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	if (nr_held && rng_below(r, 4)) {
		struct held *h = &held[rng_below(r, nr_held)];

		rep->sandbox_id = h->sandbox_id;
		rep->resp.id = h->id;
		rep->addfd.id = h->id;
	} else {
		rep->sandbox_id = pick_id(r);
		rep->resp.id = rng_interesting(r);
		rep->addfd.id = rep->resp.id;
	}
	/* SEND, ADDFD, ID_VALID, CONTINUE_EXEC (its fd: any of ours) */
	rep->kind = rng_below(r, 8) ? 1 + (__u32)rng_below(r, 4) : (__u32)rng_interesting(r);
	switch (rng_below(r, 4)) {
	case 0:
		rep->resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		break;
	case 1:
		rep->resp.error = -(int)(1 + rng_below(r, 133));
		break;
	default:
		rep->resp.val = rng_below(r, 2) ? FWD_VAL(0) : (__s64)rng_interesting(r);
		break;
	}
	rep->addfd.srcfd = pick_any_fd(r, -1);
	rep->addfd.newfd = rng_below(r, 2) ? 0 : (__u32)rng_below(r, 100);
	rep->addfd.flags = (__u32)rng_below(r, 4);
	rep->addfd.newfd_flags = rng_below(r, 2) ? O_CLOEXEC : 0;
	mutate(r, rep, sizeof(*rep));
}

/* Check what the broker handed out and remember it; @sess fetched it. */
static void take_requests(int sess, const struct redirect_request *req, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++) {
		int k, trapped = 0;

		sum.fetched++;
		known_add(req[i].sandbox_id);
		if (!session_owns(&sessions[sess], req[i].sandbox_id))
			violation("session %d got a request of sandbox %u it does not own", sess,
				  req[i].sandbox_id);
		if (req[i].flags & ~REDIRECT_REQUEST_REPLAYED)
			violation("request flags %#x", req[i].flags);
		for (k = 0; k < NR_TRAPS; k++)
			trapped |= req[i].notif.data.nr == trap_nrs[k];
		if (!trapped || req[i].notif.data.arch != AUDIT_ARCH_X86_64)
			violation("request for a call no filter traps: nr %d arch %#x",
				  req[i].notif.data.nr, req[i].notif.data.arch);
		held_add(sess, &req[i]);
	}
}

static void op_broker(struct rng *r)
{
	unsigned int cmd = gen_cmd(r, REDIRECT_IOC_BROKER);
	__u32 nrep = rng_below(r, 8) ? (__u32)rng_below(r, 5) : (__u32)rng_interesting(r);
	__u32 maxreq = rng_below(r, 8) ? (__u32)rng_below(r, 9) : (__u32)rng_interesting(r);
	struct redirect_broker b = {
		.nr_replies = nrep,
		.max_requests = maxreq,
		.timeout_ms = rng_below(r, 3) ? 0 : (rng_below(r, 3) ? (int)rng_below(r, 30) : -1),
	};
	int sess, fd = pick_session(r, &sess), ret;
	bool wr_rep, wr_req;
	struct redirect_reply *rep;
	char *reqp, *p;
	__u32 i;

	if (fd < 0)
		return;
	rep = (struct redirect_reply *)arena_place(r, &a_replies,
						   (nrep < 256 ? nrep : 256) * sizeof(*rep) + 1,
						   &wr_rep);
	if (wr_rep) {
		size_t room = (a_replies.base + a_replies.rw - (char *)rep) / sizeof(*rep);

		for (i = 0; i < nrep && i < room; i++)
			gen_reply(r, &rep[i]);
	}
	reqp = arena_place(r, &a_requests, (maxreq < 256 ? maxreq : 256) *
			   sizeof(struct redirect_request) + 1, &wr_req);
	b.replies = (uintptr_t)rep;
	b.requests = (uintptr_t)reqp;
	ret = do_ioctl(r, fd, sess, cmd, &b, sizeof(b), &p);
	vlog("broker fd %d rep %u req %u t %d: %d %s", fd, nrep, maxreq, b.timeout_ms, ret,
	     ret ? strerror(errno) : "");
	if (!ret && p && is_cmd(cmd, REDIRECT_IOC_BROKER)) {
		struct redirect_broker out, in;

		memcpy(&out, p, sizeof(out));
		memcpy(&in, last_in, sizeof(in));
		if (out.nr_requests > in.max_requests || out.nr_replies > in.nr_replies)
			violation("broker: %u requests for max %u, %u replies of %u",
				  out.nr_requests, in.max_requests, out.nr_replies, in.nr_replies);
		/* The kernel used the (possibly mutated) pointer it read. */
		if (out.requests == (uintptr_t)reqp && wr_req && out.nr_requests <= 256)
			take_requests(sess, (struct redirect_request *)reqp, out.nr_requests);
		for (i = 0; wr_rep && out.replies == (uintptr_t)rep && i < out.nr_replies &&
		     i < 256; i++)
			sum.replied_ok += rep[i].result >= 0;
	}
}

/* Answer what we hold properly, through the session that fetched it. */
static void op_answer(struct rng *r)
{
	struct redirect_reply rep[16];
	int sess = -1, fd = -1, n = 0, i, k;
	struct redirect_broker b = {};

	for (i = 0; i < nr_fds && fd < 0; i++)
		if (fds[i].kind == FD_SESSION && nr_held && fds[i].sess == held[nr_held - 1].sess)
			fd = fds[i].fd, sess = fds[i].sess;
	if (fd < 0)
		return;
	for (i = nr_held - 1; i >= 0 && n < 16; i--) {
		if (held[i].sess != sess)
			continue;
		memset(&rep[n], 0, sizeof(rep[n]));
		rep[n].sandbox_id = held[i].sandbox_id;
		rep[n].kind = REDIRECT_REPLY_SEND;
		rep[n].resp.id = held[i].id;
		if (rng_one_in(r, 4))
			rep[n].resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		else
			rep[n].resp.val = FWD_VAL(held[i].arg0);
		n++;
		memmove(&held[i], &held[i + 1], (nr_held - i - 1) * sizeof(held[0]));
		nr_held--;
	}
	b.replies = (uintptr_t)rep;
	b.nr_replies = n;
	if (ioctl(fd, REDIRECT_IOC_BROKER, &b)) {
		check_errno(REDIRECT_IOC_BROKER, &sessions[sess], -1, errno);
		return;
	}
	for (k = 0; k < (int)b.nr_replies; k++) {
		long res = rep[k].result;

		sum.replied_ok += res >= 0;
		/* Ours to answer: done, target gone, or the sandbox ended. */
		if (res < 0 && res != -ENOENT && res != -ESRCH)
			violation("reply to a request session %d holds: %ld (%s)", sess, res,
				  strerror((int)-res));
	}
}

static void op_poll(struct rng *r)
{
	struct pollfd p[4];
	int n = 0, i;

	for (i = 0; i < 4; i++) {
		int fd = pick_any_fd(r, FD_SESSION);

		if (fd >= 0)
			p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	}
	poll(p, n, (int)rng_below(r, 3));
}

/* ---- netlink ----------------------------------------------------------------------- */

#define MAX_NL 3
static struct rnl nls[MAX_NL];
static __u16 family_id;
static __u32 events_grp;

static struct rnl *pick_nl(struct rng *r)
{
	struct rnl *nl = &nls[rng_below(r, MAX_NL)];

	if (nl->fd < 0) {
		if (rnl_socket(nl))
			return NULL;
		nl->family = family_id;
		if (rng_one_in(r, 3)) {
			int sz = 1024 + (int)rng_below(r, 4096);

			setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		}
		fd_add(nl->fd, FD_NETLINK, -1);
	}
	return nl;
}

static void nl_drain(struct rnl *nl, int rounds)
{
	static char buf[1 << 16];

	while (rounds--) {
		ssize_t n = recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = nl->fd, .events = POLLIN };

			if (poll(&p, 1, 5) <= 0)
				break;
			continue;
		}
		if (n < 0 && errno != ENOBUFS)
			break;
		if (n > 0) {
			struct nlmsghdr *h;

			for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
				sum.nl_msgs++;
		}
	}
}

static void gen_attr(struct rng *r, struct rnl_msg *m)
{
	unsigned char payload[512];
	__u16 type;
	size_t len;

	switch (rng_below(r, 10)) {
	case 0:
	case 1:
	case 2:
	case 3: {
		__u32 id = pick_id(r);

		type = REDIRECT_A_SANDBOX_ID;
		len = rng_below(r, 6) ? 4 : rng_below(r, 9);
		memset(payload, 0, sizeof(payload));
		memcpy(payload, &id, 4);
		break;
	}
	case 4:
	case 5: {
		struct redirect_rule ru;

		__u32 off;

		gen_rule(r, &ru);
		if (rng_below(r, 6)) {
			off = rnl_append_rule(m->buf, sizeof(m->buf), &m->h->nlmsg_len, &ru);
			if (off && rng_one_in(r, 4)) {
				/* a byte inside the nest flipped: a length, a type, a value */
				struct nlattr *a = (struct nlattr *)(m->buf + off);

				m->buf[off + NLA_HDRLEN + rng_below(r, a->nla_len - NLA_HDRLEN)] ^=
					(char)(1 + rng_below(r, 255));
			}
			return;
		}
		/* a RULE of bytes (the old binary form, or noise), nested or not below */
		type = REDIRECT_A_RULE;
		len = rng_below(r, sizeof(payload));
		memset(payload, 0, sizeof(payload));
		memcpy(payload, &ru, sizeof(ru) < len ? sizeof(ru) : len);
		break;
	}
	default:
		type = rng_below(r, 2) ? (__u16)rng_below(r, REDIRECT_A_MAX + 4) :
					 (__u16)rng_next(r);
		len = rng_below(r, 2) ? rng_below(r, 16) : rng_below(r, sizeof(payload));
		rng_bytes(r, payload, len);
		break;
	}
	if (rng_one_in(r, 12))
		type |= NLA_F_NESTED;
	rnl_put(m, type, payload, len);
}

static void op_nl_send(struct rng *r)
{
	struct rnl *nl = pick_nl(r);
	struct rnl_msg m;
	size_t total;
	int nattrs, i, msgs = 1 + (rng_one_in(r, 8) ? (int)rng_below(r, 3) : 0);
	char out[3 * sizeof(m.buf)];

	if (!nl)
		return;
	total = 0;
	while (msgs--) {
		__u16 type = rng_below(r, 12) ? family_id :
			     (rng_below(r, 2) ? GENL_ID_CTRL : (__u16)rng_next(r));
		__u16 flags = rng_below(r, 3) ? (rng_below(r, 2) ? NLM_F_DUMP : NLM_F_ACK) :
			      (__u16)rng_next(r);
		__u8 cmd = rng_below(r, 10) ? (__u8)rng_below(r, REDIRECT_CMD_MAX + 2) :
			   (__u8)rng_next(r);

		rnl_msg_init(&m, type, flags, cmd,
			     rng_below(r, 8) ? REDIRECT_GENL_VERSION : (__u8)rng_next(r));
		if (rng_one_in(r, 3) && cmd == REDIRECT_CMD_SET_RULES)
			nattrs = (int)rng_below(r, 40);
		else
			nattrs = (int)rng_below(r, 5);
		for (i = 0; i < nattrs; i++)
			gen_attr(r, &m);
		m.h->nlmsg_seq = (__u32)rng_next(r);
		if (rng_one_in(r, 10))
			((struct genlmsghdr *)NLMSG_DATA(m.h))->reserved = (__u16)rng_next(r);
		if (rng_one_in(r, 12)) {
			/* A length that lies. */
			m.h->nlmsg_len = rng_below(r, 2) ? (__u32)rng_below(r, m.h->nlmsg_len + 1) :
				       (__u32)rng_interesting(r);
			memcpy(out + total, m.buf, NLMSG_ALIGN(NLMSG_LENGTH(GENL_HDRLEN)));
			total += NLMSG_ALIGN(NLMSG_LENGTH(GENL_HDRLEN));
			break;
		}
		memcpy(out + total, m.buf, NLMSG_ALIGN(m.h->nlmsg_len));
		total += NLMSG_ALIGN(m.h->nlmsg_len);
	}
	if (rng_one_in(r, 10) && total > 1)
		total = 1 + rng_below(r, total - 1);	/* cut short */
	sum.nl_sent++;
	send(nl->fd, out, total, MSG_DONTWAIT);
	/* Sometimes leave a dump half read, to be resumed or dropped later. */
	if (rng_below(r, 3))
		nl_drain(nl, 1 + (int)rng_below(r, 4));
}

/* A well-formed SET_RULES, so that rule dumps and the fast path have work. */
static void op_nl_rules(struct rng *r)
{
	struct rnl *nl = pick_nl(r);
	struct rnl_msg m;
	int n = (int)rng_below(r, 12), i;

	if (!nl)
		return;
	rnl_msg_init(&m, family_id, NLM_F_ACK, REDIRECT_CMD_SET_RULES, REDIRECT_GENL_VERSION);
	rnl_put_u32(&m, REDIRECT_A_SANDBOX_ID, pick_id(r));
	for (i = 0; i < n; i++) {
		struct redirect_rule ru;

		gen_rule(r, &ru);
		rnl_put_rule(&m, &ru);
	}
	sum.nl_sent++;
	send(nl->fd, m.buf, m.h->nlmsg_len, MSG_DONTWAIT);
	nl_drain(nl, 2);
}

static void op_nl_close(struct rng *r)
{
	struct rnl *nl = &nls[rng_below(r, MAX_NL)];
	int i;

	if (nl->fd < 0)
		return;
	for (i = 0; i < nr_fds; i++)
		if (fds[i].fd == nl->fd) {
			fd_forget_at(i);
			break;
		}
	close(nl->fd);
	nl->fd = -1;
}

static void nl_close_all(void)
{
	int k, i;

	for (k = 0; k < MAX_NL; k++) {
		if (nls[k].fd < 0)
			continue;
		for (i = 0; i < nr_fds; i++)
			if (fds[i].fd == nls[k].fd) {
				fd_forget_at(i);
				break;
			}
		close(nls[k].fd);
		nls[k].fd = -1;
	}
}

static void op_nl_group(struct rng *r)
{
	struct rnl *nl = pick_nl(r);
	int grp = rng_below(r, 4) ? (int)events_grp : (int)rng_below(r, 64);

	if (!nl)
		return;
	setsockopt(nl->fd, SOL_NETLINK,
		   rng_below(r, 3) ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP,
		   &grp, sizeof(grp));
}

/* ---- other fds ---------------------------------------------------------------------- */

static void op_fds(struct rng *r)
{
	int p[2], fd, i;
	sigset_t ss;

	if (nr_fds > MAX_FDS - 8) {
		/* Close a random non-session fd. */
		i = (int)rng_below(r, nr_fds);
		if (fds[i].kind == FD_SESSION || fds[i].kind == FD_NETLINK)
			return;
		close(fds[i].fd);
		fd_forget_at(i);
		return;
	}
	switch (rng_below(r, 8)) {
	case 0:
		if (!pipe2(p, O_CLOEXEC))
			fd_add(p[0], FD_PIPE, -1), fd_add(p[1], FD_PIPE, -1);
		break;
	case 1:
		fd_add(eventfd(0, EFD_CLOEXEC), FD_EVENTFD, -1);
		break;
	case 2:
		fd_add(syscall(__NR_memfd_create, "rdr-fuzz", MFD_CLOEXEC), FD_MEMFD, -1);
		break;
	case 3:
		fd_add(open("/dev/null", O_RDWR | O_CLOEXEC), FD_DEVNULL, -1);
		break;
	case 4:
		fd_add(epoll_create1(EPOLL_CLOEXEC), FD_EPOLL, -1);
		break;
	case 5:
		sigemptyset(&ss);
		sigaddset(&ss, SIGUSR1);
		fd_add(signalfd(-1, &ss, SFD_CLOEXEC), FD_SIGNALFD, -1);
		break;
	case 6:
		fd_add(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), FD_TIMERFD, -1);
		break;
	default:
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		fd_add(fd, FD_SOCKET, -1);
		break;
	}
	/* An epoll fd watching a session or a listener: one more waiter on their queues. */
	i = fd_find_kind(r, FD_EPOLL);
	if (i >= 0) {
		struct epoll_event ev = { .events = EPOLLIN };
		int w = pick_any_fd(r, rng_below(r, 2) ? FD_SESSION : FD_LISTENER);

		epoll_ctl(fds[i].fd, EPOLL_CTL_ADD, w, &ev);
	}
}

static void op_rmmod(struct rng *r)
{
	int open_sessions = sessions_open(), ret;

	if (!opt.rmmod)
		return;
	ret = rdr_module_unload();
	vlog("rmmod with %d sessions open: %d", open_sessions, ret);
	if (!ret) {
		sum.unload_ok++;
		if (open_sessions)
			violation("module unloaded while %d sessions were open", open_sessions);
		ret = rdr_module_load(NULL);
		if (ret && ret != -EEXIST)
			violation("reloading the module: %s", strerror(-ret));
		rdr_wait_device(5000);
		/* The family has a new id after a reload. */
		nl_close_all();
		{
			struct rnl nl;

			if (!rnl_open(&nl)) {
				family_id = nl.family;
				events_grp = nl.events;
				rnl_close(&nl);
			}
		}
	} else if (ret != -EAGAIN && ret != -EBUSY && ret != -ENOENT) {
		violation("rmmod: unexpected %s", strerror(-ret));
	}
}

/* ---- the helper thread: a second Sentry that answers what it fetches ---------------- */

static atomic_int helper_stop;
static atomic_long helper_fetched, helper_replied;
static atomic_int helper_fds[MAX_SESSIONS];

static void *helper_main(void *arg)
{
	struct rng r = { (uint64_t)(uintptr_t)arg };
	struct redirect_request req[8];
	struct redirect_reply rep[8];
	__u32 nrep = 0, i;
	sigset_t ss;

	/* SIGALRM is the main thread's, to interrupt its own blocking calls. */
	sigemptyset(&ss);
	sigaddset(&ss, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	while (!atomic_load(&helper_stop)) {
		int fd = atomic_load(&helper_fds[rng_below(&r, MAX_SESSIONS)]);
		struct redirect_broker b = {
			.replies = (uintptr_t)rep,
			.requests = (uintptr_t)req,
			.nr_replies = nrep,
			.max_requests = 8,
			.timeout_ms = (int)rng_below(&r, 20),
		};

		if (fd <= 0) {
			usleep(2000);
			continue;
		}
		memset(req, 0, sizeof(req));
		nrep = 0;
		if (ioctl(fd, REDIRECT_IOC_BROKER, &b))
			continue;
		for (i = 0; i < b.nr_replies && i < 8; i++)
			if (rep[i].result >= 0)
				atomic_fetch_add(&helper_replied, 1);
		atomic_fetch_add(&helper_fetched, b.nr_requests);
		for (i = 0; i < b.nr_requests && i < 8; i++) {
			memset(&rep[nrep], 0, sizeof(rep[nrep]));
			rep[nrep].sandbox_id = req[i].sandbox_id;
			rep[nrep].kind = REDIRECT_REPLY_SEND;
			rep[nrep].resp.id = req[i].notif.id;
			rep[nrep].resp.val = FWD_VAL(req[i].notif.data.args[0]);
			nrep++;
		}
	}
	return NULL;
}

static void helper_publish(void)
{
	int i, k = 0;

	for (i = 0; i < MAX_SESSIONS; i++)
		atomic_store(&helper_fds[i], 0);
	for (i = 0; i < nr_fds && k < MAX_SESSIONS; i++)
		if (fds[i].kind == FD_SESSION)
			atomic_store(&helper_fds[k++], fds[i].fd);
}

/* ---- an episode ------------------------------------------------------------------------ */

static void episode(uint64_t seed, long long deadline_ms, int out_fd)
{
	struct rng r = { seed }, o;
	struct sigaction sa = { .sa_handler = on_alarm };
	pthread_t helper;
	int i;

	episode_pid = getpid();
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(closed_fds, 0xff, sizeof(closed_fds));
	arena_init(&a_arg, 4);
	arena_init(&a_rules, 80);
	arena_init(&a_replies, 5);
	arena_init(&a_requests, 6);
	for (i = 0; i < MAX_NL; i++)
		nls[i].fd = -1;
	{
		struct rnl nl;

		if (!rnl_open(&nl)) {
			family_id = nl.family;
			events_grp = nl.events;
			rnl_close(&nl);
		}
	}
	if (opt.thread)
		pthread_create(&helper, NULL, helper_main, (void *)(uintptr_t)(seed ^ 0x5eed));

	while (now_ms() < deadline_ms && (opt.max_ops < 0 || sum.ops < opt.max_ops)) {
		/* Weights: sessions and replies matter most. */
		static const unsigned char weight[OP_MAX] = {
			[OP_OPEN] = 4, [OP_CLOSE_SESSION] = 2, [OP_DUP_SESSION] = 1,
			[OP_HANDSHAKE] = 5, [OP_IOCTL_RANDOM] = 6, [OP_ATTACH] = 8,
			[OP_SET_RULES] = 8, [OP_ADOPT] = 5, [OP_BROKER] = 14, [OP_ANSWER] = 8,
			[OP_POLL] = 2, [OP_SPAWN] = 4, [OP_KILL] = 2, [OP_NL_SEND] = 10,
			[OP_NL_RULES] = 3, [OP_NL_DRAIN] = 2, [OP_NL_CLOSE] = 1, [OP_NL_GROUP] = 1,
			[OP_FDS] = 4, [OP_RMMOD] = 1,
		};
		unsigned int total = 0, pick, k;

		for (k = 0; k < OP_MAX; k++)
			total += weight[k];
		/*
		 * The kinds of operations come from the seed's own stream, in
		 * the same order on every run; each operation draws its choices
		 * from a stream of its own (seed, index), so that a different
		 * kernel answer earlier changes nothing but that operation.
		 */
		pick = (unsigned int)rng_below(&r, total);
		for (k = 0; pick >= weight[k]; k++)
			pick -= weight[k];
		o.s = seed ^ ((uint64_t)sum.ops * 0xd1b54a32d192ed03ULL);
		rng_next(&o);
		sum.ops++;
		sum.per_op[k]++;
		switch (k) {
		case OP_OPEN: op_open(&o); break;
		case OP_CLOSE_SESSION: op_close_session(&o); break;
		case OP_DUP_SESSION: op_dup_session(&o); break;
		case OP_HANDSHAKE: op_handshake(&o); break;
		case OP_IOCTL_RANDOM: op_ioctl_random(&o); break;
		case OP_ATTACH: op_attach(&o); break;
		case OP_SET_RULES: op_set_rules(&o); break;
		case OP_ADOPT: op_adopt(&o); break;
		case OP_BROKER: op_broker(&o); break;
		case OP_ANSWER: op_answer(&o); break;
		case OP_POLL: op_poll(&o); break;
		case OP_SPAWN: target_spawn(&o); break;
		case OP_KILL: target_kill(&o); break;
		case OP_NL_SEND: op_nl_send(&o); break;
		case OP_NL_RULES: op_nl_rules(&o); break;
		case OP_NL_DRAIN: {
			struct rnl *nl = pick_nl(&o);

			if (nl)
				nl_drain(nl, 4);
			break;
		}
		case OP_NL_CLOSE: op_nl_close(&o); break;
		case OP_NL_GROUP: op_nl_group(&o); break;
		case OP_FDS: op_fds(&o); break;
		case OP_RMMOD: op_rmmod(&o); break;
		}
		if (opt.thread && (k == OP_OPEN || k == OP_CLOSE_SESSION || k == OP_DUP_SESSION))
			helper_publish();
		reap_children();
	}
	if (opt.thread) {
		atomic_store(&helper_stop, 1);
		pthread_join(helper, NULL);
		sum.helper_fetched = atomic_load(&helper_fetched);
		sum.helper_replied = atomic_load(&helper_replied);
	}
	/* Close sessions in a random order, with targets still calling. */
	while ((i = fd_find_kind(&r, FD_SESSION)) >= 0) {
		close(fds[i].fd);
		fd_forget_at(i);
	}
	if (write(out_fd, &sum, sizeof(sum)) != sizeof(sum))
		_exit(3);
	_exit(0);
}

/* ---- the driver ------------------------------------------------------------------------ */

/* Print the kernel stacks of @pid's threads (a hung episode). */
static void dump_stacks(pid_t pid)
{
	char path[320], line[256];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		printf("#   thread %s:\n", de->d_name);
		while (fgets(line, sizeof(line), f))
			printf("#     %s", line);
		fclose(f);
	}
	closedir(d);
}

/*
 * Kill and name every process still our child after an episode: targets
 * are orphaned to us (a subreaper) and must have died with the episode.
 * Returns how many there were.
 */
static int kill_leftovers(void)
{
	char path[64], buf[256];
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		int pid = atoi(de->d_name), ppid = 0, fd;
		char state = 0;
		ssize_t len;
		char *p;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2 || ppid != getpid() ||
		    state == 'Z')
			continue;
		*p = 0;
		printf("# left over: process %d, state %c: %s)\n", pid, state, buf);
		kill(pid, SIGKILL);
		n++;
	}
	closedir(d);
	return n;
}

/*
 * After an episode: every descendant reaped, every sandbox ended, the
 * module's reference count back to 0. Returns a reason on failure.
 */
static const char *settle(char *why, size_t len)
{
	long long start = now_ms(), end = start + 20000;
	struct rnl nl = { .fd = -1 };
	int count = -1, ref = -1, leftovers = -1;

	if (!rdr_module_loaded())
		return NULL;
	do {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		/* A second for PDEATHSIG to do its work; after that, a survivor is a bug. */
		if (leftovers < 0 && now_ms() > start + 1000)
			leftovers = kill_leftovers();
		if (nl.fd < 0 && rnl_open(&nl))
			nl.fd = -1;
		if (nl.fd >= 0)
			count = rnl_sandbox_count(&nl);
		ref = rdr_module_refcnt();
		if (count == 0 && ref == 0)
			break;
		usleep(50000);
	} while (now_ms() < end);
	rnl_close(&nl);
	if (leftovers > 0) {
		snprintf(why, len, "%d target processes outlived the episode", leftovers);
		return why;
	}
	if (count == 0 && ref == 0)
		return NULL;
	snprintf(why, len, "after the episode: %d sandboxes left, module refcnt %d", count, ref);
	return why;
}

static int run_seed(int tap, uint64_t seed, int seconds)
{
	long long start = now_ms(), deadline = start + seconds * 1000LL;
	struct summary s = {};
	char why[160];
	const char *fail = NULL;
	int p[2], status = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		episode(seed, deadline, p[1]);
	}
	close(p[1]);
	/* Allow for a blocking call to come back; then it is a hang. */
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (now_ms() > deadline + 60000) {
			printf("# seed %#llx: episode hung; kernel stacks:\n", (unsigned long long)seed);
			dump_stacks(pid);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail = "episode hung (see stacks)";
			break;
		}
		usleep(20000);
	}
	if (read(p[0], &s, sizeof(s)) != sizeof(s) && !fail) {
		snprintf(why, sizeof(why), "episode died: status %#x", status);
		fail = why;
	}
	close(p[0]);
	if (!fail && s.violations) {
		snprintf(why, sizeof(why), "%ld contract violations, first: %.100s", s.violations,
			 s.first_violation);
		fail = why;
	}
	if (!fail)
		fail = settle(why, sizeof(why));
	printf("# seed %#llx: %ld ops in %.1f s; ioctls ok %ld / failed %ld; attached %ld, "
	       "fetched %ld (+%ld), replies ok %ld (+%ld); netlink sent %ld, received %ld; "
	       "unloads %ld\n",
	       (unsigned long long)seed, s.ops, (now_ms() - start) / 1000.0, s.ioctl_ok,
	       s.ioctl_err, s.attached, s.fetched, s.helper_fetched, s.replied_ok,
	       s.helper_replied, s.nl_sent, s.nl_msgs,
	       s.unload_ok);
	{
		int k;

		printf("#  ");
		for (k = 0; k < OP_MAX; k++)
			printf(" %s=%ld", op_names[k], s.per_op[k]);
		printf("\n");
	}
	if (fail)
		printf("not ok %d fuzz_seed_%#llx # %s\n", tap, (unsigned long long)seed, fail);
	else
		printf("ok %d fuzz_seed_%#llx\n", tap, (unsigned long long)seed);
	fflush(stdout);
	return fail ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: rdr_fuzz [-s SEED]... [-S SEEDFILE] [-t SECONDS] [-n OPS] "
			"[-T 0|1] [-m] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char *modprobe_old = NULL;
	uint64_t seeds[256];
	int nseeds = 0, c, i, failed = 0, per;
	FILE *f;
	char line[128];

	while ((c = getopt(argc, argv, "s:S:t:n:T:mv")) != -1) {
		switch (c) {
		case 's':
			if (nseeds < 256)
				seeds[nseeds++] = strtoull(optarg, NULL, 0);
			break;
		case 'S':
			f = fopen(optarg, "r");
			if (!f) {
				perror(optarg);
				return 2;
			}
			while (fgets(line, sizeof(line), f) && nseeds < 256)
				if (line[0] != '#' && line[0] != '\n')
					seeds[nseeds++] = strtoull(line, NULL, 0);
			fclose(f);
			break;
		case 't':
			opt.seconds = atoi(optarg);
			break;
		case 'n':
			opt.max_ops = atol(optarg);
			break;
		case 'T':
			opt.thread = atoi(optarg);
			break;
		case 'm':
			opt.rmmod = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (!nseeds)
		seeds[nseeds++] = (uint64_t)time(NULL);
	if (access(REDIRECT_DEVICE, F_OK)) {
		printf("1..1\nok 1 fuzz # SKIP " REDIRECT_DEVICE " absent\n");
		return 0;
	}
	if (opt.rmmod)
		modprobe_old = modprobe_disable();
	/* Orphaned targets come back to us, so that they can be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	per = opt.seconds / nseeds;
	if (per < 2)
		per = 2;
	printf("# rdr_fuzz: %d seeds, %d s each%s%s\n", nseeds, per,
	       opt.thread ? ", helper thread" : "", opt.rmmod ? ", unload attempts" : "");
	for (i = 0; i < nseeds; i++)
		failed |= run_seed(i + 1, seeds[i], per);
	printf("1..%d\n", nseeds);
	modprobe_restore(modprobe_old);
	return failed;
}
