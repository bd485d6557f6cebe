/* SPDX-License-Identifier: MIT */
/* The kylochat chat phase (§4.4): token checks, /exit, admin commands, broadcast. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kylo-commands.h"
#include "kylo-session.h"
#include "kylo-text.h"

/* /lsip's answer is built from at most this many sessions. */
#define LSIP_MAX 4096u

/* One chat frame's checks on the thread pool. */
struct chat_job {
	struct kylo_session *s;
	char token[KYLO_UUID_LEN + 1];
	uint8_t *body;                 /* raw, owned, wiped */
	size_t body_len;
	uint8_t *text;                 /* the body decoded, owned, wiped */
	size_t text_len;
	int is_exit, is_command;
	char *lsip;                    /* /lsip's prepared answer, owned */
	char peer_ip[POLYCHAT_ADDR_MAX + 1];
	/* results */
	int found;                     /* the token exists */
	int denied;                    /* a command from a non-admin */
	char owner[POLYCHAT_NAME_MAX + 1];
	uint16_t status;               /* STATUS code to send */
	uint8_t *reply;                /* command output, host->alloc */
	size_t reply_len;
};

static void frame_error(struct kylo_session *s, const char *why)
{
	struct kylo_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	s->frame_errors++;
	host->log(POLYCHAT_LOG_INFO, host->listener_name(inst->listener),
		"bad frame from %s (%u in a row): %s", host->conn_peer(s->conn),
		s->frame_errors, why);
	if (s->frame_errors >= (uint64_t)inst->opt.max_conn_errors) {
		kylo_session_exit_notice(s);
		host->conn_close(s->conn, 1, "too many bad frames");
	}
}

static void send_status(struct kylo_session *s, uint16_t code)
{
	uint8_t unit[KYLO_STATUS_LEN];
	kylo_unit_status(code, unit);
	s->inst->host->conn_write(s->conn, unit, sizeof(unit));
}

/* The token's owner and whether the token may be used, §4.4 step 6. */
static void check_token(struct chat_job *job, const struct kylo_instance *inst,
	struct polychat_account *acct)
{
	const struct polychat_store_ref *store = inst->store;
	struct polychat_token tok;

	job->status = KYLO_STATUS_FORBIDDEN;
	if (store->ops->token_get(store->db, job->token, &tok) != 0 ||
	    strcmp(tok.realm, inst->realm) != 0)
		return;
	job->found = 1;
	memcpy(job->owner, tok.name, sizeof(job->owner));
	if (store->ops->account_get(store->db, inst->realm, tok.name, 0, acct) != 0 ||
	    (acct->flags & POLYCHAT_ACCOUNT_BANNED))
		return;
	if (tok.revoked || tok.expires_at < (int64_t)time(NULL)) {
		job->status = KYLO_STATUS_EXPIRED;
		return;
	}
	job->status = job->is_command ? KYLO_STATUS_COMMAND : KYLO_STATUS_OK;
}

/* The length of "/name" at the start of a command line. */
static size_t command_name_len(const uint8_t *text, size_t len)
{
	const uint8_t *sp = memchr(text, ' ', len);
	return sp ? (size_t)(sp - text) : len;
}

static void chat_work(void *arg)
{
	struct chat_job *job = arg;
	struct kylo_instance *inst = job->s->inst;
	const struct polychat_host *host = inst->host;
	struct polychat_account acct;

	check_token(job, inst, &acct);
	if (job->is_exit)
		return;
	if (job->status == KYLO_STATUS_COMMAND) {
		if (acct.flags & POLYCHAT_ACCOUNT_ADMIN) {
			struct kylo_cmd_env env = { host, inst->store, inst->auth,
				inst->realm, job->lsip };
			if (kylo_command_run(&env, job->text, job->text_len, &job->reply,
					&job->reply_len) == 0)
				/* Arguments may hold passwords: only the name. */
				host->log(POLYCHAT_LOG_NOTICE, KYLO_WHO,
					"admin '%s' ran %.*s", acct.name,
					(int)command_name_len(job->text, job->text_len),
					(const char *)job->text);
		} else {
			job->denied = 1;
			host->log(POLYCHAT_LOG_NOTICE, KYLO_WHO,
				"command refused: '%s' is not an admin", acct.name);
		}
	} else if (job->status == KYLO_STATUS_OK && inst->opt.audit_messages) {
		/* What the original keeps of a message: its size. */
		struct polychat_audit rec = { .size = (int64_t)job->body_len,
			.at = (int64_t)time(NULL) };
		snprintf(rec.realm, sizeof(rec.realm), "%s", inst->realm);
		snprintf(rec.name, sizeof(rec.name), "%s", job->owner);
		snprintf(rec.event, sizeof(rec.event), "message");
		snprintf(rec.address, sizeof(rec.address), "%s", job->peer_ip);
		int rc = inst->store->ops->audit_add(inst->store->db, &rec);
		if (rc != 0)
			host->log(POLYCHAT_LOG_WARNING, KYLO_WHO,
				"message size not recorded: %s", polychat_strerror(rc));
	}
	host->wipe(&acct, sizeof(acct));
}

static void free_job(const struct polychat_host *host, struct chat_job *job)
{
	host->wipe_free(job->body, job->body_len);
	host->wipe_free(job->text, job->text_len);
	host->wipe_free(job->reply, job->reply_len);
	host->free(job->lsip);
	host->free(job);
}

