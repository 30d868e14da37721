// SPDX-License-Identifier: GPL-2.0
/* Custody: state files (both modes), adoption after a restart and reconciliation (module mode). */
#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry.h"

/* ---- state files: what a restarted daemon needs to adopt --------------------------------- */

/* Module mode: named by the sandbox id; portable mode: by the custody key. */
static bool state_path(const struct sentry *s, const struct sentry_sandbox *sb, char *buf,
		       size_t size)
{
	if (!s->cfg.state_dir)
		return false;
	if (s->mode == REDIRECT_MODE_MODULE)
		snprintf(buf, size, "%s/%u", s->cfg.state_dir, sb->sandbox_id);
	else if (sb->custody_key[0])
		snprintf(buf, size, "%s/%s", s->cfg.state_dir, sb->custody_key);
	else
		return false;
	return true;
}

static void state_copy(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (src[i] == '\n' || src[i] == '\r') ? '?' : src[i];
	dst[i] = '\0';
}

void sentry_state_write(struct sentry *s, const struct sentry_sandbox *sb)
{
	char path[4096], tmp[4200], id[1024], pol[256];
	FILE *f;

	if (!state_path(s, sb, path, sizeof(path)))
		return;
	if (mkdir(s->cfg.state_dir, 0700) < 0 && errno != EEXIST) {
		sentry_log("state directory %s: %s", s->cfg.state_dir, strerror(errno));
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		sentry_log("state file %s: %s", tmp, strerror(errno));
		return;
	}
	state_copy(id, sizeof(id), sb->id);
	state_copy(pol, sizeof(pol), sb->policy_name);
	fprintf(f, "sandbox=%u\npolicy=%s\ncontainer=%s\npid=%d\n", sb->sandbox_id, pol, id,
		(int)sb->pid);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0 || fclose(f) != 0) {
		sentry_log("state file %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return;
	}
	if (rename(tmp, path) < 0) {
		sentry_log("state file %s: %s", path, strerror(errno));
		unlink(tmp);
	}
}

void sentry_state_remove(struct sentry *s, const struct sentry_sandbox *sb)
{
	char path[4096];

	if (state_path(s, sb, path, sizeof(path)))
		unlink(path);
}

/* ---- restart: adopt what the state files name ------------------------------------------- */

int sentry_state_read(const char *path, uint32_t *id, char *policy, size_t psize,
		      char *container, size_t csize, pid_t *pid)
{
	char line[1200];
	unsigned long v;
	FILE *f;
	int seen = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (!strncmp(line, "sandbox=", 8)) {
			v = strtoul(line + 8, NULL, 10);
			if (!v || v > UINT32_MAX)
				break;
			*id = (uint32_t)v;
			seen |= 1;
		} else if (!strncmp(line, "policy=", 7)) {
			snprintf(policy, psize, "%.*s", (int)psize - 1, line + 7);
			seen |= 2;
		} else if (!strncmp(line, "container=", 10)) {
			snprintf(container, csize, "%.*s", (int)csize - 1, line + 10);
			seen |= 4;
		} else if (!strncmp(line, "pid=", 4)) {
			*pid = (pid_t)strtol(line + 4, NULL, 10);
		}
	}
	fclose(f);
	return seen == 7 ? 0 : -EINVAL;
}

void sentry_adopted_policy(struct sentry *s, const char *container, const char *name,
			   struct redirect_policy **policy, bool *owned)
{
	struct redirect_error *e = NULL;

	if (sentry_find_policy(s, name, policy, owned, &e) < 0) {
		sentry_log("sandbox=%s: policy \"%s\": %s; answering ENOSYS", container, name,
			   e->msg);
		redirect_error_free(e);
		*policy = NULL;
		*owned = false;
	}
}

