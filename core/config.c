/* SPDX-License-Identifier: MIT */
/* The daemon's configuration: the YAML tree read against the schema and checked. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <polychat/host.h>
#include <polychat/status.h>

#include "config-internal.h"
#include "yaml-tree.h"

/*
 * The schema (every key outside an option block is checked; an unknown key,
 * a duplicate key or a value of the wrong type is an error):
 *
 *   daemon:                      optional
 *     state_dir: DIR             default "."; a relative path is resolved
 *                                against the current directory at load time
 *                                and stored absolute
 *     plugin_dir: DIR            optional (NULL: the built-in default)
 *     log:
 *       level: LEVEL             error|warning|notice|info|debug, default info
 *       syslog: BOOL             true/false, yes/no, on/off (any case);
 *                                default false
 *     limits:                    defaults of every listener
 *       max_connections: INT     1..1000000, default 10000
 *       max_frame: INT           64..67108864, default 1048576
 *       output_limit: INT        1024..1073741824, default 4194304
 *       close_timeout_ms: INT    0..600000, default 5000
 *   stores:                      optional
 *     NAME:                      [A-Za-z0-9_.-]{1,63}
 *       backend: NAME            required
 *       options: BLOCK           the backend's options
 *   listeners:                   required; a sequence (empty or null = no
 *                                listener: the daemon starts idle) of
 *     - name: NAME               default "<suite>-<port>"; unique
 *       bind: ADDR               IPv4 or IPv6 literal, default 127.0.0.1
 *       port: INT                0..65535, required; 0 = any free port
 *       suite: NAME              required
 *       auth: NAME               optional
 *       auth_options: BLOCK
 *       store: NAME              optional; a key of `stores`
 *       realm: NAME              default: the listener's name
 *       options: BLOCK           the suite's options
 *       limits: {...}            as daemon.limits, overriding it
 *
 * A BLOCK is a mapping of scalars, kept as text with each value's position
 * and handed to the plugin, which reads and checks it (struct
 * polychat_options). A key with an empty or null value (`auth:`, `auth: ~`)
 * counts as absent; inside a block the value is kept as written.
 *
 * Bounds: the input is at most 1 MiB, collections nest at most 32 deep and
 * hold at most 4096 entries (which keeps every pairwise check cheap).
 * Aliases are refused. yaml-tree.h defines these bounds and says why.
 * Integers are decimal only, so that `port: 010` means ten to every reader.
 *
 * Errors are collected, not stopped at: the whole file is interpreted and
 * every problem recorded; only a problem building the tree (a YAML syntax
 * error, after which the structure is unknown) ends the walk.
 *
 * This file reads the top level, `daemon:` and `stores:` and holds the
 * typed reads they share with config-listeners.c, which reads
 * `listeners:`.
 */

static const struct pc_limits default_limits = {
	.max_connections = 10000,
	.max_frame = 1024 * 1024,
	.output_limit = 4 * 1024 * 1024,
	.close_timeout_ms = 5000,
};

/* pc_config_fail - see config-internal.h. Messages quote at most
 * PC_YAML_QUOTE_MAX bytes of any input, so a fixed buffer holds them. */
void pc_config_fail(struct pc_config_ctx *c, const struct pc_pos *pos,
	const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->errors++;
	if (c->diag) {
		pc_diag_add(c->diag, pos, path, "%s", msg);
		return;
	}
	struct pc_diag local = {0};
	pc_diag_add(&local, pos, path, "%s", msg);
	pc_diag_print(&local, stderr);
	pc_diag_clear(&local);
}

/* pc_config_strdup - see config-internal.h. */
char *pc_config_strdup(struct pc_config_ctx *c, const char *s)
{
	size_t len = strlen(s);
	char *copy = malloc(len + 1);
	if (!copy) {
		c->nomem = 1;
		return NULL;
	}
	memcpy(copy, s, len + 1);
	return copy;
}

/* Replace *field with a copy of `s`. */
static void set_string(struct pc_config_ctx *c, char **field, const char *s)
{
	char *copy = pc_config_strdup(c, s);
	if (!copy)
		return;
	free(*field);
	*field = copy;
}

