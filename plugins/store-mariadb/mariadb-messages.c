/* SPDX-License-Identifier: MIT */
/* Keys, the offline message queue and the audit trail in the MariaDB store. */
#include <stdint.h>
#include <string.h>

#include <polychat/status.h>

#include "mariadb-conn.h"
#include "mariadb-page.h"
#include "mariadb-records.h"

/*
 * As in mariadb-credentials.c: strings are checked against their bounds
 * first (POLYCHAT_EINVAL), identifying strings must not be empty, results
 * are assembled locally and handed out only once complete, and each change
 * is one autocommit statement. A key or body larger than the server
 * accepts in one packet (max_allowed_packet) is POLYCHAT_ETOOBIG before
 * it is sent. Blobs handed to the caller are allocated with host->alloc,
 * never with less than one byte, so an empty value is a valid pointer too.
 */

/* How many audit records one page holds; see md_audit_list. */
#define AUDIT_PAGE 32

static int key_id_ok(const char *realm, const char *owner, const char *kind)
{
	if (md_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| md_text_ok(owner, POLYCHAT_NAME_MAX, 0) != 0
			|| md_text_ok(kind, POLYCHAT_KIND_MAX, 0) != 0)
		return POLYCHAT_EINVAL;
	return 0;
}

/* ETOOBIG for a value the server would refuse with the session, else 0. */
static int value_fits(struct md_call *call, size_t len)
{
	if (len <= md_max_value(call))
		return 0;
	call->db->host->log(POLYCHAT_LOG_WARNING, MD_WHO,
		"%s: a value of %zu bytes is over the server's limit of %zu "
		"(max_allowed_packet)", call->what, len, md_max_value(call));
	return POLYCHAT_ETOOBIG;
}

/*
 * md_key_put - see mariadb-records.h. Flags other than
 * POLYCHAT_KEY_REPLACE are POLYCHAT_EINVAL; an empty key is allowed.
 */
int md_key_put(void *db, const char *realm, const char *owner,
	const char *kind, const uint8_t *data, size_t len, unsigned flags)
{
	if (!db || key_id_ok(realm, owner, kind) != 0 || (!data && len > 0)
			|| (flags & ~POLYCHAT_KEY_REPLACE) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, (flags & POLYCHAT_KEY_REPLACE)
		? MD_KEY_REPLACE : MD_KEY_INSERT, "key_put", &call);
	if (rc != 0)
		return rc;
	rc = value_fits(&call, len);
	if (rc != 0)
		return md_call_end(&call, rc);
	md_bind_text(&call, realm);
	md_bind_text(&call, owner);
	md_bind_text(&call, kind);
	md_bind_bytes(&call, data, len);
	return md_call_end(&call, md_exec(&call));
}

/* md_key_get - see mariadb-records.h. */
int md_key_get(void *db, const char *realm, const char *owner,
	const char *kind, uint8_t **data, size_t *len)
{
	if (!db || !data || !len || key_id_ok(realm, owner, kind) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_KEY_GET, "key_get", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, realm);
	md_bind_text(&call, owner);
	md_bind_text(&call, kind);
	rc = md_execute(&call);

	uint8_t *copy = NULL;
	size_t copy_len = 0;
	if (rc == 0) {
		md_col_blob(&call, &copy, &copy_len);
		rc = md_fetch_one(&call);
	}
	if (rc == 0) {
		*data = copy;
		*len = copy_len;
	}
	return md_call_end(&call, rc);
}

/* md_key_delete - see mariadb-records.h. */
int md_key_delete(void *db, const char *realm, const char *owner,
	const char *kind)
{
	if (!db || key_id_ok(realm, owner, kind) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_KEY_DELETE, "key_delete", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, realm);
	md_bind_text(&call, owner);
	md_bind_text(&call, kind);
	return md_call_end(&call, md_exec_hit(&call));
}

