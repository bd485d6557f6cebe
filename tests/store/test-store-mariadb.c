/* SPDX-License-Identifier: MIT */
/* The conformance suite and MariaDB-only tests on the built plugin, against a private mariadbd. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <ltdl.h>

#include "conformance.h"
#include "mariadb-fixture.h"

/*
 * The plugin is loaded exactly as the daemon loads it (libltdl, the
 * descriptor, init), so these tests see the module as built. main starts
 * one private server, through tests/mariadb, that every test may use,
 * with server defaults chosen to be unhelpful (no autocommit, no strict
 * mode, MyISAM, latin1): the plugin must set up its sessions itself. Each
 * conformance test gets a database of its own on it, dropped afterwards.
 * Without mariadb-server installed only the tests that need no server
 * run, and the program then reports a skip (77), or a failure when $CI is
 * "true".
 */

const struct polychat_plugin *mt_desc;
const struct polychat_store_ops *mt_ops;
struct mdb_server mt_shared;

static lt_dlhandle module;
/* The database of the running conformance test. */
static char fx_database[64];

/* mt_options - see mariadb-fixture.h. */
struct polychat_options *mt_options(const struct mdb_server *s,
	const char *database, ...)
{
	const char *keys[32];
	const char *values[32];
	size_t n = 0;
	va_list ap;

	va_start(ap, database);
	for (const char *k; (k = va_arg(ap, const char *)) && n < 32; n++) {
		keys[n] = k;
		values[n] = va_arg(ap, const char *);
	}
	va_end(ap);

	const char *base[4][2] = {
		{ "socket", s->socket },
		{ "user", MDB_USER },
		{ "password_file", s->password_file },
		{ "database", database },
	};
	struct polychat_options *opts = stub_options_new(s->dir, NULL);
	ck_assert_ptr_nonnull(opts);
	for (size_t b = 0; b < 4; b++) {
		int replaced = 0;
		for (size_t i = 0; i < n; i++)
			replaced |= strcmp(keys[i], base[b][0]) == 0;
		if (!replaced)
			ck_assert_int_eq(stub_options_set(opts, base[b][0],
				base[b][1]), 0);
	}
	for (size_t i = 0; i < n; i++)
		if (values[i])
			ck_assert_int_eq(stub_options_set(opts, keys[i],
				values[i]), 0);
	return opts;
}

/* mt_open - see mariadb-fixture.h. */
void *mt_open(struct polychat_options *opts)
{
	void *db = NULL;

	MT_STATUS(mt_ops->open(stub_host(), opts, &db), 0);
	ck_assert_ptr_nonnull(db);
	return db;
}

/* mt_private_server - see mariadb-fixture.h. */
void mt_private_server(struct mdb_server *s, const char *const *extra,
	char *db_name, size_t len)
{
	ck_assert_int_eq(mdb_start(s, extra), 0);
	ck_assert_int_eq(mdb_new_database(s, NULL, db_name, len), 0);
}

/* mt_log_count - see mariadb-fixture.h. */
size_t mt_log_count(const char *text)
{
	size_t n = 0;

	for (size_t i = 0; i < stub_log_count(); i++)
		n += strstr(stub_log_line(i), text) != NULL;
	return n;
}

/* mt_logged - see mariadb-fixture.h. */
int mt_logged(const char *text)
{
	return mt_log_count(text) > 0;
}

/* --- the conformance fixture: a new database per test --- */

static struct polychat_options *fx_fresh(void *arg)
{
	if (mdb_new_database(&mt_shared, NULL, fx_database,
			sizeof(fx_database)) != 0)
		return NULL;
	return mt_options(&mt_shared, fx_database, NULL);
}

static void fx_discard(void *arg, struct polychat_options *opts)
{
	stub_options_free(opts);
	mdb_drop_database(&mt_shared, fx_database);
}

static long fx_allocations(void *arg)
{
	return stub_alloc_outstanding();
}

/* --- the plugin and its options, no server needed --- */