/* pc_config_subpath - see config-internal.h. A path is cut short when it
 * quotes a long user-written name. */
void pc_config_subpath(char *buf, size_t size, const char *base,
	const char *key)
{
	int n = base ? snprintf(buf, size, "%s.%s", base, key) :
		snprintf(buf, size, "%s", key);
	if (n >= 0 && (size_t)n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

/* Build the tree of `len` bytes of `text`; see pc_yaml_parse. Its one
 * error goes where pc_config_fail sends errors, and is counted. */
static int read_tree(struct pc_config_ctx *c, const char *text, size_t len,
	struct pc_yaml_node **rootp)
{
	struct pc_diag local = {0};
	int rc = pc_yaml_parse(c->cfg->file, text, len,
		c->diag ? c->diag : &local, rootp);
	pc_diag_print(&local, stderr);
	pc_diag_clear(&local);
	if (rc == POLYCHAT_ENOMEM)
		c->nomem = 1;
	else if (rc != 0)
		c->errors++;
	return rc;
}

/* ---- typed access to the tree ---- */

/* pc_config_expect_map - see config-internal.h. */
int pc_config_expect_map(struct pc_config_ctx *c, const struct pc_yaml_node *n,
	const char *path)
{
	if (n->kind == PC_YAML_MAP)
		return 1;
	char buf[PC_YAML_DESCRIBE_SIZE];
	pc_config_fail(c, &n->pos, path, "expected a mapping, got %s",
		pc_yaml_describe(n, buf, sizeof(buf)));
	return 0;
}

/* Whether pair `i` of `map` has a usable key: a scalar not seen before in
 * the same mapping. Reports the problem otherwise. */
static int key_ok(struct pc_config_ctx *c, const struct pc_yaml_node *map,
	size_t i, const char *path)
{
	const struct pc_yaml_node *k = map->kids[i];
	char buf[PC_YAML_DESCRIBE_SIZE];
	if (k->kind != PC_YAML_SCALAR) {
		pc_config_fail(c, &k->pos, path,
			"expected a scalar key, got %s",
			pc_yaml_describe(k, buf, sizeof(buf)));
		return 0;
	}
	for (size_t j = 0; j < i; j += 2) {
		const struct pc_yaml_node *prev = map->kids[j];
		if (prev->kind != PC_YAML_SCALAR || strcmp(prev->text, k->text))
			continue;
		char q[PC_YAML_QUOTE_SIZE];
		pc_config_fail(c, &k->pos, path,
			"duplicate key '%s' (first at line %d, column %d)",
			pc_yaml_quote(k->text, q, sizeof(q)), prev->pos.line,
			prev->pos.col);
		return 0;
	}
	return 1;
}

/* pc_config_map_fields - see config-internal.h. */
void pc_config_map_fields(struct pc_config_ctx *c,
	const struct pc_yaml_node *map, const char *path,
	const char *const *keys, size_t nkeys, struct pc_yaml_node **vals)
{
	for (size_t f = 0; f < nkeys; f++)
		vals[f] = NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		if (!key_ok(c, map, i, path))
			continue;
		const struct pc_yaml_node *k = map->kids[i];
		struct pc_yaml_node *v = map->kids[i + 1];
		size_t f = 0;
		while (f < nkeys && strcmp(keys[f], k->text) != 0)
			f++;
		if (f < nkeys) {
			vals[f] = v->kind == PC_YAML_SCALAR && v->null ? NULL : v;
			continue;
		}
		char list[512] = "";
		size_t used = 0;
		for (size_t j = 0; j < nkeys && used < sizeof(list); j++)
			used += (size_t)snprintf(list + used,
				sizeof(list) - used, "%s%s", j ? ", " : "",
				keys[j]);
		char q[PC_YAML_QUOTE_SIZE];
		pc_config_fail(c, &k->pos, path,
			"unknown key '%s'%s; expected one of: %s",
			pc_yaml_quote(k->text, q, sizeof(q)),
			path ? "" : " at top level", list);
	}
}

/* pc_config_missing - see config-internal.h. */
void pc_config_missing(struct pc_config_ctx *c, const struct pc_yaml_node *map,
	const char *path, const char *key)
{
	pc_config_fail(c, &map->pos, path, "missing required key '%s'", key);
}

/* pc_config_get_text - see config-internal.h. `what` names the
 * expectation ("a directory path"). */
const char *pc_config_get_text(struct pc_config_ctx *c,
	const struct pc_yaml_node *n, const char *path, const char *what)
{
	char buf[PC_YAML_DESCRIBE_SIZE];
	if (n->kind != PC_YAML_SCALAR || n->null || !*n->text) {
		pc_config_fail(c, &n->pos, path, "expected %s, got %s", what,
			pc_yaml_describe(n, buf, sizeof(buf)));
		return NULL;
	}
	return n->text;
}

static int name_valid(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > PC_CONFIG_NAME_MAX)
		return 0;
	for (const char *p = s; *p; p++) {
		char ch = *p;
		int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9');
		if (!alnum && ch != '_' && ch != '.' && ch != '-')
			return 0;
	}
	return 1;
}

