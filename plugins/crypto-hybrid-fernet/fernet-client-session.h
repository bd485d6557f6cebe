/* SPDX-License-Identifier: MIT */
/* The fernet-hybrid client session, shared by its connection half (fernet-client.c) and its chat half (fernet-client-chat.c). */
#ifndef FERNET_CLIENT_SESSION_H
#define FERNET_CLIENT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <polychat/polychat.h>

#include "../common/pc-lines.h"
#include "fernet-shapes.h"

#define FERNET_CLIENT_WHO "fernet-hybrid"

enum fc_state {
	FC_GREETING, /* waiting for the server's "NICK" */
	FC_NAME,     /* waiting for the user to type a nickname */
	FC_REPLY,    /* nickname sent: NICKACCEPT or NICKTAKEN comes */
	FC_CHAT,     /* joined */
	FC_DONE,     /* over: input is dropped, lines are ignored */
};

/* A peer's key, in the order learned (ours first). */
struct fc_key {
	struct fc_key *next;
	EVP_PKEY *key;
	int warned;      /* a different key was announced for this nick: said once */
	size_t nick_len;
	char nick[];     /* NUL-terminated; may hold NULs (json.dumps escapes them) */
};

struct fc_session {
	const struct polychat_host *host;
	struct polychat_conn *conn;
	const char *env_user;          /* --user, for the first attempt only */
	enum fc_state state;
	EVP_PKEY *priv;                /* our key pair */
	char *pem;                     /* our public key, SPKI PEM (§4.5) */
	size_t pem_len;
	char *nick;                    /* the nickname sent, then accepted */
	size_t nick_len;
	struct fc_key *keys, *keys_tail; /* the key table (§4.6) */
	size_t n_keys;
	int table_full_said;
	size_t held;                   /* bytes kept unconsumed by the last input call */
	struct polychat_timer *cooldown; /* running while announcements are paced */
	int announce_due;              /* a join notice came during the cooldown */
	struct pc_lines typed;         /* lines typed before they could go */
};

/* --- fernet-client.c --- */

/* Show `text` (NUL-terminated) as `kind`. */
void fc_show(struct fc_session *s, int kind, const char *text);
/* Show a formatted line of `kind`. */
void fc_say(struct fc_session *s, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- fernet-client-chat.c --- */

/* Our key has just been accepted with our nickname: our key heads the
 * table, the announcement goes out. Returns 0 or a negative code. */
int fc_joined(struct fc_session *s);

/* A typed line once joined: "exit", a "/command" (POLYCHAT_ENOTSUP) or a
 * chat line. Returns 0, POLYCHAT_ENOTSUP or a negative code. */
int fc_chat_line(struct fc_session *s, const char *line, size_t len);

/* One whole message from the server, msg as fernet_next described it.
 * Returns 0 or POLYCHAT_ENOMEM (what does not parse is dropped). */
int fc_message(struct fc_session *s, const uint8_t *data, const struct fernet_msg *msg);

/* Free the key table and stop the announcement pacing. */
void fc_chat_free(struct fc_session *s);

#endif /* FERNET_CLIENT_SESSION_H */
