// SPDX-License-Identifier: GPL-2.0
/* Launcher: fork, install the filter, hand the listener to the agent, exec once it accepts. */
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "policy.h"

extern char **environ;

struct redirect_launcher {
	const struct redirect_policy *policy;
	struct redirect_filter *filter;
	char *socket_path;
	char *sandbox_id;
	char *metadata;
};

/* What failed in the child, reported through the status channel. */
enum child_stage {
	STAGE_SETUP,
	STAGE_NNP,
	STAGE_READ_MSG,
	STAGE_FILTER,
	STAGE_SEND,
	STAGE_ACCEPTED,
	STAGE_EXEC,
};

/* How long the agent may take to say whether it took the sandbox. */
#define AGENT_REPLY_TIMEOUT_MS 120000

struct child_report {
	int stage;
	int errnum;
};

/*
 * Calls the child makes after the filter is in place: never notified.  Not
 * execve: the listener is handed over (or closed) before it, so a notified
 * execve is answered by the agent (or fails with ENOSYS).
 */
static const char *const child_calls[] = {
	"sendmsg", "sendto", "shutdown", "close", "read", "write", "exit_group",
};

int redirect_launcher_new(const struct redirect_policy *policy, struct redirect_launcher **lp,
			  struct redirect_error **err)
{
	struct redirect_launcher *l;
	size_t i, j;
	int ret;

	for (i = 0; i < redirect_policy_notify_count(policy); i++)
		for (j = 0; j < ARRAY_SIZE(child_calls); j++)
			if (!strcmp(redirect_policy_notify_name(policy, i), child_calls[j]) &&
			    /* the child's sendto has no address: not notified */
			    !(!strcmp(child_calls[j], "sendto") &&
			      policy_sendto_on_address(policy, NULL)))
				return redirect_make_error(err, EINVAL,
							   "%s: notifies \"%s\", which the "
							   "launcher needs before exec",
							   redirect_policy_name(policy),
							   child_calls[j]);
	l = calloc(1, sizeof(*l));
	if (!l)
		return redirect_make_error(err, ENOMEM, "out of memory");
	l->policy = policy;
	ret = redirect_filter_compile(policy, 0, &l->filter, err);
	if (ret < 0) {
		free(l);
		return ret;
	}
	*lp = l;
	return 0;
}

void redirect_launcher_free(struct redirect_launcher *l)
{
	if (!l)
		return;
	redirect_filter_free(l->filter);
	free(l->socket_path);
	free(l->sandbox_id);
	free(l->metadata);
	free(l);
}

