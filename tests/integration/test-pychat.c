/* SPDX-License-Identifier: MIT */
/* Suite pychat end to end: the real polychatd, scripted original-client bytes and reads. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include "harness.h"
#include "py-peer.h"
#include "tests/stubs/stub-host.h"
#include "../check-run.h"

/* Every test's own daemon, made and checked by the fixture (h_tcase). */
static struct h_daemon d;

/* A pychat listener `py` with these suite options; returns its port. */
static int start(const char *options)
{
	int port = h_start_single(&d, &(struct h_single){
		.name = "py", .suite = "pychat", .options = options });
	ck_assert_int_gt(port, 0);
	return port;
}

static void join(struct py_peer *p, int port, const char *name)
{
	ck_assert_int_eq(pp_join(p, port, name), 0);
}

static void say(struct py_peer *p, const char *name, const char *text)
{
	ck_assert_int_eq(pp_send(p, name, PYCHAT_T_DEFAULT, text), 0);
}

static void expect_chat(struct py_peer *p, const char *from, const char *text)
{
	ck_assert_int_eq(pp_expect(p, PYCHAT_T_DEFAULT, from, text), 0);
}

static void expect_left(struct py_peer *p, const char *name)
{
	char text[300];
	snprintf(text, sizeof(text), "[%s] has left the chat", name);
	ck_assert_int_eq(pp_expect(p, PYCHAT_T_DEFAULT, PYCHAT_SERVER_NAME, text), 0);
}

START_TEST(handshake_frames_are_clear_padded_and_fresh)
{
	int port = start("");
	struct py_peer a, b;
	ck_assert_int_eq(pp_open(&a, port), 0);
	ck_assert_int_eq(pp_open(&b, port), 0);
	/* §6.1: iv_exc then key_exc, in clear, from *server*. */
	ck_assert_str_eq(a.iv_frame.typ, PYCHAT_T_IV);
	ck_assert_str_eq(a.iv_frame.username, PYCHAT_SERVER_NAME);
	ck_assert_str_eq(a.iv_frame.shost, "127.0.0.1");
	ck_assert_str_eq(a.iv_frame.dhost, "127.0.0.1");
	ck_assert_uint_eq(a.iv_frame.cont_len, PYCHAT_IV_B64_LEN);
	ck_assert_str_eq(a.key_frame.typ, PYCHAT_T_KEY);
	ck_assert_uint_ge(a.key_frame.cont_len, 600);
	/* §2.2: padded to multiples of 10. */
	ck_assert_uint_eq(a.iv_frame_n % 10, 0);
	ck_assert_uint_eq(a.key_frame_n % 10, 0);
	/* §10: a fresh IV and a fresh DH key per connection. */
	ck_assert_mem_ne(a.iv, b.iv, PYCHAT_IV_LEN);
	ck_assert_str_ne(a.server_pub, b.server_pub);
	ck_assert_int_eq(a.over_read + b.over_read, 0);
	pp_close(&a);
	pp_close(&b);
}
END_TEST

START_TEST(original_clients_chat_through_the_server)
{
	int port = start("");
	struct py_peer a, b, c;
	join(&a, port, "alice");
	join(&b, port, "bob");
	join(&c, port, "carol");
	say(&a, "alice", "Hello, Bob!");
	expect_chat(&b, "alice", "Hello, Bob!");
	expect_chat(&c, "alice", "Hello, Bob!");
	const char *unicode = "Gr\xc3\xbc\xc3\x9f" "e \"quoted\" back\\slash \xe2\x9c\x93 \xf0\x9f\x98\x80";
	say(&b, "bob", unicode);
	/* No echo: alice's next frame is bob's, not her own. */
	expect_chat(&a, "bob", unicode);
	expect_chat(&c, "bob", unicode);
	say(&c, "carol", "hi both");
	expect_chat(&a, "carol", "hi both");
	expect_chat(&b, "carol", "hi both");

	/* The sender's members travel unchanged, except the name (§10). */
	ck_assert_int_eq(pp_send(&a, "mallory", "custom_type", "spoof"), 0);
	struct pychat_envelope env;
	ck_assert_int_eq(pp_read(&b, &env), 0);
	ck_assert_str_eq(env.username, "alice");
	ck_assert_str_eq(env.typ, "custom_type");
	ck_assert_str_eq(env.date, "2020-05-09 12:41:54.123456");
	ck_assert_str_eq(env.shost, "127.0.0.1");
	ck_assert_int_eq(env.should_parse, 0);
	pp_free(&env);

	/* A burst: with the write gap the original reader never over-reads. */
	for (int i = 0; i < 5; i++)
		say(&a, "alice", "burst");
	for (int i = 0; i < 5; i++)
		expect_chat(&b, "alice", "burst");
	ck_assert_int_eq(b.over_read, 0);
	pp_close(&a);
	pp_close(&b);
	pp_close(&c);
}
END_TEST

