// SPDX-License-Identifier: GPL-2.0
/* OCI config.json: a policy as linux.seccomp, a bundle's seccomp section read back, validated and replaced. */
#include "helpers.h"
#include "kselftest_harness.h"

static const char policy_json[] = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
	"\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
	"\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
	"\"syscalls\":["
	"{\"names\":[\"read\",\"write\",\"exit_group\",\"getppid\",\"no_such_call\"],"
	" \"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
	" \"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},"
	"{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1},"
	"{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\","
	" \"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}],"
	"\"redirect\":{\"notify\":[\"getpid\"],"
	" \"rules\":[{\"name\":\"getppid\",\"action\":\"value:1\"}]}}";

static struct redirect_policy *load(const char *json, const char *origin)
{
	return policy_from_json(json, origin, NULL);
}

static char *wrap_config(const char *section)
{
	char *out = NULL;

	if (asprintf(&out, "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],"
		     "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"]}},\"hostname\":\"h\","
		     "\"linux\":{\"namespaces\":[],\"seccomp\":%s}}", section) < 0)
		return NULL;
	return out;
}

static char *pfc(const struct redirect_policy *p)
{
	char path[] = "/tmp/redirect-pfc.XXXXXX";
	int fd = mkstemp(path);
	char *text;

	if (fd < 0)
		return NULL;
	unlink(path);
	if (redirect_filter_export_pfc(p, fd, NULL) < 0) {
		close(fd);
		return NULL;
	}
	text = calloc(1, 1 << 20);
	if (text && pread(fd, text, (1 << 20) - 1, 0) < 0) {
		free(text);
		text = NULL;
	}
	close(fd);
	return text;
}

TEST(oci_seccomp_section_from_policy)
{
	struct redirect_policy *p = load(policy_json, "/etc/redirect/web.json");
	char *json = NULL;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, redirect_oci_seccomp_json(p, "/run/redirect/agent.sock", &json, NULL));
	EXPECT_NE(NULL, strstr(json, "\"defaultAction\": \"SCMP_ACT_ERRNO\""));
	EXPECT_NE(NULL, strstr(json, "\"defaultErrnoRet\": 38"));
	EXPECT_NE(NULL, strstr(json, "\"SCMP_ARCH_X86_64\""));
	EXPECT_NE(NULL, strstr(json, "\"SCMP_ARCH_X86\""));
	EXPECT_NE(NULL, strstr(json, "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\""));
	EXPECT_NE(NULL, strstr(json, "\"listenerPath\": \"/run/redirect/agent.sock\""));
	EXPECT_NE(NULL, strstr(json, "\"listenerMetadata\": \"web\""));
	EXPECT_NE(NULL, strstr(json, "\"action\": \"SCMP_ACT_NOTIFY\""));
	EXPECT_NE(NULL, strstr(json, "\"errnoRet\": 1"));
	EXPECT_NE(NULL, strstr(json, "\"op\": \"SCMP_CMP_EQ\""));
	/* unknown names dropped, includes.caps evaluated (no CAP_SYS_ADMIN) */
	EXPECT_EQ(NULL, strstr(json, "no_such_call"));
	EXPECT_EQ(NULL, strstr(json, "\"mount\""));
	/* getppid is notified (tier-1 rule): not in the ALLOW list any more */
	EXPECT_EQ(NULL, strstr(json, "\"getppid\", \"no"));
	free(json);
	redirect_policy_free(p);
}

TEST(oci_section_round_trips_to_the_same_filter)
{
	struct redirect_policy *p = load(policy_json, "web.json");
	const struct redirect_policy *back;
	struct redirect_oci_config *c = NULL;
	struct redirect_error *e = NULL;
	char *json = NULL, *config, *a, *b;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, redirect_oci_seccomp_json(p, "/run/a.sock", &json, NULL));
	config = wrap_config(json);
	ASSERT_NE(NULL, config);
	ASSERT_EQ(0, redirect_oci_config_read(config, strlen(config), NULL, &c, &e))
		TH_LOG("%s", e->msg);
	back = redirect_oci_config_seccomp(c);
	ASSERT_NE(NULL, back);
	EXPECT_STREQ("/run/a.sock", redirect_oci_config_listener_path(c));
	EXPECT_STREQ("web", redirect_oci_config_listener_metadata(c));
	ASSERT_EQ(1, redirect_oci_config_cap_count(c));
	EXPECT_STREQ("CAP_CHOWN", redirect_oci_config_cap(c, 0));
	EXPECT_EQ(NULL, redirect_oci_config_cap(c, 1));
	EXPECT_EQ(redirect_policy_notify_count(p), redirect_policy_notify_count(back));
	a = pfc(p);
	b = pfc(back);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_STREQ(a, b);
	free(a);
	free(b);
	free(config);
	free(json);
	redirect_oci_config_free(c);
	redirect_policy_free(p);
}

