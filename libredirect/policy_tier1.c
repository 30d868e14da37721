// SPDX-License-Identifier: GPL-2.0
/* The tier-1 rules of a policy (redirect.rules) and the check that string rules stay sound. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "policy.h"
#include "rules_eval.h"

/* ---- tier-1 rules ------------------------------------------------------------------ */

static int check_x86_64_syscall(struct policy_loader *l, const char *s)
{
	if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, s) < 0)
		return policy_fail(l, "unknown x86-64 system call \"%s\"", s);
	return 0;
}

static const struct {
	const char *name;
	const char *scmp;
	enum redirect_cmp op;
} trule_ops[] = {
	{ "EQ", "SCMP_CMP_EQ", REDIRECT_CMP_EQ },
	{ "NE", "SCMP_CMP_NE", REDIRECT_CMP_NE },
	{ "LT", "SCMP_CMP_LT", REDIRECT_CMP_LT },
	{ "LE", "SCMP_CMP_LE", REDIRECT_CMP_LE },
	{ "GT", "SCMP_CMP_GT", REDIRECT_CMP_GT },
	{ "GE", "SCMP_CMP_GE", REDIRECT_CMP_GE },
};

/* An integer as 64 bits: non-negative as it is, negative in two's complement. */
static int get_bits64(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	uint64_t *out = f->dst;
	int ret = policy_expect_type(l, o, json_type_int, "an integer");

	if (ret < 0)
		return ret;
	if (json_object_get_int64(o) < 0)
		*out = (uint64_t)json_object_get_int64(o);
	else
		*out = json_object_get_uint64(o);
	return 0;
}

static int parse_trule_op(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	uint8_t *op = f->dst;
	const char *s;
	size_t i;
	int ret;

	ret = policy_get_string(l, v, 32, &s);
	if (ret < 0)
		return ret;
	for (i = 0; i < ARRAY_SIZE(trule_ops); i++) {
		if (!strcmp(trule_ops[i].name, s) || !strcmp(trule_ops[i].scmp, s)) {
			*op = (uint8_t)trule_ops[i].op;
			return 0;
		}
	}
	return policy_fail(l, "unknown comparison \"%s\" (EQ, NE, LT, LE, GT, GE)", s);
}

static int parse_trule_arg(struct policy_loader *l, json_object *o, size_t i, void *ctx)
{
	struct redirect_rule *r = ctx;
	struct redirect_arg_cmp *a = &r->args[i];
	static const char *const known[] = { "index", "value", "mask", "op", NULL };
	uint64_t index = 0, value = 0, mask = UINT64_MAX;
	const struct policy_field fields[] = {
		{ .key = "index", .flags = POLICY_REQUIRED, .parse = policy_parse_u64,
		  .dst = &index, .max = REDIRECT_ARGS_MAX - 1 },
		{ .key = "value", .flags = POLICY_REQUIRED, .parse = get_bits64, .dst = &value },
		{ .key = "mask", .parse = get_bits64, .dst = &mask },
		{ .key = "op", .flags = POLICY_REQUIRED, .parse = parse_trule_op, .dst = &a->op },
	};
	int ret = policy_object_fields(l, o, known, fields, ARRAY_SIZE(fields));

	a->index = (uint8_t)index;
	a->value = value;
	a->mask = mask;
	return ret;
}

/* "exact" or "prefix" (f->arg not NULL) into the rule's string. */
static int parse_match(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	struct redirect_rule *r = f->dst;
	const char *s;
	size_t len;
	int ret;

	ret = policy_expect_type(l, v, json_type_string, "a string");
	if (ret < 0)
		return ret;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != len)
		return policy_fail(l, "string contains a NUL character");
	if (len > REDIRECT_STR_MAX - 1)
		return policy_fail(l, "string longer than %d bytes", REDIRECT_STR_MAX - 1);
	if (!len && f->arg)
		return policy_fail(l, "empty prefix (it would match every string)");
	r->str_match = f->arg ? REDIRECT_STR_PREFIX : REDIRECT_STR_EXACT;
	r->str_len = (uint32_t)len;
	memcpy(r->str, s, len);
	return 0;
}

