// SPDX-License-Identifier: GPL-2.0
/* Portable-mode notification path and the Sentry's handlers, driven directly. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "helpers.h"
#include "kselftest_harness.h"
#include "sentry.h"

static const char uname_policy[] =
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"notify\":[\"getppid\"],"
	"\"sentry\":{\"default\":\"errno:EPERM\",\"uname\":{\"sysname\":\"RedirectOS\","
	"\"release\":\"9.8.7-unit\",\"machine\":\"m68k-virtual\"}}}}";

static const char continue_policy[] =
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"notify\":[\"getppid\"],"
	"\"sentry\":{\"default\":\"continue\"}}}";

FIXTURE(sentry) {
	struct redirect_notif_buf *nb;
	struct redirect_policy *policy;
	struct sentry_sandbox sb;
	pid_t pid;
};

FIXTURE_SETUP(sentry)
{
	ASSERT_EQ(0, redirect_notif_buf_new(&self->nb, NULL));
	ASSERT_EQ(0, redirect_policy_load_buffer(uname_policy, strlen(uname_policy), "unit",
						 &self->policy, NULL));
	self->sb.id = "unit";
	self->sb.listener = -1;
	self->sb.policy = self->policy;
	self->pid = -1;
}

FIXTURE_TEARDOWN(sentry)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		wait_child(self->pid);
	}
	if (self->sb.listener >= 0)
		close(self->sb.listener);
	redirect_policy_free(self->policy);
	redirect_notif_buf_free(self->nb);
}

static int body_uname_check(void *arg)
{
	struct utsname u, host;
	const char *host_node = arg;

	memset(&u, 0x5a, sizeof(u));
	if (uname(&u) != 0)
		return 10;
	if (strcmp(u.sysname, "RedirectOS") || strcmp(u.release, "9.8.7-unit") ||
	    strcmp(u.machine, "m68k-virtual"))
		return 11;
	/* fields the policy leaves out come from the host */
	if (strcmp(u.nodename, host_node))
		return 12;
	/* a second call: the buffer must be zeroed again before RECV */
	if (uname(&host) != 0 || strcmp(host.release, "9.8.7-unit"))
		return 13;
	return 0;
}

TEST_F(sentry, uname_handler_writes_policy_values)
{
	struct utsname host;
	int i;

	ASSERT_EQ(0, uname(&host));
	self->pid = spawn_filtered(uname_policy, body_uname_check, host.nodename,
				   &self->sb.listener);
	ASSERT_LT(0, self->pid);
	ASSERT_LE(0, self->sb.listener);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, redirect_notif_recv(self->sb.listener, self->nb, NULL));
		EXPECT_EQ(0, sentry_dispatch(&self->sb, self->nb));
	}
	EXPECT_EQ(0, wait_child(self->pid));
	self->pid = -1;
	EXPECT_EQ(2, self->sb.calls);
}

static int body_uname_bad_pointers(void *arg)
{
	if (syscall(SYS_uname, NULL) != -1 || errno != EFAULT)
		return 10;
	if (syscall(SYS_uname, (void *)0xffff800000000000UL) != -1 || errno != EFAULT)
		return 11;
	if (syscall(SYS_uname, (void *)4096) != -1 || errno != EFAULT)
		return 12;
	return 0;
}

TEST_F(sentry, uname_bad_pointer_is_efault)
{
	int i;

	self->pid = spawn_filtered(uname_policy, body_uname_bad_pointers, NULL,
				   &self->sb.listener);
	ASSERT_LT(0, self->pid);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, redirect_notif_recv(self->sb.listener, self->nb, NULL));
		EXPECT_EQ(0, sentry_dispatch(&self->sb, self->nb));
	}
	EXPECT_EQ(0, wait_child(self->pid));
	self->pid = -1;
}

/*
 * process_vm_writev() honours page protections, as the kernel's own
 * copy_to_user: a reply into a read-only buffer is EFAULT and the buffer
 * stays as it was (a /proc/PID/mem write would have forced it).
 */
static int body_uname_read_only(void *arg)
{
	struct utsname *ro;

	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		return 9;
	memset(ro, 0x5a, sizeof(*ro));
	if (mprotect(ro, 4096, PROT_READ) != 0)
		return 9;
	if (syscall(SYS_uname, ro) != -1 || errno != EFAULT)
		return 10;
	if (ro->sysname[0] != 0x5a || ro->release[0] != 0x5a)
		return 11;
	return 0;
}

TEST_F(sentry, uname_into_read_only_buffer_is_efault)
{
	self->pid = spawn_filtered(uname_policy, body_uname_read_only, NULL, &self->sb.listener);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, redirect_notif_recv(self->sb.listener, self->nb, NULL));
	EXPECT_EQ(0, sentry_dispatch(&self->sb, self->nb));
	EXPECT_EQ(0, wait_child(self->pid));
	self->pid = -1;
}

