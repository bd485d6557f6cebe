/* SPDX-License-Identifier: MIT */
/* kylochat's text rules: errors="ignore" UTF-8, Python int(), tuple repr, UUIDv4 text. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "plugins/crypto-rsa-cbc/kylo-text.h"
#include "../check-run.h"

/* Clean `in` and compare with `want`. */
static void clean_is(const char *in, size_t len, const char *want)
{
	uint8_t out[64];
	size_t n = kylo_utf8_clean((const uint8_t *)in, len, out);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_mem_eq(out, want, n);
}

START_TEST(invalid_utf8_bytes_are_dropped)
{
	clean_is("plain", 5, "plain");
	clean_is("\xc3\xa9t\xc3\xa9", 5, "\xc3\xa9t\xc3\xa9");           /* été */
	clean_is("a\xff" "b\xfe", 4, "ab");                                /* never valid */
	clean_is("\xc0\xafx", 3, "x");                                     /* overlong '/' */
	clean_is("\xed\xa0\x80y", 4, "y");                                 /* a surrogate */
	clean_is("\xf4\x90\x80\x80z", 5, "z");                             /* over U+10FFFF */
	clean_is("\xe2\x82", 2, "");                                       /* truncated */
	clean_is("\xe2\x82\xac\xf0\x9f\x91\x8b", 7, "\xe2\x82\xac\xf0\x9f\x91\x8b");
	/* A lead byte whose continuation is missing keeps the next byte. */
	clean_is("\xe2(", 2, "(");
	/* NUL is a valid character. */
	uint8_t out[4];
	ck_assert_uint_eq(kylo_utf8_clean((const uint8_t *)"a\0b", 3, out), 3);
	ck_assert_mem_eq(out, "a\0b", 3);
}
END_TEST

/* Parse and compare: rc, value, canonical text. */
static void int_is(const char *text, int64_t value, const char *canon)
{
	int64_t v = -1;
	int over = -1;
	char c[32];
	ck_assert_msg(kylo_parse_int(text, &v, &over, c, sizeof(c)) == 0, "'%s'", text);
	ck_assert_int_eq(over, 0);
	ck_assert_int_eq(v, value);
	ck_assert_str_eq(c, canon);
}

START_TEST(integers_parse_as_python_int)
{
	int_is("7", 7, "7");
	int_is("007", 7, "7");
	int_is(" +12\t", 12, "12");
	int_is("-3", -3, "-3");
	int_is("-0", 0, "0");
	int_is("1_000", 1000, "1000");
	int_is("9223372036854775807", INT64_MAX, "9223372036854775807");
	const char *bad[] = { "", " ", "x", "1x", "1.0", "--1", "_1", "1_", "1__0", "+", "0x10" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v = 0;
		int over = 0;
		char c[32];
		ck_assert_msg(kylo_parse_int(bad[i], &v, &over, c, sizeof(c)) == -1, "'%s'", bad[i]);
	}
	int64_t v;
	int over;
	char c[32];
	ck_assert_int_eq(kylo_parse_int("99999999999999999999", &v, &over, c, sizeof(c)), 0);
	ck_assert_int_eq(over, 1);
	ck_assert_str_eq(c, "99999999999999999999");
}
END_TEST

START_TEST(tuples_print_as_python_repr)
{
	char out[128];
	ck_assert_uint_eq(kylo_tuple_repr(NULL, 0, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "()");
	const char *one[] = { "127.0.0.1" };
	kylo_tuple_repr(one, 1, out, sizeof(out));
	ck_assert_str_eq(out, "('127.0.0.1',)");
	const char *two[] = { "10.0.0.1", "::1" };
	size_t need = kylo_tuple_repr(two, 2, out, sizeof(out));
	ck_assert_str_eq(out, "('10.0.0.1', '::1')");
	ck_assert_uint_eq(need, strlen(out));
	/* Too small a buffer: truncated like snprintf, full length returned. */
	ck_assert_uint_eq(kylo_tuple_repr(two, 2, out, 5), need);
	ck_assert_str_eq(out, "('10");
}
END_TEST

START_TEST(uuid4_text)
{
	uint8_t rnd[16];
	char out[KYLO_UUID_LEN + 1];
	memset(rnd, 0xff, sizeof(rnd));
	kylo_uuid4_format(rnd, out);
	ck_assert_str_eq(out, "ffffffff-ffff-4fff-bfff-ffffffffffff");
	memset(rnd, 0, sizeof(rnd));
	kylo_uuid4_format(rnd, out);
	ck_assert_str_eq(out, "00000000-0000-4000-8000-000000000000");
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("kylochat-text");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, invalid_utf8_bytes_are_dropped);
	tcase_add_test(tc, integers_parse_as_python_int);
	tcase_add_test(tc, tuples_print_as_python_repr);
	tcase_add_test(tc, uuid4_text);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(text_suite());
}
