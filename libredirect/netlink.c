// SPDX-License-Identifier: GPL-2.0
/* The control plane: generic netlink family "redirect" through libnl-genl-3. */
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "ctl_info.h"
#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct redirect_ctl {
	struct nl_sock *sk;
	int family;
	struct nl_sock *ev;		/* the "events" group, once subscribed */
	struct redirect_event *queue;	/* events read but not yet returned */
	size_t n_queue, cap_queue;
};

/* One request's outcome, filled by the callbacks. */
struct nl_req {
	int error;			/* -errno from NLMSG_ERROR */
	bool done;
	char msg[256];			/* extended ack */
	long bad_offset;		/* of the offending attribute; -1: none */
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	int parse_error;
};

static int ctl_resolve(struct redirect_ctl *c, struct redirect_error **err);

static void ctl_free_socks(struct redirect_ctl *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	if (c->ev)
		nl_socket_free(c->ev);
}

void redirect_ctl_close(struct redirect_ctl *c)
{
	if (!c)
		return;
	ctl_free_socks(c);
	free(c->queue);
	free(c);
}

int redirect_ctl_open(struct redirect_ctl **cp, struct redirect_error **err)
{
	struct redirect_ctl *c = calloc(1, sizeof(*c));
	int one = 1, ret;

	if (!c)
		return redirect_make_error(err, ENOMEM, "out of memory");
	c->sk = nl_socket_alloc();
	if (!c->sk) {
		free(c);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	ret = genl_connect(c->sk);
	if (ret < 0) {
		ret = redirect_make_error(err, EIO, "generic netlink: %s", nl_geterror(ret));
		goto fail;
	}
	nl_socket_disable_auto_ack(c->sk);
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	ret = ctl_resolve(c, err);
	if (ret < 0)
		goto fail;
	*cp = c;
	return 0;
fail:
	redirect_ctl_close(c);
	return ret;
}

/* NLMSG_ERROR with the extended ack: errno, message, offending attribute. */
static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl_req *req = arg;
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);

	req->error = e->error;
	req->done = true;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off >= h->nlmsg_len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      (int)(h->nlmsg_len - NLMSG_HDRLEN - off), NULL) < 0)
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(req->msg, sizeof(req->msg), "%.*s", nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		req->bad_offset = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	((struct nl_req *)arg)->done = true;
	return NL_STOP;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct nl_req *req = arg;
	struct nlattr *tb[REDIRECT_A_MAX + 1];

	if (!req->parse || req->parse_error)
		return NL_OK;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, REDIRECT_A_MAX, NULL) < 0) {
		req->parse_error = -EBADMSG;
		return NL_OK;
	}
	req->parse_error = req->parse(tb, req->arg);
	return NL_OK;
}

/* Send msg and read until its ACK, DONE or error.  Returns 0 or -errno. */
static int ctl_request(struct redirect_ctl *c, struct nl_msg *msg, struct nl_req *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb)
		return -ENOMEM;
	req->bad_offset = -1;
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ack_cb, req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, req);
	ret = nl_send_auto(c->sk, msg);
	while (ret >= 0 && !req->done)
		ret = nl_recvmsgs(c->sk, cb);
	nl_cb_put(cb);
	if (req->error)
		return req->error;
	if (ret < 0 && !req->done)
		return ret == -NLE_NOMEM ? -ENOMEM : -EIO;
	return req->parse_error;
}

