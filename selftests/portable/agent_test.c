// SPDX-License-Identifier: GPL-2.0
/* OCI seccomp-agent messages: runc's format parses; malformed input is refused, fds closed. */
#include "helpers.h"
#include "kselftest_harness.h"

/* What runc 1.1.5 sent to listenerPath on this machine, byte for byte. */
static const char runc_msg[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"fds\":[\"seccompFd\"],\"pid\":4409,"
	"\"metadata\":\"default\",\"state\":{\"ociVersion\":\"1.0.2-dev\",\"id\":\"rtest3\","
	"\"status\":\"creating\",\"pid\":4409,\"bundle\":\"/tmp/rb\"}}";

/* A pipe's read end standing in for a listener; the write end is closed. */
static int fake_fd(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	close(p[1]);
	return p[0];
}

TEST(agent_parse_runc_message)
{
	struct redirect_agent_msg *m = NULL;
	struct redirect_error *e = NULL;
	int fds[1] = { fake_fd() };
	int fd = fds[0];

	ASSERT_EQ(0, redirect_agent_msg_parse(runc_msg, strlen(runc_msg), fds, 1, &m, &e));
	EXPECT_STREQ("1.0.2-dev", redirect_agent_msg_oci_version(m));
	EXPECT_STREQ("rtest3", redirect_agent_msg_id(m));
	EXPECT_STREQ("creating", redirect_agent_msg_status(m));
	EXPECT_STREQ("/tmp/rb", redirect_agent_msg_bundle(m));
	EXPECT_STREQ("default", redirect_agent_msg_metadata(m));
	EXPECT_EQ(4409, redirect_agent_msg_pid(m));
	EXPECT_EQ(4409, redirect_agent_msg_state_pid(m));
	EXPECT_EQ(NULL, redirect_agent_msg_annotation(m, "x"));
	EXPECT_EQ(fd, redirect_agent_msg_listener(m));
	EXPECT_EQ(-1, fds[0]);
	redirect_agent_msg_free(m);
	/* the message owned the fd and closed it */
	EXPECT_FALSE(fd_is_open(fd));
}

TEST(agent_parse_optional_fields_absent)
{
	static const char msg[] =
		"{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":1,"
		"\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"running\","
		"\"bundle\":\"\"},\"future\":{\"field\":[1,2]}}";
	struct redirect_agent_msg *m = NULL;
	int fds[1] = { fake_fd() };
	int fd;

	ASSERT_EQ(0, redirect_agent_msg_parse(msg, strlen(msg), fds, 1, &m, NULL));
	EXPECT_EQ(NULL, redirect_agent_msg_metadata(m));
	EXPECT_EQ(0, redirect_agent_msg_state_pid(m));
	EXPECT_STREQ("", redirect_agent_msg_bundle(m));
	fd = redirect_agent_msg_take_listener(m);
	EXPECT_EQ(-1, redirect_agent_msg_listener(m));
	redirect_agent_msg_free(m);
	/* taken: still ours */
	EXPECT_TRUE(fd_is_open(fd));
	close(fd);
}

TEST(agent_serialize_parse_roundtrip)
{
	struct redirect_agent_msg *m = NULL, *back = NULL;
	struct redirect_error *e = NULL;
	int fds[1] = { fake_fd() };
	char *buf = NULL;
	size_t len;

	ASSERT_EQ(0, redirect_agent_msg_new("sandbox-1", 1234, &m, &e));
	ASSERT_EQ(0, redirect_agent_msg_set_metadata(m, "web", &e));
	ASSERT_EQ(0, redirect_agent_msg_set_bundle(m, "/srv/bundle", &e));
	ASSERT_EQ(0, redirect_agent_msg_set_annotation(m, "io.example/a", "1", &e));
	ASSERT_EQ(0, redirect_agent_msg_set_annotation(m, "io.example/b", "two \"quoted\"", &e));
	ASSERT_EQ(0, redirect_agent_msg_set_annotation(m, "io.example/a", "one", &e));
	ASSERT_EQ(0, redirect_agent_msg_serialize(m, &buf, &len, &e));
	EXPECT_EQ(strlen(buf), len);
	/* runc's field order and names */
	EXPECT_EQ(buf, strstr(buf, "{\"ociVersion\":\"" REDIRECT_OCI_VERSION "\","
				   "\"fds\":[\"seccompFd\"],\"pid\":1234,"
				   "\"metadata\":\"web\",\"state\":{"));
	ASSERT_EQ(0, redirect_agent_msg_parse(buf, len, fds, 1, &back, &e));
	EXPECT_STREQ("sandbox-1", redirect_agent_msg_id(back));
	EXPECT_STREQ("running", redirect_agent_msg_status(back));
	EXPECT_STREQ("/srv/bundle", redirect_agent_msg_bundle(back));
	EXPECT_STREQ("web", redirect_agent_msg_metadata(back));
	EXPECT_EQ(1234, redirect_agent_msg_pid(back));
	EXPECT_STREQ("one", redirect_agent_msg_annotation(back, "io.example/a"));
	EXPECT_STREQ("two \"quoted\"", redirect_agent_msg_annotation(back, "io.example/b"));
	free(buf);
	redirect_agent_msg_free(m);
	redirect_agent_msg_free(back);
}

TEST(agent_msg_new_rejects_bad_input)
{
	struct redirect_agent_msg *m = NULL;

	EXPECT_EQ(-EINVAL, redirect_agent_msg_new("", 1, &m, NULL));
	EXPECT_EQ(-EINVAL, redirect_agent_msg_new("a\nb", 1, &m, NULL));
	EXPECT_EQ(-EINVAL, redirect_agent_msg_new("ok", 0, &m, NULL));
}

/* Malformed messages: refused with EBADMSG, the path named, every fd closed. */
FIXTURE(agent_bad) {
};

FIXTURE_VARIANT(agent_bad) {
	const char *msg;
	int nfds;
	const char *want;
};

FIXTURE_SETUP(agent_bad)
{
}

FIXTURE_TEARDOWN(agent_bad)
{
}

#define STATE_OK \
	"\"state\":{\"ociVersion\":\"1\",\"id\":\"c\",\"status\":\"running\",\"bundle\":\"/\"}"

FIXTURE_VARIANT_ADD(agent_bad, not_json) {
	.msg = "hello agent", .nfds = 1, .want = "invalid JSON",
};
FIXTURE_VARIANT_ADD(agent_bad, truncated_json) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"", .nfds = 1,
	.want = "unexpected end of input",
};
FIXTURE_VARIANT_ADD(agent_bad, trailing_garbage) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1," STATE_OK "}xyz",
	.nfds = 1, .want = "invalid JSON",
};
FIXTURE_VARIANT_ADD(agent_bad, array_root) {
	.msg = "[1]", .nfds = 1, .want = "not a JSON object",
};
FIXTURE_VARIANT_ADD(agent_bad, missing_oci_version) {
	.msg = "{\"fds\":[\"seccompFd\"],\"pid\":1," STATE_OK "}", .nfds = 1,
	.want = "ociVersion: missing",
};
FIXTURE_VARIANT_ADD(agent_bad, missing_fds) {
	.msg = "{\"ociVersion\":\"1\",\"pid\":1," STATE_OK "}", .nfds = 1,
	.want = "fds: missing",
};
FIXTURE_VARIANT_ADD(agent_bad, fds_without_seccomp_fd) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"pidFd\"],\"pid\":1," STATE_OK "}", .nfds = 1,
	.want = "fds: no \"seccompFd\"",
};
FIXTURE_VARIANT_ADD(agent_bad, two_seccomp_fds) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\",\"seccompFd\"],\"pid\":1,"
	       STATE_OK "}", .nfds = 2,
	.want = "fds: more than one \"seccompFd\"",
};
FIXTURE_VARIANT_ADD(agent_bad, more_fds_than_named) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1," STATE_OK "}",
	.nfds = 2, .want = "fds: names 1 descriptors but 2 arrived",
};
FIXTURE_VARIANT_ADD(agent_bad, fewer_fds_than_named) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\",\"pidFd\"],\"pid\":1," STATE_OK "}",
	.nfds = 1, .want = "fds: names 2 descriptors but 1 arrived",
};
FIXTURE_VARIANT_ADD(agent_bad, no_fd_at_all) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1," STATE_OK "}",
	.nfds = 0, .want = "fds: names 1 descriptors but 0 arrived",
};
FIXTURE_VARIANT_ADD(agent_bad, fd_name_not_string) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[3],\"pid\":1," STATE_OK "}", .nfds = 1,
	.want = "fds: element 0 is not a string",
};
FIXTURE_VARIANT_ADD(agent_bad, missing_pid) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"]," STATE_OK "}", .nfds = 1,
	.want = "pid: missing",
};
FIXTURE_VARIANT_ADD(agent_bad, negative_pid) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":-5," STATE_OK "}",
	.nfds = 1, .want = "pid: invalid pid -5",
};
FIXTURE_VARIANT_ADD(agent_bad, pid_as_string) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":\"7\"," STATE_OK "}",
	.nfds = 1, .want = "pid: not an integer",
};
FIXTURE_VARIANT_ADD(agent_bad, metadata_not_string) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1,\"metadata\":{},"
	       STATE_OK "}", .nfds = 1, .want = "metadata: not a string",
};
FIXTURE_VARIANT_ADD(agent_bad, missing_state) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1}", .nfds = 1,
	.want = "state: missing",
};
FIXTURE_VARIANT_ADD(agent_bad, missing_state_id) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1,\"state\":"
	       "{\"ociVersion\":\"1\",\"status\":\"running\",\"bundle\":\"/\"}}", .nfds = 1,
	.want = "state.id: missing",
};
FIXTURE_VARIANT_ADD(agent_bad, state_id_with_newline) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1,\"state\":"
	       "{\"ociVersion\":\"1\",\"id\":\"a\\nb\",\"status\":\"running\",\"bundle\":\"/\"}}",
	.nfds = 1, .want = "state.id: contains control characters",
};
FIXTURE_VARIANT_ADD(agent_bad, missing_bundle) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1,\"state\":"
	       "{\"ociVersion\":\"1\",\"id\":\"c\",\"status\":\"running\"}}", .nfds = 1,
	.want = "state.bundle: missing",
};
FIXTURE_VARIANT_ADD(agent_bad, annotation_not_string) {
	.msg = "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":1,\"state\":"
	       "{\"ociVersion\":\"1\",\"id\":\"c\",\"status\":\"running\",\"bundle\":\"/\","
	       "\"annotations\":{\"k\":1}}}", .nfds = 1,
	.want = "state.annotations: value of \"k\" is not a string",
};
FIXTURE_VARIANT_ADD(agent_bad, deep_nesting) {
	.msg = "{\"ociVersion\":\"1\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]"
	       "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", .nfds = 1, .want = "invalid JSON",
};

