/* SPDX-License-Identifier: MIT */
/* The client half of suite `e2ee-chat`: identity and state files, registration and login, framing the server's responses, one request at a time (e2ee-chat.md §6, §7.4, §10). */

/*
 * The conversation (§6, §10), every request with our phone in its header:
 *
 *   first run (no me.info):  825 -> 1600(code) -> 831(code) -> 1604
 *                            -> 826(DH || PEM) -> 1602, then me.info
 *   later runs:              827 -> 1605, or 1608 (a queued message):
 *                            its sender's follow-ups, then 827 again
 *   choosing a peer:         828(R) -> 1603, both server signatures checked
 *   sending:                 829(R, blob) -> 1609
 *   receiving:               1608(S, blob) at any time; 832(S) -> 1610 when
 *                            S's keys are unknown; 830(S) -> 1608 or 1611
 *
 * A 1600 carrying 0 means the server handed the code to someone else (an
 * SMS gateway): the user types it. The original server treats one read as
 * one request, so exactly one request is in flight at any time and each
 * goes out in one write; responses are framed by their payload_size, and
 * a 1608 that does not answer the request in flight is a push.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2ee-blob.h"
#include "e2ee-client.h"
#include "e2ee-client-session.h"
#include "xg-keyfile.h"


#define PROMPT_CODE "code:"

/* --- showing things --- */

/* e2c_show - see e2ee-client-session.h. */
void e2c_show(struct e2c_session *s, int kind, const char *from, const char *text)
{
	s->host->ui_show(s->conn, kind, from, (const uint8_t *)text, strlen(text));
}

static void vsay(struct e2c_session *s, int kind, const char *fmt, va_list ap)
{
	char text[1024];
	vsnprintf(text, sizeof(text), fmt, ap);
	e2c_show(s, kind, NULL, text);
}

/* e2c_say - see e2ee-client-session.h. */
void e2c_say(struct e2c_session *s, int kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(s, kind, fmt, ap);
	va_end(ap);
}

/* e2c_end - see e2ee-client-session.h. */
void e2c_end(struct e2c_session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(s, POLYCHAT_UI_ERROR, fmt, ap);
	va_end(ap);
	s->phase = E2C_DONE;
	pc_lines_clear(&s->typed);
	s->host->conn_close(s->conn, 1, "e2ee-chat session ended");
}

/* --- requests out --- */

/* e2c_send - see e2ee-client-session.h. */
int e2c_send(struct e2c_session *s, uint16_t code, const char *peer,
	const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	const struct polychat_host *host = s->host;
	uint8_t frame[E2EE_PACKET_MAX];
	long n = e2ee_request_build(frame, sizeof(frame), code, s->phone, a, alen, b, blen);
	if (n < 0)
		return (int)n;
	memset(&s->req, 0, sizeof(s->req));
	s->req.code = code;
	if (peer)
		snprintf(s->req.peer, sizeof(s->req.peer), "%s", peer);
	int rc = host->conn_write(s->conn, frame, (size_t)n);
	/* An 831 carries the one-time code. */
	host->wipe(frame, (size_t)n);
	if (rc == POLYCHAT_ENOMEM) {
		s->req.code = 0;
		return rc;
	}
	host->log(POLYCHAT_LOG_DEBUG, E2EE_CLIENT_WHO, "request %u sent (%ld bytes)",
		(unsigned)code, n);
	return 0;
}

/* --- the typed-line queue --- */

static int try_code(struct e2c_session *s, const char *line, size_t len);

/* Whether a typed line can be used now (else it waits its turn). */
static int takes_lines(const struct e2c_session *s)
{
	return s->phase == E2C_CODE || (s->phase == E2C_CHAT && s->req.code == 0);
}

static int take_line(struct e2c_session *s, const char *line, size_t len)
{
	switch (s->phase) {
	case E2C_CODE:
		return try_code(s, line, len);
	case E2C_CHAT:
		return e2c_chat_line(s, line, len);
	default:
		return 0;
	}
}

static int ready_for_lines(void *arg)
{
	return takes_lines(arg);
}

static int take_waiting(void *arg, const char *line, size_t len)
{
	int rc = take_line(arg, line, len);
	/* Nobody is left to hand ENOTSUP to: say it as the client does. */
	if (rc == POLYCHAT_ENOTSUP) {
		e2c_say(arg, POLYCHAT_UI_ERROR, "unknown command %s (/help lists commands)", line);
		rc = 0;
	}
	return rc;
}

