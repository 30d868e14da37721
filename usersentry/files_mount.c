// SPDX-License-Identifier: GPL-2.0
/* mount and umount2, in a child in the target's mount namespace, under the mount and file rules. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "files.h"

/* Flags a mount may carry: nothing that moves, remounts or changes propagation. */
#define MOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | \
		     MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_SILENT | MS_LAZYTIME)

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif

/* The real path of fd under rootfd's path (both in the child's namespace); -ENOENT outside. */
static int real_under_root(int rootfd, int fd, char *out, size_t size)
{
	char root[PATH_MAX];
	int ret = sentry_fd_path(rootfd, root, sizeof(root));

	if (ret == 0)
		ret = sentry_fd_path(fd, out, size);
	if (ret == 0)
		ret = sentry_strip_root(root, out) < 0 ? -ENOENT : 0;
	return ret;
}

/*
 * path opened in the target's root as how says (*fdp), its real path in real
 * (PATH_MAX bytes): 0, or the errno; ENOENT when a file rule hides it,
 * ro_errno when one makes it read-only.
 */
static int open_in_root(const struct redirect_policy *p, int rootfd, const char *path,
			const struct open_how *how, int ro_errno, char *real, int *fdp)
{
	char mapped[PATH_MAX];
	int r;

	*fdp = (int)syscall(SYS_openat2, rootfd, path, how, sizeof(*how));
	if (*fdp < 0)
		return errno;
	r = real_under_root(rootfd, *fdp, real, PATH_MAX);
	if (r < 0)
		return -r;
	/* a symlink on the way must not lead out of the allowed targets or into a rule */
	r = sentry_file_rule(p, real, mapped, sizeof(mapped));
	if (r == RULE_HIDDEN)
		return ENOENT;
	return r == RULE_RO ? ro_errno : 0;
}

/*
 * In a child: our own credentials back, the target's mount namespace
 * entered, the path resolved in its root (RESOLVE_IN_ROOT) and checked
 * again by its real path, then the call made on that very directory
 * (fchdir + ".", or its parent + the last name without following it).
 * Returns the errno (0: done) as the child's exit status.
 */
static int mount_child(struct file_call *fc, const char *lp, const char *src)
{
	const struct redirect_policy *p = fc->sb->policy;
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | O_DIRECTORY,
				.resolve = RESOLVE_IN_ROOT };
	char path[64], real[PATH_MAX], parent[PATH_MAX], *slash;
	bool umount = fc->u.mount.umount;
	unsigned long flags = fc->u.mount.flags;
	int nsfd, rootfd, tfd, sfd = -1, r, tree;

	sentry_unbecome(umask(0));	/* the umask unchanged */
	snprintf(path, sizeof(path), "/proc/%u/ns/mnt", fc->req->pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%u/root", fc->req->pid);
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (nsfd < 0 || rootfd < 0)
		return ESRCH;
	if (setns(nsfd, CLONE_NEWNS) < 0)
		return errno;
	if (umount) {
		snprintf(parent, sizeof(parent), "%s", lp);
		slash = strrchr(parent, '/');
		*slash = '\0';
		tfd = (int)syscall(SYS_openat2, rootfd, parent[0] ? parent : "/", &how, sizeof(how));
		if (tfd < 0)
			return errno;
		r = real_under_root(rootfd, tfd, real, sizeof(real) - NAME_MAX - 2);
		if (r < 0)
			return -r;
		if (strcmp(real, "/"))
			strcat(real, "/");
		strcat(real, slash + 1);
		if (redirect_policy_mount_target_check(p, real) != 1)
			return EPERM;
		if (fchdir(tfd) < 0)
			return errno;
		return umount2(slash + 1, (int)flags | UMOUNT_NOFOLLOW) < 0 ? errno : 0;
	}
	r = open_in_root(p, rootfd, lp, &how, EROFS, real, &tfd);
	if (r)
		return r;
	if (redirect_policy_mount_check(p, fc->u.mount.fstype, real, flags) != 1)
		return EPERM;
	if (flags & MS_BIND) {
		how.flags = O_PATH | O_CLOEXEC;
		/* read-only: EPERM, for a writable view of a read-only tree */
		r = open_in_root(p, rootfd, src, &how, EPERM, real, &sfd);
		if (r)
			return r;
		tree = (int)syscall(SYS_open_tree, sfd, "", OPEN_TREE_CLONE | AT_EMPTY_PATH |
				    ((flags & MS_REC) ? AT_RECURSIVE : 0));
		if (tree < 0)
			return errno;
		return syscall(SYS_move_mount, tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH |
			       MOVE_MOUNT_T_EMPTY_PATH) < 0 ? errno : 0;
	}
	if (fchdir(tfd) < 0)
		return errno;
	return mount(src, ".", fc->u.mount.fstype, flags, fc->u.mount.data) < 0 ? errno : 0;
}

