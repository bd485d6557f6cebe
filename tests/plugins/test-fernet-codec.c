/* SPDX-License-Identifier: MIT */
/* fernet-hybrid's codec against fernet-hybrid.md §6: Fernet tokens, RSA-OAEP, key files, the JSON package. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <polychat/status.h>

#include "plugins/common/pc-base64.h"
#include "plugins/common/pc-json.h"
#include "plugins/crypto-hybrid-fernet/fernet-keys.h"
#include "plugins/crypto-hybrid-fernet/fernet-oaep.h"
#include "plugins/crypto-hybrid-fernet/fernet-package.h"
#include "plugins/crypto-hybrid-fernet/fernet-token.h"
#include "tests/stubs/stub-host.h"
#include "../check-run.h"
#include "fernet-vectors.h"

#define H (stub_host())

static char dir[64]; /* a temporary state directory, "" when unused */

static void setup(void)
{
	stub_host_reset();
	dir[0] = '\0';
}

static void remove_dir(void)
{
	static const char *const names[] = { FERNET_PRIVATE_FILE, FERNET_PUBLIC_FILE };
	char path[128];
	if (!dir[0])
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	dir[0] = '\0';
}

static void teardown(void)
{
	remove_dir();
	/* Every case gives back all it took from the host. */
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fernet-codec-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	ck_assert_uint_le(n, cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		ck_assert(sscanf(hex + 2 * i, "%2x", &v) == 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void vector_key(uint8_t key[FERNET_KEY_LEN])
{
	ck_assert_uint_eq(unhex(V_KEY_RAW_HEX, key, FERNET_KEY_LEN), FERNET_KEY_LEN);
}

static void vector_iv(uint8_t iv[FERNET_IV_LEN])
{
	ck_assert_uint_eq(unhex(V_IV_HEX, iv, FERNET_IV_LEN), FERNET_IV_LEN);
}

static EVP_PKEY *pub_of(const char *pem)
{
	EVP_PKEY *k = NULL;
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)pem, strlen(pem), &k), 0);
	return k;
}

static EVP_PKEY *priv_of(const char *pem)
{
	EVP_PKEY *k = NULL;
	ck_assert_int_eq(fernet_privkey_from_pem((const uint8_t *)pem, strlen(pem), &k), 0);
	return k;
}

/* Open `token`; on failure check that nothing came out. */
static int open_token(const uint8_t key[FERNET_KEY_LEN], const char *token, size_t len,
	char *out, size_t cap)
{
	uint8_t *pt = (uint8_t *)"sentinel";
	size_t n = 12345;
	uint64_t t = 7;
	int rc = fernet_token_open(H, key, token, len, &pt, &n, &t);
	if (rc != 0) {
		ck_assert_str_eq((const char *)pt, "sentinel");
		ck_assert_uint_eq(n, 12345);
		ck_assert_uint_eq(t, 7);
		return rc;
	}
	ck_assert_uint_eq(t, V_TIMESTAMP);
	ck_assert_uint_lt(n, cap);
	ck_assert_uint_eq(pt[n], 0);
	memcpy(out, pt, n + 1);
	H->wipe_free(pt, n + 1);
	return 0;
}

/* A token around a raw body we choose: signed with the vector key. */
static char *token_of_raw(uint8_t *raw, size_t len)
{
	uint8_t key[FERNET_KEY_LEN];
	unsigned mac_len = 0;
	vector_key(key);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, 16, raw, len - 32, raw + len - 32, &mac_len));
	char *b64 = calloc(1, pc_b64_len(len) + 1);
	ck_assert_ptr_nonnull(b64);
	pc_b64_encode(raw, len, b64);
	for (char *p = b64; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return b64;
}

/* AES-128-CBC of whole blocks without padding, under the vector key. */
static size_t cbc_raw(const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t key[FERNET_KEY_LEN], iv[FERNET_IV_LEN];
	int a = 0, b = 0;
	vector_key(key);
	vector_iv(iv);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	ck_assert(EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key + 16, iv));
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	ck_assert(EVP_EncryptUpdate(ctx, out, &a, in, (int)n));
	ck_assert(EVP_EncryptFinal_ex(ctx, out + a, &b));
	EVP_CIPHER_CTX_free(ctx);
	return (size_t)(a + b);
}

/* version, the vector's time and IV, then `ct` and room for the HMAC. */
static size_t raw_with(uint8_t version, const uint8_t *ct, size_t ct_len, uint8_t *raw)
{
	uint8_t all[FERNET_OVERHEAD + 64];
	ck_assert_uint_le(ct_len, 64);
	ck_assert_uint_eq(unhex(V_TOKEN_RAW_HEX, all, sizeof(all)), 89);
	memcpy(raw, all, 25);
	raw[0] = version;
	memcpy(raw + 25, ct, ct_len);
	return 25 + ct_len + 32;
}

/* --- tokens (§5.3, §6.3) --- */

START_TEST(token_sizes)
{
	ck_assert_uint_eq(fernet_token_raw_len(16), 89);
	ck_assert_uint_eq(fernet_token_len(16), 120);
	ck_assert_uint_eq(fernet_token_raw_len(0), 73);
	ck_assert_uint_eq(fernet_token_raw_len(15), 73);
	ck_assert_uint_eq(fernet_token_raw_len(32), 105);
	ck_assert_uint_eq(fernet_token_len(0), 100);
}
END_TEST

START_TEST(token_matches_vector)
{
	uint8_t key[FERNET_KEY_LEN], iv[FERNET_IV_LEN], raw[128], expect[128];
	char token[121] = { 0 };
	vector_key(key);
	vector_iv(iv);
	ck_assert_int_eq(fernet_token_make(H, key, iv, V_TIMESTAMP, (const uint8_t *)V_PLAINTEXT,
		strlen(V_PLAINTEXT), token), 0);
	ck_assert_str_eq(token, V_TOKEN);
	/* And the raw bytes of §6.3, field by field. */
	size_t n = 0;
	ck_assert_int_eq(fernet_b64_lenient(token, 120, FERNET_B64_URLSAFE, raw, &n), 0);
	ck_assert_uint_eq(n, 89);
	ck_assert_uint_eq(unhex(V_TOKEN_RAW_HEX, expect, sizeof(expect)), 89);
	ck_assert_mem_eq(raw, expect, 89);
	ck_assert_uint_eq(raw[0], 0x80);
	ck_assert_mem_eq(raw + 1, "\x00\x00\x00\x00\x65\x53\xf1\x00", 8);
	ck_assert_mem_eq(raw + 9, iv, 16);
}
END_TEST