START_TEST(usernames_are_unique_and_bounded)
{
	int port = start("max_name: 8");
	struct py_peer a, b;
	join(&a, port, "alice");
	ck_assert_int_eq(pp_connect(&b, port), 0);
	ck_assert_int_eq(pp_register(&b, "alice"), 1);
	ck_assert_int_eq(pp_register(&b, PYCHAT_SERVER_NAME), 1);
	ck_assert_int_eq(pp_register(&b, ""), 1);
	ck_assert_int_eq(pp_register(&b, "ninechars"), 1);
	ck_assert_int_eq(pp_register(&b, "tab\there"), 1);
	ck_assert_int_eq(pp_register(&b, "Alice"), 0); /* byte-exact, as the original */
	/* A refused rename keeps the name. */
	ck_assert_int_eq(pp_register(&b, "alice"), 1);
	say(&b, "x", "still me");
	expect_chat(&a, "Alice", "still me");
	/* A name is free again as soon as its connection ends. */
	pp_close(&a);
	struct py_peer c;
	ck_assert_int_eq(pp_connect(&c, port), 0);
	ck_assert_int_eq(pp_register(&c, "alice"), 0);
	pp_close(&b);
	pp_close(&c);
}
END_TEST

START_TEST(only_registered_connections_talk_and_listen)
{
	int port = start("");
	struct py_peer a, b, c;
	join(&a, port, "alice");
	join(&b, port, "bob");
	ck_assert_int_eq(pp_connect(&c, port), 0);
	/* Not relayed from an unregistered connection... */
	say(&c, "temp", "psst");
	say(&b, "bob", "after psst");
	expect_chat(&a, "bob", "after psst");
	/* ...nor to it: its first frame is the reply to its setuser. */
	say(&a, "alice", "before carol");
	expect_chat(&b, "alice", "before carol");
	ck_assert_int_eq(pp_register(&c, "carol"), 0);
	/* Empty messages are ignored (§6.3). */
	say(&a, "alice", "");
	say(&a, "alice", "not empty");
	expect_chat(&c, "alice", "not empty");
	pp_close(&a);
	pp_close(&b);
	pp_close(&c);
}
END_TEST

