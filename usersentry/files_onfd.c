// SPDX-License-Identifier: GPL-2.0
/* bind and inotify_add_watch: the path under the file rules, the call on a copy of the fd. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "files.h"

/*
 * bind() creates the socket's file: a new name, as mknod (hidden: ENOENT,
 * read-only: EROFS).  The kernel is given the resolved parent by its magic
 * link, /proc/self/fd/N/NAME, so it creates exactly there, as the target.
 * Every other address (abstract, unnamed, IP) is bound as given, on the
 * copy: the address was read once, so a swap changes nothing.
 */
static int op_bind(struct file_call *fc, struct sentry_reply *reply)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	char base[NAME_MAX + 1];
	int pfd, ret, n;

	if (!fc->u.bind.unix_path)
		return bind(fc->arg_fd_copy, (const struct sockaddr *)&fc->u.bind.addr,
			    fc->u.bind.len) < 0 ? -errno : 0;
	ret = sentry_resolve_new_name(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret == -EEXIST)
		ret = -EADDRINUSE;
	if (ret < 0)
		return ret;
	n = snprintf(un.sun_path, sizeof(un.sun_path), "/proc/self/fd/%d/%s", pfd, base);
	if (n < 0 || (size_t)n >= sizeof(un.sun_path))
		ret = -ENAMETOOLONG;
	else
		ret = bind(fc->arg_fd_copy, (const struct sockaddr *)&un,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1)) < 0 ?
		      -errno : 0;
	close(pfd);
	return ret;
}

int sentry_handle_bind(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_BIND, .op = op_bind, .dirfd = AT_FDCWD,
				.take_arg_fd = true, .arg_fd = (int)req->data.args[0],
				.have_path = true };
	const struct sockaddr_un *un = (const void *)&fc.u.bind.addr;
	uint64_t len = (uint32_t)req->data.args[2];
	size_t plen;

	if ((int)req->data.args[2] < 0 || len > sizeof(fc.u.bind.addr))
		return sentry_files_errno(reply, -EINVAL);
	if (len && sentry_read_mem(req->pid, req->data.args[1], &fc.u.bind.addr, len) !=
	    (ssize_t)len) {
		sentry_files_errno(reply, -EFAULT);
		return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
	}
	fc.u.bind.len = (socklen_t)len;
	plen = len > offsetof(struct sockaddr_un, sun_path) ?
	       len - offsetof(struct sockaddr_un, sun_path) : 0;
	if (len >= sizeof(sa_family_t) && un->sun_family == AF_UNIX && plen && un->sun_path[0]) {
		/* the kernel's reading: the path ends at its NUL or at len */
		plen = strnlen(un->sun_path, plen < sizeof(un->sun_path) ? plen :
				sizeof(un->sun_path));
		memcpy(fc.path, un->sun_path, plen);
		fc.path[plen] = '\0';
		fc.u.bind.unix_path = true;
	} else {
		/* no path: nothing to resolve ("/" only gives the serving its start) */
		strcpy(fc.path, "/");
	}
	return sentry_files_serve(sb, req, &fc, 0, 0, reply);
}

/*
 * inotify_add_watch(fd, path, mask): the watch is added to the target's
 * instance (a copy of its fd) on the inode the path resolves to under the
 * rules, through its magic link (which IN_DONT_FOLLOW must not stop at: the
 * O_PATH fd already is the link itself or what it points to).
 */
static int op_watch(struct file_call *fc, struct sentry_reply *reply)
{
	uint32_t mask = fc->u.watch.mask;
	char self[64];
	int fd, ret, wd;

	ret = sentry_resolve_existing(fc, !(mask & IN_DONT_FOLLOW), false, &fd);
	if (ret < 0)
		return ret;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(fc->arg_fd_copy, self, mask & ~(uint32_t)IN_DONT_FOLLOW);
	ret = wd < 0 ? -errno : 0;
	close(fd);
	reply->val = wd < 0 ? 0 : wd;
	return ret;
}

int sentry_handle_inotify_add_watch(struct sentry_sandbox *sb, const struct seccomp_notif *req,
				    struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_WATCH, .op = op_watch, .dirfd = AT_FDCWD,
				.take_arg_fd = true, .arg_fd = (int)req->data.args[0] };

	fc.u.watch.mask = (uint32_t)req->data.args[2];
	return sentry_files_serve(sb, req, &fc, req->data.args[1], 0, reply);
}
