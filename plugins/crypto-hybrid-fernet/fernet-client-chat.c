/* SPDX-License-Identifier: MIT */
/* The client half of suite `fernet-hybrid` once joined: the key table, announcements, packages out and in, notices (fernet-hybrid.md §4.3, §4.5, §4.6, §5). */
#include <string.h>

#include "../common/pc-json.h"
#include "fernet-client-session.h"
#include "fernet-keys.h"
#include "fernet-package.h"

#define PUBKEY_TAG "PUBKEY::"
#define SEPARATOR "::"
#define WORD_EXIT "exit"

/* Announcements go out at most this often: a burst of join notices (or of
 * spoofed ones, §7) gets one more announcement at the end, not one each. */
#define ANNOUNCE_GAP_MS 500
/* Keys kept at most; a package for more than about ten recipients is
 * over 4096 bytes anyway (§5.5), so more would only be a peer's flood. */
#define KEYS_MAX 256
/* The original server takes a nickname from one recv(4096); a longer
 * one is nobody's, and would only hold memory. */
#define NICK_MAX 4096

/* --- the key table --- */

static struct fc_key *find_key(struct fc_session *s, const char *nick, size_t len)
{
	for (struct fc_key *k = s->keys; k; k = k->next)
		if (k->nick_len == len && memcmp(k->nick, nick, len) == 0)
			return k;
	return NULL;
}

/* Append a key; `key` is the table's on success only. */
static int add_key(struct fc_session *s, const char *nick, size_t len, EVP_PKEY *key)
{
	struct fc_key *k = s->host->calloc(1, sizeof(*k) + len + 1);
	if (!k)
		return POLYCHAT_ENOMEM;
	k->key = key;
	k->nick_len = len;
	memcpy(k->nick, nick, len);
	k->nick[len] = '\0';
	if (s->keys_tail)
		s->keys_tail->next = k;
	else
		s->keys = k;
	s->keys_tail = k;
	s->n_keys++;
	return 0;
}

/* fc_chat_free - see fernet-client-session.h. */
void fc_chat_free(struct fc_session *s)
{
	/* Harmless if the timer was silenced by the connection's close. */
	s->host->timer_stop(s->cooldown);
	s->cooldown = NULL;
	while (s->keys) {
		struct fc_key *next = s->keys->next;
		EVP_PKEY_free(s->keys->key);
		s->host->free(s->keys);
		s->keys = next;
	}
	s->keys_tail = NULL;
	s->n_keys = 0;
}

/* --- announcing our key (§4.5) --- */

/* "PUBKEY::<nick>::<PEM>" in one write. */
static int announce(struct fc_session *s)
{
	const struct polychat_host *host = s->host;
	struct pc_buf b;
	pc_buf_init(&b, host);
	pc_buf_adds(&b, PUBKEY_TAG);
	pc_buf_add(&b, s->nick, s->nick_len);
	pc_buf_adds(&b, SEPARATOR);
	pc_buf_add(&b, s->pem, s->pem_len);
	int rc = b.failed ? POLYCHAT_ENOMEM : 0;
	/* ECLOSED and EBUSY: the connection is going away, the session ends
	 * through close; nothing to report here. */
	if (rc == 0 && host->conn_write(s->conn, (const uint8_t *)b.data, b.len) ==
		POLYCHAT_ENOMEM)
		rc = POLYCHAT_ENOMEM;
	pc_buf_free(&b);
	return rc;
}

static void cooldown_over(void *arg);

/* Announce now, and keep later announcements ANNOUNCE_GAP_MS apart. */
static int announce_paced(struct fc_session *s)
{
	if (s->cooldown) {
		s->announce_due = 1;
		return 0;
	}
	int rc = announce(s);
	if (rc == 0)
		s->cooldown = s->host->conn_timer(s->conn, ANNOUNCE_GAP_MS, 0, cooldown_over, s);
	/* Without a timer (out of memory, closing) the next notice announces
	 * again at once, as the original does. */
	return rc;
}

static void cooldown_over(void *arg)
{
	struct fc_session *s = arg;
	s->cooldown = NULL; /* a one-shot timer is dead once it fired */
	if (s->announce_due && s->state == FC_CHAT) {
		s->announce_due = 0;
		if (announce_paced(s) == POLYCHAT_ENOMEM)
			s->host->conn_close(s->conn, 0, "out of memory");
	}
}

