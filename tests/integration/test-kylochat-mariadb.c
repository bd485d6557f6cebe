/* SPDX-License-Identifier: MIT */
/* kylochat on a MariaDB store end to end: polychatctl, two clients, and a database restart under them. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kylo-peer.h"
#include "tests/mariadb/mariadb-server.h"
#include "../check-run.h"

/*
 * Each test runs its own private mariadbd (tests/mariadb), started in the
 * test's process so that the test may stop and start it, and a polychatd
 * whose one store is `mariadb` on it, serving a kylochat listener with
 * bcrypt accounts made by polychatctl. Logging is at debug level, and
 * every test ends by checking that the database password is nowhere in
 * polychatd's log.
 */

/* Bound on waiting for service to come back after the restart. */
#define RECOVERY_MS 30000

static struct h_daemon d;
static struct mdb_server server;
static char database[64];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Whether `path` holds `text` anywhere. */
static int file_contains(const char *path, const char *text)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	int found = 0;

	while (fp && !found && fgets(line, sizeof(line), fp))
		found = strstr(line, text) != NULL;
	if (fp)
		fclose(fp);
	return found;
}

static void setup(void)
{
	h_daemon_init(&d);
	ck_assert_int_eq(mdb_start(&server, NULL), 0);
	ck_assert_int_eq(mdb_new_database(&server, NULL, database,
		sizeof(database)), 0);

	/* Short reconnect waits: the restart test waits for them. */
	char cfg[4096];
	snprintf(cfg, sizeof(cfg),
		"daemon:\n"
		"  state_dir: %s\n"
		"  log: {level: debug}\n"
		"stores:\n"
		"  main:\n"
		"    backend: mariadb\n"
		"    options:\n"
		"      socket: %s\n"
		"      user: %s\n"
		"      password_file: %s\n"
		"      database: %s\n"
		"      connect_timeout_s: 2\n"
		"      read_timeout_s: 5\n"
		"      reconnect_min_ms: 50\n"
		"      reconnect_max_ms: 400\n"
		"listeners:\n"
		"  - name: kylo\n"
		"    port: 0\n"
		"    suite: kylochat\n"
		"    auth: bcrypt\n"
		"    auth_options: {cost: 4}\n"
		"    store: main\n", d.dir, server.socket, MDB_USER,
		server.password_file, database);
	h_write_config(&d, cfg);
}

static void teardown(void)
{
	/* A clean exit: no crash, and no leak under the sanitizers. */
	int status = d.pid > 0 ? h_daemon_stop(&d) : 0;
	int leaked = file_contains(d.errlog, server.password);
	h_daemon_cleanup(&d);
	mdb_cleanup(&server);
	ck_assert_int_eq(status, 0);
	ck_assert_msg(!leaked, "the database password is in polychatd's log");
}

/* polychatctl on the test's configuration; its exit status, and its
 * output (stdout and stderr) in `out`. */
static int ctl(const char *const *args, char *out, size_t len)
{
	const char *argv[16] = { "-c", d.config, "-p", h_plugin_path(), "-l",
		"kylo" };
	size_t n = 6;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int rc = h_run("ctl/polychatctl", argv, out, len);
	ck_assert_msg(!strstr(out, server.password),
		"polychatctl printed the database password");
	return rc;
}

static void add_user(const char *name, const char *password, int admin)
{
	char file[400], out[4096];
	snprintf(file, sizeof(file), "%s/pw-%s", d.dir, name);
	FILE *f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", password);
	fclose(f);
	const char *args[] = { "user", "add", name, "--password-file", file,
		admin ? "--admin" : NULL, NULL };
	int rc = ctl(args, out, sizeof(out));
	ck_assert_msg(rc == 0, "user add %s: %s", name, out);
}

static const char *login_notice(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "\x1b[32m%s\x1b[39m logged in \xf0\x9f\x91\x8b",
		name);
	return buf;
}

static int start_daemon(void)
{
	ck_assert_int_eq(h_daemon_start(&d, 1), 0);
	int port = h_port(&d, "kylo");
	ck_assert_int_gt(port, 0);
	return port;
}