/*
 * Nothing in flight: start what is due, in this order - follow-ups for
 * senders (their keys, their next queued message), another 827 while
 * logging in, then the lines the user typed. Receiving comes first so a
 * sender's queue is emptied before we talk again.
 */
static int pump(struct e2c_session *s)
{
	if (s->phase == E2C_DONE || s->req.code != 0)
		return 0;
	if (s->phase == E2C_LOGGING_IN || s->phase == E2C_CHAT) {
		int rc = e2c_next_task(s);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		if (s->login_again) {
			s->login_again = 0;
			return e2c_send(s, E2EE_REQ_LOGIN, NULL, NULL, 0, NULL, 0);
		}
	}
	if (s->phase == E2C_DONE || !takes_lines(s))
		return 0;
	return pc_lines_drain(&s->typed, ready_for_lines, take_waiting, s);
}

/* --- registration (§5.1-§5.3) --- */

static void ask_code(struct e2c_session *s)
{
	s->phase = E2C_CODE;
	if (!pc_lines_waiting(&s->typed))
		e2c_show(s, POLYCHAT_UI_NOTICE, NULL, PROMPT_CODE);
}

/* A typed one-time code: six digits, as the server's range (§5.2). */
static int try_code(struct e2c_session *s, const char *line, size_t len)
{
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	uint32_t otp = 0;
	int ok = len == 6 && line[0] != '0';
	for (size_t i = 0; ok && i < len; i++) {
		ok = line[i] >= '0' && line[i] <= '9';
		otp = otp * 10 + (uint32_t)(line[i] - '0');
	}
	if (!ok) {
		e2c_show(s, POLYCHAT_UI_ERROR, NULL,
			"the one-time code is 6 digits (100000 to 999999): type it again");
		ask_code(s);
		return 0;
	}
	uint8_t field[4] = { (uint8_t)(otp >> 24), (uint8_t)(otp >> 16), (uint8_t)(otp >> 8),
		(uint8_t)otp };
	s->phase = E2C_REGISTERING;
	int rc = e2c_send(s, E2EE_REQ_OTP, NULL, field, sizeof(field), NULL, 0);
	s->host->wipe(field, sizeof(field));
	s->host->wipe(&otp, sizeof(otp));
	return rc;
}

static int on_registration(struct e2c_session *s, const uint8_t *p, size_t len)
{
	if (len != 4) {
		e2c_end(s, "registration failed: the server's reply 1600 holds %zu bytes, not a"
			" 4-byte code", len);
		return 0;
	}
	uint32_t otp = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (otp == 0) {
		/* The server's `command` delivery: the code went elsewhere. */
		e2c_say(s, POLYCHAT_UI_NOTICE, "a one-time code for %s was sent to you by the"
			" server's operator (for example as a text message): type it within a"
			" minute", s->phone);
		ask_code(s);
		return 0;
	}
	if (otp < E2EE_OTP_MIN || otp > E2EE_OTP_MAX) {
		e2c_end(s, "registration failed: the server's one-time code is not 6 digits");
		return 0;
	}
	/* The `echo` delivery (and the original server): it goes straight back. */
	uint8_t field[4];
	memcpy(field, p, sizeof(field));
	int rc = e2c_send(s, E2EE_REQ_OTP, NULL, field, sizeof(field), NULL, 0);
	s->host->wipe(field, sizeof(field));
	s->host->wipe(&otp, sizeof(otp));
	return rc;
}

static void now_chatting(struct e2c_session *s)
{
	s->phase = E2C_CHAT;
	e2c_show(s, POLYCHAT_UI_READY, NULL, "");
}

static int on_keys_set(struct e2c_session *s)
{
	char why[256] = "";
	int rc = e2c_write_info(s, why, sizeof(why));
	if (rc == POLYCHAT_ENOMEM)
		return rc;
	if (rc != 0)
		e2c_say(s, POLYCHAT_UI_ERROR, "registered, but %s could not be written (%s):"
			" put the number %s in it, or the next start registers again and fails",
			s->info_path, why, s->phone);
	s->host->log(POLYCHAT_LOG_INFO, E2EE_CLIENT_WHO, "registered with %s",
		s->host->conn_peer(s->conn));
	e2c_say(s, POLYCHAT_UI_NOTICE, "registered as %s; choose a recipient with /to PHONE",
		s->phone);
	now_chatting(s);
	return 0;
}