START_TEST(token_opens)
{
	uint8_t key[FERNET_KEY_LEN];
	char out[64];
	vector_key(key);
	ck_assert_int_eq(open_token(key, V_TOKEN, strlen(V_TOKEN), out, sizeof(out)), 0);
	ck_assert_str_eq(out, V_PLAINTEXT);
}
END_TEST

START_TEST(token_round_trips_any_length)
{
	uint8_t key[FERNET_KEY_LEN], iv[FERNET_IV_LEN], pt[80];
	char out[128], token[256];
	vector_key(key);
	vector_iv(iv);
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)('a' + i % 26);
	for (size_t n = 0; n <= sizeof(pt); n++) {
		size_t len = fernet_token_len(n);
		ck_assert_uint_lt(len, sizeof(token));
		ck_assert_int_eq(fernet_token_make(H, key, iv, V_TIMESTAMP, pt, n, token), 0);
		ck_assert_int_eq(open_token(key, token, len, out, sizeof(out)), 0);
		ck_assert_uint_eq(strlen(out), n);
		ck_assert_mem_eq(out, pt, n);
	}
}
END_TEST

/* Every character of the token changed (to one whose value differs in
 * its top bit, so the decoded bytes change too): nothing opens. */
START_TEST(token_any_character_changed_fails)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t key[FERNET_KEY_LEN];
	char token[121], out[64];
	vector_key(key);
	for (size_t i = 0; i < 120; i++) {
		memcpy(token, V_TOKEN, 121);
		const char *at = strchr(alphabet, token[i]);
		token[i] = at ? alphabet[(at - alphabet) ^ 32] : 'A';
		int rc = open_token(key, token, 120, out, sizeof(out));
		ck_assert_msg(rc == POLYCHAT_EAUTH || rc == POLYCHAT_EPROTO,
			"character %zu changed: %d", i, rc);
	}
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

/* Every bit of token_raw flipped: nothing opens. Only the version byte
 * is looked at before the MAC (as Fernet does); the IV and the
 * ciphertext are used only once the MAC matched. */
START_TEST(token_any_bit_flipped_fails)
{
	uint8_t key[FERNET_KEY_LEN], raw[89];
	char out[64], b64[121];
	vector_key(key);
	for (size_t bit = 0; bit < 89 * 8; bit++) {
		ck_assert_uint_eq(unhex(V_TOKEN_RAW_HEX, raw, sizeof(raw)), 89);
		raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		pc_b64_encode(raw, 89, b64);
		int rc = open_token(key, b64, 120, out, sizeof(out));
		ck_assert_msg(rc == (bit < 8 ? POLYCHAT_EPROTO : POLYCHAT_EAUTH),
			"bit %zu flipped: %d", bit, rc);
	}
}
END_TEST

START_TEST(token_wrong_key_fails)
{
	uint8_t key[FERNET_KEY_LEN];
	char out[64];
	vector_key(key);
	key[0] ^= 1;
	ck_assert_int_eq(open_token(key, V_TOKEN, 120, out, sizeof(out)), POLYCHAT_EAUTH);
	/* The encryption half alone differing: the MAC still matches, the
	 * plaintext comes out garbled or with bad padding, never the text. */
	vector_key(key);
	key[31] ^= 1;
	int rc = open_token(key, V_TOKEN, 120, out, sizeof(out));
	ck_assert(rc == POLYCHAT_EPROTO || (rc == 0 && strcmp(out, V_PLAINTEXT) != 0));
}
END_TEST

START_TEST(token_truncated_fails)
{
	uint8_t key[FERNET_KEY_LEN], raw[89];
	char out[64], b64[121];
	vector_key(key);
	for (size_t len = 0; len < 120; len++)
		ck_assert_int_ne(open_token(key, V_TOKEN, len, out, sizeof(out)), 0);
	ck_assert_uint_eq(unhex(V_TOKEN_RAW_HEX, raw, sizeof(raw)), 89);
	for (size_t len = 0; len < 89; len++) {
		pc_b64_encode(raw, len, b64);
		ck_assert_int_ne(open_token(key, b64, pc_b64_len(len), out, sizeof(out)), 0);
	}
	/* One byte more (the MAC then covers the wrong bytes). */
	char longer[130];
	snprintf(longer, sizeof(longer), "%.*sAAAA", 119, V_TOKEN);
	ck_assert_int_ne(open_token(key, longer, strlen(longer), out, sizeof(out)), 0);
}
END_TEST

/* Well signed, but not a valid Fernet body. */
START_TEST(token_structure_checked)
{
	uint8_t raw[160], ct[64], block[32];
	uint8_t key[FERNET_KEY_LEN];
	char out[64];
	vector_key(key);
	/* Version 0x81. */
	memset(block, 16, 16);
	size_t n = raw_with(0x81, ct, cbc_raw(block, 16, ct), raw);
	char *t = token_of_raw(raw, n);
	ck_assert_int_eq(open_token(key, t, strlen(t), out, sizeof(out)), POLYCHAT_EPROTO);
	free(t);
	/* Bad PKCS#7 padding. */
	memset(block, 'x', 16);
	block[15] = 0;
	n = raw_with(0x80, ct, cbc_raw(block, 16, ct), raw);
	t = token_of_raw(raw, n);
	ck_assert_int_eq(open_token(key, t, strlen(t), out, sizeof(out)), POLYCHAT_EPROTO);
	free(t);
	/* Plaintext that is not UTF-8. */
	memcpy(block, "ab\xff\xfe", 4);
	memset(block + 4, 12, 12);
	n = raw_with(0x80, ct, cbc_raw(block, 16, ct), raw);
	t = token_of_raw(raw, n);
	ck_assert_int_eq(open_token(key, t, strlen(t), out, sizeof(out)), POLYCHAT_EPROTO);
	free(t);
	/* Ciphertext not a whole number of blocks. */
	memset(block, 16, 16);
	cbc_raw(block, 16, ct);
	n = raw_with(0x80, ct, 15, raw);
	t = token_of_raw(raw, n);
	ck_assert_int_eq(open_token(key, t, strlen(t), out, sizeof(out)), POLYCHAT_EPROTO);
	free(t);
	/* No ciphertext at all. */
	n = raw_with(0x80, ct, 0, raw);
	t = token_of_raw(raw, n);
	ck_assert_int_eq(open_token(key, t, strlen(t), out, sizeof(out)), POLYCHAT_EPROTO);
	free(t);
	/* The control: the same construction with good padding opens. */
	memcpy(block, "hello", 5);
	memset(block + 5, 11, 11);
	n = raw_with(0x80, ct, cbc_raw(block, 16, ct), raw);
	t = token_of_raw(raw, n);
	ck_assert_int_eq(open_token(key, t, strlen(t), out, sizeof(out)), 0);
	ck_assert_str_eq(out, "hello");
	free(t);
}
END_TEST

