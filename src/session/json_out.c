/*
 * json_out.c — compact JSON text written straight into an arena.
 *
 * The principal is written directly instead of being assembled as jansson
 * objects and dumped: on first use of a token that saves a few
 * microseconds, a noticeable share of what verification costs on top of
 * the RSA operation.  Values taken from the verified claims are written as
 * they are (nested object members in token order); jansson has already
 * checked them to be valid UTF-8 without NUL characters.
 */
#include "session_int.h"

#include <stdio.h>
#include <string.h>

/* Starts an empty buffer in arena. */
void
st_out_init(StOut *out, Arena *arena, size_t initial)
{
	out->arena = arena;
	out->len = 0;
	out->cap = initial < 64 ? 64 : initial;
	out->data = arena_alloc(arena, out->cap);
	out->failed = out->data == NULL;
}

/* Makes room for n more bytes plus a NUL. */
static bool
reserve(StOut *out, size_t n)
{
	size_t		cap;
	char	   *grown;

	if (out->failed)
		return false;
	if (out->len + n + 1 <= out->cap)
		return true;
	cap = out->cap * 2;
	while (cap < out->len + n + 1)
		cap *= 2;
	grown = arena_realloc(out->arena, out->data, out->len, cap);
	if (grown == NULL)
	{
		out->failed = true;
		return false;
	}
	out->data = grown;
	out->cap = cap;
	return true;
}

/* Appends bytes as they are. */
void
st_out_raw(StOut *out, const char *s, size_t n)
{
	if (!reserve(out, n))
		return;
	memcpy(out->data + out->len, s, n);
	out->len += n;
}

/* Appends a quoted, escaped JSON string. */
void
st_out_string(StOut *out, const char *s, size_t n)
{
	size_t		i;
	size_t		run = 0;

	/* worst case every byte becomes \u00XX */
	if (!reserve(out, n * 6 + 2))
		return;
	out->data[out->len++] = '"';
	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
		{
			run++;
			continue;
		}
		memcpy(out->data + out->len, s + i - run, run);
		out->len += run;
		run = 0;
		out->data[out->len++] = '\\';
		switch (c)
		{
			case '"':
			case '\\':
				out->data[out->len++] = (char) c;
				break;
			case '\n':
				out->data[out->len++] = 'n';
				break;
			case '\r':
				out->data[out->len++] = 'r';
				break;
			case '\t':
				out->data[out->len++] = 't';
				break;
			case '\b':
				out->data[out->len++] = 'b';
				break;
			case '\f':
				out->data[out->len++] = 'f';
				break;
			default:
				out->len += (size_t) snprintf(out->data + out->len, 6, "u%04x", c);
				break;
		}
	}
	memcpy(out->data + out->len, s + n - run, run);
	out->len += run;
	out->data[out->len++] = '"';
}

/* Appends a jansson value as compact JSON (objects in their own order). */
void
st_out_json(StOut *out, json_t *v)
{
	char		num[40];
	int			n;

	switch (json_typeof(v))
	{
		case JSON_OBJECT:
			{
				const char *key;
				json_t	   *member;
				bool		first = true;

				st_out_raw(out, "{", 1);
				json_object_foreach(v, key, member)
				{
					if (!first)
						st_out_raw(out, ",", 1);
					first = false;
					st_out_string(out, key, strlen(key));
					st_out_raw(out, ":", 1);
					st_out_json(out, member);
				}
				st_out_raw(out, "}", 1);
				break;
			}
		case JSON_ARRAY:
			{
				size_t		i;

				st_out_raw(out, "[", 1);
				for (i = 0; i < json_array_size(v); i++)
				{
					if (i > 0)
						st_out_raw(out, ",", 1);
					st_out_json(out, json_array_get(v, i));
				}
				st_out_raw(out, "]", 1);
				break;
			}
		case JSON_STRING:
			st_out_string(out, json_string_value(v), json_string_length(v));
			break;
		case JSON_INTEGER:
			n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			st_out_raw(out, num, (size_t) n);
			break;
		case JSON_REAL:
			n = snprintf(num, sizeof(num), "%.17g", json_real_value(v));
			/* keep it a real when read back, as jansson does */
			if (strpbrk(num, ".eE") == NULL)
			{
				num[n++] = '.';
				num[n++] = '0';
			}
			st_out_raw(out, num, (size_t) n);
			break;
		case JSON_TRUE:
			st_out_raw(out, "true", 4);
			break;
		case JSON_FALSE:
			st_out_raw(out, "false", 5);
			break;
		case JSON_NULL:
			st_out_raw(out, "null", 4);
			break;
	}
}

/* The NUL-terminated text, or NULL when an allocation failed. */
char *
st_out_finish(StOut *out)
{
	if (!reserve(out, 0))
		return NULL;
	out->data[out->len] = '\0';
	return out->data;
}
