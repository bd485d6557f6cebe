/* SPDX-License-Identifier: MIT */
/* Integration-test harness: run the real polychatd and talk to it over loopback. */
#ifndef PC_HARNESS_H
#define PC_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#include <check.h>

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
/* A fixture's teardown: stop the daemon if it still runs, then remove the
 * temp dir. Returns its exit status, 0 if it was not running: a test that
 * wants a clean exit (no crash, no leak under the sanitizers) asserts 0. */
int h_daemon_finish(struct h_daemon *d);
/* Whether the daemon's stderr log contains `text` (waits up to the bound). */
int h_log_contains(const struct h_daemon *d, const char *text);
/* Whether it contains `text` now, without waiting: for what must never be
 * logged. */
int h_log_has(const struct h_daemon *d, const char *text);

/* Add to `s` a test case `name` (timeout `timeout_s`) whose every test
 * gets `d` initialised, not started (h_daemon_init), and ends with
 * h_daemon_finish, failing unless the daemon exited with status 0: no
 * crash, and no leak under the sanitizers. `d` is borrowed for the life of
 * the suite, and is the one daemon of every such case of the program. */
TCase *h_tcase(Suite *s, const char *name, struct h_daemon *d, int timeout_s);

/* The config most suite tests want: one listener on a port the daemon
 * picks, and whatever stores it needs. Strings are borrowed for the call. */
struct h_single {
	const char *name;     /* the listener's name, for h_port */
	const char *suite;
	const char *keys;     /* more keys of the listener, each a line indented
	                       * four spaces ("    auth: bcrypt\n"), or NULL */
	const char *options;  /* the inside of its options map ("" for none), or
	                       * NULL for no options key */
	const char *top;      /* more top-level YAML placed before "listeners:"
	                       * (a "stores:" block), or NULL */
};

/* Write `one` as the daemon's config, with state_dir d->dir and debug
 * logging (the tests read the log). */
void h_write_single(struct h_daemon *d, const struct h_single *one);
/* Start on the written config, which has one listener, `name`: the port it
 * reported, or -1 (the daemon's stderr is printed). */
int h_daemon_start_one(struct h_daemon *d, const char *name);
/* h_write_single, then h_daemon_start_one: the port, or -1. */
int h_start_single(struct h_daemon *d, const struct h_single *one);

/* polychatctl on the daemon's config for `listener`'s accounts, with
 * `args` (NULL-terminated) after -c, -p and -l. Returns its exit status
 * (-1 on a signal or timeout); its stdout+stderr are in `out`. */
int h_ctl(const struct h_daemon *d, const char *listener, const char *const *args,
	char *out, size_t out_len);
/* Write `password` to d->dir/pw-NAME, which stays for a client's
 * --password-file, and add the account NAME from it with polychatctl
 * (an admin if `admin`). Returns h_ctl's status, -1 if the file could not
 * be written. */
int h_add_user(const struct h_daemon *d, const char *listener, const char *name,
	const char *password, int admin, char *out, size_t out_len);

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
/* Type `command` (the client's way to leave), wait for it to exit and
 * close the pipes. Returns its exit status, or -1. */
int h_cli_quit(struct h_cli *cli, const char *command);
/* `from` types `line`, and each client that follows (NULL-terminated)
 * must show `shown`, in order. 0, or -1 (what each saw is printed). */
int h_cli_relay(struct h_cli *from, const char *line, const char *shown, ...)
	__attribute__((sentinel));

/* CLOCK_MONOTONIC in milliseconds, for bounds. */
long long h_now_ms(void);
/* Sleep `ms` milliseconds: a pause between polls or writes; what the
 * daemon does is waited for by polling up to a bound, never by a sleep. */
void h_pause_ms(long ms);

/* $POLYCHAT_BUILDDIR or ".". */
const char *h_builddir(void);
/* The plugin path for tests: the test plugins and the built plugins. */
const char *h_plugin_path(void);

#endif /* PC_HARNESS_H */
