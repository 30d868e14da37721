// SPDX-License-Identifier: GPL-2.0
/*
 * Argument-swap races, the sandboxed side: one thread flips an argument in
 * memory between an allowed and a denied value as fast as it can while the
 * main thread makes the call with it in a loop. A call that reaches the
 * denied target is a leak: the Sentry decided on one copy of the argument
 * and the kernel acted on another.
 *
 *   swap_target open ALLOWED DENIED ITERATIONS SECONDS
 *	openat(AT_FDCWD, path, O_RDONLY) while path flips between two paths of
 *	the same length; each file's first line names it ("allowed", "denied").
 *   swap_target connect PORT_ALLOWED PORT_DENIED ITERATIONS SECONDS
 *	connect() to 127.0.0.1 while the sockaddr's port flips; the peer's
 *	port (getpeername) tells where the connection went.
 *   swap_target listen PORT_A PORT_B SECONDS
 *	(not sandboxed) accept and close connections on both ports.
 *   swap_target getxattr ALLOWED DENIED ITERATIONS SECONDS
 *	getxattr(path, "user.id") while the path flips; each file's user.id
 *	names it (DENIED hidden: ENOENT).
 *   swap_target setxattr|utimes ALLOWED DENIED ITERATIONS SECONDS
 *	setxattr(path, "user.swapped") or utimes(path, 1 s) (syscall(2)) while
 *	the path flips (DENIED read-only: EROFS); leaked: DENIED got the
 *	attribute or the time by the end.
 *   swap_target exec ALLOWED DENIED ITERATIONS SECONDS
 *	each iteration a child starts its own flipper thread and execve()s the
 *	path; ALLOWED exits 0 (a copy of true), DENIED 1 (of false), hidden:
 *	ENOENT; leaked: a child exited 1.
 *   swap_target execseq FAILING PROGRAM [fd]
 *	(no race) execve(FAILING), which must fail with EACCES, then in the
 *	same process execve(PROGRAM), or with "fd" fexecve() of it (execveat
 *	with AT_EMPTY_PATH): PROGRAM's exit status, 120 + n when step n failed.
 *
 * Stops after ITERATIONS calls or SECONDS, whichever comes first. Prints
 * "iterations=N allowed=N refused=N other=N leaked=N raced=N flips=N", where
 * raced counts calls during which the argument changed at least once.
 * Exit status: 1 if anything leaked, 0 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define PATH_MAX_LEN 256

static char path_buf[2][PATH_MAX_LEN];	/* [0] allowed, [1] denied */
static char path_arg[PATH_MAX_LEN];
static struct sockaddr_in addr_arg;
static in_port_t port_val[2];
static atomic_ulong *flipsp; /* shared with the exec children */
#define flips (*flipsp)
static atomic_int stop;
enum { SWAP_OPEN, SWAP_CONNECT, SWAP_GETXATTR, SWAP_SETXATTR, SWAP_UTIMES, SWAP_EXEC };
static int kind;
static size_t path_len;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Paths are written byte by byte (torn mixtures name no file); the port is
 * one 16-bit store. Each write is a volatile store, so the compiler keeps
 * every one of them.
 */
static void *flipper(void *unused)
{
	volatile char *p = path_arg;
	volatile in_port_t *port = &addr_arg.sin_port;
	unsigned long k;
	size_t i;

	(void)unused;
	for (k = 0; !atomic_load_explicit(&stop, memory_order_relaxed); k++) {
		if (kind == SWAP_CONNECT) {
			*port = port_val[k & 1];
		} else {
			for (i = 0; i < path_len; i++)
				p[i] = path_buf[k & 1][i];
		}
		atomic_store_explicit(&flips, k + 1, memory_order_relaxed);
	}
	return NULL;
}

struct counts {
	unsigned long iterations, allowed, refused, other, leaked, raced;
	int first_other;
};

