/* SPDX-License-Identifier: MIT */
/* Conformance tests for keys, the offline queue and the audit trail. */
#include <string.h>

#include "conformance-internal.h"

/* Assert that the key is stored with exactly these bytes. */
static void assert_key(const char *realm, const char *owner,
	const char *kind, const void *want, size_t want_len)
{
	uint8_t *data = NULL;
	size_t len = 0;

	CF_OK(OPS->key_get(cf_db, realm, owner, kind, &data, &len));
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(len, want_len);
	if (want_len)
		ck_assert_mem_eq(data, want, want_len);
	HOST->free(data);
}

static void assert_key_absent(const char *realm, const char *owner,
	const char *kind)
{
	uint8_t *data;
	size_t len;

	cf_poison(&data, sizeof(data));
	cf_poison(&len, sizeof(len));
	CF_STATUS(OPS->key_get(cf_db, realm, owner, kind, &data, &len),
		POLYCHAT_ENOTFOUND);
	cf_assert_poisoned(&data, sizeof(data), "key_get data");
	cf_assert_poisoned(&len, sizeof(len), "key_get len");
}

START_TEST(key_roundtrip)
{
	uint8_t bytes[256];
	static uint8_t big[64 * 1024];
	char kind[POLYCHAT_KIND_MAX + 1];

	/* Every byte value, NULs included, must come back unchanged. */
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i % 251);
	cf_repeat(kind, sizeof(kind), 'k', POLYCHAT_KIND_MAX);

	assert_key_absent("e2ee", "alice", "x25519");
	CF_OK(OPS->key_put(cf_db, "e2ee", "alice", "x25519", bytes,
		sizeof(bytes), 0));
	CF_OK(OPS->key_put(cf_db, "e2ee", "alice", "rsa-spki-pem", big,
		sizeof(big), 0));
	CF_OK(OPS->key_put(cf_db, "e2ee", "alice", kind,
		(const uint8_t *)"\0\0\0", 3, 0));
	assert_key("e2ee", "alice", "x25519", bytes, sizeof(bytes));
	assert_key("e2ee", "alice", "rsa-spki-pem", big, sizeof(big));
	assert_key("e2ee", "alice", kind, "\0\0\0", 3);

	/* Realm, owner and kind each tell keys apart. */
	assert_key_absent("kylo", "alice", "x25519");
	assert_key_absent("e2ee", "bob", "x25519");
	assert_key_absent("e2ee", "alice", "X25519");
}
END_TEST

START_TEST(key_write_once)
{
	const uint8_t first[] = { 1, 0, 2 };
	const uint8_t second[] = { 9, 9, 9, 9, 0 };

	CF_OK(OPS->key_put(cf_db, "e2ee", "alice", "x25519", first,
		sizeof(first), 0));
	CF_STATUS(OPS->key_put(cf_db, "e2ee", "alice", "x25519", second,
		sizeof(second), 0), POLYCHAT_EEXIST);
	assert_key("e2ee", "alice", "x25519", first, sizeof(first));

	CF_OK(OPS->key_put(cf_db, "e2ee", "alice", "x25519", second,
		sizeof(second), POLYCHAT_KEY_REPLACE));
	assert_key("e2ee", "alice", "x25519", second, sizeof(second));

	/* REPLACE of a key that does not exist stores it. */
	CF_OK(OPS->key_put(cf_db, "e2ee", "bob", "x25519", first,
		sizeof(first), POLYCHAT_KEY_REPLACE));
	assert_key("e2ee", "bob", "x25519", first, sizeof(first));
	/* Write-once again after a replace. */
	CF_STATUS(OPS->key_put(cf_db, "e2ee", "bob", "x25519", second,
		sizeof(second), 0), POLYCHAT_EEXIST);
	assert_key("e2ee", "bob", "x25519", first, sizeof(first));
}
END_TEST

