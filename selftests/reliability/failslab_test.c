// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of redirect.ko under allocation failures: failslab's per-task
 * fail-nth makes the n-th slab allocation of one call fail, for n = 1, 2, ...
 * until the call makes fewer than n allocations. Each step checks that the
 * error reaches user space as ENOMEM (or the documented fallback), that
 * nothing half-done is left behind, and that the sandbox works afterwards;
 * kmemleak (debug-kernel-checks.sh) checks that nothing leaked.
 *
 * Needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS with debugfs
 * mounted (the debug test kernel); SKIPs otherwise. Run as root in a VM.
 * fail-nth counts every slab allocation of the task, kmemleak's own
 * bookkeeping included: a step that fails one of those simply succeeds.
 */
#include "kselftest_harness.h"
#include "../sandbox/sandbox_util.h"
#include "rel_util.h"
#include "rel_nl.h"
#include "rel_ksft.h"

#define HOLD REDIRECT_FAIL_HOLD
/* No call of the module makes more allocations than this. */
#define MAX_STEPS 200

FIXTURE(failslab) {
	int nth;	/* fail-nth of this thread */
};

FIXTURE_SETUP(failslab)
{
	self->nth = -1;
}

FIXTURE_TEARDOWN(failslab)
{
	if (self->nth >= 0)
		failnth_set(self->nth, 0);
	targets_kill_all();
}

/*
 * A test of this file. The 6.1 harness runs a test's body even when its
 * setup skipped, hence the checks here: selected (REL_ONLY), module
 * loaded, failslab available. The body gets this thread's fail-nth fd.
 */
#define FAILSLAB_TEST(tname, timeout)						\
	static void tname##_body(struct __test_metadata *_metadata, int nth);	\
	TEST_F_TIMEOUT(failslab, tname, timeout)					\
	{									\
		int __ret;							\
		if (!rel_selected(_metadata->name))				\
			SKIP(return, "not selected by REL_ONLY");		\
		if (access(REDIRECT_DEVICE, F_OK))				\
			SKIP(return, REDIRECT_DEVICE " absent: module not loaded");\
		__ret = failslab_configure();					\
		if (__ret == -ENOENT)						\
			SKIP(return, FAILSLAB_DIR " absent: no CONFIG_FAILSLAB/debugfs");\
		ASSERT_EQ(0, __ret) TH_LOG("failslab: %s", strerror(-__ret));	\
		self->nth = failnth_open();					\
		if (self->nth < 0)						\
			SKIP(return, "no fail-nth (CONFIG_FAULT_INJECTION)");	\
		klog_mark("rel-failslab: " #tname);				\
		tname##_body(_metadata, self->nth);				\
		failslab_quiet_check(_metadata, "rel-failslab: " #tname);	\
	}									\
	static void tname##_body(struct __test_metadata *_metadata, int nth)

/*
 * A failure the module reports to user space should not also fill the
 * kernel log with allocation-failure warnings and stack traces (any task
 * that may open /dev/redirect could trigger them at will under memory
 * pressure): those allocations want __GFP_NOWARN.
 */
static void failslab_quiet_check(struct __test_metadata *_metadata, const char *tag)
{
	char found[2048];
	int n = klog_grep_since(tag, "allocation failure|vmalloc error|WARNING:|rdr_",
				found, sizeof(found));

	/* Only warnings with the module in their stack count. */
	if (n && strstr(found, "rdr_") && (strstr(found, "error") || strstr(found, "failure") ||
					   strstr(found, "WARNING")))
		EXPECT_EQ(0, n) TH_LOG("allocation-failure warnings logged:\n%s", found);
}

/*
 * Arm fail-nth = @n, run @expr (an int), disarm. *injected says whether the
 * failure was injected (the count ran out), i.e. whether to try n + 1.
 */
#define WITH_FAIL_NTH(fd, n, injected, expr) ({					\
	int __ret;								\
	failnth_set((fd), (n));							\
	__ret = (expr);								\
	*(injected) = failnth_left(fd) == 0;					\
	failnth_set((fd), 0);							\
	__ret;									\
})

