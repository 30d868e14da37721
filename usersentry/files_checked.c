// SPDX-License-Identifier: GPL-2.0
/* Path calls the Sentry cannot make for the target: chdir, exec checked; the rest refused. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files.h"

/*
 * chdir, execve and execveat change the calling process itself, which no
 * other process can do for it: the Sentry resolves its copy of the path
 * under the rules and refuses what they refuse (hidden: ENOENT, and an exec
 * of a remapped file: EACCES, since another file cannot be run in its
 * place); what they allow is left to the kernel (CONTINUE).  Only policies
 * with hidden or remap rules notify these calls (readOnly does not concern
 * them).  The kernel reads the path again: see docs/policy.md ("Every call
 * that takes a path") for why a swapped chdir gains nothing.  An exec is
 * continued with the file we checked where the module can guard it
 * (kmod/exec_guard.c): the kernel then runs that file or fails with ENOENT.
 * In portable mode a swapped exec can still run a hidden file (docs).
 */
static int op_check(struct file_call *fc, struct sentry_reply *reply)
{
	int fd, ret;

	ret = sentry_resolve_existing(fc, !(fc->at_flags & AT_SYMLINK_NOFOLLOW), false, &fd);
	if (ret < 0)
		return ret;
	if (fc->u.check.exec && fc->remapped) {
		close(fd);
		return -EACCES;
	}
	if (fc->u.check.exec && sentry_exec_guarded(fc->sb)) {
		reply->exec_fd = fd;
		reply->verdict = "continue:guarded";
	} else {
		close(fd);
		reply->verdict = "continue:checked";
	}
	reply->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	return 0;
}

/* Module mode with a module that has the exec guard (older ones: as portable). */
bool sentry_exec_guarded(const struct sentry_sandbox *sb)
{
	return sb->s && sb->s->mode == REDIRECT_MODE_MODULE && sb->s->session &&
	       (redirect_session_features(sb->s->session) & REDIRECT_FEATURE_EXEC_GUARD);
}

int sentry_handle_chdir(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHECK, .op = op_check, .dirfd = AT_FDCWD };

	return sentry_files_serve(sb, req, &fc, req->data.args[0], 0, reply);
}

/* execve(path, argv, envp), execveat(dirfd, path, argv, envp, flags) */
int sentry_handle_execve(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_CHECK, .op = op_check, .dirfd = AT_FDCWD,
				.u.check.exec = true };
	uint64_t path = req->data.args[0];

	if (req->data.nr == SYS_execveat) {
		fc.dirfd = (int)req->data.args[0];
		path = req->data.args[1];
		fc.at_flags = (int)req->data.args[4];
	}
	return sentry_files_serve(sb, req, &fc, path, LOOKUP_FLAGS, reply);
}

/*
 * Refused wherever file (or mount) rules are in force, without reading an
 * argument: each would let the target around the rules.  Errno as Docker's
 * profile answers them without the capability they need.
 */
static const struct {
	int nr;
	int error;
} refused[] = {
	/* events with fds of any file a mark covers (mount, file system, a directory's children) */
	{ SYS_fanotify_mark, EPERM },
	/* a handle opens its inode past the rules (open_by_handle_at) */
	{ SYS_name_to_handle_at, EPERM },
	{ SYS_open_by_handle_at, EPERM },
	/* a new root: the rules' paths would name other files */
	{ SYS_chroot, EPERM },
	{ SYS_pivot_root, EPERM },
	/* the new mount API: mounts and bind mounts past the mount and file rules */
	{ SYS_fsopen, EPERM },
	{ SYS_fsconfig, EPERM },
	{ SYS_fsmount, EPERM },
	{ SYS_fspick, EPERM },
	{ SYS_move_mount, EPERM },
	{ SYS_open_tree, EPERM },
	{ SYS_mount_setattr, EPERM },
};

int sentry_handle_refused(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(refused); i++)
		if (refused[i].nr == req->data.nr) {
			reply->error = -refused[i].error;
			reply->verdict = "denied:refused";
			return 0;
		}
	return -ENOSYS;
}
