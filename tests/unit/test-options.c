/* SPDX-License-Identifier: MIT */
/* Unit tests of option blocks (options.c) and the diagnostics list (diag.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <polychat/status.h>

#include "core/diag.h"
#include "core/options.h"
#include "../capture-stderr.h"
#include "../check-run.h"

static struct pc_diag diag;
static struct polychat_options *opts;

/* A block as the loader would build it for listeners[0].options, with each
 * value on its own line so positions tell options apart. */
static void setup(void)
{
	memset(&diag, 0, sizeof(diag));
	struct pc_pos block = {"t.yaml", 4, 5};
	opts = pc_options_new("listeners[0].options", &block);
	ck_assert_ptr_nonnull(opts);
	opts->diag = &diag;
	opts->state_dir = "/var/lib/polychat";
	static const char *const kv[][2] = {
		{"cost", "12"}, {"word", "abc"}, {"flag", "yes"}, {"off", "OFF"},
		{"neg", "-5"}, {"plus", "+7"}, {"hex", "0x10"}, {"big", "9223372036854775807"},
		{"small", "-9223372036854775808"}, {"over", "9223372036854775808"},
		{"motd", "hello: world"}, {"empty", ""}, {"ctl", "a\nb"},
	};
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		struct pc_pos pos = {"t.yaml", 5 + (int)i, 13};
		ck_assert_int_eq(pc_options_add(opts, kv[i][0], kv[i][1], &pos), 0);
	}
}

static void teardown(void)
{
	pc_options_free(opts);
	opts = NULL;
	pc_diag_clear(&diag);
}

static const char *entry(size_t i)
{
	ck_assert_uint_gt(diag.count, i);
	ck_assert_ptr_nonnull(diag.entries[i].text);
	return diag.entries[i].text;
}

START_TEST(test_new_and_add)
{
	ck_assert_str_eq(opts->path, "listeners[0].options");
	ck_assert_uint_eq(opts->count, 13);
	ck_assert_str_eq(opts->items[0].key, "cost");
	ck_assert_str_eq(opts->items[0].value, "12");
	ck_assert_int_eq(opts->items[0].pos.line, 5);
	ck_assert_int_eq(opts->items[0].used, 0);

	struct pc_pos pos = {"t.yaml", 40, 1};
	ck_assert_int_eq(pc_options_add(opts, "cost", "13", &pos), POLYCHAT_EEXIST);
	ck_assert_int_eq(pc_options_add(opts, "", "x", &pos), POLYCHAT_EINVAL);
	ck_assert_int_eq(pc_options_add(opts, NULL, "x", &pos), POLYCHAT_EINVAL);
	ck_assert_int_eq(pc_options_add(opts, "x", NULL, &pos), POLYCHAT_EINVAL);
	ck_assert_uint_eq(opts->count, 13);
	/* Without a position an option sits at its block. */
	ck_assert_int_eq(pc_options_add(opts, "later", "v", NULL), 0);
	ck_assert_int_eq(opts->items[13].pos.line, 4);
	ck_assert_int_eq(opts->items[13].pos.col, 5);
	ck_assert_uint_eq(diag.count, 0);

	struct polychat_options *unnamed = pc_options_new(NULL, NULL);
	ck_assert_ptr_nonnull(unnamed);
	ck_assert_str_eq(unnamed->path, "");
	ck_assert_ptr_null(unnamed->pos.file);
	pc_options_free(unnamed);
	pc_options_free(NULL);
}
END_TEST

START_TEST(test_string)
{
	const char *s = "default";
	ck_assert_int_eq(pc_options_string(opts, "absent", &s), POLYCHAT_ENOTFOUND);
	ck_assert_str_eq(s, "default");
	ck_assert_int_eq(pc_options_string(opts, "motd", &s), 0);
	ck_assert_str_eq(s, "hello: world");
	ck_assert_int_eq(opts->items[10].used, 1);
	ck_assert_int_eq(pc_options_string(opts, "empty", &s), 0);
	ck_assert_str_eq(s, "");
	ck_assert_int_eq(pc_options_string(opts, NULL, &s), POLYCHAT_EINVAL);
	ck_assert_int_eq(pc_options_string(NULL, "motd", &s), POLYCHAT_ENOTFOUND);
	ck_assert_uint_eq(diag.count, 0);
}
END_TEST

