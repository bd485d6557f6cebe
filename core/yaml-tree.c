/* SPDX-License-Identifier: MIT */
/* A bounded YAML document as a tree of nodes that remember their position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include <polychat/status.h>

#include "yaml-tree.h"

/*
 * libyaml's events are turned into a tree so a reader can look at a whole
 * mapping (every key, in order, with duplicates) before it interprets any
 * of it, and so every node, not only a syntax error, has a line and column
 * to report. Building stops at the first problem: after a syntax error the
 * structure is unknown, and the other refusals (aliases, bounds) say the
 * input is not what a reader of this tree should see.
 *
 * Aliases are refused: they would let a small file expand without bound,
 * and copying a value is clearer in a configuration anyway.
 */

/* The state of one pc_yaml_parse call. */
struct build {
	const char *file;     /* borrowed into every position */
	struct pc_diag *diag;
	int nomem;
};

/* pc_yaml_quote - see yaml-tree.h. Control characters would break the
 * one-line-per-error output and long values would drown the message. */
const char *pc_yaml_quote(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	const char *p = s;
	for (; *p && n + 1 < size && n < PC_YAML_QUOTE_MAX; p++, n++) {
		unsigned char ch = (unsigned char)*p;
		buf[n] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	buf[n] = '\0';
	if (*p && n + 4 <= size)
		memcpy(buf + n, "...", 4);
	return buf;
}

/* pc_yaml_describe - see yaml-tree.h. */
const char *pc_yaml_describe(const struct pc_yaml_node *node, char *buf,
	size_t size)
{
	if (node->kind == PC_YAML_MAP)
		return "a mapping";
	if (node->kind == PC_YAML_SEQ)
		return "a sequence";
	if (node->null)
		return "an empty value";
	char q[PC_YAML_QUOTE_SIZE];
	snprintf(buf, size, "'%s'", pc_yaml_quote(node->text, q, sizeof(q)));
	return buf;
}

/* pc_yaml_has_key - see yaml-tree.h. */
int pc_yaml_has_key(const struct pc_yaml_node *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == PC_YAML_SCALAR && map->kids[i]->text &&
		    strcmp(map->kids[i]->text, key) == 0)
			return 1;
	return 0;
}

/* pc_yaml_free - see yaml-tree.h. */
void pc_yaml_free(struct pc_yaml_node *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->n; i++)
		pc_yaml_free(node->kids[i]);
	free(node->kids);
	free(node->text);
	free(node);
}

static struct pc_pos mark_pos(const struct build *b, const yaml_mark_t *mark)
{
	/* libyaml counts from 0; editors and compilers from 1. */
	struct pc_pos pos = {
		.file = b->file,
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
static int attach(struct build *b, struct pc_yaml_node **root,
	struct pc_yaml_node **stack, size_t depth, struct pc_yaml_node *n)
{
	if (depth == 0) {
		*root = n;
		return 0;
	}
	struct pc_yaml_node *parent = stack[depth - 1];
	size_t limit = parent->kind == PC_YAML_MAP ? 2 * PC_YAML_MAX_ENTRIES :
		PC_YAML_MAX_ENTRIES;
	if (parent->n >= limit) {
		const char *what = parent->kind == PC_YAML_MAP ? "mapping" :
			"sequence";
		pc_diag_add(b->diag, &n->pos, NULL,
			"more than %d entries in one %s", PC_YAML_MAX_ENTRIES,
			what);
		pc_yaml_free(n);
		return -1;
	}
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;
		struct pc_yaml_node **kids = realloc(parent->kids,
			cap * sizeof(*kids));
		if (!kids) {
			b->nomem = 1;
			pc_yaml_free(n);
			return -1;
		}
		parent->kids = kids;
		parent->cap = cap;
	}
	parent->kids[parent->n++] = n;
	return 0;
}

static struct pc_yaml_node *node_new(struct build *b, enum pc_yaml_kind kind,
	const yaml_mark_t *mark)
{
	struct pc_yaml_node *n = calloc(1, sizeof(*n));
	if (!n) {
		b->nomem = 1;
		return NULL;
	}
	n->kind = kind;
	n->pos = mark_pos(b, mark);
	return n;
}

static struct pc_yaml_node *scalar_new(struct build *b, const yaml_event_t *ev)
{
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct pc_yaml_node *n = node_new(b, PC_YAML_SCALAR, &ev->start_mark);
	if (!n)
		return NULL;
	/* A "\0" escape would silently cut the C string short. */
	if (memchr(value, '\0', len)) {
		pc_diag_add(b->diag, &n->pos, NULL,
			"a value must not contain a NUL character");
		free(n);
		return NULL;
	}
	n->text = malloc(len + 1);
	if (!n->text) {
		b->nomem = 1;
		free(n);
		return NULL;
	}
	memcpy(n->text, value, len);
	n->text[len] = '\0';
	n->null = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		is_null_text(n->text, len);
	return n;
}

static void syntax_error(struct build *b, const yaml_parser_t *parser)
{
	if (parser->error == YAML_MEMORY_ERROR) {
		b->nomem = 1;
		return;
	}
	const char *problem = parser->problem ? parser->problem :
		"unknown error";
	if (parser->error == YAML_READER_ERROR) {
		/* Encoding problems have a byte offset, not a line. */
		struct pc_pos pos = {.file = b->file};
		pc_diag_add(b->diag, &pos, NULL, "invalid input at byte %zu: %s",
			parser->problem_offset, problem);
		return;
	}
	struct pc_pos pos = mark_pos(b, &parser->problem_mark);
	if (parser->context) {
		struct pc_pos at = mark_pos(b, &parser->context_mark);
		pc_diag_add(b->diag, &pos, NULL,
			"YAML syntax error: %s (%s at line %d, column %d)",
			problem, parser->context, at.line, at.col);
	} else {
		pc_diag_add(b->diag, &pos, NULL, "YAML syntax error: %s",
			problem);
	}
}

/* Feed libyaml's events into a tree. Returns 0 with *rootp the document's
 * root (NULL for an empty stream), or -1 after recording why (or setting
 * b->nomem). */
static int build_tree(struct build *b, const char *text, size_t len,
	struct pc_yaml_node **rootp)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		b->nomem = 1;
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

