// SPDX-License-Identifier: GPL-2.0
/* The custody keeper (portable mode, no systemd): a tiny process holding every listener across daemon crashes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sentry.h"

/*
 * The protocol, on a SOCK_SEQPACKET Unix socket that only the keeper's own
 * user may use (SO_PEERCRED; root for the shipped daemon). Each message is
 * one text line, with at most one fd as SCM_RIGHTS:
 *
 *   daemon -> keeper   "HOLD <key>" + fd   keep a duplicate of this listener
 *                      "DROP <key>"        its sandbox ended: close it
 *   keeper -> daemon   "HELD <key>" + fd   on connect, one per listener held
 *                      "END"               after the last of them
 *
 * A key is 1 to SENTRY_KEY_MAX - 1 of [A-Za-z0-9]; any other message, or a
 * zero-length one, ends the connection. The keeper never reads a
 * notification: it only holds the fds, so that the kernel keeps every pending
 * call queued while no daemon runs. It drops a listener whose sandbox ended
 * (hang-up) by itself, and exits once it holds nothing and no daemon has been
 * connected for its linger time.
 */
#define KEEPER_MSG_MAX 64

bool sentry_custody_key_valid(const char *key)
{
	size_t i, n = strlen(key);

	if (!n || n >= SENTRY_KEY_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= 'A' && key[i] <= 'Z') ||
		      (key[i] >= '0' && key[i] <= '9')))
			return false;
	return true;
}

int sentry_keeper_send(int sock, const char *verb, const char *key, int fd)
{
	union sentry_cmsg_fd cm;
	char line[KEEPER_MSG_MAX];
	struct iovec iov = { .iov_base = line };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	iov.iov_len = (size_t)snprintf(line, sizeof(line), "%s%s%s", verb, key ? " " : "",
				       key ? key : "");
	if (fd >= 0)
		sentry_msg_attach_fd(&mh, &cm, fd);
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/*
 * One message: its verb and key in line (NUL-terminated, at most
 * KEEPER_MSG_MAX), its fd in *fd or -1. Every fd received that is not the
 * one expected is closed. 0: peer gone; -EBADMSG: malformed.
 */
int sentry_keeper_recv(int sock, char *line, int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = line, .iov_len = KEEPER_MSG_MAX - 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
		.msg_controllen = sizeof(cm.buf),
	};
	struct cmsghdr *c;
	bool bad = false;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t i, k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0) {
				*fd = f;
			} else {
				close(f);
				bad = true;
			}
		}
	}
	line[n] = '\0';
	if (n == 0 || bad || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    strlen(line) != (size_t)n) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return n == 0 && !bad ? 0 : -EBADMSG;
	}
	return (int)n;
}

/* ---- the keeper process ------------------------------------------------------------------ */

struct held {
	char key[SENTRY_KEY_MAX];
	int fd;
};

static struct held *held;
static size_t n_held, cap_held;

static void drop_at(size_t i)
{
	close(held[i].fd);
	held[i] = held[--n_held];
}

static ssize_t find_key(const char *key)
{
	size_t i;

	for (i = 0; i < n_held; i++)
		if (!strcmp(held[i].key, key))
			return (ssize_t)i;
	return -1;
}