TEST_F(agent_bad, refused_and_fds_closed)
{
	struct redirect_agent_msg *m = NULL;
	struct redirect_error *e = NULL;
	int fds[2] = { -1, -1 }, copy[2];
	int i;

	for (i = 0; i < variant->nfds; i++)
		fds[i] = fake_fd();
	memcpy(copy, fds, sizeof(copy));
	ASSERT_EQ(-EBADMSG, redirect_agent_msg_parse(variant->msg, strlen(variant->msg), fds,
						     variant->nfds, &m, &e));
	ASSERT_NE(NULL, e);
	if (!strstr(e->msg, variant->want))
		TH_LOG("message \"%s\" lacks \"%s\"", e->msg, variant->want);
	EXPECT_NE(NULL, strstr(e->msg, variant->want));
	EXPECT_EQ(NULL, m);
	for (i = 0; i < variant->nfds; i++)
		EXPECT_FALSE(fd_is_open(copy[i]));
	redirect_error_free(e);
}

TEST(agent_parse_oversized_closes_fds)
{
	size_t len = REDIRECT_AGENT_MSG_MAX + 1;
	struct redirect_agent_msg *m = NULL;
	struct redirect_error *e = NULL;
	int fds[1] = { fake_fd() }, fd = fds[0];
	char *big = malloc(len);

	ASSERT_NE(NULL, big);
	memset(big, ' ', len);
	EXPECT_EQ(-EMSGSIZE, redirect_agent_msg_parse(big, len, fds, 1, &m, &e));
	EXPECT_FALSE(fd_is_open(fd));
	redirect_error_free(e);
	free(big);
}

