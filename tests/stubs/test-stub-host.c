/* SPDX-License-Identifier: MIT */
/* Tests of the stub host itself, so plugin tests can trust what it records. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <polychat/plugin.h>

#include "stub-feed.h"
#include "stub-host.h"

/*
 * Every test starts from a reset stub, so each one sees only what it did.
 * The members are called through the table, as a plugin calls them.
 */

#define H (stub_host())

static void reset(void)
{
	stub_host_reset();
}

START_TEST(table_is_complete)
{
	ck_assert_uint_eq(H->size, sizeof(struct polychat_host));
	ck_assert_uint_eq(H->abi_major, POLYCHAT_ABI_MAJOR);
	ck_assert_uint_eq(H->abi_minor, POLYCHAT_ABI_MINOR);
	/* The table is a run of pointers after the three version fields:
	 * none of them may be NULL. */
	const size_t first = offsetof(struct polychat_host, log);
	const unsigned char *base = (const unsigned char *)H;
	for (size_t off = first; off + sizeof(void *) <= H->size;
			off += sizeof(void *)) {
		void *p;
		memcpy(&p, base + off, sizeof(p));
		ck_assert_msg(p != NULL, "host member at offset %zu is NULL",
			off);
	}
}
END_TEST

START_TEST(log_and_memory)
{
	H->log(POLYCHAT_LOG_INFO, "unit", "hello %d", 42);
	H->log(POLYCHAT_LOG_DEBUG, NULL, "quiet");
	ck_assert_uint_eq(stub_log_count(), 2);
	ck_assert_str_eq(stub_log_line(0), "info unit: hello 42");
	ck_assert_str_eq(stub_log_line(1), "debug quiet");
	ck_assert(stub_log_contains("hello 4"));
	ck_assert(!stub_log_contains("goodbye"));
	ck_assert_uint_eq(stub_log_count_level(POLYCHAT_LOG_DEBUG), 1);
	stub_log_clear();
	ck_assert_uint_eq(stub_log_count(), 0);

	void *a = H->alloc(10);
	void *b = H->calloc(4, 4);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(stub_alloc_outstanding(), 2);
	H->free(a);
	H->wipe_free(b, 16);
	H->free(NULL);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);

	stub_alloc_fail_after(1);
	a = H->alloc(1);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(H->alloc(1));
	ck_assert_ptr_null(H->calloc(1, 1));
	stub_alloc_fail_after(-1);
	b = H->alloc(1);
	ck_assert_ptr_nonnull(b);
	H->free(a);
	H->free(b);

	uint8_t x[32] = { 0 };
	uint8_t y[32] = { 0 };
	ck_assert_int_eq(H->random(x, sizeof(x)), 0);
	ck_assert_int_eq(H->random(y, sizeof(y)), 0);
	ck_assert(memcmp(x, y, sizeof(x)) != 0);
}
END_TEST

