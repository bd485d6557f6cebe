/* SPDX-License-Identifier: MIT */
/* Private key files: read and checked, or generated once and published without a window for a torn or doubled key. */
/* mkostemp(), and renameat2() with RENAME_NOREPLACE for file systems
 * without hard links. */
#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <polychat/status.h>

#include "xg-keyfile.h"
#include "xg-prims.h"

#define KEY_FILE_MAX (64u << 10)
/* A loser of the creation race reads the winner's file; a file that
 * vanishes in between (an operator's rm) sends it round again. */
#define ATTEMPTS 3

static void explain(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Say what went wrong (nothing if there is no room). */
static void explain(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* Read a whole file into OpenSSL memory that is wiped when freed (it
 * may be a private key). Returns 0, POLYCHAT_ENOTFOUND, POLYCHAT_EIO
 * (errno set; EFBIG for a file over KEY_FILE_MAX) or POLYCHAT_ENOMEM. */
static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? POLYCHAT_ENOTFOUND : POLYCHAT_EIO;
	struct stat st;
	int err = fstat(fd, &st) != 0 ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
	if (err) {
		close(fd);
		errno = err;
		return POLYCHAT_EIO;
	}
	uint8_t *buf = OPENSSL_malloc(KEY_FILE_MAX + 1);
	size_t len = 0;
	int rc = buf ? 0 : POLYCHAT_ENOMEM;
	while (rc == 0) {
		ssize_t n = read(fd, buf + len, KEY_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = POLYCHAT_EIO;
			err = errno;
		} else if (n == 0) {
			break;
		} else if ((len += (size_t)n) > KEY_FILE_MAX) {
			rc = POLYCHAT_EIO;
			err = EFBIG;
		}
	}
	close(fd);
	if (rc != 0) {
		OPENSSL_clear_free(buf, KEY_FILE_MAX + 1);
		errno = err;
		return rc;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

static void free_file(uint8_t *buf)
{
	OPENSSL_clear_free(buf, KEY_FILE_MAX + 1);
}

/* Never prompt: an encrypted key file is refused instead. */
static int no_passphrase(char *pass, size_t size, size_t *len, const OSSL_PARAM *params,
	void *arg)
{
	return 0;
}

/* Whether `k` holds a private key, not just a public one. */
static int has_private(EVP_PKEY *k)
{
	if (EVP_PKEY_is_a(k, "X25519")) {
		size_t n = 0;
		return EVP_PKEY_get_raw_private_key(k, NULL, &n) == 1 && n == XG_X25519_LEN;
	}
	BIGNUM *d = NULL;
	int ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_D, &d) == 1 && d;
	BN_clear_free(d);
	return ok;
}

/* The first PEM private key in text[0..len). POLYCHAT_EPROTO if none. */
static int decode_private(const uint8_t *text, size_t len, EVP_PKEY **out)
{
	EVP_PKEY *k = NULL;
	OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(&k, "PEM", NULL, NULL,
		EVP_PKEY_KEYPAIR, NULL, NULL);
	const unsigned char *p = text;
	size_t left = len;
	int rc = POLYCHAT_ENOMEM;
	if (dctx && OSSL_DECODER_CTX_set_passphrase_cb(dctx, no_passphrase, NULL) == 1) {
		rc = POLYCHAT_EPROTO;
		if (OSSL_DECODER_from_data(dctx, &p, &left) == 1 && k && has_private(k))
			rc = 0;
	}
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error();
	if (rc != 0) {
		EVP_PKEY_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

/* Whether `k` is what the caller asked for. */
static int key_fits(EVP_PKEY *k, enum xg_key_type type, unsigned bits)
{
	if (type == XG_KEY_X25519)
		return EVP_PKEY_is_a(k, "X25519");
	return EVP_PKEY_is_a(k, "RSA") && EVP_PKEY_get_bits(k) == (int)bits;
}

/* Load the private key file. POLYCHAT_ENOTFOUND when it is absent; other
 * failures are explained. */
static int load_private(const char *path, enum xg_key_type type, unsigned bits,
	EVP_PKEY **out, char *why, size_t why_len)
{
	uint8_t *text = NULL;
	size_t len = 0;
	int rc = read_file(path, &text, &len);
	if (rc == POLYCHAT_ENOTFOUND)
		return rc;
	if (rc == POLYCHAT_EIO && errno == EFBIG)
		explain(why, why_len, "%s: too large for a key file (over %u bytes)", path,
			KEY_FILE_MAX);
	else if (rc == POLYCHAT_EIO)
		explain(why, why_len, "cannot read %s: %s", path, strerror(errno));
	else if (rc != 0)
		explain(why, why_len, "cannot read %s: %s", path, polychat_strerror(rc));
	if (rc != 0)
		return rc;
	EVP_PKEY *k = NULL;
	rc = decode_private(text, len, &k);
	free_file(text);
	if (rc == POLYCHAT_EPROTO)
		explain(why, why_len, "%s: no unencrypted PEM private key in it", path);
	else if (rc != 0)
		explain(why, why_len, "cannot decode %s: %s", path, polychat_strerror(rc));
	if (rc != 0)
		return rc;
	if (!key_fits(k, type, bits)) {
		if (type == XG_KEY_RSA)
			explain(why, why_len, "%s: holds a %d-bit %s key, not RSA-%u", path,
				EVP_PKEY_get_bits(k), EVP_PKEY_get0_type_name(k), bits);
		else
			explain(why, why_len, "%s: holds a %s key, not X25519", path,
				EVP_PKEY_get0_type_name(k));
		EVP_PKEY_free(k);
		return POLYCHAT_EPROTO;
	}
	*out = k;
	return 0;
}

/* --- writing --- */

/* A new temporary file next to `path`, 0600 from the start. Returns the
 * descriptor (its name in tmp) or -1 with errno set. */
static int temp_next_to(const char *path, char *tmp, size_t tmp_len)
{
	if ((size_t)snprintf(tmp, tmp_len, "%s.tmp-XXXXXX", path) >= tmp_len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkostemp(tmp, O_CLOEXEC);
}

/* Write all of data to fd with `mode`, and make it durable. */
static int fill(int fd, const void *data, size_t len, mode_t mode)
{
	const uint8_t *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	/* fchmod, unlike the creation mode, ignores the umask: the public
	 * file must be readable by whoever hands it out. */
	return fchmod(fd, mode) == 0 && fsync(fd) == 0 ? 0 : -1;
}

/* Make the new name survive a crash (best effort: not every file
 * system can sync a directory). */
static void sync_dir_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (n >= sizeof(dir))
		return;
	if (slash && n == 0)
		n = 1;
	memcpy(dir, slash ? path : ".", slash ? n : 1);
	dir[slash ? n : 1] = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Give the complete temporary file its name without replacing what is
 * there: 0, EEXIST (someone else was first) or -1 with errno. link()
 * first, which every POSIX file system with hard links has;
 * renameat2(RENAME_NOREPLACE) where links are not supported. */
static int publish_new(const char *tmp, const char *path)
{
	if (link(tmp, path) == 0) {
		unlink(tmp);
		return 0;
	}
	int err = errno;
#ifdef RENAME_NOREPLACE
	if (err == EPERM || err == ENOTSUP || err == EOPNOTSUPP || err == ENOSYS ||
	    err == EMLINK) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
			return 0;
		err = errno;
	}
#endif
	unlink(tmp);
	errno = err;
	return err == EEXIST ? EEXIST : -1;
}

/* Write `data` to `path` through a temporary file: replacing what is
 * there (`replace`) or only if nothing is (then EEXIST). Returns 0, EEXIST
 * or -1 with errno set. */
static int write_file(const char *path, const void *data, size_t len, mode_t mode,
	int replace)
{
	char tmp[4096];
	int fd = temp_next_to(path, tmp, sizeof(tmp));
	if (fd < 0)
		return -1;
	int ok = fill(fd, data, len, mode) == 0;
	int err = errno;
	if (close(fd) != 0 && ok) {
		ok = 0;
		err = errno;
	}
	if (!ok) {
		unlink(tmp);
		errno = err;
		return -1;
	}
	int rc;
	if (replace) {
		rc = rename(tmp, path) == 0 ? 0 : -1;
		if (rc != 0) {
			err = errno;
			unlink(tmp);
			errno = err;
		}
	} else {
		rc = publish_new(tmp, path);
	}
	if (rc == 0)
		sync_dir_of(path);
	return rc;
}

/* Generate a key of `type` and publish it as `path`, PKCS#8 PEM, 0600.
 * POLYCHAT_EEXIST when another process published one first. */
static int create_private(const char *path, enum xg_key_type type, unsigned bits,
	EVP_PKEY **out, char *why, size_t why_len)
{
	EVP_PKEY *k = NULL;
	int rc;
	if (type == XG_KEY_RSA) {
		rc = xg_rsa_generate(bits, &k);
	} else {
		uint8_t priv[XG_X25519_LEN], pub[XG_X25519_LEN];
		rc = xg_x25519_generate(priv, pub);
		if (rc == 0)
			rc = xg_x25519_to_pkey(priv, &k);
		OPENSSL_cleanse(priv, sizeof(priv));
	}
	if (rc != 0) {
		explain(why, why_len, "cannot generate %s key for %s: %s",
			type == XG_KEY_RSA ? "an RSA" : "an X25519", path, polychat_strerror(rc));
		return rc;
	}
	/* The secure-heap BIO clears the PEM text when it is freed. */
	BIO *bio = BIO_new(BIO_s_secmem());
	char *data = NULL;
	long n = 0;
	rc = POLYCHAT_ECRYPTO;
	/* No cipher: PEM_write_bio_PrivateKey writes unencrypted PKCS#8. */
	if (bio && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0) {
		int w = write_file(path, data, (size_t)n, 0600, 0);
		if (w == 0) {
			rc = 0;
		} else if (w == EEXIST) {
			rc = POLYCHAT_EEXIST;
		} else {
			rc = POLYCHAT_EIO;
			explain(why, why_len, "cannot write %s: %s", path, strerror(errno));
		}
	} else {
		explain(why, why_len, "cannot encode the new key for %s", path);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (rc != 0) {
		EVP_PKEY_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

/* Keep `pub_path` equal to the SPKI PEM of `key`: rewritten when it is
 * missing or holds anything else. */
static int sync_public(const struct polychat_host *host, const char *pub_path, EVP_PKEY *key,
	char *why, size_t why_len)
{
	char *pem = NULL;
	size_t len = 0;
	int rc = xg_rsa_public_pem(host, key, &pem, &len);
	if (rc != 0) {
		explain(why, why_len, "cannot encode the public key for %s", pub_path);
		return rc;
	}
	uint8_t *have = NULL;
	size_t have_len = 0;
	rc = read_file(pub_path, &have, &have_len);
	if (rc == 0) {
		int same = have_len == len && memcmp(have, pem, len) == 0;
		free_file(have);
		rc = same ? 1 : POLYCHAT_ENOTFOUND;
	}
	if (rc == POLYCHAT_ENOTFOUND || (rc == POLYCHAT_EIO && errno == EFBIG)) {
		rc = write_file(pub_path, pem, len, 0644, 1) == 0 ? 0 : POLYCHAT_EIO;
		if (rc != 0)
			explain(why, why_len, "cannot write %s: %s", pub_path, strerror(errno));
	} else if (rc == POLYCHAT_EIO) {
		explain(why, why_len, "cannot read %s: %s", pub_path, strerror(errno));
	}
	host->free(pem);
	return rc == 1 ? 0 : rc;
}

int xg_keyfile_load_or_create(const struct polychat_host *host, const char *path,
	const char *pub_path, enum xg_key_type type, unsigned bits, EVP_PKEY **key,
	int *created, char *why, size_t why_len)
{
	if (why && why_len)
		why[0] = '\0';
	if (!host || !path || !*path || !key || (type != XG_KEY_RSA && type != XG_KEY_X25519) ||
	    (pub_path && !*pub_path)) {
		explain(why, why_len, "key file: invalid arguments");
		return POLYCHAT_EINVAL;
	}
	EVP_PKEY *k = NULL;
	int made = 0, rc = POLYCHAT_ENOTFOUND;
	for (int i = 0; i < ATTEMPTS && rc == POLYCHAT_ENOTFOUND; i++) {
		rc = load_private(path, type, bits, &k, why, why_len);
		if (rc != POLYCHAT_ENOTFOUND)
			break;
		rc = create_private(path, type, bits, &k, why, why_len);
		if (rc == 0)
			made = 1;
		else if (rc == POLYCHAT_EEXIST)
			rc = POLYCHAT_ENOTFOUND; /* lost the race: read the winner's */
	}
	if (rc == POLYCHAT_ENOTFOUND)
		explain(why, why_len, "%s keeps appearing and disappearing", path);
	if (rc == 0 && pub_path)
		rc = sync_public(host, pub_path, k, why, why_len);
	if (rc != 0) {
		EVP_PKEY_free(k);
		return rc == POLYCHAT_ENOTFOUND ? POLYCHAT_EIO : rc;
	}
	*key = k;
	if (created)
		*created = made;
	return 0;
}
