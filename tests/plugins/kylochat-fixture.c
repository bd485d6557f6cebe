/* SPDX-License-Identifier: MIT */
/* The kylochat.md §8 vectors and test helpers shared by the kylochat codec tests. */
#include "tests/plugins/kylochat-fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tests/stubs/stub-host.h"

/* --- §8.1 inputs --- */

const char kf_test_key_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEuwIBADANBgkqhkiG9w0BAQEFAASCBKUwggShAgEAAoIBAQCz3kr6LupAD6Nm\n"
	"dYTvnfsF+mAkP9uk1bjaJwrkOrjD6QBTzfXA+mjAy/ipEJi8yivOl6Tl+Y8p6X8g\n"
	"A12hLGC0B/3ngpUOhPV6jIxf02TnNS0vNaELhox7xdU76DgHm/e3hyy8vA084uQy\n"
	"oi6Csdv1aq4qDvljCgNcjzZ0CKKGyGb/JmgRavkFfZYfX8BdS7XdmW9D/kk64RgP\n"
	"9mx1eHDrUd6c8NkX/6JJr5QZgB9kSwjQKDq0TOni/qya8AGKV/EvoQWSrO+lLPiA\n"
	"i5fBNyzvkfPwCWGZcIQS+NeB2/ssFrktocPsJdfBg9HFzH/oEyajEGRRtmZ1vW7f\n"
	"rmueSPwhAgMBAAECgf8CQvE+ZAid9ZRgXWnmeV4GnTdIPWVNlUJVu9fvNq3MCMnw\n"
	"Q86rNnrKscXWmlbRSNl0J4PzQEgEhuMKTACJXj15BgCzQHkPTayodcvuCIJkRc7j\n"
	"oRD9TBvIEpyzvB+4OMXMkO6HEPY5pcCowlFDY2kYlNbLwJRyIlYYe9R7cQBaIXVy\n"
	"yrpCq1qnylaNbVnf3le412INRkCqAeq1g3lLLCtku83BhuUQycUGihUY1n0xTzM2\n"
	"slBbNcsS1T/bz1GVG/JByhHz0RDm0h1jkOGvuLWwOhU46CvBmSAbHt/EEQMnXmyG\n"
	"KQJiFvXyhg/NZbS2ScYoKllssWV3uT7FH+Vzn0ECgYEA/AEm53HgVpFvyiXGf2Ki\n"
	"cFjYCofeTjEB+/Pdi1JhawTnYLIJywWaXjen+XSjPUSkmyC8HJc0oTgoj14hwAp/\n"
	"EUgjJ8gPoWS6dHAG+Agp4p/wkcV/eMY9PAZGDYRPo/8bP1LpoMUxxTeXJGCgQcVM\n"
	"PsKVT8T3auMfjx9Y5COLq0ECgYEAtrhZ5NlynIFqRdWW/EAvnMMrXlEoE8/nlhK4\n"
	"UWb8IPWT+IiGj2m/a73NTyxynxRX+YXwI9qQHjhn6zMemZl4I7bsjG23Lfnq/pJM\n"
	"UABimY3WXsB5jFBw41AfQGC5UhYfjFBNGD9j59M9+V59m1dxBRl9ElyldQLcelrY\n"
	"dP0BeOECgYEAvjokYutsPAy3BTI0v632DraSBoj/f6iw5b71SpkaHo3qFuzuRYnq\n"
	"OBrtOnoYS0SIuO0h8rcVLGnW/DpDYdLKjoIUv4/edKcztHdoW0zWSVMQZwldqw6B\n"
	"5NCbitKIx7Pnnop4/zo70rKe7f/emSdU4b9CtJ9rYQ0nooM4N6a5ZMECgYBFc/d/\n"
	"fIQLJ0oM924nvgIbFTiT5kdUmI9PxRfYoUuu/4naS5LSSoDfZEr5EE0VWLdD+nxY\n"
	"NIjZY9lkVo8IFYTMFoj9q+qYCEohr9xgAHV6JqbYZ1MMWbs/PEJUxy9KG2yseg2D\n"
	"7Px9rxb8hcU62db0+EZJR3wA6TCDNarXdSAtIQKBgFBXDKS0dnzAqjh9fdr9SaVD\n"
	"F+Mwi50ML7phJBiLWeAZTF8KbW42209jezRSYarjcrYAbxM8bgv8ozzDVOgPiSOD\n"
	"YubO9pl1gdNIBwlzpJ3mGMq3/YaB3WaDufd5s3+zMJHuHffNybTHonH3oomLcbQD\n"
	"7rM2iS/XFzJIXK7/GF98\n"
	"-----END PRIVATE KEY-----\n";

