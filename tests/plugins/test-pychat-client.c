/* SPDX-License-Identifier: MIT */
/* The pychat client half against a test-side server: handshake, registration, chat, commands, bad input (pychat.md §6.5). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>

#include <polychat/status.h>

#include "plugins/crypto-dh-aes/pychat-client.h"
#include "plugins/crypto-dh-aes/pychat-wire.h"
#include "tests/check-run.h"
#include "tests/stubs/stub-feed.h"
#include "tests/stubs/stub-host.h"
#include "pychat-vectors.h"

/*
 * The test plays the server with the codec and the §9 vectors: the IV and
 * the server's private key are the vectors', the handshake frames are the
 * original server's byte for byte (unpadded). From the client's key_exc it
 * derives the key the client must have derived too, and from then on
 * opens what the client writes and seals what it sends under that key.
 * Input goes through feed(), which buffers unconsumed bytes and offers
 * them again, as the core does (stub-feed.h).
 */

#define PEER_IP "192.0.2.1"
#define LOCAL_IP "192.0.2.7"
/* The client's caps: handshake frames, then everything else. */
#define HANDSHAKE_CAP 65536u
#define FRAME_CAP (16u << 20)

static struct polychat_conn *conn;
static void *session;
static struct pychat_dh server_dh;
static uint8_t iv[PYCHAT_IV_LEN];
static uint8_t key[PYCHAT_KEY_LEN]; /* the test server's, from the client's key_exc */
static struct stub_feeder feeder;   /* input not consumed yet */
static char dir[64];                /* for exported files; "" when unused */

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

static void setup(void)
{
	uint8_t x[64];
	stub_host_reset();
	conn = stub_conn_new(NULL, PEER_IP, 1234);
	ck_assert_ptr_nonnull(conn);
	stub_conn_set_local_ip(conn, LOCAL_IP);
	session = NULL;
	stub_feeder_init(&feeder, pychat_client_input);
	dir[0] = '\0';
	memset(key, 0, sizeof(key));
	ck_assert_int_eq(pychat_dh_from_private(&server_dh, x, unhex(V_X_SERVER, x, sizeof(x))), 0);
	ck_assert_uint_eq(unhex(V_IV_HEX, iv, sizeof(iv)), PYCHAT_IV_LEN);
}

/* Remove what a test exported (files named in the test only). */
static void remove_dir(void)
{
	static const char *const names[] = { "chat.txt", "later.txt", "taken.txt" };
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
	pychat_client_close(session, 0);
	session = NULL;
	stub_feeder_free(&feeder);
	stub_conn_free(conn);
	conn = NULL;
	pychat_dh_clear(&server_dh);
	remove_dir();
	/* Whatever the test did, the session left nothing behind. */
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/pychat-client-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* --- driving the client --- */

static void open_with(const struct polychat_host *host, const char *user)
{
	const struct polychat_client_env env = { .host = host, .user = user };
	ck_assert_int_eq(pychat_client_open(&env, conn, &session), 0);
	ck_assert_ptr_nonnull(session);
}

static void open_client(const char *user)
{
	open_with(stub_host(), user);
}

/* Offer `len` more bytes the way the core does, except that a close is
 * not consulted (NULL conn): input after one still reaches the client,
 * which must then ignore it itself. Returns 0 or the client's negative
 * code. */
static long feed(const void *data, size_t len)
{
	return stub_feed(&feeder, session, NULL, data, len);
}

static long feed_bytewise(const uint8_t *data, size_t len)
{
	return stub_feed_bytewise(&feeder, session, NULL, data, len);
}

static int line(const char *text)
{
	return pychat_client_line(session, text, strlen(text));
}

/* --- the server's frames --- */

/* A whole frame from the test server, malloc'd. */
struct frame {
	uint8_t *data;
	size_t len;
};

/* Header and payload in one buffer, unpadded as the original. */
static struct frame frame_of(const void *payload, size_t n)
{
	struct frame f = { malloc(PYCHAT_HEADER_LEN + n + 1), PYCHAT_HEADER_LEN + n };
	ck_assert_ptr_nonnull(f.data);
	pychat_header_format(n, f.data);
	memcpy(f.data + PYCHAT_HEADER_LEN, payload, n);
	return f;
}

/* An envelope as the original server writes it (§3), in a malloc'd
 * string; `object` makes cont a JSON value instead of a string. */
static char *server_json(const char *user, const char *cont, const char *typ, int object)
{
	const struct pychat_envelope env = {
		.shost = V_IP, .shost_len = strlen(V_IP),
		.dhost = V_IP, .dhost_len = strlen(V_IP),
		.username = user, .username_len = strlen(user),
		.date = V_DATE, .date_len = strlen(V_DATE),
		.cont = cont, .cont_len = strlen(cont),
		.cont_type = object ? PC_JSON_OBJECT : PC_JSON_STRING,
		.typ = typ, .typ_len = strlen(typ),
		.should_parse = object,
	};
	struct pc_buf b;
	pc_buf_init(&b, stub_host());
	pychat_envelope_write(&b, &env);
	ck_assert(!b.failed);
	char *out = strdup(b.data);
	pc_buf_free(&b);
	ck_assert_ptr_nonnull(out);
	return out;
}

static struct frame clear_frame(const char *json)
{
	return frame_of(json, strlen(json));
}

/* `json` sealed under `k` as the original server does (unpadded). */
static struct frame sealed_frame_with(const uint8_t k[PYCHAT_KEY_LEN], const char *json)
{
	size_t n = strlen(json);
	uint8_t *ct = malloc(n + 1);
	char *b64 = malloc(pc_b64_len(n) + 1);
	ck_assert(ct && b64);
	ck_assert_int_eq(pychat_cfb8(k, iv, 1, (const uint8_t *)json, n, ct), 0);
	pc_b64_encode(ct, n, b64);
	struct frame f = frame_of(b64, pc_b64_len(n));
	free(ct);
	free(b64);
	return f;
}

static void feed_frame(struct frame f)
{
	ck_assert_int_eq(feed(f.data, f.len), 0);
	free(f.data);
}

static void feed_clear(const char *json)
{
	feed_frame(clear_frame(json));
}

static void feed_sealed(const char *json)
{
	feed_frame(sealed_frame_with(key, json));
}

/* A frame from the server sealed under the client's key. */
static void send_sealed(const char *user, const char *cont, const char *typ)
{
	char *json = server_json(user, cont, typ, 0);
	feed_sealed(json);
	free(json);
}

/* §9.1's frame 1 and frame 2, as the original server sends them. */
static struct frame iv_frame(void)
{
	char *json = server_json(PYCHAT_SERVER_NAME, V_IV_B64, PYCHAT_T_IV, 0);
	struct frame f = clear_frame(json);
	free(json);
	ck_assert_mem_eq(f.data, "189       ", PYCHAT_HEADER_LEN);
	return f;
}

static struct frame key_frame_of(const char *value)
{
	char *json = server_json(PYCHAT_SERVER_NAME, value, PYCHAT_T_KEY, 0);
	struct frame f = clear_frame(json);
	free(json);
	return f;
}

static struct frame key_frame(void)
{
	struct frame f = key_frame_of(V_PUB_SERVER);
	ck_assert_mem_eq(f.data, "783       ", PYCHAT_HEADER_LEN);
	return f;
}

/* --- what the client wrote --- */

/* Python's str(datetime.now()): "YYYY-MM-DD HH:MM:SS" and maybe ".ffffff". */
static int date_ok(const char *d, size_t len)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd.dddddd";
	if (len != 19 && len != 26)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (shape[i] == 'd' ? d[i] < '0' || d[i] > '9' : d[i] != shape[i])
			return 0;
	return 1;
}

