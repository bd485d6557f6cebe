/* SPDX-License-Identifier: MIT */
/* Shared helpers of the store conformance suite's files (not for backends). */
#ifndef STORE_CONFORMANCE_INTERNAL_H
#define STORE_CONFORMANCE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include <polychat/store.h>

#include "conformance.h"

/* The fixture of the running suite and the store open for this test. */
extern struct store_fixture cf_fx;
extern void *cf_db;

#define OPS (cf_fx.ops)
#define HOST (cf_fx.host)

/* Assert that `call` returns `want`, naming both statuses on failure. */
#define CF_STATUS(call, want)                                                \
	do {                                                                 \
		int cf_rc_ = (call);                                         \
		int cf_want_ = (want);                                       \
		ck_assert_msg(cf_rc_ == cf_want_, "%s: got %s (%d), want %s", \
			#call, polychat_status_name(cf_rc_), cf_rc_,         \
			polychat_status_name(cf_want_));                     \
	} while (0)

#define CF_OK(call) CF_STATUS(call, POLYCHAT_OK)

/* The byte out-parameters are filled with before a call that must fail. */
#define CF_POISON 0xa5

/* Fill `p` with CF_POISON. */
void cf_poison(void *p, size_t len);
/* Assert that `p` still holds nothing but CF_POISON. */
void cf_assert_poisoned(const void *p, size_t len, const char *what);

/* Close the store and open it again from the same options: a restart. */
void cf_reopen(void);
/* Open a second instance of the same store into *db; the test closes it. */
void cf_open_another(void **db);

/* Build records; strings are copied with their bounds checked (a string
 * that does not fit fails the test: use the arrays directly to build
 * over-long values on purpose). */
struct polychat_account cf_account(const char *realm, const char *name,
	const char *secret, uint32_t flags, int64_t created_at,
	int64_t last_seen);
struct polychat_token cf_token(const char *token, const char *realm,
	const char *name, int64_t issued_at, int64_t expires_at);
struct polychat_queued cf_item(const char *realm, const char *recipient,
	const char *sender, const void *body, size_t body_len,
	int64_t queued_at);
struct polychat_challenge cf_challenge(const char *realm,
	const char *subject, const char *secret, uint32_t attempts,
	int64_t created_at, int64_t expires_at);
struct polychat_audit cf_audit(const char *realm, const char *name,
	const char *event, const char *address, int64_t size, int64_t at);

/* account_put `a`, assert success, and record the id the store assigned
 * in a->id (which account_put ignores); returns it too. */
uint64_t cf_put_account(struct polychat_account *a);

/* Whether `id` is one of the `n` ids in `ids`. */
int cf_id_in(uint64_t id, const uint64_t *ids, size_t n);

/* A string of `len` copies of `c` in `buf` of `cap` bytes. */
const char *cf_repeat(char *buf, size_t cap, char c, size_t len);

/* The test cases of each area, with the fixture already attached. */
TCase *cf_tcase_accounts(void);
TCase *cf_tcase_account_list(void);
TCase *cf_tcase_tokens(void);
TCase *cf_tcase_token_list(void);
TCase *cf_tcase_challenges(void);
TCase *cf_tcase_keys(void);
TCase *cf_tcase_queue(void);
TCase *cf_tcase_audit(void);
TCase *cf_tcase_lifecycle(void);

/* A TCase named `name` with the per-test store fixture attached. */
TCase *cf_tcase_new(const char *name);

#endif /* STORE_CONFORMANCE_INTERNAL_H */
