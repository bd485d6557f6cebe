/* SPDX-License-Identifier: MIT */
/* Keys, the offline message queue and the audit trail in the SQLite store. */
#include <stdint.h>
#include <string.h>

#include <polychat/status.h>

#include "sqlite-conn.h"
#include "sqlite-page.h"
#include "sqlite-records.h"

/*
 * As in sqlite-credentials.c: strings are checked against their bounds
 * first (POLYCHAT_EINVAL), identifying strings must not be empty, results
 * are assembled locally and handed out only once complete, and each change
 * is one autocommit statement. Blobs handed to the caller are allocated
 * with host->alloc, never with less than one byte, so an empty value is a
 * valid pointer too.
 */

/* How many audit records one page holds; see sq_audit_list. */
#define AUDIT_PAGE 32

static int key_id_ok(const char *realm, const char *owner, const char *kind)
{
	if (sq_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| sq_text_ok(owner, POLYCHAT_NAME_MAX, 0) != 0
			|| sq_text_ok(kind, POLYCHAT_KIND_MAX, 0) != 0)
		return POLYCHAT_EINVAL;
	return 0;
}

/* Copy blob column `col` into memory from host->alloc. */
static int column_blob(struct sq_call *call, int col, uint8_t **data,
	size_t *len)
{
	/* column_blob before column_bytes: the documented safe order. */
	const void *blob = sqlite3_column_blob(call->st, col);
	int n = sqlite3_column_bytes(call->st, col);
	if (n < 0 || (!blob && n > 0))
		return POLYCHAT_ENOMEM;

	uint8_t *copy = call->db->host->alloc(n > 0 ? (size_t)n : 1);
	if (!copy)
		return POLYCHAT_ENOMEM;
	if (n > 0)
		memcpy(copy, blob, (size_t)n);
	*data = copy;
	*len = (size_t)n;
	return 0;
}

/*
 * sq_key_put - see sqlite-records.h. Flags other than POLYCHAT_KEY_REPLACE
 * are POLYCHAT_EINVAL; an empty key is allowed.
 */
int sq_key_put(void *db, const char *realm, const char *owner,
	const char *kind, const uint8_t *data, size_t len, unsigned flags)
{
	if (!db || key_id_ok(realm, owner, kind) != 0 || (!data && len > 0)
			|| (flags & ~POLYCHAT_KEY_REPLACE) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, (flags & POLYCHAT_KEY_REPLACE)
		? SQ_KEY_REPLACE : SQ_KEY_INSERT, "key_put", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, realm);
	sq_bind_text(&call, owner);
	sq_bind_text(&call, kind);
	sq_bind_blob(&call, data, len);
	return sq_call_end(&call, sq_exec(&call));
}

/* sq_key_get - see sqlite-records.h. */
int sq_key_get(void *db, const char *realm, const char *owner,
	const char *kind, uint8_t **data, size_t *len)
{
	if (!db || !data || !len || key_id_ok(realm, owner, kind) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_KEY_GET, "key_get", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, realm);
	sq_bind_text(&call, owner);
	sq_bind_text(&call, kind);
	rc = sq_step_one(&call);
	if (rc == 0)
		rc = column_blob(&call, 0, data, len);
	return sq_call_end(&call, rc);
}

/* sq_key_delete - see sqlite-records.h. */
int sq_key_delete(void *db, const char *realm, const char *owner,
	const char *kind)
{
	if (!db || key_id_ok(realm, owner, kind) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_KEY_DELETE, "key_delete", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, realm);
	sq_bind_text(&call, owner);
	sq_bind_text(&call, kind);
	return sq_call_end(&call, sq_exec_hit(&call));
}

/*
 * sq_queue_push - see sqlite-records.h. item->id is ignored; the sender may
 * be empty (a system message), the body too. queued_at is stored as given.
 */
int sq_queue_push(void *db, const struct polychat_queued *item, uint64_t *id)
{
	if (!db || !item || sq_text_ok(item->realm, POLYCHAT_REALM_MAX, 0) != 0
			|| sq_text_ok(item->recipient, POLYCHAT_NAME_MAX, 0)
			|| sq_text_ok(item->sender, POLYCHAT_NAME_MAX, 1) != 0
			|| (!item->body && item->body_len > 0))
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_QUEUE_INSERT, "queue_push", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, item->realm);
	sq_bind_text(&call, item->recipient);
	sq_bind_text(&call, item->sender);
	sq_bind_blob(&call, item->body, item->body_len);
	sq_bind_int(&call, item->queued_at);
	rc = sq_exec(&call);
	if (rc == 0 && id)
		*id = (uint64_t)sq_last_rowid(&call);
	return sq_call_end(&call, rc);
}

/* sq_queue_peek - see sqlite-records.h. An empty queue is ENOTFOUND. */
int sq_queue_peek(void *db, const char *realm, const char *recipient,
	const char *sender, struct polychat_queued *out)
{
	if (!db || !out || sq_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| sq_text_ok(recipient, POLYCHAT_NAME_MAX, 0) != 0
			|| (sender && sq_text_ok(sender, POLYCHAT_NAME_MAX, 1)))
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, sender ? SQ_QUEUE_PEEK_FROM : SQ_QUEUE_PEEK,
		"queue_peek", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, realm);
	sq_bind_text(&call, recipient);
	if (sender)
		sq_bind_text(&call, sender);
	rc = sq_step_one(&call);

	struct polychat_queued item;
	memset(&item, 0, sizeof(item));
	if (rc == 0) {
		item.id = (uint64_t)sqlite3_column_int64(call.st, 0);
		item.queued_at = sqlite3_column_int64(call.st, 5);
		rc = sq_column_text(&call, 1, item.realm, sizeof(item.realm));
	}
	if (rc == 0)
		rc = sq_column_text(&call, 2, item.recipient,
			sizeof(item.recipient));
	if (rc == 0)
		rc = sq_column_text(&call, 3, item.sender, sizeof(item.sender));
	/* The body last: nothing can fail after it is allocated. */
	if (rc == 0)
		rc = column_blob(&call, 4, &item.body, &item.body_len);
	if (rc == 0)
		*out = item;
	return sq_call_end(&call, rc);
}