#define NAME_RULE "a name of 1 to 63 characters from A-Z a-z 0-9 _ . -"

/* pc_config_get_name - see config-internal.h. */
const char *pc_config_get_name(struct pc_config_ctx *c,
	const struct pc_yaml_node *n, const char *path)
{
	const char *s = pc_config_get_text(c, n, path, NAME_RULE);
	if (s && !name_valid(s)) {
		char q[PC_YAML_QUOTE_SIZE];
		pc_config_fail(c, &n->pos, path,
			"expected " NAME_RULE ", got '%s'",
			pc_yaml_quote(s, q, sizeof(q)));
		return NULL;
	}
	return s;
}

/* pc_config_get_int - see config-internal.h. */
int pc_config_get_int(struct pc_config_ctx *c, const struct pc_yaml_node *n,
	const char *path, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;
	if (n->kind == PC_YAML_SCALAR && pc_options_parse_decimal(n->text, &v) == 0 &&
			v >= min && v <= max) {
		*out = v;
		return 0;
	}
	char buf[PC_YAML_DESCRIBE_SIZE];
	pc_config_fail(c, &n->pos, path,
		"expected an integer between %lld and %lld, got %s",
		(long long)min, (long long)max,
		pc_yaml_describe(n, buf, sizeof(buf)));
	return -1;
}

static int get_bool(struct pc_config_ctx *c, const struct pc_yaml_node *n,
	const char *path, int *out)
{
	static const char *const words[] = {"true", "false", "yes", "no", "on",
		"off"};
	if (n->kind == PC_YAML_SCALAR) {
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (strcasecmp(n->text, words[i]) == 0) {
				*out = i % 2 == 0;
				return 0;
			}
		}
	}
	char buf[PC_YAML_DESCRIBE_SIZE];
	pc_config_fail(c, &n->pos, path,
		"expected a boolean (true/false, yes/no, on/off), got %s",
		pc_yaml_describe(n, buf, sizeof(buf)));
	return -1;
}

/* ---- sections ---- */

static const char *const limit_keys[] = {"max_connections", "max_frame",
	"output_limit", "close_timeout_ms"};
static const int64_t limit_min[] = {1, 64, 1024, 0};
static const int64_t limit_max[] = {1000000, 64 * 1024 * 1024,
	1024 * 1024 * 1024, 600000};

/* pc_config_get_limits - see config-internal.h. */
void pc_config_get_limits(struct pc_config_ctx *c, const struct pc_yaml_node *n,
	const char *path, struct pc_limits *lim)
{
	if (!pc_config_expect_map(c, n, path))
		return;
	struct pc_yaml_node *v[4];
	pc_config_map_fields(c, n, path, limit_keys, 4, v);
	uint32_t *fields[] = {&lim->max_connections, &lim->max_frame,
		&lim->output_limit, &lim->close_timeout_ms};
	for (size_t f = 0; f < 4; f++) {
		char sub[PC_CONFIG_PATH_LEN];
		int64_t x;
		pc_config_subpath(sub, sizeof(sub), path, limit_keys[f]);
		if (v[f] && pc_config_get_int(c, v[f], sub, limit_min[f],
				limit_max[f], &x) == 0)
			*fields[f] = (uint32_t)x;
	}
}