/* The target's own UTS namespace, as it is at each call: a sethostname shows at once. */
static int body_uname_own_hostname(void *arg)
{
	static const char *const names[] = { "sentry-uts-a", "sentry-uts-b" };
	struct utsname u;
	int i;

	if (unshare(CLONE_NEWUTS) != 0)
		return 9;
	for (i = 0; i < 2; i++) {
		if (sethostname(names[i], strlen(names[i])) != 0)
			return 9;
		if (uname(&u) != 0)
			return 10 + i;
		if (strcmp(u.nodename, names[i]) || strcmp(u.release, "9.8.7-unit"))
			return 20 + i;
	}
	return 0;
}

TEST_F(sentry, uname_nodename_follows_the_targets_namespace)
{
	struct utsname before, after;
	int i;

	ASSERT_EQ(0, uname(&before));
	self->pid = spawn_filtered(uname_policy, body_uname_own_hostname, NULL,
				   &self->sb.listener);
	ASSERT_LT(0, self->pid);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, redirect_notif_recv(self->sb.listener, self->nb, NULL));
		EXPECT_EQ(0, sentry_dispatch(&self->sb, self->nb));
	}
	EXPECT_EQ(0, wait_child(self->pid));
	self->pid = -1;
	/* and we are back in our own */
	ASSERT_EQ(0, uname(&after));
	EXPECT_STREQ(before.nodename, after.nodename);
}

static int body_getppid_eperm(void *arg)
{
	if (syscall(SYS_getppid) != -1 || errno != EPERM)
		return 10;
	return 0;
}

TEST_F(sentry, unhandled_call_gets_default_errno)
{
	self->pid = spawn_filtered(uname_policy, body_getppid_eperm, NULL, &self->sb.listener);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, redirect_notif_recv(self->sb.listener, self->nb, NULL));
	EXPECT_EQ(0, sentry_dispatch(&self->sb, self->nb));
	EXPECT_EQ(0, wait_child(self->pid));
	self->pid = -1;
}

static int body_getppid_real(void *arg)
{
	return syscall(SYS_getppid) == *(pid_t *)arg ? 0 : 10;
}

TEST_F(sentry, unhandled_call_continues_when_policy_says_so)
{
	struct redirect_policy *cont = NULL;
	pid_t me = getpid();

	ASSERT_EQ(0, redirect_policy_load_buffer(continue_policy, strlen(continue_policy), "c",
						 &cont, NULL));
	self->sb.policy = cont;
	self->pid = spawn_filtered(continue_policy, body_getppid_real, &me, &self->sb.listener);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, redirect_notif_recv(self->sb.listener, self->nb, NULL));
	EXPECT_EQ(0, sentry_dispatch(&self->sb, self->nb));
	EXPECT_EQ(0, wait_child(self->pid));
	self->pid = -1;
	redirect_policy_free(cont);
}

static int body_uname_forever(void *arg)
{
	struct utsname u;

	for (;;)
		uname(&u);
	return 0;
}

TEST_F(sentry, target_killed_after_recv)
{
	const struct seccomp_notif *req;
	struct pollfd p;
	uint64_t id;

	self->pid = spawn_filtered(uname_policy, body_uname_forever, NULL, &self->sb.listener);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, redirect_notif_recv(self->sb.listener, self->nb, NULL));
	req = redirect_notif_req(self->nb);
	id = req->id;
	EXPECT_EQ(0, redirect_notif_id_valid(self->sb.listener, id, NULL));
	kill(self->pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, wait_child(self->pid));
	self->pid = -1;
	/* the request died with its task: every step says ENOENT, nothing breaks */
	EXPECT_EQ(-ENOENT, redirect_notif_id_valid(self->sb.listener, id, NULL));
	EXPECT_EQ(-ENOENT, sentry_dispatch(&self->sb, self->nb));
	EXPECT_EQ(-ENOENT, redirect_notif_send(self->sb.listener, self->nb, id, 0, 0, 0, NULL));
	/* and the listener reports the end of the sandbox */
	p.fd = self->sb.listener;
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, 5000));
	EXPECT_TRUE(p.revents & POLLHUP);
}

TEST_F(sentry, target_killed_before_recv)
{
	struct timespec t0;
	struct redirect_error *e = NULL;

	self->pid = spawn_filtered(uname_policy, body_uname_forever, NULL, &self->sb.listener);
	ASSERT_LT(0, self->pid);
	/* the task is parked in the notification: pending, not yet received */
	ASSERT_TRUE(wait_readable(self->sb.listener, 5000));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (task_syscall(self->pid) != SYS_uname && ms_since(&t0) < 5000)
		sleep_ms(1);
	ASSERT_EQ(SYS_uname, task_syscall(self->pid));
	kill(self->pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, wait_child(self->pid));
	self->pid = -1;
	/* RECV does not block: the call is gone, -ENOENT at once */
	EXPECT_EQ(-ENOENT, redirect_notif_recv(self->sb.listener, self->nb, &e));
	if (e)
		EXPECT_EQ(ENOENT, e->errnum);
	redirect_error_free(e);
}

