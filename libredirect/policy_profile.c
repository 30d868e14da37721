// SPDX-License-Identifier: GPL-2.0
/* The seccomp-profile part of a policy: actions, architectures, rules, includes / excludes. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "policy.h"

#define MAX_ARGS_PER_RULE 64

/* ---- actions, architectures, operators ----------------------------------- */

static const struct {
	const char *name;
	uint32_t action;
	bool takes_errno;
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

/*
 * Parse parent[action_key] and parent[errno_key] (optional; EPERM by
 * default, as in runc).  The path points at parent.
 */
static int parse_action_name(struct policy_loader *l, json_object *v,
			     const struct policy_field *f)
{
	size_t *index = f->dst, i;
	const char *s;
	int ret;

	ret = policy_get_string(l, v, 0, &s);
	if (ret < 0)
		return ret;
	for (i = 0; i < ARRAY_SIZE(actions); i++) {
		if (!strcmp(actions[i].name, s)) {
			*index = i;
			return 0;
		}
	}
	return policy_fail(l, "unknown action \"%s\"", s);
}

/* f->arg: the index of the action parsed before */
static int parse_errno_ret(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	const size_t *action = f->arg;

	if (!actions[*action].takes_errno)
		return policy_fail(l, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	return policy_get_uint64(l, v, 4095, f->dst);
}

/*
 * Podman's "errno" / "defaultErrno": a name or a decimal number; it wins
 * over errnoRet.  An empty string means not given (containers/common).
 */
static int parse_errno_name(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	const size_t *action = f->arg;
	uint64_t *out = f->dst;
	const char *s;
	int errnum;

	if (policy_expect_type(l, v, json_type_string, "a string") < 0)
		return -EINVAL;
	s = json_object_get_string(v);
	if (!*s)
		return 0;
	if (!actions[*action].takes_errno)
		return policy_fail(l, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	if (strlen(s) != (size_t)json_object_get_string_len(v) ||
	    redirect_errno_parse(s, &errnum) < 0)
		return policy_fail(l, "unknown errno \"%s\"", s);
	*out = (uint64_t)errnum;
	return 0;
}

/* parent[keys[0]], the action; keys[1] and keys[2], its errno as a number or a name. */
static int get_action(struct policy_loader *l, json_object *parent, const char *const keys[3],
		      uint32_t *out)
{
	uint64_t errnum = EPERM;
	size_t i = 0;
	const struct policy_field fields[] = {
		{ .key = keys[0], .flags = POLICY_REQUIRED | POLICY_NULL_ABSENT,
		  .parse = parse_action_name, .dst = &i },
		{ .key = keys[1], .flags = POLICY_NULL_ABSENT, .parse = parse_errno_ret,
		  .dst = &errnum, .arg = &i },
		{ .key = keys[2], .flags = POLICY_NULL_ABSENT, .parse = parse_errno_name,
		  .dst = &errnum, .arg = &i },
	};
	int ret;

	ret = policy_fields(l, parent, fields, ARRAY_SIZE(fields));
	if (ret < 0)
		return ret;
	*out = actions[i].takes_errno ? (actions[i].action | (uint32_t)errnum)
				      : actions[i].action;
	return 0;
}

/* "SCMP_ARCH_X86_64" → libseccomp's token; SCMP_ARCH_NATIVE (Podman's) is this machine's. */
static uint32_t arch_token(const char *s)
{
	char lower[32];
	size_t i;

	if (strncmp(s, "SCMP_ARCH_", 10) || strlen(s + 10) >= sizeof(lower))
		return 0;
	for (i = 0; s[10 + i]; i++)
		lower[i] = (char)((s[10 + i] >= 'A' && s[10 + i] <= 'Z') ? s[10 + i] + 32
									: s[10 + i]);
	lower[i] = '\0';
	if (!strcmp(lower, "native"))
		return seccomp_arch_native();
	return seccomp_arch_resolve_name(lower);
}

static int check_arch(struct policy_loader *l, const char *s)
{
	if (!arch_token(s))
		return policy_fail(l, "unknown architecture \"%s\"", s);
	return 0;
}

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int check_syscall_name(struct policy_loader *l, const char *s)
{
	if (strlen(s) > 64)
		return policy_fail(l, "system call name too long");
	return 0;
}

int policy_check_known_syscall(struct policy_loader *l, const char *s)
{
	if (seccomp_syscall_resolve_name(s) == __NR_SCMP_ERROR)
		return policy_fail(l, "unknown system call \"%s\"", s);
	return 0;
}

int policy_check_cap(struct policy_loader *l, const char *s)
{
	const char *p;

	if (strncmp(s, "CAP_", 4) || !s[4])
		return policy_fail(l, "invalid capability \"%s\"", s);
	for (p = s + 4; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return policy_fail(l, "invalid capability \"%s\"", s);
	return 0;
}

static int check_goarch(struct policy_loader *l, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return policy_fail(l, "invalid architecture \"%s\"", s);
	return 0;
}

/* ---- profile part ----------------------------------------------------------- */

static void free_cond(struct policy_cond *c)
{
	policy_free_strv(c->arches, c->n_arches);
	policy_free_strv(c->caps, c->n_caps);
}

void policy_free_rule(struct policy_rule *r)
{
	policy_free_strv(r->names, r->n_names);
	free(r->args);
	free_cond(&r->includes);
	free_cond(&r->excludes);
}

static int parse_min_kernel(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	struct policy_cond *c = f->dst;
	const char *s;
	unsigned int major, minor;
	int n = 0, ret;

	ret = policy_get_string(l, o, 32, &s);
	if (ret < 0)
		return ret;
	if (sscanf(s, "%u.%u%n", &major, &minor, &n) != 2 || (size_t)n != strlen(s) ||
	    s[0] < '0' || s[0] > '9')
		return policy_fail(l, "expected \"MAJOR.MINOR\", got \"%s\"", s);
	c->has_min_kernel = true;
	c->min_major = major;
	c->min_minor = minor;
	return 0;
}

static int parse_cond(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "arches", "caps", "minKernel", NULL };
	struct policy_cond *c = f->dst;
	const struct policy_field fields[] = {
		{ .key = "arches", .flags = POLICY_NULL_ABSENT, .parse = policy_parse_strv,
		  .dst = &c->arches, .count = &c->n_arches, .check = check_goarch },
		{ .key = "caps", .flags = POLICY_NULL_ABSENT, .parse = policy_parse_strv,
		  .dst = &c->caps, .count = &c->n_caps, .check = policy_check_cap },
		{ .key = "minKernel", .flags = POLICY_NULL_ABSENT, .parse = parse_min_kernel,
		  .dst = c },
	};
	int ret;

	ret = policy_profile_object(l, o, known);
	if (ret < 0)
		return ret;
	return policy_fields(l, o, fields, ARRAY_SIZE(fields));
}

static int parse_operator(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	enum scmp_compare *op = f->dst;
	const char *s;
	size_t i;
	int ret;

	ret = policy_get_string(l, v, 0, &s);
	if (ret < 0)
		return ret;
	for (i = 0; i < ARRAY_SIZE(operators); i++) {
		if (!strcmp(operators[i].name, s)) {
			*op = operators[i].op;
			return 0;
		}
	}
	return policy_fail(l, "unknown operator \"%s\"", s);
}

static int parse_arg(struct policy_loader *l, json_object *o, size_t i, void *ctx)
{
	struct policy_rule *r = ctx;
	struct policy_arg *a = &r->args[r->n_args++];
	static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
	uint64_t index = 0;
	const struct policy_field fields[] = {
		{ .key = "index", .flags = POLICY_REQUIRED, .parse = policy_parse_u64,
		  .dst = &index, .max = 5 },
		{ .key = "value", .flags = POLICY_REQUIRED, .parse = policy_parse_u64,
		  .dst = &a->value, .max = UINT64_MAX },
		{ .key = "valueTwo", .flags = POLICY_NULL_ABSENT, .parse = policy_parse_u64,
		  .dst = &a->value_two, .max = UINT64_MAX },
		{ .key = "op", .flags = POLICY_REQUIRED, .parse = parse_operator, .dst = &a->op },
	};
	int ret;

	ret = policy_profile_object(l, o, known);
	if (ret < 0)
		return ret;
	a->value_two = 0;
	ret = policy_fields(l, o, fields, ARRAY_SIZE(fields));
	a->index = (unsigned int)index;
	return ret;
}

static int parse_rule_args(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	struct policy_rule *r = f->dst;
	size_t n;
	int ret;

	ret = policy_array_length(l, v, MAX_ARGS_PER_RULE, "conditions", &n);
	if (ret < 0)
		return ret;
	r->args = calloc(n ? n : 1, sizeof(*r->args));
	if (!r->args)
		return policy_fail(l, "out of memory");
	return policy_for_each_element(l, v, parse_arg, r);
}

/* "names": [...] or "name": "..." (either one, not both) into *names / *n. */
int policy_parse_names(struct policy_loader *l, json_object *o, policy_check_fn check,
		       char ***names, size_t *n)
{
	const char *s = NULL;
	const struct policy_field fields[] = {
		{ .key = "names", .flags = POLICY_NONEMPTY, .parse = policy_parse_strv,
		  .dst = names, .count = n, .check = check },
		{ .key = "name", .parse = policy_parse_string, .dst = &s, .max = 64,
		  .check = check },
	};
	int ret;

	if (json_object_object_get_ex(o, "names", NULL) &&
	    json_object_object_get_ex(o, "name", NULL))
		return policy_fail(l, "both \"names\" and \"name\" given");
	ret = policy_field(l, o, &fields[0]);
	if (ret == 0)
		ret = policy_field(l, o, &fields[1]);
	if (ret < 0)
		return ret;
	if (ret == 0)
		return policy_fail(l, "missing \"names\"");
	if (!s)
		return 0;
	*names = calloc(1, sizeof(**names));
	if (!*names || !((*names)[0] = strdup(s)))
		return policy_fail(l, "out of memory");
	*n = 1;
	return 0;
}

static int parse_rule(struct policy_loader *l, json_object *o, size_t i, void *ctx)
{
	struct redirect_policy *p = ctx;
	struct policy_rule *r = &p->rules[p->n_rules++];
	static const char *const known[] = { "names", "name", "action", "errnoRet", "errno",
					     "args", "comment", "includes", "excludes", NULL };
	static const char *const action_keys[3] = { "action", "errnoRet", "errno" };
	const struct policy_field comment = { .key = "comment", .flags = POLICY_NULL_ABSENT,
					      .parse = policy_parse_comment };
	const struct policy_field fields[] = {
		{ .key = "args", .flags = POLICY_NULL_ABSENT, .parse = parse_rule_args, .dst = r },
		{ .key = "includes", .flags = POLICY_NULL_ABSENT, .parse = parse_cond,
		  .dst = &r->includes },
		{ .key = "excludes", .flags = POLICY_NULL_ABSENT, .parse = parse_cond,
		  .dst = &r->excludes },
	};
	int ret;

	ret = policy_profile_object(l, o, known);
	if (ret == 0)
		ret = policy_parse_names(l, o, check_syscall_name, &r->names, &r->n_names);
	if (ret >= 0)
		ret = policy_field(l, o, &comment);
	if (ret >= 0)
		ret = get_action(l, o, action_keys, &r->action);
	if (ret < 0)
		return ret;
	return policy_fields(l, o, fields, ARRAY_SIZE(fields));
}

static int parse_arch_entry(struct policy_loader *l, json_object *e, size_t i, void *ctx)
{
	struct redirect_policy *p = ctx;
	static const char *const known[] = { "architecture", "subArchitectures", NULL };
	uint32_t native = seccomp_arch_native();
	const char *arch = NULL;
	char **subs = NULL;
	size_t n_subs = 0, j;
	const struct policy_field fields[] = {
		{ .key = "architecture", .flags = POLICY_REQUIRED, .parse = policy_parse_string,
		  .dst = &arch, .check = check_arch },
		{ .key = "subArchitectures", .flags = POLICY_NULL_ABSENT, .parse = policy_parse_strv,
		  .dst = &subs, .count = &n_subs, .check = check_arch },
	};
	int ret;

	ret = policy_profile_object(l, e, known);
	if (ret == 0)
		ret = policy_fields(l, e, fields, ARRAY_SIZE(fields));
	if (ret < 0)
		return ret;
	/* Docker uses only the entry of the native architecture */
	if (arch_token(arch) == native && !p->n_arches) {
		p->arches = calloc(n_subs + 1, sizeof(*p->arches));
		if (!p->arches) {
			policy_free_strv(subs, n_subs);
			return policy_fail(l, "out of memory");
		}
		p->arches[p->n_arches++] = native;
		for (j = 0; j < n_subs; j++)
			p->arches[p->n_arches++] = arch_token(subs[j]);
	}
	policy_free_strv(subs, n_subs);
	return 0;
}

static int parse_arch_map(struct policy_loader *l, json_object *arr, const struct policy_field *f)
{
	struct redirect_policy *p = f->dst;
	int ret;

	ret = policy_for_each_element(l, arr, parse_arch_entry, p);
	if (ret == 0)
		p->has |= POLICY_HAS_ARCHES;
	return ret;
}

static const struct {
	const char *name;
	unsigned int flag;
} filter_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 0 },	/* single-threaded launcher: no-op */
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static int check_filter_flag(struct policy_loader *l, const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(filter_flags); i++)
		if (!strcmp(filter_flags[i].name, s))
			return 0;
	return policy_fail(l, "unknown filter flag \"%s\"", s);
}

const char *const redirect_docker_default_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

/* ---- document --------------------------------------------------------------------- */

static int parse_architectures(struct policy_loader *l, json_object *v,
			       const struct policy_field *f)
{
	struct redirect_policy *p = f->dst;
	char **names = NULL;
	size_t n_names = 0, i;
	int ret;

	ret = policy_get_string_array(l, v, true, check_arch, &names, &n_names);
	if (ret < 0)
		return ret;
	p->arches = calloc(n_names ? n_names : 1, sizeof(*p->arches));
	if (!p->arches) {
		policy_free_strv(names, n_names);
		return policy_fail(l, "out of memory");
	}
	for (i = 0; i < n_names; i++)
		p->arches[i] = arch_token(names[i]);
	p->n_arches = n_names;
	policy_free_strv(names, n_names);
	p->has |= POLICY_HAS_ARCHES;
	return 0;
}

static int parse_flags(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	struct redirect_policy *p = f->dst;
	char **flags = NULL;
	size_t n_flags = 0, i, j;
	int ret;

	ret = policy_get_string_array(l, v, true, check_filter_flag, &flags, &n_flags);
	if (ret < 0)
		return ret;
	for (i = 0; i < n_flags; i++)
		for (j = 0; j < ARRAY_SIZE(filter_flags); j++)
			if (!strcmp(flags[i], filter_flags[j].name))
				p->load_flags |= filter_flags[j].flag;
	policy_free_strv(flags, n_flags);
	p->has |= POLICY_HAS_FLAGS;
	return 0;
}

static int parse_syscalls(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	struct redirect_policy *p = f->dst;
	size_t n;
	int ret;

	ret = policy_array_length(l, v, 0, NULL, &n);
	if (ret < 0)
		return ret;
	p->rules = calloc(n ? n : 1, sizeof(*p->rules));
	if (!p->rules)
		return policy_fail(l, "out of memory");
	return policy_for_each_element(l, v, parse_rule, p);
}

static int parse_orphan_errno(struct policy_loader *l, json_object *v,
			      const struct policy_field *f)
{
	return policy_fail(l, "given without \"defaultAction\"");
}

/* redirect's own keys, which a config.json's seccomp section cannot carry */
static int refuse_in_oci(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	return policy_fail(l, "unknown key");
}

int policy_parse_document(struct policy_loader *l, json_object *root, struct redirect_policy *p)
{
	/* Docker's (moby), Podman's (containers/common) and the runtime spec's keys */
	static const char *const known[] = { "defaultAction", "defaultErrnoRet", "defaultErrno",
					     "architectures", "archMap", "flags", "syscalls",
					     "listenerPath", "listenerMetadata", "redirect",
					     "extends", "include", NULL };
	/* the runtime spec's LinuxSeccomp */
	static const char *const oci_known[] = { "defaultAction", "defaultErrnoRet",
						 "architectures", "flags", "syscalls",
						 "listenerPath", "listenerMetadata", NULL };
	static const char *const action_keys[3] = { "defaultAction", "defaultErrnoRet",
						    "defaultErrno" };
	const struct policy_field oci_refused[] = {
		{ .key = "redirect", .parse = refuse_in_oci },
		{ .key = "extends", .parse = refuse_in_oci },
		{ .key = "include", .parse = refuse_in_oci },
	};
	const struct policy_field orphan_errno[] = {
		{ .key = "defaultErrnoRet", .flags = POLICY_NULL_ABSENT,
		  .parse = parse_orphan_errno },
		{ .key = "defaultErrno", .flags = POLICY_NULL_ABSENT, .parse = parse_orphan_errno },
	};
	const struct policy_field arches[] = {
		{ .key = "architectures", .flags = POLICY_NULL_ABSENT,
		  .parse = parse_architectures, .dst = p },
		{ .key = "archMap", .flags = POLICY_NULL_ABSENT, .parse = parse_arch_map,
		  .dst = p },
	};
	const struct policy_field fields[] = {
		{ .key = "flags", .flags = POLICY_NULL_ABSENT, .parse = parse_flags, .dst = p },
		{ .key = "listenerPath", .flags = POLICY_NULL_ABSENT,
		  .parse = policy_parse_comment },
		{ .key = "listenerMetadata", .flags = POLICY_NULL_ABSENT,
		  .parse = policy_parse_comment },
		{ .key = "syscalls", .flags = POLICY_NULL_ABSENT, .parse = parse_syscalls,
		  .dst = p },
		{ .key = "redirect", .parse = policy_parse_redirect, .dst = p },
	};
	json_object *v;
	int ret;

	ret = policy_expect_type(l, root, json_type_object, l->oci ? "an object" :
				 "a JSON object at the top level");
	if (ret < 0)
		return ret;
	if (l->oci) {
		ret = policy_fields(l, root, oci_refused, ARRAY_SIZE(oci_refused));
		if (ret < 0)
			return ret;
	}
	ret = policy_check_profile_keys(l, root, l->oci ? oci_known : known);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(root, "defaultAction", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		ret = get_action(l, root, action_keys, &p->default_action);
		if (ret < 0)
			return ret;
		p->has |= POLICY_HAS_DEFAULT_ACTION;
	} else {
		ret = policy_fields(l, root, orphan_errno, ARRAY_SIZE(orphan_errno));
		if (ret < 0)
			return ret;
	}

	if (!l->oci && json_object_object_get_ex(root, "architectures", &v) &&
	    !json_object_is_type(v, json_type_null) &&
	    json_object_object_get_ex(root, "archMap", &v) &&
	    !json_object_is_type(v, json_type_null))
		return policy_fail(l, "both \"architectures\" and \"archMap\" given");
	ret = policy_field(l, root, &arches[0]);
	if (ret == 0 && !l->oci)
		ret = policy_field(l, root, &arches[1]);
	if (ret < 0)
		return ret;
	return policy_fields(l, root, fields, ARRAY_SIZE(fields) - (l->oci ? 1 : 0));
}

/* ---- includes / excludes ----------------------------------------------------------- */

static const char *native_goarch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__arm__)
	return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	return "unknown";
