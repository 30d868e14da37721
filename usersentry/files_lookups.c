// SPDX-License-Identifier: GPL-2.0
/* File handlers that look a path up: stat, statx, statfs, access, readlink; results written back. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files.h"

/* A lookup by path of a synthetic file: 1 with its content, 0, or -errno. */
static int synth_lookup(struct file_call *fc, char **data, size_t *len)
{
	char lp[PATH_MAX];

	if (!fc->path[0] || fc->u.lookup.kind == LK_READLINK || fc->u.lookup.kind == LK_STATFS ||
	    !fc->sb->policy || !redirect_policy_has_synth(fc->sb->policy))
		return 0;
	if (sentry_normalise(fc->dir, fc->path, lp, sizeof(lp)) < 0)
		return 0;
	sentry_proc_self(fc->creds, lp, sizeof(lp));
	return sentry_synth_find(fc->sb, (pid_t)fc->req->pid, lp, data, len);
}

static int op_lookup(struct file_call *fc, struct sentry_reply *reply)
{
	bool follow = !(fc->at_flags & AT_SYMLINK_NOFOLLOW);
	bool write = fc->u.lookup.kind == LK_ACCESS && (fc->u.lookup.mode & W_OK);
	char *synth = NULL;
	size_t synth_len = 0;
	bool synthetic;
	ssize_t n;
	int fd, ret;

	if (fc->u.lookup.kind == LK_READLINK)
		follow = false;
	ret = synth_lookup(fc, &synth, &synth_len);
	if (ret < 0)
		return ret;
	synthetic = ret > 0;
	if (!synthetic && redirect_policy_paths_continue(fc->sb->policy)) {
		/* the real file, looked up by the kernel (files_open.c says why) */
		reply->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		reply->verdict = "continue";
		return 0;
	}
	if (synthetic && fc->u.lookup.kind == LK_ACCESS) {
		free(synth);
		return (fc->u.lookup.mode & (W_OK | X_OK)) ? -EACCES : 0;
	}
	ret = sentry_resolve_existing(fc, follow, write, &fd);
	/* a synthetic file without a real one: described by its content */
	if (ret == -ENOENT && synthetic) {
		fd = sentry_synth_memfd(synth, synth_len);
		ret = fd < 0 ? fd : 0;
	}
	free(synth);
	if (ret < 0)
		return ret;
	switch (fc->u.lookup.kind) {
	case LK_STAT: {
		struct stat st;

		ret = fstatat(fd, "", &st, AT_EMPTY_PATH) < 0 ? -errno : 0;
		if (synthetic)
			st.st_mode = sentry_synth_mode(st.st_mode);
		memcpy(fc->out, &st, sizeof(st));
		fc->out_len = ret < 0 ? 0 : sizeof(st);
		break;
	}
	case LK_STATX: {
		struct statx stx;
		int flags = fc->at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT);

		/* unknown flags or mask bits: the kernel's EINVAL */
		ret = statx(fd, "", AT_EMPTY_PATH | flags, fc->u.lookup.mask, &stx) < 0 ?
		      -errno : 0;
		if (synthetic)
			stx.stx_mode = (uint16_t)sentry_synth_mode(stx.stx_mode);
		memcpy(fc->out, &stx, sizeof(stx));
		fc->out_len = ret < 0 ? 0 : sizeof(stx);
		break;
	}
	case LK_STATFS: {
		struct statfs sfs;

		ret = fstatfs(fd, &sfs) < 0 ? -errno : 0;
		memcpy(fc->out, &sfs, sizeof(sfs));
		fc->out_len = ret < 0 ? 0 : sizeof(sfs);
		break;
	}
	case LK_ACCESS:
		/* as the ids set up in serve(); AT_EACCESS: those, not ours */
		ret = syscall(SYS_faccessat2, fd, "", fc->u.lookup.mode,
			      AT_EMPTY_PATH | AT_EACCESS) < 0 ? -errno : 0;
		break;
	case LK_READLINK:
		n = readlinkat(fd, "", (char *)fc->out, fc->u.lookup.buf_size < sizeof(fc->out) ?
			       fc->u.lookup.buf_size : sizeof(fc->out));
		if (n < 0) {
			/* empty on our fd, but the target named a path: not a link */
			ret = errno == ENOENT && fc->path[0] ? -EINVAL : -errno;
			break;
		}
		/* procfs links print paths from our root: the target's root is "/" to it */
		if (!strncmp(fc->path, "/proc/", 6) && strcmp(fc->root, "/")) {
			size_t rl = strlen(fc->root);

			if ((size_t)n > rl && !memcmp(fc->out, fc->root, rl) && fc->out[rl] == '/') {
				memmove(fc->out, fc->out + rl, (size_t)n - rl);
				n -= (ssize_t)rl;
			}
		}
		fc->out_len = (size_t)n;
		reply->val = n;
		break;
	default:
		ret = -ENOSYS;
	}
	close(fd);
	return ret;
}