START_TEST(key_delete)
{
	const uint8_t k[] = { 4, 5, 6 };

	CF_OK(OPS->key_put(cf_db, "e2ee", "alice", "x25519", k, sizeof(k), 0));
	CF_OK(OPS->key_put(cf_db, "e2ee", "alice", "ed25519", k, sizeof(k),
		0));
	CF_OK(OPS->key_delete(cf_db, "e2ee", "alice", "x25519"));
	assert_key_absent("e2ee", "alice", "x25519");
	CF_STATUS(OPS->key_delete(cf_db, "e2ee", "alice", "x25519"),
		POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->key_delete(cf_db, "kylo", "alice", "ed25519"),
		POLYCHAT_ENOTFOUND);
	assert_key("e2ee", "alice", "ed25519", k, sizeof(k));
	/* After a delete the key may be written once more. */
	CF_OK(OPS->key_put(cf_db, "e2ee", "alice", "x25519", k, 1, 0));
	assert_key("e2ee", "alice", "x25519", k, 1);
}
END_TEST

START_TEST(key_bounds)
{
	char longkind[POLYCHAT_KIND_MAX + 2];
	char longowner[POLYCHAT_NAME_MAX + 2];
	const uint8_t k[] = { 1 };
	uint8_t *data;
	size_t len;

	cf_repeat(longkind, sizeof(longkind), 'k', POLYCHAT_KIND_MAX + 1);
	cf_repeat(longowner, sizeof(longowner), 'o', POLYCHAT_NAME_MAX + 1);
	CF_STATUS(OPS->key_put(cf_db, "e2ee", "alice", longkind, k, 1, 0),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->key_put(cf_db, "e2ee", longowner, "x25519", k, 1, 0),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->key_put(cf_db, "e2ee", "alice", "x25519", NULL, 4, 0),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->key_put(cf_db, "e2ee", "alice", "", k, 1, 0),
		POLYCHAT_EINVAL);
	cf_poison(&data, sizeof(data));
	cf_poison(&len, sizeof(len));
	CF_STATUS(OPS->key_get(cf_db, "e2ee", "alice", longkind, &data, &len),
		POLYCHAT_EINVAL);
	cf_assert_poisoned(&data, sizeof(data), "key_get data");
	cf_assert_poisoned(&len, sizeof(len), "key_get len");
	CF_STATUS(OPS->key_delete(cf_db, "e2ee", longowner, "x25519"),
		POLYCHAT_EINVAL);
	assert_key_absent("e2ee", "alice", "x25519");
}
END_TEST

/* cf_tcase_keys - see conformance-internal.h. */
TCase *cf_tcase_keys(void)
{
	TCase *tc = cf_tcase_new("keys");

	tcase_add_test(tc, key_roundtrip);
	tcase_add_test(tc, key_write_once);
	tcase_add_test(tc, key_delete);
	tcase_add_test(tc, key_bounds);
	return tc;
}

/* Push a text body; returns the id the store gave it. */
static uint64_t push(const char *realm, const char *recipient,
	const char *sender, const char *body, int64_t at)
{
	struct polychat_queued q = cf_item(realm, recipient, sender, body,
		strlen(body), at);
	uint64_t id = 0;

	CF_OK(OPS->queue_push(cf_db, &q, &id));
	ck_assert_uint_ne(id, 0);
	return id;
}

/* Peek and assert the oldest item matches; returns its id. */
static uint64_t expect_head(const char *realm, const char *recipient,
	const char *sender_filter, uint64_t want_id, const char *want_sender,
	const char *want_body)
{
	struct polychat_queued out;

	CF_OK(OPS->queue_peek(cf_db, realm, recipient, sender_filter, &out));
	ck_assert_uint_eq(out.id, want_id);
	ck_assert_str_eq(out.realm, realm);
	ck_assert_str_eq(out.recipient, recipient);
	ck_assert_str_eq(out.sender, want_sender);
	ck_assert_uint_eq(out.body_len, strlen(want_body));
	ck_assert_mem_eq(out.body, want_body, out.body_len);
	HOST->free(out.body);
	return out.id;
}

static void expect_empty(const char *realm, const char *recipient,
	const char *sender_filter)
{
	struct polychat_queued out;

	cf_poison(&out, sizeof(out));
	CF_STATUS(OPS->queue_peek(cf_db, realm, recipient, sender_filter,
		&out), POLYCHAT_ENOTFOUND);
	cf_assert_poisoned(&out, sizeof(out), "queue_peek");
}

static uint64_t count_of(const char *realm, const char *recipient)
{
	uint64_t n = 12345;

	CF_OK(OPS->queue_count(cf_db, realm, recipient, &n));
	return n;
}

