/* SPDX-License-Identifier: MIT */
/* store-mariadb when the server fails: restart, kill, freeze, lock waits, down for long, thread exits. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mariadb-fixture.h"

/* Bound on every wait for the server to reach a state; nothing is timed. */
#define WAIT_MS 30000

static struct mdb_server own_server;
static char db_name[64];
static struct polychat_options *opts;

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

static struct polychat_account account(const char *name, uint32_t flags)
{
	struct polychat_account a;

	memset(&a, 0, sizeof(a));
	strcpy(a.realm, "kylo");
	snprintf(a.name, sizeof(a.name), "%s", name);
	strcpy(a.secret, "hash");
	a.flags = flags;
	return a;
}

static int get_rc(void *db, const char *name)
{
	struct polychat_account out;

	return mt_ops->account_get(db, "kylo", name, 0, &out);
}

/* Call account_get until it succeeds, within WAIT_MS: the way back from
 * an outage. */
static int get_eventually(void *db, const char *name)
{
	long long deadline = now_ms() + WAIT_MS;
	int rc;

	while ((rc = get_rc(db, name)) != 0 && now_ms() < deadline)
		pause_ms(50);
	return rc;
}

/* A worker thread of the restart test: it connects, waits while the
 * server restarts, then makes one call. Never calls Check. */
struct worker {
	pthread_t thread;
	void *db;
	pthread_barrier_t *before;
	pthread_barrier_t *after;
	int first_rc;
	int second_rc;
};

static void *restart_worker(void *arg)
{
	struct worker *w = arg;

	w->first_rc = get_rc(w->db, "alice");
	pthread_barrier_wait(w->before);
	pthread_barrier_wait(w->after);
	w->second_rc = get_rc(w->db, "alice");
	return NULL;
}

static int never_called(void *arg, const struct polychat_token *tok)
{
	(void)tok;
	++*(int *)arg;
	return 0;
}

START_TEST(restart_is_survived_without_reopening)
{
	struct worker workers[3];
	pthread_barrier_t before, after;
	struct polychat_account alice = account("alice", 1);
	struct polychat_account bob = account("bob", 0);
	struct polychat_account out;
	uint64_t alice_id = 0, bob_id = 0;

	mt_private_server(&own_server, NULL, db_name, sizeof(db_name));
	opts = mt_options(&own_server, db_name, "reconnect_min_ms", "0", NULL);
	void *db = mt_open(opts);
	MT_STATUS(mt_ops->account_put(db, &alice, &alice_id), 0);

	ck_assert_int_eq(pthread_barrier_init(&before, NULL, 4), 0);
	ck_assert_int_eq(pthread_barrier_init(&after, NULL, 4), 0);
	for (int i = 0; i < 3; i++) {
		workers[i] = (struct worker){ .db = db, .before = &before,
			.after = &after, .first_rc = 1, .second_rc = 1 };
		ck_assert_int_eq(pthread_create(&workers[i].thread, NULL,
			restart_worker, &workers[i]), 0);
	}
	/* Every worker holds a connection now. */
	pthread_barrier_wait(&before);

	stub_log_clear();
	ck_assert_int_eq(mdb_stop(&own_server), 0);
	/* Down: every call fails at once, never hangs, writes nothing. */
	struct polychat_account poison;
	memset(&poison, 0xa5, sizeof(poison));
	out = poison;
	MT_STATUS(mt_ops->account_get(db, "kylo", "alice", 0, &out),
		POLYCHAT_EUNAVAIL);
	ck_assert_mem_eq(&out, &poison, sizeof(out));
	uint64_t id = 77;
	MT_STATUS(mt_ops->account_put(db, &bob, &id), POLYCHAT_EUNAVAIL);
	ck_assert_uint_eq(id, 77);
	int calls = 0;
	MT_STATUS(mt_ops->token_list(db, "kylo", NULL, 10, never_called,
		&calls), POLYCHAT_EUNAVAIL);
	ck_assert_int_eq(calls, 0);
	ck_assert(mt_logged("cannot connect"));

	ck_assert_int_eq(mdb_start_again(&own_server), 0);
	/* Back: the same instance serves again, data intact, ids growing. */
	MT_STATUS(mt_ops->account_get(db, "kylo", "alice", 0, &out), 0);
	ck_assert_uint_eq(out.id, alice_id);
	ck_assert_uint_eq(out.flags, 1);
	MT_STATUS(mt_ops->account_put(db, &bob, &bob_id), 0);
	ck_assert_uint_gt(bob_id, alice_id);
	ck_assert(mt_logged("connected again"));

	/* The workers' connections died idle with the old server: each is
	 * replaced before its next statement, so no call fails. */
	pthread_barrier_wait(&after);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_join(workers[i].thread, NULL), 0);
		MT_STATUS(workers[i].first_rc, 0);
		MT_STATUS(workers[i].second_rc, 0);
	}
	pthread_barrier_destroy(&before);
	pthread_barrier_destroy(&after);
	ck_assert(!mt_logged(own_server.password));
	mt_ops->close(db);
	stub_options_free(opts);
	mdb_cleanup(&own_server);
}
END_TEST

