/* SPDX-License-Identifier: MIT */
/* The text of every SQL statement the record methods run, in one table. */
#include <stddef.h>

#include "mariadb-sql.h"

/*
 * The statements of store-sqlite (plugins/store-sqlite/sqlite-sql.c),
 * translated: same tables, same parameters in the same order, so both
 * backends answer alike. Differences, and why:
 *  - `keys` is a reserved word in MariaDB: always quoted.
 *  - Every string column is VARBINARY, so every comparison and ORDER BY
 *    is on bytes whatever the server's or the database's default
 *    collation is; POLYCHAT_LOOKUP_FOLD compares the name_fold column the
 *    plugin computes (mariadb-credentials.c), never a collation.
 *  - "INSERT OR REPLACE" is "INSERT ... ON DUPLICATE KEY UPDATE": it
 *    updates the row in place where REPLACE would delete and re-insert it.
 *  - Updates that must find their row count matched rows, not changed
 *    ones: connections are opened with CLIENT_FOUND_ROWS.
 */

#define ACCOUNT_COLUMNS \
	"id, realm, name, secret, flags, created_at, last_seen"
#define TOKEN_COLUMNS \
	"token, realm, name, issued_at, expires_at, revoked"
#define QUEUE_COLUMNS \
	"id, realm, recipient, sender, body, queued_at"
#define CHALLENGE_COLUMNS \
	"realm, subject, secret, attempts, created_at, expires_at"
#define AUDIT_COLUMNS \
	"id, realm, name, event, address, size, at"