/* A target that answers 'c' commands with one getppid(tok) result each. */
static pid_t caller_fork(struct target *t, const int *nrs, int n)
{
	pid_t pid = target_fork(t, nrs, n, 0);

	if (pid == 0) {
		long tok = 1;

		while (target_cmd(t) == 'c') {
			long r = sc_ret(syscall(__NR_getppid, tok));

			target_report(t, &r, sizeof(r));
			tok++;
		}
		_exit(0);
	}
	return pid;
}

/* Ask the caller target for one call; the Sentry thread (if any) answers it. */
static long caller_call(struct target *t)
{
	long r = -9999;

	if (target_send(t, 'c') || target_read(t, &r, sizeof(r), 10000))
		return -9999;
	return r;
}

/* ---- attach ------------------------------------------------------------------------ */

FAILSLAB_TEST(attach_enomem, 600)
{
	int nrs[] = { __NR_getppid };
	int n, fd, ret, failed = 0;
	bool injected = true;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	for (n = 1; injected && n < MAX_STEPS; n++) {
		struct sentry s;
		struct target t;
		__u32 id = 0;
		pid_t pid = caller_fork(&t, nrs, 1);

		ASSERT_LT(0, pid);
		ret = WITH_FAIL_NTH(nth, n, &injected,
				    rdr_attach(fd, t.listener, t.pidfd, HOLD, 0, "failslab", &id));
		ASSERT_TRUE(ret == 0 || ret == -ENOMEM)
			TH_LOG("step %d: attach returned %s", n, strerror(-ret));
		if (ret) {
			failed++;
			/* Nothing half-attached: the same listener attaches cleanly now. */
			ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, HOLD, 0, "failslab", &id))
				TH_LOG("step %d: attach after ENOMEM", n);
		}
		/* And the sandbox works. */
		ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
		ASSERT_EQ(0, target_go(&t));
		EXPECT_EQ(FWD_VAL(1), caller_call(&t)) TH_LOG("step %d", n);
		sentry_stop(&s);
		EXPECT_EQ(0, target_send(&t, 'q'));
		EXPECT_TARGET_OK(&t, 5000);
		target_close(&t);
	}
	TH_LOG("%d steps, %d attaches failed with ENOMEM", n - 1, failed);
	EXPECT_LT(0, failed);
	close(fd);
	EXPECT_SETTLED();
}

/* ---- opening a session -------------------------------------------------------------- */

FAILSLAB_TEST(open_enomem, 120)
{
	int n, fd, failed = 0;
	bool injected = true;

	for (n = 1; injected && n < MAX_STEPS; n++) {
		fd = WITH_FAIL_NTH(nth, n, &injected,
				   open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC));
		if (fd < 0) {
			EXPECT_TRUE(errno == ENOMEM || errno == ENFILE)
				TH_LOG("step %d: open: %s", n, strerror(errno));
			failed++;
			/* A failed open holds no module reference. */
			EXPECT_EQ(0, rdr_module_refcnt());
			continue;
		}
		close(fd);
	}
	TH_LOG("%d steps, %d opens failed", n - 1, failed);
	EXPECT_LT(0, failed);
	EXPECT_SETTLED();
}

/* ---- rules --------------------------------------------------------------------------- */

/* @count rules: getppid answered with @value by the first, the rest never match. */
static struct redirect_rule *rules_make(int count, long value)
{
	struct redirect_rule *r = calloc(count, sizeof(*r));
	int i;

	r[0] = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, value);
	for (i = 1; i < count; i++) {
		r[i] = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, 1 + i % 500);
		rule_arg(&r[i], 1, REDIRECT_CMP_EQ, ~0ULL, 0xdead0000 + i);
	}
	return r;
}

