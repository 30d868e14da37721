// SPDX-License-Identifier: GPL-2.0
/* Docker's default seccomp profile loads unchanged as tier 0 and answers like Docker, call by call. */
#include <linux/sched.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "helpers.h"
#include "kselftest_harness.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* Docker's answer for a call, under a given capability set. */
enum want { ALLOWED, DENIED_EPERM, DENIED_ENOSYS };

struct call {
	const char *what;
	long (*fn)(void);
	enum want docker;		/* Docker's default capabilities */
	enum want docker_sys_admin;	/* the same plus CAP_SYS_ADMIN */
};

static long c_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, NULL); }	/* bad magic */
static long c_keyctl(void) { return syscall(SYS_keyctl, 0x7fff, 0, 0, 0, 0); }
static long c_add_key(void) { return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0); }
static long c_getpid(void) { return syscall(SYS_getpid) > 0 ? 0 : -1; }
static long c_clone_plain(void)
{
	long r = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);

	if (r == 0)
		_exit(0);
	return r > 0 ? 0 : r;
}
static long c_clone_newuser(void)
{
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0);

	if (r == 0)
		_exit(0);
	return r > 0 ? 0 : r;
}
static long c_clone3(void) { return syscall(SYS_clone3, NULL, 0); }
static long c_personality_query(void) { return syscall(SYS_personality, 0xffffffffUL) < 0 ? -1 : 0; }
static long c_personality_linux32(void) { return syscall(SYS_personality, PER_LINUX32) < 0 ? -1 : 0; }
static long c_personality_rie(void) { return syscall(SYS_personality, READ_IMPLIES_EXEC); }
static long c_socket_vsock(void)
{
	long r = syscall(SYS_socket, AF_VSOCK, SOCK_STREAM, 0);

	return r >= 0 ? 0 : r;
}
static long c_socket_inet(void)
{
	long r = syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);

	return r >= 0 ? 0 : r;
}
static long c_unshare_ns(void) { return syscall(SYS_unshare, CLONE_NEWNS); }
static long c_mount(void) { return syscall(SYS_mount, "none", "/nonexistent", "tmpfs", 0, NULL); }
static long c_chroot(void) { return syscall(SYS_chroot, "/nonexistent/dir"); }
static long c_ptrace(void) { return syscall(SYS_ptrace, 0x4242, 0, NULL, NULL); }
static long c_arch_prctl(void) { return syscall(SYS_arch_prctl, 0x9999, 0); }
static long c_bpf(void) { return syscall(SYS_bpf, -1, NULL, 0); }
static long c_acct(void) { return syscall(SYS_acct, "/nonexistent/acct"); }
static long c_kcmp(void) { return syscall(SYS_kcmp, 0, 0, 99, 0, 0); }
static long c_setns(void) { return syscall(SYS_setns, -1, 0); }

static const struct call calls[] = {
	{ "reboot", c_reboot, DENIED_EPERM, DENIED_EPERM },
	{ "keyctl", c_keyctl, DENIED_EPERM, DENIED_EPERM },
	{ "add_key", c_add_key, DENIED_EPERM, DENIED_EPERM },
	{ "getpid", c_getpid, ALLOWED, ALLOWED },
	{ "clone(SIGCHLD)", c_clone_plain, ALLOWED, ALLOWED },
	{ "clone(CLONE_NEWUSER)", c_clone_newuser, DENIED_EPERM, ALLOWED },
	{ "clone3", c_clone3, DENIED_ENOSYS, ALLOWED },
	{ "personality(0xffffffff)", c_personality_query, ALLOWED, ALLOWED },
	{ "personality(PER_LINUX32)", c_personality_linux32, ALLOWED, ALLOWED },
	{ "personality(READ_IMPLIES_EXEC)", c_personality_rie, DENIED_EPERM, DENIED_EPERM },
	{ "socket(AF_VSOCK)", c_socket_vsock, ALLOWED, ALLOWED },
	{ "socket(AF_INET)", c_socket_inet, ALLOWED, ALLOWED },
	{ "unshare(CLONE_NEWNS)", c_unshare_ns, DENIED_EPERM, ALLOWED },
	{ "mount", c_mount, DENIED_EPERM, ALLOWED },
	{ "chroot", c_chroot, ALLOWED, ALLOWED },	/* CAP_SYS_CHROOT is a default */
	{ "ptrace (minKernel 4.8)", c_ptrace, ALLOWED, ALLOWED },
	{ "arch_prctl (amd64)", c_arch_prctl, ALLOWED, ALLOWED },
	{ "bpf", c_bpf, DENIED_EPERM, ALLOWED },
	{ "acct", c_acct, DENIED_EPERM, DENIED_EPERM },
	{ "kcmp", c_kcmp, DENIED_EPERM, DENIED_EPERM },
	{ "setns", c_setns, DENIED_EPERM, ALLOWED },
};

struct outcome {
	long ret;
	int err;
};

