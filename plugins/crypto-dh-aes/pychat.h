/* SPDX-License-Identifier: MIT */
/* Suite `pychat`: the listener instance and its options, shared by the server-half files. */
#ifndef PYCHAT_H
#define PYCHAT_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/polychat.h>

#define PYCHAT_WHO "pychat"

/* Options of a pychat listener (README.md lists them). */
struct pychat_options {
	int64_t write_gap_ms;         /* pause between two frames to one peer (§2.1) */
	int64_t handshake_timeout_ms; /* accept to the client's key_exc */
	int64_t max_frame;            /* largest payload a client may declare */
	int64_t max_name;             /* longest username, in bytes */
	int64_t export_max;           /* bytes of chat kept for `export` (memory only) */
	int64_t max_rate;             /* frames per second a client may send; 0 = no limit */
	int64_t rate_burst;           /* frames it may send at once before max_rate applies */
	int pad;                      /* pad frames as §2.2 allows */
};

/* The chat so far, for `export` (§7): whole lines, oldest dropped first
 * beyond the cap, never written anywhere. */
struct pychat_log {
	char *text;
	size_t len, cap;
};

struct pychat_instance {
	const struct polychat_host *host;
	struct polychat_listener *listener;
	struct pychat_options opt;
	struct pychat_log log;
	unsigned sessions; /* open sessions: the log goes when the last one does */
};

/* The server half (pychat-server.c). */
polychat_session_open_fn pychat_session_open;
polychat_session_input_fn pychat_session_input;
polychat_session_deliver_fn pychat_session_deliver;
polychat_session_close_fn pychat_session_close;

#endif /* PYCHAT_H */
