/* SPDX-License-Identifier: MIT */
/* Suite `pychat`: whole frames, clear and sealed, in both directions. */
#include <string.h>

#include <polychat/status.h>

#include "pychat-wire.h"

/* Up to 10 digits of length fit the header. */
#define PAYLOAD_MAX 9999999999ull

static void pad(struct pc_buf *b, size_t multiple)
{
	while (!b->failed && b->len % multiple != 0)
		pc_buf_add(b, " ", 1);
}

/* Header and payload in one buffer from host->alloc. */
static int assemble(const struct polychat_host *host, const void *payload, size_t n,
	uint8_t **frame, size_t *len)
{
	if ((unsigned long long)n > PAYLOAD_MAX)
		return POLYCHAT_ETOOBIG;
	uint8_t *f = host->alloc(PYCHAT_HEADER_LEN + n);
	if (!f)
		return POLYCHAT_ENOMEM;
	pychat_header_format(n, f);
	memcpy(f + PYCHAT_HEADER_LEN, payload, n);
	*frame = f;
	*len = PYCHAT_HEADER_LEN + n;
	return 0;
}

int pychat_frame_clear(const struct polychat_host *host, const struct pychat_envelope *env,
	unsigned flags, uint8_t **frame, size_t *len)
{
	struct pc_buf json;
	pc_buf_init(&json, host);
	pychat_envelope_write(&json, env);
	if (flags & PYCHAT_FRAME_PAD)
		pad(&json, 10);
	int rc = json.failed ? POLYCHAT_ENOMEM : assemble(host, json.data, json.len, frame, len);
	pc_buf_free(&json);
	return rc;
}

int pychat_frame_sealed(const struct polychat_host *host, const uint8_t key[PYCHAT_KEY_LEN],
	const uint8_t iv[PYCHAT_IV_LEN], const struct pychat_envelope *env, unsigned flags,
	uint8_t **frame, size_t *len)
{
	struct pc_buf json;
	pc_buf_init(&json, host);
	pychat_envelope_write(&json, env);
	if (flags & PYCHAT_FRAME_PAD)
		pad(&json, 15);
	if (json.failed) {
		pc_buf_free(&json);
		return POLYCHAT_ENOMEM;
	}
	size_t n = pc_b64_len(json.len);
	char *b64 = host->alloc(n);
	int rc = b64 ? pychat_cfb8(key, iv, 1, (const uint8_t *)json.data, json.len,
		(uint8_t *)json.data) : POLYCHAT_ENOMEM;
	if (rc == 0) {
		pc_b64_encode((const uint8_t *)json.data, json.len, b64);
		rc = assemble(host, b64, n, frame, len);
	}
	host->free(b64);
	pc_buf_free(&json);
	return rc;
}

static int contains(const uint8_t *s, size_t len, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(s + i, word, n) == 0)
			return 1;
	return 0;
}

int pychat_payload_is_clear(const uint8_t *payload, size_t len)
{
	return contains(payload, len, PYCHAT_T_IV) || contains(payload, len, PYCHAT_T_KEY);
}

int pychat_open_clear(const struct polychat_host *host, const uint8_t *payload, size_t len,
	int cont_any, struct pychat_envelope *env)
{
	return pychat_envelope_parse(host, (const char *)payload, len, cont_any, env);
}

int pychat_open_sealed(const struct polychat_host *host, const uint8_t key[PYCHAT_KEY_LEN],
	const uint8_t iv[PYCHAT_IV_LEN], const uint8_t *payload, size_t len, int cont_any,
	struct pychat_envelope *env)
{
	size_t n = 0;
	uint8_t *plain = host->alloc(len / 4 * 3 + 1);
	if (!plain)
		return POLYCHAT_ENOMEM;
	int rc = pc_b64_decode((const char *)payload, len, plain, &n);
	if (rc == 0)
		rc = pychat_cfb8(key, iv, 0, plain, n, plain);
	if (rc == 0)
		rc = pychat_envelope_parse(host, (const char *)plain, n, cont_any, env);
	host->wipe_free(plain, len / 4 * 3 + 1);
	return rc;
}
