/*
 * rls_filter_cache.c — the last row filters this backend built.
 *
 * An application runs the same few queries for the same user again and
 * again, each one rewritten anew (the simple protocol caches nothing), and
 * planning the policies is most of what a filter costs.  So the SQL text
 * of recent filters is kept, keyed by everything it was made from: the
 * table, the action, the authz_protected row's version, the principal and
 * token claims (byte for byte), and the build of the compiled policy set
 * (a new generation or new engine settings make a new build).  A change to the table (ALTER TABLE: column types shape the
 * SQL) drops its entries through a relcache callback.  Filters that read
 * now() are never kept (rls_filter.c does not offer them).
 */
#include "postgres.h"

#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "authz_pg.h"

#define FILTER_CACHE_SIZE 16

typedef struct FilterCacheEntry
{
	Oid			relid;			/* InvalidOid: empty */
	TransactionId version;
	uint64		engine_epoch;
	char	   *action;
	Jsonb	   *principal;
	Jsonb	   *claims;			/* NULL when there were none */
	char	   *sql;
} FilterCacheEntry;

static FilterCacheEntry filter_cache[FILTER_CACHE_SIZE];
static int	filter_cache_next = 0;
static MemoryContext filter_cache_context = NULL;

static void
free_entry(FilterCacheEntry *e)
{
	if (e->relid == InvalidOid)
		return;
	pfree(e->action);
	pfree(e->principal);
	if (e->claims)
		pfree(e->claims);
	pfree(e->sql);
	memset(e, 0, sizeof(*e));
}

static void
forget_relation(Datum arg, Oid relid)
{
	for (int i = 0; i < FILTER_CACHE_SIZE; i++)
		if (relid == InvalidOid || filter_cache[i].relid == relid)
			free_entry(&filter_cache[i]);
}

/* The cached filter for these inputs (palloc'd copy), or NULL. */
char *
authz_filter_cache_get(Relation rel, const AuthzProtection *p, Jsonb *principal,
					   Jsonb *claims, uint64 engine_epoch)
{
	for (int i = 0; i < FILTER_CACHE_SIZE; i++)
	{
		FilterCacheEntry *e = &filter_cache[i];

		if (e->relid == RelationGetRelid(rel) && e->version == p->version &&
			e->engine_epoch == engine_epoch &&
			strcmp(e->action, p->action) == 0 &&
			authz_same_jsonb(e->principal, principal) && authz_same_jsonb(e->claims, claims))
			return pstrdup(e->sql);
	}
	return NULL;
}

/* Remembers a filter, replacing the oldest entry. */
void
authz_filter_cache_put(Relation rel, const AuthzProtection *p, Jsonb *principal,
					   Jsonb *claims, uint64 engine_epoch, const char *sql)
{
	FilterCacheEntry *e;

	if (filter_cache_context == NULL)
	{
		filter_cache_context = AllocSetContextCreate(TopMemoryContext, "authz row filters",
													 ALLOCSET_SMALL_SIZES);
		CacheRegisterRelcacheCallback(forget_relation, (Datum) 0);
	}
	e = &filter_cache[filter_cache_next];
	filter_cache_next = (filter_cache_next + 1) % FILTER_CACHE_SIZE;
	free_entry(e);
	e->action = MemoryContextStrdup(filter_cache_context, p->action);
	e->principal = authz_copy_jsonb(filter_cache_context, principal);
	e->claims = authz_copy_jsonb(filter_cache_context, claims);
	e->sql = MemoryContextStrdup(filter_cache_context, sql);
	e->version = p->version;
	e->engine_epoch = engine_epoch;
	e->relid = RelationGetRelid(rel);
}