START_TEST(queue_fifo)
{
	uint64_t a1 = push("e2ee", "bob", "alice", "one", 10);
	uint64_t c1 = push("e2ee", "carol", "alice", "for carol", 11);
	uint64_t a2 = push("e2ee", "bob", "dave", "two", 12);
	uint64_t a3 = push("e2ee", "bob", "alice", "three", 13);
	struct polychat_queued out;

	/* Ids grow with time. */
	ck_assert_uint_lt(a1, c1);
	ck_assert_uint_lt(c1, a2);
	ck_assert_uint_lt(a2, a3);

	CF_OK(OPS->queue_peek(cf_db, "e2ee", "bob", NULL, &out));
	ck_assert_int_eq(out.queued_at, 10);
	HOST->free(out.body);

	expect_head("e2ee", "bob", NULL, a1, "alice", "one");
	CF_OK(OPS->queue_ack(cf_db, a1));
	expect_head("e2ee", "bob", NULL, a2, "dave", "two");
	CF_OK(OPS->queue_ack(cf_db, a2));
	expect_head("e2ee", "bob", NULL, a3, "alice", "three");
	CF_OK(OPS->queue_ack(cf_db, a3));
	expect_empty("e2ee", "bob", NULL);
	expect_head("e2ee", "carol", NULL, c1, "alice", "for carol");
}
END_TEST

START_TEST(queue_sender_filter)
{
	uint64_t d1 = push("e2ee", "bob", "dave", "d1", 1);
	uint64_t c1 = push("e2ee", "bob", "carol", "c1", 2);
	uint64_t d2 = push("e2ee", "bob", "dave", "d2", 3);
	uint64_t c2 = push("e2ee", "bob", "carol", "c2", 4);

	expect_head("e2ee", "bob", "carol", c1, "carol", "c1");
	expect_head("e2ee", "bob", "dave", d1, "dave", "d1");
	CF_OK(OPS->queue_ack(cf_db, c1));
	expect_head("e2ee", "bob", "carol", c2, "carol", "c2");
	expect_head("e2ee", "bob", NULL, d1, "dave", "d1");
	CF_OK(OPS->queue_ack(cf_db, d1));
	expect_head("e2ee", "bob", "dave", d2, "dave", "d2");
	expect_empty("e2ee", "bob", "erin");
	expect_empty("e2ee", "bob", "Carol");
	/* The filter is on the sender, not the recipient. */
	expect_empty("e2ee", "dave", "bob");
}
END_TEST

START_TEST(queue_peek_keeps)
{
	uint64_t id = push("e2ee", "bob", "alice", "hello", 1);

	expect_head("e2ee", "bob", NULL, id, "alice", "hello");
	expect_head("e2ee", "bob", NULL, id, "alice", "hello");
	expect_head("e2ee", "bob", "alice", id, "alice", "hello");
	ck_assert_uint_eq(count_of("e2ee", "bob"), 1);
}
END_TEST

START_TEST(queue_ack)
{
	uint64_t a = push("e2ee", "bob", "alice", "a", 1);
	uint64_t b = push("e2ee", "bob", "alice", "b", 2);

	ck_assert_uint_eq(count_of("e2ee", "bob"), 2);
	/* Acknowledging out of order is allowed. */
	CF_OK(OPS->queue_ack(cf_db, b));
	ck_assert_uint_eq(count_of("e2ee", "bob"), 1);
	CF_STATUS(OPS->queue_ack(cf_db, b), POLYCHAT_ENOTFOUND);
	expect_head("e2ee", "bob", NULL, a, "alice", "a");
	CF_OK(OPS->queue_ack(cf_db, a));
	CF_STATUS(OPS->queue_ack(cf_db, a), POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->queue_ack(cf_db, b + 1000), POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->queue_ack(cf_db, 0), POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->queue_ack(cf_db, UINT64_MAX), POLYCHAT_ENOTFOUND);
	ck_assert_uint_eq(count_of("e2ee", "bob"), 0);
	expect_empty("e2ee", "bob", NULL);
}
END_TEST

