// SPDX-License-Identifier: GPL-2.0
/* The file handler: open, openat, openat2 resolved in the target's root, opened here, fd injected. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sentry.h"

#ifndef OPEN_HOW_SIZE_VER0
#define OPEN_HOW_SIZE_VER0 24
#endif

/*
 * How one call is served, in order:
 *  1. the path (and openat2's struct open_how) is read once from the target
 *     with process_vm_readv(), then ID_VALID: everything after works on that
 *     copy, so another thread changing the memory changes nothing;
 *  2. /proc/<pid>/root (and cwd or the dirfd) is opened and ID_VALID checked;
 *  3. the path is made absolute in the container and normalised lexically;
 *     its file rule is applied (hidden: ENOENT, remapped: the other path,
 *     read-only: EROFS for writes);
 *  4. the path is resolved with openat2(RESOLVE_IN_ROOT) under the target's
 *     root to an O_PATH fd, whose real path (symlinks followed) is checked
 *     against the rules again;
 *  5. that very inode is reopened with the call's flags (or, to create, the
 *     last component under the resolved parent without following symlinks),
 *     with the target's fsuid, fsgid, groups and umask; the fd is injected
 *     with ADDFD + SECCOMP_ADDFD_FLAG_SEND.  The call never continues.
 */

#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_TRUNC)

/* The path of one of our fds as the kernel names it. */
static int fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* path as seen inside a root whose own path is root ("/" or a host directory). */
static int strip_root(const char *root, char *path)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return path[0] == '/' ? 0 : -EXDEV;
	if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
		return -EXDEV;
	if (!path[n])
		strcpy(path, "/");
	else
		memmove(path, path + n, strlen(path + n) + 1);
	return 0;
}

/* Join base (absolute) and rel, normalise lexically; ".." stops at "/". */
static int normalise(const char *base, const char *rel, char *out, size_t size)
{
	char tmp[2 * PATH_MAX + 2], *tok, *save = NULL;
	size_t n = 0;

	if (rel[0] == '/')
		snprintf(tmp, sizeof(tmp), "%s", rel);
	else
		snprintf(tmp, sizeof(tmp), "%s/%s", base, rel);
	out[0] = '\0';
	for (tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		size_t len = strlen(tok);

		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			out[n] = '\0';
			continue;
		}
		if (n + 1 + len + 1 > size)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, tok, len);
		n += len;
		out[n] = '\0';
	}
	if (!n) {
		out[0] = '/';
		out[1] = '\0';
	}
	return 0;
}

/*
 * /proc/self and /proc/thread-self name the caller: the target, not us.
 * (A symlink elsewhere that points there is still resolved as us.)
 */
static void proc_self(const struct sentry_creds *c, char *lp, size_t size)
{
	char tmp[PATH_MAX];
	const char *rest;
	int n;

	if (!c)
		return;
	if (!strncmp(lp, "/proc/self", 10) && (lp[10] == '/' || !lp[10])) {
		rest = lp + 10;
		n = snprintf(tmp, sizeof(tmp), "/proc/%d%s", (int)c->ns_tgid, rest);
	} else if (!strncmp(lp, "/proc/thread-self", 17) && (lp[17] == '/' || !lp[17])) {
		rest = lp + 17;
		n = snprintf(tmp, sizeof(tmp), "/proc/%d/task/%d%s", (int)c->ns_tgid,
			     (int)c->ns_tid, rest);
	} else {
		return;
	}
	if (c->ns_tgid > 0 && n > 0 && (size_t)n < size)
		memcpy(lp, tmp, (size_t)n + 1);
}

struct file_call {
	struct sentry_sandbox *sb;
	const struct seccomp_notif *req;
	int dirfd;		/* the target's */
	char path[PATH_MAX];	/* the target's copy */
	struct open_how how;
	bool is_openat2;
	int rootfd;
	char root[PATH_MAX];	/* the root's path as we see it */
	char dir[PATH_MAX];	/* where a relative path starts, in the container */
	/* rename: the second path */
	int dirfd2;
	uint64_t path2_addr;
	char path2[PATH_MAX];
	char dir2[PATH_MAX];
	uint64_t op_flags;	/* unlinkat, renameat2 flags */
	int (*op)(struct file_call *fc, struct sentry_reply *reply);
	bool have_path;		/* path copied by the caller already */
	const struct sentry_creds *creds;
	/* lookups (stat, access, readlink, chmod, chown) */
	int kind;
	int at_flags;
	uint64_t buf_addr, buf_size, mode, mask;
	uid_t uid;
	gid_t gid;
	struct timespec times[2];	/* utimensat */
	char fstype[68];		/* mount */
	char *data;			/* mount: its page of options, or NULL */
	bool umount;
	int empty_fd;			/* AT_EMPTY_PATH: the dirfd's copy, taken as ourselves */
	int named_fd;			/* the path names a target fd: its copy (-1: none) */
	bool named_missing;		/* ... and the target has no such fd */
	bool have_times;
	unsigned char out[4096];	/* written to buf_addr after the call */
	size_t out_len;
	int (*at_fn)(void *arg, const char *procpath);	/* sentry_path_call() */
	void *at_arg;
};

enum { LK_NONE, LK_STAT, LK_STATX, LK_ACCESS, LK_READLINK, LK_CHMOD, LK_CHOWN, LK_TRUNCATE,
       LK_UTIMES };

/* A decimal fd number and nothing else, or -1. */
static int parse_fd_number(const char *s)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return (int)v;
}

/* Does the container's @link (a symlink under its root) read exactly @want? */
static bool container_link_is(int rootfd, const char *link, const char *want)
{
	struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT };
	char buf[64];
	ssize_t n;
	int fd = (int)syscall(SYS_openat2, rootfd, link, &how, sizeof(how));

	if (fd < 0)
		return false;
	n = readlinkat(fd, "", buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return !strcmp(buf, want);
}

/*
 * The target's fd number that a path (absolute, normalised, /proc/self
 * already the target's pid) names: /proc/PID/fd/N, /proc/PID/task/TID/fd/N,
 * and /dev/fd/N, /dev/stdin, /dev/stdout, /dev/stderr where the container's
 * /dev links them to /proc/self/fd as usual. Those are magic links, which
 * RESOLVE_IN_ROOT refuses (EXDEV); the Sentry serves them on a copy of the
 * target's fd instead: runc's exec FIFO, `<(...)` in bash, `> /dev/stdout`.
 */
