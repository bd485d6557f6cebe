/* SPDX-License-Identifier: MIT */
/* The lines a user typed before the client session could take them: a bounded queue, wiped when freed, handed over in order. */
#include <string.h>

#include <polychat/status.h>

#include "pc-lines.h"

struct pc_line {
	struct pc_line *next;
	size_t len;
	char text[]; /* len bytes and a NUL */
};

static void line_free(struct pc_lines *q, struct pc_line *l)
{
	q->host->wipe_free(l, sizeof(*l) + l->len + 1);
}

/* pc_lines_init - see pc-lines.h. */
void pc_lines_init(struct pc_lines *q, const struct polychat_host *host,
	size_t max_count, size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	q->host = host;
	q->max_count = max_count;
	q->max_bytes = max_bytes;
}

/* pc_lines_push - see pc-lines.h. */
int pc_lines_push(struct pc_lines *q, const char *text, size_t len)
{
	/* Written so that neither side can wrap: bytes <= max_bytes holds. */
	if (q->count >= q->max_count || len > q->max_bytes - q->bytes)
		return POLYCHAT_EBUSY;
	struct pc_line *l = q->host->alloc(sizeof(*l) + len + 1);
	if (!l)
		return POLYCHAT_ENOMEM;
	l->next = NULL;
	l->len = len;
	memcpy(l->text, text, len);
	l->text[len] = '\0';
	if (q->tail)
		q->tail->next = l;
	else
		q->head = l;
	q->tail = l;
	q->count++;
	q->bytes += len;
	return 0;
}

/* pc_lines_waiting - see pc-lines.h. */
size_t pc_lines_waiting(const struct pc_lines *q)
{
	return q->count;
}

/* pc_lines_drain - see pc-lines.h. */
int pc_lines_drain(struct pc_lines *q, pc_lines_ready_fn *ready,
	pc_lines_take_fn *take, void *arg)
{
	int rc = 0;
	/* Taking a line often changes the session's state, and the code that
	 * does so drains in turn: the outer drain keeps the order. */
	if (q->draining)
		return 0;
	q->draining = 1;
	while (rc == 0 && q->head && ready(arg)) {
		struct pc_line *l = q->head;
		q->head = l->next;
		if (!q->head)
			q->tail = NULL;
		q->count--;
		q->bytes -= l->len;
		rc = take(arg, l->text, l->len);
		line_free(q, l);
	}
	q->draining = 0;
	return rc;
}

/* pc_lines_clear - see pc-lines.h. */
void pc_lines_clear(struct pc_lines *q)
{
	while (q->head) {
		struct pc_line *next = q->head->next;
		line_free(q, q->head);
		q->head = next;
	}
	q->tail = NULL;
	q->count = q->bytes = 0;
}
