// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of redirect.ko under faults and load: targets killed mid-call,
 * a listener's last user gone while the Sentry holds requests, Sentry
 * sessions closed at random moments while another adopts, unload attempts
 * under load, 100 sandboxes at once, and the broker racing a sandbox's end.
 * One file (over 900 lines) on purpose: one kselftest harness binary per
 * module-mode area, whose cases share the fixtures below.
 *
 * Run as root in a VM with the module loaded. Environment: REL_SCALE (a
 * factor for durations and iteration counts; default 1, the short run),
 * REDIRECT_KO (the module's path: the unload tests load it again).
 * Every test ends by checking that all its sandboxes ended and the module's
 * reference count went back to zero.
 */
#include <dirent.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "../sandbox/sandbox_util.h"
#include "rel_util.h"
#include "rel_nl.h"
#include "rel_ksft.h"

#define HOLD REDIRECT_FAIL_HOLD

static double scale(void)
{
	const char *s = getenv("REL_SCALE");
	double v = s ? atof(s) : 1.0;

	return v > 0 ? v : 1.0;
}

static long scaled(long n)
{
	long v = (long)(n * scale());

	return v > 0 ? v : 1;
}

/* A page of memory shared with forked targets, for their counters. */
struct shared {
	atomic_long calls, wrong, fast, first_got, first_want;
	atomic_int stop, ready;
};

static struct shared *shared_map(void)
{
	struct shared *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				 -1, 0);

	if (sh == MAP_FAILED)
		return NULL;
	memset(sh, 0, sizeof(*sh));
	return sh;
}

static void shared_wrong(struct shared *sh, long got, long want)
{
	if (atomic_fetch_add(&sh->wrong, 1) == 0) {
		sh->first_got = got;
		sh->first_want = want;
	}
}

/* Wait until GET_SANDBOX says @id is gone: true if it went within @ms. */
static bool sandbox_gone(__u32 id, int ms)
{
	long long end = now_ms() + ms;
	struct rnl nl;
	bool gone = false;

	if (rnl_open(&nl))
		return false;
	do {
		if (rnl_sandbox_get(&nl, id, NULL) == -ENOENT) {
			gone = true;
			break;
		}
		sleep_ms(10);
	} while (now_ms() < end);
	rnl_close(&nl);
	return gone;
}

static int sandbox_query(__u32 id, struct rnl_sandbox *out)
{
	struct rnl nl;
	int ret = rnl_open(&nl);

	if (ret)
		return ret;
	ret = rnl_sandbox_get(&nl, id, out);
	rnl_close(&nl);
	return ret;
}

FIXTURE(faults) {
	int unused;
};

FIXTURE_SETUP(faults)
{
}

FIXTURE_TEARDOWN(faults)
{
	targets_kill_all();
}

/*
 * A test of this file. The 6.1 harness runs a test's body even when its
 * setup skipped, hence the checks here: selected (REL_ONLY), module loaded.
 */
#define FAULT_TEST(tname, timeout)						\
	static void tname##_body(struct __test_metadata *_metadata);		\
	TEST_F_TIMEOUT(faults, tname, timeout)					\
	{									\
		if (!rel_selected(_metadata->name))				\
			SKIP(return, "not selected by REL_ONLY");		\
		if (access(REDIRECT_DEVICE, F_OK))				\
			SKIP(return, REDIRECT_DEVICE " absent: module not loaded");\
		tname##_body(_metadata);						\
	}									\
	static void tname##_body(struct __test_metadata *_metadata)

#define START_TARGET(pid) ASSERT_LT(0, (pid)) TH_LOG("target_fork failed: %s", strerror(errno))
#define ATTACH(fd, t, id) \
	ASSERT_EQ(0, rdr_attach((fd), (t)->listener, (t)->pidfd, HOLD, 0, "faults", &(id)))

/* ---- targets killed mid-call -------------------------------------------------------- */

static void *call_getppid(void *arg)
{
	syscall(__NR_getppid, (long)arg);
	return NULL;
}

/*
 * Four threads wait in forwarded calls that the Sentry has fetched and not
 * answered; the target is killed. The sandbox ends, the requests go with it,
 * and the Sentry's late replies find no sandbox.
 */
