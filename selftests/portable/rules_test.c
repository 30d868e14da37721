// SPDX-License-Identifier: GPL-2.0
/* Tier-1 rules: compiled to the UAPI format exactly, checked by the module's engine, evaluated in user space on real calls. */
#include <fcntl.h>
#include <linux/audit.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define SENTINEL 4242

static struct redirect_ruleset *compile_json(const char *json, struct redirect_error **e)
{
	struct redirect_policy *p = NULL;
	struct redirect_ruleset *rs = NULL;

	if (redirect_policy_load_buffer(json, strlen(json), "r.json", &p, e) < 0)
		return NULL;
	redirect_ruleset_compile(p, &rs, e);
	redirect_policy_free(p);
	return rs;
}

TEST(rules_compile_to_uapi_exactly)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"rules\":["
		"{\"names\":[\"openat\",\"open\"],\"string\":{\"index\":1,\"prefix\":\"/proc/\"},"
		" \"action\":\"errno:EACCES\",\"audit\":true},"
		"{\"name\":\"getppid\",\"action\":\"value:0x7fffffff\",\"limit\":3},"
		"{\"name\":\"kill\",\"args\":[{\"index\":1,\"value\":9,\"op\":\"EQ\"},"
		" {\"index\":0,\"value\":-1,\"mask\":4294967295,\"op\":\"SCMP_CMP_GE\"}],"
		" \"action\":\"kill\"},"
		"{\"name\":\"umask\",\"string\":{\"index\":0,\"exact\":\"\"},\"action\":\"forward\"}]}}";
	struct redirect_error *e = NULL;
	struct redirect_ruleset *rs = compile_json(json, &e);
	const struct redirect_rule *r;
	struct redirect_rule want;

	ASSERT_NE(NULL, rs) TH_LOG("%s", e->msg);
	ASSERT_EQ(5, redirect_ruleset_count(rs));
	r = redirect_ruleset_rules(rs);

	memset(&want, 0, sizeof(want));
	want.nr = __NR_openat;
	want.verdict = REDIRECT_VERDICT_ERRNO;
	want.value = EACCES;
	want.flags = REDIRECT_RULE_AUDIT;
	want.str_index = 1;
	want.str_match = REDIRECT_STR_PREFIX;
	want.str_len = 6;
	memcpy(want.str, "/proc/", 6);
	EXPECT_EQ(0, memcmp(&want, &r[0], sizeof(want)));
	want.nr = __NR_open;
	EXPECT_EQ(0, memcmp(&want, &r[1], sizeof(want)));

	memset(&want, 0, sizeof(want));
	want.nr = __NR_getppid;
	want.verdict = REDIRECT_VERDICT_VALUE;
	want.value = 0x7fffffff;
	want.limit = 3;
	EXPECT_EQ(0, memcmp(&want, &r[2], sizeof(want)));

	memset(&want, 0, sizeof(want));
	want.nr = __NR_kill;
	want.verdict = REDIRECT_VERDICT_KILL;
	want.nr_args = 2;
	want.args[0] = (struct redirect_arg_cmp){ .index = 1, .op = REDIRECT_CMP_EQ,
						  .mask = ~0ULL, .value = 9 };
	want.args[1] = (struct redirect_arg_cmp){ .index = 0, .op = REDIRECT_CMP_GE,
						  .mask = 0xffffffffULL, .value = ~0ULL };
	EXPECT_EQ(0, memcmp(&want, &r[3], sizeof(want)));

	memset(&want, 0, sizeof(want));
	want.nr = __NR_umask;
	want.str_match = REDIRECT_STR_EXACT;
	EXPECT_EQ(0, memcmp(&want, &r[4], sizeof(want)));

	EXPECT_STREQ("r.json: redirect.rules[0] (open)", redirect_ruleset_origin(rs, 1));
	EXPECT_STREQ("r.json: redirect.rules[3] (umask)", redirect_ruleset_origin(rs, 4));
	EXPECT_EQ(NULL, redirect_ruleset_origin(rs, 5));
	redirect_ruleset_free(rs);
}

