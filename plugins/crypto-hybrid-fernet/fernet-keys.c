/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: RSA key pairs, their PEM forms, and the client's two key files. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <polychat/status.h>

#include "fernet-keys.h"

/* Whether `key` is one this suite uses. */
static int key_usable(const EVP_PKEY *key)
{
	int bits = EVP_PKEY_get_bits(key);
	return EVP_PKEY_is_a(key, "RSA") && bits >= FERNET_RSA_MIN_BITS &&
		bits <= FERNET_RSA_MAX_BITS;
}

/* Decode the first PEM block of `selection` (public or private key). */
static int from_pem(const uint8_t *pem, size_t len, int selection, EVP_PKEY **key)
{
	EVP_PKEY *k = NULL;
	/* No passphrase source: an encrypted key fails instead of prompting. */
	OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(&k, "PEM", NULL, NULL, selection,
		NULL, NULL);
	const unsigned char *p = pem;
	size_t left = len;
	int rc = POLYCHAT_ENOMEM;
	if (dctx) {
		rc = POLYCHAT_EPROTO;
		if (OSSL_DECODER_from_data(dctx, &p, &left) && k)
			rc = key_usable(k) ? 0 : POLYCHAT_ENOTSUP;
		OSSL_DECODER_CTX_free(dctx);
	}
	/* What a peer sends must not leave errors for the next caller. */
	ERR_clear_error();
	if (rc != 0) {
		EVP_PKEY_free(k);
		return rc;
	}
	*key = k;
	return 0;
}

int fernet_pubkey_from_pem(const uint8_t *pem, size_t len, EVP_PKEY **key)
{
	return from_pem(pem, len, EVP_PKEY_PUBLIC_KEY, key);
}

int fernet_privkey_from_pem(const uint8_t *pem, size_t len, EVP_PKEY **key)
{
	return from_pem(pem, len, EVP_PKEY_KEYPAIR, key);
}

/* The contents of a memory BIO in a host->alloc'd, NUL-terminated copy. */
static int bio_text(const struct polychat_host *host, BIO *bio, char **out, size_t *out_len)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		return POLYCHAT_ECRYPTO;
	char *copy = host->alloc((size_t)n + 1);
	if (!copy)
		return POLYCHAT_ENOMEM;
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*out = copy;
	*out_len = (size_t)n;
	return 0;
}

int fernet_pubkey_pem(const struct polychat_host *host, EVP_PKEY *key, char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return POLYCHAT_ENOMEM;
	int rc = PEM_write_bio_PUBKEY(bio, key) ? bio_text(host, bio, pem, len) : POLYCHAT_ECRYPTO;
	BIO_free(bio);
	return rc;
}

int fernet_key_generate(EVP_PKEY **key)
{
	/* EVP_RSA_gen uses e = 65537. */
	EVP_PKEY *k = EVP_RSA_gen(FERNET_RSA_BITS);
	if (!k) {
		ERR_clear_error();
		return POLYCHAT_ECRYPTO;
	}
	*key = k;
	return 0;
}

/* --- the key files --- */

