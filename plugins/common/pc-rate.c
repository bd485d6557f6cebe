/* SPDX-License-Identifier: MIT */
/* A token bucket: how suites pace what one client may send. */
#include <time.h>

#include "pc-rate.h"

uint64_t pc_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void pc_rate_init(struct pc_rate *r, int64_t per_s, int64_t burst, uint64_t now_ms)
{
	r->per_s = per_s;
	r->burst = burst;
	r->tokens = (double)burst;
	r->refilled_ms = now_ms;
}

uint64_t pc_rate_take(struct pc_rate *r, uint64_t now_ms)
{
	if (r->per_s <= 0)
		return 0;
	if (now_ms > r->refilled_ms)
		r->tokens += (double)(now_ms - r->refilled_ms) * (double)r->per_s / 1000.0;
	if (r->tokens > (double)r->burst)
		r->tokens = (double)r->burst;
	r->refilled_ms = now_ms;
	if (r->tokens >= 1.0) {
		r->tokens -= 1.0;
		return 0;
	}
	return (uint64_t)((1.0 - r->tokens) * 1000.0 / (double)r->per_s) + 1;
}
