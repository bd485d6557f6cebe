/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: RSA-OAEP (SHA-256, MGF1-SHA-256, no label) around the message key. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <polychat/status.h>

#include "fernet-oaep.h"

#define HASH_LEN 32
/* 0x00, the masked seed, the label hash and the 0x01 separator. */
#define OAEP_OVERHEAD (2 * HASH_LEN + 2)

size_t fernet_oaep_len(const EVP_PKEY *key)
{
	if (!key || !EVP_PKEY_is_a(key, "RSA"))
		return 0;
	int size = EVP_PKEY_get_size(key);
	if (size <= OAEP_OVERHEAD || size > FERNET_RSA_MAX_BYTES)
		return 0;
	return (size_t)size;
}

/* A context for one RSA operation with `padding` (OAEP: SHA-256 for both
 * the label hash and MGF1, as the original asks for). */
static EVP_PKEY_CTX *rsa_ctx(EVP_PKEY *key, int encrypt, int padding)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (!ctx)
		return NULL;
	int ok = (encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) > 0 &&
		EVP_PKEY_CTX_set_rsa_padding(ctx, padding) > 0;
	if (ok && padding == RSA_PKCS1_OAEP_PADDING)
		ok = EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 &&
			EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0;
	if (!ok) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int encrypt(EVP_PKEY *pub, int padding, const uint8_t *in, size_t n, uint8_t *out,
	size_t *out_len)
{
	size_t k = fernet_oaep_len(pub), len = k;
	if (!k || n > (padding == RSA_NO_PADDING ? k : k - OAEP_OVERHEAD))
		return POLYCHAT_EINVAL;
	EVP_PKEY_CTX *ctx = rsa_ctx(pub, 1, padding);
	int rc = POLYCHAT_ECRYPTO;
	if (ctx && EVP_PKEY_encrypt(ctx, out, &len, in, n) > 0 && len == k) {
		*out_len = k;
		rc = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int fernet_oaep_wrap(EVP_PKEY *pub, const uint8_t *in, size_t n, uint8_t *out,
	size_t *out_len)
{
	return encrypt(pub, RSA_PKCS1_OAEP_PADDING, in, n, out, out_len);
}

/* MGF1 with SHA-256: XOR `len` bytes of the mask from `seed` into `out`. */
static int mgf1_xor(const uint8_t *seed, size_t seed_len, uint8_t *out, size_t len)
{
	uint8_t block[HASH_LEN];
	int rc = POLYCHAT_ECRYPTO;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md)
		return POLYCHAT_ENOMEM;
	for (uint32_t counter = 0; len > 0; counter++) {
		const uint8_t c[4] = { (uint8_t)(counter >> 24), (uint8_t)(counter >> 16),
			(uint8_t)(counter >> 8), (uint8_t)counter };
		if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
		    !EVP_DigestUpdate(md, seed, seed_len) || !EVP_DigestUpdate(md, c, sizeof(c)) ||
		    !EVP_DigestFinal_ex(md, block, NULL))
			goto out;
		size_t take = len < HASH_LEN ? len : HASH_LEN;
		for (size_t i = 0; i < take; i++)
			out[i] ^= block[i];
		out += take;
		len -= take;
	}
	rc = 0;
out:
	OPENSSL_cleanse(block, sizeof(block));
	EVP_MD_CTX_free(md);
	return rc;
}

int fernet_oaep_wrap_seeded(EVP_PKEY *pub, const uint8_t seed[FERNET_SEED_LEN],
	const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
	uint8_t em[FERNET_RSA_MAX_BYTES];
	size_t k = fernet_oaep_len(pub);
	if (!k || n > k - OAEP_OVERHEAD)
		return POLYCHAT_EINVAL;
	/* EM = 0x00 || maskedSeed || maskedDB, DB = lHash || PS || 0x01 || M
	 * (RFC 8017 §7.1.1), the label empty. */
	uint8_t *masked_seed = em + 1, *db = em + 1 + HASH_LEN;
	size_t db_len = k - HASH_LEN - 1;
	memset(em, 0, k);
	int rc = POLYCHAT_ECRYPTO;
	if (!EVP_Digest("", 0, db, NULL, EVP_sha256(), NULL))
		goto out;
	db[db_len - n - 1] = 0x01;
	memcpy(db + db_len - n, in, n);
	memcpy(masked_seed, seed, HASH_LEN);
	rc = mgf1_xor(masked_seed, HASH_LEN, db, db_len);
	if (rc == 0)
		rc = mgf1_xor(db, db_len, masked_seed, HASH_LEN);
	if (rc == 0)
		rc = encrypt(pub, RSA_NO_PADDING, em, k, out, out_len);
out:
	OPENSSL_cleanse(em, sizeof(em));
	return rc;
}

int fernet_oaep_unwrap(EVP_PKEY *priv, const uint8_t *in, size_t n, uint8_t *out,
	size_t cap, size_t *out_len)
{
	uint8_t plain[FERNET_RSA_MAX_BYTES];
	size_t k = fernet_oaep_len(priv), len = sizeof(plain);
	if (!k || n != k)
		return POLYCHAT_EPROTO;
	EVP_PKEY_CTX *ctx = rsa_ctx(priv, 0, RSA_PKCS1_OAEP_PADDING);
	int rc = ctx ? POLYCHAT_EPROTO : POLYCHAT_ECRYPTO;
	if (ctx && EVP_PKEY_decrypt(ctx, plain, &len, in, n) > 0) {
		if (len > cap) {
			rc = POLYCHAT_ETOOBIG;
		} else {
			memcpy(out, plain, len);
			*out_len = len;
			rc = 0;
		}
	}
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_cleanse(plain, sizeof(plain));
	/* A peer's bad ciphertext must not leave errors for the next caller. */
	if (rc != 0)
		ERR_clear_error();
	return rc;
}