/* Two logged-in sessions; `a` saw b's login notice. */
static void pair(int port, struct kylo_peer *a, struct kylo_peer *b)
{
	char text[256];
	ck_assert_int_eq(kp_join(a, port, "alice", "alice-pw"), 0);
	ck_assert_int_eq(kp_join(b, port, "bob", "bob-pw"), 0);
	ck_assert_int_eq(kp_expect_message(a, "SERVER",
		login_notice("bob", text, sizeof(text))), 0);
}

START_TEST(polychatctl_and_chat_on_mariadb)
{
	char out[8192];

	add_user("alice", "alice-pw", 0);
	add_user("bob", "bob-pw", 0);
	add_user("root", "root-pw", 1);

	/* The accounts are rows in MariaDB, listed and shown by
	 * polychatctl: ids in order, the admin flag, never a hash. */
	const char *list[] = { "user", "list", NULL };
	ck_assert_int_eq(ctl(list, out, sizeof(out)), 0);
	char *a = strstr(out, "\talice\tno\tno\t");
	char *b = strstr(out, "\tbob\tno\tno\t");
	char *r = strstr(out, "\troot\tyes\tno\t");
	ck_assert_msg(a && b && r && a < b && b < r, "%s", out);
	ck_assert_ptr_null(strstr(out, "$2b$"));
	const char *show[] = { "user", "show", "alice", NULL };
	ck_assert_int_eq(ctl(show, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "\talice\tno\tno\tno\t") != NULL, "%s", out);
	char count[32];
	ck_assert_int_eq(mdb_query_value(&server, database,
		"SELECT COUNT(*) FROM accounts WHERE secret LIKE '$2b$%'",
		count, sizeof(count)), 0);
	ck_assert_str_eq(count, "3");

	int port = start_daemon();
	struct kylo_peer pa, pb;
	pair(port, &pa, &pb);
	ck_assert_int_eq(kp_say(&pa, "Grüße, Bob! ✓"), 0);
	ck_assert_int_eq(kp_expect_status(&pa, 200), 0);
	ck_assert_int_eq(kp_expect_message(&pb, "alice", "Grüße, Bob! ✓"), 0);
	ck_assert_int_eq(kp_say(&pb, "hello alice"), 0);
	ck_assert_int_eq(kp_expect_status(&pb, 200), 0);
	ck_assert_int_eq(kp_expect_message(&pa, "bob", "hello alice"), 0);

	/* The name is folded by the store, as MariaDB's own collation would
	 * for the original server. */
	struct kylo_peer pr;
	char text[256];
	ck_assert_int_eq(kp_join(&pr, port, "ROOT", "root-pw"), 0);
	ck_assert_int_eq(kp_expect_message(&pa, "SERVER",
		login_notice("ROOT", text, sizeof(text))), 0);

	/* Sizes reached the audit table, through the store, while the
	 * daemon runs. */
	char size_row[64];
	snprintf(size_row, sizeof(size_row),
		"\talice\tmessage\t127.0.0.1\t%zu\n", strlen("Grüße, Bob! ✓"));
	const char *audit[] = { "audit", "list", "alice", NULL };
	ck_assert_int_eq(ctl(audit, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, size_row)
		&& strstr(out, "\talice\tlogin\t127.0.0.1\t0\n"), "%s", out);
	kp_close(&pa);
	kp_close(&pb);
	kp_close(&pr);
}
END_TEST

/* Send `text` until it is accepted (STATUS 200) or the bound passes;
 * every refusal must be the token check's 403. Returns 0 or -1. */
static int say_until_accepted(struct kylo_peer *p, const char *text)
{
	long long deadline = now_ms() + RECOVERY_MS;

	while (now_ms() < deadline) {
		struct kylo_unit u;
		if (kp_say(p, text) != 0 || kp_unit(p, &u) != 0
				|| u.type != KYLO_UNIT_STATUS)
			return -1;
		if (u.status == 200)
			return 0;
		if (u.status != 403) {
			fprintf(stderr, "unexpected STATUS %u\n", u.status);
			return -1;
		}
		pause_ms(100);
	}
	return -1;
}

/* Log in until it works or the bound passes: while a worker still waits
 * to reconnect, the server closes the login. */
