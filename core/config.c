/* SPDX-License-Identifier: MIT */
/* The daemon's YAML configuration: parsed with positions, checked, not acted on. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include <polychat/host.h>
#include <polychat/status.h>

#include "config.h"

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
 * Aliases are refused: they would let a small file expand without bound,
 * and copying a value is clearer in a configuration anyway. Integers are
 * decimal only, so that `port: 010` means ten to every reader.
 *
 * Errors are collected, not stopped at: the whole file is interpreted and
 * every problem recorded; only a YAML syntax error (after which the
 * structure is unknown) ends the walk.
 */

#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_DEPTH 32
#define MAX_ENTRIES 4096
#define NAME_MAX_LEN 63
#define QUOTE_MAX 60
#define PATH_LEN 256

static const struct pc_limits default_limits = {
	.max_connections = 10000,
	.max_frame = 1024 * 1024,
	.output_limit = 4 * 1024 * 1024,
	.close_timeout_ms = 5000,
};

enum node_kind { NODE_SCALAR, NODE_SEQ, NODE_MAP };

/* The document as a tree that remembers where each node starts. Mappings
 * keep their pairs in order: kids[2i] is a key, kids[2i + 1] its value. */
struct node {
	enum node_kind kind;
	struct pc_pos pos;
	char *text;   /* scalars: the value, NUL-terminated */
	int null;     /* scalars: plain "", "~" or "null" */
	struct node **kids;
	size_t n, cap;
};

struct ctx {
	struct pc_config *cfg;
	struct pc_diag *diag;  /* NULL: errors go to stderr */
	int errors;
	int nomem;
};

