/* SPDX-License-Identifier: MIT */
/* The running daemon: its stores and listeners, reload by whole-set swap, shutdown. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "host.h"
#include "job.h"
#include "listener.h"
#include "loader.h"
#include "log.h"
#include "router.h"
#include "setup.h"

/* One opened store, shared by every listener that names it. */
struct store_entry {
	struct pc_config_store cfg;        /* owned */
	const struct pc_component *comp;
	struct polychat_store_ref ref;
	unsigned refs;                     /* listeners using it */
	int retired;                       /* not in the current configuration */
	struct store_entry *next;
};

struct pc_daemon {
	uv_loop_t *loop;
	const char *config_path;
	const char *plugin_path;           /* -p or $POLYCHAT_PLUGIN_PATH, or NULL */
	struct pc_loader *loader;
	struct store_entry *stores;
	struct polychat_listener *listeners;
	unsigned draining;                 /* listeners not yet drained */
	uv_signal_t sig_hup, sig_term, sig_int;
	int stopping;
	int exit_code;
};

static void store_close(struct pc_daemon *d, struct store_entry *entry)
{
	for (struct store_entry **p = &d->stores; *p; p = &(*p)->next) {
		if (*p != entry)
			continue;
		*p = entry->next;
		break;
	}
	int rc = entry->comp->ops.store.flush(entry->ref.db);
	if (rc != 0)
		pc_log(POLYCHAT_LOG_ERROR, entry->cfg.name, "store flush failed: %s",
			polychat_strerror(rc));
	entry->comp->ops.store.close(entry->ref.db);
	pc_log(POLYCHAT_LOG_INFO, entry->cfg.name, "store closed");
	free(entry->cfg.name);
	free(entry->cfg.backend);
	pc_options_free(entry->cfg.options);
	free(entry);
}

static struct store_entry *store_find(struct pc_daemon *d, const char *name)
{
	for (struct store_entry *e = d->stores; e; e = e->next)
		if (!e->retired && name && strcmp(e->cfg.name, name) == 0)
			return e;
	return NULL;
}

static void maybe_finish_stop(struct pc_daemon *d)
{
	if (!d->stopping || d->draining || d->listeners)
		return;
	while (d->stores)
		store_close(d, d->stores);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	pc_log(POLYCHAT_LOG_NOTICE, "polychatd", "stopped");
}

static void listener_drained(struct polychat_listener *listener, void *arg)
{
	struct pc_daemon *d = arg;
	struct store_entry *entry = listener->store_owner;
	d->draining--;
	if (entry && --entry->refs == 0 && entry->retired)
		store_close(d, entry);
	maybe_finish_stop(d);
}

static void drain(struct pc_daemon *d, struct polychat_listener *listener, int notify)
{
	d->draining++;
	pc_listener_drain(listener, notify, listener_drained, d);
}

/* Open the stores of `cfg` that are not already open with the same
 * settings. On failure nothing new stays open. */
static int open_stores(struct pc_daemon *d, struct pc_config *cfg,
	struct store_entry **fresh)
{
	*fresh = NULL;
	for (size_t i = 0; i < cfg->n_stores; i++) {
		struct pc_config_store *s = &cfg->stores[i];
		struct store_entry *old = store_find(d, s->name);
		if (old && pc_config_store_equal(&old->cfg, s))
			continue;
		struct store_entry *entry = calloc(1, sizeof(*entry));
		if (!entry || !(entry->cfg.name = strdup(s->name))) {
			free(entry);
			goto fail;
		}
		if (pc_setup_store_open(d->loader, s, &entry->comp, &entry->ref) != 0) {
			free(entry->cfg.name);
			free(entry);
			goto fail;
		}
		/* The entry takes the backend and the (now self-owned) option
		 * block; the configuration keeps its own name. */
		entry->cfg.backend = s->backend;
		entry->cfg.options = s->options;
		entry->cfg.pos = s->pos;
		entry->cfg.pos.file = s->options->own_file;
		s->backend = NULL;
		s->options = NULL;
		entry->next = *fresh;
		*fresh = entry;
		pc_log(POLYCHAT_LOG_INFO, entry->cfg.name, "store '%s' open",
			entry->cfg.backend);
	}
	return 0;
fail:
	while (*fresh) {
		struct store_entry *e = *fresh;
		*fresh = e->next;
		e->comp->ops.store.close(e->ref.db);
		free(e->cfg.name);
		free(e->cfg.backend);
		pc_options_free(e->cfg.options);
		free(e);
	}
	return POLYCHAT_EUNAVAIL;
}

