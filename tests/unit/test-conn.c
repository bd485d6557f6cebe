/* SPDX-License-Identifier: MIT */
/* Unit tests of core/conn.c, timer.c and job.c: two connections on one loop over loopback. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../core/conn.h"
#include "../../core/host.h"
#include "../../core/job.h"
#include "../check-run.h"

/* One side of a test connection and what happened to it. */
struct side {
	struct polychat_conn *conn;
	char got[8192];
	size_t got_len;
	char chunks[16][256];   /* what each input call saw */
	int n_inputs;
	long consume;           /* bytes to take per call; -1 = all */
	int pause_after_input;
	int closed;
	int gone;
	int status;
	int order;              /* when session_close ran (sequence number) */
};

static uv_loop_t *loop;
static uv_tcp_t server;
static struct side srv, cli;
static int sequence;
static uv_connect_t connect_req;
static void (*on_ready)(void);

static long side_input(struct polychat_conn *conn, const uint8_t *data, size_t len)
{
	struct side *s = conn->session;
	if (s->n_inputs < 16)
		snprintf(s->chunks[s->n_inputs], sizeof(s->chunks[0]), "%.*s", (int)len,
			(const char *)data);
	s->n_inputs++;
	size_t take = s->consume < 0 ? len : (size_t)s->consume;
	if (take > len)
		take = len;
	memcpy(s->got + s->got_len, data, take);
	s->got_len += take;
	if (s->pause_after_input)
		pc_conn_pause(conn);
	return (long)take;
}

static void side_close(struct polychat_conn *conn)
{
	struct side *s = conn->session;
	s->closed++;
	s->status = conn->status;
	s->order = ++sequence;
}

static void side_gone(void *owner, struct polychat_conn *conn)
{
	struct side *s = owner;
	s->gone++;
	s->conn = NULL;
	if (s == &srv)
		uv_close((uv_handle_t *)&server, NULL);
}

static const struct pc_conn_driver driver = {
	.input = side_input,
	.session_close = side_close,
	.gone = side_gone,
};

static struct polychat_conn *new_conn(struct side *s, size_t in_limit, size_t out_limit)
{
	struct polychat_conn *conn = malloc(sizeof(*conn));
	ck_assert_ptr_nonnull(conn);
	ck_assert_int_eq(pc_conn_init(conn, loop, &driver, s, in_limit, out_limit, 2000), 0);
	conn->who = s == &srv ? "server" : "client";
	conn->session = s;
	conn->session_open = 1;
	s->conn = conn;
	return conn;
}

static size_t srv_in_limit = 65536, srv_out_limit = 65536;

static void on_accept(uv_stream_t *listener, int status)
{
	ck_assert_int_eq(status, 0);
	struct polychat_conn *conn = new_conn(&srv, srv_in_limit, srv_out_limit);
	ck_assert_int_eq(uv_accept(listener, (uv_stream_t *)&conn->tcp), 0);
	ck_assert_int_eq(pc_conn_start(conn), 0);
	if (cli.conn && cli.conn->reading)
		on_ready();
}

static void on_connect(uv_connect_t *req, int status)
{
	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(pc_conn_start(cli.conn), 0);
	if (srv.conn)
		on_ready();
}

/* Connect a client to the server and call `ready` once both ends read. */
static void run_pair(void (*ready)(void))
{
	struct sockaddr_in addr;
	struct sockaddr_storage bound;
	int len = sizeof(bound);
	on_ready = ready;
	ck_assert_int_eq(uv_tcp_init(loop, &server), 0);
	uv_ip4_addr("127.0.0.1", 0, &addr);
	ck_assert_int_eq(uv_tcp_bind(&server, (struct sockaddr *)&addr, 0), 0);
	ck_assert_int_eq(uv_listen((uv_stream_t *)&server, 8, on_accept), 0);
	uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len);
	new_conn(&cli, 65536, 65536);
	ck_assert_int_eq(uv_tcp_connect(&connect_req, &cli.conn->tcp,
		(struct sockaddr *)&bound, on_connect), 0);
	ck_assert_int_eq(uv_run(loop, UV_RUN_DEFAULT), 0);
	/* Every handle is closed: nothing leaked into the loop. */
	ck_assert_int_eq(uv_loop_close(loop), 0);
}

static void setup(void)
{
	loop = malloc(sizeof(*loop));
	uv_loop_init(loop);
	pc_host_setup(loop, NULL);
	memset(&srv, 0, sizeof(srv));
	memset(&cli, 0, sizeof(cli));
	srv.consume = cli.consume = -1;
	srv_in_limit = srv_out_limit = 65536;
	sequence = 0;
}

