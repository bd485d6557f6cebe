/* SPDX-License-Identifier: MIT */
/* Stub host internals shared by its files: the fake objects and members. */
#ifndef STUB_INTERNAL_H
#define STUB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/host.h>

/* Longest identity or room name the daemon accepts. */
#define NAME_MAX_BYTES 255

struct polychat_listener {
	struct polychat_listener *next;
	char *name;
	char *realm;
};

struct ui_record {
	int kind;
	char *from;
	uint8_t *text;
	size_t len;
};

struct polychat_conn {
	struct polychat_conn *next;
	struct polychat_listener *listener;
	char peer[80];
	char ip[64];
	char local_ip[64];
	char *identity;
	uint8_t *out;          /* every accepted byte */
	size_t out_len;
	size_t out_cap;
	size_t *ends;          /* end offset of each accepted write */
	size_t n_writes;
	size_t cap_writes;
	int write_result;
	int closed;
	int close_flush;
	char *close_reason;
	int paused;
	unsigned write_gap;
	size_t input_limit;
	char **rooms;
	size_t n_rooms;
	struct ui_record *ui;
	size_t n_ui;
	size_t n_secret;       /* ui_secret calls */
	char *secret_prompt;   /* the prompt of the last one */
};

/* Every live connection (stub-conn.c), newest first. */
extern struct polychat_conn *stub_conns;

/* Make room for `need` elements of `size` bytes in *arr (stub-conn.c).
 * Returns 0 or POLYCHAT_ENOMEM. */
int stub_grow(void **arr, size_t *cap, size_t need, size_t size);

/* Free (or, while firing, orphan) every timer owned by `conn` or
 * `listener` and drop their pending jobs without calling them
 * (stub-loop.c). */
void stub_drop_owned(struct polychat_conn *conn,
	struct polychat_listener *listener);

/* Free every listener and connection and every delivery (stub-conn.c). */
void stub_conn_reset(void);

/* The members of struct polychat_host that stub-loop.c implements; their
 * behaviour is described in stub-host.h. */
int stub_conn_write(struct polychat_conn *conn, const uint8_t *data,
	size_t len);
int stub_conn_write_notify(struct polychat_conn *conn, const uint8_t *data,
	size_t len, polychat_done_fn *done, void *arg);
int stub_conn_job_cpu(struct polychat_conn *conn, polychat_work_fn *work,
	polychat_done_fn *done, void *arg);
int stub_listener_job_cpu(struct polychat_listener *listener,
	polychat_work_fn *work, polychat_done_fn *done, void *arg);
void stub_conn_close(struct polychat_conn *conn, int flush,
	const char *reason);
void stub_conn_set_write_gap(struct polychat_conn *conn, unsigned ms);
void stub_conn_set_input_limit(struct polychat_conn *conn, size_t bytes);
void stub_conn_pause(struct polychat_conn *conn);
void stub_conn_resume(struct polychat_conn *conn);
const char *stub_conn_peer(const struct polychat_conn *conn);
const char *stub_conn_peer_ip(const struct polychat_conn *conn);
const char *stub_conn_local_ip(const struct polychat_conn *conn);
struct polychat_listener *stub_conn_listener(const struct polychat_conn *conn);
const char *stub_conn_identity(const struct polychat_conn *conn);
const char *stub_listener_name(const struct polychat_listener *listener);
const char *stub_listener_realm(const struct polychat_listener *listener);
struct polychat_timer *stub_conn_timer(struct polychat_conn *conn,
	uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg);
struct polychat_timer *stub_listener_timer(struct polychat_listener *listener,
	uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg);
void stub_timer_stop(struct polychat_timer *timer);
int stub_conn_job(struct polychat_conn *conn, polychat_work_fn *work,
	polychat_done_fn *done, void *arg);
int stub_listener_job(struct polychat_listener *listener,
	polychat_work_fn *work, polychat_done_fn *done, void *arg);
int stub_conn_bind(struct polychat_conn *conn, const char *identity);
struct polychat_conn *stub_identity_lookup(struct polychat_listener *listener,
	const char *identity);
int stub_room_join(struct polychat_conn *conn, const char *room);
int stub_room_leave(struct polychat_conn *conn, const char *room);
int stub_deliver(struct polychat_conn *from, const struct polychat_target *to,
	const struct polychat_message *msg);
int stub_listener_deliver(struct polychat_listener *listener,
	const struct polychat_message *msg);
void stub_ui_show(struct polychat_conn *conn, int kind, const char *from,
	const uint8_t *text, size_t len);
void stub_ui_secret(struct polychat_conn *conn, const char *prompt);

/* Free every listener, connection, timer, job and delivery and set the
 * clock back to 0 (stub-loop.c). */
void stub_loop_reset(void);

#endif /* STUB_INTERNAL_H */