START_TEST(export_and_help_answer_the_sender)
{
	int port = start("export_max: 17");
	struct py_peer a, b;
	join(&a, port, "alice");
	join(&b, port, "bob");
	say(&a, "alice", "one");
	expect_chat(&b, "alice", "one");
	say(&b, "bob", "two");
	expect_chat(&a, "bob", "two");
	ck_assert_int_eq(pp_send(&b, "bob", PYCHAT_T_EXPORT, "[export_chat]"), 0);
	ck_assert_int_eq(pp_expect(&b, PYCHAT_T_EXPORT, PYCHAT_SERVER_NAME, "one\ntwo\n"), 0);
	/* Bounded: the oldest whole lines go first. */
	say(&a, "alice", "three");
	expect_chat(&b, "alice", "three");
	say(&a, "alice", "fourth");
	expect_chat(&b, "alice", "fourth");
	ck_assert_int_eq(pp_send(&a, "alice", PYCHAT_T_EXPORT, "[export_chat]"), 0);
	ck_assert_int_eq(pp_expect(&a, PYCHAT_T_EXPORT, PYCHAT_SERVER_NAME, "two\nthree\nfourth\n"), 0);

	ck_assert_int_eq(pp_send(&a, "alice", PYCHAT_T_HELP, "[help]"), 0);
	struct pychat_envelope env;
	ck_assert_int_eq(pp_read(&a, &env), 0);
	ck_assert_str_eq(env.typ, PYCHAT_T_HELP);
	ck_assert_int_eq(env.cont_type, PC_JSON_OBJECT);
	ck_assert_str_eq(env.cont, PYCHAT_HELP_OBJECT);
	ck_assert_int_eq(env.should_parse, 1);
	pp_free(&env);
	/* Neither the requests nor the replies reached bob. */
	say(&a, "alice", "done");
	expect_chat(&b, "alice", "done");

	/* The log goes with the last connection (§6.4): once the daemon says
	 * so, a newcomer finds it empty. */
	pp_close(&a);
	pp_close(&b);
	ck_assert(h_log_contains(&d, "last connection gone: chat log wiped"));
	struct py_peer c;
	join(&c, port, "carol");
	ck_assert_int_eq(pp_send(&c, "carol", PYCHAT_T_EXPORT, "[export_chat]"), 0);
	ck_assert_int_eq(pp_expect(&c, PYCHAT_T_EXPORT, PYCHAT_SERVER_NAME, ""), 0);
	pp_close(&c);
}
END_TEST

START_TEST(leaving_is_announced_to_the_others)
{
	int port = start("");
	struct py_peer a, b, keyed, bare;
	join(&a, port, "alice");
	join(&b, port, "bob");
	pp_close(&b);
	expect_left(&a, "bob");
	/* A keyed connection that never registered leaves as None (§6.4). */
	ck_assert_int_eq(pp_connect(&keyed, port), 0);
	pp_close(&keyed);
	expect_left(&a, "None");
	/* One that never finished the key exchange is nobody. */
	ck_assert_int_eq(pp_open(&bare, port), 0);
	pp_close(&bare);
	struct h_client raw;
	ck_assert_int_eq(h_connect(&raw, port), 0);
	h_close(&raw);
	join(&b, port, "bob");
	say(&b, "bob", "back");
	expect_chat(&a, "bob", "back");
	pp_close(&a);
	pp_close(&b);
}
END_TEST

/* A registered offender: after `bad` it is closed and alice hears it left. */
static void offender(int port, struct py_peer *a, void (*bad)(struct py_peer *))
{
	struct py_peer m;
	join(&m, port, "mallory");
	bad(&m);
	ck_assert_int_eq(pp_expect_eof(&m), 0);
	pp_close(&m);
	expect_left(a, "mallory");
}

static void bad_header(struct py_peer *m)
{
	ck_assert_int_eq(pp_send_raw(m, "12a       xxxxxxxxxxxx", 22), 0);
}

static void huge_length(struct py_peer *m)
{
	/* Closed without the server waiting for 10 GB. */
	ck_assert_int_eq(pp_send_raw(m, "9999999999", 10), 0);
}

static void not_base64(struct py_peer *m)
{
	ck_assert_int_eq(pp_send_payload(m, "not*base64!!", 12), 0);
}

static void tampered(struct py_peer *m)
{
	struct pychat_envelope env = {
		.shost = "a", .shost_len = 1, .dhost = "b", .dhost_len = 1,
		.username = "mallory", .username_len = 7, .date = "d", .date_len = 1,
		.cont = "hello", .cont_len = 5, .cont_type = PC_JSON_STRING,
		.typ = "default", .typ_len = 7,
	};
	uint8_t *frame;
	size_t len;
	ck_assert_int_eq(pychat_frame_sealed(stub_host(), m->key, m->iv, &env, 0,
		&frame, &len), 0);
	/* Flip a bit of the first Base64 character's value: '{' turns into
	 * something that is no JSON object. */
	frame[PYCHAT_HEADER_LEN] = frame[PYCHAT_HEADER_LEN] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(pp_send_raw(m, frame, len), 0);
	stub_host()->free(frame);
}

