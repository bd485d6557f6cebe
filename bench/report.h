/* SPDX-License-Identifier: MIT */
/* polychat-bench: the results of one run, printed as a table and written as CSV, JSON and gnuplot input. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stddef.h>

#include "bench.h"
#include "limit.h"
#include "load.h"

#define REPORT_MAX 128

struct rep_hs {
	int target;
	char variant[16];   /* "faithful", "unpaced" */
	int full;           /* a full login, not only the handshake */
	unsigned conc;
	struct churn_result r;
};

struct rep_fan {
	int target;
	char variant[16];
	struct fan_result r;
};

struct rep_idle {
	int target;
	char variant[16];
	struct idle_result r;
};

struct report {
	char date[32];
	char cpu[128], kernel[256], openssl[128], libuv[32], ngircd[128], commit[64];
	unsigned nproc;
	long mem_kib;
	double elapsed_s;
	const struct bench_opts *opts;
	int have_limit;
	struct limit_result limit;
	struct rep_hs hs[REPORT_MAX];
	size_t n_hs;
	struct rep_fan fan[REPORT_MAX];
	size_t n_fan;
	struct rep_idle idle[REPORT_MAX];
	size_t n_idle;
	char notes[32][200];   /* skipped parts, failures: printed and kept */
	size_t n_notes;
};

/* Fill the machine description (CPU, kernel, versions, date). */
void report_machine(struct report *rep, const struct bench_opts *o);
/* Keep a note for the table and the files (also printed at once). */
void report_note(struct report *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the tables (results, ratios to the limit and to the peer). */
void report_print(const struct report *rep);
/* Write results.csv, results.json, the .dat series and plots.gp into
 * rep->opts->outdir. 0 or -1. */
int report_write(const struct report *rep);

#endif /* BENCH_REPORT_H */
