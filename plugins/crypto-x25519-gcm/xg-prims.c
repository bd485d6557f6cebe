/* SPDX-License-Identifier: MIT */
/* X25519, HKDF-SHA256, AES-256-GCM, RSA-PSS and RSA keys through OpenSSL 3, for the suites that share them. */
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <polychat/status.h>

#include "xg-prims.h"

#define SHA256_LEN 32
/* Sizes outside this range are a caller's mistake, not a key we use. */
#define RSA_BITS_MIN 1024u
#define RSA_BITS_MAX 16384u
/* EVP takes int lengths: longer data goes through in pieces. */
#define CHUNK (1 << 30)

/* Every error path clears OpenSSL's thread-local queue so that a bad
 * peer value does not leave errors for the next, unrelated caller. */
static int fail(int rc)
{
	ERR_clear_error();
	return rc;
}

/* --- X25519 --- */

int xg_x25519_generate(uint8_t priv[XG_X25519_LEN], uint8_t pub[XG_X25519_LEN])
{
	uint8_t k[XG_X25519_LEN];
	/* RFC 7748 clamps any 32 bytes into a valid scalar. */
	if (RAND_priv_bytes(k, sizeof(k)) != 1)
		return fail(POLYCHAT_ECRYPTO);
	int rc = xg_x25519_public(k, pub);
	if (rc == 0)
		memcpy(priv, k, sizeof(k));
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int xg_x25519_to_pkey(const uint8_t priv[XG_X25519_LEN], EVP_PKEY **out)
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv,
		XG_X25519_LEN);
	if (!k)
		return fail(POLYCHAT_ECRYPTO);
	*out = k;
	return 0;
}

int xg_x25519_from_pkey(EVP_PKEY *key, uint8_t priv[XG_X25519_LEN])
{
	uint8_t k[XG_X25519_LEN];
	size_t n = sizeof(k);
	if (!key || !EVP_PKEY_is_a(key, "X25519"))
		return POLYCHAT_EINVAL;
	if (EVP_PKEY_get_raw_private_key(key, k, &n) != 1 || n != sizeof(k)) {
		OPENSSL_cleanse(k, sizeof(k));
		return fail(POLYCHAT_ECRYPTO);
	}
	memcpy(priv, k, sizeof(k));
	OPENSSL_cleanse(k, sizeof(k));
	return 0;
}

int xg_x25519_public(const uint8_t priv[XG_X25519_LEN], uint8_t pub[XG_X25519_LEN])
{
	EVP_PKEY *k = NULL;
	int rc = xg_x25519_to_pkey(priv, &k);
	if (rc != 0)
		return rc;
	size_t n = XG_X25519_LEN;
	uint8_t p[XG_X25519_LEN];
	rc = EVP_PKEY_get_raw_public_key(k, p, &n) == 1 && n == XG_X25519_LEN ? 0
		: POLYCHAT_ECRYPTO;
	if (rc == 0)
		memcpy(pub, p, sizeof(p));
	EVP_PKEY_free(k);
	return rc ? fail(rc) : 0;
}

int xg_x25519_shared(const uint8_t priv[XG_X25519_LEN],
	const uint8_t peer[XG_X25519_LEN], uint8_t shared[XG_X25519_LEN])
{
	static const uint8_t zeros[XG_X25519_LEN];
	uint8_t s[XG_X25519_LEN];
	size_t n = sizeof(s);
	EVP_PKEY *mine = NULL;
	EVP_PKEY *theirs = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer,
		XG_X25519_LEN);
	EVP_PKEY_CTX *ctx = NULL;
	int rc = POLYCHAT_ECRYPTO;
	if (!theirs || xg_x25519_to_pkey(priv, &mine) != 0)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
	/* OpenSSL refuses an all-zero result itself; the compare below
	 * keeps that guarantee whatever the provider does. */
	if (ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, theirs) == 1 &&
	    EVP_PKEY_derive(ctx, s, &n) == 1 && n == sizeof(s) &&
	    CRYPTO_memcmp(s, zeros, sizeof(s)) != 0) {
		memcpy(shared, s, sizeof(s));
		rc = 0;
	}
