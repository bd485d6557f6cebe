/* SPDX-License-Identifier: MIT */
/* Accounts, tokens and one-time challenges in the SQLite store. */
#include <stdint.h>
#include <string.h>

#include <polychat/status.h>

#include "sqlite-conn.h"
#include "sqlite-page.h"
#include "sqlite-records.h"

/*
 * Common rules of the methods here: every string is checked against its
 * bound before any SQL runs (POLYCHAT_EINVAL), realms, names, tokens and
 * subjects must not be empty, secrets may be. Rows are read into a local
 * copy and handed out only once complete, so an out-parameter is never
 * half written. Each change is one autocommit statement: it is durable
 * when sqlite3_step returns.
 */

#define ACCOUNT_FIELDS (POLYCHAT_ACCOUNT_SET_SECRET | \
	POLYCHAT_ACCOUNT_SET_FLAGS | POLYCHAT_ACCOUNT_SET_LAST_SEEN)

/* How many accounts one page of account_list holds; see sq_account_list. */
#define ACCOUNT_PAGE 32

/* How many tokens one page of token_list holds; see sq_token_list. */
#define TOKEN_PAGE 32

static int owner_ok(const char *realm, const char *name)
{
	if (sq_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| sq_text_ok(name, POLYCHAT_NAME_MAX, 0) != 0)
		return POLYCHAT_EINVAL;
	return 0;
}

/*
 * The key POLYCHAT_LOOKUP_FOLD compares: ASCII letters lowered, trailing
 * spaces dropped, as MariaDB's default (case-insensitive, PAD SPACE)
 * collation compares. Bytes above 0x7f are kept, so UTF-8 is untouched.
 */
