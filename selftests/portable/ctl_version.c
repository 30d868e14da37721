// SPDX-License-Identifier: GPL-2.0
/*
 * libredirect refuses a "redirect" netlink family of another version than its
 * own, naming both (redirect_ctl_check_version(), internal: built with the
 * library's sources, as the sanitizer tests are).
 */
#include "kselftest_harness.h"

#include "../../libredirect/ctl_info.h"

TEST(ctl_version_own_accepted)
{
	struct redirect_error *e = NULL;

	EXPECT_EQ(0, redirect_ctl_check_version(REDIRECT_GENL_VERSION, &e));
	EXPECT_EQ(NULL, e);
}

TEST(ctl_version_other_refused_naming_both)
{
	__u32 others[] = { 0, 1, REDIRECT_GENL_VERSION + 1 };
	struct redirect_error *e;
	char want[64];
	unsigned int i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		e = NULL;
		EXPECT_EQ(-EPROTONOSUPPORT, redirect_ctl_check_version(others[i], &e));
		ASSERT_NE(NULL, e);
		snprintf(want, sizeof(want), "is version %u, libredirect speaks version %u",
			 others[i], REDIRECT_GENL_VERSION);
		EXPECT_NE(NULL, strstr(e->msg, want)) TH_LOG("message: %s", e->msg);
		redirect_error_free(e);
	}
}

TEST_HARNESS_MAIN
