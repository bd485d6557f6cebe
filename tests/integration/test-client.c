/* SPDX-License-Identifier: MIT */
/* The polychat client against a real polychatd: stdin lines out, events in on stdout. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "../check-run.h"

static struct h_daemon d;

static void setup(void)
{
	h_daemon_init(&d);
	char cfg[1024];
	snprintf(cfg, sizeof(cfg), "daemon: {state_dir: %s}\n"
		"listeners:\n  - {name: one, port: 0, suite: testline}\n", d.dir);
	h_write_config(&d, cfg);
	ck_assert_int_eq(h_daemon_start(&d, 1), 0);
}

static void teardown(void)
{
	h_daemon_cleanup(&d);
}

static void cli_start(struct h_cli *cli, const char *const *extra)
{
	ck_assert_int_eq(h_cli_start(cli, "testline", h_port(&d, "one"), d.dir, extra), 0);
}

static void cli_say(struct h_cli *cli, const char *line)
{
	ck_assert_int_eq(h_cli_say(cli, line), 0);
}

START_TEST(client_sends_lines_and_shows_events)
{
	struct h_client bob;
	ck_assert_int_eq(h_connect(&bob, h_port(&d, "one")), 0);
	ck_assert_int_eq(h_expect(&bob, "HELLO testline one"), 0);
	h_sendf(&bob, "NICK bob");
	ck_assert_int_eq(h_expect(&bob, "OK nick bob"), 0);

	struct h_cli cli;
	const char *extra[] = { "--user", "carol", NULL };
	cli_start(&cli, extra);
	ck_assert_int_eq(h_expect(&cli.out, "* OK nick carol"), 0);
	ck_assert_int_eq(h_next(&cli.out, "* ready"), 0);

	cli_say(&cli, "hello from the client");
	ck_assert_int_eq(h_expect(&bob, "MSG testline carol hello from the client"), 0);
	ck_assert_int_eq(h_next(&cli.out, "* SENT 1"), 0);

	h_sendf(&bob, "TELL carol hi\x01there");
	ck_assert_int_eq(h_next(&cli.out, "<bob> hi\\x01there"), 0);

	cli_say(&cli, "/help");
	ck_assert_int_eq(h_next(&cli.out, "* commands:"), 0);
	ck_assert_int_eq(h_expect(&cli.out, "*   /nick NAME        take a nickname"), 0);

	cli_say(&cli, "/frobnicate");
	ck_assert_int_eq(h_expect(&cli.out, "! unknown command /frobnicate (/help lists commands)"), 0);

	cli_say(&cli, "/tell bob direct");
	ck_assert_int_eq(h_expect(&bob, "MSG testline carol direct"), 0);

	cli_say(&cli, "/quit");
	ck_assert_int_eq(h_cli_wait(&cli), 0);
	ck_assert_int_eq(h_expect(&bob, "MSG testline - carol left"), 0);
	close(cli.in_fd);
	h_close(&cli.out);
	h_close(&bob);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

START_TEST(client_exits_when_the_server_goes_away)
{
	struct h_cli cli;
	const char *extra[] = { "--user", "dave", NULL };
	cli_start(&cli, extra);
	ck_assert_int_eq(h_expect(&cli.out, "* ready"), 0);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	ck_assert_int_eq(h_expect(&cli.out, "* SHUTDOWN"), 0);
	ck_assert_int_eq(h_expect(&cli.out, "* connection closed"), 0);
	ck_assert_int_eq(h_cli_wait(&cli), 0);
	close(cli.in_fd);
	h_close(&cli.out);
}
END_TEST

START_TEST(client_end_of_input_quits)
{
	struct h_cli cli;
	cli_start(&cli, NULL);
	ck_assert_int_eq(h_expect(&cli.out, "* HELLO testline one"), 0);
	close(cli.in_fd);
	ck_assert_int_eq(h_cli_wait(&cli), 0);
	h_close(&cli.out);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

START_TEST(client_refuses_an_unknown_suite)
{
	char exe[1024], out[4096];
	snprintf(exe, sizeof(exe), "%s/client/polychat", h_builddir());
	char cmd[3000];
	snprintf(cmd, sizeof(cmd), "'%s' --suite nosuch --port 1 -p '%s' 2>&1 </dev/null",
		exe, h_plugin_path());
	FILE *fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	size_t n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = '\0';
	int status = pclose(fp);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_msg(strstr(out, "suite 'nosuch'") != NULL, "got: %s", out);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("polychat");
	TCase *tc = tcase_create("client");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, client_sends_lines_and_shows_events);
	tcase_add_test(tc, client_exits_when_the_server_goes_away);
	tcase_add_test(tc, client_end_of_input_quits);
	tcase_add_test(tc, client_refuses_an_unknown_suite);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	return pc_check_run(client_suite());
}
