// SPDX-License-Identifier: GPL-2.0
/* Custody in portable mode: listeners kept by systemd's fd store or our keeper, taken back after a restart. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sentry.h"

/*
 * In portable mode the daemon itself holds each sandbox's seccomp listener:
 * when the last copy closes, the kernel answers every pending and future
 * notified call with ENOSYS. So a copy of each listener is kept outside the
 * daemon, under a key that names the sandbox's state file (state_dir/<key>:
 * its container id, policy and pid):
 *
 *   fdstore  systemd's file-descriptor store (FDSTORE=1, FDNAME=<key>); on
 *            restart the fds come back as LISTEN_FDS/LISTEN_FDNAMES.
 *   keeper   our own tiny process (keeper.c), spawned at start in a session
 *            of its own, on state_dir/keeper.sock.
 *
 * A restarted daemon attaches every listener handed back to a new session,
 * so calls queued while it was away are read and answered. A call the dead
 * daemon had already read but not answered is no longer queued: the tasks
 * of an adopted sandbox that wait in such a call are stopped and continued
 * (kick_tree), which makes the kernel restart the call, and notify it again.
 */

static const char *custody_name(enum sentry_custody kind)
{
	switch (kind) {
	case SENTRY_CUSTODY_FDSTORE:
		return "systemd fd store";
	case SENTRY_CUSTODY_KEEPER:
		return "keeper";
	default:
		return "none";
	}
}

