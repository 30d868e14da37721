// SPDX-License-Identifier: GPL-2.0
/* The abi section's calls: system calls newer than the host's kernel, built from older ones. */
/*
 * Each handler takes the call's arguments as the kernel of the version that
 * added it would, with its errors in its order, and performs it on the
 * Sentry's own copy of what it reads (the target's fd by pidfd_getfd, its
 * memory read once).  fchmodat2 and faccessat2 are the file handlers'
 * (files_changes.c, files_lookups.c: resolved in the target's root, as the
 * target).  docs/abi-shim.md has the table of every call after 6.1.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif
#define ABI_CAP_FOWNER 3

/* include/uapi/linux/mman.h (6.5) */
struct abi_cachestat_range {
	uint64_t off;
	uint64_t len;
};

struct abi_cachestat {
	uint64_t nr_cache;
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_evicted;
	uint64_t nr_recently_evicted;
};

static int answer(struct sentry_reply *reply, int err, const char *verdict)
{
	reply->error = err;
	reply->val = 0;
	reply->verdict = verdict;
	return 0;
}

/*
 * The kernel's can_do_cachestat(): the fd open for writing, or the caller
 * owning the file (or CAP_FOWNER), or allowed to write it.  As the target.
 */
static bool may_cachestat(const struct seccomp_notif *req, int fd)
{
	struct sentry_creds c;
	mode_t old_umask;
	struct stat st;
	bool ok;

	if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY)
		return true;
	if (sentry_creds_read((pid_t)req->pid, &c) < 0 || fstat(fd, &st) < 0)
		return false;
	if (st.st_uid == c.fsuid || (c.cap_eff & (1ULL << ABI_CAP_FOWNER)))
		return true;
	sentry_become(&c, &old_umask);
	ok = syscall(SYS_faccessat2, fd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) == 0;
	sentry_unbecome(old_umask);
	return ok;
}

/*
 * Pages of [first, last] of a regular file in the page cache: mincore() over
 * a read-only shared mapping of them (ours: a mapping reads nothing).
 */
static int count_cached(int fd, const struct stat *st, uint64_t first, uint64_t last,
			uint64_t *cached)
{
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), chunk = 1 << 16;
	unsigned char vec[1 << 16];
	uint64_t end, at;
	char self[64];
	int rfd;

	*cached = 0;
	if (!S_ISREG(st->st_mode) || st->st_size <= 0)
		return 0;
	end = ((uint64_t)st->st_size - 1) / page;
	if (last > end)
		last = end;
	if (first > last)
		return 0;
	/* a mapping needs a readable fd: the file reopened (its content is never read) */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	rfd = open(self, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (rfd < 0)
		rfd = open(self, O_RDONLY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	for (at = first; at <= last; at += chunk) {
		uint64_t n = last - at + 1 < chunk ? last - at + 1 : chunk, i;
		void *m = mmap(NULL, n * page, PROT_READ, MAP_SHARED, rfd, (off_t)(at * page));

		if (m == MAP_FAILED) {
			close(rfd);
			return -errno;
		}
		if (mincore(m, n * page, vec) < 0) {
			munmap(m, n * page);
			close(rfd);
			return -errno;
		}
		for (i = 0; i < n; i++)
			*cached += vec[i] & 1;
		munmap(m, n * page);
	}
	close(rfd);
	return 0;
}

/*
 * cachestat(fd, range, cstat, flags), 6.5: the kernel's checks in its order
 * (EBADF, EFAULT for the range, EOPNOTSUPP on hugetlbfs, EPERM, EINVAL for
 * flags).  nr_cache from mincore(); nr_dirty, nr_writeback, nr_evicted and
 * nr_recently_evicted are 0: no older call reports them.
 */
int sentry_handle_cachestat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			    struct sentry_reply *reply)
{
	struct abi_cachestat_range range;
	struct abi_cachestat cs = { 0 };
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), first, last;
	struct statfs sfs;
	struct stat st;
	int fd, ret;

	snprintf(reply->detail, sizeof(reply->detail), "\"fd\":%d,\"flags\":%u",
		 (int)req->data.args[0], (unsigned int)req->data.args[3]);
	ret = sentry_target_fd(sb, req, (int)(unsigned int)req->data.args[0], &fd);
	if (ret == -ENOENT)
		return ret;
	if (ret < 0)
		return answer(reply, -EBADF, "emulated");
	if (fcntl(fd, F_GETFL) & O_PATH) {
		ret = -EBADF;
		goto out;
	}
	if (sentry_read_mem(req->pid, req->data.args[1], &range, sizeof(range)) !=
	    (ssize_t)sizeof(range)) {
		ret = sentry_id_valid(sb, req->id) < 0 ? -ENOENT : -EFAULT;
		goto out;
	}
	if (fstatfs(fd, &sfs) == 0 && (unsigned long)sfs.f_type == HUGETLBFS_MAGIC) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (!may_cachestat(req, fd)) {
		ret = -EPERM;
		goto out;
	}
	if ((unsigned int)req->data.args[3]) {
		ret = -EINVAL;
		goto out;
	}
	first = range.off / page;
	last = range.len == 0 ? UINT64_MAX : (range.off + range.len - 1) / page;
	ret = fstat(fd, &st) < 0 ? -errno : count_cached(fd, &st, first, last, &cs.nr_cache);
	if (ret == 0)
		ret = sentry_write_target(sb, req, req->data.args[2], &cs, sizeof(cs));
out:
	close(fd);
	if (ret == -ENOENT)
		return ret;
	return answer(reply, ret, "emulated");
}

/*
 * mseal(addr, len, flags), 6.10: refused with ENOSYS, what a kernel
 * without it answers.  Sealing is a promise about the target's own
 * mappings that only its kernel can keep; pretending to seal would tell a
 * program its memory is protected when it is not.
 */
int sentry_handle_mseal(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	return answer(reply, -ENOSYS, "emulated:refused");
}
