// SPDX-License-Identifier: GPL-2.0
/* json.c and json_str.h: the one file reader, the one strict JSON parse, the one JSON string writer. */
#include <json-c/json.h>

#include "helpers.h"
#include "../../libredirect/json_str.h"
#include "kselftest_harness.h"

TEST(json_str_escapes_quotes_backslashes_controls)
{
	static const char in[] = "a\"b\\c\nd\x01\x7f" "\xc3\xa9";
	char out[64];

	EXPECT_EQ(strlen("a\\\"b\\\\c\\u000ad\\u0001\\u007f\xc3\xa9"),
		  redirect_json_str(out, sizeof(out), in, strlen(in)));
	EXPECT_STREQ("a\\\"b\\\\c\\u000ad\\u0001\\u007f\xc3\xa9", out);
}

/* What it writes reads back as the same string: every ASCII byte. */
TEST(json_str_round_trips)
{
	char in[128], out[1024], doc[1100];
	json_object *o;
	int i;

	for (i = 1; i < 128; i++)
		in[i - 1] = (char)i;
	in[127] = '\0';
	redirect_json_str(out, sizeof(out), in, strlen(in));
	snprintf(doc, sizeof(doc), "\"%s\"", out);
	o = json_tokener_parse(doc);
	ASSERT_NE(NULL, o) TH_LOG("%s", doc);
	EXPECT_STREQ(in, json_object_get_string(o));
	json_object_put(o);
}

/* Cut before an escape, never inside one; NUL-terminated; stops at len and at NUL. */
TEST(json_str_truncates_whole_escapes)
{
	char out[8];

	EXPECT_EQ(6, redirect_json_str(out, sizeof(out), "abcdef\"", 7));
	EXPECT_STREQ("abcdef", out);
	EXPECT_EQ(7, redirect_json_str(out, sizeof(out), "a\x01" "b", 3));
	EXPECT_STREQ("a\\u0001", out);
	EXPECT_EQ(3, redirect_json_str(out, sizeof(out), "abc\x01", 4));
	EXPECT_STREQ("abc", out);
	EXPECT_EQ(2, redirect_json_str(out, sizeof(out), "abcdef", 2));
	EXPECT_STREQ("ab", out);
	EXPECT_EQ(1, redirect_json_str(out, sizeof(out), "a\0b", 3));
	EXPECT_EQ(0, redirect_json_str(out, 1, "abc", 3));
	EXPECT_STREQ("", out);
}

/* json-c's strict mode takes {'key': ...}; the library's strict parse does not */
TEST(json_strict_refuses_single_quoted_keys)
{
	static const char doc[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n 'flags': []}";
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	EXPECT_EQ(-EINVAL, redirect_policy_load_buffer(doc, strlen(doc), "q.json", &p, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "q.json:2:2: JSON: a single-quoted string"))
	TH_LOG("%s", e->msg);
	redirect_error_free(e);
	redirect_policy_free(p);
}

/* a ' inside a string, after escaped quotes, is the string's */
TEST(json_strict_takes_quotes_inside_strings)
{
	static const char doc[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
				  "[{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", "
				  "\"comment\": \"a \\\"b\\\\\\\" it's 'c'\"}]}";
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	EXPECT_EQ(0, redirect_policy_load_buffer(doc, strlen(doc), "q.json", &p, &e))
	TH_LOG("%s: %s", doc, e ? e->msg : "");
	redirect_error_free(e);
	redirect_policy_free(p);
}

FIXTURE(files)
{
	char dir[PATH_MAX];
	char file[PATH_MAX + 16];
	char link[PATH_MAX + 16];
};

FIXTURE_SETUP(files)
{
	ASSERT_EQ(0, make_temp_dir(self->dir, sizeof(self->dir)));
	snprintf(self->file, sizeof(self->file), "%s/f.json", self->dir);
	snprintf(self->link, sizeof(self->link), "%s/l.json", self->dir);
	ASSERT_EQ(0, write_file(self->file, "{\"a\": 1}\n"));
	ASSERT_EQ(0, chmod(self->file, 0640));
	ASSERT_EQ(0, symlink("f.json", self->link));
}

FIXTURE_TEARDOWN(files)
{
	remove_tree(self->dir);
}

TEST_F(files, read_file_reads_the_whole_file_and_its_stat)
{
	struct redirect_error *e = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;

	ASSERT_EQ(0, redirect_read_file(self->file, REDIRECT_READ_NOFOLLOW, 1024, &buf, &len, &st,
					&e));
	EXPECT_EQ(9, len);
	EXPECT_STREQ("{\"a\": 1}\n", buf);
	EXPECT_EQ(0640, st.st_mode & 07777);
	free(buf);
	/* through the link without the flag */
	ASSERT_EQ(0, redirect_read_file(self->link, 0, 1024, &buf, &len, NULL, &e));
	EXPECT_STREQ("{\"a\": 1}\n", buf);
	free(buf);
}

TEST_F(files, read_file_nofollow_refuses_a_symlink)
{
	struct redirect_error *e = NULL;
	char *buf = NULL;
	size_t len;

	EXPECT_EQ(-ELOOP, redirect_read_file(self->link, REDIRECT_READ_NOFOLLOW, 1024, &buf, &len,
					     NULL, &e));
	EXPECT_EQ(NULL, buf);
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, self->link)) TH_LOG("%s", e->msg);
	redirect_error_free(e);
}

TEST_F(files, read_file_refuses_what_is_no_regular_file_or_too_big)
{
	struct redirect_error *e = NULL;
	char fifo[PATH_MAX + 16], *buf = NULL;
	size_t len;

	/* a FIFO without a writer: refused at once, not waited on */
	snprintf(fifo, sizeof(fifo), "%s/fifo", self->dir);
	ASSERT_EQ(0, mkfifo(fifo, 0600));
	EXPECT_EQ(-EINVAL, redirect_read_file(fifo, 0, 1024, &buf, &len, NULL, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "not a regular file")) TH_LOG("%s", e->msg);
	redirect_error_free(e);
	e = NULL;
	EXPECT_EQ(-EFBIG, redirect_read_file(self->file, 0, 8, &buf, &len, NULL, &e));
	redirect_error_free(e);
	e = NULL;
	EXPECT_EQ(-EINVAL, redirect_read_file(self->file, 1u << 5, 1024, &buf, &len, NULL, &e));
	redirect_error_free(e);
	EXPECT_EQ(NULL, buf);
}

TEST_HARNESS_MAIN
