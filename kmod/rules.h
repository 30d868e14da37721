/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sandbox's tier-1 rule set: built from user space, read under RCU.
 */
#ifndef _RDR_RULES_H
#define _RDR_RULES_H

#include "rules_eval.h"

#include <linux/rcupdate.h>

/* Where the rules of one syscall number start, and how many there are. */
struct rdr_nr_span {
	u16 first;
	u16 count;
};

struct rdr_ruleset {
	struct rcu_head rcu;
	u32 count;
	u64 generation;			/* bumped by every replacement */
	struct redirect_rule *rules;	/* sorted by nr, stable */
	u32 *orig_index;		/* rules[i] came from user index orig_index[i] */
	rdr_hits_t *hits;		/* parallel to rules */
	struct rdr_nr_span span[RDR_NR_LIMIT];
};

/* Result of validating a user rule array: what and where. */
struct rdr_rules_error {
	u32 rule;
	u32 field;	/* enum redirect_rule_field */
	u32 arg;
};

struct rdr_ruleset *rdr_ruleset_build(const struct redirect_rule *rules, u32 count,
				      struct rdr_rules_error *err);
void rdr_ruleset_free(struct rdr_ruleset *set);
void rdr_ruleset_free_rcu(struct rdr_ruleset *set);

static inline const struct rdr_nr_span *rdr_ruleset_span(const struct rdr_ruleset *set, u32 nr)
{
	return nr < RDR_NR_LIMIT ? &set->span[nr] : NULL;
}

#endif /* _RDR_RULES_H */
