// SPDX-License-Identifier: GPL-2.0
/* Policy loader: valid profiles load; every class of error names its JSON path. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "helpers.h"
#include "kselftest_harness.h"

static const char valid_policy[] =
	"{\n"
	"  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
	"  \"defaultErrnoRet\": 38,\n"
	"  \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\",\n"
	"               \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}],\n"
	"  \"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\n"
	"  \"listenerPath\": \"/run/x.sock\", \"listenerMetadata\": \"m\",\n"
	"  \"syscalls\": [\n"
	"    {\"names\": [\"read\", \"write\", \"no_such_call_at_all\"],\n"
	"     \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"basics\"},\n"
	"    {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
	"     \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},\n"
	"              {\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},\n"
	"    {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
	"     \"args\": [{\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0,\n"
	"                \"op\": \"SCMP_CMP_MASKED_EQ\"}],\n"
	"     \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"], \"arches\": [\"s390\"]}},\n"
	"    {\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
	"     \"includes\": {\"caps\": [\"CAP_BPF\"], \"minKernel\": \"5.8\"}},\n"
	"    {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"},\n"
	"    {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}\n"
	"  ],\n"
	"  \"redirect\": {\n"
	"    \"notify\": [\"getpid\", \"uname\"],\n"
	"    \"sentry\": {\n"
	"      \"default\": \"continue\",\n"
	"      \"uname\": {\"release\": \"9.9.9-test\", \"nodename\": \"box\"}\n"
	"    }\n"
	"  }\n"
	"}\n";

TEST(policy_load_valid)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	struct redirect_answer v;
	char buf[32];
	int ret;

	ret = redirect_policy_load_buffer(valid_policy, strlen(valid_policy), "/x/valid.json", &p,
					  &e);
	if (ret < 0)
		TH_LOG("%s", e->msg);
	ASSERT_EQ(0, ret);
	EXPECT_STREQ("valid", redirect_policy_name(p));
	EXPECT_TRUE(redirect_policy_has_uname(p));
	EXPECT_STREQ("9.9.9-test", redirect_policy_uname(p, REDIRECT_UNAME_RELEASE));
	EXPECT_STREQ("box", redirect_policy_uname(p, REDIRECT_UNAME_NODENAME));
	EXPECT_EQ(NULL, redirect_policy_uname(p, REDIRECT_UNAME_SYSNAME));
	redirect_policy_default_verdict(p, &v);
	EXPECT_EQ(REDIRECT_ANSWER_CONTINUE, v.kind);
	EXPECT_STREQ("continue", redirect_verdict_format(&v, buf, sizeof(buf)));
	/* the Sentry's calls first, then the profile's own NOTIFY rules */
	ASSERT_EQ(3, redirect_policy_notify_count(p));
	EXPECT_STREQ("uname", redirect_policy_notify_name(p, 0));
	EXPECT_STREQ("getpid", redirect_policy_notify_name(p, 1));
	EXPECT_STREQ("getppid", redirect_policy_notify_name(p, 2));
	EXPECT_EQ(NULL, redirect_policy_notify_name(p, 3));
	redirect_policy_free(p);
}

TEST(policy_load_minimal_defaults)
{
	static const char json[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}";
	struct redirect_policy *p = NULL;
	struct redirect_answer v;
	char buf[32];

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), NULL, &p, NULL));
	EXPECT_STREQ("policy", redirect_policy_name(p));
	EXPECT_FALSE(redirect_policy_has_uname(p));
	EXPECT_EQ(0, redirect_policy_notify_count(p));
	redirect_policy_default_verdict(p, &v);
	EXPECT_EQ(REDIRECT_ANSWER_ERRNO, v.kind);
	EXPECT_EQ(ENOSYS, v.errnum);
	EXPECT_STREQ("errno:ENOSYS", redirect_verdict_format(&v, buf, sizeof(buf)));
	redirect_policy_free(p);
}

