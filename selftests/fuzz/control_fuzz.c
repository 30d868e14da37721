// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: usersentry's control request parser (redirect_control_parse). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libredirect.h"

/*
 * Input: byte 0 = the name buffer's size (0-255); the rest is the request
 * line.  Invariants: a refusal carries a message; an accepted request has an
 * op that has a name, and a name (NUL-terminated within the buffer) only for
 * "policy".
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redirect_error *e = NULL;
	enum redirect_control_op op = (enum redirect_control_op)-1;
	char *name;
	size_t name_size;
	int ret;

	if (size < 1)
		return 0;
	name_size = data[0];
	name = malloc(name_size ? name_size : 1);
	if (!name)
		abort();
	memset(name, 'Z', name_size ? name_size : 1);
	ret = redirect_control_parse((const char *)data + 1, size - 1, &op, name, name_size, &e);
	if (ret < 0) {
		if (!e || !e->msg[0])
			abort();
	} else {
		if (ret != 0 || e || !redirect_control_op_name(op))
			abort();
		if (name_size && !memchr(name, '\0', name_size))
			abort();
		if (op != REDIRECT_CONTROL_POLICY && name_size && name[0])
			abort();
	}
	redirect_error_free(e);
	free(name);
	return 0;
}
