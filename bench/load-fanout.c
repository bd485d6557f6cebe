/* SPDX-License-Identifier: MIT */
/* polychat-bench: room fan-out, delivered messages/s and delivery latency from timestamps carried in the bodies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "proc.h"

#define WINDOW_MAX 64
/* A sender whose window has not moved for this long lost a delivery. */
#define STALL_NS 3000000000ull
/* A sender with this much unwritten output is skipped in the open loop:
 * the offered rate is then not met, which the phase's send rate shows. */
#define BACKLOG_MAX (256u * 1024u)

enum { PH_NONE, PH_PEAK, PH_HALF, PH_LOGINS };

struct sender {
	uint32_t next, base;          /* next seq to send, oldest not complete */
	uint32_t remaining[WINDOW_MAX];
	uint64_t progress_ns;
};

struct fan {
	uv_loop_t loop;
	struct crowd cr;
	const struct bench_opts *o;
	unsigned m, window, expect;
	size_t size;
	char *body;
	int phase, sending;
	/* Counting window of the current phase. */
	uint64_t t0, t_open, t_close;
	uint64_t sent, delivered;
	struct histo lat;
	struct sender *snd;
	int stalled;
	/* Open loop. */
	uv_timer_t tick;
	double rate;
	uint64_t t_rate, offered;
	unsigned rr;
};

/* "B:<phase>:<sender>:<seq>:<t_ns hex>;" then 'x' up to the size. */
static size_t make_body(struct fan *f, unsigned sender, uint32_t seq)
{
	int n = snprintf(f->body, f->size + 64, "B:%d:%u:%u:%llx;", f->phase, sender,
		(unsigned)seq, (unsigned long long)bench_now_ns());
	size_t len = n > 0 ? (size_t)n : 0;
	if (len < f->size) {
		memset(f->body + len, 'x', f->size - len);
		len = f->size;
	}
	return len;
}

static int send_one(struct fan *f, unsigned sender, uint32_t seq)
{
	struct bclient *c = f->cr.member[sender];
	if (!c)
		return -1;
	size_t len = make_body(f, sender, seq);
	if (c->proto->send(c, (const uint8_t *)f->body, len) < 0)
		return -1;
	if (f->t_open && !f->t_close)
		f->sent++;
	return 0;
}

/* Keep `window` messages of this sender in flight. */
static void refill(struct fan *f, unsigned s)
{
	struct sender *sd = &f->snd[s];
	while (f->sending && sd->next - sd->base < f->window) {
		sd->remaining[sd->next % f->window] = f->expect;
		if (send_one(f, s, sd->next) < 0)
			return;
		sd->next++;
	}
}

/* Read the numbers of a stamp; 0 or -1. */
static int parse_stamp(const uint8_t *body, size_t len, unsigned v[3], uint64_t *t)
{
	const uint8_t *p = NULL;
	for (size_t i = 0; i + 1 < len; i++)
		if (body[i] == 'B' && body[i + 1] == ':') {
			p = body + i + 2;
			break;
		}
	if (!p)
		return -1;
	const uint8_t *end = body + len;
	for (int k = 0; k < 3; k++) {
		unsigned x = 0;
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		while (p < end && *p >= '0' && *p <= '9')
			x = x * 10 + (unsigned)(*p++ - '0');
		if (p >= end || *p++ != ':')
			return -1;
		v[k] = x;
	}
	uint64_t x = 0;
	while (p < end && *p != ';') {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		x = x * 16 + (uint64_t)d;
		p++;
	}
	*t = x;
	return p < end ? 0 : -1;
}

static void on_message(void *arg, struct bclient *c, const uint8_t *body, size_t len)
{
	struct fan *f = arg;
	unsigned v[3];
	uint64_t t;
	(void)c;
	if (parse_stamp(body, len, v, &t) != 0 || (int)v[0] != f->phase)
		return; /* a straggler of an earlier phase */
	uint64_t now = bench_now_ns();
	if (f->t_open && !f->t_close && now >= f->t_open) {
		f->delivered++;
		histo_add(&f->lat, now - t);
	}
	if (f->phase != PH_PEAK || v[1] >= f->m)
		return;
	struct sender *sd = &f->snd[v[1]];
	uint32_t seq = v[2];
	if (seq - sd->base >= sd->next - sd->base)
		return;
	uint32_t *left = &sd->remaining[seq % f->window];
	if (*left > 0 && --*left == 0) {
		while (sd->base != sd->next && sd->remaining[sd->base % f->window] == 0)
			sd->base++;
		sd->progress_ns = now;
		refill(f, v[1]);
	}
}

static void on_tick(uv_timer_t *t)
{
	struct fan *f = t->data;
	if (!f->sending || f->rate <= 0)
		return;
	uint64_t now = bench_now_ns();
	uint64_t due = (uint64_t)((double)(now - f->t_rate) / 1e9 * f->rate);
	/* After a stall, catch up by at most a tick's worth of bursts. */
	unsigned burst = 0;
	while (f->offered < due && burst++ < 2000) {
		unsigned s = f->rr++ % f->m;
		struct bclient *c = f->cr.member[s];
		f->offered++;
		if (c && c->out_pending < BACKLOG_MAX)
			send_one(f, s, (uint32_t)f->offered);
	}
	if (f->offered < due)
		f->offered = due;
}

/* The closed loop ends once every window is empty. */
static int drained(void *arg)
{
	struct fan *f = arg;
	for (unsigned s = 0; s < f->m; s++)
		if (f->snd[s].base != f->snd[s].next && f->cr.member[s])
			return 0;
	return 1;
}

