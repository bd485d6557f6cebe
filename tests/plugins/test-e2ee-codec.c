/* SPDX-License-Identifier: MIT */
/* e2ee-chat's codec against e2ee-chat.md §9: frames both ways, X25519, HKDF, AES-GCM, RSA-PSS, the message blob, key bundles, key files. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <polychat/status.h>

#include "plugins/crypto-x25519-gcm/e2ee-blob.h"
#include "plugins/crypto-x25519-gcm/e2ee-wire.h"
#include "plugins/crypto-x25519-gcm/xg-keyfile.h"
#include "plugins/crypto-x25519-gcm/xg-prims.h"
#include "tests/stubs/stub-host.h"
#include "../check-run.h"
#include "e2ee-vectors.h"

#define H (stub_host())
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The §9.3 blob: what follows the recipient phone in the 829. */
#define V_BLOB (V_REQ_MESSAGE + E2EE_REQ_HEADER + E2EE_PHONE_LEN)
#define V_BLOB_LEN (sizeof(V_REQ_MESSAGE) - E2EE_REQ_HEADER - E2EE_PHONE_LEN)
/* Where the signature sits in the 829 frame. */
#define SIG_AT (E2EE_REQ_HEADER + E2EE_PHONE_LEN + E2EE_SALT_LEN + E2EE_NONCE_LEN)

/* Made once in main (RSA-4096 takes a second or more) and inherited by
 * every forked test. */
static EVP_PKEY *key4096, *key2048;

static char dir[64]; /* a temporary directory, "" when unused */

static void setup(void)
{
	stub_host_reset();
	dir[0] = '\0';
}

/* Remove the temporary directory with every file in it. */
static void remove_dir(void)
{
	if (!dir[0])
		return;
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) != 0)
			rmdir(path);
	}
	if (d)
		closedir(d);
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
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/e2ee-codec-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void path_in(char *out, size_t len, const char *name)
{
	ck_assert_int_lt(snprintf(out, len, "%s/%s", dir, name), (int)len);
}

static void put_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* A whole small file, NUL-terminated, malloc'd. */
static char *get_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = malloc(70000);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, 69999, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

/* The §9.2 public key as an OpenSSL key. */
static EVP_PKEY *test_key(void)
{
	EVP_PKEY *k = NULL;
	ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)V_TEST_PEM, V_TEST_PEM_LEN,
		4096, 4096, &k), 0);
	return k;
}

/* --- §9.1 frames --- */

/* A request vector: its bytes and the fields they stand for. */
struct req_case {
	const uint8_t *frame;
	size_t len;
	uint16_t code;
	const char *phone, *peer;
	uint32_t otp;
};

static const struct req_case short_requests[] = {
	{ V_REQ_REGISTER, sizeof(V_REQ_REGISTER), 825, V_PHONE_A, "", 0 },
	{ V_REQ_OTP, sizeof(V_REQ_OTP), 831, V_PHONE_A, "", V_OTP },
	{ V_REQ_LOGIN, sizeof(V_REQ_LOGIN), 827, V_PHONE_A, "", 0 },
	{ V_REQ_RECIPIENT_KEYS, sizeof(V_REQ_RECIPIENT_KEYS), 828, V_PHONE_A, V_PHONE_B, 0 },
	{ V_REQ_SENDER_KEYS, sizeof(V_REQ_SENDER_KEYS), 832, V_PHONE_B, V_PHONE_A, 0 },
	{ V_REQ_MESSAGE_RECEIVED, sizeof(V_REQ_MESSAGE_RECEIVED), 830, V_PHONE_B, V_PHONE_A, 0 },
};

/* The full 826 of §9.1: header, A's DH, the §9.2 PEM (849 bytes). */
static size_t keys_frame(uint8_t *out)
{
	memcpy(out, V_REQ_KEYS_HEAD, sizeof(V_REQ_KEYS_HEAD));
	memcpy(out + sizeof(V_REQ_KEYS_HEAD), V_TEST_PEM, V_TEST_PEM_LEN);
	return sizeof(V_REQ_KEYS_HEAD) + V_TEST_PEM_LEN;
}

START_TEST(requests_build_as_the_vectors)
{
	uint8_t out[E2EE_PACKET_MAX], field[E2EE_PHONE_LEN], otp[4];
	for (size_t i = 0; i < N(short_requests); i++) {
		const struct req_case *c = &short_requests[i];
		long n;
		if (c->code == E2EE_REQ_OTP) {
			otp[0] = (uint8_t)(c->otp >> 24);
			otp[1] = (uint8_t)(c->otp >> 16);
			otp[2] = (uint8_t)(c->otp >> 8);
			otp[3] = (uint8_t)c->otp;
			n = e2ee_request_build(out, sizeof(out), c->code, c->phone, otp, 4, NULL,
				0);
		} else if (*c->peer) {
			e2ee_phone_field(field, c->peer);
			n = e2ee_request_build(out, sizeof(out), c->code, c->phone, field,
				sizeof(field), NULL, 0);
		} else {
			n = e2ee_request_build(out, sizeof(out), c->code, c->phone, NULL, 0, NULL,
				0);
		}
		ck_assert_msg(n == (long)c->len, "%u: %ld", c->code, n);
		ck_assert_mem_eq(out, c->frame, c->len);
	}

	/* 826: 849 bytes, of which the first 49 are given. */
	uint8_t want[E2EE_PACKET_MAX];
	size_t want_len = keys_frame(want);
	ck_assert_uint_eq(want_len, 849);
	ck_assert_int_eq(e2ee_request_build(out, sizeof(out), E2EE_REQ_SEND_PUBLIC_KEYS, V_PHONE_A,
		V_A_PUB, sizeof(V_A_PUB), (const uint8_t *)V_TEST_PEM, V_TEST_PEM_LEN), 849);
	ck_assert_mem_eq(out, want, want_len);

	/* 829: recipient field, then the blob. */
	e2ee_phone_field(field, V_PHONE_B);
	ck_assert_int_eq(e2ee_request_build(out, sizeof(out), E2EE_REQ_MESSAGE, V_PHONE_A, field,
		sizeof(field), V_BLOB, V_BLOB_LEN), 613);
	ck_assert_mem_eq(out, V_REQ_MESSAGE, sizeof(V_REQ_MESSAGE));
}
END_TEST

START_TEST(requests_parse_to_their_fields)
{
	struct e2ee_request r;
	for (size_t i = 0; i < N(short_requests); i++) {
		const struct req_case *c = &short_requests[i];
		memset(&r, 0xa5, sizeof(r));
		ck_assert_int_eq(e2ee_request_parse(c->frame, c->len, &r), (long)c->len);
		ck_assert_uint_eq(r.code, c->code);
		ck_assert_uint_eq(r.version, 1);
		ck_assert_str_eq(r.phone, c->phone);
		ck_assert_str_eq(r.peer_phone, c->peer);
		ck_assert_uint_eq(r.otp, c->otp);
		ck_assert_ptr_null(r.blob);
		ck_assert_uint_eq(r.blob_len, 0);
		ck_assert_uint_eq(r.dh_len + r.pem_len, 0);
	}

	uint8_t frame[E2EE_PACKET_MAX];
	size_t len = keys_frame(frame);
	ck_assert_int_eq(e2ee_request_parse(frame, len, &r), 849);
	ck_assert_uint_eq(r.code, E2EE_REQ_SEND_PUBLIC_KEYS);
	ck_assert_str_eq(r.phone, V_PHONE_A);
	ck_assert_str_eq(r.peer_phone, "");
	ck_assert_ptr_eq(r.blob, frame + E2EE_REQ_HEADER);
	ck_assert_uint_eq(r.blob_len, 832);
	ck_assert_ptr_eq(r.dh, frame + E2EE_REQ_HEADER);
	ck_assert_uint_eq(r.dh_len, 32);
	ck_assert_mem_eq(r.dh, V_A_PUB, 32);
	ck_assert_uint_eq(r.pem_len, V_TEST_PEM_LEN);
	ck_assert_mem_eq(r.pem, V_TEST_PEM, V_TEST_PEM_LEN);

	ck_assert_int_eq(e2ee_request_parse(V_REQ_MESSAGE, sizeof(V_REQ_MESSAGE), &r), 613);
	ck_assert_uint_eq(r.code, E2EE_REQ_MESSAGE);
	ck_assert_str_eq(r.phone, V_PHONE_A);
	ck_assert_str_eq(r.peer_phone, V_PHONE_B);
	ck_assert_ptr_eq(r.blob, V_BLOB);
	ck_assert_uint_eq(r.blob_len, 586);
	ck_assert_uint_eq(r.dh_len + r.pem_len, 0);
}
END_TEST

/* What e2ee_response_parse gives for `frame`, checked against `len`,
 * `code` and `payload`/`plen`. */
static void response_is(const uint8_t *frame, size_t len, uint16_t code,
	const uint8_t *payload, size_t plen)
{
	uint16_t c = 0;
	const uint8_t *p = NULL;
	size_t n = 99;
	ck_assert_int_eq(e2ee_response_parse(frame, len, &c, &p, &n), (long)len);
	ck_assert_uint_eq(c, code);
	ck_assert_uint_eq(n, plen);
	ck_assert_ptr_eq(p, frame + E2EE_RESP_HEADER);
	if (plen)
		ck_assert_mem_eq(p, payload, plen);
	/* Any shorter piece is incomplete. */
	for (size_t k = 0; k < len; k++)
		ck_assert_int_eq(e2ee_response_parse(frame, k, &c, &p, &n), 0);
}