static struct polychat_listener *listener_find(struct pc_daemon *d, const char *name)
{
	for (struct polychat_listener *l = d->listeners; l; l = l->next)
		if (strcmp(l->cfg.name, name) == 0)
			return l;
	return NULL;
}

/* Make `cfg` the running configuration. At boot any failure is fatal; at
 * reload a listener that fails to start is down alone. */
static int apply(struct pc_daemon *d, struct pc_config *cfg, int boot)
{
	struct store_entry *fresh;
	if (open_stores(d, cfg, &fresh) != 0)
		return POLYCHAT_EUNAVAIL;

	/* Stores no longer configured, or configured differently, retire. */
	for (struct store_entry *e = d->stores; e; e = e->next) {
		const struct pc_config_store *s = pc_config_store_find(cfg, e->cfg.name);
		if (!s || !pc_config_store_equal(&e->cfg, s))
			e->retired = 1;
	}
	while (fresh) {
		struct store_entry *e = fresh;
		fresh = e->next;
		e->next = d->stores;
		d->stores = e;
	}

	/* Keep listeners whose entry and store are unchanged; drain the rest. */
	struct polychat_listener *kept = NULL, *next;
	for (struct polychat_listener *l = d->listeners; l; l = next) {
		next = l->next;
		const struct pc_config_listener *c = pc_config_listener_find(cfg, l->cfg.name);
		struct store_entry *entry = c ? store_find(d, pc_setup_listener_store(cfg, c)) : NULL;
		if (c && pc_config_listener_equal(&l->cfg, c) && entry == l->store_owner) {
			l->next = kept;
			kept = l;
			continue;
		}
		pc_log(POLYCHAT_LOG_NOTICE, l->cfg.name, c ? "changed: restarting" : "removed");
		drain(d, l, 1);
	}
	d->listeners = kept;

	int failed = 0;
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		struct pc_config_listener *c = &cfg->listeners[i];
		if (listener_find(d, c->name))
			continue;
		struct store_entry *entry = store_find(d, pc_setup_listener_store(cfg, c));
		struct polychat_store_ref none = { NULL, NULL };
		struct polychat_listener *l;
		if (pc_listener_start(d->loop, c, d->loader, entry ? &entry->ref : &none,
				entry, &l) != 0) {
			failed = 1;
			if (boot)
				break;
			continue;
		}
		if (entry)
			entry->refs++;
		l->next = d->listeners;
		d->listeners = l;
	}

	/* Retired stores nobody uses any more close now. */
	for (struct store_entry *e = d->stores, *n; e; e = n) {
		n = e->next;
		if (e->retired && e->refs == 0)
			store_close(d, e);
	}
	return failed ? POLYCHAT_EIO : 0;
}

static void log_diag(const struct pc_diag *diag)
{
	for (size_t i = 0; i < diag->count; i++)
		if (diag->entries[i].text)
			pc_log(POLYCHAT_LOG_ERROR, "config", "%s", diag->entries[i].text);
}

static void stop(struct pc_daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = 1;
	pc_log(POLYCHAT_LOG_NOTICE, "polychatd", "stopping");
	pc_job_cancel_pending();
	struct polychat_listener *next;
	for (struct polychat_listener *l = d->listeners; l; l = next) {
		next = l->next;
		drain(d, l, 1);
	}
	d->listeners = NULL;
	maybe_finish_stop(d);
}

static void reload(struct pc_daemon *d)
{
	struct pc_diag diag = { 0 };
	pc_log(POLYCHAT_LOG_NOTICE, "polychatd", "reloading %s", d->config_path);
	struct pc_config *cfg = pc_setup_load(d->config_path, d->plugin_path,
		d->loader, &diag);
	if (!cfg) {
		log_diag(&diag);
		pc_log(POLYCHAT_LOG_ERROR, "polychatd",
			"reload refused: the running configuration is kept");
		pc_diag_clear(&diag);
		return;
	}
	int rc = apply(d, cfg, 0);
	if (rc == POLYCHAT_EUNAVAIL) {
		pc_log(POLYCHAT_LOG_ERROR, "polychatd",
			"reload failed opening a store: the running configuration is kept");
	} else {
		/* Log settings change with the rest, never on a refused reload. */
		pc_log_setup(cfg->log_level, cfg->log_syslog, "polychatd");
		pc_log(POLYCHAT_LOG_NOTICE, "polychatd", "reloaded%s",
			rc ? " (some listeners failed to start)" : "");
	}
	pc_config_free(cfg);
	pc_diag_clear(&diag);
}