/* Write `i`'s payload, checked to be one whole frame padded to N % 10 == 0. */
static const uint8_t *payload_of(size_t i, size_t *n)
{
	size_t len = 0;
	ck_assert_msg(stub_conn_writes(conn) > i, "no write %zu (%zu made)", i,
		stub_conn_writes(conn));
	const uint8_t *w = stub_conn_write_at(conn, i, &len);
	ck_assert_int_eq(pychat_header_parse(w, 1u << 20, n), 0);
	ck_assert_uint_eq(PYCHAT_HEADER_LEN + *n, len);
	ck_assert_uint_eq(*n % 10, 0);
	return w + PYCHAT_HEADER_LEN;
}

static void check_common(const struct pychat_envelope *env, const char *user, const char *typ)
{
	ck_assert_str_eq(env->shost, LOCAL_IP);
	ck_assert_str_eq(env->dhost, PEER_IP);
	ck_assert_str_eq(env->username, user);
	ck_assert_str_eq(env->typ, typ);
	ck_assert(date_ok(env->date, env->date_len));
	ck_assert_int_eq(env->cont_type, PC_JSON_STRING);
	ck_assert_int_eq(env->should_parse, 0);
}

/* Write `i` is sealed under the key: its envelope, to be freed. */
static struct pychat_envelope open_write(size_t i)
{
	struct pychat_envelope env;
	size_t n;
	const uint8_t *p = payload_of(i, &n);
	ck_assert(!pychat_payload_is_clear(p, n));
	ck_assert_uint_eq(n % 20, 0); /* the JSON padded to a multiple of 15 */
	ck_assert_int_eq(pychat_open_sealed(stub_host(), key, iv, p, n, 0, &env), 0);
	return env;
}

static void expect_sealed(size_t i, const char *user, const char *typ, const char *cont)
{
	struct pychat_envelope env = open_write(i);
	check_common(&env, user, typ);
	ck_assert_uint_eq(env.cont_len, strlen(cont));
	ck_assert_mem_eq(env.cont, cont, env.cont_len);
	pychat_envelope_free(stub_host(), &env);
}

static void expect_chat(size_t i, const char *user, const char *text)
{
	expect_sealed(i, user, PYCHAT_T_DEFAULT, text);
}

/* Write 0 is our clear key_exc: derive the key from it as the server. */
static void take_client_key(void)
{
	struct pychat_envelope env;
	size_t n;
	const uint8_t *p = payload_of(0, &n);
	ck_assert(pychat_payload_is_clear(p, n));
	ck_assert_int_eq(pychat_open_clear(stub_host(), p, n, 0, &env), 0);
	check_common(&env, "temp", PYCHAT_T_KEY);
	ck_assert_str_ne(env.cont, V_PUB_SERVER);
	ck_assert_int_eq(pychat_dh_derive(&server_dh, env.cont, env.cont_len, key), 0);
	pychat_envelope_free(stub_host(), &env);
}

/* The §9.1 frames, then the client's key_exc. */
static void handshake(void)
{
	feed_frame(iv_frame());
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
	feed_frame(key_frame());
	ck_assert_uint_ge(stub_conn_writes(conn), 1);
	take_client_key();
}

static void approve(void)
{
	feed_sealed(V_APPROVED_PLAIN);
}

/* Registered as "alice" from the command line: writes 0 key_exc,
 * 1 setuser; ui 0 the approval, 1 ready. */
static void registered(void)
{
	open_client("alice");
	handshake();
	expect_sealed(1, "temp", PYCHAT_T_SETUSER, "alice");
	approve();
	ck_assert_uint_eq(stub_conn_ui_count(conn), 2);
}

/* --- what was shown --- */

static void expect_ui(size_t i, int kind, const char *from, const void *text, size_t len)
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

static void expect_ui_str(size_t i, int kind, const char *from, const char *text)
{
	expect_ui(i, kind, from, text, strlen(text));
}

/* ui_show call i is of `kind` and its text contains `needle`. */
static void expect_ui_has(size_t i, int kind, const char *needle)
{
	int k = 0;
	const char *f = NULL;
	const uint8_t *t = NULL;
	size_t n = 0;
	char text[1024];
	ck_assert_msg(stub_conn_ui_at(conn, i, &k, &f, &t, &n) == 0,
		"no ui_show call %zu (%zu made)", i, stub_conn_ui_count(conn));
	ck_assert_int_eq(k, kind);
	ck_assert_uint_lt(n, sizeof(text));
	memcpy(text, t, n);
	text[n] = '\0';
	ck_assert_msg(strstr(text, needle), "\"%s\" not in \"%s\"", needle, text);
}

