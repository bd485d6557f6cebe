/* SPDX-License-Identifier: MIT */
/* The conformance suite and SQLite-only tests on the built plugin. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <ltdl.h>
#include <sqlite3.h>

#include <polychat/plugin.h>

#include "conformance.h"
#include "tests/stubs/stub-host.h"

/*
 * The plugin is loaded exactly as the daemon loads it (libltdl, the
 * descriptor symbol, the ABI and component checks), so these tests see
 * the module as built, with only its descriptor exported. Every store
 * lives in its own directory under one base directory that main removes
 * at the end, even when a test failed before its teardown ran.
 */

static lt_dlhandle module;
static const struct polychat_plugin *desc;
static const struct polychat_store_ops *ops;
static char base_dir[1024];
static char store_dir[2048];

#define CHECK_STATUS(call, want)                                             \
	do {                                                                 \
		int rc_ = (call);                                            \
		ck_assert_msg(rc_ == (want), "%s: got %s, want %s", #call,   \
			polychat_status_name(rc_),                           \
			polychat_status_name(want));                         \
	} while (0)

/* Remove a directory tree (regular files and directories only). */
static void remove_tree(const char *path)
{
	DIR *dir = opendir(path);
	if (!dir)
		return;
	struct dirent *ent;
	while ((ent = readdir(dir))) {
		if (strcmp(ent->d_name, ".") == 0
				|| strcmp(ent->d_name, "..") == 0)
			continue;
		char child[PATH_MAX];
		struct stat st;
		snprintf(child, sizeof(child), "%s/%s", path, ent->d_name);
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(child);
		else
			unlink(child);
	}
	closedir(dir);
	rmdir(path);
}

/* A new empty directory under base_dir, in store_dir. */
static const char *new_store_dir(void)
{
	snprintf(store_dir, sizeof(store_dir), "%s/store-XXXXXX", base_dir);
	return mkdtemp(store_dir);
}

static size_t dir_entries(const char *path)
{
	size_t n = 0;
	DIR *dir = opendir(path);
	ck_assert_ptr_nonnull(dir);
	for (struct dirent *ent; (ent = readdir(dir));)
		n += strcmp(ent->d_name, ".") != 0
			&& strcmp(ent->d_name, "..") != 0;
	closedir(dir);
	return n;
}

/* --- the conformance fixture --- */

static struct polychat_options *fx_fresh(void *arg)
{
	if (!new_store_dir())
		return NULL;
	return stub_options_new(store_dir, "path", "store.db", NULL);
}

static void fx_discard(void *arg, struct polychat_options *opts)
{
	stub_options_free(opts);
	remove_tree(store_dir);
}

static long fx_allocations(void *arg)
{
	return stub_alloc_outstanding();
}

/* --- SQLite-specific tests --- */

START_TEST(descriptor)
{
	ck_assert_uint_eq(desc->abi_major, POLYCHAT_ABI_MAJOR);
	ck_assert_uint_eq(desc->abi_minor, POLYCHAT_ABI_MINOR);
	ck_assert_uint_eq(desc->descriptor_size,
		sizeof(struct polychat_plugin));
	ck_assert_uint_eq(desc->store_ops_size,
		sizeof(struct polychat_store_ops));
	ck_assert_str_eq(desc->name, "store-sqlite");
	ck_assert_ptr_nonnull(desc->version);
	ck_assert_ptr_nonnull(desc->description);
	ck_assert_uint_eq(desc->n_components, 1);
	ck_assert_uint_eq(desc->components[0].kind, POLYCHAT_COMPONENT_STORE);
	ck_assert_str_eq(desc->components[0].name, "sqlite");

	/* Every member, optional ones included, is implemented. */
#define HAS(member) ck_assert_msg(ops->member != NULL, #member " is NULL")
	HAS(check); HAS(open); HAS(close); HAS(flush);
	HAS(account_put); HAS(account_get); HAS(account_get_id);
	HAS(account_update); HAS(account_delete); HAS(account_list);
	HAS(token_put); HAS(token_get); HAS(token_revoke); HAS(token_delete);
	HAS(token_revoke_user); HAS(token_purge); HAS(token_list);
	HAS(key_put); HAS(key_get); HAS(key_delete);
	HAS(queue_push); HAS(queue_peek); HAS(queue_ack); HAS(queue_count);
	HAS(challenge_put); HAS(challenge_get); HAS(challenge_delete);
	HAS(audit_add); HAS(audit_list);
#undef HAS
}
END_TEST