static void set_rules_run(struct __test_metadata *_metadata, int nth, int count, bool netlink)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule *ra = rules_make(count, 1001), *rb = rules_make(count, 2002);
	long current = 1001;
	int n, fd, ret, failed = 0;
	bool injected = true;
	struct target t;
	struct rnl nl;
	__u32 id = 0;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	ASSERT_EQ(0, rnl_open(&nl));
	pid = caller_fork(&t, nrs, 1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, HOLD, 0, "failslab", &id));
	ASSERT_EQ(0, rdr_set_rules(fd, id, ra, count, NULL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(1001, caller_call(&t));

	for (n = 1; injected && n < MAX_STEPS; n++) {
		struct redirect_rule *next = current == 1001 ? rb : ra;
		long want = current == 1001 ? 2002 : 1001;

		if (netlink) {
			struct rnl_msg *m = malloc(sizeof(*m) + count * 320);
			int i;

			/* A message as large as the rules: build it by hand. */
			rnl_msg_init(m, nl.family, 0, REDIRECT_CMD_SET_RULES, REDIRECT_GENL_VERSION);
			rnl_put_u32(m, REDIRECT_A_SANDBOX_ID, id);
			for (i = 0; i < count && i < 20; i++)
				rnl_put_rule(m, &next[i]);
			ret = WITH_FAIL_NTH(nth, n, &injected, rnl_call(&nl, m, NULL, NULL, 5000));
			free(m);
		} else {
			ret = WITH_FAIL_NTH(nth, n, &injected, rdr_set_rules(fd, id, next, count, NULL));
		}
		ASSERT_TRUE(ret == 0 || ret == -ENOMEM || (netlink && ret == -ENOBUFS))
			TH_LOG("step %d: set rules: %s", n, strerror(-ret));
		if (ret == -ENOBUFS) {
			/* The ack itself was lost: ask again what the rules are. */
			rnl_close(&nl);
			ASSERT_EQ(0, rnl_open(&nl));
		}
		if (ret == 0)
			current = want;
		else
			failed++;
		/* The set in force is exactly the old one or exactly the new one. */
		{
			long got = caller_call(&t);

			if (ret == -ENOBUFS && got == want)
				current = want;
			EXPECT_EQ(current, got) TH_LOG("step %d (%s)", n, strerror(-ret));
		}
	}
	TH_LOG("%d steps, %d replacements failed", n - 1, failed);
	EXPECT_LT(0, failed);
	kill(pid, SIGKILL);
	target_wait(&t, 0);
	target_close(&t);
	rnl_close(&nl);
	close(fd);
	free(ra);
	free(rb);
	EXPECT_SETTLED();
}

FAILSLAB_TEST(set_rules_enomem, 600)
{
	set_rules_run(_metadata, nth, 3, false);
}

/* 1024 rules: the rule arrays come from vmalloc. */
FAILSLAB_TEST(set_rules_large_enomem, 600)
{
	set_rules_run(_metadata, nth, REDIRECT_RULES_MAX, false);
}

FAILSLAB_TEST(netlink_set_rules_enomem, 600)
{
	set_rules_run(_metadata, nth, 3, true);
}

/* ---- the broker ------------------------------------------------------------------------ */

/*
 * A forwarded call is pending; fetching it fails at every allocation in
 * turn. A failed fetch must not lose it: the next fetch gets it, and the
 * answer reaches the caller.
 */
FAILSLAB_TEST(broker_fetch_enomem, 600)
{
	int nrs[] = { __NR_getppid };
	int n, fd, ret, failed = 0;
	bool injected = true;
	struct target t;
	__u32 id = 0;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = caller_fork(&t, nrs, 1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, HOLD, 0, "failslab", &id));
	ASSERT_EQ(0, target_go(&t));
	for (n = 1; injected && n < MAX_STEPS; n++) {
		struct redirect_request req;
		struct redirect_reply rep;
		struct rnl_sandbox si = {};
		struct rnl nl;
		long long end = now_ms() + 5000;
		__u32 got = 0;
		long r;

		ASSERT_EQ(0, target_send(&t, 'c'));
		/* Wait until the call is queued, so that the fetch has work. */
		ASSERT_EQ(0, rnl_open(&nl));
		do {
			rnl_sandbox_get(&nl, id, &si);
		} while (!si.forward_pending && now_ms() < end && (sleep_ms(5), 1));
		rnl_close(&nl);
		memset(&req, 0, sizeof(req));
		ret = WITH_FAIL_NTH(nth, n, &injected,
				    rdr_broker(fd, NULL, 0, &req, 1, 0, NULL, &got));
		ASSERT_TRUE(ret == 0 || ret == -ENOMEM)
			TH_LOG("step %d: fetch: %s", n, strerror(-ret));
		if (ret || !got) {
			failed += ret == -ENOMEM;
			ASSERT_EQ(1, rdr_fetch_one(fd, &req, 5000))
				TH_LOG("step %d: the call was lost after %s", n, strerror(-ret));
		}
		EXPECT_EQ(0, req.flags);
		rep = reply_send(&req, FWD_VAL(req.notif.data.args[0]), 0, 0);
		EXPECT_EQ(0, rdr_reply_one(fd, &rep));
		ASSERT_EQ(0, target_read(&t, &r, sizeof(r), 5000));
		EXPECT_EQ(FWD_VAL(req.notif.data.args[0]), r);
	}
	TH_LOG("%d steps, %d fetches failed with ENOMEM", n - 1, failed);
	EXPECT_LT(0, failed);
	kill(pid, SIGKILL);
	target_wait(&t, 0);
	target_close(&t);
	close(fd);
	EXPECT_SETTLED();
}

