// SPDX-License-Identifier: GPL-2.0
/* Per-sandbox state and the portable-mode notification path: RECV, dispatch, SEND. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentry.h"

static const struct {
	const char *name;
	sentry_handler_fn fn;
	bool (*enabled)(const struct redirect_policy *policy);
} handlers[] = {
	{ "uname", sentry_handle_uname, redirect_policy_has_uname },
};

int sentry_sandbox_new(struct sentry *s, struct redirect_agent_msg *msg,
		       struct redirect_policy *policy, bool owns_policy,
		       struct redirect_error **err)
{
	struct sentry_sandbox *sb;
	struct redirect_error *e = NULL;
	int ret;

	sb = calloc(1, sizeof(*sb));
	if (!sb)
		return redirect_error_set(err, ENOMEM, "out of memory");
	sb->id = strdup(redirect_agent_msg_id(msg));
	if (!sb->id) {
		free(sb);
		return redirect_error_set(err, ENOMEM, "out of memory");
	}
	sb->pid = redirect_agent_msg_pid(msg);
	sb->listener = redirect_agent_msg_take_listener(msg);
	sb->policy = policy;
	sb->owns_policy = owns_policy;

	ret = redirect_notif_set_sync_wakeup(sb->listener, &e);
	if (!s->sync_wakeup_logged) {
		if (ret < 0)
			sentry_log("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP not used: %s", e->msg);
		else
			sentry_log("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP enabled");
		s->sync_wakeup_logged = true;
	}
	redirect_error_free(e);

	sb->next = s->sandboxes;
	s->sandboxes = sb;
	return 0;
}

void sentry_sandbox_free(struct sentry_sandbox *sb)
{
	if (!sb)
		return;
	if (sb->listener >= 0)
		close(sb->listener);
	if (sb->owns_policy)
		redirect_policy_free(sb->policy);
	free(sb->id);
	free(sb);
}

void sentry_sandbox_end(struct sentry *s, struct sentry_sandbox *sb, const char *why)
{
	struct sentry_sandbox **pp;

	for (pp = &s->sandboxes; *pp; pp = &(*pp)->next) {
		if (*pp == sb) {
			*pp = sb->next;
			break;
		}
	}
	sentry_log("sandbox=%s ended: %s (calls=%lu)", sb->id, why, sb->calls);
	sentry_sandbox_free(sb);
}

static sentry_handler_fn find_handler(const struct redirect_policy *policy, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(handlers); i++)
		if (!strcmp(handlers[i].name, name) && handlers[i].enabled(policy))
			return handlers[i].fn;
	return NULL;
}

int sentry_dispatch(struct sentry_sandbox *sb, struct redirect_notif_buf *buf)
{
	const struct seccomp_notif *req = redirect_notif_req(buf);
	struct sentry_reply reply = { 0 };
	struct redirect_verdict def;
	sentry_handler_fn fn;
	char namebuf[64];
	const char *name;
	int ret;

	sb->calls++;
	name = redirect_syscall_name(req->data.arch, req->data.nr, namebuf, sizeof(namebuf));
	fn = name ? find_handler(sb->policy, name) : NULL;
	if (!name) {
		snprintf(namebuf, sizeof(namebuf), "%d", req->data.nr);
		name = namebuf;
	}

	if (fn) {
		ret = fn(sb, req, &reply);
		if (ret == -ENOENT) {
			sentry_log("call sandbox=%s pid=%u syscall=%s verdict=none (target gone)",
				   sb->id, req->pid, name);
			return -ENOENT;
		}
		if (ret < 0) {
			reply = (struct sentry_reply){ .error = -ENOSYS,
						       .verdict = "errno:ENOSYS" };
			sentry_log("sandbox=%s pid=%u syscall=%s: handler failed: %s", sb->id,
				   req->pid, name, strerror(-ret));
		}
	} else {
		redirect_policy_default_verdict(sb->policy, &def);
		if (def.kind == REDIRECT_VERDICT_CONTINUE) {
			reply.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		} else {
			reply.error = -def.errnum;
		}
		reply.verdict = redirect_verdict_format(&def, reply.verdict_buf,
							sizeof(reply.verdict_buf));
	}

	ret = redirect_notif_send(sb->listener, buf, req->id, reply.val, reply.error, reply.flags,
				  NULL);
	if (ret == -ENOENT) {
		sentry_log("call sandbox=%s pid=%u syscall=%s verdict=%s (target gone)", sb->id,
			   req->pid, name, reply.verdict);
		return -ENOENT;
	}
	if (ret < 0) {
		sentry_log("sandbox=%s pid=%u syscall=%s: SECCOMP_IOCTL_NOTIF_SEND: %s", sb->id,
			   req->pid, name, strerror(-ret));
		return ret;
	}
	if (reply.error) {
		const char *ename = strerrorname_np(-reply.error);

		sentry_log("call sandbox=%s pid=%u syscall=%s verdict=%s errno=%s", sb->id,
			   req->pid, name, reply.verdict, ename ? ename : "?");
	} else {
		sentry_log("call sandbox=%s pid=%u syscall=%s verdict=%s ret=%lld", sb->id,
			   req->pid, name, reply.verdict, (long long)reply.val);
	}
	return 0;
}

void sentry_sandbox_event(struct sentry *s, struct sentry_sandbox *sb, short revents)
{
	int ret;

	if (revents & POLLIN) {
		ret = redirect_notif_recv(sb->listener, s->notif, NULL);
		if (ret == 0) {
			sentry_dispatch(sb, s->notif);
		} else if (ret != -ENOENT && ret != -EINTR) {
			sentry_log("sandbox=%s: SECCOMP_IOCTL_NOTIF_RECV: %s", sb->id,
				   strerror(-ret));
			sentry_sandbox_end(s, sb, "listener failed");
			return;
		}
		/* -ENOENT: the target died before we took the call; normal */
	}
	if (revents & POLLNVAL)
		sentry_sandbox_end(s, sb, "listener invalid");
	else if (revents & POLLERR)
		sentry_sandbox_end(s, sb, "listener error");
	else if ((revents & POLLHUP) && !(revents & POLLIN))
		sentry_sandbox_end(s, sb, "all tasks exited");
}
