/* SPDX-License-Identifier: MIT */
/* polychat-bench --serve-null: fernet-hybrid's handshake and relay with nothing else (no shapes, no pacing, no plugins), the ceiling for a suite without server crypto. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "null-relay.h"

/* What fernet-hybrid's server would cut a member off at. */
#define OUTPUT_LIMIT (4u << 20)

struct member {
	uv_tcp_t tcp;
	struct member *prev, *next;
	int joined;
	char nick[64];
	char buf[4096];
};

struct wreq {
	uv_write_t req;
	char data[];
};

static uv_loop_t *loop;
static uv_tcp_t server;
static uv_signal_t sigterm, sigint;
static struct member *members;

static void on_closed(uv_handle_t *h)
{
	free(h->data);
}

static void drop(struct member *m)
{
	if (uv_is_closing((uv_handle_t *)&m->tcp))
		return;
	if (m->joined) {
		if (m->prev)
			m->prev->next = m->next;
		else
			members = m->next;
		if (m->next)
			m->next->prev = m->prev;
	}
	uv_close((uv_handle_t *)&m->tcp, on_closed);
}

static void on_written(uv_write_t *req, int status)
{
	(void)status;
	free(req);
}

static void send_to(struct member *m, const char *data, size_t len)
{
	if (uv_stream_get_write_queue_size((uv_stream_t *)&m->tcp) + len > OUTPUT_LIMIT) {
		drop(m);
		return;
	}
	struct wreq *w = malloc(sizeof(*w) + len);
	if (!w)
		return;
	memcpy(w->data, data, len);
	uv_buf_t buf = uv_buf_init(w->data, (unsigned)len);
	if (uv_write(&w->req, (uv_stream_t *)&m->tcp, &buf, 1, on_written) != 0)
		free(w);
}

/* Everyone but `from`, one write each, never merged. */
static void relay(struct member *from, const char *data, size_t len)
{
	struct member *next;
	for (struct member *m = members; m; m = next) {
		next = m->next;
		if (m != from)
			send_to(m, data, len);
	}
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct member *m = h->data;
	(void)hint;
	*buf = uv_buf_init(m->buf, sizeof(m->buf));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct member *m = s->data;
	if (n < 0) {
		drop(m);
		return;
	}
	if (n == 0)
		return;
	if (m->joined) {
		relay(m, buf->base, (size_t)n);
		return;
	}
	snprintf(m->nick, sizeof(m->nick), "%.*s", (int)n, buf->base);
	send_to(m, "NICKACCEPT", 10);
	char notice[128];
	int len = snprintf(notice, sizeof(notice), "%s joined the chat!", m->nick);
	relay(m, notice, (size_t)len);
	m->joined = 1;
	m->next = members;
	if (members)
		members->prev = m;
	members = m;
}

static void on_connection(uv_stream_t *srv, int status)
{
	if (status < 0)
		return;
	struct member *m = calloc(1, sizeof(*m));
	if (!m)
		return;
	uv_tcp_init(loop, &m->tcp);
	m->tcp.data = m;
	if (uv_accept(srv, (uv_stream_t *)&m->tcp) != 0) {
		uv_close((uv_handle_t *)&m->tcp, on_closed);
		return;
	}
	uv_tcp_nodelay(&m->tcp, 1);
	send_to(m, "NICK", 4);
	uv_read_start((uv_stream_t *)&m->tcp, on_alloc, on_read);
}

static void close_any(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, h->data && h->type == UV_TCP && h != (uv_handle_t *)&server
			? on_closed : NULL);
}

static void on_signal(uv_signal_t *s, int signum)
{
	(void)signum;
	uv_walk(s->loop, close_any, NULL);
	members = NULL;
}

/* null_relay_main - see null-relay.h. */
int null_relay_main(void)
{
	loop = uv_default_loop();
	struct sockaddr_in addr;
	struct sockaddr_storage bound;
	int len = sizeof(bound);
	uv_ip4_addr("127.0.0.1", 0, &addr);
	uv_tcp_init(loop, &server);
	if (uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0) != 0 ||
	    uv_listen((uv_stream_t *)&server, 511, on_connection) != 0 ||
	    uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len) != 0) {
		fprintf(stderr, "null relay: cannot listen on 127.0.0.1\n");
		return 1;
	}
	uv_signal_init(loop, &sigterm);
	uv_signal_start(&sigterm, on_signal, SIGTERM);
	uv_signal_init(loop, &sigint);
	uv_signal_start(&sigint, on_signal, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	/* The same readiness line polychatd prints. */
	printf("listening on 127.0.0.1:%d suite=null listener=null\n",
		ntohs(((struct sockaddr_in *)&bound)->sin_port));
	fflush(stdout);
	uv_run(loop, UV_RUN_DEFAULT);
	return uv_loop_close(loop) == 0 ? 0 : 1;
}
