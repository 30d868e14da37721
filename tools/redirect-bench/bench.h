/* SPDX-License-Identifier: GPL-2.0 */
/* redirect-bench: what its files share (the calls, the modes, the options, the figures). */
#ifndef REDIRECT_BENCH_H
#define REDIRECT_BENCH_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../libredirect/seccomp_compat.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_REPS 64
#define MAX_THREADS 64

enum call { CALL_GETPPID, CALL_UNAME, CALL_OPENAT, CALL_STAT, CALL_READ, CALL_CONNECT, CALL_COUNT };

enum mode {
	MODE_NATIVE,
	MODE_TIER0_ALLOW,
	MODE_TIER0_ERRNO,
	MODE_TIER1,
	MODE_BROKER,
	MODE_AGENT,
	MODE_AGENT_SYNC,
	MODE_SENTRY,
	MODE_COUNT
};

extern const struct call_desc {
	const char *name;
	int nr; /* the one trapped system call */
	const char *what;
} calls_desc[CALL_COUNT];

extern const struct mode_desc {
	const char *name;
	const char *what;
} modes_desc[MODE_COUNT];

/* What every call must answer in a mode: the bench checks each one. */
enum expect { EXPECT_SUCCESS, EXPECT_ONE, EXPECT_EPERM };

/* ---- measure.c: the measured calls ---- */

/* Where the modes can run; set in main. */
extern bool have_module, have_sync, have_sentry;
extern const char *sentry_socket, *sentry_policy, *redirect_run;
extern char file_path[PATH_MAX];
extern uint16_t udp_port;
/* Requests fetched and broker calls made, for the mean batch size. */
extern unsigned long broker_requests, broker_calls;

void die(const char *what) __attribute__((noreturn));
void fail_usage(const char *fmt, const char *arg) __attribute__((noreturn));
uint64_t timed_loop(enum call call, enum expect expect, long calls, int threads, long *wrong);
/* One run of mode: nanoseconds per call (total time / calls per thread). */
double run_once(enum mode mode, enum call call, long calls, int threads);
bool probe_sync_wakeup(void);

/* ---- report.c: the figures ---- */

struct options {
	long calls, fwd_calls, scale_calls;
	int reps;
	bool want_call[CALL_COUNT], want_mode[MODE_COUNT];
	int scale_threads[16], n_scale;
	bool json;
};

void run_micro(const struct options *o);
void run_scaling(const struct options *o);
void print_json(const struct options *o);
void print_text(const struct options *o);

#endif
