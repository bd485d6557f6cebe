/* SPDX-License-Identifier: MIT */
/* Suite `pychat`: Diffie-Hellman group 14, the key derivation, AES-256-CFB8, Base64 and the 10-byte header. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <polychat/status.h>

#include "pychat-crypto.h"

#define EXPONENT_BITS 256

/* value^x mod p in constant time with respect to x. */
static BIGNUM *mod_exp(const BIGNUM *value, const BIGNUM *x, const BIGNUM *p, BN_CTX *ctx)
{
	BIGNUM *r = BN_new();
	if (r && !BN_mod_exp_mont_consttime(r, value, x, p, ctx, NULL)) {
		BN_free(r);
		r = NULL;
	}
	return r;
}

/* Set dh->pub from the exponent dh->priv. */
static int compute_public(struct pychat_dh *dh)
{
	int rc = POLYCHAT_ENOMEM;
	BN_CTX *ctx = BN_CTX_secure_new();
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL), *g = BN_new(), *y = NULL;
	char *dec = NULL;
	if (!ctx || !p || !g || !BN_set_word(g, 2))
		goto out;
	rc = POLYCHAT_ECRYPTO;
	y = mod_exp(g, dh->priv, p, ctx);
	if (!y || !(dec = BN_bn2dec(y)))
		goto out;
	dh->pub_len = strlen(dec);
	if (dh->pub_len > PYCHAT_DH_DIGITS)
		goto out;
	memcpy(dh->pub, dec, dh->pub_len + 1);
	rc = 0;
out:
	OPENSSL_free(dec);
	BN_free(y);
	BN_free(g);
	BN_free(p);
	BN_CTX_free(ctx);
	return rc;
}

static int set_private(struct pychat_dh *dh, BIGNUM *x)
{
	BN_set_flags(x, BN_FLG_CONSTTIME);
	dh->priv = x;
	int rc = compute_public(dh);
	if (rc != 0)
		pychat_dh_clear(dh);
	return rc;
}

int pychat_dh_generate(struct pychat_dh *dh)
{
	memset(dh, 0, sizeof(*dh));
	BIGNUM *x = BN_secure_new();
	if (!x)
		return POLYCHAT_ENOMEM;
	/* An exponent of 0 or 1 would give a public value of 1 or 2. */
	do {
		if (!BN_priv_rand(x, EXPONENT_BITS, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY)) {
			BN_clear_free(x);
			return POLYCHAT_ECRYPTO;
		}
	} while (BN_cmp(x, BN_value_one()) <= 0);
	return set_private(dh, x);
}

int pychat_dh_from_private(struct pychat_dh *dh, const uint8_t *bytes, size_t len)
{
	memset(dh, 0, sizeof(*dh));
	BIGNUM *x = BN_secure_new(), *p = BN_get_rfc3526_prime_2048(NULL);
	int rc = POLYCHAT_ENOMEM;
	if (x && p && BN_bin2bn(bytes, (int)len, x)) {
		rc = POLYCHAT_EINVAL;
		if (!BN_is_zero(x) && BN_cmp(x, p) < 0) {
			BN_free(p);
			return set_private(dh, x);
		}
	}
	BN_clear_free(x);
	BN_free(p);
	return rc;
}

void pychat_dh_clear(struct pychat_dh *dh)
{
	BN_clear_free(dh->priv);
	dh->priv = NULL;
	dh->pub_len = 0;
	dh->pub[0] = '\0';
}

/* The peer's value if it is plain decimal text of an integer in
 * [2, p-2], else NULL with *rc set. */
