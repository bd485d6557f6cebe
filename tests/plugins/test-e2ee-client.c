/* SPDX-License-Identifier: MIT */
/* The e2ee-chat client half against a test-side server: registration (both OTP deliveries), login and queued messages, keys, sending, pushes, framing, refusals (e2ee-chat.md §6, §10). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <polychat/status.h>

#include "plugins/crypto-x25519-gcm/e2ee-blob.h"
#include "plugins/crypto-x25519-gcm/e2ee-client.h"
#include "plugins/crypto-x25519-gcm/e2ee-wire.h"
#include "plugins/crypto-x25519-gcm/xg-keyfile.h"
#include "plugins/crypto-x25519-gcm/xg-prims.h"
#include "tests/check-run.h"
#include "tests/stubs/stub-feed.h"
#include "tests/stubs/stub-host.h"

/*
 * The test plays the server: it builds response frames with the codec,
 * signs peers' keys with a server RSA-4096 key and seals messages with
 * the keys of two peers, all made once per run in main() (RSA-4096 takes
 * a second each). The client's own key files are made once too, into a
 * template directory each test copies into its fresh state directory;
 * one test lets the client generate its own.
 */

#define ME "0501234567"     /* §9's A */
#define PEER "0527654321"   /* §9's B */
#define OTHER "0541111111"  /* a second sender */
#define PEER_IP "192.0.2.1"

struct identity {
	uint8_t dh_priv[XG_X25519_LEN], dh_pub[XG_X25519_LEN];
	EVP_PKEY *rsa;
	char *pem;      /* SPKI PEM, malloc'd */
	size_t pem_len;
};

static char template_dir[64];
static struct identity me, peer, other;
static EVP_PKEY *server_key;
static char *server_pem;
static size_t server_pem_len;

static struct polychat_conn *conn;
static void *session;
static struct stub_feeder feeder;
static char dir[64];
static struct polychat_options *options;

/* --- fixture: keys made once --- */

/* Outside a test Check cannot report: a failing fixture ends the run. */
static void need(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "test-e2ee-client: fixture: %s failed\n", what);
		exit(EXIT_FAILURE);
	}
}

static char *dup_host_pem(EVP_PKEY *key, size_t *len)
{
	char *pem = NULL;
	need(xg_rsa_public_pem(stub_host(), key, &pem, len) == 0, "xg_rsa_public_pem");
	char *copy = malloc(*len + 1);
	need(copy != NULL, "malloc");
	memcpy(copy, pem, *len + 1);
	stub_host()->free(pem);
	return copy;
}

static void make_peer(struct identity *id, EVP_PKEY *rsa)
{
	need(xg_x25519_generate(id->dh_priv, id->dh_pub) == 0, "xg_x25519_generate");
	id->rsa = rsa;
	id->pem = dup_host_pem(rsa, &id->pem_len);
}

static void path_of(char *out, size_t len, const char *d, const char *name)
{
	need(snprintf(out, len, "%s/%s", d, name) < (int)len, "path");
}

static void make_fixture(void)
{
	char path[128], why[256];
	EVP_PKEY *dh = NULL, *rsa = NULL;
	snprintf(template_dir, sizeof(template_dir), "/tmp/e2ee-client-keys-XXXXXX");
	need(mkdtemp(template_dir) != NULL, "mkdtemp");
	path_of(path, sizeof(path), template_dir, "dh_private_key.pem");
	need(xg_keyfile_load_or_create(stub_host(), path, NULL, XG_KEY_X25519, 0,
		&dh, NULL, why, sizeof(why)) == 0, "xg_keyfile_load_or_create");
	need(xg_x25519_from_pkey(dh, me.dh_priv) == 0, "xg_x25519_from_pkey");
	need(xg_x25519_public(me.dh_priv, me.dh_pub) == 0, "xg_x25519_public");
	EVP_PKEY_free(dh);
	path_of(path, sizeof(path), template_dir, "rsa_private_key.pem");
	need(xg_keyfile_load_or_create(stub_host(), path, NULL, XG_KEY_RSA,
		E2EE_RSA_BITS, &rsa, NULL, why, sizeof(why)) == 0, "xg_keyfile_load_or_create");
	me.rsa = rsa;
	me.pem = dup_host_pem(rsa, &me.pem_len);

	need(xg_rsa_generate(E2EE_RSA_BITS, &server_key) == 0, "xg_rsa_generate");
	server_pem = dup_host_pem(server_key, &server_pem_len);
	need(xg_rsa_generate(E2EE_RSA_BITS, &rsa) == 0, "xg_rsa_generate");
	make_peer(&peer, rsa);
	/* Any RSA-4096 key does for a second sender. */
	EVP_PKEY_up_ref(server_key);
	make_peer(&other, server_key);
}

static void remove_tree(const char *d)
{
	DIR *dp = opendir(d);
	if (!dp)
		return;
	struct dirent *de;
	char path[512];
	while ((de = readdir(dp))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", d, de->d_name);
		unlink(path);
	}
	closedir(dp);
	rmdir(d);
}

static void free_fixture(void)
{
	remove_tree(template_dir);
	EVP_PKEY_free(me.rsa);
	EVP_PKEY_free(peer.rsa);
	EVP_PKEY_free(other.rsa);
	EVP_PKEY_free(server_key);
	free(me.pem);
	free(peer.pem);
	free(other.pem);
	free(server_pem);
}

/* --- per test --- */