static int named_target_fd(const struct file_call *fc, const char *lp)
{
	static const char *const std[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	char prefix[64];
	int n, i;

	if (fc->creds && fc->creds->ns_tgid > 0) {
		n = snprintf(prefix, sizeof(prefix), "/proc/%d/fd/", (int)fc->creds->ns_tgid);
		if (!strncmp(lp, prefix, (size_t)n))
			return parse_fd_number(lp + n);
		n = snprintf(prefix, sizeof(prefix), "/proc/%d/task/%d/fd/",
			     (int)fc->creds->ns_tgid, (int)fc->creds->ns_tid);
		if (!strncmp(lp, prefix, (size_t)n))
			return parse_fd_number(lp + n);
	}
	if (!strncmp(lp, "/dev/fd/", 8)) {
		n = parse_fd_number(lp + 8);
		return n >= 0 && container_link_is(fc->rootfd, "/dev/fd", "/proc/self/fd") ? n : -1;
	}
	for (i = 0; i < 3; i++) {
		if (strcmp(lp, std[i]))
			continue;
		snprintf(prefix, sizeof(prefix), "/proc/self/fd/%d", i);
		return container_link_is(fc->rootfd, lp, prefix) ? i : -1;
	}
	return -1;
}

/* Open a magic link of the target's (/proc/pid/root, cwd, fd/N), then ID_VALID. */
static int open_target_path(struct file_call *fc, const char *what, int flags, int *fdp)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/%u/%s", fc->req->pid, what);
	fd = open(path, flags | O_CLOEXEC);
	ret = sentry_id_valid(fc->sb, fc->req->id);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		return -ENOENT;
	}
	if (fd < 0)
		return -errno;
	*fdp = fd;
	return 0;
}

/* The directory a relative path starts from, as an absolute container path. */
static int start_dir(struct file_call *fc, int dirfd, char *out, size_t size)
{
	char what[32];
	struct stat st;
	int fd = -1, ret;

	if (dirfd == AT_FDCWD)
		snprintf(what, sizeof(what), "cwd");
	else
		snprintf(what, sizeof(what), "fd/%d", dirfd);
	ret = open_target_path(fc, what, O_PATH, &fd);
	if (ret == -ENOENT && dirfd != AT_FDCWD)
		return -EBADF;
	if (ret < 0)
		return ret;
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return -ENOTDIR;
	}
	ret = fd_path(fd, out, size);
	close(fd);
	if (ret < 0)
		return ret;
	return strip_root(fc->root, out) < 0 ? -ENOENT : 0;
}

enum { RULE_NONE, RULE_HIDDEN, RULE_RO, RULE_REMAP };

static int rule_for(const struct redirect_policy *p, const char *path, char *mapped, size_t size)
{
	enum redirect_file_action a;
	int ret = redirect_policy_file_lookup(p, path, &a, mapped, size);

	if (ret <= 0)
		return RULE_NONE;
	return a == REDIRECT_FILE_HIDDEN ? RULE_HIDDEN :
	       a == REDIRECT_FILE_READ_ONLY ? RULE_RO : RULE_REMAP;
}

/* The file rule for what a copy of a target fd is: none outside the root or without a path. */
static int named_fd_rule(const struct file_call *fc, int fd)
{
	char cp[PATH_MAX], mapped[PATH_MAX];

	if (fd_path(fd, cp, sizeof(cp)) < 0 || cp[0] != '/' || strip_root(fc->root, cp) < 0)
		return RULE_NONE;
	return rule_for(fc->sb->policy, cp, mapped, sizeof(mapped));
}

static bool writes(const struct open_how *how)
{
	return (how->flags & O_ACCMODE) != O_RDONLY || (how->flags & O_TRUNC);
}

