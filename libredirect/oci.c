// SPDX-License-Identifier: GPL-2.0
/* OCI runtime config: a policy as linux.seccomp, and a bundle's config.json read for its seccomp section. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "policy.h"

struct redirect_oci_config {
	json_object *root;
	char *origin;
	struct redirect_policy *seccomp;	/* NULL: no linux.seccomp */
	char *listener_path;
	char *listener_metadata;
	json_object *annotations;	/* in root; NULL: none */
	char **caps;
	size_t n_caps;
};

static const struct {
	const char *name;
	unsigned int flag;
} oci_flags[] = {
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

/* json-c helpers: add, or remember that memory ran out */
static void put(json_object *obj, const char *key, json_object *val, bool *oom)
{
	if (!val || json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		*oom = true;
	}
}

static void append(json_object *arr, json_object *val, bool *oom)
{
	if (!val || json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		*oom = true;
	}
}

static void put_action(json_object *obj, const char *key, const char *errno_key,
		       uint32_t action, bool *oom)
{
	const char *name = policy_action_name(action);
	uint32_t base = action & ~0xffffU;

	put(obj, key, json_object_new_string(name ? name : "SCMP_ACT_KILL_PROCESS"), oom);
	if (base == SCMP_ACT_ERRNO(0) || base == SCMP_ACT_TRACE(0))
		put(obj, errno_key, json_object_new_int(action & 0xffff), oom);
}

static json_object *names_array(const struct redirect_policy *p, char **names, size_t n,
				bool skip_notified, bool *oom)
{
	json_object *arr = json_object_new_array();
	size_t i;

	if (!arr) {
		*oom = true;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!oci_name_written(p, names[i], skip_notified))
			continue;
		append(arr, json_object_new_string(names[i]), oom);
	}
	if (!json_object_array_length(arr)) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

static json_object *rule_json(const struct redirect_policy *p, const struct policy_rule *r,
			      bool *oom)
{
	json_object *o, *names, *args;
	size_t i;

	names = names_array(p, r->names, r->n_names, true, oom);
	if (!names)
		return NULL;
	o = json_object_new_object();
	if (!o) {
		json_object_put(names);
		*oom = true;
		return NULL;
	}
	put(o, "names", names, oom);
	put_action(o, "action", "errnoRet", r->action, oom);
	if (!r->n_args)
		return o;
	args = json_object_new_array();
	put(o, "args", args, oom);
	for (i = 0; args && i < r->n_args; i++) {
		json_object *a = json_object_new_object();

		if (!a) {
			*oom = true;
			break;
		}
		put(a, "index", json_object_new_int((int)r->args[i].index), oom);
		put(a, "value", json_object_new_uint64(r->args[i].value), oom);
		put(a, "valueTwo", json_object_new_uint64(r->args[i].value_two), oom);
		put(a, "op", json_object_new_string(policy_op_name(r->args[i].op)), oom);
		append(args, a, oom);
	}
	return o;
}

bool oci_name_written(const struct redirect_policy *p, const char *name, bool skip_notified)
{
	int nr = seccomp_syscall_resolve_name(name);

	/*
	 * Unknown here: dropped, as the filter compiler does; but kept in a
	 * merged profile, where the runtime's libseccomp may know a call the
	 * bundle denies (dropping it would allow it).
	 */
	if (nr == __NR_SCMP_ERROR)
		return p->keep_unknown_names;
	return !(skip_notified && policy_is_sentry_call(p, nr));
}

bool oci_rule_written(const struct redirect_policy *p, const struct policy_rule *r)
{
	return r->action != p->default_action && policy_rule_applies(p, r);
}

int oci_seccomp_section(const struct redirect_policy *p, const char *listener_path,
			json_object **outp, struct redirect_error **err)
{
	json_object *o, *arr;
	bool oom = false;
	size_t i;

	if (listener_path && listener_path[0] != '/')
		return redirect_make_error(err, EINVAL, "listenerPath \"%s\" is not absolute",
					   listener_path);
	if (p->n_notify && !listener_path)
		return redirect_make_error(err, EINVAL, "%s: the policy notifies calls: a "
					   "listenerPath is needed", p->name);
	o = json_object_new_object();
	if (!o)
		return redirect_make_error(err, ENOMEM, "out of memory");
	put_action(o, "defaultAction", "defaultErrnoRet", p->default_action, &oom);
	if (p->n_arches) {
		arr = json_object_new_array();
		put(o, "architectures", arr, &oom);
		for (i = 0; arr && i < p->n_arches; i++) {
			const char *name = policy_arch_name(p->arches[i]);

			if (name)
				append(arr, json_object_new_string(name), &oom);
		}
	}
	if (p->load_flags) {
		arr = json_object_new_array();
		put(o, "flags", arr, &oom);
		for (i = 0; arr && i < ARRAY_SIZE(oci_flags); i++)
			if (p->load_flags & oci_flags[i].flag)
				append(arr, json_object_new_string(oci_flags[i].name), &oom);
	}
	if (p->n_notify) {
		put(o, "listenerPath", json_object_new_string(listener_path), &oom);
		put(o, "listenerMetadata", json_object_new_string(p->name), &oom);
	}
	arr = json_object_new_array();
	put(o, "syscalls", arr, &oom);
	for (i = 0; arr && i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];
		json_object *rj;

		if (!oci_rule_written(p, r))
			continue;
		rj = rule_json(p, r, &oom);
		if (rj)
			append(arr, rj, &oom);
	}
	if (arr && p->n_sentry_calls && p->default_action != SCMP_ACT_NOTIFY) {
		json_object *names = names_array(p, p->sentry_calls, p->n_sentry_calls, false,
						 &oom);

		if (names) {
			json_object *rj = json_object_new_object();

			if (rj) {
				put(rj, "names", names, &oom);
				put(rj, "action", json_object_new_string("SCMP_ACT_NOTIFY"), &oom);
				append(arr, rj, &oom);
			} else {
				json_object_put(names);
				oom = true;
			}
		}
	}
	if (oom) {
		json_object_put(o);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	*outp = o;
	return 0;
}

static int to_text(json_object *o, char **jsonp, struct redirect_error **err)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	*jsonp = s ? strdup(s) : NULL;
	if (!*jsonp)
		return redirect_make_error(err, ENOMEM, "out of memory");
	return 0;
}