static void parse_log(struct pc_config_ctx *c, const struct pc_yaml_node *n)
{
	static const char *const keys[] = {"level", "syslog"};
	static const char *const levels[] = {"error", "warning", "notice",
		"info", "debug"};
	static const int values[] = {POLYCHAT_LOG_ERROR, POLYCHAT_LOG_WARNING,
		POLYCHAT_LOG_NOTICE, POLYCHAT_LOG_INFO, POLYCHAT_LOG_DEBUG};
	if (!pc_config_expect_map(c, n, "daemon.log"))
		return;
	struct pc_yaml_node *v[2];
	pc_config_map_fields(c, n, "daemon.log", keys, 2, v);
	if (v[0]) {
		size_t i = 0;
		while (i < 5 && !(v[0]->kind == PC_YAML_SCALAR &&
				strcmp(v[0]->text, levels[i]) == 0))
			i++;
		if (i < 5) {
			c->cfg->log_level = values[i];
		} else {
			char buf[PC_YAML_DESCRIBE_SIZE];
			pc_config_fail(c, &v[0]->pos, "daemon.log.level",
				"expected one of: error, warning, notice, "
				"info, debug; got %s",
				pc_yaml_describe(v[0], buf, sizeof(buf)));
		}
	}
	if (v[1])
		get_bool(c, v[1], "daemon.log.syslog", &c->cfg->log_syslog);
}

/* `dir` made absolute against the current directory; NULL on failure. */
static char *absolute_dir(struct pc_config_ctx *c, const char *dir,
	const struct pc_pos *pos)
{
	if (dir[0] == '/')
		return pc_config_strdup(c, dir);
	size_t size = 256;
	char *cwd = NULL;
	for (;;) {
		char *grown = realloc(cwd, size);
		if (!grown) {
			free(cwd);
			c->nomem = 1;
			return NULL;
		}
		cwd = grown;
		if (getcwd(cwd, size))
			break;
		if (errno != ERANGE || size >= 65536) {
			pc_config_fail(c, pos, "daemon.state_dir", "cannot "
				"resolve '%s' against the current directory: %s",
				dir,
				strerror(errno));
			free(cwd);
			return NULL;
		}
		size *= 2;
	}
	if (strcmp(dir, ".") == 0)
		return cwd;
	size_t clen = strlen(cwd), dlen = strlen(dir);
	const char *sep = cwd[clen - 1] == '/' ? "" : "/";
	char *out = malloc(clen + 1 + dlen + 1);
	if (out)
		snprintf(out, clen + 1 + dlen + 1, "%s%s%s", cwd, sep, dir);
	else
		c->nomem = 1;
	free(cwd);
	return out;
}

static void parse_daemon(struct pc_config_ctx *c, const struct pc_yaml_node *n)
{
	static const char *const keys[] = {"state_dir", "plugin_dir", "log",
		"limits"};
	if (!pc_config_expect_map(c, n, "daemon"))
		return;
	struct pc_yaml_node *v[4];
	pc_config_map_fields(c, n, "daemon", keys, 4, v);
	const char *dir_rule = "a directory path";
	const char *s;
	if (v[0] && (s = pc_config_get_text(c, v[0], "daemon.state_dir",
			dir_rule))) {
		char *dir = absolute_dir(c, s, &v[0]->pos);
		if (dir) {
			free(c->cfg->state_dir);
			c->cfg->state_dir = dir;
		}
	}
	if (v[1] && (s = pc_config_get_text(c, v[1], "daemon.plugin_dir",
			dir_rule)))
		set_string(c, &c->cfg->plugin_dir, s);
	if (v[2])
		parse_log(c, v[2]);
	if (v[3])
		pc_config_get_limits(c, v[3], "daemon.limits", &c->cfg->limits);
}

