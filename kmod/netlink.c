// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane: generic netlink family "redirect" (sandboxes, statistics,
 * rules, audit events).
 */
#include "netlink.h"
#include "sandbox.h"
#include "main.h"

#include <linux/capability.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

/*
 * Per-group join permission for generic netlink multicast (6.6, backported to
 * Debian's 6.1). Without it anybody could listen to the audit events: refuse
 * to build rather than leak them.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "this kernel cannot restrict generic-netlink multicast groups (GENL_MCAST_CAP_NET_ADMIN)"
#endif

/*
 * A rule's fields and their bounds, checked by the netlink core on the whole
 * message before a doit runs; rdr_rule_check() still checks what crosses
 * fields (VALUE against the verdict, NUL in STR).
 */
static const struct nla_policy rdr_nl_arg_policy[REDIRECT_ARG_A_MAX + 1] = {
	[REDIRECT_ARG_A_INDEX] = NLA_POLICY_MAX(NLA_U8, REDIRECT_ARGS_MAX - 1),
	[REDIRECT_ARG_A_OP] = NLA_POLICY_RANGE(NLA_U8, REDIRECT_CMP_EQ, REDIRECT_CMP_GE),
	[REDIRECT_ARG_A_MASK] = { .type = NLA_U64 },
	[REDIRECT_ARG_A_VALUE] = { .type = NLA_U64 },
};

static const struct nla_policy rdr_nl_rule_policy[REDIRECT_RULE_A_MAX + 1] = {
	[REDIRECT_RULE_A_NR] = NLA_POLICY_MAX(NLA_U32, RDR_NR_LIMIT - 1),
	[REDIRECT_RULE_A_VERDICT] = NLA_POLICY_MAX(NLA_U32, REDIRECT_VERDICT_KILL),
	[REDIRECT_RULE_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, REDIRECT_RULE_FLAGS_ALL),
	[REDIRECT_RULE_A_VALUE] = { .type = NLA_S64 },
	[REDIRECT_RULE_A_LIMIT] = { .type = NLA_U64 },
	[REDIRECT_RULE_A_ARG] = NLA_POLICY_NESTED(rdr_nl_arg_policy),
	[REDIRECT_RULE_A_STR_INDEX] = NLA_POLICY_MAX(NLA_U8, REDIRECT_ARGS_MAX - 1),
	[REDIRECT_RULE_A_STR_MATCH] =
		NLA_POLICY_RANGE(NLA_U8, REDIRECT_STR_EXACT, REDIRECT_STR_PREFIX),
	[REDIRECT_RULE_A_STR] = { .type = NLA_BINARY, .len = REDIRECT_STR_MAX - 1 },
};

static const struct nla_policy rdr_nl_policy[REDIRECT_A_MAX + 1] = {
	[REDIRECT_A_SANDBOX_ID] = { .type = NLA_U32 },
	[REDIRECT_A_RULE] = NLA_POLICY_NESTED(rdr_nl_rule_policy),
};

static struct genl_family rdr_genl_family;

enum rdr_mcgrp { RDR_MCGRP_EVENTS };

static const struct genl_multicast_group rdr_mcgrps[] = {
	/* Audit events name tasks and calls of every sandbox: admins only. */
	[RDR_MCGRP_EVENTS] = { .name = REDIRECT_GENL_MCGRP_EVENTS,
			       .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct rdr_sandbox *rdr_nl_sandbox(struct genl_info *info)
{
	unsigned long id;
	struct rdr_sandbox *sb;

	if (GENL_REQ_ATTR_CHECK(info, REDIRECT_A_SANDBOX_ID))
		return ERR_PTR(-EINVAL);
	id = nla_get_u32(info->attrs[REDIRECT_A_SANDBOX_ID]);
	sb = rdr_sandbox_next(&id);
	if (sb && sb->id != nla_get_u32(info->attrs[REDIRECT_A_SANDBOX_ID])) {
		rdr_sandbox_put(sb);
		sb = NULL;
	}
	if (!sb) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[REDIRECT_A_SANDBOX_ID],
				    "no such sandbox");
		return ERR_PTR(-ENOENT);
	}
	return sb;
}

static int rdr_nl_put_counters(struct sk_buff *skb, const struct rdr_counters *c)
{
	if (nla_put(skb, REDIRECT_A_STATS, sizeof(c->count), c->count) ||
	    nla_put(skb, REDIRECT_A_HIST, sizeof(c->hist), c->hist))
		return -EMSGSIZE;
	return 0;
}

