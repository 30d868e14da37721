// SPDX-License-Identifier: GPL-2.0
/*
 * One system call that takes a path (or an fd standing for one), made by a
 * sandboxed test: prints "NAME=RESULT" (0, a value, or the errno's name).
 *
 *   path_call [raw] NAME ARG...
 *
 * "raw": through syscall(2) rather than the libc wrapper.  An FD argument is
 * a number the shell opened before the sandbox (e.g. 3<file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

static bool raw;

static const char *err_name(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "?";
}

/* -1 with errno, or the result */
static long done(const char *name, long r)
{
	if (r < 0)
		printf("%s=%s\n", name, err_name(errno));
	else
		printf("%s=%ld\n", name, r);
	return r;
}

#define CALL(libc, ...) (raw ? syscall(__VA_ARGS__) : (long)(libc))

static long xattr_call(const char *name, char **a)
{
	char buf[256];
	long r;
	int fd = atoi(a[0]);

	if (!strcmp(name, "getxattr") || !strcmp(name, "lgetxattr") ||
	    !strcmp(name, "fgetxattr")) {
		memset(buf, 0, sizeof(buf));
		r = !strcmp(name, "getxattr") ?
		    CALL(getxattr(a[0], a[1], buf, sizeof(buf) - 1), SYS_getxattr, a[0], a[1], buf,
			 sizeof(buf) - 1) :
		    !strcmp(name, "lgetxattr") ?
		    CALL(lgetxattr(a[0], a[1], buf, sizeof(buf) - 1), SYS_lgetxattr, a[0], a[1],
			 buf, sizeof(buf) - 1) :
		    CALL(fgetxattr(fd, a[1], buf, sizeof(buf) - 1), SYS_fgetxattr, fd, a[1], buf,
			 sizeof(buf) - 1);
		if (r >= 0) {
			printf("%s=%s\n", name, buf);
			return r;
		}
		return done(name, r);
	}
	if (!strcmp(name, "listxattr"))
		return done(name, CALL(listxattr(a[0], buf, sizeof(buf)), SYS_listxattr, a[0], buf,
				       sizeof(buf)));
	if (!strcmp(name, "llistxattr"))
		return done(name, CALL(llistxattr(a[0], buf, sizeof(buf)), SYS_llistxattr, a[0],
				       buf, sizeof(buf)));
	if (!strcmp(name, "flistxattr"))
		return done(name, CALL(flistxattr(fd, buf, sizeof(buf)), SYS_flistxattr, fd, buf,
				       sizeof(buf)));
	if (!strcmp(name, "setxattr"))
		return done(name, CALL(setxattr(a[0], a[1], a[2], strlen(a[2]), 0), SYS_setxattr,
				       a[0], a[1], a[2], strlen(a[2]), 0));
	if (!strcmp(name, "lsetxattr"))
		return done(name, CALL(lsetxattr(a[0], a[1], a[2], strlen(a[2]), 0), SYS_lsetxattr,
				       a[0], a[1], a[2], strlen(a[2]), 0));
	if (!strcmp(name, "fsetxattr"))
		return done(name, CALL(fsetxattr(fd, a[1], a[2], strlen(a[2]), 0), SYS_fsetxattr,
				       fd, a[1], a[2], strlen(a[2]), 0));
	if (!strcmp(name, "removexattr"))
		return done(name, CALL(removexattr(a[0], a[1]), SYS_removexattr, a[0], a[1]));
	if (!strcmp(name, "lremovexattr"))
		return done(name, CALL(lremovexattr(a[0], a[1]), SYS_lremovexattr, a[0], a[1]));
	if (!strcmp(name, "fremovexattr"))
		return done(name, CALL(fremovexattr(fd, a[1]), SYS_fremovexattr, fd, a[1]));
	return -2;
}

