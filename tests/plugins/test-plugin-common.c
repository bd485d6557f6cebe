/* SPDX-License-Identifier: MIT */
/* plugins/common: the JSON reader and writer, Base64 and the token bucket that several suites share. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <polychat/status.h>

#include "plugins/common/pc-base64.h"
#include "plugins/common/pc-json.h"
#include "plugins/common/pc-rate.h"
#include "tests/stubs/stub-host.h"
#include "../check-run.h"

static void escapes_to(const char *in, size_t len, const char *want)
{
	struct pc_buf b;
	pc_buf_init(&b, stub_host());
	pc_json_string(&b, in, len);
	ck_assert(!b.failed);
	ck_assert_str_eq(b.data, want);
	pc_buf_free(&b);
}

START_TEST(strings_are_written_as_json_dumps_does)
{
	escapes_to("Hi Alice \xe2\x9c\x93", 12, "\"Hi Alice \\u2713\"");
	escapes_to("\xf0\x9f\x98\x80", 4, "\"\\ud83d\\ude00\"");
	escapes_to("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
	escapes_to("\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\"");
	escapes_to("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	escapes_to("\0x", 2, "\"\\u0000x\"");
	escapes_to("\xc3\xa9\xc3\x89", 4, "\"\\u00e9\\u00c9\"");
	/* Not UTF-8: each bad byte becomes U+FFFD, so the output stays ASCII. */
	escapes_to("a\xffz", 3, "\"a\\ufffdz\"");
}
END_TEST

START_TEST(base64_decodes_only_canonical_text)
{
	uint8_t out[32];
	size_t n = 0;
	ck_assert_int_eq(pc_b64_decode("AAECAwQFBgcICQoLDA0ODw==", 24, out, &n), 0);
	ck_assert_uint_eq(n, 16);
	ck_assert_int_eq(out[15], 15);
	ck_assert_int_eq(pc_b64_decode("", 0, out, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(pc_b64_decode("YWI=", 4, out, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "ab", 2);
	const char *bad[] = { "YWI", "YW=I", "Y===", "YWJ=", "YQ=", "YR==", "YW I", "YW\nI",
		"YW_I", "YW-I", "====", "YWI=YWI=" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pc_b64_decode(bad[i], strlen(bad[i]), out, &n) == POLYCHAT_EPROTO,
			"'%s'", bad[i]);
}
END_TEST

/* Members seen by the walk, for walk_hands_out_members_in_order. */
struct seen {
	char keys[8][16];
	int types[8];
	int n;
	int stop_at;
};

static int remember(void *arg, const char *key, size_t key_len, const struct pc_json_value *v)
{
	struct seen *seen = arg;
	ck_assert_int_lt(seen->n, 8);
	ck_assert_uint_lt(key_len, 16);
	memcpy(seen->keys[seen->n], key, key_len + 1);
	seen->types[seen->n] = v->type;
	if (v->type == PC_JSON_STRING)
		ck_assert_uint_eq(strlen(v->str), v->str_len);
	return ++seen->n == seen->stop_at ? 7 : 0;
}

START_TEST(walk_hands_out_members_in_order)
{
	const char *text = "{\"a\": \"x\", \"b\": {\"c\": [1, 2]}, \"t\": true, \"n\": null, \"a\": \"y\"}";
	struct seen seen = { .stop_at = 0 };
	ck_assert_int_eq(pc_json_object(stub_host(), text, strlen(text), remember, &seen), 0);
	ck_assert_int_eq(seen.n, 5);
	ck_assert_str_eq(seen.keys[1], "b");
	ck_assert_int_eq(seen.types[1], PC_JSON_OBJECT);
	ck_assert_int_eq(seen.types[2], PC_JSON_TRUE);
	ck_assert_int_eq(seen.types[3], PC_JSON_OTHER);
	ck_assert_str_eq(seen.keys[4], "a"); /* a repeated key comes again */
	/* A callback's non-zero result stops the walk and is returned. */
	struct seen stop = { .stop_at = 2 };
	ck_assert_int_eq(pc_json_object(stub_host(), text, strlen(text), remember, &stop), 7);
	ck_assert_int_eq(stop.n, 2);
	/* Nothing is handed out from a text that is not valid as a whole. */
	struct seen none = { .stop_at = 0 };
	const char *broken = "{\"a\": \"x\", \"b\": }";
	ck_assert_int_eq(pc_json_object(stub_host(), broken, strlen(broken), remember, &none),
		POLYCHAT_EPROTO);
	ck_assert_int_eq(none.n, 0);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(rate_bucket_allows_a_burst_then_the_rate)
{
	struct pc_rate r;
	pc_rate_init(&r, 10, 3, 1000);
	/* The burst, then one token every 100 ms. */
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(pc_rate_take(&r, 1000), 0);
	ck_assert_uint_eq(pc_rate_take(&r, 1000), 101);
	ck_assert_uint_eq(pc_rate_take(&r, 1050), 51);
	ck_assert_uint_eq(pc_rate_take(&r, 1100), 0);
	ck_assert_uint_ne(pc_rate_take(&r, 1100), 0);
	/* A long pause refills no more than the burst. */
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(pc_rate_take(&r, 100000), 0);
	ck_assert_uint_ne(pc_rate_take(&r, 100000), 0);
	/* A clock that does not move forward takes nothing back. */
	ck_assert_uint_ne(pc_rate_take(&r, 50), 0);
	/* 0 is no limit. */
	pc_rate_init(&r, 0, 1, 0);
	for (int i = 0; i < 100; i++)
		ck_assert_uint_eq(pc_rate_take(&r, 0), 0);
}
END_TEST

static Suite *common_suite(void)
{
	Suite *s = suite_create("plugin common");
	TCase *tc = tcase_create("json, base64, rate");
	tcase_add_test(tc, strings_are_written_as_json_dumps_does);
	tcase_add_test(tc, walk_hands_out_members_in_order);
	tcase_add_test(tc, base64_decodes_only_canonical_text);
	tcase_add_test(tc, rate_bucket_allows_a_burst_then_the_rate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(common_suite());
}
