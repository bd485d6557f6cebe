/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: RSA key pairs, their PEM forms, and the client's two key files (fernet-hybrid.md §4.1, §4.5). */
#ifndef FERNET_KEYS_H
#define FERNET_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <polychat/host.h>

/* What the original generates: RSA-2048, e = 65537. */
#define FERNET_RSA_BITS 2048
/* Keys accepted from peers and from the key files. Smaller keys would
 * weaken every message (each is encrypted to every key in the room);
 * larger ones cost time and package room for nothing. */
#define FERNET_RSA_MIN_BITS 2048
#define FERNET_RSA_MAX_BITS 8192

/* The files in the client's state directory, as the original names them. */
#define FERNET_PRIVATE_FILE "private_key.pem"
#define FERNET_PUBLIC_FILE "public_key.pem"
/* A key file larger than this is not a key. */
#define FERNET_KEY_FILE_MAX 65536

/*
 * The public key in pem[0..len), as the original's loader (OpenSSL)
 * reads it: the first PEM block only, SubjectPublicKeyInfo ("PUBLIC
 * KEY") or PKCS#1 ("RSA PUBLIC KEY"), LF or CRLF line ends, anything after
 * the block ignored. *key (EVP_PKEY_free it) is set only on success.
 * Returns 0, POLYCHAT_EPROTO (no public key in it), POLYCHAT_ENOTSUP (a
 * key, but not RSA of FERNET_RSA_MIN_BITS..FERNET_RSA_MAX_BITS bits).
 * Thread: any.
 */
int fernet_pubkey_from_pem(const uint8_t *pem, size_t len, EVP_PKEY **key);

/*
 * The public half of `key` as SubjectPublicKeyInfo PEM, exactly what goes
 * after "PUBKEY::<nick>::" (§4.5): 64-character lines, LF ends, a final
 * LF; 451 bytes for 2048 bits. *pem is host->alloc'd and NUL-terminated,
 * set only on success. Returns 0, POLYCHAT_ENOMEM or POLYCHAT_ECRYPTO.
 */
int fernet_pubkey_pem(const struct polychat_host *host, EVP_PKEY *key, char **pem,
	size_t *len);

/*
 * A private key from unencrypted PEM in any format OpenSSL reads (PKCS#1
 * "RSA PRIVATE KEY" as the original writes it, PKCS#8 "PRIVATE KEY"); an
 * encrypted one is refused without asking for a passphrase. Same returns
 * as fernet_pubkey_from_pem.
 */
int fernet_privkey_from_pem(const uint8_t *pem, size_t len, EVP_PKEY **key);

/* A new RSA-2048 key pair (e = 65537). Takes 50-100 ms. Returns 0 or
 * POLYCHAT_ECRYPTO. */
int fernet_key_generate(EVP_PKEY **key);

/*
 * The client's key pair in directory `dir`, as the original's
 * load_or_generate_keys (§4.1) with two hardenings:
 *  - both files present: both are loaded, and must be one pair (the
 *    original would announce a key it cannot decrypt for);
 *  - private_key.pem alone: its public half is written to public_key.pem
 *    (the original would overwrite the private key with a new one);
 *  - otherwise: a new RSA-2048 pair; private_key.pem is written as PKCS#1
 *    with mode 0600 (the original leaves it to the umask), public_key.pem
 *    as SubjectPublicKeyInfo with mode 0644, each through a temporary file
 *    and a rename so a crash never leaves half a key.
 * *key (EVP_PKEY_free it) is set only on success; *created (may be NULL)
 * says whether a pair was generated. On failure `why` (len bytes, may be
 * 0) explains it for the user, naming the file. Returns 0,
 * POLYCHAT_EIO, POLYCHAT_EPROTO (a file holds no usable key, or the two
 * do not match), POLYCHAT_ENOMEM or POLYCHAT_ECRYPTO. Blocking file I/O.
 */
int fernet_keys_load_or_create(const struct polychat_host *host, const char *dir,
	EVP_PKEY **key, int *created, char *why, size_t why_len);

#endif /* FERNET_KEYS_H */
