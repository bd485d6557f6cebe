/* SPDX-License-Identifier: MIT */
/* KyloChat crypto and framing: RSA-OAEP key transport, AES-CBC + HMAC frames, server units. */
#ifndef KYLO_CRYPTO_H
#define KYLO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <polychat/host.h>

/*
 * Everything here follows kylochat.md §2-§4 (the 3ee7835 wire format)
 * and is safe on any thread: no function keeps state between calls, and
 * each builds its own OpenSSL contexts.
 *
 * Status codes, the same meaning everywhere:
 *   POLYCHAT_EINVAL   the caller's mistake (NULL, a frame kind other than
 *                     2 or 4, an empty plaintext, a key that is not RSA-2048)
 *   POLYCHAT_EPROTO   the peer's bytes are malformed: wrong sizes, a length
 *                     prefix that no frame can have, bad PKCS#7 padding, a
 *                     key of the wrong length, an empty plaintext
 *   POLYCHAT_ECRYPTO  the peer's bytes do not authenticate or decrypt (bad
 *                     tag, bad OAEP block), or OpenSSL failed
 *   POLYCHAT_ETOOBIG  a length over the frame kind's or the caller's cap
 *   POLYCHAT_ENOSPACE the caller's output buffer is too small
 *   POLYCHAT_ENOMEM   out of memory
 * A function that fails leaves every output (buffers included) as it was;
 * the one exception is an OpenSSL failure (POLYCHAT_ECRYPTO or
 * POLYCHAT_ENOMEM) in the middle of kylo_frame_seal or kylo_frame_open,
 * which may leave zeros in the output buffer, never partial data. Input
 * and output buffers must not overlap.
 */

#define KYLO_KEY_LEN 32      /* K_enc and K_mac */
#define KYLO_IV_LEN 16
#define KYLO_BLOCK_LEN 16    /* AES block */
#define KYLO_TAG_LEN 32      /* HMAC-SHA256 */
#define KYLO_RSA_BITS 2048
#define KYLO_KEYBLOCK1_LEN 256
#define KYLO_KEYBLOCK2_LEN 64
/* Largest key KeyBlock1 can carry: OAEP-SHA256 under RSA-2048. */
#define KYLO_KEYBLOCK1_MAX_KEY (KYLO_KEYBLOCK1_LEN - 2 * 32 - 2)
/* ServerHello of an RSA-2048 key with e = 65537: u16le(451) || PEM. */
#define KYLO_HELLO_LEN 453
/* Longest PEM a client accepts in a ServerHello. */
#define KYLO_HELLO_PEM_MAX 4096

/* Frame kinds: the size of the length prefix. */
#define KYLO_SHORT 2
#define KYLO_INT 4
/* Smallest LEN: IV, one cipher block, tag. */
#define KYLO_FRAME_MIN (KYLO_IV_LEN + KYLO_BLOCK_LEN + KYLO_TAG_LEN)
/* Longest plaintexts whose LEN still fits the prefix (2^(8n) - 65). */
#define KYLO_SHORT_PLAIN_MAX 65471u
#define KYLO_INT_PLAIN_MAX 0xffffffbfu

/* Login phase answers, raw bytes (§4.2). */
#define KYLO_LOGIN_OK 0x00
#define KYLO_LOGIN_FAILED 0x01

/* Chat phase units, server to client (§4.5). */
#define KYLO_UNIT_MESSAGE 0x01
#define KYLO_UNIT_STATUS 0x02
#define KYLO_STATUS_LEN 3
enum kylo_status_code {
	KYLO_STATUS_COMMAND = 100,
	KYLO_STATUS_OK = 200,
	KYLO_STATUS_BAD_REQUEST = 400,
	KYLO_STATUS_EXPIRED = 401,
	KYLO_STATUS_FORBIDDEN = 403,
};

/* The session keys, chosen by the client; the same in both directions.
 * Key material: wipe it (kylo_keys_wipe) before the memory goes. */
struct kylo_keys {
	uint8_t enc[KYLO_KEY_LEN]; /* AES-256-CBC */
	uint8_t mac[KYLO_KEY_LEN]; /* HMAC-SHA256 over the ciphertext */
};

/* Overwrite `keys` with zeros through host->wipe. Accepts NULL. */
void kylo_keys_wipe(const struct polychat_host *host, struct kylo_keys *keys);

/* --- RSA and the handshake (§4.1) --- */

/*
 * A fresh RSA-2048 key (e = 65537) into *out, which the caller frees with
 * EVP_PKEY_free. Takes tens of milliseconds: run it on the thread pool.
 * Returns 0 or POLYCHAT_ECRYPTO.
 */
int kylo_rsa_generate(EVP_PKEY **out);

