/* SPDX-License-Identifier: MIT */
/* The record methods of the SQLite store, declared through the SDK types. */
#ifndef SQ_RECORDS_H
#define SQ_RECORDS_H

#include <polychat/store.h>

/*
 * Declaring each method through its typedef makes the compiler check every
 * signature against include/polychat/store.h. The contracts are those of
 * the typedefs; what this backend adds is said in sqlite-credentials.c and
 * sqlite-messages.c. Every `void *db` is a struct sq_db. These functions
 * are visible only inside the module: the build exports nothing but the
 * descriptor.
 */

/* sqlite-credentials.c: accounts, tokens and one-time challenges. */
polychat_account_put_fn sq_account_put;
polychat_account_get_fn sq_account_get;
polychat_account_get_id_fn sq_account_get_id;
polychat_account_update_fn sq_account_update;
polychat_account_delete_fn sq_account_delete;
polychat_account_list_fn sq_account_list;

polychat_token_put_fn sq_token_put;
polychat_token_get_fn sq_token_get;
polychat_token_revoke_fn sq_token_revoke;
polychat_token_delete_fn sq_token_delete;
polychat_token_revoke_user_fn sq_token_revoke_user;
polychat_token_purge_fn sq_token_purge;
polychat_token_list_fn sq_token_list;

polychat_challenge_put_fn sq_challenge_put;
polychat_challenge_get_fn sq_challenge_get;
polychat_challenge_delete_fn sq_challenge_delete;

/* sqlite-messages.c: keys, the offline queue and the audit trail. */
polychat_key_put_fn sq_key_put;
polychat_key_get_fn sq_key_get;
polychat_key_delete_fn sq_key_delete;

polychat_queue_push_fn sq_queue_push;
polychat_queue_peek_fn sq_queue_peek;
polychat_queue_ack_fn sq_queue_ack;
polychat_queue_count_fn sq_queue_count;

polychat_audit_add_fn sq_audit_add;
polychat_audit_list_fn sq_audit_list;

#endif /* SQ_RECORDS_H */
