/*
 * plan_json.c — PlanResources entry points: the HTTP body of Cerbos'
 * POST /api/plan/resources in and out, and the decoded form the
 * PostgreSQL layer calls once per statement.
 *
 * The request is decoded with the check engine's decoders (the resource
 * has no id: it is what the plan ranges over); every action is planned
 * with plan_walk.c and the resource must be allowed all of them, so the
 * filters are ANDed.  Schemas are validated as for a check: with
 * enforcement "reject", a request with validation errors is always
 * denied.
 *
 * Strict evaluation: the plan's formulas say where conditions hold, not
 * where one errors, and an error anywhere the check's walk reaches denies
 * the action.  So when no condition met was a known error or residual,
 * the formula stands; when some were known errors but none residual, the
 * answer is the same for every resource and the strict check gives it;
 * otherwise the plan is the formula AND the per-row check, the operator
 * "authz.check" (no operands: "where authz_check allows the row"), exact
 * because a strict ALLOW is always a lenient one: row filters keep the
 * formula's SQL (and its indexes) and call authz_check on what it keeps.
 * Cerbos' own planner ignores residual errors and answers ALWAYS_ALLOWED
 * where its check denies rows; the check wins.
 */
#include "plan_int.h"
#include "../policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The resource of a plan is partial: an attribute it does not give is
 * unknown, not missing, so "required" does not apply to it.
 */
static void
drop_missing_resource_properties(EResult *r)
{
	int			i,
				n = 0;

	for (i = 0; i < r->nvalidation_errors; i++)
	{
		const EValidationError *e = &r->validation_errors[i];

		if (strcmp(e->source, "SOURCE_RESOURCE") == 0 &&
			strncmp(e->message, "missing property", 16) == 0)
			continue;
		r->validation_errors[n++] = *e;
	}
	r->nvalidation_errors = n;
}

/* Plans a decoded request (req with one resource entry holding the actions). */
static void
plan_request(const EngineSet *set, Arena *arena, ERequest *req, EResourceEntry *entry,
			 const EngineCheckOptions *options, bool marks, EnginePlan *out,
			 EResult *result)
{
	ECheck		c;
	PlanEval	pe;
	json_t	   *f = pf_bool(true);
	bool		b;
	int			ai;

	memset(out, 0, sizeof(*out));
	memset(result, 0, sizeof(*result));
	out->kind = PLAN_KIND_ALWAYS_DENIED;
	if (!engine_eval_begin(&c, set, arena, req, entry, options, result) ||
		!plan_eval_init(&pe, &c, marks))
	{
		json_decref(f);
		return;
	}
	/* schemas of the first resource policy with any, as a check reads them */
	if (set->config.schema_enforcement != ENGINE_SCHEMA_NONE)
	{
		const EResource *res = &entry->resource;
		const char *rversion = res->policy_version[0] ? res->policy_version : set->default_version;
		const char *rscopes[ENGINE_MAX_SCOPES];
		const char *rkey;
		const EPolicy *pol = NULL;
		int			n = engine_scope_chain(&c, false, res->kind, rversion,
										   engine_scope_value(res->scope), rscopes, &rkey),
					si;

		for (si = 0; si < n && pol == NULL; si++)
		{
			pol = engine_policy(set, POLICY_RESOURCE, res->kind, rversion, rscopes[si]);
			if (pol && !pol->principal_schema.present && !pol->resource_schema.present)
				pol = NULL;
		}
		if (n > 0)
			result->nvalidation_errors = engine_validate(arena, pol, &req->principal, entry,
														 &result->validation_errors);
		drop_missing_resource_properties(result);
		if (result->nvalidation_errors > 0 &&
			set->config.schema_enforcement == ENGINE_SCHEMA_REJECT)
		{
			json_decref(f);
			plan_eval_finish(&pe);
			return;
		}
	}
	out->no_match = entry->nactions > 0;
	out->matched_scopes = arena_alloc0(arena, sizeof(char *) * (entry->nactions + 1));
	for (ai = 0; ai < entry->nactions; ai++)
	{
		bool		no_match;
		json_t	   *a = plan_action(&pe, entry->actions[ai], &no_match);

		if (out->matched_scopes)
			out->matched_scopes[ai] = pe.matched_scope ? pe.matched_scope : "";
		/* a condition gathered from several scopes has no one scope */
		if (out->matched_scopes && pe.matched_scopes_differ && !pf_is_bool(a, &b))
			out->matched_scopes[ai] = "";
		if (!no_match)
			out->no_match = false;
		f = pf_and(f, a);
	}
	plan_eval_finish(&pe);
	/* a constant answer may depend on the time too (now() < some deadline) */
	out->now_dependent = c.ctx.now_read;
	if (c.strict && pe.strict_residual)
	{
		/* a strict ALLOW is a lenient one: the formula narrows the rows */
		json_t	   *check = json_pack("{s:{s:s,s:[]}}", "expression", "operator",
									  PLAN_STRICT_CHECK, "operands");

		f = check ? pf_and(f, check) : (json_decref(f), pf_bool(false));
	}
	else if (c.strict && pe.strict_error)
	{
		EResult		checked;
		bool		all = true;

		engine_check_resource(set, arena, req, entry, options, &checked);
		for (ai = 0; ai < entry->nactions; ai++)
			if (checked.actions == NULL || checked.actions[ai].effect != ENGINE_EFFECT_ALLOW)
				all = false;
		json_decref(f);
		f = pf_bool(all);
	}
	if (pf_is_bool(f, &b))
	{
		out->kind = b ? PLAN_KIND_ALWAYS_ALLOWED : PLAN_KIND_ALWAYS_DENIED;
		json_decref(f);
		return;
	}
	out->kind = PLAN_KIND_CONDITIONAL;
	out->condition = f;
}

