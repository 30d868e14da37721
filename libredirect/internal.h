/* SPDX-License-Identifier: GPL-2.0 */
/* libredirect internals: cleanup helpers and error construction. */
#ifndef LIBREDIRECT_INTERNAL_H
#define LIBREDIRECT_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
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
 * The library's own name for the public redirect_error_set().
 */
#define redirect_make_error redirect_error_set

/* "where: path: message" (no "path: " when path is NULL), message from fmt. */
int redirect_make_verror_at(struct redirect_error **err, int errnum, const char *where,
			    const char *path, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/* The same as redirect_make_error, appending ": strerror(errnum)". */
int redirect_make_error_errno(struct redirect_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an existing error's message with "fmt: "; returns -errnum. */
int redirect_error_prefix(struct redirect_error **err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse "ENOSYS" or "38" into 38; returns 0 or -EINVAL. */
int redirect_errno_parse(const char *s, int *errnum);

/* "ENOSYS" for 38, or NULL. */
const char *redirect_errno_name(int errnum);

/* "args[1].op: unknown comparison" for a field rdr_rule_check() refused. */
const char *rule_field_text(uint32_t field, uint32_t arg, char *buf, size_t size);

/* A copy of a rule set with its hit counts at zero. */
int ruleset_clone(const struct redirect_ruleset *rs, struct redirect_ruleset **copyp,
		  struct redirect_error **err);

/*
 * The one strict JSON parse (json.c): one value, nothing but whitespace
 * after it.  0, -ENOMEM, or -EINVAL with *off the byte at fault, *what the
 * problem and *trailing set for data after the value.
 */
struct json_object;
int redirect_json_strict(const char *buf, size_t len, struct json_object **rootp, size_t *off,
			 const char **what, bool *trailing);

/* Strict JSON as a document: size limit, no NUL; messages carry origin:line:column. */
int redirect_json_parse(const char *buf, size_t len, size_t max, const char *origin,
			struct json_object **rootp, struct redirect_error **err);

/* A library notice (the portable-mode fallback): to the notice function. */
void redirect_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* LIBREDIRECT_INTERNAL_H */
