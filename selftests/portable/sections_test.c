// SPDX-License-Identifier: GPL-2.0
/* Policy sections beyond the profile: tier-1 rules, Sentry handlers, capabilities, extends/include. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/un.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define ALLOW "\"defaultAction\":\"SCMP_ACT_ALLOW\""

/* Every policy here is named p.json in its errors. */
static struct redirect_policy *load(const char *json, struct redirect_error **e)
{
	return policy_from_json(json, "p.json", e);
}

TEST(sections_rules_load_and_notify_their_calls)
{
	static const char json[] = "{" ALLOW ",\"redirect\":{\"rules\":["
		"{\"names\":[\"openat\",\"open\"],\"string\":{\"index\":1,\"prefix\":\"/proc/\"},"
		" \"action\":\"errno:EACCES\",\"audit\":true,\"comment\":\"no procfs\"},"
		"{\"name\":\"getppid\",\"action\":\"value:1\",\"limit\":3},"
		"{\"name\":\"kill\",\"args\":[{\"index\":1,\"value\":9,\"op\":\"EQ\"},"
		" {\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\",\"mask\":-1}],\"action\":\"kill\"},"
		"{\"name\":\"umask\",\"action\":\"forward\"}]}}";
	struct redirect_error *e = NULL;
	struct redirect_policy *p = load(json, &e);

	ASSERT_NE(NULL, p) TH_LOG("%s", e->msg);
	EXPECT_TRUE(policy_notifies(p, "openat"));
	EXPECT_TRUE(policy_notifies(p, "open"));
	EXPECT_TRUE(policy_notifies(p, "getppid"));
	EXPECT_TRUE(policy_notifies(p, "kill"));
	EXPECT_TRUE(policy_notifies(p, "umask"));
	EXPECT_FALSE(policy_notifies(p, "read"));
	redirect_policy_free(p);
}

TEST(sections_handlers_notify_their_calls)
{
	static const char json[] = "{" ALLOW ",\"redirect\":{\"sentry\":{"
		"\"files\":{\"readOnly\":[\"/etc\"]},\"connect\":{},\"mount\":{}}}}";
	struct redirect_error *e = NULL;
	struct redirect_policy *p = load(json, &e);

	ASSERT_NE(NULL, p) TH_LOG("%s", e->msg);
	EXPECT_TRUE(redirect_policy_has_files(p));
	EXPECT_TRUE(redirect_policy_has_connect(p));
	EXPECT_TRUE(redirect_policy_has_mount(p));
	EXPECT_FALSE(redirect_policy_has_uname(p));
	EXPECT_TRUE(policy_notifies(p, "openat"));
	EXPECT_TRUE(policy_notifies(p, "unlinkat"));
	EXPECT_TRUE(policy_notifies(p, "connect"));
	EXPECT_TRUE(policy_notifies(p, "mount"));
	EXPECT_FALSE(policy_notifies(p, "execve"));
	redirect_policy_free(p);
}

