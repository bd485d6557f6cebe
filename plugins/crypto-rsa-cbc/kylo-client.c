/* SPDX-License-Identifier: MIT */
/* The client half of suite `kylochat`: handshake, login, chat and admin commands (kylochat.md §7.2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "../common/pc-lines.h"
#include "kylo-client.h"
#include "kylo-crypto.h"

#define WHO "kylochat"

/*
 * Caps on what the server may send, as LEN after the prefix. Nothing the
 * server says is near them: sender names and tokens are short, a chat body
 * is at most 464 bytes and the longest command reply a few kilobytes.
 */
#define SF_CAP 65535u
#define IF_CAP (1u << 20)
/* The largest unit the core must buffer: type byte, SF, IF. */
#define UNIT_MAX (1u + KYLO_SHORT + SF_CAP + KYLO_INT + IF_CAP)

/* The original server's login_attempts (§4.2): it closes after the 4th. */
#define LOGIN_ATTEMPTS 4
/*
 * How long after the token "* ready" waits for the "already connected"
 * refusal (§4.3). The original sends it right behind the token, but in
 * separate small writes that Nagle's algorithm may hold back for a delayed
 * ACK; anything else from the server ends the wait at once.
 */
#define READY_GRACE_MS 300
/* How long a chat line waits for its status code before the next line
 * goes: the original client's 5 s, and its words when it runs out. */
#define STATUS_WAIT_MS 5000
#define EXIT_LINE "/exit"
/* The first byte of SF("SERVER") is the low byte of its LEN, 64: where a
 * type byte was expected, it announces the refusal. */
#define REFUSAL_BYTE 0x40

#define PROMPT_USER "username:"
#define PROMPT_PASSWORD "password:"

enum state {
	ST_HELLO,    /* waiting for the ServerHello */
	ST_USER,     /* waiting for the user to type a username */
	ST_USER_ACK, /* SF(username) sent: 0x00 or 0x01 comes */
	ST_PASS,     /* waiting for the user to type a password */
	ST_PASS_ACK, /* SF(password) sent: 0x00 or 0x01 comes */
	ST_TOKEN,    /* waiting for SF(token) */
	ST_CHAT,     /* logged in: units in, lines out */
	ST_DONE,     /* leaving: whatever else arrives is dropped */
};

struct session {
	const struct polychat_host *host;
	struct polychat_conn *conn;
	/* From the client's command line, borrowed for the session; used for
	 * the first attempt only. */
	const char *env_user;
	const char *env_secret;
	enum state state;
	int failures;                  /* failed login attempts */
	struct kylo_keys keys;         /* wiped at close */
	uint8_t *token;                /* wiped at close */
	size_t token_len, token_cap;
	int first_unit;                /* nothing read since the token */
	int ready;                     /* POLYCHAT_UI_READY shown */
	struct polychat_timer *ready_timer;
	int awaiting;                  /* a chat line's status code is due */
	struct polychat_timer *status_timer;
	struct pc_lines typed;         /* lines typed before they could go */
};

/* --- showing things --- */

static void show(struct session *s, int kind, const char *from, const char *text)
{
	s->host->ui_show(s->conn, kind, from, (const uint8_t *)text, strlen(text));
}

