/*
 * arena.h — bump allocation for the pure-C core.
 *
 * The core (cel/, policy/, compiler/, engine/, session/) never calls malloc
 * or palloc directly: everything it allocates for one job (a parse, a
 * compilation, a request) comes from one Arena and is released at once.
 * The arena gets its blocks from a pluggable allocator, so the PostgreSQL
 * layer can back it with palloc in a memory context (freed by the context
 * even when an ERROR unwinds) while unit tests and fuzzers use malloc.
 *
 * An allocation that cannot be satisfied (allocator failure or the arena's
 * byte limit) returns NULL and sets arena->failed; callers turn that into
 * an error value.  Nothing in the core aborts on out-of-memory.
 */
#ifndef AUTHZ_ARENA_H
#define AUTHZ_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ArenaAllocator
{
	void	   *(*alloc) (void *state, size_t size);
	void		(*release) (void *state, void *block);	/* may be NULL */
	void	   *state;
} ArenaAllocator;

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena
{
	ArenaBlock *blocks;			/* newest first */
	char	   *cursor;			/* next free byte in blocks */
	char	   *limit;			/* end of blocks' usable space */
	size_t		block_size;		/* size of the next ordinary block */
	size_t		total;			/* bytes obtained from the allocator */
	size_t		max_total;		/* 0 = unlimited */
	bool		failed;			/* an allocation failed */
	ArenaAllocator allocator;
} Arena;

/* A malloc-backed allocator, for unit tests, fuzzers and tools. */
extern const ArenaAllocator arena_malloc_allocator;

/* Creates an arena; allocator NULL means malloc.  max_total 0 = unlimited. */
extern Arena *arena_create(const ArenaAllocator *allocator, size_t max_total);

/* Releases every block (and the arena itself). */
extern void arena_destroy(Arena *arena);

/* Forgets all allocations but keeps the first block for reuse. */
extern void arena_reset(Arena *arena);

/* Aligned (8-byte) allocation; NULL on failure. Memory is not zeroed. */
extern void *arena_alloc(Arena *arena, size_t size);

/* Zeroed allocation. */
extern void *arena_alloc0(Arena *arena, size_t size);

/* Copy of s[0..len) with a terminating NUL. */
extern char *arena_strndup(Arena *arena, const char *s, size_t len);
extern char *arena_strdup(Arena *arena, const char *s);

/* printf into the arena. */
extern char *arena_printf(Arena *arena, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/* Grows an array allocated in the arena (old contents copied). */
extern void *arena_realloc(Arena *arena, void *old, size_t old_size,
						   size_t new_size);

/*
 * Valgrind builds (AUTHZ_VALGRIND): forgets the arena's memcheck marks, for
 * an allocator about to free its blocks without arena_destroy (a memory
 * context being reset).  The arena must not be used afterwards.  Does
 * nothing in other builds.
 */
extern void arena_valgrind_disown(Arena *arena);

#endif							/* AUTHZ_ARENA_H */