/*
 * md_queue_push - see mariadb-records.h. item->id is ignored; the sender
 * may be empty (a system message), the body too. queued_at is stored as
 * given. The id is the row's AUTO_INCREMENT key: it grows with every push
 * and is never reused. A push that fails with POLYCHAT_EUNAVAIL because
 * the connection broke may have been stored all the same.
 */
int md_queue_push(void *db, const struct polychat_queued *item, uint64_t *id)
{
	if (!db || !item || md_text_ok(item->realm, POLYCHAT_REALM_MAX, 0) != 0
			|| md_text_ok(item->recipient, POLYCHAT_NAME_MAX, 0)
			|| md_text_ok(item->sender, POLYCHAT_NAME_MAX, 1) != 0
			|| (!item->body && item->body_len > 0))
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_QUEUE_INSERT, "queue_push", &call);
	if (rc != 0)
		return rc;
	rc = value_fits(&call, item->body_len);
	if (rc != 0)
		return md_call_end(&call, rc);
	md_bind_text(&call, item->realm);
	md_bind_text(&call, item->recipient);
	md_bind_text(&call, item->sender);
	md_bind_bytes(&call, item->body, item->body_len);
	md_bind_int(&call, item->queued_at);
	rc = md_exec(&call);
	if (rc == 0 && id)
		*id = md_insert_id(&call);
	return md_call_end(&call, rc);
}

/* md_queue_peek - see mariadb-records.h. An empty queue is ENOTFOUND. */
int md_queue_peek(void *db, const char *realm, const char *recipient,
	const char *sender, struct polychat_queued *out)
{
	if (!db || !out || md_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| md_text_ok(recipient, POLYCHAT_NAME_MAX, 0) != 0
			|| (sender && md_text_ok(sender, POLYCHAT_NAME_MAX, 1)))
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, sender ? MD_QUEUE_PEEK_FROM : MD_QUEUE_PEEK,
		"queue_peek", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, realm);
	md_bind_text(&call, recipient);
	if (sender)
		md_bind_text(&call, sender);
	rc = md_execute(&call);

	struct polychat_queued item;
	memset(&item, 0, sizeof(item));
	if (rc == 0) {
		md_col_uint(&call, &item.id);
		md_col_text(&call, item.realm, sizeof(item.realm));
		md_col_text(&call, item.recipient, sizeof(item.recipient));
		md_col_text(&call, item.sender, sizeof(item.sender));
		/* md_fetch allocates the body last: nothing fails after it. */
		md_col_blob(&call, &item.body, &item.body_len);
		md_col_int(&call, &item.queued_at);
		rc = md_fetch_one(&call);
	}
	if (rc == 0)
		*out = item;
	return md_call_end(&call, rc);
}

/* md_queue_ack - see mariadb-records.h. */
int md_queue_ack(void *db, uint64_t id)
{
	if (!db)
		return POLYCHAT_EINVAL;
	/* AUTO_INCREMENT never assigns 0. */
	if (id == 0)
		return POLYCHAT_ENOTFOUND;

	struct md_call call;
	int rc = md_call_start(db, MD_QUEUE_DELETE, "queue_ack", &call);
	if (rc != 0)
		return rc;
	md_bind_uint(&call, id);
	return md_call_end(&call, md_exec_hit(&call));
}

/* md_queue_count - see mariadb-records.h; an empty queue counts 0. */
int md_queue_count(void *db, const char *realm, const char *recipient,
	uint64_t *count)
{
	if (!db || !count || md_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| md_text_ok(recipient, POLYCHAT_NAME_MAX, 0) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_QUEUE_COUNT, "queue_count", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, realm);
	md_bind_text(&call, recipient);
	rc = md_execute(&call);

	uint64_t n = 0;
	if (rc == 0) {
		md_col_uint(&call, &n);
		rc = md_fetch_one(&call);
	}
	if (rc == 0)
		*count = n;
	return md_call_end(&call, rc);
}

