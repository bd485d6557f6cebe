/* SPDX-License-Identifier: MIT */
/* The kylochat handshake codec, checked against kylochat.md §8.2, and what it refuses. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "plugins/crypto-rsa-cbc/kylo-crypto.h"
#include "tests/check-run.h"
#include "tests/plugins/kylochat-fixture.h"
#include "tests/stubs/stub-host.h"

START_TEST(test_hello_vector)
{
	uint8_t out[600];
	size_t len = 0;

	ck_assert_int_eq(kylo_hello_build(kf_priv, out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, KYLO_HELLO_LEN);
	kf_assert_hex(out, len, kf_hello_hex);
	/* The PEM part is §8.2's text, and its length is the prefix. */
	ck_assert_uint_eq(out[0] | out[1] << 8, strlen(kf_hello_pem));
	ck_assert_mem_eq(out + 2, kf_hello_pem, strlen(kf_hello_pem));
}
END_TEST

START_TEST(test_hello_refusals)
{
	uint8_t out[600];
	size_t len = 12345;
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *pub = NULL;

	ck_assert_ptr_nonnull(ec);
	ck_assert_ptr_nonnull(small);
	/* One byte short of the 453 it needs: nothing written. */
	memset(out, 0xaa, sizeof(out));
	ck_assert_int_eq(kylo_hello_build(kf_priv, out, KYLO_HELLO_LEN - 1, &len),
		POLYCHAT_ENOSPACE);
	ck_assert(kf_all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(len, 12345);
	ck_assert_int_eq(kylo_hello_build(kf_priv, out, KYLO_HELLO_LEN, &len), 0);
	ck_assert_uint_eq(len, KYLO_HELLO_LEN);
	/* Only RSA-2048 fits the 256-byte KeyBlock1. */
	ck_assert_int_eq(kylo_hello_build(ec, out, sizeof(out), &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_hello_build(small, out, sizeof(out), &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_hello_build(NULL, out, sizeof(out), &len),
		POLYCHAT_EINVAL);
	/* A client refuses such keys too. */
	ck_assert_int_eq(kf_hello_of(ec, out, sizeof(out), &len), 0);
	ck_assert_int_eq(kylo_hello_parse(out, len, &pub), POLYCHAT_EPROTO);
	ck_assert_int_eq(kf_hello_of(small, out, sizeof(out), &len), 0);
	ck_assert_int_eq(kylo_hello_parse(out, len, &pub), POLYCHAT_EPROTO);
	ck_assert_ptr_null(pub);
	ck_assert_int_eq(kf_hello_of(kf_priv, out, sizeof(out), &len), 0);
	ck_assert_int_eq(kylo_hello_parse(out, len, &pub), 0);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(small);
}
END_TEST

START_TEST(test_hello_parse)
{
	uint8_t hello[KYLO_HELLO_LEN + 1];
	size_t len = kf_unhex(kf_hello_hex, hello, sizeof(hello));
	size_t total = 99;
	EVP_PKEY *pub = NULL;

	/* A stream reader learns the size from the first two bytes. */
	ck_assert_int_eq(kylo_hello_size(hello, 0, &total), 0);
	ck_assert_uint_eq(total, 0);
	ck_assert_int_eq(kylo_hello_size(hello, 1, &total), 0);
	ck_assert_uint_eq(total, 0);
	ck_assert_int_eq(kylo_hello_size(hello, 2, &total), 0);
	ck_assert_uint_eq(total, KYLO_HELLO_LEN);

	ck_assert_int_eq(kylo_hello_parse(hello, len, &pub), 0);
	ck_assert_ptr_nonnull(pub);
	ck_assert_int_eq(EVP_PKEY_eq(pub, kf_priv), 1);
	EVP_PKEY_free(pub);

	/* Partial, or with one byte too many. */
	pub = NULL;
	ck_assert_int_eq(kylo_hello_parse(hello, len - 1, &pub),
		POLYCHAT_EPROTO);
	hello[len] = '\n';
	ck_assert_int_eq(kylo_hello_parse(hello, len + 1, &pub),
		POLYCHAT_EPROTO);
	/* A damaged base64 body is not a key. */
	hello[60] ^= 0x01;
	ck_assert_int_eq(kylo_hello_parse(hello, len, &pub), POLYCHAT_EPROTO);
	ck_assert_ptr_null(pub);

	/* Length 0, and a length over the cap. */
	hello[0] = 0;
	hello[1] = 0;
	ck_assert_int_eq(kylo_hello_size(hello, 2, &total), POLYCHAT_EPROTO);
	hello[0] = (KYLO_HELLO_PEM_MAX + 1) & 0xff;
	hello[1] = (KYLO_HELLO_PEM_MAX + 1) >> 8;
	ck_assert_int_eq(kylo_hello_size(hello, 2, &total), POLYCHAT_ETOOBIG);
	ck_assert_uint_eq(total, KYLO_HELLO_LEN);
}
END_TEST

START_TEST(test_generated_key)
{
	EVP_PKEY *key = NULL, *pub = NULL;
	uint8_t hello[600], block[KYLO_KEYBLOCK1_LEN], enc[KYLO_KEY_LEN];
	size_t len = 0;

	ck_assert_int_eq(kylo_rsa_generate(&key), 0);
	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(EVP_PKEY_get_bits(key), 2048);
	ck_assert_int_eq(kylo_hello_build(key, hello, sizeof(hello), &len), 0);
	ck_assert_uint_eq(len, KYLO_HELLO_LEN);
	ck_assert_uint_eq(hello[0], 0xc3);
	ck_assert_uint_eq(hello[1], 0x01);
	ck_assert_int_eq(kylo_hello_parse(hello, len, &pub), 0);
	ck_assert_int_eq(EVP_PKEY_eq(pub, key), 1);
	ck_assert_int_eq(EVP_PKEY_eq(pub, kf_priv), 0);

	/* A block for one key does not open under another. */
	ck_assert_int_eq(kylo_keyblock1_build(pub, kf_keys.enc, KYLO_KEY_LEN,
		block), 0);
	memset(enc, 0xaa, sizeof(enc));
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, block, sizeof(block), enc),
		POLYCHAT_ECRYPTO);
	ck_assert(kf_all_bytes(enc, sizeof(enc), 0xaa));
	ck_assert_int_eq(kylo_keyblock1_open(key, block, sizeof(block), enc), 0);
	ck_assert_mem_eq(enc, kf_keys.enc, KYLO_KEY_LEN);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(key);
}
END_TEST

/* --- KeyBlock1 --- */

START_TEST(test_keyblock1_vector)
{
	uint8_t block[KYLO_KEYBLOCK1_LEN], enc[KYLO_KEY_LEN];

	ck_assert_uint_eq(kf_unhex(kf_kb1_hex, block, sizeof(block)),
		KYLO_KEYBLOCK1_LEN);
	memset(enc, 0, sizeof(enc));
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, block, sizeof(block), enc),
		0);
	kf_assert_hex(enc, sizeof(enc), kf_k_enc_hex);
}
END_TEST

