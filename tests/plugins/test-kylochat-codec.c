/* SPDX-License-Identifier: MIT */
/* The kylochat crypto and framing codec, checked against kylochat.md §8, and what it refuses. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "plugins/crypto-rsa-cbc/kylo-crypto.h"
#include "tests/check-run.h"
#include "tests/stubs/stub-host.h"

/* --- §8.1 inputs --- */

static const char TEST_KEY_PEM[] =
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

static const char K_ENC_HEX[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char K_MAC_HEX[] =
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
static const char IV_HS_HEX[] = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
static const char OAEP_SEED_HEX[] =
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
#define TOKEN "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define MESSAGE "Hello, KyloChat!"

/* --- §8.2 handshake --- */

static const char HELLO_PEM[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAs95K+i7qQA+jZnWE7537\n"
	"BfpgJD/bpNW42icK5Dq4w+kAU831wPpowMv4qRCYvMorzpek5fmPKel/IANdoSxg\n"
	"tAf954KVDoT1eoyMX9Nk5zUtLzWhC4aMe8XVO+g4B5v3t4csvLwNPOLkMqIugrHb\n"
	"9WquKg75YwoDXI82dAiihshm/yZoEWr5BX2WH1/AXUu13ZlvQ/5JOuEYD/ZsdXhw\n"
	"61HenPDZF/+iSa+UGYAfZEsI0Cg6tEzp4v6smvABilfxL6EFkqzvpSz4gIuXwTcs\n"
	"75Hz8AlhmXCEEvjXgdv7LBa5LaHD7CXXwYPRxcx/6BMmoxBkUbZmdb1u365rnkj8\n"
	"IQIDAQAB\n"
	"-----END PUBLIC KEY-----\n";

static const char HELLO_HEX[] =
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

static const char KB1_HEX[] =
	"196217ba40f4911ea2acc5e19232eaada010ad4e5d1989ae9724d8e73e5ea15a"
	"8e8b6f887f1cc59afe207628f737753a03ed2e6c3a0e8197640b8e098426fbec"
	"5f398697df940123b5539b73630105936be382e65e7ce45320c58cd974b1839e"
	"655c8be9e3125d70a474b35207583a1b8e6466b497ac357638913bb8ebf9e3b1"
	"c8ded6564be775a0c9a906ceb12466dfc6c86cad40a1c61d5fc8bea1d48acee7"
	"3c2c794aacdc7e00a55640c62fc3dce2b5675d44b677776e463aed10dbe5dde4"
	"31b616807d56ee184e736eda87adeedfb9922ade1604b8dc3fb7b970aa18400a"
	"1ab6572056b34ff87f87537b7ceba998d1159f68eb18a355b357de6b60c5be71";

static const char KB2_HEX[] =
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeaff97d2631b54672f9e1e9e52f5c516485"
	"746add56f17ef4bca393666f5dbb06c6feac974e0a3468c958ccbf6b3e3f33a8";

/* --- §8.3 and §8.4 frames --- */

static const struct frame_vector {
	const char *what;
	unsigned len_bytes;
	uint8_t iv;          /* the IV is this byte 16 times */
	const char *plain;   /* a C string: no vector holds a NUL */
	const char *hex;     /* the whole frame, prefix included */
} frames[] = {
	{ "username SF(test)", KYLO_SHORT, 0x11, "test",
		"400011111111111111111111111111111111daaf0896d47b01beb0a8375477db"
		"b9f203bd01790790ea6550168276e3b775b105d7f669004cc4b56e1d89d602e3"
		"b20b" },
	{ "password SF(test)", KYLO_SHORT, 0x22, "test",
		"4000222222222222222222222222222222224874b91865f397166f26df380eca"
		"65218e21130c80fe176a51a9e6803b1317c9d7d910e151348ee155744ed55a72"
		"55f1" },
	{ "token SF(token)", KYLO_SHORT, 0x33, TOKEN,
		"600033333333333333333333333333333333523502ef4cd26bc09931b87a58ee"
		"a11848d504cdc26f17a3a1ed0ec5de2d42e66259fc961eb0baf32849c1eb15f9"
		"33d3db961897abcad66dd4eed50cd2ea2bf6b2f3cc6e559c10ce5ca8e2fce955"
		"c127" },
	{ "chat IF(token || message)", KYLO_INT, 0x44, TOKEN MESSAGE,
		"700000004444444444444444444444444444444431e5d4300105143f0c5b68de"
		"af3ca9a7deb385e5eab049805204b5a6e07573000bf51e80f795e87b95bcd949"
		"fb3233c1e6fe4793551056a37e788411e3d4ec013ead9962ac0497c58bdc6288"
		"1657f97ffc29934a5996e536a6d669f62b69d1b8" },
	{ "broadcast sender SF(test)", KYLO_SHORT, 0x55, "test",
		"40005555555555555555555555555555555539db85ad44b5d6b5990397a10f5f"
		"34c4bbb51f38ff68b1aa9d4c3c164a1041e123d9fdd6b224dbf3edc3a3306bf1"
		"6acf" },
	{ "broadcast body IF(message)", KYLO_INT, 0x66, MESSAGE,
		"50000000666666666666666666666666666666668584e52a8e7974004a66ff82"
		"6e7171027ba8cd4b94bb448c1de66b0b3dc43e00be35f443f05d0c8f28d4af5b"
		"d3d181a6ee48c244201cf9e50734d982af8d3b72" },
};
#define N_FRAMES (sizeof(frames) / sizeof(frames[0]))

/* The chat plaintext as §8.4 prints it. */
static const char CHAT_PLAIN_HEX[] =
	"33663235303465302d346638392d343164332d396130632d3033303565383263"
	"33333031" "48656c6c6f2c204b796c6f4368617421";

static const char UNIT_HEX[] =
	"0140005555555555555555555555555555555539db85ad44b5d6b5990397a10f"
	"5f34c4bbb51f38ff68b1aa9d4c3c164a1041e123d9fdd6b224dbf3edc3a3306b"
	"f16acf50000000666666666666666666666666666666668584e52a8e7974004a"
	"66ff826e7171027ba8cd4b94bb448c1de66b0b3dc43e00be35f443f05d0c8f28"
	"d4af5bd3d181a6ee48c244201cf9e50734d982af8d3b72";

static const char LOGIN_NOTICE_HEX[] =
	"1b5b33326d746573741b5b33396d206c6f6767656420696e20f09f918b";
static const char EXIT_NOTICE_HEX[] =
	"1b5b33316d7465737420646973636f6e6e6563746564";

/* --- helpers --- */

static EVP_PKEY *priv;
static struct kylo_keys keys;

/* Decode `hex` into `out`; its length must fit `cap`. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
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
static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	char *s = malloc(2 * len + 1);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", got[i]);
	s[2 * len] = '\0';
	ck_assert_str_eq(s, hex);
	free(s);
}

static void fill_iv(uint8_t iv[KYLO_IV_LEN], uint8_t byte)
{
	memset(iv, byte, KYLO_IV_LEN);
}

static int all_bytes(const uint8_t *p, size_t len, uint8_t byte)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != byte)
			return 0;
	return 1;
}

static void setup(void)
{
	BIO *bio = BIO_new_mem_buf(TEST_KEY_PEM, -1);

	ck_assert_ptr_nonnull(bio);
	priv = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ck_assert_ptr_nonnull(priv);
	unhex(K_ENC_HEX, keys.enc, sizeof(keys.enc));
	unhex(K_MAC_HEX, keys.mac, sizeof(keys.mac));
}

static void teardown(void)
{
	EVP_PKEY_free(priv);
	priv = NULL;
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}

/* Test-side AES-256-CBC without padding, to build blocks the codec itself
 * would never produce. */
static void raw_cbc(const uint8_t key[32], const uint8_t iv[16],
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

static void raw_hmac(const uint8_t key[32], const uint8_t *data, size_t len,
	uint8_t tag[32])
{
	size_t tag_len = 0;

	ck_assert_ptr_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key,
		32, data, len, tag, 32, &tag_len));
	ck_assert_uint_eq(tag_len, 32);
}

/* The IV of forged frames is this byte 16 times. */
#define FORGE_IV 0x77

/*
 * IV || CT || HMAC(CT), what kylo_frame_open takes, with CT made by the
 * test: `ct_plain` (a multiple of 16 bytes) encrypted without padding, or
 * when `raw_ct` is set, `ct_plain` itself as the "ciphertext" (any length).
 * Returns the length written to `out`.
 */
static size_t forge_body(const uint8_t *ct_plain, size_t len, int raw_ct,
	uint8_t *out)
{
	uint8_t iv[16];

	fill_iv(iv, FORGE_IV);
	memcpy(out, iv, 16);
	if (raw_ct)
		memcpy(out + 16, ct_plain, len);
	else
		raw_cbc(keys.enc, iv, ct_plain, len, out + 16);
	raw_hmac(keys.mac, out + 16, len, out + 16 + len);
	return 16 + len + 32;
}

/* --- ServerHello --- */

/* A ServerHello for any key, made by the test (the codec only makes them
 * for RSA-2048). */
static int hello_of(EVP_PKEY *key, uint8_t *out, size_t cap, size_t *len)
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

START_TEST(test_hello_vector)
{
	uint8_t out[600];
	size_t len = 0;

	ck_assert_int_eq(kylo_hello_build(priv, out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, KYLO_HELLO_LEN);
	assert_hex(out, len, HELLO_HEX);
	/* The PEM part is §8.2's text, and its length is the prefix. */
	ck_assert_uint_eq(out[0] | out[1] << 8, strlen(HELLO_PEM));
	ck_assert_mem_eq(out + 2, HELLO_PEM, strlen(HELLO_PEM));
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
	ck_assert_int_eq(kylo_hello_build(priv, out, KYLO_HELLO_LEN - 1, &len),
		POLYCHAT_ENOSPACE);
	ck_assert(all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(len, 12345);
	ck_assert_int_eq(kylo_hello_build(priv, out, KYLO_HELLO_LEN, &len), 0);
	ck_assert_uint_eq(len, KYLO_HELLO_LEN);
	/* Only RSA-2048 fits the 256-byte KeyBlock1. */
	ck_assert_int_eq(kylo_hello_build(ec, out, sizeof(out), &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_hello_build(small, out, sizeof(out), &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_hello_build(NULL, out, sizeof(out), &len),
		POLYCHAT_EINVAL);
	/* A client refuses such keys too. */
	ck_assert_int_eq(hello_of(ec, out, sizeof(out), &len), 0);
	ck_assert_int_eq(kylo_hello_parse(out, len, &pub), POLYCHAT_EPROTO);
	ck_assert_int_eq(hello_of(small, out, sizeof(out), &len), 0);
	ck_assert_int_eq(kylo_hello_parse(out, len, &pub), POLYCHAT_EPROTO);
	ck_assert_ptr_null(pub);
	ck_assert_int_eq(hello_of(priv, out, sizeof(out), &len), 0);
	ck_assert_int_eq(kylo_hello_parse(out, len, &pub), 0);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(small);
}
END_TEST

START_TEST(test_hello_parse)
{
	uint8_t hello[KYLO_HELLO_LEN + 1];
	size_t len = unhex(HELLO_HEX, hello, sizeof(hello));
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
	ck_assert_int_eq(EVP_PKEY_eq(pub, priv), 1);
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
	ck_assert_int_eq(EVP_PKEY_eq(pub, priv), 0);

	/* A block for one key does not open under another. */
	ck_assert_int_eq(kylo_keyblock1_build(pub, keys.enc, KYLO_KEY_LEN,
		block), 0);
	memset(enc, 0xaa, sizeof(enc));
	ck_assert_int_eq(kylo_keyblock1_open(priv, block, sizeof(block), enc),
		POLYCHAT_ECRYPTO);
	ck_assert(all_bytes(enc, sizeof(enc), 0xaa));
	ck_assert_int_eq(kylo_keyblock1_open(key, block, sizeof(block), enc), 0);
	ck_assert_mem_eq(enc, keys.enc, KYLO_KEY_LEN);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(key);
}
END_TEST

/* --- KeyBlock1 --- */

START_TEST(test_keyblock1_vector)
{
	uint8_t block[KYLO_KEYBLOCK1_LEN], enc[KYLO_KEY_LEN];

	ck_assert_uint_eq(unhex(KB1_HEX, block, sizeof(block)),
		KYLO_KEYBLOCK1_LEN);
	memset(enc, 0, sizeof(enc));
	ck_assert_int_eq(kylo_keyblock1_open(priv, block, sizeof(block), enc),
		0);
	assert_hex(enc, sizeof(enc), K_ENC_HEX);
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

	unhex(OAEP_SEED_HEX, seed, sizeof(seed));
	/* EM = 00 || maskedSeed (32) || maskedDB (223); DB = lHash || 00..
	 * || 01 || K_enc. */
	memset(em, 0, sizeof(em));
	ck_assert_int_eq(EVP_Digest(empty, 0, em + 33, NULL, EVP_sha256(),
		NULL), 1);
	em[256 - 32 - 1] = 0x01;
	memcpy(em + 256 - 32, keys.enc, 32);
	memcpy(em + 1, seed, 32);
	mgf1_xor(em + 33, 223, em + 1, 32);
	mgf1_xor(em + 1, 32, em + 33, 223);

	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_PKEY_encrypt_init_ex(ctx, params), 1);
	ck_assert_int_eq(EVP_PKEY_encrypt(ctx, out, &out_len, em, sizeof(em)),
		1);
	EVP_PKEY_CTX_free(ctx);
	ck_assert_uint_eq(out_len, 256);
	assert_hex(out, out_len, KB1_HEX);
}
END_TEST

START_TEST(test_keyblock1_refusals)
{
	uint8_t block[KYLO_KEYBLOCK1_LEN + 1], enc[KYLO_KEY_LEN];
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	ck_assert_ptr_nonnull(ec);
	unhex(KB1_HEX, block, sizeof(block));
	memset(enc, 0xaa, sizeof(enc));
	/* Wrong sizes. */
	ck_assert_int_eq(kylo_keyblock1_open(priv, block, 255, enc),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_keyblock1_open(priv, block, 257, enc),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_keyblock1_open(priv, NULL, 0, enc),
		POLYCHAT_EPROTO);
	/* The vector with one bit flipped. */
	block[200] ^= 0x04;
	ck_assert_int_eq(kylo_keyblock1_open(priv, block, 256, enc),
		POLYCHAT_ECRYPTO);
	/* Garbage below the modulus, and a value above it. */
	for (size_t i = 0; i < 256; i++)
		block[i] = (uint8_t)(0x5a ^ (i * 7));
	ck_assert_int_eq(kylo_keyblock1_open(priv, block, 256, enc),
		POLYCHAT_ECRYPTO);
	memset(block, 0xff, 256);
	ck_assert_int_eq(kylo_keyblock1_open(priv, block, 256, enc),
		POLYCHAT_ECRYPTO);
	ck_assert(all_bytes(enc, sizeof(enc), 0xaa));
	/* Not an RSA-2048 key. */
	unhex(KB1_HEX, block, sizeof(block));
	ck_assert_int_eq(kylo_keyblock1_open(ec, block, 256, enc),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_keyblock1_build(ec, keys.enc, 32, block),
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
		ck_assert_int_eq(kylo_keyblock1_build(priv, key, lens[i], block),
			0);
		memset(enc, 0xaa, sizeof(enc));
		ck_assert_msg(kylo_keyblock1_open(priv, block, sizeof(block), enc)
			== POLYCHAT_EPROTO, "a %zu-byte key was accepted", lens[i]);
		ck_assert(all_bytes(enc, sizeof(enc), 0xaa));
	}
	/* The same builder with 32 bytes is accepted. */
	ck_assert_int_eq(kylo_keyblock1_build(priv, key, 32, block), 0);
	ck_assert_int_eq(kylo_keyblock1_open(priv, block, sizeof(block), enc), 0);
	ck_assert_mem_eq(enc, key, 32);
	/* Outside what OAEP can carry. */
	ck_assert_int_eq(kylo_keyblock1_build(priv, key, 0, block),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_keyblock1_build(priv, key,
		KYLO_KEYBLOCK1_MAX_KEY + 1, block), POLYCHAT_EINVAL);
}
END_TEST

/* --- KeyBlock2 --- */

START_TEST(test_keyblock2_vector)
{
	uint8_t block[KYLO_KEYBLOCK2_LEN], built[KYLO_KEYBLOCK2_LEN];
	uint8_t iv[KYLO_IV_LEN], mac[KYLO_KEY_LEN];

	ck_assert_uint_eq(unhex(KB2_HEX, block, sizeof(block)), 64);
	memset(mac, 0, sizeof(mac));
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, sizeof(block),
		mac), 0);
	assert_hex(mac, sizeof(mac), K_MAC_HEX);

	unhex(IV_HS_HEX, iv, sizeof(iv));
	ck_assert_int_eq(kylo_keyblock2_build(&keys, iv, built), 0);
	assert_hex(built, sizeof(built), KB2_HEX);
}
END_TEST

/* KeyBlock2 from a 48-byte plaintext the test pads itself. */
static void forge_kb2(const uint8_t plain[48], uint8_t out[64])
{
	unhex(IV_HS_HEX, out, 16);
	raw_cbc(keys.enc, out, plain, 48, out + 16);
}

START_TEST(test_keyblock2_refusals)
{
	uint8_t plain[48], block[80], mac[KYLO_KEY_LEN];

	/* The forging helper makes the vector from K_mac || 16 x 0x10. */
	memcpy(plain, keys.mac, 32);
	memset(plain + 32, 0x10, 16);
	forge_kb2(plain, block);
	assert_hex(block, 64, KB2_HEX);

	memset(mac, 0xaa, sizeof(mac));
	/* Padding byte out of range: 0x11, then 0x00. */
	plain[47] = 0x11;
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	plain[47] = 0x00;
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	/* Inconsistent padding bytes. */
	plain[47] = 0x10;
	plain[40] = 0x0f;
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	/* Valid padding, wrong length: 40 and 47 bytes of key. */
	memset(plain + 40, 0x08, 8);
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	plain[47] = 0x01;
	forge_kb2(plain, block);
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, 64, mac),
		POLYCHAT_EPROTO);
	/* The vector under another K_enc decrypts to noise. */
	unhex(KB2_HEX, block, sizeof(block));
	{
		uint8_t other[32];
		memcpy(other, keys.enc, 32);
		other[0] ^= 0x80;
		ck_assert_int_eq(kylo_keyblock2_open(other, block, 64, mac),
			POLYCHAT_EPROTO);
	}
	/* Wrong sizes. */
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, 48, mac),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, 63, mac),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, 80, mac),
		POLYCHAT_EPROTO);
	ck_assert(all_bytes(mac, sizeof(mac), 0xaa));
	/* And the untouched vector still opens. */
	ck_assert_int_eq(kylo_keyblock2_open(keys.enc, block, 64, mac), 0);
	ck_assert_mem_eq(mac, keys.mac, 32);
}
END_TEST

