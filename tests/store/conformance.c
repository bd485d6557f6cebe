/* SPDX-License-Identifier: MIT */
/* The store conformance suite: per-test fixture, builders, assembly. */
#include <stdio.h>
#include <string.h>

#include "conformance-internal.h"

/*
 * Every test starts from an empty store of its own (fx.fresh), opened by
 * the checked fixture, and leaves nothing behind: the fixture closes the
 * store, lets the backend's fixture remove it, and, when the fixture can
 * count allocations, checks that everything allocated through the host was
 * freed — by the store on close and by the tests for what they were handed.
 */

struct store_fixture cf_fx;
void *cf_db;

static struct polychat_options *cf_opts;
static long cf_baseline;

/* cf_poison - see conformance-internal.h. */
void cf_poison(void *p, size_t len)
{
	memset(p, CF_POISON, len);
}

/* cf_assert_poisoned - see conformance-internal.h. */
void cf_assert_poisoned(const void *p, size_t len, const char *what)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		ck_assert_msg(b[i] == CF_POISON,
			"%s: out-parameter written at byte %zu on failure",
			what, i);
}

static void setup(void)
{
	cf_opts = cf_fx.fresh(cf_fx.arg);
	ck_assert_msg(cf_opts != NULL, "fixture could not make a fresh store");
	if (cf_fx.allocations)
		cf_baseline = cf_fx.allocations(cf_fx.arg);
	if (OPS->check)
		CF_OK(OPS->check(HOST, cf_opts));
	cf_db = NULL;
	CF_OK(OPS->open(HOST, cf_opts, &cf_db));
	ck_assert_ptr_nonnull(cf_db);
}

static void teardown(void)
{
	OPS->close(cf_db);
	cf_db = NULL;
	if (cf_fx.allocations) {
		long now = cf_fx.allocations(cf_fx.arg);
		ck_assert_msg(now == cf_baseline,
			"%ld host allocations still live after close",
			now - cf_baseline);
	}
	cf_fx.discard(cf_fx.arg, cf_opts);
	cf_opts = NULL;
}

/* cf_reopen - see conformance-internal.h. */
void cf_reopen(void)
{
	OPS->close(cf_db);
	cf_db = NULL;
	CF_OK(OPS->open(HOST, cf_opts, &cf_db));
	ck_assert_ptr_nonnull(cf_db);
}

/* cf_open_another - see conformance-internal.h. */
void cf_open_another(void **db)
{
	*db = NULL;
	CF_OK(OPS->open(HOST, cf_opts, db));
	ck_assert_ptr_nonnull(*db);
}

/* Copy `src` into a bounded field, failing the test if it does not fit. */
static void put_str(char *dst, size_t cap, const char *src)
{
	size_t len = strlen(src);

	ck_assert_msg(len < cap, "test string \"%.20s...\" exceeds %zu bytes",
		src, cap - 1);
	memcpy(dst, src, len + 1);
}

#define PUT(field, src) put_str((field), sizeof(field), (src))

/* cf_account - see conformance-internal.h. */
struct polychat_account cf_account(const char *realm, const char *name,
	const char *secret, uint32_t flags, int64_t created_at,
	int64_t last_seen)
{
	struct polychat_account a;

	memset(&a, 0, sizeof(a));
	PUT(a.realm, realm);
	PUT(a.name, name);
	PUT(a.secret, secret);
	a.flags = flags;
	a.created_at = created_at;
	a.last_seen = last_seen;
	return a;
}

/* cf_put_account - see conformance-internal.h. */
uint64_t cf_put_account(struct polychat_account *a)
{
	uint64_t id;

	/* Poisoned first: an id the store forgot to write cannot pass for
	 * the one it assigned. */
	cf_poison(&id, sizeof(id));
	CF_OK(OPS->account_put(cf_db, a, &id));
	a->id = id;
	return id;
}

/* cf_id_in - see conformance-internal.h. */
int cf_id_in(uint64_t id, const uint64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* cf_token - see conformance-internal.h. */
struct polychat_token cf_token(const char *token, const char *realm,
	const char *name, int64_t issued_at, int64_t expires_at)
{
	struct polychat_token t;

	memset(&t, 0, sizeof(t));
	PUT(t.token, token);
	PUT(t.realm, realm);
	PUT(t.name, name);
	t.issued_at = issued_at;
	t.expires_at = expires_at;
	return t;
}

/* cf_item - see conformance-internal.h. The body is borrowed. */
struct polychat_queued cf_item(const char *realm, const char *recipient,
	const char *sender, const void *body, size_t body_len,
	int64_t queued_at)
{
	struct polychat_queued q;

	memset(&q, 0, sizeof(q));
	PUT(q.realm, realm);
	PUT(q.recipient, recipient);
	PUT(q.sender, sender);
	q.body = (uint8_t *)(uintptr_t)body;
	q.body_len = body_len;
	q.queued_at = queued_at;
	return q;
}

/* cf_challenge - see conformance-internal.h. */
struct polychat_challenge cf_challenge(const char *realm,
	const char *subject, const char *secret, uint32_t attempts,
	int64_t created_at, int64_t expires_at)
{
	struct polychat_challenge c;

	memset(&c, 0, sizeof(c));
	PUT(c.realm, realm);
	PUT(c.subject, subject);
	PUT(c.secret, secret);
	c.attempts = attempts;
	c.created_at = created_at;
	c.expires_at = expires_at;
	return c;
}

/* cf_audit - see conformance-internal.h. */
struct polychat_audit cf_audit(const char *realm, const char *name,
	const char *event, const char *address, int64_t size, int64_t at)
{
	struct polychat_audit r;

	memset(&r, 0, sizeof(r));
	PUT(r.realm, realm);
	PUT(r.name, name);
	PUT(r.event, event);
	PUT(r.address, address);
	r.size = size;
	r.at = at;
	return r;
}

/* cf_repeat - see conformance-internal.h. */
const char *cf_repeat(char *buf, size_t cap, char c, size_t len)
{
	ck_assert_msg(len < cap, "cf_repeat: %zu does not fit in %zu", len,
		cap);
	memset(buf, c, len);
	buf[len] = '\0';
	return buf;
}

/* cf_tcase_new - see conformance-internal.h. */
TCase *cf_tcase_new(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	return tc;
}

/* store_conformance_suite - see conformance.h. */
Suite *store_conformance_suite(const char *backend_name,
	const struct store_fixture *fx)
{
	static char name[128];

	cf_fx = *fx;
	snprintf(name, sizeof(name), "store %s", backend_name);
	Suite *s = suite_create(name);
	if (!s)
		return NULL;
	suite_add_tcase(s, cf_tcase_accounts());
	suite_add_tcase(s, cf_tcase_account_list());
	suite_add_tcase(s, cf_tcase_tokens());
	suite_add_tcase(s, cf_tcase_token_list());
	suite_add_tcase(s, cf_tcase_challenges());
	suite_add_tcase(s, cf_tcase_keys());
	suite_add_tcase(s, cf_tcase_queue());
	suite_add_tcase(s, cf_tcase_audit());
	suite_add_tcase(s, cf_tcase_lifecycle());
	return s;
}
