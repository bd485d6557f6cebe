/* SPDX-License-Identifier: MIT */
/* KyloChat's crypto and framing on OpenSSL 3 EVP: handshake blocks, sealed frames, server units. */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "kylo-crypto.h"

/*
 * EVP_*Update take an int length; frames may hold up to 4 GiB, so long
 * inputs go through in slices of this size (a multiple of the block).
 */
#define SLICE ((size_t)1 << 30)

/* A failed OpenSSL call leaves entries on this thread's error queue; they
 * mean nothing to the next user of the thread, so drop them. */
static int crypto_fail(int status)
{
	ERR_clear_error();
	return status;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

static int is_rsa2048(EVP_PKEY *key)
{
	return key && EVP_PKEY_is_a(key, "RSA")
		&& EVP_PKEY_get_bits(key) == KYLO_RSA_BITS;
}

/* PKCS#7 length of the padding at the end of `block`, or 0 if the padding
 * is malformed. Every byte is looked at whatever the value, so the time
 * does not depend on where the padding breaks. */
static size_t pkcs7_pad_len(const uint8_t block[KYLO_BLOCK_LEN])
{
	unsigned pad = block[KYLO_BLOCK_LEN - 1];
	unsigned bad = (pad == 0) | (pad > KYLO_BLOCK_LEN);
	for (unsigned i = 0; i < KYLO_BLOCK_LEN; i++) {
		unsigned in_pad = KYLO_BLOCK_LEN - i <= pad;
		bad |= in_pad & (block[i] != pad);
	}
	return bad ? 0 : pad;
}

/*
 * Raw AES-256-CBC (no padding) of `len` bytes, a multiple of the block,
 * from `in` to `out` (which may not overlap). The caller pads and unpads:
 * that keeps all padding decisions in one place and lets kylo_frame_open
 * look at the last block before it writes anything.
 */
static int cbc_raw(int encrypt, const uint8_t key[KYLO_KEY_LEN],
	const uint8_t iv[KYLO_IV_LEN], const uint8_t *in, size_t len,
	uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int ok, n = 0;

	if (!ctx)
		return crypto_fail(POLYCHAT_ENOMEM);
	ok = EVP_CipherInit_ex2(ctx, EVP_aes_256_cbc(), key, iv, encrypt, NULL)
		&& EVP_CIPHER_CTX_set_padding(ctx, 0);
	for (size_t done = 0; ok && done < len; done += (size_t)n) {
		size_t chunk = len - done < SLICE ? len - done : SLICE;
		ok = EVP_CipherUpdate(ctx, out + done, &n, in + done, (int)chunk)
			&& (size_t)n == chunk;
	}
	/* Without padding Final only checks that nothing is left over. */
	ok = ok && EVP_CipherFinal_ex(ctx, out + len, &n) && n == 0;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : crypto_fail(POLYCHAT_ECRYPTO);
}

static int hmac_sha256(const uint8_t key[KYLO_KEY_LEN], const uint8_t *data,
	size_t len, uint8_t tag[KYLO_TAG_LEN])
{
	size_t tag_len = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, KYLO_KEY_LEN,
			data, len, tag, KYLO_TAG_LEN, &tag_len)
			|| tag_len != KYLO_TAG_LEN)
		return crypto_fail(POLYCHAT_ECRYPTO);
	return 0;
}

/*
 * CBC-encrypt `plain` with PKCS#7 into `out` (n rounded up to the next
 * full block, a whole block when n is a multiple of 16). Only the last,
 * padded block needs a copy: it is built on the stack and wiped.
 */
static int cbc_encrypt_padded(const uint8_t key[KYLO_KEY_LEN],
	const uint8_t iv[KYLO_IV_LEN], const uint8_t *plain, size_t n,
	uint8_t *out)
{
	size_t whole = n - n % KYLO_BLOCK_LEN;
	size_t rest = n - whole;
	uint8_t last[KYLO_BLOCK_LEN];
	const uint8_t *chain = iv;
	int rc = 0;

	if (whole) {
		rc = cbc_raw(1, key, iv, plain, whole, out);
		chain = out + whole - KYLO_BLOCK_LEN;
	}
	if (rc == 0) {
		memcpy(last, plain + whole, rest);
		memset(last + rest, (int)(KYLO_BLOCK_LEN - rest),
			KYLO_BLOCK_LEN - rest);
		rc = cbc_raw(1, key, chain, last, KYLO_BLOCK_LEN, out + whole);
		OPENSSL_cleanse(last, sizeof(last));
	}
	return rc;
}

