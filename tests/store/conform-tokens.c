/* SPDX-License-Identifier: MIT */
/* Conformance tests for login tokens: store, revoke, delete, list. */
#include <stdio.h>
#include <string.h>

#include "conformance-internal.h"

static void assert_token_eq(const struct polychat_token *got,
	const struct polychat_token *want)
{
	ck_assert_str_eq(got->token, want->token);
	ck_assert_str_eq(got->realm, want->realm);
	ck_assert_str_eq(got->name, want->name);
	ck_assert_int_eq(got->issued_at, want->issued_at);
	ck_assert_int_eq(got->expires_at, want->expires_at);
	ck_assert_int_eq(got->revoked, want->revoked);
}

static void assert_token_absent(const char *token)
{
	struct polychat_token out;

	cf_poison(&out, sizeof(out));
	CF_STATUS(OPS->token_get(cf_db, token, &out), POLYCHAT_ENOTFOUND);
	cf_assert_poisoned(&out, sizeof(out), "token_get");
}

static int token_revoked(const char *token)
{
	struct polychat_token out;

	CF_OK(OPS->token_get(cf_db, token, &out));
	return out.revoked;
}

START_TEST(token_roundtrip)
{
	char longtok[POLYCHAT_TOKEN_MAX + 1];
	struct polychat_token t = cf_token("tok-1", "kylo", "alice", 100,
		200);
	struct polychat_token full = cf_token(
		cf_repeat(longtok, sizeof(longtok), 't', POLYCHAT_TOKEN_MAX),
		"kylo", "bob", 1, INT64_MAX);
	struct polychat_token out;

	assert_token_absent("tok-1");
	CF_OK(OPS->token_put(cf_db, &t));
	CF_OK(OPS->token_put(cf_db, &full));
	CF_OK(OPS->token_get(cf_db, "tok-1", &out));
	assert_token_eq(&out, &t);
	CF_OK(OPS->token_get(cf_db, full.token, &out));
	assert_token_eq(&out, &full);

	/* A token is unique across realms and owners. */
	struct polychat_token clash = cf_token("tok-1", "e2ee", "carol", 5, 6);
	CF_STATUS(OPS->token_put(cf_db, &clash), POLYCHAT_EEXIST);
	CF_OK(OPS->token_get(cf_db, "tok-1", &out));
	assert_token_eq(&out, &t);
	assert_token_absent("tok-2");
	assert_token_absent("TOK-1");
}
END_TEST

START_TEST(token_revoke)
{
	struct polychat_token t = cf_token("tok-1", "kylo", "alice", 100,
		200);
	struct polychat_token u = cf_token("tok-2", "kylo", "alice", 100,
		200);
	struct polychat_token out;

	CF_OK(OPS->token_put(cf_db, &t));
	CF_OK(OPS->token_put(cf_db, &u));
	CF_OK(OPS->token_revoke(cf_db, "tok-1"));
	CF_OK(OPS->token_get(cf_db, "tok-1", &out));
	t.revoked = 1;
	assert_token_eq(&out, &t);
	ck_assert_int_eq(token_revoked("tok-2"), 0);
	/* Revoking twice is harmless; an unknown token is not found. */
	CF_OK(OPS->token_revoke(cf_db, "tok-1"));
	ck_assert_int_eq(token_revoked("tok-1"), 1);
	CF_STATUS(OPS->token_revoke(cf_db, "tok-9"), POLYCHAT_ENOTFOUND);
	assert_token_absent("tok-9");

	/* A token stored as revoked stays revoked. */
	struct polychat_token dead = cf_token("tok-3", "kylo", "bob", 1, 2);
	dead.revoked = 1;
	CF_OK(OPS->token_put(cf_db, &dead));
	ck_assert_int_eq(token_revoked("tok-3"), 1);
}
END_TEST

