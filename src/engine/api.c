/*
 * api.c — the engine's entry points (see engine.h).
 *
 * engine_compile_dir chains the stages: policy/ loads the directory,
 * compiler/ resolves imports, scopes and variables, ruletable.c compiles
 * every CEL expression and builds the rule table.  engine_check_json and
 * engine_check_one decode a request, fix now() for the whole request, run
 * check.c per resource and encode Cerbos' answer.
 */
#include "engine_int.h"
#include "../compiler/compiler.h"

#include <string.h>
#include <time.h>

/* Loads, resolves and compiles a policy directory into an engine set. */
EngineSet *
engine_compile_dir(Arena *arena, const char *dir, const EngineConfig *config,
				   DiagList *diags)
{
	PolicyDir	pdir;

	memset(&pdir, 0, sizeof(pdir));
	if (!policy_load_dir(arena, dir, NULL, &pdir, diags))
		return NULL;
	return engine_compile_policies(arena, &pdir, config, NULL, diags);
}

/*
 * Compiles policies already decoded (from documents: the store's image, the
 * authz_policies table) into an engine set; *policy_set, when not NULL,
 * receives the compiler's view of them (names, kinds, scopes).
 */
EngineSet *
engine_compile_policies(Arena *arena, const PolicyDir *dir, const EngineConfig *config,
						PolicySet **policy_set, DiagList *diags)
{
	CompileOptions opts;
	EngineHookState hook;
	PolicySet  *ps = NULL;
	EngineSet  *set;

	memset(&opts, 0, sizeof(opts));
	memset(&hook, 0, sizeof(hook));
	hook.cache = engine_ast_cache_new(arena);
	if (hook.cache == NULL || !compile_use_cel(&opts, &hook.cel, arena))
	{
		diag_add(diags, dir->root, 0, 0, "the CEL engine is not available");
		return NULL;
	}
	opts.load.allow_multiple_documents = true;
	opts.check_expr = engine_compile_hook;
	opts.check_expr_state = &hook;
	if (!compile_policies(arena, dir, &opts, &ps, diags) || ps == NULL)
		return NULL;
	set = engine_build(arena, ps, config, hook.cache, diags);
	if (set != NULL && policy_set != NULL)
		*policy_set = ps;
	return set;
}

/* Enabled policies in a compiled set. */
int
engine_set_policy_count(const EngineSet *set)
{
	return set ? set->nsource_policies : 0;
}

/* Rule-table rows in a compiled set. */
int
engine_set_row_count(const EngineSet *set)
{
	return set ? set->nrows : 0;
}

/* Options with now() fixed: pinned by the caller or read once here. */
EngineCheckOptions
engine_fixed_now(const EngineCheckOptions *options)
{
	EngineCheckOptions o;
	struct timespec ts;

	if (options)
		o = *options;
	else
		memset(&o, 0, sizeof(o));
	if (!o.now_pinned)
	{
		clock_gettime(CLOCK_REALTIME, &ts);
		o.now_pinned = true;
		o.now_sec = ts.tv_sec;
		o.now_nsec = (int32_t) ts.tv_nsec;
	}
	return o;
}

/* CheckResources: request JSON in, response JSON out. */
char *
engine_check_json(const EngineSet *set, Arena *arena, const char *request_json,
				  size_t len, const EngineCheckOptions *options, const char **error)
{
	ERequest	req;
	EResult    *results;
	EngineCheckOptions o = engine_fixed_now(options);
	char	   *text;
	int			i;

	*error = NULL;
	if (!engine_decode_request(arena, request_json, len, set, &o, &req, error))
		return NULL;
	results = arena_alloc0(arena, sizeof(EResult) * (req.nresources + 1));
	if (results == NULL)
	{
		*error = "out of memory";
		return NULL;
	}
	for (i = 0; i < req.nresources; i++)
		engine_check_resource(set, arena, &req, &req.resources[i], &o, &results[i]);
	text = engine_encode_response(arena, &req, results);
	if (text == NULL || arena->failed)
	{
		*error = "out of memory";
		return NULL;
	}
	return text;
}

/* Parses one JSON object text; NULL with *error on failure. */
static json_t *
load_object(Arena *arena, const char *text, const char *what, const char **error)
{
	json_error_t jerr;
	json_t	   *j = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, &jerr);

	if (j == NULL || !json_is_object(j))
	{
		json_decref(j);
		*error = arena_printf(arena, "%s: must be a JSON object", what);
		return NULL;
	}
	return j;
}

/* Decodes a principal and a resource object into a one-resource request. */
bool
engine_decode_request_parts(Arena *arena, const char *principal_json,
							const char *resource_json, ERequest *req,
							EResourceEntry *entry, const char **error)
{
	json_t	   *pj,
			   *rj;
	bool		ok;

	memset(req, 0, sizeof(*req));
	memset(entry, 0, sizeof(*entry));
	pj = load_object(arena, principal_json, "principal", error);
	if (pj == NULL)
		return false;
	rj = load_object(arena, resource_json, "resource", error);
	if (rj == NULL)
	{
		json_decref(pj);
		return false;
	}
	ok = engine_decode_principal(arena, pj, &req->principal, error) &&
		engine_decode_resource(arena, rj, &entry->resource, "resource", error);
	json_decref(pj);
	json_decref(rj);
	req->request_id = "";
	req->aux_data = cel_map_from(arena, NULL, NULL, 0);
	req->resources = entry;
	req->nresources = 1;
	return ok;
}