const char kf_k_enc_hex[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const char kf_k_mac_hex[] =
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
const char kf_iv_hs_hex[] = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
const char kf_oaep_seed_hex[] =
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";

/* --- §8.2 handshake --- */

const char kf_hello_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAs95K+i7qQA+jZnWE7537\n"
	"BfpgJD/bpNW42icK5Dq4w+kAU831wPpowMv4qRCYvMorzpek5fmPKel/IANdoSxg\n"
	"tAf954KVDoT1eoyMX9Nk5zUtLzWhC4aMe8XVO+g4B5v3t4csvLwNPOLkMqIugrHb\n"
	"9WquKg75YwoDXI82dAiihshm/yZoEWr5BX2WH1/AXUu13ZlvQ/5JOuEYD/ZsdXhw\n"
	"61HenPDZF/+iSa+UGYAfZEsI0Cg6tEzp4v6smvABilfxL6EFkqzvpSz4gIuXwTcs\n"
	"75Hz8AlhmXCEEvjXgdv7LBa5LaHD7CXXwYPRxcx/6BMmoxBkUbZmdb1u365rnkj8\n"
	"IQIDAQAB\n"
	"-----END PUBLIC KEY-----\n";

const char kf_hello_hex[] =
	"c3012d2d2d2d2d424547494e205055424c4943204b45592d2d2d2d2d0a4d4949"
	"42496a414e42676b71686b6947397730424151454641414f43415138414d4949"
	"4243674b43415145417339354b2b69377151412b6a5a6e5745373533370a4266"
	"70674a442f62704e57343269634b35447134772b6b41553833317750706f774d"
	"763471524359764d6f727a70656b35666d504b656c2f49414e646f5378670a74"
	"41663935344b56446f5431656f794d58394e6b357a55744c7a57684334614d65"
	"3858564f2b67344235763374346373764c774e504f4c6b4d714975677248620a"
	"395771754b67373559776f4458493832644169696873686d2f795a6f45577235"
	"4258325748312f4158557531335a6c76512f354a4f754559442f5a7364586877"
	"0a363148656e50445a462f2b6953612b55475941665a4573493043673674457a"
	"70347636736d764142696c66784c3645466b717a7670537a3467497558775463"
	"730a3735487a38416c686d58434545766a58676476374c4261354c6148443743"
	"5858775950527863782f36424d6d6f78426b55625a6d64623175333635726e6b"
	"6a380a49514944415141420a2d2d2d2d2d454e44205055424c4943204b45592d"
	"2d2d2d2d0a";

const char kf_kb1_hex[] =
	"196217ba40f4911ea2acc5e19232eaada010ad4e5d1989ae9724d8e73e5ea15a"
	"8e8b6f887f1cc59afe207628f737753a03ed2e6c3a0e8197640b8e098426fbec"
	"5f398697df940123b5539b73630105936be382e65e7ce45320c58cd974b1839e"
	"655c8be9e3125d70a474b35207583a1b8e6466b497ac357638913bb8ebf9e3b1"
	"c8ded6564be775a0c9a906ceb12466dfc6c86cad40a1c61d5fc8bea1d48acee7"
	"3c2c794aacdc7e00a55640c62fc3dce2b5675d44b677776e463aed10dbe5dde4"
	"31b616807d56ee184e736eda87adeedfb9922ade1604b8dc3fb7b970aa18400a"
	"1ab6572056b34ff87f87537b7ceba998d1159f68eb18a355b357de6b60c5be71";

const char kf_kb2_hex[] =
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeaff97d2631b54672f9e1e9e52f5c516485"
	"746add56f17ef4bca393666f5dbb06c6feac974e0a3468c958ccbf6b3e3f33a8";

/* --- §8.3 and §8.4 frames --- */

const struct kf_frame_vector kf_frames[KF_N_FRAMES] = {
	{ "username SF(test)", KYLO_SHORT, 0x11, "test",
		"400011111111111111111111111111111111daaf0896d47b01beb0a8375477db"
		"b9f203bd01790790ea6550168276e3b775b105d7f669004cc4b56e1d89d602e3"
		"b20b" },
	{ "password SF(test)", KYLO_SHORT, 0x22, "test",
		"4000222222222222222222222222222222224874b91865f397166f26df380eca"
		"65218e21130c80fe176a51a9e6803b1317c9d7d910e151348ee155744ed55a72"
		"55f1" },
	{ "token SF(token)", KYLO_SHORT, 0x33, KF_TOKEN,
		"600033333333333333333333333333333333523502ef4cd26bc09931b87a58ee"
		"a11848d504cdc26f17a3a1ed0ec5de2d42e66259fc961eb0baf32849c1eb15f9"
		"33d3db961897abcad66dd4eed50cd2ea2bf6b2f3cc6e559c10ce5ca8e2fce955"
		"c127" },
	{ "chat IF(token || message)", KYLO_INT, 0x44, KF_TOKEN KF_MESSAGE,
		"700000004444444444444444444444444444444431e5d4300105143f0c5b68de"
		"af3ca9a7deb385e5eab049805204b5a6e07573000bf51e80f795e87b95bcd949"
		"fb3233c1e6fe4793551056a37e788411e3d4ec013ead9962ac0497c58bdc6288"
		"1657f97ffc29934a5996e536a6d669f62b69d1b8" },
	{ "broadcast sender SF(test)", KYLO_SHORT, 0x55, "test",
		"40005555555555555555555555555555555539db85ad44b5d6b5990397a10f5f"
		"34c4bbb51f38ff68b1aa9d4c3c164a1041e123d9fdd6b224dbf3edc3a3306bf1"
		"6acf" },
	{ "broadcast body IF(message)", KYLO_INT, 0x66, KF_MESSAGE,
		"50000000666666666666666666666666666666668584e52a8e7974004a66ff82"
		"6e7171027ba8cd4b94bb448c1de66b0b3dc43e00be35f443f05d0c8f28d4af5b"
		"d3d181a6ee48c244201cf9e50734d982af8d3b72" },
};

/* The chat plaintext as §8.4 prints it. */
const char kf_chat_plain_hex[] =
	"33663235303465302d346638392d343164332d396130632d3033303565383263"
	"33333031" "48656c6c6f2c204b796c6f4368617421";

const char kf_unit_hex[] =
	"0140005555555555555555555555555555555539db85ad44b5d6b5990397a10f"
	"5f34c4bbb51f38ff68b1aa9d4c3c164a1041e123d9fdd6b224dbf3edc3a3306b"
	"f16acf50000000666666666666666666666666666666668584e52a8e7974004a"
	"66ff826e7171027ba8cd4b94bb448c1de66b0b3dc43e00be35f443f05d0c8f28"
	"d4af5bd3d181a6ee48c244201cf9e50734d982af8d3b72";

const char kf_login_notice_hex[] =
	"1b5b33326d746573741b5b33396d206c6f6767656420696e20f09f918b";
const char kf_exit_notice_hex[] =
	"1b5b33316d7465737420646973636f6e6e6563746564";

/* --- helpers --- */

/* Set up by kf_setup for each test. */
EVP_PKEY *kf_priv;
struct kylo_keys kf_keys;

/* Decode `hex` into `out`; its length must fit `cap`. */
size_t kf_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);

	ck_assert_uint_eq(n % 2, 0);
	ck_assert_uint_le(n / 2, cap);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n / 2;
}

