/* SPDX-License-Identifier: MIT */
/* A stand-in for polychatd's host API, to unit-test plugins. */
#ifndef STUB_HOST_H
#define STUB_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/host.h>

/*
 * stub_host - the host table handed to plugins under test. It is complete
 * (size and ABI filled, every member set) and lives for the process.
 *
 * Real members, safe from any thread:
 *   log, vlog     record each line (see stub_log_*) and echo those at or
 *                 above the severity in $STUB_HOST_LOG ("error" .. "debug",
 *                 or "none"; default "warning") to stderr
 *   alloc, calloc, free, wipe, wipe_free
 *                 malloc/calloc/free, counted (stub_alloc_outstanding), with
 *                 failure injection (stub_alloc_fail_after); wipe uses
 *                 explicit_bzero
 *   random        OpenSSL RAND_bytes; POLYCHAT_ECRYPTO if it fails
 *   opt_string, opt_int, opt_bool, opt_error, state_path
 *                 the daemon's own option code (core/options.c); build
 *                 blocks with stub_options_new
 *
 * Recording fakes for the loop-only members (call them from the test's
 * thread only). Nothing runs by itself: the test drives time, jobs and
 * delivery explicitly, so no test needs to sleep.
 *   conn_write    appends the bytes to the connection's output and records
 *                 the message boundary; returns the status set with
 *                 stub_conn_set_write_result (default 0), or
 *                 POLYCHAT_ECLOSED after conn_close (nothing recorded then)
 *   conn_write_notify
 *                 conn_write, then queues `done(arg, 0)` as a job (run by
 *                 stub_jobs_run): a recorded message counts as written
 *   conn_close    records flush and reason (first call only: idempotent)
 *                 and releases the identity (conn_identity is then NULL)
 *   conn_set_write_gap, conn_set_input_limit, conn_pause, conn_resume
 *                 record the setting (stub_conn_write_gap, ...)
 *   conn_peer, conn_peer_ip, conn_local_ip, conn_listener, conn_identity
 *                 answer from what stub_conn_new was given (the local IP
 *                 is the loopback address of the peer's family unless set
 *                 with stub_conn_set_local_ip) and from conn_bind
 *   listener_name, listener_realm
 *                 answer from stub_listener_new
 *   conn_timer, listener_timer, timer_stop
 *                 timers on a fake clock that starts at 0 and moves only in
 *                 stub_clock_advance, which fires due timers in order
 *   conn_job, listener_job, conn_job_cpu, listener_job_cpu
 *                 queue the job (the CPU class is not limited here); stub_jobs_run runs work then done on the
 *                 calling thread, stub_jobs_cancel calls done with
 *                 POLYCHAT_ECANCELED
 *   conn_bind, identity_lookup
 *                 identities per realm, EEXIST / EINVAL as documented
 *                 (ECLOSED on a closing connection), released by
 *                 conn_close and stub_conn_free
 *   room_join, room_leave
 *                 room membership per connection (stub_conn_in_room)
 *   deliver, listener_deliver
 *                 record a copy of each call (stub_delivery_*) and return
 *                 how many stub connections the target covers; no suite
 *                 callback is called
 *   ui_show       records each call per connection (stub_conn_ui_*)
 *   ui_secret     counts the calls per connection and keeps the last
 *                 prompt (stub_conn_secret_*); it shows nothing
 */
const struct polychat_host *stub_host(void);

/* Free every connection, listener, timer, job, delivery, log line and
 * option block of the stub and reset the clock, the counters and the
 * failure injection. For tests that run several cases in one process. */
void stub_host_reset(void);

/* --- log --- */

/* Lines recorded so far ("LEVEL who: text"; who may be empty). */
size_t stub_log_count(void);
/* Line i (0 = oldest) or NULL; valid until the next stub_log_clear. */
const char *stub_log_line(size_t i);
/* Whether any recorded line contains `needle` (a plain substring). */
int stub_log_contains(const char *needle);
/* How many lines of `level` (POLYCHAT_LOG_*) were logged. */
size_t stub_log_count_level(int level);
void stub_log_clear(void);

/* --- memory --- */

/* host->alloc/calloc results not yet given to host->free/wipe_free. */
long stub_alloc_outstanding(void);
/* Let `n` more allocations succeed, then fail every one (NULL) until
 * called again; n < 0 disables the injection. */
void stub_alloc_fail_after(long n);

/* --- options --- */

/*
 * An option block for a plugin under test, with `key`, `value` pairs (all
 * strings, as YAML scalars are) after `state_dir`, ending with a NULL key:
 * stub_options_new(dir, "path", "x.db", NULL), or stub_options_new(dir,
 * NULL) for an empty block. Relative paths are
 * resolved against `state_dir` (copied; NULL: none). Errors the plugin
 * reports are kept with the block (stub_options_errors). NULL on ENOMEM or
 * a duplicate key.
 */
struct polychat_options *stub_options_new(const char *state_dir, ...)
	__attribute__((sentinel));
/* Add one more option. Returns 0, POLYCHAT_EEXIST, POLYCHAT_ENOMEM. */
int stub_options_set(struct polychat_options *opts, const char *key,
	const char *value);