TEST(policy_connect_and_sysinfo_sections)
{
	static const char json[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"redirect\": "
		"{\"sentry\": {\"connect\": {\"denyErrno\": \"ECONNREFUSED\", \"unix\": \"deny\","
		"\"rules\": [{\"action\": \"deny\", \"cidr\": \"10.0.0.0/8\"}],"
		"\"default\": \"allow\"}, \"sysinfo\": {\"memory\": \"host\"}}}}";
	static const char plain[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"redirect\": "
		"{\"sentry\": {\"connect\": {}, \"sysinfo\": {}}}}";
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(80) };
	struct redirect_policy *p = NULL;

	ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "s.json", &p, NULL));
	EXPECT_EQ(ECONNREFUSED, redirect_policy_connect_deny_errno(p));
	EXPECT_FALSE(redirect_policy_connect_unix_allowed(p));
	EXPECT_TRUE(redirect_policy_connect_default_allowed(p));
	EXPECT_TRUE(redirect_policy_has_sysinfo(p));
	EXPECT_EQ(REDIRECT_SYSINFO_MEMORY_HOST, redirect_policy_sysinfo_memory(p));
	EXPECT_EQ(REDIRECT_SYSINFO_UPTIME_SANDBOX, redirect_policy_sysinfo_uptime(p));
	EXPECT_TRUE(policy_notifies(p, "connect"));
	EXPECT_TRUE(policy_notifies(p, "sendto"));
	EXPECT_TRUE(policy_notifies(p, "sysinfo"));
	/* ::ffff:10.1.2.3 is 10.1.2.3: the IPv4 deny rule applies */
	ASSERT_EQ(1, inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr));
	EXPECT_EQ(0, redirect_policy_connect_check(p, (struct sockaddr *)&in6, sizeof(in6)));
	ASSERT_EQ(1, inet_pton(AF_INET6, "::ffff:11.1.2.3", &in6.sin6_addr));
	EXPECT_EQ(1, redirect_policy_connect_check(p, (struct sockaddr *)&in6, sizeof(in6)));
	redirect_policy_free(p);

	ASSERT_EQ(0, redirect_policy_load_buffer(plain, strlen(plain), "d.json", &p, NULL));
	EXPECT_EQ(EACCES, redirect_policy_connect_deny_errno(p));
	EXPECT_TRUE(redirect_policy_connect_unix_allowed(p));
	EXPECT_FALSE(redirect_policy_connect_default_allowed(p));
	EXPECT_EQ(REDIRECT_SYSINFO_MEMORY_CGROUP, redirect_policy_sysinfo_memory(p));
	redirect_policy_free(p);
}

/* A newer file call is notified only where the profile lets it through: never widened. */
TEST(policy_files_notify_fchmodat2_only_where_allowed)
{
	static const char *const cases[][2] = {
		/* profile, does fchmodat2 go to the Sentry? */
		{ "\"defaultAction\": \"SCMP_ACT_ALLOW\"", "y" },
		{ "\"defaultAction\": \"SCMP_ACT_ERRNO\"", "n" },
		{ "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"fchmodat2\"], "
		  "\"action\": \"SCMP_ACT_ALLOW\"}]", "y" },
		{ "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"fchmodat2\"], "
		  "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 3, \"value\": 0, "
		  "\"op\": \"SCMP_CMP_EQ\"}]}]", "n" },
		{ "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"fchmodat2\"], "
		  "\"action\": \"SCMP_ACT_ERRNO\"}]", "n" },
	};
	struct redirect_policy *p = NULL;
	char json[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), "{%s, \"redirect\": {\"sentry\": {\"files\": "
			 "{\"readOnly\": [\"/ro\"]}}}}", cases[i][0]);
		ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "f.json", &p, NULL))
			TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i][1][0] == 'y', policy_notifies(p, "fchmodat2")) TH_LOG("case %zu", i);
		EXPECT_TRUE(policy_notifies(p, "fchmodat"));
		redirect_policy_free(p);
		p = NULL;
	}
}

