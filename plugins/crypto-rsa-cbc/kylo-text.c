/* SPDX-License-Identifier: MIT */
/* KyloChat text rules: UTF-8 decoded with invalid bytes dropped, Python int(), Python tuple repr. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "kylo-text.h"

/* Length of the well-formed UTF-8 sequence at `p` (1..4), or 0. */
static size_t utf8_sequence(const uint8_t *p, size_t avail)
{
	uint8_t b = p[0];
	size_t n;
	uint32_t cp;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf) {
		n = 2;
		cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 3;
		cp = b & 0x0f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 4;
		cp = b & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
			cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t kylo_utf8_clean(const uint8_t *in, size_t len, uint8_t *out)
{
	size_t kept = 0, i = 0;

	while (i < len) {
		size_t n = utf8_sequence(in + i, len - i);
		if (n == 0) {
			i++;
			continue;
		}
		memmove(out + kept, in + i, n);
		kept += n;
		i += n;
	}
	return kept;
}

int kylo_parse_int(const char *text, int64_t *value, int *overflow,
	char *canon, size_t cap)
{
	const char *p = text;
	int negative = 0, over = 0;
	uint64_t mag = 0;
	size_t digits = 0, w = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	if (!isdigit((unsigned char)*p))
		return -1;
	char buf[32];
	while (isdigit((unsigned char)*p) || *p == '_') {
		if (*p == '_') {
			/* One underscore, only between two digits. */
			if (!isdigit((unsigned char)p[1]))
				return -1;
			p++;
			continue;
		}
		unsigned d = (unsigned)(*p++ - '0');
		if (digits == 0 && d == 0)
			continue; /* leading zeros */
		digits++;
		if (w < sizeof(buf) - 1)
			buf[w++] = (char)('0' + d);
		if (mag > (UINT64_MAX - d) / 10)
			over = 1;
		else
			mag = mag * 10 + d;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return -1;
	if (digits == 0) {
		negative = 0;
		buf[w++] = '0';
	}
	buf[w] = '\0';
	if (!over && mag > (negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		over = 1;
	if (over) {
		*value = 0;
	} else if (negative) {
		*value = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		*value = (int64_t)mag;
	}
	*overflow = over;
	snprintf(canon, cap, "%s%s", negative ? "-" : "", buf);
	return 0;
}

size_t kylo_tuple_repr(const char *const *items, size_t n, char *out, size_t cap)
{
	size_t need = 0, kept = 0;

#define EMIT(s) do { \
		const char *s_ = (s); \
		size_t l_ = strlen(s_); \
		if (cap && need < cap - 1) { \
			size_t room_ = cap - 1 - need; \
			memcpy(out + need, s_, l_ < room_ ? l_ : room_); \
		} \
		need += l_; \
	} while (0)

	EMIT("(");
	for (size_t i = 0; i < n; i++) {
		if (strpbrk(items[i], "'\\"))
			continue;
		if (kept++)
			EMIT(", ");
		EMIT("'");
		EMIT(items[i]);
		EMIT("'");
	}
	EMIT(kept == 1 ? ",)" : ")");
#undef EMIT
	if (cap)
		out[need < cap ? need : cap - 1] = '\0';
	return need;
}

void kylo_uuid4_format(const uint8_t rnd[16], char out[KYLO_UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	size_t w = 0;

	memcpy(b, rnd, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	for (size_t i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[w++] = '-';
		out[w++] = hex[b[i] >> 4];
		out[w++] = hex[b[i] & 0x0f];
	}
	out[w] = '\0';
}
