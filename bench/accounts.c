/* SPDX-License-Identifier: MIT */
/* polychat-bench: kylochat accounts in bulk, through the same loader, store and auth plugins polychatctl uses. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <polychat/status.h>

#include "accounts.h"
#include "core/config.h"
#include "core/host.h"
#include "core/listener.h"
#include "core/setup.h"

struct job {
	const struct polychat_auth_ref *auth;
	const char *realm, *prefix, *password;
	unsigned from, to;
	int rc;
};

/* One thread's share: set_secret is a worker-thread method, and the
 * store gives each thread its own database connection. */
static void *create_range(void *arg)
{
	struct job *j = arg;
	for (unsigned i = j->from; i < j->to && j->rc == 0; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s%u", j->prefix, i);
		int rc = j->auth->ops->set_secret(j->auth->instance, j->realm, name,
			(const uint8_t *)j->password, strlen(j->password), 1);
		if (rc != 0 && rc != POLYCHAT_EEXIST) {
			fprintf(stderr, "polychat-bench: account %s: %s\n", name,
				polychat_strerror(rc));
			j->rc = rc;
		}
	}
	return NULL;
}

static struct pc_config_store *store_entry(struct pc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_stores; i++)
		if (strcmp(cfg->stores[i].name, name) == 0)
			return &cfg->stores[i];
	return NULL;
}

/* accounts_create - see accounts.h. */
int accounts_create(const char *builddir, const char *config, const char *listener,
	const char *prefix, unsigned count, const char *password, unsigned threads)
{
	char path[2048];
	/* The suite too: the configuration is checked against it. */
	snprintf(path, sizeof(path), "%s/plugins/store-sqlite:%s/plugins/auth-bcrypt:"
		"%s/plugins/crypto-rsa-cbc", builddir, builddir, builddir);
	struct pc_loader *loader = pc_loader_new(pc_host());
	struct pc_diag diag = { 0 };
	struct pc_config *cfg = loader ? pc_setup_load(config, path, loader, &diag) : NULL;
	const struct pc_config_listener *l = cfg ? pc_config_listener_find(cfg, listener) : NULL;
	const char *store_name = l ? pc_setup_listener_store(cfg, l) : NULL;
	struct pc_config_store *s = store_name ? store_entry(cfg, store_name) : NULL;
	const struct pc_component *store_comp = NULL, *auth = NULL;
	struct polychat_store_ref store = { 0 };
	struct polychat_auth_ref ref = { 0 };
	void *instance = NULL;
	int rc = -1;
	if (!s || !l->auth) {
		pc_diag_print(&diag, stderr);
		fprintf(stderr, "polychat-bench: %s: no listener %s with auth and store\n", config,
			listener);
		goto out;
	}
	if (pc_setup_store_open(loader, s, &store_comp, &store) != 0)
		goto out;
	auth = pc_loader_find(loader, POLYCHAT_COMPONENT_AUTH, l->auth);
	l->auth_options->diag = NULL;
	if (!auth || pc_listener_auth_create(auth, l->auth_options, &store, l->name,
			     &instance) != 0)
		goto out;
	ref.ops = &auth->ops.auth;
	ref.instance = instance;

	threads = threads < 1 ? 1 : threads > 16 ? 16 : threads;
	struct job jobs[16];
	pthread_t tid[16];
	unsigned started = 0;
	for (unsigned t = 0; t < threads; t++) {
		jobs[t] = (struct job){ &ref, l->realm, prefix, password, count * t / threads,
			count * (t + 1) / threads, 0 };
		if (pthread_create(&tid[t], NULL, create_range, &jobs[t]) != 0)
			break;
		started++;
	}
	rc = started == threads ? 0 : -1;
	for (unsigned t = 0; t < started; t++) {
		pthread_join(tid[t], NULL);
		if (jobs[t].rc != 0)
			rc = -1;
	}
out:
	if (instance)
		auth->ops.auth.destroy(instance);
	if (store_comp)
		store_comp->ops.store.close(store.db);
	pc_config_free(cfg);
	pc_diag_clear(&diag);
	pc_loader_free(loader);
	return rc;
}
