/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libredirect: policies, seccomp filters, the OCI seccomp-agent protocol and the launcher.
 * One header (over 900 lines) on purpose: the whole public API and its documentation,
 * as libseccomp keeps seccomp.h, so that a program includes one file.
 */
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
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/seccomp.h>
#include <linux/redirect.h>	/* the module's UAPI: tier-1 rules, broker, netlink */

#ifdef __cplusplus
extern "C" {
#endif

struct redirect_notif_buf;

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

/*
 * The library's version.  MAJOR.MINOR names the newest symbol-version node
 * of the shared object (LIBREDIRECT_0.3): a program built against this header
 * needs a libredirect.so.0 that defines that node.  MICRO changes without
 * new symbols.
 */
#define REDIRECT_VERSION_MAJOR 0
#define REDIRECT_VERSION_MINOR 3
#define REDIRECT_VERSION_MICRO 0
#define REDIRECT_VERSION_NUMBER(major, minor, micro) \
	(((major) << 16) | ((minor) << 8) | (micro))
#define REDIRECT_VERSION_CODE REDIRECT_VERSION_NUMBER(REDIRECT_VERSION_MAJOR, \
	REDIRECT_VERSION_MINOR, REDIRECT_VERSION_MICRO)

/* The running library's version, "MAJOR.MINOR.MICRO" (may be newer than the header's). */
const char *redirect_version(void);

/* ---- files --------------------------------------------------------------- */

/* Fail with -ELOOP when the last component is a symbolic link. */
#define REDIRECT_READ_NOFOLLOW (1u << 0)

/*
 * redirect_read_file() - a whole regular file: the one reader of the library
 * (policies, config.json) and of its programs
 * @flags: REDIRECT_READ_*; @max: larger files fail with -EFBIG
 * @st: when not NULL, receives the file's fstat (mode, device, inode)
 *
 * Opened non-blocking, so a FIFO never blocks it: anything but a regular
 * file fails with -EINVAL.  *bufp is malloc()ed and NUL-terminated, *lenp
 * its length.  -ENOENT, -EACCES, ... opening or reading; -ENOMEM.
 */
struct stat;
int redirect_read_file(const char *path, unsigned int flags, size_t max, char **bufp, size_t *lenp,
		       struct stat *st, struct redirect_error **err);

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
 * "extends" / "include" and an optional "redirect" section:
 *
 *   "extends": "base.json",              one policy this one builds on
 *   "include": ["a.json", ...],          more of them, applied after extends
 *   "redirect": {
 *     "capabilities": ["CAP_CHOWN", ...], the sandbox's bounding set, for
 *                                         Docker's includes/excludes.caps
 *     "notify": ["getppid", ...],        extra calls to hand to the Sentry
 *     "rules": [                          tier-1 rules, first match decides
 *       {"names": ["openat"],             (or "name"); x86-64 system calls
 *        "args": [{"index": 2, "value": 0, "mask": 3, "op": "EQ"}],
 *                                         (arg & mask) OP value, unsigned;
 *                                         op EQ NE LT LE GT GE (or SCMP_CMP_*);
 *                                         mask defaults to all ones; negative
 *                                         numbers are two's complement
 *        "string": {"index": 1, "exact": "/etc/shadow"},  or "prefix": "/proc/"
 *        "action": "errno:EACCES",        "errno:NAME|N", "value:N", "kill",
 *                                         "forward"
 *        "limit": 100,                    decide at most this many calls
 *        "audit": true,                   an audit event per decision
 *        "comment": "..."}
 *     ],
 *     "sentry": {
 *       "default": "errno:ENOSYS",        answer for notified calls without
 *                                         a handler: "errno:NAME",
 *                                         "errno:NUMBER" or "continue"
 *       "uname": {                        enables the uname handler; fields
 *         "sysname": "...", "nodename": "...", "release": "...",
 *         "version": "...", "machine": "...", "domainname": "..."
 *       },                                left out come from the host
 *       "kernel": {                       one kernel identity: uname's release
 *         "release": "...",               and version, and /proc/version,
 *         "version": "..."                /proc/sys/kernel/osrelease and
 *       },                                .../version served to match (opens
 *                                         and lookups are notified for it)
 *       "abi": {                          system calls emulated by the Sentry
 *         "emulate": ["fchmodat2", ...],  notified (by number) only where
 *                                         the host lacks them
 *         "force": ["faccessat2", ...]    notified even where it has them
 *       },                                (docs/abi-shim.md lists the calls)
 *       "files": {                        enables the file handler
 *         "readOnly": ["/etc", ...],      writes at or below fail (EROFS)
 *         "hidden": ["/proc/kcore", ...], at or below do not exist (ENOENT)
 *         "remap": [{"from": "/etc/hosts", "to": "/run/sb/hosts"}]
 *       },                                absolute paths, no "." or ".."
 *       "connect": {                      enables the connect handler
 *                                         (connect, and sendto with an address)
 *         "default": "allow" | "deny",    when no rule matches (deny)
 *         "rules": [{"action": "allow", "cidr": "10.0.0.0/8",
 *                    "ports": "1-1024"}], (or "port": 53); no cidr: any
 *                                         IPv4/IPv6 address; first match;
 *                                         IPv4-mapped IPv6 as IPv4
 *         "denyErrno": "EACCES",          the answer to a denied call
 *         "unix": "allow" | "deny"        AF_UNIX connects (allow), their
 *       },                                paths resolved in the container
 *       "sysinfo": {                      enables the sysinfo handler
 *         "memory": "cgroup" | "host",    totalram/freeram from the target's
 *                                         cgroup v2 memory.max/.current
 *         "uptime": "sandbox" | "host"    since the sandbox started
 *       },
 *       "views": {                        files generated from the cgroup
 *         "files": ["/proc/meminfo", ...] at open time (enum redirect_view);
 *       },                                open, openat, openat2 notified
 *       "mount": {                        enables the mount handler
 *         "fsTypes": ["tmpfs", ...],      file systems that may be mounted
 *         "targets": ["/mnt", ...],       at or below these directories
 *         "bind": false                   bind mounts (MS_BIND) allowed
 *       }
 *     }
 *   }
 *
 * Every syscall with a Sentry handler, every name in redirect.notify and in
 * redirect.rules, and every syscall the profile itself gives SCMP_ACT_NOTIFY
 * is notified.  For a notified syscall the profile's own rules are replaced.
 * Unknown keys are rejected everywhere; syscall names unknown to libseccomp
 * are ignored in the profile part (as runc does) but rejected in the
 * redirect section.
 *
 * extends / include: paths relative to the including file's directory (for
 * a buffer: to its origin's directory), at most REDIRECT_POLICY_MAX_DEPTH
 * deep, no cycles.  The base is applied first, then each include in order,
 * then the file itself; a later layer replaces defaultAction,
 * defaultErrnoRet, architectures/archMap, flags, capabilities and each
 * sentry section it sets, removes the syscall names it names from earlier
 * layers' syscalls[] before adding its own, adds to notify, and puts its
 * tier-1 rules before the earlier layers' ones (so they win the first
 * match).  The policy's name is the outermost file's.
 *
 * Errors name the origin, the JSON path and the problem, e.g.
 *   "p.json: syscalls[3].action: unknown action "SCMP_ACT_FOO""
 *   "top.json: extends: base.json: redirect.rules[0].action: ..."
 */
