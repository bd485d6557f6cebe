/* SPDX-License-Identifier: MIT */
/* Conformance tests for accounts (and their ids) and one-time challenges. */
#include <string.h>

#include "conformance-internal.h"

/* Assert two accounts are equal, naming the first field that is not. */
static void assert_account_eq(const struct polychat_account *got,
	const struct polychat_account *want)
{
	ck_assert_uint_eq(got->id, want->id);
	ck_assert_str_eq(got->realm, want->realm);
	ck_assert_str_eq(got->name, want->name);
	ck_assert_str_eq(got->secret, want->secret);
	ck_assert_uint_eq(got->flags, want->flags);
	ck_assert_int_eq(got->created_at, want->created_at);
	ck_assert_int_eq(got->last_seen, want->last_seen);
}

/* Look up `name` with `flags` and assert the stored spelling found. */
static void assert_found_as(const char *realm, const char *name,
	unsigned flags, const char *stored)
{
	struct polychat_account out;

	CF_OK(OPS->account_get(cf_db, realm, name, flags, &out));
	ck_assert_str_eq(out.name, stored);
}

static void assert_account_absent(const char *realm, const char *name,
	unsigned flags)
{
	struct polychat_account out;

	cf_poison(&out, sizeof(out));
	CF_STATUS(OPS->account_get(cf_db, realm, name, flags, &out),
		POLYCHAT_ENOTFOUND);
	cf_assert_poisoned(&out, sizeof(out), "account_get");
}

/* Look up `id` in `realm` and assert the whole record found. */
static void assert_id_is(const char *realm, uint64_t id,
	const struct polychat_account *want)
{
	struct polychat_account out;

	CF_OK(OPS->account_get_id(cf_db, realm, id, &out));
	assert_account_eq(&out, want);
}

static void assert_id_absent(const char *realm, uint64_t id)
{
	struct polychat_account out;

	cf_poison(&out, sizeof(out));
	CF_STATUS(OPS->account_get_id(cf_db, realm, id, &out),
		POLYCHAT_ENOTFOUND);
	cf_assert_poisoned(&out, sizeof(out), "account_get_id");
}

/* account_put that must fail with `want`, leaving *id alone. */
static void assert_put_fails(const struct polychat_account *a, int want)
{
	uint64_t id;

	cf_poison(&id, sizeof(id));
	CF_STATUS(OPS->account_put(cf_db, a, &id), want);
	cf_assert_poisoned(&id, sizeof(id), "account_put id");
}

START_TEST(account_roundtrip)
{
	char realm[POLYCHAT_REALM_MAX + 1];
	char name[POLYCHAT_NAME_MAX + 1];
	char secret[POLYCHAT_SECRET_MAX + 1];
	struct polychat_account a = cf_account("kylo", "alice",
		"$2b$12$abcdefghijklmnopqrstuv", POLYCHAT_ACCOUNT_ADMIN
		| POLYCHAT_ACCOUNT_VERIFIED, 1700000000, 0);
	/* Every string at exactly its bound must be accepted and kept. */
	struct polychat_account full = cf_account(
		cf_repeat(realm, sizeof(realm), 'r', POLYCHAT_REALM_MAX),
		cf_repeat(name, sizeof(name), 'n', POLYCHAT_NAME_MAX),
		cf_repeat(secret, sizeof(secret), 's', POLYCHAT_SECRET_MAX),
		UINT32_MAX, INT64_MIN, INT64_MAX);
	struct polychat_account empty_secret = cf_account("kylo", "bob", "",
		0, -5, 42);
	struct polychat_account out;

	cf_put_account(&a);
	cf_put_account(&full);
	cf_put_account(&empty_secret);

	CF_OK(OPS->account_get(cf_db, "kylo", "alice", 0, &out));
	assert_account_eq(&out, &a);
	CF_OK(OPS->account_get(cf_db, full.realm, full.name, 0, &out));
	assert_account_eq(&out, &full);
	CF_OK(OPS->account_get(cf_db, "kylo", "bob", 0, &out));
	assert_account_eq(&out, &empty_secret);
}
END_TEST