/* MGF1-SHA256 of `seed`, XORed into `dst`. */
static void mgf1_xor(uint8_t *dst, size_t dst_len, const uint8_t *seed,
	size_t seed_len)
{
	uint8_t in[256 + 4], h[32];
	size_t done = 0;

	ck_assert_uint_le(seed_len, 256);
	memcpy(in, seed, seed_len);
	for (uint32_t c = 0; done < dst_len; c++) {
		in[seed_len] = (uint8_t)(c >> 24);
		in[seed_len + 1] = (uint8_t)(c >> 16);
		in[seed_len + 2] = (uint8_t)(c >> 8);
		in[seed_len + 3] = (uint8_t)c;
		ck_assert_int_eq(EVP_Digest(in, seed_len + 4, h, NULL,
			EVP_sha256(), NULL), 1);
		for (size_t i = 0; i < 32 && done < dst_len; i++)
			dst[done++] ^= h[i];
	}
}

/*
 * §8.2 says KeyBlock1 was made with a fixed OAEP seed. Rebuilding it here
 * from RFC 8017 EME-OAEP (SHA-256, MGF1-SHA-256, empty label) and a raw
 * RSA operation proves the vector is exactly OAEP with these parameters,
 * which is what the codec's decryption assumes.
 */
START_TEST(test_keyblock1_fixed_seed)
{
	uint8_t em[256], seed[32], out[256];
	size_t out_len = sizeof(out);
	EVP_PKEY_CTX *ctx;
	static const uint8_t empty[1];
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
			(char *)OSSL_PKEY_RSA_PAD_MODE_NONE, 0),
		OSSL_PARAM_construct_end(),
	};

	kf_unhex(kf_oaep_seed_hex, seed, sizeof(seed));
	/* EM = 00 || maskedSeed (32) || maskedDB (223); DB = lHash || 00..
	 * || 01 || K_enc. */
	memset(em, 0, sizeof(em));
	ck_assert_int_eq(EVP_Digest(empty, 0, em + 33, NULL, EVP_sha256(),
		NULL), 1);
	em[256 - 32 - 1] = 0x01;
	memcpy(em + 256 - 32, kf_keys.enc, 32);
	memcpy(em + 1, seed, 32);
	mgf1_xor(em + 33, 223, em + 1, 32);
	mgf1_xor(em + 1, 32, em + 33, 223);

	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, kf_priv, NULL);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_PKEY_encrypt_init_ex(ctx, params), 1);
	ck_assert_int_eq(EVP_PKEY_encrypt(ctx, out, &out_len, em, sizeof(em)),
		1);
	EVP_PKEY_CTX_free(ctx);
	ck_assert_uint_eq(out_len, 256);
	kf_assert_hex(out, out_len, kf_kb1_hex);
}
END_TEST