struct redirect_policy;

#define REDIRECT_POLICY_MAX_SIZE (4u << 20)
#define REDIRECT_POLICY_MAX_DEPTH 8	/* extends / include nesting */
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

/*
 * The profile part of a policy (everything but the "redirect" section)
 * takes every key of the seccomp profile formats of Docker (moby), Podman
 * (containers/common) and the OCI runtime spec, with its meaning.  A key
 * none of them defines is ignored there, as the engines do, with a
 * notice; with REDIRECT_POLICY_STRICT it is an error.  The "redirect"
 * section is always strict.
 */
#define REDIRECT_POLICY_STRICT (1u << 0)

/* redirect_policy_load_file() / _buffer() with REDIRECT_POLICY_* flags. */
int redirect_policy_load_file_flags(const char *path, unsigned int flags,
				    struct redirect_policy **policyp,
				    struct redirect_error **err);
int redirect_policy_load_buffer_flags(const char *buf, size_t len, const char *origin,
				      unsigned int flags, struct redirect_policy **policyp,
				      struct redirect_error **err);

void redirect_policy_free(struct redirect_policy *policy);

/* The name agents use to find this policy (metadata). */
const char *redirect_policy_name(const struct redirect_policy *policy);

/*
 * A name an agent message or an OCI annotation may give a policy by: 1-128
 * of [A-Za-z0-9._-], not starting with '.', no "..": it names DIR/NAME.json
 * and nothing outside DIR.
 */
bool redirect_policy_name_valid(const char *name);

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

/*
 * The Sentry's answer to a call (not a tier-1 verdict: those are the UAPI's
 * enum redirect_verdict).
 */
enum redirect_answer_kind {
	REDIRECT_ANSWER_ERRNO,		/* fail the call with errnum */
	REDIRECT_ANSWER_CONTINUE,	/* let the kernel run the call */
};

struct redirect_answer {
	enum redirect_answer_kind kind;
	int errnum;			/* positive, for REDIRECT_ANSWER_ERRNO */
};

/*
 * Version 0.1 called these struct redirect_verdict and REDIRECT_VERDICT_*;
 * the UAPI's enum redirect_verdict owns that tag now (C gives struct and
 * enum tags one namespace, so no macro can keep both): 0.1 programs rename
 * struct redirect_verdict to struct redirect_answer and
 * REDIRECT_VERDICT_CONTINUE to REDIRECT_ANSWER_CONTINUE.
 */

/* The answer for notified calls that no handler takes. */
void redirect_policy_default_verdict(const struct redirect_policy *policy,
				     struct redirect_answer *answer);

/* Number of notified syscall names, and the i-th of them. */
size_t redirect_policy_notify_count(const struct redirect_policy *policy);
const char *redirect_policy_notify_name(const struct redirect_policy *policy, size_t i);

/* Writes "errno:ENOSYS" or "continue" into buf; returns buf. */
const char *redirect_verdict_format(const struct redirect_answer *answer,
				    char *buf, size_t size);

/*
 * redirect_policy_set_capabilities() - the sandbox's bounding capability set
 * @caps: "CAP_NAME" strings; replaces the set from redirect.capabilities
 *
 * Docker's includes.caps (all must be held) and excludes.caps (any held)
 * are evaluated against it when the filter is compiled.  The default is the
 * empty set.  Errors: -EINVAL a malformed name (the policy is unchanged).
 */
