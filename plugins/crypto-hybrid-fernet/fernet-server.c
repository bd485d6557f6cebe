/* SPDX-License-Identifier: MIT */
/* The fernet-hybrid server half: the nickname handshake, message boundaries, relay of what it cannot read (fernet-hybrid.md §2, §3). */
#include <stdio.h>
#include <string.h>

#include "fernet.h"
#include "fernet-shapes.h"
#include "../common/pc-json.h"
#include "../common/pc-rate.h"

#define GREETING "NICK"
#define ACCEPT "NICKACCEPT"
#define REFUSE "NICKTAKEN"
#define JOINED_TAIL " joined the chat!"
#define LEFT_TAIL " left the chat."
/* The original server reads a nickname with one recv(4096). */
#define NICK_READ 4096

enum fernet_phase {
	FERNET_PH_NICK,   /* NICK sent, waiting for the nickname */
	FERNET_PH_MEMBER, /* in the room */
};

struct fernet_session {
	struct fernet_instance *inst;
	struct polychat_conn *conn;
	enum fernet_phase phase;
	struct polychat_timer *deadline;
	struct pc_rate rate;
	int told_slowed;
	/* Kept for the leave notice: the identity is released before close. */
	char nick[POLYCHAT_NAME_MAX + 1];
};

static const char *listener_name(const struct fernet_session *s)
{
	return s->inst->host->listener_name(s->inst->listener);
}

static int write_text(struct fernet_session *s, const char *text)
{
	return s->inst->host->conn_write(s->conn, (const uint8_t *)text, strlen(text));
}

static void deadline_passed(void *arg)
{
	struct fernet_session *s = arg;
	s->deadline = NULL;
	s->inst->host->conn_close(s->conn, 0, "handshake timeout");
}