START_TEST(descriptor)
{
	ck_assert_uint_eq(mt_desc->abi_major, POLYCHAT_ABI_MAJOR);
	ck_assert_uint_eq(mt_desc->abi_minor, POLYCHAT_ABI_MINOR);
	ck_assert_uint_eq(mt_desc->descriptor_size,
		sizeof(struct polychat_plugin));
	ck_assert_uint_eq(mt_desc->store_ops_size,
		sizeof(struct polychat_store_ops));
	ck_assert_str_eq(mt_desc->name, "store-mariadb");
	ck_assert_ptr_nonnull(mt_desc->version);
	ck_assert_ptr_nonnull(mt_desc->description);
	ck_assert_ptr_nonnull(mt_desc->init);
	ck_assert_ptr_nonnull(mt_desc->fini);
	ck_assert_uint_eq(mt_desc->n_components, 1);
	ck_assert_uint_eq(mt_desc->components[0].kind,
		POLYCHAT_COMPONENT_STORE);
	ck_assert_str_eq(mt_desc->components[0].name, "mariadb");

	/* Every member, optional ones included, is implemented. */
#define HAS(member) ck_assert_msg(mt_ops->member != NULL, #member " is NULL")
	HAS(check); HAS(open); HAS(close); HAS(flush);
	HAS(account_put); HAS(account_get); HAS(account_get_id);
	HAS(account_update); HAS(account_delete); HAS(account_list);
	HAS(token_put); HAS(token_get); HAS(token_revoke); HAS(token_delete);
	HAS(token_revoke_user); HAS(token_purge); HAS(token_list);
	HAS(key_put); HAS(key_get); HAS(key_delete);
	HAS(queue_push); HAS(queue_peek); HAS(queue_ack); HAS(queue_count);
	HAS(challenge_put); HAS(challenge_get); HAS(challenge_delete);
	HAS(audit_add); HAS(audit_list);
#undef HAS
}
END_TEST

START_TEST(exports_only_descriptor)
{
	static const char *const internal[] = {
		"md_account_put", "md_account_list", "md_token_list",
		"md_db_open", "md_sql_text", "md_schema_migrate",
		"md_config_read", "md_password_load", "md_call_start",
	};

	for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
		ck_assert_msg(lt_dlsym(module, internal[i]) == NULL,
			"%s is exported", internal[i]);
}
END_TEST

START_TEST(check_has_no_side_effects)
{
	/* Neither the server nor the password file exists: check reads
	 * options, it connects and opens nothing. */
	struct polychat_options *opts = stub_options_new("/nonexistent",
		"socket", "/nonexistent/mysqld.sock",
		"password_file", "/nonexistent/pw", NULL);
	stub_log_clear();
	MT_STATUS(mt_ops->check(stub_host(), opts), 0);
	ck_assert_uint_eq(stub_options_errors(opts), 0);
	ck_assert_int_eq(stub_options_unused(opts), 0);
	ck_assert_uint_eq(stub_log_count(), 0);
	stub_options_free(opts);

	/* Every option at once, TCP and TLS: all known, all valid. */
	opts = stub_options_new("/state", "host", "db.example.org",
		"port", "3307", "user", "chat", "database", "chatdb",
		"password_env", "CHAT_DB_PASSWORD", "tls", "true",
		"tls_ca", "ca.pem", "tls_capath", "/etc/ssl/certs",
		"tls_cert", "client.pem", "tls_key", "client.key",
		"tls_verify_cert", "true", "connect_timeout_s", "1",
		"read_timeout_s", "3600", "write_timeout_s", "7",
		"reconnect_min_ms", "0", "reconnect_max_ms", "600000", NULL);
	MT_STATUS(mt_ops->check(stub_host(), opts), 0);
	ck_assert_uint_eq(stub_options_errors(opts), 0);
	ck_assert_int_eq(stub_options_unused(opts), 0);
	stub_options_free(opts);

	/* The empty block is valid too: every option has a default. */
	opts = stub_options_new("/state", NULL);
	MT_STATUS(mt_ops->check(stub_host(), opts), 0);
	stub_options_free(opts);
}
END_TEST

/* check() on a block of key/value pairs: ECONFIG, an error naming `key`
 * and mentioning `mention`. */
static void assert_rejected(const char *key, const char *mention, ...)
{
	va_list ap;
	struct polychat_options *opts = stub_options_new("/state", NULL);

	va_start(ap, mention);
	for (const char *k; (k = va_arg(ap, const char *));)
		ck_assert_int_eq(stub_options_set(opts, k,
			va_arg(ap, const char *)), 0);
	va_end(ap);
	MT_STATUS(mt_ops->check(stub_host(), opts), POLYCHAT_ECONFIG);
	ck_assert_msg(stub_options_error_contains(opts, key),
		"no error names %s (%s)", key, stub_options_error(opts, 0));
	ck_assert_msg(stub_options_error_contains(opts, mention),
		"the error for %s does not mention \"%s\": %s", key, mention,
		stub_options_error(opts, 0));
	stub_options_free(opts);
}