static int parse_trule_string(struct policy_loader *l, json_object *o,
			      const struct policy_field *f)
{
	static const char *const known[] = { "index", "exact", "prefix", NULL };
	struct redirect_rule *r = f->dst;
	json_object *ex, *pre;
	uint64_t index = 0;
	const struct policy_field fields[] = {
		{ .key = "index", .flags = POLICY_REQUIRED, .parse = policy_parse_u64,
		  .dst = &index, .max = REDIRECT_ARGS_MAX - 1 },
		{ .key = "exact", .parse = parse_match, .dst = r },
		{ .key = "prefix", .parse = parse_match, .dst = r, .arg = "" },
	};
	int ret;

	ret = policy_object(l, o, known);
	if (ret == 0)
		ret = policy_field(l, o, &fields[0]);
	if (ret < 0)
		return ret;
	r->str_index = (uint8_t)index;
	json_object_object_get_ex(o, "exact", &ex);
	json_object_object_get_ex(o, "prefix", &pre);
	if (!ex == !pre)
		return policy_fail(l, "exactly one of \"exact\" and \"prefix\" is needed");
	ret = policy_field(l, o, &fields[ex ? 1 : 2]);
	return ret < 0 ? ret : 0;
}

static int parse_trule_action(struct policy_loader *l, json_object *o,
			      const struct policy_field *f)
{
	struct redirect_rule *r = f->dst;
	const char *s;
	long long v;
	char *end;
	int errnum, ret;

	ret = policy_get_string(l, o, 64, &s);
	if (ret < 0)
		return ret;
	if (!strcmp(s, "kill")) {
		r->verdict = REDIRECT_VERDICT_KILL;
	} else if (!strcmp(s, "forward")) {
		r->verdict = REDIRECT_VERDICT_FORWARD;
	} else if (!strncmp(s, "errno:", 6)) {
		if (redirect_errno_parse(s + 6, &errnum) < 0)
			return policy_fail(l, "unknown errno \"%s\"", s + 6);
		if (rdr_errno_is_restart(errnum))
			return policy_fail(l, "errno %d is one of the kernel's restart codes "
					   "(%d..%d): the call would be restarted, not failed",
					   errnum, RDR_ERRNO_RESTART_FIRST, RDR_ERRNO_RESTART_LAST);
		r->verdict = REDIRECT_VERDICT_ERRNO;
		r->value = errnum;
	} else if (!strncmp(s, "value:", 6)) {
		errno = 0;
		v = strtoll(s + 6, &end, 0);
		if (!s[6] || *end || errno)
			return policy_fail(l, "\"%s\": not a 64-bit integer", s + 6);
		if (v < 0 && v >= -4095)
			return policy_fail(l, "value %lld would read as an error: use \"errno:%lld\"", v,
				    -v);
		r->verdict = REDIRECT_VERDICT_VALUE;
		r->value = v;
	} else {
		return policy_fail(l, "expected \"errno:NAME\", \"value:N\", \"kill\" or \"forward\", "
			    "got \"%s\"", s);
	}
	return 0;
}

static int parse_trule_args(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	struct redirect_rule *r = f->dst;
	size_t n;
	int ret;

	ret = policy_array_length(l, v, REDIRECT_ARGS_MAX, "comparisons", &n);
	if (ret < 0)
		return ret;
	r->nr_args = (uint8_t)n;
	return policy_for_each_element(l, v, parse_trule_arg, r);
}

static int parse_audit(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	struct redirect_rule *r = f->dst;
	bool audit = false;
	const struct policy_field b = { .dst = &audit };
	int ret;

	ret = policy_parse_bool(l, v, &b);
	if (ret == 0 && audit)
		r->flags |= REDIRECT_RULE_AUDIT;
	return ret;
}

