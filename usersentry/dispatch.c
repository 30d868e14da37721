// SPDX-License-Identifier: GPL-2.0
/* The serving loop: handler table, deciding a call, broker and listener answers. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sentry.h"

static bool has_uname(const struct redirect_policy *p)
{
	return redirect_policy_has_uname(p);
}

static bool has_files(const struct redirect_policy *p)
{
	return redirect_policy_has_files(p);
}

static bool has_connect(const struct redirect_policy *p)
{
	return redirect_policy_has_connect(p);
}

static bool has_sysinfo(const struct redirect_policy *p)
{
	return redirect_policy_has_sysinfo(p);
}

static bool has_mount(const struct redirect_policy *p)
{
	return redirect_policy_has_mount(p);
}

/* the calls that open or look up a path: the file rules' or a synthetic file's */
static bool has_files_or_synth(const struct redirect_policy *p)
{
	return has_files(p) || redirect_policy_has_synth(p);
}

/* the abi section's calls: notified only where it asks (by number) */
static bool has_abi(const struct redirect_policy *p)
{
	return redirect_policy_has_abi(p);
}

/* faccessat2: the file handler's, for the file rules or the abi section */
static bool has_files_synth_or_abi(const struct redirect_policy *p)
{
	return has_files_or_synth(p) || has_abi(p);
}

static bool has_files_or_mount(const struct redirect_policy *p)
{
	return has_files(p) || has_mount(p);
}

/*
 * blocks: whether the handler may wait on something outside.
 *  - SENTRY_INLINE: never (the answer is computed here), or only on what it
 *    opens: a regular file or a directory is served on the main thread; a
 *    FIFO, device or socket the handler hands back (reply->handoff) and a
 *    worker serves the call again;
 *  - SENTRY_WORKER: always a worker (a peer, a mount).
 * To add a handler: a line here; the table by number follows from the names.
 */
