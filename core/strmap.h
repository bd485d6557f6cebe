/* SPDX-License-Identifier: MIT */
/* A string-keyed hash map of pointers (open addressing), for the router. */
#ifndef PC_STRMAP_H
#define PC_STRMAP_H

#include <stddef.h>

struct pc_strmap_slot {
	char *key;      /* owned; NULL = empty */
	void *value;
	int tombstone;
};

struct pc_strmap {
	struct pc_strmap_slot *slots;
	size_t cap;     /* power of two, or 0 */
	size_t used;    /* live entries */
	size_t filled;  /* live entries + tombstones */
};

/* The value of `key`, or NULL. */
void *pc_strmap_get(const struct pc_strmap *map, const char *key);
/* Insert or replace; the key is copied. Returns 0 or POLYCHAT_ENOMEM. */
int pc_strmap_put(struct pc_strmap *map, const char *key, void *value);
/* Remove `key`; returns its value or NULL. */
void *pc_strmap_remove(struct pc_strmap *map, const char *key);
/* Free the table (not the values). */
void pc_strmap_clear(struct pc_strmap *map);

#endif /* PC_STRMAP_H */
