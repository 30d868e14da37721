// SPDX-License-Identifier: GPL-2.0
/*
 * One rule engine, two places: a table of tier-1 rules and calls, each call
 * answered (a) by libredirect's user-space engine and (b) for real, by
 * redirect.ko, in a child whose filter is attached to the module with those
 * rules; calls no rule decides reach this test through the broker, which
 * answers them with a sentinel.  Every answer is compared, and so are the
 * rules' hit counts (user space against the module's, over netlink) and
 * the verdicts on invalid rules.  Runs as root inside a VM with the module
 * loaded; prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libredirect.h"

/* Forwarded calls are answered FWD_BASE + the call's index (its args[5]). */
#define FWD_BASE 1000000
#define MAX_CALLS 64
#define MAX_RULES 32

static int test_nr, failures;

__attribute__((format(printf, 2, 3)))
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++test_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

struct call {
	int nr;
	uint64_t args[6];		/* args[5] is set to the call's index */
	const char *what;
};

struct group {
	const char *name;
	struct redirect_rule rules[MAX_RULES];
	int n_rules;
	struct call calls[MAX_CALLS];
	int n_calls;
};

/* The probe calls: notified, never executed (every one is answered). */
static const char filter_policy[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
	"{\"notify\":[\"getppid\",\"getpid\",\"gettid\",\"getpgrp\"]}}";

static struct redirect_rule *rule(struct group *g, int nr, int verdict, int64_t value)
{
	struct redirect_rule *r = &g->rules[g->n_rules++];

	memset(r, 0, sizeof(*r));
	r->nr = nr;
	r->verdict = verdict;
	r->value = value;
	return r;
}

static void arg(struct redirect_rule *r, int index, int op, uint64_t mask, uint64_t value)
{
	struct redirect_arg_cmp *a = &r->args[r->nr_args++];

	a->index = index;
	a->op = op;
	a->mask = mask;
	a->value = value;
}

static void str(struct redirect_rule *r, int index, int match, const char *s)
{
	r->str_index = index;
	r->str_match = match;
	r->str_len = strlen(s);
	memcpy(r->str, s, r->str_len);
}

static void call(struct group *g, int nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		 const char *what)
{
	struct call *c = &g->calls[g->n_calls];

	*c = (struct call){ .nr = nr, .args = { a0, a1, a2, a3, 0, (uint64_t)g->n_calls },
			    .what = what };
	g->n_calls++;
}

/* ---- the strings: in anonymous memory, touched by the child before its calls ------- */

static char *s_shadow, *s_shadow2, *s_proc, *s_empty, *s_127, *s_128, *s_edge_ok, *s_edge_bad;
static char *strbuf;

static void make_strings(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map;

	strbuf = calloc(1, 4096);
	s_shadow = strcpy(strbuf, "/etc/shadow");
	s_shadow2 = strcpy(strbuf + 64, "/etc/shadow2");
	s_proc = strcpy(strbuf + 128, "/proc/self/status");
	s_empty = strbuf + 192;
	s_127 = strbuf + 256;
	memset(s_127, 'a', 127);
	s_127[0] = '/';
	s_128 = strbuf + 512;
	memset(s_128, 'a', 128);
	s_128[0] = '/';
	/* strings that end right at, and run into, an unmapped page */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(map + page, page);
	s_edge_ok = memcpy(map + page - 8, "/edge/x", 8);
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(map + page, page);
	s_edge_bad = memcpy(map + page - 8, "/edge/yy", 8);	/* no NUL before the hole */
}

static void touch_strings(void)
{
	volatile char sink = 0;
	int i;

	for (i = 0; i < 4096; i += 64)
		sink += strbuf[i];
	sink += s_edge_ok[0] + s_edge_bad[0];
	(void)sink;
}

#define P(x) ((uint64_t)(uintptr_t)(x))

/* ---- the table ------------------------------------------------------------------------------ */

static int build_groups(struct group *gs)
{
	static const struct {
		int op;
		const char *name;
	} ops[] = {
		{ REDIRECT_CMP_EQ, "EQ" }, { REDIRECT_CMP_NE, "NE" }, { REDIRECT_CMP_LT, "LT" },
		{ REDIRECT_CMP_LE, "LE" }, { REDIRECT_CMP_GT, "GT" }, { REDIRECT_CMP_GE, "GE" },
	};
	static const uint64_t probes[] = { 0, 99, 100, 101, UINT64_MAX };
	struct group *g;
	struct redirect_rule *r;
	int n = 0, i, j;

	/* every comparison: arg1 selects the rule, arg0 is compared with 100 */
	g = &gs[n++];
	g->name = "scalar";
	for (i = 0; i < 6; i++) {
		r = rule(g, __NR_getppid, REDIRECT_VERDICT_VALUE, 10 * (i + 1));
		arg(r, 1, REDIRECT_CMP_EQ, ~0ULL, i);
		arg(r, 0, ops[i].op, ~0ULL, 100);
	}
	for (i = 0; i < 6; i++)
		for (j = 0; j < 5; j++)
			call(g, __NR_getppid, probes[j], i, 0, 0, ops[i].name);
	/* a comparison on the highest argument but one */
	r = rule(g, __NR_getpid, REDIRECT_VERDICT_ERRNO, EDOM);
	arg(r, 4, REDIRECT_CMP_GE, ~0ULL, 1ULL << 63);
	call(g, __NR_getpid, 0, 0, 0, 0, "args[4] GE 2^63, args[4] = 0");

	/* masked compares */
	g = &gs[n++];
	g->name = "masked";
	r = rule(g, __NR_getppid, REDIRECT_VERDICT_VALUE, 1);
	arg(r, 0, REDIRECT_CMP_EQ, 0xff00, 0x1200);
	r = rule(g, __NR_getppid, REDIRECT_VERDICT_VALUE, 2);
	arg(r, 0, REDIRECT_CMP_GT, 0xf, 7);
	r = rule(g, __NR_getppid, REDIRECT_VERDICT_VALUE, 3);
	arg(r, 1, REDIRECT_CMP_EQ, 0, 0);	/* mask 0: always 0 */
	arg(r, 2, REDIRECT_CMP_NE, 0xffffffff00000000ULL, 0);
	call(g, __NR_getppid, 0x12ff, 0, 0, 0, "0x12ff & 0xff00 == 0x1200");
	call(g, __NR_getppid, 0xff12ff, 0, 0, 0, "high bits masked off");
	call(g, __NR_getppid, 0x1300, 0, 0, 0, "0x1300: no EQ; & 0xf = 0");
	call(g, __NR_getppid, 0x1308, 0, 0, 0, "& 0xf = 8 GT 7");
	call(g, __NR_getppid, 0x130f0, 5, 1ULL << 32, 0, "upper half NE 0");
	call(g, __NR_getppid, 0x130f0, 5, 0xffffffff, 0, "upper half zero: no match");

	/* strings */
	g = &gs[n++];
	g->name = "string";
	r = rule(g, __NR_getppid, REDIRECT_VERDICT_ERRNO, EACCES);
	str(r, 1, REDIRECT_STR_EXACT, "/etc/shadow");
	r = rule(g, __NR_getppid, REDIRECT_VERDICT_ERRNO, ENOENT);
	str(r, 1, REDIRECT_STR_PREFIX, "/proc/");
	r = rule(g, __NR_getppid, REDIRECT_VERDICT_VALUE, 44);
	str(r, 1, REDIRECT_STR_EXACT, "");
	r = rule(g, __NR_getppid, REDIRECT_VERDICT_VALUE, 45);
	str(r, 1, REDIRECT_STR_PREFIX, "/aaa");
	r = rule(g, __NR_getppid, REDIRECT_VERDICT_VALUE, 46);
	str(r, 1, REDIRECT_STR_PREFIX, "/edge/");
	r = rule(g, __NR_getpid, REDIRECT_VERDICT_VALUE, 47);
	arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 3);
	str(r, 3, REDIRECT_STR_EXACT, "/etc/shadow");
	call(g, __NR_getppid, 0, P(s_shadow), 0, 0, "exact");
	call(g, __NR_getppid, 0, P(s_shadow2), 0, 0, "exact, one byte longer");
	call(g, __NR_getppid, 0, P(s_proc), 0, 0, "prefix");
	call(g, __NR_getppid, 0, P(s_empty), 0, 0, "empty string");
	call(g, __NR_getppid, 0, P(s_127), 0, 0, "127 bytes");
	call(g, __NR_getppid, 0, P(s_128), 0, 0, "128 bytes: too long");
	call(g, __NR_getppid, 0, 0, 0, 0, "NULL");
	call(g, __NR_getppid, 0, 16, 0, 0, "unmapped address");
	call(g, __NR_getppid, 0, P(s_edge_ok), 0, 0, "ends at an unmapped page");
	call(g, __NR_getppid, 0, P(s_edge_bad), 0, 0, "runs into an unmapped page");
	call(g, __NR_getpid, 3, 0, 0, P(s_shadow), "args[3] and a scalar");
	call(g, __NR_getpid, 4, 0, 0, P(s_shadow), "args[3], scalar differs");

	/* limits */
	g = &gs[n++];
	g->name = "limit";
	r = rule(g, __NR_gettid, REDIRECT_VERDICT_VALUE, 7);
	r->limit = 2;
	arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 1);
	r = rule(g, __NR_gettid, REDIRECT_VERDICT_ERRNO, EPERM);
	r->limit = 1;
	str(r, 1, REDIRECT_STR_EXACT, "/etc/shadow");
	r = rule(g, __NR_gettid, REDIRECT_VERDICT_VALUE, 8);
	arg(r, 0, REDIRECT_CMP_LE, ~0ULL, 1);
	call(g, __NR_gettid, 0, P(s_proc), 0, 0, "no string match: budget kept");
	call(g, __NR_gettid, 1, 0, 0, 0, "limit 2, first");
	call(g, __NR_gettid, 1, 0, 0, 0, "limit 2, second");
	call(g, __NR_gettid, 1, 0, 0, 0, "limit 2 used up: next rule");
	call(g, __NR_gettid, 5, P(s_shadow), 0, 0, "limit 1, first");
	call(g, __NR_gettid, 5, P(s_shadow), 0, 0, "limit 1 used up: forwarded");
	call(g, __NR_gettid, 0, P(s_shadow), 0, 0, "limit 1 used up: LE rule");

	/* first match, explicit forward, no match */
	g = &gs[n++];
	g->name = "order";
	r = rule(g, __NR_getpid, REDIRECT_VERDICT_ERRNO, EPERM);
	arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 1);
	rule(g, __NR_getppid, REDIRECT_VERDICT_VALUE, 99);	/* another nr in between */
	r = rule(g, __NR_getpid, REDIRECT_VERDICT_VALUE, 5);
	arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 1);			/* shadowed */
	r = rule(g, __NR_getpid, REDIRECT_VERDICT_VALUE, 6);
	arg(r, 0, REDIRECT_CMP_LT, ~0ULL, 10);
	r = rule(g, __NR_getpid, REDIRECT_VERDICT_FORWARD, 0);
	arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, 20);
	r = rule(g, __NR_getpid, REDIRECT_VERDICT_VALUE, 9);
	arg(r, 0, REDIRECT_CMP_GE, ~0ULL, 20);
	call(g, __NR_getpid, 1, 0, 0, 0, "first of two equal rules");
	call(g, __NR_getpid, 2, 0, 0, 0, "third rule");
	call(g, __NR_getpid, 20, 0, 0, 0, "explicit forward stops the search");
	call(g, __NR_getpid, 21, 0, 0, 0, "after the forward rule");
	call(g, __NR_getpid, 15, 0, 0, 0, "no rule matches");
	call(g, __NR_getppid, 0, 0, 0, 0, "the other nr");
	call(g, __NR_gettid, 0, 0, 0, 0, "no rule for this nr");

	/* values and errnos at their edges */
	g = &gs[n++];
	g->name = "values";
	for (i = 0; i < 6; i++) {
		static const int64_t vals[] = { 0, -4096, INT64_MAX, INT64_MIN, 1, 4095 };

		r = rule(g, __NR_getppid, i < 4 ? REDIRECT_VERDICT_VALUE : REDIRECT_VERDICT_ERRNO,
			 vals[i]);
		arg(r, 0, REDIRECT_CMP_EQ, ~0ULL, i);
		call(g, __NR_getppid, i, 0, 0, 0, i < 4 ? "value edge" : "errno edge");
	}

	/* kill: the thread group dies at the call */
	g = &gs[n++];
	g->name = "kill";
	r = rule(g, __NR_getpgrp, REDIRECT_VERDICT_KILL, 0);
	r->flags = REDIRECT_RULE_AUDIT;
	rule(g, __NR_getppid, REDIRECT_VERDICT_VALUE, 3);
	call(g, __NR_getppid, 0, 0, 0, 0, "before the kill");
	call(g, __NR_getpgrp, 0, 0, 0, 0, "killed");
	call(g, __NR_getppid, 0, 0, 0, 0, "never made");
	return n;
}

