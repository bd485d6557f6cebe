/* SPDX-License-Identifier: MIT */
/* Plugin loading: descriptor checks, ABI checks, ops copies with defaults. */
#ifndef PC_LOADER_H
#define PC_LOADER_H

#include <stddef.h>

#include <polychat/plugin.h>

struct pc_plugin;
struct pc_loader;

/* A component as the core uses it: a checked, completed copy of the
 * plugin's ops table of the core's own size. Call sites never test for
 * optional members: absent ones hold defaults. */
struct pc_component {
	int kind;                      /* enum polychat_component_kind */
	const char *name;              /* borrowed from the plugin */
	struct pc_plugin *plugin;
	int has_server;                /* suites: the server half is present */
	int has_client;                /* suites: the client half is present */
	union {
		struct polychat_suite_ops suite;
		struct polychat_auth_ops auth;
		struct polychat_store_ops store;
	} ops;
};

/* A new, empty set of plugins whose init gets `host` (borrowed; must
 * outlive the loader). NULL on ENOMEM or if libltdl fails to initialise. */
struct pc_loader *pc_loader_new(const struct polychat_host *host);
/* Call every plugin's fini and unload them all. Accepts NULL. */
void pc_loader_free(struct pc_loader *loader);

/* Load one plugin file (.la or .so, or a path without extension). On
 * refusal writes one line to `err` naming the plugin, the file, what was
 * expected and what was found, and returns a negative code (POLYCHAT_EABI,
 * POLYCHAT_EINVAL, POLYCHAT_ENOTFOUND, POLYCHAT_EEXIST, ...). Loading the
 * same file twice is a no-op returning 0. */
int pc_loader_load(struct pc_loader *loader, const char *path, char *err,
	size_t err_len);
/* Load every plugin file of a directory. Refusals are logged as warnings
 * and remembered for pc_loader_explain. Returns the number loaded, or a
 * negative code if the directory cannot be read. */
int pc_loader_load_dir(struct pc_loader *loader, const char *dir);
/* Load from a colon-separated list of directories. */
void pc_loader_load_path(struct pc_loader *loader, const char *dirs);

/* The component of `kind` named `name`, or NULL. */
const struct pc_component *pc_loader_find(const struct pc_loader *loader,
	int kind, const char *name);
/* Explain in one line why `name` of `kind` is not available: where was
 * searched, which plugins were found, and any refusal that might be the
 * reason. */
void pc_loader_explain(const struct pc_loader *loader, int kind,
	const char *name, char *buf, size_t len);
/* "suite", "auth", "store". */
const char *pc_component_kind_name(int kind);
/* The file a plugin was loaded from and its descriptor name/version. */
const char *pc_plugin_path(const struct pc_plugin *plugin);
const char *pc_plugin_name(const struct pc_plugin *plugin);

#endif /* PC_LOADER_H */