/* md_audit_add - see mariadb-records.h; the address may be empty. */
int md_audit_add(void *db, const struct polychat_audit *rec)
{
	if (!db || !rec || md_text_ok(rec->realm, POLYCHAT_REALM_MAX, 0) != 0
			|| md_text_ok(rec->name, POLYCHAT_NAME_MAX, 0) != 0
			|| md_text_ok(rec->event, POLYCHAT_EVENT_MAX, 0) != 0
			|| md_text_ok(rec->address, POLYCHAT_ADDR_MAX, 1) != 0)
		return POLYCHAT_EINVAL;

	struct md_call call;
	int rc = md_call_start(db, MD_AUDIT_INSERT, "audit_add", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, rec->realm);
	md_bind_text(&call, rec->name);
	md_bind_text(&call, rec->event);
	md_bind_text(&call, rec->address);
	md_bind_int(&call, rec->size);
	md_bind_int(&call, rec->at);
	return md_call_end(&call, md_exec(&call));
}

/* One audit_list call: its filter and the caller's callback. */
struct audit_query {
	struct md_db *db;
	const char *realm;
	const char *name;
	const char *event;       /* NULL: every event */
	polychat_audit_fn *fn;
	void *arg;
};

/* An md_row_fn: an audit row is the AUDIT_COLUMNS. */
static int audit_row(struct md_call *call, void *out, int64_t *at,
	uint64_t *id)
{
	struct polychat_audit *rec = out;
	uint64_t row_id = 0;

	memset(rec, 0, sizeof(*rec));
	md_cols_reset(call);
	md_col_uint(call, &row_id);
	md_col_text(call, rec->realm, sizeof(rec->realm));
	md_col_text(call, rec->name, sizeof(rec->name));
	md_col_text(call, rec->event, sizeof(rec->event));
	md_col_text(call, rec->address, sizeof(rec->address));
	md_col_int(call, &rec->size);
	md_col_int(call, &rec->at);
	int rc = md_fetch(call);
	if (rc > 0) {
		*at = rec->at;
		*id = row_id;
	}
	return rc;
}

/* An md_page_fn: one page of the records of (realm, name[, event]). */
static int audit_page(void *ctx, int64_t *at, uint64_t *id, void *recs,
	int want)
{
	const struct audit_query *q = ctx;
	struct md_call call;
	int rc = md_call_start(q->db, MD_AUDIT_PAGE, "audit_list", &call);
	if (rc != 0)
		return rc;
	md_bind_text(&call, q->realm);
	md_bind_text(&call, q->name);
	if (q->event) {
		md_bind_text(&call, q->event);
		md_bind_text(&call, q->event);
	} else {
		md_bind_null(&call);
		md_bind_null(&call);
	}
	return md_page_rows(&call, at, id, want, audit_row, recs,
		sizeof(struct polychat_audit));
}

/* An md_emit_fn: hand one record to the caller. */
static int audit_emit(void *ctx, const void *rec)
{
	const struct audit_query *q = ctx;

	return q->fn(q->arg, rec);
}

/*
 * md_audit_list - see mariadb-records.h. Ties in `at` are broken by
 * insertion order, newest first; a limit of 0 lists nothing. Records are
 * read a page at a time and the statement is released before `fn` runs,
 * so `fn` may call any method of the store, even audit_add.
 */
int md_audit_list(void *db, const char *realm, const char *name,
	const char *event, unsigned limit, polychat_audit_fn *fn, void *arg)
{
	if (!db || !fn || md_text_ok(realm, POLYCHAT_REALM_MAX, 0) != 0
			|| md_text_ok(name, POLYCHAT_NAME_MAX, 0) != 0
			|| (event && md_text_ok(event, POLYCHAT_EVENT_MAX, 0)))
		return POLYCHAT_EINVAL;

	struct audit_query q = { db, realm, name, event, fn, arg };
	return md_page_list(db, limit, sizeof(struct polychat_audit),
		AUDIT_PAGE, audit_page, audit_emit, &q);
}
