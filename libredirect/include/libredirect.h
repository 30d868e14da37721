/* SPDX-License-Identifier: GPL-2.0 */
/* libredirect: policies, seccomp filters, the OCI seccomp-agent protocol and the launcher. */
#ifndef LIBREDIRECT_H
#define LIBREDIRECT_H

/*
 * Conventions
 *
 * Every fallible function returns 0 (or a non-negative value where said) on
 * success and a negative errno value on failure.  Its last parameter is an
 * error out-parameter: on failure, when it is not NULL, *err receives a newly
 * allocated struct redirect_error that the caller releases with
 * redirect_error_free().  On success *err is left untouched.  Passing NULL
 * is allowed everywhere; the return value alone then tells what went wrong.
 *
 * Handles (struct redirect_policy, struct redirect_filter, ...) are opaque
 * and owned by the caller that created them.  Nothing here is thread-safe
 * on one handle; distinct handles may be used from distinct threads.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/seccomp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

/**
 * struct redirect_error - what went wrong
 * @errnum: positive errno value (the negated return value of the call)
 * @msg: human-readable message, already naming the object at fault
 *       (file, JSON path, socket, ...); never NULL
 */
struct redirect_error {
	int errnum;
	char *msg;
};

/* Release an error object; NULL is a no-op. */
void redirect_error_free(struct redirect_error *err);

/*
 * redirect_error_set() - build an error the same way the library does
 * For programs built on the library, so their errors go through the same
 * path.  Fills *err (when err is not NULL) and returns -errnum.
 */
