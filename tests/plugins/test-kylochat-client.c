/* SPDX-License-Identifier: MIT */
/* The kylochat client half against a test-side server: handshake, login, units, lines (kylochat.md §7.2). */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "plugins/crypto-rsa-cbc/kylo-client.h"
#include "plugins/crypto-rsa-cbc/kylo-crypto.h"
#include "tests/check-run.h"
#include "tests/plugins/kylochat-fixture.h"
#include "tests/stubs/stub-feed.h"
#include "tests/stubs/stub-host.h"

/*
 * The test plays the server: it sends the §8.2 ServerHello of the §8.1
 * test key, opens the client's key blocks with the private key, and from
 * then on seals and opens frames under the keys the client chose. Input
 * goes through feed(), which buffers unconsumed bytes and offers them
 * again, as the core does (stub-feed.h).
 */

/* Longer than the client's wait for the "already connected" refusal. */
#define GRACE_MS 1000
/* The original client's wait for a status code. */
#define STATUS_WAIT_MS 5000

static struct polychat_conn *conn;
static void *session;
static struct kylo_keys keys;         /* the client's, from its key blocks */
static struct stub_feeder feeder;     /* input not consumed yet */
static const char *const token = KF_TOKEN;

static void setup(void)
{
	stub_host_reset();
	kf_setup();
	conn = stub_conn_new(NULL, "127.0.0.1", 5000);
	ck_assert_ptr_nonnull(conn);
	session = NULL;
	stub_feeder_init(&feeder, kylo_client_input);
	memset(&keys, 0, sizeof(keys));
}

static void teardown(void)
{
	kylo_client_close(session, 0);
	session = NULL;
	stub_feeder_free(&feeder);
	stub_conn_free(conn);
	conn = NULL;
	kf_teardown();
}

/* --- driving the client --- */

static void open_with(const struct polychat_host *host, const char *user,
	const char *secret)
{
	const struct polychat_client_env env = {
		.host = host, .user = user, .secret = secret,
	};
	ck_assert_int_eq(kylo_client_open(&env, conn, &session), 0);
	ck_assert_ptr_nonnull(session);
}

static void open_client(const char *user, const char *secret)
{
	open_with(stub_host(), user, secret);
}

/* Offer `len` more bytes the way the core does, while the connection is
 * open. Returns 0 or the client's negative code. */
static long feed(const void *data, size_t len)
{
	return stub_feed(&feeder, session, conn, data, len);
}

static long feed_bytewise(const uint8_t *data, size_t len)
{
	return stub_feed_bytewise(&feeder, session, conn, data, len);
}

static long feed_byte(uint8_t b)
{
	return feed(&b, 1);
}

static long feed_hex(const char *hex)
{
	uint8_t buf[1024];
	size_t n = kf_unhex(hex, buf, sizeof(buf));
	return feed(buf, n);
}

static int line(const char *text)
{
	return kylo_client_line(session, text, strlen(text));
}

/* --- the server's side --- */

/* Send the ServerHello whole, check the one write of both key blocks and
 * take the keys from them. */
static void handshake(void)
{
	const uint8_t *w;
	size_t len;

	ck_assert_int_eq(feed_hex(kf_hello_hex), 0);
	ck_assert_uint_ge(stub_conn_writes(conn), 1);
	w = stub_conn_write_at(conn, 0, &len);
	ck_assert_uint_eq(len, KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN);
	ck_assert_int_eq(kylo_handshake_open(kf_priv, w, KYLO_KEYBLOCK1_LEN,
		w + KYLO_KEYBLOCK1_LEN, KYLO_KEYBLOCK2_LEN, &keys), 0);
}

/* Write `i` is one frame of `kind` whose plaintext is `want`. */
static void expect_frame(size_t i, unsigned kind, const void *want,
	size_t want_len)
{
	const uint8_t *w = NULL;
	uint8_t plain[4096];
	size_t len = 0, total = 0, n = 0;

	ck_assert_uint_gt(stub_conn_writes(conn), i);
	w = stub_conn_write_at(conn, i, &len);
	ck_assert_int_eq(kylo_frame_header(w, len, kind, 1 << 20, &total), 0);
	ck_assert_uint_eq(total, len);
	ck_assert_int_eq(kylo_frame_open(&keys, w + kind, len - kind, plain,
		sizeof(plain), &n), 0);
	ck_assert_uint_eq(n, want_len);
	ck_assert_mem_eq(plain, want, n);
}

static void expect_frame_str(size_t i, unsigned kind, const char *want)
{
	expect_frame(i, kind, want, strlen(want));
}

/* A chat frame: IF(token || text). */
static void expect_chat(size_t i, const char *text)
{
	char want[1024];
	ck_assert_uint_lt(strlen(token) + strlen(text), sizeof(want));
	strcpy(want, token);
	strcat(want, text);
	expect_frame_str(i, KYLO_INT, want);
}