static struct nl_msg *ctl_msg(struct redirect_ctl *c, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags, cmd,
				REDIRECT_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int ctl_fail(struct redirect_error **err, int ret, const struct nl_req *req,
		    const char *what)
{
	if (req->msg[0])
		return redirect_make_error(err, -ret, "%s: %s: %s", what, req->msg,
					   strerror(-ret));
	return redirect_make_error_errno(err, -ret, "%s", what);
}

/* ---- the family ------------------------------------------------------------------------- */

/* What CTRL_CMD_GETFAMILY says of the family. */
struct family_info {
	int id;
	uint32_t version;
};

static int parse_family(struct nlattr **tb, void *arg)
{
	struct family_info *f = arg;

	if (!tb[CTRL_ATTR_FAMILY_ID] || nla_len(tb[CTRL_ATTR_FAMILY_ID]) < 2)
		return -EBADMSG;
	f->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	f->version = 0;
	if (tb[CTRL_ATTR_VERSION] && nla_len(tb[CTRL_ATTR_VERSION]) >= 4)
		f->version = nla_get_u32(tb[CTRL_ATTR_VERSION]);
	return 0;
}

/*
 * The family's version says the format of its messages (2: rules as nested
 * attributes), and one version is spoken here: a module of another one would
 * misread our requests or we its answers, so it is refused with both named.
 */
int redirect_ctl_check_version(uint32_t version, struct redirect_error **err)
{
	if (version == REDIRECT_GENL_VERSION)
		return 0;
	return redirect_make_error(err, EPROTONOSUPPORT,
				   "generic netlink family \"%s\" is version %u, libredirect "
				   "speaks version %u: redirect.ko and libredirect come from "
				   "different releases (install both from one)",
				   REDIRECT_GENL_NAME, version, REDIRECT_GENL_VERSION);
}

/*
 * The family's id and version in one request (libnl's genl_ctrl_resolve()
 * gives the id only). The first request for the family may load the module
 * (MODULE_ALIAS_GENL_FAMILY).
 */
static int ctl_resolve(struct redirect_ctl *c, struct redirect_error **err)
{
	struct family_info f = { .id = -1 };
	struct nl_req req = { .parse = parse_family, .arg = &f };
	struct nl_msg *msg = nlmsg_alloc();
	int ret;

	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, NLM_F_ACK,
			 CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, REDIRECT_GENL_NAME) < 0) {
		nlmsg_free(msg);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	ret = ctl_request(c, msg, &req);
	nlmsg_free(msg);
	if (ret == -ENOENT)
		return redirect_make_error(err, ENOENT,
					   "generic netlink family \"%s\" not found: "
					   "redirect.ko is not loaded (portable mode has no "
					   "control plane)",
					   REDIRECT_GENL_NAME);
	if (ret < 0)
		return ctl_fail(err, ret, &req, "resolving \"" REDIRECT_GENL_NAME "\"");
	if (f.id < 0)
		return redirect_make_error(err, EBADMSG,
					   "resolving \"%s\": no family id in the "
					   "answer",
					   REDIRECT_GENL_NAME);
	ret = redirect_ctl_check_version(f.version, err);
	if (ret < 0)
		return ret;
	c->family = f.id;
	return 0;
}

/* ---- sandboxes, stats -------------------------------------------------------------------- */

static void get_blob(struct nlattr *a, uint64_t *out, size_t n)
{
	if (a && (size_t)nla_len(a) >= n * sizeof(uint64_t))
		memcpy(out, nla_data(a), n * sizeof(uint64_t));
}

static uint32_t get_u32(struct nlattr *a)
{
	return a && nla_len(a) >= 4 ? nla_get_u32(a) : 0;
}

static uint64_t get_u64(struct nlattr *a)
{
	return a && nla_len(a) >= 8 ? nla_get_u64(a) : 0;
}

struct growing {
	void *items;
	size_t n, cap, size;
};

static void *grow(struct growing *g)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		void *p = realloc(g->items, cap * g->size);

		if (!p)
			return NULL;
		g->items = p;
		g->cap = cap;
	}
	return memset((char *)g->items + g->n++ * g->size, 0, g->size);
}

static void get_counters(struct nlattr **tb, struct redirect_counters *c)
{
	get_blob(tb[REDIRECT_A_STATS], c->stats, REDIRECT_STAT_COUNT);
	get_blob(tb[REDIRECT_A_HIST], c->hist, REDIRECT_HIST_BUCKETS);
}

