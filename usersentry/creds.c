// SPDX-License-Identifier: GPL-2.0
/*
 * Acting as the target: its fs ids, groups, capabilities and umask, read from
 * /proc/PID/status and put on the calling thread only (raw syscalls; glibc's
 * wrappers would change every thread of the daemon, workers included).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry.h"

/* "N N N N" after a status key: the ids in order (real, effective, saved, fs). */
static bool parse_ids(const char *p, unsigned long ids[4])
{
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		ids[i] = strtoul(p, &end, 10);
		if (end == p)
			return false;
		p = end;
	}
	return true;
}

/* The last number of an NStgid/NSpid line: the innermost namespace's. */
static pid_t last_number(const char *p)
{
	const char *last = strrchr(p, '\t');

	return (pid_t)strtol(last ? last + 1 : p, NULL, 10);
}

/*
 * Read per call: a target may change its ids, groups and umask at any time.
 * One read() of a page and a scan by key (no sscanf: the Sentry's hottest
 * parser).
 */
int sentry_creds_read(pid_t pid, struct sentry_creds *c)
{
	char path[64], buf[4096], *line, *nl;
	unsigned long ids[4];
	ssize_t n;
	int fd, seen = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	c->ngroups = 0;
	c->umask = 022;
	c->ns_tgid = c->ns_tid = 0;
	for (line = buf; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		switch (line[0]) {
		case 'U':
			if (!strncmp(line, "Uid:", 4) && parse_ids(line + 4, ids)) {
				c->ruid = (uid_t)ids[0];
				c->fsuid = (uid_t)ids[3];
				seen |= 1;
			} else if (!strncmp(line, "Umask:", 6)) {
				c->umask = (mode_t)strtoul(line + 6, NULL, 8) & 0777;
			}
			break;
		case 'G':
			if (!strncmp(line, "Gid:", 4) && parse_ids(line + 4, ids)) {
				c->rgid = (gid_t)ids[0];
				c->fsgid = (gid_t)ids[3];
				seen |= 2;
			} else if (!strncmp(line, "Groups:", 7)) {
				char *p = line + 7, *end;

				while (c->ngroups < (int)ARRAY_SIZE(c->groups)) {
					unsigned long g = strtoul(p, &end, 10);

					if (end == p)
						break;
					c->groups[c->ngroups++] = (gid_t)g;
					p = end;
				}
			}
			break;
		case 'C':
			if (!strncmp(line, "CapEff:", 7)) {
				c->cap_eff = strtoull(line + 7, NULL, 16);
				seen |= 4;
			}
			break;
		case 'N':
			if (!strncmp(line, "NStgid:", 7))
				c->ns_tgid = last_number(line + 7);
			else if (!strncmp(line, "NSpid:", 6))
				c->ns_tid = last_number(line + 6);
			break;
		}
	}
	return seen == 7 ? 0 : -ESRCH;
}

/* The daemon's own ids, groups and capabilities, read once, before any thread became a target. */
static uid_t own_euid;
static gid_t own_egid;
static gid_t own_groups[64];
static int own_ngroups;
static struct __user_cap_data_struct own_caps[2];
static bool own_caps_read;
static pthread_once_t own_once = PTHREAD_ONCE_INIT;

static void read_own(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	own_euid = geteuid();
	own_egid = getegid();
	own_ngroups = getgroups((int)ARRAY_SIZE(own_groups), own_groups);
	if (own_ngroups < 0)
		own_ngroups = 0;
	own_caps_read = syscall(SYS_capget, &h, own_caps) == 0;
}

/*
 * What this thread switched away from its own: unbecome() restores just
 * that.  Each switch allocates new credentials in the kernel, so a target
 * that already has ours (the common case for ids, groups and capabilities)
 * costs no system call.
 */
enum {
	SWITCHED_GROUPS = 1 << 0,
	SWITCHED_FSGID = 1 << 1,
	SWITCHED_FSUID = 1 << 2,
	SWITCHED_CAPS = 1 << 3,
	SWITCHED_UMASK = 1 << 4,
};
static __thread unsigned int switched;
/* the thread's umask while it is its own (workers have their own: CLONE_FS) */
static __thread int own_umask = -1;

static bool same_groups(const struct sentry_creds *c)
{
	return c->ngroups == own_ngroups &&
	       !memcmp(c->groups, own_groups, (size_t)own_ngroups * sizeof(gid_t));
}

/*
 * Effective capabilities become the target's (within ours): a container
 * without CAP_CHOWN or CAP_DAC_OVERRIDE does not get ours.
 */
void sentry_become(const struct sentry_creds *c, mode_t *old_umask)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	pthread_once(&own_once, read_own);
	switched = 0;
	if (!same_groups(c)) {
		syscall(SYS_setgroups, c->ngroups, c->groups);
		switched |= SWITCHED_GROUPS;
	}
	if (c->fsgid != own_egid) {
		syscall(SYS_setfsgid, c->fsgid);
		switched |= SWITCHED_FSGID;
	}
	if (c->fsuid != own_euid) {
		syscall(SYS_setfsuid, c->fsuid);
		switched |= SWITCHED_FSUID;
	}
	if (own_caps_read) {
		memcpy(d, own_caps, sizeof(d));
		d[0].effective = own_caps[0].effective & (uint32_t)c->cap_eff;
		d[1].effective = own_caps[1].effective & (uint32_t)(c->cap_eff >> 32);
		if (d[0].effective != own_caps[0].effective ||
		    d[1].effective != own_caps[1].effective) {
			syscall(SYS_capset, &h, d);
			switched |= SWITCHED_CAPS;
		}
	}
	if (own_umask < 0 || (mode_t)own_umask != c->umask) {
		*old_umask = umask(c->umask);
		own_umask = (int)*old_umask;
		switched |= SWITCHED_UMASK;
	} else {
		*old_umask = (mode_t)own_umask;
	}
}

void sentry_unbecome(mode_t old_umask)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	pthread_once(&own_once, read_own);
	if (switched & SWITCHED_FSUID)
		syscall(SYS_setfsuid, own_euid);
	if (switched & SWITCHED_FSGID)
		syscall(SYS_setfsgid, own_egid);
	if ((switched & SWITCHED_CAPS) && own_caps_read)
		syscall(SYS_capset, &h, own_caps);
	if (switched & SWITCHED_GROUPS)
		syscall(SYS_setgroups, own_ngroups, own_groups);
	if (switched & SWITCHED_UMASK) {
		umask(old_umask);
		own_umask = (int)old_umask;
	}
	switched = 0;
}
