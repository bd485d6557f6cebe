/* SPDX-License-Identifier: MIT */
/* The store-mariadb plugin: descriptor, library set-up, open and close of a store. */
#include <string.h>

#include <mysql.h>

#include <polychat/plugin.h>

#include "mariadb-conn.h"
#include "mariadb-options.h"
#include "mariadb-records.h"
#include "mariadb-schema.h"

/* Once per process, before any thread uses Connector/C: its own set-up
 * is not thread-safe. */
static int mariadb_init(const struct polychat_host *host)
{
	if (mysql_library_init(0, NULL, NULL) != 0) {
		host->log(POLYCHAT_LOG_ERROR, MD_WHO,
			"cannot initialise MariaDB Connector/C");
		return POLYCHAT_ENOMEM;
	}
	return 0;
}

/* After every store of this plugin is closed: frees Connector/C's
 * process-wide memory. */
static void mariadb_fini(void)
{
	mysql_library_end();
}

/* Check the options only: nothing is connected, read or created. */
static int mariadb_check(const struct polychat_host *host,
	const struct polychat_options *opts)
{
	if (!host)
		return POLYCHAT_EINVAL;
	struct md_config *cfg = host->alloc(sizeof(*cfg));
	if (!cfg)
		return POLYCHAT_ENOMEM;
	int rc = md_config_read(host, opts, cfg);
	host->free(cfg);
	return rc;
}

/* Connect, then create or migrate the schema; see polychat_store_open_fn.
 * Blocks at most connect_timeout_s plus the migration. */
static int mariadb_open(const struct polychat_host *host,
	const struct polychat_options *opts, void **db)
{
	if (!host || !db)
		return POLYCHAT_EINVAL;
	if (host->abi_major != POLYCHAT_ABI_MAJOR)
		return POLYCHAT_EABI;

	struct md_config *cfg = host->alloc(sizeof(*cfg));
	if (!cfg)
		return POLYCHAT_ENOMEM;
	char password[MD_PASSWORD_MAX + 1];
	struct md_db *store = NULL;
	int rc = md_config_read(host, opts, cfg);
	if (rc == 0)
		rc = md_password_load(host, cfg, password, sizeof(password));
	/* A no-op when init already ran: a host that loads the module
	 * without calling init still gets a set-up library. */
	if (rc == 0 && mysql_library_init(0, NULL, NULL) != 0)
		rc = POLYCHAT_ENOMEM;
	if (rc == 0)
		rc = md_db_open(host, cfg, password, &store);
	host->wipe(password, sizeof(password));
	host->free(cfg);
	if (rc != 0)
		return rc;

	rc = md_schema_migrate(store);
	if (rc != 0) {
		md_db_close(store);
		return rc;
	}
	*db = store;
	return 0;
}

static void mariadb_close(void *db)
{
	md_db_close(db);
}

/* Every method commits before it returns: there is nothing to make
 * durable at shutdown, and the loop thread must not block here. */
static int mariadb_flush(void *db)
{
	return db ? 0 : POLYCHAT_EINVAL;
}

static const struct polychat_store_ops mariadb_ops = {
	.check = mariadb_check,
	.open = mariadb_open,
	.close = mariadb_close,
	.flush = mariadb_flush,

	.account_put = md_account_put,
	.account_get = md_account_get,
	.account_get_id = md_account_get_id,
	.account_update = md_account_update,
	.account_delete = md_account_delete,

	.token_put = md_token_put,
	.token_get = md_token_get,
	.token_revoke = md_token_revoke,
	.token_delete = md_token_delete,
	.token_revoke_user = md_token_revoke_user,
	.token_purge = md_token_purge,
	.token_list = md_token_list,

	.key_put = md_key_put,
	.key_get = md_key_get,
	.key_delete = md_key_delete,

	.queue_push = md_queue_push,
	.queue_peek = md_queue_peek,
	.queue_ack = md_queue_ack,
	.queue_count = md_queue_count,

	.challenge_put = md_challenge_put,
	.challenge_get = md_challenge_get,
	.challenge_delete = md_challenge_delete,

	.audit_add = md_audit_add,
	.audit_list = md_audit_list,

	/* ABI 1.1 */
	.account_list = md_account_list,
};

static const struct polychat_component mariadb_components[] = {
	{
		.kind = POLYCHAT_COMPONENT_STORE,
		.name = "mariadb",
		.ops = &mariadb_ops,
	},
};

/* The descriptor: the only symbol this module exports. */
const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "store-mariadb",
	.version = PACKAGE_VERSION,
	.description = "MariaDB/Galera store (InnoDB, one connection per "
		"worker, reconnects)",
	.components = mariadb_components,
	.n_components = sizeof(mariadb_components)
		/ sizeof(mariadb_components[0]),
	.init = mariadb_init,
	.fini = mariadb_fini,
};