/* --- handshake --- */

START_TEST(handshake_key_exc_in_clear_and_key_agreed)
{
	open_client("alice");
	/* Paced from the start (§2.1), handshake frames capped small. */
	ck_assert_uint_ge(stub_conn_write_gap(conn), 100);
	ck_assert_uint_eq(stub_conn_input_limit(conn), PYCHAT_HEADER_LEN + HANDSHAKE_CAP);
	handshake();
	ck_assert_uint_ge(stub_conn_input_limit(conn), PYCHAT_HEADER_LEN + FRAME_CAP);
	/* The setuser opens under the key the test derived: both sides
	 * agree. Sent as "temp", as the original. */
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	expect_sealed(1, "temp", PYCHAT_T_SETUSER, "alice");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 0);
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);
}
END_TEST

START_TEST(handshake_keys_are_fresh)
{
	uint8_t first[PYCHAT_KEY_LEN];
	open_client("alice");
	handshake();
	memcpy(first, key, sizeof(first));
	pychat_client_close(session, 0);
	session = NULL;
	stub_conn_clear_output(conn);
	stub_feeder_reset(&feeder);
	open_client("alice");
	handshake();
	ck_assert_mem_ne(first, key, sizeof(first));
}
END_TEST

START_TEST(handshake_byte_by_byte)
{
	struct frame f1 = iv_frame(), f2 = key_frame();
	open_client("alice");
	ck_assert_int_eq(feed_bytewise(f1.data, f1.len), 0);
	for (size_t i = 0; i + 1 < f2.len; i++) {
		ck_assert_int_eq(feed(f2.data + i, 1), 0);
		ck_assert_uint_eq(stub_conn_writes(conn), 0);
	}
	ck_assert_int_eq(feed(f2.data + f2.len - 1, 1), 0);
	ck_assert_uint_eq(feeder.len, 0);
	free(f1.data);
	free(f2.data);
	take_client_key();
	expect_sealed(1, "temp", PYCHAT_T_SETUSER, "alice");
}
END_TEST

START_TEST(handshake_frames_together_consumed_exactly)
{
	struct frame f1 = iv_frame(), f2 = key_frame();
	size_t a = f1.len, b = f2.len;
	uint8_t *both = malloc(a + b);
	ck_assert_ptr_nonnull(both);
	memcpy(both, f1.data, a);
	memcpy(both + a, f2.data, b);
	open_client("alice");
	/* One frame per call, the next one left for the next call. */
	ck_assert_int_eq(pychat_client_input(session, both, a + b), (long)a);
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
	ck_assert_int_eq(pychat_client_input(session, both + a, b), (long)b);
	take_client_key();
	free(both);
	free(f1.data);
	free(f2.data);
}
END_TEST

/* Open a fresh client, feed `frame` (freed), expect the session to end
 * with an error line containing `why` and nothing written. */
static void expect_refused(struct frame f, const char *why)
{
	if (session) {
		pychat_client_close(session, 0);
		session = NULL;
	}
	stub_conn_free(conn);
	conn = stub_conn_new(NULL, PEER_IP, 1234);
	open_client("alice");
	ck_assert_int_lt(feed(f.data, f.len), 0);
	free(f.data);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 1);
	expect_ui_has(0, POLYCHAT_UI_ERROR, why);
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
	/* Over: later bytes are swallowed, typed lines go nowhere. */
	ck_assert_int_eq(pychat_client_input(session, (const uint8_t *)"x", 1), 1);
	ck_assert_int_eq(line("hello"), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
}

START_TEST(bad_first_frame_ends_the_session)
{
	char *json;

	/* Sealed-looking (no iv_exc/key_exc in it). */
	expect_refused(frame_of("AAAAAAAA", 8), "first frame is not in clear");
	/* Clear but not JSON. */
	expect_refused(frame_of("iv_exc!", 7), "first frame is not a pyChat message");
	/* The IV: too short, not Base64, 17 bytes, empty. */
	static const char *const bad_ivs[] = {
		"AAECAwQFBgcICQoLDA0ODw", "AAECAwQFBgcICQoLDA0OD!==",
		"AAECAwQFBgcICQoLDA0ODxA=", "",
	};
	for (size_t i = 0; i < sizeof(bad_ivs) / sizeof(bad_ivs[0]); i++) {
		json = server_json(PYCHAT_SERVER_NAME, bad_ivs[i], PYCHAT_T_IV, 0);
		expect_refused(clear_frame(json), "IV is not 16 bytes in Base64");
		free(json);
	}
	/* The server's key_exc first: its cont is no IV. */
	expect_refused(key_frame(), "IV is not 16 bytes in Base64");
	/* An empty payload. */
	expect_refused(frame_of("", 0), "first frame is not in clear");
}
END_TEST

/* Feed the IV frame, then `second`; the session must end. */
static void expect_second_refused(struct frame second, const char *why)
{
	if (session) {
		pychat_client_close(session, 0);
		session = NULL;
	}
	stub_conn_free(conn);
	conn = stub_conn_new(NULL, PEER_IP, 1234);
	open_client("alice");
	feed_frame(iv_frame());
	ck_assert_int_lt(feed(second.data, second.len), 0);
	free(second.data);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 1);
	expect_ui_has(0, POLYCHAT_UI_ERROR, why);
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
}