static void fail(struct ctx *c, const struct pc_pos *pos, const char *path,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record one error. Messages quote at most QUOTE_MAX bytes of any input,
 * so a fixed buffer holds them. */
static void fail(struct ctx *c, const struct pc_pos *pos, const char *path,
	const char *fmt, ...)
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

static char *dup_string(struct ctx *c, const char *s)
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
static void set_string(struct ctx *c, char **field, const char *s)
{
	char *copy = dup_string(c, s);
	if (!copy)
		return;
	free(*field);
	*field = copy;
}

/* An input text as a message quotes it: control characters would break the
 * one-line-per-error output and long values would drown the message. */
static const char *quote(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	const char *p = s;
	for (; *p && n + 1 < size && n < QUOTE_MAX; p++, n++) {
		unsigned char ch = (unsigned char)*p;
		buf[n] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	buf[n] = '\0';
	if (*p && n + 4 <= size)
		memcpy(buf + n, "...", 4);
	return buf;
}

/* What a node is, for "expected X, got Y". */
static const char *describe(const struct node *n, char *buf, size_t size)
{
	if (n->kind == NODE_MAP)
		return "a mapping";
	if (n->kind == NODE_SEQ)
		return "a sequence";
	if (n->null)
		return "an empty value";
	char q[QUOTE_MAX + 4];
	snprintf(buf, size, "'%s'", quote(n->text, q, sizeof(q)));
	return buf;
}

/* "base.key" into buf; a path cut short (it quotes a long user-written
 * name) ends in "..." rather than silently. */
static void subpath(char *buf, size_t size, const char *base, const char *key)
{
	int n = base ? snprintf(buf, size, "%s.%s", base, key) :
		snprintf(buf, size, "%s", key);
	if (n >= 0 && (size_t)n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

/* ---- YAML events to a tree ---- */

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static struct pc_pos mark_pos(const struct ctx *c, const yaml_mark_t *mark)
{
	/* libyaml counts from 0; editors and compilers from 1. */
	struct pc_pos pos = {
		.file = c->cfg->file,
		.line = (int)mark->line + 1,
		.col = (int)mark->column + 1,
	};
	return pos;
}

static int is_null_text(const char *s, size_t len)
{
	return len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
		strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* Hang a new node under the innermost open collection (or make it the
 * root). Frees `n` on failure. */
static int attach(struct ctx *c, struct node **root, struct node **stack,
	size_t depth, struct node *n)
{
	if (depth == 0) {
		*root = n;
		return 0;
	}
	struct node *parent = stack[depth - 1];
	size_t limit = parent->kind == NODE_MAP ? 2 * MAX_ENTRIES : MAX_ENTRIES;
	if (parent->n >= limit) {
		const char *what = parent->kind == NODE_MAP ? "mapping" :
			"sequence";
		fail(c, &n->pos, NULL, "more than %d entries in one %s",
			MAX_ENTRIES, what);
		node_free(n);
		return -1;
	}
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;
		struct node **kids = realloc(parent->kids, cap * sizeof(*kids));
		if (!kids) {
			c->nomem = 1;
			node_free(n);
			return -1;
		}
		parent->kids = kids;
		parent->cap = cap;
	}
	parent->kids[parent->n++] = n;
	return 0;
}

static struct node *node_new(struct ctx *c, enum node_kind kind,
	const yaml_mark_t *mark)
{
	struct node *n = calloc(1, sizeof(*n));
	if (!n) {
		c->nomem = 1;
		return NULL;
	}
	n->kind = kind;
	n->pos = mark_pos(c, mark);
	return n;
}

static struct node *scalar_new(struct ctx *c, const yaml_event_t *ev)
{
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct node *n = node_new(c, NODE_SCALAR, &ev->start_mark);
	if (!n)
		return NULL;
	/* A "\0" escape would silently cut the C string short. */
	if (memchr(value, '\0', len)) {
		fail(c, &n->pos, NULL,
			"a value must not contain a NUL character");
		free(n);
		return NULL;
	}
	n->text = malloc(len + 1);
	if (!n->text) {
		c->nomem = 1;
		free(n);
		return NULL;
	}
	memcpy(n->text, value, len);
	n->text[len] = '\0';
	n->null = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		is_null_text(n->text, len);
	return n;
}

static void syntax_error(struct ctx *c, const yaml_parser_t *parser)
{
	if (parser->error == YAML_MEMORY_ERROR) {
		c->nomem = 1;
		return;
	}
	const char *problem = parser->problem ? parser->problem :
		"unknown error";
	if (parser->error == YAML_READER_ERROR) {
		/* Encoding problems have a byte offset, not a line. */
		struct pc_pos pos = {.file = c->cfg->file};
		fail(c, &pos, NULL, "invalid input at byte %zu: %s",
			parser->problem_offset, problem);
		return;
	}
	struct pc_pos pos = mark_pos(c, &parser->problem_mark);
	if (parser->context) {
		struct pc_pos at = mark_pos(c, &parser->context_mark);
		fail(c, &pos, NULL,
			"YAML syntax error: %s (%s at line %d, column %d)",
			problem, parser->context, at.line, at.col);
	} else {
		fail(c, &pos, NULL, "YAML syntax error: %s", problem);
	}
}

/* Parse the text into a tree. Returns 0 with *rootp the document's root
 * (NULL for an empty stream), or -1 after recording why. */
static int build_tree(struct ctx *c, const char *text, size_t len,
	struct node **rootp)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		c->nomem = 1;
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

	struct node *root = NULL;
	struct node *stack[MAX_DEPTH];
	size_t depth = 0;
	int documents = 0, rc = 0, done = 0;
	while (!done && rc == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(c, &parser);
			rc = -1;
			break;
		}
		struct pc_pos pos = mark_pos(c, &ev.start_mark);
		struct node *n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				fail(c, &pos, NULL, "expected a single YAML "
					"document, found a second one");
				rc = -1;
			}
			break;
		case YAML_ALIAS_EVENT: {
			char q[QUOTE_MAX + 4];
			const char *anchor = (const char *)ev.data.alias.anchor;
			fail(c, &pos, NULL, "aliases are not supported (*%s); "
				"write the value out", quote(anchor, q, sizeof(q)));
			rc = -1;
			break;
		}
		case YAML_SCALAR_EVENT:
			n = scalar_new(c, &ev);
			rc = n ? attach(c, &root, stack, depth, n) : -1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == MAX_DEPTH) {
				fail(c, &pos, NULL,
					"nesting deeper than %d levels", MAX_DEPTH);
				rc = -1;
				break;
			}
			n = node_new(c, ev.type == YAML_MAPPING_START_EVENT ?
				NODE_MAP : NODE_SEQ, &ev.start_mark);
			rc = n ? attach(c, &root, stack, depth, n) : -1;
			if (rc == 0)
				stack[depth++] = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc != 0) {
		node_free(root);
		return -1;
	}
	*rootp = root;
	return 0;
}

