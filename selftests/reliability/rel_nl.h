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

/*
 * Append an attribute (payload @len may be 0) to the message in @buf of
 * *@used bytes (capacity @cap); its offset, or 0 if it does not fit.
 */
static inline __u32 rnl_append(char *buf, size_t cap, __u32 *used, __u16 type, const void *data,
			       size_t len)
{
	__u32 off = NLMSG_ALIGN(*used);
	struct nlattr *a = (struct nlattr *)(buf + off);

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > cap || len > 0xffff - NLA_HDRLEN)
		return 0;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	*used = off + NLA_ALIGN(a->nla_len);
	return off;
}

/* Append an attribute (payload @len may be 0); false if it does not fit. */
static inline bool rnl_put(struct rnl_msg *m, __u16 type, const void *data, size_t len)
{
	return rnl_append(m->buf, sizeof(m->buf), &m->h->nlmsg_len, type, data, len);
}

/*
 * Append @r as a REDIRECT_A_RULE nest, one attribute per field (the UAPI
 * header's enum redirect_rule_attr); its offset, or 0 if it does not fit.
 */
static inline __u32 rnl_append_rule(char *buf, size_t cap, __u32 *used,
				    const struct redirect_rule *r)
{
	__u32 start = rnl_append(buf, cap, used, REDIRECT_A_RULE | NLA_F_NESTED, NULL, 0);
	__u32 verdict = r->verdict, flags = r->flags, arg, i;
	bool ok = start;

	ok = ok && rnl_append(buf, cap, used, REDIRECT_RULE_A_NR, &r->nr, 4);
	ok = ok && rnl_append(buf, cap, used, REDIRECT_RULE_A_VERDICT, &verdict, 4);
	ok = ok && rnl_append(buf, cap, used, REDIRECT_RULE_A_FLAGS, &flags, 4);
	ok = ok && rnl_append(buf, cap, used, REDIRECT_RULE_A_VALUE, &r->value, 8);
	ok = ok && rnl_append(buf, cap, used, REDIRECT_RULE_A_LIMIT, &r->limit, 8);
	for (i = 0; ok && i < r->nr_args && i < REDIRECT_ARGS_MAX; i++) {
		const struct redirect_arg_cmp *a = &r->args[i];

		arg = rnl_append(buf, cap, used, REDIRECT_RULE_A_ARG | NLA_F_NESTED, NULL, 0);
		ok = arg && rnl_append(buf, cap, used, REDIRECT_ARG_A_INDEX, &a->index, 1) &&
		     rnl_append(buf, cap, used, REDIRECT_ARG_A_OP, &a->op, 1) &&
		     rnl_append(buf, cap, used, REDIRECT_ARG_A_MASK, &a->mask, 8) &&
		     rnl_append(buf, cap, used, REDIRECT_ARG_A_VALUE, &a->value, 8);
		if (ok)
			((struct nlattr *)(buf + arg))->nla_len = *used - arg;
	}
	if (ok && r->str_match != REDIRECT_STR_NONE)
		ok = rnl_append(buf, cap, used, REDIRECT_RULE_A_STR_INDEX, &r->str_index, 1) &&
		     rnl_append(buf, cap, used, REDIRECT_RULE_A_STR_MATCH, &r->str_match, 1) &&
		     rnl_append(buf, cap, used, REDIRECT_RULE_A_STR, r->str,
				r->str_len < REDIRECT_STR_MAX ? r->str_len : REDIRECT_STR_MAX);
	if (!ok) {
		if (start)
			*used = start;
		return 0;
	}
	((struct nlattr *)(buf + start))->nla_len = *used - start;
	return start;
}

static inline bool rnl_put_rule(struct rnl_msg *m, const struct redirect_rule *r)
{
	return rnl_append_rule(m->buf, sizeof(m->buf), &m->h->nlmsg_len, r);
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

static inline __u64 rnl_u64(const struct nlattr *a)
{
	__u64 v = 0;

	if (rnl_len(a) >= 8)
		memcpy(&v, rnl_data(a), sizeof(v));
	return v;
}

static inline __u8 rnl_u8(const struct nlattr *a)
{
	return rnl_len(a) >= 1 ? *(const __u8 *)rnl_data(a) : 0;
}

/* A REDIRECT_A_RULE nest as GET_RULES sends it into @r; false if it is not one. */
static inline bool rnl_rule_decode(const struct nlattr *nest, struct redirect_rule *r)
{
	const struct nlattr *tb[REDIRECT_RULE_A_MAX + 1], *atb[REDIRECT_ARG_A_MAX + 1];
	const struct nlattr *a = rnl_data(nest);
	int len = rnl_len(nest);

	memset(r, 0, sizeof(*r));
	if (!(nest->nla_type & NLA_F_NESTED))
		return false;
	rnl_parse(a, len, tb, REDIRECT_RULE_A_MAX);
	if (!tb[REDIRECT_RULE_A_NR] || !tb[REDIRECT_RULE_A_VERDICT])
		return false;
	r->nr = rnl_u32(tb[REDIRECT_RULE_A_NR]);
	r->verdict = (__u16)rnl_u32(tb[REDIRECT_RULE_A_VERDICT]);
	r->flags = tb[REDIRECT_RULE_A_FLAGS] ? (__u16)rnl_u32(tb[REDIRECT_RULE_A_FLAGS]) : 0;
	r->value = tb[REDIRECT_RULE_A_VALUE] ? (__s64)rnl_u64(tb[REDIRECT_RULE_A_VALUE]) : 0;
	r->limit = tb[REDIRECT_RULE_A_LIMIT] ? rnl_u64(tb[REDIRECT_RULE_A_LIMIT]) : 0;
	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		struct redirect_arg_cmp *cmp;

		if ((a->nla_type & NLA_TYPE_MASK) != REDIRECT_RULE_A_ARG)
			continue;
		if (r->nr_args == REDIRECT_ARGS_MAX)
			return false;
		rnl_parse(rnl_data(a), rnl_len(a), atb, REDIRECT_ARG_A_MAX);
		if (!atb[REDIRECT_ARG_A_INDEX] || !atb[REDIRECT_ARG_A_OP] ||
		    !atb[REDIRECT_ARG_A_MASK] || !atb[REDIRECT_ARG_A_VALUE])
			return false;
		cmp = &r->args[r->nr_args++];
		cmp->index = rnl_u8(atb[REDIRECT_ARG_A_INDEX]);
		cmp->op = rnl_u8(atb[REDIRECT_ARG_A_OP]);
		cmp->mask = rnl_u64(atb[REDIRECT_ARG_A_MASK]);
		cmp->value = rnl_u64(atb[REDIRECT_ARG_A_VALUE]);
	}
	if (!tb[REDIRECT_RULE_A_STR])
		return true;
	if (!tb[REDIRECT_RULE_A_STR_INDEX] || !tb[REDIRECT_RULE_A_STR_MATCH] ||
	    rnl_len(tb[REDIRECT_RULE_A_STR]) >= REDIRECT_STR_MAX)
		return false;
	r->str_index = rnl_u8(tb[REDIRECT_RULE_A_STR_INDEX]);
	r->str_match = rnl_u8(tb[REDIRECT_RULE_A_STR_MATCH]);
	r->str_len = (__u32)rnl_len(tb[REDIRECT_RULE_A_STR]);
	memcpy(r->str, rnl_data(tb[REDIRECT_RULE_A_STR]), r->str_len);
	return true;
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
