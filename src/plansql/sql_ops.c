/*
 * sql_ops.c — CEL comparisons, membership and functions as SQL over
 * translated operands.
 *
 * Each function returns SQL that is NULL exactly when CEL would give an
 * error, or NULL (the C pointer) when it cannot say it exactly; the caller
 * then falls back to the CEL engine for that subtree.
 *
 * Equality keeps the column bare on one side (col = 'lit', col IN (...))
 * so that PostgreSQL can use a btree index.  CEL's equality between values
 * of different types is false, not an error, so a mismatched literal
 * yields false for a present attribute.  Strings order by code point:
 * COLLATE "C" (UTF-8 byte order is code point order).
 */
#include "sql_int.h"

#include <string.h>

/* then_sql when a is present, else NULL (a's error). */
char *
sql_if_present(SCtx *c, const SExpr *a, const char *then_sql)
{
	if (a->not_null || a->kind == SK_LIT)
		return arena_strdup(c->arena, then_sql);
	return arena_printf(c->arena, "CASE WHEN %s IS NULL THEN NULL ELSE %s END", a->sql, then_sql);
}

/* then_sql when both are present, else NULL. */
static char *
if_both_present(SCtx *c, const SExpr *a, const SExpr *b, const char *then_sql)
{
	if (a->not_null || a->kind == SK_LIT)
		return sql_if_present(c, b, then_sql);
	if (b->not_null || b->kind == SK_LIT)
		return sql_if_present(c, a, then_sql);
	return arena_printf(c->arena, "CASE WHEN %s IS NULL OR %s IS NULL THEN NULL ELSE %s END",
						a->sql, b->sql, then_sql);
}

/* A string operand as SQL text (NULL::text when it is not a string). */
char *
sql_as_text(SCtx *c, const SExpr *a)
{
	switch (a->kind)
	{
		case SK_TEXT:
			return (char *) a->sql;
		case SK_JSONB:
			return arena_printf(c->arena, "CASE WHEN jsonb_typeof(%s) = 'string' THEN %s #>> '{}' END",
								a->sql, a->sql);
		case SK_LIT:
			if (json_is_string(a->lit))
				return plansql_quote_literal(c->arena, json_string_value(a->lit),
											 json_string_length(a->lit));
			return "NULL::text";
		default:
			return "NULL::text";
	}
}

/* Any operand as jsonb (the JSON its CEL value would be). */
char *
sql_as_jsonb(SCtx *c, const SExpr *a)
{
	switch (a->kind)
	{
		case SK_JSONB:
			return (char *) a->sql;
		case SK_LIT:
			return sql_jsonb_literal(c->arena, a->lit);
		case SK_TS:
			return NULL;
		default:
			return arena_printf(c->arena, "to_jsonb(%s)", a->sql);
	}
}

/* A condition operand as SQL boolean (NULL when it is not a bool). */
char *
sql_as_bool(SCtx *c, const SExpr *a)
{
	switch (a->kind)
	{
		case SK_BOOL:
			return (char *) a->sql;
		case SK_JSONB:
			return arena_printf(c->arena, "CASE WHEN jsonb_typeof(%s) = 'boolean' THEN (%s)::boolean END",
								a->sql, a->sql);
		case SK_LIT:
			if (json_is_boolean(a->lit))
				return json_is_true(a->lit) ? "true" : "false";
			return "NULL::boolean";
		default:
			return "NULL::boolean";
	}
}

/* Whether a kind is one of the typed scalars. */
static bool
is_scalar(SKind k)
{
	return k == SK_TEXT || k == SK_NUM || k == SK_BOOL;
}

