/*
 * schema.c — JSON Schema checks of principal and resource attributes.
 *
 * A resource policy may name schemas (cerbos:///principal.json,
 * cerbos:///resources/x.json under _schemas/).  Under schemaEnforcement
 * warn or reject, the attributes are validated before any rule runs and
 * each problem becomes a validationError {path, message, source}; reject
 * also denies every action.  Schemas are loaded at compile time as CEL
 * values in the set's arena (so they travel with the compiled set), and
 * the instance is the request's attributes as decoded.
 *
 * The keywords implemented are those attribute schemas use: type, enum,
 * const, required, properties, additionalProperties, items, min/max
 * (Length, Items, imum, exclusive*); others are ignored.  Messages follow
 * the wording of the validator Cerbos uses (santhosh-tekuri/jsonschema).
 */
#include "engine_int.h"
#include "../policy/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_MAX_DEPTH 32
#define SCHEMA_MAX_ERRORS 100

typedef struct SchemaRun
{
	Arena	   *arena;
	const char *source;			/* SOURCE_PRINCIPAL / SOURCE_RESOURCE */
	EValidationError *errors;
	int			nerrors;
} SchemaRun;

/* A schema keyword's value, or NULL. */
static const CelValue *
kw(const CelValue *schema, const char *name)
{
	size_t		i;

	if (schema == NULL || schema->kind != CEL_VAL_MAP)
		return NULL;
	for (i = 0; i < schema->u.map->len; i++)
	{
		const CelValue *k = &schema->u.map->keys[i];

		if (k->kind == CEL_VAL_STRING && k->u.str.len == strlen(name) &&
			memcmp(k->u.str.ptr, name, k->u.str.len) == 0)
			return &schema->u.map->values[i];
	}
	return NULL;
}

/* JSON Schema's name for an instance's type. */
static const char *
schema_type_name(const CelValue *v)
{
	switch (v->kind)
	{
		case CEL_VAL_NULL:
			return "null";
		case CEL_VAL_BOOL:
			return "boolean";
		case CEL_VAL_DOUBLE:
			return v->u.d == floor(v->u.d) && isfinite(v->u.d) ? "integer" : "number";
		case CEL_VAL_INT:
		case CEL_VAL_UINT:
			return "integer";
		case CEL_VAL_STRING:
			return "string";
		case CEL_VAL_LIST:
			return "array";
		case CEL_VAL_MAP:
			return "object";
		default:
			return "unknown";
	}
}

/* Does the instance have the named JSON type? */
static bool
has_type(const CelValue *v, const char *t, size_t len)
{
	const char *jt = schema_type_name(v);

	if (len == 6 && memcmp(t, "number", 6) == 0)
		return strcmp(jt, "number") == 0 || strcmp(jt, "integer") == 0;
	return strlen(jt) == len && memcmp(jt, t, len) == 0;
}

/* Records one validation error (up to SCHEMA_MAX_ERRORS). */
static void
add_error(SchemaRun *run, const char *path, const char *message)
{
	if (run->nerrors >= SCHEMA_MAX_ERRORS)
		return;
	run->errors[run->nerrors].path = path[0] ? path : "/";
	run->errors[run->nerrors].message = message;
	run->errors[run->nerrors].source = run->source;
	run->nerrors++;
}

/* A value as JSON text for messages. */
static const char *
quote(Arena *arena, const CelValue *v)
{
	json_t	   *j = engine_cel_to_json(*v, 0);
	char	   *s = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	const char *out = s ? arena_strdup(arena, s) : "?";

	free(s);
	json_decref(j);
	return out;
}

static void validate(SchemaRun *run, const CelValue *schema, const CelValue *v,
					 const char *path, int depth);

/* type: a name or a list of names. */
static bool
check_type(SchemaRun *run, const CelValue *t, const CelValue *v, const char *path)
{
	size_t		i;
	char		want[256] = "";

	if (t->kind == CEL_VAL_STRING)
	{
		if (has_type(v, t->u.str.ptr, t->u.str.len))
			return true;
		snprintf(want, sizeof(want), "%.*s", (int) t->u.str.len, t->u.str.ptr);
	}
	else if (t->kind == CEL_VAL_LIST)
	{
		for (i = 0; i < t->u.list->len; i++)
		{
			const CelValue *e = &t->u.list->items[i];

			if (e->kind == CEL_VAL_STRING && has_type(v, e->u.str.ptr, e->u.str.len))
				return true;
			if (e->kind == CEL_VAL_STRING)
				snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%.*s",
						 i ? " or " : "", (int) e->u.str.len, e->u.str.ptr);
		}
	}
	else
		return true;
	add_error(run, path, arena_printf(run->arena, "got %s, want %s",
									  strcmp(schema_type_name(v), "integer") == 0 ? "number" : schema_type_name(v), want));
	return false;
}

