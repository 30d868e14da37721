// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of redirect.ko sandboxes: attach, tier-1 rules, broker, custody, races.
 * One file (over 900 lines) on purpose: one kselftest harness binary per
 * module-mode area, whose cases share the fixtures and target helpers below.
 *
 * Every test runs against the UAPI header's contract. Targets are forked
 * children with a seccomp user-notification filter (see sandbox_util.h); they
 * check their own results with EXPECT_* and report through their exit status.
 * Environment: REDIRECT_STRESS_ITERS (race_stress iterations per thread,
 * default 6250: 8 threads x 2 calls = 100,000 calls), REDIRECT_KO (path of
 * redirect.ko, needed by sandbox_unload_refused to load the module again).
 */
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sandbox_util.h"

#define HOLD REDIRECT_FAIL_HOLD
#define KILL REDIRECT_FAIL_KILL

FIXTURE(sandbox) {
	int unused;
};

FIXTURE_SETUP(sandbox)
{
}

FIXTURE_TEARDOWN(sandbox)
{
	targets_kill_all();
}

/* Attach @t (HOLD, with its pidfd) to session @fd, named after the test. */
#define ATTACH(fd, t, id) \
	ASSERT_EQ(0, rdr_attach((fd), (t)->listener, (t)->pidfd, HOLD, 0, _metadata->name, &(id)))

#define START_TARGET(pid) ASSERT_LT(0, (pid)) TH_LOG("target_fork failed: %s", strerror(errno))

/* The ioctl number of @cmd compiled for a structure of @size bytes. */
#define IOC_SIZED(cmd, size) _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (size))

static long sc_ret(long r)
{
	return r == -1 ? -errno : r;
}

/* ---- attach ------------------------------------------------------------------ */

TEST_F(sandbox, attach_rejects_non_listener)
{
	int fd, efd, p[2], reg, pidfd, sock, closed, dev;

	OPEN_SESSION(fd, REDIRECT_FEATURE_ATTACH);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	reg = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	pidfd = syscall(__NR_pidfd_open, getpid(), 0);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	dev = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, reg);
	ASSERT_LE(0, pidfd);
	ASSERT_LE(0, sock);
	ASSERT_LE(0, dev);

	EXPECT_EQ(-EINVAL, rdr_attach(fd, efd, -1, HOLD, 0, "eventfd", NULL));
	EXPECT_EQ(-EINVAL, rdr_attach(fd, p[0], -1, HOLD, 0, "pipe-r", NULL));
	EXPECT_EQ(-EINVAL, rdr_attach(fd, p[1], -1, HOLD, 0, "pipe-w", NULL));
	EXPECT_EQ(-EINVAL, rdr_attach(fd, reg, -1, HOLD, 0, "regular", NULL));
	/* Anonymous-inode files that are not a listener. */
	EXPECT_EQ(-EINVAL, rdr_attach(fd, pidfd, -1, HOLD, 0, "pidfd", NULL));
	EXPECT_EQ(-EINVAL, rdr_attach(fd, sock, -1, HOLD, 0, "socket", NULL));
	EXPECT_EQ(-EINVAL, rdr_attach(fd, dev, -1, HOLD, 0, "device", NULL));
	EXPECT_EQ(-EINVAL, rdr_attach(fd, fd, -1, HOLD, 0, "self", NULL));

	closed = dup(efd);
	ASSERT_LE(0, closed);
	close(closed);
	EXPECT_EQ(-EBADF, rdr_attach(fd, closed, -1, HOLD, 0, "closed", NULL));
	EXPECT_EQ(-EBADF, rdr_attach(fd, -1, -1, HOLD, 0, "minus-one", NULL));
	EXPECT_EQ(-EBADF, rdr_attach(fd, 1 << 20, -1, HOLD, 0, "huge", NULL));
}

TEST_F(sandbox, attach_twice_is_ealready)
{
	int nrs[] = { __NR_getppid };
	struct target t, t2;
	__u32 id = 0, id2 = 0, id3 = 0;
	int fd, fd2, dupfd;
	pid_t pid;

	OPEN_SESSION(fd, REDIRECT_FEATURE_ATTACH);
	OPEN_SESSION(fd2, REDIRECT_FEATURE_ATTACH);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);	/* go received: done */
	}
	START_TARGET(pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, -1, HOLD, 0, "first", &id));
	EXPECT_NE(0, id);
	EXPECT_EQ(-EALREADY, rdr_attach(fd, t.listener, -1, HOLD, 0, "again", NULL));
	dupfd = dup(t.listener);
	ASSERT_LE(0, dupfd);
	EXPECT_EQ(-EALREADY, rdr_attach(fd, dupfd, -1, HOLD, 0, "dup", NULL));
	EXPECT_EQ(-EALREADY, rdr_attach(fd2, t.listener, -1, HOLD, 0, "other-session", NULL));
	/* The module holds its own reference: closing ours changes nothing. */
	close(dupfd);
	close(t.listener);
	t.listener = -1;

	/* A second listener gets an id of its own. */
	pid = target_fork(&t2, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);
	}
	START_TARGET(pid);
	ASSERT_EQ(0, rdr_attach(fd2, t2.listener, -1, HOLD, 0, "second", &id2));
	EXPECT_NE(0, id2);
	EXPECT_NE(id, id2);

	/* Ids are never reused while the module is loaded. */
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 5000);
	ASSERT_EQ(0, target_go(&t2));
	EXPECT_TARGET_OK(&t2, 5000);
	sleep_ms(200);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);	/* go received: done */
	}
	START_TARGET(pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, -1, HOLD, 0, "third", &id3));
	EXPECT_NE(id, id3);
	EXPECT_NE(id2, id3);
	EXPECT_NE(0, id3);
}

TEST_F(sandbox, attach_after_exit_is_epipe)
{
	int nrs[] = { __NR_getppid };
	struct target t;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, REDIRECT_FEATURE_ATTACH);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0)
		_exit(0);
	START_TARGET(pid);
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 5000);
	/* Reaped: no task uses the filter, but we still hold the listener. */
	EXPECT_EQ(-EPIPE, rdr_attach(fd, t.listener, -1, HOLD, 0, "gone", NULL));
}

TEST_F(sandbox, attach_bad_fields)
{
	int nrs[] = { __NR_getppid };
	struct redirect_attach a;
	struct {
		struct redirect_attach a;
		__u64 tail;
	} big;
	/* Empty or not printable ASCII. */
	static const char * const bad_names[] = {
		"", "new\nline", "tab\t", "\x80hi", "del\x7f", "bell\a", "esc\x1b[0m",
	};
	struct target t;
	__u32 id = 0;
	int fd, efd, closed;
	size_t i;
	pid_t pid;

	OPEN_SESSION(fd, REDIRECT_FEATURE_ATTACH);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);	/* go received: done */
	}
	START_TARGET(pid);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	closed = dup(efd);
	close(closed);

#define GOOD_ATTACH() ({ memset(&a, 0, sizeof(a)); a.listener_fd = t.listener;	\
			 a.pidfd = t.pidfd; a.fail_mode = HOLD; strcpy(a.name, "ok"); })
#define EXPECT_ATTACH_ERR(err, what) do {					\
	errno = 0;								\
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_ATTACH, &a)) TH_LOG("%s attached", what); \
	EXPECT_EQ(err, errno) TH_LOG("%s: %s", what, strerror(errno));	\
} while (0)

	GOOD_ATTACH();
	a.flags = 1;
	EXPECT_ATTACH_ERR(EINVAL, "flags 1");
	GOOD_ATTACH();
	a.flags = 1U << 31;
	EXPECT_ATTACH_ERR(EINVAL, "flags 1<<31");
	GOOD_ATTACH();
	a.fail_mode = 2;
	EXPECT_ATTACH_ERR(EINVAL, "fail_mode 2");
	GOOD_ATTACH();
	a.fail_mode = ~0U;
	EXPECT_ATTACH_ERR(EINVAL, "fail_mode ~0");
	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		GOOD_ATTACH();
		strcpy(a.name, bad_names[i]);
		EXPECT_ATTACH_ERR(EINVAL, bad_names[i]);
	}
	GOOD_ATTACH();
	memset(a.name, 'a', sizeof(a.name));	/* no NUL */
	EXPECT_ATTACH_ERR(EINVAL, "name without NUL");
	GOOD_ATTACH();
	strcpy(a.name, "ok");
	a.name[10] = 'x';			/* bytes after the NUL */
	EXPECT_ATTACH_ERR(EINVAL, "name padding not zero");
	GOOD_ATTACH();
	a.fail_mode = KILL;
	a.pidfd = -1;
	EXPECT_ATTACH_ERR(EINVAL, "KILL without pidfd");
	GOOD_ATTACH();
	a.hold_timeout_ms = 1000;
	a.pidfd = -1;
	EXPECT_ATTACH_ERR(EINVAL, "hold timeout without pidfd");
	GOOD_ATTACH();
	a.fail_mode = KILL;
	a.hold_timeout_ms = 1000;
	EXPECT_ATTACH_ERR(EINVAL, "KILL with a hold timeout");
	GOOD_ATTACH();
	a.fail_mode = KILL;
	a.pidfd = efd;
	EXPECT_ATTACH_ERR(EINVAL, "pidfd is an eventfd");
	GOOD_ATTACH();
	a.pidfd = closed;
	EXPECT_ATTACH_ERR(EBADF, "pidfd closed");

	/* Extensible structure: too small, larger with a non-zero tail. */
	GOOD_ATTACH();
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, IOC_SIZED(REDIRECT_IOC_ATTACH, REDIRECT_ATTACH_SIZE_VER0 - 4), &a));
	EXPECT_EQ(EINVAL, errno);
	memset(&big, 0, sizeof(big));
	GOOD_ATTACH();
	big.a = a;
	big.tail = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, IOC_SIZED(REDIRECT_IOC_ATTACH, sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);

	/* None of that attached anything: the longest good name, larger size, zero tail. */
	big.tail = 0;
	big.a.fail_mode = KILL;
	memset(big.a.name, 0, sizeof(big.a.name));
	memcpy(big.a.name, "abcdefghijklmnopqrstuvwxyz.:_-09", REDIRECT_NAME_MAX - 1);
	EXPECT_EQ(0, ioctl(fd, IOC_SIZED(REDIRECT_IOC_ATTACH, sizeof(big)), &big))
		TH_LOG("good attach: %s", strerror(errno));
	id = big.a.sandbox_id;
	EXPECT_NE(0, id);
	EXPECT_EQ(0, big.tail);
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 5000);
#undef GOOD_ATTACH
#undef EXPECT_ATTACH_ERR
}

/* "1..REDIRECT_NAME_MAX-1 printable ASCII": every printable character is allowed. */
TEST_F(sandbox, attach_name_alphabet)
{
	/* Names appear in logs and tools: letters, digits and . _ : - only. */
	static const char * const good[] = { "web-1.prod_a:b", "A", "0" };
	static const char * const bad[] = {
		"with space", "slash/x", "star*", "quote\"", "new\nline", "tab\t", "\x7f",
	};
	int nrs[] = { __NR_getppid };
	struct target t;
	size_t i;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, REDIRECT_FEATURE_ATTACH);
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		pid = target_fork(&t, nrs, 1, 0);
		if (pid == 0)
			_exit(0);
		START_TARGET(pid);
		EXPECT_EQ(0, rdr_attach(fd, t.listener, -1, HOLD, 0, good[i], NULL))
			TH_LOG("name '%s'", good[i]);
		ASSERT_EQ(0, target_go(&t));
		EXPECT_TARGET_OK(&t, 5000);
		target_close(&t);
	}
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0)
		_exit(0);
	START_TARGET(pid);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, rdr_attach(fd, t.listener, -1, HOLD, 0, bad[i], NULL))
			TH_LOG("bad name #%zu", i);
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 5000);
	target_close(&t);
}

TEST_F(sandbox, ioctls_need_their_feature)
{
	static const struct {
		unsigned long cmd;
		__u64 feature;
		const char *name;
	} ioc[] = {
		{ REDIRECT_IOC_ATTACH, REDIRECT_FEATURE_ATTACH, "ATTACH" },
		{ REDIRECT_IOC_SET_RULES, REDIRECT_FEATURE_FASTPATH, "SET_RULES" },
		{ REDIRECT_IOC_ADOPT, REDIRECT_FEATURE_CUSTODY, "ADOPT" },
		{ REDIRECT_IOC_BROKER, REDIRECT_FEATURE_BROKER, "BROKER" },
	};
	char buf[256];
	__u64 supported = 0;
	int fd, raw;
	size_t i;

	OPEN_SESSION(fd, 0);
	close(fd);
	fd = rdr_session(0, &supported);
	ASSERT_LE(0, fd);
	close(fd);
	for (i = 0; i < ARRAY_SIZE(ioc); i++) {
		if (!(supported & ioc[i].feature))
			SKIP(return, "module lacks the feature of %s", ioc[i].name);

		/* Before the handshake: EPROTO. */
		raw = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, raw);
		memset(buf, 0, sizeof(buf));
		errno = 0;
		EXPECT_EQ(-1, ioctl(raw, ioc[i].cmd, buf));
		EXPECT_EQ(EPROTO, errno) TH_LOG("%s before handshake", ioc[i].name);
		close(raw);

		/* Everything but its feature: EOPNOTSUPP. */
		fd = rdr_session(supported & ~ioc[i].feature, NULL);
		ASSERT_LE(0, fd);
		memset(buf, 0, sizeof(buf));
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, ioc[i].cmd, buf));
		EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("%s without its feature", ioc[i].name);
		close(fd);

		/* Only its feature: the call gets past the gate. */
		fd = rdr_session(ioc[i].feature, NULL);
		ASSERT_LE(0, fd);
		memset(buf, 0, sizeof(buf));
		errno = 0;
		ioctl(fd, ioc[i].cmd, buf);
		EXPECT_NE(EOPNOTSUPP, errno) TH_LOG("%s with its feature", ioc[i].name);
		EXPECT_NE(ENOTTY, errno) TH_LOG("%s with its feature", ioc[i].name);
		/* The same number with another direction is not this ioctl. */
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, _IOC(_IOC_NONE, REDIRECT_IOC_MAGIC, _IOC_NR(ioc[i].cmd), 0),
				    buf));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("%s with _IOC_NONE", ioc[i].name);
		close(fd);
	}
	/* Handshake without any feature: all four are refused. */
	fd = rdr_session(0, NULL);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(ioc); i++) {
		memset(buf, 0, sizeof(buf));
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, ioc[i].cmd, buf));
		EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("%s with no feature", ioc[i].name);
	}
}

/* ---- tier-1 rules: validation ------------------------------------------------ */

/* Make rule @r bad in way @c; returns the field and arg index it must be reported as. */
struct bad_rule_case {
	const char *what;
	__u32 field;
	__u32 arg;
};