static int parse_sandbox(struct nlattr **tb, void *arg)
{
	struct redirect_sandbox_info *si = grow(arg);

	if (!si)
		return -ENOMEM;
	si->sandbox_id = get_u32(tb[REDIRECT_A_SANDBOX_ID]);
	if (tb[REDIRECT_A_NAME])
		snprintf(si->name, sizeof(si->name), "%.*s", nla_len(tb[REDIRECT_A_NAME]),
			 (const char *)nla_data(tb[REDIRECT_A_NAME]));
	si->fail_mode = get_u32(tb[REDIRECT_A_FAIL_MODE]);
	si->owned = tb[REDIRECT_A_OWNED] && nla_get_u8(tb[REDIRECT_A_OWNED]);
	si->forward_pending = get_u32(tb[REDIRECT_A_FORWARD_PENDING]);
	si->delivered = get_u32(tb[REDIRECT_A_DELIVERED]);
	si->replay = get_u32(tb[REDIRECT_A_REPLAY]);
	si->rules_generation = get_u64(tb[REDIRECT_A_RULES_GENERATION]);
	get_counters(tb, &si->counters);
	return 0;
}

/* A dump, or a do request for one sandbox when id is given, parsed into g. */
static int ctl_collect(struct redirect_ctl *c, uint8_t cmd, int flags, const uint32_t *id,
		       int (*parse)(struct nlattr **, void *), struct growing *g,
		       const char *what, struct redirect_error **err)
{
	struct nl_req req = { .parse = parse, .arg = g };
	struct nl_msg *msg = ctl_msg(c, cmd, flags);
	int ret;

	if (!msg)
		return redirect_make_error(err, ENOMEM, "out of memory");
	if (id && nla_put_u32(msg, REDIRECT_A_SANDBOX_ID, *id) < 0) {
		nlmsg_free(msg);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	ret = ctl_request(c, msg, &req);
	nlmsg_free(msg);
	if (ret < 0) {
		free(g->items);
		g->items = NULL;
		return ctl_fail(err, ret, &req, what);
	}
	return 0;
}

/* The list object of a finished dump: { items, n } of any of ctl_info.h's lists. */
#define ctl_list_take(listp, g, err)                                              \
	({                                                                        \
		__typeof__(**(listp)) *_l = calloc(1, sizeof(*_l));               \
		int _ret = 0;                                                     \
		if (_l) {                                                         \
			_l->items = steal_pointer(&(g)->items);                   \
			_l->n = (g)->n;                                           \
			*(listp) = _l;                                            \
		} else {                                                          \
			free((g)->items);                                         \
			_ret = redirect_make_error(err, ENOMEM, "out of memory"); \
		}                                                                 \
		_ret;                                                             \
	})

int redirect_ctl_sandboxes(struct redirect_ctl *c, struct redirect_sandbox_list **listp,
			   struct redirect_error **err)
{
	struct growing g = { .size = sizeof(struct redirect_sandbox_info) };
	int ret;

	ret = ctl_collect(c, REDIRECT_CMD_GET_SANDBOX, NLM_F_DUMP, NULL, parse_sandbox, &g,
			  "listing sandboxes", err);
	if (ret < 0)
		return ret;
	return ctl_list_take(listp, &g, err);
}

int redirect_ctl_sandbox(struct redirect_ctl *c, uint32_t id, struct redirect_sandbox_info **infop,
			 struct redirect_error **err)
{
	struct growing g = { .size = sizeof(struct redirect_sandbox_info) };
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "sandbox %u", id);
	/* a do request: only NLM_F_ACK ends the reply (auto-ack is off) */
	ret = ctl_collect(c, REDIRECT_CMD_GET_SANDBOX, NLM_F_ACK, &id, parse_sandbox, &g, what,
			  err);
	if (ret < 0)
		return ret;
	if (g.n != 1) {
		free(g.items);
		return redirect_make_error(err, EBADMSG, "%s: %zu answers", what, g.n);
	}
	*infop = g.items;
	return 0;
}