static int rdr_nl_fill_sandbox(struct sk_buff *skb, struct rdr_sandbox *sb, u32 portid,
			       u32 seq, int flags)
{
	struct rdr_sandbox_info si;
	struct rdr_counters c;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &rdr_genl_family, flags, REDIRECT_CMD_GET_SANDBOX);
	if (!hdr)
		return -EMSGSIZE;
	rdr_sandbox_info(sb, &si);
	rdr_stats_read_total(&sb->stats, &c);
	if (nla_put_u32(skb, REDIRECT_A_SANDBOX_ID, sb->id) ||
	    nla_put_string(skb, REDIRECT_A_NAME, sb->name) ||
	    nla_put_u32(skb, REDIRECT_A_FAIL_MODE, sb->fail_mode) ||
	    nla_put_u8(skb, REDIRECT_A_OWNED, si.owned) ||
	    nla_put_u32(skb, REDIRECT_A_FORWARD_PENDING, si.forward_pending) ||
	    nla_put_u32(skb, REDIRECT_A_DELIVERED, si.delivered) ||
	    nla_put_u32(skb, REDIRECT_A_REPLAY, si.replay) ||
	    nla_put_u64_64bit(skb, REDIRECT_A_RULES_GENERATION, si.generation, REDIRECT_A_PAD) ||
	    rdr_nl_put_counters(skb, &c)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int rdr_nl_get_sandbox_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rdr_sandbox *sb = rdr_nl_sandbox(info);
	struct sk_buff *msg;
	int ret;

	if (IS_ERR(sb))
		return PTR_ERR(sb);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	ret = -ENOMEM;
	if (msg) {
		ret = rdr_nl_fill_sandbox(msg, sb, info->snd_portid, info->snd_seq, 0);
		if (ret)
			nlmsg_free(msg);
		else
			ret = genlmsg_reply(msg, info);
	}
	rdr_sandbox_put(sb);
	return ret;
}

/* cb->args[0]: the next sandbox id to dump. */
static int rdr_nl_get_sandbox_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long id = cb->args[0];
	struct rdr_sandbox *sb;

	while ((sb = rdr_sandbox_next(&id))) {
		int ret = rdr_nl_fill_sandbox(skb, sb, NETLINK_CB(cb->skb).portid,
					      cb->nlh->nlmsg_seq, NLM_F_MULTI);

		rdr_sandbox_put(sb);
		if (ret)
			break;
		id++;
	}
	cb->args[0] = id;
	return skb->len;
}

/* cb->args[0]: sandbox id; cb->args[1]: next syscall number. */
static int rdr_nl_get_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *id_attr = rdr_genl_dump_attrs(cb)[REDIRECT_A_SANDBOX_ID];
	unsigned long id;
	struct rdr_sandbox *sb;
	u32 nr;

	if (!id_attr) {
		NL_SET_ERR_MSG(cb->extack, "SANDBOX_ID is required");
		return -EINVAL;
	}
	id = nla_get_u32(id_attr);
	sb = rdr_sandbox_next(&id);
	if (!sb)
		return 0;
	if (sb->id != nla_get_u32(id_attr)) {
		rdr_sandbox_put(sb);
		return 0;
	}
	for (nr = cb->args[1]; nr < RDR_STATS_NR; nr++) {
		struct rdr_counters c;
		void *hdr;

		rdr_stats_read_nr(&sb->stats, nr, &c);
		if (!c.count[REDIRECT_STAT_NOTIFIED] && !c.count[REDIRECT_STAT_REPLAYED])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &rdr_genl_family, NLM_F_MULTI, REDIRECT_CMD_GET_STATS);
		if (!hdr)
			break;
		if (nla_put_u32(skb, REDIRECT_A_SANDBOX_ID, sb->id) ||
		    nla_put_u32(skb, REDIRECT_A_SYSCALL_NR, nr) ||
		    rdr_nl_put_counters(skb, &c)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[1] = nr;
	rdr_sandbox_put(sb);
	return skb->len;
}