START_TEST(account_duplicate)
{
	struct polychat_account a = cf_account("kylo", "alice", "first", 1,
		10, 0);
	struct polychat_account again = cf_account("kylo", "alice", "second",
		2, 20, 0);
	struct polychat_account other = cf_account("e2ee", "alice", "other",
		0, 30, 0);
	struct polychat_account out;

	cf_put_account(&a);
	assert_put_fails(&again, POLYCHAT_EEXIST);
	CF_OK(OPS->account_get(cf_db, "kylo", "alice", 0, &out));
	assert_account_eq(&out, &a);
	/* The same name in another realm is another account. */
	cf_put_account(&other);
	ck_assert_uint_ne(other.id, a.id);
	CF_OK(OPS->account_get(cf_db, "e2ee", "alice", 0, &out));
	assert_account_eq(&out, &other);
	/* An exact lookup is exact: another case is another name. */
	struct polychat_account upper = cf_account("kylo", "Alice", "up", 0,
		40, 0);
	cf_put_account(&upper);
	CF_OK(OPS->account_get(cf_db, "kylo", "Alice", 0, &out));
	assert_account_eq(&out, &upper);
	CF_OK(OPS->account_get(cf_db, "kylo", "alice", 0, &out));
	assert_account_eq(&out, &a);
}
END_TEST

START_TEST(account_not_found)
{
	struct polychat_account a = cf_account("kylo", "alice", "x", 0, 1, 0);

	assert_account_absent("kylo", "alice", 0);
	assert_account_absent("kylo", "alice", POLYCHAT_LOOKUP_FOLD);
	CF_OK(OPS->account_put(cf_db, &a, NULL));
	assert_account_absent("kylo", "alicia", 0);
	assert_account_absent("other", "alice", 0);
	assert_account_absent("other", "alice", POLYCHAT_LOOKUP_FOLD);
}
END_TEST

START_TEST(account_fold)
{
	struct polychat_account alice = cf_account("kylo", "Alice", "s", 0, 1,
		0);
	struct polychat_account padded = cf_account("kylo", "carol  ", "s", 0,
		1, 0);
	struct polychat_account out;

	cf_put_account(&alice);
	cf_put_account(&padded);

	assert_account_absent("kylo", "alice", 0);
	assert_found_as("kylo", "alice", POLYCHAT_LOOKUP_FOLD, "Alice");
	assert_found_as("kylo", "ALICE", POLYCHAT_LOOKUP_FOLD, "Alice");
	assert_found_as("kylo", "aLiCe   ", POLYCHAT_LOOKUP_FOLD, "Alice");
	assert_found_as("kylo", "Alice", POLYCHAT_LOOKUP_FOLD, "Alice");
	/* The whole record comes back, with the stored spelling. */
	CF_OK(OPS->account_get(cf_db, "kylo", "ALICE ", POLYCHAT_LOOKUP_FOLD,
		&out));
	assert_account_eq(&out, &alice);

	/* Trailing spaces of the stored name are ignored too. */
	assert_found_as("kylo", "CAROL", POLYCHAT_LOOKUP_FOLD, "carol  ");
	assert_found_as("kylo", "carol ", POLYCHAT_LOOKUP_FOLD, "carol  ");
	assert_account_absent("kylo", "carol", 0);

	/* Only trailing spaces: not leading ones, not other blanks, and not
	 * a prefix. */
	assert_account_absent("kylo", " alice", POLYCHAT_LOOKUP_FOLD);
	assert_account_absent("kylo", "alice\t", POLYCHAT_LOOKUP_FOLD);
	assert_account_absent("kylo", "alic", POLYCHAT_LOOKUP_FOLD);
	assert_account_absent("kylo", "alices", POLYCHAT_LOOKUP_FOLD);
	assert_account_absent("KYLO", "alice", POLYCHAT_LOOKUP_FOLD);
}
END_TEST

START_TEST(account_fold_prefers_exact)
{
	struct polychat_account lower = cf_account("kylo", "bob", "l", 0, 1,
		0);
	struct polychat_account upper = cf_account("kylo", "Bob", "u", 0, 2,
		0);

	struct polychat_account out;

	cf_put_account(&lower);
	cf_put_account(&upper);
	assert_found_as("kylo", "bob", POLYCHAT_LOOKUP_FOLD, "bob");
	assert_found_as("kylo", "Bob", POLYCHAT_LOOKUP_FOLD, "Bob");
	/* No exact match: the first spelling in byte order ('B' < 'b'). */
	assert_found_as("kylo", "BOB", POLYCHAT_LOOKUP_FOLD, "Bob");
	/* The record found is that spelling's, its id included. */
	CF_OK(OPS->account_get(cf_db, "kylo", "BOB", POLYCHAT_LOOKUP_FOLD,
		&out));
	assert_account_eq(&out, &upper);
	CF_OK(OPS->account_get(cf_db, "kylo", "bob", POLYCHAT_LOOKUP_FOLD,
		&out));
	assert_account_eq(&out, &lower);
	/* A trailing space makes no spelling exact: byte order again. */
	CF_OK(OPS->account_get(cf_db, "kylo", "bob ", POLYCHAT_LOOKUP_FOLD,
		&out));
	assert_account_eq(&out, &upper);
}
END_TEST

