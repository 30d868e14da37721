/* SPDX-License-Identifier: GPL-2.0 */
/* usersentry internals: the daemon's state, sandboxes, handlers and log. */
#ifndef USERSENTRY_SENTRY_H
#define USERSENTRY_SENTRY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <limits.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "libredirect.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* How long an agent connection may take to deliver its message. */
#define SENTRY_CONN_TIMEOUT_MS 5000
#define SENTRY_MAX_CONNS 64
/* The control socket: connections at most, and how long one may take in all. */
#define SENTRY_CONTROL_MAX_CONNS 16
#define SENTRY_CONTROL_TIMEOUT_MS 2000
/* Requests fetched per broker round. */
#define SENTRY_BATCH 64
/* Module mode: how often sandboxes adopted without a listener are checked. */
#define SENTRY_RECONCILE_MS 2000
/* Hash buckets of sandboxes by id (a power of two). */
#define SENTRY_SANDBOX_BUCKETS 256
/* Syscall numbers counted per sandbox for the metrics. */
#define SENTRY_METRICS_NR 512
/* The worker pool: calls queued at most; beyond it the main thread answers inline. */
#define SENTRY_QUEUE_MAX 256
#define SENTRY_WORKERS_MAX 64
#define SENTRY_WORKER_IDLE_MS 5000
/* A clean stop waits this long for calls in workers; the rest stay with the module. */
#define SENTRY_DRAIN_MS 2000

/*
 * Portable mode: who keeps a copy of each listener, so that sandboxes
 * outlive a crash of the daemon (fdcustody.c).
 */
enum sentry_custody {
	SENTRY_CUSTODY_NONE,
	SENTRY_CUSTODY_AUTO,		/* fdstore under systemd, else keeper */
	SENTRY_CUSTODY_FDSTORE,
	SENTRY_CUSTODY_KEEPER,
};
/* A sandbox's key in custody: its state file's name and its FDNAME. */
#define SENTRY_KEY_MAX 24
#define SENTRY_KEEPER_LINGER_MS 30000
#define SD_LISTEN_FDS_START 3

struct sentry_config {
	const char *socket_path;
	const char *control_path;	/* the control socket */
	const char *policy_dir;
	const char *policy_file;
	const char *log_path;
	const char *state_dir;		/* per-sandbox state files, the keeper's socket */
	const char *audit_path;		/* JSON lines, or NULL */
	unsigned long audit_max_bytes;	/* rotate to .1 beyond this; 0: no bound */
	unsigned int audit_rate;	/* lines per second; 0: no limit */
	unsigned int session_flags;	/* REDIRECT_SESSION_* */
	const char *metrics_path;	/* Prometheus endpoint: [unix:]PATH or tcp:[ADDR:]PORT */
	unsigned int workers;		/* worker threads at most; 0: every call inline */
	unsigned int worker_idle_ms;	/* an idle worker exits after this */
	unsigned int conn_timeout_ms;	/* an agent connection's message is due within this */
	enum sentry_custody custody;	/* portable mode */
	unsigned int keeper_linger_ms;	/* an idle keeper exits after this */
};

/*
 * A loaded policy, shared by the sandboxes that use it and pinned by their
 * calls in workers: a reload drops its reference, the last one frees it.
 */
struct sentry_policy {
	atomic_uint ref;
	struct redirect_policy *policy;
};

/*
 * What a sandbox's calls are decided by.  A reload replaces a sandbox's
 * conf as a whole; a call in a worker keeps the one it was queued with.
 */
struct sentry_conf {
	atomic_uint ref;
	struct sentry_policy *pol;	/* NULL: no policy, the default answer */
	/* the tier-1 rules as compiled, to answer calls forwarded before they were set */
	struct redirect_ruleset *rules;
	/*
	 * The policy the sandbox's filter was built from (a reference, or NULL:
	 * pol's).  A reload never changes what a live filter notifies, so the
	 * calls it notifies that a reloaded policy does not (kept) are still
	 * decided by this one's handlers and default answer.
	 */
	struct sentry_policy *filter_pol;
	char **kept;
	size_t n_kept;
	char *kept_text;	/* "open openat (policy NAME)": for the log and the control socket */
};

/*
 * One sandbox: its session id and the policy it was attached with.  The
 * main thread owns the list and every field but the metrics; workers hold
 * a reference (ref) for each call they serve, so an ended sandbox is freed
 * by whoever drops the last one.
 */
/* One sandbox's call metrics; kept a grace period after it ends (metrics.c). */
struct sentry_counts {
	uint64_t *nr_calls;		/* [SENTRY_METRICS_NR], allocated on first call */
	uint64_t errors;
	uint64_t hist[REDIRECT_HIST_BUCKETS];	/* bucket b: under 2^b us */
	uint64_t latency_sum_ns;
};