/* pc_config_get_block - see config-internal.h. */
struct polychat_options *pc_config_get_block(struct pc_config_ctx *c,
	const struct pc_yaml_node *n, const char *path,
	const struct pc_pos *owner)
{
	struct polychat_options *opts = pc_options_new(path,
		n ? &n->pos : owner);
	if (!opts) {
		c->nomem = 1;
		return NULL;
	}
	/* Borrowed: the configuration owns the string for as long as the
	 * block lives inside it. */
	opts->state_dir = c->cfg->state_dir;
	if (!n)
		return opts;
	char buf[PC_YAML_DESCRIBE_SIZE];
	if (n->kind != PC_YAML_MAP) {
		pc_config_fail(c, &n->pos, path,
			"expected a mapping of option: value, got %s",
			pc_yaml_describe(n, buf, sizeof(buf)));
		return opts;
	}
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		if (!key_ok(c, n, i, path))
			continue;
		const struct pc_yaml_node *k = n->kids[i], *v = n->kids[i + 1];
		char sub[PC_CONFIG_PATH_LEN], q[PC_YAML_QUOTE_SIZE];
		pc_config_subpath(sub, sizeof(sub), path,
			pc_yaml_quote(k->text, q, sizeof(q)));
		if (k->null || !*k->text) {
			pc_config_fail(c, &k->pos, path,
				"expected an option name, got %s",
				pc_yaml_describe(k, buf, sizeof(buf)));
			continue;
		}
		if (v->kind != PC_YAML_SCALAR) {
			pc_config_fail(c, &v->pos, sub,
				"expected a scalar value, got %s",
				pc_yaml_describe(v, buf, sizeof(buf)));
			continue;
		}
		int rc = pc_options_add(opts, k->text, v->text, &v->pos);
		if (rc == POLYCHAT_ENOMEM)
			c->nomem = 1;
	}
	return opts;
}

static void store_clear(struct pc_config_store *st)
{
	free(st->name);
	free(st->backend);
	pc_options_free(st->options);
	memset(st, 0, sizeof(*st));
}

static void parse_store(struct pc_config_ctx *c, const struct pc_yaml_node *k,
	const struct pc_yaml_node *n, struct pc_config_store *st)
{
	static const char *const keys[] = {"backend", "options"};
	char path[PC_CONFIG_PATH_LEN], sub[PC_CONFIG_PATH_LEN];
	char q[PC_YAML_QUOTE_SIZE];
	pc_config_subpath(path, sizeof(path), "stores",
		pc_yaml_quote(k->text, q, sizeof(q)));
	st->pos = k->pos;
	st->name = pc_config_strdup(c, k->text);
	struct pc_yaml_node *v[2] = {NULL, NULL};
	if (pc_config_expect_map(c, n, path)) {
		pc_config_map_fields(c, n, path, keys, 2, v);
		const char *s;
		pc_config_subpath(sub, sizeof(sub), path, "backend");
		if (!v[0])
			pc_config_missing(c, n, path, "backend");
		else if ((s = pc_config_get_name(c, v[0], sub)))
			st->backend = pc_config_strdup(c, s);
	}
	pc_config_subpath(sub, sizeof(sub), path, "options");
	st->options = pc_config_get_block(c, v[1], sub, &st->pos);
}

static void parse_stores(struct pc_config_ctx *c, const struct pc_yaml_node *n)
{
	struct pc_config *cfg = c->cfg;
	if (!pc_config_expect_map(c, n, "stores"))
		return;
	if (n->n == 0)
		return;
	cfg->stores = calloc(n->n / 2, sizeof(*cfg->stores));
	if (!cfg->stores) {
		c->nomem = 1;
		return;
	}
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		if (!key_ok(c, n, i, "stores"))
			continue;
		const struct pc_yaml_node *k = n->kids[i];
		if (!name_valid(k->text)) {
			char q[PC_YAML_QUOTE_SIZE];
			pc_config_fail(c, &k->pos, "stores", "expected a store "
				"name (" NAME_RULE "), got '%s'",
				pc_yaml_quote(k->text, q, sizeof(q)));
			continue;
		}
		/* Defined stores are kept even when their body has errors, so
		 * a listener naming one gets no second, misleading error. */
		struct pc_config_store *st = &cfg->stores[cfg->n_stores++];
		parse_store(c, k, n->kids[i + 1], st);
	}
}