static void teardown(void)
{
	free(loop);
}

/* --- whole messages with a write gap arrive one per read --- */

static void write_three(void)
{
	pc_conn_set_write_gap(srv.conn, 30);
	ck_assert_int_eq(pc_conn_write(srv.conn, (const uint8_t *)"one", 3), 0);
	ck_assert_int_eq(pc_conn_write(srv.conn, (const uint8_t *)"two", 3), 0);
	ck_assert_int_eq(pc_conn_write(srv.conn, (const uint8_t *)"three", 5), 0);
	pc_conn_close(srv.conn, 1, "done");
}

START_TEST(write_gap_keeps_messages_apart)
{
	run_pair(write_three);
	ck_assert_int_eq(cli.n_inputs, 3);
	ck_assert_str_eq(cli.chunks[0], "one");
	ck_assert_str_eq(cli.chunks[1], "two");
	ck_assert_str_eq(cli.chunks[2], "three");
	/* The flush completed before the close: the peer saw an orderly EOF. */
	ck_assert_int_eq(cli.closed, 1);
	ck_assert_int_eq(cli.status, 0);
	ck_assert_int_eq(srv.closed, 1);
	ck_assert_int_eq(srv.gone, 1);
	ck_assert_int_eq(cli.gone, 1);
}
END_TEST

/* --- unconsumed input beyond the limit closes the connection --- */

static void flood(void)
{
	srv.consume = 0;
	char junk[300];
	memset(junk, 'x', sizeof(junk));
	ck_assert_int_eq(pc_conn_write(cli.conn, (const uint8_t *)junk, sizeof(junk)), 0);
}

START_TEST(input_limit_closes_the_connection)
{
	srv_in_limit = 100;
	run_pair(flood);
	ck_assert_int_eq(srv.closed, 1);
	ck_assert_int_eq(srv.status, POLYCHAT_ETOOBIG);
	ck_assert_int_eq(srv.got_len, 0);
	ck_assert_int_eq(cli.closed, 1);
}
END_TEST

/* --- pause holds input until resume, then the rest is offered --- */

static void resume_later(void *arg)
{
	pc_conn_resume(srv.conn);
	if (srv.got_len == 3) {
		pc_conn_close(srv.conn, 1, "done");
		return;
	}
	pc_host()->conn_timer(srv.conn, 5, 0, resume_later, NULL);
}

static void send_abc(void)
{
	srv.consume = 1;
	srv.pause_after_input = 1;
	ck_assert_int_eq(pc_conn_write(cli.conn, (const uint8_t *)"abc", 3), 0);
	pc_host()->conn_timer(srv.conn, 20, 0, resume_later, NULL);
}

START_TEST(pause_holds_input_until_resume)
{
	run_pair(send_abc);
	ck_assert_int_eq(srv.got_len, 3);
	ck_assert(memcmp(srv.got, "abc", 3) == 0);
	/* One call per byte: paused after each, resumed by the timer. */
	ck_assert_int_eq(srv.n_inputs, 3);
	ck_assert_str_eq(srv.chunks[0], "abc");
	ck_assert_str_eq(srv.chunks[2], "c");
}
END_TEST

/* --- a peer that does not read is cut off at the output limit --- */

static void overfill(void)
{
	static uint8_t big[4096];
	ck_assert_int_eq(pc_conn_write(srv.conn, big, 1000), 0);
	ck_assert_int_eq(pc_conn_write(srv.conn, big, sizeof(big)), POLYCHAT_EBUSY);
	ck_assert_int_eq(pc_conn_write(srv.conn, big, 1), POLYCHAT_ECLOSED);
}

START_TEST(output_limit_closes_a_slow_reader)
{
	srv_out_limit = 2048;
	run_pair(overfill);
	ck_assert_int_eq(srv.status, POLYCHAT_EBUSY);
	ck_assert_int_eq(srv.closed, 1);
}
END_TEST

/* --- a connection's session outlives its jobs --- */

static int job_done_order;
static int job_status;
static struct polychat_timer *saved_timer;
static int saved_fired;

static void slow_work(void *arg)
{
	struct timespec ts = { 0, 50 * 1000000L };
	nanosleep(&ts, NULL);
}

static void slow_done(void *arg, int status)
{
	job_done_order = ++sequence;
	job_status = status;
	/* The connection closed meanwhile and silenced this timer, but the
	 * handle is still the session's to stop (ASan checks the memory). */
	pc_host()->timer_stop(saved_timer);
}

