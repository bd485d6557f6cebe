/* SPDX-License-Identifier: MIT */
/* Reading a listener's options into a struct of defaults, one line an option, with one verdict at the end. */
#ifndef PC_OPTIONS_H
#define PC_OPTIONS_H

#include <stdint.h>

#include <polychat/host.h>

/*
 * Read the integer option `key` (min..max) into *out through
 * host->opt_int. An absent option keeps *out, the caller's default. One
 * of the wrong type or out of range leaves *out alone and sets *rc to
 * POLYCHAT_ECONFIG (the host has recorded the error for the operator);
 * otherwise *rc is untouched, so a run of reads reports every bad option
 * before the caller gives up.
 */
void pc_opt_int(const struct polychat_host *host,
	const struct polychat_options *opts, const char *key, int64_t min,
	int64_t max, int64_t *out, int *rc);

/* The same for the boolean option `key` (*out 0 or 1). */
void pc_opt_bool(const struct polychat_host *host,
	const struct polychat_options *opts, const char *key, int *out, int *rc);

#endif /* PC_OPTIONS_H */
