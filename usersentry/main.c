// SPDX-License-Identifier: GPL-2.0
/* usersentry: the Sentry daemon's options, setup and poll() loop. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sentry.h"


static void usage(FILE *f)
{
	fprintf(f,
		"Usage: usersentry [OPTIONS]\n"
		"Answer seccomp-notified system calls of sandboxes (the OCI seccomp agent).\n"
		"\n"
		"  -s, --socket PATH      agent socket (mode 0600), default " REDIRECT_AGENT_SOCKET "\n"
		"  -c, --control PATH     control socket (mode 0600, root only), default\n"
		"                         " REDIRECT_CONTROL_SOCKET " beside the default\n"
		"                         socket, else the socket's path + .control\n"
		"  -d, --policy-dir DIR   policies by name: DIR/NAME.json, NAME from metadata\n"
		"  -p, --policy FILE      default policy, for messages without metadata\n"
		"  -l, --log FILE         append the log to FILE instead of stderr\n"
		"      --log-level L      info (default: events and errors) or calls\n"
		"                         (a line per forwarded call besides)\n"
		"      --state-dir DIR    per-sandbox state for restarts,\n"
		"                         default: the socket's directory/usersentry-state\n"
		"  -a, --audit FILE       JSON lines, one per forwarded call\n"
		"      --audit-max-bytes N  rotate FILE to FILE.1 beyond N bytes (default 64 MiB)\n"
		"      --audit-rate N     at most N lines a second (default 1000; 0: no limit)\n"
		"      --portable         do not use /dev/redirect even when present\n"
		"      --custody KIND     portable mode: who keeps the listeners across a\n"
		"                         restart: auto (default: fdstore under systemd,\n"
		"                         else keeper), fdstore, keeper, none\n"
		"      --keeper-linger S  the keeper exits S seconds after it holds nothing\n"
		"                         and no daemon is connected (default %u)\n"
		"      --keeper SOCKET    run as the keeper (started by the daemon itself)\n"
		"  -m, --metrics ADDR     Prometheus text exposition over HTTP on ADDR:\n"
		"                         tcp:PORT (127.0.0.1), tcp:IP:PORT, tcp:[IPv6]:PORT,\n"
		"                         unix:PATH or PATH (a Unix socket, mode 0600)\n"
		"  -w, --workers N        threads for calls that may block (files, connect,\n"
		"                         mount): at most N, default 4 per CPU up to %u;\n"
		"                         0: every call on the main thread\n"
		"      --worker-idle S    an idle worker exits after S seconds (default %u)\n"
		"      --conn-timeout MS  an agent connection must deliver its message\n"
		"                         within MS milliseconds (default %u)\n"
		"  -f, --foreground       run in the foreground (always the case)\n"
		"  -h, --help             this text\n"
		"  -V, --version          print the version\n"
		"\n"
		"At least one of --policy-dir and --policy is needed.\n",
		SENTRY_KEEPER_LINGER_MS / 1000, SENTRY_WORKERS_MAX, SENTRY_WORKER_IDLE_MS / 1000, SENTRY_CONN_TIMEOUT_MS);
}

/* A decimal option value within [min, max], or a message naming the option. */
static bool option_number(const char *name, const char *arg, unsigned long min,
			  unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || v < min || v > max) {
		fprintf(stderr, "usersentry: --%s: \"%s\" is not a number from %lu to %lu\n",
			name, arg, min, max);
		return false;
	}
	*out = v;
	return true;
}

enum { POLL_SIGNAL, POLL_LISTEN, POLL_SESSION, POLL_METRICS, POLL_CONTROL, POLL_CUSTODY,
       POLL_FIXED };

static int poll_timeout(struct sentry *s)
{
	struct sentry_sandbox *sb;

	if (s->conns || s->ctl_conns)
		return 500;
	/* a kick can land just before the worker blocks: kick again */
	if (sentry_pool_stuck())
		return 1000;
	/* module mode: adopted sandboxes end and refused adoptions retry on a timer */
	if (s->mode == REDIRECT_MODE_MODULE)
		return SENTRY_RECONCILE_MS;
	(void)sb;
	return -1;
}

