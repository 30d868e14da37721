// SPDX-License-Identifier: GPL-2.0
/* The control socket: status, sandboxes, reload and policy look-ups for root, never blocking. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "sentry.h"

int sentry_control_open(struct sentry *s, struct redirect_error **err)
{
	return sentry_listen(s->cfg.control_path, &s->control_fd, &s->control_ino, err);
}

static void ctl_free(struct sentry_ctl_conn *c)
{
	close(c->fd);
	free(c->out);
	free(c);
}

void sentry_control_close(struct sentry *s)
{
	sentry_unlisten(s->cfg.control_path, &s->control_fd, s->control_ino);
	while (s->ctl_conns) {
		struct sentry_ctl_conn *c = s->ctl_conns;

		s->ctl_conns = c->next;
		ctl_free(c);
	}
	s->n_ctl_conns = 0;
}

static void ctl_close(struct sentry *s, struct sentry_ctl_conn *c)
{
	struct sentry_ctl_conn **pp;

	for (pp = &s->ctl_conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->n_ctl_conns--;
	ctl_free(c);
}

/* ---- answers ----------------------------------------------------------------------------- */

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static const char *sandbox_policy(const struct sentry_sandbox *sb)
{
	return sb->policy ? redirect_policy_name(sb->policy) : NULL;
}

static void answer_status(struct sentry *s, struct json_object *o)
{
	struct sentry_pool_stats st;
	struct json_object *w = json_object_new_object();
	const struct sentry_sandbox *sb;
	unsigned long n = 0, adopted = 0, kept = 0;

	for (sb = s->sandboxes; sb; sb = sb->next) {
		n++;
		adopted += sb->adopted;
		kept += sb->conf && sb->conf->kept_text;
	}
	add_str(o, "version", redirect_version());
	add_str(o, "mode", s->mode == REDIRECT_MODE_MODULE ? "module" : "portable");
	add_str(o, "socket", s->cfg.socket_path);
	add_str(o, "control", s->cfg.control_path);
	add_str(o, "policy_dir", s->cfg.policy_dir);
	add_str(o, "default_policy",
		s->default_policy ? redirect_policy_name(s->default_policy) : NULL);
	add_int(o, "sandboxes", (int64_t)n);
	add_int(o, "sandboxes_adopted", (int64_t)adopted);
	add_int(o, "sandboxes_keeping_handlers", (int64_t)kept);
	add_int(o, "reloads", (int64_t)s->reloads);
	sentry_pool_stats(&st);
	add_int(w, "max", st.max);
	add_int(w, "running", st.workers);
	add_int(w, "busy", st.busy);
	add_int(w, "queued", st.queued);
	json_object_object_add(o, "workers", w);
}

static struct json_object *sandbox_json(const struct sentry_sandbox *sb)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "id", sb->id);
	add_int(o, "sandbox_id", sb->sandbox_id);
	add_int(o, "pid", sb->pid);
	add_str(o, "policy_name", sb->policy_name);
	add_str(o, "policy", sandbox_policy(sb));
	json_object_object_add(o, "adopted", json_object_new_boolean(sb->adopted));
	add_int(o, "calls", (int64_t)sb->calls);
	add_str(o, "kept_handlers", sb->conf ? sb->conf->kept_text : NULL);
	return o;
}

static void answer_sandboxes(struct sentry *s, struct json_object *o)
{
	struct json_object *a = json_object_new_array();
	const struct sentry_sandbox *sb;

	for (sb = s->sandboxes; sb; sb = sb->next)
		json_object_array_add(a, sandbox_json(sb));
	json_object_object_add(o, "sandboxes", a);
}

static void answer_reload(struct sentry *s, struct json_object *o)
{
	struct sentry_reload_result r;

	sentry_log("control: reloading policies");
	sentry_reload(s, &r);
	add_str(o, "default_policy_error", r.default_error[0] ? r.default_error : NULL);
	add_int(o, "sandboxes", r.sandboxes);
	add_int(o, "replaced", r.replaced);
	add_int(o, "kept", r.kept);
	add_int(o, "keeping_handlers", r.keeping_handlers);
}

static void answer_policy(struct sentry *s, const char *name, struct json_object *o)
{
	struct redirect_policy *policy = NULL;
	struct redirect_error *e = NULL;
	bool owned = false;

	add_str(o, "name", name);
	if (sentry_find_policy(s, name, &policy, &owned, &e) < 0) {
		json_object_object_add(o, "known", json_object_new_boolean(false));
		add_str(o, "reason", e ? e->msg : "cannot be loaded");
		redirect_error_free(e);
		return;
	}
	json_object_object_add(o, "known", json_object_new_boolean(true));
	add_str(o, "policy", redirect_policy_name(policy));
	if (owned)
		redirect_policy_free(policy);
}

