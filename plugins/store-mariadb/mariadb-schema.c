/* SPDX-License-Identifier: MIT */
/* The versioned schema of the MariaDB store and the migrations that build it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysqld_error.h>

#include <polychat/status.h>

#include "mariadb-schema.h"

/*
 * The logical schema is store-sqlite's (plugins/store-sqlite/README.md):
 * same tables, columns, keys and meanings, so that data can move between
 * the backends. The physical choices, and why:
 *
 *  - Every string is VARBINARY of its store.h bound in bytes: compared and
 *    ordered byte for byte (a binary string has no collation and no PAD
 *    SPACE), never limited by a character count, never refused as invalid
 *    UTF-8. The tables' default character set, utf8mb4 with a binary
 *    collation, applies only to schema_version.description.
 *  - Every index fits InnoDB's limits with room to spare (the widest,
 *    queue_sender, is 63 + 255 + 255 + 8 bytes; the limit is 3072, and
 *    even the old 767 of COMPACT rows is met).
 *  - Every table has a primary key, as Galera needs to replicate rows.
 *  - Ids are BIGINT UNSIGNED AUTO_INCREMENT: InnoDB keeps the counter
 *    across restarts (MariaDB 10.2.4 and later), so an id is never handed
 *    out twice; under Galera each node takes its own residues.
 *  - Blobs are LONGBLOB: a key or a queued body is bounded by the server's
 *    max_allowed_packet (POLYCHAT_ETOOBIG above it), not by the column.
 *
 * DDL commits implicitly in MariaDB, so a migration cannot be one
 * transaction. Instead every statement of a migration is idempotent
 * (CREATE TABLE IF NOT EXISTS here; ADD COLUMN IF NOT EXISTS and the like
 * in later ones), and its version row is written last: a migration cut
 * short is simply run again, and two processes running one at the same
 * time both succeed, the second insert of the version row being the
 * duplicate. No LOCK TABLES, no GET_LOCK (neither spans a Galera
 * cluster). A released migration is never edited; a change is a new step.
 */

struct md_migration {
	unsigned version;
	const char *description;
	const char *const *statements; /* NULL-terminated, constant SQL */
};

#define TABLE_OPTIONS \
	" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

