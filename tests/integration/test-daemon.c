/* SPDX-License-Identifier: MIT */
/* polychatd end to end: routing, jobs, store, shutdown, reload, bad input, configtest. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <polychat/plugin.h>

#include "harness.h"
#include "../check-run.h"

static struct h_daemon d;

static void setup(void)
{
	h_daemon_init(&d);
}

static void teardown(void)
{
	h_daemon_cleanup(&d);
}

static const char two_listeners[] =
	"daemon:\n"
	"  log: {level: debug}\n"
	"stores:\n"
	"  main: {backend: sqlite, options: {path: test.db}}\n"
	"listeners:\n"
	"  - {name: one, port: 0, suite: testline}\n"
	"  - {name: two, port: 0, suite: testline2}\n";

static void state_dir_config(char *buf, size_t len, const char *listeners)
{
	snprintf(buf, len,
		"daemon:\n"
		"  state_dir: %s\n"
		"  log: {level: debug}\n"
		"stores:\n"
		"  main: {backend: sqlite, options: {path: test.db}}\n"
		"listeners:\n%s", d.dir, listeners);
}

/* Write a configuration with these listeners and start the daemon on it,
 * waiting for `ready` readiness lines. */
static void start_daemon(const char *listeners, int ready)
{
	char cfg[2048];
	state_dir_config(cfg, sizeof(cfg), listeners);
	h_write_config(&d, cfg);
	ck_assert_int_eq(h_daemon_start(&d, ready), 0);
}

/* Connect and take a nickname on a listener. */
static void join(struct h_client *c, const char *listener, const char *nick)
{
	int port = h_port(&d, listener);
	ck_assert_int_gt(port, 0);
	ck_assert_int_eq(h_connect(c, port), 0);
	char greeting[128];
	snprintf(greeting, sizeof(greeting), "HELLO %s %s",
		strcmp(listener, "two") == 0 ? "testline2" : "testline", listener);
	ck_assert_int_eq(h_expect(c, greeting), 0);
	if (nick) {
		h_sendf(c, "NICK %s", nick);
		char ok[128];
		snprintf(ok, sizeof(ok), "OK nick %s", nick);
		ck_assert_int_eq(h_expect(c, ok), 0);
	}
}

