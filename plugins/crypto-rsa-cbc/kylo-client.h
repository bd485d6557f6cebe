/* SPDX-License-Identifier: MIT */
/* The client half of suite `kylochat`: handshake, login, chat and admin commands (kylochat.md §7.2). */
#ifndef KYLO_CLIENT_H
#define KYLO_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/suite.h>

/*
 * The polychat client's side of the 3ee7835 protocol, for the suite's ops
 * table (client_open, client_input, client_line, client_close,
 * client_help). Everything runs on the loop thread.
 *
 * Login: the username is env->user, else the first typed line (after a
 * "username:" notice); the password env->secret, else the next typed line,
 * asked for with host->ui_secret (no echo) where the core has it. After a
 * failed attempt both are typed again; the fourth failure ends the
 * connection. Lines typed before the session can use them wait, in order.
 * Chat ("* ready" comes once the server has not refused the session):
 * every typed line but "/exit" goes to the server as it is (admin commands
 * included: the server interprets them), one at a time, each after the
 * previous one's status code (or 5 s without one); "/exit" says goodbye
 * and closes.
 */

/* The session for one connection to a kylochat server. Returns 0 or
 * POLYCHAT_ENOMEM; *session is set only on success. */
int kylo_client_open(const struct polychat_client_env *env,
	struct polychat_conn *conn, void **session);
/* Bytes from the server: the number consumed, or a negative code after the
 * reason was shown to the user (bad handshake or frame, failed login, the
 * "already connected" refusal); the core then closes the connection. */
long kylo_client_input(void *session, const uint8_t *data, size_t len);
/* A line the user typed. 0, or POLYCHAT_ENOMEM; never POLYCHAT_ENOTSUP,
 * since every line is for the server. */
int kylo_client_line(void *session, const char *line, size_t len);
/* Free the session; keys, token and waiting lines are wiped first. */
void kylo_client_close(void *session, int status);
/* The commands, for the client's /help. */
const char *kylo_client_help(void);

#endif /* KYLO_CLIENT_H */