START_TEST(test_handshake_open)
{
	uint8_t kb1[KYLO_KEYBLOCK1_LEN], kb2[KYLO_KEYBLOCK2_LEN];
	struct kylo_keys got;

	unhex(KB1_HEX, kb1, sizeof(kb1));
	unhex(KB2_HEX, kb2, sizeof(kb2));
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(kylo_handshake_open(priv, kb1, sizeof(kb1), kb2,
		sizeof(kb2), &got), 0);
	ck_assert_mem_eq(&got, &keys, sizeof(keys));

	/* A good KeyBlock1 with a bad KeyBlock2 writes nothing: not even
	 * K_enc, which was already decrypted. */
	memset(&got, 0xaa, sizeof(got));
	kb2[63] ^= 0x01;
	ck_assert_int_eq(kylo_handshake_open(priv, kb1, sizeof(kb1), kb2,
		sizeof(kb2), &got), POLYCHAT_EPROTO);
	ck_assert(all_bytes((const uint8_t *)&got, sizeof(got), 0xaa));
	kb2[63] ^= 0x01;
	kb1[0] ^= 0x01;
	ck_assert_int_eq(kylo_handshake_open(priv, kb1, sizeof(kb1), kb2,
		sizeof(kb2), &got), POLYCHAT_ECRYPTO);
	ck_assert_int_eq(kylo_handshake_open(priv, kb1, sizeof(kb1) - 1, kb2,
		sizeof(kb2), &got), POLYCHAT_EPROTO);
	ck_assert(all_bytes((const uint8_t *)&got, sizeof(got), 0xaa));
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

	unhex(HELLO_HEX, hello, sizeof(hello));
	ck_assert_int_eq(kylo_hello_parse(hello, sizeof(hello), &pub), 0);
	ck_assert_int_eq(kylo_client_handshake(host, pub, &k1, b1), 0);
	ck_assert_int_eq(kylo_client_handshake(host, pub, &k2, b2), 0);
	/* Fresh keys, IV and OAEP seed each time. */
	ck_assert_mem_ne(&k1, &k2, sizeof(k1));
	ck_assert_mem_ne(b1, b2, KYLO_KEYBLOCK1_LEN);
	ck_assert_mem_ne(b1 + KYLO_KEYBLOCK1_LEN, b2 + KYLO_KEYBLOCK1_LEN, 16);

	ck_assert_int_eq(kylo_handshake_open(priv, b1, KYLO_KEYBLOCK1_LEN,
		b1 + KYLO_KEYBLOCK1_LEN, KYLO_KEYBLOCK2_LEN, &got), 0);
	ck_assert_mem_eq(&got, &k1, sizeof(got));
	ck_assert_int_eq(kylo_handshake_open(priv, b2, KYLO_KEYBLOCK1_LEN,
		b2 + KYLO_KEYBLOCK1_LEN, KYLO_KEYBLOCK2_LEN, &got), 0);
	ck_assert_mem_eq(&got, &k2, sizeof(got));

	/* The same K_enc twice gives two different blocks (random seed),
	 * both of which open to it. */
	ck_assert_int_eq(kylo_keyblock1_build(pub, keys.enc, 32, b1), 0);
	ck_assert_int_eq(kylo_keyblock1_build(pub, keys.enc, 32, b2), 0);
	ck_assert_mem_ne(b1, b2, KYLO_KEYBLOCK1_LEN);
	ck_assert_int_eq(kylo_keyblock1_open(priv, b1, 256, got.enc), 0);
	ck_assert_mem_eq(got.enc, keys.enc, 32);
	memset(got.enc, 0, 32);
	ck_assert_int_eq(kylo_keyblock1_open(priv, b2, 256, got.enc), 0);
	ck_assert_mem_eq(got.enc, keys.enc, 32);

	kylo_keys_wipe(host, &k1);
	ck_assert(all_bytes((const uint8_t *)&k1, sizeof(k1), 0));
	kylo_keys_wipe(host, NULL);
	EVP_PKEY_free(pub);
}
END_TEST

