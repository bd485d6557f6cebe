/* SPDX-License-Identifier: MIT */
/* polychat-bench: K authenticated idle sessions and the server's resident memory per session. */
#include <string.h>

#include "load.h"
#include "proc.h"

/* Resident memory settles after the last write is freed; read it twice
 * this far apart and keep the larger. */
#define RSS_SETTLE_S 0.5

/* load_idle - see load.h. */
int load_idle(const struct server_ref *srv, const struct bench_opts *o, unsigned k,
	struct idle_result *out)
{
	memset(out, 0, sizeof(*out));
	out->k = k;
	unsigned room = o->idle_room ? o->idle_room : k;
	out->rooms = (k + room - 1) / room;
	uv_loop_t loop;
	if (uv_loop_init(&loop) != 0)
		return -1;
	out->rss_before_kib = proc_rss_kib(srv->pid);
	struct crowd cr;
	if (crowd_init(&cr, &loop, srv, k, room, o->ramp) != 0) {
		uv_loop_close(&loop);
		return -1;
	}
	uint64_t t = bench_now_ns();
	/* A set-up this large may take a while: the bound grows with K. */
	out->ready = crowd_gather(&cr, 500, o->settle_s + (double)k / 200.0);
	out->setup_s = (double)(bench_now_ns() - t) / 1e9;
	loop_run_until(&loop, NULL, NULL, 10, RSS_SETTLE_S);
	long a = proc_rss_kib(srv->pid);
	loop_run_until(&loop, NULL, NULL, 10, RSS_SETTLE_S);
	long b = proc_rss_kib(srv->pid);
	out->rss_after_kib = a > b ? a : b;
	if (out->ready > 0 && out->rss_before_kib > 0 && out->rss_after_kib > 0)
		out->bytes_per_session = (double)(out->rss_after_kib - out->rss_before_kib) *
			1024.0 / out->ready;
	out->lost = cr.lost;
	crowd_disperse(&cr);
	int rc = uv_loop_close(&loop);
	return rc == 0 && out->ready > 0 ? 0 : -1;
}
