/* SPDX-License-Identifier: MIT */
/* The primitives suites e2ee-chat and schiedchat share: X25519, HKDF-SHA256, AES-256-GCM, RSA-PSS, RSA keys and their PEM forms. */
#ifndef XG_PRIMS_H
#define XG_PRIMS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <polychat/host.h>

#define XG_X25519_LEN 32
#define XG_GCM_KEY_LEN 32
#define XG_GCM_NONCE_LEN 12
#define XG_GCM_TAG_LEN 16
/* RSA-PSS "maximum" salt: the whole room the encoding leaves,
 * emLen - hLen - 2 (478 for RSA-4096 with SHA-256, 222 for RSA-2048). */
#define XG_PSS_SALT_MAX (-1)

/*
 * Every function here is thread-safe, never blocks on I/O and returns 0 or
 * a negative POLYCHAT_E* code; out-parameters are written only on success
 * (a failing seal/open may leave garbage in `out`, which the caller must
 * not use). Secrets on the stack are wiped before returning.
 */

/* A fresh X25519 key pair from OpenSSL's CSPRNG. POLYCHAT_ECRYPTO. */
int xg_x25519_generate(uint8_t priv[XG_X25519_LEN], uint8_t pub[XG_X25519_LEN]);
/* The public key of a raw private key. */
int xg_x25519_public(const uint8_t priv[XG_X25519_LEN], uint8_t pub[XG_X25519_LEN]);
/* X25519(priv, peer). POLYCHAT_ECRYPTO also when the result is all zeros
 * (a peer value of small order), which both protocols' originals would
 * accept; refusing it is the hardening RFC 7748 §6.1 recommends. */
int xg_x25519_shared(const uint8_t priv[XG_X25519_LEN],
	const uint8_t peer[XG_X25519_LEN], uint8_t shared[XG_X25519_LEN]);
/* Raw X25519 keys to and from OpenSSL keys (PKCS#8 files hold them).
 * from_pkey: POLYCHAT_EINVAL for a key that is not X25519. */
int xg_x25519_to_pkey(const uint8_t priv[XG_X25519_LEN], EVP_PKEY **out);
int xg_x25519_from_pkey(EVP_PKEY *key, uint8_t priv[XG_X25519_LEN]);

/* RFC 5869 HKDF-SHA256, extract then expand; salt may be NULL/0 (then
 * HashLen zeros, as the RFC says); out_len <= 255 * 32. */
int xg_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
	size_t salt_len, const uint8_t *info, size_t info_len, uint8_t *out,
	size_t out_len);

/* AES-256-GCM with a 12-byte nonce and a 16-byte tag appended:
 * out = ciphertext || tag, len + XG_GCM_TAG_LEN bytes. aad may be NULL/0. */
int xg_gcm_seal(const uint8_t key[XG_GCM_KEY_LEN],
	const uint8_t nonce[XG_GCM_NONCE_LEN], const uint8_t *aad, size_t aad_len,
	const uint8_t *pt, size_t len, uint8_t *out);
/* The inverse: in = ciphertext || tag (in_len >= XG_GCM_TAG_LEN), out gets
 * in_len - XG_GCM_TAG_LEN bytes. POLYCHAT_EAUTH when the tag does not
 * verify (out is zeroed then), POLYCHAT_EINVAL when in_len is shorter than
 * a tag. */
int xg_gcm_open(const uint8_t key[XG_GCM_KEY_LEN],
	const uint8_t nonce[XG_GCM_NONCE_LEN], const uint8_t *aad, size_t aad_len,
	const uint8_t *in, size_t in_len, uint8_t *out);

/* RSA-PSS with SHA-256 and MGF1-SHA-256 over msg (hashed here). `salt_len`
 * is a byte count or XG_PSS_SALT_MAX (computed from the key: OpenSSL 3.0
 * would verify RSA_PSS_SALTLEN_MAX as "any length"). *sig_len is the room
 * in `sig` on entry (at least the key's size in bytes; POLYCHAT_ETOOBIG
 * otherwise) and the signature length on return. Randomised: two calls
 * give different signatures. POLYCHAT_EINVAL for a key that is not RSA or
 * a salt the key has no room for, POLYCHAT_ECRYPTO for a public key. A
 * private-key operation: a server calls it off the loop. */
int xg_pss_sign(EVP_PKEY *key, int salt_len, const uint8_t *msg, size_t len,
	uint8_t *sig, size_t *sig_len);
/* 0 when `sig` is a valid signature of msg with exactly that salt length
 * (XG_PSS_SALT_MAX: the maximum) and exactly the key's size in bytes, else
 * POLYCHAT_EAUTH; POLYCHAT_EINVAL as for signing. */
int xg_pss_verify(EVP_PKEY *key, int salt_len, const uint8_t *msg, size_t len,
	const uint8_t *sig, size_t sig_len);

/* A new RSA key of `bits` bits (1024..16384, else POLYCHAT_EINVAL),
 * e = 65537. RSA-4096 takes about a second: off the loop. POLYCHAT_ECRYPTO. */
int xg_rsa_generate(unsigned bits, EVP_PKEY **out);
/* An RSA public key from PEM: SubjectPublicKeyInfo ("PUBLIC KEY") or
 * PKCS#1 ("RSA PUBLIC KEY"), the first block only (text before and after
 * it is ignored, the DER must fill the block exactly); its size must be in
 * [min_bits, max_bits]. POLYCHAT_EPROTO (no public key in it: another
 * label, a header such as Proc-Type, bad DER), POLYCHAT_ENOTSUP (a key, but
 * not RSA of an accepted size). */
int xg_rsa_public_from_pem(const uint8_t *pem, size_t len, unsigned min_bits,
	unsigned max_bits, EVP_PKEY **out);
/* The public half as SubjectPublicKeyInfo PEM, LF line ends, 64-character
 * lines, a final LF (800 bytes for RSA-4096, 451 for RSA-2048), as
 * OpenSSL's PEM_write_bio_PUBKEY and Python's cryptography write it. Any
 * key type works (xg-keyfile writes X25519 public files with it).
 * *pem is host->alloc'd and NUL-terminated. */
int xg_rsa_public_pem(const struct polychat_host *host, EVP_PKEY *key,
	char **pem, size_t *len);
/* The SHA-256 of the DER SubjectPublicKeyInfo, as 64 lowercase hex digits
 * and a NUL (what an operator compares when handing out a public key). */
int xg_public_fingerprint(EVP_PKEY *key, char hex[65]);

#endif /* XG_PRIMS_H */
