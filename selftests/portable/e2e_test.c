// SPDX-License-Identifier: GPL-2.0
/* End to end: redirect-run under a policy, usersentry answering, on the host. */
#include <stdarg.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define RELEASE "9.8.7-e2e"
#define UNAME_A "RedirectOS sandbox-node " RELEASE " #42 e2e build x86_64-e2e"

static const char e2e_policy[] =
	"{\n"
	"  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
	"  \"syscalls\": [\n"
	"    {\"names\": [\"getpriority\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}\n"
	"  ],\n"
	"  \"redirect\": {\n"
	"    \"notify\": [\"getppid\"],\n"
	"    \"sentry\": {\n"
	"      \"default\": \"errno:EPERM\",\n"
	"      \"uname\": {\"sysname\": \"RedirectOS\", \"nodename\": \"sandbox-node\",\n"
	"                \"release\": \"" RELEASE "\", \"version\": \"#42 e2e build\",\n"
	"                \"machine\": \"x86_64-e2e\", \"domainname\": \"e2e.example\"}\n"
	"    }\n"
	"  }\n"
	"}\n";

FIXTURE(e2e) {
	char dir[PATH_MAX];
	char sock[PATH_MAX + 16];
	char log[PATH_MAX + 16];
	char policy[PATH_MAX + 16];
	char rr[PATH_MAX];
	pid_t daemon;
	int daemon_fds;
};