static BIGNUM *peer_value(const char *text, size_t len, const BIGNUM *p, int *rc)
{
	char digits[PYCHAT_DH_DIGITS + 1];
	*rc = POLYCHAT_EPROTO;
	if (len == 0 || len > PYCHAT_DH_DIGITS || (text[0] == '0'))
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (text[i] < '0' || text[i] > '9')
			return NULL;
	memcpy(digits, text, len);
	digits[len] = '\0';
	BIGNUM *y = NULL, *limit = BN_dup(p);
	if (!limit || !BN_sub_word(limit, 2) || !BN_dec2bn(&y, digits)) {
		*rc = POLYCHAT_ENOMEM;
		BN_free(limit);
		BN_free(y);
		return NULL;
	}
	int ok = BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, limit) <= 0;
	BN_free(limit);
	if (!ok) {
		BN_free(y);
		return NULL;
	}
	*rc = 0;
	return y;
}

int pychat_dh_derive(const struct pychat_dh *dh, const char *peer, size_t len,
	uint8_t key[PYCHAT_KEY_LEN])
{
	int rc = POLYCHAT_ENOMEM;
	BN_CTX *ctx = BN_CTX_secure_new();
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL), *y = NULL, *s = NULL;
	char *dec = NULL;
	if (!ctx || !p || !dh->priv)
		goto out;
	y = peer_value(peer, len, p, &rc);
	if (!y)
		goto out;
	rc = POLYCHAT_ECRYPTO;
	s = mod_exp(y, dh->priv, p, ctx);
	if (!s || !(dec = BN_bn2dec(s)))
		goto out;
	rc = pychat_key_from_text(dec, strlen(dec), key);
out:
	if (dec)
		OPENSSL_clear_free(dec, strlen(dec));
	BN_clear_free(s);
	BN_free(y);
	BN_free(p);
	BN_CTX_free(ctx);
	return rc;
}

int pychat_key_from_text(const char *text, size_t len, uint8_t key[PYCHAT_KEY_LEN])
{
	unsigned int n = 0;
	if (!EVP_Digest(text, len, key, &n, EVP_sha256(), NULL) || n != PYCHAT_KEY_LEN)
		return POLYCHAT_ECRYPTO;
	return 0;
}

int pychat_cfb8(const uint8_t key[PYCHAT_KEY_LEN], const uint8_t iv[PYCHAT_IV_LEN],
	int encrypt, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int rc = POLYCHAT_ECRYPTO, n = 0;
	if (!ctx)
		return POLYCHAT_ENOMEM;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_cfb8(), NULL, key, iv, encrypt ? 1 : 0)) {
		rc = 0;
		/* EVP_CipherUpdate takes an int length. */
		while (rc == 0 && len > 0) {
			int chunk = len > (1u << 30) ? 1 << 30 : (int)len;
			if (!EVP_CipherUpdate(ctx, out, &n, in, chunk) || n != chunk)
				rc = POLYCHAT_ECRYPTO;
			in += chunk;
			out += chunk;
			len -= (size_t)chunk;
		}
	}
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

void pychat_header_format(size_t n, uint8_t out[PYCHAT_HEADER_LEN])
{
	char digits[24];
	size_t len = 0;
	do {
		digits[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && len < sizeof(digits));
	memset(out, ' ', PYCHAT_HEADER_LEN);
	for (size_t i = 0; i < len && i < PYCHAT_HEADER_LEN; i++)
		out[i] = (uint8_t)digits[len - 1 - i];
}

static int blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

int pychat_header_parse(const uint8_t in[PYCHAT_HEADER_LEN], size_t cap, size_t *n)
{
	size_t i = 0, value = 0, digits = 0;
	int over = 0;
	while (i < PYCHAT_HEADER_LEN && blank(in[i]))
		i++;
	for (; i < PYCHAT_HEADER_LEN && in[i] >= '0' && in[i] <= '9'; i++, digits++) {
		size_t d = (size_t)(in[i] - '0');
		if (over || d > cap || value > (cap - d) / 10)
			over = 1;
		else
			value = value * 10 + d;
	}
	while (i < PYCHAT_HEADER_LEN && blank(in[i]))
		i++;
	if (digits == 0 || i != PYCHAT_HEADER_LEN)
		return POLYCHAT_EPROTO;
	if (over)
		return POLYCHAT_ETOOBIG;
	*n = value;
	return 0;
}