static int do_open(struct file_call *fc, struct sentry_reply *reply)
{
	const struct redirect_policy *policy = fc->sb->policy;
	char lp[PATH_MAX], cp[PATH_MAX], mapped[PATH_MAX];
	const char *dir = fc->dir;
	struct open_how ph = { 0 }, fh = { 0 };
	uint64_t user_resolve = fc->how.resolve & (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
						   RESOLVE_NO_SYMLINKS);
	bool remapped = false, create = false;
	int fd = -1, pfd = -1, out, r, ret, attempt;
	char *slash;

	ret = normalise(dir, fc->path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	proc_self(fc->creds, lp, sizeof(lp));
	if ((fc->how.resolve & RESOLVE_BENEATH) &&
	    (fc->path[0] == '/' || strncmp(lp, dir, strlen(dir))))
		return -EXDEV;
	/* a magic link followed: as the kernel, unless the caller refuses those */
	if ((fc->named_fd >= 0 || fc->named_missing) && !(fc->how.flags & O_NOFOLLOW) &&
	    !(fc->how.resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_IN_ROOT | RESOLVE_BENEATH))) {
		if (fc->named_missing)
			return -ENOENT;
		fd = fcntl(fc->named_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		r = named_fd_rule(fc, fd);
		snprintf(cp, sizeof(cp), "%s", lp);
		goto resolved;
	}

	for (attempt = 0; attempt < 2; attempt++) {
		r = rule_for(policy, lp, mapped, sizeof(mapped));
		if (r == RULE_HIDDEN)
			return -ENOENT;
		if (r == RULE_REMAP && !remapped) {
			snprintf(lp, sizeof(lp), "%s", mapped);
			remapped = true;
			r = rule_for(policy, lp, mapped, sizeof(mapped));
			if (r == RULE_HIDDEN)
				return -ENOENT;
		}
		if (r == RULE_RO && writes(&fc->how))
			return -EROFS;

		/* resolve inside the root: symlinks cannot leave it */
		ph.flags = O_PATH | O_CLOEXEC | (fc->how.flags & (O_NOFOLLOW | O_DIRECTORY));
		ph.resolve = RESOLVE_IN_ROOT | user_resolve;
		fd = (int)syscall(SYS_openat2, fc->rootfd, lp, &ph, sizeof(ph));
		if (fd < 0 && errno == ENOENT && (fc->how.flags & O_CREAT)) {
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
			ret = fd_path(pfd, cp, sizeof(cp));
			if (ret == 0)
				ret = strip_root(fc->root, cp);
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
			ret = fd_path(fd, cp, sizeof(cp));
			if (ret == 0)
				ret = strip_root(fc->root, cp);
			if (ret < 0)
				snprintf(cp, sizeof(cp), "%s", lp);
		}
		/* the real path (symlinks followed) meets the rules as well */
		r = rule_for(policy, cp, mapped, sizeof(mapped));
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
	else if ((r == RULE_RO && writes(&fc->how)) || (r == RULE_RO && create))
		ret = -EROFS;
	else if ((fc->how.flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) && !create)
		ret = -EEXIST;
	if ((fc->how.resolve & RESOLVE_BENEATH) && strncmp(cp, dir, strlen(dir)))
		ret = -EXDEV;
	if (ret < 0)
		goto out;

	fh.flags = (fc->how.flags | O_CLOEXEC) & ~(uint64_t)(O_NOFOLLOW | O_CREAT | O_EXCL);
	if (create) {
		fh.flags |= O_CREAT | O_NOFOLLOW | (fc->how.flags & O_EXCL);
		fh.mode = fc->how.mode;
		fh.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH;
		slash = strrchr(cp, '/');
		out = (int)syscall(SYS_openat2, pfd, slash + 1, &fh, sizeof(fh));
	} else {
		struct stat st;
		char self[64];

		if ((fc->how.flags & O_NOFOLLOW) && !(fc->how.flags & O_PATH) &&
		    fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
			ret = -ELOOP;
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
	reply->addfd_flags = (fc->how.flags & O_CLOEXEC) ? O_CLOEXEC : 0;
	reply->verdict = remapped ? "emulated:remapped" : "emulated";
out:
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	return ret;
}

static int serve(struct file_call *fc, uint64_t path_addr, struct sentry_reply *reply)
{
	struct sentry_creds c;
	mode_t old_umask;
	int ret;

	reply->verdict = "emulated";
	ret = fc->have_path ? 0 : sentry_read_str(&reply->strs, fc->req->pid, path_addr,
						  fc->path, sizeof(fc->path));
	if (ret == 0 && fc->path2_addr)
		ret = sentry_read_str(&reply->strs, fc->req->pid, fc->path2_addr, fc->path2,
				      sizeof(fc->path2));
	if (ret == -ESRCH || sentry_id_valid(fc->sb, fc->req->id) < 0)
		return -ENOENT;
	if (ret == 0)
		ret = sentry_creds_read(fc->req->pid, &c);
	if (ret == -ESRCH || sentry_id_valid(fc->sb, fc->req->id) < 0)
		return -ENOENT;
	snprintf(reply->detail, sizeof(reply->detail), "\"dirfd\":%d,\"flags\":%llu,\"mode\":%llu",
		 fc->dirfd, (unsigned long long)fc->how.flags,
		 (unsigned long long)fc->how.mode);
	if (ret < 0) {
		reply->error = ret;
		return 0;
	}
	/* the path, JSON-escaped enough: quotes, backslashes and controls as '?' */
	{
		size_t n = strlen(reply->detail), i;

		n += (size_t)snprintf(reply->detail + n, sizeof(reply->detail) - n,
				      ",\"path\":\"");
		for (i = 0; fc->path[i] && n + 3 < sizeof(reply->detail); i++) {
			unsigned char ch = (unsigned char)fc->path[i];

			reply->detail[n++] = (ch < 0x20 || ch == '"' || ch == '\\' || ch >= 0x7f)
					     ? '?' : (char)ch;
		}
		reply->detail[n++] = '"';
		reply->detail[n] = '\0';
	}
	ret = open_target_path(fc, "root", O_PATH | O_DIRECTORY, &fc->rootfd);
	if (ret < 0)
		return ret;
	ret = fd_path(fc->rootfd, fc->root, sizeof(fc->root));
	if (ret < 0) {
		close(fc->rootfd);
		return ret;
	}
	if (!fc->path[0]) {
		/* the dirfd itself (lookups only) */
		ret = (fc->at_flags & AT_EMPTY_PATH) ? 0 : -ENOENT;
		strcpy(fc->dir, "/");
	} else if (fc->path[0] == '/') {
		strcpy(fc->dir, "/");
	} else {
		ret = start_dir(fc, fc->dirfd, fc->dir, sizeof(fc->dir));
	}
	if (ret == 0 && fc->path2_addr) {
		if (!fc->path2[0])
			ret = -ENOENT;
		else if (fc->path2[0] == '/')
			strcpy(fc->dir2, "/");
		else
			ret = start_dir(fc, fc->dirfd2, fc->dir2, sizeof(fc->dir2));
	}
	if (ret < 0) {
		close(fc->rootfd);
		if (ret == -ENOENT && sentry_id_valid(fc->sb, fc->req->id) < 0)
			return -ENOENT;
		reply->error = ret;
		reply->verdict = "errno";
		return 0;
	}
	if (fc->kind == LK_ACCESS && !(fc->at_flags & AT_EACCESS)) {
		/* access(2) asks about the real ids; root's capabilities only for real root */
		c.fsuid = c.ruid;
		c.fsgid = c.rgid;
		if (c.ruid)
			c.cap_eff = 0;
	}
	fc->creds = &c;
	fc->empty_fd = -1;
	if (!fc->path[0] && (fc->at_flags & AT_EMPTY_PATH)) {
		/* before become(): pidfd_getfd() wants our ptrace rights, not the target's */
		if (fc->dirfd == AT_FDCWD)
			ret = open_target_path(fc, "cwd", O_PATH, &fc->empty_fd);
		else
			ret = sentry_target_fd(fc->sb, fc->req, fc->dirfd, &fc->empty_fd);
		if (ret < 0) {
			close(fc->rootfd);
			if (ret == -ENOENT && sentry_id_valid(fc->sb, fc->req->id) < 0)
				return -ENOENT;
			reply->error = ret == -ENOENT ? -EBADF : ret;
			reply->verdict = "errno";
			return 0;
		}
	}
	fc->named_fd = -1;
	fc->named_missing = false;
	if (fc->path[0]) {
		char lp[PATH_MAX];
		int nfd = -1;

		if (normalise(fc->dir, fc->path, lp, sizeof(lp)) == 0) {
			proc_self(&c, lp, sizeof(lp));
			nfd = named_target_fd(fc, lp);
		}
		/* before become(), as for the empty path */
		if (nfd >= 0)
			ret = sentry_target_fd(fc->sb, fc->req, nfd, &fc->named_fd);
		if (nfd >= 0 && ret < 0) {
			if (ret == -ENOENT) {
				close(fc->rootfd);
				if (fc->empty_fd >= 0)
					close(fc->empty_fd);
				return -ENOENT;	/* the call is gone */
			}
			fc->named_missing = true;
		}
	}
	sentry_become(&c, &old_umask);
	ret = fc->op ? fc->op(fc, reply) : do_open(fc, reply);
	sentry_unbecome(old_umask);
	if (ret >= 0 && fc->out_len) {
		/* as ourselves, after ID_VALID */
		int w = sentry_write_target(fc->sb, fc->req, fc->buf_addr, fc->out, fc->out_len);

		if (w < 0)
			ret = w == -ENOENT ? -ENOENT : -EFAULT;
	}
	close(fc->rootfd);
	if (fc->empty_fd >= 0)
		close(fc->empty_fd);
	if (fc->named_fd >= 0)
		close(fc->named_fd);
	if (ret == -ENOENT && sentry_id_valid(fc->sb, fc->req->id) < 0)
		ret = -ENOENT;	/* gone; nothing is sent either way */
	if (ret < 0) {
		reply->error = ret;
		reply->verdict = ret == -EROFS ? "denied:read-only" :
				 ret == -ENOENT ? "errno" : "errno";
	}
	return 0;
}

/*
 * The parent of a path that is to change (mkdir, unlink, rename), resolved
 * in the root to an O_PATH fd, and the last component.  The rules apply to
 * the path as written and to the parent's real path: hidden is ENOENT,
 * read-only EROFS (every such call writes), remapped uses the other path.
 */
static int resolve_parent(struct file_call *fc, const char *dir, const char *path, int *pfdp,
			  char *base, size_t bsize)
{
	const struct redirect_policy *policy = fc->sb->policy;
	char lp[PATH_MAX], mapped[PATH_MAX], cp[PATH_MAX];
	struct open_how ph = { .flags = O_PATH | O_CLOEXEC | O_DIRECTORY,
			       .resolve = RESOLVE_IN_ROOT };
	char *slash;
	int r, pfd, ret;

	ret = normalise(dir, path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	proc_self(fc->creds, lp, sizeof(lp));
	if (!strcmp(lp, "/"))
		return -EBUSY;
	r = rule_for(policy, lp, mapped, sizeof(mapped));
	if (r == RULE_REMAP) {
		snprintf(lp, sizeof(lp), "%s", mapped);
		r = rule_for(policy, lp, mapped, sizeof(mapped));
	}
	if (r == RULE_HIDDEN)
		return -ENOENT;
	if (r == RULE_RO)
		return -EROFS;
	slash = strrchr(lp, '/');
	if (strlen(slash + 1) >= bsize)
		return -ENAMETOOLONG;
	strcpy(base, slash + 1);
	*slash = '\0';
	pfd = (int)syscall(SYS_openat2, fc->rootfd, lp[0] ? lp : "/", &ph, sizeof(ph));
	if (pfd < 0)
		return -errno;
	ret = fd_path(pfd, cp, sizeof(cp));
	if (ret == 0)
		ret = strip_root(fc->root, cp);
	if (ret == 0 && strlen(cp) + strlen(base) + 2 <= sizeof(cp)) {
		if (strcmp(cp, "/"))
			strcat(cp, "/");
		strcat(cp, base);
		r = rule_for(policy, cp, mapped, sizeof(mapped));
		if (r == RULE_HIDDEN || r == RULE_RO) {
			close(pfd);
			return r == RULE_HIDDEN ? -ENOENT : -EROFS;
		}
	}
	*pfdp = pfd;
	return 0;
}

/* The parent of a name to be created: the root itself (EBUSY) exists already. */
static int resolve_new_name(struct file_call *fc, const char *dir, const char *path, int *pfdp,
			    char *base, size_t size)
{
	int ret = resolve_parent(fc, dir, path, pfdp, base, size);

	return ret == -EBUSY ? -EEXIST : ret;
}

static int op_mkdir(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1];
	int pfd, ret;

	ret = resolve_new_name(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret < 0)
		return ret;
	ret = mkdirat(pfd, base, (mode_t)fc->how.mode) < 0 ? -errno : 0;
	close(pfd);
	return ret;
}

static int op_unlink(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1];
	int pfd, ret;

	ret = resolve_parent(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret < 0)
		return ret;
	ret = unlinkat(pfd, base, (int)fc->op_flags) < 0 ? -errno : 0;
	close(pfd);
	return ret;
}

static int op_rename(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1], base2[NAME_MAX + 1];
	int pfd, pfd2, ret;

	ret = resolve_parent(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret < 0)
		return ret;
	ret = resolve_parent(fc, fc->dir2, fc->path2, &pfd2, base2, sizeof(base2));
	if (ret < 0) {
		close(pfd);
		return ret;
	}
	ret = syscall(SYS_renameat2, pfd, base, pfd2, base2, (unsigned int)fc->op_flags) < 0 ?
	      -errno : 0;
	close(pfd);
	close(pfd2);
	return ret;
}

static int serve_change(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply, struct file_call *fc, uint64_t path_addr)
{
	fc->sb = sb;
	fc->req = req;
	return serve(fc, path_addr, reply);
}

int sentry_handle_mkdir(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .op = op_mkdir };

	fc.how.mode = req->data.args[1] & 07777;
	return serve_change(sb, req, reply, &fc, req->data.args[0]);
}

int sentry_handle_mkdirat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = (int)req->data.args[0], .op = op_mkdir };

	fc.how.mode = req->data.args[2] & 07777;
	return serve_change(sb, req, reply, &fc, req->data.args[1]);
}

