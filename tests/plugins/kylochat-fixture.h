/* SPDX-License-Identifier: MIT */
/* The kylochat.md §8 vectors and test helpers shared by the kylochat codec tests. */
#ifndef PC_TESTS_KYLOCHAT_FIXTURE_H
#define PC_TESTS_KYLOCHAT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "plugins/crypto-rsa-cbc/kylo-crypto.h"

/* --- §8.1 inputs (hex strings are lowercase, without separators) --- */

/* The RSA-2048 private key, PKCS#8 PEM. */
extern const char kf_test_key_pem[];
/* K_enc and K_mac, 32 bytes each. */
extern const char kf_k_enc_hex[];
extern const char kf_k_mac_hex[];
/* The KeyBlock2 IV, 16 bytes. */
extern const char kf_iv_hs_hex[];
/* The fixed OAEP seed KeyBlock1 was made with, 32 bytes. */
extern const char kf_oaep_seed_hex[];
#define KF_TOKEN "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define KF_MESSAGE "Hello, KyloChat!"

/* --- §8.2 handshake --- */

/* The public key PEM the ServerHello carries. */
extern const char kf_hello_pem[];
/* The whole ServerHello, length prefix included. */
extern const char kf_hello_hex[];
/* KeyBlock1 (256 bytes) and KeyBlock2 (IV || CBC under K_enc, 64 bytes). */
extern const char kf_kb1_hex[];
extern const char kf_kb2_hex[];

/* --- §8.3 and §8.4 frames --- */

struct kf_frame_vector {
	const char *what;
	unsigned len_bytes;
	uint8_t iv;          /* the IV is this byte 16 times */
	const char *plain;   /* a C string: no vector holds a NUL */
	const char *hex;     /* the whole frame, prefix included */
};
#define KF_N_FRAMES 6
/* The six §8.3/§8.4 frames; [3] is the chat frame IF(token || message). */
extern const struct kf_frame_vector kf_frames[KF_N_FRAMES];

/* The chat plaintext as §8.4 prints it. */
extern const char kf_chat_plain_hex[];
/* The broadcast message unit: type byte, sender SF, body IF. */
extern const char kf_unit_hex[];
/* The login and exit notice texts for user "test". */
extern const char kf_login_notice_hex[];
extern const char kf_exit_notice_hex[];

/* --- state, set by kf_setup for each test --- */

/* The §8.1 private key; NULL outside a test. */
extern EVP_PKEY *kf_priv;
/* The §8.1 session keys, K_enc and K_mac. */
extern struct kylo_keys kf_keys;

/* --- helpers; each fails the running test on misuse --- */

/* Checked fixture: load kf_priv and kf_keys from the §8.1 inputs. */
void kf_setup(void);
/* Checked fixture: free kf_priv and fail if any stub-host allocation is
 * still outstanding. */
void kf_teardown(void);

/* Decode `hex` into `out`; its length must fit `cap`. Returns the number of
 * bytes written. */
size_t kf_unhex(const char *hex, uint8_t *out, size_t cap);
/* Fail, showing both as hex, unless the `len` bytes at `got` are exactly
 * `hex`. */
void kf_assert_hex(const uint8_t *got, size_t len, const char *hex);
/* Set all KYLO_IV_LEN bytes of `iv` to `byte`. */
void kf_fill_iv(uint8_t iv[KYLO_IV_LEN], uint8_t byte);
/* 1 if each of the `len` bytes at `p` is `byte`, else 0. */
int kf_all_bytes(const uint8_t *p, size_t len, uint8_t byte);

/* Test-side AES-256-CBC without padding of `len` bytes (a multiple of 16),
 * to build blocks the codec itself would never produce. */
void kf_raw_cbc(const uint8_t key[32], const uint8_t iv[16],
	const uint8_t *in, size_t len, uint8_t *out);
/* Test-side HMAC-SHA256 of `data` under `key` into `tag`. */
void kf_raw_hmac(const uint8_t key[32], const uint8_t *data, size_t len,
	uint8_t tag[32]);

/* The IV of forged frames is this byte 16 times. */
#define KF_FORGE_IV 0x77
/*
 * IV || CT || HMAC(CT), what kylo_frame_open takes, under kf_keys, with CT
 * made by the test: `ct_plain` (a multiple of 16 bytes) encrypted without
 * padding, or when `raw_ct` is set, `ct_plain` itself as the "ciphertext"
 * (any length). `out` must hold 16 + len + 32 bytes. Returns that length.
 */
size_t kf_forge_body(const uint8_t *ct_plain, size_t len, int raw_ct,
	uint8_t *out);
/* A ServerHello for any key, made by the test (the codec only makes them
 * for RSA-2048). `out` holds `cap` bytes; sets `*len`; returns 0. */
int kf_hello_of(EVP_PKEY *key, uint8_t *out, size_t cap, size_t *len);

#endif /* PC_TESTS_KYLOCHAT_FIXTURE_H */
