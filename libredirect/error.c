// SPDX-License-Identifier: GPL-2.0
/* Error objects, errno names and the library's version and mode probes. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define VERSION_STR2(x) #x
#define VERSION_STR(x) VERSION_STR2(x)

static const char oom_msg[] = "out of memory while reporting an error";

static struct redirect_error oom_error = {
	.errnum = ENOMEM,
	.msg = (char *)oom_msg,
};

const char *redirect_version(void)
{
	return VERSION_STR(REDIRECT_VERSION_MAJOR) "." VERSION_STR(REDIRECT_VERSION_MINOR) "."
	       VERSION_STR(REDIRECT_VERSION_MICRO);
}

void redirect_error_free(struct redirect_error *err)
{
	if (!err || err == &oom_error)
		return;
	free(err->msg);
	free(err);
}

static int set_error(struct redirect_error **err, int errnum, char *msg)
{
	struct redirect_error *e;

	if (errnum <= 0)
		errnum = EIO;
	if (!err) {
		free(msg);
		return -errnum;
	}
	e = malloc(sizeof(*e));
	if (!e || !msg) {
		free(e);
		free(msg);
		*err = &oom_error;
		return -errnum;
	}
	e->errnum = errnum;
	e->msg = msg;
	*err = e;
	return -errnum;
}

/* fmt's message, with ": strerror(errnum)" after it when with_errno. */
static int set_error_v(struct redirect_error **err, int errnum, bool with_errno, const char *fmt,
		       va_list ap)
{
	char *head = NULL, *msg = NULL;

	if (!err)
		return errnum > 0 ? -errnum : -EIO;
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	if (!with_errno || !head)
		return set_error(err, errnum, head);
	if (asprintf(&msg, "%s: %s", head, strerror(errnum)) < 0)
		msg = NULL;
	free(head);
	return set_error(err, errnum, msg);
}

int redirect_error_set(struct redirect_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_error_v(err, errnum, false, fmt, ap);
	va_end(ap);
	return ret;
}

int redirect_make_error_errno(struct redirect_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_error_v(err, errnum, true, fmt, ap);
	va_end(ap);
	return ret;
}

int redirect_make_verror_at(struct redirect_error **err, int errnum, const char *where,
			    const char *path, const char *fmt, va_list ap)
{
	cleanup_free char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		return redirect_make_error(err, ENOMEM, "%s: out of memory", where);
	}
	if (path)
		return redirect_make_error(err, errnum, "%s: %s: %s", where, path, msg);
	return redirect_make_error(err, errnum, "%s: %s", where, msg);
}

int redirect_error_prefix(struct redirect_error **err, int ret, const char *fmt, ...)
{
	char *head = NULL, *msg = NULL;
	va_list ap;

	if (!err || !*err || *err == &oom_error)
		return ret;
	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	if (head && asprintf(&msg, "%s: %s", head, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(head);
	return ret;
}

const char *redirect_errno_name(int errnum)
{
	if (errnum <= 0 || errnum > 4095)
		return NULL;
	return strerrorname_np(errnum);
}

int redirect_errno_parse(const char *s, int *errnum)
{
	char *end;
	long v;
	int i;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || *end || v <= 0 || v > 4095)
			return -EINVAL;
		*errnum = (int)v;
		return 0;
	}
	for (i = 1; i < 4096; i++) {
		const char *name = strerrorname_np(i);

		if (name && !strcmp(name, s)) {
			*errnum = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *redirect_mode_name(enum redirect_mode mode)
{
	switch (mode) {
	case REDIRECT_MODE_PORTABLE:
		return "portable mode";
	case REDIRECT_MODE_MODULE:
		return "module mode";
	}
	return "unknown mode";
}

int redirect_mode_detect(enum redirect_mode *mode, struct redirect_error **err)
{
	struct stat st;

	if (stat("/dev/redirect", &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			*mode = REDIRECT_MODE_PORTABLE;
			return 0;
		}
		return redirect_make_error_errno(err, errno, "stat /dev/redirect");
	}
	if (!S_ISCHR(st.st_mode))
		return redirect_make_error(err, ENODEV,
					   "/dev/redirect is not a character device");
	*mode = REDIRECT_MODE_MODULE;
	return 0;
}