int sentry_handle_unlink(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .op = op_unlink };

	return serve_change(sb, req, reply, &fc, req->data.args[0]);
}

int sentry_handle_rmdir(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .op = op_unlink, .op_flags = AT_REMOVEDIR };

	return serve_change(sb, req, reply, &fc, req->data.args[0]);
}

int sentry_handle_unlinkat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = (int)req->data.args[0], .op = op_unlink };

	fc.op_flags = req->data.args[2];
	if (fc.op_flags & ~(uint64_t)AT_REMOVEDIR) {
		reply->error = -EINVAL;
		reply->verdict = "errno";
		return 0;
	}
	return serve_change(sb, req, reply, &fc, req->data.args[1]);
}

int sentry_handle_rename(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .dirfd2 = AT_FDCWD, .op = op_rename };

	fc.path2_addr = req->data.args[1];
	return serve_change(sb, req, reply, &fc, req->data.args[0]);
}

int sentry_handle_renameat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = (int)req->data.args[0],
				.dirfd2 = (int)req->data.args[2], .op = op_rename };

	fc.path2_addr = req->data.args[3];
	/* renameat has no flags argument; renameat2's fifth */
	if (req->data.nr == SYS_renameat2)
		fc.op_flags = (uint32_t)req->data.args[4];
	return serve_change(sb, req, reply, &fc, req->data.args[1]);
}

