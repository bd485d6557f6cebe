/* SPDX-License-Identifier: MIT */
/* Listings read a page at a time by a cursor: newest first, or by id. */
#ifndef MD_PAGE_H
#define MD_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "mariadb-conn.h"

/*
 * A listing walks its rows a page at a time by a cursor (at, id), in one
 * of two orders, as store-sqlite's listings do. Newest first (token_list,
 * audit_list): each page holds the rows strictly older than the last row
 * of the page before; its statement orders by "at DESC, id DESC" and ends
 * in the four parameters of "(at < ? OR (at = ? AND id < ?)) ... LIMIT ?",
 * which md_page_rows binds. By increasing id (account_list): the cursor is
 * the id alone; its statement orders by "id" and ends in the two
 * parameters of "id > ? ... LIMIT ?", which md_page_rows_after binds.
 * `ctx` is the listing's own: its filter and the caller's callback.
 */

/*
 * Fetch up to `want` (> 0) records past the cursor (*at, *id) into the
 * array `recs`, moving the cursor to the last one. Returns how many, or a
 * negative status.
 */
typedef int md_page_fn(void *ctx, int64_t *at, uint64_t *id, void *recs,
	int want);

/* Hand one record to the caller's callback; non-zero stops the listing. */
typedef int md_emit_fn(void *ctx, const void *rec);

/*
 * Declare the columns of one row into `rec` and fetch it (md_fetch), then
 * set *at and *id to its cursor (a listing by id may leave *at alone).
 * Returns 1 (a row), 0 (no more) or a negative status; on failure `rec`
 * may be half written.
 */
typedef int md_row_fn(struct md_call *call, void *rec, int64_t *at,
	uint64_t *id);

/*
 * md_page_list - run a newest-first listing of at most `limit` records:
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
int md_page_list(struct md_db *db, unsigned limit, size_t rec_size,
	int page_len, md_page_fn *page, md_emit_fn *emit, void *ctx);

/*
 * md_page_list_after - as md_page_list, but by increasing id, starting
 * after the id `after`, and a `limit` of 0 means no limit.
 */
int md_page_list_after(struct md_db *db, uint64_t after, unsigned limit,
	size_t rec_size, int page_len, md_page_fn *page, md_emit_fn *emit,
	void *ctx);

/*
 * md_page_rows - the common tail of a newest-first md_page_fn: bind the
 * cursor (*at, *id) and `want` after the filter the caller bound to
 * `call`, run it, read up to `want` rows with `row` into the array `recs`
 * of `rec_size`-byte records, move the cursor to the last row read and
 * end `call`. Returns how many rows were read, or a negative status;
 * `call` is ended either way.
 */
int md_page_rows(struct md_call *call, int64_t *at, uint64_t *id, int want,
	md_row_fn *row, void *recs, size_t rec_size);

/*
 * md_page_rows_after - md_page_rows for a listing by id: binds the cursor
 * *id and `want` only, and moves *id alone.
 */
int md_page_rows_after(struct md_call *call, uint64_t *id, int want,
	md_row_fn *row, void *recs, size_t rec_size);

#endif /* MD_PAGE_H */
