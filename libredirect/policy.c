// SPDX-License-Identifier: GPL-2.0
/* A policy as a whole: loading a file and its extends / include layers, finalizing, accessors. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "policy.h"

/* Files being loaded, outermost first: extends / include cycles and depth. */
struct load_chain {
	const struct load_chain *parent;
	dev_t dev;
	ino_t ino;
	unsigned int depth;
	unsigned int flags;		/* REDIRECT_POLICY_*, for every layer */
};

/* ---- layers: extends / include ------------------------------------------------------ */

#define MOVE(dst, src) do { (dst) = (src); (src) = 0; } while (0)

static void free_files(struct redirect_policy *p)
{
	size_t i;

	for (i = 0; i < p->n_files; i++) {
		free(p->files[i].path);
		free(p->files[i].target);
	}
	free(p->files);
	p->files = NULL;
	p->n_files = 0;
}


/* Drop from acc's syscalls[] every name that layer's syscalls[] names. */
static void drop_overridden_names(struct redirect_policy *acc, const struct redirect_policy *layer)
{
	size_t i, j, k, m, out;

	for (i = 0; i < acc->n_rules; i++) {
		struct policy_rule *r = &acc->rules[i];

		for (j = 0, out = 0; j < r->n_names; j++) {
			bool named = false;

			for (k = 0; k < layer->n_rules && !named; k++)
				for (m = 0; m < layer->rules[k].n_names && !named; m++)
					named = !strcmp(layer->rules[k].names[m], r->names[j]);
			if (named)
				free(r->names[j]);
			else
				r->names[out++] = r->names[j];
		}
		r->n_names = out;
	}
}

/*
 * Apply layer on top of acc.  Ownership moves one way: each part is stolen
 * from the layer (its pointer cleared there) before acc frees what it
 * replaces, so on any return, success or error, every allocation has
 * exactly one owner and the caller frees both policies.  Limits are checked
 * before anything moves.  Returns 0, -E2BIG (more tier-1 rules than the
 * module takes) or -ENOMEM.
 */
