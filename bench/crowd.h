/* SPDX-License-Identifier: MIT */
/* polychat-bench: many members of a server brought up at a bounded pace, and the loop run until a condition holds. */
#ifndef BENCH_CROWD_H
#define BENCH_CROWD_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "client.h"

/* Where and how members reach a server under test. */
struct server_ref {
	int target;                        /* enum bench_target */
	const struct bench_proto *proto;
	pid_t pid;                         /* for /proc readings */
	const int *ports;                  /* one per room (polychat: a listener each) */
	size_t n_ports;
	int irc;                           /* rooms are channels on ports[0] */
	const char *prefix;                /* member i is named prefix + i */
	const char *password;              /* kylochat accounts, else NULL */
};

/* The address of `port` on 127.0.0.1. */
void server_addr(int port, struct sockaddr_in *out);

struct crowd {
	uv_loop_t *loop;
	const struct server_ref *srv;
	unsigned n;                  /* members wanted */
	unsigned per_room;           /* members per room (port or channel) */
	unsigned ramp;               /* set-ups in flight at most */
	struct bclient **member;     /* n entries, NULL once closed */
	char (*name)[24];
	char (*room)[24];
	uint8_t *is_ready;
	unsigned opened, ready, failed, lost, open_now;
	int dispersing;
	uint64_t notices;
	uint64_t last_event_ns;      /* last ready or notice */
	int first_error;
	uint32_t src_counter;
	/* Chat messages members receive go here (NULL: ignored). */
	void (*on_message)(void *arg, struct bclient *c, const uint8_t *body, size_t len);
	void *arg;
};

/* Allocate a crowd of n members, per_room to a room. 0 or -1. */
int crowd_init(struct crowd *cr, uv_loop_t *loop, const struct server_ref *srv, unsigned n,
	unsigned per_room, unsigned ramp);
/* Open the members (at most `ramp` setting up at once) and run the loop
 * until every one is ready or failed and no notice came for `quiet_ms`,
 * bounded by `bound_s`. Returns the members ready. */
unsigned crowd_gather(struct crowd *cr, unsigned quiet_ms, double bound_s);
/* Close every member and run the loop until they are gone. Frees. */
void crowd_disperse(struct crowd *cr);

/* Run `loop` until done(arg) returns non-zero (checked every `tick_ms`)
 * or `bound_s` passes; a NULL `done` runs it for `bound_s`. Returns 1 if
 * the condition held. */
int loop_run_until(uv_loop_t *loop, int (*done)(void *arg), void *arg, unsigned tick_ms,
	double bound_s);

#endif /* BENCH_CROWD_H */
