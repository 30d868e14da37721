/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * User/kernel contract of redirect.ko: the /dev/redirect ioctl interface.
 *
 * Protocol
 * ========
 *
 * A client opens REDIRECT_DEVICE. The node is root's with mode 0600 (others
 * get EACCES), and the opener also needs CAP_SYS_ADMIN in the initial user
 * namespace (EPERM otherwise). Each open file is one session. The first ioctl of every session must
 * be REDIRECT_IOC_HANDSHAKE: the client states the API version it speaks and
 * the features it wants, and the module answers with its own API version, the
 * features it enabled for this session and every feature it implements. A
 * session handshakes exactly once; a failed handshake leaves the session fresh,
 * so the client may correct the request and try again.
 *
 * Extensible structures
 * ---------------------
 *
 * Structures passed by ioctl may grow at their end in later versions. The
 * size the caller compiled against travels in the ioctl number itself
 * (_IOC_SIZE(cmd)), so REDIRECT_IOC_HANDSHAKE stands for every size, in the
 * manner of copy_struct_from_user(): a size below the first version's
 * (REDIRECT_HANDSHAKE_SIZE_VER0) fails with EINVAL, a size above the page
 * size with E2BIG. Bytes beyond the structure the module knows must be zero
 * (E2BIG otherwise); bytes the caller did not send count as zero. The module
 * writes back at most the caller's size and never touches bytes beyond the
 * structure it knows.
 *
 * Fields marked "in" must be set by the caller; reserved and padding fields
 * must be zero (EINVAL otherwise). Fields marked "out" are written by the
 * module; their input value is ignored.
 *
 * REDIRECT_IOC_HANDSHAKE (struct redirect_handshake)
 * --------------------------------------------------
 *
 * in:  api_version  REDIRECT_API_VERSION of the caller's header
 *      pad          zero
 *      features     REDIRECT_FEATURE_* bits wanted for this session
 *      notif_size, resp_size, addfd_size
 *                   sizeof(struct seccomp_notif), sizeof(struct
 *                   seccomp_notif_resp) and sizeof(struct seccomp_notif_addfd)
 *                   as the caller was compiled (since
 *                   REDIRECT_HANDSHAKE_SIZE_VER1). struct redirect_request and
 *                   struct redirect_reply embed these structures, so a
 *                   caller wanting BROKER must state them and they must be
 *                   the module's (which are what seccomp(2)'s
 *                   SECCOMP_GET_NOTIF_SIZES reports on the running kernel);
 *                   without BROKER they may be zero
 *      pad2         zero
 * out: api_version  REDIRECT_API_VERSION of the module
 *      features     the bits enabled: on success exactly the bits wanted
 *      supported    every REDIRECT_FEATURE_* bit the module implements
 *      notif_size, resp_size, addfd_size  the module's
 *
 * Errors, checked in this order; the first that applies is returned:
 *
 *   ENOTTY           not an ioctl of this device: wrong magic, unknown
 *                    number, or the handshake number with a direction
 *                    other than _IOC_READ | _IOC_WRITE
 *   EINVAL           _IOC_SIZE(cmd) < REDIRECT_HANDSHAKE_SIZE_VER0
 *   E2BIG            _IOC_SIZE(cmd) > the page size
 *   EBUSY            the session has already handshaken
 *   EFAULT           the structure could not be read or written back
 *   E2BIG            non-zero bytes beyond the structure the module knows
 *   EINVAL           pad or pad2 is not zero
 *   EPROTONOSUPPORT  api_version differs from the module's
 *   EPROTONOSUPPORT  BROKER is wanted and a stated seccomp structure size
 *                    differs from the module's (or is missing: zero)
 *   EOPNOTSUPP       features holds a bit outside supported
 *
 * On EPROTONOSUPPORT and EOPNOTSUPP the module still writes the structure
 * back, with api_version, supported and the sizes filled in and features
 * zero (nothing was enabled), so that the caller can learn what to ask for
 * and retry, or tell that it was built against other headers. On
 * every other error it writes nothing. Only a handshake whose answer was
 * written back completely succeeds; after any error the session is still new.
 *
 * Every other ioctl
 * -----------------
 *
 * Numbers REDIRECT_IOC_NR_RESERVED_FIRST to REDIRECT_IOC_NR_RESERVED_LAST
 * belong to the ioctls of the features (REDIRECT_IOC_ATTACH and the others
 * below; the rest of the range is kept for features to come). Every call
 * first passes these checks, in this order:
 *
 *   ENOTTY           wrong magic, or a number no ioctl has (outside that
 *                    range, or inside it and not assigned yet)
 *   EPROTO           the session has not handshaken (for any defined
 *                    number, whatever the direction and size)
 *   ENOTTY           a defined ioctl's number with another direction
 *   EOPNOTSUPP       its feature was not enabled by this session's handshake
 *
 * and then meets the errors listed with the ioctl itself. The size of those
 * ioctls is extensible in the same way as the handshake's.
 */
