/* SPDX-License-Identifier: MIT */
/* Unit tests of what config.c accepts: values, defaults, find, equality, files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <polychat/host.h>
#include <polychat/status.h>

#include "config-fixture.h"
#include "../check-run.h"

static const char *option(const struct polychat_options *o, const char *key)
{
	for (size_t i = 0; i < o->count; i++)
		if (strcmp(o->items[i].key, key) == 0)
			return o->items[i].value;
	return NULL;
}

/* Asserts every field of `got` against `want` (written in the order of
 * struct pc_limits: connections, frame, output, close timeout). */
static void expect_limits(const struct pc_limits *got, struct pc_limits want)
{
	ck_assert_uint_eq(got->max_connections, want.max_connections);
	ck_assert_uint_eq(got->max_frame, want.max_frame);
	ck_assert_uint_eq(got->output_limit, want.output_limit);
	ck_assert_uint_eq(got->close_timeout_ms, want.close_timeout_ms);
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
	expect_limits(&cfg->limits, (struct pc_limits){500, 65536, 2048, 0});

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
	expect_limits(&l->limits, (struct pc_limits){500, 4096, 2048, 600000});

	l = pc_config_listener_find(cfg, "e2ee-chat-0");
	ck_assert_ptr_eq(l, &cfg->listeners[1]);
	ck_assert_str_eq(l->bind, "127.0.0.1");
	ck_assert_uint_eq(l->port, 0);
	ck_assert_str_eq(l->suite, "e2ee-chat");
	ck_assert_ptr_null(l->auth);
	ck_assert_ptr_null(l->store);
	ck_assert_str_eq(l->realm, "e2ee-chat-0");
	/* No limits of its own: the daemon's, all four. */
	expect_limits(&l->limits, (struct pc_limits){500, 65536, 2048, 0});
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
	expect_limits(&cfg->limits,
		(struct pc_limits){10000, 1048576, 4194304, 5000});
	ck_assert_uint_eq(cfg->n_stores, 0);
	ck_assert_uint_eq(cfg->n_listeners, 1);
	const struct pc_config_listener *l = &cfg->listeners[0];
	ck_assert_str_eq(l->name, "kylochat-5000");
	ck_assert_str_eq(l->realm, "kylochat-5000");
	ck_assert_str_eq(l->bind, "127.0.0.1");
	ck_assert_ptr_null(l->auth);
	ck_assert_ptr_null(l->store);
	expect_limits(&l->limits,
		(struct pc_limits){10000, 1048576, 4194304, 5000});
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

START_TEST(test_log_levels)
{
	static const char *const names[] = {"error", "warning", "notice", "info",
		"debug"};
	static const int levels[] = {POLYCHAT_LOG_ERROR, POLYCHAT_LOG_WARNING,
		POLYCHAT_LOG_NOTICE, POLYCHAT_LOG_INFO, POLYCHAT_LOG_DEBUG};
	for (size_t i = 0; i < N_OF(names); i++) {
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
	for (size_t i = 0; i < N_OF(changed); i++) {
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

/* A listener that names no store, so any store may change under it. */
#define PLAIN "listeners: [{name: n, port: 1, suite: a}]\n"

START_TEST(test_store_equal)
{
	static const char *const changed[] = {
		"stores: {r: {backend: sqlite, options: {path: x.db}}, t: {backend: m}}\n",
		"stores: {s: {backend: lmdb, options: {path: x.db}}, t: {backend: m}}\n",
		"stores: {s: {backend: sqlite, options: {path: y.db}}, t: {backend: m}}\n",
		"stores: {s: {backend: sqlite}, t: {backend: m}}\n",
		"stores: {s: {backend: sqlite, options: {path: x.db, wal: on}}, t: {backend: m}}\n",
	};
	for (size_t i = 0; i < N_OF(changed); i++) {
		char text[1024];
		/* The listener must not name the store that is renamed. */
		snprintf(text, sizeof(text), "%s" PLAIN, changed[i]);
		ck_assert_msg(listeners_equal(STORES PLAIN, text) == 2,
			"variant %zu compared equal", i);
	}
	/* Same store, keys in another order. */
	ck_assert_int_eq(listeners_equal(STORES PLAIN, "stores:\n  s:\n    "
		"options: {path: x.db}\n    backend: sqlite\n  t: {backend: m}\n"
		PLAIN), 3);
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
	return pc_check_run(config_suite());
}
