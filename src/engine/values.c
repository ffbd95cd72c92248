/*
 * values.c — request attributes, constants and outputs as CEL values.
 *
 * Cerbos carries attributes, constants and globals as protobuf Struct
 * values, so every JSON or YAML number becomes a CEL double; objects
 * become maps (plain maps, so a missing key is CEL's "no such key"
 * error), arrays lists.  Outputs travel the other way, to JSON, as
 * protojson prints a structpb.Value: integral numbers without a fraction,
 * timestamps and durations as strings.
 */
#include "engine_int.h"
#include "../policy/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#define VALUE_MAX_DEPTH 64

/* JSON (jansson) -> CEL value; depth-bounded. */
CelValue
engine_json_to_cel(Arena *arena, const json_t *j, int depth)
{
	if (j == NULL)
		return cel_null();
	if (depth > VALUE_MAX_DEPTH)
		return cel_error(arena, "value nested too deeply");
	switch (json_typeof(j))
	{
		case JSON_OBJECT:
			{
				size_t		n = json_object_size(j);
				CelValue   *keys = arena_alloc(arena, sizeof(CelValue) * (n + 1));
				CelValue   *vals = arena_alloc(arena, sizeof(CelValue) * (n + 1));
				const char *k;
				json_t	   *v;
				size_t		i = 0;

				if (keys == NULL || vals == NULL)
					return cel_error(arena, "out of memory");
				json_object_foreach((json_t *) j, k, v)
				{
					keys[i] = cel_string(arena_strdup(arena, k), strlen(k));
					vals[i] = engine_json_to_cel(arena, v, depth + 1);
					i++;
				}
				return cel_map_from(arena, keys, vals, i);
			}
		case JSON_ARRAY:
			{
				size_t		n = json_array_size(j);
				CelValue   *items = arena_alloc(arena, sizeof(CelValue) * (n + 1));
				size_t		i;

				if (items == NULL)
					return cel_error(arena, "out of memory");
				for (i = 0; i < n; i++)
					items[i] = engine_json_to_cel(arena, json_array_get(j, i), depth + 1);
				return cel_list_from(arena, items, n);
			}
		case JSON_STRING:
			return cel_string(arena_strndup(arena, json_string_value(j), json_string_length(j)),
							  json_string_length(j));
		case JSON_INTEGER:
			return cel_double((double) json_integer_value(j));
		case JSON_REAL:
			return cel_double(json_real_value(j));
		case JSON_TRUE:
			return cel_bool(true);
		case JSON_FALSE:
			return cel_bool(false);
		default:
			return cel_null();
	}
}

/* A YAML scalar read the way YAML 1.2's core schema reads plain scalars. */
static CelValue
pnode_scalar(Arena *arena, const PNode *n)
{
	char	   *end;
	double		d;

	if (n->plain)
	{
		if (pnode_is_null(n))
			return cel_null();
		if (strcmp(n->text, "true") == 0 || strcmp(n->text, "True") == 0 ||
			strcmp(n->text, "TRUE") == 0)
			return cel_bool(true);
		if (strcmp(n->text, "false") == 0 || strcmp(n->text, "False") == 0 ||
			strcmp(n->text, "FALSE") == 0)
			return cel_bool(false);
		if (n->len > 0 && strchr("0123456789+-.", n->text[0]) != NULL)
		{
			d = strtod(n->text, &end);
			if (*end == '\0' && end != n->text)
				return cel_double(d);
		}
	}
	return cel_string(n->text, n->len);
}

/* A constant's YAML value -> CEL value (numbers are doubles, as structpb). */
CelValue
engine_pnode_to_cel(Arena *arena, const PNode *n, int depth)
{
	int			i;

	if (n == NULL)
		return cel_null();
	if (depth > VALUE_MAX_DEPTH)
		return cel_error(arena, "value nested too deeply");
	if (n->kind == PNODE_SCALAR)
		return pnode_scalar(arena, n);
	if (n->kind == PNODE_SEQ)
	{
		CelValue   *items = arena_alloc(arena, sizeof(CelValue) * (n->count + 1));

		if (items == NULL)
			return cel_error(arena, "out of memory");
		for (i = 0; i < n->count; i++)
			items[i] = engine_pnode_to_cel(arena, n->values[i], depth + 1);
		return cel_list_from(arena, items, n->count);
	}
	else
	{
		CelValue   *keys = arena_alloc(arena, sizeof(CelValue) * (n->count + 1));
		CelValue   *vals = arena_alloc(arena, sizeof(CelValue) * (n->count + 1));

		if (keys == NULL || vals == NULL)
			return cel_error(arena, "out of memory");
		for (i = 0; i < n->count; i++)
		{
			keys[i] = cel_string(n->keys[i]->text, n->keys[i]->len);
			vals[i] = engine_pnode_to_cel(arena, n->values[i], depth + 1);
		}
		return cel_map_from(arena, keys, vals, n->count);
	}
}

