/* SPDX-License-Identifier: MIT */
/* kylochat on a MariaDB store end to end: polychatctl, two clients, and a database restart under them. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void setup(void)
{
	h_daemon_init(&d);
	ck_assert_int_eq(mdb_start(&server, NULL), 0);
	ck_assert_int_eq(mdb_new_database(&server, NULL, database,
		sizeof(database)), 0);

	/* Short reconnect waits: the restart test waits for them. */
	char stores[2048];
	snprintf(stores, sizeof(stores),
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
		"      reconnect_max_ms: 400\n", server.socket, MDB_USER,
		server.password_file, database);
	h_write_single(&d, &(struct h_single){
		.top = stores, .name = "kylo", .suite = "kylochat",
		.keys = "    auth: bcrypt\n"
			"    auth_options: {cost: 4}\n"
			"    store: main\n" });
}

static void teardown(void)
{
	/* A clean exit: no crash, and no leak under the sanitizers. The
	 * daemon is stopped before its log is read, so that what it logged
	 * on the way out is read too. */
	int status = d.pid > 0 ? h_daemon_stop(&d) : 0;
	int leaked = h_log_has(&d, server.password);
	h_daemon_cleanup(&d);
	mdb_cleanup(&server);
	ck_assert_int_eq(status, 0);
	ck_assert_msg(!leaked, "the database password is in polychatd's log");
}

/* polychatctl on the test's configuration; its exit status, and its
 * output (stdout and stderr) in `out`. */
static int ctl(const char *const *args, char *out, size_t len)
{
	int rc = h_ctl(&d, "kylo", args, out, len);
	ck_assert_msg(!strstr(out, server.password),
		"polychatctl printed the database password");
	return rc;
}

static void add_user(const char *name, const char *password, int admin)
{
	char out[4096];
	int rc = h_add_user(&d, "kylo", name, password, admin, out,
		sizeof(out));
	ck_assert_msg(!strstr(out, server.password),
		"polychatctl printed the database password");
	ck_assert_msg(rc == 0, "user add %s: %s", name, out);
}

static int start_daemon(void)
{
	int port = h_daemon_start_one(&d, "kylo");
	ck_assert_int_gt(port, 0);
	return port;
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
	ck_assert_int_eq(kp_pair(port, &pa, &pb), 0);
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
		kp_login_notice("ROOT", text, sizeof(text))), 0);

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
	long long deadline = h_now_ms() + RECOVERY_MS;

	while (h_now_ms() < deadline) {
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
		h_pause_ms(100);
	}
	return -1;
}

/* Log in until it works or the bound passes: while a worker still waits
 * to reconnect, the server closes the login. */
static int join_eventually(struct kylo_peer *p, int port, const char *user,
	const char *password)
{
	long long deadline = h_now_ms() + RECOVERY_MS;

	while (h_now_ms() < deadline) {
		if (kp_join(p, port, user, password) == 0)
			return 0;
		kp_close(p);
		h_pause_ms(100);
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
	ck_assert_int_eq(kp_pair(port, &pa, &pb), 0);
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
		kp_login_notice("carol", text, sizeof(text))), 0);
	ck_assert_int_eq(kp_expect_message(&pb, "SERVER",
		kp_login_notice("carol", text, sizeof(text))), 0);
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
