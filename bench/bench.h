/* SPDX-License-Identifier: MIT */
/* polychat-bench: what every part of the load generator shares (options, clock, targets). */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* What a run measures: one polychat suite, or a peer server. */
enum bench_target {
	BT_KYLOCHAT = 0,
	BT_PYCHAT,
	BT_FERNET,
	BT_NGIRCD,
	BT_NULL,       /* the crypto-free relay of --serve-null: fernet's limit */
	BT_COUNT
};

/* The target names used on the command line, in the table and the files. */
const char *bench_target_name(int target);

#define BENCH_MAX_SWEEP 16

/* Every knob of a run; defaults in polychat-bench.c (bench_opts_default). */
struct bench_opts {
	const char *builddir;     /* where core/polychatd and plugins/ live */
	const char *outdir;       /* results.csv, results.json, plots */
	int smoke;                /* tiny sizes: does the tool work at all */
	unsigned targets;         /* bit per enum bench_target */
	int want_peer;            /* run ngIRCd where it is installed */

	/* handshakes/s */
	unsigned hs_conc;         /* connections in flight at once */
	double hs_seconds;
	unsigned login_conc;      /* kylochat full logins in flight */
	double login_seconds;
	unsigned login_cost;      /* bcrypt cost of the login accounts */

	/* room fan-out */
	unsigned fan_n[BENCH_MAX_SWEEP];        /* unpaced sweep */
	size_t n_fan_n;
	unsigned paced_n[BENCH_MAX_SWEEP];      /* protocol-faithful sweep */
	size_t n_paced_n;
	unsigned senders;         /* M */
	size_t msg_size;          /* S: body bytes, timestamp included */
	unsigned window;          /* messages a sender keeps in flight at peak */
	double fan_seconds;       /* per measured phase */
	unsigned logins_under_load; /* kylochat: bcrypt logins beside the half-peak phase */

	/* idle sessions */
	unsigned idle_k;
	unsigned idle_room;       /* members per room (listener / channel) */

	/* set-up */
	unsigned ramp;            /* connections being set up at once */
	unsigned fill_cost;       /* bcrypt cost of the fan-out/idle accounts */
	double limit_seconds;     /* OpenSSL rate measurement per operation */
	unsigned threads;         /* for the limit: every core */
	double settle_s;          /* bound on waiting for a room to go quiet */
};

/* Monotonic time in nanoseconds: the only clock timestamps in bodies use. */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Print a progress line on stderr ("== ..."), so stdout keeps the table. */
void bench_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* BENCH_H */
