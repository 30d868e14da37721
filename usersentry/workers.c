// SPDX-License-Identifier: GPL-2.0
/*
 * The worker pool: forwarded calls whose handlers may block (file systems,
 * connect, mount) are answered by worker threads with deferred replies, so
 * one FIFO open or slow connect does not stall every sandbox.
 *
 * The pool starts empty and grows by one thread whenever a call is queued
 * and no worker is idle, up to the cap; a worker idle for idle_ms exits.
 * The queue is bounded: when it is full the main thread answers inline,
 * so a call is never dropped.  Each worker answers its call itself (a
 * reply-only broker round, or SEND/ADDFD on the listener in portable mode).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sentry.h"

struct worker {
	struct worker *next;
	pthread_t thread;
	struct sentry_call *cur;	/* the call being served, or NULL */
	struct redirect_notif_buf *buf;	/* portable mode's replies */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a call queued, or stop */
	pthread_cond_t gone;		/* a worker exited or finished a call (stop waits) */
	struct sentry_call *head, *tail;
	struct worker *workers;
	unsigned int max, idle_ms;
	unsigned int n_workers, n_idle, n_busy, n_queued;
	uint64_t started, exited, pooled, inline_full;
	bool stop;
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.gone = PTHREAD_COND_INITIALIZER,
};

static int kick_signal;

/* Its only job is to be there: a blocking call in a worker returns EINTR. */
static void kick_handler(int sig)
{
	(void)sig;
}

void sentry_pool_init(unsigned int max_workers, unsigned int idle_ms)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	pthread_condattr_t ca;

	pool.max = max_workers;
	pool.idle_ms = idle_ms ? idle_ms : SENTRY_WORKER_IDLE_MS;
	/* idle timeouts on the monotonic clock: a clock step must not wake them all */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&pool.work);
	pthread_cond_init(&pool.work, &ca);
	pthread_cond_destroy(&pool.gone);
	pthread_cond_init(&pool.gone, &ca);
	pthread_condattr_destroy(&ca);
	/* no SA_RESTART: the point is to interrupt */
	kick_signal = SIGRTMIN + 1;
	sigemptyset(&sa.sa_mask);
	sigaction(kick_signal, &sa, NULL);
}

bool sentry_pool_enabled(void)
{
	return pool.max > 0;
}