struct sentry_root;

struct sentry_sandbox {
	struct sentry_sandbox *next;
	struct sentry_sandbox *id_next;	/* in s->by_id[] */
	struct sentry *s;		/* NULL: driven directly on listener (tests) */
	char *id;			/* the container id */
	uint32_t sandbox_id;		/* the session's */
	pid_t pid;
	int listener;			/* our own copy, polled for hang-up; or -1 */
	atomic_uint ref;
	atomic_bool ended;		/* its tasks are gone: workers on it are kicked */
	struct sentry_conf *conf;	/* NULL in tests, which set policy directly */
	/* conf's policy and rules: what handlers read (a call in a worker: its own) */
	struct redirect_policy *policy;
	struct redirect_ruleset *rules;
	char *policy_name;		/* as named by the agent message ("" default) */
	char custody_key[SENTRY_KEY_MAX];	/* portable mode: "" when not in custody */
	unsigned long calls;		/* fetched, counted by the main thread */
	bool adopted;
	struct sentry_counts counts;	/* metrics, under the metrics lock */
	struct sentry_root *root; /* the root its last file call saw (files_root.c) */
	struct sentry_sandbox *owner; /* a view (a call's copy): the sandbox, else NULL */
};

/* files_root.c: the sandbox is freed; calls in flight keep their root */
void sentry_root_forget(struct sentry_sandbox *sb);

/* A control connection: its request line arriving, then its answer leaving. */
struct sentry_ctl_conn {
	struct sentry_ctl_conn *next;
	int fd;
	struct timespec deadline;
	size_t in_len;
	char in[REDIRECT_CONTROL_LINE_MAX];
	char *out;			/* the answer line, once decided */
	size_t out_len, out_off;
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
	struct redirect_session *session;
	enum redirect_mode mode;
	struct sentry_policy *default_pol;
	struct redirect_policy *default_policy;	/* default_pol's, or NULL */
	struct sentry_conn *conns;
	unsigned int n_conns;
	struct sentry_sandbox *sandboxes;
	/* the same, by sandbox id: a call's sandbox found in O(1) */
	struct sentry_sandbox *by_id[SENTRY_SANDBOX_BUCKETS];
	struct redirect_notif_buf *notif;
	int metrics_fd;
	int control_fd;
	ino_t control_ino;
	struct sentry_ctl_conn *ctl_conns;
	unsigned int n_ctl_conns;
	unsigned long reloads;
	enum sentry_custody custody;	/* portable mode: in use (not AUTO) */
	int keeper_fd;			/* our connection to the keeper, or -1 */
	bool stop;
};

/* What a handler decided for one call. */
/*
 * The strings one call's decision rests on, each read from the target once:
 * the tier-1 rules re-checked by the Sentry and the handler that performs
 * the call see the same bytes, whatever the target writes meanwhile (F8).
 * Four: mount's source, target, type and data.
 */
#define SENTRY_CALL_STRS 4
#define SENTRY_STR_MAX 4096	/* PATH_MAX, and the page mount's data takes */
struct sentry_strs {
	unsigned int n;
	struct {
		uint64_t addr;
		int ret;		/* 0, -EFAULT, -ENAMETOOLONG or -ESRCH */
		size_t len;		/* without the NUL */
		char buf[SENTRY_STR_MAX];
	} s[SENTRY_CALL_STRS];
};

struct sentry_reply {
	int64_t val;
	int32_t error;		/* 0 or -errno */
	uint32_t flags;		/* SECCOMP_USER_NOTIF_FLAG_* */
	int addfd;		/* >= 0: inject this fd (ADDFD + SEND); closed after */
	uint32_t addfd_flags;	/* O_CLOEXEC for the target's fd */
	/*
	 * >= 0: a CONTINUE of an exec, guarded by the module to run this file
	 * (REDIRECT_REPLY_CONTINUE_EXEC; module mode only); closed after
	 */
	int exec_fd;
	const char *verdict;	/* for the log: "emulated", "errno:ENOSYS", ... */
	const char *tier;	/* for the audit: "sentry", or "tier1" (late) */
	char verdict_buf[32];
	char detail[320];	/* decoded arguments, JSON object members */
	/*
	 * may_handoff: set by the caller (kept by sentry_decide): the main
	 * thread with a pool.  handoff: the handler found what it opens may
	 * block (a FIFO, device or socket) and did nothing; nothing is sent,
	 * a worker serves the call again.
	 */
	bool may_handoff;
	bool handoff;
	struct sentry_strs strs;	/* last: not cleared beyond .n per call */
};

/*
 * A Sentry handler: decides (and performs) one notified call.  Returns 0
 * with *reply filled to answer, -ENOENT when the target is gone (no answer
 * is sent), other -errno on failure (the caller answers -ENOSYS).
 */