/* Fail, showing both as hex, unless `got` is exactly `hex`. */
void kf_assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	char *s = malloc(2 * len + 1);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", got[i]);
	s[2 * len] = '\0';
	ck_assert_str_eq(s, hex);
	free(s);
}

/* Set all KYLO_IV_LEN bytes of `iv` to `byte`. */
void kf_fill_iv(uint8_t iv[KYLO_IV_LEN], uint8_t byte)
{
	memset(iv, byte, KYLO_IV_LEN);
}

/* 1 if each of the `len` bytes at `p` is `byte`, else 0. */
int kf_all_bytes(const uint8_t *p, size_t len, uint8_t byte)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != byte)
			return 0;
	return 1;
}

/* Load the §8.1 private key into kf_priv and K_enc, K_mac into kf_keys. */
void kf_setup(void)
{
	BIO *bio = BIO_new_mem_buf(kf_test_key_pem, -1);

	ck_assert_ptr_nonnull(bio);
	kf_priv = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ck_assert_ptr_nonnull(kf_priv);
	kf_unhex(kf_k_enc_hex, kf_keys.enc, sizeof(kf_keys.enc));
	kf_unhex(kf_k_mac_hex, kf_keys.mac, sizeof(kf_keys.mac));
}

/* Free kf_priv and fail if any stub-host allocation is still live. */
void kf_teardown(void)
{
	EVP_PKEY_free(kf_priv);
	kf_priv = NULL;
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}