static void on_logged_in(struct e2c_session *s)
{
	if (s->received)
		e2c_say(s, POLYCHAT_UI_NOTICE, "logged in as %s (%u message%s received while away)",
			s->phone, s->received, s->received == 1 ? "" : "s");
	else
		e2c_say(s, POLYCHAT_UI_NOTICE, "logged in as %s", s->phone);
	now_chatting(s);
}

/* --- responses in --- */

/* What a request is, for error lines. */
static const char *request_what(const struct e2c_request *req, char *buf, size_t len)
{
	switch (req->code) {
	case E2EE_REQ_REGISTER: return "the registration";
	case E2EE_REQ_OTP: return "the one-time code";
	case E2EE_REQ_SEND_PUBLIC_KEYS: return "our public keys";
	case E2EE_REQ_LOGIN: return "the login";
	case E2EE_REQ_RECIPIENT_KEYS:
		snprintf(buf, len, "the request for the keys of %s", req->peer);
		return buf;
	case E2EE_REQ_SENDER_KEYS:
		snprintf(buf, len, "the request for the keys of sender %s", req->peer);
		return buf;
	case E2EE_REQ_MESSAGE:
		snprintf(buf, len, "the message to %s", req->peer);
		return buf;
	case E2EE_REQ_MESSAGE_RECEIVED:
		snprintf(buf, len, "the acknowledgement to %s", req->peer);
		return buf;
	default:
		snprintf(buf, len, "request %u", (unsigned)req->code);
		return buf;
	}
}

/* Whether `code` can be the answer to request `req` (§5). */
static int answers(uint16_t req, uint16_t code)
{
	if (code == E2EE_RESP_REGISTRATION_FAILED || code == E2EE_RESP_LOGIN_FAILED ||
	    code == E2EE_RESP_ERROR)
		return 1;
	switch (req) {
	case E2EE_REQ_REGISTER: return code == E2EE_RESP_REGISTRATION;
	case E2EE_REQ_OTP: return code == E2EE_RESP_OTP_OK;
	case E2EE_REQ_SEND_PUBLIC_KEYS: return code == E2EE_RESP_KEYS_SET;
	case E2EE_REQ_LOGIN: return code == E2EE_RESP_LOGIN;
	case E2EE_REQ_RECIPIENT_KEYS: return code == E2EE_RESP_RECIPIENT_KEYS;
	case E2EE_REQ_SENDER_KEYS: return code == E2EE_RESP_SENDER_KEYS;
	case E2EE_REQ_MESSAGE: return code == E2EE_RESP_MESSAGE_SENT;
	case E2EE_REQ_MESSAGE_RECEIVED: return code == E2EE_RESP_LISTENING;
	default: return 0;
	}
}

/* An error reply; the server closes after it anyway (§5.10). */
static void on_failure(struct e2c_session *s, const struct e2c_request *req, uint16_t code)
{
	char buf[96];
	switch (req->code) {
	case E2EE_REQ_REGISTER:
		if (code == E2EE_RESP_REGISTRATION_FAILED) {
			e2c_end(s, "registration failed: the number %s is already registered"
				" (or its registration is pending)", s->phone);
			return;
		}
		break;
	case E2EE_REQ_OTP:
		e2c_end(s, "registration failed: wrong or expired one-time code");
		return;
	case E2EE_REQ_SEND_PUBLIC_KEYS:
		e2c_end(s, "registration failed: the server refused our public keys (keys"
			" already set for %s?)", s->phone);
		return;
	case E2EE_REQ_LOGIN:
		if (code == E2EE_RESP_LOGIN_FAILED) {
			e2c_end(s, "login failed: %s is an unknown number or its registration is"
				" incomplete", s->phone);
			return;
		}
		break;
	case E2EE_REQ_RECIPIENT_KEYS:
	case E2EE_REQ_SENDER_KEYS:
		e2c_end(s, "the server has no keys for %s (not registered?) and closed the"
			" connection", req->peer);
		return;
	case E2EE_REQ_MESSAGE:
		e2c_end(s, "the server refused the message to %s (its queue may be full) and"
			" closed the connection", req->peer);
		return;
	default:
		break;
	}
	e2c_end(s, "the server answered %s with error %u and closed the connection",
		request_what(req, buf, sizeof(buf)), (unsigned)code);
}

