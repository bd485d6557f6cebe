/* SPDX-License-Identifier: MIT */
/* The fernet-hybrid client half against a test-side server: keys, nickname handshake, announcements, packages both ways, unframed input (fernet-hybrid.md §4). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <polychat/status.h>

#include "plugins/common/pc-json.h"
#include "plugins/crypto-hybrid-fernet/fernet-client.h"
#include "plugins/crypto-hybrid-fernet/fernet-keys.h"
#include "plugins/crypto-hybrid-fernet/fernet-package.h"
#include "tests/check-run.h"
#include "tests/stubs/stub-feed.h"
#include "tests/stubs/stub-host.h"
#include "fernet-vectors.h"

/*
 * The test plays the original server: it writes the handshake bytes of
 * §6.1, relays what other members would send (announcements built from
 * the §6.2 keys, the §6.5 package), and opens what the client writes with
 * the test keys. The client's state directory holds the §6.2 key of the
 * nickname it plays, so its announcement is known to the byte. Input goes
 * through the stub feeder, which offers unconsumed bytes again as the
 * core does.
 */

#define H (stub_host())
#define ANNOUNCE_GAP_MS 500
#define WRITE_GAP_MS 50

static struct polychat_conn *conn;
static void *session;
static struct stub_feeder feeder;
static char dir[64];

static void setup(void)
{
	stub_host_reset();
	conn = stub_conn_new(NULL, "192.0.2.1", 12345);
	ck_assert_ptr_nonnull(conn);
	session = NULL;
	stub_feeder_init(&feeder, fernet_client_input);
	snprintf(dir, sizeof(dir), "/tmp/fernet-client-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
	static const char *const names[] = { FERNET_PRIVATE_FILE, FERNET_PUBLIC_FILE };
	char path[128];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void teardown(void)
{
	fernet_client_close(session, 0);
	session = NULL;
	stub_feeder_free(&feeder);
	stub_conn_free(conn);
	conn = NULL;
	remove_dir();
	/* Whatever the test did, the session left nothing behind. */
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}

/* --- the state directory --- */

static void write_key_file(const char *file, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), fp), strlen(text));
	ck_assert_int_eq(fclose(fp), 0);
}

static void keys_of(const char *priv, const char *pub)
{
	write_key_file(FERNET_PRIVATE_FILE, priv);
	write_key_file(FERNET_PUBLIC_FILE, pub);
}

static char *read_key_file(const char *file, mode_t *mode)
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

/* --- driving the client --- */

static int open_rc(const char *user)
{
	const struct polychat_client_env env = { .host = H, .user = user, .state_dir = dir };
	return fernet_client_open(&env, conn, &session);
}

static void open_client(const char *user)
{
	ck_assert_int_eq(open_rc(user), 0);
	ck_assert_ptr_nonnull(session);
}

static long feed(const void *data, size_t len)
{
	return stub_feed(&feeder, session, conn, data, len);
}

static long feed_str(const char *text)
{
	return feed(text, strlen(text));
}

static void feed_ok(const char *text)
{
	ck_assert_int_eq(feed_str(text), 0);
}

static int line(const char *text)
{
	return fernet_client_line(session, text, strlen(text));
}

/* "PUBKEY::<nick>::<pem>" (malloc'd). */
static char *announcement(const char *nick, const char *pem)
{
	size_t len = strlen("PUBKEY::") + strlen(nick) + 2 + strlen(pem);
	char *a = malloc(len + 1);
	ck_assert_ptr_nonnull(a);
	snprintf(a, len + 1, "PUBKEY::%s::%s", nick, pem);
	return a;
}

static void feed_announcement(const char *nick, const char *pem)
{
	char *a = announcement(nick, pem);
	feed_ok(a);
	free(a);
}

/* --- what the client wrote --- */

static const uint8_t *write_at(size_t i, size_t *len)
{
	ck_assert_msg(stub_conn_writes(conn) > i, "no write %zu (%zu made)", i,
		stub_conn_writes(conn));
	return stub_conn_write_at(conn, i, len);
}

static void expect_write(size_t i, const void *data, size_t len)
{
	size_t n = 0;
	const uint8_t *w = write_at(i, &n);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(w, data, len);
}

static void expect_write_str(size_t i, const char *text)
{
	expect_write(i, text, strlen(text));
}

static void expect_announcement(size_t i, const char *nick, const char *pem)
{
	char *a = announcement(nick, pem);
	expect_write_str(i, a);
	free(a);
}