static void kill_blocked_run(struct __test_metadata *_metadata, unsigned int flags)
{
	int nrs[] = { __NR_getppid };
	struct redirect_request req[4];
	struct rnl_sandbox info;
	struct target t;
	__u32 id = 0;
	int fd, i, st, got = 0;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, flags);
	if (pid == 0) {
		pthread_t thr[4];

		for (i = 0; i < 4; i++)
			pthread_create(&thr[i], NULL, call_getppid, (void *)(long)i);
		for (i = 0; i < 4; i++)
			pthread_join(thr[i], NULL);
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, target_go(&t));
	for (i = 0; i < 40 && got < 4; i++)
		got += rdr_fetch_one(fd, &req[got], 250) == 1;
	ASSERT_EQ(4, got);
	ASSERT_EQ(0, sandbox_query(id, &info));
	EXPECT_EQ(4, info.delivered);

	kill(pid, SIGKILL);
	/* It dies of our SIGKILL, also waiting killable (target_wait() kills only on timeout). */
	st = target_wait(&t, 10000);
	EXPECT_TRUE(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("target: status %d", st);
	EXPECT_TRUE(sandbox_gone(id, 10000)) TH_LOG("sandbox %u outlived its last task", id);
	for (i = 0; i < 4; i++) {
		struct redirect_reply rep = reply_send(&req[i], 1, 0, 0);

		EXPECT_EQ(-ESRCH, rdr_reply_one(fd, &rep));
	}
	close(fd);
	target_close(&t);
	EXPECT_SETTLED();
}

FAULT_TEST(kill_target_blocked_in_forwarded_call, 60)
{
	kill_blocked_run(_metadata, 0);
}

