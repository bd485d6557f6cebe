/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: where one message ends on a wire that has no framing (fernet-hybrid.md §2, §4.4). */
#ifndef FERNET_SHAPES_H
#define FERNET_SHAPES_H

#include <stddef.h>
#include <stdint.h>

/* What a message is, judged by its shape (§4.4). */
enum fernet_shape {
	FERNET_SHAPE_PUBKEY = 1, /* PUBKEY::<nick>::<PEM> */
	FERNET_SHAPE_PACKAGE,    /* a JSON object: an encrypted chat package */
	FERNET_SHAPE_JOINED,     /* <nick> joined the chat!  (from the server) */
	FERNET_SHAPE_LEFT,       /* <nick> left the chat.    (from the server) */
};

/* fernet_next results. */
#define FERNET_COMPLETE 0    /* *msg describes the first message */
#define FERNET_INCOMPLETE 1  /* its end has not arrived yet */
#define FERNET_UNKNOWN 2     /* the bytes start no known shape */

struct fernet_msg {
	int shape;               /* enum fernet_shape */
	size_t len;              /* bytes of the message from the start */
	/* PUBKEY only: the announced nickname, data[nick_off..+nick_len). */
	size_t nick_off, nick_len;
};

/*
 * The first message in data[0..len). A PUBKEY ends after its END line's
 * closing dashes and the CR/LF that follow them; when the data ends right
 * there the line end may still come, so it is incomplete until one more
 * byte shows whether it does (the original's loader accepts a missing
 * final LF; "BEGIN/END RSA PUBLIC KEY" too); a
 * package at the brace that closes its first one, string literals and
 * their escapes skipped; a notice (only where `notices` is set: what the
 * server says to clients) at its fixed ending. Returns FERNET_COMPLETE,
 * FERNET_INCOMPLETE (wait for more bytes: the caller bounds how many) or
 * FERNET_UNKNOWN.
 */
int fernet_next(const uint8_t *data, size_t len, int notices, struct fernet_msg *msg);

#endif /* FERNET_SHAPES_H */
