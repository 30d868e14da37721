// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of escape attempts from inside a sandbox: a task under a seccomp
 * filter attached to redirect.ko, root in the VM but with the capabilities a
 * container gets (Docker's default set: no CAP_SYS_ADMIN, CAP_NET_ADMIN,
 * CAP_SYS_PTRACE, CAP_SYS_MODULE), or "root" of a new user (and network)
 * namespace, tries to reach the module and its Sentry.
 *
 * What the module itself must refuse: opening /dev/redirect, any command of
 * the netlink family or joining its "events" group, loading or unloading the
 * module. What the kernel refuses anyway for a task without the Sentry's
 * privileges: ptrace, /proc/PID/mem, process_vm_readv, pidfd_getfd of the
 * Sentry. What only the policy (tier 0) or the deployment can close, pinned
 * here so that the documentation stays true: a nested seccomp listener
 * installed by the sandbox takes precedence over the module's, io_uring goes
 * around seccomp, and a same-uid task with CAP_KILL in the Sentry's PID
 * namespace can signal it. See docs/reliability.md.
 */
#include <sched.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include <linux/capability.h>

#include "kselftest_harness.h"
#include "../sandbox/sandbox_util.h"
#include "rel_util.h"
#include "rel_nl.h"

#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_fsopen
#define __NR_open_tree 428
#define __NR_fsopen 430
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef PTRACE_ATTACH
#define PTRACE_ATTACH 16
#define PTRACE_SEIZE 0x4206
#endif

#define HOLD REDIRECT_FAIL_HOLD
#define NOBODY 65534

/* Docker's default capabilities: what a container keeps. */
static const int docker_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID, CAP_SETUID,
	CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_SYS_CHROOT, CAP_MKNOD,
	CAP_AUDIT_WRITE, CAP_SETFCAP,
};

/* Drop every capability a container does not get. */
static int container_caps(void)
{
	int drop[CAP_LAST_CAP + 2], n = 0, c;
	size_t i;

	for (c = 0; c <= CAP_LAST_CAP; c++) {
		bool keep = false;

		for (i = 0; i < sizeof(docker_caps) / sizeof(docker_caps[0]); i++)
			keep |= docker_caps[i] == c;
		if (!keep)
			drop[n++] = c;
	}
	drop[n] = -1;
	return caps_drop(drop);
}

/*
 * The sandbox's tier-0 filter: getppid and getpid to the listener; with
 * @deny_nested, seccomp(2) asking for SECCOMP_FILTER_FLAG_NEW_LISTENER and
 * io_uring_setup(2) fail with EPERM, as a policy should make them.
 */
static int install_sandbox_filter(bool deny_nested)
{
	struct sock_filter f[32];
	struct sock_fprog prog;
	int i = 0;

	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getpid, 0, 1);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	if (deny_nested) {
		f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      __NR_io_uring_setup, 0, 1);
		f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
		f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_seccomp, 0, 3);
		/* seccomp(op, flags, args): flags is args[1], low word on x86-64 */
		f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						      offsetof(struct seccomp_data, args[1]));
		f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
						      SECCOMP_FILTER_FLAG_NEW_LISTENER, 0, 1);
		f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	}
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = i;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	i = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	return i < 0 ? -errno : i;
}

static int sandbox_filter_install(const void *deny_nested)
{
	return install_sandbox_filter(*(const bool *)deny_nested);
}

/*
 * Fork a sandboxed child: its filter's listener attached to @session with
 * rules (getppid: VALUE 4242; getpid forwarded to the Sentry thread). The
 * child returns 0 from here once attached; the parent gets its pid.
 */
static pid_t sandbox_fork(struct target *t, int session, bool deny_nested, __u32 *id)
{
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4242);
	pid_t pid = target_fork_filter(t, sandbox_filter_install, &deny_nested);

	if (pid <= 0)
		return pid;
	if (rdr_attach(session, t->listener, t->pidfd, HOLD, 0, "escape", id) ||
	    rdr_set_rules(session, *id, &r, 1, NULL) || target_go(t))
		return -1;
	return pid;
}

static long sc(long r)
{
	return r < 0 ? -errno : r;
}

FIXTURE(escape) {
	int session;
	struct sentry s;
	struct target t;
	__u32 id;
	pid_t sentry_pid;
};

