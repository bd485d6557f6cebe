/* SPDX-License-Identifier: MIT */
/* e2ee-chat's durable queue on a MariaDB store: kill -9 of polychatd, and a database down while messages are sent. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2ee-peer.h"
#include "harness.h"
#include "tests/mariadb/mariadb-server.h"
#include "../check-run.h"

/*
 * The same queue as test-e2ee, on store-mariadb against a private
 * mariadbd: what is acknowledged with 1609 survives polychatd's death, and
 * a database that goes away makes senders fail cleanly (1607) without
 * losing what was acknowledged before; after it is back, sending works
 * again.
 */

#define A_PHONE "0501234567"
#define B_PHONE "0527654321"

static struct h_daemon d;
static struct mdb_server server;
static char database[64];
static struct ep_identity a, b;

static void setup(void)
{
	h_daemon_init(&d);
	ck_assert_int_eq(mdb_start(&server, NULL), 0);
	ck_assert_int_eq(mdb_new_database(&server, NULL, database, sizeof(database)), 0);
	char stores[2048], key[512];
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
		.top = stores, .name = "e2ee", .suite = "e2ee-chat",
		.keys = "    auth: otp\n"
			"    store: main\n",
		.options = "" });
	snprintf(key, sizeof(key), "%s/e2ee-chat-server-key.pem", d.dir);
	ck_assert_int_eq(ep_write_private_key(key), 0);
	ck_assert_int_eq(ep_identity(&a, A_PHONE), 0);
	ck_assert_int_eq(ep_identity(&b, B_PHONE), 0);
}

static void teardown(void)
{
	int status = d.pid > 0 ? h_daemon_stop(&d) : 0;
	int leaked = h_log_has(&d, server.password);
	h_daemon_cleanup(&d);
	mdb_cleanup(&server);
	ep_identity_free(&a);
	ep_identity_free(&b);
	ck_assert_int_eq(status, 0);
	ck_assert_msg(!leaked, "the database password is in polychatd's log");
}

/* B logs in and must get exactly `count` messages from A, in order. */
static void expect_queued(int port, int from, int count)
{
	struct ep_conn cb;
	struct ep_frame f;
	char text[E2EE_PACKET_MAX], want[32];
	uint8_t phone[E2EE_PHONE_LEN];
	e2ee_phone_field(phone, A_PHONE);
	ck_assert_int_eq(ep_login(&cb, port, &b, &f), 0);
	for (int i = from; i < from + count; i++) {
		snprintf(want, sizeof(want), "queued %d", i);
		ck_assert_uint_eq(f.code, E2EE_RESP_MESSAGE);
		ck_assert_int_eq(ep_open_message(&f, &b, &a, text, sizeof(text)), 0);
		ck_assert_str_eq(text, want);
		ck_assert_int_eq(ep_send(&cb, E2EE_REQ_MESSAGE_RECEIVED, B_PHONE, phone, 10,
			NULL, 0), 0);
		ck_assert_int_eq(ep_read(&cb, &f), 0);
	}
	ck_assert_uint_eq(f.code, E2EE_RESP_LISTENING);
	ep_close(&cb);
}

static void send_queued(struct ep_conn *ca, int from, int count)
{
	for (int i = from; i < from + count; i++) {
		char text[32];
		snprintf(text, sizeof(text), "queued %d", i);
		ck_assert_int_eq(ep_message(ca, &a, &b, text), 0);
	}
}

START_TEST(kill_9_loses_nothing_on_mariadb)
{
	int port = h_daemon_start_one(&d, "e2ee");
	ck_assert_int_gt(port, 0);
	struct ep_conn ca, cb;
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	ck_assert_int_eq(ep_register(&cb, port, &b), 0);
	ep_close(&cb);
	send_queued(&ca, 1, 3);
	ep_close(&ca);
	h_daemon_signal(&d, SIGKILL);
	ck_assert_int_eq(h_daemon_stop(&d), -1);
	port = h_daemon_start_one(&d, "e2ee");
	ck_assert_int_gt(port, 0);
	expect_queued(port, 1, 3);
}
END_TEST

START_TEST(database_down_fails_senders_cleanly)
{
	int port = h_daemon_start_one(&d, "e2ee");
	ck_assert_int_gt(port, 0);
	struct ep_conn ca, cb;
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	ck_assert_int_eq(ep_register(&cb, port, &b), 0);
	ep_close(&cb);
	send_queued(&ca, 1, 2);

	/* Down: the next message is refused (1607, close), never
	 * acknowledged. */
	ck_assert_int_eq(mdb_stop(&server), 0);
	uint8_t blob[E2EE_PACKET_MAX], phone[E2EE_PHONE_LEN];
	long n = e2ee_blob_seal(a.dh_priv, a.rsa, b.dh_pub, NULL, NULL,
		(const uint8_t *)"lost on purpose", 15, blob);
	e2ee_phone_field(phone, B_PHONE);
	ck_assert_int_eq(ep_send(&ca, E2EE_REQ_MESSAGE, A_PHONE, phone, 10, blob, (size_t)n), 0);
	ck_assert_int_eq(ep_expect(&ca, E2EE_RESP_ERROR), 0);
	ck_assert_int_eq(ep_expect_eof(&ca), 0);
	ep_close(&ca);
	ck_assert(h_log_contains(&d, "store unavailable"));

	/* Back: what was acknowledged before is all there, and sending
	 * works again (the store reconnects by itself). */
	ck_assert_int_eq(mdb_start_again(&server), 0);
	int sent = 0;
	for (long long end = h_now_ms() + 30000; h_now_ms() < end && !sent; h_pause_ms(200)) {
		if (ep_login(&ca, port, &a, NULL) == 0) {
			send_queued(&ca, 3, 1);
			sent = 1;
		}
		ep_close(&ca);
	}
	ck_assert(sent);
	expect_queued(port, 1, 3);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2ee-chat on mariadb");
	TCase *tc = tcase_create("mariadb");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, kill_9_loses_nothing_on_mariadb);
	tcase_add_test(tc, database_down_fails_senders_cleanly);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char why[256];

	signal(SIGPIPE, SIG_IGN);
	if (!mdb_available(why, sizeof(why)))
		return mdb_missing_status("test-e2ee-mariadb", why);
	if (mdb_init() != 0)
		return 99;
	int rc = pc_check_run(suite());
	mdb_fini();
	return rc;
}
