/* SPDX-License-Identifier: MIT */
/* KyloChat's in-band admin commands (§5): parsing and the exact reply texts. */
#ifndef KYLO_COMMANDS_H
#define KYLO_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/polychat.h>

/* What a command may touch; borrowed for the call. */
struct kylo_cmd_env {
	const struct polychat_host *host;
	const struct polychat_store_ref *store;
	const struct polychat_auth_ref *auth;
	const char *realm;
	/* `/lsip`'s answer, prepared on the loop thread (kylo_tuple_repr of
	 * the live sessions' addresses); NULL when the line is not /lsip. */
	const char *lsip;
};

/* The reply a non-admin gets for any command. */
#define KYLO_ACCESS_DENIED "ACCESS DENIED: Admin privileges required"

/*
 * Whether `text` (the decoded message body) is a command: it starts with
 * "/" and the part up to the first space is one of §5's names, compared
 * case-sensitively. Sets *is_lsip for `/lsip`. Other `/words` are chat.
 */
int kylo_is_command(const uint8_t *text, size_t len, int *is_lsip);

/*
 * Run the command line `text` for an admin, calling the store and auth
 * methods (so: on a worker thread). The reply goes to *reply (allocated
 * with host->alloc, not NUL-terminated) and its length to *reply_len; it
 * is never empty. Returns 0 or POLYCHAT_ENOMEM; store failures are part of
 * the reply texts, as in the original.
 */
int kylo_command_run(const struct kylo_cmd_env *env, const uint8_t *text,
	size_t len, uint8_t **reply, size_t *reply_len);

/* The help text, byte-exact (785 bytes). */
extern const char kylo_help_text[];

#endif /* KYLO_COMMANDS_H */
