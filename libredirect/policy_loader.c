// SPDX-License-Identifier: GPL-2.0
/* The policy loader's cursor: the JSON path it is at, errors naming it, typed getters. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "policy.h"

size_t policy_push_key(struct policy_loader *l, const char *key)
{
	size_t mark = l->path_len;
	int n;

	n = snprintf(l->path + mark, sizeof(l->path) - mark, "%s%s", mark ? "." : "", key);
	if (n > 0)
		l->path_len = mark + (size_t)n < sizeof(l->path) ? mark + n : sizeof(l->path) - 1;
	return mark;
}

size_t policy_push_index(struct policy_loader *l, size_t i)
{
	size_t mark = l->path_len;
	int n;

	n = snprintf(l->path + mark, sizeof(l->path) - mark, "[%zu]", i);
	if (n > 0)
		l->path_len = mark + (size_t)n < sizeof(l->path) ? mark + n : sizeof(l->path) - 1;
	return mark;
}

void policy_pop(struct policy_loader *l, size_t mark)
{
	l->path_len = mark;
	l->path[mark] = '\0';
}

__attribute__((format(printf, 2, 3)))
int policy_fail(struct policy_loader *l, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = redirect_make_verror_at(l->err, EINVAL, l->origin, l->path_len ? l->path : NULL, fmt,
				      ap);
	va_end(ap);
	return ret;
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

static bool key_known(const char *const *known, const char *key)
{
	for (; *known; known++)
		if (!strcmp(*known, key))
			return true;
	return false;
}

int policy_check_keys(struct policy_loader *l, json_object *obj, const char *const *known)
{
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (!key_known(known, key)) {
			size_t mark = policy_push_key(l, key);
			int ret = policy_fail(l, "unknown key");

			policy_pop(l, mark);
			return ret;
		}
	}
	return 0;
}

int policy_check_profile_keys(struct policy_loader *l, json_object *obj,
			      const char *const *known)
{
	if (l->flags & REDIRECT_POLICY_STRICT)
		return policy_check_keys(l, obj, known);
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (!key_known(known, key)) {
			size_t mark = policy_push_key(l, key);

			redirect_notice("%s: %s: unknown key, ignored (no seccomp profile format "
					"defines it)", l->origin, l->path);
			policy_pop(l, mark);
		}
	}
	return 0;
}

int policy_expect_type(struct policy_loader *l, json_object *o, enum json_type type, const char *what)
{
	if (json_object_get_type(o) != type)
		return policy_fail(l, "expected %s, got %s", what, type_name(o));
	return 0;
}

int policy_object(struct policy_loader *l, json_object *o, const char *const *known)
{
	int ret = policy_expect_type(l, o, json_type_object, "an object");

	if (ret == 0)
		ret = policy_check_keys(l, o, known);
	return ret;
}

int policy_profile_object(struct policy_loader *l, json_object *o, const char *const *known)
{
	int ret = policy_expect_type(l, o, json_type_object, "an object");

	if (ret == 0)
		ret = policy_check_profile_keys(l, o, known);
	return ret;
}

/* A non-empty string without NUL bytes, at most max bytes (0: no limit). */
int policy_get_string(struct policy_loader *l, json_object *o, size_t max, const char **out)
{
	const char *s;
	size_t len;
	int ret;

	ret = policy_expect_type(l, o, json_type_string, "a string");
	if (ret < 0)
		return ret;
	s = json_object_get_string(o);
	len = (size_t)json_object_get_string_len(o);
	if (strlen(s) != len)
		return policy_fail(l, "string contains a NUL character");
	if (len == 0)
		return policy_fail(l, "empty string");
	if (max && len > max)
		return policy_fail(l, "string longer than %zu bytes", max);
	*out = s;
	return 0;
}

int policy_get_uint64(struct policy_loader *l, json_object *o, uint64_t max, uint64_t *out)
{
	int ret;

	ret = policy_expect_type(l, o, json_type_int, "an integer");
	if (ret < 0)
		return ret;
	if (json_object_get_int64(o) < 0)
		return policy_fail(l, "negative value %lld", (long long)json_object_get_int64(o));
	*out = json_object_get_uint64(o);
	if (*out > max)
		return policy_fail(l, "value %llu out of range (at most %llu)",
			    (unsigned long long)*out, (unsigned long long)max);
	return 0;
}