static int merge_layer(struct redirect_policy *acc, struct redirect_policy *layer)
{
	size_t i;

	if (acc->n_trules + layer->n_trules > REDIRECT_RULES_MAX)
		return -E2BIG;
	if (layer->has & POLICY_HAS_DEFAULT_ACTION)
		acc->default_action = layer->default_action;
	if (layer->has & POLICY_HAS_ARCHES) {
		free(acc->arches);
		MOVE(acc->arches, layer->arches);
		MOVE(acc->n_arches, layer->n_arches);
	}
	if (layer->has & POLICY_HAS_FLAGS)
		acc->load_flags = layer->load_flags;
	if (layer->has & POLICY_HAS_CAPS) {
		policy_free_strv(acc->caps, acc->n_caps);
		MOVE(acc->caps, layer->caps);
		MOVE(acc->n_caps, layer->n_caps);
	}
	if (layer->has & POLICY_HAS_DEFAULT_ANSWER)
		acc->default_verdict = layer->default_verdict;
	if (layer->has & POLICY_HAS_UNAME) {
		for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
			free(acc->uname[i]);
			MOVE(acc->uname[i], layer->uname[i]);
		}
		acc->has_uname = true;
	}
	if (layer->has & POLICY_HAS_KERNEL) {
		free(acc->kernel_release);
		free(acc->kernel_version);
		MOVE(acc->kernel_release, layer->kernel_release);
		MOVE(acc->kernel_version, layer->kernel_version);
	}
	if (layer->has & POLICY_HAS_ABI) {
		policy_free_strv(acc->abi_emulate, acc->n_abi_emulate);
		policy_free_strv(acc->abi_force, acc->n_abi_force);
		MOVE(acc->abi_emulate, layer->abi_emulate);
		MOVE(acc->n_abi_emulate, layer->n_abi_emulate);
		MOVE(acc->abi_force, layer->abi_force);
		MOVE(acc->n_abi_force, layer->n_abi_force);
	}
	if (layer->has & POLICY_HAS_FILES) {
		free_files(acc);
		MOVE(acc->files, layer->files);
		MOVE(acc->n_files, layer->n_files);
	}
	if (layer->has & POLICY_HAS_CONNECT) {
		free(acc->connect);
		MOVE(acc->connect, layer->connect);
		MOVE(acc->n_connect, layer->n_connect);
		acc->connect_default_allow = layer->connect_default_allow;
		acc->connect_unix_allow = layer->connect_unix_allow;
		acc->connect_deny_errno = layer->connect_deny_errno;
	}
	if (layer->has & POLICY_HAS_SYSINFO) {
		acc->sysinfo_memory = layer->sysinfo_memory;
		acc->sysinfo_uptime = layer->sysinfo_uptime;
	}
	if (layer->has & POLICY_HAS_VIEWS)
		acc->views = layer->views;
	if (layer->has & POLICY_HAS_MOUNT) {
		policy_free_strv(acc->mount_fs, acc->n_mount_fs);
		policy_free_strv(acc->mount_targets, acc->n_mount_targets);
		MOVE(acc->mount_fs, layer->mount_fs);
		MOVE(acc->n_mount_fs, layer->n_mount_fs);
		MOVE(acc->mount_targets, layer->mount_targets);
		MOVE(acc->n_mount_targets, layer->n_mount_targets);
		acc->mount_bind = layer->mount_bind;
	}
	acc->has |= layer->has;

	/* syscalls[]: the layer's names override, its rules come after */
	if (layer->n_rules) {
		struct policy_rule *r;

		r = realloc(acc->rules, (acc->n_rules + layer->n_rules) * sizeof(*r));
		if (!r)
			return -ENOMEM;
		acc->rules = r;
		drop_overridden_names(acc, layer);
		/* the rules' contents change owner here: then the layer's array goes */
		memcpy(r + acc->n_rules, layer->rules, layer->n_rules * sizeof(*r));
		acc->n_rules += layer->n_rules;
		layer->n_rules = 0;
		free(steal_pointer(&layer->rules));
	}
	for (i = 0; i < layer->n_extra_notify; i++)
		if (policy_strv_add_unique(&acc->extra_notify, &acc->n_extra_notify,
				    layer->extra_notify[i]) < 0)
			return -ENOMEM;
	/* tier-1 rules: the layer's first, so they win the first match */
	if (layer->n_trules) {
		struct policy_trule *t = malloc((acc->n_trules + layer->n_trules) * sizeof(*t));

		if (!t)
			return -ENOMEM;
		memcpy(t, layer->trules, layer->n_trules * sizeof(*t));
		if (acc->n_trules)
			memcpy(t + layer->n_trules, acc->trules, acc->n_trules * sizeof(*t));
		acc->n_trules += layer->n_trules;
		layer->n_trules = 0;
		free(steal_pointer(&layer->trules));
		free(acc->trules);
		acc->trules = t;
	}
	return 0;
}

static bool has_file_action(const struct redirect_policy *p, enum redirect_file_action a)
{
	size_t i;

	for (i = 0; i < p->n_files; i++)
		if (p->files[i].action == a)
			return true;
	return false;
}

static bool has_hidden_files(const struct redirect_policy *p)
{
	return has_file_action(p, REDIRECT_FILE_HIDDEN);
}

static int add_calls(struct redirect_policy *p, const char *const *calls)
{
	for (; *calls; calls++)
		if (policy_strv_add_unique(&p->sentry_calls, &p->n_sentry_calls, *calls) < 0)
			return -ENOMEM;
	return 0;
}


static bool cond_empty(const struct policy_cond *c)
{
	return !c->n_arches && !c->n_caps && !c->has_min_kernel;
}

