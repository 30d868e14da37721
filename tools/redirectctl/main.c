// SPDX-License-Identifier: GPL-2.0
/* redirectctl: inspect and steer redirect (module, sandboxes, stats, trace, rules, policies). */
#include <stdio.h>
#include <string.h>

#include "redirectctl.h"

const char *const prog = "redirectctl";

static const struct command rules_commands[] = {
	{ "show", rules_show, "[--json] SANDBOX",
	  "Print a sandbox's tier-1 rules as the module holds them, with hit counts.",
	  "  -j, --json    JSON: {id, name, generation, rules: [...]}\n" },
	{ "load", rules_load, "SANDBOX POLICY-FILE",
	  "Compile a policy file's tier-1 rules (redirect.rules) and set them on a sandbox.\n"
	  "usersentry sets its policy's rules again when it reloads (rules reload).",
	  "" },
	{ "clear", rules_clear, "SANDBOX",
	  "Remove every tier-1 rule of a sandbox: its calls go to the Sentry.", "" },
	{ "reload", rules_reload, "[--socket PATH] [--control PATH]",
	  "Have the running usersentry reload its policies (on its control socket) and\n"
	  "say what it did: it sets each sandbox's tier-1 rules again; a sandbox whose\n"
	  "filter notifies calls the new policy does not keeps the old handlers for them.\n"
	  "Exits 1 when the default policy (--policy) could not be reloaded.",
	  "  -s, --socket PATH   agent socket (default: $REDIRECT_SOCKET or " DEFAULT_SOCKET ")\n"
	  "  -C, --control PATH  its control socket (default: $REDIRECT_CONTROL, else beside\n"
	  "                      the agent socket, see 'redirectctl status --help')\n" },
};

static const struct command policy_commands[] = {
	{ "check", policy_check, "[--pfc] [--strict] POLICY-FILE",
	  "Load and compile a policy as usersentry would: tier 0 through libseccomp, the\n"
	  "tier-1 rules, the Sentry's sections. Works without the module. A key that no\n"
	  "seccomp profile format defines is ignored with a notice, as the engines do.",
	  "      --pfc     print the compiled filter (libseccomp PFC) instead of a summary\n"
	  "      --strict  refuse keys that no seccomp profile format defines\n" },
};

static int run_group(const struct command *group, const struct command *table, size_t n, int argc,
		     char **argv);

static int cmd_rules(const struct command *cmd, int argc, char **argv)
{
	return run_group(cmd, rules_commands, ARRAY_SIZE(rules_commands), argc, argv);
}

static int cmd_policy(const struct command *cmd, int argc, char **argv)
{
	return run_group(cmd, policy_commands, ARRAY_SIZE(policy_commands), argc, argv);
}