static int parse_stats(struct nlattr **tb, void *arg)
{
	struct redirect_syscall_stats *st = grow(arg);

	if (!st)
		return -ENOMEM;
	st->nr = get_u32(tb[REDIRECT_A_SYSCALL_NR]);
	get_counters(tb, &st->counters);
	return 0;
}

int redirect_ctl_stats(struct redirect_ctl *c, uint32_t id,
		       struct redirect_syscall_stats_list **listp, struct redirect_error **err)
{
	struct growing g = { .size = sizeof(struct redirect_syscall_stats) };
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "statistics of sandbox %u", id);
	ret = ctl_collect(c, REDIRECT_CMD_GET_STATS, NLM_F_DUMP, &id, parse_stats, &g, what, err);
	if (ret < 0)
		return ret;
	return ctl_list_take(listp, &g, err);
}

/* ---- rules ---------------------------------------------------------------------------------- */

/* What the kernel sends in a REDIRECT_A_RULE (enum redirect_rule_attr); it checks what we send. */
static struct nla_policy rule_policy[REDIRECT_RULE_A_MAX + 1] = {
	[REDIRECT_RULE_A_NR] = { .type = NLA_U32 },
	[REDIRECT_RULE_A_VERDICT] = { .type = NLA_U32 },
	[REDIRECT_RULE_A_FLAGS] = { .type = NLA_U32 },
	[REDIRECT_RULE_A_VALUE] = { .type = NLA_U64 },
	[REDIRECT_RULE_A_LIMIT] = { .type = NLA_U64 },
	[REDIRECT_RULE_A_ARG] = { .type = NLA_NESTED },
	[REDIRECT_RULE_A_STR_INDEX] = { .type = NLA_U8 },
	[REDIRECT_RULE_A_STR_MATCH] = { .type = NLA_U8 },
	[REDIRECT_RULE_A_STR] = { .maxlen = REDIRECT_STR_MAX - 1 },
};

static struct nla_policy arg_policy[REDIRECT_ARG_A_MAX + 1] = {
	[REDIRECT_ARG_A_INDEX] = { .type = NLA_U8 },
	[REDIRECT_ARG_A_OP] = { .type = NLA_U8 },
	[REDIRECT_ARG_A_MASK] = { .type = NLA_U64 },
	[REDIRECT_ARG_A_VALUE] = { .type = NLA_U64 },
};

