/* SPDX-License-Identifier: MIT */
/* e2ee-chat end to end: the real polychatd with crypto-x25519-gcm, auth-otp and store-sqlite, driven with the original client's frames and reads. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "e2ee-peer.h"
#include "harness.h"
#include "../check-run.h"

#define A_PHONE "0501234567"
#define B_PHONE "0527654321"
#define C_PHONE "0541112222"

static struct h_daemon d;
static struct ep_identity a, b, c;

static void identities(void)
{
	ck_assert_int_eq(ep_identity(&a, A_PHONE), 0);
	ck_assert_int_eq(ep_identity(&b, B_PHONE), 0);
	ck_assert_int_eq(ep_identity(&c, C_PHONE), 0);
}

static void forget_identities(void)
{
	ep_identity_free(&a);
	ep_identity_free(&b);
	ep_identity_free(&c);
}

/* One e2ee-chat listener on SQLite with echo OTPs; `options` and
 * `auth_options` are the insides of the two maps. The server key is
 * written first unless `make_key` (then the daemon generates one). */
static int start(const char *options, const char *auth_options, int make_key)
{
	char keys[512], path[512];
	snprintf(keys, sizeof(keys),
		"    auth: otp\n"
		"    auth_options: {%s}\n"
		"    store: main\n", auth_options ? auth_options : "");
	if (!make_key) {
		snprintf(path, sizeof(path), "%s/e2ee-chat-server-key.pem", d.dir);
		ck_assert_int_eq(ep_write_private_key(path), 0);
	}
	h_write_single(&d, &(struct h_single){
		.top = "stores:\n"
			"  main: {backend: sqlite, options: {path: e2ee.db}}\n",
		.name = "e2ee", .suite = "e2ee-chat", .keys = keys,
		.options = options ? options : "" });
	return h_daemon_start_one(&d, "e2ee");
}

static int restart(void)
{
	return h_daemon_start_one(&d, "e2ee");
}

/* The server's public key as the daemon wrote it for its clients. */
static EVP_PKEY *server_public(void)
{
	char path[512];
	static uint8_t pem[8192];
	snprintf(path, sizeof(path), "%s/e2ee-chat-server-public.pem", d.dir);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	EVP_PKEY *key = NULL;
	ck_assert_int_eq(xg_rsa_public_from_pem(pem, n, 4096, 4096, &key), 0);
	return key;
}

static void phone_field(uint8_t out[E2EE_PHONE_LEN], const char *phone)
{
	e2ee_phone_field(out, phone);
}

/* --- registration, keys, login, key lookup --- */

