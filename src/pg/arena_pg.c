/*
 * arena_pg.c — core arenas backed by PostgreSQL memory contexts.
 *
 * The core allocates through Arena; here its blocks come from a memory
 * context, so an ERROR that unwinds past a core call frees everything with
 * the context, and a failed allocation is reported to the core as NULL
 * (it then returns an error value) instead of longjmp-ing through it.
 *
 * In valgrind builds (AUTHZ_VALGRIND, see src/common/arena.c) the arena
 * marks its blocks for memcheck; when the context is reset or deleted with
 * the arena still alive (an ERROR unwound past it), a reset callback takes
 * the marks off first, because the context reuses the memory for others.
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

#ifndef AUTHZ_VALGRIND
static void
context_release(void *state, void *block)
{
	pfree(block);
}
#endif

#ifdef AUTHZ_VALGRIND

/* The arena a context holds, until arena_destroy releases it. */
typedef struct ContextArena
{
	MemoryContext context;
	Arena	   *arena;
	MemoryContextCallback reset;
} ContextArena;

static void *
marked_context_alloc(void *state, size_t size)
{
	return context_alloc(((ContextArena *) state)->context, size);
}

static void
marked_context_release(void *state, void *block)
{
	ContextArena *owner = (ContextArena *) state;

	/* arena_destroy releases the Arena itself last */
	if (block == owner->arena)
		owner->arena = NULL;
	pfree(block);
}

/* The context is going away under a live arena: unmark its blocks. */
static void
context_arena_reset(void *arg)
{
	ContextArena *owner = (ContextArena *) arg;

	if (owner->arena)
		arena_valgrind_disown(owner->arena);
	owner->arena = NULL;
}

#endif

Arena *
arena_create_in(MemoryContext context, size_t max_total)
{
	ArenaAllocator a;
	Arena	   *arena;

#ifdef AUTHZ_VALGRIND
	ContextArena *owner = MemoryContextAllocZero(context, sizeof(ContextArena));

	owner->context = context;
	a.alloc = marked_context_alloc;
	a.release = marked_context_release;
	a.state = owner;
#else
	a.alloc = context_alloc;
	a.release = context_release;
	a.state = context;
#endif
	arena = arena_create(&a, max_total);
	if (arena == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
#ifdef AUTHZ_VALGRIND
	owner->arena = arena;
	owner->reset.func = context_arena_reset;
	owner->reset.arg = owner;
	MemoryContextRegisterResetCallback(context, &owner->reset);
#endif
	return arena;
}