START_TEST(exports_only_descriptor)
{
	static const char *const internal[] = {
		"sq_account_put", "sq_account_get_id", "sq_account_list",
		"sq_token_list",
		"sq_db_open", "sq_sql_text", "sq_schema_migrate", "sq_status",
	};

	for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
		ck_assert_msg(lt_dlsym(module, internal[i]) == NULL,
			"%s is exported", internal[i]);
}
END_TEST

START_TEST(check_has_no_side_effects)
{
	ck_assert_ptr_nonnull(new_store_dir());
	struct polychat_options *opts = stub_options_new(store_dir, NULL);
	CHECK_STATUS(ops->check(stub_host(), opts), 0);
	ck_assert_uint_eq(stub_options_errors(opts), 0);
	stub_options_free(opts);

	/* A path whose directory is missing is the open's problem. */
	opts = stub_options_new(store_dir, "path", "missing/x.db",
		"synchronous", "normal", "busy_timeout_ms", "0", NULL);
	CHECK_STATUS(ops->check(stub_host(), opts), 0);
	ck_assert_int_eq(stub_options_unused(opts), 0);
	stub_options_free(opts);
	ck_assert_uint_eq(dir_entries(store_dir), 0);
}
END_TEST

/* check() on a block with one bad option: ECONFIG naming the option. */
static void assert_rejected(const char *key, const char *value,
	const char *mention)
{
	struct polychat_options *opts = stub_options_new("/tmp", key, value,
		NULL);

	CHECK_STATUS(ops->check(stub_host(), opts), POLYCHAT_ECONFIG);
	ck_assert_msg(stub_options_error_contains(opts, key),
		"error for %s=%s does not name the option", key, value);
	ck_assert_msg(stub_options_error_contains(opts, mention),
		"error for %s=%s does not mention \"%s\"", key, value,
		mention);
	stub_options_free(opts);
}

START_TEST(check_rejects_bad_options)
{
	assert_rejected("synchronous", "sometimes", "normal");
	assert_rejected("synchronous", "FULL", "full");
	assert_rejected("busy_timeout_ms", "-1", "600000");
	assert_rejected("busy_timeout_ms", "soon", "600000");
	assert_rejected("busy_timeout_ms", "600001", "600000");
	assert_rejected("path", "", "path");
	assert_rejected("path", ":memory:", "memory");

	/* Every problem is reported at once. */
	struct polychat_options *opts = stub_options_new("/tmp",
		"synchronous", "off", "busy_timeout_ms", "x", "path", "", NULL);
	CHECK_STATUS(ops->check(stub_host(), opts), POLYCHAT_ECONFIG);
	ck_assert_uint_eq(stub_options_errors(opts), 3);
	stub_options_free(opts);

	void *db = (void *)&db;
	opts = stub_options_new("/tmp", "synchronous", "off", NULL);
	CHECK_STATUS(ops->open(stub_host(), opts, &db), POLYCHAT_ECONFIG);
	ck_assert_ptr_eq(db, (void *)&db);
	stub_options_free(opts);
}
END_TEST

