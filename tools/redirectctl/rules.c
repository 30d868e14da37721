// SPDX-License-Identifier: GPL-2.0
/* redirectctl rules: a sandbox's tier-1 rules shown, loaded, cleared, or reloaded by usersentry. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redirectctl.h"

static const char *const cmp_names[] = {
	[REDIRECT_CMP_EQ] = "EQ", [REDIRECT_CMP_NE] = "NE", [REDIRECT_CMP_LT] = "LT",
	[REDIRECT_CMP_LE] = "LE", [REDIRECT_CMP_GT] = "GT", [REDIRECT_CMP_GE] = "GE",
};

static const char *const cmp_symbols[] = {
	[REDIRECT_CMP_EQ] = "==", [REDIRECT_CMP_NE] = "!=", [REDIRECT_CMP_LT] = "<",
	[REDIRECT_CMP_LE] = "<=", [REDIRECT_CMP_GT] = ">",  [REDIRECT_CMP_GE] = ">=",
};

static void c_escape(char *out, size_t size, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			n += (size_t)snprintf(out + n, size - n, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

static const char *cmp_name(uint8_t op, const char *const *names)
{
	return op >= REDIRECT_CMP_EQ && op <= REDIRECT_CMP_GE ? names[op] : "?";
}

/* "arg2 & 0x3 == 0x0, arg1 == \"/etc/shadow\"" */
static const char *rule_match_text(const struct redirect_rule *r, char *buf, size_t size)
{
	char esc[4 * REDIRECT_STR_MAX + 4];
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < r->nr_args && i < REDIRECT_ARGS_MAX && n < size; i++) {
		const struct redirect_arg_cmp *a = &r->args[i];

		n += (size_t)snprintf(buf + n, size - n, "%sarg%u", n ? ", " : "", a->index);
		if (n < size && a->mask != UINT64_MAX)
			n += (size_t)snprintf(buf + n, size - n, " & %#llx",
					      (unsigned long long)a->mask);
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, " %s %#llx",
					      cmp_name(a->op, cmp_symbols),
					      (unsigned long long)a->value);
	}
	if (r->str_match != REDIRECT_STR_NONE && n < size) {
		c_escape(esc, sizeof(esc), r->str, r->str_len < REDIRECT_STR_MAX ? r->str_len : 0);
		n += (size_t)snprintf(buf + n, size - n, "%sarg%u %s \"%s\"", n ? ", " : "",
				      r->str_index,
				      r->str_match == REDIRECT_STR_EXACT ? "==" : "starts with",
				      esc);
	}
	if (!buf[0])
		snprintf(buf, size, "any");
	return buf;
}

static struct json_object *rule_json(const struct redirect_rule_info *ri,
				     const struct redirect_rule *r)
{
	struct json_object *o = json_object_new_object(), *args = json_object_new_array();
	char nb[64], vb[64];
	unsigned int i;

	json_object_object_add(o, "index", json_object_new_int64(redirect_rule_info_index(ri)));
	json_object_object_add(o, "name",
			       json_object_new_string(syscall_name(r->nr, nb, sizeof(nb))));
	json_object_object_add(o, "nr", json_object_new_int64(r->nr));
	json_object_object_add(o, "action",
			       json_object_new_string(
				       verdict_text(r->verdict, r->value, vb, sizeof(vb))));
	for (i = 0; i < r->nr_args && i < REDIRECT_ARGS_MAX; i++) {
		struct json_object *a = json_object_new_object();

		json_object_object_add(a, "index", json_object_new_int(r->args[i].index));
		json_object_object_add(a, "op",
				       json_object_new_string(cmp_name(r->args[i].op, cmp_names)));
		json_object_object_add(a, "mask", json_object_new_uint64(r->args[i].mask));
		json_object_object_add(a, "value", json_object_new_uint64(r->args[i].value));
		json_object_array_add(args, a);
	}
	json_object_object_add(o, "args", args);
	if (r->str_match != REDIRECT_STR_NONE) {
		struct json_object *s = json_object_new_object();
		size_t len = r->str_len < REDIRECT_STR_MAX ? r->str_len : 0;

		json_object_object_add(s, "index", json_object_new_int(r->str_index));
		json_object_object_add(s, r->str_match == REDIRECT_STR_EXACT ? "exact" : "prefix",
				       json_object_new_string_len(r->str, (int)len));
		json_object_object_add(o, "string", s);
	}
	json_object_object_add(o, "limit", json_object_new_uint64(r->limit));
	json_object_object_add(o, "audit", json_object_new_boolean(r->flags & REDIRECT_RULE_AUDIT));
	json_object_object_add(o, "hits", json_object_new_uint64(redirect_rule_info_hits(ri)));
	json_object_object_add(o, "generation",
			       json_object_new_uint64(redirect_rule_info_generation(ri)));
	return o;
}