START_TEST(register_login_and_signed_keys)
{
	identities();
	int port = start(NULL, NULL, 0);
	ck_assert_int_gt(port, 0);
	struct ep_conn ca, cb;
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	ck_assert_int_eq(ep_register(&cb, port, &b), 0);
	ep_close(&ca);

	struct ep_frame f;
	ck_assert_int_eq(ep_login(&ca, port, &a, &f), 0);
	ck_assert_uint_eq(f.code, E2EE_RESP_LOGIN);
	ck_assert_uint_eq(f.len, 0);

	/* 828: B's keys exactly as uploaded, signed by the server. */
	uint8_t phone[E2EE_PHONE_LEN], dh[XG_X25519_LEN];
	EVP_PKEY *peer = NULL, *server = server_public();
	phone_field(phone, B_PHONE);
	ck_assert_int_eq(ep_send(&ca, E2EE_REQ_RECIPIENT_KEYS, A_PHONE, phone, 10, NULL, 0), 0);
	ck_assert_int_eq(ep_read(&ca, &f), 0);
	ck_assert_uint_eq(f.code, E2EE_RESP_RECIPIENT_KEYS);
	ck_assert_uint_eq(f.len, 32 + b.pem_len + 1024);
	ck_assert_int_eq(e2ee_keys_open(server, f.payload, f.len, dh, &peer), 0);
	ck_assert_mem_eq(dh, b.dh_pub, 32);
	ck_assert_mem_eq(f.payload + 32, b.pem, b.pem_len);
	EVP_PKEY_free(peer);
	/* A signature over other bytes does not verify. */
	f.payload[0] ^= 1;
	ck_assert_int_eq(e2ee_keys_open(server, f.payload, f.len, dh, &peer), POLYCHAT_EAUTH);

	/* 832: the same after the owner's phone. */
	ck_assert_int_eq(ep_send(&ca, E2EE_REQ_SENDER_KEYS, A_PHONE, phone, 10, NULL, 0), 0);
	ck_assert_int_eq(ep_read(&ca, &f), 0);
	ck_assert_uint_eq(f.code, E2EE_RESP_SENDER_KEYS);
	ck_assert_mem_eq(f.payload, phone, 10);
	ck_assert_int_eq(e2ee_keys_open(server, f.payload + 10, f.len - 10, dh, &peer), 0);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(server);

	/* 828 for a number without keys: 1607 and the close. */
	phone_field(phone, C_PHONE);
	ck_assert_int_eq(ep_send(&ca, E2EE_REQ_RECIPIENT_KEYS, A_PHONE, phone, 10, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&ca, E2EE_RESP_ERROR), 0);
	ck_assert_int_eq(ep_expect_eof(&ca), 0);
	ep_close(&ca);
	ep_close(&cb);
	forget_identities();
}
END_TEST

/* §5.10's answers, and the hardening of §12. */
START_TEST(registration_and_login_errors)
{
	identities();
	int port = start(NULL, NULL, 0);
	struct ep_conn x, y;
	struct ep_frame f;
	ck_assert_int_eq(ep_register(&x, port, &a), 0);
	ep_close(&x);

	/* Registered twice: 1601, close. */
	ck_assert_int_eq(ep_connect(&x, port), 0);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_REGISTER, A_PHONE, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&x, E2EE_RESP_REGISTRATION_FAILED), 0);
	ck_assert_int_eq(ep_expect_eof(&x), 0);
	ep_close(&x);

	/* A phone of 9 characters: closed without a reply. */
	ck_assert_int_eq(ep_connect(&x, port), 0);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_REGISTER, "050123456", NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(ep_expect_eof(&x), 0);
	ep_close(&x);

	/* Unknown number, and registered but never verified: 1606. */
	ck_assert_int_eq(ep_connect(&x, port), 0);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_LOGIN, C_PHONE, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&x, E2EE_RESP_LOGIN_FAILED), 0);
	ck_assert_int_eq(ep_expect_eof(&x), 0);
	ep_close(&x);
	ck_assert_int_eq(ep_connect(&x, port), 0);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_REGISTER, B_PHONE, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(ep_read(&x, &f), 0);
	ck_assert_uint_eq(f.code, E2EE_RESP_REGISTRATION);
	uint8_t otp[4];
	memcpy(otp, f.payload, 4);
	ck_assert_int_eq(ep_connect(&y, port), 0);
	ck_assert_int_eq(ep_send(&y, E2EE_REQ_LOGIN, B_PHONE, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&y, E2EE_RESP_LOGIN_FAILED), 0);
	ep_close(&y);

	/* The code on another connection than the registering one: 1607. */
	ck_assert_int_eq(ep_connect(&y, port), 0);
	ck_assert_int_eq(ep_send(&y, E2EE_REQ_OTP, B_PHONE, otp, 4, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&y, E2EE_RESP_ERROR), 0);
	ck_assert_int_eq(ep_expect_eof(&y), 0);
	ep_close(&y);

	/* Keys before the code: 1607, close. */
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_SEND_PUBLIC_KEYS, B_PHONE, b.dh_pub, 32,
		b.pem, b.pem_len), 0);
	ck_assert_int_eq(ep_expect(&x, E2EE_RESP_ERROR), 0);
	ck_assert_int_eq(ep_expect_eof(&x), 0);
	ep_close(&x);

	/* A wrong code: 1607, close; not logged. */
	ck_assert_int_eq(ep_connect(&x, port), 0);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_REGISTER, C_PHONE, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(ep_read(&x, &f), 0);
	ck_assert_uint_eq(f.code, E2EE_RESP_REGISTRATION);
	uint32_t code = (uint32_t)f.payload[0] << 24 | (uint32_t)f.payload[1] << 16 |
		(uint32_t)f.payload[2] << 8 | f.payload[3];
	ck_assert_uint_ge(code, 100000);
	ck_assert_uint_le(code, 999999);
	uint32_t wrong = code == 999999 ? 100000 : code + 1;
	uint8_t w[4] = { (uint8_t)(wrong >> 24), (uint8_t)(wrong >> 16), (uint8_t)(wrong >> 8),
		(uint8_t)wrong };
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_OTP, C_PHONE, w, 4, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&x, E2EE_RESP_ERROR), 0);
	ck_assert_int_eq(ep_expect_eof(&x), 0);
	ep_close(&x);
	char text[16];
	snprintf(text, sizeof(text), "%u", (unsigned)code);
	ck_assert(!h_log_has(&d, text));

	/* Keys twice: 1607. */
	ck_assert_int_eq(ep_login(&x, port, &a, NULL), 0);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_SEND_PUBLIC_KEYS, A_PHONE, a.dh_pub, 32,
		a.pem, a.pem_len), 0);
	ck_assert_int_eq(ep_expect(&x, E2EE_RESP_ERROR), 0);
	ep_close(&x);

	/* A request for another phone than the one logged in with: 1607. */
	ck_assert_int_eq(ep_login(&x, port, &a, NULL), 0);
	uint8_t phone[E2EE_PHONE_LEN];
	phone_field(phone, A_PHONE);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_MESSAGE_RECEIVED, B_PHONE, phone, 10, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&x, E2EE_RESP_ERROR), 0);
	ck_assert_int_eq(ep_expect_eof(&x), 0);
	ep_close(&x);

	/* Requests before any login: 1607. */
	ck_assert_int_eq(ep_connect(&x, port), 0);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_RECIPIENT_KEYS, A_PHONE, phone, 10, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&x, E2EE_RESP_ERROR), 0);
	ep_close(&x);
	forget_identities();
}
END_TEST

