// SPDX-License-Identifier: GPL-2.0
/* Filter compilation with libseccomp, export to cBPF, and loading with seccomp(2). */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "policy.h"

/* libseccomp's binary-tree optimisation level */
#define REDIRECT_OPTIMIZE_BTREE 2

struct redirect_filter {
	struct sock_filter *insns;
	size_t len;
	unsigned int load_flags;
	bool notifies;
};

static int scmp_error(struct redirect_error **err, int rc, const char *fmt, const char *arg)
{
	int errnum = rc < 0 ? -rc : EINVAL;
	char head[256];

	snprintf(head, sizeof(head), fmt, arg);
	return redirect_make_error_errno(err, errnum, "%s", head);
}

static int add_rule(scmp_filter_ctx ctx, const struct redirect_policy *p, size_t ri,
		    const char *name, int nr, struct redirect_error **err)
{
	const struct policy_rule *r = &p->rules[ri];
	struct scmp_arg_cmp cmp[6];
	unsigned int count[6] = { 0 };
	bool same_index = false;
	size_t i;
	int rc;

	for (i = 0; i < r->n_args; i++)
		if (++count[r->args[i].index] > 1)
			same_index = true;

	if (r->n_args == 0) {
		rc = seccomp_rule_add_array(ctx, r->action, nr, 0, NULL);
	} else if (!same_index && r->n_args <= 6) {
		for (i = 0; i < r->n_args; i++)
			cmp[i] = (struct scmp_arg_cmp){ r->args[i].index, r->args[i].op,
							r->args[i].value, r->args[i].value_two };
		rc = seccomp_rule_add_array(ctx, r->action, nr, (unsigned int)r->n_args, cmp);
	} else {
		/* as runc: conditions on one argument become separate rules (OR) */
		rc = 0;
		for (i = 0; i < r->n_args && rc == 0; i++) {
			cmp[0] = (struct scmp_arg_cmp){ r->args[i].index, r->args[i].op,
							r->args[i].value, r->args[i].value_two };
			rc = seccomp_rule_add_array(ctx, r->action, nr, 1, cmp);
		}
	}
	if (rc < 0) {
		char what[128];

		snprintf(what, sizeof(what), "syscalls[%zu]: rule for \"%s\"", ri, name);
		return scmp_error(err, rc, "%s", what);
	}
	return 0;
}

static int add_sendto(scmp_filter_ctx ctx, const struct redirect_policy *p, int nr,
		      uint32_t rest, struct redirect_error **err)
{
	struct scmp_arg_cmp with = SCMP_A4_64(SCMP_CMP_NE, 0);
	struct scmp_arg_cmp without = SCMP_A4_64(SCMP_CMP_EQ, 0);
	int rc, ret;

	rc = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 1, &with);
	if (rc == 0 && rest != p->default_action)
		rc = seccomp_rule_add_array(ctx, rest, nr, 1, &without);
	if (rc < 0) {
		ret = scmp_error(err, rc, "notifying \"%s\" with an address", "sendto");
		redirect_error_prefix(err, ret, "%s", p->name);
		return ret;
	}
	return 0;
}

/* Build the libseccomp context of a policy. */
static int build_ctx(const struct redirect_policy *p, scmp_filter_ctx *ctxp,
		     struct redirect_error **err)
{
	scmp_filter_ctx ctx;
	size_t i, j;
	int rc, ret;

	if (p->n_notify && seccomp_api_get() < 5)
		return redirect_make_error(err, EOPNOTSUPP, "%s: the kernel or libseccomp lacks "
					   "seccomp user notification", p->name);
	ctx = seccomp_init(p->default_action);
	if (!ctx)
		return redirect_make_error(err, EINVAL, "%s: libseccomp refused defaultAction",
					   p->name);
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, REDIRECT_OPTIMIZE_BTREE);
	if (rc < 0) {
		ret = scmp_error(err, rc, "%s: setting filter attributes", p->name);
		goto fail;
	}
	for (i = 0; i < p->n_arches; i++) {
		rc = seccomp_arch_add(ctx, p->arches[i]);
		if (rc < 0 && rc != -EEXIST) {
			ret = scmp_error(err, rc, "%s: adding an architecture", p->name);
			goto fail;
		}
	}

	for (i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (r->action == p->default_action || !policy_rule_applies(p, r))
			continue;
		for (j = 0; j < r->n_names; j++) {
			int nr = seccomp_syscall_resolve_name(r->names[j]);

			/* unknown to this libseccomp: ignored, as runc does */
			if (nr == __NR_SCMP_ERROR || policy_is_sentry_call(p, nr))
				continue;
			ret = add_rule(ctx, p, i, r->names[j], nr, err);
			if (ret < 0) {
				redirect_error_prefix(err, ret, "%s", p->name);
				goto fail;
			}
		}
	}

	if (p->default_action != SCMP_ACT_NOTIFY) {
		for (i = 0; i < p->n_sentry_calls; i++) {
			int nr = seccomp_syscall_resolve_name(p->sentry_calls[i]);
			uint32_t rest;

			if (!strcmp(p->sentry_calls[i], "sendto") && policy_sendto_on_address(p, &rest)) {
				ret = add_sendto(ctx, p, nr, rest, err);
				if (ret < 0)
					goto fail;
				continue;
			}
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, 0, NULL);
			if (rc < 0) {
				ret = scmp_error(err, rc, "notifying \"%s\"", p->sentry_calls[i]);
				redirect_error_prefix(err, ret, "%s", p->name);
				goto fail;
			}
		}
	}
	*ctxp = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return ret;
}