START_TEST(check_rejects_bad_options)
{
	char long_socket[200];
	memset(long_socket, 's', sizeof(long_socket) - 1);
	long_socket[0] = '/';
	long_socket[sizeof(long_socket) - 1] = '\0';

	assert_rejected("socket", "host", "host", "h", "socket", "/s", NULL);
	assert_rejected("port", "host", "port", "3306", NULL);
	assert_rejected("port", "65535", "host", "h", "port", "0", NULL);
	assert_rejected("port", "65535", "host", "h", "port", "65536", NULL);
	assert_rejected("socket", "107", "socket", long_socket, NULL);
	assert_rejected("host", "empty", "host", "", NULL);
	assert_rejected("user", "empty", "user", "", NULL);
	assert_rejected("database", "64", "database",
		"a_database_name_that_is_much_longer_than_the_sixty_four_"
		"bytes_it_may_have", NULL);
	assert_rejected("password_env", "password_file", "password_env", "P",
		"password_file", "pw", NULL);
	assert_rejected("password_env", "environment variable",
		"password_env", "1BAD", NULL);
	assert_rejected("password_env", "environment variable",
		"password_env", "BAD-NAME", NULL);
	assert_rejected("tls_ca", "tls: true", "tls_ca", "ca.pem", NULL);
	assert_rejected("tls_verify_cert", "tls: true", "tls_verify_cert",
		"false", NULL);
	assert_rejected("tls_key", "tls_cert", "tls", "true", "tls_key",
		"k.pem", NULL);
	assert_rejected("tls", "true", "tls", "maybe", NULL);
	assert_rejected("tls_verify_cert", "tls_ca", "tls", "true",
		"tls_verify_cert", "false", "tls_ca", "ca.pem", NULL);
	assert_rejected("connect_timeout_s", "3600", "connect_timeout_s",
		"0", NULL);
	assert_rejected("read_timeout_s", "3600", "read_timeout_s", "3601",
		NULL);
	assert_rejected("write_timeout_s", "3600", "write_timeout_s", "soon",
		NULL);
	assert_rejected("reconnect_max_ms", "reconnect_min_ms",
		"reconnect_min_ms", "500", "reconnect_max_ms", "100", NULL);
	assert_rejected("reconnect_min_ms", "600000", "reconnect_min_ms",
		"-1", NULL);

	/* Every problem is reported at once. */
	struct polychat_options *opts = stub_options_new("/state",
		"port", "x", "tls_ca", "ca.pem", "read_timeout_s", "0",
		"user", "", NULL);
	MT_STATUS(mt_ops->check(stub_host(), opts), POLYCHAT_ECONFIG);
	ck_assert_uint_eq(stub_options_errors(opts), 4);
	stub_options_free(opts);

	/* open refuses the same block, and leaves *db alone. */
	void *db = (void *)&db;
	opts = stub_options_new("/state", "tls_ca", "ca.pem", NULL);
	MT_STATUS(mt_ops->open(stub_host(), opts, &db), POLYCHAT_ECONFIG);
	ck_assert_ptr_eq(db, (void *)&db);
	stub_options_free(opts);
}
END_TEST

START_TEST(flush_and_close_null)
{
	mt_ops->close(NULL);
	MT_STATUS(mt_ops->flush(NULL), POLYCHAT_EINVAL);
}
END_TEST

/* --- opening, against the shared server --- */

/* open `opts` and expect `want`, *db untouched; then free `opts`. */
static void assert_open_fails(struct polychat_options *opts, int want)
{
	void *db = (void *)&db;

	MT_STATUS(mt_ops->open(stub_host(), opts, &db), want);
	ck_assert_ptr_eq(db, (void *)&db);
	stub_options_free(opts);
}

