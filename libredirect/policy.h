/* SPDX-License-Identifier: GPL-2.0 */
/* The in-memory form of a policy, shared by the loader and the filter compiler. */
#ifndef LIBREDIRECT_POLICY_H
#define LIBREDIRECT_POLICY_H

#include <seccomp.h>

#include "internal.h"

struct policy_arg {
	unsigned int index;
	enum scmp_compare op;
	uint64_t value;
	uint64_t value_two;
};

/* includes / excludes of a Docker profile rule */
struct policy_cond {
	char **arches;
	size_t n_arches;
	char **caps;
	size_t n_caps;
	bool has_min_kernel;
	unsigned int min_major, min_minor;
};

struct policy_rule {
	char **names;
	size_t n_names;
	uint32_t action;		/* libseccomp action, errno data included */
	struct policy_arg *args;
	size_t n_args;
	struct policy_cond includes, excludes;
};

struct redirect_policy {
	char *name;
	uint32_t default_action;
	uint32_t *arches;		/* SCMP_ARCH_* tokens */
	size_t n_arches;
	unsigned int load_flags;	/* SECCOMP_FILTER_FLAG_* from "flags" */
	struct policy_rule *rules;
	size_t n_rules;

	/* redirect section */
	char **sentry_calls;		/* forced to SCMP_ACT_NOTIFY */
	size_t n_sentry_calls;
	char **notify;			/* sentry_calls + profile NOTIFY names */
	size_t n_notify;
	bool has_uname;
	char *uname[REDIRECT_UNAME_NR_FIELDS];
	struct redirect_verdict default_verdict;
};

/* Is this rule in force on this machine (Docker's includes / excludes)? */
bool policy_rule_applies(const struct policy_rule *rule);

#endif /* LIBREDIRECT_POLICY_H */
