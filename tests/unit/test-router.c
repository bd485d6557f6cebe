/* SPDX-License-Identifier: MIT */
/* Unit tests of core/router.c and core/strmap.c on in-memory listeners and connections. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/listener.h"
#include "../../core/router.h"
#include "../../core/strmap.h"
#include "../check-run.h"

/* What one session was handed. */
struct inbox {
	int count;
	char last[256];
	char last_suite[32];
	size_t last_extra_len;
};

static int record(void *session, const struct polychat_message *msg)
{
	struct inbox *in = session;
	in->count++;
	snprintf(in->last, sizeof(in->last), "%s:%.*s", msg->from ? msg->from : "-",
		(int)msg->body_len, (const char *)msg->body);
	snprintf(in->last_suite, sizeof(in->last_suite), "%s", msg->suite);
	in->last_extra_len = msg->extra_len;
	return 0;
}

static struct pc_component suite_a, suite_b;
static struct polychat_listener la, lb;
static struct polychat_conn conns[4];
static struct inbox inbox[4];

static void add_conn(struct polychat_listener *l, struct polychat_conn *c,
	struct inbox *in)
{
	memset(c, 0, sizeof(*c));
	c->listener = l;
	c->suite = l->suite;
	c->session = in;
	c->session_open = 1;
	c->prev = l->conns_tail;
	if (l->conns_tail)
		l->conns_tail->next = c;
	else
		l->conns_head = c;
	l->conns_tail = c;
}

static void setup(void)
{
	memset(inbox, 0, sizeof(inbox));
	memset(&la, 0, sizeof(la));
	memset(&lb, 0, sizeof(lb));
	suite_a = (struct pc_component){ .kind = POLYCHAT_COMPONENT_SUITE, .name = "alpha" };
	suite_b = (struct pc_component){ .kind = POLYCHAT_COMPONENT_SUITE, .name = "beta" };
	suite_a.ops.suite.session_deliver = record;
	suite_b.ops.suite.session_deliver = record;
	la.cfg.name = "la";
	la.cfg.realm = "ra";
	la.suite = &suite_a;
	lb.cfg.name = "lb";
	lb.cfg.realm = "rb";
	lb.suite = &suite_b;
	/* conns 0,1,2 on listener a (suite alpha); 3 on listener b (beta). */
	add_conn(&la, &conns[0], &inbox[0]);
	add_conn(&la, &conns[1], &inbox[1]);
	add_conn(&la, &conns[2], &inbox[2]);
	add_conn(&lb, &conns[3], &inbox[3]);
}

static void teardown(void)
{
	for (int i = 0; i < 4; i++)
		pc_router_forget(&conns[i]);
	pc_router_shutdown();
}

static struct polychat_message text(const char *from, const char *body, int kind)
{
	struct polychat_message m = {
		.kind = POLYCHAT_MSG_TEXT, .body_kind = kind, .from = from,
		.body = (const uint8_t *)body, .body_len = strlen(body),
	};
	return m;
}

START_TEST(identities_are_unique_per_realm)
{
	ck_assert_int_eq(pc_router_bind(&conns[0], "alice"), 0);
	ck_assert_int_eq(pc_router_bind(&conns[1], "alice"), POLYCHAT_EEXIST);
	ck_assert_int_eq(pc_router_bind(&conns[3], "alice"), 0);
	ck_assert_int_eq(pc_router_bind(&conns[0], "alice"), 0);
	ck_assert_int_eq(pc_router_bind(&conns[1], ""), POLYCHAT_EINVAL);
	char long_name[300];
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	ck_assert_int_eq(pc_router_bind(&conns[1], long_name), POLYCHAT_EINVAL);
	ck_assert_ptr_eq(pc_router_lookup(&la, "alice"), &conns[0]);
	ck_assert_ptr_eq(pc_router_lookup(&lb, "alice"), &conns[3]);
	/* Rebinding releases the old name. */
	ck_assert_int_eq(pc_router_bind(&conns[0], "alicia"), 0);
	ck_assert_ptr_null(pc_router_lookup(&la, "alice"));
	ck_assert_int_eq(pc_router_bind(&conns[1], "alice"), 0);
	/* Forgetting releases the name and the identity string. */
	pc_router_forget(&conns[1]);
	ck_assert_ptr_null(conns[1].identity);
	ck_assert_ptr_null(pc_router_lookup(&la, "alice"));
}
END_TEST

