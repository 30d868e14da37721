// SPDX-License-Identifier: GPL-2.0
/* A sandboxed target for usersentry's tests: threads of forwarded calls, tier-1 probes. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char *want_release, *stop_file;
static double run_for;
static atomic_ulong calls, failures;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
	double end = now() + run_for;
	struct utsname u;

	unsigned long i = 0;

	while (now() < end && !(stop_file && !(++i & 63) && access(stop_file, F_OK) == 0)) {
		memset(&u, 0x5a, sizeof(u));
		if (syscall(SYS_uname, &u) != 0 || strcmp(u.release, want_release)) {
			if (atomic_fetch_add(&failures, 1) < 5)
				fprintf(stderr, "uname: %s release=\"%.65s\"\n", strerror(errno),
					u.release);
		}
		atomic_fetch_add(&calls, 1);
	}
	return NULL;
}

/* threads N SECONDS RELEASE [STOPFILE]: every call must succeed with RELEASE */
static int threads(int n, double secs, const char *release)
{
	pthread_t t[64];
	int i;

	want_release = release;
	run_for = secs;
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker, NULL))
			return 2;
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("calls=%lu failures=%lu\n", calls, failures);
	return failures ? 1 : 0;
}

/*
 * mixed N ITERATIONS PATH CONTENT RELEASE [STOPFILE]: N threads each open
 * and read PATH (a call for a worker) and call uname (answered inline),
 * ITERATIONS times (0: until STOPFILE exists); every read must give CONTENT
 * and every uname RELEASE.
 */
static const char *mixed_path, *mixed_content;
static int mixed_iter;

static void *mixed_worker(void *arg)
{
	size_t want = strlen(mixed_content);
	struct utsname u;
	char buf[256];
	int i;

	for (i = 0; !mixed_iter || i < mixed_iter; i++) {
		ssize_t n;
		int fd, e;

		if (!mixed_iter && !(i & 15) && stop_file && access(stop_file, F_OK) == 0)
			break;
		fd = open(mixed_path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		e = errno;

		if (fd >= 0)
			close(fd);
		if (n != (ssize_t)want || memcmp(buf, mixed_content, want)) {
			if (atomic_fetch_add(&failures, 1) < 5)
				fprintf(stderr, "open/read %s: %s n=%zd\n", mixed_path,
					fd < 0 ? strerror(e) : "wrong content", n);
		}
		memset(&u, 0x5a, sizeof(u));
		if (syscall(SYS_uname, &u) != 0 || strcmp(u.release, want_release)) {
			if (atomic_fetch_add(&failures, 1) < 5)
				fprintf(stderr, "uname: release=\"%.65s\"\n", u.release);
		}
		atomic_fetch_add(&calls, 2);
	}
	return NULL;
}

static int mixed(int n, char **argv)
{
	pthread_t t[64];
	int i;

	mixed_iter = atoi(argv[0]);
	mixed_path = argv[1];
	mixed_content = argv[2];
	want_release = argv[3];
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, mixed_worker, NULL))
			return 2;
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("calls=%lu failures=%lu\n", calls, failures);
	return failures ? 1 : 0;
}

static int prio_errno(void)
{
	errno = 0;
	if (syscall(SYS_getpriority, PRIO_PROCESS, 0) == -1)
		return errno;
	return 0;
}

static const char *err_name(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "?";
}

/* An IPv4 or IPv6 (also ::ffff:a.b.c.d) address and port; the socket's family follows it. */
static socklen_t inet_addr_of(const char *host, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(port));
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(port));
		return sizeof(*in6);
	}
	return 0;
}

/* connect HOST PORT / sendto HOST PORT MSG (UDP): prints the errno name, "0" on success */
static int net_call(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len = inet_addr_of(argv[2], argv[3], &ss);
	bool udp = !strcmp(argv[1], "sendto");
	int fd, e = 0;

	if (!len)
		return 2;
	fd = socket(ss.ss_family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		return 2;
	if (udp) {
		ssize_t n = sendto(fd, argv[4], strlen(argv[4]), 0, (struct sockaddr *)&ss, len);

		if (n < 0)
			e = errno;
		else if ((size_t)n != strlen(argv[4]))
			e = EMSGSIZE;
		/* without an address: the association made by connect, not notified */
		if (!e && argc == 6 && (connect(fd, (struct sockaddr *)&ss, len) < 0 ||
					send(fd, argv[5], strlen(argv[5]), 0) < 0))
			e = errno;
	} else if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		e = errno;
	}
	printf("%s=%s\n", argv[1], err_name(e));
	close(fd);
	return 0;
}

/* connect-unix PATH: a stream socket; prints the errno name */
static int unix_call(const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), e = 0;
	char buf[64] = "";
	ssize_t n;

	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
		e = errno;
	} else {
		/* the listener greets: proves this is a working connection */
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
	}
	printf("connect=%s%s%s\n", err_name(e), buf[0] ? " " : "", buf);
	return 0;
}

/*
 * swap HOST PORT_OK PORT_DENIED SECONDS: one thread connects to PORT_OK
 * again and again while another flips the port in that very sockaddr to
 * PORT_DENIED and back.  Every connect that succeeds must have reached
 * PORT_OK's listener (the test counts what the other listener accepted).
 */
