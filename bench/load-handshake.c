/* SPDX-License-Identifier: MIT */
/* polychat-bench: handshakes/s and logins/s, as a churn of connections that complete and are replaced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "proc.h"

struct churn {
	uv_loop_t *loop;
	const struct server_ref *srv;
	struct sockaddr_in addr;
	unsigned conc, names, open_now;
	int full, running;
	uint32_t next_name;
	struct bclient **slot;   /* conc entries: what each slot has open */
	char (*name)[24];        /* each slot's member name */
	uv_timer_t refill;       /* reopens slots whose connection failed */
	/* Counting since churn_mark. */
	uint64_t t_mark, done, failed;
	double cpu_server, cpu_self;
	struct histo lat;
};

static void churn_open(struct churn *ch);

static void completed(struct bclient *c)
{
	struct churn *ch = c->owner;
	/* Completions in the window, whenever they started: the rate of
	 * a steady state. */
	if (ch->t_mark) {
		ch->done++;
		histo_add(&ch->lat, bench_now_ns() - c->t_open);
	}
	bclient_close(c, 0);
}

static void on_handshake(struct bclient *c)
{
	struct churn *ch = c->owner;
	if (!ch->full)
		completed(c);
}

static void on_ready(struct bclient *c)
{
	struct churn *ch = c->owner;
	if (ch->full)
		completed(c);
}

static void on_closed(struct bclient *c, int error)
{
	struct churn *ch = c->owner;
	ch->slot[c->id] = NULL;
	ch->open_now--;
	if (error != 0 && ch->running && ch->t_mark)
		ch->failed++;
	/* A failed slot waits for the refill timer, so a server that
	 * refuses everything is not hammered in a tight loop. */
	if (ch->running && error == 0)
		churn_open(ch);
}

static void on_refill(uv_timer_t *t)
{
	churn_open(t->data);
}

static const struct bclient_events churn_events = {
	.handshake = on_handshake,
	.ready = on_ready,
	.message = NULL,
	.notice = NULL,
	.closed = on_closed,
};

static void churn_open(struct churn *ch)
{
	for (unsigned i = 0; ch->running && i < ch->conc; i++) {
		if (ch->slot[i])
			continue;
		struct bclient *c;
		/* A refused open is counted and not retried at once, so a
		 * server that is gone cannot spin the loop. */
		if (bclient_open(ch->loop, &ch->addr, NULL, ch->srv->proto, &churn_events, ch, i,
			    &c) < 0) {
			ch->failed++;
			return;
		}
		/* Accounts are reused in turn; nicknames are new each time,
		 * as a server may free one only when it notices the close. */
		uint32_t k = ch->next_name++;
		snprintf(ch->name[i], sizeof(ch->name[i]), "%s%u", ch->srv->prefix,
			ch->srv->password ? k % ch->names : k);
		c->user = ch->name[i];
		c->password = ch->srv->password;
		c->stop_at_handshake = !ch->full;
		ch->slot[i] = c;
		ch->open_now++;
	}
}

/* churn_start - see load.h. */
struct churn *churn_start(uv_loop_t *loop, const struct server_ref *srv, unsigned conc,
	unsigned names, int full)
{
	struct churn *ch = calloc(1, sizeof(*ch));
	if (!ch)
		return NULL;
	ch->conc = conc ? conc : 1;
	ch->names = names ? names : 1;
	ch->name = calloc(ch->conc, sizeof(*ch->name));
	ch->slot = calloc(ch->conc, sizeof(*ch->slot));
	if (!ch->name || !ch->slot) {
		free(ch->name);
		free(ch->slot);
		free(ch);
		return NULL;
	}
	ch->loop = loop;
	ch->srv = srv;
	ch->full = full;
	ch->running = 1;
	server_addr(srv->ports[0], &ch->addr);
	uv_timer_init(loop, &ch->refill);
	ch->refill.data = ch;
	uv_timer_start(&ch->refill, on_refill, 10, 10);
	churn_open(ch);
	return ch;
}

/* churn_mark - see load.h. */
void churn_mark(struct churn *ch)
{
	ch->t_mark = bench_now_ns();
	ch->done = ch->failed = 0;
	histo_reset(&ch->lat);
	ch->cpu_server = proc_cpu_s(ch->srv->pid);
	ch->cpu_self = proc_self_cpu_s();
}

static int churn_gone(void *arg)
{
	return ((struct churn *)arg)->open_now == 0;
}

static void free_churn(uv_handle_t *h)
{
	struct churn *ch = h->data;
	free(ch->name);
	free(ch->slot);
	free(ch);
}

/* churn_stop - see load.h. */
void churn_stop(struct churn *ch, struct churn_result *out)
{
	double seconds = ch->t_mark ? (double)(bench_now_ns() - ch->t_mark) / 1e9 : 0;
	memset(out, 0, sizeof(*out));
	out->seconds = seconds;
	out->done = ch->done;
	out->failed = ch->failed;
	if (seconds > 0) {
		out->rate = (double)ch->done / seconds;
		out->server_cpu = (proc_cpu_s(ch->srv->pid) - ch->cpu_server) / seconds;
		out->bench_cpu = (proc_self_cpu_s() - ch->cpu_self) / seconds;
	}
	out->p50_ms = (double)histo_quantile(&ch->lat, 0.50) / 1e6;
	out->p99_ms = (double)histo_quantile(&ch->lat, 0.99) / 1e6;
	/* What is still setting up would finish outside the window. */
	ch->running = 0;
	uv_timer_stop(&ch->refill);
	for (unsigned i = 0; i < ch->conc; i++)
		if (ch->slot[i])
			bclient_close(ch->slot[i], 0);
	loop_run_until(ch->loop, churn_gone, ch, 5, 30.0);
	/* The timer is embedded: free only once its close has run. */
	uv_close((uv_handle_t *)&ch->refill, free_churn);
}

/* load_handshakes - see load.h. */
int load_handshakes(const struct server_ref *srv, unsigned conc, unsigned names, int full,
	double seconds, struct churn_result *out)
{
	uv_loop_t loop;
	if (uv_loop_init(&loop) != 0)
		return -1;
	struct churn *ch = churn_start(&loop, srv, conc, names, full);
	if (!ch) {
		uv_loop_close(&loop);
		return -1;
	}
	/* Warm-up: the first connections pay for keys and caches. */
	loop_run_until(&loop, NULL, NULL, 10, seconds / 5 < 0.5 ? seconds / 5 : 0.5);
	churn_mark(ch);
	loop_run_until(&loop, NULL, NULL, 10, seconds);
	churn_stop(ch, out);
	uv_run(&loop, UV_RUN_DEFAULT);
	int rc = uv_loop_close(&loop);
	return rc == 0 ? 0 : -1;
}