typedef int (*sentry_handler_fn)(struct sentry_sandbox *sb, const struct seccomp_notif *req,
				 struct sentry_reply *reply);

/*
 * A forwarded call whose handler may block, handed to a worker.  The view
 * is the sandbox as the handler sees it: its conf pinned when the call was
 * queued, so neither a reload nor the sandbox's end frees anything under it.
 */
struct sentry_call {
	struct sentry_call *next;
	struct sentry_sandbox *sb;	/* a reference */
	struct sentry_sandbox view;	/* holds a reference on view.conf */
	struct seccomp_notif req;
	bool replayed;
	uint64_t t0;
};

/*
 * log.c: one write() per line, so threads may share it.  Per-call lines
 * only at SENTRY_LOG_CALLS (--log-level calls): a write per call costs more
 * than the rest of a cheap call; counts are in the metrics, calls in the audit.
 */
enum sentry_log_level { SENTRY_LOG_INFO, SENTRY_LOG_CALLS };
extern enum sentry_log_level sentry_log_level;
/* "info" or "calls": 0, or -EINVAL */
int sentry_log_level_parse(const char *name, enum sentry_log_level *out);
static inline bool sentry_log_calls(void)
{
	return sentry_log_level >= SENTRY_LOG_CALLS;
}
int sentry_log_open(const char *path, struct redirect_error **err);
void sentry_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* audit.c: JSON lines, one per forwarded call, written in batches (sentry_audit_flush) */
int sentry_audit_open(const char *path, unsigned long max_bytes, unsigned int rate,
		      struct redirect_error **err);
void sentry_audit_close(void);
/* Write the lines buffered so far: after each pass of the main loop, after a worker's call. */
void sentry_audit_flush(void);
void sentry_audit_call(const struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       const char *syscall, const struct sentry_reply *reply, int64_t result,
		       const char *tier, bool replayed, uint64_t latency_ns);

/* metrics.c */
int sentry_metrics_open(struct sentry *s, struct redirect_error **err);
void sentry_metrics_close(struct sentry *s);
void sentry_metrics_event(struct sentry *s);
void sentry_metrics_retire(struct sentry_sandbox *sb);
void sentry_metrics_count(struct sentry_sandbox *sb, int nr, int32_t error, uint64_t latency_ns);

/* control.c: the control socket (line-oriented JSON, libredirect.h) */
int sentry_control_open(struct sentry *s, struct redirect_error **err);
void sentry_control_close(struct sentry *s);
void sentry_control_accept(struct sentry *s);
short sentry_control_events(const struct sentry_ctl_conn *c);
void sentry_control_event(struct sentry *s, struct sentry_ctl_conn *c, short revents);
void sentry_control_expire(struct sentry *s, const struct timespec *now);

/* server.c */
/* A listening socket at path (mode 0600, non-blocking); a stale one is replaced. */
int sentry_listen(const char *path, int *fdp, ino_t *inop, struct redirect_error **err);
int sentry_check_existing(const char *path, struct redirect_error **err);
/* Close it; the path goes only while it is still ours. */
void sentry_unlisten(const char *path, int *fdp, ino_t ino);
int sentry_server_open(struct sentry *s, struct redirect_error **err);
void sentry_server_close(struct sentry *s);
void sentry_server_accept(struct sentry *s);
void sentry_conn_event(struct sentry *s, struct sentry_conn *c, short revents);
void sentry_conn_expire(struct sentry *s, const struct timespec *now);
int sentry_find_policy(struct sentry *s, const char *name, struct redirect_policy **policyp,
		       bool *owned, struct redirect_error **err);

/* sandbox.c: sandboxes and their references */
int sentry_sandbox_new(struct sentry *s, struct redirect_agent_msg *msg,
		       struct redirect_policy *policy, bool owns_policy,
		       struct redirect_error **err);
/*
 * A sandbox from its listener (taken over, always), attached and listed; in
 * portable mode put in custody, or under custody_key when custody gave it back.
 */
int sentry_sandbox_start(struct sentry *s, const char *id, const char *policy_name, pid_t pid,
			 int listener, const char *custody_key, struct redirect_policy *policy,
			 bool owns_policy, struct sentry_sandbox **sbp, struct redirect_error **err);
/* A sandbox not yet on the list, holding one reference; NULL: out of memory. */
struct sentry_sandbox *sentry_sandbox_alloc(const char *id, const char *policy_name);
struct sentry_sandbox *sentry_sandbox_get(struct sentry_sandbox *sb);
/* The last reference frees it (closes our listener copy, drops its conf). */
void sentry_sandbox_put(struct sentry_sandbox *sb);
struct sentry_sandbox *sentry_sandbox_find(struct sentry *s, uint32_t id);
/* Into the list and the table by id (the main thread). */
void sentry_sandbox_link(struct sentry *s, struct sentry_sandbox *sb);
/* The main thread only: sb's conf replaced (conf's reference taken over). */
void sentry_sandbox_set_conf(struct sentry_sandbox *sb, struct sentry_conf *conf);
/* A policy for sandboxes; owned: ours to free, else the default policy (shared). */
struct sentry_policy *sentry_policy_hold(struct sentry *s, struct redirect_policy *policy,
					 bool owned);