/* A frame the test server seals under the client's keys. */
static size_t seal(unsigned kind, const void *plain, size_t n, uint8_t *out,
	size_t cap)
{
	uint8_t iv[KYLO_IV_LEN];
	size_t len = 0;
	kf_fill_iv(iv, 0x5a);
	ck_assert_int_eq(kylo_frame_seal(&keys, kind, iv, plain, n, out, cap,
		&len), 0);
	return len;
}

/* 0x00 || SF(token): the password was right. */
static void send_token(void)
{
	uint8_t buf[256];
	buf[0] = KYLO_LOGIN_OK;
	size_t n = 1 + seal(KYLO_SHORT, token, strlen(token), buf + 1,
		sizeof(buf) - 1);
	ck_assert_int_eq(feed(buf, n), 0);
}

/* A MESSAGE unit: 0x01 || SF(sender) || IF(body), from the codec. */
static uint8_t *message_unit(const void *sender, size_t sender_len,
	const void *body, size_t body_len, size_t *len)
{
	uint8_t iv1[KYLO_IV_LEN], iv2[KYLO_IV_LEN], *unit = NULL;
	kf_fill_iv(iv1, 0x55);
	kf_fill_iv(iv2, 0x66);
	ck_assert_int_eq(kylo_unit_message(stub_host(), &keys, iv1, iv2,
		sender, sender_len, body, body_len, &unit, len), 0);
	return unit;
}

static void feed_message(const char *sender, const void *body, size_t len)
{
	size_t n = 0;
	uint8_t *unit = message_unit(sender, strlen(sender), body, len, &n);
	ck_assert_int_eq(feed(unit, n), 0);
	stub_host()->free(unit);
}

static void feed_status(uint16_t code)
{
	uint8_t unit[KYLO_STATUS_LEN];
	kylo_unit_status(code, unit);
	ck_assert_int_eq(feed(unit, sizeof(unit)), 0);
}

/* Handshake and login with the command line's "test"/"test", up to the
 * token (not ready yet). Writes: 0 key blocks, 1 username, 2 password. */
static void login(void)
{
	open_client("test", "test");
	handshake();
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	send_token();
	ck_assert_uint_eq(stub_conn_writes(conn), 3);
}

/* login() and past the wait for the refusal. */
static void login_ready(void)
{
	login();
	stub_clock_advance(GRACE_MS);
}

/* --- what was shown --- */

static void expect_ui(size_t i, int kind, const char *from, const void *text,
	size_t len)
{
	int k = 0;
	const char *f = NULL;
	const uint8_t *t = NULL;
	size_t n = 0;

	ck_assert_msg(stub_conn_ui_at(conn, i, &k, &f, &t, &n) == 0,
		"no ui_show call %zu (%zu made)", i, stub_conn_ui_count(conn));
	ck_assert_int_eq(k, kind);
	if (from)
		ck_assert_str_eq(f, from);
	else
		ck_assert_ptr_null(f);
	ck_assert_uint_eq(n, len);
	if (len)
		ck_assert_mem_eq(t, text, len);
}

static void expect_ui_str(size_t i, int kind, const char *from,
	const char *text)
{
	expect_ui(i, kind, from, text, strlen(text));
}

/* --- handshake --- */

START_TEST(test_handshake_sends_key_blocks_then_username)
{
	open_client("test", "test");
	ck_assert_uint_ge(stub_conn_input_limit(conn), (1u << 20) + 65535u);
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
	handshake();
	/* Fresh keys, not the vectors' and not each other. */
	ck_assert_int_eq(kf_all_bytes(keys.enc, KYLO_KEY_LEN, 0), 0);
	ck_assert_mem_ne(keys.enc, kf_keys.enc, KYLO_KEY_LEN);
	ck_assert_mem_ne(keys.enc, keys.mac, KYLO_KEY_LEN);
	/* The username follows at once, in its own write. */
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	expect_frame_str(1, KYLO_SHORT, "test");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 0);
}
END_TEST

