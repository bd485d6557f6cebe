/* SPDX-License-Identifier: MIT */
/* The client half of suite `e2ee-chat`: registration with OTP, login, signed key lookup, end-to-end messages (e2ee-chat.md §6, §7, §10). */
#ifndef E2EE_CLIENT_H
#define E2EE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/suite.h>

/* The suite's client ops (client_open, client_input, client_line,
 * client_close, client_help); everything runs on the loop thread. See
 * the comment at the top of e2ee-client.c for the conversation. */
polychat_client_open_fn e2ee_client_open;
polychat_session_input_fn e2ee_client_input;
polychat_client_line_fn e2ee_client_line;
polychat_session_close_fn e2ee_client_close;
polychat_client_help_fn e2ee_client_help;

#endif /* E2EE_CLIENT_H */
