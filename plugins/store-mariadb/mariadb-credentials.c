/* SPDX-License-Identifier: MIT */
/* Accounts, tokens and one-time challenges in the MariaDB store. */
#include <stdint.h>
#include <string.h>

#include <polychat/status.h>

#include "mariadb-conn.h"
#include "mariadb-page.h"
#include "mariadb-records.h"

/*
 * Common rules of the methods here, as in store-sqlite: every string is
 * checked against its bound before any SQL runs (POLYCHAT_EINVAL), realms,
 * names, tokens and subjects must not be empty, secrets may be. Rows are
 * read into a local copy and handed out only once complete, so an
 * out-parameter is never half written. Each change is one statement in
 * autocommit mode: committed (or rolled back whole) when the server
 * answers, so 0 is returned only for a durable change. A statement whose
 * answer was lost with the connection fails with POLYCHAT_EUNAVAIL; its
 * change may or may not have been committed.
 */

#define ACCOUNT_FIELDS (POLYCHAT_ACCOUNT_SET_SECRET | \
	POLYCHAT_ACCOUNT_SET_FLAGS | POLYCHAT_ACCOUNT_SET_LAST_SEEN)

/* How many accounts one page of account_list holds; see md_account_list. */
#define ACCOUNT_PAGE 32

/* How many tokens one page of token_list holds; see md_token_list. */
#define TOKEN_PAGE 32

static int owner_ok(const char *realm, const char *name)
{
	if (md_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| md_text_ok(name, POLYCHAT_NAME_MAX, 0) != 0)
		return POLYCHAT_EINVAL;
	return 0;
}

/*
 * The key POLYCHAT_LOOKUP_FOLD compares: ASCII letters lowered, trailing
 * spaces dropped, as MariaDB's default (case-insensitive, PAD SPACE)
 * collation compares ASCII. Computed here rather than left to a collation,
 * so that the answer is store-sqlite's to the byte whatever the server's,
 * the database's or the connection's collation is: bytes above 0x7f are
 * kept (no accent or Unicode case folding), every other byte is exact.
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

/* Declare the ACCOUNT_COLUMNS of a row into `acct` (its flags into
 * *flags, as the column is wider than the field). */
static void account_cols(struct md_call *call, struct polychat_account *acct,
	uint64_t *flags)
{
	md_col_uint(call, &acct->id);
	md_col_text(call, acct->realm, sizeof(acct->realm));
	md_col_text(call, acct->name, sizeof(acct->name));
	md_col_text(call, acct->secret, sizeof(acct->secret));
	md_col_uint(call, flags);
	md_col_int(call, &acct->created_at);
	md_col_int(call, &acct->last_seen);
}

/* Run a lookup of at most one account and hand it to *out. The local
 * copy, which holds the secret, is wiped. */
static int read_account(struct md_call *call, struct polychat_account *out)
{
	struct polychat_account acct;
	uint64_t flags = 0;

	memset(&acct, 0, sizeof(acct));
	int rc = md_execute(call);
	if (rc == 0) {
		account_cols(call, &acct, &flags);
		rc = md_fetch_one(call);
	}
	if (rc == 0) {
		acct.flags = (uint32_t)flags;
		*out = acct;
	}
	call->db->host->wipe(&acct, sizeof(acct));
	return rc;
}

/*
 * md_account_put - see mariadb-records.h; a taken (realm, name) is EEXIST.
 * acct->id is not read. The id is the row's AUTO_INCREMENT key, so it is
 * never 0 and never one that an account, even a deleted one, had before.
 */
