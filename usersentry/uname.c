// SPDX-License-Identifier: GPL-2.0
/* The uname handler: the policy's virtual utsname, written into the target's buffer. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sentry.h"

/*
 * uname() as seen from @pid's UTS namespace: the container's own hostname,
 * not the daemon's. setns(CLONE_NEWUTS) moves only the calling thread, which
 * goes straight back; staying in the wrong namespace is not survivable.
 */
static int uname_in(pid_t pid, struct utsname *u)
{
	char path[64];
	int self, target, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (target < 0)
		return -errno;
	self = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		ret = -errno;
		close(target);
		return ret;
	}
	if (setns(target, CLONE_NEWUTS) < 0) {
		ret = -errno;
	} else {
		uname(u);
		if (setns(self, CLONE_NEWUTS) < 0) {
			sentry_log("uname: cannot return to our UTS namespace: %s", strerror(errno));
			abort();
		}
	}
	close(self);
	close(target);
	return ret;
}

void sentry_uname_build_for(const struct redirect_policy *policy, pid_t pid,
			    char fields[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN])
{
	struct utsname host;
	const char *host_fields[REDIRECT_UNAME_NR_FIELDS];
	int i;

	memset(fields, 0, REDIRECT_UNAME_NR_FIELDS * REDIRECT_UNAME_LEN);
	memset(&host, 0, sizeof(host));
	if (pid <= 0 || uname_in(pid, &host) < 0)
		uname(&host);
	host_fields[REDIRECT_UNAME_SYSNAME] = host.sysname;
	host_fields[REDIRECT_UNAME_NODENAME] = host.nodename;
	host_fields[REDIRECT_UNAME_RELEASE] = host.release;
	host_fields[REDIRECT_UNAME_VERSION] = host.version;
	host_fields[REDIRECT_UNAME_MACHINE] = host.machine;
	host_fields[REDIRECT_UNAME_DOMAINNAME] = host.domainname;
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
		const char *v = redirect_policy_uname(policy, i);

		/* policy strings are at most 64 bytes; the rest stays zero */
		snprintf(fields[i], REDIRECT_UNAME_LEN, "%s", v ? v : host_fields[i]);
	}
}

void sentry_uname_build(const struct redirect_policy *policy,
			char fields[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN])
{
	sentry_uname_build_for(policy, 0, fields);
}

/*
 * uname(struct new_utsname *buf): nothing is read from the target.  The
 * reply is written through /proc/<pid>/mem, opened first and checked with
 * ID_VALID before writing, so a recycled pid cannot receive it.
 *
 * Known gap: /proc/<pid>/mem writes with FOLL_FORCE, so a buffer in a
 * read-only private mapping is written instead of failing with EFAULT.
 */
int sentry_handle_uname(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	char fields[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN];
	uint64_t addr = req->data.args[0];
	char path[64];
	ssize_t n;
	int fd, ret;

	/* fields the policy leaves out come from the target's UTS namespace */
	sentry_uname_build_for(sb->policy, (pid_t)req->pid, fields);

	snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	ret = sentry_id_valid(sb, req->id);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (fd < 0) {
		sentry_log("sandbox=%s pid=%u uname: cannot open %s: %s", sb->id, req->pid, path,
			   strerror(errno));
		return -errno;
	}

	reply->verdict = "emulated";
	snprintf(reply->detail, sizeof(reply->detail), "\"buf\":\"%#llx\"",
		 (unsigned long long)addr);
	if (addr > (uint64_t)INT64_MAX) {
		reply->error = -EFAULT;
		close(fd);
		return 0;
	}
	n = pwrite(fd, fields, sizeof(fields), (off_t)addr);
	close(fd);
	if (n != (ssize_t)sizeof(fields)) {
		reply->error = -EFAULT;
		return 0;
	}
	reply->val = 0;
	reply->error = 0;
	return 0;
}
