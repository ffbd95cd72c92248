/*
 * pnode_json.c — YAML values as JSON, and JSON values compared the way
 * Cerbos compares google.protobuf.Value.
 *
 * Fixture values reach the engine as JSON text (the CheckResources
 * request it already reads), so a YAML scalar becomes what Cerbos' YAML
 * reader makes of it: plain null/true/false/numbers by YAML's core schema,
 * anything quoted a string.  Expected outputs are compared with
 * protobuf's Value semantics: every number is a double, so 1 equals 1.0.
 */
#include "ts_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUE_DEPTH 100

/* A plain scalar as JSON null, boolean, number or string. */
static json_t *
scalar_to_json(const PNode *n)
{
	const char *type = pnode_type_name(n);

	if (!n->plain)
		return json_stringn(n->text, n->len);
	if (strcmp(type, "Null") == 0)
		return json_null();
	if (strcmp(type, "Bool") == 0)
		return json_boolean(n->text[0] == 't' || n->text[0] == 'T');
	if (strcmp(type, "Integer") == 0)
	{
		char	   *end;
		long long	v = strtoll(n->text, &end, 10);

		/* protobuf holds numbers as doubles: large integers round the same way */
		if (*end == '\0' && v > -(1LL << 53) && v < (1LL << 53))
			return json_integer(v);
		return json_real(strtod(n->text, NULL));
	}
	if (strcmp(type, "Float") == 0)
	{
		double		v = strtod(n->text, NULL);

		if (isnan(v) || isinf(v))
			return NULL;		/* JSON has neither */
		return json_real(v);
	}
	return json_stringn(n->text, n->len);
}

/* A PNode tree as a new JSON value; NULL if it has no JSON form. */
json_t *
ts_pnode_to_json(const PNode *n, int depth)
{
	json_t	   *out;
	int			i;

	if (n == NULL || depth > MAX_VALUE_DEPTH)
		return NULL;
	switch (n->kind)
	{
		case PNODE_SCALAR:
			return scalar_to_json(n);
		case PNODE_SEQ:
			out = json_array();
			for (i = 0; out != NULL && i < n->count; i++)
			{
				json_t	   *v = ts_pnode_to_json(n->values[i], depth + 1);

				if (v == NULL || json_array_append_new(out, v) != 0)
				{
					json_decref(out);
					return NULL;
				}
			}
			return out;
		case PNODE_MAP:
			out = json_object();
			for (i = 0; out != NULL && i < n->count; i++)
			{
				json_t	   *v = ts_pnode_to_json(n->values[i], depth + 1);

				if (v == NULL || json_object_setn_new(out, n->keys[i]->text, n->keys[i]->len, v) != 0)
				{
					json_decref(out);
					return NULL;
				}
			}
			return out;
	}
	return NULL;
}

/* Compact JSON text of a value, copied into the arena. */
char *
ts_json_text(Arena *arena, const json_t *value)
{
	char	   *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	char	   *copy;

	if (text == NULL)
		return NULL;
	copy = arena_strdup(arena, text);
	free(text);
	return copy;
}

/* Whether two JSON values are equal as protobuf Values (numbers as doubles). */
bool
ts_json_equal(const json_t *a, const json_t *b, int depth)
{
	const char *key;
	json_t	   *va;
	size_t		i;

	if (a == NULL || b == NULL || depth > MAX_VALUE_DEPTH)
		return a == b;
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a))
	{
		case JSON_OBJECT:
			if (json_object_size(a) != json_object_size(b))
				return false;
			json_object_foreach((json_t *) a, key, va)
			{
				if (!ts_json_equal(va, json_object_get(b, key), depth + 1))
					return false;
			}
			return true;
		case JSON_ARRAY:
			if (json_array_size(a) != json_array_size(b))
				return false;
			for (i = 0; i < json_array_size(a); i++)
				if (!ts_json_equal(json_array_get(a, i), json_array_get(b, i), depth + 1))
					return false;
			return true;
		case JSON_STRING:
			return json_string_length(a) == json_string_length(b) &&
				memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
		default:
			return true;		/* true, false, null: same type is equal */
	}
}