START_TEST(token_revoke_user)
{
	struct polychat_token toks[] = {
		cf_token("a1", "kylo", "alice", 1, 100),
		cf_token("a2", "kylo", "alice", 2, 100),
		cf_token("a3", "kylo", "alice", 3, 100),
		cf_token("b1", "kylo", "bob", 4, 100),
		cf_token("x1", "e2ee", "alice", 5, 100),
		cf_token("c1", "kylo", "Alice", 6, 100),
	};
	uint64_t count = 12345;

	for (size_t i = 0; i < sizeof(toks) / sizeof(toks[0]); i++)
		CF_OK(OPS->token_put(cf_db, &toks[i]));
	CF_OK(OPS->token_revoke(cf_db, "a3"));

	/* Only the tokens this call revoked are counted. */
	CF_OK(OPS->token_revoke_user(cf_db, "kylo", "alice", &count));
	ck_assert_uint_eq(count, 2);
	ck_assert_int_eq(token_revoked("a1"), 1);
	ck_assert_int_eq(token_revoked("a2"), 1);
	ck_assert_int_eq(token_revoked("a3"), 1);
	ck_assert_int_eq(token_revoked("b1"), 0);
	ck_assert_int_eq(token_revoked("x1"), 0);
	ck_assert_int_eq(token_revoked("c1"), 0);

	count = 12345;
	CF_OK(OPS->token_revoke_user(cf_db, "kylo", "alice", &count));
	ck_assert_uint_eq(count, 0);
	count = 12345;
	CF_OK(OPS->token_revoke_user(cf_db, "kylo", "nobody", &count));
	ck_assert_uint_eq(count, 0);
	/* The count is optional. */
	CF_OK(OPS->token_revoke_user(cf_db, "kylo", "bob", NULL));
	ck_assert_int_eq(token_revoked("b1"), 1);
}
END_TEST

START_TEST(token_purge)
{
	struct polychat_token toks[] = {
		cf_token("t100", "kylo", "alice", 1, 100),
		cf_token("t200", "kylo", "alice", 1, 200),
		cf_token("t300", "kylo", "bob", 1, 300),
		cf_token("t200r", "e2ee", "carol", 1, 200),
	};
	uint64_t count = 12345;

	for (size_t i = 0; i < sizeof(toks) / sizeof(toks[0]); i++)
		CF_OK(OPS->token_put(cf_db, &toks[i]));
	CF_OK(OPS->token_revoke(cf_db, "t300"));

	/* Strictly before `now`: a token expiring at `now` stays. */
	CF_OK(OPS->token_purge(cf_db, 200, &count));
	ck_assert_uint_eq(count, 1);
	assert_token_absent("t100");
	ck_assert_int_eq(token_revoked("t200"), 0);
	ck_assert_int_eq(token_revoked("t200r"), 0);

	count = 12345;
	CF_OK(OPS->token_purge(cf_db, 200, &count));
	ck_assert_uint_eq(count, 0);
	/* Revoked or not, every expired token goes; the count is optional. */
	CF_OK(OPS->token_purge(cf_db, 1000, NULL));
	assert_token_absent("t200");
	assert_token_absent("t200r");
	assert_token_absent("t300");
}
END_TEST

START_TEST(token_bounds)
{
	char longtok[POLYCHAT_TOKEN_MAX + 2];
	struct polychat_token t = cf_token("tok", "kylo", "alice", 1, 2);
	struct polychat_token out;

	cf_repeat(longtok, sizeof(longtok), 't', POLYCHAT_TOKEN_MAX + 1);
	struct polychat_token bad = t;
	memset(bad.token, 't', sizeof(bad.token));
	CF_STATUS(OPS->token_put(cf_db, &bad), POLYCHAT_EINVAL);
	bad = t;
	bad.token[0] = '\0';
	CF_STATUS(OPS->token_put(cf_db, &bad), POLYCHAT_EINVAL);
	bad = t;
	memset(bad.name, 'n', sizeof(bad.name));
	CF_STATUS(OPS->token_put(cf_db, &bad), POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_put(cf_db, NULL), POLYCHAT_EINVAL);

	cf_poison(&out, sizeof(out));
	CF_STATUS(OPS->token_get(cf_db, longtok, &out), POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_get(cf_db, NULL, &out), POLYCHAT_EINVAL);
	cf_assert_poisoned(&out, sizeof(out), "token_get");
	CF_STATUS(OPS->token_revoke(cf_db, longtok), POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_revoke_user(cf_db, "kylo", NULL, NULL),
		POLYCHAT_EINVAL);
}
END_TEST

