/* SPDX-License-Identifier: MIT */
/* KyloChat text rules: UTF-8 decoded with invalid bytes dropped, Python int(), Python tuple repr. */
#ifndef KYLO_TEXT_H
#define KYLO_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The original decodes usernames, passwords, tokens and message text with
 * Python's errors="ignore": every byte that does not start a well-formed
 * UTF-8 sequence (overlong forms, surrogates and code points over U+10FFFF
 * included) is dropped. Copies the kept bytes of `in` to `out` (room for
 * `len` bytes; may equal `in`) and returns how many were kept.
 */
size_t kylo_utf8_clean(const uint8_t *in, size_t len, uint8_t *out);

/*
 * Parse `text` as Python's int() does for the admin commands' ids and
 * limits: surrounding whitespace, an optional sign, ASCII digits with
 * single underscores between them. On success writes the canonical
 * decimal form ("007" -> "7", "-0" -> "0") to `canon` (cap >= 32 is always
 * enough for the accepted range), sets *value and returns 0. A number
 * outside int64_t is accepted with *overflow = 1 (no row has such an id)
 * and `canon` holding its digits as far as they fit. Returns -1 when
 * Python would raise ValueError.
 */
int kylo_parse_int(const char *text, int64_t *value, int *overflow,
	char *canon, size_t cap);

/*
 * Python's repr() of a tuple of the strings `items[0..n)`: "()", "('a',)",
 * "('a', 'b')". Each item is quoted with single quotes; the items are IP
 * addresses, so no escaping is needed and none is done (an item holding a
 * quote or a backslash is skipped). Returns the length the full text needs
 * (without the NUL) and writes as much as fits in `out` (NUL-terminated
 * when cap > 0), as snprintf does.
 */
size_t kylo_tuple_repr(const char *const *items, size_t n, char *out, size_t cap);

/* The text of a version-4 UUID made of the 16 random bytes `rnd` (its
 * version and variant bits are set here), as Python's str(uuid4()):
 * 36 lowercase characters, 8-4-4-4-12, NUL-terminated in `out`. */
#define KYLO_UUID_LEN 36
void kylo_uuid4_format(const uint8_t rnd[16], char out[KYLO_UUID_LEN + 1]);

#endif /* KYLO_TEXT_H */
