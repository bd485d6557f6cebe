/* SPDX-License-Identifier: MIT */
/* The client half of suite `e2ee-chat`: peers' verified keys, sending, receiving pushed and queued messages, the follow-ups per sender (e2ee-chat.md §6, §7.2, §7.3). */
#include <stdio.h>
#include <string.h>

#include "../common/pc-json.h"
#include "e2ee-blob.h"
#include "e2ee-client-session.h"

#define CMD_TO "/to"
#define CMD_MSG "/msg"
#define CMD_WHO "/who"

/* e2c_phone_printable - see e2ee-client-session.h. */
int e2c_phone_printable(const char *phone)
{
	size_t n = strlen(phone);
	if (n == 0 || n > E2EE_PHONE_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)phone[i] < 0x20 || phone[i] == 0x7f)
			return 0;
	return pc_utf8_valid((const uint8_t *)phone, n);
}

/* --- peers' keys --- */

static struct e2c_peer *peer_find(struct e2c_session *s, const char *phone)
{
	for (struct e2c_peer *p = s->peers; p; p = p->next)
		if (strcmp(p->phone, phone) == 0)
			return p;
	return NULL;
}

static void peer_free(struct e2c_session *s, struct e2c_peer *p)
{
	EVP_PKEY_free(p->rsa);
	s->host->free(p);
}

/* Drop the oldest peer that is not the selected recipient. */
static void peer_evict(struct e2c_session *s)
{
	struct e2c_peer **victim = NULL;
	for (struct e2c_peer **pp = &s->peers; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->phone, s->to) != 0)
			victim = pp;
	if (!victim)
		return;
	struct e2c_peer *p = *victim;
	*victim = p->next;
	peer_free(s, p);
	s->n_peers--;
}

/* Keep keys for `phone`; takes `rsa` on success. A peer whose keys were
 * known already gets the new ones (the server's signatures vouch for
 * both; keys are write-once on the server, so they agree anyway). */
static int peer_put(struct e2c_session *s, const char *phone,
	const uint8_t dh[XG_X25519_LEN], EVP_PKEY *rsa)
{
	struct e2c_peer *p = peer_find(s, phone);
	if (p) {
		EVP_PKEY_free(p->rsa);
		p->rsa = rsa;
		memcpy(p->dh, dh, XG_X25519_LEN);
		return 0;
	}
	if (s->n_peers >= E2C_PEERS_MAX)
		peer_evict(s);
	p = s->host->calloc(1, sizeof(*p));
	if (!p)
		return POLYCHAT_ENOMEM;
	snprintf(p->phone, sizeof(p->phone), "%s", phone);
	memcpy(p->dh, dh, XG_X25519_LEN);
	p->rsa = rsa;
	p->next = s->peers;
	s->peers = p;
	s->n_peers++;
	return 0;
}

/* Check a 1603 bundle (for 1610: after the phone) and keep the keys.
 * Says what went wrong; `what` finishes the error line ("not selected"). */
static int learn_keys(struct e2c_session *s, const char *phone, const uint8_t *p,
	size_t len, const char *what)
{
	uint8_t dh[XG_X25519_LEN];
	EVP_PKEY *rsa = NULL;
	int rc = e2ee_keys_open(s->server_key, p, len, dh, &rsa);
	if (rc == 0) {
		rc = peer_put(s, phone, dh, rsa);
		if (rc != 0)
			EVP_PKEY_free(rsa);
		return rc;
	}
	if (rc == POLYCHAT_EAUTH)
		e2c_say(s, POLYCHAT_UI_ERROR, "the keys of %s do not carry valid signatures of"
			" the server (a forgery, or the wrong server_key): %s", phone, what);
	else if (rc != POLYCHAT_ENOMEM)
		e2c_say(s, POLYCHAT_UI_ERROR, "the server sent malformed keys for %s (%s): %s",
			phone, polychat_strerror(rc), what);
	return rc;
}

