// SPDX-License-Identifier: GPL-2.0
/* The target's memory (process_vm_readv/writev) and fds (pidfd_getfd), checked with ID_VALID. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sentry.h"

ssize_t sentry_read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

int sentry_mem_open(struct sentry_sandbox *sb, const struct seccomp_notif *req, int *fdp)
{
	char path[64];
	int fd, saved;

	snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	saved = errno;
	/* the fd pins the mm: checked now, a recycled pid cannot receive the write */
	if (sentry_id_valid(sb, req->id) < 0) {
		if (fd >= 0)
			close(fd);
		return -ENOENT;
	}
	if (fd < 0)
		return -saved;
	*fdp = fd;
	return 0;
}

int sentry_write_mem(int memfd, uint64_t addr, const void *buf, size_t len)
{
	ssize_t n;

	if (addr > (uint64_t)INT64_MAX - len)
		return -EFAULT;
	n = pwrite(memfd, buf, len, (off_t)addr);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

/* The thread group of a thread: pidfd_open() takes only leaders on 6.1. */
pid_t sentry_tgid(pid_t tid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nTgid:");
	return p ? (pid_t)strtol(p + 6, NULL, 10) : -1;
}

int sentry_target_fd(struct sentry_sandbox *sb, const struct seccomp_notif *req, int fd,
		     int *outp)
{
	pid_t tgid = sentry_tgid((pid_t)req->pid);
	int pidfd = -1, out = -1, saved = 0;

	if (tgid > 0)
		pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pidfd >= 0) {
		out = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		saved = errno;
		close(pidfd);
	}
	/* the pid (and so its fd table) still the caller's */
	if (sentry_id_valid(sb, req->id) < 0) {
		if (out >= 0)
			close(out);
		return -ENOENT;
	}
	if (pidfd < 0)
		return -ESRCH;
	if (out < 0)
		return saved == EBADF ? -EBADF : -saved;
	*outp = out;
	return 0;
}
