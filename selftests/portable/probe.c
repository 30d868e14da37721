// SPDX-License-Identifier: GPL-2.0
/* probe: what a sandboxed process sees, for the end-to-end tests. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/*
 * probe report: one "key=value" line per observation
 * probe spin FILE: write our pid to FILE, then call uname(2) forever
 */
static void report(void)
{
	struct utsname u;
	char osrelease[128] = "";
	long ret;
	int fd;

	if (uname(&u) == 0)
		printf("uname.sysname=%s\nuname.nodename=%s\nuname.release=%s\n"
		       "uname.version=%s\nuname.machine=%s\nuname.domainname=%s\n",
		       u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname);
	else
		printf("uname.errno=%d\n", errno);

	/* not notified: open and read go straight to the kernel */
	fd = open("/proc/sys/kernel/osrelease", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, osrelease, sizeof(osrelease) - 1);

		if (n > 0)
			osrelease[n - (osrelease[n - 1] == '\n')] = '\0';
		close(fd);
	}
	printf("osrelease=%s\n", osrelease);

	errno = 0;
	ret = syscall(SYS_getppid);
	printf("getppid=%ld errno=%d\n", ret, ret < 0 ? errno : 0);

	errno = 0;
	ret = syscall(SYS_getpriority, PRIO_PROCESS, 0);
	printf("getpriority=%ld errno=%d\n", ret, ret < 0 ? errno : 0);

	errno = 0;
	ret = syscall(SYS_getpid);
	printf("getpid.matches=%d\n", ret == getpid());
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct utsname u;
	FILE *f;

	if (argc == 2 && !strcmp(argv[1], "report")) {
		report();
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "spin")) {
		f = fopen(argv[2], "w");
		if (!f)
			return 1;
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
		for (;;)
			syscall(SYS_uname, &u);
	}
	fprintf(stderr, "usage: probe report | probe spin PIDFILE\n");
	return 2;
}