static const struct sentry_handler {
	const char *name;
	sentry_handler_fn fn;
	bool (*enabled)(const struct redirect_policy *policy);
	enum { SENTRY_INLINE, SENTRY_WORKER } blocks;
} handlers[] = {
	{ "uname", sentry_handle_uname, has_uname, SENTRY_INLINE },
	{ "open", sentry_handle_open, has_files_or_synth, SENTRY_INLINE },
	{ "openat", sentry_handle_openat, has_files_or_synth, SENTRY_INLINE },
	{ "openat2", sentry_handle_openat2, has_files_or_synth, SENTRY_INLINE },
	{ "mkdir", sentry_handle_mkdir, has_files, SENTRY_INLINE },
	{ "mkdirat", sentry_handle_mkdirat, has_files, SENTRY_INLINE },
	{ "unlink", sentry_handle_unlink, has_files, SENTRY_INLINE },
	{ "rmdir", sentry_handle_rmdir, has_files, SENTRY_INLINE },
	{ "unlinkat", sentry_handle_unlinkat, has_files, SENTRY_INLINE },
	{ "rename", sentry_handle_rename, has_files, SENTRY_INLINE },
	{ "renameat", sentry_handle_renameat, has_files, SENTRY_INLINE },
	{ "renameat2", sentry_handle_renameat, has_files, SENTRY_INLINE },
	{ "stat", sentry_handle_stat, has_files_or_synth, SENTRY_INLINE },
	{ "lstat", sentry_handle_stat, has_files_or_synth, SENTRY_INLINE },
	{ "newfstatat", sentry_handle_newfstatat, has_files_or_synth, SENTRY_INLINE },
	{ "statx", sentry_handle_statx, has_files_or_synth, SENTRY_INLINE },
	{ "access", sentry_handle_access, has_files_or_synth, SENTRY_INLINE },
	{ "faccessat", sentry_handle_access, has_files_or_synth, SENTRY_INLINE },
	{ "faccessat2", sentry_handle_access, has_files_synth_or_abi, SENTRY_INLINE },
	{ "readlink", sentry_handle_readlink, has_files, SENTRY_INLINE },
	{ "readlinkat", sentry_handle_readlink, has_files, SENTRY_INLINE },
	{ "chmod", sentry_handle_chmod, has_files, SENTRY_INLINE },
	{ "fchmodat", sentry_handle_chmod, has_files, SENTRY_INLINE },
	{ "chown", sentry_handle_chown, has_files, SENTRY_INLINE },
	{ "lchown", sentry_handle_chown, has_files, SENTRY_INLINE },
	{ "fchownat", sentry_handle_chown, has_files, SENTRY_INLINE },
	{ "truncate", sentry_handle_truncate, has_files, SENTRY_INLINE },
	{ "utimensat", sentry_handle_utimensat, has_files, SENTRY_INLINE },
	{ "creat", sentry_handle_creat, has_files, SENTRY_INLINE },
	{ "mknod", sentry_handle_mknod, has_files, SENTRY_INLINE },
	{ "mknodat", sentry_handle_mknod, has_files, SENTRY_INLINE },
	{ "symlink", sentry_handle_symlink, has_files, SENTRY_INLINE },
	{ "symlinkat", sentry_handle_symlink, has_files, SENTRY_INLINE },
	{ "link", sentry_handle_link, has_files, SENTRY_INLINE },
	{ "linkat", sentry_handle_link, has_files, SENTRY_INLINE },
	{ "getdents64", sentry_handle_getdents64, has_files, SENTRY_INLINE },
	{ "getdents", sentry_handle_getdents, has_files, SENTRY_INLINE },
	{ "statfs", sentry_handle_statfs, has_files, SENTRY_INLINE },
	{ "fchmod", sentry_handle_fchmod, has_files, SENTRY_INLINE },
	{ "fchown", sentry_handle_fchmod, has_files, SENTRY_INLINE },
	{ "utime", sentry_handle_utimes, has_files, SENTRY_INLINE },
	{ "utimes", sentry_handle_utimes, has_files, SENTRY_INLINE },
	{ "futimesat", sentry_handle_utimes, has_files, SENTRY_INLINE },
	{ "getxattr", sentry_handle_getxattr, has_files, SENTRY_INLINE },
	{ "lgetxattr", sentry_handle_getxattr, has_files, SENTRY_INLINE },
	{ "fgetxattr", sentry_handle_getxattr, has_files, SENTRY_INLINE },
	{ "listxattr", sentry_handle_listxattr, has_files, SENTRY_INLINE },
	{ "llistxattr", sentry_handle_listxattr, has_files, SENTRY_INLINE },
	{ "flistxattr", sentry_handle_listxattr, has_files, SENTRY_INLINE },
	{ "setxattr", sentry_handle_setxattr, has_files, SENTRY_INLINE },
	{ "lsetxattr", sentry_handle_setxattr, has_files, SENTRY_INLINE },
	{ "fsetxattr", sentry_handle_setxattr, has_files, SENTRY_INLINE },
	{ "removexattr", sentry_handle_removexattr, has_files, SENTRY_INLINE },
	{ "lremovexattr", sentry_handle_removexattr, has_files, SENTRY_INLINE },
	{ "fremovexattr", sentry_handle_removexattr, has_files, SENTRY_INLINE },
	{ "bind", sentry_handle_bind, has_files, SENTRY_INLINE },
	{ "inotify_add_watch", sentry_handle_inotify_add_watch, has_files, SENTRY_INLINE },
	{ "chdir", sentry_handle_chdir, has_files, SENTRY_INLINE },
	{ "execve", sentry_handle_execve, has_files, SENTRY_INLINE },
	{ "execveat", sentry_handle_execve, has_files, SENTRY_INLINE },
	{ "fanotify_mark", sentry_handle_refused, has_files, SENTRY_INLINE },
	{ "name_to_handle_at", sentry_handle_refused, has_files, SENTRY_INLINE },
	{ "open_by_handle_at", sentry_handle_refused, has_files, SENTRY_INLINE },
	{ "chroot", sentry_handle_refused, has_files, SENTRY_INLINE },
	{ "pivot_root", sentry_handle_refused, has_files_or_mount, SENTRY_INLINE },
	{ "fsopen", sentry_handle_refused, has_files_or_mount, SENTRY_INLINE },
	{ "fsconfig", sentry_handle_refused, has_files_or_mount, SENTRY_INLINE },
	{ "fsmount", sentry_handle_refused, has_files_or_mount, SENTRY_INLINE },
	{ "fspick", sentry_handle_refused, has_files_or_mount, SENTRY_INLINE },
	{ "move_mount", sentry_handle_refused, has_files_or_mount, SENTRY_INLINE },
	{ "open_tree", sentry_handle_refused, has_files_or_mount, SENTRY_INLINE },
	{ "mount_setattr", sentry_handle_refused, has_files_or_mount, SENTRY_INLINE },
	{ "mount", sentry_handle_mount, has_mount, SENTRY_WORKER },
	{ "umount2", sentry_handle_umount2, has_mount, SENTRY_WORKER },
	{ "connect", sentry_handle_connect, has_connect, SENTRY_WORKER },
	{ "sendto", sentry_handle_sendto, has_connect, SENTRY_WORKER },
	{ "sysinfo", sentry_handle_sysinfo, has_sysinfo, SENTRY_INLINE },
	{ "fchmodat2", sentry_handle_chmod, has_files_synth_or_abi, SENTRY_INLINE },
	{ "cachestat", sentry_handle_cachestat, has_abi, SENTRY_INLINE },
	{ "mseal", sentry_handle_mseal, has_abi, SENTRY_INLINE },
};