static struct bad_rule_case make_bad_rule(int c, struct redirect_rule *r)
{
	*r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 1);
	switch (c) {
	case 0:
		r->nr = ~0U;
		return (struct bad_rule_case){ "nr ~0", REDIRECT_RULE_FIELD_NR, 0 };
	case 1:
		r->nr = 100000;
		return (struct bad_rule_case){ "nr 100000", REDIRECT_RULE_FIELD_NR, 0 };
	case 2:
		r->verdict = 4;
		return (struct bad_rule_case){ "verdict 4", REDIRECT_RULE_FIELD_VERDICT, 0 };
	case 3:
		r->verdict = 0xffff;
		return (struct bad_rule_case){ "verdict 0xffff", REDIRECT_RULE_FIELD_VERDICT, 0 };
	case 4:
		r->flags = 2;
		return (struct bad_rule_case){ "flags 2", REDIRECT_RULE_FIELD_FLAGS, 0 };
	case 5:
		r->flags = REDIRECT_RULE_AUDIT | 0x8000;
		return (struct bad_rule_case){ "flags 0x8001", REDIRECT_RULE_FIELD_FLAGS, 0 };
	case 6:
		*r = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, 0);
		return (struct bad_rule_case){ "errno 0", REDIRECT_RULE_FIELD_VALUE, 0 };
	case 7:
		*r = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, 4096);
		return (struct bad_rule_case){ "errno 4096", REDIRECT_RULE_FIELD_VALUE, 0 };
	case 8:
		*r = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, -1);
		return (struct bad_rule_case){ "errno -1", REDIRECT_RULE_FIELD_VALUE, 0 };
	case 9:
		r->nr_args = REDIRECT_ARGS_MAX + 1;
		return (struct bad_rule_case){ "nr_args 7", REDIRECT_RULE_FIELD_NR_ARGS, 0 };
	case 10:
		rule_arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 1);
		rule_arg(r, 1, REDIRECT_CMP_EQ, ~0ULL, 1);
		rule_arg(r, REDIRECT_ARGS_MAX, REDIRECT_CMP_EQ, ~0ULL, 1);
		return (struct bad_rule_case){ "args[2].index 6", REDIRECT_RULE_FIELD_ARG_INDEX, 2 };
	case 11:
		rule_arg(r, 0, 0, ~0ULL, 1);
		return (struct bad_rule_case){ "args[0].op 0", REDIRECT_RULE_FIELD_ARG_OP, 0 };
	case 12:
		rule_arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 1);
		rule_arg(r, 3, REDIRECT_CMP_GE + 1, ~0ULL, 1);
		return (struct bad_rule_case){ "args[1].op 7", REDIRECT_RULE_FIELD_ARG_OP, 1 };
	case 13:
		rule_arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 1);
		rule_arg(r, 1, REDIRECT_CMP_EQ, ~0ULL, 1);
		rule_arg(r, 2, REDIRECT_CMP_EQ, ~0ULL, 1);
		r->args[2].pad = 1;
		return (struct bad_rule_case){ "args[2].pad", REDIRECT_RULE_FIELD_ARG_PAD, 2 };
	case 14:
		rule_arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 1);
		rule_arg(r, 1, REDIRECT_CMP_EQ, ~0ULL, 1);
		r->args[1].pad2 = 0x100;
		return (struct bad_rule_case){ "args[1].pad2", REDIRECT_RULE_FIELD_ARG_PAD, 1 };
	case 15:
		rule_arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 1);
		r->args[4].mask = 1;	/* an unused slot */
		return (struct bad_rule_case){ "unused args[4]", REDIRECT_RULE_FIELD_ARG_PAD, 4 };
	case 16:
		rule_str(r, REDIRECT_ARGS_MAX, REDIRECT_STR_EXACT, "/x");
		return (struct bad_rule_case){ "str_index 6", REDIRECT_RULE_FIELD_STR_INDEX, 0 };
	case 17:
		rule_str(r, 1, 3, "/x");
		return (struct bad_rule_case){ "str_match 3", REDIRECT_RULE_FIELD_STR_MATCH, 0 };
	case 18:
		rule_str(r, 1, REDIRECT_STR_PREFIX, "/x");
		r->str_len = REDIRECT_STR_MAX;
		memset(r->str, 'a', sizeof(r->str));
		return (struct bad_rule_case){ "str_len 128", REDIRECT_RULE_FIELD_STR_LEN, 0 };
	case 19:
		rule_str(r, 1, REDIRECT_STR_EXACT, "/x");
		r->str_len = 1000;
		return (struct bad_rule_case){ "str_len 1000", REDIRECT_RULE_FIELD_STR_LEN, 0 };
	case 20:
		rule_str(r, 1, REDIRECT_STR_EXACT, "/abc");
		r->str[2] = 0;		/* a NUL inside the pattern */
		return (struct bad_rule_case){ "NUL in str", REDIRECT_RULE_FIELD_STR, 0 };
	case 21:
		rule_str(r, 1, REDIRECT_STR_PREFIX, "/abc");
		r->str[REDIRECT_STR_MAX - 1] = 'z';	/* tail not zero */
		return (struct bad_rule_case){ "str tail", REDIRECT_RULE_FIELD_STR, 0 };
	case 22:
		r->pad = 1;
		return (struct bad_rule_case){ "pad", REDIRECT_RULE_FIELD_PAD, 0 };
	case 23:	/* ERESTARTSYS: the call would restart for ever */
		*r = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, 512);
		return (struct bad_rule_case){ "errno 512", REDIRECT_RULE_FIELD_VALUE, 0 };
	case 24:	/* ERESTART_RESTARTBLOCK */
		*r = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, 516);
		return (struct bad_rule_case){ "errno 516", REDIRECT_RULE_FIELD_VALUE, 0 };
	}
	return (struct bad_rule_case){ NULL, 0, 0 };
}

TEST_F(sandbox, set_rules_validation)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule rules[3], *many;
	struct redirect_rules hdr;
	struct {
		struct redirect_rule r;
		__u64 tail;
	} wide[2];
	struct bad_rule_case bc;
	struct target t, t2;
	__u32 id = 0, id2 = 0;
	int fd, fd2, c;
	pid_t pid;

	OPEN_SESSION(fd, REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH);
	OPEN_SESSION(fd2, REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);	/* go received: done */
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);

	for (c = 0;; c++) {
		rules[0] = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, EPERM);
		rules[2] = rule_make(__NR_getpid, REDIRECT_VERDICT_VALUE, 3);
		bc = make_bad_rule(c, &rules[1]);
		if (!bc.what)
			break;
		memset(&hdr, 0xa5, sizeof(hdr));
		EXPECT_EQ(-EINVAL, rdr_set_rules(fd, id, rules, 3, &hdr)) TH_LOG("%s", bc.what);
		EXPECT_EQ(1, hdr.error_rule) TH_LOG("%s", bc.what);
		EXPECT_EQ(bc.field, hdr.error_field) TH_LOG("%s", bc.what);
		if (bc.field >= REDIRECT_RULE_FIELD_ARG_INDEX && bc.field <= REDIRECT_RULE_FIELD_ARG_PAD)
			EXPECT_EQ(bc.arg, hdr.error_arg) TH_LOG("%s", bc.what);
		/* The first rule is the bad one. */
		bc = make_bad_rule(c, &rules[0]);
		EXPECT_EQ(-EINVAL, rdr_set_rules(fd, id, rules, 1, &hdr)) TH_LOG("%s", bc.what);
		EXPECT_EQ(0, hdr.error_rule) TH_LOG("%s", bc.what);
		EXPECT_EQ(bc.field, hdr.error_field) TH_LOG("%s", bc.what);
	}

	/* Good corner cases. */
	rules[0] = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, 4095);
	rules[1] = rule_make(__NR_getppid, REDIRECT_VERDICT_KILL, 0);
	rules[2] = rule_make(__NR_openat, REDIRECT_VERDICT_FORWARD, 0);
	rule_str(&rules[2], 1, REDIRECT_STR_PREFIX, "/");
	rules[2].str_len = REDIRECT_STR_MAX - 1;
	memset(rules[2].str, 'p', REDIRECT_STR_MAX - 1);
	EXPECT_EQ(0, rdr_set_rules(fd, id, rules, 3, NULL));
	EXPECT_EQ(0, rdr_set_rules(fd, id, NULL, 0, NULL)) TH_LOG("empty set");

	/* Counts and sizes. */
	many = calloc(REDIRECT_RULES_MAX + 1, sizeof(*many));
	ASSERT_NE(NULL, many);
	for (c = 0; c <= REDIRECT_RULES_MAX; c++)
		many[c] = rule_make(c % 300, REDIRECT_VERDICT_ERRNO, 1 + c % 500);
	EXPECT_EQ(-E2BIG, rdr_set_rules(fd, id, many, REDIRECT_RULES_MAX + 1, NULL));
	EXPECT_EQ(-E2BIG, rdr_set_rules(fd, id, many, ~0U, NULL));
	EXPECT_EQ(0, rdr_set_rules(fd, id, many, REDIRECT_RULES_MAX, NULL));
	free(many);

	memset(&hdr, 0, sizeof(hdr));
	hdr.sandbox_id = id;
	hdr.nr_rules = 1;
	hdr.rules = (uintptr_t)rules;
	hdr.rule_size = sizeof(struct redirect_rule) - 8;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_SET_RULES, &hdr));
	EXPECT_EQ(EINVAL, errno) TH_LOG("rule_size too small");
	hdr.rule_size = sizeof(struct redirect_rule);
	hdr.flags = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_SET_RULES, &hdr));
	EXPECT_EQ(EINVAL, errno) TH_LOG("flags");
	hdr.flags = 0;
	hdr.pad = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_SET_RULES, &hdr));
	EXPECT_EQ(EINVAL, errno) TH_LOG("pad");

	/* Rules of a larger size: a zero tail is fine, a non-zero one is E2BIG. */
	memset(wide, 0, sizeof(wide));
	wide[0].r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 5);
	wide[1].r = rule_make(__NR_getpid, REDIRECT_VERDICT_VALUE, 6);
	memset(&hdr, 0, sizeof(hdr));
	hdr.sandbox_id = id;
	hdr.nr_rules = 2;
	hdr.rules = (uintptr_t)wide;
	hdr.rule_size = sizeof(wide[0]);
	EXPECT_EQ(0, ioctl(fd, REDIRECT_IOC_SET_RULES, &hdr)) TH_LOG("wide rules: %s",
								     strerror(errno));
	wide[1].tail = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_SET_RULES, &hdr));
	EXPECT_EQ(E2BIG, errno) TH_LOG("wide rule with a non-zero tail");

	/* Whose sandbox. */
	rules[0] = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 1);
	EXPECT_EQ(-ENOENT, rdr_set_rules(fd, 0, rules, 1, NULL));
	EXPECT_EQ(-ENOENT, rdr_set_rules(fd, 0x7ffffff0, rules, 1, NULL));
	EXPECT_EQ(-EPERM, rdr_set_rules(fd2, id, rules, 1, NULL));

	pid = target_fork(&t2, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd2, &t2, id2);
	EXPECT_EQ(-EPERM, rdr_set_rules(fd, id2, rules, 1, NULL));
	EXPECT_EQ(0, rdr_set_rules(fd2, id2, rules, 1, NULL));

	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 5000);
	ASSERT_EQ(0, target_go(&t2));
	EXPECT_TARGET_OK(&t2, 5000);
	/* The sandbox ended: its id is unknown now. */
	sleep_ms(300);
	EXPECT_EQ(-ENOENT, rdr_set_rules(fd, id, rules, 1, NULL));
}

/* "out" fields are written by the module; their input value is ignored. */
TEST_F(sandbox, set_rules_ignores_out_fields)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 1);
	struct redirect_rules hdr = {};
	struct target t;
	__u32 id = 0;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);	/* go received: done */
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	hdr.sandbox_id = id;
	hdr.nr_rules = 1;
	hdr.rule_size = sizeof(r);
	hdr.rules = (uintptr_t)&r;
	hdr.error_rule = 7;
	hdr.error_field = REDIRECT_RULE_FIELD_VALUE;
	hdr.error_arg = 3;
	EXPECT_EQ(0, ioctl(fd, REDIRECT_IOC_SET_RULES, &hdr))
		TH_LOG("SET_RULES with stale error_* from an earlier call: %s", strerror(errno));
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 5000);
}

/* ---- tier-1 rules: the fast path --------------------------------------------- */

TEST_F(sandbox, fastpath_errno)
{
	int nrs[] = { __NR_getppid, __NR_getpid };
	struct redirect_rule r[] = {
		rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, EACCES),
	};
	struct redirect_request req;
	struct redirect_reply rep;
	struct target t;
	__u32 id = 0;
	int fd, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		for (i = 0; i < 20; i++) {
			errno = 0;
			EXPECT_EQ(-1, syscall(SYS_getppid));
			EXPECT_EQ(EACCES, errno);
		}
		/* No rule for getpid: forwarded. */
		EXPECT_EQ(FWD_VAL(77), syscall(SYS_getpid, 77));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, 1, NULL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000)) TH_LOG("forwarded getpid never arrived");
	EXPECT_EQ(__NR_getpid, req.notif.data.nr);
	rep = reply_send(&req, FWD_VAL(req.notif.data.args[0]), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	EXPECT_TARGET_OK(&t, 10000);
}

TEST_F(sandbox, fastpath_value)
{
	int nrs[] = { __NR_getppid, __NR_getpid };
	struct redirect_rule r[] = {
		rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 0x123456789abcLL),
		rule_make(__NR_getpid, REDIRECT_VERDICT_VALUE, 0),
	};
	struct target t;
	__u32 id = 0;
	int fd, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		for (i = 0; i < 20; i++) {
			EXPECT_EQ(0x123456789abcLL, syscall(SYS_getppid));
			EXPECT_EQ(0, syscall(SYS_getpid));	/* never a real pid */
		}
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, 2, NULL));
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 10000);
}

/* Wait until @pid is traced (TracerPid in /proc): true, or false after @timeout_ms. */
static bool wait_traced(pid_t pid, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	char path[64], line[256];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	do {
		FILE *f = fopen(path, "r");
		bool traced = false;

		if (!f)
			return false;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "TracerPid:", 10))
				traced = atoi(line + 10) != 0;
		fclose(f);
		if (traced)
			return true;
		sleep_ms(20);
	} while (now_ms() < end);
	return false;
}

/*
 * What observers see of a fast-pathed call (documented in the UAPI header):
 * the call leaves seccomp as interrupted and task_work writes the verdict
 * on the way to user space. The kernel runs pending task_work before a
 * ptrace stop, so strace sees the verdict.
 */