#endif
}

static bool kernel_at_least(unsigned int major, unsigned int minor)
{
	struct utsname u;
	unsigned int kmaj, kmin;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &kmaj, &kmin) != 2)
		return false;
	return kmaj > major || (kmaj == major && kmin >= minor);
}

static bool strv_contains(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static bool has_cap(const struct redirect_policy *p, const char *cap)
{
	return strv_contains(p->caps, p->n_caps, cap);
}

/* Docker's semantics: includes.caps all held, excludes.caps any held. */
bool policy_rule_applies(const struct redirect_policy *p, const struct policy_rule *r)
{
	const char *arch = native_goarch();
	size_t i;

	if (r->excludes.n_arches && strv_contains(r->excludes.arches, r->excludes.n_arches, arch))
		return false;
	for (i = 0; i < r->excludes.n_caps; i++)
		if (has_cap(p, r->excludes.caps[i]))
			return false;
	if (r->excludes.has_min_kernel &&
	    kernel_at_least(r->excludes.min_major, r->excludes.min_minor))
		return false;
	if (r->includes.n_arches && !strv_contains(r->includes.arches, r->includes.n_arches, arch))
		return false;
	for (i = 0; i < r->includes.n_caps; i++)
		if (!has_cap(p, r->includes.caps[i]))
			return false;
	if (r->includes.has_min_kernel &&
	    !kernel_at_least(r->includes.min_major, r->includes.min_minor))
		return false;
	return true;
}

const char *policy_action_name(uint32_t action)
{
	size_t i;

	/* SCMP_ACT_KILL_THREAD first: "SCMP_ACT_KILL" is its older spelling */
	for (i = 1; i < ARRAY_SIZE(actions); i++)
		if ((actions[i].takes_errno ? (action & ~0xffffU) : action) == actions[i].action)
			return actions[i].name;
	return NULL;
}

const char *policy_op_name(enum scmp_compare op)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(operators); i++)
		if (operators[i].op == op)
			return operators[i].name;
	return NULL;
}

const char *policy_arch_name(uint32_t token)
{
	static const char *const names[] = {
		"X86", "X86_64", "X32", "ARM", "AARCH64", "MIPS", "MIPS64", "MIPS64N32",
		"MIPSEL", "MIPSEL64", "MIPSEL64N32", "PPC", "PPC64", "PPC64LE", "S390",
		"S390X", "PARISC", "PARISC64", "RISCV64",
	};
	static char buf[ARRAY_SIZE(names)][32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char lower[32];
		size_t j;

		for (j = 0; names[i][j] && j < sizeof(lower) - 1; j++)
			lower[j] = (char)(names[i][j] >= 'A' && names[i][j] <= 'Z' ?
					  names[i][j] + 32 : names[i][j]);
		lower[j] = '\0';
		if (seccomp_arch_resolve_name(lower) == token) {
			snprintf(buf[i], sizeof(buf[i]), "SCMP_ARCH_%s", names[i]);
			return buf[i];
		}
	}
	return NULL;
}
