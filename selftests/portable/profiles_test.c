// SPDX-License-Identifier: GPL-2.0
/* Every engine's seccomp profile loads with its meaning: Docker's, Podman's, OCI sections. */
#include <json-c/json.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define ERRNO_DEFAULT "\"defaultAction\":\"SCMP_ACT_ERRNO\""

/* The notices the loader gives, joined. */
static char notices[4096];

static void keep_notice(void *ctx, const char *msg)
{
	size_t len = strlen(notices);

	snprintf(notices + len, sizeof(notices) - len, "%s\n", msg);
}

static int load(const char *json, unsigned int flags, struct redirect_policy **p,
		struct redirect_error **e)
{
	notices[0] = '\0';
	redirect_set_notice_fn(keep_notice, NULL);
	return redirect_policy_load_buffer_flags(json, strlen(json), "p.json", flags, p, e);
}

/*
 * What the policy compiles to, in the runtime spec's form: the errno of the
 * first rule naming call (0 without errnoRet, -1 when no rule names it), or
 * with call NULL the default action's errno.
 */
static long spec_errno(struct redirect_policy *p, const char *call)
{
	struct redirect_error *e = NULL;
	json_object *root, *rules, *v;
	char *json = NULL;
	long ret = -1;
	size_t i, j;

	if (redirect_oci_seccomp_json(p, NULL, &json, &e) < 0) {
		redirect_error_free(e);
		return -2;
	}
	root = json_tokener_parse(json);
	free(json);
	if (!call) {
		ret = json_object_object_get_ex(root, "defaultErrnoRet", &v) ?
			json_object_get_int64(v) : 0;
		json_object_put(root);
		return ret;
	}
	json_object_object_get_ex(root, "syscalls", &rules);
	for (i = 0; rules && ret < 0 && i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i), *names;

		json_object_object_get_ex(r, "names", &names);
		for (j = 0; names && j < json_object_array_length(names); j++) {
			if (strcmp(json_object_get_string(json_object_array_get_idx(names, j)),
				   call))
				continue;
			ret = json_object_object_get_ex(r, "errnoRet", &v) ?
				json_object_get_int64(v) : 0;
			break;
		}
	}
	json_object_put(root);
	return ret;
}

/* Podman's names for errnos (containers/common), beside errnoRet: the name wins. */
TEST(profile_errno_by_name)
{
	static const char json[] =
		"{" ERRNO_DEFAULT ",\"defaultErrnoRet\":1,\"defaultErrno\":\"ENOSYS\","
		"\"syscalls\":["
		"{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
		"\"errno\":\"EACCES\"},"
		"{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errno\":\"13\"},"
		"{\"names\":[\"getuid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,"
		"\"errno\":\"\"},"
		"{\"names\":[\"getgid\"],\"action\":\"SCMP_ACT_TRACE\",\"errno\":\"EPERM\"}]}";
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, load(json, REDIRECT_POLICY_STRICT, &p, &e)) TH_LOG("%s", e->msg);
	EXPECT_EQ(ENOSYS, spec_errno(p, NULL));
	EXPECT_EQ(EACCES, spec_errno(p, "getpid"));
	EXPECT_EQ(13, spec_errno(p, "getppid"));
	EXPECT_EQ(5, spec_errno(p, "getuid"));	/* "" is not given (containers/common) */
	EXPECT_EQ(EPERM, spec_errno(p, "getgid"));
	redirect_policy_free(p);
}

FIXTURE(profile_error) {
};

FIXTURE_VARIANT(profile_error) {
	const char *json;
	unsigned int flags;
	const char *msg;
};

FIXTURE_SETUP(profile_error)
{
}

FIXTURE_TEARDOWN(profile_error)
{
}