/* a == b (a != b when ne), or NULL when SQL cannot say it. */
char *
sql_eq(SCtx *c, const SExpr *a, const SExpr *b, bool ne)
{
	const char *op = ne ? "<>" : "=";
	const char *mismatch = ne ? "true" : "false";

	if (a->kind == SK_LIT && b->kind != SK_LIT)
	{
		const SExpr *t = a;

		a = b;
		b = t;
	}
	if (a->kind == SK_LIT)
		return NULL;
	if (b->kind == SK_LIT)
	{
		char	   *lit;

		if (is_scalar(a->kind))
		{
			lit = sql_scalar_literal(c->arena, b->lit, a->kind);
			if (lit == NULL)
				return sql_if_present(c, a, mismatch);
			return arena_printf(c->arena, "%s %s %s", a->sql, op, lit);
		}
		if (a->kind == SK_JSONB)
		{
			lit = sql_jsonb_literal(c->arena, b->lit);
			return lit ? arena_printf(c->arena, "%s %s %s", a->sql, op, lit) : NULL;
		}
		if (a->kind == SK_ARRAY)
		{
			if (!json_is_array(b->lit))
				return sql_if_present(c, a, mismatch);
			if (json_array_size(b->lit) == 0)
				return arena_printf(c->arena, "cardinality(%s) %s 0", a->sql, op);
			lit = sql_array_literal(c->arena, b->lit, a->elem);
			if (lit == NULL)
			{
				/* an item of another type can never equal an element */
				bool		others;
				size_t		i;

				for (i = 0; i < json_array_size(b->lit); i++)
					if (json_is_null(json_array_get(b->lit, i)))
						return NULL;	/* null items: let CEL decide */
				(void) sql_list_items(c->arena, b->lit, a->elem, &others);
				return others ? sql_if_present(c, a, mismatch) : NULL;
			}
			return arena_printf(c->arena, "%s%s %s %s", a->sql,
								a->elem == SK_NUM ? "::numeric[]" : "", op, lit);
		}
		return NULL;
	}
	if (a->kind == b->kind && (is_scalar(a->kind) || a->kind == SK_JSONB || a->kind == SK_TS))
		return arena_printf(c->arena, "%s %s %s", a->sql, op, b->sql);
	if ((a->kind == SK_JSONB && is_scalar(b->kind)) || (b->kind == SK_JSONB && is_scalar(a->kind)))
		return arena_printf(c->arena, "%s %s %s", sql_as_jsonb(c, a), op, sql_as_jsonb(c, b));
	if (is_scalar(a->kind) && is_scalar(b->kind))
		return if_both_present(c, a, b, mismatch);
	return NULL;
}

/* The operator for b op a, given a op b. */
static const char *
flip(const char *op)
{
	if (strcmp(op, "<") == 0)
		return ">";
	if (strcmp(op, "<=") == 0)
		return ">=";
	if (strcmp(op, ">") == 0)
		return "<";
	return "<=";
}

/* a < b and friends (op is the SQL operator), or NULL. */
char *
sql_compare(SCtx *c, const SExpr *a, const SExpr *b, const char *op)
{
	if (a->kind == SK_LIT && b->kind != SK_LIT)
		return sql_compare(c, b, a, flip(op));
	if (a->kind == SK_LIT)
		return NULL;
	if (b->kind == SK_LIT)
	{
		const json_t *v = b->lit;
		char	   *lit;

		if (is_scalar(a->kind))
		{
			lit = sql_scalar_literal(c->arena, v, a->kind);
			if (lit == NULL)
				return "NULL::boolean"; /* no overload: an error */
			return arena_printf(c->arena, "%s%s %s %s", a->sql,
								a->kind == SK_TEXT ? " COLLATE \"C\"" : "", op, lit);
		}
		if (a->kind == SK_JSONB)
		{
			if (json_is_string(v))
				return arena_printf(c->arena, "CASE WHEN jsonb_typeof(%s) = 'string' THEN (%s #>> '{}') COLLATE \"C\" %s %s END",
									a->sql, a->sql, op,
									sql_scalar_literal(c->arena, v, SK_TEXT));
			if (json_is_number(v))
				return arena_printf(c->arena, "CASE WHEN jsonb_typeof(%s) = 'number' THEN (%s)::numeric %s %s END",
									a->sql, a->sql, op, sql_number(c->arena, v));
			if (json_is_boolean(v))
				return arena_printf(c->arena, "CASE WHEN jsonb_typeof(%s) = 'boolean' THEN (%s)::boolean %s %s END",
									a->sql, a->sql, op, json_is_true(v) ? "true" : "false");
			return NULL;
		}
		if (a->kind == SK_ARRAY)
			return "NULL::boolean";
		return NULL;
	}
	if (a->kind == b->kind && (is_scalar(a->kind) || a->kind == SK_TS))
		return arena_printf(c->arena, "%s%s %s %s", a->sql,
							a->kind == SK_TEXT ? " COLLATE \"C\"" : "", op, b->sql);
	return NULL;
}