/*
 * The native architecture's calls by number, resolved once: a call costs
 * an index, not libseccomp's name lookup (which allocates) and a scan of
 * the handlers by name.  Another architecture's calls (a 32-bit task) take
 * that slow way still.
 */
#define SENTRY_NR_MAX 1024
#define SENTRY_NAME_LEN 32
static struct {
	uint32_t arch;
	char names[SENTRY_NR_MAX][SENTRY_NAME_LEN];	/* "" when the number has none */
	const struct sentry_handler *handler[SENTRY_NR_MAX];
} by_nr;
static pthread_once_t by_nr_once = PTHREAD_ONCE_INIT;

static const struct sentry_handler *handler_named(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(handlers); i++)
		if (!strcmp(handlers[i].name, name))
			return &handlers[i];
	return NULL;
}

static void by_nr_build(void)
{
	int nr;

	by_nr.arch = seccomp_arch_native();
	for (nr = 0; nr < SENTRY_NR_MAX; nr++) {
		if (!redirect_syscall_name(by_nr.arch, nr, by_nr.names[nr], SENTRY_NAME_LEN))
			by_nr.names[nr][0] = '\0';
		else
			by_nr.handler[nr] = handler_named(by_nr.names[nr]);
	}
}

/* The call's handler (enabled by the policy or not) and its name (namebuf when not ours). */
static const struct sentry_handler *lookup(const struct seccomp_notif *req, char *namebuf,
					   size_t size, const char **namep)
{
	const char *name;

	pthread_once(&by_nr_once, by_nr_build);
	if (req->data.arch == by_nr.arch && req->data.nr >= 0 && req->data.nr < SENTRY_NR_MAX &&
	    by_nr.names[req->data.nr][0]) {
		*namep = by_nr.names[req->data.nr];
		return by_nr.handler[req->data.nr];
	}
	name = redirect_syscall_name(req->data.arch, req->data.nr, namebuf, size);
	if (!name) {
		snprintf(namebuf, size, "%d", req->data.nr);
		*namep = namebuf;
		return NULL;
	}
	*namep = name;
	return handler_named(name);
}