START_TEST(token_delete)
{
	struct polychat_token t1 = cf_token("tok-1", "kylo", "alice", 1, 100);
	struct polychat_token t2 = cf_token("tok-2", "kylo", "alice", 2, 100);
	struct polychat_token t3 = cf_token("tok-3", "kylo", "alice", 3, 100);
	struct polychat_token t4 = cf_token("tok-4", "kylo", "bob", 4, 100);
	struct polychat_token out;
	uint64_t count = 12345;

	CF_OK(OPS->token_put(cf_db, &t1));
	CF_OK(OPS->token_put(cf_db, &t2));
	CF_OK(OPS->token_put(cf_db, &t3));
	CF_OK(OPS->token_put(cf_db, &t4));

	/* Revoked, a token stays and says so; deleted, it is gone. */
	CF_OK(OPS->token_revoke(cf_db, "tok-1"));
	ck_assert_int_eq(token_revoked("tok-1"), 1);
	CF_OK(OPS->token_delete(cf_db, "tok-2"));
	assert_token_absent("tok-2");
	CF_STATUS(OPS->token_delete(cf_db, "tok-2"), POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->token_revoke(cf_db, "tok-2"), POLYCHAT_ENOTFOUND);
	assert_token_absent("tok-2");

	/* A revoked token can be deleted too. */
	CF_OK(OPS->token_delete(cf_db, "tok-1"));
	assert_token_absent("tok-1");
	CF_STATUS(OPS->token_delete(cf_db, "tok-1"), POLYCHAT_ENOTFOUND);

	/* Only the token named, compared exactly, goes. */
	CF_STATUS(OPS->token_delete(cf_db, "tok-9"), POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->token_delete(cf_db, "TOK-3"), POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->token_delete(cf_db, "tok-"), POLYCHAT_ENOTFOUND);
	CF_OK(OPS->token_get(cf_db, "tok-3", &out));
	assert_token_eq(&out, &t3);
	CF_OK(OPS->token_get(cf_db, "tok-4", &out));
	assert_token_eq(&out, &t4);

	/* Deleted tokens are not revoked again nor counted. */
	CF_OK(OPS->token_revoke_user(cf_db, "kylo", "alice", &count));
	ck_assert_uint_eq(count, 1);
	ck_assert_int_eq(token_revoked("tok-3"), 1);

	/* Gone for good: the value may be stored again, as a new token. */
	struct polychat_token again = cf_token("tok-2", "e2ee", "carol", 7, 8);
	CF_OK(OPS->token_put(cf_db, &again));
	CF_OK(OPS->token_get(cf_db, "tok-2", &out));
	assert_token_eq(&out, &again);

	/* Bounds, and nothing disturbed by them. */
	char longtok[POLYCHAT_TOKEN_MAX + 2];
	cf_repeat(longtok, sizeof(longtok), 't', POLYCHAT_TOKEN_MAX + 1);
	CF_STATUS(OPS->token_delete(cf_db, longtok), POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_delete(cf_db, ""), POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_delete(cf_db, NULL), POLYCHAT_EINVAL);
	CF_OK(OPS->token_get(cf_db, "tok-4", &out));
	assert_token_eq(&out, &t4);
}
END_TEST

/* cf_tcase_tokens - see conformance-internal.h. */
TCase *cf_tcase_tokens(void)
{
	TCase *tc = cf_tcase_new("tokens");

	tcase_add_test(tc, token_roundtrip);
	tcase_add_test(tc, token_revoke);
	tcase_add_test(tc, token_revoke_user);
	tcase_add_test(tc, token_purge);
	tcase_add_test(tc, token_bounds);
	tcase_add_test(tc, token_delete);
	return tc;
}

/* What token_list handed to the callback. */
struct token_seen {
	struct polychat_token toks[200];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static int collect(void *arg, const struct polychat_token *tok)
{
	struct token_seen *seen = arg;

