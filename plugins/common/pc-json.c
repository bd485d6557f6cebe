/* SPDX-License-Identifier: MIT */
/* JSON as the Python originals read and write it: a strict reader with json.loads' grammar, the json.dumps ensure_ascii writer. */
#include <string.h>

#include <polychat/status.h>

#include "pc-json.h"

/* --- UTF-8 --- */

/* The code point at s[0..len) and its length in *n, or -1 when the bytes
 * there are not UTF-8 (overlong forms and surrogates included). */
static long utf8_next(const uint8_t *s, size_t len, size_t *n)
{
	uint8_t c = s[0];
	long cp;
	size_t need;
	if (c < 0x80) {
		*n = 1;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		cp = c & 0x07;
	} else {
		return -1;
	}
	if (len < need + 1)
		return -1;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
		return -1;
	*n = need + 1;
	return cp;
}

int pc_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0, n;
	while (i < len) {
		if (utf8_next(s + i, len - i, &n) < 0)
			return 0;
		i += n;
	}
	return 1;
}

static size_t utf8_put(long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* --- reading --- */

struct reader {
	const char *s;
	size_t len, pos;
};

static void skip_ws(struct reader *r)
{
	while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' ||
				   r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
		r->pos++;
}

static int take(struct reader *r, const char *word)
{
	size_t n = strlen(word);
	if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n) != 0)
		return 0;
	r->pos += n;
	return 1;
}

static int hex4(const char *s, long *out)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return 0;
		v = v << 4 | d;
	}
	*out = v;
	return 1;
}

/*
 * The string starting at r->pos (its opening quote): checked and, when
 * `out` is set, decoded there (at most as many bytes as the JSON text
 * has) with its length in *out_len.
 */
static int scan_string(struct reader *r, char *out, size_t *out_len)
{
	size_t o = 0;
	if (r->pos >= r->len || r->s[r->pos] != '"')
		return POLYCHAT_EPROTO;
	r->pos++;
	while (r->pos < r->len) {
		unsigned char c = (unsigned char)r->s[r->pos];
		if (c == '"') {
			r->pos++;
			if (out_len)
				*out_len = o;
			return 0;
		}
		if (c < 0x20)
			return POLYCHAT_EPROTO;
		if (c != '\\') {
			if (out)
				out[o] = (char)c;
			o++;
			r->pos++;
			continue;
		}
		if (r->len - r->pos < 2)
			return POLYCHAT_EPROTO;
		char e = r->s[r->pos + 1], plain = 0;
		r->pos += 2;
		switch (e) {
		case '"': plain = '"'; break;
		case '\\': plain = '\\'; break;
		case '/': plain = '/'; break;
		case 'b': plain = '\b'; break;
		case 'f': plain = '\f'; break;
		case 'n': plain = '\n'; break;
		case 'r': plain = '\r'; break;
		case 't': plain = '\t'; break;
		case 'u': break;
		default: return POLYCHAT_EPROTO;
		}
		if (e != 'u') {
			if (out)
				out[o] = plain;
			o++;
			continue;
		}
		long cp, low;
		if (r->len - r->pos < 4 || !hex4(r->s + r->pos, &cp))
			return POLYCHAT_EPROTO;
		r->pos += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return POLYCHAT_EPROTO;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (r->len - r->pos < 6 || r->s[r->pos] != '\\' || r->s[r->pos + 1] != 'u' ||
			    !hex4(r->s + r->pos + 2, &low) || low < 0xdc00 || low > 0xdfff)
				return POLYCHAT_EPROTO;
			r->pos += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
		}
		/* Never longer than the escape it comes from (6 or 12 bytes). */
		char tmp[4];
		size_t n = utf8_put(cp, out ? out + o : tmp);
		o += n;
	}
	return POLYCHAT_EPROTO;
}

static int digits(struct reader *r)
{
	size_t start = r->pos;
	while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
		r->pos++;
	return r->pos > start;
}

static int scan_number(struct reader *r)
{
	if (take(r, "NaN") || take(r, "Infinity") || take(r, "-Infinity"))
		return 0;
	if (r->pos < r->len && r->s[r->pos] == '-')
		r->pos++;
	if (r->pos < r->len && r->s[r->pos] == '0')
		r->pos++;
	else if (!digits(r))
		return POLYCHAT_EPROTO;
	if (r->pos < r->len && r->s[r->pos] == '.') {
		r->pos++;
		if (!digits(r))
			return POLYCHAT_EPROTO;
	}
	if (r->pos < r->len && (r->s[r->pos] == 'e' || r->s[r->pos] == 'E')) {
		r->pos++;
		if (r->pos < r->len && (r->s[r->pos] == '+' || r->s[r->pos] == '-'))
			r->pos++;
		if (!digits(r))
			return POLYCHAT_EPROTO;
	}
	return 0;
}

static int scan_value(struct reader *r, int depth);

/* An object or array from its opening bracket. */
static int scan_container(struct reader *r, int depth, char close)
{
	if (depth >= PC_JSON_DEPTH)
		return POLYCHAT_EPROTO;
	r->pos++;
	skip_ws(r);
	if (r->pos < r->len && r->s[r->pos] == close) {
		r->pos++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (scan_string(r, NULL, NULL) != 0)
				return POLYCHAT_EPROTO;
			skip_ws(r);
			if (!take(r, ":"))
				return POLYCHAT_EPROTO;
			skip_ws(r);
		}
		if (scan_value(r, depth + 1) != 0)
			return POLYCHAT_EPROTO;
		skip_ws(r);
		if (r->pos >= r->len)
			return POLYCHAT_EPROTO;
		char c = r->s[r->pos++];
		if (c == close)
			return 0;
		if (c != ',')
			return POLYCHAT_EPROTO;
		skip_ws(r);
	}
}

