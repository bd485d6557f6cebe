/* SPDX-License-Identifier: MIT */
/* polychatctl's entry point: the command line, then one user or token command. */
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <polychat/plugin.h>

#include "ctl.h"
#include "../core/options.h"

/* The options a command takes. */
#define OPT_ADMIN 0x1u
#define OPT_PASSWORD 0x2u      /* --password-file, --random */
#define OPT_LIMIT 0x4u

struct command {
	const char *group;
	const char *name;
	const char *usage;
	unsigned opts;
	int min_args, max_args;
	ctl_cmd_fn *fn;
};

static const struct command commands[] = {
	{ "user", "add", "NAME [--admin] [--password-file FILE | --random]",
		OPT_ADMIN | OPT_PASSWORD, 1, 1, ctl_user_add },
	{ "user", "show", "NAME", 0, 1, 1, ctl_user_show },
	{ "user", "list", "", 0, 0, 0, ctl_user_list },
	{ "user", "remove", "NAME", 0, 1, 1, ctl_user_remove },
	{ "user", "passwd", "NAME [--password-file FILE | --random]",
		OPT_PASSWORD, 1, 1, ctl_user_passwd },
	{ "user", "admin", "NAME on|off", 0, 2, 2, ctl_user_admin },
	{ "user", "ban", "NAME on|off", 0, 2, 2, ctl_user_ban },
	{ "token", "list", "[NAME] [--limit N]", OPT_LIMIT, 0, 1, ctl_token_list },
	{ "token", "revoke", "TOKEN", 0, 1, 1, ctl_token_revoke },
	{ "token", "revoke-user", "NAME", 0, 1, 1, ctl_token_revoke_user },
	{ "token", "remove", "TOKEN", 0, 1, 1, ctl_token_remove },
	{ "token", "purge", "", 0, 0, 0, ctl_token_purge },
	{ "audit", "list", "NAME [--limit N]", OPT_LIMIT, 1, 1, ctl_audit_list },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: polychatctl [-c FILE] [-p DIRS] [-l LISTENER] COMMAND ARGS...\n"
		"  -c, --config FILE     configuration (default %s)\n"
		"  -p, --plugins DIRS    colon-separated plugin directories, overriding\n"
		"                        daemon.plugin_dir and the built-in %s\n"
		"                        (also $POLYCHAT_PLUGIN_PATH)\n"
		"  -l, --listener NAME   the listener whose realm, store and auth method\n"
		"                        are used (default: the only one with both an\n"
		"                        auth method and a store)\n"
		"  -V, --version         print the version and plugin ABI\n"
		"  -h, --help            this text\n"
		"commands:\n", PC_DEFAULT_CONFIG, PC_PLUGIN_DIR);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %s %s%s%s\n", commands[i].group, commands[i].name,
			commands[i].usage[0] ? " " : "", commands[i].usage);
	fprintf(out,
		"A new password comes from --random (printed once), --password-file\n"
		"(its first line; - is stdin), $POLYCHAT_PASSWORD, or the terminal.\n"
		"Exit status: 0 done, 1 the operation failed, 2 a usage, configuration\n"
		"or password input error.\n");
}

