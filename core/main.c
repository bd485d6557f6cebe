/* SPDX-License-Identifier: MIT */
/* polychatd's entry point: command line, then configtest or run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <polychat/plugin.h>

#include "daemon.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: polychatd [-c FILE] [-p DIRS] [-t]\n"
		"  -c, --config FILE   configuration (default %s)\n"
		"  -p, --plugins DIRS  colon-separated plugin directories, overriding\n"
		"                      daemon.plugin_dir and the built-in %s\n"
		"                      (also $POLYCHAT_PLUGIN_PATH)\n"
		"  -t, --configtest    check the configuration and its plugins, then exit\n"
		"  -V, --version       print the version and plugin ABI\n"
		"  -h, --help          this text\n"
		"polychatd runs in the foreground and logs to stderr; readiness lines\n"
		"\"listening on ADDR:PORT suite=NAME listener=NAME\" go to stdout.\n"
		"SIGHUP reloads the configuration, SIGTERM/SIGINT stop the daemon.\n",
		PC_DEFAULT_CONFIG, PC_PLUGIN_DIR);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "plugins", required_argument, NULL, 'p' },
		{ "configtest", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = PC_DEFAULT_CONFIG;
	const char *plugins = getenv("POLYCHAT_PLUGIN_PATH");
	int configtest = 0, c;

	while ((c = getopt_long(argc, argv, "c:p:tVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'p': plugins = optarg; break;
		case 't': configtest = 1; break;
		case 'V':
			printf("polychatd %s (plugin ABI %d.%d)\n", PACKAGE_VERSION,
				POLYCHAT_ABI_MAJOR, POLYCHAT_ABI_MINOR);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (plugins && !plugins[0])
		plugins = NULL;
	return configtest ? pc_daemon_configtest(config, plugins)
		: pc_daemon_run(config, plugins);
}
