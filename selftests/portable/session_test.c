// SPDX-License-Identifier: GPL-2.0
/* The module client without the module: the session falls back to portable mode, the control plane says why. */
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "helpers.h"
#include "kselftest_harness.h"

static int notices;
static char last_notice[512];

static void count_notice(void *ctx, const char *msg)
{
	notices++;
	snprintf(last_notice, sizeof(last_notice), "%s", msg);
}

static bool have_module(void)
{
	struct stat st;

	return stat(REDIRECT_DEVICE, &st) == 0;
}

static const char notify_policy[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
	"\"redirect\":{\"notify\":[\"getppid\"]}}";

static int child_getppid(void *arg)
{
	return syscall(__NR_getppid) == 31337 ? 0 : 1;
}

TEST(session_falls_back_to_portable_and_says_so_once)
{
	struct redirect_session *s1 = NULL, *s2 = NULL;
	struct redirect_error *e = NULL;

	if (have_module())
		SKIP(return, REDIRECT_DEVICE " exists: the module is loaded");
	redirect_set_notice_fn(count_notice, NULL);
	ASSERT_EQ(0, redirect_session_open(0, &s1, &e));
	ASSERT_EQ(0, redirect_session_open(0, &s2, &e));
	EXPECT_EQ(REDIRECT_MODE_PORTABLE, redirect_session_mode(s1));
	EXPECT_EQ(REDIRECT_MODE_PORTABLE, redirect_session_mode(s2));
	/* said once per process, whichever test opened first */
	EXPECT_LE(notices, 1);
	if (notices)
		EXPECT_NE(NULL, strstr(last_notice, "portable mode"));
	EXPECT_EQ(REDIRECT_API_VERSION, redirect_session_api_version(s1));
	EXPECT_EQ(REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH | REDIRECT_FEATURE_BROKER,
		  redirect_session_features(s1));
	EXPECT_LE(0, redirect_session_fd(s1));
	redirect_session_free(s1);
	redirect_session_free(s2);
	redirect_set_notice_fn(NULL, NULL);
}

TEST(session_module_only_fails_without_device)
{
	struct redirect_session *s = NULL;
	struct redirect_error *e = NULL;

	if (have_module())
		SKIP(return, REDIRECT_DEVICE " exists: the module is loaded");
	EXPECT_EQ(-ENODEV, redirect_session_open(REDIRECT_SESSION_MODULE_ONLY, &s, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "redirect.ko is not loaded"));
	redirect_error_free(e);
	EXPECT_EQ(-EINVAL, redirect_session_open(REDIRECT_SESSION_MODULE_ONLY |
						 REDIRECT_SESSION_PORTABLE, &s, NULL));
	EXPECT_EQ(-EINVAL, redirect_session_open(1U << 9, &s, NULL));
}

TEST(session_ctl_without_module)
{
	struct redirect_ctl *c = NULL;
	struct redirect_error *e = NULL;
	int ret;

	ret = redirect_ctl_open(&c, &e);
	if (ret == 0) {
		redirect_ctl_close(c);
		SKIP(return, "the \"redirect\" family exists: the module is loaded");
	}
	EXPECT_EQ(-ENOENT, ret);
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "generic netlink family \"redirect\" not found"));
	redirect_error_free(e);
}

FIXTURE(portable) {
	struct redirect_session *s;
};

FIXTURE_SETUP(portable)
{
	ASSERT_EQ(0, redirect_session_open(REDIRECT_SESSION_PORTABLE, &self->s, NULL));
}

FIXTURE_TEARDOWN(portable)
{
	redirect_session_free(self->s);
}

TEST_F(portable, attach_checks_its_arguments)
{
	struct redirect_error *e = NULL;
	int pfd[2], listener = -1;
	uint32_t id = 0, id2;
	pid_t pid;

	ASSERT_EQ(0, pipe(pfd));
	EXPECT_EQ(-EINVAL, redirect_session_attach(self->s, pfd[0], -1, "x", REDIRECT_FAIL_HOLD,
						   0, &id, &e));
	EXPECT_NE(NULL, strstr(e->msg, "is not a seccomp listener"));
	redirect_error_free(e);
	close(pfd[0]);
	close(pfd[1]);

	pid = spawn_filtered(notify_policy, child_getppid, NULL, &listener);
	ASSERT_LT(0, pid);
	EXPECT_EQ(-EINVAL, redirect_session_attach(self->s, listener, -1, "", 0, 0, &id, NULL));
	EXPECT_EQ(-EINVAL, redirect_session_attach(self->s, listener, -1,
						   "0123456789012345678901234567890123", 0, 0,
						   &id, NULL));
	EXPECT_EQ(-EINVAL, redirect_session_attach(self->s, listener, -1, "a b", 0, 0, &id, NULL));
	EXPECT_EQ(-EINVAL, redirect_session_attach(self->s, listener, -1, "x", 7, 0, &id, NULL));
	EXPECT_EQ(-EINVAL, redirect_session_attach(self->s, listener, -1, "x", REDIRECT_FAIL_KILL,
						   0, &id, NULL));
	EXPECT_EQ(-EBADF, redirect_session_attach(self->s, listener, 999, "x", REDIRECT_FAIL_HOLD,
						  0, &id, NULL));
	ASSERT_EQ(0, redirect_session_attach(self->s, listener, -1, "ok", REDIRECT_FAIL_HOLD, 0,
					     &id, NULL));
	EXPECT_NE(0, id);
	EXPECT_EQ(-EALREADY, redirect_session_attach(self->s, listener, -1, "again",
						     REDIRECT_FAIL_HOLD, 0, &id2, &e));
	EXPECT_NE(NULL, strstr(e->msg, "already attached as \"ok\""));
	redirect_error_free(e);
	EXPECT_EQ(1, redirect_session_sandbox_count(self->s));
	close(listener);
	kill(pid, SIGKILL);
	wait_child(pid);
}

