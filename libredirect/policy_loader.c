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
int policy_check_keys(struct policy_loader *l, json_object *obj, const char *const *known)
{
	json_object_object_foreach(obj, key, val) {
		const char *const *k;

		(void)val;
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k) {
			size_t mark = policy_push_key(l, key);
			int ret = policy_fail(l, "unknown key");

			policy_pop(l, mark);
			return ret;
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

typedef int (*policy_check_fn)(struct policy_loader *l, const char *s);

/* An array of strings, each checked by check (may be NULL). */
int policy_get_string_array(struct policy_loader *l, json_object *arr, bool allow_empty,
			    policy_check_fn check, char ***vp, size_t *np)
{
	char **v;
	size_t n, i;
	int ret;

	ret = policy_expect_type(l, arr, json_type_array, "an array");
	if (ret < 0)
		return ret;
	n = json_object_array_length(arr);
	if (!n && !allow_empty)
		return policy_fail(l, "empty array");
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return policy_fail(l, "out of memory");
	for (i = 0; i < n; i++) {
		size_t mark = policy_push_index(l, i);
		const char *s;

		ret = policy_get_string(l, json_object_array_get_idx(arr, i), 0, &s);
		if (ret == 0 && check)
			ret = check(l, s);
		if (ret == 0) {
			v[i] = strdup(s);
			if (!v[i])
				ret = policy_fail(l, "out of memory");
		}
		policy_pop(l, mark);
		if (ret < 0) {
			policy_free_strv(v, i);
			return ret;
		}
	}
	*vp = v;
	*np = n;
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