int md_account_put(void *db, const struct polychat_account *acct,
	uint64_t *id)
{
	if (!db || !acct || owner_ok(acct->realm, acct->name) != 0
			|| md_text_ok(acct->secret, POLYCHAT_SECRET_MAX, 1))
		return POLYCHAT_EINVAL;

	char fold[POLYCHAT_NAME_MAX + 1];
	fold_name(acct->name, fold);

	struct md_call call;
	int rc = md_call_start(db, MD_ACCOUNT_INSERT, "account_put", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, acct->realm);
	md_bind_text(&call, acct->name);
	md_bind_text(&call, fold);
	md_bind_text(&call, acct->secret);
	md_bind_uint(&call, acct->flags);
	md_bind_int(&call, acct->created_at);
	md_bind_int(&call, acct->last_seen);
	rc = md_exec(&call);
	/* The id of this statement on this thread's own connection: another
	 * worker's insert in between cannot change it. */
	if (rc == 0 && id)
		*id = md_insert_id(&call);
	return md_call_end(&call, rc);
}

/*
 * md_account_get - see mariadb-records.h. With POLYCHAT_LOOKUP_FOLD and
 * several stored spellings that fold alike, the exact spelling wins, else
 * the first in byte order. Unknown flag bits are POLYCHAT_EINVAL.
 */
int md_account_get(void *db, const char *realm, const char *name,
	unsigned flags, struct polychat_account *out)
{
	if (!db || !out || owner_ok(realm, name) != 0
			|| (flags & ~POLYCHAT_LOOKUP_FOLD) != 0)
		return POLYCHAT_EINVAL;

	int fold = (flags & POLYCHAT_LOOKUP_FOLD) != 0;
	char folded[POLYCHAT_NAME_MAX + 1];
	struct md_call call;
	int rc = md_call_start(db, fold ? MD_ACCOUNT_GET_FOLD : MD_ACCOUNT_GET,
		"account_get", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, realm);
	if (fold) {
		fold_name(name, folded);
		md_bind_text(&call, folded);
	}
	md_bind_text(&call, name);
	return md_call_end(&call, read_account(&call, out));
}

/*
 * md_account_get_id - see mariadb-records.h. An id of another realm is
 * ENOTFOUND, as is 0, which AUTO_INCREMENT never assigns.
 */
int md_account_get_id(void *db, const char *realm, uint64_t id,
	struct polychat_account *out)
{
	if (!db || !out || md_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0)
		return POLYCHAT_EINVAL;
	if (id == 0)
		return POLYCHAT_ENOTFOUND;

	struct md_call call;
	int rc = md_call_start(db, MD_ACCOUNT_GET_ID, "account_get_id", &call);
	if (rc != 0)
		return rc;
	md_bind_uint(&call, id);
	md_bind_text(&call, realm);
	return md_call_end(&call, read_account(&call, out));
}

/*
 * md_account_update - see mariadb-records.h. `fields` must name at least
 * one field and no unknown one (else POLYCHAT_EINVAL); only the named
 * fields of `acct` are read besides realm and name.
 */
int md_account_update(void *db, const struct polychat_account *acct,
	unsigned fields)
{
	if (!db || !acct || owner_ok(acct->realm, acct->name) != 0
			|| fields == 0 || (fields & ~ACCOUNT_FIELDS) != 0)
		return POLYCHAT_EINVAL;
	int set_secret = (fields & POLYCHAT_ACCOUNT_SET_SECRET) != 0;
	if (set_secret && md_text_ok(acct->secret, POLYCHAT_SECRET_MAX, 1) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_ACCOUNT_UPDATE, "account_update", &call);
	if (rc != 0)
		return rc;
	md_bind_int(&call, set_secret);
	/* An unused secret is not bound at all: it may be uninitialised. */
	if (set_secret)
		md_bind_text(&call, acct->secret);
	else
		md_bind_null(&call);
	md_bind_int(&call, (fields & POLYCHAT_ACCOUNT_SET_FLAGS) != 0);
	md_bind_uint(&call, acct->flags);
	md_bind_int(&call, (fields & POLYCHAT_ACCOUNT_SET_LAST_SEEN) != 0);
	md_bind_int(&call, acct->last_seen);
	md_bind_text(&call, acct->realm);
	md_bind_text(&call, acct->name);
	/* Matched rows, not changed ones (CLIENT_FOUND_ROWS): setting a value
	 * it already has still finds the account. */
	return md_call_end(&call, md_exec_hit(&call));
}

