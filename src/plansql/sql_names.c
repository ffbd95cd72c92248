/*
 * sql_names.c — filter variables as SQL values, and the per-row fallback.
 *
 * A resource attribute becomes its column (or the caller's expression)
 * read as the CEL value the row's resource would hold: text, numeric and
 * boolean columns as themselves, arrays as arrays, jsonb as jsonb, a
 * timestamptz as the string to_jsonb() prints (its value as a JSON
 * attribute), anything else through to_jsonb().  Lambda variables are
 * jsonb elements of the comprehension's range.
 *
 * A subtree SQL cannot express exactly, and that uses no lambda variable
 * bound outside it, becomes authz_filter_cel(cel, attrs[, id]): its CEL
 * text evaluated per row, attrs holding exactly the row's non-NULL
 * columns the subtree reads.
 */
#include "sql_int.h"

#include <string.h>

/* The caller's column for an attribute (defaults when it has none). */
static PlanSqlColumn
column_of(SCtx *c, PlanSqlField field, const char *name)
{
	PlanSqlColumn col;

	memset(&col, 0, sizeof(col));
	if (c->columns == NULL || c->columns->resolve == NULL ||
		!c->columns->resolve(c->columns->state, field, name, &col))
	{
		memset(&col, 0, sizeof(col));
		col.type = field == PLANSQL_FIELD_ID ? PLANSQL_TEXT : PLANSQL_UNKNOWN;
	}
	if (col.column == NULL && col.sql == NULL)
		col.column = name;
	return col;
}

/* The SQL text that reads a column. */
static char *
column_sql(SCtx *c, const PlanSqlColumn *col)
{
	if (col->sql != NULL)
		return arena_printf(c->arena, "(%s)", col->sql);
	return plansql_quote_ident(c->arena, col->column);
}

/* Appends ->'segment' steps for each dotted part of path to a jsonb value. */
static char *
json_path(SCtx *c, const char *base, const char *path)
{
	char	   *out = (char *) base;

	while (path != NULL && *path)
	{
		const char *dot = strchr(path, '.');
		size_t		len = dot ? (size_t) (dot - path) : strlen(path);
		char	   *key = plansql_quote_literal(c->arena, path, len);

		if (key == NULL)
			return NULL;
		out = arena_printf(c->arena, "(%s -> %s)", out, key);
		path = dot ? dot + 1 : NULL;
	}
	return out;
}

/* A resource attribute (or R.id) as an SExpr. */
static bool
resource_value(SCtx *c, PlanSqlField field, const char *name, const char *path, SExpr *out)
{
	PlanSqlColumn col = column_of(c, field, name);
	char	   *sql = column_sql(c, &col);

	memset(out, 0, sizeof(*out));
	if (sql == NULL)
		return false;
	if (field == PLANSQL_FIELD_ID)
	{
		/* a message field: never absent, "" when unset */
		out->kind = SK_TEXT;
		if (col.type != PLANSQL_TEXT)
			sql = arena_printf(c->arena, "(%s)::text", sql);
		out->sql = col.not_null ? sql : arena_printf(c->arena, "COALESCE(%s, '')", sql);
		out->not_null = true;
		return out->sql != NULL;
	}
	switch (col.type)
	{
		case PLANSQL_TEXT:
			out->kind = SK_TEXT;
			break;
		case PLANSQL_NUMERIC:
			out->kind = SK_NUM;
			break;
		case PLANSQL_BOOLEAN:
			out->kind = SK_BOOL;
			break;
		case PLANSQL_TIMESTAMPTZ:
			out->kind = SK_TEXT;
			out->ts_column = sql;
			sql = arena_printf(c->arena, "(to_jsonb(%s) #>> '{}')", sql);
			break;
		case PLANSQL_TEXT_ARRAY:
			out->kind = SK_ARRAY;
			out->elem = SK_TEXT;
			break;
		case PLANSQL_NUMERIC_ARRAY:
			out->kind = SK_ARRAY;
			out->elem = SK_NUM;
			break;
		case PLANSQL_BOOLEAN_ARRAY:
			out->kind = SK_ARRAY;
			out->elem = SK_BOOL;
			break;
		case PLANSQL_JSONB:
			out->kind = SK_JSONB;
			break;
		case PLANSQL_UNKNOWN:
			out->kind = SK_JSONB;
			sql = arena_printf(c->arena, "to_jsonb(%s)", sql);
			break;
	}
	out->not_null = col.not_null && col.type != PLANSQL_JSONB && col.type != PLANSQL_UNKNOWN;
	if (path != NULL)
	{
		if (out->kind == SK_ARRAY)
			sql = arena_printf(c->arena, "to_jsonb(%s)", sql);
		else if (out->kind != SK_JSONB)
			sql = "NULL::jsonb";	/* selecting a field of a scalar: an error */
		out->kind = SK_JSONB;
		out->not_null = false;
		out->ts_column = NULL;
		sql = json_path(c, sql, path);
	}
	out->sql = sql;
	return sql != NULL;
}

/* A variable as an SExpr: a lambda variable in scope, or the resource's. */
bool
sql_variable(SCtx *c, const char *var, const SScope *scope, SExpr *out)
{
	const char *dot = strchr(var, '.');
	size_t		len = dot ? (size_t) (dot - var) : strlen(var);
	const SScope *s;
	PlanSqlField field;
	const char *name;
	const char *path;

	for (s = scope; s; s = s->next)
		if (strlen(s->name) == len && strncmp(s->name, var, len) == 0)
		{
			*out = s->value;
			if (dot != NULL)
			{
				out->sql = json_path(c, s->value.sql, dot + 1);
				out->not_null = false;
			}
			return out->sql != NULL;
		}
	if (plansql_resource_var(c->arena, var, &field, &name, &path))
		return resource_value(c, field, name, path, out);
	if (c->error == NULL)
		c->error = arena_printf(c->arena, "unknown variable \"%s\" in the filter", var);
	return false;
}

