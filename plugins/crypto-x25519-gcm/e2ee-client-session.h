/* SPDX-License-Identifier: MIT */
/* The e2ee-chat client session, shared by its connection half (e2ee-client.c) and its message half (e2ee-client-chat.c). */
#ifndef E2EE_CLIENT_SESSION_H
#define E2EE_CLIENT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <polychat/polychat.h>

#include "../common/pc-lines.h"
#include "e2ee-wire.h"
#include "xg-prims.h"

#define E2EE_CLIENT_WHO "e2ee-chat"

/* Peers whose verified keys are kept for the session; the oldest (never
 * the selected recipient) makes room for a new one. */
#define E2C_PEERS_MAX 256
/* Senders waiting for their keys (832) or their next queued message
 * (830), and the messages kept until a sender's keys arrive. */
#define E2C_SENDERS_MAX 32
#define E2C_KEPT_MAX 64
#define E2C_KEPT_BYTES (256u << 10)

enum e2c_phase {
	E2C_REGISTERING, /* 825, 831 or 826 in flight */
	E2C_CODE,        /* the one-time code went elsewhere: the user types it */
	E2C_LOGGING_IN,  /* 827 until 1605, fetching what was queued meanwhile */
	E2C_CHAT,        /* logged in */
	E2C_DONE,        /* over: input is dropped, lines are ignored */
};

/* The one request in flight (the protocol has no request ids: §2.3). */
struct e2c_request {
	uint16_t code;                 /* 0: nothing in flight */
	char peer[E2EE_PHONE_LEN + 1]; /* 828/830/832, the recipient of 829 */
	int select;                    /* 828 for /to: select the peer on success */
	char *text;                    /* 828 for /msg: send this once the keys are in */
	size_t text_len;
};

/* A peer's keys, verified against the server's signatures. */
struct e2c_peer {
	struct e2c_peer *next;
	char phone[E2EE_PHONE_LEN + 1];
	uint8_t dh[XG_X25519_LEN];
	EVP_PKEY *rsa;
};

/* A message blob kept until its sender's keys arrive. */
struct e2c_blob {
	struct e2c_blob *next;
	size_t len;
	uint8_t data[];
};

/* A sender to follow up on once the request in flight is answered: its
 * keys (832) while blobs wait, then its next queued message (830). */
struct e2c_sender {
	struct e2c_sender *next;
	char phone[E2EE_PHONE_LEN + 1];
	int need_ack;                  /* an 830 is due */
	struct e2c_blob *blobs, *blobs_tail;
};

struct e2c_session {
	const struct polychat_host *host;
	struct polychat_conn *conn;
	enum e2c_phase phase;
	char phone[E2EE_PHONE_LEN + 1]; /* ours, the header phone of every request */
	char *info_path;                /* state_dir/me.info */
	uint8_t dh_priv[XG_X25519_LEN]; /* wiped at close */
	uint8_t dh_pub[XG_X25519_LEN];
	EVP_PKEY *rsa;                  /* our signing key */
	char *pem;                      /* its public half as uploaded (SPKI PEM) */
	size_t pem_len;
	EVP_PKEY *server_key;           /* verifies 1603/1610 */
	struct e2c_request req;
	int login_again;                /* a 1608 answered 827: 827 again when done */
	unsigned received;              /* messages shown while logging in */
	struct e2c_peer *peers;         /* newest first */
	size_t n_peers;
	char to[E2EE_PHONE_LEN + 1];    /* the selected recipient, "" for none */
	struct e2c_sender *senders, *senders_tail;
	size_t n_senders;
	size_t kept, kept_bytes;        /* blobs waiting in all senders */
	struct pc_lines typed;          /* lines typed before they could go */
};

/* --- e2ee-client.c --- */

/* Show `text` (NUL-terminated) as `kind` from `from` (may be NULL). */
void e2c_show(struct e2c_session *s, int kind, const char *from, const char *text);
/* Show a formatted line of `kind`. */
void e2c_say(struct e2c_session *s, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Send one request with our phone in the header and the payload a || b
 * (either may be NULL/0), in one write, and note it as in flight with
 * `peer` (may be NULL). The caller makes sure nothing else is in flight.
 * Returns 0 or a negative code; a connection that is going away is not
 * an error (the session ends through close).
 */
int e2c_send(struct e2c_session *s, uint16_t code, const char *peer,
	const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* End the session: show the error, close the connection (flushed). */
void e2c_end(struct e2c_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --- e2ee-client-chat.c --- */

/* A typed line once logged in: a message to the selected recipient or a
 * command. Returns 0, POLYCHAT_ENOTSUP for an unknown "/command", or a
 * negative code. */
int e2c_chat_line(struct e2c_session *s, const char *line, size_t len);

/* A 1608 (payload as received). `reply` says it answers the 827 or 830
 * in flight (already cleared by the caller), else it is a push. Returns
 * 0 or a negative code. */
int e2c_on_message(struct e2c_session *s, const char *from, const uint8_t *blob,
	size_t blob_len, int reply);

/* The reply `code` (1603, 1609, 1610, 1611) to the request `req` (moved
 * out of the session by the caller, which frees its text afterwards).
 * Returns 0 or a negative code. */
int e2c_on_reply(struct e2c_session *s, struct e2c_request *req, uint16_t code,
	const uint8_t *payload, size_t len);

/* Start the next follow-up request for a sender (832 or 830) if one is
 * due. Returns 1 when one was sent, 0 when none is due, or a negative
 * code. */
int e2c_next_task(struct e2c_session *s);

/* Free the peers, the senders and what they keep. */
void e2c_chat_free(struct e2c_session *s);

/* Whether `phone` can name a sender on screen: 1..10 bytes of UTF-8
 * without control characters (the server takes any 10 characters). */
int e2c_phone_printable(const char *phone);

/* e2ee-client-state.c: the state files. Each returns 0 or a negative
 * code with `why` (why_len bytes) saying what is wrong for the user. */
#define E2C_INFO_FILE "me.info"
/* dir/name, host->alloc'd; NULL when out of memory. */
char *e2c_path_in(const struct polychat_host *host, const char *dir, const char *name);
/* The phone: --user, checked against me.info when it exists
 * (*registered then set). */
int e2c_identity(struct e2c_session *s, const struct polychat_client_env *env,
	int *registered, char *why, size_t why_len);
/* The server's public key: --opt server_key=FILE or the state dir's. */
int e2c_server_key(struct e2c_session *s, const struct polychat_client_env *env,
	char *why, size_t why_len);
/* Our X25519 and RSA-4096 keys, made on the first run only. */
int e2c_own_keys(struct e2c_session *s, const char *dir, int registered, char *why,
	size_t why_len);
/* me.info: the phone, written whole or not at all. */
int e2c_write_info(struct e2c_session *s, char *why, size_t why_len);

#endif /* E2EE_CLIENT_SESSION_H */