static void write_file(const char *d, const char *name, const void *data, size_t len,
	mode_t mode)
{
	char path[256];
	path_of(path, sizeof(path), d, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void copy_key(const char *name)
{
	char path[256], buf[8192];
	path_of(path, sizeof(path), template_dir, name);
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	ck_assert_int_gt(n, 0);
	write_file(dir, name, buf, (size_t)n, 0600);
}

static void setup(void)
{
	stub_host_reset();
	conn = stub_conn_new(NULL, PEER_IP, 8080);
	ck_assert_ptr_nonnull(conn);
	session = NULL;
	options = NULL;
	stub_feeder_init(&feeder, e2ee_client_input);
	snprintf(dir, sizeof(dir), "/tmp/e2ee-client-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	copy_key("dh_private_key.pem");
	copy_key("rsa_private_key.pem");
	write_file(dir, "server_public_key.pem", server_pem, server_pem_len, 0644);
}

static void teardown(void)
{
	e2ee_client_close(session, 0);
	session = NULL;
	stub_feeder_free(&feeder);
	stub_conn_free(conn);
	conn = NULL;
	stub_options_free(options);
	options = NULL;
	remove_tree(dir);
	/* Whatever the test did, the session left nothing behind. */
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}

/* --- driving the client --- */

static int try_open_with(const struct polychat_host *host, const char *user)
{
	const struct polychat_client_env env = { .host = host, .options = options,
		.user = user, .state_dir = dir };
	return e2ee_client_open(&env, conn, &session);
}

static int try_open(const char *user)
{
	return try_open_with(stub_host(), user);
}

static void open_client(const char *user)
{
	ck_assert_int_eq(try_open(user), 0);
	ck_assert_ptr_nonnull(session);
}

static void feed(const void *data, size_t len)
{
	ck_assert_int_eq(stub_feed(&feeder, session, conn, data, len), 0);
}

static int line(const char *text)
{
	return e2ee_client_line(session, text, strlen(text));
}

static size_t writes(void)
{
	return stub_conn_writes(conn);
}

static int closed(void)
{
	return stub_conn_closed(conn, NULL, NULL);
}

/* Request i as the client wrote it: one whole frame per write. */
static struct e2ee_request request_at(size_t i)
{
	size_t len = 0;
	const uint8_t *data = stub_conn_write_at(conn, i, &len);
	ck_assert_ptr_nonnull(data);
	struct e2ee_request req;
	ck_assert_int_eq(e2ee_request_parse(data, len, &req), (long)len);
	ck_assert_str_eq(req.phone, ME);
	return req;
}

static void assert_request(size_t i, uint16_t code, const char *peer_phone)
{
	ck_assert_uint_eq(writes(), i + 1);
	struct e2ee_request req = request_at(i);
	ck_assert_uint_eq(req.code, code);
	if (peer_phone)
		ck_assert_str_eq(req.peer_phone, peer_phone);
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

static void assert_write_hex(size_t i, const char *hex)
{
	uint8_t want[64];
	size_t n = unhex(hex, want, sizeof(want)), len = 0;
	const uint8_t *got = stub_conn_write_at(conn, i, &len);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(len, n);
	ck_assert(memcmp(got, want, n) == 0);
}

static int contains(const uint8_t *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Whether a ui_show of `kind` (from `from` if non-NULL) contains `text`. */
static int shown(int kind, const char *from, const char *text)
{
	for (size_t i = 0; i < stub_conn_ui_count(conn); i++) {
		int k;
		const char *f;
		const uint8_t *t;
		size_t len;
		ck_assert_int_eq(stub_conn_ui_at(conn, i, &k, &f, &t, &len), 0);
		if (k != kind || (from && (!f || strcmp(f, from) != 0)))
			continue;
		if (!text || contains(t, len, text))
			return 1;
	}
	return 0;
}

static size_t count(int kind)
{
	return stub_conn_ui_count_kind(conn, kind);
}

/* --- the server's frames --- */

struct frame {
	uint8_t data[4096];
	size_t len;
};

static struct frame response(uint16_t code, const void *a, size_t alen, const void *b,
	size_t blen)
{
	struct frame f;
	long n = e2ee_response_build(f.data, sizeof(f.data), code, a, alen, b, blen, NULL, 0,
		NULL, 0);
	ck_assert_int_gt(n, 0);
	f.len = (size_t)n;
	return f;
}

static void feed_frame(const struct frame *f)
{
	feed(f->data, f->len);
}

static void reply(uint16_t code)
{
	struct frame f = response(code, NULL, 0, NULL, 0);
	feed_frame(&f);
}

/* dh || pem || sig(dh) || sig(pem), as 1603 carries them (§4.2). */
static size_t bundle(const struct identity *id, uint8_t *out)
{
	size_t sig_len = E2EE_SIG_LEN, n = 0;
	memcpy(out, id->dh_pub, XG_X25519_LEN);
	n += XG_X25519_LEN;
	memcpy(out + n, id->pem, id->pem_len);
	n += id->pem_len;
	ck_assert_int_eq(xg_pss_sign(server_key, E2EE_PSS_SALT, id->dh_pub, XG_X25519_LEN,
		out + n, &sig_len), 0);
	n += sig_len;
	sig_len = E2EE_SIG_LEN;
	ck_assert_int_eq(xg_pss_sign(server_key, E2EE_PSS_SALT, (const uint8_t *)id->pem,
		id->pem_len, out + n, &sig_len), 0);
	return n + sig_len;
}

static struct frame recipient_keys(const struct identity *id)
{
	uint8_t b[2048];
	size_t n = bundle(id, b);
	return response(E2EE_RESP_RECIPIENT_KEYS, b, n, NULL, 0);
}

static struct frame sender_keys(const char *phone, const struct identity *id)
{
	uint8_t field[E2EE_PHONE_LEN], b[2048];
	e2ee_phone_field(field, phone);
	size_t n = bundle(id, b);
	return response(E2EE_RESP_SENDER_KEYS, field, sizeof(field), b, n);
}

/* A 1608 from `phone`, sealed with `id`'s keys for us. */
static struct frame message_from(const char *phone, const struct identity *id,
	const char *text)
{
	uint8_t field[E2EE_PHONE_LEN], blob[2048];
	e2ee_phone_field(field, phone);
	long n = e2ee_blob_seal(id->dh_priv, id->rsa, me.dh_pub, NULL, NULL,
		(const uint8_t *)text, strlen(text), blob);
	ck_assert_int_gt(n, 0);
	return response(E2EE_RESP_MESSAGE, field, sizeof(field), blob, (size_t)n);
}

/* What our 829 number i says, opened with the recipient's keys. */
static void assert_message(size_t i, const char *to, const struct identity *id,
	const char *text)
{
	struct e2ee_request req = request_at(i);
	uint8_t out[2048];
	ck_assert_uint_eq(req.code, E2EE_REQ_MESSAGE);
	ck_assert_str_eq(req.peer_phone, to);
	long n = e2ee_blob_open(id->dh_priv, me.dh_pub, me.rsa, req.blob, req.blob_len, out);
	ck_assert_int_eq(n, (long)strlen(text));
	ck_assert(memcmp(out, text, (size_t)n) == 0);
}

/* --- common openings --- */

static int file_exists(const char *name)
{
	char path[256];
	struct stat st;
	path_of(path, sizeof(path), dir, name);
	return stat(path, &st) == 0;
}

static void write_info(const char *phone)
{
	write_file(dir, "me.info", phone, strlen(phone), 0600);
}

/* Logged in with nothing queued: 827 -> 1605. */
static void logged_in(void)
{
	write_info(ME);
	open_client(ME);
	assert_request(0, E2EE_REQ_LOGIN, NULL);
	reply(E2EE_RESP_LOGIN);
	ck_assert_uint_eq(count(POLYCHAT_UI_READY), 1);
}

/* ... and PEER selected: /to -> 828 -> 1603. */
static void talking_to_peer(void)
{
	logged_in();
	ck_assert_int_eq(line("/to " PEER), 0);
	assert_request(1, E2EE_REQ_RECIPIENT_KEYS, PEER);
	struct frame f = recipient_keys(&peer);
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "messages now go to " PEER));
	ck_assert_uint_eq(writes(), 2);
}

/* --- registration --- */

START_TEST(register_echo)
{
	open_client(ME);
	/* §9.1's frames, byte for byte. */
	ck_assert_uint_eq(writes(), 1);
	assert_write_hex(0, "3035303132333435363701033900000000");
	struct frame f = response(E2EE_RESP_REGISTRATION, "\x00\x02\xcb\xc5", 4, NULL, 0);
	feed_frame(&f);
	ck_assert_uint_eq(writes(), 2);
	assert_write_hex(1, "3035303132333435363701033f000000040002cbc5");
	ck_assert(!file_exists("me.info"));
	reply(E2EE_RESP_OTP_OK);
	struct e2ee_request req = request_at(2);
	ck_assert_uint_eq(req.code, E2EE_REQ_SEND_PUBLIC_KEYS);
	ck_assert_uint_eq(req.dh_len, XG_X25519_LEN);
	ck_assert(memcmp(req.dh, me.dh_pub, XG_X25519_LEN) == 0);
	ck_assert_uint_eq(req.pem_len, me.pem_len);
	ck_assert_uint_eq(req.pem_len, 800);
	ck_assert(memcmp(req.pem, me.pem, me.pem_len) == 0);
	ck_assert(!file_exists("me.info"));
	ck_assert_uint_eq(count(POLYCHAT_UI_READY), 0);
	reply(E2EE_RESP_KEYS_SET);
	ck_assert_uint_eq(count(POLYCHAT_UI_READY), 1);
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "registered as " ME));
	ck_assert(!closed());
	ck_assert_uint_eq(writes(), 3);

	char path[256], buf[32] = "";
	path_of(path, sizeof(path), dir, "me.info");
	FILE *fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf) - 1, fp), 10);
	fclose(fp);
	ck_assert_str_eq(buf, ME);
	/* The one-time code never reaches the log. */
	ck_assert(!stub_log_contains("183237"));
}
END_TEST

