// SPDX-License-Identifier: GPL-2.0
/* Portable mode: raw seccomp user-notification ioctls on a listener fd. */
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include <seccomp.h>

#include "internal.h"
#include "seccomp_compat.h"

#ifndef ANON_INODE_FS_MAGIC
#define ANON_INODE_FS_MAGIC 0x09041934
#endif

struct redirect_notif_buf {
	struct seccomp_notif *req;
	size_t req_size;
	struct seccomp_notif_resp *resp;
	size_t resp_size;
};

int redirect_notif_buf_new(struct redirect_notif_buf **bufp, struct redirect_error **err)
{
	struct seccomp_notif_sizes sizes;
	struct redirect_notif_buf *b;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return redirect_make_error_errno(err, errno, "SECCOMP_GET_NOTIF_SIZES");
	b = calloc(1, sizeof(*b));
	if (!b)
		return redirect_make_error(err, ENOMEM, "out of memory");
	/* the kernel's structures may be larger than ours: use the larger */
	b->req_size = sizes.seccomp_notif > sizeof(*b->req) ? sizes.seccomp_notif
							     : sizeof(*b->req);
	b->resp_size = sizes.seccomp_notif_resp > sizeof(*b->resp) ? sizes.seccomp_notif_resp
								    : sizeof(*b->resp);
	b->req = calloc(1, b->req_size);
	b->resp = calloc(1, b->resp_size);
	if (!b->req || !b->resp) {
		redirect_notif_buf_free(b);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	*bufp = b;
	return 0;
}

void redirect_notif_buf_free(struct redirect_notif_buf *b)
{
	if (!b)
		return;
	free(b->req);
	free(b->resp);
	free(b);
}

const struct seccomp_notif *redirect_notif_req(const struct redirect_notif_buf *b)
{
	return b->req;
}

int redirect_notif_recv(int listener, struct redirect_notif_buf *b, struct redirect_error **err)
{
	/* the kernel insists on a zeroed buffer, every time */
	memset(b->req, 0, b->req_size);
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, b->req) < 0)
		return redirect_make_error_errno(err, errno, "SECCOMP_IOCTL_NOTIF_RECV");
	return 0;
}

int redirect_notif_id_valid(int listener, uint64_t id, struct redirect_error **err)
{
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return redirect_make_error_errno(err, errno, "SECCOMP_IOCTL_NOTIF_ID_VALID");
	return 0;
}

int redirect_notif_send(int listener, struct redirect_notif_buf *b, uint64_t id, int64_t val,
			int32_t error, uint32_t flags, struct redirect_error **err)
{
	memset(b->resp, 0, b->resp_size);
	b->resp->id = id;
	b->resp->val = val;
	b->resp->error = error;
	b->resp->flags = flags;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, b->resp) < 0)
		return redirect_make_error_errno(err, errno, "SECCOMP_IOCTL_NOTIF_SEND");
	return 0;
}

int redirect_notif_send_verdict(int listener, struct redirect_notif_buf *b, uint64_t id,
				const struct redirect_answer *v, struct redirect_error **err)
{
	if (v->kind == REDIRECT_ANSWER_CONTINUE)
		return redirect_notif_send(listener, b, id, 0, 0,
					   SECCOMP_USER_NOTIF_FLAG_CONTINUE, err);
	return redirect_notif_send(listener, b, id, 0, -v->errnum, 0, err);
}

int redirect_notif_set_sync_wakeup(int listener, struct redirect_error **err)
{
	uint64_t flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;

	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) < 0) {
		if (errno == EINVAL || errno == ENOTTY)
			return redirect_make_error(err, EOPNOTSUPP,
						   "SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: not "
						   "supported by this kernel");
		return redirect_make_error_errno(err, errno, "SECCOMP_IOCTL_NOTIF_SET_FLAGS");
	}
	return 0;
}

int redirect_listener_check(int fd, struct redirect_error **err)
{
	static const char want[] = "anon_inode:seccomp notify";
	char proc[64], link[64];
	struct statfs sfs;
	ssize_t n;

	if (fstatfs(fd, &sfs) < 0)
		return redirect_make_error_errno(err, errno, "fd %d", fd);
	if ((unsigned long)sfs.f_type != ANON_INODE_FS_MAGIC)
		return redirect_make_error(err, ENOTTY, "fd %d is not a seccomp listener", fd);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, link, sizeof(link) - 1);
	if (n < 0)
		return redirect_make_error_errno(err, errno, "readlink %s", proc);
	link[n] = '\0';
	if (strcmp(link, want))
		return redirect_make_error(err, ENOTTY, "fd %d (%s) is not a seccomp listener",
					   fd, link);
	return 0;
}

const char *redirect_syscall_name(uint32_t arch, int nr, char *buf, size_t size)
{
	char *name = seccomp_syscall_resolve_num_arch(arch, nr);

	/* calls newer than libseccomp that the abi section emulates */
	if (!name && arch == seccomp_arch_native() && redirect_abi_call_name(nr)) {
		snprintf(buf, size, "%s", redirect_abi_call_name(nr));
		return buf;
	}
	if (!name)
		return NULL;
	snprintf(buf, size, "%s", name);
	free(name);
	return buf;
}
