/* SPDX-License-Identifier: MIT */
/* store-mariadb: the schema as built, migrations, byte-exact strings, limits, out of memory. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mariadb-fixture.h"

/* The database and options of the running test, on the shared server. */
static char db_name[64];
static struct polychat_options *opts;

/* A new database (CREATE DATABASE ... `create`, may be NULL) and a store
 * opened on it. */
static void *open_fresh(const char *create)
{
	ck_assert_int_eq(mdb_new_database(&mt_shared, create, db_name,
		sizeof(db_name)), 0);
	opts = mt_options(&mt_shared, db_name, NULL);
	return mt_open(opts);
}

static void finish(void *db)
{
	mt_ops->close(db);
	stub_options_free(opts);
	opts = NULL;
	ck_assert_int_eq(mdb_drop_database(&mt_shared, db_name), 0);
}

/* The first column of the first row of the printf-built `fmt`, run in
 * the test's database. */
static const char *value_of(const char *fmt, ...)
{
	static char out[256];
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	ck_assert_msg(mdb_query_value(&mt_shared, db_name, sql, out,
		sizeof(out)) == 0, "%s", sql);
	return out;
}

static void run_sql(const char *sql)
{
	ck_assert_msg(mdb_query(&mt_shared, db_name, sql) == 0, "%s", sql);
}

