/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat`: the end-to-end message blob and the key bundles of 1603/1610 (e2ee-chat.md §7). */
#ifndef E2EE_BLOB_H
#define E2EE_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "e2ee-wire.h"
#include "xg-prims.h"

#define E2EE_SALT_LEN 16
#define E2EE_NONCE_LEN 12
/* salt || nonce || signature, before the ciphertext. */
#define E2EE_BLOB_OVERHEAD (E2EE_SALT_LEN + E2EE_NONCE_LEN + E2EE_SIG_LEN)
/* Salt and tag: a blob is E2EE_BLOB_OVERHEAD + len(plaintext) + 16. */
#define E2EE_BLOB_MIN (E2EE_BLOB_OVERHEAD + XG_GCM_TAG_LEN)
/* The largest plaintext one 829 can carry within 2048 bytes (§7.3). */
#define E2EE_TEXT_MAX (E2EE_PACKET_MAX - E2EE_REQ_HEADER - E2EE_PHONE_LEN - E2EE_BLOB_MIN)
/* What the original client's UI allows, in characters. */
#define E2EE_TEXT_UI_MAX 1000
/* RSA-PSS salt length for RSA-4096 with SHA-256 (§7.2). */
#define E2EE_PSS_SALT 478
#define E2EE_RSA_BITS 4096
#define E2EE_HKDF_INFO "message_encryption"

/*
 * Seal `text` (len bytes) from the sender (X25519 private `my_dh`, RSA-4096
 * signing key `my_rsa`) to the recipient's X25519 public key `peer_dh`:
 * out = salt || nonce || sig || ct||tag, E2EE_BLOB_MIN + len bytes (the
 * caller provides that room). `salt`/`nonce` may be NULL (then random) or
 * fixed values (the test vectors). Returns the blob length or a negative
 * code: POLYCHAT_ETOOBIG when len > E2EE_TEXT_MAX, POLYCHAT_EINVAL when
 * `my_rsa` is not an RSA-4096 key (its signatures would not be 512 bytes),
 * POLYCHAT_ECRYPTO (among others for a small-order `peer_dh`). The text is
 * not checked for UTF-8, though the receiver refuses anything else. A
 * private-key operation: a client does it on its loop, a server never.
 */
long e2ee_blob_seal(const uint8_t my_dh[XG_X25519_LEN], EVP_PKEY *my_rsa,
	const uint8_t peer_dh[XG_X25519_LEN], const uint8_t *salt,
	const uint8_t *nonce, const uint8_t *text, size_t len, uint8_t *out);

/*
 * Open a blob from a sender: the signature over ct||tag is verified with
 * the sender's RSA key `peer_rsa` first, then the key is derived with
 * X25519(my_dh, peer_dh) and HKDF, then AES-GCM-decrypted. out gets
 * blob_len - E2EE_BLOB_MIN bytes (the caller provides that room); the
 * text must be UTF-8. Returns the text length or POLYCHAT_EPROTO (too
 * short), POLYCHAT_EAUTH (signature or tag wrong, not UTF-8: a tampered
 * message; `out` is zeroed then, or never written), POLYCHAT_ECRYPTO
 * (among others a small-order `peer_dh`).
 */
long e2ee_blob_open(const uint8_t my_dh[XG_X25519_LEN],
	const uint8_t peer_dh[XG_X25519_LEN], EVP_PKEY *peer_rsa,
	const uint8_t *blob, size_t blob_len, uint8_t *out);

/*
 * A peer's keys as 1603 carries them (for 1610, skip the 10-byte phone
 * first): dh (32) || pem || sig_dh (512) || sig_pem (512), sliced from the
 * ends as the original client does. Verifies both server signatures with
 * `server_key` (PSS, salt 478) and loads the PEM as an RSA-4096 key.
 * *peer_rsa (EVP_PKEY_free it) and dh are set only on success. Both
 * signatures are checked before the PEM is parsed. Returns 0,
 * POLYCHAT_EPROTO (shorter than 32 + 1024 bytes, PEM not an RSA key of
 * 4096 bits), POLYCHAT_EAUTH (a server signature does not verify, also
 * when `server_key` is not RSA-4096).
 */
int e2ee_keys_open(EVP_PKEY *server_key, const uint8_t *payload, size_t len,
	uint8_t dh[XG_X25519_LEN], EVP_PKEY **peer_rsa);

#endif /* E2EE_BLOB_H */