START_TEST(test_hello_byte_by_byte)
{
	uint8_t hello[KYLO_HELLO_LEN];
	size_t n = kf_unhex(kf_hello_hex, hello, sizeof(hello));

	open_client("test", "test");
	ck_assert_uint_eq(n, KYLO_HELLO_LEN);
	for (size_t i = 0; i + 1 < n; i++) {
		ck_assert_int_eq(feed(hello + i, 1), 0);
		ck_assert_uint_eq(stub_conn_writes(conn), 0);
	}
	ck_assert_int_eq(feed(hello + n - 1, 1), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	ck_assert_uint_eq(feeder.len, 0);
}
END_TEST

START_TEST(test_bad_hello)
{
	static const uint8_t empty[] = { 0x00, 0x00, 0x2d };
	uint8_t hello[KYLO_HELLO_LEN];
	size_t n = kf_unhex(kf_hello_hex, hello, sizeof(hello));

	/* L = 0. */
	open_client("test", "test");
	ck_assert_int_lt(feed(empty, sizeof(empty)), 0);
	expect_ui_str(0, POLYCHAT_UI_ERROR, NULL, "handshake failed: the server"
		" did not send an RSA-2048 public key");
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
	kylo_client_close(session, 0);
	session = NULL;

	/* A PEM that is not one ("-----BEGIN" spelt wrong). */
	hello[10] ^= 0x01;
	open_client("test", "test");
	ck_assert_int_eq(feed(hello, n), POLYCHAT_EPROTO);
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
	expect_ui_str(1, POLYCHAT_UI_ERROR, NULL, "handshake failed: the server"
		" did not send an RSA-2048 public key");
}
END_TEST

/* --- login --- */

START_TEST(test_login_with_command_line_credentials)
{
	login();
	expect_frame_str(1, KYLO_SHORT, "test");
	expect_frame_str(2, KYLO_SHORT, "test");
	/* Nothing asked: both came from the command line. */
	ck_assert_uint_eq(stub_conn_secret_count(conn), 0);
	/* Ready only once the refusal cannot be coming any more. */
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_READY), 0);
	stub_clock_advance(GRACE_MS);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 1);
	expect_ui(0, POLYCHAT_UI_READY, NULL, NULL, 0);
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);
}
END_TEST

START_TEST(test_login_typed_credentials)
{
	open_client(NULL, NULL);
	handshake();
	/* Only the key blocks: the username is asked for. */
	ck_assert_uint_eq(stub_conn_writes(conn), 1);
	expect_ui_str(0, POLYCHAT_UI_NOTICE, NULL, "username:");
	ck_assert_int_eq(line("test"), 0);
	expect_frame_str(1, KYLO_SHORT, "test");

	/* The password without echo, through ui_secret, not ui_show. */
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	ck_assert_uint_eq(stub_conn_secret_count(conn), 1);
	ck_assert_str_eq(stub_conn_secret_prompt(conn), "password:");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 1);
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	ck_assert_int_eq(line("s3cret pass"), 0);
	expect_frame_str(2, KYLO_SHORT, "s3cret pass");

	send_token();
	feed_status(200);
	expect_ui(1, POLYCHAT_UI_READY, NULL, NULL, 0);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 2);
}
END_TEST

START_TEST(test_login_secret_asked_when_missing)
{
	/* A username from the command line but no password. */
	open_client("test", NULL);
	handshake();
	expect_frame_str(1, KYLO_SHORT, "test");
	ck_assert_uint_eq(stub_conn_secret_count(conn), 0);
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	ck_assert_uint_eq(stub_conn_secret_count(conn), 1);
	ck_assert_int_eq(line("test"), 0);
	expect_frame_str(2, KYLO_SHORT, "test");
}
END_TEST

START_TEST(test_login_prompt_on_an_older_host)
{
	/* A 1.0 core: its table ends before ui_secret, so what lies there
	 * must not be called (here it would be recorded). */
	static struct polychat_host old;
	old = *stub_host();
	old.size = offsetof(struct polychat_host, ui_secret);

	open_with(&old, "test", NULL);
	handshake();
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	expect_ui_str(0, POLYCHAT_UI_NOTICE, NULL, "password:");
	ck_assert_uint_eq(stub_conn_secret_count(conn), 0);
}
END_TEST

START_TEST(test_login_four_attempts)
{
	open_client("test", "test");
	handshake();
	ck_assert_uint_eq(stub_conn_writes(conn), 2);

	/* 1: the command line's username is refused; it is not sent again. */
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_FAILED), 0);
	expect_ui_str(0, POLYCHAT_UI_ERROR, NULL,
		"login failed: unknown or banned user");
	expect_ui_str(1, POLYCHAT_UI_NOTICE, NULL, "username:");
	ck_assert_uint_eq(stub_conn_writes(conn), 2);

	/* 2: typed username, typed password (not the command line's). */
	ck_assert_int_eq(line("bob"), 0);
	expect_frame_str(2, KYLO_SHORT, "bob");
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	ck_assert_uint_eq(stub_conn_secret_count(conn), 1);
	ck_assert_uint_eq(stub_conn_writes(conn), 3);
	ck_assert_int_eq(line("wrong"), 0);
	expect_frame_str(3, KYLO_SHORT, "wrong");
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_FAILED), 0);
	expect_ui_str(2, POLYCHAT_UI_ERROR, NULL, "login failed: wrong password");
	expect_ui_str(3, POLYCHAT_UI_NOTICE, NULL, "username:");

	/* 3 */
	ck_assert_int_eq(line("carol"), 0);
	expect_frame_str(4, KYLO_SHORT, "carol");
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_FAILED), 0);
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);

	/* 4: the server closes after this one, and so does the client. */
	ck_assert_int_eq(line("dave"), 0);
	expect_frame_str(5, KYLO_SHORT, "dave");
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_FAILED), POLYCHAT_EAUTH);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 8);
	expect_ui_str(6, POLYCHAT_UI_ERROR, NULL,
		"login failed: unknown or banned user");
	expect_ui_str(7, POLYCHAT_UI_ERROR, NULL,
		"login failed 4 times: the server closes the connection");
	/* Lines now go nowhere. */
	ck_assert_int_eq(line("eve"), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 6);
}
END_TEST