/* An EVP_PKEY_CTX for RSA-OAEP with SHA-256, MGF1-SHA-256, empty label. */
static int oaep_ctx(EVP_PKEY *key, int decrypt, EVP_PKEY_CTX **out)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
			(char *)OSSL_PKEY_RSA_PAD_MODE_OAEP, 0),
		OSSL_PARAM_construct_utf8_string(
			OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_utf8_string(
			OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	int ok;

	if (!ctx)
		return crypto_fail(POLYCHAT_ENOMEM);
	ok = decrypt ? EVP_PKEY_decrypt_init_ex(ctx, params)
		: EVP_PKEY_encrypt_init_ex(ctx, params);
	if (ok <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return crypto_fail(POLYCHAT_ECRYPTO);
	}
	*out = ctx;
	return 0;
}

/* kylo_keys_wipe - see kylo-crypto.h. */
void kylo_keys_wipe(const struct polychat_host *host, struct kylo_keys *keys)
{
	if (keys)
		host->wipe(keys, sizeof(*keys));
}

/* --- RSA and the handshake --- */

/* kylo_rsa_generate - see kylo-crypto.h. */
int kylo_rsa_generate(EVP_PKEY **out)
{
	EVP_PKEY *key;

	if (!out)
		return POLYCHAT_EINVAL;
	/* OpenSSL's default public exponent is 65537, as the original's. */
	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)KYLO_RSA_BITS);
	if (!key)
		return crypto_fail(POLYCHAT_ECRYPTO);
	*out = key;
	return 0;
}

/* kylo_hello_build - see kylo-crypto.h. */
int kylo_hello_build(EVP_PKEY *key, uint8_t *out, size_t out_cap,
	size_t *out_len)
{
	BIO *bio;
	char *pem = NULL;
	long pem_len;
	int rc = 0;

	if (!is_rsa2048(key) || !out || !out_len)
		return POLYCHAT_EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return crypto_fail(POLYCHAT_ENOMEM);
	/* PEM_write_bio_PUBKEY writes the SubjectPublicKeyInfo with exactly
	 * the layout of §2: 64-character base64 lines, each ending in "\n". */
	if (!PEM_write_bio_PUBKEY(bio, key)) {
		rc = crypto_fail(POLYCHAT_ECRYPTO);
	} else {
		pem_len = BIO_get_mem_data(bio, &pem);
		if (pem_len <= 0 || pem_len > UINT16_MAX)
			rc = POLYCHAT_ECRYPTO;
		else if (out_cap < 2 || out_cap - 2 < (size_t)pem_len)
			rc = POLYCHAT_ENOSPACE;
	}
	if (rc == 0) {
		put_le(out, (uint64_t)pem_len, 2);
		memcpy(out + 2, pem, (size_t)pem_len);
		*out_len = 2 + (size_t)pem_len;
	}
	BIO_free(bio);
	return rc;
}

/* kylo_hello_size - see kylo-crypto.h. */
int kylo_hello_size(const uint8_t *data, size_t len, size_t *total)
{
	size_t pem_len;

	if ((!data && len) || !total)
		return POLYCHAT_EINVAL;
	if (len < 2) {
		*total = 0;
		return 0;
	}
	pem_len = (size_t)get_le(data, 2);
	if (pem_len == 0)
		return POLYCHAT_EPROTO;
	if (pem_len > KYLO_HELLO_PEM_MAX)
		return POLYCHAT_ETOOBIG;
	*total = 2 + pem_len;
	return 0;
}

