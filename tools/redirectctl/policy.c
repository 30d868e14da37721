// SPDX-License-Identifier: GPL-2.0
/* redirectctl policy check: a policy file loaded and compiled as usersentry would. */
#include <stdio.h>
#include <unistd.h>

#include "redirectctl.h"

/* The loader's notices (keys it ignores) belong to a check's report. */
static void check_notice(void *ctx, const char *msg)
{
	fprintf(stderr, "redirectctl: notice: %s\n", msg);
}

int policy_check(const struct command *cmd, int argc, char **argv)
{
	static const char *const fields[] = { "sysname", "nodename", "release",
					      "version", "machine",  "domainname" };
	struct redirect_policy *policy = NULL;
	struct redirect_filter *filter = NULL;
	struct redirect_ruleset *rs = NULL;
	struct redirect_error *e = NULL;
	struct redirect_answer answer;
	char vb[64];
	struct opts o;
	size_t i, n;
	int rc, ret;

	rc = parse_opts(cmd, "PS", argc, argv, 1, 1, &o);
	if (rc >= 0)
		return rc;
	redirect_set_notice_fn(check_notice, NULL);
	ret = redirect_policy_load_file_flags(o.args[0], o.strict ? REDIRECT_POLICY_STRICT : 0,
					      &policy, &e);
	if (ret == 0)
		ret = redirect_filter_compile(policy, 0, &filter, &e);
	if (ret == 0)
		ret = redirect_ruleset_compile(policy, &rs, &e);
	if (ret < 0) {
		rc = fail(e, ret, o.args[0]);
		goto out;
	}
	if (o.pfc) {
		fflush(stdout);
		ret = redirect_filter_export_pfc(policy, STDOUT_FILENO, &e);
		rc = ret < 0 ? fail(e, ret, "exporting the filter") : EXIT_OK;
		goto out;
	}
	printf("%s: policy \"%s\" is valid\n", o.args[0], redirect_policy_name(policy));
	printf("tier 0:   %zu cBPF instructions (libseccomp), %s\n", redirect_filter_length(filter),
	       redirect_filter_notifies(filter) ? "notifies" : "never notifies");
	n = redirect_policy_notify_count(policy);
	printf("notified: %zu system call%s%s", n, n == 1 ? "" : "s", n ? ":" : "");
	for (i = 0; i < n; i++)
		printf(" %s", redirect_policy_notify_name(policy, i));
	printf("\n");
	n = redirect_ruleset_count(rs);
	printf("tier 1:   %zu rule%s (one per rule and system call)\n", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		const struct redirect_rule *r = &redirect_ruleset_rules(rs)[i];

		printf("          %zu: %s -> %s\n", i, redirect_ruleset_origin(rs, i),
		       verdict_text(r->verdict, r->value, vb, sizeof(vb)));
	}
	redirect_policy_default_verdict(policy, &answer);
	printf("sentry:   default %s", redirect_verdict_format(&answer, vb, sizeof(vb)));
	printf("; handlers:");
	n = 0;
	if (redirect_policy_has_uname(policy)) {
		printf(" uname(");
		for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
			const char *v = redirect_policy_uname(policy, i);

			if (v)
				printf("%s%s=%s", n++ ? " " : "", fields[i], v);
		}
		printf(")");
		n = 1;
	}
	if (redirect_policy_has_files(policy))
		n++, printf(" files");
	if (redirect_policy_has_connect(policy))
		n++, printf(" connect");
	if (redirect_policy_has_mount(policy))
		n++, printf(" mount");
	if (redirect_policy_has_sysinfo(policy))
		n++, printf(" sysinfo");
	if (redirect_policy_has_views(policy)) {
		size_t k = 0;

		printf(" views(");
		for (i = 0; i < REDIRECT_VIEW_NR; i++)
			if (redirect_policy_view_enabled(policy, i))
				printf("%s%s", k++ ? " " : "", redirect_view_path(i));
		printf(")");
		n++;
	}
	printf("%s\n", n ? "" : " none");
	rc = EXIT_OK;
out:
	redirect_ruleset_free(rs);
	redirect_filter_free(filter);
	redirect_policy_free(policy);
	return rc;
}