TEST(rules_compile_empty_policy)
{
	struct redirect_ruleset *rs = compile_json("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", NULL);

	ASSERT_NE(NULL, rs);
	EXPECT_EQ(0, redirect_ruleset_count(rs));
	redirect_ruleset_free(rs);
}

TEST(rules_compile_too_many)
{
	struct redirect_error *e = NULL;
	size_t len = 64 + 700 * 48, i;
	char *json = malloc(len), *w = json;

	ASSERT_NE(NULL, json);
	/* 700 rules of two names: 1400 UAPI rules */
	w += sprintf(w, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"rules\":[");
	for (i = 0; i < 700; i++)
		w += sprintf(w, "%s{\"names\":[\"getpid\",\"getppid\"],\"action\":\"kill\"}",
			     i ? "," : "");
	sprintf(w, "]}}");
	EXPECT_EQ(NULL, compile_json(json, &e));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(E2BIG, e->errnum);
	EXPECT_NE(NULL, strstr(e->msg, "1400 tier-1 rules"));
	redirect_error_free(e);
	free(json);
}

/* Each field rdr_rule_check() refuses: the message names the rule and the field. */
TEST(rules_from_array_names_bad_field)
{
	struct redirect_rule r[2];
	struct redirect_ruleset *rs = NULL;
	struct redirect_error *e = NULL;

#define TRY(stmt, text) do {							\
		memset(r, 0, sizeof(r));					\
		r[0].nr = __NR_getpid; r[0].verdict = REDIRECT_VERDICT_VALUE;	\
		r[1] = r[0];							\
		{ struct redirect_rule *x = &r[1]; stmt; }			\
		EXPECT_EQ(-EINVAL, redirect_ruleset_from_array(r, 2, &rs, &e));	\
		if (e) {							\
			if (!strstr(e->msg, "rule 1: " text))			\
				TH_LOG("\"%s\" lacks \"%s\"", e->msg, text);	\
			EXPECT_NE(NULL, strstr(e->msg, "rule 1: " text));	\
			redirect_error_free(e);					\
			e = NULL;						\
		}								\
	} while (0)

	TRY(x->nr = 1024, "names: system call number out of range");
	TRY(x->verdict = 9, "action: unknown verdict");
	TRY(x->flags = 2, "flags: unknown flags");
	TRY((x->verdict = REDIRECT_VERDICT_ERRNO, x->value = 0), "action: value does not fit");
	TRY(x->value = -1, "action: value does not fit");
	TRY((x->verdict = REDIRECT_VERDICT_ERRNO, x->value = 512), "action: value does not fit");
	TRY((x->verdict = REDIRECT_VERDICT_ERRNO, x->value = 516),
	    "action: value does not fit the verdict (errno 1..4095 "
	    "but not the kernel's restart codes 512..516");
	TRY(x->nr_args = 7, "args: more than 6 comparisons");
	TRY((x->nr_args = 1, x->args[0].index = 6, x->args[0].op = 1), "args[0].index: out of range");
	TRY((x->nr_args = 2, x->args[0].op = 1, x->args[1].op = 7), "args[1].op: unknown comparison");
	TRY((x->nr_args = 1, x->args[0].op = 1, x->args[0].pad = 1), "args[0]: padding");
	TRY(x->args[3].value = 1, "args[3]: padding or unused comparison not zero");
	TRY(x->str_index = 1, "string.index: out of range");
	TRY(x->str_match = 3, "string: unknown match");
	TRY((x->str_match = REDIRECT_STR_PREFIX, x->str_len = 0), "string: length out of range");
	TRY((x->str_match = REDIRECT_STR_EXACT, x->str_len = 128), "string: length out of range");
	TRY((x->str_match = REDIRECT_STR_EXACT, x->str_len = 2, x->str[0] = 'a'),
	    "string: holds a NUL byte");
	TRY(x->pad = 1, "padding not zero");