int redirect_policy_set_capabilities(struct redirect_policy *policy, const char *const *caps,
				     size_t n, struct redirect_error **err);

/* Docker's default bounding set (14 capabilities), NULL-terminated. */
extern const char *const redirect_docker_default_caps[];

/* ---- Sentry handler settings ------------------------------------------------- */

enum redirect_file_action {
	REDIRECT_FILE_READ_ONLY,	/* writes fail with EROFS */
	REDIRECT_FILE_HIDDEN,		/* does not exist: ENOENT */
	REDIRECT_FILE_REMAP,		/* served from another path */
};

/* True when the policy has a "files" section (file handler enabled). */
bool redirect_policy_has_files(const struct redirect_policy *policy);
/*
 * An open or lookup of a path that is no synthetic file may continue: no
 * file rules decide on the path and no tier-1 string rule read it, so a
 * target that swaps the string after the Sentry's look reaches only what it
 * could open anyway (a synthetic file is a view, not a boundary).  False
 * when the Sentry must perform every such call itself.
 */
bool redirect_policy_paths_continue(const struct redirect_policy *policy);
/*
 * True when the Sentry serves synthetic files under the policy (the kernel
 * section's /proc files): opens and lookups by path are notified then.
 */
bool redirect_policy_has_synth(const struct redirect_policy *policy);
/* True when the policy has an abi section (the Sentry's emulated calls). */
bool redirect_policy_has_abi(const struct redirect_policy *policy);
/* The name of a native call the abi section can emulate, by number, or NULL. */
const char *redirect_abi_call_name(int nr);

/*
 * redirect_policy_file_lookup() - the file rule governing an absolute path
 * @path: absolute and normalised (no ".", "..", "//")
 * @remapped, @size: for REMAP, receives the path with the prefix replaced
 *
 * The rule with the longest matching prefix (on whole components) wins.
 * Returns 1 and sets *action when a rule applies, 0 when none does.
 * Errors: -EINVAL path not absolute/normalised, -ENAMETOOLONG remapped
 * path does not fit.
 */
int redirect_policy_file_lookup(const struct redirect_policy *policy, const char *path,
				enum redirect_file_action *action, char *remapped, size_t size);

/* True when the policy has a "connect" section (connect handler enabled). */
bool redirect_policy_has_connect(const struct redirect_policy *policy);

/*
 * redirect_policy_connect_check() - may a sandbox connect to this address?
 * Returns 1 (allow) or 0 (deny) for AF_INET / AF_INET6 by the first rule
 * that matches, else by the section's default.  -EAFNOSUPPORT for other
 * families, -EINVAL for a short address.
 */
int redirect_policy_connect_check(const struct redirect_policy *policy,
				  const struct sockaddr *addr, socklen_t len);

/* The errno (positive) a denied connect or sendto gets: "denyErrno", EACCES. */
int redirect_policy_connect_deny_errno(const struct redirect_policy *policy);

/* The connect section's "default": true for allow. */
bool redirect_policy_connect_default_allowed(const struct redirect_policy *policy);

/* May AF_UNIX sockets connect (connect.unix, default allow)? */
bool redirect_policy_connect_unix_allowed(const struct redirect_policy *policy);

enum redirect_sysinfo_memory {
	REDIRECT_SYSINFO_MEMORY_CGROUP,	/* memory.max / memory.current of the target */
	REDIRECT_SYSINFO_MEMORY_HOST,
};

enum redirect_sysinfo_uptime {
	REDIRECT_SYSINFO_UPTIME_SANDBOX,	/* since the sandbox was attached */
	REDIRECT_SYSINFO_UPTIME_HOST,
};

/*
 * The views: files of /proc and /sys the Sentry generates at open time from
 * the opening task's cgroup (redirect.sentry.views).
 */
enum redirect_view {
	REDIRECT_VIEW_MEMINFO,		/* /proc/meminfo */
	REDIRECT_VIEW_CPUINFO,		/* /proc/cpuinfo */
	REDIRECT_VIEW_STAT,		/* /proc/stat */
	REDIRECT_VIEW_CPU_ONLINE,	/* /sys/devices/system/cpu/online */
	REDIRECT_VIEW_UPTIME,		/* /proc/uptime */
	REDIRECT_VIEW_LOADAVG,		/* /proc/loadavg */
	REDIRECT_VIEW_SWAPS,		/* /proc/swaps */
	REDIRECT_VIEW_PRESSURE_CPU,	/* /proc/pressure/cpu */
	REDIRECT_VIEW_PRESSURE_MEMORY,	/* /proc/pressure/memory */
	REDIRECT_VIEW_PRESSURE_IO,	/* /proc/pressure/io */
	REDIRECT_VIEW_DISKSTATS,	/* /proc/diskstats */
	REDIRECT_VIEW_NR,
};

/* The path a view stands for ("/proc/meminfo"), or NULL for a number that is none. */
const char *redirect_view_path(enum redirect_view view);
/* The view an absolute, normalised path is, or -ENOENT. */
int redirect_view_of_path(const char *path);
/* True when the policy has a "views" section (open, openat, openat2 notified). */
bool redirect_policy_has_views(const struct redirect_policy *policy);
/* Does the policy serve this view? */
bool redirect_policy_view_enabled(const struct redirect_policy *policy, enum redirect_view view);