out:
	OPENSSL_cleanse(s, sizeof(s));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(mine);
	EVP_PKEY_free(theirs);
	return rc ? fail(rc) : 0;
}

/* --- HKDF --- */

int xg_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
	size_t salt_len, const uint8_t *info, size_t info_len, uint8_t *out,
	size_t out_len)
{
	if (out_len == 0 || out_len > 255 * SHA256_LEN || (!ikm && ikm_len) ||
	    (!salt && salt_len) || (!info && info_len))
		return POLYCHAT_EINVAL;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	EVP_KDF_free(kdf);
	if (!ctx)
		return fail(POLYCHAT_ECRYPTO);
	/* OSSL_PARAM wants non-const pointers; nothing writes through them.
	 * The empty IKM of a zero-length key still needs a valid pointer. */
	static uint8_t none[1];
	OSSL_PARAM params[5], *p = params;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
		ikm_len ? (void *)(uintptr_t)ikm : none, ikm_len);
	/* No salt is HMAC with an empty key, which RFC 5869's HashLen zeros
	 * equal once HMAC pads the key to a block. */
	if (salt_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
			(void *)(uintptr_t)salt, salt_len);
	if (info_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
			(void *)(uintptr_t)info, info_len);
	*p = OSSL_PARAM_construct_end();
	int rc = EVP_KDF_derive(ctx, out, out_len, params) == 1 ? 0 : POLYCHAT_ECRYPTO;
	EVP_KDF_CTX_free(ctx);
	return rc ? fail(rc) : 0;
}

/* --- AES-256-GCM --- */

/* Feed `len` bytes through the cipher (out NULL: as AAD). */
static int update_all(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
	while (len > 0) {
		int chunk = len > CHUNK ? CHUNK : (int)len, n = 0;
		if (EVP_CipherUpdate(ctx, out, &n, in, chunk) != 1 || n != chunk)
			return POLYCHAT_ECRYPTO;
		in += chunk;
		if (out)
			out += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

/* A context keyed for one message in direction `enc`, with its AAD. */
static EVP_CIPHER_CTX *gcm_start(const uint8_t key[XG_GCM_KEY_LEN],
	const uint8_t nonce[XG_GCM_NONCE_LEN], const uint8_t *aad, size_t aad_len,
	int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, XG_GCM_NONCE_LEN, NULL) == 1 &&
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) == 1 &&
	    update_all(ctx, NULL, aad, aad_len) == 0)
		return ctx;
	EVP_CIPHER_CTX_free(ctx);
	return NULL;
}

int xg_gcm_seal(const uint8_t key[XG_GCM_KEY_LEN],
	const uint8_t nonce[XG_GCM_NONCE_LEN], const uint8_t *aad, size_t aad_len,
	const uint8_t *pt, size_t len, uint8_t *out)
{
	if ((!aad && aad_len) || (!pt && len) || len > SIZE_MAX - XG_GCM_TAG_LEN)
		return POLYCHAT_EINVAL;
	EVP_CIPHER_CTX *ctx = gcm_start(key, nonce, aad, aad_len, 1);
	if (!ctx)
		return fail(POLYCHAT_ECRYPTO);
	int n = 0, rc = POLYCHAT_ECRYPTO;
	if (update_all(ctx, out, pt, len) == 0 && EVP_CipherFinal_ex(ctx, out + len, &n) == 1 &&
	    n == 0 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, XG_GCM_TAG_LEN, out + len) == 1)
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	return rc ? fail(rc) : 0;
}

