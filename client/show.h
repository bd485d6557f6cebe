/* SPDX-License-Identifier: MIT */
/* How the client prints what a suite shows: one escaped line per event. */
#ifndef PC_SHOW_H
#define PC_SHOW_H

#include <stddef.h>
#include <stdint.h>

struct polychat_conn;

/* The polychat_host.ui_show of the client: "<from> text", "* text",
 * "! text", "* ready". Control characters are escaped as \xNN. */
void pc_show(struct polychat_conn *conn, int kind, const char *from,
	const uint8_t *text, size_t len);

#endif /* PC_SHOW_H */
