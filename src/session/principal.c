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

#include <stdlib.h>
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

static char *dump_to_arena(json_t *value, Arena *arena);

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

/* One attribute of the principal, from the claims or from the caller. */
typedef struct AttrEntry
{
	const char *name;
	json_t	   *json;			/* a claim value, or */
	const char *str;			/* a C string, or */
	const char *const *list;	/* a list of C strings (n items) */
	int			n;
	bool		removed;		/* a standard attribute the token lacks */
} AttrEntry;

typedef struct AttrSet
{
	AttrEntry  *items;
	int			count;
	int			capacity;
	Arena	   *arena;
} AttrSet;

/* Sets name to entry, replacing an earlier entry of the same name. */
static bool
attr_put(AttrSet *set, const char *name, AttrEntry entry)
{
	int			i;

	entry.name = name;
	for (i = 0; i < set->count; i++)
		if (strcmp(set->items[i].name, name) == 0)
		{
			set->items[i] = entry;
			return true;
		}
	if (set->count == set->capacity)
	{
		int			cap = set->capacity ? set->capacity * 2 : 16;
		AttrEntry  *grown = arena_realloc(set->arena, set->items,
										  sizeof(AttrEntry) * set->capacity,
										  sizeof(AttrEntry) * cap);

		if (grown == NULL)
			return false;
		set->items = grown;
		set->capacity = cap;
	}
	set->items[set->count++] = entry;
	return true;
}

/* Entry constructors. */
static AttrEntry
attr_json(json_t *v)
{
	AttrEntry	e = {0};

	e.json = v;
	return e;
}

static AttrEntry
attr_str(const char *s)
{
	AttrEntry	e = {0};

	e.str = s;
	return e;
}

static AttrEntry
attr_list(const char *const *list, int n)
{
	AttrEntry	e = {0};

	e.list = list;
	e.n = n;
	return e;
}

static AttrEntry
attr_removed(void)
{
	AttrEntry	e = {0};

	e.removed = true;
	return e;
}

/* Writes a list of C strings as a JSON array; false on a NULL item. */
static bool
write_string_list(StOut *out, const char *const *items, int n)
{
	int			i;

	st_out_raw(out, "[", 1);
	for (i = 0; i < n; i++)
	{
		if (items[i] == NULL)
			return false;
		if (i > 0)
			st_out_raw(out, ",", 1);
		st_out_string(out, items[i], strlen(items[i]));
	}
	st_out_raw(out, "]", 1);
	return true;
}

/* Writes the roles array: token claim, else the core's roles, else the default. */
static StStatus
write_roles(const StMapping *m, json_t *claims, const StPrincipalExtras *extras,
			Arena *arena, StOut *out, StError *err)
{
	json_t	   *v = resolve_path(claims, &m->roles);
	size_t		i;

	if (v != NULL && json_is_string(v) && json_string_length(v) > 0)
	{
		st_out_raw(out, "[", 1);
		st_out_json(out, v);
		st_out_raw(out, "]", 1);
		return ST_OK;
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
		st_out_json(out, v);
		return ST_OK;
	}
	if (extras && extras->nroles > 0)
		return write_string_list(out, extras->roles, extras->nroles) ? ST_OK :
			st_fail(err, arena, ST_BAD_ARGUMENT, "a role from the core is NULL");
	if (m->default_role == NULL)
		return st_fail(err, arena, ST_NO_ROLES,
					   "token carries no roles and the mapping has no default role");
	return write_string_list(out, &m->default_role, 1) ? ST_OK :
		st_fail(err, arena, ST_INTERNAL, "no default role");
}

/* Collects the attributes in the precedence order described at the top;
 * *meta receives the parsed metadata (the caller releases it). */
