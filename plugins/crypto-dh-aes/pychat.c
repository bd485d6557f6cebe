/* SPDX-License-Identifier: MIT */
/* Suite `pychat` (plugin crypto-dh-aes): options, listener instances, the plugin descriptor. */
#include "../common/pc-options.h"
#include "pychat.h"
#include "pychat-client.h"

/* The pacing and padding of §2.1/§2.2, and the bounds §10 suggests. */
static const struct pychat_options defaults = {
	.write_gap_ms = 100,
	.handshake_timeout_ms = 10000,
	.max_frame = 65536,
	.max_name = 64,
	.export_max = 262144,
	/* What the 100 ms write gap lets one recipient take. */
	.max_rate = 10,
	.rate_burst = 20,
	.pad = 1,
};

static int read_options(const struct polychat_host *host,
	const struct polychat_options *opts, struct pychat_options *o)
{
	int rc = 0;
	*o = defaults;
	pc_opt_int(host, opts, "write_gap_ms", 0, 10000, &o->write_gap_ms, &rc);
	pc_opt_int(host, opts, "handshake_timeout_ms", 1, 3600000, &o->handshake_timeout_ms, &rc);
	/* The smallest frame must carry a key_exc (about 800 bytes). */
	pc_opt_int(host, opts, "max_frame", 1024, 16 << 20, &o->max_frame, &rc);
	pc_opt_int(host, opts, "max_name", 1, POLYCHAT_NAME_MAX, &o->max_name, &rc);
	pc_opt_int(host, opts, "export_max", 0, 16 << 20, &o->export_max, &rc);
	pc_opt_int(host, opts, "max_rate", 0, 1000000, &o->max_rate, &rc);
	pc_opt_int(host, opts, "rate_burst", 1, 1000000, &o->rate_burst, &rc);
	pc_opt_bool(host, opts, "pad", &o->pad, &rc);
	return rc;
}

static int pychat_check(const struct polychat_host *host, const struct polychat_options *opts)
{
	struct pychat_options scratch;
	return read_options(host, opts, &scratch);
}

static int pychat_create(const struct polychat_suite_env *env, void **out)
{
	const struct polychat_host *host = env->host;
	struct pychat_instance *inst = host->calloc(1, sizeof(*inst));
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

static void pychat_destroy(void *instance)
{
	struct pychat_instance *inst = instance;
	if (!inst)
		return;
	inst->host->wipe_free(inst->log.text, inst->log.cap);
	inst->host->free(inst);
}

static const struct polychat_suite_ops pychat_ops = {
	.check = pychat_check,
	.create = pychat_create,
	.destroy = pychat_destroy,
	.session_open = pychat_session_open,
	.session_input = pychat_session_input,
	.session_deliver = pychat_session_deliver,
	.session_close = pychat_session_close,
	.client_open = pychat_client_open,
	.client_input = pychat_client_input,
	.client_line = pychat_client_line,
	.client_close = pychat_client_close,
	.client_help = pychat_client_help,
};

static const struct polychat_component components[] = {
	{ POLYCHAT_COMPONENT_SUITE, "pychat", &pychat_ops },
};

const struct polychat_plugin polychat_plugin = {
	POLYCHAT_PLUGIN_ABI,
	.name = "crypto-dh-aes",
	.version = "1.0.0",
	.description = "pyChat: Diffie-Hellman group 14, AES-256-CFB8 frames, JSON envelopes",
	.components = components,
	.n_components = 1,
};