/*
 * An existing path (a socket) resolved under the rules: hidden is ENOENT,
 * remapped the other path; read-only does not matter (nothing is written).
 * at_fn gets "/proc/self/fd/N" of an O_PATH fd of that very inode.
 */
static int op_path_call(struct file_call *fc, struct sentry_reply *reply)
{
	const struct redirect_policy *policy = fc->sb->policy;
	struct open_how ph = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	char lp[PATH_MAX], mapped[PATH_MAX], cp[PATH_MAX], self[64];
	int r, fd, ret;

	ret = normalise(fc->dir, fc->path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	proc_self(fc->creds, lp, sizeof(lp));
	if (policy && redirect_policy_has_files(policy)) {
		r = rule_for(policy, lp, mapped, sizeof(mapped));
		if (r == RULE_REMAP) {
			snprintf(lp, sizeof(lp), "%s", mapped);
			r = rule_for(policy, lp, mapped, sizeof(mapped));
		}
		if (r == RULE_HIDDEN)
			return -ENOENT;
	}
	fd = (int)syscall(SYS_openat2, fc->rootfd, lp, &ph, sizeof(ph));
	if (fd < 0)
		return -errno;
	if (policy && redirect_policy_has_files(policy) && fd_path(fd, cp, sizeof(cp)) == 0 &&
	    strip_root(fc->root, cp) == 0 && rule_for(policy, cp, mapped, sizeof(mapped)) ==
	    RULE_HIDDEN) {
		close(fd);
		return -ENOENT;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	ret = fc->at_fn(fc->at_arg, self);
	close(fd);
	return ret;
}

int sentry_path_call(struct sentry_sandbox *sb, const struct seccomp_notif *req, const char *path,
		     int (*fn)(void *arg, const char *procpath), void *arg,
		     struct sentry_reply *reply)
{
	struct file_call fc = { .sb = sb, .req = req, .dirfd = AT_FDCWD, .op = op_path_call,
				.have_path = true, .at_fn = fn, .at_arg = arg };

	if (strlen(path) >= sizeof(fc.path)) {
		reply->error = -ENAMETOOLONG;
		return 0;
	}
	strcpy(fc.path, path);
	return serve(&fc, 0, reply);
}

/*
 * An existing path under the rules, resolved in the root to an O_PATH fd
 * (its last symlink followed or not): hidden is ENOENT, remapped the other
 * path, read-only EROFS when the call writes.  An empty path with
 * AT_EMPTY_PATH is the target's dirfd (a copy) or cwd itself.
 */
static int resolve_existing(struct file_call *fc, bool follow, bool write, int *fdp)
{
	const struct redirect_policy *policy = fc->sb->policy;
	struct open_how ph = { .flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
			       .resolve = RESOLVE_IN_ROOT };
	char lp[PATH_MAX], mapped[PATH_MAX], cp[PATH_MAX];
	bool remapped = false;
	int attempt, r, fd = -1, ret;

	if (!fc->path[0]) {
		if (fc->empty_fd < 0)
			return -ENOENT;
		fd = fcntl(fc->empty_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		/* a pipe or socket has no path: no rule names it */
		if (fd_path(fd, cp, sizeof(cp)) == 0 && cp[0] == '/' &&
		    strip_root(fc->root, cp) == 0) {
			r = rule_for(policy, cp, mapped, sizeof(mapped));
			if (r == RULE_RO && write) {
				close(fd);
				return -EROFS;
			}
		}
		*fdp = fd;
		return 0;
	}
	ret = normalise(fc->dir, fc->path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	proc_self(fc->creds, lp, sizeof(lp));
	if (follow && (fc->named_fd >= 0 || fc->named_missing)) {
		if (fc->named_missing)
			return -ENOENT;
		r = named_fd_rule(fc, fc->named_fd);
		if (r == RULE_HIDDEN || (r == RULE_RO && write))
			return r == RULE_HIDDEN ? -ENOENT : -EROFS;
		fd = fcntl(fc->named_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		*fdp = fd;
		return 0;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		r = rule_for(policy, lp, mapped, sizeof(mapped));
		if (r == RULE_REMAP && !remapped) {
			snprintf(lp, sizeof(lp), "%s", mapped);
			remapped = true;
			r = rule_for(policy, lp, mapped, sizeof(mapped));
		}
		if (r == RULE_HIDDEN)
			return -ENOENT;
		if (r == RULE_RO && write)
			return -EROFS;
		fd = (int)syscall(SYS_openat2, fc->rootfd, lp, &ph, sizeof(ph));
		if (fd < 0)
			return -errno;
		/* the real path (symlinks followed) meets the rules as well */
		if (fd_path(fd, cp, sizeof(cp)) < 0 || strip_root(fc->root, cp) < 0)
			break;
		r = rule_for(policy, cp, mapped, sizeof(mapped));
		if (r == RULE_REMAP && !remapped && attempt == 0) {
			close(fd);
			fd = -1;
			snprintf(lp, sizeof(lp), "%s", mapped);
			remapped = true;
			continue;
		}
		if (r == RULE_HIDDEN || (r == RULE_RO && write)) {
			close(fd);
			return r == RULE_HIDDEN ? -ENOENT : -EROFS;
		}
		break;
	}
	*fdp = fd;
	return 0;
}

static int op_lookup(struct file_call *fc, struct sentry_reply *reply)
{
	bool follow = !(fc->at_flags & AT_SYMLINK_NOFOLLOW);
	bool write = fc->kind == LK_CHMOD || fc->kind == LK_CHOWN || fc->kind == LK_TRUNCATE ||
		     fc->kind == LK_UTIMES || (fc->kind == LK_ACCESS && (fc->mode & W_OK));
	char self[64];
	ssize_t n;
	int fd, ret;

	if (fc->kind == LK_READLINK)
		follow = false;
	ret = resolve_existing(fc, follow, write, &fd);
	if (ret < 0)
		return ret;
	switch (fc->kind) {
	case LK_STAT: {
		struct stat st;

		ret = fstatat(fd, "", &st, AT_EMPTY_PATH) < 0 ? -errno : 0;
		memcpy(fc->out, &st, sizeof(st));
		fc->out_len = ret < 0 ? 0 : sizeof(st);
		break;
	}
	case LK_STATX: {
		struct statx stx;
		int flags = fc->at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT);

		/* unknown flags or mask bits: the kernel's EINVAL */
		ret = statx(fd, "", AT_EMPTY_PATH | flags, (unsigned int)fc->mask, &stx) < 0 ?
		      -errno : 0;
		memcpy(fc->out, &stx, sizeof(stx));
		fc->out_len = ret < 0 ? 0 : sizeof(stx);
		break;
	}
	case LK_ACCESS:
		/* as the ids set up in serve(); AT_EACCESS: those, not ours */
		ret = syscall(SYS_faccessat2, fd, "", (int)fc->mode, AT_EMPTY_PATH | AT_EACCESS) < 0 ?
		      -errno : 0;
		break;
	case LK_READLINK:
		n = readlinkat(fd, "", (char *)fc->out,
			       fc->buf_size < sizeof(fc->out) ? fc->buf_size : sizeof(fc->out));
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
	case LK_CHMOD:
		/* an O_PATH fd takes no fchmod(): through its magic link */
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		ret = fchmodat(AT_FDCWD, self, (mode_t)(fc->mode & 07777), 0) < 0 ? -errno : 0;
		break;
	case LK_CHOWN:
		ret = fchownat(fd, "", fc->uid, fc->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ?
		      -errno : 0;
		break;
	case LK_TRUNCATE: {
		struct stat st;
		int wfd;

		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			ret = -EISDIR;
			break;
		}
		/* opened for writing as the target: its permission check */
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		wfd = open(self, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
		if (wfd < 0) {
			ret = -errno;
			break;
		}
		ret = ftruncate(wfd, (off_t)fc->mode) < 0 ? -errno : 0;
		close(wfd);
		break;
	}
	case LK_UTIMES:
		/* through the magic link: an O_PATH fd takes no futimens() */
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		ret = utimensat(AT_FDCWD, self, fc->have_times ? fc->times : NULL, 0) < 0 ?
		      -errno : 0;
		break;
	default:
		ret = -ENOSYS;
	}
	close(fd);
	return ret;
}

static int serve_lookup(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply, struct file_call *fc, uint64_t path_addr,
			int allowed_flags)
{
	fc->sb = sb;
	fc->req = req;
	fc->op = op_lookup;
	if (fc->at_flags & ~allowed_flags) {
		reply->error = -EINVAL;
		reply->verdict = "errno";
		return 0;
	}
	return serve(fc, path_addr, reply);
}

#define LOOKUP_FLAGS (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)

int sentry_handle_stat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .kind = LK_STAT };

	/* stat(path, buf) or lstat(path, buf) */
	if (req->data.nr == SYS_lstat)
		fc.at_flags = AT_SYMLINK_NOFOLLOW;
	fc.buf_addr = req->data.args[1];
	return serve_lookup(sb, req, reply, &fc, req->data.args[0], LOOKUP_FLAGS);
}

int sentry_handle_newfstatat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			     struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = (int)req->data.args[0], .kind = LK_STAT };

	fc.buf_addr = req->data.args[2];
	fc.at_flags = (int)req->data.args[3];
	return serve_lookup(sb, req, reply, &fc, req->data.args[1],
			    LOOKUP_FLAGS | AT_NO_AUTOMOUNT);
}

int sentry_handle_statx(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = (int)req->data.args[0], .kind = LK_STATX };

	fc.at_flags = (int)req->data.args[2];
	fc.mask = (uint32_t)req->data.args[3];
	fc.buf_addr = req->data.args[4];
	/* the sync-type bits and unknown ones go to our statx(), which checks them */
	return serve_lookup(sb, req, reply, &fc, req->data.args[1], ~0);
}