TEST_F(sentry, sandbox_event_ends_on_hangup)
{
	struct sentry s = { .notif = self->nb };
	struct sentry_sandbox *sb = calloc(1, sizeof(*sb));
	struct pollfd p;

	ASSERT_NE(NULL, sb);
	self->pid = spawn_filtered(uname_policy, body_uname_check, "x", &sb->listener);
	ASSERT_LT(0, self->pid);
	sb->id = strdup("hup");
	sb->policy = self->policy;
	s.sandboxes = sb;
	kill(self->pid, SIGKILL);
	wait_child(self->pid);
	self->pid = -1;
	p = (struct pollfd){ .fd = sb->listener, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 5000));
	sentry_sandbox_event(&s, sb, p.revents);
	/* the sandbox was removed and freed */
	EXPECT_EQ(NULL, s.sandboxes);
}

TEST(listener_check_tells_listeners_apart)
{
	struct redirect_error *e = NULL;
	int p[2], listener;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-ENOTTY, redirect_listener_check(p[0], &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "not a seccomp listener"));
	redirect_error_free(e);
	e = NULL;
	close(p[0]);
	close(p[1]);
	/* an anonymous inode of another kind */
	p[0] = eventfd(0, EFD_CLOEXEC);
	EXPECT_EQ(-ENOTTY, redirect_listener_check(p[0], NULL));
	close(p[0]);

	pid = spawn_filtered(uname_policy, body_uname_forever, NULL, &listener);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, redirect_listener_check(listener, NULL));
	kill(pid, SIGKILL);
	wait_child(pid);
	close(listener);
}

TEST(sync_wakeup_flag)
{
	struct redirect_error *e = NULL;
	int listener, ret;
	pid_t pid;

	pid = spawn_filtered(uname_policy, body_uname_forever, NULL, &listener);
	ASSERT_LT(0, pid);
	ret = redirect_notif_set_sync_wakeup(listener, &e);
	kill(pid, SIGKILL);
	wait_child(pid);
	close(listener);
	if (ret == -EOPNOTSUPP) {
		redirect_error_free(e);
		SKIP(return, "kernel lacks SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6+)");
	}
	EXPECT_EQ(0, ret);
}

TEST(uname_build_zero_pads_fields)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
		"{\"sentry\":{\"uname\":{\"nodename\":\"n\"}}}}";
	char fields[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN];
	struct redirect_policy *p = NULL;
	size_t i;

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "z", &p, NULL));
	memset(fields, 0x7f, sizeof(fields));
	sentry_uname_build(p, fields);
	EXPECT_STREQ("n", fields[REDIRECT_UNAME_NODENAME]);
	/* nothing of the Sentry's memory leaks after the strings */
	for (i = 2; i < REDIRECT_UNAME_LEN; i++)
		EXPECT_EQ(0, fields[REDIRECT_UNAME_NODENAME][i]);
	redirect_policy_free(p);
}

