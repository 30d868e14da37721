// SPDX-License-Identifier: GPL-2.0
/* Tier-1 rules: compiled to the module's UAPI format and evaluated in user space with its engine. */
#include <linux/audit.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "policy.h"
#include "rules_eval.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

struct redirect_ruleset {
	size_t count;
	struct redirect_rule *rules;	/* as given: the array SET_RULES takes */
	char **origin;
	/* the module's index: sorted by nr, stable, so first match order holds */
	struct redirect_rule *sorted;
	uint32_t *orig_index;		/* sorted[i] is rules[orig_index[i]] */
	uint32_t *sorted_pos;		/* and back */
	rdr_hits_t *hits;		/* parallel to sorted */
	struct {
		uint16_t first, count;
	} span[RDR_NR_LIMIT];
};

const char *rule_field_text(uint32_t field, uint32_t arg, char *buf, size_t size)
{
	switch (field) {
	case REDIRECT_RULE_FIELD_NONE:
		snprintf(buf, size, "valid");
		break;
	case REDIRECT_RULE_FIELD_NR:
		snprintf(buf, size, "names: system call number out of range");
		break;
	case REDIRECT_RULE_FIELD_VERDICT:
		snprintf(buf, size, "action: unknown verdict");
		break;
	case REDIRECT_RULE_FIELD_FLAGS:
		snprintf(buf, size, "flags: unknown flags");
		break;
	case REDIRECT_RULE_FIELD_VALUE:
		snprintf(buf, size, "action: value does not fit the verdict (errno 1..4095 "
			 "but not the kernel's restart codes %d..%d, a return value outside "
			 "-4095..-1, none for kill and forward)", RDR_ERRNO_RESTART_FIRST,
			 RDR_ERRNO_RESTART_LAST);
		break;
	case REDIRECT_RULE_FIELD_NR_ARGS:
		snprintf(buf, size, "args: more than %d comparisons", REDIRECT_ARGS_MAX);
		break;
	case REDIRECT_RULE_FIELD_ARG_INDEX:
		snprintf(buf, size, "args[%u].index: out of range (0..%d)", arg,
			 REDIRECT_ARGS_MAX - 1);
		break;
	case REDIRECT_RULE_FIELD_ARG_OP:
		snprintf(buf, size, "args[%u].op: unknown comparison", arg);
		break;
	case REDIRECT_RULE_FIELD_ARG_PAD:
		snprintf(buf, size, "args[%u]: padding or unused comparison not zero", arg);
		break;
	case REDIRECT_RULE_FIELD_STR_INDEX:
		snprintf(buf, size, "string.index: out of range (0..%d), or set without a "
			 "string", REDIRECT_ARGS_MAX - 1);
		break;
	case REDIRECT_RULE_FIELD_STR_MATCH:
		snprintf(buf, size, "string: unknown match");
		break;
	case REDIRECT_RULE_FIELD_STR_REREAD:
		snprintf(buf, size,
			 "string.index: the rules before it for this call have left this "
			 "argument's string for another; a string is read once per call, so keep one "
			 "call's string rules on one argument together");
		break;
	case REDIRECT_RULE_FIELD_STR_LEN:
		snprintf(buf, size, "string: length out of range (below %d; a prefix not empty)",
			 REDIRECT_STR_MAX);
		break;
	case REDIRECT_RULE_FIELD_STR:
		snprintf(buf, size, "string: holds a NUL byte, or bytes after it are not zero");
		break;
	case REDIRECT_RULE_FIELD_PAD:
		snprintf(buf, size, "padding not zero");
		break;
	default:
		snprintf(buf, size, "field %u refused", field);
		break;
	}
	return buf;
}

const char *redirect_rule_error_describe(const struct redirect_ruleset *rs, uint32_t rule,
					 uint32_t field, uint32_t arg, char *buf, size_t size)
{
	char what[160];

	rule_field_text(field, arg, what, sizeof(what));
	if (rs && rule < rs->count)
		snprintf(buf, size, "%s: %s", rs->origin[rule], what);
	else
		snprintf(buf, size, "rule %u: %s", rule, what);
	return buf;
}

void redirect_ruleset_free(struct redirect_ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->count; i++)
		free(rs->origin ? rs->origin[i] : NULL);
	free(rs->origin);
	free(rs->rules);
	free(rs->sorted);
	free(rs->orig_index);
	free(rs->sorted_pos);
	free(rs->hits);
	free(rs);
}