TEST(sections_files_lookup_longest_prefix)
{
	static const char json[] = "{" ALLOW ",\"redirect\":{\"sentry\":{\"files\":{"
		"\"readOnly\":[\"/etc\",\"/\"],\"hidden\":[\"/etc/shadow\",\"/proc/kcore\"],"
		"\"remap\":[{\"from\":\"/etc/hosts\",\"to\":\"/run/sb/hosts\"},"
		"{\"from\":\"/data\",\"to\":\"/srv/sb1\"}]}}}}";
	struct redirect_policy *p = load(json, NULL);
	enum redirect_file_action a;
	char out[64];

	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, redirect_policy_file_lookup(p, "/etc/passwd", &a, out, sizeof(out)));
	EXPECT_EQ(REDIRECT_FILE_READ_ONLY, a);
	EXPECT_EQ(1, redirect_policy_file_lookup(p, "/etc/shadow", &a, out, sizeof(out)));
	EXPECT_EQ(REDIRECT_FILE_HIDDEN, a);
	/* whole components only: /etc/shadowx is not under /etc/shadow */
	EXPECT_EQ(1, redirect_policy_file_lookup(p, "/etc/shadowx", &a, out, sizeof(out)));
	EXPECT_EQ(REDIRECT_FILE_READ_ONLY, a);
	EXPECT_EQ(1, redirect_policy_file_lookup(p, "/etc/hosts", &a, out, sizeof(out)));
	EXPECT_EQ(REDIRECT_FILE_REMAP, a);
	EXPECT_STREQ("/run/sb/hosts", out);
	EXPECT_EQ(1, redirect_policy_file_lookup(p, "/data/a/b", &a, out, sizeof(out)));
	EXPECT_EQ(REDIRECT_FILE_REMAP, a);
	EXPECT_STREQ("/srv/sb1/a/b", out);
	EXPECT_EQ(-ENAMETOOLONG, redirect_policy_file_lookup(p, "/data/a/b", &a, out, 8));
	EXPECT_EQ(1, redirect_policy_file_lookup(p, "/usr/bin", &a, out, sizeof(out)));
	EXPECT_EQ(REDIRECT_FILE_READ_ONLY, a);
	EXPECT_EQ(-EINVAL, redirect_policy_file_lookup(p, "etc/passwd", &a, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, redirect_policy_file_lookup(p, "/etc/../x", &a, out, sizeof(out)));
	redirect_policy_free(p);

	p = load("{" ALLOW ",\"redirect\":{\"sentry\":{\"files\":{\"hidden\":[\"/a\"]}}}}",
		 NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, redirect_policy_file_lookup(p, "/b", &a, out, sizeof(out)));
	redirect_policy_free(p);
}

static int check_connect(const struct redirect_policy *p, const char *addr, int port)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, addr, &in.sin_addr) == 1)
		return redirect_policy_connect_check(p, (struct sockaddr *)&in, sizeof(in));
	inet_pton(AF_INET6, addr, &in6.sin6_addr);
	return redirect_policy_connect_check(p, (struct sockaddr *)&in6, sizeof(in6));
}

TEST(sections_connect_first_match_then_default)
{
	static const char json[] = "{" ALLOW ",\"redirect\":{\"sentry\":{\"connect\":{"
		"\"default\":\"deny\",\"rules\":["
		"{\"action\":\"deny\",\"cidr\":\"10.1.0.0/16\"},"
		"{\"action\":\"allow\",\"cidr\":\"10.0.0.0/8\",\"ports\":\"1-1024\"},"
		"{\"action\":\"allow\",\"cidr\":\"fd00::/8\",\"port\":443},"
		"{\"action\":\"allow\",\"cidr\":\"192.0.2.7\"},"
		"{\"action\":\"allow\",\"port\":53}]}}}}";
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct redirect_error *e = NULL;
	struct redirect_policy *p = load(json, &e);

	ASSERT_NE(NULL, p) TH_LOG("%s", e->msg);
	EXPECT_EQ(0, check_connect(p, "10.1.2.3", 80));
	EXPECT_EQ(1, check_connect(p, "10.2.2.3", 80));
	EXPECT_EQ(0, check_connect(p, "10.2.2.3", 8080));
	EXPECT_EQ(1, check_connect(p, "fd12::1", 443));
	EXPECT_EQ(0, check_connect(p, "fd12::1", 444));
	EXPECT_EQ(0, check_connect(p, "fe80::1", 443));
	EXPECT_EQ(1, check_connect(p, "192.0.2.7", 9999));
	EXPECT_EQ(0, check_connect(p, "192.0.2.8", 9999));
	EXPECT_EQ(1, check_connect(p, "8.8.8.8", 53));
	EXPECT_EQ(1, check_connect(p, "2001:db8::1", 53));
	EXPECT_EQ(-EAFNOSUPPORT,
		  redirect_policy_connect_check(p, (struct sockaddr *)&un, sizeof(un)));
	EXPECT_EQ(-EINVAL, redirect_policy_connect_check(p, (struct sockaddr *)&un, 1));
	redirect_policy_free(p);

	p = load("{" ALLOW ",\"redirect\":{\"sentry\":{\"connect\":{\"default\":\"allow\"}}}}",
		 NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, check_connect(p, "1.2.3.4", 1));
	redirect_policy_free(p);
}

