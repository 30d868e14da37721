// SPDX-License-Identifier: GPL-2.0
/* Sandboxes and their references: policies, confs, the list; reload on SIGHUP. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry.h"

/* ---- sandboxes -------------------------------------------------------------------------- */

/* A session name from a container id: up to 31 of [A-Za-z0-9._:-]. */
static void session_name(const char *id, char *name)
{
	size_t i, n = 0;

	for (i = 0; id[i] && n < REDIRECT_NAME_MAX - 1; i++) {
		char ch = id[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == ':' || ch == '-')
			name[n++] = ch;
	}
	if (!n)
		n = (size_t)sprintf(name, "sandbox");
	name[n] = '\0';
}

/* Compile the policy's tier-1 rules and give them to the session; *rsp: our copy. */
static int set_rules(struct sentry *s, struct sentry_sandbox *sb,
		     const struct redirect_policy *policy, struct redirect_ruleset **rsp,
		     struct redirect_error **err)
{
	struct redirect_ruleset *rs = NULL;
	int ret;

	*rsp = NULL;
	if (!policy)
		return 0;
	ret = redirect_ruleset_compile(policy, &rs, err);
	if (ret < 0)
		return ret;
	ret = redirect_session_set_rules(s->session, sb->sandbox_id, rs, err);
	if (ret < 0) {
		redirect_ruleset_free(rs);
		return ret;
	}
	*rsp = rs;
	return 0;
}

/* ---- references: policies, confs, sandboxes ------------------------------------------- */

struct sentry_policy *sentry_policy_hold(struct sentry *s, struct redirect_policy *policy,
					 bool owned)
{
	struct sentry_policy *pol;

	if (!policy)
		return NULL;
	if (!owned && s->default_pol && policy == s->default_pol->policy) {
		atomic_fetch_add(&s->default_pol->ref, 1);
		return s->default_pol;
	}
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		return NULL;	/* the policy stays the caller's */
	atomic_init(&pol->ref, 1);
	pol->policy = policy;
	return pol;
}

void sentry_policy_put(struct sentry_policy *pol)
{
	if (!pol || atomic_fetch_sub(&pol->ref, 1) != 1)
		return;
	redirect_policy_free(pol->policy);
	free(pol);
}

/* Takes over pol's reference and rs. */
struct sentry_conf *sentry_conf_new(struct sentry_policy *pol, struct redirect_ruleset *rs)
{
	struct sentry_conf *conf = calloc(1, sizeof(*conf));

	if (!conf) {
		sentry_policy_put(pol);
		redirect_ruleset_free(rs);
		return NULL;
	}
	atomic_init(&conf->ref, 1);
	conf->pol = pol;
	conf->rules = rs;
	return conf;
}

struct sentry_conf *sentry_conf_get(struct sentry_conf *conf)
{
	if (conf)
		atomic_fetch_add(&conf->ref, 1);
	return conf;
}

struct sentry_policy *sentry_policy_get(struct sentry_policy *pol)
{
	if (pol)
		atomic_fetch_add(&pol->ref, 1);
	return pol;
}

static void free_kept(char **kept, size_t n)
{
	while (n)
		free(kept[--n]);
	free(kept);
}

void sentry_conf_put(struct sentry_conf *conf)
{
	if (!conf || atomic_fetch_sub(&conf->ref, 1) != 1)
		return;
	sentry_policy_put(conf->pol);
	sentry_policy_put(conf->filter_pol);
	redirect_ruleset_free(conf->rules);
	free_kept(conf->kept, conf->n_kept);
	free(conf->kept_text);
	free(conf);
}

const struct redirect_policy *sentry_conf_policy_for(const struct sentry_sandbox *sb,
						     const char *name)
{
	const struct sentry_conf *conf = sb->conf;
	size_t i;

	if (conf && conf->n_kept && name)
		for (i = 0; i < conf->n_kept; i++)
			if (!strcmp(conf->kept[i], name))
				return conf->filter_pol->policy;
	return sb->policy;
}