#ifndef _UAPI_LINUX_REDIRECT_H
#define _UAPI_LINUX_REDIRECT_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/seccomp.h>

#define REDIRECT_DEVICE "/dev/redirect"
#define REDIRECT_DEVICE_NAME "redirect"

#define REDIRECT_API_VERSION 1

/* Not registered in ioctl-number.rst; free in Linux 6.1. */
#define REDIRECT_IOC_MAGIC 0xD7

/*
 * Feature bits. Names are reserved for everything planned; the handshake's
 * supported field says which ones the running module implements.
 */
/* Attach seccomp user-notification listeners to a session. */
#define REDIRECT_FEATURE_ATTACH ((__u64)1 << 0)
/* Tier-1 rules evaluated in the trapped task's context. */
#define REDIRECT_FEATURE_FASTPATH ((__u64)1 << 1)
/* RECV/SEND/ADDFD on the listener performed by the module for the Sentry. */
#define REDIRECT_FEATURE_BROKER ((__u64)1 << 2)
/* The module keeps listeners and pending requests across Sentry restarts. */
#define REDIRECT_FEATURE_CUSTODY ((__u64)1 << 3)
/* The "redirect" generic-netlink family (control, stats, events). */
#define REDIRECT_FEATURE_NETLINK ((__u64)1 << 4)
/* The broker's REDIRECT_REPLY_CONTINUE_EXEC: an exec runs the checked file. */
#define REDIRECT_FEATURE_EXEC_GUARD ((__u64)1 << 5)

struct redirect_handshake {
	__u32 api_version;	/* in: caller's version; out: module's */
	__u32 pad;		/* in: zero */
	__u64 features;		/* in: wanted; out: enabled */
	__u64 supported;	/* out: implemented by the module */
	/* VER1: the seccomp structures the records embed, as compiled */
	__u16 notif_size;	/* in: caller's sizeof(struct seccomp_notif); out: module's */
	__u16 resp_size;	/* ... struct seccomp_notif_resp */
	__u16 addfd_size;	/* ... struct seccomp_notif_addfd */
	__u16 pad2;		/* in: zero */
};

#define REDIRECT_HANDSHAKE_SIZE_VER0 24	/* sizeof first published struct */
#define REDIRECT_HANDSHAKE_SIZE_VER1 32	/* + the seccomp structure sizes */

#define REDIRECT_IOC_NR_HANDSHAKE 0x00
#define REDIRECT_IOC_NR_RESERVED_FIRST 0x01
#define REDIRECT_IOC_NR_RESERVED_LAST 0x1f

#define REDIRECT_IOC_HANDSHAKE \
	_IOWR(REDIRECT_IOC_MAGIC, REDIRECT_IOC_NR_HANDSHAKE, struct redirect_handshake)