int redirect_error_set(struct redirect_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Library version string, e.g. "0.1.0". */
const char *redirect_version(void);

/* ---- mode ---------------------------------------------------------------- */

enum redirect_mode {
	/* /dev/redirect absent: the daemon works on the listener directly */
	REDIRECT_MODE_PORTABLE = 0,
	/* /dev/redirect present: the kernel fast path is available */
	REDIRECT_MODE_MODULE = 1,
};

/*
 * redirect_mode_detect() - find out which mode this machine supports
 *
 * Looks for /dev/redirect.  Returns 0 and sets *mode; -errno only when the
 * probe itself fails for a reason other than the device being absent.
 */
int redirect_mode_detect(enum redirect_mode *mode, struct redirect_error **err);

/* "portable mode" or "module mode". */
const char *redirect_mode_name(enum redirect_mode mode);

/* ---- policies ------------------------------------------------------------ */

/*
 * A policy is one JSON file: an OCI / Docker seccomp profile (defaultAction,
 * defaultErrnoRet, architectures or archMap, flags, syscalls[] with names,
 * action, errnoRet, args[] {index, value, valueTwo, op}, comment, includes,
 * excludes; listenerPath and listenerMetadata are accepted and ignored) plus
 * an optional "redirect" section:
 *
 *   "redirect": {
 *     "notify": ["getppid", ...],        extra calls to hand to the Sentry
 *     "sentry": {
 *       "default": "errno:ENOSYS",        answer for notified calls without
 *                                         a handler: "errno:NAME",
 *                                         "errno:NUMBER" or "continue"
 *       "uname": {                        enables the uname handler; fields
 *         "sysname": "...", "nodename": "...", "release": "...",
 *         "version": "...", "machine": "...", "domainname": "..."
 *       }                                 left out come from the host
 *     }
 *   }
 *
 * Every syscall with a Sentry handler, every name in redirect.notify and
 * every syscall the profile itself gives SCMP_ACT_NOTIFY is notified.  For a
 * notified syscall the profile's own rules are replaced.  Unknown keys are
 * rejected everywhere; syscall names unknown to libseccomp are ignored in
 * the profile part (as runc does) but rejected in the redirect section.
 * Capability conditions (includes/excludes.caps) are evaluated against an
 * empty capability set for now.
 *
 * Errors name the origin, the JSON path and the problem, e.g.
 *   "p.json: syscalls[3].action: unknown action "SCMP_ACT_FOO""
 */
struct redirect_policy;

#define REDIRECT_POLICY_MAX_SIZE (4u << 20)
#define REDIRECT_UNAME_LEN 65	/* as in struct utsname, with the NUL */

/*
 * redirect_policy_load_file() - read and validate a policy file
 *
 * The policy's name is the file's base name without ".json".
 * Errors: -ENOENT/-EACCES/... opening or reading, -EFBIG larger than
 * REDIRECT_POLICY_MAX_SIZE, -EINVAL invalid JSON or invalid policy.
 */
int redirect_policy_load_file(const char *path, struct redirect_policy **policyp,
			      struct redirect_error **err);

/*
 * redirect_policy_load_buffer() - validate a policy held in memory
 * @origin: used in messages and as the policy's name (may be NULL: "policy")
 *
 * The buffer need not be NUL-terminated.  Errors: -EFBIG, -EINVAL.
 */
int redirect_policy_load_buffer(const char *buf, size_t len, const char *origin,
				struct redirect_policy **policyp,
				struct redirect_error **err);

void redirect_policy_free(struct redirect_policy *policy);

/* The name agents use to find this policy (metadata). */
const char *redirect_policy_name(const struct redirect_policy *policy);

enum redirect_uname_field {
	REDIRECT_UNAME_SYSNAME,
	REDIRECT_UNAME_NODENAME,
	REDIRECT_UNAME_RELEASE,
	REDIRECT_UNAME_VERSION,
	REDIRECT_UNAME_MACHINE,
	REDIRECT_UNAME_DOMAINNAME,
	REDIRECT_UNAME_NR_FIELDS,
};

/* True when the policy enables the Sentry's uname handler. */
bool redirect_policy_has_uname(const struct redirect_policy *policy);

/* The virtual value of one uname field, or NULL when the host's is used. */
const char *redirect_policy_uname(const struct redirect_policy *policy,
				  enum redirect_uname_field field);

enum redirect_verdict_kind {
	REDIRECT_VERDICT_ERRNO,		/* fail the call with errnum */
	REDIRECT_VERDICT_CONTINUE,	/* let the kernel run the call */
};

struct redirect_verdict {
	enum redirect_verdict_kind kind;
	int errnum;			/* positive, for REDIRECT_VERDICT_ERRNO */
};

/* The answer for notified calls that no handler takes. */
void redirect_policy_default_verdict(const struct redirect_policy *policy,
				     struct redirect_verdict *verdict);

/* Number of notified syscall names, and the i-th of them. */
size_t redirect_policy_notify_count(const struct redirect_policy *policy);
const char *redirect_policy_notify_name(const struct redirect_policy *policy, size_t i);

/* Writes "errno:ENOSYS" or "continue" into buf; returns buf. */
const char *redirect_verdict_format(const struct redirect_verdict *verdict,
				    char *buf, size_t size);

/* ---- seccomp filters ----------------------------------------------------- */

struct redirect_filter;

/*
 * redirect_filter_compile() - turn a policy into a cBPF program
 * @flags: 0 (reserved)
 *
 * Uses libseccomp with binary-tree optimisation; SCMP_ACT_NOTIFY for every
 * notified syscall.  The program is exported at once, so loading it later
 * (redirect_filter_load()) allocates nothing and is safe after fork().
 * Errors: -EINVAL flags or a rule libseccomp refuses, -EOPNOTSUPP the
 * kernel lacks user notification, -ENOMEM.
 */
int redirect_filter_compile(const struct redirect_policy *policy, unsigned int flags,
			    struct redirect_filter **filterp, struct redirect_error **err);

void redirect_filter_free(struct redirect_filter *filter);

/* Number of cBPF instructions. */
size_t redirect_filter_length(const struct redirect_filter *filter);

/* True when the program can return SECCOMP_RET_USER_NOTIF. */
bool redirect_filter_notifies(const struct redirect_filter *filter);

/* Write the program in libseccomp's pseudo-filter-code text form to fd. */
int redirect_filter_export_pfc(const struct redirect_policy *policy, int fd,
			       struct redirect_error **err);

/*
 * redirect_filter_load() - install the filter on the calling thread
 * @listener_fd: receives the new listener (close-on-exec) when the filter
 *               notifies, else -1; may be NULL only when it does not
 *
 * The caller must have set no_new_privs or hold CAP_SYS_ADMIN.
 * Async-signal-safe when err is NULL.  Errors are the seccomp(2) ones.
 */
int redirect_filter_load(const struct redirect_filter *filter, int *listener_fd,
			 struct redirect_error **err);

/* ---- OCI seccomp-agent protocol --------------------------------------------- */

/*
 * What runc (>= 1.1) sends to linux.seccomp.listenerPath: one message on a
 * Unix SOCK_STREAM connection, whose bytes are the JSON of the runtime
 * spec's ContainerProcessState and whose SCM_RIGHTS carry the fds named in
 * "fds" (runc: exactly one, "seccompFd"):
 *
 *   {"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":4242,
 *    "metadata":"default",
 *    "state":{"ociVersion":"1.0.2-dev","id":"c1","status":"running",
 *             "pid":4242,"bundle":"/run/b","annotations":{"k":"v"}}}
 *
 * The sender closes the connection afterwards; no answer is sent.
 * "metadata" and state's "pid" and "annotations" may be absent.
 */
#define REDIRECT_OCI_VERSION "1.0.2-dev"
#define REDIRECT_SECCOMP_FD_NAME "seccompFd"
#define REDIRECT_AGENT_MSG_MAX (1u << 20)	/* bytes */
#define REDIRECT_AGENT_FDS_MAX 16

struct redirect_agent_msg;

/*
 * redirect_agent_msg_new() - start a message to send
 * @id: container / sandbox id; @pid: the process that owns the filter
 * Status defaults to "running", bundle to "/", no metadata.
 */
int redirect_agent_msg_new(const char *id, pid_t pid, struct redirect_agent_msg **msgp,
			   struct redirect_error **err);
int redirect_agent_msg_set_metadata(struct redirect_agent_msg *msg, const char *metadata,
				    struct redirect_error **err);
int redirect_agent_msg_set_bundle(struct redirect_agent_msg *msg, const char *bundle,
				  struct redirect_error **err);
int redirect_agent_msg_set_pid(struct redirect_agent_msg *msg, pid_t pid,
			       struct redirect_error **err);
int redirect_agent_msg_set_annotation(struct redirect_agent_msg *msg, const char *key,
				      const char *value, struct redirect_error **err);

/*
 * redirect_agent_msg_serialize() - the JSON bytes of a message
 * *bufp is malloc()ed and NUL-terminated; *lenp excludes the NUL.
 */
int redirect_agent_msg_serialize(const struct redirect_agent_msg *msg, char **bufp,
				 size_t *lenp, struct redirect_error **err);

/*
 * redirect_agent_msg_parse() - validate received bytes and fds
 * @fds, @nfds: the descriptors that came with the bytes, in SCM_RIGHTS order
 *
 * Takes ownership of every fd, always: on success the one named
 * "seccompFd" belongs to the message and the others are closed; on failure
 * all are closed.  Unknown keys are ignored (newer runtimes may add some).
 * Errors: -EMSGSIZE over REDIRECT_AGENT_MSG_MAX, -EBADMSG malformed or
 * missing fields, fd count not matching "fds", no or several "seccompFd".
 */
int redirect_agent_msg_parse(const void *buf, size_t len, int *fds, size_t nfds,
			     struct redirect_agent_msg **msgp, struct redirect_error **err);

/* Closes the listener still owned by the message. */
void redirect_agent_msg_free(struct redirect_agent_msg *msg);

const char *redirect_agent_msg_oci_version(const struct redirect_agent_msg *msg);
const char *redirect_agent_msg_id(const struct redirect_agent_msg *msg);
const char *redirect_agent_msg_status(const struct redirect_agent_msg *msg);
const char *redirect_agent_msg_bundle(const struct redirect_agent_msg *msg);
/* NULL when absent. */
const char *redirect_agent_msg_metadata(const struct redirect_agent_msg *msg);
const char *redirect_agent_msg_annotation(const struct redirect_agent_msg *msg,
					  const char *key);
/* "pid" (the process), and state's "pid" (0 when absent). */
pid_t redirect_agent_msg_pid(const struct redirect_agent_msg *msg);
pid_t redirect_agent_msg_state_pid(const struct redirect_agent_msg *msg);
/* The listener the message owns (-1 once taken); take hands it over. */
int redirect_agent_msg_listener(const struct redirect_agent_msg *msg);
int redirect_agent_msg_take_listener(struct redirect_agent_msg *msg);

/* Connect to an agent socket (SOCK_STREAM, close-on-exec); returns the fd. */
int redirect_agent_connect(const char *path, struct redirect_error **err);

/*
 * redirect_agent_send() - send a message and a listener on a connected socket
 * Sends bytes and the fd in one sendmsg(), as runc does; the caller closes.
 */
int redirect_agent_send(int sockfd, const struct redirect_agent_msg *msg, int listener_fd,
			struct redirect_error **err);

/* The same with bytes already serialised; async-signal-safe when err is NULL. */
int redirect_agent_send_raw(int sockfd, const void *buf, size_t len, int listener_fd,
			    struct redirect_error **err);

/*
 * Incremental receiver for an accepted agent connection, for event loops.
 * The message ends with the first complete JSON value (runc then closes).
 */
struct redirect_agent_reader;

/* @sockfd stays the caller's; it should be non-blocking for event loops. */
int redirect_agent_reader_new(int sockfd, struct redirect_agent_reader **readerp,
			      struct redirect_error **err);

/*
 * redirect_agent_reader_read() - read what is available
 * Returns 1 when the message is complete, 0 when more is to come (EAGAIN),
 * negative on error: -EMSGSIZE too large, -EBADMSG bad JSON, trailing
 * bytes, truncated message (EOF first), fds beyond REDIRECT_AGENT_FDS_MAX or
 * truncated control data, other -errno from recvmsg().
 */
int redirect_agent_reader_read(struct redirect_agent_reader *reader,
			       struct redirect_error **err);

/* Parse the complete message; hands the received fds to it (see _parse). */
int redirect_agent_reader_finish(struct redirect_agent_reader *reader,
				 struct redirect_agent_msg **msgp, struct redirect_error **err);

/* Closes any fd received and not handed over. */
void redirect_agent_reader_free(struct redirect_agent_reader *reader);

/* Blocking convenience: read one message from sockfd and parse it. */
int redirect_agent_recv(int sockfd, struct redirect_agent_msg **msgp,
			struct redirect_error **err);

/* ---- seccomp user notification (portable mode) ------------------------------- */

/*
 * Raw ioctls on a listener.  libseccomp's wrappers fold errors into
 * -ECANCELED; these return the kernel's errno.  -ENOENT from RECV, SEND and
 * ID_VALID is normal: the target died or the call was already answered.
 */
struct redirect_notif_buf;

/* Buffers sized for the running kernel (SECCOMP_GET_NOTIF_SIZES). */
int redirect_notif_buf_new(struct redirect_notif_buf **bufp, struct redirect_error **err);
void redirect_notif_buf_free(struct redirect_notif_buf *buf);

/* The request last received into buf. */
const struct seccomp_notif *redirect_notif_req(const struct redirect_notif_buf *buf);

/*
 * redirect_notif_recv() - SECCOMP_IOCTL_NOTIF_RECV into a zeroed buffer
 * Blocks until a request is pending.  -ENOENT: nothing to take after all
 * (target gone); -EINTR: interrupted.
 */
int redirect_notif_recv(int listener, struct redirect_notif_buf *buf,
			struct redirect_error **err);

/* SECCOMP_IOCTL_NOTIF_ID_VALID: 0 while the request is alive, else -ENOENT. */
int redirect_notif_id_valid(int listener, uint64_t id, struct redirect_error **err);

/*
 * redirect_notif_send() - SECCOMP_IOCTL_NOTIF_SEND
 * @val, @error: the call's result: error is 0 or a negative errno
 * @flags: 0 or SECCOMP_USER_NOTIF_FLAG_CONTINUE (then val and error are 0)
 * -ENOENT: the target is gone; -EINPROGRESS: not received first.
 */
int redirect_notif_send(int listener, struct redirect_notif_buf *buf, uint64_t id,
			int64_t val, int32_t error, uint32_t flags,
			struct redirect_error **err);

/* Reply with a verdict (errno or continue). */
int redirect_notif_send_verdict(int listener, struct redirect_notif_buf *buf, uint64_t id,
				const struct redirect_verdict *verdict,
				struct redirect_error **err);

/*
 * redirect_notif_set_sync_wakeup() - SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
 * Wakes the target on the replying CPU (Linux 6.6+).  -EOPNOTSUPP when the
 * kernel lacks it.
 */
int redirect_notif_set_sync_wakeup(int listener, struct redirect_error **err);

/*
 * redirect_listener_check() - is fd a seccomp listener?
 * True only for the kernel's "seccomp notify" anonymous-inode files, which
 * only the kernel can create.  -ENOTTY (with a message) when it is not.
 */
int redirect_listener_check(int fd, struct redirect_error **err);

/* Name of a syscall number for an audit arch (SCMP_ARCH_*), or NULL. */
const char *redirect_syscall_name(uint32_t arch, int nr, char *buf, size_t size);

/* ---- launcher -------------------------------------------------------------------- */

/*
 * Runs one command under a policy's filter, the way runc starts a container
 * process: in the child, set no_new_privs, install the filter with a new
 * listener, send the listener to the agent socket with the runc message
 * (metadata = the policy's name unless set), close it and exec.  No answer
 * is awaited: notified calls simply wait until the agent takes over.
 * Requirement: the filter must allow the child's own sendmsg, close and
 * execve; policies notifying those are refused.
 */
struct redirect_launcher;

int redirect_launcher_new(const struct redirect_policy *policy,
			  struct redirect_launcher **launcherp, struct redirect_error **err);
void redirect_launcher_free(struct redirect_launcher *launcher);

/* Required when the filter notifies. */
int redirect_launcher_set_agent_socket(struct redirect_launcher *launcher, const char *path,
				       struct redirect_error **err);
/* Default "redirect-run-<pid>". */
int redirect_launcher_set_sandbox_id(struct redirect_launcher *launcher, const char *id,
				     struct redirect_error **err);
/* Default: the policy's name. */
int redirect_launcher_set_metadata(struct redirect_launcher *launcher, const char *metadata,
				   struct redirect_error **err);

/*
 * redirect_launcher_spawn() - start argv[0] (searched in PATH) sandboxed
 * @pidp: receives the child's pid
 *
 * Returns once the child has exec'd, or fails with the child's reason:
 * -ENOENT/-EACCES for the command, -ECONNREFUSED etc. for the agent,
 * seccomp errors for the filter.  The child is reaped on failure.
 */
int redirect_launcher_spawn(struct redirect_launcher *launcher, char *const argv[],
			    pid_t *pidp, struct redirect_error **err);

/* Spawn, then wait; *wstatus is the waitpid() status. */
int redirect_launcher_run(struct redirect_launcher *launcher, char *const argv[],
			  int *wstatus, struct redirect_error **err);

#ifdef __cplusplus
}
#endif

#endif /* LIBREDIRECT_H */
