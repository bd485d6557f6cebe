/* SPDX-License-Identifier: MIT */
/* The kylochat server half: session lifecycle, handshake, input dispatch, delivery to the peer. */
#include <stddef.h>
#include <string.h>

#include "kylo-session.h"

#define KEY_BLOCKS_LEN (KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN)

/* A handshake step on the thread pool: key generation or the OAEP opening. */
struct handshake_job {
	struct kylo_session *s;
	struct kylo_server_key *key;       /* key job: the made key */
	uint8_t blocks[KEY_BLOCKS_LEN];    /* open job: the client's key blocks */
	struct kylo_keys keys;
	int rc;
};

int kylo_frame_extent(const uint8_t *data, size_t len, unsigned len_bytes,
	size_t cap, size_t *total)
{
	uint64_t flen = 0;
	if (len < len_bytes) {
		*total = 0;
		return 0;
	}
	for (unsigned i = len_bytes; i-- > 0;)
		flen = flen << 8 | data[i];
	if (flen > cap)
		return POLYCHAT_ETOOBIG;
	*total = len_bytes + (size_t)flen;
	return 0;
}

static void deadline_passed(void *arg)
{
	struct kylo_session *s = arg;
	s->deadline = NULL;
	s->inst->host->conn_close(s->conn, 0,
		s->phase <= KYLO_PH_HANDSHAKE ? "handshake timeout" : "login timeout");
}

void kylo_session_deadline(struct kylo_session *s, int64_t ms)
{
	const struct polychat_host *host = s->inst->host;
	host->timer_stop(s->deadline);
	s->deadline = ms > 0 ? host->conn_timer(s->conn, (uint64_t)ms, 0,
		deadline_passed, s) : NULL;
}

int kylo_session_message(struct kylo_session *s, const char *sender,
	const uint8_t *body, size_t len)
{
	const struct polychat_host *host = s->inst->host;
	uint8_t iv[2][KYLO_IV_LEN], *unit;
	size_t unit_len;
	int rc = host->random(iv[0], sizeof(iv));
	if (rc == 0)
		rc = kylo_unit_message(host, &s->keys, iv[0], iv[1],
			(const uint8_t *)sender, strlen(sender), body, len, &unit, &unit_len);
	if (rc != 0)
		return rc;
	rc = host->conn_write(s->conn, unit, unit_len);
	host->free(unit);
	return rc;
}

int kylo_session_broadcast(struct kylo_session *s, int kind, const char *from,
	const uint8_t *body, size_t len)
{
	const struct polychat_host *host = s->inst->host;
	struct polychat_message msg = {
		.kind = kind,
		.body_kind = POLYCHAT_BODY_PLAIN,
		.from = from,
		.body = body,
		.body_len = len,
	};
	/* A closing connection is no longer bound, so the listener-wide
	 * delivery cannot reach it; an open one excludes itself. */
	if (!host->conn_identity(s->conn))
		return host->listener_deliver(s->inst->listener, &msg);
	struct polychat_target to = { .kind = POLYCHAT_TO_LISTENER,
		.flags = POLYCHAT_DELIVER_NO_ECHO | POLYCHAT_DELIVER_BOUND };
	return host->deliver(s->conn, &to, &msg);
}

void kylo_session_exit_notice(struct kylo_session *s)
{
	uint8_t text[POLYCHAT_NAME_MAX + 32];
	size_t len;
	if (s->exit_noticed || !s->last_owner[0] ||
	    kylo_notice_exit((const uint8_t *)s->last_owner, strlen(s->last_owner),
			text, sizeof(text), &len) != 0)
		return;
	s->exit_noticed = 1;
	kylo_session_broadcast(s, POLYCHAT_MSG_NOTICE, NULL, text, len);
}

/* A 1.0/1.1 core has no CPU class: its plain jobs will do. */
static int start_job(struct kylo_session *s, polychat_work_fn *work,
	polychat_done_fn *done, void *job, int cpu)
{
	const struct polychat_host *host = s->inst->host;
	if (cpu && host->size > offsetof(struct polychat_host, conn_job_cpu))
		return host->conn_job_cpu(s->conn, work, done, job);
	return host->conn_job(s->conn, work, done, job);
}

