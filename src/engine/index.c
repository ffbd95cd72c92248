/*
 * index.c — a string-keyed open-addressing index (key -> array position).
 *
 * The compiled set finds its buckets and policies through these: two flat
 * arrays (keys, values) whose contents are strings and ints, so they can be
 * copied into a shared image as they are.  Sized once, never rehashed.
 */
#include "engine_int.h"

#include <string.h>

/* FNV-1a, enough for policy identities. */
static uint32_t
eindex_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s; s++)
	{
		h ^= (unsigned char) *s;
		h *= 16777619u;
	}
	return h;
}

/* Allocates an index able to hold `capacity` keys. */
bool
eindex_init(Arena *arena, EIndex *ix, int capacity)
{
	int			size = 16;

	while (size < capacity * 2 + 1)
		size *= 2;
	ix->size = size;
	ix->keys = arena_alloc0(arena, sizeof(char *) * size);
	ix->vals = arena_alloc0(arena, sizeof(int) * size);
	return ix->keys != NULL && ix->vals != NULL;
}

/* Inserts key (kept by pointer); false if present already or full. */
bool
eindex_put(EIndex *ix, const char *key, int val)
{
	uint32_t	mask = (uint32_t) ix->size - 1;
	uint32_t	i = eindex_hash(key) & mask;
	int			n;

	for (n = 0; n < ix->size; n++, i = (i + 1) & mask)
	{
		if (ix->keys[i] == NULL)
		{
			ix->keys[i] = key;
			ix->vals[i] = val;
			return true;
		}
		if (strcmp(ix->keys[i], key) == 0)
			return false;
	}
	return false;
}

/* The value stored under key, or -1. */
int
eindex_get(const EIndex *ix, const char *key)
{
	uint32_t	mask;
	uint32_t	i;
	int			n;

	if (ix->size == 0)
		return -1;
	mask = (uint32_t) ix->size - 1;
	i = eindex_hash(key) & mask;
	for (n = 0; n < ix->size; n++, i = (i + 1) & mask)
	{
		if (ix->keys[i] == NULL)
			return -1;
		if (strcmp(ix->keys[i], key) == 0)
			return ix->vals[i];
	}
	return -1;
}
