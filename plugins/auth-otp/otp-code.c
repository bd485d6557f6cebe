/* SPDX-License-Identifier: MIT */
/* Auth method `otp`: drawing a one-time code, and keeping only a salted hash of it. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "otp-code.h"

#define SALT_LEN 16
#define PREFIX "sha256$"

int otp_draw(const struct polychat_host *host, char code[OTP_DIGITS + 1])
{
	const uint32_t span = OTP_MAX - OTP_MIN + 1;
	/* Values at or above the largest multiple of the span would make
	 * the low codes likelier: draw again. */
	const uint32_t limit = UINT32_MAX - UINT32_MAX % span;
	uint32_t v;
	do {
		uint8_t b[4];
		if (host->random(b, sizeof(b)) != 0)
			return POLYCHAT_ECRYPTO;
		v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	} while (v >= limit);
	snprintf(code, OTP_DIGITS + 1, "%06u", (unsigned)(OTP_MIN + v % span));
	return 0;
}

static void hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int unhex(const char *in, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char c = in[2 * i + k];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int digest(const uint8_t salt[SALT_LEN], const uint8_t *code, size_t len,
	uint8_t out[32])
{
	uint8_t buf[SALT_LEN + OTP_DIGITS];
	unsigned n = 0;
	memcpy(buf, salt, SALT_LEN);
	memcpy(buf + SALT_LEN, code, len);
	int ok = EVP_Digest(buf, SALT_LEN + len, out, &n, EVP_sha256(), NULL) == 1 && n == 32;
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok ? 0 : POLYCHAT_ECRYPTO;
}

int otp_seal(const struct polychat_host *host, const char *code,
	char stored[OTP_STORED_LEN + 1])
{
	uint8_t salt[SALT_LEN], d[32];
	if (strlen(code) != OTP_DIGITS || host->random(salt, sizeof(salt)) != 0 ||
	    digest(salt, (const uint8_t *)code, OTP_DIGITS, d) != 0)
		return POLYCHAT_ECRYPTO;
	memcpy(stored, PREFIX, sizeof(PREFIX) - 1);
	hex(salt, SALT_LEN, stored + 7);
	stored[7 + 2 * SALT_LEN] = '$';
	hex(d, sizeof(d), stored + 8 + 2 * SALT_LEN);
	return 0;
}

int otp_matches(const char *stored, const uint8_t *secret, size_t len)
{
	uint8_t salt[SALT_LEN], want[32], got[32];
	if (strlen(stored) != OTP_STORED_LEN || memcmp(stored, PREFIX, 7) != 0 ||
	    stored[7 + 2 * SALT_LEN] != '$' || unhex(stored + 7, SALT_LEN, salt) != 0 ||
	    unhex(stored + 8 + 2 * SALT_LEN, sizeof(want), want) != 0)
		return POLYCHAT_EIO;
	int digits = len == OTP_DIGITS;
	for (size_t i = 0; digits && i < len; i++)
		digits = secret[i] >= '0' && secret[i] <= '9';
	if (!digits)
		return POLYCHAT_EAUTH;
	if (digest(salt, secret, len, got) != 0)
		return POLYCHAT_ECRYPTO;
	return CRYPTO_memcmp(want, got, sizeof(want)) == 0 ? 0 : POLYCHAT_EAUTH;
}
