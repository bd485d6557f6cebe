/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid`: where one message ends on a wire that has no framing. */
#include <string.h>

#include "fernet-shapes.h"

#define PUBKEY_TAG "PUBKEY::"
#define SEPARATOR "::"
#define PEM_END "-----END "
#define PEM_DASHES "-----"
#define JOINED_TAIL " joined the chat!"
#define LEFT_TAIL " left the chat."

/* The offset of `word` in data[from..len), or len when absent. */
static size_t find(const uint8_t *data, size_t len, size_t from, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = from; i + n <= len; i++)
		if (memcmp(data + i, word, n) == 0)
			return i;
	return len;
}

/* Whether data[0..len) could still become `word` (a proper prefix). */
static int prefix_of(const uint8_t *data, size_t len, const char *word)
{
	return len < strlen(word) && memcmp(data, word, len) == 0;
}

static int pubkey_end(const uint8_t *data, size_t len, struct fernet_msg *msg)
{
	size_t nick = strlen(PUBKEY_TAG);
	size_t sep = find(data, len, nick, SEPARATOR);
	if (sep == len)
		return FERNET_INCOMPLETE;
	size_t end = find(data, len, sep + strlen(SEPARATOR), PEM_END);
	if (end == len)
		return FERNET_INCOMPLETE;
	size_t dashes = find(data, len, end + strlen(PEM_END), PEM_DASHES);
	if (dashes == len)
		return FERNET_INCOMPLETE;
	size_t stop = dashes + strlen(PEM_DASHES);
	if (stop < len && data[stop] == '\r')
		stop++;
	/* The line end may be the first byte of the next read: wait for it
	 * (or for the next message, when a sender leaves it out). */
	if (stop == len)
		return FERNET_INCOMPLETE;
	if (data[stop] == '\n')
		stop++;
	msg->shape = FERNET_SHAPE_PUBKEY;
	msg->len = stop;
	msg->nick_off = nick;
	msg->nick_len = sep - nick;
	return FERNET_COMPLETE;
}

static int package_end(const uint8_t *data, size_t len, struct fernet_msg *msg)
{
	size_t depth = 0;
	int in_string = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];
		if (in_string) {
			if (c == '\\')
				i++; /* the escaped character, whatever it is */
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '{') {
			depth++;
		} else if (c == '}' && --depth == 0) {
			msg->shape = FERNET_SHAPE_PACKAGE;
			msg->len = i + 1;
			return FERNET_COMPLETE;
		}
	}
	return FERNET_INCOMPLETE;
}

static int notice_end(const uint8_t *data, size_t len, struct fernet_msg *msg)
{
	size_t joined = find(data, len, 0, JOINED_TAIL), left = find(data, len, 0, LEFT_TAIL);
	if (joined == len && left == len)
		return FERNET_UNKNOWN;
	if (joined < left) {
		msg->shape = FERNET_SHAPE_JOINED;
		msg->len = joined + strlen(JOINED_TAIL);
	} else {
		msg->shape = FERNET_SHAPE_LEFT;
		msg->len = left + strlen(LEFT_TAIL);
	}
	return FERNET_COMPLETE;
}

int fernet_next(const uint8_t *data, size_t len, int notices, struct fernet_msg *msg)
{
	if (len == 0 || prefix_of(data, len, PUBKEY_TAG))
		return FERNET_INCOMPLETE;
	memset(msg, 0, sizeof(*msg));
	if (len >= strlen(PUBKEY_TAG) && memcmp(data, PUBKEY_TAG, strlen(PUBKEY_TAG)) == 0)
		return pubkey_end(data, len, msg);
	if (data[0] == '{')
		return package_end(data, len, msg);
	return notices ? notice_end(data, len, msg) : FERNET_UNKNOWN;
}