static void adopt_one(struct sentry *s, const char *file)
{
	char path[4096], policy_name[256], container[1024];
	struct redirect_policy *policy = NULL;
	struct redirect_ruleset *rs = NULL;
	struct redirect_error *e = NULL;
	struct sentry_policy *pol;
	struct sentry_sandbox *sb;
	bool owned = false;
	uint32_t id = 0;
	pid_t pid = 0;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", s->cfg.state_dir, file);
	ret = sentry_state_read(path, &id, policy_name, sizeof(policy_name), container,
			 sizeof(container), &pid);
	if (ret < 0 || strtoul(file, NULL, 10) != id) {
		sentry_log("state file %s unreadable (%s): removed", path,
			   ret < 0 ? strerror(-ret) : "wrong id");
		unlink(path);
		return;
	}
	if (sentry_sandbox_find(s, id))
		return;
	ret = redirect_session_adopt(s->session, id, &e);
	if (ret == -ENOENT) {
		sentry_log("sandbox=%s (id %u) ended while no daemon ran", container, id);
		unlink(path);
		goto out;
	}
	if (ret < 0) {
		sentry_log("sandbox=%s (id %u) not adopted: %s", container, id, e->msg);
		goto out;
	}
	sb = sentry_sandbox_alloc(container, policy_name);
	if (!sb) {
		sentry_log("sandbox=%s adopted but out of memory", container);
		goto out;
	}
	sb->s = s;
	sb->sandbox_id = id;
	sb->pid = pid;
	sb->adopted = true;
	sentry_adopted_policy(s, container, policy_name, &policy, &owned);
	/* the module keeps the rules it has; our copy answers late forwards alike */
	if (policy && redirect_ruleset_compile(policy, &rs, NULL) < 0)
		rs = NULL;
	pol = sentry_policy_hold(s, policy, owned);
	if (!pol && owned)
		redirect_policy_free(policy);
	/* out of memory: no conf, the default answer (ENOSYS) */
	sentry_sandbox_set_conf(sb, pol || !policy ? sentry_conf_new(pol, rs) : NULL);
	if (policy && !pol)
		redirect_ruleset_free(rs);
	/* linked in: a restart with several sandboxes in custody keeps them all */
	sentry_sandbox_link(s, sb);
	sentry_log("sandbox=%s adopted: id=%u pid=%d policy=%s", container, id, (int)pid,
		   pol ? redirect_policy_name(pol->policy) : "none");
out:
	redirect_error_free(e);
}

void sentry_adopt_all(struct sentry *s)
{
	struct dirent *de;
	DIR *d;

	if (s->mode != REDIRECT_MODE_MODULE || !s->cfg.state_dir)
		return;
	d = opendir(s->cfg.state_dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || strchr(de->d_name, '.'))
			continue;
		adopt_one(s, de->d_name);
	}
	closedir(d);
}

/*
 * The module's netlink control plane for the reconcile loop and the metrics:
 * a failure (no family, a module of another release speaking another family
 * version) is logged once until it works again, not every 2 s.
 */
int sentry_ctl_open(struct redirect_ctl **ctlp)
{
	static _Atomic bool failing;
	struct redirect_error *e = NULL;

	if (redirect_ctl_open(ctlp, &e) < 0) {
		if (!atomic_exchange(&failing, true))
			sentry_log("module control plane (generic netlink): %s; sandboxes whose tasks "
				   "exited are not ended and the metrics lack the module's counters",
				   e ? e->msg : "failed");
		redirect_error_free(e);
		return -1;
	}
	if (atomic_exchange(&failing, false))
		sentry_log("module control plane (generic netlink): available again");
	return 0;
}

void sentry_reconcile(struct sentry *s)
{
	struct redirect_ctl *ctl = NULL;
	struct redirect_sandbox_list *list = NULL;
	struct sentry_sandbox *sb, *next;
	size_t n = 0, i;

	if (s->mode != REDIRECT_MODE_MODULE)
		return;
	/* adoptions refused with EBUSY (the old owner not quite gone) go again */
	sentry_adopt_all(s);
	if (sentry_ctl_open(&ctl) < 0)
		return;
	if (redirect_ctl_sandboxes(ctl, &list, NULL) == 0) {
		n = redirect_sandbox_list_count(list);
		for (sb = s->sandboxes; sb; sb = next) {
			next = sb->next;
			if (sb->listener >= 0)
				continue;	/* its hang-up tells */
			for (i = 0; i < n; i++)
				if (redirect_sandbox_info_id(redirect_sandbox_list_get(list, i)) ==
				    sb->sandbox_id)
					break;
			if (i == n)
				sentry_sandbox_end(s, sb, "all tasks exited");
		}
	}
	redirect_sandbox_list_free(list);
	redirect_ctl_close(ctl);
}