int xg_gcm_open(const uint8_t key[XG_GCM_KEY_LEN],
	const uint8_t nonce[XG_GCM_NONCE_LEN], const uint8_t *aad, size_t aad_len,
	const uint8_t *in, size_t in_len, uint8_t *out)
{
	if (!in || in_len < XG_GCM_TAG_LEN || (!aad && aad_len))
		return POLYCHAT_EINVAL;
	size_t len = in_len - XG_GCM_TAG_LEN;
	uint8_t tag[XG_GCM_TAG_LEN];
	/* The tag is copied first: `out` may overlap `in`. */
	memcpy(tag, in + len, sizeof(tag));
	EVP_CIPHER_CTX *ctx = gcm_start(key, nonce, aad, aad_len, 0);
	if (!ctx)
		return fail(POLYCHAT_ECRYPTO);
	int n = 0, rc = POLYCHAT_ECRYPTO;
	if (update_all(ctx, out, in, len) == 0 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, XG_GCM_TAG_LEN, tag) == 1)
		rc = EVP_CipherFinal_ex(ctx, out + len, &n) == 1 && n == 0 ? 0 : POLYCHAT_EAUTH;
	EVP_CIPHER_CTX_free(ctx);
	/* Unauthenticated plaintext must not outlive the failure. */
	if (rc != 0 && len)
		OPENSSL_cleanse(out, len);
	return rc ? fail(rc) : 0;
}

/* --- RSA-PSS --- */

/* The salt length in bytes for `key`, or -1 when `salt_len` is neither
 * XG_PSS_SALT_MAX nor a count the key leaves room for. The maximum is
 * computed here because OpenSSL 3.0 treats RSA_PSS_SALTLEN_MAX on
 * verification as "any length", and both protocols insist on exactly it. */
static int pss_salt(EVP_PKEY *key, int salt_len)
{
	int bits = EVP_PKEY_get_bits(key);
	/* RFC 8017 §9.1: emLen = ceil((modBits - 1) / 8). */
	int max = (bits + 6) / 8 - SHA256_LEN - 2;
	if (bits <= 0 || max < 0)
		return -1;
	if (salt_len == XG_PSS_SALT_MAX)
		return max;
	return salt_len >= 0 && salt_len <= max ? salt_len : -1;
}

/* A digest context for PSS/SHA-256/MGF1-SHA-256 with `salt` bytes. */
static EVP_MD_CTX *pss_start(EVP_PKEY *key, int salt, int sign)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	if (!md)
		return NULL;
	int ok = sign ? EVP_DigestSignInit_ex(md, &pctx, "SHA256", NULL, NULL, key, NULL)
		: EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", NULL, NULL, key, NULL);
	if (ok == 1 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) == 1 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) == 1)
		return md;
	EVP_MD_CTX_free(md);
	return NULL;
}

int xg_pss_sign(EVP_PKEY *key, int salt_len, const uint8_t *msg, size_t len,
	uint8_t *sig, size_t *sig_len)
{
	if (!key || !EVP_PKEY_is_a(key, "RSA") || (!msg && len) || !sig || !sig_len)
		return POLYCHAT_EINVAL;
	int salt = pss_salt(key, salt_len), size = EVP_PKEY_get_size(key);
	if (salt < 0 || size <= 0)
		return POLYCHAT_EINVAL;
	if (*sig_len < (size_t)size)
		return POLYCHAT_ETOOBIG;
	EVP_MD_CTX *md = pss_start(key, salt, 1);
	if (!md)
		return fail(POLYCHAT_ECRYPTO);
	size_t n = *sig_len;
	static const uint8_t empty[1];
	int rc = EVP_DigestSign(md, sig, &n, len ? msg : empty, len) == 1 ? 0
		: POLYCHAT_ECRYPTO;
	EVP_MD_CTX_free(md);
	if (rc != 0)
		return fail(rc);
	*sig_len = n;
	return 0;
}

int xg_pss_verify(EVP_PKEY *key, int salt_len, const uint8_t *msg, size_t len,
	const uint8_t *sig, size_t sig_len)
{
	if (!key || !EVP_PKEY_is_a(key, "RSA") || (!msg && len) || (!sig && sig_len))
		return POLYCHAT_EINVAL;
	int salt = pss_salt(key, salt_len), size = EVP_PKEY_get_size(key);
	if (salt < 0 || size <= 0)
		return POLYCHAT_EINVAL;
	/* OpenSSL would take a shorter signature as having leading zeros;
	 * the protocols fix its size, so anything else is forged. */
	if (sig_len != (size_t)size)
		return POLYCHAT_EAUTH;
	EVP_MD_CTX *md = pss_start(key, salt, 0);
	if (!md)
		return fail(POLYCHAT_ECRYPTO);
	static const uint8_t empty[1];
	int rc = EVP_DigestVerify(md, sig, sig_len, len ? msg : empty, len) == 1 ? 0
		: POLYCHAT_EAUTH;
	EVP_MD_CTX_free(md);
	return rc ? fail(rc) : 0;
}

