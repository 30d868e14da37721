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

#define CGROUP_ROOT "/sys/fs/cgroup"

/* A small file's first line; -errno. */
static int read_small(const char *path, char *buf, size_t size)
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
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A cgroup file holding a number or "max" (*v = UINT64_MAX); -errno. */
static int read_u64(const char *dir, const char *file, uint64_t *v)
{
	char path[PATH_MAX + 64], buf[64], *end;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ret = read_small(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (!strcmp(buf, "max")) {
		*v = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return (end == buf || *end || errno) ? -EINVAL : 0;
}

static int stat_value(const char *dir, const char *key, uint64_t *v)
{
	char path[PATH_MAX + 64], line[256];
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			*v = strtoull(line + klen + 1, NULL, 10);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -ENOENT;
}

/* Where memory is accounted: cgroup v2, or v1's memory hierarchy (hybrid hosts). */
struct memcg {
	char dir[PATH_MAX];	/* the target's cgroup */
	size_t base_len;	/* the hierarchy's root: not a limit of its own */
	const char *max, *current, *swap_max, *swap_current;
};

/* The target's memory cgroup from /proc/pid/cgroup; -ENOENT when there is none. */
static int memcg_of(pid_t pid, struct memcg *m)
{
	char path[64], line[PATH_MAX + 64], v1[PATH_MAX] = "", v2[PATH_MAX] = "";
	const char *base, *rel;
	struct stat st;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *ctl, *p;

		line[strcspn(line, "\n")] = '\0';
		ctl = strchr(line, ':');
		p = ctl ? strchr(ctl + 1, ':') : NULL;
		if (!p || p[1] != '/' || strstr(p, "/.."))
			continue;
		*p++ = '\0';
		if (ctl == line + 1 && line[0] == '0' && ctl[1] == '\0')
			snprintf(v2, sizeof(v2), "%s", p);
		else if (strstr(ctl, ":memory") || strstr(ctl, ",memory"))
			snprintf(v1, sizeof(v1), "%s", p);
	}
	fclose(f);
	if (v1[0] && stat(CGROUP_ROOT "/memory/memory.limit_in_bytes", &st) == 0) {
		base = CGROUP_ROOT "/memory";
		rel = v1;
		m->max = "memory.limit_in_bytes";
		m->current = "memory.usage_in_bytes";
		m->swap_max = m->swap_current = NULL;	/* memsw counts memory too */
	} else if (v2[0] && stat(CGROUP_ROOT "/cgroup.controllers", &st) == 0) {
		base = CGROUP_ROOT;
		rel = v2;
		m->max = "memory.max";
		m->current = "memory.current";
		m->swap_max = "memory.swap.max";
		m->swap_current = "memory.swap.current";
	} else {
		return -ENOENT;
	}
	n = snprintf(m->dir, sizeof(m->dir), "%s%s", base, strcmp(rel, "/") ? rel : "");
	m->base_len = strlen(base);
	return n > 0 && (size_t)n < sizeof(m->dir) ? 0 : -ENAMETOOLONG;
}

/*
 * Memory through the cgroup: the ancestor (the target's own cgroup included)
 * with the least room under its limit sets total (its limit) and free
 * (limit - usage): that is where the target would hit the wall.  No limit
 * below the machine's memory anywhere: the host's figures stay.
 */
static void cgroup_memory(pid_t pid, struct sysinfo *si)
{
	char dir[PATH_MAX], best[PATH_MAX] = "";
	uint64_t max, cur, room, best_room = UINT64_MAX, best_max = 0, best_cur = 0, v;
	uint64_t machine = (uint64_t)si->totalram * si->mem_unit;
	struct memcg m;
	char *slash;

	if (memcg_of(pid, &m) < 0)
		return;
	/* tasks of the target's own cgroup (threads, as sysinfo counts them), v2 */
	if (read_u64(m.dir, "pids.current", &v) == 0 && v && v <= 0xffff)
		si->procs = (unsigned short)v;
	memcpy(dir, m.dir, sizeof(dir));
	while (strlen(dir) > m.base_len) {
		if (read_u64(dir, m.max, &max) == 0 && max < machine &&
		    read_u64(dir, m.current, &cur) == 0) {
			room = cur >= max ? 0 : max - cur;
			if (room < best_room) {
				best_room = room;
				best_max = max;
				best_cur = cur;
				snprintf(best, sizeof(best), "%s", dir);
			}
		}
		slash = strrchr(dir, '/');
		*slash = '\0';
	}
	if (!best[0])
		return;
	si->totalram = best_max;
	si->freeram = best_cur >= best_max ? 0 : best_max - best_cur;
	si->sharedram = stat_value(best, "shmem", &v) == 0 && v <= best_max ? v : 0;
	si->bufferram = 0;
	si->totalhigh = si->freehigh = 0;
	if (m.swap_max && read_u64(best, m.swap_max, &max) == 0 &&
	    read_u64(best, m.swap_current, &cur) == 0 &&
	    max < (uint64_t)si->totalswap * si->mem_unit) {
		si->totalswap = max;
		si->freeswap = cur >= max ? 0 : max - cur;
	} else {
		si->totalswap *= si->mem_unit;
		si->freeswap *= si->mem_unit;
	}
	si->mem_unit = 1;
}

/* Seconds since pid started (its starttime in /proc/pid/stat, boot-based); -errno. */
static long started_ago(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	struct timespec now;
	long hz = sysconf(_SC_CLK_TCK);
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0 || hz <= 0)
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
	if ((unsigned long long)now.tv_sec < start / (unsigned long long)hz)
		return 0;
	return (long)(now.tv_sec - (time_t)(start / (unsigned long long)hz));
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
	long up;
	int ret;

	if (sysinfo(&si) < 0)
		return -errno;
	if (redirect_policy_sysinfo_memory(sb->policy) == REDIRECT_SYSINFO_MEMORY_CGROUP)
		cgroup_memory((pid_t)req->pid, &si);
	if (redirect_policy_sysinfo_uptime(sb->policy) == REDIRECT_SYSINFO_UPTIME_SANDBOX) {
		/* the sandbox's first task; a thread of the caller when that is gone */
		up = sb->pid > 0 ? started_ago(sb->pid) : -ESRCH;
		if (up < 0)
			up = started_ago((pid_t)req->pid);
		if (up >= 0)
			si.uptime = up;
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
