/* SPDX-License-Identifier: MIT */
/* The core's input buffering, to feed a suite's session input in tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stub-feed.h"
#include "stub-host.h"

/* A broken contract ends the test where it happened; see stub-feed.h. */
static void feeder_fail(const char *why)
{
	fprintf(stderr, "[stub-feed] %s\n", why);
	abort();
}

/* stub_feeder_init - see stub-feed.h. */
void stub_feeder_init(struct stub_feeder *f, polychat_session_input_fn *input)
{
	memset(f, 0, sizeof(*f));
	f->input = input;
}

/* Room for `more` bytes after what is waiting. */
static void feeder_reserve(struct stub_feeder *f, size_t more)
{
	if (more > SIZE_MAX - f->len)
		feeder_fail("input too large to buffer");
	size_t need = f->len + more;
	if (need <= f->cap && f->data)
		return;
	/* Doubling keeps a byte-by-byte feed from reallocating every byte. */
	size_t cap = f->cap > 32 ? f->cap : 32;
	while (cap < need)
		cap = cap <= SIZE_MAX / 2 ? cap * 2 : need;
	uint8_t *grown = realloc(f->data, cap);
	if (!grown)
		feeder_fail("out of memory buffering input");
	f->data = grown;
	f->cap = cap;
}

/* stub_feed - see stub-feed.h. */
long stub_feed(struct stub_feeder *f, void *session, struct polychat_conn *conn,
	const void *data, size_t len)
{
	feeder_reserve(f, len);
	if (len)
		memcpy(f->data + f->len, data, len);
	f->len += len;
	f->last = 0;
	while (f->len && !(conn && stub_conn_closed(conn, NULL, NULL))) {
		long used = f->input(session, f->data, f->len);
		if (used < 0) {
			f->len = 0;
			f->last = used;
			return used;
		}
		if ((size_t)used > f->len)
			feeder_fail("input consumed more bytes than it was offered");
		if (used == 0)
			break;
		/* The rest moves to the front: the next offer starts with it. */
		memmove(f->data, f->data + used, f->len - (size_t)used);
		f->len -= (size_t)used;
	}
	return 0;
}

/* stub_feed_bytewise - see stub-feed.h. */
long stub_feed_bytewise(struct stub_feeder *f, void *session,
	struct polychat_conn *conn, const void *data, size_t len)
{
	const uint8_t *p = data;
	long rc = 0;
	for (size_t i = 0; i < len && rc == 0; i++)
		rc = stub_feed(f, session, conn, p + i, 1);
	return rc;
}

/* stub_feeder_reset - see stub-feed.h. */
void stub_feeder_reset(struct stub_feeder *f)
{
	f->len = 0;
	f->last = 0;
}

/* stub_feeder_free - see stub-feed.h. */
void stub_feeder_free(struct stub_feeder *f)
{
	free(f->data);
	f->data = NULL;
	f->len = 0;
	f->cap = 0;
	f->last = 0;
}
