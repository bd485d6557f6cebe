/* SPDX-License-Identifier: MIT */
/* The configuration tests' shared fixture: one parse, its result, its diagnostics. */
#include <check.h>
#include <string.h>

#include <polychat/status.h>

#include "config-fixture.h"

struct pc_diag diag;
struct pc_config *cfg;

/* Check fixture: starts each test with nothing parsed. */
void setup(void)
{
	memset(&diag, 0, sizeof(diag));
	cfg = NULL;
}

/* Check fixture: frees what the test parsed, so ASan sees every leak. */
void teardown(void)
{
	pc_config_free(cfg);
	cfg = NULL;
	pc_diag_clear(&diag);
}

/* Parses `text` as "t.yaml"; every position in the expected errors names
 * that file. */
int parse(const char *text)
{
	return pc_config_parse("t.yaml", text, strlen(text), &diag, &cfg);
}

/* Asserts a refusal. The text is named on failure because the table-driven
 * tests call this once per row. */
void parse_bad(const char *text)
{
	int rc = parse(text);
	ck_assert_msg(rc == POLYCHAT_ECONFIG, "parsing '%s' returned %d, "
		"expected POLYCHAT_ECONFIG (%d)", text, rc, POLYCHAT_ECONFIG);
	ck_assert_msg(cfg == NULL, "parsing '%s' was refused but built a "
		"configuration", text);
	ck_assert_msg(diag.count > 0, "parsing '%s' was refused with no error",
		text);
}

/* Returns entry `i` of the diagnostics, failing the test if it is absent. */
const char *entry(size_t i)
{
	ck_assert_uint_gt(diag.count, i);
	ck_assert_ptr_nonnull(diag.entries[i].text);
	return diag.entries[i].text;
}

/* Asserts one refusal, its exact text and that nothing else was said. */
void expect_one(const char *text, const char *message)
{
	parse_bad(text);
	ck_assert_str_eq(entry(0), message);
	ck_assert_uint_eq(diag.count, 1);
}

/* Asserts every error of a refusal, in order, then that there is no other:
 * all of them are collected before the parse gives up. */
void expect_errors(const char *text, const char *const *messages, size_t n)
{
	parse_bad(text);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(entry(i), messages[i]);
	ck_assert_uint_eq(diag.count, n);
}