static int session_job(struct kylo_session *s, polychat_work_fn *work,
	polychat_done_fn *done, void *job, int cpu)
{
	const struct polychat_host *host = s->inst->host;
	host->conn_pause(s->conn);
	int rc = start_job(s, work, done, job, cpu);
	if (rc != 0) {
		host->conn_resume(s->conn);
		if (rc != POLYCHAT_ECLOSED)
			host->conn_close(s->conn, 0, "cannot start a job");
	}
	return rc;
}

int kylo_session_job(struct kylo_session *s, polychat_work_fn *work,
	polychat_done_fn *done, void *job)
{
	return session_job(s, work, done, job, 0);
}

int kylo_session_job_cpu(struct kylo_session *s, polychat_work_fn *work,
	polychat_done_fn *done, void *job)
{
	return session_job(s, work, done, job, 1);
}

static int send_hello(struct kylo_session *s)
{
	s->phase = KYLO_PH_HANDSHAKE;
	/* The client's clock starts with the hello, not with our key wait. */
	kylo_session_deadline(s, s->inst->opt.handshake_timeout_ms);
	/* The original client reads the PEM with one recv(): one write. */
	return s->inst->host->conn_write(s->conn, s->key->hello, s->key->hello_len);
}

static void key_work(void *arg)
{
	struct handshake_job *job = arg;
	job->key = kylo_server_key_generate(job->s->inst->host);
}

static void key_done(void *arg, int status)
{
	struct handshake_job *job = arg;
	struct kylo_session *s = job->s;
	const struct polychat_host *host = s->inst->host;
	if (status == 0 && job->key) {
		s->key = job->key;
		if (send_hello(s) == 0)
			host->conn_resume(s->conn);
	} else {
		kylo_server_key_unref(host, job->key);
		host->conn_close(s->conn, 0, "no RSA key for the handshake");
	}
	host->free(job);
}

/* No shared key to be had: this connection makes one on the thread pool
 * (the input is paused meanwhile). */
static int make_own_key(struct kylo_session *s)
{
	const struct polychat_host *host = s->inst->host;
	struct handshake_job *job = host->calloc(1, sizeof(*job));
	if (!job)
		return POLYCHAT_ENOMEM;
	job->s = s;
	int rc = start_job(s, key_work, key_done, job, 1);
	if (rc != 0)
		host->free(job);
	return rc;
}

/* The listener's first rotating key is made, or could not be. */
static void key_arrived(struct kylo_key_waiter *w, struct kylo_server_key *key)
{
	struct kylo_session *s = (struct kylo_session *)((char *)w -
		offsetof(struct kylo_session, key_waiter));
	const struct polychat_host *host = s->inst->host;
	if (!key) {
		if (make_own_key(s) != 0)
			host->conn_close(s->conn, 0, "no RSA key for the handshake");
		return;
	}
	s->key = key;
	if (send_hello(s) == 0)
		host->conn_resume(s->conn);
}

