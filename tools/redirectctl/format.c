// SPDX-License-Identifier: GPL-2.0
/* redirectctl: the module's values (calls, verdicts, counters, latencies) as text and JSON. */
#include <json-c/json.h>
#include <linux/audit.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "redirectctl.h"

static const char *const stat_names[REDIRECT_STAT_COUNT] = {
	[REDIRECT_STAT_NOTIFIED] = "notified",	 [REDIRECT_STAT_ERRNO] = "errno",
	[REDIRECT_STAT_VALUE] = "value",	 [REDIRECT_STAT_KILL] = "kill",
	[REDIRECT_STAT_FORWARDED] = "forwarded", [REDIRECT_STAT_FALLBACK] = "fallback",
	[REDIRECT_STAT_RACED] = "raced",	 [REDIRECT_STAT_REPLAYED] = "replayed",
};

const char *syscall_name(uint32_t nr, char *buf, size_t size)
{
	if (!redirect_syscall_name(AUDIT_ARCH_X86_64, (int)nr, buf, size)) {
		if (nr == STATS_OTHER_NR)
			snprintf(buf, size, "other");
		else
			snprintf(buf, size, "syscall_%u", nr);
	}
	return buf;
}

const char *fail_mode_name(uint32_t mode)
{
	switch (mode) {
	case REDIRECT_FAIL_HOLD:
		return "hold";
	case REDIRECT_FAIL_KILL:
		return "kill";
	}
	return "unknown";
}

const char *errno_name(int64_t e, char *buf, size_t size)
{
	const char *name = e > 0 && e < 4096 ? strerrorname_np((int)e) : NULL;

	if (name)
		return name;
	snprintf(buf, size, "%lld", (long long)e);
	return buf;
}

/* "errno:EACCES", "value:42", "kill", "forward": the policy's spelling. */
const char *verdict_text(uint32_t verdict, int64_t value, char *buf, size_t size)
{
	char tmp[32];

	switch (verdict) {
	case REDIRECT_VERDICT_FORWARD:
		return "forward";
	case REDIRECT_VERDICT_ERRNO:
		snprintf(buf, size, "errno:%s", errno_name(value, tmp, sizeof(tmp)));
		return buf;
	case REDIRECT_VERDICT_VALUE:
		snprintf(buf, size, "value:%lld", (long long)value);
		return buf;
	case REDIRECT_VERDICT_KILL:
		return "kill";
	}
	snprintf(buf, size, "verdict:%u", verdict);
	return buf;
}

/*
 * Latency percentile from the histogram: the exclusive upper bound of the
 * bucket the p-th call falls in, in microseconds; 0 when nothing was
 * measured, UINT64_MAX for the open-ended last bucket.
 */
uint64_t hist_percentile(const struct redirect_counters *c, double p)
{
	uint64_t total = 0, cum = 0, rank;
	unsigned int b;

	for (b = 0; b < REDIRECT_HIST_BUCKETS; b++)
		total += redirect_counters_hist(c, b);
	if (!total)
		return 0;
	rank = (uint64_t)(p * (double)total);
	if ((double)rank < p * (double)total || !rank)
		rank++;
	for (b = 0; b < REDIRECT_HIST_BUCKETS; b++) {
		cum += redirect_counters_hist(c, b);
		if (cum >= rank)
			break;
	}
	return b >= REDIRECT_HIST_BUCKETS - 1 ? UINT64_MAX : 1ULL << b;
}

const char *latency_text(uint64_t us, char *buf, size_t size)
{
	if (!us)
		return "-";
	if (us == UINT64_MAX) {
		snprintf(buf, size, ">=%gms", (double)(1ULL << (REDIRECT_HIST_BUCKETS - 2)) / 1000);
		return buf;
	}
	if (us >= 1000)
		snprintf(buf, size, "<%gms", (double)us / 1000);
	else
		snprintf(buf, size, "<%lluus", (unsigned long long)us);
	return buf;
}

const double percentiles[NR_PERCENTILES] = { 0.50, 0.90, 0.99, 1.0 };
static const char *const percentile_names[] = { "p50", "p90", "p99", "max" };

struct json_object *latency_json(const struct redirect_counters *c)
{
	struct json_object *o = json_object_new_object(), *h = json_object_new_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(percentiles); i++) {
		uint64_t us = hist_percentile(c, percentiles[i]);

		/* null: nothing measured, or beyond the last bounded bucket */
		json_object_object_add(o, percentile_names[i],
				       us && us != UINT64_MAX ? json_object_new_int64((int64_t)us) :
								NULL);
	}
	for (i = 0; i < REDIRECT_HIST_BUCKETS; i++) {
		uint64_t calls = redirect_counters_hist(c, (unsigned int)i);

		json_object_array_add(h, json_object_new_int64((int64_t)calls));
	}
	json_object_object_add(o, "histogram", h);
	return o;
}

uint64_t counter(const struct redirect_counters *c, enum redirect_stat k)
{
	return redirect_counters_stat(c, k);
}

struct json_object *stats_json(const struct redirect_counters *c)
{
	struct json_object *o = json_object_new_object();
	unsigned int k;

	for (k = 0; k < REDIRECT_STAT_COUNT; k++)
		json_object_object_add(o, stat_names[k],
				       json_object_new_int64((int64_t)counter(c, k)));
	return o;
}

void print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