/* ---- (a) user space ------------------------------------------------------------------------- */

struct answer {
	long ret;
	int err;
	bool killed;
};

static struct answer expect_of(const struct redirect_decision *d, int index)
{
	struct answer a = { 0 };
	long v;

	switch (d->verdict) {
	case REDIRECT_VERDICT_ERRNO:
		a.ret = -1;
		a.err = (int)d->value;
		break;
	case REDIRECT_VERDICT_VALUE:
		v = (long)d->value;
		/* syscall(2) reads -4095..-1 as an error; the engine never gives those */
		a.ret = v;
		break;
	case REDIRECT_VERDICT_KILL:
		a.killed = true;
		break;
	default:
		a.ret = FWD_BASE + index;
		break;
	}
	return a;
}

/* ---- (b) the module ----------------------------------------------------------------------- */

static int send_fd(int sock, int fd)
{
	return redirect_agent_send_raw(sock, "x", 1, fd, NULL);
}

static int recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The child: filter, listener to the parent, wait for go, make the calls, report each. */
static void child(const struct group *g, const struct redirect_filter *f, int sock, int res)
{
	char c;
	int fd = -1, i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || redirect_filter_load(f, &fd, NULL) < 0)
		_exit(100);
	if (send_fd(sock, fd) < 0)
		_exit(101);
	close(fd);
	touch_strings();
	if (read(sock, &c, 1) != 1)
		_exit(102);
	for (i = 0; i < g->n_calls; i++) {
		const struct call *k = &g->calls[i];
		struct answer a = { 0 };

		errno = 0;
		a.ret = syscall(k->nr, k->args[0], k->args[1], k->args[2], k->args[3], k->args[4],
				k->args[5]);
		a.err = a.ret == -1 ? errno : 0;
		if (write(res, &a, sizeof(a)) != sizeof(a))
			_exit(103);
	}
	/* stay until the parent has read the hit counts */
	if (read(sock, &c, 1) < 0)
		_exit(104);
	_exit(0);
}

