/* SPDX-License-Identifier: MIT */
/* A store instance: per-thread SQLite connections, statement cache, errors. */
#include <stdio.h>
#include <string.h>

#include <polychat/status.h>

#include "sqlite-conn.h"

/*
 * Store methods run concurrently on thread-pool workers. An SQLite
 * connection must not be used by two threads at once, and sharing one
 * behind a mutex would serialise every reader, so each thread gets its own
 * connection (WAL lets readers and one writer proceed together). The
 * connection lives in a thread-specific slot of the instance; the instance
 * also keeps every connection in a list so that close can reach those of
 * all threads.
 */

/* sq_status_of - see sqlite-conn.h. */
int sq_status_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return POLYCHAT_EEXIST;
	case SQLITE_FULL:
		return POLYCHAT_ENOSPACE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		/* The busy handler already waited busy_timeout_ms. */
		return POLYCHAT_EUNAVAIL;
	case SQLITE_NOMEM:
		return POLYCHAT_ENOMEM;
	case SQLITE_TOOBIG:
		return POLYCHAT_ETOOBIG;
	default:
		return POLYCHAT_EIO;
	}
}

static void conn_unlink(struct sq_db *db, struct sq_conn *conn)
{
	pthread_mutex_lock(&db->lock);
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		db->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	conn->next = conn->prev = NULL;
	pthread_mutex_unlock(&db->lock);
}

/* Finalize the cached statements, close the handle, free the connection. */
static void conn_free(struct sq_conn *conn)
{
	const struct polychat_host *host = conn->db->host;

	for (size_t i = 0; i < SQ_STMT_COUNT; i++)
		sqlite3_finalize(conn->stmts[i]);
	int rc = sqlite3_close(conn->handle);
	if (rc != SQLITE_OK)
		host->log(POLYCHAT_LOG_WARNING, SQ_WHO,
			"closing \"%s\": %s", conn->db->cfg.path,
			sqlite3_errstr(rc));
	host->free(conn);
}

/* Thread-specific destructor: a worker thread that used the store exits. */
static void conn_thread_exit(void *arg)
{
	struct sq_conn *conn = arg;

	conn_unlink(conn->db, conn);
	conn_free(conn);
}

/* sq_run_sql - see sqlite-conn.h. */
int sq_run_sql(sqlite3 *handle, const char *sql, char *result, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(handle, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && result && cap > 0) {
		const unsigned char *text = sqlite3_column_text(st, 0);
		snprintf(result, cap, "%s", text ? (const char *)text : "");
	}
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	return rc;
}

/*
 * Open a connection for the calling thread and register it. `first` is the
 * open-time connection: it may create the file and switches it to WAL;
 * later connections only open what is there, so a database deleted under a
 * running daemon is reported rather than silently recreated empty.
 */
static int conn_open(struct sq_db *db, int first, struct sq_conn **out)
{
	const struct polychat_host *host = db->host;
	const char *path = db->cfg.path;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	const char *step = "cannot open";
	sqlite3 *handle = NULL;
	char mode[16] = "";

	if (first)
		flags |= SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(path, &handle, flags, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(handle, 1);
		rc = sqlite3_busy_timeout(handle, db->cfg.busy_timeout_ms);
	}
	if (rc == SQLITE_OK) {
		step = "cannot set synchronous";
		/* FULL syncs the WAL on every commit: a method that returned
		 * 0 survives a power cut, as the store contract promises. */
		rc = sq_run_sql(handle, db->cfg.synchronous_full
				? "PRAGMA synchronous=FULL"
				: "PRAGMA synchronous=NORMAL", NULL, 0);
	}
	if (rc == SQLITE_OK && first) {
		step = "cannot enable write-ahead logging";
		rc = sq_run_sql(handle, "PRAGMA journal_mode=WAL", mode,
			sizeof(mode));
		if (rc == SQLITE_OK && strcmp(mode, "wal") != 0) {
			host->log(POLYCHAT_LOG_ERROR, SQ_WHO,
				"database \"%s\": %s (journal mode stays "
				"\"%s\")", path, step, mode);
			sqlite3_close(handle);
			return POLYCHAT_EIO;
		}
	}
	if (rc != SQLITE_OK) {
		int status = sq_status_of(rc);
		host->log(POLYCHAT_LOG_ERROR, SQ_WHO, "database \"%s\": %s: %s",
			path, step, handle ? sqlite3_errmsg(handle)
				: sqlite3_errstr(rc));
		sqlite3_close(handle);
		/* A path that cannot be opened is an I/O problem to the
		 * operator, whatever SQLite calls it. */
		return status == POLYCHAT_EEXIST ? POLYCHAT_EIO : status;
	}

	struct sq_conn *conn = host->calloc(1, sizeof(*conn));
	if (!conn) {
		sqlite3_close(handle);
		return POLYCHAT_ENOMEM;
	}
	conn->db = db;
	conn->handle = handle;

	pthread_mutex_lock(&db->lock);
	conn->next = db->conns;
	if (db->conns)
		db->conns->prev = conn;
	db->conns = conn;
	pthread_mutex_unlock(&db->lock);

	if (pthread_setspecific(db->key, conn) != 0) {
		conn_unlink(db, conn);
		conn_free(conn);
		return POLYCHAT_ENOMEM;
	}
	*out = conn;
	return 0;
}