/* --- receiving --- */

/* Verify, decrypt and show one blob from `from`, or say it was refused. */
static int show_blob(struct e2c_session *s, const struct e2c_peer *peer, const char *from,
	const uint8_t *blob, size_t len)
{
	const struct polychat_host *host = s->host;
	if (len < E2EE_BLOB_MIN) {
		e2c_say(s, POLYCHAT_UI_ERROR, "rejected a malformed message from %s (%zu bytes)",
			from, len);
		return 0;
	}
	size_t cap = len - E2EE_BLOB_MIN + 1;
	uint8_t *text = host->alloc(cap);
	if (!text)
		return POLYCHAT_ENOMEM;
	long n = e2ee_blob_open(s->dh_priv, peer->dh, peer->rsa, blob, len, text);
	if (n >= 0) {
		host->ui_show(s->conn, POLYCHAT_UI_MESSAGE, from, text, (size_t)n);
	} else if (n != POLYCHAT_ENOMEM) {
		/* Unlike the original, one bad blob does not end the session. */
		e2c_say(s, POLYCHAT_UI_ERROR, "rejected a tampered message from %s", from);
		host->log(POLYCHAT_LOG_WARNING, E2EE_CLIENT_WHO,
			"message from %s refused: %s", from, polychat_strerror((int)n));
	}
	host->wipe_free(text, cap);
	return n == POLYCHAT_ENOMEM ? POLYCHAT_ENOMEM : 0;
}

static struct e2c_sender *sender_find(struct e2c_session *s, const char *phone)
{
	for (struct e2c_sender *e = s->senders; e; e = e->next)
		if (strcmp(e->phone, phone) == 0)
			return e;
	return NULL;
}

/* The sender's entry, made at the end of the queue if there is room. */
static struct e2c_sender *sender_get(struct e2c_session *s, const char *phone)
{
	struct e2c_sender *e = sender_find(s, phone);
	if (e || s->n_senders >= E2C_SENDERS_MAX)
		return e;
	e = s->host->calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	snprintf(e->phone, sizeof(e->phone), "%s", phone);
	if (s->senders_tail)
		s->senders_tail->next = e;
	else
		s->senders = e;
	s->senders_tail = e;
	s->n_senders++;
	return e;
}

static void blobs_free(struct e2c_session *s, struct e2c_sender *e)
{
	while (e->blobs) {
		struct e2c_blob *b = e->blobs;
		e->blobs = b->next;
		s->kept--;
		s->kept_bytes -= b->len;
		s->host->free(b);
	}
	e->blobs_tail = NULL;
}

static void sender_pop(struct e2c_session *s)
{
	struct e2c_sender *e = s->senders;
	s->senders = e->next;
	if (!s->senders)
		s->senders_tail = NULL;
	s->n_senders--;
	blobs_free(s, e);
	s->host->free(e);
}

/* The kept blobs of `e`, oldest first, now that its keys are known. */
static int open_kept(struct e2c_session *s, struct e2c_sender *e, const struct e2c_peer *peer)
{
	int rc = 0;
	for (struct e2c_blob *b = e->blobs; b && rc == 0; b = b->next)
		rc = show_blob(s, peer, e->phone, b->data, b->len);
	blobs_free(s, e);
	return rc;
}

/* Keys for `phone` just arrived: what waited for them can be read. */
static int keys_arrived(struct e2c_session *s, const char *phone)
{
	struct e2c_sender *e = sender_find(s, phone);
	struct e2c_peer *peer = peer_find(s, phone);
	return e && peer ? open_kept(s, e, peer) : 0;
}

/* Keys for `e` could not be had: its kept messages cannot be read. */
static void drop_kept(struct e2c_session *s, struct e2c_sender *e)
{
	size_t n = 0;
	for (struct e2c_blob *b = e->blobs; b; b = b->next)
		n++;
	if (n)
		e2c_say(s, POLYCHAT_UI_ERROR, "%zu message%s from %s not shown: no verified keys",
			n, n == 1 ? "" : "s", e->phone);
	blobs_free(s, e);
}