static void not_json(struct py_peer *m)
{
	uint8_t text[] = "this is not json";
	uint8_t sealed[sizeof(text)];
	char b64[64];
	ck_assert_int_eq(pychat_cfb8(m->key, m->iv, 1, text, sizeof(text) - 1, sealed), 0);
	pc_b64_encode(sealed, sizeof(text) - 1, b64);
	ck_assert_int_eq(pp_send_payload(m, b64, pc_b64_len(sizeof(text) - 1)), 0);
}

static void second_key(struct py_peer *m)
{
	ck_assert_int_eq(pp_send_key(m, m->dh.pub), 0);
}

static void truncated(struct py_peer *m)
{
	/* A header for 100 bytes, then 5 and the end of the connection. */
	ck_assert_int_eq(pp_send_raw(m, "100       abcde", 15), 0);
	ck_assert_int_eq(shutdown(m->fd, SHUT_WR), 0);
}

START_TEST(malformed_frames_close_and_announce)
{
	int port = start("");
	struct py_peer a;
	join(&a, port, "alice");
	offender(port, &a, bad_header);
	offender(port, &a, huge_length);
	offender(port, &a, not_base64);
	offender(port, &a, tampered);
	offender(port, &a, not_json);
	offender(port, &a, second_key);
	offender(port, &a, truncated);
	/* Still serving. */
	struct py_peer b;
	join(&b, port, "bob");
	say(&b, "bob", "fine");
	expect_chat(&a, "bob", "fine");
	ck_assert(h_log_contains(&d, "frame does not decrypt to an envelope"));
	ck_assert(h_log_contains(&d, "frame length over the limit"));
	pp_close(&a);
	pp_close(&b);
}
END_TEST

/* p - 1 of group 14 as decimal text (free with OPENSSL_free). */
static char *p_minus_1(void)
{
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
	ck_assert_ptr_nonnull(p);
	ck_assert(BN_sub_word(p, 1));
	char *dec = BN_bn2dec(p);
	BN_free(p);
	return dec;
}

START_TEST(bad_key_exchanges_close_without_a_word)
{
	int port = start("handshake_timeout_ms: 500");
	struct py_peer a;
	join(&a, port, "alice");
	char *pm1 = p_minus_1();
	const char *values[] = { "0", "1", pm1, "abc", "-2", "" };
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct py_peer m;
		ck_assert_int_eq(pp_open(&m, port), 0);
		ck_assert_int_eq(pp_send_key(&m, values[i]), 0);
		ck_assert_msg(pp_expect_eof(&m) == 0, "value %zu", i);
		pp_close(&m);
	}
	OPENSSL_free(pm1);
	ck_assert(h_log_contains(&d, "Diffie-Hellman value out of range"));

	/* Something other than key_exc first. */
	struct py_peer m;
	ck_assert_int_eq(pp_open(&m, port), 0);
	ck_assert_int_eq(pp_send_payload(&m, "p15bYOFENsRjXHLC", 16), 0);
	ck_assert_int_eq(pp_expect_eof(&m), 0);
	pp_close(&m);
	/* A slow sender: the handshake timeout ends it. */
	ck_assert_int_eq(pp_open(&m, port), 0);
	ck_assert_int_eq(pp_send_raw(&m, "77", 2), 0);
	ck_assert_int_eq(pp_expect_eof(&m), 0);
	pp_close(&m);
	ck_assert(h_log_contains(&d, "handshake timeout"));

	/* None of them joined: alice heard nothing but bob. */
	struct py_peer b;
	join(&b, port, "bob");
	say(&b, "bob", "only me");
	expect_chat(&a, "bob", "only me");
	pp_close(&a);
	pp_close(&b);
}
END_TEST