/* Keys that are not what the original uploads are refused (§12). */
START_TEST(keys_are_validated)
{
	identities();
	int port = start(NULL, NULL, 0);
	struct ep_conn x;
	struct ep_frame f;
	static const char *const bad[] = { "short dh", "not a pem" };
	for (int i = 0; i < 2; i++) {
		char phone[11];
		snprintf(phone, sizeof(phone), "05000000%02d", i);
		ck_assert_int_eq(ep_connect(&x, port), 0);
		ck_assert_int_eq(ep_send(&x, E2EE_REQ_REGISTER, phone, NULL, 0, NULL, 0), 0);
		ck_assert_int_eq(ep_read(&x, &f), 0);
		ck_assert_int_eq(ep_send(&x, E2EE_REQ_OTP, phone, f.payload, 4, NULL, 0), 0);
		ck_assert_int_eq(ep_expect(&x, E2EE_RESP_OTP_OK), 0);
		if (i == 0)
			ck_assert_int_eq(ep_send(&x, E2EE_REQ_SEND_PUBLIC_KEYS, phone, a.dh_pub, 31,
				NULL, 0), 0);
		else
			ck_assert_int_eq(ep_send(&x, E2EE_REQ_SEND_PUBLIC_KEYS, phone, a.dh_pub, 32,
				bad[i], strlen(bad[i])), 0);
		ck_assert_int_eq(ep_expect(&x, E2EE_RESP_ERROR), 0);
		ck_assert_int_eq(ep_expect_eof(&x), 0);
		ep_close(&x);
	}
	forget_identities();
}
END_TEST

/* An expired code removes the registration: the number may register
 * again (§5.2). */