/* execve/execveat of PATH in a child: its exit status, or the errno */
static long exec_call(const char *name, const char *path)
{
	char *const argv[] = { (char *)path, NULL }, *const envp[] = { NULL };
	int status, p[2];
	long r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -2;
	pid = fork();
	if (pid == 0) {
		int e;

		if (!strcmp(name, "execve"))
			CALL(execve(path, argv, envp), SYS_execve, path, argv, envp);
		else
			CALL(execveat(AT_FDCWD, path, argv, envp, 0), SYS_execveat, AT_FDCWD, path,
			     argv, envp, 0);
		e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &status, sizeof(status)) == (ssize_t)sizeof(status)) {
		waitpid(pid, NULL, 0);
		errno = status;
		return done(name, -1);
	}
	waitpid(pid, &status, 0);
	r = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	printf("%s=exit:%ld\n", name, r);
	return 0;
}

int main(int argc, char **argv)
{
	const char *name;
	char **a;
	long r;

	if (argc > 1 && !strcmp(argv[1], "raw")) {
		raw = true;
		argv++;
		argc--;
	}
	if (argc < 2)
		goto usage;
	name = argv[1];
	a = argv + 2;
	if (strstr(name, "xattr")) {
		if (argc < (strstr(name, "set") ? 5 : strstr(name, "list") ? 3 : 4))
			goto usage;
		r = xattr_call(name, a);
		if (r == -2)
			goto usage;
		return 0;
	}
	if (argc < 3)
		goto usage;
	if (!strcmp(name, "statfs")) {
		struct statfs s;

		done(name, CALL(statfs(a[0], &s), SYS_statfs, a[0], &s));
	} else if (!strcmp(name, "chdir")) {
		char cwd[4096];

		if (done(name, CALL(chdir(a[0]), SYS_chdir, a[0])) == 0 && argc > 3) {
			/* then open a relative name: what the cwd leads to */
			int fd = open(a[1], O_RDONLY);
			ssize_t n;

			if (fd < 0) {
				done("open", -1);
			} else {
				n = read(fd, cwd, sizeof(cwd) - 1);
				cwd[n > 0 ? n : 0] = '\0';
				printf("read=%s", cwd);
				close(fd);
			}
		}
	} else if (!strcmp(name, "utime")) {
		struct utimbuf t = { 1000000, 1000000 };

		done(name, CALL(utime(a[0], &t), SYS_utime, a[0], &t));
	} else if (!strcmp(name, "utimes")) {
		struct timeval t[2] = { { 1000000, 0 }, { 1000000, 0 } };

		done(name, CALL(utimes(a[0], t), SYS_utimes, a[0], t));
	} else if (!strcmp(name, "futimesat")) {
		struct timeval t[2] = { { 1000000, 0 }, { 1000000, 0 } };

		done(name, CALL(futimesat(AT_FDCWD, a[0], t), SYS_futimesat, AT_FDCWD, a[0], t));
	} else if (!strcmp(name, "utimensat")) {
		struct timespec t[2] = { { 1000000, 0 }, { 1000000, 0 } };

		done(name, CALL(utimensat(AT_FDCWD, a[0], t, 0), SYS_utimensat, AT_FDCWD, a[0], t,
				0));
	} else if (!strcmp(name, "futimens")) {
		struct timespec t[2] = { { 1000000, 0 }, { 1000000, 0 } };
		int fd = atoi(a[0]);

		done(name, CALL(futimens(fd, t), SYS_utimensat, fd, NULL, t, 0));
	} else if (!strcmp(name, "fchmod")) {
		int fd = atoi(a[0]);

		done(name, CALL(fchmod(fd, 0600), SYS_fchmod, fd, 0600));
	} else if (!strcmp(name, "fchmodat2")) {
		/* 6.6, no libc wrapper (glibc 2.39 calls it inside fchmodat): raw either way */
		done(name, syscall(452, AT_FDCWD, a[0], 0600, 0));
	} else if (!strcmp(name, "fchown")) {
		int fd = atoi(a[0]);

		done(name, CALL(fchown(fd, getuid(), getgid()), SYS_fchown, fd, getuid(), getgid()));
	} else if (!strcmp(name, "truncate")) {
		done(name, CALL(truncate(a[0], 0), SYS_truncate, a[0], 0));
	} else if (!strcmp(name, "open-trunc")) {
		done(name, CALL(open(a[0], O_WRONLY | O_TRUNC), SYS_open, a[0], O_WRONLY | O_TRUNC));
	} else if (!strcmp(name, "openat-trunc")) {
		done(name, CALL(openat(AT_FDCWD, a[0], O_WRONLY | O_TRUNC), SYS_openat, AT_FDCWD,
				a[0], O_WRONLY | O_TRUNC));
	} else if (!strcmp(name, "creat")) {
		done(name, CALL(creat(a[0], 0600), SYS_creat, a[0], 0600));
	} else if (!strcmp(name, "inotify_add_watch")) {
		int in = inotify_init1(IN_CLOEXEC);

		done(name, CALL(inotify_add_watch(in, a[0], IN_ALL_EVENTS), SYS_inotify_add_watch,
				in, a[0], IN_ALL_EVENTS));
	} else if (!strcmp(name, "bind")) {
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		snprintf(un.sun_path, sizeof(un.sun_path), "%s", a[0]);
		done(name, CALL(bind(s, (struct sockaddr *)&un, sizeof(un)), SYS_bind, s, &un,
				sizeof(un)));
	} else if (!strcmp(name, "execve") || !strcmp(name, "execveat")) {
		exec_call(name, a[0]);
	} else if (!strcmp(name, "name_to_handle_at")) {
		struct { struct file_handle h; unsigned char b[128]; } fh = { .h.handle_bytes = 128 };
		int mount_id;

		done(name, CALL(name_to_handle_at(AT_FDCWD, a[0], &fh.h, &mount_id, 0),
				SYS_name_to_handle_at, AT_FDCWD, a[0], &fh.h, &mount_id, 0));
	} else if (!strcmp(name, "chroot")) {
		done(name, CALL(chroot(a[0]), SYS_chroot, a[0]));
	} else if (!strcmp(name, "pivot_root")) {
		done(name, syscall(SYS_pivot_root, a[0], a[0]));
	} else if (!strcmp(name, "fsopen")) {
		done(name, syscall(SYS_fsopen, "tmpfs", 0));
	} else if (!strcmp(name, "fsconfig")) {
		done(name, syscall(SYS_fsconfig, atoi(a[0]), 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL,
				   0));
	} else if (!strcmp(name, "fsmount")) {
		done(name, syscall(SYS_fsmount, atoi(a[0]), 0, 0));
	} else if (!strcmp(name, "fspick")) {
		done(name, syscall(SYS_fspick, AT_FDCWD, a[0], 0));
	} else if (!strcmp(name, "open_tree")) {
		done(name, syscall(SYS_open_tree, AT_FDCWD, a[0], 1 /* OPEN_TREE_CLONE */));
	} else if (!strcmp(name, "move_mount")) {
		done(name, syscall(SYS_move_mount, AT_FDCWD, a[0], AT_FDCWD, a[0], 0));
	} else if (!strcmp(name, "mount_setattr")) {
		unsigned long long attr[4] = { 1 /* MOUNT_ATTR_RDONLY */, 0, 0, 0 };

		done(name, syscall(SYS_mount_setattr, AT_FDCWD, a[0], 0, attr, sizeof(attr)));
	} else if (!strcmp(name, "fanotify_mark")) {
		done(name, syscall(SYS_fanotify_mark, atoi(a[0]), 1 /* FAN_MARK_ADD */,
				   1 /* FAN_ACCESS */, AT_FDCWD, a[1]));
	} else {
		goto usage;
	}
	return 0;
usage:
	fprintf(stderr, "usage: path_call [raw] NAME ARG...\n");
	return 2;
}