START_TEST(queue_count)
{
	ck_assert_uint_eq(count_of("e2ee", "nobody"), 0);
	push("e2ee", "bob", "alice", "1", 1);
	push("e2ee", "bob", "carol", "2", 2);
	push("e2ee", "carol", "alice", "3", 3);
	ck_assert_uint_eq(count_of("e2ee", "bob"), 2);
	ck_assert_uint_eq(count_of("e2ee", "carol"), 1);
	ck_assert_uint_eq(count_of("e2ee", "alice"), 0);
	ck_assert_uint_eq(count_of("kylo", "bob"), 0);
}
END_TEST

START_TEST(queue_realms)
{
	uint64_t e = push("e2ee", "bob", "alice", "e2ee body", 1);
	uint64_t k = push("kylo", "bob", "alice", "kylo body", 2);

	expect_head("kylo", "bob", NULL, k, "alice", "kylo body");
	expect_head("e2ee", "bob", NULL, e, "alice", "e2ee body");
	CF_OK(OPS->queue_ack(cf_db, e));
	expect_empty("e2ee", "bob", NULL);
	expect_head("kylo", "bob", NULL, k, "alice", "kylo body");
	ck_assert_uint_eq(count_of("kylo", "bob"), 1);
}
END_TEST

START_TEST(queue_binary_body)
{
	static uint8_t big[100 * 1024];
	const uint8_t nul_body[] = { 0, 1, 0, 0, 255, 0 };
	uint64_t ids[3];
	struct polychat_queued q;
	struct polychat_queued out;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13 + 1);
	q = cf_item("e2ee", "bob", "alice", nul_body, sizeof(nul_body), 1);
	CF_OK(OPS->queue_push(cf_db, &q, &ids[0]));
	q = cf_item("e2ee", "bob", "alice", big, sizeof(big), 2);
	CF_OK(OPS->queue_push(cf_db, &q, &ids[1]));
	/* An empty body and an empty sender (a system message) are valid. */
	q = cf_item("e2ee", "bob", "", NULL, 0, 3);
	CF_OK(OPS->queue_push(cf_db, &q, &ids[2]));

	CF_OK(OPS->queue_peek(cf_db, "e2ee", "bob", NULL, &out));
	ck_assert_uint_eq(out.id, ids[0]);
	ck_assert_uint_eq(out.body_len, sizeof(nul_body));
	ck_assert_mem_eq(out.body, nul_body, sizeof(nul_body));
	HOST->free(out.body);
	CF_OK(OPS->queue_ack(cf_db, ids[0]));

	CF_OK(OPS->queue_peek(cf_db, "e2ee", "bob", NULL, &out));
	ck_assert_uint_eq(out.id, ids[1]);
	ck_assert_uint_eq(out.body_len, sizeof(big));
	ck_assert_mem_eq(out.body, big, sizeof(big));
	HOST->free(out.body);
	CF_OK(OPS->queue_ack(cf_db, ids[1]));

	CF_OK(OPS->queue_peek(cf_db, "e2ee", "bob", "", &out));
	ck_assert_uint_eq(out.id, ids[2]);
	ck_assert_uint_eq(out.body_len, 0);
	ck_assert_str_eq(out.sender, "");
	HOST->free(out.body);
}
END_TEST

START_TEST(queue_ids_never_reused)
{
	uint64_t first = push("e2ee", "bob", "alice", "x", 1);
	uint64_t second;

	CF_OK(OPS->queue_ack(cf_db, first));
	/* The newest item is gone, yet the next id must still be larger. */
	second = push("e2ee", "bob", "alice", "y", 2);
	ck_assert_uint_gt(second, first);
	CF_STATUS(OPS->queue_ack(cf_db, first), POLYCHAT_ENOTFOUND);

	/* The id out-parameter is optional. */
	struct polychat_queued q = cf_item("e2ee", "bob", "alice", "z", 1, 3);
	CF_OK(OPS->queue_push(cf_db, &q, NULL));
	ck_assert_uint_eq(count_of("e2ee", "bob"), 2);
}
END_TEST