START_TEST(register_prompt)
{
	open_client(ME);
	struct frame f = response(E2EE_RESP_REGISTRATION, "\0\0\0\0", 4, NULL, 0);
	feed_frame(&f);
	ck_assert_uint_eq(writes(), 1);
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "code:"));
	ck_assert_int_eq(line("12a456"), 0);
	ck_assert_int_eq(line("1234567"), 0);
	ck_assert_uint_eq(writes(), 1);
	ck_assert_uint_eq(count(POLYCHAT_UI_ERROR), 2);
	ck_assert_int_eq(line(" 654321 "), 0);
	assert_request(1, E2EE_REQ_OTP, NULL);
	ck_assert_uint_eq(request_at(1).otp, 654321);
	/* Typed while the 831 is out: waits for the chat. */
	ck_assert_int_eq(line("/who"), 0);
	reply(E2EE_RESP_OTP_OK);
	assert_request(2, E2EE_REQ_SEND_PUBLIC_KEYS, NULL);
	reply(E2EE_RESP_KEYS_SET);
	ck_assert(file_exists("me.info"));
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "you are " ME "; no recipient"));
	ck_assert(!stub_log_contains("654321"));
}
END_TEST

START_TEST(register_code_typed_early)
{
	open_client(ME);
	/* Typed before the server said where the code went: it is the code. */
	ck_assert_int_eq(line("777777"), 0);
	ck_assert_uint_eq(writes(), 1);
	struct frame f = response(E2EE_RESP_REGISTRATION, "\0\0\0\0", 4, NULL, 0);
	feed_frame(&f);
	assert_request(1, E2EE_REQ_OTP, NULL);
	ck_assert_uint_eq(request_at(1).otp, 777777);
	ck_assert(!shown(POLYCHAT_UI_NOTICE, NULL, "code:"));
}
END_TEST

