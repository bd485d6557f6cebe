/* SPDX-License-Identifier: MIT */
/* The pychat server half: session lifecycle, handshake, framing of the input. */
#include <string.h>
#include <time.h>

#include "pychat-session.h"

/* A Diffie-Hellman step on the thread pool: our key, or the shared one. */
struct dh_job {
	struct pychat_session *s;
	struct pychat_dh dh;               /* keygen: the made key */
	char peer[PYCHAT_DH_DIGITS + 1];   /* derive: the client's value */
	size_t peer_len;
	uint8_t key[PYCHAT_KEY_LEN];
	int rc;
};

void pychat_now_date(char out[32])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	pychat_date((int64_t)ts.tv_sec, ts.tv_nsec / 1000, out);
}

int pychat_session_send(struct pychat_session *s, const char *dhost, const char *typ,
	const char *cont, size_t cont_len, int cont_type)
{
	const struct polychat_host *host = s->inst->host;
	const char *me = host->conn_local_ip(s->conn);
	char date[32];
	pychat_now_date(date);
	struct pychat_envelope env = {
		.shost = me, .shost_len = strlen(me),
		.dhost = dhost, .dhost_len = strlen(dhost),
		.username = PYCHAT_SERVER_NAME, .username_len = strlen(PYCHAT_SERVER_NAME),
		.date = date, .date_len = strlen(date),
		.cont = cont, .cont_len = cont_len, .cont_type = cont_type,
		.typ = typ, .typ_len = strlen(typ),
		/* §5: true only in the help reply, the one non-string cont. */
		.should_parse = cont_type != PC_JSON_STRING,
	};
	unsigned flags = s->inst->opt.pad ? PYCHAT_FRAME_PAD : 0;
	uint8_t *frame;
	size_t len;
	int rc = s->phase == PYCHAT_PH_CHAT ?
		pychat_frame_sealed(host, s->key, s->iv, &env, flags, &frame, &len) :
		pychat_frame_clear(host, &env, flags, &frame, &len);
	if (rc != 0)
		return rc;
	/* One write per frame; the write gap keeps two frames apart (§2.1). */
	rc = host->conn_write(s->conn, frame, len);
	host->wipe_free(frame, len);
	return rc;
}

static void slowed_down_enough(void *arg)
{
	struct pychat_session *s = arg;
	s->slowed = NULL;
	s->inst->host->conn_resume(s->conn);
}

/*
 * Whether the client may have another frame handled now (§10: rate-limit
 * messages per connection). If not, input pauses until the bucket has a
 * token again: the frame stays buffered, TCP slows the sender down, and
 * nothing is lost, while one flooding member cannot fill every other
 * member's output (each takes at most one frame per write gap).
 */
static int rate_allows(struct pychat_session *s)
{
	const struct polychat_host *host = s->inst->host;
	uint64_t wait_ms = pc_rate_take(&s->rate, pc_monotonic_ms());
	if (wait_ms == 0)
		return 1;
	host->conn_pause(s->conn);
	s->slowed = host->conn_timer(s->conn, wait_ms, 0, slowed_down_enough, s);
	if (!s->slowed) {
		/* Closing, or out of memory: never leave the input stuck. */
		host->conn_resume(s->conn);
		return 1;
	}
	if (!s->told_slowed) {
		s->told_slowed = 1;
		host->log(POLYCHAT_LOG_INFO, host->listener_name(s->inst->listener),
			"%s: sends faster than max_rate (%lld/s): reading it slower",
			host->conn_peer(s->conn), (long long)s->rate.per_s);
	}
	return 0;
}

static void deadline_passed(void *arg)
{
	struct pychat_session *s = arg;
	s->deadline = NULL;
	s->inst->host->conn_close(s->conn, 0, "handshake timeout");
}

/* Run `work` on the thread pool with input paused; `done` resumes. */
static int start_job(struct pychat_session *s, polychat_work_fn *work,
	polychat_done_fn *done, struct dh_job *job)
{
	const struct polychat_host *host = s->inst->host;
	host->conn_pause(s->conn);
	int rc = host->conn_job(s->conn, work, done, job);
	if (rc != 0)
		host->conn_resume(s->conn);
	return rc;
}