static int keep(struct e2c_session *s, struct e2c_sender *e, const uint8_t *blob,
	size_t len)
{
	if (s->kept >= E2C_KEPT_MAX || len > E2C_KEPT_BYTES - s->kept_bytes) {
		e2c_say(s, POLYCHAT_UI_ERROR, "dropped a message from %s: too many messages are"
			" waiting for their senders' keys", e->phone);
		return 0;
	}
	struct e2c_blob *b = s->host->alloc(sizeof(*b) + len);
	if (!b)
		return POLYCHAT_ENOMEM;
	b->next = NULL;
	b->len = len;
	memcpy(b->data, blob, len);
	if (e->blobs_tail)
		e->blobs_tail->next = b;
	else
		e->blobs = b;
	e->blobs_tail = b;
	s->kept++;
	s->kept_bytes += len;
	return 0;
}

/* e2c_on_message - see e2ee-client-session.h. */
int e2c_on_message(struct e2c_session *s, const char *from, const uint8_t *blob,
	size_t blob_len, int reply)
{
	s->host->log(POLYCHAT_LOG_DEBUG, E2EE_CLIENT_WHO, "%s message from %s (%zu bytes)",
		reply ? "queued" : "pushed", from, blob_len);
	struct e2c_peer *peer = peer_find(s, from);
	struct e2c_sender *e = sender_get(s, from);
	/* Whatever came, 830 asks the server for the next one from `from`. */
	if (e)
		e->need_ack = 1;
	if (peer)
		return show_blob(s, peer, from, blob, blob_len);
	if (!e) {
		e2c_say(s, POLYCHAT_UI_ERROR, "dropped a message from %s: too many senders are"
			" waiting for their keys", from);
		return 0;
	}
	return keep(s, e, blob, blob_len);
}

/* e2c_next_task - see e2ee-client-session.h. */
int e2c_next_task(struct e2c_session *s)
{
	struct e2c_sender *e;
	while ((e = s->senders)) {
		if (e->blobs) {
			struct e2c_peer *peer = peer_find(s, e->phone);
			if (peer) {
				int rc = open_kept(s, e, peer);
				if (rc < 0)
					return rc;
				continue;
			}
			uint8_t field[E2EE_PHONE_LEN];
			e2ee_phone_field(field, e->phone);
			int rc = e2c_send(s, E2EE_REQ_SENDER_KEYS, e->phone, field, sizeof(field),
				NULL, 0);
			return rc < 0 ? rc : 1;
		}
		if (e->need_ack) {
			e->need_ack = 0;
			uint8_t field[E2EE_PHONE_LEN];
			e2ee_phone_field(field, e->phone);
			int rc = e2c_send(s, E2EE_REQ_MESSAGE_RECEIVED, e->phone, field,
				sizeof(field), NULL, 0);
			return rc < 0 ? rc : 1;
		}
		sender_pop(s);
	}
	return 0;
}

/* --- sending --- */

/* Seal `text` for `to` (whose keys are known) and send 829. */
static int send_text(struct e2c_session *s, const char *to, const char *text, size_t len)
{
	struct e2c_peer *peer = peer_find(s, to);
	if (!peer) {
		e2c_say(s, POLYCHAT_UI_ERROR, "no keys for %s: message not sent", to);
		return 0;
	}
	uint8_t blob[E2EE_BLOB_MIN + E2EE_TEXT_MAX];
	long n = e2ee_blob_seal(s->dh_priv, s->rsa, peer->dh, NULL, NULL, (const uint8_t *)text,
		len, blob);
	if (n < 0) {
		if (n == POLYCHAT_ENOMEM)
			return (int)n;
		e2c_say(s, POLYCHAT_UI_ERROR, "cannot encrypt for %s (%s): message not sent", to,
			polychat_strerror((int)n));
		return 0;
	}
	uint8_t field[E2EE_PHONE_LEN];
	e2ee_phone_field(field, to);
	return e2c_send(s, E2EE_REQ_MESSAGE, to, field, sizeof(field), blob, (size_t)n);
}

