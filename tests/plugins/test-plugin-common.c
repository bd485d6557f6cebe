/* SPDX-License-Identifier: MIT */
/* plugins/common: the JSON reader and writer, Base64, the token bucket, the typed-line queue and the option readers that several suites share. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <polychat/status.h>

#include "plugins/common/pc-base64.h"
#include "plugins/common/pc-json.h"
#include "plugins/common/pc-lines.h"
#include "plugins/common/pc-options.h"
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

/* --- the typed-line queue --- */

/* What a drain handed over, and how the fake session behaves. */
struct taker {
	struct pc_lines *q;
	char lines[8][16];
	size_t lens[8];
	int n;
	int ready_for;   /* how many lines the session takes before it stops; -1: all */
	int fail_at;     /* line index whose take returns EPROTO; -1: none */
	int push_at;     /* line index whose take pushes "late" and drains again */
	int clear_at;    /* line index whose take clears the queue */
};

static void taker_init(struct taker *t, struct pc_lines *q)
{
	memset(t, 0, sizeof(*t));
	t->q = q;
	t->ready_for = t->fail_at = t->push_at = t->clear_at = -1;
}

static int taker_ready(void *arg)
{
	struct taker *t = arg;
	return t->ready_for < 0 || t->n < t->ready_for;
}

static int taker_take(void *arg, const char *line, size_t len)
{
	struct taker *t = arg;
	int i = t->n;
	ck_assert_int_lt(i, 8);
	ck_assert_uint_lt(len, 16);
	ck_assert_int_eq(line[len], '\0');
	memcpy(t->lines[i], line, len + 1);
	t->lens[i] = len;
	t->n++;
	if (i == t->push_at) {
		ck_assert_int_eq(pc_lines_push(t->q, "late", 4), 0);
		/* The session drains when its state changes: this one is
		 * already running and keeps the order. */
		ck_assert_int_eq(pc_lines_drain(t->q, taker_ready, taker_take, t), 0);
		ck_assert_int_eq(t->n, i + 1);
	}
	if (i == t->clear_at)
		pc_lines_clear(t->q);
	return i == t->fail_at ? POLYCHAT_EPROTO : 0;
}

static void push_all(struct pc_lines *q, const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(pc_lines_push(q, lines[i], strlen(lines[i])), 0);
}