START_TEST(open_fails_clearly)
{
	char name[64], path[700];
	ck_assert_int_eq(mdb_new_database(&mt_shared, NULL, name,
		sizeof(name)), 0);
	stub_log_clear();

	/* No server there: unavailable, and the log names the socket. */
	snprintf(path, sizeof(path), "%s/nobody.sock", mt_shared.dir);
	assert_open_fails(mt_options(&mt_shared, name, "socket", path, NULL),
		POLYCHAT_EUNAVAIL);
	ck_assert_msg(mt_logged(path), "no log line names %s", path);

	/* A wrong password: refused, EIO, and the log says so without it. */
	setenv("MT_WRONG_PASSWORD", "Wrong-Horse-Battery", 1);
	assert_open_fails(mt_options(&mt_shared, name, "password_file", NULL,
		"password_env", "MT_WRONG_PASSWORD", NULL), POLYCHAT_EIO);
	ck_assert(mt_logged("Access denied"));

	/* A database that does not exist, or is not granted. */
	assert_open_fails(mt_options(&mt_shared, "polychat_none", NULL),
		POLYCHAT_EIO);
	ck_assert(mt_logged("polychat_none"));
	assert_open_fails(mt_options(&mt_shared, "mysql", NULL), POLYCHAT_EIO);

	/* The password's source is missing. */
	snprintf(path, sizeof(path), "%s/no-such-password", mt_shared.dir);
	assert_open_fails(mt_options(&mt_shared, name, "password_file", path,
		NULL), POLYCHAT_EIO);
	ck_assert_msg(mt_logged(path), "no log line names %s", path);
	unsetenv("MT_UNSET_PASSWORD");
	assert_open_fails(mt_options(&mt_shared, name, "password_file", NULL,
		"password_env", "MT_UNSET_PASSWORD", NULL), POLYCHAT_EINVAL);
	ck_assert(mt_logged("MT_UNSET_PASSWORD is not set"));

	/* TLS required of a server that has none: never plaintext. */
	assert_open_fails(mt_options(&mt_shared, name, "tls", "true", NULL),
		POLYCHAT_EUNAVAIL);
	ck_assert(mt_logged("SSL") || mt_logged("TLS"));

	/* No password, in the log or anywhere else it could leak. */
	ck_assert(!mt_logged(mt_shared.password));
	ck_assert(!mt_logged("Wrong-Horse-Battery"));
	ck_assert_int_eq(mdb_drop_database(&mt_shared, name), 0);
}
END_TEST

/* Put an account through one store and read it back through another. */
static void roundtrip(struct polychat_options *writer,
	struct polychat_options *reader, const char *name)
{
	struct polychat_account a, out;

	memset(&a, 0, sizeof(a));
	strcpy(a.realm, "kylo");
	snprintf(a.name, sizeof(a.name), "%s", name);
	strcpy(a.secret, "hash");
	void *db = mt_open(writer);
	MT_STATUS(mt_ops->account_put(db, &a, NULL), 0);
	mt_ops->close(db);
	db = mt_open(reader);
	MT_STATUS(mt_ops->account_get(db, "kylo", name, 0, &out), 0);
	ck_assert_str_eq(out.secret, "hash");
	mt_ops->close(db);
}

START_TEST(password_sources_and_transports)
{
	char name[64], port[16], path[700];
	ck_assert_int_eq(mdb_new_database(&mt_shared, NULL, name,
		sizeof(name)), 0);
	snprintf(port, sizeof(port), "%d", mt_shared.port);

	/* The password from the environment, over TCP on 127.0.0.1. */
	setenv("MT_DB_PASSWORD", mt_shared.password, 1);
	struct polychat_options *env_tcp = mt_options(&mt_shared, name,
		"socket", NULL, "host", "127.0.0.1", "port", port,
		"password_file", NULL, "password_env", "MT_DB_PASSWORD", NULL);
	/* From a file with a CRLF ending (and a relative path resolved
	 * against the state directory), over the socket. */
	snprintf(path, sizeof(path), "%s/crlf.password", mt_shared.dir);
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "%s\r\n", mt_shared.password);
	fclose(fp);
	ck_assert_int_eq(chmod(path, 0600), 0);
	struct polychat_options *file_socket = mt_options(&mt_shared, name,
		"password_file", "crlf.password", NULL);

	stub_log_clear();
	roundtrip(env_tcp, file_socket, "alice");
	roundtrip(file_socket, env_tcp, "bob");
	/* A private file draws no warning. */
	ck_assert(!mt_logged("can be read by other users"));

	/* A file others may read still works, with a warning. */
	ck_assert_int_eq(chmod(path, 0644), 0);
	void *db = mt_open(file_socket);
	mt_ops->close(db);
	ck_assert(mt_logged("can be read by other users"));
	ck_assert(!mt_logged(mt_shared.password));

	stub_options_free(env_tcp);
	stub_options_free(file_socket);
	unsetenv("MT_DB_PASSWORD");
	ck_assert_int_eq(mdb_drop_database(&mt_shared, name), 0);
}
END_TEST