START_TEST(test_keyblock1_refusals)
{
	uint8_t block[KYLO_KEYBLOCK1_LEN + 1], enc[KYLO_KEY_LEN];
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	ck_assert_ptr_nonnull(ec);
	kf_unhex(kf_kb1_hex, block, sizeof(block));
	memset(enc, 0xaa, sizeof(enc));
	/* Wrong sizes. */
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, block, 255, enc),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, block, 257, enc),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, NULL, 0, enc),
		POLYCHAT_EPROTO);
	/* The vector with one bit flipped. */
	block[200] ^= 0x04;
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, block, 256, enc),
		POLYCHAT_ECRYPTO);
	/* Garbage below the modulus, and a value above it. */
	for (size_t i = 0; i < 256; i++)
		block[i] = (uint8_t)(0x5a ^ (i * 7));
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, block, 256, enc),
		POLYCHAT_ECRYPTO);
	memset(block, 0xff, 256);
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, block, 256, enc),
		POLYCHAT_ECRYPTO);
	ck_assert(kf_all_bytes(enc, sizeof(enc), 0xaa));
	/* Not an RSA-2048 key. */
	kf_unhex(kf_kb1_hex, block, sizeof(block));
	ck_assert_int_eq(kylo_keyblock1_open(ec, block, 256, enc),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_keyblock1_build(ec, kf_keys.enc, 32, block),
		POLYCHAT_EINVAL);
	EVP_PKEY_free(ec);
}
END_TEST

/* Good OAEP blocks whose plaintext is not a 32-byte key: the original
 * accepts 16 and 24 on paper and then fails; we refuse them cleanly. */
START_TEST(test_keyblock1_key_lengths)
{
	static const size_t lens[] = { 1, 16, 24, 31, 33, KYLO_KEYBLOCK1_MAX_KEY };
	uint8_t key[KYLO_KEYBLOCK1_MAX_KEY], block[KYLO_KEYBLOCK1_LEN];
	uint8_t enc[KYLO_KEY_LEN];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ck_assert_int_eq(kylo_keyblock1_build(kf_priv, key, lens[i], block),
			0);
		memset(enc, 0xaa, sizeof(enc));
		ck_assert_msg(kylo_keyblock1_open(kf_priv, block, sizeof(block), enc)
			== POLYCHAT_EPROTO, "a %zu-byte key was accepted", lens[i]);
		ck_assert(kf_all_bytes(enc, sizeof(enc), 0xaa));
	}
	/* The same builder with 32 bytes is accepted. */
	ck_assert_int_eq(kylo_keyblock1_build(kf_priv, key, 32, block), 0);
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, block, sizeof(block), enc), 0);
	ck_assert_mem_eq(enc, key, 32);
	/* Outside what OAEP can carry. */
	ck_assert_int_eq(kylo_keyblock1_build(kf_priv, key, 0, block),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_keyblock1_build(kf_priv, key,
		KYLO_KEYBLOCK1_MAX_KEY + 1, block), POLYCHAT_EINVAL);
}
END_TEST