int sentry_handle_access(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .kind = LK_ACCESS };
	uint64_t path = req->data.args[0];

	fc.mode = req->data.args[1];
	if (req->data.nr != SYS_access) {
		/* faccessat(dirfd, path, mode), faccessat2(..., flags) */
		fc.dirfd = (int)req->data.args[0];
		path = req->data.args[1];
		fc.mode = req->data.args[2];
		if (req->data.nr == SYS_faccessat2)
			fc.at_flags = (int)req->data.args[3];
	}
	if (fc.mode & ~(uint64_t)(R_OK | W_OK | X_OK)) {
		reply->error = -EINVAL;
		reply->verdict = "errno";
		return 0;
	}
	return serve_lookup(sb, req, reply, &fc, path, LOOKUP_FLAGS | AT_EACCESS);
}

int sentry_handle_readlink(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .kind = LK_READLINK };
	int i = req->data.nr == SYS_readlink ? 0 : 1;

	if (i)
		fc.dirfd = (int)req->data.args[0];
	fc.buf_addr = req->data.args[i + 1];
	fc.buf_size = (uint32_t)req->data.args[i + 2];
	if ((int32_t)fc.buf_size <= 0) {
		reply->error = -EINVAL;
		reply->verdict = "errno";
		return 0;
	}
	/* an empty path names the dirfd: readlinkat(fd, "") of an O_PATH symlink fd */
	fc.at_flags = AT_EMPTY_PATH;
	return serve_lookup(sb, req, reply, &fc, req->data.args[i], LOOKUP_FLAGS);
}

