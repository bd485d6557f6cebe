/* SPDX-License-Identifier: MIT */
/* Store plugins: everything that must survive a restart. */
#ifndef POLYCHAT_STORE_H
#define POLYCHAT_STORE_H

#include <stdint.h>

#include <polychat/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds of the strings a store keeps (bytes, without the NUL). */
#define POLYCHAT_REALM_MAX 63
#define POLYCHAT_NAME_MAX 255
#define POLYCHAT_TOKEN_MAX 127
#define POLYCHAT_SECRET_MAX 255
#define POLYCHAT_KIND_MAX 31
#define POLYCHAT_ADDR_MAX 63
#define POLYCHAT_EVENT_MAX 31

/*
 * Every record is namespaced by a realm: the identity space of a listener
 * (its `realm` option, by default the listener name), so that kylochat user
 * names and e2ee-chat phone numbers never collide while two listeners of
 * one protocol can share accounts.
 */

/* struct polychat_account.flags */
#define POLYCHAT_ACCOUNT_ADMIN 0x1u
#define POLYCHAT_ACCOUNT_BANNED 0x2u
#define POLYCHAT_ACCOUNT_VERIFIED 0x4u

/* account_get flags */
/* Match the name ignoring ASCII case and trailing spaces, as MariaDB's
 * default collation does (kylochat relies on it); `out->name` is the stored
 * spelling. */
#define POLYCHAT_LOOKUP_FOLD 0x1u

/* account_update fields */
#define POLYCHAT_ACCOUNT_SET_SECRET 0x1u
#define POLYCHAT_ACCOUNT_SET_FLAGS 0x2u
#define POLYCHAT_ACCOUNT_SET_LAST_SEEN 0x4u

struct polychat_account {
	uint64_t id;                          /* set by the store: unique, never reused */
	char realm[POLYCHAT_REALM_MAX + 1];
	char name[POLYCHAT_NAME_MAX + 1];
	char secret[POLYCHAT_SECRET_MAX + 1]; /* e.g. a "$2b$" hash; may be "" */
	uint32_t flags;                       /* POLYCHAT_ACCOUNT_* */
	int64_t created_at;                   /* Unix seconds */
	int64_t last_seen;                    /* Unix seconds, 0 = never */
};

struct polychat_token {
	char token[POLYCHAT_TOKEN_MAX + 1];
	char realm[POLYCHAT_REALM_MAX + 1];
	char name[POLYCHAT_NAME_MAX + 1];  /* the owner's account name */
	int64_t issued_at;
	int64_t expires_at;
	int revoked;
};

/* A one-time challenge (OTP) pending for a subject. */
struct polychat_challenge {
	char realm[POLYCHAT_REALM_MAX + 1];
	char subject[POLYCHAT_NAME_MAX + 1];
	char secret[POLYCHAT_SECRET_MAX + 1]; /* what the subject must present, or its hash */
	uint32_t attempts;                    /* failed attempts so far */
	int64_t created_at;
	int64_t expires_at;
};

/* One message held for an offline recipient: end-to-end ciphertext only. */
struct polychat_queued {
	uint64_t id;                  /* set by queue_push; increases with time */
	char realm[POLYCHAT_REALM_MAX + 1];
	char recipient[POLYCHAT_NAME_MAX + 1];
	char sender[POLYCHAT_NAME_MAX + 1];
	uint8_t *body;                /* owned: allocated with host->alloc */
	size_t body_len;
	int64_t queued_at;
};

/* An audit record: who, from where, how much. Never content. */
struct polychat_audit {
	char realm[POLYCHAT_REALM_MAX + 1];
	char name[POLYCHAT_NAME_MAX + 1];
	char event[POLYCHAT_EVENT_MAX + 1];  /* "login", "message", ... */
	char address[POLYCHAT_ADDR_MAX + 1]; /* peer IP */
	int64_t size;                        /* message size in bytes, or 0 */
	int64_t at;
};

/* key_put flags */
#define POLYCHAT_KEY_REPLACE 0x1u /* overwrite; default is write-once (EEXIST) */

/* Called by audit_list per record, newest first; return non-zero to stop.
 * The callback may call the store. */
typedef int polychat_audit_fn(void *arg, const struct polychat_audit *rec);
/* Called by token_list per token, newest first; return non-zero to stop.
 * The callback may call the store. */
