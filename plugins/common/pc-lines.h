/* SPDX-License-Identifier: MIT */
/* The lines a user typed before the client session could take them: a bounded queue, wiped when freed, handed over in order. */
#ifndef PC_LINES_H
#define PC_LINES_H

#include <stddef.h>

#include <polychat/host.h>

/* What the client halves keep: far more than anyone types or pastes
 * before a server answers, little enough that a runaway script cannot
 * make the client grow without end. */
#define PC_LINES_MAX_COUNT 4096
#define PC_LINES_MAX_BYTES (1u << 20)

struct pc_line;

/*
 * A first-in, first-out queue of typed lines. Lines may hold passwords,
 * so each is wiped as it is freed. Set up with pc_lines_init; a zeroed
 * struct that was never set up must not be used.
 */
struct pc_lines {
	const struct polychat_host *host;
	struct pc_line *head, *tail;
	size_t count, bytes;          /* waiting now */
	size_t max_count, max_bytes;  /* bounds on the above */
	int draining;                 /* pc_lines_drain is running */
};

/* Whether the session can take a line now; `arg` as given to the drain. */
typedef int pc_lines_ready_fn(void *arg);
/* Take one line: `line[0..len)`, NUL-terminated after `len` (it may hold
 * NULs). The line is wiped and freed after the call. Returns 0 to go on;
 * anything else ends the drain, which returns it. */
typedef int pc_lines_take_fn(void *arg, const char *line, size_t len);

/* An empty queue of at most `max_count` lines and `max_bytes` bytes of
 * text, allocated from `host` (borrowed: it must outlive the queue). */
void pc_lines_init(struct pc_lines *q, const struct polychat_host *host,
	size_t max_count, size_t max_bytes);

/*
 * Append a copy of `text[0..len)` (borrowed for the call). Returns 0,
 * POLYCHAT_EBUSY when it would take the queue past either bound (nothing
 * is kept: the caller says so in its own words), or POLYCHAT_ENOMEM.
 */
int pc_lines_push(struct pc_lines *q, const char *text, size_t len);

/* How many lines wait. */
size_t pc_lines_waiting(const struct pc_lines *q);

/*
 * Hand the waiting lines to `take`, oldest first, while `ready` says the
 * session takes them. Each line leaves the queue before `take` sees it,
 * so `take` may push (the line joins the end of this drain), start
 * another drain (it returns 0 at once: this one goes on in order) or
 * clear the queue (this drain then stops). Returns 0, or the first
 * non-zero result of `take`, which leaves the lines after it waiting.
 */
int pc_lines_drain(struct pc_lines *q, pc_lines_ready_fn *ready,
	pc_lines_take_fn *take, void *arg);

/* Wipe and free every waiting line; the queue stays usable. */
void pc_lines_clear(struct pc_lines *q);

#endif /* PC_LINES_H */