/* True when the policy has a "sysinfo" section (sysinfo handler enabled). */
bool redirect_policy_has_sysinfo(const struct redirect_policy *policy);
enum redirect_sysinfo_memory redirect_policy_sysinfo_memory(const struct redirect_policy *policy);
enum redirect_sysinfo_uptime redirect_policy_sysinfo_uptime(const struct redirect_policy *policy);

/* May a sandbox unmount target (at or below a "targets" entry)? 1, 0, -EINVAL. */
int redirect_policy_mount_target_check(const struct redirect_policy *policy, const char *target);

/* True when the policy has a "mount" section (mount handler enabled). */
bool redirect_policy_has_mount(const struct redirect_policy *policy);

/*
 * redirect_policy_mount_check() - may a sandbox mount fstype at target?
 * @target: absolute and normalised; @flags: mount(2) flags (MS_BIND checked)
 * Returns 1 (allow) or 0 (deny); -EINVAL for a malformed target.
 */
int redirect_policy_mount_check(const struct redirect_policy *policy, const char *fstype,
				const char *target, unsigned long flags);

/* ---- tier-1 rules (struct redirect_rule of <linux/redirect.h>) ---------------- */

/*
 * A rule set: the policy's redirect.rules compiled to the module's UAPI
 * format, one struct redirect_rule per (rule, syscall name), in policy order,
 * each checked with the rule engine the module itself uses
 * (kmod/rules_eval.h), plus where each came from.  It is also the portable
 * mode's evaluator: redirect_ruleset_decide() runs that same engine in user
 * space, with its own hit counters for the limits.
 */
struct redirect_ruleset;

/*
 * redirect_ruleset_compile() - compile a policy's tier-1 rules
 * An empty set when the policy has none.  Errors: -EINVAL a rule the
 * engine refuses (the message names its JSON path and field), -E2BIG more
 * than REDIRECT_RULES_MAX rules, -ENOMEM.
 */
int redirect_ruleset_compile(const struct redirect_policy *policy,
			     struct redirect_ruleset **rulesetp, struct redirect_error **err);

/*
 * redirect_ruleset_from_array() - a rule set from UAPI rules as they are
 * Checked with the same engine; messages name "rule N" and the field.
 */
int redirect_ruleset_from_array(const struct redirect_rule *rules, size_t n,
				struct redirect_ruleset **rulesetp, struct redirect_error **err);

void redirect_ruleset_free(struct redirect_ruleset *ruleset);

size_t redirect_ruleset_count(const struct redirect_ruleset *ruleset);
/* The rules, contiguous, ready for REDIRECT_IOC_SET_RULES. */
const struct redirect_rule *redirect_ruleset_rules(const struct redirect_ruleset *ruleset);
/* Where rule i came from, e.g. "p.json: redirect.rules[2] (openat)"; "rule 2". */
const char *redirect_ruleset_origin(const struct redirect_ruleset *ruleset, size_t i);
/* Decisions taken by rule i in user space (portable mode). */
uint64_t redirect_ruleset_hits(const struct redirect_ruleset *ruleset, size_t i);
void redirect_ruleset_reset_hits(struct redirect_ruleset *ruleset);

/*
 * redirect_rule_error_describe() - what an EINVAL of SET_RULES means
 * @field: enum redirect_rule_field; @arg: args[] index for ARG_* fields
 * Writes e.g. "redirect.rules[2] (openat): args[1].op: unknown comparison"
 * (the origin of the rule when ruleset is not NULL, else "rule N").
 */
const char *redirect_rule_error_describe(const struct redirect_ruleset *ruleset, uint32_t rule,
					 uint32_t field, uint32_t arg, char *buf, size_t size);

/* A tier-1 decision: verdict is the UAPI's enum redirect_verdict. */
struct redirect_decision {
	uint32_t verdict;	/* REDIRECT_VERDICT_FORWARD, _ERRNO, _VALUE, _KILL */
	int64_t value;		/* ERRNO: the errno; VALUE: the return value */
	uint32_t rule;		/* index of the deciding rule, when matched */
	bool matched;		/* false: no rule decided, forwarded by default */
	bool audit;
};

/*
 * redirect_ruleset_decide_call() - evaluate one call as the module would
 * @arch: AUDIT_ARCH_*; only native x86-64 calls are evaluated, others are
 *        forwarded (as the module does)
 * @pid: whose memory string arguments are read from (process_vm_readv, page
 *       by page, at most REDIRECT_STR_MAX bytes; unreadable or unterminated:
 *       the rule does not match)
 * Counts the hit of the deciding rule.  Returns 0.
 */
int redirect_ruleset_decide_call(struct redirect_ruleset *ruleset, uint32_t arch, int nr,
				 const uint64_t args[6], pid_t pid,
				 struct redirect_decision *decision);

/*
 * redirect_ruleset_decide() - evaluate a received notification
 * @listener: when >= 0, SECCOMP_IOCTL_NOTIF_ID_VALID is checked after a
 *            string was read from the target, so that a reused pid cannot
 *            have answered
 * Errors: -ENOENT the target went away (send nothing).
 */
int redirect_ruleset_decide(struct redirect_ruleset *ruleset, const struct seccomp_notif *req,
			    int listener, struct redirect_decision *decision,
			    struct redirect_error **err);

/*
 * redirect_ruleset_decide_fetch() - evaluate a received notification, its
 * strings read by @fetch (given @ctx, the address, a buffer and its size;
 * returns the length without the NUL or -errno).  For a caller that must
 * base the rules' decision and its own work on one copy of each string.
 */