FIXTURE_SETUP(escape)
{
	self->session = -1;
	self->sentry_pid = getpid();
}

FIXTURE_TEARDOWN(escape)
{
	targets_kill_all();
	sentry_stop(&self->s);
	if (self->session >= 0)
		close(self->session);
}

/*
 * A test of this file: a session, a Sentry thread answering getpid with
 * FWD_VAL(arg), and a sandboxed child (deny_nested: the policy variant).
 * The body runs in both: the child with pid == 0, reporting results with
 * REPORT(); the parent reads them with RESULTS().
 */
#define ESCAPE_TEST(tname, deny_nested)						\
	static void tname##_body(struct __test_metadata *_metadata,		\
				 FIXTURE_DATA(escape) *self, pid_t pid);	\
	TEST_F_TIMEOUT(escape, tname, 120)					\
	{									\
		pid_t pid;							\
		if (!rel_selected(_metadata->name))				\
			SKIP(return, "not selected by REL_ONLY");		\
		OPEN_SESSION(self->session, RDR_FEATURES_IOCTL);		\
		ASSERT_EQ(0, sentry_start(&self->s, self->session, NULL, NULL)); \
		pid = sandbox_fork(&self->t, self->session, deny_nested, &self->id); \
		ASSERT_LE(0, pid) TH_LOG("sandbox: %s", strerror(errno));	\
		tname##_body(_metadata, self, pid);				\
	}									\
	static void tname##_body(struct __test_metadata *_metadata,		\
				 FIXTURE_DATA(escape) *self, pid_t pid)

/* Child: send @n results and exit. */
#define REPORT(res, n) do {							\
	target_report(&self->t, (res), sizeof(long) * (n));			\
	_exit(0);								\
} while (0)

/* Parent: read @n results of the child. */
#define RESULTS(res, n) do {							\
	ASSERT_EQ(0, target_read(&self->t, (res), sizeof(long) * (n), 60000))	\
		TH_LOG("the sandboxed child did not report");			\
	EXPECT_TARGET_OK(&self->t, 10000);					\
} while (0)

/* ---- the module's own doors --------------------------------------------------------- */

/*
 * Netlink from inside: resolve, every command, the events group. Where the
 * name does not resolve (a new netns), the ids learned outside are used.
 */
static __u16 outside_family;
static __u32 outside_events;

static void netlink_attempts(long *res)
{
	static const __u8 cmds[] = { REDIRECT_CMD_GET_SANDBOX, REDIRECT_CMD_GET_STATS,
				     REDIRECT_CMD_GET_RULES, REDIRECT_CMD_SET_RULES };
	struct rnl nl;
	int i, grp;

	res[0] = rnl_open(&nl);
	if (res[0]) {
		rnl_socket(&nl);
		nl.family = outside_family;
		nl.events = outside_events;
	}
	for (i = 0; i < 4; i++) {
		struct rnl_msg m;

		rnl_msg_init(&m, nl.family, cmds[i] == REDIRECT_CMD_SET_RULES ? 0 : NLM_F_DUMP,
			     cmds[i], REDIRECT_GENL_VERSION);
		rnl_put_u32(&m, REDIRECT_A_SANDBOX_ID, 1);
		res[1 + i] = rnl_call(&nl, &m, NULL, NULL, 5000);
	}
	grp = (int)nl.events;
	res[5] = setsockopt(nl.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) ?
		 -errno : 0;
	rnl_close(&nl);
}

/* The family's ids in the initial namespace, for attempts from a new one. */
static void learn_outside_ids(void)
{
	struct rnl nl;

	if (!rnl_open(&nl)) {
		outside_family = nl.family;
		outside_events = nl.events;
		rnl_close(&nl);
	}
}