START_TEST(test_login_empty_lines_ask_again)
{
	open_client(NULL, NULL);
	handshake();
	ck_assert_int_eq(line(""), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 1);
	expect_ui_str(1, POLYCHAT_UI_NOTICE, NULL, "username:");
	ck_assert_int_eq(line("test"), 0);
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	ck_assert_int_eq(line(""), 0);
	/* Asked again without echo; nothing sent. */
	ck_assert_uint_eq(stub_conn_secret_count(conn), 2);
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
}
END_TEST

START_TEST(test_login_bad_answers)
{
	uint8_t buf[256];
	size_t n;

	/* A login answer that is neither 0x00 nor 0x01. */
	open_client("test", "test");
	handshake();
	ck_assert_int_eq(feed_byte(0x07), POLYCHAT_EPROTO);
	expect_ui_str(0, POLYCHAT_UI_ERROR, NULL,
		"login failed: Invalid Status Code 0x07");
	kylo_client_close(session, 0);
	session = NULL;
	stub_conn_free(conn);
	conn = stub_conn_new(NULL, "127.0.0.1", 5000);

	/* A token frame whose tag does not match. */
	open_client("test", "test");
	handshake();
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	n = seal(KYLO_SHORT, token, strlen(token), buf, sizeof(buf));
	buf[n - 1] ^= 0x80;
	ck_assert_int_eq(feed(buf, n), POLYCHAT_ECRYPTO);
	expect_ui_str(0, POLYCHAT_UI_ERROR, NULL, "Connection error: Invalid HMAC");
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_READY), 0);
}
END_TEST

/* --- the "already connected" refusal --- */

static size_t refusal(uint8_t *buf, size_t cap)
{
	static const char text[] = "Username already connected";
	size_t a = seal(KYLO_SHORT, KYLO_SERVER_NAME, 6, buf, cap);
	return a + seal(KYLO_INT, text, strlen(text), buf + a, cap - a);
}

START_TEST(test_refusal_after_token)
{
	uint8_t buf[512];
	size_t n;

	login();
	n = refusal(buf, sizeof(buf));
	ck_assert_uint_eq(buf[0], 0x40);
	ck_assert_int_eq(feed(buf, n), POLYCHAT_EEXIST);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 1);
	expect_ui_str(0, POLYCHAT_UI_ERROR, NULL, "Username already connected");
	/* The timer for "* ready" is gone with the session's hopes. */
	stub_clock_advance(GRACE_MS);
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_READY), 0);
}
END_TEST

START_TEST(test_refusal_byte_by_byte_with_token)
{
	uint8_t buf[512];
	size_t n;

	open_client("test", "test");
	handshake();
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	/* 0x00, the token and the refusal as one stream, a byte at a time. */
	buf[0] = KYLO_LOGIN_OK;
	n = 1 + seal(KYLO_SHORT, token, strlen(token), buf + 1, sizeof(buf) - 1);
	n += refusal(buf + n, sizeof(buf) - n);
	ck_assert_int_eq(feed_bytewise(buf, n), POLYCHAT_EEXIST);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 1);
	expect_ui_str(0, POLYCHAT_UI_ERROR, NULL, "Username already connected");
}
END_TEST

START_TEST(test_0x40_later_is_skipped)
{
	login();
	feed_status(200);
	/* Only the first byte after the token can start the refusal. */
	ck_assert_int_eq(feed_byte(0x40), 0);
	feed_message("test", KF_MESSAGE, strlen(KF_MESSAGE));
	ck_assert_uint_eq(stub_conn_ui_count(conn), 2);
	expect_ui(0, POLYCHAT_UI_READY, NULL, NULL, 0);
	expect_ui_str(1, POLYCHAT_UI_MESSAGE, "test", KF_MESSAGE);
}
END_TEST

/* --- chat: what the server sends --- */

/* A host whose random bytes are the §8.1 inputs, in the order the
 * client draws them: K_enc, IV_hs, K_mac, then one IV per frame. */
static const char *const script[] = {
	NULL /* K_enc */, NULL /* IV_hs */, NULL /* K_mac */,
	"11", "22", "44",
};
static size_t script_pos;

static int scripted_random(uint8_t *buf, size_t len)
{
	const char *hex[] = { kf_k_enc_hex, kf_iv_hs_hex, kf_k_mac_hex };
	ck_assert_uint_lt(script_pos, sizeof(script) / sizeof(script[0]));
	if (script_pos < 3) {
		ck_assert_uint_eq(kf_unhex(hex[script_pos], buf, len), len);
	} else {
		uint8_t byte;
		kf_unhex(script[script_pos], &byte, 1);
		memset(buf, byte, len);
	}
	script_pos++;
	return 0;
}

