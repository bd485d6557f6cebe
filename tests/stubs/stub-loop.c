/* SPDX-License-Identifier: MIT */
/* The stub host's fake clock, timers and thread-pool jobs. */
#include <stdlib.h>

#include <polychat/status.h>

#include "stub-host.h"
#include "stub-internal.h"

/*
 * Nothing happens on its own: time moves only in stub_clock_advance and
 * jobs run only in stub_jobs_run, so a test sees exactly the callbacks it
 * caused, in a fixed order, and never has to wait.
 */

struct polychat_timer {
	struct polychat_timer *next;
	struct polychat_conn *conn;
	struct polychat_listener *listener;
	uint64_t due;
	uint64_t repeat;
	unsigned long seq;     /* creation order, for ties */
	polychat_timer_fn *fn;
	void *arg;
	int firing;
	int stopped;
};

struct stub_job {
	struct stub_job *next;
	struct polychat_conn *conn;
	struct polychat_listener *listener;
	polychat_work_fn *work;
	polychat_done_fn *done;
	void *arg;
};

static struct polychat_timer *timers;
static struct stub_job *jobs_head;
static struct stub_job **jobs_tail = &jobs_head;
static uint64_t clock_ms;
static unsigned long timer_seq;

/* stub_drop_owned - see stub-internal.h. */
void stub_drop_owned(struct polychat_conn *conn,
	struct polychat_listener *listener)
{
	for (struct polychat_timer **p = &timers; *p;) {
		struct polychat_timer *t = *p;
		if ((conn && t->conn == conn)
				|| (listener && t->listener == listener)) {
			if (t->firing) {
				/* stub_clock_advance frees it after fn. */
				t->stopped = 1;
				t->conn = NULL;
				t->listener = NULL;
				p = &t->next;
				continue;
			}
			*p = t->next;
			free(t);
			continue;
		}
		p = &t->next;
	}
	for (struct stub_job **p = &jobs_head; *p;) {
		struct stub_job *j = *p;
		if ((conn && j->conn == conn)
				|| (listener && j->listener == listener)) {
			*p = j->next;
			free(j);
			continue;
		}
		p = &j->next;
	}
	jobs_tail = &jobs_head;
	while (*jobs_tail)
		jobs_tail = &(*jobs_tail)->next;
}

/* --- timers --- */

static struct polychat_timer *timer_new(struct polychat_conn *conn,
	struct polychat_listener *listener, uint64_t ms, uint64_t repeat_ms,
	polychat_timer_fn *fn, void *arg)
{
	if (!fn)
		return NULL;
	struct polychat_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->conn = conn;
	t->listener = listener;
	t->due = clock_ms + ms < clock_ms ? UINT64_MAX : clock_ms + ms;
	t->repeat = repeat_ms;
	t->seq = timer_seq++;
	t->fn = fn;
	t->arg = arg;
	t->next = timers;
	timers = t;
	return t;
}

/* stub_conn_timer - host member; see stub-host.h. */
struct polychat_timer *stub_conn_timer(struct polychat_conn *conn,
	uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg)
{
	return conn ? timer_new(conn, NULL, ms, repeat_ms, fn, arg) : NULL;
}

/* stub_listener_timer - host member; see stub-host.h. */
struct polychat_timer *stub_listener_timer(struct polychat_listener *listener,
	uint64_t ms, uint64_t repeat_ms, polychat_timer_fn *fn, void *arg)
{
	return listener ? timer_new(NULL, listener, ms, repeat_ms, fn, arg)
		: NULL;
}

static void timer_unlink_free(struct polychat_timer *timer)
{
	for (struct polychat_timer **p = &timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = timer->next;
			break;
		}
	}
	free(timer);
}

/* stub_timer_stop - host member; see stub-host.h. */
void stub_timer_stop(struct polychat_timer *timer)
{
	if (!timer)
		return;
	/* Stopped from its own callback: stub_clock_advance frees it. */
	if (timer->firing)
		timer->stopped = 1;
	else
		timer_unlink_free(timer);
}

/* stub_clock_now - see stub-host.h. */
uint64_t stub_clock_now(void)
{
	return clock_ms;
}