/*
 * Sandboxes
 * =========
 *
 * REDIRECT_IOC_ATTACH (struct redirect_attach, feature ATTACH)
 * ------------------------------------------------------------
 *
 * Hands a seccomp user-notification listener (the fd that seccomp(2) returns
 * for SECCOMP_FILTER_FLAG_NEW_LISTENER) to the module. The module takes its
 * own reference to the listener, so the caller may close its fd; the sandbox
 * lives until the last task using the filter exits (the listener reports
 * EPOLLHUP) or the module is told to kill it. The attaching session owns the
 * sandbox: forwarded requests go to it (BROKER). When the owner's file is
 * closed the sandbox stays, in custody, until another session adopts it.
 *
 * in:  listener_fd   the listener
 *      pidfd         a pidfd of the sandbox's first process, or -1; needed
 *                    for REDIRECT_FAIL_KILL and hold timeouts (the module
 *                    kills that process's thread group, and with it a PID
 *                    namespace it is the init of)
 *      fail_mode     REDIRECT_FAIL_HOLD or REDIRECT_FAIL_KILL: what happens
 *                    to the sandbox while no session owns it
 *      hold_timeout_ms  HOLD only: kill after this long without an owner;
 *                    0 holds forever
 *      flags         zero
 *      name          NUL-terminated, 1..REDIRECT_NAME_MAX-1 bytes of letters,
 *                    digits and . _ : - (names appear in logs); zero after the NUL
 * out: sandbox_id    non-zero; not reused until 2^32 attaches later
 *
 * Errors: EBADF (an fd is not open), EINVAL (listener_fd is not a seccomp
 * listener, bad fail_mode, flags, name or padding, KILL without pidfd),
 * EALREADY (the listener is already attached), EPIPE (no task uses the
 * filter any more), ENOSPC (REDIRECT_SANDBOXES_MAX sandboxes), ENOMEM, EINTR
 * (a signal while waiting for seccomp's lock; nothing was attached).
 */
#define REDIRECT_NAME_MAX 32
#define REDIRECT_SANDBOXES_MAX 4096

enum redirect_fail_mode {
	REDIRECT_FAIL_HOLD = 0,	/* pending calls wait for the next owner */
	REDIRECT_FAIL_KILL = 1,	/* the sandbox is killed when its owner goes */
};

struct redirect_attach {
	__s32 listener_fd;	/* in */
	__s32 pidfd;		/* in: or -1 */
	__u32 fail_mode;	/* in: enum redirect_fail_mode */
	__u32 hold_timeout_ms;	/* in */
	__u32 flags;		/* in: zero */
	__u32 sandbox_id;	/* out */
	char name[REDIRECT_NAME_MAX];	/* in */
};

#define REDIRECT_ATTACH_SIZE_VER0 56

/*
 * Tier-1 rules
 * ============
 *
 * REDIRECT_IOC_SET_RULES (struct redirect_rules, feature FASTPATH)
 * ----------------------------------------------------------------
 *
 * Replaces a sandbox's rule set atomically: a call in flight sees the old set
 * or the new one, never a mix. Rules are evaluated in the trapped task's own
 * context when seccomp notifies the listener; the first rule whose syscall
 * number, argument comparisons and string match all hold decides. A call no
 * rule decides is forwarded to the Sentry. Only native x86-64 calls are
 * evaluated; ia32 and x32 calls are always forwarded.
 *
 * Argument comparison: (arg & mask) OP value, 64-bit unsigned.
 * String match: the NUL-terminated string that argument str_index points to,
 * read without sleeping; equal to str[0..str_len) (EXACT) or starting with it
 * (PREFIX). A string that cannot be read at once (page not present) or is
 * longer than REDIRECT_STR_MAX - 1 makes the rule not match, so the call goes
 * on to the next rule and in the end to the Sentry, which decides on its own
 * copy. A rule can therefore only ever answer a call early, never let it
 * through: there is no "continue" verdict at tier 1. Each string argument
 * is read at most once per call: among one call number's rules (in load
 * order) the string conditions on one argument come together, so rules on
 * argument 1, then 2, then 1 again are refused (REDIRECT_RULE_FIELD_STR_REREAD).
 *
 * limit: when non-zero the rule decides at most this many calls in the life
 * of the rule set; after that it no longer matches.
 *
 * What observers see of a call a rule decided: seccomp lets the call go as
 * interrupted, and the verdict is written into the return register after
 * that, by task_work on the task's way back to user space. So what looks
 * at the call at syscall exit before task_work runs sees -ERESTARTSYS
 * (-512), not the verdict: the call's audit record and the
 * raw_syscalls:sys_exit and syscalls:sys_exit_* tracepoints. A ptrace
 * tracer at its syscall-exit stop (strace) sees the verdict, because the
 * kernel runs pending task_work before a ptrace stop; a change the tracer
 * makes to the return value there stands. The caller gets the verdict (or
 * the tracer's change) and the call is not restarted. The same holds for
 * KILL verdicts. Count decisions with the netlink statistics or
 * REDIRECT_RULE_AUDIT events, not from audit or tracepoints.
 *
 * Errors: EINVAL with error_rule / error_field naming the first bad field
 * (REDIRECT_RULE_FIELD_*), E2BIG (nr_rules > REDIRECT_RULES_MAX or rule_size
 * larger than known with non-zero tail), ENOENT (no such sandbox), EPERM
 * (the sandbox belongs to another session), ENOMEM.
 */