START_TEST(degenerate_server_values_end_the_session)
{
	static const char why[] = "Diffie-Hellman value is refused";
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
	ck_assert_ptr_nonnull(p);
	expect_second_refused(key_frame_of("0"), why);
	expect_second_refused(key_frame_of("1"), why);
	ck_assert(BN_sub_word(p, 1));
	char *p_minus_1 = BN_bn2dec(p);
	expect_second_refused(key_frame_of(p_minus_1), why);
	ck_assert(BN_add_word(p, 1));
	char *p_itself = BN_bn2dec(p);
	expect_second_refused(key_frame_of(p_itself), why);
	OPENSSL_free(p_minus_1);
	OPENSSL_free(p_itself);
	BN_free(p);
	expect_second_refused(key_frame_of("12ab"), why);
	expect_second_refused(key_frame_of("-5"), why);
	/* p-2 is the largest value accepted. */
	pychat_client_close(session, 0);
	session = NULL;
	stub_conn_free(conn);
	conn = stub_conn_new(NULL, PEER_IP, 1234);
	p = BN_get_rfc3526_prime_2048(NULL);
	ck_assert(BN_sub_word(p, 2));
	char *p_minus_2 = BN_bn2dec(p);
	open_client("alice");
	feed_frame(iv_frame());
	feed_frame(key_frame_of(p_minus_2));
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	OPENSSL_free(p_minus_2);
	BN_free(p);
}
END_TEST

START_TEST(bad_second_frame_ends_the_session)
{
	/* Sealed-looking, then clear garbage. */
	expect_second_refused(frame_of("QUJD", 4), "second frame is not in clear");
	expect_second_refused(frame_of("{\"key_exc\": 1", 13),
		"second frame is not a pyChat message");
}
END_TEST

START_TEST(bad_headers_end_the_session)
{
	static const char *const headers[] = {
		"12a       ", "          ", "-5        ", "1 2       ", "+5        ",
	};
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		struct frame f = { malloc(PYCHAT_HEADER_LEN), PYCHAT_HEADER_LEN };
		memcpy(f.data, headers[i], PYCHAT_HEADER_LEN);
		expect_refused(f, "malformed frame header");
	}
	/* Over the handshake cap, refused from the header alone. */
	struct frame f = { malloc(PYCHAT_HEADER_LEN), PYCHAT_HEADER_LEN };
	memcpy(f.data, "65537     ", PYCHAT_HEADER_LEN);
	expect_refused(f, "more than the 65536 bytes");
}
END_TEST

START_TEST(bad_headers_after_registration_end_the_session)
{
	registered();
	ck_assert_int_eq(feed("16777217  ", PYCHAT_HEADER_LEN), POLYCHAT_ETOOBIG);
	expect_ui_has(2, POLYCHAT_UI_ERROR, "more than the 16777216 bytes");
	ck_assert_int_eq(pychat_client_input(session, (const uint8_t *)"x", 1), 1);

	pychat_client_close(session, 0);
	session = NULL;
	stub_conn_free(conn);
	conn = stub_conn_new(NULL, PEER_IP, 1234);
	stub_conn_set_local_ip(conn, LOCAL_IP);
	registered();
	/* The cap itself is accepted: the frame is just awaited. */
	ck_assert_int_eq(feed("16777216  ", PYCHAT_HEADER_LEN), 0);
	ck_assert_uint_eq(feeder.len, PYCHAT_HEADER_LEN);
	stub_feeder_reset(&feeder);
	ck_assert_int_eq(feed("x\tx       ", PYCHAT_HEADER_LEN), POLYCHAT_EPROTO);
	expect_ui_str(2, POLYCHAT_UI_ERROR, NULL, "connection error: malformed frame header");
	ck_assert_int_eq(line("after"), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
}
END_TEST

START_TEST(open_out_of_memory)
{
	const struct polychat_client_env env = { .host = stub_host(), .user = "alice" };
	void *s = NULL;
	stub_alloc_fail_after(0);
	ck_assert_int_eq(pychat_client_open(&env, conn, &s), POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_ptr_null(s);
}
END_TEST

/* --- registration --- */

START_TEST(registration_with_command_line_name)
{
	registered();
	expect_ui_str(0, POLYCHAT_UI_NOTICE, NULL, PYCHAT_APPROVED_TEXT);
	expect_ui(1, POLYCHAT_UI_READY, NULL, NULL, 0);
	ck_assert_int_eq(line("hi"), 0);
	expect_chat(2, "alice", "hi");
}
END_TEST

START_TEST(registration_name_taken_asks_again)
{
	open_client("alice");
	handshake();
	expect_sealed(1, "temp", PYCHAT_T_SETUSER, "alice");
	send_sealed(PYCHAT_SERVER_NAME, PYCHAT_TAKEN_TEXT, PYCHAT_T_TAKEN);
	expect_ui_str(0, POLYCHAT_UI_ERROR, NULL, PYCHAT_TAKEN_TEXT);
	expect_ui_str(1, POLYCHAT_UI_NOTICE, NULL, "username:");
	/* The command line's name is not sent again by itself. */
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	ck_assert_int_eq(line("bob"), 0);
	expect_sealed(2, "temp", PYCHAT_T_SETUSER, "bob");
	approve();
	expect_ui_str(2, POLYCHAT_UI_NOTICE, NULL, PYCHAT_APPROVED_TEXT);
	expect_ui(3, POLYCHAT_UI_READY, NULL, NULL, 0);
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_READY), 1);
	/* Chat goes out as the name accepted. */
	ck_assert_int_eq(line("hello"), 0);
	expect_chat(3, "bob", "hello");
}
END_TEST

START_TEST(registration_taken_text_alone_refuses)
{
	/* The original client decides by the text, whatever the typ. */
	open_client("alice");
	handshake();
	send_sealed(PYCHAT_SERVER_NAME, PYCHAT_TAKEN_TEXT, "something");
	expect_ui_str(0, POLYCHAT_UI_ERROR, NULL, PYCHAT_TAKEN_TEXT);
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_READY), 0);
}
END_TEST

