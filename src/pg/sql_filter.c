/*
 * sql_filter.c — Cerbos query-plan filters from SQL.
 *
 *   authz_filter_sql(filter jsonb, columns jsonb)  the filter as a SQL
 *       boolean expression over a table's columns (src/plansql/)
 *   authz_filter_cel_text(filter jsonb)            the filter as CEL text
 *   authz_filter_check(filter jsonb, attr jsonb, id text)  the filter
 *       itself evaluated for one resource (authz.condition included)
 *   authz_filter_cel(expr text, attr jsonb, id text)  one CEL expression
 *       evaluated for one resource: the per-row fallback the SQL uses for
 *       what it cannot express; NULL when the evaluation errs
 *
 * columns is described in src/plansql/columns_json.c.  The core reads the
 * JSON (jansson's json_object clashes with PostgreSQL's headers, so this
 * file passes text).
 *
 * authz_filter_cel keeps the compiled expression in fn_extra (the text is
 * a constant of the query) and evaluates each row in a context reset per
 * call.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "cel_jsonb.h"
#define PLANSQL_NO_JANSSON
#include "plansql/plansql.h"
#include "plansql/plansql_eval.h"
#include "sql_filter.h"

PG_FUNCTION_INFO_V1(authz_filter_sql);
PG_FUNCTION_INFO_V1(authz_filter_cel_text);
PG_FUNCTION_INFO_V1(authz_filter_cel);
PG_FUNCTION_INFO_V1(authz_filter_check);

/* A jsonb argument as JSON text. */
static char *
jsonb_text(Jsonb *j)
{
	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

/* How the translator reads a column of this type. */
PlanSqlType
authz_plansql_type(Oid type)
{
	switch (getBaseType(type))
	{
		case TEXTOID:
		case VARCHAROID:
			return PLANSQL_TEXT;
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
		case FLOAT4OID:
		case FLOAT8OID:
			return PLANSQL_NUMERIC;
		case BOOLOID:
			return PLANSQL_BOOLEAN;
		case TIMESTAMPTZOID:
			return PLANSQL_TIMESTAMPTZ;
		case TEXTARRAYOID:
			return PLANSQL_TEXT_ARRAY;
		case INT2ARRAYOID:
		case INT4ARRAYOID:
		case INT8ARRAYOID:
		case NUMERICARRAYOID:
		case FLOAT4ARRAYOID:
		case FLOAT8ARRAYOID:
			return PLANSQL_NUMERIC_ARRAY;
		case BOOLARRAYOID:
			return PLANSQL_BOOLEAN_ARRAY;
		case JSONBOID:
			return PLANSQL_JSONB;
		default:
			/* char(n) pads, json keeps text: read them as to_jsonb() prints them */
			return PLANSQL_UNKNOWN;
	}
}

/*
 * Resolver over a table's catalog (state: a pointer to its Oid): the column
 * of the same name, typed; authz_protect's filters use it too.
 */
bool
authz_resolve_catalog_column(void *state, PlanSqlField field, const char *name,
							 PlanSqlColumn *out)
{
	Oid			relid = *(Oid *) state;
	HeapTuple	tup;
	Form_pg_attribute att;

	if (!OidIsValid(relid))
		return false;
	tup = SearchSysCacheAttName(relid, name);
	memset(out, 0, sizeof(*out));
	if (!HeapTupleIsValid(tup))
	{
		/* the table has no such column: the attribute is always absent */
		out->sql = "NULL::jsonb";
		out->type = PLANSQL_JSONB;
		return true;
	}
	att = (Form_pg_attribute) GETSTRUCT(tup);
	out->column = name;
	out->type = authz_plansql_type(att->atttypid);
	out->not_null = att->attnotnull;
	ReleaseSysCache(tup);
	return true;
}

/*
 * The SQL condition for a filter over a table (relid may be InvalidOid):
 * columns_json maps attributes first, then the table's catalog types the
 * rest.  fallback_function is the (qualified) name of authz_filter_cel.
 * Raises an ERROR when the filter or columns are invalid.
 */
char *
authz_filter_to_sql(const char *filter_json, const char *columns_json, Oid relid,
					const char *fallback_function, int *fallbacks)
{
	Arena	   *arena = arena_create_in(CurrentMemoryContext, 0);
	PlanSqlColumns catalog;
	PlanSqlStats stats;
	const char *error = NULL;
	char	   *sql;

	memset(&catalog, 0, sizeof(catalog));
	catalog.resolve = authz_resolve_catalog_column;
	catalog.state = &relid;
	catalog.fallback_function = fallback_function;
	sql = plansql_sql_from_text(arena, filter_json, columns_json, &catalog, &stats, &error);
	if (sql == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot translate the filter: %s", error ? error : "unknown error")));
	if (fallbacks)
		*fallbacks = stats.fallbacks;
	return sql;
}

/*
 * authz_filter_cel qualified with the extension's schema, so that filters
 * work whatever the search_path of the query or policy using them.
 */
char *
authz_filter_cel_name(void)
{
	Oid			nsp = authz_extension_namespace();
	char	   *name = OidIsValid(nsp) ? get_namespace_name(nsp) : NULL;

	return name ? quote_qualified_identifier(name, "authz_filter_cel") : "authz_filter_cel";
}

/* authz_filter_sql(filter jsonb, columns jsonb DEFAULT NULL, tbl regclass DEFAULT NULL) RETURNS text */
Datum
authz_filter_sql(PG_FUNCTION_ARGS)
{
	char	   *sql;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	sql = authz_filter_to_sql(jsonb_text(PG_GETARG_JSONB_P(0)),
							  PG_ARGISNULL(1) ? NULL : jsonb_text(PG_GETARG_JSONB_P(1)),
							  PG_NARGS() > 2 && !PG_ARGISNULL(2) ? PG_GETARG_OID(2) : InvalidOid,
							  authz_filter_cel_name(), NULL);
	PG_RETURN_TEXT_P(cstring_to_text(sql));
}

/* authz_filter_cel_text(filter jsonb) RETURNS text */
Datum
authz_filter_cel_text(PG_FUNCTION_ARGS)
{
	Arena	   *arena = arena_create_in(CurrentMemoryContext, 0);
	const char *error = NULL;
	char	   *cel = plansql_cel_from_text(arena, jsonb_text(PG_GETARG_JSONB_P(0)), &error);

	if (cel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot print the filter: %s", error ? error : "unknown error")));
	PG_RETURN_TEXT_P(cstring_to_text(cel));
}

/* The compiled expression of one call site, and a per-row context. */
typedef struct FilterCelCache
{
	char	   *expr;
	PlanSqlCel *compiled;
	MemoryContext row_context;
} FilterCelCache;

static bool
interrupt_requested(void *user)
{
	return InterruptPending;
}

/* The call site's compiled expression, compiled on first use. */
static FilterCelCache *
filter_cel_cache(FunctionCallInfo fcinfo, text *expr)
{
	FilterCelCache *cache = fcinfo->flinfo->fn_extra;
	char	   *s = text_to_cstring(expr);
	MemoryContext old;
	Arena	   *arena;
	const char *error = NULL;

	if (cache != NULL && strcmp(cache->expr, s) == 0)
	{
		pfree(s);
		return cache;
	}
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (cache == NULL)
	{
		cache = palloc0(sizeof(FilterCelCache));
		cache->row_context = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
												   "authz_filter_cel row",
												   ALLOCSET_DEFAULT_SIZES);
		fcinfo->flinfo->fn_extra = cache;
	}
	cache->expr = pstrdup(s);
	arena = arena_create_in(fcinfo->flinfo->fn_mcxt, 0);
	cache->compiled = plansql_cel_compile(arena, cache->expr, &error);
	MemoryContextSwitchTo(old);
	pfree(s);
	if (cache->compiled == NULL)
	{
		fcinfo->flinfo->fn_extra = NULL;
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("invalid CEL expression: %s", error ? error : "unknown error")));
	}
	return cache;
}

