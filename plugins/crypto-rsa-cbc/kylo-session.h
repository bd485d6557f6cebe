/* SPDX-License-Identifier: MIT */
/* One kylochat connection on the server: its state and the steps the server-half files share. */
#ifndef KYLO_SESSION_H
#define KYLO_SESSION_H

#include "kylochat.h"
#include "kylo-crypto.h"

/* Where the connection is in §4: each phase reads one kind of input. */
enum kylo_phase {
	KYLO_PH_KEY,       /* no RSA key was ready: one is being made */
	KYLO_PH_HANDSHAKE, /* hello sent, waiting for KeyBlock1 || KeyBlock2 */
	KYLO_PH_USERNAME,  /* waiting for SF(username) */
	KYLO_PH_PASSWORD,  /* waiting for SF(password) */
	KYLO_PH_CHAT,      /* logged in: IF(token || body) frames */
};

struct kylo_session {
	struct kylo_instance *inst;
	struct polychat_conn *conn;
	struct kylo_session *next, **prevp; /* inst->sessions, once logged in */
	enum kylo_phase phase;
	struct kylo_server_key *key;        /* until the key blocks are open */
	struct kylo_key_waiter key_waiter;  /* waiting for the listener's first key */
	struct kylo_keys keys;
	struct polychat_timer *deadline;    /* handshake or login step */
	unsigned failed_logins;
	unsigned frame_errors;              /* in a row */
	int user_known;                     /* the username step found a usable account */
	int exit_noticed;                   /* the "disconnected" notice went out */
	char typed[POLYCHAT_NAME_MAX + 1];  /* the user name as typed: the session's name */
	char stored[POLYCHAT_NAME_MAX + 1]; /* the account's spelling */
	/* Owner of the last token parsed on this connection if it exists: the
	 * name in the "disconnected" notice when the session ends. */
	char last_owner[POLYCHAT_NAME_MAX + 1];
};

/*
 * Where the next frame of kind `len_bytes` ends: *total = 0 while its
 * length prefix is incomplete, else prefix + LEN. Unlike
 * kylo_frame_header it accepts any LEN up to `cap`, because the original
 * reads LEN bytes whatever they are and fails the frame afterwards, which
 * keeps the stream in step. Returns 0 or POLYCHAT_ETOOBIG.
 */
int kylo_frame_extent(const uint8_t *data, size_t len, unsigned len_bytes,
	size_t cap, size_t *total);

/* Arm (or re-arm) the deadline for the current phase; 0 ms = none. */
void kylo_session_deadline(struct kylo_session *s, int64_t ms);

/* Write a MESSAGE unit from `sender` with fresh IVs as one message. */
int kylo_session_message(struct kylo_session *s, const char *sender,
	const uint8_t *body, size_t len);

/* Deliver to every other logged-in session of the listener, which turns
 * it into a MESSAGE unit from `from` (NULL: SERVER). Returns what
 * host->deliver returned. */
int kylo_session_broadcast(struct kylo_session *s, int kind, const char *from,
	const uint8_t *body, size_t len);

/* Send the "disconnected" notice for the last token's owner to every
 * other session, once. */
void kylo_session_exit_notice(struct kylo_session *s);

/* Run `work` for this session on the thread pool with input paused;
 * `done` resumes. On failure closes the connection and returns non-zero
 * (the caller frees `job`). */
int kylo_session_job(struct kylo_session *s, polychat_work_fn *work,
	polychat_done_fn *done, void *job);
/* The same for work that burns CPU (bcrypt, a key generation): it runs
 * in the host's CPU class, which keeps a core for the loop. */
int kylo_session_job_cpu(struct kylo_session *s, polychat_work_fn *work,
	polychat_done_fn *done, void *job);

/* Login (kylo-login.c): one SF frame of the username or password step,
 * whole in data[0..total). Returns 0 or a negative code. */
int kylo_login_frame(struct kylo_session *s, const uint8_t *data, size_t total);

/* Chat (kylo-chat.c): one IF frame, whole in data[0..total). */
int kylo_chat_frame(struct kylo_session *s, const uint8_t *data, size_t total);

#endif /* KYLO_SESSION_H */