START_TEST(responses_build_and_parse_as_the_vectors)
{
	static const struct {
		const uint8_t *frame;
		uint16_t code;
	} empty[] = {
		{ V_RESP_OTP_OK, 1604 }, { V_RESP_KEYS_SET, 1602 }, { V_RESP_LOGIN, 1605 },
		{ V_RESP_REGISTRATION_FAILED, 1601 }, { V_RESP_LOGIN_FAILED, 1606 },
		{ V_RESP_ERROR, 1607 }, { V_RESP_MESSAGE_SENT, 1609 }, { V_RESP_LISTENING, 1611 },
	};
	uint8_t out[E2EE_PACKET_MAX];
	for (size_t i = 0; i < N(empty); i++) {
		ck_assert_int_eq(e2ee_response_build(out, sizeof(out), empty[i].code, NULL, 0,
			NULL, 0, NULL, 0, NULL, 0), 7);
		ck_assert_mem_eq(out, empty[i].frame, 7);
		response_is(empty[i].frame, 7, empty[i].code, NULL, 0);
	}

	static const uint8_t otp[4] = { 0x00, 0x02, 0xcb, 0xc5 };
	ck_assert_int_eq(e2ee_response_build(out, sizeof(out), E2EE_RESP_REGISTRATION, otp, 4,
		NULL, 0, NULL, 0, NULL, 0), 11);
	ck_assert_mem_eq(out, V_RESP_REGISTRATION, 11);
	response_is(V_RESP_REGISTRATION, 11, 1600, otp, 4);

	/* 1603 and 1610 with 800-byte PEMs: only the headers are vectors. */
	uint8_t sigs[2 * E2EE_SIG_LEN], field[E2EE_PHONE_LEN];
	memset(sigs, 0x5a, sizeof(sigs));
	ck_assert_int_eq(e2ee_response_build(out, sizeof(out), E2EE_RESP_RECIPIENT_KEYS, V_B_PUB,
		32, (const uint8_t *)V_TEST_PEM, V_TEST_PEM_LEN, sigs, 512, sigs + 512, 512), 1863);
	ck_assert_mem_eq(out, V_RESP_RECIPIENT_KEYS_HEAD, 7);
	ck_assert_mem_eq(out + 7, V_B_PUB, 32);
	ck_assert_mem_eq(out + 39, V_TEST_PEM, V_TEST_PEM_LEN);
	response_is(out, 1863, 1603, out + 7, 1856);

	e2ee_phone_field(field, V_PHONE_A);
	ck_assert_int_eq(e2ee_response_build(out, sizeof(out), E2EE_RESP_SENDER_KEYS, field, 10,
		V_A_PUB, 32, (const uint8_t *)V_TEST_PEM, V_TEST_PEM_LEN, sigs, 1024), 1873);
	ck_assert_mem_eq(out, V_RESP_SENDER_KEYS_HEAD, 7);
	ck_assert_mem_eq(out + 7, V_PHONE_A, 10);
	response_is(out, 1873, 1610, out + 7, 1866);

	/* 1608: 603 bytes, the blob of the 829 unchanged. */
	ck_assert_int_eq(e2ee_response_build(out, sizeof(out), E2EE_RESP_MESSAGE, field, 10,
		V_BLOB, V_BLOB_LEN, NULL, 0, NULL, 0), 603);
	ck_assert_mem_eq(out, V_RESP_MESSAGE_HEAD, sizeof(V_RESP_MESSAGE_HEAD));
	ck_assert_mem_eq(out + sizeof(V_RESP_MESSAGE_HEAD), V_BLOB, V_BLOB_LEN);
	response_is(out, 603, 1608, out + 7, 596);

	/* Two frames in one read (§10): the first alone, then the second. */
	memcpy(out, V_RESP_MESSAGE_SENT, 7);
	memcpy(out + 7, V_RESP_REGISTRATION, 11);
	uint16_t c;
	const uint8_t *p;
	size_t n;
	ck_assert_int_eq(e2ee_response_parse(out, 18, &c, &p, &n), 7);
	ck_assert_uint_eq(c, 1609);
	ck_assert_int_eq(e2ee_response_parse(out + 7, 11, &c, &p, &n), 11);
	ck_assert_uint_eq(c, 1600);
	ck_assert_mem_eq(p, otp, 4);
}
END_TEST

START_TEST(truncated_requests_need_more_bytes)
{
	uint8_t keys[E2EE_PACKET_MAX], two[2 * E2EE_PACKET_MAX];
	size_t keys_len = keys_frame(keys);
	struct req_case all[N(short_requests) + 2];
	memcpy(all, short_requests, sizeof(short_requests));
	all[N(short_requests)] = (struct req_case){ keys, keys_len, 826, V_PHONE_A, "", 0 };
	all[N(short_requests) + 1] = (struct req_case){ V_REQ_MESSAGE, sizeof(V_REQ_MESSAGE),
		829, V_PHONE_A, V_PHONE_B, 0 };
	struct e2ee_request r;
	for (size_t i = 0; i < N(all); i++) {
		for (size_t k = 0; k < all[i].len; k++)
			ck_assert_msg(e2ee_request_parse(all[i].frame, k, &r) == 0, "%u at %zu",
				all[i].code, k);
		/* A second request behind it is left for the next call. */
		memcpy(two, all[i].frame, all[i].len);
		memcpy(two + all[i].len, V_REQ_LOGIN, sizeof(V_REQ_LOGIN));
		ck_assert_int_eq(e2ee_request_parse(two, all[i].len + sizeof(V_REQ_LOGIN), &r),
			(long)all[i].len);
		ck_assert_uint_eq(r.code, all[i].code);
		ck_assert_int_eq(e2ee_request_parse(two + all[i].len, sizeof(V_REQ_LOGIN), &r), 17);
		ck_assert_uint_eq(r.code, 827);
	}
	ck_assert_int_eq(e2ee_request_parse(NULL, 0, &r), 0);
}
END_TEST

/* A request header with `phone` bytes (10), `code` and `size`. */
static void header(uint8_t *out, const char *phone10, uint16_t code, uint32_t size)
{
	memcpy(out, phone10, E2EE_PHONE_LEN);
	out[10] = 1;
	out[11] = (uint8_t)(code >> 8);
	out[12] = (uint8_t)code;
	out[13] = (uint8_t)(size >> 24);
	out[14] = (uint8_t)(size >> 16);
	out[15] = (uint8_t)(size >> 8);
	out[16] = (uint8_t)size;
}

START_TEST(bad_headers_close_without_reply)
{
	static const struct {
		uint16_t code;
		uint32_t size;
		int rc;
	} cases[] = {
		{ 0, 0, POLYCHAT_EPROTO },
		{ 824, 0, POLYCHAT_EPROTO },
		{ 833, 10, POLYCHAT_EPROTO },
		{ 1600, 4, POLYCHAT_EPROTO },
		{ 1608, 600, POLYCHAT_EPROTO },
		{ 0xffff, 0xffffffffu, POLYCHAT_EPROTO },
		/* 825 and 827 carry nothing (§4.1). */
		{ 825, 3, POLYCHAT_EPROTO },
		{ 825, 1, POLYCHAT_EPROTO },
		{ 827, 10, POLYCHAT_EPROTO },
		{ 827, 5000, POLYCHAT_EPROTO },
		/* 831: exactly 4. */
		{ 831, 0, POLYCHAT_EPROTO },
		{ 831, 3, POLYCHAT_EPROTO },
		{ 831, 5, POLYCHAT_EPROTO },
		{ 831, 0xffffffffu, POLYCHAT_EPROTO },
		/* 828, 830, 832: exactly 10. */
		{ 828, 0, POLYCHAT_EPROTO },
		{ 828, 9, POLYCHAT_EPROTO },
		{ 828, 11, POLYCHAT_EPROTO },
		{ 830, 4, POLYCHAT_EPROTO },
		{ 830, 20, POLYCHAT_EPROTO },
		{ 832, 9, POLYCHAT_EPROTO },
		{ 832, 3000, POLYCHAT_EPROTO },
		/* 829: at least the recipient. */
		{ 829, 0, POLYCHAT_EPROTO },
		{ 829, 9, POLYCHAT_EPROTO },
		/* Over 2048 in all: refused before the payload comes. */
		{ 829, 2032, POLYCHAT_ETOOBIG },
		{ 829, 0xffffffffu, POLYCHAT_ETOOBIG },
		{ 826, 2032, POLYCHAT_ETOOBIG },
		{ 826, 100000, POLYCHAT_ETOOBIG },
		{ 826, 0x80000000u, POLYCHAT_ETOOBIG },
	};
	uint8_t h[E2EE_REQ_HEADER];
	struct e2ee_request r = { .code = 4242 };
	for (size_t i = 0; i < N(cases); i++) {
		header(h, V_PHONE_A, cases[i].code, cases[i].size);
		long rc = e2ee_request_parse(h, sizeof(h), &r);
		ck_assert_msg(rc == cases[i].rc, "%u/%u: %ld", cases[i].code, cases[i].size, rc);
	}
	ck_assert_uint_eq(r.code, 4242); /* untouched on failure */
}
END_TEST