static struct redirect_ruleset *ruleset_alloc(size_t n)
{
	struct redirect_ruleset *rs = calloc(1, sizeof(*rs));
	size_t m = n ? n : 1;

	if (!rs)
		return NULL;
	rs->count = n;
	rs->rules = calloc(m, sizeof(*rs->rules));
	rs->origin = calloc(m, sizeof(*rs->origin));
	rs->sorted = calloc(m, sizeof(*rs->sorted));
	rs->orig_index = calloc(m, sizeof(*rs->orig_index));
	rs->sorted_pos = calloc(m, sizeof(*rs->sorted_pos));
	rs->hits = calloc(m, sizeof(*rs->hits));
	if (!rs->rules || !rs->origin || !rs->sorted || !rs->orig_index || !rs->sorted_pos ||
	    !rs->hits) {
		rs->count = 0;
		redirect_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

/* A rule's origin ("p.json: redirect.rules[3] (openat)"); on failure rs is freed. */
static int __attribute__((format(printf, 4, 5)))
set_origin(struct redirect_ruleset *rs, size_t k, struct redirect_error **err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&rs->origin[k], fmt, ap);
	va_end(ap);
	if (n >= 0)
		return 0;
	rs->origin[k] = NULL;
	redirect_ruleset_free(rs);
	return redirect_make_error(err, ENOMEM, "out of memory");
}

/*
 * Check every rule with the module's engine, then index them as the module
 * does: *rsp is rs then; rs is freed on an error.
 */
static int ruleset_finish(struct redirect_ruleset *rs, struct redirect_ruleset **rsp,
			  struct redirect_error **err)
{
	size_t i, n, pos;

	for (i = 0; i < rs->count; i++) {
		uint32_t arg;
		enum redirect_rule_field f = rdr_rule_check(&rs->rules[i], &arg);

		if (f != REDIRECT_RULE_FIELD_NONE) {
			char msg[512];
			int ret;

			ret = redirect_make_error(err, EINVAL, "%s",
						  redirect_rule_error_describe(rs, (uint32_t)i, f,
									       arg, msg,
									       sizeof(msg)));
			redirect_ruleset_free(rs);
			return ret;
		}
	}
	for (i = 0; i < rs->count; i++)
		rs->span[rs->rules[i].nr].count++;
	for (n = 0, pos = 0; n < RDR_NR_LIMIT; n++) {
		rs->span[n].first = (uint16_t)pos;
		pos += rs->span[n].count;
		rs->span[n].count = 0;
	}
	for (i = 0; i < rs->count; i++) {
		uint32_t nr = rs->rules[i].nr;
		size_t j = rs->span[nr].first + rs->span[nr].count++;

		rs->sorted[j] = rs->rules[i];
		rs->orig_index[j] = (uint32_t)i;
		rs->sorted_pos[i] = (uint32_t)j;
	}
	for (n = 0; n < RDR_NR_LIMIT; n++) {
		uint32_t j = rdr_rules_str_reread(rs->sorted, rs->span[n].first, rs->span[n].count);
		char msg[512];
		int ret;

		if (j < (uint32_t)rs->span[n].first + rs->span[n].count) {
			ret = redirect_make_error(
				err, EINVAL, "%s",
				redirect_rule_error_describe(rs, rs->orig_index[j],
							     REDIRECT_RULE_FIELD_STR_REREAD, 0, msg,
							     sizeof(msg)));
			redirect_ruleset_free(rs);
			return ret;
		}
	}
	*rsp = rs;
	return 0;
}

int redirect_ruleset_compile(const struct redirect_policy *p, struct redirect_ruleset **rsp,
			     struct redirect_error **err)
{
	struct redirect_ruleset *rs;
	size_t i, j, n = 0, k = 0;