static struct sockaddr_in swap_sa;
static atomic_int swap_stop;
static uint16_t swap_ports[2];

static void *swapper(void *arg)
{
	volatile uint16_t *port = &swap_sa.sin_port;
	unsigned int i = 0;

	(void)arg;
	while (!atomic_load(&swap_stop))
		*port = htons(swap_ports[++i & 1]);
	return NULL;
}

static int swap_race(const char *host, int ok, int denied, double secs)
{
	unsigned long done = 0, connected = 0;
	double end = now() + secs;
	pthread_t t;

	swap_sa.sin_family = AF_INET;
	inet_pton(AF_INET, host, &swap_sa.sin_addr);
	swap_ports[0] = (uint16_t)ok;
	swap_ports[1] = (uint16_t)denied;
	swap_sa.sin_port = htons((uint16_t)ok);
	if (pthread_create(&t, NULL, swapper, NULL))
		return 2;
	while (now() < end) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&swap_sa, sizeof(swap_sa)) == 0)
			connected++;
		close(fd);
		done++;
	}
	atomic_store(&swap_stop, 1);
	pthread_join(t, NULL);
	printf("swap connects=%lu connected=%lu\n", done, connected);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "threads")) {
		stop_file = argc == 6 ? argv[5] : NULL;
		return threads(atoi(argv[2]), atof(argv[3]), argv[4]);
	}
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "mixed")) {
		stop_file = argc == 8 ? argv[7] : NULL;
		if (!atoi(argv[3]) && !stop_file)
			return 2;
		return mixed(atoi(argv[2]), argv + 3);
	}
	if (argc == 3 && !strcmp(argv[1], "tier1")) {
		/* getpriority N times; each must fail with the rule's errno */
		int i, n = atoi(argv[2]), e = 0;

		for (i = 0; i < n; i++)
			e = prio_errno();
		printf("getpriority errno=%d\n", e);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "watch")) {
		/* until getpriority fails with errno N (a reload), at most SECONDS */
		int want = atoi(argv[2]);
		double end = now() + atof(argv[3]);
		int first = prio_errno(), e = first;

		printf("first errno=%d\n", first);
		fflush(stdout);
		while (now() < end && (e = prio_errno()) != want)
			usleep(10000);
		printf("last errno=%d\n", e);
		return e == want ? 0 : 1;
	}
	if ((argc == 4 && !strcmp(argv[1], "connect")) ||
	    ((argc == 5 || argc == 6) && !strcmp(argv[1], "sendto")))
		return net_call(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "connect-unix"))
		return unix_call(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "swap"))
		return swap_race(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
	if (argc == 3 && !strcmp(argv[1], "sysinfo")) {
		/* sysinfo after SECONDS: what the Sentry says, in bytes */
		struct sysinfo si;

		usleep((useconds_t)(atof(argv[2]) * 1e6));
		memset(&si, 0x5a, sizeof(si));
		if (sysinfo(&si) < 0) {
			printf("sysinfo=%s\n", err_name(errno));
			return 1;
		}
		printf("totalram=%llu freeram=%llu uptime=%ld procs=%u\n",
		       (unsigned long long)si.totalram * si.mem_unit,
		       (unsigned long long)si.freeram * si.mem_unit, si.uptime, si.procs);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "mount")) {
		/* mount FSTYPE TARGET DATA ("bind:SOURCE" as FSTYPE: a bind mount) */
		int e = 0;

		if (!strncmp(argv[2], "bind:", 5))
			e = mount(argv[2] + 5, argv[3], NULL, MS_BIND, NULL) < 0 ? errno : 0;
		else
			e = mount("none", argv[3], argv[2], MS_NOSUID, argv[4]) < 0 ? errno : 0;
		printf("mount=%s\n", err_name(e));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "umount")) {
		printf("umount=%s\n", err_name(umount2(argv[2], 0) < 0 ? errno : 0));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "keeper-hello")) {
		/* connect to a keeper's socket: what it says first, or "nothing" */
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		struct timeval tv = { .tv_sec = 5 };
		char line[64] = "";
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		ssize_t n;

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[2]);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			printf("connect=%s\n", err_name(errno));
			return 1;
		}
		n = recv(fd, line, sizeof(line) - 1, 0);
		printf("said=%s\n", n > 0 ? line : "nothing");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "spin")) {
		struct utsname u;

		for (;;)
			syscall(SYS_uname, &u);
	}
	fprintf(stderr, "usage: sentry_target threads N SECONDS RELEASE [STOPFILE] | "
		"mixed N ITERATIONS PATH CONTENT RELEASE [STOPFILE] | tier1 N | "
		"watch ERRNO SECONDS | spin | connect HOST PORT | sendto HOST PORT MSG [MSG2] | "
		"connect-unix PATH | swap HOST PORT_OK PORT_DENIED SECONDS | sysinfo SECONDS | "
		"mount FSTYPE|bind:SRC TARGET DATA | umount TARGET | keeper-hello SOCKET\n");
	return 2;
}
