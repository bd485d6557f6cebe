/* SPDX-License-Identifier: MIT */
/* Listings read a page at a time by a cursor: newest first, or by id. */
#include <stdint.h>

#include <polychat/status.h>

#include "mariadb-page.h"

/*
 * Why pages: a listing's callback may call the store, even the method
 * being listed, on the same thread and so the same connection, which
 * serves one statement at a time. Each page is read completely into
 * client memory and its statement released before the first callback of
 * that page runs.
 */

/* The loop of both orders, from the cursor (at, id); `limit` 0 means no
 * limit here. */
static int page_loop(struct md_db *db, int64_t at, uint64_t id,
	unsigned limit, size_t rec_size, int page_len, md_page_fn *page,
	md_emit_fn *emit, void *ctx)
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

/* md_page_list - see mariadb-page.h. */
int md_page_list(struct md_db *db, unsigned limit, size_t rec_size,
	int page_len, md_page_fn *page, md_emit_fn *emit, void *ctx)
{
	if (limit == 0)
		return 0;
	/* The cursor starts above every row. */
	return page_loop(db, INT64_MAX, UINT64_MAX, limit, rec_size, page_len,
		page, emit, ctx);
}

/* md_page_list_after - see mariadb-page.h. */
int md_page_list_after(struct md_db *db, uint64_t after, unsigned limit,
	size_t rec_size, int page_len, md_page_fn *page, md_emit_fn *emit,
	void *ctx)
{
	return page_loop(db, 0, after, limit, rec_size, page_len, page, emit,
		ctx);
}

/* Run the bound `call`, read up to `want` rows into `recs`, moving the
 * cursor to the last one (*at only if `at` is not NULL), and end `call`. */
static int read_rows(struct md_call *call, int64_t *at, uint64_t *id,
	int want, md_row_fn *row, void *recs, size_t rec_size)
{
	unsigned char *slot = recs;
	int n = 0;
	int rc = md_execute(call);
	while (rc == 0 && n < want) {
		int64_t row_at = 0;
		uint64_t row_id = 0;
		rc = row(call, slot, &row_at, &row_id);
		if (rc <= 0)
			break;
		rc = 0;
		*id = row_id;
		if (at)
			*at = row_at;
		slot += rec_size;
		n++;
	}
	return md_call_end(call, rc < 0 ? rc : n);
}

/* md_page_rows - see mariadb-page.h. */
int md_page_rows(struct md_call *call, int64_t *at, uint64_t *id, int want,
	md_row_fn *row, void *recs, size_t rec_size)
{
	/* at twice: once for "at < ?", once for "at = ? AND id < ?". */
	md_bind_int(call, *at);
	md_bind_int(call, *at);
	md_bind_uint(call, *id);
	md_bind_int(call, want);
	return read_rows(call, at, id, want, row, recs, rec_size);
}

/* md_page_rows_after - see mariadb-page.h. */
int md_page_rows_after(struct md_call *call, uint64_t *id, int want,
	md_row_fn *row, void *recs, size_t rec_size)
{
	md_bind_uint(call, *id);
	md_bind_int(call, want);
	return read_rows(call, NULL, id, want, row, recs, rec_size);
}
