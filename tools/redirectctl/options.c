// SPDX-License-Identifier: GPL-2.0
/* redirectctl: the options every command shares, usage errors and each command's --help. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "redirectctl.h"

void msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s %s%s--help'.\n", prog, cmd ? cmd->name : "", cmd ? " " : "");
	return EXIT_USAGE;
}

void command_help(const struct command *cmd, FILE *f)
{
	fprintf(f, "Usage: %s %s %s\n%s\n", prog, cmd->name, cmd->synopsis, cmd->summary);
	if (cmd->options && *cmd->options)
		fprintf(f, "\n%s", cmd->options);
	fprintf(f, "\nExit status: 0 ok, 1 operation failed, 2 usage error,\n"
		   "3 redirect.ko not loaded or usersentry not running.\n");
}

static bool parse_number(const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > max)
		return false;
	*out = v;
	return true;
}

/* Returns -1 to go on, else an exit code (help printed, or a usage error). */
int parse_opts(const struct command *cmd, const char *accept, int argc, char **argv, int min_args,
	       int max_args, struct opts *o)
{
	enum { OPT_PFC = 256, OPT_STRICT };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'C' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "pfc", no_argument, NULL, OPT_PFC },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("REDIRECT_SOCKET");
	double v;
	int opt, idx;

	memset(o, 0, sizeof(*o));
	o->socket = env && *env ? env : DEFAULT_SOCKET;
	env = getenv("REDIRECT_CONTROL");
	o->control = env && *env ? env : NULL;
	env = getenv("REDIRECT_METRICS");
	o->metrics = env && *env ? env : NULL;
	optind = 0; /* GNU getopt: start over for this command's argv */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":js:C:m:c:t:h", longopts, &idx)) != -1) {
		const char *name = opt == '?' || opt == ':' ? argv[optind - 1] : NULL;

		if (opt == 'h')
			return command_help(cmd, stdout), EXIT_OK;
		if (opt == '?')
			return usage_error(cmd, "unknown option '%s'", name);
		if (opt == ':')
			return usage_error(cmd, "option '%s' needs a value", name);
		if (!strchr(accept, opt == OPT_PFC ? 'P' : opt == OPT_STRICT ? 'S' : opt)) {
			const struct option *lo = longopts;

			while (lo->name && lo->val != opt)
				lo++;
			return usage_error(cmd, "%s takes no option --%s", cmd->name, lo->name);
		}
		switch (opt) {
		case 'j':
			o->json = true;
			break;
		case 's':
			if (!*optarg ||
			    strlen(optarg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
				return usage_error(cmd, "--socket: path empty or too long");
			o->socket = optarg;
			break;
		case 'C':
			if (!*optarg ||
			    strlen(optarg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
				return usage_error(cmd, "--control: path empty or too long");
			o->control = optarg;
			break;
		case 'm':
			if (!*optarg ||
			    strlen(optarg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
				return usage_error(cmd, "--metrics: path empty or too long");
			o->metrics = optarg;
			break;
		case 'c':
			if (!parse_number(optarg, 1e9, &v) || v < 1 || v != (long)v)
				return usage_error(cmd,
						   "--count: '%s' is not a whole number "
						   "from 1 to 1000000000",
						   optarg);
			o->count = (long)v;
			break;
		case 't':
			if (!parse_number(optarg, 86400 * 365, &v) || v <= 0)
				return usage_error(cmd,
						   "--timeout: '%s' is not a number of "
						   "seconds above 0",
						   optarg);
			o->timeout = v;
			break;
		case OPT_PFC:
			o->pfc = true;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		}
	}
	o->nargs = argc - optind;
	o->args = argv + optind;
	if (o->nargs < min_args)
		return usage_error(cmd, "%s: missing argument (%s)", cmd->name, cmd->synopsis);
	if (o->nargs > max_args)
		return usage_error(cmd, "%s: unexpected argument '%s'", cmd->name,
				   o->args[max_args]);
	return -1;
}
