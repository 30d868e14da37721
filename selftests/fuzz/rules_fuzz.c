// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the tier-1 rule validator and the user-space engine on raw UAPI rules. */
#include <errno.h>
#include <linux/audit.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libredirect.h"
#include "rules_eval.h"

/*
 * Input: a call (nr, six arguments; an argument whose top byte is 0xfe
 * points into the input instead) followed by struct redirect_rule records.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redirect_rule rules[64];
	struct redirect_ruleset *rs = NULL;
	struct redirect_error *e = NULL;
	struct redirect_decision d;
	uint64_t args[6];
	size_t n, i, head = 4 + sizeof(args);
	bool all_valid = true;
	uint32_t nr;
	int ret;

	if (size < head)
		return 0;
	memcpy(&nr, data, 4);
	memcpy(args, data + 4, sizeof(args));
	for (i = 0; i < 6; i++)
		if ((args[i] >> 56) == 0xfe)
			args[i] = (uintptr_t)(data + (args[i] & 0xffff) % size);
	n = (size - head) / sizeof(rules[0]);
	if (n > 64)
		n = 64;
	memcpy(rules, data + head, n * sizeof(rules[0]));
	for (i = 0; i < n; i++) {
		uint32_t arg;

		if (rdr_rule_check(&rules[i], &arg) != REDIRECT_RULE_FIELD_NONE)
			all_valid = false;
	}
	ret = redirect_ruleset_from_array(rules, n, &rs, &e);
	/* the library accepts exactly what the module's check accepts */
	if ((ret == 0) != all_valid)
		abort();
	if (ret < 0) {
		if (ret != -EINVAL || !e || strncmp(e->msg, "rule ", 5))
			abort();
		redirect_error_free(e);
		return 0;
	}
	if (redirect_ruleset_count(rs) != n ||
	    (n && memcmp(redirect_ruleset_rules(rs), rules, n * sizeof(rules[0]))))
		abort();
	for (i = 0; i < 3; i++) {
		redirect_ruleset_decide_call(rs, AUDIT_ARCH_X86_64, (int)(nr % 1100), args, getpid(),
					     &d);
		if (!d.matched) {
			if (d.verdict != REDIRECT_VERDICT_FORWARD)
				abort();
			continue;
		}
		if (d.rule >= n || rules[d.rule].nr != nr % 1100 ||
		    d.verdict != rules[d.rule].verdict || d.value != rules[d.rule].value)
			abort();
		if (rules[d.rule].limit && redirect_ruleset_hits(rs, d.rule) > rules[d.rule].limit)
			abort();
	}
	redirect_ruleset_free(rs);
	return 0;
}