/*
 * Does the merged profile allow @name whatever its arguments: a rule allows
 * it without condition and no rule names it with another action (or, named
 * nowhere, the default action allows)?
 */
static bool profile_allows(const struct redirect_policy *p, const char *name)
{
	bool named = false, plain_allow = false;
	size_t i, j;

	for (i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];

		for (j = 0; j < r->n_names && strcmp(r->names[j], name); j++)
			;
		if (j == r->n_names)
			continue;
		named = true;
		if (r->action != SCMP_ACT_ALLOW)
			return false;
		if (!r->n_args && cond_empty(&r->includes) && cond_empty(&r->excludes))
			plain_allow = true;
	}
	return named ? plain_allow : p->default_action == SCMP_ACT_ALLOW;
}

static int add_calls_if_allowed(struct redirect_policy *p, const char *const *calls)
{
	for (; *calls; calls++)
		if (profile_allows(p, *calls) &&
		    policy_strv_add_unique(&p->sentry_calls, &p->n_sentry_calls, *calls) < 0)
			return -ENOMEM;
	return 0;
}

/* After the last layer: the notified set. */
static int finalize_policy(struct policy_loader *l, struct redirect_policy *p)
{
	size_t i, j;

	if (!(p->has & POLICY_HAS_DEFAULT_ACTION))
		return policy_fail(l, "missing \"defaultAction\"");
	if (policy_check_string_rules(l, p) < 0)
		return -EINVAL;
	policy_free_strv(p->sentry_calls, p->n_sentry_calls);
	policy_free_strv(p->notify, p->n_notify);
	p->sentry_calls = p->notify = NULL;
	p->n_sentry_calls = p->n_notify = 0;
	/* one identity: the kernel section's fields are uname's too, never both */
	if ((p->kernel_release && p->uname[REDIRECT_UNAME_RELEASE]) ||
	    (p->kernel_version && p->uname[REDIRECT_UNAME_VERSION]))
		return policy_fail(l, "redirect.sentry: a kernel field set in \"uname\" as well; "
				   "set release and version in \"kernel\" only");
	if (p->has & POLICY_HAS_KERNEL)
		p->has_uname = true;
	/* the handlers' calls, redirect.notify, the tier-1 rules' calls */
	if (p->has_uname && policy_strv_add_unique(&p->sentry_calls, &p->n_sentry_calls, "uname") < 0)
		goto oom;
	if ((p->has & POLICY_HAS_FILES) && (add_calls(p, policy_files_calls) < 0 ||
	    add_calls_if_allowed(p, policy_files_if_allowed_calls) < 0))
		goto oom;
	if (policy_serves_synth(p) && add_calls(p, policy_synth_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_FILES) && has_hidden_files(p) && add_calls(p, policy_dents_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_FILES) && (has_hidden_files(p) ||
	    has_file_action(p, REDIRECT_FILE_REMAP)) && add_calls(p, policy_cwd_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_CONNECT) && add_calls(p, policy_connect_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_MOUNT) && add_calls(p, policy_mount_calls) < 0)
		goto oom;
	if ((p->has & POLICY_HAS_SYSINFO) && add_calls(p, policy_sysinfo_calls) < 0)
		goto oom;
	for (i = 0; i < p->n_extra_notify; i++)
		if (policy_strv_add_unique(&p->sentry_calls, &p->n_sentry_calls, p->extra_notify[i]) < 0)
			goto oom;
	for (i = 0; i < p->n_trules; i++)
		for (j = 0; j < p->trules[i].n_names; j++)
			if (policy_strv_add_unique(&p->sentry_calls, &p->n_sentry_calls,
					    p->trules[i].names[j]) < 0)
				goto oom;
	/* then the profile's own NOTIFY rules */
	for (i = 0; i < p->n_sentry_calls; i++)
		if (policy_strv_add_unique(&p->notify, &p->n_notify, p->sentry_calls[i]) < 0)
			goto oom;
	for (i = 0; i < p->n_rules; i++) {
		if (p->rules[i].action != SCMP_ACT_NOTIFY)
			continue;
		for (j = 0; j < p->rules[i].n_names; j++)
			if (policy_strv_add_unique(&p->notify, &p->n_notify, p->rules[i].names[j]) < 0)
				goto oom;
	}
	return 0;
oom:
	return policy_fail(l, "out of memory");
}

