/* SPDX-License-Identifier: MIT */
/* Suite `pychat`: Diffie-Hellman group 14, the key derivation, AES-256-CFB8, Base64 and the 10-byte header (pychat.md §2, §4). */
#ifndef PYCHAT_CRYPTO_H
#define PYCHAT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "../common/pc-base64.h"

#define PYCHAT_KEY_LEN 32
#define PYCHAT_IV_LEN 16
/* Base64 of the IV: 24 characters ending "==". */
#define PYCHAT_IV_B64_LEN 24
#define PYCHAT_HEADER_LEN 10
/* The longest decimal value below the 2048-bit prime. */
#define PYCHAT_DH_DIGITS 617

/*
 * One side's Diffie-Hellman key in RFC 3526 group 14 (g = 2), §4.1: the
 * private exponent and the public value as the decimal text the wire
 * carries. Embedded by its user; pychat_dh_clear frees what it holds.
 */
struct pychat_dh {
	void *priv; /* BIGNUM, in OpenSSL's secure heap when it has one */
	char pub[PYCHAT_DH_DIGITS + 1];
	size_t pub_len;
};

/*
 * A fresh key. The exponent has 256 random bits: twice the group's
 * 112-bit strength (SP 800-56A asks for at least 224), an eighth of the
 * cost of pyDHE's full-size one; peers cannot tell the difference.
 * Returns 0, POLYCHAT_ENOMEM or POLYCHAT_ECRYPTO.
 */
int pychat_dh_generate(struct pychat_dh *dh);

/* The key with a given big-endian exponent (test vectors). The exponent
 * must lie in [1, p-1]. */
int pychat_dh_from_private(struct pychat_dh *dh, const uint8_t *x, size_t len);

/* Wipe and free the exponent; the struct may be reused. */
void pychat_dh_clear(struct pychat_dh *dh);

/*
 * The AES key shared with the peer whose public value is the decimal text
 * peer[0..len): SHA-256 of the shared secret's decimal text (§4.2). The
 * text must be 1..617 plain digits without a leading zero and the value
 * must satisfy 2 <= y <= p-2 (§10: 0, 1 and p-1 give predictable keys).
 * Returns 0, POLYCHAT_EPROTO for a value refused, POLYCHAT_ENOMEM or
 * POLYCHAT_ECRYPTO.
 */
int pychat_dh_derive(const struct pychat_dh *dh, const char *peer, size_t len,
	uint8_t key[PYCHAT_KEY_LEN]);

/* SHA-256 of `text` (the decimal secret, or "None" for the original
 * server's keyless connections). Returns 0 or POLYCHAT_ECRYPTO. */
int pychat_key_from_text(const char *text, size_t len, uint8_t key[PYCHAT_KEY_LEN]);

/* AES-256-CFB8 from the IV, restarted for every frame (§4.3): `out`
 * receives `len` bytes (it may be `in`). Returns 0 or POLYCHAT_ECRYPTO. */
int pychat_cfb8(const uint8_t key[PYCHAT_KEY_LEN], const uint8_t iv[PYCHAT_IV_LEN],
	int encrypt, const uint8_t *in, size_t len, uint8_t *out);

/* The header of an n-byte payload: decimal, left-aligned, space-padded.
 * n must have at most 10 digits. */
void pychat_header_format(size_t n, uint8_t out[PYCHAT_HEADER_LEN]);

/*
 * Read a header as the original does (§2), strictly: optional spaces and
 * tabs, 1..10 digits, optional spaces and tabs, nothing else. A length
 * over `cap` is POLYCHAT_ETOOBIG, anything malformed POLYCHAT_EPROTO.
 */
int pychat_header_parse(const uint8_t in[PYCHAT_HEADER_LEN], size_t cap, size_t *n);

#endif /* PYCHAT_CRYPTO_H */