/* ---------- the fallback ---------- */

#define MAX_BOUND 64

/* Whether a subtree uses a variable that is neither the resource's nor
 * bound by a comprehension inside it. */
static bool
has_free_vars(SCtx *c, const json_t *j, const char **bound, int nbound, int depth)
{
	FNode		n;
	size_t		i;

	if (depth > PLANSQL_MAX_DEPTH || !fnode_read(j, &n))
		return true;
	if (n.kind == FN_VALUE)
		return false;
	if (n.kind == FN_VAR)
	{
		const char *dot = strchr(n.var, '.');
		size_t		len = dot ? (size_t) (dot - n.var) : strlen(n.var);
		PlanSqlField f;
		const char *name,
				   *path;
		int			k;

		for (k = 0; k < nbound; k++)
			if (strlen(bound[k]) == len && strncmp(bound[k], n.var, len) == 0)
				return false;
		return !plansql_resource_var(c->arena, n.var, &f, &name, &path);
	}
	if (strcmp(n.op, "lambda") == 0)
	{
		const char *inner[MAX_BOUND];
		int			m = nbound;
		FNode		v;

		if (nbound + 2 >= MAX_BOUND)
			return true;
		if (nbound > 0)
			memcpy(inner, bound, sizeof(char *) * nbound);
		/* trailing plain variables are the lambda's parameters */
		for (i = 1; i < n.noperands; i++)
			if (fnode_read(fnode_arg(&n, i), &v) && v.kind == FN_VAR &&
				plansql_is_ident(v.var, strlen(v.var)) && m < MAX_BOUND)
				inner[m++] = v.var;
		for (i = 0; i < n.noperands; i++)
			if (has_free_vars(c, fnode_arg(&n, i), inner, m, depth + 1))
				return true;
		return false;
	}
	if (strcmp(n.op, "get-field") == 0)
		return n.noperands < 1 || has_free_vars(c, fnode_arg(&n, 0), bound, nbound, depth + 1);
	for (i = 0; i < n.noperands; i++)
		if (has_free_vars(c, fnode_arg(&n, i), bound, nbound, depth + 1))
			return true;
	return false;
}

typedef struct Used
{
	const char *names[128];
	int			count;
	bool		id;
	bool		overflow;
} Used;

/* Collects the resource attributes a subtree reads. */
static void
collect_attrs(SCtx *c, const json_t *j, Used *u, int depth)
{
	FNode		n;
	size_t		i;

	if (depth > PLANSQL_MAX_DEPTH || !fnode_read(j, &n))
		return;
	if (n.kind == FN_VAR)
	{
		PlanSqlField f;
		const char *name,
				   *path;
		int			k;

		if (!plansql_resource_var(c->arena, n.var, &f, &name, &path))
			return;
		if (f == PLANSQL_FIELD_ID)
		{
			u->id = true;
			return;
		}
		for (k = 0; k < u->count; k++)
			if (strcmp(u->names[k], name) == 0)
				return;
		if (u->count == (int) (sizeof(u->names) / sizeof(u->names[0])))
			u->overflow = true;
		else
			u->names[u->count++] = name;
		return;
	}
	if (n.kind == FN_EXPR)
		for (i = 0; i < n.noperands; i++)
			collect_attrs(c, fnode_arg(&n, i), u, depth + 1);
}

/*
 * The subtree evaluated per row by the CEL engine, or NULL when it reads a
 * lambda variable bound outside it (the caller's enclosing subtree falls
 * back instead).
 */
char *
sql_fallback(SCtx *c, const json_t *node)
{
	const char *error = NULL;
	char	   *cel;
	char	   *cel_lit;
	char	   *attrs;
	Used		u;
	int			i;
	const char *fn = c->columns && c->columns->fallback_function ?
		c->columns->fallback_function : "authz_filter_cel";

	if (c->error != NULL || has_free_vars(c, node, NULL, 0, 0))
		return NULL;
	cel = filter_operand_to_cel(c->arena, node, &error);
	if (cel == NULL)
	{
		if (c->error == NULL)
			c->error = error;
		return NULL;
	}
	cel_lit = plansql_quote_literal(c->arena, cel, strlen(cel));
	memset(&u, 0, sizeof(u));
	collect_attrs(c, node, &u, 0);
	if (u.overflow || cel_lit == NULL)
	{
		c->error = "the filter reads too many attributes";
		return NULL;
	}
	attrs = "'{}'::jsonb";
	for (i = 0; i < u.count; i++)
	{
		PlanSqlColumn col = column_of(c, PLANSQL_FIELD_ATTR, u.names[i]);
		char	   *sql = column_sql(c, &col);
		char	   *key = plansql_quote_literal(c->arena, u.names[i], strlen(u.names[i]));
		char	   *one;

		if (sql == NULL || key == NULL)
			return NULL;
		one = arena_printf(c->arena, "CASE WHEN %s IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(%s, %s) END",
						   sql, key, sql);
		attrs = i == 0 ? one : arena_printf(c->arena, "%s || %s", attrs, one);
	}
	if (u.count > 1)
		attrs = arena_printf(c->arena, "(%s)", attrs);
	if (c->stats)
		c->stats->fallbacks++;
	if (u.id)
	{
		SExpr		id;

		if (!resource_value(c, PLANSQL_FIELD_ID, "id", NULL, &id))
			return NULL;
		return arena_printf(c->arena, "%s(%s, %s, %s)", fn, cel_lit, attrs, id.sql);
	}
	return arena_printf(c->arena, "%s(%s, %s)", fn, cel_lit, attrs);
}