#undef TRY
	/* one string argument at a time per call: A, B, A would read A twice */
	{
		struct redirect_rule s3[3];
		static const uint32_t idx[3] = { 1, 2, 1 };
		int i;

		memset(s3, 0, sizeof(s3));
		for (i = 0; i < 3; i++) {
			s3[i].nr = __NR_openat;
			s3[i].verdict = REDIRECT_VERDICT_ERRNO;
			s3[i].value = 13;
			s3[i].str_match = REDIRECT_STR_PREFIX;
			s3[i].str_index = idx[i];
			s3[i].str_len = 1;
			s3[i].str[0] = '/';
		}
		EXPECT_EQ(-EINVAL, redirect_ruleset_from_array(s3, 3, &rs, &e));
		ASSERT_NE(NULL, e);
		EXPECT_NE(NULL, strstr(e->msg, "rule 2: string.index: the rules before it"))
		TH_LOG("%s", e->msg);
		redirect_error_free(e);
		e = NULL;
		s3[2].str_index = 2;
		EXPECT_EQ(0, redirect_ruleset_from_array(s3, 3, &rs, &e));
		redirect_ruleset_free(rs);
		rs = NULL;
	}
	memset(r, 0, sizeof(r));
	r[0].nr = __NR_getpid;
	EXPECT_EQ(0, redirect_ruleset_from_array(r, 1, &rs, &e));
	EXPECT_STREQ("rule 0", redirect_ruleset_origin(rs, 0));
	redirect_ruleset_free(rs);
}

/* The kernel's restart codes would restart the call for ever: refused by name. */
TEST(rules_refuse_restart_errnos)
{
	static const char *const codes[] = { "512", "513", "514", "515", "516" };
	struct redirect_error *e = NULL;
	struct redirect_ruleset *rs;
	char json[256];
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(json, sizeof(json), "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":"
			 "{\"rules\":[{\"name\":\"getpid\",\"action\":\"errno:%s\"}]}}", codes[i]);
		rs = compile_json(json, &e);
		EXPECT_EQ(NULL, rs) TH_LOG("errno:%s was accepted", codes[i]);
		redirect_ruleset_free(rs);
		ASSERT_NE(NULL, e);
		EXPECT_NE(NULL, strstr(e->msg, "restart codes (512..516)")) TH_LOG("%s", e->msg);
		EXPECT_NE(NULL, strstr(e->msg, "redirect.rules[0].action")) TH_LOG("%s", e->msg);
		redirect_error_free(e);
		e = NULL;
	}
	/* Its neighbours are ordinary numbers. */
	rs = compile_json("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"rules\":["
			  "{\"name\":\"getpid\",\"action\":\"errno:511\"},"
			  "{\"name\":\"getppid\",\"action\":\"errno:517\"}]}}", &e);
	EXPECT_NE(NULL, rs) TH_LOG("%s", e ? e->msg : "?");
	redirect_ruleset_free(rs);
	redirect_error_free(e);
}

TEST(rules_error_describe_uses_origin)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"rules\":["
		"{\"name\":\"getpid\",\"action\":\"kill\"},"
		"{\"names\":[\"openat\"],\"action\":\"kill\"}]}}";
	struct redirect_ruleset *rs = compile_json(json, NULL);
	char buf[256];

	ASSERT_NE(NULL, rs);
	EXPECT_STREQ("r.json: redirect.rules[1] (openat): args[2].op: unknown comparison",
		     redirect_rule_error_describe(rs, 1, REDIRECT_RULE_FIELD_ARG_OP, 2, buf,
						  sizeof(buf)));
	EXPECT_STREQ("rule 7: string: unknown match",
		     redirect_rule_error_describe(rs, 7, REDIRECT_RULE_FIELD_STR_MATCH, 0, buf,
						  sizeof(buf)));
	redirect_ruleset_free(rs);
}

/* ---- the evaluator on this process's own memory ------------------------------------------ */

static struct redirect_decision decide(struct redirect_ruleset *rs, int nr, uint64_t a0,
				       uint64_t a1)
{
	uint64_t args[6] = { a0, a1, 0, 0, 0, 0 };
	struct redirect_decision d;

	redirect_ruleset_decide_call(rs, AUDIT_ARCH_X86_64, nr, args, getpid(), &d);
	return d;
}

