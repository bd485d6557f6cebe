/* SPDX-License-Identifier: MIT */
/* Listings read a page at a time by a cursor: newest first, or by id. */
#include <stdint.h>

#include <polychat/status.h>

#include "sqlite-page.h"

/*
 * Why pages: a listing's callback may call the store, even the method
 * being listed, and a statement stepped across such a call would be reset
 * under its own loop. Each page is read completely and its statement
 * released before the first callback of that page runs.
 */

/* The loop of both orders, from the cursor (at, id); `limit` 0 means no
 * limit here. */
static int page_loop(struct sq_db *db, int64_t at, int64_t id,
	unsigned limit, size_t rec_size, int page_len, sq_page_fn *page,
	sq_emit_fn *emit, void *ctx)
{
	const struct polychat_host *host = db->host;
	const size_t buf_size = (size_t)page_len * rec_size;
	unsigned char *recs = host->alloc(buf_size);
	if (!recs)
		return POLYCHAT_ENOMEM;

	unsigned left = limit;
	int rc = 0;
	for (;;) {
		int want = limit && left < (unsigned)page_len ? (int)left
			: page_len;
		int n = page(ctx, &at, &id, recs, want);
		if (n < 0) {
			rc = n;
			break;
		}
		int stop = 0;
		for (int i = 0; i < n && !stop; i++)
			stop = emit(ctx, recs + (size_t)i * rec_size) != 0;
		if (stop || n < want)
			break;
		if (limit && (left -= (unsigned)n) == 0)
			break;
	}
	/* A token is a bearer credential: leave no copy in freed memory.
	 * Wiping every listing's page costs little and needs no choice. */
	host->wipe_free(recs, buf_size);
	return rc;
}

/* sq_page_list - see sqlite-page.h. */
int sq_page_list(struct sq_db *db, unsigned limit, size_t rec_size,
	int page_len, sq_page_fn *page, sq_emit_fn *emit, void *ctx)
{
	if (limit == 0)
		return 0;
	/* The cursor starts above every row: at = id = INT64_MAX. */
	return page_loop(db, INT64_MAX, INT64_MAX, limit, rec_size, page_len,
		page, emit, ctx);
}

/* sq_page_list_after - see sqlite-page.h. */
int sq_page_list_after(struct sq_db *db, int64_t after, unsigned limit,
	size_t rec_size, int page_len, sq_page_fn *page, sq_emit_fn *emit,
	void *ctx)
{
	return page_loop(db, 0, after, limit, rec_size, page_len, page, emit,
		ctx);
}

/* Read up to `want` rows of the bound `call` into `recs`, moving the
 * cursor to the last one (*at only if `at` is not NULL), and end `call`. */
static int read_rows(struct sq_call *call, int64_t *at, int64_t *id,
	int want, sq_row_fn *row, void *recs, size_t rec_size)
{
	unsigned char *slot = recs;
	int n = 0;
	int rc = 0;
	while (n < want && (rc = sq_step(call)) > 0) {
		int64_t row_at = 0;
		if ((rc = row(call, slot, &row_at)) != 0)
			break;
		*id = sqlite3_column_int64(call->st, 0);
		if (at)
			*at = row_at;
		slot += rec_size;
		n++;
	}
	return sq_call_end(call, rc < 0 ? rc : n);
}

/* sq_page_rows - see sqlite-page.h. */
int sq_page_rows(struct sq_call *call, int64_t *at, int64_t *id, int want,
	sq_row_fn *row, void *recs, size_t rec_size)
{
	/* at twice: once for "at < ?", once for "at = ? AND id < ?". */
	sq_bind_int(call, *at);
	sq_bind_int(call, *at);
	sq_bind_int(call, *id);
	sq_bind_int(call, want);
	return read_rows(call, at, id, want, row, recs, rec_size);
}

/* sq_page_rows_after - see sqlite-page.h. */
int sq_page_rows_after(struct sq_call *call, int64_t *id, int want,
	sq_row_fn *row, void *recs, size_t rec_size)
{
	sq_bind_int(call, *id);
	sq_bind_int(call, want);
	return read_rows(call, NULL, id, want, row, recs, rec_size);
}
