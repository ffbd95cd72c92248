/*
 * request_json.c — the body of POST /api/check/resources, decoded.
 *
 * jansson parses the text (duplicate keys rejected, as protojson does);
 * this file walks it the way Cerbos' request validation does and fills an
 * ERequest in the request arena.  Each rejection names the field it is
 * about ("resources[1].resource.kind: value length must be at least 1
 * characters"), so the SQL layer can report it as 22023.  Attribute values
 * become CEL values (numbers are doubles, as in protobuf Structs).
 *
 * auxData.jwt / auxData.jwts: the caller's verify_jwt checks each token and
 * returns its claims; without one, claims are decoded unverified (Cerbos'
 * `jwt.disableVerification` mode).
 */
#include "engine_int.h"

#include <string.h>

#define REQ_MAX_ROLES 1000

/* Formats an error message in the arena. */
#define FAIL(...) \
	do { *error = arena_printf(arena, __VA_ARGS__); return false; } while (0)

/* The member `camel` or its snake_case spelling `snake`. */
static json_t *
member(const json_t *obj, const char *camel, const char *snake)
{
	json_t	   *v = json_object_get(obj, camel);

	if (v == NULL && snake != NULL)
		v = json_object_get(obj, snake);
	return v;
}

/* Rejects members that are not in the NULL-terminated list. */
static bool
only_fields(Arena *arena, const json_t *obj, const char *path,
			const char *const *known, const char **error)
{
	const char *k;
	json_t	   *v;

	json_object_foreach((json_t *) obj, k, v)
	{
		int			i;
		bool		ok = false;

		for (i = 0; known[i] != NULL; i++)
			if (strcmp(k, known[i]) == 0)
				ok = true;
		if (!ok)
			FAIL("%s%sunknown field \"%s\"", path, path[0] ? ": " : "", k);
	}
	return true;
}

/* An optional string member; "" when absent. */
static bool
opt_string(Arena *arena, const json_t *obj, const char *camel, const char *snake,
		   const char *path, const char **out, const char **error)
{
	json_t	   *v = member(obj, camel, snake);

	*out = "";
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
		FAIL("%s.%s: must be a string", path, camel);
	*out = arena_strndup(arena, json_string_value(v), json_string_length(v));
	return *out != NULL;
}

/* A list of unique non-empty strings. */
static bool
string_list(Arena *arena, const json_t *v, const char *path, const char ***out,
			int *n, int max, const char **error)
{
	size_t		i,
				j;

	if (v == NULL || json_is_null(v))
		FAIL("%s: value must contain at least 1 item(s)", path);
	if (!json_is_array(v))
		FAIL("%s: must be an array of strings", path);
	if (json_array_size(v) == 0)
		FAIL("%s: value must contain at least 1 item(s)", path);
	if (max > 0 && json_array_size(v) > (size_t) max)
		FAIL("%s: value must contain no more than %d item(s)", path, max);
	*out = arena_alloc0(arena, sizeof(char *) * (json_array_size(v) + 1));
	if (*out == NULL)
		FAIL("out of memory");
	for (i = 0; i < json_array_size(v); i++)
	{
		json_t	   *e = json_array_get(v, i);

		if (!json_is_string(e))
			FAIL("%s[%zu]: must be a string", path, i);
		if (json_string_length(e) == 0)
			FAIL("%s[%zu]: value length must be at least 1 characters", path, i);
		for (j = 0; j < i; j++)
			if (strcmp((*out)[j], json_string_value(e)) == 0)
				FAIL("%s: repeated value must contain unique items", path);
		(*out)[i] = arena_strndup(arena, json_string_value(e), json_string_length(e));
	}
	*n = (int) json_array_size(v);
	return true;
}

