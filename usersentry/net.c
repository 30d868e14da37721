// SPDX-License-Identifier: GPL-2.0
/* The network handler: connect and sendto with an address, decided on a copy and performed here. */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "../libredirect/json_str.h"
#include "sentry.h"

/*
 * How one call is served:
 *  1. the sockaddr (and sendto's data) is read once from the target, and a
 *     copy of its socket taken with pidfd_getfd(); ID_VALID after both;
 *  2. the copied address is checked against the policy's connect rules
 *     (IPv4-mapped IPv6 as IPv4); AF_UNIX by connect.unix, pathnames
 *     resolved in the target's root under the file rules;
 *  3. allowed: connect()/sendto() on the copy with the copied address and
 *     data, its result is the reply; denied: connect.denyErrno.  The call
 *     never continues, so changing the memory afterwards changes nothing.
 *
 * sendmsg/sendmmsg are not notified: their address sits behind a pointer
 * in the msghdr, and emulating them means copying iovecs and translating
 * SCM_RIGHTS; a policy that must stop datagrams to other addresses also
 * needs them denied in its profile.
 *
 * The copy shares the target's file description, O_NONBLOCK included: a
 * blocking socket's connect blocks this daemon until it completes.
 */

/* struct sockaddr_in6 without sin6_scope_id: the smallest the kernel takes */
#define SIN6_LEN_RFC2133 24

/* Data a sendto may carry through the Sentry; beyond it streams send a prefix. */
#define SENTRY_SENDTO_MAX (4u << 20)

struct net_call {
	int sock;
	const struct sockaddr_storage *addr;
	socklen_t len;
	const void *data;	/* sendto */
	size_t data_len;
	int flags;
	bool is_sendto;
};

static int perform(const struct net_call *nc, const struct sockaddr *addr, socklen_t len)
{
	ssize_t n;

	if (!nc->is_sendto)
		return connect(nc->sock, addr, len) < 0 ? -errno : 0;
	n = sendto(nc->sock, nc->data, nc->data_len, nc->flags | MSG_NOSIGNAL, addr, len);
	if (n < 0)
		return -errno;
	return (int)(n > INT32_MAX ? INT32_MAX : n);
}

/* sentry_path_call(): the socket's inode through /proc/self/fd/N */
static int unix_at(void *arg, const char *procpath)
{
	const struct net_call *nc = arg;
	struct sockaddr_un un = { .sun_family = AF_UNIX };

	snprintf(un.sun_path, sizeof(un.sun_path), "%s", procpath);
	return perform(nc, (struct sockaddr *)&un,
		       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un.sun_path) + 1));
}

static void describe(struct sentry_reply *reply, int fd, const struct sockaddr_storage *ss,
		     socklen_t len)
{
	char host[INET6_ADDRSTRLEN] = "";
	unsigned int port = 0;
	size_t n;

	n = (size_t)snprintf(reply->detail, sizeof(reply->detail), "\"fd\":%d,\"family\":%d", fd,
			     len >= sizeof(sa_family_t) ? ss->ss_family : -1);
	if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
	} else if (ss->ss_family == AF_INET6 && len >= SIN6_LEN_RFC2133) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
	} else if (ss->ss_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
		const struct sockaddr_un *un = (const void *)ss;
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);

		n += (size_t)snprintf(reply->detail + n, sizeof(reply->detail) - n, ",\"path\":\"");
		plen = plen < sizeof(un->sun_path) ? plen : sizeof(un->sun_path);
		/* abstract names start with NUL: shown as '@' */
		if (plen && !un->sun_path[0] && n + 3 <= sizeof(reply->detail)) {
			reply->detail[n++] = '@';
			n += redirect_json_str(reply->detail + n, sizeof(reply->detail) - n - 1,
					       un->sun_path + 1, plen - 1);
		} else if (n + 2 <= sizeof(reply->detail)) {
			n += redirect_json_str(reply->detail + n, sizeof(reply->detail) - n - 1,
					       un->sun_path, plen);
		}
		if (n + 2 <= sizeof(reply->detail)) {
			reply->detail[n++] = '"';
			reply->detail[n] = '\0';
		}
		return;
	}
	if (host[0])
		snprintf(reply->detail + n, sizeof(reply->detail) - n,
			 ",\"addr\":\"%s\",\"port\":%u", host, port);
}

/* 1: allowed, 0: denied, or -errno for the reply. */
static int decide(const struct redirect_policy *p, const struct sockaddr_storage *ss,
		  socklen_t len)
{
	struct sockaddr_storage padded;

	switch (ss->ss_family) {
	case AF_INET:
		if (len < sizeof(struct sockaddr_in))
			return -EINVAL;
		return redirect_policy_connect_check(p, (const struct sockaddr *)ss, len);
	case AF_INET6:
		/* the kernel takes the RFC 2133 size, without sin6_scope_id */
		if (len < SIN6_LEN_RFC2133)
			return -EINVAL;
		memset(&padded, 0, sizeof(padded));
		memcpy(&padded, ss, len);
		return redirect_policy_connect_check(p, (const struct sockaddr *)&padded,
						     sizeof(struct sockaddr_in6));
	case AF_UNSPEC:
		return 1;	/* connect: dissolve the association; no peer */
	case AF_UNIX:
		return redirect_policy_connect_unix_allowed(p);
	default:
		/* no rules name other families (netlink, vsock ...): the section's default */
		return redirect_policy_connect_default_allowed(p);
	}
}