START_TEST(expired_code_removes_the_registration)
{
	identities();
	int port = start(NULL, "validity_s: 1", 0);
	struct ep_conn x;
	struct ep_frame f;
	ck_assert_int_eq(ep_connect(&x, port), 0);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_REGISTER, A_PHONE, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(ep_read(&x, &f), 0);
	ck_assert_uint_eq(f.code, E2EE_RESP_REGISTRATION);
	/* Time itself is what is tested: the code must be older than 1 s. */
	h_pause_ms(2100);
	ck_assert_int_eq(ep_send(&x, E2EE_REQ_OTP, A_PHONE, f.payload, 4, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&x, E2EE_RESP_ERROR), 0);
	ck_assert_int_eq(ep_expect_eof(&x), 0);
	ep_close(&x);
	ck_assert_int_eq(ep_register(&x, port, &a), 0);
	ep_close(&x);
	forget_identities();
}
END_TEST

/* What the original closes without a reply, and a stuck request. */
START_TEST(malformed_requests_close_without_reply)
{
	int port = start("frame_timeout_ms: 300", NULL, 0);
	struct ep_conn x;
	static const uint8_t unknown_code[17] = "0501234567\x01\x03\x00\0\0\0\0";
	static const uint8_t otp_short[20] = "0501234567\x01\x03\x3f\0\0\0\x03\x01\x02\x03";
	static const uint8_t too_big[17] = "0501234567\x01\x03\x3d\0\0\x08\x00";
	static const uint8_t bad_utf8[17] = "050123456\xff\x01\x03\x39\0\0\0\0";
	const struct { const uint8_t *bytes; size_t len; } cases[] = {
		{ unknown_code, sizeof(unknown_code) },
		{ otp_short, sizeof(otp_short) },
		{ too_big, sizeof(too_big) },
		{ bad_utf8, sizeof(bad_utf8) },
		{ unknown_code, 9 },  /* half a header, then nothing */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(ep_connect(&x, port), 0);
		ck_assert_int_eq(ep_send_raw(&x, cases[i].bytes, cases[i].len), 0);
		ck_assert_int_eq(ep_expect_eof(&x), 0);
		ep_close(&x);
	}
	ck_assert(h_log_contains(&d, "request not completed in time"));
}
END_TEST

/* --- messages --- */

