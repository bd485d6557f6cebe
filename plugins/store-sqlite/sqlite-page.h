/* SPDX-License-Identifier: MIT */
/* Listings read a page at a time by a cursor: newest first, or by id. */
#ifndef SQ_PAGE_H
#define SQ_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sqlite-conn.h"

/*
 * A listing walks its rows a page at a time by a cursor (at, id), in one
 * of two orders. Newest first (token_list, audit_list): each page holds the
 * rows strictly older than the last row of the page before; its page
 * statement returns the row id in column 0, orders by "at DESC, id DESC"
 * and ends in the four parameters of "(at < ? OR (at = ? AND id < ?)) ...
 * LIMIT ?", which sq_page_rows binds. By increasing id (account_list): the
 * cursor is the id alone (`at` stays 0); each page holds the rows of
 * greater id; its statement returns the id in column 0, orders by "id" and
 * ends in the two parameters of "id > ? ... LIMIT ?", which
 * sq_page_rows_after binds. `ctx` is the listing's own: its filter and the
 * caller's callback.
 */

/*
 * Fetch up to `want` (> 0) records past the cursor (*at, *id) into the
 * array `recs`, moving the cursor to the last one. Returns how many, or a
 * negative status.
 */
typedef int sq_page_fn(void *ctx, int64_t *at, int64_t *id, void *recs,
	int want);

/* Hand one record to the caller's callback; non-zero stops the listing. */
typedef int sq_emit_fn(void *ctx, const void *rec);

/*
 * Read the current row into `rec` and set *at to its cursor time (a
 * listing by id may leave it alone). Returns 0 or a negative status; on
 * failure `rec` and *at may be half written.
 */
typedef int sq_row_fn(struct sq_call *call, void *rec, int64_t *at);

/*
 * sq_page_list - run a newest-first listing of at most `limit` records:
 * fetch pages of at most `page_len` records of `rec_size` bytes with `page`
 * into a buffer from host->alloc, starting above every row, and hand each
 * record to `emit`. No statement is held while `emit` runs, so the caller's
 * callback may call any method of the store. Ends early, with status 0,
 * when `emit` returns non-zero or a page comes back short. The buffer is
 * wiped before it is freed, as it may hold credentials. A limit of 0
 * returns 0 at once. Returns 0, POLYCHAT_ENOMEM (before `emit` ever runs)
 * or the first negative status of `page` (after the records of earlier
 * pages).
 */
int sq_page_list(struct sq_db *db, unsigned limit, size_t rec_size,
	int page_len, sq_page_fn *page, sq_emit_fn *emit, void *ctx);

/*
 * sq_page_list_after - as sq_page_list, but by increasing id, starting
 * after the id `after` (>= 0), and a `limit` of 0 means no limit.
 */
int sq_page_list_after(struct sq_db *db, int64_t after, unsigned limit,
	size_t rec_size, int page_len, sq_page_fn *page, sq_emit_fn *emit,
	void *ctx);

/*
 * sq_page_rows - the common tail of a newest-first sq_page_fn: bind the
 * cursor (*at, *id) and `want` after the filter the caller bound to
 * `call`, read up to `want` rows with `row` into the array `recs` of
 * `rec_size`-byte records, move the cursor to the last row read and end
 * `call`. Returns how many rows were read, or a negative status; `call` is
 * ended either way.
 */
int sq_page_rows(struct sq_call *call, int64_t *at, int64_t *id, int want,
	sq_row_fn *row, void *recs, size_t rec_size);

/*
 * sq_page_rows_after - sq_page_rows for a listing by id: binds the cursor
 * *id and `want` only, and moves *id alone.
 */
int sq_page_rows_after(struct sq_call *call, int64_t *id, int want,
	sq_row_fn *row, void *recs, size_t rec_size);

#endif /* SQ_PAGE_H */
