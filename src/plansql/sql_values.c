/*
 * sql_values.c — SQL spelling of names, literals and typed values for the
 * filter translator.
 *
 * Identifiers are always double-quoted and strings always single-quoted
 * (E'...' when they hold a backslash, so standard_conforming_strings does
 * not matter); nothing from a filter reaches the SQL text unquoted.
 * Numbers are printed in the shortest form that reads back as the same
 * double, so 4.7 stays 4.7 for a numeric column.
 */
#include "sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void shortest_double(char *num, size_t size, double d);

/* A SQL identifier, always double-quoted. */
char *
plansql_quote_ident(Arena *arena, const char *name)
{
	CelStrBuf	sb;
	const char *p;

	plansql_buf_init(&sb, arena);
	cel_strbuf_putc(&sb, '"');
	for (p = name; *p; p++)
	{
		if (*p == '"')
			cel_strbuf_putc(&sb, '"');
		cel_strbuf_putc(&sb, *p);
	}
	cel_strbuf_putc(&sb, '"');
	return plansql_buf_text(&sb);
}

/* A SQL string literal; NULL when s holds a NUL byte. */
char *
plansql_quote_literal(Arena *arena, const char *s, size_t len)
{
	CelStrBuf	sb;
	size_t		i;
	bool		backslash = memchr(s, '\\', len) != NULL;

	if (memchr(s, '\0', len) != NULL)
		return NULL;
	plansql_buf_init(&sb, arena);
	if (backslash)
		cel_strbuf_putc(&sb, 'E');
	cel_strbuf_putc(&sb, '\'');
	for (i = 0; i < len; i++)
	{
		if (s[i] == '\'')
			cel_strbuf_putc(&sb, '\'');
		else if (s[i] == '\\')
			cel_strbuf_putc(&sb, '\\');
		cel_strbuf_putc(&sb, s[i]);
	}
	cel_strbuf_putc(&sb, '\'');
	return plansql_buf_text(&sb);
}

/* A JSON number as a SQL numeric literal (negative ones parenthesised). */
char *
sql_number(Arena *arena, const json_t *v)
{
	char		num[64];

	if (json_is_integer(v))
		snprintf(num, sizeof(num), "%lld", (long long) json_integer_value(v));
	else
		shortest_double(num, sizeof(num), json_real_value(v));
	return num[0] == '-' ? arena_printf(arena, "(%s)", num) : arena_strdup(arena, num);
}

/* The shortest text that reads back as the same double. */
static void
shortest_double(char *num, size_t size, double d)
{
	int			prec;

	for (prec = 15; prec <= 17; prec++)
	{
		snprintf(num, size, "%.*g", prec, d);
		if (strtod(num, NULL) == d)
			break;
	}
}

/* Appends a JSON string literal. */
static void
json_string_text(CelStrBuf *sb, const char *s, size_t len)
{
	cel_strbuf_json_string(sb, s, len, false);
}

/*
 * Appends a JSON value as text; numbers as the shortest text that reads
 * back as the same double (jansson prints 17 digits: 4.7 would become
 * 4.7000000000000002, which jsonb's numeric equality tells from 4.7).
 */
