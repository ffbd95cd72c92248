/*
 * arena_pg.h — core arenas backed by PostgreSQL memory contexts.
 */
#ifndef AUTHZ_ARENA_PG_H
#define AUTHZ_ARENA_PG_H

#include "postgres.h"

#include "common/arena.h"

/* An Arena whose blocks are palloc'd in context (freed with it). */
extern Arena *arena_create_in(MemoryContext context, size_t max_total);

#endif							/* AUTHZ_ARENA_PG_H */