TEST(rules_decide_order_ops_strings_limits)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"rules\":["
		"{\"name\":\"openat\",\"string\":{\"index\":1,\"exact\":\"/etc/shadow\"},"
		" \"action\":\"errno:EACCES\"},"
		"{\"name\":\"openat\",\"string\":{\"index\":1,\"prefix\":\"/proc/\"},"
		" \"action\":\"errno:ENOENT\"},"
		"{\"name\":\"getpriority\",\"args\":[{\"index\":0,\"value\":16,\"mask\":240,"
		"  \"op\":\"EQ\"}],\"action\":\"value:1\"},"
		"{\"name\":\"getpriority\",\"args\":[{\"index\":0,\"value\":100,\"op\":\"GT\"}],"
		" \"action\":\"value:2\",\"limit\":2},"
		"{\"name\":\"getpriority\",\"action\":\"forward\"},"
		"{\"name\":\"getpriority\",\"action\":\"value:3\"}]}}";
	static char shadow[] = "/etc/shadow", proc[] = "/proc/self/status", other[] = "/etc";
	static char longer[] = "/etc/shadow2";
	static const uint64_t args32[6] = { 0x1f };
	struct redirect_ruleset *rs = compile_json(json, NULL);
	struct redirect_decision d;

	ASSERT_NE(NULL, rs);
	d = decide(rs, __NR_openat, -100, (uintptr_t)shadow);
	EXPECT_TRUE(d.matched);
	EXPECT_EQ(REDIRECT_VERDICT_ERRNO, d.verdict);
	EXPECT_EQ(EACCES, d.value);
	EXPECT_EQ(0, d.rule);
	d = decide(rs, __NR_openat, -100, (uintptr_t)proc);
	EXPECT_EQ(ENOENT, d.value);
	EXPECT_EQ(1, d.rule);
	d = decide(rs, __NR_openat, -100, (uintptr_t)longer);
	EXPECT_FALSE(d.matched);
	EXPECT_EQ(REDIRECT_VERDICT_FORWARD, d.verdict);
	d = decide(rs, __NR_openat, -100, (uintptr_t)other);
	EXPECT_FALSE(d.matched);
	/* an unreadable string: the rule does not match */
	d = decide(rs, __NR_openat, -100, 16);
	EXPECT_FALSE(d.matched);
	/* masked compare */
	d = decide(rs, __NR_getpriority, 0x1f, 0);
	EXPECT_EQ(REDIRECT_VERDICT_VALUE, d.verdict);
	EXPECT_EQ(1, d.value);
	/* limit 2, then the explicit forward rule decides */
	EXPECT_EQ(2, decide(rs, __NR_getpriority, 200, 0).value);
	EXPECT_EQ(2, decide(rs, __NR_getpriority, 200, 0).value);
	d = decide(rs, __NR_getpriority, 200, 0);
	EXPECT_TRUE(d.matched);
	EXPECT_EQ(REDIRECT_VERDICT_FORWARD, d.verdict);
	EXPECT_EQ(4, d.rule);
	EXPECT_EQ(2, redirect_ruleset_hits(rs, 3));
	EXPECT_EQ(1, redirect_ruleset_hits(rs, 4));
	redirect_ruleset_reset_hits(rs);
	EXPECT_EQ(0, redirect_ruleset_hits(rs, 3));
	EXPECT_EQ(2, decide(rs, __NR_getpriority, 200, 0).value);
	/* other ABIs are forwarded, as by the module */
	d = decide(rs, __NR_getpriority | 0x40000000, 0x1f, 0);
	EXPECT_FALSE(d.matched);
	redirect_ruleset_decide_call(rs, AUDIT_ARCH_I386, __NR_getpriority, args32, getpid(), &d);
	EXPECT_FALSE(d.matched);
	redirect_ruleset_free(rs);
}