static bool enabled(const struct sentry_handler *h, const struct redirect_policy *policy)
{
	return h && policy && h->enabled(policy);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- deciding ----------------------------------------------------------------------------- */

/*
 * Goes to a worker at once: its handler may block (SENTRY_WORKER).  So
 * does the Sentry's tier-1 re-check of such a call, which reads the
 * target's memory.
 */
static bool call_blocks(const struct sentry_sandbox *sb, const struct seccomp_notif *req)
{
	const struct redirect_policy *policy;
	char namebuf[64];
	const char *name;
	const struct sentry_handler *h = lookup(req, namebuf, sizeof(namebuf), &name);

	if (!h || !sb->policy)
		return false;
	policy = sentry_conf_policy_for(sb, name);
	return enabled(h, policy) && h->blocks == SENTRY_WORKER;
}

int sentry_id_valid(struct sentry_sandbox *sb, uint64_t id)
{
	struct redirect_reply r = { .kind = REDIRECT_REPLY_ID_VALID };
	uint32_t n = 1, nreq = 0;
	int ret;

	/* portable: our own listener copy; the session's list is the main thread's */
	if (!sb->s || !sb->s->session ||
	    (sb->s->mode == REDIRECT_MODE_PORTABLE && sb->listener >= 0))
		return redirect_notif_id_valid(sb->listener, id, NULL);
	r.sandbox_id = sb->sandbox_id;
	r.resp.id = id;
	do {
		ret = redirect_session_broker(sb->s->session, &r, &n, NULL, 0, &nreq, 0, NULL);
	} while (ret == -EINTR && n == 0 && (n = 1));
	if (ret < 0)
		return ret;
	return r.result < 0 ? (int)r.result : 0;
}

/* The fds a reply carries, closed once it is sent or given up. */
static void reply_close_fds(struct sentry_reply *reply)
{
	if (reply->addfd >= 0)
		close(reply->addfd);
	if (reply->exec_fd >= 0)
		close(reply->exec_fd);
	reply->addfd = -1;
	reply->exec_fd = -1;
}

/*
 * A guarded exec's CONTINUE_EXEC failed (result @res) but the call waits:
 * it cannot be continued unguarded, so it is refused (ENOMEM as such).
 * False when there is nothing left to answer (gone, or not ours).
 */
static bool exec_unguarded(struct sentry_reply *reply, int64_t res)
{
	close(reply->exec_fd);
	reply->exec_fd = -1;
	if (res >= 0 || res == -ENOENT)
		return false;
	reply->flags = 0;
	reply->error = res == -ENOMEM ? -ENOMEM : -EACCES;
	reply->verdict = "denied:unguarded";
	return true;
}

int sentry_decide(struct sentry_sandbox *sb, const struct seccomp_notif *req,
		  struct sentry_reply *reply, const char **namep, char *namebuf, size_t size)
{
	struct redirect_answer def = { .kind = REDIRECT_ANSWER_ERRNO, .errnum = ENOSYS };
	const struct redirect_policy *policy = sb->policy;
	const struct sentry_handler *h;
	sentry_handler_fn fn;
	const char *name;
	int ret;

	bool may_handoff = reply->may_handoff;

	memset(reply, 0, offsetof(struct sentry_reply, strs));
	reply->strs.n = 0;
	reply->addfd = -1;
	reply->exec_fd = -1;
	reply->tier = "sentry";
	reply->may_handoff = may_handoff;
	h = lookup(req, namebuf, size, &name);
	/* a call the filter notifies and a reloaded policy does not: as before */
	if (h)
		policy = sentry_conf_policy_for(sb, name);
	fn = enabled(h, policy) ? h->fn : NULL;
	*namep = name;

	/*
	 * A call notified before the sandbox's rules reached the module (or
	 * whose string the module could not read at once) is decided here by
	 * the same engine, so that it gets the rule's answer, not the default.
	 * Limited rules are left to the module, which counts them.
	 *
	 * Every call is checked again, not only early ones: a string rule read
	 * the target's memory once in the module, and the handler reads it
	 * again. Both here read one copy (reply->strs), so a string swapped
	 * after the module's look is judged by the rules before it is served.
	 */
	if (sb->rules) {
		struct sentry_str_ctx sc = { .strs = &reply->strs, .pid = (pid_t)req->pid };
		struct redirect_decision d;

		ret = redirect_ruleset_decide_fetch(sb->rules, req, sentry_fetch_str, &sc, &d);
		if (ret == 0 && d.matched && !redirect_ruleset_rules(sb->rules)[d.rule].limit &&
		    d.verdict != REDIRECT_VERDICT_FORWARD) {
			if (sentry_id_valid(sb, req->id) < 0)
				return -ENOENT;
			if (d.verdict == REDIRECT_VERDICT_ERRNO) {
				reply->error = (int32_t)-d.value;
			} else if (d.verdict == REDIRECT_VERDICT_VALUE) {
				reply->val = d.value;
			} else {
				/* KILL, as the module: the thread group dies, the call reads EPERM */
				if (kill((pid_t)req->pid, SIGKILL) < 0 && errno != ESRCH)
					sentry_log("sandbox=%s pid=%u: kill: %s", sb->id, req->pid,
						   strerror(errno));
				reply->error = -EPERM;
			}
			reply->tier = "tier1";
			reply->verdict = "rule";
			return 0;
		}
	}

	if (fn && policy != sb->policy) {
		struct sentry_sandbox kept = {
			.s = sb->s,
			.id = sb->id,
			.sandbox_id = sb->sandbox_id,
			.pid = sb->pid,
			.listener = sb->listener,
			.conf = sb->conf,
			.policy = (struct redirect_policy *)policy,
			.rules = sb->rules,
			.policy_name = sb->policy_name,
			.adopted = sb->adopted,
			.owner = sb->owner ? sb->owner : sb,
		};

		ret = fn(&kept, req, reply);
	} else if (fn) {
		ret = fn(sb, req, reply);
	}
	if (fn) {
		if (ret == -ENOENT)
			return -ENOENT;
		if (ret < 0 || !reply->may_handoff)
			reply->handoff = false;
		if (ret < 0) {
			reply_close_fds(reply);
			reply->error = -ENOSYS;
			reply->val = 0;
			reply->flags = 0;
			reply->verdict = "errno:ENOSYS";
			sentry_log("sandbox=%s pid=%u syscall=%s: handler failed: %s", sb->id,
				   req->pid, name, strerror(-ret));
		}
		return 0;
	}
	if (policy)
		redirect_policy_default_verdict(policy, &def);
	if (def.kind == REDIRECT_ANSWER_CONTINUE)
		reply->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		reply->error = -def.errnum;
	reply->verdict = redirect_verdict_format(&def, reply->verdict_buf,
						 sizeof(reply->verdict_buf));
	return 0;
}

/*
 * A broker reply's result, ESRCH folded into ENOENT: both say nothing is left
 * to answer (the call ended while its ADDFD waited, or another reply answered
 * it; or its sandbox ended), not that the reply failed (UAPI header).
 */
static int64_t reply_result(int64_t res)
{
	return res == -ESRCH ? -ENOENT : res;
}

static void log_call(const struct sentry_sandbox *sb, const struct seccomp_notif *req,
		     const char *name, const struct sentry_reply *reply, int64_t result,
		     bool replayed, uint64_t t0)
{
	const char *rp = replayed ? " replayed" : "";

	if (result < 0 && result != -ENOENT) {
		sentry_log("sandbox=%s pid=%u syscall=%s: reply failed: %s", sb->id, req->pid,
			   name, strerror((int)-result));
	} else if (!sentry_log_calls()) {
		/* counted in the metrics below; a line only when asked for */
	} else if (result == -ENOENT) {
		sentry_log("call sandbox=%s pid=%u syscall=%s verdict=%s (target gone)%s", sb->id,
			   req->pid, name, reply->verdict, rp);
	} else if (reply->error) {
		const char *ename = strerrorname_np(-reply->error);

		sentry_log("call sandbox=%s pid=%u syscall=%s verdict=%s errno=%s%s", sb->id,
			   req->pid, name, reply->verdict, ename ? ename : "?", rp);
	} else {
		sentry_log("call sandbox=%s pid=%u syscall=%s verdict=%s ret=%lld%s", sb->id,
			   req->pid, name, reply->verdict,
			   (long long)(reply->addfd >= 0 ? result : reply->val), rp);
	}
	sentry_audit_call(sb, req, name, reply, result, reply->tier ? reply->tier : "sentry",
			  replayed, now_ns() - t0);
	if (sb->s)
		sentry_metrics_count((struct sentry_sandbox *)sb, req->data.nr, reply->error,
				     now_ns() - t0);
}

/*
 * An opened fd goes to the target in two steps, ADDFD then SEND with its
 * number, not as one ADDFD with SECCOMP_ADDFD_FLAG_SEND, wherever the
 * Sentry's own thread issues the ioctl (portable mode).  That flag marks
 * the call answered, with 0, before the target has installed the fd; if
 * the ioctl is interrupted then (kill -9 of the daemon, a stop, the
 * freezer, a worker's kick) the kernel takes the fd back but not the
 * answer, and the target's open() returns 0, its stdin.  Two steps leave
 * the call waiting instead, for us or the next daemon; the worst case is an
 * fd the target never learns of (interrupted between the steps).
 * In module mode the flag is asked for: the module performs it as the same
 * two steps in one round trip (kmod/broker.c), and an interrupted ADDFD's
 * result is EINTR: the reply goes again (an fd already installed is then
 * only sent: the module keeps its number with the call).
 */
static bool addfd_sends(const struct sentry *s)
{
	return s && s->mode == REDIRECT_MODE_MODULE;
}

/* ADDFD (no SEND) on our listener copy: the fd's number in the target, or -errno. */
static int64_t addfd_listener(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			      const struct sentry_reply *reply)
{
	struct seccomp_notif_addfd a = {
		.id = req->id,
		.srcfd = (uint32_t)reply->addfd,
		.newfd_flags = reply->addfd_flags,
	};
	int ret;

	/* EINTR: not installed (the kernel dequeued it), the call still waits */
	do {
		ret = ioctl(sb->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

/* SEND or ADDFD then SEND on our listener copy (portable mode, tests); the result, or -errno. */
static int64_t answer_listener(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			       struct sentry_reply *reply, struct redirect_notif_buf *buf)
{
	int64_t result;

	/* the module's exec guard only (never in portable mode): continued unguarded */
	if (reply->exec_fd >= 0) {
		close(reply->exec_fd);
		reply->exec_fd = -1;
	}
	if (reply->addfd >= 0) {
		result = addfd_listener(sb, req, reply);
		close(reply->addfd);
		reply->addfd = -1;
		/* gone, or interrupted and restarted (pending ADDFDs fail with ESRCH) */
		if (result == -ENOENT || result == -ESRCH)
			return -ENOENT;
		if (result >= 0) {
			reply->val = result;
		} else {
			/* EMFILE...: the call still waits, answered with the error */
			reply->error = (int32_t)result;
			reply->verdict = "errno";
		}
		result = redirect_notif_send(sb->listener, buf, req->id, reply->val, reply->error,
					     0, NULL);
		if (result == -ENOENT && reply->val >= 0 && !reply->error)
			sentry_log("sandbox=%s pid=%u: fd %lld installed, then the call was "
				   "interrupted: the target keeps it unknown",
				   sb->id, req->pid, (long long)reply->val);
		return result;
	}
	return redirect_notif_send(sb->listener, buf, req->id, reply->val, reply->error,
				   reply->flags, NULL);
}

/* Direct path on sb->listener, for tests driving handlers without a session. */
int sentry_dispatch(struct sentry_sandbox *sb, struct redirect_notif_buf *buf)
{
	const struct seccomp_notif *req = redirect_notif_req(buf);
	struct sentry_reply reply;
	uint64_t t0 = now_ns();
	char namebuf[64];
	const char *name;
	int64_t result;
	int ret;

	sb->calls++;
	reply.may_handoff = false;
	ret = sentry_decide(sb, req, &reply, &name, namebuf, sizeof(namebuf));
	if (ret == -ENOENT) {
		if (sentry_log_calls())
			sentry_log("call sandbox=%s pid=%u syscall=%s verdict=none (target gone)",
				   sb->id, req->pid, name);
		return -ENOENT;
	}
	result = answer_listener(sb, req, &reply, buf);
	log_call(sb, req, name, &reply, result, false, t0);
	return result < 0 ? (int)result : 0;
}

/* sends: ADDFD with SECCOMP_ADDFD_FLAG_SEND (addfd_sends()), else its SEND follows */
static void fill_reply(struct redirect_reply *r, uint32_t sandbox_id, uint64_t id,
		       const struct sentry_reply *reply, bool sends)
{
	memset(r, 0, sizeof(*r));
	r->sandbox_id = sandbox_id;
	if (reply->exec_fd >= 0) {
		r->kind = REDIRECT_REPLY_CONTINUE_EXEC;
		r->resp.id = id;
		r->resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		r->addfd.srcfd = (uint32_t)reply->exec_fd;
	} else if (reply->addfd >= 0) {
		r->kind = REDIRECT_REPLY_ADDFD;
		r->addfd.id = id;
		r->addfd.flags = sends ? SECCOMP_ADDFD_FLAG_SEND : 0;
		r->addfd.srcfd = (uint32_t)reply->addfd;
		r->addfd.newfd_flags = reply->addfd_flags;
	} else {
		r->kind = REDIRECT_REPLY_SEND;
		r->resp.id = id;
		r->resp.val = reply->val;
		r->resp.error = reply->error;
		r->resp.flags = reply->flags;
	}
}

/*
 * One reply now, from a worker: a reply-only broker round (no fetch, so it
 * cannot fail after its reply and may run beside the main thread's rounds).
 */
static int64_t answer_broker(struct sentry_sandbox *sb, const struct seccomp_notif *req,
			     struct sentry_reply *reply)
{
	struct redirect_reply r;
	uint32_t n, nreq = 0;
	int ret;

	for (;;) {
		/* module mode only: the module performs the SEND flag's ioctl */
		fill_reply(&r, sb->sandbox_id, req->id, reply, true);
		n = 1;
		ret = redirect_session_broker(sb->s->session, &r, &n, NULL, 0, &nreq, 0, NULL);
		if (ret == -EINTR && !n)
			continue;	/* a kick, or a signal: not performed yet */
		if (ret < 0 && !n) {
			reply_close_fds(reply);
			return ret;
		}
		r.result = reply_result(r.result);
		if (reply->exec_fd >= 0) {
			if (r.result == -EINTR)
				continue;
			if (exec_unguarded(reply, r.result))
				continue;
			return r.result;
		}
		if (reply->addfd < 0)
			return r.result;
		if (r.result == -EINTR)
			continue; /* interrupted: the call still waits (an installed fd is only sent) */
		close(reply->addfd);
		/* EBUSY: another reply to the call is performed (logged: ours is a bug) */
		if (r.result >= 0 || r.result == -ENOENT || r.result == -EBUSY)
			return r.result;
		/* ADDFD failed (EMFILE...): the call still waits, answered with the error */
		reply->addfd = -1;
		reply->error = (int32_t)r.result;
		reply->verdict = "errno";
	}
}

void sentry_call_run(struct sentry_call *c, struct redirect_notif_buf *buf)
{
	struct sentry_sandbox *v = &c->view;
	struct sentry_reply reply;
	char namebuf[64];
	const char *name;
	int64_t result;

	reply.may_handoff = false;
	if (sentry_decide(v, &c->req, &reply, &name, namebuf, sizeof(namebuf)) == -ENOENT) {
		if (sentry_log_calls())
			sentry_log("call sandbox=%s pid=%u syscall=%s verdict=none (target gone)",
				   v->id, c->req.pid, name);
		return;
	}
	if (v->s && v->s->mode == REDIRECT_MODE_MODULE)
		result = answer_broker(v, &c->req, &reply);
	else
		result = answer_listener(v, &c->req, &reply, buf);
	log_call(c->sb, &c->req, name, &reply, result, c->replayed, c->t0);
}

void sentry_call_free(struct sentry_call *c)
{
	sentry_conf_put(c->view.conf);
	sentry_sandbox_put(c->sb);
	free(c);
}

/* Main thread: a call whose handler may block goes to a worker; false: answer it here. */
static bool offer(struct sentry_sandbox *sb, const struct seccomp_notif *req, bool replayed,
		  uint64_t t0, bool handed_off)
{
	struct sentry_call *c;

	if (!sentry_pool_enabled() || !sb->conf || (!handed_off && !call_blocks(sb, req)))
		return false;
	c = calloc(1, sizeof(*c));
	if (!c)
		return false;
	c->sb = sentry_sandbox_get(sb);
	c->view = (struct sentry_sandbox){
		.s = sb->s,
		.id = sb->id,
		.sandbox_id = sb->sandbox_id,
		.pid = sb->pid,
		.listener = sb->listener,
		.conf = sentry_conf_get(sb->conf),
		.policy = sb->policy,
		.rules = sb->rules,
		.policy_name = sb->policy_name,
		.adopted = sb->adopted,
		.owner = sb->owner ? sb->owner : sb,
	};
	c->req = *req;
	c->replayed = replayed;
	c->t0 = t0;
	if (sentry_pool_submit(c) == 0)
		return true;
	sentry_call_free(c);
	return false;
}

/* ---- the broker loop ----------------------------------------------------------------------- */

struct pending {
	struct sentry_sandbox *sb;
	struct seccomp_notif req;
	struct sentry_reply reply;
	const char *name;
	char namebuf[64];
	bool replayed;
	bool retry;		/* an ADDFD that failed: answered with its error next */
	uint64_t t0;
};

static struct redirect_request requests[SENTRY_BATCH];
static struct redirect_reply replies[2 * SENTRY_BATCH];
static struct pending pend[2 * SENTRY_BATCH];

static struct sentry_sandbox orphan = { .id = (char *)"unknown", .listener = -1 };

static void keep_pending(uint32_t to, uint32_t from)
{
	if (to == from)
		return;
	pend[to] = pend[from];
	if (pend[from].name == pend[from].namebuf)
		pend[to].name = pend[to].namebuf;
	replies[to] = replies[from];
}

static void queue_reply(struct pending *p, struct redirect_reply *r)
{
	fill_reply(r, p->sb->sandbox_id, p->req.id, &p->reply, addfd_sends(p->sb->s));
}

void sentry_serve(struct sentry *s)
{
	struct redirect_error *e = NULL;
	uint32_t nrep = 0, nreq = 0, i, done;
	int ret, rounds = 0;

	for (;;) {
		/*
		 * Fairness: after 64 rounds only the replies still owed go out,
		 * nothing more is fetched, and the loop returns to poll(): under
		 * a steady load the agent and control sockets were never served.
		 */
		bool last = rounds >= 64;

		done = nrep;
		ret = redirect_session_broker(s->session, replies, &done, last ? NULL : requests,
					      last ? 0 : SENTRY_BATCH, &nreq, 0, &e);
		if (ret < 0 && ret != -EINTR) {
			sentry_log("broker: %s", e ? e->msg : strerror(-ret));
			redirect_error_free(e);
			e = NULL;
			/* not a passing state (EINTR): what was not performed is lost */
			for (i = done; i < nrep; i++) {
				reply_close_fds(&pend[i].reply);
				sentry_log("sandbox=%s pid=%u syscall=%s: reply not sent",
					   pend[i].sb->id, pend[i].req.pid, pend[i].name);
			}
			nrep = done;
		}
		if (ret < 0)
			nreq = 0;
		/* results of the replies performed; the rest go again */
		{
			uint32_t keep = 0;

			for (i = 0; i < nrep; i++) {
				struct pending *p = &pend[i];
				int64_t res = reply_result(replies[i].result);

				if (i >= done) {
					keep_pending(keep++, i);
					continue;
				}
				if (p->reply.exec_fd >= 0) {
					if (res == -EINTR) {
						keep_pending(keep++, i);
						continue;
					}
					if (exec_unguarded(&p->reply, res)) {
						keep_pending(keep, i);
						queue_reply(&pend[keep], &replies[keep]);
						keep++;
						continue;
					}
				}
				if (p->reply.addfd >= 0) {
					if (res == -EINTR) {
						/* interrupted: the call waits (an installed fd is only sent) */
						keep_pending(keep++, i);
						continue;
					}
					close(p->reply.addfd);
					if (res >= 0 && !addfd_sends(s)) {
						/* installed: its number is the answer now */
						p->reply.addfd = -1;
						p->reply.val = res;
						keep_pending(keep, i);
						queue_reply(&pend[keep], &replies[keep]);
						keep++;
						continue;
					}
					if (res < 0 && res != -ENOENT && res != -EBUSY) {
						/* ADDFD failed (EMFILE...): the call still waits */
						p->reply.addfd = -1;
						p->reply.error = (int32_t)res;
						p->reply.verdict = "errno";
						keep_pending(keep, i);
						queue_reply(&pend[keep], &replies[keep]);
						keep++;
						continue;
					}
				}
				log_call(p->sb, &p->req, p->name, &p->reply, res, p->replayed,
					 p->t0);
			}
			nrep = keep;
		}
		if ((!nreq && !nrep) || (ret < 0 && ret != -EINTR && !nrep))
			break;
		for (i = 0; i < nreq; i++) {
			struct redirect_request *rq = &requests[i];
			struct pending *p = &pend[nrep];

			p->sb = sentry_sandbox_find(s, rq->sandbox_id);
			if (!p->sb) {
				/* owned by this session but not known: the default answer */
				orphan.s = s;
				orphan.sandbox_id = rq->sandbox_id;
				p->sb = &orphan;
			}
			p->t0 = now_ns();
			p->req = rq->notif;
			p->replayed = rq->flags & REDIRECT_REQUEST_REPLAYED;
			p->sb->calls++;
			/* may block: a worker answers it; we go on fetching */
			if (p->sb != &orphan && offer(p->sb, &p->req, p->replayed, p->t0, false))
				continue;
			p->reply.may_handoff = p->sb != &orphan && sentry_pool_enabled() &&
					       p->sb->conf;
			ret = sentry_decide(p->sb, &p->req, &p->reply, &p->name, p->namebuf,
					    sizeof(p->namebuf));
			/*
			 * It opens a FIFO, device or socket: a worker serves it from
			 * the start (its own copy of the arguments); when the pool
			 * is full, here after all.
			 */
			if (ret == 0 && p->reply.handoff) {
				if (offer(p->sb, &p->req, p->replayed, p->t0, true))
					continue;
				p->reply.may_handoff = false;
				ret = sentry_decide(p->sb, &p->req, &p->reply, &p->name,
						    p->namebuf, sizeof(p->namebuf));
			}
			if (ret == -ENOENT) {
				if (sentry_log_calls())
					sentry_log("call sandbox=%s pid=%u syscall=%s verdict=none "
						   "(target gone)", p->sb->id, p->req.pid, p->name);
				continue;
			}
			queue_reply(p, &replies[nrep]);
			nrep++;
		}
		if (++rounds > 64 && !nrep)
			break;
	}
}