FAULT_TEST(kill_target_blocked_in_forwarded_call_wait_killable, 60)
{
	kill_blocked_run(_metadata, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
}

static struct shared *fp_sh;

/* getppid is fast-pathed (VALUE 4242), getpgid forwarded: both checked. */
static void *fastpath_loop(void *arg)
{
	long idx = (long)arg, i;

	for (i = 0;; i++) {
		long r;

		if ((i & 7) == 7 && idx == 0) {
			long tok = (idx << 24) | (i & 0xffffff);

			r = sc_ret(syscall(__NR_getpgid, tok));
			if (r != FWD_VAL(tok))
				shared_wrong(fp_sh, r, FWD_VAL(tok));
		} else {
			r = sc_ret(syscall(__NR_getppid, i));
			if (r != 4242)
				shared_wrong(fp_sh, r, 4242);
			atomic_fetch_add(&fp_sh->fast, 1);
		}
		atomic_fetch_add(&fp_sh->calls, 1);
	}
	return NULL;
}

/*
 * Threads in a tight loop of fast-pathed calls (and a forwarded one now and
 * then) are killed at a random moment, over and over: each verdict in
 * flight holds a module reference that its task_work must drop, also when
 * the task dies instead of returning.
 */
FAULT_TEST(kill_target_while_fastpathed, 600)
{
	int nrs[] = { __NR_getppid, __NR_getpgid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4242);
	long iters = scaled(20), it, calls = 0;
	unsigned int seed = 1;
	struct sentry s;
	int fd;

	fp_sh = shared_map();
	ASSERT_NE(NULL, fp_sh);
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	for (it = 0; it < iters; it++) {
		struct target t;
		__u32 id = 0;
		pid_t pid;
		int i;

		pid = target_fork(&t, nrs, 2, it & 1 ? SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV : 0);
		if (pid == 0) {
			pthread_t thr[3];

			for (i = 1; i < 3; i++)
				pthread_create(&thr[i], NULL, fastpath_loop, (void *)(long)i);
			fastpath_loop(0);
			_exit(0);
		}
		START_TARGET(pid);
		ATTACH(fd, &t, id);
		ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
		ASSERT_EQ(0, target_go(&t));
		sleep_ms(1 + rand_r(&seed) % 40);
		kill(pid, SIGKILL);
		target_wait(&t, 0);
		target_close(&t);
		EXPECT_TRUE(sandbox_gone(id, 10000)) TH_LOG("iteration %ld: sandbox %u stayed", it, id);
	}
	sentry_stop(&s);
	calls = atomic_load(&fp_sh->calls);
	TH_LOG("%ld kills; %ld calls made, %ld fast-pathed", iters, calls,
	       atomic_load(&fp_sh->fast));
	EXPECT_LT(0, atomic_load(&fp_sh->fast));
	EXPECT_EQ(0, atomic_load(&fp_sh->wrong))
		TH_LOG("wrong answer: got %ld want %ld", fp_sh->first_got, fp_sh->first_want);
	close(fd);
	EXPECT_SETTLED();
}

/* ---- the listener's last user exits while the Sentry holds requests ------------------ */

/*
 * Requests fetched by the Sentry (delivered) or kept for the next owner
 * (replay) when the last task exits: the sandbox ends, its requests are
 * freed (kmemleak), replies and adoption find nothing.
 */
static void last_user_run(struct __test_metadata *_metadata, bool in_custody)
{
	int nrs[] = { __NR_getppid };
	struct redirect_request req[3];
	struct rnl_sandbox info;
	struct target t;
	__u32 id = 0;
	int fd, fd2, i, got = 0;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		pthread_t thr[3];

		for (i = 0; i < 3; i++)
			pthread_create(&thr[i], NULL, call_getppid, (void *)(long)i);
		for (i = 0; i < 3; i++)
			pthread_join(thr[i], NULL);
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, target_go(&t));
	for (i = 0; i < 40 && got < 3; i++)
		got += rdr_fetch_one(fd, &req[got], 250) == 1;
	ASSERT_EQ(3, got);
	if (in_custody) {
		close(fd);
		ASSERT_EQ(0, sandbox_query(id, &info));
		EXPECT_EQ(3, info.replay);
		EXPECT_EQ(0, info.owned);
	}
	/* The last user goes: killed, then reaped (which drops the filter). */
	kill(pid, SIGKILL);
	target_wait(&t, 0);
	EXPECT_TRUE(sandbox_gone(id, 10000));
	OPEN_SESSION(fd2, RDR_FEATURES_IOCTL);
	EXPECT_EQ(-ENOENT, rdr_adopt(fd2, id));
	if (!in_custody) {
		for (i = 0; i < 3; i++) {
			struct redirect_reply rep = reply_send(&req[i], 0, -EPERM, 0);

			EXPECT_EQ(-ESRCH, rdr_reply_one(fd, &rep));
		}
		close(fd);
	}
	close(fd2);
	target_close(&t);
	EXPECT_SETTLED();
}

FAULT_TEST(last_user_exits_with_requests_delivered, 60)
{
	last_user_run(_metadata, false);
}

FAULT_TEST(last_user_exits_with_requests_in_custody, 60)
{
	last_user_run(_metadata, true);
}

/* ---- Sentry sessions closed at random while calls are forwarded ---------------------- */

#define CHURN_THREADS 8
static struct shared *churn_sh;

static void *churn_thread(void *arg)
{
	long idx = (long)arg, i;

	for (i = 0; !atomic_load(&churn_sh->stop); i++) {
		long tok = (idx << 20) | (i & 0xfffff), r;

		if ((i & 3) == 3) {
			r = sc_ret(syscall(__NR_getpgid, tok));
			if (r != 777)
				shared_wrong(churn_sh, r, 777);
		} else {
			r = sc_ret(syscall(__NR_getppid, tok));
			if (r != FWD_VAL(tok))
				shared_wrong(churn_sh, r, FWD_VAL(tok));
		}
		atomic_fetch_add(&churn_sh->calls, 1);
	}
	return NULL;
}

struct adopt_race {
	int fd[2];
	__u32 id;
	atomic_int go, next;
	int ret[2];
};

static void *adopt_racer(void *arg)
{
	struct adopt_race *ar = arg;
	int k = atomic_fetch_add(&ar->next, 1);

	while (!atomic_load(&ar->go))
		;
	ar->ret[k] = rdr_adopt(ar->fd[k], ar->id);
	return NULL;
}

/*
 * A call never came back: say where it is. The listener itself tells
 * whether seccomp still holds a notification nobody fetched (POLLIN) or
 * one that was fetched and never answered (POLLOUT); the module's view and
 * each thread's kernel stack tell the rest.
 */
