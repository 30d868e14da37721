// SPDX-License-Identifier: GPL-2.0
/* systemd's notify protocol: readiness and watchdog keep-alives, datagrams to $NOTIFY_SOCKET. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sentry.h"

/*
 * Send @state ("READY=1", "STOPPING=1", ...) to the service manager. Without
 * $NOTIFY_SOCKET (not started by systemd) this does nothing and returns 0.
 */
int sentry_sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	size_t plen;
	ssize_t n;
	int fd;

	if (!path || !*path)
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + plen;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* The watchdog: WATCHDOG=1 every half of $WATCHDOG_USEC; 0 ms: none asked for. */
static struct {
	int64_t interval_ms;
	int64_t last_ms;
} wd;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read $WATCHDOG_USEC (ignored when $WATCHDOG_PID names another process, or
 * when not a positive number) and send the first keep-alive. Returns the
 * keep-alive interval in ms, 0 without a watchdog.
 */
int64_t sentry_watchdog_init(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	wd.interval_ms = 0;
	if (pid && *pid && strtol(pid, &end, 10) != (long)getpid())
		return 0;
	if (!usec || !*usec)
		return 0;
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (errno || *end || !v || *usec == '-')
		return 0;
	wd.interval_ms = (int64_t)(v / 2000) ? (int64_t)(v / 2000) : 1;
	wd.last_ms = mono_ms();
	sentry_sd_notify("WATCHDOG=1");
	return wd.interval_ms;
}

/* From the main loop: a keep-alive when half the interval has passed. */
void sentry_watchdog_kick(void)
{
	int64_t now;

	if (!wd.interval_ms)
		return;
	now = mono_ms();
	if (now - wd.last_ms >= wd.interval_ms) {
		wd.last_ms = now;
		sentry_sd_notify("WATCHDOG=1");
	}
}

/* @timeout_ms (poll's: -1 forever) shortened to wake for the next keep-alive. */
int sentry_watchdog_timeout(int timeout_ms)
{
	int64_t left;

	if (!wd.interval_ms)
		return timeout_ms;
	left = wd.last_ms + wd.interval_ms - mono_ms();
	if (left < 0)
		left = 0;
	if (timeout_ms < 0 || left < timeout_ms)
		return (int)left;
	return timeout_ms;
}