#define REDIRECT_RULES_MAX 1024
#define REDIRECT_STR_MAX 128
#define REDIRECT_ARGS_MAX 6

enum redirect_verdict {
	REDIRECT_VERDICT_FORWARD = 0,	/* to the Sentry */
	REDIRECT_VERDICT_ERRNO = 1,	/* fail with errno `value` (1..4095, not 512..516) */
	REDIRECT_VERDICT_VALUE = 2,	/* return `value` */
	REDIRECT_VERDICT_KILL = 3,	/* SIGKILL the calling thread group */
};

enum redirect_cmp {
	REDIRECT_CMP_EQ = 1,
	REDIRECT_CMP_NE = 2,
	REDIRECT_CMP_LT = 3,
	REDIRECT_CMP_LE = 4,
	REDIRECT_CMP_GT = 5,
	REDIRECT_CMP_GE = 6,
};

enum redirect_str_match {
	REDIRECT_STR_NONE = 0,
	REDIRECT_STR_EXACT = 1,
	REDIRECT_STR_PREFIX = 2,
};

#define REDIRECT_RULE_AUDIT (1U << 0)	/* emit an audit event per decision */
#define REDIRECT_RULE_FLAGS_ALL REDIRECT_RULE_AUDIT

struct redirect_arg_cmp {
	__u8 index;		/* 0..5 */
	__u8 op;		/* enum redirect_cmp */
	__u16 pad;
	__u32 pad2;
	__u64 mask;
	__u64 value;
};

struct redirect_rule {
	__u32 nr;		/* syscall number, x86-64 ABI */
	__u16 verdict;		/* enum redirect_verdict */
	__u16 flags;		/* REDIRECT_RULE_* */
	__s64 value;		/* ERRNO: the errno; VALUE: the return value */
	__u64 limit;		/* 0: unlimited */
	__u8 nr_args;		/* used entries of args[] */
	__u8 str_index;		/* argument holding the string pointer */
	__u8 str_match;		/* enum redirect_str_match */
	__u8 pad;
	__u32 str_len;		/* bytes of str[] to compare, < REDIRECT_STR_MAX */
	struct redirect_arg_cmp args[REDIRECT_ARGS_MAX];
	char str[REDIRECT_STR_MAX];	/* not NUL-terminated; rest zero */
};

enum redirect_rule_field {
	REDIRECT_RULE_FIELD_NONE = 0,
	REDIRECT_RULE_FIELD_NR,
	REDIRECT_RULE_FIELD_VERDICT,
	REDIRECT_RULE_FIELD_FLAGS,
	REDIRECT_RULE_FIELD_VALUE,
	REDIRECT_RULE_FIELD_NR_ARGS,
	REDIRECT_RULE_FIELD_ARG_INDEX,
	REDIRECT_RULE_FIELD_ARG_OP,
	REDIRECT_RULE_FIELD_ARG_PAD,
	REDIRECT_RULE_FIELD_STR_INDEX,
	REDIRECT_RULE_FIELD_STR_MATCH,
	REDIRECT_RULE_FIELD_STR_LEN,
	REDIRECT_RULE_FIELD_STR,
	REDIRECT_RULE_FIELD_PAD,
	REDIRECT_RULE_FIELD_STR_REREAD, /* this argument's string was left for another */
};

struct redirect_rules {
	__u32 sandbox_id;	/* in */
	__u32 nr_rules;		/* in: <= REDIRECT_RULES_MAX */
	__u32 rule_size;	/* in: sizeof(struct redirect_rule) of the caller */
	__u32 flags;		/* in: zero */
	__aligned_u64 rules;	/* in: user pointer to nr_rules rules */
	__u32 error_rule;	/* out: index of the first bad rule */
	__u32 error_field;	/* out: enum redirect_rule_field */
	__u32 error_arg;	/* out: args[] index when the field is ARG_* */
	__u32 pad;
};

#define REDIRECT_RULES_SIZE_VER0 40

