/* SPDX-License-Identifier: MIT */
/* A bounded YAML document as a tree of nodes that remember their position. */
#ifndef PC_YAML_TREE_H
#define PC_YAML_TREE_H

#include <stddef.h>

#include "diag.h"

/*
 * Bounds of one document: the input is at most 1 MiB, collections nest at
 * most 32 deep and hold at most 4096 entries (which keeps every pairwise
 * check a reader makes cheap).
 */
#define PC_YAML_MAX_SIZE (1024 * 1024)
#define PC_YAML_MAX_DEPTH 32
#define PC_YAML_MAX_ENTRIES 4096

/* pc_yaml_quote copies at most this many bytes of input; a buffer of
 * PC_YAML_QUOTE_SIZE holds the copy with its "..." and NUL, one of
 * PC_YAML_DESCRIBE_SIZE what pc_yaml_describe writes. */
#define PC_YAML_QUOTE_MAX 60
#define PC_YAML_QUOTE_SIZE (PC_YAML_QUOTE_MAX + 4)
#define PC_YAML_DESCRIBE_SIZE (PC_YAML_QUOTE_MAX + 8)

enum pc_yaml_kind { PC_YAML_SCALAR, PC_YAML_SEQ, PC_YAML_MAP };

/* One node. Mappings keep their pairs in order: kids[2i] is a key,
 * kids[2i + 1] its value. */
struct pc_yaml_node {
	enum pc_yaml_kind kind;
	struct pc_pos pos;   /* where the node starts; pos.file is borrowed */
	char *text;          /* scalars: the value, NUL-terminated; else NULL */
	int null;            /* scalars: plain "", "~" or "null" (any of
	                      * null, Null, NULL) */
	struct pc_yaml_node **kids;
	size_t n, cap;
};

/*
 * Parse `len` bytes of `text` (which need not be NUL-terminated; may be NULL
 * when `len` is 0) as one YAML document within the bounds above. Aliases are
 * refused (they would let a small file expand without bound), as are a
 * second document and a value holding a NUL character. `file` names the
 * input in positions and messages; every node's position borrows it, so it
 * must outlive the tree. `diag` must not be NULL.
 *
 * Returns 0 and sets *rootp to the root, which the caller frees with
 * pc_yaml_free (NULL for an input with no document); POLYCHAT_ECONFIG after
 * adding one "file:line:col: message" entry to `diag`; POLYCHAT_ENOMEM
 * (nothing added); POLYCHAT_EINVAL for a NULL argument that may not be.
 * *rootp is set only on success.
 */
int pc_yaml_parse(const char *file, const char *text, size_t len,
	struct pc_diag *diag, struct pc_yaml_node **rootp);

/* Free a tree from pc_yaml_parse, or any subtree no longer linked to one.
 * Accepts NULL. */
void pc_yaml_free(struct pc_yaml_node *node);

/*
 * Copy `s` into `buf` (of `size` bytes, which should be PC_YAML_QUOTE_SIZE)
 * as a message quotes input: at most PC_YAML_QUOTE_MAX bytes, control
 * characters replaced by '?', a longer text ending in "...". Returns `buf`.
 */
const char *pc_yaml_quote(const char *s, char *buf, size_t size);

/*
 * What `node` is, for "expected X, got Y": "a mapping", "a sequence", "an
 * empty value" (static strings), or the scalar quoted, written into `buf`
 * (of `size` bytes, which should be PC_YAML_DESCRIBE_SIZE). Returns one of
 * these strings.
 */
const char *pc_yaml_describe(const struct pc_yaml_node *node, char *buf,
	size_t size);

/* Whether mapping `map` has a scalar key equal to `key`, whatever its value
 * (also when the value is null). */
int pc_yaml_has_key(const struct pc_yaml_node *map, const char *key);

#endif /* PC_YAML_TREE_H */