int sentry_handle_chmod(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .kind = LK_CHMOD };
	uint64_t path = req->data.args[0];

	fc.mode = req->data.args[1];
	if (req->data.nr == SYS_fchmodat) {
		fc.dirfd = (int)req->data.args[0];
		path = req->data.args[1];
		fc.mode = req->data.args[2];
	}
	return serve_lookup(sb, req, reply, &fc, path, 0);
}

int sentry_handle_chown(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .kind = LK_CHOWN };
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
	fc.uid = (uid_t)req->data.args[i];
	fc.gid = (gid_t)req->data.args[i + 1];
	return serve_lookup(sb, req, reply, &fc, path, LOOKUP_FLAGS);
}

int sentry_handle_truncate(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .kind = LK_TRUNCATE };

	if ((int64_t)req->data.args[1] < 0) {
		reply->error = -EINVAL;
		reply->verdict = "errno";
		return 0;
	}
	fc.mode = req->data.args[1];
	return serve_lookup(sb, req, reply, &fc, req->data.args[0], 0);
}

/* utimensat(dirfd, path, times, flags); a NULL path is the dirfd (futimens) */
int sentry_handle_utimensat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			    struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = (int)req->data.args[0], .kind = LK_UTIMES };

	fc.at_flags = (int)req->data.args[3];
	if (fc.at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
		reply->error = -EINVAL;
		reply->verdict = "errno";
		return 0;
	}
	if (req->data.args[2]) {
		if (sentry_read_mem(req->pid, req->data.args[2], fc.times, sizeof(fc.times)) !=
		    (ssize_t)sizeof(fc.times)) {
			reply->error = -EFAULT;
			reply->verdict = "errno";
			return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
		}
		fc.have_times = true;
	}
	if (!req->data.args[1]) {
		if (fc.dirfd == AT_FDCWD) {
			reply->error = -EFAULT;
			reply->verdict = "errno";
			return 0;
		}
		fc.have_path = true;
		fc.path[0] = '\0';
		fc.at_flags |= AT_EMPTY_PATH;
		return serve_lookup(sb, req, reply, &fc, 0, LOOKUP_FLAGS);
	}
	return serve_lookup(sb, req, reply, &fc, req->data.args[1], LOOKUP_FLAGS);
}

static int op_mknod(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1];
	int pfd, ret;

	ret = resolve_new_name(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
	if (ret < 0)
		return ret;
	ret = mknodat(pfd, base, (mode_t)fc->how.mode, (dev_t)fc->op_flags) < 0 ? -errno : 0;
	close(pfd);
	return ret;
}

/* symlink: path is the new link, path2 its text (never resolved) */
static int op_symlink(struct file_call *fc, struct sentry_reply *reply)
{
	char base[NAME_MAX + 1];
	int pfd, ret;

	ret = resolve_new_name(fc, fc->dir, fc->path, &pfd, base, sizeof(base));
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

	ret = resolve_existing(fc, fc->at_flags & AT_SYMLINK_FOLLOW, false, &fd);
	if (ret < 0)
		return ret;
	if (fd_path(fd, cp, sizeof(cp)) == 0 && strip_root(fc->root, cp) == 0 &&
	    rule_for(fc->sb->policy, cp, mapped, sizeof(mapped)) == RULE_RO) {
		close(fd);
		return -EXDEV;
	}
	ret = resolve_new_name(fc, fc->dir2, fc->path2, &pfd, base, sizeof(base));
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
	struct file_call fc = { .dirfd = AT_FDCWD, .op = op_mknod };
	int i = req->data.nr == SYS_mknod ? 0 : 1;

	if (i)
		fc.dirfd = (int)req->data.args[0];
	fc.how.mode = (uint32_t)req->data.args[i + 1];
	fc.op_flags = (uint32_t)req->data.args[i + 2];
	return serve_change(sb, req, reply, &fc, req->data.args[i]);
}

int sentry_handle_symlink(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .dirfd2 = AT_FDCWD, .op = op_symlink };
	uint64_t linkpath = req->data.args[1];

	fc.path2_addr = req->data.args[0];
	if (req->data.nr == SYS_symlinkat) {
		fc.dirfd = (int)req->data.args[1];
		linkpath = req->data.args[2];
	}
	return serve_change(sb, req, reply, &fc, linkpath);
}

int sentry_handle_link(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .dirfd2 = AT_FDCWD, .op = op_link };
	uint64_t old = req->data.args[0];

	fc.path2_addr = req->data.args[1];
	if (req->data.nr == SYS_linkat) {
		fc.dirfd = (int)req->data.args[0];
		old = req->data.args[1];
		fc.dirfd2 = (int)req->data.args[2];
		fc.path2_addr = req->data.args[3];
		fc.at_flags = (int)req->data.args[4];
		if (fc.at_flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) {
			reply->error = -EINVAL;
			reply->verdict = "errno";
			return 0;
		}
	}
	return serve_change(sb, req, reply, &fc, old);
}

