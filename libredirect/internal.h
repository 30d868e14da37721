/* SPDX-License-Identifier: GPL-2.0 */
/* libredirect internals: cleanup helpers and error construction. */
#ifndef LIBREDIRECT_INTERNAL_H
#define LIBREDIRECT_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "libredirect.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))

/* Hand ownership over: return the value and clear the variable. */
#define steal_pointer(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })
#define steal_fd(fdp) ({ int _fd = *(fdp); *(fdp) = -1; _fd; })

/*
 * Fill *err (when err is not NULL) and return -errnum.  Falls back to a
 * static message when memory runs out, so the caller always gets an error.
 */
int redirect_make_error(struct redirect_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same, appending ": strerror(errnum)". */
int redirect_make_error_errno(struct redirect_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an existing error's message with "fmt: "; returns -errnum. */
int redirect_error_prefix(struct redirect_error **err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse "ENOSYS" or "38" into 38; returns 0 or -EINVAL. */
int redirect_errno_parse(const char *s, int *errnum);

/* "ENOSYS" for 38, or NULL. */
const char *redirect_errno_name(int errnum);

#endif /* LIBREDIRECT_INTERNAL_H */