static void on_signal(uv_signal_t *handle, int signum)
{
	struct pc_daemon *d = handle->data;
	if (signum == SIGHUP && !d->stopping)
		reload(d);
	else if (signum != SIGHUP)
		stop(d);
}

/* Set up the loop, the host and the loader, then load and check the
 * configuration. Returns it, or NULL after printing every problem (the
 * loader is then freed). */
static struct pc_config *daemon_open(struct pc_daemon *d, const char *config_path,
	const char *plugin_path)
{
	*d = (struct pc_daemon){ .loop = uv_default_loop(), .config_path = config_path,
		.plugin_path = plugin_path };
	pc_host_setup(d->loop, NULL);
	d->loader = pc_loader_new(pc_host());
	if (!d->loader) {
		fprintf(stderr, "polychatd: cannot initialise the plugin loader\n");
		return NULL;
	}
	struct pc_diag diag = { 0 };
	struct pc_config *cfg = pc_setup_load(d->config_path, d->plugin_path,
		d->loader, &diag);
	if (!cfg) {
		pc_diag_print(&diag, stderr);
		pc_loader_free(d->loader);
		d->loader = NULL;
	}
	pc_diag_clear(&diag);
	return cfg;
}

/* pc_daemon_configtest - see daemon.h. */
int pc_daemon_configtest(const char *config_path, const char *plugin_path)
{
	struct pc_daemon d;
	struct pc_config *cfg = daemon_open(&d, config_path, plugin_path);
	if (!cfg)
		return 1;
	printf("%s: configuration OK (%zu listener%s, %zu store%s)\n", config_path,
		cfg->n_listeners, cfg->n_listeners == 1 ? "" : "s",
		cfg->n_stores, cfg->n_stores == 1 ? "" : "s");
	pc_config_free(cfg);
	pc_loader_free(d.loader);
	uv_loop_close(d.loop);
	return 0;
}

/* pc_daemon_run - see daemon.h. */
int pc_daemon_run(const char *config_path, const char *plugin_path)
{
	signal(SIGPIPE, SIG_IGN);
	struct pc_daemon d;
	struct pc_config *cfg = daemon_open(&d, config_path, plugin_path);
	if (!cfg)
		return 1;
	uv_loop_t *loop = d.loop;
	pc_log_setup(cfg->log_level, cfg->log_syslog, "polychatd");

	uv_signal_init(loop, &d.sig_hup);
	uv_signal_init(loop, &d.sig_term);
	uv_signal_init(loop, &d.sig_int);
	d.sig_hup.data = d.sig_term.data = d.sig_int.data = &d;
	uv_signal_start(&d.sig_hup, on_signal, SIGHUP);
	uv_signal_start(&d.sig_term, on_signal, SIGTERM);
	uv_signal_start(&d.sig_int, on_signal, SIGINT);

	if (apply(&d, cfg, 1) != 0) {
		pc_log(POLYCHAT_LOG_ERROR, "polychatd", "start-up failed");
		d.exit_code = 1;
		stop(&d);
	} else {
		if (cfg->n_listeners == 0)
			pc_log(POLYCHAT_LOG_WARNING, "polychatd",
				"no listener is enabled in %s: idle until one is added and "
				"the configuration reloaded (SIGHUP)", config_path);
		pc_log(POLYCHAT_LOG_NOTICE, "polychatd", "ready (pid %ld)", (long)getpid());
	}
	pc_config_free(cfg);

	uv_run(loop, UV_RUN_DEFAULT);
	pc_router_shutdown();
	pc_loader_free(d.loader);
	if (uv_loop_close(loop) != 0)
		pc_log(POLYCHAT_LOG_WARNING, "polychatd", "handles left open at exit");
	return d.exit_code;
}