int rules_show(const struct command *cmd, int argc, char **argv)
{
	struct redirect_rule_info_list *rules = NULL;
	struct redirect_sandbox_info *sb = NULL;
	struct redirect_error *e = NULL;
	struct redirect_ctl *ctl;
	char nb[64], vb[64], mb[1024], lb[32];
	uint64_t generation;
	struct opts o;
	size_t n = 0, i;
	int rc, ret;

	rc = parse_opts(cmd, "j", argc, argv, 1, 1, &o);
	if (rc < 0)
		rc = check_sandbox_arg(cmd, o.args[0], NULL);
	if (rc >= 0)
		return rc;
	rc = open_ctl("rules show", &ctl);
	if (rc)
		return rc;
	rc = find_sandbox(cmd, ctl, o.args[0], &sb);
	if (rc >= 0)
		goto out;
	ret = redirect_ctl_get_rules(ctl, redirect_sandbox_info_id(sb), &rules, &e);
	if (ret < 0) {
		rc = fail(e, ret, "rules");
		goto out;
	}
	rc = EXIT_OK;
	n = redirect_rule_info_list_count(rules);
	generation = n ? redirect_rule_info_generation(redirect_rule_info_list_get(rules, 0)) :
			 redirect_sandbox_info_rules_generation(sb);
	if (o.json) {
		struct json_object *top = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(top, "id",
				       json_object_new_int64(redirect_sandbox_info_id(sb)));
		json_object_object_add(top, "name",
				       json_object_new_string(redirect_sandbox_info_name(sb)));
		json_object_object_add(top, "generation", json_object_new_uint64(generation));
		for (i = 0; i < n; i++) {
			const struct redirect_rule_info *ri = redirect_rule_info_list_get(rules, i);
			struct redirect_rule r;

			redirect_rule_info_rule(ri, &r, sizeof(r));
			json_object_array_add(a, rule_json(ri, &r));
		}
		json_object_object_add(top, "rules", a);
		print_json(top);
		goto out;
	}
	printf("sandbox %u (%s): %zu tier-1 rule%s, generation %llu\n",
	       redirect_sandbox_info_id(sb), redirect_sandbox_info_name(sb), n, n == 1 ? "" : "s",
	       (unsigned long long)generation);
	if (n)
		printf("%4s  %-16s %-16s %8s %10s %-5s  %s\n", "#", "SYSCALL", "ACTION", "LIMIT",
		       "HITS", "AUDIT", "MATCH");
	for (i = 0; i < n; i++) {
		const struct redirect_rule_info *ri = redirect_rule_info_list_get(rules, i);
		struct redirect_rule rule;
		const struct redirect_rule *r = &rule;

		redirect_rule_info_rule(ri, &rule, sizeof(rule));
		if (r->limit)
			snprintf(lb, sizeof(lb), "%llu", (unsigned long long)r->limit);
		else
			snprintf(lb, sizeof(lb), "-");
		printf("%4u  %-16s %-16s %8s %10llu %-5s  %s\n", redirect_rule_info_index(ri),
		       syscall_name(r->nr, nb, sizeof(nb)),
		       verdict_text(r->verdict, r->value, vb, sizeof(vb)), lb,
		       (unsigned long long)redirect_rule_info_hits(ri),
		       r->flags & REDIRECT_RULE_AUDIT ? "yes" : "no",
		       rule_match_text(r, mb, sizeof(mb)));
	}
out:
	redirect_rule_info_list_free(rules);
	redirect_sandbox_info_free(sb);
	redirect_ctl_close(ctl);
	return rc;
}

