/* SPDX-License-Identifier: MIT */
/* Auth method `otp`: drawing a one-time code, and keeping only a salted hash of it. */
#ifndef OTP_CODE_H
#define OTP_CODE_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/host.h>

/* Six decimal digits, 100000..999999: e2ee-chat carries the code as a
 * u32 that its server checks for that range (e2ee-chat.md §5.2). */
#define OTP_DIGITS 6
#define OTP_MIN 100000u
#define OTP_MAX 999999u
/* "sha256$" + 32 hex salt + "$" + 64 hex digest. */
#define OTP_STORED_LEN (7 + 32 + 1 + 64)

/* A code drawn uniformly from OTP_MIN..OTP_MAX with host->random, as
 * NUL-terminated text. 0 or POLYCHAT_ECRYPTO. */
int otp_draw(const struct polychat_host *host, char code[OTP_DIGITS + 1]);

/* What the store keeps: a random salt and SHA-256(salt || code), so that a
 * copy of the store does not read out pending codes. 0 or
 * POLYCHAT_ECRYPTO. */
int otp_seal(const struct polychat_host *host, const char *code,
	char stored[OTP_STORED_LEN + 1]);

/* Whether `secret` (len bytes) is the code `stored` was made from:
 * 0, POLYCHAT_EAUTH (another code, or not six digits), POLYCHAT_EIO
 * (`stored` is not something otp_seal wrote). The digests are compared
 * in constant time. */
int otp_matches(const char *stored, const uint8_t *secret, size_t len);

#endif /* OTP_CODE_H */
