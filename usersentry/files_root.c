// SPDX-License-Identifier: GPL-2.0
/* The target's root directory: opened once per sandbox, re-validated per call by one statx. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "files.h"

/*
 * Every file call resolves its path in the target's root. Opening
 * /proc/PID/root cost an open and a close a call; the tasks of one sandbox
 * nearly always share the root of its first task. So the sandbox keeps
 * that root open, and a call checks that it is still the target's with one
 * statx of the magic link: the mount id (a new mount namespace, even of the
 * same directory, has new mounts and new ids; a held mount's id is never
 * reused), the device and the inode. A task with another root (a chroot
 * inside the container, its own mount namespace) gets its root opened for
 * that call only: a cached handle would keep that mount busy (umount of a
 * chroot's bind mount: EBUSY) for the sandbox's life.
 *
 * Only the handle is cached, never its path: the caller reads the path of
 * the handle per call (sentry_fd_path), so a root directory renamed on the
 * host is seen at once, as before.
 *
 * Lifetime: calls on workers and on the main thread share the cache, so a
 * root is reference-counted; the sandbox holds one reference, each call in
 * flight another. cache_lock (one for all sandboxes: held for a compare and
 * an increment) guards sb->root.
 */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool same_root(const struct sentry_root *r, const struct statx *st)
{
	return r && r->mnt_id == st->stx_mnt_id && r->ino == st->stx_ino &&
	       r->dev_major == st->stx_dev_major && r->dev_minor == st->stx_dev_minor;
}

/* The identity of the root @link names; false when it cannot be had. */
static bool root_identity(const char *link, struct statx *st)
{
	return statx(AT_FDCWD, link, 0, STATX_INO | STATX_MNT_ID, st) == 0 &&
	       (st->stx_mask & STATX_MNT_ID);
}

void sentry_root_put(struct sentry_root *r)
{
	if (r && atomic_fetch_sub(&r->ref, 1) == 1) {
		close(r->fd);
		free(r);
	}
}

/* A root opened now, with one reference, or a negative errno. */
static int root_open(const char *link, struct sentry_root **rootp)
{
	struct sentry_root *r;
	struct statx st;
	int fd, ret;

	fd = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* the identity of what was opened, not of what the link showed before */
	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &st) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		close(fd);
		return -ENOMEM;
	}
	atomic_init(&r->ref, 1);
	r->fd = fd;
	/* without STATX_MNT_ID (before 5.8) nothing matches: opened per call */
	r->mnt_id = (st.stx_mask & STATX_MNT_ID) ? st.stx_mnt_id : UINT64_MAX;
	r->ino = st.stx_ino;
	r->dev_major = st.stx_dev_major;
	r->dev_minor = st.stx_dev_minor;
	*rootp = r;
	return 0;
}

int sentry_root_get(struct sentry_sandbox *view, pid_t pid, struct sentry_root **rootp)
{
	/* a call's view of its sandbox (another policy, a worker's copy) shares its cache */
	struct sentry_sandbox *sb = view->owner ? view->owner : view;
	struct sentry_root *r = NULL, *old;
	char link[64];
	struct statx st;
	int ret;

	snprintf(link, sizeof(link), "/proc/%d/root", (int)pid);
	if (root_identity(link, &st)) {
		pthread_mutex_lock(&cache_lock);
		r = sb->root;
		if (same_root(r, &st)) {
			atomic_fetch_add(&r->ref, 1);
			pthread_mutex_unlock(&cache_lock);
			*rootp = r;
			return 0;
		}
		pthread_mutex_unlock(&cache_lock);
	}
	ret = root_open(link, &r);
	if (ret < 0)
		return ret;
	*rootp = r;
	/* kept only when it is the root of the sandbox's first task */
	snprintf(link, sizeof(link), "/proc/%d/root", (int)sb->pid);
	if (sb->pid <= 0 || atomic_load(&sb->ended) || !root_identity(link, &st) ||
	    !same_root(r, &st))
		return 0;
	atomic_fetch_add(&r->ref, 1); /* the sandbox's */
	pthread_mutex_lock(&cache_lock);
	old = sb->root;
	sb->root = r;
	pthread_mutex_unlock(&cache_lock);
	sentry_root_put(old);
	return 0;
}

/* The sandbox ends or is freed: its reference goes (calls in flight keep theirs). */
void sentry_root_forget(struct sentry_sandbox *sb)
{
	struct sentry_root *r;

	pthread_mutex_lock(&cache_lock);
	r = sb->root;
	sb->root = NULL;
	pthread_mutex_unlock(&cache_lock);
	sentry_root_put(r);
}