/* A REDIRECT_A_RULE nest into @r; -EBADMSG if it is not one. */
static int rule_parse(struct nlattr *nest, struct redirect_rule *r)
{
	struct nlattr *tb[REDIRECT_RULE_A_MAX + 1], *atb[REDIRECT_ARG_A_MAX + 1], *a;
	struct redirect_arg_cmp *cmp;
	int rem;

	memset(r, 0, sizeof(*r));
	if (nla_parse_nested(tb, REDIRECT_RULE_A_MAX, nest, rule_policy) < 0 ||
	    !tb[REDIRECT_RULE_A_NR] || !tb[REDIRECT_RULE_A_VERDICT])
		return -EBADMSG;
	r->nr = nla_get_u32(tb[REDIRECT_RULE_A_NR]);
	r->verdict = (uint16_t)nla_get_u32(tb[REDIRECT_RULE_A_VERDICT]);
	r->flags = (uint16_t)get_u32(tb[REDIRECT_RULE_A_FLAGS]);
	r->value = (int64_t)get_u64(tb[REDIRECT_RULE_A_VALUE]);
	r->limit = get_u64(tb[REDIRECT_RULE_A_LIMIT]);
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != REDIRECT_RULE_A_ARG)
			continue;
		if (r->nr_args == REDIRECT_ARGS_MAX ||
		    nla_parse_nested(atb, REDIRECT_ARG_A_MAX, a, arg_policy) < 0 ||
		    !atb[REDIRECT_ARG_A_INDEX] || !atb[REDIRECT_ARG_A_OP] ||
		    !atb[REDIRECT_ARG_A_MASK] || !atb[REDIRECT_ARG_A_VALUE])
			return -EBADMSG;
		cmp = &r->args[r->nr_args++];
		cmp->index = nla_get_u8(atb[REDIRECT_ARG_A_INDEX]);
		cmp->op = nla_get_u8(atb[REDIRECT_ARG_A_OP]);
		cmp->mask = nla_get_u64(atb[REDIRECT_ARG_A_MASK]);
		cmp->value = nla_get_u64(atb[REDIRECT_ARG_A_VALUE]);
	}
	if (!tb[REDIRECT_RULE_A_STR])
		return 0;
	if (!tb[REDIRECT_RULE_A_STR_INDEX] || !tb[REDIRECT_RULE_A_STR_MATCH])
		return -EBADMSG;
	r->str_index = nla_get_u8(tb[REDIRECT_RULE_A_STR_INDEX]);
	r->str_match = nla_get_u8(tb[REDIRECT_RULE_A_STR_MATCH]);
	r->str_len = (uint32_t)nla_len(tb[REDIRECT_RULE_A_STR]);
	memcpy(r->str, nla_data(tb[REDIRECT_RULE_A_STR]), r->str_len);
	return 0;
}

/* @r as a REDIRECT_A_RULE nest: one attribute per field (the UAPI header). */
static int rule_put(struct nl_msg *msg, const struct redirect_rule *r)
{
	struct nlattr *rule, *arg;
	uint32_t i;

	rule = nla_nest_start(msg, REDIRECT_A_RULE | NLA_F_NESTED);
	if (!rule)
		return -NLE_NOMEM;
	if (nla_put_u32(msg, REDIRECT_RULE_A_NR, r->nr) < 0 ||
	    nla_put_u32(msg, REDIRECT_RULE_A_VERDICT, r->verdict) < 0 ||
	    nla_put_u32(msg, REDIRECT_RULE_A_FLAGS, r->flags) < 0 ||
	    nla_put_s64(msg, REDIRECT_RULE_A_VALUE, r->value) < 0 ||
	    nla_put_u64(msg, REDIRECT_RULE_A_LIMIT, r->limit) < 0)
		goto cancel;
	for (i = 0; i < r->nr_args && i < REDIRECT_ARGS_MAX; i++) {
		arg = nla_nest_start(msg, REDIRECT_RULE_A_ARG | NLA_F_NESTED);
		if (!arg || nla_put_u8(msg, REDIRECT_ARG_A_INDEX, r->args[i].index) < 0 ||
		    nla_put_u8(msg, REDIRECT_ARG_A_OP, r->args[i].op) < 0 ||
		    nla_put_u64(msg, REDIRECT_ARG_A_MASK, r->args[i].mask) < 0 ||
		    nla_put_u64(msg, REDIRECT_ARG_A_VALUE, r->args[i].value) < 0)
			goto cancel;
		nla_nest_end(msg, arg);
	}
	if (r->str_match != REDIRECT_STR_NONE &&
	    (nla_put_u8(msg, REDIRECT_RULE_A_STR_INDEX, r->str_index) < 0 ||
	     nla_put_u8(msg, REDIRECT_RULE_A_STR_MATCH, r->str_match) < 0 ||
	     nla_put(msg, REDIRECT_RULE_A_STR, (int)r->str_len, r->str) < 0))
		goto cancel;
	nla_nest_end(msg, rule);
	return 0;
cancel:
	nla_nest_cancel(msg, rule);
	return -NLE_NOMEM;
}

