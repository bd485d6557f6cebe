/* SPDX-License-Identifier: MIT */
/* The pychat client session, shared by its connection half (pychat-client.c) and its chat half (pychat-client-chat.c). */
#ifndef PYCHAT_CLIENT_SESSION_H
#define PYCHAT_CLIENT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/polychat.h>

#include "../common/pc-lines.h"
#include "pychat-wire.h"

#define PYCHAT_CLIENT_WHO "pychat"

enum pyc_state {
	PYC_IV,       /* waiting for frame 1: the IV */
	PYC_KEY,      /* waiting for frame 2: the server's DH value */
	PYC_NAME,     /* waiting for the user to type a username */
	PYC_NAME_ACK, /* setuser sent: its reply comes */
	PYC_CHAT,     /* registered */
	PYC_DONE,     /* over: input is dropped, lines are ignored */
};

/* An export asked for and not answered yet: where its reply goes. */
struct pyc_export {
	struct pyc_export *next;
	size_t path_len; /* 0: on screen ([export_chat]) */
	char path[];
};

struct pyc_session {
	const struct polychat_host *host;
	struct polychat_conn *conn;
	const char *env_user;          /* --user, for the first attempt only */
	enum pyc_state state;
	uint8_t iv[PYCHAT_IV_LEN];
	uint8_t key[PYCHAT_KEY_LEN];   /* wiped at close */
	struct pychat_dh dh;           /* cleared once key_exc is out */
	char *name;                    /* the accepted username */
	size_t name_len;
	char *wanted;                  /* the name in the setuser in flight */
	size_t wanted_len;
	struct pc_lines typed;         /* lines typed before they could go */
	struct pyc_export *exports, *exports_tail; /* in the order asked */
	size_t exports_pending;
};

/* --- pychat-client.c --- */

/* Show `text` (NUL-terminated) as `kind`. */
void pyc_show(struct pyc_session *s, int kind, const char *from, const char *text);
/* Show a formatted error line. */
void pyc_error(struct pyc_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --- pychat-client-chat.c --- */

/*
 * Write one padded frame of `typ` with `cont` (a string) and `user`,
 * dated now, addressed from our IP to the server's: in clear or sealed
 * under the session key. Returns 0 or a negative code (a connection that
 * is going away is not an error: the session ends through close).
 */
int pyc_send(struct pyc_session *s, int sealed, const char *typ, const char *user,
	size_t user_len, const char *cont, size_t cont_len);

/* A typed line once registered: a chat message or one of the commands.
 * Returns 0, POLYCHAT_ENOTSUP for an unknown "/command", or a negative
 * code. */
int pyc_chat_line(struct pyc_session *s, const char *line, size_t len);

/* Show (or, for an `export` reply asked with /export, write) one frame
 * from the server. Returns 0 or POLYCHAT_ENOMEM. */
int pyc_dispatch(struct pyc_session *s, const struct pychat_envelope *env);

/* Whether the envelope's typ is `typ`; whether it claims to come from
 * the server ("*server*"). */
int pyc_typ_is(const struct pychat_envelope *env, const char *typ);
int pyc_from_server(const struct pychat_envelope *env);

/* Forget the exports still waiting for a reply. */
void pyc_exports_free(struct pyc_session *s);

#endif /* PYCHAT_CLIENT_SESSION_H */
