/* SPDX-License-Identifier: MIT */
/* polychat-bench: the IRC client side the peer server is measured with (RFC 2812 registration, JOIN, PRIVMSG, PING). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

enum { I_REG, I_JOIN, I_CHAT };

struct istate {
	int phase;
};

/* RFC 2812 §2.3: 512 bytes with CR LF. */
#define IRC_LINE_MAX 512

/* Write the line a b with CR LF. */
static int irc_send(struct bclient *c, const char *a, const char *b)
{
	char line[IRC_LINE_MAX + 1];
	int n = snprintf(line, sizeof(line), "%s%s\r\n", a, b);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EMSGSIZE;
	return bclient_write(c, line, (size_t)n);
}

static int i_start(struct bclient *c)
{
	char line[IRC_LINE_MAX + 1];
	int n = snprintf(line, sizeof(line), "NICK %s\r\nUSER %s 0 * :polychat-bench\r\n",
		c->user, c->user);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EMSGSIZE;
	return bclient_write(c, line, (size_t)n);
}

/* The end of registration: join the room, or be ready without one. */
static int registered(struct bclient *c)
{
	struct istate *s = c->st;
	bclient_handshake_done(c);
	if (c->closing || c->stop_at_handshake)
		return 0;
	if (!c->room) {
		s->phase = I_CHAT;
		bclient_ready(c);
		return 0;
	}
	s->phase = I_JOIN;
	return irc_send(c, "JOIN ", c->room);
}

/* One line without its CR LF. */
static int on_line(struct bclient *c, char *line)
{
	struct istate *s = c->st;
	char *cmd = line;
	if (*cmd == ':') {
		cmd = strchr(cmd, ' ');
		if (!cmd)
			return 0;
		cmd++;
	}
	if (strncmp(cmd, "PING", 4) == 0)
		return irc_send(c, "PONG", cmd + 4);
	if (strncmp(cmd, "ERROR", 5) == 0 || strncmp(cmd, "433 ", 4) == 0)
		return -ECONNREFUSED;
	if (s->phase == I_REG && (strncmp(cmd, "376 ", 4) == 0 || strncmp(cmd, "422 ", 4) == 0))
		return registered(c);
	if (s->phase == I_JOIN && strncmp(cmd, "366 ", 4) == 0) {
		s->phase = I_CHAT;
		bclient_ready(c);
		return 0;
	}
	if (s->phase != I_CHAT)
		return 0;
	if (strncmp(cmd, "PRIVMSG ", 8) == 0) {
		char *text = strstr(cmd, " :");
		if (text)
			bclient_message(c, (const uint8_t *)text + 2, strlen(text + 2));
	} else if (strncmp(cmd, "JOIN ", 5) == 0 || strncmp(cmd, "PART ", 5) == 0 ||
		   strncmp(cmd, "QUIT ", 5) == 0) {
		bclient_notice(c);
	}
	return 0;
}

static long i_input(struct bclient *c, const uint8_t *data, size_t len)
{
	const uint8_t *nl = memchr(data, '\n', len);
	if (!nl)
		return len > 8192 ? -EMSGSIZE : 0;
	size_t n = (size_t)(nl - data);
	char line[8193];
	if (n >= sizeof(line))
		return -EMSGSIZE;
	memcpy(line, data, n);
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	int rc = on_line(c, line);
	return rc < 0 ? rc : (long)(nl - data) + 1;
}

static int i_send(struct bclient *c, const uint8_t *body, size_t len)
{
	struct istate *s = c->st;
	char line[IRC_LINE_MAX + 1];
	if (s->phase != I_CHAT || !c->room)
		return -EINVAL;
	int n = snprintf(line, sizeof(line), "PRIVMSG %s :%.*s\r\n", c->room, (int)len,
		(const char *)body);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EMSGSIZE;
	return bclient_write(c, line, (size_t)n);
}

const struct bench_proto proto_irc = {
	.name = "irc",
	.state_size = sizeof(struct istate),
	/* What fits a relayed line: 512 less ":nick!~user@host PRIVMSG
	 * #room :" and CR LF. */
	.max_body = 400,
	.start = i_start,
	.input = i_input,
	.send = i_send,
	.release = NULL,
};
