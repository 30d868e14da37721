// SPDX-License-Identifier: GPL-2.0
/* The agent socket: accept runtimes' connections, read their message, attach sandboxes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "sentry.h"

static int fill_addr(struct sockaddr_un *sun, const char *path, struct redirect_error **err)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return redirect_error_set(err, ENAMETOOLONG, "socket path too long: %s", path);
	strcpy(sun->sun_path, path);
	return 0;
}

/*
 * Refuse to start over a live daemon (EADDRINUSE) or a file that is not a
 * socket; a stale socket is fine.
 */
int sentry_check_existing(const char *path, struct redirect_error **err)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : redirect_error_set(err, errno, "%s: %s", path,
								   strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return redirect_error_set(err, EEXIST, "%s exists and is not a socket", path);
	ret = fill_addr(&sun, path, err);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return redirect_error_set(err, errno, "socket: %s", strerror(errno));
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (ret == 0)
		return redirect_error_set(err, EADDRINUSE, "another agent is listening on %s",
					  path);
	return 0;	/* stale: replaced below */
}

/* Create the socket's directory (one level, e.g. /run/redirect) when missing. */
static int make_parent(const char *path, struct redirect_error **err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return redirect_error_set(err, ENAMETOOLONG, "socket path too long: %s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return redirect_error_set(err, errno, "cannot create %s: %s", dir, strerror(errno));
	return 0;
}

/* A listening socket at path, mode 0600, non-blocking; replaces a stale one only. */
int sentry_listen(const char *path, int *fdp, ino_t *inop, struct redirect_error **err)
{
	struct sockaddr_un sun;
	char tmp[sizeof(sun.sun_path)];
	struct stat st;
	mode_t old_umask;
	int fd, ret;

	ret = sentry_check_existing(path, err);
	if (ret < 0)
		return ret;
	ret = make_parent(path, err);
	if (ret < 0)
		return ret;
	/* bind under a temporary name and rename: the path appears only when ready */
	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return redirect_error_set(err, ENAMETOOLONG, "socket path too long: %s", path);
	ret = fill_addr(&sun, tmp, err);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return redirect_error_set(err, errno, "socket: %s", strerror(errno));
	unlink(tmp);
	old_umask = umask(0177);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (ret < 0) {
		ret = redirect_error_set(err, errno, "bind %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (chmod(tmp, 0600) < 0 || listen(fd, 64) < 0 || stat(tmp, &st) < 0) {
		ret = redirect_error_set(err, errno, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		ret = redirect_error_set(err, errno, "rename %s to %s: %s", tmp, path,
					 strerror(errno));
		unlink(tmp);
		goto fail;
	}
	*fdp = fd;
	*inop = st.st_ino;
	return 0;
fail:
	close(fd);
	return ret;
}

void sentry_unlisten(const char *path, int *fdp, ino_t ino)
{
	struct stat st;

	if (*fdp < 0)
		return;
	/* remove the path only while it is still ours */
	if (stat(path, &st) == 0 && st.st_ino == ino)
		unlink(path);
	close(*fdp);
	*fdp = -1;
}

int sentry_server_open(struct sentry *s, struct redirect_error **err)
{
	return sentry_listen(s->cfg.socket_path, &s->listen_fd, &s->socket_ino, err);
}

void sentry_server_close(struct sentry *s)
{
	sentry_unlisten(s->cfg.socket_path, &s->listen_fd, s->socket_ino);
	while (s->conns) {
		struct sentry_conn *c = s->conns;

		s->conns = c->next;
		redirect_agent_reader_free(c->reader);
		close(c->fd);
		free(c);
	}
	s->n_conns = 0;
}

static void conn_close(struct sentry *s, struct sentry_conn *c)
{
	struct sentry_conn **pp;

	for (pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->n_conns--;
	redirect_agent_reader_free(c->reader);
	close(c->fd);
	free(c);
}

void sentry_server_accept(struct sentry *s)
{
	struct redirect_error *e = NULL;
	struct sentry_conn *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	unsigned int ms;
	int fd;

	for (;;) {
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				sentry_log("accept: %s", strerror(errno));
			return;
		}
		if (s->n_conns >= SENTRY_MAX_CONNS) {
			sentry_log("agent connection refused: %u pending already", s->n_conns);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c || redirect_agent_reader_new(fd, &c->reader, &e) < 0) {
			sentry_log("agent connection dropped: %s", e ? e->msg : "out of memory");
			redirect_error_free(e);
			e = NULL;
			free(c);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->peer_pid = -1;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
			c->peer_pid = cred.pid;
			c->peer_uid = cred.uid;
		}
		clock_gettime(CLOCK_MONOTONIC, &c->deadline);
		ms = s->cfg.conn_timeout_ms;
		c->deadline.tv_sec += ms / 1000;
		c->deadline.tv_nsec += (long)(ms % 1000) * 1000000;
		if (c->deadline.tv_nsec >= 1000000000) {
			c->deadline.tv_sec++;
			c->deadline.tv_nsec -= 1000000000;
		}
		c->next = s->conns;
		s->conns = c;
		s->n_conns++;
	}
}

/* The policy a message names (metadata), or the default one. */
int sentry_find_policy(struct sentry *s, const char *name, struct redirect_policy **policyp,
		       bool *owned, struct redirect_error **err)
{
	char path[4096];

	if ((!name || !*name) && s->default_policy) {
		*policyp = s->default_policy;
		*owned = false;
		return 0;
	}
	if (!name || !*name)
		return redirect_error_set(err, ENOENT, "the message names no policy "
					  "(metadata) and there is no default policy");
	if (!redirect_policy_name_valid(name))
		return redirect_error_set(err, EINVAL, "invalid policy name in metadata");
	if (s->cfg.policy_dir) {
		snprintf(path, sizeof(path), "%s/%s.json", s->cfg.policy_dir, name);
		if (access(path, F_OK) == 0) {
			*owned = true;
			return redirect_policy_load_file(path, policyp, err);
		}
	}
	if (s->default_policy && !strcmp(redirect_policy_name(s->default_policy), name)) {
		*policyp = s->default_policy;
		*owned = false;
		return 0;
	}
	return redirect_error_set(err, ENOENT, "unknown policy \"%s\"", name);
}

/*
 * The answer redirect-run's launcher waits for before it lets the command
 * run (REDIRECT_AGENT_REPLY_ANNOTATION); runc's messages get none.
 */
static void reply(struct sentry_conn *c, const struct redirect_agent_msg *msg,
		  const struct redirect_policy *policy, const char *error)
{
	const char *want = redirect_agent_msg_annotation(msg, REDIRECT_AGENT_REPLY_ANNOTATION);
	struct json_object *o;
	const char *line;

	if (!want || strcmp(want, "1"))
		return;
	o = json_object_new_object();
	if (!o)
		return;	/* no answer: the launcher refuses to run the command */
	json_object_object_add(o, "accepted", json_object_new_boolean(!error));
	if (error) {
		json_object_object_add(o, "error", json_object_new_string(error));
	} else {
		json_object_object_add(o, "sandbox",
				       json_object_new_string(redirect_agent_msg_id(msg)));
		json_object_object_add(o, "policy",
				       json_object_new_string(redirect_policy_name(policy)));
	}
	line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	/* a few hundred bytes into an empty socket buffer: never blocks */
	if (line && (send(c->fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ||
		     send(c->fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0))
		sentry_log("agent reply to pid %d: %s", (int)c->peer_pid, strerror(errno));
	json_object_put(o);
}

static void attach(struct sentry *s, struct sentry_conn *c)
{
	struct redirect_agent_msg *msg = NULL;
	struct redirect_policy *policy = NULL;
	struct redirect_error *e = NULL;
	bool owned = false;
	int ret;

	ret = redirect_agent_reader_finish(c->reader, &msg, &e);
	if (ret == 0)
		ret = redirect_listener_check(redirect_agent_msg_listener(msg), &e);
	if (ret == 0)
		ret = sentry_find_policy(s, redirect_agent_msg_metadata(msg), &policy, &owned, &e);
	if (ret == 0)
		ret = sentry_sandbox_new(s, msg, policy, owned, &e);
	if (ret < 0) {
		sentry_log("agent message from pid %d rejected: %s", (int)c->peer_pid, e->msg);
		if (msg)
			reply(c, msg, NULL, e->msg);
		if (owned)
			redirect_policy_free(policy);
	} else {
		reply(c, msg, policy, NULL);
		sentry_log("sandbox=%s attached: pid=%d policy=%s status=%s agent-peer=%d/%u "
			   "id=%u", redirect_agent_msg_id(msg), (int)redirect_agent_msg_pid(msg),
			   redirect_policy_name(policy), redirect_agent_msg_status(msg),
			   (int)c->peer_pid, (unsigned int)c->peer_uid, s->sandboxes->sandbox_id);
	}
	redirect_error_free(e);
	redirect_agent_msg_free(msg);
}

void sentry_conn_event(struct sentry *s, struct sentry_conn *c, short revents)
{
	struct redirect_error *e = NULL;
	int ret;

	ret = redirect_agent_reader_read(c->reader, &e);
	if (ret == 0)
		return;
	if (ret > 0)
		attach(s, c);
	else if (ret == -ENODATA)	/* redirect-runc and redirectctl checking we are up */
		sentry_log("probe from pid %d: connected and closed", (int)c->peer_pid);
	else
		sentry_log("agent message from pid %d rejected: %s", (int)c->peer_pid, e->msg);
	redirect_error_free(e);
	/* one message per connection, as runc sends it; no answer */
	conn_close(s, c);
}

void sentry_conn_expire(struct sentry *s, const struct timespec *now)
{
	struct sentry_conn *c = s->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (now->tv_sec > c->deadline.tv_sec ||
		    (now->tv_sec == c->deadline.tv_sec && now->tv_nsec >= c->deadline.tv_nsec)) {
			int queued = 0;

			/*
			 * Refuse further input, then look: a message that came while
			 * the loop was busy is still served, and one sent after this
			 * fails for its sender (EPIPE) rather than vanishing with its
			 * listener when we close, leaving the sandbox's notified
			 * calls to fail with ENOSYS.
			 */
			shutdown(c->fd, SHUT_RD);
			if (ioctl(c->fd, FIONREAD, &queued) == 0 && queued > 0) {
				sentry_conn_event(s, c, POLLIN);
				continue;
			}
			sentry_log("agent connection from pid %d timed out", (int)c->peer_pid);
			conn_close(s, c);
		}
	}
}