int sentry_custody_parse(const char *arg, enum sentry_custody *kind)
{
	static const char *const names[] = {
		[SENTRY_CUSTODY_AUTO] = "auto", [SENTRY_CUSTODY_NONE] = "none",
		[SENTRY_CUSTODY_FDSTORE] = "fdstore", [SENTRY_CUSTODY_KEEPER] = "keeper",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(arg, names[i])) {
			*kind = (enum sentry_custody)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- the keeper: found or started ----------------------------------------------------------- */

/*
 * The keeper runs as this very binary (--keeper), in a session of its own
 * and reparented, so that neither a signal to our process group nor our
 * death reaches it; it inherits no fd but stdio.
 */
static int keeper_spawn(struct sentry *s, const char *path)
{
	char linger[16];
	pid_t pid;
	int st;

	snprintf(linger, sizeof(linger), "%u", s->cfg.keeper_linger_ms / 1000);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (setsid() < 0)
			_exit(126);
		if (fork() != 0)
			_exit(0);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		close_range(3, ~0U, 0);
		if (s->cfg.log_path)
			execl("/proc/self/exe", "usersentry", "--keeper", path, "--keeper-linger",
			      linger, "--log", s->cfg.log_path, (char *)NULL);
		else
			execl("/proc/self/exe", "usersentry", "--keeper", path, "--keeper-linger",
			      linger, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

static void keeper_path(const struct sentry *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s/keeper.sock", s->cfg.state_dir);
}

/* Connect to the keeper, starting one when none answers. */
static int keeper_open(struct sentry *s, struct redirect_error **err)
{
	char path[4096];
	int fd, i, ret;

	keeper_path(s, path, sizeof(path));
	if (mkdir(s->cfg.state_dir, 0700) < 0 && errno != EEXIST)
		return redirect_error_set(err, errno, "custody: state directory %s: %s",
					  s->cfg.state_dir, strerror(errno));
	fd = sentry_keeper_connect(path);
	if (fd >= 0)
		return fd;
	ret = keeper_spawn(s, path);
	if (ret < 0)
		return redirect_error_set(err, -ret, "custody: cannot start the keeper: %s",
					  strerror(-ret));
	/* it binds within milliseconds; a loaded machine gets 10 s */
	for (i = 0; i < 200; i++) {
		fd = sentry_keeper_connect(path);
		if (fd >= 0)
			return fd;
		usleep(50000);
	}
	return redirect_error_set(err, -fd, "custody: keeper on %s: %s", path, strerror(-fd));
}

int sentry_custody_open(struct sentry *s, struct redirect_error **err)
{
	enum sentry_custody kind = s->cfg.custody;
	int fd;

	s->keeper_fd = -1;
	s->custody = SENTRY_CUSTODY_NONE;
	if (s->mode != REDIRECT_MODE_PORTABLE || kind == SENTRY_CUSTODY_NONE) {
		if (s->mode == REDIRECT_MODE_PORTABLE)
			sentry_log("custody: none: a restart of the daemon ends every sandbox's "
				   "notified calls (ENOSYS)");
		return 0;
	}
	if (kind == SENTRY_CUSTODY_AUTO)
		kind = sentry_sd_notify_present() ? SENTRY_CUSTODY_FDSTORE : SENTRY_CUSTODY_KEEPER;
	if (kind == SENTRY_CUSTODY_FDSTORE && !sentry_sd_notify_present())
		return redirect_error_set(err, EINVAL, "custody: fdstore needs systemd "
					  "($NOTIFY_SOCKET is not set)");
	if (kind == SENTRY_CUSTODY_KEEPER) {
		fd = keeper_open(s, err);
		if (fd < 0)
			return fd;
		s->keeper_fd = fd;
	}
	s->custody = kind;
	sentry_log("custody: %s keeps the listeners across restarts", custody_name(kind));
	return 0;
}

void sentry_custody_close(struct sentry *s)
{
	/* the keeper holds on: a daemon started later takes them back */
	if (s->keeper_fd >= 0)
		close(s->keeper_fd);
	s->keeper_fd = -1;
}

/* ---- holding and releasing --------------------------------------------------------------- */

void sentry_custody_key_new(char key[SENTRY_KEY_MAX])
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
	}
	/* a letter first: module-mode state files are numbers */
	snprintf(key, SENTRY_KEY_MAX, "p%016llx", (unsigned long long)r);
}

static int hold_fd(struct sentry *s, const char *key, int fd)
{
	char msg[64];

	if (s->custody == SENTRY_CUSTODY_FDSTORE) {
		snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", key);
		return sentry_sd_notify_fd(msg, fd);
	}
	if (s->custody == SENTRY_CUSTODY_KEEPER && s->keeper_fd >= 0)
		return sentry_keeper_send(s->keeper_fd, "HOLD", key, fd);
	return 0;
}

static void release_key(struct sentry *s, const char *key)
{
	char msg[64];

	if (s->custody == SENTRY_CUSTODY_FDSTORE) {
		snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=%s", key);
		sentry_sd_notify(msg);
	} else if (s->custody == SENTRY_CUSTODY_KEEPER && s->keeper_fd >= 0) {
		sentry_keeper_send(s->keeper_fd, "DROP", key, -1);
	}
}

void sentry_custody_hold(struct sentry *s, struct sentry_sandbox *sb)
{
	int ret;

	if (s->custody == SENTRY_CUSTODY_NONE || sb->listener < 0)
		return;
	ret = hold_fd(s, sb->custody_key, sb->listener);
	if (ret < 0)
		sentry_log("sandbox=%s: custody (%s): %s; a restart of the daemon loses it",
			   sb->id, custody_name(s->custody), strerror(-ret));
}

void sentry_custody_release(struct sentry *s, struct sentry_sandbox *sb)
{
	if (s->custody != SENTRY_CUSTODY_NONE && sb->custody_key[0])
		release_key(s, sb->custody_key);
}

/* The keeper hung up (killed?): a new one, and every listener to it again. */
void sentry_custody_event(struct sentry *s, short revents)
{
	struct redirect_error *e = NULL;
	struct sentry_sandbox *sb;
	char line[64];
	int fd, kfd, ret;

	if (s->keeper_fd < 0 || !revents)
		return;
	if (!(revents & (POLLHUP | POLLERR))) {
		/* nothing is due from the keeper once it has handed over */
		ret = sentry_keeper_recv(s->keeper_fd, line, &fd);
		if (fd >= 0)
			close(fd);
		if (ret != 0)
			return;
	}
	close(s->keeper_fd);
	s->keeper_fd = -1;
	sentry_log("custody: the keeper is gone; starting another");
	fd = keeper_open(s, &e);
	if (fd < 0) {
		sentry_log("%s; a restart of the daemon loses every sandbox", e->msg);
		redirect_error_free(e);
		return;
	}
	s->keeper_fd = fd;
	/* a new keeper hands over nothing; a surviving one what it has (kept as is) */
	for (;;) {
		ret = sentry_keeper_recv(fd, line, &kfd);
		if (kfd >= 0)
			close(kfd);
		if (ret <= 0 || !strcmp(line, "END"))
			break;
	}
	for (sb = s->sandboxes; sb; sb = sb->next)
		sentry_custody_hold(s, sb);
}

/* ---- after a restart: adoption ---------------------------------------------------------- */

struct handed {
	char key[SENTRY_KEY_MAX];
	int fd;
};

/* What the keeper hands over on connect; *np entries, -errno. */
static int keeper_collect(struct sentry *s, struct handed **hp, size_t *np)
{
	struct pollfd p = { .fd = s->keeper_fd, .events = POLLIN };
	char line[64];
	size_t cap = 0;
	int fd, ret;

	for (;;) {
		ret = poll(&p, 1, 10000);
		if (ret <= 0)
			return ret < 0 ? -errno : -ETIMEDOUT;
		ret = sentry_keeper_recv(s->keeper_fd, line, &fd);
		if (ret <= 0)
			return ret < 0 ? ret : -ECONNRESET;
		if (!strcmp(line, "END") && fd < 0)
			return 0;
		if (strncmp(line, "HELD ", 5) || fd < 0 || !sentry_custody_key_valid(line + 5)) {
			if (fd >= 0)
				close(fd);
			return -EBADMSG;
		}
		if (*np == cap) {
			struct handed *h = realloc(*hp, (cap ? 2 * cap : 16) * sizeof(*h));

			if (!h) {
				close(fd);
				return -ENOMEM;
			}
			*hp = h;
			cap = cap ? 2 * cap : 16;
		}
		snprintf((*hp)[*np].key, SENTRY_KEY_MAX, "%.*s", SENTRY_KEY_MAX - 1, line + 5);
		(*hp)[(*np)++].fd = fd;
	}
}

/* What systemd passed us: its fd store, named by the keys. */
static int fdstore_collect(struct handed **hp, size_t *np)
{
	char **names = NULL;
	int n, i;

	n = sentry_sd_listen_fds(&names);
	if (n <= 0)
		return n;
	*hp = calloc((size_t)n, sizeof(**hp));
	for (i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;

		if (!*hp || strlen(names[i]) >= SENTRY_KEY_MAX) {
			/* not one of ours: back to systemd it does not go */
			if (*hp)
				sentry_log("custody: fd store entry \"%.40s\" is not ours: removed",
					   names[i]);
			close(fd);
			free(names[i]);
			continue;
		}
		snprintf((*hp)[*np].key, SENTRY_KEY_MAX, "%s", names[i]);
		(*hp)[(*np)++].fd = fd;
		free(names[i]);
	}
	free(names);
	return *hp ? 0 : -ENOMEM;
}

static bool hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = 0 };

	return poll(&p, 1, 0) == 1;
}

