// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition over HTTP (TCP or Unix socket): per-sandbox calls, latency, kernel stats. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/epoll.h>
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

/*
 * An ended sandbox's counters stay in the exposition this long, so the scrape
 * after its end still sees the final values (rate() over the last interval is
 * right); then its series go stale as Prometheus expects of a gone target.
 */
#define METRICS_GRACE_S 60
#define METRICS_CLIENTS 4		/* scrapes served at once; more wait in the backlog */
#define METRICS_CLIENT_S 10		/* a scrape not read within this is dropped */
#define METRICS_MAX_BYTES (16u << 20)	/* a larger exposition is refused (503) */

struct retired {
	struct retired *next;
	char *id;
	struct sentry_counts counts;
	time_t expires;			/* CLOCK_MONOTONIC seconds */
};

struct buf {
	char *p;
	size_t len, cap;
	bool full;			/* METRICS_MAX_BYTES reached: the rest was dropped */
};

struct client {
	int fd;				/* -1: free */
	struct buf out;
	size_t off;
	time_t deadline;
};

/* The endpoint: s->metrics_fd is `epfd`, polled by the main loop. */
static struct {
	int listen_fd, epfd;
	char *unix_path;		/* unlinked at close; NULL for TCP */
	struct client clients[METRICS_CLIENTS];
	struct retired *retired;	/* under metrics_lock */
} ep = { .listen_fd = -1, .epfd = -1 };

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* A port: digits only, 0..65535 (0: any free port, logged). */
static bool parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return false;
	}
	*port = (uint16_t)v;
	return true;
}

/* tcp:PORT, tcp:IPv4:PORT or tcp:[IPv6]:PORT; numeric addresses only. */
static int parse_tcp(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
		     struct redirect_error **err)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(spec, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t hl;
	uint16_t port;

	memset(ss, 0, sizeof(*ss));
	if (!parse_port(colon ? colon + 1 : spec, &port))
		return redirect_error_set(err, EINVAL, "--metrics tcp:%s: the port must be 0..65535",
					  spec);
	if (!colon) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	hl = (size_t)(colon - spec);
	if (hl >= sizeof(host))
		goto bad;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			goto bad;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		goto bad;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	*len = sizeof(*sin);
	return 0;
bad:
	return redirect_error_set(err, EINVAL, "--metrics tcp:%s: not an IPv4 address or "
				  "[IPv6] address before the port", spec);
}