START_TEST(queue_bounds)
{
	char longname[POLYCHAT_NAME_MAX + 2];
	struct polychat_queued q = cf_item("e2ee", "bob", "alice", "x", 1, 1);
	struct polychat_queued bad;
	uint64_t id = 77;
	uint64_t n = 77;

	cf_repeat(longname, sizeof(longname), 'n', POLYCHAT_NAME_MAX + 1);
	bad = q;
	memset(bad.recipient, 'r', sizeof(bad.recipient));
	CF_STATUS(OPS->queue_push(cf_db, &bad, &id), POLYCHAT_EINVAL);
	bad = q;
	memset(bad.sender, 's', sizeof(bad.sender));
	CF_STATUS(OPS->queue_push(cf_db, &bad, &id), POLYCHAT_EINVAL);
	bad = q;
	memset(bad.realm, 'r', sizeof(bad.realm));
	CF_STATUS(OPS->queue_push(cf_db, &bad, &id), POLYCHAT_EINVAL);
	bad = q;
	bad.body = NULL;
	bad.body_len = 10;
	CF_STATUS(OPS->queue_push(cf_db, &bad, &id), POLYCHAT_EINVAL);
	ck_assert_uint_eq(id, 77);

	expect_empty("e2ee", "bob", NULL);
	struct polychat_queued out;
	cf_poison(&out, sizeof(out));
	CF_STATUS(OPS->queue_peek(cf_db, "e2ee", longname, NULL, &out),
		POLYCHAT_EINVAL);
	CF_STATUS(OPS->queue_peek(cf_db, "e2ee", "bob", longname, &out),
		POLYCHAT_EINVAL);
	cf_assert_poisoned(&out, sizeof(out), "queue_peek");
	CF_STATUS(OPS->queue_count(cf_db, "e2ee", longname, &n),
		POLYCHAT_EINVAL);
	ck_assert_uint_eq(n, 77);
}
END_TEST

/* cf_tcase_queue - see conformance-internal.h. */
TCase *cf_tcase_queue(void)
{
	TCase *tc = cf_tcase_new("queue");

	tcase_add_test(tc, queue_fifo);
	tcase_add_test(tc, queue_sender_filter);
	tcase_add_test(tc, queue_peek_keeps);
	tcase_add_test(tc, queue_ack);
	tcase_add_test(tc, queue_count);
	tcase_add_test(tc, queue_realms);
	tcase_add_test(tc, queue_binary_body);
	tcase_add_test(tc, queue_ids_never_reused);
	tcase_add_test(tc, queue_bounds);
	return tc;
}

/* What audit_list handed to the callback. */
struct audit_seen {
	struct polychat_audit recs[200];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static int collect(void *arg, const struct polychat_audit *rec)
{
	struct audit_seen *seen = arg;

	ck_assert_uint_lt(seen->n, sizeof(seen->recs) / sizeof(seen->recs[0]));
	seen->recs[seen->n++] = *rec;
	return seen->stop_after && seen->n >= seen->stop_after;
}

static void add_audit(const char *realm, const char *name, const char *event,
	int64_t size, int64_t at)
{
	struct polychat_audit r = cf_audit(realm, name, event, "192.0.2.7",
		size, at);

	CF_OK(OPS->audit_add(cf_db, &r));
}

START_TEST(audit_newest_first)
{
	struct audit_seen seen = { .n = 0 };

	add_audit("kylo", "alice", "login", 0, 10);
	add_audit("kylo", "alice", "message", 120, 20);
	add_audit("kylo", "alice", "login", 0, 30);
	/* Same second: the one added later counts as newer. */
	add_audit("kylo", "alice", "message", 64, 30);
	add_audit("kylo", "bob", "login", 0, 40);
	add_audit("e2ee", "alice", "login", 0, 50);

	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", NULL, 100, collect,
		&seen));
	ck_assert_uint_eq(seen.n, 4);
	ck_assert_int_eq(seen.recs[0].at, 30);
	ck_assert_str_eq(seen.recs[0].event, "message");
	ck_assert_int_eq(seen.recs[0].size, 64);
	ck_assert_int_eq(seen.recs[1].at, 30);
	ck_assert_str_eq(seen.recs[1].event, "login");
	ck_assert_int_eq(seen.recs[2].at, 20);
	ck_assert_int_eq(seen.recs[2].size, 120);
	ck_assert_int_eq(seen.recs[3].at, 10);
	for (size_t i = 0; i < seen.n; i++) {
		ck_assert_str_eq(seen.recs[i].realm, "kylo");
		ck_assert_str_eq(seen.recs[i].name, "alice");
		ck_assert_str_eq(seen.recs[i].address, "192.0.2.7");
	}
}
END_TEST

