/*
 * rls_filter.c — the SQL filter a protected table's rows must pass.
 *
 * Without a session principal nothing is visible: the filter is `false`.
 * Otherwise the filter decides each row as authz_check would, given the
 * row as the resource: its columns (or the expressions `columns` maps
 * attributes to) are the attributes, a NULL column is an absent one, and
 * the `id` column, when there is one, is the resource id.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "authz_pg.h"

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

/* The filter for one command on a protected table, as SQL text. */
char *
authz_rls_filter_sql(Relation rel, const AuthzProtection *p)
{
	if (p->action == NULL || authz_current_principal() == NULL)
		return pstrdup("false");
	return per_row_filter(rel, p);
}