START_TEST(bad_phones_close_without_reply)
{
	static const char *const bad[] = {
		"\xff" "501234567",          /* not UTF-8 at all */
		"050123456\xc3",             /* a sequence cut by the field */
		"05012345\xc0\x80",          /* an overlong NUL */
		"0501234\xed\xa0\x80",       /* an encoded surrogate */
		"0501\xf4\x90\x80\x80" "56", /* beyond U+10FFFF */
		"05\0" "1234567",            /* a NUL before the padding */
		"\0" "501234567",
	};
	uint8_t frame[64];
	struct e2ee_request r;
	for (size_t i = 0; i < N(bad); i++) {
		header(frame, bad[i], E2EE_REQ_LOGIN, 0);
		ck_assert_msg(e2ee_request_parse(frame, 17, &r) == POLYCHAT_EPROTO, "%zu", i);
		/* Known from the header alone, before a payload. */
		header(frame, bad[i], E2EE_REQ_MESSAGE, 600);
		ck_assert_msg(e2ee_request_parse(frame, 17, &r) == POLYCHAT_EPROTO, "%zu", i);
		/* The same as the peer phone of 828 and 829, once it is there. */
		header(frame, V_PHONE_A, E2EE_REQ_RECIPIENT_KEYS, 10);
		memcpy(frame + 17, bad[i], 10);
		ck_assert_int_eq(e2ee_request_parse(frame, 26, &r), 0);
		ck_assert_int_eq(e2ee_request_parse(frame, 27, &r), POLYCHAT_EPROTO);
		header(frame, V_PHONE_A, E2EE_REQ_MESSAGE, 12);
		memcpy(frame + 17, bad[i], 10);
		ck_assert_int_eq(e2ee_request_parse(frame, 29, &r), POLYCHAT_EPROTO);
	}

	/* What the original accepts: padding stripped, any UTF-8, any
	 * version byte, the largest frames, an empty 829 blob. */
	header(frame, "12345\0\0\0\0\0", E2EE_REQ_LOGIN, 0);
	frame[10] = 7;
	ck_assert_int_eq(e2ee_request_parse(frame, 17, &r), 17);
	ck_assert_str_eq(r.phone, "12345");
	ck_assert_uint_eq(r.version, 7);
	header(frame, "05012345\xc3\xa9", E2EE_REQ_REGISTER, 0);
	ck_assert_int_eq(e2ee_request_parse(frame, 17, &r), 17);
	ck_assert_str_eq(r.phone, "05012345\xc3\xa9");
	header(frame, "\0\0\0\0\0\0\0\0\0\0", E2EE_REQ_MESSAGE, 10);
	memset(frame + 17, 0, 10);
	ck_assert_int_eq(e2ee_request_parse(frame, 27, &r), 27);
	ck_assert_str_eq(r.phone, "");
	ck_assert_str_eq(r.peer_phone, "");
	ck_assert_uint_eq(r.blob_len, 0);

	static uint8_t big[E2EE_PACKET_MAX + 1];
	header(big, V_PHONE_A, E2EE_REQ_SEND_PUBLIC_KEYS, 2031);
	ck_assert_int_eq(e2ee_request_parse(big, 2047, &r), 0);
	ck_assert_int_eq(e2ee_request_parse(big, 2049, &r), 2048);
	ck_assert_uint_eq(r.pem_len, 2031 - 32);
	header(big, V_PHONE_A, E2EE_REQ_MESSAGE, 2031);
	memcpy(big + 17, V_PHONE_B, 10);
	ck_assert_int_eq(e2ee_request_parse(big, 2048, &r), 2048);
	ck_assert_uint_eq(r.blob_len, 2021);
	/* A short 826 is all DH, as the original slices it (§11.3). */
	header(big, V_PHONE_A, E2EE_REQ_SEND_PUBLIC_KEYS, 5);
	ck_assert_int_eq(e2ee_request_parse(big, 22, &r), 22);
	ck_assert_uint_eq(r.dh_len, 5);
	ck_assert_uint_eq(r.pem_len, 0);
	header(big, V_PHONE_A, E2EE_REQ_SEND_PUBLIC_KEYS, 0);
	ck_assert_int_eq(e2ee_request_parse(big, 17, &r), 17);
	ck_assert_uint_eq(r.dh_len + r.pem_len + r.blob_len, 0);
}
END_TEST