/* synthfile.c: the bytes in a sealed memfd, handed over read-only; writes refused as /proc/sys does */
TEST(synth_open_serves_sealed_read_only_bytes)
{
	static const char text[] = "6.12.0-synth\n";
	struct sentry_reply reply = { .addfd = -1 };
	char buf[64];
	struct stat st;
	ssize_t n;

	ASSERT_EQ(0, sentry_synth_open(text, strlen(text), O_RDONLY | O_CLOEXEC, &reply));
	ASSERT_LE(0, reply.addfd);
	EXPECT_EQ(O_CLOEXEC, (int)reply.addfd_flags);
	EXPECT_EQ(O_RDONLY, fcntl(reply.addfd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL,
		  fcntl(reply.addfd, F_GET_SEALS));
	ASSERT_EQ(0, fstat(reply.addfd, &st));
	EXPECT_EQ(S_IFREG | 0444, st.st_mode);
	n = read(reply.addfd, buf, sizeof(buf));
	ASSERT_EQ((ssize_t)strlen(text), n);
	EXPECT_EQ(0, memcmp(buf, text, (size_t)n));
	/* sealed: not even a writable descriptor of our own changes it */
	EXPECT_EQ(-1, ftruncate(reply.addfd, 0));
	close(reply.addfd);

	reply.addfd = -1;
	ASSERT_EQ(0, sentry_synth_open(text, strlen(text), O_RDONLY, &reply));
	EXPECT_EQ(0, (int)reply.addfd_flags);
	close(reply.addfd);
	reply.addfd = -1;
	EXPECT_EQ(-EACCES, sentry_synth_open(text, 1, O_WRONLY, &reply));
	EXPECT_EQ(-EACCES, sentry_synth_open(text, 1, O_RDWR, &reply));
	EXPECT_EQ(-EACCES, sentry_synth_open(text, 1, O_RDONLY | O_TRUNC, &reply));
	EXPECT_EQ(-ENOTDIR, sentry_synth_open(text, 1, O_RDONLY | O_DIRECTORY, &reply));
	EXPECT_EQ(-EEXIST, sentry_synth_open(text, 1, O_RDONLY | O_CREAT | O_EXCL, &reply));
	EXPECT_EQ(-1, reply.addfd);
}

/*
 * dispatch.c answer_listener(): an opened fd goes over in two steps.  With
 * SECCOMP_ADDFD_FLAG_SEND the kernel marks the call answered (with 0) before
 * the target installs the fd, and an ADDFD interrupted then (here a signal,
 * in the field kill -9 of the daemon) leaves the target's open() returning
 * 0, its stdin: the custody test's rare "wrong content n=0".  Signals hit
 * the serving thread all along; every open must read the synthetic bytes.
 */
static const char osrelease_policy[] =
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":{"
	"\"kernel\":{\"release\":\"6.6.6-addfd\"}}}}";
#define ADDFD_OPENS 4000

static int body_open_osrelease(void *arg)
{
	static const char want[] = "6.6.6-addfd\n";
	char buf[64];
	int i, fd, p[2];
	ssize_t n;

	/* stdin reads nothing at once: a bogus fd 0 shows as wrong content */
	if (pipe(p) < 0 || dup2(p[0], 0) < 0)
		return 20;
	close(p[1]);
	for (i = 0; i < ADDFD_OPENS; i++) {
		fd = open("/proc/sys/kernel/osrelease", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 21;
		n = read(fd, buf, sizeof(buf));
		if (n != (ssize_t)strlen(want) || memcmp(buf, want, (size_t)n)) {
			fprintf(stderr, "open %d: fd %d read %zd bytes\n", i, fd, n);
			return 22;
		}
		close(fd);
	}
	return 0;
}

static void nothing(int sig)
{
	(void)sig;
}

struct pester {
	pid_t tid;
	volatile bool stop;
	unsigned long sent;
};

static void *pester_main(void *arg)
{
	struct pester *pe = arg;
	struct timespec ts = { .tv_nsec = 20000 };

	prctl(PR_SET_TIMERSLACK, 1UL);
	while (!pe->stop) {
		if (syscall(SYS_tgkill, getpid(), pe->tid, SIGUSR1) == 0)
			pe->sent++;
		ts.tv_nsec = 5000 + (long)(pe->sent % 7) * 7000;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

TEST_F(sentry, addfd_interrupted_never_answers_zero)
{
	struct sigaction sa = { .sa_handler = nothing }, old;
	struct redirect_policy *policy = NULL;
	struct pester pe = { .tid = gettid() };
	pthread_t th;
	int ret, rc, served = 0;

	ASSERT_EQ(0, redirect_policy_load_buffer(osrelease_policy, strlen(osrelease_policy),
						 "addfd", &policy, NULL));
	self->sb.policy = policy;
	/* no SA_RESTART: the ADDFD ioctl is cut short, as a worker's kick does */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, &old));
	self->pid = spawn_filtered(osrelease_policy, body_open_osrelease, NULL, &self->sb.listener);
	ASSERT_LT(0, self->pid);
	ASSERT_LE(0, self->sb.listener);
	ASSERT_EQ(0, pthread_create(&th, NULL, pester_main, &pe));
	for (;;) {
		struct pollfd pfd = { .fd = self->sb.listener, .events = POLLIN };

		ret = poll(&pfd, 1, 30000);
		if (ret < 0 && errno == EINTR)
			continue;
		/* the target exited (hang-up), or a stall */
		if (ret <= 0 || !(pfd.revents & POLLIN))
			break;
		ret = redirect_notif_recv(self->sb.listener, self->nb, NULL);
		if (ret == -EINTR || ret == -ENOENT)
			continue;
		if (ret < 0)
			break;
		ret = sentry_dispatch(&self->sb, self->nb);
		if (ret == 0)
			served++;
	}
	pe.stop = true;
	pthread_join(th, NULL);
	sigaction(SIGUSR1, &old, NULL);
	rc = wait_child(self->pid);
	self->pid = -1;
	TH_LOG("%d calls served, %lu signals", served, pe.sent);
	EXPECT_EQ(0, rc);
	EXPECT_LE(ADDFD_OPENS, served);
	self->sb.policy = self->policy;
	redirect_policy_free(policy);
}

TEST_HARNESS_MAIN
