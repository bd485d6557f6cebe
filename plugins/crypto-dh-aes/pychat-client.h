/* SPDX-License-Identifier: MIT */
/* The client half of suite `pychat`: handshake, registration, chat and commands (pychat.md §6.5). */
#ifndef PYCHAT_CLIENT_H
#define PYCHAT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/suite.h>

/*
 * The polychat client's side of the 305c016 protocol, for the suite's ops
 * table (client_open, client_input, client_line, client_close,
 * client_help). Everything runs on the loop thread.
 *
 * Handshake: the server's clear iv_exc (a 16-byte IV) and key_exc (its
 * Diffie-Hellman value, refused unless 2 <= y <= p-2), then our clear
 * key_exc. Every frame we send is padded (§2.2) and the core keeps 100 ms
 * between two of them (§2.1).
 * Registration: the username is env->user for the first attempt, else a
 * typed line (after a "username:" notice); an empty name and "*server*"
 * are refused locally, a name the server reports taken is typed again.
 * "* ready" follows the server's approval; lines typed before it wait, in
 * order.
 * Chat: a typed line is a `default` message; "[help]" and "[export_chat]"
 * ask the server for its commands and its chat log, "/export FILE" writes
 * the log to a new file. Leaving is closing (/quit): pyChat has no logout
 * message.
 */

/* The session for one connection to a pyChat server. Returns 0 or
 * POLYCHAT_ENOMEM; *session is set only on success. */
polychat_client_open_fn pychat_client_open;
/* Bytes from the server: the number consumed (at most one frame), or a
 * negative code after the reason was shown to the user (a bad handshake,
 * a malformed or oversized frame header); the core then closes the
 * connection. A frame that does not decrypt or parse is dropped with an
 * error line and the session goes on. */
polychat_session_input_fn pychat_client_input;
/* A line the user typed. 0, POLYCHAT_ENOTSUP for an unknown "/command"
 * (nothing is sent), or POLYCHAT_ENOMEM. */
polychat_client_line_fn pychat_client_line;
/* Free the session; key, DH exponent and waiting lines are wiped first.
 * Accepts NULL. */
polychat_session_close_fn pychat_client_close;
/* The suite's commands, for the client's /help. */
polychat_client_help_fn pychat_client_help;

#endif /* PYCHAT_CLIENT_H */
