/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the portable-mode selftests: sandboxed children, fds, temp dirs, commands. */
#ifndef REDIRECT_SELFTESTS_HELPERS_H
#define REDIRECT_SELFTESTS_HELPERS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libredirect.h"

/* A policy from JSON text named @origin; NULL on error (in *@err when given). */
static inline struct redirect_policy *policy_from_json(const char *json, const char *origin,
						       struct redirect_error **err)
{
	struct redirect_policy *p = NULL;

	if (redirect_policy_load_buffer(json, strlen(json), origin, &p, err) < 0)
		return NULL;
	return p;
}

/* Does @p's tier-0 filter notify the call @name? */
static inline bool policy_notifies(const struct redirect_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < redirect_policy_notify_count(p); i++)
		if (!strcmp(redirect_policy_notify_name(p, i), name))
			return true;
	return false;
}

static inline bool fd_is_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

static inline int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static inline int count_fds_of(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static inline long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static inline int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -errno;
}

/* Whole file into a malloc()ed NUL-terminated buffer, or NULL. */
static inline char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = (len + 4096 + 1) * 2);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static inline void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* A private temporary directory under $TMPDIR (or /tmp). */
static inline int make_temp_dir(char *buf, size_t size)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, size, "%s/redirect-test.XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(buf) ? 0 : -errno;
}

/* Directory of this test binary, for finding build/bin and helpers. */
static inline const char *self_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n;
	char *slash;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n < 0)
		return ".";
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return dir;
}

/* build/bin/NAME, from build/selftests/portable/ */
static inline void bin_path(char *buf, size_t size, const char *name)
{
	const char *env = getenv("REDIRECT_BIN");

	if (env && *env)
		snprintf(buf, size, "%s/%s", env, name);
	else
		snprintf(buf, size, "%s/../../bin/%s", self_dir(), name);
}

/* A file of the source tree, from build/selftests/portable/ */
static inline void src_path(char *buf, size_t size, const char *rel)
{
	const char *env = getenv("REDIRECT_SRCDIR");

	if (env && *env)
		snprintf(buf, size, "%s/%s", env, rel);
	else
		snprintf(buf, size, "%s/../../../%s", self_dir(), rel);
}

/*
 * Run argv, stdout+stderr captured into out (NUL-terminated, truncated);
 * returns the waitpid() status or -errno.
 */
static inline int run_capture(char *const argv[], char *out, size_t size)
{
	int pipefd[2], status;
	size_t len = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execv(argv[0], argv);
		_exit(126);
	}
	close(pipefd[1]);
	for (;;) {
		char scratch[4096];
		ssize_t n;

		if (len + 1 < size)
			n = read(pipefd[0], out + len, size - len - 1);
		else
			n = read(pipefd[0], scratch, sizeof(scratch));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < size)
			len += (size_t)n;
	}
	out[len] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

/* Pass one fd over a socketpair (with one byte). */
static inline int send_fd(int sock, int fd)
{
	return redirect_agent_send_raw(sock, "x", 1, fd, NULL);
}

static inline int recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * Fork a child that installs policy_json's filter and hands the listener to
 * us, then runs body() and exits with its return value.  Returns the child's
 * pid and sets *listener, or returns -errno.
 */
static inline pid_t spawn_filtered(const char *policy_json, int (*body)(void *), void *arg,
				   int *listener)
{
	struct redirect_policy *policy = NULL;
	struct redirect_filter *filter = NULL;
	int sv[2];
	pid_t pid;

	if (redirect_policy_load_buffer(policy_json, strlen(policy_json), "test.json", &policy,
					NULL) < 0)
		return -EINVAL;
	if (redirect_filter_compile(policy, 0, &filter, NULL) < 0) {
		redirect_policy_free(policy);
		return -EINVAL;
	}
	redirect_policy_free(policy);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = -1;

		close(sv[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    redirect_filter_load(filter, &fd, NULL) < 0)
			_exit(100);
		if (fd >= 0) {
			if (send_fd(sv[1], fd) < 0)
				_exit(101);
			close(fd);
		}
		close(sv[1]);
		_exit(body(arg));
	}
	redirect_filter_free(filter);
	close(sv[1]);
	/* -1 when the filter does not notify: the child sends nothing */
	*listener = recv_fd(sv[0]);
	close(sv[0]);
	return pid;
}

/* Wait for a child; returns its exit code, 128+signal, or -1. */
static inline int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* Wait until fd is readable (or hung up); false on timeout. */
static inline bool wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) > 0;
}

/* The syscall number a task is blocked in, from /proc/PID/syscall, or -1. */
static inline long task_syscall(pid_t pid)
{
	char path[64], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtol(buf, NULL, 10);
}

#endif /* REDIRECT_SELFTESTS_HELPERS_H */