/* The decision for one action on a request of one resource entry. */
static bool
decide_one_action(const EngineSet *set, Arena *arena, ERequest *req, EResourceEntry *entry,
				  const char *action, const EngineCheckOptions *options,
				  EngineDecision *out, const char **error)
{
	EResult		result;

	entry->actions = &action;
	entry->nactions = 1;
	engine_check_resource(set, arena, req, entry, options, &result);
	if (result.actions == NULL)
		return (*error = "out of memory", false);
	out->effect = result.actions[0].effect;
	out->policy = result.actions[0].policy;
	out->scope = result.actions[0].scope;
	return true;
}

/* One (principal, resource, action) decision. */
bool
engine_check_one(const EngineSet *set, Arena *arena, const char *principal_json,
				 const char *resource_json, const char *action,
				 const EngineCheckOptions *options, EngineDecision *out,
				 const char **error)
{
	ERequest	req;
	EResourceEntry entry;
	EngineCheckOptions o = engine_fixed_now(options);

	*error = NULL;
	if (action == NULL || action[0] == '\0')
	{
		*error = "action: value length must be at least 1 characters";
		return false;
	}
	if (!engine_decode_request_parts(arena, principal_json, resource_json, &req, &entry, error))
		return false;
	return decide_one_action(set, arena, &req, &entry, action, &o, out, error);
}

/*
 * A request of one resource entry from an already decoded principal and
 * resource (absent strings become "", absent attributes an empty map,
 * options->aux_jwt request.auxData.jwt); false with *error naming the
 * field when the principal or the resource kind is missing.  The caller
 * sets the entry's actions.
 */
bool
engine_decoded_request(Arena *arena, const EnginePrincipal *principal,
					   const EngineResource *resource, const EngineCheckOptions *options,
					   ERequest *req, EResourceEntry *entry, const char **error)
{
	int			i;

	if (principal == NULL || principal->id == NULL || principal->id[0] == '\0')
		return (*error = "principal.id: value length must be at least 1 characters", false);
	if (principal->nroles < 1 || principal->roles == NULL)
		return (*error = "principal.roles: value must contain at least 1 item(s)", false);
	for (i = 0; i < principal->nroles; i++)
		if (principal->roles[i] == NULL || principal->roles[i][0] == '\0')
			return (*error = "principal.roles: value length must be at least 1 characters", false);
	if (resource == NULL || resource->kind == NULL || resource->kind[0] == '\0')
		return (*error = "resource.kind: value length must be at least 1 characters", false);
	memset(req, 0, sizeof(*req));
	memset(entry, 0, sizeof(*entry));
	req->principal = *principal;
	if (req->principal.policy_version == NULL)
		req->principal.policy_version = "";
	if (req->principal.scope == NULL)
		req->principal.scope = "";
	if (req->principal.attr.kind != CEL_VAL_MAP)
		req->principal.attr = cel_map_from(arena, NULL, NULL, 0);
	entry->resource = *resource;
	if (entry->resource.id == NULL)
		entry->resource.id = "";
	if (entry->resource.policy_version == NULL)
		entry->resource.policy_version = "";
	if (entry->resource.scope == NULL)
		entry->resource.scope = "";
	if (entry->resource.attr.kind != CEL_VAL_MAP)
		entry->resource.attr = cel_map_from(arena, NULL, NULL, 0);
	req->request_id = "";
	if (options->aux_jwt != NULL && options->aux_jwt->kind == CEL_VAL_MAP)
	{
		CelValue	key = cel_string("jwt", 3);

		req->aux_data = cel_map_from(arena, &key, options->aux_jwt, 1);
	}
	else
		req->aux_data = cel_map_from(arena, NULL, NULL, 0);
	req->resources = entry;
	req->nresources = 1;
	return true;
}

/* One decision for an already decoded principal and resource. */
bool
engine_check_decoded(const EngineSet *set, Arena *arena, const EnginePrincipal *principal,
					 const EngineResource *resource, const char *action,
					 const EngineCheckOptions *options, EngineDecision *out,
					 const char **error)
{
	ERequest	req;
	EResourceEntry entry;
	EngineCheckOptions o = engine_fixed_now(options);

	*error = NULL;
	if (!engine_decoded_request(arena, principal, resource, &o, &req, &entry, error))
		return false;
	if (resource->id == NULL || resource->id[0] == '\0')
		return (*error = "resource.id: value length must be at least 1 characters", false);
	if (action == NULL || action[0] == '\0')
		return (*error = "action: value length must be at least 1 characters", false);
	return decide_one_action(set, arena, &req, &entry, action, &o, out, error);
}
