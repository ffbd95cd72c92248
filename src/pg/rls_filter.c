/*
 * rls_filter.c — the SQL filter a protected table's rows must pass.
 *
 * Without a session principal nothing is visible: the filter is `false`.
 * Otherwise the filter decides each row as authz_check would, given the
 * row as the resource: its columns (or the expressions `columns` maps
 * attributes to) are the attributes, a NULL column is an absent one, and
 * the `id` column, when there is one, is the resource id.
 *
 * The filter is the query plan of the principal for the table's kind and
 * the command's action, translated to SQL over the table's columns with
 * their catalog types (src/plansql/): `owner = 'alice'`, which an index
 * can serve.  Parts SQL cannot say exactly are evaluated per row by
 * authz_filter_cel.  Should planning or translation fail, the filter is
 * authz_check on the whole row: slower, never wrong.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "cel_jsonb.h"
#include "engine/engine.h"
#define PLANSQL_NO_JANSSON
#include "plansql/plansql.h"
#include "plansql/plan_sql.h"
#include "sql_filter.h"

/* Appends the jsonb object of the row's attributes, as SQL. */
static void
append_row_attributes(StringInfo sql, Relation rel, const AuthzProtection *p)
{
	const char *alias = quote_identifier(RelationGetRelationName(rel));

	appendStringInfo(sql, "pg_catalog.jsonb_strip_nulls(pg_catalog.to_jsonb(%s.*)", alias);
	if (p->columns != NULL)
	{
		JsonbIterator *it = JsonbIteratorInit(&p->columns->root);
		JsonbValue	v;
		JsonbIteratorToken tok;
		char	   *key = NULL;
		bool		first = true;

		appendStringInfoString(sql, " || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(");
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
				key = pnstrdup(v.val.string.val, v.val.string.len);
			else if (tok == WJB_VALUE && key != NULL && v.type == jbvString)
			{
				char	   *column = pnstrdup(v.val.string.val, v.val.string.len);

				appendStringInfo(sql, "%s%s, %s.%s", first ? "" : ", ",
								 quote_literal_cstr(key), alias, quote_identifier(column));
				first = false;
				key = NULL;
			}
		}
		appendStringInfoString(sql, "))");
	}
	appendStringInfoChar(sql, ')');
}

/* The per-row filter: authz_check on the row, for the session principal. */
static char *
per_row_filter(Relation rel, const AuthzProtection *p)
{
	StringInfoData sql;
	Oid			schema = authz_extension_namespace();
	const char *nsp = quote_identifier(get_namespace_name(schema));
	bool		has_id = get_attnum(RelationGetRelid(rel), "id") != InvalidAttrNumber;

	initStringInfo(&sql);
	appendStringInfo(&sql, "%s.authz_check(pg_catalog.jsonb_build_object('kind', %s, 'id', ",
					 nsp, quote_literal_cstr(p->kind));
	if (has_id)
		appendStringInfo(&sql, "COALESCE(%s.id::text, '')", quote_identifier(RelationGetRelationName(rel)));
	else
		appendStringInfoString(&sql, "''");
	appendStringInfoString(&sql, ", 'attr', ");
	append_row_attributes(&sql, rel, p);
	appendStringInfo(&sql, "), %s)", quote_literal_cstr(p->action));
	return sql.data;
}

/* The row filter from the query planner, or NULL when it cannot be built. */
static char *
planned_filter(Relation rel, const AuthzProtection *p, Jsonb *principal, bool *now_dependent)
{
	Arena	   *arena = arena_create_in(CurrentMemoryContext, 0);
	EnginePrincipal decoded;
	EngineCheckOptions opts;
	Jsonb	   *claims = authz_current_jwt_claims();
	CelValue	claims_value;
	Oid			relid = RelationGetRelid(rel);
	PlanSqlColumns catalog = {0};
	PlanSqlStats stats = {0};
	const char *error = NULL;
	char	   *columns = NULL;
	char	   *sql;

	authz_decode_principal(arena, principal, &decoded);
	authz_engine_options(&opts);
	if (claims != NULL)
	{
		claims_value = authz_jsonb_to_cel(arena, claims);
		opts.aux_jwt = &claims_value;
	}
	catalog.resolve = authz_resolve_catalog_column;
	catalog.state = &relid;
	catalog.fallback_function = authz_filter_cel_name();
	/* strict evaluation: the plan may end in authz_check on the row */
	catalog.row_check_sql = per_row_filter(rel, p);
	if (p->columns != NULL)
		columns = JsonbToCString(NULL, &p->columns->root, VARSIZE(p->columns));
	sql = plansql_principal_filter(authz_engine_acquire(), arena, &decoded, p->kind, p->action,
								   &opts, columns, &catalog, &stats, now_dependent, &error);
	/* copy out what points into the set before releasing it */
	if (sql != NULL)
		sql = pstrdup(sql);
	if (error != NULL)
		error = pstrdup(error);
	authz_engine_release();
	if (sql == NULL)
	{
		ereport(DEBUG1,
				(errmsg("authz: falling back to a per-row check on \"%s\": %s",
						RelationGetRelationName(rel), error ? error : "unknown error")));
		return NULL;
	}
	return sql;
}

/*
 * The filter for one command on a protected table, as SQL text.
 * *now_dependent: it holds at this instant only (the policies read now()).
 */
char *
authz_rls_filter_sql(Relation rel, const AuthzProtection *p, bool *now_dependent)
{
	Jsonb	   *principal = authz_current_principal();
	char	   *sql;

	Jsonb	   *claims;
	uint64		epoch;

	*now_dependent = false;
	if (p->action == NULL || principal == NULL)
		return pstrdup("false");
	claims = authz_current_jwt_claims();
	(void) authz_engine_acquire();	/* taken up first if the policies moved */
	epoch = authz_current_engine_epoch();
	authz_engine_release();
	sql = authz_filter_cache_get(rel, p, principal, claims, epoch);
	if (sql != NULL)
		return sql;
	sql = planned_filter(rel, p, principal, now_dependent);
	if (sql == NULL)
		return per_row_filter(rel, p);
	if (!*now_dependent)
		authz_filter_cache_put(rel, p, principal, claims, epoch, sql);
	return sql;
}
