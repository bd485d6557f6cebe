/* SPDX-License-Identifier: MIT */
/* A token bucket: how suites pace what one client may send. */
#ifndef PC_RATE_H
#define PC_RATE_H

#include <stdint.h>

struct pc_rate {
	double tokens;        /* what may be taken now */
	uint64_t refilled_ms; /* when `tokens` was last brought up to date */
	int64_t per_s;        /* refill rate; 0 = no limit */
	int64_t burst;        /* the most that can pile up */
};

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t pc_monotonic_ms(void);

/* A full bucket of `burst` tokens refilled at `per_s` a second. */
void pc_rate_init(struct pc_rate *r, int64_t per_s, int64_t burst, uint64_t now_ms);

/* Take one token: 0 if there was one, else how many milliseconds until
 * there is (nothing taken). */
uint64_t pc_rate_take(struct pc_rate *r, uint64_t now_ms);

#endif /* PC_RATE_H */
