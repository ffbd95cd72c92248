/*
 * schemas.c — checking the JSON schemas that policies reference.
 *
 * Cerbos compiles every schema a policy names (schemas.principalSchema /
 * resourceSchema) when it compiles the policy, so a missing file, a file
 * that is not JSON, a schema that is neither an object nor a boolean, an
 * impossible "type", or a "$ref" to a file that does not exist all fail the
 * load.  This file checks those, following "$ref"s between files under
 * _schemas/ (each file once).  Validating requests against the schemas is
 * the engine's job; it gets the text from PolicyDir.schemas.
 */
#include "compiler.h"

#include "../common/jansson_safe.h"
#include <string.h>
#include <sys/stat.h>

#define MAX_SCHEMA_FILES 256
#define MAX_SCHEMA_DEPTH 64

typedef struct SchemaCheck
{
	Arena	   *arena;
	const PolicySet *set;
	DiagList   *diags;
	const char *file;			/* the policy file */
	PPos		pos;
	const char *which;			/* "principal" or "resource" */
	const char *ref;			/* as written in the policy */
	const char *visited[MAX_SCHEMA_FILES];
	int			nvisited;
	bool		ok;
} SchemaCheck;

/* Reports a problem with the schema a policy references. */
static void
schema_error(SchemaCheck *c, const char *detail)
{
	diag_add(c->diags, c->file, c->pos.line, c->pos.column,
			 "Failed to load %s schema \"%s\": %s", c->which, c->ref, detail);
	c->ok = false;
}

static bool check_schema_file(SchemaCheck *c, const char *name, const char *url);

/* Whether a "type" keyword names JSON Schema types only. */
static bool
valid_type_keyword(const json_t *type)
{
	static const char *const names[] = {
		"array", "boolean", "integer", "null", "number", "object", "string"
	};
	size_t		i,
				k;

	if (json_is_string(type))
	{
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strcmp(json_string_value(type), names[k]) == 0)
				return true;
		return false;
	}
	if (!json_is_array(type) || json_array_size(type) == 0)
		return false;
	for (i = 0; i < json_array_size(type); i++)
		if (!json_is_string(json_array_get(type, i)) || !valid_type_keyword(json_array_get(type, i)))
			return false;
	return true;
}

/* Removes "." and "dir/.." segments; ".." above the root stays (and fails). */
static const char *
normalise_path(Arena *arena, const char *path)
{
	const char *segs[128];
	int			n = 0;
	const char *p = path;
	char	   *out;
	char	   *o;
	int			i;

	while (*p)
	{
		const char *end = strchr(p, '/');
		size_t		len = end ? (size_t) (end - p) : strlen(p);

		if (len == 0 || (len == 1 && p[0] == '.'))
			;
		else if (len == 2 && p[0] == '.' && p[1] == '.' && n > 0 &&
				 strncmp(segs[n - 1], "../", 3) != 0)
			n--;
		else if (n < 128)
			segs[n++] = p;
		p += len;
		if (*p == '/')
			p++;
	}
	out = arena_alloc(arena, strlen(path) + 1);
	if (out == NULL)
		return NULL;
	o = out;
	for (i = 0; i < n; i++)
	{
		size_t		len = strcspn(segs[i], "/");

		if (i > 0)
			*o++ = '/';
		memcpy(o, segs[i], len);
		o += len;
	}
	*o = '\0';
	return out;
}

/* Resolves a relative "$ref" against the referencing file's directory. */
static const char *
resolve_ref(Arena *arena, const char *from, const char *ref)
{
	const char *slash = strrchr(from, '/');
	size_t		len = strcspn(ref, "#");

	const char *joined;

	if (strncmp(ref, "cerbos:///", 10) == 0)
		joined = arena_strndup(arena, ref + 10, len - 10);
	else if (slash == NULL || ref[0] == '/')
		joined = arena_strndup(arena, ref[0] == '/' ? ref + 1 : ref, ref[0] == '/' ? len - 1 : len);
	else
		joined = arena_printf(arena, "%.*s/%.*s", (int) (slash - from), from, (int) len, ref);
	return joined ? normalise_path(arena, joined) : NULL;
}

