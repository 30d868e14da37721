// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of the broker racing a sandbox's end: a request handed out (or
 * replayed) by REDIRECT_IOC_BROKER while the sandbox's last task dies. The
 * window is made wide on purpose (the broker's copy to user space waits for
 * the mmap lock) so that each run hits it, then the kernel log (KASAN, list
 * debugging) and kmemleak say whether a request was used after it was freed
 * or lost. See docs/reliability.md: these found a use-after-free; on a
 * kernel with CONFIG_DEBUG_LIST and without the fix the first one is a
 * kernel BUG.
 *
 * Run as root in a VM with the module loaded.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "../sandbox/sandbox_util.h"
#include "rel_util.h"
#include "rel_nl.h"
#include "rel_ksft.h"

#define HOLD REDIRECT_FAIL_HOLD

FIXTURE(race) {
	int unused;
};

FIXTURE_SETUP(race)
{
}

FIXTURE_TEARDOWN(race)
{
	targets_kill_all();
}

/*
 * A window made wide on purpose: a thread holds this process's mmap lock
 * for writing (one mprotect() that merges tens of thousands of VMAs back
 * into one) while the broker's copy to a request slot faults and waits for
 * that lock. In the meantime the sandbox's last task is killed and reaped,
 * and the sandbox ends. Then the copy resumes.
 */
struct stall {
	char *region;
	size_t nvmas;
	atomic_int go_w, go_b, w_done, b_done;
	long long w_ms;
	int b_ret;
	int fd;
	long answer;
	bool replay_ok, target_ok;
	void *slots;
};

static struct stall st;

/* Split the region into nvmas VMAs (every other page read-only). */
static void stall_split(void)
{
	size_t i;

	for (i = 0; i < st.nvmas; i++)
		mprotect(st.region + i * 8192, 4096, PROT_READ);
}

/* The long one: merge them all again, under the mmap lock held for writing. */
static long long stall_merge(void)
{
	long long t0 = now_ms();

	mprotect(st.region, st.nvmas * 8192, PROT_READ | PROT_WRITE);
	return now_ms() - t0;
}

static void *stall_writer(void *arg)
{
	while (!atomic_load(&st.go_w))
		usleep(100);
	st.w_ms = stall_merge();
	atomic_store(&st.w_done, 1);
	return NULL;
}

static void *stall_broker(void *arg)
{
	struct redirect_broker b = {
		.requests = (uintptr_t)st.slots,
		.max_requests = 1,
	};

	while (!atomic_load(&st.go_b))
		usleep(100);
	st.b_ret = ioctl(st.fd, REDIRECT_IOC_BROKER, &b) ? -errno : 0;
	atomic_store(&st.b_done, 1);
	return NULL;
}

/*
 * Size the region so that a merge holds the lock for at least @ms: from a
 * few hundred VMAs (the debug kernel under TCG is slow) up to 60000.
 */
