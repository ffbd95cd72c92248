/*
 * response_json.c — the body Cerbos returns for POST /api/check/resources.
 *
 * Field for field as protojson prints CheckResourcesResponse: requestId,
 * then per resource {resource {id, kind, policyVersion, scope}, actions
 * {action: EFFECT_ALLOW|EFFECT_DENY}, validationErrors [{path, message,
 * source}], meta {actions {a: {matchedPolicy,
 * matchedScope}}, effectiveDerivedRoles} when includeMeta, outputs [{src,
 * val, action, error}]}.  Empty strings and empty lists are omitted, as protojson
 * omits default values; cerbosCallId is not produced.
 */
#include "engine_int.h"

#include <stdlib.h>
#include <string.h>

/* Sets key to a string unless it is empty. */
static void
set_nonempty(json_t *obj, const char *key, const char *value)
{
	if (value != NULL && value[0] != '\0')
		json_object_set_new(obj, key, json_string(value));
}

/* One entry of results[]. */
static json_t *
encode_result(const ERequest *req, const EResult *r)
{
	json_t	   *o = json_object();
	json_t	   *res = json_object();
	json_t	   *acts = json_object();
	const EResource *rs = &r->entry->resource;
	int			i;

	json_object_set_new(res, "id", json_string(rs->id));
	json_object_set_new(res, "kind", json_string(rs->kind));
	set_nonempty(res, "policyVersion", rs->policy_version);
	set_nonempty(res, "scope", rs->scope);
	json_object_set_new(o, "resource", res);
	for (i = 0; i < r->entry->nactions; i++)
		json_object_set_new(acts, r->actions[i].action,
							json_string(r->actions[i].effect == ENGINE_EFFECT_ALLOW ?
										"EFFECT_ALLOW" : "EFFECT_DENY"));
	json_object_set_new(o, "actions", acts);
	if (r->nvalidation_errors > 0)
	{
		json_t	   *ves = json_array();

		for (i = 0; i < r->nvalidation_errors; i++)
		{
			json_t	   *ve = json_object();

			json_object_set_new(ve, "path", json_string(r->validation_errors[i].path));
			json_object_set_new(ve, "message", json_string(r->validation_errors[i].message));
			json_object_set_new(ve, "source", json_string(r->validation_errors[i].source));
			json_array_append_new(ves, ve);
		}
		json_object_set_new(o, "validationErrors", ves);
	}
	if (req->include_meta)
	{
		json_t	   *meta = json_object();
		json_t	   *macts = json_object();

		for (i = 0; i < r->entry->nactions; i++)
		{
			json_t	   *m = json_object();

			set_nonempty(m, "matchedPolicy", r->actions[i].policy);
			set_nonempty(m, "matchedScope", r->actions[i].scope);
			json_object_set_new(macts, r->actions[i].action, m);
		}
		json_object_set_new(meta, "actions", macts);
		if (r->nderived_roles > 0)
		{
			json_t	   *edr = json_array();

			for (i = 0; i < r->nderived_roles; i++)
				json_array_append_new(edr, json_string(r->derived_roles[i]));
			json_object_set_new(meta, "effectiveDerivedRoles", edr);
		}
		json_object_set_new(o, "meta", meta);
	}
	if (r->noutputs > 0)
	{
		json_t	   *outs = json_array();

		for (i = 0; i < r->noutputs; i++)
		{
			const EOutputEntry *e = &r->outputs[i];
			json_t	   *oe = json_object();

			json_object_set_new(oe, "src", json_string(e->src));
			if (e->has_val)
			{
				json_t	   *v = engine_cel_to_json(e->val, 0);

				json_object_set_new(oe, "val", v ? v :
									json_string("<failed to convert evaluation to protobuf value>"));
			}
			json_object_set_new(oe, "action", json_string(e->action));
			if (e->error != NULL)
				json_object_set_new(oe, "error", json_string(e->error));
			json_array_append_new(outs, oe);
		}
		json_object_set_new(o, "outputs", outs);
	}
	return o;
}

/* The response body as JSON text in the arena (NULL on failure). */
char *
engine_encode_response(Arena *arena, const ERequest *req, const EResult *results)
{
	json_t	   *root = json_object();
	json_t	   *arr = json_array();
	char	   *text;
	char	   *copy;
	int			i;

	set_nonempty(root, "requestId", req->request_id);
	for (i = 0; i < req->nresources; i++)
		json_array_append_new(arr, encode_result(req, &results[i]));
	json_object_set_new(root, "results", arr);
	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(root);
	if (text == NULL)
		return NULL;
	copy = arena_strdup(arena, text);
	free(text);
	return copy;
}