ESCAPE_TEST(container_root_cannot_open_device_or_use_netlink, false)
{
	long res[9];

	if (pid == 0) {
		res[0] = container_caps();
		res[1] = sc(open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC));
		netlink_attempts(res + 2);
		res[8] = sc(syscall(__NR_getppid));	/* still redirected */
		REPORT(res, 9);
	}
	RESULTS(res, 9);
	ASSERT_EQ(0, res[0]) TH_LOG("dropping capabilities: %s", strerror(-res[0]));
	EXPECT_EQ(-EPERM, res[1]) TH_LOG("open " REDIRECT_DEVICE ": %ld", res[1]);
	EXPECT_EQ(0, res[2]) TH_LOG("resolving the family: %s (it exists here)",
				    strerror(-res[2]));
	EXPECT_EQ(-EPERM, res[3]) TH_LOG("GET_SANDBOX: %ld", res[3]);
	EXPECT_EQ(-EPERM, res[4]) TH_LOG("GET_STATS: %ld", res[4]);
	EXPECT_EQ(-EPERM, res[5]) TH_LOG("GET_RULES: %ld", res[5]);
	EXPECT_EQ(-EPERM, res[6]) TH_LOG("SET_RULES: %ld", res[6]);
	EXPECT_EQ(-EPERM, res[7]) TH_LOG("joining events: %ld", res[7]);
	EXPECT_EQ(4242, res[8]);
}

/*
 * "root" of a new user namespace (and network namespace): uid 0 there is
 * @outer_uid outside. The parent writes the maps, as a runtime does.
 */
static long userns_enter(FIXTURE_DATA(escape) *self, bool netns)
{
	if (unshare(CLONE_NEWUSER | (netns ? CLONE_NEWNET : 0)))
		return -errno;
	target_report(&self->t, "u", 1);
	if (target_cmd(&self->t) != 'm')
		return -EPROTO;
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return -errno;
	return 0;
}

static void userns_maps(struct __test_metadata *_metadata, FIXTURE_DATA(escape) *self,
			pid_t pid, unsigned int outer_uid)
{
	char path[64], map[64], u;

	ASSERT_EQ(0, target_read(&self->t, &u, 1, 10000));
	snprintf(map, sizeof(map), "0 %u 1", outer_uid);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	ASSERT_EQ(0, write_file(path, map));
	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	write_file(path, "deny");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	ASSERT_EQ(0, write_file(path, map));
	ASSERT_EQ(0, target_send(&self->t, 'm'));
}

static void userns_run(struct __test_metadata *_metadata, FIXTURE_DATA(escape) *self,
		       pid_t pid, unsigned int outer_uid, bool netns)
{
	long res[9];

	learn_outside_ids();
	if (pid == 0) {
		res[0] = userns_enter(self, netns);
		res[1] = sc(open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC));
		netlink_attempts(res + 2);
		res[8] = sc(syscall(__NR_getppid));
		REPORT(res, 9);
	}
	userns_maps(_metadata, self, pid, outer_uid);
	RESULTS(res, 9);
	ASSERT_EQ(0, res[0]) TH_LOG("entering the namespaces: %s", strerror(-res[0]));
	/* uid 0 outside owns the node but lacks CAP_SYS_ADMIN there; others lack access. */
	EXPECT_EQ(outer_uid ? -EACCES : -EPERM, res[1]) TH_LOG("open: %ld", res[1]);
	if (netns) {
		EXPECT_EQ(-ENOENT, res[2]) TH_LOG("the family resolved in a new netns: %ld",
						  res[2]);
		/* By the ids learned outside: the family does not exist here. */
		EXPECT_EQ(-ENOENT, res[3]);
		EXPECT_EQ(-ENOENT, res[4]);
		EXPECT_EQ(-ENOENT, res[5]);
		EXPECT_EQ(-ENOENT, res[6]);
		/* Joining may work, and yields nothing: see netns_events_never_arrive. */
	} else {
		EXPECT_EQ(0, res[2]);
		EXPECT_EQ(-EPERM, res[3]);
		EXPECT_EQ(-EPERM, res[4]);
		EXPECT_EQ(-EPERM, res[5]);
		EXPECT_EQ(-EPERM, res[6]);
		EXPECT_EQ(-EPERM, res[7]) TH_LOG("joining events: %ld", res[7]);
	}
	EXPECT_EQ(4242, res[8]);
}

ESCAPE_TEST(userns_netns_root_cannot_reach_module, false)
{
	userns_run(_metadata, self, pid, 100000, true);
}

ESCAPE_TEST(userns_root_mapped_to_root_cannot_reach_module, false)
{
	userns_run(_metadata, self, pid, 0, false);
}

/*
 * The "events" group joined by id from a new network namespace: generic
 * netlink lets the namespace's owner join (the group's CAP_NET_ADMIN check
 * is against the netns's user namespace), but the module multicasts in the
 * initial namespace only, so nothing ever arrives there. A listener outside
 * sees the event, as a control.
 */
