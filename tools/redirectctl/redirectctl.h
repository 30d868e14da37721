/* SPDX-License-Identifier: GPL-2.0 */
/* redirectctl: what its files share (the command table, options, lookups, formats). */
#ifndef REDIRECTCTL_H
#define REDIRECTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libredirect.h"

struct json_object;

#define DEFAULT_SOCKET REDIRECT_AGENT_SOCKET
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes, documented in --help and redirectctl(8). */
#define EXIT_OK 0
#define EXIT_FAILED 1 /* the operation failed */
#define EXIT_USAGE 2 /* bad command line */
#define EXIT_UNAVAILABLE 3 /* redirect.ko not loaded, or usersentry not running */

/* Kernel stats slot that collects calls with no per-number slot (kmod/stats.h). */
#define STATS_OTHER_NR 511

extern const char *const prog;

/* ---- the command line (main.c, options.c) ---- */

struct command {
	const char *name;
	int (*run)(const struct command *cmd, int argc, char **argv);
	const char *synopsis;
	const char *summary;
	const char *options;
};

/*
 * Options common to the commands; each command accepts the subset named in
 * its `accept` string (short option letters).
 */
struct opts {
	bool json;
	const char *socket;
	const char *control; /* NULL: the one beside socket */
	const char *metrics;
	long count; /* trace: stop after this many events; 0: no limit */
	double timeout; /* trace: stop after this many seconds; 0: no limit */
	bool pfc;
	bool strict; /* policy check: unknown profile keys are errors */
	int nargs;
	char **args;
};

void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void command_help(const struct command *cmd, FILE *f);
/* Returns -1 to go on, else an exit code (help printed, or a usage error). */
int parse_opts(const struct command *cmd, const char *accept, int argc, char **argv, int min_args,
	       int max_args, struct opts *o);

/* ---- the module's control plane (ctl.c) ---- */

int fail(struct redirect_error *e, int ret, const char *what);
int open_ctl(const char *what, struct redirect_ctl **ctl);
int check_sandbox_arg(const struct command *cmd, const char *arg, uint32_t *id);
int find_sandbox(const struct command *cmd, struct redirect_ctl *ctl, const char *arg,
		 struct redirect_sandbox_info **info);

/* ---- text and JSON (format.c) ---- */

#define NR_PERCENTILES 4
extern const double percentiles[NR_PERCENTILES];

const char *syscall_name(uint32_t nr, char *buf, size_t size);
const char *fail_mode_name(uint32_t mode);
const char *errno_name(int64_t e, char *buf, size_t size);
const char *verdict_text(uint32_t verdict, int64_t value, char *buf, size_t size);
uint64_t hist_percentile(const struct redirect_counters *c, double p);
const char *latency_text(uint64_t us, char *buf, size_t size);
struct json_object *latency_json(const struct redirect_counters *c);
struct json_object *stats_json(const struct redirect_counters *c);
/* One of the module's counters (0 when the library does not know it). */
uint64_t counter(const struct redirect_counters *c, enum redirect_stat k);
void print_json(struct json_object *o);

/* ---- usersentry's control and metrics sockets (daemon.c) ---- */

int ask_daemon(const struct opts *o, enum redirect_control_op op, struct json_object **answerp,
	       struct redirect_error **err);
int64_t answer_int(struct json_object *a, const char *key);
const char *answer_str(struct json_object *a, const char *key);
bool daemon_absent(int ret);
int read_metrics(const char *path, char *mode, size_t mode_size, long *sandboxes,
		 struct redirect_error **err);

/* ---- the commands, one file each (main.c holds their help) ---- */

int cmd_status(const struct command *cmd, int argc, char **argv);
int cmd_sandboxes(const struct command *cmd, int argc, char **argv);
int cmd_stats(const struct command *cmd, int argc, char **argv);
int cmd_daemon(const struct command *cmd, int argc, char **argv);
int cmd_trace(const struct command *cmd, int argc, char **argv);
int rules_show(const struct command *cmd, int argc, char **argv);
int rules_load(const struct command *cmd, int argc, char **argv);
int rules_clear(const struct command *cmd, int argc, char **argv);
int rules_reload(const struct command *cmd, int argc, char **argv);
int policy_check(const struct command *cmd, int argc, char **argv);

#endif
