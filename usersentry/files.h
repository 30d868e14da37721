/* SPDX-License-Identifier: GPL-2.0 */
/* The file handlers' shared parts: the per-call record and path resolution (files_path.c). */
#ifndef USERSENTRY_FILES_H
#define USERSENTRY_FILES_H

#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "sentry.h"

/*
 * How one call is served, in order (files_path.c's sentry_files_serve()):
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
 *  5. the call's op is performed on that very inode (or, to create, the last
 *     component under the resolved parent without following symlinks), with
 *     the target's fsuid, fsgid, groups and umask; an opened fd is injected
 *     with ADDFD and answered with its number (dispatch.c: two steps in
 *     portable mode, SECCOMP_ADDFD_FLAG_SEND in module mode, which the
 *     module performs as the same two steps).  The call
 *     never continues (but chdir and exec, which no other process can make:
 *     files_checked.c).
 */

/* Which member of file_call's union the call uses (and what its log detail shows). */
enum file_what { FC_OPEN, FC_CHANGE, FC_ATTR, FC_LOOKUP, FC_MOUNT, FC_PATH_CALL, FC_XATTR,
		 FC_WATCH, FC_BIND, FC_CHECK };

/* What an attribute change or lookup does (file_call.u.attr/.lookup.kind). */
enum { LK_NONE, LK_STAT, LK_STATX, LK_ACCESS, LK_READLINK, LK_CHMOD, LK_CHOWN, LK_TRUNCATE,
       LK_UTIMES, LK_STATFS };
/* file_call.u.xattr.kind */
enum { XA_GET, XA_LIST, XA_SET, XA_REMOVE };

struct file_call;
typedef int (*file_op_fn)(struct file_call *fc, struct sentry_reply *reply);

/* One call: what every file call has, then its op's own fields. */
struct file_call {
	struct sentry_sandbox *sb;
	const struct seccomp_notif *req;
	enum file_what what;
	file_op_fn op;
	int dirfd;		/* the target's */
	char path[PATH_MAX];	/* the target's copy */
	bool have_path;		/* path copied by the caller already */
	int at_flags;		/* AT_* of the call (AT_EMPTY_PATH: the dirfd itself) */
	bool real_ids;		/* access(2): decided as the real uid and gid */
	struct sentry_root *root_ref; /* held for the call */
	int rootfd; /* root_ref's */
	char root[PATH_MAX]; /* its path as we see it, read for this call */
	char dir[PATH_MAX];	/* where a relative path starts, in the container */
	/* a second path: rename's and link's new name, symlink's text, a bind mount's source */
	int dirfd2;
	uint64_t path2_addr;
	char path2[PATH_MAX];
	char dir2[PATH_MAX];
	const struct sentry_creds *creds;
	bool remapped;			/* set by sentry_resolve_existing(): a remap rule applied */
	int empty_fd;			/* AT_EMPTY_PATH: the dirfd's copy, taken as ourselves */
	int named_fd;			/* the path names a target fd: its copy (-1: none) */
	bool named_missing;		/* ... and the target has no such fd */
	bool fd_call;			/* an f* call: the empty path is its fd, never O_PATH */
	bool take_arg_fd;		/* the op acts on a target fd (inotify, socket): */
	int arg_fd;			/* ... its number */
	int arg_fd_copy;		/* ... and its copy, taken before the op (-1: none) */
	/* written to buf_addr after the call: out, or big_out (freed) when set */
	uint64_t buf_addr;
	unsigned char out[4096];
	unsigned char *big_out;
	size_t out_len;
	union {
		struct {		/* FC_OPEN: open, openat, openat2, creat */
			struct open_how how;
		} open;
		struct {		/* FC_CHANGE: mkdir, mknod, unlink, rename, symlink, link */
			mode_t mode;	/* mkdir, mknod */
			dev_t dev;	/* mknod */
			uint64_t flags;	/* unlinkat, renameat2 */
		} change;
		struct {		/* FC_ATTR: chmod, chown, truncate, utimensat */
			int kind;
			mode_t mode;
			off_t length;
			uid_t uid;
			gid_t gid;
			bool have_times;
			struct timespec times[2];
		} attr;
		struct {		/* FC_LOOKUP: stat, statx, statfs, access, readlink */
			int kind;
			int mode;		/* access */
			unsigned int mask;	/* statx */
			uint64_t buf_size;	/* readlink */
		} lookup;
		struct {		/* FC_XATTR: the xattr family */
			int kind;	/* XA_* */
			char name[256];	/* XATTR_NAME_MAX + 1 */
			void *value;	/* set: the target's value, copied */
			size_t size;
			int flags;	/* XATTR_CREATE, XATTR_REPLACE */
		} xattr;
		struct {		/* FC_WATCH: inotify_add_watch */
			uint32_t mask;
		} watch;
		struct {		/* FC_BIND: bind */
			struct sockaddr_storage addr;
			socklen_t len;
			bool unix_path;	/* a pathname Unix socket: the path is fc->path */
		} bind;
		struct {		/* FC_CHECK: chdir, execve, execveat */
			bool exec;
		} check;
		struct {		/* FC_MOUNT: mount, umount2 */
			bool umount;
			unsigned long flags;	/* mount's MS_*, umount2's */
			char fstype[68];
			char *data;		/* its page of options, or NULL */
		} mount;
		struct {		/* FC_PATH_CALL: sentry_path_call() */
			int (*fn)(void *arg, const char *procpath);
			void *arg;
		} at;
	} u;
};