TEST(sections_mount_types_targets_bind)
{
	static const char json[] = "{" ALLOW ",\"redirect\":{\"sentry\":{\"mount\":{"
		"\"fsTypes\":[\"tmpfs\",\"proc\"],\"targets\":[\"/mnt\",\"/run/x\"],"
		"\"bind\":true}}}}";
	struct redirect_policy *p = load(json, NULL);

	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, redirect_policy_mount_check(p, "tmpfs", "/mnt", 0));
	EXPECT_EQ(1, redirect_policy_mount_check(p, "proc", "/run/x/proc", 0));
	EXPECT_EQ(0, redirect_policy_mount_check(p, "ext4", "/mnt", 0));
	EXPECT_EQ(0, redirect_policy_mount_check(p, "tmpfs", "/mntx", 0));
	EXPECT_EQ(0, redirect_policy_mount_check(p, "tmpfs", "/", 0));
	EXPECT_EQ(1, redirect_policy_mount_check(p, NULL, "/mnt/a", MS_BIND));
	EXPECT_EQ(-EINVAL, redirect_policy_mount_check(p, "tmpfs", "mnt", 0));
	redirect_policy_free(p);

	p = load("{" ALLOW ",\"redirect\":{\"sentry\":{\"mount\":{\"targets\":[\"/\"]}}}}",
		 NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, redirect_policy_mount_check(p, NULL, "/a", MS_BIND));
	EXPECT_EQ(0, redirect_policy_mount_check(p, "tmpfs", "/a", 0));
	redirect_policy_free(p);
}

TEST(sections_capabilities_from_policy_and_api)
{
	static const char json[] = "{" ALLOW ",\"redirect\":{\"capabilities\":[\"CAP_SYS_ADMIN\"]}}";
	static const char *const bad[] = { "SYS_ADMIN" };
	struct redirect_policy *p = load(json, NULL);
	struct redirect_error *e = NULL;

	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, redirect_policy_set_capabilities(p, redirect_docker_default_caps, 14, &e));
	EXPECT_EQ(-EINVAL, redirect_policy_set_capabilities(p, bad, 1, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "invalid capability \"SYS_ADMIN\""));
	redirect_error_free(e);
	redirect_policy_free(p);
}

/* ---- error paths: each names the JSON path and the problem ---------------------------- */

FIXTURE(section_error) {
};

FIXTURE_VARIANT(section_error) {
	const char *redirect;	/* the value of "redirect" */
	const char *msg;
};

FIXTURE_SETUP(section_error)
{
}

FIXTURE_TEARDOWN(section_error)
{
}

#define RULE(body) "{\"rules\":[{\"name\":\"getppid\",\"action\":\"errno:EPERM\"}," body "]}"

