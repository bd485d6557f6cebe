/* SPDX-License-Identifier: MIT */
/* Freezes the released layout of every public SDK struct: a reorder, removal or
 * type change of a member fails the build; appending needs a new entry here. */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>

#include <polychat/polychat.h>

#include "../check-run.h"

/*
 * ABI 1.0 as released, for LP64 targets (x86_64, aarch64). A member appended
 * in a later minor adds a line here and changes the sizeof line of its struct;
 * nothing else in this file may ever change while POLYCHAT_ABI_MAJOR is 1.
 */
#if defined(__LP64__)
#define FROZEN(type, member, offset) \
	_Static_assert(offsetof(struct type, member) == (offset), \
		#type "." #member " moved: ABI 1 layouts are frozen")
#define FROZEN_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), \
		#type " changed size: append members only, and record them here")

FROZEN_SIZE(polychat_message, 64);
FROZEN(polychat_message, kind, 0);
FROZEN(polychat_message, body_kind, 4);
FROZEN(polychat_message, from, 8);
FROZEN(polychat_message, body, 16);
FROZEN(polychat_message, body_len, 24);
FROZEN(polychat_message, extra, 32);
FROZEN(polychat_message, extra_len, 40);
FROZEN(polychat_message, suite, 48);
FROZEN(polychat_message, listener, 56);
FROZEN_SIZE(polychat_target, 32);
FROZEN(polychat_target, kind, 0);
FROZEN(polychat_target, name, 8);
FROZEN(polychat_target, conn, 16);
FROZEN(polychat_target, flags, 24);
FROZEN_SIZE(polychat_host, 352);
FROZEN(polychat_host, size, 0);
FROZEN(polychat_host, abi_major, 8);
FROZEN(polychat_host, abi_minor, 12);
FROZEN(polychat_host, log, 16);
FROZEN(polychat_host, vlog, 24);
FROZEN(polychat_host, alloc, 32);
FROZEN(polychat_host, calloc, 40);
FROZEN(polychat_host, free, 48);
FROZEN(polychat_host, wipe_free, 56);
FROZEN(polychat_host, wipe, 64);
FROZEN(polychat_host, random, 72);
FROZEN(polychat_host, conn_write, 80);
FROZEN(polychat_host, conn_close, 88);
FROZEN(polychat_host, conn_set_write_gap, 96);
FROZEN(polychat_host, conn_set_input_limit, 104);
FROZEN(polychat_host, conn_pause, 112);
FROZEN(polychat_host, conn_resume, 120);
FROZEN(polychat_host, conn_peer, 128);
FROZEN(polychat_host, conn_peer_ip, 136);
FROZEN(polychat_host, conn_local_ip, 144);
FROZEN(polychat_host, conn_listener, 152);
FROZEN(polychat_host, conn_identity, 160);
FROZEN(polychat_host, listener_name, 168);
FROZEN(polychat_host, listener_realm, 176);
FROZEN(polychat_host, conn_timer, 184);
FROZEN(polychat_host, listener_timer, 192);
FROZEN(polychat_host, timer_stop, 200);
FROZEN(polychat_host, conn_job, 208);
FROZEN(polychat_host, listener_job, 216);
FROZEN(polychat_host, conn_bind, 224);
FROZEN(polychat_host, identity_lookup, 232);
FROZEN(polychat_host, room_join, 240);
FROZEN(polychat_host, room_leave, 248);
FROZEN(polychat_host, deliver, 256);
FROZEN(polychat_host, listener_deliver, 264);
FROZEN(polychat_host, opt_string, 272);
FROZEN(polychat_host, opt_int, 280);
FROZEN(polychat_host, opt_bool, 288);
FROZEN(polychat_host, opt_error, 296);
FROZEN(polychat_host, state_path, 304);
FROZEN(polychat_host, ui_show, 312);
/* ABI 1.1 */
FROZEN(polychat_host, ui_secret, 320);
/* ABI 1.2 */
FROZEN(polychat_host, conn_write_notify, 328);
FROZEN(polychat_host, conn_job_cpu, 336);
FROZEN(polychat_host, listener_job_cpu, 344);
FROZEN_SIZE(polychat_account, 608);
FROZEN(polychat_account, id, 0);
FROZEN(polychat_account, realm, 8);
FROZEN(polychat_account, name, 72);
FROZEN(polychat_account, secret, 328);
FROZEN(polychat_account, flags, 584);
FROZEN(polychat_account, created_at, 592);
FROZEN(polychat_account, last_seen, 600);
FROZEN_SIZE(polychat_token, 472);
FROZEN(polychat_token, token, 0);
FROZEN(polychat_token, realm, 128);
FROZEN(polychat_token, name, 192);
FROZEN(polychat_token, issued_at, 448);
FROZEN(polychat_token, expires_at, 456);
FROZEN(polychat_token, revoked, 464);
FROZEN_SIZE(polychat_challenge, 600);
FROZEN(polychat_challenge, realm, 0);
FROZEN(polychat_challenge, subject, 64);
FROZEN(polychat_challenge, secret, 320);
FROZEN(polychat_challenge, attempts, 576);
FROZEN(polychat_challenge, created_at, 584);
FROZEN(polychat_challenge, expires_at, 592);
FROZEN_SIZE(polychat_queued, 608);
FROZEN(polychat_queued, id, 0);
FROZEN(polychat_queued, realm, 8);
FROZEN(polychat_queued, recipient, 72);
FROZEN(polychat_queued, sender, 328);
FROZEN(polychat_queued, body, 584);
FROZEN(polychat_queued, body_len, 592);
FROZEN(polychat_queued, queued_at, 600);
FROZEN_SIZE(polychat_audit, 432);
FROZEN(polychat_audit, realm, 0);
FROZEN(polychat_audit, name, 64);
FROZEN(polychat_audit, event, 320);
FROZEN(polychat_audit, address, 352);
FROZEN(polychat_audit, size, 416);
FROZEN(polychat_audit, at, 424);
FROZEN_SIZE(polychat_store_ops, 232);
FROZEN(polychat_store_ops, check, 0);
FROZEN(polychat_store_ops, open, 8);
FROZEN(polychat_store_ops, close, 16);
FROZEN(polychat_store_ops, flush, 24);
FROZEN(polychat_store_ops, account_put, 32);
FROZEN(polychat_store_ops, account_get, 40);
FROZEN(polychat_store_ops, account_get_id, 48);
FROZEN(polychat_store_ops, account_update, 56);
FROZEN(polychat_store_ops, account_delete, 64);
FROZEN(polychat_store_ops, token_put, 72);
FROZEN(polychat_store_ops, token_get, 80);
FROZEN(polychat_store_ops, token_revoke, 88);
FROZEN(polychat_store_ops, token_delete, 96);
FROZEN(polychat_store_ops, token_revoke_user, 104);
FROZEN(polychat_store_ops, token_purge, 112);
FROZEN(polychat_store_ops, token_list, 120);
FROZEN(polychat_store_ops, key_put, 128);
FROZEN(polychat_store_ops, key_get, 136);
FROZEN(polychat_store_ops, key_delete, 144);
FROZEN(polychat_store_ops, queue_push, 152);
FROZEN(polychat_store_ops, queue_peek, 160);
FROZEN(polychat_store_ops, queue_ack, 168);
FROZEN(polychat_store_ops, queue_count, 176);
FROZEN(polychat_store_ops, challenge_put, 184);
FROZEN(polychat_store_ops, challenge_get, 192);
FROZEN(polychat_store_ops, challenge_delete, 200);
FROZEN(polychat_store_ops, audit_add, 208);
FROZEN(polychat_store_ops, audit_list, 216);
/* ABI 1.1 */
FROZEN(polychat_store_ops, account_list, 224);
FROZEN_SIZE(polychat_store_ref, 16);
FROZEN(polychat_store_ref, ops, 0);
FROZEN(polychat_store_ref, db, 8);
FROZEN_SIZE(polychat_auth_env, 24);
FROZEN(polychat_auth_env, host, 0);
FROZEN(polychat_auth_env, options, 8);
FROZEN(polychat_auth_env, store, 16);
FROZEN_SIZE(polychat_auth_ops, 48);
FROZEN(polychat_auth_ops, check, 0);
FROZEN(polychat_auth_ops, create, 8);
FROZEN(polychat_auth_ops, destroy, 16);
FROZEN(polychat_auth_ops, verify, 24);
FROZEN(polychat_auth_ops, set_secret, 32);
FROZEN(polychat_auth_ops, issue, 40);
FROZEN_SIZE(polychat_auth_ref, 16);
FROZEN(polychat_auth_ref, ops, 0);
FROZEN(polychat_auth_ref, instance, 8);
FROZEN_SIZE(polychat_suite_env, 40);
FROZEN(polychat_suite_env, host, 0);
FROZEN(polychat_suite_env, listener, 8);
FROZEN(polychat_suite_env, options, 16);
FROZEN(polychat_suite_env, auth, 24);
FROZEN(polychat_suite_env, store, 32);
FROZEN_SIZE(polychat_client_env, 40);
FROZEN(polychat_client_env, host, 0);
FROZEN(polychat_client_env, options, 8);
FROZEN(polychat_client_env, user, 16);
FROZEN(polychat_client_env, secret, 24);
FROZEN(polychat_client_env, state_dir, 32);
FROZEN_SIZE(polychat_suite_ops, 104);
FROZEN(polychat_suite_ops, check, 0);
FROZEN(polychat_suite_ops, create, 8);
FROZEN(polychat_suite_ops, destroy, 16);
FROZEN(polychat_suite_ops, session_open, 24);
FROZEN(polychat_suite_ops, session_input, 32);
FROZEN(polychat_suite_ops, session_deliver, 40);
FROZEN(polychat_suite_ops, session_shutdown, 48);
FROZEN(polychat_suite_ops, session_close, 56);
FROZEN(polychat_suite_ops, client_open, 64);
FROZEN(polychat_suite_ops, client_input, 72);
FROZEN(polychat_suite_ops, client_line, 80);
FROZEN(polychat_suite_ops, client_close, 88);
FROZEN(polychat_suite_ops, client_help, 96);
FROZEN_SIZE(polychat_component, 24);
FROZEN(polychat_component, kind, 0);
FROZEN(polychat_component, name, 8);
FROZEN(polychat_component, ops, 16);
FROZEN_SIZE(polychat_plugin, 80);
FROZEN(polychat_plugin, abi_major, 0);
FROZEN(polychat_plugin, abi_minor, 4);
FROZEN(polychat_plugin, descriptor_size, 8);
FROZEN(polychat_plugin, suite_ops_size, 12);
FROZEN(polychat_plugin, auth_ops_size, 16);
FROZEN(polychat_plugin, store_ops_size, 20);
FROZEN(polychat_plugin, name, 24);
FROZEN(polychat_plugin, version, 32);
FROZEN(polychat_plugin, description, 40);
FROZEN(polychat_plugin, components, 48);
FROZEN(polychat_plugin, n_components, 56);
FROZEN(polychat_plugin, init, 64);
FROZEN(polychat_plugin, fini, 72);
#endif

/* The descriptor's first two members are what the loader reads from a
 * plugin of any ABI: they can never move. */
_Static_assert(offsetof(struct polychat_plugin, abi_major) == 0, "abi_major first");
_Static_assert(offsetof(struct polychat_plugin, abi_minor) == 4, "abi_minor second");

START_TEST(descriptor_macro_records_this_abi)
{
	static const struct polychat_component none[] = {
		{ POLYCHAT_COMPONENT_SUITE, "x", NULL },
	};
	const struct polychat_plugin desc = {
		POLYCHAT_PLUGIN_ABI, .name = "x", .version = "1", .components = none,
		.n_components = 1,
	};
	ck_assert_uint_eq(desc.abi_major, 1);
	ck_assert_uint_eq(desc.abi_minor, POLYCHAT_ABI_MINOR);
	ck_assert_uint_eq(desc.descriptor_size, sizeof(struct polychat_plugin));
	ck_assert_uint_eq(desc.suite_ops_size, sizeof(struct polychat_suite_ops));
	ck_assert_uint_eq(desc.auth_ops_size, sizeof(struct polychat_auth_ops));
	ck_assert_uint_eq(desc.store_ops_size, sizeof(struct polychat_store_ops));
}
END_TEST

START_TEST(ops_tables_are_function_pointers_only)
{
	/* The loader copies tables as arrays of pointers: any other member
	 * would break the zero-fill and empty-tail rules. */
	ck_assert_uint_eq(sizeof(struct polychat_suite_ops) % sizeof(void (*)(void)), 0);
	ck_assert_uint_eq(sizeof(struct polychat_auth_ops) % sizeof(void (*)(void)), 0);
	ck_assert_uint_eq(sizeof(struct polychat_store_ops) % sizeof(void (*)(void)), 0);
}
END_TEST

START_TEST(status_codes_keep_their_values)
{
	ck_assert_int_eq(POLYCHAT_OK, 0);
	ck_assert_int_eq(POLYCHAT_ENOMEM, -1);
	ck_assert_int_eq(POLYCHAT_EABI, -8);
	ck_assert_int_eq(POLYCHAT_ECONFIG, -14);
	ck_assert_int_eq(POLYCHAT_ENOSPACE, -20);
	ck_assert_str_eq(polychat_strerror(POLYCHAT_EEXIST), "already exists");
	ck_assert_str_eq(polychat_status_name(POLYCHAT_ETIMEDOUT), "ETIMEDOUT");
	ck_assert_str_eq(polychat_strerror(-999), "unknown status");
	ck_assert_str_eq(polychat_status_name(1), "UNKNOWN");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("abi");
	TCase *tc = tcase_create("layout");
	tcase_add_test(tc, descriptor_macro_records_this_abi);
	tcase_add_test(tc, ops_tables_are_function_pointers_only);
	tcase_add_test(tc, status_codes_keep_their_values);
	suite_add_tcase(s, tc);
	return pc_check_run(s);
}