TEST(policy_default_verdict_errno_forms)
{
	static const char *const forms[][2] = {
		{ "errno:EPERM", "errno:EPERM" },
		{ "errno:13", "errno:EACCES" },
		{ "errno:ENOSYS", "errno:ENOSYS" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		struct redirect_policy *p = NULL;
		struct redirect_answer v;
		char json[256], buf[32];

		snprintf(json, sizeof(json),
			 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":"
			 "{\"default\":\"%s\"}}}", forms[i][0]);
		ASSERT_EQ(0, redirect_policy_load_buffer(json, strlen(json), "t", &p, NULL));
		redirect_policy_default_verdict(p, &v);
		EXPECT_STREQ(forms[i][1], redirect_verdict_format(&v, buf, sizeof(buf)));
		redirect_policy_free(p);
	}
}

TEST(policy_load_file_takes_name_from_file)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	char dir[PATH_MAX], path[PATH_MAX + 32];

	ASSERT_EQ(0, make_temp_dir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/web-server.json", dir);
	ASSERT_EQ(0, write_file(path, valid_policy));
	ASSERT_EQ(0, redirect_policy_load_file(path, &p, &e));
	EXPECT_STREQ("web-server", redirect_policy_name(p));
	redirect_policy_free(p);
	remove_tree(dir);
}

TEST(policy_load_file_missing)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(-ENOENT, redirect_policy_load_file("/nonexistent/dir/p.json", &p, &e));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(ENOENT, e->errnum);
	EXPECT_NE(NULL, strstr(e->msg, "/nonexistent/dir/p.json"));
	redirect_error_free(e);
}

TEST(policy_load_file_not_regular)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(-EINVAL, redirect_policy_load_file("/tmp", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "not a regular file"));
	redirect_error_free(e);
}