static void explain(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Say for the user what went wrong (nothing if there is no room). */
static void explain(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (!len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* Read a whole key file (wiped when freed: it may be the private key).
 * Returns 0, POLYCHAT_ENOTFOUND, POLYCHAT_ETOOBIG, POLYCHAT_EIO (errno
 * set) or POLYCHAT_ENOMEM. */
static int read_file(const struct polychat_host *host, const char *path, uint8_t **out,
	size_t *out_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? POLYCHAT_ENOTFOUND : POLYCHAT_EIO;
	uint8_t *buf = host->alloc(FERNET_KEY_FILE_MAX + 1);
	size_t len = 0;
	int rc = buf ? 0 : POLYCHAT_ENOMEM;
	while (rc == 0) {
		ssize_t n = read(fd, buf + len, FERNET_KEY_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = POLYCHAT_EIO;
		else if (n == 0)
			break;
		else if ((len += (size_t)n) > FERNET_KEY_FILE_MAX)
			rc = POLYCHAT_ETOOBIG;
	}
	int err = errno;
	close(fd);
	if (rc != 0) {
		if (buf)
			host->wipe_free(buf, FERNET_KEY_FILE_MAX + 1);
		errno = err;
		return rc;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

/* Write `file` in `dir` whole or not at all: a temporary file of `mode`
 * renamed over it. Returns 0 or POLYCHAT_EIO (errno set). */
static int write_file(const char *dir, const char *file, const char *text, size_t len,
	mode_t mode)
{
	char path[4096], tmp[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, file) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return POLYCHAT_EIO;
	}
	/* Left over by a crash: ours to replace. */
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return POLYCHAT_EIO;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	int ok = done == len && fchmod(fd, mode) == 0 && fsync(fd) == 0;
	int err = errno;
	if (close(fd) != 0 && ok) {
		ok = 0;
		err = errno;
	}
	if (ok && rename(tmp, path) == 0)
		return 0;
	err = ok ? errno : err;
	unlink(tmp);
	errno = err;
	return POLYCHAT_EIO;
}

/* Write the public half of `key` to public_key.pem. */
static int write_public(const struct polychat_host *host, const char *dir, EVP_PKEY *key,
	char *why, size_t why_len)
{
	char *pem = NULL;
	size_t len = 0;
	int rc = fernet_pubkey_pem(host, key, &pem, &len);
	if (rc == 0 && (rc = write_file(dir, FERNET_PUBLIC_FILE, pem, len, 0644)) != 0)
		explain(why, why_len, "cannot write %s/%s: %s", dir, FERNET_PUBLIC_FILE,
			strerror(errno));
	host->free(pem);
	return rc;
}

/* Generate a pair and write both files, the private one first. */
static int create_pair(const struct polychat_host *host, const char *dir, EVP_PKEY **out,
	char *why, size_t why_len)
{
	EVP_PKEY *key = NULL;
	int rc = fernet_key_generate(&key);
	if (rc != 0) {
		explain(why, why_len, "cannot generate an RSA key for %s", dir);
		return rc;
	}
	/* The secure-heap BIO clears the PEM text when it is freed. */
	BIO *bio = BIO_new(BIO_s_secmem());
	char *data = NULL;
	long n = 0;
	rc = POLYCHAT_ECRYPTO;
	if (bio && PEM_write_bio_PrivateKey_traditional(bio, key, NULL, NULL, 0, NULL, NULL) &&
	    (n = BIO_get_mem_data(bio, &data)) > 0) {
		rc = write_file(dir, FERNET_PRIVATE_FILE, data, (size_t)n, 0600);
		if (rc != 0)
			explain(why, why_len, "cannot write %s/%s: %s", dir, FERNET_PRIVATE_FILE,
				strerror(errno));
	}
	BIO_free(bio);
	if (rc == 0)
		rc = write_public(host, dir, key, why, why_len);
	if (rc != 0) {
		ERR_clear_error();
		EVP_PKEY_free(key);
		return rc;
	}
	*out = key;
	return 0;
}

/* Load one key file: ENOTFOUND when absent, else the key or an error
 * explained in `why`. */
static int load_file(const struct polychat_host *host, const char *dir, const char *file,
	int private, EVP_PKEY **key, char *why, size_t why_len)
{
	char path[4096];
	uint8_t *text = NULL;
	size_t len = 0;
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		explain(why, why_len, "%s/%s: path too long", dir, file);
		return POLYCHAT_EIO;
	}
	int rc = read_file(host, path, &text, &len);
	if (rc == POLYCHAT_ENOTFOUND)
		return rc;
	if (rc == POLYCHAT_EIO)
		explain(why, why_len, "cannot read %s/%s: %s", dir, file, strerror(errno));
	else if (rc == POLYCHAT_ETOOBIG)
		explain(why, why_len, "%s/%s: too large for a key file", dir, file);
	if (rc != 0)
		return rc == POLYCHAT_ETOOBIG ? POLYCHAT_EPROTO : rc;
	rc = private ? fernet_privkey_from_pem(text, len, key)
		: fernet_pubkey_from_pem(text, len, key);
	host->wipe_free(text, FERNET_KEY_FILE_MAX + 1);
	if (rc == POLYCHAT_ENOTSUP)
		explain(why, why_len, "%s/%s: not an RSA key of %d to %d bits", dir, file,
			FERNET_RSA_MIN_BITS, FERNET_RSA_MAX_BITS);
	else if (rc != 0)
		explain(why, why_len, "%s/%s: %s", dir, file, private
			? "no unencrypted PEM private key in it"
			: "no PEM public key in it");
	return rc == POLYCHAT_ENOTSUP ? POLYCHAT_EPROTO : rc;
}

int fernet_keys_load_or_create(const struct polychat_host *host, const char *dir,
	EVP_PKEY **key, int *created, char *why, size_t why_len)
{
	EVP_PKEY *priv = NULL, *pub = NULL;
	if (why_len)
		why[0] = '\0';
	if (created)
		*created = 0;
	int rc = load_file(host, dir, FERNET_PRIVATE_FILE, 1, &priv, why, why_len);
	if (rc == POLYCHAT_ENOTFOUND) {
		rc = create_pair(host, dir, key, why, why_len);
		if (rc == 0 && created)
			*created = 1;
		return rc;
	}
	if (rc != 0)
		return rc;
	rc = load_file(host, dir, FERNET_PUBLIC_FILE, 0, &pub, why, why_len);
	if (rc == POLYCHAT_ENOTFOUND) {
		rc = write_public(host, dir, priv, why, why_len);
	} else if (rc == 0 && EVP_PKEY_eq(priv, pub) != 1) {
		explain(why, why_len, "%s/%s: not the public half of %s", dir,
			FERNET_PUBLIC_FILE, FERNET_PRIVATE_FILE);
		rc = POLYCHAT_EPROTO;
	}
	EVP_PKEY_free(pub);
	ERR_clear_error();
	if (rc != 0) {
		EVP_PKEY_free(priv);
		return rc;
	}
	*key = priv;
	return 0;
}
