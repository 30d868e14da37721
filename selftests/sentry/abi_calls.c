// SPDX-License-Identifier: GPL-2.0
/* Calls each system call the abi section emulates by number and prints what it got, a line a case. */
/*
 *   abi_calls DIR
 *
 * In DIR (empty, writable): one line per case, "call case: result", where
 * result is "ok" plus what the case reads back, or "errno=NAME".  The same
 * program natively and under the Sentry's abi section must print the same
 * lines (mseal aside: the Sentry refuses it).  Natively on a kernel that
 * lacks a call, its lines say errno=ENOSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_FACCESSAT2 439
#define NR_CACHESTAT 451
#define NR_FCHMODAT2 452
#define NR_MSEAL 462

struct cs_range {
	uint64_t off, len;
};

struct cs {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

static const char *ename(int e)
{
	switch (e) {
	case ENOSYS: return "ENOSYS";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	default: return "other";
	}
}

static void result(const char *what, long r, const char *extra)
{
	if (r < 0)
		printf("%s: errno=%s\n", what, ename(errno));
	else
		printf("%s: ok%s%s\n", what, extra ? " " : "", extra ? extra : "");
}

static void chmod_case(const char *what, int dirfd, const char *path, mode_t mode, long flags,
		       const char *check)
{
	char extra[32] = "";
	struct stat st;
	long r = syscall(NR_FCHMODAT2, dirfd, path, mode, flags);
	int e = errno;

	if (r == 0 && stat(check, &st) == 0)
		snprintf(extra, sizeof(extra), "mode=%04o", st.st_mode & 07777);
	errno = e;
	result(what, r, extra);
}

static void cachestat_case(const char *what, int fd, const struct cs_range *range, long flags)
{
	struct cs c;
	char extra[160];
	long r;

	memset(&c, 0xa5, sizeof(c));
	r = syscall(NR_CACHESTAT, fd, range, &c, flags);
	snprintf(extra, sizeof(extra), "cache=%llu dirty=%llu writeback=%llu evicted=%llu",
		 (unsigned long long)c.nr_cache, (unsigned long long)c.nr_dirty,
		 (unsigned long long)c.nr_writeback, (unsigned long long)c.nr_evicted);
	result(what, r, extra);
}

int main(int argc, char **argv)
{
	char f[4096], l[4096], buf[4096];
	struct cs_range whole = { 0, 0 }, second = { 4096, 4096 }, beyond = { 1 << 20, 0 };
	long page = sysconf(_SC_PAGESIZE);
	int fd, pfd, i;
	void *m;

	if (argc != 2) {
		fprintf(stderr, "usage: abi_calls DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(f, sizeof(f), "%s/file", argv[1]);
	snprintf(l, sizeof(l), "%s/link", argv[1]);
	fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || symlink(f, l) < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < 3; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 1;
	fsync(fd);

	/* fchmodat2 (6.6) */
	chmod_case("fchmodat2 plain", AT_FDCWD, f, 0600, 0, f);
	chmod_case("fchmodat2 nofollow_on_file", AT_FDCWD, f, 0640, AT_SYMLINK_NOFOLLOW, f);
	chmod_case("fchmodat2 follow_link", AT_FDCWD, l, 0604, 0, f);
	chmod_case("fchmodat2 nofollow_on_link", AT_FDCWD, l, 0600, AT_SYMLINK_NOFOLLOW, f);
	chmod_case("fchmodat2 bad_flags", AT_FDCWD, f, 0600, 0x10000, f);
	chmod_case("fchmodat2 missing", AT_FDCWD, "/nonexistent-abi-calls", 0600, 0, f);
	pfd = open(f, O_PATH | O_CLOEXEC);
	chmod_case("fchmodat2 empty_path_on_o_path_fd", pfd, "", 0611, AT_EMPTY_PATH, f);
	chmod_case("fchmodat2 empty_path_without_flag", pfd, "", 0600, 0, f);

	/* cachestat (6.5) */
	cachestat_case("cachestat whole_file", fd, &whole, 0);
	cachestat_case("cachestat second_page", fd, &second, 0);
	cachestat_case("cachestat beyond_eof", fd, &beyond, 0);
	cachestat_case("cachestat bad_flags", fd, &whole, 1);
	cachestat_case("cachestat bad_fd", 9999, &whole, 0);
	cachestat_case("cachestat o_path_fd", pfd, &whole, 0);
	cachestat_case("cachestat null_range", fd, NULL, 0);

	/* faccessat2 (5.8): forced on kernels that have it */
	result("faccessat2 read", syscall(NR_FACCESSAT2, AT_FDCWD, f, R_OK, AT_EACCESS), NULL);
	result("faccessat2 bad_flags", syscall(NR_FACCESSAT2, AT_FDCWD, f, R_OK, 0x10000), NULL);
	result("faccessat2 missing", syscall(NR_FACCESSAT2, AT_FDCWD, "/nonexistent-abi-calls",
					     F_OK, 0), NULL);

	/* mseal (6.10): the Sentry refuses it (ENOSYS) */
	m = mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	result("mseal one_page", syscall(NR_MSEAL, m, page, 0), NULL);
	close(pfd);
	close(fd);
	return 0;
}