/*
 * Custody
 * =======
 *
 * REDIRECT_IOC_ADOPT (struct redirect_adopt, feature CUSTODY)
 * -----------------------------------------------------------
 *
 * Takes ownership of a sandbox in custody (its owner's file was closed).
 * Requests the old owner had received and not answered are handed out again
 * by the next REDIRECT_IOC_BROKER, marked REDIRECT_REQUEST_REPLAYED. A hold
 * timeout that was running is cancelled.
 *
 * Errors: ENOENT (no such sandbox, or it ended), EBUSY (another session owns
 * it; a session adopting its own sandbox succeeds), EINVAL (flags, padding).
 */
struct redirect_adopt {
	__u32 sandbox_id;	/* in */
	__u32 flags;		/* in: zero */
};

#define REDIRECT_ADOPT_SIZE_VER0 8

/*
 * Broker
 * ======
 *
 * REDIRECT_IOC_BROKER (struct redirect_broker, feature BROKER)
 * ------------------------------------------------------------
 *
 * One call answers a batch and fetches the next. The module first performs
 * the replies in order, each on the listener of its sandbox, and stores each
 * one's outcome in its `result`; then it fills up to max_requests requests
 * from the sandboxes this session owns: replayed ones first, then fresh ones
 * (SECCOMP_IOCTL_NOTIF_RECV performed on the session's behalf). When none is
 * ready it waits up to timeout_ms (0: do not wait; REDIRECT_TIMEOUT_FOREVER,
 * i.e. -1: no limit; any other negative value is refused with EINVAL) for one.
 * The session's file polls readable while a request is ready.
 *
 * Reply kinds, performed as the named seccomp ioctl on the listener with the
 * reply's own structure:
 *   REDIRECT_REPLY_SEND      SECCOMP_IOCTL_NOTIF_SEND with resp (CONTINUE is
 *                            allowed: the Sentry decides that, not the module)
 *   REDIRECT_REPLY_ADDFD     SECCOMP_IOCTL_NOTIF_ADDFD with addfd; result is
 *                            the fd number in the target; with
 *                            SECCOMP_ADDFD_FLAG_SEND it also answers the call
 *                            with that number, as ADDFD without the flag and
 *                            then SEND (seccomp's flag answers 0 for good when
 *                            a signal interrupts the broker before the target
 *                            took the fd). EINTR: interrupted, the call still
 *                            waits: send the reply again. Another failure to
 *                            install (EMFILE...) leaves the call waiting too,
 *                            for a SEND of the error. Once the fd is
 *                            installed the module keeps its number with the
 *                            call: when the SEND then fails (EINTR for a
 *                            signal, or any other error but ENOENT) the call
 *                            still waits, and a repeat of an ADDFD|SEND
 *                            reply to it, from this session or after custody
 *                            from the next owner, only sends that number
 *                            (whatever its srcfd): the target never gets a
 *                            second fd. A SEND reply instead answers as told;
 *                            the installed fd then stays in the target,
 *                            unknown to it, as it does when the call is
 *                            interrupted between the two steps (ENOENT).
 *   REDIRECT_REPLY_ID_VALID  SECCOMP_IOCTL_NOTIF_ID_VALID for resp.id
 *   REDIRECT_REPLY_CONTINUE_EXEC (feature EXEC_GUARD)
 *                            SEND of resp, whose flags must be exactly
 *                            SECCOMP_USER_NOTIF_FLAG_CONTINUE (val, error
 *                            zero), for a notified execve or execveat, after
 *                            arming the exec guard: the trapped task's next
 *                            exec must run the file addfd.srcfd (the
 *                            caller's fd, O_PATH allowed) names, else it
 *                            fails with ENOENT. So a target cannot swap the
 *                            path between the Sentry's check and the
 *                            kernel's second read. Only for a sandbox whose
 *                            filter notifies every exec of its tasks: the
 *                            guard is disarmed when the task traps its next
 *                            notification, and an exec not notified would
 *                            meet a guard left by one the kernel failed.
 *                            addfd's other fields must be zero. Results as
 *                            SEND, and: EOPNOTSUPP without the feature,
 *                            EINVAL for another call, EPERM when the task
 *                            is not visible to the module (its pid was 0 to
 *                            the receiver), EBADF for srcfd, ENOMEM; on
 *                            these the call still waits for another reply.
 * A SEND, ADDFD or CONTINUE_EXEC reply holds its call while it is performed: another reply
 * to the same call meanwhile (another thread of the session) fails with
 * EBUSY and does nothing; ID_VALID is always performed.
 * The half of a reply its kind does not use must be zero (addfd for SEND and
 * ID_VALID, resp for ADDFD), and so must resp's val, error and flags for
 * ID_VALID; `result` is output only. A SEND's resp.error may not be one of
 * the kernel's restart codes, -512 to -516 (the call would be restarted, or
 * its caller would see errno 512).
 * A reply's result is 0 (or the fd) or a negative errno:
 *   ENOENT  the call is gone (its task was interrupted or died), or was
 *           answered already, or its id is not one this session holds
 *   ESRCH   for an ADDFD: the call ended while the fd waited to be taken (its
 *           task was interrupted or died, or another reply answered it);
 *           for any kind: the sandbox is unknown (it ended, and its calls
 *           with it). Like ENOENT, nothing is left to answer: not a failure
 *           of the Sentry's
 *   EPERM   the sandbox is another session's
 *   EBUSY   another reply to this call is being performed (above)
 *   EINVAL  a bad kind, a non-zero unused half or a restart code
 *   EINTR   an interrupted ADDFD (above)
 * Failed replies do not stop the batch.
 *
 * Errors of the call itself: EINVAL (flags, padding, max_requests >
 * REDIRECT_BATCH_MAX, nr_replies > REDIRECT_BATCH_MAX, a negative timeout_ms
 * other than REDIRECT_TIMEOUT_FOREVER), EFAULT, EINTR (a
 * signal arrived while waiting and nothing was fetched), ENOMEM (while
 * fetching; a batch with max_requests 0 fetches nothing). nr_replies is
 * written back with the number of replies performed, on errors too.
 */
