/*
 * principal.c — verified SuperTokens claims to a Cerbos principal.
 *
 * The default mapping follows issue 6: id from sub, roles from st-role.v
 * (or a default role, since Cerbos needs at least one), attributes for the
 * tenant, permissions, email verification, session handle and recipe user,
 * plus every custom top-level claim by its name.  A spec (see session.h)
 * can point id and roles at other claims, add attributes from claim paths,
 * drop the standard or custom attributes and scope the principal by tenant.
 *
 * Precedence inside attr, lowest first: custom claims, standard
 * attributes, the core's facts (metadata), the spec's explicit attributes.
 * A custom claim can therefore never pose as tenantId or sessionHandle.
 */
#include "session_int.h"

#include <string.h>

#define ST_MAX_PATH_PARTS 16
#define ST_MAX_SPEC_ATTRS 256

/* A dot-separated claim path, split. */
typedef struct StPath
{
	int			nparts;
	const char **parts;
} StPath;

struct StMapping
{
	StPath		id;
	StPath		roles;
	const char *default_role;	/* NULL: refuse tokens without roles */
	bool		scope_from_tenant;
	bool		standard_attrs;
	bool		include_custom;
	int			nattrs;
	const char **attr_names;
	StPath	   *attr_paths;
};

/* Claims the mapping handles itself or that describe the token, not the user. */
static const char *const reserved_claims[] = {
	"sub", "exp", "iat", "nbf", "iss", "aud", "jti", "sessionHandle",
	"refreshTokenHash1", "parentRefreshTokenHash1", "antiCsrfToken", "rsub",
	"tId", "stt", "st-role", "st-perm", "st-ev", NULL
};

/* Whether a top-level claim is reserved. */
static bool
is_reserved(const char *name)
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
static json_t *
resolve_path(json_t *root, const StPath *path)
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