/* --- frames --- */

START_TEST(test_frame_vectors)
{
	const struct frame_vector *v = &frames[_i];
	uint8_t iv[KYLO_IV_LEN], wire[256], plain[256];
	size_t n = strlen(v->plain), len = 0, size = 0, total = 0;

	fill_iv(iv, v->iv);
	ck_assert_int_eq(kylo_frame_size(v->len_bytes, n, &size), 0);
	ck_assert_int_eq(kylo_frame_seal(&keys, v->len_bytes, iv,
		(const uint8_t *)v->plain, n, wire, sizeof(wire), &len), 0);
	ck_assert_uint_eq(len, size);
	ck_assert_msg(len * 2 == strlen(v->hex), "%s: %zu bytes", v->what, len);
	assert_hex(wire, len, v->hex);

	/* Back again: header, then the LEN bytes after it. */
	ck_assert_int_eq(kylo_frame_header(wire, len, v->len_bytes, 560,
		&total), 0);
	ck_assert_uint_eq(total, len);
	memset(plain, 0, sizeof(plain));
	size = 0;
	ck_assert_int_eq(kylo_frame_open(&keys, wire + v->len_bytes,
		len - v->len_bytes, plain, sizeof(plain), &size), 0);
	ck_assert_uint_eq(size, n);
	ck_assert_mem_eq(plain, v->plain, n);
}
END_TEST

