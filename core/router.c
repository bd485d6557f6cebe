/* SPDX-License-Identifier: MIT */
/* Routing: identities per realm, rooms across listeners, delivery to sessions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listener.h"
#include "log.h"
#include "router.h"
#include "strmap.h"

#define IDENTITY_MAX 255
#define ROOM_MAX 255

struct pc_room {
	char *name;
	struct polychat_conn **members; /* join order */
	size_t count, cap;
};

struct pc_room_link {
	struct pc_room *room;
	struct pc_room_link *next;
};

/* realm "\x1f" identity -> conn */
static struct pc_strmap identities;
/* room name -> struct pc_room */
static struct pc_strmap rooms;

static int identity_key(char *buf, size_t len, const char *realm,
	const char *identity)
{
	int n = snprintf(buf, len, "%s\x1f%s", realm, identity);
	return n < 0 || (size_t)n >= len ? POLYCHAT_EINVAL : 0;
}

static void unbind(struct polychat_conn *conn)
{
	if (!conn->identity)
		return;
	char key[POLYCHAT_REALM_MAX + IDENTITY_MAX + 4];
	if (identity_key(key, sizeof(key), conn->listener->cfg.realm, conn->identity) == 0 &&
	    pc_strmap_get(&identities, key) == conn)
		pc_strmap_remove(&identities, key);
	free(conn->identity);
	conn->identity = NULL;
}

/* pc_router_bind - see router.h. */
int pc_router_bind(struct polychat_conn *conn, const char *identity)
{
	if (!conn->listener)
		return POLYCHAT_ENOTSUP;
	if (conn->closing)
		return POLYCHAT_ECLOSED;
	if (!identity || !identity[0] || strlen(identity) > IDENTITY_MAX)
		return POLYCHAT_EINVAL;
	char key[POLYCHAT_REALM_MAX + IDENTITY_MAX + 4];
	if (identity_key(key, sizeof(key), conn->listener->cfg.realm, identity) != 0)
		return POLYCHAT_EINVAL;
	struct polychat_conn *holder = pc_strmap_get(&identities, key);
	if (holder == conn)
		return 0;
	if (holder)
		return POLYCHAT_EEXIST;
	char *copy = strdup(identity);
	if (!copy)
		return POLYCHAT_ENOMEM;
	if (pc_strmap_put(&identities, key, conn) != 0) {
		free(copy);
		return POLYCHAT_ENOMEM;
	}
	unbind(conn);
	conn->identity = copy;
	return 0;
}

/* pc_router_lookup - see router.h. */
struct polychat_conn *pc_router_lookup(struct polychat_listener *listener,
	const char *identity)
{
	char key[POLYCHAT_REALM_MAX + IDENTITY_MAX + 4];
	if (!listener || !identity ||
	    identity_key(key, sizeof(key), listener->cfg.realm, identity) != 0)
		return NULL;
	return pc_strmap_get(&identities, key);
}

static void room_remove_member(struct pc_room *room, struct polychat_conn *conn)
{
	for (size_t i = 0; i < room->count; i++) {
		if (room->members[i] != conn)
			continue;
		memmove(&room->members[i], &room->members[i + 1],
			(room->count - i - 1) * sizeof(*room->members));
		room->count--;
		break;
	}
	if (room->count == 0) {
		pc_strmap_remove(&rooms, room->name);
		free(room->members);
		free(room->name);
		free(room);
	}
}

/* pc_router_room_join - see router.h. */
int pc_router_room_join(struct polychat_conn *conn, const char *name)
{
	if (!name || !name[0] || strlen(name) > ROOM_MAX)
		return POLYCHAT_EINVAL;
	if (conn->closing)
		return POLYCHAT_ECLOSED;
	for (struct pc_room_link *l = conn->rooms; l; l = l->next)
		if (strcmp(l->room->name, name) == 0)
			return 0;

	struct pc_room *room = pc_strmap_get(&rooms, name);
	int created = 0;
	if (!room) {
		room = calloc(1, sizeof(*room));
		if (!room || !(room->name = strdup(name)) ||
		    pc_strmap_put(&rooms, name, room) != 0) {
			if (room)
				free(room->name);
			free(room);
			return POLYCHAT_ENOMEM;
		}
		created = 1;
	}
	struct pc_room_link *link = malloc(sizeof(*link));
	if (link && room->count == room->cap) {
		size_t cap = room->cap ? room->cap * 2 : 8;
		struct polychat_conn **grown = realloc(room->members, cap * sizeof(*grown));
		if (grown) {
			room->members = grown;
			room->cap = cap;
		} else {
			free(link);
			link = NULL;
		}
	}
	if (!link) {
		if (created)
			room_remove_member(room, conn);
		return POLYCHAT_ENOMEM;
	}
	room->members[room->count++] = conn;
	link->room = room;
	link->next = conn->rooms;
	conn->rooms = link;
	return 0;
}

/* pc_router_room_leave - see router.h. */
int pc_router_room_leave(struct polychat_conn *conn, const char *name)
{
	for (struct pc_room_link **l = &conn->rooms; *l; l = &(*l)->next) {
		if (strcmp((*l)->room->name, name) != 0)
			continue;
		struct pc_room_link *gone = *l;
		*l = gone->next;
		room_remove_member(gone->room, conn);
		free(gone);
		return 0;
	}
	return POLYCHAT_ENOTFOUND;
}

