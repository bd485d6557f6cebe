/* SPDX-License-Identifier: MIT */
/* The client half of suite `fernet-hybrid`: keys at start, the nickname handshake, splitting what arrives into messages, the typed-line queue (fernet-hybrid.md §2, §4.1, §4.2, §4.4). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../common/pc-json.h"
#include "fernet-client.h"
#include "fernet-client-session.h"
#include "fernet-keys.h"

#define NICK "NICK"
#define NICKACCEPT "NICKACCEPT"
#define NICKTAKEN "NICKTAKEN"

/*
 * How much of a message that has not ended yet is kept. A package the
 * original can read is at most 4096 bytes and an announcement about 470;
 * sixteen times that covers large RSA keys and pieces of longer packages
 * from other implementations. The core's input limit is the same, so what
 * is kept never makes it close the connection.
 */
#define HOLD_CAP 65536u

#define PROMPT_NICK "nickname:"

/* Two of our writes must not reach the original server in one recv(): it
 * would relay them as one chunk, which original clients misread (§2). */
#define WRITE_GAP_MS 50

/* --- showing things --- */

/* fc_show - see fernet-client-session.h. */
void fc_show(struct fc_session *s, int kind, const char *text)
{
	s->host->ui_show(s->conn, kind, NULL, (const uint8_t *)text, strlen(text));
}

/* fc_say - see fernet-client-session.h. */
void fc_say(struct fc_session *s, int kind, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fc_show(s, kind, text);
}

/* The session is over: whatever else arrives is dropped. */
static long finish(struct fc_session *s, int rc)
{
	s->state = FC_DONE;
	return rc;
}

/* --- the typed-line queue --- */

static int enqueue(struct fc_session *s, const char *text, size_t len)
{
	int rc = pc_lines_push(&s->typed, text, len);
	if (rc == POLYCHAT_EBUSY) {
		fc_show(s, POLYCHAT_UI_ERROR,
			"too many lines typed before joining the chat: line dropped");
		return 0;
	}
	return rc;
}

/* Whether a typed line can be used now (else it waits its turn). */
static int takes_lines(const struct fc_session *s)
{
	return s->state == FC_NAME || s->state == FC_CHAT;
}

static int take_line(struct fc_session *s, const char *line, size_t len);

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
		fc_say(arg, POLYCHAT_UI_ERROR, "unknown command %s (/help lists commands)", line);
		rc = 0;
	}
	return rc;
}

/* Hand waiting lines over, in order, while the state takes them. */
static int drain(struct fc_session *s)
{
	int rc = pc_lines_drain(&s->typed, ready_for_lines, take_waiting, s);
	/* The session is over (the user left): what still waits will never go. */
	if (s->state == FC_DONE)
		pc_lines_clear(&s->typed);
	return rc;
}

/* --- the nickname (§4.2) --- */

/* Wait for a typed nickname (one may be waiting already). */
static int ask_nick(struct fc_session *s)
{
	s->state = FC_NAME;
	if (!pc_lines_waiting(&s->typed))
		fc_show(s, POLYCHAT_UI_NOTICE, PROMPT_NICK);
	return drain(s);
}

static int ends_with(const char *s, size_t len, const char *tail)
{
	size_t n = strlen(tail);
	return len >= n && memcmp(s + len - n, tail, n) == 0;
}

/* Why `nick` cannot be used, or NULL. The original refuses nothing, but
 * an empty name hangs it and its server, and the others break what the
 * name travels in: announcements (the name ends at the first "::"), the
 * server's notices (read by their shape: a '{' starts a package), and
 * the original server itself (which dies on a name that is not UTF-8). */
static const char *nick_refused(const char *nick, size_t len)
{
	if (len == 0)
		return "the nickname cannot be empty";
	if (len > POLYCHAT_NAME_MAX)
		return "the nickname is too long (at most 255 bytes)";
	if (!pc_utf8_valid((const uint8_t *)nick, len))
		return "the nickname is not valid UTF-8";
	if (nick[0] == '{' || ends_with(nick, len, " joined the chat!") ||
	    ends_with(nick, len, " left the chat."))
		return "the nickname would make notices about it unreadable";
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)nick[i] < 0x20 || nick[i] == 0x7f)
			return "the nickname cannot hold control characters";
		if (i + 1 < len && nick[i] == ':' && nick[i + 1] == ':')
			return "the nickname cannot hold \"::\"";
	}
	return NULL;
}

