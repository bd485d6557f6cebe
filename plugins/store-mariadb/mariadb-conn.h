/* SPDX-License-Identifier: MIT */
/* A store instance: per-thread MariaDB connections, reconnects, statements, errors. */
#ifndef MD_CONN_H
#define MD_CONN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <mysql.h>

#include <polychat/host.h>

#include "mariadb-options.h"
#include "mariadb-sql.h"

/* The most parameters and result columns any statement has. */
#define MD_MAX_PARAMS 10
#define MD_MAX_COLUMNS 8

/* Longest "database D on ... as user U" description, NUL included. */
#define MD_WHERE_MAX (MD_DATABASE_MAX + MD_HOST_MAX + MD_USER_MAX + 64)

/* One connection slot of one thread. `handle` is NULL while the thread is
 * disconnected: never connected yet, or dropped after a fault. */
struct md_conn {
	struct md_conn *next;
	struct md_conn *prev;
	struct md_db *db;
	MYSQL *handle;
	MYSQL_STMT *stmts[MD_STMT_COUNT]; /* prepared on first use */
	unsigned long max_packet;  /* the server's max_allowed_packet */
	int broken;                /* a fault was seen: drop at call end */
};

/* One open store: the `void *db` the store methods receive. */
struct md_db {
	const struct polychat_host *host; /* borrowed; outlives the instance */
	struct md_config cfg;
	char password[MD_PASSWORD_MAX + 1]; /* wiped before it is freed */
	char where[MD_WHERE_MAX];  /* for log lines; never the password */
	pthread_key_t key;         /* this thread's struct md_conn */
	pthread_mutex_t lock;      /* guards `conns` and the retry state */
	struct md_conn *conns;     /* every slot, of any thread */
	int64_t retry_at_ms;       /* monotonic: no connect attempt before */
	unsigned retry_delay_ms;   /* the wait after the next failed attempt */
	int down;                  /* the last attempt failed */
};

/*
 * md_db_open - connect to the server `cfg` names with `password` (copied;
 * the caller wipes its own copy) and make that the calling thread's
 * connection. Logs every failure naming the server, never the password.
 * Returns 0 and sets *out, or POLYCHAT_ENOMEM, POLYCHAT_EUNAVAIL (server
 * unreachable, out of connections, TLS required but refused), POLYCHAT_EIO
 * (refused: wrong password, missing database or grants).
 */
int md_db_open(const struct polychat_host *host, const struct md_config *cfg,
	const char *password, struct md_db **out);

/*
 * md_db_close - close every statement and connection of every thread,
 * wipe the password and free the instance. Accepts NULL. No other thread
 * may be inside a method of the instance, nor exiting after using it.
 */
void md_db_close(struct md_db *db);

/*
 * md_db_handle - the calling thread's connection, connected first if
 * needed, for work outside the statement cache (migrations). Returns 0
 * and sets *out, or a negative status (logged).
 */
int md_db_handle(struct md_db *db, MYSQL **out);

/*
 * md_query_status - map error `err` (message `msg`) of a statement run on
 * `handle` outside the cache (migrations), log it with `what`, and drop
 * the thread's connection if the error leaves it unusable. Returns the
 * status (POLYCHAT_EUNAVAIL, POLYCHAT_EIO, ...).
 */
int md_query_status(struct md_db *db, MYSQL *handle, unsigned err,
	const char *msg, const char *what);

/*
 * A prepared statement in use by one method call. Parameters are bound in
 * order, then result columns are declared in order, then rows fetched.
 * Bound text and buffers are borrowed until md_call_end.
 */
struct md_call {
	struct md_db *db;
	struct md_conn *conn;
	MYSQL_STMT *st;
	const char *what;        /* the method, for log lines */
	int n_params;
	int overflow;            /* more parameters or columns than fit */
	MYSQL_BIND params[MD_MAX_PARAMS];
	unsigned long param_len[MD_MAX_PARAMS];
	int64_t param_int[MD_MAX_PARAMS];
	int n_cols;
	MYSQL_BIND cols[MD_MAX_COLUMNS];
	unsigned long col_len[MD_MAX_COLUMNS];
	my_bool col_null[MD_MAX_COLUMNS];
	my_bool col_error[MD_MAX_COLUMNS];
	size_t col_cap[MD_MAX_COLUMNS];    /* text: buffer size, NUL included */
	uint8_t **col_blob[MD_MAX_COLUMNS]; /* blob: where the copy goes */
	size_t *col_blob_len[MD_MAX_COLUMNS];
};