/*
 * Run `stmt`, whose parameters are (realm, name), as a change that must hit
 * a row: 0, POLYCHAT_ENOTFOUND when none matched, or a negative status.
 * `what` names the method in log lines and must be a string literal.
 */
static int owner_change(void *db, const char *realm, const char *name,
	enum md_stmt_id stmt, const char *what)
{
	if (!db || owner_ok(realm, name) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, stmt, what, &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, realm);
	md_bind_text(&call, name);
	return md_call_end(&call, md_exec_hit(&call));
}

/* md_account_delete - see mariadb-records.h. */
int md_account_delete(void *db, const char *realm, const char *name)
{
	return owner_change(db, realm, name, MD_ACCOUNT_DELETE,
		"account_delete");
}

/* One account_list call: its realm and the caller's callback. */
struct account_query {
	struct md_db *db;
	const char *realm;
	polychat_account_fn *fn;
	void *arg;
};

/* An md_row_fn: an account_list row is the ACCOUNT_COLUMNS with an empty
 * secret; the cursor is the id alone. */
static int account_row(struct md_call *call, void *rec, int64_t *at,
	uint64_t *id)
{
	struct polychat_account *acct = rec;
	uint64_t flags = 0;

	memset(acct, 0, sizeof(*acct));
	md_cols_reset(call);
	account_cols(call, acct, &flags);
	int rc = md_fetch(call);
	if (rc > 0) {
		acct->flags = (uint32_t)flags;
		*id = acct->id;
	}
	return rc;
}

/* An md_page_fn: one page of the accounts of a realm after the id *id. */
static int account_page(void *ctx, int64_t *at, uint64_t *id, void *recs,
	int want)
{
	const struct account_query *q = ctx;
	struct md_call call;
	int rc = md_call_start(q->db, MD_ACCOUNT_PAGE, "account_list", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, q->realm);
	return md_page_rows_after(&call, id, want, account_row, recs,
		sizeof(struct polychat_account));
}

/* An md_emit_fn: hand one account to the caller. */
static int account_emit(void *ctx, const void *rec)
{
	const struct account_query *q = ctx;

	return q->fn(q->arg, rec);
}

/*
 * md_account_list - see mariadb-records.h. The secret is never selected,
 * so every account comes with secret "". Accounts are read a page at a
 * time and the statement is released before `fn` runs, so `fn` may call
 * any method of the store, account_list and account_delete included; an
 * account created meanwhile is listed if its id is above the page read
 * last. Bad arguments and ENOMEM fail before `fn` ever runs.
 */
int md_account_list(void *db, const char *realm, uint64_t after_id,
	unsigned limit, polychat_account_fn *fn, void *arg)
{
	if (!db || !fn || md_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0)
		return POLYCHAT_EINVAL;

	struct account_query q = { db, realm, fn, arg };
	return md_page_list_after(db, after_id, limit,
		sizeof(struct polychat_account), ACCOUNT_PAGE, account_page,
		account_emit, &q);
}

/* md_token_put - see mariadb-records.h; `revoked` is stored as 0 or 1. */
int md_token_put(void *db, const struct polychat_token *tok)
{
	if (!db || !tok || md_text_ok(tok->token, POLYCHAT_TOKEN_MAX, 0) != 0
			|| owner_ok(tok->realm, tok->name) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_TOKEN_INSERT, "token_put", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, tok->token);
	md_bind_text(&call, tok->realm);
	md_bind_text(&call, tok->name);
	md_bind_int(&call, tok->issued_at);
	md_bind_int(&call, tok->expires_at);
	md_bind_int(&call, tok->revoked != 0);
	return md_call_end(&call, md_exec(&call));
}

/* Declare the TOKEN_COLUMNS of a row into `tok` (its revoked flag into
 * *revoked). */
static void token_cols(struct md_call *call, struct polychat_token *tok,
	int64_t *revoked)
{
	md_col_text(call, tok->token, sizeof(tok->token));
	md_col_text(call, tok->realm, sizeof(tok->realm));
	md_col_text(call, tok->name, sizeof(tok->name));
	md_col_int(call, &tok->issued_at);
	md_col_int(call, &tok->expires_at);
	md_col_int(call, revoked);
}