static void sha256_hex(const uint8_t *data, size_t len, char out[65])
{
	uint8_t md[32];
	ck_assert(EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL));
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Open write `i` as a package for `nick` with `priv_pem`: the plaintext
 * (malloc'd), or NULL if it does not open. */
static char *open_write(size_t i, const char *priv_pem, const char *nick)
{
	size_t len = 0;
	const uint8_t *w = write_at(i, &len);
	EVP_PKEY *priv = NULL;
	ck_assert_int_eq(fernet_privkey_from_pem((const uint8_t *)priv_pem, strlen(priv_pem),
		&priv), 0);
	uint8_t *pt = NULL;
	size_t pt_len = 0;
	char *out = NULL;
	if (fernet_package_open(H, priv, nick, strlen(nick), w, len, &pt, &pt_len) == 0) {
		out = strdup((const char *)pt);
		H->wipe_free(pt, pt_len + 1);
	}
	EVP_PKEY_free(priv);
	return out;
}

static void expect_package(size_t i, const char *priv_pem, const char *nick, const char *text)
{
	char *pt = open_write(i, priv_pem, nick);
	ck_assert_msg(pt != NULL, "write %zu does not open for %s", i, nick);
	ck_assert_str_eq(pt, text);
	free(pt);
}

/* The recipients of package `i`, in order, as "a,b,c". */
struct names {
	char text[512];
};

static int name_member(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *value)
{
	struct names *n = arg;
	(void)value;
	size_t at = strlen(n->text);
	ck_assert_uint_lt(at + key_len + 2, sizeof(n->text));
	if (at)
		n->text[at++] = ',';
	memcpy(n->text + at, key, key_len);
	n->text[at + key_len] = '\0';
	return 0;
}

static int package_member(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *value)
{
	if (key_len == 14 && memcmp(key, "encrypted_keys", 14) == 0)
		return pc_json_object(H, value->raw, value->raw_len, name_member, arg);
	return 0;
}

static void expect_recipients(size_t i, const char *list)
{
	size_t len = 0;
	const uint8_t *w = write_at(i, &len);
	struct names n = { .text = "" };
	ck_assert_int_eq(pc_json_object(H, (const char *)w, len, package_member, &n), 0);
	ck_assert_str_eq(n.text, list);
}

/* --- what was shown --- */

static void ui_at(size_t i, int *kind, const char **from, char *text, size_t cap)
{
	const uint8_t *t = NULL;
	size_t n = 0;
	ck_assert_msg(stub_conn_ui_at(conn, i, kind, from, &t, &n) == 0,
		"no ui_show call %zu (%zu made)", i, stub_conn_ui_count(conn));
	ck_assert_uint_lt(n, cap);
	if (n)
		memcpy(text, t, n);
	text[n] = '\0';
}

static void expect_ui(size_t i, int kind, const char *text)
{
	int k = 0;
	const char *from = (const char *)1;
	char got[2048];
	ui_at(i, &k, &from, got, sizeof(got));
	ck_assert_int_eq(k, kind);
	ck_assert_ptr_null(from);
	ck_assert_str_eq(got, text);
}

static void expect_ui_has(size_t i, int kind, const char *needle)
{
	int k = 0;
	const char *from = NULL;
	char got[2048];
	ui_at(i, &k, &from, got, sizeof(got));
	ck_assert_int_eq(k, kind);
	ck_assert_msg(strstr(got, needle), "\"%s\" not in \"%s\"", needle, got);
}

static size_t ui_count(void)
{
	return stub_conn_ui_count(conn);
}

static size_t writes(void)
{
	return stub_conn_writes(conn);
}

/* --- joining --- */

/* Joined as `nick` with the state directory's keys: write 0 the
 * nickname, write 1 the announcement; ui 0 the joined notice, 1 ready. */
static void join_with(const char *nick, const char *pub_pem)
{
	open_client(nick);
	ck_assert_uint_eq(writes(), 0);
	feed_ok(V_NICK);
	expect_write_str(0, nick);
	ck_assert_uint_eq(writes(), 1);
	feed_ok(V_NICKACCEPT);
	ck_assert_uint_eq(writes(), 2);
	expect_announcement(1, nick, pub_pem);
	ck_assert_uint_eq(ui_count(), 2);
	expect_ui_has(0, POLYCHAT_UI_NOTICE, "joined the chat as");
	expect_ui(1, POLYCHAT_UI_READY, "");
}

static void join_alice(void)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	join_with("alice", V_ALICE_PUBLIC_PEM);
}

static void join_bob(void)
{
	keys_of(V_BOB_PRIVATE_PEM, V_BOB_PUBLIC_PEM);
	join_with("bob", V_BOB_PUBLIC_PEM);
}

/* --- the handshake (§4.2, §6.1) --- */

START_TEST(handshake_bytes_and_announcement)
{
	join_alice();
	size_t len = 0;
	const uint8_t *a = write_at(1, &len);
	char hex[65];
	ck_assert_uint_eq(len, 466);
	sha256_hex(a, len, hex);
	ck_assert_str_eq(hex, V_ALICE_ANNOUNCE_SHA256);
	ck_assert_uint_eq(stub_conn_write_gap(conn), WRITE_GAP_MS);
	ck_assert_uint_eq(stub_conn_input_limit(conn), 65536);
	ck_assert(!stub_conn_closed(conn, NULL, NULL));
}
END_TEST

START_TEST(handshake_bob_announcement)
{
	join_bob();
	size_t len = 0;
	const uint8_t *a = write_at(1, &len);
	char hex[65];
	ck_assert_uint_eq(len, 464);
	sha256_hex(a, len, hex);
	ck_assert_str_eq(hex, V_BOB_ANNOUNCE_SHA256);
}
END_TEST

START_TEST(handshake_byte_by_byte)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	open_client("alice");
	ck_assert_int_eq(stub_feed_bytewise(&feeder, session, conn, "NIC", 3), 0);
	ck_assert_uint_eq(writes(), 0);
	ck_assert_int_eq(stub_feed_bytewise(&feeder, session, conn, "K", 1), 0);
	expect_write_str(0, "alice");
	ck_assert_int_eq(stub_feed_bytewise(&feeder, session, conn, "NICKACCEP", 9), 0);
	ck_assert_uint_eq(writes(), 1);
	ck_assert_int_eq(stub_feed_bytewise(&feeder, session, conn, "T", 1), 0);
	expect_announcement(1, "alice", V_ALICE_PUBLIC_PEM);
	expect_ui(1, POLYCHAT_UI_READY, "");
	ck_assert_uint_eq(feeder.len, 0);
}
END_TEST