TEST(policy_load_too_big)
{
	size_t len = REDIRECT_POLICY_MAX_SIZE + 1;
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	char *big = malloc(len);

	ASSERT_NE(NULL, big);
	memset(big, ' ', len);
	EXPECT_EQ(-EFBIG, redirect_policy_load_buffer(big, len, "big.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "big.json"));
	redirect_error_free(e);
	free(big);
}

TEST(policy_load_null_error_pointer)
{
	struct redirect_policy *p = NULL;

	/* err may be NULL: the return value alone tells */
	EXPECT_EQ(-EINVAL, redirect_policy_load_buffer("{", 1, "x", &p, NULL));
}

/* Each class of error: the document, and what the message must contain. */
FIXTURE(policy_error) {
};

FIXTURE_VARIANT(policy_error) {
	const char *json;
	int ret;
	const char *msg;
	unsigned int flags;	/* REDIRECT_POLICY_* */
};

FIXTURE_SETUP(policy_error)
{
}

FIXTURE_TEARDOWN(policy_error)
{
}

#define ALLOW "\"defaultAction\":\"SCMP_ACT_ALLOW\""

FIXTURE_VARIANT_ADD(policy_error, syntax_error_line_col) {
	.json = "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  oops\n}",
	.ret = -EINVAL, .msg = "p.json:3:3: JSON",
};
FIXTURE_VARIANT_ADD(policy_error, truncated_document) {
	.json = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"", .ret = -EINVAL,
	.msg = "unexpected end of input",
};
FIXTURE_VARIANT_ADD(policy_error, trailing_data) {
	.json = "{" ALLOW "} {}", .ret = -EINVAL, .msg = "p.json:1:36: JSON: unexpected character",
};
FIXTURE_VARIANT_ADD(policy_error, not_an_object) {
	.json = "[1, 2]", .ret = -EINVAL, .msg = "p.json: expected a JSON object",
};
FIXTURE_VARIANT_ADD(policy_error, unknown_top_level_key) {
	.json = "{" ALLOW ",\"defaultActoin\":1}", .ret = -EINVAL,
	.msg = "p.json: defaultActoin: unknown key", .flags = REDIRECT_POLICY_STRICT,
};
FIXTURE_VARIANT_ADD(policy_error, missing_default_action) {
	.json = "{\"syscalls\": []}", .ret = -EINVAL, .msg = "p.json: missing \"defaultAction\"",
};
FIXTURE_VARIANT_ADD(policy_error, unknown_default_action) {
	.json = "{\"defaultAction\":\"SCMP_ACT_MAYBE\"}", .ret = -EINVAL,
	.msg = "p.json: defaultAction: unknown action \"SCMP_ACT_MAYBE\"",
};
FIXTURE_VARIANT_ADD(policy_error, default_errno_with_allow) {
	.json = "{" ALLOW ",\"defaultErrnoRet\":1}", .ret = -EINVAL,
	.msg = "p.json: defaultErrnoRet: only valid with SCMP_ACT_ERRNO",
};
FIXTURE_VARIANT_ADD(policy_error, rule_action_unknown) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"},"
		"{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"b\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"c\"],\"action\":\"FOO\"}]}",
	.ret = -EINVAL, .msg = "p.json: syscalls[3].action: unknown action \"FOO\"",
};
FIXTURE_VARIANT_ADD(policy_error, rule_action_not_string) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":5}]}",
	.ret = -EINVAL, .msg = "syscalls[0].action: expected a string, got an integer",
};
FIXTURE_VARIANT_ADD(policy_error, rule_missing_action) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"]}]}",
	.ret = -EINVAL, .msg = "p.json: syscalls[0]: missing \"action\"",
};
FIXTURE_VARIANT_ADD(policy_error, rule_errno_out_of_range) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":5000}]}",
	.ret = -EINVAL, .msg = "syscalls[0].errnoRet: value 5000 out of range",
};
FIXTURE_VARIANT_ADD(policy_error, rule_errno_with_kill) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\","
		"\"errnoRet\":1}]}",
	.ret = -EINVAL, .msg = "syscalls[0].errnoRet: only valid with",
};
FIXTURE_VARIANT_ADD(policy_error, rule_unknown_key) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\","
		"\"nmaes\":[]}]}",
	.ret = -EINVAL, .msg = "syscalls[0].nmaes: unknown key", .flags = REDIRECT_POLICY_STRICT,
};
FIXTURE_VARIANT_ADD(policy_error, names_not_array) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":\"read\",\"action\":\"SCMP_ACT_LOG\"}]}",
	.ret = -EINVAL, .msg = "syscalls[0].names: expected an array, got a string",
};
FIXTURE_VARIANT_ADD(policy_error, names_empty) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_LOG\"}]}",
	.ret = -EINVAL, .msg = "syscalls[0].names: empty array",
};
FIXTURE_VARIANT_ADD(policy_error, name_not_string) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\",\"write\",null],"
		"\"action\":\"SCMP_ACT_LOG\"}]}",
	.ret = -EINVAL, .msg = "syscalls[0].names[2]: expected a string, got null",
};
FIXTURE_VARIANT_ADD(policy_error, name_with_nul) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"re\\u0000ad\"],"
		"\"action\":\"SCMP_ACT_LOG\"}]}",
	.ret = -EINVAL, .msg = "syscalls[0].names[0]: string contains a NUL",
};
FIXTURE_VARIANT_ADD(policy_error, arg_index_out_of_range) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\","
		"\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	.ret = -EINVAL, .msg = "syscalls[0].args[1].index: value 6 out of range",
};
FIXTURE_VARIANT_ADD(policy_error, arg_unknown_operator) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\","
		"\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_ABOUT\"}]}]}",
	.ret = -EINVAL, .msg = "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ABOUT\"",
};
FIXTURE_VARIANT_ADD(policy_error, arg_negative_value) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\","
		"\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	.ret = -EINVAL, .msg = "syscalls[0].args[0].value: negative value -1",
};
FIXTURE_VARIANT_ADD(policy_error, arg_fractional_value) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\","
		"\"args\":[{\"index\":0,\"value\":1.5,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	.ret = -EINVAL, .msg = "syscalls[0].args[0].value: expected an integer",
};
FIXTURE_VARIANT_ADD(policy_error, arg_missing_value) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\","
		"\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	.ret = -EINVAL, .msg = "syscalls[0].args[0]: missing \"value\"",
};
FIXTURE_VARIANT_ADD(policy_error, includes_bad_min_kernel) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\","
		"\"includes\":{\"minKernel\":\"five\"}}]}",
	.ret = -EINVAL, .msg = "syscalls[0].includes.minKernel: expected \"MAJOR.MINOR\"",
};
FIXTURE_VARIANT_ADD(policy_error, excludes_bad_cap) {
	.json = "{" ALLOW ",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\","
		"\"excludes\":{\"caps\":[\"SYS_ADMIN\"]}}]}",
	.ret = -EINVAL, .msg = "syscalls[0].excludes.caps[0]: invalid capability",
};
FIXTURE_VARIANT_ADD(policy_error, unknown_architecture) {
	.json = "{" ALLOW ",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_Z80\"]}",
	.ret = -EINVAL, .msg = "p.json: architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"",
};
FIXTURE_VARIANT_ADD(policy_error, architectures_and_arch_map) {
	.json = "{" ALLOW ",\"architectures\":[],\"archMap\":[]}",
	.ret = -EINVAL, .msg = "both \"architectures\" and \"archMap\"",
};
FIXTURE_VARIANT_ADD(policy_error, arch_map_missing_architecture) {
	.json = "{" ALLOW ",\"archMap\":[{\"subArchitectures\":[]}]}",
	.ret = -EINVAL, .msg = "archMap[0]: missing \"architecture\"",
};
FIXTURE_VARIANT_ADD(policy_error, unknown_flag) {
	.json = "{" ALLOW ",\"flags\":[\"SECCOMP_FILTER_FLAG_FAST\"]}",
	.ret = -EINVAL, .msg = "flags[0]: unknown filter flag",
};
FIXTURE_VARIANT_ADD(policy_error, redirect_not_object) {
	.json = "{" ALLOW ",\"redirect\":[]}",
	.ret = -EINVAL, .msg = "p.json: redirect: expected an object, got an array",
};
FIXTURE_VARIANT_ADD(policy_error, redirect_unknown_key) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{},\"tier1\":{}}}",
	.ret = -EINVAL, .msg = "p.json: redirect.tier1: unknown key",
};
FIXTURE_VARIANT_ADD(policy_error, sentry_unknown_key) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"unmae\":{}}}}",
	.ret = -EINVAL, .msg = "p.json: redirect.sentry.unmae: unknown key",
};
FIXTURE_VARIANT_ADD(policy_error, uname_unknown_key) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"uname\":{\"kernel\":\"x\"}}}}",
	.ret = -EINVAL, .msg = "p.json: redirect.sentry.uname.kernel: unknown key",
};
FIXTURE_VARIANT_ADD(policy_error, uname_release_too_long) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"uname\":{\"release\":"
		"\"0123456789012345678901234567890123456789012345678901234567890123456789\"}}}}",
	.ret = -EINVAL, .msg = "redirect.sentry.uname.release: string longer than 64 bytes",
};
FIXTURE_VARIANT_ADD(policy_error, uname_release_not_string) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"uname\":{\"release\":6}}}}",
	.ret = -EINVAL, .msg = "redirect.sentry.uname.release: expected a string",
};
FIXTURE_VARIANT_ADD(policy_error, uname_empty_field) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"uname\":{\"sysname\":\"\"}}}}",
	.ret = -EINVAL, .msg = "redirect.sentry.uname.sysname: empty string",
};
FIXTURE_VARIANT_ADD(policy_error, sentry_default_unknown_errno) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"default\":\"errno:EWHATEVER\"}}}",
	.ret = -EINVAL, .msg = "redirect.sentry.default: unknown errno \"EWHATEVER\"",
};
FIXTURE_VARIANT_ADD(policy_error, sentry_default_bad_form) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"default\":\"allow\"}}}",
	.ret = -EINVAL, .msg = "redirect.sentry.default: expected \"continue\" or \"errno:NAME\"",
};
FIXTURE_VARIANT_ADD(policy_error, notify_unknown_syscall) {
	.json = "{" ALLOW ",\"redirect\":{\"notify\":[\"getpid\",\"frobnicate\"]}}",
	.ret = -EINVAL, .msg = "p.json: redirect.notify[1]: unknown system call \"frobnicate\"",
};
FIXTURE_VARIANT_ADD(policy_error, notify_not_array) {
	.json = "{" ALLOW ",\"redirect\":{\"notify\":{}}}",
	.ret = -EINVAL, .msg = "redirect.notify: expected an array, got an object",
};