START_TEST(test_section8_vectors)
{
	static struct polychat_host fixed;
	const uint8_t *w;
	size_t len;
	uint8_t frame[256];
	size_t n;

	fixed = *stub_host();
	fixed.random = scripted_random;
	script_pos = 0;
	open_with(&fixed, "test", "test");
	handshake();
	/* KeyBlock1 has OpenSSL's random OAEP seed; the rest is exact. */
	ck_assert_mem_eq(&keys, &kf_keys, sizeof(keys));
	w = stub_conn_write_at(conn, 0, &len);
	kf_assert_hex(w + KYLO_KEYBLOCK1_LEN, KYLO_KEYBLOCK2_LEN, kf_kb2_hex);
	w = stub_conn_write_at(conn, 1, &len);
	kf_assert_hex(w, len, kf_frames[0].hex);
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	w = stub_conn_write_at(conn, 2, &len);
	kf_assert_hex(w, len, kf_frames[1].hex);

	/* §8.3's token frame, then §8.4's chat frame and message unit. */
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	ck_assert_int_eq(feed_hex(kf_frames[2].hex), 0);
	stub_clock_advance(GRACE_MS);
	ck_assert_int_eq(line(KF_MESSAGE), 0);
	w = stub_conn_write_at(conn, 3, &len);
	kf_assert_hex(w, len, kf_frames[3].hex);
	ck_assert_int_eq(feed_hex("02c800"), 0);
	ck_assert_int_eq(feed_hex(kf_unit_hex), 0);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 2);
	expect_ui(0, POLYCHAT_UI_READY, NULL, NULL, 0);
	expect_ui_str(1, POLYCHAT_UI_MESSAGE, "test", KF_MESSAGE);

	/* The same unit with one bit of the body's tag flipped. */
	n = kf_unhex(kf_unit_hex, frame, sizeof(frame));
	frame[n - 1] ^= 0x01;
	ck_assert_int_eq(feed(frame, n), POLYCHAT_ECRYPTO);
	expect_ui_str(2, POLYCHAT_UI_ERROR, NULL, "Connection error: Invalid HMAC");
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_MESSAGE), 1);
}
END_TEST

START_TEST(test_messages_shown)
{
	uint8_t notice[64];
	size_t n;

	login_ready();
	feed_message("test", KF_MESSAGE, strlen(KF_MESSAGE));
	expect_ui_str(1, POLYCHAT_UI_MESSAGE, "test", KF_MESSAGE);

	/* A SERVER notice is a message like any other, escape bytes and
	 * all, as the original shows it. */
	n = kf_unhex(kf_login_notice_hex, notice, sizeof(notice));
	feed_message(KYLO_SERVER_NAME, notice, n);
	expect_ui(2, POLYCHAT_UI_MESSAGE, "SERVER", notice, n);
	ck_assert_uint_eq(notice[0], 0x1b);
	n = kf_unhex(kf_exit_notice_hex, notice, sizeof(notice));
	feed_message(KYLO_SERVER_NAME, notice, n);
	expect_ui(3, POLYCHAT_UI_MESSAGE, "SERVER", notice, n);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 4);
}
END_TEST

START_TEST(test_invalid_utf8_replaced)
{
	static const uint8_t body[] = {
		'a', 0xff, 'b', 0xe2, 0x82, 'c', 0xc3, 0xa9, 0x00, 0xed, 0xa0,
		0x80, 0xf0, 0x9f, 0x91, 0x8b,
	};
	static const char want[] =
		"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xc3\xa9" "\x00"
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "\xf0\x9f\x91\x8b";
	static const char sender[] = { 'x', 0x00, 'y', (char)0x80 };
	size_t n = 0;
	uint8_t *unit;

	login_ready();
	feed_message("t\xc3", body, sizeof(body));
	expect_ui(1, POLYCHAT_UI_MESSAGE, "t\xef\xbf\xbd", want, sizeof(want) - 1);

	/* A NUL in the sender cannot cut the name short. */
	unit = message_unit(sender, sizeof(sender), "hi", 2, &n);
	ck_assert_int_eq(feed(unit, n), 0);
	stub_host()->free(unit);
	expect_ui_str(2, POLYCHAT_UI_MESSAGE, "x\xef\xbf\xbdy\xef\xbf\xbd", "hi");
}
END_TEST