/*
 * The abi section's calls, by number, ahead of libseccomp's program: it
 * refuses numbers it has no name for in a filter of several architectures
 * (Docker's profile has three), and these calls are newer than it.  The
 * numbers are x86-64's, so only that architecture's calls match (an x32
 * call has __X32_SYSCALL_BIT set and matches none); any other goes on to
 * the profile unchanged.
 *
 *	ld arch; jeq AUDIT_ARCH_X86_64 else -> profile
 *	ld nr; jeq nr[i] -> notify (each); ja -> profile
 *	notify: ret SECCOMP_RET_USER_NOTIF
 *	profile: libseccomp's program
 */
static int prepend_abi(const struct redirect_policy *p, struct redirect_filter *f,
		       struct redirect_error **err)
{
#ifdef __x86_64__
	struct sock_filter *insns;
	int nrs[16];
	size_t n = p->default_action == SCMP_ACT_NOTIFY ? 0 :
		   policy_abi_notified(p, nrs, ARRAY_SIZE(nrs));
	size_t extra = n + 5, i;

	if (!n)
		return 0;
	if (f->len + extra > BPF_MAXINSNS)
		return redirect_make_error(err, E2BIG, "%s: filter too long for the abi calls",
					   p->name);
	insns = malloc((f->len + extra) * sizeof(*insns));
	if (!insns)
		return redirect_make_error(err, ENOMEM, "out of memory");
	insns[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						offsetof(struct seccomp_data, arch));
	insns[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64,
						0, (unsigned char)(n + 3));
	insns[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						offsetof(struct seccomp_data, nr));
	for (i = 0; i < n; i++)
		insns[3 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							    (uint32_t)nrs[i],
							    (unsigned char)(n - i), 0);
	insns[3 + n] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 1);
	insns[4 + n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	memcpy(insns + extra, f->insns, f->len * sizeof(*insns));
	free(f->insns);
	f->insns = insns;
	f->len += extra;
#endif
	return 0;
}

int redirect_filter_compile(const struct redirect_policy *p, unsigned int flags,
			    struct redirect_filter **filterp, struct redirect_error **err)
{
	cleanup_close int memfd = -1;
	struct redirect_filter *f;
	scmp_filter_ctx ctx;
	off_t size;
	size_t i, done = 0;
	int rc, ret;

	if (flags)
		return redirect_make_error(err, EINVAL,
					   "redirect_filter_compile: unknown flags 0x%x", flags);
	ret = build_ctx(p, &ctx, err);
	if (ret < 0)
		return ret;

	memfd = memfd_create("redirect-bpf", MFD_CLOEXEC);
	if (memfd < 0) {
		ret = redirect_make_error_errno(err, errno, "memfd_create");
		seccomp_release(ctx);
		return ret;
	}
	rc = seccomp_export_bpf(ctx, memfd);
	seccomp_release(ctx);
	if (rc < 0)
		return scmp_error(err, rc, "%s: exporting the filter", p->name);
	size = lseek(memfd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return redirect_make_error(err, E2BIG, "%s: filter of %lld bytes cannot be loaded",
					   p->name, (long long)size);

	f = calloc(1, sizeof(*f));
	if (f)
		f->insns = malloc((size_t)size);
	if (!f || !f->insns) {
		free(f);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	while (done < (size_t)size) {
		ssize_t n = pread(memfd, (char *)f->insns + done, (size_t)size - done, (off_t)done);

		if (n <= 0) {
			ret = redirect_make_error_errno(err, n < 0 ? errno : EIO,
							"reading the filter");
			redirect_filter_free(f);
			return ret;
		}
		done += (size_t)n;
	}
	f->len = (size_t)size / sizeof(struct sock_filter);
	ret = prepend_abi(p, f, err);
	if (ret < 0) {
		redirect_filter_free(f);
		return ret;
	}
	for (i = 0; i < f->len; i++) {
		const struct sock_filter *in = &f->insns[i];

		if (in->code == (BPF_RET | BPF_K) &&
		    (in->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			f->notifies = true;
	}
	f->load_flags = p->load_flags;
	if (f->notifies)
		f->load_flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	*filterp = f;
	return 0;
}

void redirect_filter_free(struct redirect_filter *f)
{
	if (!f)
		return;
	free(f->insns);
	free(f);
}

size_t redirect_filter_length(const struct redirect_filter *f)
{
	return f->len;
}

bool redirect_filter_notifies(const struct redirect_filter *f)
{
	return f->notifies;
}

int redirect_filter_export_pfc(const struct redirect_policy *p, int fd,
			       struct redirect_error **err)
{
	scmp_filter_ctx ctx;
	int rc, ret;

	ret = build_ctx(p, &ctx, err);
	if (ret < 0)
		return ret;
	rc = seccomp_export_pfc(ctx, fd);
	seccomp_release(ctx);
	if (rc < 0)
		return scmp_error(err, rc, "%s: exporting the filter", p->name);
	return 0;
}

int redirect_filter_load(const struct redirect_filter *f, int *listener_fd,
			 struct redirect_error **err)
{
	struct sock_fprog prog = {
		.len = (unsigned short)f->len,
		.filter = f->insns,
	};
	long ret;

	if (f->notifies && !listener_fd)
		return redirect_make_error(err, EINVAL,
					   "the filter notifies: a listener is needed");
	ret = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->load_flags, &prog);
	if (ret < 0)
		return redirect_make_error_errno(err, errno, "installing the seccomp filter");
	if (listener_fd)
		*listener_fd = f->notifies ? (int)ret : -1;
	return 0;
}