/* Decoding as Python's urlsafe_b64decode: stray characters skipped, both
 * alphabets, anything after the padding ignored. */
START_TEST(token_decoding_is_lenient)
{
	uint8_t key[FERNET_KEY_LEN];
	char t[300], out[64];
	size_t j = 0;
	vector_key(key);
	for (size_t i = 0; i < 120; i++) {
		t[j++] = V_TOKEN[i];
		if (i % 10 == 9) {
			t[j++] = '\n';
			t[j++] = '!';
			t[j++] = (char)0xc3;
		}
	}
	ck_assert_int_eq(open_token(key, t, j, out, sizeof(out)), 0);
	ck_assert_str_eq(out, V_PLAINTEXT);
	memcpy(t, V_TOKEN, 121);
	for (char *p = t; *p; p++)
		*p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
	ck_assert_int_eq(open_token(key, t, 120, out, sizeof(out)), 0);
	snprintf(t, sizeof(t), "%sgarbage==more", V_TOKEN);
	ck_assert_int_eq(open_token(key, t, strlen(t), out, sizeof(out)), 0);
	ck_assert_str_eq(out, V_PLAINTEXT);
}
END_TEST

/* binascii.a2b_base64 without validation, case by case (each result
 * checked against CPython 3.11). */
START_TEST(b64_lenient_as_python)
{
	static const struct {
		const char *in;
		int alphabet;
		const char *out; /* NULL: error */
	} cases[] = {
		{ "YWJj", FERNET_B64_STANDARD, "abc" },
		{ "YW=Jj", FERNET_B64_STANDARD, "abc" },
		{ "YWI=", FERNET_B64_STANDARD, "ab" },
		{ "YWI=xx", FERNET_B64_STANDARD, "ab" },
		{ "Y", FERNET_B64_STANDARD, NULL },
		{ "YW", FERNET_B64_STANDARD, NULL },
		{ "YWJ", FERNET_B64_STANDARD, NULL },
		{ "YW==", FERNET_B64_STANDARD, "a" },
		{ "YW=", FERNET_B64_STANDARD, NULL },
		{ "Y===", FERNET_B64_STANDARD, NULL },
		{ "YWJjZA==YWJj", FERNET_B64_STANDARD, "abcd" },
		{ "YWJ=jZA==", FERNET_B64_STANDARD, "ab" },
		{ "==YWJj", FERNET_B64_STANDARD, "abc" },
		{ "Y=WJj", FERNET_B64_STANDARD, "abc" },
		{ "YWJ==", FERNET_B64_STANDARD, "ab" },
		{ "YWJ=Zg", FERNET_B64_STANDARD, "ab" },
		{ "", FERNET_B64_STANDARD, "" },
		{ "Y W\nJ\tj*", FERNET_B64_STANDARD, "abc" },
		{ "-_-_", FERNET_B64_STANDARD, "" },
		{ "+/+/", FERNET_B64_URLSAFE, "\xfb\xff\xbf" },
		{ "-_-_", FERNET_B64_URLSAFE, "\xfb\xff\xbf" },
		{ "YR==", FERNET_B64_STANDARD, "a" }, /* leftover bits not checked */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[32];
		size_t n = 99;
		int rc = fernet_b64_lenient(cases[i].in, strlen(cases[i].in), cases[i].alphabet,
			out, &n);
		if (!cases[i].out) {
			ck_assert_msg(rc == POLYCHAT_EPROTO, "case %zu decoded", i);
			ck_assert_uint_eq(n, 99);
			continue;
		}
		ck_assert_msg(rc == 0, "case %zu refused", i);
		ck_assert_uint_eq(n, strlen(cases[i].out));
		ck_assert_mem_eq(out, cases[i].out, n);
	}
}
END_TEST

START_TEST(key_text_strict)
{
	uint8_t key[FERNET_KEY_LEN], back[FERNET_KEY_LEN];
	char text[FERNET_KEY_TEXT_LEN + 1] = { 0 }, bad[64];
	vector_key(key);
	fernet_key_text(key, text);
	ck_assert_str_eq(text, V_KEY_TEXT);
	ck_assert_int_eq(fernet_key_from_text(text, FERNET_KEY_TEXT_LEN, back), 0);
	ck_assert_mem_eq(back, key, FERNET_KEY_LEN);
	/* URL-safe characters decode as such. */
	memset(key, 0xff, sizeof(key));
	fernet_key_text(key, text);
	ck_assert_ptr_nonnull(strchr(text, '_'));
	ck_assert_int_eq(fernet_key_from_text(text, FERNET_KEY_TEXT_LEN, back), 0);
	ck_assert_mem_eq(back, key, FERNET_KEY_LEN);
	/* Refused, the key left alone. */
	memset(back, 0x5a, sizeof(back));
	ck_assert_int_eq(fernet_key_from_text(V_KEY_TEXT, 43, back), POLYCHAT_EPROTO);
	snprintf(bad, sizeof(bad), "%sA", V_KEY_TEXT);
	ck_assert_int_eq(fernet_key_from_text(bad, 45, back), POLYCHAT_EPROTO);
	snprintf(bad, sizeof(bad), "%s", text);
	*strchr(bad, '_') = '/';
	ck_assert_int_eq(fernet_key_from_text(bad, 44, back), POLYCHAT_EPROTO);
	snprintf(bad, sizeof(bad), "%s", V_KEY_TEXT);
	bad[43] = 'A';
	ck_assert_int_eq(fernet_key_from_text(bad, 44, back), POLYCHAT_EPROTO);
	bad[43] = '=';
	bad[42] = '9'; /* "8=" is the vector's ending: 9 sets an unused bit */
	ck_assert_int_eq(fernet_key_from_text(bad, 44, back), POLYCHAT_EPROTO);
	bad[42] = '8';
	bad[3] = '.';
	ck_assert_int_eq(fernet_key_from_text(bad, 44, back), POLYCHAT_EPROTO);
	for (size_t i = 0; i < sizeof(back); i++)
		ck_assert_uint_eq(back[i], 0x5a);
}
END_TEST

/* --- RSA-OAEP (§6.4) --- */

