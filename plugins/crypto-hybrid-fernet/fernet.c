/* SPDX-License-Identifier: MIT */
/* Suite `fernet-hybrid` (plugin crypto-hybrid-fernet): options, listener instances, the plugin descriptor. */
#include "../common/pc-options.h"
#include "fernet.h"
#include "fernet-client.h"

/* The pacing of §2 and the bounds §7 suggests. */
static const struct fernet_options defaults = {
	.write_gap_ms = 30,
	.handshake_timeout_ms = 30000,
	.max_nick = 32,
	.max_members = 64,
	/* The original client reads 4096 bytes at a time: a longer message
	 * would reach it in pieces it cannot read. */
	.max_message = 4096,
	.max_rate = 20,
	.rate_burst = 40,
};

static int read_options(const struct polychat_host *host,
	const struct polychat_options *opts, struct fernet_options *o)
{
	int rc = 0;
	*o = defaults;
	pc_opt_int(host, opts, "write_gap_ms", 0, 10000, &o->write_gap_ms, &rc);
	pc_opt_int(host, opts, "handshake_timeout_ms", 1, 3600000, &o->handshake_timeout_ms, &rc);
	pc_opt_int(host, opts, "max_nick", 1, POLYCHAT_NAME_MAX, &o->max_nick, &rc);
	pc_opt_int(host, opts, "max_members", 1, 1000000, &o->max_members, &rc);
	/* An announcement of a 2048-bit key is about 470 bytes. */
	pc_opt_int(host, opts, "max_message", 1024, 1 << 20, &o->max_message, &rc);
	pc_opt_int(host, opts, "max_rate", 0, 1000000, &o->max_rate, &rc);
	pc_opt_int(host, opts, "rate_burst", 1, 1000000, &o->rate_burst, &rc);
	return rc;
}

static int fernet_check(const struct polychat_host *host, const struct polychat_options *opts)
{
	struct fernet_options scratch;
	return read_options(host, opts, &scratch);
}

static int fernet_create(const struct polychat_suite_env *env, void **out)
{
	const struct polychat_host *host = env->host;
	struct fernet_instance *inst = host->calloc(1, sizeof(*inst));
	if (!inst)
		return POLYCHAT_ENOMEM;
	inst->host = host;
	inst->listener = env->listener;
	int rc = read_options(host, env->options, &inst->opt);
	if (rc != 0) {
		host->free(inst);
		return rc;
	}
	*out = inst;
	return 0;
}

static void fernet_destroy(void *instance)
{
	struct fernet_instance *inst = instance;
	if (inst)
		inst->host->free(inst);
}

static const struct polychat_suite_ops fernet_ops = {
	.check = fernet_check,
	.create = fernet_create,
	.destroy = fernet_destroy,
	.session_open = fernet_session_open,
	.session_input = fernet_session_input,
	.session_deliver = fernet_session_deliver,
	.session_close = fernet_session_close,
	.client_open = fernet_client_open,
	.client_input = fernet_client_input,
	.client_line = fernet_client_line,
	.client_close = fernet_client_close,
	.client_help = fernet_client_help,
};

static const struct polychat_component components[] = {
	{ POLYCHAT_COMPONENT_SUITE, "fernet-hybrid", &fernet_ops },
};

const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "crypto-hybrid-fernet",
	.version = "1.0.0",
	.description = "Fernet-hybrid: one room, RSA-OAEP-wrapped Fernet keys end to end, no framing",
	.components = components,
	.n_components = 1,
};
