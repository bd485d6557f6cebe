/* SPDX-License-Identifier: MIT */
/* Suite `kylochat`: the listener instance and its options, shared by the server-half files. */
#ifndef KYLOCHAT_H
#define KYLOCHAT_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/polychat.h>

#include "kylo-keypool.h"

#define KYLO_WHO "kylochat"

/* Options of a kylochat listener (docs/CONFIG.md lists them). */
struct kylo_options {
	int64_t login_attempts;       /* failed logins per connection; 0 = no limit */
	int64_t max_payload;          /* largest chat plaintext, token included */
	int64_t max_conn_errors;      /* bad frames in a row that end a session */
	int64_t token_ttl;            /* seconds */
	int64_t handshake_timeout_ms; /* accept to KeyBlock2 */
	int64_t login_timeout_ms;     /* each login step (a human types); 0 = none */
	int64_t max_frame;            /* larger LEN closes the connection */
	int64_t max_login_frame;      /* the same for login frames */
	int hide_unknown_users;       /* answer 0x00 to any username (§9) */
	int audit_messages;           /* record each chat message's size */
	struct kylo_key_config keys;
	char key_path[4096];
};

struct kylo_session;

struct kylo_instance {
	const struct polychat_host *host;
	struct polychat_listener *listener;
	const struct polychat_auth_ref *auth;
	const struct polychat_store_ref *store;
	const char *realm;
	struct kylo_options opt;
	struct kylo_keypool *keys;
	/* Logged-in sessions, for /lsip. */
	struct kylo_session *sessions;
};

/* The server half (kylo-server.c). */
polychat_session_open_fn kylo_session_open;
polychat_session_input_fn kylo_session_input;
polychat_session_deliver_fn kylo_session_deliver;
polychat_session_shutdown_fn kylo_session_shutdown;
polychat_session_close_fn kylo_session_close;

#endif /* KYLOCHAT_H */