/* The jsonb items of a JSON list as "lit, lit" (NULL for an empty list). */
static char *
jsonb_items(SCtx *c, const json_t *list)
{
	CelStrBuf	sb;
	size_t		i;

	if (json_array_size(list) == 0)
		return NULL;
	plansql_buf_init(&sb, c->arena);
	for (i = 0; i < json_array_size(list); i++)
	{
		char	   *lit = sql_jsonb_literal(c->arena, json_array_get(list, i));

		if (lit == NULL)
			return NULL;
		if (i > 0)
			cel_strbuf_puts(&sb, ", ");
		cel_strbuf_puts(&sb, lit);
	}
	return plansql_buf_text(&sb);
}

/* a in b, or NULL.  node is the in-expression (for a partial fallback). */
char *
sql_in(SCtx *c, const SExpr *a, const SExpr *b, const json_t *node)
{
	if (b->kind == SK_LIT)
	{
		const json_t *list = b->lit;
		bool		others;
		char	   *items;

		if (a->kind == SK_LIT || !json_is_array(list))
			return NULL;
		if (is_scalar(a->kind))
		{
			items = sql_list_items(c->arena, list, a->kind, &others);
			if (items == NULL)
				return sql_if_present(c, a, "false");
			return arena_printf(c->arena, "%s IN (%s)", a->sql, items);
		}
		if (a->kind == SK_JSONB)
		{
			items = jsonb_items(c, list);
			if (items == NULL)
				return sql_if_present(c, a, "false");
			return arena_printf(c->arena, "%s IN (%s)", a->sql, items);
		}
		return NULL;
	}
	if (b->kind == SK_ARRAY)
	{
		const char *cast = b->elem == SK_NUM ? "::numeric[]" : "";

		if (a->kind == SK_LIT)
		{
			char	   *lit = sql_scalar_literal(c->arena, a->lit, b->elem);

			if (json_is_null(a->lit))
				return sql_if_present(c, b, arena_printf(c->arena, "array_position(%s, NULL) IS NOT NULL", b->sql));
			if (lit == NULL)
				return sql_if_present(c, b, "false");
			return arena_printf(c->arena, "%s%s @> ARRAY[%s]::%s", b->sql, cast, lit,
								sql_array_type(b->elem));
		}
		if (a->kind == b->elem)
			return if_both_present(c, a, b,
								   arena_printf(c->arena, "%s%s @> ARRAY[%s]::%s", b->sql, cast, a->sql,
												sql_array_type(b->elem)));
		if (a->kind == SK_JSONB)
			return if_both_present(c, a, b,
								   arena_printf(c->arena, "EXISTS (SELECT 1 FROM jsonb_array_elements(to_jsonb(%s)) AS _e(v) WHERE _e.v = %s)",
												b->sql, a->sql));
		return NULL;
	}
	if (b->kind == SK_JSONB)
	{
		char	   *object_case;
		char	   *array_case;

		if (a->kind == SK_LIT)
		{
			json_t	   *one;
			char	   *lit;

			if (json_is_array(a->lit) || json_is_object(a->lit))
				return NULL;
			one = json_pack("[O]", a->lit);
			lit = one ? sql_jsonb_literal(c->arena, one) : NULL;
			json_decref(one);
			if (lit == NULL)
				return NULL;
			/* top-level scalars only: containment of a scalar is equality */
			array_case = arena_printf(c->arena, "%s @> %s", b->sql, lit);
			if (json_is_string(a->lit))
				object_case = arena_printf(c->arena, "jsonb_exists(%s, %s)", b->sql,
										   sql_as_text(c, a));
			else
				object_case = sql_fallback(c, node);
		}
		else
		{
			char	   *aj = sql_as_jsonb(c, a);

			if (aj == NULL)
				return NULL;
			array_case = arena_printf(c->arena,
									  "EXISTS (SELECT 1 FROM jsonb_array_elements(%s) AS _e(v) WHERE _e.v = %s)",
									  b->sql, aj);
			if (!a->not_null)
				array_case = sql_if_present(c, a, array_case);
			if (a->kind == SK_TEXT)
				object_case = sql_if_present(c, a, arena_printf(c->arena, "jsonb_exists(%s, %s)", b->sql, a->sql));
			else
				object_case = sql_fallback(c, node);
		}
		if (object_case == NULL)
			return NULL;
		return arena_printf(c->arena, "CASE jsonb_typeof(%s) WHEN 'array' THEN %s WHEN 'object' THEN %s END",
							b->sql, array_case, object_case);
	}
	if (b->kind == SK_TEXT || b->kind == SK_NUM || b->kind == SK_BOOL)
		return "NULL::boolean";	/* in over a scalar: no overload */
	return NULL;
}

