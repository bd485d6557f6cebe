/* SPDX-License-Identifier: MIT */
/* Conformance: empty start, restart, two instances, concurrent workers. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "conformance-internal.h"

/* Producers each push ROUNDS items to their own queue and to a shared one;
 * consumers drain the shared one while producers are still pushing. */
#define PRODUCERS 4
#define CONSUMERS 2
#define ROUNDS 40
/* Every ACCOUNT_EVERY rounds a producer also creates an account. */
#define ACCOUNT_EVERY 8
#define ACCOUNTS_EACH (ROUNDS / ACCOUNT_EVERY)

START_TEST(fresh_store_is_empty)
{
	struct polychat_account acct;
	struct polychat_queued item;
	uint64_t n = 99;

	CF_STATUS(OPS->account_get(cf_db, "kylo", "alice", 0, &acct),
		POLYCHAT_ENOTFOUND);
	CF_STATUS(OPS->queue_peek(cf_db, "e2ee", "bob", NULL, &item),
		POLYCHAT_ENOTFOUND);
	CF_OK(OPS->queue_count(cf_db, "e2ee", "bob", &n));
	ck_assert_uint_eq(n, 0);
	/* close accepts NULL like every close of the SDK. */
	OPS->close(NULL);
	if (OPS->flush)
		CF_OK(OPS->flush(cf_db));
}
END_TEST

/* Peek the head of `recipient` and assert its sender and body. */
static uint64_t head_is(const char *recipient, const char *sender,
	const char *body)
{
	struct polychat_queued out;

	CF_OK(OPS->queue_peek(cf_db, "e2ee", recipient, NULL, &out));
	ck_assert_str_eq(out.sender, sender);
	ck_assert_uint_eq(out.body_len, strlen(body));
	ck_assert_mem_eq(out.body, body, out.body_len);
	HOST->free(out.body);
	return out.id;
}

static uint64_t push_text(const char *recipient, const char *sender,
	const char *body)
{
	struct polychat_queued q = cf_item("e2ee", recipient, sender, body,
		strlen(body), 1);
	uint64_t id = 0;

	CF_OK(OPS->queue_push(cf_db, &q, &id));
	return id;
}

