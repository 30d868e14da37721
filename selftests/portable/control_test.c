// SPDX-License-Identifier: GPL-2.0
/* The control socket's client: the answer is strict JSON, an object with "ok": true, or EPROTO. */
#include <json-c/json.h>
#include <sys/un.h>

#include "helpers.h"
#include "kselftest_harness.h"

FIXTURE(control)
{
	char dir[PATH_MAX];
	char path[PATH_MAX];
	int lfd;
	pid_t server;
};

FIXTURE_SETUP(control)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	ASSERT_EQ(0, make_temp_dir(self->dir, sizeof(self->dir)));
	snprintf(self->path, sizeof(self->path), "%s/control.sock", self->dir);
	ASSERT_LT(strlen(self->path), sizeof(sun.sun_path));
	strcpy(sun.sun_path, self->path);
	self->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, bind(self->lfd, (struct sockaddr *)&sun, sizeof(sun)));
	ASSERT_EQ(0, listen(self->lfd, 4));
	self->server = -1;
}

FIXTURE_TEARDOWN(control)
{
	if (self->server > 0) {
		kill(self->server, SIGKILL);
		waitpid(self->server, NULL, 0);
	}
	close(self->lfd);
	remove_tree(self->dir);
}

/* A daemon that answers one request with @answer (a line, newline added). */
static pid_t serve_once(int lfd, const char *answer)
{
	pid_t pid = fork();

	if (pid == 0) {
		char req[4096];
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0 || read(fd, req, sizeof(req)) <= 0)
			_exit(1);
		if (write(fd, answer, strlen(answer)) < 0 || write(fd, "\n", 1) < 0)
			_exit(1);
		close(fd);
		_exit(0);
	}
	return pid;
}

static int call(FIXTURE_DATA(control) * self, const char *answer, struct json_object **rootp,
		struct redirect_error **err)
{
	int ret;

	self->server = serve_once(self->lfd, answer);
	ret = redirect_control_call(self->path, REDIRECT_CONTROL_STATUS, NULL, 5000, rootp, err);
	waitpid(self->server, NULL, 0);
	self->server = -1;
	return ret;
}

TEST_F(control, control_call_answer_is_the_object)
{
	struct redirect_error *e = NULL;
	struct json_object *root = NULL, *v;

	ASSERT_EQ(0, call(self, "{\"ok\":true,\"op\":\"status\",\"pid\":42}", &root, &e));
	ASSERT_NE(NULL, root);
	ASSERT_TRUE(json_object_object_get_ex(root, "pid", &v));
	EXPECT_EQ(42, json_object_get_int(v));
	json_object_put(root);
}

/* json-c's lenient parse takes these; the protocol is strict JSON */
TEST_F(control, control_call_refuses_what_is_not_strict_json)
{
	static const char *const lax[] = {
		"{\"ok\":true} trailing",
		"{'ok':true}",
		"{\"ok\":true,}",
	};
	struct redirect_error *e = NULL;
	struct json_object *root = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lax); i++) {
		EXPECT_EQ(-EPROTO, call(self, lax[i], &root, &e)) TH_LOG("%s", lax[i]);
		EXPECT_EQ(NULL, root);
		ASSERT_NE(NULL, e);
		EXPECT_EQ(EPROTO, e->errnum);
		EXPECT_NE(NULL, strstr(e->msg, "control socket")) TH_LOG("%s", e->msg);
		redirect_error_free(e);
		e = NULL;
	}
}

TEST_F(control, control_call_not_ok_is_eproto_with_the_error)
{
	struct redirect_error *e = NULL;
	struct json_object *root = NULL;

	EXPECT_EQ(-EPROTO, call(self, "{\"ok\":false,\"error\":\"unknown op\"}", &root, &e));
	EXPECT_EQ(NULL, root);
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "unknown op")) TH_LOG("%s", e->msg);
	redirect_error_free(e);
	e = NULL;
	EXPECT_EQ(-EPROTO, call(self, "[1, 2]", &root, &e));
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e->msg, "not a JSON object")) TH_LOG("%s", e->msg);
	redirect_error_free(e);
}

TEST_F(control, control_policy_known_reads_the_answer)
{
	struct redirect_error *e = NULL;

	self->server = serve_once(self->lfd, "{\"ok\":true,\"known\":true}");
	EXPECT_EQ(1, redirect_control_policy_known(self->path, "p", 5000, &e));
	waitpid(self->server, NULL, 0);
	self->server =
		serve_once(self->lfd, "{\"ok\":true,\"known\":false,\"reason\":\"no p.json\"}");
	EXPECT_EQ(0, redirect_control_policy_known(self->path, "p", 5000, &e));
	waitpid(self->server, NULL, 0);
	self->server = -1;
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("no p.json", e->msg);
	redirect_error_free(e);
}

TEST_HARNESS_MAIN