static int listen_tcp(const char *spec, struct redirect_error **err)
{
	struct sockaddr_storage ss;
	char host[INET6_ADDRSTRLEN];
	socklen_t len;
	int fd, one = 1;

	if (parse_tcp(spec, &ss, &len, err) < 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return redirect_error_set(err, errno, "metrics socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	len = sizeof(ss);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		int e = errno;

		close(fd);
		return redirect_error_set(err, e, "metrics tcp:%s: %s", spec, strerror(e));
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		sentry_log("metrics on tcp:[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		sentry_log("metrics on tcp:%s:%u", host, ntohs(a->sin_port));
	}
	return fd;
}

static int listen_unix(const char *path, struct redirect_error **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (!*path)
		return redirect_error_set(err, EINVAL, "--metrics: an empty socket path");
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
	ep.unix_path = strdup(path);
	return fd;
}

int sentry_metrics_open(struct sentry *s, struct redirect_error **err)
{
	const char *spec = s->cfg.metrics_path;
	struct epoll_event ev = { .events = EPOLLIN };
	int i;

	for (i = 0; i < METRICS_CLIENTS; i++)
		ep.clients[i].fd = -1;
	if (!strncmp(spec, "tcp:", 4))
		ep.listen_fd = listen_tcp(spec + 4, err);
	else
		ep.listen_fd = listen_unix(strncmp(spec, "unix:", 5) ? spec : spec + 5, err);
	if (ep.listen_fd < 0)
		return -1;
	ep.epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.ptr = NULL;
	if (ep.epfd < 0 || epoll_ctl(ep.epfd, EPOLL_CTL_ADD, ep.listen_fd, &ev) < 0) {
		int e = errno;

		sentry_metrics_close(s);
		return redirect_error_set(err, e, "metrics epoll: %s", strerror(e));
	}
	s->metrics_fd = ep.epfd;
	return 0;
}

static void client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	free(c->out.p);
	c->out = (struct buf){ 0 };
	c->off = 0;
}

void sentry_metrics_close(struct sentry *s)
{
	struct retired *r;
	int i;

	/* clients exist only once the endpoint was opened (else their fds are 0) */
	for (i = 0; ep.epfd >= 0 && i < METRICS_CLIENTS; i++)
		if (ep.clients[i].fd >= 0)
			client_close(&ep.clients[i]);
	if (ep.epfd >= 0)
		close(ep.epfd);
	if (ep.listen_fd >= 0)
		close(ep.listen_fd);
	if (ep.unix_path)
		unlink(ep.unix_path);
	free(ep.unix_path);
	ep.unix_path = NULL;
	ep.epfd = ep.listen_fd = -1;
	s->metrics_fd = -1;
	pthread_mutex_lock(&metrics_lock);
	while ((r = ep.retired)) {
		ep.retired = r->next;
		free(r->counts.nr_calls);
		free(r->id);
		free(r);
	}
	pthread_mutex_unlock(&metrics_lock);
}

/* A sandbox is freed (any thread): keep its counters for METRICS_GRACE_S. */
void sentry_metrics_retire(struct sentry_sandbox *sb)
{
	struct retired *r = NULL, **pp;

	pthread_mutex_lock(&metrics_lock);
	if (ep.epfd >= 0)
		r = calloc(1, sizeof(*r));
	if (r)
		r->id = strdup(sb->id);
	if (r && r->id) {
		/* a newer end of the same id replaces the older one: one series each */
		for (pp = &ep.retired; *pp; pp = &(*pp)->next) {
			if (!strcmp((*pp)->id, sb->id)) {
				struct retired *old = *pp;

				*pp = old->next;
				free(old->counts.nr_calls);
				free(old->id);
				free(old);
				break;
			}
		}
		r->counts = sb->counts;
		r->expires = now_s() + METRICS_GRACE_S;
		r->next = ep.retired;
		ep.retired = r;
		sb->counts.nr_calls = NULL;
	} else if (r) {
		free(r);
	}
	free(sb->counts.nr_calls);
	sb->counts.nr_calls = NULL;
	pthread_mutex_unlock(&metrics_lock);
}

void sentry_metrics_count(struct sentry_sandbox *sb, int nr, int32_t error, uint64_t latency_ns)
{
	struct sentry_counts *c = &sb->counts;
	uint64_t us = latency_ns / 1000;
	int b = 0;

	while (b < REDIRECT_HIST_BUCKETS - 1 && us >= (1ULL << b))
		b++;
	pthread_mutex_lock(&metrics_lock);
	if (!c->nr_calls)
		c->nr_calls = calloc(SENTRY_METRICS_NR, sizeof(*c->nr_calls));
	if (c->nr_calls && nr >= 0 && nr < SENTRY_METRICS_NR)
		c->nr_calls[nr]++;
	if (error)
		c->errors++;
	c->hist[b]++;
	c->latency_sum_ns += latency_ns;
	pthread_mutex_unlock(&metrics_lock);
}

static void __attribute__((format(printf, 2, 3))) out(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	while (!b->full) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		if (b->len + (size_t)n >= METRICS_MAX_BYTES) {
			b->full = true;
			return;
		}
		{
			size_t cap = (b->cap ? b->cap * 2 : 8192) + (size_t)n;
			char *np = realloc(b->p, cap);

			if (!np) {
				b->full = true;
				return;
			}
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

/* A histogram in Prometheus form from buckets "under 2^b us" (the module's too). */
static void histogram(struct buf *b, const char *name, const char *sandbox,
		      const uint64_t *hist, double sum_s, bool with_sum)
{
	uint64_t cum = 0;
	int k;

	for (k = 0; k < REDIRECT_HIST_BUCKETS; k++) {
		cum += hist[k];
		if (k < REDIRECT_HIST_BUCKETS - 1)
			out(b, "%s_bucket{sandbox=\"%s\",le=\"%g\"} %llu\n", name, sandbox,
			    (double)(1ULL << k) / 1e6, (unsigned long long)cum);
	}
	out(b, "%s_bucket{sandbox=\"%s\",le=\"+Inf\"} %llu\n", name, sandbox,
	    (unsigned long long)cum);
	if (with_sum)
		out(b, "%s_sum{sandbox=\"%s\"} %g\n", name, sandbox, sum_s);
	out(b, "%s_count{sandbox=\"%s\"} %llu\n", name, sandbox, (unsigned long long)cum);
}

struct series {
	const char *id;
	const struct sentry_counts *c;
};

/* Live sandboxes, then ended ones within their grace (not shadowed by a live one). */
static size_t collect(struct sentry *s, struct series **out_s)
{
	struct retired *r, **pp;
	struct sentry_sandbox *sb;
	struct series *v;
	size_t n = 0, i, live;
	time_t now = now_s();

	for (pp = &ep.retired; (r = *pp);) {
		if (r->expires <= now) {
			*pp = r->next;
			free(r->counts.nr_calls);
			free(r->id);
			free(r);
			continue;
		}
		n++;
		pp = &r->next;
	}
	for (sb = s->sandboxes; sb; sb = sb->next)
		n++;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return 0;
	n = 0;
	for (sb = s->sandboxes; sb; sb = sb->next)
		v[n++] = (struct series){ sb->id, &sb->counts };
	live = n;
	for (r = ep.retired; r; r = r->next) {
		for (i = 0; i < live && strcmp(v[i].id, r->id); i++)
			;
		if (i == live)
			v[n++] = (struct series){ r->id, &r->counts };
	}
	*out_s = v;
	return n;
}

static void render(struct sentry *s, struct buf *b)
{
	struct redirect_sandbox_list *list = NULL;
	struct redirect_ctl *ctl = NULL;
	struct sentry_pool_stats ps;
	struct sentry_sandbox *sb;
	struct series *v = NULL;
	char id[300], nb[64];
	size_t n = 0, i, nv;
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
	nv = collect(s, &v);
	out(b, "# HELP usersentry_calls_total Calls answered by the Sentry.\n"
	       "# TYPE usersentry_calls_total counter\n");
	for (i = 0; i < nv; i++) {
		if (!v[i].c->nr_calls)
			continue;
		label(v[i].id, id, sizeof(id));
		for (nr = 0; nr < SENTRY_METRICS_NR; nr++) {
			const char *name;

			if (!v[i].c->nr_calls[nr])
				continue;
			name = redirect_syscall_name(AUDIT_ARCH_X86_64, nr, nb, sizeof(nb));
			out(b, "usersentry_calls_total{sandbox=\"%s\",syscall=\"%s\"} %llu\n", id,
			    name ? name : "?", (unsigned long long)v[i].c->nr_calls[nr]);
		}
	}
	out(b, "# HELP usersentry_call_errors_total Calls answered with an error.\n"
	       "# TYPE usersentry_call_errors_total counter\n");
	for (i = 0; i < nv; i++)
		out(b, "usersentry_call_errors_total{sandbox=\"%s\"} %llu\n",
		    label(v[i].id, id, sizeof(id)), (unsigned long long)v[i].c->errors);
	out(b, "# HELP usersentry_call_latency_seconds Time from fetching a call to answering it.\n"
	       "# TYPE usersentry_call_latency_seconds histogram\n");
	for (i = 0; i < nv; i++)
		histogram(b, "usersentry_call_latency_seconds", label(v[i].id, id, sizeof(id)),
			  v[i].c->hist, (double)v[i].c->latency_sum_ns / 1e9, true);
	pthread_mutex_unlock(&metrics_lock);
	free(v);
	if (s->mode != REDIRECT_MODE_MODULE || sentry_ctl_open(&ctl) < 0)
		return;
	if (redirect_ctl_sandboxes(ctl, &list, NULL) == 0) {
		n = redirect_sandbox_list_count(list);
		out(b, "# HELP redirect_kernel_calls_total The module's counters per sandbox.\n"
		       "# TYPE redirect_kernel_calls_total counter\n");
		for (i = 0; i < n; i++) {
			const struct redirect_sandbox_info *si = redirect_sandbox_list_get(list, i);
			const struct redirect_counters *c = redirect_sandbox_info_counters(si);

			label(redirect_sandbox_info_name(si), id, sizeof(id));
			for (k = 0; k < REDIRECT_STAT_COUNT; k++)
				out(b,
				    "redirect_kernel_calls_total{sandbox=\"%s\",stat=\"%s\"} %llu\n",
				    id, stat_names[k],
				    (unsigned long long)redirect_counters_stat(c, (unsigned int)k));
		}
		/* the module keeps buckets, not a sum: a histogram without _sum */
		out(b, "# HELP redirect_kernel_call_latency_seconds The module's latency of "
		       "calls it answered or forwarded.\n"
		       "# TYPE redirect_kernel_call_latency_seconds histogram\n");
		for (i = 0; i < n; i++) {
			const struct redirect_sandbox_info *si = redirect_sandbox_list_get(list, i);
			const struct redirect_counters *c = redirect_sandbox_info_counters(si);
			uint64_t hist[REDIRECT_HIST_BUCKETS];
			unsigned int j;

			for (j = 0; j < REDIRECT_HIST_BUCKETS; j++)
				hist[j] = redirect_counters_hist(c, j);
			histogram(b, "redirect_kernel_call_latency_seconds",
				  label(redirect_sandbox_info_name(si), id, sizeof(id)), hist, 0,
				  false);
		}
	}
	redirect_sandbox_list_free(list);
	redirect_ctl_close(ctl);
}

/* Write what the socket takes now; true when the client is done with. */
static bool client_flush(struct client *c)
{
	ssize_t w;

	while (c->off < c->out.len) {
		w = send(c->fd, c->out.p + c->off, c->out.len - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			return errno != EAGAIN && errno != EINTR;
		c->off += (size_t)w;
	}
	if (c->out.p) {
		/* all sent: end our side, then wait for the reader's close so that an
		 * unread request is not answered with a reset that loses the reply */
		shutdown(c->fd, SHUT_WR);
		free(c->out.p);
		c->out = (struct buf){ 0 };
	}
	return false;
}

static void client_drain(struct client *c, bool *eof)
{
	char req[1024];
	ssize_t r;

	while ((r = recv(c->fd, req, sizeof(req), MSG_DONTWAIT)) > 0)
		;
	*eof = r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR);
}

static void metrics_accept(struct sentry *s)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP };
	struct client *c = NULL;
	struct buf body = { 0 };
	int fd, i;

	fd = accept4(ep.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < METRICS_CLIENTS; i++)
		if (ep.clients[i].fd < 0)
			c = &ep.clients[i];
	if (!c) {
		close(fd);	/* every slot busy: the scraper retries next interval */
		return;
	}
	c->fd = fd;
	c->deadline = now_s() + METRICS_CLIENT_S;
	/* every path is /metrics: the request is read and ignored */
	render(s, &body);
	if (body.full)
		out(&c->out, "HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\n"
			     "exposition over %u bytes\n", METRICS_MAX_BYTES);
	else
		out(&c->out, "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
			     "Content-Length: %zu\r\n\r\n%.*s", body.len, (int)body.len,
		    body.p ? body.p : "");
	free(body.p);
	ev.data.ptr = c;
	if (c->out.full || epoll_ctl(ep.epfd, EPOLL_CTL_ADD, fd, &ev) < 0 || client_flush(c))
		client_close(c);
}

/* The main loop saw the endpoint ready: new scrapes, writable or closed clients. */
void sentry_metrics_event(struct sentry *s)
{
	struct epoll_event evs[METRICS_CLIENTS + 1];
	time_t now = now_s();
	int n, i;

	n = epoll_wait(ep.epfd, evs, METRICS_CLIENTS + 1, 0);
	for (i = 0; i < n; i++) {
		struct client *c = evs[i].data.ptr;
		bool eof = false;

		if (!c) {
			metrics_accept(s);
			continue;
		}
		if (c->fd < 0)
			continue;
		if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			client_drain(c, &eof);
		if (client_flush(c) || (eof && !c->out.p) || (evs[i].events & EPOLLERR))
			client_close(c);
	}
	/* a reader that stalls is dropped, so it cannot hold a slot for long */
	for (i = 0; i < METRICS_CLIENTS; i++)
		if (ep.clients[i].fd >= 0 && ep.clients[i].deadline <= now)
			client_close(&ep.clients[i]);
}
