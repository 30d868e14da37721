// SPDX-License-Identifier: GPL-2.0
/* Filter compilation: rules behave as the profile says, notified calls reach the listener. */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "helpers.h"
#include "kselftest_harness.h"

static int compile(const char *json, struct redirect_filter **f, struct redirect_error **e)
{
	struct redirect_policy *p = NULL;
	int ret;

	ret = redirect_policy_load_buffer(json, strlen(json), "f.json", &p, e);
	if (ret < 0)
		return ret;
	ret = redirect_filter_compile(p, 0, f, e);
	redirect_policy_free(p);
	return ret;
}

TEST(filter_compile_default_policy_notifies)
{
	struct redirect_policy *p = NULL;
	struct redirect_filter *f = NULL;
	struct redirect_error *e = NULL;
	char path[PATH_MAX];

	src_path(path, sizeof(path), "usersentry/policies/default.json");
	ASSERT_EQ(0, redirect_policy_load_file(path, &p, &e));
	ASSERT_EQ(0, redirect_filter_compile(p, 0, &f, &e));
	EXPECT_TRUE(redirect_filter_notifies(f));
	EXPECT_GT(redirect_filter_length(f), 4);
	redirect_filter_free(f);
	redirect_policy_free(p);
}

TEST(filter_compile_plain_profile_does_not_notify)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
		"[{\"names\":[\"getpriority\",\"no_such_call\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
	struct redirect_filter *f = NULL;

	ASSERT_EQ(0, compile(json, &f, NULL));
	EXPECT_FALSE(redirect_filter_notifies(f));
	redirect_filter_free(f);
}

TEST(filter_compile_rejects_flags)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
	struct redirect_policy *p = NULL;
	struct redirect_filter *f = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "x", &p, NULL));
	EXPECT_EQ(-EINVAL, redirect_filter_compile(p, 1, &f, &e));
	redirect_error_free(e);
	redirect_policy_free(p);
}

TEST(filter_export_pfc_shows_notify)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
		"{\"sentry\":{\"uname\":{}}}}";
	struct redirect_policy *p = NULL;
	char path[64], *text;
	int fd;

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "x", &p, NULL));
	fd = memfd_create("pfc", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, redirect_filter_export_pfc(p, fd, NULL));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	text = read_file(path);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "uname"));
	EXPECT_NE(NULL, strstr(text, "0x7fc00000"));	/* SECCOMP_RET_USER_NOTIF */
	free(text);
	close(fd);
	redirect_policy_free(p);
}

static int body_errno_rules(void *arg)
{
	long r;

	/* unconditional ERRNO with errnoRet */
	errno = 0;
	r = syscall(SYS_getpgid, 0);
	if (r != -1 || errno != EXDEV)
		return 10;
	/* conditional: only pid argument 4242 is refused */
	errno = 0;
	r = syscall(SYS_getpriority, PRIO_PROCESS, 4242);
	if (r != -1 || errno != EACCES)
		return 11;
	errno = 0;
	r = syscall(SYS_getpriority, PRIO_PROCESS, 0);
	if (r < 0)
		return 12;
	/* two conditions on one argument: either matches (runc's rule) */
	if (syscall(SYS_getsid, 7) != -1 || errno != EDOM)
		return 13;
	if (syscall(SYS_getsid, 8) != -1 || errno != EDOM)
		return 14;
	errno = 0;
	if (syscall(SYS_getsid, 0) < 0)
		return 15;
	/* MASKED_EQ: (arg0 & 0xf0) == 0x30 is refused */
	if (syscall(SYS_umask, 0x3f) != -1 || errno != EILSEQ)
		return 16;
	if (syscall(SYS_umask, 022) < 0)
		return 17;
	return 0;
}

TEST(filter_rules_apply_in_the_kernel)
{
	static const char json[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		"{\"names\":[\"getpgid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":18},"
		"{\"names\":[\"getpriority\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,"
		" \"args\":[{\"index\":1,\"value\":4242,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"getsid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":33,"
		" \"args\":[{\"index\":0,\"value\":7,\"op\":\"SCMP_CMP_EQ\"},"
		"          {\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"umask\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":84,"
		" \"args\":[{\"index\":0,\"value\":240,\"valueTwo\":48,"
		"            \"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}";
	int listener;
	pid_t pid;

	pid = spawn_filtered(json, body_errno_rules, NULL, &listener);
	ASSERT_LT(0, pid);
	EXPECT_EQ(-1, listener);
	EXPECT_EQ(0, wait_child(pid));
}

static int body_default_errno(void *arg)
{
	/* everything but what the launcher path needs fails with ENOTSUP */
	if (syscall(SYS_getppid) != -1 || errno != EOPNOTSUPP)
		return 10;
	return 0;
}

TEST(filter_default_errno_ret)
{
	static const char json[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":95,\"syscalls\":["
		"{\"names\":[\"exit_group\",\"exit\",\"sendmsg\",\"sendto\",\"close\",\"write\","
		"\"rt_sigreturn\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	int listener;
	pid_t pid;

	pid = spawn_filtered(json, body_default_errno, NULL, &listener);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, wait_child(pid));
}