START_TEST(restart_keeps_everything)
{
	struct polychat_account acct = cf_account("e2ee", "bob", "hash", 4,
		100, 200);
	struct polychat_token tok = cf_token("tok", "e2ee", "bob", 1, 999);
	struct polychat_challenge ch = cf_challenge("e2ee", "bob", "123456", 1,
		10, 20);
	struct polychat_audit rec = cf_audit("e2ee", "bob", "login",
		"198.51.100.1", 0, 77);
	const uint8_t key[] = { 0, 1, 2, 0 };

	uint64_t acct_id = cf_put_account(&acct);
	CF_OK(OPS->token_put(cf_db, &tok));
	CF_OK(OPS->challenge_put(cf_db, &ch));
	CF_OK(OPS->audit_add(cf_db, &rec));
	CF_OK(OPS->key_put(cf_db, "e2ee", "bob", "x25519", key, sizeof(key),
		0));
	uint64_t q1 = push_text("bob", "alice", "first");
	uint64_t q2 = push_text("bob", "carol", "second");
	uint64_t q3 = push_text("bob", "alice", "third");
	CF_OK(OPS->queue_ack(cf_db, q1));

	/* A restart between enqueue and read: no flush, no clean
	 * checkpoint, just close and open again. */
	cf_reopen();

	struct polychat_account a;
	CF_OK(OPS->account_get(cf_db, "e2ee", "bob", 0, &a));
	ck_assert_str_eq(a.secret, "hash");
	ck_assert_uint_eq(a.flags, 4);
	ck_assert_int_eq(a.last_seen, 200);
	/* The id is part of the account: the same after the restart. */
	ck_assert_uint_eq(a.id, acct_id);
	CF_OK(OPS->account_get_id(cf_db, "e2ee", acct_id, &a));
	ck_assert_str_eq(a.name, "bob");
	struct polychat_token t;
	CF_OK(OPS->token_get(cf_db, "tok", &t));
	ck_assert_int_eq(t.expires_at, 999);
	struct polychat_challenge c;
	CF_OK(OPS->challenge_get(cf_db, "e2ee", "bob", &c));
	ck_assert_str_eq(c.secret, "123456");
	uint8_t *data = NULL;
	size_t len = 0;
	CF_OK(OPS->key_get(cf_db, "e2ee", "bob", "x25519", &data, &len));
	ck_assert_uint_eq(len, sizeof(key));
	ck_assert_mem_eq(data, key, sizeof(key));
	HOST->free(data);

	uint64_t n = 0;
	CF_OK(OPS->queue_count(cf_db, "e2ee", "bob", &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(head_is("bob", "carol", "second"), q2);
	CF_OK(OPS->queue_ack(cf_db, q2));
	ck_assert_uint_eq(head_is("bob", "alice", "third"), q3);

	/* Ids keep growing across the restart. */
	uint64_t q4 = push_text("bob", "dave", "fourth");
	ck_assert_uint_gt(q4, q3);
	if (OPS->flush)
		CF_OK(OPS->flush(cf_db));
	cf_reopen();
	ck_assert_uint_eq(head_is("bob", "alice", "third"), q3);
	CF_OK(OPS->queue_ack(cf_db, q3));
	ck_assert_uint_eq(head_is("bob", "dave", "fourth"), q4);
	CF_STATUS(OPS->queue_ack(cf_db, q2), POLYCHAT_ENOTFOUND);
}
END_TEST

/* The tokens token_list handed out, in order. */
struct token_names {
	char token[8][POLYCHAT_TOKEN_MAX + 1];
	size_t n;
};

static int collect_token(void *arg, const struct polychat_token *tok)
{
	struct token_names *names = arg;

	ck_assert_uint_lt(names->n, 8);
	memcpy(names->token[names->n++], tok->token, sizeof(tok->token));
	return 0;
}

START_TEST(ids_and_order_survive_restart)
{
	struct polychat_account a = cf_account("kylo", "a", "", 0, 1, 0);
	struct polychat_account b = cf_account("kylo", "b", "", 0, 2, 0);
	struct polychat_account c = cf_account("kylo", "c", "", 0, 3, 0);
	struct polychat_account got;
	uint64_t ids[5];
	size_t n = 0;

	ids[n++] = cf_put_account(&a);
	ids[n++] = cf_put_account(&b);
	ids[n++] = cf_put_account(&c);
	/* The newest account goes just before the restart: a counter kept
	 * only in memory would hand its id out again. */
	CF_OK(OPS->account_delete(cf_db, "kylo", "c"));
	cf_reopen();

	CF_OK(OPS->account_get(cf_db, "kylo", "a", 0, &got));
	ck_assert_uint_eq(got.id, a.id);
	CF_OK(OPS->account_get_id(cf_db, "kylo", b.id, &got));
	ck_assert_str_eq(got.name, "b");
	CF_STATUS(OPS->account_get_id(cf_db, "kylo", c.id, &got),
		POLYCHAT_ENOTFOUND);
	struct polychat_account d = cf_account("kylo", "d", "", 0, 4, 0);
	uint64_t id = cf_put_account(&d);
	ck_assert(!cf_id_in(id, ids, n));
	ids[n++] = id;

	/* An emptied table, a restart: still no id comes back. */
	CF_OK(OPS->account_delete(cf_db, "kylo", "a"));
	CF_OK(OPS->account_delete(cf_db, "kylo", "b"));
	CF_OK(OPS->account_delete(cf_db, "kylo", "d"));
	if (OPS->flush)
		CF_OK(OPS->flush(cf_db));
	cf_reopen();
	id = cf_put_account(&c);
	ck_assert(!cf_id_in(id, ids, n));

	/* Tokens issued at the same time keep their insertion order. */
	static const char *const order[] = { "t3", "t1", "t4", "t2" };
	struct polychat_token t1 = cf_token("t1", "kylo", "a", 5, 9);
	struct polychat_token t2 = cf_token("t2", "kylo", "a", 4, 9);
	struct polychat_token t3 = cf_token("t3", "kylo", "a", 5, 9);
	struct polychat_token t4 = cf_token("t4", "kylo", "a", 4, 9);
	CF_OK(OPS->token_put(cf_db, &t1));
	CF_OK(OPS->token_put(cf_db, &t2));
	cf_reopen();
	CF_OK(OPS->token_put(cf_db, &t3));
	CF_OK(OPS->token_put(cf_db, &t4));
	cf_reopen();
	struct token_names names = { .n = 0 };
	CF_OK(OPS->token_list(cf_db, "kylo", NULL, 10, collect_token,
		&names));
	ck_assert_uint_eq(names.n, 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(names.token[i], order[i]);
}
END_TEST

START_TEST(two_instances_share_data)
{
	void *other = NULL;
	struct polychat_queued out;
	struct polychat_account acct = cf_account("e2ee", "erin", "h", 0, 1,
		0);
	struct polychat_account got;

	/* What a reload does: open the new instance while the old serves. */
	cf_open_another(&other);
	uint64_t id = push_text("bob", "alice", "shared");
	CF_OK(OPS->queue_peek(other, "e2ee", "bob", NULL, &out));
	ck_assert_uint_eq(out.id, id);
	HOST->free(out.body);
	CF_OK(OPS->queue_ack(other, id));
	CF_STATUS(OPS->queue_ack(cf_db, id), POLYCHAT_ENOTFOUND);
	uint64_t erin = 0;
	CF_OK(OPS->account_put(other, &acct, &erin));
	CF_OK(OPS->account_get(cf_db, "e2ee", "erin", 0, &got));
	ck_assert_str_eq(got.name, "erin");
	ck_assert_uint_eq(got.id, erin);
	CF_STATUS(OPS->account_put(cf_db, &acct, NULL), POLYCHAT_EEXIST);
	/* Ids come from the store, not the instance: no clash between the
	 * two. */
	struct polychat_account fred = cf_account("e2ee", "fred", "h", 0, 1,
		0);
	ck_assert_uint_ne(cf_put_account(&fred), erin);
	CF_OK(OPS->account_get_id(other, "e2ee", fred.id, &got));
	ck_assert_str_eq(got.name, "fred");
	OPS->close(other);
}
END_TEST

/* One thread of the concurrency test. Threads never call Check: they
 * record their first failure and the main thread asserts on it. */
struct worker {
	pthread_t thread;
	int index;
	char error[256];
	/* Consumers: the (producer, round) of each item they acknowledged,
	 * in the order they acknowledged them. */
	int taken[PRODUCERS * ROUNDS][2];
	size_t n_taken;
	/* Producers: the ids of the accounts they created. */
	uint64_t ids[ACCOUNTS_EACH];
	size_t n_ids;
};

static pthread_barrier_t start_line;
static atomic_int producers_done;
static atomic_int taken_total;
static atomic_int failed;

#define WORKER_FAIL(w, ...)                                                  \
	do {                                                                 \
		snprintf((w)->error, sizeof((w)->error), __VA_ARGS__);        \
		atomic_store(&failed, 1);                                    \
		return NULL;                                                 \
	} while (0)

#define WORKER_CHECK(w, call, want)                                          \
	do {                                                                 \
		int w_rc_ = (call);                                          \
		if (w_rc_ != (want))                                         \
			WORKER_FAIL(w, "%s: got %s, want %s", #call,         \
				polychat_status_name(w_rc_),                 \
				polychat_status_name(want));                 \
	} while (0)

static void *producer(void *arg)
{
	struct worker *w = arg;
	char own[32];
	char body[32];
	struct polychat_queued out;
	struct polychat_account acct;

	snprintf(own, sizeof(own), "own-%d", w->index);
	pthread_barrier_wait(&start_line);
	for (int k = 0; k < ROUNDS && !atomic_load(&failed); k++) {
		snprintf(body, sizeof(body), "p%d:%d", w->index, k);
		struct polychat_queued q = cf_item("conc", own, "p", body,
			strlen(body), k);
		uint64_t mine = 0;
		uint64_t shared = 0;
		WORKER_CHECK(w, OPS->queue_push(cf_db, &q, &mine), 0);
		q = cf_item("conc", "shared", own, body, strlen(body), k);
		WORKER_CHECK(w, OPS->queue_push(cf_db, &q, &shared), 0);
		if (shared <= mine)
			WORKER_FAIL(w, "id %llu pushed after %llu",
				(unsigned long long)shared,
				(unsigned long long)mine);

		/* Only this thread uses its own queue: its head is the item
		 * just pushed, the previous one having been acknowledged. */
		WORKER_CHECK(w, OPS->queue_peek(cf_db, "conc", own, NULL,
			&out), 0);
		int same = out.id == mine && out.body_len == strlen(body)
			&& memcmp(out.body, body, out.body_len) == 0;
		HOST->free(out.body);
		if (!same)
			WORKER_FAIL(w, "round %d: head of %s is id %llu, "
				"want %llu", k, own,
				(unsigned long long)out.id,
				(unsigned long long)mine);
		WORKER_CHECK(w, OPS->queue_ack(cf_db, mine), 0);

		if (k % ACCOUNT_EVERY == 0) {
			char name[32];
			snprintf(name, sizeof(name), "p%d-%d", w->index, k);
			acct = cf_account("conc", name, "", 0, k, 0);
			WORKER_CHECK(w, OPS->account_put(cf_db, &acct,
				&w->ids[w->n_ids]), 0);
			w->n_ids++;
		}

		WORKER_CHECK(w, OPS->account_get(cf_db, "conc", "ALICE",
			POLYCHAT_LOOKUP_FOLD, &acct), 0);
		if (strcmp(acct.name, "alice") != 0
				|| strcmp(acct.secret, "hash") != 0
				|| acct.flags != 7)
			WORKER_FAIL(w, "round %d: account read back wrong", k);
	}
	atomic_fetch_add(&producers_done, 1);
	return NULL;
}

static void *consumer(void *arg)
{
	struct worker *w = arg;
	struct polychat_queued out;
	const int total = PRODUCERS * ROUNDS;

	pthread_barrier_wait(&start_line);
	while (atomic_load(&taken_total) < total && !atomic_load(&failed)) {
		/* Read the producers' progress before peeking: an empty
		 * queue after every producer finished means nothing more
		 * will come. */
		int done = atomic_load(&producers_done) == PRODUCERS;
		int rc = OPS->queue_peek(cf_db, "conc", "shared", NULL, &out);
		if (rc == POLYCHAT_ENOTFOUND) {
			if (done)
				break;
			continue;
		}
		if (rc != 0)
			WORKER_FAIL(w, "peek shared: %s",
				polychat_status_name(rc));
		int p = -1;
		int k = -1;
		char text[32] = "";
		if (out.body_len < sizeof(text))
			memcpy(text, out.body, out.body_len);
		HOST->free(out.body);
		if (sscanf(text, "p%d:%d", &p, &k) != 2 || p < 0
				|| p >= PRODUCERS || k < 0 || k >= ROUNDS)
			WORKER_FAIL(w, "unexpected body \"%s\"", text);

		/* Another consumer may acknowledge the same item first. */
		rc = OPS->queue_ack(cf_db, out.id);
		if (rc == POLYCHAT_ENOTFOUND)
			continue;
		if (rc != 0)
			WORKER_FAIL(w, "ack shared: %s",
				polychat_status_name(rc));
		w->taken[w->n_taken][0] = p;
		w->taken[w->n_taken][1] = k;
		w->n_taken++;
		atomic_fetch_add(&taken_total, 1);
	}
	return NULL;
}

START_TEST(concurrent_workers)
{
	static struct worker workers[PRODUCERS + CONSUMERS];
	struct polychat_account alice = cf_account("conc", "alice", "hash", 7,
		1, 0);
	const int n = PRODUCERS + CONSUMERS;

	uint64_t alice_id = cf_put_account(&alice);
	atomic_store(&producers_done, 0);
	atomic_store(&taken_total, 0);
	atomic_store(&failed, 0);
	ck_assert_int_eq(pthread_barrier_init(&start_line, NULL,
		(unsigned)n), 0);
	memset(workers, 0, sizeof(workers));
	for (int i = 0; i < n; i++) {
		workers[i].index = i;
		ck_assert_int_eq(pthread_create(&workers[i].thread, NULL,
			i < PRODUCERS ? producer : consumer, &workers[i]), 0);
	}
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pthread_join(workers[i].thread, NULL), 0);
	pthread_barrier_destroy(&start_line);
	for (int i = 0; i < n; i++)
		ck_assert_msg(workers[i].error[0] == '\0', "thread %d: %s", i,
			workers[i].error);

	/* Every shared item was acknowledged exactly once, and each
	 * consumer saw each producer's items in the order pushed. */
	static int seen[PRODUCERS][ROUNDS];
	memset(seen, 0, sizeof(seen));
	for (int c = PRODUCERS; c < n; c++) {
		int last[PRODUCERS];
		for (int p = 0; p < PRODUCERS; p++)
			last[p] = -1;
		for (size_t i = 0; i < workers[c].n_taken; i++) {
			int p = workers[c].taken[i][0];
			int k = workers[c].taken[i][1];
			ck_assert_msg(k > last[p], "consumer %d: p%d:%d after "
				"p%d:%d", c, p, k, p, last[p]);
			last[p] = k;
			seen[p][k]++;
		}
	}
	for (int p = 0; p < PRODUCERS; p++)
		for (int k = 0; k < ROUNDS; k++)
			ck_assert_msg(seen[p][k] == 1, "p%d:%d acknowledged "
				"%d times", p, k, seen[p][k]);
	ck_assert_int_eq(atomic_load(&taken_total), PRODUCERS * ROUNDS);

	/* Accounts created at the same time from several threads got
	 * distinct ids, each leading to its own account. */
	uint64_t all[PRODUCERS * ACCOUNTS_EACH + 1];
	size_t n_all = 0;
	all[n_all++] = alice_id;
	for (int p = 0; p < PRODUCERS; p++) {
		ck_assert_uint_eq(workers[p].n_ids, ACCOUNTS_EACH);
		for (size_t i = 0; i < workers[p].n_ids; i++) {
			uint64_t id = workers[p].ids[i];
			struct polychat_account got;
			char name[32];
			ck_assert_msg(!cf_id_in(id, all, n_all),
				"id %llu assigned twice",
				(unsigned long long)id);
			all[n_all++] = id;
			snprintf(name, sizeof(name), "p%d-%zu", p,
				i * ACCOUNT_EVERY);
			CF_OK(OPS->account_get_id(cf_db, "conc", id, &got));
			ck_assert_str_eq(got.name, name);
		}
	}

	uint64_t count = 99;
	CF_OK(OPS->queue_count(cf_db, "conc", "shared", &count));
	ck_assert_uint_eq(count, 0);
	for (int p = 0; p < PRODUCERS; p++) {
		char own[32];
		snprintf(own, sizeof(own), "own-%d", p);
		CF_OK(OPS->queue_count(cf_db, "conc", own, &count));
		ck_assert_uint_eq(count, 0);
	}
}
END_TEST

/* cf_tcase_lifecycle - see conformance-internal.h. */
TCase *cf_tcase_lifecycle(void)
{
	TCase *tc = cf_tcase_new("lifecycle");

	/* The concurrent test commits hundreds of durable transactions. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fresh_store_is_empty);
	tcase_add_test(tc, restart_keeps_everything);
	tcase_add_test(tc, ids_and_order_survive_restart);
	tcase_add_test(tc, two_instances_share_data);
	tcase_add_test(tc, concurrent_workers);
	return tc;
}