static StStatus
collect_attr(const StMapping *m, const StVerified *verified,
			 const StPrincipalExtras *extras, Arena *arena, AttrSet *set,
			 json_t **meta, StError *err)
{
	json_t	   *claims = verified->claims;
	const char *name;
	json_t	   *v;
	int			i;
	bool		ok = true;

	if (m->include_custom)
		json_object_foreach(claims, name, v)
			if (!is_reserved(name))
			ok &= attr_put(set, name, attr_json(v));

	if (m->standard_attrs)
	{
		json_t	   *perm = json_object_get(json_object_get(claims, "st-perm"), "v");
		json_t	   *ev = json_object_get(json_object_get(claims, "st-ev"), "v");

		ok &= attr_put(set, "tenantId", attr_str(verified->tenant_id));
		ok &= attr_put(set, "sessionHandle", attr_str(verified->session_handle));
		ok &= attr_put(set, "recipeUserId", attr_str(verified->recipe_user_id));
		if (json_is_array(perm))
			ok &= attr_put(set, "permissions", attr_json(perm));
		else if (extras && extras->npermissions > 0)
			ok &= attr_put(set, "permissions",
						   attr_list(extras->permissions, extras->npermissions));
		else
			ok &= attr_put(set, "permissions", attr_removed());
		ok &= attr_put(set, "emailVerified",
					   json_is_boolean(ev) ? attr_json(ev) : attr_removed());
	}

	if (extras && extras->metadata_json && extras->metadata_len > 0)
	{
		StError		merr;

		*meta = st_parse_object(extras->metadata_json, extras->metadata_len,
								arena, "user metadata", &merr);
		if (*meta == NULL)
			return st_fail(err, arena, ST_BAD_ARGUMENT, "%s", merr.message);
		ok &= attr_put(set, "metadata", attr_json(*meta));
	}

	for (i = 0; i < m->nattrs; i++)
	{
		v = resolve_path(claims, &m->attr_paths[i]);
		if (v != NULL)
			ok &= attr_put(set, m->attr_names[i], attr_json(v));
	}
	return ok ? ST_OK : st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
}

/* Orders attributes by name (byte order, as jansson's sorted dump does). */
static int
compare_attr(const void *a, const void *b)
{
	return strcmp(((const AttrEntry *) a)->name, ((const AttrEntry *) b)->name);
}

/* Writes the attr object with its keys sorted. */
static bool
write_attr(AttrSet *set, StOut *out)
{
	int			i;
	bool		first = true;

	qsort(set->items, (size_t) set->count, sizeof(AttrEntry), compare_attr);
	st_out_raw(out, "{", 1);
	for (i = 0; i < set->count; i++)
	{
		AttrEntry  *e = &set->items[i];

		if (e->removed)
			continue;
		if (!first)
			st_out_raw(out, ",", 1);
		first = false;
		st_out_string(out, e->name, strlen(e->name));
		st_out_raw(out, ":", 1);
		if (e->json)
			st_out_json(out, e->json);
		else if (e->str)
			st_out_string(out, e->str, strlen(e->str));
		else if (!write_string_list(out, e->list, e->n))
			return false;
	}
	st_out_raw(out, "}", 1);
	return true;
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

/* Builds the principal (and optionally the claims) as JSON text. */
StStatus
st_principal_build(const StMapping *mapping, const StVerified *verified,
				   const StPrincipalExtras *extras, Arena *arena,
				   char **principal_json, char **claims_json, StError *err)
{
	json_t	   *id;
	json_t	   *meta = NULL;
	AttrSet		attrs = {0};
	StOut		out;
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

	/* keys in sorted order: attr, id, roles, scope */
	attrs.arena = arena;
	st_out_init(&out, arena, 512 + verified->payload_len);
	if ((s = collect_attr(mapping, verified, extras, arena, &attrs, &meta, err)) != ST_OK)
		goto done;
	st_out_raw(&out, "{\"attr\":", 8);
	if (!write_attr(&attrs, &out))
	{
		s = st_fail(err, arena, ST_BAD_ARGUMENT, "a permission from the core is NULL");
		goto done;
	}
	st_out_raw(&out, ",\"id\":", 6);
	st_out_json(&out, id);
	st_out_raw(&out, ",\"roles\":", 9);
	if ((s = write_roles(mapping, verified->claims, extras, arena, &out, err)) != ST_OK)
		goto done;
	st_out_raw(&out, ",\"scope\":", 9);
	if (mapping->scope_from_tenant)
		st_out_string(&out, verified->tenant_id, strlen(verified->tenant_id));
	else
		st_out_raw(&out, "\"\"", 2);
	st_out_raw(&out, "}", 1);

	*principal_json = st_out_finish(&out);
	if (claims_json)
		*claims_json = verified->payload_json ?
			arena_strndup(arena, verified->payload_json, verified->payload_len) :
			dump_to_arena(verified->claims, arena);
	if (*principal_json == NULL || (claims_json && *claims_json == NULL))
		s = st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
	else
		s = ST_OK;
done:
	if (meta)
		json_decref(meta);
	if (s != ST_OK)
		*principal_json = NULL;
	return s;
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
