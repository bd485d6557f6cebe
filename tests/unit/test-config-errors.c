/* SPDX-License-Identifier: MIT */
/* Unit tests of every configuration config.c refuses, with its exact error text. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <polychat/status.h>

#include "config-fixture.h"
#include "../capture-stderr.h"
#include "../check-run.h"

/* A configuration refused with exactly one error, and that error's text. */
struct refusal {
	const char *text;
	const char *message;
};

/* expect_one for each row, clearing the diagnostics between rows. */
static void expect_refusals(const struct refusal *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		expect_one(rows[i].text, rows[i].message);
		pc_diag_clear(&diag);
	}
}

/* Writes "a: " then `depth` nested flow sequences around "1" and a newline
 * into `buf`, which must hold 2 * depth + 5 bytes. */
static void nested(char *buf, int depth)
{
	strcpy(buf, "a: ");
	for (int i = 0; i < depth; i++)
		strcat(buf, "[");
	strcat(buf, "1");
	for (int i = 0; i < depth; i++)
		strcat(buf, "]");
	strcat(buf, "\n");
}

START_TEST(test_top_level_typo)
{
	static const char *const want[] = {
		"t.yaml:1:1: unknown key 'lsteners' at top level; expected one of: "
		"daemon, stores, listeners",
		"t.yaml:1:1: missing required key 'listeners'",
	};
	expect_errors("lsteners:\n  - {suite: a, port: 1}\n", want, N_OF(want));
}
END_TEST

START_TEST(test_listener_typo)
{
	static const char *const want[] = {
		"t.yaml:3:5: listeners[0]: unknown key 'prot'; expected one of: "
		"name, bind, port, suite, auth, auth_options, store, realm, "
		"options, limits",
		"t.yaml:2:5: listeners[0]: missing required key 'port'",
	};
	expect_errors("listeners:\n  - suite: kylochat\n    prot: 5000\n", want,
		N_OF(want));
}
END_TEST

START_TEST(test_port_range)
{
	expect_one("listeners:\n  - suite: a\n    port: 70000\n",
		"t.yaml:3:11: listeners[0].port: expected an integer between 0 and "
		"65535, got '70000'");
}
END_TEST

START_TEST(test_port_type)
{
	static const struct refusal rows[] = {
		{"listeners:\n  - {suite: a, port: -1}\n",
			"t.yaml:2:22: listeners[0].port: expected an integer "
			"between 0 and 65535, got '-1'"},
		{"listeners:\n  - {suite: a, port: 0x50}\n",
			"t.yaml:2:22: listeners[0].port: expected an integer "
			"between 0 and 65535, got '0x50'"},
		{"listeners:\n  - {suite: a, port: [1]}\n",
			"t.yaml:2:22: listeners[0].port: expected an integer "
			"between 0 and 65535, got a sequence"},
	};
	expect_refusals(rows, N_OF(rows));
	/* The top of the range is a port. */
	ck_assert_int_eq(parse("listeners:\n  - {suite: a, port: 65535}\n"), 0);
	ck_assert_uint_eq(cfg->listeners[0].port, 65535);
}
END_TEST

START_TEST(test_missing_suite)
{
	expect_one("listeners:\n  - port: 5000\n    bind: 0.0.0.0\n",
		"t.yaml:2:5: listeners[0]: missing required key 'suite'");
}
END_TEST

START_TEST(test_bad_bind)
{
	static const struct refusal rows[] = {
		{"listeners:\n  - suite: a\n    port: 1\n    bind: localhost\n",
			"t.yaml:4:11: listeners[0].bind: expected an IPv4 or IPv6 "
			"address literal, got 'localhost'"},
		{"listeners:\n  - {suite: a, port: 1, bind: 300.1.1.1}\n",
			"t.yaml:2:31: listeners[0].bind: expected an IPv4 or IPv6 "
			"address literal, got '300.1.1.1'"},
	};
	expect_refusals(rows, N_OF(rows));
}
END_TEST