FIXTURE_VARIANT_ADD(section_error, rules_not_array) {
	.redirect = "{\"rules\":{}}", .msg = "p.json: redirect.rules: expected an array",
};
FIXTURE_VARIANT_ADD(section_error, rule_unknown_key) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"kill\",\"verdict\":1}"),
	.msg = "p.json: redirect.rules[1].verdict: unknown key",
};
FIXTURE_VARIANT_ADD(section_error, rule_missing_names) {
	.redirect = RULE("{\"action\":\"kill\"}"), .msg = "redirect.rules[1]: missing \"names\"",
};
FIXTURE_VARIANT_ADD(section_error, rule_names_and_name) {
	.redirect = RULE("{\"name\":\"a\",\"names\":[\"b\"],\"action\":\"kill\"}"),
	.msg = "redirect.rules[1]: both \"names\" and \"name\"",
};
FIXTURE_VARIANT_ADD(section_error, rule_unknown_syscall) {
	.redirect = RULE("{\"names\":[\"getpid\",\"frobnicate\"],\"action\":\"kill\"}"),
	.msg = "redirect.rules[1].names[1]: unknown x86-64 system call \"frobnicate\"",
};
FIXTURE_VARIANT_ADD(section_error, rule_missing_action) {
	.redirect = RULE("{\"name\":\"getpid\"}"), .msg = "redirect.rules[1]: missing \"action\"",
};
FIXTURE_VARIANT_ADD(section_error, rule_bad_action) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"allow\"}"),
	.msg = "redirect.rules[1].action: expected \"errno:NAME\", \"value:N\", \"kill\" or",
};
FIXTURE_VARIANT_ADD(section_error, rule_unknown_errno) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"errno:EWHAT\"}"),
	.msg = "redirect.rules[1].action: unknown errno \"EWHAT\"",
};
FIXTURE_VARIANT_ADD(section_error, rule_errno_zero) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"errno:0\"}"),
	.msg = "redirect.rules[1].action: unknown errno \"0\"",
};
FIXTURE_VARIANT_ADD(section_error, rule_value_in_errno_range) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"value:-5\"}"),
	.msg = "redirect.rules[1].action: value -5 would read as an error",
};
FIXTURE_VARIANT_ADD(section_error, rule_value_not_number) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"value:12x\"}"),
	.msg = "redirect.rules[1].action: \"12x\": not a 64-bit integer",
};
FIXTURE_VARIANT_ADD(section_error, rule_too_many_args) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"kill\",\"args\":["
			 "{\"index\":0,\"value\":0,\"op\":\"EQ\"},{\"index\":0,\"value\":0,\"op\":\"EQ\"},"
			 "{\"index\":0,\"value\":0,\"op\":\"EQ\"},{\"index\":0,\"value\":0,\"op\":\"EQ\"},"
			 "{\"index\":0,\"value\":0,\"op\":\"EQ\"},{\"index\":0,\"value\":0,\"op\":\"EQ\"},"
			 "{\"index\":0,\"value\":0,\"op\":\"EQ\"}]}"),
	.msg = "redirect.rules[1].args: more than 6 comparisons",
};
FIXTURE_VARIANT_ADD(section_error, rule_arg_index) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"kill\",\"args\":["
			 "{\"index\":6,\"value\":0,\"op\":\"EQ\"}]}"),
	.msg = "redirect.rules[1].args[0].index: value 6 out of range",
};
FIXTURE_VARIANT_ADD(section_error, rule_arg_op) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"kill\",\"args\":["
			 "{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"),
	.msg = "redirect.rules[1].args[0].op: unknown comparison \"SCMP_CMP_MASKED_EQ\"",
};
FIXTURE_VARIANT_ADD(section_error, rule_arg_missing_value) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"kill\",\"args\":["
			 "{\"index\":0,\"op\":\"EQ\"}]}"),
	.msg = "redirect.rules[1].args[0]: missing \"value\"",
};
FIXTURE_VARIANT_ADD(section_error, rule_arg_fractional_mask) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"kill\",\"args\":["
			 "{\"index\":0,\"value\":1,\"mask\":0.5,\"op\":\"EQ\"}]}"),
	.msg = "redirect.rules[1].args[0].mask: expected an integer",
};
FIXTURE_VARIANT_ADD(section_error, rule_string_both) {
	.redirect = RULE("{\"name\":\"openat\",\"action\":\"kill\",\"string\":"
			 "{\"index\":1,\"exact\":\"a\",\"prefix\":\"b\"}}"),
	.msg = "redirect.rules[1].string: exactly one of \"exact\" and \"prefix\"",
};
FIXTURE_VARIANT_ADD(section_error, rule_string_empty_prefix) {
	.redirect = RULE("{\"name\":\"openat\",\"action\":\"kill\",\"string\":"
			 "{\"index\":1,\"prefix\":\"\"}}"),
	.msg = "redirect.rules[1].string.prefix: empty prefix",
};
FIXTURE_VARIANT_ADD(section_error, rule_string_too_long) {
	.redirect = RULE("{\"name\":\"openat\",\"action\":\"kill\",\"string\":{\"index\":1,"
			 "\"exact\":\"0123456789012345678901234567890123456789012345678901234567890123"
			 "456789012345678901234567890123456789012345678901234567890123456789\"}}"),
	.msg = "redirect.rules[1].string.exact: string longer than 127 bytes",
};
FIXTURE_VARIANT_ADD(section_error, rule_string_index) {
	.redirect = RULE("{\"name\":\"openat\",\"action\":\"kill\",\"string\":"
			 "{\"index\":9,\"exact\":\"x\"}}"),
	.msg = "redirect.rules[1].string.index: value 9 out of range",
};
FIXTURE_VARIANT_ADD(section_error, rule_limit_negative) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"kill\",\"limit\":-1}"),
	.msg = "redirect.rules[1].limit: negative value -1",
};
FIXTURE_VARIANT_ADD(section_error, rule_audit_not_bool) {
	.redirect = RULE("{\"name\":\"getpid\",\"action\":\"kill\",\"audit\":1}"),
	.msg = "redirect.rules[1].audit: expected a boolean",
};
FIXTURE_VARIANT_ADD(section_error, capabilities_bad) {
	.redirect = "{\"capabilities\":[\"CAP_CHOWN\",\"cap_kill\"]}",
	.msg = "p.json: redirect.capabilities[1]: invalid capability \"cap_kill\"",
};
FIXTURE_VARIANT_ADD(section_error, files_unknown_key) {
	.redirect = "{\"sentry\":{\"files\":{\"readonly\":[]}}}",
	.msg = "redirect.sentry.files.readonly: unknown key",
};
FIXTURE_VARIANT_ADD(section_error, files_relative_path) {
	.redirect = "{\"sentry\":{\"files\":{\"readOnly\":[\"/etc\",\"var\"]}}}",
	.msg = "redirect.sentry.files.readOnly[1]: \"var\" is not an absolute path",
};
FIXTURE_VARIANT_ADD(section_error, files_dotdot) {
	.redirect = "{\"sentry\":{\"files\":{\"hidden\":[\"/a/../b\"]}}}",
	.msg = "redirect.sentry.files.hidden[0]: \"/a/../b\" is not an absolute path",
};
FIXTURE_VARIANT_ADD(section_error, files_trailing_slash) {
	.redirect = "{\"sentry\":{\"files\":{\"hidden\":[\"/a/\"]}}}",
	.msg = "redirect.sentry.files.hidden[0]: \"/a/\" is not",
};
FIXTURE_VARIANT_ADD(section_error, files_remap_missing_to) {
	.redirect = "{\"sentry\":{\"files\":{\"remap\":[{\"from\":\"/a\"}]}}}",
	.msg = "redirect.sentry.files.remap[0]: missing \"to\"",
};
FIXTURE_VARIANT_ADD(section_error, files_remap_root) {
	.redirect = "{\"sentry\":{\"files\":{\"remap\":[{\"from\":\"/\",\"to\":\"/x\"}]}}}",
	.msg = "redirect.sentry.files.remap[0]: cannot remap \"/\"",
};
FIXTURE_VARIANT_ADD(section_error, files_duplicate) {
	.redirect = "{\"sentry\":{\"files\":{\"readOnly\":[\"/a\"],\"hidden\":[\"/a\"]}}}",
	.msg = "redirect.sentry.files: \"/a\" has more than one rule",
};
FIXTURE_VARIANT_ADD(section_error, connect_default_bad) {
	.redirect = "{\"sentry\":{\"connect\":{\"default\":\"maybe\"}}}",
	.msg = "redirect.sentry.connect.default: expected \"allow\" or \"deny\"",
};
FIXTURE_VARIANT_ADD(section_error, connect_rule_missing_action) {
	.redirect = "{\"sentry\":{\"connect\":{\"rules\":[{\"cidr\":\"10.0.0.0/8\"}]}}}",
	.msg = "redirect.sentry.connect.rules[0]: missing \"action\"",
};
FIXTURE_VARIANT_ADD(section_error, connect_bad_cidr) {
	.redirect = "{\"sentry\":{\"connect\":{\"rules\":[{\"action\":\"allow\","
		    "\"cidr\":\"10.0.0/8\"}]}}}",
	.msg = "redirect.sentry.connect.rules[0].cidr: \"10.0.0/8\" is not an address",
};
FIXTURE_VARIANT_ADD(section_error, connect_prefix_too_long) {
	.redirect = "{\"sentry\":{\"connect\":{\"rules\":[{\"action\":\"allow\","
		    "\"cidr\":\"10.0.0.0/33\"}]}}}",
	.msg = "rules[0].cidr: prefix length of \"10.0.0.0/33\" is not 0..32",
};
FIXTURE_VARIANT_ADD(section_error, connect_host_bits) {
	.redirect = "{\"sentry\":{\"connect\":{\"rules\":[{\"action\":\"allow\","
		    "\"cidr\":\"10.0.0.1/8\"}]}}}",
	.msg = "rules[0].cidr: \"10.0.0.1/8\" has bits set beyond its prefix",
};
FIXTURE_VARIANT_ADD(section_error, connect_port_range) {
	.redirect = "{\"sentry\":{\"connect\":{\"rules\":[{\"action\":\"allow\","
		    "\"port\":70000}]}}}",
	.msg = "rules[0].port: value 70000 out of range",
};
FIXTURE_VARIANT_ADD(section_error, connect_ports_backwards) {
	.redirect = "{\"sentry\":{\"connect\":{\"rules\":[{\"action\":\"allow\","
		    "\"ports\":\"90-80\"}]}}}",
	.msg = "rules[0].ports: expected \"LOW-HIGH\" within 0-65535, got \"90-80\"",
};
FIXTURE_VARIANT_ADD(section_error, connect_port_and_ports) {
	.redirect = "{\"sentry\":{\"connect\":{\"rules\":[{\"action\":\"allow\","
		    "\"port\":1,\"ports\":\"1-2\"}]}}}",
	.msg = "rules[0]: both \"port\" and \"ports\" given",
};
FIXTURE_VARIANT_ADD(section_error, mount_bad_fs) {
	.redirect = "{\"sentry\":{\"mount\":{\"fsTypes\":[\"tmp fs\"]}}}",
	.msg = "redirect.sentry.mount.fsTypes[0]: invalid file system type \"tmp fs\"",
};
FIXTURE_VARIANT_ADD(section_error, mount_relative_target) {
	.redirect = "{\"sentry\":{\"mount\":{\"targets\":[\"mnt\"]}}}",
	.msg = "redirect.sentry.mount.targets[0]: \"mnt\" is not an absolute path",
};
FIXTURE_VARIANT_ADD(section_error, mount_bind_not_bool) {
	.redirect = "{\"sentry\":{\"mount\":{\"bind\":\"yes\"}}}",
	.msg = "redirect.sentry.mount.bind: expected a boolean",
};