/* @r as a REDIRECT_A_RULE nest (see enum redirect_rule_attr). */
static int rdr_nl_put_rule(struct sk_buff *skb, const struct redirect_rule *r)
{
	struct nlattr *rule, *arg;
	u32 i;

	rule = nla_nest_start(skb, REDIRECT_A_RULE);
	if (!rule)
		return -EMSGSIZE;
	if (nla_put_u32(skb, REDIRECT_RULE_A_NR, r->nr) ||
	    nla_put_u32(skb, REDIRECT_RULE_A_VERDICT, r->verdict) ||
	    nla_put_u32(skb, REDIRECT_RULE_A_FLAGS, r->flags) ||
	    nla_put_s64(skb, REDIRECT_RULE_A_VALUE, r->value, REDIRECT_RULE_A_PAD) ||
	    nla_put_u64_64bit(skb, REDIRECT_RULE_A_LIMIT, r->limit, REDIRECT_RULE_A_PAD))
		goto cancel;
	for (i = 0; i < r->nr_args && i < REDIRECT_ARGS_MAX; i++) {
		const struct redirect_arg_cmp *a = &r->args[i];

		arg = nla_nest_start(skb, REDIRECT_RULE_A_ARG);
		if (!arg || nla_put_u8(skb, REDIRECT_ARG_A_INDEX, a->index) ||
		    nla_put_u8(skb, REDIRECT_ARG_A_OP, a->op) ||
		    nla_put_u64_64bit(skb, REDIRECT_ARG_A_MASK, a->mask, REDIRECT_ARG_A_PAD) ||
		    nla_put_u64_64bit(skb, REDIRECT_ARG_A_VALUE, a->value, REDIRECT_ARG_A_PAD))
			goto cancel;
		nla_nest_end(skb, arg);
	}
	if (r->str_match != REDIRECT_STR_NONE &&
	    (nla_put_u8(skb, REDIRECT_RULE_A_STR_INDEX, r->str_index) ||
	     nla_put_u8(skb, REDIRECT_RULE_A_STR_MATCH, r->str_match) ||
	     nla_put(skb, REDIRECT_RULE_A_STR, r->str_len, r->str)))
		goto cancel;
	nla_nest_end(skb, rule);
	return 0;
cancel:
	nla_nest_cancel(skb, rule);
	return -EMSGSIZE;
}