static void handle_signal(struct sentry *s)
{
	struct signalfd_siginfo si;

	while (read(s->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct sentry_reload_result r;

			sentry_log("signal %u: reloading policies", si.ssi_signo);
			sentry_reload(s, &r);
			continue;
		}
		sentry_log("signal %u: shutting down", si.ssi_signo);
		s->stop = true;
	}
}

static int run(struct sentry *s)
{
	struct pollfd *pfds = NULL;
	void **owners = NULL;
	size_t cap = 0;
	struct timespec last_reconcile;

	clock_gettime(CLOCK_MONOTONIC, &last_reconcile);
	while (!s->stop) {
		struct sentry_sandbox *sb;
		struct sentry_ctl_conn *cc;
		struct sentry_conn *c;
		struct timespec now;
		size_t n = POLL_FIXED, n_conns, n_ctl, i;
		int ret;

		clock_gettime(CLOCK_MONOTONIC, &now);
		sentry_conn_expire(s, &now);
		sentry_control_expire(s, &now);
		if (s->mode == REDIRECT_MODE_MODULE &&
		    (now.tv_sec - last_reconcile.tv_sec) * 1000 +
		    (now.tv_nsec - last_reconcile.tv_nsec) / 1000000 >= SENTRY_RECONCILE_MS) {
			last_reconcile = now;
			sentry_reconcile(s);
		}

		for (c = s->conns; c; c = c->next)
			n++;
		n_conns = n - POLL_FIXED;
		for (cc = s->ctl_conns; cc; cc = cc->next)
			n++;
		n_ctl = n - POLL_FIXED - n_conns;
		for (sb = s->sandboxes; sb; sb = sb->next)
			n++;
		if (n > cap) {
			struct pollfd *np = realloc(pfds, n * sizeof(*pfds));
			void **no;

			if (!np)
				return -ENOMEM;
			pfds = np;
			no = realloc(owners, n * sizeof(*owners));
			if (!no)
				return -ENOMEM;
			owners = no;
			cap = n;
		}
		pfds[POLL_SIGNAL] = (struct pollfd){ .fd = s->signal_fd, .events = POLLIN };
		pfds[POLL_LISTEN] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
		pfds[POLL_SESSION] = (struct pollfd){ .fd = redirect_session_fd(s->session),
						      .events = POLLIN };
		pfds[POLL_METRICS] = (struct pollfd){ .fd = s->metrics_fd, .events = POLLIN };
		pfds[POLL_CONTROL] = (struct pollfd){ .fd = s->control_fd, .events = POLLIN };
		pfds[POLL_CUSTODY] = (struct pollfd){ .fd = s->keeper_fd, .events = POLLIN };
		i = POLL_FIXED;
		for (c = s->conns; c; c = c->next, i++) {
			pfds[i] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
			owners[i] = c;
		}
		for (cc = s->ctl_conns; cc; cc = cc->next, i++) {
			pfds[i] = (struct pollfd){ .fd = cc->fd, .events = sentry_control_events(cc) };
			owners[i] = cc;
		}
		/* our listener copies: only hang-up matters, the session takes requests */
		for (sb = s->sandboxes; sb; sb = sb->next, i++) {
			pfds[i] = (struct pollfd){ .fd = sb->listener, .events = 0 };
			owners[i] = sb;
		}

		sentry_pool_kick(NULL);
		sentry_watchdog_kick();
		ret = poll(pfds, n, sentry_watchdog_timeout(poll_timeout(s)));
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			sentry_log("poll: %s", strerror(errno));
			free(pfds);
			free(owners);
			return -errno;
		}
		if (pfds[POLL_SIGNAL].revents & POLLIN) {
			handle_signal(s);
			if (s->stop)
				break;
		}
		/* requests first: a hang-up below must not lose a pending answer */
		if (pfds[POLL_SESSION].revents) {
			sentry_serve(s);
			sentry_audit_flush();
		}
		/* each entry's object is touched once, so freeing it there is safe */
		for (i = POLL_FIXED; i < n; i++) {
			if (!pfds[i].revents)
				continue;
			if (i < POLL_FIXED + n_conns)
				sentry_conn_event(s, owners[i], pfds[i].revents);
			else if (i < POLL_FIXED + n_conns + n_ctl)
				sentry_control_event(s, owners[i], pfds[i].revents);
			else
				sentry_sandbox_event(s, owners[i], pfds[i].revents);
		}
		if (pfds[POLL_LISTEN].revents & POLLIN)
			sentry_server_accept(s);
		if (pfds[POLL_METRICS].revents & POLLIN)
			sentry_metrics_event(s);
		if (pfds[POLL_CONTROL].revents & POLLIN)
			sentry_control_accept(s);
		if (pfds[POLL_CUSTODY].revents)
			sentry_custody_event(s, pfds[POLL_CUSTODY].revents);
	}
	free(pfds);
	free(owners);
	return 0;
}