START_TEST(typed_nickname_and_local_refusals)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	open_client(NULL);
	feed_ok(V_NICK);
	ck_assert_uint_eq(writes(), 0);
	expect_ui(0, POLYCHAT_UI_NOTICE, "nickname:");
	ck_assert_int_eq(line(""), 0);
	expect_ui_has(1, POLYCHAT_UI_ERROR, "empty");
	expect_ui(2, POLYCHAT_UI_NOTICE, "nickname:");
	ck_assert_int_eq(line("a::b"), 0);
	expect_ui_has(3, POLYCHAT_UI_ERROR, "::");
	ck_assert_int_eq(line("a\tb"), 0);
	expect_ui_has(5, POLYCHAT_UI_ERROR, "control");
	ck_assert_int_eq(line("\xff"), 0);
	expect_ui_has(7, POLYCHAT_UI_ERROR, "UTF-8");
	ck_assert_int_eq(line("{x"), 0);
	expect_ui_has(9, POLYCHAT_UI_ERROR, "notices");
	ck_assert_int_eq(line("x left the chat."), 0);
	expect_ui_has(11, POLYCHAT_UI_ERROR, "notices");
	ck_assert_int_eq(line("x joined the chat!"), 0);
	expect_ui_has(13, POLYCHAT_UI_ERROR, "notices");
	char longer[300];
	memset(longer, 'n', 256);
	longer[256] = '\0';
	ck_assert_int_eq(line(longer), 0);
	expect_ui_has(15, POLYCHAT_UI_ERROR, "too long");
	ck_assert_uint_eq(writes(), 0);
	longer[255] = '\0';
	ck_assert_int_eq(line(longer), 0);
	expect_write_str(0, longer);
	ck_assert_int_eq(line("h\xc3\xa9"), 0); /* waits: the answer comes first */
	feed_ok(V_NICKACCEPT);
	expect_announcement(1, longer, V_ALICE_PUBLIC_PEM);
	char text[300];
	snprintf(text, sizeof(text), "%s: h\xc3\xa9", longer);
	expect_package(2, V_ALICE_PRIVATE_PEM, longer, text);
}
END_TEST

START_TEST(command_line_nickname_refused_then_typed)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	open_client("x::y");
	feed_ok(V_NICK);
	ck_assert_uint_eq(writes(), 0);
	expect_ui_has(0, POLYCHAT_UI_ERROR, "::");
	expect_ui(1, POLYCHAT_UI_NOTICE, "nickname:");
	ck_assert_int_eq(line("alice"), 0);
	expect_write_str(0, "alice");
}
END_TEST

START_TEST(lines_typed_early_wait_in_order)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	open_client("alice");
	ck_assert_int_eq(line("first"), 0);
	feed_ok(V_NICK);
	ck_assert_int_eq(line("second"), 0);
	ck_assert_int_eq(line(""), 0);
	ck_assert_uint_eq(writes(), 1);
	feed_ok(V_NICKACCEPT);
	ck_assert_uint_eq(writes(), 5);
	expect_announcement(1, "alice", V_ALICE_PUBLIC_PEM);
	expect_package(2, V_ALICE_PRIVATE_PEM, "alice", "alice: first");
	expect_package(3, V_ALICE_PRIVATE_PEM, "alice", "alice: second");
	expect_package(4, V_ALICE_PRIVATE_PEM, "alice", "alice: ");
}
END_TEST

START_TEST(nickname_typed_before_the_greeting)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	open_client(NULL);
	ck_assert_int_eq(line("alice"), 0);
	ck_assert_int_eq(line("hi"), 0);
	ck_assert_int_eq(line("/nope"), 0);
	feed_ok(V_NICK);
	expect_write_str(0, "alice");
	ck_assert_uint_eq(ui_count(), 0); /* no prompt: the name was there */
	feed_ok(V_NICKACCEPT);
	ck_assert_uint_eq(writes(), 3);
	expect_package(2, V_ALICE_PRIVATE_PEM, "alice", "alice: hi");
	expect_ui_has(ui_count() - 1, POLYCHAT_UI_ERROR, "unknown command /nope");
}
END_TEST

START_TEST(nickname_taken_ends_the_session)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	open_client("alice");
	feed_ok(V_NICK);
	ck_assert_int_eq(line("queued"), 0);
	ck_assert_int_eq(feed_str(V_NICKTAKEN), POLYCHAT_EEXIST);
	expect_ui_has(0, POLYCHAT_UI_ERROR, "the nickname alice is taken");
	ck_assert_uint_eq(writes(), 1);
	/* Over: nothing more is sent or read. */
	ck_assert_int_eq(line("more"), 0);
	ck_assert_int_eq(feed_str(V_NICKACCEPT), 0);
	ck_assert_uint_eq(writes(), 1);
	ck_assert_uint_eq(ui_count(), 1);
}
END_TEST

START_TEST(bad_greetings_and_replies)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	open_client("alice");
	ck_assert_int_eq(feed_str("HELLO"), POLYCHAT_EPROTO);
	expect_ui_has(0, POLYCHAT_UI_ERROR, "did not greet with NICK");
	ck_assert_uint_eq(writes(), 0);
	fernet_client_close(session, 0);
	stub_feeder_reset(&feeder);

	/* "NICK" then more before our name was even asked. */
	open_client(NULL);
	ck_assert_int_eq(feed_str("NICKX"), POLYCHAT_EPROTO);
	expect_ui_has(ui_count() - 1, POLYCHAT_UI_ERROR, "before the nickname");
	fernet_client_close(session, 0);
	stub_feeder_reset(&feeder);

	/* A reply that is neither. */
	open_client("alice");
	feed_ok(V_NICK);
	ck_assert_int_eq(feed_str("NICKNAME"), POLYCHAT_EPROTO);
	expect_ui_has(ui_count() - 1, POLYCHAT_UI_ERROR, "neither NICKACCEPT nor NICKTAKEN");
	fernet_client_close(session, 0);
	stub_feeder_reset(&feeder);

	open_client("alice");
	feed_ok(V_NICK);
	ck_assert_int_eq(feed_str("bob joined the chat!"), POLYCHAT_EPROTO);
	/* Over: nothing more is read or sent. */
	ck_assert_int_eq(feed_str(V_NICKACCEPT), 0);
	ck_assert_int_eq(line("hi"), 0);
	ck_assert_uint_eq(writes(), 2);
}
END_TEST

