// SPDX-License-Identifier: GPL-2.0
/* File handlers that change names or metadata: mkdir, unlink, rename, mknod, links, chmod, utimes... */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files.h"

static int op_mkdir(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1];
	int pfd, ret;

	ret = sentry_resolve_new_name(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret < 0)
		return ret;
	ret = mkdirat(pfd, base, fc->u.change.mode) < 0 ? -errno : 0;
	close(pfd);
	return ret;
}

static int op_unlink(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1];
	int pfd, ret;

	ret = sentry_resolve_parent(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret < 0)
		return ret;
	ret = unlinkat(pfd, base, (int)fc->u.change.flags) < 0 ? -errno : 0;
	close(pfd);
	return ret;
}

static int op_rename(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1], base2[NAME_MAX + 1];
	int pfd, pfd2, ret;

	ret = sentry_resolve_parent(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret < 0)
		return ret;
	ret = sentry_resolve_parent(fc, fc->dir2, fc->path2, &pfd2, base2, sizeof(base2));
	if (ret < 0) {
		close(pfd);
		return ret;
	}
	ret = syscall(SYS_renameat2, pfd, base, pfd2, base2, (unsigned int)fc->u.change.flags) < 0 ?
	      -errno : 0;
	close(pfd);
	close(pfd2);
	return ret;
}
int sentry_handle_mkdir(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_mkdir, .dirfd = AT_FDCWD };

	fc.u.change.mode = req->data.args[1] & 07777;
	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}

int sentry_handle_mkdirat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_mkdir,
				.dirfd = (int)req->data.args[0] };

	fc.u.change.mode = req->data.args[2] & 07777;
	return sentry_files_serve(sb, req, &fc, req->data.args[1], 0, reply);
}

int sentry_handle_unlink(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_unlink, .dirfd = AT_FDCWD };

	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}

int sentry_handle_rmdir(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_unlink, .dirfd = AT_FDCWD,
				.u.change.flags = AT_REMOVEDIR };

	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}

int sentry_handle_unlinkat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_unlink,
				.dirfd = (int)req->data.args[0] };

	fc.u.change.flags = req->data.args[2];
	if (fc.u.change.flags & ~(uint64_t)AT_REMOVEDIR)
		return sentry_files_errno(reply, -EINVAL);
	return sentry_files_serve(sb, req, &fc, req->data.args[1], 0, reply);
}

int sentry_handle_rename(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_rename, .dirfd = AT_FDCWD,
				.dirfd2 = AT_FDCWD };

	fc.path2_addr = req->data.args[1];
	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}

int sentry_handle_renameat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_rename, .dirfd = (int)req->data.args[0],
				.dirfd2 = (int)req->data.args[2] };

	fc.path2_addr = req->data.args[3];
	/* renameat has no flags argument; renameat2's fifth */
	if (req->data.nr == SYS_renameat2)
		fc.u.change.flags = (uint32_t)req->data.args[4];
	return sentry_files_serve(sb, req, &fc, req->data.args[1], 0, reply);
}

static int op_mknod(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1];
	int pfd, ret;

	ret = sentry_resolve_new_name(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret < 0)
		return ret;
	ret = mknodat(pfd, base, fc->u.change.mode, fc->u.change.dev) < 0 ? -errno : 0;
	close(pfd);
	return ret;
}

/* symlink: path is the new link, path2 its text (never resolved) */
static int op_symlink(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1];
	int pfd, ret;

	ret = sentry_resolve_new_name(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret < 0)
		return ret;
	ret = symlinkat(fc->path2, pfd, base) < 0 ? -errno : 0;
	close(pfd);
	return ret;
}

/*
 * link: path (existing, under dir) gets the new name path2 (under dir2).
 * A hidden file cannot be given a visible name (ENOENT), nor a read-only
 * one a writable name (EXDEV, as across mounts).
 */
static int op_link(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1], cp[PATH_MAX], mapped[PATH_MAX], self[64];
	int fd, pfd, ret;

	ret = sentry_resolve_existing(fc, fc->at_flags & AT_SYMLINK_FOLLOW, false, &fd);
	if (ret < 0)
		return ret;
	if (sentry_fd_path(fd, cp, sizeof(cp)) == 0 && sentry_strip_root(fc->root, cp) == 0 &&
	    sentry_file_rule(fc->sb->policy, cp, mapped, sizeof(mapped)) == RULE_RO) {
		close(fd);
		return -EXDEV;
	}
	ret = sentry_resolve_new_name(fc, fc->dir2, fc->path2, &pfd, base, sizeof(base));
	if (ret < 0) {
		close(fd);
		return ret;
	}
	/* the inode resolved above, by its magic link (no CAP_DAC_READ_SEARCH needed) */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	ret = linkat(AT_FDCWD, self, pfd, base, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
	close(pfd);
	close(fd);
	return ret;
}

