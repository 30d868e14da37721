/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the reliability tests: a seeded PRNG, the module's reference
 * count, unload and reload, failslab's per-task fail-nth, capabilities.
 */
#ifndef REL_UTIL_H
#define REL_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>

/* ---- a PRNG that gives the same sequence for the same seed everywhere ------- */

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* True with probability 1/n. */
static inline bool rng_one_in(struct rng *r, unsigned int n)
{
	return rng_below(r, n) == 0;
}

static inline void rng_bytes(struct rng *r, void *p, size_t n)
{
	unsigned char *b = p;

	while (n--)
		*b++ = (unsigned char)rng_next(r);
}

/* A value a bug is likelier to hide behind: edges of the integer types. */
static inline uint64_t rng_interesting(struct rng *r)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 16, 24, 31, 32, 40, 56, 63, 64, 127, 128, 255, 256,
		303, 304, 305, 511, 512, 1023, 1024, 1025, 4095, 4096, 4097, 65535, 65536,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0xffffffffffffffffULL, 0xfffffffffffff000ULL,
		(uint64_t)-4095, (uint64_t)-4096, (uint64_t)-1 - 1,
	};

	if (rng_one_in(r, 4))
		return rng_next(r);
	return v[rng_below(r, sizeof(v) / sizeof(v[0]))];
}

/* ---- the module --------------------------------------------------------------- */

