/* SPDX-License-Identifier: MIT */
/* Suite `pychat`: the JSON envelope (pychat.md §3), read strictly and written as Python's json.dumps does. */
#ifndef PYCHAT_JSON_H
#define PYCHAT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/host.h>

/* Nesting deeper than this is refused (the envelope nests at most 2). */
#define PYCHAT_JSON_DEPTH 32

enum pychat_json_type {
	PYCHAT_JSON_STRING = 1,
	PYCHAT_JSON_OBJECT,
	PYCHAT_JSON_OTHER, /* number, array, true, false, null */
	PYCHAT_JSON_TRUE,
};

/* One member's value as the walker hands it out, borrowed for the call. */
struct pychat_json_value {
	int type;           /* enum pychat_json_type */
	const char *str;    /* STRING: decoded UTF-8, NUL-terminated (may hold NULs) */
	size_t str_len;
	const char *raw;    /* the value's JSON text as it appeared */
	size_t raw_len;
};

/* Called per member of the object, in order (a repeated key comes again:
 * the last one wins, as in Python); return non-zero to stop with that
 * value. */
typedef int pychat_json_member_fn(void *arg, const char *key, size_t key_len,
	const struct pychat_json_value *value);

/*
 * Walk `text[0..len)`, which must be one JSON object with nothing but
 * whitespace around it, as Python's json.loads reads it with its strict
 * defaults: valid UTF-8, no raw control characters in strings, escapes as
 * RFC 8259 has them; NaN, Infinity and -Infinity are numbers. Hardened
 * (§10): a \u escape of a lone surrogate and nesting beyond
 * PYCHAT_JSON_DEPTH are refused. The whole text is checked before `fn`
 * sees the first member. Returns 0, what `fn` returned, POLYCHAT_EPROTO
 * for anything else or POLYCHAT_ENOMEM.
 */
int pychat_json_object(const struct polychat_host *host, const char *text, size_t len,
	pychat_json_member_fn *fn, void *arg);

/* A growing output buffer (host->alloc); `failed` sticks after ENOMEM. */
struct pychat_buf {
	const struct polychat_host *host;
	char *data;
	size_t len, cap;
	int failed;
};

void pychat_buf_init(struct pychat_buf *b, const struct polychat_host *host);
void pychat_buf_add(struct pychat_buf *b, const void *data, size_t len);
void pychat_buf_adds(struct pychat_buf *b, const char *s);
/* Wipe (it may hold plaintext) and free. */
void pychat_buf_free(struct pychat_buf *b);

/*
 * Append `s[0..len)` (UTF-8) as a JSON string the way json.dumps writes it
 * with ensure_ascii: `"` and `\` escaped, \n \t \r \b \f, other controls
 * and DEL as \u00XX, every non-ASCII character as \uXXXX in lowercase hex
 * (a surrogate pair beyond the BMP). Bytes that are not UTF-8 come out as
 * U+FFFD. The result is pure ASCII.
 */
void pychat_json_string(struct pychat_buf *b, const char *s, size_t len);

/* Whether `s[0..len)` is valid UTF-8 (no surrogates, no overlongs). */
int pychat_utf8_valid(const uint8_t *s, size_t len);

/*
 * The envelope (§3). Strings are decoded UTF-8 and NUL-terminated; `cont`
 * is either a string (cont_type STRING) or, for the server's `help`
 * reply, another JSON value given as its text. Parsed envelopes own
 * their strings (pychat_envelope_free); envelopes to be written may
 * borrow them.
 */
struct pychat_envelope {
	const char *shost, *dhost, *username, *date, *cont, *typ;
	size_t shost_len, dhost_len, username_len, date_len, cont_len, typ_len;
	int cont_type;   /* enum pychat_json_type */
	int should_parse;
	void *owned;     /* what pychat_envelope_parse allocated */
};

/*
 * Parse a payload: a JSON object with at least the six members shost,
 * dhost, username, date, cont and typ (unknown members are dropped;
 * shouldParseContents defaults to false). Hardened (§10): every one of the
 * six must be a string, except `cont` when `cont_any` is set (a client
 * reading the server's help reply). Returns 0, POLYCHAT_EPROTO or
 * POLYCHAT_ENOMEM; on failure *env is untouched.
 */
int pychat_envelope_parse(const struct polychat_host *host, const char *text, size_t len,
	int cont_any, struct pychat_envelope *env);
void pychat_envelope_free(const struct polychat_host *host, struct pychat_envelope *env);

/* Append the canonical serialization: the seven members in order,
 * json.dumps spacing, ASCII only. A non-string cont is copied as given. */
void pychat_envelope_write(struct pychat_buf *b, const struct pychat_envelope *env);

/* `out` gets Python's str(datetime.now()) for the local time `sec`.`usec`:
 * "YYYY-MM-DD HH:MM:SS.ffffff", the fraction left out when it is 0. */
void pychat_date(int64_t sec, long usec, char out[32]);

#endif /* PYCHAT_JSON_H */
