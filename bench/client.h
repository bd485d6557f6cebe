/* SPDX-License-Identifier: MIT */
/* polychat-bench: one load-generator connection on the libuv loop, and the protocol driver it runs. */
#ifndef BENCH_CLIENT_H
#define BENCH_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct bclient;

/*
 * A protocol driver: the client side of one wire protocol, built on the
 * suite's own codec library (the code its client half uses). One static
 * const table per protocol (proto-*.c).
 */
struct bench_proto {
	const char *name;
	size_t state_size;  /* zeroed per connection, at c->st */
	/* Largest chat body the protocol carries in one message. */
	size_t max_body;
	/* The TCP connection is up: send what this protocol's client sends
	 * first (nothing where the server speaks first). 0 or negative. */
	int (*start)(struct bclient *c);
	/* Bytes arrived: data holds everything not consumed yet. Consume
	 * whole units, raising events (bclient_*_done, bclient_message,
	 * bclient_notice); return the bytes consumed (0: wait for more), or a
	 * negative code to drop the connection. */
	long (*input)(struct bclient *c, const uint8_t *data, size_t len);
	/* Send one chat message with this body (only once ready). 0 or
	 * negative. */
	int (*send)(struct bclient *c, const uint8_t *body, size_t len);
	/* Free what the state holds (keys are wiped). */
	void (*release)(struct bclient *c);
};

/* What a workload hears from its connections. Each may close the
 * connection (bclient_close); none fires after that. */
struct bclient_events {
	/* The suite's handshake is complete (the first server answer that
	 * needed the keys). */
	void (*handshake)(struct bclient *c);
	/* Logged in / joined the room: the connection may chat. */
	void (*ready)(struct bclient *c);
	/* A chat message from another member, decrypted: its body. */
	void (*message)(struct bclient *c, const uint8_t *body, size_t len);
	/* A system line (join, leave, login notice). */
	void (*notice)(struct bclient *c);
	/* The connection is gone (0, or the error that ended it); `c` is
	 * freed when this returns. */
	void (*closed)(struct bclient *c, int error);
};

struct bclient {
	uv_tcp_t tcp;
	uv_connect_t connect;
	const struct bench_proto *proto;
	const struct bclient_events *ev;
	void *owner;            /* the workload */
	uint32_t id;            /* the workload's index */
	int closing;
	int error;              /* why it closes, when it does */
	uint64_t t_open;        /* bench_now_ns() at bclient_open */
	/* Borrowed from the workload for the connection's life. */
	const char *user;       /* account or nickname */
	const char *password;   /* kylochat accounts */
	const char *room;       /* IRC channel to join, NULL for none */
	int stop_at_handshake;  /* drivers go no further than the handshake */
	uint8_t *in;
	size_t in_len, in_cap;
	size_t out_pending;     /* bytes handed to libuv, not yet written */
	void *st;               /* the driver's state, proto->state_size */
};

/*
 * Open a connection to `addr` (from source address `src`, NULL for the
 * kernel's choice) speaking `proto`; `ev` and `owner` stay borrowed. On
 * success *out is the connection and `ev->closed` comes exactly once
 * later; on failure (negative return) nothing is called.
 */
int bclient_open(uv_loop_t *loop, const struct sockaddr_in *addr,
	const struct sockaddr_in *src, const struct bench_proto *proto,
	const struct bclient_events *ev, void *owner, uint32_t id, struct bclient **out);
/* Queue bytes (copied) for one write. 0 or negative. */
int bclient_write(struct bclient *c, const void *data, size_t len);
/* Close; idempotent. `error` is what `closed` will be told (first wins). */
void bclient_close(struct bclient *c, int error);

/* For drivers: raise the events of the same names (each checks that the
 * connection is not closing). */
void bclient_handshake_done(struct bclient *c);
void bclient_ready(struct bclient *c);
void bclient_message(struct bclient *c, const uint8_t *body, size_t len);
void bclient_notice(struct bclient *c);

/* Largest input a connection buffers before it counts as broken. */
#define BCLIENT_INPUT_MAX (1u << 20)

#endif /* BENCH_CLIENT_H */