static void check_oaep_vector(const char *pub_pem, const char *priv_pem, uint8_t seed_byte,
	const char *expect_hex)
{
	EVP_PKEY *pub = pub_of(pub_pem), *priv = priv_of(priv_pem);
	uint8_t seed[FERNET_SEED_LEN], out[FERNET_RSA_MAX_BYTES], expect[256], text[64];
	size_t n = 0, m = 0;
	memset(seed, seed_byte, sizeof(seed));
	ck_assert_uint_eq(fernet_oaep_len(pub), 256);
	ck_assert_int_eq(fernet_oaep_wrap_seeded(pub, seed, (const uint8_t *)V_KEY_TEXT, 44, out,
		&n), 0);
	ck_assert_uint_eq(n, 256);
	ck_assert_uint_eq(unhex(expect_hex, expect, sizeof(expect)), 256);
	ck_assert_mem_eq(out, expect, 256);
	ck_assert_int_eq(fernet_oaep_unwrap(priv, expect, 256, text, sizeof(text), &m), 0);
	ck_assert_uint_eq(m, 44);
	ck_assert_mem_eq(text, V_KEY_TEXT, 44);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
}

START_TEST(oaep_matches_vectors)
{
	check_oaep_vector(V_ALICE_PUBLIC_PEM, V_ALICE_PRIVATE_PEM, V_SEED_ALICE_BYTE,
		V_OAEP_ALICE_HEX);
	check_oaep_vector(V_BOB_PUBLIC_PEM, V_BOB_PRIVATE_PEM, V_SEED_BOB_BYTE, V_OAEP_BOB_HEX);
}
END_TEST

START_TEST(oaep_random_round_trip_and_failures)
{
	EVP_PKEY *pub = pub_of(V_BOB_PUBLIC_PEM), *priv = priv_of(V_BOB_PRIVATE_PEM),
		*alice = priv_of(V_ALICE_PRIVATE_PEM);
	uint8_t a[256], b[256], text[256];
	size_t na = 0, nb = 0, m = 0;
	ck_assert_int_eq(fernet_oaep_wrap(pub, (const uint8_t *)V_KEY_TEXT, 44, a, &na), 0);
	ck_assert_int_eq(fernet_oaep_wrap(pub, (const uint8_t *)V_KEY_TEXT, 44, b, &nb), 0);
	ck_assert_uint_eq(na, 256);
	ck_assert_mem_ne(a, b, 256); /* a fresh seed each time */
	ck_assert_int_eq(fernet_oaep_unwrap(priv, b, nb, text, sizeof(text), &m), 0);
	ck_assert_uint_eq(m, 44);
	ck_assert_mem_eq(text, V_KEY_TEXT, 44);
	/* The private key object encrypts too (its public half). */
	ck_assert_int_eq(fernet_oaep_wrap(priv, (const uint8_t *)"x", 1, b, &nb), 0);
	ck_assert_int_eq(fernet_oaep_unwrap(priv, b, nb, text, sizeof(text), &m), 0);
	ck_assert_uint_eq(m, 1);
	/* Wrong key, wrong length, tampered, too small a buffer. */
	ck_assert_int_eq(fernet_oaep_unwrap(alice, a, na, text, sizeof(text), &m), POLYCHAT_EPROTO);
	ck_assert_int_eq(fernet_oaep_unwrap(priv, a, na - 1, text, sizeof(text), &m),
		POLYCHAT_EPROTO);
	a[100] ^= 4;
	ck_assert_int_eq(fernet_oaep_unwrap(priv, a, na, text, sizeof(text), &m), POLYCHAT_EPROTO);
	a[100] ^= 4;
	ck_assert_int_eq(fernet_oaep_unwrap(priv, a, na, text, 43, &m), POLYCHAT_ETOOBIG);
	/* The most a 2048-bit key takes is 256 - 66 bytes. */
	uint8_t big[191] = { 0 }, seed[FERNET_SEED_LEN] = { 0 };
	ck_assert_int_eq(fernet_oaep_wrap(pub, big, 190, a, &na), 0);
	ck_assert_int_eq(fernet_oaep_wrap(pub, big, 191, a, &na), POLYCHAT_EINVAL);
	ck_assert_int_eq(fernet_oaep_wrap_seeded(pub, seed, big, 191, a, &na), POLYCHAT_EINVAL);
	ck_assert_int_eq(fernet_oaep_wrap_seeded(pub, seed, big, 190, a, &na), 0);
	ck_assert_int_eq(fernet_oaep_unwrap(priv, a, na, text, sizeof(text), &m), 0);
	ck_assert_uint_eq(m, 190);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(alice);
}
END_TEST

/* --- keys and key files (§4.1, §4.5) --- */

START_TEST(pubkey_pem_round_trip)
{
	EVP_PKEY *k = pub_of(V_ALICE_PUBLIC_PEM);
	char *pem = NULL;
	size_t len = 0;
	ck_assert_int_eq(fernet_pubkey_pem(H, k, &pem, &len), 0);
	ck_assert_uint_eq(len, 451);
	ck_assert_str_eq(pem, V_ALICE_PUBLIC_PEM);
	H->free(pem);
	/* From the private key: the same public text. */
	EVP_PKEY *p = priv_of(V_ALICE_PRIVATE_PEM);
	ck_assert_int_eq(fernet_pubkey_pem(H, p, &pem, &len), 0);
	ck_assert_str_eq(pem, V_ALICE_PUBLIC_PEM);
	ck_assert_int_eq(EVP_PKEY_eq(k, p), 1);
	H->free(pem);
	EVP_PKEY_free(k);
	EVP_PKEY_free(p);
}
END_TEST

/* What the original's loader takes (§4.3, §4.4). */
START_TEST(pubkey_pem_tolerance)
{
	EVP_PKEY *ref = pub_of(V_ALICE_PUBLIC_PEM), *k = NULL;
	char buf[2048];
	size_t j = 0;
	/* CRLF line ends. */
	for (const char *p = V_ALICE_PUBLIC_PEM; *p; p++) {
		if (*p == '\n')
			buf[j++] = '\r';
		buf[j++] = *p;
	}
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)buf, j, &k), 0);
	ck_assert_int_eq(EVP_PKEY_eq(ref, k), 1);
	EVP_PKEY_free(k);
	/* No final LF. */
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)V_ALICE_PUBLIC_PEM,
		strlen(V_ALICE_PUBLIC_PEM) - 1, &k), 0);
	EVP_PKEY_free(k);
	/* Trailing bytes: only the first block counts. */
	snprintf(buf, sizeof(buf), "%s%s", V_ALICE_PUBLIC_PEM, V_BOB_PUBLIC_PEM);
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)buf, strlen(buf), &k), 0);
	ck_assert_int_eq(EVP_PKEY_eq(ref, k), 1);
	EVP_PKEY_free(k);
	/* PKCS#1 "RSA PUBLIC KEY". */
	BIO *bio = BIO_new(BIO_s_mem());
	OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(ref, EVP_PKEY_PUBLIC_KEY, "PEM",
		"type-specific", NULL);
	ck_assert(OSSL_ENCODER_to_bio(ectx, bio));
	OSSL_ENCODER_CTX_free(ectx);
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	ck_assert_int_gt(n, 0);
	ck_assert(strstr(data, "-----BEGIN RSA PUBLIC KEY-----") == data);
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)data, (size_t)n, &k), 0);
	ck_assert_int_eq(EVP_PKEY_eq(ref, k), 1);
	EVP_PKEY_free(k);
	BIO_free(bio);
	EVP_PKEY_free(ref);
}
END_TEST

