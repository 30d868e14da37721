// SPDX-License-Identifier: GPL-2.0
/* The Sentry's getdents record filter (kernel output and garbage) and when getdents is notified. */
#include <stddef.h>
#include <sys/syscall.h>

#include "helpers.h"
#include "kselftest_harness.h"
#include "sentry.h"

/* x86-64's struct linux_dirent64 and struct linux_dirent */
struct d64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Appends one record as the kernel lays it out; returns its length. */
static size_t put(unsigned char *buf, bool old, uint64_t ino, int64_t off, const char *name)
{
	size_t name_off = old ? DENTS_OLD_NAME_OFF : DENTS64_NAME_OFF;
	size_t len = (name_off + strlen(name) + 1 + old + 7) & ~(size_t)7;
	unsigned short reclen = (unsigned short)len;

	memset(buf, 0, len);
	memcpy(buf, &ino, 8);
	memcpy(buf + 8, &off, 8);
	memcpy(buf + DENTS_RECLEN_OFF, &reclen, 2);
	strcpy((char *)buf + name_off, name);
	buf[old ? len - 1 : 18] = DT_REG;
	return len;
}

static bool hide_prefix_h(void *arg, const char *name)
{
	(*(int *)arg)++;
	return name[0] == 'h';
}

static bool hide_none(void *arg, const char *name)
{
	return false;
}

static bool hide_all(void *arg, const char *name)
{
	return true;
}

/* Names and d_off of the records in buf, checked as the kernel would write them. */
static int walk(const unsigned char *buf, size_t len, bool old, char names[][64], int64_t *offs,
		int max)
{
	size_t in = 0, name_off = old ? DENTS_OLD_NAME_OFF : DENTS64_NAME_OFF;
	int n = 0;

	while (in < len && n < max) {
		unsigned short reclen;

		memcpy(&reclen, buf + in + DENTS_RECLEN_OFF, 2);
		if (!reclen || reclen % 8 || in + reclen > len)
			return -1;
		snprintf(names[n], 64, "%s", (const char *)buf + in + name_off);
		memcpy(&offs[n], buf + in + 8, 8);
		n++;
		in += reclen;
	}
	return in == len ? n : -1;
}

TEST(filter_drops_hidden_keeps_others_and_their_d_off)
{
	unsigned char buf[1024];
	char names[16][64];
	int64_t offs[16];
	int old, calls;

	for (old = 0; old < 2; old++) {
		const char *in[] = { ".", "..", "a", "hidden", "b", "h2", "c", "hh" };
		size_t len = 0, i;
		int ret;

		for (i = 0; i < ARRAY_SIZE(in); i++)
			len += put(buf + len, old, 100 + i, 1000 + (int64_t)i, in[i]);
		calls = 0;
		ret = sentry_dents_filter(buf, len, old, hide_prefix_h, &calls);
		ASSERT_GT(ret, 0);
		EXPECT_EQ(8, calls);
		ASSERT_EQ(5, walk(buf, (size_t)ret, old, names, offs, 16));
		EXPECT_STREQ(".", names[0]);
		EXPECT_STREQ("..", names[1]);
		EXPECT_STREQ("a", names[2]);
		EXPECT_STREQ("b", names[3]);
		EXPECT_STREQ("c", names[4]);
		/* d_off is each kept record's own: seekdir to it lands after it */
		EXPECT_EQ(1002, offs[2]);
		EXPECT_EQ(1004, offs[3]);
		EXPECT_EQ(1006, offs[4]);
		if (old) {
			/* d_type moved with its record: the last byte */
			unsigned short reclen;

			memcpy(&reclen, buf + DENTS_RECLEN_OFF, 2);
			EXPECT_EQ(DT_REG, buf[reclen - 1]);
		}
	}
}

TEST(filter_nothing_hidden_is_unchanged_all_hidden_is_empty)
{
	unsigned char buf[512], copy[512];
	size_t len = 0;

	len += put(buf + len, false, 1, 1, "x");
	len += put(buf + len, false, 2, 2, "y");
	memcpy(copy, buf, len);
	ASSERT_EQ((int)len, sentry_dents_filter(buf, len, false, hide_none, NULL));
	EXPECT_EQ(0, memcmp(buf, copy, len));
	EXPECT_EQ(0, sentry_dents_filter(buf, len, false, hide_all, NULL));
	EXPECT_EQ(0, sentry_dents_filter(buf, 0, false, hide_all, NULL));
}

TEST(filter_refuses_what_is_not_a_record)
{
	unsigned char buf[256];
	unsigned short bad;
	size_t len;

	/* cut inside the header */
	len = put(buf, false, 1, 1, "name");
	EXPECT_EQ(-EIO, sentry_dents_filter(buf, 10, false, hide_none, NULL));
	/* reclen 0 (would loop), below the header, past the buffer */
	for (bad = 0; bad < 3; bad++) {
		unsigned short v = bad == 0 ? 0 : bad == 1 ? 19 : (unsigned short)(len + 8);

		len = put(buf, false, 1, 1, "name");
		memcpy(buf + DENTS_RECLEN_OFF, &v, 2);
		EXPECT_EQ(-EIO, sentry_dents_filter(buf, len, false, hide_none, NULL));
	}
	/* a name without its NUL inside the record */
	len = put(buf, false, 1, 1, "abcd");
	memset(buf + DENTS64_NAME_OFF, 'x', len - DENTS64_NAME_OFF);
	EXPECT_EQ(-EIO, sentry_dents_filter(buf, len, false, hide_none, NULL));
	/* old layout: the NUL must come before d_type, the last byte */
	len = put(buf, true, 1, 1, "abcd");
	memset(buf + DENTS_OLD_NAME_OFF, 'x', len - DENTS_OLD_NAME_OFF - 1);
	buf[len - 1] = 0;
	EXPECT_EQ(-EIO, sentry_dents_filter(buf, len, true, hide_none, NULL));
	/* an empty name */
	len = put(buf, false, 1, 1, "");
	EXPECT_EQ(-EIO, sentry_dents_filter(buf, len, false, hide_none, NULL));
}

