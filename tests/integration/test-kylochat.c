/* SPDX-License-Identifier: MIT */
/* Suite kylochat end to end: the real polychatd, bcrypt and SQLite, scripted original-client bytes. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>

#include "kylo-peer.h"
#include "../check-run.h"

/* Every test's own daemon, made and checked by the fixture (h_tcase). */
static struct h_daemon d;

/* A kylochat listener `kylo` with these extra suite options, its accounts
 * hashed by bcrypt (cost 4, to be quick) into an sqlite store. */
static void write_config(const char *options)
{
	h_write_single(&d, &(struct h_single){
		.top = "stores:\n"
			"  main: {backend: sqlite, options: {path: test.db}}\n",
		.name = "kylo", .suite = "kylochat",
		.keys = "    auth: bcrypt\n"
			"    auth_options: {cost: 4}\n"
			"    store: main\n",
		.options = options });
}

/* polychatctl for the listener's accounts; returns its exit status. */
static int ctl(const char *const *args, char *out, size_t len)
{
	return h_ctl(&d, "kylo", args, out, len);
}

/* An account whose password stays in pw-NAME for the clients. */
static void add_user(const char *name, const char *password, int admin)
{
	char out[4096];
	int rc = h_add_user(&d, "kylo", name, password, admin, out, sizeof(out));
	ck_assert_msg(rc == 0, "user add %s: %s", name, out);
}

/* The standard cast, then the daemon. */
static int start(const char *options)
{
	write_config(options);
	add_user("alice", "alice-pw", 0);
	add_user("bob", "bob-pw", 0);
	add_user("root", "root-pw", 1);
	add_user("carol", "carol-pw", 0);
	char out[4096];
	const char *ban[] = { "user", "ban", "carol", "on", NULL };
	ck_assert_int_eq(ctl(ban, out, sizeof(out)), 0);
	int port = h_daemon_start_one(&d, "kylo");
	ck_assert_int_gt(port, 0);
	return port;
}

static const char *exit_notice(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "\x1b[31m%s disconnected", name);
	return buf;
}