FIXTURE_VARIANT_ADD(policy_error, connect_deny_errno_unknown) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"connect\":{\"denyErrno\":\"EHUH\"}}}}",
	.ret = -EINVAL, .msg = "p.json: redirect.sentry.connect.denyErrno: unknown errno \"EHUH\"",
};
FIXTURE_VARIANT_ADD(policy_error, connect_deny_errno_not_string) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"connect\":{\"denyErrno\":13}}}}",
	.ret = -EINVAL, .msg = "redirect.sentry.connect.denyErrno: expected a string",
};
FIXTURE_VARIANT_ADD(policy_error, connect_unix_bad_word) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"connect\":{\"unix\":\"maybe\"}}}}",
	.ret = -EINVAL,
	.msg = "redirect.sentry.connect.unix: expected \"allow\" or \"deny\", got \"maybe\"",
};
FIXTURE_VARIANT_ADD(policy_error, connect_rule_host_bits) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"connect\":{\"rules\":[{\"action\":"
		"\"allow\",\"cidr\":\"10.0.0.1/8\"}]}}}}",
	.ret = -EINVAL, .msg = "redirect.sentry.connect.rules[0].cidr: \"10.0.0.1/8\" has bits set",
};
FIXTURE_VARIANT_ADD(policy_error, sysinfo_not_object) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"sysinfo\":true}}}",
	.ret = -EINVAL, .msg = "p.json: redirect.sentry.sysinfo: expected an object, got a boolean",
};
FIXTURE_VARIANT_ADD(policy_error, sysinfo_unknown_key) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"sysinfo\":{\"swap\":\"cgroup\"}}}}",
	.ret = -EINVAL, .msg = "p.json: redirect.sentry.sysinfo.swap: unknown key",
};
FIXTURE_VARIANT_ADD(policy_error, sysinfo_memory_bad_word) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"sysinfo\":{\"memory\":\"cgroups\"}}}}",
	.ret = -EINVAL,
	.msg = "redirect.sentry.sysinfo.memory: expected \"cgroup\" or \"host\", got \"cgroups\"",
};
FIXTURE_VARIANT_ADD(policy_error, sysinfo_uptime_not_string) {
	.json = "{" ALLOW ",\"redirect\":{\"sentry\":{\"sysinfo\":{\"uptime\":0}}}}",
	.ret = -EINVAL, .msg = "redirect.sentry.sysinfo.uptime: expected a string, got an integer",
};

