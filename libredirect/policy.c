// SPDX-License-Identifier: GPL-2.0
/* Policy loader: an OCI / Docker seccomp profile plus the "redirect" section, via json-c. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "policy.h"

#define PATH_MAX_LEN 256
#define MAX_ARGS_PER_RULE 64

/* Where we are in the document, for error messages. */
struct loader {
	const char *origin;
	struct redirect_error **err;
	char path[PATH_MAX_LEN];
	size_t path_len;
};

static size_t path_push_key(struct loader *l, const char *key)
{
	size_t mark = l->path_len;
	int n;

	n = snprintf(l->path + mark, sizeof(l->path) - mark, "%s%s", mark ? "." : "", key);
	if (n > 0)
		l->path_len = mark + (size_t)n < sizeof(l->path) ? mark + n : sizeof(l->path) - 1;
	return mark;
}

static size_t path_push_index(struct loader *l, size_t i)
{
	size_t mark = l->path_len;
	int n;

	n = snprintf(l->path + mark, sizeof(l->path) - mark, "[%zu]", i);
	if (n > 0)
		l->path_len = mark + (size_t)n < sizeof(l->path) ? mark + n : sizeof(l->path) - 1;
	return mark;
}

static void path_pop(struct loader *l, size_t mark)
{
	l->path_len = mark;
	l->path[mark] = '\0';
}

__attribute__((format(printf, 2, 3)))
static int fail(struct loader *l, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return redirect_make_error(l->err, ENOMEM, "%s: out of memory", l->origin);
	if (l->path_len)
		return redirect_make_error(l->err, EINVAL, "%s: %s: %s", l->origin, l->path, msg);
	return redirect_make_error(l->err, EINVAL, "%s: %s", l->origin, msg);
}

static const char *type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a fractional number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "unknown";
}

/* Reject keys of obj not in the NULL-terminated list. */
static int check_keys(struct loader *l, json_object *obj, const char *const *known)
{
	json_object_object_foreach(obj, key, val) {
		const char *const *k;

		(void)val;
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k) {
			size_t mark = path_push_key(l, key);
			int ret = fail(l, "unknown key");

			path_pop(l, mark);
			return ret;
		}
	}
	return 0;
}

static int expect_type(struct loader *l, json_object *o, enum json_type type, const char *what)
{
	if (json_object_get_type(o) != type)
		return fail(l, "expected %s, got %s", what, type_name(o));
	return 0;
}

/* A non-empty string without NUL bytes, at most max bytes (0: no limit). */
static int get_string(struct loader *l, json_object *o, size_t max, const char **out)
{
	const char *s;
	size_t len;
	int ret;

	ret = expect_type(l, o, json_type_string, "a string");
	if (ret < 0)
		return ret;
	s = json_object_get_string(o);
	len = (size_t)json_object_get_string_len(o);
	if (strlen(s) != len)
		return fail(l, "string contains a NUL character");
	if (len == 0)
		return fail(l, "empty string");
	if (max && len > max)
		return fail(l, "string longer than %zu bytes", max);
	*out = s;
	return 0;
}

