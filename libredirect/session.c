// SPDX-License-Identifier: GPL-2.0
/* The module client: a /dev/redirect session (handshake, attach, adopt, rules, broker), or its portable stand-in. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>

#include "internal.h"

#ifndef KCMP_FILE
#define KCMP_FILE 0
#endif

/* A sandbox of a portable session: the listener we RECV on ourselves. */
struct portable_sandbox {
	struct portable_sandbox *next;
	uint32_t id;
	int listener;
	int pidfd;
	uint32_t fail_mode;
	struct redirect_ruleset *rules;
	char name[REDIRECT_NAME_MAX];
};

struct redirect_session {
	enum redirect_mode mode;
	int fd;				/* module: the session; portable: an epoll fd */
	uint64_t features;
	uint32_t api_version;
	/* portable mode */
	struct portable_sandbox *sandboxes;
	size_t n_sandboxes;
	uint32_t next_id;
	struct redirect_notif_buf *notif;
};

/* ---- notices -------------------------------------------------------------------------- */

static void notice_stderr(void *ctx, const char *msg)
{
	fprintf(stderr, "libredirect: %s\n", msg);
}

static redirect_notice_fn notice_fn = notice_stderr;
static void *notice_ctx;

void redirect_set_notice_fn(redirect_notice_fn fn, void *ctx)
{
	notice_fn = fn;
	notice_ctx = ctx;
}

void redirect_notice(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!notice_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	notice_fn(notice_ctx, msg);
}

/* ---- opening --------------------------------------------------------------------------- */

static int module_handshake(int fd, uint64_t want, struct redirect_handshake *hs,
			    struct redirect_error **err)
{
	memset(hs, 0, sizeof(*hs));
	hs->api_version = REDIRECT_API_VERSION;
	hs->features = want;
	/* The broker's records embed these: the module checks we agree. */
	hs->notif_size = sizeof(struct seccomp_notif);
	hs->resp_size = sizeof(struct seccomp_notif_resp);
	hs->addfd_size = sizeof(struct seccomp_notif_addfd);
	if (ioctl(fd, REDIRECT_IOC_HANDSHAKE, hs) == 0)
		return 0;
	if (errno == EPROTONOSUPPORT && hs->api_version != REDIRECT_API_VERSION)
		return redirect_make_error(err, EPROTONOSUPPORT, "%s: the module speaks API "
					   "version %u, this library %u", REDIRECT_DEVICE,
					   hs->api_version, REDIRECT_API_VERSION);
	if (errno == EPROTONOSUPPORT)
		return redirect_make_error(err, EPROTONOSUPPORT, "%s: the module was built with "
					   "seccomp structures of %u/%u/%u bytes (notif/resp/addfd), "
					   "this library with %zu/%zu/%zu: rebuild one against the "
					   "other's kernel headers", REDIRECT_DEVICE, hs->notif_size,
					   hs->resp_size, hs->addfd_size,
					   sizeof(struct seccomp_notif),
					   sizeof(struct seccomp_notif_resp),
					   sizeof(struct seccomp_notif_addfd));
	if (errno == EOPNOTSUPP)
		return -EOPNOTSUPP;	/* hs->supported says what to ask for */
	return redirect_make_error_errno(err, errno, "%s: handshake", REDIRECT_DEVICE);
}

static int open_module(struct redirect_session *s, struct redirect_error **err)
{
	struct redirect_handshake hs;
	uint64_t want = REDIRECT_SESSION_FEATURES;
	int ret;

	ret = module_handshake(s->fd, want, &hs, err);
	if (ret == -EOPNOTSUPP) {
		want &= hs.supported;
		if (!(want & REDIRECT_FEATURE_ATTACH) || !(want & REDIRECT_FEATURE_BROKER))
			return redirect_make_error(err, EOPNOTSUPP, "%s: the module lacks attach "
						   "or broker (it has %#llx)", REDIRECT_DEVICE,
						   (unsigned long long)hs.supported);
		ret = module_handshake(s->fd, want, &hs, err);
		if (ret == -EOPNOTSUPP)
			ret = redirect_make_error(err, EOPNOTSUPP, "%s: handshake refused %#llx",
						  REDIRECT_DEVICE, (unsigned long long)want);
	}
	if (ret < 0)
		return ret;
	s->features = hs.features;
	s->api_version = hs.api_version;
	return 0;
}