/* Why `text` cannot be a message, or NULL. The receiver refuses what is
 * not UTF-8 as tampered, and one request holds at most 2048 bytes. */
static int text_refused(struct e2c_session *s, const char *text, size_t len)
{
	if (len > E2EE_TEXT_MAX) {
		e2c_say(s, POLYCHAT_UI_ERROR, "the message is %zu bytes, at most %d fit in one"
			" request: not sent", len, E2EE_TEXT_MAX);
		return 1;
	}
	if (!pc_utf8_valid((const uint8_t *)text, len)) {
		e2c_show(s, POLYCHAT_UI_ERROR, NULL, "the message is not valid UTF-8: not sent");
		return 1;
	}
	return 0;
}

/* Ask for the keys of `to` (828); on their arrival select it or send
 * `text` (then copied). */
static int ask_keys(struct e2c_session *s, const char *to, int select, const char *text,
	size_t len)
{
	char *copy = NULL;
	if (text) {
		copy = s->host->alloc(len + 1);
		if (!copy)
			return POLYCHAT_ENOMEM;
		memcpy(copy, text, len);
		copy[len] = '\0';
	}
	uint8_t field[E2EE_PHONE_LEN];
	e2ee_phone_field(field, to);
	int rc = e2c_send(s, E2EE_REQ_RECIPIENT_KEYS, to, field, sizeof(field), NULL, 0);
	if (rc < 0) {
		if (copy)
			s->host->wipe_free(copy, len + 1);
		return rc;
	}
	s->req.select = select;
	s->req.text = copy;
	s->req.text_len = len;
	return 0;
}

static void select_peer(struct e2c_session *s, const char *to)
{
	snprintf(s->to, sizeof(s->to), "%s", to);
	e2c_say(s, POLYCHAT_UI_NOTICE, "messages now go to %s", to);
}

/* e2c_on_reply - see e2ee-client-session.h. */
int e2c_on_reply(struct e2c_session *s, struct e2c_request *req, uint16_t code,
	const uint8_t *p, size_t len)
{
	int rc;
	struct e2c_sender *e;
	switch (code) {
	case E2EE_RESP_RECIPIENT_KEYS:
		rc = learn_keys(s, req->peer, p, len,
			req->text ? "message not sent" : "recipient not selected");
		if (rc != 0)
			return rc == POLYCHAT_ENOMEM ? rc : 0;
		rc = keys_arrived(s, req->peer);
		if (rc == 0 && req->select)
			select_peer(s, req->peer);
		if (rc == 0 && req->text)
			rc = send_text(s, req->peer, req->text, req->text_len);
		return rc;
	case E2EE_RESP_SENDER_KEYS:
		e = sender_find(s, req->peer);
		if (len < E2EE_PHONE_LEN ||
		    strnlen((const char *)p, E2EE_PHONE_LEN) != strlen(req->peer) ||
		    memcmp(p, req->peer, strlen(req->peer)) != 0) {
			e2c_say(s, POLYCHAT_UI_ERROR, "the server answered the request for the"
				" keys of %s with someone else's keys", req->peer);
			rc = POLYCHAT_EPROTO;
		} else {
			rc = learn_keys(s, req->peer, p + E2EE_PHONE_LEN, len - E2EE_PHONE_LEN,
				"their messages are not shown");
		}
		if (rc == POLYCHAT_ENOMEM)
			return rc;
		if (rc == 0)
			return keys_arrived(s, req->peer);
		if (e)
			drop_kept(s, e);
		return 0;
	case E2EE_RESP_MESSAGE_SENT:
		s->host->log(POLYCHAT_LOG_DEBUG, E2EE_CLIENT_WHO, "message to %s accepted",
			req->peer);
		return 0;
	case E2EE_RESP_LISTENING:
		/* Nothing more from req->peer: its entry goes in e2c_next_task. */
		return 0;
	default:
		return 0;
	}
}