ESCAPE_TEST(netns_events_never_arrive, false)
{
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4242);
	struct rnl mon;
	int grp, seen = 0;
	long res[4];

	learn_outside_ids();
	grp = (int)outside_events;
	if (pid == 0) {
		struct rnl in;
		char buf[4096];
		struct pollfd p;

		res[0] = userns_enter(self, true);
		res[1] = rnl_socket(&in);
		res[2] = setsockopt(in.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
				    sizeof(grp)) ? -errno : 0;
		res[3] = sc(syscall(__NR_getppid));	/* audited: an event outside */
		p = (struct pollfd){ .fd = in.fd, .events = POLLIN };
		if (poll(&p, 1, 1500) == 1 && recv(in.fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			res[1] = 1;	/* an event crossed into the new netns */
		REPORT(res, 4);
	}
	r.flags = REDIRECT_RULE_AUDIT;
	ASSERT_EQ(0, rnl_open(&mon));
	ASSERT_EQ(0, setsockopt(mon.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)));
	ASSERT_EQ(0, rdr_set_rules(self->session, self->id, &r, 1, NULL));
	userns_maps(_metadata, self, pid, 100000);
	RESULTS(res, 4);
	ASSERT_EQ(0, res[0]);
	EXPECT_EQ(4242, res[3]);
	EXPECT_EQ(0, res[1]) TH_LOG("the new netns received an event of the initial one");
	TH_LOG("joining events by id from a new netns: %ld (harmless: nothing is sent there)",
	       res[2]);
	{
		struct pollfd p = { .fd = mon.fd, .events = POLLIN };
		char buf[4096];

		if (poll(&p, 1, 2000) == 1 && recv(mon.fd, buf, sizeof(buf), 0) > 0)
			seen = 1;
	}
	EXPECT_EQ(1, seen) TH_LOG("control: no event outside either");
	rnl_close(&mon);
}

ESCAPE_TEST(container_root_cannot_unload_or_load_module, false)
{
	long res[3];

	if (pid == 0) {
		const char *ko = getenv("REDIRECT_KO");
		int fd = ko ? open(ko, O_RDONLY | O_CLOEXEC) : -1;

		res[0] = container_caps();
		res[1] = rdr_module_unload();
		res[2] = fd < 0 ? -EPERM : sc(syscall(__NR_finit_module, fd, "", 0));
		REPORT(res, 3);
	}
	RESULTS(res, 3);
	ASSERT_EQ(0, res[0]);
	EXPECT_EQ(-EPERM, res[1]);
	EXPECT_EQ(-EPERM, res[2]);
	EXPECT_TRUE(rdr_module_loaded());
}

/* ---- filters stack: the sandbox cannot loosen its own ---------------------------------- */

ESCAPE_TEST(permissive_filter_does_not_undo_redirection, false)
{
	long res[4];

	if (pid == 0) {
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		struct sock_fprog prog = { 1, &allow };

		res[0] = container_caps();
		res[1] = sc(syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
		res[2] = sc(syscall(__NR_getppid));	/* tier 1 */
		res[3] = sc(syscall(__NR_getpid, 77));	/* tier 2 */
		REPORT(res, 4);
	}
	RESULTS(res, 4);
	ASSERT_EQ(0, res[0]);
	EXPECT_EQ(0, res[1]) TH_LOG("installing an allow-all filter: %ld", res[1]);
	EXPECT_EQ(4242, res[2]) TH_LOG("the fast path rule no longer applies");
	EXPECT_EQ(FWD_VAL(77), res[3]) TH_LOG("the call no longer reaches the Sentry");
}

/*
 * A nested listener: the sandbox installs its own USER_NOTIF filter to
 * answer its own calls. seccomp hands a call to the listener of the most
 * recently installed filter returning USER_NOTIF, so a nested listener
 * would take calls away from the module; the kernel refuses a second
 * listener in a task's filter chain (EBUSY), and that is what closes this.
 * io_uring is another matter: its operations never pass seccomp, and only
 * tier 0 can refuse io_uring_setup.
 */
struct inner {
	int listener;
	long answered;
};

static void *inner_supervisor(void *arg)
{
	struct inner *in = arg;
	struct seccomp_notif n;
	struct seccomp_notif_resp r;

	memset(&n, 0, sizeof(n));
	if (ioctl(in->listener, SECCOMP_IOCTL_NOTIF_RECV, &n))
		return NULL;
	memset(&r, 0, sizeof(r));
	r.id = n.id;
	r.val = 1313;
	if (!ioctl(in->listener, SECCOMP_IOCTL_NOTIF_SEND, &r))
		in->answered++;
	return NULL;
}

static void nested_attempt(long *res)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 4, f };
	struct inner in = {};
	pthread_t thr;

	res[0] = container_caps();
	in.listener = sc(syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
				 SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
	res[1] = in.listener < 0 ? in.listener : 0;
	if (in.listener >= 0)
		pthread_create(&thr, NULL, inner_supervisor, &in);
	res[2] = sc(syscall(__NR_getppid));
	if (in.listener >= 0)
		pthread_join(thr, NULL);
	res[3] = sc(syscall(__NR_io_uring_setup, 1, calloc(1, 256)));
}