/* kylo_hello_parse - see kylo-crypto.h. */
int kylo_hello_parse(const uint8_t *data, size_t len, EVP_PKEY **out)
{
	size_t total;
	BIO *bio;
	EVP_PKEY *key;
	int rc;

	if (!out)
		return POLYCHAT_EINVAL;
	rc = kylo_hello_size(data, len, &total);
	if (rc < 0)
		return rc;
	if (total == 0 || len != total)
		return POLYCHAT_EPROTO;
	bio = BIO_new_mem_buf(data + 2, (int)(total - 2));
	if (!bio)
		return crypto_fail(POLYCHAT_ENOMEM);
	key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!key)
		return crypto_fail(POLYCHAT_EPROTO);
	if (!is_rsa2048(key)) {
		EVP_PKEY_free(key);
		return POLYCHAT_EPROTO;
	}
	*out = key;
	return 0;
}

/* kylo_keyblock1_build - see kylo-crypto.h. */
int kylo_keyblock1_build(EVP_PKEY *pub, const uint8_t *key, size_t key_len,
	uint8_t out[KYLO_KEYBLOCK1_LEN])
{
	uint8_t block[KYLO_KEYBLOCK1_LEN];
	size_t block_len = sizeof(block);
	EVP_PKEY_CTX *ctx;
	int rc;

	if (!is_rsa2048(pub) || !key || key_len == 0
			|| key_len > KYLO_KEYBLOCK1_MAX_KEY || !out)
		return POLYCHAT_EINVAL;
	rc = oaep_ctx(pub, 0, &ctx);
	if (rc < 0)
		return rc;
	/* The OAEP seed comes from OpenSSL's DRBG inside this call. */
	if (EVP_PKEY_encrypt(ctx, block, &block_len, key, key_len) <= 0
			|| block_len != KYLO_KEYBLOCK1_LEN)
		rc = crypto_fail(POLYCHAT_ECRYPTO);
	else
		memcpy(out, block, KYLO_KEYBLOCK1_LEN);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* kylo_keyblock2_build - see kylo-crypto.h. */
int kylo_keyblock2_build(const struct kylo_keys *keys,
	const uint8_t iv[KYLO_IV_LEN], uint8_t out[KYLO_KEYBLOCK2_LEN])
{
	uint8_t ct[KYLO_KEYBLOCK2_LEN - KYLO_IV_LEN];
	int rc;

	if (!keys || !iv || !out)
		return POLYCHAT_EINVAL;
	rc = cbc_encrypt_padded(keys->enc, iv, keys->mac, KYLO_KEY_LEN, ct);
	if (rc < 0)
		return rc;
	memcpy(out, iv, KYLO_IV_LEN);
	memcpy(out + KYLO_IV_LEN, ct, sizeof(ct));
	return 0;
}

/* kylo_client_handshake - see kylo-crypto.h. */
int kylo_client_handshake(const struct polychat_host *host, EVP_PKEY *pub,
	struct kylo_keys *keys,
	uint8_t out[KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN])
{
	struct kylo_keys fresh;
	uint8_t iv[KYLO_IV_LEN];
	uint8_t blocks[KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN];
	int rc;

	if (!host || !pub || !keys || !out)
		return POLYCHAT_EINVAL;
	rc = host->random(fresh.enc, sizeof(fresh.enc));
	if (rc == 0)
		rc = host->random(iv, sizeof(iv));
	if (rc == 0)
		rc = host->random(fresh.mac, sizeof(fresh.mac));
	if (rc == 0)
		rc = kylo_keyblock1_build(pub, fresh.enc, KYLO_KEY_LEN, blocks);
	if (rc == 0)
		rc = kylo_keyblock2_build(&fresh, iv,
			blocks + KYLO_KEYBLOCK1_LEN);
	if (rc == 0) {
		memcpy(out, blocks, sizeof(blocks));
		memcpy(keys, &fresh, sizeof(fresh));
	}
	host->wipe(&fresh, sizeof(fresh));
	return rc;
}

/* kylo_keyblock1_open - see kylo-crypto.h. */
int kylo_keyblock1_open(EVP_PKEY *priv, const uint8_t *data, size_t len,
	uint8_t enc[KYLO_KEY_LEN])
{
	uint8_t plain[KYLO_KEYBLOCK1_LEN];
	size_t plain_len = sizeof(plain);
	EVP_PKEY_CTX *ctx;
	int rc;

	if (!is_rsa2048(priv) || !enc || (!data && len))
		return POLYCHAT_EINVAL;
	if (len != KYLO_KEYBLOCK1_LEN)
		return POLYCHAT_EPROTO;
	rc = oaep_ctx(priv, 1, &ctx);
	if (rc < 0)
		return rc;
	if (EVP_PKEY_decrypt(ctx, plain, &plain_len, data, len) <= 0)
		rc = crypto_fail(POLYCHAT_ECRYPTO);
	else if (plain_len != KYLO_KEY_LEN)
		/* The original nominally takes 16 or 24 bytes as well and then
		 * fails building AES-256 with them: refuse them here. */
		rc = POLYCHAT_EPROTO;
	else
		memcpy(enc, plain, KYLO_KEY_LEN);
	OPENSSL_cleanse(plain, sizeof(plain));
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* kylo_keyblock2_open - see kylo-crypto.h. */
int kylo_keyblock2_open(const uint8_t enc[KYLO_KEY_LEN], const uint8_t *data,
	size_t len, uint8_t mac[KYLO_KEY_LEN])
{
	uint8_t plain[KYLO_KEYBLOCK2_LEN - KYLO_IV_LEN];
	size_t pad;
	int rc;

	if (!enc || !mac || (!data && len))
		return POLYCHAT_EINVAL;
	if (len != KYLO_KEYBLOCK2_LEN)
		return POLYCHAT_EPROTO;
	rc = cbc_raw(0, enc, data, data + KYLO_IV_LEN, sizeof(plain), plain);
	if (rc == 0) {
		pad = pkcs7_pad_len(plain + sizeof(plain) - KYLO_BLOCK_LEN);
		/* 48 bytes minus 1..16 of padding: only a full block of
		 * padding leaves the 32 bytes of K_mac. */
		if (pad == 0 || sizeof(plain) - pad != KYLO_KEY_LEN)
			rc = POLYCHAT_EPROTO;
		else
			memcpy(mac, plain, KYLO_KEY_LEN);
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}

/* kylo_handshake_open - see kylo-crypto.h. */
int kylo_handshake_open(EVP_PKEY *priv, const uint8_t *kb1, size_t kb1_len,
	const uint8_t *kb2, size_t kb2_len, struct kylo_keys *keys)
{
	struct kylo_keys got;
	int rc;

	if (!keys)
		return POLYCHAT_EINVAL;
	rc = kylo_keyblock1_open(priv, kb1, kb1_len, got.enc);
	if (rc == 0)
		rc = kylo_keyblock2_open(got.enc, kb2, kb2_len, got.mac);
	if (rc == 0)
		memcpy(keys, &got, sizeof(got));
	OPENSSL_cleanse(&got, sizeof(got));
	return rc;
}

/* --- encrypted frames --- */

static size_t plain_max(unsigned len_bytes)
{
	return len_bytes == KYLO_SHORT ? KYLO_SHORT_PLAIN_MAX
		: (size_t)KYLO_INT_PLAIN_MAX;
}

/* LEN of a frame with an n-byte plaintext; n within plain_max. */
static size_t frame_len(size_t n)
{
	return KYLO_IV_LEN + (n / KYLO_BLOCK_LEN + 1) * KYLO_BLOCK_LEN
		+ KYLO_TAG_LEN;
}

/* kylo_frame_size - see kylo-crypto.h. */
int kylo_frame_size(unsigned len_bytes, size_t n, size_t *size)
{
	if ((len_bytes != KYLO_SHORT && len_bytes != KYLO_INT) || n == 0
			|| !size)
		return POLYCHAT_EINVAL;
	if (n > plain_max(len_bytes))
		return POLYCHAT_ETOOBIG;
	/* The int frame's largest total is 0xfffffff4: no overflow even
	 * where size_t has 32 bits. */
	*size = len_bytes + frame_len(n);
	return 0;
}

/* kylo_frame_seal - see kylo-crypto.h. */
int kylo_frame_seal(const struct kylo_keys *keys, unsigned len_bytes,
	const uint8_t iv[KYLO_IV_LEN], const uint8_t *plain, size_t n,
	uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t total, ct_len;
	uint8_t *ct;
	int rc;

	if (!keys || !iv || !plain || !out || !out_len)
		return POLYCHAT_EINVAL;
	rc = kylo_frame_size(len_bytes, n, &total);
	if (rc < 0)
		return rc;
	if (out_cap < total)
		return POLYCHAT_ENOSPACE;
	ct = out + len_bytes + KYLO_IV_LEN;
	ct_len = total - len_bytes - KYLO_IV_LEN - KYLO_TAG_LEN;
	rc = cbc_encrypt_padded(keys->enc, iv, plain, n, ct);
	if (rc == 0)
		rc = hmac_sha256(keys->mac, ct, ct_len, ct + ct_len);
	if (rc < 0) {
		/* Leave no partial frame behind. */
		OPENSSL_cleanse(out, total);
		return rc;
	}
	put_le(out, total - len_bytes, len_bytes);
	memcpy(out + len_bytes, iv, KYLO_IV_LEN);
	*out_len = total;
	return 0;
}

/* kylo_frame_header - see kylo-crypto.h. */
int kylo_frame_header(const uint8_t *data, size_t len, unsigned len_bytes,
	size_t cap, size_t *total)
{
	uint64_t flen;

	if ((len_bytes != KYLO_SHORT && len_bytes != KYLO_INT) || !total
			|| (!data && len))
		return POLYCHAT_EINVAL;
	if (len < len_bytes) {
		*total = 0;
		return 0;
	}
	flen = get_le(data, len_bytes);
	if (flen > cap)
		return POLYCHAT_ETOOBIG;
	if (flen < KYLO_FRAME_MIN || flen % KYLO_BLOCK_LEN)
		return POLYCHAT_EPROTO;
	*total = len_bytes + (size_t)flen;
	return 0;
}

/* kylo_frame_open - see kylo-crypto.h. */
int kylo_frame_open(const struct kylo_keys *keys, const uint8_t *data,
	size_t len, uint8_t *out, size_t out_cap, size_t *out_len)
{
	uint8_t tag[KYLO_TAG_LEN];
	uint8_t last[KYLO_BLOCK_LEN];
	const uint8_t *iv, *ct, *chain;
	size_t ct_len, head, pad, plain_len;
	int rc;

	if (!keys || !out || !out_len || (!data && len))
		return POLYCHAT_EINVAL;
	/* The sizes are public: check them before any work. */
	if (len < KYLO_IV_LEN + KYLO_TAG_LEN)
		return POLYCHAT_EPROTO;
	ct_len = len - KYLO_IV_LEN - KYLO_TAG_LEN;
	if (ct_len == 0 || ct_len % KYLO_BLOCK_LEN)
		return POLYCHAT_EPROTO;
	iv = data;
	ct = data + KYLO_IV_LEN;

	/* Authenticate first, in constant time: nothing about the plaintext
	 * (padding included) may be observable for a forged frame. */
	rc = hmac_sha256(keys->mac, ct, ct_len, tag);
	if (rc < 0)
		return rc;
	if (CRYPTO_memcmp(tag, ct + ct_len, KYLO_TAG_LEN) != 0)
		return POLYCHAT_ECRYPTO;

	/* CBC lets the last block be decrypted alone (its IV is the block
	 * before it), so the padding and the plaintext length are known
	 * before `out` is touched. */
	head = ct_len - KYLO_BLOCK_LEN;
	chain = head ? ct + head - KYLO_BLOCK_LEN : iv;
	rc = cbc_raw(0, keys->enc, chain, ct + head, KYLO_BLOCK_LEN, last);
	if (rc < 0)
		return rc;
	pad = pkcs7_pad_len(last);
	if (pad == 0) {
		rc = POLYCHAT_EPROTO;
		goto out;
	}
	plain_len = ct_len - pad;
	if (plain_len == 0) {
		rc = POLYCHAT_EPROTO;
		goto out;
	}
	if (out_cap < plain_len) {
		rc = POLYCHAT_ENOSPACE;
		goto out;
	}
	if (head) {
		rc = cbc_raw(0, keys->enc, iv, ct, head, out);
		if (rc < 0) {
			OPENSSL_cleanse(out, head);
			goto out;
		}
	}
	memcpy(out + head, last, KYLO_BLOCK_LEN - pad);
	*out_len = plain_len;
out:
	OPENSSL_cleanse(last, sizeof(last));
	return rc;
}

/* --- server units --- */

/* kylo_unit_status - see kylo-crypto.h. */
void kylo_unit_status(uint16_t code, uint8_t out[KYLO_STATUS_LEN])
{
	out[0] = KYLO_UNIT_STATUS;
	put_le(out + 1, code, 2);
}

/* kylo_unit_message - see kylo-crypto.h. */
int kylo_unit_message(const struct polychat_host *host,
	const struct kylo_keys *keys, const uint8_t iv_sender[KYLO_IV_LEN],
	const uint8_t iv_body[KYLO_IV_LEN], const uint8_t *sender,
	size_t sender_len, const uint8_t *body, size_t body_len,
	uint8_t **out, size_t *out_len)
{
	size_t sf, bf, total, used, done;
	uint8_t *buf;
	int rc;

	if (!host || !keys || !iv_sender || !iv_body || !sender || !body
			|| !out || !out_len)
		return POLYCHAT_EINVAL;
	rc = kylo_frame_size(KYLO_SHORT, sender_len, &sf);
	if (rc == 0)
		rc = kylo_frame_size(KYLO_INT, body_len, &bf);
	if (rc < 0)
		return rc;
	/* Both sizes are capped, but their sum may not fit a 32-bit size_t. */
	if (bf > SIZE_MAX - 1 - sf)
		return POLYCHAT_ETOOBIG;
	total = 1 + sf + bf;
	buf = host->alloc(total);
	if (!buf)
		return POLYCHAT_ENOMEM;
	buf[0] = KYLO_UNIT_MESSAGE;
	used = 1;
	rc = kylo_frame_seal(keys, KYLO_SHORT, iv_sender, sender, sender_len,
		buf + used, total - used, &done);
	if (rc == 0) {
		used += done;
		rc = kylo_frame_seal(keys, KYLO_INT, iv_body, body, body_len,
			buf + used, total - used, &done);
	}
	if (rc < 0) {
		host->free(buf);
		return rc;
	}
	*out = buf;
	*out_len = used + done;
	return 0;
}

/* Build prefix || name || suffix into out, all or nothing. */
static int notice(const char *prefix, const uint8_t *name, size_t name_len,
	const char *suffix, uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t pre = strlen(prefix), suf = strlen(suffix);

	if ((!name && name_len) || !out || !out_len)
		return POLYCHAT_EINVAL;
	if (out_cap < pre + suf || out_cap - pre - suf < name_len)
		return POLYCHAT_ENOSPACE;
	memcpy(out, prefix, pre);
	if (name_len)
		memcpy(out + pre, name, name_len);
	memcpy(out + pre + name_len, suffix, suf);
	*out_len = pre + name_len + suf;
	return 0;
}

/* kylo_notice_login - see kylo-crypto.h. */
int kylo_notice_login(const uint8_t *name, size_t name_len, uint8_t *out,
	size_t out_cap, size_t *out_len)
{
	/* ESC[32m (green) ... ESC[39m (default colour), U+1F44B WAVING HAND. */
	return notice("\x1b[32m", name, name_len,
		"\x1b[39m logged in \xf0\x9f\x91\x8b", out, out_cap, out_len);
}

/* kylo_notice_exit - see kylo-crypto.h. */
int kylo_notice_exit(const uint8_t *name, size_t name_len, uint8_t *out,
	size_t out_cap, size_t *out_len)
{
	/* ESC[31m (red) and no reset, as the original sends it. */
	return notice("\x1b[31m", name, name_len, " disconnected", out,
		out_cap, out_len);
}