/* authz_filter_cel(expr text, attr jsonb, id text DEFAULT NULL) RETURNS boolean */
Datum
authz_filter_cel(PG_FUNCTION_ARGS)
{
	FilterCelCache *cache;
	MemoryContext old;
	Arena	   *arena;
	CelEvalContext ctx;
	CelValue	attr;
	char	   *id = NULL;
	int			r;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	cache = filter_cel_cache(fcinfo, PG_GETARG_TEXT_PP(0));
	MemoryContextReset(cache->row_context);
	old = MemoryContextSwitchTo(cache->row_context);
	arena = arena_create_in(cache->row_context, 0);
	attr = PG_ARGISNULL(1) ? cel_map_from(arena, NULL, NULL, 0)
		: authz_jsonb_to_cel(arena, PG_GETARG_JSONB_P(1));
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		id = text_to_cstring(PG_GETARG_TEXT_PP(2));
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.max_iterations = 1000000;
	ctx.max_string_bytes = 16 * 1024 * 1024;
	ctx.max_list_items = 1000000;
	ctx.regex_match_limit = 1000000;
	ctx.interrupted = interrupt_requested;
	r = plansql_cel_eval(&ctx, cache->compiled, attr, id);
	MemoryContextSwitchTo(old);
	CHECK_FOR_INTERRUPTS();
	if (arena->failed)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory evaluating a filter")));
	if (r < 0)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(r == 1);
}

/* authz_filter_check(filter jsonb, attr jsonb, id text DEFAULT NULL) RETURNS boolean */
Datum
authz_filter_check(PG_FUNCTION_ARGS)
{
	MemoryContext ctxmem = AllocSetContextCreate(CurrentMemoryContext, "authz_filter_check",
												 ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(ctxmem);
	Arena	   *arena = arena_create_in(ctxmem, 0);
	CelEvalContext ctx;
	CelValue	attr;
	const char *error = NULL;
	char	   *filter;
	char	   *id = NULL;
	int			r;

	if (PG_ARGISNULL(0))
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(ctxmem);
		PG_RETURN_NULL();
	}
	filter = jsonb_text(PG_GETARG_JSONB_P(0));
	attr = PG_ARGISNULL(1) ? cel_map_from(arena, NULL, NULL, 0)
		: authz_jsonb_to_cel(arena, PG_GETARG_JSONB_P(1));
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		id = text_to_cstring(PG_GETARG_TEXT_PP(2));
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.max_iterations = 1000000;
	ctx.max_string_bytes = 16 * 1024 * 1024;
	ctx.max_list_items = 1000000;
	ctx.regex_match_limit = 1000000;
	ctx.interrupted = interrupt_requested;
	r = plansql_filter_eval_text(&ctx, filter, attr, id, &error);
	MemoryContextSwitchTo(old);
	if (r == -2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid filter: %s", error ? error : "unknown error")));
	MemoryContextDelete(ctxmem);
	CHECK_FOR_INTERRUPTS();
	if (r < 0)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(r == 1);
}
