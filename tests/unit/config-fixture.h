/* SPDX-License-Identifier: MIT */
/* The configuration tests' shared fixture: one parse, its result, its diagnostics. */
#ifndef TESTS_UNIT_CONFIG_FIXTURE_H
#define TESTS_UNIT_CONFIG_FIXTURE_H

#include <stddef.h>

#include "core/config.h"

/* The number of elements of an array (not of a pointer). */
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The diagnostics of the running test: empty when it starts, freed when it
 * ends. A test that parses again clears it first (pc_diag_clear). */
extern struct pc_diag diag;
/* What the last successful parse of the running test built, or NULL. Freed
 * when the test ends; a test that parses again frees it and sets it to NULL
 * first. */
extern struct pc_config *cfg;

/* Check fixture, run before each test: empty `diag`, no `cfg`. */
void setup(void);
/* Check fixture, run after each test: frees `cfg` and the entries of
 * `diag`, leaving both empty. */
void teardown(void);

/* Parse `text` (NUL-terminated) as the file "t.yaml" into `diag` and `cfg`.
 * Returns what pc_config_parse returns. */
int parse(const char *text);
/* Parse `text`, which must be refused: asserts POLYCHAT_ECONFIG, no `cfg`
 * and at least one entry in `diag`. */
void parse_bad(const char *text);
/* The text of entry `i` of `diag`, asserting that it exists. Borrowed: valid
 * until `diag` is cleared. */
const char *entry(size_t i);
/* Asserts that `text` is refused with exactly one error, reading `message`. */
void expect_one(const char *text, const char *message);
/* Asserts that `text` is refused with exactly the `n` errors `messages`, in
 * that order. */
void expect_errors(const char *text, const char *const *messages, size_t n);

#endif /* TESTS_UNIT_CONFIG_FIXTURE_H */