START_TEST(options)
{
	struct polychat_options *opts = stub_options_new("/var/lib/pc",
		"path", "x.db", "port", "70000", "flag", "yes", "extra", "1",
		NULL);
	const char *s = NULL;
	int64_t n = 5;
	int b = 0;
	char path[64];

	ck_assert_ptr_nonnull(opts);
	ck_assert_int_eq(H->opt_string(opts, "path", &s), 0);
	ck_assert_str_eq(s, "x.db");
	ck_assert_int_eq(H->opt_int(opts, "port", 1, 65535, &n),
		POLYCHAT_ECONFIG);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(H->opt_bool(opts, "flag", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(H->opt_string(opts, "absent", &s),
		POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(H->opt_error(opts, "path", "bad %s", "thing"),
		POLYCHAT_ECONFIG);
	ck_assert_uint_eq(stub_options_errors(opts), 2);
	ck_assert(stub_options_error_contains(opts, "port"));
	ck_assert(stub_options_error_contains(opts, "bad thing"));
	ck_assert_int_eq(stub_options_unused(opts), 1);
	ck_assert(stub_options_error_contains(opts, "extra"));

	ck_assert_int_eq(H->state_path(opts, "x.db", path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/var/lib/pc/x.db");
	ck_assert_int_eq(H->state_path(opts, "/abs", path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/abs");
	ck_assert_int_eq(H->state_path(opts, "x.db", path, 8),
		POLYCHAT_ETOOBIG);
	stub_options_free(opts);
}
END_TEST

static void note_status(void *arg, int status)
{
	*(int *)arg = status;
}

START_TEST(connections)
{
	struct polychat_listener *l = stub_listener_new("kylo-5000", "kylo");
	struct polychat_conn *c = stub_conn_new(l, "192.0.2.1", 4000);
	struct polychat_conn *v6 = stub_conn_new(l, "2001:db8::1", 4001);
	size_t len = 0;

	ck_assert_str_eq(H->listener_name(l), "kylo-5000");
	ck_assert_str_eq(H->listener_realm(l), "kylo");
	ck_assert_str_eq(H->conn_peer(c), "192.0.2.1:4000");
	ck_assert_str_eq(H->conn_peer(v6), "[2001:db8::1]:4001");
	ck_assert_str_eq(H->conn_peer_ip(v6), "2001:db8::1");
	ck_assert_str_eq(H->conn_local_ip(c), "127.0.0.1");
	ck_assert_str_eq(H->conn_local_ip(v6), "::1");
	stub_conn_set_local_ip(c, "192.0.2.254");
	ck_assert_str_eq(H->conn_local_ip(c), "192.0.2.254");
	ck_assert_ptr_eq(H->conn_listener(c), l);

	ck_assert_int_eq(H->conn_write(c, (const uint8_t *)"ab", 2), 0);
	ck_assert_int_eq(H->conn_write(c, (const uint8_t *)"cde", 3), 0);
	ck_assert_uint_eq(stub_conn_writes(c), 2);
	ck_assert_mem_eq(stub_conn_output(c, &len), "abcde", 5);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(stub_conn_write_at(c, 1, &len), "cde", 3);
	ck_assert_uint_eq(len, 3);
	ck_assert_ptr_null(stub_conn_write_at(c, 2, &len));

	stub_conn_set_write_result(c, POLYCHAT_EBUSY);
	ck_assert_int_eq(H->conn_write(c, (const uint8_t *)"x", 1),
		POLYCHAT_EBUSY);
	stub_conn_set_write_result(c, 0);
	H->conn_set_write_gap(c, 25);
	H->conn_set_input_limit(c, 4096);
	H->conn_pause(c);
	ck_assert_uint_eq(stub_conn_write_gap(c), 25);
	ck_assert_uint_eq(stub_conn_input_limit(c), 4096);
	ck_assert_int_eq(stub_conn_paused(c), 1);
	H->conn_resume(c);
	ck_assert_int_eq(stub_conn_paused(c), 0);

	/* conn_write_notify (ABI 1.2) records the write and tells its owner
	 * from stub_jobs_run, never from within the call. */
	int told = 1;
	size_t before = stub_conn_writes(c);
	ck_assert_uint_gt(H->size, offsetof(struct polychat_host, conn_write_notify));
	ck_assert_int_eq(H->conn_write_notify(c, (const uint8_t *)"x", 1,
		note_status, &told), 0);
	ck_assert_uint_eq(stub_conn_writes(c), before + 1);
	ck_assert_int_eq(told, 1);
	ck_assert_uint_eq(stub_jobs_run(), 1);
	ck_assert_int_eq(told, 0);
	ck_assert_int_eq(H->conn_write_notify(c, (const uint8_t *)"", 0,
		note_status, &told), POLYCHAT_EINVAL);

	int flush = -1;
	const char *reason = NULL;
	ck_assert_int_eq(stub_conn_closed(c, &flush, &reason), 0);
	H->conn_close(c, 1, "bye");
	H->conn_close(c, 0, "again");
	ck_assert_int_eq(stub_conn_closed(c, &flush, &reason), 1);
	ck_assert_int_eq(flush, 1);
	ck_assert_str_eq(reason, "bye");
	ck_assert_int_eq(H->conn_write(c, (const uint8_t *)"x", 1),
		POLYCHAT_ECLOSED);
	ck_assert_uint_eq(stub_conn_writes(c), 3);

	H->ui_show(c, POLYCHAT_UI_MESSAGE, "bob", (const uint8_t *)"hi", 2);
	int kind = 0;
	const char *from = NULL;
	const uint8_t *text = NULL;
	ck_assert_uint_eq(stub_conn_ui_count(c), 1);
	ck_assert_int_eq(stub_conn_ui_at(c, 0, &kind, &from, &text, &len), 0);
	ck_assert_int_eq(kind, POLYCHAT_UI_MESSAGE);
	ck_assert_str_eq(from, "bob");
	ck_assert_mem_eq(text, "hi", 2);
	ck_assert_uint_eq(stub_conn_ui_count_kind(c, POLYCHAT_UI_MESSAGE), 1);
	ck_assert_uint_eq(stub_conn_ui_count_kind(c, POLYCHAT_UI_ERROR), 0);
	ck_assert_int_eq(stub_conn_ui_at(c, 1, &kind, &from, &text, &len),
		-1);

	/* ui_secret (ABI 1.1) is counted and keeps its last prompt, and
	 * shows nothing by itself. */
	ck_assert_uint_gt(H->size, offsetof(struct polychat_host, ui_secret));
	ck_assert_uint_eq(stub_conn_secret_count(c), 0);
	ck_assert_ptr_null(stub_conn_secret_prompt(c));
	H->ui_secret(c, "password:");
	H->ui_secret(c, "again:");
	ck_assert_uint_eq(stub_conn_secret_count(c), 2);
	ck_assert_str_eq(stub_conn_secret_prompt(c), "again:");
	ck_assert_uint_eq(stub_conn_ui_count(c), 1);

}
END_TEST

START_TEST(identities_rooms_delivery)
{
	struct polychat_listener *a = stub_listener_new("a", "shared");
	struct polychat_listener *b = stub_listener_new("b", "shared");
	struct polychat_listener *other = stub_listener_new("c", NULL);
	struct polychat_conn *alice = stub_conn_new(a, NULL, 1);
	struct polychat_conn *bob = stub_conn_new(b, NULL, 2);
	struct polychat_conn *alice2 = stub_conn_new(other, NULL, 3);
	struct polychat_conn *anon = stub_conn_new(a, NULL, 4);

	ck_assert_str_eq(H->listener_realm(other), "c");
	ck_assert_int_eq(H->conn_bind(alice, "alice"), 0);
	ck_assert_int_eq(H->conn_bind(bob, "alice"), POLYCHAT_EEXIST);
	ck_assert_int_eq(H->conn_bind(alice2, "alice"), 0);
	ck_assert_int_eq(H->conn_bind(bob, ""), POLYCHAT_EINVAL);
	ck_assert_int_eq(H->conn_bind(bob, "bob"), 0);
	ck_assert_str_eq(H->conn_identity(bob), "bob");
	ck_assert_ptr_null(H->conn_identity(anon));
	ck_assert_ptr_eq(H->identity_lookup(b, "alice"), alice);
	ck_assert_ptr_eq(H->identity_lookup(other, "alice"), alice2);
	ck_assert_ptr_null(H->identity_lookup(a, "carol"));

	ck_assert_int_eq(H->room_join(alice, "lobby"), 0);
	ck_assert_int_eq(H->room_join(alice, "lobby"), 0);
	ck_assert_int_eq(H->room_join(bob, "lobby"), 0);
	ck_assert_int_eq(H->room_join(anon, "lobby"), 0);
	ck_assert_int_eq(H->room_join(bob, ""), POLYCHAT_EINVAL);
	ck_assert(stub_conn_in_room(bob, "lobby"));

	struct polychat_message msg = {
		.kind = POLYCHAT_MSG_TEXT,
		.body_kind = POLYCHAT_BODY_PLAIN,
		.from = "alice",
		.body = (const uint8_t *)"hello",
		.body_len = 5,
	};
	struct polychat_target room = {
		.kind = POLYCHAT_TO_ROOM,
		.name = "lobby",
		.flags = POLYCHAT_DELIVER_NO_ECHO | POLYCHAT_DELIVER_BOUND,
	};
	ck_assert_int_eq(H->deliver(alice, &room, &msg), 1);
	room.flags = 0;
	ck_assert_int_eq(H->deliver(alice, &room, &msg), 3);
	struct polychat_target user = { .kind = POLYCHAT_TO_USER,
		.name = "bob" };
	ck_assert_int_eq(H->deliver(alice, &user, &msg), 1);
	user.name = "nobody";
	ck_assert_int_eq(H->deliver(alice, &user, &msg), 0);
	ck_assert_int_eq(H->listener_deliver(a, &msg), 1);

	ck_assert_uint_eq(stub_deliveries(), 5);
	const struct stub_delivery *d = stub_delivery_at(0);
	ck_assert_ptr_eq(d->from, alice);
	ck_assert_int_eq(d->target_kind, POLYCHAT_TO_ROOM);
	ck_assert_str_eq(d->target_name, "lobby");
	ck_assert_str_eq(d->msg_from, "alice");
	ck_assert_mem_eq(d->body, "hello", 5);
	ck_assert_int_eq(d->reached, 1);
	ck_assert_ptr_null(stub_delivery_at(5));

	ck_assert_int_eq(H->room_leave(bob, "lobby"), 0);
	ck_assert(!stub_conn_in_room(bob, "lobby"));
	/* A closing connection gives its identity up. */
	H->conn_close(bob, 0, "quit");
	ck_assert_ptr_null(H->conn_identity(bob));
	ck_assert_ptr_null(H->identity_lookup(b, "bob"));
	ck_assert_int_eq(H->conn_bind(bob, "bob"), POLYCHAT_ECLOSED);
	ck_assert_int_eq(H->conn_bind(anon, "bob"), 0);
	bob = anon;
	/* Freeing a connection releases its identity. */
	stub_conn_free(alice);
	ck_assert_ptr_null(H->identity_lookup(a, "alice"));
	ck_assert_int_eq(H->conn_bind(bob, "alice"), 0);
}
END_TEST

/* Timer and job callbacks append a letter to this trace. */
static char trace[64];
static struct polychat_timer *self_stopping;

static void note(void *arg)
{
	size_t n = strlen(trace);

	if (n + 1 < sizeof(trace)) {
		trace[n] = *(const char *)arg;
		trace[n + 1] = '\0';
	}
}

static void note_and_stop(void *arg)
{
	note(arg);
	H->timer_stop(self_stopping);
}

START_TEST(timers)
{
	struct polychat_listener *l = stub_listener_new("l", NULL);
	struct polychat_conn *c = stub_conn_new(l, NULL, 1);

	trace[0] = '\0';
	H->conn_timer(c, 30, 0, note, "c");
	H->conn_timer(c, 10, 0, note, "a");
	H->listener_timer(l, 10, 0, note, "b");
	struct polychat_timer *rep = H->listener_timer(l, 5, 20, note, "r");
	self_stopping = H->conn_timer(c, 12, 12, note_and_stop, "s");
	ck_assert_uint_eq(stub_timers_active(), 5);

	ck_assert_uint_eq(stub_clock_advance(9), 1);
	ck_assert_str_eq(trace, "r");
	/* Ties fire in creation order; a timer stopped from its own
	 * callback fires once. */
	ck_assert_uint_eq(stub_clock_advance(21), 5);
	ck_assert_str_eq(trace, "rabsrc");
	ck_assert_uint_eq(stub_clock_now(), 30);
	ck_assert_uint_eq(stub_timers_active(), 1);
	H->timer_stop(rep);
	H->timer_stop(NULL);
	ck_assert_uint_eq(stub_clock_advance(100), 0);

	/* A connection's timers go with it. */
	H->conn_timer(c, 1, 0, note, "x");
	stub_conn_free(c);
	ck_assert_uint_eq(stub_clock_advance(5), 0);
	ck_assert_str_eq(trace, "rabsrc");
}
END_TEST

static int done_status[8];
static int n_done;

static void work_note(void *arg)
{
	note(arg);
}

static void done_record(void *arg, int status)
{
	done_status[n_done++] = status;
}

static void done_requeue(void *arg, int status)
{
	done_record(arg, status);
	struct polychat_listener *l = stub_listener_new("again", NULL);
	ck_assert_int_eq(H->listener_job(l, work_note, done_record, "z"), 0);
}

START_TEST(jobs)
{
	struct polychat_listener *l = stub_listener_new("l", NULL);
	struct polychat_conn *c = stub_conn_new(l, NULL, 1);

	trace[0] = '\0';
	n_done = 0;
	ck_assert_int_eq(H->conn_job(c, work_note, done_record, "a"), 0);
	ck_assert_int_eq(H->listener_job(l, work_note, done_requeue, "b"), 0);
	ck_assert_int_eq(H->conn_job(c, NULL, done_record, "x"),
		POLYCHAT_EINVAL);
	/* Nothing runs within the call. */
	ck_assert_str_eq(trace, "");
	ck_assert_uint_eq(stub_jobs_pending(), 2);
	ck_assert_uint_eq(stub_jobs_run(), 3);
	ck_assert_str_eq(trace, "abz");
	ck_assert_int_eq(n_done, 3);
	ck_assert_int_eq(done_status[0], 0);

	ck_assert_int_eq(H->conn_job(c, work_note, done_record, "c"), 0);
	ck_assert_uint_eq(stub_jobs_cancel(), 1);
	ck_assert_str_eq(trace, "abz");
	ck_assert_int_eq(done_status[3], POLYCHAT_ECANCELED);
	ck_assert_uint_eq(stub_jobs_pending(), 0);
}
END_TEST

/* What the line protocol below was offered and what it consumed. */
struct feed_script {
	struct polychat_conn *conn; /* closed on the line "bye" */
	char trace[256];            /* every offer, as "[bytes]" */
	char lines[256];            /* every line consumed, as "line;" */
};

static void append(char *dst, size_t cap, const void *src, size_t n)
{
	size_t have = strlen(dst);
	ck_assert_uint_lt(have + n, cap);
	memcpy(dst + have, src, n);
	dst[have + n] = '\0';
}

/* Consumes one "...\n" per call, so the feeder has to offer the rest
 * again; 0 while no line is whole, POLYCHAT_EPROTO for a line that
 * starts with '!'. */
static long line_input(void *session, const uint8_t *data, size_t len)
{
	struct feed_script *s = session;
	append(s->trace, sizeof(s->trace), "[", 1);
	append(s->trace, sizeof(s->trace), data, len);
	append(s->trace, sizeof(s->trace), "]", 1);
	if (data[0] == '!')
		return POLYCHAT_EPROTO;
	const uint8_t *nl = memchr(data, '\n', len);
	if (!nl)
		return 0;
	size_t n = (size_t)(nl - data);
	append(s->lines, sizeof(s->lines), data, n);
	append(s->lines, sizeof(s->lines), ";", 1);
	if (n == 3 && memcmp(data, "bye", 3) == 0)
		H->conn_close(s->conn, 1, "bye");
	return (long)n + 1;
}

START_TEST(feeder)
{
	struct polychat_conn *c = stub_conn_new(NULL, "192.0.2.1", 4000);
	struct feed_script s = { .conn = c };
	struct stub_feeder f;
	stub_feeder_init(&f, line_input);

	/* What is not consumed waits and leads the next offer; what is
	 * consumed is followed by an offer of the rest until it stops. */
	ck_assert_int_eq(stub_feed(&f, &s, c, "ab", 2), 0);
	ck_assert_uint_eq(f.len, 2);
	ck_assert_int_eq(stub_feed(&f, &s, c, "c\nd\ne", 5), 0);
	ck_assert_str_eq(s.trace, "[ab][abc\nd\ne][d\ne][e]");
	ck_assert_str_eq(s.lines, "abc;d;");
	ck_assert_uint_eq(f.len, 1);
	ck_assert_mem_eq(f.data, "e", 1);
	ck_assert_int_eq(f.last, 0);

	/* Byte by byte, each byte comes with what waits. */
	s.trace[0] = s.lines[0] = '\0';
	ck_assert_int_eq(stub_feed_bytewise(&f, &s, c, "f\n", 2), 0);
	ck_assert_str_eq(s.trace, "[ef][ef\n]");
	ck_assert_str_eq(s.lines, "ef;");
	ck_assert_uint_eq(f.len, 0);

	/* A negative code is returned and drops all that waits, even the
	 * line after the bad one; byte by byte stops there too. */
	s.trace[0] = s.lines[0] = '\0';
	ck_assert_int_eq(stub_feed(&f, &s, c, "g", 1), 0);
	ck_assert_int_eq(stub_feed(&f, &s, c, "\n!x\nh\n", 6),
		POLYCHAT_EPROTO);
	ck_assert_str_eq(s.trace, "[g][g\n!x\nh\n][!x\nh\n]");
	ck_assert_str_eq(s.lines, "g;");
	ck_assert_uint_eq(f.len, 0);
	ck_assert_int_eq(f.last, POLYCHAT_EPROTO);
	s.trace[0] = '\0';
	ck_assert_int_eq(stub_feed_bytewise(&f, &s, c, "!\ni\n", 4),
		POLYCHAT_EPROTO);
	ck_assert_str_eq(s.trace, "[!]");
	ck_assert_uint_eq(f.len, 0);

	/* Once the connection is closed nothing is offered: input waits. */
	s.trace[0] = s.lines[0] = '\0';
	ck_assert_int_eq(stub_feed(&f, &s, c, "bye\nj\n", 6), 0);
	ck_assert_int_eq(f.last, 0);
	ck_assert_int_eq(stub_conn_closed(c, NULL, NULL), 1);
	ck_assert_uint_eq(f.len, 2);
	ck_assert_int_eq(stub_feed(&f, &s, c, "k\n", 2), 0);
	ck_assert_str_eq(s.trace, "[bye\nj\n]");
	ck_assert_uint_eq(f.len, 4);
	/* Without a connection to consult, a close does not stop it. */
	ck_assert_int_eq(stub_feed(&f, &s, NULL, NULL, 0), 0);
	ck_assert_str_eq(s.trace, "[bye\nj\n][j\nk\n][k\n]");
	ck_assert_str_eq(s.lines, "bye;j;k;");
	ck_assert_uint_eq(f.len, 0);

	/* The buffer is the test's: never counted as the plugin's. */
	ck_assert_int_eq(stub_feed(&f, &s, NULL, "rest", 4), 0);
	ck_assert_uint_eq(f.len, 4);
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
	stub_feeder_reset(&f);
	ck_assert_uint_eq(f.len, 0);
	ck_assert_ptr_nonnull(f.data);
	stub_feeder_free(&f);
	ck_assert_ptr_null(f.data);
	ck_assert_ptr_eq(f.input, line_input);
	stub_feeder_free(&f);
	stub_conn_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stub host");
	TCase *tc = tcase_create("stub host");

	tcase_add_checked_fixture(tc, reset, reset);
	tcase_add_test(tc, table_is_complete);
	tcase_add_test(tc, log_and_memory);
	tcase_add_test(tc, options);
	tcase_add_test(tc, connections);
	tcase_add_test(tc, identities_rooms_delivery);
	tcase_add_test(tc, timers);
	tcase_add_test(tc, jobs);
	tcase_add_test(tc, feeder);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
