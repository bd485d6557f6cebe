/* SPDX-License-Identifier: MIT */
/* A store instance: per-thread MariaDB connections, reconnects, statements, errors. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include <polychat/status.h>

#include "mariadb-conn.h"

/*
 * Store methods run concurrently on thread-pool workers, and a MariaDB
 * connection serves one statement at a time, so each thread gets its own
 * connection, kept in a thread-specific slot of the instance; the instance
 * also lists every slot so that close reaches those of all threads.
 *
 * A connection that meets a fault (the server went away, was restarted,
 * killed the session, or did not answer within read_timeout_s) is dropped
 * at the end of that call, which fails with POLYCHAT_EUNAVAIL; the
 * thread's next call connects again. A failed connection attempt makes
 * every thread of the instance wait reconnect_min_ms before the next one,
 * doubling up to reconnect_max_ms, so a server that is down is not
 * hammered by every call of every worker. Before each call an idle
 * connection is checked, without a round trip, for what the server sends
 * when it closes a session (an error packet or EOF): a connection the
 * server closed while it was idle — a restart — is replaced before the
 * statement is sent rather than failing the call.
 */

/* Client error codes of Connector/C itself (CR_* are 2000..2999). */
#define MD_CLIENT_ERRORS_MIN 5000
#define MD_CLIENT_ERRORS_MAX 5999

/* Room left in a packet for everything but the largest blob. */
#define MD_PACKET_MARGIN 4096

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * What MariaDB error `err` means to the caller, and in *unusable whether
 * the connection is done for (the session is gone or in an unknown state).
 */
static int classify(unsigned err, int *unusable)
{
	*unusable = 0;
	switch (err) {
	case ER_DUP_ENTRY:
	case ER_DUP_KEY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
		return POLYCHAT_EEXIST;
	case ER_NET_PACKET_TOO_LARGE:
		/* The server closes the session after this one. */
		*unusable = 1;
		return POLYCHAT_ETOOBIG;
	case ER_DATA_TOO_LONG:
		return POLYCHAT_ETOOBIG;
	case ER_RECORD_FILE_FULL:
	case ER_DISK_FULL:
		return POLYCHAT_ENOSPACE;
	case ER_OUTOFMEMORY:
	case ER_OUT_OF_RESOURCES:
	case ER_OUT_OF_SORTMEMORY:
	case CR_OUT_OF_MEMORY:
		return POLYCHAT_ENOMEM;
	/* The statement was rolled back and may work when retried: a lock
	 * held too long, a deadlock or a Galera certification conflict, a
	 * server switched to read-only, no connection slot left. */
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_LOCK_DEADLOCK:
	case ER_QUERY_INTERRUPTED:
	case ER_STATEMENT_TIMEOUT:
	case ER_OPTION_PREVENTS_STATEMENT:
	case ER_READ_ONLY_MODE:
	case ER_CON_COUNT_ERROR:
	case ER_TOO_MANY_USER_CONNECTIONS:
		return POLYCHAT_EUNAVAIL;
	/* The session ends or is useless: shutdown, KILL, or a Galera node
	 * that left the primary component. */
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
	case ER_UNKNOWN_COM_ERROR:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_UNKNOWN_HOST:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_COMMANDS_OUT_OF_SYNC:
	case CR_SSL_CONNECTION_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case CR_ERR_NET_READ:
	case CR_ERR_NET_WRITE:
		*unusable = 1;
		return POLYCHAT_EUNAVAIL;
	default:
		break;
	}
	/* Any other client-side error leaves the session in a state this
	 * code cannot vouch for. */
	if ((err >= CR_MIN_ERROR && err <= CR_MAX_ERROR)
			|| (err >= MD_CLIENT_ERRORS_MIN
				&& err <= MD_CLIENT_ERRORS_MAX))
		*unusable = 1;
	return POLYCHAT_EIO;
}

/*
 * Copy `msg` with the inside of every quoted part replaced by "?": the
 * server quotes the offending value in some messages (a duplicate entry,
 * an incorrect value), and values never reach the log.
 */
