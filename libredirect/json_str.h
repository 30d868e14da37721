/* SPDX-License-Identifier: GPL-2.0 */
/* The one JSON string writer: library, Sentry and tools escape text for JSON through it. */
#ifndef LIBREDIRECT_JSON_STR_H
#define LIBREDIRECT_JSON_STR_H

#include <stddef.h>
#include <stdio.h>

/*
 * The contents of a JSON string for s[0..len) (stopping early at a NUL):
 * '"' and '\\' escaped, control characters and DEL as \u00XX, other bytes
 * as they are.  Always NUL-terminated; a string that does not fit is cut
 * before an escape, never inside one.  Returns the bytes written.
 */
static inline size_t redirect_json_str(char *out, size_t size, const char *s, size_t len)
{
	size_t n = 0, i;

	if (!size)
		return 0;
	for (i = 0; i < len && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			if (n + 2 >= size)
				break;
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			if (n + 6 >= size)
				break;
			n += (size_t)snprintf(out + n, size - n, "\\u%04x", ch);
		} else {
			if (n + 1 >= size)
				break;
			out[n++] = (char)ch;
		}
	}
	out[n] = '\0';
	return n;
}

#endif /* LIBREDIRECT_JSON_STR_H */
