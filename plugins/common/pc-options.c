/* SPDX-License-Identifier: MIT */
/* Reading a listener's options into a struct of defaults, one line an option, with one verdict at the end. */
#include <polychat/status.h>

#include "pc-options.h"

/* pc_opt_int - see pc-options.h. */
void pc_opt_int(const struct polychat_host *host,
	const struct polychat_options *opts, const char *key, int64_t min,
	int64_t max, int64_t *out, int *rc)
{
	if (host->opt_int(opts, key, min, max, out) == POLYCHAT_ECONFIG)
		*rc = POLYCHAT_ECONFIG;
}

/* pc_opt_bool - see pc-options.h. */
void pc_opt_bool(const struct polychat_host *host,
	const struct polychat_options *opts, const char *key, int *out, int *rc)
{
	if (host->opt_bool(opts, key, out) == POLYCHAT_ECONFIG)
		*rc = POLYCHAT_ECONFIG;
}
