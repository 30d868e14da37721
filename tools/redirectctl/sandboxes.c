// SPDX-License-Identifier: GPL-2.0
/* redirectctl sandboxes and stats: the module's sandboxes and their per-call counters. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "redirectctl.h"

static uint64_t fast_path(const struct redirect_counters *c)
{
	return counter(c, REDIRECT_STAT_ERRNO) + counter(c, REDIRECT_STAT_VALUE) +
	       counter(c, REDIRECT_STAT_KILL);
}

static struct json_object *sandbox_json(const struct redirect_sandbox_info *s)
{
	struct json_object *o = json_object_new_object();
	bool owned = redirect_sandbox_info_owned(s);

	json_object_object_add(o, "id", json_object_new_int64(redirect_sandbox_info_id(s)));
	json_object_object_add(o, "name", json_object_new_string(redirect_sandbox_info_name(s)));
	json_object_object_add(o, "state", json_object_new_string(owned ? "owned" : "custody"));
	json_object_object_add(o, "owned", json_object_new_boolean(owned));
	json_object_object_add(o, "fail_mode",
			       json_object_new_string(
				       fail_mode_name(redirect_sandbox_info_fail_mode(s))));
	json_object_object_add(o, "forward_pending",
			       json_object_new_int64(redirect_sandbox_info_forward_pending(s)));
	json_object_object_add(o, "delivered",
			       json_object_new_int64(redirect_sandbox_info_delivered(s)));
	json_object_object_add(o, "replay", json_object_new_int64(redirect_sandbox_info_replay(s)));
	json_object_object_add(o, "rules_generation",
			       json_object_new_int64(
				       (int64_t)redirect_sandbox_info_rules_generation(s)));
	json_object_object_add(o, "stats", stats_json(redirect_sandbox_info_counters(s)));
	json_object_object_add(o, "latency_us", latency_json(redirect_sandbox_info_counters(s)));
	return o;
}

int cmd_sandboxes(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_list *sbs = NULL;
	struct redirect_error *e = NULL;
	struct redirect_ctl *ctl;
	struct opts o;
	size_t n = 0, i;
	int rc, ret;

	rc = parse_opts(cmd, "j", argc, argv, 0, 0, &o);
	if (rc >= 0)
		return rc;
	rc = open_ctl(cmd->name, &ctl);
	if (rc)
		return rc;
	ret = redirect_ctl_sandboxes(ctl, &sbs, &e);
	redirect_ctl_close(ctl);
	if (ret < 0)
		return fail(e, ret, "listing sandboxes");
	n = redirect_sandbox_list_count(sbs);
	if (o.json) {
		struct json_object *a = json_object_new_array();

		for (i = 0; i < n; i++)
			json_object_array_add(a, sandbox_json(redirect_sandbox_list_get(sbs, i)));
		print_json(a);
	} else {
		printf("%-6s %-31s %-7s %-4s %7s %9s %6s %8s %10s %10s %10s\n", "ID", "NAME",
		       "STATE", "FAIL", "PENDING", "DELIVERED", "REPLAY", "RULESGEN", "NOTIFIED",
		       "FASTPATH", "FORWARDED");
		for (i = 0; i < n; i++) {
			const struct redirect_sandbox_info *s = redirect_sandbox_list_get(sbs, i);
			const struct redirect_counters *c = redirect_sandbox_info_counters(s);

			printf("%-6u %-31s %-7s %-4s %7u %9u %6u %8llu %10llu %10llu %10llu\n",
			       redirect_sandbox_info_id(s), redirect_sandbox_info_name(s),
			       redirect_sandbox_info_owned(s) ? "owned" : "custody",
			       fail_mode_name(redirect_sandbox_info_fail_mode(s)),
			       redirect_sandbox_info_forward_pending(s),
			       redirect_sandbox_info_delivered(s), redirect_sandbox_info_replay(s),
			       (unsigned long long)redirect_sandbox_info_rules_generation(s),
			       (unsigned long long)counter(c, REDIRECT_STAT_NOTIFIED),
			       (unsigned long long)fast_path(c),
			       (unsigned long long)counter(c, REDIRECT_STAT_FORWARDED));
		}
		if (!n)
			printf("(no sandboxes)\n");
	}
	redirect_sandbox_list_free(sbs);
	return EXIT_OK;
}

static void stats_row(const char *name, const struct redirect_counters *c)
{
	char l[ARRAY_SIZE(percentiles)][24];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(percentiles); i++)
		latency_text(hist_percentile(c, percentiles[i]), l[i], sizeof(l[i]));
	printf("%-20s %9llu %8llu %8llu %5llu %9llu %8llu %6llu %8llu %8s %8s %8s %8s\n", name,
	       (unsigned long long)counter(c, REDIRECT_STAT_NOTIFIED),
	       (unsigned long long)counter(c, REDIRECT_STAT_ERRNO),
	       (unsigned long long)counter(c, REDIRECT_STAT_VALUE),
	       (unsigned long long)counter(c, REDIRECT_STAT_KILL),
	       (unsigned long long)counter(c, REDIRECT_STAT_FORWARDED),
	       (unsigned long long)counter(c, REDIRECT_STAT_FALLBACK),
	       (unsigned long long)counter(c, REDIRECT_STAT_RACED),
	       (unsigned long long)counter(c, REDIRECT_STAT_REPLAYED),
	       hist_percentile(c, 0.5) ? l[0] : "-", hist_percentile(c, 0.9) ? l[1] : "-",
	       hist_percentile(c, 0.99) ? l[2] : "-", hist_percentile(c, 1) ? l[3] : "-");
}

/* One sandbox's table (or JSON object, added to arr). */
static int stats_one(struct redirect_ctl *ctl, const struct redirect_sandbox_info *s, bool json,
		     struct json_object *arr)
{
	const struct redirect_counters *total = redirect_sandbox_info_counters(s);
	struct redirect_syscall_stats_list *st = NULL;
	struct redirect_error *e = NULL;
	uint32_t id = redirect_sandbox_info_id(s);
	const char *name = redirect_sandbox_info_name(s);
	char nb[64];
	size_t n, i;
	int ret;