static int op_mount(struct file_call *fc, struct sentry_reply *reply)
{
	const struct redirect_policy *p = fc->sb->policy;
	char lp[PATH_MAX], src[PATH_MAX], mapped[PATH_MAX];
	bool umount = fc->u.mount.umount;
	unsigned long flags = fc->u.mount.flags;
	int r, ret, status;
	pid_t child;

	ret = sentry_normalise(fc->dir, fc->path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	sentry_proc_self(fc->creds, lp, sizeof(lp));
	r = sentry_file_rule(p, lp, mapped, sizeof(mapped));
	if (r == RULE_HIDDEN)
		return -ENOENT;
	if (r == RULE_RO)
		return -EROFS;
	if (umount) {
		if (!strcmp(lp, "/") || redirect_policy_mount_target_check(p, lp) != 1)
			return -EPERM;
	} else {
		if (redirect_policy_mount_check(p, fc->u.mount.fstype, lp, flags) != 1)
			return -EPERM;
		snprintf(src, sizeof(src), "%s", fc->path2);
		if (flags & MS_BIND) {
			ret = sentry_normalise(fc->dir2, fc->path2, src, sizeof(src));
			if (ret < 0)
				return ret;
			sentry_proc_self(fc->creds, src, sizeof(src));
			r = sentry_file_rule(p, src, mapped, sizeof(mapped));
			if (r == RULE_HIDDEN)
				return -ENOENT;
			if (r == RULE_RO)
				return -EPERM;
		}
	}
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0)
		_exit(mount_child(fc, lp, src) & 0xff);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -ECHILD;
	if (!WIFEXITED(status))
		return -EIO;
	reply->verdict = "emulated";
	return -WEXITSTATUS(status);
}

int sentry_handle_mount(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_MOUNT, .op = op_mount, .dirfd = AT_FDCWD,
				.dirfd2 = AT_FDCWD };
	unsigned long flags = (unsigned long)req->data.args[3];
	char data[4096];
	int ret;

	reply->verdict = "errno";
	/* MS_MGC_VAL in the top half is the old magic: ignored as the kernel does */
	if ((flags & 0xffff0000UL) == 0xc0ed0000UL)
		flags &= 0xffff;
	if (flags & ~(unsigned long)(MOUNT_FLAGS | MS_BIND | MS_REC) ||
	    ((flags & MS_REC) && !(flags & MS_BIND))) {
		reply->error = -EPERM;	/* remount, move, propagation: not served */
		return 0;
	}
	fc.u.mount.flags = flags;
	if (!(flags & MS_BIND)) {
		char *fstype = fc.u.mount.fstype;

		ret = req->data.args[2] ? sentry_read_str(&reply->strs, req->pid, req->data.args[2],
							  fstype, sizeof(fc.u.mount.fstype)) : -EFAULT;
		if (ret < 0) {
			reply->error = ret == -ENAMETOOLONG ? -ENODEV : ret;
			return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
		}
		if (req->data.args[4]) {
			/* the kernel copies up to a page; a string is all file systems here take */
			ret = sentry_read_str(&reply->strs, req->pid, req->data.args[4], data,
					      sizeof(data));
			if (ret < 0) {
				reply->error = ret == -ENAMETOOLONG ? -EINVAL : ret;
				return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
			}
			fc.u.mount.data = data;
		}
	}
	/* the source: a path for bind mounts (resolved), a name ("none") otherwise */
	if (flags & MS_BIND) {
		fc.path2_addr = req->data.args[0];
		if (!fc.path2_addr) {
			reply->error = -EFAULT;
			return 0;
		}
	} else if (req->data.args[0]) {
		ret = sentry_read_str(&reply->strs, req->pid, req->data.args[0], fc.path2,
				      sizeof(fc.path2));
		if (ret < 0) {
			reply->error = ret;
			return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
		}
	}
	return sentry_files_serve(sb, req, &fc, req->data.args[1], 0, reply);
}

int sentry_handle_umount2(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_MOUNT, .op = op_mount, .dirfd = AT_FDCWD,
				.u.mount.umount = true };
	uint64_t flags = (uint32_t)req->data.args[1];

	if (flags & ~(uint64_t)(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return sentry_files_errno(reply, -EINVAL);
	fc.u.mount.flags = (unsigned long)flags;
	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}