START_TEST(test_chat_plaintext)
{
	uint8_t want[64];
	size_t n = unhex(CHAT_PLAIN_HEX, want, sizeof(want));

	ck_assert_uint_eq(n, 52);
	ck_assert_uint_eq(strlen(TOKEN MESSAGE), 52);
	ck_assert_mem_eq(TOKEN MESSAGE, want, n);
}
END_TEST

/* Sizes around every block boundary, both kinds. */
START_TEST(test_frame_sizes)
{
	static const size_t ns[] = { 1, 15, 16, 17, 31, 32, 33, 500 };
	uint8_t iv[16], plain[600], wire[700], back[600];
	size_t len, size, got, want;

	fill_iv(iv, 0x99);
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 31 + 7);
	for (unsigned kind = 2; kind <= 4; kind += 2) {
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			want = 48 + 16 * (ns[i] / 16 + 1);
			ck_assert_int_eq(kylo_frame_size(kind, ns[i], &size), 0);
			ck_assert_uint_eq(size, kind + want);
			ck_assert_int_eq(kylo_frame_seal(&keys, kind, iv, plain,
				ns[i], wire, sizeof(wire), &len), 0);
			ck_assert_uint_eq(len, kind + want);
			ck_assert_uint_eq(wire[0] | wire[1] << 8, want);
			if (kind == 4)
				ck_assert_uint_eq(wire[2] | wire[3], 0);
			ck_assert_int_eq(kylo_frame_open(&keys, wire + kind,
				want, back, sizeof(back), &got), 0);
			ck_assert_uint_eq(got, ns[i]);
			ck_assert_mem_eq(back, plain, got);
		}
	}
}
END_TEST

