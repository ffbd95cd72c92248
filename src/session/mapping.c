/*
 * mapping.c — principal mapping specs: what claim feeds which part of the
 * principal.
 *
 * A spec is parsed once (the PostgreSQL layer keeps it with the GUC that
 * holds it) into claim paths split at the dots, so that mapping a token
 * only walks objects.  Unknown keys and wrong types are refused when the
 * spec is parsed, never silently ignored when a token is mapped.
 */
#include "session_int.h"

#include <string.h>

#define ST_MAX_PATH_PARTS 16
#define ST_MAX_SPEC_ATTRS 256

/* Claims the mapping handles itself or that describe the token, not the user. */
static const char *const reserved_claims[] = {
	"sub", "exp", "iat", "nbf", "iss", "aud", "jti", "sessionHandle",
	"refreshTokenHash1", "parentRefreshTokenHash1", "antiCsrfToken", "rsub",
	"tId", "stt", "st-role", "st-perm", "st-ev", NULL
};

/* Whether a top-level claim is reserved. */
bool
st_claim_is_reserved(const char *name)
{
	int			i;

	for (i = 0; reserved_claims[i]; i++)
		if (strcmp(reserved_claims[i], name) == 0)
			return true;
	return false;
}

/* Splits "a.b.c" into a path; false for empty parts or too many. */
static bool
parse_path(Arena *arena, const char *text, StPath *path)
{
	const char *p = text;
	int			n = 0;

	path->parts = arena_alloc(arena, sizeof(char *) * ST_MAX_PATH_PARTS);
	if (path->parts == NULL)
		return false;
	for (;;)
	{
		const char *dot = strchr(p, '.');
		size_t		len = dot ? (size_t) (dot - p) : strlen(p);

		if (len == 0 || n == ST_MAX_PATH_PARTS)
			return false;
		path->parts[n] = arena_strndup(arena, p, len);
		if (path->parts[n] == NULL)
			return false;
		n++;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	path->nparts = n;
	return true;
}

/* Follows a path from the payload root; NULL when a step is missing. */
json_t *
st_resolve_path(json_t *root, const StPath *path)
{
	json_t	   *v = root;
	int			i;

	for (i = 0; i < path->nparts && v != NULL; i++)
		v = json_is_object(v) ? json_object_get(v, path->parts[i]) : NULL;
	if (v != NULL && json_is_null(v))
		return NULL;
	return v;
}

/* Reads a boolean spec member into *out (absent = unchanged). */
static bool
spec_bool(json_t *spec, const char *name, bool *out)
{
	json_t	   *v = json_object_get(spec, name);

	if (v == NULL)
		return true;
	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

/* Parses a mapping spec; see session.h. */
StMapping *
st_mapping_parse(const char *json, size_t len, Arena *arena, StError *err)
{
	StMapping  *m;
	json_t	   *spec = NULL;
	json_t	   *v;
	const char *key;
	StError		local_err;

	if (err == NULL)
		err = &local_err;
	if (arena == NULL)
	{
		st_fail(err, NULL, ST_BAD_ARGUMENT, "an arena is required");
		return NULL;
	}
	m = arena_alloc0(arena, sizeof(StMapping));
	if (m == NULL || !parse_path(arena, "sub", &m->id) ||
		!parse_path(arena, "st-role.v", &m->roles))
	{
		st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	m->default_role = "user";
	m->standard_attrs = true;
	m->include_custom = true;
	if (json == NULL || len == 0)
		return m;

	spec = st_parse_object(json, len, arena, "principal mapping", err);
	if (spec == NULL)
	{
		st_fail(err, arena, ST_BAD_MAPPING, "%s", err->message);
		return NULL;
	}
	json_object_foreach(spec, key, v)
	{
		if (strcmp(key, "id") == 0 || strcmp(key, "roles") == 0)
		{
			StPath	   *path = key[0] == 'i' ? &m->id : &m->roles;

			if (!json_is_string(v) || !parse_path(arena, json_string_value(v), path))
				goto bad;
		}
		else if (strcmp(key, "defaultRole") == 0)
		{
			if (json_is_null(v))
				m->default_role = NULL;
			else if (json_is_string(v) && json_string_length(v) > 0)
				m->default_role = arena_strdup(arena, json_string_value(v));
			else
				goto bad;
		}
		else if (strcmp(key, "scopeFromTenant") == 0)
		{
			if (!spec_bool(spec, key, &m->scope_from_tenant))
				goto bad;
		}
		else if (strcmp(key, "standardAttrs") == 0)
		{
			if (!spec_bool(spec, key, &m->standard_attrs))
				goto bad;
		}
		else if (strcmp(key, "includeCustomClaims") == 0)
		{
			if (!spec_bool(spec, key, &m->include_custom))
				goto bad;
		}
		else if (strcmp(key, "attr") == 0)
		{
			const char *name;
			json_t	   *path;
			int			i = 0;

			if (!json_is_object(v) || json_object_size(v) > ST_MAX_SPEC_ATTRS)
				goto bad;
			m->nattrs = (int) json_object_size(v);
			m->attr_names = arena_alloc0(arena, sizeof(char *) * (m->nattrs + 1));
			m->attr_paths = arena_alloc0(arena, sizeof(StPath) * (m->nattrs + 1));
			if (m->attr_names == NULL || m->attr_paths == NULL)
				goto bad;
			json_object_foreach(v, name, path)
			{
				if (name[0] == '\0' || !json_is_string(path) ||
					!parse_path(arena, json_string_value(path), &m->attr_paths[i]))
				{
					key = name;
					goto bad;
				}
				m->attr_names[i] = arena_strdup(arena, name);
				if (m->attr_names[i] == NULL)
					goto bad;
				i++;
			}
		}
		else
		{
			st_fail(err, arena, ST_BAD_MAPPING,
					"principal mapping has an unknown key \"%s\"",
					st_sanitize(arena, key));
			json_decref(spec);
			return NULL;
		}
	}
	json_decref(spec);
	return m;

bad:
	st_fail(err, arena, ST_BAD_MAPPING,
			"principal mapping: \"%s\" has the wrong type or an invalid claim path",
			st_sanitize(arena, key));
	json_decref(spec);
	return NULL;
}