/* The calling thread's connection, opened on its first call. */
static int thread_conn(struct sq_db *db, struct sq_conn **out)
{
	struct sq_conn *conn = pthread_getspecific(db->key);

	if (conn) {
		*out = conn;
		return 0;
	}
	return conn_open(db, 0, out);
}

/* sq_db_open - see sqlite-conn.h. */
int sq_db_open(const struct polychat_host *host, const struct sq_config *cfg,
	struct sq_db **out)
{
	struct sq_db *db = host->calloc(1, sizeof(*db));
	if (!db)
		return POLYCHAT_ENOMEM;
	db->host = host;
	db->cfg = *cfg;
	if (pthread_mutex_init(&db->lock, NULL) != 0) {
		host->free(db);
		return POLYCHAT_ENOMEM;
	}
	if (pthread_key_create(&db->key, conn_thread_exit) != 0) {
		pthread_mutex_destroy(&db->lock);
		host->free(db);
		return POLYCHAT_ENOMEM;
	}

	struct sq_conn *conn;
	int rc = conn_open(db, 1, &conn);
	if (rc != 0) {
		sq_db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

/* sq_db_close - see sqlite-conn.h. */
void sq_db_close(struct sq_db *db)
{
	if (!db)
		return;
	/* Delete the key first: from then on no exiting thread runs the
	 * destructor on a connection this loop is about to free. */
	pthread_key_delete(db->key);
	pthread_mutex_lock(&db->lock);
	struct sq_conn *conn = db->conns;
	db->conns = NULL;
	pthread_mutex_unlock(&db->lock);
	while (conn) {
		struct sq_conn *next = conn->next;
		conn_free(conn);
		conn = next;
	}
	pthread_mutex_destroy(&db->lock);
	db->host->free(db);
}

/* sq_db_handle - see sqlite-conn.h. */
int sq_db_handle(struct sq_db *db, sqlite3 **out)
{
	struct sq_conn *conn;
	int rc = thread_conn(db, &conn);
	if (rc != 0)
		return rc;
	*out = conn->handle;
	return 0;
}

/* sq_db_checkpoint - see sqlite-conn.h. */
int sq_db_checkpoint(struct sq_db *db)
{
	struct sq_conn *conn;
	int rc = thread_conn(db, &conn);
	if (rc != 0)
		return rc;
	rc = sqlite3_wal_checkpoint_v2(conn->handle, NULL,
		SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_status(db, conn->handle, rc, "flush");
	return 0;
}

/* sq_call_start - see sqlite-conn.h. */
int sq_call_start(struct sq_db *db, enum sq_stmt_id id, const char *what,
	struct sq_call *call)
{
	struct sq_conn *conn;
	int rc = thread_conn(db, &conn);
	if (rc != 0)
		return rc;
	if (!conn->stmts[id]) {
		/* PERSISTENT: these statements live as long as the
		 * connection, so SQLite keeps them out of its lookaside. */
		rc = sqlite3_prepare_v3(conn->handle, sq_sql_text(id), -1,
			SQLITE_PREPARE_PERSISTENT, &conn->stmts[id], NULL);
		if (rc != SQLITE_OK) {
			conn->stmts[id] = NULL;
			return sq_status(db, conn->handle, rc, what);
		}
	}
	call->db = db;
	call->conn = conn;
	call->st = conn->stmts[id];
	call->what = what;
	call->bind_rc = SQLITE_OK;
	call->next_param = 1;
	return 0;
}

/* sq_bind_text - see sqlite-conn.h. */
void sq_bind_text(struct sq_call *call, const char *text)
{
	int index = call->next_param++;

	if (call->bind_rc == SQLITE_OK)
		call->bind_rc = sqlite3_bind_text(call->st, index, text, -1,
			SQLITE_STATIC);
}

/* sq_bind_int - see sqlite-conn.h. */
void sq_bind_int(struct sq_call *call, int64_t value)
{
	int index = call->next_param++;

	if (call->bind_rc == SQLITE_OK)
		call->bind_rc = sqlite3_bind_int64(call->st, index,
			(sqlite3_int64)value);
}

/* sq_bind_blob - see sqlite-conn.h. */
void sq_bind_blob(struct sq_call *call, const uint8_t *data, size_t len)
{
	int index = call->next_param++;

	if (call->bind_rc != SQLITE_OK)
		return;
	/* A NULL pointer would bind SQL NULL: an empty value is an empty
	 * blob, which the NOT NULL columns accept. */
	if (len == 0)
		call->bind_rc = sqlite3_bind_zeroblob(call->st, index, 0);
	else
		call->bind_rc = sqlite3_bind_blob64(call->st, index, data,
			(sqlite3_uint64)len, SQLITE_STATIC);
}

/* sq_bind_null - see sqlite-conn.h. */
void sq_bind_null(struct sq_call *call)
{
	int index = call->next_param++;

	if (call->bind_rc == SQLITE_OK)
		call->bind_rc = sqlite3_bind_null(call->st, index);
}

/* sq_step - see sqlite-conn.h. */
int sq_step(struct sq_call *call)
{
	if (call->bind_rc != SQLITE_OK)
		return sq_status(call->db, call->conn->handle, call->bind_rc,
			call->what);
	int rc = sqlite3_step(call->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_status(call->db, call->conn->handle, rc, call->what);
}

/* sq_exec - see sqlite-conn.h. */
int sq_exec(struct sq_call *call)
{
	int rc = sq_step(call);

	if (rc > 0) {
		/* A statement of this plugin that should not return rows did:
		 * the table was changed behind our back. */
		call->db->host->log(POLYCHAT_LOG_ERROR, SQ_WHO,
			"%s: unexpected result row", call->what);
		return POLYCHAT_EIO;
	}
	return rc;
}

/* sq_step_one - see sqlite-conn.h. */
int sq_step_one(struct sq_call *call)
{
	int rc = sq_step(call);

	if (rc == 0)
		return POLYCHAT_ENOTFOUND;
	return rc < 0 ? rc : 0;
}

/* sq_exec_hit - see sqlite-conn.h. */
int sq_exec_hit(struct sq_call *call)
{
	int rc = sq_exec(call);

	if (rc == 0 && sq_changes(call) == 0)
		return POLYCHAT_ENOTFOUND;
	return rc;
}

/* sq_changes - see sqlite-conn.h. */
uint64_t sq_changes(const struct sq_call *call)
{
	int n = sqlite3_changes(call->conn->handle);

	return n > 0 ? (uint64_t)n : 0;
}

/* sq_last_rowid - see sqlite-conn.h. */
int64_t sq_last_rowid(const struct sq_call *call)
{
	return (int64_t)sqlite3_last_insert_rowid(call->conn->handle);
}

/* sq_column_text - see sqlite-conn.h. */
int sq_column_text(struct sq_call *call, int col, char *dst, size_t cap)
{
	const unsigned char *text = sqlite3_column_text(call->st, col);
	int len = sqlite3_column_bytes(call->st, col);

	if (!text) {
		/* NULL text from a NOT NULL column means the conversion ran
		 * out of memory. */
		if (sqlite3_column_type(call->st, col) != SQLITE_NULL)
			return POLYCHAT_ENOMEM;
		len = 0;
	}
	if (len < 0 || (size_t)len >= cap) {
		call->db->host->log(POLYCHAT_LOG_ERROR, SQ_WHO,
			"%s: column %d holds %d bytes, more than %zu",
			call->what, col, len, cap - 1);
		return POLYCHAT_EIO;
	}
	if (len > 0)
		memcpy(dst, text, (size_t)len);
	dst[len] = '\0';
	return 0;
}

/* sq_call_end - see sqlite-conn.h. */
int sq_call_end(struct sq_call *call, int status)
{
	/* reset repeats the step's error code, already mapped and logged. */
	sqlite3_reset(call->st);
	sqlite3_clear_bindings(call->st);
	return status;
}

/* sq_status - see sqlite-conn.h. */
int sq_status(const struct sq_db *db, sqlite3 *handle, int rc,
	const char *what)
{
	int status = sq_status_of(rc);

	/* A duplicate key is an answer for the caller, not a fault. */
	if (status == POLYCHAT_EEXIST)
		return status;
	db->host->log(status == POLYCHAT_EUNAVAIL || status == POLYCHAT_ETOOBIG
			? POLYCHAT_LOG_WARNING : POLYCHAT_LOG_ERROR, SQ_WHO,
		"%s: %s (SQLite code %d)", what,
		handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc), rc);
	return status;
}

/* sq_text_ok - see sqlite-conn.h. */
int sq_text_ok(const char *s, size_t max, int may_be_empty)
{
	if (!s)
		return POLYCHAT_EINVAL;
	size_t len = strnlen(s, max + 1);
	if (len > max || (len == 0 && !may_be_empty))
		return POLYCHAT_EINVAL;
	return 0;
}