/* Numeric bounds. */
static void
check_number(SchemaRun *run, const CelValue *schema, double d, const char *path)
{
	const CelValue *b;

	if ((b = kw(schema, "minimum")) && b->kind == CEL_VAL_DOUBLE && d < b->u.d)
		add_error(run, path, arena_printf(run->arena, "must be >= %g but found %g", b->u.d, d));
	if ((b = kw(schema, "maximum")) && b->kind == CEL_VAL_DOUBLE && d > b->u.d)
		add_error(run, path, arena_printf(run->arena, "must be <= %g but found %g", b->u.d, d));
	if ((b = kw(schema, "exclusiveMinimum")) && b->kind == CEL_VAL_DOUBLE && d <= b->u.d)
		add_error(run, path, arena_printf(run->arena, "must be > %g but found %g", b->u.d, d));
	if ((b = kw(schema, "exclusiveMaximum")) && b->kind == CEL_VAL_DOUBLE && d >= b->u.d)
		add_error(run, path, arena_printf(run->arena, "must be < %g but found %g", b->u.d, d));
}

/* Number of UTF-8 code points. */
static size_t
utf8_len(const char *s, size_t n)
{
	size_t		i,
				count = 0;

	for (i = 0; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

/* Validates one instance against one schema. */
static void
validate(SchemaRun *run, const CelValue *schema, const CelValue *v, const char *path, int depth)
{
	const CelValue *k;
	size_t		i,
				j;

	if (depth > SCHEMA_MAX_DEPTH || schema == NULL)
		return;
	if (schema->kind == CEL_VAL_BOOL)
	{
		if (!schema->u.b)
			add_error(run, path, "not allowed");
		return;
	}
	if (schema->kind != CEL_VAL_MAP)
		return;
	if ((k = kw(schema, "type")) && !check_type(run, k, v, path))
		return;
	if ((k = kw(schema, "const")) && !cel_equal_bool(*k, *v))
		add_error(run, path, arena_printf(run->arena, "value must be %s", quote(run->arena, k)));
	if ((k = kw(schema, "enum")) && k->kind == CEL_VAL_LIST)
	{
		bool		found = false;
		char	   *msg = arena_strdup(run->arena, "value must be one of ");

		for (i = 0; i < k->u.list->len && !found; i++)
			if (cel_equal_bool(k->u.list->items[i], *v))
				found = true;
		if (!found)
		{
			for (i = 0; i < k->u.list->len; i++)
				msg = arena_printf(run->arena, "%s%s%s", msg, i ? ", " : "",
								   quote(run->arena, &k->u.list->items[i]));
			add_error(run, path, msg);
		}
	}
	if (v->kind == CEL_VAL_DOUBLE)
		check_number(run, schema, v->u.d, path);
	if (v->kind == CEL_VAL_STRING)
	{
		size_t		n = utf8_len(v->u.str.ptr, v->u.str.len);

		if ((k = kw(schema, "minLength")) && k->kind == CEL_VAL_DOUBLE && n < k->u.d)
			add_error(run, path, arena_printf(run->arena, "length must be >= %g, but got %zu", k->u.d, n));
		if ((k = kw(schema, "maxLength")) && k->kind == CEL_VAL_DOUBLE && n > k->u.d)
			add_error(run, path, arena_printf(run->arena, "length must be <= %g, but got %zu", k->u.d, n));
	}
	if (v->kind == CEL_VAL_LIST)
	{
		const CelList *l = v->u.list;

		if ((k = kw(schema, "minItems")) && k->kind == CEL_VAL_DOUBLE && l->len < k->u.d)
			add_error(run, path, arena_printf(run->arena, "minimum %g items required, but found %zu items", k->u.d, l->len));
		if ((k = kw(schema, "maxItems")) && k->kind == CEL_VAL_DOUBLE && l->len > k->u.d)
			add_error(run, path, arena_printf(run->arena, "maximum %g items required, but found %zu items", k->u.d, l->len));
		if ((k = kw(schema, "items")) && (k->kind == CEL_VAL_MAP || k->kind == CEL_VAL_BOOL))
			for (i = 0; i < l->len; i++)
				validate(run, k, &l->items[i], arena_printf(run->arena, "%s/%zu", path, i), depth + 1);
	}
	if (v->kind == CEL_VAL_MAP)
	{
		const CelMap *m = v->u.map;
		const CelValue *props = kw(schema, "properties");
		const CelValue *addl = kw(schema, "additionalProperties");

		if ((k = kw(schema, "required")) && k->kind == CEL_VAL_LIST)
			for (i = 0; i < k->u.list->len; i++)
			{
				CelValue	dummy;

				if (!cel_map_get(m, k->u.list->items[i], &dummy))
					add_error(run, path, arena_printf(run->arena, "missing property %s",
													  quote(run->arena, &k->u.list->items[i])));
			}
		for (i = 0; i < m->len; i++)
		{
			const CelValue *key = &m->keys[i];
			const CelValue *sub = NULL;
			const char *kpath;

			if (key->kind != CEL_VAL_STRING)
				continue;
			kpath = arena_printf(run->arena, "%s/%.*s", path, (int) key->u.str.len, key->u.str.ptr);
			if (props && props->kind == CEL_VAL_MAP)
				for (j = 0; j < props->u.map->len && sub == NULL; j++)
					if (cel_equal_bool(props->u.map->keys[j], *key))
						sub = &props->u.map->values[j];
			if (sub != NULL)
				validate(run, sub, &m->values[i], kpath, depth + 1);
			else if (addl != NULL)
			{
				if (addl->kind == CEL_VAL_BOOL && !addl->u.b)
					add_error(run, path, arena_printf(run->arena, "additional properties %s not allowed",
													  quote(run->arena, key)));
				else
					validate(run, addl, &m->values[i], kpath, depth + 1);
			}
		}
	}
}

/* Is every requested action in ignoreWhen.actions (globs)? */
static bool
ignored(const ESchemaRef *ref, const EResourceEntry *entry)
{
	int			i,
				j;

	if (ref->nignore == 0)
		return false;
	for (i = 0; i < entry->nactions; i++)
	{
		bool		hit = false;

		for (j = 0; j < ref->nignore && !hit; j++)
			hit = engine_glob_match(ref->ignore[j], entry->actions[i]);
		if (!hit)
			return false;
	}
	return true;
}

/*
 * Validates a resource entry's principal and resource attributes against
 * the schemas of the resource policy `pol`.  Returns the number of errors
 * (stored in *errors).
 */
int
engine_validate(Arena *arena, const EPolicy *pol, const EPrincipal *principal,
				const EResourceEntry *entry, EValidationError **errors)
{
	SchemaRun	run;

	*errors = NULL;
	if (pol == NULL)
		return 0;
	run.arena = arena;
	run.errors = arena_alloc0(arena, sizeof(EValidationError) * SCHEMA_MAX_ERRORS);
	run.nerrors = 0;
	if (run.errors == NULL)
		return 0;
	if (pol->principal_schema.present && !ignored(&pol->principal_schema, entry))
	{
		run.source = "SOURCE_PRINCIPAL";
		validate(&run, &pol->principal_schema.schema, &principal->attr, "", 0);
	}
	if (pol->resource_schema.present && !ignored(&pol->resource_schema, entry))
	{
		run.source = "SOURCE_RESOURCE";
		validate(&run, &pol->resource_schema.schema, &entry->resource.attr, "", 0);
	}
	*errors = run.errors;
	return run.nerrors;
}

/* Loads one schema reference of a policy ("cerbos:///x.json"). */
bool
engine_load_schema_ref(Arena *arena, const PolicyDir *dir, const Policy *pol,
					   const PSchemaRef *ref, ESchemaRef *out, DiagList *diags)
{
	const char *name;
	const PSchemaFile *file;
	json_error_t jerr;
	json_t	   *j;
	int			i;

	memset(out, 0, sizeof(*out));
	if (!ref->present || !ref->ref.present)
		return true;
	name = ref->ref.s;
	if (strncmp(name, "cerbos:///", 10) == 0)
		name += 10;
	file = policy_dir_schema(dir, name);
	if (file == NULL)
	{
		diag_add(diags, pol->file, ref->ref.pos.line, ref->ref.pos.column,
				 "schema \"%s\" not found", ref->ref.s);
		return false;
	}
	j = json_loadb(file->text, file->len, 0, &jerr);
	if (j == NULL)
	{
		diag_add(diags, file->name, jerr.line, jerr.column, "invalid JSON schema: %s", jerr.text);
		return false;
	}
	out->schema = engine_json_to_cel(arena, j, 0);
	json_decref(j);
	out->present = true;
	out->nignore = ref->ignore_actions.count;
	out->ignore = arena_alloc0(arena, sizeof(char *) * (out->nignore + 1));
	if (out->ignore == NULL)
		return false;
	for (i = 0; i < out->nignore; i++)
		out->ignore[i] = ref->ignore_actions.items[i].s;
	return true;
}