START_TEST(audit_limit_and_filter)
{
	struct audit_seen seen = { .n = 0 };

	for (int i = 1; i <= 6; i++)
		add_audit("kylo", "alice", i % 2 ? "login" : "message", i, i);

	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", NULL, 2, collect,
		&seen));
	ck_assert_uint_eq(seen.n, 2);
	ck_assert_int_eq(seen.recs[0].at, 6);
	ck_assert_int_eq(seen.recs[1].at, 5);

	seen.n = 0;
	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", "login", 100, collect,
		&seen));
	ck_assert_uint_eq(seen.n, 3);
	ck_assert_int_eq(seen.recs[0].at, 5);
	ck_assert_int_eq(seen.recs[1].at, 3);
	ck_assert_int_eq(seen.recs[2].at, 1);

	seen.n = 0;
	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", "message", 1, collect,
		&seen));
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_int_eq(seen.recs[0].at, 6);

	seen.n = 0;
	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", "logout", 100, collect,
		&seen));
	CF_OK(OPS->audit_list(cf_db, "kylo", "nobody", NULL, 100, collect,
		&seen));
	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", NULL, 0, collect,
		&seen));
	ck_assert_uint_eq(seen.n, 0);
}
END_TEST

START_TEST(audit_stop_and_many)
{
	struct audit_seen seen = { .n = 0, .stop_after = 3 };

	/* More records than a backend would fetch in one page. */
	for (int i = 0; i < 150; i++)
		add_audit("kylo", "alice", "message", i, 1000 + i);

	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", NULL, 100, collect,
		&seen));
	ck_assert_uint_eq(seen.n, 3);

	seen.n = 0;
	seen.stop_after = 0;
	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", NULL, 70, collect,
		&seen));
	ck_assert_uint_eq(seen.n, 70);
	for (size_t i = 0; i < seen.n; i++)
		ck_assert_int_eq(seen.recs[i].at, 1149 - (int64_t)i);

	seen.n = 0;
	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", NULL, 100000, collect,
		&seen));
	ck_assert_uint_eq(seen.n, 150);
	ck_assert_int_eq(seen.recs[149].at, 1000);
}
END_TEST

START_TEST(audit_bounds)
{
	struct polychat_audit r = cf_audit("kylo", "alice", "login", "", 0, 1);
	struct polychat_audit bad;
	struct audit_seen seen = { .n = 0 };
	char longevent[POLYCHAT_EVENT_MAX + 2];

	/* An unknown address is allowed; over-long fields are not. */
	CF_OK(OPS->audit_add(cf_db, &r));
	bad = r;
	memset(bad.event, 'e', sizeof(bad.event));
	CF_STATUS(OPS->audit_add(cf_db, &bad), POLYCHAT_EINVAL);
	bad = r;
	memset(bad.address, 'a', sizeof(bad.address));
	CF_STATUS(OPS->audit_add(cf_db, &bad), POLYCHAT_EINVAL);
	bad = r;
	memset(bad.name, 'n', sizeof(bad.name));
	CF_STATUS(OPS->audit_add(cf_db, &bad), POLYCHAT_EINVAL);
	cf_repeat(longevent, sizeof(longevent), 'e', POLYCHAT_EVENT_MAX + 1);
	CF_STATUS(OPS->audit_list(cf_db, "kylo", "alice", longevent, 10,
		collect, &seen), POLYCHAT_EINVAL);
	CF_STATUS(OPS->audit_list(cf_db, "kylo", "alice", NULL, 10, NULL,
		NULL), POLYCHAT_EINVAL);

	CF_OK(OPS->audit_list(cf_db, "kylo", "alice", NULL, 10, collect,
		&seen));
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_str_eq(seen.recs[0].address, "");
}
END_TEST

/* cf_tcase_audit - see conformance-internal.h. */
TCase *cf_tcase_audit(void)
{
	TCase *tc = cf_tcase_new("audit");

	tcase_add_test(tc, audit_newest_first);
	tcase_add_test(tc, audit_limit_and_filter);
	tcase_add_test(tc, audit_stop_and_many);
	tcase_add_test(tc, audit_bounds);
	return tc;
}
