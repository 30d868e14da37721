// SPDX-License-Identifier: GPL-2.0
/* The views' text: the host's file rewritten with the cgroup's figures (pure functions). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry.h"

/* One /proc/meminfo line as the kernel prints it: the label padded to 16, kB right-aligned. */
static void meminfo_line(FILE *out, const char *key, size_t klen, uint64_t bytes)
{
	char label[64];

	snprintf(label, sizeof(label), "%.*s:", (int)klen, key);
	fprintf(out, "%-16s%8llu kB\n", label, (unsigned long long)(bytes / 1024));
}

/* The bytes a limited cgroup shows for a meminfo key; false: the host's line stays. */
static bool meminfo_value(const char *key, size_t klen, const struct sentry_cg_memory *m,
			  uint64_t *v)
{
	static const struct {
		const char *key;
		int a, b;		/* SENTRY_MEMSTAT_* summed; -1: none */
	} sums[] = {
		{ "Cached", SENTRY_MEMSTAT_FILE, -1 },
		{ "Active", SENTRY_MEMSTAT_ACTIVE_ANON, SENTRY_MEMSTAT_ACTIVE_FILE },
		{ "Inactive", SENTRY_MEMSTAT_INACTIVE_ANON, SENTRY_MEMSTAT_INACTIVE_FILE },
		{ "Active(anon)", SENTRY_MEMSTAT_ACTIVE_ANON, -1 },
		{ "Inactive(anon)", SENTRY_MEMSTAT_INACTIVE_ANON, -1 },
		{ "Active(file)", SENTRY_MEMSTAT_ACTIVE_FILE, -1 },
		{ "Inactive(file)", SENTRY_MEMSTAT_INACTIVE_FILE, -1 },
		{ "Unevictable", SENTRY_MEMSTAT_UNEVICTABLE, -1 },
		{ "Dirty", SENTRY_MEMSTAT_DIRTY, -1 },
		{ "Writeback", SENTRY_MEMSTAT_WRITEBACK, -1 },
		{ "AnonPages", SENTRY_MEMSTAT_ANON, -1 },
		{ "Mapped", SENTRY_MEMSTAT_MAPPED, -1 },
		{ "Shmem", SENTRY_MEMSTAT_SHMEM, -1 },
		{ "KReclaimable", SENTRY_MEMSTAT_SLAB_RECLAIMABLE, -1 },
		{ "Slab", SENTRY_MEMSTAT_SLAB_RECLAIMABLE, SENTRY_MEMSTAT_SLAB_UNRECLAIMABLE },
		{ "SReclaimable", SENTRY_MEMSTAT_SLAB_RECLAIMABLE, -1 },
		{ "SUnreclaim", SENTRY_MEMSTAT_SLAB_UNRECLAIMABLE, -1 },
	};
	size_t i;

#define IS(k) (klen == sizeof(k) - 1 && !memcmp(key, k, klen))
	if (IS("MemTotal"))
		*v = m->total;
	else if (IS("MemFree"))
		*v = sentry_cg_memory_free(m);
	else if (IS("MemAvailable"))
		*v = sentry_cg_memory_available(m);
	else if (IS("Buffers") || IS("SwapCached"))
		*v = 0;		/* not accounted per cgroup */
	else if (IS("SwapTotal") && m->swap_limited)
		*v = m->swap_total;
	else if (IS("SwapFree") && m->swap_limited)
		*v = m->swap_total - m->swap_used;
	else
		goto sums;
	return true;
sums:
	for (i = 0; i < ARRAY_SIZE(sums); i++) {
		if (strlen(sums[i].key) != klen || memcmp(sums[i].key, key, klen))
			continue;
		/* a figure the cgroup does not account (v1's slab) is 0, never the host's */
		*v = m->stat[sums[i].a] + (sums[i].b >= 0 ? m->stat[sums[i].b] : 0);
		if (*v > m->total)
			*v = m->total;
		return true;
	}
#undef IS
	return false;
}

