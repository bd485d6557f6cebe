/* SPDX-License-Identifier: MIT */
/* Suite `e2ee-chat` (plugin crypto-x25519-gcm): options, listener instances and their signing key, the plugin descriptor. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../common/pc-options.h"
#include "e2ee.h"
#include "e2ee-blob.h"
#include "e2ee-client.h"
#include "xg-keyfile.h"
#include "xg-prims.h"

#define KEY_FILE_DEFAULT "e2ee-chat-server-key.pem"
#define PUB_FILE_DEFAULT "e2ee-chat-server-public.pem"

static const struct e2ee_options defaults = {
	/* Long enough that the original client's recv() never sees two
	 * frames at once, short beside its 100 ms re-send (§2.3). */
	.write_gap_ms = 25,
	.frame_timeout_ms = 30000,
	.max_queue = 1000,
};

static int read_path(const struct polychat_host *host, const struct polychat_options *opts,
	const char *key, const char *fallback, char *out, size_t len)
{
	const char *file = fallback;
	if (host->opt_string(opts, key, &file) == POLYCHAT_ECONFIG)
		return POLYCHAT_ECONFIG;
	if (!*file)
		return host->opt_error(opts, key, "empty path");
	if (host->state_path(opts, file, out, len) != 0)
		return host->opt_error(opts, key, "path too long");
	return 0;
}

static int read_options(const struct polychat_host *host,
	const struct polychat_options *opts, struct e2ee_options *o)
{
	int rc = 0;
	*o = defaults;
	pc_opt_int(host, opts, "write_gap_ms", 0, 1000, &o->write_gap_ms, &rc);
	pc_opt_int(host, opts, "frame_timeout_ms", 100, 3600000, &o->frame_timeout_ms, &rc);
	pc_opt_int(host, opts, "max_queue", 1, 1000000, &o->max_queue, &rc);
	if (read_path(host, opts, "server_key", KEY_FILE_DEFAULT, o->key_path,
			sizeof(o->key_path)) != 0)
		rc = POLYCHAT_ECONFIG;
	if (read_path(host, opts, "server_public_key", PUB_FILE_DEFAULT, o->pub_path,
			sizeof(o->pub_path)) != 0)
		rc = POLYCHAT_ECONFIG;
	if (rc == 0 && strcmp(o->key_path, o->pub_path) == 0)
		rc = host->opt_error(opts, "server_public_key", "must differ from server_key");
	return rc;
}

static int e2ee_check(const struct polychat_host *host, const struct polychat_options *opts)
{
	struct e2ee_options scratch;
	return read_options(host, opts, &scratch);
}

/* A key made or read off the loop. */
struct key_job {
	struct e2ee_instance *inst;
	EVP_PKEY *key;
	int created;
	int rc;
	char why[256];
};

static void key_work(void *arg)
{
	struct key_job *job = arg;
	job->rc = xg_keyfile_load_or_create(job->inst->host, job->inst->opt.key_path,
		job->inst->opt.pub_path, XG_KEY_RSA, E2EE_RSA_BITS, &job->key,
		&job->created, job->why, sizeof(job->why));
}

/* Tell the operator which public key to hand to the clients. */
static void announce_key(struct e2ee_instance *inst, int created)
{
	char fp[65];
	if (xg_public_fingerprint(inst->key, fp) != 0)
		strcpy(fp, "(unknown)");
	inst->host->log(POLYCHAT_LOG_NOTICE, inst->name,
		"%s RSA-4096 signing key %s; clients need its public key %s (SHA-256 %s)",
		created ? "created" : "loaded", inst->opt.key_path, inst->opt.pub_path, fp);
}

static void key_done(void *arg, int status)
{
	struct key_job *job = arg;
	struct e2ee_instance *inst = job->inst;
	if (status == 0 && job->rc == 0) {
		inst->key = job->key;
		announce_key(inst, job->created);
	} else {
		inst->key_failed = 1;
		inst->host->log(POLYCHAT_LOG_ERROR, inst->name,
			"no signing key: %s; key lookups (828, 832) fail",
			status ? "shut down first" : job->why);
	}
	e2ee_key_settled(inst);
	inst->host->free(job);
}