START_TEST(test_status_codes_in_words)
{
	login_ready();
	feed_status(200);
	feed_status(100);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 1);
	feed_status(400);
	feed_status(401);
	feed_status(403);
	feed_status(500);
	feed_status(299);
	expect_ui_str(1, POLYCHAT_UI_ERROR, NULL,
		"Error: Bad Request - Invalid message format");
	expect_ui_str(2, POLYCHAT_UI_ERROR, NULL,
		"Error: Unauthorized - Session expired"
		" (token expired or revoked: log in again)");
	expect_ui_str(3, POLYCHAT_UI_ERROR, NULL,
		"Error: Forbidden - No permission"
		" (token refused: unknown token or banned user)");
	expect_ui_str(4, POLYCHAT_UI_ERROR, NULL, "Error: Internal Server Error");
	expect_ui_str(5, POLYCHAT_UI_ERROR, NULL, "Error: Unknown error (299)");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 6);
	/* The session goes on. */
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);
}
END_TEST

START_TEST(test_ready_on_first_unit)
{
	login();
	/* A status before the grace ends shows ready at once, first. */
	feed_status(400);
	expect_ui(0, POLYCHAT_UI_READY, NULL, NULL, 0);
	expect_ui_str(1, POLYCHAT_UI_ERROR, NULL,
		"Error: Bad Request - Invalid message format");
	stub_clock_advance(GRACE_MS);
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_READY), 1);
}
END_TEST

START_TEST(test_unknown_type_bytes_skipped)
{
	static const uint8_t junk[] = { 0x00, 0x03, 0x7f, 0xff };
	login_ready();
	ck_assert_int_eq(feed(junk, sizeof(junk)), 0);
	ck_assert_uint_eq(feeder.len, 0);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 1);
	feed_status(403);
	feed_message("bob", "after", 5);
	expect_ui(2, POLYCHAT_UI_MESSAGE, "bob", "after", 5);
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);
}
END_TEST

START_TEST(test_units_byte_by_byte)
{
	uint8_t *unit;
	uint8_t status[KYLO_STATUS_LEN];
	size_t n = 0;

	login_ready();
	unit = message_unit("alice", 5, KF_MESSAGE, strlen(KF_MESSAGE), &n);
	for (size_t i = 0; i + 1 < n; i++) {
		ck_assert_int_eq(feed(unit + i, 1), 0);
		ck_assert_uint_eq(stub_conn_ui_count(conn), 1);
	}
	ck_assert_int_eq(feed(unit + n - 1, 1), 0);
	stub_host()->free(unit);
	expect_ui_str(1, POLYCHAT_UI_MESSAGE, "alice", KF_MESSAGE);

	kylo_unit_status(401, status);
	ck_assert_int_eq(feed_bytewise(status, sizeof(status)), 0);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 3);
	ck_assert_uint_eq(feeder.len, 0);
}
END_TEST

START_TEST(test_tampered_frames_end_the_session)
{
	uint8_t *unit;
	size_t n = 0;

	login_ready();
	/* The body's tag. */
	unit = message_unit("bob", 3, "hi there", 8, &n);
	unit[n - 5] ^= 0x01;
	ck_assert_int_eq(feed(unit, n), POLYCHAT_ECRYPTO);
	stub_host()->free(unit);
	expect_ui_str(1, POLYCHAT_UI_ERROR, NULL, "Connection error: Invalid HMAC");
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_MESSAGE), 0);
	/* Nothing more is read or shown. */
	feed_message("bob", "later", 5);
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_MESSAGE), 0);
}
END_TEST

START_TEST(test_sender_tag_tampered)
{
	uint8_t *unit;
	size_t n = 0;

	login_ready();
	unit = message_unit("bob", 3, "hi", 2, &n);
	/* The last tag byte of the SF: 1 + 2 + 64 bytes in. */
	unit[1 + 2 + 64 - 1] ^= 0x01;
	ck_assert_int_eq(feed(unit, n), POLYCHAT_ECRYPTO);
	stub_host()->free(unit);
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_MESSAGE), 0);
}
END_TEST

START_TEST(test_oversized_frame_refused)
{
	/* IF LEN of 1 MiB + 16: refused from the header, nothing waited for. */
	uint8_t head[1 + 66 + 4];
	uint8_t *unit;
	size_t n = 0;

	login_ready();
	unit = message_unit("bob", 3, "hi", 2, &n);
	memcpy(head, unit, 1 + 66);
	stub_host()->free(unit);
	head[67] = 0x10;
	head[68] = 0x00;
	head[69] = 0x10;
	head[70] = 0x00;
	ck_assert_int_eq(feed(head, sizeof(head)), POLYCHAT_ETOOBIG);
	expect_ui_str(1, POLYCHAT_UI_ERROR, NULL, "Connection error: a frame"
		" longer than the 1048576 bytes this client accepts");
}
END_TEST

START_TEST(test_malformed_length_refused)
{
	/* A short-frame LEN that is not a multiple of 16. */
	static const uint8_t unit[] = { 0x01, 0x41, 0x00 };
	login_ready();
	ck_assert_int_eq(feed(unit, sizeof(unit)), POLYCHAT_EPROTO);
	expect_ui_str(1, POLYCHAT_UI_ERROR, NULL,
		"Connection error: malformed frame length");
}
END_TEST