int rules_load(const struct command *cmd, int argc, char **argv)
{
	struct redirect_ruleset *rs = NULL;
	struct redirect_policy *policy = NULL;
	struct redirect_sandbox_info *sb = NULL, *after = NULL;
	struct redirect_error *e = NULL;
	struct redirect_ctl *ctl = NULL;
	struct opts o;
	int rc, ret;

	rc = parse_opts(cmd, "", argc, argv, 2, 2, &o);
	if (rc >= 0)
		return rc;
	rc = check_sandbox_arg(cmd, o.args[0], NULL);
	if (rc >= 0)
		return rc;
	/* the policy first: a bad file is reported whether or not the module is there */
	ret = redirect_policy_load_file(o.args[1], &policy, &e);
	if (ret == 0)
		ret = redirect_ruleset_compile(policy, &rs, &e);
	if (ret < 0) {
		rc = fail(e, ret, o.args[1]);
		goto out;
	}
	rc = open_ctl("rules load", &ctl);
	if (rc)
		goto out;
	rc = find_sandbox(cmd, ctl, o.args[0], &sb);
	if (rc >= 0)
		goto out;
	ret = redirect_ctl_set_rules(ctl, redirect_sandbox_info_id(sb), rs, &e);
	if (ret < 0) {
		rc = fail(e, ret, "setting rules");
		goto out;
	}
	printf("sandbox %u (%s): %zu tier-1 rule%s from %s loaded", redirect_sandbox_info_id(sb),
	       redirect_sandbox_info_name(sb), redirect_ruleset_count(rs),
	       redirect_ruleset_count(rs) == 1 ? "" : "s", o.args[1]);
	if (redirect_ctl_sandbox(ctl, redirect_sandbox_info_id(sb), &after, NULL) == 0 &&
	    redirect_sandbox_info_rules_generation(after))
		printf(", generation %llu",
		       (unsigned long long)redirect_sandbox_info_rules_generation(after));
	printf("\n");
	rc = EXIT_OK;
out:
	redirect_sandbox_info_free(after);
	redirect_sandbox_info_free(sb);
	redirect_ctl_close(ctl);
	redirect_ruleset_free(rs);
	redirect_policy_free(policy);
	return rc;
}

int rules_clear(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_info *sb = NULL;
	struct redirect_error *e = NULL;
	struct redirect_ctl *ctl;
	struct opts o;
	int rc, ret;

	rc = parse_opts(cmd, "", argc, argv, 1, 1, &o);
	if (rc < 0)
		rc = check_sandbox_arg(cmd, o.args[0], NULL);
	if (rc >= 0)
		return rc;
	rc = open_ctl("rules clear", &ctl);
	if (rc)
		return rc;
	rc = find_sandbox(cmd, ctl, o.args[0], &sb);
	if (rc < 0) {
		ret = redirect_ctl_set_rules(ctl, redirect_sandbox_info_id(sb), NULL, &e);
		if (ret < 0) {
			rc = fail(e, ret, "clearing rules");
		} else {
			printf("sandbox %u (%s): tier-1 rules cleared\n",
			       redirect_sandbox_info_id(sb), redirect_sandbox_info_name(sb));
			rc = EXIT_OK;
		}
	}
	redirect_sandbox_info_free(sb);
	redirect_ctl_close(ctl);
	return rc;
}

int rules_reload(const struct command *cmd, int argc, char **argv)
{
	struct redirect_error *e = NULL;
	struct json_object *a = NULL;
	struct opts o;
	int rc, ret;

	rc = parse_opts(cmd, "sC", argc, argv, 0, 0, &o);
	if (rc >= 0)
		return rc;
	ret = ask_daemon(&o, REDIRECT_CONTROL_RELOAD, &a, &e);
	if (ret < 0) {
		msg("rules reload: %s", e ? e->msg : strerror(-ret));
		redirect_error_free(e);
		return daemon_absent(ret) ? EXIT_UNAVAILABLE : EXIT_FAILED;
	}
	printf("usersentry (pid %lld) reloaded its policies: %lld sandboxes, %lld replaced, "
	       "%lld kept their policy, %lld keep their old policy's handlers for calls their "
	       "filter notifies\n",
	       (long long)answer_int(a, "pid"), (long long)answer_int(a, "sandboxes"),
	       (long long)answer_int(a, "replaced"), (long long)answer_int(a, "kept"),
	       (long long)answer_int(a, "keeping_handlers"));
	rc = EXIT_OK;
	if (answer_str(a, "default_policy_error")) {
		msg("rules reload: the default policy was kept: %s",
		    answer_str(a, "default_policy_error"));
		rc = EXIT_FAILED;
	}
	json_object_put(a);
	return rc;
}