static const struct command *find_command(const char *group, const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(group, commands[i].group) == 0 &&
		    strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* ctl_usage_error - see ctl.h. */
int ctl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("polychatctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	char group[16];
	const char *space = strchr(cmd, ' ');
	if (space && (size_t)(space - cmd) < sizeof(group)) {
		snprintf(group, sizeof(group), "%.*s", (int)(space - cmd), cmd);
		const struct command *c = find_command(group, space + 1);
		if (c)
			fprintf(stderr, "usage: polychatctl [OPTIONS] %s%s%s\n", cmd,
				c->usage[0] ? " " : "", c->usage);
	}
	return CTL_USAGE;
}

/* A --limit: a decimal 1..UINT_MAX. */
static int parse_limit(const char *s, unsigned *out)
{
	int64_t v;
	if (s[0] < '0' || s[0] > '9' || pc_options_parse_decimal(s, &v) != 0 ||
	    v < 1 || v > UINT_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Read a command's options and positional arguments (argv[0] is its name)
 * into `a`. Returns CTL_OK, or CTL_USAGE after saying what is wrong. */
static int parse_args(const struct command *c, int argc, char **argv,
	struct ctl_args *a)
{
	static const struct option longopts[] = {
		{ "admin", no_argument, NULL, 'a' },
		{ "password-file", required_argument, NULL, 'f' },
		{ "random", no_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	/* 0 makes getopt start over (GNU); our messages replace its own. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		const char *given = argv[optind - 1];
		unsigned need = opt == 'a' ? OPT_ADMIN
			: opt == 'f' || opt == 'r' ? OPT_PASSWORD
			: opt == 'n' ? OPT_LIMIT : 0;
		if (opt == ':')
			return ctl_usage_error(a->cmd, "%s needs a value", given);
		if (!(c->opts & need))
			return ctl_usage_error(a->cmd, "unknown option '%s'", given);
		switch (opt) {
		case 'a': a->admin = 1; break;
		case 'r': a->random = 1; break;
		case 'f': a->password_file = optarg; break;
		case 'n':
			if (parse_limit(optarg, &a->limit) != 0)
				return ctl_usage_error(a->cmd,
					"--limit takes a number from 1 to %u, not '%s'",
					UINT_MAX, optarg);
			break;
		}
	}
	if (a->random && a->password_file)
		return ctl_usage_error(a->cmd,
			"--random and --password-file exclude each other");
	int n = argc - optind;
	if (n < c->min_args || n > c->max_args) {
		if (c->min_args == c->max_args)
			return ctl_usage_error(a->cmd, "expected %d argument%s, got %d",
				c->min_args, c->min_args == 1 ? "" : "s", n);
		return ctl_usage_error(a->cmd, "expected %d to %d arguments, got %d",
			c->min_args, c->max_args, n);
	}
	for (int i = 0; i < n; i++) {
		if (argv[optind + i][0] == '\0')
			return ctl_usage_error(a->cmd, "an argument is empty");
		a->arg[i] = argv[optind + i];
	}
	a->n_args = n;
	return CTL_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "plugins", required_argument, NULL, 'p' },
		{ "listener", required_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = {
		.config_path = PC_DEFAULT_CONFIG,
		.plugin_path = getenv("POLYCHAT_PLUGIN_PATH"),
	};
	int c;

	/* "+": the global options end at the command, whose own options
	 * parse_args reads. */
	while ((c = getopt_long(argc, argv, "+c:p:l:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': ctl.config_path = optarg; break;
		case 'p': ctl.plugin_path = optarg; break;
		case 'l': ctl.listener_name = optarg; break;
		case 'V':
			printf("polychatctl %s (plugin ABI %d.%d)\n", PACKAGE_VERSION,
				POLYCHAT_ABI_MAJOR, POLYCHAT_ABI_MINOR);
			return CTL_OK;
		case 'h': usage(stdout); return CTL_OK;
		default: usage(stderr); return CTL_USAGE;
		}
	}
	if (ctl.plugin_path && !ctl.plugin_path[0])
		ctl.plugin_path = NULL;
	if (argc - optind < 2) {
		usage(stderr);
		return CTL_USAGE;
	}
	const struct command *cmd = find_command(argv[optind], argv[optind + 1]);
	if (!cmd) {
		fprintf(stderr, "polychatctl: unknown command '%s %s'\n",
			argv[optind], argv[optind + 1]);
		usage(stderr);
		return CTL_USAGE;
	}
	char name[32];
	snprintf(name, sizeof(name), "%s %s", cmd->group, cmd->name);
	struct ctl_args args = { .cmd = name, .limit = UINT_MAX };
	int rc = parse_args(cmd, argc - optind - 1, argv + optind + 1, &args);
	if (rc == CTL_OK)
		rc = cmd->fn(&ctl, &args);
	ctl_close(&ctl);
	if (fflush(stdout) != 0 && rc == CTL_OK) {
		fprintf(stderr, "polychatctl: cannot write the output\n");
		rc = CTL_FAILED;
	}
	return rc;
}