/* A LIKE pattern matching s literally (backslash is LIKE's escape). */
static char *
like_escape(SCtx *c, const char *s, size_t len, const char *before, const char *after)
{
	CelStrBuf	sb;
	size_t		i;

	plansql_buf_init(&sb, c->arena);
	cel_strbuf_puts(&sb, before);
	for (i = 0; i < len; i++)
	{
		if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
			cel_strbuf_putc(&sb, '\\');
		cel_strbuf_putc(&sb, s[i]);
	}
	cel_strbuf_puts(&sb, after);
	return plansql_buf_text(&sb);
}

/* startsWith / endsWith / contains, or NULL. */
char *
sql_string_test(SCtx *c, const char *fn, const SExpr *recv, const SExpr *arg)
{
	char	   *r = sql_as_text(c, recv);
	char	   *x;

	if (recv->kind == SK_LIT && arg->kind == SK_LIT)
		return NULL;
	if (arg->kind == SK_LIT && json_is_string(arg->lit))
	{
		const char *s = json_string_value(arg->lit);
		size_t		len = json_string_length(arg->lit);
		char	   *pat;

		if (strcmp(fn, "startsWith") == 0)
			pat = like_escape(c, s, len, "", "%");
		else if (strcmp(fn, "endsWith") == 0)
			pat = like_escape(c, s, len, "%", "");
		else
			pat = like_escape(c, s, len, "%", "%");
		pat = pat ? plansql_quote_literal(c->arena, pat, strlen(pat)) : NULL;
		if (pat == NULL)
			return NULL;
		/* LIKE compares characters exactly under a deterministic collation */
		return arena_printf(c->arena, "(%s) LIKE %s", r, pat);
	}
	x = sql_as_text(c, arg);
	if (strcmp(fn, "startsWith") == 0)
		return arena_printf(c->arena, "starts_with(%s, %s)", r, x);
	if (strcmp(fn, "endsWith") == 0)
		return arena_printf(c->arena, "right(%s, char_length(%s)) = %s", r, x, x);
	return arena_printf(c->arena, "strpos(%s, %s) > 0", r, x);
}

/*
 * hasIntersection(a, b) / isSubset(a, b) where one side is a list literal
 * of scalars and the other an array or jsonb; NULL otherwise.
 */
char *
sql_set_test(SCtx *c, const char *fn, const SExpr *a, const SExpr *b)
{
	bool		subset = strcmp(fn, "isSubset") == 0;
	const SExpr *col = a->kind == SK_LIT ? b : a;
	const SExpr *lit = a->kind == SK_LIT ? a : b;
	bool		col_first = col == a;
	size_t		i;

	if (col->kind == SK_LIT || lit->kind != SK_LIT || !json_is_array(lit->lit))
		return NULL;
	for (i = 0; i < json_array_size(lit->lit); i++)
	{
		const json_t *item = json_array_get(lit->lit, i);

		if (!(json_is_string(item) || json_is_number(item) || json_is_boolean(item)))
			return NULL;		/* nulls, lists, maps: let CEL decide */
	}
	if (col->kind == SK_ARRAY)
	{
		bool		others;
		char	   *items = sql_list_items(c->arena, lit->lit, col->elem, &others);
		const char *cast = col->elem == SK_NUM ? "::numeric[]" : "";
		char	   *arr = items ? arena_printf(c->arena, "ARRAY[%s]::%s", items, sql_array_type(col->elem)) : NULL;

		if (!subset)
			return arr ? arena_printf(c->arena, "%s%s && %s", col->sql, cast, arr)
				: sql_if_present(c, col, "false");
		if (col_first)			/* every element of col is in the literal */
			return arena_printf(c->arena, "%s%s <@ %s", col->sql, cast,
								arr ? arr : arena_printf(c->arena, "'{}'::%s", sql_array_type(col->elem)));
		/* every item of the literal is in col */
		if (others)
			return sql_if_present(c, col, "false");
		return arr ? arena_printf(c->arena, "%s%s @> %s", col->sql, cast, arr)
			: sql_if_present(c, col, "true");
	}
	if (col->kind == SK_JSONB)
	{
		char	   *items = jsonb_items(c, lit->lit);
		char	   *test;

		if (!subset)
			test = items ? arena_printf(c->arena, "EXISTS (SELECT 1 FROM jsonb_array_elements(%s) AS _e(v) WHERE _e.v IN (%s))",
										col->sql, items) : "false";
		else if (col_first)
			test = arena_printf(c->arena, "NOT EXISTS (SELECT 1 FROM jsonb_array_elements(%s) AS _e(v) WHERE _e.v NOT IN (%s))",
								col->sql, items ? items : "NULL");
		else
			test = arena_printf(c->arena, "%s @> %s", col->sql, sql_jsonb_literal(c->arena, lit->lit));
		if (col_first && subset && items == NULL)
			test = arena_printf(c->arena, "jsonb_array_length(%s) = 0", col->sql);
		return arena_printf(c->arena, "CASE WHEN jsonb_typeof(%s) = 'array' THEN %s END", col->sql, test);
	}
	return NULL;
}