static const char *const sql_texts[MD_STMT_COUNT] = {
	[MD_ACCOUNT_INSERT] =
		"INSERT INTO accounts (realm, name, name_fold, secret, flags,"
		" created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[MD_ACCOUNT_GET] =
		"SELECT " ACCOUNT_COLUMNS " FROM accounts"
		" WHERE realm = ? AND name = ?",
	/* Several stored spellings may fold alike ("Bob" and "bob"): the exact
	 * one wins, else the first in byte order, so the answer is stable. */
	[MD_ACCOUNT_GET_FOLD] =
		"SELECT " ACCOUNT_COLUMNS " FROM accounts"
		" WHERE realm = ? AND name_fold = ?"
		" ORDER BY name = ? DESC, name LIMIT 1",
	/* The realm is part of the key a caller knows: an id from another
	 * realm is not found, as a name from another realm would not be. */
	[MD_ACCOUNT_GET_ID] =
		"SELECT " ACCOUNT_COLUMNS " FROM accounts"
		" WHERE id = ? AND realm = ?",
	/* One statement for every combination of fields: each flag parameter
	 * says whether the value after it replaces the column. */
	[MD_ACCOUNT_UPDATE] =
		"UPDATE accounts SET"
		" secret = CASE WHEN ? THEN ? ELSE secret END,"
		" flags = CASE WHEN ? THEN ? ELSE flags END,"
		" last_seen = CASE WHEN ? THEN ? ELSE last_seen END"
		" WHERE realm = ? AND name = ?",
	[MD_ACCOUNT_DELETE] =
		"DELETE FROM accounts WHERE realm = ? AND name = ?",
	/* One page of account_list: the accounts of a realm after the cursor
	 * id, in id order, a range of the index (realm, id). The secret is
	 * never read: a listing hands out no password hashes, so they do not
	 * even leave the server. */
	[MD_ACCOUNT_PAGE] =
		"SELECT id, realm, name, '', flags, created_at, last_seen"
		" FROM accounts WHERE realm = ? AND id > ?"
		" ORDER BY id LIMIT ?",

	[MD_TOKEN_INSERT] =
		"INSERT INTO tokens (" TOKEN_COLUMNS ")"
		" VALUES (?, ?, ?, ?, ?, ?)",
	[MD_TOKEN_GET] =
		"SELECT " TOKEN_COLUMNS " FROM tokens WHERE token = ?",
	[MD_TOKEN_REVOKE] =
		"UPDATE tokens SET revoked = 1 WHERE token = ?",
	[MD_TOKEN_DELETE] =
		"DELETE FROM tokens WHERE token = ?",
	[MD_TOKEN_REVOKE_USER] =
		"UPDATE tokens SET revoked = 1"
		" WHERE realm = ? AND name = ? AND revoked = 0",
	[MD_TOKEN_PURGE] =
		"DELETE FROM tokens WHERE expires_at < ?",
	/* One page of a newest-first token_list, of one owner or of the whole
	 * realm: the rows strictly older than the cursor (issued_at, id). Two
	 * statements rather than a NULL-able filter, so that each is a range
	 * of its own index (tokens_owner, tokens_realm). */
	[MD_TOKEN_PAGE_OWNER] =
		"SELECT id, " TOKEN_COLUMNS " FROM tokens"
		" WHERE realm = ? AND name = ?"
		" AND (issued_at < ? OR (issued_at = ? AND id < ?))"
		" ORDER BY issued_at DESC, id DESC LIMIT ?",
	[MD_TOKEN_PAGE_REALM] =
		"SELECT id, " TOKEN_COLUMNS " FROM tokens"
		" WHERE realm = ?"
		" AND (issued_at < ? OR (issued_at = ? AND id < ?))"
		" ORDER BY issued_at DESC, id DESC LIMIT ?",

	[MD_KEY_INSERT] =
		"INSERT INTO `keys` (realm, owner, kind, data)"
		" VALUES (?, ?, ?, ?)",
	[MD_KEY_REPLACE] =
		"INSERT INTO `keys` (realm, owner, kind, data)"
		" VALUES (?, ?, ?, ?)"
		" ON DUPLICATE KEY UPDATE data = VALUES(data)",
	[MD_KEY_GET] =
		"SELECT data FROM `keys`"
		" WHERE realm = ? AND owner = ? AND kind = ?",
	[MD_KEY_DELETE] =
		"DELETE FROM `keys` WHERE realm = ? AND owner = ? AND kind = ?",

	[MD_QUEUE_INSERT] =
		"INSERT INTO queue (realm, recipient, sender, body, queued_at)"
		" VALUES (?, ?, ?, ?, ?)",
	[MD_QUEUE_PEEK] =
		"SELECT " QUEUE_COLUMNS " FROM queue"
		" WHERE realm = ? AND recipient = ? ORDER BY id LIMIT 1",
	[MD_QUEUE_PEEK_FROM] =
		"SELECT " QUEUE_COLUMNS " FROM queue"
		" WHERE realm = ? AND recipient = ? AND sender = ?"
		" ORDER BY id LIMIT 1",
	[MD_QUEUE_DELETE] =
		"DELETE FROM queue WHERE id = ?",
	[MD_QUEUE_COUNT] =
		"SELECT count(*) FROM queue WHERE realm = ? AND recipient = ?",

	[MD_CHALLENGE_PUT] =
		"INSERT INTO challenges (" CHALLENGE_COLUMNS ")"
		" VALUES (?, ?, ?, ?, ?, ?)"
		" ON DUPLICATE KEY UPDATE secret = VALUES(secret),"
		" attempts = VALUES(attempts), created_at = VALUES(created_at),"
		" expires_at = VALUES(expires_at)",
	[MD_CHALLENGE_GET] =
		"SELECT " CHALLENGE_COLUMNS " FROM challenges"
		" WHERE realm = ? AND subject = ?",
	[MD_CHALLENGE_DELETE] =
		"DELETE FROM challenges WHERE realm = ? AND subject = ?",

	[MD_AUDIT_INSERT] =
		"INSERT INTO audit (realm, name, event, address, size, at)"
		" VALUES (?, ?, ?, ?, ?, ?)",
	/* One page of a newest-first listing: the rows strictly older than
	 * the cursor (at, id), the event filter off when its value is NULL.
	 * Paging lets audit_list release the statement before each callback. */
	[MD_AUDIT_PAGE] =
		"SELECT " AUDIT_COLUMNS " FROM audit"
		" WHERE realm = ? AND name = ? AND (? IS NULL OR event = ?)"
		" AND (at < ? OR (at = ? AND id < ?))"
		" ORDER BY at DESC, id DESC LIMIT ?",
};

/* md_sql_text - see mariadb-sql.h. */
const char *md_sql_text(enum md_stmt_id id)
{
	if ((unsigned)id >= MD_STMT_COUNT)
		return NULL;
	return sql_texts[id];
}
