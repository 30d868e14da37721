// SPDX-License-Identifier: GPL-2.0
/* A program linked with libredirect.a (only the map's symbols global) loads and compiles a policy. */
#include <stdlib.h>
#include <string.h>

#include "libredirect.h"
#include "kselftest_harness.h"

TEST(static_library_loads_and_compiles)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
				   "[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}";
	struct redirect_policy *p = NULL;
	struct redirect_filter *f = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "s.json", &p, &e));
	ASSERT_EQ(0, redirect_filter_compile(p, 0, &f, &e)) TH_LOG("%s", e->msg);
	EXPECT_TRUE(redirect_filter_notifies(f));
	EXPECT_EQ(1, redirect_policy_notify_count(p));
	redirect_filter_free(f);
	redirect_policy_free(p);
}

TEST_HARNESS_MAIN