static bool stall_calibrate(long ms)
{
	const size_t max = 30000;	/* 60000 VMAs: vm.max_map_count is 65530 */
	long long took = 0;

	st.region = mmap(NULL, max * 8192, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (st.region == MAP_FAILED) {
		st.region = NULL;
		return false;
	}
	for (st.nvmas = 128;; ) {
		size_t next;

		stall_split();
		took = stall_merge();
		if (took >= ms || st.nvmas == max)
			break;
		next = took > 0 ? st.nvmas * (2 * ms) / took : st.nvmas * 16;
		if (next < 2 * st.nvmas)
			next = 2 * st.nvmas;
		st.nvmas = next < max ? next : max;
	}
	st.w_ms = took;
	return took >= ms;
}

/* Is sandbox @id still listed? Uses only memory touched beforehand. */
static char nlq_buf[256], nlr_buf[16384];

static int sandbox_listed_nofault(int sock, __u16 family, __u32 id)
{
	struct nlmsghdr *h = (struct nlmsghdr *)nlq_buf;
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);
	ssize_t n;

	memset(nlq_buf, 0, sizeof(nlq_buf));
	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_HDRLEN + 4;
	h->nlmsg_type = family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	g->cmd = REDIRECT_CMD_GET_SANDBOX;
	g->version = REDIRECT_GENL_VERSION;
	a->nla_type = REDIRECT_A_SANDBOX_ID;
	a->nla_len = NLA_HDRLEN + 4;
	memcpy((char *)a + NLA_HDRLEN, &id, 4);
	if (send(sock, nlq_buf, h->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(sock, nlr_buf, sizeof(nlr_buf), 0);
		if (n < 0)
			return -errno;
		for (h = (void *)nlr_buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == NLMSG_ERROR) {
				int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;

				return err == -ENOENT ? 0 : err ? err : 1;
			}
	}
}

enum race_kind {
	RACE_REPLAY,		/* replayed request, the sandbox ends during the copy */
	RACE_RECV,		/* fresh request, the sandbox ends during the copy */
	RACE_REPLAY_ANSWER,	/* replayed request, answered during the copy */
};

static const char *const race_names[] = { "replay/end", "recv/end", "replay/answer" };

/*
 * One attempt: a target's forwarded call is pending (RECV) or was handed
 * to a previous owner and waits for replay (REPLAY); the broker's copy to
 * the request slot stalls; the sandbox ends under it. Returns 1 when the
 * sandbox was seen gone while the broker was still stalled, 0 when the
 * window was missed, -1 on a setup failure.
 */
static int race_once(struct __test_metadata *_metadata, enum race_kind kind, char *slots_page)
{
	int nrs[] = { __NR_getppid };
	struct redirect_request req;
	struct redirect_reply answer = {}, warm;
	pthread_t w, b;
	struct rnl nl;
	struct target t;
	__u32 id = 0;
	int fd, hit, listed = 1, status;
	long long end;
	pid_t pid;

	if (rnl_open(&nl))
		return -1;
	fd = rdr_session(RDR_FEATURES_IOCTL, NULL);
	if (fd < 0)
		return -1;
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		syscall(__NR_getppid, 99);
		_exit(0);
	}
	if (pid < 0 || rdr_attach(fd, t.listener, t.pidfd, HOLD, 0, "race", &id))
		return -1;
	target_go(&t);
	if (kind == RACE_REPLAY || kind == RACE_REPLAY_ANSWER) {
		int fd2;

		/* First owner fetches the call and goes away: it waits for replay. */
		if (rdr_fetch_one(fd, &req, 5000) != 1)
			return -1;
		fd2 = rdr_session(RDR_FEATURES_IOCTL, NULL);
		close(fd);
		if (fd2 < 0 || rdr_adopt(fd2, id))
			return -1;
		fd = fd2;
		/* The whole slot on a page the copy cannot write: -EFAULT after the stall. */
		st.slots = slots_page + 4096 - sizeof(struct redirect_request);
	} else {
		struct rnl_sandbox si = {};
		long long e = now_ms() + 5000;

		/* The call is queued at seccomp, not fetched yet. */
		do {
			rnl_sandbox_get(&nl, id, &si);
			if (si.forward_pending)
				break;
			sleep_ms(5);
		} while (now_ms() < e);
		if (!si.forward_pending)
			return -1;
		/* sandbox_id and flags on the unwritable page, notif on the next one. */
		st.slots = slots_page + 4096 - 8;
	}
	st.fd = fd;
	stall_split();
	atomic_store(&st.go_w, 0);
	atomic_store(&st.go_b, 0);
	atomic_store(&st.w_done, 0);
	atomic_store(&st.b_done, 0);
	memset(nlq_buf, 0, sizeof(nlq_buf));
	memset(nlr_buf, 0, sizeof(nlr_buf));
	if (pthread_create(&w, NULL, stall_writer, NULL))
		return -1;
	if (pthread_create(&b, NULL, stall_broker, NULL)) {
		atomic_store(&st.go_w, 1);
		pthread_join(w, NULL);
		return -1;
	}

	if (kind == RACE_REPLAY_ANSWER) {
		answer = reply_send(&req, 1, 0, 0);
		answer.result = 1;
		/* Warm up the path, with an id nobody holds. */
		warm = answer;
		warm.resp.id ^= 1ULL << 63;
		warm.addfd.id = warm.resp.id;
		rdr_broker(fd, &warm, 1, NULL, 0, 0, NULL, NULL);
	}
	/* Warm up every page the window needs: code and data alike. */
	sandbox_listed_nofault(nl.fd, nl.family, id);
	kill(pid, 0);
	waitpid(-1, NULL, WNOHANG);
	usleep(1);
	/* From here until the writer is done, touch no new memory. */
	atomic_store(&st.go_w, 1);
	usleep(20000);
	atomic_store(&st.go_b, 1);
	usleep(20000);
	if (kind == RACE_REPLAY_ANSWER) {
		/*
		 * Another thread of the owning session answers the request
		 * (its id is no secret: the previous owner had it) while the
		 * broker is still copying it out.
		 */
		answer.result = 1;
		rdr_broker(fd, &answer, 1, NULL, 0, 0, NULL, NULL);
		/*
		 * Either outcome is sound: answered (the broker must then
		 * forget the request it is copying out) or refused with
		 * ENOENT (the request is not delivered while in flight).
		 */
		hit = (answer.result == 0 || answer.result == -ENOENT) &&
		      !atomic_load(&st.w_done) && !atomic_load(&st.b_done);
	} else {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		end = now_ms() + 3000;
		while (now_ms() < end && !atomic_load(&st.w_done) &&
		       (listed = sandbox_listed_nofault(nl.fd, nl.family, id)) == 1)
			usleep(5000);
		hit = listed == 0 && !atomic_load(&st.w_done) && !atomic_load(&st.b_done);
		/* Let the end work finish freeing before the broker resumes. */
		usleep(20000);
		hit = hit && !atomic_load(&st.w_done);
	}

	pthread_join(w, NULL);
	pthread_join(b, NULL);
	/* A replayed request was in the broker's hands only if its copy failed. */
	if (kind != RACE_RECV)
		hit = hit && st.b_ret == -EFAULT;
	if (kind == RACE_REPLAY_ANSWER) {
		st.answer = answer.result;
		/*
		 * No call lost: unless the answer went through, the request
		 * comes back (replayed) and can be answered now.
		 */
		if (answer.result == -ENOENT) {
			struct redirect_request again;

			st.replay_ok = rdr_fetch_one(fd, &again, 5000) == 1 &&
				       again.notif.id == req.notif.id &&
				       (again.flags & REDIRECT_REQUEST_REPLAYED);
			if (st.replay_ok) {
				answer = reply_send(&again, 1, 0, 0);
				st.replay_ok = rdr_reply_one(fd, &answer) == 0;
			}
		} else {
			st.replay_ok = answer.result == 0;
		}
		/* The target's one call is answered: it exits by itself. */
		st.target_ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			       WEXITSTATUS(status) == 0;
	}
	child_forget(pid);
	t.pid = 0;
	TH_LOG("%s attempt: writer held the lock %lld ms; broker %s; %s in the window",
	       race_names[kind], st.w_ms, strerror(-st.b_ret),
	       hit ? "hit" : "missed");
	if (kind == RACE_REPLAY_ANSWER && hit) {
		TH_LOG("the answer during the copy: %ld", st.answer);
		EXPECT_TRUE(st.replay_ok) TH_LOG("the request was lost (not replayed)");
		EXPECT_TRUE(st.target_ok) TH_LOG("the call was not answered");
	}
	close(fd);
	target_close(&t);
	rnl_close(&nl);
	return hit;
}

