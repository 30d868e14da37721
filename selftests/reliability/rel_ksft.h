/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the reliability kselftests share beyond sandbox_util.h: the state each
 * test must leave behind (every sandbox ended, nothing holds the module) and
 * a syscall result as -errno. Include after kselftest_harness.h,
 * ../sandbox/sandbox_util.h, rel_util.h and rel_nl.h.
 */
#ifndef REL_KSFT_H
#define REL_KSFT_H

static inline long sc_ret(long r)
{
	return r < 0 ? -errno : r;
}

/*
 * Every sandbox ended and the module's reference count is back to 0, within
 * @ms (sandboxes end asynchronously once their last task is reaped; children
 * are reaped here). *count and *refcnt say what was left (-1: unknown).
 */
static inline bool settled(int ms, int *count, int *refcnt)
{
	long long end = now_ms() + ms;
	struct rnl nl;

	*count = *refcnt = -1;
	if (rnl_open(&nl))
		return false;
	do {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		*count = rnl_sandbox_count(&nl);
		*refcnt = rdr_module_refcnt();
		if (*count == 0 && *refcnt == 0)
			break;
		sleep_ms(50);
	} while (now_ms() < end);
	rnl_close(&nl);
	return *count == 0 && *refcnt == 0;
}

#define EXPECT_SETTLED() do {							\
	int __c, __r;								\
	EXPECT_TRUE(settled(15000, &__c, &__r))					\
		TH_LOG("left behind: %d sandboxes, module refcnt %d", __c, __r);\
} while (0)

#endif /* REL_KSFT_H */
