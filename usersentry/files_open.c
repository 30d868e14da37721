// SPDX-License-Identifier: GPL-2.0
/* open, openat, openat2, creat: resolved in the target's root, opened here, the fd injected. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files.h"

#ifndef OPEN_HOW_SIZE_VER0
#define OPEN_HOW_SIZE_VER0 24
#endif

static bool writes(const struct open_how *how)
{
	return (how->flags & O_ACCMODE) != O_RDONLY || (how->flags & O_TRUNC);
}

static int op_open(struct file_call *fc, struct sentry_reply *reply)
{
	const struct open_how *how = &fc->u.open.how;
	const struct redirect_policy *policy = fc->sb->policy;
	char lp[PATH_MAX], cp[PATH_MAX], mapped[PATH_MAX];
	const char *dir = fc->dir;
	struct open_how ph = { 0 }, fh = { 0 };
	uint64_t user_resolve = how->resolve & (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
						RESOLVE_NO_SYMLINKS);
	bool remapped = false, create = false;
	int fd = -1, pfd = -1, out, r, ret, attempt;
	char *slash;

	ret = sentry_normalise(dir, fc->path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	sentry_proc_self(fc->creds, lp, sizeof(lp));
	if ((how->resolve & RESOLVE_BENEATH) &&
	    (fc->path[0] == '/' || strncmp(lp, dir, strlen(dir))))
		return -EXDEV;
	if (!(how->flags & O_PATH)) {
		char *data = NULL;
		size_t len;

		r = sentry_synth_find(fc->sb, (pid_t)fc->req->pid, lp, &data, &len);
		if (r != 0) {
			ret = r < 0 ? r : sentry_synth_open(data, len, how->flags, reply);
			free(data);
			return ret;
		}
	}
	/* not a synthetic file and nothing else to decide: the kernel opens it (O_PATH too) */
	if (redirect_policy_paths_continue(policy)) {
		reply->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		reply->verdict = "continue";
		return 0;
	}
	/* a magic link followed: as the kernel, unless the caller refuses those */
	if ((fc->named_fd >= 0 || fc->named_missing) && !(how->flags & O_NOFOLLOW) &&
	    !(how->resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_IN_ROOT | RESOLVE_BENEATH))) {
		fd = sentry_named_fd_copy(fc);
		if (fd < 0)
			return fd;
		r = sentry_named_fd_rule(fc, fd);
		snprintf(cp, sizeof(cp), "%s", lp);
		goto resolved;
	}

	for (attempt = 0; attempt < 2; attempt++) {
		r = sentry_file_rule_remapped(policy, lp, sizeof(lp), &remapped);
		if (r == RULE_HIDDEN)
			return -ENOENT;
		if (r == RULE_RO && writes(how))
			return -EROFS;

		/* resolve inside the root: symlinks cannot leave it */
		ph.flags = O_PATH | O_CLOEXEC | (how->flags & (O_NOFOLLOW | O_DIRECTORY));
		ph.resolve = RESOLVE_IN_ROOT | user_resolve;
		fd = (int)syscall(SYS_openat2, fc->rootfd, lp, &ph, sizeof(ph));
		if (fd < 0 && errno == ENOENT && (how->flags & O_CREAT)) {
			char parent[PATH_MAX];

			snprintf(parent, sizeof(parent), "%s", lp);
			slash = strrchr(parent, '/');
			if (!slash || !slash[1])
				return -EISDIR;
			*slash = '\0';
			ph.flags = O_PATH | O_CLOEXEC | O_DIRECTORY;
			pfd = (int)syscall(SYS_openat2, fc->rootfd, parent[0] ? parent : "/", &ph,
					   sizeof(ph));
			if (pfd < 0)
				return -errno;
			ret = sentry_fd_path(pfd, cp, sizeof(cp));
			if (ret == 0)
				ret = sentry_strip_root(fc->root, cp);
			if (ret < 0) {
				close(pfd);
				return -ENOENT;
			}
			if (strlen(cp) + strlen(slash + 1) + 2 > sizeof(cp)) {
				close(pfd);
				return -ENAMETOOLONG;
			}
			if (strcmp(cp, "/"))
				strcat(cp, "/");
			strcat(cp, slash + 1);
			create = true;
		} else if (fd < 0) {
			return -errno;
		} else {
			ret = sentry_fd_path(fd, cp, sizeof(cp));
			if (ret == 0)
				ret = sentry_strip_root(fc->root, cp);
			if (ret < 0)
				snprintf(cp, sizeof(cp), "%s", lp);
		}
		/* the real path (symlinks followed) meets the rules as well */
		r = sentry_file_rule(policy, cp, mapped, sizeof(mapped));
		if (r == RULE_REMAP && !remapped && attempt == 0) {
			if (fd >= 0)
				close(fd);
			if (pfd >= 0)
				close(pfd);
			fd = pfd = -1;
			snprintf(lp, sizeof(lp), "%s", mapped);
			remapped = true;
			continue;
		}
		break;
	}