int sentry_view_meminfo(FILE *out, const char *host, const struct sentry_cg_memory *m)
{
	const char *line = host, *next, *colon;
	uint64_t v;

	if (!m->limited) {
		fputs(host, out);
		return 0;
	}
	for (; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		colon = memchr(line, ':', (size_t)(next - line));
		if (colon && meminfo_value(line, (size_t)(colon - line), m, &v))
			meminfo_line(out, line, (size_t)(colon - line), v);
		else
			fwrite(line, 1, (size_t)(next - line), out);
	}
	return 0;
}

/* Where a host CPU is among those shown (0..n-1), or -1. */
static int shown_index(int cpu, const int *cpus, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (cpus[i] == cpu)
			return i;
	return -1;
}

int sentry_view_cpuinfo(FILE *out, const char *host, const int *cpus, int n)
{
	const char *line = host, *next, *colon;
	bool keep = true;

	if (n <= 0) {
		fputs(host, out);
		return 0;
	}
	/* one block per CPU, each opened by its "processor : N" line, closed by a blank line */
	for (; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (!strncmp(line, "processor", 9) && (colon = memchr(line, ':', (size_t)(next - line)))) {
			int idx = shown_index(atoi(colon + 1), cpus, n);

			keep = idx >= 0;
			if (keep)
				fprintf(out, "processor\t: %d\n", idx);
			continue;
		}
		if (keep)
			fwrite(line, 1, (size_t)(next - line), out);
	}
	return 0;
}

#define STAT_COLS 16

int sentry_view_stat(FILE *out, const char *host, const int *cpus, int n)
{
	unsigned long long sum[STAT_COLS] = { 0 };
	const char *line, *next;
	int cols = 0, i;

	if (n <= 0) {
		fputs(host, out);
		return 0;
	}
	/* the "cpu" line is the sum of the CPUs shown */
	for (line = host; *line; line = next) {
		const char *p;
		int c = 0;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9' ||
		    shown_index(atoi(line + 3), cpus, n) < 0)
			continue;
		for (p = strchr(line, ' '); p && p < next && c < STAT_COLS; c++) {
			char *end;
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum[c] += v;
			p = end;
		}
		if (c > cols)
			cols = c;
	}
	for (line = host; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (!strncmp(line, "cpu ", 4)) {
			fputs("cpu ", out);
			for (i = 0; i < cols; i++)
				fprintf(out, " %llu", sum[i]);
			fputc('\n', out);
		} else if (!strncmp(line, "cpu", 3) && line[3] >= '0' && line[3] <= '9') {
			const char *rest = line + 3;
			int idx = shown_index(atoi(rest), cpus, n);

			if (idx < 0)
				continue;
			rest += strspn(rest, "0123456789");
			fprintf(out, "cpu%d", idx);
			fwrite(rest, 1, (size_t)(next - rest), out);
		} else {
			fwrite(line, 1, (size_t)(next - line), out);
		}
	}
	return 0;
}

int sentry_view_cpu_online(FILE *out, int n)
{
	if (n <= 0)
		return -EINVAL;
	if (n == 1)
		fputs("0\n", out);
	else
		fprintf(out, "0-%d\n", n - 1);
	return 0;
}

int sentry_view_uptime(FILE *out, uint64_t up_cs, uint64_t idle_cs)
{
	fprintf(out, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up_cs / 100),
		(unsigned long long)(up_cs % 100), (unsigned long long)(idle_cs / 100),
		(unsigned long long)(idle_cs % 100));
	return 0;
}

int sentry_view_loadavg(FILE *out, const double avg[3], unsigned int running, unsigned int total,
			int last_pid)
{
	fprintf(out, "%.2f %.2f %.2f %u/%u %d\n", avg[0], avg[1], avg[2], running, total,
		last_pid);
	return 0;
}

int sentry_view_swaps(FILE *out, const char *host, const struct sentry_cg_memory *m)
{
	const char *nl = strchr(host, '\n');

	if (!m->limited || !m->swap_limited) {
		fputs(host, out);
		return 0;
	}
	/* the header, then the cgroup's swap as one device */
	if (nl)
		fwrite(host, 1, (size_t)(nl + 1 - host), out);
	if (m->swap_total)
		fprintf(out, "%-40s%s\t\t%llu\t\t%llu\t\t%d\n", "none", "virtual",
			(unsigned long long)(m->swap_total / 1024),
			(unsigned long long)(m->swap_used / 1024), -2);
	return 0;
}
