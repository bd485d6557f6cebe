/* SPDX-License-Identifier: MIT */
/* The real auth-bcrypt plugin on the real SQLite store: Python-bcrypt vectors, errors, threads. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/loader.h"
#include "tests/stubs/stub-host.h"
#include "../check-run.h"

/* Hashes made by Python's bcrypt (3.2.2) and the two in kylochat.md §6. */
static const struct vector {
	const char *name;
	const char *password;
	const char *hash;
} vectors[] = {
	{ "admin", "admin", "$2b$12$TRG9kqWU2C9Unq5QMo5xUeJYaydMnna9ktI1NZfbgnVquOa4r1X7i" },
	{ "test", "test", "$2b$12$eZHlQMeHQ0uN1Sdat8ktWO2mkDlgqihUlGzHlNTcKCV7FHy2YqZ5m" },
	{ "py4", "test", "$2b$04$jVuHFnpFLgBONDqhAsn3lu52WxCdHvCDJkFtFgFRoQXJfKb6ZoOSu" },
	{ "unicode", "h\xc3\xa9llo \xe2\x9c\x93",
		"$2b$05$Buqo8uABataCYRltvGk0MOd8cFYM3kgjBQ4CMKUZj8HNxpwTdUaXa" },
	{ "long72", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"$2b$04$M21DYDT6eM6D1OIc2Jw7WuGUEUSk7DmHeFFq8WMMdLdHQpZimFAGO" },
	{ "prefix2a", "admin", "$2a$04$YSGOtfQ.6DJOGcv4PVCk4O.OZmIHDZ9koAZ0n9EH6OXQ5dYaXVrUO" },
	{ "spaces", "p@ss w0rd!", "$2b$06$O2yWtxpJ2dhWxsqrzaWvI..pDDqsYdpRDWPeniIsUl83J/3ez56YW" },
};
#define N_VECTORS (sizeof(vectors) / sizeof(vectors[0]))
#define REALM "kylochat"

static struct pc_loader *loader;
static const struct polychat_store_ops *store_ops;
static const struct polychat_auth_ops *auth_ops;
static struct polychat_store_ref store;
static struct polychat_options *store_opts, *auth_opts;
static void *auth;
static char dir[256];

static const char *plugin(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/plugins/%s/%s.la", getenv("POLYCHAT_BUILDDIR"),
		name, name);
	return path;
}

static void put_account(const char *name, const char *hash, uint32_t flags)
{
	struct polychat_account a = { .flags = flags };
	snprintf(a.realm, sizeof(a.realm), "%s", REALM);
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.secret, sizeof(a.secret), "%s", hash);
	ck_assert_int_eq(store_ops->account_put(store.db, &a, NULL), 0);
}

static int verify(const char *name, const char *password)
{
	return auth_ops->verify(auth, REALM, name, (const uint8_t *)password,
		strlen(password));
}

static void setup(void)
{
	char err[1024];
	stub_host_reset();
	loader = pc_loader_new(stub_host());
	ck_assert_ptr_nonnull(loader);
	ck_assert_msg(pc_loader_load(loader, plugin("auth-bcrypt"), err, sizeof(err)) == 0,
		"%s", err);
	ck_assert_msg(pc_loader_load(loader, plugin("store-sqlite"), err, sizeof(err)) == 0,
		"%s", err);
	auth_ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_AUTH, "bcrypt")->ops.auth;
	store_ops = &pc_loader_find(loader, POLYCHAT_COMPONENT_STORE, "sqlite")->ops.store;

	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/bcrypt-XXXXXX", tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	store_opts = stub_options_new(dir, "path", "auth.db", NULL);
	ck_assert_int_eq(store_ops->open(stub_host(), store_opts, &store.db), 0);
	store.ops = store_ops;

	auth_opts = stub_options_new(dir, "cost", "4", NULL);
	struct polychat_auth_env env = { stub_host(), auth_opts, &store };
	ck_assert_int_eq(auth_ops->create(&env, &auth), 0);
}