/*
 * Server: the ServerHello of `key` (an RSA-2048 key, borrowed), that is
 * u16le(L) || the SubjectPublicKeyInfo PEM (64-character lines, "\n" line
 * ends, "\n" after the END line), into `out` (KYLO_HELLO_LEN bytes suffice
 * for e = 65537). Sets *out_len. Returns 0, POLYCHAT_EINVAL,
 * POLYCHAT_ENOSPACE, POLYCHAT_ENOMEM or POLYCHAT_ECRYPTO.
 */
int kylo_hello_build(EVP_PKEY *key, uint8_t *out, size_t out_cap,
	size_t *out_len);

/*
 * Client: how many bytes the ServerHello starting at `data` occupies.
 * Sets *total to 0 while fewer than 2 bytes are available, else to 2 + L;
 * the whole hello is there once len >= *total. Returns 0, POLYCHAT_EPROTO
 * (L = 0) or POLYCHAT_ETOOBIG (L > KYLO_HELLO_PEM_MAX).
 */
int kylo_hello_size(const uint8_t *data, size_t len, size_t *total);

/*
 * Client: the server's public key from a whole ServerHello (len must be
 * exactly 2 + L) into *out, freed by the caller with EVP_PKEY_free.
 * Returns 0, POLYCHAT_EPROTO (sizes, not a PEM public key, not RSA-2048),
 * POLYCHAT_ETOOBIG, POLYCHAT_ENOMEM.
 */
int kylo_hello_parse(const uint8_t *data, size_t len, EVP_PKEY **out);

/*
 * Client: KeyBlock1, the RSA-OAEP (SHA-256, MGF1-SHA-256, empty label)
 * encryption of `key` (1..KYLO_KEYBLOCK1_MAX_KEY bytes; the protocol sends
 * KYLO_KEY_LEN) under the RSA-2048 public key `pub`, with a fresh random
 * seed from OpenSSL's DRBG. Returns 0, POLYCHAT_EINVAL, POLYCHAT_ENOMEM,
 * POLYCHAT_ECRYPTO.
 */
int kylo_keyblock1_build(EVP_PKEY *pub, const uint8_t *key, size_t key_len,
	uint8_t out[KYLO_KEYBLOCK1_LEN]);

/*
 * Client: KeyBlock2 = iv || AES-256-CBC(keys->enc, iv, PKCS7(keys->mac)).
 * Returns 0, POLYCHAT_EINVAL, POLYCHAT_ENOMEM, POLYCHAT_ECRYPTO.
 */
int kylo_keyblock2_build(const struct kylo_keys *keys,
	const uint8_t iv[KYLO_IV_LEN], uint8_t out[KYLO_KEYBLOCK2_LEN]);

/*
 * Client: choose K_enc, IV_hs and K_mac with host->random and write
 * KeyBlock1 || KeyBlock2 (320 bytes, to be sent back to back) into `out`
 * and the keys into *keys. Scratch is wiped. Returns 0, POLYCHAT_EINVAL,
 * POLYCHAT_ENOMEM, POLYCHAT_ECRYPTO.
 */
int kylo_client_handshake(const struct polychat_host *host, EVP_PKEY *pub,
	struct kylo_keys *keys,
	uint8_t out[KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN]);

/*
 * Server: K_enc from KeyBlock1 (`len` must be 256) with the private key
 * `priv`. The OAEP plaintext must be exactly 32 bytes (16 and 24 are
 * refused: the protocol runs AES-256). Returns 0, POLYCHAT_EPROTO (size,
 * key length), POLYCHAT_ECRYPTO (not an OAEP block under this key),
 * POLYCHAT_EINVAL, POLYCHAT_ENOMEM.
 */
int kylo_keyblock1_open(EVP_PKEY *priv, const uint8_t *data, size_t len,
	uint8_t enc[KYLO_KEY_LEN]);

/*
 * Server: K_mac from KeyBlock2 (`len` must be 64): bytes 16..63 decrypted
 * with K_enc `enc` and IV bytes 0..15, strict PKCS#7, exactly 32 bytes
 * left. KeyBlock2 carries no MAC. Returns 0, POLYCHAT_EPROTO,
 * POLYCHAT_EINVAL, POLYCHAT_ENOMEM, POLYCHAT_ECRYPTO.
 */
int kylo_keyblock2_open(const uint8_t enc[KYLO_KEY_LEN], const uint8_t *data,
	size_t len, uint8_t mac[KYLO_KEY_LEN]);

/*
 * Server: both blocks at once; *keys is written only when both are good.
 * Returns what kylo_keyblock1_open or kylo_keyblock2_open returned.
 */
int kylo_handshake_open(EVP_PKEY *priv, const uint8_t *kb1, size_t kb1_len,
	const uint8_t *kb2, size_t kb2_len, struct kylo_keys *keys);

/* --- encrypted frames (§3.2) --- */

