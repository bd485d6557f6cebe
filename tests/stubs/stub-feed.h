/* SPDX-License-Identifier: MIT */
/* The core's input buffering, to drive a suite's session input from a test. */
#ifndef STUB_FEED_H
#define STUB_FEED_H

#include <stddef.h>
#include <stdint.h>

#include <polychat/suite.h>

/*
 * stub_feeder - what core/conn.c keeps between reads: the bytes a session
 * has not consumed yet. A test hands it the bytes the peer sends, in any
 * split, and the feeder offers `input` everything that is waiting plus
 * the new bytes, again and again while it consumes, as the core does, so
 * a suite sees the same calls as under polychatd. Call it from the test's
 * thread only.
 *
 * The buffer is the test's, not the plugin's: it comes from plain realloc
 * and is not counted by stub_alloc_outstanding, so a test may check that
 * count while input is still waiting. A test with input waiting at its
 * end calls stub_feeder_free.
 *
 * Either side breaking the input contract is a bug in the test, not a
 * case it checks: if `input` claims more bytes than it was offered, or
 * the buffer cannot grow, the feeder says so on stderr and aborts (Check
 * reports the signal as the test's error).
 */
struct stub_feeder {
	polychat_session_input_fn *input; /* the session or client input */
	uint8_t *data;                    /* waiting input, owned; may be NULL */
	size_t len;                       /* bytes waiting in data */
	size_t cap;                       /* bytes data has room for */
	long last;                        /* what stub_feed returned last */
};

/* Make `f` an empty feeder for `input`, forgetting anything it held
 * before without freeing it (call it on a zeroed or freed feeder). */
void stub_feeder_init(struct stub_feeder *f, polychat_session_input_fn *input);

/*
 * Append `len` bytes of `data` (copied; may be NULL if len is 0) to the
 * input waiting in `f` and offer all of it to f->input(session, ...)
 * until one of:
 *   - the input returns 0: the rest waits for the next call;
 *   - the input returns a negative code: every waiting byte is dropped,
 *     as the core drops them when it closes the connection on that code;
 *   - nothing is left;
 *   - conn_close was called on `conn` (checked before every offer, the
 *     first included; NULL: never checked): the rest waits, offered to
 *     nobody.
 * Returns 0 or the input's negative code, and keeps it in f->last.
 */
long stub_feed(struct stub_feeder *f, void *session, struct polychat_conn *conn,
	const void *data, size_t len);

/* stub_feed one byte at a time, as a peer trickling its bytes would:
 * stops at the first negative code and returns it, else returns 0. */
long stub_feed_bytewise(struct stub_feeder *f, void *session,
	struct polychat_conn *conn, const void *data, size_t len);

/* Forget the waiting input and f->last; the buffer is kept for reuse. */
void stub_feeder_reset(struct stub_feeder *f);

/* Free the buffer and forget the waiting input; `f` keeps its input
 * function and may be fed again. Accepts a feeder that was never fed. */
void stub_feeder_free(struct stub_feeder *f);

#endif /* STUB_FEED_H */