static void teardown(void)
{
	auth_ops->destroy(auth);
	store_ops->close(store.db);
	stub_options_free(auth_opts);
	stub_options_free(store_opts);
	pc_loader_free(loader);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	/* Every scratch buffer the plugins took was given back. */
	ck_assert_int_eq(stub_alloc_outstanding(), 0);
}

START_TEST(python_bcrypt_hashes_verify)
{
	for (size_t i = 0; i < N_VECTORS; i++)
		put_account(vectors[i].name, vectors[i].hash, 0);
	for (size_t i = 0; i < N_VECTORS; i++) {
		ck_assert_msg(verify(vectors[i].name, vectors[i].password) == 0,
			"vector %s", vectors[i].name);
		ck_assert_int_eq(verify(vectors[i].name, "wrong"), POLYCHAT_EAUTH);
	}
	/* One byte off at the end, and the same text in another case. */
	ck_assert_int_eq(verify("spaces", "p@ss w0rd"), POLYCHAT_EAUTH);
	ck_assert_int_eq(verify("test", "TEST"), POLYCHAT_EAUTH);
}
END_TEST

START_TEST(set_secret_creates_and_changes)
{
	struct polychat_account a, b;
	ck_assert_int_eq(auth_ops->set_secret(auth, REALM, "alice",
		(const uint8_t *)"pw-one", 6, 1), 0);
	ck_assert_int_eq(store_ops->account_get(store.db, REALM, "alice", 0, &a), 0);
	ck_assert_int_eq(strlen(a.secret), 60);
	ck_assert(strncmp(a.secret, "$2b$04$", 7) == 0);
	ck_assert_ptr_null(strstr(a.secret, "pw-one"));
	ck_assert_int_eq(verify("alice", "pw-one"), 0);

	ck_assert_int_eq(auth_ops->set_secret(auth, REALM, "alice",
		(const uint8_t *)"other", 5, 1), POLYCHAT_EEXIST);
	ck_assert_int_eq(auth_ops->set_secret(auth, REALM, "alice",
		(const uint8_t *)"pw-two", 6, 0), 0);
	ck_assert_int_eq(verify("alice", "pw-two"), 0);
	ck_assert_int_eq(verify("alice", "pw-one"), POLYCHAT_EAUTH);
	ck_assert_int_eq(auth_ops->set_secret(auth, REALM, "nobody",
		(const uint8_t *)"pw", 2, 0), POLYCHAT_ENOTFOUND);

	/* The same password twice gives two hashes: the salt is fresh. */
	ck_assert_int_eq(auth_ops->set_secret(auth, REALM, "bob",
		(const uint8_t *)"pw-two", 6, 1), 0);
	ck_assert_int_eq(store_ops->account_get(store.db, REALM, "alice", 0, &a), 0);
	ck_assert_int_eq(store_ops->account_get(store.db, REALM, "bob", 0, &b), 0);
	ck_assert_str_ne(a.secret, b.secret);
}
END_TEST

START_TEST(unknown_and_banned_users)
{
	put_account("banned", vectors[2].hash, POLYCHAT_ACCOUNT_BANNED);
	ck_assert_int_eq(verify("nobody", "test"), POLYCHAT_ENOTFOUND);
	/* A ban is only told once the password is right. */
	ck_assert_int_eq(verify("banned", "test"), POLYCHAT_EDENIED);
	ck_assert_int_eq(verify("banned", "wrong"), POLYCHAT_EAUTH);
	/* Lookups are exact: folding is the suite's choice. */
	put_account("Carol", vectors[2].hash, 0);
	ck_assert_int_eq(verify("carol", "test"), POLYCHAT_ENOTFOUND);
	ck_assert_int_eq(verify("Carol", "test"), 0);
}
END_TEST

