// SPDX-License-Identifier: GPL-2.0
/* getdents64 and getdents under hidden file rules: the listing without the hidden names. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry.h"

/*
 * How one call is served:
 *  1. the target's fd is copied with pidfd_getfd(), then ID_VALID: the copy
 *     shares the open file description, so the directory offset we advance
 *     is the target's;
 *  2. getdents64 (getdents) is performed on the copy, with the target's fs
 *     ids and capabilities, into our buffer of at most the target's count:
 *     the kernel gives its own errors (EBADF for an O_PATH fd, ENOTDIR,
 *     EINVAL for a count too small) and 0 at the end;
 *  3. for the first chunk with entries, /proc/<pid>/root is opened (ID_VALID)
 *     and the directory's path in the container is the copy's own
 *     /proc/self/fd link with the root's path taken off: the kernel's names,
 *     nothing the target wrote;
 *  4. every entry whose full path the file rules hide (the matcher files_path.c
 *     uses, so a name hidden from open and stat is hidden here too) is
 *     dropped; the others keep their d_off, so telldir/seekdir still work.
 *     A chunk with nothing left is followed by the next one: 0 means the end;
 *  5. the records are written with process_vm_writev() after ID_VALID,
 *     and the reply is their length.  The call never continues.
 */

/* The most we ask of the kernel per round: what glibc's readdir asks is 32 KiB. */
#define DENTS_BUF_MAX (64 * 1024)
/* ID_VALID again after this many chunks with every entry hidden */
#define DENTS_CHECK_EVERY 64

struct dents_dir {
	char path[PATH_MAX + 1];	/* in the container; "" when it has none */
	size_t len;
	const struct redirect_policy *policy;
	unsigned int hidden;
};

int sentry_dents_filter(void *buf, size_t len, bool old_layout,
			bool (*hide)(void *arg, const char *name), void *arg)
{
	const size_t name_off = old_layout ? DENTS_OLD_NAME_OFF : DENTS64_NAME_OFF;
	unsigned char *p = buf;
	size_t in = 0, out = 0;

	while (in < len) {
		unsigned short reclen;
		const char *name;
		size_t max;

		if (len - in < name_off + 1)
			return -EIO;
		memcpy(&reclen, p + in + DENTS_RECLEN_OFF, sizeof(reclen));
		/* a name and its NUL, and in the old layout d_type in the last byte */
		if (reclen < name_off + 1 + old_layout || reclen > len - in)
			return -EIO;
		name = (const char *)p + in + name_off;
		max = reclen - name_off - old_layout;
		if (!memchr(name, '\0', max) || !name[0])
			return -EIO;
		if (!hide(arg, name)) {
			if (out != in)
				memmove(p + out, p + in, reclen);
			out += reclen;
		}
		in += reclen;
	}
	return (int)out;
}

