/* SPDX-License-Identifier: MIT */
/* Lines from stdin delivered on the loop thread, whatever stdin is (tty, pipe, file). */
#ifndef PC_INPUT_H
#define PC_INPUT_H

#include <pthread.h>
#include <uv.h>

/* Called on the loop thread per line (without "\n"); line NULL = end of input. */
typedef void pc_input_fn(void *arg, const char *line, size_t len);

struct pc_input_line;

struct pc_input {
	uv_async_t async;
	pthread_mutex_t lock;
	struct pc_input_line *head, *tail;
	int eof;
	int stopped;
	int started;
	int secret;          /* the next line read is a secret (pc_input_secret) */
	pc_input_fn *fn;
	void *arg;
};

/* Prepare (the async handle keeps the loop alive until pc_input_stop). */
void pc_input_init(struct pc_input *in, uv_loop_t *loop, pc_input_fn *fn, void *arg);
/* Start the reader thread. */
void pc_input_start(struct pc_input *in);
/* Loop thread: the next line the reader completes is a secret. When stdin
 * is a terminal (and we are in its foreground) echo is off until that line
 * is read; it comes back then, at end of input, in pc_input_stop and
 * pc_input_fini, at exit, and on SIGINT, SIGTERM, SIGHUP and SIGQUIT. The
 * line's buffers are wiped once it has been handed over. */
void pc_input_secret(struct pc_input *in);
/* Deliver nothing more and release the loop. Idempotent. */
void pc_input_stop(struct pc_input *in);
/* Free what is left after the loop ended. */
void pc_input_fini(struct pc_input *in);

#endif /* PC_INPUT_H */
