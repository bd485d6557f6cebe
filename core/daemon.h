/* SPDX-License-Identifier: MIT */
/* The running daemon: its stores and listeners, reload by whole-set swap, shutdown. */
#ifndef PC_DAEMON_H
#define PC_DAEMON_H

/* Load and check `config_path` and the plugins it names without binding or
 * opening anything; print "configuration OK" or every error with its
 * file:line:col. `plugin_path` (colon-separated, or NULL) overrides the
 * configured plugin directory. Returns the process exit code. */
int pc_daemon_configtest(const char *config_path, const char *plugin_path);

/* Run the daemon in the foreground until SIGTERM/SIGINT; SIGHUP reloads.
 * Returns the process exit code. */
int pc_daemon_run(const char *config_path, const char *plugin_path);

#endif /* PC_DAEMON_H */