/* ---- mount and umount2, in the target's mount namespace ------------------------------- */

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
	int ret = fd_path(rootfd, root, sizeof(root));

	if (ret == 0)
		ret = fd_path(fd, out, size);
	if (ret == 0)
		ret = strip_root(root, out) < 0 ? -ENOENT : 0;
	return ret;
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
	char path[64], real[PATH_MAX], mapped[PATH_MAX], parent[PATH_MAX], *slash;
	bool umount = fc->umount;
	unsigned long flags = (unsigned long)fc->mode;
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
		return umount2(slash + 1, (int)fc->op_flags | UMOUNT_NOFOLLOW) < 0 ? errno : 0;
	}
	tfd = (int)syscall(SYS_openat2, rootfd, lp, &how, sizeof(how));
	if (tfd < 0)
		return errno;
	r = real_under_root(rootfd, tfd, real, sizeof(real));
	if (r < 0)
		return -r;
	/* a symlink on the way must not lead out of the allowed targets or into a rule */
	r = rule_for(p, real, mapped, sizeof(mapped));
	if (r == RULE_HIDDEN)
		return ENOENT;
	if (r == RULE_RO)
		return EROFS;
	if (redirect_policy_mount_check(p, fc->fstype, real, flags) != 1)
		return EPERM;
	if (flags & MS_BIND) {
		how.flags = O_PATH | O_CLOEXEC;
		sfd = (int)syscall(SYS_openat2, rootfd, src, &how, sizeof(how));
		if (sfd < 0)
			return errno;
		r = real_under_root(rootfd, sfd, real, sizeof(real));
		if (r < 0)
			return -r;
		r = rule_for(p, real, mapped, sizeof(mapped));
		if (r == RULE_HIDDEN)
			return ENOENT;
		if (r == RULE_RO)
			return EPERM;	/* a writable view of a read-only tree */
		tree = (int)syscall(SYS_open_tree, sfd, "", OPEN_TREE_CLONE | AT_EMPTY_PATH |
				    ((flags & MS_REC) ? AT_RECURSIVE : 0));
		if (tree < 0)
			return errno;
		return syscall(SYS_move_mount, tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH |
			       MOVE_MOUNT_T_EMPTY_PATH) < 0 ? errno : 0;
	}
	if (fchdir(tfd) < 0)
		return errno;
	return mount(src, ".", fc->fstype, flags, fc->data) < 0 ? errno : 0;
}

static int op_mount(struct file_call *fc, struct sentry_reply *reply)
{
	const struct redirect_policy *p = fc->sb->policy;
	char lp[PATH_MAX], src[PATH_MAX], mapped[PATH_MAX];
	bool umount = fc->umount;
	unsigned long flags = (unsigned long)fc->mode;
	int r, ret, status;
	pid_t child;

	ret = normalise(fc->dir, fc->path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	proc_self(fc->creds, lp, sizeof(lp));
	r = rule_for(p, lp, mapped, sizeof(mapped));
	if (r == RULE_HIDDEN)
		return -ENOENT;
	if (r == RULE_RO)
		return -EROFS;
	if (umount) {
		if (!strcmp(lp, "/") || redirect_policy_mount_target_check(p, lp) != 1)
			return -EPERM;
	} else {
		if (redirect_policy_mount_check(p, fc->fstype, lp, flags) != 1)
			return -EPERM;
		snprintf(src, sizeof(src), "%s", fc->path2);
		if (flags & MS_BIND) {
			ret = normalise(fc->dir2, fc->path2, src, sizeof(src));
			if (ret < 0)
				return ret;
			proc_self(fc->creds, src, sizeof(src));
			r = rule_for(p, src, mapped, sizeof(mapped));
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
	struct file_call fc = { .dirfd = AT_FDCWD, .dirfd2 = AT_FDCWD, .op = op_mount };
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
	fc.mode = flags;
	if (!(flags & MS_BIND)) {
		ret = req->data.args[2] ? sentry_read_str(&reply->strs, req->pid, req->data.args[2],
							  fc.fstype, sizeof(fc.fstype)) : -EFAULT;
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
			fc.data = data;
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
	return serve_change(sb, req, reply, &fc, req->data.args[1]);
}

int sentry_handle_umount2(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	struct file_call fc = { .dirfd = AT_FDCWD, .op = op_mount, .umount = true };
	uint64_t flags = (uint32_t)req->data.args[1];

	if (flags & ~(uint64_t)(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) {
		reply->error = -EINVAL;
		reply->verdict = "errno";
		return 0;
	}
	fc.op_flags = flags;
	return serve_change(sb, req, reply, &fc, req->data.args[0]);
}

static int check_flags(uint64_t flags)
{
	/* O_TMPFILE needs the directory's own handling: not served */
	if ((flags & __O_TMPFILE) == __O_TMPFILE)
		return -EOPNOTSUPP;
	return 0;
}

int sentry_handle_open(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply)
{
	struct file_call fc = { .sb = sb, .req = req, .dirfd = AT_FDCWD };

	fc.how.flags = (uint32_t)req->data.args[1];
	fc.how.mode = req->data.args[2] & 07777;
	if (check_flags(fc.how.flags) < 0) {
		reply->error = -EOPNOTSUPP;
		reply->verdict = "errno";
		return 0;
	}
	return serve(&fc, req->data.args[0], reply);
}

int sentry_handle_creat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply)
{
	struct file_call fc = { .sb = sb, .req = req, .dirfd = AT_FDCWD };

	fc.how.flags = O_CREAT | O_WRONLY | O_TRUNC;
	fc.how.mode = req->data.args[1] & 07777;
	return serve(&fc, req->data.args[0], reply);
}

int sentry_handle_openat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct file_call fc = { .sb = sb, .req = req, .dirfd = (int)req->data.args[0] };

	fc.how.flags = (uint32_t)req->data.args[2];
	fc.how.mode = req->data.args[3] & 07777;
	if (check_flags(fc.how.flags) < 0) {
		reply->error = -EOPNOTSUPP;
		reply->verdict = "errno";
		return 0;
	}
	return serve(&fc, req->data.args[1], reply);
}

int sentry_handle_openat2(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	struct file_call fc = { .sb = sb, .req = req, .dirfd = (int)req->data.args[0],
				.is_openat2 = true };
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
	if (sentry_read_mem(req->pid, req->data.args[2], &fc.how, sizeof(fc.how)) !=
	    (ssize_t)sizeof(fc.how)) {
		reply->error = -EFAULT;
		return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
	}
	for (off = sizeof(fc.how); off < size; off += sizeof(extra)) {
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
	if ((fc.how.flags >> 32) || (fc.how.resolve & ~(uint64_t)(RESOLVE_NO_XDEV |
	     RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_IN_ROOT |
	     RESOLVE_CACHED)) ||
	    (fc.how.mode && !(fc.how.flags & (O_CREAT | __O_TMPFILE))) || fc.how.mode > 07777 ||
	    ((fc.how.resolve & RESOLVE_BENEATH) && (fc.how.resolve & RESOLVE_IN_ROOT))) {
		reply->error = -EINVAL;
		return 0;
	}
	if (check_flags(fc.how.flags) < 0 || (fc.how.resolve & RESOLVE_IN_ROOT)) {
		/* a root of the caller's own choosing: not served */
		reply->error = -EOPNOTSUPP;
		return 0;
	}
	return serve(&fc, req->data.args[1], reply);
}
