/* SPDX-License-Identifier: MIT */
/* The identifiers of every SQL statement the record methods run. */
#ifndef MD_SQL_H
#define MD_SQL_H

/*
 * One identifier per statement; each connection prepares a statement the
 * first time it is needed and keeps it until the connection closes or is
 * dropped. Values are always bound as parameters (the `?` are numbered
 * left to right), so no SQL is ever built from data.
 */
enum md_stmt_id {
	MD_ACCOUNT_INSERT,
	MD_ACCOUNT_GET,
	MD_ACCOUNT_GET_FOLD,
	MD_ACCOUNT_GET_ID,
	MD_ACCOUNT_UPDATE,
	MD_ACCOUNT_DELETE,
	MD_ACCOUNT_PAGE,

	MD_TOKEN_INSERT,
	MD_TOKEN_GET,
	MD_TOKEN_REVOKE,
	MD_TOKEN_DELETE,
	MD_TOKEN_REVOKE_USER,
	MD_TOKEN_PURGE,
	MD_TOKEN_PAGE_OWNER,
	MD_TOKEN_PAGE_REALM,

	MD_KEY_INSERT,
	MD_KEY_REPLACE,
	MD_KEY_GET,
	MD_KEY_DELETE,

	MD_QUEUE_INSERT,
	MD_QUEUE_PEEK,
	MD_QUEUE_PEEK_FROM,
	MD_QUEUE_DELETE,
	MD_QUEUE_COUNT,

	MD_CHALLENGE_PUT,
	MD_CHALLENGE_GET,
	MD_CHALLENGE_DELETE,

	MD_AUDIT_INSERT,
	MD_AUDIT_PAGE,

	MD_STMT_COUNT
};

/* The SQL text of a statement; never NULL for an id below MD_STMT_COUNT. */
const char *md_sql_text(enum md_stmt_id id);

#endif /* MD_SQL_H */