ESCAPE_TEST(nested_listener_refused_io_uring_open_without_policy, false)
{
	long res[4];

	if (pid == 0) {
		nested_attempt(res);
		REPORT(res, 4);
	}
	RESULTS(res, 4);
	ASSERT_EQ(0, res[0]);
	EXPECT_EQ(-EBUSY, res[1]) TH_LOG("a nested listener: %ld", res[1]);
	EXPECT_EQ(4242, res[2]) TH_LOG("getppid no longer redirected: %ld", res[2]);
	/* Pinned for the documentation: without a policy, io_uring is there. */
	EXPECT_LE(0, res[3]) TH_LOG("io_uring_setup: %ld", res[3]);
}

ESCAPE_TEST(nested_listener_and_io_uring_refused_by_policy, true)
{
	long res[4];

	if (pid == 0) {
		nested_attempt(res);
		REPORT(res, 4);
	}
	RESULTS(res, 4);
	ASSERT_EQ(0, res[0]);
	EXPECT_EQ(-EPERM, res[1]);
	EXPECT_EQ(4242, res[2]) TH_LOG("redirection lost");
	EXPECT_EQ(-EPERM, res[3]);
}

/*
 * The new mount API: a task with a container's capabilities gets EPERM from
 * the kernel, but "root" of its own user and mount namespaces may build
 * mounts there with fsopen (and clone trees with open_tree), over paths the
 * Sentry's file rules name included. Only the policy closes it: usersentry
 * refuses these calls wherever file or mount rules are in force (docs/policy.md,
 * "Every call that takes a path"; tested per call in selftests/sentry).
 */
ESCAPE_TEST(new_mount_api_open_to_userns_root_unless_policy_refuses, false)
{
	long res[5];

	if (pid == 0) {
		res[0] = container_caps();
		res[1] = sc(syscall(__NR_fsopen, "tmpfs", 0));
		res[2] = sc(syscall(__NR_open_tree, AT_FDCWD, "/tmp", OPEN_TREE_CLONE));
		res[3] = res[0] ? res[0] : userns_enter(self, false);
		if (!res[3] && unshare(CLONE_NEWNS))
			res[3] = -errno;
		res[4] = sc(syscall(__NR_fsopen, "tmpfs", 0));
		REPORT(res, 5);
	}
	userns_maps(_metadata, self, pid, 0);
	RESULTS(res, 5);
	ASSERT_EQ(0, res[0]);
	EXPECT_EQ(-EPERM, res[1]) TH_LOG("fsopen with a container's capabilities: %ld", res[1]);
	EXPECT_EQ(-EPERM, res[2]) TH_LOG("open_tree(OPEN_TREE_CLONE): %ld", res[2]);
	ASSERT_EQ(0, res[3]) TH_LOG("entering the namespaces: %s", strerror(-res[3]));
	EXPECT_LE(0, res[4]) TH_LOG("fsopen in its own namespaces: %ld", res[4]);
}

/* ---- the Sentry process ---------------------------------------------------------------- */

