/* SPDX-License-Identifier: MIT */
/* polychat-bench: a fixed-size log-linear latency histogram (about 1.6 % resolution). */
#include <string.h>

#include "histo.h"

/*
 * Values below 128 get a bucket each; above, a value with its top bit at
 * position b >= 7 is shifted right by s = b - 6 so that 64..127 remain,
 * and lands at 64 * s + (that). The buckets are contiguous: 127 -> 127,
 * 128 -> 128, 255 -> 191, 256 -> 192. Memory is fixed whatever the
 * number of records, which a fan-out of a million deliveries needs.
 */
static unsigned bucket_of(uint64_t v)
{
	if (v < 128)
		return (unsigned)v;
	unsigned shift = (unsigned)(63 - __builtin_clzll(v)) - 6;
	unsigned idx = 64 * shift + (unsigned)(v >> shift);
	return idx < HISTO_BUCKETS ? idx : HISTO_BUCKETS - 1;
}

/* The middle of a bucket's range. */
static uint64_t value_of(unsigned idx)
{
	if (idx < 128)
		return idx;
	unsigned shift = idx / 64 - 1;
	uint64_t low = (uint64_t)(idx % 64 + 64) << shift;
	return low + (((uint64_t)1 << shift) >> 1);
}

/* histo_reset - see histo.h. */
void histo_reset(struct histo *h)
{
	memset(h, 0, sizeof(*h));
}

/* histo_add - see histo.h. */
void histo_add(struct histo *h, uint64_t ns)
{
	h->bucket[bucket_of(ns)]++;
	h->count++;
	if (ns > h->max)
		h->max = ns;
}

/* histo_quantile - see histo.h. */
uint64_t histo_quantile(const struct histo *h, double q)
{
	if (h->count == 0)
		return 0;
	/* The rank of the record asked for, 1-based, never past the last. */
	uint64_t rank = (uint64_t)(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HISTO_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t v = value_of(i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}