/* The main thread only: workers see the conf their call was queued with. */
void sentry_sandbox_set_conf(struct sentry_sandbox *sb, struct sentry_conf *conf)
{
	struct sentry_conf *old = sb->conf;

	sb->conf = conf;
	sb->policy = conf && conf->pol ? conf->pol->policy : NULL;
	sb->rules = conf ? conf->rules : NULL;
	sentry_conf_put(old);
}

struct sentry_sandbox *sentry_sandbox_get(struct sentry_sandbox *sb)
{
	atomic_fetch_add(&sb->ref, 1);
	return sb;
}

static void sandbox_free(struct sentry_sandbox *sb)
{
	if (sb->listener >= 0)
		close(sb->listener);
	sentry_sandbox_set_conf(sb, NULL);
	sentry_metrics_retire(sb);
	sentry_root_forget(sb);
	free(sb->policy_name);
	free(sb->id);
	free(sb);
}

void sentry_sandbox_put(struct sentry_sandbox *sb)
{
	if (sb && atomic_fetch_sub(&sb->ref, 1) == 1)
		sandbox_free(sb);
}

struct sentry_sandbox *sentry_sandbox_alloc(const char *id, const char *policy_name)
{
	struct sentry_sandbox *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	sb->listener = -1;
	atomic_init(&sb->ref, 1);
	sb->id = strdup(id);
	sb->policy_name = strdup(policy_name ? policy_name : "");
	if (!sb->id || !sb->policy_name) {
		free(sb->id);
		free(sb->policy_name);
		free(sb);
		return NULL;
	}
	return sb;
}

