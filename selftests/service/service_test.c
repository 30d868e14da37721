// SPDX-License-Identifier: GPL-2.0
/* usersentry as a systemd service: readiness over $NOTIFY_SOCKET, clean stop. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#ifndef USERSENTRY
#define USERSENTRY "build/bin/usersentry"
#endif

/* Receive one datagram within @ms; returns its length or -1. */
static ssize_t recv_within(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return -1;
	n = recv(fd, buf, size - 1, 0);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

FIXTURE(service) {
	char dir[64];
	char notify[128];
	char agent[128];
	int notify_fd;
	pid_t daemon;
};

FIXTURE_SETUP(service)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(self->dir, "/tmp/service_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->notify, sizeof(self->notify), "%s/notify", self->dir);
	snprintf(self->agent, sizeof(self->agent), "%s/agent.sock", self->dir);
	strcpy(sa.sun_path, self->notify);
	self->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->notify_fd);
	ASSERT_EQ(0, bind(self->notify_fd, (struct sockaddr *)&sa, sizeof(sa)));
	self->daemon = -1;
}

FIXTURE_TEARDOWN(service)
{
	char cmd[128];

	if (self->daemon > 0) {
		kill(self->daemon, SIGKILL);
		waitpid(self->daemon, NULL, 0);
	}
	close(self->notify_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->dir);
}

/* @wd_usec, @wd_pid: $WATCHDOG_USEC and $WATCHDOG_PID ("self": the daemon's), or NULL. */
static pid_t start_daemon_wd(const char *notify, const char *agent, const char *wd_usec,
			     const char *wd_pid)
{
	pid_t pid = fork();

	if (!pid) {
		int null = open("/dev/null", O_WRONLY);
		char self_pid[16];

		dup2(null, 2);
		setenv("NOTIFY_SOCKET", notify, 1);
		if (wd_usec)
			setenv("WATCHDOG_USEC", wd_usec, 1);
		if (wd_pid && !strcmp(wd_pid, "self")) {
			snprintf(self_pid, sizeof(self_pid), "%d", (int)getpid());
			wd_pid = self_pid;
		}
		if (wd_pid)
			setenv("WATCHDOG_PID", wd_pid, 1);
		execl(USERSENTRY, "usersentry", "--socket", agent, "--policy-dir",
		      "usersentry/policies", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static pid_t start_daemon(const char *notify, const char *agent)
{
	return start_daemon_wd(notify, agent, NULL, NULL);
}

/* Datagrams within @ms that equal @what. */
static int count_within(int fd, const char *what, int ms)
{
	struct timespec t0, t;
	char buf[256];
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms)
			return n;
		if (recv_within(fd, buf, sizeof(buf), 50) > 0)
			n += !strcmp(buf, what);
	}
}

TEST_F(service, watchdog_keepalives_at_half_the_interval)
{
	char buf[256];
	int n;

	/* 600 ms asked for: WATCHDOG=1 every 300 ms, so 2 s see at least 4 */
	self->daemon = start_daemon_wd(self->notify, self->agent, "600000", "self");
	ASSERT_LT(0, self->daemon);
	ASSERT_LT(0, recv_within(self->notify_fd, buf, sizeof(buf), 10000));
	EXPECT_STREQ("READY=1", buf);
	n = count_within(self->notify_fd, "WATCHDOG=1", 2000);
	TH_LOG("%d keep-alives in 2 s", n);
	EXPECT_LE(4, n);
	EXPECT_GE(9, n);
}

TEST_F(service, no_watchdog_for_another_pid_or_a_bad_interval)
{
	char buf[256];

	self->daemon = start_daemon_wd(self->notify, self->agent, "200000", "1");
	ASSERT_LT(0, self->daemon);
	ASSERT_LT(0, recv_within(self->notify_fd, buf, sizeof(buf), 10000));
	EXPECT_STREQ("READY=1", buf);
	EXPECT_EQ(0, count_within(self->notify_fd, "WATCHDOG=1", 600));
	kill(self->daemon, SIGKILL);
	waitpid(self->daemon, NULL, 0);

	self->daemon = start_daemon_wd(self->notify, self->agent, "20x", NULL);
	ASSERT_LT(0, self->daemon);
	ASSERT_LT(0, recv_within(self->notify_fd, buf, sizeof(buf), 10000));
	EXPECT_STREQ("READY=1", buf);
	EXPECT_EQ(0, count_within(self->notify_fd, "WATCHDOG=1", 600));
}

TEST_F(service, ready_only_once_listening_then_stopping_on_sigterm)
{
	struct stat st;
	char buf[256];
	int status;

	self->daemon = start_daemon(self->notify, self->agent);
	ASSERT_LT(0, self->daemon);
	ASSERT_LT(0, recv_within(self->notify_fd, buf, sizeof(buf), 10000));
	EXPECT_STREQ("READY=1", buf);
	/* Ready means the agent socket accepts runc's connections now. */
	ASSERT_EQ(0, stat(self->agent, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 0777);

	ASSERT_EQ(0, kill(self->daemon, SIGTERM));
	ASSERT_LT(0, recv_within(self->notify_fd, buf, sizeof(buf), 10000));
	EXPECT_STREQ("STOPPING=1", buf);
	ASSERT_EQ(self->daemon, waitpid(self->daemon, &status, 0));
	self->daemon = -1;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(service, no_ready_when_startup_fails)
{
	char buf[256];
	int status;

	/* The agent socket's directory cannot be created under a file. */
	snprintf(self->agent, sizeof(self->agent), "%s/notify/agent.sock", self->dir);
	self->daemon = start_daemon(self->notify, self->agent);
	ASSERT_EQ(self->daemon, waitpid(self->daemon, &status, 0));
	self->daemon = -1;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_NE(0, WEXITSTATUS(status));
	EXPECT_EQ(-1, recv_within(self->notify_fd, buf, sizeof(buf), 200));
}

TEST_HARNESS_MAIN
