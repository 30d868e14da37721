// SPDX-License-Identifier: GPL-2.0
/* A policy's seccomp profile merged into a bundle's own: per call the stricter answer; no guessing. */
#include <stdio.h>
#include <string.h>

#include <linux/seccomp.h>
#include <json-c/json.h>

#include "policy.h"

/*
 * Both sides are the library's model of a profile (struct redirect_policy):
 * the policy as loaded, the bundle's linux.seccomp as redirect_oci_config_read()
 * parsed it.  Each is first seen per system call name, as the filter sees
 * it: the rules in force with their argument conditions.  The result is a
 * redirect_policy again, written by the one writer of linux.seccomp (oci.c).
 */

struct call_rule {
	const struct policy_arg *args;	/* NULL: unconditional */
	size_t n_args;
	uint32_t action;
};

struct call {
	const char *name;		/* borrowed from the side's policy */
	struct call_rule *rules;
	size_t n;
};

struct side {
	const char *what;		/* "the policy", "config.json" */
	uint32_t def;
	struct call *calls;
	size_t n_calls;
};

static void side_free(struct side *s)
{
	size_t i;

	for (i = 0; i < s->n_calls; i++)
		free(s->calls[i].rules);
	free(s->calls);
}

static struct call *find_call(const struct side *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_calls; i++)
		if (!strcmp(s->calls[i].name, name))
			return &s->calls[i];
	return NULL;
}

static int side_add(struct side *s, const char *name, const struct policy_arg *args,
		    size_t n_args, uint32_t action, struct redirect_error **err)
{
	struct call *c = find_call(s, name);
	struct call_rule *r;

	if (!c) {
		c = realloc(s->calls, (s->n_calls + 1) * sizeof(*c));
		if (!c)
			return redirect_make_error(err, ENOMEM, "out of memory");
		s->calls = c;
		c = &s->calls[s->n_calls++];
		*c = (struct call){ .name = name };
	}
	r = realloc(c->rules, (c->n + 1) * sizeof(*r));
	if (!r)
		return redirect_make_error(err, ENOMEM, "out of memory");
	c->rules = r;
	c->rules[c->n++] = (struct call_rule){ n_args ? args : NULL, n_args, action };
	return 0;
}

/* The policy's side: exactly what its own linux.seccomp would say. */
static int read_policy_side(const struct redirect_policy *p, struct side *s,
			    struct redirect_error **err)
{
	size_t i, j;
	int ret;

