/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: Fernet tokens and their keys, and Base64 as Python decodes it (fernet-hybrid.md §5.2, §5.3). */
#ifndef FERNET_TOKEN_H
#define FERNET_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/host.h>

/* K_raw: 16 bytes of signing key, then 16 of encryption key (§5.2). */
#define FERNET_KEY_LEN 32
/* K_text: K_raw in URL-safe Base64 with padding, what RSA carries. */
#define FERNET_KEY_TEXT_LEN 44
#define FERNET_IV_LEN 16
#define FERNET_VERSION 0x80
/* Version, timestamp, IV and HMAC around the ciphertext. */
#define FERNET_OVERHEAD 57
/* The shortest token_raw: one block of ciphertext (PKCS#7 always pads). */
#define FERNET_RAW_MIN (FERNET_OVERHEAD + 16)

/* len(token_raw) for an n-byte plaintext: 57 + 16 * (n / 16 + 1). */
size_t fernet_token_raw_len(size_t n);
/* len(token) for an n-byte plaintext: the raw length in Base64, padded. */
size_t fernet_token_len(size_t n);

/* K_text of a key: FERNET_KEY_TEXT_LEN characters, no NUL. */
void fernet_key_text(const uint8_t key[FERNET_KEY_LEN], char text[FERNET_KEY_TEXT_LEN]);

/*
 * The key a K_text stands for, strictly: exactly 44 characters of the
 * URL-safe alphabet ending in one '=', unused bits zero. The original
 * (Fernet's constructor) decodes leniently; an honest sender always
 * produces this form, so nothing it sends is refused. Returns 0 or
 * POLYCHAT_EPROTO (key untouched).
 */
int fernet_key_from_text(const char *text, size_t len, uint8_t key[FERNET_KEY_LEN]);

/*
 * The token of `pt[0..n)` under `key`, with the given IV and timestamp
 * (seconds since the epoch, big-endian on the wire): §5.3 exactly,
 * fernet_token_len(n) characters written to `out` (no NUL). The IV and
 * time are parameters so that the §6.3 vector can be rebuilt; a sender
 * passes fresh random bytes and the current time. Returns 0 or
 * POLYCHAT_ECRYPTO / POLYCHAT_ENOMEM. Thread: any.
 */
int fernet_token_make(const struct polychat_host *host, const uint8_t key[FERNET_KEY_LEN],
	const uint8_t iv[FERNET_IV_LEN], uint64_t timestamp, const uint8_t *pt, size_t n,
	char *out);

/*
 * Open a token as the original's Fernet.decrypt (no TTL) does, checks in
 * this order: the lenient URL-safe decoding below; version 0x80; a length
 * of 73 + 16k bytes; the HMAC-SHA256 over everything before it, compared in
 * constant time, BEFORE anything is decrypted; AES-128-CBC and PKCS#7; the
 * plaintext valid UTF-8. The timestamp is never checked (§5.3).
 *
 * On success *pt is the plaintext (host->alloc'd, NUL-terminated: give it
 * back with host->wipe_free(*pt, *pt_len + 1)), *pt_len its length and
 * *timestamp (may be NULL) the token's time. On failure nothing is output
 * and no plaintext byte is left in memory. Returns 0, POLYCHAT_EAUTH (the
 * HMAC does not match: wrong key or tampered token), POLYCHAT_EPROTO (not a
 * token, bad padding or not UTF-8), POLYCHAT_ENOMEM or POLYCHAT_ECRYPTO.
 */
int fernet_token_open(const struct polychat_host *host, const uint8_t key[FERNET_KEY_LEN],
	const char *token, size_t len, uint8_t **pt, size_t *pt_len, uint64_t *timestamp);

/* Alphabets for fernet_b64_lenient. */
#define FERNET_B64_STANDARD 0 /* base64.b64decode: "+/" */
#define FERNET_B64_URLSAFE 1  /* base64.urlsafe_b64decode: "-_", and "+/" too */

/*
 * Base64 as CPython 3's binascii.a2b_base64 decodes it without
 * validation (what base64.b64decode and urlsafe_b64decode do, and so the
 * original for tokens and wrapped keys): every byte outside the alphabet
 * is skipped; a '=' counts as padding only after two or more data
 * characters of a quantum, and once the quantum is complete with it,
 * decoding stops there (anything after is ignored); leftover bits are not
 * checked. A final quantum of one data character, or an incomplete one
 * without its padding, is an error. URL-safe decoding maps '-' and '_'
 * onto '+' and '/' first, so both pairs are accepted there, as in Python.
 * `out` holds at least len / 4 * 3 + 3 bytes. Returns 0 or POLYCHAT_EPROTO.
 */
int fernet_b64_lenient(const char *in, size_t len, int alphabet, uint8_t *out,
	size_t *out_len);

#endif /* FERNET_TOKEN_H */
