/* SPDX-License-Identifier: MIT */
/* polychat-bench: one load-generator connection on the libuv loop, and the protocol driver it runs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "client.h"

struct wreq {
	uv_write_t req;
	struct bclient *c;
	size_t len;
	uint8_t data[];
};

/* A handle closed before anyone was told of it: only memory to free. */
static void on_closed_unopened(uv_handle_t *h)
{
	free(h->data);
}

static void on_closed(uv_handle_t *h)
{
	struct bclient *c = h->data;
	c->ev->closed(c, c->error);
	if (c->proto->release)
		c->proto->release(c);
	free(c->st);
	free(c->in);
	free(c);
}

/* bclient_close - see client.h. */
void bclient_close(struct bclient *c, int error)
{
	if (c->closing)
		return;
	c->closing = 1;
	c->error = error;
	uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct bclient *c = h->data;
	(void)hint;
	/* Grow only as far as a unit needs: idle connections hold little. */
	if (c->in_cap - c->in_len < 4096 && c->in_cap < BCLIENT_INPUT_MAX) {
		size_t cap = c->in_cap ? c->in_cap * 2 : 4096;
		while (cap - c->in_len < 4096)
			cap *= 2;
		uint8_t *in = realloc(c->in, cap);
		if (in) {
			c->in = in;
			c->in_cap = cap;
		}
	}
	*buf = uv_buf_init((char *)c->in + c->in_len, (unsigned)(c->in_cap - c->in_len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct bclient *c = s->data;
	(void)buf;
	if (c->closing)
		return;
	if (n < 0) {
		bclient_close(c, (int)n);
		return;
	}
	c->in_len += (size_t)n;
	/* One driver call per unit: a driver may consume one and return. */
	while (c->in_len > 0 && !c->closing) {
		long used = c->proto->input(c, c->in, c->in_len);
		if (used < 0) {
			bclient_close(c, (int)used);
			return;
		}
		if (used == 0)
			break;
		memmove(c->in, c->in + used, c->in_len - (size_t)used);
		c->in_len -= (size_t)used;
	}
	if (!c->closing && c->in_len >= BCLIENT_INPUT_MAX)
		bclient_close(c, -EMSGSIZE);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct bclient *c = req->data;
	if (c->closing)
		return;
	if (status < 0) {
		bclient_close(c, status);
		return;
	}
	int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	if (rc == 0 && c->proto->start)
		rc = c->proto->start(c);
	if (rc < 0)
		bclient_close(c, rc);
}

/* bclient_open - see client.h. */
int bclient_open(uv_loop_t *loop, const struct sockaddr_in *addr,
	const struct sockaddr_in *src, const struct bench_proto *proto,
	const struct bclient_events *ev, void *owner, uint32_t id, struct bclient **out)
{
	struct bclient *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->st = calloc(1, proto->state_size ? proto->state_size : 1);
	if (!c->st) {
		free(c);
		return -ENOMEM;
	}
	c->proto = proto;
	c->ev = ev;
	c->owner = owner;
	c->id = id;
	c->t_open = bench_now_ns();
	int rc = uv_tcp_init(loop, &c->tcp);
	if (rc < 0) {
		free(c->st);
		free(c);
		return rc;
	}
	c->tcp.data = c;
	c->connect.data = c;
	/* Small messages must leave at once: latency is what we measure. */
	uv_tcp_nodelay(&c->tcp, 1);
	if (src)
		rc = uv_tcp_bind(&c->tcp, (const struct sockaddr *)src, 0);
	if (rc == 0)
		rc = uv_tcp_connect(&c->connect, &c->tcp, (const struct sockaddr *)addr, on_connect);
	if (rc < 0) {
		/* The handle exists: it must be closed through the loop, and
		 * the caller hears nothing. */
		c->closing = 1;
		free(c->st);
		uv_close((uv_handle_t *)&c->tcp, on_closed_unopened);
		return rc;
	}
	*out = c;
	return 0;
}

static void on_written(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct bclient *c = w->c;
	c->out_pending -= w->len;
	free(w);
	if (status < 0 && !c->closing)
		bclient_close(c, status);
}

/* bclient_write - see client.h. */
int bclient_write(struct bclient *c, const void *data, size_t len)
{
	if (c->closing)
		return -EPIPE;
	struct wreq *w = malloc(sizeof(*w) + len);
	if (!w)
		return -ENOMEM;
	memcpy(w->data, data, len);
	w->c = c;
	w->len = len;
	uv_buf_t buf = uv_buf_init((char *)w->data, (unsigned)len);
	int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_written);
	if (rc < 0) {
		free(w);
		return rc;
	}
	c->out_pending += len;
	return 0;
}

/* bclient_handshake_done - see client.h. */
void bclient_handshake_done(struct bclient *c)
{
	if (!c->closing && c->ev->handshake)
		c->ev->handshake(c);
}

/* bclient_ready - see client.h. */
void bclient_ready(struct bclient *c)
{
	if (!c->closing && c->ev->ready)
		c->ev->ready(c);
}

/* bclient_message - see client.h. */
void bclient_message(struct bclient *c, const uint8_t *body, size_t len)
{
	if (!c->closing && c->ev->message)
		c->ev->message(c, body, len);
}

/* bclient_notice - see client.h. */
void bclient_notice(struct bclient *c)
{
	if (!c->closing && c->ev->notice)
		c->ev->notice(c);
}
