/* SPDX-License-Identifier: MIT */
/* The daemon's YAML configuration: parsed with positions, checked, never acted on. */
#ifndef PC_CONFIG_H
#define PC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "options.h"

/* Limits of one listener (defaults from `daemon.limits`, overridable per
 * listener under `limits:`). */
struct pc_limits {
	uint32_t max_connections;   /* default 10000 */
	uint32_t max_frame;         /* bytes of unconsumed input per connection, default 1 MiB */
	uint32_t output_limit;      /* bytes queued for a peer before it counts as not reading, default 4 MiB */
	uint32_t close_timeout_ms;  /* flush bound when closing, default 5000 */
};

/* stores: NAME: {backend: sqlite, options: {...}} */
struct pc_config_store {
	char *name;
	char *backend;
	struct polychat_options *options; /* never NULL (empty block if absent) */
	struct pc_pos pos;
};

/* One entry of `listeners:`. */
struct pc_config_listener {
	char *name;        /* unique; default "<suite>-<port>" */
	char *bind;        /* address, default "127.0.0.1" */
	uint16_t port;     /* 0 = any free port (reported on the readiness line) */
	char *suite;       /* suite component name, required */
	char *auth;        /* auth component name, or NULL */
	char *store;       /* name of a `stores:` entry, or NULL for none */
	char *realm;       /* identity realm, default = name */
	struct polychat_options *suite_options; /* `options:`, never NULL */
	struct polychat_options *auth_options;  /* `auth_options:`, never NULL */
	struct pc_limits limits;
	struct pc_pos pos;
};

struct pc_config {
	char *file;            /* the path it was read from (positions point here) */
	char *state_dir;       /* daemon.state_dir, absolute after load; default "." resolved */
	char *plugin_dir;      /* daemon.plugin_dir, or NULL for the built-in default */
	int log_level;         /* daemon.log.level: error|warning|notice|info|debug -> POLYCHAT_LOG_* ; default info */
	int log_syslog;        /* daemon.log.syslog: bool, default false */
	struct pc_limits limits; /* daemon.limits */
	struct pc_config_store *stores;
	size_t n_stores;
	struct pc_config_listener *listeners;
	size_t n_listeners;
};

/*
 * Parse and structurally check the file at `path`: YAML syntax, known keys,
 * types and ranges, required keys, unique listener and store names, stores
 * named by listeners exist, no two listeners on one bind:port (port 0
 * excepted). Does not load plugins, bind or create anything. Every problem is
 * added to `diag` as "file:line:col: path: message" naming what was
 * expected. Returns 0 and sets *out (only when diag got no entry), or
 * POLYCHAT_ECONFIG / POLYCHAT_EIO / POLYCHAT_ENOMEM.
 */
int pc_config_load(const char *path, struct pc_diag *diag, struct pc_config **out);
/* The same from a string (tests); `name` is used as the file name. */
int pc_config_parse(const char *name, const char *text, size_t len,
	struct pc_diag *diag, struct pc_config **out);
void pc_config_free(struct pc_config *cfg);

/* Find a store / listener by name, or NULL. */
const struct pc_config_store *pc_config_store_find(const struct pc_config *cfg,
	const char *name);
const struct pc_config_listener *pc_config_listener_find(const struct pc_config *cfg,
	const char *name);
/* Whether two listener entries are the same for a reload (all fields and
 * options equal): such a listener keeps its socket and sessions. */
int pc_config_listener_equal(const struct pc_config_listener *a,
	const struct pc_config_listener *b);
int pc_config_store_equal(const struct pc_config_store *a,
	const struct pc_config_store *b);

#endif /* PC_CONFIG_H */