START_TEST(open_fails_clearly)
{
	char path[PATH_MAX];
	void *db = (void *)&db;

	ck_assert_ptr_nonnull(new_store_dir());
	struct polychat_options *opts = stub_options_new(store_dir, "path",
		"no/such/dir/x.db", NULL);
	CHECK_STATUS(ops->open(stub_host(), opts, &db), POLYCHAT_EIO);
	ck_assert_ptr_eq(db, (void *)&db);
	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", store_dir);
	ck_assert_msg(stub_log_contains(path), "no log line names %s", path);
	ck_assert_uint_eq(dir_entries(store_dir), 0);
	stub_options_free(opts);

	/* A file that is not a database is refused, and left alone. */
	snprintf(path, sizeof(path), "%s/junk.db", store_dir);
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	for (int i = 0; i < 512; i++)
		fputs("not a database ", fp);
	fclose(fp);
	opts = stub_options_new(store_dir, "path", "junk.db", NULL);
	CHECK_STATUS(ops->open(stub_host(), opts, &db), POLYCHAT_EIO);
	ck_assert_ptr_eq(db, (void *)&db);
	ck_assert_msg(stub_log_contains(path), "no log line names %s", path);
	stub_options_free(opts);
}
END_TEST

/* Open a store in a fresh directory with extra options; path store.db. */
static void *open_store(struct polychat_options **opts_out, const char *key,
	const char *value)
{
	void *db = NULL;

	ck_assert_ptr_nonnull(new_store_dir());
	struct polychat_options *opts = stub_options_new(store_dir, "path",
		"store.db", key, value, NULL);
	ck_assert_ptr_nonnull(opts);
	CHECK_STATUS(ops->open(stub_host(), opts, &db), 0);
	*opts_out = opts;
	return db;
}

static sqlite3 *raw_open(void)
{
	char path[PATH_MAX];
	sqlite3 *raw = NULL;

	snprintf(path, sizeof(path), "%s/store.db", store_dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READWRITE,
		NULL), SQLITE_OK);
	return raw;
}

/* The first column of the first row of a constant query, as text. */
static void raw_query(sqlite3 *raw, const char *sql, char *out, size_t cap)
{
	sqlite3_stmt *st = NULL;

	ck_assert_int_eq(sqlite3_prepare_v2(raw, sql, -1, &st, NULL),
		SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

START_TEST(wal_schema_and_primary_keys)
{
	static const char *const tables[] = {
		"schema_version", "accounts", "tokens", "keys", "queue",
		"challenges", "audit",
	};
	struct polychat_options *opts;
	void *db = open_store(&opts, NULL, NULL);
	sqlite3 *raw = raw_open();
	char text[64];

	raw_query(raw, "PRAGMA journal_mode", text, sizeof(text));
	ck_assert_str_eq(text, "wal");
	raw_query(raw, "SELECT max(version) FROM schema_version", text,
		sizeof(text));
	ck_assert_str_eq(text, "1");
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char sql[128];
		/* pk > 0 marks the primary key columns of a table. */
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
			"pragma_table_info('%s') WHERE pk > 0", tables[i]);
		raw_query(raw, sql, text, sizeof(text));
		ck_assert_msg(strcmp(text, "0") != 0,
			"table %s has no primary key", tables[i]);
	}
	/* Accounts and tokens are keyed by a store-assigned id; what names
	 * them to a caller stays unique through its own index. */
	raw_query(raw, "SELECT group_concat(name) FROM "
		"pragma_table_info('accounts') WHERE pk > 0", text,
		sizeof(text));
	ck_assert_str_eq(text, "id");
	raw_query(raw, "SELECT group_concat(name) FROM "
		"pragma_table_info('tokens') WHERE pk > 0", text,
		sizeof(text));
	ck_assert_str_eq(text, "id");
	raw_query(raw, "SELECT group_concat(name) FROM "
		"pragma_index_info('accounts_name')", text, sizeof(text));
	ck_assert_str_eq(text, "realm,name");
	raw_query(raw, "SELECT \"unique\" FROM pragma_index_list('accounts')"
		" WHERE name = 'accounts_name'", text, sizeof(text));
	ck_assert_str_eq(text, "1");
	raw_query(raw, "SELECT \"unique\" FROM pragma_index_list('tokens')"
		" WHERE name = 'tokens_token'", text, sizeof(text));
	ck_assert_str_eq(text, "1");
	sqlite3_close(raw);
	ops->close(db);
	stub_options_free(opts);
}
END_TEST

