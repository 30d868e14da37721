// SPDX-License-Identifier: GPL-2.0
/* redirect-bench: the figures: repetitions run interleaved, summarised, and reported as text or JSON. */
#include <linux/redirect.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* ---- statistics --------------------------------------------------------- */

struct figure {
	bool ok;
	double median, min, max, p25, p75;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile by linear interpolation between closest ranks. */
static double quantile(const double *v, int n, double q)
{
	double pos = q * (n - 1);
	int lo = (int)pos;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (pos - lo) * (v[lo + 1] - v[lo]);
}

static struct figure summarize(double *v, int n)
{
	struct figure f = { .ok = true };

	qsort(v, n, sizeof(v[0]), cmp_double);
	f.median = quantile(v, n, 0.5);
	f.p25 = quantile(v, n, 0.25);
	f.p75 = quantile(v, n, 0.75);
	f.min = v[0];
	f.max = v[n - 1];
	return f;
}

/* ---- what runs ---------------------------------------------------------- */

/* Whether @mode can measure @call here; if not, why (for the report). */
static const char *unavailable(enum mode mode, enum call call)
{
	switch (mode) {
	case MODE_TIER1:
	case MODE_BROKER:
		return have_module ? NULL : "no /dev/redirect";
	case MODE_AGENT_SYNC:
		return have_sync ? NULL : "kernel lacks SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP";
	case MODE_SENTRY:
		if (!have_sentry)
			return "no --usersentry socket given";
		/* sentry-bench.json notifies these */
		return call == CALL_UNAME || call == CALL_OPENAT || call == CALL_STAT ||
				       call == CALL_CONNECT ?
			       NULL :
			       "not notified under the bench policy (no usersentry handler)";
	default:
		return NULL;
	}
}

static bool forwarded(enum mode m)
{
	return m >= MODE_BROKER;
}

static struct figure micro[CALL_COUNT][MODE_COUNT];
static struct figure scaling[MODE_COUNT][16];
static double batch_size[16];

void run_micro(const struct options *o)
{
	static double v[CALL_COUNT][MODE_COUNT][MAX_REPS];
	int c, m, r;

	for (r = 0; r < o->reps; r++)
		for (c = 0; c < CALL_COUNT; c++)
			for (m = 0; m < MODE_COUNT; m++) {
				if (!o->want_call[c] || !o->want_mode[m] || unavailable(m, c))
					continue;
				v[c][m][r] =
					run_once(m, c, forwarded(m) ? o->fwd_calls : o->calls, 1);
			}
	for (c = 0; c < CALL_COUNT; c++)
		for (m = 0; m < MODE_COUNT; m++)
			if (o->want_call[c] && o->want_mode[m] && !unavailable(m, c))
				micro[c][m] = summarize(v[c][m], o->reps);
}

/* getppid throughput with N trapped threads: one agent serving them all. */
static const enum mode scale_modes[] = { MODE_NATIVE, MODE_AGENT, MODE_AGENT_SYNC, MODE_BROKER };

void run_scaling(const struct options *o)
{
	static double v[MODE_COUNT][16][MAX_REPS];
	unsigned long req0, calls0;
	size_t i;
	int t, r;

	for (t = 0; t < o->n_scale; t++) {
		for (r = 0; r < o->reps; r++)
			for (i = 0; i < ARRAY_SIZE(scale_modes); i++) {
				enum mode m = scale_modes[i];
				int n = o->scale_threads[t];
				long calls = m == MODE_NATIVE ? o->calls : o->scale_calls;

				if (!o->want_mode[m] || unavailable(m, CALL_GETPPID))
					continue;
				req0 = broker_requests;
				calls0 = broker_calls;
				/* calls per second over all threads */
				v[m][t][r] = 1e9 * n / run_once(m, CALL_GETPPID, calls, n);
				if (m == MODE_BROKER && broker_calls > calls0)
					batch_size[t] += (double)(broker_requests - req0) /
							 (broker_calls - calls0) / o->reps;
			}
		for (i = 0; i < ARRAY_SIZE(scale_modes); i++)
			if (o->want_mode[scale_modes[i]] &&
			    !unavailable(scale_modes[i], CALL_GETPPID))
				scaling[scale_modes[i]][t] =
					summarize(v[scale_modes[i]][t], o->reps);
	}
}

/* ---- output ------------------------------------------------------------- */

static void json_figure(const char *key, struct figure f)
{
	printf("\"%s\": {\"median\": %.1f, \"min\": %.1f, \"max\": %.1f, \"p25\": %.1f, "
	       "\"p75\": %.1f}",
	       key, f.median, f.min, f.max, f.p25, f.p75);
}

/* A row's status: "n/a" with why, the row closed (false), else "ok" (true). */
static bool json_status(const char *why)
{
	if (why) {
		printf("\"status\": \"n/a\", \"reason\": \"%s\"}", why);
		return false;
	}
	printf("\"status\": \"ok\", ");
	return true;
}

void print_json(const struct options *o)
{
	struct utsname u;
	bool first = true;
	int c, m, t;

	uname(&u);
	printf("{\n  \"bench\": \"redirect-bench\", \"format\": 2,\n");
	printf("  \"kernel\": \"%s\", \"machine\": \"%s\", \"cpus\": %ld,\n", u.release, u.machine,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("  \"module\": %s, \"sync_wakeup\": %s, \"usersentry\": %s,\n",
	       have_module ? "true" : "false", have_sync ? "true" : "false",
	       have_sentry ? "true" : "false");
	printf("  \"calls_per_run\": %ld, \"forwarded_calls_per_run\": %ld, "
	       "\"scaling_calls_per_thread\": %ld, \"reps\": %d,\n",
	       o->calls, o->fwd_calls, o->scale_calls, o->reps);
	printf("  \"modes\": {");
	for (m = 0; m < MODE_COUNT; m++)
		printf("%s\n    \"%s\": \"%s\"", m ? "," : "", modes_desc[m].name,
		       modes_desc[m].what);
	printf("\n  },\n  \"calls\": {");
	for (c = 0; c < CALL_COUNT; c++)
		printf("%s\n    \"%s\": \"%s\"", c ? "," : "", calls_desc[c].name,
		       calls_desc[c].what);
	printf("\n  },\n  \"micro\": [");
	for (c = 0; c < CALL_COUNT; c++) {
		double native = micro[c][MODE_NATIVE].median;

		if (!o->want_call[c])
			continue;
		for (m = 0; m < MODE_COUNT; m++) {
			const char *why = unavailable(m, c);

			if (!o->want_mode[m])
				continue;
			printf("%s\n    {\"call\": \"%s\", \"mode\": \"%s\", ", first ? "" : ",",
			       calls_desc[c].name, modes_desc[m].name);
			first = false;
			if (!json_status(why))
				continue;
			json_figure("ns_per_call", micro[c][m]);
			if (native)
				printf(", \"x_native\": %.3f, \"x_native_min\": %.3f, "
				       "\"x_native_max\": %.3f",
				       micro[c][m].median / native, micro[c][m].min / native,
				       micro[c][m].max / native);
			printf("}");
		}
	}
	printf("\n  ],\n  \"scaling\": [");
	first = true;
	for (t = 0; t < o->n_scale; t++) {
		double agent = scaling[MODE_AGENT][t].median;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(scale_modes); i++) {
			enum mode sm = scale_modes[i];
			const char *why = unavailable(sm, CALL_GETPPID);

			if (!o->want_mode[sm])
				continue;
			printf("%s\n    {\"call\": \"getppid\", \"mode\": \"%s\", \"threads\": %d, ",
			       first ? "" : ",", modes_desc[sm].name, o->scale_threads[t]);
			first = false;
			if (!json_status(why))
				continue;
			json_figure("calls_per_s", scaling[sm][t]);
			if (agent)
				printf(", \"x_plain_agent\": %.3f", scaling[sm][t].median / agent);
			if (sm == MODE_BROKER)
				printf(", \"requests_per_batch\": %.2f", batch_size[t]);
			printf("}");
		}
	}
	printf("\n  ]\n}\n");
}

void print_text(const struct options *o)
{
	static const enum mode cols[] = { MODE_AGENT, MODE_AGENT_SYNC, MODE_BROKER };
	size_t i;
	int c, m, t;

	for (c = 0; c < CALL_COUNT; c++) {
		double native = micro[c][MODE_NATIVE].median;

		if (!o->want_call[c])
			continue;
		printf("%-26s %12s %12s %12s %10s\n", calls_desc[c].name, "ns/call", "min", "max",
		       "x native");
		for (m = 0; m < MODE_COUNT; m++) {
			const char *why = unavailable(m, c);

			if (!o->want_mode[m])
				continue;
			if (why) {
				printf("  %-24s n/a: %s\n", modes_desc[m].name, why);
				continue;
			}
			printf("  %-24s %12.1f %12.1f %12.1f", modes_desc[m].name,
			       micro[c][m].median, micro[c][m].min, micro[c][m].max);
			if (native)
				printf(" %10.2f", micro[c][m].median / native);
			printf("\n");
		}
		printf("\n");
	}
	if (o->want_call[CALL_GETPPID] && micro[CALL_GETPPID][MODE_TIER1].ok &&
	    micro[CALL_GETPPID][MODE_AGENT].ok && micro[CALL_GETPPID][MODE_NATIVE].ok)
		printf("tier1 is %.1fx cheaper than the plain agent round trip; %.2fx native\n",
		       micro[CALL_GETPPID][MODE_AGENT].median /
			       micro[CALL_GETPPID][MODE_TIER1].median,
		       micro[CALL_GETPPID][MODE_TIER1].median /
			       micro[CALL_GETPPID][MODE_NATIVE].median);
	if (o->want_call[CALL_GETPPID] && micro[CALL_GETPPID][MODE_BROKER].ok &&
	    micro[CALL_GETPPID][MODE_AGENT].ok)
		printf("broker forwarding: %.2fx the plain agent's time per call\n",
		       micro[CALL_GETPPID][MODE_BROKER].median /
			       micro[CALL_GETPPID][MODE_AGENT].median);
	if (!o->n_scale)
		return;
	printf("\ngetppid calls/s %8s %14s %14s %14s %10s\n", "threads", "plain agent",
	       "agent+sync", "broker", "batch");
	for (t = 0; t < o->n_scale; t++) {
		printf("%24d", o->scale_threads[t]);
		for (i = 0; i < ARRAY_SIZE(cols); i++) {
			if (scaling[cols[i]][t].ok)
				printf(" %14.0f", scaling[cols[i]][t].median);
			else
				printf(" %14s", "n/a");
		}
		if (scaling[MODE_BROKER][t].ok)
			printf(" %10.2f", batch_size[t]);
		printf("\n");
	}
	for (t = 0; t < o->n_scale; t++)
		if (scaling[MODE_BROKER][t].ok && scaling[MODE_AGENT][t].ok)
			printf("%d threads: broker %.2fx the plain agent's throughput\n",
			       o->scale_threads[t],
			       scaling[MODE_BROKER][t].median / scaling[MODE_AGENT][t].median);
}