static int contains(const char *data, size_t n, const char *marker)
{
	size_t m = strlen(marker);
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(data + i, marker, m) == 0)
			return 1;
	return 0;
}

/* Whether any file under `dir` contains `marker`. */
static int tree_contains(const char *dir, const char *marker)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return 0;
	struct dirent *e;
	int found = 0;
	while (!found && (e = readdir(dp))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[1024];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			found = tree_contains(path, marker);
			continue;
		}
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		char *data = malloc((size_t)st.st_size + 1);
		size_t n = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
		fclose(f);
		if (data) {
			data[n] = '\0';
			found = contains(data, n, marker);
			free(data);
		}
	}
	closedir(dp);
	return found;
}

START_TEST(no_plaintext_reaches_disk_or_logs)
{
	const char *marker = "MARKER-7d1f3c-plaintext";
	int port = start("");
	struct py_peer a, b;
	join(&a, port, "alice");
	join(&b, port, "bob");
	say(&a, "alice", marker);
	expect_chat(&b, "alice", marker);
	ck_assert_int_eq(pp_send(&b, "bob", PYCHAT_T_EXPORT, "x"), 0);
	ck_assert_int_eq(pp_expect(&b, PYCHAT_T_EXPORT, NULL, NULL), 0);
	pp_close(&a);
	pp_close(&b);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	/* The whole temp dir: state directory and the daemon's debug log. */
	ck_assert(h_log_contains(&d, "py"));
	ck_assert(!tree_contains(d.dir, marker));
	ck_assert(!tree_contains(d.dir, "MARKER-7d1f3c"));
}
END_TEST

START_TEST(unpadded_frames_still_arrive_apart)
{
	/* A gap no scheduler hiccup outlasts, so the test reads as slowly as it likes. */
	int port = start("pad: false, write_gap_ms: 400");
	struct py_peer a, b;
	join(&a, port, "alice");
	join(&b, port, "bob");
	/* The vectors' lengths: unpadded, as the original writes. */
	ck_assert_uint_eq(a.iv_frame_n, 189);
	for (int i = 0; i < 5; i++)
		say(&a, "alice", "burst!");
	for (int i = 0; i < 5; i++)
		expect_chat(&b, "alice", "burst!");
	ck_assert_int_eq(b.over_read, 0);
	pp_close(&a);
	pp_close(&b);
}
END_TEST

START_TEST(a_flooding_sender_is_slowed_not_dropped)
{
	int port = start("max_rate: 5, rate_burst: 2");
	struct py_peer a, b;
	join(&a, port, "alice");
	join(&b, port, "bob");
	char text[16];
	for (int i = 0; i < 15; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		say(&a, "alice", text);
	}
	/* Every one of them, in order: the sender waits, nothing is lost. */
	for (int i = 0; i < 15; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		expect_chat(&b, "alice", text);
	}
	ck_assert(h_log_contains(&d, "sends faster than max_rate (5/s): reading it slower"));
	pp_close(&a);
	pp_close(&b);
}
END_TEST

/* --- polychat, the client half, against the server half --- */

static void cli_start(struct h_cli *cli, int port, const char *user)
{
	const char *extra[] = { "--user", user, NULL };
	ck_assert_int_eq(h_cli_start(cli, "pychat", port, d.dir, extra), 0);
}

static void cli_join(struct h_cli *cli, int port, const char *user)
{
	cli_start(cli, port, user);
	ck_assert_int_eq(h_expect(&cli->out, "* [*] You have joined the chat!"), 0);
	ck_assert_int_eq(h_next(&cli->out, "* ready"), 0);
}