int fernet_session_open(void *instance, struct polychat_conn *conn, void **out)
{
	struct fernet_instance *inst = instance;
	const struct polychat_host *host = inst->host;
	struct fernet_session *s = host->calloc(1, sizeof(*s));
	if (!s)
		return POLYCHAT_ENOMEM;
	s->inst = inst;
	s->conn = conn;
	/* §2: one message per recv() on the original client's side needs a
	 * pause between two writes, NICKACCEPT and what follows included. */
	host->conn_set_write_gap(conn, (unsigned)inst->opt.write_gap_ms);
	/* A whole message of the largest size, and what is pipelined behind
	 * it while the sender is paced. */
	host->conn_set_input_limit(conn, 2 * (size_t)inst->opt.max_message + NICK_READ);
	int rc = write_text(s, GREETING);
	if (rc == 0)
		s->deadline = host->conn_timer(conn, (uint64_t)inst->opt.handshake_timeout_ms, 0,
			deadline_passed, s);
	if (rc != 0) {
		host->free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int ends_with(const uint8_t *s, size_t len, const char *tail)
{
	size_t n = strlen(tail);
	return len >= n && memcmp(s + len - n, tail, n) == 0;
}

static int contains(const uint8_t *s, size_t len, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(s + i, word, n) == 0)
			return 1;
	return 0;
}

/*
 * Why a nickname is refused, or NULL (§7): only names that cannot be
 * confused with the protocol's own messages. A name that starts like a
 * package or an announcement, or ends like a notice, would make every
 * member's notice about it look like something else.
 */
static const char *nick_problem(const struct fernet_session *s, const uint8_t *nick, size_t len)
{
	if (len == 0)
		return "empty nickname";
	if (len > (size_t)s->inst->opt.max_nick)
		return "nickname too long";
	if (!pc_utf8_valid(nick, len))
		return "nickname not UTF-8";
	for (size_t i = 0; i < len; i++)
		if (nick[i] < 0x20 || nick[i] == 0x7f)
			return "control character in the nickname";
	if (contains(nick, len, "::") || nick[0] == '{' ||
	    ends_with(nick, len, JOINED_TAIL) || ends_with(nick, len, LEFT_TAIL))
		return "nickname shaped like a protocol message";
	return NULL;
}

/* "<nick><tail>" to everyone else in the room (the session itself is
 * excluded while it is bound, and unreachable once it is not). */
static void notice(struct fernet_session *s, const char *tail)
{
	const struct polychat_host *host = s->inst->host;
	char text[POLYCHAT_NAME_MAX + 32];
	int n = snprintf(text, sizeof(text), "%s%s", s->nick, tail);
	struct polychat_message msg = {
		.kind = POLYCHAT_MSG_NOTICE,
		.body_kind = POLYCHAT_BODY_PLAIN,
		.body = (const uint8_t *)text,
		.body_len = (size_t)n,
	};
	if (host->conn_identity(s->conn)) {
		struct polychat_target to = { .kind = POLYCHAT_TO_LISTENER,
			.flags = POLYCHAT_DELIVER_NO_ECHO | POLYCHAT_DELIVER_BOUND };
		host->deliver(s->conn, &to, &msg);
	} else {
		host->listener_deliver(s->inst->listener, &msg);
	}
}

static void refuse(struct fernet_session *s, const char *why)
{
	const struct polychat_host *host = s->inst->host;
	/* §7: the only refusal the original client understands. */
	write_text(s, REFUSE);
	host->log(POLYCHAT_LOG_INFO, listener_name(s), "%s: nickname refused: %s",
		host->conn_peer(s->conn), why);
	host->conn_close(s->conn, 1, "nickname refused");
}

/* The first read is the nickname (§3.2): the original client sends it
 * alone and waits for the answer. */
static long nick_input(struct fernet_session *s, const uint8_t *data, size_t len)
{
	struct fernet_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	size_t n = len < NICK_READ ? len : NICK_READ;
	const char *why = nick_problem(s, data, n);
	if (!why && inst->members >= (unsigned)inst->opt.max_members)
		why = "the room is full (max_members)";
	if (why) {
		refuse(s, why);
		return (long)len;
	}
	memcpy(s->nick, data, n);
	s->nick[n] = '\0';
	int rc = host->conn_bind(s->conn, s->nick);
	if (rc == POLYCHAT_EEXIST) {
		s->nick[0] = '\0';
		refuse(s, "nickname taken");
		return (long)len;
	}
	if (rc != 0)
		return rc;
	host->timer_stop(s->deadline);
	s->deadline = NULL;
	s->phase = FERNET_PH_MEMBER;
	inst->members++;
	pc_rate_init(&s->rate, inst->opt.max_rate, inst->opt.rate_burst, pc_monotonic_ms());
	rc = write_text(s, ACCEPT);
	if (rc != 0)
		return rc;
	notice(s, JOINED_TAIL);
	return (long)n;
}

static void slowed_down_enough(void *arg)
{
	struct fernet_session *s = arg;
	s->inst->host->conn_resume(s->conn);
}

/* Whether the member may have another message relayed now; if not,
 * input pauses until it may (nothing is dropped). */
static int rate_allows(struct fernet_session *s)
{
	const struct polychat_host *host = s->inst->host;
	uint64_t wait_ms = pc_rate_take(&s->rate, pc_monotonic_ms());
	if (wait_ms == 0)
		return 1;
	host->conn_pause(s->conn);
	if (!host->conn_timer(s->conn, wait_ms, 0, slowed_down_enough, s)) {
		host->conn_resume(s->conn);
		return 1;
	}
	if (!s->told_slowed) {
		s->told_slowed = 1;
		host->log(POLYCHAT_LOG_INFO, listener_name(s),
			"%s: sends faster than max_rate (%lld/s): reading it slower",
			host->conn_peer(s->conn), (long long)s->rate.per_s);
	}
	return 0;
}

static int accept_any(void *arg, const char *key, size_t key_len,
	const struct pc_json_value *value)
{
	(void)arg;
	(void)key;
	(void)key_len;
	(void)value;
	return 0;
}

/* Relay one message to every other member, as it came (§2). */
static int relay(struct fernet_session *s, int kind, const uint8_t *data, size_t len)
{
	const struct polychat_host *host = s->inst->host;
	struct polychat_message msg = {
		.kind = kind,
		.body_kind = POLYCHAT_BODY_OPAQUE,
		.from = s->nick,
		.body = data,
		.body_len = len,
	};
	struct polychat_target to = { .kind = POLYCHAT_TO_LISTENER,
		.flags = POLYCHAT_DELIVER_NO_ECHO | POLYCHAT_DELIVER_BOUND };
	int rc = host->deliver(s->conn, &to, &msg);
	return rc < 0 ? rc : 0;
}

/* One whole message from a member: relayed, or dropped with a log line
 * when §7 says an honest client never sends it. */
static int member_message(struct fernet_session *s, const struct fernet_msg *m,
	const uint8_t *data)
{
	const struct polychat_host *host = s->inst->host;
	const char *drop = NULL;
	if (!pc_utf8_valid(data, m->len)) {
		/* It would end every original client's receive loop. */
		drop = "not UTF-8";
	} else if (m->shape == FERNET_SHAPE_PUBKEY) {
		if (m->nick_len != strlen(s->nick) ||
		    memcmp(data + m->nick_off, s->nick, m->nick_len) != 0)
			drop = "a key announced for another nickname";
	} else if (pc_json_object(host, (const char *)data, m->len, accept_any, NULL) != 0) {
		drop = "a package that is not a JSON object";
	}
	if (drop) {
		host->log(POLYCHAT_LOG_INFO, listener_name(s), "%s: dropped %zu bytes: %s",
			host->conn_peer(s->conn), m->len, drop);
		return 0;
	}
	return relay(s, m->shape == FERNET_SHAPE_PUBKEY ? POLYCHAT_MSG_KEY : POLYCHAT_MSG_TEXT,
		data, m->len);
}

static long member_input(struct fernet_session *s, const uint8_t *data, size_t len)
{
	const struct polychat_host *host = s->inst->host;
	size_t cap = (size_t)s->inst->opt.max_message;
	struct fernet_msg m;
	int found = fernet_next(data, len, 0, &m);
	if (found == FERNET_UNKNOWN) {
		host->conn_close(s->conn, 0, "a message of no known shape");
		return (long)len;
	}
	if ((found == FERNET_INCOMPLETE && len >= cap) ||
	    (found == FERNET_COMPLETE && m.len > cap)) {
		/* The rule: a boundary not found within the bound is
		 * this connection's fault, not the room's. */
		host->conn_close(s->conn, 0, "no message boundary within max_message bytes");
		return (long)len;
	}
	if (found == FERNET_INCOMPLETE || !rate_allows(s))
		return 0;
	int rc = member_message(s, &m, data);
	return rc < 0 ? rc : (long)m.len;
}

long fernet_session_input(void *session, const uint8_t *data, size_t len)
{
	struct fernet_session *s = session;
	if (s->phase == FERNET_PH_NICK)
		return nick_input(s, data, len);
	return member_input(s, data, len);
}

int fernet_session_deliver(void *session, const struct polychat_message *msg)
{
	struct fernet_session *s = session;
	if (s->phase != FERNET_PH_MEMBER || msg->body_len == 0)
		return POLYCHAT_ENOTSUP;
	/* What members sent, byte for byte, and the server's own notices:
	 * one write each, the write gap keeping them apart. */
	return s->inst->host->conn_write(s->conn, msg->body, msg->body_len);
}

void fernet_session_close(void *session, int status)
{
	struct fernet_session *s = session;
	(void)status;
	if (s->phase == FERNET_PH_MEMBER) {
		/* §7: freed at once and announced, unlike the original. */
		s->inst->members--;
		notice(s, LEFT_TAIL);
	}
	s->inst->host->free(s);
}