void redirect_policy_free(struct redirect_policy *p)
{
	size_t i;

	if (!p)
		return;
	free(p->name);
	free(p->arches);
	for (i = 0; i < p->n_rules; i++)
		policy_free_rule(&p->rules[i]);
	free(p->rules);
	policy_free_strv(p->caps, p->n_caps);
	policy_free_strv(p->extra_notify, p->n_extra_notify);
	policy_free_tier1(p->trules, p->n_trules);
	policy_free_strv(p->sentry_calls, p->n_sentry_calls);
	policy_free_strv(p->notify, p->n_notify);
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++)
		free(p->uname[i]);
	free(p->kernel_release);
	free(p->kernel_version);
	policy_free_strv(p->abi_emulate, p->n_abi_emulate);
	policy_free_strv(p->abi_force, p->n_abi_force);
	free_files(p);
	free(p->connect);
	policy_free_strv(p->mount_fs, p->n_mount_fs);
	policy_free_strv(p->mount_targets, p->n_mount_targets);
	free(p);
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

static int load_layered(const char *buf, size_t len, const char *origin,
			const struct load_chain *chain, struct redirect_policy **policyp,
			struct redirect_error **err);

/* Resolve a path named by extends / include against the including file's directory. */
static char *resolve_base(const char *origin, const char *name)
{
	cleanup_free char *copy = NULL;
	char *out;

	if (name[0] == '/' || !strchr(origin, '/'))
		return strdup(name);
	copy = strdup(origin);
	if (!copy)
		return NULL;
	if (asprintf(&out, "%s/%s", dirname(copy), name) < 0)
		return NULL;
	return out;
}

static int load_base(struct policy_loader *l, const char *name, const struct load_chain *chain,
		     struct redirect_policy **basep)
{
	cleanup_free char *path = resolve_base(l->origin, name);
	cleanup_free char *buf = NULL;
	struct load_chain link;
	const struct load_chain *c;
	struct stat st;
	size_t len;
	int ret;

	if (!path)
		return policy_fail(l, "out of memory");
	if (chain->depth + 1 > REDIRECT_POLICY_MAX_DEPTH)
		return policy_fail(l, "\"%s\": more than %d levels of extends / include", name,
			    REDIRECT_POLICY_MAX_DEPTH);
	ret = redirect_read_file(path, 0, REDIRECT_POLICY_MAX_SIZE, &buf, &len, &st, l->err);
	if (ret < 0)
		return redirect_error_prefix(l->err, ret, "%s: %s", l->origin, l->path);
	link.dev = st.st_dev;
	link.ino = st.st_ino;
	for (c = chain; c; c = c->parent)
		if (c->ino == link.ino && c->dev == link.dev && (c->ino || c->dev))
			return policy_fail(l, "\"%s\" includes itself (a cycle)", name);
	link.parent = chain;
	link.depth = chain->depth + 1;
	link.flags = chain->flags;
	ret = load_layered(buf, len, path, &link, basep, l->err);
	if (ret < 0)
		return redirect_error_prefix(l->err, ret, "%s: %s", l->origin, l->path);
	return 0;
}

static int merge_fail(struct policy_loader *l, int ret)
{
	if (ret == -E2BIG)
		return policy_fail(l, "more than %d tier-1 rules with the layers merged",
				   REDIRECT_RULES_MAX);
	return policy_fail(l, "out of memory");
}

