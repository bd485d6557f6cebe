/* SPDX-License-Identifier: MIT */
/* The versioned schema of the SQLite store and the migrations that build it. */
#include <time.h>

#include <polychat/status.h>

#include "sqlite-schema.h"

/*
 * The schema only ever moves forward: a migration, once released, is never
 * edited; a change is a new step appended to `migrations` with the next
 * version. Each step runs in one transaction together with the row that
 * records it in `schema_version`, so a crash leaves the file at the
 * previous version or the next, never in between.
 *
 * The logical schema (README.md) is shared with the other backends: same
 * tables, columns, keys and meaning, so that data can move between them.
 */

struct sq_migration {
	int version;
	const char *description;
	const char *const *statements; /* NULL-terminated, constant SQL */
};

static const char *const schema_v1[] = {
	/* AUTOINCREMENT: an account id is never handed out twice, even after
	 * the newest account was deleted and the daemon restarted (a plain
	 * INTEGER PRIMARY KEY would reuse the largest id). (realm, name)
	 * stays unique through its own index.
	 *
	 * name_fold is name with ASCII letters lowered and trailing spaces
	 * cut, computed by the plugin: it serves POLYCHAT_LOOKUP_FOLD the way
	 * a case- and pad-insensitive collation would, without needing a
	 * collation that other tools reading the file would lack. */
	"CREATE TABLE accounts ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" realm TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" name_fold TEXT NOT NULL,"
	" secret TEXT NOT NULL,"
	" flags INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL)",
	"CREATE UNIQUE INDEX accounts_name ON accounts (realm, name)",
	"CREATE INDEX accounts_fold ON accounts (realm, name_fold, name)",

	/* id records the insertion order, which breaks ties of issued_at in
	 * token_list; the token itself stays unique through its own index.
	 * The two listing indexes end in (issued_at, id) so that a page is a
	 * range scan in the order listed, with no sort. */
	"CREATE TABLE tokens ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" token TEXT NOT NULL,"
	" realm TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" issued_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" revoked INTEGER NOT NULL)",
	"CREATE UNIQUE INDEX tokens_token ON tokens (token)",
	"CREATE INDEX tokens_owner ON tokens (realm, name, issued_at, id)",
	"CREATE INDEX tokens_realm ON tokens (realm, issued_at, id)",
	"CREATE INDEX tokens_expiry ON tokens (expires_at)",

	"CREATE TABLE keys ("
	" realm TEXT NOT NULL,"
	" owner TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" data BLOB NOT NULL,"
	" PRIMARY KEY (realm, owner, kind))",

	/* AUTOINCREMENT: an id is never reused, even after the newest item
	 * was acknowledged, so ids grow with time as the contract says. */
	"CREATE TABLE queue ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" realm TEXT NOT NULL,"
	" recipient TEXT NOT NULL,"
	" sender TEXT NOT NULL,"
	" body BLOB NOT NULL,"
	" queued_at INTEGER NOT NULL)",
	"CREATE INDEX queue_recipient ON queue (realm, recipient, id)",
	"CREATE INDEX queue_sender ON queue (realm, recipient, sender, id)",

	"CREATE TABLE challenges ("
	" realm TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" secret TEXT NOT NULL,"
	" attempts INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" PRIMARY KEY (realm, subject))",

	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" realm TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" event TEXT NOT NULL,"
	" address TEXT NOT NULL,"
	" size INTEGER NOT NULL,"
	" at INTEGER NOT NULL)",
	"CREATE INDEX audit_owner ON audit (realm, name, at, id)",
	NULL
};

