/* SPDX-License-Identifier: MIT */
/* The store-sqlite plugin: descriptor, options, open and close of a store. */
#include <string.h>

#include <polychat/plugin.h>

#include "sqlite-conn.h"
#include "sqlite-records.h"
#include "sqlite-schema.h"

/*
 * Options (README.md has the full description):
 *   path             database file, relative to the state directory
 *                    (default "polychat.db"); its directory must exist
 *   synchronous      "full" (default) or "normal"
 *   busy_timeout_ms  how long to wait for a locked database, 0..600000
 *                    (default 5000)
 */
#define DEFAULT_PATH "polychat.db"
#define DEFAULT_BUSY_TIMEOUT_MS 5000
#define MAX_BUSY_TIMEOUT_MS 600000

/*
 * Read and check every option into `cfg`. Every problem is reported with
 * host->opt_error, and every option is read even after a problem so that
 * all of them are reported at once and none is flagged as unknown.
 * Returns 0 or POLYCHAT_ECONFIG.
 */
static int read_config(const struct polychat_host *host,
	const struct polychat_options *opts, struct sq_config *cfg)
{
	int bad = 0;

	memset(cfg, 0, sizeof(*cfg));
	const char *path = DEFAULT_PATH;
	int rc = host->opt_string(opts, "path", &path);
	if (rc == POLYCHAT_ECONFIG) {
		bad = 1;
	} else if (path[0] == '\0') {
		bad = host->opt_error(opts, "path",
			"must name a database file");
	} else if (strcmp(path, ":memory:") == 0) {
		/* Each worker thread has its own connection, and each
		 * connection would get its own empty in-memory database. */
		bad = host->opt_error(opts, "path",
			"\":memory:\" cannot be shared by worker threads; "
			"name a file");
	} else if (host->state_path(opts, path, cfg->path,
			sizeof(cfg->path)) != 0) {
		bad = host->opt_error(opts, "path",
			"resolves to more than %d bytes", SQ_PATH_MAX - 1);
	}

	const char *sync = "full";
	rc = host->opt_string(opts, "synchronous", &sync);
	if (rc == POLYCHAT_ECONFIG)
		bad = 1;
	else if (strcmp(sync, "full") == 0)
		cfg->synchronous_full = 1;
	else if (strcmp(sync, "normal") != 0)
		bad = host->opt_error(opts, "synchronous",
			"must be \"full\" or \"normal\", not \"%s\"", sync);

	int64_t busy = DEFAULT_BUSY_TIMEOUT_MS;
	rc = host->opt_int(opts, "busy_timeout_ms", 0, MAX_BUSY_TIMEOUT_MS,
		&busy);
	if (rc == POLYCHAT_ECONFIG)
		bad = 1;
	cfg->busy_timeout_ms = (int)busy;

	return bad ? POLYCHAT_ECONFIG : 0;
}

/* Check the options only: nothing is opened or created. */
static int sqlite_check(const struct polychat_host *host,
	const struct polychat_options *opts)
{
	if (!host)
		return POLYCHAT_EINVAL;
	struct sq_config *cfg = host->alloc(sizeof(*cfg));
	if (!cfg)
		return POLYCHAT_ENOMEM;
	int rc = read_config(host, opts, cfg);
	host->free(cfg);
	return rc;
}

/* Open (and create or migrate) the database; see polychat_store_open_fn. */
static int sqlite_open(const struct polychat_host *host,
	const struct polychat_options *opts, void **db)
{
	if (!host || !db)
		return POLYCHAT_EINVAL;
	if (host->abi_major != POLYCHAT_ABI_MAJOR)
		return POLYCHAT_EABI;

	struct sq_config *cfg = host->alloc(sizeof(*cfg));
	if (!cfg)
		return POLYCHAT_ENOMEM;
	int rc = read_config(host, opts, cfg);
	struct sq_db *store = NULL;
	if (rc == 0)
		rc = sq_db_open(host, cfg, &store);
	host->free(cfg);
	if (rc != 0)
		return rc;

	rc = sq_schema_migrate(store);
	if (rc != 0) {
		sq_db_close(store);
		return rc;
	}
	*db = store;
	return 0;
}

static void sqlite_close(void *db)
{
	sq_db_close(db);
}

static int sqlite_flush(void *db)
{
	if (!db)
		return POLYCHAT_EINVAL;
	return sq_db_checkpoint(db);
}

static const struct polychat_store_ops sqlite_ops = {
	.check = sqlite_check,
	.open = sqlite_open,
	.close = sqlite_close,
	.flush = sqlite_flush,

	.account_put = sq_account_put,
	.account_get = sq_account_get,
	.account_get_id = sq_account_get_id,
	.account_update = sq_account_update,
	.account_delete = sq_account_delete,

	.token_put = sq_token_put,
	.token_get = sq_token_get,
	.token_revoke = sq_token_revoke,
	.token_delete = sq_token_delete,
	.token_revoke_user = sq_token_revoke_user,
	.token_purge = sq_token_purge,
	.token_list = sq_token_list,

	.key_put = sq_key_put,
	.key_get = sq_key_get,
	.key_delete = sq_key_delete,

	.queue_push = sq_queue_push,
	.queue_peek = sq_queue_peek,
	.queue_ack = sq_queue_ack,
	.queue_count = sq_queue_count,

	.challenge_put = sq_challenge_put,
	.challenge_get = sq_challenge_get,
	.challenge_delete = sq_challenge_delete,

	.audit_add = sq_audit_add,
	.audit_list = sq_audit_list,

	/* ABI 1.1 */
	.account_list = sq_account_list,
};

static const struct polychat_component sqlite_components[] = {
	{
		.kind = POLYCHAT_COMPONENT_STORE,
		.name = "sqlite",
		.ops = &sqlite_ops,
	},
};

/* The descriptor: the only symbol this module exports. */
const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "store-sqlite",
	.version = PACKAGE_VERSION,
	.description = "embedded SQLite store (WAL, one connection per worker)",
	.components = sqlite_components,
	.n_components = sizeof(sqlite_components)
		/ sizeof(sqlite_components[0]),
};