static char *pem_of_pub(EVP_PKEY *key)
{
	char *pem = NULL;
	size_t len = 0;
	ck_assert_int_eq(fernet_pubkey_pem(H, key, &pem, &len), 0);
	return pem;
}

START_TEST(pubkey_pem_refusals)
{
	EVP_PKEY *k = (EVP_PKEY *)1;
	const char *garbage = "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n";
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)garbage, strlen(garbage), &k),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)"", 0, &k), POLYCHAT_EPROTO);
	/* A private key is not a public key announcement. */
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)V_ALICE_PRIVATE_PEM,
		strlen(V_ALICE_PRIVATE_PEM), &k), POLYCHAT_EPROTO);
	/* Keys, but not ones this suite uses. */
	EVP_PKEY *small = EVP_RSA_gen(1024), *ec = EVP_EC_gen("P-256");
	ck_assert(small && ec);
	char *pem = pem_of_pub(small);
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)pem, strlen(pem), &k),
		POLYCHAT_ENOTSUP);
	H->free(pem);
	pem = pem_of_pub(ec);
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)pem, strlen(pem), &k),
		POLYCHAT_ENOTSUP);
	H->free(pem);
	ck_assert_ptr_eq(k, (EVP_PKEY *)1);
	ck_assert_uint_eq(fernet_oaep_len(small), 128);
	ck_assert_uint_eq(fernet_oaep_len(ec), 0);
	EVP_PKEY_free(small);
	EVP_PKEY_free(ec);
}
END_TEST

START_TEST(privkey_encrypted_refused_without_prompt)
{
	EVP_PKEY *p = priv_of(V_ALICE_PRIVATE_PEM), *k = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	ck_assert(PEM_write_bio_PrivateKey(bio, p, EVP_aes_128_cbc(), (unsigned char *)"pw", 2,
		NULL, NULL));
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	ck_assert_int_eq(fernet_privkey_from_pem((const uint8_t *)data, (size_t)n, &k),
		POLYCHAT_EPROTO);
	BIO_free(bio);
	/* PKCS#8, unencrypted, is fine. */
	bio = BIO_new(BIO_s_mem());
	ck_assert(PEM_write_bio_PrivateKey(bio, p, NULL, NULL, 0, NULL, NULL));
	n = BIO_get_mem_data(bio, &data);
	ck_assert(strstr(data, "-----BEGIN PRIVATE KEY-----") == data);
	ck_assert_int_eq(fernet_privkey_from_pem((const uint8_t *)data, (size_t)n, &k), 0);
	ck_assert_int_eq(EVP_PKEY_eq(k, p), 1);
	EVP_PKEY_free(k);
	BIO_free(bio);
	EVP_PKEY_free(p);
}
END_TEST

static void write_text(const char *file, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), fp), strlen(text));
	ck_assert_int_eq(fclose(fp), 0);
}

/* The file's contents (malloc'd) and its mode. */
static char *read_text(const char *file, mode_t *mode)
{
	char path[128];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ck_assert_int_eq(stat(path, &st), 0);
	if (mode)
		*mode = st.st_mode & 07777;
	char *text = calloc(1, (size_t)st.st_size + 1);
	FILE *fp = fopen(path, "r");
	ck_assert(text && fp);
	ck_assert_uint_eq(fread(text, 1, (size_t)st.st_size, fp), (size_t)st.st_size);
	fclose(fp);
	return text;
}

START_TEST(key_files_created_then_loaded)
{
	EVP_PKEY *k = NULL, *again = NULL;
	char why[256];
	int created = -1;
	mode_t mode = 0;
	make_dir();
	ck_assert_int_eq(fernet_keys_load_or_create(H, dir, &k, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 1);
	ck_assert_int_eq(EVP_PKEY_get_bits(k), 2048);
	char *priv = read_text(FERNET_PRIVATE_FILE, &mode);
	ck_assert_uint_eq(mode, 0600);
	ck_assert(strstr(priv, "-----BEGIN RSA PRIVATE KEY-----\n") == priv);
	ck_assert(!strstr(priv, "ENCRYPTED"));
	free(priv);
	char *pub = read_text(FERNET_PUBLIC_FILE, &mode);
	ck_assert_uint_eq(mode, 0644);
	char *expect = pem_of_pub(k);
	ck_assert_str_eq(pub, expect);
	H->free(expect);
	free(pub);
	/* No temporary file is left. */
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, FERNET_PRIVATE_FILE);
	ck_assert_int_ne(access(tmp, F_OK), 0);
	/* The second start loads the same pair. */
	ck_assert_int_eq(fernet_keys_load_or_create(H, dir, &again, &created, why, sizeof(why)),
		0);
	ck_assert_int_eq(created, 0);
	ck_assert_int_eq(EVP_PKEY_eq(k, again), 1);
	EVP_PKEY_free(k);
	EVP_PKEY_free(again);
}
END_TEST