TEST_F(portable, adopt_rules_and_broker_errors)
{
	struct redirect_rule bad = { .nr = __NR_getppid, .verdict = REDIRECT_VERDICT_ERRNO };
	struct redirect_reply rep = { .sandbox_id = 77, .kind = REDIRECT_REPLY_SEND };
	struct redirect_request req[2];
	struct redirect_error *e = NULL;
	uint32_t id, n = 1, nreq = 9;
	int listener = -1;
	pid_t pid;

	EXPECT_EQ(-EOPNOTSUPP, redirect_session_adopt(self->s, 1, &e));
	EXPECT_NE(NULL, strstr(e->msg, "no custody"));
	redirect_error_free(e);
	EXPECT_EQ(-ENOENT, redirect_session_set_rules(self->s, 42, NULL, NULL));
	pid = spawn_filtered(notify_policy, child_getppid, NULL, &listener);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, redirect_session_attach(self->s, listener, -1, "b", 0, 0, &id, NULL));
	close(listener);
	EXPECT_EQ(-EINVAL, redirect_session_set_rules_array(self->s, id, &bad, 1, &e));
	EXPECT_NE(NULL, strstr(e->msg, "rule 0: action: value does not fit")) TH_LOG("%s", e->msg);
	redirect_error_free(e);
	EXPECT_EQ(0, redirect_session_set_rules(self->s, id, NULL, NULL));
	EXPECT_EQ(-EINVAL, redirect_session_broker(self->s, NULL, NULL, req, 257, &nreq, 0, NULL));
	/* Only -1 waits for ever: other negative timeouts are mistakes. */
	EXPECT_EQ(-EINVAL, redirect_session_broker(self->s, NULL, NULL, req, 2, &nreq, -2, NULL));
	/* a reply for an unknown sandbox fails alone */
	EXPECT_EQ(0, redirect_session_broker(self->s, &rep, &n, NULL, 0, &nreq, 0, NULL));
	EXPECT_EQ(1, n);
	EXPECT_EQ(-ESRCH, rep.result);
	/* the session fd polls readable once the child's call is pending */
	EXPECT_TRUE(wait_readable(redirect_session_fd(self->s), 5000));
	ASSERT_EQ(0, redirect_session_broker(self->s, NULL, NULL, req, 2, &nreq, 1000, NULL));
	ASSERT_EQ(1, nreq);
	EXPECT_EQ(id, req[0].sandbox_id);
	EXPECT_EQ(__NR_getppid, req[0].notif.data.nr);
	EXPECT_EQ(pid, (pid_t)req[0].notif.pid);
	rep = (struct redirect_reply){ .sandbox_id = id, .kind = REDIRECT_REPLY_ID_VALID,
				       .resp.id = req[0].notif.id };
	n = 1;
	ASSERT_EQ(0, redirect_session_broker(self->s, &rep, &n, NULL, 0, &nreq, 0, NULL));
	EXPECT_EQ(0, rep.result);
	rep.kind = 99;
	n = 1;
	ASSERT_EQ(0, redirect_session_broker(self->s, &rep, &n, NULL, 0, &nreq, 0, NULL));
	EXPECT_EQ(-EINVAL, rep.result);
	rep = (struct redirect_reply){ .sandbox_id = id, .kind = REDIRECT_REPLY_SEND,
				       .resp = { .id = req[0].notif.id, .val = 31337 } };
	n = 1;
	ASSERT_EQ(0, redirect_session_broker(self->s, &rep, &n, NULL, 0, &nreq, 0, NULL));
	EXPECT_EQ(0, rep.result);
	EXPECT_EQ(0, wait_child(pid));
	/* no request: a zero timeout returns at once */
	ASSERT_EQ(0, redirect_session_broker(self->s, NULL, NULL, req, 2, &nreq, 0, NULL));
	EXPECT_EQ(0, nreq);
}

TEST(session_fail_kill_sandbox_dies_with_its_session)
{
	struct redirect_session *s = NULL;
	int listener = -1, pidfd;
	uint32_t id;
	pid_t pid;

	ASSERT_EQ(0, redirect_session_open(REDIRECT_SESSION_PORTABLE, &s, NULL));
	pid = spawn_filtered(notify_policy, child_getppid, NULL, &listener);
	ASSERT_LT(0, pid);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	ASSERT_LE(0, pidfd);
	ASSERT_EQ(0, redirect_session_attach(s, listener, pidfd, "k", REDIRECT_FAIL_KILL, 0, &id,
					     NULL));
	close(listener);
	close(pidfd);
	redirect_session_free(s);
	EXPECT_EQ(128 + SIGKILL, wait_child(pid));
}

TEST_HARNESS_MAIN
