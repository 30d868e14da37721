// SPDX-License-Identifier: GPL-2.0
/* A file call's path: read once, resolved in the target's root under the file rules, served. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../libredirect/json_str.h"
#include "files.h"

int sentry_fd_path(int fd, char *buf, size_t size)
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

int sentry_strip_root(const char *root, char *path)
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

int sentry_normalise(const char *base, const char *rel, char *out, size_t size)
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
void sentry_proc_self(const struct sentry_creds *c, char *lp, size_t size)
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

/*
 * /proc/PID/exe and /proc/PID/task/TID/exe of the caller itself (re-exec of
 * the running program: runc, Go programs, busybox): a magic link as well,
 * served on the Sentry's own open of the target's /proc/PID/exe.
 */
static bool names_own_exe(const struct sentry_creds *c, const char *lp)
{
	char want[64];

	if (c->ns_tgid <= 0)
		return false;
	snprintf(want, sizeof(want), "/proc/%d/exe", (int)c->ns_tgid);
	if (!strcmp(lp, want))
		return true;
	snprintf(want, sizeof(want), "/proc/%d/task/%d/exe", (int)c->ns_tgid, (int)c->ns_tid);
	return !strcmp(lp, want);
}

/* Open a magic link of the target's (/proc/pid/root, cwd, exe, fd/N), then ID_VALID. */
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
	ret = sentry_fd_path(fd, out, size);
	close(fd);
	if (ret < 0)
		return ret;
	return sentry_strip_root(fc->root, out) < 0 ? -ENOENT : 0;
}

int sentry_file_rule(const struct redirect_policy *p, const char *path, char *mapped, size_t size)
{
	enum redirect_file_action a;
	int ret = redirect_policy_file_lookup(p, path, &a, mapped, size);

	if (ret <= 0)
		return RULE_NONE;
	return a == REDIRECT_FILE_HIDDEN ? RULE_HIDDEN :
	       a == REDIRECT_FILE_READ_ONLY ? RULE_RO : RULE_REMAP;
}

int sentry_file_rule_remapped(const struct redirect_policy *p, char *lp, size_t size,
			      bool *remapped)
{
	char mapped[PATH_MAX];
	int r = sentry_file_rule(p, lp, mapped, sizeof(mapped));

	if (r == RULE_REMAP && !(remapped && *remapped)) {
		snprintf(lp, size, "%s", mapped);
		if (remapped)
			*remapped = true;
		r = sentry_file_rule(p, lp, mapped, sizeof(mapped));
	}
	return r;
}

int sentry_named_fd_rule(const struct file_call *fc, int fd)
{
	char cp[PATH_MAX], mapped[PATH_MAX];

	if (sentry_fd_path(fd, cp, sizeof(cp)) < 0 || cp[0] != '/' ||
	    sentry_strip_root(fc->root, cp) < 0)
		return RULE_NONE;
	return sentry_file_rule(fc->sb->policy, cp, mapped, sizeof(mapped));
}

/*
 * serve() cannot go on: its root reference dropped, the fd it took closed;
 * -ENOENT when the call is gone (nothing to answer), else 0 with ret as the
 * answer (enoent for -ENOENT: a closed fd is EBADF).
 */
static int serve_refused(struct file_call *fc, struct sentry_reply *reply, int ret, int enoent)
{
	sentry_root_put(fc->root_ref);
	if (fc->empty_fd >= 0)
		close(fc->empty_fd);
	if (ret == -ENOENT && sentry_id_valid(fc->sb, fc->req->id) < 0)
		return -ENOENT;
	reply->error = ret == -ENOENT ? enoent : ret;
	reply->verdict = "errno";
	return 0;
}