static const char create_schema_version[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version INT UNSIGNED NOT NULL,"
	" description VARCHAR(255) NOT NULL,"
	" applied_at BIGINT NOT NULL,"
	" PRIMARY KEY (version))" TABLE_OPTIONS;

static const char *const schema_v1[] = {
	/* name_fold is name with ASCII letters lowered and trailing spaces
	 * cut, computed by the plugin: POLYCHAT_LOOKUP_FOLD compares it,
	 * exactly as store-sqlite does, whatever collation the server has.
	 * accounts_realm makes a page of account_list one range scan. */
	"CREATE TABLE IF NOT EXISTS accounts ("
	" id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,"
	" realm VARBINARY(63) NOT NULL,"
	" name VARBINARY(255) NOT NULL,"
	" name_fold VARBINARY(255) NOT NULL,"
	" secret VARBINARY(255) NOT NULL,"
	" flags INT UNSIGNED NOT NULL,"
	" created_at BIGINT NOT NULL,"
	" last_seen BIGINT NOT NULL,"
	" PRIMARY KEY (id),"
	" UNIQUE KEY accounts_name (realm, name),"
	" KEY accounts_fold (realm, name_fold, name),"
	" KEY accounts_realm (realm, id))" TABLE_OPTIONS,

	/* id records the insertion order, which breaks ties of issued_at in
	 * token_list; the listing indexes end in (issued_at, id) so that a
	 * page is a range scan in the order listed. */
	"CREATE TABLE IF NOT EXISTS tokens ("
	" id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,"
	" token VARBINARY(127) NOT NULL,"
	" realm VARBINARY(63) NOT NULL,"
	" name VARBINARY(255) NOT NULL,"
	" issued_at BIGINT NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" revoked TINYINT UNSIGNED NOT NULL,"
	" PRIMARY KEY (id),"
	" UNIQUE KEY tokens_token (token),"
	" KEY tokens_owner (realm, name, issued_at, id),"
	" KEY tokens_realm (realm, issued_at, id),"
	" KEY tokens_expiry (expires_at))" TABLE_OPTIONS,

	"CREATE TABLE IF NOT EXISTS `keys` ("
	" realm VARBINARY(63) NOT NULL,"
	" owner VARBINARY(255) NOT NULL,"
	" kind VARBINARY(31) NOT NULL,"
	" data LONGBLOB NOT NULL,"
	" PRIMARY KEY (realm, owner, kind))" TABLE_OPTIONS,

	/* AUTO_INCREMENT ids only grow, even after the newest item was
	 * acknowledged, so ids grow with time as the contract says. */
	"CREATE TABLE IF NOT EXISTS queue ("
	" id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,"
	" realm VARBINARY(63) NOT NULL,"
	" recipient VARBINARY(255) NOT NULL,"
	" sender VARBINARY(255) NOT NULL,"
	" body LONGBLOB NOT NULL,"
	" queued_at BIGINT NOT NULL,"
	" PRIMARY KEY (id),"
	" KEY queue_recipient (realm, recipient, id),"
	" KEY queue_sender (realm, recipient, sender, id))" TABLE_OPTIONS,

	"CREATE TABLE IF NOT EXISTS challenges ("
	" realm VARBINARY(63) NOT NULL,"
	" subject VARBINARY(255) NOT NULL,"
	" secret VARBINARY(255) NOT NULL,"
	" attempts INT UNSIGNED NOT NULL,"
	" created_at BIGINT NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" PRIMARY KEY (realm, subject))" TABLE_OPTIONS,

	"CREATE TABLE IF NOT EXISTS audit ("
	" id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,"
	" realm VARBINARY(63) NOT NULL,"
	" name VARBINARY(255) NOT NULL,"
	" event VARBINARY(31) NOT NULL,"
	" address VARBINARY(63) NOT NULL,"
	" size BIGINT NOT NULL,"
	" at BIGINT NOT NULL,"
	" PRIMARY KEY (id),"
	" KEY audit_owner (realm, name, at, id))" TABLE_OPTIONS,
	NULL
};

