/* SPDX-License-Identifier: MIT */
/* The plugin descriptor: what a plugin is and provides, read before any of its code runs. */
#ifndef POLYCHAT_PLUGIN_H
#define POLYCHAT_PLUGIN_H

#include <stdint.h>

#include <polychat/status.h>
#include <polychat/host.h>
#include <polychat/suite.h>
#include <polychat/auth.h>
#include <polychat/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ABI version. The major changes when anything of the SDK changes in a way
 * an existing plugin would misread (a member moved, a type changed); the
 * core refuses a plugin of another major. The minor grows when members are
 * appended; any minor of the same major loads.
 */
#define POLYCHAT_ABI_MAJOR 1
#define POLYCHAT_ABI_MINOR 2

/* The symbol every plugin exports: a const struct polychat_plugin. */
#define POLYCHAT_PLUGIN_SYMBOL "polychat_plugin"

/* What one component of a plugin is (struct polychat_component.kind). */
enum polychat_component_kind {
	POLYCHAT_COMPONENT_SUITE = 1, /* ops: struct polychat_suite_ops */
	POLYCHAT_COMPONENT_AUTH = 2,  /* ops: struct polychat_auth_ops */
	POLYCHAT_COMPONENT_STORE = 3, /* ops: struct polychat_store_ops */
};

/* One suite, auth method or store backend provided by a plugin. A plugin may
 * provide several (crypto-x25519-gcm provides `e2ee-chat` and `schiedchat`).
 * Names are unique per kind across all loaded plugins. */
struct polychat_component {
	uint32_t kind;    /* enum polychat_component_kind */
	const char *name; /* what YAML names: `suite: kylochat`, `store: sqlite` */
	const void *ops;  /* static const ops table of that kind */
};

/*
 * The descriptor, exported as `const struct polychat_plugin polychat_plugin`.
 *
 * ABI rule: abi_major and abi_minor stay the first two members in every ABI,
 * so the core can read them from a plugin of any version and name both
 * numbers when it refuses one. The *_ops_size members are sizeof of each ops
 * struct the plugin was compiled with: the core copies that many bytes into
 * its own zeroed table, so an older (shorter) table reads NULL for members it
 * does not know, and a newer (longer) one is accepted only if the tail the
 * core cannot call is all NULL. Fill them with POLYCHAT_PLUGIN_ABI.
 */
struct polychat_plugin {
	uint32_t abi_major;
	uint32_t abi_minor;
	uint32_t descriptor_size;   /* sizeof(struct polychat_plugin) */
	uint32_t suite_ops_size;    /* sizeof(struct polychat_suite_ops) */
	uint32_t auth_ops_size;     /* sizeof(struct polychat_auth_ops) */
	uint32_t store_ops_size;    /* sizeof(struct polychat_store_ops) */
	const char *name;           /* the plugin's name, e.g. "crypto-rsa-cbc" */
	const char *version;        /* the plugin's own version, e.g. "1.0.0" */
	const char *description;    /* one line */
	const struct polychat_component *components;
	uint32_t n_components;
	/* Called once after the descriptor passed every check, before any
	 * component is used, on the loop thread. Optional. Returns 0 or a
	 * negative code (the plugin is then refused and unloaded). */
	int (*init)(const struct polychat_host *host);
	/* Called once before unloading, after every instance is destroyed.
	 * Optional. */
	void (*fini)(void);
};

/* Every plugin defines this one symbol (and exports nothing else). */
extern const struct polychat_plugin polychat_plugin;

/* Designated initialisers for the version members of a descriptor. */
#define POLYCHAT_PLUGIN_ABI                                                  \
	.abi_major = POLYCHAT_ABI_MAJOR, .abi_minor = POLYCHAT_ABI_MINOR,    \
	.descriptor_size = sizeof(struct polychat_plugin),                   \
	.suite_ops_size = sizeof(struct polychat_suite_ops),                 \
	.auth_ops_size = sizeof(struct polychat_auth_ops),                   \
	.store_ops_size = sizeof(struct polychat_store_ops)

#ifdef __cplusplus
}
#endif

#endif /* POLYCHAT_PLUGIN_H */