	s->def = p->default_action;
	for (i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (!oci_rule_written(p, r))
			continue;
		for (j = 0; j < r->n_names; j++) {
			if (!oci_name_written(p, r->names[j], true))
				continue;
			ret = side_add(s, r->names[j], r->args, r->n_args, r->action, err);
			if (ret < 0)
				return ret;
		}
	}
	if (p->default_action == SCMP_ACT_NOTIFY)
		return 0;
	for (i = 0; i < p->n_sentry_calls; i++) {
		if (!oci_name_written(p, p->sentry_calls[i], false))
			continue;
		ret = side_add(s, p->sentry_calls[i], NULL, 0, SCMP_ACT_NOTIFY, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The bundle's side: every rule in force (includes/excludes against its capabilities). */
static int read_bundle_side(const struct redirect_policy *b, struct side *s,
			    struct redirect_error **err)
{
	size_t i, j;
	int ret;

	s->def = b->default_action;
	for (i = 0; i < b->n_rules; i++) {
		const struct policy_rule *r = &b->rules[i];

		if (!policy_rule_applies(b, r))
			continue;
		for (j = 0; j < r->n_names; j++) {
			ret = side_add(s, r->names[j], r->args, r->n_args, r->action, err);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/*
 * The kernel runs every filter and keeps the answer of highest precedence:
 * the lowest action value read as signed (seccomp(2); KILL_PROCESS is
 * 0x80000000, ALLOW 0x7fff0000).  On a tie, b (the bundle's errno).
 */
static uint32_t stricter(uint32_t a, uint32_t b)
{
	return (int32_t)(a & SECCOMP_RET_ACTION_FULL) < (int32_t)(b & SECCOMP_RET_ACTION_FULL) ?
	       a : b;
}

/*
 * Two refusals with different errnos (ERRNO(EPERM) against ERRNO(ENOSYS)):
 * where one side's unmatched calls fall to the merged default, that
 * default's errno is the tie rule's answer (the bundle's), silently: a
 * runtime's stderr is the container's. Docker's profile
 * (the default policy) and Podman's differ so for clone. Not for ERRNO(0),
 * which is a success without the call, nor for TRACE or TRAP, whose data a
 * tracer or a SIGSYS handler acts on.
 */
static bool both_refuse(uint32_t a, uint32_t b)
{
	return (a & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_ERRNO(0) &&
	       (b & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_ERRNO(0) && (a & SECCOMP_RET_DATA) &&
	       (b & SECCOMP_RET_DATA);
}

static const char *action_text(uint32_t action, char *buf, size_t size)
{
	const char *name = policy_action_name(action);
	uint32_t base = action & SECCOMP_RET_ACTION_FULL;

	if (base == SCMP_ACT_ERRNO(0) || base == SCMP_ACT_TRACE(0))
		snprintf(buf, size, "%s(%u)", name, action & SECCOMP_RET_DATA);
	else
		snprintf(buf, size, "%s", name ? name : "?");
	return buf;
}

/*
 * One call's rules on one side: unconditional (1, *uncond), or a list of
 * argument conditions (0, *condp).  Unconditional and conditional rules
 * mixed have no single meaning.  Unconditional rules that disagree (Podman's
 * profile allows setns in its main list and denies it without CAP_SYS_ADMIN
 * in another; libseccomp keeps the first) count as the stricter of them:
 * never weaker than either reading.
 */
static int classify(const struct side *s, const char *name, uint32_t *uncond,
		    const struct call **condp, struct redirect_error **err)
{
	const struct call *c = find_call(s, name);
	size_t i, n_uncond = 0;

	*condp = NULL;
	if (!c) {
		*uncond = s->def;
		return 1;
	}
	for (i = 0; i < c->n; i++) {
		if (c->rules[i].n_args)
			continue;
		/* on a tie the first one's errno, as libseccomp */
		*uncond = n_uncond++ ? stricter(c->rules[i].action, *uncond) : c->rules[i].action;
	}
	if (n_uncond == c->n)
		return 1;
	if (n_uncond)
		return redirect_make_error(err, EINVAL, "%s: %s has both unconditional and "
					   "argument rules; cannot merge", s->what, name);
	*condp = c;
	return 0;
}

static bool same_args(const struct call_rule *a, const struct call_rule *b)
{
	size_t i;

	if (a->n_args != b->n_args)
		return false;
	for (i = 0; i < a->n_args; i++)
		if (a->args[i].index != b->args[i].index || a->args[i].op != b->args[i].op ||
		    a->args[i].value != b->args[i].value ||
		    a->args[i].value_two != b->args[i].value_two)
			return false;
	return true;
}

/* ---- the merged profile: a redirect_policy for the writer ---------------------- */

static int strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static struct policy_rule *new_rule(struct redirect_policy *m, uint32_t action)
{
	struct policy_rule *r = realloc(m->rules, (m->n_rules + 1) * sizeof(*r));

	if (!r)
		return NULL;
	m->rules = r;
	r = &m->rules[m->n_rules++];
	*r = (struct policy_rule){ .action = action };
	return r;
}

/* Unconditional: one rule per action, names added as they come. */
static int add_uncond(struct redirect_policy *m, const char *name, uint32_t action)
{
	struct policy_rule *r = NULL;
	size_t i;

	for (i = 0; i < m->n_rules && !r; i++)
		if (!m->rules[i].n_args && m->rules[i].action == action)
			r = &m->rules[i];
	if (!r)
		r = new_rule(m, action);
	if (!r || strv_add(&r->names, &r->n_names, name) < 0)
		return -ENOMEM;
	if (action == SCMP_ACT_NOTIFY && strv_add(&m->notify, &m->n_notify, name) < 0)
		return -ENOMEM;
	return 0;
}

static int add_cond(struct redirect_policy *m, const char *name, const struct call_rule *c,
		    uint32_t action)
{
	struct policy_rule *r = new_rule(m, action);

	if (!r || strv_add(&r->names, &r->n_names, name) < 0)
		return -ENOMEM;
	r->args = calloc(c->n_args, sizeof(*r->args));
	if (!r->args)
		return -ENOMEM;
	memcpy(r->args, c->args, c->n_args * sizeof(*r->args));
	r->n_args = c->n_args;
	if (action == SCMP_ACT_NOTIFY && strv_add(&m->notify, &m->n_notify, name) < 0)
		return -ENOMEM;
	return 0;
}

static int merge_call(const struct side *pol, const struct side *bun, const char *name,
		      struct redirect_policy *m, struct redirect_error **err)
{
	const struct call *ca, *cb, *cond;
	uint32_t ua = 0, ub = 0, rest = 0;
	char t1[48], t2[48];
	size_t i;
	int ra, rb;

	ra = classify(pol, name, &ua, &ca, err);
	if (ra < 0)
		return ra;
	rb = classify(bun, name, &ub, &cb, err);
	if (rb < 0)
		return rb;
	if (ra && rb) {
		uint32_t a = stricter(ua, ub);

		if (a == m->default_action)
			return 0;
		return add_uncond(m, name, a) < 0 ?
		       redirect_make_error(err, ENOMEM, "out of memory") : 0;
	}
	if (!ra && !rb) {
		/* the same conditions on both sides (e.g. both from Docker's profile) */
		if (ca->n != cb->n)
			goto refuse_both;
		for (i = 0; i < ca->n; i++)
			if (!same_args(&ca->rules[i], &cb->rules[i]))
				goto refuse_both;
		cond = cb;
	} else {
		/*
		 * One side conditional: its calls that match no condition fall to
		 * the merged default, which must then be what the two sides'
		 * answers for them combine to.
		 */
		cond = ra ? cb : ca;
		rest = ra ? stricter(ua, bun->def) : stricter(pol->def, ub);
		if (rest != m->default_action && !both_refuse(rest, m->default_action))
			return redirect_make_error(err, EINVAL, "cannot merge %s: %s has argument "
						   "rules for it, and its calls that match none "
						   "would get %s from the merged default where the "
						   "stricter answer is %s", name,
						   ra ? bun->what : pol->what,
						   action_text(m->default_action, t1, sizeof(t1)),
						   action_text(rest, t2, sizeof(t2)));
	}
	for (i = 0; i < cond->n; i++) {
		uint32_t a = ra ? ua : ca->rules[i].action;
		uint32_t b = rb ? ub : cb->rules[i].action;

		if (add_cond(m, name, &cond->rules[i], stricter(a, b)) < 0)
			return redirect_make_error(err, ENOMEM, "out of memory");
	}
	return 0;
refuse_both:
	return redirect_make_error(err, EINVAL, "cannot merge %s: the policy and %s both have "
				   "argument rules for it, and they differ", name, bun->what);
}

static bool bundle_notifies(const struct redirect_policy *b)
{
	size_t i;

	if (b->default_action == SCMP_ACT_NOTIFY)
		return true;
	for (i = 0; i < b->n_rules; i++)
		if (b->rules[i].action == SCMP_ACT_NOTIFY)
			return true;
	return false;
}

/* Architectures both allow (none on one side: the native one only, the stricter answer). */
static int merge_arches(const struct redirect_policy *p, const struct redirect_policy *b,
			struct redirect_policy *m, const char *where, struct redirect_error **err)
{
	size_t i, j;

	if (!p->n_arches || !b->n_arches)
		return 0;
	m->arches = calloc(b->n_arches, sizeof(*m->arches));
	if (!m->arches)
		return redirect_make_error(err, ENOMEM, "out of memory");
	for (i = 0; i < b->n_arches; i++)
		for (j = 0; j < p->n_arches; j++)
			if (b->arches[i] == p->arches[j]) {
				m->arches[m->n_arches++] = b->arches[i];
				break;
			}
	if (!m->n_arches)
		return redirect_make_error(err, EINVAL, "%s.architectures: none of them is one "
					   "the policy allows", where);
	return 0;
}

static int merge_profiles(const struct redirect_policy *p, const struct redirect_policy *b,
			  const char *origin, struct redirect_policy *m,
			  struct redirect_error **err)
{
	struct side pol = { .what = "the policy" }, bun = { .what = origin };
	char where[512];
	size_t i;
	int ret;

	snprintf(where, sizeof(where), "%s: linux.seccomp", origin);
	ret = read_policy_side(p, &pol, err);
	if (ret == 0)
		ret = read_bundle_side(b, &bun, err);
	if (ret < 0)
		goto out;
	m->default_action = stricter(p->default_action, b->default_action);
	if ((m->default_action & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_NOTIFY) {
		ret = redirect_make_error(err, EINVAL, "%s: a default action of SCMP_ACT_NOTIFY "
					  "cannot be merged", where);
		goto out;
	}
	ret = merge_arches(p, b, m, where, err);
	if (ret < 0)
		goto out;
	/* flags: the union, but SPEC_ALLOW (weaker) only when both ask for it */
	m->load_flags = ((p->load_flags | b->load_flags) & ~SECCOMP_FILTER_FLAG_SPEC_ALLOW) |
			(p->load_flags & b->load_flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	for (i = 0; i < pol.n_calls + bun.n_calls; i++) {
		const char *name = i < pol.n_calls ? pol.calls[i].name :
				   bun.calls[i - pol.n_calls].name;

		if (i >= pol.n_calls && find_call(&pol, name))
			continue;	/* done from the policy's side */
		ret = merge_call(&pol, &bun, name, m, err);
		if (ret < 0)
			goto out;
	}
out:
	side_free(&pol);
	side_free(&bun);
	return ret;
}

int oci_merge_seccomp(const struct redirect_policy *policy, const struct redirect_policy *bundle,
		      const char *origin, struct redirect_policy **mergedp,
		      struct redirect_error **err)
{
	struct redirect_policy *m;
	int ret;

	if (bundle_notifies(bundle))
		return redirect_make_error(err, EINVAL, "%s: linux.seccomp already hands calls to "
					   "a seccomp agent (SCMP_ACT_NOTIFY); one listener "
					   "cannot serve two agents", origin);
	m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(policy->name))) {
		free(m);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	m->keep_unknown_names = true;
	ret = merge_profiles(policy, bundle, origin, m, err);
	if (ret < 0) {
		redirect_policy_free(m);
		return ret;
	}
	*mergedp = m;
	return 0;
}

int redirect_oci_config_merge_seccomp(const struct redirect_oci_config *c,
				      const struct redirect_policy *policy,
				      const char *listener_path, char **jsonp,
				      struct redirect_error **err)
{
	const struct redirect_policy *bundle = redirect_oci_config_seccomp(c);
	const char *origin = oci_config_origin(c);
	struct redirect_policy *merged = NULL;
	json_object *section;
	int ret;

	if (!bundle)
		return redirect_oci_config_set_seccomp(c, policy, listener_path, jsonp, err);
	if (redirect_oci_config_listener_path(c))
		return redirect_make_error(err, EINVAL, "%s: linux.seccomp already hands calls to "
					   "a seccomp agent (listenerPath); one listener cannot "
					   "serve two agents", origin);
	ret = oci_merge_seccomp(policy, bundle, origin, &merged, err);
	if (ret < 0)
		return ret;
	ret = oci_seccomp_section(merged, listener_path, &section, err);
	redirect_policy_free(merged);
	if (ret < 0)
		return ret;
	return oci_config_text(c, section, jsonp, err);
}
