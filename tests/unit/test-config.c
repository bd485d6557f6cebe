/* SPDX-License-Identifier: MIT */
/* Unit tests of the YAML configuration loader (config.c). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <polychat/host.h>
#include <polychat/status.h>

#include "core/config.h"

static struct pc_diag diag;
static struct pc_config *cfg;

static void setup(void)
{
	memset(&diag, 0, sizeof(diag));
	cfg = NULL;
}

static void teardown(void)
{
	pc_config_free(cfg);
	cfg = NULL;
	pc_diag_clear(&diag);
}

static int parse(const char *text)
{
	return pc_config_parse("t.yaml", text, strlen(text), &diag, &cfg);
}

/* Parse text that must be refused: no config, at least one entry. */
static void parse_bad(const char *text)
{
	ck_assert_int_eq(parse(text), POLYCHAT_ECONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_gt(diag.count, 0);
}

static const char *entry(size_t i)
{
	ck_assert_uint_gt(diag.count, i);
	ck_assert_ptr_nonnull(diag.entries[i].text);
	return diag.entries[i].text;
}

/* Exactly one error, with this text. */
static void expect_one(const char *text, const char *message)
{
	parse_bad(text);
	ck_assert_str_eq(entry(0), message);
	ck_assert_uint_eq(diag.count, 1);
}

static const char *option(const struct polychat_options *o, const char *key)
{
	for (size_t i = 0; i < o->count; i++)
		if (strcmp(o->items[i].key, key) == 0)
			return o->items[i].value;
	return NULL;
}

static const char full_config[] =
	"# every key of the schema\n"                    /* 1 */
	"daemon:\n"                                       /* 2 */
	"  state_dir: /var/lib/polychat\n"                /* 3 */
	"  plugin_dir: /usr/lib/polychat\n"               /* 4 */
	"  log:\n"                                        /* 5 */
	"    level: debug\n"                              /* 6 */
	"    syslog: yes\n"                               /* 7 */
	"  limits:\n"                                     /* 8 */
	"    max_connections: 500\n"                      /* 9 */
	"    max_frame: 65536\n"                          /* 10 */
	"    output_limit: 2048\n"                        /* 11 */
	"    close_timeout_ms: 0\n"                       /* 12 */
	"stores:\n"                                       /* 13 */
	"  main:\n"                                       /* 14 */
	"    backend: sqlite\n"                           /* 15 */
	"    options:\n"                                  /* 16 */
	"      path: polychat.db\n"                       /* 17 */
	"      busy_timeout: 250\n"                       /* 18 */
	"  spare: {backend: memory}\n"                    /* 19 */
	"listeners:\n"                                    /* 20 */
	"  - name: kylo\n"                                /* 21 */
	"    bind: \"::1\"\n"                             /* 22 */
	"    port: 7000\n"                                /* 23 */
	"    suite: kylochat\n"                           /* 24 */
	"    auth: password\n"                            /* 25 */
	"    auth_options:\n"                             /* 26 */
	"      cost: 12\n"                                /* 27 */
	"    store: main\n"                               /* 28 */
	"    realm: shared\n"                             /* 29 */
	"    options:\n"                                  /* 30 */
	"      motd: 'hello: world'\n"                    /* 31 */
	"      pace_ms: 5\n"                              /* 32 */
	"    limits:\n"                                   /* 33 */
	"      max_frame: 4096\n"                         /* 34 */
	"      close_timeout_ms: 600000\n"                /* 35 */
	"  - suite: e2ee-chat\n"                          /* 36 */
	"    port: 0\n";                                  /* 37 */

START_TEST(test_full)
{
	ck_assert_int_eq(parse(full_config), 0);
	ck_assert_uint_eq(diag.count, 0);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(cfg->file, "t.yaml");
	ck_assert_str_eq(cfg->state_dir, "/var/lib/polychat");
	ck_assert_str_eq(cfg->plugin_dir, "/usr/lib/polychat");
	ck_assert_int_eq(cfg->log_level, POLYCHAT_LOG_DEBUG);
	ck_assert_int_eq(cfg->log_syslog, 1);
	ck_assert_uint_eq(cfg->limits.max_connections, 500);
	ck_assert_uint_eq(cfg->limits.max_frame, 65536);
	ck_assert_uint_eq(cfg->limits.output_limit, 2048);
	ck_assert_uint_eq(cfg->limits.close_timeout_ms, 0);

	ck_assert_uint_eq(cfg->n_stores, 2);
	const struct pc_config_store *st = pc_config_store_find(cfg, "main");
	ck_assert_ptr_eq(st, &cfg->stores[0]);
	ck_assert_str_eq(st->name, "main");
	ck_assert_str_eq(st->backend, "sqlite");
	ck_assert_int_eq(st->pos.line, 14);
	ck_assert_int_eq(st->pos.col, 3);
	ck_assert_str_eq(st->options->path, "stores.main.options");
	ck_assert_uint_eq(st->options->count, 2);
	ck_assert_str_eq(option(st->options, "path"), "polychat.db");
	ck_assert_str_eq(option(st->options, "busy_timeout"), "250");
	ck_assert_int_eq(st->options->items[1].pos.line, 18);
	ck_assert_int_eq(st->options->items[1].pos.col, 21);
	ck_assert_ptr_eq(st->options->state_dir, cfg->state_dir);
	ck_assert_ptr_eq(st->options->items[0].pos.file, cfg->file);
	st = pc_config_store_find(cfg, "spare");
	ck_assert_ptr_eq(st, &cfg->stores[1]);
	ck_assert_str_eq(st->backend, "memory");
	ck_assert_ptr_nonnull(st->options);
	ck_assert_uint_eq(st->options->count, 0);
	ck_assert_ptr_null(pc_config_store_find(cfg, "other"));

	ck_assert_uint_eq(cfg->n_listeners, 2);
	const struct pc_config_listener *l = pc_config_listener_find(cfg, "kylo");
	ck_assert_ptr_eq(l, &cfg->listeners[0]);
	ck_assert_str_eq(l->name, "kylo");
	ck_assert_str_eq(l->bind, "::1");
	ck_assert_uint_eq(l->port, 7000);
	ck_assert_str_eq(l->suite, "kylochat");
	ck_assert_str_eq(l->auth, "password");
	ck_assert_str_eq(l->store, "main");
	ck_assert_str_eq(l->realm, "shared");
	ck_assert_int_eq(l->pos.line, 21);
	ck_assert_int_eq(l->pos.col, 5);
	ck_assert_str_eq(l->suite_options->path, "listeners[0].options");
	ck_assert_uint_eq(l->suite_options->count, 2);
	ck_assert_str_eq(option(l->suite_options, "motd"), "hello: world");
	ck_assert_str_eq(option(l->suite_options, "pace_ms"), "5");
	ck_assert_int_eq(l->suite_options->pos.line, 31);
	ck_assert_int_eq(l->suite_options->pos.col, 7);
	ck_assert_int_eq(l->suite_options->items[0].pos.line, 31);
	ck_assert_int_eq(l->suite_options->items[0].pos.col, 13);
	ck_assert_str_eq(l->auth_options->path, "listeners[0].auth_options");
	ck_assert_uint_eq(l->auth_options->count, 1);
	ck_assert_str_eq(option(l->auth_options, "cost"), "12");
	ck_assert_ptr_eq(l->auth_options->state_dir, cfg->state_dir);
	/* Per-listener limits override the daemon's, key by key. */
	ck_assert_uint_eq(l->limits.max_connections, 500);
	ck_assert_uint_eq(l->limits.max_frame, 4096);
	ck_assert_uint_eq(l->limits.output_limit, 2048);
	ck_assert_uint_eq(l->limits.close_timeout_ms, 600000);

	l = pc_config_listener_find(cfg, "e2ee-chat-0");
	ck_assert_ptr_eq(l, &cfg->listeners[1]);
	ck_assert_str_eq(l->bind, "127.0.0.1");
	ck_assert_uint_eq(l->port, 0);
	ck_assert_str_eq(l->suite, "e2ee-chat");
	ck_assert_ptr_null(l->auth);
	ck_assert_ptr_null(l->store);
	ck_assert_str_eq(l->realm, "e2ee-chat-0");
	ck_assert_uint_eq(l->limits.max_connections, 500);
	ck_assert_uint_eq(l->limits.max_frame, 65536);
	ck_assert_uint_eq(l->limits.close_timeout_ms, 0);
	ck_assert_ptr_null(pc_config_listener_find(cfg, "nope"));
	ck_assert_ptr_null(pc_config_listener_find(cfg, NULL));
}
END_TEST

START_TEST(test_defaults)
{
	ck_assert_int_eq(parse("listeners:\n  - {suite: kylochat, port: 5000}\n"), 0);
	ck_assert_uint_eq(diag.count, 0);
	char cwd[4096];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_str_eq(cfg->state_dir, cwd);
	ck_assert_ptr_null(cfg->plugin_dir);
	ck_assert_int_eq(cfg->log_level, POLYCHAT_LOG_INFO);
	ck_assert_int_eq(cfg->log_syslog, 0);
	ck_assert_uint_eq(cfg->limits.max_connections, 10000);
	ck_assert_uint_eq(cfg->limits.max_frame, 1048576);
	ck_assert_uint_eq(cfg->limits.output_limit, 4194304);
	ck_assert_uint_eq(cfg->limits.close_timeout_ms, 5000);
	ck_assert_uint_eq(cfg->n_stores, 0);
	ck_assert_uint_eq(cfg->n_listeners, 1);
	const struct pc_config_listener *l = &cfg->listeners[0];
	ck_assert_str_eq(l->name, "kylochat-5000");
	ck_assert_str_eq(l->realm, "kylochat-5000");
	ck_assert_str_eq(l->bind, "127.0.0.1");
	ck_assert_ptr_null(l->auth);
	ck_assert_ptr_null(l->store);
	ck_assert_uint_eq(l->limits.max_connections, 10000);
	ck_assert_uint_eq(l->limits.max_frame, 1048576);
	ck_assert_uint_eq(l->limits.output_limit, 4194304);
	ck_assert_uint_eq(l->limits.close_timeout_ms, 5000);
	/* Absent blocks are empty and sit at their listener. */
	ck_assert_ptr_nonnull(l->suite_options);
	ck_assert_ptr_nonnull(l->auth_options);
	ck_assert_uint_eq(l->suite_options->count, 0);
	ck_assert_uint_eq(l->auth_options->count, 0);
	ck_assert_int_eq(l->suite_options->pos.line, 2);
	ck_assert_int_eq(l->suite_options->pos.col, 5);
	ck_assert_str_eq(l->suite_options->path, "listeners[0].options");
	ck_assert_ptr_eq(l->suite_options->state_dir, cfg->state_dir);
}
END_TEST

START_TEST(test_relative_state_dir)
{
	ck_assert_int_eq(parse("daemon: {state_dir: state/x}\n"
		"listeners: [{suite: a, port: 1}]\n"), 0);
	char cwd[4096], want[4200];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/state/x", cwd);
	ck_assert_str_eq(cfg->state_dir, want);
}
END_TEST

/* A null value reads as absent; inside an option block it stays text. */
START_TEST(test_null_values)
{
	ck_assert_int_eq(parse("daemon:\nstores:\nlisteners:\n"
		"  - suite: a\n    port: 1\n    auth:\n    store: ~\n"
		"    options: {k: , n: null}\n"), 0);
	const struct pc_config_listener *l = &cfg->listeners[0];
	ck_assert_ptr_null(l->auth);
	ck_assert_ptr_null(l->store);
	ck_assert_str_eq(option(l->suite_options, "k"), "");
	ck_assert_str_eq(option(l->suite_options, "n"), "null");
}
END_TEST

START_TEST(test_top_level_typo)
{
	parse_bad("lsteners:\n  - {suite: a, port: 1}\n");
	ck_assert_str_eq(entry(0), "t.yaml:1:1: unknown key 'lsteners' at top "
		"level; expected one of: daemon, stores, listeners");
	ck_assert_str_eq(entry(1), "t.yaml:1:1: missing required key 'listeners'");
	ck_assert_uint_eq(diag.count, 2);
}
END_TEST

START_TEST(test_listener_typo)
{
	parse_bad("listeners:\n  - suite: kylochat\n    prot: 5000\n");
	ck_assert_str_eq(entry(0), "t.yaml:3:5: listeners[0]: unknown key 'prot'; "
		"expected one of: name, bind, port, suite, auth, auth_options, store, "
		"realm, options, limits");
	ck_assert_str_eq(entry(1), "t.yaml:2:5: listeners[0]: missing required key 'port'");
	ck_assert_uint_eq(diag.count, 2);
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
	expect_one("listeners:\n  - {suite: a, port: -1}\n",
		"t.yaml:2:22: listeners[0].port: expected an integer between 0 and "
		"65535, got '-1'");
	pc_diag_clear(&diag);
	expect_one("listeners:\n  - {suite: a, port: 0x50}\n",
		"t.yaml:2:22: listeners[0].port: expected an integer between 0 and "
		"65535, got '0x50'");
	pc_diag_clear(&diag);
	expect_one("listeners:\n  - {suite: a, port: [1]}\n",
		"t.yaml:2:22: listeners[0].port: expected an integer between 0 and "
		"65535, got a sequence");
	pc_diag_clear(&diag);
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
	expect_one("listeners:\n  - suite: a\n    port: 1\n    bind: localhost\n",
		"t.yaml:4:11: listeners[0].bind: expected an IPv4 or IPv6 address "
		"literal, got 'localhost'");
	pc_diag_clear(&diag);
	expect_one("listeners:\n  - {suite: a, port: 1, bind: 300.1.1.1}\n",
		"t.yaml:2:31: listeners[0].bind: expected an IPv4 or IPv6 address "
		"literal, got '300.1.1.1'");
}
END_TEST

START_TEST(test_bad_names)
{
	parse_bad("listeners:\n  - {name: 'a b', suite: 'x/y', port: 1, auth: ''}\n");
	ck_assert_str_eq(entry(0), "t.yaml:2:12: listeners[0].name: expected a "
		"name of 1 to 63 characters from A-Z a-z 0-9 _ . -, got 'a b'");
	ck_assert_str_eq(entry(1), "t.yaml:2:26: listeners[0].suite: expected a "
		"name of 1 to 63 characters from A-Z a-z 0-9 _ . -, got 'x/y'");
	ck_assert_str_eq(entry(2), "t.yaml:2:48: listeners[0].auth: expected a "
		"name of 1 to 63 characters from A-Z a-z 0-9 _ . -, got ''");
	ck_assert_uint_eq(diag.count, 3);
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
	expect_one("listeners:\n"
		"  - {name: chat, suite: a, port: 1}\n"
		"  - {name: chat, suite: b, port: 2}\n",
		"t.yaml:3:12: listeners[1].name: duplicate listener name 'chat' "
		"(first used by listeners[0] at line 2, column 12)");
	pc_diag_clear(&diag);
	/* Two defaulted names collide too, and the fix is named. */
	expect_one("listeners:\n"
		"  - {suite: a, port: 0}\n"
		"  - {suite: a, port: 0}\n",
		"t.yaml:3:5: listeners[1].name: duplicate listener name 'a-0' "
		"(first used by listeners[0] at line 2, column 5); give one of them "
		"a unique 'name'");
}
END_TEST

START_TEST(test_duplicate_port)
{
	expect_one("listeners:\n"
		"  - {suite: a, port: 7000}\n"
		"  - {suite: b, port: 7000, bind: 127.0.0.1}\n",
		"t.yaml:3:22: listeners[1].port: 127.0.0.1:7000 is already used by "
		"listeners[0] at line 2, column 22");
	pc_diag_clear(&diag);
	expect_one("listeners:\n"
		"  - {suite: a, port: 7000, bind: '::1'}\n"
		"  - {suite: b, port: 7000, bind: '0:0::1'}\n",
		"t.yaml:3:22: listeners[1].port: [0:0::1]:7000 is already used by "
		"listeners[0] at line 2, column 22");
	pc_diag_clear(&diag);
	/* A wildcard takes the port on every address; IPv6's on IPv4's too. */
	expect_one("listeners:\n"
		"  - {suite: a, port: 7000, bind: 127.0.0.2}\n"
		"  - {suite: b, port: 7000, bind: '::'}\n",
		"t.yaml:3:22: listeners[1].port: [::]:7000 overlaps 127.0.0.2:7000 of "
		"listeners[0] at line 2, column 22");
	pc_diag_clear(&diag);
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
	expect_one("stores:\n  main: {backend: sqlite}\n  aux: {backend: x}\n"
		"listeners:\n  - {suite: a, port: 1, store: mian}\n",
		"t.yaml:5:32: listeners[0].store: unknown store 'mian'; defined "
		"stores: main, aux");
	pc_diag_clear(&diag);
	expect_one("listeners:\n  - {suite: a, port: 1, store: main}\n",
		"t.yaml:2:32: listeners[0].store: unknown store 'main'; no stores "
		"are defined");
}
END_TEST

START_TEST(test_stores_errors)
{
	parse_bad("stores:\n"
		"  main:\n"
		"    backend: sqlite\n"
		"    options: {path: [a, b], path: c}\n"
		"    extra: 1\n"
		"  aux: {options: {x: 1}}\n"
		"  bad name: {backend: x}\n"
		"  list: [1]\n"
		"listeners:\n  - {suite: a, port: 1, store: aux}\n");
	ck_assert_str_eq(entry(0), "t.yaml:5:5: stores.main: unknown key 'extra'; "
		"expected one of: backend, options");
	ck_assert_str_eq(entry(1), "t.yaml:4:21: stores.main.options.path: "
		"expected a scalar value, got a sequence");
	ck_assert_str_eq(entry(2), "t.yaml:4:29: stores.main.options: duplicate "
		"key 'path' (first at line 4, column 15)");
	ck_assert_str_eq(entry(3), "t.yaml:6:8: stores.aux: missing required key "
		"'backend'");
	ck_assert_str_eq(entry(4), "t.yaml:7:3: stores: expected a store name "
		"(a name of 1 to 63 characters from A-Z a-z 0-9 _ . -), got 'bad name'");
	ck_assert_str_eq(entry(5), "t.yaml:8:9: stores.list: expected a mapping, "
		"got a sequence");
	ck_assert_uint_eq(diag.count, 6);
	pc_diag_clear(&diag);
	expect_one("stores: [a]\nlisteners:\n  - {suite: a, port: 1}\n",
		"t.yaml:1:9: stores: expected a mapping, got a sequence");
}
END_TEST

START_TEST(test_option_not_scalar)
{
	expect_one("listeners:\n"
		"  - suite: a\n"
		"    port: 1\n"
		"    options:\n"
		"      motd: {text: hi}\n",
		"t.yaml:5:13: listeners[0].options.motd: expected a scalar value, got "
		"a mapping");
	pc_diag_clear(&diag);
	expect_one("listeners:\n  - {suite: a, port: 1, auth_options: [x]}\n",
		"t.yaml:2:39: listeners[0].auth_options: expected a mapping of "
		"option: value, got a sequence");
	pc_diag_clear(&diag);
	expect_one("listeners:\n  - {suite: a, port: 1, options: {[k]: v}}\n",
		"t.yaml:2:35: listeners[0].options: expected a scalar key, got a "
		"sequence");
}
END_TEST

START_TEST(test_syntax_error)
{
	expect_one("listeners:\n  - suite: a\n    port: 1\n   bad: x\n",
		"t.yaml:4:4: YAML syntax error: did not find expected '-' "
		"indicator (while parsing a block collection at line 2, column 3)");
	pc_diag_clear(&diag);
	expect_one("listeners: [\n", "t.yaml:2:1: YAML syntax error: did not find "
		"expected node content (while parsing a flow node at line 2, column 1)");
	pc_diag_clear(&diag);
	expect_one("a: 'open\n", "t.yaml:2:1: YAML syntax error: found unexpected "
		"end of stream (while scanning a quoted scalar at line 1, column 4)");
	pc_diag_clear(&diag);
	expect_one("a: \"x\\0y\"\n", "t.yaml:1:4: a value must not contain a NUL "
		"character");
}
END_TEST

START_TEST(test_empty)
{
	expect_one("", "t.yaml: the configuration is empty; expected a mapping "
		"with at least 'listeners'");
	pc_diag_clear(&diag);
	expect_one("# only a comment\n\n", "t.yaml: the configuration is empty; "
		"expected a mapping with at least 'listeners'");
	pc_diag_clear(&diag);
	expect_one("---\n...\n", "t.yaml: the configuration is empty; expected a "
		"mapping with at least 'listeners'");
	pc_diag_clear(&diag);
	ck_assert_int_eq(pc_config_parse("t.yaml", NULL, 0, &diag, &cfg),
		POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(0), "t.yaml: the configuration is empty; expected "
		"a mapping with at least 'listeners'");
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
	expect_one("listeners: {suite: a, port: 1}\n",
		"t.yaml:1:12: listeners: expected a sequence of listeners, "
		"got a mapping");
	pc_diag_clear(&diag);
	expect_one("listeners: x\n", "t.yaml:1:12: listeners: expected a "
		"sequence of listeners, got 'x'");
	pc_diag_clear(&diag);
	expect_one("listeners:\n  - x\n", "t.yaml:2:5: listeners[0]: expected "
		"a mapping, got 'x'");
	pc_diag_clear(&diag);
	expect_one("- listeners\n", "t.yaml:1:1: expected a mapping at top level, "
		"got a sequence");
}
END_TEST

START_TEST(test_daemon_errors)
{
	parse_bad("daemon:\n"
		"  state_dir: ''\n"
		"  log: {level: verbose, syslog: maybe, color: on}\n"
		"  limits:\n"
		"    max_connections: 0\n"
		"    max_frame: 63\n"
		"    output_limit: 1073741825\n"
		"    close_timeout_ms: 600001\n"
		"  plugin_dir: [x]\n"
		"  state_dir: /x\n"
		"listeners:\n  - {suite: a, port: 1, limits: {max_frame: 67108865}}\n");
	ck_assert_str_eq(entry(0), "t.yaml:10:3: daemon: duplicate key "
		"'state_dir' (first at line 2, column 3)");
	ck_assert_str_eq(entry(1), "t.yaml:2:14: daemon.state_dir: expected a "
		"directory path, got ''");
	ck_assert_str_eq(entry(2), "t.yaml:9:15: daemon.plugin_dir: expected a "
		"directory path, got a sequence");
	ck_assert_str_eq(entry(3), "t.yaml:3:40: daemon.log: unknown key 'color'; "
		"expected one of: level, syslog");
	ck_assert_str_eq(entry(4), "t.yaml:3:16: daemon.log.level: expected one "
		"of: error, warning, notice, info, debug; got 'verbose'");
	ck_assert_str_eq(entry(5), "t.yaml:3:33: daemon.log.syslog: expected a "
		"boolean (true/false, yes/no, on/off), got 'maybe'");
	ck_assert_str_eq(entry(6), "t.yaml:5:22: daemon.limits.max_connections: "
		"expected an integer between 1 and 1000000, got '0'");
	ck_assert_str_eq(entry(7), "t.yaml:6:16: daemon.limits.max_frame: "
		"expected an integer between 64 and 67108864, got '63'");
	ck_assert_str_eq(entry(8), "t.yaml:7:19: daemon.limits.output_limit: "
		"expected an integer between 1024 and 1073741824, got '1073741825'");
	ck_assert_str_eq(entry(9), "t.yaml:8:23: daemon.limits.close_timeout_ms: "
		"expected an integer between 0 and 600000, got '600001'");
	ck_assert_str_eq(entry(10), "t.yaml:12:45: listeners[0].limits.max_frame: "
		"expected an integer between 64 and 67108864, got '67108865'");
	ck_assert_uint_eq(diag.count, 11);
	pc_diag_clear(&diag);
	expect_one("daemon: 5\nlisteners:\n  - {suite: a, port: 1}\n",
		"t.yaml:1:9: daemon: expected a mapping, got '5'");
}
END_TEST

START_TEST(test_log_levels)
{
	static const char *const names[] = {"error", "warning", "notice", "info",
		"debug"};
	static const int levels[] = {POLYCHAT_LOG_ERROR, POLYCHAT_LOG_WARNING,
		POLYCHAT_LOG_NOTICE, POLYCHAT_LOG_INFO, POLYCHAT_LOG_DEBUG};
	for (size_t i = 0; i < 5; i++) {
		char text[200];
		snprintf(text, sizeof(text), "daemon: {log: {level: %s, syslog: %s}}\n"
			"listeners: [{suite: a, port: 1}]\n", names[i],
			i % 2 ? "off" : "True");
		ck_assert_int_eq(parse(text), 0);
		ck_assert_int_eq(cfg->log_level, levels[i]);
		ck_assert_int_eq(cfg->log_syslog, i % 2 ? 0 : 1);
		pc_config_free(cfg);
		cfg = NULL;
	}
}
END_TEST

START_TEST(test_duplicate_keys)
{
	expect_one("listeners:\n  - {suite: a, port: 1}\nlisteners:\n  - {suite: b, port: 2}\n",
		"t.yaml:3:1: duplicate key 'listeners' (first at line 1, column 1)");
	pc_diag_clear(&diag);
	expect_one("listeners:\n  - suite: a\n    port: 1\n    suite: b\n",
		"t.yaml:4:5: listeners[0]: duplicate key 'suite' (first at line 2, "
		"column 5)");
}
END_TEST

START_TEST(test_many_errors)
{
	parse_bad("daemon: {limits: {max_frame: 1}}\n"
		"listeners:\n"
		"  - {suite: a, port: 99999}\n"
		"  - {name: x, port: 2, bind: nowhere}\n"
		"  - {name: x, suite: c, port: 3, colour: blue}\n");
	ck_assert_str_eq(entry(0), "t.yaml:1:30: daemon.limits.max_frame: "
		"expected an integer between 64 and 67108864, got '1'");
	ck_assert_str_eq(entry(1), "t.yaml:3:22: listeners[0].port: expected an "
		"integer between 0 and 65535, got '99999'");
	ck_assert_str_eq(entry(2), "t.yaml:4:30: listeners[1].bind: expected an "
		"IPv4 or IPv6 address literal, got 'nowhere'");
	ck_assert_str_eq(entry(3), "t.yaml:4:5: listeners[1]: missing required "
		"key 'suite'");
	ck_assert_str_eq(entry(4), "t.yaml:5:34: listeners[2]: unknown key "
		"'colour'; expected one of: name, bind, port, suite, auth, "
		"auth_options, store, realm, options, limits");
	ck_assert_str_eq(entry(5), "t.yaml:5:12: listeners[2].name: duplicate "
		"listener name 'x' (first used by listeners[1] at line 4, column 12)");
	ck_assert_uint_eq(diag.count, 6);
}
END_TEST

START_TEST(test_bounds)
{
	/* The root mapping and 32 flow sequences: the 32nd bracket opens the
	 * 33rd level and is refused. */
	char deep[200] = "a: ";
	for (int i = 0; i < 32; i++)
		strcat(deep, "[");
	strcat(deep, "1");
	for (int i = 0; i < 32; i++)
		strcat(deep, "]");
	strcat(deep, "\n");
	expect_one(deep, "t.yaml:1:35: nesting deeper than 32 levels");
	pc_diag_clear(&diag);

	/* 32 levels are fine for the parser (the schema then refuses 'a'). */
	strcpy(deep, "a: ");
	for (int i = 0; i < 31; i++)
		strcat(deep, "[");
	strcat(deep, "1");
	for (int i = 0; i < 31; i++)
		strcat(deep, "]");
	strcat(deep, "\n");
	parse_bad(deep);
	ck_assert_str_eq(entry(0), "t.yaml:1:1: unknown key 'a' at top level; "
		"expected one of: daemon, stores, listeners");
	ck_assert_str_eq(entry(1), "t.yaml:1:1: missing required key 'listeners'");
	ck_assert_uint_eq(diag.count, 2);
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
	expect_one("base: &b {suite: a, port: 1}\nlisteners: [*b]\n",
		"t.yaml:2:13: aliases are not supported (*b); write the value out");
	pc_diag_clear(&diag);
	expect_one("listeners: [{suite: a, port: 1}]\n---\nlisteners: []\n",
		"t.yaml:2:1: expected a single YAML document, found a second one");
}
END_TEST

/* Two parses of nearly the same text: the listener (or store) entries are
 * equal exactly when the difference is not in the entry's fields. */
static int listeners_equal(const char *a, const char *b)
{
	struct pc_config *ca = NULL, *cb = NULL;
	ck_assert_int_eq(pc_config_parse("a.yaml", a, strlen(a), &diag, &ca), 0);
	ck_assert_int_eq(pc_config_parse("b.yaml", b, strlen(b), &diag, &cb), 0);
	int eq = pc_config_listener_equal(&ca->listeners[0], &cb->listeners[0]);
	ck_assert_int_eq(pc_config_listener_equal(&cb->listeners[0],
		&ca->listeners[0]), eq);
	int seq = pc_config_store_equal(&ca->stores[0], &cb->stores[0]);
	pc_config_free(ca);
	pc_config_free(cb);
	return eq * 2 + seq;
}

#define STORES "stores: {s: {backend: sqlite, options: {path: x.db}}, t: {backend: m}}\n"
#define BASE "listeners:\n  - {name: n, bind: 127.0.0.1, port: 1, suite: a, " \
	"auth: p, store: s, realm: r, options: {k: v, j: w}, " \
	"auth_options: {c: '1'}, limits: {max_frame: 100}}\n"

START_TEST(test_listener_equal)
{
	/* Same fields, other positions, option order, quoting. */
	ck_assert_int_eq(listeners_equal(STORES BASE, "\n\n" STORES
		"listeners:\n  - {name: n, bind: 127.0.0.1, port: 1, suite: a, "
		"auth: p, store: s, realm: r, options: {j: w, k: \"v\"}, "
		"auth_options: {c: 1}, limits: {max_frame: 100}}\n"), 3);
	static const char *const changed[] = {
		"{name: m, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.2, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 2, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: b, auth: p, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: q, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: t, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: q, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: x}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, i: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w, l: w}, auth_options: {c: '1'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '2'}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w}, limits: {max_frame: 100}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 101}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100, max_connections: 9}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100, output_limit: 9999}}",
		"{name: n, bind: 127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: {k: v, j: w}, auth_options: {c: '1'}, limits: {max_frame: 100, close_timeout_ms: 1}}",
	};
	for (size_t i = 0; i < sizeof(changed) / sizeof(changed[0]); i++) {
		char text[1024];
		snprintf(text, sizeof(text), STORES "listeners:\n  - %s\n", changed[i]);
		ck_assert_msg(listeners_equal(STORES BASE, text) == 1,
			"variant %zu compared equal", i);
	}
	/* Inherited limits count like written ones. */
	ck_assert_int_eq(listeners_equal(STORES BASE, "daemon: {limits: "
		"{max_frame: 100}}\n" STORES "listeners:\n  - {name: n, bind: "
		"127.0.0.1, port: 1, suite: a, auth: p, store: s, realm: r, options: "
		"{k: v, j: w}, auth_options: {c: '1'}}\n"), 3);
	ck_assert_int_eq(pc_config_listener_equal(NULL, NULL), 1);
}
END_TEST

START_TEST(test_store_equal)
{
	static const char *const changed[] = {
		"stores: {r: {backend: sqlite, options: {path: x.db}}, t: {backend: m}}\n",
		"stores: {s: {backend: lmdb, options: {path: x.db}}, t: {backend: m}}\n",
		"stores: {s: {backend: sqlite, options: {path: y.db}}, t: {backend: m}}\n",
		"stores: {s: {backend: sqlite}, t: {backend: m}}\n",
		"stores: {s: {backend: sqlite, options: {path: x.db, wal: on}}, t: {backend: m}}\n",
	};
	for (size_t i = 0; i < sizeof(changed) / sizeof(changed[0]); i++) {
		char text[1024];
		/* The listener must not name the store that is renamed. */
		snprintf(text, sizeof(text), "%slisteners: [{name: n, port: 1, "
			"suite: a}]\n", changed[i]);
		ck_assert_msg(listeners_equal(STORES "listeners: [{name: n, port: 1, "
			"suite: a}]\n", text) == 2, "variant %zu compared equal", i);
	}
	ck_assert_int_eq(listeners_equal(STORES "listeners: [{name: n, port: 1, "
		"suite: a}]\n", "stores:\n  s:\n    options: {path: x.db}\n"
		"    backend: sqlite\n  t: {backend: m}\n"
		"listeners: [{name: n, port: 1, suite: a}]\n"), 3);
	ck_assert_int_eq(pc_config_store_equal(NULL, NULL), 1);
}
END_TEST

START_TEST(test_load_missing)
{
	ck_assert_int_eq(pc_config_load("/nonexistent/polychat/x.yaml", &diag, &cfg),
		POLYCHAT_EIO);
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(entry(0), "/nonexistent/polychat/x.yaml: cannot open: "
		"No such file or directory");
	ck_assert_uint_eq(diag.count, 1);
	pc_diag_clear(&diag);
	ck_assert_int_eq(pc_config_load("/", &diag, &cfg), POLYCHAT_EIO);
	ck_assert_str_eq(entry(0), "/: cannot read: Is a directory");
}
END_TEST

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_load_file)
{
	char path[] = "/tmp/pc-test-config-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file(path, full_config, strlen(full_config));
	ck_assert_int_eq(pc_config_load(path, &diag, &cfg), 0);
	ck_assert_uint_eq(diag.count, 0);
	ck_assert_str_eq(cfg->file, path);
	ck_assert_uint_eq(cfg->n_listeners, 2);
	ck_assert_str_eq(cfg->listeners[0].name, "kylo");
	ck_assert_ptr_eq(cfg->listeners[0].suite_options->items[0].pos.file,
		cfg->file);
	pc_config_free(cfg);
	cfg = NULL;

	/* Errors name the real file. */
	const char *bad = "listeners:\n  - {suite: a, port: 1, bind: x}\n";
	write_file(path, bad, strlen(bad));
	ck_assert_int_eq(pc_config_load(path, &diag, &cfg), POLYCHAT_ECONFIG);
	ck_assert_ptr_null(cfg);
	char want[256];
	snprintf(want, sizeof(want), "%s:2:31: listeners[0].bind: expected an "
		"IPv4 or IPv6 address literal, got 'x'", path);
	ck_assert_str_eq(entry(0), want);
	pc_diag_clear(&diag);

	size_t big = 1024 * 1024 + 1;
	char *text = malloc(big);
	ck_assert_ptr_nonnull(text);
	memset(text, '\n', big);
	write_file(path, text, big);
	free(text);
	ck_assert_int_eq(pc_config_load(path, &diag, &cfg), POLYCHAT_ECONFIG);
	snprintf(want, sizeof(want), "%s: the file is larger than 1 MiB", path);
	ck_assert_str_eq(entry(0), want);
	ck_assert_uint_eq(diag.count, 1);
	unlink(path);
}
END_TEST