/* sq_queue_ack - see sqlite-records.h. */
int sq_queue_ack(void *db, uint64_t id)
{
	if (!db)
		return POLYCHAT_EINVAL;
	/* Ids come from INTEGER PRIMARY KEY: never 0, never above INT64_MAX. */
	if (id == 0 || id > (uint64_t)INT64_MAX)
		return POLYCHAT_ENOTFOUND;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_QUEUE_DELETE, "queue_ack", &call);
	if (rc != 0)
		return rc;
	sq_bind_int(&call, (int64_t)id);
	return sq_call_end(&call, sq_exec_hit(&call));
}

/* sq_queue_count - see sqlite-records.h; an empty queue counts 0. */
int sq_queue_count(void *db, const char *realm, const char *recipient,
	uint64_t *count)
{
	if (!db || !count || sq_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| sq_text_ok(recipient, POLYCHAT_NAME_MAX, 0) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_QUEUE_COUNT, "queue_count", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, realm);
	sq_bind_text(&call, recipient);
	rc = sq_step_one(&call);
	if (rc == 0) {
		sqlite3_int64 n = sqlite3_column_int64(call.st, 0);
		*count = n > 0 ? (uint64_t)n : 0;
	}
	return sq_call_end(&call, rc);
}

/* sq_audit_add - see sqlite-records.h; the address may be empty. */
int sq_audit_add(void *db, const struct polychat_audit *rec)
{
	if (!db || !rec || sq_text_ok(rec->realm, POLYCHAT_REALM_MAX, 0) != 0
			|| sq_text_ok(rec->name, POLYCHAT_NAME_MAX, 0) != 0
			|| sq_text_ok(rec->event, POLYCHAT_EVENT_MAX, 0) != 0
			|| sq_text_ok(rec->address, POLYCHAT_ADDR_MAX, 1) != 0)
		return POLYCHAT_EINVAL;

	struct sq_call call;
	int rc = sq_call_start(db, SQ_AUDIT_INSERT, "audit_add", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, rec->realm);
	sq_bind_text(&call, rec->name);
	sq_bind_text(&call, rec->event);
	sq_bind_text(&call, rec->address);
	sq_bind_int(&call, rec->size);
	sq_bind_int(&call, rec->at);
	return sq_call_end(&call, sq_exec(&call));
}

/* One audit_list call: its filter and the caller's callback. */
struct audit_query {
	struct sq_db *db;
	const char *realm;
	const char *name;
	const char *event;       /* NULL: every event */
	polychat_audit_fn *fn;
	void *arg;
};

/* An sq_row_fn: an audit row is the AUDIT_COLUMNS. */
static int audit_row(struct sq_call *call, void *out, int64_t *at)
{
	struct polychat_audit *rec = out;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rec->size = sqlite3_column_int64(call->st, 5);
	rec->at = sqlite3_column_int64(call->st, 6);
	if ((rc = sq_column_text(call, 1, rec->realm,
			sizeof(rec->realm))) != 0
			|| (rc = sq_column_text(call, 2, rec->name,
				sizeof(rec->name))) != 0
			|| (rc = sq_column_text(call, 3, rec->event,
				sizeof(rec->event))) != 0
			|| (rc = sq_column_text(call, 4, rec->address,
				sizeof(rec->address))) != 0)
		return rc;
	*at = rec->at;
	return 0;
}

/* An sq_page_fn: one page of the records of (realm, name[, event]). */
static int audit_page(void *ctx, int64_t *at, int64_t *id, void *recs,
	int want)
{
	const struct audit_query *q = ctx;
	struct sq_call call;
	int rc = sq_call_start(q->db, SQ_AUDIT_PAGE, "audit_list", &call);
	if (rc != 0)
		return rc;
	sq_bind_text(&call, q->realm);
	sq_bind_text(&call, q->name);
	if (q->event) {
		sq_bind_text(&call, q->event);
		sq_bind_text(&call, q->event);
	} else {
		sq_bind_null(&call);
		sq_bind_null(&call);
	}
	return sq_page_rows(&call, at, id, want, audit_row, recs,
		sizeof(struct polychat_audit));
}

/* An sq_emit_fn: hand one record to the caller. */
static int audit_emit(void *ctx, const void *rec)
{
	const struct audit_query *q = ctx;

	return q->fn(q->arg, rec);
}

/*
 * sq_audit_list - see sqlite-records.h. Ties in `at` are broken by
 * insertion order, newest first; a limit of 0 lists nothing. Records are
 * read a page at a time and the statement is released before `fn` runs,
 * so `fn` may call any method of the store, even audit_add.
 */
int sq_audit_list(void *db, const char *realm, const char *name,
	const char *event, unsigned limit, polychat_audit_fn *fn, void *arg)
{
	if (!db || !fn || sq_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| sq_text_ok(name, POLYCHAT_NAME_MAX, 0) != 0
			|| (event && sq_text_ok(event, POLYCHAT_EVENT_MAX, 0)))
		return POLYCHAT_EINVAL;

	struct audit_query q = { db, realm, name, event, fn, arg };
	return sq_page_list(db, limit, sizeof(struct polychat_audit),
		AUDIT_PAGE, audit_page, audit_emit, &q);
}