int sentry_sandbox_start(struct sentry *s, const char *id, const char *policy_name, pid_t pid,
			 int listener, const char *custody_key, struct redirect_policy *policy,
			 bool owns_policy, struct sentry_sandbox **sbp, struct redirect_error **err)
{
	struct sentry_conf *conf = NULL;
	struct redirect_ruleset *rs = NULL;
	char name[REDIRECT_NAME_MAX];
	struct sentry_sandbox *sb;
	struct sentry_policy *pol;
	int pidfd, ret;

	/* allocated first: nothing can fail once the session holds the listener */
	pol = sentry_policy_hold(s, policy, owns_policy);
	if (pol || !policy)
		conf = sentry_conf_new(pol, NULL);
	sb = conf ? sentry_sandbox_alloc(id, policy_name) : NULL;
	if (!sb) {
		close(listener);
		ret = redirect_error_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	sb->s = s;
	sb->pid = pid;
	sb->listener = listener;
	session_name(sb->id, name);
	pidfd = (int)syscall(SYS_pidfd_open, sb->pid, 0);
	ret = redirect_session_attach(s->session, sb->listener, pidfd, name, REDIRECT_FAIL_HOLD, 0,
				      &sb->sandbox_id, err);
	if (pidfd >= 0)
		close(pidfd);
	if (ret < 0) {
		sandbox_free(sb);
		goto fail;
	}
	ret = set_rules(s, sb, policy, &rs, err);
	if (ret < 0) {
		/* the session holds the listener: answer everything forwarded */
		sentry_log("sandbox=%s: tier-1 rules not set: %s", sb->id,
			   err && *err ? (*err)->msg : strerror(-ret));
		if (err) {
			redirect_error_free(*err);
			*err = NULL;
		}
	}
	if (s->mode == REDIRECT_MODE_PORTABLE)
		redirect_notif_set_sync_wakeup(sb->listener, NULL);
	conf->rules = rs;
	sentry_sandbox_set_conf(sb, conf);
	sentry_sandbox_link(s, sb);
	/* portable mode: a copy of the listener outlives us (adopted: it does already) */
	if (custody_key)
		snprintf(sb->custody_key, sizeof(sb->custody_key), "%s", custody_key);
	else if (s->custody != SENTRY_CUSTODY_NONE && s->mode == REDIRECT_MODE_PORTABLE)
		sentry_custody_key_new(sb->custody_key);
	sentry_state_write(s, sb);
	if (!custody_key)
		sentry_custody_hold(s, sb);
	if (sbp)
		*sbp = sb;
	return 0;
fail:
	/* the policy stays the caller's: our holder lets go of it unfreed */
	if (owns_policy && pol)
		pol->policy = NULL;
	if (conf)
		sentry_conf_put(conf);
	else
		sentry_policy_put(pol);
	return ret;
}

int sentry_sandbox_new(struct sentry *s, struct redirect_agent_msg *msg,
		       struct redirect_policy *policy, bool owns_policy,
		       struct redirect_error **err)
{
	return sentry_sandbox_start(s, redirect_agent_msg_id(msg),
				    redirect_agent_msg_metadata(msg), redirect_agent_msg_pid(msg),
				    redirect_agent_msg_take_listener(msg), NULL, policy, owns_policy,
				    NULL, err);
}

static struct sentry_sandbox **bucket(struct sentry *s, uint32_t id)
{
	return &s->by_id[id & (SENTRY_SANDBOX_BUCKETS - 1)];
}

void sentry_sandbox_link(struct sentry *s, struct sentry_sandbox *sb)
{
	struct sentry_sandbox **b = bucket(s, sb->sandbox_id);

	sb->next = s->sandboxes;
	s->sandboxes = sb;
	sb->id_next = *b;
	*b = sb;
}

static void unlink_sandbox(struct sentry *s, struct sentry_sandbox *sb)
{
	struct sentry_sandbox **pp;

	for (pp = &s->sandboxes; *pp; pp = &(*pp)->next) {
		if (*pp == sb) {
			*pp = sb->next;
			break;
		}
	}
	for (pp = bucket(s, sb->sandbox_id); *pp; pp = &(*pp)->id_next) {
		if (*pp == sb) {
			*pp = sb->id_next;
			break;
		}
	}
}

void sentry_sandbox_end(struct sentry *s, struct sentry_sandbox *sb, const char *why)
{
	unlink_sandbox(s, sb);
	sentry_log("sandbox=%s ended: %s (calls=%lu)", sb->id, why, sb->calls);
	sentry_state_remove(s, sb);
	sentry_custody_release(s, sb);
	/* a worker blocked on one of its calls waits for nobody now */
	atomic_store(&sb->ended, true);
	sentry_root_forget(sb);
	sentry_pool_kick(sb);
	sentry_sandbox_put(sb);
}

void sentry_sandbox_event(struct sentry *s, struct sentry_sandbox *sb, short revents)
{
	if (revents & POLLNVAL)
		sentry_sandbox_end(s, sb, "listener invalid");
	else if (revents & POLLERR)
		sentry_sandbox_end(s, sb, "listener error");
	else if (revents & POLLHUP)
		sentry_sandbox_end(s, sb, "all tasks exited");
}

struct sentry_sandbox *sentry_sandbox_find(struct sentry *s, uint32_t id)
{
	struct sentry_sandbox *sb;

	for (sb = *bucket(s, id); sb; sb = sb->id_next)
		if (sb->sandbox_id == id)
			return sb;
	return NULL;
}

/* ---- reload ------------------------------------------------------------------------------ */

static bool notifies(const struct redirect_policy *p, const char *name)
{
	size_t i, n = redirect_policy_notify_count(p);

	for (i = 0; i < n; i++)
		if (!strcmp(redirect_policy_notify_name(p, i), name))
			return true;
	return false;
}

/*
 * The calls filter_pol's filter notifies that fresh does not: the sandbox
 * keeps filter_pol's handlers for them (fresh would answer them by its
 * default, e.g. every open ENOSYS once a "files" section is gone).  Calls
 * fresh notifies and the filter does not never arrive.  0 or -ENOMEM.
 */
static int kept_calls(struct sentry_conf *conf, const struct redirect_policy *fresh)
{
	const struct redirect_policy *fp = conf->filter_pol->policy;
	size_t i, n = redirect_policy_notify_count(fp), len = 0;
	char *text;

	conf->kept = calloc(n ? n : 1, sizeof(*conf->kept));
	if (!conf->kept)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *name = redirect_policy_notify_name(fp, i);

		if (notifies(fresh, name))
			continue;
		conf->kept[conf->n_kept] = strdup(name);
		if (!conf->kept[conf->n_kept])
			return -ENOMEM;
		len += strlen(name) + 1;
		conf->n_kept++;
	}
	if (!conf->n_kept)
		return 0;
	len += strlen(redirect_policy_name(fp)) + 16;
	text = malloc(len);
	if (!text)
		return -ENOMEM;
	conf->kept_text = text;
	for (i = 0; i < conf->n_kept; i++)
		text += sprintf(text, "%s%s", i ? " " : "", conf->kept[i]);
	sprintf(text, " (policy %s)", redirect_policy_name(fp));
	return 0;
}

