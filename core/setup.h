/* SPDX-License-Identifier: MIT */
/* Load and check a configuration with its plugins, and open a store: shared by polychatd and polychatctl. */
#ifndef PC_SETUP_H
#define PC_SETUP_H

#include <polychat/store.h>

#include "config.h"
#include "diag.h"
#include "loader.h"

/* The plugin directories to search: `override` (-p or
 * $POLYCHAT_PLUGIN_PATH, NULL if neither), else daemon.plugin_dir, else the
 * built-in directory. */
const char *pc_setup_plugin_path(const char *override, const struct pc_config *cfg);

/* The name of the store a listener uses: the one it names, else the only
 * one defined, else NULL. */
const char *pc_setup_listener_store(const struct pc_config *cfg,
	const struct pc_config_listener *l);

/* Read `config_path`, load the plugins of its search path into `loader`
 * (see pc_setup_plugin_path) and check the whole configuration against
 * them, without opening, binding or creating anything. Returns the
 * configuration, or NULL with every problem in `diag`. */
struct pc_config *pc_setup_load(const char *config_path, const char *plugin_path,
	struct pc_loader *loader, struct pc_diag *diag);

/* Open the store entry `s` of a configuration that pc_setup_load checked.
 * Its option block is made self-owned first (pc_options_own), so the open
 * store may outlive the configuration. On success sets *comp (the backend)
 * and *ref (ops and db; close with ref->ops->close) and returns 0; on
 * failure logs one line naming the store and returns a negative code. Runs
 * on the calling thread and may block briefly (schema creation). */
int pc_setup_store_open(const struct pc_loader *loader, struct pc_config_store *s,
	const struct pc_component **comp, struct polychat_store_ref *ref);

#endif /* PC_SETUP_H */
