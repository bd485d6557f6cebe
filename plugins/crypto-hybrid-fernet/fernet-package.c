/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: the chat package, hybrid encryption end to end. */
#include <string.h>
#include <time.h>

#include <polychat/status.h>

#include "../common/pc-base64.h"
#include "../common/pc-json.h"
#include "fernet-package.h"

#define MEMBER_TOKEN "encrypted_message"
#define MEMBER_KEYS "encrypted_keys"

/* --- building --- */

/* `"<nick>": "<b64 of OAEP(K_text)>"` for one recipient. */
static int add_recipient(struct pc_buf *b, const struct fernet_recipient *to,
	const char key_text[FERNET_KEY_TEXT_LEN])
{
	uint8_t wrapped[FERNET_RSA_MAX_BYTES];
	char b64[FERNET_RSA_MAX_BYTES / 3 * 4 + 4];
	size_t n = 0;
	int rc = to->seed
		? fernet_oaep_wrap_seeded(to->key, to->seed, (const uint8_t *)key_text,
			FERNET_KEY_TEXT_LEN, wrapped, &n)
		: fernet_oaep_wrap(to->key, (const uint8_t *)key_text, FERNET_KEY_TEXT_LEN,
			wrapped, &n);
	if (rc != 0)
		return rc;
	pc_b64_encode(wrapped, n, b64);
	pc_json_string(b, to->nick, to->nick_len);
	pc_buf_adds(b, ": \"");
	pc_buf_add(b, b64, pc_b64_len(n));
	pc_buf_adds(b, "\"");
	return 0;
}

int fernet_package_make(const struct polychat_host *host, const uint8_t key[FERNET_KEY_LEN],
	const uint8_t iv[FERNET_IV_LEN], uint64_t timestamp, const uint8_t *pt, size_t n,
	const struct fernet_recipient *to, size_t count, char **out, size_t *out_len)
{
	if (count == 0)
		return POLYCHAT_EINVAL;
	for (size_t i = 0; i < count; i++)
		if (!fernet_oaep_len(to[i].key))
			return POLYCHAT_EINVAL;
	size_t token_len = fernet_token_len(n);
	char *token = host->alloc(token_len), key_text[FERNET_KEY_TEXT_LEN];
	if (!token)
		return POLYCHAT_ENOMEM;
	int rc = fernet_token_make(host, key, iv, timestamp, pt, n, token);
	struct pc_buf b;
	pc_buf_init(&b, host);
	fernet_key_text(key, key_text);
	if (rc == 0) {
		/* The token is URL-safe Base64: nothing in it needs escaping. */
		pc_buf_adds(&b, "{\"" MEMBER_TOKEN "\": \"");
		pc_buf_add(&b, token, token_len);
		pc_buf_adds(&b, "\", \"" MEMBER_KEYS "\": {");
	}
	for (size_t i = 0; rc == 0 && i < count; i++) {
		if (i)
			pc_buf_adds(&b, ", ");
		rc = add_recipient(&b, &to[i], key_text);
	}
	pc_buf_adds(&b, "}}");
	host->wipe(key_text, sizeof(key_text));
	host->free(token);
	if (rc == 0 && b.failed)
		rc = POLYCHAT_ENOMEM;
	if (rc != 0) {
		pc_buf_free(&b);
		return rc;
	}
	*out = b.data;
	*out_len = b.len;
	return 0;
}

int fernet_package_seal(const struct polychat_host *host, const uint8_t *pt, size_t n,
	const struct fernet_recipient *to, size_t count, char **out, size_t *out_len)
{
	uint8_t key[FERNET_KEY_LEN], iv[FERNET_IV_LEN];
	for (size_t i = 0; i < count; i++)
		if (to[i].seed)
			return POLYCHAT_EINVAL;
	int rc = host->random(key, sizeof(key));
	if (rc == 0)
		rc = host->random(iv, sizeof(iv));
	if (rc == 0)
		rc = fernet_package_make(host, key, iv, (uint64_t)time(NULL), pt, n, to, count,
			out, out_len);
	host->wipe(key, sizeof(key));
	return rc;
}

/* --- opening --- */

/* What the walk over a package found (copies: the walker's are borrowed). */
struct found {
	const struct polychat_host *host;
	const char *nick;
	size_t nick_len;
	char *token;         /* "encrypted_message", if a string */
	size_t token_len;
	int token_bad;       /* the last "encrypted_message" is not a string */
	int keys_seen;       /* an "encrypted_keys" member (the last one) */
	int keys_object;     /* ... and it is an object */
	char *entry;         /* its member for `nick`, if any */
	size_t entry_len;
	int entry_bad;       /* ... which is not a string */
};