START_TEST(online_relay_both_ways)
{
	identities();
	int port = start(NULL, NULL, 0);
	struct ep_conn ca, cb;
	struct ep_frame f;
	char text[E2EE_PACKET_MAX];
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	ck_assert_int_eq(ep_register(&cb, port, &b), 0);

	/* The push reaches B alone in its read; the 1609 reaches A. */
	ck_assert_int_eq(ep_message(&ca, &a, &b, "hello B, h\xc3\xa9llo \xe2\x9c\x93"), 0);
	ck_assert_int_eq(ep_read(&cb, &f), 0);
	ck_assert_int_eq(ep_open_message(&f, &b, &a, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "hello B, h\xc3\xa9llo \xe2\x9c\x93");
	ck_assert_int_eq(ep_message(&cb, &b, &a, "and back"), 0);
	ck_assert_int_eq(ep_read(&ca, &f), 0);
	ck_assert_int_eq(ep_open_message(&f, &a, &b, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "and back");

	/* The client's 830 after a push finds nothing more: 1611. */
	uint8_t phone[E2EE_PHONE_LEN];
	phone_field(phone, A_PHONE);
	ck_assert_int_eq(ep_send(&cb, E2EE_REQ_MESSAGE_RECEIVED, B_PHONE, phone, 10, NULL, 0), 0);
	ck_assert_int_eq(ep_expect(&cb, E2EE_RESP_LISTENING), 0);

	/* To oneself: the 1609 and the push come apart. */
	ck_assert_int_eq(ep_message(&ca, &a, &a, "note to self"), 0);
	ck_assert_int_eq(ep_read(&ca, &f), 0);
	ck_assert_int_eq(ep_open_message(&f, &a, &a, text, sizeof(text)), 0);

	/* To a number nobody registered: 1609 and nothing kept (§12). */
	ck_assert_int_eq(ep_message(&ca, &a, &c, "to nobody"), 0);
	ck_assert(h_log_contains(&d, "dropped"));
	ep_close(&ca);
	ep_close(&cb);
	forget_identities();
}
END_TEST

/* Queued while B is away, kept across a restart, handed out in order,
 * each once. */
static void expect_three_in_order(int port)
{
	struct ep_conn cb;
	struct ep_frame f;
	char text[E2EE_PACKET_MAX];
	uint8_t phone[E2EE_PHONE_LEN];
	phone_field(phone, A_PHONE);
	ck_assert_int_eq(ep_login(&cb, port, &b, &f), 0);
	for (int i = 1; i <= 3; i++) {
		char want[32];
		snprintf(want, sizeof(want), "queued %d", i);
		ck_assert_uint_eq(f.code, E2EE_RESP_MESSAGE);
		ck_assert_int_eq(ep_open_message(&f, &b, &a, text, sizeof(text)), 0);
		ck_assert_str_eq(text, want);
		ck_assert_int_eq(ep_send(&cb, E2EE_REQ_MESSAGE_RECEIVED, B_PHONE, phone, 10,
			NULL, 0), 0);
		ck_assert_int_eq(ep_read(&cb, &f), 0);
	}
	ck_assert_uint_eq(f.code, E2EE_RESP_LISTENING);
	ep_close(&cb);
	/* Nothing is handed out twice. */
	ck_assert_int_eq(ep_login(&cb, port, &b, &f), 0);
	ck_assert_uint_eq(f.code, E2EE_RESP_LOGIN);
	ep_close(&cb);
}

static void queue_three(int port)
{
	struct ep_conn ca, cb;
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	ck_assert_int_eq(ep_register(&cb, port, &b), 0);
	ep_close(&cb);
	/* B's connection is gone: its online entry with it (§11.1). */
	for (int i = 1; i <= 3; i++) {
		char text[32];
		snprintf(text, sizeof(text), "queued %d", i);
		ck_assert_int_eq(ep_message(&ca, &a, &b, text), 0);
	}
	ep_close(&ca);
}

START_TEST(offline_queue_survives_a_restart_in_order)
{
	identities();
	int port = start(NULL, NULL, 0);
	queue_three(port);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	port = restart();
	ck_assert_int_gt(port, 0);
	expect_three_in_order(port);
	forget_identities();
}
END_TEST

START_TEST(kill_9_after_1609_loses_nothing)
{
	identities();
	int port = start(NULL, NULL, 0);
	queue_three(port);
	h_daemon_signal(&d, SIGKILL);
	ck_assert_int_eq(h_daemon_stop(&d), -1); /* reaped: it died by the signal */
	port = restart();
	ck_assert_int_gt(port, 0);
	expect_three_in_order(port);
	forget_identities();
}
END_TEST

START_TEST(full_queue_is_refused)
{
	identities();
	int port = start("max_queue: 2", NULL, 0);
	struct ep_conn ca, cb;
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	ck_assert_int_eq(ep_register(&cb, port, &b), 0);
	ep_close(&cb);
	ck_assert_int_eq(ep_message(&ca, &a, &b, "one"), 0);
	ck_assert_int_eq(ep_message(&ca, &a, &b, "two"), 0);
	uint8_t blob[E2EE_PACKET_MAX], phone[E2EE_PHONE_LEN];
	long n = e2ee_blob_seal(a.dh_priv, a.rsa, b.dh_pub, NULL, NULL,
		(const uint8_t *)"three", 5, blob);
	phone_field(phone, B_PHONE);
	ck_assert_int_eq(ep_send(&ca, E2EE_REQ_MESSAGE, A_PHONE, phone, 10, blob, (size_t)n), 0);
	ck_assert_int_eq(ep_expect(&ca, E2EE_RESP_ERROR), 0);
	ck_assert_int_eq(ep_expect_eof(&ca), 0);
	ck_assert(h_log_contains(&d, "queue is full"));
	ep_close(&ca);
	forget_identities();
}
END_TEST

/* A second login takes the online entry; the first connection goes. */
START_TEST(second_login_takes_over)
{
	identities();
	int port = start(NULL, NULL, 0);
	struct ep_conn ca, b1, b2;
	struct ep_frame f;
	char text[E2EE_PACKET_MAX];
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	ck_assert_int_eq(ep_register(&b1, port, &b), 0);
	ck_assert_int_eq(ep_login(&b2, port, &b, NULL), 0);
	ck_assert_int_eq(ep_expect_eof(&b1), 0);
	ck_assert_int_eq(ep_message(&ca, &a, &b, "to the new one"), 0);
	ck_assert_int_eq(ep_read(&b2, &f), 0);
	ck_assert_int_eq(ep_open_message(&f, &b, &a, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "to the new one");
	ep_close(&ca);
	ep_close(&b1);
	ep_close(&b2);
	forget_identities();
}
END_TEST

/* Without a key file the daemon makes one on the thread pool; a lookup
 * meanwhile waits for it, and the public file verifies the answer. */
START_TEST(server_key_is_generated_when_absent)
{
	identities();
	int port = start(NULL, NULL, 1);
	ck_assert_int_gt(port, 0);
	struct ep_conn ca;
	struct ep_frame f;
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	uint8_t phone[E2EE_PHONE_LEN], dh[XG_X25519_LEN];
	phone_field(phone, A_PHONE);
	ck_assert_int_eq(ep_send(&ca, E2EE_REQ_RECIPIENT_KEYS, A_PHONE, phone, 10, NULL, 0), 0);
	ck_assert_int_eq(ep_read(&ca, &f), 0);
	ck_assert_uint_eq(f.code, E2EE_RESP_RECIPIENT_KEYS);
	ck_assert(h_log_contains(&d, "created RSA-4096 signing key"));
	EVP_PKEY *server = server_public(), *peer = NULL;
	ck_assert_int_eq(e2ee_keys_open(server, f.payload, f.len, dh, &peer), 0);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(server);
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/e2ee-chat-server-key.pem", d.dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ep_close(&ca);
	forget_identities();
}
END_TEST

/* Nothing but ciphertext, keys and metadata reaches the disk or the log. */
static int file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	size_t m = strlen(needle);
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(buf + i, needle, m) == 0)
			return 1;
	return 0;
}

START_TEST(no_plaintext_at_rest)
{
	identities();
	int port = start(NULL, NULL, 0);
	struct ep_conn ca, cb;
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	ck_assert_int_eq(ep_register(&cb, port, &b), 0);
	ep_close(&cb);
	ck_assert_int_eq(ep_message(&ca, &a, &b, "MARKER-e2ee-offline-7f3a"), 0);
	ep_close(&ca);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	DIR *dir = opendir(d.dir);
	ck_assert_ptr_nonnull(dir);
	int files = 0;
	for (struct dirent *e; (e = readdir(dir));) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", d.dir, e->d_name);
		ck_assert_msg(!file_has(path, "MARKER-e2ee"), "plaintext in %s", path);
		files++;
	}
	closedir(dir);
	ck_assert_int_gt(files, 3);
	forget_identities();
}
END_TEST