/* Random bytes and random cuts of good records: an answer, never a read past the end. */
TEST(filter_fuzz_random_buffers)
{
	unsigned char good[4096], *buf;
	char names[128][64];
	int64_t offs[128];
	unsigned int seed = 5, i;
	size_t glen = 0;

	while (glen < sizeof(good) - 300) {
		char name[40];

		snprintf(name, sizeof(name), "%c%u", rand_r(&seed) % 2 ? 'h' : 'k', rand_r(&seed));
		glen += put(good + glen, false, 1, (int64_t)glen, name);
	}
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)rand_r(&seed) % (glen + 1), j;
		int calls = 0, ret;

		/* exactly len bytes on the heap: a read past them is ASan's or a fault's */
		buf = malloc(len ? len : 1);
		ASSERT_NE(NULL, buf);
		memcpy(buf, good, len);
		if (i % 2)
			for (j = 0; j < 1 + (size_t)rand_r(&seed) % 8 && len; j++)
				buf[(size_t)rand_r(&seed) % len] = (unsigned char)rand_r(&seed);
		ret = sentry_dents_filter(buf, len, i % 4 == 3, hide_prefix_h, &calls);
		ASSERT_TRUE(ret == -EIO || (ret >= 0 && (size_t)ret <= len));
		if (ret > 0 && i % 4 != 3)
			ASSERT_LE(0, walk(buf, (size_t)ret, false, names, offs, 128));
		free(buf);
	}
}

/* What the kernel writes, filtered, is what readdir() shows less the hidden names. */
TEST(filter_on_kernel_output)
{
	char dir[] = "/tmp/dents-test.XXXXXX", path[PATH_MAX], names[700][64];
	static unsigned char buf[65536];
	int64_t offs[700];
	int fd, i, n, calls = 0, kept, seen_k = 0;
	long len;

	ASSERT_NE(NULL, mkdtemp(dir));
	for (i = 0; i < 600; i++) {
		snprintf(path, sizeof(path), "%s/%c%03d", dir, i % 3 ? 'k' : 'h', i);
		close(open(path, O_CREAT | O_WRONLY, 0600));
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	while ((len = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		kept = sentry_dents_filter(buf, (size_t)len, false, hide_prefix_h, &calls);
		ASSERT_LE(0, kept);
		n = walk(buf, (size_t)kept, false, names, offs, 700);
		ASSERT_LE(0, n);
		for (i = 0; i < n; i++) {
			EXPECT_NE('h', names[i][0]);
			seen_k += names[i][0] == 'k';
		}
	}
	EXPECT_EQ(0, len);
	EXPECT_EQ(602, calls);
	EXPECT_EQ(400, seen_k);
	close(fd);
	for (i = 0; i < 600; i++) {
		snprintf(path, sizeof(path), "%s/%c%03d", dir, i % 3 ? 'k' : 'h', i);
		unlink(path);
	}
	rmdir(dir);
}

/* getdents64 and getdents are notified with hidden rules only. */
TEST(notified_only_with_hidden_rules)
{
	static const struct {
		const char *json;
		bool notified;
	} cases[] = {
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", false },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":{\"files\":"
		  "{\"readOnly\":[\"/etc\"],\"remap\":[{\"from\":\"/a\",\"to\":\"/b\"}]}}}}", false },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":{\"files\":"
		  "{\"hidden\":[]}}}}", false },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":{\"files\":"
		  "{\"hidden\":[\"/proc/kcore\"]}}}}", true },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":{\"files\":"
		  "{\"readOnly\":[\"/sys\"],\"hidden\":[\"/sys/firmware\"]}}}}", true },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct redirect_policy *p = NULL;

		ASSERT_EQ(0, redirect_policy_load_buffer(cases[i].json, strlen(cases[i].json),
							 "unit", &p, NULL));
		EXPECT_EQ(cases[i].notified, policy_notifies(p, "getdents64")) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].notified, policy_notifies(p, "getdents")) TH_LOG("case %zu", i);
		redirect_policy_free(p);
	}
}

/* A layer whose files section has no hidden rules replaces one that had them. */
TEST(layer_without_hidden_rules_stops_notifying)
{
	char dir[] = "/tmp/dents-pol.XXXXXX", base[PATH_MAX], top[PATH_MAX];
	struct redirect_policy *p = NULL;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/base.json", dir);
	snprintf(top, sizeof(top), "%s/top.json", dir);
	f = fopen(base, "w");
	ASSERT_NE(NULL, f);
	fputs("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":{\"files\":"
	      "{\"hidden\":[\"/x\"]}}}}", f);
	fclose(f);
	f = fopen(top, "w");
	ASSERT_NE(NULL, f);
	fputs("{\"extends\":\"base.json\",\"redirect\":{\"sentry\":{\"files\":"
	      "{\"readOnly\":[\"/x\"]}}}}", f);
	fclose(f);
	ASSERT_EQ(0, redirect_policy_load_file(base, &p, NULL));
	EXPECT_TRUE(policy_notifies(p, "getdents64"));
	redirect_policy_free(p);
	ASSERT_EQ(0, redirect_policy_load_file(top, &p, NULL));
	EXPECT_FALSE(policy_notifies(p, "getdents64"));
	EXPECT_TRUE(policy_notifies(p, "openat"));
	redirect_policy_free(p);
	unlink(base);
	unlink(top);
	rmdir(dir);
}

TEST_HARNESS_MAIN