#define REDIRECT_BATCH_MAX 256
#define REDIRECT_TIMEOUT_FOREVER (-1)	/* timeout_ms: wait without limit */

#define REDIRECT_REQUEST_REPLAYED (1U << 0)	/* handed out before, to an owner now gone */

struct redirect_request {
	__u32 sandbox_id;
	__u32 flags;		/* REDIRECT_REQUEST_* */
	struct seccomp_notif notif;
};

enum redirect_reply_kind {
	REDIRECT_REPLY_SEND = 1,
	REDIRECT_REPLY_ADDFD = 2,
	REDIRECT_REPLY_ID_VALID = 3,
	REDIRECT_REPLY_CONTINUE_EXEC = 4,
};

struct redirect_reply {
	__u32 sandbox_id;	/* in */
	__u32 kind;		/* in: enum redirect_reply_kind */
	__s64 result;		/* out */
	struct seccomp_notif_resp resp; /* in: SEND, ID_VALID (id only), CONTINUE_EXEC */
	struct seccomp_notif_addfd addfd; /* in: ADDFD; CONTINUE_EXEC (srcfd only) */
};

struct redirect_broker {
	__aligned_u64 replies;	/* in: struct redirect_reply[nr_replies] */
	__aligned_u64 requests;	/* in: struct redirect_request[max_requests] */
	__u32 nr_replies;	/* in; out: replies performed */
	__u32 max_requests;	/* in */
	__u32 nr_requests;	/* out: requests filled */
	__s32 timeout_ms;	/* in */
	__u32 flags;		/* in: zero */
	__u32 pad;
};

#define REDIRECT_BROKER_SIZE_VER0 40

#define REDIRECT_IOC_ATTACH \
	_IOWR(REDIRECT_IOC_MAGIC, 0x01, struct redirect_attach)
#define REDIRECT_IOC_SET_RULES \
	_IOWR(REDIRECT_IOC_MAGIC, 0x02, struct redirect_rules)
#define REDIRECT_IOC_ADOPT \
	_IOW(REDIRECT_IOC_MAGIC, 0x03, struct redirect_adopt)
#define REDIRECT_IOC_BROKER \
	_IOWR(REDIRECT_IOC_MAGIC, 0x04, struct redirect_broker)

/*
 * Statistics (read over generic netlink)
 * ======================================
 */