/* cb->args[0]: sandbox id; cb->args[1]: next rule index. */
static int rdr_nl_get_rules_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *id_attr = rdr_genl_dump_attrs(cb)[REDIRECT_A_SANDBOX_ID];
	struct redirect_rule *rules;
	u64 *hits, generation;
	struct rdr_sandbox *sb;
	unsigned long id;
	u32 count, i;
	int ret;

	if (!id_attr) {
		NL_SET_ERR_MSG(cb->extack, "SANDBOX_ID is required");
		return -EINVAL;
	}
	id = nla_get_u32(id_attr);
	sb = rdr_sandbox_next(&id);
	if (sb && sb->id != nla_get_u32(id_attr)) {
		rdr_sandbox_put(sb);
		sb = NULL;
	}
	if (!sb)
		return cb->args[1] ? 0 : -ENOENT;
	ret = rdr_sandbox_copy_rules(sb, &rules, &hits, &count, &generation);
	rdr_sandbox_put(sb);
	if (ret)
		return ret;
	for (i = cb->args[1]; i < count; i++) {
		void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
					&rdr_genl_family, NLM_F_MULTI, REDIRECT_CMD_GET_RULES);

		if (!hdr)
			break;
		if (nla_put_u32(skb, REDIRECT_A_SANDBOX_ID, nla_get_u32(id_attr)) ||
		    nla_put_u32(skb, REDIRECT_A_RULE_INDEX, i) || rdr_nl_put_rule(skb, &rules[i]) ||
		    nla_put_u64_64bit(skb, REDIRECT_A_HITS, hits[i], REDIRECT_A_PAD) ||
		    nla_put_u64_64bit(skb, REDIRECT_A_RULES_GENERATION, generation,
				      REDIRECT_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[1] = i;
	kvfree(rules);
	kvfree(hits);
	return skb->len;
}

/* The extended ack for a rule that failed validation at @field. */
static void rdr_nl_rule_error(struct netlink_ext_ack *extack, const struct nlattr *bad,
			      u32 field)
{
	switch (field) {
	case REDIRECT_RULE_FIELD_NR:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: syscall number out of range");
		break;
	case REDIRECT_RULE_FIELD_VERDICT:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: unknown verdict");
		break;
	case REDIRECT_RULE_FIELD_FLAGS:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: unknown flags");
		break;
	case REDIRECT_RULE_FIELD_VALUE:
		NL_SET_ERR_MSG_ATTR(extack, bad,
				    "rule: value does not fit the verdict (errno 1..4095 but not 512..516; a value outside -4095..-1)");
		break;
	case REDIRECT_RULE_FIELD_NR_ARGS:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: more than six argument comparisons");
		break;
	case REDIRECT_RULE_FIELD_ARG_INDEX:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: argument index out of range");
		break;
	case REDIRECT_RULE_FIELD_ARG_OP:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: unknown comparison");
		break;
	case REDIRECT_RULE_FIELD_ARG_PAD:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: argument comparison padding not zero");
		break;
	case REDIRECT_RULE_FIELD_STR_INDEX:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: string argument index out of range");
		break;
	case REDIRECT_RULE_FIELD_STR_MATCH:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: unknown string match");
		break;
	case REDIRECT_RULE_FIELD_STR_REREAD:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: string argument read twice");
		break;
	case REDIRECT_RULE_FIELD_STR_LEN:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: string length out of range");
		break;
	case REDIRECT_RULE_FIELD_STR:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: string holds NUL or a non-zero tail");
		break;
	case REDIRECT_RULE_FIELD_PAD:
		NL_SET_ERR_MSG_ATTR(extack, bad, "rule: padding not zero");
		break;
	default:
		NL_SET_BAD_ATTR(extack, bad);
		break;
	}
}

/*
 * Every command that changes state needs what /dev/redirect needs:
 * CAP_SYS_ADMIN in the initial user namespace, on top of the family's
 * CAP_NET_ADMIN (GENL_ADMIN_PERM, enough to read). netlink_capable() asks
 * both the sender and the opener of the socket, as GENL_ADMIN_PERM does, so
 * a socket handed from a privileged process to another cannot launder it.
 * GENL_UNS_ADMIN_PERM would ask the network namespace's owning user
 * namespace instead; the family lives only in init_net, whose owner is the
 * initial user namespace, so both agree, and capable-in-init is what the
 * device asks for. Checked in each mutating doit rather than in a
 * family-wide pre_doit, whose signature differs between kernels.
 */
static int rdr_nl_may_change(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(info->extack, "changing state needs CAP_SYS_ADMIN");
	return -EPERM;
}

/* One REDIRECT_A_RULE, already checked against rdr_nl_rule_policy, into @r. */
static int rdr_nl_parse_rule(const struct nlattr *nest, struct redirect_rule *r,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[REDIRECT_RULE_A_MAX + 1], *atb[REDIRECT_ARG_A_MAX + 1], *a;
	struct redirect_arg_cmp *cmp;
	int rem, ret;

	memset(r, 0, sizeof(*r));
	ret = nla_parse_nested(tb, REDIRECT_RULE_A_MAX, nest, rdr_nl_rule_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, REDIRECT_RULE_A_NR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, REDIRECT_RULE_A_VERDICT))
		return -EINVAL;
	r->nr = nla_get_u32(tb[REDIRECT_RULE_A_NR]);
	r->verdict = nla_get_u32(tb[REDIRECT_RULE_A_VERDICT]);
	if (tb[REDIRECT_RULE_A_FLAGS])
		r->flags = nla_get_u32(tb[REDIRECT_RULE_A_FLAGS]);
	if (tb[REDIRECT_RULE_A_VALUE])
		r->value = nla_get_s64(tb[REDIRECT_RULE_A_VALUE]);
	if (tb[REDIRECT_RULE_A_LIMIT])
		r->limit = nla_get_u64(tb[REDIRECT_RULE_A_LIMIT]);
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != REDIRECT_RULE_A_ARG)
			continue;
		if (r->nr_args == REDIRECT_ARGS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "rule: more than six argument comparisons");
			return -EINVAL;
		}
		ret = nla_parse_nested(atb, REDIRECT_ARG_A_MAX, a, rdr_nl_arg_policy, extack);
		if (ret)
			return ret;
		if (NL_REQ_ATTR_CHECK(extack, a, atb, REDIRECT_ARG_A_INDEX) ||
		    NL_REQ_ATTR_CHECK(extack, a, atb, REDIRECT_ARG_A_OP) ||
		    NL_REQ_ATTR_CHECK(extack, a, atb, REDIRECT_ARG_A_MASK) ||
		    NL_REQ_ATTR_CHECK(extack, a, atb, REDIRECT_ARG_A_VALUE))
			return -EINVAL;
		cmp = &r->args[r->nr_args++];
		cmp->index = nla_get_u8(atb[REDIRECT_ARG_A_INDEX]);
		cmp->op = nla_get_u8(atb[REDIRECT_ARG_A_OP]);
		cmp->mask = nla_get_u64(atb[REDIRECT_ARG_A_MASK]);
		cmp->value = nla_get_u64(atb[REDIRECT_ARG_A_VALUE]);
	}
	if (!tb[REDIRECT_RULE_A_STR_INDEX] && !tb[REDIRECT_RULE_A_STR_MATCH] &&
	    !tb[REDIRECT_RULE_A_STR])
		return 0;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, REDIRECT_RULE_A_STR_INDEX) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, REDIRECT_RULE_A_STR_MATCH) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, REDIRECT_RULE_A_STR)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "rule: STR_INDEX, STR_MATCH and STR go together");
		return -EINVAL;
	}
	r->str_index = nla_get_u8(tb[REDIRECT_RULE_A_STR_INDEX]);
	r->str_match = nla_get_u8(tb[REDIRECT_RULE_A_STR_MATCH]);
	r->str_len = nla_len(tb[REDIRECT_RULE_A_STR]);
	nla_memcpy(r->str, tb[REDIRECT_RULE_A_STR], sizeof(r->str));
	return 0;
}

