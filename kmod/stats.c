// SPDX-License-Identifier: GPL-2.0
/*
 * Per-sandbox and per-syscall counters and the forwarded-call latency histogram.
 */
#include "stats.h"
#include "main.h"

#include <linux/log2.h>
#include <linux/time64.h>
#include <linux/vmalloc.h>

int rdr_stats_init(struct rdr_sandbox_stats *st)
{
	/* the caller gets ENOMEM: no allocation-failure splat on top */
	st->per_nr = __vmalloc(array_size(RDR_STATS_NR, sizeof(*st->per_nr)),
			       GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	return st->per_nr ? 0 : -ENOMEM;
}

void rdr_stats_free(struct rdr_sandbox_stats *st)
{
	vfree(st->per_nr);
	st->per_nr = NULL;
}

static struct rdr_nr_stats *rdr_stats_slot(struct rdr_sandbox_stats *st, u32 nr)
{
	return &st->per_nr[min_t(u32, nr, RDR_STATS_NR - 1)];
}

/* Safe in atomic context: the fast path counts from the wake function. */
void rdr_stats_count(struct rdr_sandbox_stats *st, u32 nr, enum redirect_stat what)
{
	atomic64_inc(&st->count[what]);
	atomic64_inc(&rdr_stats_slot(st, nr)->count[what]);
}

/*
 * Bucket b holds latencies below 2^b microseconds (bucket 0: under 1 us);
 * the last bucket takes everything longer.
 */
u32 rdr_hist_bucket(u64 ns)
{
	u64 us = ns / NSEC_PER_USEC;

	if (!us)
		return 0;
	return min_t(u32, ilog2(us) + 1, REDIRECT_HIST_BUCKETS - 1);
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_hist_bucket);

/* Exclusive upper bound of @bucket in ns; U64_MAX for the last. */
u64 rdr_hist_bucket_upper_ns(u32 bucket)
{
	if (bucket >= REDIRECT_HIST_BUCKETS - 1)
		return U64_MAX;
	return (1ULL << bucket) * NSEC_PER_USEC;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_hist_bucket_upper_ns);

void rdr_stats_latency(struct rdr_sandbox_stats *st, u32 nr, u64 ns)
{
	u32 b = rdr_hist_bucket(ns);

	atomic64_inc(&st->hist[b]);
	atomic64_inc(&rdr_stats_slot(st, nr)->hist[b]);
}
