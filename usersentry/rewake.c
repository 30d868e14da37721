// SPDX-License-Identifier: GPL-2.0
/* Calls a dead daemon read but never answered: their tasks stopped and continued, so the kernel notifies them again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sentry.h"

/*
 * A notification the daemon had received (SECCOMP_IOCTL_NOTIF_RECV) when it
 * died is no longer queued: no one can read it again, and its task waits
 * forever. The wait is interruptible, though: a stop signal wakes it, the
 * kernel withdraws the notification, and once the task is continued the
 * call restarts (no handler ran) and is notified afresh, to the new daemon.
 * A task waiting in a notification not yet read gets the same, harmlessly.
 *
 * Only processes with a task waiting in seccomp are touched (wchan), and
 * not one that is stopped already (its calls restart when it is continued).
 * What the sandbox sees: its parent may get SIGCHLD (CLD_STOPPED, then
 * CLD_CONTINUED), and the few calls that fail with EINTR after a stop even
 * without a handler (signal(7): epoll_wait, semop, ...) do so.
 */

#define KICK_STOP_WAIT_MS 2000

/* State letter and parent of a task from its stat line; 0 when gone. */
static char task_state(const char *stat_path, pid_t *ppid)
{
	char buf[1024], state;
	const char *rp;
	int pp;

	if (sentry_read_small(stat_path, buf, sizeof(buf)) <= 0)
		return 0;
	/* the command name may hold anything: after the last ')' */
	rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 1, " %c %d", &state, &pp) != 2)
		return 0;
	if (ppid)
		*ppid = (pid_t)pp;
	return state;
}

/* Every task of pid: fn(pid, tid, ctx) until it returns false. */
static bool each_task(pid_t pid, bool (*fn)(pid_t, const char *, void *), void *ctx)
{
	char path[300];
	struct dirent *de;
	bool go = true;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return true;
	while (go && (de = readdir(d)))
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			go = fn(pid, de->d_name, ctx);
	closedir(d);
	return go;
}

static bool not_in_seccomp(pid_t pid, const char *tid, void *ctx)
{
	char path[300], buf[128];

	snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", (int)pid, tid);
	return sentry_read_small(path, buf, sizeof(buf)) <= 0 || !strstr(buf, "seccomp");
}

static bool is_stopped(pid_t pid, const char *tid, void *ctx)
{
	char path[300], st;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, tid);
	st = task_state(path, NULL);
	return !st || st == 'T' || st == 't' || st == 'Z' || st == 'X';
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void kick_one(pid_t pid)
{
	char path[300];
	long long end;
	char st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	st = task_state(path, NULL);
	if (!st || st == 'T' || st == 't' || each_task(pid, not_in_seccomp, NULL))
		return;
	if (kill(pid, SIGSTOP) < 0)
		return;
	/* the whole group stopped: every waiting task has let go of its call */
	end = now_ms() + KICK_STOP_WAIT_MS;
	while (!each_task(pid, is_stopped, NULL) && now_ms() < end)
		usleep(2000);
	kill(pid, SIGCONT);
	sentry_log("pid %d: calls waiting in seccomp restarted (stopped and continued)",
		   (int)pid);
}

/* root and its descendants, as /proc has them now. */
static size_t process_tree(pid_t root, pid_t **out)
{
	pid_t *pids = NULL, *ppids = NULL, *tree = NULL, *p;
	size_t n = 0, cap = 0, nt = 0, i, j;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	d = opendir("/proc");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[300];
		pid_t pp;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (!task_state(path, &pp))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			p = realloc(pids, cap * sizeof(*p));
			if (!p)
				break;
			pids = p;
			p = realloc(ppids, cap * sizeof(*p));
			if (!p)
				break;
			ppids = p;
		}
		pids[n] = (pid_t)atoi(de->d_name);
		ppids[n++] = pp;
	}
	closedir(d);
	tree = malloc((n + 1) * sizeof(*tree));
	if (tree) {
		tree[nt++] = root;
		/* breadth first: each pid once, its children after it */
		for (i = 0; i < nt; i++)
			for (j = 0; j < n; j++)
				if (ppids[j] == tree[i] && pids[j] != root)
					tree[nt++] = pids[j];
	}
	free(pids);
	free(ppids);
	*out = tree;
	return tree ? nt : 0;
}

void sentry_kick_tree(pid_t root)
{
	pid_t *tree;
	size_t n, i;

	if (root <= 1)
		return;
	n = process_tree(root, &tree);
	for (i = 0; i < n; i++)
		kick_one(tree[i]);
	free(tree);
}
