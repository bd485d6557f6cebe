/* SPDX-License-Identifier: MIT */
/* Lines from stdin delivered on the loop thread, whatever stdin is (tty, pipe, file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

/* A typed line longer than this is cut: chat protocols cap far lower. */
#define INPUT_LINE_MAX 65536

struct pc_input_line {
	struct pc_input_line *next;
	size_t len;
	char text[];
};

static void on_async(uv_async_t *handle)
{
	struct pc_input *in = handle->data;
	for (;;) {
		pthread_mutex_lock(&in->lock);
		struct pc_input_line *line = in->head;
		if (line) {
			in->head = line->next;
			if (!in->head)
				in->tail = NULL;
		}
		int eof = !line && in->eof == 1;
		if (eof)
			in->eof = 2; /* reported once */
		pthread_mutex_unlock(&in->lock);
		if (line) {
			if (!in->stopped)
				in->fn(in->arg, line->text, line->len);
			free(line);
			continue;
		}
		if (eof && !in->stopped)
			in->fn(in->arg, NULL, 0);
		return;
	}
}

/* A blocking reader: a thread works for a tty, a pipe and a regular file
 * alike, where a poll-based reader would not. */
static void *reader(void *arg)
{
	struct pc_input *in = arg;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&buf, &cap, stdin)) >= 0) {
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		if (n > INPUT_LINE_MAX)
			n = INPUT_LINE_MAX;
		struct pc_input_line *line = malloc(sizeof(*line) + (size_t)n + 1);
		if (!line)
			break;
		line->next = NULL;
		line->len = (size_t)n;
		memcpy(line->text, buf, (size_t)n);
		line->text[n] = '\0';
		pthread_mutex_lock(&in->lock);
		if (in->stopped) {
			pthread_mutex_unlock(&in->lock);
			free(line);
			break;
		}
		if (in->tail)
			in->tail->next = line;
		else
			in->head = line;
		in->tail = line;
		uv_async_send(&in->async);
		pthread_mutex_unlock(&in->lock);
	}
	free(buf);
	pthread_mutex_lock(&in->lock);
	if (!in->stopped) {
		in->eof = 1;
		uv_async_send(&in->async);
	}
	pthread_mutex_unlock(&in->lock);
	return NULL;
}

/* pc_input_init - see input.h. */
void pc_input_init(struct pc_input *in, uv_loop_t *loop, pc_input_fn *fn, void *arg)
{
	memset(in, 0, sizeof(*in));
	pthread_mutex_init(&in->lock, NULL);
	uv_async_init(loop, &in->async, on_async);
	in->async.data = in;
	in->fn = fn;
	in->arg = arg;
}

/* pc_input_start - see input.h. */
void pc_input_start(struct pc_input *in)
{
	pthread_t thread;
	if (in->started || in->stopped)
		return;
	in->started = 1;
	if (pthread_create(&thread, NULL, reader, in) == 0)
		pthread_detach(thread);
}

/* pc_input_stop - see input.h. */
void pc_input_stop(struct pc_input *in)
{
	pthread_mutex_lock(&in->lock);
	int was = in->stopped;
	in->stopped = 1;
	pthread_mutex_unlock(&in->lock);
	/* Under the lock the reader no longer signals, so closing is safe. */
	if (!was)
		uv_close((uv_handle_t *)&in->async, NULL);
}

/* pc_input_fini - see input.h. */
void pc_input_fini(struct pc_input *in)
{
	pthread_mutex_lock(&in->lock);
	while (in->head) {
		struct pc_input_line *next = in->head->next;
		free(in->head);
		in->head = next;
	}
	in->tail = NULL;
	pthread_mutex_unlock(&in->lock);
}
