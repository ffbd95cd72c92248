/*
 * filter_common.c — reading Cerbos plan filters: node shapes, the
 * resource variables in them, and CEL literals for JSON values.
 */
#include "plansql_int.h"

#include <stdio.h>
#include <string.h>

/* Reads one operand; false when it is none of the three shapes. */
bool
fnode_read(const json_t *j, FNode *out)
{
	const json_t *e;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j))
		return false;
	if ((e = json_object_get(j, "expression")) != NULL)
	{
		const json_t *op = json_object_get(e, "operator");
		const json_t *args = json_object_get(e, "operands");

		if (!json_is_string(op))
			return false;
		if (args != NULL && !json_is_array(args))
			return false;
		out->kind = FN_EXPR;
		out->op = json_string_value(op);
		out->operands = args;
		out->noperands = args ? json_array_size(args) : 0;
		return true;
	}
	if ((e = json_object_get(j, "variable")) != NULL)
	{
		if (!json_is_string(e) || json_string_length(e) == 0)
			return false;
		out->kind = FN_VAR;
		out->var = json_string_value(e);
		return true;
	}
	if ((e = json_object_get(j, "value")) != NULL)
	{
		out->kind = FN_VALUE;
		out->value = e;
		return true;
	}
	return false;
}

/* Whether s is a CEL identifier (not a reserved word). */
bool
plansql_is_ident(const char *s, size_t len)
{
	static const char *const reserved[] = {
		"as", "break", "const", "continue", "else", "for", "function", "if",
		"import", "let", "loop", "package", "namespace", "return", "var", "void",
		"while", "in", "true", "false", "null", NULL
	};
	size_t		i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
	{
		char		c = s[i];
		bool		letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

		if (!letter && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	for (i = 0; reserved[i]; i++)
		if (strlen(reserved[i]) == len && memcmp(reserved[i], s, len) == 0)
			return false;
	return true;
}

/* Resource variables name the attribute after one of these prefixes. */
static const char *const attr_prefixes[] = {"request.resource.attr.", "R.attr.", NULL};
static const char *const id_names[] = {"request.resource.id", "R.id", NULL};

/* Splits a resource variable into field, attribute name and dotted path. */
bool
plansql_resource_var(Arena *arena, const char *var, PlanSqlField *field,
					 const char **name, const char **path)
{
	int			i;

	for (i = 0; id_names[i]; i++)
		if (strcmp(var, id_names[i]) == 0)
		{
			*field = PLANSQL_FIELD_ID;
			*name = "id";
			*path = NULL;
			return true;
		}
	for (i = 0; attr_prefixes[i]; i++)
	{
		size_t		n = strlen(attr_prefixes[i]);
		const char *rest;
		const char *dot;

		if (strncmp(var, attr_prefixes[i], n) != 0 || var[n] == '\0')
			continue;
		rest = var + n;
		dot = strchr(rest, '.');
		*field = PLANSQL_FIELD_ATTR;
		if (dot == NULL || dot == rest || dot[1] == '\0')
		{
			*name = rest;
			*path = NULL;
		}
		else
		{
			*name = arena_strndup(arena, rest, (size_t) (dot - rest));
			*path = dot + 1;
		}
		return *name != NULL;
	}
	return false;
}

/* Appends a CEL string literal for s[0..len). */
void
plansql_cel_string(CelStrBuf *sb, const char *s, size_t len)
{
	size_t		i;

	cel_strbuf_putc(sb, '"');
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		switch (c)
		{
			case '"':
				cel_strbuf_puts(sb, "\\\"");
				break;
			case '\\':
				cel_strbuf_puts(sb, "\\\\");
				break;
			case '\n':
				cel_strbuf_puts(sb, "\\n");
				break;
			case '\r':
				cel_strbuf_puts(sb, "\\r");
				break;
			case '\t':
				cel_strbuf_puts(sb, "\\t");
				break;
			default:
				if (c < 0x20 || c == 0x7f)
					cel_strbuf_printf(sb, "\\x%02x", c);
				else
					cel_strbuf_putc(sb, (char) c);
		}
	}
	cel_strbuf_putc(sb, '"');
}

/* Appends a JSON number as a CEL int or double literal. */
static void
cel_number(CelStrBuf *sb, const json_t *v)
{
	if (json_is_integer(v))
	{
		long long	i = (long long) json_integer_value(v);

		if (i < 0)
			cel_strbuf_printf(sb, "(%lld)", i);
		else
			cel_strbuf_printf(sb, "%lld", i);
	}
	else
	{
		char		num[64];
		double		d = json_real_value(v);

		snprintf(num, sizeof(num), "%.17g", d);
		if (strpbrk(num, ".eEn") == NULL)
			strcat(num, ".0");
		if (d < 0)
			cel_strbuf_printf(sb, "(%s)", num);
		else
			cel_strbuf_puts(sb, num);
	}
}

/* Appends a JSON value as a CEL literal; false for what CEL cannot spell. */
bool
plansql_cel_value(CelStrBuf *sb, const json_t *v, int depth)
{
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
		case JSON_REAL:
			cel_number(sb, v);
			return true;
		case JSON_STRING:
			plansql_cel_string(sb, json_string_value(v), json_string_length(v));
			return true;
		case JSON_ARRAY:
			{
				size_t		i;

				cel_strbuf_putc(sb, '[');
				for (i = 0; i < json_array_size(v); i++)
				{
					if (i > 0)
						cel_strbuf_puts(sb, ", ");
					if (!plansql_cel_value(sb, json_array_get(v, i), depth + 1))
						return false;
				}
				cel_strbuf_putc(sb, ']');
				return true;
			}
		case JSON_OBJECT:
			{
				const char *key;
				json_t	   *item;
				bool		first = true;

				cel_strbuf_putc(sb, '{');
				json_object_foreach((json_t *) v, key, item)
				{
					if (!first)
						cel_strbuf_puts(sb, ", ");
					first = false;
					plansql_cel_string(sb, key, strlen(key));
					cel_strbuf_puts(sb, ": ");
					if (!plansql_cel_value(sb, item, depth + 1))
						return false;
				}
				cel_strbuf_putc(sb, '}');
				return true;
			}
	}
	return false;
}