START_TEST(test_frame_seal_refusals)
{
	uint8_t iv[16], wire[200];
	uint8_t *big;
	size_t len = 777, size = 0;

	fill_iv(iv, 0x12);
	memset(wire, 0xaa, sizeof(wire));
	ck_assert_int_eq(kylo_frame_seal(&keys, 2, iv, (const uint8_t *)"x", 0,
		wire, sizeof(wire), &len), POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_frame_seal(&keys, 3, iv, (const uint8_t *)"x", 1,
		wire, sizeof(wire), &len), POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_frame_seal(&keys, 1, iv, (const uint8_t *)"x", 1,
		wire, sizeof(wire), &len), POLYCHAT_EINVAL);
	/* SF("test") needs 66 bytes. */
	ck_assert_int_eq(kylo_frame_seal(&keys, 2, iv,
		(const uint8_t *)"test", 4, wire, 65, &len), POLYCHAT_ENOSPACE);
	ck_assert(all_bytes(wire, sizeof(wire), 0xaa));
	ck_assert_uint_eq(len, 777);
	ck_assert_int_eq(kylo_frame_seal(&keys, 2, iv,
		(const uint8_t *)"test", 4, wire, 66, &len), 0);
	ck_assert_uint_eq(len, 66);

	/* The short-frame limit: 65471 bytes make LEN 0xfff0; one more
	 * would overflow the u16. */
	ck_assert_int_eq(kylo_frame_size(2, KYLO_SHORT_PLAIN_MAX, &size), 0);
	ck_assert_uint_eq(size, 2 + 0xfff0);
	ck_assert_int_eq(kylo_frame_size(2, KYLO_SHORT_PLAIN_MAX + 1, &size),
		POLYCHAT_ETOOBIG);
	ck_assert_int_eq(kylo_frame_size(4, KYLO_SHORT_PLAIN_MAX + 1, &size), 0);
	ck_assert_uint_eq(size, 4 + 0x10000);
	/* The int-frame limit, by size only. */
	ck_assert_int_eq(kylo_frame_size(4, KYLO_INT_PLAIN_MAX, &size), 0);
	ck_assert_uint_eq(size, 4 + (size_t)0xfffffff0u);
	ck_assert_int_eq(kylo_frame_size(4, (size_t)KYLO_INT_PLAIN_MAX + 1,
		&size), POLYCHAT_ETOOBIG);
	ck_assert_int_eq(kylo_frame_size(2, 0, &size), POLYCHAT_EINVAL);

	big = malloc(2 * 0x10000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'k', 0x10000);
	ck_assert_int_eq(kylo_frame_seal(&keys, 2, iv, big,
		KYLO_SHORT_PLAIN_MAX + 1, big + 0x10000, 0x10000, &len),
		POLYCHAT_ETOOBIG);
	ck_assert_int_eq(kylo_frame_seal(&keys, 2, iv, big,
		KYLO_SHORT_PLAIN_MAX, big + 0x10000, 0x10000, &len), 0);
	ck_assert_uint_eq(len, 0xfff2);
	ck_assert_uint_eq(big[0x10000], 0xf0);
	ck_assert_uint_eq(big[0x10001], 0xff);
	{
		uint8_t *back = malloc(0x10000);
		size_t got = 0;
		ck_assert_ptr_nonnull(back);
		ck_assert_int_eq(kylo_frame_open(&keys, big + 0x10002, 0xfff0,
			back, 0x10000, &got), 0);
		ck_assert_uint_eq(got, KYLO_SHORT_PLAIN_MAX);
		ck_assert_mem_eq(back, big, got);
		free(back);
	}
	free(big);
}
END_TEST