/* One base named by extends / include[] (a string), merged into f->dst. */
static int merge_base(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	struct redirect_policy *base = NULL;
	const char *name;
	int ret;

	ret = policy_get_string(l, v, PATH_MAX - 1, &name);
	if (ret == 0)
		ret = load_base(l, name, f->arg, &base);
	if (ret == 0) {
		ret = merge_layer(f->dst, base);
		if (ret < 0)
			ret = merge_fail(l, ret);
	}
	redirect_policy_free(base);
	return ret;
}

static int merge_include(struct policy_loader *l, json_object *v, size_t i, void *ctx)
{
	return merge_base(l, v, ctx);
}

static int merge_includes(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	return policy_for_each_element(l, v, merge_include, (void *)f);
}

/* The bases a document names, in order: extends, then include[]. */
static int load_bases(struct policy_loader *l, json_object *root, const struct load_chain *chain,
		      struct redirect_policy *acc)
{
	const struct policy_field fields[] = {
		{ .key = "extends", .parse = merge_base, .dst = acc, .arg = chain },
		{ .key = "include", .parse = merge_includes, .dst = acc, .arg = chain },
	};

	if (!json_object_is_type(root, json_type_object))
		return 0;
	return policy_fields(l, root, fields, ARRAY_SIZE(fields));
}

static struct redirect_policy *policy_new(void)
{
	struct redirect_policy *p = calloc(1, sizeof(*p));

	if (p) {
		p->default_verdict.kind = REDIRECT_ANSWER_ERRNO;
		p->default_verdict.errnum = ENOSYS;
	}
	return p;
}

/* One file and its bases, merged; not finalized. */
static int load_layered(const char *buf, size_t len, const char *origin,
			const struct load_chain *chain, struct redirect_policy **policyp,
			struct redirect_error **err)
{
	struct policy_loader l = { .origin = origin, .err = err, .flags = chain->flags };
	struct redirect_policy *acc = NULL, *layer = NULL;
	json_object *root = NULL;
	int ret;

	ret = redirect_json_parse(buf, len, REDIRECT_POLICY_MAX_SIZE, origin, &root, err);
	if (ret < 0)
		return ret;
	acc = policy_new();
	layer = policy_new();
	if (!acc || !layer) {
		ret = redirect_make_error(err, ENOMEM, "%s: out of memory", origin);
		goto out;
	}
	ret = load_bases(&l, root, chain, acc);
	if (ret == 0)
		ret = policy_parse_document(&l, root, layer);
	if (ret == 0) {
		ret = merge_layer(acc, layer);
		if (ret < 0)
			ret = merge_fail(&l, ret);
	}
	if (ret == 0) {
		*policyp = acc;
		acc = NULL;
	}
out:
	json_object_put(root);
	redirect_policy_free(layer);
	redirect_policy_free(acc);
	return ret;
}

static int load_top(const char *buf, size_t len, const char *origin, dev_t dev, ino_t ino,
		    unsigned int flags, struct redirect_policy **policyp,
		    struct redirect_error **err)
{
	struct load_chain chain = { .dev = dev, .ino = ino, .flags = flags };
	struct policy_loader l = { .origin = origin, .err = err, .flags = flags };
	struct redirect_policy *p = NULL;
	int ret;

	ret = load_layered(buf, len, origin, &chain, &p, err);
	if (ret < 0)
		return ret;
	ret = finalize_policy(&l, p);
	if (ret == 0) {
		p->name = name_from_origin(origin);
		if (!p->name)
			ret = redirect_make_error(err, ENOMEM, "%s: out of memory", origin);
	}
	if (ret < 0) {
		redirect_policy_free(p);
		return ret;
	}
	*policyp = p;
	return 0;
}

int redirect_policy_load_buffer_flags(const char *buf, size_t len, const char *origin,
				      unsigned int flags, struct redirect_policy **policyp,
				      struct redirect_error **err)
{
	if (flags & ~REDIRECT_POLICY_STRICT)
		return redirect_make_error(err, EINVAL, "unknown policy load flags %#x", flags);
	return load_top(buf, len, origin ? origin : "policy", 0, 0, flags, policyp, err);
}