/* pc_router_forget - see router.h. */
void pc_router_forget(struct polychat_conn *conn)
{
	unbind(conn);
	while (conn->rooms) {
		struct pc_room_link *link = conn->rooms;
		conn->rooms = link->next;
		room_remove_member(link->room, conn);
		free(link);
	}
}

/* The sender's description, stamped on every delivered copy. */
struct origin {
	struct polychat_conn *conn;          /* NULL for system messages */
	const struct pc_component *suite;
	const char *listener;
};

/* Hand one copy to one session; 1 if it took it, 0 if skipped. */
static int deliver_one(const struct origin *from, struct polychat_conn *to,
	const struct polychat_message *msg, unsigned flags)
{
	if (to->closing || !to->session_open || !to->listener)
		return 0;
	if ((flags & POLYCHAT_DELIVER_NO_ECHO) && to == from->conn)
		return 0;
	if ((flags & POLYCHAT_DELIVER_BOUND) && !to->identity)
		return 0;
	int same_suite = to->suite == from->suite;
	/* An end-to-end envelope means nothing to another protocol. */
	if (msg->body_kind == POLYCHAT_BODY_OPAQUE && !same_suite)
		return 0;

	struct polychat_message copy = *msg;
	copy.suite = from->suite ? from->suite->name : "core";
	copy.listener = from->listener;
	if (!same_suite) {
		copy.extra = NULL;
		copy.extra_len = 0;
	}
	int rc = to->suite->ops.suite.session_deliver(to->session, &copy);
	if (rc == 0)
		return 1;
	if (rc != POLYCHAT_ENOTSUP)
		pc_log(POLYCHAT_LOG_INFO, to->who, "%s: delivery failed: %s",
			to->peer, polychat_strerror(rc));
	return 0;
}

static int message_valid(const struct polychat_message *msg)
{
	if (msg->kind < POLYCHAT_MSG_TEXT || msg->kind > POLYCHAT_MSG_NOTICE)
		return 0;
	if (msg->body_kind != POLYCHAT_BODY_PLAIN && msg->body_kind != POLYCHAT_BODY_OPAQUE)
		return 0;
	return (msg->body || !msg->body_len) && (msg->extra || !msg->extra_len);
}

static int deliver_listener(const struct origin *from,
	struct polychat_listener *listener, const struct polychat_message *msg,
	unsigned flags)
{
	int reached = 0;
	/* Connections leave the list only from close callbacks, never during
	 * a delivery, so walking it directly is safe. */
	for (struct polychat_conn *c = listener->conns_head; c; c = c->next)
		reached += deliver_one(from, c, msg, flags);
	return reached;
}

static int deliver_room(const struct origin *from, const char *name,
	const struct polychat_message *msg, unsigned flags)
{
	struct pc_room *room = name ? pc_strmap_get(&rooms, name) : NULL;
	if (!room)
		return 0;
	/* A session may leave the room from its deliver callback: walk a copy. */
	size_t count = room->count;
	struct polychat_conn **members = malloc(count * sizeof(*members));
	if (!members)
		return POLYCHAT_ENOMEM;
	memcpy(members, room->members, count * sizeof(*members));
	int reached = 0;
	for (size_t i = 0; i < count; i++)
		reached += deliver_one(from, members[i], msg, flags);
	free(members);
	return reached;
}

/* pc_router_deliver - see router.h. */
int pc_router_deliver(struct polychat_conn *from, const struct polychat_target *to,
	const struct polychat_message *msg)
{
	if (!from || !from->listener || !to || !msg || !message_valid(msg))
		return POLYCHAT_EINVAL;
	struct origin origin = { from, from->suite, from->listener->cfg.name };
	switch (to->kind) {
	case POLYCHAT_TO_USER: {
		struct polychat_conn *target = pc_router_lookup(from->listener, to->name);
		return target ? deliver_one(&origin, target, msg, to->flags) : 0;
	}
	case POLYCHAT_TO_ROOM:
		return deliver_room(&origin, to->name, msg, to->flags);
	case POLYCHAT_TO_LISTENER:
		return deliver_listener(&origin, from->listener, msg, to->flags);
	case POLYCHAT_TO_CONN:
		return to->conn ? deliver_one(&origin, to->conn, msg, to->flags)
			: POLYCHAT_EINVAL;
	}
	return POLYCHAT_EINVAL;
}

/* pc_router_listener_deliver - see router.h. */
int pc_router_listener_deliver(struct polychat_listener *listener,
	const struct polychat_message *msg)
{
	if (!listener || !msg || !message_valid(msg))
		return POLYCHAT_EINVAL;
	struct origin origin = { NULL, listener->suite, listener->cfg.name };
	return deliver_listener(&origin, listener, msg, POLYCHAT_DELIVER_BOUND);
}

/* pc_router_shutdown - see router.h. */
void pc_router_shutdown(void)
{
	pc_strmap_clear(&identities);
	pc_strmap_clear(&rooms);
}