START_TEST(accept_coalesced_with_the_first_message)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	open_client("alice");
	feed_ok(V_NICK);
	char *a = announcement("bob", V_BOB_PUBLIC_PEM);
	char both[1024];
	snprintf(both, sizeof(both), "%s%s", V_NICKACCEPT, a);
	free(a);
	feed_ok(both);
	expect_announcement(1, "alice", V_ALICE_PUBLIC_PEM);
	expect_ui_has(2, POLYCHAT_UI_NOTICE, "key of bob received");
	ck_assert_int_eq(line("hi"), 0);
	expect_recipients(2, "alice,bob");
	expect_package(2, V_BOB_PRIVATE_PEM, "bob", "alice: hi");
}
END_TEST

/* --- announcements (§4.5) --- */

START_TEST(announced_again_after_join_notices)
{
	join_alice();
	/* Within the pacing gap of the first announcement: the next one
	 * follows when the gap is over, once for both notices. */
	feed_ok(V_BOB_JOINED);
	expect_ui(2, POLYCHAT_UI_NOTICE, V_BOB_JOINED);
	feed_ok("carol joined the chat!");
	expect_ui(3, POLYCHAT_UI_NOTICE, "carol joined the chat!");
	ck_assert_uint_eq(writes(), 2);
	stub_clock_advance(ANNOUNCE_GAP_MS - 1);
	ck_assert_uint_eq(writes(), 2);
	stub_clock_advance(1);
	ck_assert_uint_eq(writes(), 3);
	expect_announcement(2, "alice", V_ALICE_PUBLIC_PEM);
	/* Nothing more is due. */
	stub_clock_advance(10 * ANNOUNCE_GAP_MS);
	ck_assert_uint_eq(writes(), 3);
	ck_assert_uint_eq(stub_timers_active(), 0);
	/* Long after: a notice is answered at once. */
	feed_ok("dave joined the chat!");
	ck_assert_uint_eq(writes(), 4);
	expect_announcement(3, "alice", V_ALICE_PUBLIC_PEM);
	/* A flood of notices costs one more announcement. */
	for (int i = 0; i < 100; i++)
		feed_ok("x joined the chat!");
	ck_assert_uint_eq(writes(), 4);
	stub_clock_advance(ANNOUNCE_GAP_MS);
	ck_assert_uint_eq(writes(), 5);
	stub_clock_advance(ANNOUNCE_GAP_MS);
	ck_assert_uint_eq(writes(), 5);
	/* Leave notices are shown, and announce nothing. */
	feed_ok(V_BOB_LEFT);
	expect_ui(ui_count() - 1, POLYCHAT_UI_NOTICE, V_BOB_LEFT);
	stub_clock_advance(ANNOUNCE_GAP_MS);
	ck_assert_uint_eq(writes(), 5);
}
END_TEST

START_TEST(first_key_wins)
{
	join_alice();
	feed_announcement("bob", V_BOB_PUBLIC_PEM);
	expect_ui(2, POLYCHAT_UI_NOTICE, "key of bob received: bob can read your messages"
		" from now on");
	/* The same key again: nothing to say. */
	feed_announcement("bob", V_BOB_PUBLIC_PEM);
	ck_assert_uint_eq(ui_count(), 3);
	/* Another key for bob: kept out, said once. */
	feed_announcement("bob", V_ALICE_PUBLIC_PEM);
	expect_ui_has(3, POLYCHAT_UI_ERROR, "a different key was announced for bob");
	feed_announcement("bob", V_ALICE_PUBLIC_PEM);
	ck_assert_uint_eq(ui_count(), 4);
	/* Our own name too. */
	feed_announcement("alice", V_BOB_PUBLIC_PEM);
	expect_ui_has(4, POLYCHAT_UI_ERROR, "a different key was announced for alice");
	ck_assert_int_eq(line("for bob"), 0);
	expect_recipients(2, "alice,bob");
	expect_package(2, V_BOB_PRIVATE_PEM, "bob", "alice: for bob");
	expect_package(2, V_ALICE_PRIVATE_PEM, "alice", "alice: for bob");
	/* The bob entry is for bob's key, not the later one. */
	ck_assert_ptr_null(open_write(2, V_ALICE_PRIVATE_PEM, "bob"));
	/* Nothing of this was sent. */
	ck_assert_uint_eq(writes(), 3);
}
END_TEST