START_TEST(register_taken)
{
	open_client(ME);
	reply(E2EE_RESP_REGISTRATION_FAILED);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "already registered"));
	ck_assert(closed());
	ck_assert(!file_exists("me.info"));
	ck_assert_uint_eq(writes(), 1);
	/* Anything after that is dropped. */
	reply(E2EE_RESP_REGISTRATION);
	ck_assert_int_eq(line("hello"), 0);
	ck_assert_uint_eq(writes(), 1);
}
END_TEST

START_TEST(register_wrong_code)
{
	open_client(ME);
	struct frame f = response(E2EE_RESP_REGISTRATION, "\x00\x02\xcb\xc5", 4, NULL, 0);
	feed_frame(&f);
	reply(E2EE_RESP_ERROR);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "wrong or expired"));
	ck_assert(closed());
	ck_assert(!file_exists("me.info"));
}
END_TEST

START_TEST(register_keys_refused_and_bad_code)
{
	open_client(ME);
	struct frame f = response(E2EE_RESP_REGISTRATION, "\x00\x02\xcb\xc5", 4, NULL, 0);
	feed_frame(&f);
	reply(E2EE_RESP_OTP_OK);
	reply(E2EE_RESP_ERROR);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "refused our public keys"));
	ck_assert(closed());
	ck_assert(!file_exists("me.info"));
	e2ee_client_close(session, 0);
	session = NULL;

	/* A code out of the server's range is not echoed. */
	struct polychat_conn *old = conn;
	conn = stub_conn_new(NULL, PEER_IP, 8081);
	stub_conn_free(old);
	stub_feeder_reset(&feeder);
	open_client(ME);
	f = response(E2EE_RESP_REGISTRATION, "\x00\x00\x00\x07", 4, NULL, 0);
	feed_frame(&f);
	ck_assert_uint_eq(writes(), 1);
	ck_assert(closed());
}
END_TEST

/* --- start-up --- */

START_TEST(keys_generated_once_mode_0600)
{
	char path[256];
	struct stat st;
	path_of(path, sizeof(path), dir, "dh_private_key.pem");
	unlink(path);
	path_of(path, sizeof(path), dir, "rsa_private_key.pem");
	unlink(path);
	open_client(ME);
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "generating keys"));
	static const char *const names[] = { "dh_private_key.pem", "rsa_private_key.pem" };
	for (size_t i = 0; i < 2; i++) {
		path_of(path, sizeof(path), dir, names[i]);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_mode & 0777, 0600);
	}
	/* The 826 carries the public half of the key now in the file. */
	struct frame f = response(E2EE_RESP_REGISTRATION, "\x00\x02\xcb\xc5", 4, NULL, 0);
	feed_frame(&f);
	reply(E2EE_RESP_OTP_OK);
	struct e2ee_request req = request_at(2);
	EVP_PKEY *rsa = NULL;
	char why[256];
	path_of(path, sizeof(path), dir, "rsa_private_key.pem");
	ck_assert_int_eq(xg_keyfile_load_or_create(stub_host(), path, NULL, XG_KEY_RSA,
		E2EE_RSA_BITS, &rsa, NULL, why, sizeof(why)), 0);
	char *pem = NULL;
	size_t pem_len = 0;
	ck_assert_int_eq(xg_rsa_public_pem(stub_host(), rsa, &pem, &pem_len), 0);
	ck_assert_uint_eq(req.pem_len, pem_len);
	ck_assert(memcmp(req.pem, pem, pem_len) == 0);
	ck_assert(memcmp(req.pem, me.pem, pem_len) != 0);
	stub_host()->free(pem);
	EVP_PKEY_free(rsa);
}
END_TEST