void sentry_policy_put(struct sentry_policy *pol);
struct sentry_policy *sentry_policy_get(struct sentry_policy *pol);
/* The policy that decides call name in sb: its filter's policy for a kept call. */
const struct redirect_policy *sentry_conf_policy_for(const struct sentry_sandbox *sb,
						     const char *name);
/* Takes over pol's reference and rs (both freed when out of memory: NULL). */
struct sentry_conf *sentry_conf_new(struct sentry_policy *pol, struct redirect_ruleset *rs);
struct sentry_conf *sentry_conf_get(struct sentry_conf *conf);
void sentry_conf_put(struct sentry_conf *conf);
void sentry_sandbox_end(struct sentry *s, struct sentry_sandbox *sb, const char *why);
/* Our listener copy polled: hang-up ends the sandbox. */
void sentry_sandbox_event(struct sentry *s, struct sentry_sandbox *sb, short revents);
/* What a reload did, for the control socket. */
struct sentry_reload_result {
	char default_error[256];	/* the default policy kept: why; else "" */
	unsigned int sandboxes, replaced, kept, keeping_handlers;
};
/* SIGHUP: reload every sandbox's policy, tier-1 rules swapped atomically. */
void sentry_reload(struct sentry *s, struct sentry_reload_result *r);

/* custody.c: state files (module mode), so that a restarted daemon adopts its sandboxes */
void sentry_state_write(struct sentry *s, const struct sentry_sandbox *sb);
void sentry_state_remove(struct sentry *s, const struct sentry_sandbox *sb);
int sentry_state_read(const char *path, uint32_t *id, char *policy, size_t psize,
		      char *container, size_t csize, pid_t *pid);
/* Adopt every sandbox in custody that a state file names. */
void sentry_adopt_all(struct sentry *s);
/* The policy an adopted sandbox ran under; one that no longer loads is logged, *policy NULL. */
void sentry_adopted_policy(struct sentry *s, const char *container, const char *name,
			   struct redirect_policy **policy, bool *owned);
/* Module mode: drop sandboxes the module no longer has. */
int sentry_ctl_open(struct redirect_ctl **ctlp);
void sentry_reconcile(struct sentry *s);

/* dispatch.c: the serving loop */
/* The session fd is readable: broker rounds until nothing is pending. */
void sentry_serve(struct sentry *s);
/* Decide one call (handlers or the default answer). */
int sentry_decide(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		  struct sentry_reply *reply, const char **namep, char *namebuf, size_t size);
/* Answer the request held in buf on sb->listener directly (tests). */
int sentry_dispatch(struct sentry_sandbox *sb, struct redirect_notif_buf *buf);
/* SECCOMP_IOCTL_NOTIF_ID_VALID through the session (or the listener). */
int sentry_id_valid(struct sentry_sandbox *sb, uint64_t id);
/* In a worker: decide the call on its view, answer it, log it. */
void sentry_call_run(struct sentry_call *c, struct redirect_notif_buf *buf);
void sentry_call_free(struct sentry_call *c);

/* fdcustody.c: portable mode's custody (systemd's fd store or the keeper) */
int sentry_custody_parse(const char *arg, enum sentry_custody *kind);
/* Pick and reach the custody (spawning the keeper); before any sandbox. */
int sentry_custody_open(struct sentry *s, struct redirect_error **err);
/* Adopt the sandboxes whose listeners custody hands back. */
void sentry_custody_adopt(struct sentry *s);
void sentry_custody_key_new(char key[SENTRY_KEY_MAX]);
/* A copy of sb's listener to custody, under sb->custody_key. */
void sentry_custody_hold(struct sentry *s, struct sentry_sandbox *sb);
/* sb ended: custody lets go of its listener. */
void sentry_custody_release(struct sentry *s, struct sentry_sandbox *sb);
/* The keeper connection polled: a keeper gone is replaced. */
void sentry_custody_event(struct sentry *s, short revents);
void sentry_custody_close(struct sentry *s);

/* keeper.c: the keeper process (usersentry --keeper) and its protocol */
bool sentry_custody_key_valid(const char *key);
int sentry_keeper_main(const char *path, unsigned int linger_ms);
/* A connection to the keeper at path, or -errno (-ECONNREFUSED, -ENOENT: none there). */
int sentry_keeper_connect(const char *path);
int sentry_keeper_send(int sock, const char *verb, const char *key, int fd);
int sentry_keeper_recv(int sock, char *line, int *fd);