typedef int polychat_token_fn(void *arg, const struct polychat_token *tok);
/* Called by account_list per account, in increasing id order; return
 * non-zero to stop. The callback may call the store. `acct->secret` is
 * always empty (""): a listing never spreads password hashes. ABI 1.1. */
typedef int polychat_account_fn(void *arg, const struct polychat_account *acct);

/*
 * Method types. open/close/check run on the loop thread at start-up, reload
 * and shutdown (open may block briefly: it creates or migrates the schema).
 * Every other method may block and is called only from thread-pool workers,
 * concurrently: implementations are thread-safe (for example one database
 * handle per worker thread). A method returns 0 only after its change is
 * durable (committed), so a caller may acknowledge it to a client.
 * Out-parameters are written only on success. Errors: POLYCHAT_ENOTFOUND,
 * POLYCHAT_EEXIST, POLYCHAT_EINVAL (a string longer than its bound; an empty
 * realm, name, token, subject, kind, event or recipient; unknown flag or
 * field bits), POLYCHAT_ETOOBIG (a value over the backend's size limit),
 * POLYCHAT_EUNAVAIL (backend down: retry later), POLYCHAT_ENOSPACE,
 * POLYCHAT_ENOMEM, POLYCHAT_EIO. A secret, sender, address or body may be
 * empty; an empty body or key comes back as a valid pointer of length 0.
 */
typedef int polychat_store_check_fn(const struct polychat_host *host,
	const struct polychat_options *opts);
typedef int polychat_store_open_fn(const struct polychat_host *host,
	const struct polychat_options *opts, void **db);
/* Accepts NULL. No other call of this db may be running. */
typedef void polychat_store_close_fn(void *db);
/* Make everything durable now (checkpoint); called at shutdown. */
typedef int polychat_store_flush_fn(void *db);

/* Create an account (acct->id is ignored: the store assigns one); *id (may
 * be NULL) gets it. */
typedef int polychat_account_put_fn(void *db, const struct polychat_account *acct,
	uint64_t *id);
/* With POLYCHAT_LOOKUP_FOLD, when several stored names fold alike the exact
 * spelling wins, else the first in byte order. */
typedef int polychat_account_get_fn(void *db, const char *realm, const char *name,
	unsigned flags, struct polychat_account *out);
/* The account with that id (in that realm). */
typedef int polychat_account_get_id_fn(void *db, const char *realm, uint64_t id,
	struct polychat_account *out);
/* Update the fields named by `fields` (POLYCHAT_ACCOUNT_SET_*, non-zero)
 * of the account (acct->realm, acct->name). */
typedef int polychat_account_update_fn(void *db, const struct polychat_account *acct,
	unsigned fields);
typedef int polychat_account_delete_fn(void *db, const char *realm, const char *name);
/*
 * ABI 1.1, optional: the accounts of `realm` whose id is greater than
 * `after_id`, in increasing id order, at most `limit` of them (0 = no
 * limit). A caller pages through a realm by passing the id of the last
 * account it was handed as the next `after_id` (0 starts at the first).
 * Each account goes to `fn` with every field set except `secret`, which is
 * EMPTY (""): a listing must not spread password hashes (account_get
 * returns the one of an account). `fn` returns non-zero to stop the
 * listing, which then returns 0; it may call the store, this method and
 * account_delete included (so a backend holds no statement or lock across
 * it). An account created or deleted while a listing runs may or may not
 * be listed. Errors besides those above: POLYCHAT_EINVAL also for a NULL
 * `fn`; POLYCHAT_ENOTSUP from a backend that cannot list (the core's
 * default for a plugin built before 1.1). Bad arguments and ENOMEM fail
 * before `fn` ever runs; a failure reading a later page is returned after
 * the accounts read before it were handed out.
 */
typedef int polychat_account_list_fn(void *db, const char *realm,
	uint64_t after_id, unsigned limit, polychat_account_fn *fn, void *arg);

typedef int polychat_token_put_fn(void *db, const struct polychat_token *tok);
typedef int polychat_token_get_fn(void *db, const char *token,
	struct polychat_token *out);
/* Mark revoked (it stays, and answers "revoked"); revoking twice is 0. */
typedef int polychat_token_revoke_fn(void *db, const char *token);
/* Delete for good (it then answers ENOTFOUND). */
typedef int polychat_token_delete_fn(void *db, const char *token);
/* Tokens of (realm, name), or of the whole realm if name is NULL, newest
 * first, at most `limit`. */