TEST(rules_decide_string_limits)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{\"rules\":["
		"{\"name\":\"openat\",\"string\":{\"index\":1,\"prefix\":\"/x\"},"
		" \"action\":\"errno:EPERM\"}]}}";
	struct redirect_ruleset *rs = compile_json(json, NULL);
	long page = sysconf(_SC_PAGESIZE);
	char *map, buf[200];

	ASSERT_NE(NULL, rs);
	/* 127 bytes and the NUL: read; 128 and more: too long for the engine */
	memset(buf, 'a', sizeof(buf));
	buf[0] = '/';
	buf[1] = 'x';
	buf[127] = '\0';
	EXPECT_TRUE(decide(rs, __NR_openat, 0, (uintptr_t)buf).matched);
	buf[127] = 'a';
	buf[128] = '\0';
	EXPECT_FALSE(decide(rs, __NR_openat, 0, (uintptr_t)buf).matched);
	/* a string that ends right before an unmapped page still reads */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));
	memcpy(map + page - 4, "/xy", 4);
	EXPECT_TRUE(decide(rs, __NR_openat, 0, (uintptr_t)(map + page - 4)).matched);
	memcpy(map + page - 3, "/xy", 3);	/* no NUL before the hole */
	EXPECT_FALSE(decide(rs, __NR_openat, 0, (uintptr_t)(map + page - 3)).matched);
	munmap(map, page);
	redirect_ruleset_free(rs);
}

/* ---- real calls of a child, through a portable session ----------------------------------- */

