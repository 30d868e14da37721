// SPDX-License-Identifier: GPL-2.0
/* usersentry's control socket: the request line's parser and the client. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "internal.h"

/* An answer is one line; a daemon with thousands of sandboxes stays far below this. */
#define CONTROL_ANSWER_MAX (4u << 20)

static const char *const op_names[] = {
	[REDIRECT_CONTROL_STATUS] = "status",
	[REDIRECT_CONTROL_SANDBOXES] = "sandboxes",
	[REDIRECT_CONTROL_RELOAD] = "reload",
	[REDIRECT_CONTROL_POLICY] = "policy",
};

const char *redirect_control_op_name(enum redirect_control_op op)
{
	return (unsigned int)op < ARRAY_SIZE(op_names) ? op_names[op] : NULL;
}

int redirect_control_path(const char *agent_socket, char *buf, size_t size,
			  struct redirect_error **err)
{
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);
	int n;

	if (!strcmp(agent_socket, REDIRECT_AGENT_SOCKET))
		n = snprintf(buf, size, "%s", REDIRECT_CONTROL_SOCKET);
	else
		n = snprintf(buf, size, "%s.control", agent_socket);
	if (n < 0 || (size_t)n >= size || (size_t)n >= max)
		return redirect_make_error(err, ENAMETOOLONG, "control socket path for %s too "
					   "long", agent_socket);
	return 0;
}

int redirect_control_parse(const char *line, size_t len, enum redirect_control_op *op,
			   char *name, size_t name_size, struct redirect_error **err)
{
	struct json_object *root = NULL, *v;
	const char *s;
	size_t i;
	int ret;

	if (name_size)
		name[0] = '\0';
	ret = redirect_json_parse(line, len, REDIRECT_CONTROL_LINE_MAX, "control request",
				  &root, err);
	if (ret < 0)
		return ret;
	if (!json_object_is_type(root, json_type_object)) {
		ret = redirect_make_error(err, EINVAL, "control request: not a JSON object");
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		(void)val;
		if (strcmp(key, "op") && strcmp(key, "name")) {
			ret = redirect_make_error(err, EINVAL,
						  "control request: unknown key \"%.64s\"", key);
			goto out;
		}
	}
	if (!json_object_object_get_ex(root, "op", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		ret = redirect_make_error(err, EINVAL, "control request: \"op\" must be a string");
		goto out;
	}
	s = json_object_get_string(v);
	for (i = 0; i < ARRAY_SIZE(op_names); i++)
		if (!strcmp(s, op_names[i]))
			break;
	if (i == ARRAY_SIZE(op_names)) {
		ret = redirect_make_error(err, EINVAL, "control request: unknown op \"%.64s\" "
					  "(status, sandboxes, reload, policy)", s);
		goto out;
	}
	*op = (enum redirect_control_op)i;
	if (!json_object_object_get_ex(root, "name", &v)) {
		if (*op == REDIRECT_CONTROL_POLICY) {
			ret = redirect_make_error(err, EINVAL, "control request: \"policy\" needs "
						  "\"name\"");
			goto out;
		}
	} else {
		if (*op != REDIRECT_CONTROL_POLICY) {
			ret = redirect_make_error(err, EINVAL, "control request: \"%s\" takes no "
						  "\"name\"", s);
			goto out;
		}
		if (!json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) >= name_size ||
		    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
			ret = redirect_make_error(err, EINVAL, "control request: \"name\" must be "
						  "a string of at most %zu bytes without NUL",
						  name_size ? name_size - 1 : 0);
			goto out;
		}
		memcpy(name, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
	}
	ret = 0;
out:
	json_object_put(root);
	return ret;
}

static int remaining_ms(const struct timespec *end)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* One poll for fd within the deadline: 0 ready, -ETIMEDOUT, -errno. */
static int wait_fd(int fd, short events, const struct timespec *end)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, remaining_ms(end));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

