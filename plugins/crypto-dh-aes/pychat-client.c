/* SPDX-License-Identifier: MIT */
/* The client half of suite `pychat`: framing, handshake, registration and the typed-line queue (pychat.md §2, §6.5). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pychat-client.h"
#include "pychat-client-session.h"

/*
 * Caps on what the server may declare. The handshake frames are under a
 * kilobyte; afterwards an export reply carries the whole chat log, so the
 * cap is generous (the core buffers at most one frame of it).
 */
#define HANDSHAKE_CAP 65536u
#define FRAME_CAP (16u << 20)

/* §2.1: the original server's 10-byte reads need a pause between frames. */
#define WRITE_GAP_MS 100

#define PROMPT_USER "username:"

/* --- showing things --- */

/* pyc_show - see pychat-client-session.h. */
void pyc_show(struct pyc_session *s, int kind, const char *from, const char *text)
{
	s->host->ui_show(s->conn, kind, from, (const uint8_t *)text, strlen(text));
}

/* pyc_error - see pychat-client-session.h. */
void pyc_error(struct pyc_session *s, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pyc_show(s, POLYCHAT_UI_ERROR, NULL, text);
}

/* The session is over: whatever else arrives is dropped. */
static long finish(struct pyc_session *s, int rc)
{
	s->state = PYC_DONE;
	pychat_dh_clear(&s->dh);
	return rc;
}

/* --- the typed-line queue --- */

static int enqueue(struct pyc_session *s, const char *text, size_t len)
{
	int rc = pc_lines_push(&s->typed, text, len);
	if (rc == POLYCHAT_EBUSY) {
		pyc_error(s, "too many lines typed before the server answered: line dropped");
		return 0;
	}
	return rc;
}

/* Whether a typed line can be used now (else it waits its turn). */
static int takes_lines(const struct pyc_session *s)
{
	return s->state == PYC_NAME || s->state == PYC_CHAT;
}

static int take_line(struct pyc_session *s, const char *line, size_t len);

/* The queue's callbacks: its argument is the session. */
static int ready_for_lines(void *arg)
{
	return takes_lines(arg);
}

static int take_waiting(void *arg, const char *line, size_t len)
{
	int rc = take_line(arg, line, len);
	/* Nobody is left to hand ENOTSUP to: say it as the client does. */
	if (rc == POLYCHAT_ENOTSUP) {
		pyc_error(arg, "unknown command %s (/help lists commands)", line);
		rc = 0;
	}
	return rc;
}

/* Hand waiting lines over, in order, while the state takes them. */
static int drain(struct pyc_session *s)
{
	return pc_lines_drain(&s->typed, ready_for_lines, take_waiting, s);
}

/* --- registration (§6.2) --- */

/* Wait for a typed username (one may be waiting already). */
static int ask_name(struct pyc_session *s)
{
	s->state = PYC_NAME;
	if (!pc_lines_waiting(&s->typed))
		pyc_show(s, POLYCHAT_UI_NOTICE, NULL, PROMPT_USER);
	return drain(s);
}

/* Send setuser for `name`, or refuse it locally as the original client
 * does (the server checks neither). */
static int try_name(struct pyc_session *s, const char *name, size_t len)
{
	if (len == 0) {
		pyc_error(s, "the username cannot be empty");
		return ask_name(s);
	}
	if (len == strlen(PYCHAT_SERVER_NAME) && memcmp(name, PYCHAT_SERVER_NAME, len) == 0) {
		pyc_error(s, "the username %s is the server's", PYCHAT_SERVER_NAME);
		return ask_name(s);
	}
	char *copy = s->host->alloc(len + 1);
	if (!copy)
		return POLYCHAT_ENOMEM;
	memcpy(copy, name, len);
	copy[len] = '\0';
	/* The original client sends setuser as "temp", not yet anyone. */
	int rc = pyc_send(s, 1, PYCHAT_T_SETUSER, "temp", 4, name, len);
	if (rc < 0) {
		s->host->wipe_free(copy, len + 1);
		return rc;
	}
	s->host->wipe_free(s->wanted, s->wanted_len + 1);
	s->wanted = copy;
	s->wanted_len = len;
	s->state = PYC_NAME_ACK;
	return 0;
}

static int cont_is(const struct pychat_envelope *env, const char *text)
{
	return env->cont_type == PC_JSON_STRING && env->cont_len == strlen(text) &&
		memcmp(env->cont, text, env->cont_len) == 0;
}

/*
 * Whether a frame that came after setuser is its reply. The original
 * client takes whatever frame comes first; but the original server also
 * relays chat and leave notices to connections that have not registered,
 * and those (always `default`, or from a user) would then pass for the
 * approval. They are shown as what they are and the reply is still
 * awaited.
 */
static int is_setuser_reply(const struct pychat_envelope *env)
{
	if (pyc_typ_is(env, PYCHAT_T_APPROVED) || pyc_typ_is(env, PYCHAT_T_TAKEN))
		return 1;
	return pyc_from_server(env) && !pyc_typ_is(env, PYCHAT_T_DEFAULT);
}

