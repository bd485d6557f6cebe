/* SPDX-License-Identifier: MIT */
/* Plugin option blocks: a YAML mapping of scalars handed to one plugin instance. */
#ifndef PC_OPTIONS_H
#define PC_OPTIONS_H

#include <stdarg.h>
#include <stdint.h>

#include <polychat/host.h>

#include "diag.h"

/* One `key: value` of the block. Values are scalars (kept as text). */
struct pc_option {
	char *key;
	char *value;
	struct pc_pos pos; /* position of the value */
	int used;          /* set when a plugin read it */
};

/* struct polychat_options is opaque to plugins; this is its definition. */
struct polychat_options {
	char *path;               /* "listeners[0].options" etc., for messages */
	struct pc_pos pos;        /* the block (or its owner, if the block is absent) */
	struct pc_option *items;
	size_t count;
	const char *state_dir;    /* for polychat_host.state_path; borrowed */
	struct pc_diag *diag;     /* where errors go; borrowed, may be NULL (then stderr) */
	char *own_file;           /* set by pc_options_own: the copies the */
	char *own_state_dir;      /* positions and state_dir then point to */
};

/* Create an empty block named `path` at `pos`. NULL on ENOMEM. */
struct polychat_options *pc_options_new(const char *path, const struct pc_pos *pos);
/* Append key=value (copied). Returns 0, POLYCHAT_EEXIST (duplicate key),
 * POLYCHAT_ENOMEM. */
int pc_options_add(struct polychat_options *opts, const char *key,
	const char *value, const struct pc_pos *pos);
/* Parse "key=value" (the client's --opt). */
int pc_options_add_arg(struct polychat_options *opts, const char *arg);
/* Report every option nobody read as "unknown option"; returns how many. */
int pc_options_report_unused(struct polychat_options *opts, const char *plugin);
/* Mark every option unread again (before a second check). */
void pc_options_reset_used(struct polychat_options *opts);
void pc_options_free(struct polychat_options *opts);
/* Make the block independent of the configuration it was parsed from: copy
 * the file name its positions point to and the state directory, so it can
 * outlive that configuration (a listener kept across reloads). Returns 0 or
 * POLYCHAT_ENOMEM (then nothing changed). */
int pc_options_own(struct polychat_options *opts);

/* Parse an optionally signed decimal integer that fits int64 (no hex,
 * octal or underscores). 0, or -1 leaving *out alone. */
int pc_options_parse_decimal(const char *s, int64_t *out);

/* The polychat_host option functions (installed in the host tables). */
int pc_options_string(const struct polychat_options *opts, const char *key,
	const char **out);
int pc_options_int(const struct polychat_options *opts, const char *key,
	int64_t min, int64_t max, int64_t *out);
int pc_options_bool(const struct polychat_options *opts, const char *key,
	int *out);
int pc_options_error(const struct polychat_options *opts, const char *key,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int pc_options_verror(const struct polychat_options *opts, const char *key,
	const char *fmt, va_list ap);
int pc_options_state_path(const struct polychat_options *opts, const char *path,
	char *out, size_t len);

#endif /* PC_OPTIONS_H */