START_TEST(account_update)
{
	struct polychat_account a = cf_account("kylo", "alice", "old", 1, 100,
		0);
	struct polychat_account change = cf_account("kylo", "alice", "new",
		POLYCHAT_ACCOUNT_BANNED, 999, 555);
	struct polychat_account out;

	cf_put_account(&a);
	struct polychat_account want = a;
	/* An account is named by (realm, name): the id of `change` is not
	 * read, and no update changes the stored id. */
	change.id = a.id + 1000;

	/* Each field alone; the other fields of `change` must be ignored,
	 * and created_at never changes. */
	CF_OK(OPS->account_update(cf_db, &change,
		POLYCHAT_ACCOUNT_SET_SECRET));
	strcpy(want.secret, "new");
	CF_OK(OPS->account_get(cf_db, "kylo", "alice", 0, &out));
	assert_account_eq(&out, &want);

	CF_OK(OPS->account_update(cf_db, &change, POLYCHAT_ACCOUNT_SET_FLAGS));
	want.flags = POLYCHAT_ACCOUNT_BANNED;
	CF_OK(OPS->account_get(cf_db, "kylo", "alice", 0, &out));
	assert_account_eq(&out, &want);

	CF_OK(OPS->account_update(cf_db, &change,
		POLYCHAT_ACCOUNT_SET_LAST_SEEN));
	want.last_seen = 555;
	CF_OK(OPS->account_get(cf_db, "kylo", "alice", 0, &out));
	assert_account_eq(&out, &want);

	/* All at once. */
	struct polychat_account all = cf_account("kylo", "alice", "", 0, 1,
		777);
	all.id = a.id + 1;
	CF_OK(OPS->account_update(cf_db, &all, POLYCHAT_ACCOUNT_SET_SECRET
		| POLYCHAT_ACCOUNT_SET_FLAGS | POLYCHAT_ACCOUNT_SET_LAST_SEEN));
	want.secret[0] = '\0';
	want.flags = 0;
	want.last_seen = 777;
	CF_OK(OPS->account_get(cf_db, "kylo", "alice", 0, &out));
	assert_account_eq(&out, &want);
	assert_id_is("kylo", a.id, &want);
}
END_TEST

START_TEST(account_update_missing)
{
	struct polychat_account a = cf_account("kylo", "alice", "s", 0, 1, 0);
	struct polychat_account ghost = cf_account("kylo", "ghost", "s", 0, 1,
		0);
	struct polychat_account elsewhere = cf_account("other", "alice", "x",
		3, 1, 9);
	struct polychat_account out;

	cf_put_account(&a);
	/* Even carrying an existing id, an unknown name is not found. */
	ghost.id = a.id;
	CF_STATUS(OPS->account_update(cf_db, &ghost,
		POLYCHAT_ACCOUNT_SET_FLAGS), POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->account_update(cf_db, &elsewhere,
		POLYCHAT_ACCOUNT_SET_FLAGS), POLYCHAT_ENOTFOUND);
	assert_account_absent("kylo", "ghost", 0);
	/* Updating an unchanged value still finds the row. */
	CF_OK(OPS->account_update(cf_db, &a, POLYCHAT_ACCOUNT_SET_FLAGS));
	CF_OK(OPS->account_get(cf_db, "kylo", "alice", 0, &out));
	assert_account_eq(&out, &a);
}
END_TEST

START_TEST(account_delete)
{
	struct polychat_account a = cf_account("kylo", "alice", "s", 0, 1, 0);
	struct polychat_account b = cf_account("kylo", "bob", "s", 0, 1, 0);
	struct polychat_account other = cf_account("e2ee", "alice", "s", 0, 1,
		0);
	struct polychat_account out;

	cf_put_account(&a);
	CF_OK(OPS->account_put(cf_db, &b, NULL));
	CF_OK(OPS->account_put(cf_db, &other, NULL));
	CF_OK(OPS->account_delete(cf_db, "kylo", "alice"));
	assert_account_absent("kylo", "alice", 0);
	assert_id_absent("kylo", a.id);
	assert_account_absent("kylo", "ALICE", POLYCHAT_LOOKUP_FOLD);
	CF_STATUS(OPS->account_delete(cf_db, "kylo", "alice"),
		POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->account_delete(cf_db, "kylo", "nobody"),
		POLYCHAT_ENOTFOUND);
	CF_OK(OPS->account_get(cf_db, "kylo", "bob", 0, &out));
	CF_OK(OPS->account_get(cf_db, "e2ee", "alice", 0, &out));
	/* The name is free again, as a new account with a new id. */
	uint64_t old = a.id;
	cf_put_account(&a);
	ck_assert_uint_ne(a.id, old);
	assert_id_absent("kylo", old);
	assert_id_is("kylo", a.id, &a);
}
END_TEST

