// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the policy loader with every section and extends/include, the rule and filter compilers. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libredirect.h"
#include "rules_eval.h"

/* What the policy's other sections say for a few fixed questions. */
static void query_sections(const struct redirect_policy *p)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(443) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(53) };
	enum redirect_file_action a;
	char out[64];
	int ret;

	in.sin_addr.s_addr = htonl(0x0a010203);
	in6.sin6_addr.s6_addr[0] = 0xfd;
	ret = redirect_policy_connect_check(p, (struct sockaddr *)&in, sizeof(in));
	if (ret != 0 && ret != 1)
		abort();
	ret = redirect_policy_connect_check(p, (struct sockaddr *)&in6, sizeof(in6));
	if (ret != 0 && ret != 1)
		abort();
	ret = redirect_policy_file_lookup(p, "/etc/hosts", &a, out, sizeof(out));
	if (ret < -ENAMETOOLONG || ret > 1 || (ret == 1 && a == REDIRECT_FILE_REMAP &&
					       strnlen(out, sizeof(out)) == sizeof(out)))
		abort();
	ret = redirect_policy_mount_check(p, "tmpfs", "/mnt/x", 0);
	if (ret != 0 && ret != 1)
		abort();
}

/* Every compiled rule is one the module accepts. */
static void check_rules(const struct redirect_policy *p)
{
	struct redirect_ruleset *rs = NULL;
	struct redirect_error *e = NULL;
	size_t i;
	int ret;

	ret = redirect_ruleset_compile(p, &rs, &e);
	if (ret < 0) {
		/* the loader checked each rule: only the total can be too large */
		if (ret != -E2BIG || !e)
			abort();
		redirect_error_free(e);
		return;
	}
	for (i = 0; i < redirect_ruleset_count(rs); i++) {
		uint32_t arg;

		if (rdr_rule_check(&redirect_ruleset_rules(rs)[i], &arg) != REDIRECT_RULE_FIELD_NONE)
			abort();
		if (!redirect_ruleset_origin(rs, i))
			abort();
	}
	redirect_ruleset_free(rs);
}

/* Notices of ignored keys: each a message, none printed. */
static void check_notice(void *ctx, const char *msg)
{
	if (!msg || !*msg)
		abort();
}

/* Strict loading refuses more, never less: what it takes, the default takes. */
static void check_strict(const uint8_t *data, size_t size)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	if (redirect_policy_load_buffer_flags((const char *)data, size, "fuzz.json",
					      REDIRECT_POLICY_STRICT, &p, &e) < 0) {
		redirect_error_free(e);
		return;
	}
	redirect_policy_free(p);
	if (redirect_policy_load_buffer((const char *)data, size, "fuzz.json", &p, &e) < 0)
		abort();
	redirect_policy_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redirect_policy *p = NULL;
	struct redirect_filter *f = NULL;
	struct redirect_error *e = NULL;
	struct redirect_answer v;
	char buf[32];
	size_t i;
	int ret;

	redirect_set_notice_fn(check_notice, NULL);
	check_strict(data, size);
	ret = redirect_policy_load_buffer((const char *)data, size, "fuzz.json", &p, &e);
	if (ret < 0) {
		/* every failure carries a message and the matching errno */
		if (!e || !e->msg || e->errnum != -ret)
			abort();
		redirect_error_free(e);
		return 0;
	}
	if (e)
		abort();
	redirect_policy_name(p);
	redirect_policy_has_uname(p);
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
		const char *s = redirect_policy_uname(p, i);

		if (s && strlen(s) >= REDIRECT_UNAME_LEN)
			abort();
	}
	redirect_policy_default_verdict(p, &v);
	redirect_verdict_format(&v, buf, sizeof(buf));
	for (i = 0; i < redirect_policy_notify_count(p); i++)
		if (!redirect_policy_notify_name(p, i))
			abort();
	query_sections(p);
	check_rules(p);
	if (size < 4096 && redirect_filter_compile(p, 0, &f, &e) == 0) {
		if (!redirect_filter_length(f))
			abort();
		redirect_filter_free(f);
	}
	redirect_error_free(e);
	redirect_policy_free(p);
	return 0;
}
