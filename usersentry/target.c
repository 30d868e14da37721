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

/* Read into @buf page by page until the NUL: a string may end before an unmapped page. */
static int read_str_once(pid_t pid, uint64_t addr, char *buf, size_t size, size_t *lenp)
{
	size_t got = 0;

	while (got < size) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		ssize_t n;
		char *nul;

		if (chunk > size - got)
			chunk = size - got;
		n = sentry_read_mem(pid, addr + got, buf + got, chunk);
		if (n <= 0)
			return errno == ESRCH ? -ESRCH : -EFAULT;
		nul = memchr(buf + got, '\0', (size_t)n);
		if (nul) {
			*lenp = (size_t)(nul - buf);
			return 0;
		}
		got += (size_t)n;
	}
	return -ENAMETOOLONG;
}

int sentry_read_str(struct sentry_strs *strs, pid_t pid, uint64_t addr, char *buf, size_t size)
{
	unsigned int i;
	char scratch[SENTRY_STR_MAX];
	char *src = scratch;
	size_t len = 0;
	int ret = -EFAULT;

	for (i = 0; i < strs->n; i++)
		if (strs->s[i].addr == addr)
			break;
	if (i < strs->n) {
		ret = strs->s[i].ret;
		len = strs->s[i].len;
		src = strs->s[i].buf;
	} else if (strs->n < SENTRY_CALL_STRS) {
		i = strs->n++;
		ret = read_str_once(pid, addr, strs->s[i].buf, SENTRY_STR_MAX, &len);
		strs->s[i].addr = addr;
		strs->s[i].ret = ret;
		strs->s[i].len = len;
		src = strs->s[i].buf;
	} else {
		/* more distinct strings than any call has: not remembered, still read once here */
		ret = read_str_once(pid, addr, scratch, sizeof(scratch), &len);
	}
	if (ret < 0)
		return ret;
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, src, len + 1);
	return 0;
}

long sentry_fetch_str(void *ctx, uint64_t addr, char *buf, size_t size)
{
	struct sentry_str_ctx *c = ctx;
	int ret = sentry_read_str(c->strs, c->pid, addr, buf, size);

	if (ret == -ESRCH)
		ret = -EFAULT;
	return ret < 0 ? ret : (long)strlen(buf);
}

int sentry_write_target(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { .iov_base = (void *)buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n;

	if (sentry_id_valid(sb, req->id) < 0)
		return -ENOENT;
	if (!len)
		return 0;
	if (addr > UINT64_MAX - len)
		return -EFAULT;
	n = process_vm_writev((pid_t)req->pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0 || errno == EFAULT)
		return -EFAULT;
	/* gone after ID_VALID: the reply has nobody to go to either */
	return errno == ESRCH ? -ENOENT : -errno;
}

/* The thread group of a thread: pidfd_open() takes only leaders on 6.1. */
pid_t sentry_tgid(pid_t tid)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if (sentry_read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
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
