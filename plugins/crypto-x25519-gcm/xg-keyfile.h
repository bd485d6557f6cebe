/* SPDX-License-Identifier: MIT */
/* Private key files: loaded, or made once and written safely (server signing keys, client identity keys). */
#ifndef XG_KEYFILE_H
#define XG_KEYFILE_H

#include <stddef.h>

#include <openssl/evp.h>

#include <polychat/host.h>

/* What a key file must hold, and how a missing one is made. */
enum xg_key_type {
	XG_KEY_RSA = 1,    /* RSA of exactly `bits` bits */
	XG_KEY_X25519 = 2, /* `bits` ignored */
};

/*
 * The private key in `path`: an unencrypted PEM private key in any form
 * OpenSSL reads (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY"); an
 * encrypted one is refused without asking for a passphrase. When the file
 * does not exist, a new key is generated and written as PKCS#8 PEM with
 * mode 0600 to a temporary file in the same directory (mkstemp, fsync'd),
 * which is then given its name with link() - renameat2(RENAME_NOREPLACE)
 * on file systems without hard links - so that an existing file is never
 * replaced: a crash never leaves half a key, and of two processes racing
 * exactly one wins (the loser loads the winner's key, *created = 0). A
 * crash between the write and the link may leave a "<path>.tmp-XXXXXX".
 *
 * `pub_path` (may be NULL): also keep the public half there as
 * SubjectPublicKeyInfo PEM, mode 0644 whatever the umask, written (temporary
 * file, then rename() over the old one) whenever it is missing or its bytes
 * differ from the PEM of the private key's public half - the file an
 * operator hands to clients. For X25519 it is the SPKI PEM of the X25519
 * public key.
 *
 * *key (EVP_PKEY_free it) is set only on success; *created (may be NULL)
 * says whether a key was generated. On failure `why` (why_len bytes, may be
 * 0) explains it for a log line or the user, naming the file. Returns 0,
 * POLYCHAT_EIO (cannot read/write; a file larger than 64 KiB),
 * POLYCHAT_EPROTO (the file holds no usable private key, or a key of
 * another type or size; the file is left alone), POLYCHAT_ENOMEM,
 * POLYCHAT_ECRYPTO, POLYCHAT_EINVAL (a NULL or empty path, an unknown
 * type, an RSA size outside 1024..16384 when one must be made).
 * Blocking file I/O and, for a new RSA key, up to seconds of CPU: call it
 * off the loop (a job), or at client start-up.
 */
int xg_keyfile_load_or_create(const struct polychat_host *host, const char *path,
	const char *pub_path, enum xg_key_type type, unsigned bits, EVP_PKEY **key,
	int *created, char *why, size_t why_len);

#endif /* XG_KEYFILE_H */
