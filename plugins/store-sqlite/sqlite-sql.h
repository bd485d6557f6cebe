/* SPDX-License-Identifier: MIT */
/* The identifiers of every SQL statement the record methods run. */
#ifndef SQ_SQL_H
#define SQ_SQL_H

/*
 * One identifier per statement; each connection prepares a statement the
 * first time it is needed and keeps it until the connection closes. Values
 * are always bound as parameters (the `?` are numbered left to right), so
 * no SQL is ever built from data.
 */
enum sq_stmt_id {
	SQ_ACCOUNT_INSERT,
	SQ_ACCOUNT_GET,
	SQ_ACCOUNT_GET_FOLD,
	SQ_ACCOUNT_GET_ID,
	SQ_ACCOUNT_UPDATE,
	SQ_ACCOUNT_DELETE,
	SQ_ACCOUNT_PAGE,

	SQ_TOKEN_INSERT,
	SQ_TOKEN_GET,
	SQ_TOKEN_REVOKE,
	SQ_TOKEN_DELETE,
	SQ_TOKEN_REVOKE_USER,
	SQ_TOKEN_PURGE,
	SQ_TOKEN_PAGE_OWNER,
	SQ_TOKEN_PAGE_REALM,

	SQ_KEY_INSERT,
	SQ_KEY_REPLACE,
	SQ_KEY_GET,
	SQ_KEY_DELETE,

	SQ_QUEUE_INSERT,
	SQ_QUEUE_PEEK,
	SQ_QUEUE_PEEK_FROM,
	SQ_QUEUE_DELETE,
	SQ_QUEUE_COUNT,

	SQ_CHALLENGE_PUT,
	SQ_CHALLENGE_GET,
	SQ_CHALLENGE_DELETE,

	SQ_AUDIT_INSERT,
	SQ_AUDIT_PAGE,

	SQ_STMT_COUNT
};

/* The SQL text of a statement; never NULL for an id below SQ_STMT_COUNT. */
const char *sq_sql_text(enum sq_stmt_id id);

#endif /* SQ_SQL_H */