TEST(agent_parse_extra_named_fds_are_closed)
{
	static const char msg[] =
		"{\"ociVersion\":\"1\",\"fds\":[\"pidFd\",\"seccompFd\"],\"pid\":1," STATE_OK "}";
	struct redirect_agent_msg *m = NULL;
	int fds[2] = { fake_fd(), fake_fd() }, a = fds[0], b = fds[1];

	ASSERT_EQ(0, redirect_agent_msg_parse(msg, strlen(msg), fds, 2, &m, NULL));
	EXPECT_EQ(b, redirect_agent_msg_listener(m));
	EXPECT_FALSE(fd_is_open(a));
	EXPECT_TRUE(fd_is_open(b));
	redirect_agent_msg_free(m);
	EXPECT_FALSE(fd_is_open(b));
}

/* ---- over a socket ------------------------------------------------------------ */

FIXTURE(agent_sock) {
	int sv[2];
	int fds_before;
};

FIXTURE_SETUP(agent_sock)
{
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, self->sv));
	ASSERT_EQ(0, fcntl(self->sv[1], F_SETFL, O_NONBLOCK));
	self->fds_before = count_open_fds();
}

FIXTURE_TEARDOWN(agent_sock)
{
	if (self->sv[0] >= 0)
		close(self->sv[0]);
	close(self->sv[1]);
}