START_TEST(test_int_ok)
{
	int64_t v = 99;
	ck_assert_int_eq(pc_options_int(opts, "cost", 4, 31, &v), 0);
	ck_assert_int_eq(v, 12);
	ck_assert_int_eq(opts->items[0].used, 1);
	ck_assert_int_eq(pc_options_int(opts, "neg", -10, 10, &v), 0);
	ck_assert_int_eq(v, -5);
	ck_assert_int_eq(pc_options_int(opts, "plus", 0, 10, &v), 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(pc_options_int(opts, "big", INT64_MIN, INT64_MAX, &v), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(pc_options_int(opts, "small", INT64_MIN, INT64_MAX, &v), 0);
	ck_assert(v == INT64_MIN);
	/* The bounds themselves are inside the range. */
	ck_assert_int_eq(pc_options_int(opts, "cost", 12, 12, &v), 0);
	ck_assert_int_eq(v, 12);
	v = 99;
	ck_assert_int_eq(pc_options_int(opts, "absent", 0, 10, &v), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(v, 99);
	ck_assert_int_eq(pc_options_int(opts, "cost", 10, 4, &v), POLYCHAT_EINVAL);
	ck_assert_int_eq(v, 99);
	ck_assert_uint_eq(diag.count, 0);
}
END_TEST

START_TEST(test_int_errors)
{
	int64_t v = 99;
	ck_assert_int_eq(pc_options_int(opts, "word", 4, 31, &v), POLYCHAT_ECONFIG);
	ck_assert_int_eq(v, 99);
	ck_assert_int_eq(opts->items[1].used, 1);
	ck_assert_uint_eq(diag.count, 1);
	ck_assert_str_eq(entry(0), "t.yaml:6:13: listeners[0].options.word: "
		"expected an integer between 4 and 31, got 'abc'");

	ck_assert_int_eq(pc_options_int(opts, "cost", 13, 31, &v), POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(1), "t.yaml:5:13: listeners[0].options.cost: "
		"expected an integer between 13 and 31, got '12'");
	ck_assert_int_eq(pc_options_int(opts, "cost", 4, 11, &v), POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(2), "t.yaml:5:13: listeners[0].options.cost: "
		"expected an integer between 4 and 11, got '12'");
	ck_assert_int_eq(pc_options_int(opts, "hex", 0, 100, &v), POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(3), "t.yaml:11:13: listeners[0].options.hex: "
		"expected an integer between 0 and 100, got '0x10'");
	ck_assert_int_eq(pc_options_int(opts, "over", INT64_MIN, INT64_MAX, &v),
		POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(4), "t.yaml:14:13: listeners[0].options.over: "
		"expected an integer between -9223372036854775808 and "
		"9223372036854775807, got '9223372036854775808'");
	ck_assert_int_eq(pc_options_int(opts, "empty", 0, 1, &v), POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(5), "t.yaml:16:13: listeners[0].options.empty: "
		"expected an integer between 0 and 1, got ''");
	/* A control character must not split the one-line message. */
	ck_assert_int_eq(pc_options_int(opts, "ctl", 0, 1, &v), POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(6), "t.yaml:17:13: listeners[0].options.ctl: "
		"expected an integer between 0 and 1, got 'a?b'");
	ck_assert_uint_eq(diag.count, 7);
	ck_assert_int_eq(v, 99);
}
END_TEST

START_TEST(test_bool)
{
	int b = 42;
	ck_assert_int_eq(pc_options_bool(opts, "flag", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(pc_options_bool(opts, "off", &b), 0);
	ck_assert_int_eq(b, 0);
	b = 42;
	ck_assert_int_eq(pc_options_bool(opts, "absent", &b), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(b, 42);
	ck_assert_int_eq(pc_options_bool(opts, "cost", &b), POLYCHAT_ECONFIG);
	ck_assert_int_eq(b, 42);
	ck_assert_str_eq(entry(0), "t.yaml:5:13: listeners[0].options.cost: "
		"expected a boolean (true/false, yes/no, on/off), got '12'");
	ck_assert_uint_eq(diag.count, 1);

	static const char *const words[] = {"true", "false", "yes", "no", "on",
		"off", "True", "NO"};
	static const int values[] = {1, 0, 1, 0, 1, 0, 1, 0};
	for (size_t i = 0; i < 8; i++) {
		struct polychat_options *o = pc_options_new("x", NULL);
		ck_assert_ptr_nonnull(o);
		ck_assert_int_eq(pc_options_add(o, "b", words[i], NULL), 0);
		b = 42;
		ck_assert_int_eq(pc_options_bool(o, "b", &b), 0);
		ck_assert_int_eq(b, values[i]);
		pc_options_free(o);
	}
}
END_TEST

START_TEST(test_unused)
{
	const char *s;
	int64_t v;
	int b;
	ck_assert_int_eq(pc_options_string(opts, "motd", &s), 0);
	ck_assert_int_eq(pc_options_int(opts, "cost", 4, 31, &v), 0);
	ck_assert_int_eq(pc_options_bool(opts, "flag", &b), 0);
	/* A failed read still marks the option as known: it must not be
	 * reported a second time as unknown. */
	ck_assert_int_eq(pc_options_int(opts, "word", 0, 1, &v), POLYCHAT_ECONFIG);
	ck_assert_uint_eq(diag.count, 1);
	ck_assert_int_eq(pc_options_report_unused(opts, "kylochat"), 9);
	ck_assert_uint_eq(diag.count, 10);
	ck_assert_str_eq(entry(1), "t.yaml:8:13: listeners[0].options: "
		"unknown option 'off' for kylochat");
	ck_assert_str_eq(entry(9), "t.yaml:17:13: listeners[0].options: "
		"unknown option 'ctl' for kylochat");

	pc_options_reset_used(opts);
	for (size_t i = 0; i < opts->count; i++)
		ck_assert_int_eq(opts->items[i].used, 0);
	ck_assert_int_eq(pc_options_report_unused(opts, NULL), 13);
	ck_assert_str_eq(entry(10), "t.yaml:5:13: listeners[0].options: "
		"unknown option 'cost'");

	struct polychat_options *empty = pc_options_new("p", NULL);
	ck_assert_int_eq(pc_options_report_unused(empty, "x"), 0);
	pc_options_free(empty);
	ck_assert_int_eq(pc_options_report_unused(NULL, "x"), 0);
}
END_TEST

START_TEST(test_error)
{
	ck_assert_int_eq(pc_options_error(opts, "cost", "must be even, got %d", 13),
		POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(0), "t.yaml:5:13: listeners[0].options.cost: "
		"must be even, got 13");
	/* An absent option: the block's position, still the option's path. */
	ck_assert_int_eq(pc_options_error(opts, "key_file", "is required"),
		POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(1), "t.yaml:4:5: listeners[0].options.key_file: "
		"is required");
	ck_assert_int_eq(pc_options_error(opts, NULL, "%s and %s exclude each other",
		"a", "b"), POLYCHAT_ECONFIG);
	ck_assert_str_eq(entry(2), "t.yaml:4:5: listeners[0].options: "
		"a and b exclude each other");
	ck_assert_uint_eq(diag.count, 3);
	/* Reporting an error is not reading the option. */
	ck_assert_int_eq(opts->items[0].used, 0);
}
END_TEST

/* With no diagnostics list the error goes to stderr in the same form. */
START_TEST(test_error_to_stderr)
{
	struct pc_capture capture;
	char buf[256];
	pc_capture_begin(&capture);
	opts->diag = NULL;
	int64_t v;
	int rc = pc_options_int(opts, "word", 4, 31, &v);
	pc_capture_end(&capture, buf, sizeof(buf));
	ck_assert_int_eq(rc, POLYCHAT_ECONFIG);
	ck_assert_str_eq(buf, "t.yaml:6:13: listeners[0].options.word: "
		"expected an integer between 4 and 31, got 'abc'\n");
	ck_assert_uint_eq(diag.count, 0);
}
END_TEST

START_TEST(test_state_path)
{
	char out[64];
	ck_assert_int_eq(pc_options_state_path(opts, "keys/a.pem", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/var/lib/polychat/keys/a.pem");
	ck_assert_int_eq(pc_options_state_path(opts, "/etc/x", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/etc/x");

	/* "/var/lib/polychat/db" is 20 bytes: 21 fit with the NUL, 20 do not. */
	char small[21];
	memset(small, 'z', sizeof(small));
	ck_assert_int_eq(pc_options_state_path(opts, "db", small, 20), POLYCHAT_ETOOBIG);
	ck_assert_int_eq(small[0], 'z');
	ck_assert_int_eq(pc_options_state_path(opts, "db", small, 21), 0);
	ck_assert_str_eq(small, "/var/lib/polychat/db");
	memset(small, 'z', sizeof(small));
	ck_assert_int_eq(pc_options_state_path(opts, "/abcdefghij", small, 11),
		POLYCHAT_ETOOBIG);
	ck_assert_int_eq(small[0], 'z');
	ck_assert_int_eq(pc_options_state_path(opts, "", out, sizeof(out)),
		POLYCHAT_EINVAL);

	opts->state_dir = "/";
	ck_assert_int_eq(pc_options_state_path(opts, "db", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/db");
	opts->state_dir = "/srv/state/";
	ck_assert_int_eq(pc_options_state_path(opts, "db", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/srv/state/db");
	opts->state_dir = NULL;
	ck_assert_int_eq(pc_options_state_path(opts, "db", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "db");
}
END_TEST

START_TEST(test_add_arg)
{
	struct polychat_options *o = pc_options_new("--opt", NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(pc_options_add_arg(o, "server_key=a=b"), 0);
	ck_assert_int_eq(pc_options_add_arg(o, "blank="), 0);
	ck_assert_int_eq(pc_options_add_arg(o, "=value"), POLYCHAT_EINVAL);
	ck_assert_int_eq(pc_options_add_arg(o, "novalue"), POLYCHAT_EINVAL);
	ck_assert_int_eq(pc_options_add_arg(o, "blank=again"), POLYCHAT_EEXIST);
	ck_assert_uint_eq(o->count, 2);
	const char *s;
	ck_assert_int_eq(pc_options_string(o, "server_key", &s), 0);
	ck_assert_str_eq(s, "a=b");
	ck_assert_int_eq(pc_options_string(o, "blank", &s), 0);
	ck_assert_str_eq(s, "");
	pc_options_free(o);
}
END_TEST

START_TEST(test_diag)
{
	struct pc_diag d = {0};
	struct pc_pos at = {"f.yaml", 3, 7};
	struct pc_pos file_only = {"f.yaml", 0, 0};
	pc_diag_add(&d, &at, "a.b", "bad %s", "thing");
	pc_diag_add(&d, &at, NULL, "no path");
	pc_diag_add(&d, &file_only, NULL, "cannot open: %s", "gone");
	pc_diag_add(&d, NULL, "x", "no position");
	pc_diag_add(&d, NULL, NULL, "bare");
	for (int i = 0; i < 20; i++)
		pc_diag_add(&d, NULL, NULL, "n%d", i);
	pc_diag_add(NULL, NULL, NULL, "ignored");
	ck_assert_uint_eq(d.count, 25);
	ck_assert_str_eq(d.entries[0].text, "f.yaml:3:7: a.b: bad thing");
	ck_assert_str_eq(d.entries[1].text, "f.yaml:3:7: no path");
	ck_assert_str_eq(d.entries[2].text, "f.yaml: cannot open: gone");
	ck_assert_str_eq(d.entries[3].text, "x: no position");
	ck_assert_str_eq(d.entries[4].text, "bare");
	ck_assert_str_eq(d.entries[24].text, "n19");

	FILE *fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	pc_diag_print(&d, fp);
	rewind(fp);
	char line[128];
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
	ck_assert_str_eq(line, "f.yaml:3:7: a.b: bad thing\n");
	int lines = 1;
	while (fgets(line, sizeof(line), fp))
		lines++;
	ck_assert_int_eq(lines, 25);
	ck_assert_str_eq(line, "n19\n");
	fclose(fp);

	pc_diag_clear(&d);
	ck_assert_uint_eq(d.count, 0);
	ck_assert_ptr_null(d.entries);
	/* The struct is reusable after a clear. */
	pc_diag_add(&d, NULL, NULL, "again");
	ck_assert_uint_eq(d.count, 1);
	ck_assert_str_eq(d.entries[0].text, "again");
	pc_diag_clear(&d);
	pc_diag_clear(NULL);
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_and_add);
	tcase_add_test(tc, test_string);
	tcase_add_test(tc, test_int_ok);
	tcase_add_test(tc, test_int_errors);
	tcase_add_test(tc, test_bool);
	tcase_add_test(tc, test_unused);
	tcase_add_test(tc, test_error);
	tcase_add_test(tc, test_error_to_stderr);
	tcase_add_test(tc, test_state_path);
	tcase_add_test(tc, test_add_arg);
	suite_add_tcase(s, tc);
	TCase *td = tcase_create("diag");
	tcase_add_test(td, test_diag);
	suite_add_tcase(s, td);
	return s;
}

int main(void)
{
	return pc_check_run(options_suite());
}