START_TEST(missing_server_key_fails_open)
{
	char path[256];
	path_of(path, sizeof(path), dir, "server_public_key.pem");
	unlink(path);
	ck_assert_int_lt(try_open(ME), 0);
	ck_assert_ptr_null(session);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "server_public_key.pem does not exist"));
	ck_assert_uint_eq(writes(), 0);

	/* Not a public key, or not RSA-4096. */
	write_file(dir, "server_public_key.pem", "hello\n", 6, 0644);
	ck_assert_int_lt(try_open(ME), 0);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "holds no PEM public key"));
	ck_assert_uint_eq(writes(), 0);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(server_key_option)
{
	char path[256];
	path_of(path, sizeof(path), dir, "server_public_key.pem");
	char other_path[256];
	path_of(other_path, sizeof(other_path), dir, "elsewhere.pem");
	ck_assert_int_eq(rename(path, other_path), 0);
	options = stub_options_new(dir, "server_key", other_path, NULL);
	ck_assert_ptr_nonnull(options);
	open_client(ME);
	ck_assert_uint_eq(writes(), 1);
	e2ee_client_close(session, 0);
	session = NULL;
	stub_options_free(options);
	options = stub_options_new(dir, "server_key", "/nonexistent/key.pem", NULL);
	ck_assert_int_lt(try_open(ME), 0);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "/nonexistent/key.pem does not exist"));
}
END_TEST

START_TEST(phone_checked_at_open)
{
	ck_assert_int_eq(try_open("050123456"), POLYCHAT_EINVAL);
	ck_assert_int_eq(try_open("05012345678"), POLYCHAT_EINVAL);
	ck_assert_int_eq(try_open("05012345a7"), POLYCHAT_EINVAL);
	ck_assert_int_eq(try_open(NULL), POLYCHAT_EINVAL);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "10 digits"));
	ck_assert_uint_eq(writes(), 0);
	/* me.info names the owner of the state directory. */
	write_info(PEER);
	ck_assert_int_lt(try_open(ME), 0);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "belongs to " PEER));
	ck_assert_uint_eq(writes(), 0);
	/* Without --user, me.info's number logs in. */
	write_info(ME "\n");
	open_client(NULL);
	assert_write_hex(0, "3035303132333435363701033b00000000");
}
END_TEST

START_TEST(registered_without_key_files_fails_open)
{
	char path[256];
	write_info(ME);
	path_of(path, sizeof(path), dir, "rsa_private_key.pem");
	unlink(path);
	ck_assert_int_lt(try_open(ME), 0);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "rsa_private_key.pem is missing"));
	ck_assert(!file_exists("rsa_private_key.pem"));
	ck_assert_uint_eq(writes(), 0);
}
END_TEST

/* --- login --- */

START_TEST(login_ready)
{
	write_info(ME);
	open_client(ME);
	assert_write_hex(0, "3035303132333435363701033b00000000");
	ck_assert_uint_eq(count(POLYCHAT_UI_READY), 0);
	reply(E2EE_RESP_LOGIN);
	ck_assert_uint_eq(count(POLYCHAT_UI_READY), 1);
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "logged in as " ME));
	ck_assert_uint_eq(writes(), 1);
}
END_TEST

START_TEST(login_failed)
{
	write_info(ME);
	open_client(ME);
	reply(E2EE_RESP_LOGIN_FAILED);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "unknown number or its registration is"
		" incomplete"));
	ck_assert(closed());
}
END_TEST

START_TEST(login_drains_queued_messages)
{
	write_info(ME);
	open_client(ME);
	/* The oldest queued message answers the login; its sender is unknown. */
	struct frame f = message_from(PEER, &peer, "first");
	feed_frame(&f);
	assert_request(1, E2EE_REQ_SENDER_KEYS, PEER);
	ck_assert_uint_eq(count(POLYCHAT_UI_MESSAGE), 0);
	/* Typed meanwhile: waits for the end of the login. */
	ck_assert_int_eq(line("/to " OTHER), 0);
	f = sender_keys(PEER, &peer);
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_MESSAGE, PEER, "first"));
	assert_request(2, E2EE_REQ_MESSAGE_RECEIVED, PEER);
	f = message_from(PEER, &peer, "second");
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_MESSAGE, PEER, "second"));
	assert_request(3, E2EE_REQ_MESSAGE_RECEIVED, PEER);
	reply(E2EE_RESP_LISTENING);
	/* Another sender's messages come with the next login. */
	assert_request(4, E2EE_REQ_LOGIN, NULL);
	f = message_from(OTHER, &other, "from the other");
	feed_frame(&f);
	assert_request(5, E2EE_REQ_SENDER_KEYS, OTHER);
	f = sender_keys(OTHER, &other);
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_MESSAGE, OTHER, "from the other"));
	assert_request(6, E2EE_REQ_MESSAGE_RECEIVED, OTHER);
	reply(E2EE_RESP_LISTENING);
	assert_request(7, E2EE_REQ_LOGIN, NULL);
	ck_assert_uint_eq(count(POLYCHAT_UI_READY), 0);
	reply(E2EE_RESP_LOGIN);
	ck_assert_uint_eq(count(POLYCHAT_UI_READY), 1);
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "3 messages received"));
	ck_assert_uint_eq(count(POLYCHAT_UI_MESSAGE), 3);
	/* The /to typed during the login: OTHER's keys are known, no 828. */
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "messages now go to " OTHER));
	ck_assert_uint_eq(writes(), 8);
	ck_assert(!stub_log_contains("first"));
	ck_assert(!stub_log_contains("second"));
}
END_TEST

START_TEST(sender_keys_for_someone_else)
{
	write_info(ME);
	open_client(ME);
	struct frame f = message_from(PEER, &peer, "first");
	feed_frame(&f);
	assert_request(1, E2EE_REQ_SENDER_KEYS, PEER);
	f = sender_keys(OTHER, &peer);
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "someone else's keys"));
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "1 message from " PEER " not shown"));
	ck_assert_uint_eq(count(POLYCHAT_UI_MESSAGE), 0);
	/* The queue is still emptied. */
	assert_request(2, E2EE_REQ_MESSAGE_RECEIVED, PEER);
	ck_assert(!closed());
}
END_TEST