START_TEST(builders_refuse_what_does_not_fit)
{
	static uint8_t out[E2EE_PACKET_MAX + 64], part[E2EE_PACKET_MAX];
	/* Requests: 2031 bytes of payload at most. */
	ck_assert_int_eq(e2ee_request_build(out, sizeof(out), 826, V_PHONE_A, part, 2000, part, 31),
		2048);
	ck_assert_int_eq(e2ee_request_build(out, sizeof(out), 826, V_PHONE_A, part, 2000, part, 32),
		POLYCHAT_ETOOBIG);
	ck_assert_int_eq(e2ee_request_build(out, sizeof(out), 826, V_PHONE_A, part, (size_t)-1,
		part, (size_t)-1), POLYCHAT_ETOOBIG);
	ck_assert_int_eq(e2ee_request_build(out, 26, 828, V_PHONE_A, part, 10, NULL, 0),
		POLYCHAT_ETOOBIG);
	ck_assert_int_eq(e2ee_request_build(out, 27, 828, V_PHONE_A, part, 10, NULL, 0), 27);
	ck_assert_int_eq(e2ee_request_build(out, sizeof(out), 825, "05012345678", NULL, 0, NULL, 0),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(e2ee_request_build(out, sizeof(out), 828, V_PHONE_A, NULL, 10, NULL, 0),
		POLYCHAT_EINVAL);
	/* A short phone is padded. */
	ck_assert_int_eq(e2ee_request_build(out, sizeof(out), 825, "123", NULL, 0, NULL, 0), 17);
	ck_assert_mem_eq(out, "123\0\0\0\0\0\0\0\1\3\x39\0\0\0\0", 17);

	/* Responses: 2041 bytes of payload at most. */
	ck_assert_int_eq(e2ee_response_build(out, sizeof(out), 1608, part, 1000, part, 1000, part,
		40, part, 1), 2048);
	ck_assert_int_eq(e2ee_response_build(out, sizeof(out), 1608, part, 1000, part, 1000, part,
		40, part, 2), POLYCHAT_ETOOBIG);
	ck_assert_int_eq(e2ee_response_build(out, 10, 1600, part, 4, NULL, 0, NULL, 0, NULL, 0),
		POLYCHAT_ETOOBIG);
	ck_assert_int_eq(e2ee_response_build(out, sizeof(out), 1600, NULL, 4, NULL, 0, NULL, 0,
		NULL, 0), POLYCHAT_EINVAL);

	/* The client refuses a response over 2048 from its header alone. */
	uint16_t c;
	const uint8_t *p;
	size_t n;
	static const uint8_t huge[7] = { 1, 0x06, 0x48, 0, 0, 0x07, 0xfa }; /* 2042 */
	static const uint8_t most[7] = { 1, 0x06, 0x48, 0, 0, 0x07, 0xf9 }; /* 2041 */
	static const uint8_t all[7] = { 1, 0x06, 0x48, 0xff, 0xff, 0xff, 0xff };
	ck_assert_int_eq(e2ee_response_parse(huge, 7, &c, &p, &n), POLYCHAT_ETOOBIG);
	ck_assert_int_eq(e2ee_response_parse(all, 7, &c, &p, &n), POLYCHAT_ETOOBIG);
	ck_assert_int_eq(e2ee_response_parse(most, 7, &c, &p, &n), 0);
}
END_TEST

START_TEST(phone_helpers)
{
	uint8_t f[E2EE_PHONE_LEN];
	e2ee_phone_field(f, V_PHONE_A);
	ck_assert_mem_eq(f, V_PHONE_A, 10);
	e2ee_phone_field(f, "42");
	ck_assert_mem_eq(f, "42\0\0\0\0\0\0\0\0", 10);
	e2ee_phone_field(f, "0501234567890");
	ck_assert_mem_eq(f, V_PHONE_A, 10);
	e2ee_phone_field(f, "");
	ck_assert_mem_eq(f, "\0\0\0\0\0\0\0\0\0\0", 10);

	ck_assert(e2ee_phone_is_digits(V_PHONE_A));
	ck_assert(!e2ee_phone_is_digits("050123456"));
	ck_assert(!e2ee_phone_is_digits("05012345678"));
	ck_assert(!e2ee_phone_is_digits("050123456a"));
	ck_assert(!e2ee_phone_is_digits("05012345 7"));
	ck_assert(!e2ee_phone_is_digits(""));
	ck_assert(!e2ee_phone_is_digits(NULL));
}
END_TEST

/* --- §9.2 X25519, HKDF, AES-GCM --- */

START_TEST(x25519_matches_rfc7748)
{
	uint8_t pub[32], shared[32];
	ck_assert_int_eq(xg_x25519_public(V_A_PRIV, pub), 0);
	ck_assert_mem_eq(pub, V_A_PUB, 32);
	ck_assert_int_eq(xg_x25519_public(V_B_PRIV, pub), 0);
	ck_assert_mem_eq(pub, V_B_PUB, 32);
	ck_assert_int_eq(xg_x25519_shared(V_A_PRIV, V_B_PUB, shared), 0);
	ck_assert_mem_eq(shared, V_SHARED, 32);
	ck_assert_int_eq(xg_x25519_shared(V_B_PRIV, V_A_PUB, shared), 0);
	ck_assert_mem_eq(shared, V_SHARED, 32);

	/* Through an OpenSSL key (what a PKCS#8 file holds) and back. */
	EVP_PKEY *k = NULL;
	uint8_t raw[32];
	ck_assert_int_eq(xg_x25519_to_pkey(V_A_PRIV, &k), 0);
	ck_assert_int_eq(xg_x25519_from_pkey(k, raw), 0);
	ck_assert_mem_eq(raw, V_A_PRIV, 32);
	EVP_PKEY_free(k);
	EVP_PKEY *rsa = test_key();
	ck_assert_int_eq(xg_x25519_from_pkey(rsa, raw), POLYCHAT_EINVAL);
	EVP_PKEY_free(rsa);

	uint8_t a[32], a_pub[32], b[32], b_pub[32], s1[32], s2[32];
	ck_assert_int_eq(xg_x25519_generate(a, a_pub), 0);
	ck_assert_int_eq(xg_x25519_generate(b, b_pub), 0);
	ck_assert_mem_ne(a, b, 32);
	ck_assert_int_eq(xg_x25519_public(a, pub), 0);
	ck_assert_mem_eq(pub, a_pub, 32);
	ck_assert_int_eq(xg_x25519_shared(a, b_pub, s1), 0);
	ck_assert_int_eq(xg_x25519_shared(b, a_pub, s2), 0);
	ck_assert_mem_eq(s1, s2, 32);
}
END_TEST

START_TEST(small_order_peers_are_refused)
{
	/* u = 0, u = 1, and a point of order 8: X25519 of each is zero. */
	static const uint8_t zero[32], one[32] = { 1 };
	static const uint8_t order8[32] = {
		0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa,
		0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd,
		0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00,
	};
	const uint8_t *bad[] = { zero, one, order8 };
	uint8_t shared[32];
	for (size_t i = 0; i < N(bad); i++) {
		memset(shared, 0x77, sizeof(shared));
		ck_assert_int_eq(xg_x25519_shared(V_A_PRIV, bad[i], shared), POLYCHAT_ECRYPTO);
		ck_assert_uint_eq(shared[0], 0x77); /* untouched */
		ck_assert_uint_eq(shared[31], 0x77);
	}
}
END_TEST

START_TEST(hkdf_matches_rfc5869_and_the_vector)
{
	uint8_t ikm[22], salt[13], info[10], okm[42], want[42];
	memset(ikm, 0x0b, sizeof(ikm));
	for (size_t i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);
	/* RFC 5869 A.1 */
	static const uint8_t a1[42] = {
		0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f, 0x64,
		0xd0, 0x36, 0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a, 0x5a, 0x4c,
		0x5d, 0xb0, 0x2d, 0x56, 0xec, 0xc4, 0xc5, 0xbf, 0x34, 0x00, 0x72, 0x08,
		0xd5, 0xb8, 0x87, 0x18, 0x58, 0x65,
	};
	ck_assert_int_eq(xg_hkdf_sha256(ikm, 22, salt, 13, info, 10, okm, 42), 0);
	ck_assert_mem_eq(okm, a1, 42);
	/* RFC 5869 A.3: no salt, no info. */
	static const uint8_t a3[42] = {
		0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f, 0x71, 0x5f, 0x80, 0x2a,
		0x06, 0x3c, 0x5a, 0x31, 0xb8, 0xa1, 0x1f, 0x5c, 0x5e, 0xe1, 0x87, 0x9e,
		0xc3, 0x45, 0x4e, 0x5f, 0x3c, 0x73, 0x8d, 0x2d, 0x9d, 0x20, 0x13, 0x95,
		0xfa, 0xa4, 0xb6, 0x1a, 0x96, 0xc8,
	};
	ck_assert_int_eq(xg_hkdf_sha256(ikm, 22, NULL, 0, NULL, 0, okm, 42), 0);
	ck_assert_mem_eq(okm, a3, 42);
	memcpy(want, a3, 42);
	/* "HashLen zeros" is the same as no salt. */
	static const uint8_t zeros[32];
	ck_assert_int_eq(xg_hkdf_sha256(ikm, 22, zeros, 32, NULL, 0, okm, 42), 0);
	ck_assert_mem_eq(okm, want, 42);

	uint8_t key[32];
	ck_assert_int_eq(xg_hkdf_sha256(V_SHARED, 32, V_SALT, 16,
		(const uint8_t *)E2EE_HKDF_INFO, 18, key, 32), 0);
	ck_assert_mem_eq(key, V_MSG_KEY, 32);

	ck_assert_int_eq(xg_hkdf_sha256(ikm, 22, NULL, 0, NULL, 0, okm, 0), POLYCHAT_EINVAL);
	static uint8_t big[255 * 32 + 1];
	ck_assert_int_eq(xg_hkdf_sha256(ikm, 22, NULL, 0, NULL, 0, big, sizeof(big)),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(xg_hkdf_sha256(ikm, 22, NULL, 0, NULL, 0, big, sizeof(big) - 1), 0);
}
END_TEST

START_TEST(gcm_matches_the_vector_and_detects_tampering)
{
	uint8_t ct[V_TEXT_LEN + 16], pt[V_TEXT_LEN + 16];
	ck_assert_int_eq(xg_gcm_seal(V_MSG_KEY, V_NONCE, NULL, 0, (const uint8_t *)V_TEXT,
		V_TEXT_LEN, ct), 0);
	ck_assert_uint_eq(sizeof(V_CT), V_TEXT_LEN + 16);
	ck_assert_mem_eq(ct, V_CT, sizeof(V_CT));
	ck_assert_int_eq(xg_gcm_open(V_MSG_KEY, V_NONCE, NULL, 0, V_CT, sizeof(V_CT), pt), 0);
	ck_assert_mem_eq(pt, V_TEXT, V_TEXT_LEN);

	for (size_t i = 0; i < sizeof(V_CT); i++) {
		memcpy(ct, V_CT, sizeof(V_CT));
		ct[i] ^= 0x01;
		memset(pt, 0x55, sizeof(pt));
		ck_assert_int_eq(xg_gcm_open(V_MSG_KEY, V_NONCE, NULL, 0, ct, sizeof(ct), pt),
			POLYCHAT_EAUTH);
		/* Nothing of the forged plaintext is left. */
		for (size_t j = 0; j < V_TEXT_LEN; j++)
			ck_assert_uint_eq(pt[j], 0);
	}
	/* Additional data counts. */
	ck_assert_int_eq(xg_gcm_open(V_MSG_KEY, V_NONCE, (const uint8_t *)"x", 1, V_CT,
		sizeof(V_CT), pt), POLYCHAT_EAUTH);
	ck_assert_int_eq(xg_gcm_seal(V_MSG_KEY, V_NONCE, (const uint8_t *)"x", 1,
		(const uint8_t *)V_TEXT, V_TEXT_LEN, ct), 0);
	ck_assert_int_eq(xg_gcm_open(V_MSG_KEY, V_NONCE, (const uint8_t *)"x", 1, ct, sizeof(ct),
		pt), 0);
	ck_assert_mem_eq(pt, V_TEXT, V_TEXT_LEN);
	/* An empty message is a tag alone. */
	ck_assert_int_eq(xg_gcm_seal(V_MSG_KEY, V_NONCE, NULL, 0, NULL, 0, ct), 0);
	ck_assert_int_eq(xg_gcm_open(V_MSG_KEY, V_NONCE, NULL, 0, ct, 16, pt), 0);
	ck_assert_int_eq(xg_gcm_open(V_MSG_KEY, V_NONCE, NULL, 0, ct, 15, pt), POLYCHAT_EINVAL);
}
END_TEST

/* --- RSA --- */

START_TEST(vector_signatures_verify_only_with_salt_478)
{
	EVP_PKEY *k = test_key();
	ck_assert_int_eq(EVP_PKEY_get_bits(k), 4096);
	ck_assert_int_eq(xg_pss_verify(k, 478, V_CT, sizeof(V_CT), V_SIG_CT, 512), 0);
	ck_assert_int_eq(xg_pss_verify(k, XG_PSS_SALT_MAX, V_CT, sizeof(V_CT), V_SIG_CT, 512), 0);
	ck_assert_int_eq(xg_pss_verify(k, 32, V_CT, sizeof(V_CT), V_SIG_CT, 512), POLYCHAT_EAUTH);
	ck_assert_int_eq(xg_pss_verify(k, 0, V_CT, sizeof(V_CT), V_SIG_CT, 512), POLYCHAT_EAUTH);
	ck_assert_int_eq(xg_pss_verify(k, 477, V_CT, sizeof(V_CT), V_SIG_CT, 512), POLYCHAT_EAUTH);
	ck_assert_int_eq(xg_pss_verify(k, 479, V_CT, sizeof(V_CT), V_SIG_CT, 512), POLYCHAT_EINVAL);
	ck_assert_int_eq(xg_pss_verify(k, 478, V_CT, sizeof(V_CT) - 1, V_SIG_CT, 512),
		POLYCHAT_EAUTH);
	ck_assert_int_eq(xg_pss_verify(k, 478, V_CT, sizeof(V_CT), V_SIG_CT, 511), POLYCHAT_EAUTH);
	ck_assert_int_eq(xg_pss_verify(k, 478, V_CT, sizeof(V_CT), V_SIG_CT + 1, 511),
		POLYCHAT_EAUTH);

	/* §9.4: the server's signature over B's DH key. */
	ck_assert_int_eq(xg_pss_verify(k, 478, V_B_PUB, 32, V_SIG_SERVER_DH, 512), 0);
	ck_assert_int_eq(xg_pss_verify(k, 32, V_B_PUB, 32, V_SIG_SERVER_DH, 512), POLYCHAT_EAUTH);
	ck_assert_int_eq(xg_pss_verify(k, 478, V_A_PUB, 32, V_SIG_SERVER_DH, 512), POLYCHAT_EAUTH);
	/* Not the generated key's. */
	ck_assert_int_eq(xg_pss_verify(key4096, 478, V_B_PUB, 32, V_SIG_SERVER_DH, 512),
		POLYCHAT_EAUTH);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(generated_keys_sign_with_the_maximum_salt)
{
	uint8_t s1[600], s2[600];
	size_t n1 = sizeof(s1), n2 = sizeof(s2);
	ck_assert_int_eq(EVP_PKEY_get_bits(key4096), 4096);
	ck_assert_int_eq(xg_pss_sign(key4096, XG_PSS_SALT_MAX, V_CT, sizeof(V_CT), s1, &n1), 0);
	ck_assert_uint_eq(n1, 512);
	ck_assert_int_eq(xg_pss_verify(key4096, 478, V_CT, sizeof(V_CT), s1, n1), 0);
	ck_assert_int_eq(xg_pss_verify(key4096, 32, V_CT, sizeof(V_CT), s1, n1), POLYCHAT_EAUTH);
	ck_assert_int_eq(xg_pss_sign(key4096, 478, V_CT, sizeof(V_CT), s2, &n2), 0);
	ck_assert_mem_ne(s1, s2, 512); /* randomised */
	ck_assert_int_eq(xg_pss_verify(key4096, XG_PSS_SALT_MAX, V_CT, sizeof(V_CT), s2, n2), 0);

	/* Other salts are honoured exactly (schiedchat's 222 for 2048). */
	n1 = sizeof(s1);
	ck_assert_int_eq(xg_pss_sign(key4096, 32, V_CT, sizeof(V_CT), s1, &n1), 0);
	ck_assert_int_eq(xg_pss_verify(key4096, 32, V_CT, sizeof(V_CT), s1, n1), 0);
	ck_assert_int_eq(xg_pss_verify(key4096, 478, V_CT, sizeof(V_CT), s1, n1), POLYCHAT_EAUTH);
	n1 = sizeof(s1);
	ck_assert_int_eq(xg_pss_sign(key2048, XG_PSS_SALT_MAX, V_CT, sizeof(V_CT), s1, &n1), 0);
	ck_assert_uint_eq(n1, 256);
	ck_assert_int_eq(xg_pss_verify(key2048, 222, V_CT, sizeof(V_CT), s1, n1), 0);
	ck_assert_int_eq(xg_pss_verify(key2048, 221, V_CT, sizeof(V_CT), s1, n1), POLYCHAT_EAUTH);
	/* An empty message is a message. */
	n1 = sizeof(s1);
	ck_assert_int_eq(xg_pss_sign(key2048, 222, NULL, 0, s1, &n1), 0);
	ck_assert_int_eq(xg_pss_verify(key2048, 222, NULL, 0, s1, n1), 0);

	n1 = 511;
	ck_assert_int_eq(xg_pss_sign(key4096, 478, V_CT, sizeof(V_CT), s1, &n1), POLYCHAT_ETOOBIG);
	ck_assert_uint_eq(n1, 511);
	n1 = sizeof(s1);
	ck_assert_int_eq(xg_pss_sign(key4096, 479, V_CT, sizeof(V_CT), s1, &n1), POLYCHAT_EINVAL);
	ck_assert_int_eq(xg_pss_sign(key4096, -2, V_CT, sizeof(V_CT), s1, &n1), POLYCHAT_EINVAL);
	EVP_PKEY *x = NULL;
	ck_assert_int_eq(xg_x25519_to_pkey(V_A_PRIV, &x), 0);
	ck_assert_int_eq(xg_pss_sign(x, 32, V_CT, sizeof(V_CT), s1, &n1), POLYCHAT_EINVAL);
	EVP_PKEY_free(x);
	/* A public key cannot sign. */
	EVP_PKEY *pub = test_key();
	ck_assert_int_eq(xg_pss_sign(pub, 478, V_CT, sizeof(V_CT), s1, &n1), POLYCHAT_ECRYPTO);
	EVP_PKEY_free(pub);
	ck_assert_int_eq(xg_rsa_generate(100, &x), POLYCHAT_EINVAL);
}
END_TEST

/* The PEM text of `der` under `label`. */
static size_t pem_of(const char *label, const uint8_t *der, long der_len, char *out,
	size_t cap)
{
	BIO *bio = BIO_new(BIO_s_mem());
	ck_assert_ptr_nonnull(bio);
	ck_assert_int_gt(PEM_write_bio(bio, label, "", der, der_len), 0);
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_lt((size_t)n, cap);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	BIO_free(bio);
	return (size_t)n;
}

START_TEST(public_pems_read_and_write_exactly)
{
	EVP_PKEY *k = test_key();
	char *pem = NULL;
	size_t len = 0;
	ck_assert_int_eq(xg_rsa_public_pem(H, k, &pem, &len), 0);
	ck_assert_uint_eq(len, 800);
	ck_assert_str_eq(pem, V_TEST_PEM);
	H->free(pem);

	char fp[65], fp2[65];
	ck_assert_int_eq(xg_public_fingerprint(k, fp), 0);
	ck_assert_uint_eq(strlen(fp), 64);
	ck_assert_uint_eq(strspn(fp, "0123456789abcdef"), 64);
	EVP_PKEY *again = test_key();
	ck_assert_int_eq(xg_public_fingerprint(again, fp2), 0);
	ck_assert_str_eq(fp, fp2);
	ck_assert_int_eq(xg_public_fingerprint(key4096, fp2), 0);
	ck_assert_str_ne(fp, fp2);
	/* A private key has the fingerprint of its public half. */
	ck_assert_int_eq(xg_rsa_public_pem(H, key4096, &pem, &len), 0);
	ck_assert_uint_eq(len, 800);
	EVP_PKEY *pub = NULL;
	ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)pem, len, 4096, 4096, &pub), 0);
	ck_assert_int_eq(xg_public_fingerprint(pub, fp), 0);
	ck_assert_str_eq(fp, fp2);
	ck_assert_int_eq(EVP_PKEY_eq(pub, key4096), 1);
	EVP_PKEY_free(pub);
	H->free(pem);
	ck_assert_int_eq(xg_rsa_public_pem(H, key2048, &pem, &len), 0);
	ck_assert_uint_eq(len, 451);
	EVP_PKEY *small = NULL;
	ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)pem, len, 4096, 4096, &small),
		POLYCHAT_ENOTSUP);
	ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)pem, len, 2048, 4096, &small), 0);
	EVP_PKEY_free(small);
	H->free(pem);

	/* PKCS#1 "RSA PUBLIC KEY" is read too; the first block counts. */
	uint8_t *der = NULL;
	int der_len = i2d_PublicKey(k, &der);
	ck_assert_int_gt(der_len, 0);
	static char text[8192];
	size_t n = pem_of("RSA PUBLIC KEY", der, der_len, text, sizeof(text));
	OPENSSL_free(der);
	memcpy(text + n, "junk after it\n", 15);
	ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)text, n + 14, 4096, 4096, &pub),
		0);
	ck_assert_int_eq(EVP_PKEY_eq(pub, k), 1);
	EVP_PKEY_free(pub);

	/* No public key in it. */
	const char *junk[] = { "", "hello",
		"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n" };
	for (size_t i = 0; i < N(junk); i++)
		ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)junk[i], strlen(junk[i]),
			1024, 16384, &pub), POLYCHAT_EPROTO);
	/* A truncated PEM. */
	ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)V_TEST_PEM, 700, 4096, 4096, &pub),
		POLYCHAT_EPROTO);
	/* The same DER under a label it does not have. */
	der = NULL;
	der_len = i2d_PUBKEY(k, &der);
	n = pem_of("RSA PUBLIC KEY", der, der_len, text, sizeof(text));
	ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)text, n, 1024, 16384, &pub),
		POLYCHAT_EPROTO);
	n = pem_of("CERTIFICATE", der, der_len, text, sizeof(text));
	ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)text, n, 1024, 16384, &pub),
		POLYCHAT_EPROTO);
	OPENSSL_free(der);
	/* A key, but not RSA. */
	EVP_PKEY *x = NULL;
	ck_assert_int_eq(xg_x25519_to_pkey(V_A_PRIV, &x), 0);
	ck_assert_int_eq(xg_rsa_public_pem(H, x, &pem, &len), 0);
	ck_assert_int_eq(xg_rsa_public_from_pem((const uint8_t *)pem, len, 1024, 16384, &pub),
		POLYCHAT_ENOTSUP);
	H->free(pem);
	EVP_PKEY_free(x);
	EVP_PKEY_free(again);
	EVP_PKEY_free(k);
}
END_TEST

