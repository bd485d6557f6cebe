/* SPDX-License-Identifier: MIT */
/* Conformance tests for account_list: order, paging, limit, realms, secrets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance-internal.h"

/*
 * Nothing here assumes how a backend numbers its accounts beyond what
 * store.h promises (unique, never reused): the order expected is always
 * computed from the ids account_put returned, so a backend whose ids have
 * gaps or interleave across nodes passes as long as it lists by id.
 */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The largest number of accounts one test lists. */
#define SEEN_MAX 200

/* What account_list handed to the callback. */
struct acct_seen {
	struct polychat_account accts[SEEN_MAX];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static int collect(void *arg, const struct polychat_account *acct)
{
	struct acct_seen *seen = arg;

	ck_assert_uint_lt(seen->n, SEEN_MAX);
	seen->accts[seen->n++] = *acct;
	return seen->stop_after && seen->n >= seen->stop_after;
}

/* List with a fresh collector, assert success, and return what came. */
static const struct acct_seen *list(const char *realm, uint64_t after_id,
	unsigned limit, size_t stop_after)
{
	static struct acct_seen seen;

	memset(&seen, 0, sizeof(seen));
	seen.stop_after = stop_after;
	CF_OK(OPS->account_list(cf_db, realm, after_id, limit, collect,
		&seen));
	return &seen;
}

/* Whether the text `needle` occurs anywhere in the `len` bytes at `p`. */
static int holds_text(const void *p, size_t len, const char *needle)
{
	const unsigned char *b = p;
	size_t n = strlen(needle);

	for (size_t i = 0; n > 0 && i + n <= len; i++)
		if (memcmp(b + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Assert a listed account is `want` in every field but the secret, which
 * must be empty. */
static void assert_listed_eq(const struct polychat_account *got,
	const struct polychat_account *want)
{
	ck_assert_uint_eq(got->id, want->id);
	ck_assert_str_eq(got->realm, want->realm);
	ck_assert_str_eq(got->name, want->name);
	ck_assert_msg(got->secret[0] == '\0',
		"account %llu listed with a secret",
		(unsigned long long)got->id);
	ck_assert_uint_eq(got->flags, want->flags);
	ck_assert_int_eq(got->created_at, want->created_at);
	ck_assert_int_eq(got->last_seen, want->last_seen);
}

/* Assert the listing is exactly `want[0..n)`, in that order. */
static void assert_listed(const struct acct_seen *seen,
	const struct polychat_account *const *want, size_t n)
{
	ck_assert_uint_eq(seen->n, n);
	for (size_t i = 0; i < n; i++)
		assert_listed_eq(&seen->accts[i], want[i]);
}

static int by_id(const void *a, const void *b)
{
	const struct polychat_account *x =
		*(const struct polychat_account *const *)a;
	const struct polychat_account *y =
		*(const struct polychat_account *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Point `out[0..)` at the accounts of `accts[0..n)` in `realm` whose id is
 * above `after`, in increasing id order: what account_list must return.
 * Returns how many. */
static size_t expected(const struct polychat_account *accts, size_t n,
	const char *realm, uint64_t after,
	const struct polychat_account **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(accts[i].realm, realm) == 0 && accts[i].id > after)
			out[k++] = &accts[i];
	qsort(out, k, sizeof(*out), by_id);
	return k;
}

/* Assert account_list(realm, after, limit) returns the first `limit` (all
 * if 0) of the accounts expected from `accts`. */
static void assert_lists(const struct polychat_account *accts, size_t n,
	const char *realm, uint64_t after, unsigned limit)
{
	const struct polychat_account *want[SEEN_MAX];
	size_t k = expected(accts, n, realm, after, want);

	if (limit && limit < k)
		k = limit;
	const struct acct_seen *seen = list(realm, after, limit, 0);
	ck_assert_msg(seen->n == k, "account_list(%s, %llu, %u): %zu listed, "
		"want %zu", realm, (unsigned long long)after, limit, seen->n,
		k);
	assert_listed(seen, want, k);
}

START_TEST(account_list_order)
{
	char longsecret[POLYCHAT_SECRET_MAX + 1];
	/* Put in this order: the names, creation times and flags all sort
	 * differently from the put order, so only the ids can produce the
	 * listing expected. */
	struct polychat_account accts[] = {
		cf_account("kylo", "mallory", "$2b$04$mallorymallorymallory", 0,
			300, 0),
		cf_account("e2ee", "alice", "$2b$04$othersrealmothersrealm",
			POLYCHAT_ACCOUNT_ADMIN, 50, 60),
		cf_account("kylo", "alice", "$2b$04$alicealicealicealice",
			POLYCHAT_ACCOUNT_ADMIN | POLYCHAT_ACCOUNT_VERIFIED, 100,
			1700000000),
		cf_account("kylo", "zed", "", POLYCHAT_ACCOUNT_BANNED,
			INT64_MIN, INT64_MAX),
		cf_account("kylo", "Bob", cf_repeat(longsecret,
			sizeof(longsecret), 's', POLYCHAT_SECRET_MAX), UINT32_MAX,
			INT64_MAX, -1),
		cf_account("kylo", "bob ", "$2b$04$trailingspacetrailing", 0,
			-5, 0),
		cf_account("kylo", "\xc3\xa9mile", "$2b$04$utf8utf8utf8utf8utf8",
			POLYCHAT_ACCOUNT_VERIFIED, 0, 7),
	};
	const struct polychat_account *want[N_OF(accts)];

	/* An empty realm lists nothing, successfully. */
	ck_assert_uint_eq(list("kylo", 0, 0, 0)->n, 0);
	for (size_t i = 0; i < N_OF(accts); i++)
		cf_put_account(&accts[i]);

	size_t k = expected(accts, N_OF(accts), "kylo", 0, want);
	ck_assert_uint_eq(k, 6);
	assert_listed(list("kylo", 0, 0, 0), want, k);
	k = expected(accts, N_OF(accts), "e2ee", 0, want);
	assert_listed(list("e2ee", 0, 0, 0), want, k);

	/* Listing changes nothing: the same again, and every secret is
	 * still there for account_get. */
	k = expected(accts, N_OF(accts), "kylo", 0, want);
	assert_listed(list("kylo", 0, 0, 0), want, k);
	for (size_t i = 0; i < N_OF(accts); i++) {
		struct polychat_account out;
		CF_OK(OPS->account_get(cf_db, accts[i].realm, accts[i].name, 0,
			&out));
		ck_assert_str_eq(out.secret, accts[i].secret);
	}

	/* Updates show; deleted accounts are gone from the listing. */
	accts[2].flags = POLYCHAT_ACCOUNT_BANNED;
	accts[2].last_seen = 1800000000;
	CF_OK(OPS->account_update(cf_db, &accts[2], POLYCHAT_ACCOUNT_SET_FLAGS
		| POLYCHAT_ACCOUNT_SET_LAST_SEEN));
	CF_OK(OPS->account_delete(cf_db, "kylo", "zed"));
	accts[3].realm[0] = '\0'; /* out of every expected listing */
	k = expected(accts, N_OF(accts), "kylo", 0, want);
	ck_assert_uint_eq(k, 5);
	assert_listed(list("kylo", 0, 0, 0), want, k);
}
END_TEST

START_TEST(account_list_no_secret)
{
	char longsecret[POLYCHAT_SECRET_MAX + 1];
	struct polychat_account accts[] = {
		cf_account("kylo", "alice", "$2b$04$HASHOFALICEHASHOFALICE", 0,
			1, 0),
		cf_account("kylo", "bob", cf_repeat(longsecret,
			sizeof(longsecret), 'h', POLYCHAT_SECRET_MAX),
			POLYCHAT_ACCOUNT_ADMIN, 2, 0),
		cf_account("kylo", "carol", "", 0, 3, 0),
		cf_account("kylo", "dave", "plain secret", 0, 4, 0),
	};

	for (size_t i = 0; i < N_OF(accts); i++)
		cf_put_account(&accts[i]);

	/* No byte of a hash reaches the callback: not in the secret, and
	 * not behind its NUL either. */
	const struct acct_seen *seen = list("kylo", 0, 0, 0);
	ck_assert_uint_eq(seen->n, N_OF(accts));
	for (size_t i = 0; i < seen->n; i++) {
		const struct polychat_account *got = &seen->accts[i];
		ck_assert_str_eq(got->secret, "");
		for (size_t j = 0; j < N_OF(accts); j++)
			ck_assert_msg(!holds_text(got, sizeof(*got),
				accts[j].secret),
				"listed account %zu holds the secret of %zu", i,
				j);
	}
	/* Nor on a page boundary, nor from a limited listing. */
	seen = list("kylo", accts[0].id, 1, 0);
	ck_assert_uint_eq(seen->n, 1);
	ck_assert_str_eq(seen->accts[0].secret, "");
	ck_assert(!holds_text(&seen->accts[0], sizeof(seen->accts[0]),
		"hhhhhhhh"));
}
END_TEST

/* Put `n` accounts u000.. in "kylo" and, between them, every fourth time,
 * one in "e2ee" and one in "kylo2", so that the ids of a realm are not
 * consecutive in any backend that numbers accounts in put order. */
static size_t put_many(struct polychat_account *accts, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "u%03zu", i);
		accts[k] = cf_account("kylo", name, "$2b$04$x", (uint32_t)i % 8,
			1000 + (int64_t)i, (int64_t)i % 3);
		cf_put_account(&accts[k++]);
		if (i % 4 == 1) {
			accts[k] = cf_account("e2ee", name, "$2b$04$y", 0, 1, 0);
			cf_put_account(&accts[k++]);
			accts[k] = cf_account("kylo2", name, "$2b$04$z", 0, 1, 0);
			cf_put_account(&accts[k++]);
		}
	}
	return k;
}

START_TEST(account_list_after_id)
{
	static struct polychat_account accts[SEEN_MAX];
	const size_t n = put_many(accts, 100);
	const struct polychat_account *kylo[SEEN_MAX];
	const size_t nk = expected(accts, n, "kylo", 0, kylo);

	ck_assert_uint_eq(nk, 100);
	/* After every id of the store, of this realm or another, and after
	 * ids no account has: always the accounts of greater id. */
	for (size_t i = 0; i < n; i++) {
		assert_lists(accts, n, "kylo", accts[i].id, 0);
		assert_lists(accts, n, "kylo", accts[i].id + 1, 0);
		if (accts[i].id > 0)
			assert_lists(accts, n, "kylo", accts[i].id - 1, 0);
	}
	assert_lists(accts, n, "kylo", 0, 0);
	assert_lists(accts, n, "e2ee", kylo[50]->id, 0);
	/* After the last one, and after ids no store can reach. */
	ck_assert_uint_eq(list("kylo", kylo[nk - 1]->id, 0, 0)->n, 0);
	ck_assert_uint_eq(list("kylo", (uint64_t)INT64_MAX, 0, 0)->n, 0);
	ck_assert_uint_eq(list("kylo", (uint64_t)INT64_MAX + 1, 0, 0)->n, 0);
	ck_assert_uint_eq(list("kylo", UINT64_MAX, 0, 0)->n, 0);

	/* Paging as a caller does: the last id seen is the next after_id.
	 * Every page size gives the whole realm once, in order. */
	static const unsigned pages[] = { 1, 2, 7, 31, 32, 33, 64, 99, 100 };
	for (size_t p = 0; p < N_OF(pages); p++) {
		uint64_t after = 0;
		size_t got = 0;
		for (;;) {
			const struct acct_seen *seen = list("kylo", after,
				pages[p], 0);
			ck_assert_uint_le(seen->n, pages[p]);
			ck_assert_uint_le(got + seen->n, nk);
			for (size_t i = 0; i < seen->n; i++)
				assert_listed_eq(&seen->accts[i], kylo[got + i]);
			got += seen->n;
			if (seen->n < pages[p])
				break;
			after = seen->accts[seen->n - 1].id;
		}
		ck_assert_msg(got == nk, "pages of %u: %zu listed, want %zu",
			pages[p], got, nk);
	}
}
END_TEST

START_TEST(account_list_limit)
{
	static struct polychat_account accts[SEEN_MAX];
	const size_t n = put_many(accts, 100);
	const struct polychat_account *kylo[SEEN_MAX];
	const size_t nk = expected(accts, n, "kylo", 0, kylo);
	static const unsigned limits[] = {
		0, 1, 2, 31, 32, 33, 63, 64, 65, 99, 100, 101, 1000, UINT32_MAX,
	};

	/* 0 is no limit; otherwise at most `limit`, counting the accounts
	 * listed, not the rows of other realms skipped. */
	for (size_t i = 0; i < N_OF(limits); i++) {
		assert_lists(accts, n, "kylo", 0, limits[i]);
		assert_lists(accts, n, "kylo", kylo[40]->id, limits[i]);
		assert_lists(accts, n, "e2ee", 0, limits[i]);
	}
	ck_assert_uint_eq(list("kylo", 0, 0, 0)->n, nk);
	ck_assert_uint_eq(list("kylo", 0, UINT32_MAX, 0)->n, nk);
	ck_assert_uint_eq(list("kylo", kylo[nk - 2]->id, 5, 0)->n, 1);
}
END_TEST

START_TEST(account_list_realms)
{
	char realm[POLYCHAT_REALM_MAX + 1];
	struct polychat_account accts[] = {
		cf_account("kylo", "alice", "a", 0, 1, 0),
		cf_account("KYLO", "alice", "b", 0, 2, 0),
		cf_account("kyl", "alice", "c", 0, 3, 0),
		cf_account("kylo ", "alice", "d", 0, 4, 0),
		cf_account("kylo2", "alice", "e", 0, 5, 0),
		cf_account("e2ee", "bob", "f", 0, 6, 0),
		cf_account("kylo", "bob", "g", 0, 7, 0),
		cf_account(cf_repeat(realm, sizeof(realm), 'r',
			POLYCHAT_REALM_MAX), "carol", "h", 0, 8, 0),
	};
	const char *const realms[] = {
		"kylo", "KYLO", "kyl", "kylo ", "kylo2", "e2ee", realm,
	};

	for (size_t i = 0; i < N_OF(accts); i++)
		cf_put_account(&accts[i]);
	/* A realm is compared exactly and never shows another's accounts. */
	for (size_t i = 0; i < N_OF(realms); i++)
		assert_lists(accts, N_OF(accts), realms[i], 0, 0);
	ck_assert_uint_eq(list("kylo", 0, 0, 0)->n, 2);
	ck_assert_uint_eq(list("nowhere", 0, 0, 0)->n, 0);
	ck_assert_uint_eq(list("k", 0, 0, 0)->n, 0);
	/* An id of another realm is a fine cursor, and shows nothing of
	 * its own realm. */
	assert_lists(accts, N_OF(accts), "kylo", accts[1].id, 0);
	assert_lists(accts, N_OF(accts), "e2ee", accts[0].id, 0);
}
END_TEST

START_TEST(account_list_stop)
{
	static struct polychat_account accts[SEEN_MAX];
	const size_t n = put_many(accts, 100);
	const struct polychat_account *kylo[SEEN_MAX];
	const size_t nk = expected(accts, n, "kylo", 0, kylo);
	static const size_t stops[] = { 1, 2, 31, 32, 33, 64, 65, 99, 100 };

	/* A non-zero return stops the listing at once, with success. */
	for (size_t i = 0; i < N_OF(stops); i++) {
		const struct acct_seen *seen = list("kylo", 0, 0, stops[i]);
		assert_listed(seen, kylo, stops[i]);
		seen = list("kylo", kylo[9]->id, 1000, stops[i]);
		assert_listed(seen, kylo + 10, stops[i] < nk - 10 ? stops[i]
			: nk - 10);
	}
	/* Whichever comes first, the limit or the stop, ends it. */
	assert_listed(list("kylo", 0, 5, 10), kylo, 5);
	assert_listed(list("kylo", 0, 10, 5), kylo, 5);
}
END_TEST

/* The callback of account_list_reentrant: it calls the store, including
 * account_list itself, and deletes each account it is handed. */
struct reentry {
	size_t calls;
	uint64_t last;
};

static int reenter(void *arg, const struct polychat_account *acct)
{
	struct reentry *r = arg;
	struct polychat_account got;
	struct acct_seen inner;

	/* Increasing ids, none handed out twice. */
	if (r->calls > 0)
		ck_assert_uint_gt(acct->id, r->last);
	r->last = acct->id;
	r->calls++;

	/* The record is the stored one, secret aside. */
	CF_OK(OPS->account_get_id(cf_db, acct->realm, acct->id, &got));
	ck_assert_str_ne(got.secret, "");
	got.secret[0] = '\0';
	assert_listed_eq(acct, &got);

	/* Every account before this one was deleted: listing the realm from
	 * the start finds this one first. */
	memset(&inner, 0, sizeof(inner));
	CF_OK(OPS->account_list(cf_db, acct->realm, 0, 1, collect, &inner));
	ck_assert_uint_eq(inner.n, 1);
	ck_assert_uint_eq(inner.accts[0].id, acct->id);

	/* Writes are allowed too: this one goes, an account of another realm
	 * comes. */
	CF_OK(OPS->account_delete(cf_db, acct->realm, acct->name));
	struct polychat_account other = cf_account("elsewhere", acct->name,
		"x", 0, 1, 0);
	CF_OK(OPS->account_put(cf_db, &other, NULL));
	return 0;
}

START_TEST(account_list_reentrant)
{
	static struct polychat_account accts[SEEN_MAX];
	const size_t n = put_many(accts, 80);
	const struct polychat_account *kylo[SEEN_MAX];
	const size_t nk = expected(accts, n, "kylo", 0, kylo);
	struct reentry r = { .calls = 0 };

	/* More than two pages of any backend that reads in pages of 32. */
	CF_OK(OPS->account_list(cf_db, "kylo", 0, 0, reenter, &r));
	ck_assert_uint_eq(r.calls, nk);
	ck_assert_uint_eq(r.last, kylo[nk - 1]->id);
	ck_assert_uint_eq(list("kylo", 0, 0, 0)->n, 0);
	/* The realms the callback did not touch are as they were; the one
	 * it wrote to has what it wrote. */
	assert_lists(accts, n, "kylo2", 0, 0);
	assert_lists(accts, n, "e2ee", 0, 0);
	ck_assert_uint_eq(list("elsewhere", 0, 0, 0)->n, nk);
}
END_TEST

static int null_arg_calls;

static int count_null_arg(void *arg, const struct polychat_account *acct)
{
	ck_assert_ptr_null(arg);
	null_arg_calls++;
	return 0;
}

START_TEST(account_list_bounds)
{
	char longrealm[POLYCHAT_REALM_MAX + 2];
	struct polychat_account a = cf_account("kylo", "alice", "s", 0, 1, 0);
	struct acct_seen seen = { .n = 0 };

	cf_repeat(longrealm, sizeof(longrealm), 'r', POLYCHAT_REALM_MAX + 1);
	cf_put_account(&a);

	/* A call that fails never calls back; arguments are checked whatever
	 * the cursor and the limit. */
	CF_STATUS(OPS->account_list(cf_db, NULL, 0, 0, collect, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_list(cf_db, "", 0, 10, collect, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_list(cf_db, longrealm, 0, 0, collect, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_list(cf_db, "kylo", 0, 0, NULL, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_list(cf_db, "kylo", 0, 10, NULL, NULL),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_list(cf_db, "", UINT64_MAX, 0, collect, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_list(cf_db, "kylo", UINT64_MAX, 1, NULL, NULL),
		POLYCHAT_EINVAL);
	ck_assert_uint_eq(seen.n, 0);

	/* The callback's argument is the caller's own: NULL is fine. */
	null_arg_calls = 0;
	CF_OK(OPS->account_list(cf_db, "kylo", 0, 0, count_null_arg, NULL));
	ck_assert_int_eq(null_arg_calls, 1);
	const struct acct_seen *got = list("kylo", 0, 0, 0);
	ck_assert_uint_eq(got->n, 1);
	assert_listed_eq(&got->accts[0], &a);
}
END_TEST

/* Optional in the ABI, but not for a backend this suite is run on: say so
 * rather than crash on a NULL pointer. */
static void require_account_list(void)
{
	ck_assert_msg(OPS->account_list != NULL,
		"the backend has no account_list (ABI 1.1)");
}

/* cf_tcase_account_list - see conformance-internal.h. */
TCase *cf_tcase_account_list(void)
{
	TCase *tc = cf_tcase_new("account_list");

	tcase_add_checked_fixture(tc, require_account_list, NULL);

	tcase_add_test(tc, account_list_order);
	tcase_add_test(tc, account_list_no_secret);
	tcase_add_test(tc, account_list_after_id);
	tcase_add_test(tc, account_list_limit);
	tcase_add_test(tc, account_list_realms);
	tcase_add_test(tc, account_list_stop);
	tcase_add_test(tc, account_list_reentrant);
	tcase_add_test(tc, account_list_bounds);
	return tc;
}
