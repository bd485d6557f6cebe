/* SPDX-License-Identifier: MIT */
/* polychat-bench: many members of a server brought up at a bounded pace, and the loop run until a condition holds. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "crowd.h"

/* Past this many connections one source address runs out of ephemeral
 * ports (32768..60999 here); members then come from 127.0.0.2, .3, ... */
#define PORTS_PER_SOURCE 20000u

/* server_addr - see crowd.h. */
void server_addr(int port, struct sockaddr_in *out)
{
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	out->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void open_next(struct crowd *cr);

static void m_ready(struct bclient *c)
{
	struct crowd *cr = c->owner;
	cr->is_ready[c->id] = 1;
	cr->ready++;
	cr->open_now--;
	cr->last_event_ns = bench_now_ns();
	open_next(cr);
}

static void m_notice(struct bclient *c)
{
	struct crowd *cr = c->owner;
	cr->notices++;
	cr->last_event_ns = bench_now_ns();
}

static void m_message(struct bclient *c, const uint8_t *body, size_t len)
{
	struct crowd *cr = c->owner;
	if (cr->on_message)
		cr->on_message(cr->arg, c, body, len);
}

static void m_closed(struct bclient *c, int error)
{
	struct crowd *cr = c->owner;
	cr->member[c->id] = NULL;
	if (cr->dispersing)
		return;
	/* Neither a failed set-up nor a lost session is retried: both are
	 * reported, and the room is what is left. */
	if (!cr->is_ready[c->id]) {
		cr->failed++;
		cr->open_now--;
		open_next(cr);
	} else {
		cr->lost++;
	}
	if (!cr->first_error)
		cr->first_error = error ? error : -1;
}

static const struct bclient_events member_events = {
	.handshake = NULL,
	.ready = m_ready,
	.message = m_message,
	.notice = m_notice,
	.closed = m_closed,
};

static void open_next(struct crowd *cr)
{
	const struct server_ref *srv = cr->srv;
	while (cr->opened < cr->n && cr->open_now < cr->ramp) {
		unsigned i = cr->opened++;
		unsigned room = i / cr->per_room;
		int port = srv->irc ? srv->ports[0] : srv->ports[room % srv->n_ports];
		struct sockaddr_in addr, src, *srcp = NULL;
		server_addr(port, &addr);
		if (cr->n > PORTS_PER_SOURCE) {
			server_addr(0, &src);
			src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + i / PORTS_PER_SOURCE);
			srcp = &src;
		}
		snprintf(cr->name[i], sizeof(cr->name[i]), "%s%u", srv->prefix, i);
		snprintf(cr->room[i], sizeof(cr->room[i]), "#r%u", room);
		struct bclient *c;
		int rc = bclient_open(cr->loop, &addr, srcp, srv->proto, &member_events, cr, i, &c);
		if (rc < 0) {
			cr->failed++;
			if (!cr->first_error)
				cr->first_error = rc;
			continue;
		}
		c->user = cr->name[i];
		c->password = srv->password;
		c->room = srv->irc ? cr->room[i] : NULL;
		cr->member[i] = c;
		cr->open_now++;
	}
}

/* crowd_init - see crowd.h. */
int crowd_init(struct crowd *cr, uv_loop_t *loop, const struct server_ref *srv, unsigned n,
	unsigned per_room, unsigned ramp)
{
	memset(cr, 0, sizeof(*cr));
	cr->loop = loop;
	cr->srv = srv;
	cr->n = n;
	cr->per_room = per_room ? per_room : n;
	cr->ramp = ramp ? ramp : 1;
	cr->member = calloc(n ? n : 1, sizeof(*cr->member));
	cr->name = calloc(n ? n : 1, sizeof(*cr->name));
	cr->room = calloc(n ? n : 1, sizeof(*cr->room));
	cr->is_ready = calloc(n ? n : 1, 1);
	if (!cr->member || !cr->name || !cr->room || !cr->is_ready) {
		free(cr->member);
		free(cr->name);
		free(cr->room);
		free(cr->is_ready);
		return -1;
	}
	return 0;
}

struct gather {
	struct crowd *cr;
	unsigned quiet_ms;
};

static int gathered(void *arg)
{
	struct gather *g = arg;
	struct crowd *cr = g->cr;
	if (cr->ready + cr->failed < cr->n)
		return 0;
	return bench_now_ns() - cr->last_event_ns >= (uint64_t)g->quiet_ms * 1000000u;
}

/* crowd_gather - see crowd.h. */
unsigned crowd_gather(struct crowd *cr, unsigned quiet_ms, double bound_s)
{
	cr->last_event_ns = bench_now_ns();
	open_next(cr);
	struct gather g = { cr, quiet_ms };
	loop_run_until(cr->loop, gathered, &g, 10, bound_s);
	return cr->ready;
}

static int all_closed(void *arg)
{
	struct crowd *cr = arg;
	for (unsigned i = 0; i < cr->n; i++)
		if (cr->member[i])
			return 0;
	return 1;
}

/* crowd_disperse - see crowd.h. */
void crowd_disperse(struct crowd *cr)
{
	cr->dispersing = 1;
	for (unsigned i = 0; i < cr->n; i++)
		if (cr->member[i])
			bclient_close(cr->member[i], 0);
	loop_run_until(cr->loop, all_closed, cr, 5, 30.0);
	free(cr->member);
	free(cr->name);
	free(cr->room);
	free(cr->is_ready);
	cr->member = NULL;
}

struct until {
	uv_timer_t timer;
	int (*done)(void *arg);
	void *arg;
	uint64_t deadline;
	int met;
};

static void until_tick(uv_timer_t *t)
{
	struct until *u = t->data;
	if (u->done && u->done(u->arg)) {
		u->met = 1;
		uv_stop(t->loop);
	} else if (bench_now_ns() >= u->deadline) {
		uv_stop(t->loop);
	}
}

/* loop_run_until - see crowd.h. */
int loop_run_until(uv_loop_t *loop, int (*done)(void *arg), void *arg, unsigned tick_ms,
	double bound_s)
{
	struct until u = { .done = done, .arg = arg };
	u.deadline = bench_now_ns() + (uint64_t)(bound_s * 1e9);
	if (done && done(arg))
		return 1;
	uv_timer_init(loop, &u.timer);
	u.timer.data = &u;
	uv_timer_start(&u.timer, until_tick, tick_ms, tick_ms);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_timer_stop(&u.timer);
	uv_close((uv_handle_t *)&u.timer, NULL);
	/* Let the close complete before `u` leaves the stack. */
	uv_run(loop, UV_RUN_NOWAIT);
	return u.met;
}