TEST_F(sandbox, fastpath_seen_by_strace)
{
	static const char strace[] = "/usr/bin/strace";
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4242);
	char out[] = "/tmp/rdr-strace.XXXXXX", pidstr[16], buf[4096];
	struct target t;
	__u32 id = 0;
	pid_t pid, tracer;
	int fd, ofd, st;
	ssize_t n;

	if (access(strace, X_OK))
		SKIP(return, "%s not installed", strace);
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(4242, syscall(SYS_getppid));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ofd = mkstemp(out);
	ASSERT_LE(0, ofd);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	tracer = fork();
	if (tracer == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(strace, "strace", "-qq", "-e", "trace=getppid", "-e", "signal=none",
		      "-o", out, "-p", pidstr, (char *)NULL);
		_exit(127);
	}
	ASSERT_LT(0, tracer);
	ASSERT_TRUE(wait_traced(pid, 20000)) TH_LOG("strace did not attach");
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 20000);
	ASSERT_EQ(tracer, waitpid(tracer, &st, 0));
	n = read(ofd, buf, sizeof(buf) - 1);
	close(ofd);
	unlink(out);
	ASSERT_LT(0, n) TH_LOG("strace wrote nothing");
	buf[n] = 0;
	TH_LOG("strace: %s", buf);
	/* strace pads the line: "getppid()                = 4242" */
	EXPECT_NE(NULL, strstr(buf, "getppid()"));
	EXPECT_NE(NULL, strstr(buf, "= 4242"));
	EXPECT_EQ(NULL, strstr(buf, "ERESTARTSYS"));
}

/* A tracer sees the verdict at the syscall-exit stop, and its change of it stands. */
TEST_F(sandbox, fastpath_overrides_tracer_return)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4242);
	struct user_regs_struct regs;
	struct target t;
	__u32 id = 0;
	int fd, st, stops = 0;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(77, syscall(SYS_getppid));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD));
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, pid, 0, 0));
	ASSERT_EQ(pid, waitpid(pid, &st, __WALL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(0, ptrace(PTRACE_SYSCALL, pid, 0, 0));
	for (;;) {
		ASSERT_EQ(pid, waitpid(pid, &st, __WALL));
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		if (WIFSTOPPED(st) && WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			ASSERT_EQ(0, ptrace(PTRACE_GETREGS, pid, 0, &regs));
			/* Exit stops of getppid: what the tracer sees, and its change. */
			if (regs.orig_rax == __NR_getppid && (long)regs.rax != -ENOSYS) {
				EXPECT_EQ(4242, (long)regs.rax);
				regs.rax = 77;
				ASSERT_EQ(0, ptrace(PTRACE_SETREGS, pid, 0, &regs));
				stops++;
			}
			ASSERT_EQ(0, ptrace(PTRACE_SYSCALL, pid, 0, 0));
		} else {
			ASSERT_EQ(0, ptrace(PTRACE_SYSCALL, pid, 0,
					    WIFSTOPPED(st) && WSTOPSIG(st) != SIGTRAP &&
					    WSTOPSIG(st) != SIGSTOP ? WSTOPSIG(st) : 0));
		}
	}
	EXPECT_EQ(1, stops);
	/* The target checked it got the tracer's 77. */
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("%s", status_str(st));
	child_forget(pid);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/*
 * Syscall-exit tracepoints see the call before the verdict: -ERESTARTSYS.
 * The top-level trace buffer, not an instance of its own: creating an
 * instance builds a directory for every event of the kernel, which takes
 * minutes on the debug kernel under TCG. The guest runs nothing else that
 * traces.
 */
TEST_F_TIMEOUT(sandbox, fastpath_exit_tracepoint_sees_erestartsys, 300)
{
	static const char inst[] = "/sys/kernel/tracing";
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4242);
	char path[256], filter[64], buf[8192], want[64];
	struct target t;
	__u32 id = 0;
	int fd, tfd;
	ssize_t n;
	pid_t pid;

	if (access("/sys/kernel/tracing/instances", F_OK))
		mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (access("/sys/kernel/tracing/events/raw_syscalls/sys_exit", F_OK))
		SKIP(return, "no tracefs or raw_syscalls tracepoints");
	snprintf(path, sizeof(path), "%s/trace", inst);
	ASSERT_EQ(0, write_file(path, "")); /* an empty buffer */
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(4242, syscall(SYS_getppid));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_exit/filter", inst);
	snprintf(filter, sizeof(filter), "id == %d && common_pid == %d", __NR_getppid, pid);
	EXPECT_EQ(0, write_file(path, filter));
	snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_exit/enable", inst);
	EXPECT_EQ(0, write_file(path, "1"));
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 10000);
	EXPECT_EQ(0, write_file(path, "0"));
	snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_exit/filter", inst);
	EXPECT_EQ(0, write_file(path, "0")); /* no filter */
	snprintf(path, sizeof(path), "%s/trace", inst);
	tfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, tfd);
	n = read(tfd, buf, sizeof(buf) - 1);
	close(tfd);
	ASSERT_LT(0, n);
	buf[n] = 0;
	snprintf(want, sizeof(want), "NR %d = -512", __NR_getppid);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("trace: %s", buf);
}

static void *call_getppid_thread(void *arg)
{
	syscall(SYS_getppid);
	return NULL;
}

TEST_F(sandbox, fastpath_kill)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_KILL, 0);
	struct target t;
	pthread_t thr;
	__u32 id = 0;
	int fd, st;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		syscall(SYS_getppid);
		_exit(3);	/* still alive: wrong */
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, target_go(&t));
	st = target_wait(&t, 10000);
	EXPECT_TRUE(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("single thread: %s", status_str(st));
	target_close(&t);

	/* A second thread's call takes the whole thread group down. */
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		if (pthread_create(&thr, NULL, call_getppid_thread, NULL))
			_exit(4);
		pthread_join(thr, NULL);
		sleep(5);
		_exit(3);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, target_go(&t));
	st = target_wait(&t, 10000);
	EXPECT_TRUE(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("second thread: %s", status_str(st));
}

/* Sentry answers for tests with openat: forwarded openat fails with EILSEQ. */
static bool sentry_answer_openat(struct sentry *s, const struct redirect_request *req,
				 struct redirect_reply *rep)
{
	if (req->notif.data.nr == __NR_openat)
		*rep = reply_send(req, 0, -EILSEQ, 0);
	else
		*rep = reply_send(req, FWD_VAL(req->notif.data.args[0]), 0, 0);
	return true;
}

struct arg_case {
	__u64 a[6];
	long want;	/* 0: forwarded */
};

TEST_F(sandbox, fastpath_args_masked_compare)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r[12];
	const __u64 top = 1ULL << 63;
	static const struct arg_case cases[] = {
		{ { 0x1042, 0, 0, 0, 0, 1 }, 101 },
		{ { 0x100000042, 0, 0, 0, 0, 1 }, 101 },
		{ { 0x43, 0, 0, 0, 0, 1 }, 109 },	/* falls through to the next rule */
		{ { 4, 0, 0, 0, 0, 2 }, 102 },
		{ { 5, 0, 0, 0, 0, 2 }, 0 },
		{ { 9, 0, 0, 0, 0, 3 }, 103 },
		{ { 10, 0, 0, 0, 0, 3 }, 0 },
		{ { 10, 0, 0, 0, 0, 4 }, 104 },
		{ { 11, 0, 0, 0, 0, 4 }, 0 },
		{ { 11, 0, 0, 0, 0, 5 }, 105 },
		{ { 10, 0, 0, 0, 0, 5 }, 0 },
		{ { ~0ULL, 0, 0, 0, 0, 5 }, 105 },	/* unsigned */
		{ { 10, 0, 0, 0, 0, 6 }, 106 },
		{ { 9, 0, 0, 0, 0, 6 }, 0 },
		{ { 0x1ffffffffULL, 0, 0, 0, 0, 7 }, 107 },
		{ { 0xffffffffULL, 0, 0, 0, 0, 7 }, 0 },
		{ { 0x200000000ULL, 0, 0, 0, 0, 7 }, 0 },
		{ { 0, 0, 0, 7, top, 8 }, 108 },
		{ { 0, 0, 0, 5, top, 8 }, 0 },
		{ { 0, 0, 0, 3, top - 1, 8 }, 0 },
		{ { 0, 0, 0, 0, 0, 9 }, 0 },		/* no rule for selector 9 */
	};
	struct sentry s;
	struct target t;
	__u32 id = 0;
	size_t i;
	int fd, n = 0;
	pid_t pid;

	/* Each rule: selector a5 == k, then its own comparison. */
#define SEL(k, verdict_value) ({ r[n] = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE,	\
						  (verdict_value));			\
				rule_arg(&r[n], 5, REDIRECT_CMP_EQ, ~0ULL, (k)); &r[n++]; })
	rule_arg(SEL(1, 101), 0, REDIRECT_CMP_EQ, 0xff, 0x42);
	SEL(1, 109);
	rule_arg(SEL(2, 102), 0, REDIRECT_CMP_NE, ~0ULL, 5);
	rule_arg(SEL(3, 103), 0, REDIRECT_CMP_LT, ~0ULL, 10);
	rule_arg(SEL(4, 104), 0, REDIRECT_CMP_LE, ~0ULL, 10);
	rule_arg(SEL(5, 105), 0, REDIRECT_CMP_GT, ~0ULL, 10);
	rule_arg(SEL(6, 106), 0, REDIRECT_CMP_GE, ~0ULL, 10);
	rule_arg(SEL(7, 107), 0, REDIRECT_CMP_EQ, 0xffffffff00000000ULL, 0x100000000ULL);
	{
		struct redirect_rule *p = SEL(8, 108);

		rule_arg(p, 3, REDIRECT_CMP_EQ, 0x3, 0x3);
		rule_arg(p, 4, REDIRECT_CMP_GE, ~0ULL, top);
	}
#undef SEL

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			const __u64 *a = cases[i].a;
			long want = cases[i].want ? cases[i].want : FWD_VAL(a[0]);

			EXPECT_EQ(want, syscall(SYS_getppid, a[0], a[1], a[2], a[3], a[4], a[5]))
				TH_LOG("case %zu", i);
		}
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, n, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 20000);
	sentry_stop(&s);
	EXPECT_EQ(0, s.errors) TH_LOG("sentry error %d", s.last_error);
	EXPECT_EQ(10, s.requests) TH_LOG("forwarded calls");
}

#define PFX "/redirect-test/prefix/"

TEST_F(sandbox, fastpath_string_exact_and_prefix)
{
	int nrs[] = { __NR_openat };
	struct redirect_rule r[3];
	struct sentry s;
	struct target t;
	__u32 id = 0;
	int fd;
	pid_t pid;

	r[0] = rule_make(__NR_openat, REDIRECT_VERDICT_ERRNO, EXDEV);
	rule_str(&r[0], 1, REDIRECT_STR_EXACT, "/redirect-test/exact");
	r[1] = rule_make(__NR_openat, REDIRECT_VERDICT_ERRNO, EROFS);
	rule_str(&r[1], 1, REDIRECT_STR_PREFIX, PFX);
	r[2] = rule_make(__NR_openat, REDIRECT_VERDICT_ERRNO, ENOTBLK);
	rule_str(&r[2], 1, REDIRECT_STR_EXACT, "");

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		static const struct {
			const char *path;
			int err;
		} cases[] = {
			{ "/redirect-test/exact", EXDEV },
			{ "/redirect-test/exact/", EILSEQ },
			{ "/redirect-test/exac", EILSEQ },
			{ "/redirect-test/exactly", EILSEQ },
			{ PFX "a/b", EROFS },
			{ PFX, EROFS },
			{ "/redirect-test/prefix", EILSEQ },
			{ "", ENOTBLK },
			{ "/etc/hostname", EILSEQ },
		};
		char path[512];
		long pg = sysconf(_SC_PAGESIZE);
		char *two, *untouched;
		size_t i, len;
		int mfd;

		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			/*
			 * From the stack: a fresh child's .rodata pages are not
			 * mapped in yet, and such a string is (rightly) forwarded.
			 */
			snprintf(path, sizeof(path), "%s", cases[i].path);
			errno = 0;
			EXPECT_EQ(-1, syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
			EXPECT_EQ(cases[i].err, errno) TH_LOG("'%s': %s", cases[i].path,
							      strerror(errno));
		}
		/* Length limits: up to REDIRECT_STR_MAX - 1 bytes match, longer is forwarded. */
		for (len = REDIRECT_STR_MAX - 2; len <= REDIRECT_STR_MAX + 1; len++) {
			memset(path, 'a', sizeof(path));
			memcpy(path, PFX, strlen(PFX));
			path[len] = 0;
			errno = 0;
			EXPECT_EQ(-1, syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
			EXPECT_EQ(len <= REDIRECT_STR_MAX - 1 ? EROFS : EILSEQ, errno)
				TH_LOG("prefixed path of %zu bytes: %s", len, strerror(errno));
		}
		/* A string across a page boundary is read whole. */
		two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		EXPECT_NE(MAP_FAILED, two);
		if (two != MAP_FAILED) {
			char *p = two + pg - 7;

			strcpy(p, "/redirect-test/exact");
			errno = 0;
			EXPECT_EQ(-1, syscall(SYS_openat, AT_FDCWD, p, O_RDONLY));
			EXPECT_EQ(EXDEV, errno) TH_LOG("across a page: %s", strerror(errno));
		}
		/* A string in a page not mapped in yet cannot be read at once: forwarded. */
		mfd = memfd_create("path", MFD_CLOEXEC);
		EXPECT_EQ((ssize_t)sizeof("/redirect-test/exact"),
			  write(mfd, "/redirect-test/exact", sizeof("/redirect-test/exact")));
		untouched = mmap(NULL, pg, PROT_READ, MAP_SHARED, mfd, 0);
		EXPECT_NE(MAP_FAILED, untouched);
		if (untouched != MAP_FAILED) {
			errno = 0;
			EXPECT_EQ(-1, syscall(SYS_openat, AT_FDCWD, untouched, O_RDONLY));
			EXPECT_EQ(EILSEQ, errno) TH_LOG("page not present: %s", strerror(errno));
			/* Once present, the same string matches. */
			EXPECT_EQ('/', *(volatile char *)untouched);
			errno = 0;
			EXPECT_EQ(-1, syscall(SYS_openat, AT_FDCWD, untouched, O_RDONLY));
			EXPECT_EQ(EXDEV, errno) TH_LOG("page present: %s", strerror(errno));
		}
		/* A bad pointer: forwarded, never a crash. */
		errno = 0;
		EXPECT_EQ(-1, syscall(SYS_openat, AT_FDCWD, (char *)8, O_RDONLY));
		EXPECT_EQ(EILSEQ, errno);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, 3, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, sentry_answer_openat, NULL));
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 20000);
	sentry_stop(&s);
	EXPECT_EQ(0, s.errors) TH_LOG("sentry error %d", s.last_error);
	/* 5 paths that match no rule + 2 too long + 1 not present + 1 bad pointer. */
	EXPECT_EQ(9, s.requests);
}

