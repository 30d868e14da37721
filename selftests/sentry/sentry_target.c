// SPDX-License-Identifier: GPL-2.0
/* A sandboxed target for usersentry's tests: threads of forwarded calls, tier-1 probes. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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

static int prio_errno(void)
{
	errno = 0;
	if (syscall(SYS_getpriority, PRIO_PROCESS, 0) == -1)
		return errno;
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "threads")) {
		stop_file = argc == 6 ? argv[5] : NULL;
		return threads(atoi(argv[2]), atof(argv[3]), argv[4]);
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
	if (argc == 2 && !strcmp(argv[1], "spin")) {
		struct utsname u;

		for (;;)
			syscall(SYS_uname, &u);
	}
	fprintf(stderr, "usage: sentry_target threads N SECONDS RELEASE [STOPFILE] | tier1 N | "
		"watch ERRNO SECONDS | spin\n");
	return 2;
}