static void churn_diagnose(struct __test_metadata *_metadata, struct target *t, __u32 id,
			   struct sentry *s)
{
	struct pollfd p = { .fd = t->listener, .events = POLLIN | POLLOUT };
	struct rnl_sandbox si = {};
	char path[320], buf[2048];
	struct dirent *de;
	DIR *d;
	int ret;

	ret = poll(&p, 1, 0);
	TH_LOG("stuck: listener poll %d revents %#x (POLLIN: a notification nobody fetched, "
	       "POLLOUT: one fetched, not answered)", ret, p.revents);
	ret = sandbox_query(id, &si);
	TH_LOG("module: query %d forward_pending %u delivered %u replay %u owned %d; notified %llu "
	       "forwarded %llu raced %llu replayed %llu fallback %llu", ret, si.forward_pending,
	       si.delivered, si.replay, si.owned,
	       (unsigned long long)si.stats[REDIRECT_STAT_NOTIFIED],
	       (unsigned long long)si.stats[REDIRECT_STAT_FORWARDED],
	       (unsigned long long)si.stats[REDIRECT_STAT_RACED],
	       (unsigned long long)si.stats[REDIRECT_STAT_REPLAYED],
	       (unsigned long long)si.stats[REDIRECT_STAT_FALLBACK]);
	TH_LOG("last Sentry: %lu fetched, %lu answered, %lu ENOENT, %lu errors (last %d)",
	       atomic_load(&s->requests), atomic_load(&s->replied), atomic_load(&s->reply_enoent),
	       atomic_load(&s->errors), atomic_load(&s->last_error));
	snprintf(path, sizeof(path), "/proc/%d/task", t->pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		int fd;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/syscall", t->pid, de->d_name);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, 64);
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = 0;
		TH_LOG("thread %s: syscall %.40s", de->d_name, buf);
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", t->pid, de->d_name);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = 0;
		if (n > 0)
			TH_LOG("%s", buf);
	}
	if (d)
		closedir(d);
}

/* A Sentry that drops one request in five unanswered: a daemon that dies mid-batch. */
static bool sentry_lossy(struct sentry *s, const struct redirect_request *req,
			 struct redirect_reply *rep)
{
	unsigned int *seed = s->arg;

	if (rand_r(seed) % 5 == 0)
		return false;
	*rep = reply_send(req, FWD_VAL(req->notif.data.args[0]), 0, 0);
	return true;
}

/*
 * 8 threads make forwarded calls (and fast-pathed ones) with a token each
 * answer must echo. The owning session is closed at random moments, also
 * while its Sentry thread is inside the broker and after it dropped some
 * requests unanswered; a second session racing a third to adopt must win
 * alone, and the winner answers the replayed requests. No call may get a
 * wrong answer, and when the load stops every call must come back.
 */