/* --- KeyBlock2 --- */

START_TEST(test_keyblock2_vector)
{
	uint8_t block[KYLO_KEYBLOCK2_LEN], built[KYLO_KEYBLOCK2_LEN];
	uint8_t iv[KYLO_IV_LEN], mac[KYLO_KEY_LEN];

	ck_assert_uint_eq(kf_unhex(kf_kb2_hex, block, sizeof(block)), 64);
	memset(mac, 0, sizeof(mac));
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, sizeof(block),
		mac), 0);
	kf_assert_hex(mac, sizeof(mac), kf_k_mac_hex);

	kf_unhex(kf_iv_hs_hex, iv, sizeof(iv));
	ck_assert_int_eq(kylo_keyblock2_build(&kf_keys, iv, built), 0);
	kf_assert_hex(built, sizeof(built), kf_kb2_hex);
}
END_TEST

/* KeyBlock2 from a 48-byte plaintext the test pads itself. */
static void forge_kb2(const uint8_t plain[48], uint8_t out[64])
{
	kf_unhex(kf_iv_hs_hex, out, 16);
	kf_raw_cbc(kf_keys.enc, out, plain, 48, out + 16);
}

START_TEST(test_keyblock2_refusals)
{
	uint8_t plain[48], block[80], mac[KYLO_KEY_LEN];

	/* The forging helper makes the vector from K_mac || 16 x 0x10. */
	memcpy(plain, kf_keys.mac, 32);
	memset(plain + 32, 0x10, 16);
	forge_kb2(plain, block);
	kf_assert_hex(block, 64, kf_kb2_hex);

	memset(mac, 0xaa, sizeof(mac));
	/* Padding byte out of range: 0x11, then 0x00. */
	plain[47] = 0x11;
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	plain[47] = 0x00;
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	/* Inconsistent padding bytes. */
	plain[47] = 0x10;
	plain[40] = 0x0f;
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	/* Valid padding, wrong length: 40 and 47 bytes of key. */
	memset(plain + 40, 0x08, 8);
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	plain[47] = 0x01;
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	/* The vector under another K_enc decrypts to noise. */
	kf_unhex(kf_kb2_hex, block, sizeof(block));
	{
		uint8_t other[32];
		memcpy(other, kf_keys.enc, 32);
		other[0] ^= 0x80;
		ck_assert_int_eq(kylo_keyblock2_open(other, block, 64, mac),
			POLYCHAT_EPROTO);
	}
	/* Wrong sizes. */
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, 48, mac),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, 63, mac),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, 80, mac),
		POLYCHAT_EPROTO);
	ck_assert(kf_all_bytes(mac, sizeof(mac), 0xaa));
	/* And the untouched vector still opens. */
	ck_assert_int_eq(kylo_keyblock2_open(kf_keys.enc, block, 64, mac), 0);
	ck_assert_mem_eq(mac, kf_keys.mac, 32);
}
END_TEST

START_TEST(test_handshake_open)
{
	uint8_t kb1[KYLO_KEYBLOCK1_LEN], kb2[KYLO_KEYBLOCK2_LEN];
	struct kylo_keys got;

	kf_unhex(kf_kb1_hex, kb1, sizeof(kb1));
	kf_unhex(kf_kb2_hex, kb2, sizeof(kb2));
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(kylo_handshake_open(kf_priv, kb1, sizeof(kb1), kb2,
		sizeof(kb2), &got), 0);
	ck_assert_mem_eq(&got, &kf_keys, sizeof(kf_keys));

	/* A good KeyBlock1 with a bad KeyBlock2 writes nothing: not even
	 * K_enc, which was already decrypted. */
	memset(&got, 0xaa, sizeof(got));
	kb2[63] ^= 0x01;
	ck_assert_int_eq(kylo_handshake_open(kf_priv, kb1, sizeof(kb1), kb2,
		sizeof(kb2), &got), POLYCHAT_EPROTO);
	ck_assert(kf_all_bytes((const uint8_t *)&got, sizeof(got), 0xaa));
	kb2[63] ^= 0x01;
	kb1[0] ^= 0x01;
	ck_assert_int_eq(kylo_handshake_open(kf_priv, kb1, sizeof(kb1), kb2,
		sizeof(kb2), &got), POLYCHAT_ECRYPTO);
	ck_assert_int_eq(kylo_handshake_open(kf_priv, kb1, sizeof(kb1) - 1, kb2,
		sizeof(kb2), &got), POLYCHAT_EPROTO);
	ck_assert(kf_all_bytes((const uint8_t *)&got, sizeof(got), 0xaa));
}
END_TEST