/* Whether a comprehension operator takes a lambda. */
bool
plansql_is_comprehension(const char *op)
{
	static const char *const ops[] = {
		"all", "exists", "exists_one", "existsOne", "filter", "map",
		"transformList", "transformMap", "transformMapEntry", NULL
	};
	int			i;

	for (i = 0; ops[i]; i++)
		if (strcmp(op, ops[i]) == 0)
			return true;
	return false;
}

/* The condition operand of a filter, response or operand. */
const json_t *
plansql_condition(const json_t *filter, const char **kind, const char **error)
{
	const json_t *f = filter;
	const json_t *k;

	*kind = NULL;
	if (!json_is_object(f))
	{
		*error = "a filter must be a JSON object";
		return NULL;
	}
	if (json_is_object(json_object_get(f, "filter")))
		f = json_object_get(f, "filter");
	k = json_object_get(f, "kind");
	if (json_is_string(k))
	{
		const char *s = json_string_value(k);

		if (strcmp(s, "KIND_ALWAYS_ALLOWED") == 0 || strcmp(s, "KIND_ALWAYS_DENIED") == 0)
		{
			*kind = s;
			return NULL;
		}
		if (strcmp(s, "KIND_CONDITIONAL") != 0)
		{
			*error = "unknown filter kind";
			return NULL;
		}
		if (json_object_get(f, "condition") == NULL)
		{
			*error = "a conditional filter needs a condition";
			return NULL;
		}
		return json_object_get(f, "condition");
	}
	if (json_object_get(f, "condition") != NULL)
		return json_object_get(f, "condition");
	return f;
}