FAULT_TEST(sessions_closed_at_random_under_forwarded_load, 900)
{
	int nrs[] = { __NR_getppid, __NR_getpgid };
	struct redirect_rule r = rule_make(__NR_getpgid, REDIRECT_VERDICT_VALUE, 777);
	long long end = now_ms() + scaled(8000);
	unsigned int seed = 7, lossy_seed = 11;
	long rounds = 0, adopt_busy = 0, replayed = 0, stale = 0;
	struct target t;
	__u32 id = 0;
	int fd, i;
	pid_t pid;

	churn_sh = shared_map();
	ASSERT_NE(NULL, churn_sh);
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		pthread_t thr[CHURN_THREADS];

		for (i = 0; i < CHURN_THREADS; i++)
			pthread_create(&thr[i], NULL, churn_thread, (void *)(long)i);
		for (i = 0; i < CHURN_THREADS; i++)
			pthread_join(thr[i], NULL);
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, target_go(&t));

	while (now_ms() < end) {
		struct sentry s;
		int other, mode = rand_r(&seed) % 3;

		ASSERT_EQ(0, sentry_start(&s, fd, mode == 2 ? sentry_lossy : NULL, &lossy_seed));
		sleep_ms(2 + rand_r(&seed) % 40);
		if (mode == 1) {
			/* Closed under the Sentry's feet: it is inside the broker now and then. */
			close(fd);
			sentry_stop(&s);
		} else {
			sentry_stop(&s);
			close(fd);
		}
		replayed += atomic_load(&s.requests);
		stale += atomic_load(&s.per_nr[__NR_getpgid]);
		rounds++;
		/* Two sessions race to adopt the sandbox in custody. */
		OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
		OPEN_SESSION(other, RDR_FEATURES_IOCTL);
		{
			struct adopt_race ar = { .fd = { fd, other }, .id = id };
			pthread_t at[2];
			int k;

			for (k = 0; k < 2; k++)
				pthread_create(&at[k], NULL, adopt_racer, &ar);
			atomic_store(&ar.go, 1);
			for (k = 0; k < 2; k++)
				pthread_join(at[k], NULL);
			/* Exactly one wins; the loser's session is closed unused. */
			EXPECT_TRUE((ar.ret[0] == 0 && ar.ret[1] == -EBUSY) ||
				    (ar.ret[1] == 0 && ar.ret[0] == -EBUSY))
				TH_LOG("adopt race: %d and %d", ar.ret[0], ar.ret[1]);
			adopt_busy += ar.ret[0] == -EBUSY || ar.ret[1] == -EBUSY;
			if (ar.ret[0] != 0) {
				int tmp = fd;

				fd = other;
				other = tmp;
			}
		}
		close(other);
	}
	/* Stop the load; whatever is pending must still be answered. */
	{
		struct sentry s;
		long long deadline;

		ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
		atomic_store(&churn_sh->stop, 1);
		deadline = now_ms() + 60000;
		while (!target_exited(&t, 100) && now_ms() < deadline)
			;
		if (!target_exited(&t, 0))
			churn_diagnose(_metadata, &t, id, &s);
		sentry_stop(&s);
	}
	EXPECT_TARGET_OK(&t, 1000);
	TH_LOG("%ld owner changes, %ld calls, %ld requests fetched by Sentries", rounds,
	       atomic_load(&churn_sh->calls), replayed);
	/* getpgid is answered by the fast path: the Sentry must never see one. */
	EXPECT_EQ(0, stale) TH_LOG("%ld fast-pathed calls handed to a Sentry", stale);
	EXPECT_LT(0, atomic_load(&churn_sh->calls));
	EXPECT_EQ(rounds, adopt_busy);
	EXPECT_EQ(0, atomic_load(&churn_sh->wrong))
		TH_LOG("wrong answer: got %ld want %ld", churn_sh->first_got,
		       churn_sh->first_want);
	close(fd);
	target_close(&t);
	EXPECT_SETTLED();
}

/* ---- fast-pathed calls racing the broker's RECV ---------------------------------------- */

static struct shared *mix_sh;

/* Threads 0-5: fast-pathed getpgid; 6-7: forwarded getppid with a token. */
static void *mix_thread(void *arg)
{
	long idx = (long)arg, i;

	for (i = 0; !atomic_load(&mix_sh->stop); i++) {
		long tok = (idx << 24) | (i & 0xffffff), r;

		if (idx < 6) {
			r = sc_ret(syscall(__NR_getpgid, tok));
			if (r != 777)
				shared_wrong(mix_sh, r, 777);
			atomic_fetch_add(&mix_sh->fast, 1);
		} else {
			r = sc_ret(syscall(__NR_getppid, tok));
			if (r != FWD_VAL(tok))
				shared_wrong(mix_sh, r, FWD_VAL(tok));
		}
		atomic_fetch_add(&mix_sh->calls, 1);
	}
	return NULL;
}

/*
 * Fast-pathed calls in a tight loop while forwarded ones keep the broker
 * RECVing: a RECV that takes a fast-pathed notification must answer it in
 * the module, never hand it to the Sentry, and must not count it against
 * the forwarded calls (an undercount strands a forwarded call for ever once
 * the load stops). Then every call must come back.
 */