/* ---- typed access to the tree ---- */

static int expect_map(struct ctx *c, const struct node *n, const char *path)
{
	if (n->kind == NODE_MAP)
		return 1;
	char buf[QUOTE_MAX + 8];
	fail(c, &n->pos, path, "expected a mapping, got %s",
		describe(n, buf, sizeof(buf)));
	return 0;
}

/* Whether pair `i` of `map` has a usable key: a scalar not seen before in
 * the same mapping. Reports the problem otherwise. */
static int key_ok(struct ctx *c, const struct node *map, size_t i,
	const char *path)
{
	const struct node *k = map->kids[i];
	char buf[QUOTE_MAX + 8];
	if (k->kind != NODE_SCALAR) {
		fail(c, &k->pos, path, "expected a scalar key, got %s",
			describe(k, buf, sizeof(buf)));
		return 0;
	}
	for (size_t j = 0; j < i; j += 2) {
		const struct node *prev = map->kids[j];
		if (prev->kind != NODE_SCALAR || strcmp(prev->text, k->text))
			continue;
		char q[QUOTE_MAX + 4];
		fail(c, &k->pos, path,
			"duplicate key '%s' (first at line %d, column %d)",
			quote(k->text, q, sizeof(q)), prev->pos.line,
			prev->pos.col);
		return 0;
	}
	return 1;
}

/*
 * Sort the pairs of a schema mapping into vals[] by the index of their key
 * in keys[]. Unknown keys are reported with the list of known ones; an
 * empty or null value leaves its slot NULL, as if the key were absent.
 */
static void map_fields(struct ctx *c, const struct node *map, const char *path,
	const char *const *keys, size_t nkeys, struct node **vals)
{
	for (size_t f = 0; f < nkeys; f++)
		vals[f] = NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		if (!key_ok(c, map, i, path))
			continue;
		const struct node *k = map->kids[i];
		struct node *v = map->kids[i + 1];
		size_t f = 0;
		while (f < nkeys && strcmp(keys[f], k->text) != 0)
			f++;
		if (f < nkeys) {
			vals[f] = v->kind == NODE_SCALAR && v->null ? NULL : v;
			continue;
		}
		char list[512] = "";
		size_t used = 0;
		for (size_t j = 0; j < nkeys && used < sizeof(list); j++)
			used += (size_t)snprintf(list + used,
				sizeof(list) - used, "%s%s", j ? ", " : "",
				keys[j]);
		char q[QUOTE_MAX + 4];
		fail(c, &k->pos, path, "unknown key '%s'%s; expected one of: %s",
			quote(k->text, q, sizeof(q)), path ? "" : " at top level",
			list);
	}
}

static void missing(struct ctx *c, const struct node *map, const char *path,
	const char *key)
{
	fail(c, &map->pos, path, "missing required key '%s'", key);
}

/* A scalar's text; `what` names the expectation ("a directory path"). */
static const char *get_text(struct ctx *c, const struct node *n,
	const char *path, const char *what)
{
	char buf[QUOTE_MAX + 8];
	if (n->kind != NODE_SCALAR || n->null || !*n->text) {
		fail(c, &n->pos, path, "expected %s, got %s", what,
			describe(n, buf, sizeof(buf)));
		return NULL;
	}
	return n->text;
}

static int name_valid(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > NAME_MAX_LEN)
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

/* A NAME value; NULL after recording why not. */
static const char *get_name(struct ctx *c, const struct node *n,
	const char *path)
{
	const char *s = get_text(c, n, path, NAME_RULE);
	if (s && !name_valid(s)) {
		char q[QUOTE_MAX + 4];
		fail(c, &n->pos, path, "expected " NAME_RULE ", got '%s'",
			quote(s, q, sizeof(q)));
		return NULL;
	}
	return s;
}