void policy_free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int policy_array_length(struct policy_loader *l, json_object *arr, size_t max, const char *what,
			size_t *n)
{
	int ret = policy_expect_type(l, arr, json_type_array, "an array");

	if (ret < 0)
		return ret;
	*n = json_object_array_length(arr);
	if (max && *n > max)
		return policy_fail(l, "more than %zu %s", max, what);
	return 0;
}

int policy_for_each_element(struct policy_loader *l, json_object *arr, policy_element_fn each,
			    void *ctx)
{
	size_t i, n;
	int ret = policy_array_length(l, arr, 0, NULL, &n);

	for (i = 0; ret == 0 && i < n; i++) {
		size_t mark = policy_push_index(l, i);

		ret = each(l, json_object_array_get_idx(arr, i), i, ctx);
		policy_pop(l, mark);
	}
	return ret;
}

struct string_array {
	policy_check_fn check;
	char **v;
	size_t n;
};

static int copy_string(struct policy_loader *l, json_object *o, size_t i, void *ctx)
{
	struct string_array *a = ctx;
	const char *s;
	int ret;

	ret = policy_get_string(l, o, 0, &s);
	if (ret == 0 && a->check)
		ret = a->check(l, s);
	if (ret < 0)
		return ret;
	a->v[i] = strdup(s);
	if (!a->v[i])
		return policy_fail(l, "out of memory");
	a->n++;
	return 0;
}

/* An array of strings, each checked by check (may be NULL). */
int policy_get_string_array(struct policy_loader *l, json_object *arr, bool allow_empty,
			    policy_check_fn check, char ***vp, size_t *np)
{
	struct string_array a = { .check = check };
	size_t n;
	int ret;

	ret = policy_array_length(l, arr, 0, NULL, &n);
	if (ret < 0)
		return ret;
	if (!n && !allow_empty)
		return policy_fail(l, "empty array");
	a.v = calloc(n ? n : 1, sizeof(*a.v));
	if (!a.v)
		return policy_fail(l, "out of memory");
	ret = policy_for_each_element(l, arr, copy_string, &a);
	if (ret < 0) {
		policy_free_strv(a.v, a.n);
		return ret;
	}
	*vp = a.v;
	*np = a.n;
	return 0;
}

int policy_strv_add_unique(char ***vp, size_t *np, const char *s)
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

int policy_field(struct policy_loader *l, json_object *obj, const struct policy_field *f)
{
	json_object *v;
	size_t mark;
	int ret;

	if (!json_object_object_get_ex(obj, f->key, &v) ||
	    ((f->flags & POLICY_NULL_ABSENT) && json_object_is_type(v, json_type_null))) {
		if (f->flags & POLICY_REQUIRED)
			return policy_fail(l, "missing \"%s\"", f->key);
		return 0;
	}
	mark = policy_push_key(l, f->key);
	ret = f->parse(l, v, f);
	policy_pop(l, mark);
	return ret < 0 ? ret : 1;
}

int policy_fields(struct policy_loader *l, json_object *obj, const struct policy_field *f,
		  size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = policy_field(l, obj, &f[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int policy_object_fields(struct policy_loader *l, json_object *o, const char *const *known,
			 const struct policy_field *f, size_t n)
{
	int ret = policy_object(l, o, known);

	return ret < 0 ? ret : policy_fields(l, o, f, n);
}

int policy_parse_u64(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	return policy_get_uint64(l, v, f->max, f->dst);
}

int policy_parse_string(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	const char **out = f->dst;
	int ret;

	ret = policy_get_string(l, v, f->max, out);
	if (ret == 0 && f->check)
		ret = f->check(l, *out);
	return ret;
}

int policy_parse_strv(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	return policy_get_string_array(l, v, !(f->flags & POLICY_NONEMPTY), f->check, f->dst,
				       f->count);
}

int policy_parse_bool(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	int ret = policy_expect_type(l, v, json_type_boolean, "a boolean");

	if (ret == 0)
		*(bool *)f->dst = json_object_get_boolean(v);
	return ret;
}

int policy_parse_comment(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	return policy_expect_type(l, v, json_type_string, "a string");
}
