/* SPDX-License-Identifier: MIT */
/* The kylochat login dialogue (§4.2, §4.3): username and password steps, tokens, admission. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kylo-session.h"
#include "kylo-text.h"

/* A login step on the thread pool. */
struct login_job {
	struct kylo_session *s;
	char subject[POLYCHAT_NAME_MAX + 1]; /* password step: the name to verify */
	uint8_t *secret;                     /* the password (wiped) or NULL */
	size_t secret_len;
	char peer_ip[POLYCHAT_ADDR_MAX + 1];
	/* results */
	int rc;
	struct polychat_account acct;        /* username step */
	char token[KYLO_UUID_LEN + 1];       /* password step */
};

static void login_failed(struct kylo_session *s, const char *why)
{
	struct kylo_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	static const uint8_t failed = KYLO_LOGIN_FAILED;

	s->failed_logins++;
	host->log(POLYCHAT_LOG_NOTICE, host->listener_name(inst->listener),
		"failed login attempt %u from %s: %s", s->failed_logins,
		host->conn_peer(s->conn), why);
	host->conn_write(s->conn, &failed, 1);
	if (inst->opt.login_attempts > 0 &&
	    s->failed_logins >= (uint64_t)inst->opt.login_attempts) {
		host->conn_close(s->conn, 1, "too many failed logins");
		return;
	}
	s->phase = KYLO_PH_USERNAME;
	kylo_session_deadline(s, inst->opt.login_timeout_ms);
}

/* §4.3: the typed name becomes the session's identity, unless taken. */
static void admit(struct kylo_session *s, const char *token)
{
	struct kylo_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	const char *listener = host->listener_name(inst->listener);
	int rc = host->conn_bind(s->conn, s->typed);

	if (rc == POLYCHAT_ECLOSED)
		return;
	if (rc == POLYCHAT_EEXIST) {
		static const char server[] = KYLO_SERVER_NAME;
		static const char taken[] = "Username already connected";
		uint8_t iv[2][KYLO_IV_LEN];
		uint8_t out[2 * (KYLO_INT + KYLO_FRAME_MIN + KYLO_BLOCK_LEN)];
		size_t a, b;
		/* No type byte in front: the original writes these two
		 * frames bare, then closes. */
		if (host->random(iv[0], sizeof(iv)) == 0 &&
		    kylo_frame_seal(&s->keys, KYLO_SHORT, iv[0], (const uint8_t *)server,
				sizeof(server) - 1, out, sizeof(out), &a) == 0 &&
		    kylo_frame_seal(&s->keys, KYLO_INT, iv[1], (const uint8_t *)taken,
				sizeof(taken) - 1, out + a, sizeof(out) - a, &b) == 0)
			host->conn_write(s->conn, out, a + b);
		host->conn_close(s->conn, 1, "user already connected");
		return;
	}
	if (rc != 0) {
		host->conn_close(s->conn, 0, "cannot bind the session's name");
		return;
	}

	host->timer_stop(s->deadline);
	s->deadline = NULL;
	s->phase = KYLO_PH_CHAT;
	s->next = inst->sessions;
	if (s->next)
		s->next->prevp = &s->next;
	s->prevp = &inst->sessions;
	inst->sessions = s;
	/* The token is a bearer credential: the log shows its first 14
	 * characters only, as the original does. */
	host->log(POLYCHAT_LOG_INFO, listener, "'%s' logged in from %s (token %.14s%s)",
		s->typed, host->conn_peer(s->conn), token, "**********************");

	uint8_t text[POLYCHAT_NAME_MAX + 32];
	size_t len;
	if (kylo_notice_login((const uint8_t *)s->typed, strlen(s->typed), text,
			sizeof(text), &len) == 0)
		kylo_session_broadcast(s, POLYCHAT_MSG_NOTICE, NULL, text, len);
}

static void free_job(const struct polychat_host *host, struct login_job *job)
{
	host->wipe_free(job->secret, job->secret_len);
	host->wipe(job, sizeof(*job));
	host->free(job);
}

static void username_work(void *arg)
{
	struct login_job *job = arg;
	struct kylo_instance *inst = job->s->inst;
	job->rc = inst->store->ops->account_get(inst->store->db, inst->realm,
		job->subject, POLYCHAT_LOOKUP_FOLD, &job->acct);
}

static void username_done(void *arg, int status)
{
	struct login_job *job = arg;
	struct kylo_session *s = job->s;
	struct kylo_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	static const uint8_t ok = KYLO_LOGIN_OK;

	if (status != 0) {
		host->conn_close(s->conn, 0, "shutting down");
	} else if (job->rc != 0 && job->rc != POLYCHAT_ENOTFOUND && job->rc != POLYCHAT_EINVAL) {
		host->log(POLYCHAT_LOG_ERROR, host->listener_name(inst->listener),
			"account lookup failed: %s", polychat_strerror(job->rc));
		host->conn_close(s->conn, 0, "store unavailable");
	} else {
		s->user_known = job->rc == 0 &&
			!(job->acct.flags & POLYCHAT_ACCOUNT_BANNED);
		if (s->user_known)
			memcpy(s->stored, job->acct.name, sizeof(s->stored));
		if (s->user_known || inst->opt.hide_unknown_users) {
			host->conn_write(s->conn, &ok, 1);
			s->phase = KYLO_PH_PASSWORD;
			kylo_session_deadline(s, inst->opt.login_timeout_ms);
		} else {
			login_failed(s, job->rc == 0 ? "banned user" : "invalid username");
		}
		host->conn_resume(s->conn);
	}
	free_job(host, job);
}

