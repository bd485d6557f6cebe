/* SPDX-License-Identifier: MIT */
/* Crypto-suite plugins: one wire protocol end to end, server and client half. */
#ifndef POLYCHAT_SUITE_H
#define POLYCHAT_SUITE_H

#include <polychat/host.h>
#include <polychat/auth.h>
#include <polychat/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What a suite instance (one per listener) is given. Everything is borrowed
 * and lives as long as the instance. `auth` and `store` are the listener's
 * bindings (ops already checked and completed by the core); their functions
 * may block and are therefore only called from thread-pool jobs.
 */
struct polychat_suite_env {
	const struct polychat_host *host;
	struct polychat_listener *listener;   /* NULL in the client */
	const struct polychat_options *options;
	const struct polychat_auth_ref *auth;   /* ops NULL if the listener has none */
	const struct polychat_store_ref *store; /* ops NULL if the listener has none */
};

/* What the polychat client hands a client half, borrowed for the session. */
struct polychat_client_env {
	const struct polychat_host *host;
	const struct polychat_options *options; /* from --opt key=value */
	const char *user;       /* --user, or NULL */
	const char *secret;     /* from --password-file or $POLYCHAT_PASSWORD, or NULL */
	const char *state_dir;  /* per-user client state (keys, ids), created */
};

/*
 * Method types. Server-half methods run on the loop thread and must never
 * block: anything slow goes through host->conn_job. Return 0 or a negative
 * POLYCHAT_E* code unless said otherwise.
 */

/* Validate the listener's option block without side effects (used by
 * --configtest and before a reload). Report problems with host->opt_error.
 * Optional: absent means "no options". */
typedef int polychat_suite_check_fn(const struct polychat_host *host,
	const struct polychat_options *opts);
/* Create the instance for one listener. *instance is set only on success. */
typedef int polychat_suite_create_fn(const struct polychat_suite_env *env,
	void **instance);
/* Destroy an instance; every session and job of it is gone. Accepts NULL. */
typedef void polychat_suite_destroy_fn(void *instance);

/* A connection was accepted: set up the session and write any greeting.
 * The suite owns the raw byte stream from the first byte. On failure the
 * core closes the connection; close is not called. */
typedef int polychat_session_open_fn(void *instance, struct polychat_conn *conn,
	void **session);
/* Bytes arrived. `data` holds everything not consumed so far followed by
 * the new read. Return the number of bytes consumed (0..len; the rest is
 * offered again with the next read), or a negative code: the core then
 * closes the connection (logging the code) without flushing. To end a
 * session cleanly, call host->conn_close and return the bytes consumed. */
typedef long polychat_session_input_fn(void *session, const uint8_t *data,
	size_t len);
/* Deliver a routed message to this session's peer, encoded in the suite's
 * wire format. Returns 0, POLYCHAT_ENOTSUP (this session cannot carry such
 * a message: it is skipped), or another negative code (logged). */
typedef int polychat_session_deliver_fn(void *session,
	const struct polychat_message *msg);
/* The daemon is stopping or the listener is removed: tell the peer if the
 * protocol has a way to (the core flushes and closes afterwards).
 * Optional. */
typedef void polychat_session_shutdown_fn(void *session);
/* The connection is gone (peer closed, error, or conn_close): free the
 * session. `status` is 0 for an orderly close or the negative code that
 * ended it. Called once, after every job of the connection is done; the
 * conn handle is still valid during the call (for notices to others). */
typedef void polychat_session_close_fn(void *session, int status);

/* Client half: the TCP connection to the server is up. The client half
 * needs no instance (create is not called by the client). */
typedef int polychat_client_open_fn(const struct polychat_client_env *env,
	struct polychat_conn *conn, void **session);
/* A line the user typed (without the newline; may be empty). Lines that
 * start with '/' are commands; return POLYCHAT_ENOTSUP for a command the
 * suite does not know (the client then prints its help). */
typedef int polychat_client_line_fn(void *session, const char *line, size_t len);
/* The help text of the client's suite commands: lines "  /cmd  what",
 * static, or NULL when the suite has no commands of its own. */
typedef const char *polychat_client_help_fn(void);

/*
 * The ops of one suite, ABI 1.0. Append-only: a member added later goes at
 * the end with a comment naming its ABI minor. The core copies the plugin's
 * table into a zeroed one of its own size, so members a plugin does not know
 * read as NULL and get defaults.
 */
struct polychat_suite_ops {
	/* instance (one per listener) */
	polychat_suite_check_fn *check;        /* optional */
	polychat_suite_create_fn *create;      /* mandatory */
	polychat_suite_destroy_fn *destroy;    /* mandatory */
	/* server half: mandatory as a group if the suite serves */
	polychat_session_open_fn *session_open;
	polychat_session_input_fn *session_input;
	polychat_session_deliver_fn *session_deliver;
	polychat_session_shutdown_fn *session_shutdown; /* optional */
	polychat_session_close_fn *session_close;
	/* client half: mandatory as a group if the suite has a client */
	polychat_client_open_fn *client_open;
	polychat_session_input_fn *client_input;
	polychat_client_line_fn *client_line;
	polychat_session_close_fn *client_close;
	polychat_client_help_fn *client_help;           /* optional */
};

#ifdef __cplusplus
}
#endif

#endif /* POLYCHAT_SUITE_H */
