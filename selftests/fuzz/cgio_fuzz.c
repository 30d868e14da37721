// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the cgroup io statistics' parsers and the /proc/diskstats view built from them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../usersentry/cgroup.c"
#include "../../usersentry/views.c"

/*
 * Input: three texts separated by NUL bytes: the cgroup file (v2's io.stat,
 * or v1's io_serviced), v1's io_service_bytes, the host's /proc/diskstats.
 * Invariants: at most SENTRY_IO_DEVS_MAX devices, none twice; the view has
 * no more lines than the host's text, and none without the host's.
 */
static const char *part(const char **p, const char *end)
{
	const char *s = *p;

	*p = s < end ? s + strlen(s) + 1 : end;
	return s < end ? s : "";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sentry_cg_io io;
	char *buf = malloc(size + 1), *v = NULL;
	const char *p, *end, *a, *b, *host;
	size_t len = 0, lines = 0, host_lines = 0;
	FILE *out;
	int i, j;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = buf;
	end = buf + size;
	a = part(&p, end);
	b = part(&p, end);
	host = part(&p, end);
	memset(&io, 0, sizeof(io));
	io.has = true;
	if (size && data[0] & 1)
		sentry_cg_io_parse_v1(a, b, &io);
	else
		sentry_cg_io_parse_v2(a, &io);
	if (io.n < 0 || io.n > SENTRY_IO_DEVS_MAX)
		abort();
	for (i = 0; i < io.n; i++)
		for (j = i + 1; j < io.n; j++)
			if (io.dev[i].major == io.dev[j].major && io.dev[i].minor == io.dev[j].minor)
				abort();
	out = open_memstream(&v, &len);
	if (!out)
		abort();
	sentry_view_diskstats(out, host, &io);
	fclose(out);
	for (p = v; p && *p; p++)
		lines += *p == '\n';
	for (p = host; *p; p++)
		host_lines += *p == '\n';
	if (lines > host_lines + 1)
		abort();
	free(v);
	free(buf);
	return 0;
}