static int parse_rule(struct nlattr **tb, void *arg)
{
	struct redirect_rule_info *ri;
	struct redirect_rule r;

	if (!tb[REDIRECT_A_RULE] || rule_parse(tb[REDIRECT_A_RULE], &r) < 0)
		return -EBADMSG;
	ri = grow(arg);
	if (!ri)
		return -ENOMEM;
	ri->index = get_u32(tb[REDIRECT_A_RULE_INDEX]);
	ri->hits = get_u64(tb[REDIRECT_A_HITS]);
	ri->generation = get_u64(tb[REDIRECT_A_RULES_GENERATION]);
	ri->rule = r;
	return 0;
}

int redirect_ctl_get_rules(struct redirect_ctl *c, uint32_t id,
			   struct redirect_rule_info_list **listp, struct redirect_error **err)
{
	struct growing g = { .size = sizeof(struct redirect_rule_info) };
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "rules of sandbox %u", id);
	ret = ctl_collect(c, REDIRECT_CMD_GET_RULES, NLM_F_DUMP, &id, parse_rule, &g, what, err);
	if (ret < 0)
		return ret;
	return ctl_list_take(listp, &g, err);
}

static int ctl_set_rules(struct redirect_ctl *c, uint32_t id, const struct redirect_rule *rules,
			 size_t n, const struct redirect_ruleset *rs, struct redirect_error **err)
{
	struct nl_req req = { 0 };
	struct nl_msg *msg = ctl_msg(c, REDIRECT_CMD_SET_RULES, NLM_F_ACK);
	char what[64], desc[512];
	size_t i;
	int ret;

	snprintf(what, sizeof(what), "setting the rules of sandbox %u", id);
	if (!msg)
		return redirect_make_error(err, ENOMEM, "out of memory");
	ret = nla_put_u32(msg, REDIRECT_A_SANDBOX_ID, id);
	for (i = 0; ret >= 0 && i < n; i++)
		ret = rule_put(msg, &rules[i]);
	if (ret < 0) {
		nlmsg_free(msg);
		return redirect_make_error(err, EMSGSIZE, "%s: %zu rules do not fit a message",
					   what, n);
	}
	ret = ctl_request(c, msg, &req);
	if (ret == -EINVAL && req.bad_offset >= 0) {
		/* which RULE attribute the kernel pointed at, or one of its fields */
		struct nlmsghdr *h = nlmsg_hdr(msg);
		struct nlattr *a;
		uint32_t k = 0;
		int rem;

		nlmsg_for_each_attr(a, h, GENL_HDRLEN, rem) {
			long off = (char *)a - (char *)h;

			if (nla_type(a) != REDIRECT_A_RULE)
				continue;
			if (req.bad_offset >= off && req.bad_offset < off + a->nla_len) {
				snprintf(desc, sizeof(desc), "%s (%s)",
					 rs ? redirect_ruleset_origin(rs, k) : "",
					 req.msg[0] ? req.msg : "refused");
				if (!rs)
					snprintf(desc, sizeof(desc), "rule %u (%s)", k,
						 req.msg[0] ? req.msg : "refused");
				nlmsg_free(msg);
				return redirect_make_error(err, EINVAL, "%s: %s", what, desc);
			}
			k++;
		}
	}
	nlmsg_free(msg);
	if (ret < 0)
		return ctl_fail(err, ret, &req, what);
	return 0;
}

int redirect_ctl_set_rules(struct redirect_ctl *c, uint32_t id, const struct redirect_ruleset *rs,
			   struct redirect_error **err)
{
	if (!rs)
		return ctl_set_rules(c, id, NULL, 0, NULL, err);
	return ctl_set_rules(c, id, redirect_ruleset_rules(rs), redirect_ruleset_count(rs), rs,
			     err);
}

int redirect_ctl_set_rules_array(struct redirect_ctl *c, uint32_t id,
				 const struct redirect_rule *rules, size_t n,
				 struct redirect_error **err)
{
	return ctl_set_rules(c, id, rules, n, NULL, err);
}

