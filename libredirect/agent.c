// SPDX-License-Identifier: GPL-2.0
/* The OCI seccomp-agent protocol: runc's ContainerProcessState message plus SCM_RIGHTS. */
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "internal.h"

#define AGENT_STR_MAX 4096		/* any one string we keep */
#define AGENT_ID_MAX 1024
#define AGENT_ANNOTATIONS_MAX 1024

struct redirect_agent_msg {
	char *oci_version;
	char *id;
	char *status;
	char *bundle;
	char *metadata;			/* NULL: absent */
	pid_t pid;
	pid_t state_pid;		/* 0: absent */
	char **annotations;		/* key, value, key, value ... */
	size_t n_annotations;		/* pairs */
	int listener;
};

static void close_fds(int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

void redirect_agent_msg_free(struct redirect_agent_msg *m)
{
	size_t i;

	if (!m)
		return;
	free(m->oci_version);
	free(m->id);
	free(m->status);
	free(m->bundle);
	free(m->metadata);
	for (i = 0; i < 2 * m->n_annotations; i++)
		free(m->annotations[i]);
	free(m->annotations);
	if (m->listener >= 0)
		close(m->listener);
	free(m);
}

static bool has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* ---- building and serialising ------------------------------------------------ */

static int replace_string(char **slot, const char *value, struct redirect_error **err)
{
	char *copy = strdup(value);

	if (!copy)
		return redirect_make_error(err, ENOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

int redirect_agent_msg_new(const char *id, pid_t pid, struct redirect_agent_msg **msgp,
			   struct redirect_error **err)
{
	struct redirect_agent_msg *m;

	if (!id || !*id || strlen(id) > AGENT_ID_MAX || has_control_chars(id))
		return redirect_make_error(err, EINVAL, "invalid sandbox id");
	if (pid <= 0)
		return redirect_make_error(err, EINVAL, "invalid pid %d", (int)pid);
	m = calloc(1, sizeof(*m));
	if (!m)
		return redirect_make_error(err, ENOMEM, "out of memory");
	m->listener = -1;
	m->pid = pid;
	m->state_pid = pid;
	m->oci_version = strdup(REDIRECT_OCI_VERSION);
	m->id = strdup(id);
	m->status = strdup("running");
	m->bundle = strdup("/");
	if (!m->oci_version || !m->id || !m->status || !m->bundle) {
		redirect_agent_msg_free(m);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	*msgp = m;
	return 0;
}

int redirect_agent_msg_set_metadata(struct redirect_agent_msg *m, const char *metadata,
				    struct redirect_error **err)
{
	if (!metadata) {
		free(m->metadata);
		m->metadata = NULL;
		return 0;
	}
	if (strlen(metadata) > AGENT_STR_MAX)
		return redirect_make_error(err, EINVAL, "metadata longer than %d bytes",
					   AGENT_STR_MAX);
	return replace_string(&m->metadata, metadata, err);
}

int redirect_agent_msg_set_bundle(struct redirect_agent_msg *m, const char *bundle,
				  struct redirect_error **err)
{
	if (!bundle || strlen(bundle) > AGENT_STR_MAX)
		return redirect_make_error(err, EINVAL, "invalid bundle path");
	return replace_string(&m->bundle, bundle, err);
}

int redirect_agent_msg_set_pid(struct redirect_agent_msg *m, pid_t pid,
			       struct redirect_error **err)
{
	if (pid <= 0)
		return redirect_make_error(err, EINVAL, "invalid pid %d", (int)pid);
	m->pid = pid;
	m->state_pid = pid;
	return 0;
}

int redirect_agent_msg_set_annotation(struct redirect_agent_msg *m, const char *key,
				      const char *value, struct redirect_error **err)
{
	char **a;
	size_t i;

	if (!key || !*key || !value || strlen(key) > AGENT_STR_MAX || strlen(value) > AGENT_STR_MAX)
		return redirect_make_error(err, EINVAL, "invalid annotation");
	for (i = 0; i < m->n_annotations; i++)
		if (!strcmp(m->annotations[2 * i], key))
			return replace_string(&m->annotations[2 * i + 1], value, err);
	if (m->n_annotations >= AGENT_ANNOTATIONS_MAX)
		return redirect_make_error(err, E2BIG, "too many annotations");
	a = realloc(m->annotations, 2 * (m->n_annotations + 1) * sizeof(*a));
	if (!a)
		return redirect_make_error(err, ENOMEM, "out of memory");
	m->annotations = a;
	a[2 * i] = strdup(key);
	a[2 * i + 1] = strdup(value);
	if (!a[2 * i] || !a[2 * i + 1]) {
		free(a[2 * i]);
		free(a[2 * i + 1]);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	m->n_annotations++;
	return 0;
}

static int add(json_object *obj, const char *key, json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int redirect_agent_msg_serialize(const struct redirect_agent_msg *m, char **bufp, size_t *lenp,
				 struct redirect_error **err)
{
	json_object *root, *state = NULL, *fds = NULL, *ann = NULL;
	const char *s;
	size_t len, i;
	int ret = 0;

	root = json_object_new_object();
	if (!root)
		return redirect_make_error(err, ENOMEM, "out of memory");
	ret = add(root, "ociVersion", json_object_new_string(m->oci_version));
	if (ret == 0) {
		fds = json_object_new_array();
		ret = add(root, "fds", fds);
	}
	if (ret == 0)
		ret = json_object_array_add(fds, json_object_new_string(REDIRECT_SECCOMP_FD_NAME))
			      < 0 ? -ENOMEM : 0;
	if (ret == 0)
		ret = add(root, "pid", json_object_new_int(m->pid));
	if (ret == 0 && m->metadata)
		ret = add(root, "metadata", json_object_new_string(m->metadata));
	if (ret == 0) {
		state = json_object_new_object();
		ret = add(root, "state", state);
	}
	if (ret == 0)
		ret = add(state, "ociVersion", json_object_new_string(m->oci_version));
	if (ret == 0)
		ret = add(state, "id", json_object_new_string(m->id));
	if (ret == 0)
		ret = add(state, "status", json_object_new_string(m->status));
	if (ret == 0 && m->state_pid > 0)
		ret = add(state, "pid", json_object_new_int(m->state_pid));
	if (ret == 0)
		ret = add(state, "bundle", json_object_new_string(m->bundle));
	if (ret == 0 && m->n_annotations) {
		ann = json_object_new_object();
		ret = add(state, "annotations", ann);
		for (i = 0; ret == 0 && i < m->n_annotations; i++)
			ret = add(ann, m->annotations[2 * i],
				  json_object_new_string(m->annotations[2 * i + 1]));
	}
	if (ret < 0) {
		json_object_put(root);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	s = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	*bufp = s ? strndup(s, len) : NULL;
	json_object_put(root);
	if (!*bufp)
		return redirect_make_error(err, ENOMEM, "out of memory");
	if (len > REDIRECT_AGENT_MSG_MAX) {
		free(*bufp);
		*bufp = NULL;
		return redirect_make_error(err, EMSGSIZE, "agent message larger than %u bytes",
					   REDIRECT_AGENT_MSG_MAX);
	}
	*lenp = len;
	return 0;
}

/* ---- parsing ------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int bad(struct redirect_error **err, const char *path, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = redirect_make_verror_at(err, EBADMSG, "agent message", path, fmt, ap);
	va_end(ap);
	return ret;
}

/* obj[key] as a string; required or not; empty allowed or not. */
static int msg_string(json_object *obj, const char *key, const char *path, bool required,
		      bool allow_empty, size_t max, char **out, struct redirect_error **err)
{
	json_object *v;
	const char *s;
	size_t len;

	if (!json_object_object_get_ex(obj, key, &v)) {
		if (required)
			return bad(err, path, "missing");
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return bad(err, path, "not a string");
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != len)
		return bad(err, path, "contains a NUL character");
	if (!len && !allow_empty)
		return bad(err, path, "empty");
	if (len > max)
		return bad(err, path, "longer than %zu bytes", max);
	*out = strdup(s);
	if (!*out)
		return redirect_make_error(err, ENOMEM, "out of memory");
	return 0;
}

static int msg_pid(json_object *obj, const char *key, const char *path, bool required,
		   pid_t *out, struct redirect_error **err)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(obj, key, &v)) {
		if (required)
			return bad(err, path, "missing");
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return bad(err, path, "not an integer");
	n = json_object_get_int64(v);
	if (n < (required ? 1 : 0) || n > INT_MAX)
		return bad(err, path, "invalid pid %lld", (long long)n);
	*out = (pid_t)n;
	return 0;
}

static int parse_fds(json_object *root, size_t nfds, size_t *index, struct redirect_error **err)
{
	json_object *arr;
	size_t n, i, found = 0;

	if (!json_object_object_get_ex(root, "fds", &arr))
		return bad(err, "fds", "missing");
	if (!json_object_is_type(arr, json_type_array))
		return bad(err, "fds", "not an array");
	n = json_object_array_length(arr);
	if (n != nfds)
		return bad(err, "fds", "names %zu descriptors but %zu arrived", n, nfds);
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(v, json_type_string))
			return bad(err, "fds", "element %zu is not a string", i);
		if (!strcmp(json_object_get_string(v), REDIRECT_SECCOMP_FD_NAME)) {
			*index = i;
			found++;
		}
	}
	if (found != 1)
		return bad(err, "fds", "%s \"%s\"", found ? "more than one" : "no",
			   REDIRECT_SECCOMP_FD_NAME);
	return 0;
}

static int parse_annotations(json_object *state, struct redirect_agent_msg *m,
			     struct redirect_error **err)
{
	json_object *ann;
	int ret;

	if (!json_object_object_get_ex(state, "annotations", &ann))
		return 0;
	if (!json_object_is_type(ann, json_type_object))
		return bad(err, "state.annotations", "not an object");
	if (json_object_object_length(ann) > AGENT_ANNOTATIONS_MAX)
		return bad(err, "state.annotations", "more than %d", AGENT_ANNOTATIONS_MAX);
	json_object_object_foreach(ann, key, val) {
		const char *s;

		if (!json_object_is_type(val, json_type_string))
			return bad(err, "state.annotations", "value of \"%.64s\" is not a string",
				   key);
		s = json_object_get_string(val);
		if (strlen(s) != (size_t)json_object_get_string_len(val))
			return bad(err, "state.annotations", "value of \"%.64s\" contains a NUL",
				   key);
		ret = redirect_agent_msg_set_annotation(m, key, s, NULL);
		if (ret < 0)
			return bad(err, "state.annotations", "invalid entry \"%.64s\"", key);
	}
	return 0;
}

static int parse_root(json_object *root, size_t nfds, size_t *fd_index,
		      struct redirect_agent_msg *m, struct redirect_error **err)
{
	json_object *state;
	cleanup_free char *state_version = NULL;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return bad(err, NULL, "not a JSON object");
	ret = msg_string(root, "ociVersion", "ociVersion", true, false, 64, &m->oci_version, err);
	if (ret < 0)
		return ret;
	ret = parse_fds(root, nfds, fd_index, err);
	if (ret < 0)
		return ret;
	ret = msg_pid(root, "pid", "pid", true, &m->pid, err);
	if (ret < 0)
		return ret;
	ret = msg_string(root, "metadata", "metadata", false, true, AGENT_STR_MAX, &m->metadata,
			 err);
	if (ret < 0)
		return ret;

	if (!json_object_object_get_ex(root, "state", &state))
		return bad(err, "state", "missing");
	if (!json_object_is_type(state, json_type_object))
		return bad(err, "state", "not an object");
	ret = msg_string(state, "ociVersion", "state.ociVersion", true, false, 64, &state_version,
			 err);
	if (ret < 0)
		return ret;
	ret = msg_string(state, "id", "state.id", true, false, AGENT_ID_MAX, &m->id, err);
	if (ret < 0)
		return ret;
	if (has_control_chars(m->id))
		return bad(err, "state.id", "contains control characters");
	ret = msg_string(state, "status", "state.status", true, false, 64, &m->status, err);
	if (ret < 0)
		return ret;
	ret = msg_pid(state, "pid", "state.pid", false, &m->state_pid, err);
	if (ret < 0)
		return ret;
	ret = msg_string(state, "bundle", "state.bundle", true, true, AGENT_STR_MAX, &m->bundle,
			 err);
	if (ret < 0)
		return ret;
	return parse_annotations(state, m, err);
}

int redirect_agent_msg_parse(const void *buf, size_t len, int *fds, size_t nfds,
			     struct redirect_agent_msg **msgp, struct redirect_error **err)
{
	struct redirect_agent_msg *m = NULL;
	json_object *root = NULL;
	size_t off, fd_index = 0;
	const char *what;
	bool trailing;
	int ret;

	if (len > REDIRECT_AGENT_MSG_MAX) {
		ret = redirect_make_error(err, EMSGSIZE, "agent message: %zu bytes, limit %u", len,
					  REDIRECT_AGENT_MSG_MAX);
		goto fail;
	}
	if (nfds > REDIRECT_AGENT_FDS_MAX) {
		ret = bad(err, NULL, "%zu descriptors, limit %d", nfds, REDIRECT_AGENT_FDS_MAX);
		goto fail;
	}
	if (memchr(buf, '\0', len)) {
		ret = bad(err, NULL, "NUL byte in the message");
		goto fail;
	}
	ret = redirect_json_strict(buf, len, &root, &off, &what, &trailing);
	if (ret == -ENOMEM) {
		ret = redirect_make_error(err, ENOMEM, "out of memory");
		goto fail;
	}
	if (ret < 0) {
		ret = trailing ? bad(err, NULL, "data after the JSON value at byte %zu", off)
			       : bad(err, NULL, "invalid JSON at byte %zu: %s", off, what);
		goto fail;
	}

	m = calloc(1, sizeof(*m));
	if (!m) {
		ret = redirect_make_error(err, ENOMEM, "out of memory");
		goto fail;
	}
	m->listener = -1;
	ret = parse_root(root, nfds, &fd_index, m, err);
	if (ret < 0)
		goto fail;

	m->listener = fds[fd_index];
	fds[fd_index] = -1;
	close_fds(fds, nfds);
	json_object_put(root);
	*msgp = m;
	return 0;
fail:
	close_fds(fds, nfds);
	redirect_agent_msg_free(m);
	json_object_put(root);
	return ret;
}

const char *redirect_agent_msg_oci_version(const struct redirect_agent_msg *m)
{
	return m->oci_version;
}

const char *redirect_agent_msg_id(const struct redirect_agent_msg *m)
{
	return m->id;
}

const char *redirect_agent_msg_status(const struct redirect_agent_msg *m)
{
	return m->status;
}

const char *redirect_agent_msg_bundle(const struct redirect_agent_msg *m)
{
	return m->bundle;
}

const char *redirect_agent_msg_metadata(const struct redirect_agent_msg *m)
{
	return m->metadata;
}

const char *redirect_agent_msg_annotation(const struct redirect_agent_msg *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n_annotations; i++)
		if (!strcmp(m->annotations[2 * i], key))
			return m->annotations[2 * i + 1];
	return NULL;
}

pid_t redirect_agent_msg_pid(const struct redirect_agent_msg *m)
{
	return m->pid;
}

pid_t redirect_agent_msg_state_pid(const struct redirect_agent_msg *m)
{
	return m->state_pid;
}

int redirect_agent_msg_listener(const struct redirect_agent_msg *m)
{
	return m->listener;
}

int redirect_agent_msg_take_listener(struct redirect_agent_msg *m)
{
	return steal_fd(&m->listener);
}

/* ---- sockets --------------------------------------------------------------------- */

int redirect_agent_connect(const char *path, struct redirect_error **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	cleanup_close int fd = -1;

	if (strlen(path) >= sizeof(sun.sun_path))
		return redirect_make_error(err, ENAMETOOLONG, "agent socket path too long: %s",
					   path);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return redirect_make_error_errno(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return redirect_make_error_errno(err, errno, "cannot connect to agent socket %s",
						 path);
	return steal_fd(&fd);
}

int redirect_agent_send_raw(int sockfd, const void *buf, size_t len, int listener_fd,
			    struct redirect_error **err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	size_t done;
	ssize_t n;

	if (len == 0)
		return redirect_make_error(err, EINVAL, "empty agent message");
	memset(&control, 0, sizeof(control));
	cmsg = CMSG_FIRSTHDR(&mh);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &listener_fd, sizeof(int));

	do
		n = sendmsg(sockfd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return redirect_make_error_errno(err, errno, "sending the agent message");
	/* a stream socket may take less; the fd went with the first byte */
	for (done = (size_t)n; done < len; done += (size_t)n) {
		do
			n = send(sockfd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return redirect_make_error_errno(err, errno, "sending the agent message");
	}
	return 0;
}

int redirect_agent_send(int sockfd, const struct redirect_agent_msg *m, int listener_fd,
			struct redirect_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len;
	int ret;

	ret = redirect_agent_msg_serialize(m, &buf, &len, err);
	if (ret < 0)
		return ret;
	return redirect_agent_send_raw(sockfd, buf, len, listener_fd, err);
}

/* ---- incremental receiver ------------------------------------------------------ */

struct redirect_agent_reader {
	int sockfd;
	char *buf;
	size_t len, cap;
	size_t end;			/* message length once complete */
	int fds[REDIRECT_AGENT_FDS_MAX];
	size_t nfds;
	json_tokener *tok;
	bool complete;
};

int redirect_agent_reader_new(int sockfd, struct redirect_agent_reader **rp,
			      struct redirect_error **err)
{
	struct redirect_agent_reader *r;

	r = calloc(1, sizeof(*r));
	if (!r)
		return redirect_make_error(err, ENOMEM, "out of memory");
	r->sockfd = sockfd;
	r->tok = json_tokener_new();
	if (!r->tok) {
		free(r);
		return redirect_make_error(err, ENOMEM, "out of memory");
	}
	json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT);
	*rp = r;
	return 0;
}

void redirect_agent_reader_free(struct redirect_agent_reader *r)
{
	if (!r)
		return;
	close_fds(r->fds, r->nfds);
	json_tokener_free(r->tok);
	free(r->buf);
	free(r);
}

/* Take the fds of every SCM_RIGHTS message; close what does not fit. */
static int collect_fds(struct redirect_agent_reader *r, struct msghdr *mh,
		       struct redirect_error **err)
{
	struct cmsghdr *c;
	bool too_many = false, foreign = false;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n, i;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			foreign = true;
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (r->nfds < REDIRECT_AGENT_FDS_MAX)
				r->fds[r->nfds++] = fd;
			else {
				close(fd);
				too_many = true;
			}
		}
	}
	if (mh->msg_flags & MSG_CTRUNC)
		return bad(err, NULL, "control data truncated (more than %d descriptors?)",
			   REDIRECT_AGENT_FDS_MAX);
	if (too_many)
		return bad(err, NULL, "more than %d descriptors", REDIRECT_AGENT_FDS_MAX);
	if (foreign)
		return bad(err, NULL, "unexpected control message");
	return 0;
}

static int feed(struct redirect_agent_reader *r, const char *chunk, size_t n,
		struct redirect_error **err)
{
	enum json_tokener_error jerr;
	json_object *obj;
	size_t off, i;

	if (memchr(chunk, '\0', n))
		return bad(err, NULL, "NUL byte in the message");
	if (r->len + n > REDIRECT_AGENT_MSG_MAX)
		return redirect_make_error(err, EMSGSIZE, "agent message: more than %u bytes",
					   REDIRECT_AGENT_MSG_MAX);
	if (r->len + n > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		char *b;

		while (cap < r->len + n)
			cap *= 2;
		if (cap > REDIRECT_AGENT_MSG_MAX)
			cap = REDIRECT_AGENT_MSG_MAX;
		b = realloc(r->buf, cap);
		if (!b)
			return redirect_make_error(err, ENOMEM, "out of memory");
		r->buf = b;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, chunk, n);
	r->len += n;

	obj = json_tokener_parse_ex(r->tok, chunk, (int)n);
	jerr = json_tokener_get_error(r->tok);
	if (jerr == json_tokener_continue)
		return 0;
	if (!obj || jerr != json_tokener_success)
		return bad(err, NULL, "invalid JSON at byte %zu: %s",
			   r->len - n + json_tokener_get_parse_end(r->tok),
			   json_tokener_error_desc(jerr));
	json_object_put(obj);
	off = json_tokener_get_parse_end(r->tok);
	for (i = off; i < n; i++)
		if (chunk[i] != ' ' && chunk[i] != '\t' && chunk[i] != '\n' && chunk[i] != '\r')
			return bad(err, NULL, "data after the JSON value");
	r->end = r->len - n + off;
	r->complete = true;
	return 0;
}

int redirect_agent_reader_read(struct redirect_agent_reader *r, struct redirect_error **err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * REDIRECT_AGENT_FDS_MAX)];
		struct cmsghdr align;
	} control;
	char chunk[16384];

	while (!r->complete) {
		struct iovec iov = { .iov_base = chunk, .iov_len = sizeof(chunk) };
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		ssize_t n;
		int ret;

		n = recvmsg(r->sockfd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return redirect_make_error_errno(err, errno, "agent connection");
		}
		ret = collect_fds(r, &mh, err);
		if (ret < 0)
			return ret;
		if (n == 0) {
			if (r->len == 0)
				return redirect_make_error(err, ENODATA,
							   "agent message: connection closed "
							   "before any data");
			return bad(err, NULL, "truncated: connection closed after %zu bytes",
				   r->len);
		}
		ret = feed(r, chunk, (size_t)n, err);
		if (ret < 0)
			return ret;
	}
	return 1;
}

int redirect_agent_reader_finish(struct redirect_agent_reader *r, struct redirect_agent_msg **msgp,
				 struct redirect_error **err)
{
	size_t nfds = r->nfds;

	if (!r->complete)
		return redirect_make_error(err, EAGAIN, "agent message: not complete yet");
	r->nfds = 0;
	return redirect_agent_msg_parse(r->buf, r->end, r->fds, nfds, msgp, err);
}

int redirect_agent_recv(int sockfd, struct redirect_agent_msg **msgp, struct redirect_error **err)
{
	struct redirect_agent_reader *r;
	int ret;

	ret = redirect_agent_reader_new(sockfd, &r, err);
	if (ret < 0)
		return ret;
	for (;;) {
		struct pollfd pfd = { .fd = sockfd, .events = POLLIN };

		ret = redirect_agent_reader_read(r, err);
		if (ret != 0)
			break;
		/* a non-blocking socket: wait for more */
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			ret = redirect_make_error_errno(err, errno, "poll");
			break;
		}
	}
	if (ret > 0)
		ret = redirect_agent_reader_finish(r, msgp, err);
	redirect_agent_reader_free(r);
	return ret;
}