/*
 * md_token_get - see mariadb-records.h. Revoked and expired tokens are
 * returned as stored: judging them is the caller's business.
 */
int md_token_get(void *db, const char *token, struct polychat_token *out)
{
	if (!db || !out || md_text_ok(token, POLYCHAT_TOKEN_MAX, 0) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_TOKEN_GET, "token_get", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, token);
	rc = md_execute(&call);

	struct polychat_token tok;
	int64_t revoked = 0;
	memset(&tok, 0, sizeof(tok));
	if (rc == 0) {
		token_cols(&call, &tok, &revoked);
		rc = md_fetch_one(&call);
	}
	if (rc == 0) {
		tok.revoked = revoked != 0;
		*out = tok;
	}
	/* A token is a bearer credential: leave no stack copy. */
	call.db->host->wipe(&tok, sizeof(tok));
	return md_call_end(&call, rc);
}

/*
 * Run `stmt`, whose one parameter is the token, as a change that must hit
 * a row: 0, POLYCHAT_ENOTFOUND for an unknown token, or a negative status.
 * `what` names the method in log lines and must be a string literal.
 */
static int token_change(void *db, const char *token, enum md_stmt_id stmt,
	const char *what)
{
	if (!db || md_text_ok(token, POLYCHAT_TOKEN_MAX, 0) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, stmt, what, &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, token);
	return md_call_end(&call, md_exec_hit(&call));
}

/* md_token_revoke - see mariadb-records.h; revoking twice succeeds (the
 * row is matched even when it is revoked already). */
int md_token_revoke(void *db, const char *token)
{
	return token_change(db, token, MD_TOKEN_REVOKE, "token_revoke");
}

/*
 * md_token_delete - see mariadb-records.h: the row is gone, so the token
 * may even be stored again; an unknown token is ENOTFOUND.
 */
int md_token_delete(void *db, const char *token)
{
	return token_change(db, token, MD_TOKEN_DELETE, "token_delete");
}

/*
 * md_token_revoke_user - see mariadb-records.h. *count gets the number of
 * tokens this call revoked (those already revoked are not matched); none
 * is success with a count of 0.
 */
int md_token_revoke_user(void *db, const char *realm, const char *name,
	uint64_t *count)
{
	if (!db || owner_ok(realm, name) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_TOKEN_REVOKE_USER, "token_revoke_user",
		&call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, realm);
	md_bind_text(&call, name);
	rc = md_exec(&call);
	if (rc == 0 && count)
		*count = md_affected(&call);
	return md_call_end(&call, rc);
}

/*
 * md_token_purge - see mariadb-records.h: deletes tokens whose expires_at
 * is strictly before `now`, revoked or not.
 */
int md_token_purge(void *db, int64_t now, uint64_t *count)
{
	if (!db)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_TOKEN_PURGE, "token_purge", &call);
	if (rc != 0)
		return rc;
	md_bind_int(&call, now);
	rc = md_exec(&call);
	if (rc == 0 && count)
		*count = md_affected(&call);
	return md_call_end(&call, rc);
}

/* One token_list call: its filter and the caller's callback. */
struct token_query {
	struct md_db *db;
	const char *realm;
	const char *name;        /* NULL: every token of the realm */
	polychat_token_fn *fn;
	void *arg;
};

/* An md_row_fn: a token_list row is the id, then the TOKEN_COLUMNS. */
static int token_row(struct md_call *call, void *rec, int64_t *at,
	uint64_t *id)
{
	struct polychat_token *tok = rec;
	uint64_t row_id = 0;
	int64_t revoked = 0;

	memset(tok, 0, sizeof(*tok));
	md_cols_reset(call);
	md_col_uint(call, &row_id);
	token_cols(call, tok, &revoked);
	int rc = md_fetch(call);
	if (rc > 0) {
		tok->revoked = revoked != 0;
		*at = tok->issued_at;
		*id = row_id;
	}
	return rc;
}