int sentry_handle_stat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_LOOKUP, .op = op_lookup, .dirfd = AT_FDCWD,
				.u.lookup.kind = LK_STAT };

	/* stat(path, buf) or lstat(path, buf) */
	if (req->data.nr == SYS_lstat)
		fc.at_flags = AT_SYMLINK_NOFOLLOW;
	fc.buf_addr = req->data.args[1];
	return sentry_files_serve(sb, req, &fc, req->data.args[0], LOOKUP_FLAGS, reply);
}

int sentry_handle_newfstatat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			     struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_LOOKUP, .op = op_lookup,
				.dirfd = (int)req->data.args[0], .u.lookup.kind = LK_STAT };

	fc.buf_addr = req->data.args[2];
	fc.at_flags = (int)req->data.args[3];
	return sentry_files_serve(sb, req, &fc, req->data.args[1], LOOKUP_FLAGS | AT_NO_AUTOMOUNT,
				  reply);
}

int sentry_handle_statx(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_LOOKUP, .op = op_lookup,
				.dirfd = (int)req->data.args[0], .u.lookup.kind = LK_STATX };

	fc.at_flags = (int)req->data.args[2];
	fc.u.lookup.mask = (uint32_t)req->data.args[3];
	fc.buf_addr = req->data.args[4];
	/* the sync-type bits and unknown ones go to our statx(), which checks them */
	return sentry_files_serve(sb, req, &fc, req->data.args[1], ~0, reply);
}

int sentry_handle_access(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_LOOKUP, .op = op_lookup, .dirfd = AT_FDCWD,
				.u.lookup.kind = LK_ACCESS, .real_ids = true };
	uint64_t path = req->data.args[0], mode = req->data.args[1];

	if (req->data.nr != SYS_access) {
		/* faccessat(dirfd, path, mode), faccessat2(..., flags) */
		fc.dirfd = (int)req->data.args[0];
		path = req->data.args[1];
		mode = req->data.args[2];
		if (req->data.nr == SYS_faccessat2)
			fc.at_flags = (int)req->data.args[3];
	}
	if (mode & ~(uint64_t)(R_OK | W_OK | X_OK))
		return sentry_files_errno(reply, -EINVAL);
	fc.u.lookup.mode = (int)mode;
	return sentry_files_serve(sb, req, &fc, path, LOOKUP_FLAGS | AT_EACCESS, reply);
}

int sentry_handle_readlink(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_LOOKUP, .op = op_lookup, .dirfd = AT_FDCWD,
				.u.lookup.kind = LK_READLINK };
	int i = req->data.nr == SYS_readlink ? 0 : 1;

	if (i)
		fc.dirfd = (int)req->data.args[0];
	fc.buf_addr = req->data.args[i + 1];
	fc.u.lookup.buf_size = (uint32_t)req->data.args[i + 2];
	if ((int32_t)fc.u.lookup.buf_size <= 0)
		return sentry_files_errno(reply, -EINVAL);
	/* an empty path names the dirfd: readlinkat(fd, "") of an O_PATH symlink fd */
	fc.at_flags = AT_EMPTY_PATH;
	return sentry_files_serve(sb, req, &fc, req->data.args[i], LOOKUP_FLAGS, reply);
}

int sentry_handle_statfs(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_LOOKUP, .op = op_lookup, .dirfd = AT_FDCWD,
				.u.lookup.kind = LK_STATFS };

	fc.buf_addr = req->data.args[1];
	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}
