/* SPDX-License-Identifier: MIT */
/* The text of every SQL statement the record methods run, in one table. */
#include <stddef.h>

#include "sqlite-sql.h"

/*
 * Keeping every statement here, next to each other, makes the contract of
 * the logical schema (README.md) easy to check and gives a later backend
 * one place to translate from. The `?` parameters are bound left to right
 * by the record methods, in exactly the order they appear.
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

static const char *const sql_texts[SQ_STMT_COUNT] = {
	[SQ_ACCOUNT_INSERT] =
		"INSERT INTO accounts (realm, name, name_fold, secret, flags,"
		" created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQ_ACCOUNT_GET] =
		"SELECT " ACCOUNT_COLUMNS " FROM accounts"
		" WHERE realm = ? AND name = ?",
	/* Several stored spellings may fold alike ("Bob" and "bob"): the exact
	 * one wins, else the first in byte order, so the answer is stable. */
	[SQ_ACCOUNT_GET_FOLD] =
		"SELECT " ACCOUNT_COLUMNS " FROM accounts"
		" WHERE realm = ? AND name_fold = ?"
		" ORDER BY name = ? DESC, name LIMIT 1",
	/* The realm is part of the key a caller knows: an id from another
	 * realm is not found, as a name from another realm would not be. */
	[SQ_ACCOUNT_GET_ID] =
		"SELECT " ACCOUNT_COLUMNS " FROM accounts"
		" WHERE id = ? AND realm = ?",
	/* One statement for every combination of fields: each flag parameter
	 * says whether the value after it replaces the column. */
	[SQ_ACCOUNT_UPDATE] =
		"UPDATE accounts SET"
		" secret = CASE WHEN ? THEN ? ELSE secret END,"
		" flags = CASE WHEN ? THEN ? ELSE flags END,"
		" last_seen = CASE WHEN ? THEN ? ELSE last_seen END"
		" WHERE realm = ? AND name = ?",
	[SQ_ACCOUNT_DELETE] =
		"DELETE FROM accounts WHERE realm = ? AND name = ?",
	/* One page of account_list: the accounts of a realm after the cursor
	 * id, in id order. The secret column is never read: a listing hands
	 * out no password hashes, so they do not even leave the database.
	 * "+realm" keeps the planner off the name indexes, which would read
	 * and sort the whole realm for every page: the primary key is walked
	 * from the cursor in the order listed, and the realm filtered. */
	[SQ_ACCOUNT_PAGE] =
		"SELECT id, realm, name, '', flags, created_at, last_seen"
		" FROM accounts WHERE +realm = ? AND id > ?"
		" ORDER BY id LIMIT ?",

	[SQ_TOKEN_INSERT] =
		"INSERT INTO tokens (" TOKEN_COLUMNS ")"
		" VALUES (?, ?, ?, ?, ?, ?)",
	[SQ_TOKEN_GET] =
		"SELECT " TOKEN_COLUMNS " FROM tokens WHERE token = ?",
	[SQ_TOKEN_REVOKE] =
		"UPDATE tokens SET revoked = 1 WHERE token = ?",
	[SQ_TOKEN_DELETE] =
		"DELETE FROM tokens WHERE token = ?",
	[SQ_TOKEN_REVOKE_USER] =
		"UPDATE tokens SET revoked = 1"
		" WHERE realm = ? AND name = ? AND revoked = 0",
	[SQ_TOKEN_PURGE] =
		"DELETE FROM tokens WHERE expires_at < ?",
	/* One page of a newest-first token_list, of one owner or of the whole
	 * realm: the rows strictly older than the cursor (issued_at, id). Two
	 * statements rather than a NULL-able filter, so that each is a range
	 * scan of its own index (tokens_owner, tokens_realm). */
	[SQ_TOKEN_PAGE_OWNER] =
		"SELECT id, " TOKEN_COLUMNS " FROM tokens"
		" WHERE realm = ? AND name = ?"
		" AND (issued_at < ? OR (issued_at = ? AND id < ?))"
		" ORDER BY issued_at DESC, id DESC LIMIT ?",
	[SQ_TOKEN_PAGE_REALM] =
		"SELECT id, " TOKEN_COLUMNS " FROM tokens"
		" WHERE realm = ?"
		" AND (issued_at < ? OR (issued_at = ? AND id < ?))"
		" ORDER BY issued_at DESC, id DESC LIMIT ?",

	[SQ_KEY_INSERT] =
		"INSERT INTO keys (realm, owner, kind, data)"
		" VALUES (?, ?, ?, ?)",
	[SQ_KEY_REPLACE] =
		"INSERT OR REPLACE INTO keys (realm, owner, kind, data)"
		" VALUES (?, ?, ?, ?)",
	[SQ_KEY_GET] =
		"SELECT data FROM keys"
		" WHERE realm = ? AND owner = ? AND kind = ?",
	[SQ_KEY_DELETE] =
		"DELETE FROM keys WHERE realm = ? AND owner = ? AND kind = ?",

	[SQ_QUEUE_INSERT] =
		"INSERT INTO queue (realm, recipient, sender, body, queued_at)"
		" VALUES (?, ?, ?, ?, ?)",
	[SQ_QUEUE_PEEK] =
		"SELECT " QUEUE_COLUMNS " FROM queue"
		" WHERE realm = ? AND recipient = ? ORDER BY id LIMIT 1",
	[SQ_QUEUE_PEEK_FROM] =
		"SELECT " QUEUE_COLUMNS " FROM queue"
		" WHERE realm = ? AND recipient = ? AND sender = ?"
		" ORDER BY id LIMIT 1",
	[SQ_QUEUE_DELETE] =
		"DELETE FROM queue WHERE id = ?",
	[SQ_QUEUE_COUNT] =
		"SELECT count(*) FROM queue WHERE realm = ? AND recipient = ?",

	[SQ_CHALLENGE_PUT] =
		"INSERT OR REPLACE INTO challenges (" CHALLENGE_COLUMNS ")"
		" VALUES (?, ?, ?, ?, ?, ?)",
	[SQ_CHALLENGE_GET] =
		"SELECT " CHALLENGE_COLUMNS " FROM challenges"
		" WHERE realm = ? AND subject = ?",
	[SQ_CHALLENGE_DELETE] =
		"DELETE FROM challenges WHERE realm = ? AND subject = ?",

	[SQ_AUDIT_INSERT] =
		"INSERT INTO audit (realm, name, event, address, size, at)"
		" VALUES (?, ?, ?, ?, ?, ?)",
	/* One page of a newest-first listing: the rows strictly older than
	 * the cursor (at, id), the event filter off when its value is NULL.
	 * Paging lets audit_list release the statement before each callback. */
	[SQ_AUDIT_PAGE] =
		"SELECT " AUDIT_COLUMNS " FROM audit"
		" WHERE realm = ? AND name = ? AND (? IS NULL OR event = ?)"
		" AND (at < ? OR (at = ? AND id < ?))"
		" ORDER BY at DESC, id DESC LIMIT ?",
};

/* sq_sql_text - see sqlite-sql.h. */
const char *sq_sql_text(enum sq_stmt_id id)
{
	if ((unsigned)id >= SQ_STMT_COUNT)
		return NULL;
	return sql_texts[id];
}
