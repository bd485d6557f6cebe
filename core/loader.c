/* SPDX-License-Identifier: MIT */
/* Plugin loading: descriptor checks, ABI checks, ops copies with defaults. */
#include <dirent.h>
#include <errno.h>
#include <ltdl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "log.h"

#define MAX_COMPONENTS 64
#define MAX_REFUSALS 32

struct pc_plugin {
	lt_dlhandle handle;
	char *path;
	const struct polychat_plugin *desc;
	void (*fini)(void);
	struct pc_component *components;
	size_t n_components;
};

struct pc_loader {
	const struct polychat_host *host;
	struct pc_plugin **plugins;
	size_t n_plugins;
	char searched[512];            /* directories searched, for messages */
	char *refusals[MAX_REFUSALS];  /* why plugin files were refused */
	size_t n_refusals;
};

/* A method of an ops table: where it is and what it is called. */
struct method {
	size_t offset;
	const char *name;
};

#define M(type, member) { offsetof(struct type, member), #member }

static const struct method suite_base[] = {
	M(polychat_suite_ops, create), M(polychat_suite_ops, destroy),
};
static const struct method suite_server[] = {
	M(polychat_suite_ops, session_open), M(polychat_suite_ops, session_input),
	M(polychat_suite_ops, session_deliver), M(polychat_suite_ops, session_close),
};
static const struct method suite_client[] = {
	M(polychat_suite_ops, client_open), M(polychat_suite_ops, client_input),
	M(polychat_suite_ops, client_line), M(polychat_suite_ops, client_close),
};
static const struct method auth_required[] = {
	M(polychat_auth_ops, create), M(polychat_auth_ops, destroy),
	M(polychat_auth_ops, verify),
};
static const struct method store_required[] = {
	M(polychat_store_ops, open), M(polychat_store_ops, close),
	M(polychat_store_ops, account_put), M(polychat_store_ops, account_get),
	M(polychat_store_ops, account_get_id), M(polychat_store_ops, account_update),
	M(polychat_store_ops, account_delete),
	M(polychat_store_ops, token_put), M(polychat_store_ops, token_get),
	M(polychat_store_ops, token_revoke), M(polychat_store_ops, token_delete),
	M(polychat_store_ops, token_revoke_user), M(polychat_store_ops, token_purge),
	M(polychat_store_ops, token_list), M(polychat_store_ops, key_put),
	M(polychat_store_ops, key_get), M(polychat_store_ops, key_delete),
	M(polychat_store_ops, queue_push), M(polychat_store_ops, queue_peek),
	M(polychat_store_ops, queue_ack), M(polychat_store_ops, queue_count),
	M(polychat_store_ops, challenge_put), M(polychat_store_ops, challenge_get),
	M(polychat_store_ops, challenge_delete), M(polychat_store_ops, audit_add),
	M(polychat_store_ops, audit_list),
};

#undef M
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Defaults for optional members, so call sites never test for NULL. */
static int default_check(const struct polychat_host *host,
	const struct polychat_options *opts)
{
	return 0;
}

static void default_shutdown(void *session)
{
}

static const char *default_help(void)
{
	return NULL;
}

static int default_set_secret(void *instance, const char *realm,
	const char *subject, const uint8_t *secret, size_t len, int create)
{
	return POLYCHAT_ENOTSUP;
}

static int default_issue(void *instance, const char *realm, const char *subject,
	char *echo, size_t echo_len, int *echoed)
{
	return POLYCHAT_ENOTSUP;
}

static int default_flush(void *db)
{
	return 0;
}

/* A store built before ABI 1.1 cannot enumerate its accounts. */
static int default_account_list(void *db, const char *realm,
	uint64_t after_id, unsigned limit, polychat_account_fn *fn, void *arg)
{
	return POLYCHAT_ENOTSUP;
}

/* pc_component_kind_name - see loader.h. */
const char *pc_component_kind_name(int kind)
{
	switch (kind) {
	case POLYCHAT_COMPONENT_SUITE: return "suite";
	case POLYCHAT_COMPONENT_AUTH: return "auth";
	case POLYCHAT_COMPONENT_STORE: return "store";
	}
	return "unknown";
}

/* pc_plugin_path - see loader.h. */
const char *pc_plugin_path(const struct pc_plugin *plugin)
{
	return plugin->path;
}