static int on_reply(struct e2c_session *s, struct e2c_request *req, uint16_t code,
	const uint8_t *p, size_t len)
{
	switch (code) {
	case E2EE_RESP_REGISTRATION_FAILED:
	case E2EE_RESP_LOGIN_FAILED:
	case E2EE_RESP_ERROR:
		on_failure(s, req, code);
		return 0;
	case E2EE_RESP_REGISTRATION:
		return on_registration(s, p, len);
	case E2EE_RESP_OTP_OK:
		return e2c_send(s, E2EE_REQ_SEND_PUBLIC_KEYS, NULL, s->dh_pub, sizeof(s->dh_pub),
			(const uint8_t *)s->pem, s->pem_len);
	case E2EE_RESP_KEYS_SET:
		return on_keys_set(s);
	case E2EE_RESP_LOGIN:
		on_logged_in(s);
		return 0;
	default:
		return e2c_on_reply(s, req, code, p, len);
	}
}

/*
 * A 1608: the answer to an 827 in flight, or to an 830 for its sender;
 * otherwise a push. (A push from the very sender whose 830 is in flight
 * is taken for the answer; the real answer then comes as a 1611 nothing
 * waits for, or as one more message, both handled below.)
 */
static int on_message_frame(struct e2c_session *s, const uint8_t *p, size_t len)
{
	if (len < E2EE_PHONE_LEN) {
		e2c_end(s, "the server sent a malformed message frame (%zu bytes)", len);
		return 0;
	}
	char from[E2EE_PHONE_LEN + 1];
	size_t n = E2EE_PHONE_LEN;
	while (n && p[n - 1] == 0)
		n--;
	memcpy(from, p, n);
	from[n] = '\0';
	int sane = !memchr(p, 0, n) && e2c_phone_printable(from);
	int reply = s->req.code == E2EE_REQ_LOGIN ||
		(s->req.code == E2EE_REQ_MESSAGE_RECEIVED && sane && strcmp(from, s->req.peer) == 0);
	if (reply) {
		if (s->req.code == E2EE_REQ_LOGIN)
			s->login_again = 1;
		memset(&s->req, 0, sizeof(s->req));
	}
	int rc = 0;
	if (sane) {
		if (s->phase == E2C_LOGGING_IN)
			s->received++;
		rc = e2c_on_message(s, from, p + E2EE_PHONE_LEN, len - E2EE_PHONE_LEN, reply);
	} else {
		e2c_show(s, POLYCHAT_UI_ERROR, NULL,
			"dropped a message whose sender field is not a phone number");
	}
	return rc < 0 ? rc : pump(s);
}

static int on_frame(struct e2c_session *s, uint16_t code, const uint8_t *p, size_t len)
{
	const struct polychat_host *host = s->host;
	if (code == E2EE_RESP_MESSAGE)
		return on_message_frame(s, p, len);
	if (s->req.code == 0 || !answers(s->req.code, code)) {
		/* The late answer to an 830 or 827 whose place a push took. */
		if ((code == E2EE_RESP_LISTENING || code == E2EE_RESP_LOGIN) &&
		    (s->phase == E2C_CHAT || s->phase == E2C_LOGGING_IN)) {
			host->log(POLYCHAT_LOG_DEBUG, E2EE_CLIENT_WHO,
				"ignored a %u that answers nothing in flight", (unsigned)code);
			return 0;
		}
		char buf[96];
		if (s->req.code == 0)
			e2c_end(s, "the server sent response %u when no request was waiting for"
				" one: not an e2ee-chat server?", (unsigned)code);
		else
			e2c_end(s, "the server answered %s with response %u: not an e2ee-chat"
				" server?", request_what(&s->req, buf, sizeof(buf)), (unsigned)code);
		return 0;
	}
	struct e2c_request req = s->req;
	memset(&s->req, 0, sizeof(s->req));
	int rc = on_reply(s, &req, code, p, len);
	if (req.text)
		host->wipe_free(req.text, req.text_len + 1);
	return rc < 0 ? rc : pump(s);
}

/* --- the client half's ops --- */

