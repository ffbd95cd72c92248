/*
 * principal.c — verified SuperTokens claims to a Cerbos principal.
 *
 * The default mapping follows issue 6: id from sub, roles from st-role.v
 * (or a default role, since Cerbos needs at least one), attributes for the
 * tenant, permissions, email verification, session handle and recipe user,
 * plus every custom top-level claim by its name.  A spec (mapping.c) can
 * point id and roles at other claims, add attributes from claim paths,
 * drop the standard or custom attributes and scope the principal by tenant.
 *
 * Precedence inside attr, lowest first: custom claims, standard
 * attributes, the core's facts (metadata), the spec's explicit attributes.
 * A custom claim can therefore never pose as tenantId or sessionHandle.
 */
#include "session_int.h"

#include <stdlib.h>
#include <string.h>

static char *dump_to_arena(json_t *value, Arena *arena);

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

/* An attribute holding a claim value. */
static AttrEntry
attr_json(json_t *v)
{
	AttrEntry	e = {0};

	e.json = v;
	return e;
}

/* An attribute holding a C string. */
static AttrEntry
attr_str(const char *s)
{
	AttrEntry	e = {0};

	e.str = s;
	return e;
}

/* An attribute holding a list of C strings. */
static AttrEntry
attr_list(const char *const *list, int n)
{
	AttrEntry	e = {0};

	e.list = list;
	e.n = n;
	return e;
}

/* A standard attribute the token does not have (left out of attr). */
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
	json_t	   *v = st_resolve_path(claims, &m->roles);
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
			if (!st_claim_is_reserved(name))
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
		v = st_resolve_path(claims, &m->attr_paths[i]);
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

	id = st_resolve_path(verified->claims, &mapping->id);
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