static void sentry_attempts(pid_t sentry, int session, long *res)
{
	char path[64], buf[8];
	struct iovec local = { buf, sizeof(buf) }, remote = { (void *)&sentry, sizeof(buf) };
	int pfd;

	res[0] = sc(syscall(SYS_ptrace, PTRACE_ATTACH, sentry, 0, 0));
	res[1] = sc(syscall(SYS_ptrace, PTRACE_SEIZE, sentry, 0, 0));
	snprintf(path, sizeof(path), "/proc/%d/mem", sentry);
	res[2] = sc(open(path, O_RDWR | O_CLOEXEC));
	res[3] = sc(process_vm_readv(sentry, &local, 1, &remote, 1, 0));
	pfd = syscall(__NR_pidfd_open, sentry, 0);
	res[4] = pfd < 0 ? -errno : sc(syscall(__NR_pidfd_getfd, pfd, session, 0));
	res[5] = sc(kill(sentry, 0));
}

/*
 * Another uid (what a user namespace or a non-root container user gives):
 * no ptrace, no /proc/PID/mem, no stealing the Sentry's session fd with
 * pidfd_getfd, no signal.
 */
ESCAPE_TEST(other_uid_cannot_ptrace_or_signal_sentry, false)
{
	long res[7];

	if (pid == 0) {
		res[6] = container_caps();
		if (!res[6] && (setresgid(NOBODY, NOBODY, NOBODY) ||
				setresuid(NOBODY, NOBODY, NOBODY)))
			res[6] = -errno;
		sentry_attempts(self->sentry_pid, self->session, res);
		REPORT(res, 7);
	}
	RESULTS(res, 7);
	ASSERT_EQ(0, res[6]);
	EXPECT_EQ(-EPERM, res[0]) TH_LOG("PTRACE_ATTACH: %ld", res[0]);
	EXPECT_EQ(-EPERM, res[1]) TH_LOG("PTRACE_SEIZE: %ld", res[1]);
	EXPECT_EQ(-EACCES, res[2]) TH_LOG("/proc/PID/mem: %ld", res[2]);
	EXPECT_EQ(-EPERM, res[3]) TH_LOG("process_vm_readv: %ld", res[3]);
	EXPECT_EQ(-EPERM, res[4]) TH_LOG("pidfd_getfd of the session: %ld", res[4]);
	EXPECT_EQ(-EPERM, res[5]) TH_LOG("kill: %ld", res[5]);
}

/*
 * Root with a container's capabilities in the Sentry's PID namespace: the
 * capability rules stop ptrace and friends (the Sentry has capabilities the
 * sandbox lacks), but same uid plus CAP_KILL may signal it. Pinned for the
 * documentation: a PID namespace (or another uid) is what hides the Sentry.
 */
ESCAPE_TEST(container_root_cannot_ptrace_sentry_but_may_signal_it, false)
{
	long res[7];

	if (pid == 0) {
		res[6] = container_caps();
		sentry_attempts(self->sentry_pid, self->session, res);
		REPORT(res, 7);
	}
	RESULTS(res, 7);
	ASSERT_EQ(0, res[6]);
	EXPECT_EQ(-EPERM, res[0]);
	EXPECT_EQ(-EPERM, res[1]);
	EXPECT_EQ(-EACCES, res[2]);
	EXPECT_EQ(-EPERM, res[3]);
	EXPECT_EQ(-EPERM, res[4]);
	EXPECT_EQ(0, res[5]) TH_LOG("kill(sentry, 0) from the same uid: %ld", res[5]);
}

/* In a new PID namespace the Sentry has no pid at all. */
ESCAPE_TEST(pid_namespace_hides_sentry, false)
{
	long res[2];

	if (pid == 0) {
		int p[2];
		pid_t inner;

		/* The runtime makes the namespace; the container's init runs in it. */
		res[0] = (pipe(p) || unshare(CLONE_NEWPID)) ? -errno : 0;
		inner = fork();
		if (inner == 0) {
			long r = container_caps();

			if (!r)
				r = sc(kill(self->sentry_pid, 0));

			/* pid 1 of the new namespace: the Sentry's pid names nobody here */
			if (write(p[1], &r, sizeof(r)) != sizeof(r))
				_exit(1);
			_exit(0);
		}
		res[1] = -EPROTO;
		if (inner > 0 && read(p[0], &res[1], sizeof(res[1])) != sizeof(res[1]))
			res[1] = -EPROTO;
		waitpid(inner, NULL, 0);
		REPORT(res, 2);
	}
	RESULTS(res, 2);
	ASSERT_EQ(0, res[0]);
	EXPECT_EQ(-ESRCH, res[1]) TH_LOG("kill(sentry's pid) from a new pid namespace: %ld",
					 res[1]);
}

TEST_HARNESS_MAIN