START_TEST(account_bounds)
{
	char longname[POLYCHAT_NAME_MAX + 2];
	char longrealm[POLYCHAT_REALM_MAX + 2];
	struct polychat_account a = cf_account("kylo", "alice", "s", 0, 1, 0);
	struct polychat_account out;

	cf_repeat(longname, sizeof(longname), 'n', POLYCHAT_NAME_MAX + 1);
	cf_repeat(longrealm, sizeof(longrealm), 'r', POLYCHAT_REALM_MAX + 1);

	/* Arrays filled to the last byte have no room for the NUL. */
	struct polychat_account bad = a;
	memset(bad.name, 'n', sizeof(bad.name));
	assert_put_fails(&bad, POLYCHAT_EINVAL);
	bad = a;
	memset(bad.realm, 'r', sizeof(bad.realm));
	assert_put_fails(&bad, POLYCHAT_EINVAL);
	bad = a;
	memset(bad.secret, 's', sizeof(bad.secret));
	assert_put_fails(&bad, POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_update(cf_db, &bad,
		POLYCHAT_ACCOUNT_SET_SECRET), POLYCHAT_EINVAL);
	bad = a;
	bad.name[0] = '\0';
	assert_put_fails(&bad, POLYCHAT_EINVAL);
	bad = a;
	bad.realm[0] = '\0';
	assert_put_fails(&bad, POLYCHAT_EINVAL);
	assert_put_fails(NULL, POLYCHAT_EINVAL);

	cf_put_account(&a);
	cf_poison(&out, sizeof(out));
	CF_STATUS(OPS->account_get(cf_db, "kylo", longname, 0, &out),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_get(cf_db, longrealm, "alice", 0, &out),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_get(cf_db, "kylo", longname,
		POLYCHAT_LOOKUP_FOLD, &out), POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_get(cf_db, "kylo", NULL, 0, &out),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_get(cf_db, "", "alice", 0, &out),
		POLYCHAT_EINVAL);
	cf_assert_poisoned(&out, sizeof(out), "account_get");
	/* By id: the realm is checked like any other, even when the id
	 * exists. */
	CF_STATUS(OPS->account_get_id(cf_db, longrealm, a.id, &out),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_get_id(cf_db, "", a.id, &out),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_get_id(cf_db, NULL, a.id, &out),
		POLYCHAT_EINVAL);
	cf_assert_poisoned(&out, sizeof(out), "account_get_id");
	CF_STATUS(OPS->account_get_id(cf_db, "kylo", a.id, NULL),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_get(cf_db, "kylo", "alice", 0, NULL),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_delete(cf_db, "kylo", longname),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->account_update(cf_db, &a, 0), POLYCHAT_EINVAL);
	/* The valid account was not disturbed by any of it. */
	CF_OK(OPS->account_get(cf_db, "kylo", "alice", 0, &out));
	assert_account_eq(&out, &a);
	assert_id_is("kylo", a.id, &a);
}
END_TEST

