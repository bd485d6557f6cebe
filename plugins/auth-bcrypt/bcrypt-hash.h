/* SPDX-License-Identifier: MIT */
/* bcrypt "$2b$" hashing and checking through libxcrypt, safe on any thread. */
#ifndef BC_HASH_H
#define BC_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/host.h>

/* bcrypt only reads 72 bytes; longer secrets are refused, not cut. */
#define BC_SECRET_MAX 72
#define BC_COST_MIN 4
#define BC_COST_MAX 31
/* "$2b$12$" + 22 salt + 31 hash characters. */
#define BC_HASH_LEN 60

/*
 * Whether `secret` can be hashed: 1..72 bytes, no NUL byte (C strings stop
 * there, so two different secrets would hash alike). 0 or POLYCHAT_EINVAL.
 */
int bc_secret_ok(const uint8_t *secret, size_t len);

/*
 * Hash `secret` with a fresh random salt at `cost` into `out`
 * ("$2b$CC$...", NUL-terminated). Thread-safe; takes bcrypt's time. Returns
 * 0, POLYCHAT_EINVAL (secret or cost), POLYCHAT_ENOMEM, POLYCHAT_ECRYPTO.
 * Scratch memory holding key material is wiped with the host.
 */
int bc_hash(const struct polychat_host *host, const uint8_t *secret, size_t len,
	unsigned cost, char out[BC_HASH_LEN + 1]);

/*
 * Check `secret` against a stored "$2a$"/"$2b$"/"$2y$" hash (as Python's
 * bcrypt makes them), comparing in constant time. Returns 0 (match),
 * POLYCHAT_EAUTH (no match), POLYCHAT_EINVAL (secret not hashable),
 * POLYCHAT_EIO (the stored hash is not a bcrypt hash), POLYCHAT_ENOMEM.
 */
int bc_check(const struct polychat_host *host, const uint8_t *secret, size_t len,
	const char *hash);

#endif /* BC_HASH_H */