TEST(oci_set_seccomp_keeps_the_rest)
{
	struct redirect_policy *p = load(policy_json, "web.json");
	struct redirect_oci_config *c = NULL, *c2 = NULL;
	char *config = wrap_config("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}"), *out = NULL;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, redirect_oci_config_read(config, strlen(config), "b/config.json", &c, NULL));
	EXPECT_EQ(NULL, redirect_oci_config_listener_path(c));
	ASSERT_EQ(0, redirect_oci_config_set_seccomp(c, p, "/run/s.sock", &out, NULL));
	EXPECT_NE(NULL, strstr(out, "\"hostname\": \"h\""));
	EXPECT_NE(NULL, strstr(out, "\"namespaces\""));
	EXPECT_NE(NULL, strstr(out, "\"args\": ["));
	EXPECT_NE(NULL, strstr(out, "\"listenerPath\": \"/run/s.sock\""));
	ASSERT_EQ(0, redirect_oci_config_read(out, strlen(out), NULL, &c2, NULL));
	EXPECT_STREQ("/run/s.sock", redirect_oci_config_listener_path(c2));
	free(out);
	redirect_oci_config_free(c2);
	redirect_oci_config_free(c);
	/* a config without linux gets one */
	ASSERT_EQ(0, redirect_oci_config_read("{\"ociVersion\":\"1\"}", 18, NULL, &c, NULL));
	EXPECT_EQ(NULL, redirect_oci_config_seccomp(c));
	ASSERT_EQ(0, redirect_oci_config_set_seccomp(c, p, "/run/s.sock", &out, NULL));
	EXPECT_NE(NULL, strstr(out, "\"seccomp\""));
	free(out);
	redirect_oci_config_free(c);
	free(config);
	redirect_policy_free(p);
}

TEST(oci_seccomp_section_errors)
{
	struct redirect_policy *p = load(policy_json, "web.json");
	struct redirect_policy *plain = load("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "plain");
	struct redirect_error *e = NULL;
	char *json = NULL;

	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, plain);
	EXPECT_EQ(-EINVAL, redirect_oci_seccomp_json(p, NULL, &json, &e));
	EXPECT_NE(NULL, strstr(e->msg, "web: the policy notifies calls: a listenerPath is needed"));
	redirect_error_free(e);
	EXPECT_EQ(-EINVAL, redirect_oci_seccomp_json(p, "run/x.sock", &json, &e));
	EXPECT_NE(NULL, strstr(e->msg, "is not absolute"));
	redirect_error_free(e);
	/* nothing notified: no listener needed, none written */
	ASSERT_EQ(0, redirect_oci_seccomp_json(plain, NULL, &json, NULL));
	EXPECT_EQ(NULL, strstr(json, "listenerPath"));
	free(json);
	redirect_policy_free(plain);
	redirect_policy_free(p);
}

FIXTURE(oci_error) {
};

FIXTURE_VARIANT(oci_error) {
	const char *json;
	const char *msg;
};

FIXTURE_SETUP(oci_error)
{
}

FIXTURE_TEARDOWN(oci_error)
{
}