static void chat_done(void *arg, int status)
{
	struct chat_job *job = arg;
	struct kylo_session *s = job->s;
	struct kylo_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;

	if (status != 0) {
		free_job(host, job);
		return;
	}
	if (job->found)
		memcpy(s->last_owner, job->owner, sizeof(s->last_owner));
	else
		s->last_owner[0] = '\0';

	if (job->is_exit) {
		kylo_session_exit_notice(s);
		host->conn_close(s->conn, 1, "client said /exit");
		free_job(host, job);
		return;
	}
	send_status(s, job->status);
	if (job->status == KYLO_STATUS_COMMAND || job->status == KYLO_STATUS_OK) {
		host->log(POLYCHAT_LOG_DEBUG, host->listener_name(inst->listener),
			"Received %zu bytes from %s (%s)", job->body_len, s->typed,
			host->conn_peer(s->conn));
		s->frame_errors = 0;
	} else {
		host->log(POLYCHAT_LOG_INFO, host->listener_name(inst->listener),
			"%s token from %s", job->status == KYLO_STATUS_EXPIRED
				? "expired or revoked" : "unknown or banned",
			host->conn_peer(s->conn));
	}
	if (job->status == KYLO_STATUS_COMMAND) {
		if (job->reply)
			kylo_session_message(s, KYLO_SERVER_NAME, job->reply, job->reply_len);
		else if (job->denied)
			kylo_session_message(s, KYLO_SERVER_NAME,
				(const uint8_t *)KYLO_ACCESS_DENIED,
				sizeof(KYLO_ACCESS_DENIED) - 1);
		/* else out of memory: the original, too, can leave a command
		 * with its 100 alone (§5, /mkusr). */
	} else if (job->status == KYLO_STATUS_OK && job->body_len) {
		kylo_session_broadcast(s, POLYCHAT_MSG_TEXT, job->owner, job->body,
			job->body_len);
	}
	free_job(host, job);
	host->conn_resume(s->conn);
}

/* Python's repr of the distinct addresses of the logged-in sessions. */
static char *lsip_answer(const struct kylo_instance *inst)
{
	const struct polychat_host *host = inst->host;
	const char *ips[LSIP_MAX];
	size_t n = 0;
	for (const struct kylo_session *s = inst->sessions; s && n < LSIP_MAX; s = s->next) {
		const char *ip = host->conn_peer_ip(s->conn);
		size_t i = 0;
		while (i < n && strcmp(ips[i], ip) != 0)
			i++;
		if (i == n)
			ips[n++] = ip;
	}
	size_t len = kylo_tuple_repr(ips, n, NULL, 0);
	char *text = host->alloc(len + 1);
	if (text)
		kylo_tuple_repr(ips, n, text, len + 1);
	return text;
}

int kylo_chat_frame(struct kylo_session *s, const uint8_t *data, size_t total)
{
	struct kylo_instance *inst = s->inst;
	const struct polychat_host *host = inst->host;
	size_t cap = total - KYLO_INT, n;
	uint8_t *plain = host->alloc(cap);
	if (!plain)
		return POLYCHAT_ENOMEM;
	int rc = kylo_frame_open(&s->keys, data + KYLO_INT, cap, plain, cap, &n);
	if (rc != 0) {
		host->free(plain);
		frame_error(s, polychat_strerror(rc));
		return 0;
	}
	/* §4.4 steps 2-3: the size is checked before the token. */
	if (n > (size_t)inst->opt.max_payload || n < KYLO_UUID_LEN) {
		host->wipe_free(plain, cap);
		send_status(s, KYLO_STATUS_BAD_REQUEST);
		return 0;
	}

	struct chat_job *job = host->calloc(1, sizeof(*job));
	if (!job) {
		host->wipe_free(plain, cap);
		return POLYCHAT_ENOMEM;
	}
	job->s = s;
	/* The token, decoded dropping invalid bytes; the original's lookup
	 * ignores case and ours are lowercase. */
	size_t t = kylo_utf8_clean(plain, KYLO_UUID_LEN, plain);
	for (size_t i = 0; i < t; i++)
		job->token[i] = (char)(plain[i] >= 'A' && plain[i] <= 'Z'
			? plain[i] - 'A' + 'a' : plain[i]);
	job->token[t] = '\0';
	if (memchr(job->token, '\0', t))
		job->token[0] = '\0'; /* a NUL: no token can match */
	/* The body stays raw bytes for the broadcast. */
	job->body_len = n - KYLO_UUID_LEN;
	memmove(plain, plain + KYLO_UUID_LEN, job->body_len);
	job->body = plain;
	job->is_exit = job->body_len == 5 && memcmp(plain, "/exit", 5) == 0;
	if (!job->is_exit) {
		/* Commands are recognised on the decoded text; a chat body
		 * goes out as the raw bytes it came in. */
		job->text = host->alloc(job->body_len ? job->body_len : 1);
		if (!job->text) {
			free_job(host, job);
			return POLYCHAT_ENOMEM;
		}
		job->text_len = kylo_utf8_clean(plain, job->body_len, job->text);
		int is_lsip = 0;
		job->is_command = kylo_is_command(job->text, job->text_len, &is_lsip);
		if (is_lsip && !(job->lsip = lsip_answer(inst))) {
			free_job(host, job);
			return POLYCHAT_ENOMEM;
		}
	}
	snprintf(job->peer_ip, sizeof(job->peer_ip), "%s", host->conn_peer_ip(s->conn));
	if (kylo_session_job(s, chat_work, chat_done, job) != 0)
		free_job(host, job);
	return 0;
}