START_TEST(registration_typed_name_and_local_refusals)
{
	open_client(NULL);
	handshake();
	ck_assert_uint_eq(stub_conn_writes(conn), 1);
	expect_ui_str(0, POLYCHAT_UI_NOTICE, NULL, "username:");
	/* Empty and *server* are refused here, as the original client does. */
	ck_assert_int_eq(line(""), 0);
	expect_ui_str(1, POLYCHAT_UI_ERROR, NULL, "the username cannot be empty");
	expect_ui_str(2, POLYCHAT_UI_NOTICE, NULL, "username:");
	ck_assert_int_eq(line("*server*"), 0);
	expect_ui_str(3, POLYCHAT_UI_ERROR, NULL, "the username *server* is the server's");
	expect_ui_str(4, POLYCHAT_UI_NOTICE, NULL, "username:");
	ck_assert_uint_eq(stub_conn_writes(conn), 1);
	ck_assert_int_eq(line("carol"), 0);
	expect_sealed(1, "temp", PYCHAT_T_SETUSER, "carol");
	approve();
	expect_ui(6, POLYCHAT_UI_READY, NULL, NULL, 0);
}
END_TEST

START_TEST(registration_command_line_server_name_refused)
{
	open_client("*server*");
	handshake();
	ck_assert_uint_eq(stub_conn_writes(conn), 1);
	expect_ui_str(0, POLYCHAT_UI_ERROR, NULL, "the username *server* is the server's");
	expect_ui_str(1, POLYCHAT_UI_NOTICE, NULL, "username:");
	ck_assert_int_eq(line("dave"), 0);
	expect_sealed(1, "temp", PYCHAT_T_SETUSER, "dave");
}
END_TEST

START_TEST(registration_chat_before_the_reply_is_not_the_reply)
{
	/* The original server relays to unregistered connections: a chat
	 * message or a leave notice can come before the reply. */
	open_client("alice");
	handshake();
	feed_sealed(V_BOB_TO_ALICE_PLAIN);
	feed_sealed(V_LEAVE_PLAIN);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 2);
	expect_ui_str(0, POLYCHAT_UI_MESSAGE, "bob", "Hi Alice \xe2\x9c\x93");
	expect_ui_str(1, POLYCHAT_UI_NOTICE, NULL, "[bob] has left the chat");
	ck_assert_int_eq(line("queued"), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	approve();
	expect_ui_str(2, POLYCHAT_UI_NOTICE, NULL, PYCHAT_APPROVED_TEXT);
	expect_ui(3, POLYCHAT_UI_READY, NULL, NULL, 0);
	expect_chat(2, "alice", "queued");
}
END_TEST

START_TEST(lines_typed_early_wait_in_order)
{
	open_client("alice");
	ck_assert_int_eq(line("first"), 0);
	ck_assert_int_eq(line(""), 0);
	ck_assert_int_eq(line("/nope"), 0);
	ck_assert_int_eq(line("second"), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 0);
	handshake();
	/* Not before the approval. */
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	approve();
	expect_ui(1, POLYCHAT_UI_READY, NULL, NULL, 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 4);
	expect_chat(2, "alice", "first");
	expect_chat(3, "alice", "second");
	/* The unknown command is reported in its turn, as the client would. */
	expect_ui_str(2, POLYCHAT_UI_ERROR, NULL, "unknown command /nope (/help lists commands)");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 3);
}
END_TEST

START_TEST(typed_early_name_then_lines)
{
	open_client(NULL);
	ck_assert_int_eq(line("carol"), 0);
	ck_assert_int_eq(line("hi all"), 0);
	handshake();
	/* The first line was the name: no prompt needed. */
	ck_assert_uint_eq(stub_conn_ui_count(conn), 0);
	expect_sealed(1, "temp", PYCHAT_T_SETUSER, "carol");
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	approve();
	expect_chat(2, "carol", "hi all");
}
END_TEST

START_TEST(queue_is_bounded)
{
	open_client("alice");
	for (int i = 0; i < 4096; i++)
		ck_assert_int_eq(line("x"), 0);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 0);
	ck_assert_int_eq(line("one too many"), 0);
	expect_ui_has(0, POLYCHAT_UI_ERROR, "line dropped");
}
END_TEST

/* --- chat --- */

START_TEST(chat_line_is_a_default_frame)
{
	registered();
	ck_assert_int_eq(line("Hello, Bob!"), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 3);
	expect_chat(2, "alice", "Hello, Bob!");
	/* Empty lines are not sent. */
	ck_assert_int_eq(line(""), 0);
	ck_assert_uint_eq(stub_conn_writes(conn), 3);
	/* "//" sends a line that starts with "/". */
	ck_assert_int_eq(line("//shrug"), 0);
	expect_chat(3, "alice", "/shrug");
}
END_TEST

START_TEST(unicode_and_quotes_round_trip)
{
	static const char text[] = "Gr\xc3\xbc\xc3\x9f" "e \"quoted\" back\\slash \xe2\x9c\x93 "
		"\xf0\x9f\x98\x80 tab\tend";
	uint8_t plain[512];
	size_t n, m = 0;
	registered();
	ck_assert_int_eq(line(text), 0);
	expect_chat(2, "alice", text);
	/* On the wire pure ASCII, escaped as json.dumps does. */
	const uint8_t *p = payload_of(2, &n);
	ck_assert_uint_le(n / 4 * 3, sizeof(plain));
	ck_assert_int_eq(pc_b64_decode((const char *)p, n, plain, &m), 0);
	ck_assert_int_eq(pychat_cfb8(key, iv, 0, plain, m, plain), 0);
	for (size_t i = 0; i < m; i++)
		ck_assert_uint_lt(plain[i], 0x80);
	plain[m] = '\0';
	ck_assert_ptr_nonnull(strstr((char *)plain,
		"\"cont\": \"Gr\\u00fc\\u00dfe \\\"quoted\\\" back\\\\slash \\u2713 "
		"\\ud83d\\ude00 tab\\tend\""));

	/* And back: a relayed message shows the same text from its sender. */
	send_sealed("zo\xc3\xab", text, PYCHAT_T_DEFAULT);
	expect_ui_str(2, POLYCHAT_UI_MESSAGE, "zo\xc3\xab", text);
}
END_TEST

