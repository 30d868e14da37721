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

/* What netlink reports of one sandbox or one of its syscalls. */
struct rdr_counters {
	u64 count[REDIRECT_STAT_COUNT];
	u64 hist[REDIRECT_HIST_BUCKETS];
};

/*
 * Every fast-pathed call counts twice: the sandbox's totals, per CPU (every
 * task of a busy sandbox writes them; summed when read), and its syscall's
 * slot, shared atomics (a per-CPU copy of the 512 slots would cost ~100 KiB
 * per CPU and sandbox; tasks contend there only on one syscall).
 */
struct rdr_sandbox_stats {
	struct rdr_counters __percpu *total;
	struct rdr_nr_stats *per_nr;	/* RDR_STATS_NR entries */
};

int rdr_stats_init(struct rdr_sandbox_stats *st);
void rdr_stats_free(struct rdr_sandbox_stats *st);
void rdr_stats_count(struct rdr_sandbox_stats *st, u32 nr, enum redirect_stat what);
void rdr_stats_latency(struct rdr_sandbox_stats *st, u32 nr, u64 ns);
void rdr_stats_read_total(struct rdr_sandbox_stats *st, struct rdr_counters *out);
void rdr_stats_read_nr(struct rdr_sandbox_stats *st, u32 nr, struct rdr_counters *out);
u32 rdr_hist_bucket(u64 ns);
u64 rdr_hist_bucket_upper_ns(u32 bucket);

#endif /* _RDR_STATS_H */