static void interpret(struct pc_config_ctx *c, const struct pc_yaml_node *root)
{
	static const char *const keys[] = {"daemon", "stores", "listeners"};
	char buf[PC_YAML_DESCRIBE_SIZE];
	if (!root || (root->kind == PC_YAML_SCALAR && root->null)) {
		struct pc_pos pos = {.file = c->cfg->file};
		pc_config_fail(c, &pos, NULL, "the configuration is empty; "
			"expected a mapping with at least 'listeners'");
		return;
	}
	if (root->kind != PC_YAML_MAP) {
		pc_config_fail(c, &root->pos, NULL,
			"expected a mapping at top level, got %s",
			pc_yaml_describe(root, buf, sizeof(buf)));
		return;
	}
	struct pc_yaml_node *v[3];
	pc_config_map_fields(c, root, NULL, keys, 3, v);
	/* Daemon first whatever the order in the file: it gives the defaults
	 * (limits, state_dir) that stores and listeners inherit. */
	if (v[0])
		parse_daemon(c, v[0]);
	if (v[1])
		parse_stores(c, v[1]);
	if (v[2])
		pc_config_listeners_parse(c, v[2]);
	else if (!pc_yaml_has_key(root, "listeners"))
		pc_config_missing(c, root, NULL, "listeners");
}

/* pc_config_parse - see config.h. `text` may be NULL when `len` is 0. */
int pc_config_parse(const char *name, const char *text, size_t len,
	struct pc_diag *diag, struct pc_config **out)
{
	if (!name || (!text && len) || !out)
		return POLYCHAT_EINVAL;
	struct pc_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return POLYCHAT_ENOMEM;
	struct pc_config_ctx c = {.cfg = cfg, .diag = diag};
	cfg->log_level = POLYCHAT_LOG_INFO;
	cfg->limits = default_limits;
	cfg->file = pc_config_strdup(&c, name);
	if (!cfg->file) {
		free(cfg);
		return POLYCHAT_ENOMEM;
	}

	/* An oversized input is refused by the tree builder, and that alone
	 * is reported: nothing is resolved for it. */
	if (len <= PC_YAML_MAX_SIZE) {
		struct pc_pos pos = {.file = cfg->file};
		cfg->state_dir = absolute_dir(&c, ".", &pos);
	}
	struct pc_yaml_node *root = NULL;
	if (!c.nomem && c.errors == 0 && read_tree(&c, text, len, &root) == 0)
		interpret(&c, root);
	pc_yaml_free(root);

	if (c.nomem || c.errors) {
		pc_config_free(cfg);
		return c.nomem ? POLYCHAT_ENOMEM : POLYCHAT_ECONFIG;
	}
	*out = cfg;
	return 0;
}

/* pc_config_load - see config.h. An unreadable file is POLYCHAT_EIO with
 * "path: cannot open: reason" in `diag`; one over 1 MiB POLYCHAT_ECONFIG. */
int pc_config_load(const char *path, struct pc_diag *diag,
	struct pc_config **out)
{
	if (!path || !out)
		return POLYCHAT_EINVAL;
	struct pc_config_ctx c = {.diag = diag};
	struct pc_pos pos = {.file = path};
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		pc_config_fail(&c, &pos, NULL, "cannot open: %s",
			strerror(errno));
		return POLYCHAT_EIO;
	}
	/* Read one byte past the limit to tell "exactly 1 MiB" from "more". */
	char *buf = malloc(PC_YAML_MAX_SIZE + 1);
	if (!buf) {
		fclose(fp);
		return POLYCHAT_ENOMEM;
	}
	errno = 0;
	size_t len = fread(buf, 1, PC_YAML_MAX_SIZE + 1, fp);
	int read_error = ferror(fp) ? (errno ? errno : EIO) : 0;
	fclose(fp);
	if (read_error) {
		pc_config_fail(&c, &pos, NULL, "cannot read: %s",
			strerror(read_error));
		free(buf);
		return POLYCHAT_EIO;
	}
	if (len > PC_YAML_MAX_SIZE) {
		pc_config_fail(&c, &pos, NULL, "the file is larger than 1 MiB");
		free(buf);
		return POLYCHAT_ECONFIG;
	}
	int rc = pc_config_parse(path, buf, len, diag, out);
	free(buf);
	return rc;
}

