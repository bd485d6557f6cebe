/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: the chat package, hybrid encryption end to end (fernet-hybrid.md §5.4, §5.5). */
#ifndef FERNET_PACKAGE_H
#define FERNET_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <polychat/host.h>

#include "fernet-oaep.h"
#include "fernet-token.h"

/* What an original client reads in one recv(): a longer package is
 * split on its way and never decrypts there (§2, §5.5). */
#define FERNET_PACKAGE_MAX 4096

/* One recipient of a package, in the order of the sender's key table. */
struct fernet_recipient {
	const char *nick;    /* UTF-8 (json.dumps escapes it), borrowed */
	size_t nick_len;
	EVP_PKEY *key;       /* RSA public key, borrowed */
	/* The OAEP seed (FERNET_SEED_LEN bytes) to rebuild the §6.4/§6.5
	 * vectors; NULL in real use: a fresh random one. */
	const uint8_t *seed;
};

/*
 * The package of plaintext pt[0..n) for `count` recipients, byte for byte
 * as the original's json.dumps writes it:
 *   {"encrypted_message": "<token>", "encrypted_keys": {"<nick>": "<b64>", ...}}
 * with the token made under K_raw `key`, IV `iv` and `timestamp`, and for
 * each recipient in order the standard Base64 of RSA-OAEP(K_text).
 * len = 45 + len(token) + sum(352 + len(escaped nick)) for 2048-bit keys.
 * *out (host->alloc'd, NUL-terminated; host->free it) and *out_len are set
 * only on success. No size limit is applied here. Returns 0, POLYCHAT_EINVAL
 * (count is 0 or a key is not usable), POLYCHAT_ENOMEM or POLYCHAT_ECRYPTO.
 * Thread: any.
 */
int fernet_package_make(const struct polychat_host *host, const uint8_t key[FERNET_KEY_LEN],
	const uint8_t iv[FERNET_IV_LEN], uint64_t timestamp, const uint8_t *pt, size_t n,
	const struct fernet_recipient *to, size_t count, char **out, size_t *out_len);

/*
 * The same as a sender does it: a fresh K_raw and IV from host->random,
 * the current time, random OAEP seeds (the recipients' seeds must be
 * NULL). The key is wiped before this returns. Additionally
 * POLYCHAT_ECRYPTO if the CSPRNG fails.
 */
int fernet_package_seal(const struct polychat_host *host, const uint8_t *pt, size_t n,
	const struct fernet_recipient *to, size_t count, char **out, size_t *out_len);

/*
 * Decrypt a package for `nick` with its private key `priv`, as the
 * original's decrypt_hybrid: json[0..len) is parsed as json.loads does
 * (any valid JSON object; of repeated members the last counts; other
 * members are ignored); "encrypted_keys" must be an object with a member
 * named exactly `nick` whose value is an ASCII string; that string is
 * Base64-decoded leniently (fernet_b64_lenient, standard alphabet), must
 * be one RSA block and decrypt under OAEP to a 44-byte K_text
 * (fernet_key_from_text); "encrypted_message" must be a string holding a
 * token that opens (fernet_token_open: HMAC checked before decrypting)
 * under that key.
 *
 * *pt (NUL-terminated; host->wipe_free(*pt, *pt_len + 1)) and *pt_len are
 * set only on success. Returns 0, POLYCHAT_ENOTFOUND (no entry for
 * `nick`: not for us), POLYCHAT_EAUTH (the token's HMAC does not match),
 * POLYCHAT_EPROTO (anything else malformed or undecryptable),
 * POLYCHAT_ENOMEM or POLYCHAT_ECRYPTO. Nothing is logged.
 */
int fernet_package_open(const struct polychat_host *host, EVP_PKEY *priv, const char *nick,
	size_t nick_len, const uint8_t *json, size_t len, uint8_t **pt, size_t *pt_len);

#endif /* FERNET_PACKAGE_H */