static int member_is(const char *key, size_t key_len, const char *name)
{
	return key_len == strlen(name) && memcmp(key, name, key_len) == 0;
}

static char *copy_of(const struct polychat_host *host, const char *s, size_t len)
{
	char *c = host->alloc(len + 1);
	if (c) {
		memcpy(c, s, len);
		c[len] = '\0';
	}
	return c;
}

/* A member of "encrypted_keys": only ours matters (the last if repeated). */
static int keys_member(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *value)
{
	struct found *f = arg;
	if (key_len != f->nick_len || memcmp(key, f->nick, key_len) != 0)
		return 0;
	f->host->free(f->entry);
	f->entry = NULL;
	f->entry_bad = value->type != PC_JSON_STRING;
	if (f->entry_bad)
		return 0;
	f->entry = copy_of(f->host, value->str, value->str_len);
	f->entry_len = value->str_len;
	return f->entry ? 0 : POLYCHAT_ENOMEM;
}

/* A member of the package. */
static int package_member(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *value)
{
	struct found *f = arg;
	if (member_is(key, key_len, MEMBER_TOKEN)) {
		f->host->free(f->token);
		f->token = NULL;
		f->token_bad = value->type != PC_JSON_STRING;
		if (f->token_bad)
			return 0;
		f->token = copy_of(f->host, value->str, value->str_len);
		f->token_len = value->str_len;
		return f->token ? 0 : POLYCHAT_ENOMEM;
	}
	if (!member_is(key, key_len, MEMBER_KEYS))
		return 0;
	/* A later "encrypted_keys" replaces the earlier one entirely. */
	f->keys_seen = 1;
	f->keys_object = value->type == PC_JSON_OBJECT;
	f->host->free(f->entry);
	f->entry = NULL;
	f->entry_bad = 0;
	if (!f->keys_object)
		return 0;
	return pc_json_object(f->host, value->raw, value->raw_len, keys_member, f);
}

/* K_raw from our entry: Base64 (as Python's b64decode of a str: ASCII
 * only, stray characters skipped), one RSA block, a strict K_text. */
static int unwrap_key(const struct polychat_host *host, EVP_PKEY *priv, const char *entry,
	size_t len, uint8_t key[FERNET_KEY_LEN])
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)entry[i] >= 0x80)
			return POLYCHAT_EPROTO;
	size_t cap = len / 4 * 3 + 3, n = 0, text_len = 0;
	uint8_t *wrapped = host->alloc(cap), text[FERNET_RSA_MAX_BYTES];
	if (!wrapped)
		return POLYCHAT_ENOMEM;
	int rc = fernet_b64_lenient(entry, len, FERNET_B64_STANDARD, wrapped, &n);
	if (rc == 0)
		rc = fernet_oaep_unwrap(priv, wrapped, n, text, sizeof(text), &text_len);
	if (rc == 0)
		rc = fernet_key_from_text((const char *)text, text_len, key);
	if (rc != 0 && rc != POLYCHAT_ENOMEM)
		rc = POLYCHAT_EPROTO;
	host->wipe(text, sizeof(text));
	host->free(wrapped);
	return rc;
}

int fernet_package_open(const struct polychat_host *host, EVP_PKEY *priv, const char *nick,
	size_t nick_len, const uint8_t *json, size_t len, uint8_t **pt, size_t *pt_len)
{
	struct found f = { .host = host, .nick = nick, .nick_len = nick_len };
	uint8_t key[FERNET_KEY_LEN];
	int rc = pc_json_object(host, (const char *)json, len, package_member, &f);
	if (rc == 0 && (!f.keys_seen || !f.keys_object))
		rc = POLYCHAT_EPROTO;
	else if (rc == 0 && !f.entry && !f.entry_bad)
		rc = POLYCHAT_ENOTFOUND;
	else if (rc == 0 && (f.entry_bad || !f.token || f.token_bad))
		rc = POLYCHAT_EPROTO;
	if (rc == 0)
		rc = unwrap_key(host, priv, f.entry, f.entry_len, key);
	if (rc == 0)
		rc = fernet_token_open(host, key, f.token, f.token_len, pt, pt_len, NULL);
	host->wipe(key, sizeof(key));
	host->free(f.token);
	host->free(f.entry);
	return rc;
}
