// SPDX-License-Identifier: GPL-2.0
/*
 * A sandbox's tier-1 rule set: validation, indexing by syscall number, RCU free.
 */
#include "rules.h"
#include "main.h"

#include <linux/errno.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

/*
 * Build an indexed copy of @count validated rules. On a bad rule returns
 * ERR_PTR(-EINVAL) with @err naming it; the caller's array is not kept.
 */
struct rdr_ruleset *rdr_ruleset_build(const struct redirect_rule *rules, u32 count,
				      struct rdr_rules_error *err)
{
	struct rdr_ruleset *set;
	u32 i, j, n, pos;

	memset(err, 0, sizeof(*err));
	if (count > REDIRECT_RULES_MAX)
		return ERR_PTR(-E2BIG);
	for (i = 0; i < count; i++) {
		u32 arg;
		enum redirect_rule_field f = rdr_rule_check(&rules[i], &arg);

		if (f != REDIRECT_RULE_FIELD_NONE) {
			err->rule = i;
			err->field = f;
			err->arg = arg;
			return ERR_PTR(-EINVAL);
		}
	}

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);
	set->count = count;
	if (count) {
		set->rules = kvmalloc_array(count, sizeof(*set->rules), GFP_KERNEL | __GFP_NOWARN);
		set->orig_index = kvmalloc_array(count, sizeof(*set->orig_index),
						 GFP_KERNEL | __GFP_NOWARN);
		set->hits = kvcalloc(count, sizeof(*set->hits), GFP_KERNEL | __GFP_NOWARN);
		if (!set->rules || !set->orig_index || !set->hits) {
			rdr_ruleset_free(set);
			return ERR_PTR(-ENOMEM);
		}
	}

	/* Counting sort by nr: stable, so first-match order survives. */
	for (i = 0; i < count; i++)
		set->span[rules[i].nr].count++;
	for (n = 0, pos = 0; n < RDR_NR_LIMIT; n++) {
		set->span[n].first = pos;
		pos += set->span[n].count;
	}
	for (n = 0; n < RDR_NR_LIMIT; n++)
		set->span[n].count = 0;
	for (i = 0; i < count; i++) {
		struct rdr_nr_span *s = &set->span[rules[i].nr];

		j = s->first + s->count++;
		set->rules[j] = rules[i];
		set->orig_index[j] = i;
	}
	for (n = 0; n < RDR_NR_LIMIT; n++) {
		const struct rdr_nr_span *s = &set->span[n];

		j = rdr_rules_str_reread(set->rules, s->first, s->count);
		if (j < s->first + s->count) {
			err->rule = set->orig_index[j];
			err->field = REDIRECT_RULE_FIELD_STR_REREAD;
			rdr_ruleset_free(set);
			return ERR_PTR(-EINVAL);
		}
	}
	return set;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_ruleset_build);

void rdr_ruleset_free(struct rdr_ruleset *set)
{
	if (!set)
		return;
	kvfree(set->rules);
	kvfree(set->orig_index);
	kvfree(set->hits);
	kfree(set);
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_ruleset_free);

static void rdr_ruleset_free_cb(struct rcu_head *rcu)
{
	rdr_ruleset_free(container_of(rcu, struct rdr_ruleset, rcu));
}

/* Free once every fast path that may still be reading @set has finished. */
void rdr_ruleset_free_rcu(struct rdr_ruleset *set)
{
	if (set)
		call_rcu(&set->rcu, rdr_ruleset_free_cb);
}