static Suite *plugin_suite(int with_server)
{
	Suite *s = suite_create("store-mariadb plugin");
	TCase *tc = tcase_create("plugin");

	tcase_add_test(tc, descriptor);
	tcase_add_test(tc, exports_only_descriptor);
	tcase_add_test(tc, check_has_no_side_effects);
	tcase_add_test(tc, check_rejects_bad_options);
	tcase_add_test(tc, flush_and_close_null);
	suite_add_tcase(s, tc);
	if (!with_server)
		return s;

	TCase *open = tcase_create("open");
	tcase_set_timeout(open, 60);
	tcase_add_test(open, open_fails_clearly);
	tcase_add_test(open, password_sources_and_transports);
	suite_add_tcase(s, open);
	suite_add_tcase(s, mt_tcase_data());
	suite_add_tcase(s, mt_tcase_faults());
	suite_add_tcase(s, mt_tcase_tls());
	return s;
}

/* Load the plugin as the daemon would, run its init, find `mariadb`. */
static int load_plugin(void)
{
	const char *builddir = getenv("POLYCHAT_BUILDDIR");
	char path[PATH_MAX];

	if (!builddir) {
		fprintf(stderr, "POLYCHAT_BUILDDIR is not set: run this "
			"test through `make check`\n");
		return -1;
	}
	if (lt_dlinit() != 0) {
		fprintf(stderr, "lt_dlinit: %s\n", lt_dlerror());
		return -1;
	}
	snprintf(path, sizeof(path),
		"%s/plugins/store-mariadb/store-mariadb", builddir);
	module = lt_dlopenext(path);
	if (!module) {
		fprintf(stderr, "cannot load %s: %s\n", path, lt_dlerror());
		return -1;
	}
	mt_desc = lt_dlsym(module, POLYCHAT_PLUGIN_SYMBOL);
	if (!mt_desc || mt_desc->abi_major != POLYCHAT_ABI_MAJOR) {
		fprintf(stderr, "%s: no descriptor of ABI %d\n", path,
			POLYCHAT_ABI_MAJOR);
		return -1;
	}
	for (uint32_t i = 0; i < mt_desc->n_components; i++)
		if (mt_desc->components[i].kind == POLYCHAT_COMPONENT_STORE
				&& strcmp(mt_desc->components[i].name,
					"mariadb") == 0)
			mt_ops = mt_desc->components[i].ops;
	if (!mt_ops) {
		fprintf(stderr, "%s: no store component \"mariadb\"\n", path);
		return -1;
	}
	if (mt_desc->init && mt_desc->init(stub_host()) != 0) {
		fprintf(stderr, "%s: init failed\n", path);
		return -1;
	}
	return 0;
}

static void unload_plugin(void)
{
	if (mt_desc && mt_desc->fini)
		mt_desc->fini();
	lt_dlclose(module);
	lt_dlexit();
}

int main(void)
{
	static const char *const shared_args[] = {
		/* Small, so that the limit is met by a test in memory. */
		"--max-allowed-packet=1M",
		/* Defaults the plugin must not rely on: its sessions set
		 * what they need (autocommit, strict mode, InnoDB, bytes). */
		"--autocommit=0", "--sql-mode=",
		"--default-storage-engine=MyISAM",
		"--character-set-server=latin1",
		"--collation-server=latin1_swedish_ci", NULL,
	};
	char why[256];

	/* 99 tells the test driver this is a hard error, not a failure. */
	if (load_plugin() != 0)
		return 99;
	int with_server = mdb_available(why, sizeof(why));
	if (with_server) {
		if (mdb_init() != 0
				|| mdb_start(&mt_shared, shared_args) != 0) {
			mdb_fini();
			unload_plugin();
			return 99;
		}
	}

	SRunner *sr = srunner_create(plugin_suite(with_server));
	if (with_server) {
		const struct store_fixture fx = {
			.host = stub_host(),
			.ops = mt_ops,
			.fresh = fx_fresh,
			.discard = fx_discard,
			.allocations = fx_allocations,
		};
		srunner_add_suite(sr, store_conformance_suite("mariadb", &fx));
	}
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	if (with_server)
		mdb_fini();
	unload_plugin();
	stub_host_reset();
	if (failed)
		return 1;
	return with_server ? 0
		: mdb_missing_status("test-store-mariadb", why);
}