START_TEST(secrets_bcrypt_cannot_take_are_refused)
{
	put_account("u", vectors[2].hash, 0);
	ck_assert_int_eq(auth_ops->verify(auth, REALM, "u", (const uint8_t *)"te\0st", 5),
		POLYCHAT_EINVAL);
	ck_assert_int_eq(auth_ops->verify(auth, REALM, "u", (const uint8_t *)"", 0),
		POLYCHAT_EINVAL);
	char long73[74];
	memset(long73, 'x', 73);
	long73[73] = '\0';
	ck_assert_int_eq(verify("u", long73), POLYCHAT_EINVAL);
	ck_assert_int_eq(auth_ops->set_secret(auth, REALM, "v", (const uint8_t *)long73,
		73, 1), POLYCHAT_EINVAL);
	/* 72 bytes is the limit, and it is not silently cut to fewer. */
	ck_assert_int_eq(auth_ops->set_secret(auth, REALM, "w", (const uint8_t *)long73,
		72, 1), 0);
	long73[71] = 'y';
	ck_assert_int_eq(auth_ops->verify(auth, REALM, "w", (const uint8_t *)long73, 72),
		POLYCHAT_EAUTH);
}
END_TEST

START_TEST(a_stored_non_hash_is_an_error_not_a_match)
{
	put_account("plain", "secret-in-clear", 0);
	ck_assert_int_eq(verify("plain", "secret-in-clear"), POLYCHAT_EIO);
	ck_assert(stub_log_contains("account 'plain'"));
	ck_assert(!stub_log_contains("secret-in-clear"));
}
END_TEST

START_TEST(options_are_checked)
{
	struct polychat_options *o = stub_options_new(dir, "cost", "3", NULL);
	ck_assert_int_eq(auth_ops->check(stub_host(), o), POLYCHAT_ECONFIG);
	ck_assert(stub_options_error_contains(o, "cost"));
	stub_options_free(o);

	o = stub_options_new(dir, "cost", "lots", "equalize_unknown", "maybe", NULL);
	ck_assert_int_eq(auth_ops->check(stub_host(), o), POLYCHAT_ECONFIG);
	ck_assert_uint_eq(stub_options_errors(o), 2);
	stub_options_free(o);

	o = stub_options_new(dir, "cost", "31", "equalize_unknown", "false", "colour", "red",
		NULL);
	ck_assert_int_eq(auth_ops->check(stub_host(), o), 0);
	/* What the plugin does not read is left for the core to report. */
	ck_assert_int_eq(stub_options_unused(o), 1);
	stub_options_free(o);

	/* Without a store there is nowhere to keep accounts. */
	struct polychat_store_ref none = { NULL, NULL };
	struct polychat_auth_env env = { stub_host(), auth_opts, &none };
	void *inst = NULL;
	ck_assert_int_eq(auth_ops->create(&env, &inst), POLYCHAT_ECONFIG);
	ck_assert_ptr_null(inst);
}
END_TEST

/* Several workers verifying at once, as the thread pool does. */
static void *verifier(void *arg)
{
	const struct vector *v = arg;
	for (int i = 0; i < 4; i++) {
		if (verify(v->name, v->password) != 0)
			return (void *)1;
		if (verify(v->name, "nope") != POLYCHAT_EAUTH)
			return (void *)1;
	}
	return NULL;
}

START_TEST(verification_is_thread_safe)
{
	for (size_t i = 2; i < N_VECTORS; i++)
		put_account(vectors[i].name, vectors[i].hash, 0);
	pthread_t threads[N_VECTORS];
	for (size_t i = 2; i < N_VECTORS; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, verifier,
			(void *)&vectors[i]), 0);
	for (size_t i = 2; i < N_VECTORS; i++) {
		void *result;
		pthread_join(threads[i], &result);
		ck_assert_msg(result == NULL, "thread for %s failed", vectors[i].name);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("auth-bcrypt");
	TCase *tc = tcase_create("bcrypt");
	/* Two cost-12 checks per vector run: allow for sanitizer builds. */
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, python_bcrypt_hashes_verify);
	tcase_add_test(tc, set_secret_creates_and_changes);
	tcase_add_test(tc, unknown_and_banned_users);
	tcase_add_test(tc, secrets_bcrypt_cannot_take_are_refused);
	tcase_add_test(tc, a_stored_non_hash_is_an_error_not_a_match);
	tcase_add_test(tc, options_are_checked);
	tcase_add_test(tc, verification_is_thread_safe);
	suite_add_tcase(s, tc);
	return pc_check_run(s);
}