static int open_portable(struct redirect_session *s, struct redirect_error **err)
{
	int ret;

	s->mode = REDIRECT_MODE_PORTABLE;
	s->fd = epoll_create1(EPOLL_CLOEXEC);
	if (s->fd < 0)
		return redirect_make_error_errno(err, errno, "epoll_create1");
	ret = redirect_notif_buf_new(&s->notif, err);
	if (ret < 0)
		return ret;
	s->features = REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH |
		      REDIRECT_FEATURE_BROKER;
	s->api_version = REDIRECT_API_VERSION;
	s->next_id = 1;
	return 0;
}

int redirect_session_open(unsigned int flags, struct redirect_session **sp,
			  struct redirect_error **err)
{
	static atomic_bool announced;
	struct redirect_session *s;
	int ret;

	if (flags & ~(REDIRECT_SESSION_MODULE_ONLY | REDIRECT_SESSION_PORTABLE) ||
	    (flags & REDIRECT_SESSION_MODULE_ONLY && flags & REDIRECT_SESSION_PORTABLE))
		return redirect_make_error(err, EINVAL, "redirect_session_open: bad flags %#x",
					   flags);
	s = calloc(1, sizeof(*s));
	if (!s)
		return redirect_make_error(err, ENOMEM, "out of memory");
	s->fd = -1;
	if (flags & REDIRECT_SESSION_PORTABLE) {
		ret = open_portable(s, err);
		goto out;
	}
	s->mode = REDIRECT_MODE_MODULE;
	s->fd = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC);
	if (s->fd < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV)) {
		int saved = errno;

		if (flags & REDIRECT_SESSION_MODULE_ONLY) {
			ret = redirect_make_error(err, ENODEV, "%s: %s: redirect.ko is not loaded",
						  REDIRECT_DEVICE, strerror(saved));
			goto out;
		}
		if (!atomic_exchange(&announced, true))
			redirect_notice("%s absent (%s): portable mode, tier-1 rules evaluated in "
					"user space, no custody in the kernel", REDIRECT_DEVICE,
					strerror(saved));
		ret = open_portable(s, err);
		goto out;
	}
	if (s->fd < 0) {
		ret = redirect_make_error_errno(err, errno, "cannot open %s", REDIRECT_DEVICE);
		goto out;
	}
	ret = open_module(s, err);
out:
	if (ret < 0) {
		redirect_session_free(s);
		return ret;
	}
	*sp = s;
	return 0;
}

static void portable_sandbox_free(struct redirect_session *s, struct portable_sandbox *sb,
				  bool session_ends)
{
	if (s->fd >= 0)
		epoll_ctl(s->fd, EPOLL_CTL_DEL, sb->listener, NULL);
	/* no custody here: a KILL sandbox dies with its owner, as in the module */
	if (session_ends && sb->fail_mode == REDIRECT_FAIL_KILL && sb->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, sb->pidfd, SIGKILL, NULL, 0);
	close(sb->listener);
	if (sb->pidfd >= 0)
		close(sb->pidfd);
	redirect_ruleset_free(sb->rules);
	free(sb);
}

void redirect_session_free(struct redirect_session *s)
{
	struct portable_sandbox *sb;

	if (!s)
		return;
	while ((sb = s->sandboxes)) {
		s->sandboxes = sb->next;
		portable_sandbox_free(s, sb, true);
	}
	if (s->fd >= 0)
		close(s->fd);
	redirect_notif_buf_free(s->notif);
	free(s);
}

enum redirect_mode redirect_session_mode(const struct redirect_session *s)
{
	return s->mode;
}

uint64_t redirect_session_features(const struct redirect_session *s)
{
	return s->features;
}

uint32_t redirect_session_api_version(const struct redirect_session *s)
{
	return s->api_version;
}

int redirect_session_fd(const struct redirect_session *s)
{
	return s->fd;
}

size_t redirect_session_sandbox_count(const struct redirect_session *s)
{
	return s->n_sandboxes;
}

static struct portable_sandbox *find_sandbox(struct redirect_session *s, uint32_t id)
{
	struct portable_sandbox *sb;

	for (sb = s->sandboxes; sb; sb = sb->next)
		if (sb->id == id)
			return sb;
	return NULL;
}