static int body_uname(void *arg)
{
	struct utsname u;

	if (uname(&u) != -1 || errno != EXDEV)
		return 10;
	return 0;
}

TEST(filter_notify_replaces_profile_rule_and_reaches_listener)
{
	/* the profile refuses uname; the Sentry's notify rule wins */
	static const char json[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		"{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}],"
		"\"redirect\":{\"sentry\":{\"uname\":{}}}}";
	struct redirect_notif_buf *nb = NULL;
	const struct seccomp_notif *req;
	char name[32];
	int listener;
	pid_t pid;

	ASSERT_EQ(0, redirect_notif_buf_new(&nb, NULL));
	pid = spawn_filtered(json, body_uname, NULL, &listener);
	ASSERT_LT(0, pid);
	ASSERT_LE(0, listener);
	EXPECT_EQ(0, redirect_listener_check(listener, NULL));
	EXPECT_TRUE(fcntl(listener, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, redirect_notif_recv(listener, nb, NULL));
	req = redirect_notif_req(nb);
	EXPECT_EQ(pid, (pid_t)req->pid);
	EXPECT_STREQ("uname", redirect_syscall_name(req->data.arch, req->data.nr, name,
						    sizeof(name)));
	EXPECT_EQ(0, redirect_notif_send(listener, nb, req->id, 0, -EXDEV, 0, NULL));
	EXPECT_EQ(0, wait_child(pid));
	redirect_notif_buf_free(nb);
	close(listener);
}

TEST(filter_load_needs_listener_pointer)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
		"{\"notify\":[\"getppid\"]}}";
	struct redirect_filter *f = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, compile(json, &f, NULL));
	EXPECT_EQ(-EINVAL, redirect_filter_load(f, NULL, &e));
	redirect_error_free(e);
	redirect_filter_free(f);
}

TEST(filter_launcher_refuses_policy_notifying_its_own_calls)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
		"{\"notify\":[\"sendmsg\"]}}";
	struct redirect_launcher *l = NULL;
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "x", &p, NULL));
	EXPECT_EQ(-EINVAL, redirect_launcher_new(p, &l, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "sendmsg"));
	redirect_error_free(e);
	redirect_policy_free(p);
}

TEST(filter_launcher_runs_unnotified_policy_without_agent)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
		"[{\"names\":[\"getpgid\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
	char *const argv[] = { "sh", "-c", "exit 3", NULL };
	struct redirect_launcher *l = NULL;
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	int status = 0;

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "x", &p, NULL));
	ASSERT_EQ(0, redirect_launcher_new(p, &l, &e));
	ASSERT_EQ(0, redirect_launcher_run(l, argv, &status, &e));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(3, WEXITSTATUS(status));
	redirect_launcher_free(l);
	redirect_policy_free(p);
}

TEST(filter_launcher_reports_missing_command)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
	char *const argv[] = { "no-such-command-redirect", NULL };
	char *const argv2[] = { "/nonexistent/cmd", NULL };
	struct redirect_launcher *l = NULL;
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	pid_t pid;

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "x", &p, NULL));
	ASSERT_EQ(0, redirect_launcher_new(p, &l, &e));
	EXPECT_EQ(-ENOENT, redirect_launcher_spawn(l, argv, &pid, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "no-such-command-redirect: command not found"));
	redirect_error_free(e);
	e = NULL;
	EXPECT_EQ(-ENOENT, redirect_launcher_spawn(l, argv2, &pid, &e));
	redirect_error_free(e);
	redirect_launcher_free(l);
	redirect_policy_free(p);
}

TEST(filter_launcher_reports_absent_agent)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
		"{\"sentry\":{\"uname\":{}}}}";
	char *const argv[] = { "true", NULL };
	struct redirect_launcher *l = NULL;
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	pid_t pid;

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "x", &p, NULL));
	ASSERT_EQ(0, redirect_launcher_new(p, &l, &e));
	/* no socket set */
	EXPECT_EQ(-EINVAL, redirect_launcher_spawn(l, argv, &pid, &e));
	redirect_error_free(e);
	e = NULL;
	ASSERT_EQ(0, redirect_launcher_set_agent_socket(l, "/nonexistent/agent.sock", &e));
	EXPECT_EQ(-ENOENT, redirect_launcher_spawn(l, argv, &pid, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "/nonexistent/agent.sock"));
	redirect_error_free(e);
	redirect_launcher_free(l);
	redirect_policy_free(p);
}

TEST(mode_is_portable_without_device)
{
	enum redirect_mode mode;
	struct stat st;

	ASSERT_EQ(0, redirect_mode_detect(&mode, NULL));
	if (stat("/dev/redirect", &st) == 0)
		SKIP(return, "/dev/redirect exists here");
	EXPECT_EQ(REDIRECT_MODE_PORTABLE, mode);
	EXPECT_STREQ("portable mode", redirect_mode_name(mode));
}

TEST_HARNESS_MAIN