/* One listener handed back; false: it is dropped from custody. */
static bool adopt_one(struct sentry *s, const struct handed *h)
{
	char path[4096], policy_name[256], container[1024];
	struct redirect_policy *policy = NULL;
	struct redirect_error *e = NULL;
	struct sentry_sandbox *sb = NULL;
	bool owned = false;
	uint32_t old_id = 0;
	pid_t pid = 0;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", s->cfg.state_dir, h->key);
	if (!sentry_custody_key_valid(h->key) || redirect_listener_check(h->fd, NULL) < 0) {
		sentry_log("custody: \"%s\" is not a listener of ours: dropped", h->key);
		close(h->fd);
		return false;
	}
	ret = sentry_state_read(path, &old_id, policy_name, sizeof(policy_name), container,
				sizeof(container), &pid);
	if (ret < 0) {
		sentry_log("custody: listener %s without a state file (%s): dropped", h->key,
			   strerror(-ret));
		close(h->fd);
		return false;
	}
	if (hung_up(h->fd)) {
		sentry_log("sandbox=%s ended while no daemon ran", container);
		close(h->fd);
		unlink(path);
		return false;
	}
	sentry_adopted_policy(s, container, policy_name, &policy, &owned);
	ret = sentry_sandbox_start(s, container, policy_name, pid, h->fd, h->key, policy, owned,
				   &sb, &e);
	if (ret < 0) {
		sentry_log("sandbox=%s not adopted: %s", container, e ? e->msg : strerror(-ret));
		redirect_error_free(e);
		if (owned)
			redirect_policy_free(policy);
		return false;
	}
	sb->adopted = true;
	sentry_log("sandbox=%s adopted: id=%u pid=%d policy=%s (from the %s)", container,
		   sb->sandbox_id, (int)pid, policy ? redirect_policy_name(policy) : "none",
		   custody_name(s->custody));
	return true;
}

/* State files of portable sandboxes whose listener did not come back: lost. */
static void sweep_states(struct sentry *s)
{
	struct dirent *de;
	struct sentry_sandbox *sb;
	char path[4096];
	DIR *d;

	d = opendir(s->cfg.state_dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] != 'p' || !sentry_custody_key_valid(de->d_name))
			continue;
		for (sb = s->sandboxes; sb; sb = sb->next)
			if (!strcmp(sb->custody_key, de->d_name))
				break;
		if (sb)
			continue;
		sentry_log("custody: sandbox of state file %s was not handed back: lost",
			   de->d_name);
		snprintf(path, sizeof(path), "%s/%s", s->cfg.state_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

void sentry_custody_adopt(struct sentry *s)
{
	struct handed *h = NULL;
	struct sentry_sandbox *sb;
	size_t n = 0, i, adopted = 0;
	int ret = 0;

	if (s->mode != REDIRECT_MODE_PORTABLE)
		return;
	if (s->custody == SENTRY_CUSTODY_KEEPER)
		ret = keeper_collect(s, &h, &n);
	else if (s->custody == SENTRY_CUSTODY_FDSTORE)
		ret = fdstore_collect(&h, &n);
	if (ret < 0)
		sentry_log("custody: taking back the listeners: %s", strerror(-ret));
	for (i = 0; i < n; i++) {
		if (adopt_one(s, &h[i]))
			adopted++;
		else
			release_key(s, h[i].key);
	}
	free(h);
	if (n)
		sentry_log("custody: %zu of %zu sandboxes adopted", adopted, n);
	if (s->cfg.state_dir)
		sweep_states(s);
	/* calls the dead daemon read but did not answer: notified again */
	for (sb = s->sandboxes; sb; sb = sb->next)
		if (sb->adopted)
			sentry_kick_tree(sb->pid);
}