static void redact(const char *msg, char *out, size_t cap)
{
	size_t n = 0;
	int quoted = 0;

	for (const char *p = msg; *p && n + 2 < cap; p++) {
		if (*p == '\'') {
			if (!quoted)
				out[n++] = '\'';
			else
				out[n++] = '?', out[n++] = '\'';
			quoted = !quoted;
		} else if (!quoted) {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

/*
 * Map error `err` (message `msg`) met by `what` on `conn` (may be NULL),
 * mark the connection for dropping if it is unusable, and log it unless
 * it is an answer for the caller (a duplicate key). `values` says that
 * data was bound, so the message is redacted.
 */
static int fault(struct md_db *db, struct md_conn *conn, unsigned err,
	const char *msg, const char *what, int values)
{
	int unusable;
	int status = classify(err, &unusable);
	char text[512];

	if (unusable && conn)
		conn->broken = 1;
	if (status == POLYCHAT_EEXIST)
		return status;
	if (values)
		redact(msg, text, sizeof(text));
	else
		snprintf(text, sizeof(text), "%s", msg);
	db->host->log(status == POLYCHAT_EIO || status == POLYCHAT_ENOSPACE
			? POLYCHAT_LOG_ERROR : POLYCHAT_LOG_WARNING, MD_WHO,
		"%s: %s (MariaDB error %u)%s", what, text, err,
		unusable ? "; the connection is dropped and made again on "
			"the next call" : "");
	return status;
}

/* Close the connection's statements and its session; the slot stays. */
static void conn_drop(struct md_conn *conn)
{
	/* The session first: it detaches every statement from the
	 * connection, so closing them sends nothing over a link that may be
	 * dead. */
	if (conn->handle)
		mysql_close(conn->handle);
	conn->handle = NULL;
	for (size_t i = 0; i < MD_STMT_COUNT; i++) {
		if (conn->stmts[i])
			mysql_stmt_close(conn->stmts[i]);
		conn->stmts[i] = NULL;
	}
	conn->broken = 0;
	conn->max_packet = 0;
}

static void conn_unlink(struct md_db *db, struct md_conn *conn)
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

/* Thread-specific destructor: a worker thread that used the store exits. */
static void conn_thread_exit(void *arg)
{
	struct md_conn *conn = arg;

	conn_unlink(conn->db, conn);
	conn_drop(conn);
	conn->db->host->free(conn);
	/* Connector/C's per-thread state of this thread. */
	mysql_thread_end();
}

/* Set one connection option; Connector/C refuses only unknown ones. */
static int set_option(MYSQL *handle, enum mysql_option option,
	const void *value)
{
	return mysql_optionsv(handle, option, value) == 0 ? 0 : -1;
}

/* The connection options of `cfg` on a fresh handle. */
static int set_options(const struct md_config *cfg, MYSQL *handle)
{
	unsigned connect_s = cfg->connect_timeout_s;
	unsigned read_s = cfg->read_timeout_s;
	unsigned write_s = cfg->write_timeout_s;
	unsigned protocol = cfg->host[0] ? MYSQL_PROTOCOL_TCP
		: MYSQL_PROTOCOL_SOCKET;
	/* Sessions are re-made by this code, which knows they lost their
	 * prepared statements; LOAD DATA LOCAL is never needed. */
	my_bool off = 0;
	my_bool on = 1;
	/* The server's limit is the one that counts (md_max_value). */
	unsigned long packet = 1024UL * 1024 * 1024;
	int rc = 0;

	rc |= set_option(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
	rc |= set_option(handle, MYSQL_OPT_READ_TIMEOUT, &read_s);
	rc |= set_option(handle, MYSQL_OPT_WRITE_TIMEOUT, &write_s);
	rc |= set_option(handle, MYSQL_OPT_PROTOCOL, &protocol);
	rc |= set_option(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	rc |= set_option(handle, MYSQL_OPT_RECONNECT, &off);
	rc |= set_option(handle, MYSQL_OPT_LOCAL_INFILE, &off);
	rc |= set_option(handle, MYSQL_OPT_MAX_ALLOWED_PACKET, &packet);
	if (!cfg->tls)
		return rc;
	rc |= set_option(handle, MYSQL_OPT_SSL_ENFORCE, &on);
	rc |= set_option(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
		cfg->tls_verify_cert ? &on : &off);
	if (cfg->tls_ca[0])
		rc |= set_option(handle, MYSQL_OPT_SSL_CA, cfg->tls_ca);
	if (cfg->tls_capath[0])
		rc |= set_option(handle, MYSQL_OPT_SSL_CAPATH,
			cfg->tls_capath);
	if (cfg->tls_cert[0])
		rc |= set_option(handle, MYSQL_OPT_SSL_CERT, cfg->tls_cert);
	if (cfg->tls_key[0])
		rc |= set_option(handle, MYSQL_OPT_SSL_KEY, cfg->tls_key);
	return rc;
}

/*
 * The session settings every statement relies on, whatever the server's
 * defaults: strict mode (an error, never a silent truncation), InnoDB or
 * an error, autocommit (each change commits before its method returns),
 * and lock waits that give up before the client's read timeout does, so
 * a held lock costs the call, not the connection. Built with snprintf
 * from a checked integer option: no data goes into it.
 */
static int set_session(struct md_db *db, MYSQL *handle)
{
	char sql[256];
	unsigned lock_wait = db->cfg.read_timeout_s / 2;

	snprintf(sql, sizeof(sql), "SET SESSION sql_mode ="
		" 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION',"
		" autocommit = 1, innodb_lock_wait_timeout = %u",
		lock_wait > 0 ? lock_wait : 1);
	if (mysql_real_query(handle, sql, (unsigned long)strlen(sql)) != 0)
		return -1;
	return 0;
}

/* The server's max_allowed_packet, or 0 when it cannot be read. */
static unsigned long server_max_packet(MYSQL *handle)
{
	static const char sql[] = "SELECT @@max_allowed_packet";
	unsigned long value = 0;

	if (mysql_real_query(handle, sql, sizeof(sql) - 1) != 0)
		return 0;
	MYSQL_RES *res = mysql_store_result(handle);
	if (!res)
		return 0;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row && row[0])
		value = strtoul(row[0], NULL, 10);
	mysql_free_result(res);
	return value;
}

/*
 * Open a session for `conn`. Returns 0, or the MariaDB error of the
 * failed step with its message in `err` (never holding the password) and
 * in *step what was being done.
 */
static unsigned session_open(struct md_db *db, struct md_conn *conn,
	char *err, size_t err_len, const char **step)
{
	const struct md_config *cfg = &db->cfg;
	MYSQL *handle = mysql_init(NULL);
	unsigned code = 0;

	*step = "cannot connect";
	if (!handle) {
		snprintf(err, err_len, "out of memory");
		return CR_OUT_OF_MEMORY;
	}
	if (set_options(cfg, handle) != 0) {
		snprintf(err, err_len, "a connection option was refused");
		mysql_close(handle);
		return CR_UNKNOWN_ERROR;
	}
	/* CLIENT_FOUND_ROWS: an UPDATE that matched a row whose values did
	 * not change still counts it, as "not found" must mean no row. */
	if (!mysql_real_connect(handle, cfg->host[0] ? cfg->host : NULL,
			cfg->user, db->password[0] ? db->password : NULL,
			cfg->database, cfg->host[0] ? cfg->port : 0,
			cfg->host[0] ? NULL : cfg->socket,
			CLIENT_FOUND_ROWS)) {
		code = mysql_errno(handle);
	} else if (cfg->tls && !mysql_get_ssl_cipher(handle)) {
		/* MYSQL_OPT_SSL_ENFORCE refuses this already; a library that
		 * ignored it must not send a password in the clear again. */
		*step = "TLS was required but not used";
		snprintf(err, err_len, "the session is not encrypted");
		mysql_close(handle);
		return CR_SSL_CONNECTION_ERROR;
	} else if (set_session(db, handle) != 0) {
		*step = "cannot set up the session";
		code = mysql_errno(handle);
	} else if ((conn->max_packet = server_max_packet(handle)) == 0) {
		*step = "cannot read max_allowed_packet";
		code = mysql_errno(handle);
		if (code == 0)
			code = CR_UNKNOWN_ERROR;
	}
	if (code != 0) {
		snprintf(err, err_len, "%s", mysql_error(handle));
		mysql_close(handle);
		return code;
	}
	conn->handle = handle;
	return 0;
}

/*
 * Connect `conn` unless the instance is in its reconnect wait. `at_open`
 * maps a refusal (wrong password, no such database) to POLYCHAT_EIO, the
 * operator's problem, where a later reconnect reports
 * POLYCHAT_EUNAVAIL, the caller's "retry later".
 */
static int conn_connect(struct md_db *db, struct md_conn *conn, int at_open)
{
	const struct polychat_host *host = db->host;

	pthread_mutex_lock(&db->lock);
	int waiting = !at_open && now_ms() < db->retry_at_ms;
	pthread_mutex_unlock(&db->lock);
	if (waiting)
		return POLYCHAT_EUNAVAIL;

	char err[512];
	const char *step;
	unsigned code = session_open(db, conn, err, sizeof(err), &step);

	pthread_mutex_lock(&db->lock);
	int was_down = db->down;
	unsigned delay = db->retry_delay_ms;
	if (code != 0) {
		db->down = 1;
		db->retry_at_ms = now_ms() + delay;
		db->retry_delay_ms = delay > db->cfg.reconnect_max_ms / 2
			? db->cfg.reconnect_max_ms : delay * 2;
	} else {
		db->down = 0;
		db->retry_delay_ms = db->cfg.reconnect_min_ms;
	}
	pthread_mutex_unlock(&db->lock);

	if (code == 0) {
		if (was_down)
			host->log(POLYCHAT_LOG_NOTICE, MD_WHO,
				"%s: connected again", db->where);
		return 0;
	}
	int unusable;
	int status = classify(code, &unusable);
	if (!at_open && status != POLYCHAT_ENOMEM)
		status = POLYCHAT_EUNAVAIL;
	if (at_open)
		host->log(POLYCHAT_LOG_ERROR, MD_WHO, "%s: %s: %s "
			"(MariaDB error %u)", db->where, step, err, code);
	else
		host->log(POLYCHAT_LOG_WARNING, MD_WHO, "%s: %s: %s "
			"(MariaDB error %u); no new attempt for %u ms",
			db->where, step, err, code, delay);
	return status;
}

/*
 * Whether the idle session of `conn` is still open as far as can be told
 * without a round trip. Between statements the server sends nothing
 * unless it ends the session (an error packet, then EOF), so anything to
 * read, or a hang-up, means the session is gone.
 */
static int conn_idle_alive(const struct md_conn *conn)
{
	struct pollfd pfd = {
		.fd = (int)mysql_get_socket(conn->handle),
		.events = POLLIN,
	};

	if (pfd.fd < 0)
		return 0;
	return poll(&pfd, 1, 0) == 0;
}

/* A new, unconnected slot for the calling thread, registered. */
static int slot_new(struct md_db *db, struct md_conn **out)
{
	struct md_conn *conn = db->host->calloc(1, sizeof(*conn));
	if (!conn)
		return POLYCHAT_ENOMEM;
	conn->db = db;

	pthread_mutex_lock(&db->lock);
	conn->next = db->conns;
	if (db->conns)
		db->conns->prev = conn;
	db->conns = conn;
	pthread_mutex_unlock(&db->lock);

	if (pthread_setspecific(db->key, conn) != 0) {
		conn_unlink(db, conn);
		db->host->free(conn);
		return POLYCHAT_ENOMEM;
	}
	*out = conn;
	return 0;
}

/* The calling thread's slot, with a session that looks alive. */
static int thread_conn(struct md_db *db, struct md_conn **out)
{
	struct md_conn *conn = pthread_getspecific(db->key);

	if (!conn) {
		int rc = slot_new(db, &conn);
		if (rc != 0)
			return rc;
	}
	if (conn->handle && !conn_idle_alive(conn)) {
		db->host->log(POLYCHAT_LOG_INFO, MD_WHO,
			"%s: the server closed an idle connection; "
			"connecting again", db->where);
		conn_drop(conn);
	}
	if (!conn->handle) {
		int rc = conn_connect(db, conn, 0);
		if (rc != 0)
			return rc;
	}
	*out = conn;
	return 0;
}

/* md_db_open - see mariadb-conn.h. */
int md_db_open(const struct polychat_host *host, const struct md_config *cfg,
	const char *password, struct md_db **out)
{
	struct md_db *db = host->calloc(1, sizeof(*db));
	if (!db)
		return POLYCHAT_ENOMEM;
	db->host = host;
	db->cfg = *cfg;
	snprintf(db->password, sizeof(db->password), "%s", password);
	md_config_where(cfg, db->where, sizeof(db->where));
	db->retry_delay_ms = cfg->reconnect_min_ms;
	if (pthread_mutex_init(&db->lock, NULL) != 0) {
		host->wipe_free(db, sizeof(*db));
		return POLYCHAT_ENOMEM;
	}
	if (pthread_key_create(&db->key, conn_thread_exit) != 0) {
		pthread_mutex_destroy(&db->lock);
		host->wipe_free(db, sizeof(*db));
		return POLYCHAT_ENOMEM;
	}

	struct md_conn *conn;
	int rc = slot_new(db, &conn);
	if (rc == 0)
		rc = conn_connect(db, conn, 1);
	if (rc != 0) {
		md_db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

/* md_db_close - see mariadb-conn.h. */
void md_db_close(struct md_db *db)
{
	if (!db)
		return;
	/* Delete the key first: from then on no exiting thread runs the
	 * destructor on a slot this loop is about to free. */
	pthread_key_delete(db->key);
	pthread_mutex_lock(&db->lock);
	struct md_conn *conn = db->conns;
	db->conns = NULL;
	pthread_mutex_unlock(&db->lock);
	while (conn) {
		struct md_conn *next = conn->next;
		conn_drop(conn);
		db->host->free(conn);
		conn = next;
	}
	pthread_mutex_destroy(&db->lock);
	/* The password lives in the instance: wipe it all. */
	db->host->wipe_free(db, sizeof(*db));
}

/* md_db_handle - see mariadb-conn.h. */
int md_db_handle(struct md_db *db, MYSQL **out)
{
	struct md_conn *conn;
	int rc = thread_conn(db, &conn);
	if (rc != 0)
		return rc;
	*out = conn->handle;
	return 0;
}

/* md_query_status - see mariadb-conn.h. */
int md_query_status(struct md_db *db, MYSQL *handle, unsigned err,
	const char *msg, const char *what)
{
	struct md_conn *conn = pthread_getspecific(db->key);
	if (conn && conn->handle != handle)
		conn = NULL;
	int status = fault(db, conn, err, msg, what, 0);
	if (conn && conn->broken)
		conn_drop(conn);
	return status;
}

/* md_call_start - see mariadb-conn.h. */
int md_call_start(struct md_db *db, enum md_stmt_id id, const char *what,
	struct md_call *call)
{
	struct md_conn *conn;
	int rc = thread_conn(db, &conn);
	if (rc != 0)
		return rc;
	if (!conn->stmts[id]) {
		MYSQL_STMT *st = mysql_stmt_init(conn->handle);
		if (!st)
			return POLYCHAT_ENOMEM;
		const char *sql = md_sql_text(id);
		if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql))
				!= 0) {
			rc = fault(db, conn, mysql_stmt_errno(st),
				mysql_stmt_error(st), what, 0);
			mysql_stmt_close(st);
			if (conn->broken)
				conn_drop(conn);
			return rc;
		}
		conn->stmts[id] = st;
	}
	memset(call, 0, sizeof(*call));
	call->db = db;
	call->conn = conn;
	call->st = conn->stmts[id];
	call->what = what;
	return 0;
}

/* The next parameter's slot, or NULL (remembered) when there are too
 * many. */
static MYSQL_BIND *next_param(struct md_call *call)
{
	if (call->n_params >= MD_MAX_PARAMS) {
		call->overflow = 1;
		return NULL;
	}
	MYSQL_BIND *b = &call->params[call->n_params++];
	memset(b, 0, sizeof(*b));
	return b;
}

/* md_bind_bytes - see mariadb-conn.h. */
void md_bind_bytes(struct md_call *call, const uint8_t *data, size_t len)
{
	int i = call->n_params;
	MYSQL_BIND *b = next_param(call);
	static const uint8_t empty[1];

	if (!b)
		return;
	/* Binary strings: compared and stored byte for byte, whatever the
	 * connection's character set is. */
	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = (void *)(uintptr_t)(len ? data : empty);
	call->param_len[i] = (unsigned long)len;
	b->length = &call->param_len[i];
}

/* md_bind_text - see mariadb-conn.h. */
void md_bind_text(struct md_call *call, const char *text)
{
	md_bind_bytes(call, (const uint8_t *)text, strlen(text));
}

static void bind_integer(struct md_call *call, int64_t value, int is_unsigned)
{
	int i = call->n_params;
	MYSQL_BIND *b = next_param(call);

	if (!b)
		return;
	call->param_int[i] = value;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = &call->param_int[i];
	b->is_unsigned = (my_bool)is_unsigned;
}

/* md_bind_int - see mariadb-conn.h. */
void md_bind_int(struct md_call *call, int64_t value)
{
	bind_integer(call, value, 0);
}

/* md_bind_uint - see mariadb-conn.h. */
void md_bind_uint(struct md_call *call, uint64_t value)
{
	bind_integer(call, (int64_t)value, 1);
}

/* md_bind_null - see mariadb-conn.h. */
void md_bind_null(struct md_call *call)
{
	MYSQL_BIND *b = next_param(call);

	if (b)
		b->buffer_type = MYSQL_TYPE_NULL;
}

/* A statement of this plugin used wrongly: a bug, logged as one. */
static int misuse(struct md_call *call, const char *why)
{
	call->db->host->log(POLYCHAT_LOG_ERROR, MD_WHO, "%s: %s", call->what,
		why);
	return POLYCHAT_EIO;
}

/* md_execute - see mariadb-conn.h. */
int md_execute(struct md_call *call)
{
	MYSQL_STMT *st = call->st;

	if (call->overflow)
		return misuse(call, "too many parameters or columns");
	if (mysql_stmt_param_count(st) != (unsigned long)call->n_params)
		return misuse(call, "parameter count mismatch");
	if ((call->n_params > 0 && mysql_stmt_bind_param(st, call->params))
			|| mysql_stmt_execute(st) != 0
			|| (mysql_stmt_field_count(st) > 0
				&& mysql_stmt_store_result(st) != 0))
		return fault(call->db, call->conn, mysql_stmt_errno(st),
			mysql_stmt_error(st), call->what, call->n_params > 0);
	return 0;
}

/* md_exec - see mariadb-conn.h. */
int md_exec(struct md_call *call)
{
	int rc = md_execute(call);

	if (rc == 0 && mysql_stmt_field_count(call->st) > 0)
		return misuse(call, "unexpected result set");
	return rc;
}

/* md_exec_hit - see mariadb-conn.h. */
int md_exec_hit(struct md_call *call)
{
	int rc = md_exec(call);

	if (rc == 0 && md_affected(call) == 0)
		return POLYCHAT_ENOTFOUND;
	return rc;
}

/* md_affected - see mariadb-conn.h. */
uint64_t md_affected(const struct md_call *call)
{
	unsigned long long n = mysql_stmt_affected_rows(call->st);

	return n == (unsigned long long)-1 ? 0 : (uint64_t)n;
}

/* md_insert_id - see mariadb-conn.h. */
uint64_t md_insert_id(const struct md_call *call)
{
	return (uint64_t)mysql_stmt_insert_id(call->st);
}

/* The next result column's slot, or NULL (remembered) when there are too
 * many. */
static MYSQL_BIND *next_col(struct md_call *call)
{
	if (call->n_cols >= MD_MAX_COLUMNS) {
		call->overflow = 1;
		return NULL;
	}
	int i = call->n_cols++;
	MYSQL_BIND *b = &call->cols[i];
	memset(b, 0, sizeof(*b));
	call->col_cap[i] = 0;
	call->col_blob[i] = NULL;
	call->col_blob_len[i] = NULL;
	b->length = &call->col_len[i];
	b->is_null = &call->col_null[i];
	b->error = &call->col_error[i];
	return b;
}

/* md_col_text - see mariadb-conn.h. */
void md_col_text(struct md_call *call, char *dst, size_t cap)
{
	int i = call->n_cols;
	MYSQL_BIND *b = next_col(call);

	if (!b)
		return;
	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = dst;
	/* Room for the NUL md_fetch adds. */
	b->buffer_length = (unsigned long)(cap - 1);
	call->col_cap[i] = cap;
}

/* md_col_blob - see mariadb-conn.h. */
void md_col_blob(struct md_call *call, uint8_t **data, size_t *len)
{
	int i = call->n_cols;
	MYSQL_BIND *b = next_col(call);

	if (!b)
		return;
	/* No buffer: the fetch reports the length (as a truncation) and the
	 * bytes are copied into an exact allocation afterwards. */
	b->buffer_type = MYSQL_TYPE_BLOB;
	call->col_blob[i] = data;
	call->col_blob_len[i] = len;
}

/* md_col_int - see mariadb-conn.h. */
void md_col_int(struct md_call *call, int64_t *out)
{
	MYSQL_BIND *b = next_col(call);

	if (!b)
		return;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = out;
}

/* md_col_uint - see mariadb-conn.h. */
void md_col_uint(struct md_call *call, uint64_t *out)
{
	MYSQL_BIND *b = next_col(call);

	if (!b)
		return;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = out;
	b->is_unsigned = 1;
}

/* md_cols_reset - see mariadb-conn.h. */
void md_cols_reset(struct md_call *call)
{
	call->n_cols = 0;
}

/* Copy every blob column of the fetched row into memory from host->alloc.
 * On failure nothing stays allocated. */
static int fetch_blobs(struct md_call *call)
{
	const struct polychat_host *host = call->db->host;
	int done = 0;
	int rc = 0;

	for (int i = 0; i < call->n_cols && rc == 0; i++) {
		if (!call->col_blob[i])
			continue;
		size_t len = call->col_null[i] ? 0 : call->col_len[i];
		uint8_t *copy = host->alloc(len > 0 ? len : 1);
		if (!copy) {
			rc = POLYCHAT_ENOMEM;
			break;
		}
		if (len > 0) {
			MYSQL_BIND b;
			memset(&b, 0, sizeof(b));
			b.buffer_type = MYSQL_TYPE_BLOB;
			b.buffer = copy;
			b.buffer_length = (unsigned long)len;
			if (mysql_stmt_fetch_column(call->st, &b,
					(unsigned)i, 0) != 0) {
				host->free(copy);
				rc = fault(call->db, call->conn,
					mysql_stmt_errno(call->st),
					mysql_stmt_error(call->st), call->what,
					1);
				break;
			}
		}
		*call->col_blob[i] = copy;
		*call->col_blob_len[i] = len;
		done = i + 1;
	}
	if (rc != 0)
		for (int i = 0; i < done; i++)
			if (call->col_blob[i]) {
				host->free(*call->col_blob[i]);
				*call->col_blob[i] = NULL;
			}
	return rc;
}

/* md_fetch - see mariadb-conn.h. */
int md_fetch(struct md_call *call)
{
	MYSQL_STMT *st = call->st;

	if (call->overflow)
		return misuse(call, "too many parameters or columns");
	if (mysql_stmt_bind_result(st, call->cols) != 0)
		return fault(call->db, call->conn, mysql_stmt_errno(st),
			mysql_stmt_error(st), call->what, 0);
	int rc = mysql_stmt_fetch(st);
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc != 0 && rc != MYSQL_DATA_TRUNCATED)
		return fault(call->db, call->conn, mysql_stmt_errno(st),
			mysql_stmt_error(st), call->what, 0);
	for (int i = 0; i < call->n_cols; i++) {
		if (!call->col_cap[i])
			continue;
		char *text = call->cols[i].buffer;
		size_t len = call->col_null[i] ? 0 : call->col_len[i];
		if (len >= call->col_cap[i]) {
			call->db->host->log(POLYCHAT_LOG_ERROR, MD_WHO,
				"%s: column %d holds %zu bytes, more than %zu",
				call->what, i, len, call->col_cap[i] - 1);
			return POLYCHAT_EIO;
		}
		text[len] = '\0';
	}
	rc = fetch_blobs(call);
	return rc < 0 ? rc : 1;
}

/* md_fetch_one - see mariadb-conn.h. */
int md_fetch_one(struct md_call *call)
{
	int rc = md_fetch(call);

	if (rc == 0)
		return POLYCHAT_ENOTFOUND;
	return rc < 0 ? rc : 0;
}

/* md_call_end - see mariadb-conn.h. */
int md_call_end(struct md_call *call, int status)
{
	if (call->conn->broken)
		conn_drop(call->conn);
	else
		mysql_stmt_free_result(call->st);
	return status;
}

/* md_max_value - see mariadb-conn.h. */
size_t md_max_value(const struct md_call *call)
{
	unsigned long max = call->conn->max_packet;

	return max > MD_PACKET_MARGIN ? max - MD_PACKET_MARGIN : 0;
}

/* md_text_ok - see mariadb-conn.h. */
int md_text_ok(const char *s, size_t max, int may_be_empty)
{
	if (!s)
		return POLYCHAT_EINVAL;
	size_t len = strnlen(s, max + 1);
	if (len > max || (len == 0 && !may_be_empty))
		return POLYCHAT_EINVAL;
	return 0;
}