static int rdr_nl_set_rules_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rdr_rules_error err;
	struct redirect_rule *rules;
	struct rdr_ruleset *set;
	struct rdr_sandbox *sb;
	struct nlattr *attr, *bad = NULL;
	u32 count = 0;
	int rem;

	rem = rdr_nl_may_change(skb, info);
	if (rem)
		return rem;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != REDIRECT_A_RULE)
			continue;
		if (++count > REDIRECT_RULES_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "more than REDIRECT_RULES_MAX rules");
			return -E2BIG;
		}
	}
	rules = kvcalloc(max(count, 1U), sizeof(*rules), GFP_KERNEL | __GFP_NOWARN);
	if (!rules)
		return -ENOMEM;
	count = 0;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		int ret;

		if (nla_type(attr) != REDIRECT_A_RULE)
			continue;
		ret = rdr_nl_parse_rule(attr, &rules[count++], info->extack);
		if (ret) {
			kvfree(rules);
			return ret;
		}
	}
	set = rdr_ruleset_build(rules, count, &err);
	kvfree(rules);
	if (IS_ERR(set)) {
		count = 0;
		nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem)
			if (nla_type(attr) == REDIRECT_A_RULE && count++ == err.rule)
				bad = attr;
		rdr_nl_rule_error(info->extack, bad, err.field);
		return PTR_ERR(set);
	}
	sb = rdr_nl_sandbox(info);
	if (IS_ERR(sb)) {
		rdr_ruleset_free(set);
		return PTR_ERR(sb);
	}
	rem = rdr_sandbox_replace_rules(sb, set);
	rdr_sandbox_put(sb);
	return rem;
}

/*
 * Privilege: every command needs CAP_NET_ADMIN (GENL_ADMIN_PERM), and the
 * ones that change state (SET_RULES) CAP_SYS_ADMIN as well
 * (rdr_nl_may_change()). Reading is a network administrator's business, as
 * for the rest of the netlink families (statistics and names of sandboxes,
 * like sockets and routes), and monitoring needs no more. Changing rules
 * changes what sandboxed programs may do, which only the holder of
 * /dev/redirect may (CAP_SYS_ADMIN): a host-network container or a network
 * daemon holds CAP_NET_ADMIN and must not rewrite a sandbox's rules.
 */
