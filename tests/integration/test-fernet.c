/* SPDX-License-Identifier: MIT */
/* Suite fernet-hybrid end to end: the real polychatd, scripted members sending the original client's bytes. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "harness.h"
#include "plugins/crypto-hybrid-fernet/fernet-shapes.h"
#include "../check-run.h"

#define PEM_ALICE "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6FmbnLObUk9wRFMwSwhS\n-----END PUBLIC KEY-----\n"
#define PUBKEY_ALICE "PUBKEY::alice::" PEM_ALICE
#define PKG_JSON(tag) "{\"encrypted_message\": \"gAAAAB" tag "\", \"encrypted_keys\": {\"alice\": \"l/Bs==\", \"bob\": \"YjXt==\"}}"

/* Every test's own daemon, made and checked by the fixture (h_tcase). */
static struct h_daemon d;

/* A fernet-hybrid listener `room` with these suite options; returns its port. */
static int start(const char *options)
{
	int port = h_start_single(&d, &(struct h_single){
		.name = "room", .suite = "fernet-hybrid", .options = options });
	ck_assert_int_gt(port, 0);
	return port;
}

/* A member's connection. Messages are told apart by their shapes, as our
 * client does, so a busy machine that lets two arrive together does not
 * fail a test; `expect_alone` checks the original's one-read-one-message
 * view where that is the point. */
struct peer {
	struct h_client c;
	char buf[16384];
	size_t len;
};

/* One recv of at most 4096 bytes within the bound: its length, 0 on EOF
 * or reset, -1 on timeout. */
static ssize_t recv_one(struct peer *p, char *buf)
{
	struct pollfd pfd = { .fd = p->c.fd, .events = POLLIN };
	if (poll(&pfd, 1, H_TIMEOUT_MS) <= 0)
		return -1;
	ssize_t n = recv(p->c.fd, buf, 4096, 0);
	if (n < 0 && errno == ECONNRESET)
		return 0;
	return n;
}

/* The next message must be exactly `want`. */
static void expect(struct peer *p, const char *want)
{
	struct fernet_msg m;
	for (;;) {
		int found = fernet_next((const uint8_t *)p->buf, p->len, 1, &m);
		if (found == FERNET_COMPLETE)
			break;
		/* The handshake words have no shape; what follows them can
		 * only start later. */
		if (found == FERNET_UNKNOWN && p->len >= strlen(want)) {
			m.len = memcmp(p->buf, want, strlen(want)) == 0 ? strlen(want) : p->len;
			break;
		}
		ck_assert_uint_lt(p->len, sizeof(p->buf) - 4096);
		ssize_t n = recv_one(p, p->buf + p->len);
		ck_assert_msg(n > 0, "expected '%.60s', got %s", want, n == 0 ? "EOF" : "nothing");
		p->len += (size_t)n;
	}
	ck_assert_msg(m.len == strlen(want) && memcmp(p->buf, want, m.len) == 0,
		"expected '%.80s' (%zu bytes), got '%.*s' (%zu bytes)", want, strlen(want),
		(int)(m.len < 80 ? m.len : 80), p->buf, m.len);
	memmove(p->buf, p->buf + m.len, p->len - m.len);
	p->len -= m.len;
}

/* The next recv alone must return exactly `want`. */
static void expect_alone(struct peer *p, const char *want)
{
	char buf[4097];
	ck_assert_uint_eq(p->len, 0);
	ssize_t n = recv_one(p, buf);
	ck_assert_msg(n == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0,
		"expected '%s' alone, got %zd bytes", want, n);
}

static void send_text(struct peer *p, const char *text)
{
	ck_assert_int_eq(h_send(&p->c, text, strlen(text)), 0);
}

static void open_peer(struct peer *p, int port)
{
	p->len = 0;
	ck_assert_int_eq(h_connect(&p->c, port), 0);
	expect(p, "NICK");
}

static void join(struct peer *p, int port, const char *nick)
{
	open_peer(p, port);
	send_text(p, nick);
	expect(p, "NICKACCEPT");
}

/* The server closes the connection within the bound. */
static void expect_eof(struct peer *p)
{
	char buf[4097];
	ssize_t n;
	while ((n = recv_one(p, buf)) > 0)
		;
	ck_assert_int_eq(n, 0);
}

