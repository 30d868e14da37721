// SPDX-License-Identifier: GPL-2.0
/* The views as synthetic files: the opening task's cgroup read once per open, its view generated. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "sentry.h"

#define HOST_TEXT_MAX (1 << 20)	/* /proc/cpuinfo of a large machine fits */

/* A host file whole (malloc'ed, NUL-terminated), or NULL. */
static char *host_text(const char *path)
{
	char *buf = malloc(HOST_TEXT_MAX);
	int n;

	if (!buf)
		return NULL;
	n = sentry_read_small(path, buf, HOST_TEXT_MAX);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void machine_memory(uint64_t *ram, uint64_t *swap)
{
	struct sysinfo si;

	*ram = *swap = UINT64_MAX;
	if (sysinfo(&si) == 0) {
		*ram = (uint64_t)si.totalram * si.mem_unit;
		*swap = (uint64_t)si.totalswap * si.mem_unit;
	}
}

/*
 * Load averages per sandbox: the kernel's exponential averages (1, 5 and
 * 15 minutes) of the sandbox's runnable and uninterruptible tasks, sampled
 * at each open instead of every 5 s, so the decay follows the time between
 * opens.  Kept by sandbox id; the oldest slot is reused.
 */
#define LOAD_SLOTS 256
static struct {
	const struct sentry_sandbox *sb;
	uint32_t id;
	double avg[3];
	struct timespec at;
} load_slots[LOAD_SLOTS];
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* e^-x without libm: halved until small, a short series, squared back (load figures only). */
static double exp_neg(double x)
{
	double r;
	int k = 0;

	if (x > 50)
		return 0;
	if (x < 0)
		x = 0;
	for (; x > 0.25; k++)
		x /= 2;
	r = 1 - x + x * x / 2 - x * x * x / 6 + x * x * x * x / 24;
	while (k--)
		r *= r;
	return r;
}

static void load_update(const struct sentry_sandbox *sb, unsigned int active, double avg[3])
{
	static const double period[3] = { 60, 300, 900 };
	struct timespec now;
	int i, slot = -1, oldest = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&load_lock);
	for (i = 0; i < LOAD_SLOTS && slot < 0; i++)
		if (load_slots[i].sb == sb && load_slots[i].id == sb->sandbox_id)
			slot = i;
	if (slot < 0) {
		for (i = 1; i < LOAD_SLOTS; i++)
			if (load_slots[i].at.tv_sec < load_slots[oldest].at.tv_sec)
				oldest = i;
		slot = oldest;
		load_slots[slot].sb = sb;
		load_slots[slot].id = sb->sandbox_id;
		for (i = 0; i < 3; i++)
			load_slots[slot].avg[i] = active;
	} else {
		double dt = (double)(now.tv_sec - load_slots[slot].at.tv_sec) +
			    (double)(now.tv_nsec - load_slots[slot].at.tv_nsec) / 1e9;

		for (i = 0; i < 3; i++) {
			double e = exp_neg(dt / period[i]);

			load_slots[slot].avg[i] = load_slots[slot].avg[i] * e + active * (1 - e);
		}
	}
	load_slots[slot].at = now;
	memcpy(avg, load_slots[slot].avg, sizeof(load_slots[slot].avg));
	pthread_mutex_unlock(&load_lock);
}

/* The cgroup's threads: how many, how many running or in D state, the newest pid. */
static int cgroup_tasks(const struct sentry_cgroup *cg, unsigned int *running,
			unsigned int *total, int *last)
{
	int ctl = cg->c[SENTRY_CG_CPU].dir[0] ? SENTRY_CG_CPU : SENTRY_CG_PIDS;
	char path[PATH_MAX + 32], stat[512];
	FILE *f;
	int tid;

	if (!cg->c[ctl].dir[0] || strlen(cg->c[ctl].dir) <= cg->c[ctl].base_len)
		return -ENOENT;	/* the root: the host's own load */
	snprintf(path, sizeof(path), "%s/%s", cg->c[ctl].dir,
		 cg->c[ctl].v1 ? "tasks" : "cgroup.threads");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	*running = *total = 0;
	*last = 0;
	while (fscanf(f, "%d", &tid) == 1) {
		char *p;

		(*total)++;
		if (tid > *last)
			*last = tid;
		snprintf(path, sizeof(path), "/proc/%d/stat", tid);
		if (sentry_read_small(path, stat, sizeof(stat)) < 0)
			continue;
		p = strrchr(stat, ')');
		if (p && (p[2] == 'R' || p[2] == 'D'))
			(*running)++;
	}
	fclose(f);
	return 0;
}