/* /sys/module/redirect/refcnt, or -1 when the module is not loaded. */
static inline int rdr_module_refcnt(void)
{
	char buf[32] = "";
	ssize_t n;
	int fd = open("/sys/module/redirect/refcnt", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

static inline bool rdr_module_loaded(void)
{
	return access("/sys/module/redirect", F_OK) == 0;
}

/* delete_module("redirect", O_NONBLOCK): 0 or -errno. */
static inline int rdr_module_unload(void)
{
	return syscall(__NR_delete_module, "redirect", O_NONBLOCK) ? -errno : 0;
}

/* finit_module() of @ko (REDIRECT_KO when NULL): 0, -EEXIST, or -errno. */
static inline int rdr_module_load(const char *ko)
{
	int fd, ret;

	if (!ko)
		ko = getenv("REDIRECT_KO");
	if (!ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Wait up to @ms for /dev/redirect to exist. */
static inline bool rdr_wait_device(int ms)
{
	while (access("/dev/redirect", F_OK)) {
		if (ms <= 0)
			return false;
		usleep(10000);
		ms -= 10;
	}
	return true;
}

/*
 * A netlink request for an absent family runs modprobe, which would load
 * the installed redirect.ko (DKMS) behind the back of a test that unloads
 * and loads its own build. Point kernel.modprobe at /bin/false meanwhile;
 * returns the old value to give to modprobe_restore().
 */
static inline char *modprobe_disable(void)
{
	static char old[256];
	int fd = open("/proc/sys/kernel/modprobe", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, old, sizeof(old) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return NULL;
	old[n] = 0;
	if (old[n - 1] == '\n')
		old[n - 1] = 0;
	{
		int w = open("/proc/sys/kernel/modprobe", O_WRONLY | O_CLOEXEC);

		if (w < 0)
			return NULL;
		if (write(w, "/bin/false", 10) != 10) {
			close(w);
			return NULL;
		}
		close(w);
	}
	return old;
}

static inline void modprobe_restore(const char *old)
{
	int w;

	if (!old || !*old)
		return;
	w = open("/proc/sys/kernel/modprobe", O_WRONLY | O_CLOEXEC);
	if (w >= 0) {
		ssize_t n = write(w, old, strlen(old));

		(void)n;
		close(w);
	}
}

/* ---- failslab ----------------------------------------------------------------- */

#define FAILSLAB_DIR "/sys/kernel/debug/failslab"

static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

/*
 * Make failslab count every allocation, sleeping ones too, and fail only
 * what fail-nth asks for, quietly (a stack dump per failure would read as a
 * bug report to debug-kernel-checks.sh). 0, or -errno (ENOENT: no failslab).
 */
static inline int failslab_configure(void)
{
	int ret;

	if (access(FAILSLAB_DIR, F_OK))
		return -ENOENT;
	ret = write_file(FAILSLAB_DIR "/ignore-gfp-wait", "N");
	if (!ret)
		ret = write_file(FAILSLAB_DIR "/verbose", "0");
	if (!ret)
		ret = write_file(FAILSLAB_DIR "/probability", "0");
	return ret;
}

/*
 * fail-nth of the calling thread: the @n-th slab allocation it makes from now
 * on fails; 0 disarms. Returns an fd to read back with failnth_left().
 */
static inline int failnth_open(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	return open(path, O_RDWR | O_CLOEXEC);
}

static inline int failnth_set(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* What is left of the count: 0 once the failure was injected. */
static inline int failnth_left(int fd)
{
	char buf[16] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

/* ---- the kernel log and kmemleak --------------------------------------------- */

#include <sys/klog.h>

/* Write @tag into the kernel log, to look for reports after it. */
static inline void klog_mark(const char *tag)
{
	char line[256];

	/* Unterminated, the record could be continued by the next one. */
	snprintf(line, sizeof(line), "%s\n", tag);
	write_file("/dev/kmsg", line);
}

/*
 * Lines of the kernel log after the last @tag that contain one of the
 * '|'-separated words of @words, copied into @out. Returns how many.
 */
static inline int klog_grep_since(const char *tag, const char *words, char *out, size_t outlen)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n, hits = 0;
	char *buf, *p, *line, *save = NULL;
	size_t used = 0;

	if (outlen)
		out[0] = 0;
	if (size <= 0)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n <= 0) {
		free(buf);
		return 0;
	}
	buf[n] = 0;
	p = buf;
	for (line = strstr(buf, tag); line; line = strstr(line + 1, tag))
		p = line;
	for (line = strtok_r(p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char w[64];
		const char *a = words, *b;
		bool hit = false;

		while (*a && !hit) {
			b = strchr(a, '|');
			if (!b)
				b = a + strlen(a);
			snprintf(w, sizeof(w), "%.*s", (int)(b - a), a);
			hit = *w && strstr(line, w);
			a = *b ? b + 1 : b;
		}
		if (!hit)
			continue;
		hits++;
		if (used + strlen(line) + 2 < outlen) {
			used += snprintf(out + used, outlen - used, "%s\n", line);
		}
	}
	free(buf);
	return hits;
}

#define KMEMLEAK "/sys/kernel/debug/kmemleak"

/*
 * Ask kmemleak for a scan and count the unreferenced objects whose report
 * mentions @word (a function of the module). -1 without kmemleak. Objects
 * younger than 5 s are not reported: wait before calling.
 */
static inline int kmemleak_count(const char *word)
{
	char *buf, *blk, *next;
	size_t cap = 1 << 20, len = 0;
	ssize_t n;
	int fd, count = 0;

	if (write_file(KMEMLEAK, "scan"))
		return -1;
	fd = open(KMEMLEAK, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	buf = malloc(cap + 1);
	while (buf && (n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	close(fd);
	if (!buf)
		return -1;
	buf[len] = 0;
	for (blk = strstr(buf, "unreferenced object"); blk; blk = next) {
		next = strstr(blk + 1, "unreferenced object");
		if (next)
			*next = 0;
		if (strstr(blk, word))
			count++;
		if (next)
			*next = 'u';
	}
	free(buf);
	return count;
}

/* ---- capabilities ------------------------------------------------------------- */

/*
 * Drop @caps (CAP_* bit numbers, -1 terminated) from the bounding set and
 * from the effective, permitted and inheritable sets, as a container runtime
 * does. 0 or -errno.
 */
static inline int caps_drop(const int *caps)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int i;

	for (i = 0; caps[i] >= 0; i++)
		if (prctl(PR_CAPBSET_DROP, caps[i], 0, 0, 0))
			return -errno;
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	for (i = 0; caps[i] >= 0; i++) {
		int w = caps[i] / 32;
		__u32 bit = 1U << (caps[i] % 32);

		data[w].effective &= ~bit;
		data[w].permitted &= ~bit;
		data[w].inheritable &= ~bit;
	}
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/*
 * The 6.1 harness cannot pick tests: REL_ONLY=word1,word2 runs only the tests
 * whose name contains one of the words.
 */
static inline bool rel_selected(const char *name)
{
	const char *only = getenv("REL_ONLY"), *p;
	char word[64];

	if (!only || !*only)
		return true;
	for (p = only; *p;) {
		size_t n = strcspn(p, ",");

		snprintf(word, sizeof(word), "%.*s", (int)n, p);
		if (*word && strstr(name, word))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/* ---- children ----------------------------------------------------------------- */

/* Reap every child that has exited, without blocking; returns how many. */
static inline int reap_children(void)
{
	int n = 0;

	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		n++;
	return n;
}

#endif /* REL_UTIL_H */
