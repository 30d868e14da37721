// SPDX-License-Identifier: GPL-2.0
/*
 * The audit log: one JSON line per forwarded call, size-bounded (rotation)
 * and rate-limited, written in batches: lines collect in a buffer that is
 * written when full and at sentry_audit_flush(), which the main loop calls
 * after each broker pass and a worker after each call.  A crash of the
 * daemon loses at most the lines still in the buffer: those of the current
 * pass, never more than AUDIT_BUF bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../libredirect/json_str.h"
#include "sentry.h"

#define AUDIT_BUF (64 * 1024)

static struct {
	int fd;
	char buf[AUDIT_BUF];
	size_t len;		/* lines in buf, not yet written */
	unsigned long pending;	/* how many */
	char *path;
	unsigned long max_bytes;
	unsigned int rate;
	off_t size;
	double tokens;
	struct timespec last;
	unsigned long long dropped;
	bool full_logged;
} audit = { .fd = -1 };

/* Workers write lines too: the rate limiter, the size and rotation are shared. */
static pthread_mutex_t audit_lock = PTHREAD_MUTEX_INITIALIZER;

static int reopen(struct redirect_error **err)
{
	struct stat st;
	int fd;

	fd = open(audit.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0)
		return redirect_error_set(err, errno, "cannot open audit log %s: %s", audit.path,
					  strerror(errno));
	if (audit.fd >= 0)
		close(audit.fd);
	audit.fd = fd;
	audit.size = fstat(fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

/* Under the lock: the buffered lines in one write(); lost ones are counted. */
static void flush_locked(void)
{
	size_t off = 0;
	ssize_t w;

	while (off < audit.len) {
		w = write(audit.fd, audit.buf + off, audit.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* the lines not written: their count goes into the next line's "dropped" */
			if (!audit.full_logged)
				sentry_log("audit log %s: %s; lines are being dropped", audit.path,
					   w < 0 ? strerror(errno) : "short write");
			audit.full_logged = true;
			audit.dropped += audit.pending;
			audit.size -= (off_t)(audit.len - off);
			break;
		}
		off += (size_t)w;
	}
	if (off == audit.len)
		audit.full_logged = false;
	audit.len = 0;
	audit.pending = 0;
}

void sentry_audit_flush(void)
{
	if (audit.fd < 0)
		return;
	pthread_mutex_lock(&audit_lock);
	if (audit.fd >= 0 && audit.len)
		flush_locked();
	pthread_mutex_unlock(&audit_lock);
}

int sentry_audit_open(const char *path, unsigned long max_bytes, unsigned int rate,
		      struct redirect_error **err)
{
	free(audit.path);
	audit.path = strdup(path);
	if (!audit.path)
		return redirect_error_set(err, ENOMEM, "out of memory");
	audit.max_bytes = max_bytes;
	audit.rate = rate;
	audit.tokens = rate;
	clock_gettime(CLOCK_MONOTONIC, &audit.last);
	return reopen(err);
}

void sentry_audit_close(void)
{
	pthread_mutex_lock(&audit_lock);
	if (audit.fd >= 0) {
		flush_locked();
		close(audit.fd);
	}
	audit.fd = -1;
	free(audit.path);
	audit.path = NULL;
	pthread_mutex_unlock(&audit_lock);
}

static bool take_token(void)
{
	struct timespec now;
	double dt;

	if (!audit.rate)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - audit.last.tv_sec) +
	     (double)(now.tv_nsec - audit.last.tv_nsec) / 1e9;
	audit.last = now;
	audit.tokens += dt * audit.rate;
	if (audit.tokens > audit.rate)
		audit.tokens = audit.rate;
	if (audit.tokens < 1.0)
		return false;
	audit.tokens -= 1.0;
	return true;
}

static pid_t tgid_of(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "\nTgid:");
	return p ? (pid_t)strtol(p + 6, NULL, 10) : 0;
}

void sentry_audit_call(const struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       const char *syscall, const struct sentry_reply *reply, int64_t result,
		       const char *tier, bool replayed, uint64_t latency_ns)
{
	char line[2048], id[600], ts[40];
	const char *ename = NULL;
	struct timespec now;
	struct tm tm;
	pid_t tgid;
	int n;

	if (audit.fd < 0)
		return;
	tgid = tgid_of((pid_t)req->pid);
	pthread_mutex_lock(&audit_lock);
	if (audit.fd < 0)
		goto out;
	if (!take_token()) {
		audit.dropped++;
		goto out;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	redirect_json_str(id, sizeof(id), sb->id, strlen(sb->id));
	if (result == -ENOENT)
		ename = "target-gone";
	else if (reply->error)
		ename = strerrorname_np(-reply->error);
	n = snprintf(line, sizeof(line),
		     "{\"ts\":\"%s.%06ldZ\",\"sandbox\":\"%s\",\"sandbox_id\":%u,\"pid\":%d,"
		     "\"tid\":%u,\"syscall\":\"%s\",\"nr\":%d,\"args\":[%llu,%llu,%llu,%llu,%llu,"
		     "%llu],\"decoded\":{%s},\"verdict\":\"%s\",\"errno\":%s%s%s,\"ret\":%lld,"
		     "\"tier\":\"%s\",\"replayed\":%s,\"latency_ns\":%llu,\"dropped\":%llu}\n",
		     ts, now.tv_nsec / 1000, id, sb->sandbox_id, (int)tgid,
		     req->pid, syscall, req->data.nr,
		     (unsigned long long)req->data.args[0], (unsigned long long)req->data.args[1],
		     (unsigned long long)req->data.args[2], (unsigned long long)req->data.args[3],
		     (unsigned long long)req->data.args[4], (unsigned long long)req->data.args[5],
		     reply->detail, reply->verdict ? reply->verdict : "?",
		     ename ? "\"" : "", ename ? ename : "null", ename ? "\"" : "",
		     (long long)(reply->error ? reply->error :
				 reply->addfd >= 0 || result > 0 ? result : reply->val),
		     tier, replayed ? "true" : "false", (unsigned long long)latency_ns,
		     audit.dropped);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		audit.dropped++;
		goto out;
	}
	if (audit.max_bytes && audit.size + n > (off_t)audit.max_bytes) {
		char old[4200];

		flush_locked();
		snprintf(old, sizeof(old), "%s.1", audit.path);
		if (rename(audit.path, old) < 0 || reopen(NULL) < 0) {
			audit.dropped++;
			goto out;
		}
	}
	if (audit.len + (size_t)n > sizeof(audit.buf))
		flush_locked();
	memcpy(audit.buf + audit.len, line, (size_t)n);
	audit.len += (size_t)n;
	audit.pending++;
	audit.size += n;
	audit.dropped = 0;
out:
	pthread_mutex_unlock(&audit_lock);
}