/* --- §9.3 the message blob --- */

START_TEST(the_vector_blob_opens)
{
	EVP_PKEY *a_rsa = test_key();
	uint8_t text[V_BLOB_LEN];
	ck_assert_uint_eq(V_BLOB_LEN, 586);
	ck_assert_uint_eq(E2EE_BLOB_MIN, 556);
	ck_assert_uint_eq(E2EE_TEXT_MAX, 1465);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, a_rsa, V_BLOB, V_BLOB_LEN, text),
		V_TEXT_LEN);
	ck_assert_mem_eq(text, V_TEXT, V_TEXT_LEN);
	/* The same from the 1608 B receives. */
	uint8_t frame[E2EE_PACKET_MAX];
	memcpy(frame, V_RESP_MESSAGE_HEAD, sizeof(V_RESP_MESSAGE_HEAD));
	memcpy(frame + sizeof(V_RESP_MESSAGE_HEAD), V_BLOB, V_BLOB_LEN);
	uint16_t code;
	const uint8_t *p;
	size_t n;
	ck_assert_int_eq(e2ee_response_parse(frame, 603, &code, &p, &n), 603);
	ck_assert_uint_eq(code, E2EE_RESP_MESSAGE);
	ck_assert_mem_eq(p, V_PHONE_A, 10);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, a_rsa, p + 10, n - 10, text),
		V_TEXT_LEN);
	/* Static-static: A can read what it sent. */
	ck_assert_int_eq(e2ee_blob_open(V_A_PRIV, V_B_PUB, a_rsa, V_BLOB, V_BLOB_LEN, text),
		V_TEXT_LEN);
	/* Not with someone else's DH key, nor another sender's RSA key. */
	ck_assert_int_eq(e2ee_blob_open(V_A_PRIV, V_A_PUB, a_rsa, V_BLOB, V_BLOB_LEN, text),
		POLYCHAT_EAUTH);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, key4096, V_BLOB, V_BLOB_LEN, text),
		POLYCHAT_EAUTH);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, key2048, V_BLOB, V_BLOB_LEN, text),
		POLYCHAT_EAUTH);
	EVP_PKEY_free(a_rsa);
}
END_TEST