/* Adds an array of C strings as a JSON array under name. */
static bool
set_string_array(json_t *obj, const char *name, const char *const *items, int n)
{
	json_t	   *arr = json_array();
	int			i;

	if (arr == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (items[i] == NULL || json_array_append_new(arr, json_string(items[i])) != 0)
		{
			json_decref(arr);
			return false;
		}
	return json_object_set_new(obj, name, arr) == 0;
}

/* The roles array: token claim, else the core's roles, else the default. */
static StStatus
build_roles(const StMapping *m, json_t *claims, const StPrincipalExtras *extras,
			Arena *arena, json_t *principal, StError *err)
{
	json_t	   *v = resolve_path(claims, &m->roles);
	json_t	   *roles;
	size_t		i;

	if (v != NULL && json_is_string(v) && json_string_length(v) > 0)
	{
		roles = json_array();
		if (roles == NULL || json_array_append(roles, v) != 0)
		{
			json_decref(roles);
			return st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
		}
		return json_object_set_new(principal, "roles", roles) == 0 ? ST_OK :
			st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
	}
	if (v != NULL && !json_is_array(v))
		return st_fail(err, arena, ST_INVALID_CLAIM,
					   "roles claim is not a string or an array of strings");
	if (v != NULL && json_array_size(v) > 0)
	{
		for (i = 0; i < json_array_size(v); i++)
		{
			json_t	   *r = json_array_get(v, i);

			if (!json_is_string(r) || json_string_length(r) == 0)
				return st_fail(err, arena, ST_INVALID_CLAIM,
							   "roles claim holds something other than non-empty strings");
		}
		return json_object_set(principal, "roles", v) == 0 ? ST_OK :
			st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
	}
	if (extras && extras->nroles > 0)
		return set_string_array(principal, "roles", extras->roles, extras->nroles) ?
			ST_OK : st_fail(err, arena, ST_BAD_ARGUMENT, "bad roles from the core");
	if (m->default_role == NULL)
		return st_fail(err, arena, ST_NO_ROLES,
					   "token carries no roles and the mapping has no default role");
	return set_string_array(principal, "roles", &m->default_role, 1) ? ST_OK :
		st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
}

/* The attr object, in the precedence order described at the top. */
static StStatus
build_attr(const StMapping *m, const StVerified *verified,
		   const StPrincipalExtras *extras, Arena *arena, json_t *attr,
		   StError *err)
{
	json_t	   *claims = verified->claims;
	const char *name;
	json_t	   *v;
	int			i;
	bool		ok = true;

	if (m->include_custom)
		json_object_foreach(claims, name, v)
			if (!is_reserved(name))
			ok &= json_object_set(attr, name, v) == 0;

	if (m->standard_attrs)
	{
		json_t	   *perm = json_object_get(json_object_get(claims, "st-perm"), "v");
		json_t	   *ev = json_object_get(json_object_get(claims, "st-ev"), "v");

		ok &= json_object_set_new(attr, "tenantId", json_string(verified->tenant_id)) == 0;
		ok &= json_object_set_new(attr, "sessionHandle",
								  json_string(verified->session_handle)) == 0;
		ok &= json_object_set_new(attr, "recipeUserId",
								  json_string(verified->recipe_user_id)) == 0;
		if (json_is_array(perm))
			ok &= json_object_set(attr, "permissions", perm) == 0;
		else if (extras && extras->npermissions > 0)
			ok &= set_string_array(attr, "permissions", extras->permissions,
								   extras->npermissions);
		else
			json_object_del(attr, "permissions");
		if (json_is_boolean(ev))
			ok &= json_object_set(attr, "emailVerified", ev) == 0;
		else
			json_object_del(attr, "emailVerified");
	}

	if (extras && extras->metadata_json && extras->metadata_len > 0)
	{
		StError		merr;
		json_t	   *meta = st_parse_object(extras->metadata_json,
										   extras->metadata_len, arena,
										   "user metadata", &merr);

		if (meta == NULL)
			return st_fail(err, arena, ST_BAD_ARGUMENT, "%s", merr.message);
		ok &= json_object_set_new(attr, "metadata", meta) == 0;
	}

	for (i = 0; i < m->nattrs; i++)
	{
		v = resolve_path(claims, &m->attr_paths[i]);
		if (v != NULL)
			ok &= json_object_set(attr, m->attr_names[i], v) == 0;
	}
	return ok ? ST_OK : st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
}

/*
 * Whether a tenant id can serve as a Cerbos scope of its own.  Scopes are
 * dot-separated and inherit from their prefixes, so a tenant named
 * "acme.x" would pick up the policies of tenant "acme": only one segment
 * of letters, digits, '-' and '_' is allowed.
 */
static bool
is_single_scope_segment(const char *s)
{
	const char *p;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
		  (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return p - s <= 128;
}

/* Serialises a JSON value (compact, sorted keys) into the arena. */
static char *
dump_to_arena(json_t *value, Arena *arena)
{
	char	   *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char	   *copy;

	if (text == NULL)
		return NULL;
	copy = arena_strdup(arena, text);
	free(text);
	return copy;
}

/* Builds the principal (and optionally the claims) as JSON text. */
StStatus
st_principal_build(const StMapping *mapping, const StVerified *verified,
				   const StPrincipalExtras *extras, Arena *arena,
				   char **principal_json, char **claims_json, StError *err)
{
	json_t	   *principal = NULL;
	json_t	   *attr = NULL;
	json_t	   *id;
	StStatus	s;
	StError		local_err;

	if (err == NULL)
		err = &local_err;
	if (arena == NULL)
		return st_fail(err, NULL, ST_BAD_ARGUMENT, "an arena is required");
	if (mapping == NULL || verified == NULL || verified->claims == NULL ||
		principal_json == NULL)
		return st_fail(err, arena, ST_BAD_ARGUMENT,
					   "mapping, verified claims and output are required");
	*principal_json = NULL;
	if (claims_json)
		*claims_json = NULL;

	id = resolve_path(verified->claims, &mapping->id);
	if (id == NULL)
		return st_fail(err, arena, ST_MISSING_CLAIM,
					   "the principal id claim \"%s\" is missing", mapping->id.parts[0]);
	if (!json_is_string(id) || json_string_length(id) == 0)
		return st_fail(err, arena, ST_INVALID_CLAIM,
					   "the principal id claim \"%s\" is not a non-empty string",
					   mapping->id.parts[0]);

	if (mapping->scope_from_tenant && !is_single_scope_segment(verified->tenant_id))
		return st_fail(err, arena, ST_INVALID_CLAIM,
					   "tenant id \"%s\" cannot be used as a policy scope",
					   st_sanitize(arena, verified->tenant_id));

	principal = json_object();
	attr = json_object();
	if (principal == NULL || attr == NULL ||
		json_object_set(principal, "id", id) != 0)
	{
		s = st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
		goto done;
	}
	if ((s = build_roles(mapping, verified->claims, extras, arena, principal, err)) != ST_OK ||
		(s = build_attr(mapping, verified, extras, arena, attr, err)) != ST_OK)
		goto done;
	if (json_object_set(principal, "attr", attr) != 0 ||
		json_object_set_new(principal, "scope",
							json_string(mapping->scope_from_tenant ?
										verified->tenant_id : "")) != 0)
	{
		s = st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
		goto done;
	}
	*principal_json = dump_to_arena(principal, arena);
	if (claims_json)
		*claims_json = verified->payload_json ?
			arena_strndup(arena, verified->payload_json, verified->payload_len) :
			dump_to_arena(verified->claims, arena);
	if (*principal_json == NULL || (claims_json && *claims_json == NULL))
		s = st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
	else
		s = ST_OK;
done:
	json_decref(attr);
	json_decref(principal);
	return s;
}

/* Verify, consult the hook, and map in one call, leaving only arena text. */
StStatus
st_session_authenticate(const StKeySet *keys, const char *token, size_t len,
						const StVerifyOptions *options,
						const StMapping *mapping,
						const StPrincipalExtras *extras,
						const StSessionHook *hook, Arena *arena,
						StSession *out, StError *err)
{
	StVerified	verified;
	StPrincipalExtras hook_extras;
	StStatus	s;
	StError		local_err;

	if (err == NULL)
		err = &local_err;
	if (out == NULL)
		return st_fail(err, arena, ST_BAD_ARGUMENT, "a result is required");
	memset(out, 0, sizeof(*out));
	if (mapping == NULL)
	{
		mapping = st_mapping_parse(NULL, 0, arena, err);
		if (mapping == NULL)
			return err->status;
	}
	s = st_verify(keys, token, len, options, arena, &verified, err);
	if (s != ST_OK)
		return s;
	if (hook && hook->after_verify)
	{
		if (extras)
			hook_extras = *extras;
		else
			memset(&hook_extras, 0, sizeof(hook_extras));
		err->status = ST_OK;
		err->message = NULL;
		s = hook->after_verify(hook->arg, &verified, arena, &hook_extras, err);
		if (s != ST_OK && err->status != s)
			st_fail(err, arena, s, "the session was refused (%s)", st_status_name(s));
		extras = &hook_extras;
	}
	if (s == ST_OK)
		s = st_principal_build(mapping, &verified, extras, arena,
							   &out->principal_json, &out->claims_json, err);
	if (s == ST_OK)
	{
		out->version = verified.version;
		out->kid = verified.kid;
		out->sub = verified.sub;
		out->session_handle = verified.session_handle;
		out->tenant_id = verified.tenant_id;
		out->recipe_user_id = verified.recipe_user_id;
		out->exp_s = verified.exp_s;
		out->log_label = st_verified_log_label(&verified, arena);
	}
	else
		memset(out, 0, sizeof(*out));
	st_verified_clear(&verified);
	return s;
}