/* fc_joined - see fernet-client-session.h. */
int fc_joined(struct fc_session *s)
{
	const struct polychat_host *host = s->host;
	EVP_PKEY *own = NULL;
	int rc = fernet_pubkey_from_pem((const uint8_t *)s->pem, s->pem_len, &own);
	if (rc == 0 && (rc = add_key(s, s->nick, s->nick_len, own)) != 0)
		EVP_PKEY_free(own);
	if (rc != 0)
		return rc == POLYCHAT_ENOMEM ? rc : POLYCHAT_ECRYPTO;
	host->log(POLYCHAT_LOG_DEBUG, FERNET_CLIENT_WHO, "joined %s", host->conn_peer(s->conn));
	rc = announce_paced(s);
	if (rc != 0)
		return rc;
	fc_say(s, POLYCHAT_UI_NOTICE, "joined the chat as %s; type 'exit' to leave", s->nick);
	host->ui_show(s->conn, POLYCHAT_UI_READY, NULL, NULL, 0);
	return 0;
}

/* --- sending (§4.6) --- */

static int is_exit(const char *line, size_t len)
{
	if (len != strlen(WORD_EXIT))
		return 0;
	/* Python's lower() has no other way to "exit" than ASCII letters. */
	for (size_t i = 0; i < len; i++) {
		char c = line[i];
		if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != WORD_EXIT[i])
			return 0;
	}
	return 1;
}

/* The package of "<nick>: <line>" for every key in the table, in order. */
static int send_line(struct fc_session *s, const char *line, size_t len)
{
	const struct polychat_host *host = s->host;
	struct fernet_recipient *to = host->calloc(s->n_keys, sizeof(*to));
	if (!to)
		return POLYCHAT_ENOMEM;
	size_t n = 0;
	for (struct fc_key *k = s->keys; k; k = k->next)
		to[n++] = (struct fernet_recipient){ k->nick, k->nick_len, k->key, NULL };
	struct pc_buf pt;
	pc_buf_init(&pt, host);
	pc_buf_add(&pt, s->nick, s->nick_len);
	pc_buf_adds(&pt, ": ");
	pc_buf_add(&pt, line, len);
	char *package = NULL;
	size_t package_len = 0;
	int rc = pt.failed ? POLYCHAT_ENOMEM
		: fernet_package_seal(host, (const uint8_t *)pt.data, pt.len, to, n, &package,
			&package_len);
	pc_buf_free(&pt);
	host->free(to);
	if (rc != 0) {
		if (rc != POLYCHAT_ENOMEM)
			fc_say(s, POLYCHAT_UI_ERROR, "message not sent: %s", polychat_strerror(rc));
		return rc == POLYCHAT_ENOMEM ? rc : 0;
	}
	if (package_len > FERNET_PACKAGE_MAX) {
		fc_say(s, POLYCHAT_UI_ERROR, "message not sent: encrypted for %zu members it"
			" takes %zu bytes, more than the %d an original client can read;"
			" send a shorter line", n, package_len, FERNET_PACKAGE_MAX);
	} else if (host->conn_write(s->conn, (const uint8_t *)package, package_len) ==
		POLYCHAT_ENOMEM) {
		rc = POLYCHAT_ENOMEM;
	}
	host->free(package);
	return rc;
}

/* fc_chat_line - see fernet-client-session.h. */
int fc_chat_line(struct fc_session *s, const char *line, size_t len)
{
	if (is_exit(line, len)) {
		/* As the original: nothing is sent, the connection closes. */
		s->state = FC_DONE;
		s->host->conn_close(s->conn, 1, "user typed exit");
		return 0;
	}
	if (len && line[0] == '/') {
		if (len > 1 && line[1] == '/')
			return send_line(s, line + 1, len - 1);
		return POLYCHAT_ENOTSUP;
	}
	/* Empty lines too, as "<nick>: ", as the original. */
	return send_line(s, line, len);
}

/* --- receiving (§4.3) --- */

