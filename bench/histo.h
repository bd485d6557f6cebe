/* SPDX-License-Identifier: MIT */
/* polychat-bench: a fixed-size log-linear latency histogram (about 1.6 % resolution). */
#ifndef BENCH_HISTO_H
#define BENCH_HISTO_H

#include <stdint.h>

/* 64 sub-buckets per power of two, values up to 2^40 ns (18 minutes). */
#define HISTO_BUCKETS (64 * 36)

struct histo {
	uint64_t count;
	uint64_t max;
	uint64_t bucket[HISTO_BUCKETS];
};

void histo_reset(struct histo *h);
/* Record one value in nanoseconds (larger values land in the last bucket). */
void histo_add(struct histo *h, uint64_t ns);
/* The value below which a fraction q (0..1) of the records lie, in
 * nanoseconds (the bucket's middle); 0 when empty. */
uint64_t histo_quantile(const struct histo *h, double q);

#endif /* BENCH_HISTO_H */