/* Decimal only (see the schema comment); rejects what int64 cannot hold. */
static int parse_decimal(const char *s, int64_t *out)
{
	const char *p = s;
	int neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return -1;
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned d = (unsigned)(*p - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return 0;
}

static int get_int(struct ctx *c, const struct node *n, const char *path,
	int64_t min, int64_t max, int64_t *out)
{
	int64_t v;
	if (n->kind == NODE_SCALAR && parse_decimal(n->text, &v) == 0 &&
			v >= min && v <= max) {
		*out = v;
		return 0;
	}
	char buf[QUOTE_MAX + 8];
	fail(c, &n->pos, path,
		"expected an integer between %lld and %lld, got %s",
		(long long)min, (long long)max, describe(n, buf, sizeof(buf)));
	return -1;
}

static int get_bool(struct ctx *c, const struct node *n, const char *path,
	int *out)
{
	static const char *const words[] = {"true", "false", "yes", "no", "on",
		"off"};
	if (n->kind == NODE_SCALAR) {
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (strcasecmp(n->text, words[i]) == 0) {
				*out = i % 2 == 0;
				return 0;
			}
		}
	}
	char buf[QUOTE_MAX + 8];
	fail(c, &n->pos, path,
		"expected a boolean (true/false, yes/no, on/off), got %s",
		describe(n, buf, sizeof(buf)));
	return -1;
}

/* ---- sections ---- */

static const char *const limit_keys[] = {"max_connections", "max_frame",
	"output_limit", "close_timeout_ms"};
static const int64_t limit_min[] = {1, 64, 1024, 0};
static const int64_t limit_max[] = {1000000, 64 * 1024 * 1024,
	1024 * 1024 * 1024, 600000};

static void parse_limits(struct ctx *c, const struct node *n, const char *path,
	struct pc_limits *lim)
{
	if (!expect_map(c, n, path))
		return;
	struct node *v[4];
	map_fields(c, n, path, limit_keys, 4, v);
	uint32_t *fields[] = {&lim->max_connections, &lim->max_frame,
		&lim->output_limit, &lim->close_timeout_ms};
	for (size_t f = 0; f < 4; f++) {
		char sub[PATH_LEN];
		int64_t x;
		subpath(sub, sizeof(sub), path, limit_keys[f]);
		if (v[f] && get_int(c, v[f], sub, limit_min[f], limit_max[f],
				&x) == 0)
			*fields[f] = (uint32_t)x;
	}
}

static void parse_log(struct ctx *c, const struct node *n)
{
	static const char *const keys[] = {"level", "syslog"};
	static const char *const levels[] = {"error", "warning", "notice",
		"info", "debug"};
	static const int values[] = {POLYCHAT_LOG_ERROR, POLYCHAT_LOG_WARNING,
		POLYCHAT_LOG_NOTICE, POLYCHAT_LOG_INFO, POLYCHAT_LOG_DEBUG};
	if (!expect_map(c, n, "daemon.log"))
		return;
	struct node *v[2];
	map_fields(c, n, "daemon.log", keys, 2, v);
	if (v[0]) {
		size_t i = 0;
		while (i < 5 && !(v[0]->kind == NODE_SCALAR &&
				strcmp(v[0]->text, levels[i]) == 0))
			i++;
		if (i < 5) {
			c->cfg->log_level = values[i];
		} else {
			char buf[QUOTE_MAX + 8];
			fail(c, &v[0]->pos, "daemon.log.level", "expected one of: "
				"error, warning, notice, info, debug; got %s",
				describe(v[0], buf, sizeof(buf)));
		}
	}
	if (v[1])
		get_bool(c, v[1], "daemon.log.syslog", &c->cfg->log_syslog);
}