int sentry_handle_mknod(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_mknod, .dirfd = AT_FDCWD };
	int i = req->data.nr == SYS_mknod ? 0 : 1;

	if (i)
		fc.dirfd = (int)req->data.args[0];
	fc.u.change.mode = (mode_t)req->data.args[i + 1];
	fc.u.change.dev = (uint32_t)req->data.args[i + 2];
	return sentry_files_serve(sb, req, &fc, req->data.args[i], 0, reply);
}

int sentry_handle_symlink(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_symlink, .dirfd = AT_FDCWD,
				.dirfd2 = AT_FDCWD };
	uint64_t linkpath = req->data.args[1];

	fc.path2_addr = req->data.args[0];
	if (req->data.nr == SYS_symlinkat) {
		fc.dirfd = (int)req->data.args[1];
		linkpath = req->data.args[2];
	}
	return sentry_files_serve(sb, req, &fc, linkpath, 0, reply);
}

int sentry_handle_link(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHANGE, .op = op_link, .dirfd = AT_FDCWD,
				.dirfd2 = AT_FDCWD };
	uint64_t old = req->data.args[0];

	fc.path2_addr = req->data.args[1];
	if (req->data.nr == SYS_linkat) {
		fc.dirfd = (int)req->data.args[0];
		old = req->data.args[1];
		fc.dirfd2 = (int)req->data.args[2];
		fc.path2_addr = req->data.args[3];
		fc.at_flags = (int)req->data.args[4];
	}
	return sentry_files_serve(sb, req, &fc, old, AT_SYMLINK_FOLLOW | AT_EMPTY_PATH, reply);
}

/* ---- attributes of an existing path: chmod, chown, truncate, utimensat ---------------- */

static int op_attr(struct file_call *fc, struct sentry_reply *reply)
{
	bool follow = !(fc->at_flags & AT_SYMLINK_NOFOLLOW);
	char self[64];
	int fd, ret;

	ret = sentry_resolve_existing(fc, follow, true, &fd);
	if (ret < 0)
		return ret;
	/* an O_PATH fd takes no fchmod() or futimens(): through its magic link */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	switch (fc->u.attr.kind) {
	case LK_CHMOD: {
		struct stat st;

		/* fchmodat2's AT_SYMLINK_NOFOLLOW on a symlink: the kernel's EOPNOTSUPP (6.6) */
		if (!follow && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
			ret = -EOPNOTSUPP;
			break;
		}
		ret = fchmodat(AT_FDCWD, self, fc->u.attr.mode & 07777, 0) < 0 ? -errno : 0;
		break;
	}
	case LK_CHOWN:
		ret = fchownat(fd, "", fc->u.attr.uid, fc->u.attr.gid,
			       AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
		break;
	case LK_TRUNCATE: {
		struct stat st;
		int wfd;

		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			ret = -EISDIR;
			break;
		}
		/* opened for writing as the target: its permission check */
		wfd = open(self, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
		if (wfd < 0) {
			ret = -errno;
			break;
		}
		ret = ftruncate(wfd, fc->u.attr.length) < 0 ? -errno : 0;
		close(wfd);
		break;
	}
	case LK_UTIMES:
		ret = utimensat(AT_FDCWD, self, fc->u.attr.have_times ? fc->u.attr.times : NULL,
				0) < 0 ? -errno : 0;
		break;
	default:
		ret = -ENOSYS;
	}
	close(fd);
	return ret;
}

int sentry_handle_chmod(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_ATTR, .op = op_attr, .dirfd = AT_FDCWD,
				.u.attr.kind = LK_CHMOD };
	uint64_t path = req->data.args[0];

	fc.u.attr.mode = (mode_t)(req->data.args[1] & 07777);
	if (req->data.nr == SYS_fchmodat || req->data.nr == SENTRY_NR_FCHMODAT2) {
		fc.dirfd = (int)req->data.args[0];
		path = req->data.args[1];
		fc.u.attr.mode = (mode_t)(req->data.args[2] & 07777);
	}
	/* fchmodat2(dirfd, path, mode, flags), 6.6 (abi section): its flags, else EINVAL */
	if (req->data.nr == SENTRY_NR_FCHMODAT2) {
		fc.at_flags = (int)(uint32_t)req->data.args[3];
		return sentry_files_serve(sb, req, &fc, path, LOOKUP_FLAGS, reply);
	}
	return sentry_files_serve(sb, req, &fc, path, 0, reply);
}

int sentry_handle_chown(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_ATTR, .op = op_attr, .dirfd = AT_FDCWD,
				.u.attr.kind = LK_CHOWN };
	uint64_t path = req->data.args[0];
	int i = 1;

	if (req->data.nr == SYS_lchown)
		fc.at_flags = AT_SYMLINK_NOFOLLOW;
	if (req->data.nr == SYS_fchownat) {
		fc.dirfd = (int)req->data.args[0];
		path = req->data.args[1];
		fc.at_flags = (int)req->data.args[4];
		i = 2;
	}
	fc.u.attr.uid = (uid_t)req->data.args[i];
	fc.u.attr.gid = (gid_t)req->data.args[i + 1];
	return sentry_files_serve(sb, req, &fc, path, LOOKUP_FLAGS, reply);
}