START_TEST(test_bad_names)
{
	static const char *const want[] = {
		"t.yaml:2:12: listeners[0].name: expected a name of 1 to 63 "
		"characters from A-Z a-z 0-9 _ . -, got 'a b'",
		"t.yaml:2:26: listeners[0].suite: expected a name of 1 to 63 "
		"characters from A-Z a-z 0-9 _ . -, got 'x/y'",
		"t.yaml:2:48: listeners[0].auth: expected a name of 1 to 63 "
		"characters from A-Z a-z 0-9 _ . -, got ''",
	};
	expect_errors("listeners:\n  - {name: 'a b', suite: 'x/y', port: 1, "
		"auth: ''}\n", want, N_OF(want));
	pc_diag_clear(&diag);
	/* 64 characters is one too many. */
	expect_one("listeners:\n  - {suite: a, port: 1, name: "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
		"t.yaml:2:31: listeners[0].name: expected a name of 1 to 63 "
		"characters from A-Z a-z 0-9 _ . -, got 'aaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
	pc_diag_clear(&diag);
	ck_assert_int_eq(parse("listeners:\n  - {suite: a, port: 1, name: "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n"), 0);
}
END_TEST

START_TEST(test_duplicate_name)
{
	static const struct refusal rows[] = {
		{"listeners:\n"
			"  - {name: chat, suite: a, port: 1}\n"
			"  - {name: chat, suite: b, port: 2}\n",
			"t.yaml:3:12: listeners[1].name: duplicate listener name "
			"'chat' (first used by listeners[0] at line 2, column 12)"},
		/* Two defaulted names collide too, and the fix is named. */
		{"listeners:\n"
			"  - {suite: a, port: 0}\n"
			"  - {suite: a, port: 0}\n",
			"t.yaml:3:5: listeners[1].name: duplicate listener name "
			"'a-0' (first used by listeners[0] at line 2, column 5); "
			"give one of them a unique 'name'"},
	};
	expect_refusals(rows, N_OF(rows));
}
END_TEST

START_TEST(test_duplicate_port)
{
	static const struct refusal rows[] = {
		{"listeners:\n"
			"  - {suite: a, port: 7000}\n"
			"  - {suite: b, port: 7000, bind: 127.0.0.1}\n",
			"t.yaml:3:22: listeners[1].port: 127.0.0.1:7000 is already "
			"used by listeners[0] at line 2, column 22"},
		{"listeners:\n"
			"  - {suite: a, port: 7000, bind: '::1'}\n"
			"  - {suite: b, port: 7000, bind: '0:0::1'}\n",
			"t.yaml:3:22: listeners[1].port: [0:0::1]:7000 is already "
			"used by listeners[0] at line 2, column 22"},
		/* A wildcard takes the port on every address; IPv6's on
		 * IPv4's too. */
		{"listeners:\n"
			"  - {suite: a, port: 7000, bind: 127.0.0.2}\n"
			"  - {suite: b, port: 7000, bind: '::'}\n",
			"t.yaml:3:22: listeners[1].port: [::]:7000 overlaps "
			"127.0.0.2:7000 of listeners[0] at line 2, column 22"},
	};
	expect_refusals(rows, N_OF(rows));
	/* Port 0, other ports, other addresses and IPv6-only pairs are fine. */
	ck_assert_int_eq(parse("listeners:\n"
		"  - {suite: a, port: 0}\n"
		"  - {suite: b, port: 0}\n"
		"  - {suite: c, port: 7000}\n"
		"  - {suite: d, port: 7001}\n"
		"  - {suite: e, port: 7000, bind: 127.0.0.2}\n"
		"  - {suite: f, port: 7000, bind: '::1'}\n"
		"  - {suite: g, port: 7001, bind: '0.0.0.0', name: g2}\n"
		"  - {suite: g, port: 7002, bind: '::1'}\n"
		"  - {suite: h, port: 7002, bind: '0.0.0.0'}\n"), POLYCHAT_ECONFIG);
	/* ... except 0.0.0.0:7001 against 127.0.0.1:7001 of d. */
	ck_assert_str_eq(entry(0), "t.yaml:8:22: listeners[6].port: 0.0.0.0:7001 "
		"overlaps 127.0.0.1:7001 of listeners[3] at line 5, column 22");
	ck_assert_uint_eq(diag.count, 1);
}
END_TEST

START_TEST(test_unknown_store)
{
	static const struct refusal rows[] = {
		{"stores:\n  main: {backend: sqlite}\n  aux: {backend: x}\n"
			"listeners:\n  - {suite: a, port: 1, store: mian}\n",
			"t.yaml:5:32: listeners[0].store: unknown store 'mian'; "
			"defined stores: main, aux"},
		{"listeners:\n  - {suite: a, port: 1, store: main}\n",
			"t.yaml:2:32: listeners[0].store: unknown store 'main'; "
			"no stores are defined"},
	};
	expect_refusals(rows, N_OF(rows));
}
END_TEST

START_TEST(test_stores_errors)
{
	static const char *const want[] = {
		"t.yaml:5:5: stores.main: unknown key 'extra'; expected one of: "
		"backend, options",
		"t.yaml:4:21: stores.main.options.path: expected a scalar value, "
		"got a sequence",
		"t.yaml:4:29: stores.main.options: duplicate key 'path' (first at "
		"line 4, column 15)",
		"t.yaml:6:8: stores.aux: missing required key 'backend'",
		"t.yaml:7:3: stores: expected a store name (a name of 1 to 63 "
		"characters from A-Z a-z 0-9 _ . -), got 'bad name'",
		"t.yaml:8:9: stores.list: expected a mapping, got a sequence",
	};
	expect_errors("stores:\n"
		"  main:\n"
		"    backend: sqlite\n"
		"    options: {path: [a, b], path: c}\n"
		"    extra: 1\n"
		"  aux: {options: {x: 1}}\n"
		"  bad name: {backend: x}\n"
		"  list: [1]\n"
		"listeners:\n  - {suite: a, port: 1, store: aux}\n", want, N_OF(want));
	pc_diag_clear(&diag);
	expect_one("stores: [a]\nlisteners:\n  - {suite: a, port: 1}\n",
		"t.yaml:1:9: stores: expected a mapping, got a sequence");
}
END_TEST

START_TEST(test_option_not_scalar)
{
	static const struct refusal rows[] = {
		{"listeners:\n"
			"  - suite: a\n"
			"    port: 1\n"
			"    options:\n"
			"      motd: {text: hi}\n",
			"t.yaml:5:13: listeners[0].options.motd: expected a scalar "
			"value, got a mapping"},
		{"listeners:\n  - {suite: a, port: 1, auth_options: [x]}\n",
			"t.yaml:2:39: listeners[0].auth_options: expected a mapping "
			"of option: value, got a sequence"},
		{"listeners:\n  - {suite: a, port: 1, options: {[k]: v}}\n",
			"t.yaml:2:35: listeners[0].options: expected a scalar key, "
			"got a sequence"},
	};
	expect_refusals(rows, N_OF(rows));
}
END_TEST

START_TEST(test_syntax_error)
{
	static const struct refusal rows[] = {
		{"listeners:\n  - suite: a\n    port: 1\n   bad: x\n",
			"t.yaml:4:4: YAML syntax error: did not find expected '-' "
			"indicator (while parsing a block collection at line 2, "
			"column 3)"},
		{"listeners: [\n",
			"t.yaml:2:1: YAML syntax error: did not find expected node "
			"content (while parsing a flow node at line 2, column 1)"},
		{"a: 'open\n",
			"t.yaml:2:1: YAML syntax error: found unexpected end of "
			"stream (while scanning a quoted scalar at line 1, column 4)"},
		{"a: \"x\\0y\"\n",
			"t.yaml:1:4: a value must not contain a NUL character"},
	};
	expect_refusals(rows, N_OF(rows));
}
END_TEST

START_TEST(test_empty)
{
	static const char empty[] = "t.yaml: the configuration is empty; "
		"expected a mapping with at least 'listeners'";
	static const char *const texts[] = {"", "# only a comment\n\n",
		"---\n...\n"};
	for (size_t i = 0; i < N_OF(texts); i++) {
		expect_one(texts[i], empty);
		pc_diag_clear(&diag);
	}
	ck_assert_int_eq(pc_config_parse("t.yaml", NULL, 0, &diag, &cfg),
		POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(0), empty);
}
END_TEST

START_TEST(test_default_name_must_fit_a_realm)
{
	/* suite (60) + "-12345" makes 66 characters: too long for a realm. */
	expect_one("listeners:\n  - {port: 12345, suite: "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
		"t.yaml:2:5: listeners[0]: the default name "
		"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-12345' "
		"is longer than 63 characters; give the listener a name");
}
END_TEST

START_TEST(test_no_listener_is_an_idle_daemon)
{
	ck_assert_int_eq(parse("listeners: []\n"), 0);
	ck_assert_uint_eq(cfg->n_listeners, 0);
	pc_config_free(cfg);
	cfg = NULL;
	ck_assert_int_eq(parse("stores: {main: {backend: sqlite}}\nlisteners:\n"
		"#  - {port: 5000, suite: kylochat}\n"), 0);
	ck_assert_uint_eq(cfg->n_listeners, 0);
	ck_assert_uint_eq(cfg->n_stores, 1);
	pc_config_free(cfg);
	cfg = NULL;
	/* The key itself is still required: a typo must not pass as "none". */
	parse_bad("lsteners: []\n");
	ck_assert_uint_eq(diag.count, 2);
	ck_assert_str_eq(entry(0), "t.yaml:1:1: unknown key 'lsteners' at top "
		"level; expected one of: daemon, stores, listeners");
	ck_assert_ptr_nonnull(strstr(entry(1), "listeners"));
}
END_TEST

START_TEST(test_listeners_not_sequence)
{
	static const struct refusal rows[] = {
		{"listeners: {suite: a, port: 1}\n",
			"t.yaml:1:12: listeners: expected a sequence of listeners, "
			"got a mapping"},
		{"listeners: x\n",
			"t.yaml:1:12: listeners: expected a sequence of listeners, "
			"got 'x'"},
		{"listeners:\n  - x\n",
			"t.yaml:2:5: listeners[0]: expected a mapping, got 'x'"},
		{"- listeners\n",
			"t.yaml:1:1: expected a mapping at top level, got a sequence"},
	};
	expect_refusals(rows, N_OF(rows));
}
END_TEST

START_TEST(test_daemon_errors)
{
	static const char *const want[] = {
		"t.yaml:10:3: daemon: duplicate key 'state_dir' (first at line 2, "
		"column 3)",
		"t.yaml:2:14: daemon.state_dir: expected a directory path, got ''",
		"t.yaml:9:15: daemon.plugin_dir: expected a directory path, got a "
		"sequence",
		"t.yaml:3:40: daemon.log: unknown key 'color'; expected one of: "
		"level, syslog",
		"t.yaml:3:16: daemon.log.level: expected one of: error, warning, "
		"notice, info, debug; got 'verbose'",
		"t.yaml:3:33: daemon.log.syslog: expected a boolean (true/false, "
		"yes/no, on/off), got 'maybe'",
		"t.yaml:5:22: daemon.limits.max_connections: expected an integer "
		"between 1 and 1000000, got '0'",
		"t.yaml:6:16: daemon.limits.max_frame: expected an integer between "
		"64 and 67108864, got '63'",
		"t.yaml:7:19: daemon.limits.output_limit: expected an integer "
		"between 1024 and 1073741824, got '1073741825'",
		"t.yaml:8:23: daemon.limits.close_timeout_ms: expected an integer "
		"between 0 and 600000, got '600001'",
		"t.yaml:12:45: listeners[0].limits.max_frame: expected an integer "
		"between 64 and 67108864, got '67108865'",
	};
	expect_errors("daemon:\n"
		"  state_dir: ''\n"
		"  log: {level: verbose, syslog: maybe, color: on}\n"
		"  limits:\n"
		"    max_connections: 0\n"
		"    max_frame: 63\n"
		"    output_limit: 1073741825\n"
		"    close_timeout_ms: 600001\n"
		"  plugin_dir: [x]\n"
		"  state_dir: /x\n"
		"listeners:\n  - {suite: a, port: 1, limits: {max_frame: 67108865}}\n",
		want, N_OF(want));
	pc_diag_clear(&diag);
	expect_one("daemon: 5\nlisteners:\n  - {suite: a, port: 1}\n",
		"t.yaml:1:9: daemon: expected a mapping, got '5'");
}
END_TEST

START_TEST(test_duplicate_keys)
{
	static const struct refusal rows[] = {
		{"listeners:\n  - {suite: a, port: 1}\n"
			"listeners:\n  - {suite: b, port: 2}\n",
			"t.yaml:3:1: duplicate key 'listeners' (first at line 1, "
			"column 1)"},
		{"listeners:\n  - suite: a\n    port: 1\n    suite: b\n",
			"t.yaml:4:5: listeners[0]: duplicate key 'suite' (first at "
			"line 2, column 5)"},
	};
	expect_refusals(rows, N_OF(rows));
}
END_TEST

START_TEST(test_many_errors)
{
	static const char *const want[] = {
		"t.yaml:1:30: daemon.limits.max_frame: expected an integer between "
		"64 and 67108864, got '1'",
		"t.yaml:3:22: listeners[0].port: expected an integer between 0 and "
		"65535, got '99999'",
		"t.yaml:4:30: listeners[1].bind: expected an IPv4 or IPv6 address "
		"literal, got 'nowhere'",
		"t.yaml:4:5: listeners[1]: missing required key 'suite'",
		"t.yaml:5:34: listeners[2]: unknown key 'colour'; expected one of: "
		"name, bind, port, suite, auth, auth_options, store, realm, "
		"options, limits",
		"t.yaml:5:12: listeners[2].name: duplicate listener name 'x' (first "
		"used by listeners[1] at line 4, column 12)",
	};
	expect_errors("daemon: {limits: {max_frame: 1}}\n"
		"listeners:\n"
		"  - {suite: a, port: 99999}\n"
		"  - {name: x, port: 2, bind: nowhere}\n"
		"  - {name: x, suite: c, port: 3, colour: blue}\n", want, N_OF(want));
}
END_TEST

START_TEST(test_bounds)
{
	/* The root mapping and 32 flow sequences: the 32nd bracket opens the
	 * 33rd level and is refused. */
	char deep[200];
	nested(deep, 32);
	expect_one(deep, "t.yaml:1:35: nesting deeper than 32 levels");
	pc_diag_clear(&diag);

	/* 32 levels are fine for the parser (the schema then refuses 'a'). */
	static const char *const want[] = {
		"t.yaml:1:1: unknown key 'a' at top level; expected one of: "
		"daemon, stores, listeners",
		"t.yaml:1:1: missing required key 'listeners'",
	};
	nested(deep, 31);
	expect_errors(deep, want, N_OF(want));
	pc_diag_clear(&diag);

	size_t big = 1024 * 1024 + 1;
	char *text = malloc(big);
	ck_assert_ptr_nonnull(text);
	memset(text, '#', big);
	ck_assert_int_eq(pc_config_parse("t.yaml", text, big, &diag, &cfg),
		POLYCHAT_ECONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(entry(0), "t.yaml: the file is larger than 1 MiB (1048577 bytes)");
	pc_diag_clear(&diag);
	/* Exactly 1 MiB is accepted (and is one long comment: empty). */
	ck_assert_int_eq(pc_config_parse("t.yaml", text, big - 1, &diag, &cfg),
		POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(0), "t.yaml: the configuration is empty; expected "
		"a mapping with at least 'listeners'");
	free(text);
	pc_diag_clear(&diag);

	/* 4097 entries in one sequence. */
	size_t cap = 4097 * 3 + 64;
	text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	strcpy(text, "a: [");
	for (int i = 0; i < 4097; i++)
		strcat(text, i ? ",1" : "1");
	strcat(text, "]\n");
	parse_bad(text);
	ck_assert_str_eq(entry(0), "t.yaml:1:8197: more than 4096 entries in one "
		"sequence");
	free(text);
}
END_TEST

START_TEST(test_aliases_and_documents)
{
	static const struct refusal rows[] = {
		{"base: &b {suite: a, port: 1}\nlisteners: [*b]\n",
			"t.yaml:2:13: aliases are not supported (*b); write the "
			"value out"},
		{"listeners: [{suite: a, port: 1}]\n---\nlisteners: []\n",
			"t.yaml:2:1: expected a single YAML document, found a "
			"second one"},
	};
	expect_refusals(rows, N_OF(rows));
}
END_TEST

/* With no diagnostics list the errors still reach the operator. */
START_TEST(test_no_diag)
{
	struct pc_capture capture;
	char buf[256];
	pc_capture_begin(&capture);
	const char *text = "listeners: x\n";
	int rc = pc_config_parse("t.yaml", text, strlen(text), NULL, &cfg);
	pc_capture_end(&capture, buf, sizeof(buf));
	ck_assert_int_eq(rc, POLYCHAT_ECONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(buf, "t.yaml:1:12: listeners: expected a sequence of "
		"listeners, got 'x'\n");
}
END_TEST

static Suite *config_errors_suite(void)
{
	Suite *s = suite_create("config-errors");
	TCase *bad = tcase_create("errors");
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, test_top_level_typo);
	tcase_add_test(bad, test_listener_typo);
	tcase_add_test(bad, test_port_range);
	tcase_add_test(bad, test_port_type);
	tcase_add_test(bad, test_missing_suite);
	tcase_add_test(bad, test_bad_bind);
	tcase_add_test(bad, test_bad_names);
	tcase_add_test(bad, test_duplicate_name);
	tcase_add_test(bad, test_duplicate_port);
	tcase_add_test(bad, test_unknown_store);
	tcase_add_test(bad, test_stores_errors);
	tcase_add_test(bad, test_option_not_scalar);
	tcase_add_test(bad, test_syntax_error);
	tcase_add_test(bad, test_empty);
	tcase_add_test(bad, test_listeners_not_sequence);
	tcase_add_test(bad, test_no_listener_is_an_idle_daemon);
	tcase_add_test(bad, test_default_name_must_fit_a_realm);
	tcase_add_test(bad, test_daemon_errors);
	tcase_add_test(bad, test_duplicate_keys);
	tcase_add_test(bad, test_many_errors);
	tcase_add_test(bad, test_bounds);
	tcase_add_test(bad, test_aliases_and_documents);
	tcase_add_test(bad, test_no_diag);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	return pc_check_run(config_errors_suite());
}