void sentry_reload(struct sentry *s, struct sentry_reload_result *r)
{
	struct sentry_policy *old_default = NULL;
	struct redirect_policy *fresh = NULL;
	struct redirect_error *e = NULL;
	struct sentry_sandbox *sb;

	memset(r, 0, sizeof(*r));
	s->reloads++;
	if (s->cfg.policy_file) {
		struct sentry_policy *pol = NULL;

		if (redirect_policy_load_file(s->cfg.policy_file, &fresh, &e) < 0 ||
		    !(pol = sentry_policy_hold(s, fresh, true))) {
			snprintf(r->default_error, sizeof(r->default_error), "%s",
				 e ? e->msg : "out of memory");
			sentry_log("reload: default policy kept: %s", r->default_error);
			redirect_error_free(e);
			e = NULL;
			redirect_policy_free(fresh);
		} else {
			/* sandboxes and calls in workers on the old one keep it alive */
			old_default = s->default_pol;
			s->default_pol = pol;
			s->default_policy = fresh;
		}
	}
	for (sb = s->sandboxes; sb; sb = sb->next) {
		struct redirect_ruleset *rs = NULL;
		struct redirect_policy *p = NULL;
		struct sentry_policy *pol, *fpol;
		struct sentry_conf *conf;
		bool owned = false;

		r->sandboxes++;
		if (sentry_find_policy(s, sb->policy_name, &p, &owned, &e) < 0 ||
		    set_rules(s, sb, p, &rs, &e) < 0) {
			sentry_log("reload: sandbox=%s keeps its policy: %s", sb->id,
				   e ? e->msg : "failed");
			redirect_error_free(e);
			e = NULL;
			if (owned)
				redirect_policy_free(p);
			r->kept++;
			r->keeping_handlers += sb->conf && sb->conf->kept_text;
			continue;
		}
		pol = sentry_policy_hold(s, p, owned);
		if (!pol) {
			redirect_ruleset_free(rs);
			if (owned)
				redirect_policy_free(p);
			conf = NULL;
		} else {
			conf = sentry_conf_new(pol, rs);	/* frees both when it fails */
		}
		/* the filter's policy: the one it was attached with, whatever reloads came since */
		fpol = NULL;
		if (sb->conf)
			fpol = sb->conf->filter_pol ? sb->conf->filter_pol : sb->conf->pol;
		if (conf && fpol) {
			conf->filter_pol = sentry_policy_get(fpol);
			if (kept_calls(conf, p) < 0) {
				sentry_conf_put(conf);
				conf = NULL;
			}
		}
		if (!conf) {
			/* the module has the new rules already; ours follow at the next reload */
			sentry_log("reload: sandbox=%s keeps its policy: out of memory", sb->id);
			r->kept++;
			continue;
		}
		sentry_sandbox_set_conf(sb, conf);
		r->replaced++;
		if (conf->kept_text) {
			r->keeping_handlers++;
			sentry_log("reload: sandbox=%s policy=%s rules replaced; its filter notifies "
				   "calls the new policy does not, decided as before: %s", sb->id,
				   redirect_policy_name(p), conf->kept_text);
		} else {
			sentry_log("reload: sandbox=%s policy=%s rules replaced", sb->id,
				   redirect_policy_name(p));
		}
	}
	sentry_policy_put(old_default);
	sentry_log("reload done: %u sandboxes, %u replaced, %u kept their policy, %u keep "
		   "handlers for calls their filter notifies", r->sandboxes, r->replaced, r->kept,
		   r->keeping_handlers);
}
