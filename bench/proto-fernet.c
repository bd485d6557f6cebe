/* SPDX-License-Identifier: MIT */
/* polychat-bench: the fernet-hybrid member side (fernet-hybrid.md §3.2, §4.4) on libfernetcodec's shape reader. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plugins/crypto-hybrid-fernet/fernet-shapes.h"
#include "proto.h"

enum { F_NICK, F_REPLY, F_CHAT };

struct fstate {
	int phase;
};

#define WORD_NICK "NICK"
#define WORD_ACCEPT "NICKACCEPT"
#define WORD_TAKEN "NICKTAKEN"

static long f_input(struct bclient *c, const uint8_t *data, size_t len)
{
	struct fstate *s = c->st;
	switch (s->phase) {
	case F_NICK:
		if (len < 4)
			return 0;
		if (memcmp(data, WORD_NICK, 4) != 0)
			return -EPROTO;
		s->phase = F_REPLY;
		/* The nickname alone, in one write, as the original sends it. */
		return bclient_write(c, c->user, strlen(c->user)) < 0 ? -EPIPE : 4;
	case F_REPLY:
		if (len >= strlen(WORD_TAKEN) && memcmp(data, WORD_TAKEN, strlen(WORD_TAKEN)) == 0)
			return -EACCES;
		if (len < strlen(WORD_ACCEPT))
			return 0;
		if (memcmp(data, WORD_ACCEPT, strlen(WORD_ACCEPT)) != 0)
			return -EPROTO;
		s->phase = F_CHAT;
		bclient_handshake_done(c);
		bclient_ready(c);
		return (long)strlen(WORD_ACCEPT);
	default: {
		/* Messages by their shape, as our client half reads them: a
		 * relay may hand several over in one read. */
		struct fernet_msg m;
		int found = fernet_next(data, len, 1, &m);
		if (found == FERNET_INCOMPLETE)
			return 0;
		if (found != FERNET_COMPLETE)
			return -EPROTO;
		if (m.shape == FERNET_SHAPE_PACKAGE)
			bclient_message(c, data, m.len);
		else if (m.shape == FERNET_SHAPE_JOINED || m.shape == FERNET_SHAPE_LEFT)
			bclient_notice(c);
		return (long)m.len;
	}
	}
}

/*
 * The body goes in a JSON object, the shape the server relays. It is not
 * a real hybrid package: one for N recipients carries N RSA-wrapped keys
 * (352 bytes each), so past about ten members it exceeds the 4096 bytes
 * an original client can read, and opening one costs each receiver an
 * RSA private operation that would measure the generator, not the relay.
 * The server treats both alike: it checks JSON and UTF-8, never content.
 */
static int f_send(struct bclient *c, const uint8_t *body, size_t len)
{
	struct fstate *s = c->st;
	char pkg[4200];
	if (s->phase != F_CHAT)
		return -EINVAL;
	int n = snprintf(pkg, sizeof(pkg), "{\"b\": \"%.*s\"}", (int)len, (const char *)body);
	if (n < 0 || (size_t)n >= sizeof(pkg))
		return -EMSGSIZE;
	return bclient_write(c, pkg, (size_t)n);
}

const struct bench_proto proto_fernet = {
	.name = "fernet-hybrid",
	.state_size = sizeof(struct fstate),
	/* max_message 4096 less the object around the body. */
	.max_body = 4080,
	.start = NULL,
	.input = f_input,
	.send = f_send,
	.release = NULL,
};
