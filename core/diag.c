/* SPDX-License-Identifier: MIT */
/* Diagnostics: a growing list of "file:line:col: path: message" error lines. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/*
 * Invariant: entries[i] is meaningful for i < min(count, cap). When the array
 * cannot grow the entry is dropped but counted (count may then exceed cap),
 * and a text that cannot be formatted is stored as NULL: callers decide
 * success by `count`, so an error is never lost as a success even when the
 * memory to describe it is missing.
 */

/* Make room for index `count`; new slots start with a NULL text. */
static int reserve(struct pc_diag *diag)
{
	if (diag->count < diag->cap)
		return 0;
	size_t cap = diag->cap ? diag->cap * 2 : 8;
	while (cap <= diag->count)
		cap *= 2;
	struct pc_diag_entry *entries = realloc(diag->entries,
		cap * sizeof(*entries));
	if (!entries)
		return -1;
	memset(entries + diag->cap, 0, (cap - diag->cap) * sizeof(*entries));
	diag->entries = entries;
	diag->cap = cap;
	return 0;
}

/* Write "file:line:col: path: " into buf (size may be 0 to measure);
 * returns the length it needs, or -1. */
static int format_prefix(char *buf, size_t size, const struct pc_pos *pos,
	const char *path)
{
	const char *sep = path && *path ? ": " : "";
	const char *p = path && *path ? path : "";
	if (pos && pos->file && pos->line > 0)
		return snprintf(buf, size, "%s:%d:%d: %s%s", pos->file, pos->line,
			pos->col, p, sep);
	if (pos && pos->file)
		return snprintf(buf, size, "%s: %s%s", pos->file, p, sep);
	return snprintf(buf, size, "%s%s", p, sep);
}

/* Both parts are measured first so each entry is a single allocation. */
static char *format_entry(const struct pc_pos *pos, const char *path,
	const char *fmt, va_list ap)
{
	int n = format_prefix(NULL, 0, pos, path);
	va_list copy;
	va_copy(copy, ap);
	int len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0 || len < 0)
		return NULL;
	char *text = malloc((size_t)n + (size_t)len + 1);
	if (!text)
		return NULL;
	format_prefix(text, (size_t)n + 1, pos, path);
	vsnprintf(text + n, (size_t)len + 1, fmt, ap);
	return text;
}

/* pc_diag_add - see diag.h. */
void pc_diag_add(struct pc_diag *diag, const struct pc_pos *pos,
	const char *path, const char *fmt, ...)
{
	if (!diag)
		return;
	if (reserve(diag) != 0) {
		diag->count++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	diag->entries[diag->count].text = format_entry(pos, path, fmt, ap);
	va_end(ap);
	diag->count++;
}

/* pc_diag_print - see diag.h. */
void pc_diag_print(const struct pc_diag *diag, void *fp)
{
	FILE *out = fp;
	if (!diag || !out)
		return;
	size_t stored = diag->count < diag->cap ? diag->count : diag->cap;
	for (size_t i = 0; i < stored; i++) {
		const char *text = diag->entries[i].text;
		fprintf(out, "%s\n",
			text ? text : "(error not recorded: out of memory)");
	}
	if (diag->count > stored)
		fprintf(out, "(%zu more errors not recorded: out of memory)\n",
			diag->count - stored);
}

/* pc_diag_clear - see diag.h. */
void pc_diag_clear(struct pc_diag *diag)
{
	if (!diag)
		return;
	size_t stored = diag->count < diag->cap ? diag->count : diag->cap;
	for (size_t i = 0; i < stored; i++)
		free(diag->entries[i].text);
	free(diag->entries);
	diag->entries = NULL;
	diag->count = 0;
	diag->cap = 0;
}
