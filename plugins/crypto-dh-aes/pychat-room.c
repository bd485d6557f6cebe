/* SPDX-License-Identifier: MIT */
/* The pychat room: usernames, relay to the others, the chat log for export, help, leave notices (pychat.md §6.2-§7). */
#include <stdio.h>
#include <string.h>

#include "pychat-session.h"

#define LEAVE_TEXT_FMT "[%s] has left the chat"
#define NEVER_REGISTERED "None"
#define ALL_HOSTS "allhosts"

/* --- the chat log --- */

void pychat_log_clear(struct pychat_instance *inst)
{
	inst->host->wipe_free(inst->log.text, inst->log.cap);
	memset(&inst->log, 0, sizeof(inst->log));
}

/* Append `cont` and a newline, dropping the oldest whole lines while the
 * log would exceed export_max; a line longer than the cap is not kept. */
static void log_append(struct pychat_instance *inst, const char *cont, size_t len)
{
	const struct polychat_host *host = inst->host;
	struct pychat_log *log = &inst->log;
	size_t cap = (size_t)inst->opt.export_max;
	if (len + 1 > cap)
		return;
	size_t drop = 0;
	while (log->len - drop + len + 1 > cap) {
		const char *nl = memchr(log->text + drop, '\n', log->len - drop);
		drop = nl ? (size_t)(nl - log->text) + 1 : log->len;
	}
	if (drop > 0) {
		memmove(log->text, log->text + drop, log->len - drop);
		host->wipe(log->text + log->len - drop, drop);
		log->len -= drop;
	}
	if (log->cap - log->len < len + 1) {
		size_t want = log->len + len + 1, grown_cap = log->cap ? log->cap : 1024;
		while (grown_cap < want)
			grown_cap *= 2;
		if (grown_cap > cap)
			grown_cap = cap;
		char *grown = host->alloc(grown_cap);
		if (!grown)
			return;
		if (log->text)
			memcpy(grown, log->text, log->len);
		host->wipe_free(log->text, log->cap);
		log->text = grown;
		log->cap = grown_cap;
	}
	memcpy(log->text + log->len, cont, len);
	log->text[log->len + len] = '\n';
	log->len += len + 1;
}

/* --- the sender's envelope members travelling with a relayed message --- */

/* `extra` of a relayed message: shost, dhost, date and typ, each as a
 * 4-byte length and its bytes (they may contain NUL). */
#define EXTRA_FIELDS 4

static int extra_pack(const struct polychat_host *host, const struct pychat_envelope *env,
	uint8_t **out, size_t *out_len)
{
	const char *field[EXTRA_FIELDS] = { env->shost, env->dhost, env->date, env->typ };
	size_t len[EXTRA_FIELDS] = { env->shost_len, env->dhost_len, env->date_len, env->typ_len };
	size_t total = 0;
	for (int i = 0; i < EXTRA_FIELDS; i++)
		total += 4 + len[i];
	uint8_t *p = host->alloc(total);
	if (!p)
		return POLYCHAT_ENOMEM;
	*out = p;
	*out_len = total;
	for (int i = 0; i < EXTRA_FIELDS; i++) {
		uint32_t n = (uint32_t)len[i];
		memcpy(p, &n, 4);
		memcpy(p + 4, field[i], len[i]);
		p += 4 + len[i];
	}
	return 0;
}

/* Fill env's shost, dhost, date and typ from `extra` (borrowed). */
static int extra_unpack(const uint8_t *extra, size_t len, struct pychat_envelope *env)
{
	const char **field[EXTRA_FIELDS] = { &env->shost, &env->dhost, &env->date, &env->typ };
	size_t *flen[EXTRA_FIELDS] = { &env->shost_len, &env->dhost_len, &env->date_len,
		&env->typ_len };
	for (int i = 0; i < EXTRA_FIELDS; i++) {
		uint32_t n;
		if (len < 4)
			return POLYCHAT_EINVAL;
		memcpy(&n, extra, 4);
		if (len - 4 < n)
			return POLYCHAT_EINVAL;
		*field[i] = (const char *)extra + 4;
		*flen[i] = n;
		extra += 4 + n;
		len -= 4 + n;
	}
	return 0;
}

/* --- incoming frames --- */

/* §10: names the room could confuse with the server or that the core
 * cannot hold as an identity are refused like a taken one, the only
 * refusal the original client understands. */
