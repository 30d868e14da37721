// SPDX-License-Identifier: GPL-2.0
/* The public header as a user includes it: every named enum (each constant) and struct compiles. */
#include <stddef.h>
#include <string.h>

#include "libredirect.h"
#include "header_users.h"	/* generated from the headers by header-users.sh */
#include "kselftest_harness.h"

/*
 * The build of this file is the test (with -Werror): a macro in the header
 * that renames a tag (0.1's "#define redirect_verdict redirect_answer" made
 * every "enum redirect_verdict" a wrong-kind tag) stops it compiling.
 */
TEST(header_every_enum_and_struct_usable)
{
	/* the generator found the header's types: not an empty function */
	EXPECT_LE(40, HEADER_USERS_EXPECTED);
	EXPECT_EQ(HEADER_USERS_EXPECTED, header_users());
}

TEST(header_uapi_verdict_is_the_enum)
{
	enum redirect_verdict v = REDIRECT_VERDICT_ERRNO;
	struct redirect_answer a = { .kind = REDIRECT_ANSWER_CONTINUE };

	EXPECT_EQ(1, v);
	EXPECT_EQ(REDIRECT_ANSWER_CONTINUE, a.kind);
}

TEST_HARNESS_MAIN
