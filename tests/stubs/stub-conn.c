/* SPDX-License-Identifier: MIT */
/* Stub host fakes: listeners, connections, identities, rooms, delivery. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <polychat/status.h>

#include "stub-host.h"
#include "stub-internal.h"

/*
 * Everything here runs on the test's thread, standing in for the daemon's
 * loop thread, and only records: what a plugin wrote, bound, joined or
 * delivered is read back by the test through stub-host.h.
 */

struct polychat_conn *stub_conns;

static struct polychat_listener *listeners;
static struct stub_delivery *deliveries;
static size_t n_deliveries;
static size_t cap_deliveries;

/* stub_grow - see stub-internal.h. */
int stub_grow(void **arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	void *p = realloc(*arr, n * size);
	if (!p)
		return POLYCHAT_ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static uint8_t *copy_bytes(const uint8_t *data, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	if (p && len)
		memcpy(p, data, len);
	return p;
}

static int name_ok(const char *name)
{
	return name && name[0] && strnlen(name, NAME_MAX_BYTES + 1)
		<= NAME_MAX_BYTES;
}

static const char *realm_of(const struct polychat_conn *conn)
{
	return conn && conn->listener ? conn->listener->realm : "";
}

/* --- listeners and connections --- */

/* stub_listener_new - see stub-host.h. */
struct polychat_listener *stub_listener_new(const char *name,
	const char *realm)
{
	struct polychat_listener *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->name = strdup(name ? name : "");
	l->realm = strdup(realm ? realm : name ? name : "");
	if (!l->name || !l->realm) {
		free(l->name);
		free(l->realm);
		free(l);
		return NULL;
	}
	l->next = listeners;
	listeners = l;
	return l;
}

/* stub_listener_free - see stub-host.h. */
void stub_listener_free(struct polychat_listener *listener)
{
	if (!listener)
		return;
	for (struct polychat_conn *c = stub_conns, *next; c; c = next) {
		next = c->next;
		if (c->listener == listener)
			stub_conn_free(c);
	}
	stub_drop_owned(NULL, listener);
	for (struct polychat_listener **p = &listeners; *p; p = &(*p)->next) {
		if (*p == listener) {
			*p = listener->next;
			break;
		}
	}
	free(listener->name);
	free(listener->realm);
	free(listener);
}

/* stub_conn_new - see stub-host.h. */
struct polychat_conn *stub_conn_new(struct polychat_listener *listener,
	const char *ip, unsigned port)
{
	struct polychat_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->listener = listener;
	snprintf(c->ip, sizeof(c->ip), "%s", ip ? ip : "127.0.0.1");
	snprintf(c->local_ip, sizeof(c->local_ip), "%s",
		strchr(c->ip, ':') ? "::1" : "127.0.0.1");
	if (strchr(c->ip, ':'))
		snprintf(c->peer, sizeof(c->peer), "[%s]:%u", c->ip, port);
	else
		snprintf(c->peer, sizeof(c->peer), "%s:%u", c->ip, port);
	c->next = stub_conns;
	stub_conns = c;
	return c;
}

/* stub_conn_free - see stub-host.h. */
void stub_conn_free(struct polychat_conn *conn)
{
	if (!conn)
		return;
	for (struct polychat_conn **p = &stub_conns; *p; p = &(*p)->next) {
		if (*p == conn) {
			*p = conn->next;
			break;
		}
	}
	stub_drop_owned(conn, NULL);
	for (size_t i = 0; i < conn->n_rooms; i++)
		free(conn->rooms[i]);
	for (size_t i = 0; i < conn->n_ui; i++) {
		free(conn->ui[i].from);
		free(conn->ui[i].text);
	}
	free(conn->rooms);
	free(conn->ui);
	free(conn->secret_prompt);
	free(conn->identity);
	free(conn->out);
	free(conn->ends);
	free(conn->close_reason);
	free(conn);
}

/* stub_conn_write - host member; see stub-host.h. */
int stub_conn_write(struct polychat_conn *conn, const uint8_t *data,
	size_t len)
{
	if (!conn || (!data && len))
		return POLYCHAT_EINVAL;
	if (conn->closed)
		return POLYCHAT_ECLOSED;
	if (conn->write_result != 0)
		return conn->write_result;
	if (stub_grow((void **)&conn->out, &conn->out_cap,
			conn->out_len + len + 1, 1) != 0
			|| stub_grow((void **)&conn->ends, &conn->cap_writes,
				conn->n_writes + 1, sizeof(size_t)) != 0)
		return POLYCHAT_ENOMEM;
	if (len)
		memcpy(conn->out + conn->out_len, data, len);
	conn->out_len += len;
	conn->ends[conn->n_writes++] = conn->out_len;
	return 0;
}

/* stub_conn_close - host member; see stub-host.h. */
void stub_conn_close(struct polychat_conn *conn, int flush,
	const char *reason)
{
	if (!conn || conn->closed)
		return;
	conn->closed = 1;
	conn->close_flush = flush;
	conn->close_reason = reason ? strdup(reason) : NULL;
	/* As in the daemon, a closing connection no longer holds its
	 * identity: conn_identity answers NULL and the name is free. */
	free(conn->identity);
	conn->identity = NULL;
}

/* stub_conn_set_write_gap - host member; see stub-host.h. */
void stub_conn_set_write_gap(struct polychat_conn *conn, unsigned ms)
{
	if (conn)
		conn->write_gap = ms;
}

/* stub_conn_set_input_limit - host member; see stub-host.h. */
void stub_conn_set_input_limit(struct polychat_conn *conn, size_t bytes)
{
	if (conn)
		conn->input_limit = bytes;
}

/* stub_conn_pause - host member; see stub-host.h. */
void stub_conn_pause(struct polychat_conn *conn)
{
	if (conn)
		conn->paused = 1;
}

/* stub_conn_resume - host member; see stub-host.h. */
void stub_conn_resume(struct polychat_conn *conn)
{
	if (conn)
		conn->paused = 0;
}

/* stub_conn_peer - host member; see stub-host.h. */
const char *stub_conn_peer(const struct polychat_conn *conn)
{
	return conn ? conn->peer : "";
}

/* stub_conn_peer_ip - host member; see stub-host.h. */
const char *stub_conn_peer_ip(const struct polychat_conn *conn)
{
	return conn ? conn->ip : "";
}

/* stub_conn_local_ip - host member; see stub-host.h. */
const char *stub_conn_local_ip(const struct polychat_conn *conn)
{
	return conn ? conn->local_ip : "";
}

/* stub_conn_set_local_ip - see stub-host.h. */
void stub_conn_set_local_ip(struct polychat_conn *conn, const char *ip)
{
	snprintf(conn->local_ip, sizeof(conn->local_ip), "%s", ip);
}

/* stub_conn_listener - host member; see stub-host.h. */
struct polychat_listener *stub_conn_listener(const struct polychat_conn *conn)
{
	return conn ? conn->listener : NULL;
}

/* stub_conn_identity - host member; see stub-host.h. */
const char *stub_conn_identity(const struct polychat_conn *conn)
{
	return conn ? conn->identity : NULL;
}

/* stub_listener_name - host member; see stub-host.h. */
const char *stub_listener_name(const struct polychat_listener *listener)
{
	return listener ? listener->name : "";
}

/* stub_listener_realm - host member; see stub-host.h. */
const char *stub_listener_realm(const struct polychat_listener *listener)
{
	return listener ? listener->realm : "";
}

/* stub_conn_output - see stub-host.h. */
const uint8_t *stub_conn_output(const struct polychat_conn *conn,
	size_t *len)
{
	*len = conn->out_len;
	return conn->out ? conn->out : (const uint8_t *)"";
}

/* stub_conn_writes - see stub-host.h. */
size_t stub_conn_writes(const struct polychat_conn *conn)
{
	return conn->n_writes;
}

/* stub_conn_write_at - see stub-host.h. */
const uint8_t *stub_conn_write_at(const struct polychat_conn *conn, size_t i,
	size_t *len)
{
	if (i >= conn->n_writes)
		return NULL;
	size_t start = i ? conn->ends[i - 1] : 0;
	*len = conn->ends[i] - start;
	return conn->out + start;
}

/* stub_conn_clear_output - see stub-host.h. */
void stub_conn_clear_output(struct polychat_conn *conn)
{
	conn->out_len = 0;
	conn->n_writes = 0;
}

/* stub_conn_set_write_result - see stub-host.h. */
void stub_conn_set_write_result(struct polychat_conn *conn, int status)
{
	conn->write_result = status;
}

/* stub_conn_closed - see stub-host.h. */
int stub_conn_closed(const struct polychat_conn *conn, int *flush,
	const char **reason)
{
	if (conn->closed && flush)
		*flush = conn->close_flush;
	if (conn->closed && reason)
		*reason = conn->close_reason;
	return conn->closed;
}

/* stub_conn_paused - see stub-host.h. */
int stub_conn_paused(const struct polychat_conn *conn)
{
	return conn->paused;
}

/* stub_conn_write_gap - see stub-host.h. */
unsigned stub_conn_write_gap(const struct polychat_conn *conn)
{
	return conn->write_gap;
}

/* stub_conn_input_limit - see stub-host.h. */
size_t stub_conn_input_limit(const struct polychat_conn *conn)
{
	return conn->input_limit;
}

/* --- identities and rooms --- */

/* stub_conn_bind - host member; see stub-host.h. */
int stub_conn_bind(struct polychat_conn *conn, const char *identity)
{
	if (!conn || !name_ok(identity))
		return POLYCHAT_EINVAL;
	if (conn->closed)
		return POLYCHAT_ECLOSED;
	for (struct polychat_conn *c = stub_conns; c; c = c->next)
		if (c != conn && c->identity
				&& strcmp(realm_of(c), realm_of(conn)) == 0
				&& strcmp(c->identity, identity) == 0)
			return POLYCHAT_EEXIST;
	char *copy = strdup(identity);
	if (!copy)
		return POLYCHAT_ENOMEM;
	free(conn->identity);
	conn->identity = copy;
	return 0;
}

/* stub_identity_lookup - host member; see stub-host.h. */
struct polychat_conn *stub_identity_lookup(struct polychat_listener *listener,
	const char *identity)
{
	if (!listener || !identity)
		return NULL;
	for (struct polychat_conn *c = stub_conns; c; c = c->next)
		if (c->identity && c->listener
				&& strcmp(c->listener->realm,
					listener->realm) == 0
				&& strcmp(c->identity, identity) == 0)
			return c;
	return NULL;
}

/* stub_conn_in_room - see stub-host.h. */
int stub_conn_in_room(const struct polychat_conn *conn, const char *room)
{
	for (size_t i = 0; conn && room && i < conn->n_rooms; i++)
		if (strcmp(conn->rooms[i], room) == 0)
			return 1;
	return 0;
}

/* stub_room_join - host member; see stub-host.h. */
int stub_room_join(struct polychat_conn *conn, const char *room)
{
	if (!conn || !name_ok(room))
		return POLYCHAT_EINVAL;
	if (stub_conn_in_room(conn, room))
		return 0;
	char **rooms = realloc(conn->rooms,
		(conn->n_rooms + 1) * sizeof(*rooms));
	if (!rooms)
		return POLYCHAT_ENOMEM;
	conn->rooms = rooms;
	if (!(rooms[conn->n_rooms] = strdup(room)))
		return POLYCHAT_ENOMEM;
	conn->n_rooms++;
	return 0;
}

/* stub_room_leave - host member; see stub-host.h. */
int stub_room_leave(struct polychat_conn *conn, const char *room)
{
	if (!conn || !name_ok(room))
		return POLYCHAT_EINVAL;
	for (size_t i = 0; i < conn->n_rooms; i++) {
		if (strcmp(conn->rooms[i], room) != 0)
			continue;
		free(conn->rooms[i]);
		memmove(&conn->rooms[i], &conn->rooms[i + 1],
			(conn->n_rooms - i - 1) * sizeof(*conn->rooms));
		conn->n_rooms--;
		break;
	}
	return 0;
}

/* --- client display --- */

/* stub_ui_show - host member; see stub-host.h. */
void stub_ui_show(struct polychat_conn *conn, int kind, const char *from,
	const uint8_t *text, size_t len)
{
	if (!conn)
		return;
	struct ui_record *ui = realloc(conn->ui,
		(conn->n_ui + 1) * sizeof(*ui));
	if (!ui)
		return;
	conn->ui = ui;
	struct ui_record r = {
		.kind = kind,
		.from = from ? strdup(from) : NULL,
		.text = copy_bytes(text, text ? len : 0),
		.len = text ? len : 0,
	};
	if ((from && !r.from) || !r.text) {
		free(r.from);
		free(r.text);
		return;
	}
	conn->ui[conn->n_ui++] = r;
}

/* stub_conn_ui_count - see stub-host.h. */
size_t stub_conn_ui_count(const struct polychat_conn *conn)
{
	return conn->n_ui;
}

/* stub_conn_ui_at - see stub-host.h. */
int stub_conn_ui_at(const struct polychat_conn *conn, size_t i, int *kind,
	const char **from, const uint8_t **text, size_t *len)
{
	if (i >= conn->n_ui)
		return -1;
	*kind = conn->ui[i].kind;
	*from = conn->ui[i].from;
	*text = conn->ui[i].text;
	*len = conn->ui[i].len;
	return 0;
}

/* stub_conn_ui_count_kind - see stub-host.h. */
size_t stub_conn_ui_count_kind(const struct polychat_conn *conn, int kind)
{
	size_t count = 0;
	for (size_t i = 0; i < conn->n_ui; i++)
		count += conn->ui[i].kind == kind;
	return count;
}

/* stub_ui_secret - host member; see stub-host.h. */
void stub_ui_secret(struct polychat_conn *conn, const char *prompt)
{
	if (!conn)
		return;
	conn->n_secret++;
	free(conn->secret_prompt);
	conn->secret_prompt = prompt ? strdup(prompt) : NULL;
}

/* stub_conn_secret_count - see stub-host.h. */
size_t stub_conn_secret_count(const struct polychat_conn *conn)
{
	return conn->n_secret;
}

/* stub_conn_secret_prompt - see stub-host.h. */
const char *stub_conn_secret_prompt(const struct polychat_conn *conn)
{
	return conn->secret_prompt;
}

/* --- delivery --- */

/* Whether `c` is a recipient under the target's flags. */
static int reaches(const struct polychat_conn *c,
	const struct polychat_conn *from, unsigned flags)
{
	if ((flags & POLYCHAT_DELIVER_NO_ECHO) && c == from)
		return 0;
	if ((flags & POLYCHAT_DELIVER_BOUND) && !c->identity)
		return 0;
	return 1;
}

static int count_reached(struct polychat_conn *from,
	const struct polychat_target *to)
{
	int n = 0;

	switch (to->kind) {
	case POLYCHAT_TO_USER:
		for (struct polychat_conn *c = stub_conns; c; c = c->next)
			if (c->identity && to->name
					&& strcmp(c->identity, to->name) == 0
					&& strcmp(realm_of(c),
						realm_of(from)) == 0
					&& reaches(c, from, to->flags))
				n++;
		return n;
	case POLYCHAT_TO_ROOM:
		for (struct polychat_conn *c = stub_conns; c; c = c->next)
			if (stub_conn_in_room(c, to->name)
					&& reaches(c, from, to->flags))
				n++;
		return n;
	case POLYCHAT_TO_LISTENER:
		for (struct polychat_conn *c = stub_conns; c; c = c->next)
			if (from && c->listener == from->listener
					&& reaches(c, from, to->flags))
				n++;
		return n;
	case POLYCHAT_TO_CONN:
		return to->conn ? 1 : POLYCHAT_EINVAL;
	default:
		return POLYCHAT_EINVAL;
	}
}

static void delivery_free(struct stub_delivery *d)
{
	free(d->target_name);
	free(d->msg_from);
	free(d->body);
	free(d->extra);
}

static int record_delivery(struct polychat_conn *from,
	struct polychat_listener *listener, const struct polychat_target *to,
	const struct polychat_message *msg, int reached)
{
	if (stub_grow((void **)&deliveries, &cap_deliveries, n_deliveries + 1,
			sizeof(*deliveries)) != 0)
		return POLYCHAT_ENOMEM;
	struct stub_delivery d = {
		.from = from,
		.listener = listener,
		.target_kind = to ? to->kind : 0,
		.target_conn = to ? to->conn : NULL,
		.flags = to ? to->flags : 0,
		.msg_kind = msg->kind,
		.body_kind = msg->body_kind,
		.body_len = msg->body_len,
		.extra_len = msg->extra ? msg->extra_len : 0,
		.reached = reached,
	};
	d.target_name = to && to->name ? strdup(to->name) : NULL;
	d.msg_from = msg->from ? strdup(msg->from) : NULL;
	d.body = copy_bytes(msg->body, msg->body ? msg->body_len : 0);
	d.extra = copy_bytes(msg->extra, d.extra_len);
	if ((to && to->name && !d.target_name) || (msg->from && !d.msg_from)
			|| !d.body || !d.extra) {
		delivery_free(&d);
		return POLYCHAT_ENOMEM;
	}
	deliveries[n_deliveries++] = d;
	return reached;
}

/* stub_deliver - host member; see stub-host.h. */
int stub_deliver(struct polychat_conn *from, const struct polychat_target *to,
	const struct polychat_message *msg)
{
	if (!to || !msg || (!msg->body && msg->body_len))
		return POLYCHAT_EINVAL;
	int reached = count_reached(from, to);
	if (reached < 0)
		return reached;
	return record_delivery(from, from ? from->listener : NULL, to, msg,
		reached);
}

/* stub_listener_deliver - host member; see stub-host.h. */
int stub_listener_deliver(struct polychat_listener *listener,
	const struct polychat_message *msg)
{
	if (!listener || !msg || (!msg->body && msg->body_len))
		return POLYCHAT_EINVAL;
	int reached = 0;
	for (struct polychat_conn *c = stub_conns; c; c = c->next)
		reached += c->listener == listener && c->identity;
	return record_delivery(NULL, listener, NULL, msg, reached);
}

/* stub_deliveries - see stub-host.h. */
size_t stub_deliveries(void)
{
	return n_deliveries;
}

/* stub_delivery_at - see stub-host.h. */
const struct stub_delivery *stub_delivery_at(size_t i)
{
	return i < n_deliveries ? &deliveries[i] : NULL;
}

/* stub_deliveries_clear - see stub-host.h. */
void stub_deliveries_clear(void)
{
	for (size_t i = 0; i < n_deliveries; i++)
		delivery_free(&deliveries[i]);
	free(deliveries);
	deliveries = NULL;
	n_deliveries = cap_deliveries = 0;
}

/* stub_conn_reset - see stub-internal.h. */
void stub_conn_reset(void)
{
	while (listeners)
		stub_listener_free(listeners);
	while (stub_conns)
		stub_conn_free(stub_conns);
	stub_deliveries_clear();
}