START_TEST(key_files_given_are_used)
{
	EVP_PKEY *k = NULL, *alice = priv_of(V_ALICE_PRIVATE_PEM);
	char why[256];
	int created = -1;
	make_dir();
	write_text(FERNET_PRIVATE_FILE, V_ALICE_PRIVATE_PEM);
	write_text(FERNET_PUBLIC_FILE, V_ALICE_PUBLIC_PEM);
	ck_assert_int_eq(fernet_keys_load_or_create(H, dir, &k, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 0);
	ck_assert_int_eq(EVP_PKEY_eq(k, alice), 1);
	EVP_PKEY_free(k);
	/* The private key alone: its public half is written, nothing lost. */
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, FERNET_PUBLIC_FILE);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(fernet_keys_load_or_create(H, dir, &k, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 0);
	ck_assert_int_eq(EVP_PKEY_eq(k, alice), 1);
	char *pub = read_text(FERNET_PUBLIC_FILE, NULL);
	ck_assert_str_eq(pub, V_ALICE_PUBLIC_PEM);
	free(pub);
	char *priv = read_text(FERNET_PRIVATE_FILE, NULL);
	ck_assert_str_eq(priv, V_ALICE_PRIVATE_PEM);
	free(priv);
	EVP_PKEY_free(k);
	/* The public key alone is of no use: a new pair replaces it. */
	snprintf(path, sizeof(path), "%s/%s", dir, FERNET_PRIVATE_FILE);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(fernet_keys_load_or_create(H, dir, &k, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 1);
	ck_assert_int_ne(EVP_PKEY_eq(k, alice), 1);
	pub = read_text(FERNET_PUBLIC_FILE, NULL);
	ck_assert_str_ne(pub, V_ALICE_PUBLIC_PEM);
	free(pub);
	EVP_PKEY_free(k);
	EVP_PKEY_free(alice);
}
END_TEST

START_TEST(key_files_refused)
{
	EVP_PKEY *k = (EVP_PKEY *)1;
	char why[256];
	make_dir();
	/* A pair that is not one. */
	write_text(FERNET_PRIVATE_FILE, V_ALICE_PRIVATE_PEM);
	write_text(FERNET_PUBLIC_FILE, V_BOB_PUBLIC_PEM);
	ck_assert_int_eq(fernet_keys_load_or_create(H, dir, &k, NULL, why, sizeof(why)),
		POLYCHAT_EPROTO);
	ck_assert_ptr_nonnull(strstr(why, FERNET_PUBLIC_FILE));
	ck_assert_ptr_nonnull(strstr(why, "not the public half"));
	/* Not a key. */
	write_text(FERNET_PRIVATE_FILE, "hello\n");
	ck_assert_int_eq(fernet_keys_load_or_create(H, dir, &k, NULL, why, sizeof(why)),
		POLYCHAT_EPROTO);
	ck_assert_ptr_nonnull(strstr(why, FERNET_PRIVATE_FILE));
	write_text(FERNET_PRIVATE_FILE, V_ALICE_PRIVATE_PEM);
	write_text(FERNET_PUBLIC_FILE, "-----BEGIN PUBLIC KEY-----\n");
	ck_assert_int_eq(fernet_keys_load_or_create(H, dir, &k, NULL, why, sizeof(why)),
		POLYCHAT_EPROTO);
	ck_assert_ptr_nonnull(strstr(why, FERNET_PUBLIC_FILE));
	/* A directory that does not exist. */
	ck_assert_int_eq(fernet_keys_load_or_create(H, "/nonexistent/fernet", &k, NULL, why,
		sizeof(why)), POLYCHAT_EIO);
	ck_assert_ptr_nonnull(strstr(why, "/nonexistent/fernet"));
	ck_assert_ptr_eq(k, (EVP_PKEY *)1);
}
END_TEST

/* --- the package (§5.4, §5.5, §6.5) --- */

static char *vector_package(size_t *len)
{
	uint8_t key[FERNET_KEY_LEN], iv[FERNET_IV_LEN], sa[FERNET_SEED_LEN], sb[FERNET_SEED_LEN];
	EVP_PKEY *alice = pub_of(V_ALICE_PUBLIC_PEM), *bob = pub_of(V_BOB_PUBLIC_PEM);
	memset(sa, V_SEED_ALICE_BYTE, sizeof(sa));
	memset(sb, V_SEED_BOB_BYTE, sizeof(sb));
	vector_key(key);
	vector_iv(iv);
	const struct fernet_recipient to[] = {
		{ "alice", 5, alice, sa },
		{ "bob", 3, bob, sb },
	};
	char *out = NULL;
	ck_assert_int_eq(fernet_package_make(H, key, iv, V_TIMESTAMP,
		(const uint8_t *)V_PLAINTEXT, strlen(V_PLAINTEXT), to, 2, &out, len), 0);
	EVP_PKEY_free(alice);
	EVP_PKEY_free(bob);
	return out;
}

START_TEST(package_matches_vector)
{
	size_t len = 0;
	char *out = vector_package(&len);
	ck_assert_uint_eq(len, V_PACKAGE_LEN);
	ck_assert_uint_eq(strlen(out), V_PACKAGE_LEN);
	ck_assert_str_eq(out, V_PACKAGE);
	/* §5.5: 45 + len(token) + sum(352 + len(nick)). */
	ck_assert_uint_eq(len, 45 + 120 + (352 + 5) + (352 + 3));
	H->free(out);
}
END_TEST

/* Open `json` as `nick` with `priv_pem`; on failure nothing comes out. */
static int open_as(const char *priv_pem, const char *nick, const char *json, size_t len,
	char *out, size_t cap)
{
	EVP_PKEY *priv = priv_of(priv_pem);
	uint8_t *pt = (uint8_t *)"sentinel";
	size_t n = 4242;
	int rc = fernet_package_open(H, priv, nick, strlen(nick), (const uint8_t *)json, len,
		&pt, &n);
	EVP_PKEY_free(priv);
	if (rc != 0) {
		ck_assert_str_eq((const char *)pt, "sentinel");
		ck_assert_uint_eq(n, 4242);
		return rc;
	}
	ck_assert_uint_lt(n, cap);
	memcpy(out, pt, n + 1);
	H->wipe_free(pt, n + 1);
	return 0;
}

START_TEST(package_opens_for_each_recipient)
{
	char out[64];
	ck_assert_int_eq(open_as(V_BOB_PRIVATE_PEM, "bob", V_PACKAGE, V_PACKAGE_LEN, out,
		sizeof(out)), 0);
	ck_assert_str_eq(out, V_PLAINTEXT);
	ck_assert_int_eq(open_as(V_ALICE_PRIVATE_PEM, "alice", V_PACKAGE, V_PACKAGE_LEN, out,
		sizeof(out)), 0);
	ck_assert_str_eq(out, V_PLAINTEXT);
	/* Not ours: no entry, or an entry for someone else's key. */
	ck_assert_int_eq(open_as(V_BOB_PRIVATE_PEM, "carol", V_PACKAGE, V_PACKAGE_LEN, out,
		sizeof(out)), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(open_as(V_BOB_PRIVATE_PEM, "Bob", V_PACKAGE, V_PACKAGE_LEN, out,
		sizeof(out)), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(open_as(V_BOB_PRIVATE_PEM, "alice", V_PACKAGE, V_PACKAGE_LEN, out,
		sizeof(out)), POLYCHAT_EPROTO);
}
END_TEST

/* V_PACKAGE with `from` replaced by `to` (malloc'd). */
static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	ck_assert_ptr_nonnull(at);
	size_t head = (size_t)(at - text);
	char *out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, text, head);
	strcpy(out + head, to);
	strcat(out, at + strlen(from));
	return out;
}

static int open_bob(const char *json)
{
	char out[64];
	return open_as(V_BOB_PRIVATE_PEM, "bob", json, strlen(json), out, sizeof(out));
}

START_TEST(package_tampered_or_malformed)
{
	/* Any character of the token changed. */
	const char *tok = strstr(V_PACKAGE, "gAAAAA");
	for (size_t i = 0; i < 120; i++) {
		char *p = strdup(V_PACKAGE);
		char *c = p + (tok - V_PACKAGE) + i;
		*c = *c == 'A' ? 'B' : 'A';
		int rc = open_bob(p);
		ck_assert_msg(rc == POLYCHAT_EAUTH || rc == POLYCHAT_EPROTO, "char %zu: %d", i, rc);
		free(p);
	}
	/* Bob's wrapped key changed. */
	char *p = replaced(V_PACKAGE, "\"bob\": \"YjXt", "\"bob\": \"YjXu");
	ck_assert_int_eq(open_bob(p), POLYCHAT_EPROTO);
	free(p);
	/* Truncated, or not JSON. */
	char cut[V_PACKAGE_LEN];
	for (size_t len = 0; len < V_PACKAGE_LEN; len += 7) {
		char out[64];
		memcpy(cut, V_PACKAGE, len);
		ck_assert_int_ne(open_as(V_BOB_PRIVATE_PEM, "bob", cut, len, out, sizeof(out)), 0);
	}
	ck_assert_int_eq(open_bob("{\"encrypted_message\": 1}"), POLYCHAT_EPROTO);
	ck_assert_int_eq(open_bob("[1, 2]"), POLYCHAT_EPROTO);
	ck_assert_int_eq(open_bob("bob joined the chat!"), POLYCHAT_EPROTO);
	/* Members of the wrong type. */
	p = replaced(V_PACKAGE, "\"encrypted_message\": \"", "\"encrypted_message\": 5, \"x\": \"");
	ck_assert_int_eq(open_bob(p), POLYCHAT_EPROTO);
	free(p);
	ck_assert_int_eq(open_bob("{\"encrypted_message\": \"x\", \"encrypted_keys\": [\"bob\"]}"),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(open_bob("{\"encrypted_message\": \"x\", \"encrypted_keys\": {\"bob\": 1}}"),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(open_bob("{\"encrypted_message\": \"x\", \"encrypted_keys\": {}}"),
		POLYCHAT_ENOTFOUND);
	/* Without its token. */
	p = replaced(V_PACKAGE, "encrypted_message", "encrypted_massage");
	ck_assert_int_eq(open_bob(p), POLYCHAT_EPROTO);
	free(p);
	/* Python decodes a str: a non-ASCII character in the entry fails. */
	p = replaced(V_PACKAGE, "\"bob\": \"YjXt", "\"bob\": \"\\u00e9YjXt");
	ck_assert_int_eq(open_bob(p), POLYCHAT_EPROTO);
	free(p);
}
END_TEST

START_TEST(package_parsed_as_python_does)
{
	/* Other members ignored, whitespace anywhere, escapes in names. */
	char *p = replaced(V_PACKAGE, "{\"encrypted_message\"",
		"{ \"room\" : \"x\" ,\n\"encrypted_\\u006dessage\"");
	ck_assert_int_eq(open_bob(p), 0);
	free(p);
	/* Stray characters in the Base64 of our entry are skipped. */
	p = replaced(V_PACKAGE, "\"bob\": \"YjXt", "\"bob\": \"Y\\njX!t");
	ck_assert_int_eq(open_bob(p), 0);
	free(p);
	/* A repeated member: the last one counts. */
	p = replaced(V_PACKAGE, "\"bob\": \"", "\"bob\": \"AAAA\", \"bob\": \"");
	ck_assert_int_eq(open_bob(p), 0);
	free(p);
	p = replaced(V_PACKAGE, "}}", "}, \"encrypted_keys\": {\"carol\": \"AAAA\"}}");
	ck_assert_int_eq(open_bob(p), POLYCHAT_ENOTFOUND);
	free(p);
	p = replaced(V_PACKAGE, "{\"encrypted_message\"",
		"{\"encrypted_keys\": {\"bob\": 1}, \"encrypted_message\"");
	ck_assert_int_eq(open_bob(p), 0);
	free(p);
}
END_TEST

/* A K_text that is not 44 URL-safe characters: the package is refused
 * although the RSA layer decrypts. */
START_TEST(package_bad_key_text)
{
	static const char *const texts[] = {
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",   /* 43: no padding */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==", /* 45 */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+=",  /* '+' not URL-safe */
		"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
		"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f", /* K_raw */
	};
	EVP_PKEY *bob = pub_of(V_BOB_PUBLIC_PEM);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		uint8_t wrapped[256];
		char b64[345] = { 0 }, json[1200];
		size_t n = 0, len = i == 3 ? 32 : strlen(texts[i]);
		ck_assert_int_eq(fernet_oaep_wrap(bob, (const uint8_t *)texts[i], len, wrapped, &n), 0);
		pc_b64_encode(wrapped, n, b64);
		snprintf(json, sizeof(json), "{\"encrypted_message\": \"%s\", \"encrypted_keys\":"
			" {\"bob\": \"%s\"}}", V_TOKEN, b64);
		ck_assert_int_eq(open_bob(json), POLYCHAT_EPROTO);
	}
	/* The control: the right K_text in the same construction opens. */
	uint8_t wrapped[256];
	char b64[345] = { 0 }, json[1200];
	size_t n = 0;
	ck_assert_int_eq(fernet_oaep_wrap(bob, (const uint8_t *)V_KEY_TEXT, 44, wrapped, &n), 0);
	pc_b64_encode(wrapped, n, b64);
	snprintf(json, sizeof(json), "{\"encrypted_message\": \"%s\", \"encrypted_keys\":"
		" {\"bob\": \"%s\"}}", V_TOKEN, b64);
	ck_assert_int_eq(open_bob(json), 0);
	EVP_PKEY_free(bob);
}
END_TEST

/* What json.dumps writes for a nickname, via a walk of the package. */
struct names {
	char list[8][64];
	size_t n;
};

static int name_member(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *value)
{
	struct names *w = arg;
	ck_assert_uint_lt(w->n, 8);
	ck_assert_uint_lt(key_len, 64);
	memcpy(w->list[w->n], key, key_len);
	w->list[w->n++][key_len] = '\0';
	ck_assert_int_eq(value->type, PC_JSON_STRING);
	ck_assert_uint_eq(value->str_len, 344);
	return 0;
}

static int keys_member(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *value)
{
	if (key_len == 14 && memcmp(key, "encrypted_keys", 14) == 0)
		return pc_json_object(H, value->raw, value->raw_len, name_member, arg);
	return 0;
}

START_TEST(package_sealed_for_unicode_names)
{
	EVP_PKEY *alice = pub_of(V_ALICE_PUBLIC_PEM), *bob = pub_of(V_BOB_PUBLIC_PEM);
	/* é (2 bytes, \u00e9) and U+1F600 (4 bytes, a surrogate pair). */
	const char *nick = "b\xc3\xa9\xf0\x9f\x98\x80\"";
	const struct fernet_recipient to[] = {
		{ "alice", 5, alice, NULL },
		{ nick, strlen(nick), bob, NULL },
		{ "bob", 3, bob, NULL },
	};
	const char *pt = "alice: h\xc3\xa9llo";
	char *out = NULL, text[64];
	size_t len = 0;
	ck_assert_int_eq(fernet_package_seal(H, (const uint8_t *)pt, strlen(pt), to, 3, &out,
		&len), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"b\\u00e9\\ud83d\\ude00\\\"\": \""));
	for (size_t i = 0; i < len; i++)
		ck_assert_uint_lt((unsigned char)out[i], 0x80);
	/* §5.5's size, with the escaped name's length. */
	size_t esc = strlen("b\\u00e9\\ud83d\\ude00\\\"");
	ck_assert_uint_eq(len, 45 + fernet_token_len(strlen(pt)) + (352 + 5) + (352 + esc) +
		(352 + 3));
	struct names names = { .n = 0 };
	ck_assert_int_eq(pc_json_object(H, out, len, keys_member, &names), 0);
	ck_assert_uint_eq(names.n, 3);
	ck_assert_str_eq(names.list[0], "alice");
	ck_assert_str_eq(names.list[1], nick);
	ck_assert_str_eq(names.list[2], "bob");
	ck_assert_int_eq(open_as(V_BOB_PRIVATE_PEM, nick, out, len, text, sizeof(text)), 0);
	ck_assert_str_eq(text, pt);
	ck_assert_int_eq(open_as(V_BOB_PRIVATE_PEM, "bob", out, len, text, sizeof(text)), 0);
	ck_assert_int_eq(open_as(V_ALICE_PRIVATE_PEM, "alice", out, len, text, sizeof(text)), 0);
	/* A second seal of the same text shares nothing. */
	char *again = NULL;
	size_t again_len = 0;
	ck_assert_int_eq(fernet_package_seal(H, (const uint8_t *)pt, strlen(pt), to, 3, &again,
		&again_len), 0);
	ck_assert_uint_eq(again_len, len);
	ck_assert_str_ne(again, out);
	ck_assert_mem_ne(again + 23, out + 23, 40);
	H->free(again);
	H->free(out);
	EVP_PKEY_free(alice);
	EVP_PKEY_free(bob);
}
END_TEST

START_TEST(package_make_refusals_and_out_of_memory)
{
	EVP_PKEY *bob = pub_of(V_BOB_PUBLIC_PEM), *ec = EVP_EC_gen("P-256");
	uint8_t seed[FERNET_SEED_LEN] = { 0 };
	char *out = (char *)1;
	size_t len = 0;
	const struct fernet_recipient seeded[] = { { "bob", 3, bob, seed } };
	const struct fernet_recipient wrong[] = { { "bob", 3, bob, NULL }, { "ec", 2, ec, NULL } };
	ck_assert_int_eq(fernet_package_seal(H, (const uint8_t *)"x", 1, seeded, 1, &out, &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(fernet_package_seal(H, (const uint8_t *)"x", 1, wrong, 0, &out, &len),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(fernet_package_seal(H, (const uint8_t *)"x", 1, wrong, 2, &out, &len),
		POLYCHAT_EINVAL);
	/* Every allocation failing in turn: an error, nothing left behind. */
	for (long n = 0; n < 64; n++) {
		stub_alloc_fail_after(n);
		int rc = fernet_package_seal(H, (const uint8_t *)"x", 1, wrong, 1, &out, &len);
		stub_alloc_fail_after(-1);
		if (rc == 0) {
			H->free(out);
			out = (char *)1;
			break;
		}
		ck_assert_int_eq(rc, POLYCHAT_ENOMEM);
		ck_assert_int_eq(stub_alloc_outstanding(), 0);
	}
	ck_assert_ptr_eq(out, (char *)1);
	for (long n = 0; n < 64; n++) {
		char text[64];
		stub_alloc_fail_after(n);
		EVP_PKEY *priv = priv_of(V_BOB_PRIVATE_PEM);
		uint8_t *pt = NULL;
		size_t pt_len = 0;
		int rc = fernet_package_open(H, priv, "bob", 3, (const uint8_t *)V_PACKAGE,
			V_PACKAGE_LEN, &pt, &pt_len);
		stub_alloc_fail_after(-1);
		EVP_PKEY_free(priv);
		if (rc == 0) {
			memcpy(text, pt, pt_len + 1);
			H->wipe_free(pt, pt_len + 1);
			ck_assert_str_eq(text, V_PLAINTEXT);
			break;
		}
		ck_assert_int_eq(rc, POLYCHAT_ENOMEM);
		ck_assert_int_eq(stub_alloc_outstanding(), 0);
	}
	EVP_PKEY_free(bob);
	EVP_PKEY_free(ec);
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("fernet-codec");
	TCase *tc = tcase_create("token");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, token_sizes);
	tcase_add_test(tc, token_matches_vector);
	tcase_add_test(tc, token_opens);
	tcase_add_test(tc, token_round_trips_any_length);
	tcase_add_test(tc, token_any_character_changed_fails);
	tcase_add_test(tc, token_any_bit_flipped_fails);
	tcase_add_test(tc, token_wrong_key_fails);
	tcase_add_test(tc, token_truncated_fails);
	tcase_add_test(tc, token_structure_checked);
	tcase_add_test(tc, token_decoding_is_lenient);
	tcase_add_test(tc, b64_lenient_as_python);
	tcase_add_test(tc, key_text_strict);
	suite_add_tcase(s, tc);

	tc = tcase_create("oaep");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, oaep_matches_vectors);
	tcase_add_test(tc, oaep_random_round_trip_and_failures);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* Key generation is slow under the sanitizers. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, pubkey_pem_round_trip);
	tcase_add_test(tc, pubkey_pem_tolerance);
	tcase_add_test(tc, pubkey_pem_refusals);
	tcase_add_test(tc, privkey_encrypted_refused_without_prompt);
	tcase_add_test(tc, key_files_created_then_loaded);
	tcase_add_test(tc, key_files_given_are_used);
	tcase_add_test(tc, key_files_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("package");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, package_matches_vector);
	tcase_add_test(tc, package_opens_for_each_recipient);
	tcase_add_test(tc, package_tampered_or_malformed);
	tcase_add_test(tc, package_parsed_as_python_does);
	tcase_add_test(tc, package_bad_key_text);
	tcase_add_test(tc, package_sealed_for_unicode_names);
	tcase_add_test(tc, package_make_refusals_and_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(codec_suite());
}