static void leave(struct peer *p)
{
	h_close(&p->c);
}

START_TEST(nickname_handshake_and_join_notices)
{
	int port = start("");
	struct peer a, b;
	join(&a, port, "alice");
	join(&b, port, "bob");
	expect(&a, "bob joined the chat!");
	/* The newcomer hears nothing about itself: its first message is
	 * what alice sends next. */
	send_text(&a, PUBKEY_ALICE);
	expect(&b, PUBKEY_ALICE);
	leave(&a);
	leave(&b);
}
END_TEST

START_TEST(messages_are_relayed_byte_for_byte_to_the_others)
{
	int port = start("");
	struct peer a, b, c;
	join(&a, port, "alice");
	join(&b, port, "bob");
	expect(&a, "bob joined the chat!");
	join(&c, port, "carol");
	expect(&a, "carol joined the chat!");
	expect(&b, "carol joined the chat!");
	send_text(&a, PKG_JSON("one"));
	expect(&b, PKG_JSON("one"));
	expect(&c, PKG_JSON("one"));
	/* No echo: alice's next message is bob's. */
	send_text(&b, PKG_JSON("two"));
	expect(&a, PKG_JSON("two"));
	expect(&c, PKG_JSON("two"));
	/* Coalesced by the sender's TCP: still two messages, two reads. */
	send_text(&a, PUBKEY_ALICE PKG_JSON("three"));
	expect(&b, PUBKEY_ALICE);
	expect(&b, PKG_JSON("three"));
	/* Split: one message once it is whole. */
	const char *whole = PKG_JSON("four");
	ck_assert_int_eq(h_send(&a.c, whole, 20), 0);
	h_pause_ms(50);
	send_text(&a, whole + 20);
	expect(&b, whole);
	expect(&c, PUBKEY_ALICE);
	expect(&c, PKG_JSON("three"));
	expect(&c, whole);
	/* An announcement whose final LF comes in a read of its own is one
	 * message, not a stray line end that closes the sender. */
	ck_assert_int_eq(h_send(&a.c, PUBKEY_ALICE, strlen(PUBKEY_ALICE) - 1), 0);
	h_pause_ms(50);
	send_text(&a, "\n");
	expect(&b, PUBKEY_ALICE);
	expect(&c, PUBKEY_ALICE);
	leave(&a);
	leave(&b);
	leave(&c);
}
END_TEST

START_TEST(nicknames_are_unique_checked_and_freed)
{
	int port = start("max_nick: 8, max_members: 3");
	struct peer a, m;
	join(&a, port, "alice");
	const char *bad[] = { "alice", "\xff\xfe", "ninechars", "tab\there", "a::b", "{x",
		"x joined the chat!", "y left the chat." };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		open_peer(&m, port);
		send_text(&m, bad[i]);
		expect(&m, "NICKTAKEN");
		expect_eof(&m);
		leave(&m);
	}
	ck_assert(h_log_contains(&d, "nickname refused: nickname not UTF-8"));
	/* The listener still accepts (the original's accept loop died on
	 * the bad UTF-8), and case matters. */
	struct peer b, c;
	join(&b, port, "Alice");
	expect(&a, "Alice joined the chat!");
	join(&c, port, "carol");
	expect(&a, "carol joined the chat!");
	expect(&b, "carol joined the chat!");
	/* The room is full. */
	open_peer(&m, port);
	send_text(&m, "dave");
	expect(&m, "NICKTAKEN");
	expect_eof(&m);
	leave(&m);
	ck_assert(h_log_contains(&d, "the room is full"));
	/* Leaving frees the name at once and is announced. */
	leave(&c);
	expect(&a, "carol left the chat.");
	expect(&b, "carol left the chat.");
	join(&c, port, "carol");
	expect(&a, "carol joined the chat!");
	leave(&a);
	leave(&b);
	leave(&c);
}
END_TEST