/*
 * The bytes a frame of kind `len_bytes` (KYLO_SHORT or KYLO_INT) with an
 * `n`-byte plaintext occupies, prefix included, into *size. Returns 0,
 * POLYCHAT_EINVAL (kind, n = 0) or POLYCHAT_ETOOBIG (n over the kind's
 * KYLO_*_PLAIN_MAX).
 */
int kylo_frame_size(unsigned len_bytes, size_t n, size_t *size);

/*
 * Seal `plain` (n >= 1 bytes) into LEN (len_bytes, little-endian) || iv ||
 * CT || TAG, CT = AES-256-CBC(keys->enc, iv, PKCS7(plain)) and TAG =
 * HMAC-SHA256(keys->mac, CT). `iv` must be fresh random bytes for every
 * frame (tests fix it). Sets *out_len to kylo_frame_size. Returns 0,
 * POLYCHAT_EINVAL, POLYCHAT_ETOOBIG, POLYCHAT_ENOSPACE, POLYCHAT_ENOMEM,
 * POLYCHAT_ECRYPTO.
 */
int kylo_frame_seal(const struct kylo_keys *keys, unsigned len_bytes,
	const uint8_t iv[KYLO_IV_LEN], const uint8_t *plain, size_t n,
	uint8_t *out, size_t out_cap, size_t *out_len);

/*
 * Read a frame's length prefix from a byte stream. Sets *total to 0 while
 * fewer than `len_bytes` bytes are available, else to len_bytes + LEN: the
 * whole frame is there once len >= *total. Refuses a LEN over `cap`
 * (POLYCHAT_ETOOBIG: the caller decides between reading and discarding it
 * or closing) and a LEN no frame can have, below KYLO_FRAME_MIN or not a
 * multiple of 16 (POLYCHAT_EPROTO). POLYCHAT_EINVAL for a bad kind.
 */
int kylo_frame_header(const uint8_t *data, size_t len, unsigned len_bytes,
	size_t cap, size_t *total);

/*
 * Open the `len` bytes that follow a frame's length prefix (IV || CT ||
 * TAG). The tag is checked in constant time before anything is decrypted;
 * then the plaintext, strictly unpadded, must be at least one byte. It goes
 * to `out` (at most len - 49 bytes, so out_cap = len always suffices) and
 * its length to *out_len. Returns 0, POLYCHAT_EPROTO (CT empty or not a
 * multiple of 16, bad padding, empty plaintext), POLYCHAT_ECRYPTO (tag),
 * POLYCHAT_ENOSPACE, POLYCHAT_EINVAL, POLYCHAT_ENOMEM.
 * The IV is not authenticated (§9): flipping its bits flips the same bits
 * of the first plaintext block, undetected.
 */
int kylo_frame_open(const struct kylo_keys *keys, const uint8_t *data,
	size_t len, uint8_t *out, size_t out_cap, size_t *out_len);

/* --- server units (§4.3, §4.5) --- */

/* STATUS: 0x02 || u16le(code), to be written in one piece. */
void kylo_unit_status(uint16_t code, uint8_t out[KYLO_STATUS_LEN]);

/*
 * MESSAGE: 0x01 || SF(sender) || IF(body), sealed with `iv_sender` and
 * `iv_body` (fresh random bytes each; tests fix them) into one buffer from
 * host->alloc, so that it goes out in a single write. On success *out owns
 * it (the caller releases it with host->free) and *out_len is its size.
 * Sender and body must not be empty. Returns 0, POLYCHAT_EINVAL,
 * POLYCHAT_ETOOBIG, POLYCHAT_ENOMEM, POLYCHAT_ECRYPTO.
 */
int kylo_unit_message(const struct polychat_host *host,
	const struct kylo_keys *keys, const uint8_t iv_sender[KYLO_IV_LEN],
	const uint8_t iv_body[KYLO_IV_LEN], const uint8_t *sender,
	size_t sender_len, const uint8_t *body, size_t body_len,
	uint8_t **out, size_t *out_len);

/* The sender name of system messages. */
#define KYLO_SERVER_NAME "SERVER"

/*
 * The text of the notices the server sends as MESSAGE from SERVER: login
 * is ESC[32m name ESC[39m " logged in " U+1F44B (name as typed), exit is
 * ESC[31m name " disconnected" (name from the database). `name` is raw
 * bytes. Writes the text to `out` and its length to *out_len. Returns 0,
 * POLYCHAT_EINVAL (NULL) or POLYCHAT_ENOSPACE.
 */
int kylo_notice_login(const uint8_t *name, size_t name_len, uint8_t *out,
	size_t out_cap, size_t *out_len);
int kylo_notice_exit(const uint8_t *name, size_t name_len, uint8_t *out,
	size_t out_cap, size_t *out_len);

#endif /* KYLO_CRYPTO_H */