/* --- chat: what the user types --- */

START_TEST(test_lines_sent_with_token)
{
	login_ready();
	ck_assert_int_eq(line(KF_MESSAGE), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 4);
	expect_chat(3, KF_MESSAGE);
	feed_status(200);
	/* Fresh IV per frame: the same line twice is two different frames. */
	ck_assert_int_eq(line(KF_MESSAGE), 0);
	expect_chat(4, KF_MESSAGE);
	feed_status(200);
	size_t a, b;
	const uint8_t *w3 = stub_conn_write_at(conn, 3, &a);
	const uint8_t *w4 = stub_conn_write_at(conn, 4, &b);
	ck_assert_uint_eq(a, b);
	ck_assert_mem_ne(w3 + 4, w4 + 4, KYLO_IV_LEN);

	/* Empty lines are not sent. */
	ck_assert_int_eq(line(""), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 5);
}
END_TEST

START_TEST(test_long_line_not_checked_by_the_client)
{
	char text[600];
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	login_ready();
	/* Over the server's 500 bytes: the server says 400, not the client. */
	ck_assert_int_eq(line(text), 0);
	expect_chat(3, text);
}
END_TEST

START_TEST(test_admin_commands_go_to_the_server)
{
	static const char *const cmds[] = {
		"/help server", "/user_id test", "/ban 3", "/unban 3",
		"/isAdmin 1", "/isBanned 2", "/usrpw 2 new", "/lsip",
		"/mkusr bob pw bob@x.org false", "/rvktk " KF_TOKEN,
		"/rmtk " KF_TOKEN, "/showtk 5", "/foo bar",
	};
	size_t n = sizeof(cmds) / sizeof(cmds[0]);

	login_ready();
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(line(cmds[i]), 0);
		expect_chat(3 + i, cmds[i]);
		feed_status(100);
	}
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);
}
END_TEST

START_TEST(test_exit)
{
	int flush = 0;
	login_ready();
	ck_assert_int_eq(line("/exit"), 0);
	expect_chat(3, "/exit");
	ck_assert_int_eq(stub_conn_closed(conn, &flush, NULL), 1);
	ck_assert_int_eq(flush, 1);
	ck_assert_int_eq(line("more"), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 4);
}
END_TEST

START_TEST(test_lines_typed_early_wait_their_turn)
{
	/* Piped input: the lines arrive before the server has said a word. */
	open_client("test", "test");
	ck_assert_int_eq(line("first"), 0);
	ck_assert_int_eq(line(""), 0);
	ck_assert_int_eq(line("second"), 0);
	ck_assert_int_eq(line("/exit"), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
	handshake();
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 3);
	/* Not before "* ready"; then one at a time, each after its status,
	 * so "/exit" leaves only once everything was answered. */
	send_token();
	ck_assert_uint_eq(stub_conn_writes(conn), 3);
	stub_clock_advance(GRACE_MS);
	expect_ui(0, POLYCHAT_UI_READY, NULL, NULL, 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 4);
	expect_chat(3, "first");
	feed_status(400);
	expect_ui_str(1, POLYCHAT_UI_ERROR, NULL,
		"Error: Bad Request - Invalid message format");
	ck_assert_uint_eq(stub_conn_writes(conn), 5);
	expect_chat(4, "second");
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);
	feed_status(200);
	ck_assert_uint_eq(stub_conn_writes(conn), 6);
	expect_chat(5, "/exit");
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 1);
}
END_TEST

START_TEST(test_typed_early_username_and_password)
{
	open_client(NULL, NULL);
	ck_assert_int_eq(line("test"), 0);
	ck_assert_int_eq(line("pw"), 0);
	ck_assert_int_eq(line("hello"), 0);
	handshake();
	/* The first line was the username: no prompt needed. */
	expect_frame_str(1, KYLO_SHORT, "test");
	ck_assert_int_eq(feed_byte(KYLO_LOGIN_OK), 0);
	expect_frame_str(2, KYLO_SHORT, "pw");
	ck_assert_uint_eq(stub_conn_secret_count(conn), 0);
	send_token();
	/* A message from someone else ends the wait for the refusal. */
	feed_message("bob", "yo", 2);
	expect_ui(0, POLYCHAT_UI_READY, NULL, NULL, 0);
	expect_ui_str(1, POLYCHAT_UI_MESSAGE, "bob", "yo");
	expect_chat(3, "hello");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 2);
}
END_TEST