START_TEST(tampered_blobs_are_refused)
{
	EVP_PKEY *a_rsa = test_key();
	uint8_t blob[V_BLOB_LEN], text[V_BLOB_LEN];
	/* Every byte: salt and nonce break the tag, the rest the signature. */
	for (size_t i = 0; i < V_BLOB_LEN; i++) {
		memcpy(blob, V_BLOB, V_BLOB_LEN);
		blob[i] ^= (uint8_t)(1u << (i % 8));
		ck_assert_msg(e2ee_blob_open(V_B_PRIV, V_A_PUB, a_rsa, blob, V_BLOB_LEN, text) ==
			POLYCHAT_EAUTH, "byte %zu", i);
	}
	/* One byte short or long shifts what the signature covers. */
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, a_rsa, V_BLOB, V_BLOB_LEN - 1, text),
		POLYCHAT_EAUTH);
	uint8_t longer[V_BLOB_LEN + 1];
	memcpy(longer, V_BLOB, V_BLOB_LEN);
	longer[V_BLOB_LEN] = 0;
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, a_rsa, longer, sizeof(longer), text),
		POLYCHAT_EAUTH);
	/* Too short to hold salt, nonce, signature and tag. */
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, a_rsa, V_BLOB, 555, text),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, a_rsa, V_BLOB, 0, text),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, a_rsa, NULL, 0, text),
		POLYCHAT_EPROTO);
	EVP_PKEY_free(a_rsa);
}
END_TEST

START_TEST(sealing_reproduces_the_vector_frame)
{
	uint8_t blob[E2EE_PACKET_MAX], frame[E2EE_PACKET_MAX], field[E2EE_PHONE_LEN];
	uint8_t text[E2EE_PACKET_MAX];
	ck_assert_int_eq(e2ee_blob_seal(V_A_PRIV, key4096, V_B_PUB, V_SALT, V_NONCE,
		(const uint8_t *)V_TEXT, V_TEXT_LEN, blob), 586);
	e2ee_phone_field(field, V_PHONE_B);
	ck_assert_int_eq(e2ee_request_build(frame, sizeof(frame), E2EE_REQ_MESSAGE, V_PHONE_A,
		field, 10, blob, 586), 613);
	/* Byte for byte but the (randomised) signature, which verifies. */
	ck_assert_mem_eq(frame, V_REQ_MESSAGE, SIG_AT);
	ck_assert_mem_eq(frame + SIG_AT + 512, V_REQ_MESSAGE + SIG_AT + 512, 613 - SIG_AT - 512);
	ck_assert_mem_ne(frame + SIG_AT, V_REQ_MESSAGE + SIG_AT, 512);
	ck_assert_int_eq(xg_pss_verify(key4096, 478, V_CT, sizeof(V_CT), frame + SIG_AT, 512), 0);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, key4096, blob, 586, text), V_TEXT_LEN);
	ck_assert_mem_eq(text, V_TEXT, V_TEXT_LEN);

	/* Random salt and nonce: different blobs, same text. */
	uint8_t other[E2EE_PACKET_MAX];
	ck_assert_int_eq(e2ee_blob_seal(V_A_PRIV, key4096, V_B_PUB, NULL, NULL,
		(const uint8_t *)V_TEXT, V_TEXT_LEN, other), 586);
	ck_assert_mem_ne(other, blob, 28);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, key4096, other, 586, text), V_TEXT_LEN);
	ck_assert_mem_eq(text, V_TEXT, V_TEXT_LEN);

	/* The longest text fills a 2048-byte 829 exactly; one more is too much. */
	static uint8_t long_text[E2EE_TEXT_MAX + 1];
	memset(long_text, 'x', sizeof(long_text));
	ck_assert_int_eq(e2ee_blob_seal(V_A_PRIV, key4096, V_B_PUB, NULL, NULL, long_text,
		E2EE_TEXT_MAX, blob), E2EE_BLOB_MIN + E2EE_TEXT_MAX);
	ck_assert_int_eq(e2ee_request_build(frame, sizeof(frame), E2EE_REQ_MESSAGE, V_PHONE_A,
		field, 10, blob, E2EE_BLOB_MIN + E2EE_TEXT_MAX), 2048);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, key4096, blob,
		E2EE_BLOB_MIN + E2EE_TEXT_MAX, text), E2EE_TEXT_MAX);
	ck_assert_mem_eq(text, long_text, E2EE_TEXT_MAX);
	ck_assert_int_eq(e2ee_blob_seal(V_A_PRIV, key4096, V_B_PUB, NULL, NULL, long_text,
		E2EE_TEXT_MAX + 1, blob), POLYCHAT_ETOOBIG);
	/* The empty text. */
	ck_assert_int_eq(e2ee_blob_seal(V_A_PRIV, key4096, V_B_PUB, NULL, NULL, NULL, 0, blob),
		556);
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, key4096, blob, 556, text), 0);

	/* Only RSA-4096 makes the 512-byte signature the wire expects;
	 * a small-order DH key derives nothing. */
	static const uint8_t zero[32];
	ck_assert_int_eq(e2ee_blob_seal(V_A_PRIV, key2048, V_B_PUB, NULL, NULL,
		(const uint8_t *)V_TEXT, V_TEXT_LEN, blob), POLYCHAT_EINVAL);
	ck_assert_int_eq(e2ee_blob_seal(V_A_PRIV, key4096, zero, NULL, NULL,
		(const uint8_t *)V_TEXT, V_TEXT_LEN, blob), POLYCHAT_ECRYPTO);

	/* Text that is not UTF-8 is refused on opening, as decode() does. */
	static const uint8_t latin1[] = { 'h', 0xe9, 'l', 'l', 'o' };
	ck_assert_int_eq(e2ee_blob_seal(V_A_PRIV, key4096, V_B_PUB, NULL, NULL, latin1,
		sizeof(latin1), blob), 561);
	memset(text, 0x55, sizeof(latin1));
	ck_assert_int_eq(e2ee_blob_open(V_B_PRIV, V_A_PUB, key4096, blob, 561, text),
		POLYCHAT_EAUTH);
	ck_assert_uint_eq(text[0], 0);
}
END_TEST

/* --- §7.2 key bundles of 1603/1610 --- */

/* dh || pem || sig(dh) || sig(pem) signed by `server`. */
static size_t bundle(EVP_PKEY *server, const uint8_t *dh, const char *pem, size_t pem_len,
	uint8_t *out)
{
	memcpy(out, dh, 32);
	memcpy(out + 32, pem, pem_len);
	size_t n = 512;
	ck_assert_int_eq(xg_pss_sign(server, 478, dh, 32, out + 32 + pem_len, &n), 0);
	ck_assert_uint_eq(n, 512);
	ck_assert_int_eq(xg_pss_sign(server, 478, (const uint8_t *)pem, pem_len,
		out + 32 + pem_len + 512, &n), 0);
	ck_assert_uint_eq(n, 512);
	return 32 + pem_len + 1024;
}