START_TEST(relayed_messages_and_notices)
{
	registered();
	/* §9.2's frames, under this session's key. */
	feed_sealed(V_BOB_TO_ALICE_PLAIN);
	expect_ui_str(2, POLYCHAT_UI_MESSAGE, "bob", "Hi Alice \xe2\x9c\x93");
	feed_sealed(V_CHAT_PLAIN);
	expect_ui_str(3, POLYCHAT_UI_MESSAGE, "alice", "Hello, Bob!");
	feed_sealed(V_LEAVE_PLAIN);
	expect_ui_str(4, POLYCHAT_UI_NOTICE, NULL, "[bob] has left the chat");
	/* Other types are shown as messages, as the original does. */
	send_sealed("bob", "custom", "whatever");
	expect_ui_str(5, POLYCHAT_UI_MESSAGE, "bob", "custom");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 6);
}
END_TEST

START_TEST(clear_frames_after_the_handshake)
{
	/* The original server sends in clear whatever mentions key_exc. */
	registered();
	char *json = server_json("bob", "what is key_exc?", PYCHAT_T_DEFAULT, 0);
	feed_clear(json);
	free(json);
	expect_ui_str(2, POLYCHAT_UI_MESSAGE, "bob", "what is key_exc?");
}
END_TEST

START_TEST(odd_names_and_contents)
{
	registered();
	/* A NUL in the sender cannot cut the name short. */
	feed_sealed("{\"shost\": \"x\", \"dhost\": \"x\", \"username\": \"a\\u0000b\","
		" \"date\": \"d\", \"cont\": \"hi\", \"typ\": \"default\"}");
	expect_ui_str(2, POLYCHAT_UI_MESSAGE, "a\xef\xbf\xbd" "b", "hi");
	/* A NUL in the text is passed on with its length (ui_show escapes it). */
	feed_sealed("{\"shost\": \"x\", \"dhost\": \"x\", \"username\": \"bob\", \"date\": \"d\","
		" \"cont\": \"a\\u0000\\u001b[2J\", \"typ\": \"default\"}");
	expect_ui(3, POLYCHAT_UI_MESSAGE, "bob", "a\0\x1b[2J", 6);
	/* A cont that is not text is dropped with a line. */
	feed_sealed("{\"shost\": \"x\", \"dhost\": \"x\", \"username\": \"bob\", \"date\": \"d\","
		" \"cont\": [1, 2], \"typ\": \"default\"}");
	expect_ui_has(4, POLYCHAT_UI_ERROR, "not text");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 5);
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);
}
END_TEST

START_TEST(undecryptable_frames_are_dropped)
{
	uint8_t other[PYCHAT_KEY_LEN];
	registered();
	/* Bob's key: the original server's shared AES object under load. */
	unhex(V_KEY_B, other, sizeof(other));
	feed_frame(sealed_frame_with(other, V_CHAT_TO_BOB_PLAIN));
	expect_ui_has(2, POLYCHAT_UI_ERROR, "dropped a frame");
	/* Not Base64; Base64 of nothing; a tampered byte. */
	feed_frame(frame_of("!!!!", 4));
	expect_ui_has(3, POLYCHAT_UI_ERROR, "dropped a frame");
	feed_frame(frame_of("", 0));
	expect_ui_has(4, POLYCHAT_UI_ERROR, "dropped a frame");
	struct frame f = sealed_frame_with(key, V_BOB_TO_ALICE_PLAIN);
	f.data[PYCHAT_HEADER_LEN + 3] ^= 0x01;
	feed_frame(f);
	expect_ui_has(5, POLYCHAT_UI_ERROR, "dropped a frame");
	ck_assert_uint_eq(stub_conn_ui_count_kind(conn, POLYCHAT_UI_MESSAGE), 0);
	/* The session goes on. */
	feed_sealed(V_BOB_TO_ALICE_PLAIN);
	expect_ui_str(6, POLYCHAT_UI_MESSAGE, "bob", "Hi Alice \xe2\x9c\x93");
	ck_assert_int_eq(line("still here"), 0);
	expect_chat(2, "alice", "still here");
}
END_TEST

START_TEST(frames_byte_by_byte_and_back_to_back)
{
	registered();
	struct frame ff = sealed_frame_with(key, V_BOB_TO_ALICE_PLAIN);
	uint8_t *f = ff.data;
	size_t a = ff.len;
	for (size_t i = 0; i + 1 < a; i++) {
		ck_assert_int_eq(feed(f + i, 1), 0);
		ck_assert_uint_eq(stub_conn_ui_count(conn), 2);
	}
	ck_assert_int_eq(feed(f + a - 1, 1), 0);
	expect_ui_str(2, POLYCHAT_UI_MESSAGE, "bob", "Hi Alice \xe2\x9c\x93");
	ck_assert_uint_eq(feeder.len, 0);

	/* Two frames in one read: exactly one consumed per call. */
	struct frame gg = sealed_frame_with(key, V_LEAVE_PLAIN);
	uint8_t *g = gg.data;
	size_t b = gg.len;
	uint8_t *both = malloc(a + b);
	ck_assert_ptr_nonnull(both);
	memcpy(both, f, a);
	memcpy(both + a, g, b);
	ck_assert_int_eq(pychat_client_input(session, both, a + b), (long)a);
	ck_assert_int_eq(pychat_client_input(session, both + a, b - 1), 0);
	ck_assert_int_eq(pychat_client_input(session, both + a, b), (long)b);
	expect_ui_str(4, POLYCHAT_UI_NOTICE, NULL, "[bob] has left the chat");
	free(both);
	free(f);
	free(g);
}
END_TEST

/* --- commands --- */