static int name_acceptable(const struct pychat_session *s, const char *name, size_t len)
{
	if (len == 0 || len > (size_t)s->inst->opt.max_name || strcmp(name, PYCHAT_SERVER_NAME) == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

static int setuser(struct pychat_session *s, const struct pychat_envelope *env)
{
	const struct polychat_host *host = s->inst->host;
	const char *me = host->conn_local_ip(s->conn);
	int taken = !name_acceptable(s, env->cont, env->cont_len);
	if (!taken) {
		/* conn_bind compares byte for byte, as the original does. */
		int rc = host->conn_bind(s->conn, env->cont);
		if (rc == POLYCHAT_EEXIST || rc == POLYCHAT_EINVAL)
			taken = 1;
		else if (rc != 0)
			return rc;
	}
	if (taken)
		return pychat_session_send(s, me, PYCHAT_T_TAKEN, PYCHAT_TAKEN_TEXT,
			strlen(PYCHAT_TAKEN_TEXT), PC_JSON_STRING);
	memcpy(s->name, env->cont, env->cont_len + 1);
	return pychat_session_send(s, me, PYCHAT_T_APPROVED, PYCHAT_APPROVED_TEXT,
		strlen(PYCHAT_APPROVED_TEXT), PC_JSON_STRING);
}

/* Send the message to every other registered session (§6.3), each
 * re-encrypted under its own key by pychat_session_deliver. */
static int relay(struct pychat_session *s, const struct pychat_envelope *env)
{
	const struct polychat_host *host = s->inst->host;
	struct polychat_message msg = {
		.kind = POLYCHAT_MSG_TEXT,
		.body_kind = POLYCHAT_BODY_PLAIN,
		/* §10: the registered name, not whatever the frame claims. */
		.from = s->name,
		.body = (const uint8_t *)env->cont,
		.body_len = env->cont_len,
	};
	uint8_t *extra;
	int rc = extra_pack(host, env, &extra, &msg.extra_len);
	if (rc != 0)
		return rc;
	msg.extra = extra;
	struct polychat_target to = { .kind = POLYCHAT_TO_LISTENER,
		.flags = POLYCHAT_DELIVER_NO_ECHO | POLYCHAT_DELIVER_BOUND };
	rc = host->deliver(s->conn, &to, &msg);
	host->free(extra);
	return rc < 0 ? rc : 0;
}

int pychat_room_frame(struct pychat_session *s, const struct pychat_envelope *env)
{
	struct pychat_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	const char *me = host->conn_local_ip(s->conn);
	if (strcmp(env->typ, PYCHAT_T_SETUSER) == 0)
		return setuser(s, env);
	if (strcmp(env->typ, PYCHAT_T_KEY) == 0) {
		/* The exchange happens once per connection (§6.1). */
		host->conn_close(s->conn, 0, "second key_exc");
		return 0;
	}
	/* §6.3 step 3, and §10: nothing is relayed or logged before the
	 * connection has a name. */
	if (env->cont_len == 0 || !s->name[0])
		return 0;
	if (strcmp(env->typ, PYCHAT_T_EXPORT) == 0)
		return pychat_session_send(s, me, PYCHAT_T_EXPORT,
			inst->log.text ? inst->log.text : "", inst->log.len, PC_JSON_STRING);
	if (strcmp(env->typ, PYCHAT_T_HELP) == 0)
		return pychat_session_send(s, me, PYCHAT_T_HELP, PYCHAT_HELP_OBJECT,
			strlen(PYCHAT_HELP_OBJECT), PC_JSON_OBJECT);
	if (strcmp(env->typ, PYCHAT_T_DEFAULT) == 0)
		log_append(inst, env->cont, env->cont_len);
	return relay(s, env);
}

void pychat_room_leave_notice(struct pychat_session *s)
{
	const struct polychat_host *host = s->inst->host;
	char text[sizeof(LEAVE_TEXT_FMT) + POLYCHAT_NAME_MAX];
	int n = snprintf(text, sizeof(text), LEAVE_TEXT_FMT, s->name[0] ? s->name : NEVER_REGISTERED);
	struct polychat_message msg = {
		.kind = POLYCHAT_MSG_NOTICE,
		.body_kind = POLYCHAT_BODY_PLAIN,
		.body = (const uint8_t *)text,
		.body_len = (size_t)n,
	};
	/* The closing connection is no longer bound, so it is not among the
	 * recipients. */
	host->listener_deliver(s->inst->listener, &msg);
}

/* --- outgoing --- */

int pychat_session_deliver(void *session, const struct polychat_message *msg)
{
	struct pychat_session *s = session;
	const struct polychat_host *host = s->inst->host;
	if (s->phase != PYCHAT_PH_CHAT || !s->name[0] || msg->body_kind != POLYCHAT_BODY_PLAIN ||
	    (msg->kind != POLYCHAT_MSG_TEXT && msg->kind != POLYCHAT_MSG_NOTICE))
		return POLYCHAT_ENOTSUP;
	/* A system notice (leave, or the core's own) comes from *server* to
	 * allhosts (§5). */
	if (!msg->from)
		return pychat_session_send(s, ALL_HOSTS, PYCHAT_T_DEFAULT, (const char *)msg->body,
			msg->body_len, PC_JSON_STRING);
	struct pychat_envelope env = {
		.username = msg->from, .username_len = strlen(msg->from),
		.cont = (const char *)msg->body, .cont_len = msg->body_len,
		.cont_type = PC_JSON_STRING,
	};
	char date[32];
	if (!msg->extra || extra_unpack(msg->extra, msg->extra_len, &env) != 0) {
		/* Not from a pychat peer: describe it as a chat line. */
		env.shost = host->conn_local_ip(s->conn);
		env.shost_len = strlen(env.shost);
		env.dhost = ALL_HOSTS;
		env.dhost_len = strlen(ALL_HOSTS);
		pychat_now_date(date);
		env.date = date;
		env.date_len = strlen(date);
		env.typ = PYCHAT_T_DEFAULT;
		env.typ_len = strlen(PYCHAT_T_DEFAULT);
	}
	uint8_t *frame;
	size_t len;
	int rc = pychat_frame_sealed(host, s->key, s->iv, &env,
		s->inst->opt.pad ? PYCHAT_FRAME_PAD : 0, &frame, &len);
	if (rc != 0)
		return rc;
	rc = host->conn_write(s->conn, frame, len);
	host->wipe_free(frame, len);
	return rc;
}