START_TEST(listener_delivery_honours_flags)
{
	pc_router_bind(&conns[0], "alice");
	pc_router_bind(&conns[1], "bob");
	struct polychat_message m = text("alice", "hi", POLYCHAT_BODY_PLAIN);
	struct polychat_target all = { .kind = POLYCHAT_TO_LISTENER };
	ck_assert_int_eq(pc_router_deliver(&conns[0], &all, &m), 3);
	ck_assert_int_eq(inbox[0].count, 1);
	ck_assert_str_eq(inbox[1].last, "alice:hi");
	ck_assert_str_eq(inbox[1].last_suite, "alpha");
	ck_assert_int_eq(inbox[3].count, 0);

	all.flags = POLYCHAT_DELIVER_NO_ECHO;
	ck_assert_int_eq(pc_router_deliver(&conns[0], &all, &m), 2);
	all.flags = POLYCHAT_DELIVER_NO_ECHO | POLYCHAT_DELIVER_BOUND;
	ck_assert_int_eq(pc_router_deliver(&conns[0], &all, &m), 1);
	/* Closing connections are skipped. */
	conns[1].closing = 1;
	ck_assert_int_eq(pc_router_deliver(&conns[0], &all, &m), 0);
	conns[1].closing = 0;
	/* System messages reach bound sessions only. */
	ck_assert_int_eq(pc_router_listener_deliver(&la, &m), 2);
}
END_TEST

START_TEST(user_delivery_stays_in_the_realm)
{
	pc_router_bind(&conns[0], "alice");
	pc_router_bind(&conns[3], "bob");
	struct polychat_message m = text("alice", "psst", POLYCHAT_BODY_PLAIN);
	struct polychat_target to = { .kind = POLYCHAT_TO_USER, .name = "bob" };
	ck_assert_int_eq(pc_router_deliver(&conns[0], &to, &m), 0);
	ck_assert_int_eq(inbox[3].count, 0);
	pc_router_bind(&conns[2], "bob");
	ck_assert_int_eq(pc_router_deliver(&conns[0], &to, &m), 1);
	ck_assert_str_eq(inbox[2].last, "alice:psst");
	to.kind = POLYCHAT_TO_CONN;
	to.conn = &conns[3];
	ck_assert_int_eq(pc_router_deliver(&conns[0], &to, &m), 1);
	ck_assert_int_eq(inbox[3].count, 1);
}
END_TEST