/* --- polychat, the client half, against the server half --- */

static void start_client(struct h_cli *cli, const char *who, const char *phone, int port,
	int ready)
{
	char dir[512], opt[600];
	snprintf(dir, sizeof(dir), "%s/%s", d.dir, who);
	snprintf(opt, sizeof(opt), "server_key=%s/e2ee-chat-server-public.pem", d.dir);
	const char *extra[] = { "--user", phone, "--opt", opt, NULL };
	ck_assert_int_eq(h_cli_start(cli, "e2ee-chat", port, dir, extra), 0);
	if (ready)
		ck_assert_int_eq(h_expect(&cli->out, "* ready"), 0);
}

START_TEST(two_polychat_clients)
{
	int port = start(NULL, NULL, 0);
	struct h_cli ca, cb;
	/* First runs register (the echoed code), later runs log in. */
	start_client(&ca, "alice", A_PHONE, port, 1);
	start_client(&cb, "bob", B_PHONE, port, 1);
	ck_assert_int_eq(h_cli_say(&ca, "/to " B_PHONE), 0);
	ck_assert_int_eq(h_expect(&ca.out, "* messages now go to " B_PHONE), 0);
	ck_assert_int_eq(h_cli_relay(&ca, "hello bob, h\xc3\xa9llo",
		"<" A_PHONE "> hello bob, h\xc3\xa9llo", &cb, NULL), 0);
	ck_assert_int_eq(h_cli_say(&cb, "/to " A_PHONE), 0);
	ck_assert_int_eq(h_expect(&cb.out, "* messages now go to " A_PHONE), 0);
	ck_assert_int_eq(h_cli_relay(&cb, "hi alice", "<" B_PHONE "> hi alice", &ca, NULL), 0);

	/* Bob leaves; two messages wait for him across a restart. */
	ck_assert_int_eq(h_cli_quit(&cb, "/quit"), 0);
	ck_assert_int_eq(h_cli_say(&ca, "while you were away 1"), 0);
	ck_assert_int_eq(h_cli_say(&ca, "while you were away 2"), 0);
	/* Requests go one at a time: this answer comes after both 1609s. */
	ck_assert_int_eq(h_cli_say(&ca, "/to " B_PHONE), 0);
	ck_assert_int_eq(h_expect(&ca.out, "* messages now go to " B_PHONE), 0);
	ck_assert_int_eq(h_cli_quit(&ca, "/quit"), 0);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	port = restart();
	ck_assert_int_gt(port, 0);
	/* Queued messages come before the client is ready. */
	start_client(&cb, "bob", B_PHONE, port, 0);
	ck_assert_int_eq(h_expect(&cb.out, "<" A_PHONE "> while you were away 1"), 0);
	ck_assert_int_eq(h_next(&cb.out, "<" A_PHONE "> while you were away 2"), 0);
	ck_assert_int_eq(h_next(&cb.out,
		"* logged in as " B_PHONE " (2 messages received while away)"), 0);
	ck_assert_int_eq(h_next(&cb.out, "* ready"), 0);
	ck_assert_int_eq(h_cli_quit(&cb, "/quit"), 0);
}
END_TEST