static void notice(void *ctx, const char *msg)
{
	sentry_log("%s", msg);
}

static int setup_signals(struct sentry *s)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	s->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return s->signal_fd < 0 ? -errno : 0;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'c' },
		{ "policy-dir", required_argument, NULL, 'd' },
		{ "policy", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-level", required_argument, NULL, 'E' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "audit", required_argument, NULL, 'a' },
		{ "audit-max-bytes", required_argument, NULL, 'B' },
		{ "audit-rate", required_argument, NULL, 'R' },
		{ "portable", no_argument, NULL, 'P' },
		{ "custody", required_argument, NULL, 'K' },
		{ "keeper-linger", required_argument, NULL, 'L' },
		{ "keeper", required_argument, NULL, 'k' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "workers", required_argument, NULL, 'w' },
		{ "worker-idle", required_argument, NULL, 'I' },
		{ "conn-timeout", required_argument, NULL, 'C' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sentry s = { .listen_fd = -1, .signal_fd = -1, .metrics_fd = -1, .control_fd = -1,
			    .keeper_fd = -1 };
	const char *keeper_socket = NULL;
	struct redirect_error *e = NULL;
	enum redirect_mode mode;
	char state_dir[4096], control_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	unsigned int left;
	struct stat st;
	long ncpu;
	unsigned long v;
	int opt, ret;

	s.cfg.socket_path = REDIRECT_AGENT_SOCKET;
	s.cfg.audit_max_bytes = 64UL << 20;
	s.cfg.audit_rate = 1000;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	s.cfg.workers = ncpu > 0 && ncpu < SENTRY_WORKERS_MAX / 4 ? 4 * (unsigned int)ncpu
								  : SENTRY_WORKERS_MAX;
	s.cfg.worker_idle_ms = SENTRY_WORKER_IDLE_MS;
	s.cfg.conn_timeout_ms = SENTRY_CONN_TIMEOUT_MS;
	s.cfg.keeper_linger_ms = SENTRY_KEEPER_LINGER_MS;
	s.cfg.custody = SENTRY_CUSTODY_AUTO;
	while ((opt = getopt_long(argc, argv, "s:c:d:p:l:a:m:w:fhV", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			s.cfg.socket_path = optarg;
			break;
		case 'c':
			if (!*optarg) {
				fprintf(stderr, "usersentry: --control: empty path\n");
				return 2;
			}
			s.cfg.control_path = optarg;
			break;
		case 'd':
			s.cfg.policy_dir = optarg;
			break;
		case 'p':
			s.cfg.policy_file = optarg;
			break;
		case 'l':
			s.cfg.log_path = optarg;
			break;
		case 'E':
			if (sentry_log_level_parse(optarg, &sentry_log_level) < 0) {
				fprintf(stderr,
					"usersentry: --log-level: \"%s\" is not info or calls\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			s.cfg.state_dir = optarg;
			break;
		case 'a':
			s.cfg.audit_path = optarg;
			break;
		case 'B':
			if (!option_number("audit-max-bytes", optarg, 0, ULONG_MAX, &v))
				return 2;
			s.cfg.audit_max_bytes = v;
			break;
		case 'R':
			if (!option_number("audit-rate", optarg, 0, UINT_MAX, &v))
				return 2;
			s.cfg.audit_rate = (unsigned int)v;
			break;
		case 'm':
			s.cfg.metrics_path = optarg;
			break;
		case 'w':
			if (!option_number("workers", optarg, 0, SENTRY_WORKERS_MAX, &v))
				return 2;
			s.cfg.workers = (unsigned int)v;
			break;
		case 'I':
			if (!option_number("worker-idle", optarg, 0, 3600, &v))
				return 2;
			s.cfg.worker_idle_ms = v ? (unsigned int)v * 1000 : 100;
			break;
		case 'C':
			if (!option_number("conn-timeout", optarg, 10, 600000, &v))
				return 2;
			s.cfg.conn_timeout_ms = (unsigned int)v;
			break;
		case 'P':
			s.cfg.session_flags = REDIRECT_SESSION_PORTABLE;
			break;
		case 'K':
			if (sentry_custody_parse(optarg, &s.cfg.custody) < 0) {
				fprintf(stderr, "usersentry: --custody: \"%s\" is not one of auto, "
					"fdstore, keeper, none\n", optarg);
				return 2;
			}
			break;
		case 'L':
			if (!option_number("keeper-linger", optarg, 0, 86400, &v))
				return 2;
			s.cfg.keeper_linger_ms = (unsigned int)v * 1000;
			break;
		case 'k':
			keeper_socket = optarg;
			break;
		case 'f':
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("usersentry %s\n", redirect_version());
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "usersentry: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	/*
	 * Every sandbox holds a listener (and a root handle), every call in
	 * flight a few more: the soft limit (1024 under systemd) goes up to the
	 * hard one. poll() only, no select(), so no FD_SETSIZE bound here.
	 */
	raise_nofile();
	if (keeper_socket) {
		if (s.cfg.log_path && sentry_log_open(s.cfg.log_path, &e) < 0) {
			fprintf(stderr, "usersentry: %s\n", e->msg);
			redirect_error_free(e);
			return 1;
		}
		return sentry_keeper_main(keeper_socket, s.cfg.keeper_linger_ms);
	}
	if (!s.cfg.policy_dir && !s.cfg.policy_file) {
		fprintf(stderr, "usersentry: need --policy-dir or --policy\n");
		usage(stderr);
		return 2;
	}
	errno = 0;
	if (s.cfg.policy_dir && (stat(s.cfg.policy_dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "usersentry: policy directory %s: %s\n", s.cfg.policy_dir,
			errno ? strerror(errno) : "not a directory");
		return 1;
	}
	if (s.cfg.log_path && sentry_log_open(s.cfg.log_path, &e) < 0)
		goto fail;
	if (s.cfg.policy_file &&
	    redirect_policy_load_file(s.cfg.policy_file, &s.default_policy, &e) < 0)
		goto fail;
	if (s.default_policy) {
		s.default_pol = sentry_policy_hold(&s, s.default_policy, true);
		if (!s.default_pol) {
			redirect_error_set(&e, ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (s.cfg.audit_path && sentry_audit_open(s.cfg.audit_path, s.cfg.audit_max_bytes,
						  s.cfg.audit_rate, &e) < 0)
		goto fail;
	if (!s.cfg.state_dir) {
		const char *slash = strrchr(s.cfg.socket_path, '/');
		int len = slash ? (int)(slash - s.cfg.socket_path) : 1;

		snprintf(state_dir, sizeof(state_dir), "%.*s/usersentry-state", len,
			 slash ? s.cfg.socket_path : ".");
		s.cfg.state_dir = state_dir;
	}
	if (!s.cfg.control_path) {
		if (redirect_control_path(s.cfg.socket_path, control_path, sizeof(control_path),
					  &e) < 0)
			goto fail;
		s.cfg.control_path = control_path;
	}
	redirect_set_notice_fn(notice, NULL);
	/* a live daemon on the socket: stop before taking custody or a session */
	if (sentry_check_existing(s.cfg.socket_path, &e) < 0)
		goto fail;
	if (redirect_session_open(s.cfg.session_flags, &s.session, &e) < 0)
		goto fail;
	mode = s.mode = redirect_session_mode(s.session);
	/* before any thread: the keeper is forked off */
	if (sentry_custody_open(&s, &e) < 0)
		goto fail;
	if (redirect_notif_buf_new(&s.notif, &e) < 0)
		goto fail;
	ret = setup_signals(&s);
	if (ret < 0) {
		redirect_error_set(&e, -ret, "signals: %s", strerror(-ret));
		goto fail;
	}
	/*
	 * The agent socket appears last: once a client (or a test counting
	 * the daemon's fds) sees it, everything the daemon keeps open exists.
	 */
	sentry_uname_init();
	if (s.cfg.metrics_path && sentry_metrics_open(&s, &e) < 0)
		goto fail;
	if (sentry_control_open(&s, &e) < 0)
		goto fail;
	if (sentry_server_open(&s, &e) < 0)
		goto fail;
	/* after the signal mask: workers inherit it, signalfd alone takes those signals */
	sentry_pool_init(s.cfg.workers, s.cfg.worker_idle_ms);

	sentry_log("usersentry %s: %s%s; listening on %s; control on %s; policy dir %s; "
		   "default policy %s", redirect_version(), redirect_mode_name(mode),
		   mode == REDIRECT_MODE_PORTABLE ? " (no /dev/redirect session)"
						  : " (/dev/redirect: tier 1, broker, custody)",
		   s.cfg.socket_path, s.cfg.control_path, s.cfg.policy_dir ? s.cfg.policy_dir : "none",
		   s.default_policy ? redirect_policy_name(s.default_policy) : "none");
	sentry_log("workers: up to %u, idle exit after %u ms", s.cfg.workers,
		   s.cfg.worker_idle_ms);
	/* a restart: take back what the last daemon held, replayed calls first */
	sentry_adopt_all(&s);
	sentry_custody_adopt(&s);
	sentry_serve(&s);
	sentry_audit_flush();

	ret = sentry_sd_notify("READY=1");
	if (ret < 0)
		sentry_log("NOTIFY_SOCKET: cannot tell systemd we are ready: %s", strerror(-ret));
	{
		int64_t wd_ms = sentry_watchdog_init();

		if (wd_ms)
			sentry_log("watchdog: WATCHDOG=1 every %lld ms", (long long)wd_ms);
	}

	ret = run(&s);
	sentry_sd_notify("STOPPING=1");

	sentry_server_close(&s);
	sentry_control_close(&s);
	sentry_metrics_close(&s);
	/* calls in workers finish; what does not in time stays with the module */
	left = sentry_pool_stop(SENTRY_DRAIN_MS);
	if (left) {
		/* they still use the session and the log: leave it all to exit() */
		sentry_audit_flush();
		sentry_log("usersentry stopped: %u calls still in workers, left unanswered%s",
			   left, mode == REDIRECT_MODE_MODULE ? " (the module keeps them)" : "");
		return ret < 0 ? 1 : 0;
	}
	/* the sandboxes stay in custody (module, fd store or keeper), their state files stay */
	while (s.sandboxes) {
		struct sentry_sandbox *sb = s.sandboxes;

		s.sandboxes = sb->next;
		sentry_log("sandbox=%s released: daemon stopping (calls=%lu)", sb->id, sb->calls);
		sentry_sandbox_put(sb);
	}
	redirect_session_free(s.session);
	sentry_custody_close(&s);
	sentry_audit_close();
	redirect_notif_buf_free(s.notif);
	sentry_policy_put(s.default_pol);
	close(s.signal_fd);
	sentry_log("usersentry stopped");
	return ret < 0 ? 1 : 0;
fail:
	sentry_log("usersentry: %s", e ? e->msg : "failed");
	if (s.cfg.log_path)
		fprintf(stderr, "usersentry: %s\n", e ? e->msg : "failed");
	redirect_error_free(e);
	sentry_server_close(&s);
	sentry_control_close(&s);
	sentry_metrics_close(&s);
	redirect_session_free(s.session);
	redirect_notif_buf_free(s.notif);
	if (s.default_pol)
		sentry_policy_put(s.default_pol);
	else
		redirect_policy_free(s.default_policy);
	return 1;
}