/* Send `nick` (one write, as the original), or refuse it and ask again. */
static int try_nick(struct fc_session *s, const char *nick, size_t len)
{
	const struct polychat_host *host = s->host;
	const char *why = nick_refused(nick, len);
	if (why) {
		fc_show(s, POLYCHAT_UI_ERROR, why);
		return ask_nick(s);
	}
	char *copy = host->alloc(len + 1);
	if (!copy)
		return POLYCHAT_ENOMEM;
	memcpy(copy, nick, len);
	copy[len] = '\0';
	int rc = host->conn_write(s->conn, (const uint8_t *)nick, len);
	if (rc == POLYCHAT_ENOMEM) {
		host->free(copy);
		return rc;
	}
	host->free(s->nick);
	s->nick = copy;
	s->nick_len = len;
	s->state = FC_REPLY;
	return 0;
}

/* A typed line in a state that takes one. */
static int take_line(struct fc_session *s, const char *line, size_t len)
{
	switch (s->state) {
	case FC_NAME:
		return try_nick(s, line, len);
	case FC_CHAT:
		return fc_chat_line(s, line, len);
	default:
		return 0;
	}
}

/* --- the handshake --- */

/* Whether data[0..len) starts with `word`, or could still become it. */
static int starts(const uint8_t *data, size_t len, const char *word, int *partial)
{
	size_t n = strlen(word);
	*partial = len < n && memcmp(data, word, len) == 0;
	return len >= n && memcmp(data, word, n) == 0;
}

/* "NICK", exactly (the original greets with nothing else). */
static long on_greeting(struct fc_session *s, const uint8_t *data, size_t len)
{
	int partial;
	if (!starts(data, len, NICK, &partial)) {
		if (partial)
			return 0;
		fc_show(s, POLYCHAT_UI_ERROR, "the server did not greet with NICK:"
			" not a fernet-hybrid server");
		return finish(s, POLYCHAT_EPROTO);
	}
	int rc = s->env_user ? try_nick(s, s->env_user, strlen(s->env_user)) : ask_nick(s);
	if (rc < 0)
		return finish(s, rc);
	return (long)strlen(NICK);
}

/*
 * The answer to our nickname. The original client wants it alone in its
 * read, and takes NICKACCEPT followed by anything as a refusal (§4.2);
 * here what follows NICKACCEPT is simply the first message of the chat,
 * since nothing else starts with those ten bytes.
 */
static long on_reply(struct fc_session *s, const uint8_t *data, size_t len)
{
	int partial_accept, partial_taken;
	if (starts(data, len, NICKACCEPT, &partial_accept)) {
		s->state = FC_CHAT;
		int rc = fc_joined(s);
		if (rc == 0)
			rc = drain(s);
		if (rc < 0)
			return finish(s, rc);
		return (long)strlen(NICKACCEPT);
	}
	if (starts(data, len, NICKTAKEN, &partial_taken)) {
		/* polychatd answers NICKTAKEN for names it does not allow, too. */
		fc_say(s, POLYCHAT_UI_ERROR, "the nickname %s is taken (or not allowed by the"
			" server): connect again with another one (--user NAME)", s->nick);
		return finish(s, POLYCHAT_EEXIST);
	}
	if (partial_accept || partial_taken)
		return 0;
	fc_show(s, POLYCHAT_UI_ERROR, "the server answered the nickname with neither"
		" NICKACCEPT nor NICKTAKEN: not a fernet-hybrid server");
	return finish(s, POLYCHAT_EPROTO);
}

/* --- messages once joined (§4.4) --- */

/* The first offset after 0 where a package or an announcement starts, or
 * len. Announcements count only whole ("PUBKEY::"): a 'P' at the end of
 * the bytes may as well belong to a notice still arriving. */
static size_t next_start(const uint8_t *data, size_t len)
{
	static const char tag[] = "PUBKEY::";
	for (size_t i = 1; i < len; i++) {
		if (data[i] == '{')
			return i;
		if (len - i >= strlen(tag) && memcmp(data + i, tag, strlen(tag)) == 0)
			return i;
	}
	return len;
}

static long drop(struct fc_session *s, size_t n, const char *why)
{
	s->host->log(POLYCHAT_LOG_DEBUG, FERNET_CLIENT_WHO, "dropped %zu bytes %s", n, why);
	return (long)n;
}

/*
 * One message off the stream. Shapes decide where a message ends, not
 * reads (§2: the server's writes coalesce and split on the way). Bytes
 * that start no message are the one case where the read boundary helps:
 *  - bytes kept from before that, with the new read, still form no
 *    message are dropped when the new read alone starts one (what a
 *    stray '{' or a chunk of garbage from a peer would otherwise swallow);
 *  - bytes of no known shape are dropped up to the next '{' or
 *    "PUBKEY::";
 *  - the rest is kept, up to HOLD_CAP, as a message still arriving (a
 *    notice has no beginning to recognise it by).
 */