static bool same(const struct answer *x, const struct answer *y)
{
	return x->killed == y->killed && (x->killed || (x->ret == y->ret && x->err == y->err));
}

static void describe(char *buf, size_t size, const struct answer *a)
{
	if (a->killed)
		snprintf(buf, size, "killed");
	else if (a->ret == -1)
		snprintf(buf, size, "errno %d", a->err);
	else if (a->ret >= FWD_BASE && a->ret < FWD_BASE + MAX_CALLS)
		snprintf(buf, size, "forwarded");
	else
		snprintf(buf, size, "%ld", a->ret);
}

static void run_group(const struct group *g, struct redirect_ctl *ctl,
		      const struct redirect_filter *f)
{
	struct answer want[MAX_CALLS], got[MAX_CALLS];
	struct redirect_session *s = NULL;
	struct redirect_ruleset *rs = NULL;
	struct redirect_error *e = NULL;
	int sv[2], res[2], listener, status, i, n_got = 0, kill_at = -1;
	uint32_t id;
	pid_t pid;
	char go = 'g';

	/* (a) the user-space engine, in order, on this process's memory (the same as the child's) */
	if (redirect_ruleset_from_array(g->rules, g->n_rules, &rs, &e) < 0) {
		tap(false, "%s: user space refuses the rules: %s", g->name, e->msg);
		redirect_error_free(e);
		return;
	}
	for (i = 0; i < g->n_calls; i++) {
		struct redirect_decision d;

		redirect_ruleset_decide_call(rs, AUDIT_ARCH_X86_64, g->calls[i].nr,
					     g->calls[i].args, getpid(), &d);
		want[i] = expect_of(&d, i);
		if (want[i].killed && kill_at < 0)
			kill_at = i;
	}

	/* (b) the module */
	if (redirect_session_open(REDIRECT_SESSION_MODULE_ONLY, &s, &e) < 0) {
		tap(false, "%s: session: %s", g->name, e->msg);
		redirect_error_free(e);
		redirect_ruleset_free(rs);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(res, O_CLOEXEC) < 0)
		abort();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		close(res[0]);
		child(g, f, sv[1], res[1]);
	}
	close(sv[1]);
	close(res[1]);
	listener = recv_fd(sv[0]);
	if (listener < 0 ||
	    redirect_session_attach(s, listener, -1, g->name, REDIRECT_FAIL_HOLD, 0, &id, &e) < 0 ||
	    redirect_session_set_rules_array(s, id, g->rules, g->n_rules, &e) < 0) {
		tap(false, "%s: attach / set rules: %s", g->name, e ? e->msg : "no listener");
		redirect_error_free(e);
		kill(pid, SIGKILL);
		goto out;
	}
	close(listener);
	if (write(sv[0], &go, 1) != 1)
		abort();

	/* serve forwarded calls until every answer is in (or the child died) */
	for (;;) {
		struct redirect_request req[8];
		struct redirect_reply rep[8];
		uint32_t nrep = 0, nreq = 0, k;
		struct pollfd p = { .fd = res[0], .events = POLLIN };
		int expected = kill_at >= 0 ? kill_at : g->n_calls;

		while (poll(&p, 1, 0) == 1 && n_got < MAX_CALLS) {
			if (read(res[0], &got[n_got], sizeof(got[0])) != sizeof(got[0]))
				break;
			n_got++;
		}
		if (n_got >= expected && (kill_at < 0 || waitpid(pid, &status, WNOHANG) == pid))
			break;
		if (kill_at < 0 && waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (redirect_session_broker(s, NULL, NULL, req, 8, &nreq, 50, &e) < 0) {
			tap(false, "%s: broker: %s", g->name, e->msg);
			redirect_error_free(e);
			e = NULL;
			break;
		}
		for (k = 0; k < nreq; k++) {
			memset(&rep[k], 0, sizeof(rep[k]));
			rep[k].sandbox_id = req[k].sandbox_id;
			rep[k].kind = REDIRECT_REPLY_SEND;
			rep[k].resp.id = req[k].notif.id;
			rep[k].resp.val = FWD_BASE + (long)req[k].notif.data.args[5];
		}
		nrep = nreq;
		if (nrep && redirect_session_broker(s, rep, &nrep, NULL, 0, &nreq, 0, &e) < 0) {
			tap(false, "%s: broker replies: %s", g->name, e->msg);
			redirect_error_free(e);
			e = NULL;
			break;
		}
	}

	for (i = 0; i < g->n_calls; i++) {
		struct answer k;
		char a[64], b[64];

		if (kill_at >= 0 && i > kill_at)
			break;
		if (i == kill_at) {
			k.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && n_got == i;
		} else if (i < n_got) {
			k = got[i];
			k.killed = false;
		} else {
			k.killed = false;
			k.ret = -12345;
			k.err = 0;
		}
		describe(a, sizeof(a), &want[i]);
		describe(b, sizeof(b), &k);
		tap(same(&want[i], &k), "%s: call %d (%s, nr %d): user space %s, module %s",
		    g->name, i, g->calls[i].what, g->calls[i].nr, a, b);
	}

	/* hit counts, while the sandbox lives */
	if (kill_at < 0 && ctl) {
		struct redirect_rule_info_list *list = NULL;
		size_t n = 0, j;
		bool ok;

		if (redirect_ctl_get_rules(ctl, id, &list, &e) < 0) {
			tap(false, "%s: rule hits: %s", g->name, e->msg);
			redirect_error_free(e);
			e = NULL;
		} else {
			n = redirect_rule_info_list_count(list);
			ok = n == (size_t)g->n_rules;
			for (j = 0; ok && j < n; j++) {
				const struct redirect_rule_info *ri =
					redirect_rule_info_list_get(list, j);
				struct redirect_rule r;

				ok = redirect_rule_info_rule(ri, &r, sizeof(r)) == sizeof(r) &&
				     redirect_rule_info_index(ri) == j &&
				     redirect_rule_info_hits(ri) == redirect_ruleset_hits(rs, j) &&
				     !memcmp(&r, &g->rules[j], sizeof(r));
			}
			tap(ok, "%s: %zu rules read back with the same hit counts", g->name, n);
			redirect_rule_info_list_free(list);
		}
	}
	/* release the child (it may be gone already) */
	if (write(sv[0], &go, 1) < 0 && kill_at < 0)
		tap(false, "%s: the child went early", g->name);
	if (kill_at < 0)
		waitpid(pid, &status, 0);
out:
	close(sv[0]);
	close(res[0]);
	redirect_session_free(s);
	redirect_ruleset_free(rs);
}