static int parse_trule(struct policy_loader *l, json_object *o, size_t i, void *ctx)
{
	struct redirect_policy *p = ctx;
	struct policy_trule *t = &p->trules[p->n_trules++];
	static const char *const known[] = { "names", "name", "args", "string", "action",
					     "limit", "audit", "comment", NULL };
	struct redirect_rule *r = &t->tmpl;
	uint64_t limit = r->limit;
	const struct policy_field fields[] = {
		{ .key = "args", .parse = parse_trule_args, .dst = r },
		{ .key = "string", .parse = parse_trule_string, .dst = r },
		{ .key = "action", .flags = POLICY_REQUIRED, .parse = parse_trule_action,
		  .dst = r },
		{ .key = "limit", .parse = policy_parse_u64, .dst = &limit, .max = UINT64_MAX },
		{ .key = "audit", .parse = parse_audit, .dst = r },
		{ .key = "comment", .parse = policy_parse_comment },
	};
	enum redirect_rule_field field;
	uint32_t bad;
	int ret;

	ret = policy_object(l, o, known);
	if (ret < 0)
		return ret;
	if (asprintf(&t->where, "%s: %s", l->origin, l->path) < 0) {
		t->where = NULL;
		return policy_fail(l, "out of memory");
	}
	ret = policy_parse_names(l, o, check_x86_64_syscall, &t->names, &t->n_names);
	if (ret == 0)
		ret = policy_fields(l, o, fields, ARRAY_SIZE(fields));
	if (ret < 0)
		return ret;
	r->limit = limit;
	/* the module's own check, so that both sides agree on what is valid */
	field = rdr_rule_check(r, &bad);
	if (field != REDIRECT_RULE_FIELD_NONE) {
		char what[160];

		return policy_fail(l, "%s", rule_field_text(field, bad, what, sizeof(what)));
	}
	return 0;
}

int policy_parse_tier1(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	struct redirect_policy *p = f->dst;
	size_t n;
	int ret;

	ret = policy_array_length(l, v, REDIRECT_RULES_MAX, "rules", &n);
	if (ret < 0)
		return ret;
	p->trules = calloc(n ? n : 1, sizeof(*p->trules));
	if (!p->trules)
		return policy_fail(l, "out of memory");
	return policy_for_each_element(l, v, parse_trule, p);
}

void policy_free_tier1(struct policy_trule *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		policy_free_strv(t[i].names, t[i].n_names);
		free(t[i].where);
	}
	free(t);
}

static bool in_calls(const char *const *calls, const char *name)
{
	for (; *calls; calls++)
		if (!strcmp(*calls, name))
			return true;
	return false;
}

/* A Sentry handler performs @name itself under this policy: it never continues. */
static bool sentry_performs(const struct redirect_policy *p, const char *name)
{
	return (p->has_uname && !strcmp(name, "uname")) ||
	       ((p->has & POLICY_HAS_FILES) && in_calls(policy_files_calls, name)) ||
	       (policy_serves_synth(p) && in_calls(policy_synth_calls, name)) ||
	       ((p->has & POLICY_HAS_CONNECT) && in_calls(policy_connect_calls, name)) ||
	       ((p->has & POLICY_HAS_MOUNT) && in_calls(policy_mount_calls, name)) ||
	       ((p->has & POLICY_HAS_SYSINFO) && in_calls(policy_sysinfo_calls, name));
}

bool redirect_policy_paths_continue(const struct redirect_policy *p)
{
	size_t i, j;

	if (p->has & POLICY_HAS_FILES)
		return false;
	for (i = 0; i < p->n_trules; i++) {
		if (p->trules[i].tmpl.str_match == REDIRECT_STR_NONE)
			continue;
		for (j = 0; j < p->trules[i].n_names; j++)
			if (in_calls(policy_synth_calls, p->trules[i].names[j]))
				return false;
	}
	return true;
}

/*
 * A string rule decides on the target's memory. A call it does not match
 * (or forwards) reaches the Sentry; were the answer CONTINUE, the kernel
 * would read the string again, after the target may have changed it, and
 * the rule would have decided nothing. So each call a string rule names
 * needs a handler that performs it or a Sentry default that is not
 * "continue".
 */
int policy_check_string_rules(struct policy_loader *l, const struct redirect_policy *p)
{
	size_t i, j;

	if (p->default_verdict.kind != REDIRECT_ANSWER_CONTINUE)
		return 0;
	for (i = 0; i < p->n_trules; i++) {
		const struct policy_trule *t = &p->trules[i];

		if (t->tmpl.str_match == REDIRECT_STR_NONE)
			continue;
		for (j = 0; j < t->n_names; j++)
			if (!sentry_performs(p, t->names[j]))
				return redirect_make_error(l->err, EINVAL,
					"%s: a string rule on \"%s\" with sentry.default "
					"\"continue\": a call the rule does not match would "
					"continue, and the kernel would read the string again "
					"(the target may have changed it). Give the Sentry a "
					"handler for it (e.g. \"files\" rules) or a default "
					"errno", t->where, t->names[j]);
	}
	return 0;
}
