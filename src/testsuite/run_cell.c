/*
 * run_cell.c — one (principal, resource) cell of a test through the engine.
 *
 * The cell becomes a CheckResources request with every action of the test
 * (as Cerbos batches them), run against the engine set compiled for the
 * test's options.  Engine options that Cerbos sets per check
 * (lenientScopeSearch, globals, defaultPolicyVersion) are compile-time
 * settings of an EngineSet here, so a set is compiled for each distinct
 * combination a run needs and kept for the rest of the run.
 *
 * auxData claims are handed to the engine through its JWT verifier hook:
 * the request carries a placeholder token and the "verifier" returns the
 * fixture's claims, so they reach conditions as request.auxData.jwt.
 */
#include "ts_int.h"
#include "ts_run.h"

#include <string.h>

/* The engine set for a test's options, compiled on first use. */
static const EngineSet *
engine_for(TsRun *run, const TsOptions *o, const char **error)
{
	const char *globals = o->globals_json ? o->globals_json : "";
	const char *dpv = o->default_policy_version;
	TsEngine   *e;
	EngineConfig cfg;
	DiagList	diags;

	for (e = run->engines; e != NULL; e = e->next)
		if (e->lenient == o->lenient_scope_search && strcmp(e->globals, globals) == 0 &&
			strcmp(e->default_version, dpv) == 0)
			return e->set;
	memset(&cfg, 0, sizeof(cfg));
	cfg.schema_enforcement = TS_SCHEMA_ENFORCEMENT;
	cfg.lenient_scope_search = o->lenient_scope_search;
	cfg.globals_json = o->globals_json;
	cfg.default_policy_version = dpv[0] ? dpv : NULL;
	diag_init(&diags, run->arena);
	e = arena_alloc0(run->arena, sizeof(TsEngine));
	if (e == NULL)
		return NULL;
	e->lenient = o->lenient_scope_search;
	e->globals = globals;
	e->default_version = dpv;
	e->set = engine_compile_policies(run->arena, run->dir, &cfg, NULL, &diags);
	if (e->set == NULL)
	{
		*error = arena_printf(run->arena, "policies do not compile with these options: %s",
							  diag_render(&diags));
		return NULL;
	}
	e->next = run->engines;
	run->engines = e;
	return e->set;
}

/* The verifier hook: the "token" is the claims JSON itself. */
static const char *
fixture_claims(void *state, Arena *arena, const char *token, const char *key_set_id,
			   const char **error)
{
	return token;
}

/* A fixture as JSON, with the default scope filled in when it has none. */
static json_t *
fixture_json(const PNode *node, const char *default_scope)
{
	json_t	   *j = ts_pnode_to_json(node, 0);

	if (j != NULL && default_scope[0] != '\0')
	{
		json_t	   *s = json_object_get(j, "scope");

		if (s == NULL || (json_is_string(s) && json_string_length(s) == 0))
			json_object_set_new(j, "scope", json_string(default_scope));
	}
	return j;
}

/* The CheckResources request for a cell, as JSON text in the arena. */
static char *
build_request(TsRun *run, const TsTable *t, const TsCell *c, const TsOptions *o,
			  const PNode *aux)
{
	json_t	   *req = json_object();
	json_t	   *entry = json_object();
	json_t	   *list = json_array();
	json_t	   *actions = json_array();
	char	   *text = NULL;
	int			i;

	if (req == NULL || entry == NULL || list == NULL || actions == NULL)
		goto done;
	json_object_set_new(req, "requestId", json_string("test"));
	/*
	 * includeMeta makes the engine evaluate derived roles up front.  Without
	 * it, a derived role whose condition reads runtime.effectiveDerivedRoles
	 * (the shared store's derived_roles_05.yaml) recurses without bound in
	 * engine_derived_roles_eval; the answer is the same either way.
	 */
	json_object_set_new(req, "includeMeta", json_true());
	json_object_set_new(req, "principal", fixture_json(c->principal_node, o->default_scope));
	json_object_set_new(entry, "resource", fixture_json(c->resource_node, o->default_scope));
	for (i = 0; i < t->actions.count; i++)
		json_array_append_new(actions, json_string(t->actions.items[i]));
	json_object_set(entry, "actions", actions);
	json_array_append(list, entry);
	json_object_set(req, "resources", list);
	if (aux != NULL && aux->kind == PNODE_MAP)
	{
		for (i = 0; i < aux->count; i++)
			if (ts_key_is(aux->keys[i], "jwt", NULL) && aux->values[i]->kind == PNODE_MAP)
			{
				json_t	   *claims = ts_pnode_to_json(aux->values[i], 0);
				char	   *ctext = claims ? ts_json_text(run->arena, claims) : NULL;

				json_decref(claims);
				if (ctext != NULL)
					json_object_set_new(req, "auxData",
										json_pack("{s:{s:s}}", "jwt", "token", ctext));
			}
	}
	text = ts_json_text(run->arena, req);
done:
	json_decref(req);
	json_decref(entry);
	json_decref(list);
	json_decref(actions);
	return text;
}

/* The outputs of one action as {src: val}. */
static json_t *
outputs_of(const json_t *result, const char *action)
{
	json_t	   *out = json_object();
	json_t	   *outputs = json_object_get(result, "outputs");
	size_t		i;

	for (i = 0; i < json_array_size(outputs); i++)
	{
		json_t	   *o = json_array_get(outputs, i);
		const char *a = json_string_value(json_object_get(o, "action"));
		const char *src = json_string_value(json_object_get(o, "src"));
		json_t	   *val = json_object_get(o, "val");

		if (a != NULL && src != NULL && strcmp(a, action) == 0)
			json_object_set(out, src, val ? val : json_null());
	}
	return out;
}

