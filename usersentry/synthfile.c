// SPDX-License-Identifier: GPL-2.0
/* Read-only synthetic files: a path's content made by the Sentry, served as a sealed memfd. */
/*
 * A synthetic file is a container path (absolute, normalised: "/proc/version")
 * whose content the Sentry makes per call from the sandbox's policy, in
 * place of the real file.  The API:
 *
 *  - sentry_synth_files[] below lists them: one row per path, its content()
 *    answering 1 with the bytes (malloc'ed) when the sandbox's policy serves
 *    the path, 0 when it does not (the real file is served as usual), or
 *    -errno.  A new synthetic file is a row here and, when a new policy
 *    section enables it, a line in libredirect's policy_serves_synth(),
 *    which makes tier 0 notify the calls that open and look paths up
 *    (policy_synth_calls) and turns their handlers on.
 *  - sentry_synth_find(): the file handlers ask it for every path they open
 *    or look up, after /proc/self is made the target's; a file rule that
 *    hides or remaps the path wins over a synthetic file.
 *  - sentry_synth_open(): serve an open of a synthetic file's bytes.  A
 *    write (O_WRONLY, O_RDWR, O_TRUNC) is EACCES, as /proc/sys refuses it
 *    even to root (proc's own read-only files open for writing as root and
 *    fail each write instead: refusing the open is the honest answer);
 *    O_DIRECTORY is ENOTDIR, O_CREAT|O_EXCL EEXIST.  Otherwise a memfd
 *    holding the bytes, mode 0444, sealed (F_SEAL_WRITE, F_SEAL_GROW,
 *    F_SEAL_SHRINK, F_SEAL_SEAL), reopened read-only at offset 0 and put
 *    in reply->addfd with O_CLOEXEC as the call asked: the reply machinery
 *    injects it (SECCOMP_IOCTL_NOTIF_ADDFD, dispatch.c).  O_PATH opens are
 *    not synthetic (the caller serves the real file).
 *  - lookups (stat, lstat, newfstatat, statx, access, faccessat,
 *    faccessat2): files_lookups.c answers for the real file when it exists,
 *    else for sentry_synth_memfd() of the bytes, with the permission bits
 *    made read-only (sentry_synth_mode()); access for W_OK or X_OK is
 *    EACCES, so a lookup never promises what the open refuses.
 *
 * A synthetic file is matched by its path as written (made absolute in the
 * container), not by where a symlink to it leads.  Content functions run
 * as the target (the file handlers' credentials) on the thread that serves
 * the call: they must not block on anything the target controls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

static const struct sentry_synth_file sentry_synth_files[] = {
	/* uname.c: the kernel section's identity */
	{ "/proc/version", sentry_kernel_proc_version },
	{ "/proc/sys/kernel/osrelease", sentry_kernel_osrelease },
	{ "/proc/sys/kernel/version", sentry_kernel_version },
	/* views_build.c: the cgroup's views (redirect.sentry.views) */
	{ "/proc/meminfo", sentry_viewfile_meminfo },
	{ "/proc/cpuinfo", sentry_viewfile_cpuinfo },
	{ "/proc/stat", sentry_viewfile_stat },
	{ "/sys/devices/system/cpu/online", sentry_viewfile_cpu_online },
	{ "/proc/uptime", sentry_viewfile_uptime },
	{ "/proc/loadavg", sentry_viewfile_loadavg },
	{ "/proc/swaps", sentry_viewfile_swaps },
	{ "/proc/pressure/cpu", sentry_viewfile_pressure_cpu },
	{ "/proc/pressure/memory", sentry_viewfile_pressure_memory },
	{ "/proc/pressure/io", sentry_viewfile_pressure_io },
	{ "/proc/diskstats", sentry_viewfile_diskstats },
};

int sentry_synth_find(const struct sentry_sandbox *sb, pid_t pid, const char *path,
		      char **data, size_t *len)
{
	char mapped[PATH_MAX];
	size_t i;
	int r;

	if (!sb->policy || !redirect_policy_has_synth(sb->policy))
		return 0;
	for (i = 0; i < ARRAY_SIZE(sentry_synth_files); i++) {
		if (strcmp(path, sentry_synth_files[i].path))
			continue;
		r = sentry_file_rule(sb->policy, path, mapped, sizeof(mapped));
		if (r == RULE_HIDDEN || r == RULE_REMAP)
			return 0;
		*data = NULL;
		*len = 0;
		return sentry_synth_files[i].content(sb, pid, data, len);
	}
	return 0;
}

int sentry_synth_memfd(const void *data, size_t len)
{
	const unsigned int seals = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;
	const char *p = data;
	size_t done = 0;
	int fd, ret;

	fd = memfd_create("redirect-synthetic", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fchmod(fd, 0444) < 0 || fcntl(fd, F_ADD_SEALS, seals) < 0)
		goto fail;
	return fd;
fail:
	ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

int sentry_synth_open(const void *data, size_t len, uint64_t flags, struct sentry_reply *reply)
{
	char self[64];
	int fd, out;

	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EACCES;
	fd = sentry_synth_memfd(data, len);
	if (fd < 0)
		return fd;
	/* read-only, its own offset: the memfd itself is O_RDWR */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	out = open(self, O_RDONLY | O_CLOEXEC | (int)(flags & O_NONBLOCK));
	if (out < 0)
		out = -errno;
	close(fd);
	if (out < 0)
		return out;
	reply->addfd = out;
	reply->addfd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
	reply->verdict = "emulated:synthetic";
	return 0;
}

mode_t sentry_synth_mode(mode_t mode)
{
	return (mode & S_IFMT) | (mode & 0444);
}
