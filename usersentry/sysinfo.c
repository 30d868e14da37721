// SPDX-License-Identifier: GPL-2.0
/* The sysinfo handler: memory as the target's cgroup sees it, uptime since the sandbox began. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "sentry.h"

/*
 * Memory through the cgroup (cgroup.c): the ancestor with the least room
 * under its limit sets total and free, as /proc/meminfo's view shows them.
 * No limit below the machine's memory anywhere: the host's figures stay.
 */
static void cgroup_memory(pid_t pid, struct sysinfo *si)
{
	uint64_t machine = (uint64_t)si->totalram * si->mem_unit, v;
	struct sentry_cgroup *cg = malloc(sizeof(*cg));
	struct sentry_cg_memory m;

	if (!cg)
		return;
	if (sentry_cgroup_of(pid, cg) < 0) {
		free(cg);
		return;
	}
	/* tasks of the target's own cgroup (threads, as sysinfo counts them), v2 */
	if (cg->c[SENTRY_CG_PIDS].dir[0] && !cg->c[SENTRY_CG_PIDS].v1 &&
	    sentry_cg_read_u64(cg->c[SENTRY_CG_PIDS].dir, "pids.current", &v) == 0 && v &&
	    v <= 0xffff)
		si->procs = (unsigned short)v;
	sentry_cgroup_memory(cg, machine, (uint64_t)si->totalswap * si->mem_unit, &m);
	free(cg);
	if (!m.limited)
		return;
	si->totalram = m.total;
	si->freeram = sentry_cg_memory_free(&m);
	si->sharedram = m.stat[SENTRY_MEMSTAT_SHMEM] <= m.total ? m.stat[SENTRY_MEMSTAT_SHMEM] : 0;
	si->bufferram = 0;
	si->totalhigh = si->freehigh = 0;
	if (m.swap_limited) {
		si->totalswap = m.swap_total;
		si->freeswap = m.swap_total - m.swap_used;
	} else {
		si->totalswap *= si->mem_unit;
		si->freeswap *= si->mem_unit;
	}
	si->mem_unit = 1;
}

long long sentry_started_ago_cs(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start, now_cs;
	struct timespec now;
	long hz = sysconf(_SC_CLK_TCK);
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (sentry_read_small(path, buf, sizeof(buf)) < 0 || hz <= 0)
		return -ESRCH;
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	if (!p)
		return -EINVAL;
	/* after ")": field 3 (state) ... field 22 (starttime) */
	for (i = 0; i < 20 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return -EINVAL;
	clock_gettime(CLOCK_BOOTTIME, &now);
	now_cs = (unsigned long long)now.tv_sec * 100 + (unsigned long long)now.tv_nsec / 10000000;
	start = start * 100 / (unsigned long long)hz;
	return now_cs < start ? 0 : (long long)(now_cs - start);
}

/*
 * sysinfo(struct sysinfo *info): nothing is read from the target; the
 * struct is computed here and written with sentry_write_target() (ID_VALID
 * first).  Loads and the rest are the host's.
 */
int sentry_handle_sysinfo(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	uint64_t addr = req->data.args[0];
	struct sysinfo si;
	long long up;
	int ret;

	if (sysinfo(&si) < 0)
		return -errno;
	if (redirect_policy_sysinfo_memory(sb->policy) == REDIRECT_SYSINFO_MEMORY_CGROUP)
		cgroup_memory((pid_t)req->pid, &si);
	if (redirect_policy_sysinfo_uptime(sb->policy) == REDIRECT_SYSINFO_UPTIME_SANDBOX) {
		/* the sandbox's first task; a thread of the caller when that is gone */
		up = sb->pid > 0 ? sentry_started_ago_cs(sb->pid) : -ESRCH;
		if (up < 0)
			up = sentry_started_ago_cs((pid_t)req->pid);
		if (up >= 0)
			si.uptime = (long)(up / 100);
	}
	reply->verdict = "emulated";
	snprintf(reply->detail, sizeof(reply->detail),
		 "\"buf\":\"%#llx\",\"totalram\":%llu,\"freeram\":%llu,\"uptime\":%ld",
		 (unsigned long long)addr, (unsigned long long)si.totalram * si.mem_unit,
		 (unsigned long long)si.freeram * si.mem_unit, si.uptime);
	ret = sentry_write_target(sb, req, addr, &si, sizeof(si));
	if (ret == -EFAULT)
		reply->error = ret;
	return ret == -EFAULT ? 0 : ret;
}