START_TEST(unusable_keys_ignored)
{
	join_alice();
	EVP_PKEY *small = EVP_RSA_gen(1024);
	char *pem = NULL;
	size_t len = 0;
	ck_assert_int_eq(fernet_pubkey_pem(H, small, &pem, &len), 0);
	feed_announcement("weak", pem);
	H->free(pem);
	EVP_PKEY_free(small);
	expect_ui_has(2, POLYCHAT_UI_ERROR, "ignored the key announced for weak");
	feed_ok("PUBKEY::junk::-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
	ck_assert_uint_eq(ui_count(), 3);
	/* A name that is not UTF-8: dropped. */
	feed_announcement("b\xff", V_BOB_PUBLIC_PEM);
	ck_assert_uint_eq(ui_count(), 3);
	ck_assert_int_eq(line("x"), 0);
	expect_recipients(2, "alice");
	/* Nor one longer than any server takes. */
	char *huge = malloc(4098);
	memset(huge, 'h', 4097);
	huge[4097] = '\0';
	feed_announcement(huge, V_BOB_PUBLIC_PEM);
	huge[4096] = '\0';
	feed_announcement(huge, V_BOB_PUBLIC_PEM);
	free(huge);
	ck_assert_uint_eq(ui_count(), 4);
	expect_ui_has(3, POLYCHAT_UI_NOTICE, "key of hhhh");
	ck_assert_int_eq(line("y"), 0);
	ck_assert_uint_eq(writes(), 3); /* too long a package with that name */
}
END_TEST

/* What the original's loader takes (§4.3, §4.4): CRLF, PKCS#1, no final
 * LF (the next message then follows the dashes directly). */
START_TEST(announcement_forms_tolerated)
{
	join_bob();
	char buf[4096];
	size_t j = 0;
	j += (size_t)snprintf(buf, sizeof(buf), "PUBKEY::alice::");
	for (const char *p = V_ALICE_PUBLIC_PEM; *p; p++) {
		if (*p == '\n')
			buf[j++] = '\r';
		buf[j++] = *p;
	}
	ck_assert_int_eq(feed(buf, j), 0);
	expect_ui_has(2, POLYCHAT_UI_NOTICE, "key of alice received");
	/* PKCS#1, made from alice's key. */
	EVP_PKEY *k = NULL;
	ck_assert_int_eq(fernet_pubkey_from_pem((const uint8_t *)V_ALICE_PUBLIC_PEM,
		strlen(V_ALICE_PUBLIC_PEM), &k), 0);
	BIO *bio = BIO_new(BIO_s_mem());
	OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(k, EVP_PKEY_PUBLIC_KEY, "PEM",
		"type-specific", NULL);
	ck_assert(OSSL_ENCODER_to_bio(ectx, bio));
	OSSL_ENCODER_CTX_free(ectx);
	EVP_PKEY_free(k);
	char *pkcs1 = NULL;
	long n = BIO_get_mem_data(bio, &pkcs1);
	snprintf(buf, sizeof(buf), "PUBKEY::carol::%.*s", (int)n, pkcs1);
	BIO_free(bio);
	ck_assert(strstr(buf, "BEGIN RSA PUBLIC KEY"));
	feed_ok(buf);
	expect_ui_has(3, POLYCHAT_UI_NOTICE, "key of carol received");
	/* No final LF, a package right behind. */
	snprintf(buf, sizeof(buf), "PUBKEY::dave::%.*s%s", (int)strlen(V_ALICE_PUBLIC_PEM) - 1,
		V_ALICE_PUBLIC_PEM, V_PACKAGE);
	feed_ok(buf);
	expect_ui_has(4, POLYCHAT_UI_NOTICE, "key of dave received");
	expect_ui(5, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	/* Cut right after the dashes, the line end in the next read: the
	 * announcement is whole once that read shows it. */
	snprintf(buf, sizeof(buf), "PUBKEY::erin::%.*s", (int)strlen(V_ALICE_PUBLIC_PEM) - 1,
		V_ALICE_PUBLIC_PEM);
	feed_ok(buf);
	feed_ok("\ncarol joined the chat!");
	expect_ui_has(6, POLYCHAT_UI_NOTICE, "key of erin received");
	expect_ui(7, POLYCHAT_UI_NOTICE, "carol joined the chat!");
	ck_assert_int_eq(line("hi"), 0);
	expect_recipients(2, "bob,alice,carol,dave,erin");
	expect_package(2, V_ALICE_PRIVATE_PEM, "carol", "bob: hi");
	ck_assert_uint_eq(feeder.len, 0);
}
END_TEST

/* --- sending (§4.6, §5.4, §5.5) --- */

START_TEST(typed_lines_become_packages)
{
	join_alice();
	feed_announcement("bob", V_BOB_PUBLIC_PEM);
	feed_announcement("b\xc3\xa9", V_BOB_PUBLIC_PEM);
	ck_assert_int_eq(line("hello"), 0);
	ck_assert_uint_eq(writes(), 3);
	expect_recipients(2, "alice,bob,b\xc3\xa9");
	expect_package(2, V_BOB_PRIVATE_PEM, "bob", "alice: hello");
	expect_package(2, V_BOB_PRIVATE_PEM, "b\xc3\xa9", "alice: hello");
	expect_package(2, V_ALICE_PRIVATE_PEM, "alice", "alice: hello");
	size_t len = 0;
	const uint8_t *w = write_at(2, &len);
	/* §5.5, with "bé" escaped as b\u00e9 (7 bytes). */
	ck_assert_uint_eq(len, 45 + fernet_token_len(12) + (352 + 5) + (352 + 3) + (352 + 7));
	ck_assert_mem_eq(w, "{\"encrypted_message\": \"gAAAAA", 29);
	for (size_t i = 0; i < len; i++)
		ck_assert_uint_lt(w[i], 0x80);
	/* Empty lines too; "//" escapes a leading slash; other commands are
	 * not sent. */
	ck_assert_int_eq(line(""), 0);
	expect_package(3, V_BOB_PRIVATE_PEM, "bob", "alice: ");
	ck_assert_int_eq(line("//etc"), 0);
	expect_package(4, V_BOB_PRIVATE_PEM, "bob", "alice: /etc");
	ck_assert_int_eq(line("/who"), POLYCHAT_ENOTSUP);
	ck_assert_uint_eq(writes(), 5);
	/* Every package is fresh. */
	ck_assert_int_eq(line("hello"), 0);
	size_t len2 = 0;
	const uint8_t *w2 = write_at(5, &len2);
	w = write_at(2, &len);
	ck_assert_uint_eq(len, len2);
	ck_assert_mem_ne(w + 40, w2 + 40, 60);
}
END_TEST

START_TEST(oversize_packages_refused)
{
	join_alice();
	char big[3000];
	/* With ourselves alone: 2703 bytes of plaintext make 4086 bytes. */
	memset(big, 'x', 2696);
	big[2696] = '\0';
	ck_assert_int_eq(line(big), 0);
	ck_assert_uint_eq(writes(), 3);
	size_t len = 0;
	write_at(2, &len);
	ck_assert_uint_eq(len, 4086);
	/* One byte more is 4106: refused, nothing sent. */
	big[2696] = 'x';
	big[2697] = '\0';
	ck_assert_int_eq(line(big), 0);
	ck_assert_uint_eq(writes(), 3);
	expect_ui_has(ui_count() - 1, POLYCHAT_UI_ERROR, "message not sent");
	expect_ui_has(ui_count() - 1, POLYCHAT_UI_ERROR, "4106 bytes");
	/* Too many members for even a short line. */
	for (int i = 0; i < 10; i++) {
		char nick[16];
		snprintf(nick, sizeof(nick), "member%02d", i);
		feed_announcement(nick, V_BOB_PUBLIC_PEM);
	}
	ck_assert_int_eq(line("hi"), 0);
	ck_assert_uint_eq(writes(), 3);
	expect_ui_has(ui_count() - 1, POLYCHAT_UI_ERROR, "encrypted for 11 members");
}
END_TEST

START_TEST(exit_closes_without_sending)
{
	join_alice();
	int flush = 0;
	const char *reason = NULL;
	ck_assert_int_eq(line("ExIt"), 0);
	ck_assert(stub_conn_closed(conn, &flush, &reason));
	ck_assert_int_eq(flush, 1);
	ck_assert_uint_eq(writes(), 2);
	ck_assert_int_eq(line("more"), 0);
	ck_assert_uint_eq(writes(), 2);
	/* Only "exit" itself. */
	fernet_client_close(session, 0);
	stub_feeder_reset(&feeder);
	stub_conn_free(conn);
	conn = stub_conn_new(NULL, "192.0.2.1", 12345);
	join_alice();
	ck_assert_int_eq(line("exit now"), 0);
	ck_assert_int_eq(line(" exit"), 0);
	ck_assert_uint_eq(writes(), 4);
	ck_assert(!stub_conn_closed(conn, NULL, NULL));
}
END_TEST

/* --- receiving (§4.3, §4.4, §6.5) --- */

START_TEST(vector_package_shown_to_bob)
{
	join_bob();
	feed_ok(V_PACKAGE);
	expect_ui(2, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	ck_assert_uint_eq(feeder.len, 0);
	/* Nothing of the message reaches the log. */
	for (size_t i = 0; i < stub_log_count(); i++)
		ck_assert_ptr_null(strstr(stub_log_line(i), "hello"));
	ck_assert_uint_eq(writes(), 2);
}
END_TEST

START_TEST(packages_not_for_us_dropped_silently)
{
	/* carol, with bob's keys: the vector has no entry for her. */
	keys_of(V_BOB_PRIVATE_PEM, V_BOB_PUBLIC_PEM);
	join_with("carol", V_BOB_PUBLIC_PEM);
	feed_ok(V_PACKAGE);
	ck_assert_uint_eq(ui_count(), 2);
	ck_assert(stub_log_contains("not for us"));
	fernet_client_close(session, 0);
	stub_feeder_reset(&feeder);
	stub_conn_free(conn);
	conn = stub_conn_new(NULL, "192.0.2.1", 12345);
	/* bob, but tampered with: the MAC fails, nothing is shown. */
	join_bob();
	char *p = strdup(V_PACKAGE);
	char *tok = strstr(p, "gAAAAA") + 60;
	*tok = *tok == 'A' ? 'B' : 'A';
	feed_ok(p);
	free(p);
	feed_ok("{\"not\": \"a package\"}");
	feed_ok("{\"encrypted_message\": 1, \"encrypted_keys\": {\"bob\": \"AAAA\"}}");
	ck_assert_uint_eq(ui_count(), 2);
	ck_assert(!stub_conn_closed(conn, NULL, NULL));
	/* And the session goes on. */
	feed_ok(V_PACKAGE);
	expect_ui(2, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
}
END_TEST

START_TEST(coalesced_messages_split)
{
	join_bob();
	char buf[4096];
	char *a = announcement("alice", V_ALICE_PUBLIC_PEM);
	/* A notice and an announcement. */
	snprintf(buf, sizeof(buf), "carol joined the chat!%s", a);
	feed_ok(buf);
	expect_ui(2, POLYCHAT_UI_NOTICE, "carol joined the chat!");
	expect_ui_has(3, POLYCHAT_UI_NOTICE, "key of alice received");
	/* An announcement and a package. */
	char *c = announcement("carol", V_ALICE_PUBLIC_PEM);
	snprintf(buf, sizeof(buf), "%s%s", c, V_PACKAGE);
	feed_ok(buf);
	expect_ui_has(4, POLYCHAT_UI_NOTICE, "key of carol received");
	expect_ui(5, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	/* Two packages, then a leave notice and an announcement. */
	snprintf(buf, sizeof(buf), "%s%s%s%s", V_PACKAGE, V_PACKAGE, V_BOB_LEFT, a);
	feed_ok(buf);
	expect_ui(6, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	expect_ui(7, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	expect_ui(8, POLYCHAT_UI_NOTICE, V_BOB_LEFT);
	ck_assert_uint_eq(ui_count(), 9);
	ck_assert_uint_eq(feeder.len, 0);
	/* The notice earlier was answered with an announcement, once. */
	stub_clock_advance(ANNOUNCE_GAP_MS);
	ck_assert_uint_eq(writes(), 3);
	expect_announcement(2, "bob", V_BOB_PUBLIC_PEM);
	ck_assert_int_eq(line("hi"), 0);
	expect_recipients(3, "bob,alice,carol");
	free(a);
	free(c);
}
END_TEST

START_TEST(byte_by_byte_stream)
{
	join_bob();
	char buf[4096];
	char *a = announcement("alice", V_ALICE_PUBLIC_PEM);
	snprintf(buf, sizeof(buf), "%scarol joined the chat!%s%s", a, V_PACKAGE, V_BOB_LEFT);
	free(a);
	ck_assert_int_eq(stub_feed_bytewise(&feeder, session, conn, buf, strlen(buf)), 0);
	expect_ui_has(2, POLYCHAT_UI_NOTICE, "key of alice received");
	expect_ui(3, POLYCHAT_UI_NOTICE, "carol joined the chat!");
	expect_ui(4, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	expect_ui(5, POLYCHAT_UI_NOTICE, V_BOB_LEFT);
	ck_assert_uint_eq(ui_count(), 6);
	ck_assert_uint_eq(feeder.len, 0);
}
END_TEST

START_TEST(split_messages_joined)
{
	join_bob();
	size_t shown = ui_count();
	for (size_t cut = 1; cut < V_PACKAGE_LEN; cut += 11) {
		ck_assert_int_eq(feed(V_PACKAGE, cut), 0);
		ck_assert_uint_eq(ui_count(), shown);
		ck_assert_int_eq(feed(V_PACKAGE + cut, V_PACKAGE_LEN - cut), 0);
		ck_assert_uint_eq(ui_count(), ++shown);
		expect_ui(shown - 1, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	}
	/* A notice in pieces. */
	feed_ok("carol joi");
	feed_ok("ned the ch");
	feed_ok("at!");
	expect_ui(shown, POLYCHAT_UI_NOTICE, "carol joined the chat!");
}
END_TEST

START_TEST(debris_dropped_messages_kept)
{
	join_bob();
	char buf[4096];
	/* Garbage stuck in front of a package, in one read. */
	snprintf(buf, sizeof(buf), "zzz%s", V_PACKAGE);
	feed_ok(buf);
	expect_ui(2, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	/* A lone '{' (a package that never ends), then a package. */
	feed_ok("{");
	ck_assert_uint_eq(ui_count(), 3);
	feed_ok(V_PACKAGE);
	expect_ui(3, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	/* Garbage of no shape alone, then a package. */
	feed_ok("garbage");
	feed_ok(V_PACKAGE);
	expect_ui(4, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	ck_assert_uint_eq(feeder.len, 0);
	/* A notice that is not UTF-8: dropped, no announcement. */
	stub_clock_advance(ANNOUNCE_GAP_MS);
	size_t w = writes();
	feed_ok("\xff\xfe joined the chat!");
	stub_clock_advance(ANNOUNCE_GAP_MS);
	ck_assert_uint_eq(ui_count(), 5 + 0);
	ck_assert_uint_eq(writes(), w);
	/* More than the client keeps without an end: dropped with an error,
	 * and what follows is read again. */
	char *flood = malloc(70000);
	memset(flood, 'x', 70000);
	ck_assert_int_eq(feed(flood, 70000), 0);
	free(flood);
	expect_ui_has(5, POLYCHAT_UI_ERROR, "do not end a message");
	ck_assert_uint_lt(feeder.len, 65536);
	feed_ok(V_PACKAGE);
	expect_ui(ui_count() - 1, POLYCHAT_UI_MESSAGE, V_PLAINTEXT);
	ck_assert(!stub_conn_closed(conn, NULL, NULL));
}
END_TEST

/* --- keys on disk (§4.1) --- */

START_TEST(keys_generated_when_absent_then_reused)
{
	open_client("alice");
	mode_t mode = 0;
	char *priv = read_key_file(FERNET_PRIVATE_FILE, &mode);
	ck_assert_uint_eq(mode, 0600);
	ck_assert(strstr(priv, "-----BEGIN RSA PRIVATE KEY-----\n") == priv);
	char *pub = read_key_file(FERNET_PUBLIC_FILE, NULL);
	ck_assert(strstr(pub, "-----BEGIN PUBLIC KEY-----\n") == pub);
	ck_assert_uint_eq(strlen(pub), 451);
	feed_ok(V_NICK);
	feed_ok(V_NICKACCEPT);
	expect_announcement(1, "alice", pub);
	/* The generated key opens what this client sends. */
	ck_assert_int_eq(line("mine"), 0);
	expect_package(2, priv, "alice", "alice: mine");
	/* The next session loads the same pair. */
	fernet_client_close(session, 0);
	stub_feeder_reset(&feeder);
	stub_conn_clear_output(conn);
	open_client("alice");
	feed_ok(V_NICK);
	feed_ok(V_NICKACCEPT);
	expect_announcement(1, "alice", pub);
	char *again = read_key_file(FERNET_PRIVATE_FILE, NULL);
	ck_assert_str_eq(again, priv);
	free(again);
	free(priv);
	free(pub);
}
END_TEST

START_TEST(bad_key_files_refuse_to_start)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_BOB_PUBLIC_PEM);
	ck_assert_int_eq(open_rc("alice"), POLYCHAT_EPROTO);
	ck_assert_ptr_null(session);
	expect_ui_has(0, POLYCHAT_UI_ERROR, FERNET_PUBLIC_FILE);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	const struct polychat_client_env env = { .host = H, .user = "alice" };
	ck_assert_int_eq(fernet_client_open(&env, conn, &session), POLYCHAT_EINVAL);
	ck_assert_ptr_null(session);
	expect_ui_has(1, POLYCHAT_UI_ERROR, "state directory");
}
END_TEST

/* --- resources --- */

START_TEST(open_out_of_memory)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	for (long n = 0; n < 32; n++) {
		stub_alloc_fail_after(n);
		int rc = open_rc("alice");
		stub_alloc_fail_after(-1);
		if (rc == 0)
			break;
		ck_assert_int_eq(rc, POLYCHAT_ENOMEM);
		ck_assert_ptr_null(session);
		ck_assert_int_eq(stub_alloc_outstanding(), 0);
	}
	ck_assert_ptr_nonnull(session);
}
END_TEST

START_TEST(close_frees_everything_in_every_state)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	/* Before the greeting, with lines waiting. */
	open_client("alice");
	ck_assert_int_eq(line("one"), 0);
	ck_assert_int_eq(line("two"), 0);
	fernet_client_close(session, POLYCHAT_ECLOSED);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	/* Waiting for the answer. */
	open_client("alice");
	feed_ok(V_NICK);
	ck_assert_int_eq(line("three"), 0);
	fernet_client_close(session, 0);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	stub_feeder_reset(&feeder);
	stub_conn_clear_output(conn);
	/* Joined, with keys, a pacing timer and half a message held. */
	join_alice();
	feed_announcement("bob", V_BOB_PUBLIC_PEM);
	feed_ok(V_BOB_JOINED);
	feed_ok("{\"encrypted_message\": \"gAAA");
	ck_assert_uint_eq(stub_timers_active(), 1);
	fernet_client_close(session, 0);
	session = NULL;
	ck_assert_uint_eq(stub_timers_active(), 0);
	stub_feeder_reset(&feeder);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	fernet_client_close(NULL, 0);
}
END_TEST

START_TEST(bounded_queue_and_key_table)
{
	keys_of(V_ALICE_PRIVATE_PEM, V_ALICE_PUBLIC_PEM);
	open_client("alice");
	for (int i = 0; i < 4096; i++)
		ck_assert_int_eq(line("x"), 0);
	ck_assert_uint_eq(ui_count(), 0);
	ck_assert_int_eq(line("one too many"), 0);
	expect_ui_has(0, POLYCHAT_UI_ERROR, "line dropped");
	fernet_client_close(session, 0);
	session = NULL;
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	stub_conn_free(conn);
	conn = stub_conn_new(NULL, "192.0.2.1", 12345);
	/* The key table: ours and 255 more, then one notice, once. */
	join_alice();
	size_t shown = ui_count();
	for (int i = 0; i < 257; i++) {
		char nick[16];
		snprintf(nick, sizeof(nick), "m%03d", i);
		feed_announcement(nick, V_BOB_PUBLIC_PEM);
	}
	ck_assert_uint_eq(ui_count(), shown + 255 + 1);
	expect_ui_has(ui_count() - 1, POLYCHAT_UI_ERROR, "more than 256 keys");
	ck_assert_int_eq(line("hi"), 0);
	expect_ui_has(ui_count() - 1, POLYCHAT_UI_ERROR, "encrypted for 256 members");
}
END_TEST

START_TEST(help_lists_exit)
{
	const char *help = fernet_client_help();
	ck_assert_ptr_nonnull(help);
	ck_assert_ptr_nonnull(strstr(help, "  exit "));
	ck_assert_ptr_nonnull(strstr(help, "  //text "));
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("fernet-client");
	TCase *tc = tcase_create("handshake");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, handshake_bytes_and_announcement);
	tcase_add_test(tc, handshake_bob_announcement);
	tcase_add_test(tc, handshake_byte_by_byte);
	tcase_add_test(tc, typed_nickname_and_local_refusals);
	tcase_add_test(tc, command_line_nickname_refused_then_typed);
	tcase_add_test(tc, lines_typed_early_wait_in_order);
	tcase_add_test(tc, nickname_typed_before_the_greeting);
	tcase_add_test(tc, nickname_taken_ends_the_session);
	tcase_add_test(tc, bad_greetings_and_replies);
	tcase_add_test(tc, accept_coalesced_with_the_first_message);
	suite_add_tcase(s, tc);

	tc = tcase_create("chat");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, announced_again_after_join_notices);
	tcase_add_test(tc, first_key_wins);
	tcase_add_test(tc, unusable_keys_ignored);
	tcase_add_test(tc, announcement_forms_tolerated);
	tcase_add_test(tc, typed_lines_become_packages);
	tcase_add_test(tc, oversize_packages_refused);
	tcase_add_test(tc, exit_closes_without_sending);
	suite_add_tcase(s, tc);

	tc = tcase_create("receiving");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, vector_package_shown_to_bob);
	tcase_add_test(tc, packages_not_for_us_dropped_silently);
	tcase_add_test(tc, coalesced_messages_split);
	tcase_add_test(tc, byte_by_byte_stream);
	tcase_add_test(tc, split_messages_joined);
	tcase_add_test(tc, debris_dropped_messages_kept);
	suite_add_tcase(s, tc);

	tc = tcase_create("resources");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, keys_generated_when_absent_then_reused);
	tcase_add_test(tc, bad_key_files_refuse_to_start);
	tcase_add_test(tc, open_out_of_memory);
	tcase_add_test(tc, close_frees_everything_in_every_state);
	tcase_add_test(tc, bounded_queue_and_key_table);
	tcase_add_test(tc, help_lists_exit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(client_suite());
}