typedef int polychat_token_list_fn(void *db, const char *realm, const char *name,
	unsigned limit, polychat_token_fn *fn, void *arg);
/* Revoke every token of an account; *count (may be NULL) gets how many
 * were not revoked before. */
typedef int polychat_token_revoke_user_fn(void *db, const char *realm,
	const char *name, uint64_t *count);
/* Delete tokens that expired before `now`. */
typedef int polychat_token_purge_fn(void *db, int64_t now, uint64_t *count);

/* Keys by (realm, owner, kind): kind names the material ("x25519",
 * "rsa-spki-pem", ...). Write-once unless POLYCHAT_KEY_REPLACE. */
typedef int polychat_key_put_fn(void *db, const char *realm, const char *owner,
	const char *kind, const uint8_t *data, size_t len, unsigned flags);
/* *data is allocated with host->alloc; the caller frees it. */
typedef int polychat_key_get_fn(void *db, const char *realm, const char *owner,
	const char *kind, uint8_t **data, size_t *len);
typedef int polychat_key_delete_fn(void *db, const char *realm, const char *owner,
	const char *kind);

/* Append to the queue of `item->recipient`; *id (may be NULL) gets its id.
 * The item is copied. */
typedef int polychat_queue_push_fn(void *db, const struct polychat_queued *item,
	uint64_t *id);
/* The oldest item for `recipient`, from `sender` only if not NULL. The item
 * stays queued until acknowledged. out->body is allocated with host->alloc. */
typedef int polychat_queue_peek_fn(void *db, const char *realm,
	const char *recipient, const char *sender, struct polychat_queued *out);
/* Remove an item (after it was handed out). ENOTFOUND if already gone. */
typedef int polychat_queue_ack_fn(void *db, uint64_t id);
typedef int polychat_queue_count_fn(void *db, const char *realm,
	const char *recipient, uint64_t *count);

/* Insert or replace the challenge of (realm, subject). */
typedef int polychat_challenge_put_fn(void *db, const struct polychat_challenge *ch);
typedef int polychat_challenge_get_fn(void *db, const char *realm,
	const char *subject, struct polychat_challenge *out);
typedef int polychat_challenge_delete_fn(void *db, const char *realm,
	const char *subject);

typedef int polychat_audit_add_fn(void *db, const struct polychat_audit *rec);
/* Records of (realm, name), `event` only if not NULL, newest first, at most
 * `limit` (0 lists nothing). */
typedef int polychat_audit_list_fn(void *db, const char *realm, const char *name,
	const char *event, unsigned limit, polychat_audit_fn *fn, void *arg);

/* The ops of one store backend, append-only: ABI 1.0, then each later
 * minor's members after its version comment. All mandatory except check,
 * flush and account_list. */
struct polychat_store_ops {
	polychat_store_check_fn *check;
	polychat_store_open_fn *open;
	polychat_store_close_fn *close;
	polychat_store_flush_fn *flush;

	polychat_account_put_fn *account_put;
	polychat_account_get_fn *account_get;
	polychat_account_get_id_fn *account_get_id;
	polychat_account_update_fn *account_update;
	polychat_account_delete_fn *account_delete;

	polychat_token_put_fn *token_put;
	polychat_token_get_fn *token_get;
	polychat_token_revoke_fn *token_revoke;
	polychat_token_delete_fn *token_delete;
	polychat_token_revoke_user_fn *token_revoke_user;
	polychat_token_purge_fn *token_purge;
	polychat_token_list_fn *token_list;

	polychat_key_put_fn *key_put;
	polychat_key_get_fn *key_get;
	polychat_key_delete_fn *key_delete;

	polychat_queue_push_fn *queue_push;
	polychat_queue_peek_fn *queue_peek;
	polychat_queue_ack_fn *queue_ack;
	polychat_queue_count_fn *queue_count;

	polychat_challenge_put_fn *challenge_put;
	polychat_challenge_get_fn *challenge_get;
	polychat_challenge_delete_fn *challenge_delete;

	polychat_audit_add_fn *audit_add;
	polychat_audit_list_fn *audit_list;

	/* --- ABI 1.1 --- */
	polychat_account_list_fn *account_list;
};

/* A listener's store binding as handed to suites and auth methods. */
struct polychat_store_ref {
	const struct polychat_store_ops *ops;
	void *db;
};

#ifdef __cplusplus
}
#endif

#endif /* POLYCHAT_STORE_H */