/* stub_clock_advance - see stub-host.h. */
size_t stub_clock_advance(uint64_t ms)
{
	uint64_t target = clock_ms + ms < clock_ms ? UINT64_MAX : clock_ms + ms;
	size_t fired = 0;

	for (;;) {
		struct polychat_timer *next = NULL;
		for (struct polychat_timer *t = timers; t; t = t->next)
			if (!t->stopped && t->due <= target && (!next
					|| t->due < next->due
					|| (t->due == next->due
						&& t->seq < next->seq)))
				next = t;
		if (!next)
			break;
		if (next->due > clock_ms)
			clock_ms = next->due;
		next->firing = 1;
		next->fn(next->arg);
		next->firing = 0;
		fired++;
		if (next->stopped || next->repeat == 0)
			timer_unlink_free(next);
		else
			next->due += next->repeat;
	}
	clock_ms = target;
	return fired;
}

/* stub_timers_active - see stub-host.h. */
size_t stub_timers_active(void)
{
	size_t n = 0;

	for (struct polychat_timer *t = timers; t; t = t->next)
		n += !t->stopped;
	return n;
}

/* --- jobs --- */

static int job_add(struct polychat_conn *conn,
	struct polychat_listener *listener, polychat_work_fn *work,
	polychat_done_fn *done, void *arg)
{
	if (!work || !done)
		return POLYCHAT_EINVAL;
	struct stub_job *j = calloc(1, sizeof(*j));
	if (!j)
		return POLYCHAT_ENOMEM;
	j->conn = conn;
	j->listener = listener;
	j->work = work;
	j->done = done;
	j->arg = arg;
	*jobs_tail = j;
	jobs_tail = &j->next;
	return 0;
}

/* stub_conn_job - host member; see stub-host.h. */
int stub_conn_job(struct polychat_conn *conn, polychat_work_fn *work,
	polychat_done_fn *done, void *arg)
{
	return conn ? job_add(conn, NULL, work, done, arg) : POLYCHAT_EINVAL;
}

/* A written message's notification is a job without work: it runs in
 * stub_jobs_run like any completion, never from within the write. */
static void nothing_to_do(void *arg)
{
	(void)arg;
}

/* stub_conn_write_notify - host member; see stub-host.h. */
int stub_conn_write_notify(struct polychat_conn *conn, const uint8_t *data,
	size_t len, polychat_done_fn *done, void *arg)
{
	if (!conn || !done || len == 0)
		return POLYCHAT_EINVAL;
	int rc = stub_conn_write(conn, data, len);
	if (rc != 0)
		return rc;
	return job_add(conn, NULL, nothing_to_do, done, arg);
}

/* stub_conn_job_cpu - host member; see stub-host.h. */
int stub_conn_job_cpu(struct polychat_conn *conn, polychat_work_fn *work,
	polychat_done_fn *done, void *arg)
{
	return stub_conn_job(conn, work, done, arg);
}

/* stub_listener_job_cpu - host member; see stub-host.h. */
int stub_listener_job_cpu(struct polychat_listener *listener,
	polychat_work_fn *work, polychat_done_fn *done, void *arg)
{
	return stub_listener_job(listener, work, done, arg);
}

/* stub_listener_job - host member; see stub-host.h. */
int stub_listener_job(struct polychat_listener *listener,
	polychat_work_fn *work, polychat_done_fn *done, void *arg)
{
	return listener ? job_add(NULL, listener, work, done, arg)
		: POLYCHAT_EINVAL;
}

static struct stub_job *job_pop(void)
{
	struct stub_job *j = jobs_head;
	if (!j)
		return NULL;
	jobs_head = j->next;
	if (!jobs_head)
		jobs_tail = &jobs_head;
	return j;
}

/* stub_jobs_pending - see stub-host.h. */
size_t stub_jobs_pending(void)
{
	size_t n = 0;

	for (struct stub_job *j = jobs_head; j; j = j->next)
		n++;
	return n;
}

/* stub_jobs_run - see stub-host.h. */
size_t stub_jobs_run(void)
{
	size_t n = 0;

	for (struct stub_job *j; (j = job_pop()); n++) {
		j->work(j->arg);
		j->done(j->arg, 0);
		free(j);
	}
	return n;
}

/* stub_jobs_cancel - see stub-host.h. */
size_t stub_jobs_cancel(void)
{
	size_t n = 0;

	for (struct stub_job *j; (j = job_pop()); n++) {
		j->done(j->arg, POLYCHAT_ECANCELED);
		free(j);
	}
	return n;
}

/* --- reset --- */

/* stub_loop_reset - see stub-internal.h. */
void stub_loop_reset(void)
{
	stub_conn_reset();
	while (timers)
		timer_unlink_free(timers);
	struct stub_job *j;
	while ((j = job_pop()))
		free(j);
	clock_ms = 0;
	timer_seq = 0;
}
