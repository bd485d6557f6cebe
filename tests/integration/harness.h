/* SPDX-License-Identifier: MIT */
/* Integration-test harness: run the real polychatd and talk to it over loopback. */
#ifndef PC_HARNESS_H
#define PC_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#define H_TIMEOUT_MS 10000  /* bound on every wait; nothing is timed */

struct h_daemon {
	pid_t pid;
	int out_fd;             /* its stdout: readiness lines */
	char dir[256];          /* private temp dir: config, state, stderr log */
	char config[300];
	char errlog[300];
	char outbuf[4096];
	size_t outlen;
	struct {
		char name[64];
		int port;
	} listeners[16];
	int n_listeners;
	int term_sent;          /* SIGTERM already sent: stop only waits */
};

struct h_client {
	int fd;
	char buf[8192];
	size_t len;
};

/* Make a temp dir for a daemon (not yet started). */
void h_daemon_init(struct h_daemon *d);
/* Write `yaml` as the daemon's config file. */
void h_write_config(struct h_daemon *d, const char *yaml);
/* Start polychatd on the written config and wait for `listeners` readiness
 * lines. Returns 0, or -1 (the daemon's stderr is printed). */
int h_daemon_start(struct h_daemon *d, int listeners);
/* Wait for `count` more readiness lines (after a reload). */
int h_daemon_wait_ready(struct h_daemon *d, int count);
/* The port of a listener seen on a readiness line, or -1. */
int h_port(const struct h_daemon *d, const char *listener);
/* Send a signal to the daemon (SIGTERM is remembered). */
void h_daemon_signal(struct h_daemon *d, int sig);
/* SIGTERM (unless already sent), then wait (SIGKILL after the bound). Returns the exit status,
 * or -1 if it had to be killed or died by a signal. */
int h_daemon_stop(struct h_daemon *d);
/* Remove the temp dir. */
void h_daemon_cleanup(struct h_daemon *d);
/* Whether the daemon's stderr log contains `text` (waits up to the bound). */
int h_log_contains(const struct h_daemon *d, const char *text);

/* Run polychatd with extra arguments to completion; capture stdout+stderr
 * into `out`. Returns the exit status (-1 on a signal or timeout). */
int h_run_polychatd(const char *const *args, char *out, size_t out_len);
/* The same for any program of the build (`program` relative to the build
 * dir, e.g. "ctl/polychatctl"). */
int h_run(const char *program, const char *const *args, char *out, size_t out_len);

/* Connect to 127.0.0.1:port. 0 or -1. */
int h_connect(struct h_client *c, int port);
/* Connect to [::1]:port. 0 or -1. */
int h_connect6(struct h_client *c, int port);
void h_close(struct h_client *c);
/* Send raw bytes / a printf line ("\n" appended). 0 or -1. */
int h_send(struct h_client *c, const void *data, size_t len);
int h_sendf(struct h_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Read exactly `len` bytes (the bytes already buffered first); 0, or -1
 * on EOF or when the bound passes. */
int h_read(struct h_client *c, void *out, size_t len, int timeout_ms);
/* Read the next line (without "\n") into `line`; 0, or -1 on EOF/timeout. */
int h_line(struct h_client *c, char *line, size_t len, int timeout_ms);
/* Read lines until one equals `want`; 0, or -1 (the lines seen are printed). */
int h_expect(struct h_client *c, const char *want);
/* The very next line must equal `want`: 0, or -1 (the line is printed). */
int h_next(struct h_client *c, const char *want);
/* 0 if the peer closes within the bound (any pending lines are skipped). */
int h_expect_eof(struct h_client *c);

/* A running polychat client: we write its stdin and read its stdout. */
struct h_cli {
	pid_t pid;
	int in_fd;
	struct h_client out;  /* the line reader on its stdout pipe */
};

/* Start the built polychat for `suite` on 127.0.0.1:port, its state under
 * `dir`/client-state, with `extra` arguments (NULL-terminated, may be
 * NULL). 0 or -1. */
int h_cli_start(struct h_cli *cli, const char *suite, int port, const char *dir,
	const char *const *extra);
/* Type one line ("\n" appended). 0 or -1. */
int h_cli_say(struct h_cli *cli, const char *line);
/* Wait for it to exit (SIGKILL after the bound): its exit status, or -1. */
int h_cli_wait(struct h_cli *cli);
/* Close our ends of its pipes. */
void h_cli_close(struct h_cli *cli);

/* $POLYCHAT_BUILDDIR or ".". */
const char *h_builddir(void);
/* The plugin path for tests: the test plugins and the built plugins. */
const char *h_plugin_path(void);

#endif /* PC_HARNESS_H */