static const struct command commands[] = {
	{ "status", cmd_status, "[--json] [--socket PATH] [--control PATH] [--metrics PATH]",
	  "Is redirect.ko loaded, which API version and features does it offer, is\n"
	  "usersentry running (asked on its control socket), in which mode, how many\n"
	  "sandboxes are there, how many reloads it did and how many sandboxes keep\n"
	  "their old policy's handlers for calls their filter notifies.\n"
	  "Exits 0 when usersentry runs, 3 when it does not, 1 when the module is\n"
	  "present but cannot be talked to or the metrics socket does not answer.",
	  "  -j, --json            JSON object (\"daemon\": the control socket's answer)\n"
	  "  -s, --socket PATH     usersentry's agent socket\n"
	  "                        (default: $REDIRECT_SOCKET or " DEFAULT_SOCKET ")\n"
	  "  -C, --control PATH    its control socket (default: $REDIRECT_CONTROL, else\n"
	  "                        " REDIRECT_CONTROL_SOCKET " beside the default socket,\n"
	  "                        or the socket's path + .control)\n"
	  "  -m, --metrics PATH    usersentry's metrics socket (its --metrics): checked to\n"
	  "                        answer (default: $REDIRECT_METRICS, else not asked)\n" },
	{ "sandboxes", cmd_sandboxes, "[--json]",
	  "List the module's sandboxes: id, name, owned or in custody, fail mode, calls\n"
	  "pending, delivered and waiting for replay, rules generation, call counts.",
	  "  -j, --json    JSON array\n" },
	{ "daemon", cmd_daemon, "[--json] [--socket PATH] [--control PATH]",
	  "usersentry's own view, asked on its control socket (works in portable mode\n"
	  "too): each sandbox it serves, with its container id, pid, policy, whether it\n"
	  "was adopted after a restart, calls served, and the calls for which a reload\n"
	  "kept the old policy's handlers (the policy would have changed what the\n"
	  "sandbox's filter notifies).",
	  "  -j, --json            JSON array\n"
	  "  -s, --socket PATH     usersentry's agent socket\n"
	  "                        (default: $REDIRECT_SOCKET or " DEFAULT_SOCKET ")\n"
	  "  -C, --control PATH    its control socket (default: $REDIRECT_CONTROL, else\n"
	  "                        " REDIRECT_CONTROL_SOCKET " beside the default socket,\n"
	  "                        or the socket's path + .control)\n" },
	{ "stats", cmd_stats, "[--json] [SANDBOX]",
	  "Per-syscall counters of one sandbox (id or name), or of each: notifications,\n"
	  "tier-1 verdicts (errno, value, kill), forwards, fallbacks, races, replays, and\n"
	  "the latency of forwarded calls (histogram bucket bounds: under 2^k us).",
	  "  -j, --json    JSON array, one object per sandbox\n" },
	{ "trace", cmd_trace, "[--json] [--count N] [--timeout S] [SANDBOX]",
	  "Print the module's audit events as they happen, one strace-like line each:\n"
	  "tier-1 decisions of rules with \"audit\": true. A SANDBOX given by name matches\n"
	  "while that sandbox exists; one given by id must exist. Stops on SIGINT.",
	  "  -j, --json          one JSON object per line\n"
	  "  -c, --count N       stop after N events (exit 1 if the timeout comes first)\n"
	  "  -t, --timeout S     stop after S seconds\n" },
	{ "rules", cmd_rules, "show|load|clear|reload ...",
	  "Tier-1 rules of sandboxes: show, load from a policy file, clear, or have\n"
	  "usersentry reload its policies. 'redirectctl rules CMD --help' for each.",
	  "" },
	{ "policy", cmd_policy, "check [--pfc] POLICY-FILE",
	  "Check a policy file. 'redirectctl policy check --help'.", "" },
};

static void main_help(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s COMMAND [OPTIONS] [ARGS]\n"
		"Inspect and steer redirect: the module, its sandboxes, statistics, audit\n"
		"events, tier-1 rules, and policies.\n\nCommands:\n",
		prog);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].synopsis);
	fprintf(f,
		"\n'%s COMMAND --help' describes each. Options: -h, --help; -V, --version.\n"
		"\nExit status:\n"
		"  0  success\n"
		"  1  the operation failed (the message says why)\n"
		"  2  usage error\n"
		"  3  redirect.ko is not loaded (portable mode), or usersentry is not running\n",
		prog);
}

static int dispatch(const struct command *table, size_t n, const struct command *parent, int argc,
		    char **argv)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(argv[0], table[i].name))
			return table[i].run(&table[i], argc, argv);
	if (parent)
		return usage_error(parent, "%s: unknown command '%s'", parent->name, argv[0]);
	return usage_error(NULL, "unknown command '%s'", argv[0]);
}

static int run_group(const struct command *group, const struct command *table, size_t n, int argc,
		     char **argv)
{
	size_t i;

	if (argc < 2) {
		usage_error(group, "%s: missing command (%s)", group->name, group->synopsis);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("Usage: %s %s %s\n%s\n\nCommands:\n", prog, group->name, group->synopsis,
		       group->summary);
		for (i = 0; i < n; i++)
			printf("  %s %-8s %s\n", group->name, table[i].name, table[i].synopsis);
		return EXIT_OK;
	}
	if (argv[1][0] == '-')
		return usage_error(group, "%s: unknown option '%s'", group->name, argv[1]);
	for (i = 0; i < n; i++) {
		if (!strcmp(argv[1], table[i].name)) {
			/* "rules show": help and messages name both words */
			struct command sub = table[i];
			char name[64];

			snprintf(name, sizeof(name), "%s %s", group->name, table[i].name);
			sub.name = name;
			return sub.run(&sub, argc - 1, argv + 1);
		}
	}
	return dispatch(table, 0, group, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	redirect_set_notice_fn(NULL, NULL);
	if (argc < 2) {
		main_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		main_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("redirectctl %s (API version %u)\n", redirect_version(),
		       REDIRECT_API_VERSION);
		return EXIT_OK;
	}
	if (argv[1][0] == '-')
		return usage_error(NULL, "unknown option '%s'", argv[1]);
	return dispatch(commands, ARRAY_SIZE(commands), NULL, argc - 1, argv + 1);
}