TEST_F(sandbox, fastpath_limit)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 7);
	struct sentry s;
	struct target t;
	char done;
	__u32 id = 0;
	int fd, i;
	pid_t pid;

	r.limit = 3;
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		for (i = 0; i < 6; i++)
			EXPECT_EQ(i < 3 ? 7 : FWD_VAL(i), syscall(SYS_getppid, i)) TH_LOG("call %d", i);
		target_report(&t, "d", 1);
		/* A new rule set has a new budget. */
		target_cmd(&t);
		for (i = 0; i < 4; i++)
			EXPECT_EQ(i < 3 ? 7 : FWD_VAL(i), syscall(SYS_getppid, i))
				TH_LOG("after reload, call %d", i);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(0, target_read(&t, &done, 1, 10000));
	EXPECT_EQ(3, s.requests);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, target_send(&t, 'r'));
	EXPECT_TARGET_OK(&t, 10000);
	sentry_stop(&s);
	EXPECT_EQ(4, s.requests);
	EXPECT_EQ(0, s.errors);
}

TEST_F(sandbox, fastpath_never_reaches_sentry)
{
	int nrs[] = { __NR_getppid, __NR_getpid };
	struct redirect_rule r[] = {
		rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 5),
		rule_make(__NR_getpid, REDIRECT_VERDICT_ERRNO, ENOTCONN),
	};
	struct redirect_request req[4];
	struct pollfd pfd;
	struct target t;
	__u32 id = 0, n = 99;
	char done;
	int fd, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		for (i = 0; i < 200; i++) {
			EXPECT_EQ(5, syscall(SYS_getppid, i));
			EXPECT_EQ(-ENOTCONN, sc_ret(syscall(SYS_getpid, i)));
		}
		target_report(&t, "d", 1);
		target_cmd(&t);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, 2, NULL));
	ASSERT_EQ(0, target_go(&t));
	/* Nobody answers forwarded calls here: a forwarded one would hang the target. */
	ASSERT_EQ(0, target_read(&t, &done, 1, 20000)) TH_LOG("target did not finish");
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("session readable: revents %#x", pfd.revents);
	EXPECT_EQ(0, rdr_broker(fd, NULL, 0, req, 4, 0, NULL, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, target_send(&t, 'x'));
	EXPECT_TARGET_OK(&t, 5000);
}

static void alarm_noop(int sig)
{
}

/*
 * A RECV straight on @listener with nothing pending: -EINTR when it slept
 * until the timer after @ms, as it must; -ENOENT at once when seccomp still
 * holds request counts of notifications that are gone.
 */
static long recv_pending_nothing(int listener, int ms)
{
	struct sigaction sa = { .sa_handler = alarm_noop }, old;
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } }, off = {};
	struct seccomp_notif n;
	long ret;

	memset(&n, 0, sizeof(n));
	sigaction(SIGALRM, &sa, &old);	/* no SA_RESTART: the RECV returns EINTR */
	setitimer(ITIMER_REAL, &it, NULL);
	ret = sc_ret(ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n));
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	return ret;
}

/*
 * A fast-pathed notification leaves seccomp's request count behind; 2^31 of
 * them make 6.6+'s counter negative and every RECV sleep for ever (see
 * rdr_fastpath_queue()). The broker consumes them: after many fast-pathed
 * calls a forwarded one still arrives, and once the broker has run, a RECV
 * with nothing pending sleeps instead of failing at once with ENOENT.
 */
TEST_F(sandbox, fastpath_leaves_no_request_count)
{
	int nrs[] = { __NR_getppid, __NR_getpid };
	struct redirect_rule r[] = {
		rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 5),
	};
	struct redirect_request req, reqs[4];
	struct redirect_reply rep;
	struct pollfd pfd;
	struct target t;
	__u32 id = 0, n;
	char done;
	int fd, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		for (i = 0; i < 3000; i++)
			if (syscall(SYS_getppid) != 5)
				EXPECT_EQ(5, syscall(SYS_getppid));
		EXPECT_EQ(FWD_VAL(9), syscall(SYS_getpid, 9));
		target_report(&t, "d", 1);
		target_cmd(&t);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, 1, NULL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 60000)) TH_LOG("forwarded getpid never arrived");
	EXPECT_EQ(__NR_getpid, req.notif.data.nr);
	rep = reply_send(&req, FWD_VAL(req.notif.data.args[0]), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	ASSERT_EQ(0, target_read(&t, &done, 1, 20000)) TH_LOG("target did not finish");
	/* The Sentry's next fetches find nothing (and consume what is left). */
	for (i = 0; i < 3; i++) {
		n = 99;
		EXPECT_EQ(0, rdr_broker(fd, NULL, 0, reqs, 4, 0, NULL, &n));
		EXPECT_EQ(0, n);
	}
	pfd = (struct pollfd){ .fd = t.listener, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("listener readable: revents %#x", pfd.revents);
	EXPECT_EQ(-EINTR, recv_pending_nothing(t.listener, 300))
		TH_LOG("seccomp kept request counts of fast-pathed calls");
	ASSERT_EQ(0, target_send(&t, 'x'));
	EXPECT_TARGET_OK(&t, 5000);
}

/*
 * 6.6+: a RECV whose copy out fails puts the notification back and wakes the
 * listener's queue with EPOLLIN in the RECV caller's own context. The module
 * must not take that caller, here under a seccomp filter of its own, for a
 * trapped task: a rule for ioctl would answer the caller's RECV (EXDEV
 * instead of EFAULT). The call put back still reaches the Sentry. On 6.1 the
 * EFAULT path wakes nobody and this passes by construction.
 */
TEST_F(sandbox, fastpath_not_for_recv_caller)
{
	int nrs[] = { __NR_getpid };
	struct redirect_rule r[] = {
		rule_make(__NR_ioctl, REDIRECT_VERDICT_ERRNO, EXDEV),
	};
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	struct redirect_request req;
	struct redirect_reply rep;
	struct target t;
	__u32 id = 0;
	int fd, status;
	void *ro;
	pid_t pid, recver;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(FWD_VAL(3), syscall(SYS_getpid, 3));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, 1, NULL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_TRUE(wait_threads_in_syscall(pid, __NR_getpid, 1, 10000));

	/* Zeroed (RECV checks that) but read-only: the copy out fails. */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	recver = fork();
	ASSERT_LE(0, recver);
	if (recver == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(100);
		_exit(ioctl(t.listener, SECCOMP_IOCTL_NOTIF_RECV, ro) ? errno : 0);
	}
	ASSERT_EQ(recver, waitpid(recver, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EFAULT, WEXITSTATUS(status))
		TH_LOG("RECV ended with %s", strerror(WEXITSTATUS(status)));
	munmap(ro, 4096);

	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000)) TH_LOG("call put back never arrived");
	EXPECT_EQ(__NR_getpid, req.notif.data.nr);
	EXPECT_EQ(3, req.notif.data.args[0]);
	rep = reply_send(&req, FWD_VAL(3), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	EXPECT_TARGET_OK(&t, 10000);
}

/* ---- the broker ------------------------------------------------------------------- */

TEST_F(sandbox, broker_forward_send)
{
	int nrs[] = { __NR_getpid };
	struct redirect_request req;
	struct redirect_reply rep, again;
	struct target t;
	__u32 id = 0;
	int fd, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(555, syscall(SYS_getpid, 0x1234, 1, 2, 3, 4, 5));
		errno = 0;
		EXPECT_EQ(-1, syscall(SYS_getpid, 0x99));
		EXPECT_EQ(EPERM, errno);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, target_go(&t));

	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));
	EXPECT_EQ(id, req.sandbox_id);
	EXPECT_EQ(0, req.flags);
	EXPECT_NE(0, req.notif.id);
	EXPECT_EQ(t.pid, (pid_t)req.notif.pid);
	EXPECT_EQ(__NR_getpid, req.notif.data.nr);
	EXPECT_EQ(AUDIT_ARCH_X86_64, req.notif.data.arch);
	EXPECT_EQ(0x1234, req.notif.data.args[0]);
	for (i = 1; i < 6; i++)
		EXPECT_EQ(i, req.notif.data.args[i]);
	rep = reply_send(&req, 555, 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	/* Answered: the id is no longer one this session holds. */
	again = reply_send(&req, 556, 0, 0);
	EXPECT_EQ(-ENOENT, rdr_reply_one(fd, &again));

	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));
	EXPECT_EQ(0x99, req.notif.data.args[0]);
	rep = reply_send(&req, 0, -EPERM, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	EXPECT_TARGET_OK(&t, 10000);
}

/* Out fields (nr_requests, result) are ignored on input. */
TEST_F(sandbox, broker_ignores_out_fields)
{
	struct redirect_request req[2];
	struct redirect_broker b = {};
	int fd;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	b.requests = (uintptr_t)req;
	b.max_requests = 2;
	b.nr_requests = 5;	/* stale, from an earlier call */
	EXPECT_EQ(0, ioctl(fd, REDIRECT_IOC_BROKER, &b)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, b.nr_requests);
}

TEST_F(sandbox, broker_continue)
{
	int nrs[] = { __NR_getppid };
	struct redirect_request req;
	struct redirect_reply rep;
	struct target t;
	long got = 0;
	__u32 id = 0;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		got = syscall(SYS_getppid);
		target_report(&t, &got, sizeof(got));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));
	EXPECT_EQ(__NR_getppid, req.notif.data.nr);
	rep = reply_send(&req, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	ASSERT_EQ(0, target_read(&t, &got, sizeof(got), 10000));
	EXPECT_EQ(getpid(), got) TH_LOG("the real getppid() runs");
	EXPECT_TARGET_OK(&t, 10000);
}

TEST_F(sandbox, broker_addfd)
{
	int nrs[] = { __NR_openat };
	struct redirect_request req;
	struct redirect_reply rep;
	struct stat null_st;
	struct target t;
	long res[2];
	__u32 id = 0;
	int fd, nullfd;
	long fd1, fd2;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		static const char * const paths[] = {
			"/redirect-test/addfd-send", "/redirect-test/addfd-then-send",
		};
		struct stat st;
		int k;

		for (k = 0; k < 2; k++) {
			res[0] = syscall(SYS_openat, AT_FDCWD, paths[k], O_RDONLY);
			res[1] = res[0] >= 0 && !fstat(res[0], &st) ? (long)st.st_rdev : -1;
			target_report(&t, res, sizeof(res));
		}
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nullfd);
	ASSERT_EQ(0, fstat(nullfd, &null_st));
	ASSERT_EQ(0, target_go(&t));

	/* ADDFD with SECCOMP_ADDFD_FLAG_SEND answers the call with the new fd. */
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));
	EXPECT_EQ(__NR_openat, req.notif.data.nr);
	memset(&rep, 0, sizeof(rep));
	rep.sandbox_id = req.sandbox_id;
	rep.kind = REDIRECT_REPLY_ADDFD;
	rep.addfd.id = req.notif.id;
	rep.addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
	rep.addfd.srcfd = nullfd;
	fd1 = rdr_reply_one(fd, &rep);
	EXPECT_LE(0, fd1) TH_LOG("ADDFD|SEND: %s", strerror(-fd1));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 10000));
	EXPECT_EQ(fd1, res[0]);
	EXPECT_EQ((long)null_st.st_rdev, res[1]);

	/* ADDFD alone, then SEND with the fd number. */
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));
	memset(&rep, 0, sizeof(rep));
	rep.sandbox_id = req.sandbox_id;
	rep.kind = REDIRECT_REPLY_ADDFD;
	rep.addfd.id = req.notif.id;
	rep.addfd.srcfd = nullfd;
	fd2 = rdr_reply_one(fd, &rep);
	EXPECT_LE(0, fd2) TH_LOG("ADDFD: %s", strerror(-fd2));
	EXPECT_NE(fd1, fd2);
	rep = reply_send(&req, fd2, 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 10000));
	EXPECT_EQ(fd2, res[0]);
	EXPECT_EQ((long)null_st.st_rdev, res[1]);
	EXPECT_TARGET_OK(&t, 10000);
}

/*
 * kmod/broker.c rdr_broker_addfd(): a reply ADDFD with SECCOMP_ADDFD_FLAG_SEND
 * is performed as ADDFD, then SEND. As seccomp's one flag, a signal to the
 * broker's caller after the fd was queued and before the target installed it
 * left the call answered with 0: the target's openat() returned its stdin.
 * Signals hit the serving thread throughout; every open must return a new fd
 * of the file the Sentry injects, and an interrupted ADDFD's result is EINTR.
 */
struct addfd_pester {
	pid_t tid;
	atomic_int stop;
	atomic_long sent;
};

static void addfd_pester_nothing(int sig)
{
}

static void *addfd_pester_main(void *arg)
{
	struct addfd_pester *pe = arg;
	struct timespec ts = { 0 };

	while (!atomic_load(&pe->stop)) {
		if (syscall(SYS_tgkill, getpid(), pe->tid, SIGUSR1) == 0)
			atomic_fetch_add(&pe->sent, 1);
		ts.tv_nsec = 5000 + (atomic_load(&pe->sent) % 7) * 7000;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

TEST_F_TIMEOUT(sandbox, broker_addfd_send_interrupted, 600)
{
	int nrs[] = { __NR_openat };
	long opens = env_long("REDIRECT_ADDFD_OPENS", 3000);
	struct sigaction sa = { .sa_handler = addfd_pester_nothing }, old;
	struct addfd_pester pe = { .tid = gettid() };
	long served, interrupted = 0, failed = 0, first_err = 0, result;
	struct redirect_request req;
	struct redirect_reply rep;
	struct stat want;
	struct target t;
	long res[3];
	pthread_t th;
	__u32 id = 0;
	int fd, src;
	pid_t pid;

	src = memfd_create("addfd-storm", MFD_CLOEXEC);
	ASSERT_LE(0, src);
	ASSERT_EQ(0, fstat(src, &want));
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		long i, r, wrong = 0, first = 0;
		struct stat st;

		for (i = 0; i < opens; i++) {
			r = sc_ret(syscall(SYS_openat, AT_FDCWD, "/redirect-test/addfd-storm",
					   O_RDONLY));
			if (r <= 0 || fstat(r, &st) || st.st_ino != want.st_ino ||
			    st.st_dev != want.st_dev) {
				if (!wrong++)
					first = r;
			}
			if (r > 0)
				close(r);
		}
		res[0] = i;
		res[1] = wrong;
		res[2] = first;
		target_report(&t, res, sizeof(res));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	/* no SA_RESTART: the broker's ioctl is cut short */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, &old));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(0, pthread_create(&th, NULL, addfd_pester_main, &pe));
	for (served = 0; served < opens; served++) {
		if (rdr_fetch_one(fd, &req, 30000) != 1)
			break;
		memset(&rep, 0, sizeof(rep));
		rep.sandbox_id = req.sandbox_id;
		rep.kind = REDIRECT_REPLY_ADDFD;
		rep.addfd.id = req.notif.id;
		rep.addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
		rep.addfd.srcfd = src;
		/* EINTR: not installed, the call still waits */
		while ((result = rdr_reply_one(fd, &rep)) == -EINTR)
			interrupted++;
		if (result < 0 && !failed++)
			first_err = result;
	}
	atomic_store(&pe.stop, 1);
	pthread_join(th, NULL);
	sigaction(SIGUSR1, &old, NULL);
	TH_LOG("%ld opens served, %ld ADDFDs interrupted, %ld signals", served, interrupted,
	       atomic_load(&pe.sent));
	EXPECT_EQ(opens, served);
	EXPECT_EQ(0, failed) TH_LOG("%ld replies failed, first %ld", failed, first_err);
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 30000));
	EXPECT_EQ(opens, res[0]);
	EXPECT_EQ(0, res[1]) TH_LOG("%ld opens answered wrongly, first with %ld", res[1], res[2]);
	EXPECT_TARGET_OK(&t, 10000);
	close(src);
}