TEST_F(policy_error, names_path_and_problem)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	int ret;

	ret = redirect_policy_load_buffer_flags(variant->json, strlen(variant->json), "p.json",
						variant->flags, &p, &e);
	ASSERT_EQ(variant->ret, ret);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(-variant->ret, e->errnum);
	if (!strstr(e->msg, variant->msg))
		TH_LOG("message \"%s\" lacks \"%s\"", e->msg, variant->msg);
	EXPECT_NE(NULL, strstr(e->msg, variant->msg));
	EXPECT_EQ(NULL, p);
	redirect_error_free(e);
}

TEST(policy_nul_byte_in_document)
{
	static const char json[] = "{\"defaultAction\":\n\"SCMP\0_ACT_ALLOW\"}";
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	EXPECT_EQ(-EINVAL, redirect_policy_load_buffer(json, sizeof(json) - 1, "n.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "n.json:2:6: NUL byte"));
	redirect_error_free(e);
}

TEST(policy_default_file_in_tree_loads)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	char path[PATH_MAX];
	int ret;

	src_path(path, sizeof(path), "usersentry/policies/default.json");
	ret = redirect_policy_load_file(path, &p, &e);
	if (ret < 0)
		TH_LOG("%s", e->msg);
	ASSERT_EQ(0, ret);
	EXPECT_STREQ("default", redirect_policy_name(p));
	/* no other kernel claimed: uname and /proc are the host's own */
	EXPECT_FALSE(redirect_policy_has_uname(p));
	EXPECT_FALSE(redirect_policy_has_synth(p));
	redirect_policy_free(p);
}

/* redirect.sentry.kernel: uname's release and version, and synthetic /proc files. */
TEST(policy_kernel_section_is_one_identity)
{
	static const char ok[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":"
		"{\"kernel\":{\"release\":\"6.12.0-k\"},\"uname\":{\"nodename\":\"n\"}}}}";
	static const char both[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":"
		"{\"kernel\":{\"release\":\"6.12.0-k\"},\"uname\":{\"release\":\"x\"}}}}";
	static const char empty[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
		"{\"sentry\":{\"kernel\":{}}}}";
	static const char unknown[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
		"{\"sentry\":{\"kernel\":{\"release\":\"1\",\"machine\":\"x\"}}}}";
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, redirect_policy_load_buffer(ok, strlen(ok), "k", &p, NULL));
	EXPECT_TRUE(redirect_policy_has_uname(p));
	EXPECT_TRUE(redirect_policy_has_synth(p));
	EXPECT_STREQ("6.12.0-k", redirect_policy_uname(p, REDIRECT_UNAME_RELEASE));
	EXPECT_STREQ("n", redirect_policy_uname(p, REDIRECT_UNAME_NODENAME));
	EXPECT_EQ(NULL, redirect_policy_uname(p, REDIRECT_UNAME_VERSION));
	redirect_policy_free(p);
	EXPECT_EQ(-EINVAL, redirect_policy_load_buffer(both, strlen(both), "k", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "kernel field set in \"uname\""));
	redirect_error_free(e);
	e = NULL;
	EXPECT_EQ(-EINVAL, redirect_policy_load_buffer(empty, strlen(empty), "k", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "redirect.sentry.kernel: neither"));
	redirect_error_free(e);
	e = NULL;
	EXPECT_EQ(-EINVAL, redirect_policy_load_buffer(unknown, strlen(unknown), "k", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "machine"));
	redirect_error_free(e);
}

/* redirect.sentry.abi: only calls with a handler, by name; errors name the path */
TEST(policy_abi_section)
{
	static const char ok[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":"
		"{\"abi\":{\"emulate\":[\"fchmodat2\",\"mseal\"],\"force\":[\"faccessat2\"]}}}}";
	static const char bad[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"sentry\":"
		"{\"abi\":{\"emulate\":[\"listmount\"]}}}}";
	static const char empty[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
		"{\"sentry\":{\"abi\":{}}}}";
	/* documented, but with no handler: the Sentry's default would answer them */
	static const char *const unhandled[] = { "futex_wake", "futex_wait", "futex_requeue",
						 "map_shadow_stack" };
	char buf[256];
	size_t i;
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, redirect_policy_load_buffer(ok, strlen(ok), "a", &p, NULL));
	EXPECT_TRUE(redirect_policy_has_abi(p));
	EXPECT_STREQ("mseal", redirect_abi_call_name(462));
	EXPECT_EQ(NULL, redirect_abi_call_name(1));
	redirect_policy_free(p);
	EXPECT_EQ(-EINVAL, redirect_policy_load_buffer(bad, strlen(bad), "a", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "redirect.sentry.abi.emulate[0]: \"listmount\" cannot be "
				 "emulated"));
	redirect_error_free(e);
	e = NULL;
	EXPECT_EQ(-EINVAL, redirect_policy_load_buffer(empty, strlen(empty), "a", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "neither"));
	redirect_error_free(e);
	for (i = 0; i < ARRAY_SIZE(unhandled); i++) {
		p = NULL;
		e = NULL;
		snprintf(buf, sizeof(buf), "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
			 "{\"sentry\":{\"abi\":{\"force\":[\"%s\"]}}}}", unhandled[i]);
		EXPECT_EQ(-EINVAL, redirect_policy_load_buffer(buf, strlen(buf), "a", &p, &e));
		EXPECT_NE(NULL, e ? strstr(e->msg, "cannot be emulated") : NULL);
		redirect_error_free(e);
		redirect_policy_free(p);
		p = NULL;
	}
}

/* Names agents and annotations may use: never a path out of the policy directory. */
TEST(policy_name_valid)
{
	static const char *const good[] = { "default", "strict", "a.b", "web-1_x", "A9" };
	static const char *const bad[] = { "", ".", "..", ".hidden", "a/b", "../x", "a..b",
					   "sp ace", "semi;colon", "ü" };
	char longest[130];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		bool ok = redirect_policy_name_valid(good[i]);

		if (!ok)
			printf("# refused: \"%s\"\n", good[i]);
		EXPECT_TRUE(ok);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		bool ok = redirect_policy_name_valid(bad[i]);

		if (ok)
			printf("# accepted: \"%s\"\n", bad[i]);
		EXPECT_FALSE(ok);
	}
	EXPECT_FALSE(redirect_policy_name_valid(NULL));
	memset(longest, 'a', 128);
	longest[128] = '\0';
	EXPECT_TRUE(redirect_policy_name_valid(longest));
	longest[128] = 'a';
	longest[129] = '\0';
	EXPECT_FALSE(redirect_policy_name_valid(longest));
}

TEST_HARNESS_MAIN
