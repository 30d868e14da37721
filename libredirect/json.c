// SPDX-License-Identifier: GPL-2.0
/* Strict JSON parsing and whole-file reading for the library and its programs. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "internal.h"

static void offset_to_line_col(const char *buf, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * json-c's strict mode still takes single-quoted object keys ({'a': 1}),
 * which are not JSON.  Where the first ' outside a string is, or len: up to
 * there the text is JSON, so tracking the strings is exact.
 */
static size_t single_quote_at(const char *buf, size_t len)
{
	bool in_string = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"')
				in_string = false;
		} else if (buf[i] == '"') {
			in_string = true;
		} else if (buf[i] == '\'') {
			return i;
		}
	}
	return len;
}

int redirect_json_strict(const char *buf, size_t len, json_object **rootp, size_t *off,
			 const char **what, bool *trailing)
{
	enum json_tokener_error jerr;
	json_tokener *tok;
	json_object *root;
	size_t end;

	*trailing = false;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	*off = end;
	if (!root || jerr != json_tokener_success) {
		json_object_put(root);
		*what = jerr == json_tokener_continue || jerr == json_tokener_success ?
			"unexpected end of input" : json_tokener_error_desc(jerr);
		return -EINVAL;
	}
	if (single_quote_at(buf, end) < end) {
		json_object_put(root);
		*off = single_quote_at(buf, end);
		*what = "a single-quoted string (JSON quotes with \")";
		return -EINVAL;
	}
	for (; end < len; end++) {
		char c = buf[end];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			json_object_put(root);
			*off = end;
			*what = "data after the JSON value";
			*trailing = true;
			return -EINVAL;
		}
	}
	*rootp = root;
	return 0;
}

int redirect_json_parse(const char *buf, size_t len, size_t max, const char *origin,
			json_object **rootp, struct redirect_error **err)
{
	size_t off, line, col;
	const char *nul, *what;
	bool trailing;
	int ret;

	if (len > max)
		return redirect_make_error(err, EFBIG, "%s: larger than %zu bytes", origin, max);
	nul = memchr(buf, '\0', len);
	if (nul) {
		offset_to_line_col(buf, (size_t)(nul - buf), &line, &col);
		return redirect_make_error(err, EINVAL, "%s:%zu:%zu: NUL byte in the document",
					   origin, line, col);
	}
	ret = redirect_json_strict(buf, len, rootp, &off, &what, &trailing);
	if (ret == -ENOMEM)
		return redirect_make_error(err, ENOMEM, "%s: out of memory", origin);
	if (ret < 0) {
		offset_to_line_col(buf, off, &line, &col);
		return redirect_make_error(err, EINVAL, "%s:%zu:%zu: JSON: %s", origin, line, col,
					   trailing ? "data after the document" : what);
	}
	return 0;
}

int redirect_read_file(const char *path, unsigned int flags, size_t max, char **bufp, size_t *lenp,
		       struct stat *stp, struct redirect_error **err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	struct stat st;
	size_t done = 0;

	if (flags & ~REDIRECT_READ_NOFOLLOW)
		return redirect_make_error(err, EINVAL, "%s: unknown read flags %#x", path, flags);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
				(flags & REDIRECT_READ_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0)
		return redirect_make_error_errno(err, errno, "cannot open %s", path);
	if (fstat(fd, &st) < 0)
		return redirect_make_error_errno(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return redirect_make_error(err, EINVAL, "%s: not a regular file", path);
	if ((uint64_t)st.st_size > max)
		return redirect_make_error(err, EFBIG, "%s: larger than %zu bytes", path, max);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return redirect_make_error(err, ENOMEM, "%s: out of memory", path);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return redirect_make_error_errno(err, errno, "reading %s", path);
		if (n == 0)
			break;
		done += (size_t)n;
	}
	buf[done] = '\0';
	if (stp)
		*stp = st;
	*lenp = done;
	*bufp = steal_pointer(&buf);
	return 0;
}