START_TEST(chat_both_ways_without_echo)
{
	int port = start("");
	struct kylo_peer a, b;
	ck_assert_int_eq(kp_pair(port, &a, &b), 0);
	ck_assert_uint_eq(strlen(a.token), 36);
	ck_assert_str_ne(a.token, b.token);

	static const char hi[] = "Grüße, Bob! ✓ 日本語 🎉";
	ck_assert_int_eq(kp_say(&a, hi), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", hi), 0);

	ck_assert_int_eq(kp_say(&b, "hello alice"), 0);
	ck_assert_int_eq(kp_expect_status(&b, 200), 0);
	/* a's next unit is bob's line: her own was not echoed. */
	ck_assert_int_eq(kp_expect_message(&a, "bob", "hello alice"), 0);

	/* Bodies are relayed as raw bytes, invalid UTF-8 included. */
	static const uint8_t raw[] = { 'x', 0xff, 0xfe, 'y' };
	ck_assert_int_eq(kp_say_raw(&a, raw, sizeof(raw)), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	struct kylo_unit u;
	ck_assert_int_eq(kp_unit(&b, &u), 0);
	ck_assert_uint_eq(u.body_len, sizeof(raw));
	ck_assert_mem_eq(u.body, raw, sizeof(raw));
	kp_close(&a);
	kp_close(&b);
}
END_TEST

START_TEST(logins_and_message_sizes_are_audited)
{
	int port = start("");
	struct kylo_peer a, b;
	ck_assert_int_eq(kp_pair(port, &a, &b), 0);
	ck_assert_int_eq(kp_say(&a, "twelve bytes"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", "twelve bytes"), 0);
	char out[4096];
	const char *args[] = { "audit", "list", "alice", NULL };
	ck_assert_int_eq(ctl(args, out, sizeof(out)), 0);
	/* Newest first: the message's size, then the login's address. */
	char *msg = strstr(out, "\talice\tmessage\t127.0.0.1\t12\n");
	char *login = strstr(out, "\talice\tlogin\t127.0.0.1\t0\n");
	ck_assert_msg(msg && login && msg < login, "%s", out);
	/* Sizes, never the text. */
	ck_assert_ptr_null(strstr(out, "twelve"));
	kp_close(&a);
	kp_close(&b);
}
END_TEST

START_TEST(message_sizes_can_be_left_out)
{
	int port = start("audit_messages: false");
	struct kylo_peer a, b;
	ck_assert_int_eq(kp_pair(port, &a, &b), 0);
	ck_assert_int_eq(kp_say(&a, "unrecorded"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", "unrecorded"), 0);
	char out[4096];
	const char *args[] = { "audit", "list", "alice", NULL };
	ck_assert_int_eq(ctl(args, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "\tlogin\t") && !strstr(out, "\tmessage\t"), "%s", out);
	kp_close(&a);
	kp_close(&b);
}
END_TEST

START_TEST(folded_name_is_the_session_name)
{
	int port = start("");
	struct kylo_peer a, b;
	char text[256];
	ck_assert_int_eq(kp_join(&b, port, "bob", "bob-pw"), 0);
	/* The store folds case as MariaDB's collation does. */
	ck_assert_int_eq(kp_join(&a, port, "ALICE", "alice-pw"), 0);
	ck_assert_int_eq(kp_expect_message(&b, "SERVER", kp_login_notice("ALICE", text, sizeof(text))), 0);
	/* Messages carry the account's spelling. */
	ck_assert_int_eq(kp_say(&a, "hi"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", "hi"), 0);
	kp_close(&a);
	kp_close(&b);
}
END_TEST

START_TEST(payload_limit_is_500_bytes)
{
	int port = start("");
	struct kylo_peer a, b;
	ck_assert_int_eq(kp_pair(port, &a, &b), 0);
	char body[600];
	memset(body, 'x', sizeof(body));
	body[464] = '\0'; /* 36 + 464 = 500 */
	ck_assert_int_eq(kp_say(&a, body), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", body), 0);
	body[464] = 'x';
	body[465] = '\0'; /* 501 */
	ck_assert_int_eq(kp_say(&a, body), 0);
	ck_assert_int_eq(kp_expect_status(&a, 400), 0);
	/* Shorter than a token. */
	ck_assert_int_eq(kp_send(&a, KYLO_INT, "short", 5), 0);
	ck_assert_int_eq(kp_expect_status(&a, 400), 0);
	/* The session goes on; bob got nothing from the refused ones. */
	ck_assert_int_eq(kp_say(&a, "after"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", "after"), 0);
	kp_close(&a);
	kp_close(&b);
}
END_TEST

START_TEST(exit_tells_the_others)
{
	int port = start("");
	struct kylo_peer a, b;
	char text[256];
	ck_assert_int_eq(kp_pair(port, &a, &b), 0);
	ck_assert_int_eq(kp_say(&b, "/exit"), 0);
	/* No status for /exit: the connection just ends. */
	ck_assert_int_eq(h_expect_eof(&b.c), 0);
	ck_assert_int_eq(kp_expect_message(&a, "SERVER", exit_notice("bob", text, sizeof(text))), 0);
	kp_close(&a);
	kp_close(&b);
}
END_TEST

START_TEST(failed_logins_then_close)
{
	int port = start("");
	struct kylo_peer p;
	ck_assert_int_eq(kp_connect(&p, port), 0);
	ck_assert_int_eq(kp_login(&p, "nobody", "x"), 1);      /* unknown: refused at the name */
	ck_assert_int_eq(kp_login(&p, "carol", "carol-pw"), 1); /* banned: the same */
	ck_assert_int_eq(kp_login(&p, "alice", "wrong"), 2);   /* wrong password */
	/* A bad frame at the name step is an attempt too: the 4th. */
	static const uint8_t junk[64 + 2] = { 64, 0 };
	ck_assert_int_eq(h_send(&p.c, junk, sizeof(junk)), 0);
	uint8_t b;
	ck_assert_int_eq(kp_byte(&p, &b), 0);
	ck_assert_uint_eq(b, KYLO_LOGIN_FAILED);
	ck_assert_int_eq(h_expect_eof(&p.c), 0);
	kp_close(&p);

	/* Three failures leave the fourth attempt. */
	ck_assert_int_eq(kp_connect(&p, port), 0);
	ck_assert_int_eq(kp_login(&p, "alice", "a"), 2);
	ck_assert_int_eq(kp_login(&p, "alice", "b"), 2);
	ck_assert_int_eq(kp_login(&p, "alice", "c"), 2);
	ck_assert_int_eq(kp_login(&p, "alice", "alice-pw"), 0);
	kp_close(&p);
}
END_TEST

START_TEST(hidden_unknown_users_fail_at_the_password)
{
	int port = start("hide_unknown_users: true, login_attempts: 2");
	struct kylo_peer p;
	ck_assert_int_eq(kp_connect(&p, port), 0);
	ck_assert_int_eq(kp_login(&p, "nobody", "x"), 2);
	ck_assert_int_eq(kp_login(&p, "carol", "carol-pw"), 2);
	ck_assert_int_eq(h_expect_eof(&p.c), 0);
	kp_close(&p);
}
END_TEST

START_TEST(duplicate_login_is_refused)
{
	int port = start("");
	struct kylo_peer a, a2;
	ck_assert_int_eq(kp_join(&a, port, "alice", "alice-pw"), 0);
	ck_assert_int_eq(kp_connect(&a2, port), 0);
	/* The token comes first, then the bare refusal frames. */
	ck_assert_int_eq(kp_login(&a2, "alice", "alice-pw"), 0);
	uint8_t buf[256];
	size_t n;
	ck_assert_int_eq(kp_frame(&a2, KYLO_SHORT, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_mem_eq(buf, "SERVER", 6);
	ck_assert_int_eq(kp_frame(&a2, KYLO_INT, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, 26);
	ck_assert_mem_eq(buf, "Username already connected", 26);
	ck_assert_int_eq(h_expect_eof(&a2.c), 0);
	/* The first session is untouched, and the refused token stays valid. */
	ck_assert_int_eq(kp_say(&a, "still here"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	memcpy(a.token, a2.token, sizeof(a.token));
	ck_assert_int_eq(kp_say(&a, "other token"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	kp_close(&a);
	kp_close(&a2);
}
END_TEST

/* An admin command's reply, after its STATUS 100. */
static void command(struct kylo_peer *admin, const char *line, const char *want)
{
	ck_assert_int_eq(kp_say(admin, line), 0);
	ck_assert_int_eq(kp_expect_status(admin, 100), 0);
	ck_assert_int_eq(kp_expect_message(admin, "SERVER", want), 0);
}

START_TEST(revoked_removed_banned_tokens)
{
	int port = start("");
	struct kylo_peer a, r;
	ck_assert_int_eq(kp_join(&a, port, "alice", "alice-pw"), 0);
	ck_assert_int_eq(kp_join(&r, port, "root", "root-pw"), 0);
	char line[128], text[256];
	ck_assert_int_eq(kp_expect_message(&a, "SERVER", kp_login_notice("root", text, sizeof(text))), 0);

	snprintf(line, sizeof(line), "/rvktk %s", a.token);
	command(&r, line, "Token revoked");
	ck_assert_int_eq(kp_say(&a, "x"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 401), 0);
	snprintf(line, sizeof(line), "/rmtk %s", a.token);
	command(&r, line, "Token permanently removed");
	ck_assert_int_eq(kp_say(&a, "x"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 403), 0);
	command(&r, line, "Token not found");

	/* A fresh login, then a ban: the owner's tokens stop working. */
	struct kylo_peer b;
	ck_assert_int_eq(kp_join(&b, port, "bob", "bob-pw"), 0);
	ck_assert_int_eq(kp_expect_message(&r, "SERVER", kp_login_notice("bob", text, sizeof(text))), 0);
	char out[4096];
	const char *ban[] = { "user", "ban", "bob", "on", NULL };
	ck_assert_int_eq(ctl(ban, out, sizeof(out)), 0);
	ck_assert_int_eq(kp_say(&b, "x"), 0);
	ck_assert_int_eq(kp_expect_status(&b, 403), 0);
	/* 401/403 leave the connection open. */
	const char *unban[] = { "user", "ban", "bob", "off", NULL };
	ck_assert_int_eq(ctl(unban, out, sizeof(out)), 0);
	ck_assert_int_eq(kp_say(&b, "back"), 0);
	ck_assert_int_eq(kp_expect_status(&b, 200), 0);
	kp_close(&a);
	kp_close(&b);
	kp_close(&r);
}
END_TEST

START_TEST(expired_token_gives_401)
{
	int port = start("token_ttl: 1");
	struct kylo_peer a;
	ck_assert_int_eq(kp_join(&a, port, "alice", "alice-pw"), 0);
	/* The token's expiry is a wall-clock second after the login. */
	h_pause_ms(2200);
	ck_assert_int_eq(kp_say(&a, "late"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 401), 0);
	kp_close(&a);
}
END_TEST

START_TEST(tampered_frames_are_dropped)
{
	int port = start("");
	struct kylo_peer a, b;
	ck_assert_int_eq(kp_pair(port, &a, &b), 0);
	uint8_t plain[128], frame[256];
	memcpy(plain, a.token, 36);
	memcpy(plain + 36, "tampered", 8);

	/* A flipped tag bit: nothing comes back... */
	size_t n = kp_seal(&a, KYLO_INT, plain, 44, frame, sizeof(frame));
	frame[n - 1] ^= 1;
	ck_assert_int_eq(h_send(&a.c, frame, n), 0);
	/* ...so the next unit answers the next, good frame. */
	ck_assert_int_eq(kp_say(&a, "good"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", "good"), 0);

	/* The IV is not authenticated: flipping it garbles the token. */
	n = kp_seal(&a, KYLO_INT, plain, 44, frame, sizeof(frame));
	frame[KYLO_INT] ^= 0x01;
	ck_assert_int_eq(h_send(&a.c, frame, n), 0);
	ck_assert_int_eq(kp_expect_status(&a, 403), 0);

	/* A replayed frame is accepted again (§9: the wire has no defence). */
	n = kp_seal(&a, KYLO_INT, plain, 44, frame, sizeof(frame));
	ck_assert_int_eq(h_send(&a.c, frame, n), 0);
	ck_assert_int_eq(h_send(&a.c, frame, n), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", "tampered"), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", "tampered"), 0);
	kp_close(&a);
	kp_close(&b);
}
END_TEST

START_TEST(four_bad_frames_end_the_session)
{
	int port = start("");
	struct kylo_peer a, b;
	char text[256];
	ck_assert_int_eq(kp_pair(port, &a, &b), 0);
	ck_assert_int_eq(kp_say(&a, "a token is parsed"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&b, "alice", "a token is parsed"), 0);

	uint8_t frame[256];
	size_t n = kp_seal(&a, KYLO_INT, "0123456789012345678901234567890123456789", 40,
		frame, sizeof(frame));
	frame[n - 5] ^= 0x80;
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(h_send(&a.c, frame, n), 0);
	/* An undersize LEN (16: no room for IV, block and tag) is the 4th. */
	static const uint8_t tiny[4 + 16] = { 16, 0, 0, 0 };
	ck_assert_int_eq(h_send(&a.c, tiny, sizeof(tiny)), 0);
	ck_assert_int_eq(h_expect_eof(&a.c), 0);
	ck_assert_int_eq(kp_expect_message(&b, "SERVER", exit_notice("alice", text, sizeof(text))), 0);
	kp_close(&a);
	kp_close(&b);
}
END_TEST

START_TEST(oversize_frames)
{
	int port = start("");
	struct kylo_peer a, b;
	ck_assert_int_eq(kp_pair(port, &a, &b), 0);
	/* Modest oversize is read and refused with 400, as the original does. */
	char body[1000];
	memset(body, 'y', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	ck_assert_int_eq(kp_say(&a, body), 0);
	ck_assert_int_eq(kp_expect_status(&a, 400), 0);
	/* An absurd LEN closes at once: the server does not wait for 1 GiB. */
	static const uint8_t huge[4] = { 0, 0, 0, 0x40 };
	ck_assert_int_eq(h_send(&a.c, huge, sizeof(huge)), 0);
	ck_assert_int_eq(h_expect_eof(&a.c), 0);
	/* The same for a login frame over its cap. */
	struct kylo_peer p;
	ck_assert_int_eq(kp_connect(&p, port), 0);
	static const uint8_t big_login[2] = { 0xf0, 0xff };
	ck_assert_int_eq(h_send(&p.c, big_login, sizeof(big_login)), 0);
	ck_assert_int_eq(h_expect_eof(&p.c), 0);
	/* Others are unaffected. */
	ck_assert_int_eq(kp_say(&b, "fine"), 0);
	ck_assert_int_eq(kp_expect_status(&b, 200), 0);
	kp_close(&a);
	kp_close(&b);
	kp_close(&p);
}
END_TEST

START_TEST(bad_handshakes_close_silently)
{
	int port = start("handshake_timeout_ms: 1000");
	struct kylo_peer p;
	uint8_t blocks[320];

	/* Garbage key blocks: closed without a byte. */
	ck_assert_int_eq(kp_connect(&p, port), 0); /* a good handshake first... */
	kp_close(&p);
	ck_assert_int_eq(h_connect(&p.c, port), 0);
	uint8_t hello[KYLO_HELLO_LEN];
	ck_assert_int_eq(h_read(&p.c, hello, sizeof(hello), H_TIMEOUT_MS), 0);
	ck_assert_uint_eq(hello[0], 0xc3);
	ck_assert_uint_eq(hello[1], 0x01);
	memset(blocks, 0x5a, sizeof(blocks));
	ck_assert_int_eq(h_send(&p.c, blocks, sizeof(blocks)), 0);
	ck_assert_int_eq(h_expect_eof(&p.c), 0);
	ck_assert_uint_eq(p.c.len, 0);
	h_close(&p.c);

	/* Truncated key blocks, then silence: the handshake timeout. */
	ck_assert_int_eq(h_connect(&p.c, port), 0);
	ck_assert_int_eq(h_read(&p.c, hello, sizeof(hello), H_TIMEOUT_MS), 0);
	ck_assert_int_eq(h_send(&p.c, blocks, 100), 0);
	ck_assert_int_eq(h_expect_eof(&p.c), 0);
	ck_assert_uint_eq(p.c.len, 0);
	h_close(&p.c);
	ck_assert(h_log_contains(&d, "handshake timeout"));

	/* The listener still serves. */
	ck_assert_int_eq(kp_join(&p, port, "alice", "alice-pw"), 0);
	kp_close(&p);
}
END_TEST

static const char help_text[] =
	"\n"
	"/help           Display this message\n"
	"/user_id        print user id : /user_id <username : str>\n"
	"/ban            Ban a user : /ban <usr_id : int>\n"
	"/unban          Unban a user : /unban <usr_id : int>\n"
	"/isAdmin        Check if a user is admin : /isAdmin <usr_id : int>\n"
	"/isBanned       Check if a user is banned : /isBanned <usr_id : int>\n"
	"/usrpw          Change a password for a user : /usrpw <usr_id : int> <new_pwd : str>\n"
	"/lsip           List all the connected ip's : /lsusr\n"
	"/mkusr          Create a user on the database : /mkusr <username : str> <password : str> <email : str> <isadmin : bool>\n"
	"/rvktk          Revoke a token:  /rvktk <token : str>\n"
	"/rmtk           Remove permanently the token : /rmtk <token : str>\n"
	"/showtk         Show the tokens in the database : /showtk <limit : int>\n";

START_TEST(admin_commands)
{
	int port = start("");
	struct kylo_peer a, r;
	char line[256], text[256];
	ck_assert_uint_eq(strlen(help_text), 785);
	ck_assert_int_eq(kp_join(&a, port, "alice", "alice-pw"), 0);
	ck_assert_int_eq(kp_join(&r, port, "root", "root-pw"), 0);
	ck_assert_int_eq(kp_expect_message(&a, "SERVER", kp_login_notice("root", text, sizeof(text))), 0);

	/* Not an admin: every command is refused, after a 100. */
	ck_assert_int_eq(kp_say(&a, "/help"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 100), 0);
	ck_assert_int_eq(kp_expect_message(&a, "SERVER",
		"ACCESS DENIED: Admin privileges required"), 0);
	/* Unknown /words are chat, and commands are not broadcast. */
	ck_assert_int_eq(kp_say(&a, "/foo bar"), 0);
	ck_assert_int_eq(kp_expect_status(&a, 200), 0);
	ck_assert_int_eq(kp_expect_message(&r, "alice", "/foo bar"), 0);

	command(&r, "/help", help_text);
	command(&r, "/ban", help_text);               /* wrong argument count */
	command(&r, "/user_id nobody", "UserID: -1");
	ck_assert_int_eq(kp_say(&r, "/user_id ALICE"), 0);
	ck_assert_int_eq(kp_expect_status(&r, 100), 0);
	struct kylo_unit u;
	ck_assert_int_eq(kp_unit(&r, &u), 0);
	u.body[u.body_len] = '\0';
	unsigned id;
	ck_assert_int_eq(sscanf((char *)u.body, "UserID: %u", &id), 1);

	snprintf(line, sizeof(line), "/isAdmin %u", id);
	command(&r, line, "False");
	command(&r, "/isAdmin x", "Invalid UserID");
	snprintf(line, sizeof(line), "/ban 00%u", id);
	command(&r, line, "User Banned");
	snprintf(text, sizeof(text), "Error banning %u", id);
	command(&r, line, text);
	snprintf(line, sizeof(line), "/isBanned %u", id);
	command(&r, line, "True");
	snprintf(line, sizeof(line), "/unban %u", id);
	command(&r, line, "User Unbanned");
	snprintf(text, sizeof(text), "Error unbanning %u", id);
	command(&r, line, text);
	command(&r, "/ban 999999", "Error banning 999999");

	snprintf(line, sizeof(line), "/usrpw %u n3w-pw", id);
	command(&r, line, "Password Changed");
	command(&r, "/usrpw 999999 x", "Error changing password for 999999");
	struct kylo_peer a2;
	ck_assert_int_eq(kp_connect(&a2, port), 0);
	ck_assert_int_eq(kp_login(&a2, "alice", "alice-pw"), 2);
	kp_close(&a2);

	command(&r, "/lsip", "('127.0.0.1',)");
	command(&r, "/mkusr dave pw dave@x.org false", "User created successfully");
	command(&r, "/mkusr DAVE pw dave@x.org false",
		"Error creating: (DAVE, **, dave@x.org, Admin=False)");
	command(&r, "/mkusr erin pw none true", "Missing parameters");
	command(&r, "/mkusr erin pw none ", "User created successfully");
	command(&r, "/mkusr SERVER pw a@b TRUE", "Error creating: (SERVER, **, a@b, Admin=True)");
	ck_assert_int_eq(kp_join(&a2, port, "dave", "pw"), 0);
	ck_assert_int_eq(kp_expect_message(&r, "SERVER", kp_login_notice("dave", text, sizeof(text))), 0);
	ck_assert_int_eq(kp_expect_message(&a, "SERVER", kp_login_notice("dave", text, sizeof(text))), 0);
	kp_close(&a2);

	command(&r, "/showtk 0", "Invalid limit");
	command(&r, "/showtk x", "Invalid limit");
	ck_assert_int_eq(kp_say(&r, "/showtk 1"), 0);
	ck_assert_int_eq(kp_expect_status(&r, 100), 0);
	ck_assert_int_eq(kp_unit(&r, &u), 0);
	u.body[u.body_len] = '\0';
	ck_assert_msg(strncmp((char *)u.body, "\nToken: ", 8) == 0, "%s", u.body);
	ck_assert_ptr_null(strstr((char *)u.body, "\n\n"));  /* one row */
	command(&r, "/rvktk 00000000-0000-4000-8000-000000000000", "Token not found");
	kp_close(&a);
	kp_close(&r);
}
END_TEST

START_TEST(shutdown_says_goodbye)
{
	int port = start("");
	struct kylo_peer a;
	ck_assert_int_eq(kp_join(&a, port, "alice", "alice-pw"), 0);
	h_daemon_signal(&d, SIGTERM);
	ck_assert_int_eq(kp_expect_message(&a, "SERVER", "Server is shutting down. Goodbye!"), 0);
	ck_assert_int_eq(h_expect_eof(&a.c), 0);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	kp_close(&a);
}
END_TEST

/* The ServerHello a new connection gets. */
static void hello_of(int port, uint8_t hello[KYLO_HELLO_LEN])
{
	struct h_client c;
	ck_assert_int_eq(h_connect(&c, port), 0);
	ck_assert_int_eq(h_read(&c, hello, KYLO_HELLO_LEN, H_TIMEOUT_MS), 0);
	h_close(&c);
}

START_TEST(key_modes)
{
	uint8_t h1[KYLO_HELLO_LEN], h2[KYLO_HELLO_LEN];
	/* fresh: no two connections see the same key */
	int port = start("key_mode: fresh, key_pool: 2");
	hello_of(port, h1);
	hello_of(port, h2);
	ck_assert_mem_ne(h1, h2, sizeof(h1));
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	h_daemon_cleanup(&d);

	/* file: one key, kept across restarts in a 0600 file */
	h_daemon_init(&d);
	port = start("key_mode: file, key_file: server-key.pem");
	hello_of(port, h1);
	hello_of(port, h2);
	ck_assert_mem_eq(h1, h2, sizeof(h1));
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	char path[400];
	snprintf(path, sizeof(path), "%s/server-key.pem", d.dir);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	port = h_daemon_start_one(&d, "kylo");
	ck_assert_int_gt(port, 0);
	hello_of(port, h2);
	ck_assert_mem_eq(h1, h2, sizeof(h1));
	/* and a login works with it */
	struct kylo_peer a;
	ck_assert_int_eq(kp_join(&a, port, "alice", "alice-pw"), 0);
	kp_close(&a);
}
END_TEST

START_TEST(rotated_keys_change)
{
	uint8_t h1[KYLO_HELLO_LEN], h2[KYLO_HELLO_LEN];
	int port = start("key_mode: rotate, key_rotate_s: 1");
	hello_of(port, h1);
	/* A new key within a few rotation periods; bounded by the harness's
	 * wait, not timed. */
	int changed = 0;
	for (int i = 0; i < H_TIMEOUT_MS / 100 && !changed; i++) {
		h_pause_ms(100);
		hello_of(port, h2);
		changed = memcmp(h1, h2, sizeof(h1)) != 0;
	}
	ck_assert(changed);
	/* Connections on the new key log in. */
	struct kylo_peer a;
	ck_assert_int_eq(kp_join(&a, port, "alice", "alice-pw"), 0);
	kp_close(&a);
}
END_TEST

/* A burst of connections right after start-up waits for the listener's
 * first rotating key instead of each making a key of its own. */
START_TEST(first_key_is_shared_by_a_burst)
{
	enum { BURST = 8 };
	int port = start("key_mode: rotate, key_rotate_s: 600");
	struct h_client c[BURST];
	uint8_t first[KYLO_HELLO_LEN], hello[KYLO_HELLO_LEN];
	/* All connected before any hello is read: most arrive while the
	 * first key is still being made. */
	for (int i = 0; i < BURST; i++)
		ck_assert_int_eq(h_connect(&c[i], port), 0);
	for (int i = 0; i < BURST; i++) {
		ck_assert_int_eq(h_read(&c[i], i ? hello : first, KYLO_HELLO_LEN, H_TIMEOUT_MS), 0);
		if (i)
			ck_assert_mem_eq(hello, first, KYLO_HELLO_LEN);
		h_close(&c[i]);
	}
}
END_TEST

START_TEST(login_step_times_out)
{
	int port = start("login_timeout_ms: 300");
	struct kylo_peer p;
	ck_assert_int_eq(kp_connect(&p, port), 0);
	/* Handshake done, no username: closed without a byte. */
	ck_assert_int_eq(h_expect_eof(&p.c), 0);
	ck_assert_uint_eq(p.c.len, 0);
	ck_assert(h_log_contains(&d, "login timeout"));
	kp_close(&p);
}
END_TEST

START_TEST(bad_options_are_refused)
{
	write_config("key_mode: sometimes, max_payload: 1000, max_frame: 512");
	char out[4096];
	const char *args[] = { "-t", "-c", d.config, "-p", h_plugin_path(), NULL };
	ck_assert_int_eq(h_run_polychatd(args, out, sizeof(out)) != 0, 1);
	ck_assert_msg(strstr(out, "key_mode") && strstr(out, "max_frame"), "%s", out);
}
END_TEST

START_TEST(shipped_config_is_valid)
{
	/* examples/polychatd.yaml enables the kylochat, e2ee-chat, fernet-hybrid
	 * and pychat listeners. */
	char path[4096], out[4096];
	const char *src = getenv("POLYCHAT_SRCDIR");
	snprintf(path, sizeof(path), "%s/examples/polychatd.yaml", src ? src : ".");
	const char *args[] = { "-t", "-c", path, "-p", h_plugin_path(), NULL };
	ck_assert_int_eq(h_run_polychatd(args, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "configuration OK (4 listeners"), "%s", out);
}
END_TEST

/* --- polychat, the client half, against the server half --- */

/* polychat logged in as `user`; waits for "* ready". */
static void cli_join(struct h_cli *cli, int port, const char *user)
{
	char file[400];
	snprintf(file, sizeof(file), "%s/pw-%s", d.dir, user);
	const char *extra[] = { "--user", user, "--password-file", file, NULL };
	ck_assert_int_eq(h_cli_start(cli, "kylochat", port, d.dir, extra), 0);
	ck_assert_int_eq(h_expect(&cli->out, "* ready"), 0);
}

START_TEST(two_polychat_clients_chat)
{
	int port = start("");
	struct h_cli a, b;
	cli_join(&a, port, "alice");
	cli_join(&b, port, "bob");
	/* Notices are shown as the original shows them, escapes visible. */
	ck_assert_int_eq(h_expect(&a.out,
		"<SERVER> \\x1b[32mbob\\x1b[39m logged in \xf0\x9f\x91\x8b"), 0);

	ck_assert_int_eq(h_cli_relay(&a, "Grüße, Bob! ✓ 日本語", "<alice> Grüße, Bob! ✓ 日本語",
		&b, NULL), 0);
	ck_assert_int_eq(h_cli_relay(&b, "hello alice", "<bob> hello alice", &a, NULL), 0);

	/* 464 bytes of body make a 500-byte payload: accepted. */
	char line[600], want[700];
	memset(line, 'z', 464);
	line[464] = '\0';
	snprintf(want, sizeof(want), "<alice> %s", line);
	ck_assert_int_eq(h_cli_relay(&a, line, want, &b, NULL), 0);
	/* 465: refused with 400, shown in words. */
	memset(line, 'q', 465);
	line[465] = '\0';
	ck_assert_int_eq(h_cli_say(&a, line), 0);
	ck_assert_int_eq(h_expect(&a.out, "! Error: Bad Request - Invalid message format"), 0);

	/* An admin command from a non-admin. */
	ck_assert_int_eq(h_cli_say(&b, "/lsip"), 0);
	ck_assert_int_eq(h_expect(&b.out, "<SERVER> ACCESS DENIED: Admin privileges required"), 0);

	ck_assert_int_eq(h_cli_quit(&b, "/exit"), 0);
	ck_assert_int_eq(h_expect(&a.out, "<SERVER> \\x1b[31mbob disconnected"), 0);
	ck_assert_int_eq(h_cli_quit(&a, "/exit"), 0);
}
END_TEST

START_TEST(polychat_shows_login_failures)
{
	int port = start("");
	struct h_cli c;
	char file[400];
	snprintf(file, sizeof(file), "%s/pw-bob", d.dir); /* bob's password, not alice's */
	const char *extra[] = { "--user", "alice", "--password-file", file, NULL };
	ck_assert_int_eq(h_cli_start(&c, "kylochat", port, d.dir, extra), 0);
	ck_assert_int_eq(h_expect(&c.out, "! login failed: wrong password"), 0);
	/* The user types new credentials: unknown names, up to the 4th failure. */
	for (int i = 2; i <= 4; i++) {
		ck_assert_int_eq(h_cli_say(&c, "nobody"), 0);
		ck_assert_int_eq(h_expect(&c.out, "! login failed: unknown or banned user"), 0);
	}
	ck_assert_int_eq(h_expect(&c.out,
		"! login failed 4 times: the server closes the connection"), 0);
	ck_assert_int_eq(h_cli_wait(&c), 1);
	h_cli_close(&c);

	/* A name already online. */
	struct h_cli a, a2;
	cli_join(&a, port, "alice");
	snprintf(file, sizeof(file), "%s/pw-alice", d.dir);
	const char *again[] = { "--user", "alice", "--password-file", file, NULL };
	ck_assert_int_eq(h_cli_start(&a2, "kylochat", port, d.dir, again), 0);
	ck_assert_int_eq(h_expect(&a2.out, "! Username already connected"), 0);
	ck_assert_int_eq(h_cli_wait(&a2), 1);
	h_cli_close(&a2);
	ck_assert_int_eq(h_cli_quit(&a, "/exit"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kylochat");
	TCase *tc = h_tcase(s, "server", &d, 60);
	tcase_add_test(tc, chat_both_ways_without_echo);
	tcase_add_test(tc, logins_and_message_sizes_are_audited);
	tcase_add_test(tc, message_sizes_can_be_left_out);
	tcase_add_test(tc, folded_name_is_the_session_name);
	tcase_add_test(tc, payload_limit_is_500_bytes);
	tcase_add_test(tc, exit_tells_the_others);
	tcase_add_test(tc, failed_logins_then_close);
	tcase_add_test(tc, hidden_unknown_users_fail_at_the_password);
	tcase_add_test(tc, duplicate_login_is_refused);
	tcase_add_test(tc, revoked_removed_banned_tokens);
	tcase_add_test(tc, expired_token_gives_401);
	tcase_add_test(tc, tampered_frames_are_dropped);
	tcase_add_test(tc, four_bad_frames_end_the_session);
	tcase_add_test(tc, oversize_frames);
	tcase_add_test(tc, bad_handshakes_close_silently);
	tcase_add_test(tc, admin_commands);
	tcase_add_test(tc, shutdown_says_goodbye);
	tcase_add_test(tc, key_modes);
	tcase_add_test(tc, first_key_is_shared_by_a_burst);
	tcase_add_test(tc, rotated_keys_change);
	tcase_add_test(tc, login_step_times_out);
	tcase_add_test(tc, bad_options_are_refused);
	tcase_add_test(tc, shipped_config_is_valid);

	TCase *cli = h_tcase(s, "client", &d, 60);
	tcase_add_test(cli, two_polychat_clients_chat);
	tcase_add_test(cli, polychat_shows_login_failures);
	return s;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	return pc_check_run(suite());
}
