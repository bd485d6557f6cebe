/* SPDX-License-Identifier: MIT */
/* The client half of suite `fernet-hybrid`: keys, nickname, announcements, chat packages (fernet-hybrid.md §4). */
#ifndef FERNET_CLIENT_H
#define FERNET_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/suite.h>

/*
 * The polychat client's side of the original single-room client, for the
 * suite's ops table (client_open, client_input, client_line, client_close,
 * client_help). Everything runs on the loop thread.
 *
 * Keys (§4.1): private_key.pem and public_key.pem in env->state_dir,
 * loaded, or generated (RSA-2048) and written when absent.
 * Joining (§4.2): the server's exact "NICK", our nickname (env->user, else
 * a typed line after a "nickname:" notice), then "NICKACCEPT" or
 * "NICKTAKEN" (the session ends: one connection is one session).
 * Once joined (§4.5, §4.6): our key is announced, and announced again
 * after join notices (at most one announcement per 500 ms, the last one
 * never lost); every typed line goes to every key learned, ourselves
 * first, as one package of at most 4096 bytes; "exit" leaves.
 * Receiving (§4.3, §4.4): the byte stream is split by message shape, so
 * coalesced and split reads both work; the first key announced for a
 * nickname is kept for good; packages that are not for us or do not open
 * are dropped silently, as by the original.
 */

/* The session for one connection. Loads or creates the key pair first
 * (blocking file I/O and, the first time, 50-100 ms of key generation).
 * Returns 0, or a negative code after the reason was shown to the user;
 * *session is set only on success. */
polychat_client_open_fn fernet_client_open;
/* Bytes from the server: the number consumed (at most one message), or a
 * negative code after the reason was shown (a bad handshake, a taken
 * nickname); the core then closes the connection. */
polychat_session_input_fn fernet_client_input;
/* A line the user typed. 0, POLYCHAT_ENOTSUP for a "/command" (nothing
 * is sent), or POLYCHAT_ENOMEM. */
polychat_client_line_fn fernet_client_line;
/* Free the session: keys, nickname and waiting lines wiped. Accepts NULL. */
polychat_session_close_fn fernet_client_close;
/* The suite's commands, for the client's /help. */
polychat_client_help_fn fernet_client_help;

#endif /* FERNET_CLIENT_H */
