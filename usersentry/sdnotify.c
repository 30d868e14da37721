// SPDX-License-Identifier: GPL-2.0
/* The systemd protocols we speak: notify datagrams (readiness, watchdog, the fd store) and LISTEN_FDS. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sentry.h"

void sentry_msg_attach_fd(struct msghdr *mh, union sentry_cmsg_fd *cm, int fd)
{
	memset(cm, 0, sizeof(*cm));
	mh->msg_control = cm->buf;
	mh->msg_controllen = sizeof(cm->buf);
	cm->h.cmsg_level = SOL_SOCKET;
	cm->h.cmsg_type = SCM_RIGHTS;
	cm->h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&cm->h), &fd, sizeof(int));
}

bool sentry_sd_notify_present(void)
{
	const char *path = getenv("NOTIFY_SOCKET");

	return path && *path;
}

/*
 * Send @state ("READY=1", "FDSTORE=1\nFDNAME=x", ...) to the service manager,
 * with @fd as SCM_RIGHTS when it is >= 0. Without $NOTIFY_SOCKET (not started
 * by systemd) this does nothing and returns 0.
 */
int sentry_sd_notify_fd(const char *state, int fd)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union sentry_cmsg_fd cm;
	struct iovec iov = { .iov_base = (void *)state, .iov_len = strlen(state) };
	struct msghdr mh = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
	size_t plen;
	ssize_t n;
	int sock;

	if (!path || !*path)
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace */
	mh.msg_namelen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if (fd >= 0)
		sentry_msg_attach_fd(&mh, &cm, fd);

	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	n = n < 0 ? -errno : 0;
	close(sock);
	return (int)n;
}

int sentry_sd_notify(const char *state)
{
	return sentry_sd_notify_fd(state, -1);
}

/*
 * The fds systemd passed us (sd_listen_fds_with_names semantics): only when
 * $LISTEN_PID is ours; they start at 3, named by the colon-separated
 * $LISTEN_FDNAMES ("unknown" when it is absent or short). The variables are
 * unset so that nothing we start sees them; the fds become close-on-exec.
 * Returns their number, *names a malloc'ed array of malloc'ed strings.
 */
int sentry_sd_listen_fds(char ***namesp)
{
	const char *pid_s = getenv("LISTEN_PID"), *n_s = getenv("LISTEN_FDS");
	const char *names_s = getenv("LISTEN_FDNAMES");
	char **names = NULL, *end;
	unsigned long pid, n, i;
	int ret = 0;

	*namesp = NULL;
	if (!pid_s || !n_s)
		goto out;
	errno = 0;
	pid = strtoul(pid_s, &end, 10);
	if (errno || *end || pid != (unsigned long)getpid())
		goto out;
	n = strtoul(n_s, &end, 10);
	if (errno || *end || !n)
		goto out;
	if (n > 65536) {
		ret = -EINVAL;
		goto out;
	}
	names = calloc(n, sizeof(*names));
	if (!names) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *colon = names_s ? strchr(names_s, ':') : NULL;
		size_t len = names_s ? (colon ? (size_t)(colon - names_s) : strlen(names_s)) : 0;

		names[i] = names_s ? strndup(names_s, len) : strdup("unknown");
		if (!names[i]) {
			while (i--)
				free(names[i]);
			free(names);
			names = NULL;
			ret = -ENOMEM;
			goto out;
		}
		names_s = colon ? colon + 1 : NULL;
		fcntl((int)(SD_LISTEN_FDS_START + i), F_SETFD, FD_CLOEXEC);
	}
	*namesp = names;
	ret = (int)n;
out:
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return ret;
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