/* --- sending --- */

START_TEST(select_and_send)
{
	talking_to_peer();
	const char *text = "Hello B, this is A. h\xc3\xa9llo \xe2\x9c\x93";
	ck_assert_int_eq(line(text), 0);
	ck_assert_uint_eq(writes(), 3);
	assert_message(2, PEER, &peer, text);
	reply(E2EE_RESP_MESSAGE_SENT);
	ck_assert_uint_eq(writes(), 3);
	/* The keys are kept: /to again asks nothing. */
	ck_assert_int_eq(line("/to " PEER), 0);
	ck_assert_uint_eq(writes(), 3);
	ck_assert_int_eq(line("/who"), 0);
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "messages go to " PEER));
	ck_assert(!stub_log_contains("Hello B"));
	ck_assert(!closed());
}
END_TEST

START_TEST(lines_wait_for_replies)
{
	logged_in();
	ck_assert_int_eq(line("/to " PEER), 0);
	ck_assert_int_eq(line("one"), 0);
	ck_assert_int_eq(line("two"), 0);
	/* Never two requests in flight (§2.3). */
	ck_assert_uint_eq(writes(), 2);
	struct frame f = recipient_keys(&peer);
	feed_frame(&f);
	ck_assert_uint_eq(writes(), 3);
	assert_message(2, PEER, &peer, "one");
	ck_assert_int_eq(line("three"), 0);
	ck_assert_uint_eq(writes(), 3);
	reply(E2EE_RESP_MESSAGE_SENT);
	ck_assert_uint_eq(writes(), 4);
	assert_message(3, PEER, &peer, "two");
	reply(E2EE_RESP_MESSAGE_SENT);
	assert_message(4, PEER, &peer, "three");
	reply(E2EE_RESP_MESSAGE_SENT);
	ck_assert_uint_eq(writes(), 5);
}
END_TEST

START_TEST(msg_command)
{
	logged_in();
	ck_assert_int_eq(line("/msg " PEER " just this"), 0);
	assert_request(1, E2EE_REQ_RECIPIENT_KEYS, PEER);
	struct frame f = recipient_keys(&peer);
	feed_frame(&f);
	assert_message(2, PEER, &peer, "just this");
	reply(E2EE_RESP_MESSAGE_SENT);
	/* No recipient was chosen by it. */
	ck_assert_int_eq(line("plain"), 0);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "no recipient"));
	ck_assert_uint_eq(writes(), 3);
	ck_assert_int_eq(line("/msg " PEER " again"), 0);
	assert_message(3, PEER, &peer, "again");
	reply(E2EE_RESP_MESSAGE_SENT);
	ck_assert_int_eq(line("/msg " PEER), 0);
	ck_assert_int_eq(line("/msg 123 x"), 0);
	ck_assert_int_eq(line("/to"), 0);
	ck_assert_int_eq(line("/to 12345678901"), 0);
	ck_assert_uint_eq(count(POLYCHAT_UI_ERROR), 5);
	ck_assert_uint_eq(writes(), 4);
}
END_TEST

START_TEST(text_limits_and_commands)
{
	talking_to_peer();
	char *big = malloc(E2EE_TEXT_MAX + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', E2EE_TEXT_MAX + 1);
	big[E2EE_TEXT_MAX + 1] = '\0';
	ck_assert_int_eq(line(big), 0);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "at most"));
	ck_assert_uint_eq(writes(), 2);
	/* The largest text fits one 2048-byte request. */
	big[E2EE_TEXT_MAX] = '\0';
	ck_assert_int_eq(line(big), 0);
	size_t len = 0;
	ck_assert_ptr_nonnull(stub_conn_write_at(conn, 2, &len));
	ck_assert_uint_eq(len, E2EE_PACKET_MAX);
	assert_message(2, PEER, &peer, big);
	free(big);
	reply(E2EE_RESP_MESSAGE_SENT);
	ck_assert_int_eq(e2ee_client_line(session, "\xff\xfe", 2), 0);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "not valid UTF-8"));
	ck_assert_int_eq(line(""), 0);
	ck_assert_int_eq(line("/nope"), POLYCHAT_ENOTSUP);
	ck_assert_uint_eq(writes(), 3);
	ck_assert_int_eq(line("//slash"), 0);
	assert_message(3, PEER, &peer, "/slash");
	ck_assert_ptr_nonnull(e2ee_client_help());
	ck_assert_ptr_nonnull(strstr(e2ee_client_help(), "/to PHONE"));
}
END_TEST

START_TEST(bad_server_signature)
{
	logged_in();
	ck_assert_int_eq(line("/to " PEER), 0);
	struct frame f = recipient_keys(&peer);
	/* The last byte of sig(pem). */
	f.data[f.len - 1] ^= 1;
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "do not carry valid signatures"));
	ck_assert(!shown(POLYCHAT_UI_NOTICE, NULL, "messages now go to"));
	ck_assert_int_eq(line("hello"), 0);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "no recipient"));
	ck_assert_uint_eq(writes(), 2);
	ck_assert(!closed());
	/* A second try, with good keys, selects. */
	ck_assert_int_eq(line("/to " PEER), 0);
	assert_request(2, E2EE_REQ_RECIPIENT_KEYS, PEER);
	f = recipient_keys(&peer);
	f.data[E2EE_RESP_HEADER] ^= 1; /* the DH key itself */
	feed_frame(&f);
	/* Signatures, "no recipient", signatures again. */
	ck_assert_uint_eq(count(POLYCHAT_UI_ERROR), 3);
	ck_assert_int_eq(line("/to " PEER), 0);
	f = recipient_keys(&peer);
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "messages now go to " PEER));
}
END_TEST

