/* SPDX-License-Identifier: GPL-2.0 */
/* The module's reports (sandboxes, per-call statistics, rules) behind the public getters. */
#ifndef LIBREDIRECT_CTL_INFO_H
#define LIBREDIRECT_CTL_INFO_H

#include "libredirect.h"

/* Sized by this library's UAPI header: a program never sees these layouts. */
struct redirect_counters {
	uint64_t stats[REDIRECT_STAT_COUNT];
	uint64_t hist[REDIRECT_HIST_BUCKETS];
};

struct redirect_sandbox_info {
	uint32_t sandbox_id;
	char name[REDIRECT_NAME_MAX];
	uint32_t fail_mode;
	bool owned;
	uint32_t forward_pending;
	uint32_t delivered;
	uint32_t replay;
	uint64_t rules_generation;
	struct redirect_counters counters;
};

struct redirect_syscall_stats {
	uint32_t nr;
	struct redirect_counters counters;
};

struct redirect_rule_info {
	uint32_t index;
	uint64_t hits;
	uint64_t generation;
	struct redirect_rule rule;
};

/* A dump: n items, malloc()ed together; netlink.c fills them, ctl_info.c reads them. */
struct redirect_sandbox_list {
	struct redirect_sandbox_info *items;
	size_t n;
};

struct redirect_syscall_stats_list {
	struct redirect_syscall_stats *items;
	size_t n;
};

struct redirect_rule_info_list {
	struct redirect_rule_info *items;
	size_t n;
};

/* 0 when the family speaks REDIRECT_GENL_VERSION, else EPROTONOSUPPORT naming both. */
int redirect_ctl_check_version(uint32_t version, struct redirect_error **err);

#endif /* LIBREDIRECT_CTL_INFO_H */