/* Errors recorded through opt_error and the typed readers. */
size_t stub_options_errors(const struct polychat_options *opts);
/* Error i as "path.key: message", or NULL. */
const char *stub_options_error(const struct polychat_options *opts, size_t i);
int stub_options_error_contains(const struct polychat_options *opts,
	const char *needle);
/* Report the options nobody read as errors; returns how many. */
int stub_options_unused(struct polychat_options *opts);
/* Free a block from stub_options_new. Accepts NULL. */
void stub_options_free(struct polychat_options *opts);

/* --- listeners and connections --- */

/* A listener named `name` in identity realm `realm` (NULL: the name). */
struct polychat_listener *stub_listener_new(const char *name,
	const char *realm);
/* Free a listener, its connections and their timers and jobs. */
void stub_listener_free(struct polychat_listener *listener);

/* A connection of `listener` from ip:port ("[ip]:port" for IPv6). */
struct polychat_conn *stub_conn_new(struct polychat_listener *listener,
	const char *ip, unsigned port);
/* Free a connection: its identity, rooms, timers and pending jobs (their
 * done is not called) go with it. Accepts NULL. */
void stub_conn_free(struct polychat_conn *conn);

/* Set what conn_local_ip answers (copied, up to 63 bytes). */
void stub_conn_set_local_ip(struct polychat_conn *conn, const char *ip);

/* Every byte conn_write accepted, in order; *len gets the total. */
const uint8_t *stub_conn_output(const struct polychat_conn *conn,
	size_t *len);
/* How many conn_write calls were accepted (message boundaries). */
size_t stub_conn_writes(const struct polychat_conn *conn);
/* The bytes of accepted write i, or NULL. */
const uint8_t *stub_conn_write_at(const struct polychat_conn *conn, size_t i,
	size_t *len);
/* Forget the recorded output. */
void stub_conn_clear_output(struct polychat_conn *conn);
/* Make conn_write return `status` (0 accepts) and record nothing else. */
void stub_conn_set_write_result(struct polychat_conn *conn, int status);

/* Whether conn_close was called; *flush and *reason (may be NULL) get
 * the arguments of the first call. */
int stub_conn_closed(const struct polychat_conn *conn, int *flush,
	const char **reason);
int stub_conn_paused(const struct polychat_conn *conn);
unsigned stub_conn_write_gap(const struct polychat_conn *conn);
/* The input limit set, or 0 if never set. */
size_t stub_conn_input_limit(const struct polychat_conn *conn);
int stub_conn_in_room(const struct polychat_conn *conn, const char *room);

/* ui_show calls recorded for `conn`; *kind, *from (NULL if none) and the
 * text of call i. Returns 0, or -1 if there is no call i. */
size_t stub_conn_ui_count(const struct polychat_conn *conn);
int stub_conn_ui_at(const struct polychat_conn *conn, size_t i, int *kind,
	const char **from, const uint8_t **text, size_t *len);
/* How many of the ui_show calls recorded for `conn` were of `kind`
 * (POLYCHAT_UI_*). */
size_t stub_conn_ui_count_kind(const struct polychat_conn *conn, int kind);

/* How many times ui_secret was called for `conn`, and the prompt of the
 * last call (NULL if none, or if it passed NULL). */
size_t stub_conn_secret_count(const struct polychat_conn *conn);
const char *stub_conn_secret_prompt(const struct polychat_conn *conn);

/* --- time and timers --- */

/* The fake clock in milliseconds. */
uint64_t stub_clock_now(void);
/* Move the clock forward by `ms`, firing every timer that falls due on the
 * way, earliest first (creation order on ties); repeating timers fire as
 * often as they fall due. Returns how many callbacks ran. */
size_t stub_clock_advance(uint64_t ms);
/* Timers neither stopped nor finished. */
size_t stub_timers_active(void);

/* --- thread-pool jobs --- */

size_t stub_jobs_pending(void);
/* Run every queued job in order, including jobs queued by the callbacks:
 * work(arg) then done(arg, 0). Returns how many ran. */
size_t stub_jobs_run(void);
/* Call done(arg, POLYCHAT_ECANCELED) for every queued job, work not run. */
size_t stub_jobs_cancel(void);

/* --- delivery --- */

/* A recorded deliver or listener_deliver call; every pointer is a copy
 * owned by the stub. */
struct stub_delivery {
	struct polychat_conn *from;         /* NULL for listener_deliver */
	struct polychat_listener *listener; /* listener_deliver, or from's */
	int target_kind;                    /* 0 for listener_deliver */
	char *target_name;                  /* NULL if none */
	struct polychat_conn *target_conn;
	unsigned flags;
	int msg_kind;
	int body_kind;
	char *msg_from;                     /* NULL if none */
	uint8_t *body;
	size_t body_len;
	uint8_t *extra;
	size_t extra_len;
	int reached;                        /* what the call returned */
};

size_t stub_deliveries(void);
/* Delivery i (0 = oldest), or NULL. Valid until stub_deliveries_clear. */
const struct stub_delivery *stub_delivery_at(size_t i);
void stub_deliveries_clear(void);

#endif /* STUB_HOST_H */