/*
 * Two threads of the Sentry answer the same call with the same ADDFD|SEND at
 * once (kmod/broker.c rdr_delivered_claim()). Each reply is an ADDFD, then a
 * SEND; without a claim on the call both ADDFDs were queued before either
 * SEND and the target got two fds, one it never learns of. Now the call's fd
 * is installed once: one reply answers with it, the other is refused (EBUSY
 * while the first is performed, ENOENT after it).
 */
struct addfd_twin {
	int fd;
	struct redirect_reply rep;
	long result;
	bool stop;
	pthread_barrier_t go, done;
};

static void *addfd_twin_main(void *arg)
{
	struct addfd_twin *tw = arg;
	struct redirect_reply rep;

	for (;;) {
		pthread_barrier_wait(&tw->go);
		if (tw->stop)
			return NULL;
		rep = tw->rep;
		tw->result = rdr_reply_one(tw->fd, &rep);
		pthread_barrier_wait(&tw->done);
	}
}

/* fds 0..255 of this process that are open, as a bitmap. */
static void open_fds(__u64 map[4])
{
	int i;

	memset(map, 0, 4 * sizeof(__u64));
	for (i = 0; i < 256; i++)
		if (fcntl(i, F_GETFD) >= 0)
			map[i / 64] |= 1ULL << (i % 64);
}

TEST_F_TIMEOUT(sandbox, broker_addfd_concurrent_replies_install_once, 300)
{
	int nrs[] = { __NR_openat };
	long opens = env_long("REDIRECT_ADDFD_TWINS", 200);
	long served, both = 0, busy = 0, wrong = 0, first_wrong = 0;
	struct addfd_twin tw = { 0 };
	struct redirect_request req;
	struct redirect_reply rep;
	struct stat want;
	struct target t;
	long res[4], mine;
	pthread_t th;
	__u32 id = 0;
	int fd, src;
	pid_t pid;

	src = memfd_create("addfd-once", MFD_CLOEXEC);
	ASSERT_LE(0, src);
	ASSERT_EQ(0, fstat(src, &want));
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		long i, r, bad = 0, twice = 0, first = 0;
		__u64 before[4], after[4];
		struct stat st;
		int k, extra;

		for (i = 0; i < opens; i++) {
			open_fds(before);
			r = sc_ret(syscall(SYS_openat, AT_FDCWD, "/redirect-test/addfd-once",
					   O_RDONLY));
			if (r < 0 || fstat(r, &st) || st.st_ino != want.st_ino ||
			    st.st_dev != want.st_dev) {
				if (!bad++)
					first = r;
			}
			/* Every fd the call left behind but its result is one too many. */
			open_fds(after);
			extra = 0;
			for (k = 0; k < 256; k++) {
				if (!(after[k / 64] & ~before[k / 64] & (1ULL << (k % 64))))
					continue;
				if (k != r)
					extra++;
				close(k);
			}
			if (extra)
				twice++;
		}
		res[0] = i;
		res[1] = bad;
		res[2] = first;
		res[3] = twice;
		target_report(&t, res, sizeof(res));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	tw.fd = fd;
	ASSERT_EQ(0, pthread_barrier_init(&tw.go, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&tw.done, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, addfd_twin_main, &tw));
	ASSERT_EQ(0, target_go(&t));
	for (served = 0; served < opens; served++) {
		if (rdr_fetch_one(fd, &req, 30000) != 1)
			break;
		memset(&rep, 0, sizeof(rep));
		rep.sandbox_id = req.sandbox_id;
		rep.kind = REDIRECT_REPLY_ADDFD;
		rep.addfd.id = req.notif.id;
		rep.addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
		rep.addfd.srcfd = src;
		tw.rep = rep;
		pthread_barrier_wait(&tw.go);
		mine = rdr_reply_one(fd, &rep);
		pthread_barrier_wait(&tw.done);
		if (mine >= 0 && tw.result >= 0)
			both++;
		if (mine == -EBUSY || tw.result == -EBUSY)
			busy++;
		/* One answer (the fd), one refusal: EBUSY, or ENOENT once answered. */
		if ((mine >= 0) == (tw.result >= 0) ||
		    (mine < 0 && mine != -EBUSY && mine != -ENOENT) ||
		    (tw.result < 0 && tw.result != -EBUSY && tw.result != -ENOENT)) {
			if (!wrong++)
				first_wrong = mine < 0 ? mine : tw.result;
		}
	}
	tw.stop = true;
	pthread_barrier_wait(&tw.go);
	pthread_join(th, NULL);
	TH_LOG("%ld calls served by two replies each, %ld with one refused as busy", served, busy);
	EXPECT_EQ(opens, served);
	EXPECT_EQ(0, both) TH_LOG("%ld calls answered by both replies", both);
	EXPECT_EQ(0, wrong)
	TH_LOG("%ld reply pairs not one fd and one refusal, first %ld", wrong, first_wrong);
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 30000));
	EXPECT_EQ(opens, res[0]);
	EXPECT_EQ(0, res[1]) TH_LOG("%ld opens answered wrongly, first with %ld", res[1], res[2]);
	EXPECT_EQ(0, res[3]) TH_LOG("%ld opens got a second fd installed", res[3]);
	EXPECT_TARGET_OK(&t, 10000);
	pthread_barrier_destroy(&tw.go);
	pthread_barrier_destroy(&tw.done);
	close(src);
}

TEST_F(sandbox, broker_id_valid)
{
	int nrs[] = { __NR_getpid };
	struct redirect_request req;
	struct redirect_reply rep;
	struct target t;
	__u32 id = 0;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(FWD_VAL(1), syscall(SYS_getpid, 1));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));

	memset(&rep, 0, sizeof(rep));
	rep.sandbox_id = id;
	rep.kind = REDIRECT_REPLY_ID_VALID;
	rep.resp.id = req.notif.id;
	EXPECT_EQ(0, rdr_reply_one(fd, &rep)) TH_LOG("live id");
	rep.resp.id = req.notif.id + 12345;
	EXPECT_EQ(-ENOENT, rdr_reply_one(fd, &rep)) TH_LOG("bogus id");
	rep.resp.id = req.notif.id;
	EXPECT_EQ(0, rdr_reply_one(fd, &rep)) TH_LOG("live id, again");

	rep = reply_send(&req, FWD_VAL(1), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	/* Not reaped yet, so the sandbox lives on: only the id is gone. */
	memset(&rep, 0, sizeof(rep));
	rep.sandbox_id = id;
	rep.kind = REDIRECT_REPLY_ID_VALID;
	rep.resp.id = req.notif.id;
	EXPECT_EQ(-ENOENT, rdr_reply_one(fd, &rep)) TH_LOG("answered id");
	EXPECT_TARGET_OK(&t, 10000);
	/* Reaped: the sandbox ends and becomes unknown. */
	sleep_ms(300);
	EXPECT_EQ(-ESRCH, rdr_reply_one(fd, &rep)) TH_LOG("ended sandbox");
}

/* A CONTINUE_EXEC of the fetched exec @req with an O_PATH fd of @path (NULL: no fd). */
static long continue_exec(int fd, const struct redirect_request *req, const char *path)
{
	struct redirect_reply rep = reply_send(req, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	int file = path ? open(path, O_PATH | O_CLOEXEC) : 1 << 20;
	long ret;

	if (file < 0)
		return -errno;
	rep.kind = REDIRECT_REPLY_CONTINUE_EXEC;
	rep.addfd.srcfd = file;
	ret = rdr_reply_one(fd, &rep);
	if (path)
		close(file);
	return ret;
}

/*
 * The exec guard: a CONTINUE_EXEC'd exec runs the file the reply names or
 * fails with ENOENT; a failed one leaves nothing behind; only for an exec,
 * only with the feature.
 */
TEST_F(sandbox, broker_continue_exec)
{
	int nrs[] = { __NR_execve, __NR_getppid };
	char *argv[] = { "true", NULL };
	struct redirect_request req;
	struct redirect_reply rep;
	struct target t;
	__u32 id = 0;
	int fd, plain;
	pid_t pid;

	OPEN_SESSION(plain, RDR_FEATURES_IOCTL);
	rep = (struct redirect_reply){ .kind = REDIRECT_REPLY_CONTINUE_EXEC,
				       .resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };
	EXPECT_EQ(-EOPNOTSUPP, rdr_reply_one(plain, &rep)) TH_LOG("without the feature");
	close(plain);

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL | REDIRECT_FEATURE_EXEC_GUARD);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		EXPECT_EQ(FWD_VAL(1), syscall(SYS_getppid, 1));
		/* the kernel opens false, the guard holds true: ENOENT */
		EXPECT_EQ(-1, execve("/bin/false", argv, environ));
		EXPECT_EQ(ENOENT, errno);
		execve("/bin/true", argv, environ);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, target_go(&t));

	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));
	ASSERT_EQ(__NR_getppid, req.notif.data.nr);
	EXPECT_EQ(-EINVAL, continue_exec(fd, &req, "/bin/true")) TH_LOG("not an exec");
	rep = reply_send(&req, FWD_VAL(1), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));

	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));
	ASSERT_EQ(__NR_execve, req.notif.data.nr);
	EXPECT_EQ(-EBADF, continue_exec(fd, &req, NULL)) TH_LOG("no such fd");
	EXPECT_FALSE(target_exited(&t, 200)) TH_LOG("a refused reply answered the call");
	EXPECT_EQ(0, continue_exec(fd, &req, "/bin/true"));

	/* the second exec, of true itself: it runs (and exits 0) */
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));
	ASSERT_EQ(__NR_execve, req.notif.data.nr);
	EXPECT_EQ(0, continue_exec(fd, &req, "/bin/true"));
	EXPECT_TARGET_OK(&t, 10000);
}

/* The half of a reply its kind does not use must be zero; only -1 waits for ever. */
TEST_F(sandbox, broker_reply_unused_half_and_timeout)
{
	int nrs[] = { __NR_getpid };
	struct redirect_request req;
	struct redirect_reply rep;
	struct target t;
	__u32 id = 0, done = 0, n = 0;
	int fd, timeouts[] = { -2, -1000, INT32_MIN }, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(FWD_VAL(1), syscall(SYS_getpid, 1));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-EINVAL, rdr_broker(fd, NULL, 0, &req, 1, timeouts[i], NULL, &n))
			TH_LOG("timeout_ms %d", timeouts[i]);
	}
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));

	/* SEND with something in addfd: refused, the call still waits. */
	rep = reply_send(&req, FWD_VAL(1), 0, 0);
	rep.addfd.srcfd = 1;
	EXPECT_EQ(-EINVAL, rdr_reply_one(fd, &rep));
	/* ID_VALID with a value, ADDFD with a resp: refused too. */
	rep = reply_send(&req, 5, 0, 0);
	rep.kind = REDIRECT_REPLY_ID_VALID;
	EXPECT_EQ(-EINVAL, rdr_reply_one(fd, &rep));
	memset(&rep, 0, sizeof(rep));
	rep.sandbox_id = id;
	rep.kind = REDIRECT_REPLY_ADDFD;
	rep.addfd.id = req.notif.id;
	rep.addfd.srcfd = 0;
	rep.resp.id = req.notif.id;
	EXPECT_EQ(-EINVAL, rdr_reply_one(fd, &rep));
	EXPECT_FALSE(target_exited(&t, 200)) TH_LOG("a refused reply answered the call");

	/* -1: for ever; with a request ready it returns at once. */
	rep = reply_send(&req, FWD_VAL(1), 0, 0);
	EXPECT_EQ(0, rdr_broker(fd, &rep, 1, NULL, 0, -1, &done, NULL));
	EXPECT_EQ(1, done);
	EXPECT_EQ(0, rep.result);
	EXPECT_TARGET_OK(&t, 10000);
}

struct flipper {
	__u64 *id;
	__u64 a, b;
	atomic_bool stop;
};

