/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat`, server half: framing, which connection may send which request (§12), replies, relayed messages. */
#include <stdio.h>
#include <string.h>

#include "e2ee-session.h"

/* What travels with a relayed 829 in polychat_message.extra: the queue
 * id of the stored message and whether it is the oldest from its sender
 * to that recipient (only then may it be pushed at once, §5.7). */
#define RELAY_EXTRA_LEN 9

static void frame_overdue(void *arg)
{
	struct e2ee_session *s = arg;
	s->frame_timer = NULL;
	s->inst->host->conn_close(s->conn, 0, "request not completed in time");
}

static void pump_due(void *arg)
{
	struct e2ee_session *s = arg;
	s->pump_timer = NULL;
	e2ee_pump(s);
}

int e2ee_session_open(void *instance, struct polychat_conn *conn, void **out)
{
	struct e2ee_instance *inst = instance;
	const struct polychat_host *host = inst->host;
	struct e2ee_session *s = host->calloc(1, sizeof(*s));
	if (!s)
		return POLYCHAT_ENOMEM;
	s->inst = inst;
	s->conn = conn;
	/* The original reads one recv(2048) as one request and one response
	 * (§2.3): nothing larger is ever buffered, and two frames to one
	 * client go out apart. */
	host->conn_set_input_limit(conn, E2EE_PACKET_MAX);
	host->conn_set_write_gap(conn, (unsigned)inst->opt.write_gap_ms);
	*out = s;
	return 0;
}

int e2ee_reply(struct e2ee_session *s, uint16_t code, const uint8_t *a, size_t alen,
	const uint8_t *b, size_t blen)
{
	uint8_t frame[E2EE_PACKET_MAX];
	long n = e2ee_response_build(frame, sizeof(frame), code, a, alen, b, blen,
		NULL, 0, NULL, 0);
	if (n < 0)
		return (int)n;
	return s->inst->host->conn_write(s->conn, frame, (size_t)n);
}

void e2ee_fail(struct e2ee_session *s, uint16_t code, const char *why)
{
	const struct polychat_host *host = s->inst->host;
	host->log(POLYCHAT_LOG_NOTICE, s->inst->name, "%s: answered %u: %s",
		host->conn_peer(s->conn), (unsigned)code, why);
	e2ee_reply(s, code, NULL, 0, NULL, 0);
	host->conn_close(s->conn, 1, why);
}

void e2ee_idle(struct e2ee_session *s)
{
	const struct polychat_host *host = s->inst->host;
	s->busy = 0;
	/* Input first (the resume offers it on the next loop turn), then a
	 * poked push: a flood of messages to this client cannot starve its
	 * own requests. */
	host->conn_resume(s->conn);
	if (s->n_pokes && !s->pump_timer)
		s->pump_timer = host->conn_timer(s->conn, 0, 0, pump_due, s);
}

/* UTF-8 characters, as Python's len() counts the decoded phone (§5.1). */
static size_t characters(const char *text)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

/* The hardening of §12: a connection speaks for one phone, the one it
 * registered, verified or logged in with. Returns 1 when the request may
 * run; otherwise the connection was answered and is closing. */
static int admitted(struct e2ee_session *s, const struct e2ee_request *req)
{
	const struct polychat_host *host = s->inst->host;
	int bound = s->phone[0] != '\0';
	int same = strcmp(s->phone, req->phone) == 0;

	switch (req->code) {
	case E2EE_REQ_REGISTER:
		if (characters(req->phone) != E2EE_PHONE_LEN) {
			host->conn_close(s->conn, 0, "REGISTER with a phone that is not 10 characters");
			return 0;
		}
		if (bound && !same)
			break;
		return 1;
	case E2EE_REQ_OTP:
		if (strcmp(s->registered, req->phone) == 0)
			return 1;
		e2ee_fail(s, E2EE_RESP_ERROR, "OTP for a number this connection did not register");
		return 0;
	case E2EE_REQ_SEND_PUBLIC_KEYS:
		if (strcmp(s->verified, req->phone) == 0)
			return 1;
		e2ee_fail(s, E2EE_RESP_ERROR, "keys before the number was verified on this connection");
		return 0;
	case E2EE_REQ_LOGIN:
		if (bound && !same)
			break;
		return 1;
	default:
		if (!bound) {
			e2ee_fail(s, E2EE_RESP_ERROR, "request before login");
			return 0;
		}
		if (same)
			return 1;
		break;
	}
	e2ee_fail(s, E2EE_RESP_ERROR, "header phone is not the one this connection logged in with");
	return 0;
}

static int needs_key(uint16_t code)
{
	return code == E2EE_REQ_RECIPIENT_KEYS || code == E2EE_REQ_SENDER_KEYS;
}

long e2ee_session_input(void *session, const uint8_t *data, size_t len)
{
	struct e2ee_session *s = session;
	struct e2ee_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	struct e2ee_request req;

	if (s->busy) {
		host->conn_pause(s->conn);
		return 0;
	}
	long n = e2ee_request_parse(data, len, &req);
	if (n == 0) {
		/* A client sends each request whole (§2.3): one that stays
		 * incomplete is a slow or stuck peer. */
		if (!s->frame_timer)
			s->frame_timer = host->conn_timer(s->conn,
				(uint64_t)inst->opt.frame_timeout_ms, 0, frame_overdue, s);
		return 0;
	}
	host->timer_stop(s->frame_timer);
	s->frame_timer = NULL;
	if (n < 0) {
		host->conn_close(s->conn, 0, n == POLYCHAT_ETOOBIG
			? "request over 2048 bytes" : "malformed request");
		return (long)len;
	}
	if (!admitted(s, &req))
		return (long)len;
	if (needs_key(req.code) && !inst->key) {
		if (inst->key_failed) {
			e2ee_fail(s, E2EE_RESP_ERROR, "the server has no signing key");
			return (long)len;
		}
		/* The request stays unconsumed and is offered again once
		 * the key is there. */
		s->busy = 1;
		s->key_waiting = 1;
		s->key_next = inst->key_waiters;
		inst->key_waiters = s;
		host->conn_pause(s->conn);
		return 0;
	}
	e2ee_request_start(s, data, (size_t)n);
	return n;
}

void e2ee_key_settled(struct e2ee_instance *inst)
{
	while (inst->key_waiters) {
		struct e2ee_session *s = inst->key_waiters;
		inst->key_waiters = s->key_next;
		s->key_next = NULL;
		s->key_waiting = 0;
		e2ee_idle(s);
	}
}

int e2ee_session_deliver(void *session, const struct polychat_message *msg)
{
	struct e2ee_session *s = session;
	if (msg->body_kind != POLYCHAT_BODY_OPAQUE || !msg->from ||
	    strlen(msg->from) > E2EE_PHONE_LEN || msg->extra_len != RELAY_EXTRA_LEN)
		return POLYCHAT_ENOTSUP;
	uint64_t id = 0;
	for (int i = 0; i < 8; i++)
		id = id << 8 | msg->extra[i];
	int oldest = msg->extra[8];
	/* A push at once only when nothing else of this client's is under
	 * way and nothing from that sender is still waiting before it;
	 * otherwise the message stays queued and the sender is remembered,
	 * so it goes out in order once the session is free. An id at or
	 * below the last one handed out may already have gone by another
	 * path (an 830 that raced the relay). */
	if (!s->busy && oldest && id > s->last_handout)
		e2ee_handout_write(s, msg->from, id, msg->body, msg->body_len);
	else
		e2ee_poke(s, msg->from);
	return 0;
}

int e2ee_relay(struct e2ee_session *s, const char *to, uint64_t id, int oldest,
	const uint8_t *blob, size_t len)
{
	uint8_t extra[RELAY_EXTRA_LEN];
	for (int i = 0; i < 8; i++)
		extra[i] = (uint8_t)(id >> (56 - 8 * i));
	extra[8] = (uint8_t)(oldest != 0);
	const struct polychat_message msg = {
		.kind = POLYCHAT_MSG_TEXT,
		.body_kind = POLYCHAT_BODY_OPAQUE,
		.from = s->phone,
		.body = blob,
		.body_len = len,
		.extra = extra,
		.extra_len = sizeof(extra),
	};
	const struct polychat_target target = { .kind = POLYCHAT_TO_USER, .name = to };
	return s->inst->host->deliver(s->conn, &target, &msg);
}

void e2ee_session_close(void *session, int status)
{
	struct e2ee_session *s = session;
	(void)status;
	if (!s)
		return;
	struct e2ee_instance *inst = s->inst;
	if (s->key_waiting) {
		struct e2ee_session **p = &inst->key_waiters;
		while (*p && *p != s)
			p = &(*p)->key_next;
		if (*p)
			*p = s->key_next;
	}
	inst->host->free(s);
}