static long on_stream(struct fc_session *s, const uint8_t *data, size_t len)
{
	size_t held = s->held;
	struct fernet_msg m;
	s->held = 0;
	/* An announcement counts as whole at its END line's dashes: when the
	 * bytes stop right there, its line end comes after it. No message
	 * starts with one. */
	if (data[0] == '\r' || data[0] == '\n')
		return 1;
	int r = fernet_next(data, len, 1, &m);
	if (r == FERNET_COMPLETE) {
		int rc = fc_message(s, data, &m);
		return rc < 0 ? finish(s, rc) : (long)m.len;
	}
	if (held && held < len && fernet_next(data + held, len - held, 1, &m) == FERNET_COMPLETE)
		return drop(s, held, "that form no message before a new one");
	if (r == FERNET_UNKNOWN) {
		size_t start = next_start(data, len);
		if (start < len)
			return drop(s, start, "of no known shape");
	}
	if (len >= HOLD_CAP) {
		fc_say(s, POLYCHAT_UI_ERROR, "dropped %zu bytes from the server that do not end"
			" a message", len);
		return (long)len;
	}
	s->held = len;
	return 0;
}

/* --- the client half's ops --- */

/* fernet_client_open - see fernet-client.h. */
int fernet_client_open(const struct polychat_client_env *env, struct polychat_conn *conn,
	void **session)
{
	const struct polychat_host *host = env->host;
	char why[512];
	struct fc_session *s = host->calloc(1, sizeof(*s));
	if (!s)
		return POLYCHAT_ENOMEM;
	s->host = host;
	s->conn = conn;
	s->env_user = env->user;
	s->state = FC_GREETING;
	pc_lines_init(&s->typed, host, PC_LINES_MAX_COUNT, PC_LINES_MAX_BYTES);
	/* Loading is quick; generating the first time takes 50-100 ms on the
	 * loop, before anything else happens on this connection: the server
	 * waits for our nickname anyway. */
	int rc = POLYCHAT_EINVAL;
	if (!env->state_dir)
		snprintf(why, sizeof(why), "no state directory for the key files");
	else
		rc = fernet_keys_load_or_create(host, env->state_dir, &s->priv, NULL, why,
			sizeof(why));
	if (rc == 0)
		rc = fernet_pubkey_pem(host, s->priv, &s->pem, &s->pem_len);
	if (rc != 0) {
		if (rc == POLYCHAT_ENOMEM || !why[0])
			snprintf(why, sizeof(why), "cannot set up the key pair: %s",
				polychat_strerror(rc));
		host->ui_show(conn, POLYCHAT_UI_ERROR, NULL, (const uint8_t *)why, strlen(why));
		fernet_client_close(s, rc);
		return rc;
	}
	host->conn_set_input_limit(conn, HOLD_CAP);
	host->conn_set_write_gap(conn, WRITE_GAP_MS);
	*session = s;
	return 0;
}

/* fernet_client_input - see fernet-client.h. */
long fernet_client_input(void *session, const uint8_t *data, size_t len)
{
	struct fc_session *s = session;
	if (len == 0)
		return 0;
	switch (s->state) {
	case FC_GREETING:
		return on_greeting(s, data, len);
	case FC_NAME:
		/* The server says nothing until it has our nickname. */
		fc_show(s, POLYCHAT_UI_ERROR, "the server sent data before the nickname:"
			" not a fernet-hybrid server");
		return finish(s, POLYCHAT_EPROTO);
	case FC_REPLY:
		return on_reply(s, data, len);
	case FC_CHAT:
		return on_stream(s, data, len);
	default:
		return (long)len;
	}
}

/* fernet_client_line - see fernet-client.h. */
int fernet_client_line(void *session, const char *line, size_t len)
{
	struct fc_session *s = session;
	if (s->state == FC_DONE)
		return 0;
	if (takes_lines(s) && !pc_lines_waiting(&s->typed))
		return take_line(s, line, len);
	/* Too early (before the greeting, or while the server decides on the
	 * nickname): kept, in order. */
	return enqueue(s, line, len);
}

/* fernet_client_close - see fernet-client.h. */
void fernet_client_close(void *session, int status)
{
	struct fc_session *s = session;
	(void)status;
	if (!s)
		return;
	const struct polychat_host *host = s->host;
	fc_chat_free(s);
	pc_lines_clear(&s->typed);
	/* EVP_PKEY_free clears the private key's numbers. */
	EVP_PKEY_free(s->priv);
	host->free(s->pem);
	if (s->nick)
		host->wipe_free(s->nick, s->nick_len + 1);
	host->free(s);
}

/* fernet_client_help - see fernet-client.h. */
const char *fernet_client_help(void)
{
	return "  exit            leave the chat (any case; as the original client)\n"
	       "  //text          send a line that starts with /\n";
}