resolved:
	ret = 0;
	if (r == RULE_HIDDEN)
		ret = -ENOENT;
	else if ((r == RULE_RO && writes(how)) || (r == RULE_RO && create))
		ret = -EROFS;
	else if ((how->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) && !create)
		ret = -EEXIST;
	if ((how->resolve & RESOLVE_BENEATH) && strncmp(cp, dir, strlen(dir)))
		ret = -EXDEV;
	if (ret < 0)
		goto out;

	fh.flags = (how->flags | O_CLOEXEC) & ~(uint64_t)(O_NOFOLLOW | O_CREAT | O_EXCL);
	if (create) {
		fh.flags |= O_CREAT | O_NOFOLLOW | (how->flags & O_EXCL);
		fh.mode = how->mode;
		fh.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH;
		slash = strrchr(cp, '/');
		out = (int)syscall(SYS_openat2, pfd, slash + 1, &fh, sizeof(fh));
	} else {
		struct stat st;
		char self[64];

		if ((how->flags & O_NOFOLLOW) && !(how->flags & O_PATH) &&
		    fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
			ret = -ELOOP;
			goto out;
		}
		/*
		 * Opening a FIFO, device or socket may wait: on the main thread
		 * that is a worker's job (decided on the inode resolved, no open).
		 */
		if (reply->may_handoff && !(how->flags & O_PATH) &&
		    (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))) {
			reply->handoff = true;
			goto out;
		}
		/* the inode resolved above, not the path again */
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		out = open(self, (int)fh.flags);
	}
	if (out < 0) {
		ret = -errno;
		goto out;
	}
	reply->addfd = out;
	reply->addfd_flags = (how->flags & O_CLOEXEC) ? O_CLOEXEC : 0;
	reply->verdict = remapped ? "emulated:remapped" : "emulated";
out:
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	return ret;
}

static int check_flags(uint64_t flags)
{
	/* O_TMPFILE needs the directory's own handling: not served */
	if ((flags & __O_TMPFILE) == __O_TMPFILE)
		return -EOPNOTSUPP;
	return 0;
}

/*
 * An open the Sentry does not serve: EOPNOTSUPP under file rules or a
 * tier-1 string rule, the kernel's when only synthetic files made it
 * notify (op_open's CONTINUE, same reasoning: a view is no boundary).
 */
static int unserved(const struct sentry_sandbox *sb, struct sentry_reply *reply)
{
	if (sb->policy && redirect_policy_paths_continue(sb->policy)) {
		reply->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		reply->verdict = "continue";
		return 0;
	}
	return sentry_files_errno(reply, -EOPNOTSUPP);
}

int sentry_handle_open(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_OPEN, .op = op_open, .dirfd = AT_FDCWD };

	fc.u.open.how.flags = (uint32_t)req->data.args[1];
	fc.u.open.how.mode = req->data.args[2] & 07777;
	if (check_flags(fc.u.open.how.flags) < 0)
		return unserved(sb, reply);
	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}

int sentry_handle_creat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_OPEN, .op = op_open, .dirfd = AT_FDCWD };

	fc.u.open.how.flags = O_CREAT | O_WRONLY | O_TRUNC;
	fc.u.open.how.mode = req->data.args[1] & 07777;
	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}

int sentry_handle_openat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_OPEN, .op = op_open, .dirfd = (int)req->data.args[0] };

	fc.u.open.how.flags = (uint32_t)req->data.args[2];
	fc.u.open.how.mode = req->data.args[3] & 07777;
	if (check_flags(fc.u.open.how.flags) < 0)
		return unserved(sb, reply);
	return sentry_files_serve(sb, req, &fc, req->data.args[1], 0, reply);
}

int sentry_handle_openat2(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_OPEN, .op = op_open, .dirfd = (int)req->data.args[0] };
	struct open_how *how = &fc.u.open.how;
	uint64_t size = req->data.args[3];
	unsigned char extra[256];
	size_t off;

	reply->verdict = "errno";
	if (size < OPEN_HOW_SIZE_VER0) {
		reply->error = -EINVAL;
		return 0;
	}
	if (size > 4096) {
		reply->error = -E2BIG;
		return 0;
	}
	if (sentry_read_mem(req->pid, req->data.args[2], how, sizeof(*how)) !=
	    (ssize_t)sizeof(*how)) {
		reply->error = -EFAULT;
		return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
	}
	for (off = sizeof(*how); off < size; off += sizeof(extra)) {
		size_t n = size - off < sizeof(extra) ? size - off : sizeof(extra), i;

		if (sentry_read_mem(req->pid, req->data.args[2] + off, extra, n) != (ssize_t)n) {
			reply->error = -EFAULT;
			return 0;
		}
		for (i = 0; i < n; i++)
			if (extra[i]) {
				reply->error = -E2BIG;
				return 0;
			}
	}
	if ((how->flags >> 32) || (how->resolve & ~(uint64_t)(RESOLVE_NO_XDEV |
	     RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_IN_ROOT |
	     RESOLVE_CACHED)) ||
	    (how->mode && !(how->flags & (O_CREAT | __O_TMPFILE))) || how->mode > 07777 ||
	    ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT))) {
		reply->error = -EINVAL;
		return 0;
	}
	/* a root of the caller's own choosing: not served */
	if (check_flags(how->flags) < 0 || (how->resolve & RESOLVE_IN_ROOT))
		return unserved(sb, reply);
	return sentry_files_serve(sb, req, &fc, req->data.args[1], 0, reply);
}
