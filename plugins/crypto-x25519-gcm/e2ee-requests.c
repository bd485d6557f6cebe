/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat`, server half: each request's work on the thread pool (store, OTP, signatures) and its answer (§5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e2ee-blob.h"
#include "e2ee-session.h"
#include "xg-prims.h"

#define KIND_DH "x25519"
#define KIND_PEM "rsa-spki-pem"

static const struct polychat_store_ops *ops(const struct e2ee_job *job)
{
	return job->s->inst->store->ops;
}

static void *db(const struct e2ee_job *job)
{
	return job->s->inst->store->db;
}

static void answer(struct e2ee_job *job, uint16_t reply, const char *why)
{
	job->reply = reply;
	job->why = why;
}

/* A store failure: the client gets the protocol's generic error. */
static void store_failed(struct e2ee_job *job, int rc)
{
	job->rc = rc;
	answer(job, E2EE_RESP_ERROR, "store unavailable");
}

static int put_u32(struct e2ee_job *job, const struct polychat_host *host, uint32_t v)
{
	job->payload = host->alloc(4);
	if (!job->payload)
		return POLYCHAT_ENOMEM;
	for (int i = 0; i < 4; i++)
		job->payload[i] = (uint8_t)(v >> (24 - 8 * i));
	job->payload_len = 4;
	return 0;
}

/* §5.1, with one hardening: a number whose registration was never
 * completed and whose code has expired may register again (the original
 * blocks it for ever). */
static void register_work(void *arg)
{
	struct e2ee_job *job = arg;
	struct e2ee_instance *inst = job->s->inst;
	const struct polychat_host *host = inst->host;
	const char *phone = job->req.phone;
	struct polychat_account acct;
	int created = 0;

	int rc = ops(job)->account_get(db(job), inst->realm, phone, 0, &acct);
	if (rc == 0 && (acct.flags & POLYCHAT_ACCOUNT_VERIFIED)) {
		answer(job, E2EE_RESP_REGISTRATION_FAILED, "number already registered");
		return;
	}
	if (rc == POLYCHAT_ENOTFOUND) {
		memset(&acct, 0, sizeof(acct));
		snprintf(acct.realm, sizeof(acct.realm), "%s", inst->realm);
		snprintf(acct.name, sizeof(acct.name), "%s", phone);
		acct.created_at = (int64_t)time(NULL);
		rc = ops(job)->account_put(db(job), &acct, NULL);
		if (rc == POLYCHAT_EEXIST) {
			answer(job, E2EE_RESP_REGISTRATION_FAILED, "number registered meanwhile");
			return;
		}
		created = rc == 0;
	}
	if (rc != 0) {
		store_failed(job, rc);
		return;
	}
	char echo[16] = "";
	int echoed = 0;
	rc = inst->auth->ops->issue(inst->auth->instance, inst->realm, phone, echo,
		sizeof(echo), &echoed);
	if (rc == POLYCHAT_EEXIST) {
		answer(job, E2EE_RESP_REGISTRATION_FAILED, "a registration of this number is pending");
		return;
	}
	uint32_t otp = 0;
	if (rc == 0 && echoed) {
		char *end;
		unsigned long v = strtoul(echo, &end, 10);
		if (*end || v < E2EE_OTP_MIN || v > E2EE_OTP_MAX)
			rc = POLYCHAT_EPROTO;
		otp = (uint32_t)v;
	}
	host->wipe(echo, sizeof(echo));
	if (rc == 0)
		rc = put_u32(job, host, otp);
	if (rc != 0) {
		if (created)
			ops(job)->account_delete(db(job), inst->realm, phone);
		job->rc = rc;
		answer(job, E2EE_RESP_ERROR, "the one-time code could not be issued");
		return;
	}
	answer(job, E2EE_RESP_REGISTRATION, NULL);
}

/* §5.2: the code as text for the auth method; an expired one removes the
 * registration, as the original does. */
static void otp_work(void *arg)
{
	struct e2ee_job *job = arg;
	struct e2ee_instance *inst = job->s->inst;
	const char *phone = job->req.phone;
	char code[16];

	if (job->req.otp < E2EE_OTP_MIN || job->req.otp > E2EE_OTP_MAX) {
		answer(job, E2EE_RESP_ERROR, "code out of range");
		return;
	}
	int len = snprintf(code, sizeof(code), "%u", (unsigned)job->req.otp);
	int rc = inst->auth->ops->verify(inst->auth->instance, inst->realm, phone,
		(const uint8_t *)code, (size_t)len);
	inst->host->wipe(code, sizeof(code));
	if (rc == POLYCHAT_EEXPIRED) {
		ops(job)->account_delete(db(job), inst->realm, phone);
		answer(job, E2EE_RESP_ERROR, "code expired: registration removed");
		return;
	}
	if (rc != 0) {
		job->rc = rc;
		answer(job, E2EE_RESP_ERROR, rc == POLYCHAT_EAUTH ? "wrong code"
			: rc == POLYCHAT_EDENIED ? "too many wrong codes"
			: rc == POLYCHAT_ENOTFOUND ? "no code pending" : "code not checked");
		return;
	}
	struct polychat_account acct;
	rc = ops(job)->account_get(db(job), inst->realm, phone, 0, &acct);
	if (rc == 0) {
		acct.flags |= POLYCHAT_ACCOUNT_VERIFIED;
		acct.last_seen = (int64_t)time(NULL);
		rc = ops(job)->account_update(db(job), &acct,
			POLYCHAT_ACCOUNT_SET_FLAGS | POLYCHAT_ACCOUNT_SET_LAST_SEEN);
	}
	if (rc != 0) {
		store_failed(job, rc);
		return;
	}
	answer(job, E2EE_RESP_OTP_OK, NULL);
}

/* Write-once, but a client that retries after a lost reply (or a crash
 * between the two puts) uploads the same bytes again: that is no
 * conflict. */
static int put_key(struct e2ee_job *job, const char *kind, const uint8_t *data,
	size_t len)
{
	struct e2ee_instance *inst = job->s->inst;
	const char *phone = job->req.phone;
	int rc = ops(job)->key_put(db(job), inst->realm, phone, kind, data, len, 0);
	if (rc != POLYCHAT_EEXIST)
		return rc;
	uint8_t *have = NULL;
	size_t have_len = 0;
	rc = ops(job)->key_get(db(job), inst->realm, phone, kind, &have, &have_len);
	if (rc == 0) {
		rc = have_len == len && memcmp(have, data, len) == 0 ? 0 : POLYCHAT_EEXIST;
		inst->host->free(have);
	}
	return rc;
}

/* §5.3, validating what the original stores blindly (§12). */
static void keys_work(void *arg)
{
	struct e2ee_job *job = arg;
	struct e2ee_instance *inst = job->s->inst;
	const struct e2ee_request *req = &job->req;
	EVP_PKEY *rsa = NULL;

	if (req->dh_len != E2EE_DH_LEN || req->pem_len > E2EE_KEY_BLOB_MAX) {
		answer(job, E2EE_RESP_ERROR, "keys of the wrong size");
		return;
	}
	if (xg_rsa_public_from_pem(req->pem, req->pem_len, E2EE_RSA_BITS,
			E2EE_RSA_BITS, &rsa) != 0) {
		answer(job, E2EE_RESP_ERROR, "not an RSA-4096 public key");
		return;
	}
	EVP_PKEY_free(rsa);
	struct polychat_account acct;
	int rc = ops(job)->account_get(db(job), inst->realm, req->phone, 0, &acct);
	if (rc == 0 && !(acct.flags & POLYCHAT_ACCOUNT_VERIFIED))
		rc = POLYCHAT_EDENIED;
	if (rc == 0)
		rc = put_key(job, KIND_DH, req->dh, req->dh_len);
	if (rc == 0)
		rc = put_key(job, KIND_PEM, req->pem, req->pem_len);
	if (rc == POLYCHAT_EEXIST || rc == POLYCHAT_EDENIED || rc == POLYCHAT_ENOTFOUND) {
		answer(job, E2EE_RESP_ERROR, rc == POLYCHAT_EEXIST ? "keys already set"
			: "number not verified");
		return;
	}
	if (rc != 0) {
		store_failed(job, rc);
		return;
	}
	answer(job, E2EE_RESP_KEYS_SET, NULL);
}

/* The oldest message for this client, from `sender` only if not NULL:
 * handed out as 1608, or `none` when there is nothing. */
static void take_oldest(struct e2ee_job *job, const char *sender, uint16_t none)
{
	struct e2ee_instance *inst = job->s->inst;
	struct polychat_queued item;
	int rc = ops(job)->queue_peek(db(job), inst->realm, job->req.phone, sender, &item);
	if (rc == POLYCHAT_ENOTFOUND) {
		answer(job, none, NULL);
		return;
	}
	if (rc != 0) {
		store_failed(job, rc);
		return;
	}
	if (strlen(item.sender) >= sizeof(job->sender)) {
		/* Only 829 queues, with a 10-byte phone: not ours. */
		inst->host->free(item.body);
		store_failed(job, POLYCHAT_EPROTO);
		return;
	}
	job->queued_id = item.id;
	memcpy(job->sender, item.sender, strlen(item.sender) + 1);
	job->payload = item.body;
	job->payload_len = item.body_len;
	answer(job, E2EE_RESP_MESSAGE, NULL);
}

/* §5.4: no proof of key possession exists on this wire (§12). */
static void login_work(void *arg)
{
	struct e2ee_job *job = arg;
	struct e2ee_instance *inst = job->s->inst;
	const char *phone = job->req.phone;
	struct polychat_account acct;
	uint8_t *key = NULL;
	size_t len = 0;

	int rc = ops(job)->account_get(db(job), inst->realm, phone, 0, &acct);
	if (rc == 0 && !(acct.flags & POLYCHAT_ACCOUNT_VERIFIED))
		rc = POLYCHAT_ENOTFOUND;
	for (int i = 0; rc == 0 && i < 2; i++) {
		rc = ops(job)->key_get(db(job), inst->realm, phone, i ? KIND_PEM : KIND_DH,
			&key, &len);
		inst->host->free(key);
		key = NULL;
	}
	if (rc == POLYCHAT_ENOTFOUND) {
		answer(job, E2EE_RESP_LOGIN_FAILED, "unknown, unverified or without keys");
		return;
	}
	if (rc != 0) {
		store_failed(job, rc);
		return;
	}
	take_oldest(job, NULL, E2EE_RESP_LOGIN);
}

/* §5.5 / §5.6: the peer's stored keys, each signed afresh. */
static void lookup_work(void *arg)
{
	struct e2ee_job *job = arg;
	struct e2ee_instance *inst = job->s->inst;
	const struct polychat_host *host = inst->host;
	const char *peer = job->req.peer_phone;
	uint8_t *dh = NULL, *pem = NULL;
	size_t dh_len = 0, pem_len = 0;

	int rc = ops(job)->key_get(db(job), inst->realm, peer, KIND_DH, &dh, &dh_len);
	if (rc == 0)
		rc = ops(job)->key_get(db(job), inst->realm, peer, KIND_PEM, &pem, &pem_len);
	if (rc == POLYCHAT_ENOTFOUND) {
		answer(job, E2EE_RESP_ERROR, "no keys for that number");
		goto out;
	}
	if (rc != 0) {
		store_failed(job, rc);
		goto out;
	}
	size_t head = job->req.code == E2EE_REQ_SENDER_KEYS ? E2EE_PHONE_LEN : 0;
	size_t total = head + dh_len + pem_len + 2 * E2EE_SIG_LEN;
	if (total > E2EE_PACKET_MAX - E2EE_RESP_HEADER ||
	    !(job->payload = host->alloc(total))) {
		answer(job, E2EE_RESP_ERROR, "keys do not fit a response");
		goto out;
	}
	uint8_t *p = job->payload;
	if (head)
		e2ee_phone_field(p, peer);
	p += head;
	memcpy(p, dh, dh_len);
	memcpy(p + dh_len, pem, pem_len);
	size_t sig_dh = E2EE_SIG_LEN, sig_pem = E2EE_SIG_LEN;
	uint8_t *sigs = p + dh_len + pem_len;
	if (xg_pss_sign(inst->key, E2EE_PSS_SALT, dh, dh_len, sigs, &sig_dh) != 0 ||
	    xg_pss_sign(inst->key, E2EE_PSS_SALT, pem, pem_len, sigs + E2EE_SIG_LEN,
			&sig_pem) != 0 ||
	    sig_dh != E2EE_SIG_LEN || sig_pem != E2EE_SIG_LEN) {
		answer(job, E2EE_RESP_ERROR, "signing failed");
		goto out;
	}
	job->payload_len = total;
	answer(job, job->req.code == E2EE_REQ_SENDER_KEYS ? E2EE_RESP_SENDER_KEYS
		: E2EE_RESP_RECIPIENT_KEYS, NULL);
out:
	host->free(dh);
	host->free(pem);
}

/* §5.7, made durable: the message is committed before 1609, whether the
 * recipient is online or not, and leaves the store only once written to
 * it. */
static void message_work(void *arg)
{
	struct e2ee_job *job = arg;
	struct e2ee_instance *inst = job->s->inst;
	const struct e2ee_request *req = &job->req;
	struct polychat_account acct;
	uint64_t count = 0;

	/* §12: "drop 829 to unknown numbers silently (still answer 1609)";
	 * an empty blob would be handed out as "no message" (§11.3). */
	int rc = ops(job)->account_get(db(job), inst->realm, req->peer_phone, 0, &acct);
	if (rc == POLYCHAT_ENOTFOUND ||
	    (rc == 0 && !(acct.flags & POLYCHAT_ACCOUNT_VERIFIED)) || req->blob_len == 0) {
		answer(job, E2EE_RESP_MESSAGE_SENT, "dropped: no such recipient, or empty");
		return;
	}
	if (rc == 0)
		rc = ops(job)->queue_count(db(job), inst->realm, req->peer_phone, &count);
	if (rc != 0) {
		store_failed(job, rc);
		return;
	}
	if (count >= (uint64_t)inst->opt.max_queue) {
		answer(job, E2EE_RESP_ERROR, "the recipient's queue is full");
		return;
	}
	struct polychat_queued item = { .body = (uint8_t *)req->blob, .body_len = req->blob_len };
	snprintf(item.realm, sizeof(item.realm), "%s", inst->realm);
	snprintf(item.recipient, sizeof(item.recipient), "%s", req->peer_phone);
	snprintf(item.sender, sizeof(item.sender), "%s", req->phone);
	item.queued_at = (int64_t)time(NULL);
	rc = ops(job)->queue_push(db(job), &item, &job->queued_id);
	if (rc != 0) {
		if (rc == POLYCHAT_ENOSPACE || rc == POLYCHAT_ETOOBIG)
			answer(job, E2EE_RESP_ERROR, "the store has no room for the message");
		else
			store_failed(job, rc);
		return;
	}
	/* Whether it can be pushed at once: nothing older from this sender
	 * still waits for that recipient. A failed look only means it waits
	 * for the recipient's next 830 or login. */
	struct polychat_queued oldest;
	if (ops(job)->queue_peek(db(job), inst->realm, req->peer_phone, req->phone,
			&oldest) == 0) {
		job->live = oldest.id == job->queued_id;
		inst->host->free(oldest.body);
	}
	answer(job, E2EE_RESP_MESSAGE_SENT, NULL);
}

/* §5.9 */
static void received_work(void *arg)
{
	struct e2ee_job *job = arg;
	take_oldest(job, job->req.peer_phone, E2EE_RESP_LISTENING);
}

static polychat_work_fn *work_of(uint16_t code)
{
	switch (code) {
	case E2EE_REQ_REGISTER: return register_work;
	case E2EE_REQ_OTP: return otp_work;
	case E2EE_REQ_SEND_PUBLIC_KEYS: return keys_work;
	case E2EE_REQ_LOGIN: return login_work;
	case E2EE_REQ_RECIPIENT_KEYS: return lookup_work;
	case E2EE_REQ_SENDER_KEYS: return lookup_work;
	case E2EE_REQ_MESSAGE: return message_work;
	case E2EE_REQ_MESSAGE_RECEIVED: return received_work;
	}
	return NULL;
}

/* Make this connection the phone's online entry; a previous connection
 * of the same phone gives it up (§5.4: the last login gets the pushes). */
static int go_online(struct e2ee_session *s, const char *phone)
{
	const struct polychat_host *host = s->inst->host;
	int rc = host->conn_bind(s->conn, phone);
	if (rc == POLYCHAT_EEXIST) {
		struct polychat_conn *old = host->identity_lookup(s->inst->listener, phone);
		if (old && old != s->conn)
			host->conn_close(old, 1, "the number logged in on another connection");
		rc = host->conn_bind(s->conn, phone);
	}
	if (rc == 0)
		snprintf(s->phone, sizeof(s->phone), "%s", phone);
	return rc;
}

static void request_done(void *arg, int status)
{
	struct e2ee_job *job = arg;
	struct e2ee_session *s = job->s;
	struct e2ee_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	const struct e2ee_request *req = &job->req;
	uint16_t reply = job->reply;

	if (status != 0) {
		host->conn_close(s->conn, 0, "shutting down");
		goto out;
	}
	if (job->rc != 0 && job->rc != POLYCHAT_EAUTH && job->rc != POLYCHAT_EDENIED &&
	    job->rc != POLYCHAT_ENOTFOUND)
		host->log(POLYCHAT_LOG_WARNING, inst->name, "%s: request %u from %s: %s",
			host->conn_peer(s->conn), (unsigned)req->code, req->phone,
			polychat_strerror(job->rc));
	switch (reply) {
	case E2EE_RESP_REGISTRATION_FAILED:
	case E2EE_RESP_LOGIN_FAILED:
	case E2EE_RESP_ERROR:
		e2ee_fail(s, reply, job->why);
		goto out;
	case E2EE_RESP_REGISTRATION:
		snprintf(s->registered, sizeof(s->registered), "%s", req->phone);
		break;
	case E2EE_RESP_OTP_OK:
		snprintf(s->verified, sizeof(s->verified), "%s", req->phone);
		break;
	case E2EE_RESP_KEYS_SET:
	case E2EE_RESP_LOGIN:
	case E2EE_RESP_MESSAGE:
		if (req->code != E2EE_REQ_MESSAGE_RECEIVED && go_online(s, req->phone) != 0) {
			host->conn_close(s->conn, 0, "cannot take the number online");
			goto out;
		}
		break;
	case E2EE_RESP_MESSAGE_SENT:
		if (job->why)
			host->log(POLYCHAT_LOG_INFO, inst->name, "%s: message from %s %s",
				host->conn_peer(s->conn), req->phone, job->why);
		else
			e2ee_relay(s, req->peer_phone, job->queued_id, job->live, req->blob,
				req->blob_len);
		break;
	}
	if (reply == E2EE_RESP_MESSAGE) {
		e2ee_handout_write(s, job->sender, job->queued_id, job->payload,
			job->payload_len);
		goto out;
	}
	e2ee_reply(s, reply, job->payload, job->payload_len, NULL, 0);
	/* A message sent while this login was looked up found the phone
	 * offline and stayed queued: push it now. */
	if (reply == E2EE_RESP_LOGIN)
		e2ee_poke(s, "");
	e2ee_idle(s);
out:
	e2ee_job_free(host, job);
}

void e2ee_job_free(const struct polychat_host *host, struct e2ee_job *job)
{
	if (!job)
		return;
	host->free(job->payload);
	host->wipe(job->frame, sizeof(job->frame));
	host->free(job);
}

void e2ee_request_start(struct e2ee_session *s, const uint8_t *frame, size_t len)
{
	const struct polychat_host *host = s->inst->host;
	struct e2ee_job *job = host->calloc(1, sizeof(*job));
	if (!job) {
		host->conn_close(s->conn, 0, "out of memory");
		return;
	}
	job->s = s;
	memcpy(job->frame, frame, len);
	/* Parsed again so that its pointers point into the job's copy. */
	if (e2ee_request_parse(job->frame, len, &job->req) != (long)len) {
		e2ee_job_free(host, job);
		host->conn_close(s->conn, 0, "malformed request");
		return;
	}
	s->busy = 1;
	host->conn_pause(s->conn);
	int rc = host->conn_job(s->conn, work_of(job->req.code), request_done, job);
	if (rc != 0) {
		e2ee_job_free(host, job);
		host->conn_close(s->conn, 0, rc == POLYCHAT_ECLOSED ? "closing"
			: "cannot start the request");
	}
}
