/* SPDX-License-Identifier: MIT */
/* Base64 (RFC 4648), strict, shared by the suites whose wire carries it. */
#ifndef PC_BASE64_H
#define PC_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Standard Base64 with padding: pc_b64_len(n) characters (no NUL). */
size_t pc_b64_len(size_t n);
void pc_b64_encode(const uint8_t *in, size_t n, char *out);

/*
 * Strict Base64 decoding: the RFC 4648 alphabet, length a multiple of 4,
 * '=' only as the last one or two characters, unused bits zero, no
 * whitespace. `out` holds at least len / 4 * 3 bytes. Returns 0 or
 * POLYCHAT_EPROTO.
 */
int pc_b64_decode(const char *in, size_t len, uint8_t *out, size_t *out_len);

#endif /* PC_BASE64_H */