static const char *const tables[] = {
	"schema_version", "accounts", "tokens", "keys", "queue",
	"challenges", "audit",
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

START_TEST(schema_is_innodb_binary_and_keyed)
{
	void *db = open_fresh(NULL);

	ck_assert_str_eq(value_of("SELECT MAX(version) FROM schema_version"),
		"1");
	for (size_t i = 0; i < N_TABLES; i++) {
		ck_assert_str_eq(value_of("SELECT ENGINE FROM "
			"information_schema.TABLES WHERE TABLE_SCHEMA = '%s' "
			"AND TABLE_NAME = '%s'", db_name, tables[i]), "InnoDB");
		/* Galera replicates rows by their primary key. */
		ck_assert_msg(strcmp(value_of("SELECT COUNT(*) FROM "
			"information_schema.TABLE_CONSTRAINTS WHERE "
			"TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' AND "
			"CONSTRAINT_TYPE = 'PRIMARY KEY'", db_name, tables[i]),
			"1") == 0, "table %s has no primary key", tables[i]);
	}
	/* No column compares by a collation: every string is bytes. */
	ck_assert_str_eq(value_of("SELECT COUNT(*) FROM "
		"information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' AND "
		"TABLE_NAME <> 'schema_version' AND COLLATION_NAME IS NOT NULL",
		db_name), "0");
	/* Bounds are store.h's, in bytes. */
	static const struct { const char *table, *column, *bytes; } sizes[] = {
		{ "accounts", "realm", "63" }, { "accounts", "name", "255" },
		{ "accounts", "name_fold", "255" },
		{ "accounts", "secret", "255" }, { "tokens", "token", "127" },
		{ "tokens", "name", "255" }, { "keys", "kind", "31" },
		{ "keys", "owner", "255" }, { "queue", "sender", "255" },
		{ "challenges", "subject", "255" }, { "audit", "event", "31" },
		{ "audit", "address", "63" },
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char want[32];
		snprintf(want, sizeof(want), "varbinary %s", sizes[i].bytes);
		const char *got = value_of("SELECT CONCAT(DATA_TYPE, ' ', "
			"CHARACTER_OCTET_LENGTH) FROM "
			"information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' "
			"AND TABLE_NAME = '%s' AND COLUMN_NAME = '%s'",
			db_name, sizes[i].table, sizes[i].column);
		ck_assert_msg(strcmp(got, want) == 0, "%s.%s is %s, not %s",
			sizes[i].table, sizes[i].column, got, want);
	}

	/* Store-assigned ids, and the unique keys that name the rows. */
	ck_assert_str_eq(value_of("SELECT CONCAT(COLUMN_TYPE, ' ', EXTRA) "
		"FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' AND "
		"TABLE_NAME = 'accounts' AND COLUMN_KEY = 'PRI'", db_name),
		"bigint(20) unsigned auto_increment");
	ck_assert_str_eq(value_of("SELECT CONCAT(MIN(NON_UNIQUE), ' ', "
		"GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX)) FROM "
		"information_schema.STATISTICS WHERE TABLE_SCHEMA = '%s' AND "
		"TABLE_NAME = 'accounts' AND INDEX_NAME = 'accounts_name'",
		db_name), "0 realm,name");
	ck_assert_str_eq(value_of("SELECT CONCAT(MIN(NON_UNIQUE), ' ', "
		"GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX)) FROM "
		"information_schema.STATISTICS WHERE TABLE_SCHEMA = '%s' AND "
		"TABLE_NAME = 'tokens' AND INDEX_NAME = 'tokens_token'",
		db_name), "0 token");
	finish(db);
}
END_TEST

START_TEST(newer_schema_is_refused)
{
	void *db = open_fresh(NULL);
	mt_ops->close(db);
	run_sql("INSERT INTO schema_version VALUES (999, 'from the future',"
		" 0)");

	stub_log_clear();
	db = (void *)&db;
	MT_STATUS(mt_ops->open(stub_host(), opts, &db), POLYCHAT_ENOTSUP);
	ck_assert_ptr_eq(db, (void *)&db);
	ck_assert(mt_logged("schema version 999"));
	ck_assert_str_eq(value_of("SELECT MAX(version) FROM schema_version"),
		"999");
	stub_options_free(opts);
	ck_assert_int_eq(mdb_drop_database(&mt_shared, db_name), 0);
}
END_TEST

START_TEST(cut_short_migration_is_completed)
{
	struct polychat_account a, out;

	memset(&a, 0, sizeof(a));
	strcpy(a.realm, "kylo");
	strcpy(a.name, "alice");
	void *db = open_fresh(NULL);
	MT_STATUS(mt_ops->account_put(db, &a, NULL), 0);
	mt_ops->close(db);

	/* As if the process died during migration 1: some tables made (DDL
	 * commits at once), the version not yet recorded. */
	run_sql("DROP TABLE audit");
	run_sql("DELETE FROM schema_version");
	db = mt_open(opts);
	ck_assert_str_eq(value_of("SELECT COUNT(*) FROM schema_version"), "1");
	ck_assert_str_eq(value_of("SELECT COUNT(*) FROM "
		"information_schema.TABLES WHERE TABLE_SCHEMA = '%s'", db_name),
		"7");
	MT_STATUS(mt_ops->account_get(db, "kylo", "alice", 0, &out), 0);
	struct polychat_audit rec;
	memset(&rec, 0, sizeof(rec));
	strcpy(rec.realm, "kylo");
	strcpy(rec.name, "alice");
	strcpy(rec.event, "login");
	MT_STATUS(mt_ops->audit_add(db, &rec), 0);
	finish(db);
}
END_TEST

/* Several processes (or Galera nodes) opening a new database at once. */
struct opener {
	pthread_t thread;
	pthread_barrier_t *start;
	int rc;
};

static void *open_at_once(void *arg)
{
	struct opener *o = arg;
	void *db = NULL;

	pthread_barrier_wait(o->start);
	o->rc = mt_ops->open(stub_host(), opts, &db);
	if (o->rc == 0)
		mt_ops->close(db);
	return NULL;
}

START_TEST(simultaneous_migrations_agree)
{
	struct opener openers[4];
	pthread_barrier_t start;

	ck_assert_int_eq(mdb_new_database(&mt_shared, NULL, db_name,
		sizeof(db_name)), 0);
	opts = mt_options(&mt_shared, db_name, NULL);
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, 4), 0);
	for (int i = 0; i < 4; i++) {
		openers[i].start = &start;
		openers[i].rc = 1;
		ck_assert_int_eq(pthread_create(&openers[i].thread, NULL,
			open_at_once, &openers[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(openers[i].thread, NULL), 0);
		MT_STATUS(openers[i].rc, 0);
	}
	pthread_barrier_destroy(&start);
	ck_assert_str_eq(value_of("SELECT COUNT(*) FROM schema_version"), "1");
	stub_options_free(opts);
	ck_assert_int_eq(mdb_drop_database(&mt_shared, db_name), 0);
}
END_TEST

static void put_account(void *db, const char *name, const char *secret)
{
	struct polychat_account a;

	memset(&a, 0, sizeof(a));
	strcpy(a.realm, "kylo");
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.secret, sizeof(a.secret), "%s", secret);
	MT_STATUS(mt_ops->account_put(db, &a, NULL), 0);
}

static void found_as(void *db, const char *name, unsigned flags,
	const char *stored)
{
	struct polychat_account out;

	MT_STATUS(mt_ops->account_get(db, "kylo", name, flags, &out), 0);
	ck_assert_str_eq(out.name, stored);
}