/* Compares expected outputs with actual ones; NULL when they agree. */
static const char *
compare_outputs(Arena *arena, const char *expected_text, const json_t *actual)
{
	json_t	   *expected = json_loads(expected_text, 0, NULL);
	const char *key;
	json_t	   *want;
	const char *msg = NULL;

	/* every expected output must be there and equal; extra ones are fine */
	json_object_foreach(expected, key, want)
	{
		json_t	   *have = json_object_get(actual, key);
		const char *one;

		if (have == NULL)
			one = arena_printf(arena, "output \"%s\" missing", key);
		else if (!ts_json_equal(want, have, 0))
			one = arena_printf(arena, "output \"%s\" mismatched", key);
		else
			continue;
		msg = msg ? arena_printf(arena, "%s; %s", msg, one) : one;
	}
	json_decref(expected);
	return msg;
}

/*
 * Whether the decisions depend on now() when the test did not pin it.
 * Cerbos fails such a test (its clock is unset without options.now); the
 * engine has no "now() was called" signal, so the request is decided again
 * at the first and the last instant CEL timestamps allow, and any
 * difference from the real answer counts as a use of now().  A call whose
 * result changes nothing goes unnoticed.
 */
static bool
depends_on_now(TsRun *run, const EngineSet *set, const char *request, const char *response,
			   bool strict)
{
	static const int64_t probes[] = {INT64_C(-62135596800), INT64_C(253402300799)};
	EngineCheckOptions opts;
	int			i;

	memset(&opts, 0, sizeof(opts));
	opts.verify_jwt = fixture_claims;
	opts.strict_evaluation = strict;
	opts.now_pinned = true;
	for (i = 0; i < 2; i++)
	{
		const char *error = NULL;
		char	   *other;

		opts.now_sec = probes[i];
		other = engine_check_json(set, run->arena, request, strlen(request), &opts, &error);
		if (other == NULL || strcmp(other, response) != 0)
			return true;
	}
	return false;
}

/* Runs one cell and appends a row per action to the report. */
void
ts_run_cell(TsRun *run, const TsSuite *s, const TsTable *t, const TsCell *c)
{
	const TsOptions *o = t->options.present ? &t->options : &s->options;
	const PNode *aux = NULL;
	const EngineSet *set;
	const char *error = NULL;
	char	   *request;
	char	   *response = NULL;
	json_t	   *resp = NULL;
	json_t	   *result = NULL;
	EngineCheckOptions opts;
	int			a;

	if (t->aux_data[0] != '\0')
	{
		aux = ts_map_get(&s->own.aux_data, t->aux_data);
		if (aux == NULL)
			aux = ts_map_get(&run->fixtures->aux_data, t->aux_data);
	}
	memset(&opts, 0, sizeof(opts));
	opts.verify_jwt = fixture_claims;
	/* a per-call option: one compiled set serves strict and lenient tests */
	opts.strict_evaluation = o->strict_evaluation || run->options->strict_evaluation;
	if (o->has_now)
	{
		opts.now_pinned = true;
		opts.now_sec = o->now_sec;
		opts.now_nsec = o->now_nsec;
	}
	set = engine_for(run, o, &error);
	request = set ? build_request(run, t, c, o, aux) : NULL;
	if (set != NULL && request == NULL)
		error = "cannot build the request";
	if (request != NULL)
		response = engine_check_json(set, run->arena, request, strlen(request), &opts, &error);
	if (response != NULL && !o->has_now &&
		depends_on_now(run, set, request, response, opts.strict_evaluation))
	{
		response = NULL;
		error = "the decision depends on now() but the test sets no options.now";
	}
	if (response != NULL)
	{
		resp = json_loads(response, 0, NULL);
		result = json_array_get(json_object_get(resp, "results"), 0);
		if (result == NULL)
			error = "empty response from the engine";
	}
	for (a = 0; a < t->actions.count; a++)
	{
		const char *action = t->actions.items[a];
		const char *actual = result
			? json_string_value(json_object_get(json_object_get(result, "actions"), action))
			: NULL;
		TsStatus	status;
		const char *msg = NULL;
		json_t	   *outs = NULL;
		TsCase	   *row;

		if (result == NULL || actual == NULL)
		{
			status = TS_ERRORED;
			msg = error ? error : arena_printf(run->arena, "no result for action \"%s\"", action);
		}
		else
		{
			outs = outputs_of(result, action);
			if (strcmp(actual, c->expected[a]) != 0)
			{
				status = TS_FAILED;
				msg = arena_printf(run->arena, "expected %s, got %s", c->expected[a], actual);
			}
			else if (c->expected_outputs[a] != NULL &&
					 (msg = compare_outputs(run->arena, c->expected_outputs[a], outs)) != NULL)
				status = TS_FAILED;
			else
				status = TS_PASSED;
		}
		row = ts_report_add(run->arena, run->report, status);
		if (row != NULL)
		{
			row->file = s->file;
			row->suite = s->name;
			row->test = t->name;
			row->principal = c->principal;
			row->resource = c->resource;
			row->action = action;
			row->expected = c->expected[a];
			row->actual = actual ? arena_strdup(run->arena, actual) : NULL;
			row->expected_outputs = c->expected_outputs[a];
			row->actual_outputs = outs ? ts_json_text(run->arena, outs) : NULL;
			row->message = msg;
		}
		json_decref(outs);
	}
	json_decref(resp);
}