TEST_F(section_error, names_path_and_problem)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	char json[2048];
	int ret;

	snprintf(json, sizeof(json), "{" ALLOW ",\"redirect\":%s}", variant->redirect);
	ret = redirect_policy_load_buffer(json, strlen(json), "p.json", &p, &e);
	ASSERT_EQ(-EINVAL, ret);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(EINVAL, e->errnum);
	if (!strstr(e->msg, variant->msg))
		TH_LOG("message \"%s\" lacks \"%s\"", e->msg, variant->msg);
	EXPECT_NE(NULL, strstr(e->msg, variant->msg));
	EXPECT_EQ(NULL, p);
	redirect_error_free(e);
}

/* ---- extends / include ------------------------------------------------------------------- */

FIXTURE(layers) {
	char dir[PATH_MAX];
};

FIXTURE_SETUP(layers)
{
	ASSERT_EQ(0, make_temp_dir(self->dir, sizeof(self->dir)));
}

FIXTURE_TEARDOWN(layers)
{
	remove_tree(self->dir);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (write_file(path, text) < 0)
		abort();
}

static int load_in(const char *dir, const char *name, struct redirect_policy **p,
		   struct redirect_error **e)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return redirect_policy_load_file(path, p, e);
}

TEST_F(layers, extends_and_include_merge_in_order)
{
	struct redirect_policy *p = NULL;
	struct redirect_ruleset *rs = NULL;
	struct redirect_error *e = NULL;
	struct redirect_answer a;
	int ret;

	put_file(self->dir, "base.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		 "\"syscalls\":[{\"names\":[\"getpid\",\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\"}],"
		 "\"redirect\":{\"rules\":[{\"name\":\"umask\",\"action\":\"errno:EPERM\"}],"
		 "\"sentry\":{\"default\":\"continue\",\"uname\":{\"release\":\"1.0\"}}}}");
	mkdir(strcat(strcpy((char[PATH_MAX + 8]){ 0 }, self->dir), "/sub"), 0755);
	put_file(self->dir, "sub/extra.json", "{\"redirect\":{\"notify\":[\"getcwd\"],"
		 "\"rules\":[{\"name\":\"umask\",\"action\":\"errno:EACCES\"}]}}");
	put_file(self->dir, "top.json", "{\"extends\":\"base.json\","
		 "\"include\":[\"sub/extra.json\"],"
		 "\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_NOTIFY\"}],"
		 "\"redirect\":{\"rules\":[{\"name\":\"umask\",\"action\":\"value:7\"}],"
		 "\"sentry\":{\"uname\":{\"release\":\"2.0\"}}}}");
	ret = load_in(self->dir, "top.json", &p, &e);
	ASSERT_EQ(0, ret) TH_LOG("%s", e->msg);
	EXPECT_STREQ("top", redirect_policy_name(p));
	EXPECT_STREQ("2.0", redirect_policy_uname(p, REDIRECT_UNAME_RELEASE));
	redirect_policy_default_verdict(p, &a);
	EXPECT_EQ(REDIRECT_ANSWER_CONTINUE, a.kind);	/* kept from base */
	EXPECT_TRUE(policy_notifies(p, "getcwd"));
	EXPECT_TRUE(policy_notifies(p, "getpid"));	/* top's NOTIFY overrides base's ALLOW */
	EXPECT_FALSE(policy_notifies(p, "getppid"));
	/* later layers' rules first: top, extra, base */
	ASSERT_EQ(0, redirect_ruleset_compile(p, &rs, &e));
	ASSERT_EQ(3, redirect_ruleset_count(rs));
	EXPECT_EQ(REDIRECT_VERDICT_VALUE, redirect_ruleset_rules(rs)[0].verdict);
	EXPECT_EQ(EACCES, redirect_ruleset_rules(rs)[1].value);
	EXPECT_EQ(EPERM, redirect_ruleset_rules(rs)[2].value);
	EXPECT_NE(NULL, strstr(redirect_ruleset_origin(rs, 1), "sub/extra.json: redirect.rules[0]"));
	EXPECT_NE(NULL, strstr(redirect_ruleset_origin(rs, 2), "base.json: redirect.rules[0] (umask)"));
	redirect_ruleset_free(rs);
	redirect_policy_free(p);
}