START_TEST(account_ids)
{
	struct polychat_account accts[] = {
		cf_account("kylo", "alice", "s1", 1, 10, 0),
		cf_account("kylo", "bob", "s2", 2, 20, 0),
		cf_account("e2ee", "alice", "s3", 3, 30, 0),
		cf_account("kylo", "Alice", "s4", 4, 40, 0),
	};
	const size_t n = sizeof(accts) / sizeof(accts[0]);
	uint64_t ids[sizeof(accts) / sizeof(accts[0])];
	struct polychat_account out;

	for (size_t i = 0; i < n; i++) {
		/* acct->id is ignored on put: even one naming an existing
		 * account's id gets a new one. */
		if (i > 0)
			accts[i].id = ids[0];
		ids[i] = cf_put_account(&accts[i]);
		ck_assert_msg(!cf_id_in(ids[i], ids, i),
			"account %zu got the id %llu of an earlier one", i,
			(unsigned long long)ids[i]);
	}
	/* Every lookup hands out the id assigned, by name or by id. */
	for (size_t i = 0; i < n; i++) {
		CF_OK(OPS->account_get(cf_db, accts[i].realm, accts[i].name, 0,
			&out));
		assert_account_eq(&out, &accts[i]);
		assert_id_is(accts[i].realm, ids[i], &accts[i]);
	}
	CF_OK(OPS->account_get(cf_db, "kylo", "ALICE", POLYCHAT_LOOKUP_FOLD,
		&out));
	ck_assert_uint_eq(out.id, ids[3]);

	/* The id out-parameter is optional; the account still has one. */
	struct polychat_account carol = cf_account("kylo", "carol", "", 0, 50,
		0);
	CF_OK(OPS->account_put(cf_db, &carol, NULL));
	CF_OK(OPS->account_get(cf_db, "kylo", "carol", 0, &out));
	ck_assert(!cf_id_in(out.id, ids, n));
	carol.id = out.id;
	assert_id_is("kylo", carol.id, &carol);
}
END_TEST

