/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: the listener instance and its options, shared by the server-half files. */
#ifndef FERNET_H
#define FERNET_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/polychat.h>

/* Options of a fernet-hybrid listener (README.md lists them). */
struct fernet_options {
	int64_t write_gap_ms;         /* pause between two writes to one member (§2) */
	int64_t handshake_timeout_ms; /* accept to the nickname */
	int64_t max_nick;             /* longest nickname, in bytes */
	int64_t max_members;          /* members of the room */
	int64_t max_message;          /* longest message a member may send */
	int64_t max_rate;             /* messages per second a member may send; 0 = no limit */
	int64_t rate_burst;           /* messages it may send at once */
};

struct fernet_instance {
	const struct polychat_host *host;
	struct polychat_listener *listener;
	struct fernet_options opt;
	unsigned members;             /* sessions with a nickname */
};

/* The server half (fernet-server.c). */
polychat_session_open_fn fernet_session_open;
polychat_session_input_fn fernet_session_input;
polychat_session_deliver_fn fernet_session_deliver;
polychat_session_close_fn fernet_session_close;

#endif /* FERNET_H */