/* rewake.c: calls read by a dead daemon, notified again */
void sentry_kick_tree(pid_t root);

/* workers.c: the pool that answers calls whose handlers may block */
struct sentry_pool_stats {
	unsigned int max, workers, busy, queued;
	uint64_t started, exited, pooled, inline_full;
};
void sentry_pool_init(unsigned int max_workers, unsigned int idle_ms);
bool sentry_pool_enabled(void);
/* 0: a worker will answer it (the pool owns c); -errno: answer it inline. */
int sentry_pool_submit(struct sentry_call *c);
/* Interrupt workers blocked on calls of ended sandboxes (sb, or all ended: NULL). */
void sentry_pool_kick(const struct sentry_sandbox *sb);
/* Calls of ended sandboxes still in workers (the main loop kicks them again). */
unsigned int sentry_pool_stuck(void);
/* Drop queued calls, wait up to grace_ms for running ones; returns those left. */
unsigned int sentry_pool_stop(unsigned int grace_ms);
void sentry_pool_stats(struct sentry_pool_stats *st);

/* uname.c */
void sentry_uname_init(void);
int sentry_handle_uname(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
/* The virtual utsname of a policy (struct new_utsname layout: 6 x 65); fields it
 * leaves out come from @pid's UTS namespace (0, or sentry_uname_build(): ours). */
void sentry_uname_build_for(const struct redirect_policy *policy, pid_t pid,
			    char fields[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN]);
void sentry_uname_build(const struct redirect_policy *policy,
			char fields[REDIRECT_UNAME_NR_FIELDS][REDIRECT_UNAME_LEN]);

/*
 * The kernel section's identity as synthetic files (synthfile.c): content
 * functions of struct sentry_synth_file.
 */
int sentry_kernel_proc_version(const struct sentry_sandbox *sb, pid_t pid, char **data,
			       size_t *len);
int sentry_kernel_osrelease(const struct sentry_sandbox *sb, pid_t pid, char **data, size_t *len);
int sentry_kernel_version(const struct sentry_sandbox *sb, pid_t pid, char **data, size_t *len);

/*
 * synthfile.c: read-only synthetic files served in place of a path's real
 * one (its header comment is the API's documentation).
 */
struct sentry_synth_file {
	const char *path;	/* in the container: absolute, normalised */
	/* 1: *data (malloc'ed, *len bytes) is served; 0: the real file is; -errno */
	int (*content)(const struct sentry_sandbox *sb, pid_t pid, char **data, size_t *len);
};
/* path (the container's, /proc/self made the target's) as a synthetic file: 1, 0 or -errno. */
int sentry_synth_find(const struct sentry_sandbox *sb, pid_t pid, const char *path,
		      char **data, size_t *len);
/* An open (flags as open's) of data: 0 with reply->addfd set, or the call's -errno. */
int sentry_synth_open(const void *data, size_t len, uint64_t flags, struct sentry_reply *reply);
/* A sealed, read-only memfd holding data (mode 0444), or -errno. */
int sentry_synth_memfd(const void *data, size_t len);
/* A synthetic file's st_mode: the real one's type, read bits only. */
mode_t sentry_synth_mode(mode_t mode);

/* files_open.c: open, openat, openat2, creat within the policy's file rules */
int sentry_handle_open(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply);
int sentry_handle_openat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply);
int sentry_handle_openat2(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply);

/* files_changes.c: changes within the file rules (on the resolved parent, as the target) */
int sentry_handle_mkdir(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
int sentry_handle_mkdirat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply);
int sentry_handle_unlink(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply);
int sentry_handle_rmdir(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
int sentry_handle_unlinkat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply);
/* rename, renameat and renameat2 (flags from the fifth argument) */
int sentry_handle_rename(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply);
int sentry_handle_renameat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply);

/*
 * files_lookups.c: lookups under the file rules, performed on an O_PATH fd
 * resolved in the target's root; results (struct stat, statx, link text)
 * written back: stat/lstat, newfstatat, statx, access/faccessat/faccessat2,
 * readlink/readlinkat.
 */
