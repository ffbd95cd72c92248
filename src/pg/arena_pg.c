/*
 * arena_pg.c — core arenas backed by PostgreSQL memory contexts.
 *
 * The core allocates through Arena; here its blocks come from a memory
 * context, so an ERROR that unwinds past a core call frees everything with
 * the context, and a failed allocation is reported to the core as NULL
 * (it then returns an error value) instead of longjmp-ing through it.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "arena_pg.h"

static void *
context_alloc(void *state, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) state, size,
									  MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);
}

static void
context_release(void *state, void *block)
{
	pfree(block);
}

Arena *
arena_create_in(MemoryContext context, size_t max_total)
{
	ArenaAllocator a;
	Arena	   *arena;

	a.alloc = context_alloc;
	a.release = context_release;
	a.state = context;
	arena = arena_create(&a, max_total);
	if (arena == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return arena;
}
