/* SPDX-License-Identifier: MIT */
/* The record methods of the MariaDB store, declared through the SDK types. */
#ifndef MD_RECORDS_H
#define MD_RECORDS_H

#include <polychat/store.h>

/*
 * Declaring each method through its typedef makes the compiler check every
 * signature against include/polychat/store.h. The contracts are those of
 * the typedefs; what this backend adds is said in mariadb-credentials.c and
 * mariadb-messages.c. Every `void *db` is a struct md_db. These functions
 * are visible only inside the module: the build exports nothing but the
 * descriptor.
 */

/* mariadb-credentials.c: accounts, tokens and one-time challenges. */
polychat_account_put_fn md_account_put;
polychat_account_get_fn md_account_get;
polychat_account_get_id_fn md_account_get_id;
polychat_account_update_fn md_account_update;
polychat_account_delete_fn md_account_delete;
polychat_account_list_fn md_account_list;

polychat_token_put_fn md_token_put;
polychat_token_get_fn md_token_get;
polychat_token_revoke_fn md_token_revoke;
polychat_token_delete_fn md_token_delete;
polychat_token_revoke_user_fn md_token_revoke_user;
polychat_token_purge_fn md_token_purge;
polychat_token_list_fn md_token_list;

polychat_challenge_put_fn md_challenge_put;
polychat_challenge_get_fn md_challenge_get;
polychat_challenge_delete_fn md_challenge_delete;

/* mariadb-messages.c: keys, the offline queue and the audit trail. */
polychat_key_put_fn md_key_put;
polychat_key_get_fn md_key_get;
polychat_key_delete_fn md_key_delete;

polychat_queue_push_fn md_queue_push;
polychat_queue_peek_fn md_queue_peek;
polychat_queue_ack_fn md_queue_ack;
polychat_queue_count_fn md_queue_count;

polychat_audit_add_fn md_audit_add;
polychat_audit_list_fn md_audit_list;

#endif /* MD_RECORDS_H */