enum redirect_stat {
	REDIRECT_STAT_NOTIFIED = 0,	/* notifications seen */
	REDIRECT_STAT_ERRNO,		/* fast path answered with an errno */
	REDIRECT_STAT_VALUE,		/* fast path answered with a value */
	REDIRECT_STAT_KILL,		/* fast path killed the caller */
	REDIRECT_STAT_FORWARDED,	/* handed to the Sentry */
	REDIRECT_STAT_FALLBACK,		/* a verdict that could not be queued: forwarded */
	REDIRECT_STAT_RACED,		/* a fast-pathed call RECV'd and answered by the module */
	REDIRECT_STAT_REPLAYED,		/* requests handed out again after an owner left */
	REDIRECT_STAT_COUNT
};

/* Latency of forwarded calls: bucket b counts calls under 2^b us, b < 15. */
#define REDIRECT_HIST_BUCKETS 16

/*
 * Control plane: generic netlink family "redirect"
 * ================================================
 *
 * Every command needs CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM) and the family exists only in the initial network
 * namespace, so a container cannot even resolve it. Commands that change
 * state (SET_RULES) need CAP_SYS_ADMIN in the initial user namespace as well,
 * the privilege /dev/redirect asks for; with CAP_NET_ADMIN alone they fail
 * with EPERM ("changing state needs CAP_SYS_ADMIN" in the extended ack) and
 * change nothing, while the GET commands and the events group work. Both the
 * sender and the opener of the socket must hold the capability. The first
 * request for the family loads the module (MODULE_ALIAS_GENL_FAMILY).
 * The family's version (CTRL_ATTR_VERSION) is REDIRECT_GENL_VERSION; it
 * changes when a message's format does, and a client should refuse a
 * version it does not speak (libredirect does). Every request is checked
 * strictly: genlmsghdr.reserved must be zero and nlmsg_flags hold no more
 * than NLM_F_REQUEST, ACK, ECHO and DUMP (EINVAL otherwise).
 *
 *   REDIRECT_CMD_GET_SANDBOX  do (SANDBOX_ID) or dump: SANDBOX_ID, NAME,
 *                             FAIL_MODE, OWNED, FORWARD_PENDING, DELIVERED,
 *                             REPLAY, RULES_GENERATION, STATS, HIST
 *   REDIRECT_CMD_GET_STATS    dump (SANDBOX_ID): one message per syscall
 *                             seen: SANDBOX_ID, SYSCALL_NR, STATS, HIST
 *   REDIRECT_CMD_GET_RULES    dump (SANDBOX_ID): one message per rule, in the
 *                             order loaded: SANDBOX_ID, RULE_INDEX, RULE,
 *                             HITS, RULES_GENERATION
 *   REDIRECT_CMD_SET_RULES    do (SANDBOX_ID, RULE...): replace the rule set
 *                             with the RULE attributes in message order (at
 *                             most REDIRECT_RULES_MAX; none clears it), as
 *                             REDIRECT_IOC_SET_RULES; errors in the extended
 *                             ack, with the offending attribute: the field
 *                             the policy refused, else the bad RULE
 *   REDIRECT_CMD_EVENT        multicast group "events": one tier-1 decision
 *                             of a rule with REDIRECT_RULE_AUDIT: SANDBOX_ID,
 *                             PID (initial namespace), SYSCALL_NR, VERDICT,
 *                             VALUE, RULE_INDEX. Rate-limited; DROPPED in the
 *                             next event counts what the limit swallowed.
 *
 * A rule travels as REDIRECT_A_RULE, nested (NLA_F_NESTED), one attribute
 * per field of struct redirect_rule (enum redirect_rule_attr), each argument
 * comparison nested in turn (enum redirect_arg_attr). Bounds the policy
 * checks: NR < 1024, VERDICT <= REDIRECT_VERDICT_KILL, FLAGS within
 * REDIRECT_RULE_FLAGS_ALL, at most REDIRECT_ARGS_MAX ARGs, INDEX and
 * STR_INDEX < REDIRECT_ARGS_MAX, OP a redirect_cmp, STR_MATCH EXACT or
 * PREFIX, STR at most REDIRECT_STR_MAX - 1 bytes (refused: ERANGE or EINVAL,
 * the field as the offending attribute). NR and VERDICT are required,
 * and in an ARG all four; STR_INDEX, STR_MATCH and STR come together or not
 * at all; an absent FLAGS, VALUE or LIMIT is 0. The rest is checked as for
 * REDIRECT_IOC_SET_RULES (VALUE against the verdict, no NUL in STR). GET_RULES
 * sends every field, STR_* only for a string rule.
 */