static int on_setuser_reply(struct pyc_session *s, const struct pychat_envelope *env)
{
	const struct polychat_host *host = s->host;
	if (!is_setuser_reply(env))
		return pyc_dispatch(s, env);
	/* The original decides by the text alone; its typ says the same. */
	if (cont_is(env, PYCHAT_TAKEN_TEXT) || pyc_typ_is(env, PYCHAT_T_TAKEN)) {
		host->ui_show(s->conn, POLYCHAT_UI_ERROR, NULL, (const uint8_t *)env->cont,
			env->cont_len);
		host->wipe_free(s->wanted, s->wanted_len + 1);
		s->wanted = NULL;
		s->wanted_len = 0;
		return ask_name(s);
	}
	host->wipe_free(s->name, s->name_len + 1);
	s->name = s->wanted;
	s->name_len = s->wanted_len;
	s->wanted = NULL;
	s->wanted_len = 0;
	s->state = PYC_CHAT;
	host->log(POLYCHAT_LOG_DEBUG, PYCHAT_CLIENT_WHO, "registered with %s",
		host->conn_peer(s->conn));
	host->ui_show(s->conn, POLYCHAT_UI_NOTICE, NULL, (const uint8_t *)env->cont,
		env->cont_len);
	host->ui_show(s->conn, POLYCHAT_UI_READY, NULL, NULL, 0);
	return drain(s);
}

/* A typed line in a state that takes one. */
static int take_line(struct pyc_session *s, const char *line, size_t len)
{
	switch (s->state) {
	case PYC_NAME:
		return try_name(s, line, len);
	case PYC_CHAT:
		return pyc_chat_line(s, line, len);
	default:
		return 0;
	}
}

/* --- the handshake (§6.1, §6.5) --- */

/* A clear frame of the handshake: the original client crashes on
 * anything else, this one says so and ends the session. */
static int open_handshake_frame(struct pyc_session *s, const uint8_t *payload, size_t n,
	const char *which, struct pychat_envelope *env)
{
	if (!pychat_payload_is_clear(payload, n)) {
		pyc_error(s, "handshake failed: the server's %s frame is not in clear"
			" (iv_exc, then key_exc, expected)", which);
		return POLYCHAT_EPROTO;
	}
	int rc = pychat_open_clear(s->host, payload, n, 0, env);
	if (rc == POLYCHAT_EPROTO)
		pyc_error(s, "handshake failed: the server's %s frame is not a pyChat message",
			which);
	return rc;
}

/* Frame 1: its cont is the IV, whatever its typ (as the original reads it). */
static int on_iv(struct pyc_session *s, const uint8_t *payload, size_t n)
{
	struct pychat_envelope env;
	int rc = open_handshake_frame(s, payload, n, "first", &env);
	if (rc < 0)
		return rc;
	uint8_t iv[PYCHAT_IV_B64_LEN / 4 * 3];
	size_t iv_len = 0;
	if (env.cont_len != PYCHAT_IV_B64_LEN ||
	    pc_b64_decode(env.cont, env.cont_len, iv, &iv_len) != 0 ||
	    iv_len != PYCHAT_IV_LEN) {
		pyc_error(s, "handshake failed: the server's IV is not 16 bytes in Base64");
		rc = POLYCHAT_EPROTO;
	} else {
		memcpy(s->iv, iv, PYCHAT_IV_LEN);
		s->state = PYC_KEY;
	}
	pychat_envelope_free(s->host, &env);
	return rc;
}

/* Frame 2: the server's public value. Ours goes back in clear, then the
 * exponent is no longer needed. */
static int on_server_key(struct pyc_session *s, const uint8_t *payload, size_t n)
{
	const struct polychat_host *host = s->host;
	struct pychat_envelope env;
	int rc = open_handshake_frame(s, payload, n, "second", &env);
	if (rc < 0)
		return rc;
	/* A millisecond or two of modular exponentiation on the loop: the
	 * client has this one connection, nothing else waits behind it. */
	rc = pychat_dh_generate(&s->dh);
	if (rc == 0) {
		rc = pychat_dh_derive(&s->dh, env.cont, env.cont_len, s->key);
		if (rc == POLYCHAT_EPROTO)
			pyc_error(s, "handshake failed: the server's Diffie-Hellman value is"
				" refused (it must be a number from 2 to p-2)");
	}
	pychat_envelope_free(host, &env);
	if (rc == 0)
		rc = pyc_send(s, 0, PYCHAT_T_KEY, "temp", 4, s->dh.pub, s->dh.pub_len);
	pychat_dh_clear(&s->dh);
	if (rc < 0) {
		if (rc != POLYCHAT_EPROTO)
			pyc_error(s, "handshake failed: %s", polychat_strerror(rc));
		return rc;
	}
	host->log(POLYCHAT_LOG_DEBUG, PYCHAT_CLIENT_WHO, "key exchanged with %s",
		host->conn_peer(s->conn));
	host->conn_set_input_limit(s->conn, PYCHAT_HEADER_LEN + FRAME_CAP);
	/* The first attempt uses the command line's name if there is one. */
	if (s->env_user)
		return try_name(s, s->env_user, strlen(s->env_user));
	return ask_name(s);
}