START_TEST(test_frame_header)
{
	uint8_t h[4] = { 0 };
	size_t total = 5;

	/* Need more: fewer bytes than the prefix. */
	ck_assert_int_eq(kylo_frame_header(h, 0, 2, 560, &total), 0);
	ck_assert_uint_eq(total, 0);
	total = 5;
	ck_assert_int_eq(kylo_frame_header(h, 1, 2, 560, &total), 0);
	ck_assert_uint_eq(total, 0);
	total = 5;
	ck_assert_int_eq(kylo_frame_header(h, 3, 4, 560, &total), 0);
	ck_assert_uint_eq(total, 0);

	/* The largest chat frame, at the cap and one block over it. */
	h[0] = 0x30;
	h[1] = 0x02;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 560, &total), 0);
	ck_assert_uint_eq(total, 564);
	h[0] = 0x40;
	total = 5;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 560, &total),
		POLYCHAT_ETOOBIG);
	ck_assert_uint_eq(total, 5);
	/* Absurd lengths are refused without looking further. */
	h[0] = 0xf0;
	h[1] = h[2] = h[3] = 0xff;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 65536, &total),
		POLYCHAT_ETOOBIG);
	/* Only multiples of 16 from 64 on are frames. */
	h[0] = 0x41;
	h[1] = h[2] = h[3] = 0;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 560, &total),
		POLYCHAT_EPROTO);
	h[0] = 0x30;
	ck_assert_int_eq(kylo_frame_header(h, 4, 4, 560, &total),
		POLYCHAT_EPROTO);
	h[0] = 0x00;
	ck_assert_int_eq(kylo_frame_header(h, 2, 2, 560, &total),
		POLYCHAT_EPROTO);
	h[0] = 0x40;
	ck_assert_int_eq(kylo_frame_header(h, 2, 2, 560, &total), 0);
	ck_assert_uint_eq(total, 66);
	/* A short frame reads two bytes only. */
	h[2] = 0xff;
	ck_assert_int_eq(kylo_frame_header(h, 4, 2, 560, &total), 0);
	ck_assert_uint_eq(total, 66);
	ck_assert_int_eq(kylo_frame_header(h, 4, 3, 560, &total),
		POLYCHAT_EINVAL);
}
END_TEST

/* The §8.4 chat frame, decoded once per test that damages it. */
static size_t chat_frame(uint8_t *wire, size_t cap)
{
	return unhex(frames[3].hex, wire, cap);
}

START_TEST(test_open_tampered)
{
	uint8_t wire[128], out[128];
	size_t len = chat_frame(wire, sizeof(wire)), got = 999;
	uint8_t *body = wire + 4;
	size_t blen = len - 4;

	memset(out, 0xaa, sizeof(out));
	/* Tag. */
	body[blen - 1] ^= 0x01;
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_ECRYPTO);
	body[blen - 1] ^= 0x01;
	/* Ciphertext. */
	body[16 + 20] ^= 0x40;
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_ECRYPTO);
	body[16 + 20] ^= 0x40;
	/* Cut by one block: still a well-formed size, but the tag moved. */
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen - 16, out,
		sizeof(out), &got), POLYCHAT_ECRYPTO);
	/* Another MAC key. */
	{
		struct kylo_keys other = keys;
		other.mac[31] ^= 0x01;
		ck_assert_int_eq(kylo_frame_open(&other, body, blen, out,
			sizeof(out), &got), POLYCHAT_ECRYPTO);
	}
	ck_assert(all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(got, 999);
	/* Untouched, it opens. */
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), 0);
	ck_assert_uint_eq(got, 52);
}
END_TEST

/*
 * §9: the MAC covers the ciphertext only. Flipping IV bits flips the same
 * bits of the first plaintext block and nothing detects it. This test
 * documents the weakness the protocol keeps: if it ever fails, the codec
 * no longer speaks the original's wire format.
 */
START_TEST(test_open_tampered_iv)
{
	uint8_t wire[128], out[128];
	size_t len = chat_frame(wire, sizeof(wire)), got = 0;
	uint8_t *body = wire + 4;
	const char *want = TOKEN MESSAGE;

	body[0] ^= 0x03;  /* '3' -> '0' */
	body[15] ^= 0x1b; /* '1' -> '*' */
	ck_assert_int_eq(kylo_frame_open(&keys, body, len - 4, out, sizeof(out),
		&got), 0);
	ck_assert_uint_eq(got, 52);
	ck_assert_mem_ne(out, want, 16);
	ck_assert_uint_eq(out[0], (uint8_t)want[0] ^ 0x03);
	ck_assert_uint_eq(out[15], (uint8_t)want[15] ^ 0x1b);
	ck_assert_mem_eq(out + 1, want + 1, 14);
	ck_assert_mem_eq(out + 16, want + 16, 52 - 16);
}
END_TEST