enum { RULE_NONE, RULE_HIDDEN, RULE_RO, RULE_REMAP };

/* The path of one of our fds as the kernel names it. */
int sentry_fd_path(int fd, char *buf, size_t size);

/*
 * files_root.c: the target's root directory, a reference-counted handle
 * the sandbox caches (one statx a call checks it is still the target's).
 */
struct sentry_root {
	atomic_uint ref;
	int fd; /* O_PATH | O_DIRECTORY, the daemon's */
	uint64_t mnt_id, ino;
	uint32_t dev_major, dev_minor;
};

int sentry_root_get(struct sentry_sandbox *sb, pid_t pid, struct sentry_root **rootp);
void sentry_root_put(struct sentry_root *r);
/* path as seen inside a root whose own path is root ("/" or a host directory). */
int sentry_strip_root(const char *root, char *path);
/* Join base (absolute) and rel, normalise lexically; ".." stops at "/". */
int sentry_normalise(const char *base, const char *rel, char *out, size_t size);
/* /proc/self and /proc/thread-self in lp made the target's (c: NULL leaves it). */
void sentry_proc_self(const struct sentry_creds *c, char *lp, size_t size);
/* The rule for a container path: RULE_*; mapped gets a remap's other path. */
int sentry_file_rule(const struct redirect_policy *p, const char *path, char *mapped,
		     size_t size);
/*
 * The same for lp with a remap followed once: lp becomes the other path,
 * *remapped true (a second remap when it already is true is not followed).
 */
int sentry_file_rule_remapped(const struct redirect_policy *p, char *lp, size_t size,
			      bool *remapped);
/* The file rule for what a copy of a target fd is: none outside the root or without a path. */
int sentry_named_fd_rule(const struct file_call *fc, int fd);
/* A copy of the fd a magic link (/proc/self/fd/N) named; -ENOENT when it named none. */
int sentry_named_fd_copy(const struct file_call *fc);

/*
 * Serve fc (its what, op and op fields set) for sb's call req: the path read
 * from path_addr (unless have_path), at_flags beyond @allowed_at: EINVAL.
 * Returns as a handler does.
 */
int sentry_files_serve(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct file_call *fc, uint64_t path_addr, int allowed_at,
		       struct sentry_reply *reply);
/* Answer err without serving (a handler's return). */
int sentry_files_errno(struct sentry_reply *reply, int err);

/*
 * Within an op (as the target): the parent of a path that is to change,
 * resolved in the root to an O_PATH fd, and its last component.  The rules
 * apply to the path as written and to the parent's real path: hidden is
 * ENOENT, read-only EROFS (every such call writes), remapped the other path.
 * The root itself: -EBUSY.
 */
int sentry_resolve_parent(struct file_call *fc, const char *dir, const char *path, int *pfdp,
			  char *base, size_t bsize);
/* The same for a name to be created: the root itself (EEXIST) exists already. */
int sentry_resolve_new_name(struct file_call *fc, const char *dir, const char *path, int *pfdp,
			    char *base, size_t size);
/*
 * An existing path under the rules, resolved in the root to an O_PATH fd
 * (its last symlink followed or not): hidden is ENOENT, remapped the other
 * path, read-only EROFS when the call writes.  An empty path with
 * AT_EMPTY_PATH is the target's dirfd (a copy) or cwd itself.
 */
int sentry_resolve_existing(struct file_call *fc, bool follow, bool write, int *fdp);

#define LOOKUP_FLAGS (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)

#endif /* USERSENTRY_FILES_H */
