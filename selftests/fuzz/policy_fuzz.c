// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the policy loader (and, for small policies, the filter compiler). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libredirect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redirect_policy *p = NULL;
	struct redirect_filter *f = NULL;
	struct redirect_error *e = NULL;
	struct redirect_verdict v;
	char buf[32];
	size_t i;
	int ret;

	ret = redirect_policy_load_buffer((const char *)data, size, "fuzz.json", &p, &e);
	if (ret < 0) {
		/* every failure carries a message and the matching errno */
		if (!e || !e->msg || e->errnum != -ret)
			abort();
		redirect_error_free(e);
		return 0;
	}
	if (e)
		abort();
	redirect_policy_name(p);
	redirect_policy_has_uname(p);
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
		const char *s = redirect_policy_uname(p, i);

		if (s && strlen(s) >= REDIRECT_UNAME_LEN)
			abort();
	}
	redirect_policy_default_verdict(p, &v);
	redirect_verdict_format(&v, buf, sizeof(buf));
	for (i = 0; i < redirect_policy_notify_count(p); i++)
		if (!redirect_policy_notify_name(p, i))
			abort();
	if (size < 4096 && redirect_filter_compile(p, 0, &f, &e) == 0) {
		if (!redirect_filter_length(f))
			abort();
		redirect_filter_free(f);
	}
	redirect_error_free(e);
	redirect_policy_free(p);
	return 0;
}