int redirect_ruleset_decide_fetch(struct redirect_ruleset *ruleset,
				  const struct seccomp_notif *req,
				  long (*fetch)(void *ctx, uint64_t addr, char *buf, size_t size),
				  void *ctx, struct redirect_decision *decision);

/*
 * redirect_decision_send() - answer a notification with a tier-1 verdict
 * ERRNO and VALUE reply at once; KILL sends SIGKILL to the caller's thread
 * group and replies EPERM (as the module); FORWARD sends nothing and
 * returns -EINVAL.  -ENOENT: the target is gone.
 */
int redirect_decision_send(int listener, struct redirect_notif_buf *buf,
			   const struct seccomp_notif *req,
			   const struct redirect_decision *decision, struct redirect_error **err);

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
 * negative on error: -ENODATA the peer closed before sending anything (a
 * liveness probe), -EMSGSIZE too large, -EBADMSG bad JSON, trailing bytes,
 * truncated message (EOF first), fds beyond REDIRECT_AGENT_FDS_MAX or
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

/*
 * The reply to redirect-run's own launcher.  A message whose annotations
 * hold REDIRECT_AGENT_REPLY_ANNOTATION = "1" is answered with one line of
 * JSON on the same connection once the daemon has decided, then closed:
 *   {"accepted":true,"sandbox":"ID","policy":"NAME"}
 *   {"accepted":false,"error":"why"}
 * runc's messages do not carry it and get no answer, as the OCI protocol has it.
 */
#define REDIRECT_AGENT_REPLY_ANNOTATION "dev.redirect.agent-reply"
#define REDIRECT_AGENT_REPLY_MAX 4096

/* ---- usersentry's control socket ------------------------------------------------ */

/*
 * A Unix stream socket, mode 0600, root only (the daemon checks the peer's
 * uid).  One request line, one answer line, then the daemon closes:
 *   {"op":"status"}  {"op":"sandboxes"}  {"op":"reload"}  {"op":"policy","name":"NAME"}
 * The answer is a JSON object with "ok": true and the op's fields, or
 * "ok": false and "error".  docs/integration.md lists the fields.
 */
#define REDIRECT_AGENT_SOCKET "/run/redirect/usersentry.sock"
#define REDIRECT_CONTROL_SOCKET "/run/redirect/control.sock"
#define REDIRECT_CONTROL_LINE_MAX 4096	/* a request, with its newline */

enum redirect_control_op {
	REDIRECT_CONTROL_STATUS,
	REDIRECT_CONTROL_SANDBOXES,
	REDIRECT_CONTROL_RELOAD,
	REDIRECT_CONTROL_POLICY,
};

/* "status", ...; NULL for a value out of range. */
const char *redirect_control_op_name(enum redirect_control_op op);

/*
 * The control socket of the daemon on agent_socket: REDIRECT_CONTROL_SOCKET
 * beside REDIRECT_AGENT_SOCKET, else agent_socket with ".control" appended.
 */
int redirect_control_path(const char *agent_socket, char *buf, size_t size,
			  struct redirect_error **err);

/*
 * redirect_control_parse() - one request line (newline not included)
 * Sets *op, and name (name_size bytes) for REDIRECT_CONTROL_POLICY.
 * -EINVAL with the reason for anything else: bad JSON, unknown op or key,
 * a name where none belongs or one that does not fit.
 */
int redirect_control_parse(const char *line, size_t len, enum redirect_control_op *op,
			   char *name, size_t name_size, struct redirect_error **err);

/*
 * redirect_control_call() - one request and its answer
 * name: the policy for REDIRECT_CONTROL_POLICY, else NULL.  *answerp is the
 * answer line parsed as strict JSON, an object with "ok": true (json-c's;
 * the caller drops it with json_object_put()).  Never blocks longer than
 * timeout_ms: -ETIMEDOUT.  -ENOENT / -ECONNREFUSED: no daemon.  -EPROTO: an
 * answer that is no such object, or "ok": false (the message is its "error").
 */
struct json_object;
int redirect_control_call(const char *path, enum redirect_control_op op, const char *name,
			  int timeout_ms, struct json_object **answerp,
			  struct redirect_error **err);

/*
 * redirect_control_policy_known() - does the daemon know policy name?
 * 1: yes; 0: no, *err holds the daemon's reason; -errno: it could not be asked.
 */