/* The plan for an already decoded principal and resource. */
bool
engine_plan_decoded(const EngineSet *set, Arena *arena, const EnginePrincipal *principal,
					const EngineResource *resource, const char **actions, int nactions,
					const EngineCheckOptions *options, bool with_condition_marks,
					EnginePlan *out, const char **error)
{
	ERequest	req;
	EResourceEntry entry;
	EResult		result;
	EngineCheckOptions o = engine_fixed_now(options);
	int			i;

	*error = NULL;
	memset(out, 0, sizeof(*out));
	if (!engine_decoded_request(arena, principal, resource, &o, &req, &entry, error))
		return false;
	if (nactions < 1 || actions == NULL)
		return (*error = "actions: value must contain at least 1 item(s)", false);
	for (i = 0; i < nactions; i++)
		if (actions[i] == NULL || actions[i][0] == '\0')
			return (*error = "action: value length must be at least 1 characters", false);
	entry.actions = actions;
	entry.nactions = nactions;
	plan_request(set, arena, &req, &entry, &o, with_condition_marks, out, &result);
	if (arena->failed)
		return (*error = "out of memory", false);
	return true;
}

/* The member camel (or snake) of obj. */
static json_t *
get(const json_t *obj, const char *camel, const char *snake)
{
	json_t	   *v = json_object_get(obj, camel);

	if (v == NULL && snake)
		v = json_object_get(obj, snake);
	return v;
}

