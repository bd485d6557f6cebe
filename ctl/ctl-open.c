/* SPDX-License-Identifier: MIT */
/* polychatctl: load the configuration and plugins, open the listener's store and auth. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "../core/host.h"
#include "../core/listener.h"
#include "../core/log.h"
#include "../core/setup.h"

/* Whether polychatd would give this listener both an auth method and a
 * store: the listeners whose accounts polychatctl can manage. */
static int manages_accounts(const struct pc_config *cfg,
	const struct pc_config_listener *l)
{
	return l->auth && pc_setup_listener_store(cfg, l);
}

/* The listener named by -l, else the only one with an auth method and a
 * store. NULL after printing why. */
static const struct pc_config_listener *pick_listener(const struct ctl *ctl)
{
	const struct pc_config *cfg = ctl->cfg;
	if (ctl->listener_name) {
		const struct pc_config_listener *l =
			pc_config_listener_find(cfg, ctl->listener_name);
		if (!l)
			fprintf(stderr, "polychatctl: %s has no listener named '%s'\n",
				cfg->file, ctl->listener_name);
		return l;
	}
	const struct pc_config_listener *found = NULL;
	size_t count = 0;
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		if (!manages_accounts(cfg, &cfg->listeners[i]))
			continue;
		found = &cfg->listeners[i];
		count++;
	}
	if (count == 1)
		return found;
	if (count == 0) {
		fprintf(stderr, "polychatctl: no listener of %s has both an auth "
			"method and a store; name one with -l\n", cfg->file);
		return NULL;
	}
	fprintf(stderr, "polychatctl: several listeners of %s have an auth method "
		"and a store; name one with -l:", cfg->file);
	for (size_t i = 0; i < cfg->n_listeners; i++)
		if (manages_accounts(cfg, &cfg->listeners[i]))
			fprintf(stderr, " %s", cfg->listeners[i].name);
	fputc('\n', stderr);
	return NULL;
}

/* The configuration's entry for a store name (never NULL for a checked
 * configuration, whose listeners name only stores that exist). */
static struct pc_config_store *store_entry(struct pc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_stores; i++)
		if (strcmp(cfg->stores[i].name, name) == 0)
			return &cfg->stores[i];
	return NULL;
}

/* Create the listener's auth instance on the open store, as polychatd
 * does when the listener starts. */
static int open_auth(struct ctl *ctl)
{
	const struct pc_config_listener *l = ctl->listener;
	if (!l->auth) {
		fprintf(stderr, "polychatctl: listener '%s' has no auth method, so "
			"it has no passwords to set\n", l->name);
		return CTL_USAGE;
	}
	ctl->auth = pc_loader_find(ctl->loader, POLYCHAT_COMPONENT_AUTH, l->auth);
	/* From here on option errors go to the log, not to the check's list. */
	l->auth_options->diag = NULL;
	void *instance = NULL;
	if (pc_listener_auth_create(ctl->auth, l->auth_options, &ctl->store,
			l->name, &instance) != 0)
		return CTL_FAILED;
	ctl->auth_ref.ops = &ctl->auth->ops.auth;
	ctl->auth_ref.instance = instance;
	return CTL_OK;
}

/* ctl_open - see ctl.h. */
int ctl_open(struct ctl *ctl, int need_auth)
{
	/* No loop: the host's loop-only functions are never reached, since
	 * store and auth plugins use only the [any]-thread ones. */
	pc_host_setup(NULL, NULL);
	ctl->loader = pc_loader_new(pc_host());
	if (!ctl->loader) {
		fprintf(stderr, "polychatctl: cannot initialise the plugin loader\n");
		return CTL_FAILED;
	}
	struct pc_diag diag = { 0 };
	ctl->cfg = pc_setup_load(ctl->config_path, ctl->plugin_path, ctl->loader, &diag);
	if (!ctl->cfg) {
		pc_diag_print(&diag, stderr);
		pc_diag_clear(&diag);
		return CTL_USAGE;
	}
	pc_diag_clear(&diag);
	/* The configured level, but never chattier than warnings: the tool's
	 * output is its result, not the plugins' progress. */
	pc_log_setup(ctl->cfg->log_level < POLYCHAT_LOG_WARNING
		? ctl->cfg->log_level : POLYCHAT_LOG_WARNING, 0, "polychatctl");

	ctl->listener = pick_listener(ctl);
	if (!ctl->listener)
		return CTL_USAGE;
	ctl->realm = ctl->listener->realm;
	const char *store = pc_setup_listener_store(ctl->cfg, ctl->listener);
	if (!store) {
		fprintf(stderr, "polychatctl: listener '%s' has no store\n",
			ctl->listener->name);
		return CTL_USAGE;
	}
	if (pc_setup_store_open(ctl->loader, store_entry(ctl->cfg, store),
			&ctl->store_comp, &ctl->store) != 0)
		return CTL_FAILED;
	return need_auth ? open_auth(ctl) : CTL_OK;
}

/* ctl_close - see ctl.h. */
void ctl_close(struct ctl *ctl)
{
	/* The auth instance holds the store binding: it goes first. */
	if (ctl->auth_ref.instance)
		ctl->auth->ops.auth.destroy(ctl->auth_ref.instance);
	ctl->auth_ref.instance = NULL;
	/* No flush: checkpointing is the running daemon's business, and
	 * every change the tool made is already committed. */
	if (ctl->store_comp)
		ctl->store_comp->ops.store.close(ctl->store.db);
	ctl->store_comp = NULL;
	pc_config_free(ctl->cfg);
	ctl->cfg = NULL;
	pc_loader_free(ctl->loader);
	ctl->loader = NULL;
}

/* ctl_fail - see ctl.h. */
int ctl_fail(const char *what, const char *name, int status)
{
	if (name)
		fprintf(stderr, "polychatctl: %s '%s': %s\n", what, name,
			polychat_strerror(status));
	else
		fprintf(stderr, "polychatctl: %s: %s\n", what, polychat_strerror(status));
	return CTL_FAILED;
}
