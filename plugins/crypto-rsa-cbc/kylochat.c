/* SPDX-License-Identifier: MIT */
/* Suite `kylochat` (plugin crypto-rsa-cbc): options, listener instances, the plugin descriptor. */
#include <string.h>

#include "../common/pc-options.h"
#include "kylochat.h"
#include "kylo-client.h"

/* The protocol's shipped values (kylochat.md §6.3) and the hardening
 * bounds of §9. */
static const struct kylo_options defaults = {
	.login_attempts = 4,
	.max_payload = 500,
	.max_conn_errors = 4,
	.token_ttl = 604800,
	.handshake_timeout_ms = 30000,
	.login_timeout_ms = 600000,
	.max_frame = 65536,
	.max_login_frame = 4096,
	.hide_unknown_users = 0,
	.audit_messages = 1,
	.keys = { .mode = KYLO_KEYS_ROTATE, .pool = 8, .rotate_s = 60 },
};

#define KEY_FILE_DEFAULT "kylochat-key.pem"

static const struct {
	const char *name;
	int mode;
} key_modes[] = {
	{ "fresh", KYLO_KEYS_FRESH },
	{ "rotate", KYLO_KEYS_ROTATE },
	{ "file", KYLO_KEYS_FILE },
};

static int read_options(const struct polychat_host *host,
	const struct polychat_options *opts, struct kylo_options *o)
{
	int rc = 0;
	int64_t pool = defaults.keys.pool, rotate = defaults.keys.rotate_s;
	const char *mode = NULL, *file = KEY_FILE_DEFAULT;

	*o = defaults;
	pc_opt_int(host, opts, "login_attempts", 0, 1000000, &o->login_attempts, &rc);
	/* A payload holds the 36-byte token; LEN of the largest accepted
	 * payload must stay under max_frame. */
	pc_opt_int(host, opts, "max_payload", 36, 1 << 20, &o->max_payload, &rc);
	pc_opt_int(host, opts, "max_conn_errors", 1, 1000000, &o->max_conn_errors, &rc);
	pc_opt_int(host, opts, "token_ttl", 1, 10LL * 366 * 86400, &o->token_ttl, &rc);
	pc_opt_int(host, opts, "handshake_timeout_ms", 1, 3600000, &o->handshake_timeout_ms, &rc);
	pc_opt_int(host, opts, "login_timeout_ms", 0, 86400000, &o->login_timeout_ms, &rc);
	pc_opt_int(host, opts, "max_frame", 64, 16 << 20, &o->max_frame, &rc);
	pc_opt_int(host, opts, "max_login_frame", 64, 1 << 20, &o->max_login_frame, &rc);
	pc_opt_bool(host, opts, "hide_unknown_users", &o->hide_unknown_users, &rc);
	pc_opt_bool(host, opts, "audit_messages", &o->audit_messages, &rc);
	pc_opt_int(host, opts, "key_pool", 1, 1024, &pool, &rc);
	pc_opt_int(host, opts, "key_rotate_s", 1, 7 * 86400, &rotate, &rc);
	if (host->opt_string(opts, "key_file", &file) == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	int have_mode = host->opt_string(opts, "key_mode", &mode);
	if (have_mode == POLYCHAT_ECONFIG)
		rc = POLYCHAT_ECONFIG;
	if (have_mode == 0) {
		size_t i = 0;
		while (i < sizeof(key_modes) / sizeof(key_modes[0]) &&
		       strcmp(key_modes[i].name, mode) != 0)
			i++;
		if (i == sizeof(key_modes) / sizeof(key_modes[0]))
			rc = host->opt_error(opts, "key_mode",
				"'%s' is not one of fresh, rotate, file", mode);
		else
			o->keys.mode = key_modes[i].mode;
	}
	/* The smallest frame carrying max_payload must be allowed in. */
	int64_t need = 48 + 16 * (o->max_payload / 16 + 1);
	if (o->max_frame < need)
		rc = host->opt_error(opts, "max_frame",
			"%lld cannot carry max_payload %lld: at least %lld",
			(long long)o->max_frame, (long long)o->max_payload, (long long)need);
	if (host->state_path(opts, file, o->key_path, sizeof(o->key_path)) != 0)
		rc = host->opt_error(opts, "key_file", "path too long");
	o->keys.pool = (unsigned)pool;
	o->keys.rotate_s = (unsigned)rotate;
	o->keys.path = o->key_path;
	return rc;
}

static int kylo_check(const struct polychat_host *host, const struct polychat_options *opts)
{
	struct kylo_options scratch;
	return read_options(host, opts, &scratch);
}

static int kylo_create(const struct polychat_suite_env *env, void **out)
{
	const struct polychat_host *host = env->host;
	const char *name = host->listener_name(env->listener);
	if (!env->store || !env->store->ops || !env->auth || !env->auth->ops) {
		host->log(POLYCHAT_LOG_ERROR, name,
			"kylochat keeps accounts and tokens: give the listener `auth: bcrypt` and a store");
		return POLYCHAT_ECONFIG;
	}
	struct kylo_instance *inst = host->calloc(1, sizeof(*inst));
	if (!inst)
		return POLYCHAT_ENOMEM;
	inst->host = host;
	inst->listener = env->listener;
	inst->auth = env->auth;
	inst->store = env->store;
	inst->realm = host->listener_realm(env->listener);
	int rc = read_options(host, env->options, &inst->opt);
	/* Last: from here on background jobs refer to the key pool. */
	if (rc == 0)
		rc = kylo_keypool_create(host, env->listener, &inst->opt.keys, &inst->keys);
	if (rc != 0) {
		host->free(inst);
		return rc;
	}
	*out = inst;
	return 0;
}

static void kylo_destroy(void *instance)
{
	struct kylo_instance *inst = instance;
	if (!inst)
		return;
	kylo_keypool_destroy(inst->keys);
	inst->host->free(inst);
}

static const struct polychat_suite_ops kylochat_ops = {
	.check = kylo_check,
	.create = kylo_create,
	.destroy = kylo_destroy,
	.session_open = kylo_session_open,
	.session_input = kylo_session_input,
	.session_deliver = kylo_session_deliver,
	.session_shutdown = kylo_session_shutdown,
	.session_close = kylo_session_close,
	.client_open = kylo_client_open,
	.client_input = kylo_client_input,
	.client_line = kylo_client_line,
	.client_close = kylo_client_close,
	.client_help = kylo_client_help,
};

static const struct polychat_component components[] = {
	{ POLYCHAT_COMPONENT_SUITE, "kylochat", &kylochat_ops },
};

const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "crypto-rsa-cbc",
	.version = "1.0.0",
	.description = "KyloChat: RSA-2048 OAEP key transport, AES-256-CBC + HMAC-SHA256 frames",
	.components = components,
	.n_components = 1,
};