START_TEST(rooms_span_listeners_but_opaque_bodies_stay_in_their_suite)
{
	ck_assert_int_eq(pc_router_room_join(&conns[0], "lobby"), 0);
	ck_assert_int_eq(pc_router_room_join(&conns[0], "lobby"), 0);
	ck_assert_int_eq(pc_router_room_join(&conns[1], "lobby"), 0);
	ck_assert_int_eq(pc_router_room_join(&conns[3], "lobby"), 0);
	struct polychat_target room = { .kind = POLYCHAT_TO_ROOM, .name = "lobby",
		.flags = POLYCHAT_DELIVER_NO_ECHO };

	struct polychat_message plain = text("alice", "plain", POLYCHAT_BODY_PLAIN);
	plain.extra = (const uint8_t *)"meta";
	plain.extra_len = 4;
	ck_assert_int_eq(pc_router_deliver(&conns[0], &room, &plain), 2);
	ck_assert_str_eq(inbox[3].last, "alice:plain");
	/* Suite-private extra data never crosses suites. */
	ck_assert_int_eq(inbox[3].last_extra_len, 0);
	ck_assert_int_eq(inbox[1].last_extra_len, 4);

	struct polychat_message sealed = text("alice", "sealed", POLYCHAT_BODY_OPAQUE);
	ck_assert_int_eq(pc_router_deliver(&conns[0], &room, &sealed), 1);
	ck_assert_str_eq(inbox[1].last, "alice:sealed");
	ck_assert_str_eq(inbox[3].last, "alice:plain");

	ck_assert_int_eq(pc_router_room_leave(&conns[1], "lobby"), 0);
	ck_assert_int_eq(pc_router_room_leave(&conns[1], "lobby"), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(pc_router_deliver(&conns[0], &room, &plain), 1);
	room.name = "nowhere";
	ck_assert_int_eq(pc_router_deliver(&conns[0], &room, &plain), 0);
}
END_TEST

START_TEST(invalid_messages_are_refused)
{
	struct polychat_message m = text("alice", "x", POLYCHAT_BODY_PLAIN);
	struct polychat_target all = { .kind = POLYCHAT_TO_LISTENER };
	m.kind = 0;
	ck_assert_int_eq(pc_router_deliver(&conns[0], &all, &m), POLYCHAT_EINVAL);
	m = text("alice", "x", 7);
	ck_assert_int_eq(pc_router_deliver(&conns[0], &all, &m), POLYCHAT_EINVAL);
	m = text("alice", "x", POLYCHAT_BODY_PLAIN);
	m.body = NULL;
	ck_assert_int_eq(pc_router_deliver(&conns[0], &all, &m), POLYCHAT_EINVAL);
	m = text("alice", "x", POLYCHAT_BODY_PLAIN);
	all.kind = 99;
	ck_assert_int_eq(pc_router_deliver(&conns[0], &all, &m), POLYCHAT_EINVAL);
	ck_assert_int_eq(inbox[1].count, 0);
}
END_TEST

START_TEST(strmap_grows_removes_and_reuses)
{
	struct pc_strmap map = { 0 };
	char key[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ck_assert_int_eq(pc_strmap_put(&map, key, (void *)(intptr_t)(i + 1)), 0);
	}
	ck_assert_uint_eq(map.used, 1000);
	for (int i = 0; i < 1000; i += 2) {
		snprintf(key, sizeof(key), "k%d", i);
		ck_assert_ptr_eq(pc_strmap_remove(&map, key), (void *)(intptr_t)(i + 1));
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		void *want = i % 2 ? (void *)(intptr_t)(i + 1) : NULL;
		ck_assert_ptr_eq(pc_strmap_get(&map, key), want);
	}
	ck_assert_ptr_null(pc_strmap_remove(&map, "k0"));
	/* Churn through tombstones without unbounded growth. */
	size_t cap = map.cap;
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 400; i++) {
			snprintf(key, sizeof(key), "t%d", i);
			ck_assert_int_eq(pc_strmap_put(&map, key, &map), 0);
		}
		for (int i = 0; i < 400; i++) {
			snprintf(key, sizeof(key), "t%d", i);
			ck_assert_ptr_eq(pc_strmap_remove(&map, key), &map);
		}
	}
	ck_assert_uint_le(map.cap, cap * 2);
	ck_assert_uint_eq(map.used, 500);
	pc_strmap_clear(&map);
	ck_assert_ptr_null(pc_strmap_get(&map, "k1"));
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("routing");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identities_are_unique_per_realm);
	tcase_add_test(tc, listener_delivery_honours_flags);
	tcase_add_test(tc, user_delivery_stays_in_the_realm);
	tcase_add_test(tc, rooms_span_listeners_but_opaque_bodies_stay_in_their_suite);
	tcase_add_test(tc, invalid_messages_are_refused);
	suite_add_tcase(s, tc);
	TCase *maps = tcase_create("strmap");
	tcase_add_test(maps, strmap_grows_removes_and_reuses);
	suite_add_tcase(s, maps);
	return s;
}

int main(void)
{
	return pc_check_run(router_suite());
}