FAULT_TEST(fastpath_raced_by_recv_strands_no_call, 900)
{
	int nrs[] = { __NR_getppid, __NR_getpgid };
	struct redirect_rule r = rule_make(__NR_getpgid, REDIRECT_VERDICT_VALUE, 777);
	struct rnl_sandbox si = {};
	long long deadline;
	struct sentry s;
	struct target t;
	__u32 id = 0;
	int fd, i;
	pid_t pid;

	mix_sh = shared_map();
	ASSERT_NE(NULL, mix_sh);
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		pthread_t thr[8];

		for (i = 0; i < 8; i++)
			pthread_create(&thr[i], NULL, mix_thread, (void *)(long)i);
		for (i = 0; i < 8; i++)
			pthread_join(thr[i], NULL);
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	ASSERT_EQ(0, target_go(&t));
	sleep_ms(scaled(10000));
	atomic_store(&mix_sh->stop, 1);
	deadline = now_ms() + 30000;
	while (!target_exited(&t, 100) && now_ms() < deadline)
		;
	sandbox_query(id, &si);
	if (!target_exited(&t, 0))
		churn_diagnose(_metadata, &t, id, &s);
	sentry_stop(&s);
	EXPECT_TARGET_OK(&t, 1000);
	TH_LOG("%ld calls (%ld fast-pathed); %llu RECVs answered by the module; the Sentry got "
	       "%lu getpgid", atomic_load(&mix_sh->calls), atomic_load(&mix_sh->fast),
	       (unsigned long long)si.stats[REDIRECT_STAT_RACED],
	       atomic_load(&s.per_nr[__NR_getpgid]));
	EXPECT_EQ(0, atomic_load(&s.per_nr[__NR_getpgid]))
		TH_LOG("fast-pathed calls handed to the Sentry");
	EXPECT_EQ(0, atomic_load(&mix_sh->wrong))
		TH_LOG("wrong answer: got %ld want %ld", mix_sh->first_got, mix_sh->first_want);
	close(fd);
	target_close(&t);
	EXPECT_SETTLED();
}

/* ---- 100 sandboxes attached and ended in parallel ------------------------------------ */

#define MANY 100
#define MANY_SESSIONS 4

struct many {
	struct target t[MANY];
	__u32 id[MANY];
	int fd[MANY_SESSIONS];
	atomic_int errors;
	int first_error;
};

static struct many *many;

static void *many_attach(void *arg)
{
	long k = (long)arg;
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 31337);
	int i, ret;

	for (i = k; i < MANY; i += MANY_SESSIONS) {
		ret = rdr_attach(many->fd[k], many->t[i].listener, many->t[i].pidfd, HOLD, 0,
				 "many", &many->id[i]);
		if (!ret)
			ret = rdr_set_rules(many->fd[k], many->id[i], &r, 1, NULL);
		if (!ret)
			ret = target_go(&many->t[i]);
		if (ret && atomic_fetch_add(&many->errors, 1) == 0)
			many->first_error = ret;
		close(many->t[i].listener);
		many->t[i].listener = -1;
	}
	return NULL;
}

