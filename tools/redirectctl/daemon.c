// SPDX-License-Identifier: GPL-2.0
/* redirectctl: usersentry asked on its control and metrics sockets, and the daemon command. */
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "redirectctl.h"

#define METRICS_TIMEOUT_MS 5000
#define CONTROL_TIMEOUT_MS 10000

static const char *control_path(const struct opts *o, char *buf, size_t size,
				struct redirect_error **err)
{
	if (o->control)
		return o->control;
	return redirect_control_path(o->socket, buf, size, err) < 0 ? NULL : buf;
}

/*
 * One request to usersentry's control socket; *answerp: the answer object
 * (its "ok" true).  -ENOENT / -ECONNREFUSED: not running (daemon_absent).
 */
int ask_daemon(const struct opts *o, enum redirect_control_op op, struct json_object **answerp,
	       struct redirect_error **err)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *path;
	int ret;

	*answerp = NULL;
	path = control_path(o, buf, sizeof(buf), err);
	if (!path)
		return -ENAMETOOLONG;
	ret = redirect_control_call(path, op, NULL, CONTROL_TIMEOUT_MS, answerp, err);
	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		redirect_error_free(*err);
		*err = NULL;
		return redirect_error_set(
			err, -ret, "control socket %s: %s%s", path, strerror(-ret),
			ret == -ENOENT ?
				": usersentry is not running" :
				": nobody listens (stale socket): usersentry is not running");
	}
	return ret;
}

int64_t answer_int(struct json_object *a, const char *key)
{
	struct json_object *v;

	return a && json_object_object_get_ex(a, key, &v) ? json_object_get_int64(v) : -1;
}

const char *answer_str(struct json_object *a, const char *key)
{
	struct json_object *v;

	return a && json_object_object_get_ex(a, key, &v) && v ? json_object_get_string(v) : NULL;
}

bool daemon_absent(int ret)
{
	return ret == -ENOENT || ret == -ECONNREFUSED;
}

/* The metrics page: its sandbox gauge and the daemon's mode. */
int read_metrics(const char *path, char *mode, size_t mode_size, long *sandboxes,
		 struct redirect_error **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap), *line;
	struct pollfd p;
	int fd, ret = 0;

	if (!buf)
		return redirect_error_set(err, ENOMEM, "out of memory");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = redirect_error_set(err, errno, "metrics socket %s: %s", path,
					 strerror(errno));
		goto out;
	}
	/*
	 * usersentry answers at once and takes any request line as optional: a
	 * request it has not read when it closes would reset the connection.
	 */
	for (;;) {
		ssize_t n;

		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		n = poll(&p, 1, METRICS_TIMEOUT_MS);
		if (n == 0) {
			ret = redirect_error_set(err, ETIMEDOUT,
						 "metrics socket %s: no answer "
						 "within %d s",
						 path, METRICS_TIMEOUT_MS / 1000);
			goto out;
		}
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				ret = redirect_error_set(err, ENOMEM, "out of memory");
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		n = n < 0 ? -1 : read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET && len)
			break;
		if (n < 0) {
			ret = redirect_error_set(err, errno, "metrics socket %s: %s", path,
						 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (strncmp(buf, "HTTP/1.0 200", 12)) {
		ret = redirect_error_set(err, EBADMSG, "metrics socket %s: not an HTTP 200 answer",
					 path);
		goto out;
	}
	ret = redirect_error_set(err, EBADMSG,
				 "metrics socket %s: no usersentry_sandboxes "
				 "line",
				 path);
	for (line = strtok(buf, "\r\n"); line; line = strtok(NULL, "\r\n")) {
		char m[32];
		long v;

		if (sscanf(line, "usersentry_sandboxes{mode=\"%31[a-z]\"} %ld", m, &v) == 2) {
			snprintf(mode, mode_size, "%s", m);
			*sandboxes = v;
			if (err) {
				redirect_error_free(*err);
				*err = NULL;
			}
			ret = 0;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/* ---- daemon ------------------------------------------------------------------------- */

int cmd_daemon(const struct command *cmd, int argc, char **argv)
{
	struct redirect_error *e = NULL;
	struct json_object *a = NULL, *list;
	struct opts o;
	size_t i, n;
	int rc, ret;

	rc = parse_opts(cmd, "jsC", argc, argv, 0, 0, &o);
	if (rc >= 0)
		return rc;
	ret = ask_daemon(&o, REDIRECT_CONTROL_SANDBOXES, &a, &e);
	if (ret < 0) {
		msg("daemon: %s", e ? e->msg : strerror(-ret));
		redirect_error_free(e);
		return daemon_absent(ret) ? EXIT_UNAVAILABLE : EXIT_FAILED;
	}
	if (!json_object_object_get_ex(a, "sandboxes", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		msg("daemon: the answer has no sandbox list");
		json_object_put(a);
		return EXIT_FAILED;
	}
	if (o.json) {
		print_json(json_object_get(list));
		json_object_put(a);
		return EXIT_OK;
	}
	n = json_object_array_length(list);
	printf("%-24s %-6s %-8s %-16s %-7s %10s  %s\n", "CONTAINER", "ID", "PID", "POLICY",
	       "ADOPTED", "CALLS", "KEPT HANDLERS");
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(list, i), *v;
		const char *kept = answer_str(s, "kept_handlers"), *pol = answer_str(s, "policy");

		printf("%-24s %-6lld %-8lld %-16s %-7s %10lld  %s\n", answer_str(s, "id"),
		       (long long)answer_int(s, "sandbox_id"), (long long)answer_int(s, "pid"),
		       pol ? pol : "(none)",
		       json_object_object_get_ex(s, "adopted", &v) && json_object_get_boolean(v) ?
			       "yes" :
			       "no",
		       (long long)answer_int(s, "calls"), kept ? kept : "-");
	}
	if (!n)
		printf("(no sandboxes)\n");
	json_object_put(a);
	return EXIT_OK;
}
