/* SPDX-License-Identifier: MIT */
/* store-mariadb over TLS: required, verified against the configured CA, and kept across calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mariadb-fixture.h"
#include "tests/mariadb/mariadb-certs.h"

/*
 * The server of these tests has certificates from a throwaway CA and
 * refuses plaintext over TCP (require_secure_transport), so a session the
 * plugin opens over TCP is encrypted, or fails.
 */

static struct mdb_server tls_server;
static char db_name[64];
static struct mdb_certs good, other;
static char port[16];

/* Server `Connections` status: sessions ever opened. */
static long connections_so_far(void)
{
	char value[64];

	ck_assert_int_eq(mdb_query_value(&tls_server, NULL,
		"SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
		"WHERE VARIABLE_NAME = 'CONNECTIONS'", value, sizeof(value)),
		0);
	return atol(value);
}

static void setup(void)
{
	char name[64], a_ca[700], a_cert[700], a_key[700];

	snprintf(name, sizeof(name), "good-%ld", (long)getpid());
	ck_assert_int_eq(mdb_make_certs(mt_shared.dir, name, &good), 0);
	snprintf(name, sizeof(name), "other-%ld", (long)getpid());
	ck_assert_int_eq(mdb_make_certs(mt_shared.dir, name, &other), 0);
	snprintf(a_ca, sizeof(a_ca), "--ssl-ca=%s", good.ca);
	snprintf(a_cert, sizeof(a_cert), "--ssl-cert=%s", good.cert);
	snprintf(a_key, sizeof(a_key), "--ssl-key=%s", good.key);
	const char *const args[] = { a_ca, a_cert, a_key,
		"--require-secure-transport=ON", NULL };
	mt_private_server(&tls_server, args, db_name, sizeof(db_name));
	snprintf(port, sizeof(port), "%d", tls_server.port);
}

static void teardown(void)
{
	mdb_cleanup(&tls_server);
	unlink(good.ca);
	unlink(good.cert);
	unlink(good.key);
	unlink(other.ca);
	unlink(other.cert);
	unlink(other.key);
}

/* Options for TCP to the TLS server, with extra pairs. */
#define TCP_OPTIONS(...) mt_options(&tls_server, db_name, "socket", NULL, \
	"host", "127.0.0.1", "port", port, __VA_ARGS__, NULL)

static void assert_open_fails(struct polychat_options *opts, int want)
{
	void *db = (void *)&db;

	MT_STATUS(mt_ops->open(stub_host(), opts, &db), want);
	ck_assert_ptr_eq(db, (void *)&db);
	stub_options_free(opts);
}

START_TEST(tls_is_required_and_verified)
{
	struct polychat_account a, out;

	memset(&a, 0, sizeof(a));
	strcpy(a.realm, "kylo");
	strcpy(a.name, "alice");
	stub_log_clear();

	/* Without TLS the server refuses the session: so one that works
	 * below is encrypted. */
	assert_open_fails(TCP_OPTIONS("tls", "false"), POLYCHAT_EIO);

	/* Verified against our CA: works, and keeps its one session for
	 * every call (the idle check reads nothing TLS left pending). */
	struct polychat_options *opts = TCP_OPTIONS("tls", "true", "tls_ca",
		good.ca);
	void *db = mt_open(opts);
	long before = connections_so_far();
	MT_STATUS(mt_ops->account_put(db, &a, NULL), 0);
	for (int i = 0; i < 30; i++)
		MT_STATUS(mt_ops->account_get(db, "kylo", "alice", 0, &out), 0);
	/* Only the query that counts was a new session. */
	ck_assert_int_eq(connections_so_far(), before + 1);
	ck_assert(!mt_logged("closed an idle connection"));
	mt_ops->close(db);
	stub_options_free(opts);

	/* A server certificate from another CA is refused... */
	assert_open_fails(TCP_OPTIONS("tls", "true", "tls_ca", other.ca),
		POLYCHAT_EUNAVAIL);
	ck_assert(mt_logged("TLS") || mt_logged("SSL"));
	/* ...as is one no CA vouches for: without tls_ca the system's
	 * CAs are the judges. */
	assert_open_fails(TCP_OPTIONS("tls", "true"), POLYCHAT_EUNAVAIL);
	/* Verification off: encrypted, not authenticated. */
	opts = TCP_OPTIONS("tls", "true", "tls_verify_cert", "false");
	db = mt_open(opts);
	MT_STATUS(mt_ops->account_get(db, "kylo", "alice", 0, &out), 0);
	mt_ops->close(db);
	stub_options_free(opts);

	/* Over the socket too, the certificate naming localhost. */
	opts = mt_options(&tls_server, db_name, "tls", "true", "tls_ca",
		good.ca, NULL);
	db = mt_open(opts);
	MT_STATUS(mt_ops->account_get(db, "kylo", "alice", 0, &out), 0);
	mt_ops->close(db);
	stub_options_free(opts);
	ck_assert(!mt_logged(tls_server.password));
}
END_TEST

START_TEST(tls_sessions_come_back_after_a_restart)
{
	struct polychat_account a, out;

	memset(&a, 0, sizeof(a));
	strcpy(a.realm, "kylo");
	strcpy(a.name, "bob");
	struct polychat_options *opts = TCP_OPTIONS("tls", "true", "tls_ca",
		good.ca, "reconnect_min_ms", "0");
	void *db = mt_open(opts);
	MT_STATUS(mt_ops->account_put(db, &a, NULL), 0);
	ck_assert_int_eq(mdb_stop(&tls_server), 0);
	MT_STATUS(mt_ops->account_get(db, "kylo", "bob", 0, &out),
		POLYCHAT_EUNAVAIL);
	ck_assert_int_eq(mdb_start_again(&tls_server), 0);
	MT_STATUS(mt_ops->account_get(db, "kylo", "bob", 0, &out), 0);
	mt_ops->close(db);
	stub_options_free(opts);
}
END_TEST

/* mt_tcase_tls - see mariadb-fixture.h. */
TCase *mt_tcase_tls(void)
{
	TCase *tc = tcase_create("tls");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, tls_is_required_and_verified);
	tcase_add_test(tc, tls_sessions_come_back_after_a_restart);
	return tc;
}