/* delivery: command: the code goes to the operator's program, the
 * polychat client asks its user for it. */
START_TEST(typed_code_from_a_delivery_program)
{
	char script[512], sink[512], auth[1200];
	snprintf(script, sizeof(script), "%s/deliver.sh", d.dir);
	snprintf(sink, sizeof(sink), "%s/sms", d.dir);
	FILE *f = fopen(script, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\nread code\necho \"$code\" > '%s.tmp' && mv '%s.tmp' '%s'\n",
		sink, sink, sink);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(script, 0700), 0);
	snprintf(auth, sizeof(auth), "delivery: command, command: '%s'", script);
	int port = start(NULL, auth, 0);
	ck_assert_int_gt(port, 0);

	struct h_cli ca;
	start_client(&ca, "alice", A_PHONE, port, 0);
	ck_assert_int_eq(h_expect(&ca.out, "* code:"), 0);
	char code[32] = "";
	for (long long end = h_now_ms() + H_TIMEOUT_MS; h_now_ms() < end; h_pause_ms(20)) {
		FILE *in = fopen(sink, "r");
		if (in) {
			ck_assert_ptr_nonnull(fgets(code, sizeof(code), in));
			fclose(in);
			break;
		}
	}
	code[strcspn(code, "\n")] = '\0';
	ck_assert_uint_eq(strlen(code), 6);
	ck_assert_int_eq(h_cli_say(&ca, code), 0);
	ck_assert_int_eq(h_expect(&ca.out, "* ready"), 0);
	ck_assert_int_eq(h_cli_quit(&ca, "/quit"), 0);
	/* The code reached the program and the user, never the log. */
	ck_assert(!h_log_has(&d, code));
}
END_TEST