static int scan_value(struct reader *r, int depth)
{
	if (r->pos >= r->len)
		return POLYCHAT_EPROTO;
	switch (r->s[r->pos]) {
	case '"':
		return scan_string(r, NULL, NULL);
	case '{':
		return scan_container(r, depth, '}');
	case '[':
		return scan_container(r, depth, ']');
	case 't':
		return take(r, "true") ? 0 : POLYCHAT_EPROTO;
	case 'f':
		return take(r, "false") ? 0 : POLYCHAT_EPROTO;
	case 'n':
		return take(r, "null") ? 0 : POLYCHAT_EPROTO;
	default:
		return scan_number(r);
	}
}

/* Decode the string at r->pos into a fresh NUL-terminated buffer. */
static char *decode_string(const struct polychat_host *host, struct reader *r, size_t *len)
{
	size_t start = r->pos;
	struct reader probe = *r;
	if (scan_string(&probe, NULL, NULL) != 0)
		return NULL;
	char *out = host->alloc(probe.pos - start + 1);
	if (!out)
		return NULL;
	if (scan_string(r, out, len) != 0) {
		host->free(out);
		return NULL;
	}
	out[*len] = '\0';
	return out;
}

int pc_json_object(const struct polychat_host *host, const char *text, size_t len,
	pc_json_member_fn *fn, void *arg)
{
	struct reader r = { .s = text, .len = len };
	if (!pc_utf8_valid((const uint8_t *)text, len))
		return POLYCHAT_EPROTO;
	skip_ws(&r);
	if (r.pos >= r.len || text[r.pos] != '{' || scan_value(&r, 0) != 0)
		return POLYCHAT_EPROTO;
	skip_ws(&r);
	if (r.pos != r.len)
		return POLYCHAT_EPROTO;

	/* Valid: walk the members of the outer object. */
	r.pos = 0;
	skip_ws(&r);
	r.pos++;
	skip_ws(&r);
	if (text[r.pos] == '}')
		return 0;
	for (;;) {
		size_t key_len, str_len = 0;
		char *key = decode_string(host, &r, &key_len), *str = NULL;
		if (!key)
			return POLYCHAT_ENOMEM;
		skip_ws(&r);
		r.pos++; /* ':' */
		skip_ws(&r);
		struct pc_json_value v = { .raw = text + r.pos };
		char first = text[r.pos];
		if (first == '"') {
			struct reader at = r;
			str = decode_string(host, &at, &str_len);
			if (!str) {
				host->free(key);
				return POLYCHAT_ENOMEM;
			}
		}
		scan_value(&r, 1);
		v.raw_len = (size_t)(text + r.pos - v.raw);
		v.type = first == '"' ? PC_JSON_STRING : first == '{' ? PC_JSON_OBJECT :
			first == 't' ? PC_JSON_TRUE : PC_JSON_OTHER;
		v.str = str;
		v.str_len = str_len;
		int rc = fn(arg, key, key_len, &v);
		if (str)
			host->wipe_free(str, str_len);
		host->free(key);
		if (rc != 0)
			return rc;
		skip_ws(&r);
		if (text[r.pos++] == '}')
			return 0;
		skip_ws(&r);
	}
}

/* --- writing --- */

void pc_buf_init(struct pc_buf *b, const struct polychat_host *host)
{
	memset(b, 0, sizeof(*b));
	b->host = host;
}

void pc_buf_add(struct pc_buf *b, const void *data, size_t len)
{
	if (b->failed)
		return;
	if (b->cap - b->len < len + 1) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < len + 1) {
			if (cap > (size_t)-1 / 2) {
				b->failed = 1;
				return;
			}
			cap *= 2;
		}
		char *grown = b->host->alloc(cap);
		if (!grown) {
			b->failed = 1;
			return;
		}
		if (b->data) {
			memcpy(grown, b->data, b->len);
			b->host->wipe_free(b->data, b->cap);
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void pc_buf_adds(struct pc_buf *b, const char *s)
{
	pc_buf_add(b, s, strlen(s));
}

void pc_buf_free(struct pc_buf *b)
{
	if (b->data)
		b->host->wipe_free(b->data, b->cap);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* One UTF-16 code unit as \\uXXXX, lowercase as Python writes it. */
static void add_u(struct pc_buf *b, long unit)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', hex[(unit >> 12) & 15], hex[(unit >> 8) & 15],
		hex[(unit >> 4) & 15], hex[unit & 15] };
	pc_buf_add(b, esc, sizeof(esc));
}

void pc_json_string(struct pc_buf *b, const char *s, size_t len)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i = 0, n;
	pc_buf_add(b, "\"", 1);
	while (i < len) {
		long cp = utf8_next(u + i, len - i, &n);
		if (cp < 0) {
			cp = 0xfffd;
			n = 1;
		}
		i += n;
		const char *esc = NULL;
		switch (cp) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\t': esc = "\\t"; break;
		case '\r': esc = "\\r"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default: break;
		}
		if (esc) {
			pc_buf_add(b, esc, 2);
		} else if (cp >= 0x20 && cp < 0x7f) {
			char c = (char)cp;
			pc_buf_add(b, &c, 1);
		} else if (cp < 0x10000) {
			add_u(b, cp);
		} else {
			cp -= 0x10000;
			add_u(b, 0xd800 + (cp >> 10));
			add_u(b, 0xdc00 + (cp & 0x3ff));
		}
	}
	pc_buf_add(b, "\"", 1);
}