	for (i = 0; i < p->n_trules; i++)
		n += p->trules[i].n_names;
	if (n > REDIRECT_RULES_MAX)
		return redirect_make_error(err, E2BIG, "%s: %zu tier-1 rules (one per system call "
					   "name), more than %d", p->name, n, REDIRECT_RULES_MAX);
	rs = ruleset_alloc(n);
	if (!rs)
		return redirect_make_error(err, ENOMEM, "out of memory");
	for (i = 0; i < p->n_trules; i++) {
		const struct policy_trule *t = &p->trules[i];

		for (j = 0; j < t->n_names; j++, k++) {
			int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, t->names[j]);

			rs->rules[k] = t->tmpl;
			rs->rules[k].nr = nr < 0 ? RDR_NR_LIMIT : (uint32_t)nr;
			if (set_origin(rs, k, err, "%s (%s)", t->where, t->names[j]) < 0)
				return -ENOMEM;
		}
	}
	return ruleset_finish(rs, rsp, err);
}

int redirect_ruleset_from_array(const struct redirect_rule *rules, size_t n,
				struct redirect_ruleset **rsp, struct redirect_error **err)
{
	struct redirect_ruleset *rs;
	size_t i;

	if (n > REDIRECT_RULES_MAX)
		return redirect_make_error(err, E2BIG, "%zu rules, more than %d", n,
					   REDIRECT_RULES_MAX);
	rs = ruleset_alloc(n);
	if (!rs)
		return redirect_make_error(err, ENOMEM, "out of memory");
	if (n)
		memcpy(rs->rules, rules, n * sizeof(*rules));
	for (i = 0; i < n; i++)
		if (set_origin(rs, i, err, "rule %zu", i) < 0)
			return -ENOMEM;
	return ruleset_finish(rs, rsp, err);
}

int ruleset_clone(const struct redirect_ruleset *rs, struct redirect_ruleset **copyp,
		  struct redirect_error **err)
{
	struct redirect_ruleset *c = ruleset_alloc(rs->count);
	size_t i, n = rs->count ? rs->count : 1;

	if (!c)
		return redirect_make_error(err, ENOMEM, "out of memory");
	memcpy(c->rules, rs->rules, n * sizeof(*c->rules));
	memcpy(c->sorted, rs->sorted, n * sizeof(*c->sorted));
	memcpy(c->orig_index, rs->orig_index, n * sizeof(*c->orig_index));
	memcpy(c->sorted_pos, rs->sorted_pos, n * sizeof(*c->sorted_pos));
	memcpy(c->span, rs->span, sizeof(c->span));
	for (i = 0; i < rs->count; i++) {
		c->origin[i] = strdup(rs->origin[i]);
		if (!c->origin[i]) {
			redirect_ruleset_free(c);
			return redirect_make_error(err, ENOMEM, "out of memory");
		}
	}
	*copyp = c;
	return 0;
}

size_t redirect_ruleset_count(const struct redirect_ruleset *rs)
{
	return rs->count;
}

const struct redirect_rule *redirect_ruleset_rules(const struct redirect_ruleset *rs)
{
	return rs->rules;
}

const char *redirect_ruleset_origin(const struct redirect_ruleset *rs, size_t i)
{
	return i < rs->count ? rs->origin[i] : NULL;
}

uint64_t redirect_ruleset_hits(const struct redirect_ruleset *rs, size_t i)
{
	return i < rs->count ? rdr_hits_read(&rs->hits[rs->sorted_pos[i]]) : 0;
}

void redirect_ruleset_reset_hits(struct redirect_ruleset *rs)
{
	memset(rs->hits, 0, (rs->count ? rs->count : 1) * sizeof(*rs->hits));
}

struct fetch_ctx {
	pid_t pid;
	bool fetched;
};

/*
 * As the module's reader: a string that ends before an unmapped page reads,
 * at most size bytes with the NUL.  One process_vm_readv() with the remote
 * side split at the page boundary, since its transfer stops at the first
 * iovec it cannot read whole; size (REDIRECT_STR_MAX) is less than a page.
 */
static long fetch_str_pid(void *ctx, u64 uptr, char *buf, size_t size)
{
	struct fetch_ctx *fc = ctx;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), first = page - (size_t)(uptr % page);
	struct iovec local = { buf, size < page ? size : page };
	struct iovec remote[2] = {
		{ (void *)(uintptr_t)uptr, local.iov_len < first ? local.iov_len : first },
		{ (void *)(uintptr_t)(uptr + first),
		  local.iov_len > first ? local.iov_len - first : 0 },
	};
	ssize_t n;
	char *nul;

	fc->fetched = true;
	n = process_vm_readv(fc->pid, &local, 1, remote, remote[1].iov_len ? 2 : 1, 0);
	if (n <= 0)
		return -EFAULT;
	nul = memchr(buf, 0, (size_t)n);
	if (nul)
		return nul - buf;
	return (size_t)n < local.iov_len ? -EFAULT : -ENAMETOOLONG;
}

