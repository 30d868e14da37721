// SPDX-License-Identifier: GPL-2.0
/* The xattr family (get, list, set, remove; path, l and f spellings) under the file rules. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "files.h"

#define XATTR_VALUE_MAX 65536	/* XATTR_SIZE_MAX, XATTR_LIST_MAX */

/*
 * The path spellings act on an O_PATH fd, which takes no f*xattr(): through
 * its /proc/self/fd magic link (followed to that very inode, a symlink
 * included).  The f spellings act on a copy of the target's fd itself.
 */
static int op_xattr(struct file_call *fc, struct sentry_reply *reply)
{
	bool follow = !(fc->at_flags & AT_SYMLINK_NOFOLLOW);
	int kind = fc->u.xattr.kind, fd, ret;
	bool write = kind == XA_SET || kind == XA_REMOVE;
	size_t size = fc->u.xattr.size;
	char self[64];
	ssize_t n = 0;
	void *buf = NULL;

	ret = sentry_resolve_existing(fc, follow, write, &fd);
	if (ret < 0)
		return ret;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if ((kind == XA_GET || kind == XA_LIST) && size) {
		buf = malloc(size);
		if (!buf) {
			close(fd);
			return -ENOMEM;
		}
	}
	switch (kind) {
	case XA_GET:
		n = fc->fd_call ? fgetxattr(fd, fc->u.xattr.name, buf, size) :
				  getxattr(self, fc->u.xattr.name, buf, size);
		break;
	case XA_LIST:
		n = fc->fd_call ? flistxattr(fd, buf, size) : listxattr(self, buf, size);
		break;
	case XA_SET:
		n = fc->fd_call ? fsetxattr(fd, fc->u.xattr.name, fc->u.xattr.value, size,
					    fc->u.xattr.flags) :
				  setxattr(self, fc->u.xattr.name, fc->u.xattr.value, size,
					   fc->u.xattr.flags);
		break;
	case XA_REMOVE:
		n = fc->fd_call ? fremovexattr(fd, fc->u.xattr.name) :
				  removexattr(self, fc->u.xattr.name);
		break;
	}
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret < 0 || !buf) {
		free(buf);
		reply->val = ret < 0 ? 0 : n;
		return ret;
	}
	/* written to the target's buffer by sentry_files_serve() */
	fc->big_out = buf;
	fc->out_len = (size_t)n;
	reply->val = n;
	return 0;
}

enum { XS_PATH, XS_LINK, XS_FD };

/* The spelling of a call, from its number. */
static int spelling(int nr)
{
	switch (nr) {
	case SYS_lgetxattr: case SYS_llistxattr: case SYS_lsetxattr: case SYS_lremovexattr:
		return XS_LINK;
	case SYS_fgetxattr: case SYS_flistxattr: case SYS_fsetxattr: case SYS_fremovexattr:
		return XS_FD;
	}
	return XS_PATH;
}

static int serve_xattr(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct file_call *fc, struct sentry_reply *reply)
{
	int how = spelling(req->data.nr);

	if (how == XS_LINK)
		fc->at_flags = AT_SYMLINK_NOFOLLOW;
	if (how != XS_FD)
		return sentry_files_serve(sb, req, fc, req->data.args[0], LOOKUP_FLAGS, reply);
	fc->dirfd = (int)req->data.args[0];
	if (fc->dirfd < 0)
		return sentry_files_errno(reply, -EBADF);
	fc->fd_call = true;
	fc->have_path = true;
	fc->path[0] = '\0';
	fc->at_flags = AT_EMPTY_PATH;
	return sentry_files_serve(sb, req, fc, 0, LOOKUP_FLAGS, reply);
}

/* The attribute's name (argument 1), read once: ERANGE when empty or too long, as the kernel. */
static int read_name(const struct seccomp_notif *req, struct file_call *fc,
		     struct sentry_reply *reply)
{
	int ret = sentry_read_str(&reply->strs, req->pid, req->data.args[1], fc->u.xattr.name,
				  sizeof(fc->u.xattr.name));

	if (ret == -ENAMETOOLONG || (ret == 0 && !fc->u.xattr.name[0]))
		return -ERANGE;
	return ret;
}

static int name_failed(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply, int ret)
{
	if (ret == -ESRCH || sentry_id_valid(sb, req->id) < 0)
		return -ENOENT;
	return sentry_files_errno(reply, ret);
}

/* getxattr(path, name, value, size), lgetxattr, fgetxattr(fd, ...) */
int sentry_handle_getxattr(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_XATTR, .op = op_xattr, .dirfd = AT_FDCWD,
				.u.xattr.kind = XA_GET };
	int ret = read_name(req, &fc, reply);

	if (ret < 0)
		return name_failed(sb, req, reply, ret);
	fc.buf_addr = req->data.args[2];
	fc.u.xattr.size = req->data.args[3] > XATTR_VALUE_MAX ? XATTR_VALUE_MAX :
			  (size_t)req->data.args[3];
	return serve_xattr(sb, req, &fc, reply);
}

/* listxattr(path, list, size), llistxattr, flistxattr(fd, ...) */
int sentry_handle_listxattr(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			    struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_XATTR, .op = op_xattr, .dirfd = AT_FDCWD,
				.u.xattr.kind = XA_LIST };

	fc.buf_addr = req->data.args[1];
	fc.u.xattr.size = req->data.args[2] > XATTR_VALUE_MAX ? XATTR_VALUE_MAX :
			  (size_t)req->data.args[2];
	return serve_xattr(sb, req, &fc, reply);
}

/* setxattr(path, name, value, size, flags), lsetxattr, fsetxattr(fd, ...) */
int sentry_handle_setxattr(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_XATTR, .op = op_xattr, .dirfd = AT_FDCWD,
				.u.xattr.kind = XA_SET };
	uint64_t size = req->data.args[3];
	void *value = NULL;
	int ret;

	if (req->data.args[4] & ~(uint64_t)(XATTR_CREATE | XATTR_REPLACE))
		return sentry_files_errno(reply, -EINVAL);
	ret = read_name(req, &fc, reply);
	if (ret < 0)
		return name_failed(sb, req, reply, ret);
	if (size > XATTR_VALUE_MAX)
		return sentry_files_errno(reply, -E2BIG);
	if (size) {
		value = malloc(size);
		if (!value)
			return -ENOMEM;
		/* read once: what is set is what the rules were checked for */
		if (sentry_read_mem(req->pid, req->data.args[2], value, size) != (ssize_t)size) {
			free(value);
			return name_failed(sb, req, reply, -EFAULT);
		}
	}
	fc.u.xattr.value = value;
	fc.u.xattr.size = size;
	fc.u.xattr.flags = (int)req->data.args[4];
	ret = serve_xattr(sb, req, &fc, reply);
	free(value);
	return ret;
}

/* removexattr(path, name), lremovexattr, fremovexattr(fd, name) */
int sentry_handle_removexattr(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			      struct sentry_reply *reply)
{
	struct file_call fc = { .what = FC_XATTR, .op = op_xattr, .dirfd = AT_FDCWD,
				.u.xattr.kind = XA_REMOVE };
	int ret = read_name(req, &fc, reply);

	if (ret < 0)
		return name_failed(sb, req, reply, ret);
	return serve_xattr(sb, req, &fc, reply);
}