static void password_work(void *arg)
{
	struct login_job *job = arg;
	struct kylo_instance *inst = job->s->inst;
	const struct polychat_host *host = inst->host;
	const struct polychat_store_ref *store = inst->store;

	job->rc = inst->auth->ops->verify(inst->auth->instance, inst->realm,
		job->subject, job->secret, job->secret_len);
	if (job->rc != 0)
		return;

	uint8_t rnd[16];
	int64_t now = (int64_t)time(NULL);
	job->rc = host->random(rnd, sizeof(rnd));
	if (job->rc != 0)
		return;
	kylo_uuid4_format(rnd, job->token);
	struct polychat_token tok = {
		.issued_at = now,
		.expires_at = now + inst->opt.token_ttl,
	};
	memcpy(tok.token, job->token, sizeof(job->token));
	snprintf(tok.realm, sizeof(tok.realm), "%s", inst->realm);
	snprintf(tok.name, sizeof(tok.name), "%s", job->subject);
	job->rc = store->ops->token_put(store->db, &tok);
	if (job->rc != 0)
		return;

	/* What the original keeps of a login: its address (never fatal). */
	struct polychat_audit rec = { .at = now };
	snprintf(rec.realm, sizeof(rec.realm), "%s", inst->realm);
	snprintf(rec.name, sizeof(rec.name), "%s", job->subject);
	snprintf(rec.event, sizeof(rec.event), "login");
	snprintf(rec.address, sizeof(rec.address), "%s", job->peer_ip);
	int rc = store->ops->audit_add(store->db, &rec);
	struct polychat_account seen = { .last_seen = now };
	memcpy(seen.realm, tok.realm, sizeof(seen.realm));
	memcpy(seen.name, tok.name, sizeof(seen.name));
	if (rc == 0)
		rc = store->ops->account_update(store->db, &seen,
			POLYCHAT_ACCOUNT_SET_LAST_SEEN);
	if (rc != 0)
		host->log(POLYCHAT_LOG_WARNING, KYLO_WHO, "login of '%s' not recorded: %s",
			job->subject, polychat_strerror(rc));
}

static void password_done(void *arg, int status)
{
	struct login_job *job = arg;
	struct kylo_session *s = job->s;
	struct kylo_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;

	if (status != 0) {
		host->conn_close(s->conn, 0, "shutting down");
	} else if (job->rc == 0) {
		/* 0x00 || SF(token), one message. */
		uint8_t out[1 + KYLO_SHORT + KYLO_FRAME_MIN + 2 * KYLO_BLOCK_LEN], iv[KYLO_IV_LEN];
		size_t n;
		out[0] = KYLO_LOGIN_OK;
		if (host->random(iv, sizeof(iv)) != 0 ||
		    kylo_frame_seal(&s->keys, KYLO_SHORT, iv, (const uint8_t *)job->token,
				KYLO_UUID_LEN, out + 1, sizeof(out) - 1, &n) != 0) {
			host->conn_close(s->conn, 0, "cannot seal the token");
		} else {
			host->conn_write(s->conn, out, n + 1);
			admit(s, job->token);
			host->conn_resume(s->conn);
		}
	} else if (job->rc == POLYCHAT_EAUTH || job->rc == POLYCHAT_ENOTFOUND ||
		   job->rc == POLYCHAT_EDENIED || job->rc == POLYCHAT_EINVAL) {
		/* EINVAL: a password bcrypt cannot take (NUL, over 72 bytes);
		 * the original dies on it, a failed attempt is kinder. */
		login_failed(s, "invalid password");
		host->conn_resume(s->conn);
	} else {
		host->log(POLYCHAT_LOG_ERROR, host->listener_name(inst->listener),
			"login of '%s' failed: %s", job->subject, polychat_strerror(job->rc));
		host->conn_close(s->conn, 0, "store unavailable");
	}
	free_job(host, job);
}

int kylo_login_frame(struct kylo_session *s, const uint8_t *data, size_t total)
{
	struct kylo_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	size_t cap = total - KYLO_SHORT, n;
	uint8_t *plain = host->alloc(cap);
	if (!plain)
		return POLYCHAT_ENOMEM;
	if (kylo_frame_open(&s->keys, data + KYLO_SHORT, cap, plain, cap, &n) != 0) {
		host->free(plain);
		login_failed(s, "bad frame");
		return 0;
	}
	n = kylo_utf8_clean(plain, n, plain);

	struct login_job *job = host->calloc(1, sizeof(*job));
	if (!job) {
		host->wipe_free(plain, cap);
		return POLYCHAT_ENOMEM;
	}
	job->s = s;
	polychat_work_fn *work;
	polychat_done_fn *done;
	if (s->phase == KYLO_PH_USERNAME) {
		/* A name no account can have (a NUL, too long) is looked up
		 * as "" and found by nobody. */
		if (n < sizeof(s->typed) && !memchr(plain, '\0', n)) {
			memcpy(s->typed, plain, n);
			s->typed[n] = '\0';
		} else {
			s->typed[0] = '\0';
		}
		memcpy(job->subject, s->typed, sizeof(job->subject));
		host->free(plain);
		work = username_work;
		done = username_done;
	} else {
		/* Unknown users are checked too, against a name nobody has,
		 * so the answer takes as long as a wrong password. */
		memcpy(job->subject, s->user_known ? s->stored : s->typed,
			sizeof(job->subject));
		job->secret = plain;
		job->secret_len = n;
		snprintf(job->peer_ip, sizeof(job->peer_ip), "%s",
			host->conn_peer_ip(s->conn));
		work = password_work;
		done = password_done;
	}
	/* bcrypt burns a fifth of a second of CPU: the CPU class. */
	if ((work == password_work ? kylo_session_job_cpu(s, work, done, job)
			: kylo_session_job(s, work, done, job)) != 0)
		free_job(host, job);
	return 0;
}