static void start_daemon(struct __test_metadata *_metadata, FIXTURE_DATA(e2e) *self)
{
	char bin[PATH_MAX];
	struct timespec t0;
	struct stat st;

	bin_path(bin, sizeof(bin), "usersentry");
	self->daemon = fork();
	ASSERT_LE(0, self->daemon);
	if (self->daemon == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		/* a line per call: the tests read them */
		execl(bin, bin, "--socket", self->sock, "--policy-dir", self->dir, "--log",
		      self->log, "--log-level", "calls", (char *)NULL);
		_exit(127);
	}
	/* the socket appears (renamed into place) once the daemon listens */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (stat(self->sock, &st) < 0 && ms_since(&t0) < 5000)
		sleep_ms(5);
	ASSERT_EQ(0, stat(self->sock, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	self->daemon_fds = count_fds_of(self->daemon);
}

FIXTURE_SETUP(e2e)
{
	ASSERT_EQ(0, make_temp_dir(self->dir, sizeof(self->dir)));
	snprintf(self->sock, sizeof(self->sock), "%s/s.sock", self->dir);
	snprintf(self->log, sizeof(self->log), "%s/usersentry.log", self->dir);
	snprintf(self->policy, sizeof(self->policy), "%s/e2e.json", self->dir);
	bin_path(self->rr, sizeof(self->rr), "redirect-run");
	ASSERT_EQ(0, write_file(self->policy, e2e_policy));
	start_daemon(_metadata, self);
}

FIXTURE_TEARDOWN(e2e)
{
	if (self->daemon > 0) {
		kill(self->daemon, SIGCONT);
		kill(self->daemon, SIGTERM);
		wait_child(self->daemon);
	}
	if (getenv("REDIRECT_KEEP_LOGS")) {
		char *text = read_file(self->log);

		if (text)
			fprintf(stderr, "%s", text);
		free(text);
	}
	remove_tree(self->dir);
}

/* redirect-run --socket S --policy P [--id ID] -- args...; NULL-terminated. */
static int rr(FIXTURE_DATA(e2e) *self, const char *policy, const char *id, char *out,
	      size_t size, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = self->rr;
	argv[argc++] = "--socket";
	argv[argc++] = self->sock;
	argv[argc++] = "--policy";
	argv[argc++] = (char *)(policy ? policy : self->policy);
	if (id) {
		argv[argc++] = "--id";
		argv[argc++] = (char *)id;
	}
	argv[argc++] = "--";
	va_start(ap, size);
	while ((a = va_arg(ap, char *)) && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return run_capture(argv, out, size);
}

/* Wait until the log holds needle; returns the log (caller frees) or NULL. */
static char *wait_log(FIXTURE_DATA(e2e) *self, const char *needle, int timeout_ms)
{
	struct timespec t0;
	char *text;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		text = read_file(self->log);
		if (text && strstr(text, needle))
			return text;
		free(text);
		if (ms_since(&t0) > timeout_ms)
			return NULL;
		sleep_ms(10);
	}
}

static size_t count_substr(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* The daemon's fd count settles back to what it was at start. */
static bool daemon_fds_settle(FIXTURE_DATA(e2e) *self, int timeout_ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (count_fds_of(self->daemon) != self->daemon_fds) {
		if (ms_since(&t0) > timeout_ms)
			return false;
		sleep_ms(20);
	}
	return true;
}

static void expect_virtual_uname_r(struct __test_metadata *_metadata, FIXTURE_DATA(e2e) *self)
{
	char out[4096];
	int status;

	status = rr(self, NULL, NULL, out, sizeof(out), "/usr/bin/uname", "-r", NULL);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_STREQ(RELEASE "\n", out);
}

TEST_F(e2e, coreutils_uname_r_shows_virtual_release)
{
	struct utsname host;

	ASSERT_EQ(0, uname(&host));
	/* the test means something only when the host differs */
	ASSERT_STRNE(RELEASE, host.release);
	expect_virtual_uname_r(_metadata, self);
}

TEST_F(e2e, coreutils_uname_a_shows_every_field)
{
	char out[4096];
	int status;

	status = rr(self, NULL, NULL, out, sizeof(out), "/usr/bin/uname", "-a", NULL);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(&out[0], strstr(out, UNAME_A));
}

TEST_F(e2e, busybox_uname_a_shows_every_field)
{
	char out[4096];
	int status;

	if (access("/bin/busybox", X_OK) < 0)
		SKIP(return, "no /bin/busybox (busybox-static)");
	status = rr(self, NULL, NULL, out, sizeof(out), "/bin/busybox", "uname", "-a", NULL);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(&out[0], strstr(out, UNAME_A));
	status = rr(self, NULL, NULL, out, sizeof(out), "/bin/busybox", "uname", "-r", NULL);
	EXPECT_STREQ(RELEASE "\n", out);
}

TEST_F(e2e, probe_sees_all_three_tiers_of_answer)
{
	char probe[PATH_MAX], out[8192], want[256];
	struct utsname host;
	int status;

	ASSERT_EQ(0, uname(&host));
	snprintf(probe, sizeof(probe), "%s/probe", self_dir());
	status = rr(self, NULL, NULL, out, sizeof(out), probe, "report", NULL);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* the Sentry's emulation */
	EXPECT_NE(NULL, strstr(out, "uname.release=" RELEASE "\n"));
	EXPECT_NE(NULL, strstr(out, "uname.domainname=e2e.example\n"));
	/* a call nobody notified goes to the real kernel */
	snprintf(want, sizeof(want), "osrelease=%s\n", host.release);
	EXPECT_NE(NULL, strstr(out, want));
	/* notified, no handler: the policy's default answer */
	EXPECT_NE(NULL, strstr(out, "getppid=-1 errno=1\n"));
	/* tier 0: the profile's own errno rule, never seen by the Sentry */
	EXPECT_NE(NULL, strstr(out, "getpriority=-1 errno=13\n"));
	EXPECT_NE(NULL, strstr(out, "getpid.matches=1\n"));
	if (!_metadata->passed)
		TH_LOG("probe said:\n%s", out);
}

TEST_F(e2e, exit_status_passes_through)
{
	char out[256];
	int status;

	status = rr(self, NULL, NULL, out, sizeof(out), "/bin/sh", "-c", "exit 7", NULL);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(7, WEXITSTATUS(status));
	status = rr(self, NULL, NULL, out, sizeof(out), "/bin/sh", "-c", "kill -9 $$", NULL);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(128 + 9, WEXITSTATUS(status));
}

TEST_F(e2e, log_line_per_redirected_call)
{
	char out[256], *text;
	int status;

	status = rr(self, NULL, "e2e-log", out, sizeof(out), "/usr/bin/uname", "-r", NULL);
	EXPECT_EQ(0, WEXITSTATUS(status));
	text = wait_log(self, "sandbox=e2e-log ended", 5000);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "sandbox=e2e-log attached: pid="));
	EXPECT_NE(NULL, strstr(text, "policy=e2e"));
	EXPECT_EQ(1, count_substr(text, "call sandbox=e2e-log pid="));
	EXPECT_NE(NULL, strstr(text, "syscall=uname verdict=emulated ret=0"));
	EXPECT_NE(NULL, strstr(text, "portable mode"));
	free(text);
}

/* Connect, send bytes (and maybe fds), close. */
static void send_garbage(FIXTURE_DATA(e2e) *self, const char *buf, size_t len, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 2)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int s, fds[2], i, p[2];
	size_t done;
	ssize_t n;

	s = redirect_agent_connect(self->sock, NULL);
	if (s < 0)
		return;
	for (i = 0; i < nfds; i++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return;
		fds[i] = p[0];
		close(p[1]);
	}
	if (nfds) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	n = sendmsg(s, &mh, MSG_NOSIGNAL);
	for (done = n > 0 ? (size_t)n : len; done < len; done += (size_t)n) {
		n = send(s, buf + done, len - done, MSG_NOSIGNAL);
		if (n <= 0)
			break;
	}
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	close(s);
}