static void deadline_in(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct sentry_call *c;
	struct timespec dl;
	sigset_t set;
	int ret;

	/*
	 * Our own umask and cwd: the file handlers set the target's umask
	 * around each call, and threads share it otherwise.
	 */
	if (unshare(CLONE_FS) < 0)
		sentry_log("pool: worker cannot unshare CLONE_FS: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, kick_signal);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	pthread_mutex_lock(&pool.lock);
	for (;;) {
		ret = 0;
		while (!pool.head && !pool.stop && ret != ETIMEDOUT) {
			deadline_in(&dl, pool.idle_ms);
			pool.n_idle++;
			ret = pthread_cond_timedwait(&pool.work, &pool.lock, &dl);
			pool.n_idle--;
		}
		if (!pool.head || pool.stop)
			break;
		c = pool.head;
		pool.head = c->next;
		if (!pool.head)
			pool.tail = NULL;
		pool.n_queued--;
		pool.n_busy++;
		w->cur = c;
		pthread_mutex_unlock(&pool.lock);

		sentry_call_run(c, w->buf);
		sentry_audit_flush();

		pthread_mutex_lock(&pool.lock);
		w->cur = NULL;
		pool.n_busy--;
		pthread_mutex_unlock(&pool.lock);
		/* outside the lock: the last reference may free a sandbox and its policy */
		sentry_call_free(c);
		pthread_mutex_lock(&pool.lock);
		pthread_cond_broadcast(&pool.gone);
	}
	{
		struct worker **pp;

		for (pp = &pool.workers; *pp; pp = &(*pp)->next) {
			if (*pp == w) {
				*pp = w->next;
				break;
			}
		}
	}
	pool.n_workers--;
	pool.exited++;
	if (!pool.stop)
		sentry_log("pool: worker exited, idle (workers=%u)", pool.n_workers);
	pthread_cond_broadcast(&pool.gone);
	pthread_mutex_unlock(&pool.lock);
	redirect_notif_buf_free(w->buf);
	free(w);
	return NULL;
}

/* Under the lock. */
static int spawn(void)
{
	struct worker *w = calloc(1, sizeof(*w));
	pthread_attr_t attr;
	int ret;

	if (!w)
		return -ENOMEM;
	ret = redirect_notif_buf_new(&w->buf, NULL);
	if (ret < 0) {
		free(w);
		return ret;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* handlers keep PATH_MAX buffers and a reply (16 KiB of strings) on the stack */
	pthread_attr_setstacksize(&attr, 1 << 20);
	ret = pthread_create(&w->thread, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	if (ret) {
		redirect_notif_buf_free(w->buf);
		free(w);
		return -ret;
	}
	w->next = pool.workers;
	pool.workers = w;
	pool.n_workers++;
	pool.started++;
	sentry_log("pool: worker started (workers=%u, queued=%u)", pool.n_workers,
		   pool.n_queued + 1);
	return 0;
}

int sentry_pool_submit(struct sentry_call *c)
{
	int ret = 0;

	pthread_mutex_lock(&pool.lock);
	if (!pool.max || pool.stop) {
		ret = -ESHUTDOWN;
		goto out;
	}
	if (pool.n_queued >= SENTRY_QUEUE_MAX) {
		pool.inline_full++;
		ret = -EBUSY;
		goto out;
	}
	/* every worker busy (or about to take a queued call): one more, up to the cap */
	if (pool.n_idle <= pool.n_queued && pool.n_workers < pool.max) {
		ret = spawn();
		if (ret < 0 && !pool.n_workers) {
			sentry_log("pool: cannot start a worker: %s; answering inline",
				   strerror(-ret));
			goto out;
		}
		ret = 0;
	}
	c->next = NULL;
	if (pool.tail)
		pool.tail->next = c;
	else
		pool.head = c;
	pool.tail = c;
	pool.n_queued++;
	pool.pooled++;
	pthread_cond_signal(&pool.work);
out:
	pthread_mutex_unlock(&pool.lock);
	return ret;
}

void sentry_pool_kick(const struct sentry_sandbox *sb)
{
	struct worker *w;

	pthread_mutex_lock(&pool.lock);
	for (w = pool.workers; w; w = w->next) {
		if (!w->cur || (sb ? w->cur->sb != sb : !atomic_load(&w->cur->sb->ended)))
			continue;
		pthread_kill(w->thread, kick_signal);
	}
	pthread_mutex_unlock(&pool.lock);
}

unsigned int sentry_pool_stuck(void)
{
	unsigned int n = 0;
	struct worker *w;

	pthread_mutex_lock(&pool.lock);
	for (w = pool.workers; w; w = w->next)
		if (w->cur && atomic_load(&w->cur->sb->ended))
			n++;
	pthread_mutex_unlock(&pool.lock);
	return n;
}

unsigned int sentry_pool_stop(unsigned int grace_ms)
{
	struct sentry_call *c, *queued;
	struct timespec dl;
	unsigned int left;

	pthread_mutex_lock(&pool.lock);
	pool.stop = true;
	/*
	 * Not started: module mode keeps them in custody for the next daemon;
	 * portable mode fails them as it fails calls not yet received.
	 */
	queued = pool.head;
	if (queued)
		sentry_log("pool: %u queued calls left unanswered", pool.n_queued);
	pool.head = pool.tail = NULL;
	pool.n_queued = 0;
	pthread_cond_broadcast(&pool.work);
	deadline_in(&dl, grace_ms);
	while (pool.n_workers &&
	       pthread_cond_timedwait(&pool.gone, &pool.lock, &dl) != ETIMEDOUT)
		;
	left = pool.n_busy;
	pthread_mutex_unlock(&pool.lock);
	while ((c = queued)) {
		queued = c->next;
		sentry_call_free(c);
	}
	return left;
}

void sentry_pool_stats(struct sentry_pool_stats *st)
{
	pthread_mutex_lock(&pool.lock);
	st->max = pool.max;
	st->workers = pool.n_workers;
	st->busy = pool.n_busy;
	st->queued = pool.n_queued;
	st->started = pool.started;
	st->exited = pool.exited;
	st->pooled = pool.pooled;
	st->inline_full = pool.inline_full;
	pthread_mutex_unlock(&pool.lock);
}
