/*
 * columns_json.c — the `columns` argument of authz_filter_sql, and the
 * translators driven by JSON text (so the PostgreSQL layer, whose headers
 * clash with jansson's, never includes jansson).
 *
 * columns maps attribute names to where they live:
 *   {"owner": "owner_id",                                a column
 *    "tags": {"sql": "meta->'tags'", "type": "jsonb"},   an expression
 *    "level": {"column": "lvl", "type": "numeric", "not_null": true}}
 * An attribute it does not name goes to the next resolver (the table's
 * catalog, for authz_protect), else to the column of the same name.
 */
#include "plansql.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The column type a type name stands for; false if unknown. */
bool
plansql_type_named(const char *name, PlanSqlType *out)
{
	static const struct
	{
		const char *name;
		PlanSqlType type;
	}			types[] = {
		{"text", PLANSQL_TEXT}, {"varchar", PLANSQL_TEXT}, {"character varying", PLANSQL_TEXT},
		{"numeric", PLANSQL_NUMERIC}, {"int", PLANSQL_NUMERIC}, {"integer", PLANSQL_NUMERIC},
		{"int2", PLANSQL_NUMERIC}, {"int4", PLANSQL_NUMERIC}, {"int8", PLANSQL_NUMERIC},
		{"smallint", PLANSQL_NUMERIC}, {"bigint", PLANSQL_NUMERIC}, {"real", PLANSQL_NUMERIC},
		{"float4", PLANSQL_NUMERIC}, {"float8", PLANSQL_NUMERIC},
		{"double precision", PLANSQL_NUMERIC},
		{"boolean", PLANSQL_BOOLEAN}, {"bool", PLANSQL_BOOLEAN},
		{"timestamptz", PLANSQL_TIMESTAMPTZ},
		{"timestamp with time zone", PLANSQL_TIMESTAMPTZ},
		{"text[]", PLANSQL_TEXT_ARRAY},
		{"numeric[]", PLANSQL_NUMERIC_ARRAY}, {"int[]", PLANSQL_NUMERIC_ARRAY},
		{"integer[]", PLANSQL_NUMERIC_ARRAY}, {"int4[]", PLANSQL_NUMERIC_ARRAY},
		{"bigint[]", PLANSQL_NUMERIC_ARRAY}, {"int8[]", PLANSQL_NUMERIC_ARRAY},
		{"float8[]", PLANSQL_NUMERIC_ARRAY}, {"double precision[]", PLANSQL_NUMERIC_ARRAY},
		{"boolean[]", PLANSQL_BOOLEAN_ARRAY}, {"bool[]", PLANSQL_BOOLEAN_ARRAY},
		{"jsonb", PLANSQL_JSONB}, {"unknown", PLANSQL_UNKNOWN}, {"json", PLANSQL_UNKNOWN},
		{NULL, PLANSQL_UNKNOWN}
	};
	int			i;

	for (i = 0; types[i].name; i++)
		if (strcasecmp(types[i].name, name) == 0)
		{
			*out = types[i].type;
			return true;
		}
	return false;
}

typedef struct JsonColumns
{
	json_t	   *map;
	const PlanSqlColumns *next;
} JsonColumns;