/* pc_plugin_name - see loader.h. */
const char *pc_plugin_name(const struct pc_plugin *plugin)
{
	return plugin->desc->name;
}

/* pc_loader_new - see loader.h. */
struct pc_loader *pc_loader_new(const struct polychat_host *host)
{
	if (lt_dlinit() != 0)
		return NULL;
	struct pc_loader *loader = calloc(1, sizeof(*loader));
	if (!loader) {
		lt_dlexit();
		return NULL;
	}
	loader->host = host;
	return loader;
}

static void plugin_free(struct pc_plugin *plugin, int call_fini)
{
	if (!plugin)
		return;
	if (call_fini && plugin->fini)
		plugin->fini();
	if (plugin->handle)
		lt_dlclose(plugin->handle);
	free(plugin->components);
	free(plugin->path);
	free(plugin);
}

/* pc_loader_free - see loader.h. */
void pc_loader_free(struct pc_loader *loader)
{
	if (!loader)
		return;
	/* Unload in reverse order of loading, like destructors. */
	for (size_t i = loader->n_plugins; i-- > 0;)
		plugin_free(loader->plugins[i], 1);
	for (size_t i = 0; i < loader->n_refusals; i++)
		free(loader->refusals[i]);
	free(loader->plugins);
	free(loader);
	lt_dlexit();
}

static int fail(char *err, size_t len, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t len, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && len)
		vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return status;
}

static int is_null_ptr(const void *table, size_t offset)
{
	const void *ptr;
	memcpy(&ptr, (const char *)table + offset, sizeof(ptr));
	return ptr == NULL;
}

/* The first mandatory method of `set` that is NULL in `table`, or NULL. */
static const char *missing_method(const void *table, const struct method *set,
	size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_null_ptr(table, set[i].offset))
			return set[i].name;
	return NULL;
}

/* How many methods of `set` are present in `table`. */
static size_t present_methods(const void *table, const struct method *set,
	size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += !is_null_ptr(table, set[i].offset);
	return count;
}

/* Copy a plugin's ops table of `their_size` bytes into `ours` (zeroed, of
 * `our_size`): the shorter table is zero-filled; a longer one is accepted only
 * if the tail the core cannot call is all zero. */
static int copy_ops(void *ours, size_t our_size, const void *theirs,
	size_t their_size, const char **problem)
{
	memset(ours, 0, our_size);
	if (their_size == 0 || their_size % sizeof(void *) != 0) {
		*problem = "size is not a whole number of pointers";
		return POLYCHAT_EABI;
	}
	if (their_size > our_size) {
		const unsigned char *tail = (const unsigned char *)theirs + our_size;
		for (size_t i = 0; i < their_size - our_size; i++) {
			if (tail[i]) {
				*problem = "table is longer than this core's and its extra members are set";
				return POLYCHAT_EABI;
			}
		}
		their_size = our_size;
	}
	memcpy(ours, theirs, their_size);
	return 0;
}