START_TEST(newer_schema_is_refused)
{
	struct polychat_options *opts;
	void *db = open_store(&opts, NULL, NULL);
	ops->close(db);

	sqlite3 *raw = raw_open();
	char text[64];
	ck_assert_int_eq(sqlite3_exec(raw, "INSERT INTO schema_version "
		"VALUES (999, 'from the future', 0)", NULL, NULL, NULL),
		SQLITE_OK);

	db = (void *)&db;
	CHECK_STATUS(ops->open(stub_host(), opts, &db), POLYCHAT_ENOTSUP);
	ck_assert_ptr_eq(db, (void *)&db);
	ck_assert(stub_log_contains("schema version 999"));
	raw_query(raw, "SELECT max(version) FROM schema_version", text,
		sizeof(text));
	ck_assert_str_eq(text, "999");
	sqlite3_close(raw);
	stub_options_free(opts);
}
END_TEST

START_TEST(locked_database_is_unavailable)
{
	struct polychat_options *opts;
	/* No waiting: a locked database fails at once. */
	void *db = open_store(&opts, "busy_timeout_ms", "0");
	struct polychat_account acct;
	memset(&acct, 0, sizeof(acct));
	strcpy(acct.realm, "kylo");
	strcpy(acct.name, "victor");
	strcpy(acct.secret, "TOPSECRET-hash");

	sqlite3 *raw = raw_open();
	ck_assert_int_eq(sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL,
		NULL), SQLITE_OK);
	stub_log_clear();
	CHECK_STATUS(ops->account_put(db, &acct, NULL), POLYCHAT_EUNAVAIL);
	ck_assert_uint_ge(stub_log_count(), 1);
	/* The log says what failed, never with which values. */
	ck_assert(!stub_log_contains("TOPSECRET"));
	ck_assert(!stub_log_contains("victor"));
	ck_assert_int_eq(sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL),
		SQLITE_OK);
	CHECK_STATUS(ops->account_put(db, &acct, NULL), 0);
	sqlite3_close(raw);
	ops->close(db);
	stub_options_free(opts);
}
END_TEST

START_TEST(normal_synchronous_works)
{
	struct polychat_options *opts;
	void *db = open_store(&opts, "synchronous", "normal");
	struct polychat_queued q;
	uint64_t id = 0;
	uint64_t n = 0;

	memset(&q, 0, sizeof(q));
	strcpy(q.realm, "e2ee");
	strcpy(q.recipient, "bob");
	q.body = (uint8_t *)"x";
	q.body_len = 1;
	CHECK_STATUS(ops->queue_push(db, &q, &id), 0);
	CHECK_STATUS(ops->flush(db), 0);
	ops->close(db);
	CHECK_STATUS(ops->open(stub_host(), opts, &db), 0);
	CHECK_STATUS(ops->queue_count(db, "e2ee", "bob", &n), 0);
	ck_assert_uint_eq(n, 1);
	ops->close(db);
	stub_options_free(opts);
}
END_TEST

struct probe {
	void *db;
	int rc;
};

static void *probe_account(void *arg)
{
	struct probe *p = arg;
	struct polychat_account out;

	p->rc = ops->account_get(p->db, "kylo", "alice", 0, &out);
	return NULL;
}

START_TEST(deleted_database_is_not_recreated)
{
	struct polychat_options *opts;
	void *db = open_store(&opts, NULL, NULL);
	const char *const suffixes[] = { "", "-wal", "-shm" };

	for (size_t i = 0; i < 3; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/store.db%s", store_dir,
			suffixes[i]);
		unlink(path);
	}
	/* A new worker thread needs a new connection: it must fail rather
	 * than create an empty database. */
	struct probe p = { .db = db, .rc = 1 };
	pthread_t thread;
	ck_assert_int_eq(pthread_create(&thread, NULL, probe_account, &p), 0);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	CHECK_STATUS(p.rc, POLYCHAT_EIO);
	ck_assert_uint_eq(dir_entries(store_dir), 0);
	ops->close(db);
	stub_options_free(opts);
}
END_TEST