FIXTURE_VARIANT_ADD(profile_error, errno_unknown_name) {
	.json = "{" ERRNO_DEFAULT ",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errno\":\"ENOTANERRNO\"}]}",
	.msg = "p.json: syscalls[0].errno: unknown errno \"ENOTANERRNO\"",
};
FIXTURE_VARIANT_ADD(profile_error, errno_with_allow) {
	.json = "{" ERRNO_DEFAULT ",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"errno\":\"EPERM\"}]}",
	.msg = "p.json: syscalls[0].errno: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE",
};
FIXTURE_VARIANT_ADD(profile_error, errno_not_string) {
	.json = "{" ERRNO_DEFAULT ",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errno\":1}]}",
	.msg = "p.json: syscalls[0].errno: expected a string, got an integer",
};
FIXTURE_VARIANT_ADD(profile_error, default_errno_out_of_range) {
	.json = "{" ERRNO_DEFAULT ",\"defaultErrno\":\"5000\"}",
	.msg = "p.json: defaultErrno: unknown errno \"5000\"",
};
FIXTURE_VARIANT_ADD(profile_error, default_errno_without_action) {
	.json = "{\"defaultErrno\":\"EPERM\"}",
	.msg = "p.json: defaultErrno: given without \"defaultAction\"",
};
FIXTURE_VARIANT_ADD(profile_error, strict_unknown_top_level_key) {
	.json = "{" ERRNO_DEFAULT ",\"defaultActoin\":1}", .flags = REDIRECT_POLICY_STRICT,
	.msg = "p.json: defaultActoin: unknown key",
};
FIXTURE_VARIANT_ADD(profile_error, strict_unknown_condition_key) {
	.json = "{" ERRNO_DEFAULT ",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"kernel\":\"5.4\"}}]}",
	.flags = REDIRECT_POLICY_STRICT,
	.msg = "p.json: syscalls[0].includes.kernel: unknown key",
};
/* redirect's own section stays strict without the flag */
FIXTURE_VARIANT_ADD(profile_error, redirect_section_always_strict) {
	.json = "{" ERRNO_DEFAULT ",\"redirect\":{\"sentry\":{\"dflt\":\"continue\"}}}",
	.msg = "p.json: redirect.sentry.dflt: unknown key",
};
FIXTURE_VARIANT_ADD(profile_error, bad_flags) {
	.json = "{" ERRNO_DEFAULT "}", .flags = 1u << 7,
	.msg = "unknown policy load flags 0x80",
};

TEST_F(profile_error, names_path_and_problem)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(-EINVAL, load(variant->json, variant->flags, &p, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, variant->msg)) TH_LOG("\"%s\" lacks \"%s\"", e->msg,
							    variant->msg);
	EXPECT_EQ(NULL, p);
	redirect_error_free(e);
}

/* A key no format defines: ignored as the engines' JSON decoders do, with a notice. */
TEST(profile_unknown_keys_ignored_with_notice)
{
	static const char json[] =
		"{" ERRNO_DEFAULT ",\"comment\":\"mine\",\"syscalls\":[{\"names\":[\"getpid\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"note\":1,"
		"\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\",\"why\":\"x\"}]}]}";
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, load(json, 0, &p, &e)) TH_LOG("%s", e->msg);
	EXPECT_NE(NULL, strstr(notices, "p.json: comment: unknown key, ignored")) TH_LOG("%s",
											 notices);
	EXPECT_NE(NULL, strstr(notices, "p.json: syscalls[0].note: unknown key, ignored"));
	EXPECT_NE(NULL, strstr(notices, "p.json: syscalls[0].args[0].why: unknown key"));
	EXPECT_EQ(0, spec_errno(p, "getpid"));
	redirect_policy_free(p);
}

