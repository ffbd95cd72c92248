/*
 * arena.c — bump allocator over blocks obtained from a pluggable allocator.
 *
 * Built with -DAUTHZ_VALGRIND, every arena is also a memcheck memory pool
 * (tools/test_valgrind): a block's free space is no-access, each
 * allocation is an undefined chunk followed by a no-access redzone of at
 * least ARENA_REDZONE bytes, and a chunk an arena_realloc moved away from
 * is freed.  So reading past an allocation, reading what was never
 * written, and using an array after it grew are reported where they
 * happen, although the blocks themselves come from one malloc or palloc.
 * Blocks go back to their allocator unmarked (undefined), because the
 * allocator hands them out again to code that knows nothing of the marks.
 * Outside valgrind the client requests cost a few instructions each;
 * without the flag they compile to nothing.
 */
#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef AUTHZ_VALGRIND
#include <valgrind/memcheck.h>
#define ARENA_REDZONE 8
#else
#define ARENA_REDZONE 0
#define VALGRIND_CREATE_MEMPOOL(pool, rz, zeroed) ((void) 0)
#define VALGRIND_DESTROY_MEMPOOL(pool) ((void) 0)
#define VALGRIND_MEMPOOL_ALLOC(pool, addr, size) ((void) 0)
#define VALGRIND_MEMPOOL_FREE(pool, addr) ((void) 0)
#define VALGRIND_MAKE_MEM_NOACCESS(addr, size) ((void) 0)
#define VALGRIND_MAKE_MEM_UNDEFINED(addr, size) ((void) 0)
#endif

#define ARENA_ALIGN 8
#define ARENA_FIRST_BLOCK 4096
#define ARENA_MAX_BLOCK (1024 * 1024)

struct ArenaBlock
{
	ArenaBlock *next;
	size_t		size;			/* usable bytes after the header */
	/* data follows, 8-byte aligned */
};

#define BLOCK_HEADER (((sizeof(ArenaBlock) + ARENA_ALIGN - 1) / ARENA_ALIGN) * ARENA_ALIGN)

/* Unmarks a block's usable space before it leaves the arena (valgrind builds). */
static inline void
block_unmark(ArenaBlock *b)
{
	VALGRIND_MAKE_MEM_UNDEFINED((char *) b + BLOCK_HEADER, b->size);
}

static void *
malloc_alloc(void *state, size_t size)
{
	(void) state;
	return malloc(size);
}

static void
malloc_release(void *state, void *block)
{
	(void) state;
	free(block);
}

const ArenaAllocator arena_malloc_allocator = {malloc_alloc, malloc_release, NULL};

Arena *
arena_create(const ArenaAllocator *allocator, size_t max_total)
{
	const ArenaAllocator *a = allocator ? allocator : &arena_malloc_allocator;
	Arena	   *arena = a->alloc(a->state, sizeof(Arena));

	if (arena == NULL)
		return NULL;
	memset(arena, 0, sizeof(Arena));
	arena->allocator = *a;
	arena->block_size = ARENA_FIRST_BLOCK;
	arena->max_total = max_total;
	VALGRIND_CREATE_MEMPOOL(arena, 0, 0);
	return arena;
}

void
arena_destroy(Arena *arena)
{
	ArenaBlock *b;
	ArenaAllocator a;

	if (arena == NULL)
		return;
	a = arena->allocator;
	b = arena->blocks;
	VALGRIND_DESTROY_MEMPOOL(arena);
	while (b != NULL)
	{
		ArenaBlock *next = b->next;

		block_unmark(b);
		if (a.release)
			a.release(a.state, b);
		b = next;
	}
	if (a.release)
		a.release(a.state, arena);
}

void
arena_reset(Arena *arena)
{
	ArenaBlock *b = arena->blocks;
	ArenaBlock *last = NULL;

	/* keep the oldest block (the last in the list), release the rest */
	VALGRIND_DESTROY_MEMPOOL(arena);
	while (b != NULL)
	{
		ArenaBlock *next = b->next;

		block_unmark(b);
		if (next == NULL)
			last = b;
		else if (arena->allocator.release)
			arena->allocator.release(arena->allocator.state, b);
		b = next;
	}
	VALGRIND_CREATE_MEMPOOL(arena, 0, 0);
	if (last)
		VALGRIND_MAKE_MEM_NOACCESS((char *) last + BLOCK_HEADER, last->size);
	arena->blocks = last;
	arena->failed = false;
	if (last)
	{
		last->next = NULL;
		arena->cursor = (char *) last + BLOCK_HEADER;
		arena->limit = arena->cursor + last->size;
		arena->total = last->size + BLOCK_HEADER;
	}
	else
	{
		arena->cursor = arena->limit = NULL;
		arena->total = 0;
	}
	arena->block_size = ARENA_FIRST_BLOCK;
}

static bool
arena_new_block(Arena *arena, size_t need)
{
	size_t		size = arena->block_size;
	ArenaBlock *b;

	if (size < need)
		size = need;
	if (arena->max_total && arena->total + size + BLOCK_HEADER > arena->max_total)
	{
		arena->failed = true;
		return false;
	}
	b = arena->allocator.alloc(arena->allocator.state, size + BLOCK_HEADER);
	if (b == NULL)
	{
		arena->failed = true;
		return false;
	}
	b->size = size;
	b->next = arena->blocks;
	arena->blocks = b;
	arena->cursor = (char *) b + BLOCK_HEADER;
	arena->limit = arena->cursor + size;
	arena->total += size + BLOCK_HEADER;
	VALGRIND_MAKE_MEM_NOACCESS(arena->cursor, size);
	if (arena->block_size < ARENA_MAX_BLOCK)
		arena->block_size *= 2;
	return true;
}

void *
arena_alloc(Arena *arena, size_t size)
{
	void	   *p;
	size_t		requested = size;

	if (size > SIZE_MAX / 2)
	{
		arena->failed = true;
		return NULL;
	}
	size = (size + ARENA_REDZONE + ARENA_ALIGN - 1) & ~((size_t) ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	if (arena->cursor == NULL || (size_t) (arena->limit - arena->cursor) < size)
	{
		if (!arena_new_block(arena, size))
			return NULL;
	}
	p = arena->cursor;
	arena->cursor += size;
	VALGRIND_MEMPOOL_ALLOC(arena, p, requested);
	(void) requested;
	return p;
}

void *
arena_alloc0(Arena *arena, size_t size)
{
	void	   *p = arena_alloc(arena, size);

	if (p)
		memset(p, 0, size);
	return p;
}

char *
arena_strndup(Arena *arena, const char *s, size_t len)
{
	char	   *p = arena_alloc(arena, len + 1);

	if (p == NULL)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(Arena *arena, const char *s)
{
	return arena_strndup(arena, s, strlen(s));
}

char *
arena_printf(Arena *arena, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = arena_alloc(arena, (size_t) n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *
arena_realloc(Arena *arena, void *old, size_t old_size, size_t new_size)
{
	void	   *p;

	if (new_size <= old_size)
		return old;
	p = arena_alloc(arena, new_size);
	if (p && old && old_size)
		memcpy(p, old, old_size);
	/* the old copy is dead: valgrind builds report a later use of it */
	if (p && old)
		VALGRIND_MEMPOOL_FREE(arena, old);
	return p;
}

void
arena_valgrind_disown(Arena *arena)
{
	ArenaBlock *b;

	VALGRIND_DESTROY_MEMPOOL(arena);
	for (b = arena->blocks; b != NULL; b = b->next)
		block_unmark(b);
}