static void one_open(struct counts *c)
{
	char buf[16] = "";
	int fd = openat(AT_FDCWD, path_arg, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		if (errno == ENOENT)
			c->refused++;
		else if (!c->other++)
			c->first_other = errno;
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (!strncmp(buf, "denied", 6))
		c->leaked++;
	else if (!strncmp(buf, "allowed", 7))
		c->allowed++;
	else if (!c->other++)
		c->first_other = -1;
}

static void one_connect(struct counts *c)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		if (!c->other++)
			c->first_other = errno;
		return;
	}
	if (connect(fd, (struct sockaddr *)&addr_arg, sizeof(addr_arg))) {
		/* The policy's denyErrno; both ports are listened on. */
		if (errno == EACCES || errno == EPERM)
			c->refused++;
		else if (!c->other++)
			c->first_other = errno;
	} else if (getpeername(fd, (struct sockaddr *)&peer, &len)) {
		if (!c->other++)
			c->first_other = errno;
	} else if (peer.sin_port == port_val[1]) {
		c->leaked++;
	} else if (peer.sin_port == port_val[0]) {
		c->allowed++;
	} else if (!c->other++) {
		c->first_other = -1;
	}
	close(fd);
}

/* getxattr, setxattr, utimes: 0 is allowed (or, for getxattr, the value says which file) */
static void one_path_call(struct counts *c)
{
	struct timeval tv[2] = { { 1, 0 }, { 1, 0 } };
	char buf[16] = "";
	long r;

	if (kind == SWAP_GETXATTR)
		r = getxattr(path_arg, "user.id", buf, sizeof(buf) - 1);
	else if (kind == SWAP_SETXATTR)
		r = setxattr(path_arg, "user.swapped", "1", 1, 0);
	else
		r = syscall(SYS_utimes, path_arg, tv);
	if (r < 0) {
		if (errno == ENOENT || errno == EROFS)
			c->refused++;
		else if (!c->other++)
			c->first_other = errno;
	} else if (kind == SWAP_GETXATTR && !strcmp(buf, "denied")) {
		c->leaked++;
	} else if (kind != SWAP_GETXATTR || !strcmp(buf, "allowed")) {
		c->allowed++;
	} else if (!c->other++) {
		c->first_other = -1;
	}
}

/*
 * A child flips the path in its own thread (fork copies no threads) while
 * it execs; the parent reads the outcome from the exit status.
 */
static void one_exec(struct counts *c)
{
	char *argv[] = { path_arg, NULL };
	pthread_t thr;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		if (!c->other++)
			c->first_other = errno;
		return;
	}
	if (!pid) {
		atomic_store(&flips, 0);
		if (pthread_create(&thr, NULL, flipper, NULL))
			_exit(4);
		/* a few flips first, so the check and the exec see a moving string */
		while (atomic_load_explicit(&flips, memory_order_relaxed) < 2)
			;
		execve(path_arg, argv, environ);
		_exit(errno == ENOENT ? 3 : 4);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		if (!c->other++)
			c->first_other = -1;
		return;
	}
	switch (WEXITSTATUS(status)) {
	case 0:
		c->allowed++;
		break;
	case 1:
		c->leaked++;
		break;
	case 3:
		c->refused++;
		break;
	default:
		if (!c->other++)
			c->first_other = -1;
	}
}

/* execseq: a checked exec the kernel fails leaves nothing that refuses the next. */
static int exec_sequence(const char *failing, const char *program, bool by_fd)
{
	char *argv[] = { (char *)program, NULL };
	int fd;

	execve(failing, argv, environ);
	if (errno != EACCES) {
		perror("swap_target: execve of the failing file");
		return 121;
	}
	if (!by_fd) {
		execve(program, argv, environ);
		perror("swap_target: execve after a failed one");
		return 122;
	}
	fd = open(program, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("swap_target: open");
		return 123;
	}
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	perror("swap_target: fexecve after a failed execve");
	return 124;
}

/* setxattr, utimes: did the read-only file change after all? */
static unsigned long denied_changed(void)
{
	struct stat st;
	char v;

	if (kind == SWAP_SETXATTR)
		return getxattr(path_buf[1], "user.swapped", &v, 1) >= 0;
	if (kind == SWAP_UTIMES)
		return stat(path_buf[1], &st) == 0 && st.st_mtime == 1;
	return 0;
}