/* ---- attach, adopt ----------------------------------------------------------------------- */

static int check_name(const char *name, struct redirect_error **err)
{
	size_t i, n = name ? strlen(name) : 0;

	if (!n || n >= REDIRECT_NAME_MAX)
		return redirect_make_error(err, EINVAL, "sandbox name must have 1 to %d bytes",
					   REDIRECT_NAME_MAX - 1);
	for (i = 0; i < n; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return redirect_make_error(err, EINVAL, "sandbox name \"%s\": printable "
						   "ASCII only", name);
	return 0;
}

static int portable_attach(struct redirect_session *s, int listener, int pidfd, const char *name,
			   uint32_t fail_mode, uint32_t *idp, struct redirect_error **err)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct portable_sandbox *sb, *o;
	int ret;

	ret = redirect_listener_check(listener, err);
	if (ret < 0)
		return redirect_error_prefix(err, -EINVAL, "attach \"%s\"", name);
	if (pidfd >= 0 && fcntl(pidfd, F_GETFD) < 0)
		return redirect_make_error(err, EBADF, "attach \"%s\": pidfd %d is not open", name,
					   pidfd);
	if (fail_mode == REDIRECT_FAIL_KILL && pidfd < 0)
		return redirect_make_error(err, EINVAL, "attach \"%s\": REDIRECT_FAIL_KILL needs "
					   "a pidfd", name);
	for (o = s->sandboxes; o; o = o->next)
		if (syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, o->listener, listener) == 0)
			return redirect_make_error(err, EALREADY, "attach \"%s\": the listener is "
						   "already attached as \"%s\"", name, o->name);
	sb = calloc(1, sizeof(*sb));
	if (!sb)
		return redirect_make_error(err, ENOMEM, "out of memory");
	sb->pidfd = -1;
	sb->listener = fcntl(listener, F_DUPFD_CLOEXEC, 3);
	if (sb->listener < 0 ||
	    (pidfd >= 0 && (sb->pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3)) < 0)) {
		ret = redirect_make_error_errno(err, errno, "attach \"%s\": dup", name);
		if (sb->listener >= 0)
			close(sb->listener);
		free(sb);
		return ret;
	}
	sb->id = s->next_id++;
	if (!s->next_id)
		s->next_id = 1;
	sb->fail_mode = fail_mode;
	snprintf(sb->name, sizeof(sb->name), "%s", name);
	ev.data.ptr = sb;
	if (epoll_ctl(s->fd, EPOLL_CTL_ADD, sb->listener, &ev) < 0) {
		ret = redirect_make_error_errno(err, errno, "attach \"%s\": epoll", name);
		close(sb->listener);
		if (sb->pidfd >= 0)
			close(sb->pidfd);
		free(sb);
		return ret;
	}
	sb->next = s->sandboxes;
	s->sandboxes = sb;
	s->n_sandboxes++;
	*idp = sb->id;
	return 0;
}

int redirect_session_attach(struct redirect_session *s, int listener_fd, int pidfd,
			    const char *name, uint32_t fail_mode, uint32_t hold_timeout_ms,
			    uint32_t *idp, struct redirect_error **err)
{
	struct redirect_attach a = {
		.listener_fd = listener_fd,
		.pidfd = pidfd,
		.fail_mode = fail_mode,
		.hold_timeout_ms = hold_timeout_ms,
	};
	uint32_t id = 0;
	int ret;

	ret = check_name(name, err);
	if (ret < 0)
		return ret;
	if (fail_mode != REDIRECT_FAIL_HOLD && fail_mode != REDIRECT_FAIL_KILL)
		return redirect_make_error(err, EINVAL, "attach \"%s\": unknown fail mode %u",
					   name, fail_mode);
	if (s->mode == REDIRECT_MODE_PORTABLE) {
		ret = portable_attach(s, listener_fd, pidfd, name, fail_mode, &id, err);
	} else {
		memcpy(a.name, name, strlen(name));
		if (ioctl(s->fd, REDIRECT_IOC_ATTACH, &a) < 0)
			return redirect_make_error_errno(err, errno, "REDIRECT_IOC_ATTACH \"%s\"",
							 name);
		id = a.sandbox_id;
		s->n_sandboxes++;
	}
	if (ret == 0 && idp)
		*idp = id;
	return ret;
}

