/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the reliability tests: resolve "redirect", list and
 * query sandboxes, and send arbitrary bytes (the fuzzer). No library, so that
 * every errno is seen exactly as the kernel sends it.
 */
#ifndef REL_NL_H
#define REL_NL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/redirect.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

struct rnl {
	int fd;
	__u16 family;	/* 0 until resolved */
	__u32 events;	/* multicast group "events", 0 if unknown */
	__u32 seq;
};

struct rnl_msg {
	char buf[8192];
	struct nlmsghdr *h;
};

static inline void rnl_msg_init(struct rnl_msg *m, __u16 type, __u16 flags, __u8 cmd, __u8 version)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_LENGTH(GENL_HDRLEN));
	m->h = (struct nlmsghdr *)m->buf;
	m->h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->h->nlmsg_type = type;
	m->h->nlmsg_flags = NLM_F_REQUEST | flags;
	g = NLMSG_DATA(m->h);
	g->cmd = cmd;
	g->version = version;
}

/* Append an attribute (payload @len may be 0); false if it does not fit. */
static inline bool rnl_put(struct rnl_msg *m, __u16 type, const void *data, size_t len)
{
	__u32 off = NLMSG_ALIGN(m->h->nlmsg_len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf) || len > 0xffff - NLA_HDRLEN)
		return false;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->h->nlmsg_len = off + NLA_ALIGN(a->nla_len);
	return true;
}

static inline bool rnl_put_u32(struct rnl_msg *m, __u16 type, __u32 v)
{
	return rnl_put(m, type, &v, sizeof(v));
}

static inline void rnl_parse(const struct nlattr *a, int len, const struct nlattr **tb, int max)
{
	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

static inline void rnl_genl_attrs(const struct nlmsghdr *h, const struct nlattr **tb, int max)
{
	const struct nlattr *a = (const void *)((const char *)NLMSG_DATA(h) + GENL_HDRLEN);

	rnl_parse(a, (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), tb, max);
}

static inline const void *rnl_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline int rnl_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline __u32 rnl_u32(const struct nlattr *a)
{
	__u32 v = 0;

	if (rnl_len(a) >= 4)
		memcpy(&v, rnl_data(a), sizeof(v));
	return v;
}

typedef void (*rnl_cb)(const struct nlmsghdr *h, void *arg);

/*
 * Send @m and read the answer until the ACK / DONE of its sequence number,
 * each data message to @cb. Waits at most @timeout_ms between datagrams.
 * Returns the request's 0 / -errno, or -ETIMEDOUT.
 */
static inline int rnl_call(struct rnl *nl, struct rnl_msg *m, rnl_cb cb, void *arg,
			   int timeout_ms)
{
	static __thread char rbuf[1 << 16];
	bool dump = m->h->nlmsg_flags & NLM_F_DUMP;
	__u32 seq = ++nl->seq;
	ssize_t n;

	m->h->nlmsg_seq = seq;
	if (!dump)
		m->h->nlmsg_flags |= NLM_F_ACK;
	if (send(nl->fd, m->h, m->h->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
		struct nlmsghdr *h;

		if (poll(&pfd, 1, timeout_ms) == 0)
			return -ETIMEDOUT;
		n = recv(nl->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		for (h = (void *)rbuf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&err, NLMSG_DATA(h), sizeof(int));
				return err;
			}
			if (cb)
				cb(h, arg);
		}
	}
}

struct rnl_family {
	__u16 id;
	__u32 events;
};

static inline void rnl_family_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g, *gtb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct rnl_family *fi = arg;
	int len;

	rnl_genl_attrs(h, tb, CTRL_ATTR_MAX);
	if (tb[CTRL_ATTR_FAMILY_ID] && rnl_len(tb[CTRL_ATTR_FAMILY_ID]) >= 2)
		memcpy(&fi->id, rnl_data(tb[CTRL_ATTR_FAMILY_ID]), sizeof(fi->id));
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return;
	g = rnl_data(tb[CTRL_ATTR_MCAST_GROUPS]);
	len = rnl_len(tb[CTRL_ATTR_MCAST_GROUPS]);
	while (len >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN && g->nla_len <= len) {
		rnl_parse(rnl_data(g), rnl_len(g), gtb, CTRL_ATTR_MCAST_GRP_MAX);
		if (gtb[CTRL_ATTR_MCAST_GRP_NAME] && gtb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strncmp(rnl_data(gtb[CTRL_ATTR_MCAST_GRP_NAME]), REDIRECT_GENL_MCGRP_EVENTS,
			     rnl_len(gtb[CTRL_ATTR_MCAST_GRP_NAME])))
			fi->events = rnl_u32(gtb[CTRL_ATTR_MCAST_GRP_ID]);
		len -= NLA_ALIGN(g->nla_len);
		g = (const void *)((const char *)g + NLA_ALIGN(g->nla_len));
	}
}