/* Read to completion or error on the non-blocking end. */
static int read_all(int fd, struct redirect_agent_reader *r, struct redirect_error **e)
{
	int ret;

	while ((ret = redirect_agent_reader_read(r, e)) == 0)
		if (!wait_readable(fd, 5000))
			return -ETIMEDOUT;
	return ret;
}

TEST_F(agent_sock, runc_style_send_completes_without_eof)
{
	struct redirect_agent_reader *r = NULL;
	struct redirect_agent_msg *m = NULL;
	struct redirect_error *e = NULL;
	int fd = fake_fd();

	/* runc keeps its end open after sending: the message ends with the JSON */
	ASSERT_EQ(0, redirect_agent_send_raw(self->sv[0], runc_msg, strlen(runc_msg), fd, &e));
	close(fd);
	ASSERT_EQ(0, redirect_agent_reader_new(self->sv[1], &r, &e));
	ASSERT_EQ(1, read_all(self->sv[1], r, &e));
	ASSERT_EQ(0, redirect_agent_reader_finish(r, &m, &e));
	EXPECT_STREQ("rtest3", redirect_agent_msg_id(m));
	EXPECT_LE(0, redirect_agent_msg_listener(m));
	redirect_agent_reader_free(r);
	redirect_agent_msg_free(m);
	EXPECT_EQ(self->fds_before, count_open_fds());
}

TEST_F(agent_sock, message_split_across_writes)
{
	struct redirect_agent_reader *r = NULL;
	struct redirect_agent_msg *m = NULL;
	size_t half = strlen(runc_msg) / 2;
	int fd = fake_fd();

	ASSERT_EQ(0, redirect_agent_send_raw(self->sv[0], runc_msg, half, fd, NULL));
	close(fd);
	ASSERT_EQ(0, redirect_agent_reader_new(self->sv[1], &r, NULL));
	EXPECT_EQ(0, redirect_agent_reader_read(r, NULL));
	ASSERT_EQ((ssize_t)(strlen(runc_msg) - half),
		  write(self->sv[0], runc_msg + half, strlen(runc_msg) - half));
	ASSERT_EQ(1, read_all(self->sv[1], r, NULL));
	ASSERT_EQ(0, redirect_agent_reader_finish(r, &m, NULL));
	EXPECT_EQ(4409, redirect_agent_msg_pid(m));
	redirect_agent_reader_free(r);
	redirect_agent_msg_free(m);
	EXPECT_EQ(self->fds_before, count_open_fds());
}