static void fold_name(const char *name, char out[POLYCHAT_NAME_MAX + 1])
{
	size_t len = strnlen(name, POLYCHAT_NAME_MAX);

	while (len > 0 && name[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
}

/* Read the ACCOUNT_COLUMNS of the current row; the local copy, which
 * holds the secret, is wiped. */
static int read_account(struct sq_call *call, struct polychat_account *out)
{
	struct polychat_account acct;
	int rc;

	memset(&acct, 0, sizeof(acct));
	if ((rc = sq_column_text(call, 1, acct.realm, sizeof(acct.realm))) != 0
			|| (rc = sq_column_text(call, 2, acct.name,
				sizeof(acct.name))) != 0
			|| (rc = sq_column_text(call, 3, acct.secret,
				sizeof(acct.secret))) != 0) {
		call->db->host->wipe(&acct, sizeof(acct));
		return rc;
	}
	acct.id = (uint64_t)sqlite3_column_int64(call->st, 0);
	acct.flags = (uint32_t)sqlite3_column_int64(call->st, 4);
	acct.created_at = sqlite3_column_int64(call->st, 5);
	acct.last_seen = sqlite3_column_int64(call->st, 6);
	*out = acct;
	call->db->host->wipe(&acct, sizeof(acct));
	return 0;
}

/*
 * sq_account_put - see sqlite-records.h; a taken (realm, name) is EEXIST.
 * acct->id is not read. The id is the row's AUTOINCREMENT key, so it is
 * never 0 and never one that an account, even a deleted one, had before.
 */
int sq_account_put(void *db, const struct polychat_account *acct,
	uint64_t *id)
{
	if (!db || !acct || owner_ok(acct->realm, acct->name) != 0
			|| sq_text_ok(acct->secret, POLYCHAT_SECRET_MAX, 1))
		return POLYCHAT_EINVAL;

	char fold[POLYCHAT_NAME_MAX + 1];
	fold_name(acct->name, fold);

	struct sq_call call;
	int rc = sq_call_start(db, SQ_ACCOUNT_INSERT, "account_put", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, acct->realm);
	sq_bind_text(&call, acct->name);
	sq_bind_text(&call, fold);
	sq_bind_text(&call, acct->secret);
	sq_bind_int(&call, acct->flags);
	sq_bind_int(&call, acct->created_at);
	sq_bind_int(&call, acct->last_seen);
	rc = sq_exec(&call);
	/* The rowid of this thread's own connection: another worker's
	 * insert in between cannot change it. */
	if (rc == 0 && id)
		*id = (uint64_t)sq_last_rowid(&call);
	return sq_call_end(&call, rc);
}

/*
 * sq_account_get - see sqlite-records.h. With POLYCHAT_LOOKUP_FOLD and
 * several stored spellings that fold alike, the exact spelling wins, else
 * the first in byte order. Unknown flag bits are POLYCHAT_EINVAL.
 */
int sq_account_get(void *db, const char *realm, const char *name,
	unsigned flags, struct polychat_account *out)
{
	if (!db || !out || owner_ok(realm, name) != 0
			|| (flags & ~POLYCHAT_LOOKUP_FOLD) != 0)
		return POLYCHAT_EINVAL;

	int fold = (flags & POLYCHAT_LOOKUP_FOLD) != 0;
	char folded[POLYCHAT_NAME_MAX + 1];
	struct sq_call call;
	int rc = sq_call_start(db, fold ? SQ_ACCOUNT_GET_FOLD : SQ_ACCOUNT_GET,
		"account_get", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, realm);
	if (fold) {
		fold_name(name, folded);
		sq_bind_text(&call, folded);
	}
	sq_bind_text(&call, name);
	rc = sq_step_one(&call);
	if (rc == 0)
		rc = read_account(&call, out);
	return sq_call_end(&call, rc);
}

/*
 * sq_account_get_id - see sqlite-records.h. An id of another realm is
 * ENOTFOUND, as are 0 and ids above INT64_MAX, which this backend never
 * assigns.
 */
int sq_account_get_id(void *db, const char *realm, uint64_t id,
	struct polychat_account *out)
{
	if (!db || !out || sq_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0)
		return POLYCHAT_EINVAL;
	if (id == 0 || id > (uint64_t)INT64_MAX)
		return POLYCHAT_ENOTFOUND;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_ACCOUNT_GET_ID, "account_get_id", &call);
	if (rc != 0)
		return rc;
	sq_bind_int(&call, (int64_t)id);
	sq_bind_text(&call, realm);
	rc = sq_step_one(&call);
	if (rc == 0)
		rc = read_account(&call, out);
	return sq_call_end(&call, rc);
}

/*
 * sq_account_update - see sqlite-records.h. `fields` must name at least one
 * field and no unknown one (else POLYCHAT_EINVAL); only the named fields
 * of `acct` are read besides realm and name.
 */
int sq_account_update(void *db, const struct polychat_account *acct,
	unsigned fields)
{
	if (!db || !acct || owner_ok(acct->realm, acct->name) != 0
			|| fields == 0 || (fields & ~ACCOUNT_FIELDS) != 0)
		return POLYCHAT_EINVAL;
	int set_secret = (fields & POLYCHAT_ACCOUNT_SET_SECRET) != 0;
	if (set_secret && sq_text_ok(acct->secret, POLYCHAT_SECRET_MAX, 1) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_ACCOUNT_UPDATE, "account_update", &call);
	if (rc != 0)
		return rc;
	sq_bind_int(&call, set_secret);
	/* An unused secret is not bound at all: it may be uninitialised. */
	if (set_secret)
		sq_bind_text(&call, acct->secret);
	else
		sq_bind_null(&call);
	sq_bind_int(&call, (fields & POLYCHAT_ACCOUNT_SET_FLAGS) != 0);
	sq_bind_int(&call, acct->flags);
	sq_bind_int(&call, (fields & POLYCHAT_ACCOUNT_SET_LAST_SEEN) != 0);
	sq_bind_int(&call, acct->last_seen);
	sq_bind_text(&call, acct->realm);
	sq_bind_text(&call, acct->name);
	return sq_call_end(&call, sq_exec_hit(&call));
}

/*
 * Run `stmt`, whose parameters are (realm, name), as a change that must hit
 * a row: 0, POLYCHAT_ENOTFOUND when none matched, or a negative status.
 * `what` names the method in log lines and must be a string literal.
 */
static int owner_change(void *db, const char *realm, const char *name,
	enum sq_stmt_id stmt, const char *what)
{
	if (!db || owner_ok(realm, name) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, stmt, what, &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, realm);
	sq_bind_text(&call, name);
	return sq_call_end(&call, sq_exec_hit(&call));
}

/* sq_account_delete - see sqlite-records.h. */
int sq_account_delete(void *db, const char *realm, const char *name)
{
	return owner_change(db, realm, name, SQ_ACCOUNT_DELETE,
		"account_delete");
}

/* One account_list call: its realm and the caller's callback. */
struct account_query {
	struct sq_db *db;
	const char *realm;
	polychat_account_fn *fn;
	void *arg;
};

/* An sq_row_fn: an account_list row is the ACCOUNT_COLUMNS with an empty
 * secret; the cursor is the id alone. */
static int account_row(struct sq_call *call, void *rec, int64_t *at)
{
	return read_account(call, rec);
}

/* An sq_page_fn: one page of the accounts of a realm after the id *id. */
static int account_page(void *ctx, int64_t *at, int64_t *id, void *recs,
	int want)
{
	const struct account_query *q = ctx;
	struct sq_call call;
	int rc = sq_call_start(q->db, SQ_ACCOUNT_PAGE, "account_list", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, q->realm);
	return sq_page_rows_after(&call, id, want, account_row, recs,
		sizeof(struct polychat_account));
}

/* An sq_emit_fn: hand one account to the caller. */
static int account_emit(void *ctx, const void *rec)
{
	const struct account_query *q = ctx;

	return q->fn(q->arg, rec);
}

/*
 * sq_account_list - see sqlite-records.h. The secret is never selected, so
 * every account comes with secret "". Accounts are read a page at a time
 * and the statement is released before `fn` runs, so `fn` may call any
 * method of the store, account_list and account_delete included; an
 * account created meanwhile is listed if its id is above the page read
 * last (ids only grow here). Bad arguments and ENOMEM fail before `fn`
 * ever runs.
 */
int sq_account_list(void *db, const char *realm, uint64_t after_id,
	unsigned limit, polychat_account_fn *fn, void *arg)
{
	if (!db || !fn || sq_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0)
		return POLYCHAT_EINVAL;
	/* Ids are rowids, never above INT64_MAX: nothing can follow. */
	if (after_id >= (uint64_t)INT64_MAX)
		return 0;

	struct account_query q = { db, realm, fn, arg };
	return sq_page_list_after(db, (int64_t)after_id, limit,
		sizeof(struct polychat_account), ACCOUNT_PAGE, account_page,
		account_emit, &q);
}

/* sq_token_put - see sqlite-records.h; `revoked` is stored as 0 or 1. */
int sq_token_put(void *db, const struct polychat_token *tok)
{
	if (!db || !tok || sq_text_ok(tok->token, POLYCHAT_TOKEN_MAX, 0) != 0
			|| owner_ok(tok->realm, tok->name) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_TOKEN_INSERT, "token_put", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, tok->token);
	sq_bind_text(&call, tok->realm);
	sq_bind_text(&call, tok->name);
	sq_bind_int(&call, tok->issued_at);
	sq_bind_int(&call, tok->expires_at);
	sq_bind_int(&call, tok->revoked != 0);
	return sq_call_end(&call, sq_exec(&call));
}

/*
 * Read the TOKEN_COLUMNS of the current row, starting at column `first`,
 * into `out`, which is written only when the whole row was read.
 */
static int read_token(struct sq_call *call, int first,
	struct polychat_token *out)
{
	struct polychat_token tok;
	int rc;

	memset(&tok, 0, sizeof(tok));
	if ((rc = sq_column_text(call, first, tok.token,
			sizeof(tok.token))) != 0
			|| (rc = sq_column_text(call, first + 1, tok.realm,
				sizeof(tok.realm))) != 0
			|| (rc = sq_column_text(call, first + 2, tok.name,
				sizeof(tok.name))) != 0)
		return rc;
	tok.issued_at = sqlite3_column_int64(call->st, first + 3);
	tok.expires_at = sqlite3_column_int64(call->st, first + 4);
	tok.revoked = sqlite3_column_int(call->st, first + 5) != 0;
	*out = tok;
	return 0;
}

/*
 * sq_token_get - see sqlite-records.h. Revoked and expired tokens are
 * returned as stored: judging them is the caller's business.
 */
int sq_token_get(void *db, const char *token, struct polychat_token *out)
{
	if (!db || !out || sq_text_ok(token, POLYCHAT_TOKEN_MAX, 0) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_TOKEN_GET, "token_get", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, token);
	rc = sq_step_one(&call);
	if (rc == 0)
		rc = read_token(&call, 0, out);
	return sq_call_end(&call, rc);
}

/*
 * Run `stmt`, whose one parameter is the token, as a change that must hit
 * a row: 0, POLYCHAT_ENOTFOUND for an unknown token, or a negative status.
 * `what` names the method in log lines and must be a string literal.
 */
static int token_change(void *db, const char *token, enum sq_stmt_id stmt,
	const char *what)
{
	if (!db || sq_text_ok(token, POLYCHAT_TOKEN_MAX, 0) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, stmt, what, &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, token);
	return sq_call_end(&call, sq_exec_hit(&call));
}

/* sq_token_revoke - see sqlite-records.h; revoking twice succeeds. */
int sq_token_revoke(void *db, const char *token)
{
	return token_change(db, token, SQ_TOKEN_REVOKE, "token_revoke");
}

/*
 * sq_token_delete - see sqlite-records.h: the row is gone, so the token
 * may even be stored again; an unknown token is ENOTFOUND.
 */
int sq_token_delete(void *db, const char *token)
{
	return token_change(db, token, SQ_TOKEN_DELETE, "token_delete");
}

/*
 * sq_token_revoke_user - see sqlite-records.h. *count gets the number of
 * tokens this call revoked (those already revoked are not counted); none is
 * success with a count of 0.
 */
int sq_token_revoke_user(void *db, const char *realm, const char *name,
	uint64_t *count)
{
	if (!db || owner_ok(realm, name) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_TOKEN_REVOKE_USER, "token_revoke_user",
		&call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, realm);
	sq_bind_text(&call, name);
	rc = sq_exec(&call);
	if (rc == 0 && count)
		*count = sq_changes(&call);
	return sq_call_end(&call, rc);
}

/*
 * sq_token_purge - see sqlite-records.h: deletes tokens whose expires_at is
 * strictly before `now`, revoked or not.
 */
int sq_token_purge(void *db, int64_t now, uint64_t *count)
{
	if (!db)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_TOKEN_PURGE, "token_purge", &call);
	if (rc != 0)
		return rc;
	sq_bind_int(&call, now);
	rc = sq_exec(&call);
	if (rc == 0 && count)
		*count = sq_changes(&call);
	return sq_call_end(&call, rc);
}

