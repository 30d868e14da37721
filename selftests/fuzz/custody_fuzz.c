// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: portable custody's parsers, the keeper's messages and systemd's LISTEN_FDNAMES. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* the daemon's own sources: the keeper's message handling is static there */
#include "../../usersentry/keeper.c"
#include "../../usersentry/log.c"
#include "../../usersentry/sdnotify.c"

/*
 * Input: byte 0 = mode: bit 0 picks LISTEN_FDNAMES (else a keeper message),
 * bit 1 attaches an fd (/dev/null: not a listener) to the message; the rest
 * is the message or the variable's value.
 * Invariants: no fd is left open by a refused message, the keeper holds only
 * valid keys, and the names parsed are as many as LISTEN_FDS says.
 */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		abort();
	while ((de = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static void fuzz_message(const uint8_t *data, size_t size, bool with_fd)
{
	int sv[2], fd = -1, before = count_fds();
	size_t i;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		abort();
	if (with_fd)
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (size > KEEPER_MSG_MAX * 2)
		size = KEEPER_MSG_MAX * 2;
	/* as the keeper gets it: one datagram, maybe with an fd */
	{
		struct iovec iov = { .iov_base = (void *)data, .iov_len = size };
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} cm;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

		if (fd >= 0) {
			memset(&cm, 0, sizeof(cm));
			mh.msg_control = cm.buf;
			mh.msg_controllen = sizeof(cm.buf);
			cm.h.cmsg_level = SOL_SOCKET;
			cm.h.cmsg_type = SCM_RIGHTS;
			cm.h.cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(&cm.h), &fd, sizeof(int));
		}
		if (sendmsg(sv[0], &mh, MSG_NOSIGNAL) < 0 && !size && fd < 0)
			goto out;
	}
	keeper_message(sv[1]);
	for (i = 0; i < n_held; i++)
		if (!sentry_custody_key_valid(held[i].key))
			abort();
out:
	if (fd >= 0)
		close(fd);
	close(sv[0]);
	close(sv[1]);
	/* nothing the keeper holds is from here: /dev/null is no listener */
	if (n_held || count_fds() != before)
		abort();
}

static void fuzz_fdnames(const uint8_t *data, size_t size)
{
	char pid[16], *value = strndup((const char *)data, size), **names = NULL;
	int n, i;

	if (!value)
		return;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "3", 1);
	setenv("LISTEN_FDNAMES", value, 1);
	n = sentry_sd_listen_fds(&names);
	if (n != 3 || !names || getenv("LISTEN_FDNAMES"))
		abort();
	for (i = 0; i < n; i++) {
		if (!names[i] || strchr(names[i], ':'))
			abort();
		free(names[i]);
	}
	free(names);
	free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;

	if (!quiet) {
		/* the keeper logs each refusal: to /dev/null */
		sentry_log_open("/dev/null", NULL);
		quiet = true;
	}
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_fdnames(data + 1, size - 1);
	else
		fuzz_message(data + 1, size - 1, data[0] & 2);
	return 0;
}