static void absent(void *db, const char *name, unsigned flags)
{
	struct polychat_account out;

	MT_STATUS(mt_ops->account_get(db, "kylo", name, flags, &out),
		POLYCHAT_ENOTFOUND);
}

START_TEST(strings_are_bytes_whatever_the_collation)
{
	/* The most forgiving collation MariaDB has as the database default;
	 * the server's own default (latin1) is another. Neither may change
	 * an answer. */
	void *db = open_fresh("CHARACTER SET utf8mb4 COLLATE "
		"utf8mb4_unicode_ci");

	put_account(db, "\xc3\x89mile", "s");       /* Émile */
	put_account(db, "Stra\xc3\x9f" "e", "s");   /* Straße */
	put_account(db, "\xff\xfe-x", "s");         /* not UTF-8 */
	put_account(db, "carol  ", "s");
	/* Only ASCII letters fold, as store-sqlite folds them. */
	found_as(db, "\xc3\x89MILE", POLYCHAT_LOOKUP_FOLD, "\xc3\x89mile");
	absent(db, "\xc3\xa9mile", POLYCHAT_LOOKUP_FOLD);
	absent(db, "STRASSE", POLYCHAT_LOOKUP_FOLD);
	absent(db, "Strasse", 0);
	found_as(db, "\xff\xfe-x", 0, "\xff\xfe-x");
	found_as(db, "\xff\xfe-X  ", POLYCHAT_LOOKUP_FOLD, "\xff\xfe-x");
	/* An exact lookup is exact: no PAD SPACE. */
	absent(db, "carol", 0);
	absent(db, "carol ", 0);
	found_as(db, "carol  ", 0, "carol  ");

	/* Unique keys compare bytes too: these are all distinct rows. */
	struct polychat_token t;
	memset(&t, 0, sizeof(t));
	strcpy(t.realm, "kylo");
	strcpy(t.name, "carol  ");
	strcpy(t.token, "abc");
	MT_STATUS(mt_ops->token_put(db, &t), 0);
	strcpy(t.token, "ABC");
	MT_STATUS(mt_ops->token_put(db, &t), 0);
	strcpy(t.token, "abc ");
	MT_STATUS(mt_ops->token_put(db, &t), 0);
	MT_STATUS(mt_ops->key_put(db, "kylo", "bob", "x25519",
		(const uint8_t *)"1", 1, 0), 0);
	MT_STATUS(mt_ops->key_put(db, "kylo", "bob ", "x25519",
		(const uint8_t *)"2", 1, 0), 0);
	MT_STATUS(mt_ops->key_put(db, "kylo", "BOB", "x25519",
		(const uint8_t *)"3", 1, 0), 0);
	uint8_t *data = NULL;
	size_t len = 0;
	MT_STATUS(mt_ops->key_get(db, "kylo", "bob ", "x25519", &data, &len),
		0);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(data[0], '2');
	stub_host()->free(data);

	/* A name at its bound in bytes, of 4-byte characters. */
	char emoji[POLYCHAT_NAME_MAX + 1] = "";
	for (int i = 0; i < 63; i++)
		strcat(emoji, "\xf0\x9f\x98\x80");
	strcat(emoji, "abc");
	ck_assert_uint_eq(strlen(emoji), POLYCHAT_NAME_MAX);
	put_account(db, emoji, "s");
	found_as(db, emoji, 0, emoji);
	finish(db);
}
END_TEST

START_TEST(values_over_the_packet_limit_are_too_big)
{
	/* The shared server runs with max_allowed_packet = 1 MiB. */
	static uint8_t big[2 * 1024 * 1024];
	static uint8_t fits[512 * 1024];
	void *db = open_fresh(NULL);
	struct polychat_queued q, out;
	uint64_t id = 77;

	memset(big, 'b', sizeof(big));
	for (size_t i = 0; i < sizeof(fits); i++)
		fits[i] = (uint8_t)(i * 7);
	memset(&q, 0, sizeof(q));
	strcpy(q.realm, "e2ee");
	strcpy(q.recipient, "bob");
	q.body = big;
	q.body_len = sizeof(big);
	stub_log_clear();
	MT_STATUS(mt_ops->queue_push(db, &q, &id), POLYCHAT_ETOOBIG);
	ck_assert_uint_eq(id, 77);
	MT_STATUS(mt_ops->key_put(db, "e2ee", "bob", "x25519", big,
		sizeof(big), 0), POLYCHAT_ETOOBIG);
	/* Refused before sending: the session was never in danger. */
	ck_assert(!mt_logged("dropped"));

	q.body = fits;
	q.body_len = sizeof(fits);
	MT_STATUS(mt_ops->queue_push(db, &q, &id), 0);
	MT_STATUS(mt_ops->queue_peek(db, "e2ee", "bob", NULL, &out), 0);
	ck_assert_uint_eq(out.id, id);
	ck_assert_uint_eq(out.body_len, sizeof(fits));
	ck_assert_mem_eq(out.body, fits, sizeof(fits));
	stub_host()->free(out.body);
	uint64_t n = 0;
	MT_STATUS(mt_ops->queue_count(db, "e2ee", "bob", &n), 0);
	ck_assert_uint_eq(n, 1);
	finish(db);
}
END_TEST