static void keygen_work(void *arg)
{
	struct dh_job *job = arg;
	job->rc = pychat_dh_generate(&job->dh);
}

static void keygen_done(void *arg, int status)
{
	struct dh_job *job = arg;
	struct pychat_session *s = job->s;
	const struct polychat_host *host = s->inst->host;
	if (status == 0 && job->rc == 0) {
		s->dh = job->dh;
		s->phase = PYCHAT_PH_KEY;
		/* The second frame: the client takes it as the server's value
		 * whatever its type says (§6.1). */
		if (pychat_session_send(s, host->conn_peer_ip(s->conn), PYCHAT_T_KEY,
			    s->dh.pub, s->dh.pub_len, PC_JSON_STRING) == 0)
			host->conn_resume(s->conn);
		else
			host->conn_close(s->conn, 0, "cannot send key_exc");
	} else {
		pychat_dh_clear(&job->dh);
		host->conn_close(s->conn, 0, "no Diffie-Hellman key for the handshake");
	}
	host->wipe_free(job, sizeof(*job));
}

int pychat_session_open(void *instance, struct polychat_conn *conn, void **out)
{
	struct pychat_instance *inst = instance;
	const struct polychat_host *host = inst->host;
	struct pychat_session *s = host->calloc(1, sizeof(*s));
	struct dh_job *job = host->calloc(1, sizeof(*job));
	int rc = s && job ? 0 : POLYCHAT_ENOMEM;
	if (rc == 0) {
		s->inst = inst;
		s->conn = conn;
		s->phase = PYCHAT_PH_KEYGEN;
		job->s = s;
		host->conn_set_write_gap(conn, (unsigned)inst->opt.write_gap_ms);
		/* One whole frame of the largest size, and what is pipelined
		 * behind it while a job runs. */
		host->conn_set_input_limit(conn, 2 * (PYCHAT_HEADER_LEN + (size_t)inst->opt.max_frame));
		rc = host->random(s->iv, sizeof(s->iv));
	}
	if (rc == 0) {
		char iv64[PYCHAT_IV_B64_LEN];
		pc_b64_encode(s->iv, sizeof(s->iv), iv64);
		rc = pychat_session_send(s, host->conn_peer_ip(conn), PYCHAT_T_IV, iv64,
			sizeof(iv64), PC_JSON_STRING);
	}
	if (rc == 0)
		rc = start_job(s, keygen_work, keygen_done, job);
	if (rc == 0) {
		s->deadline = host->conn_timer(conn, (uint64_t)inst->opt.handshake_timeout_ms, 0,
			deadline_passed, s);
		inst->sessions++;
		*out = s;
		return 0;
	}
	host->free(job);
	host->free(s);
	return rc;
}

static void derive_work(void *arg)
{
	struct dh_job *job = arg;
	job->rc = pychat_dh_derive(&job->s->dh, job->peer, job->peer_len, job->key);
}

static void derive_done(void *arg, int status)
{
	struct dh_job *job = arg;
	struct pychat_session *s = job->s;
	const struct polychat_host *host = s->inst->host;
	if (status == 0 && job->rc == 0) {
		memcpy(s->key, job->key, sizeof(s->key));
		/* Our exponent is of no use any more: forget it now. */
		pychat_dh_clear(&s->dh);
		host->timer_stop(s->deadline);
		s->deadline = NULL;
		s->phase = PYCHAT_PH_CHAT;
		pc_rate_init(&s->rate, s->inst->opt.max_rate, s->inst->opt.rate_burst,
			pc_monotonic_ms());
		host->conn_resume(s->conn);
	} else {
		host->conn_close(s->conn, 0, job->rc == POLYCHAT_EPROTO ?
			"Diffie-Hellman value out of range" : "cannot derive the key");
	}
	host->wipe_free(job, sizeof(*job));
}

