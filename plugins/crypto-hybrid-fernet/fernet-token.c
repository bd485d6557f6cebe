/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: Fernet tokens and their keys, and Base64 as Python decodes it. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <polychat/status.h>

#include "../common/pc-base64.h"
#include "../common/pc-json.h"
#include "fernet-token.h"

#define HALF (FERNET_KEY_LEN / 2)
#define MAC_LEN 32
#define TIME_LEN 8
#define IV_AT (1 + TIME_LEN)
#define CT_AT (IV_AT + FERNET_IV_LEN)

size_t fernet_token_raw_len(size_t n)
{
	return FERNET_OVERHEAD + 16 * (n / 16 + 1);
}

size_t fernet_token_len(size_t n)
{
	return pc_b64_len(fernet_token_raw_len(n));
}

/* Standard Base64 in place to the URL-safe alphabet, and back. */
static void to_urlsafe(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		s[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
}

void fernet_key_text(const uint8_t key[FERNET_KEY_LEN], char text[FERNET_KEY_TEXT_LEN])
{
	pc_b64_encode(key, FERNET_KEY_LEN, text);
	to_urlsafe(text, FERNET_KEY_TEXT_LEN);
}

int fernet_key_from_text(const char *text, size_t len, uint8_t key[FERNET_KEY_LEN])
{
	char std[FERNET_KEY_TEXT_LEN];
	uint8_t raw[FERNET_KEY_TEXT_LEN / 4 * 3];
	size_t n = 0;
	int rc = POLYCHAT_EPROTO;
	if (len != FERNET_KEY_TEXT_LEN)
		return rc;
	/* The standard alphabet's own "+/" are not URL-safe: refused. */
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '+' || c == '/')
			goto out;
		std[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	if (pc_b64_decode(std, len, raw, &n) == 0 && n == FERNET_KEY_LEN) {
		memcpy(key, raw, FERNET_KEY_LEN);
		rc = 0;
	}
out:
	OPENSSL_cleanse(std, sizeof(std));
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

/* HMAC-SHA256 under the signing half of the key. */
static int mac(const uint8_t key[FERNET_KEY_LEN], const uint8_t *data, size_t len,
	uint8_t out[MAC_LEN])
{
	unsigned int n = 0;
	if (!HMAC(EVP_sha256(), key, HALF, data, len, out, &n) || n != MAC_LEN)
		return POLYCHAT_ECRYPTO;
	return 0;
}

/* AES-128-CBC with PKCS#7 under the encryption half: `out` gets *out_len
 * bytes (at most len + 16). */
static int cbc(const uint8_t key[FERNET_KEY_LEN], const uint8_t iv[FERNET_IV_LEN], int encrypt,
	const uint8_t *in, size_t len, uint8_t *out, size_t *out_len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, tail = 0, rc = POLYCHAT_ENOMEM;
	if (!ctx)
		return rc;
	rc = POLYCHAT_ECRYPTO;
	if (len > (size_t)INT32_MAX - 32 ||
	    !EVP_CipherInit_ex(ctx, EVP_aes_128_cbc(), NULL, key + HALF, iv, encrypt) ||
	    !EVP_CipherUpdate(ctx, out, &n, in, (int)len))
		goto out;
	/* Decrypting, a final block that is not PKCS#7 fails here; the MAC
	 * has already been checked, so this tells an attacker nothing. */
	if (!EVP_CipherFinal_ex(ctx, out + n, &tail)) {
		rc = POLYCHAT_EPROTO;
		goto out;
	}
	*out_len = (size_t)n + (size_t)tail;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int fernet_token_make(const struct polychat_host *host, const uint8_t key[FERNET_KEY_LEN],
	const uint8_t iv[FERNET_IV_LEN], uint64_t timestamp, const uint8_t *pt, size_t n,
	char *out)
{
	size_t raw_len = fernet_token_raw_len(n), ct_len = 0;
	uint8_t *raw = host->alloc(raw_len);
	if (!raw)
		return POLYCHAT_ENOMEM;
	raw[0] = FERNET_VERSION;
	for (int i = 0; i < TIME_LEN; i++)
		raw[1 + i] = (uint8_t)(timestamp >> (8 * (TIME_LEN - 1 - i)));
	memcpy(raw + IV_AT, iv, FERNET_IV_LEN);
	int rc = cbc(key, iv, 1, pt, n, raw + CT_AT, &ct_len);
	if (rc == 0 && CT_AT + ct_len + MAC_LEN != raw_len)
		rc = POLYCHAT_ECRYPTO;
	if (rc == 0)
		rc = mac(key, raw, CT_AT + ct_len, raw + CT_AT + ct_len);
	if (rc == 0) {
		pc_b64_encode(raw, raw_len, out);
		to_urlsafe(out, pc_b64_len(raw_len));
	}
	host->free(raw);
	return rc;
}

int fernet_token_open(const struct polychat_host *host, const uint8_t key[FERNET_KEY_LEN],
	const char *token, size_t len, uint8_t **pt, size_t *pt_len, uint64_t *timestamp)
{
	size_t cap = len / 4 * 3 + 3, raw_len = 0, n = 0;
	uint8_t *raw = host->alloc(cap), *plain = NULL, expect[MAC_LEN];
	int rc = POLYCHAT_ENOMEM;
	if (!raw)
		return rc;
	rc = POLYCHAT_EPROTO;
	if (fernet_b64_lenient(token, len, FERNET_B64_URLSAFE, raw, &raw_len) != 0 ||
	    raw_len < FERNET_RAW_MIN || raw[0] != FERNET_VERSION ||
	    (raw_len - FERNET_OVERHEAD) % 16 != 0)
		goto out;
	size_t signed_len = raw_len - MAC_LEN;
	rc = mac(key, raw, signed_len, expect);
	if (rc != 0)
		goto out;
	if (CRYPTO_memcmp(expect, raw + signed_len, MAC_LEN) != 0) {
		rc = POLYCHAT_EAUTH;
		goto out;
	}
	rc = POLYCHAT_ENOMEM;
	plain = host->alloc(signed_len - CT_AT + 16 + 1);
	if (!plain)
		goto out;
	rc = cbc(key, raw + IV_AT, 0, raw + CT_AT, signed_len - CT_AT, plain, &n);
	if (rc == 0 && !pc_utf8_valid(plain, n))
		rc = POLYCHAT_EPROTO;
	if (rc == 0) {
		plain[n] = '\0';
		uint64_t t = 0;
		for (int i = 0; i < TIME_LEN; i++)
			t = t << 8 | raw[1 + i];
		if (timestamp)
			*timestamp = t;
		*pt = plain;
		*pt_len = n;
		plain = NULL;
	}
out:
	if (plain)
		host->wipe_free(plain, signed_len - CT_AT + 16 + 1);
	host->wipe_free(raw, cap);
	return rc;
}

/* A character's value in the alphabet, or -1 (skipped). */
static int b64_value(unsigned char c, int alphabet)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (alphabet == FERNET_B64_URLSAFE && c == '-'))
		return 62;
	if (c == '/' || (alphabet == FERNET_B64_URLSAFE && c == '_'))
		return 63;
	return -1;
}

int fernet_b64_lenient(const char *in, size_t len, int alphabet, uint8_t *out,
	size_t *out_len)
{
	unsigned quad = 0, pads = 0, left = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '=') {
			/* binascii counts pads only once two data characters are in. */
			if (quad >= 2 && quad + ++pads >= 4)
				goto done;
			continue;
		}
		int v = b64_value((unsigned char)in[i], alphabet);
		if (v < 0)
			continue;
		pads = 0;
		switch (quad) {
		case 0:
			left = (unsigned)v;
			quad = 1;
			break;
		case 1:
			out[n++] = (uint8_t)(left << 2 | (unsigned)v >> 4);
			left = (unsigned)v & 0x0f;
			quad = 2;
			break;
		case 2:
			out[n++] = (uint8_t)(left << 4 | (unsigned)v >> 2);
			left = (unsigned)v & 0x03;
			quad = 3;
			break;
		default:
			out[n++] = (uint8_t)(left << 6 | (unsigned)v);
			quad = 0;
			break;
		}
	}
	if (quad != 0)
		return POLYCHAT_EPROTO;
done:
	*out_len = n;
	return 0;
}