/* --- frames after the handshake --- */

/*
 * Open a frame by the original's rule (§4.4: clear if it mentions iv_exc
 * or key_exc). One that does not open is dropped with an error line: the
 * original server can seal a frame under another client's key when
 * several talk at once (§8), which is no reason to leave.
 */
static int on_frame(struct pyc_session *s, const uint8_t *payload, size_t n)
{
	const struct polychat_host *host = s->host;
	struct pychat_envelope env;
	int rc = pychat_payload_is_clear(payload, n)
		? pychat_open_clear(host, payload, n, 1, &env)
		: pychat_open_sealed(host, s->key, s->iv, payload, n, 1, &env);
	if (rc == POLYCHAT_ENOMEM)
		return rc;
	if (rc < 0) {
		pyc_error(s, "dropped a frame from the server that does not decrypt"
			" to a pyChat message (%zu bytes)", n);
		return 0;
	}
	rc = s->state == PYC_NAME_ACK ? on_setuser_reply(s, &env) : pyc_dispatch(s, &env);
	pychat_envelope_free(host, &env);
	return rc;
}

/* --- the client half's ops --- */

/* pychat_client_open - see pychat-client.h. */
int pychat_client_open(const struct polychat_client_env *env, struct polychat_conn *conn,
	void **session)
{
	const struct polychat_host *host = env->host;
	struct pyc_session *s = host->calloc(1, sizeof(*s));
	if (!s)
		return POLYCHAT_ENOMEM;
	s->host = host;
	s->conn = conn;
	s->env_user = env->user;
	s->state = PYC_IV;
	pc_lines_init(&s->typed, host, PC_LINES_MAX_COUNT, PC_LINES_MAX_BYTES);
	host->conn_set_write_gap(conn, WRITE_GAP_MS);
	host->conn_set_input_limit(conn, PYCHAT_HEADER_LEN + HANDSHAKE_CAP);
	*session = s;
	return 0;
}

/* pychat_client_input - see pychat-client.h. */
long pychat_client_input(void *session, const uint8_t *data, size_t len)
{
	struct pyc_session *s = session;
	if (s->state == PYC_DONE)
		return (long)len;
	if (len < PYCHAT_HEADER_LEN)
		return 0;
	int handshake = s->state == PYC_IV || s->state == PYC_KEY;
	size_t cap = handshake ? HANDSHAKE_CAP : FRAME_CAP, n = 0;
	int rc = pychat_header_parse(data, cap, &n);
	if (rc == POLYCHAT_ETOOBIG) {
		pyc_error(s, "connection error: the server announced a frame of more than"
			" the %zu bytes this client accepts", cap);
		return finish(s, rc);
	}
	if (rc < 0) {
		pyc_error(s, "connection error: malformed frame header");
		return finish(s, rc);
	}
	if (len - PYCHAT_HEADER_LEN < n)
		return 0;
	const uint8_t *payload = data + PYCHAT_HEADER_LEN;
	if (s->state == PYC_IV)
		rc = on_iv(s, payload, n);
	else if (s->state == PYC_KEY)
		rc = on_server_key(s, payload, n);
	else
		rc = on_frame(s, payload, n);
	if (rc < 0)
		return finish(s, rc);
	return (long)(PYCHAT_HEADER_LEN + n);
}

/* pychat_client_line - see pychat-client.h. */
int pychat_client_line(void *session, const char *line, size_t len)
{
	struct pyc_session *s = session;
	if (s->state == PYC_DONE)
		return 0;
	if (takes_lines(s) && !pc_lines_waiting(&s->typed))
		return take_line(s, line, len);
	/* Too early (handshake, or the server's answer to setuser pending):
	 * keep it, in order. An empty line carries nothing worth keeping. */
	return len ? enqueue(s, line, len) : 0;
}

/* pychat_client_close - see pychat-client.h. */
void pychat_client_close(void *session, int status)
{
	struct pyc_session *s = session;
	(void)status;
	if (!s)
		return;
	const struct polychat_host *host = s->host;
	host->wipe(s->key, sizeof(s->key));
	pychat_dh_clear(&s->dh);
	host->wipe_free(s->name, s->name_len + 1);
	host->wipe_free(s->wanted, s->wanted_len + 1);
	pc_lines_clear(&s->typed);
	pyc_exports_free(s);
	host->free(s);
}

/* pychat_client_help - see pychat-client.h. */
const char *pychat_client_help(void)
{
	return "  /export FILE    save the server's chat log to FILE (a new file)\n"
	       "  [export_chat]   show the server's chat log\n"
	       "  [help]          the server's list of commands\n"
	       "  //text          send a line that starts with /\n";
}