/* One token_list call: its filter and the caller's callback. */
struct token_query {
	struct sq_db *db;
	const char *realm;
	const char *name;        /* NULL: every token of the realm */
	polychat_token_fn *fn;
	void *arg;
};

/* An sq_row_fn: a token_list row is the id, then the TOKEN_COLUMNS. */
static int token_row(struct sq_call *call, void *rec, int64_t *at)
{
	struct polychat_token *tok = rec;
	int rc = read_token(call, 1, tok);

	if (rc == 0)
		*at = tok->issued_at;
	return rc;
}

/* An sq_page_fn: one page of the tokens of (realm[, name]). */
static int token_page(void *ctx, int64_t *at, int64_t *id, void *recs,
	int want)
{
	const struct token_query *q = ctx;
	struct sq_call call;
	int rc = sq_call_start(q->db, q->name ? SQ_TOKEN_PAGE_OWNER
		: SQ_TOKEN_PAGE_REALM, "token_list", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, q->realm);
	if (q->name)
		sq_bind_text(&call, q->name);
	return sq_page_rows(&call, at, id, want, token_row, recs,
		sizeof(struct polychat_token));
}

/* An sq_emit_fn: hand one token to the caller. */
static int token_emit(void *ctx, const void *rec)
{
	const struct token_query *q = ctx;

	return q->fn(q->arg, rec);
}