/* Decodes the request body; false with *error naming the field. */
static bool
decode_plan_request(const EngineSet *set, Arena *arena, json_t *root,
					const EngineCheckOptions *options, ERequest *req,
					EResourceEntry *entry, bool *single_action, const char **error)
{
	static const char *const known[] = {"requestId", "request_id", "action", "actions",
		"principal", "resource", "auxData", "aux_data", "includeMeta", "include_meta",
	"requestContext", "request_context", NULL};
	const char *k;
	json_t	   *v,
			   *action,
			   *actions,
			   *res,
			   *copy;
	bool		ok;
	size_t		i;

	memset(req, 0, sizeof(*req));
	memset(entry, 0, sizeof(*entry));
	json_object_foreach(root, k, v)
	{
		int			n;

		for (n = 0; known[n] && strcmp(known[n], k) != 0; n++)
			;
		if (known[n] == NULL)
			return (*error = arena_printf(arena, "unknown field \"%s\"", k), false);
	}
	v = get(root, "requestId", "request_id");
	req->request_id = "";
	if (v && !json_is_null(v))
	{
		if (!json_is_string(v))
			return (*error = "requestId: must be a string", false);
		req->request_id = arena_strdup(arena, json_string_value(v));
	}
	v = get(root, "includeMeta", "include_meta");
	if (v && !json_is_boolean(v) && !json_is_null(v))
		return (*error = "includeMeta: must be a boolean", false);
	req->include_meta = v && json_is_true(v);

	action = json_object_get(root, "action");
	actions = json_object_get(root, "actions");
	*single_action = false;
	if (actions && !json_is_null(actions) && json_array_size(actions) > 0)
	{
		if (!json_is_array(actions))
			return (*error = "actions: must be an array", false);
		entry->nactions = (int) json_array_size(actions);
		entry->actions = arena_alloc0(arena, sizeof(char *) * (entry->nactions + 1));
		if (entry->actions == NULL)
			return (*error = "out of memory", false);
		for (i = 0; i < json_array_size(actions); i++)
		{
			json_t	   *a = json_array_get(actions, i);
			size_t		j;

			if (!json_is_string(a) || json_string_length(a) == 0)
				return (*error = arena_printf(arena, "actions[%zu]: value length must be at least 1 characters", i), false);
			entry->actions[i] = arena_strdup(arena, json_string_value(a));
			for (j = 0; j < i; j++)
				if (strcmp(entry->actions[j], entry->actions[i]) == 0)
					return (*error = arena_printf(arena, "actions: repeated value must contain unique items"), false);
		}
		if (action && !json_is_null(action) && json_string_length(action) > 0)
			return (*error = "action: must not be set together with actions", false);
	}
	else
	{
		if (action == NULL || !json_is_string(action) || json_string_length(action) == 0)
			return (*error = "action: value length must be at least 1 characters", false);
		entry->nactions = 1;
		entry->actions = arena_alloc0(arena, sizeof(char *) * 2);
		if (entry->actions == NULL)
			return (*error = "out of memory", false);
		entry->actions[0] = arena_strdup(arena, json_string_value(action));
		*single_action = true;
	}
	if (set && set->config.max_actions > 0 && entry->nactions > set->config.max_actions)
		return (*error = arena_printf(arena, "actions: number of actions (%d) exceeds the configured limit of %d",
									  entry->nactions, set->config.max_actions), false);

	if (!engine_decode_principal(arena, json_object_get(root, "principal"), &req->principal, error))
		return false;
	res = json_object_get(root, "resource");
	if (res == NULL || json_is_null(res))
		return (*error = "resource: value is required", false);
	if (!json_is_object(res))
		return (*error = "resource: must be an object", false);
	/* the decoder wants an id; the plan's resource has none */
	copy = json_copy(res);
	if (copy == NULL)
		return (*error = "out of memory", false);
	if (json_object_get(copy, "id") == NULL)
		json_object_set_new(copy, "id", json_string("-"));
	ok = engine_decode_resource(arena, copy, &entry->resource, "resource", error);
	if (ok && json_object_get(res, "id") == NULL)
		entry->resource.id = "";
	json_decref(copy);
	if (!ok)
		return false;
	if (!engine_decode_aux_data(arena, get(root, "auxData", "aux_data"), &req->aux_data,
								options, error))
		return false;
	req->resources = entry;
	req->nresources = 1;
	return true;
}

/*
 * The digits the reals of a tree need to read back exactly (at least 1):
 * printed with that precision 4.7 stays 4.7, as Go prints it, instead of
 * 4.7000000000000002.
 */
static int
real_precision(const json_t *j, int depth)
{
	int			need = 1;
	size_t		i;
	const char *k;
	json_t	   *v;

	if (depth > 200)
		return 17;
	if (json_is_real(j))
	{
		char		buf[64];
		double		d = json_real_value(j);

		for (need = 1; need < 17; need++)
		{
			snprintf(buf, sizeof(buf), "%.*g", need, d);
			if (strtod(buf, NULL) == d)
				break;
		}
		return need;
	}
	if (json_is_array(j))
		for (i = 0; i < json_array_size(j); i++)
		{
			int			n = real_precision(json_array_get(j, i), depth + 1);

			if (n > need)
				need = n;
		}
	if (json_is_object(j))
		json_object_foreach((json_t *) j, k, v)
		{
			int			n = real_precision(v, depth + 1);

			if (n > need)
				need = n;
		}
	return need;
}

