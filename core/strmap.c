/* SPDX-License-Identifier: MIT */
/* A string-keyed hash map of pointers (open addressing), for the router. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <polychat/status.h>

#include "strmap.h"

/* FNV-1a: short keys, no adversarial worry beyond bounded probing, since the
 * table grows at 50% load. */
static uint64_t hash(const char *key)
{
	uint64_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return h;
}

static struct pc_strmap_slot *find(const struct pc_strmap *map, const char *key)
{
	if (!map->cap)
		return NULL;
	size_t mask = map->cap - 1;
	for (size_t i = hash(key) & mask, n = 0; n < map->cap; i = (i + 1) & mask, n++) {
		struct pc_strmap_slot *slot = &map->slots[i];
		if (!slot->key && !slot->tombstone)
			return NULL;
		if (slot->key && strcmp(slot->key, key) == 0)
			return slot;
	}
	return NULL;
}

static int grow(struct pc_strmap *map)
{
	size_t cap = map->cap ? map->cap * 2 : 16;
	/* Many tombstones and few entries: rehash at the same size. */
	if (map->used * 4 < map->cap)
		cap = map->cap;
	struct pc_strmap_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return POLYCHAT_ENOMEM;
	for (size_t i = 0; i < map->cap; i++) {
		struct pc_strmap_slot *old = &map->slots[i];
		if (!old->key)
			continue;
		size_t j = hash(old->key) & (cap - 1);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j].key = old->key;
		slots[j].value = old->value;
	}
	free(map->slots);
	map->slots = slots;
	map->cap = cap;
	map->filled = map->used;
	return 0;
}

/* pc_strmap_get - see strmap.h. */
void *pc_strmap_get(const struct pc_strmap *map, const char *key)
{
	struct pc_strmap_slot *slot = find(map, key);
	return slot ? slot->value : NULL;
}

/* pc_strmap_put - see strmap.h. */
int pc_strmap_put(struct pc_strmap *map, const char *key, void *value)
{
	struct pc_strmap_slot *slot = find(map, key);
	if (slot) {
		slot->value = value;
		return 0;
	}
	if ((map->filled + 1) * 2 > map->cap && grow(map) != 0)
		return POLYCHAT_ENOMEM;
	char *copy = strdup(key);
	if (!copy)
		return POLYCHAT_ENOMEM;
	size_t mask = map->cap - 1;
	size_t i = hash(key) & mask;
	while (map->slots[i].key)
		i = (i + 1) & mask;
	if (!map->slots[i].tombstone)
		map->filled++;
	map->slots[i] = (struct pc_strmap_slot){ copy, value, 0 };
	map->used++;
	return 0;
}

/* pc_strmap_remove - see strmap.h. */
void *pc_strmap_remove(struct pc_strmap *map, const char *key)
{
	struct pc_strmap_slot *slot = find(map, key);
	if (!slot)
		return NULL;
	void *value = slot->value;
	free(slot->key);
	*slot = (struct pc_strmap_slot){ NULL, NULL, 1 };
	map->used--;
	return value;
}

/* pc_strmap_clear - see strmap.h. */
void pc_strmap_clear(struct pc_strmap *map)
{
	for (size_t i = 0; i < map->cap; i++)
		free(map->slots[i].key);
	free(map->slots);
	memset(map, 0, sizeof(*map));
}