static int peak_stalled(void *arg)
{
	struct fan *f = arg;
	uint64_t now = bench_now_ns();
	for (unsigned s = 0; s < f->m; s++)
		if (f->cr.member[s] && f->snd[s].base != f->snd[s].next &&
		    now - f->snd[s].progress_ns > STALL_NS) {
			f->stalled = 1;
			return 1;
		}
	return 0;
}

static void begin(struct fan *f, int phase)
{
	f->phase = phase;
	f->sending = 1;
	f->t0 = bench_now_ns();
	f->t_open = f->t_close = 0;
	f->sent = f->delivered = 0;
	f->stalled = 0;
	histo_reset(&f->lat);
}

/* Run the phase's counting window of f->o->fan_seconds after a warm-up. */
static void measure(struct fan *f, struct fan_phase *ph, pid_t pid,
	int (*stop)(void *arg))
{
	double dur = f->o->fan_seconds;
	double warm = dur / 4 < 0.5 ? dur / 4 : 0.5;
	loop_run_until(&f->loop, stop, f, 10, warm);
	double cpu_s = proc_cpu_s(pid), cpu_b = proc_self_cpu_s();
	f->t_open = bench_now_ns();
	loop_run_until(&f->loop, stop, f, 10, dur);
	f->t_close = bench_now_ns();
	double secs = (double)(f->t_close - f->t_open) / 1e9;
	memset(ph, 0, sizeof(*ph));
	ph->seconds = secs;
	ph->sent = f->sent;
	ph->delivered = f->delivered;
	if (secs > 0) {
		ph->send_rate = (double)f->sent / secs;
		ph->rate = (double)f->delivered / secs;
		ph->server_cpu = (proc_cpu_s(pid) - cpu_s) / secs;
		ph->bench_cpu = (proc_self_cpu_s() - cpu_b) / secs;
	}
	ph->p50_ms = (double)histo_quantile(&f->lat, 0.50) / 1e6;
	ph->p99_ms = (double)histo_quantile(&f->lat, 0.99) / 1e6;
	ph->p999_ms = (double)histo_quantile(&f->lat, 0.999) / 1e6;
	ph->max_ms = (double)f->lat.max / 1e6;
	ph->stalled = f->stalled;
}

static void run_peak(struct fan *f, struct fan_result *out)
{
	begin(f, PH_PEAK);
	uint64_t now = bench_now_ns();
	for (unsigned s = 0; s < f->m; s++) {
		f->snd[s].next = f->snd[s].base = 0;
		f->snd[s].progress_ns = now;
		refill(f, s);
	}
	measure(f, &out->peak, f->cr.srv->pid, peak_stalled);
	f->sending = 0;
	loop_run_until(&f->loop, drained, f, 5, 3.0);
}

/* Open loop at f->rate messages/s from the senders in turn. */
static void run_open(struct fan *f, int phase, struct fan_phase *ph)
{
	begin(f, phase);
	f->t_rate = bench_now_ns();
	f->offered = 0;
	uv_timer_start(&f->tick, on_tick, 1, 1);
	measure(f, ph, f->cr.srv->pid, NULL);
	f->sending = 0;
	uv_timer_stop(&f->tick);
	/* Let what is in flight land before the next phase starts. */
	loop_run_until(&f->loop, NULL, NULL, 10, 0.3);
}

/* load_fanout - see load.h. */
int load_fanout(const struct server_ref *srv, const struct server_ref *login,
	const struct bench_opts *o, unsigned n, struct fan_result *out)
{
	memset(out, 0, sizeof(*out));
	out->n = n;
	struct fan *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->o = o;
	f->m = o->senders < n ? o->senders : n;
	f->window = o->window < 1 ? 1 : o->window > WINDOW_MAX ? WINDOW_MAX : o->window;
	f->size = o->msg_size > srv->proto->max_body ? srv->proto->max_body : o->msg_size;
	f->body = malloc(f->size + 64);
	f->snd = calloc(f->m ? f->m : 1, sizeof(*f->snd));
	int rc = -1;
	if (!f->body || !f->snd || uv_loop_init(&f->loop) != 0)
		goto free;
	uv_timer_init(&f->loop, &f->tick);
	f->tick.data = f;
	out->n = n;
	out->senders = f->m;
	out->size = f->size;
	if (crowd_init(&f->cr, &f->loop, srv, n, n, o->ramp) != 0)
		goto close;
	f->cr.on_message = on_message;
	f->cr.arg = f;
	uint64_t t = bench_now_ns();
	out->ready = crowd_gather(&f->cr, 300, o->settle_s);
	out->setup_s = (double)(bench_now_ns() - t) / 1e9;
	if (out->ready == n && f->m > 0) {
		rc = 0;
		f->expect = n - 1;
		run_peak(f, out);
		f->rate = out->peak.send_rate / 2;
		if (f->rate > 0)
			run_open(f, PH_HALF, &out->half);
		if (f->rate > 0 && login && o->logins_under_load > 0) {
			struct churn *ch = churn_start(&f->loop, login, o->logins_under_load,
				o->login_conc, 1);
			if (ch) {
				struct churn_result cres;
				/* The first logins are still in bcrypt when the
				 * phase starts: give them a head start. */
				loop_run_until(&f->loop, NULL, NULL, 10, 0.5);
				churn_mark(ch);
				run_open(f, PH_LOGINS, &out->logins);
				churn_stop(ch, &cres);
				out->have_logins = 1;
				out->logins_rate = cres.rate;
			}
		}
	}
	out->lost = f->cr.lost;
	crowd_disperse(&f->cr);
close:
	uv_close((uv_handle_t *)&f->tick, NULL);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&f->loop) != 0)
		rc = -1;
free:
	free(f->body);
	free(f->snd);
	free(f);
	return rc;
}
