/* SPDX-License-Identifier: MIT */
/* JSON as the Python originals read and write it, shared by the suites that speak it (plugins link it in; no protocol code here). */
#ifndef PC_JSON_H
#define PC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/host.h>

/* Nesting deeper than this is refused (the originals nest two levels). */
#define PC_JSON_DEPTH 32

enum pc_json_type {
	PC_JSON_STRING = 1,
	PC_JSON_OBJECT,
	PC_JSON_OTHER, /* number, array, true, false, null */
	PC_JSON_TRUE,
};

/* One member's value as the walker hands it out, borrowed for the call. */
struct pc_json_value {
	int type;           /* enum pc_json_type */
	const char *str;    /* STRING: decoded UTF-8, NUL-terminated (may hold NULs) */
	size_t str_len;
	const char *raw;    /* the value's JSON text as it appeared */
	size_t raw_len;
};

/* Called per member of the object, in order (a repeated key comes again:
 * the last one wins, as in Python); return non-zero to stop with that
 * value. */
typedef int pc_json_member_fn(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *value);

/*
 * Walk `text[0..len)`, which must be one JSON object with nothing but
 * whitespace around it, as Python's json.loads reads it with its strict
 * defaults: valid UTF-8, no raw control characters in strings, escapes as
 * RFC 8259 has them; NaN, Infinity and -Infinity are numbers. Hardened
 * (§10): a \u escape of a lone surrogate and nesting beyond
 * PC_JSON_DEPTH are refused. The whole text is checked before `fn`
 * sees the first member. Returns 0, what `fn` returned, POLYCHAT_EPROTO
 * for anything else or POLYCHAT_ENOMEM.
 */
int pc_json_object(const struct polychat_host *host, const char *text, size_t len,
	pc_json_member_fn *fn, void *arg);

/* A growing output buffer (host->alloc); `failed` sticks after ENOMEM. */
struct pc_buf {
	const struct polychat_host *host;
	char *data;
	size_t len, cap;
	int failed;
};

void pc_buf_init(struct pc_buf *b, const struct polychat_host *host);
void pc_buf_add(struct pc_buf *b, const void *data, size_t len);
void pc_buf_adds(struct pc_buf *b, const char *s);
/* Wipe (it may hold plaintext) and free. */
void pc_buf_free(struct pc_buf *b);

/*
 * Append `s[0..len)` (UTF-8) as a JSON string the way json.dumps writes it
 * with ensure_ascii: `"` and `\` escaped, \n \t \r \b \f, other controls
 * and DEL as \u00XX, every non-ASCII character as \uXXXX in lowercase hex
 * (a surrogate pair beyond the BMP). Bytes that are not UTF-8 come out as
 * U+FFFD. The result is pure ASCII.
 */
void pc_json_string(struct pc_buf *b, const char *s, size_t len);

/* Whether `s[0..len)` is valid UTF-8 (no surrogates, no overlongs). */
int pc_utf8_valid(const uint8_t *s, size_t len);

#endif /* PC_JSON_H */
