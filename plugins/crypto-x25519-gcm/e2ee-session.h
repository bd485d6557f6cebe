/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat`: one client connection of the server half, shared by e2ee-server.c, e2ee-requests.c and e2ee-handout.c. */
#ifndef E2EE_SESSION_H
#define E2EE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "e2ee.h"
#include "e2ee-wire.h"

/* Senders whose oldest queued message should be pushed when the session
 * is free again; more are not remembered (their messages stay queued
 * for the next 830 or login). */
#define E2EE_POKES_MAX 32

struct e2ee_session {
	struct e2ee_instance *inst;
	struct polychat_conn *conn;
	/* What this connection has proved, for the hardening of §12: a
	 * request's header phone must match it. */
	char registered[E2EE_PHONE_LEN + 1]; /* 825 succeeded: 831 may follow */
	char verified[E2EE_PHONE_LEN + 1];   /* 831 succeeded: 826 may follow */
	char phone[E2EE_PHONE_LEN + 1];      /* bound by 826/827: online */
	/* A request, a handout or its acknowledgement is under way: input
	 * waits, so requests are answered one at a time, in order, and one
	 * queued message is never handed out twice. */
	int busy;
	struct polychat_timer *frame_timer; /* a request started but unfinished */
	struct polychat_timer *pump_timer;  /* the next poke, after input had its turn */
	uint64_t last_handout;              /* queue id of the last 1608 handed out */
	char pokes[E2EE_POKES_MAX][E2EE_PHONE_LEN + 1];
	unsigned n_pokes;
	/* Waiting for the signing key (e2ee.h): the next in the list. */
	struct e2ee_session *key_next;
	int key_waiting;
};

/* Copy of one request, with the frame it points into, for a job. */
struct e2ee_job {
	struct e2ee_session *s;
	uint8_t frame[E2EE_PACKET_MAX];
	struct e2ee_request req;
	/* results, filled by the work function */
	int rc;
	uint16_t reply;
	uint8_t *payload;     /* host->alloc'd reply payload, or NULL */
	size_t payload_len;
	uint64_t queued_id;   /* a message handed out: acknowledge after writing */
	char sender[E2EE_PHONE_LEN + 1];
	int live;             /* 829: the message may be pushed at once */
	const char *why;      /* for the log line of a failure */
};

/* e2ee-server.c */
/* Write one response frame (the parts concatenated after the header). */
int e2ee_reply(struct e2ee_session *s, uint16_t code, const uint8_t *a, size_t alen,
	const uint8_t *b, size_t blen);
/* Write an error response, then close once it is written (§5.10). */
void e2ee_fail(struct e2ee_session *s, uint16_t code, const char *why);
/* The request or handout is done: take input and pokes again. */
void e2ee_idle(struct e2ee_session *s);
/* Offer the stored message `id` from this session's phone to the
 * recipient's session, if online (`oldest`: nothing from this sender
 * waits before it). Returns the sessions reached (0: offline). */
int e2ee_relay(struct e2ee_session *s, const char *to, uint64_t id, int oldest,
	const uint8_t *blob, size_t len);

/* e2ee-requests.c: start the job of a framed, admitted request (its
 * `len` bytes); the session is busy until it is done. */
void e2ee_request_start(struct e2ee_session *s, const uint8_t *frame, size_t len);
void e2ee_job_free(const struct polychat_host *host, struct e2ee_job *job);

/* e2ee-handout.c */
/* Write a queued message (1608 from `sender`) and acknowledge it to the
 * store once it was written; the session stays busy until then. */
void e2ee_handout_write(struct e2ee_session *s, const char *sender, uint64_t id,
	const uint8_t *blob, size_t blob_len);
/* Remember to push the oldest message from `sender` ("": from anyone)
 * when free. */
void e2ee_poke(struct e2ee_session *s, const char *sender);
/* Free: push the next poked sender's oldest message, if any. Returns 1
 * when that made the session busy. */
int e2ee_pump(struct e2ee_session *s);

#endif /* E2EE_SESSION_H */