/* The answer line for one request (line without its newline); NULL: out of memory. */
static char *answer(struct sentry *s, const char *line, size_t len)
{
	struct json_object *o = json_object_new_object();
	struct redirect_error *e = NULL;
	enum redirect_control_op op;
	char name[256], *text = NULL;
	const char *str;

	if (!o)
		return NULL;
	if (redirect_control_parse(line, len, &op, name, sizeof(name), &e) < 0) {
		json_object_object_add(o, "ok", json_object_new_boolean(false));
		add_str(o, "error", e ? e->msg : "bad request");
		sentry_log("control: request refused: %s", e ? e->msg : "bad request");
		redirect_error_free(e);
	} else {
		json_object_object_add(o, "ok", json_object_new_boolean(true));
		add_str(o, "op", redirect_control_op_name(op));
		add_int(o, "pid", getpid());
		if (op == REDIRECT_CONTROL_STATUS)
			answer_status(s, o);
		else if (op == REDIRECT_CONTROL_SANDBOXES)
			answer_sandboxes(s, o);
		else if (op == REDIRECT_CONTROL_RELOAD)
			answer_reload(s, o);
		else
			answer_policy(s, name, o);
	}
	str = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (str && asprintf(&text, "%s\n", str) < 0)
		text = NULL;
	json_object_put(o);
	return text;
}

/* ---- connections ----------------------------------------------------------------------- */

/* Send what the socket takes now; true when all of it went (or the peer is gone). */
static bool flush(struct sentry_ctl_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (n <= 0)
			return true;
		c->out_off += (size_t)n;
	}
	return true;
}

static void refuse(struct sentry_ctl_conn *c, const char *why)
{
	c->out = NULL;
	if (asprintf(&c->out, "{\"ok\":false,\"error\":\"%s\"}\n", why) < 0)
		c->out = NULL;
	c->out_len = c->out ? strlen(c->out) : 0;
	c->out_off = 0;
}

void sentry_control_accept(struct sentry *s)
{
	struct sentry_ctl_conn *c;
	struct ucred cred;
	socklen_t len;
	unsigned int ms = SENTRY_CONTROL_TIMEOUT_MS;
	int fd;

	for (;;) {
		fd = accept4(s->control_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				sentry_log("control: accept: %s", strerror(errno));
			return;
		}
		if (s->n_ctl_conns >= SENTRY_CONTROL_MAX_CONNS) {
			sentry_log("control: connection refused: %u open already", s->n_ctl_conns);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
			/* the socket's mode keeps others out; this holds if it is changed */
			sentry_log("control: connection from uid %d refused: root only",
				   len == sizeof(cred) ? (int)cred.uid : -1);
			refuse(c, "permission denied: the control socket is for root only");
			flush(c);
			ctl_free(c);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &c->deadline);
		c->deadline.tv_sec += ms / 1000;
		c->deadline.tv_nsec += (long)(ms % 1000) * 1000000;
		if (c->deadline.tv_nsec >= 1000000000) {
			c->deadline.tv_sec++;
			c->deadline.tv_nsec -= 1000000000;
		}
		c->next = s->ctl_conns;
		s->ctl_conns = c;
		s->n_ctl_conns++;
	}
}

short sentry_control_events(const struct sentry_ctl_conn *c)
{
	return c->out ? POLLOUT : POLLIN;
}

void sentry_control_event(struct sentry *s, struct sentry_ctl_conn *c, short revents)
{
	char *nl;
	ssize_t n;

	if (c->out) {
		if (flush(c) || (revents & (POLLERR | POLLHUP)))
			ctl_close(s, c);
		return;
	}
	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		/* closed before a whole line: nothing to answer */
		ctl_close(s, c);
		return;
	}
	c->in_len += (size_t)n;
	nl = memchr(c->in, '\n', c->in_len);
	if (!nl && c->in_len < sizeof(c->in))
		return;
	if (!nl) {
		sentry_log("control: request refused: no newline within %zu bytes", sizeof(c->in));
		refuse(c, "request line too long");
	} else {
		c->out = answer(s, c->in, (size_t)(nl - c->in));
		c->out_len = c->out ? strlen(c->out) : 0;
		c->out_off = 0;
		if (!c->out)
			refuse(c, "out of memory");
	}
	if (!c->out || flush(c))
		ctl_close(s, c);
}

void sentry_control_expire(struct sentry *s, const struct timespec *now)
{
	struct sentry_ctl_conn *c, *next;

	for (c = s->ctl_conns; c; c = next) {
		next = c->next;
		if (now->tv_sec > c->deadline.tv_sec ||
		    (now->tv_sec == c->deadline.tv_sec && now->tv_nsec >= c->deadline.tv_nsec)) {
			sentry_log("control: connection timed out %s", c->out ? "in its answer"
									   : "before a request");
			ctl_close(s, c);
		}
	}
}