static bool
json_text(CelStrBuf *sb, const json_t *v, int depth)
{
	char		num[64];
	size_t		i;

	if (depth > PLANSQL_MAX_DEPTH)
		return false;
	switch (json_typeof(v))
	{
		case JSON_NULL:
			cel_strbuf_puts(sb, "null");
			return true;
		case JSON_TRUE:
			cel_strbuf_puts(sb, "true");
			return true;
		case JSON_FALSE:
			cel_strbuf_puts(sb, "false");
			return true;
		case JSON_INTEGER:
			cel_strbuf_printf(sb, "%lld", (long long) json_integer_value(v));
			return true;
		case JSON_REAL:
			shortest_double(num, sizeof(num), json_real_value(v));
			cel_strbuf_puts(sb, num);
			return true;
		case JSON_STRING:
			json_string_text(sb, json_string_value(v), json_string_length(v));
			return true;
		case JSON_ARRAY:
			cel_strbuf_putc(sb, '[');
			for (i = 0; i < json_array_size(v); i++)
			{
				if (i > 0)
					cel_strbuf_putc(sb, ',');
				if (!json_text(sb, json_array_get(v, i), depth + 1))
					return false;
			}
			cel_strbuf_putc(sb, ']');
			return true;
		case JSON_OBJECT:
			{
				const char *key;
				json_t	   *item;
				bool		first = true;

				cel_strbuf_putc(sb, '{');
				json_object_foreach((json_t *) v, key, item)
				{
					if (!first)
						cel_strbuf_putc(sb, ',');
					first = false;
					json_string_text(sb, key, strlen(key));
					cel_strbuf_putc(sb, ':');
					if (!json_text(sb, item, depth + 1))
						return false;
				}
				cel_strbuf_putc(sb, '}');
				return true;
			}
	}
	return false;
}

/* A JSON value as a jsonb literal. */
char *
sql_jsonb_literal(Arena *arena, const json_t *v)
{
	CelStrBuf	sb;
	char	   *text;
	char	   *out;

	plansql_buf_init(&sb, arena);
	if (!json_text(&sb, v, 0) || (text = plansql_buf_text(&sb)) == NULL)
		return NULL;
	out = plansql_quote_literal(arena, text, strlen(text));
	return out ? arena_printf(arena, "%s::jsonb", out) : NULL;
}

/* Whether a JSON value is of the scalar kind k (text, numeric, boolean). */
bool
sql_json_is_kind(const json_t *v, SKind k)
{
	switch (k)
	{
		case SK_TEXT:
			return json_is_string(v);
		case SK_NUM:
			return json_is_number(v);
		case SK_BOOL:
			return json_is_boolean(v);
		default:
			return false;
	}
}

/* A JSON scalar as a SQL literal of kind k; NULL if it cannot be one. */
char *
sql_scalar_literal(Arena *arena, const json_t *v, SKind k)
{
	if (!sql_json_is_kind(v, k))
		return NULL;
	switch (k)
	{
		case SK_TEXT:
			return plansql_quote_literal(arena, json_string_value(v), json_string_length(v));
		case SK_NUM:
			return sql_number(arena, v);
		case SK_BOOL:
			return arena_strdup(arena, json_is_true(v) ? "true" : "false");
		default:
			return NULL;
	}
}

/* The SQL array type of elements of kind k. */
const char *
sql_array_type(SKind k)
{
	return k == SK_TEXT ? "text[]" : k == SK_NUM ? "numeric[]" : "boolean[]";
}

/*
 * The items of a JSON list that are of kind k, as "a, b, c" (NULL when
 * none is); *others is set when some item is of another kind.
 */
char *
sql_list_items(Arena *arena, const json_t *list, SKind k, bool *others)
{
	CelStrBuf	sb;
	size_t		i;
	int			n = 0;

	*others = false;
	plansql_buf_init(&sb, arena);
	for (i = 0; i < json_array_size(list); i++)
	{
		const json_t *item = json_array_get(list, i);
		char	   *lit = sql_scalar_literal(arena, item, k);

		if (lit == NULL)
		{
			*others = true;
			continue;
		}
		if (n++ > 0)
			cel_strbuf_puts(&sb, ", ");
		cel_strbuf_puts(&sb, lit);
	}
	return n > 0 ? plansql_buf_text(&sb) : NULL;
}

/* A JSON list of kind-k scalars as ARRAY[...]::type (NULL if one is not). */
char *
sql_array_literal(Arena *arena, const json_t *list, SKind k)
{
	bool		others;
	char	   *items;

	if (json_array_size(list) == 0)
		return arena_printf(arena, "'{}'::%s", sql_array_type(k));
	items = sql_list_items(arena, list, k, &others);
	if (items == NULL || others)
		return NULL;
	return arena_printf(arena, "ARRAY[%s]::%s", items, sql_array_type(k));
}