static void show_error(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void show_error(struct session *s, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	show(s, POLYCHAT_UI_ERROR, NULL, text);
}

/*
 * `n` bytes read as UTF-8 the way the original client decodes them
 * (Python's errors="replace"): each maximal invalid subsequence becomes
 * one U+FFFD; everything else, control bytes included, stays (the client's
 * display escapes those). With `cstr`, NUL becomes U+FFFD too, since the
 * result is then used as a C string. Returns a NUL-terminated copy from
 * host->alloc of *cap bytes, its length in *out_len, or NULL.
 */
static char *utf8_clean(const struct polychat_host *host, const uint8_t *in,
	size_t n, int cstr, size_t *out_len, size_t *cap)
{
	static const char replacement[] = "\xef\xbf\xbd";
	char *out = host->alloc(3 * n + 1);
	size_t i = 0, o = 0;

	if (!out)
		return NULL;
	while (i < n) {
		uint8_t b = in[i], lo = 0x80, hi = 0xbf;
		size_t need = 0, j = i + 1, k = 0;
		if (b < 0x80) {
			if (b == 0 && cstr) {
				memcpy(out + o, replacement, 3);
				o += 3;
			} else {
				out[o++] = (char)b;
			}
			i++;
			continue;
		}
		/* The second byte's range depends on the first (no overlong
		 * forms, no surrogates, nothing above U+10FFFF). */
		if (b >= 0xc2 && b <= 0xdf) {
			need = 1;
		} else if (b >= 0xe0 && b <= 0xef) {
			need = 2;
			lo = b == 0xe0 ? 0xa0 : 0x80;
			hi = b == 0xed ? 0x9f : 0xbf;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 3;
			lo = b == 0xf0 ? 0x90 : 0x80;
			hi = b == 0xf4 ? 0x8f : 0xbf;
		}
		while (k < need && j < n && in[j] >= (k ? 0x80 : lo) &&
		       in[j] <= (k ? 0xbf : hi)) {
			j++;
			k++;
		}
		if (need && k == need) {
			memcpy(out + o, in + i, j - i);
			o += j - i;
		} else {
			memcpy(out + o, replacement, 3);
			o += 3;
		}
		i = j;
	}
	out[o] = '\0';
	*out_len = o;
	*cap = 3 * n + 1;
	return out;
}

static int drain(struct session *s);

static void show_ready(struct session *s)
{
	s->host->timer_stop(s->ready_timer);
	s->ready_timer = NULL;
	if (s->ready)
		return;
	s->ready = 1;
	s->host->ui_show(s->conn, POLYCHAT_UI_READY, NULL, NULL, 0);
}

/* Send what waits, from a timer: no caller to hand an error to. */
static void drain_now(struct session *s)
{
	int rc = drain(s);
	if (rc < 0)
		show_error(s, "%s", polychat_strerror(rc));
}

static void ready_fired(void *arg)
{
	struct session *s = arg;
	s->ready_timer = NULL;
	show_ready(s);
	drain_now(s);
}

/* No status code in time: say so, as the original does, and go on. */
static void status_fired(void *arg)
{
	struct session *s = arg;
	s->status_timer = NULL;
	s->awaiting = 0;
	show_error(s, "Server response timeout");
	drain_now(s);
}

static void stop_timers(struct session *s)
{
	s->host->timer_stop(s->ready_timer);
	s->ready_timer = NULL;
	s->host->timer_stop(s->status_timer);
	s->status_timer = NULL;
}

/* The session is over: nothing more is shown or sent. */
static void finish(struct session *s)
{
	s->state = ST_DONE;
	stop_timers(s);
}

/* The status codes in the original client's words (its handle_server_error),
 * with what they mean for the user; 100 and 200 acknowledge silently. */
static void show_status(struct session *s, unsigned code)
{
	switch (code) {
	case KYLO_STATUS_COMMAND:
	case KYLO_STATUS_OK:
		return;
	case KYLO_STATUS_BAD_REQUEST:
		show_error(s, "Error: Bad Request - Invalid message format");
		return;
	case KYLO_STATUS_EXPIRED:
		show_error(s, "Error: Unauthorized - Session expired"
			" (token expired or revoked: log in again)");
		return;
	case KYLO_STATUS_FORBIDDEN:
		show_error(s, "Error: Forbidden - No permission"
			" (token refused: unknown token or banned user)");
		return;
	case 500:
		show_error(s, "Error: Internal Server Error");
		return;
	default:
		show_error(s, "Error: Unknown error (%u)", code);
		return;
	}
}

/* A bad frame from the server: say why in the original's words where it
 * has some, and end the session (a client need not be lenient). */
static long frame_error(struct session *s, int rc, int header)
{
	if (rc == POLYCHAT_ETOOBIG)
		show_error(s, "Connection error: a frame longer than the %u bytes"
			" this client accepts", IF_CAP);
	else if (header && rc == POLYCHAT_EPROTO)
		show_error(s, "Connection error: malformed frame length");
	else if (rc == POLYCHAT_ECRYPTO)
		show_error(s, "Connection error: Invalid HMAC");
	else if (rc == POLYCHAT_EPROTO)
		show_error(s, "Connection error: Error decrypting msg with AES");
	else
		show_error(s, "Connection error: %s", polychat_strerror(rc));
	finish(s);
	return rc;
}

/* --- frames --- */

/* Seal `plain` into a frame of `kind` under a fresh IV and write it. */
static int send_frame(struct session *s, unsigned kind, const uint8_t *plain,
	size_t n)
{
	const struct polychat_host *host = s->host;
	uint8_t iv[KYLO_IV_LEN];
	size_t size, len;
	uint8_t *frame;
	int rc = kylo_frame_size(kind, n, &size);

	if (rc < 0)
		return rc;
	frame = host->alloc(size);
	if (!frame)
		return POLYCHAT_ENOMEM;
	rc = host->random(iv, sizeof(iv));
	if (rc == 0)
		rc = kylo_frame_seal(&s->keys, kind, iv, plain, n, frame, size,
			&len);
	/* ECLOSED and EBUSY mean the connection is going away: the session
	 * ends through client_close, nothing to report here. */
	if (rc == 0 && host->conn_write(s->conn, frame, len) == POLYCHAT_ENOMEM)
		rc = POLYCHAT_ENOMEM;
	host->free(frame);
	return rc;
}

/* The frame of `kind` at the start of `data`: 0 with *total = 0 while it
 * is incomplete, 0 with *total its size, or a negative code. */
static int frame_at(const uint8_t *data, size_t len, unsigned kind,
	size_t *total)
{
	size_t cap = kind == KYLO_SHORT ? SF_CAP : IF_CAP;
	int rc = kylo_frame_header(data, len, kind, cap, total);

	if (rc == 0 && len < *total)
		*total = 0;
	return rc;
}

/* SF || IF at the start of `data` (a MESSAGE unit after its type byte, or
 * the refusal): sizes as frame_at gives them. */
static int pair_at(const uint8_t *data, size_t len, size_t *sf, size_t *total)
{
	size_t a, b;
	int rc = frame_at(data, len, KYLO_SHORT, &a);

	*total = 0;
	if (rc < 0 || a == 0)
		return rc;
	rc = frame_at(data + a, len - a, KYLO_INT, &b);
	if (rc < 0 || b == 0)
		return rc;
	*sf = a;
	*total = a + b;
	return 0;
}

/* Open the whole frame of `kind` (`total` bytes, prefix included) into a
 * buffer from host->alloc of `total` bytes (*out, *out_len). */
static int open_frame(struct session *s, const uint8_t *frame, size_t total,
	unsigned kind, uint8_t **out, size_t *out_len)
{
	uint8_t *buf = s->host->alloc(total);
	int rc;

	if (!buf)
		return POLYCHAT_ENOMEM;
	rc = kylo_frame_open(&s->keys, frame + kind, total - kind, buf, total,
		out_len);
	if (rc < 0) {
		s->host->free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

/* Open SF || IF (`sf` and `total` from pair_at) and return both texts made
 * fit to show: the first as a C string. */
static int open_pair(struct session *s, const uint8_t *data, size_t sf,
	size_t total, char **first, size_t *first_cap, char **second,
	size_t *second_len, size_t *second_cap)
{
	const struct polychat_host *host = s->host;
	uint8_t *a = NULL, *b = NULL;
	size_t a_len = 0, b_len = 0, unused;
	int rc = open_frame(s, data, sf, KYLO_SHORT, &a, &a_len);

	if (rc == 0)
		rc = open_frame(s, data + sf, total - sf, KYLO_INT, &b, &b_len);
	if (rc == 0) {
		*first = utf8_clean(host, a, a_len, 1, &unused, first_cap);
		*second = utf8_clean(host, b, b_len, 0, second_len, second_cap);
		if (!*first || !*second) {
			host->wipe_free(*first, *first_cap);
			host->wipe_free(*second, *second_cap);
			rc = POLYCHAT_ENOMEM;
		}
	}
	host->wipe_free(a, sf);
	host->wipe_free(b, total - sf);
	return rc;
}

/* --- login --- */

static void ask_secret(struct session *s)
{
	const struct polychat_host *host = s->host;
	/* ui_secret came with ABI 1.1: an older client has no such member. */
	if (host->size > offsetof(struct polychat_host, ui_secret) &&
	    host->ui_secret)
		host->ui_secret(s->conn, PROMPT_PASSWORD);
	else
		show(s, POLYCHAT_UI_NOTICE, NULL, PROMPT_PASSWORD);
}

/* Wait for a typed username (one may be waiting already). */
static int ask_user(struct session *s)
{
	s->state = ST_USER;
	if (!pc_lines_waiting(&s->typed))
		show(s, POLYCHAT_UI_NOTICE, NULL, PROMPT_USER);
	return drain(s);
}

/* Wait for a typed password. */
static int ask_password(struct session *s)
{
	s->state = ST_PASS;
	if (!pc_lines_waiting(&s->typed))
		ask_secret(s);
	return drain(s);
}

static int send_user(struct session *s, const char *name, size_t len)
{
	int rc = send_frame(s, KYLO_SHORT, (const uint8_t *)name, len);

	if (rc == POLYCHAT_ETOOBIG) {
		show_error(s, "login failed: the username is too long");
		s->state = ST_USER;
		show(s, POLYCHAT_UI_NOTICE, NULL, PROMPT_USER);
		return 0;
	}
	if (rc == 0)
		s->state = ST_USER_ACK;
	return rc;
}

static int send_password(struct session *s, const char *password, size_t len)
{
	int rc = send_frame(s, KYLO_SHORT, (const uint8_t *)password, len);

	if (rc == POLYCHAT_ETOOBIG) {
		show_error(s, "login failed: the password is too long");
		s->state = ST_PASS;
		ask_secret(s);
		return 0;
	}
	if (rc == 0)
		s->state = ST_PASS_ACK;
	return rc;
}

/* The first attempt uses the command line's username if there is one;
 * after a failure (attempt_failed) both are typed, so failed credentials
 * from the command line are never sent twice. */
static int start_login(struct session *s)
{
	if (s->env_user && s->env_user[0])
		return send_user(s, s->env_user, strlen(s->env_user));
	return ask_user(s);
}

/* The username was accepted: the password next. */
static int user_accepted(struct session *s)
{
	if (s->failures == 0 && s->env_secret && s->env_secret[0])
		return send_password(s, s->env_secret, strlen(s->env_secret));
	return ask_password(s);
}

/* A 0x01: the attempt is used up. After the fourth the server closes. */
static int attempt_failed(struct session *s, const char *why)
{
	s->failures++;
	s->host->log(POLYCHAT_LOG_INFO, WHO, "login attempt %d of %d failed (%s)",
		s->failures, LOGIN_ATTEMPTS, s->state == ST_USER_ACK
		? "username" : "password");
	show_error(s, "%s", why);
	if (s->failures >= LOGIN_ATTEMPTS) {
		show_error(s, "login failed %d times: the server closes the"
			" connection", LOGIN_ATTEMPTS);
		finish(s);
		return POLYCHAT_EAUTH;
	}
	return ask_user(s);
}

/* --- chat --- */

static int is_exit(const char *line, size_t len)
{
	return len == sizeof(EXIT_LINE) - 1 && memcmp(line, EXIT_LINE, len) == 0;
}

/*
 * IF(token || text). Like the original, one line at a time: the next waits
 * for this one's status code (or the timeout), so every answer is shown
 * before the next line goes and a script's "/exit" comes last. After
 * "/exit" the server closes without a status, and so do we.
 */
static int send_chat(struct session *s, const char *text, size_t len)
{
	const struct polychat_host *host = s->host;
	size_t n = s->token_len + len;
	uint8_t *plain = host->alloc(n);
	int rc;

	if (!plain)
		return POLYCHAT_ENOMEM;
	memcpy(plain, s->token, s->token_len);
	memcpy(plain + s->token_len, text, len);
	rc = send_frame(s, KYLO_INT, plain, n);
	host->wipe_free(plain, n);
	if (rc == 0 && is_exit(text, len)) {
		finish(s);
		host->conn_close(s->conn, 1, "the user left with /exit");
	} else if (rc == 0) {
		s->status_timer = host->conn_timer(s->conn, STATUS_WAIT_MS, 0,
			status_fired, s);
		s->awaiting = s->status_timer != NULL;
	}
	return rc;
}

/* A typed line in a state that takes one. */
static int take_line(struct session *s, const char *line, size_t len)
{
	switch (s->state) {
	case ST_USER:
		if (len == 0) {
			show(s, POLYCHAT_UI_NOTICE, NULL, PROMPT_USER);
			return 0;
		}
		if (is_exit(line, len)) {
			finish(s);
			s->host->conn_close(s->conn, 1, "the user left with /exit");
			return 0;
		}
		return send_user(s, line, len);
	case ST_PASS:
		/* A password may be anything, "/exit" included; an empty one
		 * cannot be sent (frames are never empty). */
		if (len == 0) {
			ask_secret(s);
			return 0;
		}
		return send_password(s, line, len);
	case ST_CHAT:
		return len ? send_chat(s, line, len) : 0;
	default:
		return 0;
	}
}

/* Whether a typed line can be used now (else it waits its turn). */
static int takes_lines(const struct session *s)
{
	if (s->state == ST_CHAT)
		return s->ready && !s->awaiting;
	return s->state == ST_USER || s->state == ST_PASS;
}

/* The queue's callbacks: its argument is the session. */
static int ready_for_lines(void *arg)
{
	return takes_lines(arg);
}

static int take_waiting(void *arg, const char *line, size_t len)
{
	return take_line(arg, line, len);
}

/* Hand waiting lines over, in order, while the state takes them. */
static int drain(struct session *s)
{
	return pc_lines_drain(&s->typed, ready_for_lines, take_waiting, s);
}

static int enqueue(struct session *s, const char *text, size_t len)
{
	int rc = pc_lines_push(&s->typed, text, len);

	if (rc == POLYCHAT_EBUSY) {
		show_error(s, "too many lines typed before the server answered:"
			" line dropped");
		return 0;
	}
	return rc;
}

/* --- input, by state --- */

static long on_hello(struct session *s, const uint8_t *data, size_t len)
{
	const struct polychat_host *host = s->host;
	uint8_t blocks[KYLO_KEYBLOCK1_LEN + KYLO_KEYBLOCK2_LEN];
	EVP_PKEY *pub = NULL;
	size_t total;
	int rc = kylo_hello_size(data, len, &total);

	if (rc == 0 && (total == 0 || len < total))
		return 0;
	if (rc == 0)
		rc = kylo_hello_parse(data, total, &pub);
	if (rc == 0) {
		rc = kylo_client_handshake(host, pub, &s->keys, blocks);
		EVP_PKEY_free(pub);
	}
	/* KeyBlock1 || KeyBlock2 in one write, as the original sends them
	 * back to back. */
	if (rc == 0 && host->conn_write(s->conn, blocks, sizeof(blocks))
			== POLYCHAT_ENOMEM)
		rc = POLYCHAT_ENOMEM;
	if (rc < 0) {
		show_error(s, "handshake failed: %s", rc == POLYCHAT_EPROTO ||
			rc == POLYCHAT_ETOOBIG ? "the server did not send an"
			" RSA-2048 public key" : polychat_strerror(rc));
		finish(s);
		return rc;
	}
	host->log(POLYCHAT_LOG_DEBUG, WHO, "handshake sent to %s",
		host->conn_peer(s->conn));
	rc = start_login(s);
	return rc < 0 ? rc : (long)total;
}

static long on_login_byte(struct session *s, uint8_t b)
{
	int rc;

	if (b == KYLO_LOGIN_OK && s->state == ST_USER_ACK) {
		rc = user_accepted(s);
	} else if (b == KYLO_LOGIN_OK) {
		s->state = ST_TOKEN;
		rc = 0;
	} else if (b == KYLO_LOGIN_FAILED) {
		rc = attempt_failed(s, s->state == ST_USER_ACK
			? "login failed: unknown or banned user"
			: "login failed: wrong password");
	} else {
		show_error(s, "login failed: Invalid Status Code 0x%02x", b);
		finish(s);
		rc = POLYCHAT_EPROTO;
	}
	return rc < 0 ? rc : 1;
}

static long on_token(struct session *s, const uint8_t *data, size_t len)
{
	const struct polychat_host *host = s->host;
	size_t total;
	int rc = frame_at(data, len, KYLO_SHORT, &total);

	if (rc < 0)
		return frame_error(s, rc, 1);
	if (total == 0)
		return 0;
	rc = open_frame(s, data, total, KYLO_SHORT, &s->token, &s->token_len);
	if (rc < 0)
		return frame_error(s, rc, 0);
	s->token_cap = total;
	if (s->token_len != 36)
		host->log(POLYCHAT_LOG_WARNING, WHO, "the server's token has %zu"
			" bytes, not 36: it will not accept messages", s->token_len);
	host->log(POLYCHAT_LOG_DEBUG, WHO, "logged in");
	s->state = ST_CHAT;
	s->first_unit = 1;
	/* "* ready", and the lines typed so far, once it is clear the
	 * refusal is not coming. */
	s->ready_timer = host->conn_timer(s->conn, READY_GRACE_MS, 0,
		ready_fired, s);
	if (!s->ready_timer) {
		show_ready(s);
		rc = drain(s);
		if (rc < 0)
			return rc;
	}
	return (long)total;
}

/* SF("SERVER") || IF(text) where the first unit was expected, then EOF. */
static long on_refusal(struct session *s, const uint8_t *data, size_t len)
{
	const struct polychat_host *host = s->host;
	char *sender = NULL, *text = NULL;
	size_t sf, total, sender_cap = 0, text_len = 0, text_cap = 0;
	int rc = pair_at(data, len, &sf, &total);

	if (rc < 0)
		return frame_error(s, rc, 1);
	if (total == 0)
		return 0;
	rc = open_pair(s, data, sf, total, &sender, &sender_cap, &text,
		&text_len, &text_cap);
	if (rc < 0)
		return frame_error(s, rc, 0);
	host->ui_show(s->conn, POLYCHAT_UI_ERROR, NULL, (const uint8_t *)text,
		text_len);
	host->wipe_free(sender, sender_cap);
	host->wipe_free(text, text_cap);
	finish(s);
	return POLYCHAT_EEXIST;
}

static long on_message(struct session *s, const uint8_t *data, size_t len)
{
	const struct polychat_host *host = s->host;
	char *sender = NULL, *text = NULL;
	size_t sf, total, sender_cap = 0, text_len = 0, text_cap = 0;
	int rc = pair_at(data + 1, len - 1, &sf, &total);

	if (rc < 0)
		return frame_error(s, rc, 1);
	if (total == 0)
		return 0;
	rc = open_pair(s, data + 1, sf, total, &sender, &sender_cap, &text,
		&text_len, &text_cap);
	if (rc < 0)
		return frame_error(s, rc, 0);
	/* As the original shows it: every sender alike, "SERVER" included,
	 * the text as sent (its colour codes are escaped on display). */
	host->ui_show(s->conn, POLYCHAT_UI_MESSAGE, sender, (const uint8_t *)text,
		text_len);
	host->wipe_free(sender, sender_cap);
	host->wipe_free(text, text_cap);
	return (long)(1 + total);
}

static long on_unit(struct session *s, const uint8_t *data, size_t len)
{
	long used;
	int rc;

	if (s->first_unit && data[0] == REFUSAL_BYTE)
		return on_refusal(s, data, len);
	s->first_unit = 0;
	show_ready(s);
	switch (data[0]) {
	case KYLO_UNIT_MESSAGE:
		used = on_message(s, data, len);
		break;
	case KYLO_UNIT_STATUS:
		if (len < KYLO_STATUS_LEN)
			return 0;
		/* The answer to the line in flight (a late one, after the
		 * timeout, is shown all the same). */
		s->host->timer_stop(s->status_timer);
		s->status_timer = NULL;
		s->awaiting = 0;
		show_status(s, (unsigned)data[1] | (unsigned)data[2] << 8);
		used = KYLO_STATUS_LEN;
		break;
	default:
		/* The original reads one byte at a time and skips what it
		 * does not know. */
		s->host->log(POLYCHAT_LOG_DEBUG, WHO,
			"skipped unknown type byte 0x%02x", data[0]);
		used = 1;
		break;
	}
	if (used <= 0)
		return used;
	rc = drain(s);
	return rc < 0 ? rc : used;
}

/* --- the client half's ops --- */

/* kylo_client_open - see kylo-client.h. */
int kylo_client_open(const struct polychat_client_env *env,
	struct polychat_conn *conn, void **session)
{
	const struct polychat_host *host = env->host;
	struct session *s = host->calloc(1, sizeof(*s));

	if (!s)
		return POLYCHAT_ENOMEM;
	s->host = host;
	s->conn = conn;
	s->env_user = env->user;
	s->env_secret = env->secret;
	s->state = ST_HELLO;
	pc_lines_init(&s->typed, host, PC_LINES_MAX_COUNT, PC_LINES_MAX_BYTES);
	host->conn_set_input_limit(conn, UNIT_MAX);
	*session = s;
	return 0;
}

/* kylo_client_input - see kylo-client.h. */
long kylo_client_input(void *session, const uint8_t *data, size_t len)
{
	struct session *s = session;

	if (len == 0)
		return 0;
	switch (s->state) {
	case ST_HELLO:
		return on_hello(s, data, len);
	case ST_USER_ACK:
	case ST_PASS_ACK:
		return on_login_byte(s, data[0]);
	case ST_TOKEN:
		return on_token(s, data, len);
	case ST_CHAT:
		return on_unit(s, data, len);
	case ST_DONE:
		return (long)len;
	default:
		/* Waiting for the user: the server speaks only when spoken
		 * to, so anything now waits its turn. */
		return 0;
	}
}

/* kylo_client_line - see kylo-client.h. */
int kylo_client_line(void *session, const char *line, size_t len)
{
	struct session *s = session;

	if (s->state == ST_DONE)
		return 0;
	if (takes_lines(s) && !pc_lines_waiting(&s->typed))
		return take_line(s, line, len);
	/* Too early (handshake, or a server answer pending): keep it, in
	 * order. An empty line carries nothing worth keeping. */
	return len ? enqueue(s, line, len) : 0;
}

/* kylo_client_close - see kylo-client.h. */
void kylo_client_close(void *session, int status)
{
	struct session *s = session;
	const struct polychat_host *host;

	(void)status;
	if (!s)
		return;
	host = s->host;
	stop_timers(s);
	kylo_keys_wipe(host, &s->keys);
	host->wipe_free(s->token, s->token_cap);
	pc_lines_clear(&s->typed);
	host->free(s);
}

/* kylo_client_help - see kylo-client.h. */
const char *kylo_client_help(void)
{
	return "  /exit                       leave (the others are told)\n"
	       "  Admin commands, answered by the server (admins only):\n"
	       "  /help server                the server's list of them\n"
	       "  /user_id NAME               a user's id\n"
	       "  /ban ID   /unban ID         ban or unban a user\n"
	       "  /isAdmin ID   /isBanned ID  ask about a user\n"
	       "  /usrpw ID NEWPASSWORD       set a user's password\n"
	       "  /lsip                       the connected IP addresses\n"
	       "  /mkusr NAME PW EMAIL ADMIN  create a user (ADMIN true/false)\n"
	       "  /rvktk TOKEN   /rmtk TOKEN  revoke or delete a token\n"
	       "  /showtk N                   list N tokens\n";
}