/* A blob altered on the way is refused by the receiving polychat, which
 * goes on. */
START_TEST(polychat_rejects_a_tampered_message)
{
	identities();
	int port = start(NULL, NULL, 0);
	struct ep_conn ca;
	struct h_cli cb;
	ck_assert_int_eq(ep_register(&ca, port, &a), 0);
	start_client(&cb, "bob", B_PHONE, port, 1);
	uint8_t blob[E2EE_PACKET_MAX], phone[E2EE_PHONE_LEN], bob_dh[XG_X25519_LEN];
	phone_field(phone, B_PHONE);
	/* Bob's key as the server hands it out, signed. */
	struct ep_frame f;
	EVP_PKEY *server = server_public(), *bob_rsa = NULL;
	ck_assert_int_eq(ep_send(&ca, E2EE_REQ_RECIPIENT_KEYS, A_PHONE, phone, 10, NULL, 0), 0);
	ck_assert_int_eq(ep_read(&ca, &f), 0);
	ck_assert_int_eq(e2ee_keys_open(server, f.payload, f.len, bob_dh, &bob_rsa), 0);
	EVP_PKEY_free(bob_rsa);
	EVP_PKEY_free(server);
	for (int tamper = 1; tamper >= 0; tamper--) {
		const char *text = tamper ? "altered on the way" : "this one is intact";
		long n = e2ee_blob_seal(a.dh_priv, a.rsa, bob_dh, NULL, NULL,
			(const uint8_t *)text, strlen(text), blob);
		ck_assert_int_gt(n, 0);
		if (tamper)
			blob[n - 20] ^= 0x40;
		ck_assert_int_eq(ep_send(&ca, E2EE_REQ_MESSAGE, A_PHONE, phone, 10, blob,
			(size_t)n), 0);
		ck_assert_int_eq(ep_expect(&ca, E2EE_RESP_MESSAGE_SENT), 0);
	}
	ck_assert_int_eq(h_expect(&cb.out, "! rejected a tampered message from " A_PHONE), 0);
	ck_assert_int_eq(h_expect(&cb.out, "<" A_PHONE "> this one is intact"), 0);
	ck_assert_int_eq(h_cli_quit(&cb, "/quit"), 0);
	ep_close(&ca);
	forget_identities();
}
END_TEST

static Suite *e2ee_suite(void)
{
	Suite *s = suite_create("e2ee-chat");
	TCase *tc = h_tcase(s, "protocol", &d, 120);
	tcase_add_test(tc, register_login_and_signed_keys);
	tcase_add_test(tc, registration_and_login_errors);
	tcase_add_test(tc, keys_are_validated);
	tcase_add_test(tc, expired_code_removes_the_registration);
	tcase_add_test(tc, malformed_requests_close_without_reply);
	tc = h_tcase(s, "messages", &d, 120);
	tcase_add_test(tc, online_relay_both_ways);
	tcase_add_test(tc, offline_queue_survives_a_restart_in_order);
	tcase_add_test(tc, kill_9_after_1609_loses_nothing);
	tcase_add_test(tc, full_queue_is_refused);
	tcase_add_test(tc, second_login_takes_over);
	tcase_add_test(tc, no_plaintext_at_rest);
	tc = h_tcase(s, "clients", &d, 240);
	tcase_add_test(tc, two_polychat_clients);
	tcase_add_test(tc, typed_code_from_a_delivery_program);
	tcase_add_test(tc, polychat_rejects_a_tampered_message);
	tc = h_tcase(s, "keys", &d, 240);
	tcase_add_test(tc, server_key_is_generated_when_absent);
	return s;
}

int main(void)
{
	return pc_check_run(e2ee_suite());
}