static void count_saved(void *arg)
{
	saved_fired++;
}

static void job_then_abort(void)
{
	saved_timer = pc_host()->conn_timer(srv.conn, 5, 0, count_saved, NULL);
	ck_assert_ptr_nonnull(saved_timer);
	ck_assert_int_eq(pc_host()->conn_job(srv.conn, slow_work, slow_done, NULL), 0);
	pc_conn_abort(srv.conn, POLYCHAT_EPROTO, "test abort");
	/* Closing: no new timers, no new jobs. */
	ck_assert_ptr_null(pc_host()->conn_timer(srv.conn, 1, 0, count_saved, NULL));
	ck_assert_int_eq(pc_host()->conn_job(srv.conn, slow_work, slow_done, NULL),
		POLYCHAT_ECLOSED);
	/* Nothing completes synchronously. */
	ck_assert_int_eq(job_done_order, 0);
	ck_assert_int_eq(srv.closed, 0);
}

START_TEST(session_close_waits_for_jobs)
{
	job_done_order = 0;
	saved_fired = 0;
	run_pair(job_then_abort);
	/* Silenced at close, before its 5 ms were up (the job takes 50). */
	ck_assert_int_eq(saved_fired, 0);
	ck_assert_int_eq(job_status, 0);
	ck_assert_int_gt(job_done_order, 0);
	ck_assert_int_gt(srv.order, job_done_order);
	ck_assert_int_eq(srv.status, POLYCHAT_EPROTO);
	ck_assert_int_eq(pc_job_pending(), 0);
}
END_TEST

/* --- timers: one-shot, stopped, and stopped with their owner --- */

static int fired_once, fired_stopped, fired_after_close;

static void count(void *arg)
{
	(*(int *)arg)++;
}

static void close_after_once(void *arg)
{
	ck_assert_int_eq(fired_once, 1);
	ck_assert_int_eq(fired_stopped, 0);
	pc_conn_close(srv.conn, 0, "done");
}

static void arm_timers(void)
{
	const struct polychat_host *host = pc_host();
	ck_assert_ptr_nonnull(host->conn_timer(srv.conn, 1, 0, count, &fired_once));
	struct polychat_timer *t = host->conn_timer(srv.conn, 1, 0, count, &fired_stopped);
	host->timer_stop(t);
	host->conn_timer(srv.conn, 30, 0, close_after_once, NULL);
	/* Far in the future: must die with the connection, not keep the loop. */
	host->conn_timer(srv.conn, 60000, 0, count, &fired_after_close);
}

START_TEST(timers_fire_stop_and_die_with_their_connection)
{
	fired_once = fired_stopped = fired_after_close = 0;
	run_pair(arm_timers);
	ck_assert_int_eq(fired_once, 1);
	ck_assert_int_eq(fired_stopped, 0);
	ck_assert_int_eq(fired_after_close, 0);
}
END_TEST

/* --- CPU jobs: never more at once than the limit, done in order --- */

#define CPU_JOBS 6
static int cpu_now, cpu_max, cpu_done[CPU_JOBS], cpu_done_n;
static uv_mutex_t cpu_lock;

static void cpu_work(void *arg)
{
	(void)arg;
	uv_mutex_lock(&cpu_lock);
	if (++cpu_now > cpu_max)
		cpu_max = cpu_now;
	uv_mutex_unlock(&cpu_lock);
	struct timespec ts = { 0, 20 * 1000000L };
	nanosleep(&ts, NULL);
	uv_mutex_lock(&cpu_lock);
	cpu_now--;
	uv_mutex_unlock(&cpu_lock);
}

static void cpu_job_done(void *arg, int status)
{
	ck_assert_int_eq(status, 0);
	cpu_done[cpu_done_n++] = (int)(intptr_t)arg;
	if (cpu_done_n == CPU_JOBS)
		pc_conn_close(srv.conn, 0, "done");
}

static void submit_cpu_jobs(void)
{
	for (int i = 0; i < CPU_JOBS; i++)
		ck_assert_int_eq(pc_host()->conn_job_cpu(srv.conn, cpu_work, cpu_job_done,
			(void *)(intptr_t)i), 0);
	/* Waiting jobs keep the connection, as running ones do. */
	ck_assert_uint_eq(pc_job_pending(), CPU_JOBS);
}

