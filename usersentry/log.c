// SPDX-License-Identifier: GPL-2.0
/* The daemon's log: one line per event, written with a single write(); per-call lines by level. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sentry.h"

static int log_fd = STDERR_FILENO;

enum sentry_log_level sentry_log_level = SENTRY_LOG_INFO;

static const char *const level_names[] = {
	[SENTRY_LOG_INFO] = "info",
	[SENTRY_LOG_CALLS] = "calls",
};

int sentry_log_level_parse(const char *name, enum sentry_log_level *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (!strcmp(name, level_names[i])) {
			*out = (enum sentry_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

int sentry_log_open(const char *path, struct redirect_error **err)
{
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0)
		return redirect_error_set(err, errno, "cannot open log %s: %s", path,
					  strerror(errno));
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = fd;
	return 0;
}

void sentry_log(const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	size_t n, i;
	va_list ap;
	int m;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ ", ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += (size_t)m < sizeof(line) - n - 1 ? (size_t)m : sizeof(line) - n - 2;
	/* strings from outside must not forge lines */
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[n++] = '\n';
	while (write(log_fd, line, n) < 0 && errno == EINTR)
		;
}