int sentry_handle_truncate(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_ATTR, .op = op_attr, .dirfd = AT_FDCWD,
				.u.attr.kind = LK_TRUNCATE };

	if ((int64_t)req->data.args[1] < 0)
		return sentry_files_errno(reply, -EINVAL);
	fc.u.attr.length = (off_t)req->data.args[1];
	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}

/* utimensat(dirfd, path, times, flags); a NULL path is the dirfd (futimens) */
int sentry_handle_utimensat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			    struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_ATTR, .op = op_attr, .dirfd = (int)req->data.args[0],
				.u.attr.kind = LK_UTIMES };

	fc.at_flags = (int)req->data.args[3];
	if (fc.at_flags & ~LOOKUP_FLAGS)
		return sentry_files_errno(reply, -EINVAL);
	if (req->data.args[2]) {
		if (sentry_read_mem(req->pid, req->data.args[2], fc.u.attr.times,
				    sizeof(fc.u.attr.times)) != (ssize_t)sizeof(fc.u.attr.times)) {
			sentry_files_errno(reply, -EFAULT);
			return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
		}
		fc.u.attr.have_times = true;
	}
	if (!req->data.args[1]) {
		if (fc.dirfd == AT_FDCWD)
			return sentry_files_errno(reply, -EFAULT);
		fc.have_path = true;
		fc.path[0] = '\0';
		fc.at_flags |= AT_EMPTY_PATH;
		return sentry_files_serve(sb, req, &fc, 0, LOOKUP_FLAGS, reply);
	}
	return sentry_files_serve(sb, req, &fc, req->data.args[1], LOOKUP_FLAGS, reply);
}

/* The f* spellings: the target's fd is the path (decided by what it is). */
static int serve_fd(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		    struct file_call *fc, struct sentry_reply *reply)
{
	if (fc->dirfd < 0)
		return sentry_files_errno(reply, -EBADF);
	fc->fd_call = true;
	fc->have_path = true;
	fc->path[0] = '\0';
	fc->at_flags |= AT_EMPTY_PATH;
	return sentry_files_serve(sb, req, fc, 0, LOOKUP_FLAGS, reply);
}

/* fchmod(fd, mode), fchown(fd, uid, gid) */
int sentry_handle_fchmod(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_ATTR, .op = op_attr, .dirfd = (int)req->data.args[0] };

	if (req->data.nr == SYS_fchown) {
		fc.u.attr.kind = LK_CHOWN;
		fc.u.attr.uid = (uid_t)req->data.args[1];
		fc.u.attr.gid = (gid_t)req->data.args[2];
	} else {
		fc.u.attr.kind = LK_CHMOD;
		fc.u.attr.mode = (mode_t)(req->data.args[1] & 07777);
	}
	return serve_fd(sb, req, &fc, reply);
}

/*
 * utime(path, struct utimbuf *), utimes(path, struct timeval [2]) and
 * futimesat(dirfd, path, struct timeval [2]) (a NULL path: the dirfd):
 * utimensat's with the times converted; NULL times: now.
 */
int sentry_handle_utimes(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_ATTR, .op = op_attr, .dirfd = AT_FDCWD,
				.u.attr.kind = LK_UTIMES };
	uint64_t path = req->data.args[0], times = req->data.args[1];
	int64_t t[4];
	int i;

	if (req->data.nr == SYS_futimesat) {
		fc.dirfd = (int)req->data.args[0];
		path = req->data.args[1];
		times = req->data.args[2];
	}
	if (times) {
		/* struct utimbuf: two time_t; struct timeval: (sec, usec) twice */
		size_t len = req->data.nr == SYS_utime ? 2 * sizeof(int64_t) : sizeof(t);

		if (sentry_read_mem(req->pid, times, t, len) != (ssize_t)len) {
			sentry_files_errno(reply, -EFAULT);
			return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
		}
		if (req->data.nr == SYS_utime) {
			t[2] = t[1];
			t[1] = t[3] = 0;
		}
		for (i = 0; i < 2; i++) {
			if (t[2 * i + 1] < 0 || t[2 * i + 1] >= 1000000)
				return sentry_files_errno(reply, -EINVAL);
			fc.u.attr.times[i].tv_sec = t[2 * i];
			fc.u.attr.times[i].tv_nsec = t[2 * i + 1] * 1000;
		}
		fc.u.attr.have_times = true;
	}
	if (!path) {
		if (req->data.nr != SYS_futimesat || fc.dirfd == AT_FDCWD)
			return sentry_files_errno(reply, -EFAULT);
		return serve_fd(sb, req, &fc, reply);
	}
	return sentry_files_serve(sb, req, &fc, path, 0, reply);
}