static int hold(const char *key, int fd)
{
	ssize_t i = find_key(key);

	if (i >= 0) {
		close(held[i].fd);
		held[i].fd = fd;
		return 0;
	}
	if (n_held == cap_held) {
		size_t cap = cap_held ? 2 * cap_held : 16;
		struct held *h = realloc(held, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		held = h;
		cap_held = cap;
	}
	snprintf(held[n_held].key, sizeof(held[n_held].key), "%.*s", SENTRY_KEY_MAX - 1, key);
	held[n_held++].fd = fd;
	return 0;
}

/* A new daemon: everything we hold, then END. */
static int hand_over(int conn)
{
	size_t i;
	int ret;

	for (i = 0; i < n_held; i++) {
		ret = sentry_keeper_send(conn, "HELD", held[i].key, held[i].fd);
		if (ret < 0)
			return ret;
	}
	return sentry_keeper_send(conn, "END", NULL, -1);
}

/* A message from the daemon; false: the connection is to be closed. */
static bool keeper_message(int conn)
{
	char line[KEEPER_MSG_MAX];
	int fd, ret;
	ssize_t i;

	ret = sentry_keeper_recv(conn, line, &fd);
	if (ret == -EAGAIN)
		return true;
	if (ret <= 0) {
		if (ret < 0)
			sentry_log("keeper: message refused: %s", strerror(-ret));
		return false;
	}
	if (!strncmp(line, "HOLD ", 5) && sentry_custody_key_valid(line + 5) && fd >= 0) {
		/* only listeners: an fd of any other kind would be kept alive for nothing */
		if (redirect_listener_check(fd, NULL) < 0) {
			sentry_log("keeper: HOLD %s: not a seccomp listener", line + 5);
			close(fd);
			return false;
		}
		if (hold(line + 5, fd) < 0) {
			sentry_log("keeper: HOLD %s: out of memory", line + 5);
			close(fd);
		}
		return true;
	}
	if (!strncmp(line, "DROP ", 5) && sentry_custody_key_valid(line + 5) && fd < 0) {
		i = find_key(line + 5);
		if (i >= 0)
			drop_at((size_t)i);
		return true;
	}
	sentry_log("keeper: malformed message \"%.20s\" refused", line);
	if (fd >= 0)
		close(fd);
	return false;
}

static int keeper_accept(int lfd, int conn)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int c;

	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0)
		return conn;
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    cred.uid != geteuid()) {
		sentry_log("keeper: connection from uid %d refused (only uid %d)",
			   len == sizeof(cred) ? (int)cred.uid : -1, (int)geteuid());
		close(c);
		return conn;
	}
	/* one daemon at a time: a new one means the old one is gone */
	if (conn >= 0)
		close(conn);
	if (hand_over(c) < 0) {
		sentry_log("keeper: handing over to pid %d: %s", (int)cred.pid, strerror(errno));
		close(c);
		return -1;
	}
	sentry_log("keeper: daemon pid %d connected; %zu listeners handed over", (int)cred.pid,
		   n_held);
	return c;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int sentry_keeper_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static int keeper_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	/* a keeper that answers is the keeper: we are not needed */
	fd = sentry_keeper_connect(path);
	if (fd >= 0) {
		close(fd);
		return -EADDRINUSE;
	}
	if (fd == -ENAMETOOLONG)
		return fd;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 8) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int sentry_keeper_main(const char *path, unsigned int linger_ms)
{
	struct pollfd *pfds = NULL;
	long long idle_since = now_ms();
	struct stat st0, st;
	int lfd, conn = -1;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* as many listeners as the daemon may have: main() raised RLIMIT_NOFILE */
	lfd = keeper_listen(path);
	if (lfd < 0) {
		if (lfd == -EADDRINUSE) {
			sentry_log("keeper: %s: another keeper serves it", path);
			return 0;
		}
		sentry_log("keeper: %s: %s", path, strerror(-lfd));
		return 1;
	}
	if (stat(path, &st0) < 0)
		st0.st_ino = 0;
	sentry_log("keeper: pid %d holding listeners on %s", (int)getpid(), path);
	for (;;) {
		size_t n = 2 + n_held;
		int timeout = -1, ret;
		struct pollfd *p = realloc(pfds, n * sizeof(*p));

		if (!p) {
			/* cannot watch: keep everything, try again shortly */
			sleep(1);
			continue;
		}
		pfds = p;
		pfds[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		pfds[1] = (struct pollfd){ .fd = conn, .events = POLLIN };
		/* the listeners: only their hang-up, never a notification */
		for (i = 0; i < n_held; i++)
			pfds[2 + i] = (struct pollfd){ .fd = held[i].fd, .events = 0 };
		if (conn < 0 && !n_held) {
			long long left = idle_since + linger_ms - now_ms();

			if (left <= 0)
				break;
			timeout = (int)(left < 60000 ? left : 60000);
		} else if (conn < 0) {
			timeout = 60000;	/* check the socket is still ours */
		}
		ret = poll(pfds, n, timeout);
		if (ret < 0 && errno != EINTR) {
			sentry_log("keeper: poll: %s", strerror(errno));
			sleep(1);
			continue;
		}
		/* removed or replaced under us: a daemon could not find us again */
		if (stat(path, &st) < 0 || st.st_ino != st0.st_ino) {
			if (n_held) {
				sentry_log("keeper: %s gone; bound again", path);
				close(lfd);
				lfd = keeper_listen(path);
				if (lfd < 0 || stat(path, &st0) < 0) {
					sentry_log("keeper: %s: cannot bind again; %zu listeners "
						   "released", path, n_held);
					break;
				}
			} else {
				break;
			}
		}
		if (ret <= 0)
			continue;
		/* hang-ups first: a sandbox that ended is not handed to anyone */
		for (i = n_held; i-- > 0;)
			if (pfds[2 + i].revents)
				drop_at(i);
		if (conn >= 0 && pfds[1].revents) {
			bool keep = true;

			if (pfds[1].revents & POLLIN)
				keep = keeper_message(conn);
			else
				keep = false;
			if (!keep) {
				close(conn);
				conn = -1;
				idle_since = now_ms();
			}
		}
		if (pfds[0].revents & POLLIN)
			conn = keeper_accept(lfd, conn);
		if (conn < 0 && n_held)
			idle_since = now_ms();
	}
	if (stat(path, &st) == 0 && st.st_ino == st0.st_ino)
		unlink(path);
	while (n_held)
		drop_at(n_held - 1);
	sentry_log("keeper: pid %d exits: nothing held, no daemon for %u ms", (int)getpid(),
		   linger_ms);
	free(pfds);
	free(held);
	close(lfd);
	return 0;
}