START_TEST(unknown_recipient_ends)
{
	logged_in();
	ck_assert_int_eq(line("/to " OTHER), 0);
	reply(E2EE_RESP_ERROR);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "no keys for " OTHER));
	ck_assert(closed());
}
END_TEST

/* --- receiving --- */

START_TEST(push_while_waiting_for_1609)
{
	talking_to_peer();
	ck_assert_int_eq(line("out"), 0);
	ck_assert_uint_eq(writes(), 3);
	struct frame f = message_from(PEER, &peer, "pushed in between");
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_MESSAGE, PEER, "pushed in between"));
	/* Not the reply: nothing goes out before the 1609. */
	ck_assert_uint_eq(writes(), 3);
	ck_assert_int_eq(line("queued"), 0);
	ck_assert_uint_eq(writes(), 3);
	reply(E2EE_RESP_MESSAGE_SENT);
	/* First the follow-up for the sender, then the typed line. */
	assert_request(3, E2EE_REQ_MESSAGE_RECEIVED, PEER);
	reply(E2EE_RESP_LISTENING);
	assert_message(4, PEER, &peer, "queued");
	reply(E2EE_RESP_MESSAGE_SENT);
	ck_assert_uint_eq(writes(), 5);
	ck_assert(!stub_log_contains("pushed in between"));
}
END_TEST

START_TEST(two_frames_in_one_read)
{
	talking_to_peer();
	ck_assert_int_eq(line("out"), 0);
	struct frame a = message_from(PEER, &peer, "together");
	struct frame b = response(E2EE_RESP_MESSAGE_SENT, NULL, 0, NULL, 0);
	uint8_t both[8192];
	memcpy(both, a.data, a.len);
	memcpy(both + a.len, b.data, b.len);
	feed(both, a.len + b.len);
	ck_assert(shown(POLYCHAT_UI_MESSAGE, PEER, "together"));
	assert_request(3, E2EE_REQ_MESSAGE_RECEIVED, PEER);
	ck_assert_uint_eq(feeder.len, 0);
	reply(E2EE_RESP_LISTENING);
	ck_assert_uint_eq(writes(), 4);
}
END_TEST

START_TEST(frames_byte_by_byte)
{
	logged_in();
	ck_assert_int_eq(line("/to " PEER), 0);
	struct frame f = recipient_keys(&peer);
	ck_assert_int_eq(stub_feed_bytewise(&feeder, session, conn, f.data, f.len), 0);
	ck_assert(shown(POLYCHAT_UI_NOTICE, NULL, "messages now go to " PEER));
	f = message_from(PEER, &peer, "slowly");
	ck_assert_int_eq(stub_feed_bytewise(&feeder, session, conn, f.data, f.len), 0);
	ck_assert(shown(POLYCHAT_UI_MESSAGE, PEER, "slowly"));
	assert_request(2, E2EE_REQ_MESSAGE_RECEIVED, PEER);
}
END_TEST

START_TEST(tampered_blob_rejected)
{
	talking_to_peer();
	struct frame f = message_from(PEER, &peer, "tampered");
	f.data[f.len - 20] ^= 1; /* in the ciphertext: the signature fails */
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "rejected a tampered message from " PEER));
	ck_assert_uint_eq(count(POLYCHAT_UI_MESSAGE), 0);
	ck_assert(!closed());
	assert_request(2, E2EE_REQ_MESSAGE_RECEIVED, PEER);
	reply(E2EE_RESP_LISTENING);
	/* Signed by someone else (OTHER's key for PEER's number). */
	f = message_from(PEER, &other, "impostor");
	feed_frame(&f);
	ck_assert_uint_eq(count(POLYCHAT_UI_MESSAGE), 0);
	ck_assert_uint_eq(count(POLYCHAT_UI_ERROR), 2);
	reply(E2EE_RESP_LISTENING);
	/* Too short to be a blob. */
	uint8_t field[E2EE_PHONE_LEN];
	e2ee_phone_field(field, PEER);
	f = response(E2EE_RESP_MESSAGE, field, sizeof(field), "short", 5);
	feed_frame(&f);
	ck_assert_uint_eq(count(POLYCHAT_UI_ERROR), 3);
	reply(E2EE_RESP_LISTENING);
	f = message_from(PEER, &peer, "genuine");
	feed_frame(&f);
	ck_assert(shown(POLYCHAT_UI_MESSAGE, PEER, "genuine"));
	ck_assert(!shown(POLYCHAT_UI_MESSAGE, NULL, "tampered"));
	ck_assert(!closed());
}
END_TEST