	ck_assert_uint_lt(seen->n, sizeof(seen->toks) / sizeof(seen->toks[0]));
	seen->toks[seen->n++] = *tok;
	return seen->stop_after && seen->n >= seen->stop_after;
}

/* List with a fresh collector, assert success, and return what came. */
static const struct token_seen *list(const char *realm, const char *name,
	unsigned limit, size_t stop_after)
{
	static struct token_seen seen;

	memset(&seen, 0, sizeof(seen));
	seen.stop_after = stop_after;
	CF_OK(OPS->token_list(cf_db, realm, name, limit, collect, &seen));
	return &seen;
}

/* Assert the listing is exactly the tokens named in `want`, in order. */
static void assert_listed(const struct token_seen *seen,
	const char *const *want, size_t n)
{
	ck_assert_uint_eq(seen->n, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(strcmp(seen->toks[i].token, want[i]) == 0,
			"listed #%zu is \"%s\", want \"%s\"", i,
			seen->toks[i].token, want[i]);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(token_list_order)
{
	/* Put in this order. Within the tie at 20, insertion order differs
	 * from the order of the tokens' text and of expires_at, so only the
	 * insertion order can produce the listing expected. */
	struct polychat_token toks[] = {
		cf_token("t-m", "kylo", "alice", 20, 400),
		cf_token("t-old", "kylo", "bob", 10, 500),
		cf_token("t-z", "kylo", "carol", 20, 100),
		cf_token("t-new", "kylo", "alice", 30, 50),
		cf_token("t-a", "kylo", "alice", 20, 300),
		cf_token("t-min", "kylo", "bob", INT64_MIN, 1),
		cf_token("t-max", "kylo", "carol", INT64_MAX, 2),
		cf_token("t-neg", "kylo", "alice", -1, 3),
		cf_token("x-1", "e2ee", "alice", 25, 4),
	};
	static const char *const realm[] = {
		"t-max", "t-new", "t-a", "t-z", "t-m", "t-old", "t-neg",
		"t-min",
	};
	static const char *const alice[] = { "t-new", "t-a", "t-m", "t-neg" };

	for (size_t i = 0; i < N_OF(toks); i++)
		CF_OK(OPS->token_put(cf_db, &toks[i]));
	/* Revoked and expired tokens are listed as stored. */
	CF_OK(OPS->token_revoke(cf_db, "t-a"));
	toks[4].revoked = 1;

	const struct token_seen *seen = list("kylo", NULL, 100, 0);
	assert_listed(seen, realm, N_OF(realm));
	/* Whole records, not just the right tokens. */
	for (size_t i = 0; i < seen->n; i++)
		for (size_t k = 0; k < N_OF(toks); k++)
			if (strcmp(seen->toks[i].token, toks[k].token) == 0)
				assert_token_eq(&seen->toks[i], &toks[k]);

	assert_listed(list("kylo", "alice", 100, 0), alice, N_OF(alice));
	/* Listing changes nothing: the same again. */
	assert_listed(list("kylo", NULL, 100, 0), realm, N_OF(realm));
}
END_TEST

/* Put 150 tokens p000..p149 in realm "kylo", every third one bob's and
 * the others alice's, issued in runs of ten equal times so that ties
 * straddle any page boundary a backend may use. */
static void put_many(void)
{
	for (int i = 0; i < 150; i++) {
		char name[8];
		snprintf(name, sizeof(name), "p%03d", i);
		struct polychat_token t = cf_token(name, "kylo",
			i % 3 == 0 ? "bob" : "alice", 1000 + i / 10, 5000);
		CF_OK(OPS->token_put(cf_db, &t));
	}
}

/* Assert the listing is p<first>, then the next ones down that belong
 * to `name` (or to anyone if NULL), `n` of them. */
static void assert_run(const struct token_seen *seen, const char *name,
	int first, size_t n)
{
	size_t k = 0;

	ck_assert_uint_eq(seen->n, n);
	for (int i = first; i >= 0 && k < n; i--) {
		const char *owner = i % 3 == 0 ? "bob" : "alice";
		if (name && strcmp(name, owner) != 0)
			continue;
		char want[8];
		snprintf(want, sizeof(want), "p%03d", i);
		ck_assert_msg(strcmp(seen->toks[k].token, want) == 0,
			"listed #%zu is \"%s\", want \"%s\"", k,
			seen->toks[k].token, want);
		ck_assert_str_eq(seen->toks[k].name, owner);
		k++;
	}
	ck_assert_uint_eq(k, n);
}

START_TEST(token_list_limit)
{
	put_many();

	/* 0 lists nothing and never calls back. */
	ck_assert_uint_eq(list("kylo", NULL, 0, 0)->n, 0);
	ck_assert_uint_eq(list("kylo", "alice", 0, 0)->n, 0);
	assert_run(list("kylo", NULL, 1, 0), NULL, 149, 1);
	assert_run(list("kylo", NULL, 2, 0), NULL, 149, 2);
	assert_run(list("kylo", NULL, 70, 0), NULL, 149, 70);
	assert_run(list("kylo", NULL, 149, 0), NULL, 149, 149);
	assert_run(list("kylo", NULL, 150, 0), NULL, 149, 150);
	assert_run(list("kylo", NULL, 151, 0), NULL, 149, 150);
	assert_run(list("kylo", NULL, UINT32_MAX, 0), NULL, 149, 150);

	/* The limit counts the tokens listed, not the rows skipped. */
	assert_run(list("kylo", "alice", 1, 0), "alice", 149, 1);
	assert_run(list("kylo", "alice", 40, 0), "alice", 149, 40);
	assert_run(list("kylo", "alice", 100, 0), "alice", 149, 100);
	assert_run(list("kylo", "alice", 1000, 0), "alice", 149, 100);
	assert_run(list("kylo", "bob", 33, 0), "bob", 147, 33);
	assert_run(list("kylo", "bob", 1000, 0), "bob", 147, 50);
}
END_TEST

START_TEST(token_list_filter)
{
	struct polychat_token toks[] = {
		cf_token("a1", "kylo", "alice", 1, 9),
		cf_token("A1", "kylo", "Alice", 2, 9),
		cf_token("s1", "kylo", "alice ", 3, 9),
		cf_token("b1", "kylo", "bob", 4, 9),
		cf_token("a2", "kylo", "alice", 5, 9),
		cf_token("x1", "e2ee", "alice", 6, 9),
		cf_token("y1", "KYLO", "alice", 7, 9),
	};
	static const char *const kylo[] = { "a2", "b1", "s1", "A1", "a1" };
	static const char *const kylo_alice[] = { "a2", "a1" };
	static const char *const kylo_upper[] = { "A1" };
	static const char *const kylo_space[] = { "s1" };
	static const char *const e2ee[] = { "x1" };
	static const char *const upper_realm[] = { "y1" };

	for (size_t i = 0; i < N_OF(toks); i++)
		CF_OK(OPS->token_put(cf_db, &toks[i]));

	/* A name selects its owner exactly; NULL selects the whole realm,
	 * and a realm never shows another's tokens. */
	assert_listed(list("kylo", NULL, 100, 0), kylo, N_OF(kylo));
	assert_listed(list("kylo", "alice", 100, 0), kylo_alice,
		N_OF(kylo_alice));
	assert_listed(list("kylo", "Alice", 100, 0), kylo_upper,
		N_OF(kylo_upper));
	assert_listed(list("kylo", "alice ", 100, 0), kylo_space,
		N_OF(kylo_space));
	assert_listed(list("e2ee", NULL, 100, 0), e2ee, N_OF(e2ee));
	assert_listed(list("e2ee", "alice", 100, 0), e2ee, N_OF(e2ee));
	assert_listed(list("KYLO", NULL, 100, 0), upper_realm,
		N_OF(upper_realm));
	ck_assert_uint_eq(list("e2ee", "bob", 100, 0)->n, 0);
	ck_assert_uint_eq(list("kylo", "carol", 100, 0)->n, 0);
	ck_assert_uint_eq(list("kyl", NULL, 100, 0)->n, 0);
	ck_assert_uint_eq(list("nowhere", "alice", 100, 0)->n, 0);

	/* Deleted tokens are not listed; purged ones neither. */
	CF_OK(OPS->token_delete(cf_db, "a2"));
	assert_listed(list("kylo", "alice", 100, 0), kylo_alice + 1, 1);
	CF_OK(OPS->token_purge(cf_db, 10, NULL));
	ck_assert_uint_eq(list("kylo", NULL, 100, 0)->n, 0);
}
END_TEST

START_TEST(token_list_stop)
{
	put_many();

	/* A non-zero return stops the listing at once, with success. */
	assert_run(list("kylo", NULL, 100, 1), NULL, 149, 1);
	assert_run(list("kylo", NULL, 100, 3), NULL, 149, 3);
	assert_run(list("kylo", NULL, 1000, 33), NULL, 149, 33);
	assert_run(list("kylo", NULL, 1000, 65), NULL, 149, 65);
	assert_run(list("kylo", NULL, 1000, 150), NULL, 149, 150);
	assert_run(list("kylo", "bob", 1000, 50), "bob", 147, 50);
	assert_run(list("kylo", "alice", 1000, 41), "alice", 149, 41);
}
END_TEST

/* The callback of token_list_reentrant: it calls the store, including
 * token_list itself, and deletes each token it is handed. */
struct reentry {
	size_t calls;
	char last[POLYCHAT_TOKEN_MAX + 1];
};

static int reenter(void *arg, const struct polychat_token *tok)
{
	struct reentry *r = arg;
	struct polychat_token got;
	struct token_seen inner;

	/* Newest first, so each token is older than the one before. */
	if (r->calls > 0)
		ck_assert_str_lt(tok->token, r->last);
	snprintf(r->last, sizeof(r->last), "%s", tok->token);
	r->calls++;

	CF_OK(OPS->token_get(cf_db, tok->token, &got));
	assert_token_eq(&got, tok);
	/* Every newer one was deleted: this one is now the newest. */
	memset(&inner, 0, sizeof(inner));
	CF_OK(OPS->token_list(cf_db, tok->realm, tok->name, 1, collect,
		&inner));
	ck_assert_uint_eq(inner.n, 1);
	assert_token_eq(&inner.toks[0], tok);
	CF_OK(OPS->token_delete(cf_db, tok->token));
	return 0;
}

START_TEST(token_list_reentrant)
{
	struct reentry r = { .calls = 0 };
	struct polychat_token other = cf_token("zz-other", "kylo", "bob", 50,
		9);

	/* More than one page of any backend that reads in pages of 32. */
	for (int i = 0; i < 80; i++) {
		char name[8];
		snprintf(name, sizeof(name), "r%02d", i);
		struct polychat_token t = cf_token(name, "kylo", "alice", i,
			9);
		CF_OK(OPS->token_put(cf_db, &t));
	}
	CF_OK(OPS->token_put(cf_db, &other));

	CF_OK(OPS->token_list(cf_db, "kylo", "alice", 1000, reenter, &r));
	ck_assert_uint_eq(r.calls, 80);
	ck_assert_str_eq(r.last, "r00");
	ck_assert_uint_eq(list("kylo", "alice", 1000, 0)->n, 0);
	assert_listed(list("kylo", NULL, 1000, 0),
		(const char *const[]){ "zz-other" }, 1);
}
END_TEST

START_TEST(token_list_bounds)
{
	char longrealm[POLYCHAT_REALM_MAX + 2];
	char longname[POLYCHAT_NAME_MAX + 2];
	struct polychat_token t = cf_token("tok", "kylo", "alice", 1, 2);
	struct token_seen seen = { .n = 0 };

	cf_repeat(longrealm, sizeof(longrealm), 'r', POLYCHAT_REALM_MAX + 1);
	cf_repeat(longname, sizeof(longname), 'n', POLYCHAT_NAME_MAX + 1);
	CF_OK(OPS->token_put(cf_db, &t));

	/* A call that fails never calls back. */
	CF_STATUS(OPS->token_list(cf_db, NULL, NULL, 10, collect, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_list(cf_db, "", NULL, 10, collect, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_list(cf_db, longrealm, NULL, 10, collect, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_list(cf_db, "kylo", "", 10, collect, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_list(cf_db, "kylo", longname, 10, collect,
		&seen), POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_list(cf_db, "kylo", NULL, 10, NULL, &seen),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->token_list(cf_db, "kylo", "alice", 10, NULL, NULL),
		POLYCHAT_EINVAL);
	/* Arguments are checked even when nothing would be listed. */
	CF_STATUS(OPS->token_list(cf_db, "", NULL, 0, collect, &seen),
		POLYCHAT_EINVAL);
	ck_assert_uint_eq(seen.n, 0);

	/* Strings at their bounds are fine. */
	char realm[POLYCHAT_REALM_MAX + 1];
	char name[POLYCHAT_NAME_MAX + 1];
	struct polychat_token full = cf_token("full",
		cf_repeat(realm, sizeof(realm), 'r', POLYCHAT_REALM_MAX),
		cf_repeat(name, sizeof(name), 'n', POLYCHAT_NAME_MAX), 3, 4);
	CF_OK(OPS->token_put(cf_db, &full));
	seen.n = 0;
	CF_OK(OPS->token_list(cf_db, realm, name, 10, collect, &seen));
	ck_assert_uint_eq(seen.n, 1);
	assert_token_eq(&seen.toks[0], &full);
}
END_TEST

/* cf_tcase_token_list - see conformance-internal.h. */
TCase *cf_tcase_token_list(void)
{
	TCase *tc = cf_tcase_new("token_list");

	tcase_add_test(tc, token_list_order);
	tcase_add_test(tc, token_list_limit);
	tcase_add_test(tc, token_list_filter);
	tcase_add_test(tc, token_list_stop);
	tcase_add_test(tc, token_list_reentrant);
	tcase_add_test(tc, token_list_bounds);
	return tc;
}