static int view_text(const struct sentry_sandbox *sb, pid_t pid, enum redirect_view view,
		     FILE *out)
{
	static const char *const psi[] = {
		[REDIRECT_VIEW_PRESSURE_CPU] = "cpu",
		[REDIRECT_VIEW_PRESSURE_MEMORY] = "memory",
		[REDIRECT_VIEW_PRESSURE_IO] = "io",
	};
	struct sentry_cgroup *cg = malloc(sizeof(*cg));
	struct sentry_cg_memory m;
	struct sentry_cg_cpu *c = NULL;
	char *host = NULL, path[PATH_MAX + 32];
	uint64_t ram, swap;
	int ret = 0;

	if (!cg)
		return -ENOMEM;
	ret = sentry_cgroup_of(pid, cg);
	if (ret < 0)
		goto out;
	switch (view) {
	case REDIRECT_VIEW_MEMINFO:
	case REDIRECT_VIEW_SWAPS:
		host = host_text(view == REDIRECT_VIEW_MEMINFO ? "/proc/meminfo" : "/proc/swaps");
		if (!host) {
			ret = -EIO;
			break;
		}
		machine_memory(&ram, &swap);
		sentry_cgroup_memory(cg, ram, swap, &m);
		ret = view == REDIRECT_VIEW_MEMINFO ? sentry_view_meminfo(out, host, &m) :
						      sentry_view_swaps(out, host, &m);
		break;
	case REDIRECT_VIEW_CPUINFO:
	case REDIRECT_VIEW_STAT:
	case REDIRECT_VIEW_CPU_ONLINE:
		c = malloc(sizeof(*c));
		if (!c) {
			ret = -ENOMEM;
			break;
		}
		sentry_cgroup_cpu(cg, c);
		if (view == REDIRECT_VIEW_CPU_ONLINE) {
			if (c->shown > 0) {
				ret = sentry_view_cpu_online(out, c->shown);
				break;
			}
			host = host_text("/sys/devices/system/cpu/online");
		} else {
			host = host_text(view == REDIRECT_VIEW_CPUINFO ? "/proc/cpuinfo" : "/proc/stat");
		}
		if (!host)
			ret = -EIO;
		else if (view == REDIRECT_VIEW_CPUINFO)
			ret = sentry_view_cpuinfo(out, host, c->cpus, c->shown);
		else if (view == REDIRECT_VIEW_STAT)
			ret = sentry_view_stat(out, host, c->cpus, c->shown);
		else
			fputs(host, out);
		break;
	case REDIRECT_VIEW_UPTIME: {
		long long up = sb->pid > 0 ? sentry_started_ago_cs(sb->pid) : -ESRCH;
		uint64_t idle = 0, busy_cs;

		if (up < 0)
			up = sentry_started_ago_cs(pid);
		if (up < 0) {
			ret = (int)up;
			break;
		}
		c = malloc(sizeof(*c));
		if (!c) {
			ret = -ENOMEM;
			break;
		}
		/* idle: what the CPUs shown did not spend on the cgroup meanwhile */
		sentry_cgroup_cpu(cg, c);
		if (c->shown > 0) {
			busy_cs = c->has_usage ? c->usage_us / 10000 : 0;
			idle = (uint64_t)up * (uint64_t)c->shown;
			idle = idle > busy_cs ? idle - busy_cs : 0;
		}
		ret = sentry_view_uptime(out, (uint64_t)up, idle);
		break;
	}
	case REDIRECT_VIEW_LOADAVG: {
		unsigned int running = 0, total = 0;
		double avg[3];
		int last = 0;

		if (cgroup_tasks(cg, &running, &total, &last) < 0) {
			host = host_text("/proc/loadavg");
			if (host)
				fputs(host, out);
			else
				ret = -EIO;
			break;
		}
		load_update(sb, running, avg);
		ret = sentry_view_loadavg(out, avg, running, total, last);
		break;
	}
	case REDIRECT_VIEW_PRESSURE_CPU:
	case REDIRECT_VIEW_PRESSURE_MEMORY:
	case REDIRECT_VIEW_PRESSURE_IO:
		/* the cgroup's own pressure (v2), same format; the host's without one */
		snprintf(path, sizeof(path), "%s/%s.pressure", cg->c[SENTRY_CG_PSI].dir, psi[view]);
		host = cg->c[SENTRY_CG_PSI].dir[0] ? host_text(path) : NULL;
		if (!host) {
			snprintf(path, sizeof(path), "/proc/pressure/%s", psi[view]);
			host = host_text(path);
		}
		if (host)
			fputs(host, out);
		else
			ret = -ENOENT;	/* no PSI in this kernel: as the real path would be */
		break;
	default:
		ret = -EINVAL;
	}
out:
	free(host);
	free(c);
	free(cg);
	return ret;
}

int sentry_view_content(const struct sentry_sandbox *sb, pid_t pid, const char *path,
			char **data, size_t *len)
{
	int view = redirect_view_of_path(path), ret;
	FILE *out;

	if (view < 0 || !redirect_policy_view_enabled(sb->policy, (enum redirect_view)view))
		return 0;
	*data = NULL;
	*len = 0;
	out = open_memstream(data, len);
	if (!out)
		return -errno;
	ret = view_text(sb, pid, (enum redirect_view)view, out);
	if (fclose(out) != 0 && ret == 0)
		ret = -ENOMEM;
	if (ret < 0) {
		free(*data);
		*data = NULL;
		return ret;
	}
	return 1;
}

#define VIEW_FILE(name, path)								\
int sentry_viewfile_##name(const struct sentry_sandbox *sb, pid_t pid, char **data,	\
			   size_t *len)							\
{											\
	return sentry_view_content(sb, pid, path, data, len);				\
}
VIEW_FILE(meminfo, "/proc/meminfo")
VIEW_FILE(cpuinfo, "/proc/cpuinfo")
VIEW_FILE(stat, "/proc/stat")
VIEW_FILE(cpu_online, "/sys/devices/system/cpu/online")
VIEW_FILE(uptime, "/proc/uptime")
VIEW_FILE(loadavg, "/proc/loadavg")
VIEW_FILE(swaps, "/proc/swaps")
VIEW_FILE(pressure_cpu, "/proc/pressure/cpu")
VIEW_FILE(pressure_memory, "/proc/pressure/memory")
VIEW_FILE(pressure_io, "/proc/pressure/io")
