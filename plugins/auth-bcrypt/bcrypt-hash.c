/* SPDX-License-Identifier: MIT */
/* bcrypt "$2b$" hashing and checking through libxcrypt, safe on any thread. */
#include <crypt.h>
#include <string.h>

#include "bcrypt-hash.h"

/* bc_secret_ok - see bcrypt-hash.h. */
int bc_secret_ok(const uint8_t *secret, size_t len)
{
	if (!secret || len == 0 || len > BC_SECRET_MAX || memchr(secret, '\0', len))
		return POLYCHAT_EINVAL;
	return 0;
}

static int is_bcrypt_hash(const char *hash)
{
	return hash && strlen(hash) == BC_HASH_LEN && hash[0] == '$' &&
		hash[1] == '2' && (hash[2] == 'a' || hash[2] == 'b' || hash[2] == 'y') &&
		hash[3] == '$' && hash[6] == '$';
}

/* Run crypt_rn on a NUL-terminated copy of the secret. The crypt_data area
 * (about 32 KiB) is per call, which is what makes this thread-safe.
 * crypt_rn rather than crypt_r: it reports failure as NULL, and sanitizer
 * runtimes intercept crypt_r in a way that breaks when libcrypt arrives
 * with a dlopen()ed plugin. */
static int run_crypt(const struct polychat_host *host, const uint8_t *secret,
	size_t len, const char *setting, char out[BC_HASH_LEN + 1])
{
	struct crypt_data *data = host->calloc(1, sizeof(*data));
	char pw[BC_SECRET_MAX + 1];
	if (!data)
		return POLYCHAT_ENOMEM;
	memcpy(pw, secret, len);
	pw[len] = '\0';
	const char *result = crypt_rn(pw, setting, data, (int)sizeof(*data));
	int rc = 0;
	if (!result || strlen(result) != BC_HASH_LEN)
		rc = POLYCHAT_ECRYPTO;
	else
		memcpy(out, result, BC_HASH_LEN + 1);
	host->wipe(pw, sizeof(pw));
	host->wipe_free(data, sizeof(*data));
	return rc;
}

/* bc_hash - see bcrypt-hash.h. */
int bc_hash(const struct polychat_host *host, const uint8_t *secret, size_t len,
	unsigned cost, char out[BC_HASH_LEN + 1])
{
	if (bc_secret_ok(secret, len) != 0 || cost < BC_COST_MIN || cost > BC_COST_MAX)
		return POLYCHAT_EINVAL;
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	uint8_t salt[16];
	/* The salt comes from the host's CSPRNG, not from libxcrypt's
	 * fallback, so one source of randomness serves the whole daemon. */
	if (host->random(salt, sizeof(salt)) != 0)
		return POLYCHAT_ECRYPTO;
	const char *made = crypt_gensalt_rn("$2b$", cost, (const char *)salt,
		(int)sizeof(salt), setting, (int)sizeof(setting));
	host->wipe(salt, sizeof(salt));
	if (!made || made[0] == '*')
		return POLYCHAT_ECRYPTO;
	return run_crypt(host, secret, len, setting, out);
}

/* Compare without an early exit, so the time does not tell where they
 * differ. */
static int same(const char *a, const char *b, size_t n)
{
	unsigned char diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* bc_check - see bcrypt-hash.h. */
int bc_check(const struct polychat_host *host, const uint8_t *secret, size_t len,
	const char *hash)
{
	if (bc_secret_ok(secret, len) != 0)
		return POLYCHAT_EINVAL;
	if (!is_bcrypt_hash(hash))
		return POLYCHAT_EIO;
	char computed[BC_HASH_LEN + 1];
	int rc = run_crypt(host, secret, len, hash, computed);
	if (rc == POLYCHAT_ECRYPTO)
		return POLYCHAT_EIO;
	if (rc != 0)
		return rc;
	rc = same(computed, hash, BC_HASH_LEN) ? 0 : POLYCHAT_EAUTH;
	host->wipe(computed, sizeof(computed));
	return rc;
}
