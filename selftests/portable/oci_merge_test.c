// SPDX-License-Identifier: GPL-2.0
/* The policy's seccomp profile merged into a bundle's own: per call the stricter answer, refusals, annotations. */
#include <json-c/json.h>

#include "helpers.h"
#include "kselftest_harness.h"

/* a policy: ERRNO(38) for sethostname, TRAP for acct, getppid notified */
static const char policy_json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
	"\"syscalls\":["
	"{\"names\":[\"sethostname\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},"
	"{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_TRAP\"},"
	"{\"names\":[\"chmod\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1},"
	"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
	" \"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}],"
	"\"redirect\":{\"notify\":[\"getppid\"]}}";

static struct redirect_policy *load(const char *json)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	if (redirect_policy_load_buffer(json, strlen(json), "/etc/redirect/web.json", &p, &e) < 0) {
		fprintf(stderr, "# %s\n", e->msg);
		redirect_error_free(e);
		return NULL;
	}
	return p;
}

/*
 * Merge the policy into a config.json whose linux.seccomp is section (NULL:
 * none): 0 and *outp the whole new config, or the error with its message.
 */
static int merge(const char *policy, const char *section, json_object **outp, char *msg,
		 size_t size)
{
	struct redirect_policy *p = load(policy);
	struct redirect_oci_config *c = NULL;
	struct redirect_error *e = NULL;
	char *config = NULL, *out = NULL;
	int ret;

	*outp = NULL;
	msg[0] = '\0';
	if (!p)
		return -EINVAL;
	if (asprintf(&config, "{\"ociVersion\":\"1.0.2\",\"process\":{\"capabilities\":"
		     "{\"bounding\":[\"CAP_CHOWN\"]}},\"hostname\":\"h\",\"linux\":{%s%s}}",
		     section ? "\"seccomp\":" : "", section ? section : "") < 0)
		return -ENOMEM;
	ret = redirect_oci_config_read(config, strlen(config), "b/config.json", &c, &e);
	if (ret == 0)
		ret = redirect_oci_config_merge_seccomp(c, p, "/run/s.sock", &out, &e);
	if (ret == 0) {
		*outp = json_tokener_parse(out);
		if (!*outp)
			ret = -EIO;
	}
	if (e)
		snprintf(msg, size, "%s", e->msg);
	redirect_error_free(e);
	redirect_oci_config_free(c);
	redirect_policy_free(p);
	free(config);
	free(out);
	return ret;
}

static json_object *seccomp_of(json_object *config)
{
	json_object *lnx, *sec;

	if (!json_object_object_get_ex(config, "linux", &lnx) ||
	    !json_object_object_get_ex(lnx, "seccomp", &sec))
		return NULL;
	return sec;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int get_int(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int(v) : -1;
}

/*
 * The merged answer for a call without conditions, "ACTION" or
 * "ACTION(errno)"; "default" when no rule names it; "args" when the rules
 * naming it have conditions.
 */
static const char *answer(json_object *config, const char *name, char *buf, size_t size)
{
	json_object *calls, *sec = seccomp_of(config);
	size_t i, j;

	if (!sec || !json_object_object_get_ex(sec, "syscalls", &calls))
		return "default";
	for (i = 0; i < json_object_array_length(calls); i++) {
		json_object *r = json_object_array_get_idx(calls, i), *names;

		json_object_object_get_ex(r, "names", &names);
		for (j = 0; j < json_object_array_length(names); j++) {
			if (strcmp(json_object_get_string(json_object_array_get_idx(names, j)),
				   name))
				continue;
			if (json_object_object_get_ex(r, "args", NULL))
				return "args";
			if (get_int(r, "errnoRet") >= 0)
				snprintf(buf, size, "%s(%d)", get_str(r, "action"),
					 get_int(r, "errnoRet"));
			else
				snprintf(buf, size, "%s", get_str(r, "action"));
			return buf;
		}
	}
	return "default";
}

#define EXPECT_ANSWER(cfg, name, want) do { \
	char _b[64]; \
	EXPECT_STREQ(want, answer(cfg, name, _b, sizeof(_b))); \
} while (0)

