/* SPDX-License-Identifier: MIT */
/* The host API table handed to plugins, mapped onto the core's modules. */
#ifndef PC_HOST_H
#define PC_HOST_H

#include <uv.h>

#include <polychat/host.h>

typedef void pc_ui_fn(struct polychat_conn *conn, int kind, const char *from,
	const uint8_t *text, size_t len);

/* Set the loop the host's timers and jobs use, and the client's display
 * function (NULL in the daemon). Call once before plugins are loaded. */
void pc_host_setup(uv_loop_t *loop, pc_ui_fn *ui);
/* The table (static, lives for the process). */
const struct polychat_host *pc_host(void);
/* The loop given to pc_host_setup. */
uv_loop_t *pc_host_loop(void);

#endif /* PC_HOST_H */