/* An existing key file is read now, so a broken one stops the listener
 * at start; a missing one is generated on the thread pool (a second or
 * more of CPU), and key lookups wait for it. */
static int start_key(struct e2ee_instance *inst)
{
	const struct polychat_host *host = inst->host;
	struct key_job *job = host->calloc(1, sizeof(*job));
	if (!job)
		return POLYCHAT_ENOMEM;
	job->inst = inst;
	if (access(inst->opt.key_path, F_OK) == 0 || errno != ENOENT) {
		key_work(job);
		int rc = job->rc;
		if (rc == 0) {
			inst->key = job->key;
			announce_key(inst, job->created);
		} else {
			host->log(POLYCHAT_LOG_ERROR, inst->name, "%s", job->why);
		}
		host->free(job);
		return rc;
	}
	/* Seconds of CPU: the class that keeps a core for the loop (the
	 * instance is made on a 1.2 core, which has it). */
	int rc = host->listener_job_cpu(inst->listener, key_work, key_done, job);
	if (rc != 0)
		host->free(job);
	return rc;
}

static int e2ee_create(const struct polychat_suite_env *env, void **out)
{
	const struct polychat_host *host = env->host;
	const char *name = host->listener_name(env->listener);
	if (!env->store || !env->store->ops || !env->auth || !env->auth->ops ||
	    !env->auth->ops->issue) {
		host->log(POLYCHAT_LOG_ERROR, name,
			"e2ee-chat keeps accounts, keys and queued messages and registers with one-time codes: give the listener `auth: otp` and a store");
		return POLYCHAT_ECONFIG;
	}
	struct e2ee_instance *inst = host->calloc(1, sizeof(*inst));
	if (!inst)
		return POLYCHAT_ENOMEM;
	inst->host = host;
	inst->listener = env->listener;
	inst->name = name;
	inst->realm = host->listener_realm(env->listener);
	inst->store = env->store;
	inst->auth = env->auth;
	int rc = read_options(host, env->options, &inst->opt);
	if (rc == 0 && !(host->size > offsetof(struct polychat_host, listener_job_cpu))) {
		host->log(POLYCHAT_LOG_ERROR, name, "e2ee-chat needs a polychatd of ABI 1.2 or later");
		rc = POLYCHAT_EABI;
	}
	/* Last: from here on a background job may refer to the instance. */
	if (rc == 0)
		rc = start_key(inst);
	if (rc != 0) {
		host->free(inst);
		return rc;
	}
	*out = inst;
	return 0;
}

static void e2ee_destroy(void *instance)
{
	struct e2ee_instance *inst = instance;
	if (!inst)
		return;
	EVP_PKEY_free(inst->key);
	inst->host->free(inst);
}

static const struct polychat_suite_ops e2ee_ops = {
	.check = e2ee_check,
	.create = e2ee_create,
	.destroy = e2ee_destroy,
	.session_open = e2ee_session_open,
	.session_input = e2ee_session_input,
	.session_deliver = e2ee_session_deliver,
	.session_close = e2ee_session_close,
	.client_open = e2ee_client_open,
	.client_input = e2ee_client_input,
	.client_line = e2ee_client_line,
	.client_close = e2ee_client_close,
	.client_help = e2ee_client_help,
};

static const struct polychat_component components[] = {
	{ POLYCHAT_COMPONENT_SUITE, "e2ee-chat", &e2ee_ops },
};

const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "crypto-x25519-gcm",
	.version = "1.0.0",
	.description = "e2ee-chat: X25519 + AES-256-GCM end to end, RSA-4096 PSS signatures, OTP registration, durable offline queue",
	.components = components,
	.n_components = 1,
};
