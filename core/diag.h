/* SPDX-License-Identifier: MIT */
/* Diagnostics: configuration and load errors collected with file:line:col. */
#ifndef PC_DIAG_H
#define PC_DIAG_H

#include <stddef.h>

/* Where a YAML node starts: 1-based line and column. */
struct pc_pos {
	const char *file; /* borrowed from the owner of the configuration */
	int line;
	int col;
};

struct pc_diag_entry {
	char *text; /* "file:line:col: path: message" or "file: message" */
};

/* A growing list of error lines. Zero-initialise to start. */
struct pc_diag {
	struct pc_diag_entry *entries;
	size_t count;
	size_t cap;
};

/* Append an error at `pos` (NULL: no position). `path` names the option
 * ("listeners[1].port"; may be NULL). Out of memory drops the entry but
 * still counts it. */
void pc_diag_add(struct pc_diag *diag, const struct pc_pos *pos,
	const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Print every entry on its own line to `fp` (stderr typically). */
void pc_diag_print(const struct pc_diag *diag, void *fp);
/* Free the entries; the struct can be reused. Accepts NULL. */
void pc_diag_clear(struct pc_diag *diag);

#endif /* PC_DIAG_H */