/* Check and complete one component; on failure describe it in `err`. */
static int component_prepare(struct pc_component *comp,
	const struct polychat_plugin *desc, const struct polychat_component *src,
	const char *path, char *err, size_t err_len)
{
	const char *problem = NULL;
	const char *missing = NULL;
	int rc;

	comp->kind = (int)src->kind;
	comp->name = src->name;
	if (!src->name || !src->name[0] || strlen(src->name) > 63)
		return fail(err, err_len, POLYCHAT_EINVAL,
			"plugin %s (%s): a component has no valid name (expected 1 to 63 characters)",
			desc->name, path);
	if (!src->ops)
		return fail(err, err_len, POLYCHAT_EINVAL,
			"plugin %s (%s): component '%s' has no ops table",
			desc->name, path, src->name);

	switch (src->kind) {
	case POLYCHAT_COMPONENT_SUITE: {
		struct polychat_suite_ops *ops = &comp->ops.suite;
		rc = copy_ops(ops, sizeof(*ops), src->ops, desc->suite_ops_size, &problem);
		if (rc)
			break;
		missing = missing_method(ops, suite_base, COUNT(suite_base));
		if (missing)
			break;
		size_t server = present_methods(ops, suite_server, COUNT(suite_server));
		size_t client = present_methods(ops, suite_client, COUNT(suite_client));
		/* A half is all or nothing: a partial half would crash later. */
		if (server && server != COUNT(suite_server)) {
			missing = missing_method(ops, suite_server, COUNT(suite_server));
			break;
		}
		if (client && client != COUNT(suite_client)) {
			missing = missing_method(ops, suite_client, COUNT(suite_client));
			break;
		}
		if (!server && !client) {
			missing = "session_open (or client_open): neither a server nor a client half";
			break;
		}
		comp->has_server = server != 0;
		comp->has_client = client != 0;
		if (!ops->check)
			ops->check = default_check;
		if (!ops->session_shutdown)
			ops->session_shutdown = default_shutdown;
		if (!ops->client_help)
			ops->client_help = default_help;
		break;
	}
	case POLYCHAT_COMPONENT_AUTH: {
		struct polychat_auth_ops *ops = &comp->ops.auth;
		rc = copy_ops(ops, sizeof(*ops), src->ops, desc->auth_ops_size, &problem);
		if (rc)
			break;
		missing = missing_method(ops, auth_required, COUNT(auth_required));
		if (!ops->check)
			ops->check = default_check;
		if (!ops->set_secret)
			ops->set_secret = default_set_secret;
		if (!ops->issue)
			ops->issue = default_issue;
		break;
	}
	case POLYCHAT_COMPONENT_STORE: {
		struct polychat_store_ops *ops = &comp->ops.store;
		rc = copy_ops(ops, sizeof(*ops), src->ops, desc->store_ops_size, &problem);
		if (rc)
			break;
		missing = missing_method(ops, store_required, COUNT(store_required));
		if (!ops->check)
			ops->check = default_check;
		if (!ops->flush)
			ops->flush = default_flush;
		if (!ops->account_list)
			ops->account_list = default_account_list;
		break;
	}
	default:
		return fail(err, err_len, POLYCHAT_EINVAL,
			"plugin %s (%s): component '%s' has unknown kind %u (expected 1 = suite, 2 = auth or 3 = store)",
			desc->name, path, src->name, src->kind);
	}

	if (problem)
		return fail(err, err_len, POLYCHAT_EABI,
			"plugin %s (%s): the %s ops table of '%s' cannot be used: %s; rebuild the plugin against this polychat's headers",
			desc->name, path, pc_component_kind_name(comp->kind),
			src->name, problem);
	if (missing)
		return fail(err, err_len, POLYCHAT_EINVAL,
			"plugin %s (%s): %s '%s' lacks the mandatory method %s",
			desc->name, path, pc_component_kind_name(comp->kind),
			src->name, missing);
	return 0;
}

/* Check a descriptor before running any code of the plugin. */
static int descriptor_check(const struct polychat_plugin *desc,
	const char *path, char *err, size_t err_len)
{
	/* Only abi_major/abi_minor are guaranteed to be where we look in a
	 * plugin of another ABI, so nothing else is read before this test. */
	if (desc->abi_major != POLYCHAT_ABI_MAJOR)
		return fail(err, err_len, POLYCHAT_EABI,
			"plugin %s was built for polychat ABI %u.%u, but this polychat has ABI %d.%d: rebuild it against polychat %d.x headers",
			path, desc->abi_major, desc->abi_minor,
			POLYCHAT_ABI_MAJOR, POLYCHAT_ABI_MINOR, POLYCHAT_ABI_MAJOR);
	if (desc->descriptor_size < offsetof(struct polychat_plugin, init))
		return fail(err, err_len, POLYCHAT_EABI,
			"plugin %s: descriptor of %u bytes is shorter than ABI %d.0's %zu: rebuild it",
			path, desc->descriptor_size, POLYCHAT_ABI_MAJOR,
			offsetof(struct polychat_plugin, init));
	if (!desc->name || !desc->name[0] || !desc->version || !desc->version[0])
		return fail(err, err_len, POLYCHAT_EINVAL,
			"plugin %s: descriptor has no name or version", path);
	if (!desc->components || desc->n_components == 0 ||
	    desc->n_components > MAX_COMPONENTS)
		return fail(err, err_len, POLYCHAT_EINVAL,
			"plugin %s (%s): expected 1 to %d components, found %u",
			desc->name, path, MAX_COMPONENTS, desc->n_components);
	return 0;
}