/* Value-producing functions: size, upperAscii, lowerAscii, timestamp. */
bool
sql_function_value(SCtx *c, const char *fn, const SExpr *args, size_t nargs, SExpr *out)
{
	const SExpr *a = &args[0];

	memset(out, 0, sizeof(*out));
	if (nargs != 1 || a->kind == SK_LIT)
		return false;
	if (strcmp(fn, "size") == 0)
	{
		out->kind = SK_NUM;
		if (a->kind == SK_TEXT)
			out->sql = arena_printf(c->arena, "char_length(%s)", a->sql);
		else if (a->kind == SK_ARRAY)
			out->sql = arena_printf(c->arena, "cardinality(%s)", a->sql);
		else if (a->kind == SK_JSONB)
			out->sql = arena_printf(c->arena,
									"CASE jsonb_typeof(%s) WHEN 'array' THEN jsonb_array_length(%s) "
									"WHEN 'string' THEN char_length(%s #>> '{}') "
									"WHEN 'object' THEN (SELECT count(*) FROM jsonb_object_keys(%s)) END",
									a->sql, a->sql, a->sql, a->sql);
		else
			out->sql = "NULL::numeric";
		return true;
	}
	if (strcmp(fn, "upperAscii") == 0 || strcmp(fn, "lowerAscii") == 0)
	{
		static const char lower[] = "'abcdefghijklmnopqrstuvwxyz'";
		static const char upper[] = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
		bool		up = fn[0] == 'u';

		out->kind = SK_TEXT;
		out->sql = arena_printf(c->arena, "translate(%s, %s, %s)", sql_as_text(c, a),
								up ? lower : upper, up ? upper : lower);
		return true;
	}
	if (strcmp(fn, "timestamp") == 0 && a->ts_column != NULL)
	{
		/*
		 * The attribute is the text to_jsonb() prints; CEL parses it back
		 * to the same instant when it has RFC 3339's shape, and errs on
		 * the rest (infinity, BC, five-digit years, offsets with seconds).
		 */
		out->kind = SK_TS;
		out->sql = arena_printf(c->arena,
								"(CASE WHEN %s ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?[+-][0-9]{2}:[0-9]{2}$' THEN %s END)",
								a->sql, a->ts_column);
		return true;
	}
	return false;
}

/* Whether s is an RFC 3339 timestamp CEL and PostgreSQL read alike
 * (upper-case T and Z, at most microseconds). */
static bool
is_plain_rfc3339(const char *s, size_t len)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t		i = 0;
	size_t		frac = 0;

	if (len < sizeof(shape))
		return false;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	if (s[0] == '0' && s[1] == '0' && s[2] == '0' && s[3] == '0')
		return false;			/* year 0 */
	if (i < len && s[i] == '.')
	{
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
		if (frac == 0 || frac > 6)
			return false;
	}
	if (i + 1 == len && s[i] == 'Z')
		return true;
	return i + 6 == len && (s[i] == '+' || s[i] == '-') &&
		s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' && s[i + 2] <= '9' &&
		s[i + 3] == ':' && s[i + 4] >= '0' && s[i + 4] <= '9' && s[i + 5] >= '0' && s[i + 5] <= '9';
}

/* timestamp("literal") as a timestamptz literal, when it reads alike. */
bool
sql_timestamp_literal(SCtx *c, const json_t *lit, SExpr *out)
{
	char	   *q;

	memset(out, 0, sizeof(*out));
	if (!json_is_string(lit) || !is_plain_rfc3339(json_string_value(lit), json_string_length(lit)))
		return false;
	q = plansql_quote_literal(c->arena, json_string_value(lit), json_string_length(lit));
	if (q == NULL)
		return false;
	out->kind = SK_TS;
	out->not_null = true;
	out->sql = arena_printf(c->arena, "%s::timestamptz", q);
	return true;
}