/* --- RSA keys --- */

int xg_rsa_generate(unsigned bits, EVP_PKEY **out)
{
	if (bits < RSA_BITS_MIN || bits > RSA_BITS_MAX || !out)
		return POLYCHAT_EINVAL;
	/* EVP_RSA_gen uses e = 65537. */
	EVP_PKEY *k = EVP_RSA_gen(bits);
	if (!k)
		return fail(POLYCHAT_ECRYPTO);
	*out = k;
	return 0;
}

/* The DER of a "PUBLIC KEY" or "RSA PUBLIC KEY" block as a key. */
static EVP_PKEY *public_from_der(const char *name, const uint8_t *der, long len)
{
	const unsigned char *p = der;
	EVP_PKEY *k = NULL;
	if (strcmp(name, PEM_STRING_PUBLIC) == 0)
		k = d2i_PUBKEY_ex(NULL, &p, len, NULL, NULL);
	else if (strcmp(name, PEM_STRING_RSA_PUBLIC) == 0)
		k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len);
	/* Bytes after the structure mean the block is not what it claims. */
	if (k && p != der + len) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

int xg_rsa_public_from_pem(const uint8_t *pem, size_t len, unsigned min_bits,
	unsigned max_bits, EVP_PKEY **out)
{
	if (!pem || len == 0 || len > INT_MAX)
		return POLYCHAT_EPROTO;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return fail(POLYCHAT_ENOMEM);
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long der_len = 0;
	EVP_PKEY *k = NULL;
	int rc = POLYCHAT_EPROTO;
	/* PEM_read_bio takes the first block; an encrypted one (a header
	 * line) is no public key. */
	if (PEM_read_bio(bio, &name, &header, &der, &der_len) == 1 && header[0] == '\0' &&
	    (k = public_from_der(name, der, der_len)) != NULL) {
		int bits = EVP_PKEY_get_bits(k);
		rc = EVP_PKEY_is_a(k, "RSA") && bits > 0 && (unsigned)bits >= min_bits &&
			(unsigned)bits <= max_bits ? 0 : POLYCHAT_ENOTSUP;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(bio);
	if (rc != 0) {
		EVP_PKEY_free(k);
		return fail(rc);
	}
	*out = k;
	return 0;
}

int xg_rsa_public_pem(const struct polychat_host *host, EVP_PKEY *key,
	char **pem, size_t *len)
{
	if (!key)
		return POLYCHAT_EINVAL;
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return fail(POLYCHAT_ENOMEM);
	char *data = NULL;
	long n = 0;
	int rc = POLYCHAT_ECRYPTO;
	if (PEM_write_bio_PUBKEY(bio, key) == 1 && (n = BIO_get_mem_data(bio, &data)) > 0) {
		char *copy = host->alloc((size_t)n + 1);
		rc = POLYCHAT_ENOMEM;
		if (copy) {
			memcpy(copy, data, (size_t)n);
			copy[n] = '\0';
			*pem = copy;
			*len = (size_t)n;
			rc = 0;
		}
	}
	BIO_free(bio);
	return rc ? fail(rc) : 0;
}

int xg_public_fingerprint(EVP_PKEY *key, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	if (!key)
		return POLYCHAT_EINVAL;
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	if (n <= 0)
		return fail(POLYCHAT_ECRYPTO);
	uint8_t md[SHA256_LEN];
	unsigned int md_len = 0;
	int ok = EVP_Digest(der, (size_t)n, md, &md_len, EVP_sha256(), NULL) == 1 &&
		md_len == SHA256_LEN;
	OPENSSL_free(der);
	if (!ok)
		return fail(POLYCHAT_ECRYPTO);
	for (size_t i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[2 * SHA256_LEN] = '\0';
	return 0;
}