int redirect_oci_seccomp_json(const struct redirect_policy *p, const char *listener_path,
			      char **jsonp, struct redirect_error **err)
{
	json_object *o;
	int ret;

	ret = oci_seccomp_section(p, listener_path, &o, err);
	if (ret < 0)
		return ret;
	ret = to_text(o, jsonp, err);
	json_object_put(o);
	return ret;
}

/* ---- reading config.json ---------------------------------------------------------------- */

void redirect_oci_config_free(struct redirect_oci_config *c)
{
	size_t i;

	if (!c)
		return;
	json_object_put(c->root);
	free(c->origin);
	redirect_policy_free(c->seccomp);
	free(c->listener_path);
	free(c->listener_metadata);
	for (i = 0; i < c->n_caps; i++)
		free(c->caps[i]);
	free(c->caps);
	free(c);
}

static int bad(struct redirect_error **err, const char *origin, const char *path,
	       const char *what)
{
	return redirect_make_error(err, EINVAL, "%s: %s: %s", origin, path, what);
}

static int read_caps(struct redirect_oci_config *c, json_object *process,
		     struct redirect_error **err)
{
	json_object *caps, *bounding;
	size_t i, n;

	if (!json_object_object_get_ex(process, "capabilities", &caps))
		return 0;
	if (!json_object_is_type(caps, json_type_object))
		return bad(err, c->origin, "process.capabilities", "expected an object");
	if (!json_object_object_get_ex(caps, "bounding", &bounding))
		return 0;
	if (!json_object_is_type(bounding, json_type_array))
		return bad(err, c->origin, "process.capabilities.bounding", "expected an array");
	n = json_object_array_length(bounding);
	c->caps = calloc(n ? n : 1, sizeof(*c->caps));
	if (!c->caps)
		return redirect_make_error(err, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(bounding, i);
		const char *s = json_object_get_string(e);
		size_t j;

		if (!json_object_is_type(e, json_type_string) ||
		    strlen(s) != (size_t)json_object_get_string_len(e) || strncmp(s, "CAP_", 4) ||
		    !s[4] || strlen(s) > 64)
			return redirect_make_error(err, EINVAL, "%s: process.capabilities."
						   "bounding[%zu]: expected \"CAP_NAME\"",
						   c->origin, i);
		for (j = 4; s[j]; j++)
			if (!((s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= '0' && s[j] <= '9') ||
			      s[j] == '_'))
				return redirect_make_error(err, EINVAL, "%s: process.capabilities."
							   "bounding[%zu]: invalid capability",
							   c->origin, i);
		c->caps[c->n_caps] = strdup(s);
		if (!c->caps[c->n_caps])
			return redirect_make_error(err, ENOMEM, "out of memory");
		c->n_caps++;
	}
	return 0;
}