/* null stands for absent, as in Go's decoding; SCMP_ARCH_NATIVE is this machine. */
TEST(profile_nulls_and_native_arch)
{
	static const char json[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":null,\"architectures\":"
		"[\"SCMP_ARCH_NATIVE\"],\"flags\":null,\"listenerPath\":null,"
		"\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":null,\"errno\":null,\"args\":null,\"comment\":null,"
		"\"includes\":null,\"excludes\":{\"caps\":null,\"arches\":null,"
		"\"minKernel\":null}}]}";
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	ASSERT_EQ(0, load(json, REDIRECT_POLICY_STRICT, &p, &e)) TH_LOG("%s", e->msg);
	EXPECT_EQ(0, spec_errno(p, NULL));
	EXPECT_EQ(EPERM, spec_errno(p, "getpid"));	/* runc's default errno */
	redirect_policy_free(p);
}

/* ---- the profiles Debian's packages ship ---------------------------------------------- */

static int engine_profile(const char *engine, char *out, size_t size)
{
	char script[PATH_MAX], *nl;
	char *argv[] = { script, (char *)engine, NULL };
	int status;

	src_path(script, sizeof(script), "selftests/portable/engine-profile.sh");
	status = run_capture(argv, out, size);
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	return status;
}

FIXTURE(shipped) {
	char path[PATH_MAX + 256];
};

FIXTURE_VARIANT(shipped) {
	const char *engine;
	long default_errno;
	const char *eperm_call;		/* a call the profile refuses with EPERM */
};

FIXTURE_VARIANT_ADD(shipped, docker) {
	.engine = "docker", .default_errno = EPERM, .eperm_call = NULL,
};
FIXTURE_VARIANT_ADD(shipped, podman) {
	/* "defaultErrno": "ENOSYS"; "errno": "EPERM" on the refused calls */
	.engine = "podman", .default_errno = ENOSYS, .eperm_call = "kexec_load",
};

FIXTURE_SETUP(shipped)
{
	int status = engine_profile(variant->engine, self->path, sizeof(self->path));

	if (status != 0) {
		TH_LOG("%s", self->path);
		SKIP(return, "%s's profile could not be fetched (%d)", variant->engine, status);
	}
}

FIXTURE_TEARDOWN(shipped)
{
}

/* Every key of the shipped profile is one the loader knows: strict loading passes. */
TEST_F(shipped, loads_strictly_with_its_meaning)
{
	struct redirect_policy *p = NULL;
	struct redirect_error *e = NULL;

	notices[0] = '\0';
	redirect_set_notice_fn(keep_notice, NULL);
	ASSERT_EQ(0, redirect_policy_load_file_flags(self->path, REDIRECT_POLICY_STRICT, &p, &e))
		TH_LOG("%s", e->msg);
	EXPECT_STREQ("", notices);
	ASSERT_EQ(0, redirect_policy_set_capabilities(p, redirect_docker_default_caps, 14, &e));
	EXPECT_EQ(variant->default_errno, spec_errno(p, NULL));
	if (variant->eperm_call)
		EXPECT_EQ(EPERM, spec_errno(p, variant->eperm_call));
	EXPECT_EQ(0, spec_errno(p, "read"));
	redirect_policy_free(p);
}

/* ---- OCI config.json seccomp sections as the engines write them -------------------------- */

FIXTURE(oci_section) {
};

FIXTURE_VARIANT(oci_section) {
	const char *seccomp;
	long default_errno;
	const char *call;
	long call_errno;
	const char *notice;
};

FIXTURE_SETUP(oci_section)
{
}

FIXTURE_TEARDOWN(oci_section)
{
}

/* podman 4: defaultErrnoRet, architectures, rules with errnoRet and empty args */
FIXTURE_VARIANT_ADD(oci_section, podman) {
	.seccomp = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		"\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
		"\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"bdflush\",\"kexec_load\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":1},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
		"\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	.default_errno = ENOSYS, .call = "kexec_load", .call_errno = EPERM,
};
/* containerd's default: no errnoRet anywhere, valueTwo written out */
FIXTURE_VARIANT_ADD(oci_section, containerd) {
	.seccomp = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
		"[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":["
		"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":"
		"[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":8,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	.default_errno = EPERM, .call = "read", .call_errno = 0,
};
/* runc's own fields: flags and a listener (runtime spec 1.0.2+) */
FIXTURE_VARIANT_ADD(oci_section, runc_listener) {
	.seccomp = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":"
		"[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\"listenerPath\":\"/run/agent.sock\","
		"\"listenerMetadata\":\"m\",\"syscalls\":[{\"names\":[\"mkdir\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
	.default_errno = 0, .call = "mkdir", .call_errno = EACCES,
};
/* Docker's archMap is not in the runtime spec: ignored, as runc does */
FIXTURE_VARIANT_ADD(oci_section, arch_map_ignored) {
	.seccomp = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[],\"syscalls\":"
		"[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
	.default_errno = EPERM, .call = "read", .call_errno = 0,
	.notice = "c.json: linux.seccomp.archMap: unknown key, ignored",
};

TEST_F(oci_section, loads_with_its_meaning)
{
	struct redirect_oci_config *c = NULL;
	struct redirect_error *e = NULL;
	struct redirect_policy *p;
	char *config = NULL;

	ASSERT_LT(0, asprintf(&config, "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"args\":"
			      "[\"sh\"]},\"linux\":{\"seccomp\":%s}}", variant->seccomp));
	notices[0] = '\0';
	redirect_set_notice_fn(keep_notice, NULL);
	ASSERT_EQ(0, redirect_oci_config_read(config, strlen(config), "c.json", &c, &e))
		TH_LOG("%s", e->msg);
	p = (struct redirect_policy *)redirect_oci_config_seccomp(c);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(variant->default_errno, spec_errno(p, NULL));
	EXPECT_EQ(variant->call_errno, spec_errno(p, variant->call));
	if (variant->notice) {
		EXPECT_NE(NULL, strstr(notices, variant->notice)) TH_LOG("%s", notices);
	} else {
		EXPECT_STREQ("", notices);
	}
	redirect_oci_config_free(c);
	free(config);
}

TEST_HARNESS_MAIN
