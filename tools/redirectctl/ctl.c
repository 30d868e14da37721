// SPDX-License-Identifier: GPL-2.0
/* redirectctl: the module's control plane (netlink) opened, and a sandbox found by id, name or prefix. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redirectctl.h"

int fail(struct redirect_error *e, int ret, const char *what)
{
	/* the family resolves for anybody; reading wants CAP_NET_ADMIN, changing CAP_SYS_ADMIN */
	const char *hint = ret == -EPERM ? " (the control plane needs CAP_NET_ADMIN, and "
					   "CAP_SYS_ADMIN to change rules: run as root)" :
					   "";

	if (e)
		msg("%s%s", e->msg, hint);
	else
		msg("%s: %s%s", what, strerror(-ret), hint);
	redirect_error_free(e);
	return EXIT_FAILED;
}

/* The control plane, or the documented exit code when there is none. */
int open_ctl(const char *what, struct redirect_ctl **ctl)
{
	struct redirect_error *e = NULL;
	int ret = redirect_ctl_open(ctl, &e);

	if (ret == -ENOENT) {
		msg("redirect.ko is not loaded; '%s' needs the module's control plane "
		    "(portable mode has none; see '%s status')",
		    what, prog);
		redirect_error_free(e);
		return EXIT_UNAVAILABLE;
	}
	if (ret == -EPERM || ret == -EACCES) {
		msg("%s: permission denied: the control plane needs CAP_NET_ADMIN "
		    "(run as root)",
		    what);
		redirect_error_free(e);
		return EXIT_FAILED;
	}
	if (ret < 0)
		return fail(e, ret, what);
	return EXIT_OK;
}

/* Same checks as the module applies to names (REDIRECT_IOC_ATTACH). */
static bool valid_sandbox_name(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= REDIRECT_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._:-", s[i])))
			return false;
	return true;
}

static bool parse_id(const char *s, uint32_t *id)
{
	unsigned long long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v == 0 || v > UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

/* Digits are an id, anything else a name: usage error (-1 ok) before any request. */
int check_sandbox_arg(const struct command *cmd, const char *arg, uint32_t *id)
{
	uint32_t tmp;

	if (*arg && strspn(arg, "0123456789") == strlen(arg)) {
		if (!parse_id(arg, id ? id : &tmp))
			return usage_error(cmd, "sandbox id '%s' out of range (1 to %u)", arg,
					   UINT32_MAX);
		return -1;
	}
	if (!valid_sandbox_name(arg))
		return usage_error(cmd,
				   "'%s' is neither a sandbox id nor a sandbox name "
				   "(1 to %d letters, digits, '.', '_', ':', '-')",
				   arg, REDIRECT_NAME_MAX - 1);
	if (id)
		*id = 0;
	return -1;
}
/*
 * No sandbox has the name: one whose name starts with @arg, as docker takes a
 * unique prefix of a container id; several are an error that lists them.
 */
static int by_prefix(const struct redirect_sandbox_list *all, const char *arg, uint32_t *id)
{
	size_t i, found = 0, len = strlen(arg);
	char names[512] = "";

	for (i = 0; i < redirect_sandbox_list_count(all); i++) {
		const struct redirect_sandbox_info *s = redirect_sandbox_list_get(all, i);

		if (strncmp(redirect_sandbox_info_name(s), arg, len))
			continue;
		if (!found++)
			*id = redirect_sandbox_info_id(s);
		if (strlen(names) < sizeof(names) - 80)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s (%u)",
				 found > 1 ? ", " : "", redirect_sandbox_info_name(s),
				 redirect_sandbox_info_id(s));
		else if (!strstr(names, ", ..."))
			strcat(names, ", ...");
	}
	if (!found) {
		msg("no sandbox named '%s' or with a name starting with it (see '%s sandboxes')",
		    arg, prog);
		return EXIT_FAILED;
	}
	if (found > 1) {
		msg("'%s' is ambiguous: %zu sandboxes' names start with it: %s", arg, found, names);
		return EXIT_FAILED;
	}
	return -1;
}

/*
 * A sandbox named by id (digits) or by name.  Returns -1 with *info filled,
 * else an exit code.
 */
int find_sandbox(const struct command *cmd, struct redirect_ctl *ctl, const char *arg,
		 struct redirect_sandbox_info **info)
{
	struct redirect_sandbox_list *all = NULL;
	struct redirect_error *e = NULL;
	size_t i, found = 0;
	char ids[128] = "";
	uint32_t id;
	int ret;

	ret = check_sandbox_arg(cmd, arg, &id);
	if (ret >= 0)
		return ret;
	if (!id) {
		ret = redirect_ctl_sandboxes(ctl, &all, &e);
		if (ret < 0)
			return fail(e, ret, "listing sandboxes");
		for (i = 0; i < redirect_sandbox_list_count(all); i++) {
			const struct redirect_sandbox_info *s = redirect_sandbox_list_get(all, i);

			if (strcmp(redirect_sandbox_info_name(s), arg))
				continue;
			if (!found++)
				id = redirect_sandbox_info_id(s);
			if (strlen(ids) < sizeof(ids) - 16)
				snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%u",
					 found > 1 ? ", " : "", redirect_sandbox_info_id(s));
		}
		ret = found ? -1 : by_prefix(all, arg, &id);
		redirect_sandbox_list_free(all);
		if (ret >= 0)
			return ret;
		if (found > 1) {
			msg("%zu sandboxes are named '%s' (ids %s): name one by its id", found, arg,
			    ids);
			return EXIT_FAILED;
		}
	}
	ret = redirect_ctl_sandbox(ctl, id, info, &e);
	if (ret == -ENOENT) {
		redirect_error_free(e);
		msg("no sandbox with id %u (see '%s sandboxes')", id, prog);
		return EXIT_FAILED;
	}
	return ret < 0 ? fail(e, ret, "sandbox") : -1;
}
