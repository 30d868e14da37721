// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the OCI config.json reader, the seccomp section written back, and merged with itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libredirect.h"

/* Notices of ignored keys: each a message, none printed. */
static void check_notice(void *ctx, const char *msg)
{
	if (!msg || !*msg)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redirect_oci_config *c = NULL, *again = NULL;
	struct redirect_error *e = NULL;
	const struct redirect_policy *p;
	struct redirect_filter *f = NULL;
	char *out = NULL;
	size_t i;
	int ret;

	redirect_set_notice_fn(check_notice, NULL);
	ret = redirect_oci_config_read((const char *)data, size, "config.json", &c, &e);
	if (ret < 0) {
		if (!e || !e->msg || e->errnum != -ret)
			abort();
		redirect_error_free(e);
		return 0;
	}
	if (e)
		abort();
	for (i = 0; i < redirect_oci_config_cap_count(c); i++)
		if (strncmp(redirect_oci_config_cap(c, i), "CAP_", 4))
			abort();
	redirect_oci_config_listener_path(c);
	redirect_oci_config_listener_metadata(c);
	redirect_oci_config_annotation(c, "dev.redirect.policy");
	p = redirect_oci_config_seccomp(c);
	if (p && size < 4096 && redirect_filter_compile(p, 0, &f, NULL) == 0)
		redirect_filter_free(f);
	/* what we write, we read back */
	if (p && redirect_oci_config_set_seccomp(c, p, "/run/redirect/fuzz.sock", &out, &e) == 0) {
		if (redirect_oci_config_read(out, strlen(out), "rewritten", &again, &e) < 0)
			abort();
		if (!redirect_oci_config_seccomp(again))
			abort();
		redirect_oci_config_free(again);
		free(out);
	}
	/* the profile merged into itself: refused with a message, or read back */
	redirect_error_free(e);
	e = NULL;
	out = NULL;
	if (p) {
		ret = redirect_oci_config_merge_seccomp(c, p, "/run/redirect/fuzz.sock", &out, &e);
		if (ret < 0 && (!e || e->errnum != -ret))
			abort();
		if (ret == 0) {
			if (redirect_oci_config_read(out, strlen(out), "merged", &again, NULL) < 0)
				abort();
			redirect_oci_config_free(again);
			free(out);
		}
	}
	redirect_error_free(e);
	redirect_oci_config_free(c);
	return 0;
}