/* annotations: a map of strings (runtime spec) */
static int read_annotations(struct redirect_oci_config *c, struct redirect_error **err)
{
	json_object *a;

	if (!json_object_object_get_ex(c->root, "annotations", &a) ||
	    json_object_is_type(a, json_type_null))
		return 0;
	if (!json_object_is_type(a, json_type_object))
		return bad(err, c->origin, "annotations", "expected an object");
	json_object_object_foreach(a, key, val) {
		if (!json_object_is_type(val, json_type_string))
			return redirect_make_error(err, EINVAL, "%s: annotations.%s: expected a "
						   "string", c->origin, key);
	}
	c->annotations = a;
	return 0;
}

static int dup_string(json_object *o, const char *key, char **out)
{
	json_object *v;

	/* null: absent, as the profile parser reads it */
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

static int read_config(struct redirect_oci_config *c, struct redirect_error **err)
{
	json_object *v, *lnx, *seccomp;
	int ret;

	if (!json_object_is_type(c->root, json_type_object))
		return redirect_make_error(err, EINVAL, "%s: expected a JSON object at the top "
					   "level", c->origin);
	if (!json_object_object_get_ex(c->root, "ociVersion", &v))
		return redirect_make_error(err, EINVAL, "%s: missing \"ociVersion\"", c->origin);
	if (!json_object_is_type(v, json_type_string) || !json_object_get_string_len(v))
		return bad(err, c->origin, "ociVersion", "expected a non-empty string");
	ret = read_annotations(c, err);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(c->root, "process", &v)) {
		if (!json_object_is_type(v, json_type_object))
			return bad(err, c->origin, "process", "expected an object");
		ret = read_caps(c, v, err);
		if (ret < 0)
			return ret;
	}
	if (!json_object_object_get_ex(c->root, "linux", &lnx))
		return 0;
	if (!json_object_is_type(lnx, json_type_object))
		return bad(err, c->origin, "linux", "expected an object");
	if (!json_object_object_get_ex(lnx, "seccomp", &seccomp) ||
	    json_object_is_type(seccomp, json_type_null))
		return 0;
	ret = policy_parse_oci_section(seccomp, c->origin, "linux.seccomp", &c->seccomp, err);
	if (ret < 0)
		return ret;
	ret = redirect_policy_set_capabilities(c->seccomp, (const char *const *)c->caps,
					       c->n_caps, err);
	if (ret < 0)
		return ret;
	if (dup_string(seccomp, "listenerPath", &c->listener_path) < 0 ||
	    dup_string(seccomp, "listenerMetadata", &c->listener_metadata) < 0)
		return redirect_make_error(err, ENOMEM, "out of memory");
	return 0;
}