	ret = redirect_ctl_stats(ctl, id, &st, &e);
	if (ret < 0)
		return fail(e, ret, "statistics");
	n = redirect_syscall_stats_list_count(st);
	if (json) {
		struct json_object *o = json_object_new_object(), *calls = json_object_new_array();

		json_object_object_add(o, "id", json_object_new_int64(id));
		json_object_object_add(o, "name", json_object_new_string(name));
		for (i = 0; i < n; i++) {
			const struct redirect_syscall_stats *sc =
				redirect_syscall_stats_list_get(st, i);
			uint32_t nr = redirect_syscall_stats_nr(sc);
			struct json_object *c = json_object_new_object();

			json_object_object_add(c, "nr", json_object_new_int64(nr));
			json_object_object_add(c, "name",
					       json_object_new_string(
						       syscall_name(nr, nb, sizeof(nb))));
			json_object_object_add(c, "stats",
					       stats_json(redirect_syscall_stats_counters(sc)));
			json_object_object_add(c, "latency_us",
					       latency_json(redirect_syscall_stats_counters(sc)));
			json_object_array_add(calls, c);
		}
		json_object_object_add(o, "syscalls", calls);
		json_object_object_add(o, "total", stats_json(total));
		json_object_object_add(o, "total_latency_us", latency_json(total));
		json_object_array_add(arr, o);
	} else {
		printf("sandbox %u (%s): %llu calls notified, %llu answered in the kernel, "
		       "%llu forwarded\n",
		       id, name, (unsigned long long)counter(total, REDIRECT_STAT_NOTIFIED),
		       (unsigned long long)fast_path(total),
		       (unsigned long long)counter(total, REDIRECT_STAT_FORWARDED));
		printf("%-20s %9s %8s %8s %5s %9s %8s %6s %8s %8s %8s %8s %8s\n", "SYSCALL",
		       "NOTIFIED", "ERRNO", "VALUE", "KILL", "FORWARDED", "FALLBACK", "RACED",
		       "REPLAYED", "P50", "P90", "P99", "MAX");
		for (i = 0; i < n; i++) {
			const struct redirect_syscall_stats *sc =
				redirect_syscall_stats_list_get(st, i);

			stats_row(syscall_name(redirect_syscall_stats_nr(sc), nb, sizeof(nb)),
				  redirect_syscall_stats_counters(sc));
		}
		stats_row("total", total);
	}
	redirect_syscall_stats_list_free(st);
	return EXIT_OK;
}

int cmd_stats(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_list *sbs = NULL;
	struct redirect_sandbox_info *one = NULL;
	struct redirect_error *e = NULL;
	struct json_object *arr = NULL;
	struct redirect_ctl *ctl;
	struct opts o;
	size_t n = 0, i;
	int rc, ret;

	rc = parse_opts(cmd, "j", argc, argv, 0, 1, &o);
	if (rc >= 0)
		return rc;
	if (o.nargs && (rc = check_sandbox_arg(cmd, o.args[0], NULL)) >= 0)
		return rc;
	rc = open_ctl(cmd->name, &ctl);
	if (rc)
		return rc;
	if (o.nargs) {
		rc = find_sandbox(cmd, ctl, o.args[0], &one);
		if (rc >= 0)
			goto out;
		n = 1;
	} else {
		ret = redirect_ctl_sandboxes(ctl, &sbs, &e);
		if (ret < 0) {
			rc = fail(e, ret, "listing sandboxes");
			goto out;
		}
		n = redirect_sandbox_list_count(sbs);
	}
	if (o.json)
		arr = json_object_new_array();
	rc = EXIT_OK;
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		if (i && !o.json)
			printf("\n");
		rc = stats_one(ctl, one ? one : redirect_sandbox_list_get(sbs, i), o.json, arr);
	}
	if (arr && rc == EXIT_OK)
		print_json(arr);
	else if (arr)
		json_object_put(arr);
	if (!n && !o.json)
		printf("(no sandboxes)\n");
out:
	redirect_sandbox_info_free(one);
	redirect_sandbox_list_free(sbs);
	redirect_ctl_close(ctl);
	return rc;
}
