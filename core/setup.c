/* SPDX-License-Identifier: MIT */
/* Load and check a configuration with its plugins, and open a store: shared by polychatd and polychatctl. */
#include <stdio.h>

#include "host.h"
#include "listener.h"
#include "log.h"
#include "setup.h"

/* pc_setup_plugin_path - see setup.h. */
const char *pc_setup_plugin_path(const char *override, const struct pc_config *cfg)
{
	if (override)
		return override;
	if (cfg->plugin_dir)
		return cfg->plugin_dir;
	return PC_PLUGIN_DIR;
}

/* pc_setup_listener_store - see setup.h. */
const char *pc_setup_listener_store(const struct pc_config *cfg,
	const struct pc_config_listener *l)
{
	if (l->store)
		return l->store;
	return cfg->n_stores == 1 ? cfg->stores[0].name : NULL;
}

/* Check a whole configuration against the loaded plugins; no side effects
 * beyond loading plugin files. */
static int validate(const struct pc_config *cfg, struct pc_loader *loader,
	struct pc_diag *diag)
{
	char explain[1024];
	for (size_t i = 0; i < cfg->n_stores; i++) {
		const struct pc_config_store *s = &cfg->stores[i];
		s->options->state_dir = cfg->state_dir;
		const struct pc_component *comp =
			pc_loader_find(loader, POLYCHAT_COMPONENT_STORE, s->backend);
		if (!comp) {
			char path[96];
			snprintf(path, sizeof(path), "stores.%s.backend", s->name);
			pc_loader_explain(loader, POLYCHAT_COMPONENT_STORE, s->backend,
				explain, sizeof(explain));
			pc_diag_add(diag, &s->pos, path, "%s", explain);
			continue;
		}
		pc_listener_check_options(comp, s->options, diag);
	}
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		struct pc_config_listener *l = &cfg->listeners[i];
		l->suite_options->state_dir = cfg->state_dir;
		l->auth_options->state_dir = cfg->state_dir;
		pc_listener_check(l, loader, diag);
	}
	return diag->count ? POLYCHAT_ECONFIG : 0;
}

/* pc_setup_load - see setup.h. */
struct pc_config *pc_setup_load(const char *config_path, const char *plugin_path,
	struct pc_loader *loader, struct pc_diag *diag)
{
	struct pc_config *cfg = NULL;
	if (pc_config_load(config_path, diag, &cfg) != 0)
		return NULL;
	pc_loader_load_path(loader, pc_setup_plugin_path(plugin_path, cfg));
	if (validate(cfg, loader, diag) != 0) {
		pc_config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* pc_setup_store_open - see setup.h. */
int pc_setup_store_open(const struct pc_loader *loader, struct pc_config_store *s,
	const struct pc_component **comp, struct polychat_store_ref *ref)
{
	const struct pc_component *c =
		pc_loader_find(loader, POLYCHAT_COMPONENT_STORE, s->backend);
	void *db = NULL;
	int rc = c ? 0 : POLYCHAT_ENOTFOUND;
	/* Problems from here on go to the log, not to a check's list. */
	s->options->diag = NULL;
	if (rc == 0)
		rc = pc_options_own(s->options);
	if (rc == 0)
		rc = c->ops.store.open(pc_host(), s->options, &db);
	if (rc != 0) {
		pc_log(POLYCHAT_LOG_ERROR, s->name, "store '%s' failed to open: %s",
			s->backend, polychat_strerror(rc));
		return rc;
	}
	*comp = c;
	ref->ops = &c->ops.store;
	ref->db = db;
	return 0;
}