static int serve(struct file_call *fc, uint64_t path_addr, struct sentry_reply *reply)
{
	uint64_t log_flags = 0, log_mode = 0;
	int root_ret = 0;
	struct sentry_creds c;
	mode_t old_umask;
	int ret;

	reply->verdict = "emulated";
	fc->root_ref = NULL;
	ret = fc->have_path ? 0 : sentry_read_str(&reply->strs, fc->req->pid, path_addr,
						  fc->path, sizeof(fc->path));
	if (ret == 0 && fc->path2_addr)
		ret = sentry_read_str(&reply->strs, fc->req->pid, fc->path2_addr, fc->path2,
				      sizeof(fc->path2));
	if (ret == 0)
		ret = sentry_creds_read(fc->req->pid, &c);
	if (ret == 0) {
		root_ret = sentry_root_get(fc->sb, (pid_t)fc->req->pid, &fc->root_ref);
		if (root_ret < 0)
			fc->root_ref = NULL;
	}
	/*
	 * One ID_VALID for every read of the target above (its memory, its
	 * status, its root): the task is still in this call, so its pid named
	 * it throughout; a pid is reused only once its task is gone.
	 */
	if (ret == -ESRCH || sentry_id_valid(fc->sb, fc->req->id) < 0) {
		sentry_root_put(fc->root_ref);
		return -ENOENT;
	}
	/* the log shows an open's flags and mode, a mkdir's or mknod's mode */
	if (fc->what == FC_OPEN) {
		log_flags = fc->u.open.how.flags;
		log_mode = fc->u.open.how.mode;
	} else if (fc->what == FC_CHANGE) {
		log_mode = fc->u.change.mode;
	}
	snprintf(reply->detail, sizeof(reply->detail), "\"dirfd\":%d,\"flags\":%llu,\"mode\":%llu",
		 fc->dirfd, (unsigned long long)log_flags, (unsigned long long)log_mode);
	if (ret < 0) {
		reply->error = ret;
		return 0;
	}
	/* the path, JSON-escaped, and room for the closing quote */
	{
		size_t n = strlen(reply->detail), size = sizeof(reply->detail);

		n += (size_t)snprintf(reply->detail + n, size - n, ",\"path\":\"");
		if (n + 2 <= size) {
			n += redirect_json_str(reply->detail + n, size - n - 1, fc->path,
					       strlen(fc->path));
			reply->detail[n++] = '"';
			reply->detail[n] = '\0';
		}
	}
	fc->empty_fd = -1;
	if (root_ret < 0)
		return root_ret;
	fc->rootfd = fc->root_ref->fd;
	ret = sentry_fd_path(fc->rootfd, fc->root, sizeof(fc->root));
	if (ret < 0) {
		sentry_root_put(fc->root_ref);
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
	if (ret < 0)
		return serve_refused(fc, reply, ret, -ENOENT);
	if (fc->real_ids && !(fc->at_flags & AT_EACCESS)) {
		/* access(2) asks about the real ids; root's capabilities only for real root */
		c.fsuid = c.ruid;
		c.fsgid = c.rgid;
		if (c.ruid)
			c.cap_eff = 0;
	}
	fc->creds = &c;
	if (!fc->path[0] && (fc->at_flags & AT_EMPTY_PATH)) {
		/* before become(): pidfd_getfd() wants our ptrace rights, not the target's */
		if (fc->dirfd == AT_FDCWD)
			ret = open_target_path(fc, "cwd", O_PATH, &fc->empty_fd);
		else
			ret = sentry_target_fd(fc->sb, fc->req, fc->dirfd, &fc->empty_fd);
		if (ret < 0)
			return serve_refused(fc, reply, ret, -EBADF);
	}
	fc->arg_fd_copy = -1;
	if (fc->take_arg_fd) {
		/* before become(), as for the empty path */
		ret = sentry_target_fd(fc->sb, fc->req, fc->arg_fd, &fc->arg_fd_copy);
		if (ret < 0)
			return serve_refused(fc, reply, ret, -EBADF);
	}
	fc->named_fd = -1;
	fc->named_missing = false;
	if (fc->path[0]) {
		char lp[PATH_MAX];
		int nfd = -1;

		bool exe = false;

		if (sentry_normalise(fc->dir, fc->path, lp, sizeof(lp)) == 0) {
			sentry_proc_self(&c, lp, sizeof(lp));
			nfd = named_target_fd(fc, lp);
			exe = nfd < 0 && names_own_exe(&c, lp);
		}
		/* before become(), as for the empty path */
		if (nfd >= 0)
			ret = sentry_target_fd(fc->sb, fc->req, nfd, &fc->named_fd);
		else if (exe)
			ret = open_target_path(fc, "exe", O_PATH, &fc->named_fd);
		if ((nfd >= 0 || exe) && ret < 0) {
			if (ret == -ENOENT) {
				sentry_root_put(fc->root_ref);
				if (fc->empty_fd >= 0)
					close(fc->empty_fd);
				if (fc->arg_fd_copy >= 0)
					close(fc->arg_fd_copy);
				return -ENOENT;	/* the call is gone */
			}
			fc->named_missing = true;
		}
	}
	sentry_become(&c, &old_umask);
	ret = fc->op(fc, reply);
	sentry_unbecome(old_umask);
	if (ret >= 0 && fc->out_len) {
		/* as ourselves, after ID_VALID */
		int w = sentry_write_target(fc->sb, fc->req, fc->buf_addr,
					    fc->big_out ? fc->big_out : fc->out, fc->out_len);

		if (w < 0)
			ret = w == -ENOENT ? -ENOENT : -EFAULT;
	}
	free(fc->big_out);
	fc->big_out = NULL;
	sentry_root_put(fc->root_ref);
	if (fc->empty_fd >= 0)
		close(fc->empty_fd);
	if (fc->arg_fd_copy >= 0)
		close(fc->arg_fd_copy);
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
int sentry_resolve_parent(struct file_call *fc, const char *dir, const char *path, int *pfdp,
			  char *base, size_t bsize)
{
	const struct redirect_policy *policy = fc->sb->policy;
	char lp[PATH_MAX], mapped[PATH_MAX], cp[PATH_MAX];
	struct open_how ph = { .flags = O_PATH | O_CLOEXEC | O_DIRECTORY,
			       .resolve = RESOLVE_IN_ROOT };
	char *slash;
	int r, pfd, ret;

	ret = sentry_normalise(dir, path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	sentry_proc_self(fc->creds, lp, sizeof(lp));
	if (!strcmp(lp, "/"))
		return -EBUSY;
	r = sentry_file_rule_remapped(policy, lp, sizeof(lp), NULL);
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
	ret = sentry_fd_path(pfd, cp, sizeof(cp));
	if (ret == 0)
		ret = sentry_strip_root(fc->root, cp);
	if (ret == 0 && strlen(cp) + strlen(base) + 2 <= sizeof(cp)) {
		if (strcmp(cp, "/"))
			strcat(cp, "/");
		strcat(cp, base);
		r = sentry_file_rule(policy, cp, mapped, sizeof(mapped));
		if (r == RULE_HIDDEN || r == RULE_RO) {
			close(pfd);
			return r == RULE_HIDDEN ? -ENOENT : -EROFS;
		}
	}
	*pfdp = pfd;
	return 0;
}

int sentry_resolve_new_name(struct file_call *fc, const char *dir, const char *path, int *pfdp,
			    char *base, size_t size)
{
	int ret = sentry_resolve_parent(fc, dir, path, pfdp, base, size);

	return ret == -EBUSY ? -EEXIST : ret;
}

int sentry_named_fd_copy(const struct file_call *fc)
{
	int fd;

	if (fc->named_missing)
		return -ENOENT;
	fd = fcntl(fc->named_fd, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

/* fd (ours) as *fdp when the rules let the call have it: hidden is ENOENT, read-only EROFS. */
static int fd_under_rules(const struct file_call *fc, int fd, bool write, int *fdp)
{
	int r = sentry_named_fd_rule(fc, fd);

	if (r == RULE_HIDDEN || (r == RULE_RO && write)) {
		close(fd);
		return r == RULE_HIDDEN ? -ENOENT : -EROFS;
	}
	*fdp = fd;
	return 0;
}

/*
 * An existing path under the rules, resolved in the root to an O_PATH fd
 * (its last symlink followed or not): hidden is ENOENT, remapped the other
 * path, read-only EROFS when the call writes.  An empty path with
 * AT_EMPTY_PATH is the target's dirfd (a copy) or cwd itself.
 */
int sentry_resolve_existing(struct file_call *fc, bool follow, bool write, int *fdp)
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
		/* an f* call on an O_PATH fd: the kernel's EBADF */
		if (fc->fd_call && (fcntl(fd, F_GETFL) & O_PATH)) {
			close(fd);
			return -EBADF;
		}
		/* decided by what the fd is, as for /proc/self/fd/N (a pipe has no path) */
		return fd_under_rules(fc, fd, write, fdp);
	}
	ret = sentry_normalise(fc->dir, fc->path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	sentry_proc_self(fc->creds, lp, sizeof(lp));
	if (follow && (fc->named_fd >= 0 || fc->named_missing)) {
		fd = sentry_named_fd_copy(fc);
		return fd < 0 ? fd : fd_under_rules(fc, fd, write, fdp);
	}
	for (attempt = 0; attempt < 2; attempt++) {
		r = sentry_file_rule_remapped(policy, lp, sizeof(lp), &remapped);
		if (r == RULE_HIDDEN)
			return -ENOENT;
		if (r == RULE_RO && write)
			return -EROFS;
		fd = (int)syscall(SYS_openat2, fc->rootfd, lp, &ph, sizeof(ph));
		if (fd < 0)
			return -errno;
		/* the real path (symlinks followed) meets the rules as well */
		if (sentry_fd_path(fd, cp, sizeof(cp)) < 0 || sentry_strip_root(fc->root, cp) < 0)
			break;
		r = sentry_file_rule(policy, cp, mapped, sizeof(mapped));
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
	fc->remapped = remapped;
	*fdp = fd;
	return 0;
}

/*
 * An existing path (a socket) resolved under the rules: hidden is ENOENT,
 * remapped the other path; read-only does not matter (nothing is written).
 * u.at.fn gets "/proc/self/fd/N" of an O_PATH fd of that very inode.
 */
static int op_path_call(struct file_call *fc, struct sentry_reply *reply)
{
	const struct redirect_policy *policy = fc->sb->policy;
	struct open_how ph = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	char lp[PATH_MAX], mapped[PATH_MAX], cp[PATH_MAX], self[64];
	int fd, ret;

	ret = sentry_normalise(fc->dir, fc->path, lp, sizeof(lp));
	if (ret < 0)
		return ret;
	sentry_proc_self(fc->creds, lp, sizeof(lp));
	if (policy && redirect_policy_has_files(policy) &&
	    sentry_file_rule_remapped(policy, lp, sizeof(lp), NULL) == RULE_HIDDEN)
		return -ENOENT;
	fd = (int)syscall(SYS_openat2, fc->rootfd, lp, &ph, sizeof(ph));
	if (fd < 0)
		return -errno;
	if (policy && redirect_policy_has_files(policy) && sentry_fd_path(fd, cp, sizeof(cp)) == 0 &&
	    sentry_strip_root(fc->root, cp) == 0 &&
	    sentry_file_rule(policy, cp, mapped, sizeof(mapped)) == RULE_HIDDEN) {
		close(fd);
		return -ENOENT;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	ret = fc->u.at.fn(fc->u.at.arg, self);
	close(fd);
	return ret;
}

int sentry_path_call(struct sentry_sandbox *sb, const struct seccomp_notif *req, const char *path,
		     int (*fn)(void *arg, const char *procpath), void *arg,
		     struct sentry_reply *reply)
{
	struct file_call fc = { .sb = sb, .req = req, .what = FC_PATH_CALL, .op = op_path_call,
				.dirfd = AT_FDCWD, .have_path = true,
				.u.at = { .fn = fn, .arg = arg } };

	if (strlen(path) >= sizeof(fc.path)) {
		reply->error = -ENAMETOOLONG;
		return 0;
	}
	strcpy(fc.path, path);
	return serve(&fc, 0, reply);
}

int sentry_files_serve(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct file_call *fc, uint64_t path_addr, int allowed_at,
		       struct sentry_reply *reply)
{
	fc->sb = sb;
	fc->req = req;
	if (fc->at_flags & ~allowed_at)
		return sentry_files_errno(reply, -EINVAL);
	return serve(fc, path_addr, reply);
}

int sentry_files_errno(struct sentry_reply *reply, int err)
{
	reply->error = err;
	reply->verdict = "errno";
	return 0;
}
