/* SPDX-License-Identifier: MIT */
/* Routing: identities per realm, rooms across listeners, delivery to sessions. */
#ifndef PC_ROUTER_H
#define PC_ROUTER_H

#include <polychat/host.h>

/* See polychat_host.conn_bind / identity_lookup / room_join / room_leave. */
int pc_router_bind(struct polychat_conn *conn, const char *identity);
struct polychat_conn *pc_router_lookup(struct polychat_listener *listener,
	const char *identity);
int pc_router_room_join(struct polychat_conn *conn, const char *room);
int pc_router_room_leave(struct polychat_conn *conn, const char *room);
/* Release the connection's identity and rooms (it is closing). */
void pc_router_forget(struct polychat_conn *conn);
/* See polychat_host.deliver / listener_deliver. */
int pc_router_deliver(struct polychat_conn *from, const struct polychat_target *to,
	const struct polychat_message *msg);
int pc_router_listener_deliver(struct polychat_listener *listener,
	const struct polychat_message *msg);
/* Free the tables (at exit, when no connection is left). */
void pc_router_shutdown(void);

#endif /* PC_ROUTER_H */