TEST_F(e2e, garbage_messages_leave_the_daemon_serving)
{
	static const char valid[] =
		"{\"ociVersion\":\"1.0.2-dev\",\"fds\":[\"seccompFd\"],\"pid\":1,"
		"\"metadata\":\"e2e\","
		"\"state\":{\"ociVersion\":\"1.0.2-dev\",\"id\":\"fake\",\"status\":\"running\","
		"\"bundle\":\"/\"}}";
	static const char two_named[] =
		"{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1,\"state\":{}}";
	size_t big_len = 2 * REDIRECT_AGENT_MSG_MAX;
	char *big = malloc(big_len), *text;

	ASSERT_NE(NULL, big);
	send_garbage(self, "hello, agent", 12, 1);
	send_garbage(self, "{\"ociVersion\":", 14, 0);
	send_garbage(self, two_named, strlen(two_named), 2);
	/* well-formed, but the fd is a pipe, not a seccomp listener */
	send_garbage(self, valid, strlen(valid), 1);
	send_garbage(self, "", 0, 0);
	memset(big, ' ', big_len);
	big[0] = '{';
	big[1] = '"';
	send_garbage(self, big, big_len, 1);
	free(big);

	text = wait_log(self, "is not a seccomp listener", 5000);
	ASSERT_NE(NULL, text);
	free(text);
	EXPECT_EQ(0, kill(self->daemon, 0));
	EXPECT_TRUE(daemon_fds_settle(self, 5000));
	expect_virtual_uname_r(_metadata, self);
	text = read_file(self->log);
	ASSERT_NE(NULL, text);
	EXPECT_LE(5, count_substr(text, "rejected"));
	free(text);
}

TEST_F_TIMEOUT(e2e, silent_connection_times_out, 20)
{
	char *text;
	int s;

	s = redirect_agent_connect(self->sock, NULL);
	ASSERT_LE(0, s);
	text = wait_log(self, "timed out", 10000);
	ASSERT_NE(NULL, text);
	free(text);
	close(s);
	EXPECT_TRUE(daemon_fds_settle(self, 5000));
	expect_virtual_uname_r(_metadata, self);
}

TEST_F(e2e, unknown_policy_is_refused)
{
	char other_dir[PATH_MAX], other[PATH_MAX + 16], out[4096], *text;
	int status;

	/* a policy the daemon does not have: refused before uname runs (exit 125) */
	snprintf(other_dir, sizeof(other_dir), "%s/elsewhere", self->dir);
	ASSERT_EQ(0, mkdir(other_dir, 0700));
	snprintf(other, sizeof(other), "%s/other.json", other_dir);
	ASSERT_EQ(0, write_file(other, e2e_policy));
	status = rr(self, other, NULL, out, sizeof(out), "/usr/bin/uname", "-r", NULL);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(125, WEXITSTATUS(status));
	EXPECT_EQ(NULL, strstr(out, RELEASE));
	EXPECT_NE(NULL, strstr(out, "usersentry refused the sandbox: unknown policy"));
	text = wait_log(self, "unknown policy \"other\"", 5000);
	EXPECT_NE(NULL, text);
	free(text);
	expect_virtual_uname_r(_metadata, self);
}