/* Resolver over a (validated) columns object, then the next resolver. */
static bool
resolve_json(void *state, PlanSqlField field, const char *name, PlanSqlColumn *out)
{
	JsonColumns *jc = state;
	json_t	   *e = jc->map ? json_object_get(jc->map, name) : NULL;
	json_t	   *type;

	if (e == NULL)
		return jc->next && jc->next->resolve &&
			jc->next->resolve(jc->next->state, field, name, out);
	memset(out, 0, sizeof(*out));
	out->type = field == PLANSQL_FIELD_ID ? PLANSQL_TEXT : PLANSQL_UNKNOWN;
	if (json_is_string(e))
	{
		PlanSqlColumn typed;

		out->column = json_string_value(e);
		/* the next resolver may know the renamed column's type */
		if (jc->next && jc->next->resolve &&
			jc->next->resolve(jc->next->state, PLANSQL_FIELD_ATTR, out->column, &typed) &&
			typed.sql == NULL)
		{
			out->type = typed.type;
			out->not_null = typed.not_null;
		}
		return true;
	}
	if (json_is_string(json_object_get(e, "column")))
		out->column = json_string_value(json_object_get(e, "column"));
	if (json_is_string(json_object_get(e, "sql")))
		out->sql = json_string_value(json_object_get(e, "sql"));
	type = json_object_get(e, "type");
	if (json_is_string(type))
		(void) plansql_type_named(json_string_value(type), &out->type);
	out->not_null = json_is_true(json_object_get(e, "not_null"));
	return true;
}

/* Checks a columns object; NULL or an error message. */
static const char *
validate_columns(Arena *arena, json_t *map)
{
	const char *name;
	json_t	   *e;

	if (!json_is_object(map))
		return "columns must be a JSON object mapping attribute names to columns";
	json_object_foreach(map, name, e)
	{
		json_t	   *type = json_object_get(e, "type");
		PlanSqlType t;

		if (json_is_string(e))
			continue;
		if (!json_is_object(e))
			return arena_printf(arena, "columns entry for \"%s\" must be a column name or an object", name);
		if (json_object_get(e, "column") && !json_is_string(json_object_get(e, "column")))
			return arena_printf(arena, "columns entry for \"%s\": column must be a string", name);
		if (json_object_get(e, "sql") && !json_is_string(json_object_get(e, "sql")))
			return arena_printf(arena, "columns entry for \"%s\": sql must be a string", name);
		if (type != NULL && (!json_is_string(type) || !plansql_type_named(json_string_value(type), &t)))
			return arena_printf(arena, "unknown column type for attribute \"%s\" (use text, numeric, boolean, timestamptz, text[], numeric[], boolean[] or jsonb)", name);
	}
	return NULL;
}

/* Parses JSON text; NULL with *error set. */
static json_t *
parse(Arena *arena, const char *text, const char *what, const char **error)
{
	json_error_t jerr;
	json_t	   *j = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);

	if (j == NULL)
		*error = arena_printf(arena, "invalid %s: %s", what, jerr.text);
	return j;
}

/* The SQL of a filter given as JSON text, with columns as JSON text (or NULL). */
char *
plansql_sql_from_text(Arena *arena, const char *filter_json, const char *columns_json,
					  const PlanSqlColumns *next, PlanSqlStats *stats, const char **error)
{
	json_t	   *filter;
	JsonColumns jc;
	PlanSqlColumns columns;
	char	   *sql = NULL;

	*error = NULL;
	memset(&jc, 0, sizeof(jc));
	jc.next = next;
	if ((filter = parse(arena, filter_json, "filter", error)) == NULL)
		return NULL;
	if (columns_json != NULL &&
		((jc.map = parse(arena, columns_json, "columns", error)) == NULL ||
		 (*error = validate_columns(arena, jc.map)) != NULL))
	{
		json_decref(filter);
		json_decref(jc.map);
		return NULL;
	}
	memset(&columns, 0, sizeof(columns));
	columns.resolve = resolve_json;
	columns.state = &jc;
	columns.fallback_function = next ? next->fallback_function : NULL;
	columns.row_check_sql = next ? next->row_check_sql : NULL;
	sql = filter_to_sql(arena, filter, &columns, stats, error);
	json_decref(filter);
	json_decref(jc.map);
	return sql;
}

/* The CEL text of a filter given as JSON text. */
char *
plansql_cel_from_text(Arena *arena, const char *filter_json, const char **error)
{
	json_t	   *filter = parse(arena, filter_json, "filter", error);
	char	   *cel;

	if (filter == NULL)
		return NULL;
	cel = filter_to_cel(arena, filter, error);
	json_decref(filter);
	return cel;
}
