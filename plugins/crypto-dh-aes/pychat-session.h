/* SPDX-License-Identifier: MIT */
/* One pychat connection on the server: its state and the steps the server-half files share. */
#ifndef PYCHAT_SESSION_H
#define PYCHAT_SESSION_H

#include "pychat.h"
#include "pychat-wire.h"
#include "../common/pc-rate.h"

/* Where the connection is in §6.1: each phase takes one kind of input. */
enum pychat_phase {
	PYCHAT_PH_KEYGEN,  /* iv_exc sent, our DH key is being made */
	PYCHAT_PH_KEY,     /* key_exc sent, waiting for the client's */
	PYCHAT_PH_DERIVE,  /* the shared key is being computed */
	PYCHAT_PH_CHAT,    /* keyed: encrypted frames in both directions */
};

struct pychat_session {
	struct pychat_instance *inst;
	struct polychat_conn *conn;
	enum pychat_phase phase;
	struct pychat_dh dh;               /* until the shared key is made */
	uint8_t iv[PYCHAT_IV_LEN];         /* fresh per connection (§10) */
	uint8_t key[PYCHAT_KEY_LEN];
	struct polychat_timer *deadline;   /* the handshake's */
	struct pc_rate rate;               /* max_rate, rate_burst */
	struct polychat_timer *slowed;     /* resumes input once a token is back */
	int told_slowed;                   /* logged once per connection */
	/* The registered username, empty until setuser succeeds: the name in
	 * relayed frames and in the leave notice. */
	char name[POLYCHAT_NAME_MAX + 1];
};

/* The local time now as the envelope's `date` (§3). */
void pychat_now_date(char out[32]);

/* Write one server-made frame, encrypted (or clear before the key) with
 * the session's padding setting. `cont` is a string unless `cont_type`
 * says otherwise. Returns what conn_write returned. */
int pychat_session_send(struct pychat_session *s, const char *dhost, const char *typ,
	const char *cont, size_t cont_len, int cont_type);

/* The frame of a keyed session once the payload is decrypted (pychat-room.c).
 * Returns 0 (the connection may have been closed) or a negative code. */
int pychat_room_frame(struct pychat_session *s, const struct pychat_envelope *env);

/* Tell the other registered sessions that `s` left (§6.4). */
void pychat_room_leave_notice(struct pychat_session *s);

/* Forget the chat log when no connection is left (§6.4 step 3). */
void pychat_log_clear(struct pychat_instance *inst);

#endif /* PYCHAT_SESSION_H */
