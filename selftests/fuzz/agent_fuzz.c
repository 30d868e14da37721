// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the seccomp-agent message parser, directly and through the socket reader. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libredirect.h"

/*
 * Input: byte 0 = mode (bit 7: through a socket) and fd count (low 2 bits);
 * byte 1 = chunk size for the socket mode; the rest is the message.
 * Invariant checked: every fd handed over is closed once the message is freed.
 */

static int fresh_fd(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

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

static void check_closed(const int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0 && fcntl(fds[i], F_GETFD) >= 0)
			abort();	/* leaked */
}

static void check_msg(struct redirect_agent_msg *m)
{
	struct redirect_agent_msg *copy = NULL;
	char *buf = NULL;
	size_t len;

	if (!redirect_agent_msg_id(m) || !redirect_agent_msg_status(m) ||
	    !redirect_agent_msg_bundle(m) || redirect_agent_msg_pid(m) <= 0)
		abort();
	/* what we parsed, we can say again */
	if (redirect_agent_msg_new(redirect_agent_msg_id(m), redirect_agent_msg_pid(m), &copy,
				   NULL) < 0)
		abort();
	if (redirect_agent_msg_set_metadata(copy, redirect_agent_msg_metadata(m), NULL) < 0 ||
	    redirect_agent_msg_set_bundle(copy, redirect_agent_msg_bundle(m), NULL) < 0)
		abort();
	if (redirect_agent_msg_serialize(copy, &buf, &len, NULL) == 0) {
		int fd = fresh_fd();
		struct redirect_agent_msg *back = NULL;

		if (redirect_agent_msg_parse(buf, len, &fd, 1, &back, NULL) < 0)
			abort();
		if (strcmp(redirect_agent_msg_id(back), redirect_agent_msg_id(m)))
			abort();
		redirect_agent_msg_free(back);
		free(buf);
	}
	redirect_agent_msg_free(copy);
}

static void direct(const uint8_t *data, size_t size, size_t nfds)
{
	struct redirect_agent_msg *m = NULL;
	struct redirect_error *e = NULL;
	int fds[3], copy[3];
	size_t i;

	for (i = 0; i < nfds; i++)
		fds[i] = fresh_fd();
	memcpy(copy, fds, sizeof(copy));
	if (redirect_agent_msg_parse(data, size, fds, nfds, &m, &e) == 0) {
		check_msg(m);
		redirect_agent_msg_free(m);
	} else if (!e || !e->msg) {
		abort();
	}
	redirect_error_free(e);
	check_closed(copy, nfds);
}

static int send_chunk(int sock, const uint8_t *data, size_t n, const int *fds, size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 3)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { (void *)data, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static void through_socket(const uint8_t *data, size_t size, size_t nfds, size_t chunk)
{
	struct redirect_agent_reader *r = NULL;
	struct redirect_agent_msg *m = NULL;
	struct redirect_error *e = NULL;
	int sv[2], fds[3], ret = 0, before;
	size_t i, off = 0;

	if (size == 0)
		return;
	before = count_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (redirect_agent_reader_new(sv[1], &r, NULL) < 0)
		abort();
	for (i = 0; i < nfds; i++)
		fds[i] = fresh_fd();
	/* chunk by chunk, the reader taking each; the fds ride on the first, as runc's do */
	while (off < size && ret == 0) {
		size_t n = chunk < size - off ? chunk : size - off;

		if (send_chunk(sv[0], data + off, n, fds, off ? 0 : nfds) < 0)
			abort();
		off += n;
		ret = redirect_agent_reader_read(r, &e);
	}
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	close(sv[0]);
	while (ret == 0)
		ret = redirect_agent_reader_read(r, &e);
	if (ret > 0 && redirect_agent_reader_finish(r, &m, &e) == 0) {
		check_msg(m);
		redirect_agent_msg_free(m);
	}
	redirect_error_free(e);
	redirect_agent_reader_free(r);
	close(sv[1]);
	/* the fds we sent arrived as new ones; all must be gone now */
	if (count_fds() != before)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nfds, chunk;

	if (size < 2)
		return 0;
	nfds = data[0] & 3;
	if (nfds == 3)
		nfds = 2;
	chunk = data[1] ? data[1] : 256;
	if (data[0] & 0x80)
		through_socket(data + 2, size - 2, nfds, chunk);
	else
		direct(data + 2, size - 2, nfds);
	return 0;
}