	struct pc_yaml_node *root = NULL;
	struct pc_yaml_node *stack[PC_YAML_MAX_DEPTH];
	size_t depth = 0;
	int documents = 0, rc = 0, done = 0;
	while (!done && rc == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(b, &parser);
			rc = -1;
			break;
		}
		struct pc_pos pos = mark_pos(b, &ev.start_mark);
		struct pc_yaml_node *n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				pc_diag_add(b->diag, &pos, NULL, "expected a "
					"single YAML document, found a second one");
				rc = -1;
			}
			break;
		case YAML_ALIAS_EVENT: {
			char q[PC_YAML_QUOTE_SIZE];
			const char *anchor = (const char *)ev.data.alias.anchor;
			pc_diag_add(b->diag, &pos, NULL, "aliases are not "
				"supported (*%s); write the value out",
				pc_yaml_quote(anchor, q, sizeof(q)));
			rc = -1;
			break;
		}
		case YAML_SCALAR_EVENT:
			n = scalar_new(b, &ev);
			rc = n ? attach(b, &root, stack, depth, n) : -1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == PC_YAML_MAX_DEPTH) {
				pc_diag_add(b->diag, &pos, NULL, "nesting deeper "
					"than %d levels", PC_YAML_MAX_DEPTH);
				rc = -1;
				break;
			}
			n = node_new(b, ev.type == YAML_MAPPING_START_EVENT ?
				PC_YAML_MAP : PC_YAML_SEQ, &ev.start_mark);
			rc = n ? attach(b, &root, stack, depth, n) : -1;
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
		pc_yaml_free(root);
		return -1;
	}
	*rootp = root;
	return 0;
}

/* pc_yaml_parse - see yaml-tree.h. Every message here quotes at most
 * PC_YAML_QUOTE_MAX bytes of input besides libyaml's own short texts, so
 * none is long enough to be cut short anywhere it is printed. */
int pc_yaml_parse(const char *file, const char *text, size_t len,
	struct pc_diag *diag, struct pc_yaml_node **rootp)
{
	if (!file || (!text && len) || !diag || !rootp)
		return POLYCHAT_EINVAL;
	if (len > PC_YAML_MAX_SIZE) {
		struct pc_pos pos = {.file = file};
		pc_diag_add(diag, &pos, NULL,
			"the file is larger than 1 MiB (%zu bytes)", len);
		return POLYCHAT_ECONFIG;
	}
	struct build b = {.file = file, .diag = diag};
	struct pc_yaml_node *root = NULL;
	if (build_tree(&b, text ? text : "", len, &root) != 0)
		return b.nomem ? POLYCHAT_ENOMEM : POLYCHAT_ECONFIG;
	*rootp = root;
	return 0;
}