int redirect_policy_load_buffer(const char *buf, size_t len, const char *origin,
				struct redirect_policy **policyp, struct redirect_error **err)
{
	return redirect_policy_load_buffer_flags(buf, len, origin, 0, policyp, err);
}

int redirect_policy_load_file_flags(const char *path, unsigned int flags,
				    struct redirect_policy **policyp, struct redirect_error **err)
{
	cleanup_free char *buf = NULL;
	struct stat st;
	size_t len;
	int ret;

	if (flags & ~REDIRECT_POLICY_STRICT)
		return redirect_make_error(err, EINVAL, "unknown policy load flags %#x", flags);
	ret = redirect_read_file(path, 0, REDIRECT_POLICY_MAX_SIZE, &buf, &len, &st, err);
	if (ret < 0) {
		if (ret != -EINVAL && ret != -EFBIG)
			redirect_error_prefix(err, ret, "policy");
		return ret;
	}
	return load_top(buf, len, path, st.st_dev, st.st_ino, flags, policyp, err);
}

int redirect_policy_load_file(const char *path, struct redirect_policy **policyp,
			      struct redirect_error **err)
{
	return redirect_policy_load_file_flags(path, 0, policyp, err);
}

int policy_parse_oci_section(struct json_object *obj, const char *origin, const char *path,
			     struct redirect_policy **policyp, struct redirect_error **err)
{
	struct policy_loader l = { .origin = origin, .err = err, .oci = true };
	struct redirect_policy *p = policy_new();
	int ret;

	if (!p)
		return redirect_make_error(err, ENOMEM, "%s: out of memory", origin);
	policy_push_key(&l, path);
	ret = policy_parse_document(&l, obj, p);
	if (ret == 0)
		ret = finalize_policy(&l, p);
	if (ret == 0) {
		p->name = strdup("oci");
		if (!p->name)
			ret = policy_fail(&l, "out of memory");
	}
	if (ret < 0) {
		redirect_policy_free(p);
		return ret;
	}
	*policyp = p;
	return 0;
}

bool redirect_policy_name_valid(const char *name)
{
	size_t i;

	if (!name || !name[0] || name[0] == '.' || strlen(name) > 128)
		return false;
	for (i = 0; name[i]; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return !strstr(name, "..");
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
	if (f == REDIRECT_UNAME_RELEASE && p->kernel_release)
		return p->kernel_release;
	if (f == REDIRECT_UNAME_VERSION && p->kernel_version)
		return p->kernel_version;
	return p->uname[f];
}

void redirect_policy_default_verdict(const struct redirect_policy *p, struct redirect_answer *v)
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

const char *redirect_verdict_format(const struct redirect_answer *v, char *buf, size_t size)
{
	const char *name;

	if (v->kind == REDIRECT_ANSWER_CONTINUE) {
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

int redirect_policy_set_capabilities(struct redirect_policy *p, const char *const *caps,
				     size_t n, struct redirect_error **err)
{
	struct policy_loader l = { .origin = p->name, .err = err };
	char **v = NULL;
	size_t nv = 0, i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = policy_check_cap(&l, caps[i]);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < n; i++) {
		if (policy_strv_add_unique(&v, &nv, caps[i]) < 0) {
			policy_free_strv(v, nv);
			return redirect_make_error(err, ENOMEM, "out of memory");
		}
	}
	policy_free_strv(p->caps, p->n_caps);
	p->caps = v;
	p->n_caps = nv;
	return 0;
}


bool policy_is_sentry_call(const struct redirect_policy *p, int nr)
{
	size_t i;

	for (i = 0; i < p->n_sentry_calls; i++)
		if (seccomp_syscall_resolve_name(p->sentry_calls[i]) == nr)
			return true;
	return false;
}
