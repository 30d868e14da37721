// SPDX-License-Identifier: GPL-2.0
/* The one JSON string writer (libredirect/json_str.h) used by audit lines and reply details. */
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

TEST_HARNESS_MAIN