TEST_F(e2e, metadata_cannot_leave_the_policy_dir)
{
	struct redirect_launcher *l = NULL;
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	char *const argv[] = { "/usr/bin/uname", "-r", NULL };
	char *text;
	int status;

	/* e2e.json exists one level up from "x/"; the name must not reach it */
	ASSERT_EQ(0, redirect_policy_load_file(self->policy, &p, NULL));
	ASSERT_EQ(0, redirect_launcher_new(p, &l, NULL));
	ASSERT_EQ(0, redirect_launcher_set_agent_socket(l, self->sock, NULL));
	ASSERT_EQ(0, redirect_launcher_set_metadata(l, "../e2e", NULL));
	/* refused: the daemon says so and the launcher never lets uname run */
	EXPECT_EQ(-EPERM, redirect_launcher_run(l, argv, &status, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "usersentry refused the sandbox: invalid policy name"));
	redirect_error_free(e);
	text = wait_log(self, "invalid policy name", 5000);
	EXPECT_NE(NULL, text);
	free(text);
	redirect_launcher_free(l);
	redirect_policy_free(p);
}

/* Start `probe spin` under redirect-run; returns redirect-run's pid, *target the probe's. */
static pid_t start_spinner(FIXTURE_DATA(e2e) *self, const char *pidfile, pid_t *target)
{
	char probe[PATH_MAX];
	struct timespec t0;
	pid_t pid;

	unlink(pidfile);
	snprintf(probe, sizeof(probe), "%s/probe", self_dir());
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		execl(self->rr, self->rr, "--socket", self->sock, "--policy", self->policy, "--",
		      probe, "spin", pidfile, (char *)NULL);
		_exit(127);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	*target = 0;
	while (ms_since(&t0) < 5000) {
		char *text = read_file(pidfile);

		if (text && strchr(text, '\n')) {
			*target = atoi(text);
			free(text);
			break;
		}
		free(text);
		sleep_ms(2);
	}
	return pid;
}

