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
static int get_action(struct policy_loader *l, json_object *parent, const char *action_key,
		      const char *errno_key, uint32_t *out)
{
	json_object *o, *errno_obj;
	uint64_t errnum = EPERM;
	const char *s;
	size_t mark, i;
	int ret;

	if (!json_object_object_get_ex(parent, action_key, &o))
		return policy_fail(l, "missing \"%s\"", action_key);
	mark = policy_push_key(l, action_key);
	ret = policy_get_string(l, o, 0, &s);
	if (ret == 0) {
		for (i = 0; i < ARRAY_SIZE(actions); i++)
			if (!strcmp(actions[i].name, s))
				break;
		if (i == ARRAY_SIZE(actions))
			ret = policy_fail(l, "unknown action \"%s\"", s);
	}
	policy_pop(l, mark);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(parent, errno_key, &errno_obj)) {
		mark = policy_push_key(l, errno_key);
		if (!actions[i].takes_errno)
			ret = policy_fail(l, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
		else
			ret = policy_get_uint64(l, errno_obj, 4095, &errnum);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	*out = actions[i].takes_errno ? (actions[i].action | (uint32_t)errnum)
				      : actions[i].action;
	return 0;
}

static int check_arch(struct policy_loader *l, const char *s)
{
	char lower[32];
	size_t i;

	if (strncmp(s, "SCMP_ARCH_", 10) || strlen(s + 10) >= sizeof(lower))
		return policy_fail(l, "unknown architecture \"%s\"", s);
	for (i = 0; s[10 + i]; i++)
		lower[i] = (char)((s[10 + i] >= 'A' && s[10 + i] <= 'Z') ? s[10 + i] + 32
									: s[10 + i]);
	lower[i] = '\0';
	if (!strcmp(lower, "native") || seccomp_arch_resolve_name(lower) == 0)
		return policy_fail(l, "unknown architecture \"%s\"", s);
	return 0;
}

static uint32_t arch_token(const char *s)
{
	char lower[32];
	size_t i;

	for (i = 0; s[10 + i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)((s[10 + i] >= 'A' && s[10 + i] <= 'Z') ? s[10 + i] + 32
									: s[10 + i]);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
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

static int parse_min_kernel(struct policy_loader *l, json_object *o, struct policy_cond *c)
{
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

static int parse_cond(struct policy_loader *l, json_object *o, struct policy_cond *c)
{
	static const char *const known[] = { "arches", "caps", "minKernel", NULL };
	json_object *v;
	size_t mark;
	int ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "arches", &v)) {
		mark = policy_push_key(l, "arches");
		ret = policy_get_string_array(l, v, true, check_goarch, &c->arches, &c->n_arches);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "caps", &v)) {
		mark = policy_push_key(l, "caps");
		ret = policy_get_string_array(l, v, true, policy_check_cap, &c->caps, &c->n_caps);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "minKernel", &v)) {
		mark = policy_push_key(l, "minKernel");
		ret = parse_min_kernel(l, v, c);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int parse_arg(struct policy_loader *l, json_object *o, struct policy_arg *a)
{
	static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
	json_object *v;
	const char *op;
	uint64_t index;
	size_t mark, i;
	int ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;

	if (!json_object_object_get_ex(o, "index", &v))
		return policy_fail(l, "missing \"index\"");
	mark = policy_push_key(l, "index");
	ret = policy_get_uint64(l, v, 5, &index);
	policy_pop(l, mark);
	if (ret < 0)
		return ret;
	a->index = (unsigned int)index;

	if (!json_object_object_get_ex(o, "value", &v))
		return policy_fail(l, "missing \"value\"");
	mark = policy_push_key(l, "value");
	ret = policy_get_uint64(l, v, UINT64_MAX, &a->value);
	policy_pop(l, mark);
	if (ret < 0)
		return ret;

	a->value_two = 0;
	if (json_object_object_get_ex(o, "valueTwo", &v)) {
		mark = policy_push_key(l, "valueTwo");
		ret = policy_get_uint64(l, v, UINT64_MAX, &a->value_two);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	if (!json_object_object_get_ex(o, "op", &v))
		return policy_fail(l, "missing \"op\"");
	mark = policy_push_key(l, "op");
	ret = policy_get_string(l, v, 0, &op);
	if (ret == 0) {
		for (i = 0; i < ARRAY_SIZE(operators); i++)
			if (!strcmp(operators[i].name, op))
				break;
		if (i == ARRAY_SIZE(operators))
			ret = policy_fail(l, "unknown operator \"%s\"", op);
		else
			a->op = operators[i].op;
	}
	policy_pop(l, mark);
	return ret;
}

static int parse_rule(struct policy_loader *l, json_object *o, struct policy_rule *r)
{
	static const char *const known[] = { "names", "name", "action", "errnoRet", "args",
					     "comment", "includes", "excludes", NULL };
	json_object *v;
	size_t mark, i, n;
	int ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(o, "names", &v)) {
		if (json_object_object_get_ex(o, "name", NULL))
			return policy_fail(l, "both \"names\" and \"name\" given");
		mark = policy_push_key(l, "names");
		ret = policy_get_string_array(l, v, false, check_syscall_name, &r->names, &r->n_names);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	} else if (json_object_object_get_ex(o, "name", &v)) {
		const char *s;

		mark = policy_push_key(l, "name");
		ret = policy_get_string(l, v, 64, &s);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		r->names = calloc(1, sizeof(*r->names));
		if (!r->names || !(r->names[0] = strdup(s)))
			return policy_fail(l, "out of memory");
		r->n_names = 1;
	} else {
		return policy_fail(l, "missing \"names\"");
	}

	if (json_object_object_get_ex(o, "comment", &v)) {
		mark = policy_push_key(l, "comment");
		ret = policy_expect_type(l, v, json_type_string, "a string");
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	ret = get_action(l, o, "action", "errnoRet", &r->action);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(o, "args", &v) && !json_object_is_type(v, json_type_null)) {
		mark = policy_push_key(l, "args");
		ret = policy_expect_type(l, v, json_type_array, "an array");
		n = ret < 0 ? 0 : json_object_array_length(v);
		if (ret == 0 && n > MAX_ARGS_PER_RULE)
			ret = policy_fail(l, "more than %d conditions", MAX_ARGS_PER_RULE);
		if (ret == 0 && n) {
			r->args = calloc(n, sizeof(*r->args));
			if (!r->args)
				ret = policy_fail(l, "out of memory");
		}
		for (i = 0; ret == 0 && i < n; i++) {
			size_t m2 = policy_push_index(l, i);

			ret = parse_arg(l, json_object_array_get_idx(v, i), &r->args[i]);
			policy_pop(l, m2);
			if (ret == 0)
				r->n_args++;
		}
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	if (json_object_object_get_ex(o, "includes", &v)) {
		mark = policy_push_key(l, "includes");
		ret = parse_cond(l, v, &r->includes);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "excludes", &v)) {
		mark = policy_push_key(l, "excludes");
		ret = parse_cond(l, v, &r->excludes);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int parse_arch_map(struct policy_loader *l, json_object *arr, struct redirect_policy *p)
{
	static const char *const known[] = { "architecture", "subArchitectures", NULL };
	uint32_t native = seccomp_arch_native();
	size_t i, n;
	int ret;

	ret = policy_expect_type(l, arr, json_type_array, "an array");
	if (ret < 0)
		return ret;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *v;
		size_t mark = policy_push_index(l, i), m2;
		const char *arch;
		char **subs = NULL;
		size_t n_subs = 0, j;

		ret = policy_expect_type(l, e, json_type_object, "an object");
		if (ret == 0)
			ret = policy_check_keys(l, e, known);
		if (ret == 0 && !json_object_object_get_ex(e, "architecture", &v))
			ret = policy_fail(l, "missing \"architecture\"");
		if (ret == 0) {
			m2 = policy_push_key(l, "architecture");
			ret = policy_get_string(l, v, 0, &arch);
			if (ret == 0)
				ret = check_arch(l, arch);
			policy_pop(l, m2);
		}
		if (ret == 0 && json_object_object_get_ex(e, "subArchitectures", &v)) {
			m2 = policy_push_key(l, "subArchitectures");
			ret = policy_get_string_array(l, v, true, check_arch, &subs, &n_subs);
			policy_pop(l, m2);
		}
		policy_pop(l, mark);
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
	}
	return 0;
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

const char *const policy_dents_calls[] = { "getdents64", "getdents", NULL };

const char *const redirect_docker_default_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

/* ---- document --------------------------------------------------------------------- */

int policy_parse_document(struct policy_loader *l, json_object *root, struct redirect_policy *p)
{
	static const char *const known[] = { "defaultAction", "defaultErrnoRet", "architectures",
					     "archMap", "flags", "syscalls", "listenerPath",
					     "listenerMetadata", "redirect", "extends", "include",
					     NULL };
	static const char *const oci_known[] = { "defaultAction", "defaultErrnoRet",
						 "architectures", "flags", "syscalls",
						 "listenerPath", "listenerMetadata", NULL };
	json_object *v;
	size_t mark, i, n;
	int ret;

	ret = policy_expect_type(l, root, json_type_object, l->oci ? "an object" :
			  "a JSON object at the top level");
	if (ret < 0)
		return ret;
	ret = policy_check_keys(l, root, l->oci ? oci_known : known);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(root, "defaultAction", NULL)) {
		ret = get_action(l, root, "defaultAction", "defaultErrnoRet", &p->default_action);
		if (ret < 0)
			return ret;
		p->has |= POLICY_HAS_DEFAULT_ACTION;
	} else if (json_object_object_get_ex(root, "defaultErrnoRet", NULL)) {
		mark = policy_push_key(l, "defaultErrnoRet");
		ret = policy_fail(l, "given without \"defaultAction\"");
		policy_pop(l, mark);
		return ret;
	}

	if (json_object_object_get_ex(root, "architectures", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		char **names = NULL;
		size_t n_names = 0;

		if (json_object_object_get_ex(root, "archMap", NULL))
			return policy_fail(l, "both \"architectures\" and \"archMap\" given");
		mark = policy_push_key(l, "architectures");
		ret = policy_get_string_array(l, v, true, check_arch, &names, &n_names);
		policy_pop(l, mark);
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
	} else if (json_object_object_get_ex(root, "archMap", &v) &&
		   !json_object_is_type(v, json_type_null)) {
		mark = policy_push_key(l, "archMap");
		ret = parse_arch_map(l, v, p);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		p->has |= POLICY_HAS_ARCHES;
	}

	if (json_object_object_get_ex(root, "flags", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		char **flags = NULL;
		size_t n_flags = 0, j;

		mark = policy_push_key(l, "flags");
		ret = policy_get_string_array(l, v, true, check_filter_flag, &flags, &n_flags);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		for (i = 0; i < n_flags; i++)
			for (j = 0; j < ARRAY_SIZE(filter_flags); j++)
				if (!strcmp(flags[i], filter_flags[j].name))
					p->load_flags |= filter_flags[j].flag;
		policy_free_strv(flags, n_flags);
		p->has |= POLICY_HAS_FLAGS;
	}

	for (i = 0; i < 2; i++) {
		const char *key = i ? "listenerMetadata" : "listenerPath";

		if (json_object_object_get_ex(root, key, &v)) {
			mark = policy_push_key(l, key);
			ret = policy_expect_type(l, v, json_type_string, "a string");
			policy_pop(l, mark);
			if (ret < 0)
				return ret;
		}
	}

	if (json_object_object_get_ex(root, "syscalls", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		mark = policy_push_key(l, "syscalls");
		ret = policy_expect_type(l, v, json_type_array, "an array");
		n = ret < 0 ? 0 : json_object_array_length(v);
		if (ret == 0 && n) {
			p->rules = calloc(n, sizeof(*p->rules));
			if (!p->rules)
				ret = policy_fail(l, "out of memory");
		}
		for (i = 0; ret == 0 && i < n; i++) {
			size_t m2 = policy_push_index(l, i);

			ret = parse_rule(l, json_object_array_get_idx(v, i), &p->rules[i]);
			policy_pop(l, m2);
			p->n_rules++;
		}
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	if (json_object_object_get_ex(root, "redirect", &v)) {
		mark = policy_push_key(l, "redirect");
		ret = policy_parse_redirect(l, v, p);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
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
