/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: RSA-OAEP (SHA-256, MGF1-SHA-256, no label) around the message key (fernet-hybrid.md §5.1, §5.2). */
#ifndef FERNET_OAEP_H
#define FERNET_OAEP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* The OAEP seed: one SHA-256 output. */
#define FERNET_SEED_LEN 32
/* The largest RSA key this suite uses (fernet-keys.h), in bytes. */
#define FERNET_RSA_MAX_BYTES 1024

/* The size of a ciphertext under `key` (its modulus in bytes), 0 if it is
 * not an RSA key this suite uses. */
size_t fernet_oaep_len(const EVP_PKEY *key);

/*
 * Encrypt in[0..n) for the public key `pub` (RSA, up to
 * FERNET_RSA_MAX_BYTES), with a fresh seed from OpenSSL's CSPRNG. `out`
 * holds fernet_oaep_len(pub) bytes; *out_len gets that length. n must fit
 * (at most the modulus length minus 66). Returns 0, POLYCHAT_EINVAL or
 * POLYCHAT_ECRYPTO. Thread: any.
 */
int fernet_oaep_wrap(EVP_PKEY *pub, const uint8_t *in, size_t n, uint8_t *out,
	size_t *out_len);

/*
 * The same with a given seed, so that the §6.4 vectors can be rebuilt:
 * RFC 8017 EME-OAEP encoding done here, then the raw RSA operation. For
 * tests only: a sender that reuses a seed leaks whether two messages are
 * equal. Returns as fernet_oaep_wrap.
 */
int fernet_oaep_wrap_seeded(EVP_PKEY *pub, const uint8_t seed[FERNET_SEED_LEN],
	const uint8_t *in, size_t n, uint8_t *out, size_t *out_len);

/*
 * Decrypt in[0..n) with the private key `priv` into out[0..cap);
 * *out_len gets the plaintext length. OpenSSL checks the padding in
 * constant time. Returns 0, POLYCHAT_EPROTO (not a ciphertext for this
 * key: wrong length, wrong key, bad padding) or POLYCHAT_ETOOBIG (the
 * plaintext does not fit in cap). On failure `out` holds nothing.
 */
int fernet_oaep_unwrap(EVP_PKEY *priv, const uint8_t *in, size_t n, uint8_t *out,
	size_t cap, size_t *out_len);

#endif /* FERNET_OAEP_H */