/* A list of strings as a CEL list. */
CelValue
engine_string_list(Arena *arena, const char **items, int n)
{
	CelValue   *v = arena_alloc(arena, sizeof(CelValue) * (n + 1));
	int			i;

	if (v == NULL)
		return cel_error(arena, "out of memory");
	for (i = 0; i < n; i++)
		v[i] = cel_string(items[i], strlen(items[i]));
	return cel_list_from(arena, v, n);
}

/* A number as protojson prints a structpb number. */
static json_t *
number_json(double d)
{
	if (isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0)
		return json_integer((json_int_t) d);
	if (isnan(d))
		return json_string("NaN");
	if (isinf(d))
		return json_string(d > 0 ? "Infinity" : "-Infinity");
	return json_real(d);
}

/* Formats a timestamp as RFC 3339 in UTC with the fraction Go prints. */
static json_t *
timestamp_json(CelValue v)
{
	char		buf[64];
	char		frac[16] = "";
	time_t		t = (time_t) v.u.ts.sec;
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL)
		return json_null();
	if (v.u.ts.nsec != 0)
	{
		int			len;

		snprintf(frac, sizeof(frac), ".%09d", (int) v.u.ts.nsec);
		len = (int) strlen(frac);
		while (len > 1 && frac[len - 1] == '0')
			frac[--len] = '\0';
	}
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%sZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, frac);
	return json_string(buf);
}

/* CEL value -> JSON, as Cerbos renders an output value; NULL on failure. */
json_t *
engine_cel_to_json(CelValue v, int depth)
{
	size_t		i;

	if (depth > VALUE_MAX_DEPTH)
		return NULL;
	switch (v.kind)
	{
		case CEL_VAL_NULL:
			return json_null();
		case CEL_VAL_BOOL:
			return json_boolean(v.u.b);
		case CEL_VAL_INT:
			return number_json((double) v.u.i);
		case CEL_VAL_UINT:
			return number_json((double) v.u.u);
		case CEL_VAL_DOUBLE:
			return number_json(v.u.d);
		case CEL_VAL_STRING:
			return json_stringn(v.u.str.ptr, v.u.str.len);
		case CEL_VAL_LIST:
			{
				json_t	   *a = json_array();

				for (i = 0; i < v.u.list->len; i++)
				{
					json_t	   *e = engine_cel_to_json(v.u.list->items[i], depth + 1);

					if (e == NULL)
					{
						json_decref(a);
						return NULL;
					}
					json_array_append_new(a, e);
				}
				return a;
			}
		case CEL_VAL_MAP:
			{
				json_t	   *o = json_object();

				for (i = 0; i < v.u.map->len; i++)
				{
					CelValue	k = v.u.map->keys[i];
					json_t	   *e = engine_cel_to_json(v.u.map->values[i], depth + 1);
					char		kb[64];

					if (e == NULL)
					{
						json_decref(o);
						return NULL;
					}
					if (k.kind == CEL_VAL_STRING)
					{
						char	   *ks = strndup(k.u.str.ptr, k.u.str.len);

						json_object_set_new(o, ks ? ks : "", e);
						free(ks);
						continue;
					}
					if (k.kind == CEL_VAL_INT)
						snprintf(kb, sizeof(kb), "%lld", (long long) k.u.i);
					else if (k.kind == CEL_VAL_UINT)
						snprintf(kb, sizeof(kb), "%llu", (unsigned long long) k.u.u);
					else if (k.kind == CEL_VAL_BOOL)
						snprintf(kb, sizeof(kb), "%s", k.u.b ? "true" : "false");
					else
					{
						json_decref(e);
						json_decref(o);
						return NULL;
					}
					json_object_set_new(o, kb, e);
				}
				return o;
			}
		case CEL_VAL_TIMESTAMP:
			return timestamp_json(v);
		case CEL_VAL_DURATION:
			{
				char		buf[64];
				int64_t		s = v.u.dur / 1000000000;
				int64_t		ns = v.u.dur % 1000000000;

				if (ns == 0)
					snprintf(buf, sizeof(buf), "%llds", (long long) s);
				else
				{
					int			len;

					snprintf(buf, sizeof(buf), "%s%lld.%09llds", v.u.dur < 0 && s == 0 ? "-" : "",
							 (long long) s, (long long) (ns < 0 ? -ns : ns));
					len = (int) strlen(buf) - 1;
					while (buf[len - 1] == '0')
					{
						buf[len - 1] = 's';
						buf[len--] = '\0';
					}
				}
				return json_string(buf);
			}
		case CEL_VAL_TYPE:
			return json_string(cel_type_name(v.u.type));
		case CEL_VAL_OPTIONAL:
			return v.u.opt ? engine_cel_to_json(*v.u.opt, depth + 1) : json_null();
		default:
			return NULL;
	}
}