static const struct pc_component *find_in(const struct pc_loader *loader,
	int kind, const char *name)
{
	for (size_t i = 0; i < loader->n_plugins; i++) {
		const struct pc_plugin *p = loader->plugins[i];
		for (size_t j = 0; j < p->n_components; j++)
			if (p->components[j].kind == kind &&
			    strcmp(p->components[j].name, name) == 0)
				return &p->components[j];
	}
	return NULL;
}

/* pc_loader_load - see loader.h. */
int pc_loader_load(struct pc_loader *loader, const char *path, char *err,
	size_t err_len)
{
	for (size_t i = 0; i < loader->n_plugins; i++)
		if (strcmp(loader->plugins[i]->path, path) == 0)
			return 0;

	struct pc_plugin *plugin = calloc(1, sizeof(*plugin));
	if (!plugin || !(plugin->path = strdup(path))) {
		free(plugin);
		return fail(err, err_len, POLYCHAT_ENOMEM, "out of memory loading %s", path);
	}
	int rc;
	plugin->handle = lt_dlopenext(path);
	if (!plugin->handle) {
		const char *why = lt_dlerror();
		rc = fail(err, err_len, POLYCHAT_ENOTFOUND,
			"cannot load plugin file %s: %s", path, why ? why : "unknown error");
		goto out;
	}
	plugin->desc = lt_dlsym(plugin->handle, POLYCHAT_PLUGIN_SYMBOL);
	if (!plugin->desc) {
		rc = fail(err, err_len, POLYCHAT_EINVAL,
			"%s is not a polychat plugin: it exports no '%s' symbol (expected a const struct polychat_plugin)",
			path, POLYCHAT_PLUGIN_SYMBOL);
		goto out;
	}
	const struct polychat_plugin *desc = plugin->desc;
	rc = descriptor_check(desc, path, err, err_len);
	if (rc)
		goto out;

	plugin->n_components = desc->n_components;
	plugin->components = calloc(desc->n_components, sizeof(*plugin->components));
	if (!plugin->components) {
		rc = fail(err, err_len, POLYCHAT_ENOMEM, "out of memory loading %s", path);
		goto out;
	}
	for (size_t i = 0; i < desc->n_components; i++) {
		struct pc_component *comp = &plugin->components[i];
		rc = component_prepare(comp, desc, &desc->components[i], path, err, err_len);
		if (rc)
			goto out;
		comp->plugin = plugin;
		const struct pc_component *other = find_in(loader, comp->kind, comp->name);
		for (size_t j = 0; !other && j < i; j++)
			if (plugin->components[j].kind == comp->kind &&
			    strcmp(plugin->components[j].name, comp->name) == 0)
				other = &plugin->components[j];
		if (other) {
			rc = fail(err, err_len, POLYCHAT_EEXIST,
				"plugin %s (%s): %s '%s' is already provided by plugin %s (%s)",
				desc->name, path, pc_component_kind_name(comp->kind),
				comp->name, other->plugin->desc->name, other->plugin->path);
			goto out;
		}
	}

	int (*init)(const struct polychat_host *) = NULL;
	if (desc->descriptor_size >= offsetof(struct polychat_plugin, fini) + sizeof(desc->fini)) {
		init = desc->init;
		plugin->fini = desc->fini;
	}
	if (init && (rc = init(loader->host)) != 0) {
		plugin->fini = NULL;
		/* A positive return breaks the contract; report it as I/O. */
		if (rc > 0)
			rc = POLYCHAT_EIO;
		rc = fail(err, err_len, rc, "plugin %s (%s): init failed: %s",
			desc->name, path, polychat_strerror(rc));
		goto out;
	}

	struct pc_plugin **grown = realloc(loader->plugins,
		(loader->n_plugins + 1) * sizeof(*grown));
	if (!grown) {
		rc = fail(err, err_len, POLYCHAT_ENOMEM, "out of memory loading %s", path);
		goto out;
	}
	loader->plugins = grown;
	loader->plugins[loader->n_plugins++] = plugin;
	return 0;
out:
	plugin_free(plugin, 1);
	return rc;
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);
	return n > s && strcmp(name + n - s, suffix) == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remember why a file was refused; 1 if this is news (to be logged). A
 * reload scans the same directories again and must not repeat itself. */
static int remember_refusal(struct pc_loader *loader, const char *text)
{
	for (size_t i = 0; i < loader->n_refusals; i++)
		if (loader->refusals[i] && strcmp(loader->refusals[i], text) == 0)
			return 0;
	if (loader->n_refusals < MAX_REFUSALS)
		loader->refusals[loader->n_refusals++] = strdup(text);
	return 1;
}