int redirect_control_policy_known(const char *path, const char *name, int timeout_ms,
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
				const struct redirect_answer *answer,
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

/* ---- OCI runtime config (config.json) ------------------------------------------ */

/*
 * redirect_oci_seccomp_json() - the linux.seccomp section for a policy
 * @listener_path: the agent socket (listenerPath), or NULL for none
 *
 * The filter the policy compiles to on this machine, in the runtime spec's
 * form: defaultAction (+ defaultErrnoRet), architectures, flags, syscalls[]
 * with the rules that apply (Docker's includes/excludes evaluated; syscall
 * names unknown to libseccomp dropped), SCMP_ACT_NOTIFY for every notified
 * call, listenerPath, and listenerMetadata = the policy's name.  *jsonp is
 * malloc()ed and NUL-terminated.  Errors: -EINVAL listenerPath not absolute
 * or the policy notifies calls without one, -ENOMEM.
 */
int redirect_oci_seccomp_json(const struct redirect_policy *policy, const char *listener_path,
			      char **jsonp, struct redirect_error **err);

/*
 * A bundle's config.json, read for its seccomp section.  Only what redirect
 * needs is validated closely (ociVersion, process.capabilities.bounding,
 * linux.seccomp as a profile); the rest is kept as it is.
 */
struct redirect_oci_config;

#define REDIRECT_OCI_CONFIG_MAX_SIZE (16u << 20)

/*
 * redirect_oci_config_read() - parse config.json bytes
 * @origin: for messages ("config.json" when NULL)
 * Errors: -EFBIG, -EINVAL (JSON, a bad field; messages carry the JSON path,
 * e.g. "config.json: linux.seccomp.syscalls[2].action: unknown action").
 */
int redirect_oci_config_read(const char *buf, size_t len, const char *origin,
			     struct redirect_oci_config **configp, struct redirect_error **err);
int redirect_oci_config_read_file(const char *path, struct redirect_oci_config **configp,
				  struct redirect_error **err);
void redirect_oci_config_free(struct redirect_oci_config *config);

/* The seccomp section as a policy (capabilities set from the bundle), or NULL. */
const struct redirect_policy *redirect_oci_config_seccomp(const struct redirect_oci_config *config);
/* linux.seccomp.listenerPath / listenerMetadata, or NULL. */
const char *redirect_oci_config_listener_path(const struct redirect_oci_config *config);
const char *redirect_oci_config_listener_metadata(const struct redirect_oci_config *config);
/* process.capabilities.bounding: count and i-th name. */
size_t redirect_oci_config_cap_count(const struct redirect_oci_config *config);
const char *redirect_oci_config_cap(const struct redirect_oci_config *config, size_t i);

/*
 * redirect_oci_config_set_seccomp() - the config with linux.seccomp replaced
 * by the policy's section (see redirect_oci_seccomp_json()); every other
 * key is kept.  *jsonp is malloc()ed and NUL-terminated.
 */
int redirect_oci_config_set_seccomp(const struct redirect_oci_config *config,
				    const struct redirect_policy *policy, const char *listener_path,
				    char **jsonp, struct redirect_error **err);

/*
 * redirect_oci_config_merge_seccomp() - the config with the policy's section
 * (as redirect_oci_seccomp_json() writes it) merged into the bundle's own
 * linux.seccomp; without one, redirect_oci_config_set_seccomp().  Per system
 * call and per set of argument conditions the answer of higher kernel
 * precedence wins (on a tie the bundle's, with its errno); the default is
 * the stricter default; architectures are those both list (one side without
 * any: the native one only); flags are the union, SPEC_ALLOW only when both
 * ask for it.  What has no single meaning is refused with -EINVAL and a
 * message naming the call: a default of SCMP_ACT_NOTIFY; a call with both
 * unconditional and argument rules, or unconditional rules that disagree;
 * argument rules on both sides that differ; argument rules on one side whose
 * unmatched calls would get less than the stricter answer from the merged
 * default (an answer of the same precedence, another errno, is not less);
 * no common architecture; a bundle that already has an agent
 * (listenerPath or SCMP_ACT_NOTIFY).  -ENOMEM.  See redirect-runc(1).
 */
int redirect_oci_config_merge_seccomp(const struct redirect_oci_config *config,
				      const struct redirect_policy *policy,
				      const char *listener_path, char **jsonp,
				      struct redirect_error **err);

/* annotations[key] (read() checks that every annotation is a string), or NULL. */
const char *redirect_oci_config_annotation(const struct redirect_oci_config *config,
					   const char *key);
/* Set annotations[key] in the config the set/merge functions write.  -ENOMEM. */
int redirect_oci_config_set_annotation(struct redirect_oci_config *config, const char *key,
				       const char *value, struct redirect_error **err);

/* ---- module client (/dev/redirect) with the portable fallback ----------------------- */

/*
 * A session: one open of /dev/redirect, handshaken, through which the
 * daemon attaches listeners, sets tier-1 rules, adopts sandboxes in custody
 * and exchanges requests and replies with the broker.  Where /dev/redirect
 * is absent the session is a portable one, with the same calls: it keeps the
 * listeners itself, RECVs on them, decides tier-1 rules in user space
 * (redirect_ruleset_decide()) and hands only the forwarded calls out, so the
 * daemon drives both modes alike.  The fallback is announced once per
 * process through the notice function.
 */
struct redirect_session;

/* Fail with -ENODEV instead of falling back to portable mode. */
#define REDIRECT_SESSION_MODULE_ONLY (1U << 0)
/* Never open /dev/redirect: portable mode (tests, benchmarks). */
#define REDIRECT_SESSION_PORTABLE (1U << 1)

/* The features a module session asks for (all but NETLINK, which is separate). */
#define REDIRECT_SESSION_FEATURES                                                        \
	(REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH | REDIRECT_FEATURE_BROKER | \
	 REDIRECT_FEATURE_CUSTODY | REDIRECT_FEATURE_EXEC_GUARD)

/*
 * redirect_session_open() - open and handshake, or fall back
 * Module mode asks for REDIRECT_SESSION_FEATURES, or for what the module
 * supports of them when it lacks some (see redirect_session_features()).
 * Errors: -ENODEV (MODULE_ONLY and no device), -EACCES/-EPERM opening it,
 * -EPROTONOSUPPORT the module speaks another API version, -EINVAL flags.
 */
int redirect_session_open(unsigned int flags, struct redirect_session **sessionp,
			  struct redirect_error **err);
void redirect_session_free(struct redirect_session *session);

enum redirect_mode redirect_session_mode(const struct redirect_session *session);
/* Features enabled; in portable mode the emulated ones (no CUSTODY). */
uint64_t redirect_session_features(const struct redirect_session *session);
/* The module's API version (REDIRECT_API_VERSION in portable mode). */
uint32_t redirect_session_api_version(const struct redirect_session *session);

/*
 * The fd to poll for POLLIN: a request is ready for
 * redirect_session_broker() (in portable mode: a listener has an event).
 */
int redirect_session_fd(const struct redirect_session *session);

/*
 * redirect_session_attach() - hand a listener to the session
 * @listener_fd: stays the caller's (the module / session takes its own)
 * @pidfd: the sandbox's first process, or -1 (needed for FAIL_KILL)
 * @fail_mode, @hold_timeout_ms: REDIRECT_FAIL_* (module mode only)
 * Errors are REDIRECT_IOC_ATTACH's; portable mode checks the same fields.
 */
int redirect_session_attach(struct redirect_session *session, int listener_fd, int pidfd,
			    const char *name, uint32_t fail_mode, uint32_t hold_timeout_ms,
			    uint32_t *sandbox_idp, struct redirect_error **err);

/* REDIRECT_IOC_ADOPT; -EOPNOTSUPP in portable mode (no custody). */
int redirect_session_adopt(struct redirect_session *session, uint32_t sandbox_id,
			   struct redirect_error **err);

/*
 * redirect_session_set_rules() - replace a sandbox's tier-1 rules
 * @ruleset: NULL clears them.  The set is copied (portable mode: its hit
 * counts start at zero).  On EINVAL the message names the rule's JSON path
 * (its origin) and the field the module refused.
 */
int redirect_session_set_rules(struct redirect_session *session, uint32_t sandbox_id,
			       const struct redirect_ruleset *ruleset,
			       struct redirect_error **err);

/* The same with raw UAPI rules (not checked here: the module's word counts). */
int redirect_session_set_rules_array(struct redirect_session *session, uint32_t sandbox_id,
				     const struct redirect_rule *rules, size_t n,
				     struct redirect_error **err);

/*
 * redirect_session_broker() - one REDIRECT_IOC_BROKER round
 * @replies, @nr_replies: performed first, in order; each one's result is
 *        written into it; *nr_replies gets the number performed
 * @requests, @max_requests: filled with forwarded requests; *nr_requests
 *        gets how many
 * @timeout_ms: wait for a request when none is ready: 0 no, -1 forever (other
 *        negative values: -EINVAL)
 * Returns 0 (also on timeout, with *nr_requests 0) or the call's -errno:
 * -EINTR a signal came first.  In portable mode tier-1 verdicts are
 * answered inside, and a sandbox whose listener hung up is dropped.
 */
int redirect_session_broker(struct redirect_session *session, struct redirect_reply *replies,
			    uint32_t *nr_replies, struct redirect_request *requests,
			    uint32_t max_requests, uint32_t *nr_requests, int timeout_ms,
			    struct redirect_error **err);

/* Sandboxes still attached (portable mode: listeners not hung up). */
size_t redirect_session_sandbox_count(const struct redirect_session *session);

/*
 * Library notices (the fallback to portable mode): by default written to
 * stderr as "libredirect: ...".  fn NULL silences them.
 */
typedef void (*redirect_notice_fn)(void *ctx, const char *msg);
void redirect_set_notice_fn(redirect_notice_fn fn, void *ctx);

/* ---- control plane: generic netlink family "redirect" (libnl-genl-3) ---------------- */

struct redirect_ctl;

/*
 * redirect_ctl_open() - a socket on the family
 * Errors: -ENOENT the family is unknown (module not loaded: portable mode),
 * -EPERM, -ENOMEM.
 */
int redirect_ctl_open(struct redirect_ctl **ctlp, struct redirect_error **err);
void redirect_ctl_close(struct redirect_ctl *ctl);

/*
 * What the module reports of a sandbox, of the system calls in it and of
 * its rules is opaque, read through the getters below (as libseccomp does):
 * the module's header may grow (more statistics, histogram buckets, rule
 * fields, a longer name) without changing any layout a program was built
 * with.  A getter given an index past what this library knows returns 0.
 */
struct redirect_sandbox_info; /* one sandbox */
struct redirect_sandbox_list; /* a dump of them */
struct redirect_counters; /* enum redirect_stat counters and the latency histogram */
struct redirect_syscall_stats; /* one system call's counters in a sandbox */
struct redirect_syscall_stats_list;
struct redirect_rule_info; /* one tier-1 rule as the module holds it */
struct redirect_rule_info_list;

/* All sandboxes (a dump), in the module's order. */
int redirect_ctl_sandboxes(struct redirect_ctl *ctl, struct redirect_sandbox_list **listp,
			   struct redirect_error **err);
size_t redirect_sandbox_list_count(const struct redirect_sandbox_list *list);
/* The i-th sandbox (owned by the list), or NULL past the end. */
const struct redirect_sandbox_info *
redirect_sandbox_list_get(const struct redirect_sandbox_list *list, size_t i);
void redirect_sandbox_list_free(struct redirect_sandbox_list *list);

/* One sandbox; -ENOENT when there is no such sandbox. */
int redirect_ctl_sandbox(struct redirect_ctl *ctl, uint32_t sandbox_id,
			 struct redirect_sandbox_info **infop, struct redirect_error **err);
void redirect_sandbox_info_free(struct redirect_sandbox_info *info);

uint32_t redirect_sandbox_info_id(const struct redirect_sandbox_info *info);
/* The name it was attached with (NUL-terminated, as long as the module's). */
const char *redirect_sandbox_info_name(const struct redirect_sandbox_info *info);
/* REDIRECT_FAIL_* */
uint32_t redirect_sandbox_info_fail_mode(const struct redirect_sandbox_info *info);
/* A session owns it (false: in custody). */
bool redirect_sandbox_info_owned(const struct redirect_sandbox_info *info);
/* Forwarded requests queued, handed to the owner unanswered, waiting for the next owner. */
uint32_t redirect_sandbox_info_forward_pending(const struct redirect_sandbox_info *info);
uint32_t redirect_sandbox_info_delivered(const struct redirect_sandbox_info *info);
uint32_t redirect_sandbox_info_replay(const struct redirect_sandbox_info *info);
uint64_t redirect_sandbox_info_rules_generation(const struct redirect_sandbox_info *info);
/* The sandbox's totals (owned by info). */
const struct redirect_counters *
redirect_sandbox_info_counters(const struct redirect_sandbox_info *info);

/*
 * Counter @stat (enum redirect_stat) and histogram bucket @bucket (calls
 * under 2^bucket us; the last bucket: the rest); 0 for an index at or past
 * redirect_stat_count() / redirect_hist_buckets().
 */
uint64_t redirect_counters_stat(const struct redirect_counters *counters, unsigned int stat);
uint64_t redirect_counters_hist(const struct redirect_counters *counters, unsigned int bucket);
/* How many counters and buckets this library reads (its REDIRECT_STAT_COUNT, _HIST_BUCKETS). */
unsigned int redirect_stat_count(void);
unsigned int redirect_hist_buckets(void);

/* Per-syscall statistics of a sandbox (a dump): one entry per call seen. */
int redirect_ctl_stats(struct redirect_ctl *ctl, uint32_t sandbox_id,
		       struct redirect_syscall_stats_list **listp, struct redirect_error **err);
size_t redirect_syscall_stats_list_count(const struct redirect_syscall_stats_list *list);
const struct redirect_syscall_stats *
redirect_syscall_stats_list_get(const struct redirect_syscall_stats_list *list, size_t i);
void redirect_syscall_stats_list_free(struct redirect_syscall_stats_list *list);
/* The system call's number (x86-64) and its counters (owned by stats). */
uint32_t redirect_syscall_stats_nr(const struct redirect_syscall_stats *stats);
const struct redirect_counters *
redirect_syscall_stats_counters(const struct redirect_syscall_stats *stats);

/* The rules of a sandbox, in load order (a dump). */
int redirect_ctl_get_rules(struct redirect_ctl *ctl, uint32_t sandbox_id,
			   struct redirect_rule_info_list **listp, struct redirect_error **err);
size_t redirect_rule_info_list_count(const struct redirect_rule_info_list *list);
const struct redirect_rule_info *
redirect_rule_info_list_get(const struct redirect_rule_info_list *list, size_t i);
void redirect_rule_info_list_free(struct redirect_rule_info_list *list);
/* Its place in the set, the decisions it took, the set's generation. */
uint32_t redirect_rule_info_index(const struct redirect_rule_info *info);
uint64_t redirect_rule_info_hits(const struct redirect_rule_info *info);
uint64_t redirect_rule_info_generation(const struct redirect_rule_info *info);
/*
 * redirect_rule_info_rule() - copy the rule into @rule, @size bytes
 * (sizeof(*rule) of the caller's header), as the kernel copies an extensible
 * struct: a smaller size gets the start, a larger one is zero-filled past
 * what this library knows.  Returns the bytes the library holds.
 */
size_t redirect_rule_info_rule(const struct redirect_rule_info *info, struct redirect_rule *rule,
			       size_t size);

/*
 * Replace a sandbox's rules (one RULE attribute each; none clears).  On
 * EINVAL the message has the module's extended ack and the offending rule,
 * named by its origin when ruleset is given.
 */
int redirect_ctl_set_rules(struct redirect_ctl *ctl, uint32_t sandbox_id,
			   const struct redirect_ruleset *ruleset, struct redirect_error **err);
int redirect_ctl_set_rules_array(struct redirect_ctl *ctl, uint32_t sandbox_id,
				 const struct redirect_rule *rules, size_t n,
				 struct redirect_error **err);

/* Join the "events" multicast group; then poll redirect_ctl_event_fd(). */
int redirect_ctl_subscribe(struct redirect_ctl *ctl, struct redirect_error **err);
int redirect_ctl_event_fd(const struct redirect_ctl *ctl);

struct redirect_event {
	uint32_t sandbox_id;
	uint32_t pid;
	uint32_t nr;
	uint32_t verdict;
	int64_t value;
	uint32_t rule;
	uint64_t dropped;
};

/* The next audit event: 1 with *event filled, 0 none within timeout_ms. */
int redirect_ctl_next_event(struct redirect_ctl *ctl, struct redirect_event *event,
			    int timeout_ms, struct redirect_error **err);

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
