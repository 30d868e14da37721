// SPDX-License-Identifier: GPL-2.0
/* redirect-run: run one command under a policy, its notified calls answered by usersentry. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libredirect.h"

#define DEFAULT_SOCKET "/run/redirect/usersentry.sock"
#define DEFAULT_POLICY "default"
#ifndef REDIRECT_POLICY_DIR
#define REDIRECT_POLICY_DIR "/usr/local/share/redirect/policies"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* exit status when redirect-run itself fails, as docker run does */
#define EXIT_RUNNER 125

static volatile sig_atomic_t child_pid;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: redirect-run [OPTIONS] [--] COMMAND [ARGS...]\n"
		"Run COMMAND under a redirect policy; usersentry answers its notified calls.\n"
		"\n"
		"  -p, --policy FILE|NAME  policy file (contains '/' or ends in .json), or a name\n"
		"                          looked up as NAME.json in $REDIRECT_POLICY_DIR,\n"
		"                          /etc/redirect/policies, " REDIRECT_POLICY_DIR ",\n"
		"                          then the source tree's usersentry/policies\n"
		"                          (default: " DEFAULT_POLICY ")\n"
		"  -s, --socket PATH       usersentry's agent socket\n"
		"                          (default: $REDIRECT_SOCKET or " DEFAULT_SOCKET ")\n"
		"  -i, --id ID             sandbox id (default: redirect-run-PID)\n"
		"      --dump-filter       print the compiled filter (libseccomp PFC) and exit\n"
		"  -h, --help              this text\n"
		"  -V, --version           print the version\n"
		"\n"
		"Exit status: COMMAND's, 128+N if it died of signal N,\n"
		"%d if redirect-run itself failed.\n",
		EXIT_RUNNER);
}

/* The policies of a source tree, when run from its build/bin/ */
static const char *tree_policy_dir(void)
{
	static char dir[4096];
	char *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", dir, sizeof(dir) - 40);
	if (n < 0)
		return NULL;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return NULL;
	strcpy(slash, "/../../usersentry/policies");
	return dir;
}

static char *find_policy(const char *arg)
{
	const char *dirs[4] = { getenv("REDIRECT_POLICY_DIR"), "/etc/redirect/policies",
				REDIRECT_POLICY_DIR, tree_policy_dir() };
	size_t len = strlen(arg), i;
	char *path;

	if (strchr(arg, '/') || (len > 5 && !strcmp(arg + len - 5, ".json")))
		return strdup(arg);
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct stat st;

		if (!dirs[i] || !*dirs[i])
			continue;
		if (asprintf(&path, "%s/%s.json", dirs[i], arg) < 0)
			return NULL;
		if (stat(path, &st) == 0)
			return path;
		free(path);
	}
	errno = ENOENT;
	return NULL;
}

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static void ignore(int sig)
{
	/* the child gets terminal signals itself; stay alive to report its status */
}

static void set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa = { .sa_handler = fn };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
	enum { OPT_DUMP = 256 };
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "id", required_argument, NULL, 'i' },
		{ "dump-filter", no_argument, NULL, OPT_DUMP },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy_arg = DEFAULT_POLICY, *socket_path, *id = NULL;
	struct redirect_launcher *launcher = NULL;
	struct redirect_policy *policy = NULL;
	struct redirect_error *e = NULL;
	bool dump = false;
	char *policy_path;
	int opt, status, ret;
	pid_t pid;

	socket_path = getenv("REDIRECT_SOCKET");
	if (!socket_path || !*socket_path)
		socket_path = DEFAULT_SOCKET;
	/* '+': options end at the command */
	while ((opt = getopt_long(argc, argv, "+p:s:i:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			policy_arg = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'i':
			id = optarg;
			break;
		case OPT_DUMP:
			dump = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("redirect-run %s\n", redirect_version());
			return 0;
		default:
			usage(stderr);
			return EXIT_RUNNER;
		}
	}
	if (optind >= argc && !dump) {
		fprintf(stderr, "redirect-run: no command given\n");
		usage(stderr);
		return EXIT_RUNNER;
	}

	policy_path = find_policy(policy_arg);
	if (!policy_path) {
		fprintf(stderr, "redirect-run: policy \"%s\" not found\n", policy_arg);
		return EXIT_RUNNER;
	}
	ret = redirect_policy_load_file(policy_path, &policy, &e);
	free(policy_path);
	if (ret < 0)
		goto fail;
	if (dump) {
		fflush(stdout);
		ret = redirect_filter_export_pfc(policy, STDOUT_FILENO, &e);
		if (ret < 0)
			goto fail;
		redirect_policy_free(policy);
		return 0;
	}

	ret = redirect_launcher_new(policy, &launcher, &e);
	if (ret == 0)
		ret = redirect_launcher_set_agent_socket(launcher, socket_path, &e);
	if (ret == 0 && id)
		ret = redirect_launcher_set_sandbox_id(launcher, id, &e);
	if (ret == 0)
		ret = redirect_launcher_spawn(launcher, argv + optind, &pid, &e);
	if (ret < 0)
		goto fail;

	child_pid = pid;
	set_handler(SIGTERM, forward);
	set_handler(SIGHUP, forward);
	set_handler(SIGINT, ignore);
	set_handler(SIGQUIT, ignore);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("redirect-run: waitpid");
			return EXIT_RUNNER;
		}
	}
	redirect_launcher_free(launcher);
	redirect_policy_free(policy);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_RUNNER;
fail:
	fprintf(stderr, "redirect-run: %s\n", e ? e->msg : strerror(-ret));
	redirect_error_free(e);
	redirect_launcher_free(launcher);
	redirect_policy_free(policy);
	return EXIT_RUNNER;
}