static int get_uint64(struct loader *l, json_object *o, uint64_t max, uint64_t *out)
{
	int ret;

	ret = expect_type(l, o, json_type_int, "an integer");
	if (ret < 0)
		return ret;
	if (json_object_get_int64(o) < 0)
		return fail(l, "negative value %lld", (long long)json_object_get_int64(o));
	*out = json_object_get_uint64(o);
	if (*out > max)
		return fail(l, "value %llu out of range (at most %llu)",
			    (unsigned long long)*out, (unsigned long long)max);
	return 0;
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

typedef int (*string_check_fn)(struct loader *l, const char *s);

/* An array of strings, each checked by check (may be NULL). */
static int get_string_array(struct loader *l, json_object *arr, bool allow_empty,
			    string_check_fn check, char ***vp, size_t *np)
{
	char **v;
	size_t n, i;
	int ret;

	ret = expect_type(l, arr, json_type_array, "an array");
	if (ret < 0)
		return ret;
	n = json_object_array_length(arr);
	if (!n && !allow_empty)
		return fail(l, "empty array");
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return fail(l, "out of memory");
	for (i = 0; i < n; i++) {
		size_t mark = path_push_index(l, i);
		const char *s;

		ret = get_string(l, json_object_array_get_idx(arr, i), 0, &s);
		if (ret == 0 && check)
			ret = check(l, s);
		if (ret == 0) {
			v[i] = strdup(s);
			if (!v[i])
				ret = fail(l, "out of memory");
		}
		path_pop(l, mark);
		if (ret < 0) {
			free_strv(v, i);
			return ret;
		}
	}
	*vp = v;
	*np = n;
	return 0;
}

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
static int get_action(struct loader *l, json_object *parent, const char *action_key,
		      const char *errno_key, uint32_t *out)
{
	json_object *o, *errno_obj;
	uint64_t errnum = EPERM;
	const char *s;
	size_t mark, i;
	int ret;

	if (!json_object_object_get_ex(parent, action_key, &o))
		return fail(l, "missing \"%s\"", action_key);
	mark = path_push_key(l, action_key);
	ret = get_string(l, o, 0, &s);
	if (ret == 0) {
		for (i = 0; i < ARRAY_SIZE(actions); i++)
			if (!strcmp(actions[i].name, s))
				break;
		if (i == ARRAY_SIZE(actions))
			ret = fail(l, "unknown action \"%s\"", s);
	}
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(parent, errno_key, &errno_obj)) {
		mark = path_push_key(l, errno_key);
		if (!actions[i].takes_errno)
			ret = fail(l, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
		else
			ret = get_uint64(l, errno_obj, 4095, &errnum);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	*out = actions[i].takes_errno ? (actions[i].action | (uint32_t)errnum)
				      : actions[i].action;
	return 0;
}

static int check_arch(struct loader *l, const char *s)
{
	char lower[32];
	size_t i;

	if (strncmp(s, "SCMP_ARCH_", 10) || strlen(s + 10) >= sizeof(lower))
		return fail(l, "unknown architecture \"%s\"", s);
	for (i = 0; s[10 + i]; i++)
		lower[i] = (char)((s[10 + i] >= 'A' && s[10 + i] <= 'Z') ? s[10 + i] + 32
									: s[10 + i]);
	lower[i] = '\0';
	if (!strcmp(lower, "native") || seccomp_arch_resolve_name(lower) == 0)
		return fail(l, "unknown architecture \"%s\"", s);
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

static int check_syscall_name(struct loader *l, const char *s)
{
	if (strlen(s) > 64)
		return fail(l, "system call name too long");
	return 0;
}

static int check_known_syscall(struct loader *l, const char *s)
{
	if (seccomp_syscall_resolve_name(s) == __NR_SCMP_ERROR)
		return fail(l, "unknown system call \"%s\"", s);
	return 0;
}

static int check_cap(struct loader *l, const char *s)
{
	const char *p;

	if (strncmp(s, "CAP_", 4) || !s[4])
		return fail(l, "invalid capability \"%s\"", s);
	for (p = s + 4; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return fail(l, "invalid capability \"%s\"", s);
	return 0;
}

static int check_goarch(struct loader *l, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return fail(l, "invalid architecture \"%s\"", s);
	return 0;
}

/* ---- profile part ----------------------------------------------------------- */

static void free_cond(struct policy_cond *c)
{
	free_strv(c->arches, c->n_arches);
	free_strv(c->caps, c->n_caps);
}

static void free_rule(struct policy_rule *r)
{
	free_strv(r->names, r->n_names);
	free(r->args);
	free_cond(&r->includes);
	free_cond(&r->excludes);
}

static int parse_min_kernel(struct loader *l, json_object *o, struct policy_cond *c)
{
	const char *s;
	unsigned int major, minor;
	int n = 0, ret;

	ret = get_string(l, o, 32, &s);
	if (ret < 0)
		return ret;
	if (sscanf(s, "%u.%u%n", &major, &minor, &n) != 2 || (size_t)n != strlen(s) ||
	    s[0] < '0' || s[0] > '9')
		return fail(l, "expected \"MAJOR.MINOR\", got \"%s\"", s);
	c->has_min_kernel = true;
	c->min_major = major;
	c->min_minor = minor;
	return 0;
}

static int parse_cond(struct loader *l, json_object *o, struct policy_cond *c)
{
	static const char *const known[] = { "arches", "caps", "minKernel", NULL };
	json_object *v;
	size_t mark;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "arches", &v)) {
		mark = path_push_key(l, "arches");
		ret = get_string_array(l, v, true, check_goarch, &c->arches, &c->n_arches);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "caps", &v)) {
		mark = path_push_key(l, "caps");
		ret = get_string_array(l, v, true, check_cap, &c->caps, &c->n_caps);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "minKernel", &v)) {
		mark = path_push_key(l, "minKernel");
		ret = parse_min_kernel(l, v, c);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int parse_arg(struct loader *l, json_object *o, struct policy_arg *a)
{
	static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
	json_object *v;
	const char *op;
	uint64_t index;
	size_t mark, i;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;

	if (!json_object_object_get_ex(o, "index", &v))
		return fail(l, "missing \"index\"");
	mark = path_push_key(l, "index");
	ret = get_uint64(l, v, 5, &index);
	path_pop(l, mark);
	if (ret < 0)
		return ret;
	a->index = (unsigned int)index;

	if (!json_object_object_get_ex(o, "value", &v))
		return fail(l, "missing \"value\"");
	mark = path_push_key(l, "value");
	ret = get_uint64(l, v, UINT64_MAX, &a->value);
	path_pop(l, mark);
	if (ret < 0)
		return ret;

	a->value_two = 0;
	if (json_object_object_get_ex(o, "valueTwo", &v)) {
		mark = path_push_key(l, "valueTwo");
		ret = get_uint64(l, v, UINT64_MAX, &a->value_two);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	if (!json_object_object_get_ex(o, "op", &v))
		return fail(l, "missing \"op\"");
	mark = path_push_key(l, "op");
	ret = get_string(l, v, 0, &op);
	if (ret == 0) {
		for (i = 0; i < ARRAY_SIZE(operators); i++)
			if (!strcmp(operators[i].name, op))
				break;
		if (i == ARRAY_SIZE(operators))
			ret = fail(l, "unknown operator \"%s\"", op);
		else
			a->op = operators[i].op;
	}
	path_pop(l, mark);
	return ret;
}

static int parse_rule(struct loader *l, json_object *o, struct policy_rule *r)
{
	static const char *const known[] = { "names", "name", "action", "errnoRet", "args",
					     "comment", "includes", "excludes", NULL };
	json_object *v;
	size_t mark, i, n;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(o, "names", &v)) {
		if (json_object_object_get_ex(o, "name", NULL))
			return fail(l, "both \"names\" and \"name\" given");
		mark = path_push_key(l, "names");
		ret = get_string_array(l, v, false, check_syscall_name, &r->names, &r->n_names);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	} else if (json_object_object_get_ex(o, "name", &v)) {
		const char *s;

		mark = path_push_key(l, "name");
		ret = get_string(l, v, 64, &s);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		r->names = calloc(1, sizeof(*r->names));
		if (!r->names || !(r->names[0] = strdup(s)))
			return fail(l, "out of memory");
		r->n_names = 1;
	} else {
		return fail(l, "missing \"names\"");
	}

	if (json_object_object_get_ex(o, "comment", &v)) {
		mark = path_push_key(l, "comment");
		ret = expect_type(l, v, json_type_string, "a string");
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	ret = get_action(l, o, "action", "errnoRet", &r->action);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(o, "args", &v) && !json_object_is_type(v, json_type_null)) {
		mark = path_push_key(l, "args");
		ret = expect_type(l, v, json_type_array, "an array");
		n = ret < 0 ? 0 : json_object_array_length(v);
		if (ret == 0 && n > MAX_ARGS_PER_RULE)
			ret = fail(l, "more than %d conditions", MAX_ARGS_PER_RULE);
		if (ret == 0 && n) {
			r->args = calloc(n, sizeof(*r->args));
			if (!r->args)
				ret = fail(l, "out of memory");
		}
		for (i = 0; ret == 0 && i < n; i++) {
			size_t m2 = path_push_index(l, i);

			ret = parse_arg(l, json_object_array_get_idx(v, i), &r->args[i]);
			path_pop(l, m2);
			if (ret == 0)
				r->n_args++;
		}
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	if (json_object_object_get_ex(o, "includes", &v)) {
		mark = path_push_key(l, "includes");
		ret = parse_cond(l, v, &r->includes);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "excludes", &v)) {
		mark = path_push_key(l, "excludes");
		ret = parse_cond(l, v, &r->excludes);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int parse_arch_map(struct loader *l, json_object *arr, struct redirect_policy *p)
{
	static const char *const known[] = { "architecture", "subArchitectures", NULL };
	uint32_t native = seccomp_arch_native();
	size_t i, n;
	int ret;

	ret = expect_type(l, arr, json_type_array, "an array");
	if (ret < 0)
		return ret;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *v;
		size_t mark = path_push_index(l, i), m2;
		const char *arch;
		char **subs = NULL;
		size_t n_subs = 0, j;

		ret = expect_type(l, e, json_type_object, "an object");
		if (ret == 0)
			ret = check_keys(l, e, known);
		if (ret == 0 && !json_object_object_get_ex(e, "architecture", &v))
			ret = fail(l, "missing \"architecture\"");
		if (ret == 0) {
			m2 = path_push_key(l, "architecture");
			ret = get_string(l, v, 0, &arch);
			if (ret == 0)
				ret = check_arch(l, arch);
			path_pop(l, m2);
		}
		if (ret == 0 && json_object_object_get_ex(e, "subArchitectures", &v)) {
			m2 = path_push_key(l, "subArchitectures");
			ret = get_string_array(l, v, true, check_arch, &subs, &n_subs);
			path_pop(l, m2);
		}
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		/* Docker uses only the entry of the native architecture */
		if (arch_token(arch) == native && !p->n_arches) {
			p->arches = calloc(n_subs + 1, sizeof(*p->arches));
			if (!p->arches) {
				free_strv(subs, n_subs);
				return fail(l, "out of memory");
			}
			p->arches[p->n_arches++] = native;
			for (j = 0; j < n_subs; j++)
				p->arches[p->n_arches++] = arch_token(subs[j]);
		}
		free_strv(subs, n_subs);
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

static int check_filter_flag(struct loader *l, const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(filter_flags); i++)
		if (!strcmp(filter_flags[i].name, s))
			return 0;
	return fail(l, "unknown filter flag \"%s\"", s);
}

/* ---- redirect section ------------------------------------------------------------ */

static const char *const uname_keys[REDIRECT_UNAME_NR_FIELDS] = {
	[REDIRECT_UNAME_SYSNAME] = "sysname",
	[REDIRECT_UNAME_NODENAME] = "nodename",
	[REDIRECT_UNAME_RELEASE] = "release",
	[REDIRECT_UNAME_VERSION] = "version",
	[REDIRECT_UNAME_MACHINE] = "machine",
	[REDIRECT_UNAME_DOMAINNAME] = "domainname",
};

static int parse_uname(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "sysname", "nodename", "release", "version",
					     "machine", "domainname", NULL };
	json_object *v;
	int i, ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
		const char *s;
		size_t mark;

		if (!json_object_object_get_ex(o, uname_keys[i], &v))
			continue;
		mark = path_push_key(l, uname_keys[i]);
		ret = get_string(l, v, REDIRECT_UNAME_LEN - 1, &s);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->uname[i] = strdup(s);
		if (!p->uname[i])
			return fail(l, "out of memory");
	}
	p->has_uname = true;
	return 0;
}

static int parse_verdict(struct loader *l, json_object *o, struct redirect_verdict *vd)
{
	const char *s;
	int ret;

	ret = get_string(l, o, 64, &s);
	if (ret < 0)
		return ret;
	if (!strcmp(s, "continue")) {
		vd->kind = REDIRECT_VERDICT_CONTINUE;
		vd->errnum = 0;
		return 0;
	}
	if (!strncmp(s, "errno:", 6)) {
		if (redirect_errno_parse(s + 6, &vd->errnum) < 0)
			return fail(l, "unknown errno \"%s\"", s + 6);
		vd->kind = REDIRECT_VERDICT_ERRNO;
		return 0;
	}
	return fail(l, "expected \"continue\" or \"errno:NAME\", got \"%s\"", s);
}

static int parse_sentry(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "default", "uname", NULL };
	json_object *v;
	size_t mark;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "default", &v)) {
		mark = path_push_key(l, "default");
		ret = parse_verdict(l, v, &p->default_verdict);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "uname", &v)) {
		mark = path_push_key(l, "uname");
		ret = parse_uname(l, v, p);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int strv_add_unique(char ***vp, size_t *np, const char *s)
{
	char **v;
	size_t i;

	for (i = 0; i < *np; i++)
		if (!strcmp((*vp)[i], s))
			return 0;
	v = realloc(*vp, (*np + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	*vp = v;
	v[*np] = strdup(s);
	if (!v[*np])
		return -ENOMEM;
	(*np)++;
	return 0;
}

static int parse_redirect(struct loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "notify", "sentry", NULL };
	json_object *v;
	char **extra = NULL;
	size_t n_extra = 0, mark, i;
	int ret;

	ret = expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "sentry", &v)) {
		mark = path_push_key(l, "sentry");
		ret = parse_sentry(l, v, p);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (p->has_uname && strv_add_unique(&p->sentry_calls, &p->n_sentry_calls, "uname") < 0)
		return fail(l, "out of memory");
	if (json_object_object_get_ex(o, "notify", &v)) {
		mark = path_push_key(l, "notify");
		ret = get_string_array(l, v, true, check_known_syscall, &extra, &n_extra);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		for (i = 0; i < n_extra; i++) {
			if (strv_add_unique(&p->sentry_calls, &p->n_sentry_calls, extra[i]) < 0) {
				free_strv(extra, n_extra);
				return fail(l, "out of memory");
			}
		}
		free_strv(extra, n_extra);
	}
	return 0;
}

/* ---- document --------------------------------------------------------------------- */

static int parse_policy(struct loader *l, json_object *root, struct redirect_policy *p)
{
	static const char *const known[] = { "defaultAction", "defaultErrnoRet", "architectures",
					     "archMap", "flags", "syscalls", "listenerPath",
					     "listenerMetadata", "redirect", NULL };
	json_object *v;
	size_t mark, i, n;
	int ret;

	ret = expect_type(l, root, json_type_object, "a JSON object at the top level");
	if (ret < 0)
		return ret;
	ret = check_keys(l, root, known);
	if (ret < 0)
		return ret;

	ret = get_action(l, root, "defaultAction", "defaultErrnoRet", &p->default_action);
	if (ret < 0)
		return ret;

	if (json_object_object_get_ex(root, "architectures", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		char **names = NULL;
		size_t n_names = 0;

		if (json_object_object_get_ex(root, "archMap", NULL))
			return fail(l, "both \"architectures\" and \"archMap\" given");
		mark = path_push_key(l, "architectures");
		ret = get_string_array(l, v, true, check_arch, &names, &n_names);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		p->arches = calloc(n_names ? n_names : 1, sizeof(*p->arches));
		if (!p->arches) {
			free_strv(names, n_names);
			return fail(l, "out of memory");
		}
		for (i = 0; i < n_names; i++)
			p->arches[i] = arch_token(names[i]);
		p->n_arches = n_names;
		free_strv(names, n_names);
	} else if (json_object_object_get_ex(root, "archMap", &v) &&
		   !json_object_is_type(v, json_type_null)) {
		mark = path_push_key(l, "archMap");
		ret = parse_arch_map(l, v, p);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	if (json_object_object_get_ex(root, "flags", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		char **flags = NULL;
		size_t n_flags = 0, j;

		mark = path_push_key(l, "flags");
		ret = get_string_array(l, v, true, check_filter_flag, &flags, &n_flags);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
		for (i = 0; i < n_flags; i++)
			for (j = 0; j < ARRAY_SIZE(filter_flags); j++)
				if (!strcmp(flags[i], filter_flags[j].name))
					p->load_flags |= filter_flags[j].flag;
		free_strv(flags, n_flags);
	}

	for (i = 0; i < 2; i++) {
		const char *key = i ? "listenerMetadata" : "listenerPath";

		if (json_object_object_get_ex(root, key, &v)) {
			mark = path_push_key(l, key);
			ret = expect_type(l, v, json_type_string, "a string");
			path_pop(l, mark);
			if (ret < 0)
				return ret;
		}
	}

	if (json_object_object_get_ex(root, "syscalls", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		mark = path_push_key(l, "syscalls");
		ret = expect_type(l, v, json_type_array, "an array");
		n = ret < 0 ? 0 : json_object_array_length(v);
		if (ret == 0 && n) {
			p->rules = calloc(n, sizeof(*p->rules));
			if (!p->rules)
				ret = fail(l, "out of memory");
		}
		for (i = 0; ret == 0 && i < n; i++) {
			size_t m2 = path_push_index(l, i);

			ret = parse_rule(l, json_object_array_get_idx(v, i), &p->rules[i]);
			path_pop(l, m2);
			p->n_rules++;
		}
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	p->default_verdict.kind = REDIRECT_VERDICT_ERRNO;
	p->default_verdict.errnum = ENOSYS;
	if (json_object_object_get_ex(root, "redirect", &v)) {
		mark = path_push_key(l, "redirect");
		ret = parse_redirect(l, v, p);
		path_pop(l, mark);
		if (ret < 0)
			return ret;
	}

	/* the notified set: the Sentry's calls, then the profile's own NOTIFY rules */
	for (i = 0; i < p->n_sentry_calls; i++)
		if (strv_add_unique(&p->notify, &p->n_notify, p->sentry_calls[i]) < 0)
			return fail(l, "out of memory");
	for (i = 0; i < p->n_rules; i++) {
		size_t j;

		if (p->rules[i].action != SCMP_ACT_NOTIFY)
			continue;
		for (j = 0; j < p->rules[i].n_names; j++)
			if (strv_add_unique(&p->notify, &p->n_notify, p->rules[i].names[j]) < 0)
				return fail(l, "out of memory");
	}
	return 0;
}

void redirect_policy_free(struct redirect_policy *p)
{
	size_t i;

	if (!p)
		return;
	free(p->name);
	free(p->arches);
	for (i = 0; i < p->n_rules; i++)
		free_rule(&p->rules[i]);
	free(p->rules);
	free_strv(p->sentry_calls, p->n_sentry_calls);
	free_strv(p->notify, p->n_notify);
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++)
		free(p->uname[i]);
	free(p);
}

static void offset_to_line_col(const char *buf, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static char *name_from_origin(const char *origin)
{
	const char *base = strrchr(origin, '/');
	size_t len;

	base = base ? base + 1 : origin;
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".json"))
		len -= 5;
	return strndup(base, len);
}

int redirect_policy_load_buffer(const char *buf, size_t len, const char *origin,
				struct redirect_policy **policyp, struct redirect_error **err)
{
	struct loader l = { .origin = origin ? origin : "policy", .err = err };
	struct redirect_policy *p;
	enum json_tokener_error jerr;
	json_tokener *tok;
	json_object *root;
	const char *nul;
	size_t off, line, col;
	int ret;

	if (len > REDIRECT_POLICY_MAX_SIZE)
		return redirect_make_error(err, EFBIG, "%s: larger than %u bytes", l.origin,
					   REDIRECT_POLICY_MAX_SIZE);
	nul = memchr(buf, '\0', len);
	if (nul) {
		offset_to_line_col(buf, (size_t)(nul - buf), &line, &col);
		return redirect_make_error(err, EINVAL, "%s:%zu:%zu: NUL byte in the document",
					   l.origin, line, col);
	}

	tok = json_tokener_new();
	if (!tok)
		return redirect_make_error(err, ENOMEM, "%s: out of memory", l.origin);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		json_object_put(root);
		offset_to_line_col(buf, off, &line, &col);
		if (jerr == json_tokener_continue || jerr == json_tokener_success)
			return redirect_make_error(err, EINVAL,
						   "%s:%zu:%zu: JSON: unexpected end of input",
						   l.origin, line, col);
		return redirect_make_error(err, EINVAL, "%s:%zu:%zu: JSON: %s", l.origin, line, col,
					   json_tokener_error_desc(jerr));
	}
	for (; off < len; off++) {
		char c = buf[off];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			json_object_put(root);
			offset_to_line_col(buf, off, &line, &col);
			return redirect_make_error(err, EINVAL,
						   "%s:%zu:%zu: JSON: data after the document",
						   l.origin, line, col);
		}
	}

	p = calloc(1, sizeof(*p));
	if (!p) {
		json_object_put(root);
		return redirect_make_error(err, ENOMEM, "%s: out of memory", l.origin);
	}
	ret = parse_policy(&l, root, p);
	json_object_put(root);
	if (ret == 0) {
		p->name = name_from_origin(l.origin);
		if (!p->name)
			ret = redirect_make_error(err, ENOMEM, "%s: out of memory", l.origin);
	}
	if (ret < 0) {
		redirect_policy_free(p);
		return ret;
	}
	*policyp = p;
	return 0;
}

int redirect_policy_load_file(const char *path, struct redirect_policy **policyp,
			      struct redirect_error **err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	struct stat st;
	size_t done = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return redirect_make_error_errno(err, errno, "cannot open policy %s", path);
	if (fstat(fd, &st) < 0)
		return redirect_make_error_errno(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return redirect_make_error(err, EINVAL, "%s: not a regular file", path);
	if ((uint64_t)st.st_size > REDIRECT_POLICY_MAX_SIZE)
		return redirect_make_error(err, EFBIG, "%s: larger than %u bytes", path,
					   REDIRECT_POLICY_MAX_SIZE);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return redirect_make_error(err, ENOMEM, "%s: out of memory", path);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return redirect_make_error_errno(err, errno, "reading %s", path);
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return redirect_policy_load_buffer(buf, done, path, policyp, err);
}

const char *redirect_policy_name(const struct redirect_policy *p)
{
	return p->name;
}

bool redirect_policy_has_uname(const struct redirect_policy *p)
{
	return p->has_uname;
}

const char *redirect_policy_uname(const struct redirect_policy *p, enum redirect_uname_field f)
{
	if ((unsigned int)f >= REDIRECT_UNAME_NR_FIELDS)
		return NULL;
	return p->uname[f];
}

void redirect_policy_default_verdict(const struct redirect_policy *p, struct redirect_verdict *v)
{
	*v = p->default_verdict;
}

size_t redirect_policy_notify_count(const struct redirect_policy *p)
{
	return p->n_notify;
}

const char *redirect_policy_notify_name(const struct redirect_policy *p, size_t i)
{
	return i < p->n_notify ? p->notify[i] : NULL;
}

const char *redirect_verdict_format(const struct redirect_verdict *v, char *buf, size_t size)
{
	const char *name;

	if (v->kind == REDIRECT_VERDICT_CONTINUE) {
		snprintf(buf, size, "continue");
		return buf;
	}
	name = redirect_errno_name(v->errnum);
	if (name)
		snprintf(buf, size, "errno:%s", name);
	else
		snprintf(buf, size, "errno:%d", v->errnum);
	return buf;
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

bool policy_rule_applies(const struct policy_rule *r)
{
	const char *arch = native_goarch();

	/* The sandbox's capability set is taken as empty for now. */
	if (r->includes.n_caps)
		return false;
	if (r->includes.n_arches && !strv_contains(r->includes.arches, r->includes.n_arches, arch))
		return false;
	if (r->includes.has_min_kernel &&
	    !kernel_at_least(r->includes.min_major, r->includes.min_minor))
		return false;
	if (r->excludes.n_arches && strv_contains(r->excludes.arches, r->excludes.n_arches, arch))
		return false;
	if (r->excludes.has_min_kernel &&
	    kernel_at_least(r->excludes.min_major, r->excludes.min_minor))
		return false;
	return true;
}