START_TEST(test_open_bad_padding)
{
	uint8_t plain[32], body[128], out[64];
	size_t blen, got = 999;

	/* The forging helper makes frames the codec opens: "abc" + 13 x 0d. */
	memcpy(plain, "abc", 3);
	memset(plain + 3, 0x0d, 13);
	blen = forge_body(plain, 16, 0, body);
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), 0);
	ck_assert_uint_eq(got, 3);
	ck_assert_mem_eq(out, "abc", 3);

	memset(out, 0xaa, sizeof(out));
	got = 999;
	/* Every tag below is right: only the padding is wrong. */
	plain[15] = 0x00;
	blen = forge_body(plain, 16, 0, body);
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	plain[15] = 0x11;
	blen = forge_body(plain, 16, 0, body);
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	plain[15] = 0x0d;
	plain[3] = 0x0c;
	blen = forge_body(plain, 16, 0, body);
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	/* The tag is checked before the padding: both wrong is a tag error. */
	body[blen - 1] ^= 0x01;
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_ECRYPTO);
	/* Bad padding in the last of two blocks. */
	memset(plain, 'z', 16);
	memset(plain + 16, 0x05, 16);
	plain[30] = 0x04;
	blen = forge_body(plain, 32, 0, body);
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	ck_assert(all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(got, 999);
	plain[30] = 0x05;
	blen = forge_body(plain, 32, 0, body);
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), 0);
	ck_assert_uint_eq(got, 27);
}
END_TEST