static void listener_clear(struct pc_config_listener *l)
{
	free(l->name);
	free(l->bind);
	free(l->suite);
	free(l->auth);
	free(l->store);
	free(l->realm);
	pc_options_free(l->suite_options);
	pc_options_free(l->auth_options);
}

/* pc_config_free - see config.h. Accepts NULL, and entries whose strings or
 * option blocks were taken over (set to NULL) by a listener. */
void pc_config_free(struct pc_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_stores; i++)
		store_clear(&cfg->stores[i]);
	for (size_t i = 0; i < cfg->n_listeners; i++)
		listener_clear(&cfg->listeners[i]);
	free(cfg->stores);
	free(cfg->listeners);
	free(cfg->file);
	free(cfg->state_dir);
	free(cfg->plugin_dir);
	free(cfg);
}

/* pc_config_store_find - see config.h. */
const struct pc_config_store *pc_config_store_find(const struct pc_config *cfg,
	const char *name)
{
	if (!cfg || !name)
		return NULL;
	for (size_t i = 0; i < cfg->n_stores; i++)
		if (cfg->stores[i].name && strcmp(cfg->stores[i].name, name) == 0)
			return &cfg->stores[i];
	return NULL;
}

/* pc_config_listener_find - see config.h. */
const struct pc_config_listener *pc_config_listener_find(
	const struct pc_config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	for (size_t i = 0; i < cfg->n_listeners; i++)
		if (cfg->listeners[i].name &&
				strcmp(cfg->listeners[i].name, name) == 0)
			return &cfg->listeners[i];
	return NULL;
}

static int str_equal(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Same keys with the same values, in any order; positions do not matter
 * (a reload that only moves lines around changes nothing). An absent block
 * equals an empty one. */
static int options_equal(const struct polychat_options *a,
	const struct polychat_options *b)
{
	size_t na = a ? a->count : 0, nb = b ? b->count : 0;
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		const struct pc_option *x = &a->items[i];
		size_t j = 0;
		while (j < nb && strcmp(b->items[j].key, x->key) != 0)
			j++;
		if (j == nb || strcmp(b->items[j].value, x->value) != 0)
			return 0;
	}
	return 1;
}

static int limits_equal(const struct pc_limits *a, const struct pc_limits *b)
{
	return a->max_connections == b->max_connections &&
		a->max_frame == b->max_frame &&
		a->output_limit == b->output_limit &&
		a->close_timeout_ms == b->close_timeout_ms;
}

/* pc_config_listener_equal - see config.h. Positions are not compared. */
int pc_config_listener_equal(const struct pc_config_listener *a,
	const struct pc_config_listener *b)
{
	if (!a || !b)
		return a == b;
	return str_equal(a->name, b->name) && str_equal(a->bind, b->bind) &&
		a->port == b->port && str_equal(a->suite, b->suite) &&
		str_equal(a->auth, b->auth) && str_equal(a->store, b->store) &&
		str_equal(a->realm, b->realm) &&
		options_equal(a->suite_options, b->suite_options) &&
		options_equal(a->auth_options, b->auth_options) &&
		limits_equal(&a->limits, &b->limits);
}

/* pc_config_store_equal - see config.h. Positions are not compared. */
int pc_config_store_equal(const struct pc_config_store *a,
	const struct pc_config_store *b)
{
	if (!a || !b)
		return a == b;
	return str_equal(a->name, b->name) && str_equal(a->backend, b->backend) &&
		options_equal(a->options, b->options);
}