/*
 * ADDFD under allocation failures (the fd table and the file are the
 * kernel's): the reply fails with ENOMEM or succeeds; either way the call
 * is answered afterwards.
 */
FAILSLAB_TEST(broker_addfd_enomem, 600)
{
	int nrs[] = { __NR_getppid };
	int n, fd, failed = 0, devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	bool injected = true;
	struct target t;
	__u32 id = 0;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = caller_fork(&t, nrs, 1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, HOLD, 0, "failslab", &id));
	ASSERT_EQ(0, target_go(&t));
	for (n = 1; injected && n < MAX_STEPS; n++) {
		struct redirect_request req;
		struct redirect_reply rep = {};
		__u32 done = 0;
		long r, res;
		int call;

		ASSERT_EQ(0, target_send(&t, 'c'));
		ASSERT_EQ(1, rdr_fetch_one(fd, &req, 5000));
		rep.sandbox_id = req.sandbox_id;
		rep.kind = REDIRECT_REPLY_ADDFD;
		rep.addfd.id = req.notif.id;
		rep.addfd.srcfd = devnull;
		rep.addfd.newfd_flags = O_CLOEXEC;
		rep.addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
		/* A reply-only batch (max_requests 0): it fetches nothing. */
		call = WITH_FAIL_NTH(nth, n, &injected,
				     rdr_broker(fd, &rep, 1, NULL, 0, 0, &done, NULL));
		EXPECT_EQ(0, call) TH_LOG("step %d: a reply-only batch failed with %s after %u "
					  "replies", n, strerror(-call), done);
		ASSERT_EQ(1, done);
		res = rep.result;
		if (res < 0) {
			EXPECT_EQ(-ENOMEM, res) TH_LOG("step %d: addfd: %s", n, strerror(-res));
			failed++;
			rep = reply_send(&req, 7, 0, 0);
			EXPECT_EQ(0, rdr_reply_one(fd, &rep)) TH_LOG("step %d: send after ENOMEM", n);
			ASSERT_EQ(0, target_read(&t, &r, sizeof(r), 5000));
			EXPECT_EQ(7, r);
		} else {
			ASSERT_EQ(0, target_read(&t, &r, sizeof(r), 5000));
			EXPECT_EQ(res, r);	/* the fd number in the target */
		}
	}
	TH_LOG("%d steps, %d addfd replies failed with ENOMEM", n - 1, failed);
	kill(pid, SIGKILL);
	target_wait(&t, 0);
	target_close(&t);
	close(devnull);
	close(fd);
	EXPECT_SETTLED();
}

/* ---- netlink dumps and requests --------------------------------------------------------- */

struct nl_case {
	const char *name;
	__u8 cmd;
	bool dump, with_id;
};

static const struct nl_case nl_cases[] = {
	{ "get_sandbox", REDIRECT_CMD_GET_SANDBOX, false, true },
	{ "get_sandbox_dump", REDIRECT_CMD_GET_SANDBOX, true, false },
	{ "get_stats_dump", REDIRECT_CMD_GET_STATS, true, true },
	{ "get_rules_dump", REDIRECT_CMD_GET_RULES, true, true },
};

static void count_cb(const struct nlmsghdr *h, void *arg)
{
	(*(int *)arg)++;
}

/*
 * Every request of the family fails at each allocation in turn: the socket
 * gets an error or a complete answer (never a hang), and the same request
 * made afterwards gets the complete answer.
 */