/* Invalid rules: the module refuses the same field as the shared engine in user space. */
static void run_validity(void)
{
	struct redirect_session *s = NULL;
	struct redirect_error *e = NULL, *ue = NULL;
	struct redirect_filter *f = NULL;
	struct redirect_policy *p = NULL;
	struct redirect_ruleset *rs = NULL;
	struct redirect_rule r[2];
	int sv[2], listener, i;
	uint32_t id;
	pid_t pid;
	static const char *const names[] = {
		"nr", "verdict", "flags", "errno 0", "value -1", "nr_args", "arg index",
		"arg op", "arg pad", "unused arg", "str_index", "str_match", "empty prefix",
		"str_len", "str NUL", "str tail", "pad",
	};

	if (redirect_policy_load_buffer(filter_policy, strlen(filter_policy), "v", &p, NULL) < 0 ||
	    redirect_filter_compile(p, 0, &f, NULL) < 0 ||
	    redirect_session_open(REDIRECT_SESSION_MODULE_ONLY, &s, NULL) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		tap(false, "validity: setup");
		return;
	}
	pid = fork();
	if (pid == 0) {
		char c;
		int fd;

		close(sv[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    redirect_filter_load(f, &fd, NULL) < 0 || send_fd(sv[1], fd) < 0)
			_exit(1);
		if (read(sv[1], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(sv[1]);
	listener = recv_fd(sv[0]);
	if (listener < 0 ||
	    redirect_session_attach(s, listener, -1, "validity", 0, 0, &id, NULL) < 0) {
		tap(false, "validity: attach");
		goto out;
	}
	for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		struct redirect_rule *x = &r[1];
		int kr, ur;

		memset(r, 0, sizeof(r));
		r[0].nr = __NR_getpid;
		r[0].verdict = REDIRECT_VERDICT_VALUE;
		r[1] = r[0];
		switch (i) {
		case 0: x->nr = 1024; break;
		case 1: x->verdict = 4; break;
		case 2: x->flags = 0x8000; break;
		case 3: x->verdict = REDIRECT_VERDICT_ERRNO; break;
		case 4: x->value = -1; break;
		case 5: x->nr_args = 7; break;
		case 6: x->nr_args = 1; x->args[0].op = 1; x->args[0].index = 6; break;
		case 7: x->nr_args = 1; x->args[0].op = 0; break;
		case 8: x->nr_args = 1; x->args[0].op = 1; x->args[0].pad2 = 1; break;
		case 9: x->args[5].mask = 1; break;
		case 10: x->str_index = 2; break;
		case 11: x->str_match = 3; break;
		case 12: x->str_match = REDIRECT_STR_PREFIX; break;
		case 13: x->str_match = REDIRECT_STR_EXACT; x->str_len = 128; break;
		case 14: x->str_match = REDIRECT_STR_EXACT; x->str_len = 3; x->str[0] = 'a'; break;
		case 15: x->str_match = REDIRECT_STR_EXACT; x->str_len = 1; x->str[0] = 'a';
			 x->str[5] = 'b'; break;
		case 16: x->pad = 1; break;
		}
		kr = redirect_session_set_rules_array(s, id, r, 2, &e);
		ur = redirect_ruleset_from_array(r, 2, &rs, &ue);
		/* both say "rule 1: <field>": the module through error_rule/field/arg */
		tap(kr == -EINVAL && ur == -EINVAL && e && ue &&
		    strstr(e->msg, strstr(ue->msg, "rule 1: ") ? strstr(ue->msg, "rule 1: ") : "?"),
		    "validity: %s: module \"%s\", user space \"%s\"", names[i],
		    e ? e->msg : "accepted", ue ? ue->msg : "accepted");
		redirect_error_free(e);
		redirect_error_free(ue);
		redirect_ruleset_free(rs);
		e = ue = NULL;
		rs = NULL;
	}
	/* and a valid set passes both */
	memset(r, 0, sizeof(r));
	r[0].nr = __NR_getpid;
	tap(redirect_session_set_rules_array(s, id, r, 1, NULL) == 0 &&
	    redirect_ruleset_from_array(r, 1, &rs, NULL) == 0, "validity: a valid rule passes both");
	redirect_ruleset_free(rs);
	close(listener);
out:
	close(sv[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	redirect_session_free(s);
	redirect_filter_free(f);
	redirect_policy_free(p);
}

/* One audit event reaches a subscriber of the "events" group. */
static void run_audit(struct redirect_ctl *ctl, const struct group *kill_group,
		      const struct redirect_filter *f)
{
	struct redirect_event ev;
	struct redirect_error *e = NULL;
	int ret;

	if (redirect_ctl_subscribe(ctl, &e) < 0) {
		tap(false, "audit: subscribe: %s", e->msg);
		redirect_error_free(e);
		return;
	}
	run_group(kill_group, NULL, f);
	ret = redirect_ctl_next_event(ctl, &ev, 5000, &e);
	tap(ret == 1 && ev.nr == __NR_getpgrp && ev.verdict == REDIRECT_VERDICT_KILL && ev.rule == 0,
	    "audit: event for the audited kill rule (got %d: nr %u verdict %u rule %u)", ret,
	    ret == 1 ? ev.nr : 0, ret == 1 ? ev.verdict : 0, ret == 1 ? ev.rule : 0);
	redirect_error_free(e);
}

int main(void)
{
	static struct group groups[16];
	struct redirect_policy *p = NULL;
	struct redirect_filter *f = NULL;
	struct redirect_ctl *ctl = NULL;
	struct redirect_error *e = NULL;
	int n, i;

	signal(SIGPIPE, SIG_IGN);	/* a killed child closes its end */
	printf("TAP version 13\n");
	make_strings();
	n = build_groups(groups);
	if (redirect_policy_load_buffer(filter_policy, strlen(filter_policy), "probe", &p, &e) < 0 ||
	    redirect_filter_compile(p, 0, &f, &e) < 0) {
		tap(false, "filter: %s", e->msg);
		goto done;
	}
	if (redirect_ctl_open(&ctl, &e) < 0) {
		tap(false, "netlink: %s", e->msg);
		redirect_error_free(e);
		e = NULL;
	}
	for (i = 0; i < n; i++)
		run_group(&groups[i], ctl, f);
	run_validity();
	if (ctl)
		run_audit(ctl, &groups[n - 1], f);
done:
	redirect_ctl_close(ctl);
	redirect_filter_free(f);
	redirect_policy_free(p);
	printf("1..%d\n", test_nr);
	printf("# rules: %d passed, %d failed\n", test_nr - failures, failures);
	return failures ? 1 : 0;
}
