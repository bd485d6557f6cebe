/* SPDX-License-Identifier: MIT */
/* A store instance: per-thread SQLite connections, statement cache, errors. */
#ifndef SQ_CONN_H
#define SQ_CONN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <polychat/host.h>

#include "sqlite-sql.h"

/* How the plugin names itself in log lines. */
#define SQ_WHO "store-sqlite"

/* Longest resolved database path, including the NUL. */
#define SQ_PATH_MAX 4096

/* The settings of an instance, read from its option block. */
struct sq_config {
	char path[SQ_PATH_MAX];  /* resolved against the state directory */
	int synchronous_full;    /* 1: PRAGMA synchronous=FULL, 0: NORMAL */
	int busy_timeout_ms;     /* how long a locked database is waited for */
};

/* One SQLite connection, used by exactly one thread. */
struct sq_conn {
	struct sq_conn *next;
	struct sq_conn *prev;
	struct sq_db *db;
	sqlite3 *handle;
	sqlite3_stmt *stmts[SQ_STMT_COUNT]; /* prepared on first use */
};

/* One open store: the `void *db` the store methods receive. */
struct sq_db {
	const struct polychat_host *host; /* borrowed; outlives the instance */
	struct sq_config cfg;
	pthread_key_t key;        /* this thread's struct sq_conn */
	pthread_mutex_t lock;     /* guards `conns` */
	struct sq_conn *conns;    /* every open connection, of any thread */
};

/*
 * sq_db_open - open the database file named in `cfg` (creating the file,
 * never its directory), switch it to WAL and bring its schema up to date.
 * The connection it opens becomes the calling thread's. Logs every failure
 * naming the path. Returns 0 and sets *out, or POLYCHAT_ENOMEM,
 * POLYCHAT_EIO (cannot open or not a database), POLYCHAT_ENOTSUP (schema
 * newer than this plugin), POLYCHAT_EUNAVAIL (locked).
 */
int sq_db_open(const struct polychat_host *host, const struct sq_config *cfg,
	struct sq_db **out);

/*
 * sq_db_close - finalize every statement and close every connection of
 * every thread, then free the instance. Accepts NULL. No other thread may
 * be inside a method of the instance, nor exiting after using it.
 */
void sq_db_close(struct sq_db *db);

/*
 * sq_db_checkpoint - copy the write-ahead log into the database file and
 * truncate it. Returns 0 or a status mapped as by sq_status.
 */
int sq_db_checkpoint(struct sq_db *db);

/*
 * sq_db_handle - the calling thread's SQLite handle (opened on the thread's
 * first call), for work outside the statement cache such as migrations.
 * Returns 0 and sets *out, or a negative status (logged).
 */
int sq_db_handle(struct sq_db *db, sqlite3 **out);

/*
 * sq_run_sql - prepare, step once and finalize the constant statement
 * `sql` on `handle`, outside the statement cache (pragmas, migrations,
 * transaction control). If `result` is not NULL and a row came back, its
 * first column is copied into it (`cap` bytes with the NUL). Returns
 * SQLITE_OK (also when rows were left unread) or the SQLite error code,
 * neither mapped nor logged.
 */
int sq_run_sql(sqlite3 *handle, const char *sql, char *result, size_t cap);

/*
 * A prepared statement in use by one method call. Parameters are bound in
 * order; the first binding error is kept and reported by sq_step.
 */
struct sq_call {
	struct sq_db *db;
	struct sq_conn *conn;
	sqlite3_stmt *st;
	const char *what;  /* the method, for log lines */
	int bind_rc;       /* first SQLite error while binding, or SQLITE_OK */
	int next_param;    /* index of the next `?` */
};

/*
 * sq_call_start - take the calling thread's connection (opening it on the
 * thread's first call) and its cached statement `id`. `what` names the
 * method in log lines and must be a string literal. Returns 0, or a
 * negative status (logged); then `call` needs no sq_call_end.
 */
int sq_call_start(struct sq_db *db, enum sq_stmt_id id, const char *what,
	struct sq_call *call);

/* Bind the next parameter. Text and blobs are borrowed until sq_call_end. */
void sq_bind_text(struct sq_call *call, const char *text);
void sq_bind_int(struct sq_call *call, int64_t value);
void sq_bind_blob(struct sq_call *call, const uint8_t *data, size_t len);
/* Bind SQL NULL. */
void sq_bind_null(struct sq_call *call);

/*
 * sq_step - run the statement one step. Returns 1 (a row is ready), 0 (done)
 * or a negative status, logged when it is an error rather than an outcome
 * (a constraint failure is reported as POLYCHAT_EEXIST without a log line).
 */
int sq_step(struct sq_call *call);

/* sq_exec - step a statement that returns no rows; 0 or negative status. */
int sq_exec(struct sq_call *call);

/* sq_step_one - step a lookup of at most one row: 0 (a row is ready),
 * POLYCHAT_ENOTFOUND (none) or a negative status. */
int sq_step_one(struct sq_call *call);

/* sq_exec_hit - sq_exec for a change that must hit a row: 0, or
 * POLYCHAT_ENOTFOUND when no row changed, or a negative status. */
int sq_exec_hit(struct sq_call *call);

/* Rows changed by the last INSERT, UPDATE or DELETE of this call. */
uint64_t sq_changes(const struct sq_call *call);
/* Rowid of the last INSERT of this call's connection. */
int64_t sq_last_rowid(const struct sq_call *call);

/*
 * sq_column_text - copy text column `col` of the current row into `dst` of
 * `cap` bytes (NUL included). Returns 0, or POLYCHAT_EIO (logged) when the
 * stored text does not fit: the database holds what this plugin never
 * writes.
 */
int sq_column_text(struct sq_call *call, int col, char *dst, size_t cap);

/*
 * sq_call_end - reset the statement and drop its bindings so the cache can
 * reuse it; returns `status` unchanged so that callers can
 * `return sq_call_end(&call, rc)`.
 */
int sq_call_end(struct sq_call *call, int status);

/*
 * sq_status - map an SQLite result code to a polychat status and log it:
 * SQLITE_FULL -> POLYCHAT_ENOSPACE, SQLITE_BUSY/LOCKED -> POLYCHAT_EUNAVAIL,
 * SQLITE_CONSTRAINT -> POLYCHAT_EEXIST (not logged), SQLITE_NOMEM ->
 * POLYCHAT_ENOMEM, SQLITE_TOOBIG -> POLYCHAT_ETOOBIG, anything else ->
 * POLYCHAT_EIO. Log lines carry SQLite's message, which never holds values.
 */
int sq_status(const struct sq_db *db, sqlite3 *handle, int rc,
	const char *what);

/* sq_status_of - the status sq_status maps `rc` to, without logging. */
int sq_status_of(int rc);

/*
 * sq_text_ok - whether `s` is a string of at most `max` bytes before its
 * NUL, looking at no more than max + 1 bytes (so a full, unterminated
 * fixed array is refused), and not empty unless `may_be_empty`. Returns 0
 * or POLYCHAT_EINVAL (also for NULL).
 */
int sq_text_ok(const char *s, size_t max, int may_be_empty);

#endif /* SQ_CONN_H */