/*
 * sq_token_list - see sqlite-records.h. Ties in issued_at are broken by
 * insertion order, newest first; a limit of 0 lists nothing; a callback
 * that returns non-zero ends the listing with status 0. Tokens are read a
 * page at a time and the statement is released before `fn` runs, so `fn`
 * may call any method of the store, token_list and token_delete included.
 * Bad arguments and ENOMEM fail before `fn` ever runs; an error reading a
 * later page fails after the tokens of the earlier pages were handed out.
 */
int sq_token_list(void *db, const char *realm, const char *name,
	unsigned limit, polychat_token_fn *fn, void *arg)
{
	if (!db || !fn || sq_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| (name && sq_text_ok(name, POLYCHAT_NAME_MAX, 0)))
		return POLYCHAT_EINVAL;

	struct token_query q = { db, realm, name, fn, arg };
	return sq_page_list(db, limit, sizeof(struct polychat_token),
		TOKEN_PAGE, token_page, token_emit, &q);
}

/* sq_challenge_put - see sqlite-records.h; the secret may be empty. */
int sq_challenge_put(void *db, const struct polychat_challenge *ch)
{
	if (!db || !ch || owner_ok(ch->realm, ch->subject) != 0
			|| sq_text_ok(ch->secret, POLYCHAT_SECRET_MAX, 1) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_CHALLENGE_PUT, "challenge_put", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, ch->realm);
	sq_bind_text(&call, ch->subject);
	sq_bind_text(&call, ch->secret);
	sq_bind_int(&call, ch->attempts);
	sq_bind_int(&call, ch->created_at);
	sq_bind_int(&call, ch->expires_at);
	return sq_call_end(&call, sq_exec(&call));
}