START_TEST(key_bundles_open_only_when_signed)
{
	uint8_t p[E2EE_PACKET_MAX], bad[E2EE_PACKET_MAX], dh[32];
	size_t len = bundle(key4096, V_B_PUB, V_TEST_PEM, V_TEST_PEM_LEN, p);
	ck_assert_uint_eq(len, 1856);
	EVP_PKEY *peer = NULL, *want = test_key();
	ck_assert_int_eq(e2ee_keys_open(key4096, p, len, dh, &peer), 0);
	ck_assert_mem_eq(dh, V_B_PUB, 32);
	ck_assert_int_eq(EVP_PKEY_eq(peer, want), 1);
	EVP_PKEY_free(peer);
	peer = NULL;

	/* As a whole 1603 and 1610, framed and parsed. */
	uint8_t frame[E2EE_PACKET_MAX], field[10];
	uint16_t code;
	const uint8_t *pl;
	size_t plen;
	e2ee_phone_field(field, V_PHONE_B);
	ck_assert_int_eq(e2ee_response_build(frame, sizeof(frame), E2EE_RESP_SENDER_KEYS, field, 10,
		p, len, NULL, 0, NULL, 0), 1873);
	ck_assert_mem_eq(frame, V_RESP_SENDER_KEYS_HEAD, 7);
	ck_assert_int_eq(e2ee_response_parse(frame, 1873, &code, &pl, &plen), 1873);
	ck_assert_int_eq(e2ee_keys_open(key4096, pl + 10, plen - 10, dh, &peer), 0);
	EVP_PKEY_free(peer);
	peer = NULL;

	/* Another server's signatures. */
	ck_assert_int_eq(e2ee_keys_open(want, p, len, dh, &peer), POLYCHAT_EAUTH);
	/* The two signatures swapped. */
	memcpy(bad, p, len);
	memcpy(bad + len - 1024, p + len - 512, 512);
	memcpy(bad + len - 512, p + len - 1024, 512);
	ck_assert_int_eq(e2ee_keys_open(key4096, bad, len, dh, &peer), POLYCHAT_EAUTH);
	/* One byte changed in the DH, the PEM or either signature. */
	const size_t at[] = { 0, 31, 32, 500, 831, 832, 1343, 1344, 1855 };
	for (size_t i = 0; i < N(at); i++) {
		memcpy(bad, p, len);
		bad[at[i]] ^= 0x20;
		ck_assert_msg(e2ee_keys_open(key4096, bad, len, dh, &peer) == POLYCHAT_EAUTH,
			"byte %zu", at[i]);
	}
	/* Truncated: the slices move and the signatures fail; shorter than
	 * DH and two signatures is not a bundle. */
	ck_assert_int_eq(e2ee_keys_open(key4096, p, len - 1, dh, &peer), POLYCHAT_EAUTH);
	ck_assert_int_eq(e2ee_keys_open(key4096, p + 1, len - 1, dh, &peer), POLYCHAT_EAUTH);
	ck_assert_int_eq(e2ee_keys_open(key4096, p, 1055, dh, &peer), POLYCHAT_EPROTO);
	ck_assert_int_eq(e2ee_keys_open(key4096, p, 0, dh, &peer), POLYCHAT_EPROTO);
	ck_assert_ptr_null(peer);

	/* Signed, but the peer's key is RSA-2048, or no key at all. */
	char *pem2048 = NULL;
	size_t pem2048_len = 0;
	ck_assert_int_eq(xg_rsa_public_pem(H, key2048, &pem2048, &pem2048_len), 0);
	len = bundle(key4096, V_B_PUB, pem2048, pem2048_len, p);
	ck_assert_int_eq(e2ee_keys_open(key4096, p, len, dh, &peer), POLYCHAT_EPROTO);
	H->free(pem2048);
	len = bundle(key4096, V_B_PUB, "", 0, p);
	ck_assert_uint_eq(len, 1056);
	ck_assert_int_eq(e2ee_keys_open(key4096, p, len, dh, &peer), POLYCHAT_EPROTO);
	len = bundle(key4096, V_B_PUB, "not a pem", 9, p);
	ck_assert_int_eq(e2ee_keys_open(key4096, p, len, dh, &peer), POLYCHAT_EPROTO);
	ck_assert_ptr_null(peer);
	ck_assert_mem_eq(dh, V_B_PUB, 32);
	EVP_PKEY_free(want);
}
END_TEST

/* --- key files --- */

static int load(const char *path, const char *pub, enum xg_key_type type, unsigned bits,
	EVP_PKEY **key, int *created, char *why, size_t why_len)
{
	return xg_keyfile_load_or_create(H, path, pub, type, bits, key, created, why, why_len);
}