TEST_F(e2e, target_killed_while_call_pending)
{
	char pidfile[PATH_MAX + 16], *text;
	struct timespec t0;
	pid_t rrpid, target;

	snprintf(pidfile, sizeof(pidfile), "%s/spin.pid", self->dir);
	rrpid = start_spinner(self, pidfile, &target);
	ASSERT_LT(0, rrpid);
	ASSERT_LT(0, target);
	text = wait_log(self, "syscall=uname verdict=emulated", 5000);
	ASSERT_NE(NULL, text);
	free(text);

	/* freeze the Sentry; the target parks in its next uname */
	ASSERT_EQ(0, kill(self->daemon, SIGSTOP));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (task_syscall(target) != SYS_uname && ms_since(&t0) < 5000)
		sleep_ms(1);
	ASSERT_EQ(SYS_uname, task_syscall(target));
	ASSERT_EQ(0, kill(target, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_child(rrpid));
	ASSERT_EQ(0, kill(self->daemon, SIGCONT));

	text = wait_log(self, "ended: all tasks exited", 5000);
	EXPECT_NE(NULL, text);
	free(text);
	EXPECT_EQ(0, kill(self->daemon, 0));
	EXPECT_TRUE(daemon_fds_settle(self, 5000));
	expect_virtual_uname_r(_metadata, self);
}

TEST_F_TIMEOUT(e2e, targets_killed_at_random_moments, 60)
{
	char pidfile[PATH_MAX + 16], *text;
	unsigned int seed = (unsigned int)getpid();
	int i;

	snprintf(pidfile, sizeof(pidfile), "%s/spin.pid", self->dir);
	for (i = 0; i < 20; i++) {
		pid_t rrpid, target;

		rrpid = start_spinner(self, pidfile, &target);
		ASSERT_LT(0, rrpid);
		ASSERT_LT(0, target);
		sleep_ms(rand_r(&seed) % 15);
		kill(target, SIGKILL);
		EXPECT_EQ(128 + SIGKILL, wait_child(rrpid));
	}
	EXPECT_EQ(0, kill(self->daemon, 0));
	EXPECT_TRUE(daemon_fds_settle(self, 5000));
	expect_virtual_uname_r(_metadata, self);
	text = read_file(self->log);
	ASSERT_NE(NULL, text);
	EXPECT_LE(20, count_substr(text, "ended: all tasks exited"));
	free(text);
}

TEST_F(e2e, redirect_run_without_daemon_fails_clearly)
{
	char out[4096], sock[PATH_MAX + 16];
	char *argv[] = { self->rr, "--socket", sock, "--policy", self->policy, "--",
			 "/usr/bin/uname", "-r", NULL };
	int status;

	snprintf(sock, sizeof(sock), "%s/absent.sock", self->dir);
	status = run_capture(argv, out, sizeof(out));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(125, WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(out, "absent.sock"));
}

TEST_F(e2e, redirect_run_usage_errors)
{
	char out[4096];
	char *no_cmd[] = { self->rr, NULL };
	char *bad_policy[] = { self->rr, "--policy", "/nonexistent/p.json", "--", "true", NULL };
	int status;

	status = run_capture(no_cmd, out, sizeof(out));
	EXPECT_EQ(125, WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(out, "no command"));
	status = run_capture(bad_policy, out, sizeof(out));
	EXPECT_EQ(125, WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(out, "/nonexistent/p.json"));
}

/* ---- runc (>= 1.1) sends the listener with listenerPath ---------------------- */

static int patch_runc_config(const char *path, const char *sock)
{
	json_object *root = json_object_from_file(path), *process, *linux_obj, *args, *sc, *rules,
		    *rule, *names;
	int ret;

	if (!root || !json_object_object_get_ex(root, "process", &process) ||
	    !json_object_object_get_ex(root, "linux", &linux_obj))
		return -1;
	args = json_object_new_array();
	json_object_array_add(args, json_object_new_string("/bin/busybox"));
	json_object_array_add(args, json_object_new_string("uname"));
	json_object_array_add(args, json_object_new_string("-a"));
	json_object_object_add(process, "args", args);
	json_object_object_add(process, "terminal", json_object_new_boolean(0));
	sc = json_object_new_object();
	json_object_object_add(sc, "defaultAction", json_object_new_string("SCMP_ACT_ALLOW"));
	json_object_object_add(sc, "listenerPath", json_object_new_string(sock));
	json_object_object_add(sc, "listenerMetadata", json_object_new_string("e2e"));
	rules = json_object_new_array();
	rule = json_object_new_object();
	names = json_object_new_array();
	json_object_array_add(names, json_object_new_string("uname"));
	json_object_object_add(rule, "names", names);
	json_object_object_add(rule, "action", json_object_new_string("SCMP_ACT_NOTIFY"));
	json_object_array_add(rules, rule);
	json_object_object_add(sc, "syscalls", rules);
	json_object_object_add(linux_obj, "seccomp", sc);
	ret = json_object_to_file(path, root);
	json_object_put(root);
	return ret;
}

TEST_F(e2e, runc_container_answered_by_usersentry)
{
	char bundle[PATH_MAX + 16], rootfs[PATH_MAX + 32], bin[PATH_MAX + 64];
	char config[PATH_MAX + 32], state[PATH_MAX + 16], id[64], out[4096], scratch[1024];
	char needle[128], *text;
	char runc[] = "/usr/sbin/runc";
	char *cp[] = { "/bin/cp", "/bin/busybox", bin, NULL };
	char *spec[] = { runc, "spec", "--bundle", bundle, NULL };
	char *run[] = { runc, "--root", state, "run", "--bundle", bundle, id, NULL };
	char *del[] = { runc, "--root", state, "delete", "-f", id, NULL };
	int status;

	if (access(runc, X_OK) < 0 || geteuid() != 0 || access("/bin/busybox", X_OK) < 0)
		SKIP(return, "needs root, runc and busybox-static");
	snprintf(bundle, sizeof(bundle), "%s/bundle", self->dir);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
	snprintf(bin, sizeof(bin), "%s/bin", rootfs);
	snprintf(config, sizeof(config), "%s/config.json", bundle);
	snprintf(state, sizeof(state), "%s/runc-state", self->dir);
	snprintf(id, sizeof(id), "redirect-e2e-%d", (int)getpid());
	ASSERT_EQ(0, mkdir(bundle, 0755));
	ASSERT_EQ(0, mkdir(rootfs, 0755));
	ASSERT_EQ(0, mkdir(bin, 0755));
	ASSERT_EQ(0, run_capture(cp, out, sizeof(out)));
	ASSERT_EQ(0, run_capture(spec, out, sizeof(out)));
	ASSERT_EQ(0, patch_runc_config(config, self->sock));

	status = run_capture(run, out, sizeof(out));
	run_capture(del, scratch, sizeof(scratch));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		TH_LOG("runc said: %s", out);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(out, "RedirectOS sandbox-node " RELEASE));
	snprintf(needle, sizeof(needle), "sandbox=%s attached", id);
	text = wait_log(self, needle, 5000);
	EXPECT_NE(NULL, text);
	free(text);
}

TEST_HARNESS_MAIN