/* Open a socket (0, or -errno); the family stays unresolved. */
static inline int rnl_socket(struct rnl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(nl->fd);
		nl->fd = -1;
		return err;
	}
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

/* Resolve the family on an open socket: 0, or -errno (ENOENT: not in this netns). */
static inline int rnl_resolve(struct rnl *nl)
{
	struct rnl_family fi = {};
	struct rnl_msg m;
	int ret;

	rnl_msg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 2);
	rnl_put(&m, CTRL_ATTR_FAMILY_NAME, REDIRECT_GENL_NAME, sizeof(REDIRECT_GENL_NAME));
	ret = rnl_call(nl, &m, rnl_family_cb, &fi, 5000);
	if (ret)
		return ret;
	if (!fi.id)
		return -ENOENT;
	nl->family = fi.id;
	nl->events = fi.events;
	return 0;
}

static inline int rnl_open(struct rnl *nl)
{
	int ret = rnl_socket(nl);

	if (ret)
		return ret;
	ret = rnl_resolve(nl);
	if (ret) {
		close(nl->fd);
		nl->fd = -1;
	}
	return ret;
}

static inline void rnl_close(struct rnl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* ---- sandboxes as the family reports them ---------------------------------- */

struct rnl_sandbox {
	__u32 id;
	int owned;
	__u32 forward_pending, delivered, replay;
	__u64 stats[REDIRECT_STAT_COUNT];
};

struct rnl_sandbox_list {
	int n, cap;
	struct rnl_sandbox *v;
};

static inline void rnl_sandbox_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[REDIRECT_A_MAX + 1];
	struct rnl_sandbox_list *l = arg;
	struct rnl_sandbox *s;

	rnl_genl_attrs(h, tb, REDIRECT_A_MAX);
	if (!tb[REDIRECT_A_SANDBOX_ID])
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
	}
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->id = rnl_u32(tb[REDIRECT_A_SANDBOX_ID]);
	s->owned = tb[REDIRECT_A_OWNED] ? *(const __u8 *)rnl_data(tb[REDIRECT_A_OWNED]) : -1;
	if (tb[REDIRECT_A_FORWARD_PENDING])
		s->forward_pending = rnl_u32(tb[REDIRECT_A_FORWARD_PENDING]);
	if (tb[REDIRECT_A_DELIVERED])
		s->delivered = rnl_u32(tb[REDIRECT_A_DELIVERED]);
	if (tb[REDIRECT_A_REPLAY])
		s->replay = rnl_u32(tb[REDIRECT_A_REPLAY]);
	if (tb[REDIRECT_A_STATS] && rnl_len(tb[REDIRECT_A_STATS]) >= (int)sizeof(s->stats))
		memcpy(s->stats, rnl_data(tb[REDIRECT_A_STATS]), sizeof(s->stats));
}

/* Dump every sandbox into @l (free l->v): 0 or -errno. */
static inline int rnl_sandboxes(struct rnl *nl, struct rnl_sandbox_list *l)
{
	struct rnl_msg m;

	memset(l, 0, sizeof(*l));
	rnl_msg_init(&m, nl->family, NLM_F_DUMP, REDIRECT_CMD_GET_SANDBOX, REDIRECT_GENL_VERSION);
	return rnl_call(nl, &m, rnl_sandbox_cb, l, 10000);
}

/* GET_SANDBOX for one id: 0 (and *out), -ENOENT when it is gone, or -errno. */
static inline int rnl_sandbox_get(struct rnl *nl, __u32 id, struct rnl_sandbox *out)
{
	struct rnl_sandbox_list l = {};
	struct rnl_msg m;
	int ret;

	rnl_msg_init(&m, nl->family, 0, REDIRECT_CMD_GET_SANDBOX, REDIRECT_GENL_VERSION);
	rnl_put_u32(&m, REDIRECT_A_SANDBOX_ID, id);
	ret = rnl_call(nl, &m, rnl_sandbox_cb, &l, 10000);
	if (!ret && l.n != 1)
		ret = -EPROTO;
	if (!ret && out)
		*out = l.v[0];
	free(l.v);
	return ret;
}

/* How many sandboxes exist (-errno on failure). */
static inline int rnl_sandbox_count(struct rnl *nl)
{
	struct rnl_sandbox_list l;
	int ret = rnl_sandboxes(nl, &l);

	free(l.v);
	return ret ? ret : l.n;
}

#endif /* REL_NL_H */