START_TEST(test_one_line_at_a_time)
{
	login_ready();
	ck_assert_int_eq(line("one"), 0);
	ck_assert_int_eq(line("two"), 0);
	ck_assert_int_eq(line("three"), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 4);
	expect_chat(3, "one");
	/* A message from someone else is no answer. */
	feed_message("bob", "hey", 3);
	ck_assert_uint_eq(stub_conn_writes(conn), 4);
	feed_status(200);
	ck_assert_uint_eq(stub_conn_writes(conn), 5);
	expect_chat(4, "two");

	/* No answer in 5 s: the original's words, and the next line goes. */
	stub_clock_advance(STATUS_WAIT_MS - 1);
	ck_assert_uint_eq(stub_conn_writes(conn), 5);
	stub_clock_advance(1);
	expect_ui_str(2, POLYCHAT_UI_ERROR, NULL, "Server response timeout");
	ck_assert_uint_eq(stub_conn_writes(conn), 6);
	expect_chat(5, "three");

	/* A late status is shown all the same. */
	feed_status(403);
	expect_ui_str(3, POLYCHAT_UI_ERROR, NULL,
		"Error: Forbidden - No permission"
		" (token refused: unknown token or banned user)");
	ck_assert_uint_eq(stub_timers_active(), 0);
	ck_assert_int_eq(line("four"), 0);
	expect_chat(6, "four");
}
END_TEST

START_TEST(test_exit_waits_for_the_status)
{
	login_ready();
	ck_assert_int_eq(line("bye all"), 0);
	ck_assert_int_eq(line("/exit"), 0);
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);
	feed_status(200);
	expect_chat(4, "/exit");
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 1);
	ck_assert_uint_eq(stub_timers_active(), 0);
}
END_TEST

START_TEST(test_exit_at_username_prompt)
{
	open_client(NULL, NULL);
	handshake();
	ck_assert_int_eq(line("/exit"), 0);
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 1);
	ck_assert_uint_eq(stub_conn_writes(conn), 1);
}
END_TEST

START_TEST(test_help)
{
	const char *help = kylo_client_help();
	ck_assert_ptr_nonnull(strstr(help, "  /exit "));
	ck_assert_ptr_nonnull(strstr(help, "/showtk N"));
	ck_assert_ptr_nonnull(strstr(help, "/mkusr "));
	ck_assert_ptr_nonnull(strstr(help, "/help server"));
	ck_assert_int_eq(help[strlen(help) - 1], '\n');
}
END_TEST

START_TEST(test_close_frees_everything)
{
	/* Mid-login, with lines waiting and a timer running: teardown
	 * checks that nothing of the stub's allocations is left. */
	login();
	ck_assert_uint_eq(stub_timers_active(), 1);
	kylo_client_close(session, POLYCHAT_ECLOSED);
	session = NULL;
	ck_assert_uint_eq(stub_timers_active(), 0);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);

	open_client("test", "test");
	ck_assert_int_eq(line("waiting"), 0);
	ck_assert_int_gt(stub_alloc_outstanding(), 1);
	kylo_client_close(session, 0);
	session = NULL;
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	kylo_client_close(NULL, 0);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("kylochat-client");
	TCase *tc = tcase_create("handshake and login");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_handshake_sends_key_blocks_then_username);
	tcase_add_test(tc, test_hello_byte_by_byte);
	tcase_add_test(tc, test_bad_hello);
	tcase_add_test(tc, test_login_with_command_line_credentials);
	tcase_add_test(tc, test_login_typed_credentials);
	tcase_add_test(tc, test_login_secret_asked_when_missing);
	tcase_add_test(tc, test_login_prompt_on_an_older_host);
	tcase_add_test(tc, test_login_four_attempts);
	tcase_add_test(tc, test_login_empty_lines_ask_again);
	tcase_add_test(tc, test_login_bad_answers);
	tcase_add_test(tc, test_refusal_after_token);
	tcase_add_test(tc, test_refusal_byte_by_byte_with_token);
	tcase_add_test(tc, test_0x40_later_is_skipped);
	suite_add_tcase(s, tc);

	tc = tcase_create("units");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_section8_vectors);
	tcase_add_test(tc, test_messages_shown);
	tcase_add_test(tc, test_invalid_utf8_replaced);
	tcase_add_test(tc, test_status_codes_in_words);
	tcase_add_test(tc, test_ready_on_first_unit);
	tcase_add_test(tc, test_unknown_type_bytes_skipped);
	tcase_add_test(tc, test_units_byte_by_byte);
	tcase_add_test(tc, test_tampered_frames_end_the_session);
	tcase_add_test(tc, test_sender_tag_tampered);
	tcase_add_test(tc, test_oversized_frame_refused);
	tcase_add_test(tc, test_malformed_length_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lines_sent_with_token);
	tcase_add_test(tc, test_long_line_not_checked_by_the_client);
	tcase_add_test(tc, test_admin_commands_go_to_the_server);
	tcase_add_test(tc, test_exit);
	tcase_add_test(tc, test_lines_typed_early_wait_their_turn);
	tcase_add_test(tc, test_typed_early_username_and_password);
	tcase_add_test(tc, test_one_line_at_a_time);
	tcase_add_test(tc, test_exit_waits_for_the_status);
	tcase_add_test(tc, test_exit_at_username_prompt);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_close_frees_everything);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(client_suite());
}
