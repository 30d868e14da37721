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

int sentry_creds_read(pid_t pid, struct sentry_creds *c)
{
	char path[64], buf[4096], *line, *save = NULL;
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
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned int a, b, d, e;

		if (sscanf(line, "Uid: %u %u %u %u", &a, &b, &d, &e) == 4) {
			c->fsuid = e;
			c->ruid = a;
			seen |= 1;
		} else if (sscanf(line, "Gid: %u %u %u %u", &a, &b, &d, &e) == 4) {
			c->fsgid = e;
			c->rgid = a;
			seen |= 2;
		} else if (!strncmp(line, "CapEff:", 7)) {
			c->cap_eff = strtoull(line + 7, NULL, 16);
			seen |= 4;
		} else if (!strncmp(line, "NStgid:", 7) || !strncmp(line, "NSpid:", 6)) {
			/* the last number: the innermost namespace's */
			char *last = strrchr(line, '\t');
			pid_t v = (pid_t)strtol(last ? last + 1 : line + 6, NULL, 10);

			if (line[2] == 't')
				c->ns_tgid = v;
			else
				c->ns_tid = v;
		} else if (!strncmp(line, "Umask:", 6)) {
			c->umask = (mode_t)strtoul(line + 6, NULL, 8) & 0777;
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
	}
	return seen == 7 ? 0 : -ESRCH;
}

/* The daemon's own groups and capabilities, read once, before any thread became a target. */
static gid_t own_groups[64];
static int own_ngroups;
static struct __user_cap_data_struct own_caps[2];
static bool own_caps_read;
static pthread_once_t own_once = PTHREAD_ONCE_INIT;

static void read_own(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	own_ngroups = getgroups((int)ARRAY_SIZE(own_groups), own_groups);
	own_caps_read = syscall(SYS_capget, &h, own_caps) == 0;
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
	syscall(SYS_setgroups, c->ngroups, c->groups);
	syscall(SYS_setfsgid, c->fsgid);
	syscall(SYS_setfsuid, c->fsuid);
	if (own_caps_read) {
		memcpy(d, own_caps, sizeof(d));
		d[0].effective = own_caps[0].effective & (uint32_t)c->cap_eff;
		d[1].effective = own_caps[1].effective & (uint32_t)(c->cap_eff >> 32);
		syscall(SYS_capset, &h, d);
	}
	*old_umask = umask(c->umask);
}

void sentry_unbecome(mode_t old_umask)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	syscall(SYS_setfsuid, geteuid());
	syscall(SYS_setfsgid, getegid());
	if (own_caps_read)
		syscall(SYS_capset, &h, own_caps);
	syscall(SYS_setgroups, own_ngroups > 0 ? own_ngroups : 0, own_groups);
	umask(old_umask);
}