FAILSLAB_TEST(netlink_requests_enomem, 900)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule *rules = rules_make(40, 1001);
	size_t c;
	struct target t;
	struct sentry s;
	__u32 id = 0;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = caller_fork(&t, nrs, 1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, HOLD, 0, "failslab", &id));
	ASSERT_EQ(0, rdr_set_rules(fd, id, rules, 40, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(1001, caller_call(&t));	/* something for GET_STATS */

	for (c = 0; c < sizeof(nl_cases) / sizeof(nl_cases[0]); c++) {
		const struct nl_case *nc = &nl_cases[c];
		int n, full = 0, failed = 0, timeouts = 0;
		bool injected = true;
		struct rnl_msg m;
		struct rnl nl;

		ASSERT_EQ(0, rnl_open(&nl));
		rnl_msg_init(&m, nl.family, nc->dump ? NLM_F_DUMP : 0, nc->cmd, REDIRECT_GENL_VERSION);
		if (nc->with_id)
			rnl_put_u32(&m, REDIRECT_A_SANDBOX_ID, id);
		ASSERT_EQ(0, rnl_call(&nl, &m, count_cb, &full, 5000));
		ASSERT_LT(0, full);
		for (n = 1; injected && n < MAX_STEPS; n++) {
			int msgs = 0, ret;

			rnl_msg_init(&m, nl.family, nc->dump ? NLM_F_DUMP : 0, nc->cmd,
				     REDIRECT_GENL_VERSION);
			if (nc->with_id)
				rnl_put_u32(&m, REDIRECT_A_SANDBOX_ID, id);
			ret = WITH_FAIL_NTH(nth, n, &injected,
					    rnl_call(&nl, &m, count_cb, &msgs, 3000));
			if (ret == 0) {
				EXPECT_EQ(full, msgs) TH_LOG("%s step %d: a partial answer", nc->name, n);
			} else {
				EXPECT_TRUE(ret == -ENOMEM || ret == -ENOBUFS || ret == -ETIMEDOUT)
					TH_LOG("%s step %d: %s", nc->name, n, strerror(-ret));
				failed++;
				timeouts += ret == -ETIMEDOUT;
				/* Errors may leave bits of the answer queued: start afresh. */
				rnl_close(&nl);
				ASSERT_EQ(0, rnl_open(&nl));
			}
			/* The same request, no failure: the whole answer. */
			{
				int again = 0;

				rnl_msg_init(&m, nl.family, nc->dump ? NLM_F_DUMP : 0, nc->cmd,
					     REDIRECT_GENL_VERSION);
				if (nc->with_id)
					rnl_put_u32(&m, REDIRECT_A_SANDBOX_ID, id);
				EXPECT_EQ(0, rnl_call(&nl, &m, count_cb, &again, 5000));
				EXPECT_EQ(full, again) TH_LOG("%s after step %d", nc->name, n);
			}
		}
		TH_LOG("%s: %d steps, %d failed (%d lost answers)", nc->name, n - 1, failed,
		       timeouts);
		rnl_close(&nl);
	}
	sentry_stop(&s);
	kill(pid, SIGKILL);
	target_wait(&t, 0);
	target_close(&t);
	close(fd);
	free(rules);
	EXPECT_SETTLED();
}

/* ---- the fast path: GFP_NOWAIT in the trapped task ------------------------------------- */

/* Target side: arm fail-nth = @n for this thread, make one call, report both. */
static void fastpath_caller(struct target *t)
{
	int nth = failnth_open();
	char c;

	while ((c = target_cmd(t)) != 'q') {
		long res[2];
		int n = c - '0';

		failnth_set(nth, n);
		res[0] = sc_ret(syscall(__NR_getppid, 5));
		res[1] = failnth_left(nth);
		failnth_set(nth, 0);
		target_report(t, res, sizeof(res));
	}
	_exit(0);
}

static __u64 fallback_count(__u32 id)
{
	struct rnl_sandbox si = {};
	struct rnl nl;

	if (rnl_open(&nl))
		return ~0ULL;
	rnl_sandbox_get(&nl, id, &si);
	rnl_close(&nl);
	return si.stats[REDIRECT_STAT_FALLBACK];
}

/*
 * The fast path's verdict record is allocated GFP_NOWAIT in the trapped
 * task's own context. When that fails the call must not be lost or
 * mis-answered: it is forwarded (REDIRECT_STAT_FALLBACK) and the Sentry
 * answers it; the next call is fast-pathed again.
 */
FAILSLAB_TEST(fastpath_alloc_failure_forwards, 300)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4242);
	long res[2];
	struct target t;
	struct sentry s;
	__u32 id = 0;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0)
		fastpath_caller(&t);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, HOLD, 0, "failslab", &id));
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	ASSERT_EQ(0, target_go(&t));

	ASSERT_EQ(0, target_send(&t, '0'));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 5000));
	EXPECT_EQ(4242, res[0]);
	EXPECT_EQ(0, fallback_count(id));

	/* The first allocation of the trapped call: the verdict record. */
	ASSERT_EQ(0, target_send(&t, '1'));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 10000));
	EXPECT_EQ(0, res[1]) TH_LOG("the failure was not injected");
	EXPECT_EQ(FWD_VAL(5), res[0]) TH_LOG("the call was not forwarded on allocation failure");
	EXPECT_EQ(1, fallback_count(id));
	EXPECT_EQ(1, atomic_load(&s.per_nr[__NR_getppid]));

	/* Afterwards, fast again. */
	ASSERT_EQ(0, target_send(&t, '0'));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 5000));
	EXPECT_EQ(4242, res[0]);

	ASSERT_EQ(0, target_send(&t, 'q'));
	EXPECT_TARGET_OK(&t, 5000);
	sentry_stop(&s);
	target_close(&t);
	close(fd);
	EXPECT_SETTLED();
}