/* Run fn in a child, under filter when not NULL. */
static struct outcome run(const struct redirect_filter *filter, long (*fn)(void))
{
	struct outcome o = { -999, -999 };
	int pfd[2];
	pid_t pid;

	if (pipe(pfd) < 0)
		return o;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct outcome r;

		close(pfd[0]);
		if (filter && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			       redirect_filter_load(filter, NULL, NULL) < 0))
			_exit(100);
		errno = 0;
		r.ret = fn();
		r.err = r.ret < 0 ? errno : 0;
		if (write(pfd[1], &r, sizeof(r)) != sizeof(r))
			_exit(101);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &o, sizeof(o)) != sizeof(o))
		o.ret = -998;
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return o;
}

FIXTURE(docker) {
	struct redirect_policy *p;
};

FIXTURE_SETUP(docker)
{
	char script[PATH_MAX], out[PATH_MAX + 256], *nl;
	char *argv[] = { script, NULL };
	struct redirect_error *e = NULL;
	int status;

	src_path(script, sizeof(script), "selftests/portable/docker-profile.sh");
	status = run_capture(argv, out, sizeof(out));
	if (status != 0) {
		TH_LOG("%s", out);
		SKIP(return, "Docker's profile could not be fetched (%d)", status);
	}
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	ASSERT_EQ(0, redirect_policy_load_file(out, &self->p, &e)) TH_LOG("%s", e->msg);
	EXPECT_STREQ("default", redirect_policy_name(self->p));
	EXPECT_EQ(0, redirect_policy_notify_count(self->p));
}

FIXTURE_TEARDOWN(docker)
{
	redirect_policy_free(self->p);
}

static void check_table(struct __test_metadata *_metadata, struct redirect_policy *p,
			bool sys_admin)
{
	const char *caps[32];
	struct redirect_filter *f = NULL;
	struct redirect_error *e = NULL;
	size_t n, i;

	for (n = 0; redirect_docker_default_caps[n]; n++)
		caps[n] = redirect_docker_default_caps[n];
	if (sys_admin)
		caps[n++] = "CAP_SYS_ADMIN";
	ASSERT_EQ(0, redirect_policy_set_capabilities(p, caps, n, &e));
	ASSERT_EQ(0, redirect_filter_compile(p, 0, &f, &e)) TH_LOG("%s", e->msg);
	EXPECT_FALSE(redirect_filter_notifies(f));
	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		enum want w = sys_admin ? calls[i].docker_sys_admin : calls[i].docker;
		struct outcome got = run(f, calls[i].fn);

		if (w == ALLOWED) {
			/* whatever the kernel itself answers without a filter */
			struct outcome free_run = run(NULL, calls[i].fn);

			EXPECT_EQ(free_run.ret, got.ret) TH_LOG("%s", calls[i].what);
			EXPECT_EQ(free_run.err, got.err) TH_LOG("%s: errno %d, unfiltered %d",
								calls[i].what, got.err,
								free_run.err);
		} else {
			EXPECT_EQ(-1, got.ret) TH_LOG("%s", calls[i].what);
			EXPECT_EQ(w == DENIED_EPERM ? EPERM : ENOSYS, got.err)
				TH_LOG("%s: errno %d", calls[i].what, got.err);
		}
	}
	redirect_filter_free(f);
}

TEST_F(docker, answers_like_docker_with_default_caps)
{
	check_table(_metadata, self->p, false);
}

TEST_F(docker, answers_like_docker_with_cap_sys_admin)
{
	check_table(_metadata, self->p, true);
}

TEST_F(docker, empty_capability_set_denies_chroot)
{
	struct redirect_filter *f = NULL;
	struct outcome o;

	ASSERT_EQ(0, redirect_policy_set_capabilities(self->p, NULL, 0, NULL));
	ASSERT_EQ(0, redirect_filter_compile(self->p, 0, &f, NULL));
	o = run(f, c_chroot);
	EXPECT_EQ(-1, o.ret);
	EXPECT_EQ(EPERM, o.err);
	redirect_filter_free(f);
}

TEST_F(docker, oci_section_of_the_profile_reloads)
{
	struct redirect_oci_config *c = NULL;
	struct redirect_error *e = NULL;
	char *json = NULL, *config = NULL;

	ASSERT_EQ(0, redirect_policy_set_capabilities(self->p, redirect_docker_default_caps, 14,
						      NULL));
	ASSERT_EQ(0, redirect_oci_seccomp_json(self->p, NULL, &json, &e));
	/* includes evaluated: chroot present (CAP_SYS_CHROOT), reboot absent */
	EXPECT_NE(NULL, strstr(json, "\"chroot\""));
	EXPECT_EQ(NULL, strstr(json, "\"reboot\""));
	ASSERT_LT(0, asprintf(&config, "{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":%s}}",
			      json));
	ASSERT_EQ(0, redirect_oci_config_read(config, strlen(config), NULL, &c, &e))
		TH_LOG("%s", e->msg);
	redirect_oci_config_free(c);
	free(config);
	free(json);
}

TEST_HARNESS_MAIN