/* "PUBKEY::<nick>::<PEM>": the first key for a nickname is kept for good. */
static int on_pubkey(struct fc_session *s, const uint8_t *data, const struct fernet_msg *m)
{
	const struct polychat_host *host = s->host;
	const char *nick = (const char *)data + m->nick_off;
	size_t nick_len = m->nick_len, pem_at = m->nick_off + m->nick_len + strlen(SEPARATOR);
	EVP_PKEY *key = NULL;
	/* The original would end its session on bytes that are not UTF-8. */
	if (!pc_utf8_valid(data, m->len) || nick_len > NICK_MAX) {
		host->log(POLYCHAT_LOG_DEBUG, FERNET_CLIENT_WHO, "dropped an announcement that is"
			" not UTF-8 or names no possible member");
		return 0;
	}
	int rc = fernet_pubkey_from_pem(data + pem_at, m->len - pem_at, &key);
	struct fc_key *known = find_key(s, nick, nick_len);
	if (known) {
		/* No key change is ever accepted (§4.3): say so once, since from
		 * now on that member cannot read what we send, or someone else
		 * claims the name. */
		if (rc == 0 && EVP_PKEY_eq(known->key, key) != 1 && !known->warned) {
			known->warned = 1;
			fc_say(s, POLYCHAT_UI_ERROR, "a different key was announced for %s: the"
				" first one is kept (messages stay readable only with it)",
				known->nick);
		}
		EVP_PKEY_free(key);
		return 0;
	}
	if (rc == POLYCHAT_ENOTSUP) {
		fc_say(s, POLYCHAT_UI_ERROR, "ignored the key announced for %.*s: not an RSA key"
			" of %d to %d bits", (int)nick_len, nick, FERNET_RSA_MIN_BITS,
			FERNET_RSA_MAX_BITS);
		return 0;
	}
	if (rc != 0) {
		host->log(POLYCHAT_LOG_DEBUG, FERNET_CLIENT_WHO, "dropped an announcement"
			" without a public key");
		return 0;
	}
	if (s->n_keys >= KEYS_MAX) {
		if (!s->table_full_said)
			fc_say(s, POLYCHAT_UI_ERROR, "more than %d keys announced: further ones are"
				" ignored", KEYS_MAX);
		s->table_full_said = 1;
		EVP_PKEY_free(key);
		return 0;
	}
	rc = add_key(s, nick, nick_len, key);
	if (rc != 0) {
		EVP_PKEY_free(key);
		return rc;
	}
	/* The user learns who can read what they send from now on. */
	fc_say(s, POLYCHAT_UI_NOTICE, "key of %.*s received: %.*s can read your messages"
		" from now on", (int)nick_len, nick, (int)nick_len, nick);
	return 0;
}

/* A package: only ours is opened; whatever fails is dropped silently, as
 * the original does (the error names nothing of the content). */
static int on_package(struct fc_session *s, const uint8_t *data, size_t len)
{
	const struct polychat_host *host = s->host;
	uint8_t *pt = NULL;
	size_t pt_len = 0;
	int rc = fernet_package_open(host, s->priv, s->nick, s->nick_len, data, len, &pt,
		&pt_len);
	if (rc == POLYCHAT_ENOMEM)
		return rc;
	if (rc != 0) {
		host->log(POLYCHAT_LOG_DEBUG, FERNET_CLIENT_WHO, "dropped a package of %zu bytes:"
			" %s", len, rc == POLYCHAT_ENOTFOUND ? "not for us" : polychat_strerror(rc));
		return 0;
	}
	/* "<nick>: <line>" as the sender wrote it: the name in it is not
	 * authenticated (§4.6), so it is shown as text, not as the sender. */
	host->ui_show(s->conn, POLYCHAT_UI_MESSAGE, NULL, pt, pt_len);
	host->wipe_free(pt, pt_len + 1);
	return 0;
}

/* fc_message - see fernet-client-session.h. */
int fc_message(struct fc_session *s, const uint8_t *data, const struct fernet_msg *m)
{
	switch (m->shape) {
	case FERNET_SHAPE_PUBKEY:
		return on_pubkey(s, data, m);
	case FERNET_SHAPE_PACKAGE:
		return on_package(s, data, m->len);
	default:
		break;
	}
	/* A notice; anyone can send one through the original server (§7). */
	if (!pc_utf8_valid(data, m->len)) {
		s->host->log(POLYCHAT_LOG_DEBUG, FERNET_CLIENT_WHO, "dropped a notice that is"
			" not UTF-8");
		return 0;
	}
	s->host->ui_show(s->conn, POLYCHAT_UI_NOTICE, NULL, data, m->len);
	/* A newcomer has no key but from announcements (§4.5). */
	return m->shape == FERNET_SHAPE_JOINED ? announce_paced(s) : 0;
}