/* An md_page_fn: one page of the tokens of (realm[, name]). */
static int token_page(void *ctx, int64_t *at, uint64_t *id, void *recs,
	int want)
{
	const struct token_query *q = ctx;
	struct md_call call;
	int rc = md_call_start(q->db, q->name ? MD_TOKEN_PAGE_OWNER
		: MD_TOKEN_PAGE_REALM, "token_list", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, q->realm);
	if (q->name)
		md_bind_text(&call, q->name);
	return md_page_rows(&call, at, id, want, token_row, recs,
		sizeof(struct polychat_token));
}

/* An md_emit_fn: hand one token to the caller. */
static int token_emit(void *ctx, const void *rec)
{
	const struct token_query *q = ctx;

	return q->fn(q->arg, rec);
}

/*
 * md_token_list - see mariadb-records.h. Ties in issued_at are broken by
 * insertion order, newest first; a limit of 0 lists nothing; a callback
 * that returns non-zero ends the listing with status 0. Tokens are read a
 * page at a time and the statement is released before `fn` runs, so `fn`
 * may call any method of the store, token_list and token_delete included.
 * Bad arguments and ENOMEM fail before `fn` ever runs; an error reading a
 * later page fails after the tokens of the earlier pages were handed out.
 */
int md_token_list(void *db, const char *realm, const char *name,
	unsigned limit, polychat_token_fn *fn, void *arg)
{
	if (!db || !fn || md_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| (name && md_text_ok(name, POLYCHAT_NAME_MAX, 0)))
		return POLYCHAT_EINVAL;

	struct token_query q = { db, realm, name, fn, arg };
	return md_page_list(db, limit, sizeof(struct polychat_token),
		TOKEN_PAGE, token_page, token_emit, &q);
}

/* md_challenge_put - see mariadb-records.h; the secret may be empty. */
int md_challenge_put(void *db, const struct polychat_challenge *ch)
{
	if (!db || !ch || owner_ok(ch->realm, ch->subject) != 0
			|| md_text_ok(ch->secret, POLYCHAT_SECRET_MAX, 1) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_CHALLENGE_PUT, "challenge_put", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, ch->realm);
	md_bind_text(&call, ch->subject);
	md_bind_text(&call, ch->secret);
	md_bind_uint(&call, ch->attempts);
	md_bind_int(&call, ch->created_at);
	md_bind_int(&call, ch->expires_at);
	return md_call_end(&call, md_exec(&call));
}

/* md_challenge_get - see mariadb-records.h; expired ones are returned
 * too. */
int md_challenge_get(void *db, const char *realm, const char *subject,
	struct polychat_challenge *out)
{
	if (!db || !out || owner_ok(realm, subject) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_CHALLENGE_GET, "challenge_get", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, realm);
	md_bind_text(&call, subject);
	rc = md_execute(&call);

	struct polychat_challenge ch;
	uint64_t attempts = 0;
	memset(&ch, 0, sizeof(ch));
	if (rc == 0) {
		md_col_text(&call, ch.realm, sizeof(ch.realm));
		md_col_text(&call, ch.subject, sizeof(ch.subject));
		md_col_text(&call, ch.secret, sizeof(ch.secret));
		md_col_uint(&call, &attempts);
		md_col_int(&call, &ch.created_at);
		md_col_int(&call, &ch.expires_at);
		rc = md_fetch_one(&call);
	}
	if (rc == 0) {
		ch.attempts = (uint32_t)attempts;
		*out = ch;
	}
	/* The secret may be a plain one-time code: leave no stack copy. */
	call.db->host->wipe(&ch, sizeof(ch));
	return md_call_end(&call, rc);
}

/* md_challenge_delete - see mariadb-records.h. */
int md_challenge_delete(void *db, const char *realm, const char *subject)
{
	return owner_change(db, realm, subject, MD_CHALLENGE_DELETE,
		"challenge_delete");
}