/* attr: an object of arbitrary JSON values, as a CEL map. */
static bool
attributes(Arena *arena, const json_t *obj, const char *path, CelValue *out,
		   const char **error)
{
	json_t	   *v = member(obj, "attr", NULL);

	if (v == NULL || json_is_null(v))
	{
		*out = cel_map_from(arena, NULL, NULL, 0);
		return true;
	}
	if (!json_is_object(v))
		FAIL("%s.attr: must be an object", path);
	*out = engine_json_to_cel(arena, v, 0);
	if (out->kind == CEL_VAL_ERROR)
		FAIL("%s.attr: %s", path, out->u.err->message);
	return true;
}

/* Checks a scope or version value against Cerbos' patterns. */
static bool
check_scope_version(Arena *arena, const char *path, const char *scope,
					const char *version, const char **error)
{
	const char *c;

	for (c = version; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_'))
			FAIL("%s.policyVersion: value does not match regex pattern `^[\\w]*$`", path);
	for (c = scope; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.'))
			FAIL("%s.scope: value does not match regex pattern `^([0-9a-zA-Z][\\w\\-]*(\\.[\\w\\-]*)*)*$`", path);
	return true;
}

/* The principal object. */
bool
engine_decode_principal(Arena *arena, const json_t *j, EPrincipal *out, const char **error)
{
	static const char *const known[] = {"id", "roles", "attr", "policyVersion",
	"policy_version", "scope", NULL};

	memset(out, 0, sizeof(*out));
	if (j == NULL || json_is_null(j))
		FAIL("principal: value is required");
	if (!json_is_object(j))
		FAIL("principal: must be an object");
	if (!only_fields(arena, j, "principal", known, error))
		return false;
	if (!opt_string(arena, j, "id", NULL, "principal", &out->id, error) ||
		!opt_string(arena, j, "policyVersion", "policy_version", "principal",
					&out->policy_version, error) ||
		!opt_string(arena, j, "scope", NULL, "principal", &out->scope, error))
		return false;
	if (out->id[0] == '\0')
		FAIL("principal.id: value length must be at least 1 characters");
	if (!string_list(arena, member(j, "roles", NULL), "principal.roles", &out->roles,
					 &out->nroles, REQ_MAX_ROLES, error))
		return false;
	if (!check_scope_version(arena, "principal", out->scope, out->policy_version, error))
		return false;
	return attributes(arena, j, "principal", &out->attr, error);
}

/* A resource object; path names it in errors. */
bool
engine_decode_resource(Arena *arena, const json_t *j, EResource *out,
					   const char *path, const char **error)
{
	static const char *const known[] = {"kind", "id", "attr", "policyVersion",
	"policy_version", "scope", NULL};

	memset(out, 0, sizeof(*out));
	if (j == NULL || json_is_null(j))
		FAIL("%s: value is required", path);
	if (!json_is_object(j))
		FAIL("%s: must be an object", path);
	if (!only_fields(arena, j, path, known, error))
		return false;
	if (!opt_string(arena, j, "kind", NULL, path, &out->kind, error) ||
		!opt_string(arena, j, "id", NULL, path, &out->id, error) ||
		!opt_string(arena, j, "policyVersion", "policy_version", path,
					&out->policy_version, error) ||
		!opt_string(arena, j, "scope", NULL, path, &out->scope, error))
		return false;
	if (out->kind[0] == '\0')
		FAIL("%s.kind: value length must be at least 1 characters", path);
	if (out->id[0] == '\0')
		FAIL("%s.id: value length must be at least 1 characters", path);
	if (!check_scope_version(arena, path, out->scope, out->policy_version, error))
		return false;
	return attributes(arena, j, path, &out->attr, error);
}

/* base64url (no padding needed) -> bytes; NULL on bad input. */
static char *
base64url_decode(Arena *arena, const char *s, size_t len, size_t *outlen)
{
	char	   *out = arena_alloc(arena, len + 4);
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		n = 0,
				i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++)
	{
		char		c = s[i];
		int			v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-' || c == '+')
			v = 62;
		else if (c == '_' || c == '/')
			v = 63;
		else if (c == '=')
			break;
		else
			return NULL;
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out[n++] = (char) ((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* One {token, keySetId} object -> its claims map (verified when asked). */
static bool
jwt_claims(Arena *arena, const json_t *jwt, const char *path, CelValue *out,
		   const EngineCheckOptions *options, const char **error)
{
	json_t	   *tok;
	const char *t,
			   *dot1,
			   *dot2;
	char	   *payload;
	size_t		plen;
	json_t	   *claims;
	json_error_t jerr;

	if (!json_is_object(jwt))
		FAIL("%s: must be an object", path);
	tok = json_object_get(jwt, "token");
	if (tok == NULL || !json_is_string(tok) || json_string_length(tok) == 0)
		FAIL("%s.token: value length must be at least 1 characters", path);
	t = json_string_value(tok);
	if (options != NULL && options->verify_jwt != NULL)
	{
		json_t	   *ks = json_object_get(jwt, "keySetId");
		const char *verr = NULL;
		const char *text = options->verify_jwt(options->verify_jwt_state, arena, t,
											   json_is_string(ks) ? json_string_value(ks) : "",
											   &verr);

		if (text == NULL)
			FAIL("%s.token: %s", path, verr ? verr : "invalid token");
		claims = json_loads(text, 0, &jerr);
		if (claims == NULL || !json_is_object(claims))
		{
			json_decref(claims);
			FAIL("%s.token: claims are not a JSON object", path);
		}
		*out = engine_json_to_cel(arena, claims, 0);
		json_decref(claims);
		return true;
	}
	dot1 = strchr(t, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (dot2 == NULL)
		FAIL("%s.token: failed to parse JWT", path);
	payload = base64url_decode(arena, dot1 + 1, (size_t) (dot2 - dot1 - 1), &plen);
	if (payload == NULL)
		FAIL("%s.token: failed to parse JWT", path);
	claims = json_loadb(payload, plen, 0, &jerr);
	if (claims == NULL || !json_is_object(claims))
	{
		json_decref(claims);
		FAIL("%s.token: failed to parse JWT claims", path);
	}
	*out = engine_json_to_cel(arena, claims, 0);
	json_decref(claims);
	return true;
}

/*
 * auxData as CEL sees it: {jwt: claims} for auxData.jwt and
 * {jwts: {name: {claims: claims}}} for auxData.jwts (tokens unverified).
 */
static bool
aux_data(Arena *arena, const json_t *j, CelValue *out, const EngineCheckOptions *options,
		 const char **error)
{
	json_t	   *jwt;
	json_t	   *jwts;
	CelValue	keys[2],
				vals[2];
	int			n = 0;

	*out = cel_map_from(arena, NULL, NULL, 0);
	if (j == NULL || json_is_null(j))
		return true;
	if (!json_is_object(j))
		FAIL("auxData: must be an object");
	jwt = member(j, "jwt", NULL);
	if (jwt != NULL && !json_is_null(jwt))
	{
		if (!jwt_claims(arena, jwt, "auxData.jwt", &vals[n], options, error))
			return false;
		keys[n++] = cel_string("jwt", 3);
	}
	jwts = member(j, "jwts", NULL);
	if (jwts != NULL && !json_is_null(jwts))
	{
		size_t		m = json_object_size(jwts),
					i = 0;
		CelValue   *nk = arena_alloc(arena, sizeof(CelValue) * (m + 1));
		CelValue   *nv = arena_alloc(arena, sizeof(CelValue) * (m + 1));
		const char *name;
		json_t	   *tokobj;

		if (!json_is_object(jwts))
			FAIL("auxData.jwts: must be an object");
		if (nk == NULL || nv == NULL)
			FAIL("out of memory");
		json_object_foreach(jwts, name, tokobj)
		{
			CelValue	ck = cel_string("claims", 6);
			CelValue	cv;

			if (!jwt_claims(arena, tokobj, arena_printf(arena, "auxData.jwts.%s", name), &cv,
							options, error))
				return false;
			nk[i] = cel_string(arena_strdup(arena, name), strlen(name));
			nv[i++] = cel_map_from(arena, &ck, &cv, 1);
		}
		keys[n] = cel_string("jwts", 4);
		vals[n++] = cel_map_from(arena, nk, nv, i);
	}
	*out = cel_map_from(arena, keys, vals, n);
	return true;
}

/* Decodes and validates a CheckResources request body. */
bool
engine_decode_request(Arena *arena, const char *text, size_t len,
					  const EngineSet *set, const EngineCheckOptions *options,
					  ERequest *out, const char **error)
{
	static const char *const known[] = {"requestId", "request_id", "principal",
		"resources", "auxData", "aux_data", "includeMeta", "include_meta",
	"requestContext", "request_context", NULL};
	static const char *const entry_known[] = {"actions", "resource", NULL};
	json_error_t jerr;
	json_t	   *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t	   *v;
	json_t	   *resources;
	size_t		i;
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	if (root == NULL)
	{
		*error = arena_printf(arena, "invalid JSON at line %d column %d: %s",
							  jerr.line, jerr.column, jerr.text);
		return false;
	}
	if (!json_is_object(root))
	{
		*error = "request: must be a JSON object";
		goto done;
	}
	if (!only_fields(arena, root, "", known, error))
		goto done;
	if (!opt_string(arena, root, "requestId", "request_id", "request", &out->request_id, error))
		goto done;
	v = member(root, "includeMeta", "include_meta");
	if (v != NULL && !json_is_boolean(v) && !json_is_null(v))
	{
		*error = "includeMeta: must be a boolean";
		goto done;
	}
	out->include_meta = v != NULL && json_is_true(v);
	if (!engine_decode_principal(arena, member(root, "principal", NULL), &out->principal, error))
		goto done;
	resources = member(root, "resources", NULL);
	if (resources == NULL || !json_is_array(resources) || json_array_size(resources) == 0)
	{
		*error = resources != NULL && !json_is_array(resources) && !json_is_null(resources) ?
			"resources: must be an array" : "resources: value must contain at least 1 item(s)";
		goto done;
	}
	if (set && set->config.max_resources > 0 &&
		json_array_size(resources) > (size_t) set->config.max_resources)
	{
		*error = arena_printf(arena, "resources: number of resources (%zu) exceeds the configured limit of %d",
							  json_array_size(resources), set->config.max_resources);
		goto done;
	}
	out->nresources = (int) json_array_size(resources);
	out->resources = arena_alloc0(arena, sizeof(EResourceEntry) * out->nresources);
	if (out->resources == NULL)
	{
		*error = "out of memory";
		goto done;
	}
	for (i = 0; i < json_array_size(resources); i++)
	{
		json_t	   *e = json_array_get(resources, i);
		EResourceEntry *re = &out->resources[i];
		const char *path = arena_printf(arena, "resources[%zu]", i);

		if (!json_is_object(e))
		{
			*error = arena_printf(arena, "%s: must be an object", path);
			goto done;
		}
		if (!only_fields(arena, e, path, entry_known, error))
			goto done;
		if (!string_list(arena, json_object_get(e, "actions"),
						 arena_printf(arena, "%s.actions", path), &re->actions,
						 &re->nactions, set ? set->config.max_actions : 0, error))
			goto done;
		if (!engine_decode_resource(arena, json_object_get(e, "resource"), &re->resource,
									arena_printf(arena, "%s.resource", path), error))
			goto done;
	}
	if (!aux_data(arena, member(root, "auxData", "aux_data"), &out->aux_data, options, error))
		goto done;
	ok = true;
done:
	json_decref(root);
	return ok;
}

/* auxData for the planner (the same decoding as CheckResources'). */
bool
engine_decode_aux_data(Arena *arena, const json_t *j, CelValue *out,
					   const EngineCheckOptions *options, const char **error)
{
	return aux_data(arena, j, out, options, error);
}