FIXTURE_VARIANT_ADD(oci_error, syntax) {
	.json = "{\"ociVersion\": \"1\",\n ]", .msg = "c.json:2:2: JSON",
};
FIXTURE_VARIANT_ADD(oci_error, not_object) {
	.json = "[]", .msg = "c.json: expected a JSON object",
};
FIXTURE_VARIANT_ADD(oci_error, missing_version) {
	.json = "{\"linux\":{}}", .msg = "c.json: missing \"ociVersion\"",
};
FIXTURE_VARIANT_ADD(oci_error, version_not_string) {
	.json = "{\"ociVersion\":1}", .msg = "c.json: ociVersion: expected a non-empty string",
};
FIXTURE_VARIANT_ADD(oci_error, linux_not_object) {
	.json = "{\"ociVersion\":\"1\",\"linux\":[]}", .msg = "c.json: linux: expected an object",
};
FIXTURE_VARIANT_ADD(oci_error, process_not_object) {
	.json = "{\"ociVersion\":\"1\",\"process\":1}", .msg = "c.json: process: expected an object",
};
FIXTURE_VARIANT_ADD(oci_error, bounding_not_array) {
	.json = "{\"ociVersion\":\"1\",\"process\":{\"capabilities\":{\"bounding\":\"x\"}}}",
	.msg = "c.json: process.capabilities.bounding: expected an array",
};
FIXTURE_VARIANT_ADD(oci_error, bounding_bad_cap) {
	.json = "{\"ociVersion\":\"1\",\"process\":{\"capabilities\":{\"bounding\":"
		"[\"CAP_KILL\",\"kill\"]}}}",
	.msg = "c.json: process.capabilities.bounding[1]: expected \"CAP_NAME\"",
};
FIXTURE_VARIANT_ADD(oci_error, seccomp_not_object) {
	.json = "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":[]}}",
	.msg = "c.json: linux.seccomp: expected an object",
};
FIXTURE_VARIANT_ADD(oci_error, seccomp_missing_default) {
	.json = "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"syscalls\":[]}}}",
	.msg = "c.json: linux.seccomp: missing \"defaultAction\"",
};
FIXTURE_VARIANT_ADD(oci_error, seccomp_bad_action) {
	.json = "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		"\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"x\"],\"action\":\"SCMP_ACT_NOPE\"}]}}}",
	.msg = "c.json: linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_NOPE\"",
};
FIXTURE_VARIANT_ADD(oci_error, seccomp_redirect_section) {
	.json = "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		"\"redirect\":{}}}}",
	.msg = "c.json: linux.seccomp.redirect: unknown key",
};
/* archMap (not in the runtime spec) is ignored as runc does: profiles_test */
FIXTURE_VARIANT_ADD(oci_error, seccomp_listener_path_type) {
	.json = "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		"\"listenerPath\":5}}}",
	.msg = "c.json: linux.seccomp.listenerPath: expected a string",
};

TEST_F(oci_error, names_path_and_problem)
{
	struct redirect_oci_config *c = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(-EINVAL, redirect_oci_config_read(variant->json, strlen(variant->json),
						    "c.json", &c, &e));
	ASSERT_NE(NULL, e);
	if (!strstr(e->msg, variant->msg))
		TH_LOG("message \"%s\" lacks \"%s\"", e->msg, variant->msg);
	EXPECT_NE(NULL, strstr(e->msg, variant->msg));
	EXPECT_EQ(NULL, c);
	redirect_error_free(e);
}

TEST(oci_config_files)
{
	struct redirect_oci_config *c = NULL;
	struct redirect_error *e = NULL;
	char dir[PATH_MAX], path[PATH_MAX + 16];

	EXPECT_EQ(-ENOENT, redirect_oci_config_read_file("/nonexistent/config.json", &c, &e));
	EXPECT_NE(NULL, strstr(e->msg, "/nonexistent/config.json"));
	redirect_error_free(e);
	EXPECT_EQ(-EINVAL, redirect_oci_config_read_file("/tmp", &c, &e));
	redirect_error_free(e);
	ASSERT_EQ(0, make_temp_dir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	ASSERT_EQ(0, write_file(path, "{\"ociVersion\":\"1.0.2\"}"));
	ASSERT_EQ(0, redirect_oci_config_read_file(path, &c, &e));
	redirect_oci_config_free(c);
	remove_tree(dir);
	EXPECT_EQ(-EFBIG, redirect_oci_config_read(" ", REDIRECT_OCI_CONFIG_MAX_SIZE + 1, NULL, &c,
						   NULL));
}

/* null is "absent" for the profile parser: the listener fields too (no strdup(NULL)) */
TEST(oci_null_listener_fields_are_absent)
{
	static const char json[] = "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":"
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":null,"
		"\"listenerMetadata\":null}}}";
	struct redirect_oci_config *c = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, redirect_oci_config_read(json, strlen(json), "c.json", &c, &e))
		TH_LOG("%s", e->msg);
	EXPECT_EQ(NULL, redirect_oci_config_listener_path(c));
	redirect_oci_config_free(c);
}

TEST_HARNESS_MAIN
