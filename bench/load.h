/* SPDX-License-Identifier: MIT */
/* polychat-bench: the three workloads (handshake churn, room fan-out, idle sessions) and their results. */
#ifndef BENCH_LOAD_H
#define BENCH_LOAD_H

#include <stdint.h>

#include <uv.h>

#include "bench.h"
#include "crowd.h"
#include "histo.h"

/* --- handshakes/s: connect, handshake (or full login), close, again --- */

struct churn_result {
	double seconds;          /* the measured window */
	uint64_t done, failed;
	double rate;             /* completions per second in the window */
	double p50_ms, p99_ms;   /* connect -> completion */
	double server_cpu;       /* cores the server used (1.0 = one core) */
	double bench_cpu;        /* cores this process used */
};

/* A churn that can also run beside another workload on the same loop. */
struct churn;
/* Start `conc` connections to srv->ports[0]; each that completes (the
 * handshake, or with `full` the login) is closed and replaced. Member
 * names cycle through prefix0 .. prefix(names - 1). NULL on failure. */
struct churn *churn_start(uv_loop_t *loop, const struct server_ref *srv, unsigned conc,
	unsigned names, int full);
/* Count from now on (completions before this are warm-up). */
void churn_mark(struct churn *ch);
/* Stop replacing, close what is open, fill *out for the time since
 * churn_mark, and free. */
void churn_stop(struct churn *ch, struct churn_result *out);

/* Run a churn alone for warm-up plus `seconds`. 0 or -1. */
int load_handshakes(const struct server_ref *srv, unsigned conc, unsigned names, int full,
	double seconds, struct churn_result *out);

/* --- room fan-out --- */

struct fan_phase {
	double seconds;
	uint64_t sent, delivered;
	double send_rate;        /* messages/s the senders got out */
	double rate;             /* deliveries/s (each message counts once per receiver) */
	double p50_ms, p99_ms, p999_ms, max_ms;
	double server_cpu, bench_cpu;
	int stalled;             /* a sender's window stopped moving: deliveries lost */
};

struct fan_result {
	unsigned n, ready, senders;
	size_t size;
	double setup_s;
	struct fan_phase peak;   /* closed loop: each sender keeps `window` in flight */
	struct fan_phase half;   /* open loop at half of peak's send rate */
	struct fan_phase logins; /* as `half`, with bcrypt logins churning beside it */
	unsigned lost;           /* sessions that ended during the run */
	int have_logins;
	double logins_rate;      /* logins/s completed during `logins` */
};

/*
 * N members in one room of srv (ports[0]), M senders, bodies of S bytes
 * with a timestamp; `login` (may be NULL) is the listener for the logins
 * phase. Returns 0 when the room came up (the phases say what they got),
 * -1 when it did not.
 */
int load_fanout(const struct server_ref *srv, const struct server_ref *login,
	const struct bench_opts *o, unsigned n, struct fan_result *out);

/* --- idle sessions --- */

struct idle_result {
	unsigned k, ready, rooms;
	double setup_s;
	long rss_before_kib, rss_after_kib;
	double bytes_per_session;
	unsigned lost;
};

/* K members in rooms of o->idle_room, then the server's RSS. 0 or -1. */
int load_idle(const struct server_ref *srv, const struct bench_opts *o, unsigned k,
	struct idle_result *out);

#endif /* BENCH_LOAD_H */