static void *flip_id(void *arg)
{
	struct flipper *f = arg;

	while (!atomic_load(&f->stop)) {
		__atomic_store_n(f->id, f->a, __ATOMIC_RELAXED);
		__atomic_store_n(f->id, f->b, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *call_getpid_7(void *arg)
{
	long *got = arg;

	*got = syscall(SYS_getpid, 7);
	return NULL;
}

/*
 * One copy, one decision: while another thread of the Sentry rewrites a
 * reply's id, the call the module forgets is the call seccomp answered. So
 * of two clean replies afterwards exactly one finds its call still there.
 */
TEST_F(sandbox, broker_reply_read_once)
{
	int nrs[] = { __NR_getpid };
	int rounds = (int)env_long("REDIRECT_FLIP_ROUNDS", 60), round;
	struct redirect_request req[2];
	struct redirect_reply rep, clean;
	struct flipper f;
	struct target t;
	pthread_t th;
	__u32 id = 0, got = 0;
	int fd, i, zeros;
	long res;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		for (round = 0; round < rounds; round++) {
			pthread_t c;
			long a = 0, b = 0;

			pthread_create(&c, NULL, call_getpid_7, &a);
			b = syscall(SYS_getpid, 7);
			pthread_join(c, NULL);
			EXPECT_EQ(FWD_VAL(7), a);
			EXPECT_EQ(FWD_VAL(7), b);
			if (!_metadata->passed)
				break;
		}
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, target_go(&t));
	for (round = 0; round < rounds; round++) {
		for (got = 0; got < 2;) {
			ASSERT_EQ(1, rdr_fetch_one(fd, &req[got], 10000)) TH_LOG("round %d", round);
			got++;
		}
		rep = reply_send(&req[0], FWD_VAL(7), 0, 0);
		f = (struct flipper){ .id = &rep.resp.id, .a = req[0].notif.id,
				      .b = req[1].notif.id };
		ASSERT_EQ(0, pthread_create(&th, NULL, flip_id, &f));
		sleep_ms(1);
		res = rdr_reply_one(fd, &rep);
		atomic_store(&f.stop, true);
		pthread_join(th, NULL);
		EXPECT_EQ(0, res) TH_LOG("round %d: flipped reply: %s", round, strerror(-res));
		zeros = 0;
		for (i = 0; i < 2; i++) {
			clean = reply_send(&req[i], FWD_VAL(7), 0, 0);
			res = rdr_reply_one(fd, &clean);
			EXPECT_TRUE(res == 0 || res == -ENOENT) TH_LOG("%s", strerror(-res));
			zeros += res == 0;
		}
		EXPECT_EQ(1, zeros) TH_LOG("round %d: the module forgot a call seccomp did not "
					   "answer (or the other way round)", round);
		if (zeros != 1)
			break;
	}
	EXPECT_TARGET_OK(&t, 10000);
}

#define BATCH_THREADS 8

struct batch_arg {
	struct __test_metadata *md;
	long token;
};

static void *batch_thread(void *p)
{
	struct batch_arg *a = p;
	struct __test_metadata *_metadata = a->md;

	EXPECT_EQ(FWD_VAL(a->token), syscall(SYS_getpid, a->token)) TH_LOG("token %ld", a->token);
	return NULL;
}

/* Child: run @n threads each making one forwarded getpid(@base + i). */
static void batch_round(struct __test_metadata *_metadata, int n, long base)
{
	struct batch_arg args[BATCH_THREADS];
	pthread_t thr[BATCH_THREADS];
	int i;

	for (i = 0; i < n; i++) {
		args[i] = (struct batch_arg){ _metadata, base + i };
		if (pthread_create(&thr[i], NULL, batch_thread, &args[i]))
			_exit(4);
	}
	for (i = 0; i < n; i++)
		pthread_join(thr[i], NULL);
}

TEST_F(sandbox, broker_batch)
{
	int nrs[] = { __NR_getpid };
	struct redirect_request req[BATCH_THREADS + 1];
	struct redirect_reply rep[BATCH_THREADS];
	struct target t;
	__u32 id = 0, n = 0, done = 0, seen = 0;
	int fd, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		batch_round(_metadata, BATCH_THREADS, 100);
		target_report(&t, "1", 1);
		target_cmd(&t);
		batch_round(_metadata, BATCH_THREADS, 200);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, target_go(&t));

	/* All blocked: one call fetches them all... */
	ASSERT_TRUE(wait_threads_in_syscall(pid, __NR_getpid, BATCH_THREADS, 20000));
	memset(req, 0, sizeof(req));
	EXPECT_EQ(0, rdr_broker(fd, NULL, 0, req, BATCH_THREADS + 1, 2000, NULL, &n));
	EXPECT_EQ(BATCH_THREADS, n);
	for (i = 0; i < (int)n && i < BATCH_THREADS; i++) {
		long tok = req[i].notif.data.args[0];

		EXPECT_TRUE(tok >= 100 && tok < 100 + BATCH_THREADS) TH_LOG("token %ld", tok);
		if (tok >= 100 && tok < 100 + BATCH_THREADS) {
			EXPECT_FALSE(seen & (1U << (tok - 100))) TH_LOG("token %ld twice", tok);
			seen |= 1U << (tok - 100);
		}
		rep[i] = reply_send(&req[i], FWD_VAL(tok), 0, 0);
	}
	/* ...and one call answers them all. */
	EXPECT_EQ(0, rdr_broker(fd, rep, n, NULL, 0, 0, &done, NULL));
	EXPECT_EQ(n, done);
	for (i = 0; i < (int)done; i++)
		EXPECT_EQ(0, rep[i].result) TH_LOG("reply %d", i);
	{
		char c;

		ASSERT_EQ(0, target_read(&t, &c, 1, 10000));
	}

	/* max_requests caps a batch; the rest comes with the next call. */
	ASSERT_EQ(0, target_send(&t, 'n'));
	ASSERT_TRUE(wait_threads_in_syscall(pid, __NR_getpid, BATCH_THREADS, 20000));
	memset(req, 0, sizeof(req));
	EXPECT_EQ(0, rdr_broker(fd, NULL, 0, req, 3, 2000, NULL, &n));
	EXPECT_EQ(3, n);
	for (i = 0; i < 3; i++)
		rep[i] = reply_send(&req[i], FWD_VAL(req[i].notif.data.args[0]), 0, 0);
	memset(req, 0, sizeof(req));
	EXPECT_EQ(0, rdr_broker(fd, rep, 3, req, BATCH_THREADS, 2000, &done, &n));
	EXPECT_EQ(3, done);
	EXPECT_EQ(BATCH_THREADS - 3, n);
	for (i = 0; i < (int)n && i < BATCH_THREADS; i++)
		rep[i] = reply_send(&req[i], FWD_VAL(req[i].notif.data.args[0]), 0, 0);
	EXPECT_EQ(0, rdr_broker(fd, rep, n, NULL, 0, 0, &done, NULL));
	EXPECT_EQ(n, done);
	EXPECT_TARGET_OK(&t, 10000);
}

TEST_F(sandbox, broker_poll)
{
	int nrs[] = { __NR_getppid, __NR_getpid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 3);
	struct redirect_request req;
	struct redirect_reply rep;
	struct pollfd pfd;
	struct target t;
	__u32 id = 0;
	char c;
	int fd, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		for (i = 0; i < 50; i++)
			EXPECT_EQ(3, syscall(SYS_getppid));
		target_report(&t, "1", 1);
		target_cmd(&t);
		EXPECT_EQ(FWD_VAL(9), syscall(SYS_getpid, 9));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("readable with no sandbox");
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("readable after attach");
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(0, target_read(&t, &c, 1, 10000));
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("readable after fast-pathed calls");

	ASSERT_EQ(0, target_send(&t, 'f'));
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, 10000)) TH_LOG("not readable with a forwarded call waiting");
	EXPECT_TRUE(pfd.revents & POLLIN);
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 1000));
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("readable after the request was fetched");
	rep = reply_send(&req, FWD_VAL(9), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	EXPECT_TARGET_OK(&t, 10000);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

static void noop_handler(int sig)
{
}

struct kick {
	pthread_t target;
	int delay_ms;
};

static void *kick_thread(void *p)
{
	struct kick *k = p;

	sleep_ms(k->delay_ms);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

TEST_F(sandbox, broker_errors)
{
	int nrs[] = { __NR_getpid };
	struct redirect_request req[4];
	struct redirect_reply rep[4], one;
	struct redirect_broker b;
	struct sigaction sa = { .sa_handler = noop_handler };
	struct target t, t2;
	struct kick k;
	pthread_t kt;
	__u32 id = 0, id2 = 0, n = 0, done = 0;
	int fd, fd2, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	OPEN_SESSION(fd2, RDR_FEATURES_IOCTL);

	/* The call itself. */
	memset(&b, 0, sizeof(b));
	b.requests = (uintptr_t)req;
	b.flags = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_BROKER, &b));
	EXPECT_EQ(EINVAL, errno) TH_LOG("flags");
	b.flags = 0;
	b.pad = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_BROKER, &b));
	EXPECT_EQ(EINVAL, errno) TH_LOG("pad");
	b.pad = 0;
	b.max_requests = REDIRECT_BATCH_MAX + 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_BROKER, &b));
	EXPECT_EQ(EINVAL, errno) TH_LOG("max_requests");
	b.max_requests = 0;
	b.nr_replies = REDIRECT_BATCH_MAX + 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_BROKER, &b));
	EXPECT_EQ(EINVAL, errno) TH_LOG("nr_replies");
	b.nr_replies = 1;
	b.replies = 8;	/* unreadable */
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_BROKER, &b));
	EXPECT_EQ(EFAULT, errno) TH_LOG("replies pointer");
	EXPECT_EQ(0, rdr_broker(fd, NULL, 0, req, 0, 0, NULL, &n)) TH_LOG("empty call");

	/* EINTR: a signal while waiting with nothing fetched. */
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	k = (struct kick){ pthread_self(), 200 };
	ASSERT_EQ(0, pthread_create(&kt, NULL, kick_thread, &k));
	EXPECT_EQ(-EINTR, rdr_broker(fd, NULL, 0, req, 4, -1, NULL, &n));
	pthread_join(kt, NULL);

	/* Replies: a bad one fails alone and the batch goes on. */
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		batch_round(_metadata, 2, 10);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	pid = target_fork(&t2, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(FWD_VAL(20), syscall(SYS_getpid, 20));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd2, &t2, id2);
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(0, target_go(&t2));
	ASSERT_TRUE(wait_threads_in_syscall(t.pid, __NR_getpid, 2, 20000));
	memset(req, 0, sizeof(req));
	ASSERT_EQ(0, rdr_broker(fd, NULL, 0, req, 4, 2000, NULL, &n));
	ASSERT_EQ(2, n);

	rep[0] = reply_send(&req[0], FWD_VAL(req[0].notif.data.args[0]), 0, 0);
	rep[1] = reply_send(&req[1], 0, 0, 0);
	rep[1].kind = 0;
	rep[2] = reply_send(&req[1], 0, 0, 0);
	rep[2].kind = 99;
	rep[3] = reply_send(&req[1], FWD_VAL(req[1].notif.data.args[0]), 0, 0);
	for (i = 0; i < 4; i++)
		rep[i].result = 0x5a5a;
	EXPECT_EQ(0, rdr_broker(fd, rep, 4, NULL, 0, 0, &done, NULL));
	EXPECT_EQ(4, done);
	EXPECT_EQ(0, rep[0].result);
	EXPECT_EQ(-EINVAL, rep[1].result);
	EXPECT_EQ(-EINVAL, rep[2].result);
	EXPECT_EQ(0, rep[3].result);
	EXPECT_TARGET_OK(&t, 10000);

	/* Sandboxes: unknown, another session's; ids: not held. */
	ASSERT_EQ(1, rdr_fetch_one(fd2, &req[0], 10000));
	one = reply_send(&req[0], FWD_VAL(20), 0, 0);
	one.sandbox_id = 0x7ffffff0;
	EXPECT_EQ(-ESRCH, rdr_reply_one(fd, &one)) TH_LOG("unknown sandbox");
	one.sandbox_id = id2;
	EXPECT_EQ(-EPERM, rdr_reply_one(fd, &one)) TH_LOG("another session's sandbox");
	one = reply_send(&req[0], FWD_VAL(20), 0, 0);
	one.resp.id += 1000;
	EXPECT_EQ(-ENOENT, rdr_reply_one(fd2, &one)) TH_LOG("id not held");
	one = reply_send(&req[0], FWD_VAL(20), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd2, &one));
	EXPECT_TARGET_OK(&t2, 10000);
}

/* ---- custody ------------------------------------------------------------------ */

TEST_F(sandbox, custody_replay_after_close)
{
	int nrs[] = { __NR_getpid };
	struct redirect_request req, again;
	struct redirect_reply rep;
	struct pollfd pfd;
	struct target t;
	__u32 id = 0, n = 9;
	int a, b;
	pid_t pid;

	OPEN_SESSION(a, RDR_FEATURES_IOCTL);
	OPEN_SESSION(b, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(4711, syscall(SYS_getpid, 0xabc));
		EXPECT_EQ(FWD_VAL(0xdef), syscall(SYS_getpid, 0xdef));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(a, &t, id);
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(1, rdr_fetch_one(a, &req, 10000));
	EXPECT_EQ(0, req.flags);
	EXPECT_EQ(0xabc, req.notif.data.args[0]);

	/* Sentry A goes away without answering. */
	close(a);
	EXPECT_EQ(0, rdr_broker(b, NULL, 0, &again, 1, 0, NULL, &n));
	EXPECT_EQ(0, n) TH_LOG("B got a request of a sandbox it does not own");
	EXPECT_FALSE(target_exited(&t, 200));

	ASSERT_EQ(0, rdr_adopt(b, id));
	pfd = (struct pollfd){ .fd = b, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 5000)) TH_LOG("adopter not readable with a replay waiting");
	ASSERT_EQ(1, rdr_fetch_one(b, &again, 5000));
	EXPECT_EQ(id, again.sandbox_id);
	EXPECT_EQ(REDIRECT_REQUEST_REPLAYED, again.flags);
	EXPECT_EQ(req.notif.id, again.notif.id);
	EXPECT_EQ(req.notif.pid, again.notif.pid);
	EXPECT_EQ(0, memcmp(&req.notif.data, &again.notif.data, sizeof(req.notif.data)));
	rep = reply_send(&again, 4711, 0, 0);
	EXPECT_EQ(0, rdr_reply_one(b, &rep));

	/* Later requests are fresh ones. */
	ASSERT_EQ(1, rdr_fetch_one(b, &req, 10000));
	EXPECT_EQ(0, req.flags);
	EXPECT_EQ(0xdef, req.notif.data.args[0]);
	rep = reply_send(&req, FWD_VAL(0xdef), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(b, &rep));
	EXPECT_TARGET_OK(&t, 10000);
}

TEST_F(sandbox, custody_kill_mode)
{
	int nrs[] = { __NR_getpid };
	struct target t;
	__u32 id = 0;
	int fd, st;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		syscall(SYS_getpid, 1);	/* forwarded, never answered */
		_exit(3);
	}
	START_TARGET(pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, KILL, 0, "kill-mode", &id));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_TRUE(wait_threads_in_syscall(pid, __NR_getpid, 1, 10000));
	EXPECT_FALSE(target_exited(&t, 300)) TH_LOG("died while its owner lives");
	close(fd);
	st = target_wait(&t, 5000);
	EXPECT_TRUE(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("after the owner closed: %s", status_str(st));
}

