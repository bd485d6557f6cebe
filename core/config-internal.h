/* SPDX-License-Identifier: MIT */
/* What config.c shares with config-listeners.c: the walk's state and its typed reads. */
#ifndef PC_CONFIG_INTERNAL_H
#define PC_CONFIG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "diag.h"
#include "options.h"
#include "yaml-tree.h"

/* Room for an option path ("listeners[3].options.key"); see
 * pc_config_subpath for what happens to a longer one. */
#define PC_CONFIG_PATH_LEN 256
/* The longest NAME (listener, store, suite, ...). */
#define PC_CONFIG_NAME_MAX 63

/* The state of one interpretation: the configuration being filled and what
 * went wrong so far. Errors are counted, not stopped at. */
struct pc_config_ctx {
	struct pc_config *cfg;
	struct pc_diag *diag;  /* NULL: errors go to stderr */
	int errors;
	int nomem;
};

/* Record one error at `pos` under option `path` (may be NULL) in c->diag,
 * or print it to stderr when there is none; counts it in c->errors. */
void pc_config_fail(struct pc_config_ctx *c, const struct pc_pos *pos,
	const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A malloc'ed copy of `s`, or NULL with c->nomem set. */
char *pc_config_strdup(struct pc_config_ctx *c, const char *s);

/* "base.key" (or "key" when `base` is NULL) into `buf`; a path cut short
 * ends in "..." rather than silently. */
void pc_config_subpath(char *buf, size_t size, const char *base,
	const char *key);

/* Whether `n` is a mapping; records an error at `path` otherwise. */
int pc_config_expect_map(struct pc_config_ctx *c, const struct pc_yaml_node *n,
	const char *path);

/*
 * Sort the pairs of mapping `map` into vals[0..nkeys) by the index of their
 * key in keys[]. Reports non-scalar, duplicate and unknown keys (the last
 * with the list of known ones); an empty or null value leaves its slot
 * NULL, as if the key were absent. The values are borrowed from `map`.
 */
void pc_config_map_fields(struct pc_config_ctx *c,
	const struct pc_yaml_node *map, const char *path,
	const char *const *keys, size_t nkeys, struct pc_yaml_node **vals);

/* Record that mapping `map` (at `path`) lacks the required `key`. */
void pc_config_missing(struct pc_config_ctx *c, const struct pc_yaml_node *map,
	const char *path, const char *key);

/* A non-empty scalar's text (borrowed from `n`), or NULL after recording
 * "expected <what>, got ..." at `path`. */
const char *pc_config_get_text(struct pc_config_ctx *c,
	const struct pc_yaml_node *n, const char *path, const char *what);

/* A NAME value (borrowed from `n`): 1 to PC_CONFIG_NAME_MAX characters
 * from A-Z a-z 0-9 _ . -; NULL after recording why not. */
const char *pc_config_get_name(struct pc_config_ctx *c,
	const struct pc_yaml_node *n, const char *path);

/* A decimal integer in [min, max] into *out: 0, or -1 after recording
 * why not (*out then untouched). */
int pc_config_get_int(struct pc_config_ctx *c, const struct pc_yaml_node *n,
	const char *path, int64_t min, int64_t max, int64_t *out);

/* A `limits:` mapping at `path` over *lim: each key present and valid
 * replaces its field, the others keep theirs. */
void pc_config_get_limits(struct pc_config_ctx *c,
	const struct pc_yaml_node *n, const char *path, struct pc_limits *lim);

/*
 * An option block named `path`: `n` may be NULL (absent), then the block is
 * empty and placed at `owner`. Keys and values must be scalars; errors are
 * recorded and the offending entry left out. The block borrows the
 * configuration's file name and state_dir. Returns a block the caller owns
 * (pc_options_free), or NULL with c->nomem set.
 */
struct polychat_options *pc_config_get_block(struct pc_config_ctx *c,
	const struct pc_yaml_node *n, const char *path,
	const struct pc_pos *owner);

/* config-listeners.c: interpret the `listeners:` value `n` into
 * c->cfg->listeners (stores and daemon limits already read), then check
 * the entries against each other: unique names, no two on one address. */
void pc_config_listeners_parse(struct pc_config_ctx *c,
	const struct pc_yaml_node *n);

#endif /* PC_CONFIG_INTERNAL_H */