int redirect_session_adopt(struct redirect_session *s, uint32_t id, struct redirect_error **err)
{
	struct redirect_adopt a = { .sandbox_id = id };

	if (s->mode == REDIRECT_MODE_PORTABLE)
		return redirect_make_error(err, EOPNOTSUPP, "adopt sandbox %u: portable mode has "
					   "no custody", id);
	if (ioctl(s->fd, REDIRECT_IOC_ADOPT, &a) < 0)
		return redirect_make_error_errno(err, errno, "REDIRECT_IOC_ADOPT sandbox %u", id);
	s->n_sandboxes++;
	return 0;
}

/* ---- rules ---------------------------------------------------------------------------------- */

static int set_rules(struct redirect_session *s, uint32_t id, const struct redirect_rule *rules,
		     size_t n, const struct redirect_ruleset *rs, struct redirect_error **err)
{
	struct redirect_rules hdr = {
		.sandbox_id = id,
		.nr_rules = (uint32_t)n,
		.rule_size = sizeof(struct redirect_rule),
		.rules = (uintptr_t)rules,
	};
	char msg[512];

	if (n > UINT32_MAX)
		return redirect_make_error(err, E2BIG, "sandbox %u: too many rules", id);
	if (s->mode == REDIRECT_MODE_PORTABLE) {
		struct portable_sandbox *sb = find_sandbox(s, id);
		struct redirect_ruleset *copy = NULL;
		int ret;

		if (!sb)
			return redirect_make_error(err, ENOENT, "set rules: no sandbox %u", id);
		if (rs)
			ret = ruleset_clone(rs, &copy, err);
		else if (n)
			ret = redirect_ruleset_from_array(rules, n, &copy, err);
		else
			ret = 0;
		if (ret < 0)
			return redirect_error_prefix(err, ret, "sandbox %u", id);
		redirect_ruleset_free(sb->rules);
		sb->rules = copy;
		return 0;
	}
	if (ioctl(s->fd, REDIRECT_IOC_SET_RULES, &hdr) == 0)
		return 0;
	if (errno == EINVAL && hdr.error_field != REDIRECT_RULE_FIELD_NONE)
		return redirect_make_error(err, EINVAL, "REDIRECT_IOC_SET_RULES sandbox %u: %s", id,
					   redirect_rule_error_describe(rs, hdr.error_rule,
									hdr.error_field,
									hdr.error_arg, msg,
									sizeof(msg)));
	return redirect_make_error_errno(err, errno, "REDIRECT_IOC_SET_RULES sandbox %u", id);
}

int redirect_session_set_rules(struct redirect_session *s, uint32_t id,
			       const struct redirect_ruleset *rs, struct redirect_error **err)
{
	if (!rs)
		return set_rules(s, id, NULL, 0, NULL, err);
	return set_rules(s, id, redirect_ruleset_rules(rs), redirect_ruleset_count(rs), rs, err);
}

int redirect_session_set_rules_array(struct redirect_session *s, uint32_t id,
				     const struct redirect_rule *rules, size_t n,
				     struct redirect_error **err)
{
	return set_rules(s, id, rules, n, NULL, err);
}

/* ---- broker ----------------------------------------------------------------------------------- */