START_TEST(cpu_jobs_respect_the_limit)
{
	uv_mutex_init(&cpu_lock);
	cpu_now = cpu_max = cpu_done_n = 0;
	run_pair(submit_cpu_jobs);
	uv_mutex_destroy(&cpu_lock);
	ck_assert_int_eq(cpu_done_n, CPU_JOBS);
	ck_assert_int_ge(cpu_max, 1);
	ck_assert_int_le(cpu_max, (int)pc_job_cpu_limit());
	/* With a limit below the job count they queue, first in first out. */
	if (pc_job_cpu_limit() == 1)
		for (int i = 0; i < CPU_JOBS; i++)
			ck_assert_int_eq(cpu_done[i], i);
	ck_assert_int_gt(srv.order, 0);
}
END_TEST

/* --- conn_write_notify: told once per message, in order, before close --- */

static int notified[4];      /* status per message, 1 = not told yet */
static int notify_order[4];  /* sequence number when told */
static int notified_before_close;

static void note_left(void *arg, int status)
{
	int i = (int)(intptr_t)arg;
	ck_assert_int_eq(notified[i], 1);
	notified[i] = status;
	notify_order[i] = ++sequence;
	if (srv.closed == 0)
		notified_before_close++;
}

static void write_notified(void)
{
	for (int i = 0; i < 4; i++)
		notified[i] = 1;
	pc_conn_set_write_gap(srv.conn, 20);
	ck_assert_int_eq(pc_conn_write_notify(srv.conn, (const uint8_t *)"one", 3,
		note_left, (void *)(intptr_t)0), 0);
	ck_assert_int_eq(pc_conn_write_notify(srv.conn, (const uint8_t *)"two", 3,
		note_left, (void *)(intptr_t)1), 0);
	/* Never from within the call. */
	ck_assert_int_eq(notified[0], 1);
	ck_assert_int_eq(pc_conn_write_notify(srv.conn, (const uint8_t *)"", 0,
		note_left, NULL), POLYCHAT_EINVAL);
	pc_conn_close(srv.conn, 1, "done");
	ck_assert_int_eq(pc_conn_write_notify(srv.conn, (const uint8_t *)"late", 4,
		note_left, (void *)(intptr_t)2), POLYCHAT_ECLOSED);
}

START_TEST(write_notify_reports_written_messages_in_order)
{
	run_pair(write_notified);
	ck_assert_int_eq(notified[0], 0);
	ck_assert_int_eq(notified[1], 0);
	ck_assert_int_lt(notify_order[0], notify_order[1]);
	ck_assert_int_eq(notified[2], 1); /* refused: never told */
	ck_assert_int_eq(notified_before_close, 2);
	ck_assert_int_eq(cli.n_inputs, 2);
	ck_assert_str_eq(cli.chunks[1], "two");
}
END_TEST

static void abort_server(void *arg)
{
	(void)arg;
	pc_conn_abort(srv.conn, POLYCHAT_EPROTO, "test: abort");
}

static void write_then_abort(void)
{
	for (int i = 0; i < 4; i++)
		notified[i] = 1;
	/* A long gap keeps the second and third queued when the abort
	 * (no flush) comes: they never leave, and their owners hear so
	 * before the session closes. */
	pc_conn_set_write_gap(srv.conn, 60000);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pc_conn_write_notify(srv.conn, (const uint8_t *)"msg", 3,
			note_left, (void *)(intptr_t)i), 0);
	pc_host()->conn_timer(srv.conn, 30, 0, abort_server, NULL);
}

START_TEST(write_notify_reports_dropped_messages_before_close)
{
	run_pair(write_then_abort);
	ck_assert_int_eq(notified[0], 0);
	ck_assert_int_eq(notified[1], POLYCHAT_ECLOSED);
	ck_assert_int_eq(notified[2], POLYCHAT_ECLOSED);
	ck_assert_int_eq(notified_before_close, 3);
	ck_assert_int_lt(notify_order[2], srv.order);
	ck_assert_int_eq(cli.n_inputs, 1);
}
END_TEST

static Suite *conn_suite(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("loopback");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, write_gap_keeps_messages_apart);
	tcase_add_test(tc, input_limit_closes_the_connection);
	tcase_add_test(tc, pause_holds_input_until_resume);
	tcase_add_test(tc, output_limit_closes_a_slow_reader);
	tcase_add_test(tc, session_close_waits_for_jobs);
	tcase_add_test(tc, timers_fire_stop_and_die_with_their_connection);
	tcase_add_test(tc, cpu_jobs_respect_the_limit);
	tcase_add_test(tc, write_notify_reports_written_messages_in_order);
	tcase_add_test(tc, write_notify_reports_dropped_messages_before_close);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(conn_suite());
}
