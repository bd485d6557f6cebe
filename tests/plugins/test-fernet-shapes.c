/* SPDX-License-Identifier: MIT */
/* fernet-hybrid's message boundaries on an unframed wire (fernet-hybrid.md §4.4). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "plugins/crypto-hybrid-fernet/fernet-shapes.h"
#include "../check-run.h"

#define PEM "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----\n"
#define PKG "{\"encrypted_message\": \"gAAA}{\\\"x\", \"encrypted_keys\": {\"a\": \"b==\"}}"

static int next(const char *text, int notices, struct fernet_msg *m)
{
	return fernet_next((const uint8_t *)text, strlen(text), notices, m);
}

START_TEST(announcements_end_after_their_end_line)
{
	struct fernet_msg m;
	const char *a = "PUBKEY::alice::" PEM;
	ck_assert_int_eq(next(a, 0, &m), FERNET_COMPLETE);
	ck_assert_int_eq(m.shape, FERNET_SHAPE_PUBKEY);
	ck_assert_uint_eq(m.len, strlen(a));
	ck_assert_uint_eq(m.nick_off, 8);
	ck_assert_uint_eq(m.nick_len, 5);
	/* Coalesced with a package: the announcement alone. */
	char two[512];
	snprintf(two, sizeof(two), "%s%s", a, PKG);
	ck_assert_int_eq(next(two, 0, &m), FERNET_COMPLETE);
	ck_assert_uint_eq(m.len, strlen(a));
	/* CRLF, an RSA PUBLIC KEY block, a missing final LF. */
	const char *crlf = "PUBKEY::b::-----BEGIN RSA PUBLIC KEY-----\r\nAB\r\n-----END RSA PUBLIC KEY-----\r\n";
	ck_assert_int_eq(next(crlf, 0, &m), FERNET_COMPLETE);
	ck_assert_uint_eq(m.len, strlen(crlf));
	/* Without its final LF it ends where the next message starts; at
	 * the end of the data the LF may still be on its way. */
	const char *bare = "PUBKEY::b::-----BEGIN PUBLIC KEY-----\nAB\n-----END PUBLIC KEY-----";
	ck_assert_int_eq(next(bare, 0, &m), FERNET_INCOMPLETE);
	char then[256];
	snprintf(then, sizeof(then), "%s{}", bare);
	ck_assert_int_eq(next(then, 0, &m), FERNET_COMPLETE);
	ck_assert_uint_eq(m.len, strlen(bare));
	snprintf(then, sizeof(then), "%s\r", bare);
	ck_assert_int_eq(next(then, 0, &m), FERNET_INCOMPLETE);
	/* Not there yet. */
	const char *partial[] = { "P", "PUBKEY:", "PUBKEY::alice", "PUBKEY::alice::-----BEGIN",
		"PUBKEY::a::-----BEGIN PUBLIC KEY-----\nAB\n-----END PUBLIC KEY" };
	for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++)
		ck_assert_msg(next(partial[i], 0, &m) == FERNET_INCOMPLETE, "%s", partial[i]);
}
END_TEST

START_TEST(packages_end_at_their_closing_brace)
{
	struct fernet_msg m;
	/* Braces and escaped quotes inside strings do not count. */
	ck_assert_int_eq(next(PKG, 0, &m), FERNET_COMPLETE);
	ck_assert_int_eq(m.shape, FERNET_SHAPE_PACKAGE);
	ck_assert_uint_eq(m.len, strlen(PKG));
	char two[512];
	snprintf(two, sizeof(two), "%s%s", PKG, PKG);
	ck_assert_int_eq(next(two, 0, &m), FERNET_COMPLETE);
	ck_assert_uint_eq(m.len, strlen(PKG));
	ck_assert_int_eq(next("{\"a\": {\"b\": 1}", 0, &m), FERNET_INCOMPLETE);
	ck_assert_int_eq(next("{\"a\": \"}", 0, &m), FERNET_INCOMPLETE);
	ck_assert_int_eq(next("{\"a\": \"\\", 0, &m), FERNET_INCOMPLETE);
}
END_TEST

START_TEST(notices_only_where_the_server_speaks)
{
	struct fernet_msg m;
	const char *joined = "bob joined the chat!PUBKEY::bob::" PEM;
	ck_assert_int_eq(next(joined, 1, &m), FERNET_COMPLETE);
	ck_assert_int_eq(m.shape, FERNET_SHAPE_JOINED);
	ck_assert_uint_eq(m.len, strlen("bob joined the chat!"));
	ck_assert_int_eq(next("bob left the chat.bob joined the chat!", 1, &m), FERNET_COMPLETE);
	ck_assert_int_eq(m.shape, FERNET_SHAPE_LEFT);
	ck_assert_uint_eq(m.len, strlen("bob left the chat."));
	/* From a client the same text is no message. */
	ck_assert_int_eq(next("bob joined the chat!", 0, &m), FERNET_UNKNOWN);
	ck_assert_int_eq(next("hello", 1, &m), FERNET_UNKNOWN);
	ck_assert_int_eq(next("\xff\xfe", 0, &m), FERNET_UNKNOWN);
	ck_assert_int_eq(next("", 0, &m), FERNET_INCOMPLETE);
}
END_TEST

static Suite *shapes_suite(void)
{
	Suite *s = suite_create("fernet shapes");
	TCase *tc = tcase_create("shapes");
	tcase_add_test(tc, announcements_end_after_their_end_line);
	tcase_add_test(tc, packages_end_at_their_closing_brace);
	tcase_add_test(tc, notices_only_where_the_server_speaks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(shapes_suite());
}
