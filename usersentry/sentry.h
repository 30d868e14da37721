/* SPDX-License-Identifier: GPL-2.0 */
/* usersentry internals: the daemon's state, sandboxes, handlers and log. */
#ifndef USERSENTRY_SENTRY_H
#define USERSENTRY_SENTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "libredirect.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* How long an agent connection may take to deliver its message. */
#define SENTRY_CONN_TIMEOUT_MS 5000
#define SENTRY_MAX_CONNS 64

struct sentry_config {
	const char *socket_path;
	const char *policy_dir;
	const char *policy_file;
	const char *log_path;
};

/* One sandbox: a listener and the policy it was attached with. */
struct sentry_sandbox {
	struct sentry_sandbox *next;
	char *id;
	pid_t pid;
	int listener;
	struct redirect_policy *policy;
	bool owns_policy;
	unsigned long calls;
};

/* An accepted agent connection whose message is still arriving. */
struct sentry_conn {
	struct sentry_conn *next;
	int fd;
	struct redirect_agent_reader *reader;
	pid_t peer_pid;
	uid_t peer_uid;
	struct timespec deadline;
};

struct sentry {
	struct sentry_config cfg;
	int listen_fd;
	ino_t socket_ino;
	int signal_fd;
	struct redirect_policy *default_policy;
	struct sentry_conn *conns;
	unsigned int n_conns;
	struct sentry_sandbox *sandboxes;
	struct redirect_notif_buf *notif;
	bool sync_wakeup_logged;
	bool stop;
};

/* What a handler decided for one call. */
struct sentry_reply {
	int64_t val;
	int32_t error;		/* 0 or -errno */
	uint32_t flags;		/* SECCOMP_USER_NOTIF_FLAG_* */
	const char *verdict;	/* for the log: "emulated", "errno:ENOSYS", ... */
	char verdict_buf[32];
};

/*
 * A Sentry handler: decides (and performs) one notified call.  Returns 0
 * with *reply filled to answer, -ENOENT when the target is gone (no answer
 * is sent), other -errno on failure (the caller answers -ENOSYS).
 */
typedef int (*sentry_handler_fn)(struct sentry_sandbox *sb, const struct seccomp_notif *req,
				 struct sentry_reply *reply);

/* log.c */
int sentry_log_open(const char *path, struct redirect_error **err);
void sentry_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* server.c */
int sentry_server_open(struct sentry *s, struct redirect_error **err);
void sentry_server_close(struct sentry *s);
void sentry_server_accept(struct sentry *s);
void sentry_conn_event(struct sentry *s, struct sentry_conn *c, short revents);
void sentry_conn_expire(struct sentry *s, const struct timespec *now);

/* sandbox.c */
int sentry_sandbox_new(struct sentry *s, struct redirect_agent_msg *msg,
		       struct redirect_policy *policy, bool owns_policy,
		       struct redirect_error **err);
void sentry_sandbox_free(struct sentry_sandbox *sb);
void sentry_sandbox_end(struct sentry *s, struct sentry_sandbox *sb, const char *why);
void sentry_sandbox_event(struct sentry *s, struct sentry_sandbox *sb, short revents);
/* Answer the request held in buf (already received from sb->listener). */
int sentry_dispatch(struct sentry_sandbox *sb, struct redirect_notif_buf *buf);

/* uname.c */
int sentry_handle_uname(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
/* The virtual utsname of a policy (struct new_utsname layout: 6 x 65). */
void sentry_uname_build(const struct redirect_policy *policy,
			char fields[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN]);

/* sdnotify.c */
int sentry_sd_notify(const char *state);

#endif /* USERSENTRY_SENTRY_H */
