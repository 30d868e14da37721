/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-sandbox and per-syscall counters and the forwarded-call latency histogram.
 */
#ifndef _RDR_STATS_H
#define _RDR_STATS_H

#include <linux/redirect.h>
#include <linux/atomic.h>
#include <linux/types.h>

/* Syscalls counted one by one; larger numbers share the last slot. */
#define RDR_STATS_NR 512

struct rdr_nr_stats {
	atomic64_t count[REDIRECT_STAT_COUNT];
	atomic64_t hist[REDIRECT_HIST_BUCKETS];
};

struct rdr_sandbox_stats {
	atomic64_t count[REDIRECT_STAT_COUNT];
	atomic64_t hist[REDIRECT_HIST_BUCKETS];
	struct rdr_nr_stats *per_nr;	/* RDR_STATS_NR entries */
};

int rdr_stats_init(struct rdr_sandbox_stats *st);
void rdr_stats_free(struct rdr_sandbox_stats *st);
void rdr_stats_count(struct rdr_sandbox_stats *st, u32 nr, enum redirect_stat what);
void rdr_stats_latency(struct rdr_sandbox_stats *st, u32 nr, u64 ns);
u32 rdr_hist_bucket(u64 ns);
u64 rdr_hist_bucket_upper_ns(u32 bucket);

#endif /* _RDR_STATS_H */