/* The validation errors of a result as Cerbos lists them. */
static json_t *
validation_errors(const EResult *r)
{
	json_t	   *arr = json_array();
	int			i;

	for (i = 0; i < r->nvalidation_errors; i++)
	{
		json_t	   *e = json_object();

		json_object_set_new(e, "path", json_string(r->validation_errors[i].path));
		json_object_set_new(e, "message", json_string(r->validation_errors[i].message));
		json_object_set_new(e, "source", json_string(r->validation_errors[i].source));
		json_array_append_new(arr, e);
	}
	return arr;
}

/* PlanResources: request JSON in, response JSON out. */
char *
engine_plan_json(const EngineSet *set, Arena *arena, const char *request_json, size_t len,
				 const EngineCheckOptions *options, bool with_condition_marks,
				 const char **error)
{
	EngineCheckOptions o = engine_fixed_now(options);
	json_error_t jerr;
	json_t	   *root = json_loadb(request_json, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t	   *resp,
			   *filter,
			   *arr;
	ERequest	req;
	EResourceEntry entry;
	EResult		result;
	EnginePlan	plan;
	bool		single;
	char	   *dumped,
			   *text;
	int			i;

	*error = NULL;
	if (root == NULL)
	{
		*error = arena_printf(arena, "invalid JSON at line %d column %d: %s",
							  jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root))
	{
		json_decref(root);
		*error = "request: must be a JSON object";
		return NULL;
	}
	if (!decode_plan_request(set, arena, root, &o, &req, &entry, &single, error))
	{
		json_decref(root);
		return NULL;
	}
	json_decref(root);
	plan_request(set, arena, &req, &entry, &o, with_condition_marks, &plan, &result);

	resp = json_object();
	json_object_set_new(resp, "requestId", json_string(req.request_id));
	if (single)
		json_object_set_new(resp, "action", json_string(entry.actions[0]));
	else
	{
		arr = json_array();
		for (i = 0; i < entry.nactions; i++)
			json_array_append_new(arr, json_string(entry.actions[i]));
		json_object_set_new(resp, "actions", arr);
	}
	json_object_set_new(resp, "resourceKind", json_string(entry.resource.kind));
	if (entry.resource.policy_version[0])
		json_object_set_new(resp, "policyVersion", json_string(entry.resource.policy_version));
	filter = json_object();
	json_object_set_new(filter, "kind", json_string(plan.kind == PLAN_KIND_ALWAYS_ALLOWED ? "KIND_ALWAYS_ALLOWED" :
												   plan.kind == PLAN_KIND_ALWAYS_DENIED ? "KIND_ALWAYS_DENIED" :
												   "KIND_CONDITIONAL"));
	if (plan.condition)
		json_object_set(filter, "condition", plan.condition);
	json_object_set_new(resp, "filter", filter);
	if (req.include_meta)
	{
		json_t	   *meta = json_object();
		const char *dbg = (plan.no_match && plan.kind == PLAN_KIND_ALWAYS_DENIED) ? "NO_MATCH" :
			plan.kind == PLAN_KIND_ALWAYS_ALLOWED ? "(true)" :
			plan.kind == PLAN_KIND_ALWAYS_DENIED ? "(false)" :
			engine_plan_debug(arena, plan.condition);

		json_object_set_new(meta, "filterDebug", json_string(dbg));
		if (plan.matched_scopes && single && plan.matched_scopes[0][0] != '\0')
			json_object_set_new(meta, "matchedScope", json_string(plan.matched_scopes[0]));
		else if (plan.matched_scopes && !single)
		{
			json_t	   *ms = json_object();

			for (i = 0; i < entry.nactions; i++)
				json_object_set_new(ms, entry.actions[i], json_string(plan.matched_scopes[i]));
			json_object_set_new(meta, "matchedScopes", ms);
		}
		json_object_set_new(resp, "meta", meta);
	}
	if (result.nvalidation_errors > 0)
		json_object_set_new(resp, "validationErrors", validation_errors(&result));
	json_decref(plan.condition);
	dumped = json_dumps(resp, JSON_COMPACT | JSON_REAL_PRECISION(real_precision(resp, 0)));
	json_decref(resp);
	if (dumped == NULL)
	{
		*error = "out of memory";
		return NULL;
	}
	text = arena_strdup(arena, dumped);
	free(dumped);
	if (text == NULL || arena->failed)
	{
		*error = "out of memory";
		return NULL;
	}
	return text;
}