/* The client's key_exc, the one clear frame it sends. */
static int key_frame(struct pychat_session *s, const uint8_t *payload, size_t len)
{
	const struct polychat_host *host = s->inst->host;
	struct pychat_envelope env;
	int rc = pychat_open_clear(host, payload, len, 0, &env);
	if (rc == POLYCHAT_EPROTO || (rc == 0 && strcmp(env.typ, PYCHAT_T_KEY) != 0) ||
	    (rc == 0 && env.cont_len > PYCHAT_DH_DIGITS)) {
		if (rc == 0)
			pychat_envelope_free(host, &env);
		/* §6.1: nothing but key_exc can come first. */
		host->conn_close(s->conn, 0, "expected key_exc");
		return 0;
	}
	if (rc != 0)
		return rc;
	struct dh_job *job = host->calloc(1, sizeof(*job));
	if (!job) {
		pychat_envelope_free(host, &env);
		return POLYCHAT_ENOMEM;
	}
	job->s = s;
	memcpy(job->peer, env.cont, env.cont_len);
	job->peer_len = env.cont_len;
	pychat_envelope_free(host, &env);
	s->phase = PYCHAT_PH_DERIVE;
	rc = start_job(s, derive_work, derive_done, job);
	if (rc != 0)
		host->free(job);
	return rc == POLYCHAT_ECLOSED ? 0 : rc;
}

/* An encrypted frame of a keyed session. */
static int chat_frame(struct pychat_session *s, const uint8_t *payload, size_t len)
{
	const struct polychat_host *host = s->inst->host;
	struct pychat_envelope env;
	/* The server always decrypts once keyed (§6.1), whatever the text
	 * mentions. */
	int rc = pychat_open_sealed(host, s->key, s->iv, payload, len, 0, &env);
	if (rc == POLYCHAT_EPROTO) {
		/* §8: a frame that does not decrypt to an envelope (tampering,
		 * a wrong key, garbage) ends the connection, with the leave
		 * notice. */
		host->conn_close(s->conn, 0, "frame does not decrypt to an envelope");
		return 0;
	}
	if (rc != 0)
		return rc;
	rc = pychat_room_frame(s, &env);
	pychat_envelope_free(host, &env);
	return rc;
}

long pychat_session_input(void *session, const uint8_t *data, size_t len)
{
	struct pychat_session *s = session;
	const struct polychat_host *host = s->inst->host;
	size_t n;
	if (len < PYCHAT_HEADER_LEN)
		return 0;
	int rc = pychat_header_parse(data, (size_t)s->inst->opt.max_frame, &n);
	if (rc != 0) {
		host->conn_close(s->conn, 0, rc == POLYCHAT_ETOOBIG ?
			"frame length over the limit" : "bad frame header");
		return (long)len;
	}
	if (len - PYCHAT_HEADER_LEN < n)
		return 0;
	const uint8_t *payload = data + PYCHAT_HEADER_LEN;
	switch (s->phase) {
	case PYCHAT_PH_KEY:
		rc = key_frame(s, payload, n);
		break;
	case PYCHAT_PH_CHAT:
		if (!rate_allows(s))
			return 0;
		rc = chat_frame(s, payload, n);
		break;
	case PYCHAT_PH_KEYGEN:
	case PYCHAT_PH_DERIVE:
		/* Input is paused in these phases. */
		return 0;
	}
	return rc < 0 ? rc : (long)(PYCHAT_HEADER_LEN + n);
}

void pychat_session_close(void *session, int status)
{
	struct pychat_session *s = session;
	struct pychat_instance *inst = s->inst;
	(void)status;
	/* Only connections that finished the key exchange are announced: a
	 * bare TCP connect (a port scan, a timed-out handshake) is nobody
	 * the room knew. */
	if (s->phase == PYCHAT_PH_CHAT)
		pychat_room_leave_notice(s);
	pychat_dh_clear(&s->dh);
	if (--inst->sessions == 0 && inst->log.text) {
		pychat_log_clear(inst);
		inst->host->log(POLYCHAT_LOG_DEBUG, inst->host->listener_name(inst->listener),
			"last connection gone: chat log wiped");
	}
	inst->host->wipe_free(s, sizeof(*s));
}