/* sq_challenge_get - see sqlite-records.h; expired ones are returned too. */
int sq_challenge_get(void *db, const char *realm, const char *subject,
	struct polychat_challenge *out)
{
	if (!db || !out || owner_ok(realm, subject) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_CHALLENGE_GET, "challenge_get", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, realm);
	sq_bind_text(&call, subject);
	rc = sq_step_one(&call);

	struct polychat_challenge ch;
	memset(&ch, 0, sizeof(ch));
	if (rc == 0)
		rc = sq_column_text(&call, 0, ch.realm, sizeof(ch.realm));
	if (rc == 0)
		rc = sq_column_text(&call, 1, ch.subject, sizeof(ch.subject));
	if (rc == 0)
		rc = sq_column_text(&call, 2, ch.secret, sizeof(ch.secret));
	if (rc == 0) {
		ch.attempts = (uint32_t)sqlite3_column_int64(call.st, 3);
		ch.created_at = sqlite3_column_int64(call.st, 4);
		ch.expires_at = sqlite3_column_int64(call.st, 5);
		*out = ch;
	}
	/* The secret may be a plain one-time code: leave no stack copy. */
	call.db->host->wipe(&ch, sizeof(ch));
	return sq_call_end(&call, rc);
}

/* sq_challenge_delete - see sqlite-records.h. */
int sq_challenge_delete(void *db, const char *realm, const char *subject)
{
	return owner_change(db, realm, subject, SQ_CHALLENGE_DELETE,
		"challenge_delete");
}
