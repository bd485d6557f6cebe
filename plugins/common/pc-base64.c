/* SPDX-License-Identifier: MIT */
/* Base64 (RFC 4648), strict, shared by the suites whose wire carries it. */
#include <polychat/status.h>

#include "pc-base64.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t pc_b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void pc_b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[(v >> 12) & 63];
		*out++ = b64_alphabet[(v >> 6) & 63];
		*out++ = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[(v >> 12) & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[(v >> 12) & 63];
		*out++ = b64_alphabet[(v >> 6) & 63];
		*out++ = '=';
	}
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int pc_b64_decode(const char *in, size_t len, uint8_t *out, size_t *out_len)
{
	if (len % 4 != 0)
		return POLYCHAT_EPROTO;
	size_t pad = 0, o = 0;
	if (len > 0 && in[len - 1] == '=')
		pad = len > 1 && in[len - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;
		int last = i + 4 == len;
		for (size_t k = 0; k < 4; k++) {
			int d = last && k >= 4 - pad ? 0 : b64_value(in[i + k]);
			if (d < 0)
				return POLYCHAT_EPROTO;
			v = v << 6 | (uint32_t)d;
		}
		out[o++] = (uint8_t)(v >> 16);
		if (!last || pad < 2)
			out[o++] = (uint8_t)(v >> 8);
		if (!last || pad < 1)
			out[o++] = (uint8_t)v;
		/* Canonical form only: the bits a padded group drops are zero. */
		if (last && ((pad == 2 && (v & 0xffff)) || (pad == 1 && (v & 0xff))))
			return POLYCHAT_EPROTO;
	}
	*out_len = o;
	return 0;
}