START_TEST(what_honest_clients_never_send_is_dropped)
{
	int port = start("");
	struct peer a, b;
	join(&a, port, "alice");
	join(&b, port, "bob");
	expect(&a, "bob joined the chat!");
	/* A key for someone else's nickname, a package that is no JSON,
	 * one with invalid UTF-8: none reaches bob. */
	send_text(&a, "PUBKEY::bob::" PEM_ALICE);
	send_text(&a, "{\"a\": 1,}");
	send_text(&a, "{\"a\": \"\xff\"}");
	send_text(&a, PKG_JSON("after"));
	expect(&b, PKG_JSON("after"));
	ck_assert(h_log_contains(&d, "a key announced for another nickname"));
	ck_assert(h_log_contains(&d, "a package that is not a JSON object"));
	ck_assert(h_log_contains(&d, "not UTF-8"));
	leave(&a);
	leave(&b);
}
END_TEST

START_TEST(unframeable_input_drops_the_connection_not_the_room)
{
	int port = start("max_message: 1024");
	struct peer a, b;
	join(&a, port, "alice");
	join(&b, port, "bob");
	expect(&a, "bob joined the chat!");
	/* Garbage of no known shape. */
	send_text(&b, "hello there");
	expect_eof(&b);
	leave(&b);
	expect(&a, "bob left the chat.");
	/* A package that never closes within max_message. */
	join(&b, port, "bob");
	expect(&a, "bob joined the chat!");
	char big[2048];
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '{';
	big[1] = '"';
	big[sizeof(big) - 1] = '\0';
	send_text(&b, big);
	expect_eof(&b);
	leave(&b);
	expect(&a, "bob left the chat.");
	ck_assert(h_log_contains(&d, "no message boundary within max_message bytes"));
	/* The room goes on. */
	struct peer c;
	join(&c, port, "carol");
	expect(&a, "carol joined the chat!");
	send_text(&c, PKG_JSON("still here"));
	expect(&a, PKG_JSON("still here"));
	leave(&a);
	leave(&c);
}
END_TEST

START_TEST(a_silent_handshake_times_out_and_blocks_nobody)
{
	int port = start("handshake_timeout_ms: 500");
	struct peer silent, a;
	open_peer(&silent, port);
	/* Handshakes run per connection: alice joins meanwhile. */
	join(&a, port, "alice");
	expect_eof(&silent);
	leave(&silent);
	ck_assert(h_log_contains(&d, "handshake timeout"));
	leave(&a);
}
END_TEST

START_TEST(a_flooding_member_is_slowed_not_dropped)
{
	int port = start("max_rate: 10, rate_burst: 2");
	struct peer a, b;
	join(&a, port, "alice");
	join(&b, port, "bob");
	expect(&a, "bob joined the chat!");
	char msg[64];
	for (int i = 0; i < 8; i++) {
		snprintf(msg, sizeof(msg), "{\"n\": %d}", i);
		send_text(&a, msg);
	}
	for (int i = 0; i < 8; i++) {
		snprintf(msg, sizeof(msg), "{\"n\": %d}", i);
		expect(&b, msg);
	}
	ck_assert(h_log_contains(&d, "sends faster than max_rate (10/s): reading it slower"));
	leave(&a);
	leave(&b);
}
END_TEST

START_TEST(messages_reach_a_member_apart)
{
	/* A gap no scheduler hiccup outlasts: each read is one message, as
	 * the original client needs. */
	int port = start("write_gap_ms: 400");
	struct peer a, b;
	join(&a, port, "alice");
	join(&b, port, "bob");
	expect(&a, "bob joined the chat!");
	send_text(&a, PUBKEY_ALICE PKG_JSON("one") PKG_JSON("two"));
	expect_alone(&b, PUBKEY_ALICE);
	expect_alone(&b, PKG_JSON("one"));
	expect_alone(&b, PKG_JSON("two"));
	leave(&a);
	leave(&b);
}
END_TEST

/* --- polychat, the client half, against the server half --- */

static void cli_join(struct h_cli *cli, int port, const char *user)
{
	char joined[128];
	const char *extra[] = { "--user", user, NULL };
	/* Each its own key files, as three people would have. */
	char dir[400];
	snprintf(dir, sizeof(dir), "%s/%s", d.dir, user);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(h_cli_start(cli, "fernet-hybrid", port, dir, extra), 0);
	snprintf(joined, sizeof(joined), "* joined the chat as %s; type 'exit' to leave", user);
	ck_assert_int_eq(h_expect(&cli->out, joined), 0);
}