START_TEST(lines_are_handed_over_in_the_order_typed)
{
	static const char *const typed[] = { "alice", "", "hello there", "/exit" };
	struct pc_lines q;
	struct taker t;
	pc_lines_init(&q, stub_host(), 16, 1024);
	taker_init(&t, &q);
	ck_assert_uint_eq(pc_lines_waiting(&q), 0);
	/* Nothing waits: the drain takes nothing and does not ask. */
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	push_all(&q, typed, 4);
	ck_assert_uint_eq(pc_lines_waiting(&q), 4);
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_int_eq(t.n, 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_str_eq(t.lines[i], typed[i]);
		ck_assert_uint_eq(t.lens[i], strlen(typed[i]));
	}
	ck_assert_uint_eq(pc_lines_waiting(&q), 0);
	/* A line with a NUL inside keeps its length. */
	ck_assert_int_eq(pc_lines_push(&q, "a\0b", 3), 0);
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_uint_eq(t.lens[4], 3);
	ck_assert_mem_eq(t.lines[4], "a\0b", 4);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(lines_are_bounded_in_count_and_bytes)
{
	struct pc_lines q;
	struct taker t;
	pc_lines_init(&q, stub_host(), 3, 1024);
	taker_init(&t, &q);
	push_all(&q, (const char *const[]){ "one", "two", "three" }, 3);
	ck_assert_int_eq(pc_lines_push(&q, "four", 4), POLYCHAT_EBUSY);
	ck_assert_int_eq(pc_lines_push(&q, "", 0), POLYCHAT_EBUSY);
	ck_assert_uint_eq(pc_lines_waiting(&q), 3);
	/* Taking one makes room for one. */
	t.ready_for = 1;
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_int_eq(pc_lines_push(&q, "four", 4), 0);
	ck_assert_int_eq(pc_lines_push(&q, "five", 4), POLYCHAT_EBUSY);
	pc_lines_clear(&q);

	pc_lines_init(&q, stub_host(), 100, 10);
	ck_assert_int_eq(pc_lines_push(&q, "123456", 6), 0);
	ck_assert_int_eq(pc_lines_push(&q, "12345", 5), POLYCHAT_EBUSY);
	/* Up to the byte exactly; an empty line costs nothing. */
	ck_assert_int_eq(pc_lines_push(&q, "1234", 4), 0);
	ck_assert_int_eq(pc_lines_push(&q, "", 0), 0);
	ck_assert_int_eq(pc_lines_push(&q, "1", 1), POLYCHAT_EBUSY);
	/* Longer than the whole bound, on an empty queue too. */
	pc_lines_clear(&q);
	ck_assert_int_eq(pc_lines_push(&q, "12345678901", 11), POLYCHAT_EBUSY);
	ck_assert_int_eq(pc_lines_push(&q, "1234567890", 10), 0);
	/* Taken lines give their bytes back. */
	taker_init(&t, &q);
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_int_eq(pc_lines_push(&q, "1234567890", 10), 0);
	pc_lines_clear(&q);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(a_drain_stops_when_the_session_stops_taking)
{
	static const char *const typed[] = { "a", "b", "c", "d" };
	struct pc_lines q;
	struct taker t;
	pc_lines_init(&q, stub_host(), 16, 1024);
	taker_init(&t, &q);
	push_all(&q, typed, 4);
	t.ready_for = 2;
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_int_eq(t.n, 2);
	ck_assert_uint_eq(pc_lines_waiting(&q), 2);
	/* The rest goes, still in order, once the session takes lines again. */
	t.ready_for = -1;
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_int_eq(t.n, 4);
	ck_assert_str_eq(t.lines[2], "c");
	ck_assert_str_eq(t.lines[3], "d");

	/* A take that fails stops the drain with its code; the rest waits. */
	taker_init(&t, &q);
	push_all(&q, typed, 4);
	t.fail_at = 1;
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), POLYCHAT_EPROTO);
	ck_assert_int_eq(t.n, 2);
	ck_assert_uint_eq(pc_lines_waiting(&q), 2);
	t.fail_at = -1;
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_str_eq(t.lines[2], "c");
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(a_take_may_push_drain_or_clear)
{
	static const char *const typed[] = { "a", "b", "c" };
	struct pc_lines q;
	struct taker t;
	pc_lines_init(&q, stub_host(), 16, 1024);
	taker_init(&t, &q);
	push_all(&q, typed, 3);
	/* A line pushed while draining goes after those already waiting. */
	t.push_at = 0;
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_int_eq(t.n, 4);
	ck_assert_str_eq(t.lines[0], "a");
	ck_assert_str_eq(t.lines[1], "b");
	ck_assert_str_eq(t.lines[2], "c");
	ck_assert_str_eq(t.lines[3], "late");
	ck_assert_uint_eq(pc_lines_waiting(&q), 0);

	/* A take that clears the queue (the session ended) ends the drain. */
	taker_init(&t, &q);
	push_all(&q, typed, 3);
	t.clear_at = 0;
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_int_eq(t.n, 1);
	ck_assert_uint_eq(pc_lines_waiting(&q), 0);
	/* The queue is usable afterwards, and the guard was let go. */
	taker_init(&t, &q);
	push_all(&q, typed, 1);
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_int_eq(t.n, 1);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

START_TEST(cleared_lines_are_freed_and_a_failed_push_keeps_nothing)
{
	static const char *const typed[] = { "s3cret", "hunter2", "x" };
	struct pc_lines q;
	struct taker t;
	pc_lines_init(&q, stub_host(), 16, 1024);
	taker_init(&t, &q);
	push_all(&q, typed, 3);
	ck_assert_int_gt(stub_alloc_outstanding(), 0);
	pc_lines_clear(&q);
	ck_assert_uint_eq(pc_lines_waiting(&q), 0);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	/* Clearing an empty queue is harmless. */
	pc_lines_clear(&q);

	stub_alloc_fail_after(0);
	ck_assert_int_eq(pc_lines_push(&q, "a", 1), POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_uint_eq(pc_lines_waiting(&q), 0);
	/* The failed push took none of the bounds. */
	pc_lines_init(&q, stub_host(), 1, 1);
	stub_alloc_fail_after(0);
	ck_assert_int_eq(pc_lines_push(&q, "a", 1), POLYCHAT_ENOMEM);
	stub_alloc_fail_after(-1);
	ck_assert_int_eq(pc_lines_push(&q, "b", 1), 0);
	ck_assert_int_eq(pc_lines_drain(&q, taker_ready, taker_take, &t), 0);
	ck_assert_str_eq(t.lines[0], "b");
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}
END_TEST

/* --- option readers --- */

START_TEST(option_readers_keep_defaults_and_record_bad_values)
{
	struct polychat_options *o = stub_options_new(NULL, "size", "12", "on", "false",
		"words", "lots", "huge", "99", "maybe", "perhaps", NULL);
	ck_assert_ptr_nonnull(o);
	const struct polychat_host *host = stub_host();
	int64_t size = 1, absent = 7, words = 3, huge = 5;
	int on = 1, absent_flag = 1, maybe = 0;
	int rc = 0;

	/* Present and valid: read; absent: the default stays; rc untouched. */
	pc_opt_int(host, o, "size", 0, 100, &size, &rc);
	pc_opt_int(host, o, "nothing", 0, 100, &absent, &rc);
	pc_opt_bool(host, o, "on", &on, &rc);
	pc_opt_bool(host, o, "no_flag", &absent_flag, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(size, 12);
	ck_assert_int_eq(absent, 7);
	ck_assert_int_eq(on, 0);
	ck_assert_int_eq(absent_flag, 1);
	ck_assert_uint_eq(stub_options_errors(o), 0);

	/* Wrong type, out of range: ECONFIG, the value left alone. */
	pc_opt_int(host, o, "words", 0, 100, &words, &rc);
	ck_assert_int_eq(rc, POLYCHAT_ECONFIG);
	ck_assert_int_eq(words, 3);
	rc = 0;
	pc_opt_int(host, o, "huge", 0, 10, &huge, &rc);
	ck_assert_int_eq(rc, POLYCHAT_ECONFIG);
	ck_assert_int_eq(huge, 5);
	rc = 0;
	pc_opt_bool(host, o, "maybe", &maybe, &rc);
	ck_assert_int_eq(rc, POLYCHAT_ECONFIG);
	ck_assert_int_eq(maybe, 0);
	/* A good read after a bad one does not clear the verdict. */
	pc_opt_int(host, o, "size", 0, 100, &size, &rc);
	ck_assert_int_eq(rc, POLYCHAT_ECONFIG);
	/* Every bad option was reported to the operator, by name. */
	ck_assert_uint_eq(stub_options_errors(o), 3);
	ck_assert(stub_options_error_contains(o, "words"));
	ck_assert(stub_options_error_contains(o, "huge"));
	ck_assert(stub_options_error_contains(o, "maybe"));
	stub_options_free(o);
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
	tc = tcase_create("typed lines");
	tcase_add_test(tc, lines_are_handed_over_in_the_order_typed);
	tcase_add_test(tc, lines_are_bounded_in_count_and_bytes);
	tcase_add_test(tc, a_drain_stops_when_the_session_stops_taking);
	tcase_add_test(tc, a_take_may_push_drain_or_clear);
	tcase_add_test(tc, cleared_lines_are_freed_and_a_failed_push_keeps_nothing);
	suite_add_tcase(s, tc);
	tc = tcase_create("options");
	tcase_add_test(tc, option_readers_keep_defaults_and_record_bad_values);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(common_suite());
}