START_TEST(help_request_and_reply)
{
	registered();
	ck_assert_int_eq(line("[help]"), 0);
	expect_sealed(2, "alice", PYCHAT_T_HELP, "[help]");
	char *json = server_json(PYCHAT_SERVER_NAME, PYCHAT_HELP_OBJECT, PYCHAT_T_HELP, 1);
	feed_sealed(json);
	free(json);
	expect_ui_str(2, POLYCHAT_UI_NOTICE, NULL, "[export_chat] : export current chat");
	expect_ui_str(3, POLYCHAT_UI_NOTICE, NULL, "[help] : display possibile commands");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 4);

	/* A reply that is not an object of strings: one error line, no part
	 * of it shown. */
	send_sealed(PYCHAT_SERVER_NAME, "[help]", PYCHAT_T_HELP);
	expect_ui_has(4, POLYCHAT_UI_ERROR, "not a list of commands");
	json = server_json(PYCHAT_SERVER_NAME, "{\"a\": \"b\", \"c\": 1}", PYCHAT_T_HELP, 1);
	feed_sealed(json);
	free(json);
	expect_ui_has(5, POLYCHAT_UI_ERROR, "not a list of commands");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 6);
	ck_assert_int_eq(stub_conn_closed(conn, NULL, NULL), 0);
}
END_TEST

START_TEST(export_chat_shown)
{
	registered();
	ck_assert_int_eq(line("[export_chat]"), 0);
	expect_sealed(2, "alice", PYCHAT_T_EXPORT, "[export_chat]");
	send_sealed(PYCHAT_SERVER_NAME, "Hello, Bob!\nHi Alice \xe2\x9c\x93\n", PYCHAT_T_EXPORT);
	expect_ui_str(2, POLYCHAT_UI_NOTICE, NULL, "chat log:");
	expect_ui_str(3, POLYCHAT_UI_NOTICE, NULL, "Hello, Bob!");
	expect_ui_str(4, POLYCHAT_UI_NOTICE, NULL, "Hi Alice \xe2\x9c\x93");
	ck_assert_uint_eq(stub_conn_ui_count(conn), 5);
	ck_assert_int_eq(line("[export_chat]"), 0);
	send_sealed(PYCHAT_SERVER_NAME, "", PYCHAT_T_EXPORT);
	expect_ui_str(5, POLYCHAT_UI_NOTICE, NULL, "the chat log is empty");
	/* A reply nobody asked for is shown too. */
	send_sealed(PYCHAT_SERVER_NAME, "x", PYCHAT_T_EXPORT);
	expect_ui_str(7, POLYCHAT_UI_NOTICE, NULL, "x");
}
END_TEST

START_TEST(export_to_file)
{
	static const char log[] = "Hello, Bob!\nHi \"Alice\" \xe2\x9c\x93\n";
	char path[128], real[PATH_MAX], want[PATH_MAX + 64], got[128];
	struct stat st;
	make_dir();
	snprintf(path, sizeof(path), "%s/chat.txt", dir);
	registered();
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "/export  %s ", path);
	ck_assert_int_eq(line(cmd), 0);
	expect_sealed(2, "alice", PYCHAT_T_EXPORT, "[export_chat]");
	/* Nothing is created before the reply. */
	ck_assert_int_ne(lstat(path, &st), 0);
	send_sealed(PYCHAT_SERVER_NAME, log, PYCHAT_T_EXPORT);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq((size_t)st.st_size, strlen(log));
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(got, 1, sizeof(got), f), strlen(log));
	fclose(f);
	ck_assert_mem_eq(got, log, strlen(log));
	ck_assert_ptr_nonnull(realpath(path, real));
	snprintf(want, sizeof(want), "chat log written to %s (%zu bytes)", real, strlen(log));
	expect_ui_str(2, POLYCHAT_UI_NOTICE, NULL, want);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 3);

	/* The file exists now: refused at once, nothing asked. */
	ck_assert_int_eq(line(cmd), 0);
	expect_ui_has(3, POLYCHAT_UI_ERROR, "already exists: not overwritten");
	ck_assert_uint_eq(stub_conn_writes(conn), 3);
	/* No file named: usage. */
	ck_assert_int_eq(line("/export"), 0);
	ck_assert_int_eq(line("/export   "), 0);
	expect_ui_str(4, POLYCHAT_UI_ERROR, NULL, "usage: /export FILE");
	expect_ui_str(5, POLYCHAT_UI_ERROR, NULL, "usage: /export FILE");
	ck_assert_uint_eq(stub_conn_writes(conn), 3);
	/* Not a command: "/exporter" is unknown. */
	ck_assert_int_eq(line("/exporter x"), POLYCHAT_ENOTSUP);
	ck_assert_uint_eq(stub_conn_writes(conn), 3);
}
END_TEST

START_TEST(export_never_overwrites_a_file_made_meanwhile)
{
	char path[128], got[16];
	make_dir();
	snprintf(path, sizeof(path), "%s/taken.txt", dir);
	registered();
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "/export %s", path);
	ck_assert_int_eq(line(cmd), 0);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs("keep", f);
	fclose(f);
	send_sealed(PYCHAT_SERVER_NAME, "the log", PYCHAT_T_EXPORT);
	expect_ui_has(2, POLYCHAT_UI_ERROR, "not overwritten");
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(got, 1, sizeof(got), f), 4);
	fclose(f);
	ck_assert_mem_eq(got, "keep", 4);
}
END_TEST

START_TEST(exports_answered_in_order)
{
	char path[128], cmd[160];
	struct stat st;
	make_dir();
	snprintf(path, sizeof(path), "%s/later.txt", dir);
	snprintf(cmd, sizeof(cmd), "/export %s", path);
	/* Asked before ready: it waits with the other lines. */
	open_client("alice");
	ck_assert_int_eq(line(cmd), 0);
	ck_assert_int_eq(line("[export_chat]"), 0);
	handshake();
	approve();
	expect_sealed(2, "alice", PYCHAT_T_EXPORT, "[export_chat]");
	expect_sealed(3, "alice", PYCHAT_T_EXPORT, "[export_chat]");
	send_sealed(PYCHAT_SERVER_NAME, "to the file", PYCHAT_T_EXPORT);
	send_sealed(PYCHAT_SERVER_NAME, "to the screen", PYCHAT_T_EXPORT);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq((size_t)st.st_size, strlen("to the file"));
	expect_ui_has(2, POLYCHAT_UI_NOTICE, "chat log written to");
	expect_ui_str(4, POLYCHAT_UI_NOTICE, NULL, "to the screen");
}
END_TEST