TEST_F_TIMEOUT(sandbox, custody_hold_timeout, 60)
{
	int nrs[] = { __NR_getpid };
	const int timeout_ms = 1000;
	struct redirect_request req;
	struct redirect_reply rep;
	struct target t;
	long long t0, dead_after;
	__u32 id = 0;
	int fd, fd2, st;
	pid_t pid;

	/* Nobody adopts: killed after the timeout, not before. */
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		syscall(SYS_getpid, 1);
		_exit(3);
	}
	START_TARGET(pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, HOLD, timeout_ms, "hold", &id));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_TRUE(wait_threads_in_syscall(pid, __NR_getpid, 1, 10000));
	t0 = now_ms();
	close(fd);
	EXPECT_FALSE(target_exited(&t, timeout_ms / 2)) TH_LOG("killed before the timeout");
	EXPECT_TRUE(target_exited(&t, timeout_ms + 10000)) TH_LOG("not killed after the timeout");
	dead_after = now_ms() - t0;
	EXPECT_LE(timeout_ms, dead_after);
	st = target_wait(&t, 1000);
	EXPECT_TRUE(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) TH_LOG("%s",
										 status_str(st));
	target_close(&t);

	/* Adopted before the timeout: the timeout is cancelled. */
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	OPEN_SESSION(fd2, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(FWD_VAL(2), syscall(SYS_getpid, 2));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ASSERT_EQ(0, rdr_attach(fd, t.listener, t.pidfd, HOLD, timeout_ms, "hold2", &id));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_TRUE(wait_threads_in_syscall(pid, __NR_getpid, 1, 10000));
	close(fd);
	sleep_ms(timeout_ms / 4);
	ASSERT_EQ(0, rdr_adopt(fd2, id));
	EXPECT_FALSE(target_exited(&t, 3 * timeout_ms)) TH_LOG("killed although adopted");
	ASSERT_EQ(1, rdr_fetch_one(fd2, &req, 5000));
	rep = reply_send(&req, FWD_VAL(2), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd2, &rep));
	EXPECT_TARGET_OK(&t, 10000);
}

TEST_F(sandbox, adopt_errors)
{
	int nrs[] = { __NR_getpid };
	struct redirect_adopt ad;
	struct target t;
	__u32 id = 0;
	int a, b, c;
	pid_t pid;

	OPEN_SESSION(a, RDR_FEATURES_IOCTL);
	OPEN_SESSION(b, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);	/* go received: done */
	}
	START_TARGET(pid);
	ATTACH(a, &t, id);

	EXPECT_EQ(-ENOENT, rdr_adopt(b, 0));
	EXPECT_EQ(-ENOENT, rdr_adopt(b, 0x7ffffff0));
	EXPECT_EQ(-EBUSY, rdr_adopt(b, id)) TH_LOG("owned by another session");
	EXPECT_EQ(0, rdr_adopt(a, id)) TH_LOG("adopting one's own sandbox");
	ad = (struct redirect_adopt){ .sandbox_id = id, .flags = 1 };
	errno = 0;
	EXPECT_EQ(-1, ioctl(a, REDIRECT_IOC_ADOPT, &ad));
	EXPECT_EQ(EINVAL, errno) TH_LOG("flags");

	/* In custody: the first adopter wins, the second is refused. */
	close(a);
	OPEN_SESSION(c, RDR_FEATURES_IOCTL);
	EXPECT_EQ(0, rdr_adopt(b, id));
	EXPECT_EQ(-EBUSY, rdr_adopt(c, id));
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 5000);
}

TEST_F(sandbox, sandbox_ends_on_hup)
{
	int nrs[] = { __NR_getpid };
	struct target t;
	long long end;
	__u32 id = 0;
	int a, b, ret;
	pid_t pid;

	OPEN_SESSION(a, RDR_FEATURES_IOCTL);
	OPEN_SESSION(b, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);	/* go received: done */
	}
	START_TARGET(pid);
	ATTACH(a, &t, id);
	EXPECT_EQ(-EBUSY, rdr_adopt(b, id));
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 5000);

	/* The last task using the filter is gone: within a second the id is unknown. */
	end = now_ms() + 1000;
	do {
		ret = rdr_adopt(b, id);
		if (ret == -ENOENT)
			break;
		sleep_ms(20);
	} while (now_ms() < end);
	EXPECT_EQ(-ENOENT, ret);
	/* And the listener we still hold cannot be attached again. */
	EXPECT_EQ(-EPIPE, rdr_attach(b, t.listener, -1, HOLD, 0, "again", NULL));
}

/* ---- more edges: pending before attach, compat calls, limits, lifetimes --------- */

TEST_F(sandbox, attach_picks_up_pending_calls)
{
	int nrs[] = { __NR_getpid };
	struct redirect_request req;
	struct redirect_reply rep;
	struct pollfd pfd;
	struct target t;
	__u32 id = 0, n = 0;
	int fd, got;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		batch_round(_metadata, 3, 50);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	/* The calls wait in seccomp before the module sees the listener. */
	ASSERT_EQ(0, target_go(&t));
	ASSERT_TRUE(wait_threads_in_syscall(pid, __NR_getpid, 3, 20000));
	ATTACH(fd, &t, id);

	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 2000)) TH_LOG("not readable with 3 calls pending");
	memset(&req, 0, sizeof(req));
	ASSERT_EQ(0, rdr_broker(fd, NULL, 0, &req, 1, 2000, NULL, &n));
	ASSERT_EQ(1, n);
	rep = reply_send(&req, FWD_VAL(req.notif.data.args[0]), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	/* Two are still waiting: the session must say so. */
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, 2000)) TH_LOG("not readable with 2 calls still pending");
	for (got = 0; got < 2; got++) {
		ASSERT_EQ(1, rdr_fetch_one(fd, &req, 5000)) TH_LOG("pending call %d lost", got + 2);
		rep = reply_send(&req, FWD_VAL(req.notif.data.args[0]), 0, 0);
		EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	}
	EXPECT_TARGET_OK(&t, 10000);
}

static long int80(long nr)
{
	long ret;

	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "a"(nr), "b"(0), "c"(0), "d"(0), "S"(0), "D"(0)
		     : "memory", "cc", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15");
	return ret;
}

#define X32_BIT 0x40000000
#define I386_NR_getppid 64	/* __NR_semget on x86-64 */

static bool sentry_answer_compat(struct sentry *s, const struct redirect_request *req,
				 struct redirect_reply *rep)
{
	const struct seccomp_data *d = &req->notif.data;

	if (d->arch == AUDIT_ARCH_I386 && d->nr == I386_NR_getppid)
		*rep = reply_send(req, 4321, 0, 0);
	else if (d->arch == AUDIT_ARCH_X86_64 && d->nr == (X32_BIT | __NR_getppid))
		*rep = reply_send(req, 8765, 0, 0);
	else
		*rep = reply_send(req, FWD_VAL(d->args[0]), 0, 0);
	return true;
}

/* Only native x86-64 calls are evaluated: ia32 and x32 ones go to the Sentry. */
TEST_F(sandbox, fastpath_compat_calls_forwarded)
{
	int nrs[] = { __NR_getppid, X32_BIT | __NR_getppid };
	struct redirect_rule r[] = {
		rule_make(I386_NR_getppid, REDIRECT_VERDICT_VALUE, 1234),
		rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 5678),
	};
	struct sentry s;
	struct target t;
	__u32 id = 0;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	notify_i386_nr = I386_NR_getppid;
	pid = target_fork(&t, nrs, 2, 0);
	notify_i386_nr = -1;
	if (pid == 0) {
		EXPECT_EQ(5678, syscall(SYS_getppid));
		EXPECT_EQ(4321, int80(I386_NR_getppid)) TH_LOG("ia32 getppid");
		EXPECT_EQ(8765, syscall(X32_BIT | __NR_getppid)) TH_LOG("x32 getppid");
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, 2, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, sentry_answer_compat, NULL));
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 10000);
	sentry_stop(&s);
	EXPECT_EQ(2, s.requests);
	EXPECT_EQ(0, s.errors);
}

TEST_F(sandbox, fastpath_value_edges)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r[4];
	struct target t;
	__u32 id = 0;
	int fd;
	pid_t pid;

	/* Values just outside the errno range come back as they are. */
	r[0] = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, -4096);
	rule_arg(&r[0], 0, REDIRECT_CMP_EQ, ~0ULL, 0);
	r[1] = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, INT64_MIN);
	rule_arg(&r[1], 0, REDIRECT_CMP_EQ, ~0ULL, 1);
	r[2] = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, INT64_MAX);
	rule_arg(&r[2], 0, REDIRECT_CMP_EQ, ~0ULL, 2);
	r[3] = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, 4095);

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		errno = 0;
		EXPECT_EQ(-4096, syscall(SYS_getppid, 0));
		EXPECT_EQ(0, errno);
		EXPECT_EQ(INT64_MIN, syscall(SYS_getppid, 1));
		EXPECT_EQ(INT64_MAX, syscall(SYS_getppid, 2));
		EXPECT_EQ(-1, syscall(SYS_getppid, 3));
		EXPECT_EQ(4095, errno);
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, 4, NULL));
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 10000);
}

#define LIMIT_THREADS 8
#define LIMIT_CALLS 500
#define LIMIT 1000

static atomic_long limit_hits, limit_fwd, limit_wrong;

static void *limit_thread(void *p)
{
	long idx = (long)p, i;

	for (i = 0; i < LIMIT_CALLS; i++) {
		long tok = (idx << 16) | i;
		long r = syscall(SYS_getppid, tok);

		if (r == 7)
			atomic_fetch_add(&limit_hits, 1);
		else if (r == FWD_VAL(tok))
			atomic_fetch_add(&limit_fwd, 1);
		else
			atomic_fetch_add(&limit_wrong, 1);
	}
	return NULL;
}

/* limit N decides exactly N calls, whatever the concurrency. */
TEST_F_TIMEOUT(sandbox, fastpath_limit_concurrent, 300)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 7);
	long res[3];
	struct sentry s;
	struct target t;
	__u32 id = 0;
	int fd, i;
	pid_t pid;

	r.limit = LIMIT;
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		pthread_t thr[LIMIT_THREADS];

		for (i = 0; i < LIMIT_THREADS; i++)
			if (pthread_create(&thr[i], NULL, limit_thread, (void *)(long)i))
				_exit(4);
		for (i = 0; i < LIMIT_THREADS; i++)
			pthread_join(thr[i], NULL);
		res[0] = limit_hits;
		res[1] = limit_fwd;
		res[2] = limit_wrong;
		target_report(&t, res, sizeof(res));
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 250000));
	EXPECT_TARGET_OK(&t, 10000);
	sentry_stop(&s);
	EXPECT_EQ(LIMIT, res[0]);
	EXPECT_EQ(LIMIT_THREADS * LIMIT_CALLS - LIMIT, res[1]);
	EXPECT_EQ(0, res[2]);
	EXPECT_EQ(LIMIT_THREADS * LIMIT_CALLS - LIMIT, s.requests);
}

/* The sandbox lives while any task uses the filter, not only its first process. */
TEST_F(sandbox, sandbox_lives_while_any_task_uses_it)
{
	int nrs[] = { __NR_getppid, __NR_getpid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 42);
	struct redirect_request req;
	struct redirect_reply rep;
	struct target t;
	long long end;
	pid_t pid, gpid = 0;
	__u32 id = 0;
	int fd, fd2, st, ret;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	OPEN_SESSION(fd2, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		pid_t g = fork();

		if (g == 0) {
			target_cmd(&t);
			EXPECT_EQ(42, syscall(SYS_getppid));
			EXPECT_EQ(FWD_VAL(7), syscall(SYS_getpid, 7));
			TARGET_EXIT();
		}
		target_report(&t, &g, sizeof(g));
		_exit(g > 0 ? 0 : 5);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(0, target_read(&t, &gpid, sizeof(gpid), 10000));
	ASSERT_LT(0, gpid);
	if (nr_children < MAX_CHILDREN)
		children[nr_children++] = gpid;
	EXPECT_TARGET_OK(&t, 5000);

	/* The first process is gone, its child still uses the filter. */
	sleep_ms(500);
	EXPECT_EQ(-EBUSY, rdr_adopt(fd2, id)) TH_LOG("sandbox ended with a task left");
	ASSERT_EQ(0, target_send(&t, 'c'));
	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 10000));
	EXPECT_EQ(gpid, (pid_t)req.notif.pid);
	rep = reply_send(&req, FWD_VAL(7), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	ASSERT_EQ(gpid, waitpid(gpid, &st, 0));
	child_forget(gpid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("grandchild: %s",
								   status_str(st));
	end = now_ms() + 1000;
	do {
		ret = rdr_adopt(fd2, id);
		if (ret == -ENOENT)
			break;
		sleep_ms(20);
	} while (now_ms() < end);
	EXPECT_EQ(-ENOENT, ret) TH_LOG("sandbox outlived its last task");
}

struct waiter {
	int fd;
	int ret;
	__u32 n;
	struct redirect_request req;
	atomic_int done;
};

static void *broker_waiter(void *p)
{
	struct waiter *w = p;

	w->ret = rdr_broker(w->fd, NULL, 0, &w->req, 1, -1, NULL, &w->n);
	atomic_store(&w->done, 1);
	return NULL;
}

/* Join @thr within @ms; else interrupt its wait with SIGUSR1 and report false. */
static bool join_within(pthread_t thr, struct waiter *w, int ms)
{
	long long end = now_ms() + ms;

	while (!atomic_load(&w->done) && now_ms() < end)
		sleep_ms(10);
	if (!atomic_load(&w->done)) {
		while (!atomic_load(&w->done)) {
			pthread_kill(thr, SIGUSR1);
			sleep_ms(50);
		}
		pthread_join(thr, NULL);
		return false;
	}
	pthread_join(thr, NULL);
	return true;
}

TEST_F(sandbox, broker_wait_wakes)
{
	int nrs[] = { __NR_getpid };
	struct sigaction sa = { .sa_handler = noop_handler };
	struct redirect_request req;
	struct redirect_reply rep;
	struct waiter w = {};
	struct target t;
	pthread_t thr;
	__u32 id = 0;
	int a, b;
	pid_t pid;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	OPEN_SESSION(a, RDR_FEATURES_IOCTL);
	OPEN_SESSION(b, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(FWD_VAL(1), syscall(SYS_getpid, 1));
		EXPECT_EQ(FWD_VAL(2), syscall(SYS_getpid, 2));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(a, &t, id);

	/* A wait with no limit ends when a forwarded call arrives. */
	w.fd = a;
	ASSERT_EQ(0, pthread_create(&thr, NULL, broker_waiter, &w));
	sleep_ms(200);
	ASSERT_EQ(0, target_go(&t));
	EXPECT_TRUE(join_within(thr, &w, 10000)) TH_LOG("waiter not woken by a request");
	EXPECT_EQ(0, w.ret);
	ASSERT_EQ(1, w.n);
	req = w.req;

	/* A wait on a session without sandboxes ends when it adopts one. */
	close(a);
	memset(&w, 0, sizeof(w));
	w.fd = b;
	ASSERT_EQ(0, pthread_create(&thr, NULL, broker_waiter, &w));
	sleep_ms(200);
	ASSERT_EQ(0, rdr_adopt(b, id));
	EXPECT_TRUE(join_within(thr, &w, 10000)) TH_LOG("waiter not woken by the adoption");
	EXPECT_EQ(0, w.ret);
	ASSERT_EQ(1, w.n);
	EXPECT_EQ(req.notif.id, w.req.notif.id);
	EXPECT_EQ(REDIRECT_REQUEST_REPLAYED, w.req.flags);
	rep = reply_send(&w.req, FWD_VAL(1), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(b, &rep));
	ASSERT_EQ(1, rdr_fetch_one(b, &req, 10000));
	rep = reply_send(&req, FWD_VAL(2), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(b, &rep));
	EXPECT_TARGET_OK(&t, 10000);
}

/* A request the module could not write out is not lost. */
TEST_F(sandbox, broker_efault_keeps_request)
{
	int nrs[] = { __NR_getpid };
	long pg = sysconf(_SC_PAGESIZE);
	struct redirect_request req, *slot;
	struct redirect_reply rep;
	struct target t;
	__u32 id = 0, n = 0;
	char *p;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		EXPECT_EQ(FWD_VAL(5), syscall(SYS_getpid, 5));
		TARGET_EXIT();
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, target_go(&t));
	ASSERT_TRUE(wait_threads_in_syscall(pid, __NR_getpid, 1, 10000));

	EXPECT_EQ(-EFAULT, rdr_broker(fd, NULL, 0, (void *)8, 1, 0, NULL, &n));
	/* sandbox_id and flags unwritable, the notification itself writable. */
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p, pg, PROT_NONE));
	slot = (void *)(p + pg - offsetof(struct redirect_request, notif));
	EXPECT_EQ(-EFAULT, rdr_broker(fd, NULL, 0, slot, 1, 0, NULL, &n));

	ASSERT_EQ(1, rdr_fetch_one(fd, &req, 5000)) TH_LOG("request lost after EFAULT");
	EXPECT_EQ(5, req.notif.data.args[0]);
	EXPECT_EQ(id, req.sandbox_id);
	rep = reply_send(&req, FWD_VAL(5), 0, 0);
	EXPECT_EQ(0, rdr_reply_one(fd, &rep));
	EXPECT_TARGET_OK(&t, 10000);
}