/*
 * An audited rule with an "events" listener: the event record is the first
 * GFP_NOWAIT allocation. Losing it costs the event only: the verdict
 * stands, and the next event counts the loss in DROPPED.
 */
struct ev_seen {
	int events;
	__u64 dropped;
};

static void event_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[REDIRECT_A_MAX + 1];
	struct ev_seen *ev = arg;

	rnl_genl_attrs(h, tb, REDIRECT_A_MAX);
	if (((struct genlmsghdr *)NLMSG_DATA(h))->cmd != REDIRECT_CMD_EVENT)
		return;
	ev->events++;
	if (tb[REDIRECT_A_DROPPED] && rnl_len(tb[REDIRECT_A_DROPPED]) == 8)
		memcpy(&ev->dropped, rnl_data(tb[REDIRECT_A_DROPPED]), 8);
}

static int read_events(struct rnl *nl, struct ev_seen *ev, int ms)
{
	static char buf[1 << 16];
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		struct pollfd p = { .fd = nl->fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		for (h = (void *)buf; n > 0 && NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
			event_cb(h, ev);
	}
	return ev->events;
}

FAILSLAB_TEST(audit_event_alloc_failure_counts_dropped, 300)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4242);
	struct ev_seen ev = {};
	long res[2];
	struct target t;
	struct rnl nl;
	__u32 id = 0;
	int fd, grp;
	pid_t pid;

	r.flags = REDIRECT_RULE_AUDIT;
	ASSERT_EQ(0, rnl_open(&nl));
	grp = nl.events;
	ASSERT_LT(0, grp);
	ASSERT_EQ(0, setsockopt(nl.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)));
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0)
		fastpath_caller(&t);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, HOLD, 0, "failslab", &id));
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, target_go(&t));

	ASSERT_EQ(0, target_send(&t, '0'));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 5000));
	EXPECT_EQ(4242, res[0]);
	EXPECT_EQ(1, read_events(&nl, &ev, 1000));

	/* The event is allocated before the verdict record: it is the one lost. */
	ASSERT_EQ(0, target_send(&t, '1'));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 5000));
	EXPECT_EQ(0, res[1]);
	EXPECT_EQ(4242, res[0]) TH_LOG("a lost event changed the verdict");
	EXPECT_EQ(1, read_events(&nl, &ev, 1000)) TH_LOG("an event for a failed allocation");

	ASSERT_EQ(0, target_send(&t, '0'));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 5000));
	EXPECT_EQ(2, read_events(&nl, &ev, 1000));
	EXPECT_EQ(1, ev.dropped) TH_LOG("the next event does not count the lost one");

	ASSERT_EQ(0, target_send(&t, 'q'));
	EXPECT_TARGET_OK(&t, 5000);
	target_close(&t);
	rnl_close(&nl);
	close(fd);
	EXPECT_SETTLED();
}

TEST_HARNESS_MAIN