TEST_F(layers, error_in_base_names_both_files)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	put_file(self->dir, "base.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		 "\"redirect\":{\"rules\":[{\"name\":\"getpid\",\"action\":\"explode\"}]}}");
	put_file(self->dir, "top.json", "{\"include\":[\"base.json\"]}");
	ASSERT_EQ(-EINVAL, load_in(self->dir, "top.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "top.json: include[0]: "));
	EXPECT_NE(NULL, strstr(e->msg, "base.json: redirect.rules[0].action: expected"));
	redirect_error_free(e);
}

TEST_F(layers, missing_base)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	put_file(self->dir, "top.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		 "\"extends\":\"nowhere.json\"}");
	ASSERT_EQ(-ENOENT, load_in(self->dir, "top.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "top.json: extends: cannot open"));
	EXPECT_NE(NULL, strstr(e->msg, "nowhere.json"));
	redirect_error_free(e);
}

TEST_F(layers, cycle_is_refused)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	put_file(self->dir, "a.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"extends\":\"b.json\"}");
	put_file(self->dir, "b.json", "{\"include\":[\"c.json\"]}");
	put_file(self->dir, "c.json", "{\"extends\":\"a.json\"}");
	ASSERT_EQ(-EINVAL, load_in(self->dir, "a.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "c.json: extends: \"a.json\" includes itself (a cycle)"))
		TH_LOG("%s", e->msg);
	redirect_error_free(e);

	put_file(self->dir, "self.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		 "\"extends\":\"self.json\"}");
	ASSERT_EQ(-EINVAL, load_in(self->dir, "self.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "includes itself"));
	redirect_error_free(e);
}

TEST_F(layers, depth_limit)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;
	char name[32], text[128];
	int i;

	for (i = 0; i < REDIRECT_POLICY_MAX_DEPTH + 2; i++) {
		snprintf(name, sizeof(name), "l%d.json", i);
		snprintf(text, sizeof(text), "{\"defaultAction\":\"SCMP_ACT_ALLOW\""
			 ",\"extends\":\"l%d.json\"}", i + 1);
		put_file(self->dir, name, text);
	}
	ASSERT_EQ(-EINVAL, load_in(self->dir, "l0.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "more than 8 levels of extends / include"))
		TH_LOG("%s", e->msg);
	redirect_error_free(e);
	/* exactly at the limit: fine */
	snprintf(text, sizeof(text), "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
	snprintf(name, sizeof(name), "l%d.json", REDIRECT_POLICY_MAX_DEPTH);
	put_file(self->dir, name, text);
	ASSERT_EQ(0, load_in(self->dir, "l0.json", &p, &e)) TH_LOG("%s", e->msg);
	redirect_policy_free(p);
}

TEST_F(layers, bad_include_values)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	put_file(self->dir, "t.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"include\":\"x\"}");
	ASSERT_EQ(-EINVAL, load_in(self->dir, "t.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "t.json: include: expected an array"));
	redirect_error_free(e);
	put_file(self->dir, "t.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"extends\":[]}");
	ASSERT_EQ(-EINVAL, load_in(self->dir, "t.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "t.json: extends: expected a string"));
	redirect_error_free(e);
	put_file(self->dir, "t.json", "{\"extends\":\"/dev/null\"}");
	ASSERT_EQ(-EINVAL, load_in(self->dir, "t.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "t.json: extends: /dev/null: not a regular file"));
	redirect_error_free(e);
	/* neither file sets a default action */
	put_file(self->dir, "n.json", "{}");
	put_file(self->dir, "t.json", "{\"extends\":\"n.json\"}");
	ASSERT_EQ(-EINVAL, load_in(self->dir, "t.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "t.json: missing \"defaultAction\""));
	redirect_error_free(e);
}

/* A policy file with n tier-1 rules (umask, errno:EPERM), extending base when given. */
static void put_rules(const char *dir, const char *name, const char *base, int n)
{
	size_t size = 256 + (size_t)n * 64, len;
	char *text = malloc(size);
	int i;

	if (!text)
		abort();
	len = (size_t)snprintf(text, size, "{%s%s%s\"redirect\":{\"rules\":[",
			       base ? "\"extends\":\"" : ALLOW ",", base ? base : "",
			       base ? "\"," : "");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len,
					"%s{\"name\":\"umask\",\"action\":\"errno:EPERM\"}",
					i ? "," : "");
	snprintf(text + len, size - len, "]}}");
	put_file(dir, name, text);
	free(text);
}

/*
 * More tier-1 rules across layers than the module takes: a clean error, no
 * rule owned twice (this crashed with a double free; the -asan build of
 * this test would report it even where it did not crash).
 */
TEST_F(layers, tier1_limit_across_layers)
{
	struct redirect_policy *p = NULL;
	struct redirect_ruleset *rs = NULL;
	struct redirect_error *e = NULL;

	put_rules(self->dir, "base.json", NULL, 600);
	put_rules(self->dir, "top.json", "base.json", 600);
	ASSERT_EQ(-EINVAL, load_in(self->dir, "top.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "top.json: more than 1024 tier-1 rules with the layers "
			       "merged")) TH_LOG("%s", e->msg);
	EXPECT_EQ(NULL, p);
	redirect_error_free(e);
	/* the same through include[], where the base is merged into the including file */
	put_file(self->dir, "inc.json", "{" ALLOW ",\"include\":[\"base.json\",\"base.json\"]}");
	ASSERT_EQ(-EINVAL, load_in(self->dir, "inc.json", &p, &e));
	EXPECT_NE(NULL, strstr(e->msg, "inc.json: include[1]: more than 1024 tier-1 rules"))
		TH_LOG("%s", e->msg);
	redirect_error_free(e);
	/* exactly at the limit: fine, every rule there once */
	put_rules(self->dir, "top.json", "base.json", REDIRECT_RULES_MAX - 600);
	ASSERT_EQ(0, load_in(self->dir, "top.json", &p, &e)) TH_LOG("%s", e->msg);
	ASSERT_EQ(0, redirect_ruleset_compile(p, &rs, &e)) TH_LOG("%s", e->msg);
	EXPECT_EQ(REDIRECT_RULES_MAX, redirect_ruleset_count(rs));
	EXPECT_NE(NULL, strstr(redirect_ruleset_origin(rs, 0), "top.json: redirect.rules[0]"));
	EXPECT_NE(NULL, strstr(redirect_ruleset_origin(rs, REDIRECT_RULES_MAX - 1),
			       "base.json: redirect.rules[599]"));
	redirect_ruleset_free(rs);
	redirect_policy_free(p);
}

TEST_HARNESS_MAIN