static int join_eventually(struct kylo_peer *p, int port, const char *user,
	const char *password)
{
	long long deadline = now_ms() + RECOVERY_MS;

	while (now_ms() < deadline) {
		if (kp_join(p, port, user, password) == 0)
			return 0;
		kp_close(p);
		pause_ms(100);
	}
	return -1;
}

START_TEST(mariadb_restart_under_connected_clients)
{
	char out[8192], text[256];

	add_user("alice", "alice-pw", 0);
	add_user("bob", "bob-pw", 0);
	add_user("carol", "carol-pw", 0);
	int port = start_daemon();
	struct kylo_peer pa, pb, pc;
	pair(port, &pa, &pb);
	ck_assert_int_eq(kp_say(&pa, "before"), 0);
	ck_assert_int_eq(kp_expect_status(&pa, 200), 0);
	ck_assert_int_eq(kp_expect_message(&pb, "alice", "before"), 0);

	ck_assert_int_eq(mdb_stop(&server), 0);

	/* A message needs its token checked in the store: refused with the
	 * protocol's 403, the session stays open. */
	ck_assert_int_eq(kp_say(&pa, "during"), 0);
	ck_assert_int_eq(kp_expect_status(&pa, 403), 0);
	ck_assert_int_eq(kp_say(&pa, "during, again"), 0);
	ck_assert_int_eq(kp_expect_status(&pa, 403), 0);
	/* A login needs the account: the server closes it, says why in its
	 * log, and stays up. */
	ck_assert_int_eq(kp_connect(&pc, port), 0);
	ck_assert_int_eq(kp_login(&pc, "carol", "carol-pw"), -1);
	ck_assert_int_eq(h_expect_eof(&pc.c), 0);
	kp_close(&pc);
	ck_assert(h_log_contains(&d, "account lookup failed: backend "
		"unavailable"));
	ck_assert(h_log_contains(&d, "cannot connect"));
	/* polychatctl fails cleanly too. */
	const char *list[] = { "user", "list", NULL };
	ck_assert_int_ne(ctl(list, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "cannot connect"), "%s", out);
	ck_assert_int_eq(kill(d.pid, 0), 0);

	ck_assert_int_eq(mdb_start_again(&server), 0);

	/* The same daemon serves again: the old session's token (kept in
	 * MariaDB) works, a new login works, messages go both ways, and
	 * nothing refused during the outage was delivered. */
	ck_assert_int_eq(say_until_accepted(&pa, "after"), 0);
	ck_assert_int_eq(kp_expect_message(&pb, "alice", "after"), 0);
	ck_assert_int_eq(join_eventually(&pc, port, "carol", "carol-pw"), 0);
	ck_assert_int_eq(kp_expect_message(&pa, "SERVER",
		login_notice("carol", text, sizeof(text))), 0);
	ck_assert_int_eq(kp_expect_message(&pb, "SERVER",
		login_notice("carol", text, sizeof(text))), 0);
	ck_assert_int_eq(kp_say(&pc, "hi both"), 0);
	ck_assert_int_eq(kp_expect_status(&pc, 200), 0);
	ck_assert_int_eq(kp_expect_message(&pa, "carol", "hi both"), 0);
	ck_assert_int_eq(kp_expect_message(&pb, "carol", "hi both"), 0);
	ck_assert_int_eq(kp_say(&pb, "welcome back"), 0);
	ck_assert_int_eq(kp_expect_status(&pb, 200), 0);
	ck_assert_int_eq(kp_expect_message(&pa, "bob", "welcome back"), 0);
	ck_assert_int_eq(kp_expect_message(&pc, "bob", "welcome back"), 0);
	ck_assert(h_log_contains(&d, "connected again"));
	ck_assert_int_eq(ctl(list, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "\tcarol\t"), "%s", out);
	kp_close(&pa);
	kp_close(&pb);
	kp_close(&pc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kylochat on mariadb");
	TCase *tc = tcase_create("mariadb");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, polychatctl_and_chat_on_mariadb);
	tcase_add_test(tc, mariadb_restart_under_connected_clients);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char why[256];

	signal(SIGPIPE, SIG_IGN);
	if (!mdb_available(why, sizeof(why)))
		return mdb_missing_status("test-kylochat-mariadb", why);
	if (mdb_init() != 0)
		return 99;
	int rc = pc_check_run(suite());
	mdb_fini();
	return rc;
}