START_TEST(account_get_id)
{
	struct polychat_account alice = cf_account("kylo", "alice", "a", 1,
		10, 11);
	struct polychat_account bob = cf_account("e2ee", "bob", "b", 2, 20,
		21);

	cf_put_account(&alice);
	cf_put_account(&bob);
	assert_id_is("kylo", alice.id, &alice);
	assert_id_is("e2ee", bob.id, &bob);

	/* An id is found only in the realm of its account. */
	assert_id_absent("e2ee", alice.id);
	assert_id_absent("kylo", bob.id);
	assert_id_absent("KYLO", alice.id);
	assert_id_absent("nowhere", alice.id);

	/* Ids never assigned are not found. */
	const uint64_t assigned[] = { alice.id, bob.id };
	const uint64_t others[] = {
		0, 1, 2, alice.id + 1, bob.id + 1, alice.id + bob.id + 1,
		(uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX,
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		if (cf_id_in(others[i], assigned, 2))
			continue;
		assert_id_absent("kylo", others[i]);
		assert_id_absent("e2ee", others[i]);
	}

	/* Deleted: the id is gone with the account, the other stays. */
	CF_OK(OPS->account_delete(cf_db, "kylo", "alice"));
	assert_id_absent("kylo", alice.id);
	assert_id_is("e2ee", bob.id, &bob);
}
END_TEST

START_TEST(account_ids_never_reused)
{
	struct polychat_account a = cf_account("kylo", "a", "", 0, 1, 0);
	struct polychat_account b = cf_account("kylo", "b", "", 0, 2, 0);
	struct polychat_account c = cf_account("kylo", "c", "", 0, 3, 0);
	uint64_t ids[6];
	size_t n = 0;

	ids[n++] = cf_put_account(&a);
	ids[n++] = cf_put_account(&b);
	ids[n++] = cf_put_account(&c);
	/* The newest account and another go: no later account may get
	 * either id, whatever the name. */
	CF_OK(OPS->account_delete(cf_db, "kylo", "c"));
	CF_OK(OPS->account_delete(cf_db, "kylo", "b"));
	struct polychat_account d = cf_account("kylo", "d", "", 0, 4, 0);
	uint64_t id = cf_put_account(&d);
	ck_assert(!cf_id_in(id, ids, n));
	ids[n++] = id;
	id = cf_put_account(&c);
	ck_assert(!cf_id_in(id, ids, n));
	ids[n++] = id;
	assert_id_absent("kylo", ids[1]);
	assert_id_absent("kylo", ids[2]);
	assert_id_is("kylo", c.id, &c);

	/* Even an empty table does not start over. */
	CF_OK(OPS->account_delete(cf_db, "kylo", "a"));
	CF_OK(OPS->account_delete(cf_db, "kylo", "c"));
	CF_OK(OPS->account_delete(cf_db, "kylo", "d"));
	id = cf_put_account(&a);
	ck_assert(!cf_id_in(id, ids, n));
}
END_TEST

/* cf_tcase_accounts - see conformance-internal.h. */
TCase *cf_tcase_accounts(void)
{
	TCase *tc = cf_tcase_new("accounts");

	tcase_add_test(tc, account_roundtrip);
	tcase_add_test(tc, account_duplicate);
	tcase_add_test(tc, account_not_found);
	tcase_add_test(tc, account_fold);
	tcase_add_test(tc, account_fold_prefers_exact);
	tcase_add_test(tc, account_update);
	tcase_add_test(tc, account_update_missing);
	tcase_add_test(tc, account_delete);
	tcase_add_test(tc, account_bounds);
	tcase_add_test(tc, account_ids);
	tcase_add_test(tc, account_get_id);
	tcase_add_test(tc, account_ids_never_reused);
	return tc;
}

static void assert_challenge_eq(const struct polychat_challenge *got,
	const struct polychat_challenge *want)
{
	ck_assert_str_eq(got->realm, want->realm);
	ck_assert_str_eq(got->subject, want->subject);
	ck_assert_str_eq(got->secret, want->secret);
	ck_assert_uint_eq(got->attempts, want->attempts);
	ck_assert_int_eq(got->created_at, want->created_at);
	ck_assert_int_eq(got->expires_at, want->expires_at);
}

static void assert_challenge_absent(const char *realm, const char *subject)
{
	struct polychat_challenge out;

	cf_poison(&out, sizeof(out));
	CF_STATUS(OPS->challenge_get(cf_db, realm, subject, &out),
		POLYCHAT_ENOTFOUND);
	cf_assert_poisoned(&out, sizeof(out), "challenge_get");
}

START_TEST(challenge_roundtrip)
{
	struct polychat_challenge c = cf_challenge("e2ee", "+15551234567",
		"492817", 0, 1000, 1300);
	struct polychat_challenge other = cf_challenge("kylo", "+15551234567",
		"111111", 2, 5, 6);
	struct polychat_challenge out;

	assert_challenge_absent("e2ee", "+15551234567");
	CF_OK(OPS->challenge_put(cf_db, &c));
	CF_OK(OPS->challenge_put(cf_db, &other));
	CF_OK(OPS->challenge_get(cf_db, "e2ee", "+15551234567", &out));
	assert_challenge_eq(&out, &c);
	CF_OK(OPS->challenge_get(cf_db, "kylo", "+15551234567", &out));
	assert_challenge_eq(&out, &other);
	assert_challenge_absent("e2ee", "+15550000000");
}
END_TEST

START_TEST(challenge_replace)
{
	struct polychat_challenge c = cf_challenge("e2ee", "bob", "111111", 0,
		1000, 1300);
	struct polychat_challenge next = cf_challenge("e2ee", "bob", "222222",
		3, 2000, 2300);
	struct polychat_challenge out;

	CF_OK(OPS->challenge_put(cf_db, &c));
	/* Put replaces the pending challenge (a new code, or a counted
	 * failed attempt). */
	CF_OK(OPS->challenge_put(cf_db, &next));
	CF_OK(OPS->challenge_get(cf_db, "e2ee", "bob", &out));
	assert_challenge_eq(&out, &next);
}
END_TEST

START_TEST(challenge_delete)
{
	struct polychat_challenge c = cf_challenge("e2ee", "bob", "111111", 0,
		1000, 1300);
	struct polychat_challenge d = cf_challenge("e2ee", "dave", "333333", 0,
		1000, 1300);
	struct polychat_challenge out;

	CF_OK(OPS->challenge_put(cf_db, &c));
	CF_OK(OPS->challenge_put(cf_db, &d));
	CF_OK(OPS->challenge_delete(cf_db, "e2ee", "bob"));
	assert_challenge_absent("e2ee", "bob");
	CF_STATUS(OPS->challenge_delete(cf_db, "e2ee", "bob"),
		POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->challenge_delete(cf_db, "kylo", "dave"),
		POLYCHAT_ENOTFOUND);
	CF_OK(OPS->challenge_get(cf_db, "e2ee", "dave", &out));
	assert_challenge_eq(&out, &d);

	struct polychat_challenge bad = c;
	memset(bad.secret, 's', sizeof(bad.secret));
	CF_STATUS(OPS->challenge_put(cf_db, &bad), POLYCHAT_EINVAL);
	bad = c;
	memset(bad.subject, 's', sizeof(bad.subject));
	CF_STATUS(OPS->challenge_put(cf_db, &bad), POLYCHAT_EINVAL);
	assert_challenge_absent("e2ee", "bob");
}
END_TEST

/* cf_tcase_challenges - see conformance-internal.h. */
TCase *cf_tcase_challenges(void)
{
	TCase *tc = cf_tcase_new("challenges");

	tcase_add_test(tc, challenge_roundtrip);
	tcase_add_test(tc, challenge_replace);
	tcase_add_test(tc, challenge_delete);
	return tc;
}
