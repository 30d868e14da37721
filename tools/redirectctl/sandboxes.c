// SPDX-License-Identifier: GPL-2.0
/* redirectctl sandboxes and stats: the module's sandboxes and their per-call counters. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "redirectctl.h"

static uint64_t fast_path(const uint64_t *stats)
{
	return stats[REDIRECT_STAT_ERRNO] + stats[REDIRECT_STAT_VALUE] + stats[REDIRECT_STAT_KILL];
}

static struct json_object *sandbox_json(const struct redirect_sandbox_info *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(s->sandbox_id));
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "state", json_object_new_string(s->owned ? "owned" : "custody"));
	json_object_object_add(o, "owned", json_object_new_boolean(s->owned));
	json_object_object_add(o, "fail_mode",
			       json_object_new_string(fail_mode_name(s->fail_mode)));
	json_object_object_add(o, "forward_pending", json_object_new_int64(s->forward_pending));
	json_object_object_add(o, "delivered", json_object_new_int64(s->delivered));
	json_object_object_add(o, "replay", json_object_new_int64(s->replay));
	json_object_object_add(o, "rules_generation",
			       json_object_new_int64((int64_t)s->rules_generation));
	json_object_object_add(o, "stats", stats_json(s->stats));
	json_object_object_add(o, "latency_us", latency_json(s->hist));
	return o;
}

int cmd_sandboxes(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_info *sbs = NULL;
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
	ret = redirect_ctl_sandboxes(ctl, &sbs, &n, &e);
	redirect_ctl_close(ctl);
	if (ret < 0)
		return fail(e, ret, "listing sandboxes");
	if (o.json) {
		struct json_object *a = json_object_new_array();

		for (i = 0; i < n; i++)
			json_object_array_add(a, sandbox_json(&sbs[i]));
		print_json(a);
	} else {
		printf("%-6s %-31s %-7s %-4s %7s %9s %6s %8s %10s %10s %10s\n", "ID", "NAME",
		       "STATE", "FAIL", "PENDING", "DELIVERED", "REPLAY", "RULESGEN", "NOTIFIED",
		       "FASTPATH", "FORWARDED");
		for (i = 0; i < n; i++) {
			const struct redirect_sandbox_info *s = &sbs[i];

			printf("%-6u %-31s %-7s %-4s %7u %9u %6u %8llu %10llu %10llu %10llu\n",
			       s->sandbox_id, s->name, s->owned ? "owned" : "custody",
			       fail_mode_name(s->fail_mode), s->forward_pending, s->delivered,
			       s->replay, (unsigned long long)s->rules_generation,
			       (unsigned long long)s->stats[REDIRECT_STAT_NOTIFIED],
			       (unsigned long long)fast_path(s->stats),
			       (unsigned long long)s->stats[REDIRECT_STAT_FORWARDED]);
		}
		if (!n)
			printf("(no sandboxes)\n");
	}
	free(sbs);
	return EXIT_OK;
}

static void stats_row(const char *name, const uint64_t *st, const uint64_t *hist)
{
	char l[ARRAY_SIZE(percentiles)][24];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(percentiles); i++)
		latency_text(hist_percentile(hist, percentiles[i]), l[i], sizeof(l[i]));
	printf("%-20s %9llu %8llu %8llu %5llu %9llu %8llu %6llu %8llu %8s %8s %8s %8s\n", name,
	       (unsigned long long)st[REDIRECT_STAT_NOTIFIED],
	       (unsigned long long)st[REDIRECT_STAT_ERRNO],
	       (unsigned long long)st[REDIRECT_STAT_VALUE],
	       (unsigned long long)st[REDIRECT_STAT_KILL],
	       (unsigned long long)st[REDIRECT_STAT_FORWARDED],
	       (unsigned long long)st[REDIRECT_STAT_FALLBACK],
	       (unsigned long long)st[REDIRECT_STAT_RACED],
	       (unsigned long long)st[REDIRECT_STAT_REPLAYED],
	       hist_percentile(hist, 0.5) ? l[0] : "-", hist_percentile(hist, 0.9) ? l[1] : "-",
	       hist_percentile(hist, 0.99) ? l[2] : "-", hist_percentile(hist, 1) ? l[3] : "-");
}

/* One sandbox's table (or JSON object, added to arr). */
static int stats_one(struct redirect_ctl *ctl, const struct redirect_sandbox_info *s, bool json,
		     struct json_object *arr)
{
	struct redirect_syscall_stats *st = NULL;
	struct redirect_error *e = NULL;
	char nb[64];
	size_t n = 0, i;
	int ret;

	ret = redirect_ctl_stats(ctl, s->sandbox_id, &st, &n, &e);
	if (ret < 0)
		return fail(e, ret, "statistics");
	if (json) {
		struct json_object *o = json_object_new_object(), *calls = json_object_new_array();

		json_object_object_add(o, "id", json_object_new_int64(s->sandbox_id));
		json_object_object_add(o, "name", json_object_new_string(s->name));
		for (i = 0; i < n; i++) {
			struct json_object *c = json_object_new_object();

			json_object_object_add(c, "nr", json_object_new_int64(st[i].nr));
			json_object_object_add(c, "name",
					       json_object_new_string(
						       syscall_name(st[i].nr, nb, sizeof(nb))));
			json_object_object_add(c, "stats", stats_json(st[i].stats));
			json_object_object_add(c, "latency_us", latency_json(st[i].hist));
			json_object_array_add(calls, c);
		}
		json_object_object_add(o, "syscalls", calls);
		json_object_object_add(o, "total", stats_json(s->stats));
		json_object_object_add(o, "total_latency_us", latency_json(s->hist));
		json_object_array_add(arr, o);
	} else {
		printf("sandbox %u (%s): %llu calls notified, %llu answered in the kernel, "
		       "%llu forwarded\n",
		       s->sandbox_id, s->name, (unsigned long long)s->stats[REDIRECT_STAT_NOTIFIED],
		       (unsigned long long)fast_path(s->stats),
		       (unsigned long long)s->stats[REDIRECT_STAT_FORWARDED]);
		printf("%-20s %9s %8s %8s %5s %9s %8s %6s %8s %8s %8s %8s %8s\n", "SYSCALL",
		       "NOTIFIED", "ERRNO", "VALUE", "KILL", "FORWARDED", "FALLBACK", "RACED",
		       "REPLAYED", "P50", "P90", "P99", "MAX");
		for (i = 0; i < n; i++)
			stats_row(syscall_name(st[i].nr, nb, sizeof(nb)), st[i].stats, st[i].hist);
		stats_row("total", s->stats, s->hist);
	}
	free(st);
	return EXIT_OK;
}

int cmd_stats(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_info *sbs = NULL, one;
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
		sbs = malloc(sizeof(*sbs));
		if (!sbs) {
			rc = fail(NULL, -ENOMEM, "stats");
			goto out;
		}
		sbs[0] = one;
		n = 1;
	} else {
		ret = redirect_ctl_sandboxes(ctl, &sbs, &n, &e);
		if (ret < 0) {
			rc = fail(e, ret, "listing sandboxes");
			goto out;
		}
	}
	if (o.json)
		arr = json_object_new_array();
	rc = EXIT_OK;
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		if (i && !o.json)
			printf("\n");
		rc = stats_one(ctl, &sbs[i], o.json, arr);
	}
	if (arr && rc == EXIT_OK)
		print_json(arr);
	else if (arr)
		json_object_put(arr);
	if (!n && !o.json)
		printf("(no sandboxes)\n");
out:
	free(sbs);
	redirect_ctl_close(ctl);
	return rc;
}
