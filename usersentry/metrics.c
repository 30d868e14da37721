// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition on a Unix socket: per-sandbox call counters, latency, kernel stats. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sentry.h"

static const char *const stat_names[REDIRECT_STAT_COUNT] = {
	"notified", "errno", "value", "kill", "forwarded", "fallback", "raced", "replayed",
};

/* Workers count their calls while the main thread renders: both under this. */
static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;

int sentry_metrics_open(struct sentry *s, struct redirect_error **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = s->cfg.metrics_path;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return redirect_error_set(err, ENAMETOOLONG, "metrics socket path too long");
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return redirect_error_set(err, errno, "metrics socket: %s", strerror(errno));
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 16) < 0) {
		int e = errno;

		close(fd);
		return redirect_error_set(err, e, "metrics socket %s: %s", path, strerror(e));
	}
	s->metrics_fd = fd;
	return 0;
}

void sentry_metrics_close(struct sentry *s)
{
	if (s->metrics_fd < 0)
		return;
	close(s->metrics_fd);
	unlink(s->cfg.metrics_path);
	s->metrics_fd = -1;
}

void sentry_metrics_count(struct sentry_sandbox *sb, int nr, int32_t error, uint64_t latency_ns)
{
	uint64_t us = latency_ns / 1000;
	int b = 0;

	while (b < REDIRECT_HIST_BUCKETS - 1 && us >= (1ULL << b))
		b++;
	pthread_mutex_lock(&metrics_lock);
	if (!sb->nr_calls)
		sb->nr_calls = calloc(SENTRY_METRICS_NR, sizeof(*sb->nr_calls));
	if (sb->nr_calls && nr >= 0 && nr < SENTRY_METRICS_NR)
		sb->nr_calls[nr]++;
	if (error)
		sb->errors++;
	sb->hist[b]++;
	sb->latency_sum_ns += latency_ns;
	pthread_mutex_unlock(&metrics_lock);
}

struct buf {
	char *p;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3))) out(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = (b->cap ? b->cap * 2 : 8192) + (size_t)n;
			char *np = realloc(b->p, cap);

			if (!np)
				return;
			b->p = np;
			b->cap = cap;
		}
	}
}

/* A label value: quotes, backslashes and newlines escaped. */
static const char *label(const char *s, char *tmp, size_t size)
{
	size_t n = 0;

	for (; *s && n + 3 < size; s++) {
		if (*s == '"' || *s == '\\') {
			tmp[n++] = '\\';
			tmp[n++] = *s;
		} else if (*s == '\n') {
			tmp[n++] = '\\';
			tmp[n++] = 'n';
		} else {
			tmp[n++] = *s;
		}
	}
	tmp[n] = '\0';
	return tmp;
}