/* e2ee_client_open - see e2ee-client.h. */
int e2ee_client_open(const struct polychat_client_env *env, struct polychat_conn *conn,
	void **session)
{
	const struct polychat_host *host = env->host;
	char why[1024] = "";
	struct e2c_session *s = host->calloc(1, sizeof(*s));
	if (!s)
		return POLYCHAT_ENOMEM;
	s->host = host;
	s->conn = conn;
	s->phase = E2C_REGISTERING;
	pc_lines_init(&s->typed, host, PC_LINES_MAX_COUNT, PC_LINES_MAX_BYTES);
	int registered = 0, rc = POLYCHAT_EINVAL;
	if (!env->state_dir || !*env->state_dir)
		snprintf(why, sizeof(why), "no state directory for the key files");
	else if (!(s->info_path = e2c_path_in(host, env->state_dir, E2C_INFO_FILE)))
		rc = POLYCHAT_ENOMEM;
	else if ((rc = e2c_identity(s, env, &registered, why, sizeof(why))) == 0 &&
		 (rc = e2c_server_key(s, env, why, sizeof(why))) == 0)
		rc = e2c_own_keys(s, env->state_dir, registered, why, sizeof(why));
	if (rc == 0) {
		host->conn_set_input_limit(conn, E2EE_PACKET_MAX);
		if (registered) {
			s->phase = E2C_LOGGING_IN;
			rc = e2c_send(s, E2EE_REQ_LOGIN, NULL, NULL, 0, NULL, 0);
		} else {
			e2c_say(s, POLYCHAT_UI_NOTICE, "registering %s", s->phone);
			rc = e2c_send(s, E2EE_REQ_REGISTER, NULL, NULL, 0, NULL, 0);
		}
	}
	if (rc != 0) {
		if (!why[0])
			snprintf(why, sizeof(why), "cannot start: %s", polychat_strerror(rc));
		e2c_show(s, POLYCHAT_UI_ERROR, NULL, why);
		e2ee_client_close(s, rc);
		return rc;
	}
	*session = s;
	return 0;
}

/* e2ee_client_input - see e2ee-client.h. */
long e2ee_client_input(void *session, const uint8_t *data, size_t len)
{
	struct e2c_session *s = session;
	if (s->phase == E2C_DONE)
		return (long)len;
	uint16_t code = 0;
	const uint8_t *payload = NULL;
	size_t plen = 0;
	long n = e2ee_response_parse(data, len, &code, &payload, &plen);
	if (n == 0)
		return 0;
	if (n < 0) {
		e2c_say(s, POLYCHAT_UI_ERROR, "the server announced a frame of more than %d bytes:"
			" not an e2ee-chat server", E2EE_PACKET_MAX);
		s->phase = E2C_DONE;
		return n;
	}
	int rc = on_frame(s, code, payload, plen);
	if (rc < 0) {
		e2c_say(s, POLYCHAT_UI_ERROR, "session ended: %s", polychat_strerror(rc));
		s->phase = E2C_DONE;
		return rc;
	}
	return n;
}

/* e2ee_client_line - see e2ee-client.h. */
int e2ee_client_line(void *session, const char *line, size_t len)
{
	struct e2c_session *s = session;
	if (s->phase == E2C_DONE)
		return 0;
	if (takes_lines(s) && !pc_lines_waiting(&s->typed))
		return take_line(s, line, len);
	if (len == 0)
		return 0;
	/* A request is in flight (§10: never two): the line waits its turn. */
	int rc = pc_lines_push(&s->typed, line, len);
	if (rc == POLYCHAT_EBUSY) {
		e2c_show(s, POLYCHAT_UI_ERROR, NULL,
			"too many lines typed while waiting for the server: line dropped");
		return 0;
	}
	return rc;
}

/* e2ee_client_close - see e2ee-client.h. */
void e2ee_client_close(void *session, int status)
{
	struct e2c_session *s = session;
	(void)status;
	if (!s)
		return;
	const struct polychat_host *host = s->host;
	e2c_chat_free(s);
	pc_lines_clear(&s->typed);
	if (s->req.text)
		host->wipe_free(s->req.text, s->req.text_len + 1);
	host->wipe(s->dh_priv, sizeof(s->dh_priv));
	/* EVP_PKEY_free clears the private key's numbers. */
	EVP_PKEY_free(s->rsa);
	EVP_PKEY_free(s->server_key);
	host->free(s->pem);
	host->free(s->info_path);
	host->free(s);
}

/* e2ee_client_help - see e2ee-client.h. */
const char *e2ee_client_help(void)
{
	return "  /to PHONE        send the following lines to PHONE (its keys are fetched\n"
	       "                   and checked against the server's signatures)\n"
	       "  /msg PHONE TEXT  send one message to PHONE, keeping the recipient\n"
	       "  /who             show your number and the current recipient\n"
	       "  //text           send a line that starts with /\n";
}