TEST_F(agent_sock, eof_before_end_is_truncated)
{
	struct redirect_agent_reader *r = NULL;
	struct redirect_error *e = NULL;
	int fd = fake_fd();

	ASSERT_EQ(0, redirect_agent_send_raw(self->sv[0], runc_msg, 20, fd, NULL));
	close(fd);
	close(self->sv[0]);
	self->sv[0] = -1;
	ASSERT_EQ(0, redirect_agent_reader_new(self->sv[1], &r, NULL));
	EXPECT_EQ(-EBADMSG, read_all(self->sv[1], r, &e));
	EXPECT_NE(NULL, strstr(e->msg, "truncated"));
	redirect_error_free(e);
	redirect_agent_reader_free(r);
	/* the fd that came with the bytes was closed */
	EXPECT_EQ(self->fds_before - 1, count_open_fds());
}

/* A peer that closes at once (a liveness probe) is told apart from a bad message. */
TEST_F(agent_sock, eof_without_data)
{
	struct redirect_agent_reader *r = NULL;
	struct redirect_error *e = NULL;

	close(self->sv[0]);
	self->sv[0] = -1;
	ASSERT_EQ(0, redirect_agent_reader_new(self->sv[1], &r, NULL));
	EXPECT_EQ(-ENODATA, read_all(self->sv[1], r, &e));
	EXPECT_NE(NULL, strstr(e->msg, "before any data"));
	redirect_error_free(e);
	redirect_agent_reader_free(r);
}

TEST_F(agent_sock, too_many_fds_refused_and_closed)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 20)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { (void *)runc_msg, strlen(runc_msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf) };
	struct redirect_agent_reader *r = NULL;
	struct redirect_error *e = NULL;
	struct cmsghdr *c;
	int fds[20], i, before;

	for (i = 0; i < 20; i++)
		fds[i] = fake_fd();
	before = count_open_fds();
	memset(&control, 0, sizeof(control));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	ASSERT_LT(0, sendmsg(self->sv[0], &mh, 0));
	for (i = 0; i < 20; i++)
		close(fds[i]);
	ASSERT_EQ(0, redirect_agent_reader_new(self->sv[1], &r, NULL));
	EXPECT_GT(0, read_all(self->sv[1], r, &e));
	redirect_error_free(e);
	redirect_agent_reader_free(r);
	EXPECT_EQ(before - 20, count_open_fds());
}

TEST_F(agent_sock, oversized_stream_refused)
{
	struct redirect_agent_reader *r = NULL;
	struct redirect_error *e = NULL;
	int fd = fake_fd();
	pid_t pid;
	int ret;

	ASSERT_EQ(0, redirect_agent_send_raw(self->sv[0], "{\"pad\":\"", 8, fd, NULL));
	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static char chunk[65536];
		size_t sent = 0;

		close(self->sv[1]);
		memset(chunk, 'a', sizeof(chunk));
		while (sent < 2 * REDIRECT_AGENT_MSG_MAX) {
			ssize_t n = write(self->sv[0], chunk, sizeof(chunk));

			if (n <= 0)
				_exit(0);
			sent += (size_t)n;
		}
		_exit(0);
	}
	ASSERT_EQ(0, redirect_agent_reader_new(self->sv[1], &r, NULL));
	ret = read_all(self->sv[1], r, &e);
	EXPECT_EQ(-EMSGSIZE, ret);
	redirect_error_free(e);
	redirect_agent_reader_free(r);
	close(self->sv[1]);
	self->sv[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	wait_child(pid);
	EXPECT_EQ(self->fds_before, count_open_fds());
}

TEST_F(agent_sock, blocking_recv)
{
	struct redirect_agent_msg *m = NULL;
	int fd = fake_fd();

	ASSERT_EQ(0, redirect_agent_send_raw(self->sv[0], runc_msg, strlen(runc_msg), fd, NULL));
	close(fd);
	ASSERT_EQ(0, redirect_agent_recv(self->sv[1], &m, NULL));
	EXPECT_STREQ("default", redirect_agent_msg_metadata(m));
	redirect_agent_msg_free(m);
}

TEST(agent_connect_errors)
{
	struct redirect_error *e = NULL;
	char longpath[200];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, redirect_agent_connect(longpath, &e));
	redirect_error_free(e);
	e = NULL;
	EXPECT_EQ(-ENOENT, redirect_agent_connect("/nonexistent/agent.sock", &e));
	EXPECT_NE(NULL, strstr(e->msg, "/nonexistent/agent.sock"));
	redirect_error_free(e);
}

TEST_HARNESS_MAIN