FAULT_TEST(hundred_sandboxes_in_parallel, 600)
{
	int nrs[] = { __NR_getppid, __NR_getpgid };
	struct sentry s[MANY_SESSIONS];
	pthread_t thr[MANY_SESSIONS];
	struct rlimit rl = { 4096, 4096 };
	int i, k, peak, ok = 0, killed = 0;
	struct rnl nl;

	setrlimit(RLIMIT_NOFILE, &rl);
	many = mmap(NULL, sizeof(*many), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, many);
	for (k = 0; k < MANY_SESSIONS; k++) {
		OPEN_SESSION(many->fd[k], RDR_FEATURES_IOCTL);
		ASSERT_EQ(0, sentry_start(&s[k], many->fd[k], NULL, NULL));
	}
	for (i = 0; i < MANY; i++) {
		pid_t pid = target_fork(&many->t[i], nrs, 2, 0);

		if (pid == 0) {
			long j, bad = 0;

			for (j = 0; j < 20; j++) {
				bad += syscall(__NR_getppid, j) != 31337;
				bad += syscall(__NR_getpgid, j) != FWD_VAL(j);
			}
			/* Half of them go on calling until they are killed mid-call. */
			while (i & 1) {
				syscall(__NR_getppid, 1);
				syscall(__NR_getpgid, 1);
			}
			_exit(bad ? 1 : 0);
		}
		ASSERT_LT(0, pid) TH_LOG("target %d: %s", i, strerror(errno));
	}
	for (k = 0; k < MANY_SESSIONS; k++)
		pthread_create(&thr[k], NULL, many_attach, (void *)(long)k);
	for (k = 0; k < MANY_SESSIONS; k++)
		pthread_join(thr[k], NULL);
	EXPECT_EQ(0, atomic_load(&many->errors)) TH_LOG("first error: %s",
							 strerror(-many->first_error));
	ASSERT_EQ(0, rnl_open(&nl));
	peak = rnl_sandbox_count(&nl);
	/*
	 * The odd half is still calling. An even target may have made its 40
	 * calls and exited: on 6.1 its sandbox lasts until it is reaped, from
	 * 6.12 it ends at the exit (do_exit() releases the filter).
	 */
	EXPECT_LE(MANY / 2, peak);
	EXPECT_GE(MANY, peak);
	/* The even ones finish on their own; the odd ones are killed at once. */
	for (i = 1; i < MANY; i += 2)
		kill(many->t[i].pid, SIGKILL);
	for (i = 0; i < MANY; i++) {
		int st = target_wait(&many->t[i], 60000);

		if (i & 1)
			killed += WIFSIGNALED(st);
		else
			ok += st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
		target_close(&many->t[i]);
	}
	EXPECT_EQ(MANY / 2, ok);
	EXPECT_EQ(MANY / 2, killed);
	for (k = 0; k < MANY_SESSIONS; k++) {
		sentry_stop(&s[k]);
		close(many->fd[k]);
	}
	rnl_close(&nl);
	EXPECT_SETTLED();
}

/* ---- rmmod under load ---------------------------------------------------------------- */

struct unload_load {
	atomic_int stop;
	atomic_long opens, open_errors, dumps, unloads, refused, loads, bad;
	atomic_int first_bad;
};

static struct unload_load *ul;

static void ul_bad(int err)
{
	if (atomic_fetch_add(&ul->bad, 1) == 0)
		atomic_store(&ul->first_bad, err);
}

static void *ul_opener(void *arg)
{
	while (!atomic_load(&ul->stop)) {
		int fd = rdr_session(RDR_FEATURES_IOCTL, NULL);

		if (fd >= 0) {
			atomic_fetch_add(&ul->opens, 1);
			close(fd);
		} else if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO) {
			atomic_fetch_add(&ul->open_errors, 1);
		} else {
			ul_bad(fd);
		}
	}
	return NULL;
}

static void *ul_dumper(void *arg)
{
	while (!atomic_load(&ul->stop)) {
		struct rnl nl;
		int ret = rnl_open(&nl);

		if (!ret) {
			ret = rnl_sandbox_count(&nl);
			rnl_close(&nl);
		}
		if (ret >= 0)
			atomic_fetch_add(&ul->dumps, 1);
		/*
		 * A family going away mid-request: ENOENT (no such family),
		 * EPROTONOSUPPORT (a dump cannot pin the module any more).
		 */
		else if (ret != -ENOENT && ret != -EPROTONOSUPPORT)
			ul_bad(ret);
	}
	return NULL;
}

/* Unload attempts in a loop; with @reload, load again after each success. */
static void *ul_unloader(void *arg)
{
	bool reload = arg;

	while (!atomic_load(&ul->stop)) {
		int ret = rdr_module_unload();

		if (!ret) {
			atomic_fetch_add(&ul->unloads, 1);
			if (!reload) {
				ul_bad(0);	/* must not unload while a sandbox exists */
				break;
			}
			ret = rdr_module_load(NULL);
			if (ret && ret != -EEXIST)
				ul_bad(ret);
			else
				atomic_fetch_add(&ul->loads, 1);
		} else if (ret == -EAGAIN || ret == -EBUSY) {
			atomic_fetch_add(&ul->refused, 1);
		} else if (ret != -ENOENT) {
			ul_bad(ret);
		}
		sleep_ms(1);
	}
	return NULL;
}