static void render(struct sentry *s, struct buf *b)
{
	struct redirect_sandbox_info *info = NULL;
	struct redirect_ctl *ctl = NULL;
	struct sentry_pool_stats ps;
	struct sentry_sandbox *sb;
	char id[300], nb[64];
	size_t n = 0, i;
	int nr, k;

	sentry_pool_stats(&ps);
	out(b, "# HELP usersentry_workers Worker threads answering calls that may block.\n"
	       "# TYPE usersentry_workers gauge\n"
	       "usersentry_workers{state=\"busy\"} %u\n"
	       "usersentry_workers{state=\"idle\"} %u\n", ps.busy, ps.workers - ps.busy);
	out(b, "# HELP usersentry_workers_max The pool's cap (--workers).\n"
	       "# TYPE usersentry_workers_max gauge\n"
	       "usersentry_workers_max %u\n", ps.max);
	out(b, "# HELP usersentry_worker_queue Calls waiting for a worker.\n"
	       "# TYPE usersentry_worker_queue gauge\n"
	       "usersentry_worker_queue %u\n", ps.queued);
	out(b, "# HELP usersentry_workers_started_total Worker threads started.\n"
	       "# TYPE usersentry_workers_started_total counter\n"
	       "usersentry_workers_started_total %llu\n"
	       "# HELP usersentry_workers_exited_total Worker threads that exited (idle).\n"
	       "# TYPE usersentry_workers_exited_total counter\n"
	       "usersentry_workers_exited_total %llu\n",
	    (unsigned long long)ps.started, (unsigned long long)ps.exited);
	out(b, "# HELP usersentry_calls_pooled_total Calls answered by workers.\n"
	       "# TYPE usersentry_calls_pooled_total counter\n"
	       "usersentry_calls_pooled_total %llu\n"
	       "# HELP usersentry_calls_queue_full_total Calls that may block answered inline: "
	       "the queue was full.\n"
	       "# TYPE usersentry_calls_queue_full_total counter\n"
	       "usersentry_calls_queue_full_total %llu\n",
	    (unsigned long long)ps.pooled, (unsigned long long)ps.inline_full);
	pthread_mutex_lock(&metrics_lock);

	out(b, "# HELP usersentry_sandboxes Sandboxes served.\n"
	       "# TYPE usersentry_sandboxes gauge\n");
	for (sb = s->sandboxes, k = 0; sb; sb = sb->next)
		k++;
	out(b, "usersentry_sandboxes{mode=\"%s\"} %d\n",
	    s->mode == REDIRECT_MODE_MODULE ? "module" : "portable", k);
	out(b, "# HELP usersentry_calls_total Calls answered by the Sentry.\n"
	       "# TYPE usersentry_calls_total counter\n");
	for (sb = s->sandboxes; sb; sb = sb->next) {
		if (!sb->nr_calls)
			continue;
		label(sb->id, id, sizeof(id));
		for (nr = 0; nr < SENTRY_METRICS_NR; nr++) {
			const char *name;

			if (!sb->nr_calls[nr])
				continue;
			name = redirect_syscall_name(AUDIT_ARCH_X86_64, nr, nb, sizeof(nb));
			out(b, "usersentry_calls_total{sandbox=\"%s\",syscall=\"%s\"} %llu\n", id,
			    name ? name : "?", (unsigned long long)sb->nr_calls[nr]);
		}
	}
	out(b, "# HELP usersentry_call_errors_total Calls answered with an error.\n"
	       "# TYPE usersentry_call_errors_total counter\n");
	for (sb = s->sandboxes; sb; sb = sb->next)
		out(b, "usersentry_call_errors_total{sandbox=\"%s\"} %llu\n",
		    label(sb->id, id, sizeof(id)), (unsigned long long)sb->errors);
	out(b, "# HELP usersentry_call_latency_seconds Time from fetching a call to answering it.\n"
	       "# TYPE usersentry_call_latency_seconds histogram\n");
	for (sb = s->sandboxes; sb; sb = sb->next) {
		uint64_t cum = 0;

		label(sb->id, id, sizeof(id));
		for (k = 0; k < REDIRECT_HIST_BUCKETS; k++) {
			cum += sb->hist[k];
			if (k < REDIRECT_HIST_BUCKETS - 1)
				out(b, "usersentry_call_latency_seconds_bucket{sandbox=\"%s\","
				    "le=\"%g\"} %llu\n", id, (double)(1ULL << k) / 1e6,
				    (unsigned long long)cum);
		}
		out(b, "usersentry_call_latency_seconds_bucket{sandbox=\"%s\",le=\"+Inf\"} %llu\n",
		    id, (unsigned long long)cum);
		out(b, "usersentry_call_latency_seconds_sum{sandbox=\"%s\"} %g\n", id,
		    (double)sb->latency_sum_ns / 1e9);
		out(b, "usersentry_call_latency_seconds_count{sandbox=\"%s\"} %llu\n", id,
		    (unsigned long long)cum);
	}
	pthread_mutex_unlock(&metrics_lock);
	if (s->mode != REDIRECT_MODE_MODULE || redirect_ctl_open(&ctl, NULL) < 0)
		return;
	if (redirect_ctl_sandboxes(ctl, &info, &n, NULL) == 0) {
		out(b, "# HELP redirect_kernel_calls_total The module's counters per sandbox.\n"
		       "# TYPE redirect_kernel_calls_total counter\n");
		for (i = 0; i < n; i++)
			for (k = 0; k < REDIRECT_STAT_COUNT; k++)
				out(b, "redirect_kernel_calls_total{sandbox_id=\"%u\",name=\"%s\","
				    "stat=\"%s\"} %llu\n", info[i].sandbox_id,
				    label(info[i].name, id, sizeof(id)), stat_names[k],
				    (unsigned long long)info[i].stats[k]);
	}
	free(info);
	redirect_ctl_close(ctl);
}

void sentry_metrics_accept(struct sentry *s)
{
	static const char hdr[] = "HTTP/1.0 200 OK\r\n"
				  "Content-Type: text/plain; version=0.0.4\r\n\r\n";
	struct timeval tv = { .tv_sec = 1 };
	struct buf b = { 0 };
	char req[1024];
	int fd, fl;

	fd = accept4(s->metrics_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* blocking with a short timeout: a slow reader cannot hold the loop long */
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* an HTTP request line, if any, is read and ignored: every path is /metrics */
	(void)!recv(fd, req, sizeof(req), MSG_DONTWAIT);
	render(s, &b);
	if (send(fd, hdr, sizeof(hdr) - 1, MSG_NOSIGNAL) == (ssize_t)sizeof(hdr) - 1 && b.p)
		(void)!send(fd, b.p, b.len, MSG_NOSIGNAL);
	free(b.p);
	close(fd);
}