TEST(merge_stricter_answer_wins_per_call)
{
	json_object *out;
	char msg[512];

	ASSERT_EQ(0, merge(policy_json, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
			   "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
			   "{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
			   "{\"names\":[\"sethostname\",\"getppid\"],\"action\":\"SCMP_ACT_LOG\"},"
			   "{\"names\":[\"chmod\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}"
			   "]}", &out, msg, sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_ANSWER(out, "mkdir", "SCMP_ACT_ERRNO(13)");		/* the bundle's only */
	EXPECT_ANSWER(out, "acct", "SCMP_ACT_KILL_PROCESS");		/* over TRAP */
	EXPECT_ANSWER(out, "sethostname", "SCMP_ACT_ERRNO(38)");	/* over LOG */
	EXPECT_ANSWER(out, "getppid", "SCMP_ACT_NOTIFY");		/* over LOG */
	EXPECT_ANSWER(out, "chmod", "SCMP_ACT_ERRNO(13)");		/* a tie: the bundle's errno */
	EXPECT_ANSWER(out, "read", "default");
	EXPECT_STREQ("SCMP_ACT_ALLOW", get_str(seccomp_of(out), "defaultAction"));
	EXPECT_STREQ("/run/s.sock", get_str(seccomp_of(out), "listenerPath"));
	EXPECT_STREQ("web", get_str(seccomp_of(out), "listenerMetadata"));
	/* the rest of the config is kept */
	EXPECT_STREQ("h", get_str(out, "hostname"));
	json_object_put(out);
}

/*
 * A call this libseccomp does not know (newer than it, or only a runtime's
 * newer libseccomp knows it) is the runtime's to resolve: a bundle's deny
 * must not be dropped from the merged profile, or the call is allowed.
 */
TEST(merge_keeps_the_bundles_unknown_calls)
{
	json_object *out;
	char msg[512];

	ASSERT_EQ(0, merge(policy_json, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
			   "{\"names\":[\"rdr_future_call\"],\"action\":\"SCMP_ACT_ERRNO\","
			   "\"errnoRet\":1}]}", &out, msg, sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_ANSWER(out, "rdr_future_call", "SCMP_ACT_ERRNO(1)");
	json_object_put(out);
}

TEST(merge_default_is_the_stricter_one)
{
	json_object *out;
	char msg[512];

	ASSERT_EQ(0, merge(policy_json, "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			   "\"defaultErrnoRet\":1,\"syscalls\":[{\"names\":[\"read\",\"getppid\","
			   "\"sethostname\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
			   &out, msg, sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_STREQ("SCMP_ACT_ERRNO", get_str(seccomp_of(out), "defaultAction"));
	EXPECT_EQ(1, get_int(seccomp_of(out), "defaultErrnoRet"));
	/* the policy's ALLOW default is weaker than nothing: read stays allowed by the bundle */
	EXPECT_ANSWER(out, "read", "SCMP_ACT_ALLOW");
	EXPECT_ANSWER(out, "getppid", "SCMP_ACT_NOTIFY");
	EXPECT_ANSWER(out, "sethostname", "SCMP_ACT_ERRNO(38)");
	/* unlisted by the bundle: its default, stricter than the policy's answer */
	EXPECT_ANSWER(out, "mkdir", "default");
	json_object_put(out);
}

TEST(merge_same_argument_rules_on_both_sides)
{
	json_object *out, *calls, *r;
	char msg[512];
	size_t i;
	bool seen = false;

	ASSERT_EQ(0, merge(policy_json, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
			   "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_KILL_PROCESS\","
			   " \"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]}",
			   &out, msg, sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_ANSWER(out, "personality", "args");
	ASSERT_TRUE(json_object_object_get_ex(seccomp_of(out), "syscalls", &calls));
	for (i = 0; i < json_object_array_length(calls); i++) {
		r = json_object_array_get_idx(calls, i);
		if (!json_object_object_get_ex(r, "args", NULL))
			continue;
		EXPECT_STREQ("SCMP_ACT_KILL_PROCESS", get_str(r, "action"));
		seen = true;
	}
	EXPECT_TRUE(seen);
	json_object_put(out);
}

/*
 * Docker's profile (the default policy) against Podman's: clone has argument
 * rules on the policy's side, allowed unconditionally in the bundle; the
 * calls that match no condition are refused by both defaults, EPERM against
 * ENOSYS. Both a refusal: merged, the unmatched ones get the merged default
 * (the bundle's errno, as on every tie), the conditions keep their answer.
 */
TEST(merge_one_side_argument_rules_over_defaults_that_differ_only_in_errno)
{
	static const char pol[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
		"\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\","
		"\"args\":[{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	json_object *out, *sec, *calls, *r;
	char msg[512];
	size_t i;
	bool seen = false;

	ASSERT_EQ(0, merge(pol,
			   "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
			   "\"syscalls\":[{\"names\":[\"clone\",\"read\"],"
			   "\"action\":\"SCMP_ACT_ALLOW\"}]}",
			   &out, msg, sizeof(msg)))
	TH_LOG("%s", msg);
	sec = seccomp_of(out);
	ASSERT_NE(NULL, sec);
	EXPECT_STREQ("SCMP_ACT_ERRNO", get_str(sec, "defaultAction"));
	EXPECT_EQ(38, get_int(sec, "defaultErrnoRet"));
	EXPECT_ANSWER(out, "clone", "args");
	EXPECT_ANSWER(out, "read", "SCMP_ACT_ALLOW");
	ASSERT_TRUE(json_object_object_get_ex(sec, "syscalls", &calls));
	for (i = 0; i < json_object_array_length(calls); i++) {
		r = json_object_array_get_idx(calls, i);
		if (!json_object_object_get_ex(r, "args", NULL))
			continue;
		EXPECT_STREQ("SCMP_ACT_ALLOW", get_str(r, "action"));
		seen = true;
	}
	EXPECT_TRUE(seen);
	json_object_put(out);
	/* ERRNO(0) is a success without the call: not a refusal, not merged */
	EXPECT_EQ(-EINVAL, merge(pol,
				 "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":0,"
				 "\"syscalls\":[{\"names\":[\"clone\",\"read\"],"
				 "\"action\":\"SCMP_ACT_ALLOW\"}]}",
				 &out, msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "cannot merge clone")) TH_LOG("%s", msg);
}

/* Podman's profile: setns allowed in the main list, denied in another rule */
TEST(merge_disagreeing_rules_count_as_the_stricter)
{
	json_object *out;
	char msg[512];

	ASSERT_EQ(0, merge(policy_json, "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			   "\"defaultErrnoRet\":38,\"syscalls\":["
			   "{\"names\":[\"setns\",\"mkdir\",\"rmdir\"],\"action\":\"SCMP_ACT_ALLOW\"},"
			   "{\"names\":[\"setns\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1},"
			   "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
			   "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":2}]}",
			   &out, msg, sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_ANSWER(out, "setns", "SCMP_ACT_ERRNO(1)");
	EXPECT_ANSWER(out, "mkdir", "SCMP_ACT_ERRNO(13)");	/* a tie: the first */
	EXPECT_ANSWER(out, "rmdir", "SCMP_ACT_ALLOW");
	json_object_put(out);
}

TEST(merge_architectures_and_flags)
{
	const char *pol = "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		"\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
		"\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_LOG\"]}";
	json_object *out, *arr;
	char msg[512];

	ASSERT_EQ(0, merge(pol, "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
			   "\"architectures\":[\"SCMP_ARCH_X32\",\"SCMP_ARCH_X86_64\"]}",
			   &out, msg, sizeof(msg))) TH_LOG("%s", msg);
	ASSERT_TRUE(json_object_object_get_ex(seccomp_of(out), "architectures", &arr));
	ASSERT_EQ(1, json_object_array_length(arr));
	EXPECT_STREQ("SCMP_ARCH_X86_64", json_object_get_string(json_object_array_get_idx(arr, 0)));
	/* LOG from one side is kept; SPEC_ALLOW (weaker) only when both ask */
	ASSERT_TRUE(json_object_object_get_ex(seccomp_of(out), "flags", &arr));
	ASSERT_EQ(1, json_object_array_length(arr));
	EXPECT_STREQ("SECCOMP_FILTER_FLAG_LOG",
		     json_object_get_string(json_object_array_get_idx(arr, 0)));
	json_object_put(out);
	/* one side without architectures: the native one only */
	ASSERT_EQ(0, merge(pol, "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", &out, msg, sizeof(msg)));
	EXPECT_FALSE(json_object_object_get_ex(seccomp_of(out), "architectures", NULL));
	json_object_put(out);
}

TEST(merge_evaluates_the_bundles_includes)
{
	json_object *out;
	char msg[512];

	/* the container holds CAP_CHOWN only: the CAP_SYS_ADMIN rule is not in force */
	ASSERT_EQ(0, merge(policy_json, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
			   "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
			   " \"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
			   "{\"names\":[\"rmdir\"],\"action\":\"SCMP_ACT_ERRNO\","
			   " \"includes\":{\"caps\":[\"CAP_CHOWN\"]}}]}",
			   &out, msg, sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_ANSWER(out, "mkdir", "default");
	EXPECT_ANSWER(out, "rmdir", "SCMP_ACT_ERRNO(1)");
	json_object_put(out);
}

TEST(merge_without_bundle_profile_is_the_policys_section)
{
	struct redirect_policy *p = load(policy_json);
	struct redirect_oci_config *c = NULL;
	char *a = NULL, *b = NULL;
	const char *config = "{\"ociVersion\":\"1.0.2\",\"linux\":{}}";

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, redirect_oci_config_read(config, strlen(config), NULL, &c, NULL));
	ASSERT_EQ(0, redirect_oci_config_merge_seccomp(c, p, "/run/s.sock", &a, NULL));
	ASSERT_EQ(0, redirect_oci_config_set_seccomp(c, p, "/run/s.sock", &b, NULL));
	EXPECT_STREQ(b, a);
	free(a);
	free(b);
	redirect_oci_config_free(c);
	redirect_policy_free(p);
}

/* errnoRet: the kernel caps SECCOMP_RET_ERRNO's data at MAX_ERRNO (4095) */
TEST(merge_errno_bound_is_max_errno)
{
	json_object *out;
	char msg[512];

	ASSERT_EQ(0, merge(policy_json, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
			   "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":4095}]}",
			   &out, msg, sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_ANSWER(out, "mkdir", "SCMP_ACT_ERRNO(4095)");
	json_object_put(out);
	EXPECT_EQ(-EINVAL, merge(policy_json, "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
				 "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
				 "\"errnoRet\":4096}]}", &out, msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "linux.seccomp.syscalls[0].errnoRet")) TH_LOG("%s", msg);
}

FIXTURE(merge_refused) {
};

FIXTURE_VARIANT(merge_refused) {
	const char *policy;		/* NULL: policy_json */
	const char *section;
	const char *msg;
};

FIXTURE_SETUP(merge_refused)
{
}

FIXTURE_TEARDOWN(merge_refused)
{
}

/* calls that match none of the bundle's conditions would escape the Sentry */
FIXTURE_VARIANT_ADD(merge_refused, one_side_argument_rules) {
	.section = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
		   "\"action\":\"SCMP_ACT_ERRNO\","
		   "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	.msg = "cannot merge getppid: b/config.json has argument rules for it, and its calls "
	       "that match none would get SCMP_ACT_ALLOW from the merged default where the "
	       "stricter answer is SCMP_ACT_NOTIFY",
};
FIXTURE_VARIANT_ADD(merge_refused, different_argument_rules) {
	.section = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"],"
		   "\"action\":\"SCMP_ACT_ERRNO\","
		   "\"args\":[{\"index\":0,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	.msg = "cannot merge personality: the policy and b/config.json both have argument rules "
	       "for it, and they differ",
};
FIXTURE_VARIANT_ADD(merge_refused, mixed_rules) {
	.section = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		   "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"},"
		   "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_TRAP\","
		   "\"args\":[{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	.msg = "b/config.json: mkdir has both unconditional and argument rules; cannot merge",
};
FIXTURE_VARIANT_ADD(merge_refused, notify_default) {
	.policy = "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}",
	.section = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}",
	.msg = "b/config.json: linux.seccomp: a default action of SCMP_ACT_NOTIFY cannot be merged",
};
FIXTURE_VARIANT_ADD(merge_refused, bundle_notifies) {
	.section = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpid\"],"
		   "\"action\":\"SCMP_ACT_NOTIFY\"}]}",
	.msg = "b/config.json: linux.seccomp already hands calls to a seccomp agent",
};
FIXTURE_VARIANT_ADD(merge_refused, bundle_has_listener) {
	.section = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/other.sock\"}",
	.msg = "b/config.json: linux.seccomp already hands calls to a seccomp agent (listenerPath)",
};
FIXTURE_VARIANT_ADD(merge_refused, no_common_architecture) {
	.policy = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"]}",
	.section = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_ARM\"]}",
	.msg = "b/config.json: linux.seccomp.architectures: none of them is one the policy allows",
};

TEST_F(merge_refused, names_the_fault)
{
	json_object *out;
	char msg[512];

	EXPECT_EQ(-EINVAL, merge(variant->policy ? variant->policy : policy_json,
				 variant->section, &out, msg, sizeof(msg)));
	EXPECT_EQ(NULL, out);
	EXPECT_NE(NULL, strstr(msg, variant->msg)) TH_LOG("got: %s", msg);
}

TEST(oci_annotations_read_and_set)
{
	const char *config = "{\"ociVersion\":\"1\",\"annotations\":{\"dev.redirect.policy\":\"web\"}}";
	struct redirect_policy *p = load(policy_json);
	struct redirect_oci_config *c = NULL;
	struct redirect_error *e = NULL;
	char *out = NULL;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, redirect_oci_config_read(config, strlen(config), NULL, &c, NULL));
	EXPECT_STREQ("web", redirect_oci_config_annotation(c, "dev.redirect.policy"));
	EXPECT_EQ(NULL, redirect_oci_config_annotation(c, "other"));
	ASSERT_EQ(0, redirect_oci_config_set_annotation(c, "dev.redirect.rewritten", "x1", NULL));
	ASSERT_EQ(0, redirect_oci_config_merge_seccomp(c, p, "/run/s.sock", &out, NULL));
	EXPECT_NE(NULL, strstr(out, "\"dev.redirect.rewritten\": \"x1\""));
	EXPECT_NE(NULL, strstr(out, "\"dev.redirect.policy\": \"web\""));
	free(out);
	redirect_oci_config_free(c);
	/* a config without annotations gets them */
	ASSERT_EQ(0, redirect_oci_config_read("{\"ociVersion\":\"1\"}", 18, NULL, &c, NULL));
	ASSERT_EQ(0, redirect_oci_config_set_annotation(c, "k", "v", NULL));
	ASSERT_EQ(0, redirect_oci_config_set_seccomp(c, p, "/run/s.sock", &out, NULL));
	EXPECT_NE(NULL, strstr(out, "\"k\": \"v\""));
	free(out);
	redirect_oci_config_free(c);
	/* the runtime spec's annotations are strings */
	config = "{\"ociVersion\":\"1\",\"annotations\":{\"n\":1}}";
	EXPECT_EQ(-EINVAL, redirect_oci_config_read(config, strlen(config), "c.json", &c, &e));
	EXPECT_STREQ("c.json: annotations.n: expected a string", e->msg);
	redirect_error_free(e);
	redirect_policy_free(p);
}

TEST_HARNESS_MAIN