/* The client half: random keys and seed, opened by the server half. */
START_TEST(test_client_round_trip)
{
	uint8_t hello[KYLO_HELLO_LEN];
	uint8_t b1[KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN];
	uint8_t b2[sizeof(b1)];
	struct kylo_keys k1, k2, got;
	EVP_PKEY *pub = NULL;
	const struct polychat_host *host = stub_host();

	kf_unhex(kf_hello_hex, hello, sizeof(hello));
	ck_assert_int_eq(kylo_hello_parse(hello, sizeof(hello), &pub), 0);
	ck_assert_int_eq(kylo_client_handshake(host, pub, &k1, b1), 0);
	ck_assert_int_eq(kylo_client_handshake(host, pub, &k2, b2), 0);
	/* Fresh keys, IV and OAEP seed each time. */
	ck_assert_mem_ne(&k1, &k2, sizeof(k1));
	ck_assert_mem_ne(b1, b2, KYLO_KEYBLOCK1_LEN);
	ck_assert_mem_ne(b1 + KYLO_KEYBLOCK1_LEN, b2 + KYLO_KEYBLOCK1_LEN, 16);

	ck_assert_int_eq(kylo_handshake_open(kf_priv, b1, KYLO_KEYBLOCK1_LEN,
		b1 + KYLO_KEYBLOCK1_LEN, KYLO_KEYBLOCK2_LEN, &got), 0);
	ck_assert_mem_eq(&got, &k1, sizeof(got));
	ck_assert_int_eq(kylo_handshake_open(kf_priv, b2, KYLO_KEYBLOCK1_LEN,
		b2 + KYLO_KEYBLOCK1_LEN, KYLO_KEYBLOCK2_LEN, &got), 0);
	ck_assert_mem_eq(&got, &k2, sizeof(got));

	/* The same K_enc twice gives two different blocks (random seed),
	 * both of which open to it. */
	ck_assert_int_eq(kylo_keyblock1_build(pub, kf_keys.enc, 32, b1), 0);
	ck_assert_int_eq(kylo_keyblock1_build(pub, kf_keys.enc, 32, b2), 0);
	ck_assert_mem_ne(b1, b2, KYLO_KEYBLOCK1_LEN);
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, b1, 256, got.enc), 0);
	ck_assert_mem_eq(got.enc, kf_keys.enc, 32);
	memset(got.enc, 0, 32);
	ck_assert_int_eq(kylo_keyblock1_open(kf_priv, b2, 256, got.enc), 0);
	ck_assert_mem_eq(got.enc, kf_keys.enc, 32);

	kylo_keys_wipe(host, &k1);
	ck_assert(kf_all_bytes((const uint8_t *)&k1, sizeof(k1), 0));
	kylo_keys_wipe(host, NULL);
	EVP_PKEY_free(pub);
}
END_TEST

static Suite *kylochat_handshake_suite(void)
{
	Suite *s = suite_create("kylochat-handshake");
	TCase *tc;

	tc = tcase_create("handshake");
	tcase_add_checked_fixture(tc, kf_setup, kf_teardown);
	tcase_add_test(tc, test_hello_vector);
	tcase_add_test(tc, test_hello_refusals);
	tcase_add_test(tc, test_hello_parse);
	tcase_add_test(tc, test_generated_key);
	tcase_add_test(tc, test_keyblock1_vector);
	tcase_add_test(tc, test_keyblock1_fixed_seed);
	tcase_add_test(tc, test_keyblock1_refusals);
	tcase_add_test(tc, test_keyblock1_key_lengths);
	tcase_add_test(tc, test_keyblock2_vector);
	tcase_add_test(tc, test_keyblock2_refusals);
	tcase_add_test(tc, test_handshake_open);
	tcase_add_test(tc, test_client_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suite = kylochat_handshake_suite();

	return pc_check_run(suite);
}