/* Every migration, oldest first; versions are 1, 2, 3, ... in order. */
static const struct sq_migration migrations[] = {
	{ 1, "accounts, tokens, keys, queue, challenges, audit", schema_v1 },
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

/* sq_schema_latest - see sqlite-schema.h. */
int sq_schema_latest(void)
{
	return migrations[N_MIGRATIONS - 1].version;
}

/* Run one constant statement whose rows, if any, are not wanted. */
static int exec_const(sqlite3 *handle, const char *sql)
{
	return sq_run_sql(handle, sql, NULL, 0);
}

/*
 * The status of a failed schema step `rc`, after rolling back the
 * transaction if one is still open. A constraint failure here means a
 * damaged file, not a duplicate for the caller: POLYCHAT_EIO.
 */
static int fail_status(sqlite3 *handle, int rc)
{
	int status = sq_status_of(rc);
	if (!sqlite3_get_autocommit(handle))
		exec_const(handle, "ROLLBACK");
	return status == POLYCHAT_EEXIST ? POLYCHAT_EIO : status;
}

/* The version recorded in the file, 0 for a new one. Inside a transaction. */
static int read_version(sqlite3 *handle, int *version)
{
	int rc = exec_const(handle,
		"CREATE TABLE IF NOT EXISTS schema_version ("
		" version INTEGER NOT NULL PRIMARY KEY,"
		" description TEXT NOT NULL,"
		" applied_at INTEGER NOT NULL)");
	if (rc != SQLITE_OK)
		return rc;

	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(handle,
		"SELECT coalesce(max(version), 0) FROM schema_version", -1,
		&st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int record_version(sqlite3 *handle, const struct sq_migration *m)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(handle,
		"INSERT INTO schema_version (version, description, applied_at)"
		" VALUES (?, ?, ?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_bind_int(st, 1, m->version);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, m->description, -1,
			SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Apply migration `m` unless the file already has it: returns 1 if it was
 * applied, 0 if another process was first, or a negative status (logged).
 * IMMEDIATE takes the write lock before reading the version, so two
 * processes opening a new file at once cannot both apply the same step.
 */
static int apply(struct sq_db *db, sqlite3 *handle,
	const struct sq_migration *m)
{
	int version = 0;
	const char *failed = "BEGIN IMMEDIATE";
	int rc = exec_const(handle, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		goto fail;

	failed = "reading schema_version";
	rc = read_version(handle, &version);
	for (size_t i = 0; rc == SQLITE_OK && version < m->version
			&& m->statements[i]; i++) {
		failed = m->statements[i];
		rc = exec_const(handle, m->statements[i]);
	}
	if (rc == SQLITE_OK && version < m->version) {
		failed = "recording the version";
		rc = record_version(handle, m);
	}
	if (rc == SQLITE_OK) {
		failed = "COMMIT";
		rc = exec_const(handle, "COMMIT");
	}
	if (rc == SQLITE_OK)
		return version < m->version ? 1 : 0;

fail:
	db->host->log(POLYCHAT_LOG_ERROR, SQ_WHO,
		"database \"%s\": schema migration %d (%s) failed at %.60s: %s",
		db->cfg.path, m->version, m->description, failed,
		sqlite3_errmsg(handle));
	return fail_status(handle, rc);
}

/* sq_schema_migrate - see sqlite-schema.h. */
int sq_schema_migrate(struct sq_db *db)
{
	sqlite3 *handle;
	int rc = sq_db_handle(db, &handle);
	if (rc != 0)
		return rc;

	/* Refuse a file from a newer plugin before touching it: its tables
	 * may mean something this code would corrupt. */
	int version = 0;
	rc = exec_const(handle, "BEGIN IMMEDIATE");
	if (rc == SQLITE_OK)
		rc = read_version(handle, &version);
	if (rc == SQLITE_OK)
		rc = exec_const(handle, "COMMIT");
	if (rc != SQLITE_OK) {
		db->host->log(POLYCHAT_LOG_ERROR, SQ_WHO,
			"database \"%s\": cannot read the schema version: %s",
			db->cfg.path, sqlite3_errmsg(handle));
		return fail_status(handle, rc);
	}
	if (version > sq_schema_latest()) {
		db->host->log(POLYCHAT_LOG_ERROR, SQ_WHO,
			"database \"%s\" has schema version %d, this plugin "
			"knows up to %d: use the store-sqlite that wrote it or "
			"a newer one", db->cfg.path, version,
			sq_schema_latest());
		return POLYCHAT_ENOTSUP;
	}

	for (size_t i = 0; i < N_MIGRATIONS; i++) {
		if (migrations[i].version <= version)
			continue;
		rc = apply(db, handle, &migrations[i]);
		if (rc < 0)
			return rc;
		if (rc > 0)
			db->host->log(POLYCHAT_LOG_INFO, SQ_WHO,
			"database \"%s\": schema version %d applied (%s)",
			db->cfg.path, migrations[i].version,
			migrations[i].description);
	}
	return 0;
}