/* Another thread calling while the server is down. */
struct prober {
	pthread_t thread;
	void *db;
	int rc[3];
};

static void *call_thrice(void *arg)
{
	struct prober *p = arg;

	for (int i = 0; i < 3; i++)
		p->rc[i] = get_rc(p->db, "alice");
	return NULL;
}

START_TEST(a_down_server_is_not_hammered)
{
	struct polychat_account alice = account("alice", 0);

	mt_private_server(&own_server, NULL, db_name, sizeof(db_name));
	/* Patient: one attempt, then ten minutes without one (far beyond
	 * this test). Eager: an attempt on every call. */
	opts = mt_options(&own_server, db_name, "reconnect_min_ms", "600000",
		"reconnect_max_ms", "600000", NULL);
	struct polychat_options *eager_opts = mt_options(&own_server, db_name,
		"reconnect_min_ms", "0", "reconnect_max_ms", "0", NULL);
	void *patient = mt_open(opts);
	void *eager = mt_open(eager_opts);
	MT_STATUS(mt_ops->account_put(patient, &alice, NULL), 0);
	MT_STATUS(get_rc(eager, "alice"), 0);
	ck_assert_int_eq(mdb_stop(&own_server), 0);

	stub_log_clear();
	for (int i = 0; i < 20; i++)
		MT_STATUS(get_rc(patient, "alice"), POLYCHAT_EUNAVAIL);
	/* The wait is the instance's: other threads make no attempt
	 * either. */
	struct prober probers[4];
	for (int t = 0; t < 4; t++) {
		probers[t].db = patient;
		ck_assert_int_eq(pthread_create(&probers[t].thread, NULL,
			call_thrice, &probers[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		ck_assert_int_eq(pthread_join(probers[t].thread, NULL), 0);
		for (int i = 0; i < 3; i++)
			MT_STATUS(probers[t].rc[i], POLYCHAT_EUNAVAIL);
	}
	ck_assert_uint_eq(mt_log_count("cannot connect"), 1);
	ck_assert(mt_logged("no new attempt for 600000 ms"));

	/* Without the wait every call is an attempt. */
	stub_log_clear();
	for (int i = 0; i < 5; i++)
		MT_STATUS(get_rc(eager, "alice"), POLYCHAT_EUNAVAIL);
	ck_assert_uint_eq(mt_log_count("cannot connect"), 5);

	mt_ops->close(patient);
	mt_ops->close(eager);
	stub_options_free(opts);
	stub_options_free(eager_opts);
	mdb_cleanup(&own_server);
}
END_TEST

/* The processlist ids of the sessions using `database`, as text. */
static const char *sessions_of(const char *database)
{
	static char out[256];
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT COALESCE(GROUP_CONCAT(ID), '') "
		"FROM information_schema.PROCESSLIST WHERE DB = '%s'",
		database);
	ck_assert_int_eq(mdb_query_value(&mt_shared, NULL, sql, out,
		sizeof(out)), 0);
	return out;
}

/* Wait until the sessions of `database` are `want` (bounded). */
static void sessions_become(const char *database, const char *want)
{
	long long deadline = now_ms() + WAIT_MS;

	while (strcmp(sessions_of(database), want) != 0
			&& now_ms() < deadline)
		pause_ms(20);
	ck_assert_str_eq(sessions_of(database), want);
}

/* How many sessions use `database`. */
static size_t session_count(const char *database)
{
	const char *ids = sessions_of(database);
	size_t n = *ids ? 1 : 0;

	for (; *ids; ids++)
		n += *ids == ',';
	return n;
}

START_TEST(killed_session_is_replaced)
{
	struct polychat_account alice = account("alice", 0);

	ck_assert_int_eq(mdb_new_database(&mt_shared, NULL, db_name,
		sizeof(db_name)), 0);
	opts = mt_options(&mt_shared, db_name, NULL);
	void *db = mt_open(opts);
	MT_STATUS(mt_ops->account_put(db, &alice, NULL), 0);

	char victim[64], sql[128];
	snprintf(victim, sizeof(victim), "%s", sessions_of(db_name));
	ck_assert_msg(victim[0] && !strchr(victim, ','), "sessions: %s",
		victim);
	snprintf(sql, sizeof(sql), "KILL CONNECTION %s", victim);
	ck_assert_int_eq(mdb_query(&mt_shared, NULL, sql), 0);
	sessions_become(db_name, "");

	stub_log_clear();
	MT_STATUS(get_rc(db, "alice"), 0);
	ck_assert(mt_logged("closed an idle connection"));
	ck_assert_str_ne(sessions_of(db_name), victim);
	mt_ops->close(db);
	stub_options_free(opts);
	ck_assert_int_eq(mdb_drop_database(&mt_shared, db_name), 0);
}
END_TEST

START_TEST(frozen_server_fails_calls_within_the_timeouts)
{
	struct polychat_account alice = account("alice", 0);
	struct polychat_account carol = account("carol", 0);

	mt_private_server(&own_server, NULL, db_name, sizeof(db_name));
	opts = mt_options(&own_server, db_name, "read_timeout_s", "1",
		"write_timeout_s", "1", "connect_timeout_s", "1",
		"reconnect_min_ms", "0", NULL);
	void *db = mt_open(opts);
	MT_STATUS(mt_ops->account_put(db, &alice, NULL), 0);

	stub_log_clear();
	mdb_freeze(&own_server, 1);
	/* A statement to a server that does not answer, then a connection
	 * attempt to it: each gives up after its timeout. */
	MT_STATUS(get_rc(db, "alice"), POLYCHAT_EUNAVAIL);
	ck_assert(mt_logged("dropped"));
	MT_STATUS(mt_ops->account_put(db, &carol, NULL), POLYCHAT_EUNAVAIL);
	ck_assert(mt_logged("cannot connect"));
	mdb_freeze(&own_server, 0);

	MT_STATUS(get_eventually(db, "alice"), 0);
	mt_ops->close(db);
	stub_options_free(opts);
	mdb_cleanup(&own_server);
}
END_TEST

START_TEST(lock_wait_fails_the_call_not_the_session)
{
	struct polychat_account alice = account("alice", 1);
	struct polychat_account change = account("alice", 2);
	struct polychat_account out;

	ck_assert_int_eq(mdb_new_database(&mt_shared, NULL, db_name,
		sizeof(db_name)), 0);
	/* Lock waits give up after half the read timeout: 1 s here. */
	opts = mt_options(&mt_shared, db_name, "read_timeout_s", "2", NULL);
	void *db = mt_open(opts);
	MT_STATUS(mt_ops->account_put(db, &alice, NULL), 0);

	/* Another client holds the row. */
	MYSQL *other = mdb_connect(&mt_shared, db_name);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(mysql_query(other, "BEGIN"), 0);
	ck_assert_int_eq(mysql_query(other, "SELECT flags FROM accounts WHERE"
		" realm = 'kylo' AND name = 'alice' FOR UPDATE"), 0);
	mysql_free_result(mysql_store_result(other));

	stub_log_clear();
	MT_STATUS(mt_ops->account_update(db, &change,
		POLYCHAT_ACCOUNT_SET_FLAGS), POLYCHAT_EUNAVAIL);
	ck_assert(mt_logged("Lock wait timeout"));
	ck_assert(!mt_logged("dropped"));
	ck_assert_int_eq(mysql_query(other, "ROLLBACK"), 0);
	mysql_close(other);

	/* Rolled back whole, and the same session goes on. */
	MT_STATUS(mt_ops->account_get(db, "kylo", "alice", 0, &out), 0);
	ck_assert_uint_eq(out.flags, 1);
	MT_STATUS(mt_ops->account_update(db, &change,
		POLYCHAT_ACCOUNT_SET_FLAGS), 0);
	MT_STATUS(mt_ops->account_get(db, "kylo", "alice", 0, &out), 0);
	ck_assert_uint_eq(out.flags, 2);
	ck_assert(!mt_logged("connecting again"));
	mt_ops->close(db);
	stub_options_free(opts);
	ck_assert_int_eq(mdb_drop_database(&mt_shared, db_name), 0);
}
END_TEST

/* A worker that makes one call, reports, and waits to be let go. */
struct short_lived {
	void *db;
	int rc;
	pthread_barrier_t called;
	pthread_barrier_t go;
};

static void *call_then_exit(void *arg)
{
	struct short_lived *w = arg;

	w->rc = get_rc(w->db, "alice");
	pthread_barrier_wait(&w->called);
	pthread_barrier_wait(&w->go);
	return NULL;
}

START_TEST(exiting_thread_closes_its_connection)
{
	struct polychat_account alice = account("alice", 0);
	struct short_lived w;
	pthread_t thread;

	ck_assert_int_eq(mdb_new_database(&mt_shared, NULL, db_name,
		sizeof(db_name)), 0);
	opts = mt_options(&mt_shared, db_name, NULL);
	void *db = mt_open(opts);
	MT_STATUS(mt_ops->account_put(db, &alice, NULL), 0);
	ck_assert_uint_eq(session_count(db_name), 1);

	w.db = db;
	w.rc = 1;
	ck_assert_int_eq(pthread_barrier_init(&w.called, NULL, 2), 0);
	ck_assert_int_eq(pthread_barrier_init(&w.go, NULL, 2), 0);
	ck_assert_int_eq(pthread_create(&thread, NULL, call_then_exit, &w),
		0);
	pthread_barrier_wait(&w.called);
	MT_STATUS(w.rc, 0);
	/* One connection per thread... */
	ck_assert_uint_eq(session_count(db_name), 2);
	pthread_barrier_wait(&w.go);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	pthread_barrier_destroy(&w.called);
	pthread_barrier_destroy(&w.go);
	/* ...closed when the thread ends, not left to time out. */
	long long deadline = now_ms() + WAIT_MS;
	while (session_count(db_name) != 1 && now_ms() < deadline)
		pause_ms(20);
	ck_assert_uint_eq(session_count(db_name), 1);

	mt_ops->close(db);
	sessions_become(db_name, "");
	stub_options_free(opts);
	ck_assert_int_eq(mdb_drop_database(&mt_shared, db_name), 0);
}
END_TEST

/* mt_tcase_faults - see mariadb-fixture.h. */
TCase *mt_tcase_faults(void)
{
	TCase *tc = tcase_create("faults");

	/* Each test starts (and restarts) a server of its own. */
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, restart_is_survived_without_reopening);
	tcase_add_test(tc, a_down_server_is_not_hammered);
	tcase_add_test(tc, killed_session_is_replaced);
	tcase_add_test(tc, frozen_server_fails_calls_within_the_timeouts);
	tcase_add_test(tc, lock_wait_fails_the_call_not_the_session);
	tcase_add_test(tc, exiting_thread_closes_its_connection);
	return tc;
}