START_TEST(test_open_empty_plaintext)
{
	uint8_t plain[32], body[128], out[64];
	size_t blen, got = 999;

	/* A whole block of padding and nothing else. */
	memset(plain, 0x10, 16);
	blen = forge_body(plain, 16, 0, body);
	ck_assert_uint_eq(blen, KYLO_FRAME_MIN);
	memset(out, 0xaa, sizeof(out));
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	ck_assert(all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(got, 999);
	/* The sealer refuses to make one. */
	ck_assert_int_eq(kylo_frame_seal(&keys, 4, plain, plain, 0, body,
		sizeof(body), &got), POLYCHAT_EINVAL);
}
END_TEST

START_TEST(test_open_bad_sizes)
{
	uint8_t ct[64], body[160], out[160];
	size_t blen, got = 999;

	memset(out, 0xaa, sizeof(out));
	for (size_t i = 0; i < sizeof(ct); i++)
		ct[i] = (uint8_t)i;
	/* CT of 17 and 47 bytes, correctly tagged. The 17 bytes end in a
	 * block that decrypts to good padding under the 16 bytes before it,
	 * so only the size check can refuse them. */
	{
		uint8_t chain[16], last[16];
		memset(chain, FORGE_IV, 15);
		chain[15] = ct[0];
		memset(last, 'a', 15);
		last[15] = 0x01;
		raw_cbc(keys.enc, chain, last, 16, ct + 1);
	}
	blen = forge_body(ct, 17, 1, body);
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	blen = forge_body(ct, 47, 1, body);
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	/* No CT at all, correctly tagged. */
	blen = forge_body(ct, 0, 1, body);
	ck_assert_uint_eq(blen, 48);
	ck_assert_int_eq(kylo_frame_open(&keys, body, blen, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	/* Truncated: shorter than IV + tag, empty, one byte off. */
	ck_assert_int_eq(kylo_frame_open(&keys, body, 47, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	ck_assert_int_eq(kylo_frame_open(&keys, NULL, 0, out, sizeof(out),
		&got), POLYCHAT_EPROTO);
	blen = chat_frame(body, sizeof(body));
	ck_assert_int_eq(kylo_frame_open(&keys, body + 4, blen - 5, out,
		sizeof(out), &got), POLYCHAT_EPROTO);
	ck_assert(all_bytes(out, sizeof(out), 0xaa));
	ck_assert_uint_eq(got, 999);

	/* An output one byte too small: nothing written. */
	ck_assert_int_eq(kylo_frame_open(&keys, body + 4, blen - 4, out, 51,
		&got), POLYCHAT_ENOSPACE);
	ck_assert(all_bytes(out, sizeof(out), 0xaa));
	ck_assert_int_eq(kylo_frame_open(&keys, body + 4, blen - 4, out, 52,
		&got), 0);
	ck_assert_uint_eq(got, 52);
}
END_TEST

/* --- server units --- */

START_TEST(test_status_units)
{
	static const struct {
		uint16_t code;
		const char *hex;
	} v[] = {
		{ KYLO_STATUS_COMMAND, "026400" },
		{ KYLO_STATUS_OK, "02c800" },
		{ KYLO_STATUS_BAD_REQUEST, "029001" },
		{ KYLO_STATUS_EXPIRED, "029101" },
		{ KYLO_STATUS_FORBIDDEN, "029301" },
	};
	uint8_t out[KYLO_STATUS_LEN + 1];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		out[KYLO_STATUS_LEN] = 0xee;
		kylo_unit_status(v[i].code, out);
		assert_hex(out, KYLO_STATUS_LEN, v[i].hex);
		ck_assert_uint_eq(out[KYLO_STATUS_LEN], 0xee);
	}
}
END_TEST

START_TEST(test_message_unit)
{
	const struct polychat_host *host = stub_host();
	uint8_t iv_s[16], iv_b[16], plain[64];
	uint8_t *unit = NULL;
	size_t len = 0, total, got;

	fill_iv(iv_s, 0x55);
	fill_iv(iv_b, 0x66);
	ck_assert_int_eq(kylo_unit_message(host, &keys, iv_s, iv_b,
		(const uint8_t *)"test", 4, (const uint8_t *)MESSAGE, 16, &unit,
		&len), 0);
	ck_assert_ptr_nonnull(unit);
	ck_assert_int_eq(stub_alloc_outstanding(), 1);
	ck_assert_uint_eq(len, 1 + 66 + 84);
	assert_hex(unit, len, UNIT_HEX);

	/* What a client does with it: type, SF, IF. */
	ck_assert_uint_eq(unit[0], KYLO_UNIT_MESSAGE);
	ck_assert_int_eq(kylo_frame_header(unit + 1, len - 1, 2, 4096, &total),
		0);
	ck_assert_uint_eq(total, 66);
	ck_assert_int_eq(kylo_frame_open(&keys, unit + 3, 64, plain,
		sizeof(plain), &got), 0);
	ck_assert_uint_eq(got, 4);
	ck_assert_mem_eq(plain, "test", 4);
	ck_assert_int_eq(kylo_frame_header(unit + 67, len - 67, 4, 560, &total),
		0);
	ck_assert_uint_eq(total, 84);
	ck_assert_int_eq(kylo_frame_open(&keys, unit + 71, 80, plain,
		sizeof(plain), &got), 0);
	ck_assert_uint_eq(got, 16);
	ck_assert_mem_eq(plain, MESSAGE, 16);
	host->free(unit);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(test_message_unit_refusals)
{
	const struct polychat_host *host = stub_host();
	uint8_t iv[16];
	uint8_t *unit = iv;
	uint8_t *name = malloc(KYLO_SHORT_PLAIN_MAX + 1);
	size_t len = 4242;

	ck_assert_ptr_nonnull(name);
	memset(name, 'n', KYLO_SHORT_PLAIN_MAX + 1);
	fill_iv(iv, 0x01);
	ck_assert_int_eq(kylo_unit_message(host, &keys, iv, iv,
		(const uint8_t *)"", 0, (const uint8_t *)"x", 1, &unit, &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_unit_message(host, &keys, iv, iv,
		(const uint8_t *)"SERVER", 6, (const uint8_t *)"", 0, &unit, &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(kylo_unit_message(host, &keys, iv, iv,
		name, KYLO_SHORT_PLAIN_MAX + 1, (const uint8_t *)"x", 1, &unit,
		&len), POLYCHAT_ETOOBIG);
	free(name);
	stub_alloc_fail_after(0);
	ck_assert_int_eq(kylo_unit_message(host, &keys, iv, iv,
		(const uint8_t *)"SERVER", 6, (const uint8_t *)"x", 1, &unit,
		&len), POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_ptr_eq(unit, iv);
	ck_assert_uint_eq(len, 4242);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(test_notices)
{
	const struct polychat_host *host = stub_host();
	uint8_t text[64], iv[16], plain[64];
	uint8_t *unit = NULL;
	size_t len = 0, ulen = 0, got = 0;

	ck_assert_int_eq(kylo_notice_login((const uint8_t *)"test", 4, text,
		sizeof(text), &len), 0);
	ck_assert_uint_eq(len, 29);
	assert_hex(text, len, LOGIN_NOTICE_HEX);
	ck_assert_int_eq(kylo_notice_exit((const uint8_t *)"test", 4, text,
		sizeof(text), &len), 0);
	ck_assert_uint_eq(len, 22);
	assert_hex(text, len, EXIT_NOTICE_HEX);

	/* Too small by one: nothing written. */
	memset(text, 0xaa, sizeof(text));
	len = 77;
	ck_assert_int_eq(kylo_notice_login((const uint8_t *)"test", 4, text, 28,
		&len), POLYCHAT_ENOSPACE);
	ck_assert_int_eq(kylo_notice_exit((const uint8_t *)"test", 4, text, 21,
		&len), POLYCHAT_ENOSPACE);
	ck_assert(all_bytes(text, sizeof(text), 0xaa));
	ck_assert_uint_eq(len, 77);

	/* As it travels: MESSAGE from SERVER. */
	ck_assert_int_eq(kylo_notice_login((const uint8_t *)"test", 4, text,
		sizeof(text), &len), 0);
	fill_iv(iv, 0x5e);
	ck_assert_int_eq(kylo_unit_message(host, &keys, iv, iv,
		(const uint8_t *)KYLO_SERVER_NAME, 6, text, len, &unit, &ulen), 0);
	ck_assert_uint_eq(ulen, 1 + 66 + 84);
	ck_assert_int_eq(kylo_frame_open(&keys, unit + 3, 64, plain,
		sizeof(plain), &got), 0);
	ck_assert_uint_eq(got, 6);
	ck_assert_mem_eq(plain, "SERVER", got);
	ck_assert_int_eq(kylo_frame_open(&keys, unit + 71, 80, plain,
		sizeof(plain), &got), 0);
	ck_assert_uint_eq(got, 29);
	assert_hex(plain, got, LOGIN_NOTICE_HEX);
	host->free(unit);
}
END_TEST

static Suite *kylochat_codec_suite(void)
{
	Suite *s = suite_create("kylochat-codec");
	TCase *tc;

	tc = tcase_create("handshake");
	tcase_add_checked_fixture(tc, setup, teardown);
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

	tc = tcase_create("frames");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_frame_vectors, 0, (int)N_FRAMES);
	tcase_add_test(tc, test_chat_plaintext);
	tcase_add_test(tc, test_frame_sizes);
	tcase_add_test(tc, test_frame_seal_refusals);
	tcase_add_test(tc, test_frame_header);
	tcase_add_test(tc, test_open_tampered);
	tcase_add_test(tc, test_open_tampered_iv);
	tcase_add_test(tc, test_open_bad_padding);
	tcase_add_test(tc, test_open_empty_plaintext);
	tcase_add_test(tc, test_open_bad_sizes);
	suite_add_tcase(s, tc);

	tc = tcase_create("units");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_status_units);
	tcase_add_test(tc, test_message_unit);
	tcase_add_test(tc, test_message_unit_refusals);
	tcase_add_test(tc, test_notices);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(kylochat_codec_suite());
}