/* With no diagnostics list the errors still reach the operator. */
START_TEST(test_no_diag)
{
	char name[] = "/tmp/pc-test-config-err-XXXXXX";
	int fd = mkstemp(name);
	ck_assert_int_ge(fd, 0);
	unlink(name);
	fflush(stderr);
	int saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	const char *text = "listeners: x\n";
	int rc = pc_config_parse("t.yaml", text, strlen(text), NULL, &cfg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ck_assert_int_eq(rc, POLYCHAT_ECONFIG);
	ck_assert_ptr_null(cfg);
	char buf[256] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "t.yaml:1:12: listeners: expected a sequence of "
		"listeners, got 'x'\n");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *ok = tcase_create("valid");
	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_test(ok, test_full);
	tcase_add_test(ok, test_defaults);
	tcase_add_test(ok, test_relative_state_dir);
	tcase_add_test(ok, test_null_values);
	tcase_add_test(ok, test_log_levels);
	suite_add_tcase(s, ok);

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

	TCase *eq = tcase_create("equal");
	tcase_add_checked_fixture(eq, setup, teardown);
	tcase_add_test(eq, test_listener_equal);
	tcase_add_test(eq, test_store_equal);
	suite_add_tcase(s, eq);

	TCase *load = tcase_create("load");
	tcase_add_checked_fixture(load, setup, teardown);
	tcase_add_test(load, test_load_missing);
	tcase_add_test(load, test_load_file);
	suite_add_tcase(s, load);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
