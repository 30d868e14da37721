// SPDX-License-Identifier: GPL-2.0
/* The uname handler: the policy's virtual utsname, written into the target's buffer. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sentry.h"

/* Our own UTS namespace, opened once: every thread that leaves it comes back. */
static int own_uts = -1;
static dev_t own_uts_dev;
static ino_t own_uts_ino;
static pthread_once_t own_uts_once = PTHREAD_ONCE_INIT;

static void open_own_uts(void)
{
	struct stat st;

	own_uts = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	if (own_uts >= 0 && fstat(own_uts, &st) == 0) {
		own_uts_dev = st.st_dev;
		own_uts_ino = st.st_ino;
	}
}

/* At start, so the daemon's fd count does not change at its first uname. */
void sentry_uname_init(void)
{
	pthread_once(&own_uts_once, open_own_uts);
}

/*
 * uname() as seen from @pid's UTS namespace: the container's own hostname,
 * not the daemon's, as it is now (a sethostname inside shows at once).  The
 * namespace is looked up per call (a task may unshare its own); when it is
 * ours (the same nsfs inode), our uname() is its.  Otherwise setns(CLONE_NEWUTS)
 * moves only the calling thread, which goes straight back; staying in the
 * wrong namespace is not survivable.
 */
static int uname_in(pid_t pid, struct utsname *u)
{
	struct stat st;
	char path[64];
	int target, ret = 0;

	pthread_once(&own_uts_once, open_own_uts);
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
	/* ours (the common case): one stat, no open */
	if (stat(path, &st) == 0 && own_uts_ino && st.st_ino == own_uts_ino &&
	    st.st_dev == own_uts_dev) {
		uname(u);
		return 0;
	}
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (target < 0)
		return -errno;
	if (own_uts < 0) {
		ret = -EBADF;
	} else if (setns(target, CLONE_NEWUTS) < 0) {
		ret = -errno;
	} else {
		uname(u);
		if (setns(own_uts, CLONE_NEWUTS) < 0) {
			sentry_log("uname: cannot return to our UTS namespace: %s", strerror(errno));
			abort();
		}
	}
	close(target);
	return ret;
}

/* Only nodename and domainname differ between UTS namespaces; the rest is the kernel's. */
static bool needs_target_ns(const struct redirect_policy *policy)
{
	return !redirect_policy_uname(policy, REDIRECT_UNAME_NODENAME) ||
	       !redirect_policy_uname(policy, REDIRECT_UNAME_DOMAINNAME);
}

void sentry_uname_build_for(const struct redirect_policy *policy, pid_t pid,
			    char fields[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN])
{
	struct utsname host;
	const char *host_fields[REDIRECT_UNAME_NR_FIELDS];
	int i;

	memset(fields, 0, REDIRECT_UNAME_NR_FIELDS * REDIRECT_UNAME_LEN);
	memset(&host, 0, sizeof(host));
	if (pid <= 0 || !needs_target_ns(policy) || uname_in(pid, &host) < 0)
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
 * reply is written with sentry_write_target() (ID_VALID first, the target's
 * page protections apply: a read-only buffer is EFAULT).
 */
int sentry_handle_uname(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	char fields[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN];
	uint64_t addr = req->data.args[0];
	int ret;

	/* fields the policy leaves out come from the target's UTS namespace */
	sentry_uname_build_for(sb->policy, (pid_t)req->pid, fields);
	ret = sentry_write_target(sb, req, addr, fields, sizeof(fields));
	if (ret == -ENOENT)
		return ret;
	if (ret < 0 && ret != -EFAULT) {
		sentry_log("sandbox=%s pid=%u uname: cannot write the result: %s", sb->id,
			   req->pid, strerror(-ret));
		return ret;
	}
	reply->verdict = "emulated";
	snprintf(reply->detail, sizeof(reply->detail), "\"buf\":\"%#llx\"",
		 (unsigned long long)addr);
	reply->error = ret;
	reply->val = 0;
	return 0;
}