/*
 * While a sandbox exists (its tasks making fast-pathed and forwarded calls,
 * sessions opened and closed, netlink dumps) every unload attempt is
 * refused; once it ended and the sessions closed, unload succeeds. Then,
 * without sandboxes, unload and load race opens and dumps.
 */
FAULT_TEST(rmmod_refused_under_load_then_succeeds, 900)
{
	int nrs[] = { __NR_getppid, __NR_getpgid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4242);
	pthread_t thr[4];
	long long end;
	struct sentry s;
	struct target t;
	__u32 id = 0;
	int fd, i, ret = -1;
	pid_t pid;

	char *modprobe;

	if (!getenv("REDIRECT_KO"))
		SKIP(return, "REDIRECT_KO (path of redirect.ko) not set: would not reload");
	modprobe = modprobe_disable();
	fp_sh = shared_map();
	ul = mmap(NULL, sizeof(*ul), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ul);
	memset(ul, 0, sizeof(*ul));

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		pthread_t tt[2];

		for (i = 1; i < 3; i++)
			pthread_create(&tt[i - 1], NULL, fastpath_loop, (void *)(long)i);
		fastpath_loop(0);
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	ASSERT_EQ(0, target_go(&t));

	/* Phase 1: a sandbox exists; nothing may unload the module. */
	pthread_create(&thr[0], NULL, ul_opener, NULL);
	pthread_create(&thr[1], NULL, ul_dumper, NULL);
	pthread_create(&thr[2], NULL, ul_unloader, (void *)0);
	sleep_ms(scaled(4000));
	atomic_store(&ul->stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(thr[i], NULL);
	TH_LOG("phase 1: %ld unload attempts refused, %ld opens, %ld dumps",
	       atomic_load(&ul->refused), atomic_load(&ul->opens), atomic_load(&ul->dumps));
	EXPECT_EQ(0, atomic_load(&ul->unloads));
	EXPECT_EQ(0, atomic_load(&ul->bad)) TH_LOG("first: %s", strerror(-ul->first_bad));
	EXPECT_LT(0, atomic_load(&ul->refused));
	EXPECT_EQ(0, atomic_load(&fp_sh->wrong));

	/* Phase 2: the sandbox ends, sessions close: unload succeeds. */
	kill(pid, SIGKILL);
	target_wait(&t, 0);
	target_close(&t);
	sentry_stop(&s);
	close(fd);
	end = now_ms() + 15000;
	while (now_ms() < end && (ret = rdr_module_unload()) != 0)
		sleep_ms(20);
	EXPECT_EQ(0, ret) TH_LOG("unload after the sandbox ended: %s", strerror(-ret));
	ret = rdr_module_load(NULL);
	ASSERT_TRUE(ret == 0 || ret == -EEXIST) TH_LOG("load: %s", strerror(-ret));
	ASSERT_TRUE(rdr_wait_device(5000));

	/* Phase 3: no sandbox; unload and load race opens and dumps. */
	memset(ul, 0, sizeof(*ul));
	pthread_create(&thr[0], NULL, ul_opener, NULL);
	pthread_create(&thr[1], NULL, ul_opener, NULL);
	pthread_create(&thr[2], NULL, ul_dumper, NULL);
	pthread_create(&thr[3], NULL, ul_unloader, (void *)1);
	sleep_ms(scaled(4000));
	atomic_store(&ul->stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(thr[i], NULL);
	TH_LOG("phase 3: %ld unloads, %ld loads, %ld refused, %ld opens (%ld failed), %ld dumps",
	       atomic_load(&ul->unloads), atomic_load(&ul->loads), atomic_load(&ul->refused),
	       atomic_load(&ul->opens), atomic_load(&ul->open_errors), atomic_load(&ul->dumps));
	EXPECT_EQ(0, atomic_load(&ul->bad)) TH_LOG("first: %s", strerror(-ul->first_bad));
	if (!rdr_module_loaded()) {
		ret = rdr_module_load(NULL);
		EXPECT_TRUE(ret == 0 || ret == -EEXIST);
	}
	EXPECT_TRUE(rdr_wait_device(5000));
	modprobe_restore(modprobe);
	EXPECT_SETTLED();
}

TEST_HARNESS_MAIN