static bool hidden_name(void *arg, const char *name)
{
	struct dents_dir *d = arg;
	char path[PATH_MAX + NAME_MAX + 2];
	enum redirect_file_action a;

	/* the directory and its parent are never hidden from a listing */
	if (!d->path[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	if (strlen(name) > NAME_MAX)
		return false;	/* the kernel's names are shorter; not a path */
	snprintf(path, sizeof(path), "%s%s%s", d->path, d->len > 1 ? "/" : "", name);
	if (redirect_policy_file_lookup(d->policy, path, &a, NULL, 0) == 1 &&
	    a == REDIRECT_FILE_HIDDEN) {
		d->hidden++;
		return true;
	}
	return false;
}

static int link_path(const char *link, char *buf, size_t size)
{
	ssize_t n = readlink(link, buf, size);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/*
 * The path of our copy inside the target's root.  A directory outside that
 * root (an fd passed in from outside) has no container path: no rule names
 * its entries and d->path stays "".
 */
static int dir_path(struct sentry_sandbox *sb, const struct seccomp_notif *req, int fd,
		    struct dents_dir *d)
{
	char link[64], root[PATH_MAX + 1];
	size_t n;
	int rootfd, ret;

	snprintf(link, sizeof(link), "/proc/%u/root", req->pid);
	rootfd = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ret = rootfd < 0 ? -errno : 0;
	if (sentry_id_valid(sb, req->id) < 0) {
		if (rootfd >= 0)
			close(rootfd);
		return -ENOENT;
	}
	if (ret < 0)
		return ret;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", rootfd);
	ret = link_path(link, root, sizeof(root));
	close(rootfd);
	if (ret < 0)
		return ret;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	/* too long to name: fail rather than list what a rule on a prefix hides */
	ret = link_path(link, d->path, sizeof(d->path));
	if (ret < 0)
		return ret;
	n = strlen(root);
	if (!strcmp(root, "/")) {
		if (d->path[0] != '/')
			d->path[0] = '\0';
	} else if (!strncmp(d->path, root, n) && (d->path[n] == '/' || !d->path[n])) {
		if (!d->path[n])
			strcpy(d->path, "/");
		else
			memmove(d->path, d->path + n, strlen(d->path + n) + 1);
	} else {
		d->path[0] = '\0';
	}
	d->len = strlen(d->path);
	return 0;
}

/*
 * Listed as the target (sentry_become()): some listings depend on the
 * caller (procfs with hidepid shows only the pids it may see; FUSE and NFS
 * ask the server as the caller).
 */
static long dents_call(int fd, void *buf, unsigned int count, bool old_layout)
{
#ifdef SYS_getdents
	if (old_layout)
		return syscall(SYS_getdents, fd, buf, count);
#endif
	return syscall(SYS_getdents64, fd, buf, count);
}

static int serve(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		 struct sentry_reply *reply, bool old_layout)
{
	unsigned int fd = (unsigned int)req->data.args[0];
	uint64_t addr = req->data.args[1];
	unsigned int count = (unsigned int)req->data.args[2];
	struct dents_dir d = { .policy = sb->policy };
	unsigned int rounds = 0, size;
	struct sentry_creds creds;
	mode_t old_umask;
	bool have_path = false;
	struct stat st;
	int copy = -1, ret, saved;
	off_t pos0;
	void *buf;
	long n;

	snprintf(reply->detail, sizeof(reply->detail), "\"fd\":%d,\"count\":%u", (int)fd, count);
	reply->verdict = "emulated";
	/* read before the copy: its ID_VALID vouches for both */
	ret = sentry_creds_read((pid_t)req->pid, &creds);
	/* the kernel takes fd as an unsigned int: past INT_MAX nothing is open */
	if (ret == 0)
		ret = fd > INT_MAX ? -EBADF : sentry_target_fd(sb, req, (int)fd, &copy);
	else if (sentry_id_valid(sb, req->id) < 0)
		ret = -ENOENT;
	if (ret == -ENOENT)
		return -ENOENT;
	if (ret < 0) {
		reply->error = ret;
		reply->verdict = "errno";
		return 0;
	}
	/*
	 * A count past INT_MAX is negative to the kernel: every entry is too big
	 * (EINVAL), the end is still 0.  Count 0 gives the same answers.
	 */
	size = count > INT_MAX ? 0 : count < DENTS_BUF_MAX ? count : DENTS_BUF_MAX;
	buf = malloc(size ? size : 1);
	if (!buf) {
		close(copy);
		return -ENOMEM;
	}
	/* only a directory's: a device's llseek may do anything */
	pos0 = fstat(copy, &st) == 0 && S_ISDIR(st.st_mode) ? lseek(copy, 0, SEEK_CUR) : -1;
	for (;;) {
		sentry_become(&creds, &old_umask);
		n = dents_call(copy, buf, size, old_layout);
		saved = errno;
		sentry_unbecome(old_umask);
		errno = saved;
		if (n <= 0) {
			ret = n < 0 ? -errno : 0;
			break;
		}
		if (!have_path) {
			ret = dir_path(sb, req, copy, &d);
			if (ret < 0)
				break;
			have_path = true;
		}
		ret = sentry_dents_filter(buf, (size_t)n, old_layout, hidden_name, &d);
		if (ret != 0)
			break;
		/* all hidden: the next chunk, unless the target is gone */
		if (!(++rounds % DENTS_CHECK_EVERY) && sentry_id_valid(sb, req->id) < 0) {
			ret = -ENOENT;
			break;
		}
	}
	if (ret > 0) {
		int w = sentry_write_target(sb, req, addr, buf, (size_t)ret);

		if (w < 0)
			ret = w;
	} else if (ret == 0 && sentry_id_valid(sb, req->id) < 0) {
		ret = -ENOENT;
	}
	/* nothing delivered: the target's offset back where the kernel leaves it */
	if (ret < 0 && ret != -ENOENT && pos0 >= 0 && lseek(copy, pos0, SEEK_SET) < 0)
		sentry_log("sandbox=%s pid=%u getdents: offset not restored: %s", sb->id,
			   req->pid, strerror(errno));
	free(buf);
	close(copy);
	if (ret == -ENOENT && sentry_id_valid(sb, req->id) < 0)
		return -ENOENT;
	if (ret == -EIO) {
		sentry_log("sandbox=%s pid=%u getdents: malformed record from the kernel", sb->id,
			   req->pid);
		return -EIO;
	}
	if (ret < 0) {
		reply->error = ret;
		reply->verdict = "errno";
		return 0;
	}
	reply->val = ret;
	if (d.hidden) {
		reply->verdict = "emulated:hidden";
		snprintf(reply->detail, sizeof(reply->detail),
			 "\"fd\":%d,\"count\":%u,\"hidden\":%u,\"chunks\":%u", (int)fd, count,
			 d.hidden, rounds + 1);
	}
	return 0;
}

int sentry_handle_getdents64(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			     struct sentry_reply *reply)
{
	/* struct linux_dirent64 is the same for every ABI */
	return serve(sb, req, reply, false);
}

int sentry_handle_getdents(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	/*
	 * struct linux_dirent is x86-64's (and x32's); i386's has 32-bit fields
	 * and offsets we cannot produce: refused rather than listed unfiltered.
	 */
	if (req->data.arch != AUDIT_ARCH_X86_64) {
		if (sentry_id_valid(sb, req->id) < 0)
			return -ENOENT;
		reply->error = -ENOSYS;
		reply->verdict = "errno:ENOSYS";
		return 0;
	}
	return serve(sb, req, reply, true);
}
