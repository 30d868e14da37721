// SPDX-License-Identifier: GPL-2.0
/* A target's cgroups (v2, or v1's hierarchy per controller) and the limits the views show. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* The v1 hierarchy's directory of each controller (mounted by name, as systemd and Docker do). */
static const char *const v1_names[SENTRY_CG_NR] = {
	[SENTRY_CG_MEMORY] = "memory",
	[SENTRY_CG_CPU] = "cpu",
	[SENTRY_CG_CPUSET] = "cpuset",
	[SENTRY_CG_CPUACCT] = "cpuacct",
	[SENTRY_CG_PIDS] = "pids",
	[SENTRY_CG_PSI] = NULL,		/* pressure files exist only in v2 */
};

int sentry_read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

int sentry_cg_read_u64(const char *dir, const char *file, uint64_t *v)
{
	char path[PATH_MAX + 64], buf[64], *end;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ret = sentry_read_small(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	buf[strcspn(buf, "\n")] = '\0';
	if (!strcmp(buf, "max")) {
		*v = UINT64_MAX;
		return 0;
	}
	/* v1's "no quota" */
	if (!strcmp(buf, "-1")) {
		*v = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return (end == buf || *end || errno || buf[0] == '-') ? -EINVAL : 0;
}

/* A "key value" line of a flat-keyed file (memory.stat, cpu.stat); -ENOENT when absent. */
static int keyed_value(const char *text, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			*v = strtoull(p + klen + 1, NULL, 10);
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int sentry_cgroup_of(pid_t pid, struct sentry_cgroup *cg)
{
	char path[64], line[PATH_MAX + 128], v2[PATH_MAX] = "", v1[SENTRY_CG_NR][PATH_MAX];
	const char *v2_base = NULL;
	struct stat st;
	FILE *f;
	int i;

	memset(cg, 0, sizeof(*cg));
	memset(v1, 0, sizeof(v1));
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *ctl, *p, *tok, *save;

		line[strcspn(line, "\n")] = '\0';
		ctl = strchr(line, ':');
		p = ctl ? strchr(ctl + 1, ':') : NULL;
		/* a path outside our cgroup namespace ("/.."): nothing of ours to read */
		if (!p || p[1] != '/' || strstr(p, "/.."))
			continue;
		*p++ = '\0';
		*ctl++ = '\0';
		if (!strcmp(line, "0") && !*ctl) {
			snprintf(v2, sizeof(v2), "%s", p);
			continue;
		}
		for (tok = strtok_r(ctl, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			for (i = 0; i < SENTRY_CG_NR; i++)
				if (v1_names[i] && !strcmp(tok, v1_names[i]))
					snprintf(v1[i], sizeof(v1[i]), "%s", p);
	}
	fclose(f);
	if (stat(CGROUP_ROOT "/cgroup.controllers", &st) == 0)
		v2_base = CGROUP_ROOT;
	else if (stat(CGROUP_ROOT "/unified/cgroup.controllers", &st) == 0)
		v2_base = CGROUP_ROOT "/unified";
	for (i = 0; i < SENTRY_CG_NR; i++) {
		char base[PATH_MAX];
		const char *rel;
		int n;

		if (v1[i][0] && v1_names[i] &&
		    (snprintf(base, sizeof(base), "%s/%s", CGROUP_ROOT, v1_names[i]), is_dir(base))) {
			rel = v1[i];
			cg->c[i].v1 = true;
		} else if (v2[0] && v2_base) {
			snprintf(base, sizeof(base), "%s", v2_base);
			rel = v2;
		} else {
			continue;
		}
		n = snprintf(cg->c[i].dir, sizeof(cg->c[i].dir), "%s%s", base,
			     strcmp(rel, "/") ? rel : "");
		if (n < 0 || (size_t)n >= sizeof(cg->c[i].dir)) {
			cg->c[i].dir[0] = '\0';
			continue;
		}
		cg->c[i].base_len = strlen(base);
	}
	return 0;
}

/* Where the target's memory is accounted, by version. */
static const struct {
	const char *max, *current;
} mem_files[2] = {
	{ "memory.max", "memory.current" },			/* v2 */
	{ "memory.limit_in_bytes", "memory.usage_in_bytes" },	/* v1 */
};

/* memory.stat's keys (v2 name; v1 the same with "total_", or its own) for each figure. */
static const struct {
	const char *v2, *v1;
} stat_keys[SENTRY_MEMSTAT_NR] = {
	[SENTRY_MEMSTAT_ANON] = { "anon", "rss" },
	[SENTRY_MEMSTAT_FILE] = { "file", "cache" },
	[SENTRY_MEMSTAT_SHMEM] = { "shmem", "shmem" },
	[SENTRY_MEMSTAT_MAPPED] = { "file_mapped", "mapped_file" },
	[SENTRY_MEMSTAT_DIRTY] = { "file_dirty", "dirty" },
	[SENTRY_MEMSTAT_WRITEBACK] = { "file_writeback", "writeback" },
	[SENTRY_MEMSTAT_ACTIVE_ANON] = { "active_anon", "active_anon" },
	[SENTRY_MEMSTAT_INACTIVE_ANON] = { "inactive_anon", "inactive_anon" },
	[SENTRY_MEMSTAT_ACTIVE_FILE] = { "active_file", "active_file" },
	[SENTRY_MEMSTAT_INACTIVE_FILE] = { "inactive_file", "inactive_file" },
	[SENTRY_MEMSTAT_UNEVICTABLE] = { "unevictable", "unevictable" },
	[SENTRY_MEMSTAT_SLAB_RECLAIMABLE] = { "slab_reclaimable", NULL },
	[SENTRY_MEMSTAT_SLAB_UNRECLAIMABLE] = { "slab_unreclaimable", NULL },
};

static void read_memstat(const char *dir, bool v1, struct sentry_cg_memory *m)
{
	char path[PATH_MAX + 64], key[64], *text;
	int i;

	text = malloc(16384);
	if (!text)
		return;
	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	if (sentry_read_small(path, text, 16384) < 0) {
		free(text);
		return;
	}
	for (i = 0; i < SENTRY_MEMSTAT_NR; i++) {
		const char *k = v1 ? stat_keys[i].v1 : stat_keys[i].v2;

		if (!k)
			continue;
		snprintf(key, sizeof(key), "%s%s", v1 ? "total_" : "", k);
		if (keyed_value(text, key, &m->stat[i]) == 0)
			m->has_stat |= 1u << i;
	}
	free(text);
}

/*
 * The ancestor (the target's own cgroup included) with the least room under
 * its limit sets total (its limit) and used: that is where the target would
 * hit the wall.  A limit at or above the machine's memory is none.
 */
void sentry_cgroup_memory(const struct sentry_cgroup *cg, uint64_t machine, uint64_t machine_swap,
			  struct sentry_cg_memory *m)
{
	char dir[PATH_MAX], best[PATH_MAX] = "";
	uint64_t max, cur, room, best_room = UINT64_MAX, v, w;
	bool v1 = cg->c[SENTRY_CG_MEMORY].v1;
	size_t base_len = cg->c[SENTRY_CG_MEMORY].base_len;
	char *slash;

	memset(m, 0, sizeof(*m));
	if (!cg->c[SENTRY_CG_MEMORY].dir[0])
		return;
	memcpy(dir, cg->c[SENTRY_CG_MEMORY].dir, sizeof(dir));
	while (strlen(dir) > base_len) {
		if (sentry_cg_read_u64(dir, mem_files[v1].max, &max) == 0 && max < machine &&
		    sentry_cg_read_u64(dir, mem_files[v1].current, &cur) == 0) {
			room = cur >= max ? 0 : max - cur;
			if (room < best_room) {
				best_room = room;
				m->total = max;
				m->used = cur >= max ? max : cur;
				snprintf(best, sizeof(best), "%s", dir);
			}
		}
		slash = strrchr(dir, '/');
		*slash = '\0';
	}
	if (!best[0])
		return;
	m->limited = true;
	read_memstat(best, v1, m);
	if (!v1 && sentry_cg_read_u64(best, "memory.swap.max", &max) == 0 &&
	    sentry_cg_read_u64(best, "memory.swap.current", &cur) == 0 && max < machine_swap) {
		m->swap_limited = true;
		m->swap_total = max;
		m->swap_used = cur > max ? max : cur;
	} else if (v1 && sentry_cg_read_u64(best, "memory.memsw.limit_in_bytes", &v) == 0 &&
		   sentry_cg_read_u64(best, "memory.memsw.usage_in_bytes", &w) == 0 &&
		   v >= m->total && v - m->total < machine_swap) {
		/* v1 limits memory and swap together: swap is what memsw allows beyond memory */
		m->swap_limited = true;
		m->swap_total = v - m->total;
		m->swap_used = w > m->used ? w - m->used : 0;
		if (m->swap_used > m->swap_total)
			m->swap_used = m->swap_total;
	}
}

uint64_t sentry_cg_memory_free(const struct sentry_cg_memory *m)
{
	return m->total - m->used;
}

uint64_t sentry_cg_memory_available(const struct sentry_cg_memory *m)
{
	uint64_t avail = sentry_cg_memory_free(m) + m->stat[SENTRY_MEMSTAT_ACTIVE_FILE] +
			 m->stat[SENTRY_MEMSTAT_INACTIVE_FILE] +
			 m->stat[SENTRY_MEMSTAT_SLAB_RECLAIMABLE];

	return avail > m->total ? m->total : avail;
}

int sentry_cpulist_parse(const char *s, int *cpus, int max)
{
	int n = 0;

	while (*s && *s != '\n') {
		char *end;
		long lo, hi;

		lo = strtol(s, &end, 10);
		if (end == s || lo < 0)
			return -EINVAL;
		hi = lo;
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s || hi < lo)
				return -EINVAL;
		}
		for (; lo <= hi; lo++) {
			if (n >= max)
				return -E2BIG;
			if (n && cpus[n - 1] >= lo)
				return -EINVAL;	/* ascending, as the kernel writes it */
			cpus[n++] = (int)lo;
		}
		s = end;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	return n;
}

/* CPUs as ceil(quota / period), as LXCFS counts them; 0: no quota. */
static int quota_cpus(uint64_t quota, uint64_t period)
{
	uint64_t n;

	if (quota == UINT64_MAX || !period)
		return 0;
	n = quota / period + (quota % period != 0);
	return n ? (n > SENTRY_VIEW_CPUS_MAX ? SENTRY_VIEW_CPUS_MAX : (int)n) : 1;
}

/* The smallest quota of the cpu cgroup and its ancestors, in CPUs; 0: none. */
static int cpu_quota(const struct sentry_cgroup *cg)
{
	char dir[PATH_MAX], buf[64], path[PATH_MAX + 16], *slash;
	size_t base_len = cg->c[SENTRY_CG_CPU].base_len;
	int best = 0, n;

	if (!cg->c[SENTRY_CG_CPU].dir[0])
		return 0;
	memcpy(dir, cg->c[SENTRY_CG_CPU].dir, sizeof(dir));
	while (strlen(dir) > base_len) {
		uint64_t quota = UINT64_MAX, period = 0;

		if (cg->c[SENTRY_CG_CPU].v1) {
			if (sentry_cg_read_u64(dir, "cpu.cfs_quota_us", &quota) < 0 ||
			    sentry_cg_read_u64(dir, "cpu.cfs_period_us", &period) < 0)
				quota = UINT64_MAX;
		} else {
			snprintf(path, sizeof(path), "%s/cpu.max", dir);
			if (sentry_read_small(path, buf, sizeof(buf)) > 0) {
				unsigned long long q, p;

				if (sscanf(buf, "%llu %llu", &q, &p) == 2) {
					quota = q;
					period = p;
				}
			}
		}
		n = quota_cpus(quota, period);
		if (n && (!best || n < best))
			best = n;
		slash = strrchr(dir, '/');
		*slash = '\0';
	}
	return best;
}

void sentry_cgroup_cpu(const struct sentry_cgroup *cg, struct sentry_cg_cpu *c)
{
	int online[SENTRY_VIEW_CPUS_MAX], set[SENTRY_VIEW_CPUS_MAX], n_online, n_set = -1, i, j;
	char buf[4096], path[PATH_MAX + 32], stat[4096];
	uint64_t v;

	memset(c, 0, sizeof(*c));
	if (sentry_read_small("/sys/devices/system/cpu/online", buf, sizeof(buf)) < 0 ||
	    (n_online = sentry_cpulist_parse(buf, online, SENTRY_VIEW_CPUS_MAX)) <= 0)
		return;
	if (cg->c[SENTRY_CG_CPUSET].dir[0]) {
		snprintf(path, sizeof(path), "%s/%s", cg->c[SENTRY_CG_CPUSET].dir,
			 cg->c[SENTRY_CG_CPUSET].v1 ? "cpuset.effective_cpus" : "cpuset.cpus.effective");
		if (sentry_read_small(path, buf, sizeof(buf)) >= 0)
			n_set = sentry_cpulist_parse(buf, set, SENTRY_VIEW_CPUS_MAX);
	}
	/* the cpuset's CPUs that are online (all online ones without a cpuset) */
	for (i = 0, j = 0; i < n_online; i++) {
		bool in = n_set <= 0;
		int k;

		for (k = 0; !in && k < n_set; k++)
			in = set[k] == online[i];
		if (in)
			c->cpus[j++] = online[i];
	}
	c->n_cpus = j;
	c->quota_cpus = cpu_quota(cg);
	c->shown = c->quota_cpus && c->quota_cpus < c->n_cpus ? c->quota_cpus : c->n_cpus;
	/* CPU time the cgroup used, for /proc/uptime's idle */
	if (cg->c[SENTRY_CG_CPUACCT].v1 && cg->c[SENTRY_CG_CPUACCT].dir[0] &&
	    sentry_cg_read_u64(cg->c[SENTRY_CG_CPUACCT].dir, "cpuacct.usage", &v) == 0) {
		c->usage_us = v / 1000;
		c->has_usage = true;
	} else if (!cg->c[SENTRY_CG_CPU].v1 && cg->c[SENTRY_CG_CPU].dir[0]) {
		snprintf(path, sizeof(path), "%s/cpu.stat", cg->c[SENTRY_CG_CPU].dir);
		if (sentry_read_small(path, stat, sizeof(stat)) >= 0 &&
		    keyed_value(stat, "usage_usec", &v) == 0) {
			c->usage_us = v;
			c->has_usage = true;
		}
	}
}