static int serve(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		 struct sentry_reply *reply, struct net_call *nc, int fd, uint64_t addr_ptr,
		 uint64_t addr_len, uint64_t data_ptr)
{
	struct sockaddr_storage ss;
	void *data = NULL;
	struct stat st;
	int ret, allowed, sock = -1;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

	memset(&ss, 0, sizeof(ss));
	reply->verdict = "errno";
	/* the kernel's own checks, in its order: the address, then the fd */
	if ((int32_t)addr_len < 0 || addr_len > sizeof(ss)) {
		reply->error = -EINVAL;
		return 0;
	}
	nc->len = (socklen_t)addr_len;
	if (addr_ptr && addr_len &&
	    sentry_read_mem(req->pid, addr_ptr, &ss, addr_len) != (ssize_t)addr_len) {
		reply->error = -EFAULT;
		return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
	}
	if (nc->is_sendto && nc->data_len) {
		data = malloc(nc->data_len);
		if (!data)
			return -ENOMEM;
		if (sentry_read_mem(req->pid, data_ptr, data, nc->data_len) !=
		    (ssize_t)nc->data_len) {
			free(data);
			reply->error = -EFAULT;
			return sentry_id_valid(sb, req->id) < 0 ? -ENOENT : 0;
		}
		nc->data = data;
	}
	ret = sentry_target_fd(sb, req, fd, &sock);
	if (ret < 0) {
		free(data);
		if (ret == -ENOENT)
			return -ENOENT;
		reply->error = ret;
		return 0;
	}
	describe(reply, fd, &ss, nc->len);
	if (fstat(sock, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		reply->error = -ENOTSOCK;
		goto out;
	}
	nc->sock = sock;
	nc->addr = &ss;
	if (nc->is_sendto && !addr_ptr) {
		allowed = 1;	/* no address: the socket's peer, checked at connect */
		nc->len = 0;
	} else if (nc->len < sizeof(sa_family_t)) {
		reply->error = -EINVAL;
		goto out;
	} else {
		allowed = decide(sb->policy, &ss, nc->len);
	}
	if (allowed < 0) {
		reply->error = allowed;
		goto out;
	}
	if (!allowed) {
		reply->error = -redirect_policy_connect_deny_errno(sb->policy);
		reply->verdict = "denied";
		goto out;
	}
	reply->verdict = "emulated";
	if (ss.ss_family == AF_UNIX && nc->len > offsetof(struct sockaddr_un, sun_path) &&
	    ((struct sockaddr_un *)&ss)->sun_path[0]) {
		/* a pathname: resolved in the container, not in our root */
		size_t plen = nc->len - offsetof(struct sockaddr_un, sun_path);

		memcpy(path, ((struct sockaddr_un *)&ss)->sun_path, plen);
		path[plen] = '\0';
		ret = sentry_path_call(sb, req, path, unix_at, nc, reply);
		describe(reply, fd, &ss, nc->len);	/* the address, not the path call's */
		if (ret == 0 && !reply->error && nc->is_sendto)
			reply->val = 0;
		free(data);
		close(sock);
		return ret;
	}
	ret = perform(nc, nc->len ? (struct sockaddr *)&ss : NULL, nc->len);
	if (ret == -EPIPE && nc->is_sendto && !(nc->flags & MSG_NOSIGNAL)) {
		/* we sent with MSG_NOSIGNAL; the signal is the caller's */
		pid_t tgid = sentry_tgid((pid_t)req->pid);

		if (tgid > 0 && sentry_id_valid(sb, req->id) == 0)
			syscall(SYS_tgkill, tgid, (pid_t)req->pid, SIGPIPE);
	}
	if (ret < 0) {
		reply->error = ret;
		reply->verdict = "emulated";
	} else {
		reply->val = ret;
	}
out:
	free(data);
	close(sock);
	return 0;
}

int sentry_handle_connect(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply)
{
	struct net_call nc = { .sock = -1 };

	return serve(sb, req, reply, &nc, (int)req->data.args[0], req->data.args[1],
		     req->data.args[2], 0);
}

int sentry_handle_sendto(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply)
{
	struct net_call nc = { .sock = -1, .is_sendto = true };
	uint64_t len = req->data.args[2];

	nc.flags = (int)req->data.args[3];
	if (len > SENTRY_SENDTO_MAX)
		len = SENTRY_SENDTO_MAX;	/* a stream sends a prefix; a datagram fails */
	nc.data_len = (size_t)len;
	if (req->data.args[2] > SENTRY_SENDTO_MAX) {
		int type = 0;
		socklen_t tl = sizeof(type);
		int sock;

		if (sentry_target_fd(sb, req, (int)req->data.args[0], &sock) == 0) {
			getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tl);
			close(sock);
		}
		if (type != SOCK_STREAM) {
			reply->error = -EMSGSIZE;
			reply->verdict = "errno";
			return 0;
		}
	}
	return serve(sb, req, reply, &nc, (int)req->data.args[0], req->data.args[4],
		     req->data.args[5], req->data.args[1]);
}