static void portable_reply(struct redirect_session *s, struct redirect_reply *r)
{
	struct portable_sandbox *sb = find_sandbox(s, r->sandbox_id);
	long ret;

	if (!sb) {
		r->result = -ESRCH;
		return;
	}
	switch (r->kind) {
	case REDIRECT_REPLY_SEND:
		ret = ioctl(sb->listener, SECCOMP_IOCTL_NOTIF_SEND, &r->resp);
		break;
	case REDIRECT_REPLY_ADDFD:
		ret = ioctl(sb->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &r->addfd);
		break;
	case REDIRECT_REPLY_ID_VALID:
		ret = ioctl(sb->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &r->resp.id);
		break;
	default:
		r->result = -EINVAL;
		return;
	}
	r->result = ret < 0 ? -errno : ret;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void portable_drop(struct redirect_session *s, struct portable_sandbox *sb)
{
	struct portable_sandbox **pp;

	for (pp = &s->sandboxes; *pp; pp = &(*pp)->next) {
		if (*pp == sb) {
			*pp = sb->next;
			s->n_sandboxes--;
			portable_sandbox_free(s, sb, false);
			return;
		}
	}
}

/* RECV one call of sb; decide tier 1; true when it is to be handed out in *req. */
static bool portable_take(struct redirect_session *s, struct portable_sandbox *sb,
			  struct redirect_request *req)
{
	struct redirect_decision d;

	memset(req, 0, sizeof(*req));
	if (ioctl(sb->listener, SECCOMP_IOCTL_NOTIF_RECV, &req->notif) < 0)
		return false;	/* -ENOENT: the target went away first */
	req->sandbox_id = sb->id;
	if (!sb->rules)
		return true;
	if (redirect_ruleset_decide(sb->rules, &req->notif, sb->listener, &d, NULL) < 0)
		return false;
	if (d.verdict == REDIRECT_VERDICT_FORWARD)
		return true;
	redirect_decision_send(sb->listener, s->notif, &req->notif, &d, NULL);
	return false;
}

static int portable_broker(struct redirect_session *s, struct redirect_request *requests,
			   uint32_t max, uint32_t *nr, int timeout_ms, struct redirect_error **err)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct epoll_event ev[16];
	int n, i, wait;

	*nr = 0;
	while (max) {
		wait = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (wait < 0 && deadline >= 0)
			wait = 0;
		if (*nr)
			wait = 0;	/* hand out what we have */
		n = epoll_wait(s->fd, ev, (int)(max - *nr < 16 ? max - *nr : 16), wait);
		if (n < 0 && errno == EINTR) {
			if (*nr)
				return 0;
			return redirect_make_error(err, EINTR, "broker: interrupted");
		}
		if (n < 0)
			return redirect_make_error_errno(err, errno, "broker: epoll_wait");
		for (i = 0; i < n; i++) {
			struct portable_sandbox *sb = ev[i].data.ptr;

			if (ev[i].events & EPOLLIN) {
				if (portable_take(s, sb, &requests[*nr]))
					(*nr)++;
			} else if (ev[i].events & (EPOLLHUP | EPOLLERR)) {
				/* the last task using the filter is gone */
				portable_drop(s, sb);
			}
		}
		if (*nr >= max || (n == 0 && (*nr || wait == 0)))
			break;
	}
	return 0;
}

int redirect_session_broker(struct redirect_session *s, struct redirect_reply *replies,
			    uint32_t *nr_replies, struct redirect_request *requests,
			    uint32_t max_requests, uint32_t *nr_requests, int timeout_ms,
			    struct redirect_error **err)
{
	uint32_t nrep = nr_replies ? *nr_replies : 0, i;
	struct redirect_broker b = {
		.replies = (uintptr_t)replies,
		.requests = (uintptr_t)requests,
		.nr_replies = nrep,
		.max_requests = max_requests,
		.timeout_ms = timeout_ms,
	};

	if (nr_requests)
		*nr_requests = 0;
	if (nrep > REDIRECT_BATCH_MAX || max_requests > REDIRECT_BATCH_MAX)
		return redirect_make_error(err, EINVAL, "broker: batches of at most %d",
					   REDIRECT_BATCH_MAX);
	if (timeout_ms < REDIRECT_TIMEOUT_FOREVER)
		return redirect_make_error(err, EINVAL, "broker: timeout_ms %d: -1 (for ever) "
					   "or a number of milliseconds", timeout_ms);
	if (max_requests && !nr_requests)
		return redirect_make_error(err, EINVAL, "broker: nr_requests is needed");
	if (s->mode == REDIRECT_MODE_PORTABLE) {
		for (i = 0; i < nrep; i++)
			portable_reply(s, &replies[i]);
		return portable_broker(s, requests, max_requests, nr_requests, timeout_ms, err);
	}
	if (max_requests)
		memset(requests, 0, max_requests * sizeof(*requests));
	if (ioctl(s->fd, REDIRECT_IOC_BROKER, &b) < 0) {
		int saved = errno;

		if (nr_replies)
			*nr_replies = b.nr_replies;
		if (saved == EINTR)
			return redirect_make_error(err, EINTR, "broker: interrupted");
		return redirect_make_error_errno(err, saved, "REDIRECT_IOC_BROKER");
	}
	if (nr_replies)
		*nr_replies = b.nr_replies;
	if (nr_requests)
		*nr_requests = b.nr_requests;
	return 0;
}