static void decide(struct redirect_ruleset *rs, uint32_t arch, int nr, const uint64_t args[6],
		   rdr_fetch_str_fn fetch, void *ctx, struct redirect_decision *d)
{
	char strbuf[REDIRECT_STR_MAX];
	struct rdr_decision rd = { .verdict = REDIRECT_VERDICT_FORWARD };
	u64 a[REDIRECT_ARGS_MAX];
	int i;

	memset(d, 0, sizeof(*d));
	d->verdict = REDIRECT_VERDICT_FORWARD;
	/* the module evaluates native x86-64 calls only */
	if (arch != AUDIT_ARCH_X86_64 || nr < 0 || (nr & __X32_SYSCALL_BIT) || nr >= RDR_NR_LIMIT)
		return;
	if (!rs->span[nr].count)
		return;
	for (i = 0; i < REDIRECT_ARGS_MAX; i++)
		a[i] = args[i];
	rdr_rules_decide(rs->sorted, rs->hits, rs->span[nr].first, rs->span[nr].count, a,
			 fetch, ctx, strbuf, &rd);
	if (!rd.matched)
		return;
	d->verdict = rd.verdict;
	d->value = rd.value;
	d->rule = rs->orig_index[rd.rule];
	d->matched = true;
	d->audit = rd.audit;
}

int redirect_ruleset_decide_call(struct redirect_ruleset *rs, uint32_t arch, int nr,
				 const uint64_t args[6], pid_t pid, struct redirect_decision *d)
{
	struct fetch_ctx fc = { .pid = pid };

	decide(rs, arch, nr, args, fetch_str_pid, &fc, d);
	return 0;
}

int redirect_ruleset_decide(struct redirect_ruleset *rs, const struct seccomp_notif *req,
			    int listener, struct redirect_decision *d, struct redirect_error **err)
{
	struct fetch_ctx fc = { .pid = (pid_t)req->pid };
	uint64_t args[6];
	int i;

	for (i = 0; i < 6; i++)
		args[i] = req->data.args[i];
	decide(rs, req->data.arch, req->data.nr, args, fetch_str_pid, &fc, d);
	/* the pid may have been reused if the target died while we read */
	if (fc.fetched && listener >= 0 && redirect_notif_id_valid(listener, req->id, NULL) < 0)
		return redirect_make_error(err, ENOENT, "pid %u: the call went away while its "
					   "string was read", req->pid);
	return 0;
}

int redirect_ruleset_decide_fetch(struct redirect_ruleset *rs, const struct seccomp_notif *req,
				  long (*fetch)(void *ctx, uint64_t addr, char *buf, size_t size),
				  void *ctx, struct redirect_decision *d)
{
	uint64_t args[6];
	int i;

	for (i = 0; i < 6; i++)
		args[i] = req->data.args[i];
	decide(rs, req->data.arch, req->data.nr, args, fetch, ctx, d);
	return 0;
}

int redirect_decision_send(int listener, struct redirect_notif_buf *buf,
			   const struct seccomp_notif *req, const struct redirect_decision *d,
			   struct redirect_error **err)
{
	switch (d->verdict) {
	case REDIRECT_VERDICT_ERRNO:
		return redirect_notif_send(listener, buf, req->id, 0, -(int32_t)d->value, 0, err);
	case REDIRECT_VERDICT_VALUE:
		return redirect_notif_send(listener, buf, req->id, d->value, 0, 0, err);
	case REDIRECT_VERDICT_KILL:
		/* as the module: the thread group dies, the call reads EPERM */
		if (redirect_notif_id_valid(listener, req->id, NULL) < 0)
			return redirect_make_error(err, ENOENT, "pid %u: target gone", req->pid);
		if (kill((pid_t)req->pid, SIGKILL) < 0 && errno != ESRCH)
			return redirect_make_error_errno(err, errno, "kill %u", req->pid);
		return redirect_notif_send(listener, buf, req->id, 0, -EPERM, 0, err);
	default:
		return redirect_make_error(err, EINVAL, "a forwarded call has no tier-1 answer");
	}
}
