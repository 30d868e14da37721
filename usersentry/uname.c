// SPDX-License-Identifier: GPL-2.0
/* The uname handler and the kernel identity files: the policy's virtual utsname. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
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

/*
 * The kernel section's /proc files.  /proc/version is the kernel's
 * "SYSNAME version RELEASE (BUILDER@HOST) (COMPILER) VERSION": the host's
 * middle part (who built it, with what) is kept, release and version are
 * the policy's, so that all four spellings of the identity agree.
 */
static char host_build[512];	/* "(builder@host) (compiler ...)", or "" */
static pthread_once_t host_build_once = PTHREAD_ONCE_INIT;

static void read_host_build(void)
{
	char buf[1024], head[2 * REDIRECT_UNAME_LEN + 16];
	struct utsname u;
	size_t hl, vl, n;
	ssize_t r;
	int fd;

	if (uname(&u) < 0)
		return;
	fd = open("/proc/version", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return;
	n = (size_t)r;
	buf[n] = '\0';
	if (buf[n - 1] == '\n')
		buf[--n] = '\0';
	snprintf(head, sizeof(head), "%s version %s ", u.sysname, u.release);
	hl = strlen(head);
	vl = strlen(u.version);
	/* unexpected shapes keep no middle part rather than a wrong one */
	if (strncmp(buf, head, hl) || n < hl + vl + 1 || strcmp(buf + n - vl, u.version) ||
	    buf[n - vl - 1] != ' ')
		return;
	snprintf(host_build, sizeof(host_build), "%.*s", (int)(n - vl - 1 - hl), buf + hl);
}

static int kernel_text(char **data, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int kernel_text(char **data, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(data, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*data = NULL;
		return -ENOMEM;
	}
	*len = (size_t)n;
	return 1;
}

int sentry_kernel_proc_version(const struct sentry_sandbox *sb, pid_t pid, char **data,
			       size_t *len)
{
	char f[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN];

	pthread_once(&host_build_once, read_host_build);
	sentry_uname_build(sb->policy, f);
	return kernel_text(data, len, "%s version %s %s%s%s\n", f[REDIRECT_UNAME_SYSNAME],
			   f[REDIRECT_UNAME_RELEASE], host_build, host_build[0] ? " " : "",
			   f[REDIRECT_UNAME_VERSION]);
}

int sentry_kernel_osrelease(const struct sentry_sandbox *sb, pid_t pid, char **data, size_t *len)
{
	char f[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN];

	sentry_uname_build(sb->policy, f);
	return kernel_text(data, len, "%s\n", f[REDIRECT_UNAME_RELEASE]);
}

int sentry_kernel_version(const struct sentry_sandbox *sb, pid_t pid, char **data, size_t *len)
{
	char f[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN];

	sentry_uname_build(sb->policy, f);
	return kernel_text(data, len, "%s\n", f[REDIRECT_UNAME_VERSION]);
}