/* ---- events ------------------------------------------------------------------------------------ */

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct redirect_ctl *c = arg;
	struct nlattr *tb[REDIRECT_A_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct redirect_event *ev;

	if (g->cmd != REDIRECT_CMD_EVENT ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, REDIRECT_A_MAX, NULL) < 0)
		return NL_SKIP;
	if (c->n_queue == c->cap_queue) {
		size_t cap = c->cap_queue ? 2 * c->cap_queue : 16;
		struct redirect_event *q = realloc(c->queue, cap * sizeof(*q));

		if (!q)
			return NL_SKIP;
		c->queue = q;
		c->cap_queue = cap;
	}
	ev = &c->queue[c->n_queue++];
	memset(ev, 0, sizeof(*ev));
	ev->sandbox_id = get_u32(tb[REDIRECT_A_SANDBOX_ID]);
	ev->pid = get_u32(tb[REDIRECT_A_PID]);
	ev->nr = get_u32(tb[REDIRECT_A_SYSCALL_NR]);
	ev->verdict = get_u32(tb[REDIRECT_A_VERDICT]);
	ev->value = (int64_t)get_u64(tb[REDIRECT_A_VALUE]);
	ev->rule = get_u32(tb[REDIRECT_A_RULE_INDEX]);
	ev->dropped = get_u64(tb[REDIRECT_A_DROPPED]);
	return NL_OK;
}

int redirect_ctl_subscribe(struct redirect_ctl *c, struct redirect_error **err)
{
	int grp, ret;

	if (c->ev)
		return 0;
	grp = genl_ctrl_resolve_grp(c->sk, REDIRECT_GENL_NAME, REDIRECT_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return redirect_make_error(err, ENOENT, "multicast group \"%s\": %s",
					   REDIRECT_GENL_MCGRP_EVENTS, nl_geterror(grp));
	c->ev = nl_socket_alloc();
	if (!c->ev)
		return redirect_make_error(err, ENOMEM, "out of memory");
	nl_socket_disable_seq_check(c->ev);
	nl_socket_modify_cb(c->ev, NL_CB_VALID, NL_CB_CUSTOM, event_cb, c);
	ret = genl_connect(c->ev);
	if (ret == 0)
		ret = nl_socket_set_nonblocking(c->ev);
	if (ret == 0)
		ret = nl_socket_add_membership(c->ev, grp);
	if (ret < 0) {
		nl_socket_free(c->ev);
		c->ev = NULL;
		return redirect_make_error(err, ret == -NLE_PERM ? EPERM : EIO,
					   "joining \"%s\": %s", REDIRECT_GENL_MCGRP_EVENTS,
					   nl_geterror(ret));
	}
	return 0;
}

int redirect_ctl_event_fd(const struct redirect_ctl *c)
{
	return c->ev ? nl_socket_get_fd(c->ev) : -1;
}

int redirect_ctl_next_event(struct redirect_ctl *c, struct redirect_event *event, int timeout_ms,
			    struct redirect_error **err)
{
	struct pollfd p;
	int ret;

	if (!c->ev)
		return redirect_make_error(err, EINVAL, "not subscribed to events");
	while (!c->n_queue) {
		p = (struct pollfd){ .fd = nl_socket_get_fd(c->ev), .events = POLLIN };
		ret = poll(&p, 1, timeout_ms);
		if (ret < 0 && errno == EINTR)
			return redirect_make_error(err, EINTR, "waiting for events: interrupted");
		if (ret < 0)
			return redirect_make_error_errno(err, errno, "poll");
		if (ret == 0)
			return 0;
		ret = nl_recvmsgs_default(c->ev);
		if (ret < 0 && ret != -NLE_AGAIN)
			return redirect_make_error(err, EIO, "reading events: %s", nl_geterror(ret));
		timeout_ms = 0;
	}
	*event = c->queue[0];
	memmove(c->queue, c->queue + 1, --c->n_queue * sizeof(*c->queue));
	return 1;
}