static void expect_key(struct h_cli *cli, const char *nick)
{
	char line[200];
	snprintf(line, sizeof(line), "* key of %s received: %s can read your messages from now on",
		nick, nick);
	ck_assert_int_eq(h_expect(&cli->out, line), 0);
}

/* Both keys, in whichever order the two members answered the join. */
static void expect_keys(struct h_cli *cli, const char *one, const char *two)
{
	char want[2][200], line[4096];
	int seen[2] = { 0, 0 };
	const char *nick[2] = { one, two };
	for (int i = 0; i < 2; i++)
		snprintf(want[i], sizeof(want[i]),
			"* key of %s received: %s can read your messages from now on", nick[i], nick[i]);
	while (!(seen[0] && seen[1])) {
		ck_assert_int_eq(h_line(&cli->out, line, sizeof(line), H_TIMEOUT_MS), 0);
		for (int i = 0; i < 2; i++)
			seen[i] |= strcmp(line, want[i]) == 0;
	}
}

START_TEST(three_polychat_clients_chat)
{
	int port = start("");
	struct h_cli a, b, c;
	cli_join(&a, port, "alice");
	cli_join(&b, port, "bob");
	/* bob announces his key; alice answers his join notice with hers. */
	expect_key(&a, "bob");
	expect_key(&b, "alice");
	cli_join(&c, port, "carol");
	expect_key(&a, "carol");
	expect_key(&b, "carol");
	expect_keys(&c, "alice", "bob");

	const char *unicode = "Gr\xc3\xbc\xc3\x9f" "e \"quoted\" \xe2\x9c\x93 \xf0\x9f\x98\x80";
	char want[256];
	snprintf(want, sizeof(want), "<*> alice: %s", unicode);
	ck_assert_int_eq(h_cli_relay(&a, unicode, want, &b, &c, NULL), 0);
	ck_assert_int_eq(h_cli_relay(&b, "from bob", "<*> bob: from bob", &a, &c, NULL), 0);
	ck_assert_int_eq(h_cli_relay(&c, "from carol", "<*> carol: from carol", &a, &b, NULL), 0);

	/* A nickname in use: told, and the client ends. */
	struct h_cli dup;
	char dir[400];
	snprintf(dir, sizeof(dir), "%s/dup", d.dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	const char *extra[] = { "--user", "alice", NULL };
	ck_assert_int_eq(h_cli_start(&dup, "fernet-hybrid", port, dir, extra), 0);
	ck_assert_int_eq(h_expect(&dup.out, "! the nickname alice is taken (or not allowed by the"
		" server): connect again with another one (--user NAME)"), 0);
	ck_assert_int_ne(h_cli_wait(&dup), 0);
	h_cli_close(&dup);

	/* Leaving is announced; 'exit' sends nothing and closes. */
	ck_assert_int_eq(h_cli_quit(&c, "exit"), 0);
	ck_assert_int_eq(h_expect(&a.out, "* carol left the chat."), 0);
	ck_assert_int_eq(h_expect(&b.out, "* carol left the chat."), 0);
	ck_assert_int_eq(h_cli_quit(&b, "/quit"), 0);
	ck_assert_int_eq(h_expect(&a.out, "* bob left the chat."), 0);
	ck_assert_int_eq(h_cli_quit(&a, "exit"), 0);
}
END_TEST

static Suite *fernet_suite(void)
{
	Suite *s = suite_create("fernet-hybrid");
	TCase *tc = h_tcase(s, "original client", &d, 60);
	tcase_add_test(tc, nickname_handshake_and_join_notices);
	tcase_add_test(tc, messages_reach_a_member_apart);
	tcase_add_test(tc, messages_are_relayed_byte_for_byte_to_the_others);
	tcase_add_test(tc, nicknames_are_unique_checked_and_freed);
	tcase_add_test(tc, three_polychat_clients_chat);
	TCase *bad = h_tcase(s, "bad input", &d, 60);
	tcase_add_test(bad, what_honest_clients_never_send_is_dropped);
	tcase_add_test(bad, unframeable_input_drops_the_connection_not_the_room);
	tcase_add_test(bad, a_silent_handshake_times_out_and_blocks_nobody);
	tcase_add_test(bad, a_flooding_member_is_slowed_not_dropped);
	return s;
}

int main(void)
{
	return pc_check_run(fernet_suite());
}