static int race(unsigned long iterations, double seconds)
{
	double end = now() + seconds;
	struct counts c = {};
	pthread_t thr;

	/* exec: each child flips on its own */
	if (kind == SWAP_EXEC) {
		/* keeps the flipper's loop condition false in the parent */
	} else if (pthread_create(&thr, NULL, flipper, NULL)) {
		perror("pthread_create");
		return 2;
	}
	while (c.iterations < iterations && !((c.iterations & 255) == 0 && now() > end)) {
		unsigned long before = atomic_load(&flips);

		if (kind == SWAP_CONNECT)
			one_connect(&c);
		else if (kind == SWAP_EXEC)
			one_exec(&c);
		else if (kind == SWAP_OPEN)
			one_open(&c);
		else
			one_path_call(&c);
		c.raced += atomic_load(&flips) != before;
		c.iterations++;
	}
	atomic_store(&stop, 1);
	if (kind != SWAP_EXEC)
		pthread_join(thr, NULL);
	c.leaked += denied_changed();
	printf("iterations=%lu allowed=%lu refused=%lu other=%lu leaked=%lu raced=%lu flips=%lu\n",
	       c.iterations, c.allowed, c.refused, c.other, c.leaked, c.raced,
	       atomic_load(&flips));
	if (c.other)
		printf("first other result: %s\n",
		       c.first_other < 0 ? "unexpected content or peer" : strerror(c.first_other));
	return c.leaked ? 1 : 0;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4096)) {
		perror("listen");
		exit(2);
	}
	return fd;
}

/* Accept and close on two ports, so that connections never back up. */
static int serve(int port_a, int port_b, double seconds)
{
	struct pollfd p[2] = { { .fd = listen_on(port_a), .events = POLLIN },
			       { .fd = listen_on(port_b), .events = POLLIN } };
	double end = now() + seconds;
	int i, fd;

	printf("listening\n");
	fflush(stdout);
	while (now() < end) {
		if (poll(p, 2, 200) <= 0)
			continue;
		for (i = 0; i < 2; i++)
			while ((fd = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
				close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	flipsp = mmap(NULL, sizeof(*flipsp), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (flipsp == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "execseq"))
		return exec_sequence(argv[2], argv[3], argc == 5 && !strcmp(argv[4], "fd"));
	if (argc == 5 && !strcmp(argv[1], "listen"))
		return serve(atoi(argv[2]), atoi(argv[3]), atof(argv[4]));
	if (argc != 6)
		goto usage;
	kind = !strcmp(argv[1], "getxattr") ? SWAP_GETXATTR :
	       !strcmp(argv[1], "setxattr") ? SWAP_SETXATTR :
	       !strcmp(argv[1], "utimes")   ? SWAP_UTIMES :
	       !strcmp(argv[1], "exec")	    ? SWAP_EXEC :
					      SWAP_OPEN;
	if (!strcmp(argv[1], "open") || kind != SWAP_OPEN) {
		path_len = strlen(argv[2]) + 1;
		if (path_len != strlen(argv[3]) + 1 || path_len > PATH_MAX_LEN) {
			fprintf(stderr, "swap_target: the paths must have the same length\n");
			return 2;
		}
		memcpy(path_buf[0], argv[2], path_len);
		memcpy(path_buf[1], argv[3], path_len);
		memcpy(path_arg, argv[2], path_len);
	} else if (!strcmp(argv[1], "connect")) {
		kind = SWAP_CONNECT;
		port_val[0] = htons(atoi(argv[2]));
		port_val[1] = htons(atoi(argv[3]));
		addr_arg.sin_family = AF_INET;
		addr_arg.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		addr_arg.sin_port = port_val[0];
	} else {
		goto usage;
	}
	return race(strtoul(argv[4], NULL, 0), atof(argv[5]));
usage:
	fprintf(stderr, "usage: swap_target open ALLOWED DENIED ITERATIONS SECONDS\n"
			"       swap_target connect PORT_ALLOWED PORT_DENIED ITERATIONS SECONDS\n"
			"       swap_target listen PORT_A PORT_B SECONDS\n"
			"       swap_target getxattr|setxattr|utimes|exec ALLOWED DENIED "
			"ITERATIONS SECONDS\n"
			"       swap_target execseq FAILING PROGRAM [fd]\n");
	return 2;
}