static const char child_policy[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"redirect\":{"
	"\"rules\":["
	"{\"name\":\"openat\",\"string\":{\"index\":1,\"exact\":\"/nonexistent/secret\"},"
	" \"action\":\"errno:EACCES\"},"
	"{\"name\":\"openat\",\"string\":{\"index\":1,\"prefix\":\"/nonexistent/v/\"},"
	" \"action\":\"value:77\"},"
	"{\"name\":\"umask\",\"args\":[{\"index\":0,\"value\":18,\"op\":\"EQ\"}],"
	" \"action\":\"value:5\",\"limit\":2},"
	"{\"name\":\"getppid\",\"action\":\"value:1\"},"
	"{\"name\":\"getuid\",\"action\":\"kill\"}]}}";

/* The child's expectations: exit 0 when every call answered as the rules say. */
static int child_calls(void *arg)
{
	char path[64];
	long r;

	/* strings on the stack, written now: the engine reads them from our memory */
	snprintf(path, sizeof(path), "/nonexistent/%s", "secret");
	r = syscall(__NR_openat, AT_FDCWD, path, O_RDONLY);
	if (r != -1 || errno != EACCES)
		return 1;
	snprintf(path, sizeof(path), "/nonexistent/v/%d", 3);
	if (syscall(__NR_openat, AT_FDCWD, path, O_RDONLY) != 77)
		return 2;
	snprintf(path, sizeof(path), "/nonexistent/other");
	if (syscall(__NR_openat, AT_FDCWD, path, O_RDONLY) != SENTINEL)
		return 3;	/* forwarded, answered by the test */
	if (syscall(__NR_umask, 18) != 5 || syscall(__NR_umask, 18) != 5)
		return 4;
	if (syscall(__NR_umask, 18) != SENTINEL)
		return 5;	/* the limit is used up */
	if (syscall(__NR_umask, 19) != SENTINEL)
		return 6;
	if (syscall(__NR_getppid) != 1)
		return 7;
	if (arg)
		syscall(__NR_getuid);	/* killed */
	return 0;
}

/* Serve a portable session until the child ends; returns its exit status or 128+sig. */
static int serve(struct redirect_session *s, pid_t pid, unsigned int *forwarded)
{
	struct redirect_request req[8];
	struct redirect_reply rep[8];
	uint32_t nrep = 0, nreq, i;
	int status;

	for (;;) {
		if (redirect_session_broker(s, rep, &nrep, req, 8, &nreq, 50, NULL) < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		for (i = 0; i < nreq; i++) {
			memset(&rep[i], 0, sizeof(rep[i]));
			rep[i].sandbox_id = req[i].sandbox_id;
			rep[i].kind = REDIRECT_REPLY_SEND;
			rep[i].resp.id = req[i].notif.id;
			rep[i].resp.val = SENTINEL;
			(*forwarded)++;
		}
		nrep = nreq;
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}

TEST(rules_portable_session_answers_real_calls)
{
	struct redirect_session *s = NULL;
	struct redirect_ruleset *rs = compile_json(child_policy, NULL);
	struct redirect_error *e = NULL;
	unsigned int forwarded = 0;
	uint32_t id, nreq = 0;
	int listener = -1;
	pid_t pid;

	ASSERT_NE(NULL, rs);
	ASSERT_EQ(0, redirect_session_open(REDIRECT_SESSION_PORTABLE, &s, &e));
	pid = spawn_filtered(child_policy, child_calls, NULL, &listener);
	ASSERT_LT(0, pid);
	ASSERT_LE(0, listener);
	ASSERT_EQ(0, redirect_session_attach(s, listener, -1, "rules-test", REDIRECT_FAIL_HOLD, 0,
					     &id, &e)) TH_LOG("%s", e->msg);
	close(listener);
	ASSERT_EQ(0, redirect_session_set_rules(s, id, rs, &e)) TH_LOG("%s", e->msg);
	EXPECT_EQ(0, serve(s, pid, &forwarded));
	EXPECT_EQ(3, forwarded);
	/* the child is reaped, its listener hung up: the next round drops the sandbox */
	EXPECT_EQ(0, redirect_session_broker(s, NULL, NULL, NULL, 1, &nreq, 1000, NULL));
	EXPECT_EQ(0, nreq);
	EXPECT_EQ(0, redirect_session_sandbox_count(s));
	redirect_session_free(s);
	redirect_ruleset_free(rs);
}

TEST(rules_portable_kill_verdict_kills_the_caller)
{
	struct redirect_session *s = NULL;
	struct redirect_ruleset *rs = compile_json(child_policy, NULL);
	unsigned int forwarded = 0;
	uint32_t id;
	int listener = -1;
	pid_t pid;

	ASSERT_NE(NULL, rs);
	ASSERT_EQ(0, redirect_session_open(REDIRECT_SESSION_PORTABLE, &s, NULL));
	pid = spawn_filtered(child_policy, child_calls, (void *)1, &listener);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, redirect_session_attach(s, listener, -1, "kill", REDIRECT_FAIL_HOLD, 0, &id,
					     NULL));
	close(listener);
	ASSERT_EQ(0, redirect_session_set_rules(s, id, rs, NULL));
	EXPECT_EQ(128 + SIGKILL, serve(s, pid, &forwarded));
	redirect_session_free(s);
	redirect_ruleset_free(rs);
}

TEST(rules_decide_on_notification_reads_target_memory)
{
	struct redirect_ruleset *rs = compile_json(child_policy, NULL);
	struct redirect_notif_buf *buf = NULL;
	struct redirect_decision d;
	int listener = -1, n;
	pid_t pid;

	ASSERT_NE(NULL, rs);
	ASSERT_EQ(0, redirect_notif_buf_new(&buf, NULL));
	pid = spawn_filtered(child_policy, child_calls, NULL, &listener);
	ASSERT_LT(0, pid);
	/* answer by hand: decide, send the decision or the sentinel */
	for (n = 0; n < 64; n++) {
		const struct seccomp_notif *req;

		if (!wait_readable(listener, 2000))
			break;
		if (redirect_notif_recv(listener, buf, NULL) < 0)
			break;
		req = redirect_notif_req(buf);
		ASSERT_EQ(0, redirect_ruleset_decide(rs, req, listener, &d, NULL));
		if (d.verdict == REDIRECT_VERDICT_FORWARD)
			redirect_notif_send(listener, buf, req->id, SENTINEL, 0, 0, NULL);
		else
			EXPECT_EQ(0, redirect_decision_send(listener, buf, req, &d, NULL));
	}
	EXPECT_EQ(0, wait_child(pid));
	close(listener);
	redirect_notif_buf_free(buf);
	redirect_ruleset_free(rs);
}

TEST_HARNESS_MAIN