static int set_string(char **slot, const char *value, struct redirect_error **err)
{
	char *copy = value ? strdup(value) : NULL;

	if (value && !copy)
		return redirect_make_error(err, ENOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

int redirect_launcher_set_agent_socket(struct redirect_launcher *l, const char *path,
				       struct redirect_error **err)
{
	return set_string(&l->socket_path, path, err);
}

int redirect_launcher_set_sandbox_id(struct redirect_launcher *l, const char *id,
				     struct redirect_error **err)
{
	return set_string(&l->sandbox_id, id, err);
}

int redirect_launcher_set_metadata(struct redirect_launcher *l, const char *metadata,
				   struct redirect_error **err)
{
	return set_string(&l->metadata, metadata, err);
}

/* argv[0] as an executable path: as given when it has a '/', else from PATH. */
static int resolve_command(const char *cmd, char **out, struct redirect_error **err)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = NULL;
	char *dir, *save = NULL;
	int last_errno = ENOENT;

	if (!*cmd)
		return redirect_make_error(err, ENOENT, "empty command");
	if (strchr(cmd, '/')) {
		if (access(cmd, X_OK) < 0)
			return redirect_make_error_errno(err, errno, "%s", cmd);
		*out = strdup(cmd);
		return *out ? 0 : redirect_make_error(err, ENOMEM, "out of memory");
	}
	copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!copy)
		return redirect_make_error(err, ENOMEM, "out of memory");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *candidate = NULL;
		struct stat st;

		if (asprintf(&candidate, "%s/%s", *dir ? dir : ".", cmd) < 0)
			return redirect_make_error(err, ENOMEM, "out of memory");
		if (stat(candidate, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (access(candidate, X_OK) < 0) {
			last_errno = errno;
			continue;
		}
		*out = steal_pointer(&candidate);
		return 0;
	}
	if (last_errno == ENOENT)
		return redirect_make_error(err, ENOENT, "%s: command not found", cmd);
	return redirect_make_error_errno(err, last_errno, "%s", cmd);
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
__attribute__((noreturn))
static void child(const struct redirect_launcher *l, const char *path, char *const argv[],
		  int agent_fd, int msg_fd, int status_fd, char *msgbuf, size_t msgcap)
{
	struct child_report rep = { STAGE_SETUP, 0 };
	int listener = -1;
	char go;
	ssize_t len = 0;
	sigset_t none;

	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		goto fail;
	rep.stage = STAGE_NNP;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	if (agent_fd >= 0) {
		/* the message names our pid, so the parent writes it after fork */
		rep.stage = STAGE_READ_MSG;
		len = read_full(msg_fd, msgbuf, msgcap);
		if (len <= 0) {
			errno = len < 0 ? errno : EPIPE;
			goto fail;
		}
	}
	rep.stage = STAGE_FILTER;
	if (redirect_filter_load(l->filter, &listener, NULL) < 0)
		goto fail;
	if (agent_fd >= 0) {
		int ret;

		rep.stage = STAGE_SEND;
		ret = redirect_agent_send_raw(agent_fd, msgbuf, (size_t)len, listener, NULL);
		if (ret < 0) {
			errno = -ret;
			goto fail;
		}
		close(listener);
		/* the message ends at EOF, as runc's; the parent's copy stays open for the answer */
		shutdown(agent_fd, SHUT_WR);
		close(agent_fd);
		/* the parent reads the agent's answer: exec only once it took the sandbox */
		rep.stage = STAGE_ACCEPTED;
		if (read_full(status_fd, &go, 1) != 1) {
			errno = ECANCELED;
			goto fail;
		}
	} else {
		close(listener);	/* nobody answers: a notified execve is ENOSYS, not a hang */
	}
	rep.stage = STAGE_EXEC;
	execve(path, argv, environ);
fail:
	rep.errnum = errno;
	write_full(status_fd, &rep, sizeof(rep));
	_exit(127);
}

static const char *stage_name(int stage)
{
	switch (stage) {
	case STAGE_NNP:
		return "setting no_new_privs";
	case STAGE_READ_MSG:
		return "receiving the agent message";
	case STAGE_FILTER:
		return "installing the seccomp filter";
	case STAGE_SEND:
		return "sending the listener to the agent";
	case STAGE_ACCEPTED:
		return "waiting for the agent to accept the sandbox";
	case STAGE_EXEC:
		return "exec";
	default:
		return "preparing the child";
	}
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int send_message(const struct redirect_launcher *l, pid_t pid, int msg_fd,
			struct redirect_error **err)
{
	const char *metadata = l->metadata ? l->metadata : redirect_policy_name(l->policy);
	struct redirect_agent_msg *m = NULL;
	cleanup_free char *buf = NULL;
	char id[64], cwd[PATH_MAX];
	size_t len;
	int ret;

	snprintf(id, sizeof(id), "redirect-run-%d", (int)pid);
	ret = redirect_agent_msg_new(l->sandbox_id ? l->sandbox_id : id, pid, &m, err);
	if (ret == 0)
		ret = redirect_agent_msg_set_metadata(m, metadata, err);
	/* the daemon answers us, unlike runc, whether it took the sandbox */
	if (ret == 0)
		ret = redirect_agent_msg_set_annotation(m, REDIRECT_AGENT_REPLY_ANNOTATION, "1", err);
	if (ret == 0 && getcwd(cwd, sizeof(cwd)))
		ret = redirect_agent_msg_set_bundle(m, cwd, err);
	if (ret == 0)
		ret = redirect_agent_msg_serialize(m, &buf, &len, err);
	redirect_agent_msg_free(m);
	if (ret < 0)
		return ret;
	if (write_full(msg_fd, buf, len) < 0)
		return redirect_make_error_errno(err, errno,
						 "passing the agent message to the child");
	return 0;
}

/* The agent's answer (REDIRECT_AGENT_REPLY_ANNOTATION): 0 accepted, else -errno and why. */
static int check_reply(const struct redirect_launcher *l, const char *buf, size_t len,
		       struct redirect_error **err)
{
	struct json_object *root = NULL, *v;
	int ret;

	if (!len || buf[len - 1] != '\n')
		return redirect_make_error(err, ECONNABORTED, "%s: the agent closed the connection "
					   "without accepting the sandbox (see its log)",
					   l->socket_path);
	ret = redirect_json_parse(buf, len, REDIRECT_AGENT_REPLY_MAX, "agent reply", &root, err);
	if (ret < 0)
		return ret;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "accepted", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		ret = redirect_make_error(err, EPROTO, "%s: agent reply without \"accepted\"",
					  l->socket_path);
	} else if (!json_object_get_boolean(v)) {
		ret = redirect_make_error(err, EPERM, "usersentry refused the sandbox: %s",
					  json_object_object_get_ex(root, "error", &v) && v ?
					  json_object_get_string(v) : "no reason given");
	}
	json_object_put(root);
	return ret;
}

/*
 * Wait for the agent's answer on agent_fd, or for the child to report a
 * failure on status_fd first.  0: accepted; 1: the child reported (read it
 * from status_fd); -errno with the reason.
 */
static int wait_reply(const struct redirect_launcher *l, int agent_fd, int status_fd,
		      struct redirect_error **err)
{
	char buf[REDIRECT_AGENT_REPLY_MAX];
	size_t len = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = agent_fd, .events = POLLIN },
				       { .fd = status_fd, .events = POLLIN } };
		ssize_t n;
		int r = poll(p, 2, AGENT_REPLY_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return redirect_make_error_errno(err, errno, "poll");
		if (r == 0)
			return redirect_make_error(err, ETIMEDOUT, "%s: no answer from the agent "
						   "within %d s", l->socket_path,
						   AGENT_REPLY_TIMEOUT_MS / 1000);
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			return 1;
		n = read(agent_fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return redirect_make_error_errno(err, errno, "reading the agent's answer");
		len += (size_t)n;
		if (!n || memchr(buf, '\n', len) || len == sizeof(buf))
			return check_reply(l, buf, len, err);
	}
}

int redirect_launcher_spawn(struct redirect_launcher *l, char *const argv[], pid_t *pidp,
			    struct redirect_error **err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *msgbuf = NULL;
	cleanup_close int agent_fd = -1;
	int msg_pair[2] = { -1, -1 }, status_pair[2] = { -1, -1 };
	struct child_report rep;
	ssize_t n;
	pid_t pid;
	int ret;

	if (!argv || !argv[0])
		return redirect_make_error(err, EINVAL, "no command");
	ret = resolve_command(argv[0], &path, err);
	if (ret < 0)
		return ret;
	if (redirect_filter_notifies(l->filter)) {
		if (!l->socket_path)
			return redirect_make_error(err, EINVAL, "%s: the policy notifies calls but "
						   "no agent socket is set",
						   redirect_policy_name(l->policy));
		agent_fd = redirect_agent_connect(l->socket_path, err);
		if (agent_fd < 0)
			return agent_fd;
		msgbuf = malloc(REDIRECT_AGENT_MSG_MAX);
		if (!msgbuf)
			return redirect_make_error(err, ENOMEM, "out of memory");
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, msg_pair) < 0)
		return redirect_make_error_errno(err, errno, "socketpair");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, status_pair) < 0) {
		ret = redirect_make_error_errno(err, errno, "socketpair");
		goto out;
	}

	pid = fork();
	if (pid < 0) {
		ret = redirect_make_error_errno(err, errno, "fork");
		goto out;
	}
	if (pid == 0) {
		close(msg_pair[0]);
		close(status_pair[0]);
		child(l, path, argv, agent_fd, msg_pair[1], status_pair[1], msgbuf,
		      REDIRECT_AGENT_MSG_MAX);
	}
	close(msg_pair[1]);
	msg_pair[1] = -1;
	close(status_pair[1]);
	status_pair[1] = -1;

	ret = 0;
	if (agent_fd >= 0)
		ret = send_message(l, pid, msg_pair[0], err);
	/* EOF: the whole message */
	close(msg_pair[0]);
	msg_pair[0] = -1;
	if (agent_fd >= 0 && ret == 0) {
		ret = wait_reply(l, agent_fd, status_pair[0], err);
		/* accepted: let the child exec (the status channel runs both ways) */
		if (ret == 0 && write_full(status_pair[0], "g", 1) < 0)
			ret = redirect_make_error_errno(err, errno, "releasing the child");
		if (ret == 1)
			ret = 0;	/* the child failed first: its report follows */
	}
	if (ret < 0) {
		kill(pid, SIGKILL);
		reap(pid);
		goto out;
	}

	/* EOF: the exec happened (close-on-exec); a report: the child failed */
	n = read_full(status_pair[0], &rep, sizeof(rep));
	if (n == (ssize_t)sizeof(rep)) {
		reap(pid);
		if (rep.stage == STAGE_SEND)
			ret = redirect_make_error_errno(err, rep.errnum, "%s %s",
							stage_name(rep.stage), l->socket_path);
		else if (rep.stage == STAGE_EXEC)
			ret = redirect_make_error_errno(err, rep.errnum, "exec %s", path);
		else
			ret = redirect_make_error_errno(err, rep.errnum, "%s",
							stage_name(rep.stage));
		goto out;
	}
	*pidp = pid;
out:
	if (msg_pair[0] >= 0)
		close(msg_pair[0]);
	if (msg_pair[1] >= 0)
		close(msg_pair[1]);
	if (status_pair[0] >= 0)
		close(status_pair[0]);
	if (status_pair[1] >= 0)
		close(status_pair[1]);
	return ret;
}

int redirect_launcher_run(struct redirect_launcher *l, char *const argv[], int *wstatus,
			  struct redirect_error **err)
{
	pid_t pid;
	int ret;

	ret = redirect_launcher_spawn(l, argv, &pid, err);
	if (ret < 0)
		return ret;
	while (waitpid(pid, wstatus, 0) < 0) {
		if (errno != EINTR)
			return redirect_make_error_errno(err, errno, "waitpid");
	}
	return 0;
}
