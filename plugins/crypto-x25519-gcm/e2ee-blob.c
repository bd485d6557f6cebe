/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat`: sealing and opening the signed end-to-end message blob, and checking the server-signed key bundles. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <polychat/status.h>

#include "../common/pc-json.h"
#include "e2ee-blob.h"

/* Where the parts of a blob start (§7.3). */
#define AT_NONCE E2EE_SALT_LEN
#define AT_SIG (AT_NONCE + E2EE_NONCE_LEN)
#define AT_CT (AT_SIG + E2EE_SIG_LEN)

/* The message key of §7.3 steps 1-3. */
static int message_key(const uint8_t my_dh[XG_X25519_LEN], const uint8_t peer_dh[XG_X25519_LEN],
	const uint8_t salt[E2EE_SALT_LEN], uint8_t key[XG_GCM_KEY_LEN])
{
	uint8_t shared[XG_X25519_LEN];
	int rc = xg_x25519_shared(my_dh, peer_dh, shared);
	if (rc == 0)
		rc = xg_hkdf_sha256(shared, sizeof(shared), salt, E2EE_SALT_LEN,
			(const uint8_t *)E2EE_HKDF_INFO, strlen(E2EE_HKDF_INFO), key,
			XG_GCM_KEY_LEN);
	OPENSSL_cleanse(shared, sizeof(shared));
	return rc;
}

/* Whether `key` makes the 512-byte signatures the wire has room for. */
static int signs_512(EVP_PKEY *key)
{
	return key && EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) == E2EE_RSA_BITS;
}

/* e2ee_blob_seal - see e2ee-blob.h. */
long e2ee_blob_seal(const uint8_t my_dh[XG_X25519_LEN], EVP_PKEY *my_rsa,
	const uint8_t peer_dh[XG_X25519_LEN], const uint8_t *salt,
	const uint8_t *nonce, const uint8_t *text, size_t len, uint8_t *out)
{
	if (len > E2EE_TEXT_MAX)
		return POLYCHAT_ETOOBIG;
	if (!my_dh || !peer_dh || !out || (!text && len) || !signs_512(my_rsa))
		return POLYCHAT_EINVAL;
	/* Fresh per message, as the original draws them with os.urandom. */
	if (salt)
		memcpy(out, salt, E2EE_SALT_LEN);
	else if (RAND_bytes(out, E2EE_SALT_LEN) != 1)
		return POLYCHAT_ECRYPTO;
	if (nonce)
		memcpy(out + AT_NONCE, nonce, E2EE_NONCE_LEN);
	else if (RAND_bytes(out + AT_NONCE, E2EE_NONCE_LEN) != 1)
		return POLYCHAT_ECRYPTO;

	uint8_t key[XG_GCM_KEY_LEN];
	int rc = message_key(my_dh, peer_dh, out, key);
	if (rc == 0)
		rc = xg_gcm_seal(key, out + AT_NONCE, NULL, 0, text, len, out + AT_CT);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != 0)
		return rc;
	/* The signature covers ciphertext and tag only (§7.3 step 5). */
	size_t sig_len = E2EE_SIG_LEN;
	rc = xg_pss_sign(my_rsa, E2EE_PSS_SALT, out + AT_CT, len + XG_GCM_TAG_LEN,
		out + AT_SIG, &sig_len);
	if (rc == 0 && sig_len != E2EE_SIG_LEN)
		rc = POLYCHAT_ECRYPTO;
	if (rc != 0)
		return rc;
	return (long)(E2EE_BLOB_MIN + len);
}

/* e2ee_blob_open - see e2ee-blob.h. */
long e2ee_blob_open(const uint8_t my_dh[XG_X25519_LEN],
	const uint8_t peer_dh[XG_X25519_LEN], EVP_PKEY *peer_rsa,
	const uint8_t *blob, size_t blob_len, uint8_t *out)
{
	if (!blob || blob_len < E2EE_BLOB_MIN)
		return POLYCHAT_EPROTO;
	if (!my_dh || !peer_dh || !peer_rsa || !out)
		return POLYCHAT_EINVAL;
	/* A long is what we return. */
	if (blob_len - E2EE_BLOB_MIN > (size_t)0x7fffffff)
		return POLYCHAT_ETOOBIG;
	const uint8_t *ct = blob + AT_CT;
	size_t ct_len = blob_len - AT_CT, len = ct_len - XG_GCM_TAG_LEN;
	/* Signature first, as the original: nothing of an unsigned blob is
	 * worth decrypting. Any failure here means a forged message. */
	int rc = xg_pss_verify(peer_rsa, E2EE_PSS_SALT, ct, ct_len, blob + AT_SIG, E2EE_SIG_LEN);
	if (rc != 0)
		return rc == POLYCHAT_EINVAL ? POLYCHAT_EAUTH : rc;
	uint8_t key[XG_GCM_KEY_LEN];
	rc = message_key(my_dh, peer_dh, blob, key);
	if (rc == 0)
		rc = xg_gcm_open(key, blob + AT_NONCE, NULL, 0, ct, ct_len, out);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != 0)
		return rc;
	/* The original's decode("utf-8") raises here: a message it shows
	 * nothing of. */
	if (!pc_utf8_valid(out, len)) {
		OPENSSL_cleanse(out, len);
		return POLYCHAT_EAUTH;
	}
	return (long)len;
}

/* e2ee_keys_open - see e2ee-blob.h. */
int e2ee_keys_open(EVP_PKEY *server_key, const uint8_t *payload, size_t len,
	uint8_t dh[XG_X25519_LEN], EVP_PKEY **peer_rsa)
{
	if (!payload || len < E2EE_DH_LEN + 2 * E2EE_SIG_LEN)
		return POLYCHAT_EPROTO;
	if (!server_key || !dh || !peer_rsa)
		return POLYCHAT_EINVAL;
	/* Sliced from the ends, as the original client does (§4.2). */
	const uint8_t *pem = payload + E2EE_DH_LEN;
	size_t pem_len = len - E2EE_DH_LEN - 2 * E2EE_SIG_LEN;
	const uint8_t *sig_dh = payload + len - 2 * E2EE_SIG_LEN;
	const uint8_t *sig_pem = sig_dh + E2EE_SIG_LEN;
	/* Authenticate before parsing what the bundle says. */
	if (xg_pss_verify(server_key, E2EE_PSS_SALT, payload, E2EE_DH_LEN, sig_dh,
		    E2EE_SIG_LEN) != 0 ||
	    xg_pss_verify(server_key, E2EE_PSS_SALT, pem, pem_len, sig_pem, E2EE_SIG_LEN) != 0)
		return POLYCHAT_EAUTH;
	EVP_PKEY *k = NULL;
	int rc = xg_rsa_public_from_pem(pem, pem_len, E2EE_RSA_BITS, E2EE_RSA_BITS, &k);
	if (rc != 0)
		return rc == POLYCHAT_ENOMEM ? rc : POLYCHAT_EPROTO;
	memcpy(dh, payload, E2EE_DH_LEN);
	*peer_rsa = k;
	return 0;
}