/* --- typed lines --- */

static int word_is(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && memcmp(line, word, n) == 0 && (len == n || line[n] == ' ');
}

/* A 10-digit phone at the start of `arg` (leading blanks skipped); the
 * rest after it in *rest. */
static int take_phone(const char *arg, size_t len, char phone[E2EE_PHONE_LEN + 1],
	const char **rest, size_t *rest_len)
{
	while (len && *arg == ' ') {
		arg++;
		len--;
	}
	size_t n = 0;
	while (n < len && arg[n] != ' ')
		n++;
	if (n != E2EE_PHONE_LEN)
		return 0;
	memcpy(phone, arg, n);
	phone[n] = '\0';
	if (!e2ee_phone_is_digits(phone))
		return 0;
	*rest = arg + n;
	*rest_len = len - n;
	return 1;
}

static int cmd_to(struct e2c_session *s, const char *arg, size_t len)
{
	char phone[E2EE_PHONE_LEN + 1];
	const char *rest;
	size_t rest_len;
	if (!take_phone(arg, len, phone, &rest, &rest_len)) {
		e2c_show(s, POLYCHAT_UI_ERROR, NULL, "usage: /to PHONE (10 digits)");
		return 0;
	}
	if (peer_find(s, phone)) {
		select_peer(s, phone);
		return 0;
	}
	return ask_keys(s, phone, 1, NULL, 0);
}

static int cmd_msg(struct e2c_session *s, const char *arg, size_t len)
{
	char phone[E2EE_PHONE_LEN + 1];
	const char *text;
	size_t text_len;
	if (!take_phone(arg, len, phone, &text, &text_len) || text_len < 2) {
		e2c_show(s, POLYCHAT_UI_ERROR, NULL, "usage: /msg PHONE TEXT");
		return 0;
	}
	text++;
	text_len--;
	if (text_refused(s, text, text_len))
		return 0;
	if (peer_find(s, phone))
		return send_text(s, phone, text, text_len);
	return ask_keys(s, phone, 0, text, text_len);
}

/* e2c_chat_line - see e2ee-client-session.h. */
int e2c_chat_line(struct e2c_session *s, const char *line, size_t len)
{
	if (len == 0)
		return 0;
	if (line[0] == '/' && !(len > 1 && line[1] == '/')) {
		if (word_is(line, len, CMD_TO))
			return cmd_to(s, line + strlen(CMD_TO), len - strlen(CMD_TO));
		if (word_is(line, len, CMD_MSG))
			return cmd_msg(s, line + strlen(CMD_MSG), len - strlen(CMD_MSG));
		if (word_is(line, len, CMD_WHO)) {
			if (s->to[0])
				e2c_say(s, POLYCHAT_UI_NOTICE, "you are %s; messages go to %s",
					s->phone, s->to);
			else
				e2c_say(s, POLYCHAT_UI_NOTICE, "you are %s; no recipient chosen"
					" (/to PHONE)", s->phone);
			return 0;
		}
		return POLYCHAT_ENOTSUP;
	}
	if (line[0] == '/') {
		line++;
		len--;
	}
	if (!s->to[0]) {
		e2c_show(s, POLYCHAT_UI_ERROR, NULL,
			"no recipient: choose one with /to PHONE (message not sent)");
		return 0;
	}
	if (text_refused(s, line, len))
		return 0;
	return send_text(s, s->to, line, len);
}

/* e2c_chat_free - see e2ee-client-session.h. */
void e2c_chat_free(struct e2c_session *s)
{
	while (s->peers) {
		struct e2c_peer *p = s->peers;
		s->peers = p->next;
		peer_free(s, p);
	}
	s->n_peers = 0;
	while (s->senders)
		sender_pop(s);
}