/* One request, its answer line (malloc()ed, no newline). */
static int control_exchange(const char *path, enum redirect_control_op op, const char *name,
			    int timeout_ms, char **answerp, struct redirect_error **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct json_object *req = NULL;
	cleanup_free char *buf = NULL;
	cleanup_close int fd = -1;
	struct timespec end;
	size_t len = 0, cap = 4096, sent = 0, rlen;
	const char *line;
	int ret;

	*answerp = NULL;
	if (!redirect_control_op_name(op) || (op == REDIRECT_CONTROL_POLICY) != !!name)
		return redirect_make_error(err, EINVAL, "control request: bad arguments");
	if (strlen(path) >= sizeof(sun.sun_path))
		return redirect_make_error(err, ENAMETOOLONG, "control socket path too long: %s",
					   path);
	strcpy(sun.sun_path, path);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}

	req = json_object_new_object();
	if (!req || json_object_object_add(req, "op", json_object_new_string(op_names[op])) ||
	    (name && json_object_object_add(req, "name", json_object_new_string(name)))) {
		json_object_put(req);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	line = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	rlen = line ? strlen(line) : 0;
	buf = line && rlen < REDIRECT_CONTROL_LINE_MAX ? malloc(cap > rlen + 2 ? cap : rlen + 2)
						       : NULL;
	if (!buf) {
		json_object_put(req);
		return redirect_make_error(err, line ? E2BIG : ENOMEM, "control request: %s",
					   line ? "too long" : "out of memory");
	}
	memcpy(buf, line, rlen);
	buf[rlen++] = '\n';
	json_object_put(req);

	/* non-blocking throughout: a daemon that does not answer costs timeout_ms at most */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return redirect_make_error_errno(err, errno, "socket");
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return redirect_make_error_errno(err, errno, "control socket %s", path);
		/* the backlog is full: try again while time is left */
		if (!remaining_ms(&end))
			return redirect_make_error(err, ETIMEDOUT, "control socket %s: no room "
						   "within %d ms", path, timeout_ms);
		usleep(10000);
	}
	while (sent < rlen) {
		ssize_t n = send(fd, buf + sent, rlen - sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			ret = wait_fd(fd, POLLOUT, &end);
			if (ret < 0)
				return redirect_make_error(err, -ret, "control socket %s: %s", path,
							   strerror(-ret));
			continue;
		}
		if (n < 0 && errno != EINTR)
			return redirect_make_error_errno(err, errno, "control socket %s", path);
		if (n > 0)
			sent += (size_t)n;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= CONTROL_ANSWER_MAX)
				return redirect_make_error(err, EMSGSIZE, "control socket %s: answer "
							   "over %u bytes", path,
							   CONTROL_ANSWER_MAX);
			nb = realloc(buf, cap * 2);
			if (!nb)
				return redirect_make_error(err, ENOMEM, "out of memory");
			buf = nb;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EAGAIN) {
			ret = wait_fd(fd, POLLIN, &end);
			if (ret < 0)
				return redirect_make_error(err, -ret, "control socket %s: %s%s", path,
							   strerror(-ret), ret == -ETIMEDOUT ?
							   " (no answer)" : "");
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return redirect_make_error_errno(err, errno, "control socket %s", path);
		if (n == 0)
			break;
		len += (size_t)n;
		if (memchr(buf + len - (size_t)n, '\n', (size_t)n))
			break;
	}
	buf[len] = '\0';
	if (!len || buf[len - 1] != '\n' || strchr(buf, '\n') != buf + len - 1)
		return redirect_make_error(err, EPROTO, "control socket %s: %s", path, len ?
					   "not one answer line" : "closed without an answer");
	buf[len - 1] = '\0';
	*answerp = steal_pointer(&buf);
	return 0;
}

int redirect_control_call(const char *path, enum redirect_control_op op, const char *name,
			  int timeout_ms, struct json_object **answerp, struct redirect_error **err)
{
	struct json_object *root = NULL, *v;
	cleanup_free char *line = NULL;
	int ret;

	*answerp = NULL;
	ret = control_exchange(path, op, name, timeout_ms, &line, err);
	if (ret < 0)
		return ret;
	ret = redirect_json_parse(line, strlen(line), CONTROL_ANSWER_MAX, path, &root, err);
	if (ret == -EINVAL && err && *err) {
		/* the daemon broke the protocol: not the caller's invalid argument */
		(*err)->errnum = EPROTO;
		return redirect_error_prefix(err, -EPROTO, "control socket");
	}
	if (ret < 0)
		return ret;
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return redirect_make_error(err, EPROTO,
					   "control socket %s: the answer is not a "
					   "JSON object",
					   path);
	}
	if (!json_object_object_get_ex(root, "ok", &v) || !json_object_get_boolean(v)) {
		ret = redirect_make_error(err, EPROTO, "control socket %s: %s", path,
					  json_object_object_get_ex(root, "error", &v) ?
					  json_object_get_string(v) : "request failed");
		json_object_put(root);
		return ret;
	}
	*answerp = root;
	return 0;
}

int redirect_control_policy_known(const char *path, const char *name, int timeout_ms,
				  struct redirect_error **err)
{
	struct json_object *root = NULL, *v;
	int ret;

	ret = redirect_control_call(path, REDIRECT_CONTROL_POLICY, name, timeout_ms, &root, err);
	if (ret < 0)
		return ret;
	if (!json_object_object_get_ex(root, "known", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		ret = redirect_make_error(err, EPROTO, "control socket %s: answer without "
					  "\"known\"", path);
	} else if (json_object_get_boolean(v)) {
		ret = 1;
	} else {
		struct json_object *why = NULL;

		json_object_object_get_ex(root, "reason", &why);
		redirect_make_error(err, ENOENT, "%s", why ? json_object_get_string(why)
							    : "the daemon does not know it");
		ret = 0;
	}
	json_object_put(root);
	return ret;
}