START_TEST(three_polychat_clients_chat)
{
	int port = start("");
	struct h_cli a, b, c;
	cli_join(&a, port, "alice");
	/* A taken name, then another. */
	cli_start(&b, port, "alice");
	ck_assert_int_eq(h_expect(&b.out, "! [*] Username already in use!"), 0);
	ck_assert_int_eq(h_expect(&b.out, "* username:"), 0);
	ck_assert_int_eq(h_cli_say(&b, "bob"), 0);
	ck_assert_int_eq(h_expect(&b.out, "* ready"), 0);
	cli_join(&c, port, "carol");

	/* Every pair, both directions; Unicode and quotes intact. */
	const char *unicode = "Gr\xc3\xbc\xc3\x9f" "e \"quoted\" \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac";
	char want[256];
	snprintf(want, sizeof(want), "<alice> %s", unicode);
	ck_assert_int_eq(h_cli_relay(&a, unicode, want, &b, &c, NULL), 0);
	ck_assert_int_eq(h_cli_relay(&b, "from bob", "<bob> from bob", &a, &c, NULL), 0);
	ck_assert_int_eq(h_cli_relay(&c, "from carol", "<carol> from carol", &a, &b, NULL), 0);

	/* help and export answer the one who asked. */
	ck_assert_int_eq(h_cli_say(&a, "[help]"), 0);
	ck_assert_int_eq(h_expect(&a.out, "* [export_chat] : export current chat"), 0);
	ck_assert_int_eq(h_next(&a.out, "* [help] : display possibile commands"), 0);
	char file[400];
	snprintf(file, sizeof(file), "%s/exported.txt", d.dir);
	char cmd[450];
	snprintf(cmd, sizeof(cmd), "/export %s", file);
	ck_assert_int_eq(h_cli_say(&b, cmd), 0);
	char log_text[256], done[600];
	snprintf(log_text, sizeof(log_text), "%s\nfrom bob\nfrom carol\n", unicode);
	snprintf(done, sizeof(done), "* chat log written to %s (%zu bytes)", file, strlen(log_text));
	ck_assert_int_eq(h_expect(&b.out, done), 0);
	FILE *f = fopen(file, "r");
	ck_assert_ptr_nonnull(f);
	char log[512] = { 0 };
	size_t n = fread(log, 1, sizeof(log) - 1, f);
	fclose(f);
	ck_assert_uint_eq(n, strlen(log_text));
	ck_assert_str_eq(log, log_text);

	/* Leaving is announced to those who stay. */
	ck_assert_int_eq(h_cli_quit(&c, "/quit"), 0);
	ck_assert_int_eq(h_expect(&a.out, "* [carol] has left the chat"), 0);
	ck_assert_int_eq(h_expect(&b.out, "* [carol] has left the chat"), 0);
	ck_assert_int_eq(h_cli_quit(&b, "/quit"), 0);
	ck_assert_int_eq(h_expect(&a.out, "* [bob] has left the chat"), 0);
	ck_assert_int_eq(h_cli_quit(&a, "/quit"), 0);
}
END_TEST

static Suite *pychat_suite(void)
{
	Suite *s = suite_create("pychat");
	TCase *tc = h_tcase(s, "original client", &d, 60);
	tcase_add_test(tc, handshake_frames_are_clear_padded_and_fresh);
	tcase_add_test(tc, original_clients_chat_through_the_server);
	tcase_add_test(tc, usernames_are_unique_and_bounded);
	tcase_add_test(tc, only_registered_connections_talk_and_listen);
	tcase_add_test(tc, export_and_help_answer_the_sender);
	tcase_add_test(tc, leaving_is_announced_to_the_others);
	tcase_add_test(tc, unpadded_frames_still_arrive_apart);
	tcase_add_test(tc, three_polychat_clients_chat);
	TCase *bad = h_tcase(s, "bad input", &d, 60);
	tcase_add_test(bad, malformed_frames_close_and_announce);
	tcase_add_test(bad, a_flooding_sender_is_slowed_not_dropped);
	tcase_add_test(bad, bad_key_exchanges_close_without_a_word);
	tcase_add_test(bad, no_plaintext_reaches_disk_or_logs);
	return s;
}

int main(void)
{
	return pc_check_run(pychat_suite());
}
