/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat`: the listener instance, its options and its signing key, shared by the server-half files. */
#ifndef E2EE_H
#define E2EE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <polychat/polychat.h>

#define E2EE_WHO "e2ee-chat"

/* Options of an e2ee-chat listener (README.md lists them). */
struct e2ee_options {
	int64_t write_gap_ms;     /* pause between two frames to one client (§2.3) */
	int64_t frame_timeout_ms; /* a started request must be complete by then */
	int64_t max_queue;        /* messages held for one offline recipient */
	char key_path[PATH_MAX];  /* the server's RSA-4096 private key */
	char pub_path[PATH_MAX];  /* its public half, for the clients */
};

struct e2ee_session;

struct e2ee_instance {
	const struct polychat_host *host;
	struct polychat_listener *listener;
	const char *name;  /* the listener's, for log lines */
	const char *realm;
	const struct polychat_store_ref *store;
	const struct polychat_auth_ref *auth;
	struct e2ee_options opt;
	/* The signing key for 1603/1610. NULL while a new one is generated
	 * on the thread pool; `key_failed` once that failed. Sessions that
	 * need it meanwhile wait in `key_waiters`. */
	EVP_PKEY *key;
	int key_failed;
	struct e2ee_session *key_waiters;
};

/* The server half (e2ee-server.c). */
polychat_session_open_fn e2ee_session_open;
polychat_session_input_fn e2ee_session_input;
polychat_session_deliver_fn e2ee_session_deliver;
polychat_session_close_fn e2ee_session_close;

/* The signing key is there, or will never be (e2ee-server.c): run the
 * requests that waited for it. */
void e2ee_key_settled(struct e2ee_instance *inst);

#endif /* E2EE_H */