static int count_calls(void *arg, const struct polychat_token *tok)
{
	(void)tok;
	++*(int *)arg;
	return 0;
}

static int count_accounts(void *arg, const struct polychat_account *acct)
{
	(void)acct;
	++*(int *)arg;
	return 0;
}

START_TEST(out_of_memory)
{
	void *db = open_fresh(NULL);
	struct polychat_queued q;
	struct polychat_queued out;
	const uint8_t key[] = { 1, 2, 3 };
	uint8_t *data;
	size_t len;

	memset(&q, 0, sizeof(q));
	strcpy(q.realm, "e2ee");
	strcpy(q.recipient, "bob");
	q.body = (uint8_t *)"body";
	q.body_len = 4;
	MT_STATUS(mt_ops->queue_push(db, &q, NULL), 0);
	MT_STATUS(mt_ops->key_put(db, "e2ee", "bob", "x25519", key, 3, 0), 0);

	long before = stub_alloc_outstanding();
	struct polychat_queued poison;
	memset(&poison, 0xa5, sizeof(poison));
	out = poison;
	data = (uint8_t *)&len;
	len = 12345;
	stub_alloc_fail_after(0);
	MT_STATUS(mt_ops->queue_peek(db, "e2ee", "bob", NULL, &out),
		POLYCHAT_ENOMEM);
	MT_STATUS(mt_ops->key_get(db, "e2ee", "bob", "x25519", &data, &len),
		POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_mem_eq(&out, &poison, sizeof(out));
	ck_assert_ptr_eq(data, (uint8_t *)&len);
	ck_assert_uint_eq(len, 12345);
	ck_assert_int_eq(stub_alloc_outstanding(), before);

	/* Listings need their page buffer before anything is listed. */
	struct polychat_token tok;
	memset(&tok, 0, sizeof(tok));
	strcpy(tok.token, "tok");
	strcpy(tok.realm, "e2ee");
	strcpy(tok.name, "bob");
	MT_STATUS(mt_ops->token_put(db, &tok), 0);
	struct polychat_account acct;
	memset(&acct, 0, sizeof(acct));
	strcpy(acct.realm, "e2ee");
	strcpy(acct.name, "bob");
	MT_STATUS(mt_ops->account_put(db, &acct, NULL), 0);
	int calls = 0;
	stub_alloc_fail_after(0);
	MT_STATUS(mt_ops->token_list(db, "e2ee", NULL, 10, count_calls,
		&calls), POLYCHAT_ENOMEM);
	MT_STATUS(mt_ops->account_list(db, "e2ee", 0, 0, count_accounts,
		&calls), POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(stub_alloc_outstanding(), before);

	/* Nothing was lost, and the session still serves. */
	MT_STATUS(mt_ops->queue_peek(db, "e2ee", "bob", NULL, &out), 0);
	stub_host()->free(out.body);
	MT_STATUS(mt_ops->account_list(db, "e2ee", 0, 0, count_accounts,
		&calls), 0);
	ck_assert_int_eq(calls, 1);
	finish(db);
}
END_TEST

/* mt_tcase_data - see mariadb-fixture.h. */
TCase *mt_tcase_data(void)
{
	TCase *tc = tcase_create("data");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, schema_is_innodb_binary_and_keyed);
	tcase_add_test(tc, newer_schema_is_refused);
	tcase_add_test(tc, cut_short_migration_is_completed);
	tcase_add_test(tc, simultaneous_migrations_agree);
	tcase_add_test(tc, strings_are_bytes_whatever_the_collation);
	tcase_add_test(tc, values_over_the_packet_limit_are_too_big);
	tcase_add_test(tc, out_of_memory);
	return tc;
}