static const struct genl_ops rdr_genl_ops[] = {
	{
		.cmd = REDIRECT_CMD_GET_SANDBOX,
		.doit = rdr_nl_get_sandbox_doit,
		.dumpit = rdr_nl_get_sandbox_dumpit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = REDIRECT_CMD_GET_STATS,
		.dumpit = rdr_nl_get_stats_dumpit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = REDIRECT_CMD_GET_RULES,
		.dumpit = rdr_nl_get_rules_dumpit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = REDIRECT_CMD_SET_RULES,
		.doit = rdr_nl_set_rules_doit,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family rdr_genl_family __ro_after_init = {
	.name = REDIRECT_GENL_NAME,
	.version = REDIRECT_GENL_VERSION,
	.maxattr = REDIRECT_A_MAX,
	.policy = rdr_nl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = rdr_genl_ops,
	.n_ops = ARRAY_SIZE(rdr_genl_ops),
	/*
	 * Zero: the core checks every command strictly, as for a new family
	 * (genlmsghdr.reserved zero, no stray nlmsg_flags, no attribute
	 * without a policy). Version 2 broke the rule attributes' format, so no
	 * client of the lenient version 1 checks is left to keep working, and
	 * commands added later get the same checks without touching this.
	 */
	.resv_start_op = 0,
	.mcgrps = rdr_mcgrps,
	.n_mcgrps = ARRAY_SIZE(rdr_mcgrps),
};

/*
 * Audit events. The fast path runs in atomic context under the listener's
 * wait-queue lock: it only queues a small record (lock-free) and a work item
 * sends it, so no netlink lock nests inside seccomp's.
 */
struct rdr_event {
	struct llist_node node;
	u32 sandbox_id;
	u32 pid;
	u32 nr;
	u32 verdict;
	s64 value;
	u32 rule;
};

static LLIST_HEAD(rdr_events);
static atomic64_t rdr_events_dropped;
static DEFINE_RATELIMIT_STATE(rdr_events_rs, HZ, 1000);
static void rdr_events_send(struct work_struct *work);
static DECLARE_WORK(rdr_events_work, rdr_events_send);
static bool rdr_events_live;

static void rdr_event_send_one(const struct rdr_event *ev, u64 dropped)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &rdr_genl_family, 0, REDIRECT_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, REDIRECT_A_SANDBOX_ID, ev->sandbox_id) ||
	    nla_put_u32(msg, REDIRECT_A_PID, ev->pid) ||
	    nla_put_u32(msg, REDIRECT_A_SYSCALL_NR, ev->nr) ||
	    nla_put_u32(msg, REDIRECT_A_VERDICT, ev->verdict) ||
	    nla_put_s64(msg, REDIRECT_A_VALUE, ev->value, REDIRECT_A_PAD) ||
	    nla_put_u32(msg, REDIRECT_A_RULE_INDEX, ev->rule) ||
	    (dropped && nla_put_u64_64bit(msg, REDIRECT_A_DROPPED, dropped, REDIRECT_A_PAD))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&rdr_genl_family, msg, 0, RDR_MCGRP_EVENTS, GFP_KERNEL);
}

static void rdr_events_send(struct work_struct *work)
{
	struct llist_node *list = llist_reverse_order(llist_del_all(&rdr_events));
	struct rdr_event *ev, *tmp;

	llist_for_each_entry_safe(ev, tmp, list, node) {
		rdr_event_send_one(ev, atomic64_xchg(&rdr_events_dropped, 0));
		kfree(ev);
	}
}

/* Atomic context: called by the fast path for rules with REDIRECT_RULE_AUDIT. */
void rdr_event_audit(u32 sandbox_id, u32 nr, u32 verdict, s64 value, u32 rule)
{
	struct rdr_event *ev;

	if (!READ_ONCE(rdr_events_live) ||
	    !genl_has_listeners(&rdr_genl_family, &init_net, RDR_MCGRP_EVENTS))
		return;
	if (!__ratelimit(&rdr_events_rs)) {
		atomic64_inc(&rdr_events_dropped);
		return;
	}
	ev = kmalloc(sizeof(*ev), GFP_NOWAIT | __GFP_NOWARN);
	if (!ev) {
		atomic64_inc(&rdr_events_dropped);
		return;
	}
	ev->sandbox_id = sandbox_id;
	ev->pid = task_pid_nr(current);
	ev->nr = nr;
	ev->verdict = verdict;
	ev->value = value;
	ev->rule = rule;
	llist_add(&ev->node, &rdr_events);
	schedule_work(&rdr_events_work);
}

int rdr_netlink_init(void)
{
	int ret;

	ratelimit_set_flags(&rdr_events_rs, RATELIMIT_MSG_ON_RELEASE);
	ret = genl_register_family(&rdr_genl_family);
	if (!ret)
		WRITE_ONCE(rdr_events_live, true);
	return ret;
}

void rdr_netlink_exit(void)
{
	struct llist_node *list;
	struct rdr_event *ev, *tmp;

	/* No sandbox is left (each holds a module reference): no new events. */
	WRITE_ONCE(rdr_events_live, false);
	cancel_work_sync(&rdr_events_work);
	list = llist_del_all(&rdr_events);
	llist_for_each_entry_safe(ev, tmp, list, node)
		kfree(ev);
	genl_unregister_family(&rdr_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(REDIRECT_GENL_NAME);