/* Every migration, oldest first; versions are 1, 2, 3, ... in order. */
static const struct md_migration migrations[] = {
	{ 1, "accounts, tokens, keys, queue, challenges, audit", schema_v1 },
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

/* md_schema_latest - see mariadb-schema.h. */
int md_schema_latest(void)
{
	return (int)migrations[N_MIGRATIONS - 1].version;
}

/* Run one constant statement that returns no rows. */
static int run(struct md_db *db, MYSQL *handle, const char *sql,
	const char *what)
{
	if (mysql_real_query(handle, sql, (unsigned long)strlen(sql)) != 0)
		return md_query_status(db, handle, mysql_errno(handle),
			mysql_error(handle), what);
	/* A statement of a migration never returns rows; drain anyway, so
	 * the session is ready for the next one. */
	MYSQL_RES *res = mysql_store_result(handle);
	if (res)
		mysql_free_result(res);
	return 0;
}

/* The version recorded in the database: 0 for an empty one. */
static int read_version(struct md_db *db, MYSQL *handle, unsigned *version)
{
	static const char sql[] =
		"SELECT COALESCE(MAX(version), 0) FROM schema_version";

	if (mysql_real_query(handle, sql, sizeof(sql) - 1) != 0) {
		/* A new database: nothing is recorded yet. */
		if (mysql_errno(handle) == ER_NO_SUCH_TABLE) {
			*version = 0;
			return 0;
		}
		return md_query_status(db, handle, mysql_errno(handle),
			mysql_error(handle), "reading the schema version");
	}
	MYSQL_RES *res = mysql_store_result(handle);
	if (!res)
		return md_query_status(db, handle, mysql_errno(handle),
			mysql_error(handle), "reading the schema version");
	MYSQL_ROW row = mysql_fetch_row(res);
	*version = row && row[0] ? (unsigned)strtoul(row[0], NULL, 10) : 0;
	mysql_free_result(res);
	return 0;
}

/*
 * Record that migration `m` is applied: 1 if this call wrote the row, 0
 * if another process was first, or a negative status.
 */
static int record_version(struct md_db *db, MYSQL *handle,
	const struct md_migration *m)
{
	static const char sql[] =
		"INSERT INTO schema_version (version, description, applied_at)"
		" VALUES (?, ?, ?)";
	MYSQL_STMT *st = mysql_stmt_init(handle);
	if (!st)
		return POLYCHAT_ENOMEM;

	unsigned long long version = m->version;
	long long now = (long long)time(NULL);
	unsigned long desc_len = (unsigned long)strlen(m->description);
	MYSQL_BIND params[3];
	memset(params, 0, sizeof(params));
	params[0].buffer_type = MYSQL_TYPE_LONGLONG;
	params[0].buffer = &version;
	params[0].is_unsigned = 1;
	params[1].buffer_type = MYSQL_TYPE_STRING;
	params[1].buffer = (void *)(uintptr_t)m->description;
	params[1].length = &desc_len;
	params[2].buffer_type = MYSQL_TYPE_LONGLONG;
	params[2].buffer = &now;

	int rc = 1;
	if (mysql_stmt_prepare(st, sql, sizeof(sql) - 1) != 0
			|| mysql_stmt_bind_param(st, params)
			|| mysql_stmt_execute(st) != 0) {
		unsigned err = mysql_stmt_errno(st);
		if (err == ER_DUP_ENTRY)
			rc = 0;
		else
			rc = md_query_status(db, handle, err,
				mysql_stmt_error(st),
				"recording the schema version");
	}
	mysql_stmt_close(st);
	return rc;
}

/*
 * Apply migration `m`: 1 if this call recorded it, 0 if another process
 * did, or a negative status (logged).
 */
static int apply(struct md_db *db, MYSQL *handle, const struct md_migration *m)
{
	int rc = run(db, handle, create_schema_version,
		"creating schema_version");
	for (size_t i = 0; rc == 0 && m->statements[i]; i++)
		rc = run(db, handle, m->statements[i], "schema migration");
	if (rc == 0)
		rc = record_version(db, handle, m);
	if (rc < 0)
		db->host->log(POLYCHAT_LOG_ERROR, MD_WHO,
			"%s: schema migration %u (%s) failed: %s", db->where,
			m->version, m->description, polychat_strerror(rc));
	return rc;
}

/* md_schema_migrate - see mariadb-schema.h. */
int md_schema_migrate(struct md_db *db)
{
	MYSQL *handle;
	int rc = md_db_handle(db, &handle);
	if (rc != 0)
		return rc;

	/* Refuse a database from a newer plugin before touching it: its
	 * tables may mean something this code would corrupt. */
	unsigned version = 0;
	rc = read_version(db, handle, &version);
	if (rc != 0)
		return rc;
	if (version > (unsigned)md_schema_latest()) {
		db->host->log(POLYCHAT_LOG_ERROR, MD_WHO,
			"%s has schema version %u, this plugin knows up to %d: "
			"use the store-mariadb that wrote it or a newer one",
			db->where, version, md_schema_latest());
		return POLYCHAT_ENOTSUP;
	}

	for (size_t i = 0; i < N_MIGRATIONS; i++) {
		if (migrations[i].version <= version)
			continue;
		rc = apply(db, handle, &migrations[i]);
		if (rc < 0)
			return rc;
		if (rc > 0)
			db->host->log(POLYCHAT_LOG_INFO, MD_WHO,
				"%s: schema version %u applied (%s)", db->where,
				migrations[i].version,
				migrations[i].description);
	}
	return 0;
}
