/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The tier-1 rule engine: validation and matching of struct redirect_rule.
 * One source for both sides: redirect.ko includes it, and libredirect
 * compiles the very same file for portable mode, so the kernel and user
 * space cannot disagree about what a rule means.
 *
 * Everything here is pure and non-sleeping; the caller supplies the string
 * argument (read without faulting in the kernel, from /proc/<pid>/mem in user
 * space) and the per-rule hit counters.
 */
#ifndef _RDR_RULES_EVAL_H
#define _RDR_RULES_EVAL_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/atomic.h>
typedef atomic64_t rdr_hits_t;

/* Count a decision unless the rule's limit is used up. */
static inline bool rdr_hit_take(rdr_hits_t *hits, u64 limit)
{
	if (!limit) {
		atomic64_inc(hits);
		return true;
	}
	return atomic64_add_unless(hits, 1, (s64)limit);
}

static inline u64 rdr_hits_read(rdr_hits_t *hits)
{
	return atomic64_read(hits);
}
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef uint64_t rdr_hits_t;

static inline bool rdr_hit_take(rdr_hits_t *hits, u64 limit)
{
	u64 old = __atomic_load_n(hits, __ATOMIC_RELAXED);

	do {
		if (limit && old >= limit)
			return false;
	} while (!__atomic_compare_exchange_n(hits, &old, old + 1, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

static inline u64 rdr_hits_read(rdr_hits_t *hits)
{
	return __atomic_load_n(hits, __ATOMIC_RELAXED);
}
#endif

#include <linux/redirect.h>

/* Syscall numbers a rule may name (x86-64 has fewer than 512). */
#define RDR_NR_LIMIT 1024
#define RDR_ERRNO_MAX 4095
/*
 * The kernel's restart codes, ERESTARTSYS (512) to ERESTART_RESTARTBLOCK
 * (516): a call that returns one of them is restarted, not failed (the fast
 * path would restart it for ever), and user space would see errno 512. No
 * rule may answer with them.
 */
#define RDR_ERRNO_RESTART_FIRST 512
#define RDR_ERRNO_RESTART_LAST 516

static inline bool rdr_errno_is_restart(s64 e)
{
	return e >= RDR_ERRNO_RESTART_FIRST && e <= RDR_ERRNO_RESTART_LAST;
}

static inline bool rdr_bytes_zero(const void *p, size_t n)
{
	const u8 *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/*
 * Check every field of @r. Returns REDIRECT_RULE_FIELD_NONE when the rule is
 * well-formed, else the first bad field; *bad_arg is set for ARG_* fields.
 */
static inline enum redirect_rule_field rdr_rule_check(const struct redirect_rule *r,
						      u32 *bad_arg)
{
	u32 i;

	*bad_arg = 0;
	if (r->nr >= RDR_NR_LIMIT)
		return REDIRECT_RULE_FIELD_NR;
	switch (r->verdict) {
	case REDIRECT_VERDICT_FORWARD:
	case REDIRECT_VERDICT_KILL:
		if (r->value)
			return REDIRECT_RULE_FIELD_VALUE;
		break;
	case REDIRECT_VERDICT_ERRNO:
		if (r->value < 1 || r->value > RDR_ERRNO_MAX || rdr_errno_is_restart(r->value))
			return REDIRECT_RULE_FIELD_VALUE;
		break;
	case REDIRECT_VERDICT_VALUE:
		/* A value in the errno range would read as a failure. */
		if (r->value < 0 && r->value >= -RDR_ERRNO_MAX)
			return REDIRECT_RULE_FIELD_VALUE;
		break;
	default:
		return REDIRECT_RULE_FIELD_VERDICT;
	}
	if (r->flags & ~REDIRECT_RULE_FLAGS_ALL)
		return REDIRECT_RULE_FIELD_FLAGS;
	if (r->pad)
		return REDIRECT_RULE_FIELD_PAD;
	if (r->nr_args > REDIRECT_ARGS_MAX)
		return REDIRECT_RULE_FIELD_NR_ARGS;
	for (i = 0; i < REDIRECT_ARGS_MAX; i++) {
		const struct redirect_arg_cmp *a = &r->args[i];

		*bad_arg = i;
		if (i >= r->nr_args) {
			/* Unused slots must be zero: room for later extensions. */
			if (!rdr_bytes_zero(a, sizeof(*a)))
				return REDIRECT_RULE_FIELD_ARG_PAD;
			continue;
		}
		if (a->index >= REDIRECT_ARGS_MAX)
			return REDIRECT_RULE_FIELD_ARG_INDEX;
		if (a->op < REDIRECT_CMP_EQ || a->op > REDIRECT_CMP_GE)
			return REDIRECT_RULE_FIELD_ARG_OP;
		if (a->pad || a->pad2)
			return REDIRECT_RULE_FIELD_ARG_PAD;
	}
	*bad_arg = 0;
	switch (r->str_match) {
	case REDIRECT_STR_NONE:
		if (r->str_index || r->str_len)
			return r->str_index ? REDIRECT_RULE_FIELD_STR_INDEX :
					      REDIRECT_RULE_FIELD_STR_LEN;
		if (!rdr_bytes_zero(r->str, sizeof(r->str)))
			return REDIRECT_RULE_FIELD_STR;
		return REDIRECT_RULE_FIELD_NONE;
	case REDIRECT_STR_EXACT:
	case REDIRECT_STR_PREFIX:
		break;
	default:
		return REDIRECT_RULE_FIELD_STR_MATCH;
	}
	if (r->str_index >= REDIRECT_ARGS_MAX)
		return REDIRECT_RULE_FIELD_STR_INDEX;
	if (r->str_len >= REDIRECT_STR_MAX ||
	    (r->str_match == REDIRECT_STR_PREFIX && r->str_len == 0))
		return REDIRECT_RULE_FIELD_STR_LEN;
	/* The pattern holds no NUL (a path cannot) and the tail is zero. */
	if (memchr(r->str, 0, r->str_len) ||
	    !rdr_bytes_zero(r->str + r->str_len, sizeof(r->str) - r->str_len))
		return REDIRECT_RULE_FIELD_STR;
	return REDIRECT_RULE_FIELD_NONE;
}

static inline bool rdr_arg_cmp_holds(const struct redirect_arg_cmp *a, const u64 *args)
{
	u64 v = args[a->index] & a->mask;

	switch (a->op) {
	case REDIRECT_CMP_EQ:
		return v == a->value;
	case REDIRECT_CMP_NE:
		return v != a->value;
	case REDIRECT_CMP_LT:
		return v < a->value;
	case REDIRECT_CMP_LE:
		return v <= a->value;
	case REDIRECT_CMP_GT:
		return v > a->value;
	case REDIRECT_CMP_GE:
		return v >= a->value;
	}
	return false;
}

/* Do all of @r's argument comparisons hold for @args (six of them)? */
static inline bool rdr_rule_args_hold(const struct redirect_rule *r, const u64 *args)
{
	u32 i;

	for (i = 0; i < r->nr_args; i++)
		if (!rdr_arg_cmp_holds(&r->args[i], args))
			return false;
	return true;
}

/* Does the string @s of @len bytes (NUL not counted) match @r's pattern? */
static inline bool rdr_rule_str_holds(const struct redirect_rule *r, const char *s, size_t len)
{
	switch (r->str_match) {
	case REDIRECT_STR_NONE:
		return true;
	case REDIRECT_STR_EXACT:
		return len == r->str_len && !memcmp(s, r->str, len);
	case REDIRECT_STR_PREFIX:
		return len >= r->str_len && !memcmp(s, r->str, r->str_len);
	}
	return false;
}

/*
 * One call number's rules, rules[first .. first+count) in load order: the
 * first whose string condition names an argument the rules before it had
 * already left for another (A, B, A), or first + count. rdr_rules_decide()
 * keeps one string at a time, so such a rule would read its argument a
 * second time for one decision, and the task may have changed it meanwhile.
 */
static inline u32 rdr_rules_str_reread(const struct redirect_rule *rules, u32 first, u32 count)
{
	u32 left = 0, cur = REDIRECT_ARGS_MAX, i;

	for (i = first; i < first + count; i++) {
		const struct redirect_rule *r = &rules[i];

		if (r->str_match == REDIRECT_STR_NONE || r->str_index == cur)
			continue;
		if (left & (1u << r->str_index))
			return i;
		left |= 1u << r->str_index;
		cur = r->str_index;
	}
	return first + count;
}

/*
 * Reads the NUL-terminated string at user address @uptr into @buf (@size
 * bytes). Returns its length, or a negative errno when it cannot be had
 * at once; the rule then does not match.
 */
typedef long (*rdr_fetch_str_fn)(void *ctx, u64 uptr, char *buf, size_t size);

struct rdr_decision {
	enum redirect_verdict verdict;
	s64 value;
	u32 rule;		/* index into the rule array; valid unless FORWARD by default */
	bool matched;		/* false: no rule decided, forward by default */
	bool audit;
};

/*
 * Evaluate rules[first .. first+count) for one call, in order; the first that
 * matches and still has budget decides. @hits runs parallel to @rules.
 * @strbuf is REDIRECT_STR_MAX bytes of scratch.
 */
static inline void rdr_rules_decide(const struct redirect_rule *rules, rdr_hits_t *hits,
				    u32 first, u32 count, const u64 *args,
				    rdr_fetch_str_fn fetch, void *ctx, char *strbuf,
				    struct rdr_decision *d)
{
	long fetched_len = -1;
	u32 fetched_index = REDIRECT_ARGS_MAX;
	u32 i;

	d->verdict = REDIRECT_VERDICT_FORWARD;
	d->value = 0;
	d->rule = 0;
	d->matched = false;
	d->audit = false;
	for (i = first; i < first + count; i++) {
		const struct redirect_rule *r = &rules[i];

		if (!rdr_rule_args_hold(r, args))
			continue;
		if (r->str_match != REDIRECT_STR_NONE) {
			/*
			 * Read each string argument at most once per call: the
			 * rule sets that would need one again are refused at
			 * load (rdr_rules_str_reread()).
			 */
			if (fetched_index != r->str_index) {
				fetched_index = r->str_index;
				fetched_len = fetch(ctx, args[r->str_index], strbuf,
						    REDIRECT_STR_MAX);
			}
			if (fetched_len < 0 ||
			    !rdr_rule_str_holds(r, strbuf, (size_t)fetched_len))
				continue;
		}
		if (!rdr_hit_take(&hits[i], r->limit))
			continue;
		d->verdict = (enum redirect_verdict)r->verdict;
		d->value = r->value;
		d->rule = i;
		d->matched = true;
		d->audit = r->flags & REDIRECT_RULE_AUDIT;
		return;
	}
}

#endif /* _RDR_RULES_EVAL_H */
