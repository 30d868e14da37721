// SPDX-License-Identifier: GPL-2.0
/* redirectctl trace: the module's audit events as they happen. */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redirectctl.h"

/* trace gives up after this many failed reads in a row */
#define TRACE_MAX_ERRORS 10

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* Names of sandboxes seen in events, looked up once each. */
struct name_cache {
	uint32_t id;
	char name[REDIRECT_NAME_MAX];
	bool known;
};

static const char *event_sandbox_name(struct redirect_ctl *ctl, struct name_cache **cache,
				      size_t *n, uint32_t id)
{
	struct redirect_sandbox_info *info;
	struct name_cache *c;
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*cache)[i].id == id)
			return (*cache)[i].known ? (*cache)[i].name : NULL;
	c = realloc(*cache, (*n + 1) * sizeof(**cache));
	if (!c)
		return NULL;
	*cache = c;
	c = &c[(*n)++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	/* a sandbox that already ended has no name to show */
	if (redirect_ctl_sandbox(ctl, id, &info, NULL) == 0) {
		snprintf(c->name, sizeof(c->name), "%s", redirect_sandbox_info_name(info));
		redirect_sandbox_info_free(info);
		c->known = true;
	}
	return c->known ? c->name : NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_event(const struct redirect_event *ev, const char *name, bool json)
{
	char nb[64], vb[64], eb[32], ts[32];
	struct timespec rt;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &rt);
	localtime_r(&rt.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "time",
				       json_object_new_double((double)rt.tv_sec +
							      (double)rt.tv_nsec / 1e9));
		json_object_object_add(o, "sandbox_id", json_object_new_int64(ev->sandbox_id));
		json_object_object_add(o, "sandbox", name ? json_object_new_string(name) : NULL);
		json_object_object_add(o, "pid", json_object_new_int64(ev->pid));
		json_object_object_add(o, "nr", json_object_new_int64(ev->nr));
		json_object_object_add(o, "syscall",
				       json_object_new_string(
					       syscall_name(ev->nr, nb, sizeof(nb))));
		json_object_object_add(o, "action",
				       json_object_new_string(verdict_text(ev->verdict, ev->value,
									   vb, sizeof(vb))));
		json_object_object_add(o, "rule", json_object_new_int64(ev->rule));
		json_object_object_add(o, "dropped", json_object_new_int64((int64_t)ev->dropped));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return;
	}
	if (ev->dropped)
		printf("%s.%06ld --- %llu events dropped by the module's rate limit ---\n", ts,
		       rt.tv_nsec / 1000, (unsigned long long)ev->dropped);
	printf("%s.%06ld [%u %s] pid %u %s(...) = ", ts, rt.tv_nsec / 1000, ev->sandbox_id,
	       name ? name : "?", ev->pid, syscall_name(ev->nr, nb, sizeof(nb)));
	switch (ev->verdict) {
	case REDIRECT_VERDICT_ERRNO:
		printf("-1 %s (%s)", errno_name(ev->value, eb, sizeof(eb)),
		       ev->value > 0 && ev->value < 4096 ? strerror((int)ev->value) : "?");
		break;
	case REDIRECT_VERDICT_VALUE:
		printf("%lld", (long long)ev->value);
		break;
	case REDIRECT_VERDICT_KILL:
		printf("? +++ killed by SIGKILL +++");
		break;
	case REDIRECT_VERDICT_FORWARD:
		printf("? (forwarded to the Sentry)");
		break;
	default:
		printf("? (verdict %u)", ev->verdict);
	}
	printf(" <tier 1, rule %u>\n", ev->rule);
}

int cmd_trace(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_info *want = NULL;
	struct redirect_error *e = NULL;
	struct name_cache *cache = NULL;
	struct redirect_ctl *ctl;
	struct redirect_event ev;
	const char *filter_name = NULL;
	uint32_t filter_id = 0;
	size_t n_cache = 0;
	struct sigaction sa = { .sa_handler = on_stop };
	double deadline = 0;
	long seen = 0;
	struct opts o;
	int rc, ret, errors = 0;

	rc = parse_opts(cmd, "jct", argc, argv, 0, 1, &o);
	if (rc >= 0)
		return rc;
	if (o.nargs && (rc = check_sandbox_arg(cmd, o.args[0], &filter_id)) >= 0)
		return rc;
	if (o.nargs && !filter_id)
		filter_name = o.args[0];
	rc = open_ctl(cmd->name, &ctl);
	if (rc)
		return rc;
	ret = redirect_ctl_subscribe(ctl, &e);
	if (ret < 0) {
		redirect_ctl_close(ctl);
		return fail(e, ret, "subscribing to events");
	}
	/* an id must exist now; a name may belong to a sandbox still to come */
	if (filter_id && (rc = find_sandbox(cmd, ctl, o.args[0], &want)) >= 0) {
		redirect_ctl_close(ctl);
		return rc;
	}
	redirect_sandbox_info_free(want);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.timeout)
		deadline = now_s() + o.timeout;
	fprintf(stderr, "%s: tracing tier-1 decisions of audited rules%s%s (Ctrl-C to stop)\n",
		prog, o.nargs ? " of sandbox " : "", o.nargs ? o.args[0] : "");
	rc = EXIT_OK;
	while (!stop_signal && (!o.count || seen < o.count)) {
		int slice = 1000;
		const char *name;

		if (deadline) {
			double left = deadline - now_s();

			if (left <= 0)
				break;
			if (left * 1000 < slice)
				slice = (int)(left * 1000) + 1;
		}
		ret = redirect_ctl_next_event(ctl, &ev, slice, &e);
		if (ret == -EINTR) {
			redirect_error_free(e);
			e = NULL;
			continue;
		}
		if (ret < 0) {
			/* a receive-buffer overrun loses events but not the socket */
			if (++errors < TRACE_MAX_ERRORS) {
				msg("trace: %s (events may have been lost)",
				    e ? e->msg : strerror(-ret));
				redirect_error_free(e);
				e = NULL;
				continue;
			}
			rc = fail(e, ret, "reading events");
			e = NULL;
			break;
		}
		errors = 0;
		if (!ret)
			continue;
		if (filter_id && ev.sandbox_id != filter_id)
			continue;
		name = event_sandbox_name(ctl, &cache, &n_cache, ev.sandbox_id);
		if (filter_name && (!name || strcmp(name, filter_name)))
			continue;
		print_event(&ev, name, o.json);
		if (ferror(stdout)) {
			rc = EXIT_FAILED;
			break;
		}
		seen++;
	}
	if (rc == EXIT_OK && o.count && seen < o.count && !stop_signal) {
		msg("trace: timed out after %g s with %ld of %ld events", o.timeout, seen, o.count);
		rc = EXIT_FAILED;
	}
	free(cache);
	redirect_ctl_close(ctl);
	return rc;
}
