/* SPDX-License-Identifier: MIT */
/* One TCP connection: bounded input buffer, whole-message paced writes, close. */
#ifndef PC_CONN_H
#define PC_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include <polychat/host.h>

#include "timer.h"

struct pc_room_link;

/* What drives a connection: a suite's server half (listener) or client
 * half (client). All callbacks run on the loop thread. */
struct pc_conn_driver {
	/* Offer buffered input; returns consumed bytes or a negative code. */
	long (*input)(struct polychat_conn *conn, const uint8_t *data, size_t len);
	/* The connection starts closing: it must stop receiving deliveries
	 * (identity and rooms released). Optional. */
	void (*closing)(struct polychat_conn *conn);
	/* The connection is closed and its jobs are done: free the session
	 * (conn->session, conn->status). Called only if session_open is set. */
	void (*session_close)(struct polychat_conn *conn);
	/* Everything is released except the conn memory: the owner forgets it
	 * (the conn is freed right after this returns). */
	void (*gone)(void *owner, struct polychat_conn *conn);
};


struct pc_wmsg; /* one queued outgoing message */

struct polychat_conn {
	uv_tcp_t tcp;
	uint64_t id;                         /* unique per process, for logs */
	const struct pc_conn_driver *driver;
	void *owner;                         /* the pc_listener or the client */
	struct polychat_listener *listener;  /* NULL in the client */
	const char *who;                     /* listener name, for logs */
	const struct pc_component *suite;    /* the suite serving this conn */
	void *session;                       /* the suite's session, once open */

	/* Input not yet consumed by the suite. */
	uint8_t *in;
	size_t in_len, in_cap, in_limit;

	/* Whole messages waiting to be written, oldest first. */
	struct pc_wmsg *out_head, *out_tail;
	size_t out_bytes, out_limit;
	unsigned gap_ms;
	uint64_t last_write_end;             /* uv_now of the last completed write */
	uv_write_t write_req;
	uv_timer_t pace_timer;               /* waits out the write gap */
	uv_timer_t resume_timer;             /* offers buffered input after resume */
	uv_timer_t close_timer;              /* bounds the flush when closing */

	unsigned jobs;                       /* jobs not yet done */
	struct pc_timer_list timers;

	char peer[64];
	char peer_ip[48];
	char local_ip[48];
	char *identity;                      /* bound identity (router) */
	struct pc_room_link *rooms;          /* rooms joined (router) */
	struct polychat_conn *prev, *next;   /* the owner's list */

	unsigned writing : 1, paused : 1, closing : 1, flush : 1,
		handles_closed : 1, session_open : 1, reading : 1;
	int status;                          /* what ended it */
	char reason[128];                    /* why it is closing, for the log */
	unsigned handles_open;               /* tcp and timers not yet closed */
	uint32_t close_timeout_ms;
};

/* Initialise a connection whose tcp handle the caller will connect or
 * accept into. Returns 0 or a negative code. The conn is not yet reading. */
int pc_conn_init(struct polychat_conn *conn, uv_loop_t *loop,
	const struct pc_conn_driver *driver, void *owner, size_t in_limit,
	size_t out_limit, uint32_t close_timeout_ms);
/* Record the peer address and start reading. */
int pc_conn_start(struct polychat_conn *conn);

/* The polychat_host conn functions. */
int pc_conn_write(struct polychat_conn *conn, const uint8_t *data, size_t len);
int pc_conn_write_notify(struct polychat_conn *conn, const uint8_t *data,
	size_t len, polychat_done_fn *done, void *done_arg);
void pc_conn_close(struct polychat_conn *conn, int flush, const char *reason);
void pc_conn_set_write_gap(struct polychat_conn *conn, unsigned ms);
void pc_conn_set_input_limit(struct polychat_conn *conn, size_t bytes);
void pc_conn_pause(struct polychat_conn *conn);
void pc_conn_resume(struct polychat_conn *conn);
const char *pc_conn_peer(const struct polychat_conn *conn);
const char *pc_conn_peer_ip(const struct polychat_conn *conn);
const char *pc_conn_local_ip(const struct polychat_conn *conn);

/* Job accounting: a conn's session is closed only when jobs reach zero. */
void pc_conn_job_started(struct polychat_conn *conn);
void pc_conn_job_finished(struct polychat_conn *conn);

/* Abort: close immediately with status (used when the peer errs). */
void pc_conn_abort(struct polychat_conn *conn, int status, const char *reason);

#endif /* PC_CONN_H */