int redirect_oci_config_read(const char *buf, size_t len, const char *origin,
			     struct redirect_oci_config **cp, struct redirect_error **err)
{
	struct redirect_oci_config *c;
	int ret;

	origin = origin ? origin : "config.json";
	c = calloc(1, sizeof(*c));
	if (!c || !(c->origin = strdup(origin))) {
		free(c);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	ret = redirect_json_parse(buf, len, REDIRECT_OCI_CONFIG_MAX_SIZE, origin, &c->root, err);
	if (ret == 0)
		ret = read_config(c, err);
	if (ret < 0) {
		redirect_oci_config_free(c);
		return ret;
	}
	*cp = c;
	return 0;
}

int redirect_oci_config_read_file(const char *path, struct redirect_oci_config **cp,
				  struct redirect_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len;
	int ret;

	ret = redirect_read_file(path, 0, REDIRECT_OCI_CONFIG_MAX_SIZE, &buf, &len, NULL, err);
	if (ret < 0)
		return ret;
	return redirect_oci_config_read(buf, len, path, cp, err);
}

const char *oci_config_origin(const struct redirect_oci_config *c)
{
	return c->origin;
}

const struct redirect_policy *redirect_oci_config_seccomp(const struct redirect_oci_config *c)
{
	return c->seccomp;
}

const char *redirect_oci_config_listener_path(const struct redirect_oci_config *c)
{
	return c->listener_path;
}

const char *redirect_oci_config_listener_metadata(const struct redirect_oci_config *c)
{
	return c->listener_metadata;
}

size_t redirect_oci_config_cap_count(const struct redirect_oci_config *c)
{
	return c->n_caps;
}

const char *redirect_oci_config_cap(const struct redirect_oci_config *c, size_t i)
{
	return i < c->n_caps ? c->caps[i] : NULL;
}

int oci_config_text(const struct redirect_oci_config *c, json_object *section, char **jsonp,
		    struct redirect_error **err)
{
	json_object *root = NULL, *lnx;
	int ret;

	if (json_object_deep_copy(c->root, &root, NULL) < 0) {
		json_object_put(section);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	if (!json_object_object_get_ex(root, "linux", &lnx)) {
		lnx = json_object_new_object();
		if (!lnx || json_object_object_add(root, "linux", lnx) < 0) {
			json_object_put(lnx);
			ret = redirect_make_error(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	if (json_object_object_add(lnx, "seccomp", section) < 0) {
		ret = redirect_make_error(err, ENOMEM, "out of memory");
		goto out;
	}
	section = NULL;
	ret = to_text(root, jsonp, err);
out:
	json_object_put(section);
	json_object_put(root);
	return ret;
}

int redirect_oci_config_set_seccomp(const struct redirect_oci_config *c,
				    const struct redirect_policy *p, const char *listener_path,
				    char **jsonp, struct redirect_error **err)
{
	json_object *section;
	int ret;

	ret = oci_seccomp_section(p, listener_path, &section, err);
	if (ret < 0)
		return ret;
	return oci_config_text(c, section, jsonp, err);
}

const char *redirect_oci_config_annotation(const struct redirect_oci_config *c, const char *key)
{
	json_object *v;

	if (!c->annotations || !json_object_object_get_ex(c->annotations, key, &v))
		return NULL;
	return json_object_get_string(v);
}

int redirect_oci_config_set_annotation(struct redirect_oci_config *c, const char *key,
				       const char *value, struct redirect_error **err)
{
	json_object *v;

	if (!c->annotations) {
		json_object *a = json_object_new_object();

		if (!a || json_object_object_add(c->root, "annotations", a) < 0) {
			json_object_put(a);
			return redirect_make_error(err, ENOMEM, "out of memory");
		}
		c->annotations = a;
	}
	v = json_object_new_string(value);
	if (!v || json_object_object_add(c->annotations, key, v) < 0) {
		json_object_put(v);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	return 0;
}