static void race_run(struct __test_metadata *_metadata, enum race_kind kind)
{
	char tag[64], found[4096];
	char *page;
	int attempt, hit = 0, reports, leaks;

	if (!rel_selected(_metadata->name))
		SKIP(return, "not selected by REL_ONLY");
	if (access(REDIRECT_DEVICE, F_OK))
		SKIP(return, REDIRECT_DEVICE " absent: module not loaded");
	if (!stall_calibrate(400))
		SKIP(return, "cannot hold the mmap lock long enough here");
	TH_LOG("a merge of %zu VMAs holds the mmap lock for %lld ms", 2 * st.nvmas, st.w_ms);
	/* Two pages: the first one unwritable, the second writable and present. */
	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	memset(page, 0, 8192);
	ASSERT_EQ(0, mprotect(page, 4096, PROT_NONE));
	snprintf(tag, sizeof(tag), "rel-race: %s start %lld", _metadata->name, now_ms());
	klog_mark(tag);
	for (attempt = 0; attempt < 5 && hit <= 0; attempt++) {
		hit = race_once(_metadata, kind, page);
		ASSERT_LE(0, hit) TH_LOG("setup failed");
	}
	munmap(st.region, 30000 * 8192);
	st.region = NULL;
	if (!hit)
		SKIP(return, "the window was missed in 5 attempts");
	/* The verdict: KASAN (a freed request touched) or kmemleak (one lost). */
	sleep_ms(500);
	reports = klog_grep_since(tag, "KASAN|BUG:|WARNING:|list_add corruption|list_del corruption",
				  found, sizeof(found));
	EXPECT_EQ(0, reports) TH_LOG("kernel reports after the race:\n%s", found);
	sleep_ms(6000);
	leaks = kmemleak_count("rdr_broker");
	if (leaks >= 0)
		EXPECT_EQ(0, leaks) TH_LOG("kmemleak: %d objects allocated by the broker lost", leaks);
	EXPECT_SETTLED();
}

TEST_F_TIMEOUT(race, broker_replay_copy_fails_while_sandbox_ends, 600)
{
	race_run(_metadata, RACE_REPLAY);
}

TEST_F_TIMEOUT(race, broker_recv_while_sandbox_ends, 600)
{
	race_run(_metadata, RACE_RECV);
}

TEST_F_TIMEOUT(race, broker_replay_copy_fails_while_request_answered, 600)
{
	race_run(_metadata, RACE_REPLAY_ANSWER);
}

TEST_HARNESS_MAIN