#define REDIRECT_GENL_NAME "redirect"
#define REDIRECT_GENL_VERSION 2 /* 2: rules as nested attributes, not a binary struct */
#define REDIRECT_GENL_MCGRP_EVENTS "events"

enum redirect_cmd {
	REDIRECT_CMD_UNSPEC,
	REDIRECT_CMD_GET_SANDBOX,
	REDIRECT_CMD_GET_STATS,
	REDIRECT_CMD_GET_RULES,
	REDIRECT_CMD_SET_RULES,
	REDIRECT_CMD_EVENT,
	__REDIRECT_CMD_MAX
};

#define REDIRECT_CMD_MAX (__REDIRECT_CMD_MAX - 1)

enum redirect_attr {
	REDIRECT_A_UNSPEC,
	REDIRECT_A_PAD,
	REDIRECT_A_SANDBOX_ID, /* u32 */
	REDIRECT_A_NAME, /* string */
	REDIRECT_A_FAIL_MODE, /* u32 */
	REDIRECT_A_OWNED, /* u8: a session owns it */
	REDIRECT_A_FORWARD_PENDING, /* u32 */
	REDIRECT_A_DELIVERED, /* u32: requests at the owner, unanswered */
	REDIRECT_A_REPLAY, /* u32: requests waiting for the next owner */
	REDIRECT_A_RULES_GENERATION, /* u64 */
	REDIRECT_A_STATS, /* binary: __u64[REDIRECT_STAT_COUNT] */
	REDIRECT_A_HIST, /* binary: __u64[REDIRECT_HIST_BUCKETS] */
	REDIRECT_A_SYSCALL_NR, /* u32 */
	REDIRECT_A_RULE, /* nested: enum redirect_rule_attr */
	REDIRECT_A_HITS, /* u64: decisions taken by that rule */
	REDIRECT_A_PID, /* u32 */
	REDIRECT_A_VERDICT, /* u32: enum redirect_verdict */
	REDIRECT_A_VALUE, /* s64 */
	REDIRECT_A_RULE_INDEX, /* u32 */
	REDIRECT_A_DROPPED, /* u64 */
	__REDIRECT_A_MAX
};

#define REDIRECT_A_MAX (__REDIRECT_A_MAX - 1)

/* Inside REDIRECT_A_RULE: the fields of struct redirect_rule. */
enum redirect_rule_attr {
	REDIRECT_RULE_A_UNSPEC,
	REDIRECT_RULE_A_PAD,
	REDIRECT_RULE_A_NR, /* u32: syscall number (required) */
	REDIRECT_RULE_A_VERDICT, /* u32: enum redirect_verdict (required) */
	REDIRECT_RULE_A_FLAGS, /* u32: REDIRECT_RULE_* */
	REDIRECT_RULE_A_VALUE, /* s64 */
	REDIRECT_RULE_A_LIMIT, /* u64 */
	REDIRECT_RULE_A_ARG, /* nested, repeated: enum redirect_arg_attr */
	REDIRECT_RULE_A_STR_INDEX, /* u8 */
	REDIRECT_RULE_A_STR_MATCH, /* u8: enum redirect_str_match */
	REDIRECT_RULE_A_STR, /* binary: the bytes compared, no NUL */
	__REDIRECT_RULE_A_MAX
};

#define REDIRECT_RULE_A_MAX (__REDIRECT_RULE_A_MAX - 1)

/* Inside REDIRECT_RULE_A_ARG: one struct redirect_arg_cmp, all required. */
enum redirect_arg_attr {
	REDIRECT_ARG_A_UNSPEC,
	REDIRECT_ARG_A_PAD,
	REDIRECT_ARG_A_INDEX, /* u8 */
	REDIRECT_ARG_A_OP, /* u8: enum redirect_cmp */
	REDIRECT_ARG_A_MASK, /* u64 */
	REDIRECT_ARG_A_VALUE, /* u64 */
	__REDIRECT_ARG_A_MAX
};

#define REDIRECT_ARG_A_MAX (__REDIRECT_ARG_A_MAX - 1)

#endif /* _UAPI_LINUX_REDIRECT_H */