/*
 * md_call_start - take the calling thread's connection (connecting it on
 * the thread's first call, after a fault, or when the server closed it
 * meanwhile; not before the reconnect wait of a failed attempt has
 * passed) and its cached statement `id`. `what` names the method in log
 * lines and must be a string literal. Returns 0, or a negative status
 * (logged; POLYCHAT_EUNAVAIL while the server cannot be reached); then
 * `call` needs no md_call_end.
 */
int md_call_start(struct md_db *db, enum md_stmt_id id, const char *what,
	struct md_call *call);

/* Bind the next parameter: a NUL-terminated byte string, bytes, an
 * integer, an unsigned integer, SQL NULL. */
void md_bind_text(struct md_call *call, const char *text);
void md_bind_bytes(struct md_call *call, const uint8_t *data, size_t len);
void md_bind_int(struct md_call *call, int64_t value);
void md_bind_uint(struct md_call *call, uint64_t value);
void md_bind_null(struct md_call *call);

/*
 * md_execute - run the statement with the parameters bound, reading its
 * whole result (if it has one) into client memory, so that the statement
 * and the connection are free again before any row is handed out.
 * Returns 0 or a negative status, logged when it is a fault rather than
 * an outcome (a duplicate key is POLYCHAT_EEXIST without a log line).
 */
int md_execute(struct md_call *call);

/* md_exec - md_execute for a statement that returns no rows. */
int md_exec(struct md_call *call);

/* md_exec_hit - md_exec for a change that must hit a row: 0, or
 * POLYCHAT_ENOTFOUND when no row matched, or a negative status. */
int md_exec_hit(struct md_call *call);

/* Rows matched by the last UPDATE or DELETE, rows of the last INSERT. */
uint64_t md_affected(const struct md_call *call);
/* AUTO_INCREMENT id of the last INSERT of this call. */
uint64_t md_insert_id(const struct md_call *call);

/*
 * Declare the next result column (after md_execute, before md_fetch; a
 * listing may declare them again before each row to fetch into another
 * record). Text goes to `dst` of `cap` bytes, NUL-terminated; a blob to
 * memory from host->alloc (at least 1 byte, so an empty one is a valid
 * pointer) set in *data with its length in *len; integers to *out.
 */
void md_col_text(struct md_call *call, char *dst, size_t cap);
void md_col_blob(struct md_call *call, uint8_t **data, size_t *len);
void md_col_int(struct md_call *call, int64_t *out);
void md_col_uint(struct md_call *call, uint64_t *out);
/* Forget the declared columns, to declare those of the next row. */
void md_cols_reset(struct md_call *call);

/*
 * md_fetch - the next row into the declared columns. Returns 1 (a row),
 * 0 (no more rows) or a negative status: POLYCHAT_EIO (logged) when a
 * text does not fit its buffer (the table holds what this plugin never
 * writes), POLYCHAT_ENOMEM for a blob. On failure no blob is left
 * allocated.
 */
int md_fetch(struct md_call *call);

/* md_fetch_one - md_fetch for a lookup of at most one row: 0 (a row),
 * POLYCHAT_ENOTFOUND (none) or a negative status. */
int md_fetch_one(struct md_call *call);

/*
 * md_call_end - release the statement's result so the cache can reuse it
 * (or drop the connection if the call met a fault that left it unusable);
 * returns `status` unchanged so that callers can
 * `return md_call_end(&call, rc)`.
 */
int md_call_end(struct md_call *call, int status);

/*
 * md_max_value - the longest blob one statement may carry on the calling
 * thread's connection, from the server's max_allowed_packet; a longer one
 * is POLYCHAT_ETOOBIG before anything is sent.
 */
size_t md_max_value(const struct md_call *call);

/*
 * md_text_ok - whether `s` is a string of at most `max` bytes before its
 * NUL, looking at no more than max + 1 bytes (so a full, unterminated
 * fixed array is refused), and not empty unless `may_be_empty`. Returns 0
 * or POLYCHAT_EINVAL (also for NULL).
 */
int md_text_ok(const char *s, size_t max, int may_be_empty);

#endif /* MD_CONN_H */