/* Test-side AES-256-CBC without padding, to build blocks the codec itself
 * would never produce. */
void kf_raw_cbc(const uint8_t key[32], const uint8_t iv[16],
	const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_EncryptInit_ex2(ctx, EVP_aes_256_cbc(), key, iv,
		NULL), 1);
	ck_assert_int_eq(EVP_CIPHER_CTX_set_padding(ctx, 0), 1);
	ck_assert_int_eq(EVP_EncryptUpdate(ctx, out, &n, in, (int)len), 1);
	ck_assert_int_eq(EVP_EncryptFinal_ex(ctx, out + n, &m), 1);
	ck_assert_uint_eq((size_t)(n + m), len);
	EVP_CIPHER_CTX_free(ctx);
}

/* Test-side HMAC-SHA256 of `data` under `key` into `tag`. */
void kf_raw_hmac(const uint8_t key[32], const uint8_t *data, size_t len,
	uint8_t tag[32])
{
	size_t tag_len = 0;

	ck_assert_ptr_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key,
		32, data, len, tag, 32, &tag_len));
	ck_assert_uint_eq(tag_len, 32);
}

/*
 * IV || CT || HMAC(CT), what kylo_frame_open takes, with CT made by the
 * test: `ct_plain` (a multiple of 16 bytes) encrypted without padding, or
 * when `raw_ct` is set, `ct_plain` itself as the "ciphertext" (any length).
 * Returns the length written to `out`.
 */
size_t kf_forge_body(const uint8_t *ct_plain, size_t len, int raw_ct,
	uint8_t *out)
{
	uint8_t iv[16];

	kf_fill_iv(iv, KF_FORGE_IV);
	memcpy(out, iv, 16);
	if (raw_ct)
		memcpy(out + 16, ct_plain, len);
	else
		kf_raw_cbc(kf_keys.enc, iv, ct_plain, len, out + 16);
	kf_raw_hmac(kf_keys.mac, out + 16, len, out + 16 + len);
	return 16 + len + 32;
}

/* --- ServerHello --- */

/* A ServerHello for any key, made by the test (the codec only makes them
 * for RSA-2048). */
int kf_hello_of(EVP_PKEY *key, uint8_t *out, size_t cap, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long n;

	ck_assert_ptr_nonnull(bio);
	ck_assert_int_eq(PEM_write_bio_PUBKEY(bio, key), 1);
	n = BIO_get_mem_data(bio, &pem);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_le((size_t)n + 2, cap);
	out[0] = (uint8_t)n;
	out[1] = (uint8_t)(n >> 8);
	memcpy(out + 2, pem, (size_t)n);
	*len = (size_t)n + 2;
	BIO_free(bio);
	return 0;
}