static void note_searched(struct pc_loader *loader, const char *dir)
{
	size_t dir_len = strlen(dir);
	for (const char *p = loader->searched; (p = strstr(p, dir)) != NULL; p += dir_len)
		if ((p == loader->searched || p[-1] == ':') &&
		    (p[dir_len] == ':' || p[dir_len] == '\0'))
			return;
	size_t used = strlen(loader->searched);
	snprintf(loader->searched + used, sizeof(loader->searched) - used, "%s%s",
		used ? ":" : "", dir);
}

/* Whether a libtool .la file describes a loadable module: convenience
 * libraries (dlname='') live in the same build directories and are no
 * plugins, so they are passed over without a warning. */
static int la_is_module(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 1; /* let the load report it */
	char line[1024];
	int module = 1;
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, "dlname='", 8) == 0) {
			module = line[8] != '\'';
			break;
		}
	}
	fclose(fp);
	return module;
}

/* pc_loader_load_dir - see loader.h. */
int pc_loader_load_dir(struct pc_loader *loader, const char *dir)
{
	note_searched(loader, dir);
	DIR *d = opendir(dir);
	if (!d)
		return POLYCHAT_ENOTFOUND;

	char **names = NULL;
	size_t count = 0;
	struct dirent *ent;
	while ((ent = readdir(d)) != NULL) {
		/* libtool's .la describes the build-tree module; a bare .so is
		 * what an install without .la files leaves. */
		if (!has_suffix(ent->d_name, ".la") && !has_suffix(ent->d_name, ".so"))
			continue;
		char **grown = realloc(names, (count + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		if ((names[count] = strdup(ent->d_name)) != NULL)
			count++;
	}
	closedir(d);
	/* An empty directory leaves `names` NULL, which qsort must not get. */
	if (count > 1)
		qsort(names, count, sizeof(*names), compare_names);

	int loaded = 0;
	for (size_t i = 0; i < count; i++) {
		char stem[512];
		snprintf(stem, sizeof(stem), "%s", names[i]);
		if (has_suffix(names[i], ".so")) {
			stem[strlen(stem) - 3] = '\0';
			char la[520];
			snprintf(la, sizeof(la), "%s.la", stem);
			if (bsearch(&(const char *){la}, names, count, sizeof(*names),
				compare_names))
				continue;
		}
		char path[4096], err[512];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (has_suffix(names[i], ".la") && !la_is_module(path))
			continue;
		if (pc_loader_load(loader, path, err, sizeof(err)) == 0)
			loaded++;
		else if (remember_refusal(loader, err))
			pc_log(POLYCHAT_LOG_WARNING, "loader", "%s", err);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return loaded;
}

/* pc_loader_load_path - see loader.h. */
void pc_loader_load_path(struct pc_loader *loader, const char *dirs)
{
	char *copy = strdup(dirs ? dirs : "");
	if (!copy)
		return;
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		pc_loader_load_dir(loader, dir);
	free(copy);
}

/* pc_loader_find - see loader.h. */
const struct pc_component *pc_loader_find(const struct pc_loader *loader,
	int kind, const char *name)
{
	return name ? find_in(loader, kind, name) : NULL;
}

/* pc_loader_explain - see loader.h. */
void pc_loader_explain(const struct pc_loader *loader, int kind,
	const char *name, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len,
		"no loaded plugin provides %s '%s' (searched %s; available %ss:",
		pc_component_kind_name(kind), name,
		loader->searched[0] ? loader->searched : "no directory",
		pc_component_kind_name(kind));
	int any = 0;
	for (size_t i = 0; i < loader->n_plugins && used < len; i++) {
		const struct pc_plugin *p = loader->plugins[i];
		for (size_t j = 0; j < p->n_components && used < len; j++) {
			if (p->components[j].kind != kind)
				continue;
			used += (size_t)snprintf(buf + used, len - used, " %s",
				p->components[j].name);
			any = 1;
		}
	}
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used, "%s)", any ? "" : " none");
	for (size_t i = 0; i < loader->n_refusals && used < len; i++)
		if (loader->refusals[i])
			used += (size_t)snprintf(buf + used, len - used,
				"; refused: %s", loader->refusals[i]);
}