/* `dir` made absolute against the current directory; NULL on failure. */
static char *absolute_dir(struct ctx *c, const char *dir,
	const struct pc_pos *pos)
{
	if (dir[0] == '/')
		return dup_string(c, dir);
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
			fail(c, pos, "daemon.state_dir", "cannot resolve '%s' "
				"against the current directory: %s", dir,
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

static void parse_daemon(struct ctx *c, const struct node *n)
{
	static const char *const keys[] = {"state_dir", "plugin_dir", "log",
		"limits"};
	if (!expect_map(c, n, "daemon"))
		return;
	struct node *v[4];
	map_fields(c, n, "daemon", keys, 4, v);
	const char *dir_rule = "a directory path";
	const char *s;
	if (v[0] && (s = get_text(c, v[0], "daemon.state_dir", dir_rule))) {
		char *dir = absolute_dir(c, s, &v[0]->pos);
		if (dir) {
			free(c->cfg->state_dir);
			c->cfg->state_dir = dir;
		}
	}
	if (v[1] && (s = get_text(c, v[1], "daemon.plugin_dir", dir_rule)))
		set_string(c, &c->cfg->plugin_dir, s);
	if (v[2])
		parse_log(c, v[2]);
	if (v[3])
		parse_limits(c, v[3], "daemon.limits", &c->cfg->limits);
}

/*
 * An option block: `n` may be NULL (absent), then the block is empty and
 * placed at its owner. Keys and values must be scalars; errors are
 * recorded and the offending entry left out. NULL only on ENOMEM.
 */
static struct polychat_options *parse_block(struct ctx *c,
	const struct node *n, const char *path, const struct pc_pos *owner)
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
	char buf[QUOTE_MAX + 8];
	if (n->kind != NODE_MAP) {
		fail(c, &n->pos, path,
			"expected a mapping of option: value, got %s",
			describe(n, buf, sizeof(buf)));
		return opts;
	}
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		if (!key_ok(c, n, i, path))
			continue;
		const struct node *k = n->kids[i], *v = n->kids[i + 1];
		char sub[PATH_LEN], q[QUOTE_MAX + 4];
		subpath(sub, sizeof(sub), path, quote(k->text, q, sizeof(q)));
		if (k->null || !*k->text) {
			fail(c, &k->pos, path,
				"expected an option name, got %s",
				describe(k, buf, sizeof(buf)));
			continue;
		}
		if (v->kind != NODE_SCALAR) {
			fail(c, &v->pos, sub, "expected a scalar value, got %s",
				describe(v, buf, sizeof(buf)));
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

static void parse_store(struct ctx *c, const struct node *k,
	const struct node *n, struct pc_config_store *st)
{
	static const char *const keys[] = {"backend", "options"};
	char path[PATH_LEN], sub[PATH_LEN], q[QUOTE_MAX + 4];
	subpath(path, sizeof(path), "stores", quote(k->text, q, sizeof(q)));
	st->pos = k->pos;
	st->name = dup_string(c, k->text);
	struct node *v[2] = {NULL, NULL};
	if (expect_map(c, n, path)) {
		map_fields(c, n, path, keys, 2, v);
		const char *s;
		subpath(sub, sizeof(sub), path, "backend");
		if (!v[0])
			missing(c, n, path, "backend");
		else if ((s = get_name(c, v[0], sub)))
			st->backend = dup_string(c, s);
	}
	subpath(sub, sizeof(sub), path, "options");
	st->options = parse_block(c, v[1], sub, &st->pos);
}

static void parse_stores(struct ctx *c, const struct node *n)
{
	struct pc_config *cfg = c->cfg;
	if (!expect_map(c, n, "stores"))
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
		const struct node *k = n->kids[i];
		if (!name_valid(k->text)) {
			char q[QUOTE_MAX + 4];
			fail(c, &k->pos, "stores", "expected a store name ("
				NAME_RULE "), got '%s'",
				quote(k->text, q, sizeof(q)));
			continue;
		}
		/* Defined stores are kept even when their body has errors, so
		 * a listener naming one gets no second, misleading error. */
		struct pc_config_store *st = &cfg->stores[cfg->n_stores++];
		parse_store(c, k, n->kids[i + 1], st);
	}
}

/* What the cross-listener checks need to know about each entry. */
struct lcheck {
	int has_name;
	int defaulted;            /* the name was made from suite and port */
	struct pc_pos name_pos;
	int has_addr;             /* bind and port both valid */
	int family;
	unsigned char addr[16];
	struct pc_pos port_pos;
};

static const char *const listener_keys[] = {"name", "bind", "port", "suite",
	"auth", "auth_options", "store", "realm", "options", "limits"};
enum {
	L_NAME, L_BIND, L_PORT, L_SUITE, L_AUTH, L_AUTH_OPTIONS, L_STORE,
	L_REALM, L_OPTIONS, L_LIMITS, L_COUNT
};

static void store_reference(struct ctx *c, const struct node *n,
	const char *path, const char *name)
{
	const struct pc_config *cfg = c->cfg;
	if (pc_config_store_find(cfg, name))
		return;
	char q[QUOTE_MAX + 4], list[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < cfg->n_stores && used < sizeof(list); i++) {
		const char *name_i = cfg->stores[i].name;
		used += (size_t)snprintf(list + used, sizeof(list) - used,
			"%s%s", i ? ", " : "", name_i ? name_i : "?");
	}
	if (cfg->n_stores)
		fail(c, &n->pos, path, "unknown store '%s'; defined stores: %s",
			quote(name, q, sizeof(q)), list);
	else
		fail(c, &n->pos, path,
			"unknown store '%s'; no stores are defined",
			quote(name, q, sizeof(q)));
}

static void parse_listener(struct ctx *c, const struct node *n, size_t index,
	struct pc_config_listener *l, struct lcheck *chk)
{
	char path[PATH_LEN], sub[PATH_LEN];
	snprintf(path, sizeof(path), "listeners[%zu]", index);
	l->pos = n->pos;
	l->limits = c->cfg->limits;
	struct node *v[L_COUNT];
	for (size_t f = 0; f < L_COUNT; f++)
		v[f] = NULL;
	int is_map = expect_map(c, n, path);
	if (is_map)
		map_fields(c, n, path, listener_keys, L_COUNT, v);

	/* Option blocks exist even for a broken entry: "never NULL". */
	subpath(sub, sizeof(sub), path, "options");
	l->suite_options = parse_block(c, v[L_OPTIONS], sub, &l->pos);
	subpath(sub, sizeof(sub), path, "auth_options");
	l->auth_options = parse_block(c, v[L_AUTH_OPTIONS], sub, &l->pos);
	if (!is_map)
		return;

	const char *s;
	subpath(sub, sizeof(sub), path, "name");
	if (v[L_NAME] && (s = get_name(c, v[L_NAME], sub))) {
		l->name = dup_string(c, s);
		chk->has_name = l->name != NULL;
		chk->name_pos = v[L_NAME]->pos;
	}

	const char *bind = "127.0.0.1";
	int bind_ok = 1;
	subpath(sub, sizeof(sub), path, "bind");
	if (v[L_BIND]) {
		bind = get_text(c, v[L_BIND], sub, "an IPv4 or IPv6 address");
		bind_ok = bind != NULL;
	}
	if (bind_ok) {
		if (inet_pton(AF_INET, bind, chk->addr) == 1) {
			chk->family = AF_INET;
		} else if (inet_pton(AF_INET6, bind, chk->addr) == 1) {
			chk->family = AF_INET6;
		} else {
			char q[QUOTE_MAX + 4];
			/* Only a written bind can fail: the default parses. */
			fail(c, v[L_BIND] ? &v[L_BIND]->pos : &n->pos, sub,
				"expected an IPv4 or IPv6 address literal, got '%s'",
				quote(bind, q, sizeof(q)));
			bind_ok = 0;
		}
	}
	if (bind_ok)
		l->bind = dup_string(c, bind);

	int64_t port = -1;
	subpath(sub, sizeof(sub), path, "port");
	if (!v[L_PORT]) {
		missing(c, n, path, "port");
	} else if (get_int(c, v[L_PORT], sub, 0, 65535, &port) == 0) {
		l->port = (uint16_t)port;
		chk->port_pos = v[L_PORT]->pos;
		chk->has_addr = l->bind != NULL;
	}

	subpath(sub, sizeof(sub), path, "suite");
	if (!v[L_SUITE])
		missing(c, n, path, "suite");
	else if ((s = get_name(c, v[L_SUITE], sub)))
		l->suite = dup_string(c, s);

	subpath(sub, sizeof(sub), path, "auth");
	if (v[L_AUTH] && (s = get_name(c, v[L_AUTH], sub)))
		l->auth = dup_string(c, s);

	subpath(sub, sizeof(sub), path, "store");
	if (v[L_STORE] && (s = get_name(c, v[L_STORE], sub))) {
		l->store = dup_string(c, s);
		store_reference(c, v[L_STORE], sub, s);
	}

	subpath(sub, sizeof(sub), path, "limits");
	if (v[L_LIMITS])
		parse_limits(c, v[L_LIMITS], sub, &l->limits);

	if (!v[L_NAME] && l->suite && port >= 0) {
		char name[NAME_MAX_LEN + 16];
		snprintf(name, sizeof(name), "%s-%u", l->suite, (unsigned)port);
		l->name = dup_string(c, name);
		chk->has_name = l->name != NULL;
		chk->defaulted = 1;
		chk->name_pos = n->pos;
	}

	subpath(sub, sizeof(sub), path, "realm");
	if (v[L_REALM]) {
		if ((s = get_name(c, v[L_REALM], sub)))
			l->realm = dup_string(c, s);
	} else if (l->name) {
		l->realm = dup_string(c, l->name);
	}
}

static int addrs_same(const struct lcheck *a, const struct lcheck *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;
	return a->family == b->family && memcmp(a->addr, b->addr, len) == 0;
}

static int addr_is_any(const struct lcheck *k)
{
	size_t len = k->family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < len; i++)
		if (k->addr[i])
			return 0;
	return 1;
}

/* Whether two listeners on the same port would fail to bind both. A
 * wildcard address takes the port on every address of its family, and the
 * IPv6 wildcard on the IPv4 ones too (libuv leaves IPV6_V6ONLY off). */
static int addrs_conflict(const struct lcheck *a, const struct lcheck *b)
{
	if (addrs_same(a, b))
		return 1;
	if (addr_is_any(a) && (a->family == b->family || a->family == AF_INET6))
		return 1;
	if (addr_is_any(b) && (b->family == a->family || b->family == AF_INET6))
		return 1;
	return 0;
}

static void format_endpoint(const struct pc_config_listener *l,
	const struct lcheck *k, char *buf, size_t size)
{
	if (k->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", l->bind, (unsigned)l->port);
	else
		snprintf(buf, size, "%s:%u", l->bind, (unsigned)l->port);
}

/* Listener i against the earlier ones: its name must be new. */
static void check_name(struct ctx *c, const struct lcheck *chk, size_t i)
{
	const struct pc_config_listener *ls = c->cfg->listeners;
	for (size_t j = 0; chk[i].has_name && j < i; j++) {
		if (!chk[j].has_name || strcmp(ls[i].name, ls[j].name) != 0)
			continue;
		char path[PATH_LEN];
		snprintf(path, sizeof(path), "listeners[%zu].name", i);
		fail(c, &chk[i].name_pos, path, "duplicate listener name '%s' "
			"(first used by listeners[%zu] at line %d, column %d)%s",
			ls[i].name, j, chk[j].name_pos.line, chk[j].name_pos.col,
			chk[i].defaulted ? "; give one of them a unique 'name'" :
			"");
		return;
	}
}

/* Listener i against the earlier ones: its address must be free. Port 0
 * asks the kernel for a free port, which never collides. */
static void check_address(struct ctx *c, const struct lcheck *chk, size_t i)
{
	const struct pc_config_listener *ls = c->cfg->listeners;
	for (size_t j = 0; chk[i].has_addr && ls[i].port && j < i; j++) {
		if (!chk[j].has_addr || ls[j].port != ls[i].port ||
				!addrs_conflict(&chk[i], &chk[j]))
			continue;
		char path[PATH_LEN], mine[80], theirs[80];
		format_endpoint(&ls[i], &chk[i], mine, sizeof(mine));
		format_endpoint(&ls[j], &chk[j], theirs, sizeof(theirs));
		snprintf(path, sizeof(path), "listeners[%zu].port", i);
		const struct pc_pos *at = &chk[j].port_pos;
		if (addrs_same(&chk[i], &chk[j]))
			fail(c, &chk[i].port_pos, path, "%s is already used by "
				"listeners[%zu] at line %d, column %d", mine, j,
				at->line, at->col);
		else
			fail(c, &chk[i].port_pos, path, "%s overlaps %s of "
				"listeners[%zu] at line %d, column %d", mine,
				theirs, j, at->line, at->col);
		return;
	}
}

static void parse_listeners(struct ctx *c, const struct node *n)
{
	struct pc_config *cfg = c->cfg;
	char buf[QUOTE_MAX + 8];
	if (n->kind != NODE_SEQ) {
		fail(c, &n->pos, "listeners", "expected a sequence of listeners, "
			"got %s", describe(n, buf, sizeof(buf)));
		return;
	}
	/* No listener is a valid, if idle, daemon: the sample configuration
	 * ships that way until a suite is enabled. */
	if (n->n == 0)
		return;
	cfg->listeners = calloc(n->n, sizeof(*cfg->listeners));
	struct lcheck *chk = calloc(n->n, sizeof(*chk));
	if (!cfg->listeners || !chk) {
		c->nomem = 1;
		free(chk);
		return;
	}
	cfg->n_listeners = n->n;
	for (size_t i = 0; i < n->n; i++)
		parse_listener(c, n->kids[i], i, &cfg->listeners[i], &chk[i]);
	for (size_t i = 0; i < n->n; i++) {
		check_name(c, chk, i);
		check_address(c, chk, i);
	}
	free(chk);
}

/* Whether a mapping names `key`, even with a null value. */
static int has_key(const struct node *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == NODE_SCALAR && map->kids[i]->text &&
		    strcmp(map->kids[i]->text, key) == 0)
			return 1;
	return 0;
}

static void interpret(struct ctx *c, const struct node *root)
{
	static const char *const keys[] = {"daemon", "stores", "listeners"};
	char buf[QUOTE_MAX + 8];
	if (!root || (root->kind == NODE_SCALAR && root->null)) {
		struct pc_pos pos = {.file = c->cfg->file};
		fail(c, &pos, NULL, "the configuration is empty; expected a "
			"mapping with at least 'listeners'");
		return;
	}
	if (root->kind != NODE_MAP) {
		fail(c, &root->pos, NULL, "expected a mapping at top level, got %s",
			describe(root, buf, sizeof(buf)));
		return;
	}
	struct node *v[3];
	map_fields(c, root, NULL, keys, 3, v);
	/* Daemon first whatever the order in the file: it gives the defaults
	 * (limits, state_dir) that stores and listeners inherit. */
	if (v[0])
		parse_daemon(c, v[0]);
	if (v[1])
		parse_stores(c, v[1]);
	if (v[2])
		parse_listeners(c, v[2]);
	else if (!has_key(root, "listeners"))
		missing(c, root, NULL, "listeners");
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
	struct ctx c = {.cfg = cfg, .diag = diag};
	cfg->log_level = POLYCHAT_LOG_INFO;
	cfg->limits = default_limits;
	cfg->file = dup_string(&c, name);
	if (!cfg->file) {
		free(cfg);
		return POLYCHAT_ENOMEM;
	}

	if (len > MAX_FILE_SIZE) {
		struct pc_pos pos = {.file = cfg->file};
		fail(&c, &pos, NULL, "the file is larger than 1 MiB (%zu bytes)",
			len);
	} else {
		struct pc_pos pos = {.file = cfg->file};
		cfg->state_dir = absolute_dir(&c, ".", &pos);
		struct node *root = NULL;
		if (!c.nomem && c.errors == 0 &&
				build_tree(&c, text ? text : "", len, &root) == 0)
			interpret(&c, root);
		node_free(root);
	}

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
	struct ctx c = {.diag = diag};
	struct pc_pos pos = {.file = path};
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fail(&c, &pos, NULL, "cannot open: %s", strerror(errno));
		return POLYCHAT_EIO;
	}
	/* Read one byte past the limit to tell "exactly 1 MiB" from "more". */
	char *buf = malloc(MAX_FILE_SIZE + 1);
	if (!buf) {
		fclose(fp);
		return POLYCHAT_ENOMEM;
	}
	errno = 0;
	size_t len = fread(buf, 1, MAX_FILE_SIZE + 1, fp);
	int read_error = ferror(fp) ? (errno ? errno : EIO) : 0;
	fclose(fp);
	if (read_error) {
		fail(&c, &pos, NULL, "cannot read: %s", strerror(read_error));
		free(buf);
		return POLYCHAT_EIO;
	}
	if (len > MAX_FILE_SIZE) {
		fail(&c, &pos, NULL, "the file is larger than 1 MiB");
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