START_TEST(unknown_commands_not_sent)
{
	registered();
	ck_assert_int_eq(line("/nope"), POLYCHAT_ENOTSUP);
	ck_assert_int_eq(line("/exit"), POLYCHAT_ENOTSUP);
	ck_assert_int_eq(line("/"), POLYCHAT_ENOTSUP);
	ck_assert_uint_eq(stub_conn_writes(conn), 2);
	ck_assert_uint_eq(stub_conn_ui_count(conn), 2);
}
END_TEST

START_TEST(help_lists_the_commands)
{
	const char *help = pychat_client_help();
	ck_assert_ptr_nonnull(help);
	ck_assert_ptr_nonnull(strstr(help, "  /export FILE "));
	ck_assert_ptr_nonnull(strstr(help, "  [help] "));
	ck_assert_ptr_nonnull(strstr(help, "  [export_chat] "));
	ck_assert_int_eq(help[strlen(help) - 1], '\n');
}
END_TEST

/* --- privacy and memory --- */

START_TEST(no_plaintext_in_logs)
{
	stub_log_clear();
	open_client("secretname");
	handshake();
	approve();
	ck_assert_int_eq(line("secret text"), 0);
	send_sealed("bob", "secret reply", PYCHAT_T_DEFAULT);
	ck_assert_uint_ge(stub_log_count(), 1); /* it does log, just not that */
	ck_assert(!stub_log_contains("secret"));
	ck_assert(!stub_log_contains("Hi Alice"));
	ck_assert(!stub_log_contains(PYCHAT_APPROVED_TEXT));
}
END_TEST

/* A host whose wipe notes whether the session key went through it. */
static int key_wiped;

static void noting_wipe(void *ptr, size_t len)
{
	if (len == PYCHAT_KEY_LEN && memcmp(ptr, key, len) == 0)
		key_wiped = 1;
	stub_host()->wipe(ptr, len);
}

START_TEST(close_wipes_the_key)
{
	static struct polychat_host noting;
	noting = *stub_host();
	noting.wipe = noting_wipe;
	key_wiped = 0;
	open_with(&noting, "alice");
	handshake();
	approve();
	ck_assert_int_eq(key_wiped, 0);
	pychat_client_close(session, 0);
	session = NULL;
	ck_assert_int_eq(key_wiped, 1);
}
END_TEST

START_TEST(close_frees_everything)
{
	char cmd[160];
	/* Mid-handshake, with lines waiting. */
	open_client("alice");
	ck_assert_int_eq(line("waiting"), 0);
	ck_assert_int_gt(stub_alloc_outstanding(), 1);
	pychat_client_close(session, POLYCHAT_ECLOSED);
	session = NULL;
	ck_assert_int_eq(stub_alloc_outstanding(), 0);

	/* Waiting for the setuser reply, with a name in flight. */
	open_client("alice");
	handshake();
	ck_assert_int_eq(line("queued"), 0);
	pychat_client_close(session, 0);
	session = NULL;
	ck_assert_int_eq(stub_alloc_outstanding(), 0);

	/* Registered, with exports unanswered. */
	stub_conn_clear_output(conn);
	stub_feeder_reset(&feeder);
	make_dir();
	registered();
	snprintf(cmd, sizeof(cmd), "/export %s/chat.txt", dir);
	ck_assert_int_eq(line(cmd), 0);
	ck_assert_int_eq(line("[export_chat]"), 0);
	pychat_client_close(session, 0);
	session = NULL;
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	pychat_client_close(NULL, 0);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("pychat-client");
	TCase *tc = tcase_create("handshake");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, handshake_key_exc_in_clear_and_key_agreed);
	tcase_add_test(tc, handshake_keys_are_fresh);
	tcase_add_test(tc, handshake_byte_by_byte);
	tcase_add_test(tc, handshake_frames_together_consumed_exactly);
	tcase_add_test(tc, bad_first_frame_ends_the_session);
	tcase_add_test(tc, degenerate_server_values_end_the_session);
	tcase_add_test(tc, bad_second_frame_ends_the_session);
	tcase_add_test(tc, bad_headers_end_the_session);
	tcase_add_test(tc, bad_headers_after_registration_end_the_session);
	tcase_add_test(tc, open_out_of_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("registration");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, registration_with_command_line_name);
	tcase_add_test(tc, registration_name_taken_asks_again);
	tcase_add_test(tc, registration_taken_text_alone_refuses);
	tcase_add_test(tc, registration_typed_name_and_local_refusals);
	tcase_add_test(tc, registration_command_line_server_name_refused);
	tcase_add_test(tc, registration_chat_before_the_reply_is_not_the_reply);
	tcase_add_test(tc, lines_typed_early_wait_in_order);
	tcase_add_test(tc, typed_early_name_then_lines);
	tcase_add_test(tc, queue_is_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("chat");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, chat_line_is_a_default_frame);
	tcase_add_test(tc, unicode_and_quotes_round_trip);
	tcase_add_test(tc, relayed_messages_and_notices);
	tcase_add_test(tc, clear_frames_after_the_handshake);
	tcase_add_test(tc, odd_names_and_contents);
	tcase_add_test(tc, undecryptable_frames_are_dropped);
	tcase_add_test(tc, frames_byte_by_byte_and_back_to_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("commands");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, help_request_and_reply);
	tcase_add_test(tc, export_chat_shown);
	tcase_add_test(tc, export_to_file);
	tcase_add_test(tc, export_never_overwrites_a_file_made_meanwhile);
	tcase_add_test(tc, exports_answered_in_order);
	tcase_add_test(tc, unknown_commands_not_sent);
	tcase_add_test(tc, help_lists_the_commands);
	tcase_add_test(tc, no_plaintext_in_logs);
	tcase_add_test(tc, close_wipes_the_key);
	tcase_add_test(tc, close_frees_everything);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(client_suite());
}