START_TEST(push_from_unknown_sender_keeps_blobs)
{
	logged_in();
	struct frame f = message_from(OTHER, &other, "one");
	feed_frame(&f);
	assert_request(1, E2EE_REQ_SENDER_KEYS, OTHER);
	/* More from the same sender while its keys are asked for. */
	f = message_from(OTHER, &other, "two");
	feed_frame(&f);
	ck_assert_uint_eq(writes(), 2);
	f = sender_keys(OTHER, &other);
	feed_frame(&f);
	ck_assert_uint_eq(count(POLYCHAT_UI_MESSAGE), 2);
	ck_assert(shown(POLYCHAT_UI_MESSAGE, OTHER, "one"));
	ck_assert(shown(POLYCHAT_UI_MESSAGE, OTHER, "two"));
	/* In order. */
	const char *from;
	const uint8_t *t;
	size_t len;
	int kind;
	size_t n = stub_conn_ui_count(conn);
	ck_assert_int_eq(stub_conn_ui_at(conn, n - 1, &kind, &from, &t, &len), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert(memcmp(t, "two", 3) == 0);
	assert_request(2, E2EE_REQ_MESSAGE_RECEIVED, OTHER);
	reply(E2EE_RESP_LISTENING);
	ck_assert_uint_eq(writes(), 3);
}
END_TEST

START_TEST(stray_and_unexpected_responses)
{
	logged_in();
	/* A late 1611 (its place taken by a push) is ignored. */
	reply(E2EE_RESP_LISTENING);
	ck_assert(!closed());
	/* A 1604 answers nothing. */
	reply(E2EE_RESP_OTP_OK);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "response 1604"));
	ck_assert(closed());
}
END_TEST

START_TEST(unknown_code_in_reply)
{
	talking_to_peer();
	ck_assert_int_eq(line("hi"), 0);
	reply(1700);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "the message to " PEER " with response 1700"));
	ck_assert(closed());
}
END_TEST

START_TEST(oversized_frame_ends)
{
	logged_in();
	uint8_t hdr[E2EE_RESP_HEADER] = { 1, 0x06, 0x48, 0, 0, 0x10, 0 };
	ck_assert_int_lt(stub_feed(&feeder, session, conn, hdr, sizeof(hdr)), 0);
	ck_assert(shown(POLYCHAT_UI_ERROR, NULL, "more than 2048 bytes"));
	ck_assert_uint_eq(stub_conn_input_limit(conn), E2EE_PACKET_MAX);
}
END_TEST

/* --- close --- */

static int dh_wiped;

static void noting_wipe(void *ptr, size_t len)
{
	if (len == XG_X25519_LEN && memcmp(ptr, me.dh_priv, len) == 0)
		dh_wiped = 1;
	stub_host()->wipe(ptr, len);
}

START_TEST(close_wipes_and_frees)
{
	static struct polychat_host noting;
	noting = *stub_host();
	noting.wipe = noting_wipe;
	dh_wiped = 0;
	write_info(ME);
	ck_assert_int_eq(try_open_with(&noting, ME), 0);
	reply(E2EE_RESP_LOGIN);
	ck_assert_int_eq(line("/msg " PEER " pending text"), 0);
	ck_assert_int_eq(line("waiting line"), 0);
	struct frame f = message_from(OTHER, &other, "kept");
	feed_frame(&f);
	ck_assert_int_gt(stub_alloc_outstanding(), 2);
	ck_assert_int_eq(dh_wiped, 0);
	e2ee_client_close(session, POLYCHAT_ECLOSED);
	session = NULL;
	ck_assert_int_eq(dh_wiped, 1);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	e2ee_client_close(NULL, 0);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("e2ee-client");
	TCase *tc = tcase_create("registration");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, register_echo);
	tcase_add_test(tc, register_prompt);
	tcase_add_test(tc, register_code_typed_early);
	tcase_add_test(tc, register_taken);
	tcase_add_test(tc, register_wrong_code);
	tcase_add_test(tc, register_keys_refused_and_bad_code);
	suite_add_tcase(s, tc);

	tc = tcase_create("start-up");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, keys_generated_once_mode_0600);
	tcase_add_test(tc, missing_server_key_fails_open);
	tcase_add_test(tc, server_key_option);
	tcase_add_test(tc, phone_checked_at_open);
	tcase_add_test(tc, registered_without_key_files_fails_open);
	suite_add_tcase(s, tc);

	tc = tcase_create("login");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, login_ready);
	tcase_add_test(tc, login_failed);
	tcase_add_test(tc, login_drains_queued_messages);
	tcase_add_test(tc, sender_keys_for_someone_else);
	suite_add_tcase(s, tc);

	tc = tcase_create("chat");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, select_and_send);
	tcase_add_test(tc, lines_wait_for_replies);
	tcase_add_test(tc, msg_command);
	tcase_add_test(tc, text_limits_and_commands);
	tcase_add_test(tc, bad_server_signature);
	tcase_add_test(tc, unknown_recipient_ends);
	tcase_add_test(tc, push_while_waiting_for_1609);
	tcase_add_test(tc, two_frames_in_one_read);
	tcase_add_test(tc, frames_byte_by_byte);
	tcase_add_test(tc, tampered_blob_rejected);
	tcase_add_test(tc, push_from_unknown_sender_keeps_blobs);
	tcase_add_test(tc, stray_and_unexpected_responses);
	tcase_add_test(tc, unknown_code_in_reply);
	tcase_add_test(tc, oversized_frame_ends);
	tcase_add_test(tc, close_wipes_and_frees);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Made once: forked tests inherit them. */
	make_fixture();
	int rc = pc_check_run(client_suite());
	free_fixture();
	return rc;
}