/* Walks a schema: "type" keywords and "$ref"s to other files. */
static void
walk_schema(SchemaCheck *c, const char *name, const char *url, const json_t *node, int depth)
{
	const char *key;
	json_t	   *value;
	size_t		i;

	if (depth > MAX_SCHEMA_DEPTH || !c->ok)
		return;
	if (json_is_array(node))
	{
		for (i = 0; i < json_array_size(node); i++)
			walk_schema(c, name, url, json_array_get(node, i), depth + 1);
		return;
	}
	if (!json_is_object(node))
		return;
	json_object_foreach((json_t *) node, key, value)
	{
		if (strcmp(key, "type") == 0 && !json_is_object(value) && !valid_type_keyword(value))
		{
			schema_error(c, arena_printf(c->arena, "jsonschema %s compilation failed: "
										 "'type' must be one of \"array\", \"boolean\", "
										 "\"integer\", \"null\", \"number\", \"object\", \"string\"",
										 url));
			return;
		}
		if (strcmp(key, "$ref") == 0 && json_is_string(value))
		{
			const char *ref = json_string_value(value);

			/* in-document references, and URLs Cerbos would fetch, are not files here */
			if (ref[0] == '#' ||
				(strstr(ref, "://") != NULL && strncmp(ref, "cerbos:///", 10) != 0))
				continue;
			{
				const char *target = resolve_ref(c->arena, name, ref);

				if (target && !check_schema_file(c, target, url))
					return;
			}
			continue;
		}
		walk_schema(c, name, url, value, depth + 1);
	}
}

/* Checks one schema file under _schemas/ (once). */
static bool
check_schema_file(SchemaCheck *c, const char *name, const char *referrer)
{
	const PSchemaFile *f;
	json_t	   *root;
	json_error_t err;
	const char *url = arena_printf(c->arena, "cerbos:///%s", name);
	int			i;

	for (i = 0; i < c->nvisited; i++)
		if (strcmp(c->visited[i], name) == 0)
			return true;
	if (c->nvisited == MAX_SCHEMA_FILES)
		return true;
	c->visited[c->nvisited++] = name;
	f = policy_dir_schema(&c->set->dir, name);
	if (f == NULL)
	{
		if (referrer)
			schema_error(c, arena_printf(c->arena, "schema _schemas/%s referenced by %s doesn't exist",
										 name, referrer));
		else
			schema_error(c, arena_printf(c->arena, "schema _schemas/%s doesn't exist", name));
		return false;
	}
	root = json_loadb(f->text, f->len, JSON_DECODE_ANY, &err);
	if (root == NULL)
	{
		schema_error(c, arena_printf(c->arena, "jsonschema %s compilation failed: invalid json %s: %s",
									 url, url, err.text));
		return false;
	}
	if (!json_is_object(root) && !json_is_boolean(root))
		schema_error(c, arena_printf(c->arena, "jsonschema %s compilation failed: "
									 "expected object or boolean", url));
	else
		walk_schema(c, name, url, root, 0);
	json_decref(root);
	return c->ok;
}

/* Checks a schema reference of a policy; true when it can be used. */
bool
compile_check_schema_ref(Arena *arena, const PolicySet *set, const CompiledPolicy *cp,
						 const PSchemaRef *ref, const char *which, DiagList *diags)
{
	SchemaCheck c;
	const char *prefix = "cerbos:///";

	if (!ref->present || ref->ref.s == NULL || ref->ref.s[0] == '\0')
		return true;
	memset(&c, 0, sizeof(c));
	c.arena = arena;
	c.set = set;
	c.diags = diags;
	c.file = cp->policy->file;
	c.pos = ref->pos;
	c.which = which;
	c.ref = ref->ref.s;
	c.ok = true;
	if (strncmp(ref->ref.s, "file://", 7) == 0)
	{
		struct stat st;

		if (stat(ref->ref.s + 7, &st) == 0 && S_ISREG(st.st_mode))
			return true;
		schema_error(&c, arena_printf(arena, "schema %s doesn't exist", ref->ref.s + 7));
		return false;
	}
	if (strncmp(ref->ref.s, prefix, strlen(prefix)) != 0)
	{
		/* Cerbos would fetch it over the network; a database load does not */
		schema_error(&c, "only cerbos:/// and file:// references are supported");
		return false;
	}
	return check_schema_file(&c, ref->ref.s + strlen(prefix), NULL);
}