int sentry_handle_stat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply);
int sentry_handle_newfstatat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			     struct sentry_reply *reply);
int sentry_handle_statx(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
int sentry_handle_access(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply);
int sentry_handle_readlink(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply);
/* files_changes.c: chmod/fchmodat/fchmodat2, chown/lchown/fchownat on the resolved inode */
#define SENTRY_NR_FCHMODAT2 452
int sentry_handle_chmod(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
int sentry_handle_chown(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
/* truncate, utimensat (a NULL path: the dirfd), creat, mknod(at), symlink(at), link(at) */
int sentry_handle_truncate(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply);
int sentry_handle_utimensat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			    struct sentry_reply *reply);
int sentry_handle_creat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
int sentry_handle_mknod(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
int sentry_handle_symlink(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply);
int sentry_handle_link(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply);
/* files_lookups.c: statfs */
int sentry_handle_statfs(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply);
/* files_changes.c: fchmod and fchown by what the fd is; utime, utimes, futimesat */
int sentry_handle_fchmod(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply);
int sentry_handle_utimes(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply);
/* files_xattr.c: each for its path, l and f spellings */
int sentry_handle_getxattr(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply);
int sentry_handle_listxattr(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			    struct sentry_reply *reply);
int sentry_handle_setxattr(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply);
int sentry_handle_removexattr(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			      struct sentry_reply *reply);
/* files_onfd.c: on a copy of the target's socket or inotify fd */
int sentry_handle_bind(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		       struct sentry_reply *reply);
int sentry_handle_inotify_add_watch(struct sentry_sandbox *sb, const struct seccomp_notif *req,
				    struct sentry_reply *reply);
/* files_checked.c: chdir, execve, execveat checked then continued; the refused calls */
bool sentry_exec_guarded(const struct sentry_sandbox *sb);
int sentry_handle_chdir(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
int sentry_handle_execve(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply);
int sentry_handle_refused(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply);

/*
 * files_mount.c: mount (allowlisted types at allowlisted targets, bind mounts if
 * the policy says so) and umount2, in a child that enters the target's
 * mount namespace; never over a hidden or read-only path.
 */
int sentry_handle_mount(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);
int sentry_handle_umount2(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply);

/*
 * files_path.c: call fn with "/proc/self/fd/N" naming the inode that path (the
 * caller's copy) resolves to in the target's root and cwd, under the file
 * rules, as the target's fsuid/fsgid; its result (0 or -errno) is the reply.
 */
int sentry_path_call(struct sentry_sandbox *sb, const struct seccomp_notif *req, const char *path,
		     int (*fn)(void *arg, const char *procpath), void *arg,
		     struct sentry_reply *reply);

/*
 * dents.c: getdents64 and getdents under hidden file rules, performed on a
 * copy of the target's fd; the hidden names are left out of the listing.
 */
int sentry_handle_getdents64(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			     struct sentry_reply *reply);
int sentry_handle_getdents(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			   struct sentry_reply *reply);
/* struct linux_dirent64 (d_type before d_name) and x86-64's struct linux_dirent */
#define DENTS_RECLEN_OFF 16
#define DENTS64_NAME_OFF 19
#define DENTS_OLD_NAME_OFF 18
/*
 * Drop in place the records of a getdents64 (old_layout: getdents) buffer
 * of len bytes whose name hide() refuses.  Returns the length left, or
 * -EIO for a record that is not one (short, overlong, no NUL, no name).
 */
int sentry_dents_filter(void *buf, size_t len, bool old_layout,
			bool (*hide)(void *arg, const char *name), void *arg);

/* net.c: connect and sendto against the connect rules, performed on a copy of the socket */
int sentry_handle_connect(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply);
int sentry_handle_sendto(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			 struct sentry_reply *reply);

/* creds.c: acting as the target, on the calling thread only */
struct sentry_creds {
	uid_t fsuid, ruid;
	gid_t fsgid, rgid;
	pid_t ns_tgid, ns_tid;	/* as the target's own pid namespace numbers them */
	uint64_t cap_eff;
	gid_t groups[64];
	int ngroups;
	mode_t umask;
};
/* From /proc/PID/status: 0, or -ESRCH when it cannot be read whole. */
int sentry_creds_read(pid_t pid, struct sentry_creds *c);
void sentry_become(const struct sentry_creds *c, mode_t *old_umask);
void sentry_unbecome(mode_t old_umask);

/* target.c: the target's memory and fds, each access followed by ID_VALID */
ssize_t sentry_read_mem(pid_t pid, uint64_t addr, void *buf, size_t len);
/*
 * @buf written into the target at @addr, after ID_VALID, with
 * process_vm_writev(): the target's page protections apply, so a read-only
 * or unmapped buffer is -EFAULT as with the kernel's own copy_to_user (a
 * part may have been written, as there).  -ENOENT: the call is gone; other
 * -errno: we may not write there (the handler fails).  The write names the
 * target by pid: were it killed between ID_VALID and the write, its pid
 * would have to be reused within those microseconds, which takes pid_max
 * new tasks (pids are allocated cyclically).
 */
int sentry_write_target(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			uint64_t addr, const void *buf, size_t len);
/*
 * The NUL-terminated string at @addr, read page by page and at most once per
 * call (@strs): 0, -EFAULT, -ESRCH, or -ENAMETOOLONG when it does not fit
 * @size with its NUL.
 */
int sentry_read_str(struct sentry_strs *strs, pid_t pid, uint64_t addr, char *buf, size_t size);
/* The same, in the shape of the tier-1 engine's reader (ctx: a struct sentry_str_ctx). */
struct sentry_str_ctx {
	struct sentry_strs *strs;
	pid_t pid;
};
long sentry_fetch_str(void *ctx, uint64_t addr, char *buf, size_t size);
/* The thread group of a thread (Tgid in /proc/TID/status), or -1. */
pid_t sentry_tgid(pid_t tid);
/* A copy of the target's fd (pidfd_getfd); -EBADF, or -ENOENT when the call is gone. */
int sentry_target_fd(struct sentry_sandbox *sb, const struct seccomp_notif *req, int fd,
		     int *outp);

/* abi.c: the abi section's calls without a file handler (cachestat, mseal) */
int sentry_handle_cachestat(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			    struct sentry_reply *reply);
int sentry_handle_mseal(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			struct sentry_reply *reply);

/* sysinfo.c */
int sentry_handle_sysinfo(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			  struct sentry_reply *reply);
/* Centiseconds since pid started (boot-based, as /proc/uptime counts); -errno. */
long long sentry_started_ago_cs(pid_t pid);

/* cgroup.c: a target's cgroups, v2 or v1's hierarchy per controller */
enum sentry_cg_ctl {
	SENTRY_CG_MEMORY, SENTRY_CG_CPU, SENTRY_CG_CPUSET, SENTRY_CG_CPUACCT, SENTRY_CG_PIDS,
	SENTRY_CG_BLKIO,	/* v2's io, v1's blkio */
	SENTRY_CG_PSI,		/* the v2 cgroup (pressure files), whatever the controllers */
	SENTRY_CG_NR
};
struct sentry_cgroup {
	struct {
		char dir[PATH_MAX];	/* "": none */
		size_t base_len;	/* the hierarchy's root: not a limit of its own */
		bool v1;
	} c[SENTRY_CG_NR];
};
/* From /proc/PID/cgroup (paths outside our cgroup namespace left out); -errno. */
int sentry_cgroup_of(pid_t pid, struct sentry_cgroup *cg);
/* A small file whole, NUL-terminated: its length, or -errno. */
int sentry_read_small(const char *path, char *buf, size_t size);
/* A cgroup file holding a number, "max" or v1's "-1" (both UINT64_MAX); -errno. */
int sentry_cg_read_u64(const char *dir, const char *file, uint64_t *v);

enum {
	SENTRY_MEMSTAT_ANON, SENTRY_MEMSTAT_FILE, SENTRY_MEMSTAT_SHMEM, SENTRY_MEMSTAT_MAPPED,
	SENTRY_MEMSTAT_DIRTY, SENTRY_MEMSTAT_WRITEBACK, SENTRY_MEMSTAT_ACTIVE_ANON,
	SENTRY_MEMSTAT_INACTIVE_ANON, SENTRY_MEMSTAT_ACTIVE_FILE, SENTRY_MEMSTAT_INACTIVE_FILE,
	SENTRY_MEMSTAT_UNEVICTABLE, SENTRY_MEMSTAT_SLAB_RECLAIMABLE,
	SENTRY_MEMSTAT_SLAB_UNRECLAIMABLE, SENTRY_MEMSTAT_NR
};
/* Memory as the target's cgroup limits it: what sysinfo(2) and /proc/meminfo both show. */
struct sentry_cg_memory {
	bool limited;		/* an ancestor's limit is below the machine's memory */
	uint64_t total, used;	/* that ancestor's limit and usage (used <= total), bytes */
	uint64_t stat[SENTRY_MEMSTAT_NR];	/* its memory.stat, bytes */
	unsigned int has_stat;	/* 1 << SENTRY_MEMSTAT_*: the key was there */
	bool swap_limited;	/* memory.swap.max (v1: memsw) below the machine's swap */
	uint64_t swap_total, swap_used;
};
void sentry_cgroup_memory(const struct sentry_cgroup *cg, uint64_t machine, uint64_t machine_swap,
			  struct sentry_cg_memory *m);
uint64_t sentry_cg_memory_free(const struct sentry_cg_memory *m);
uint64_t sentry_cg_memory_available(const struct sentry_cg_memory *m);

#define SENTRY_VIEW_CPUS_MAX 1024
/* The CPUs the target may use, and how many of them its quota pays for. */
struct sentry_cg_cpu {
	int cpus[SENTRY_VIEW_CPUS_MAX];	/* the cpuset's online CPUs, ascending */
	int n_cpus;			/* 0: unknown (the host's view stays) */
	int quota_cpus;			/* ceil(quota / period), the smallest up the tree; 0: none */
	int shown;			/* min(n_cpus, quota_cpus): the first ones are shown */
	uint64_t usage_us;		/* CPU time the cgroup used */
	bool has_usage;
};
void sentry_cgroup_cpu(const struct sentry_cgroup *cg, struct sentry_cg_cpu *c);
/* "0-3,8" into ascending numbers: how many, or -EINVAL / -E2BIG. */
int sentry_cpulist_parse(const char *s, int *cpus, int max);

/* The cgroup's block I/O per device: v2's io.stat, v1's blkio.throttle counters. */
#define SENTRY_IO_DEVS_MAX 256
struct sentry_cg_io_dev {
	unsigned int major, minor;
	uint64_t rbytes, wbytes, dbytes, rios, wios, dios;
};
struct sentry_cg_io {
	bool has;		/* the cgroup accounts I/O (false: the host's figures stay) */
	int n;
	struct sentry_cg_io_dev dev[SENTRY_IO_DEVS_MAX];
};
/*
 * Parsers of the files' text into io (added to what it holds): a line that
 * does not parse (no "MAJ:MIN", a number that is none or overflows) is
 * left out whole; devices past SENTRY_IO_DEVS_MAX too.
 */
void sentry_cg_io_parse_v2(const char *io_stat, struct sentry_cg_io *io);
void sentry_cg_io_parse_v1(const char *serviced, const char *service_bytes, struct sentry_cg_io *io);
/* The target's io cgroup's figures; io->has false at the root or without the files. */
void sentry_cgroup_io(const struct sentry_cgroup *cg, struct sentry_cg_io *io);

/*
 * views.c: each view's text written to out, from the host's own file and
 * the cgroup's figures; nothing is read here.  Without a limit (m not
 * limited, n <= 0) the host's text is written unchanged.  The CPUs shown
 * are cpus[0..n-1] (host numbers), renumbered from 0.
 */
#include <stdio.h>
int sentry_view_meminfo(FILE *out, const char *host, const struct sentry_cg_memory *m);
int sentry_view_cpuinfo(FILE *out, const char *host, const int *cpus, int n);
int sentry_view_stat(FILE *out, const char *host, const int *cpus, int n);
int sentry_view_cpu_online(FILE *out, int n);
int sentry_view_uptime(FILE *out, uint64_t up_cs, uint64_t idle_cs);
int sentry_view_loadavg(FILE *out, const double avg[3], unsigned int running, unsigned int total,
			int last_pid);
int sentry_view_swaps(FILE *out, const char *host, const struct sentry_cg_memory *m);
int sentry_view_diskstats(FILE *out, const char *host, const struct sentry_cg_io *io);
/*
 * views_build.c: the view of path (a redirect_view's) for the task pid,
 * generated now from its cgroup: 1 with *data (malloc'ed, *len bytes), 0
 * when the policy does not serve it, or -errno.  The rows of synthfile.c
 * call it through one content function per file.
 */
int sentry_view_content(const struct sentry_sandbox *sb, pid_t pid, const char *path,
			char **data, size_t *len);
#define SENTRY_VIEWFILE(name) \
	int sentry_viewfile_##name(const struct sentry_sandbox *sb, pid_t pid, char **data, \
				   size_t *len)
SENTRY_VIEWFILE(meminfo);
SENTRY_VIEWFILE(cpuinfo);
SENTRY_VIEWFILE(stat);
SENTRY_VIEWFILE(cpu_online);
SENTRY_VIEWFILE(uptime);
SENTRY_VIEWFILE(loadavg);
SENTRY_VIEWFILE(swaps);
SENTRY_VIEWFILE(pressure_cpu);
SENTRY_VIEWFILE(pressure_memory);
SENTRY_VIEWFILE(pressure_io);
SENTRY_VIEWFILE(diskstats);

/* sdnotify.c */
/* One fd as SCM_RIGHTS on mh, in cm (the caller's, alive until it is sent). */
union sentry_cmsg_fd {
	struct cmsghdr h;
	char buf[CMSG_SPACE(sizeof(int))];
};
void sentry_msg_attach_fd(struct msghdr *mh, union sentry_cmsg_fd *cm, int fd);
int sentry_sd_notify(const char *state);
int64_t sentry_watchdog_init(void);
void sentry_watchdog_kick(void);
int sentry_watchdog_timeout(int timeout_ms);
/* state with fd as SCM_RIGHTS (the fd store) */
int sentry_sd_notify_fd(const char *state, int fd);
bool sentry_sd_notify_present(void);
/* LISTEN_FDS: their number, *names (malloc'ed) as LISTEN_FDNAMES gives them */
int sentry_sd_listen_fds(char ***names);

#endif /* USERSENTRY_SENTRY_H */
