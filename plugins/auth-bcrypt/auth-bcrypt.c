/* SPDX-License-Identifier: MIT */
/* Auth method `bcrypt`: password accounts in the listener's store, hashed as Python's bcrypt does. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <polychat/polychat.h>

#include "bcrypt-hash.h"

#define COST_DEFAULT 12

/*
 * A well-formed hash nobody's password matches, checked for unknown users
 * so that "no such user" takes as long as "wrong password" (the protocol
 * file's hardening note). Only its cost field is filled in per instance.
 */
static const char dummy_tail[] = "C6UzMDM.H6dfI/f/IKxGhuDdvXQmiqNnpjSeqZUQ9KZ9xpL2p.X8y";

struct instance {
	const struct polychat_host *host;
	const struct polychat_store_ref *store;
	unsigned cost;
	int equalize;
	char dummy[BC_HASH_LEN + 1];
};

static polychat_auth_check_fn bcrypt_check;
static polychat_auth_create_fn bcrypt_create;
static polychat_auth_destroy_fn bcrypt_destroy;
static polychat_auth_verify_fn bcrypt_verify;
static polychat_auth_set_secret_fn bcrypt_set_secret;

/* Read the options; 0 or POLYCHAT_ECONFIG (errors already recorded). */
static int read_options(const struct polychat_host *host,
	const struct polychat_options *opts, unsigned *cost, int *equalize)
{
	int64_t c = COST_DEFAULT;
	int eq = 1, rc = 0;
	if (host->opt_int(opts, "cost", BC_COST_MIN, BC_COST_MAX, &c) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	if (host->opt_bool(opts, "equalize_unknown", &eq) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	*cost = (unsigned)c;
	*equalize = eq;
	return rc;
}

static int bcrypt_check(const struct polychat_host *host,
	const struct polychat_options *opts)
{
	unsigned cost;
	int equalize;
	return read_options(host, opts, &cost, &equalize);
}

static int bcrypt_create(const struct polychat_auth_env *env, void **out)
{
	const struct polychat_host *host = env->host;
	if (!env->store || !env->store->ops) {
		host->log(POLYCHAT_LOG_ERROR, "auth-bcrypt",
			"accounts live in a store: give the listener a `store:`");
		return POLYCHAT_ECONFIG;
	}
	struct instance *inst = host->calloc(1, sizeof(*inst));
	if (!inst)
		return POLYCHAT_ENOMEM;
	int rc = read_options(host, env->options, &inst->cost, &inst->equalize);
	if (rc != 0) {
		host->free(inst);
		return rc;
	}
	inst->host = host;
	inst->store = env->store;
	snprintf(inst->dummy, sizeof(inst->dummy), "$2b$%02u$%s", inst->cost, dummy_tail);
	*out = inst;
	return 0;
}

static void bcrypt_destroy(void *instance)
{
	if (instance) {
		struct instance *inst = instance;
		inst->host->free(inst);
	}
}

/* Unknown users and banned users both cost one bcrypt, like a wrong
 * password, so timing does not tell them apart. */
static int bcrypt_verify(void *instance, const char *realm, const char *subject,
	const uint8_t *secret, size_t len)
{
	struct instance *inst = instance;
	const struct polychat_host *host = inst->host;
	if (bc_secret_ok(secret, len) != 0)
		return POLYCHAT_EINVAL;

	struct polychat_account acct;
	int rc = inst->store->ops->account_get(inst->store->db, realm, subject, 0, &acct);
	if (rc == POLYCHAT_ENOTFOUND && inst->equalize)
		bc_check(host, secret, len, inst->dummy);
	if (rc != 0)
		return rc;

	rc = bc_check(host, secret, len, acct.secret);
	if (rc == POLYCHAT_EIO)
		host->log(POLYCHAT_LOG_ERROR, "auth-bcrypt",
			"account '%s' in realm '%s' has no bcrypt hash", acct.name, realm);
	if (rc == 0 && (acct.flags & POLYCHAT_ACCOUNT_BANNED))
		rc = POLYCHAT_EDENIED;
	host->wipe(&acct, sizeof(acct));
	return rc;
}

static int bcrypt_set_secret(void *instance, const char *realm, const char *subject,
	const uint8_t *secret, size_t len, int create)
{
	struct instance *inst = instance;
	struct polychat_account acct = { 0 };
	if (!realm || !subject || strlen(realm) > POLYCHAT_REALM_MAX ||
	    strlen(subject) > POLYCHAT_NAME_MAX)
		return POLYCHAT_EINVAL;
	int rc = bc_hash(inst->host, secret, len, inst->cost, acct.secret);
	if (rc != 0)
		return rc;
	memcpy(acct.realm, realm, strlen(realm) + 1);
	memcpy(acct.name, subject, strlen(subject) + 1);
	if (create) {
		acct.created_at = (int64_t)time(NULL);
		rc = inst->store->ops->account_put(inst->store->db, &acct, NULL);
	} else {
		rc = inst->store->ops->account_update(inst->store->db, &acct,
			POLYCHAT_ACCOUNT_SET_SECRET);
	}
	inst->host->wipe(&acct, sizeof(acct));
	return rc;
}

static const struct polychat_auth_ops bcrypt_ops = {
	.check = bcrypt_check,
	.create = bcrypt_create,
	.destroy = bcrypt_destroy,
	.verify = bcrypt_verify,
	.set_secret = bcrypt_set_secret,
};

static const struct polychat_component components[] = {
	{ POLYCHAT_COMPONENT_AUTH, "bcrypt", &bcrypt_ops },
};

const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "auth-bcrypt",
	.version = "1.0.0",
	.description = "password accounts with bcrypt $2b$ hashes (libxcrypt)",
	.components = components,
	.n_components = 1,
};