int kylo_session_open(void *instance, struct polychat_conn *conn, void **out)
{
	struct kylo_instance *inst = instance;
	const struct polychat_host *host = inst->host;
	struct kylo_session *s = host->calloc(1, sizeof(*s));
	if (!s)
		return POLYCHAT_ENOMEM;
	s->inst = inst;
	s->conn = conn;
	/* Room for one frame of the largest accepted size, plus whatever the
	 * peer pipelines behind it while a job runs. */
	host->conn_set_input_limit(conn, 2 * ((size_t)inst->opt.max_frame + KYLO_INT));

	s->key = kylo_keypool_take(inst->keys);
	s->key_waiter.ready = key_arrived;
	int rc = 0;
	if (s->key) {
		rc = send_hello(s);
	} else {
		s->phase = KYLO_PH_KEY;
		host->conn_pause(conn);
		if (!kylo_keypool_wait(inst->keys, &s->key_waiter))
			rc = make_own_key(s);
	}
	if (rc != 0) {
		kylo_keypool_unwait(&s->key_waiter);
		host->timer_stop(s->deadline);
		kylo_server_key_unref(host, s->key);
		host->free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void open_work(void *arg)
{
	struct handshake_job *job = arg;
	job->rc = kylo_handshake_open(job->key->pkey, job->blocks, KYLO_KEYBLOCK1_LEN,
		job->blocks + KYLO_KEYBLOCK1_LEN, KYLO_KEYBLOCK2_LEN, &job->keys);
}

static void open_done(void *arg, int status)
{
	struct handshake_job *job = arg;
	struct kylo_session *s = job->s;
	struct kylo_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	if (status == 0 && job->rc == 0) {
		s->keys = job->keys;
		/* The private key is not needed any more: a fresh one dies
		 * with its last connection. */
		kylo_server_key_unref(host, s->key);
		s->key = NULL;
		s->phase = KYLO_PH_USERNAME;
		kylo_session_deadline(s, inst->opt.login_timeout_ms);
		host->conn_resume(s->conn);
	} else {
		/* §4.1: any handshake failure closes without a word. */
		host->conn_close(s->conn, 0, "bad key blocks");
	}
	kylo_keys_wipe(host, &job->keys);
	host->free(job);
}

static long handshake_input(struct kylo_session *s, const uint8_t *data, size_t len)
{
	const struct polychat_host *host = s->inst->host;
	if (len < KEY_BLOCKS_LEN)
		return 0;
	struct handshake_job *job = host->calloc(1, sizeof(*job));
	if (!job)
		return POLYCHAT_ENOMEM;
	job->s = s;
	job->key = s->key;
	memcpy(job->blocks, data, KEY_BLOCKS_LEN);
	if (kylo_session_job(s, open_work, open_done, job) != 0)
		host->free(job);
	return KEY_BLOCKS_LEN;
}

/* One length-prefixed frame of the login or chat phase. */
static long frame_input(struct kylo_session *s, const uint8_t *data, size_t len)
{
	const struct kylo_options *opt = &s->inst->opt;
	int chat = s->phase == KYLO_PH_CHAT;
	unsigned kind = chat ? KYLO_INT : KYLO_SHORT;
	size_t total;
	if (kylo_frame_extent(data, len, kind,
			(size_t)(chat ? opt->max_frame : opt->max_login_frame), &total) != 0) {
		/* §9: absurd lengths close without being read. */
		s->inst->host->conn_close(s->conn, 0, "frame length over the limit");
		return (long)len;
	}
	if (total == 0 || len < total)
		return 0;
	int rc = chat ? kylo_chat_frame(s, data, total) : kylo_login_frame(s, data, total);
	return rc < 0 ? rc : (long)total;
}

long kylo_session_input(void *session, const uint8_t *data, size_t len)
{
	struct kylo_session *s = session;
	switch (s->phase) {
	case KYLO_PH_KEY:
		return 0;
	case KYLO_PH_HANDSHAKE:
		return handshake_input(s, data, len);
	case KYLO_PH_USERNAME:
	case KYLO_PH_PASSWORD:
	case KYLO_PH_CHAT:
		return frame_input(s, data, len);
	}
	return POLYCHAT_EINVAL;
}

int kylo_session_deliver(void *session, const struct polychat_message *msg)
{
	struct kylo_session *s = session;
	/* MESSAGE units carry text; a suite's key material or files have no
	 * place in this protocol, and an empty body no frame. */
	if (s->phase != KYLO_PH_CHAT || msg->body_kind != POLYCHAT_BODY_PLAIN ||
	    (msg->kind != POLYCHAT_MSG_TEXT && msg->kind != POLYCHAT_MSG_NOTICE) ||
	    msg->body_len == 0)
		return POLYCHAT_ENOTSUP;
	return kylo_session_message(s, msg->from ? msg->from : KYLO_SERVER_NAME,
		msg->body, msg->body_len);
}

void kylo_session_shutdown(void *session)
{
	static const char bye[] = "Server is shutting down. Goodbye!";
	struct kylo_session *s = session;
	if (s->phase != KYLO_PH_CHAT)
		return;
	s->exit_noticed = 1; /* everyone is told the same, once */
	kylo_session_message(s, KYLO_SERVER_NAME, (const uint8_t *)bye, sizeof(bye) - 1);
}

void kylo_session_close(void *session, int status)
{
	struct kylo_session *s = session;
	const struct polychat_host *host = s->inst->host;
	(void)status;
	/* §4.4 step 1: a session that ends on errors or EOF tells the others
	 * if a token was parsed on it. */
	if (s->phase == KYLO_PH_CHAT)
		kylo_session_exit_notice(s);
	if (s->prevp) {
		*s->prevp = s->next;
		if (s->next)
			s->next->prevp = s->prevp;
	}
	kylo_keypool_unwait(&s->key_waiter);
	kylo_server_key_unref(host, s->key);
	kylo_keys_wipe(host, &s->keys);
	host->free(s);
}
