// SPDX-License-Identifier: GPL-2.0
/*
 * Per-sandbox and per-syscall counters and the forwarded-call latency histogram.
 */
#include "stats.h"
#include "main.h"

#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/vmalloc.h>

int rdr_stats_init(struct rdr_sandbox_stats *st)
{
	st->total = alloc_percpu(struct rdr_counters);
	if (!st->total)
		return -ENOMEM;
	/* the caller gets ENOMEM: no allocation-failure splat on top */
	st->per_nr = __vmalloc(array_size(RDR_STATS_NR, sizeof(*st->per_nr)),
			       GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!st->per_nr) {
		free_percpu(st->total);
		st->total = NULL;
		return -ENOMEM;
	}
	return 0;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_stats_init);

void rdr_stats_free(struct rdr_sandbox_stats *st)
{
	vfree(st->per_nr);
	st->per_nr = NULL;
	free_percpu(st->total);
	st->total = NULL;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_stats_free);

static struct rdr_nr_stats *rdr_stats_slot(struct rdr_sandbox_stats *st, u32 nr)
{
	return &st->per_nr[min_t(u32, nr, RDR_STATS_NR - 1)];
}

/* Safe in atomic context: the fast path counts from the wake function. */
void rdr_stats_count(struct rdr_sandbox_stats *st, u32 nr, enum redirect_stat what)
{
	this_cpu_inc(st->total->count[what]);
	atomic64_inc(&rdr_stats_slot(st, nr)->count[what]);
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_stats_count);

/* A sum over CPUs that may be counting meanwhile: each counter is exact on its own. */
void rdr_stats_read_total(struct rdr_sandbox_stats *st, struct rdr_counters *out)
{
	int cpu, i;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct rdr_counters *c = per_cpu_ptr(st->total, cpu);

		for (i = 0; i < REDIRECT_STAT_COUNT; i++)
			out->count[i] += READ_ONCE(c->count[i]);
		for (i = 0; i < REDIRECT_HIST_BUCKETS; i++)
			out->hist[i] += READ_ONCE(c->hist[i]);
	}
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_stats_read_total);

void rdr_stats_read_nr(struct rdr_sandbox_stats *st, u32 nr, struct rdr_counters *out)
{
	struct rdr_nr_stats *slot = rdr_stats_slot(st, nr);
	int i;

	for (i = 0; i < REDIRECT_STAT_COUNT; i++)
		out->count[i] = atomic64_read(&slot->count[i]);
	for (i = 0; i < REDIRECT_HIST_BUCKETS; i++)
		out->hist[i] = atomic64_read(&slot->hist[i]);
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_stats_read_nr);

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

	this_cpu_inc(st->total->hist[b]);
	atomic64_inc(&rdr_stats_slot(st, nr)->hist[b]);
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_stats_latency);