START_TEST(routes_by_listener_user_and_room)
{
	start_daemon("  - {name: one, port: 0, suite: testline}\n"
		"  - {name: two, port: 0, suite: testline2}\n", 2);
	struct h_client a, b, c, e;
	join(&a, "one", "alice");
	join(&b, "one", "bob");
	join(&c, "two", "carol");

	/* Everyone on the listener but the sender. */
	h_sendf(&a, "SAY hi all");
	ck_assert_int_eq(h_expect(&a, "SENT 1"), 0);
	ck_assert_int_eq(h_expect(&b, "MSG testline alice hi all"), 0);

	/* A user, only within the sender's realm (one listener = one realm). */
	h_sendf(&a, "TELL bob psst");
	ck_assert_int_eq(h_expect(&a, "SENT 1"), 0);
	ck_assert_int_eq(h_expect(&b, "MSG testline alice psst"), 0);
	h_sendf(&a, "TELL carol psst");
	ck_assert_int_eq(h_expect(&a, "SENT 0"), 0);

	/* Identities are unique per realm, not across realms. */
	join(&e, "one", NULL);
	h_sendf(&e, "NICK alice");
	ck_assert_int_eq(h_expect(&e, "ERR taken"), 0);
	h_sendf(&e, "NICK");
	ck_assert_int_eq(h_expect(&e, "ERR invalid"), 0);
	h_close(&e);

	/* Rooms span listeners and suites; plain bodies cross, opaque do not. */
	h_sendf(&a, "JOIN lobby");
	ck_assert_int_eq(h_expect(&a, "OK join lobby"), 0);
	/* Strict next-line checks on c: nothing from listener one leaked. */
	h_sendf(&c, "JOIN lobby");
	ck_assert_int_eq(h_next(&c, "OK join lobby"), 0);
	h_sendf(&a, "ROOM lobby hello room");
	ck_assert_int_eq(h_expect(&a, "SENT 1"), 0);
	ck_assert_int_eq(h_next(&c, "MSG testline alice hello room"), 0);
	h_sendf(&a, "OPAQUE lobby sealed");
	ck_assert_int_eq(h_expect(&a, "SENT 0"), 0);
	h_sendf(&b, "JOIN lobby");
	ck_assert_int_eq(h_expect(&b, "OK join lobby"), 0);
	h_sendf(&a, "OPAQUE lobby sealed2");
	ck_assert_int_eq(h_expect(&a, "SENT 1"), 0);
	ck_assert_int_eq(h_expect(&b, "MSG testline alice sealed2"), 0);
	/* c got the plain one only: its next message is this one. */
	h_sendf(&b, "ROOM lobby after");
	ck_assert_int_eq(h_expect(&b, "SENT 2"), 0);
	ck_assert_int_eq(h_next(&c, "MSG testline bob after"), 0);

	/* Leaving frees the name and tells the listener. */
	h_sendf(&a, "QUIT");
	ck_assert_int_eq(h_expect(&a, "BYE"), 0);
	ck_assert_int_eq(h_expect_eof(&a), 0);
	ck_assert_int_eq(h_expect(&b, "MSG testline - alice left"), 0);
	join(&e, "one", "alice");
	h_close(&e);
	h_close(&b);
	h_close(&c);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

START_TEST(jobs_pause_input_and_store_survives_restart)
{
	start_daemon("  - {name: one, port: 0, suite: testline}\n", 1);
	struct h_client a;
	join(&a, "one", "alice");

	/* The line after a job is handled only once the job is done. */
	h_send(&a, "JOB 200\nIDENT\n", 14);
	char line[256];
	ck_assert_int_eq(h_line(&a, line, sizeof(line), H_TIMEOUT_MS), 0);
	ck_assert_str_eq(line, "JOBDONE 0");
	ck_assert_int_eq(h_line(&a, line, sizeof(line), H_TIMEOUT_MS), 0);
	ck_assert_str_eq(line, "IDENT alice");

	h_sendf(&a, "PUT colour blue");
	ck_assert_int_eq(h_expect(&a, "PUT ok"), 0);
	h_sendf(&a, "PUT colour red");
	ck_assert_int_eq(h_expect(&a, "PUT EEXIST"), 0);
	h_sendf(&a, "GET colour");
	ck_assert_int_eq(h_expect(&a, "GET blue"), 0);
	h_sendf(&a, "GET size");
	ck_assert_int_eq(h_expect(&a, "GET ENOTFOUND"), 0);

	/* Shutdown tells the session, then closes it; the daemon exits 0. */
	h_daemon_signal(&d, SIGTERM);
	ck_assert_int_eq(h_expect(&a, "SHUTDOWN"), 0);
	ck_assert_int_eq(h_expect_eof(&a), 0);
	h_close(&a);
	ck_assert_int_eq(h_daemon_stop(&d), 0);

	ck_assert_int_eq(h_daemon_start(&d, 1), 0);
	join(&a, "one", "alice");
	h_sendf(&a, "GET colour");
	ck_assert_int_eq(h_expect(&a, "GET blue"), 0);
	h_close(&a);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

START_TEST(reload_adds_and_removes_listeners_keeping_sessions)
{
	char cfg[2048];
	state_dir_config(cfg, sizeof(cfg),
		"  - {name: one, port: 0, suite: testline}\n"
		"  - {name: two, port: 0, suite: testline2}\n");
	h_write_config(&d, cfg);
	ck_assert_int_eq(h_daemon_start(&d, 2), 0);
	struct h_client a, b, c, t;
	join(&a, "one", "alice");
	join(&b, "one", "bob");
	join(&c, "two", "carol");

	/* Add a third listener: the first two keep their sessions. */
	state_dir_config(cfg, sizeof(cfg),
		"  - {name: one, port: 0, suite: testline}\n"
		"  - {name: two, port: 0, suite: testline2}\n"
		"  - {name: three, port: 0, suite: testline, options: {greeting: HI}}\n");
	h_write_config(&d, cfg);
	h_daemon_signal(&d, SIGHUP);
	ck_assert_int_eq(h_daemon_wait_ready(&d, 1), 0);
	ck_assert_int_gt(h_port(&d, "three"), 0);
	ck_assert_int_eq(h_connect(&t, h_port(&d, "three")), 0);
	ck_assert_int_eq(h_expect(&t, "HI testline three"), 0);
	h_sendf(&a, "SAY still here");
	ck_assert_int_eq(h_expect(&a, "SENT 1"), 0);
	ck_assert_int_eq(h_expect(&b, "MSG testline alice still here"), 0);
	h_sendf(&c, "IDENT");
	ck_assert_int_eq(h_expect(&c, "IDENT carol"), 0);

	/* A broken configuration is refused whole; nothing changes. */
	h_write_config(&d, "listeners:\n  - {name: one, port: 0, suite: testline, bogus: 1}\n");
	h_daemon_signal(&d, SIGHUP);
	ck_assert(h_log_contains(&d, "reload refused"));
	h_sendf(&a, "SAY after bad reload");
	ck_assert_int_eq(h_expect(&b, "MSG testline alice after bad reload"), 0);

	/* Removing a listener ends its sessions with a notice. */
	state_dir_config(cfg, sizeof(cfg),
		"  - {name: one, port: 0, suite: testline}\n"
		"  - {name: three, port: 0, suite: testline, options: {greeting: HI}}\n");
	h_write_config(&d, cfg);
	h_daemon_signal(&d, SIGHUP);
	ck_assert_int_eq(h_expect(&c, "SHUTDOWN"), 0);
	ck_assert_int_eq(h_expect_eof(&c), 0);
	h_sendf(&a, "SAY after removal");
	ck_assert_int_eq(h_expect(&b, "MSG testline alice after removal"), 0);
	h_sendf(&t, "IDENT");
	ck_assert_int_eq(h_expect(&t, "IDENT -"), 0);

	h_close(&a);
	h_close(&b);
	h_close(&c);
	h_close(&t);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

START_TEST(bad_input_closes_only_that_connection)
{
	start_daemon("  - {name: one, port: 0, suite: testline,"
		" options: {max_line: 64, nick_timeout_ms: 300}}\n", 1);
	struct h_client good, flood, slow;
	join(&good, "one", "alice");

	/* More than max_line bytes without a newline: closed. */
	join(&flood, "one", "mallory");
	char junk[300];
	memset(junk, 'x', sizeof(junk));
	h_send(&flood, junk, sizeof(junk));
	ck_assert_int_eq(h_expect_eof(&flood), 0);
	h_close(&flood);
	ck_assert(h_log_contains(&d, "without a complete frame"));

	/* No nickname in time: told, then closed. */
	join(&slow, "one", NULL);
	ck_assert_int_eq(h_expect(&slow, "ERR timeout"), 0);
	ck_assert_int_eq(h_expect_eof(&slow), 0);
	h_close(&slow);

	/* Garbage bytes are just an unknown command. */
	h_send(&good, "\xff\xfe\x00\x01\n", 5);
	ck_assert_int_eq(h_expect(&good, "ERR unknown"), 0);
	h_sendf(&good, "IDENT");
	ck_assert_int_eq(h_expect(&good, "IDENT alice"), 0);
	h_close(&good);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

START_TEST(configtest_reports_positions_plugins_and_abi)
{
	char out[8192];
	const char *args[] = { "-t", "-c", d.config, "-p", h_plugin_path(), NULL };

	h_write_config(&d, two_listeners);
	ck_assert_int_eq(h_run_polychatd(args, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "configuration OK (2 listeners, 1 store)"));

	/* A typo: file:line:col and the key. */
	h_write_config(&d, "listeners:\n  - {name: one, port: 0, suite: testline}\nlistners: []\n");
	ck_assert_int_eq(h_run_polychatd(args, out, sizeof(out)), 1);
	char where[400];
	snprintf(where, sizeof(where), "%s:3:1:", d.config);
	ck_assert_msg(strstr(out, where) != NULL, "no position in: %s", out);
	ck_assert_ptr_nonnull(strstr(out, "listners"));

	/* A missing plugin: named, with where it was looked for. */
	h_write_config(&d, "listeners:\n  - {name: one, port: 0, suite: nosuch}\n");
	ck_assert_int_eq(h_run_polychatd(args, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "suite 'nosuch'"));
	ck_assert_ptr_nonnull(strstr(out, "/tests/plugins"));

	/* A plugin built for another ABI major: both numbers. */
	h_write_config(&d, "listeners:\n  - {name: one, port: 0, suite: abi2}\n");
	ck_assert_int_eq(h_run_polychatd(args, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "ABI 2.0"));
	/* This core's own ABI, whatever its minor. */
	char own[32];
	snprintf(own, sizeof(own), "ABI %d.%d", POLYCHAT_ABI_MAJOR, POLYCHAT_ABI_MINOR);
	ck_assert_ptr_nonnull(strstr(out, own));

	/* An option the suite does not know. */
	h_write_config(&d, "listeners:\n  - {name: one, port: 0, suite: testline,"
		" options: {colour: red}}\n");
	ck_assert_int_eq(h_run_polychatd(args, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "colour"));

	/* A bad option value, positioned at the value. */
	h_write_config(&d, "listeners:\n  - name: one\n    port: 0\n    suite: testline\n"
		"    options:\n      max_line: lots\n");
	ck_assert_int_eq(h_run_polychatd(args, out, sizeof(out)), 1);
	snprintf(where, sizeof(where), "%s:6:17:", d.config);
	ck_assert_msg(strstr(out, where) != NULL, "no value position in: %s", out);
}
END_TEST

START_TEST(start_fails_cleanly_on_a_busy_port)
{
	start_daemon("  - {name: one, port: 0, suite: testline}\n", 1);
	int port = h_port(&d, "one");

	struct h_daemon other;
	h_daemon_init(&other);
	char yaml[1024];
	snprintf(yaml, sizeof(yaml), "daemon: {state_dir: %s}\n"
		"listeners:\n  - {name: clash, port: %d, suite: testline}\n", other.dir, port);
	h_write_config(&other, yaml);
	char out[4096];
	const char *args[] = { "-c", other.config, "-p", h_plugin_path(), NULL };
	ck_assert_int_eq(h_run_polychatd(args, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "cannot listen") != NULL, "got: %s", out);
	h_daemon_cleanup(&other);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

START_TEST(example_plugin_serves_through_the_real_daemon)
{
	char cfg[2048];
	snprintf(cfg, sizeof(cfg), "daemon: {state_dir: %s}\n"
		"listeners:\n  - {name: hi, port: 0, suite: hello}\n", d.dir);
	h_write_config(&d, cfg);
	ck_assert_int_eq(h_daemon_start(&d, 1), 0);
	struct h_client c;
	ck_assert_int_eq(h_connect(&c, h_port(&d, "hi")), 0);
	ck_assert_int_eq(h_next(&c, "hello"), 0);
	h_sendf(&c, "ping");
	ck_assert_int_eq(h_next(&c, "echo: ping"), 0);
	h_daemon_signal(&d, SIGTERM);
	ck_assert_int_eq(h_next(&c, "bye"), 0);
	ck_assert_int_eq(h_expect_eof(&c), 0);
	h_close(&c);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

START_TEST(connection_limit_and_ipv6_loopback)
{
	start_daemon("  - {name: one, port: 0, suite: testline, limits: {max_connections: 2}}\n"
		"  - {name: six, bind: '::1', port: 0, suite: testline}\n", 2);

	/* The third concurrent connection is refused; the first two serve. */
	struct h_client a, b, c;
	join(&a, "one", "alice");
	join(&b, "one", "bob");
	ck_assert_int_eq(h_connect(&c, h_port(&d, "one")), 0);
	ck_assert_int_eq(h_expect_eof(&c), 0);
	h_close(&c);
	ck_assert(h_log_contains(&d, "connection limit of 2 reached"));
	h_sendf(&a, "SAY still served");
	ck_assert_int_eq(h_expect(&b, "MSG testline alice still served"), 0);
	/* A slot frees when a connection leaves. */
	h_close(&b);
	ck_assert(h_log_contains(&d, "peer closed the connection"));
	join(&c, "one", "carol");
	h_close(&c);
	h_close(&a);

	/* IPv6 loopback listener, reported as [::1]:PORT. */
	struct h_client v6;
	ck_assert_int_gt(h_port(&d, "six"), 0);
	ck_assert_int_eq(h_connect6(&v6, h_port(&d, "six")), 0);
	ck_assert_int_eq(h_next(&v6, "HELLO testline six"), 0);
	h_close(&v6);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

static Suite *daemon_suite(void)
{
	Suite *s = suite_create("polychatd");
	TCase *tc = tcase_create("daemon");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, routes_by_listener_user_and_room);
	tcase_add_test(tc, jobs_pause_input_and_store_survives_restart);
	tcase_add_test(tc, reload_adds_and_removes_listeners_keeping_sessions);
	tcase_add_test(tc, bad_input_closes_only_that_connection);
	tcase_add_test(tc, configtest_reports_positions_plugins_and_abi);
	tcase_add_test(tc, start_fails_cleanly_on_a_busy_port);
	tcase_add_test(tc, example_plugin_serves_through_the_real_daemon);
	tcase_add_test(tc, connection_limit_and_ipv6_loopback);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(daemon_suite());
}