struct reentry {
	void *db;
	int calls;
	int rc;
};

static int audit_reenter(void *arg, const struct polychat_audit *rec)
{
	struct reentry *r = arg;
	struct polychat_audit more = *rec;

	more.at = rec->at + 1000;
	if (r->rc == 0)
		r->rc = ops->audit_add(r->db, &more);
	r->calls++;
	return 0;
}

START_TEST(audit_callback_may_call_the_store)
{
	struct polychat_options *opts;
	void *db = open_store(&opts, NULL, NULL);
	struct polychat_audit rec;
	struct reentry r = { .db = db };

	memset(&rec, 0, sizeof(rec));
	strcpy(rec.realm, "kylo");
	strcpy(rec.name, "alice");
	strcpy(rec.event, "login");
	for (int i = 0; i < 40; i++) {
		rec.at = i;
		CHECK_STATUS(ops->audit_add(db, &rec), 0);
	}
	/* Rows added from the callback are newer than the cursor, so the
	 * listing neither sees them nor loops. */
	CHECK_STATUS(ops->audit_list(db, "kylo", "alice", NULL, 1000,
		audit_reenter, &r), 0);
	CHECK_STATUS(r.rc, 0);
	ck_assert_int_eq(r.calls, 40);
	ops->close(db);
	stub_options_free(opts);
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
	struct polychat_options *opts;
	void *db = open_store(&opts, NULL, NULL);
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
	CHECK_STATUS(ops->queue_push(db, &q, NULL), 0);
	CHECK_STATUS(ops->key_put(db, "e2ee", "bob", "x25519", key, 3, 0), 0);

	long before = stub_alloc_outstanding();
	struct polychat_queued poison;
	memset(&poison, 0xa5, sizeof(poison));
	out = poison;
	data = (uint8_t *)&len;
	len = 12345;
	stub_alloc_fail_after(0);
	CHECK_STATUS(ops->queue_peek(db, "e2ee", "bob", NULL, &out),
		POLYCHAT_ENOMEM);
	CHECK_STATUS(ops->key_get(db, "e2ee", "bob", "x25519", &data, &len),
		POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_mem_eq(&out, &poison, sizeof(out));
	ck_assert_ptr_eq(data, (uint8_t *)&len);
	ck_assert_uint_eq(len, 12345);
	ck_assert_int_eq(stub_alloc_outstanding(), before);

	/* token_list needs its page buffer before anything is listed: no
	 * callback runs when it cannot have one. */
	struct polychat_token tok;
	memset(&tok, 0, sizeof(tok));
	strcpy(tok.token, "tok");
	strcpy(tok.realm, "e2ee");
	strcpy(tok.name, "bob");
	CHECK_STATUS(ops->token_put(db, &tok), 0);
	int calls = 0;
	stub_alloc_fail_after(0);
	CHECK_STATUS(ops->token_list(db, "e2ee", NULL, 10, count_calls,
		&calls), POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(stub_alloc_outstanding(), before);
	CHECK_STATUS(ops->token_list(db, "e2ee", NULL, 10, count_calls,
		&calls), 0);
	ck_assert_int_eq(calls, 1);

	/* account_list too, and its "no limit" is no exception. */
	struct polychat_account acct;
	memset(&acct, 0, sizeof(acct));
	strcpy(acct.realm, "e2ee");
	strcpy(acct.name, "bob");
	CHECK_STATUS(ops->account_put(db, &acct, NULL), 0);
	calls = 0;
	stub_alloc_fail_after(0);
	CHECK_STATUS(ops->account_list(db, "e2ee", 0, 0, count_accounts,
		&calls), POLYCHAT_ENOMEM);
	CHECK_STATUS(ops->account_list(db, "e2ee", 0, 10, count_accounts,
		&calls), POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_int_eq(calls, 0);
	ck_assert_int_eq(stub_alloc_outstanding(), before);
	CHECK_STATUS(ops->account_list(db, "e2ee", 0, 0, count_accounts,
		&calls), 0);
	ck_assert_int_eq(calls, 1);

	/* Nothing was lost: the item is still queued. */
	CHECK_STATUS(ops->queue_peek(db, "e2ee", "bob", NULL, &out), 0);
	stub_host()->free(out.body);
	ops->close(db);
	stub_options_free(opts);
}
END_TEST

static Suite *sqlite_suite(void)
{
	Suite *s = suite_create("store-sqlite plugin");
	TCase *tc = tcase_create("plugin");

	tcase_add_test(tc, descriptor);
	tcase_add_test(tc, exports_only_descriptor);
	tcase_add_test(tc, check_has_no_side_effects);
	tcase_add_test(tc, check_rejects_bad_options);
	tcase_add_test(tc, open_fails_clearly);
	tcase_add_test(tc, wal_schema_and_primary_keys);
	tcase_add_test(tc, newer_schema_is_refused);
	tcase_add_test(tc, locked_database_is_unavailable);
	tcase_add_test(tc, normal_synchronous_works);
	tcase_add_test(tc, deleted_database_is_not_recreated);
	tcase_add_test(tc, audit_callback_may_call_the_store);
	tcase_add_test(tc, out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}

/* Load the plugin as the daemon would and find its `sqlite` store. */
static int load_plugin(void)
{
	const char *builddir = getenv("POLYCHAT_BUILDDIR");
	char path[PATH_MAX];

	if (!builddir) {
		fprintf(stderr, "POLYCHAT_BUILDDIR is not set: run this "
			"test through `make check`\n");
		return -1;
	}
	if (lt_dlinit() != 0) {
		fprintf(stderr, "lt_dlinit: %s\n", lt_dlerror());
		return -1;
	}
	snprintf(path, sizeof(path), "%s/plugins/store-sqlite/store-sqlite",
		builddir);
	module = lt_dlopenext(path);
	if (!module) {
		fprintf(stderr, "cannot load %s: %s\n", path, lt_dlerror());
		return -1;
	}
	desc = lt_dlsym(module, POLYCHAT_PLUGIN_SYMBOL);
	if (!desc || desc->abi_major != POLYCHAT_ABI_MAJOR) {
		fprintf(stderr, "%s: no descriptor of ABI %d\n", path,
			POLYCHAT_ABI_MAJOR);
		return -1;
	}
	for (uint32_t i = 0; i < desc->n_components; i++)
		if (desc->components[i].kind == POLYCHAT_COMPONENT_STORE
				&& strcmp(desc->components[i].name, "sqlite")
					== 0)
			ops = desc->components[i].ops;
	if (!ops) {
		fprintf(stderr, "%s: no store component \"sqlite\"\n", path);
		return -1;
	}
	return 0;
}

int main(void)
{
	/* 99 tells the test driver this is a hard error, not a failure. */
	if (load_plugin() != 0)
		return 99;
	const char *tmp = getenv("TMPDIR");
	snprintf(base_dir, sizeof(base_dir), "%s/polychat-store-XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base_dir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", base_dir, strerror(errno));
		return 99;
	}

	const struct store_fixture fx = {
		.host = stub_host(),
		.ops = ops,
		.fresh = fx_fresh,
		.discard = fx_discard,
		.allocations = fx_allocations,
	};
	SRunner *sr = srunner_create(store_conformance_suite("sqlite", &fx));
	srunner_add_suite(sr, sqlite_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	remove_tree(base_dir);
	lt_dlclose(module);
	lt_dlexit();
	stub_host_reset();
	return failed ? 1 : 0;
}