/* ---- races ------------------------------------------------------------------- */

#define SWAP_THREADS 4

struct swap_state {
	struct __test_metadata *md;
	atomic_int stop;
	atomic_long a, b, wrong;
	atomic_long first_wrong;
};

static void *swap_thread(void *p)
{
	struct swap_state *s = p;

	while (!atomic_load(&s->stop)) {
		long r = sc_ret(syscall(SYS_getppid, 1));

		if (r == 1111)
			atomic_fetch_add(&s->a, 1);
		else if (r == -EBADFD)
			atomic_fetch_add(&s->b, 1);
		else if (atomic_fetch_add(&s->wrong, 1) == 0)
			atomic_store(&s->first_wrong, r);
	}
	return NULL;
}

TEST_F_TIMEOUT(sandbox, rules_swap_under_load, 300)
{
	int nrs[] = { __NR_getppid, __NR_umask };
	struct redirect_rule set_a[] = {
		rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 1111),
	};
	struct redirect_rule set_b[] = {
		rule_make(__NR_umask, REDIRECT_VERDICT_ERRNO, EPERM),
		rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, EBADFD),
		rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 2222),
	};
	long res[4];
	struct sentry s;
	struct target t;
	__u32 id = 0;
	int fd, i;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, 0);
	if (pid == 0) {
		static struct swap_state st;
		pthread_t thr[SWAP_THREADS];

		st.md = _metadata;
		for (i = 0; i < SWAP_THREADS; i++)
			if (pthread_create(&thr[i], NULL, swap_thread, &st))
				_exit(4);
		target_cmd(&t);
		atomic_store(&st.stop, 1);
		for (i = 0; i < SWAP_THREADS; i++)
			pthread_join(thr[i], NULL);
		res[0] = st.a;
		res[1] = st.b;
		res[2] = st.wrong;
		res[3] = st.first_wrong;
		target_report(&t, res, sizeof(res));
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, set_a, 1, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	ASSERT_EQ(0, target_go(&t));
	for (i = 0; i < 1000; i++) {
		if (i & 1) {
			ASSERT_EQ(0, rdr_set_rules(fd, id, set_a, ARRAY_SIZE(set_a), NULL));
		} else {
			ASSERT_EQ(0, rdr_set_rules(fd, id, set_b, ARRAY_SIZE(set_b), NULL));
		}
		if (i % 50 == 0)
			sched_yield();
	}
	ASSERT_EQ(0, target_send(&t, 's'));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 60000));
	EXPECT_TARGET_OK(&t, 10000);
	sentry_stop(&s);
	TH_LOG("verdict A %ld times, verdict B %ld times", res[0], res[1]);
	EXPECT_EQ(0, res[2]) TH_LOG("%ld wrong answers, first %ld", res[2], res[3]);
	EXPECT_EQ(0, s.requests) TH_LOG("fast-pathed calls reached the Sentry");
	EXPECT_LT(0, res[0]);
	EXPECT_LT(0, res[1]);
}

struct sig_state {
	atomic_int done;
	atomic_long handled;
	atomic_long calls, wrong, eintr;
	atomic_long first_wrong;
	atomic_int tid;
	long iters, min_handled;
};

static struct sig_state sigst;

static void count_handler(int sig)
{
	atomic_fetch_add(&sigst.handled, 1);
}

/*
 * Calls until both @iters calls were made and @min_handled signals were
 * handled (signals coalesce, so how many land varies a lot), or 60 s passed.
 */
static void *sig_caller(void *p)
{
	long long deadline = now_ms() + 60000;
	long i;

	sigst.tid = gettid();
	for (i = 0; i < sigst.iters ||
		    (atomic_load(&sigst.handled) < sigst.min_handled && now_ms() < deadline); i++) {
		long r = sc_ret(syscall(SYS_getppid, i));

		atomic_fetch_add(&sigst.calls, 1);
		if (r == 4321)
			continue;
		if (r == -EINTR || r == -512 || r == -513 || r == -514 || r == -516)
			atomic_fetch_add(&sigst.eintr, 1);
		if (atomic_fetch_add(&sigst.wrong, 1) == 0)
			atomic_store(&sigst.first_wrong, r);
	}
	atomic_store(&sigst.done, 1);
	return NULL;
}

static void signals_run(struct __test_metadata *_metadata, int sa_flags)
{
	int nrs[] = { __NR_getppid };
	struct redirect_rule r = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 4321);
	long res[5];
	struct sentry s;
	struct target t;
	__u32 id = 0;
	int fd;
	pid_t pid;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = count_handler, .sa_flags = sa_flags };
		pthread_t thr;
		pid_t me = getpid();	/* not trapped */

		sigst.iters = env_long("REDIRECT_SIGNAL_ITERS", 5000);
		sigst.min_handled = sigst.iters / 5;
		sigaction(SIGUSR1, &sa, NULL);
		if (pthread_create(&thr, NULL, sig_caller, NULL))
			_exit(4);
		while (!sigst.tid)
			sched_yield();
		while (!atomic_load(&sigst.done))
			syscall(SYS_tgkill, me, sigst.tid, SIGUSR1);
		pthread_join(thr, NULL);
		res[0] = sigst.calls;
		res[1] = sigst.wrong;
		res[2] = sigst.eintr;
		res[3] = sigst.first_wrong;
		res[4] = sigst.handled;
		target_report(&t, res, sizeof(res));
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, &r, 1, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 200000));
	EXPECT_TARGET_OK(&t, 10000);
	sentry_stop(&s);
	TH_LOG("%ld calls, %ld signals handled", res[0], res[4]);
	EXPECT_EQ(0, res[1]) TH_LOG("%ld wrong answers (%ld EINTR/ERESTART*), first %ld",
				    res[1], res[2], res[3]);
	EXPECT_LT(100, res[4]) TH_LOG("too few signals handled: the test tested little");
	EXPECT_EQ(0, s.requests) TH_LOG("fast-pathed calls reached the Sentry");
}

TEST_F_TIMEOUT(sandbox, signals_during_fastpath_restart, 300)
{
	signals_run(_metadata, SA_RESTART);
}

TEST_F_TIMEOUT(sandbox, signals_during_fastpath_norestart, 300)
{
	signals_run(_metadata, 0);
}

#define STRESS_THREADS 8

struct stress_state {
	long iters;
	atomic_long calls, wrong;
	atomic_long first_wrong, first_want, first_tok;
};

static struct stress_state stress;

static void stress_wrong(long got, long want, long tok)
{
	if (atomic_fetch_add(&stress.wrong, 1) == 0) {
		stress.first_wrong = got;
		stress.first_want = want;
		stress.first_tok = tok;
	}
}

static void *stress_thread(void *p)
{
	long idx = (long)p, i;

	for (i = 0; i < stress.iters; i++) {
		long tok = (idx << 24) | (i & 0xffffff);
		long want = (i & 1) ? -EBADFD : 5555;
		long r = sc_ret(syscall(SYS_getppid, tok));

		if (r != want)
			stress_wrong(r, want, tok);
		want = FWD_VAL(tok);
		r = sc_ret(syscall(SYS_getpid, tok));
		if (r != want)
			stress_wrong(r, want, tok);
		atomic_fetch_add(&stress.calls, 2);
	}
	return NULL;
}

/* Can this kernel install a listener filter with @flag? */
static bool filter_flag_supported(unsigned int flag)
{
	int nrs[] = { __NR_getppid };
	int st = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(install_notify_filter(nrs, 1, flag) < 0);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void stress_run(struct __test_metadata *_metadata, unsigned int flags)
{
	int nrs[] = { __NR_getppid, __NR_getpid };
	struct redirect_rule r[2];
	long res[5], want_calls;
	struct sentry s;
	struct target t;
	long long t0;
	__u32 id = 0;
	int fd, i;
	pid_t pid;

	if (flags && !filter_flag_supported(flags))
		SKIP(return, "seccomp filter flag %#x not supported", flags);
	r[0] = rule_make(__NR_getppid, REDIRECT_VERDICT_ERRNO, EBADFD);
	rule_arg(&r[0], 0, REDIRECT_CMP_EQ, 1, 1);
	r[1] = rule_make(__NR_getppid, REDIRECT_VERDICT_VALUE, 5555);
	stress.iters = env_long("REDIRECT_STRESS_ITERS", 6250);
	want_calls = stress.iters * STRESS_THREADS * 2;

	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	pid = target_fork(&t, nrs, 2, flags);
	if (pid == 0) {
		pthread_t thr[STRESS_THREADS];

		for (i = 0; i < STRESS_THREADS; i++)
			if (pthread_create(&thr[i], NULL, stress_thread, (void *)(long)i))
				_exit(4);
		for (i = 0; i < STRESS_THREADS; i++)
			pthread_join(thr[i], NULL);
		res[0] = stress.calls;
		res[1] = stress.wrong;
		res[2] = stress.first_wrong;
		res[3] = stress.first_want;
		res[4] = stress.first_tok;
		target_report(&t, res, sizeof(res));
		_exit(0);
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	ASSERT_EQ(0, rdr_set_rules(fd, id, r, 2, NULL));
	ASSERT_EQ(0, sentry_start(&s, fd, NULL, NULL));
	t0 = now_ms();
	ASSERT_EQ(0, target_go(&t));
	ASSERT_EQ(0, target_read(&t, res, sizeof(res), 1000 * 1000))
		TH_LOG("target did not finish: %lu requests answered so far",
		       atomic_load(&s.requests));
	EXPECT_TARGET_OK(&t, 10000);
	sentry_stop(&s);
	TH_LOG("%ld calls in %lld ms; the Sentry answered %lu", res[0], now_ms() - t0,
	       atomic_load(&s.requests));
	EXPECT_EQ(want_calls, res[0]);
	EXPECT_EQ(0, res[1]) TH_LOG("%ld wrong answers; first: token %#lx got %ld want %ld",
				    res[1], res[4], res[2], res[3]);
	EXPECT_EQ(0, s.per_nr[__NR_getppid]) TH_LOG("fast-pathed calls handed to the Sentry");
	EXPECT_EQ(want_calls / 2, s.per_nr[__NR_getpid]);
	EXPECT_EQ(0, s.errors) TH_LOG("sentry error %d", s.last_error);
}

TEST_F_TIMEOUT(sandbox, race_stress, 900)
{
	stress_run(_metadata, 0);
}

TEST_F_TIMEOUT(sandbox, race_stress_wait_killable, 900)
{
	stress_run(_metadata, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
}

/* ---- module lifetime (last: it unloads and reloads the module) ------------------ */

static int wait_device(bool present, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	do {
		if ((access(REDIRECT_DEVICE, F_OK) == 0) == present)
			return 0;
		sleep_ms(20);
	} while (now_ms() < end);
	return -1;
}

TEST_F_TIMEOUT(sandbox, sandbox_unload_refused, 60)
{
	int nrs[] = { __NR_getpid };
	const char *ko = getenv("REDIRECT_KO");
	struct target t;
	long long end;
	__u32 id = 0;
	int fd, kofd, ret;
	pid_t pid;

	if (!ko || !*ko)
		SKIP(return, "REDIRECT_KO (path of redirect.ko) not set: would not reload");
	OPEN_SESSION(fd, RDR_FEATURES_IOCTL);
	kofd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, kofd) TH_LOG("%s: %s", ko, strerror(errno));
	pid = target_fork(&t, nrs, 1, 0);
	if (pid == 0) {
		_exit(0);	/* go received: done */
	}
	START_TARGET(pid);
	ATTACH(fd, &t, id);
	/* The sandbox alone (in custody) must pin the module. */
	close(fd);
	errno = 0;
	EXPECT_EQ(-1, syscall(__NR_delete_module, "redirect", O_NONBLOCK))
		TH_LOG("module unloaded under an attached sandbox");
	EXPECT_EQ(EWOULDBLOCK, errno) TH_LOG("%s", strerror(errno));
	if (errno == 0) {
		/* Unloaded: put it back so that the rest of the suite can run. */
		syscall(__NR_finit_module, kofd, "", 0);
		return;
	}

	ASSERT_EQ(0, target_go(&t));
	EXPECT_TARGET_OK(&t, 5000);
	end = now_ms() + 3000;
	do {
		ret = syscall(__NR_delete_module, "redirect", O_NONBLOCK) ? -errno : 0;
		if (!ret)
			break;
		sleep_ms(50);
	} while (now_ms() < end);
	EXPECT_EQ(0, ret) TH_LOG("module still busy after its last sandbox ended: %s",
				 strerror(-ret));
	if (!ret) {
		EXPECT_EQ(0, wait_device(false, 5000));
		ASSERT_EQ(0, syscall(__NR_finit_module, kofd, "", 0))
			TH_LOG("reload %s: %s", ko, strerror(errno));
		EXPECT_EQ(0, wait_device(true, 5000));
	}
}

TEST_HARNESS_MAIN