START_TEST(rsa_key_files_are_made_once)
{
	char path[256], pub[256], why[512];
	make_dir();
	path_in(path, sizeof(path), "server_private_key.pem");
	path_in(pub, sizeof(pub), "server_public_key.pem");
	/* The public file is readable whatever the umask. */
	mode_t old = umask(077);
	EVP_PKEY *k = NULL, *k2 = NULL;
	int created = -1;
	ck_assert_int_eq(load(path, pub, XG_KEY_RSA, 2048, &k, &created, why, sizeof(why)), 0);
	umask(old);
	ck_assert_int_eq(created, 1);
	ck_assert_int_eq(EVP_PKEY_get_bits(k), 2048);
	ck_assert_uint_eq(mode_of(path), 0600);
	ck_assert_uint_eq(mode_of(pub), 0644);
	size_t len;
	char *text = get_file(path, &len);
	ck_assert_ptr_nonnull(strstr(text, "-----BEGIN PRIVATE KEY-----\n"));
	free(text);
	char *pem;
	size_t pem_len;
	ck_assert_int_eq(xg_rsa_public_pem(H, k, &pem, &pem_len), 0);
	text = get_file(pub, &len);
	ck_assert_uint_eq(len, 451);
	ck_assert_str_eq(text, pem);
	free(text);
	/* Nothing else is left in the directory. */
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d)) != NULL)
		files += e->d_name[0] != '.';
	closedir(d);
	ck_assert_int_eq(files, 2);

	/* Again: the same key, nothing made. */
	created = -1;
	ck_assert_int_eq(load(path, pub, XG_KEY_RSA, 2048, &k2, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 0);
	ck_assert_int_eq(EVP_PKEY_eq(k, k2), 1);
	EVP_PKEY_free(k2);
	/* A missing or stale public file is written again. */
	ck_assert_int_eq(unlink(pub), 0);
	ck_assert_int_eq(load(path, pub, XG_KEY_RSA, 2048, &k2, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 0);
	EVP_PKEY_free(k2);
	text = get_file(pub, &len);
	ck_assert_str_eq(text, pem);
	free(text);
	ck_assert_uint_eq(mode_of(pub), 0644);
	put_file(pub, V_TEST_PEM, V_TEST_PEM_LEN);
	ck_assert_int_eq(load(path, pub, XG_KEY_RSA, 2048, &k2, NULL, why, sizeof(why)), 0);
	EVP_PKEY_free(k2);
	text = get_file(pub, &len);
	ck_assert_str_eq(text, pem);
	free(text);
	H->free(pem);
	/* No public file asked for: none needed. */
	ck_assert_int_eq(unlink(pub), 0);
	ck_assert_int_eq(load(path, NULL, XG_KEY_RSA, 2048, &k2, NULL, why, 0), 0);
	EVP_PKEY_free(k2);
	ck_assert_int_eq(access(pub, F_OK), -1);

	/* The wrong size or type for what the caller needs. */
	k2 = NULL;
	ck_assert_int_eq(load(path, pub, XG_KEY_RSA, 4096, &k2, &created, why, sizeof(why)),
		POLYCHAT_EPROTO);
	ck_assert_ptr_null(k2);
	ck_assert_ptr_nonnull(strstr(why, path));
	ck_assert_ptr_nonnull(strstr(why, "2048"));
	ck_assert_int_eq(load(path, NULL, XG_KEY_X25519, 0, &k2, NULL, why, sizeof(why)),
		POLYCHAT_EPROTO);
	ck_assert_ptr_nonnull(strstr(why, path));
	ck_assert_ptr_null(k2);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(x25519_key_files_hold_the_raw_key)
{
	char path[256], pub[256], why[512];
	make_dir();
	path_in(path, sizeof(path), "dh_private_key.pem");
	path_in(pub, sizeof(pub), "dh_public_key.pem");
	EVP_PKEY *k = NULL, *k2 = NULL;
	int created = 0;
	uint8_t raw[32], raw2[32], pubraw[32];
	ck_assert_int_eq(load(path, pub, XG_KEY_X25519, 0, &k, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 1);
	ck_assert_uint_eq(mode_of(path), 0600);
	ck_assert_uint_eq(mode_of(pub), 0644);
	ck_assert_int_eq(xg_x25519_from_pkey(k, raw), 0);
	ck_assert_int_eq(load(path, pub, XG_KEY_X25519, 0, &k2, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 0);
	ck_assert_int_eq(xg_x25519_from_pkey(k2, raw2), 0);
	ck_assert_mem_eq(raw, raw2, 32);
	/* The public file is the SPKI of the raw public key. */
	size_t len;
	char *text = get_file(pub, &len);
	EVP_PKEY *pk = NULL;
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(pk);
	size_t n = 32;
	ck_assert_int_eq(EVP_PKEY_get_raw_public_key(pk, pubraw, &n), 1);
	ck_assert_int_eq(xg_x25519_public(raw, raw2), 0);
	ck_assert_mem_eq(pubraw, raw2, 32);
	EVP_PKEY_free(pk);
	BIO_free(bio);
	free(text);
	EVP_PKEY_free(k2);
	k2 = NULL;
	ck_assert_int_eq(load(path, NULL, XG_KEY_RSA, 4096, &k2, NULL, why, sizeof(why)),
		POLYCHAT_EPROTO);
	ck_assert_ptr_nonnull(strstr(why, path));
	ck_assert_ptr_nonnull(strstr(why, "X25519"));
	EVP_PKEY_free(k);

	/* The RFC 7748 key written by someone else (PKCS#8) loads as is. */
	path_in(path, sizeof(path), "given.pem");
	ck_assert_int_eq(xg_x25519_to_pkey(V_B_PRIV, &k), 0);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	EVP_PKEY_free(k);
	ck_assert_int_eq(load(path, NULL, XG_KEY_X25519, 0, &k, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 0);
	ck_assert_int_eq(xg_x25519_from_pkey(k, raw), 0);
	ck_assert_mem_eq(raw, V_B_PRIV, 32);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(bad_key_files_are_refused)
{
	char path[256], why[512];
	EVP_PKEY *k = NULL;
	make_dir();
	path_in(path, sizeof(path), "key.pem");

	/* Garbage, an empty file, a public key alone. */
	const char *texts[] = { "garbage\n", "", V_TEST_PEM,
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" };
	for (size_t i = 0; i < N(texts); i++) {
		put_file(path, texts[i], strlen(texts[i]));
		why[0] = '\0';
		ck_assert_msg(load(path, NULL, XG_KEY_RSA, 4096, &k, NULL, why, sizeof(why)) ==
			POLYCHAT_EPROTO, "%zu", i);
		ck_assert_ptr_nonnull(strstr(why, path));
		ck_assert_ptr_null(k);
		/* Never replaced: it may be an operator's mistake to fix. */
		size_t len;
		char *text = get_file(path, &len);
		ck_assert_str_eq(text, texts[i]);
		free(text);
	}

	/* PKCS#1 "RSA PRIVATE KEY" is read; an encrypted key is refused
	 * without a prompt. */
	BIO *out = BIO_new_file(path, "w");
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(PEM_write_bio_PrivateKey_traditional(out, key4096, NULL, NULL, 0, NULL,
		NULL), 1);
	BIO_free(out);
	size_t len;
	char *text = get_file(path, &len);
	ck_assert_ptr_nonnull(strstr(text, "BEGIN RSA PRIVATE KEY"));
	free(text);
	int created = -1;
	ck_assert_int_eq(load(path, NULL, XG_KEY_RSA, 4096, &k, &created, why, sizeof(why)), 0);
	ck_assert_int_eq(created, 0);
	ck_assert_int_eq(EVP_PKEY_eq(k, key4096), 1);
	EVP_PKEY_free(k);
	k = NULL;
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_PrivateKey(f, key2048, EVP_aes_256_cbc(),
		(const unsigned char *)"secret", 6, NULL, NULL), 1);
	fclose(f);
	ck_assert_int_eq(load(path, NULL, XG_KEY_RSA, 2048, &k, NULL, why, sizeof(why)),
		POLYCHAT_EPROTO);
	ck_assert_ptr_nonnull(strstr(why, path));

	/* Over 64 KiB. */
	static char big[(64 << 10) + 1];
	memset(big, '\n', sizeof(big));
	put_file(path, big, sizeof(big));
	ck_assert_int_eq(load(path, NULL, XG_KEY_RSA, 2048, &k, NULL, why, sizeof(why)),
		POLYCHAT_EIO);
	ck_assert_ptr_nonnull(strstr(why, path));

	/* Nowhere to write a new key; a directory in the way. */
	char nowhere[300];
	snprintf(nowhere, sizeof(nowhere), "%s/no/such/dir/key.pem", dir);
	ck_assert_int_eq(load(nowhere, NULL, XG_KEY_X25519, 0, &k, NULL, why, sizeof(why)),
		POLYCHAT_EIO);
	ck_assert_ptr_nonnull(strstr(why, nowhere));
	ck_assert_int_eq(load(dir, NULL, XG_KEY_X25519, 0, &k, NULL, why, sizeof(why)),
		POLYCHAT_EIO);
	ck_assert_ptr_nonnull(strstr(why, dir));
	/* A public file that cannot be written. */
	path_in(path, sizeof(path), "x.pem");
	ck_assert_int_eq(load(path, nowhere, XG_KEY_X25519, 0, &k, NULL, why, sizeof(why)),
		POLYCHAT_EIO);
	ck_assert_ptr_nonnull(strstr(why, nowhere));
	ck_assert_ptr_null(k);
	/* No room for a reason is fine. */
	ck_assert_int_eq(load(nowhere, NULL, XG_KEY_X25519, 0, &k, NULL, NULL, 0), POLYCHAT_EIO);
}
END_TEST

START_TEST(racing_creators_share_one_key)
{
	enum { RACERS = 6 };
	char path[256];
	make_dir();
	path_in(path, sizeof(path), "race.pem");
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pids[RACERS];
	for (int i = 0; i < RACERS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			uint8_t out[33] = { 0 };
			EVP_PKEY *k = NULL;
			int created = 0;
			char why[256];
			if (xg_keyfile_load_or_create(H, path, NULL, XG_KEY_X25519, 0, &k, &created,
				    why, sizeof(why)) == 0 && xg_x25519_from_pkey(k, out + 1) == 0)
				out[0] = (uint8_t)(created ? 2 : 1);
			EVP_PKEY_free(k);
			ssize_t w = write(fds[1], out, sizeof(out));
			_exit(w == (ssize_t)sizeof(out) ? 0 : 1);
		}
	}
	close(fds[1]);
	uint8_t first[33], got[33];
	int made = 0;
	for (int i = 0; i < RACERS; i++) {
		ck_assert_int_eq(read(fds[0], got, sizeof(got)), (ssize_t)sizeof(got));
		ck_assert_uint_ne(got[0], 0);
		made += got[0] == 2;
		if (i == 0)
			memcpy(first, got + 1, 32);
		ck_assert_mem_eq(got + 1, first, 32);
	}
	close(fds[0]);
	for (int i = 0; i < RACERS; i++) {
		int status;
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_int_eq(made, 1);
	EVP_PKEY *k = NULL;
	uint8_t raw[32];
	ck_assert_int_eq(load(path, NULL, XG_KEY_X25519, 0, &k, NULL, NULL, 0), 0);
	ck_assert_int_eq(xg_x25519_from_pkey(k, raw), 0);
	ck_assert_mem_eq(raw, first, 32);
	EVP_PKEY_free(k);
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("e2ee-chat codec");
	TCase *frames = tcase_create("frames");
	tcase_add_checked_fixture(frames, setup, teardown);
	tcase_add_test(frames, requests_build_as_the_vectors);
	tcase_add_test(frames, requests_parse_to_their_fields);
	tcase_add_test(frames, responses_build_and_parse_as_the_vectors);
	tcase_add_test(frames, truncated_requests_need_more_bytes);
	tcase_add_test(frames, bad_headers_close_without_reply);
	tcase_add_test(frames, bad_phones_close_without_reply);
	tcase_add_test(frames, builders_refuse_what_does_not_fit);
	tcase_add_test(frames, phone_helpers);
	suite_add_tcase(s, frames);
	TCase *prims = tcase_create("primitives");
	tcase_add_checked_fixture(prims, setup, teardown);
	tcase_add_test(prims, x25519_matches_rfc7748);
	tcase_add_test(prims, small_order_peers_are_refused);
	tcase_add_test(prims, hkdf_matches_rfc5869_and_the_vector);
	tcase_add_test(prims, gcm_matches_the_vector_and_detects_tampering);
	tcase_add_test(prims, vector_signatures_verify_only_with_salt_478);
	tcase_add_test(prims, generated_keys_sign_with_the_maximum_salt);
	tcase_add_test(prims, public_pems_read_and_write_exactly);
	suite_add_tcase(s, prims);
	TCase *blob = tcase_create("blob");
	tcase_add_checked_fixture(blob, setup, teardown);
	tcase_add_test(blob, the_vector_blob_opens);
	tcase_add_test(blob, tampered_blobs_are_refused);
	tcase_add_test(blob, sealing_reproduces_the_vector_frame);
	tcase_add_test(blob, key_bundles_open_only_when_signed);
	suite_add_tcase(s, blob);
	TCase *files = tcase_create("key files");
	tcase_add_checked_fixture(files, setup, teardown);
	/* Each RSA-2048 made here takes a fraction of a second, more
	 * under the sanitizers. */
	tcase_set_timeout(files, 120);
	tcase_add_test(files, rsa_key_files_are_made_once);
	tcase_add_test(files, x25519_key_files_hold_the_raw_key);
	tcase_add_test(files, bad_key_files_are_refused);
	tcase_add_test(files, racing_creators_share_one_key);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	/* One RSA-4096 key for the whole run: the forked tests inherit it. */
	if (xg_rsa_generate(4096, &key4096) != 0 || xg_rsa_generate(2048, &key2048) != 0) {
		fprintf(stderr, "cannot generate the test RSA keys\n");
		return EXIT_FAILURE;
	}
	int rc = pc_check_run(codec_suite());
	EVP_PKEY_free(key4096);
	EVP_PKEY_free(key2048);
	return rc;
}
