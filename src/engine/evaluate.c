/*
 * evaluate.c — CEL evaluation for one check: the names Cerbos binds.
 *
 * A check evaluates conditions, variables and outputs with P, R and
 * request built once from the request; runtime (effectiveDerivedRoles)
 * built when first read; V/variables, C/constants of the policy whose rule
 * is running; G/globals from the configuration.  A policy's variables are
 * evaluated the first time one of its rules needs them and kept for the
 * rest of the request.  A condition is satisfied only by exactly true: a
 * CEL error anywhere makes its expression false, as in Cerbos.  Under
 * strict evaluation an expression whose value is an error also sets
 * strict_error and ends the condition there (all/any/none stop where they
 * would have stopped anyway: all at the first false, any and none at the
 * first true); a value that is not a bool is still just false.
 */
#include "engine_int.h"

#include <string.h>

#define COND_DEPTH 40

/* Keys of a message map: the field names as CEL strings, built once. */
typedef struct MessageKeys
{
	const char *const *names;
	int			n;
	CelValue	keys[8];
	bool		ready;
} MessageKeys;

/*
 * A map standing for a protobuf message (absent fields read as defaults).
 * Every check builds several; their keys are the same static strings each
 * time, so the map points at one shared key array and copies only values.
 */
static CelValue
message(Arena *arena, const char *type, MessageKeys *mk, const CelValue *vals)
{
	CelMap	   *map = arena_alloc0(arena, sizeof(CelMap));
	CelValue   *copy = arena_alloc(arena, sizeof(CelValue) * mk->n);
	int			i;

	if (map == NULL || copy == NULL)
		return cel_error(arena, "out of memory");
	if (!mk->ready)
	{
		for (i = 0; i < mk->n; i++)
			mk->keys[i] = cel_string(mk->names[i], strlen(mk->names[i]));
		mk->ready = true;
	}
	memcpy(copy, vals, sizeof(CelValue) * mk->n);
	map->len = mk->n;
	map->keys = mk->keys;
	map->values = copy;
	map->msg_type = type;
	return cel_map(map);
}

/* A NUL-terminated string as a CEL string (not copied). */
static CelValue
str(const char *s)
{
	return cel_string(s, strlen(s));
}

/* A requested scope as Cerbos reads it: a leading "." is dropped. */
const char *
engine_scope_value(const char *scope)
{
	return scope[0] == '.' ? scope + 1 : scope;
}

/* The request as CEL sees it: P, R and request. */
void
engine_eval_request_values(ECheck *c)
{
	const EPrincipal *p = &c->req->principal;
	const EResource *r = &c->entry->resource;
	static const char *const pnames[] = {"id", "roles", "attr", "policyVersion", "policy_version", "scope"};
	static const char *const rnames[] = {"kind", "id", "attr", "policyVersion", "policy_version", "scope"};
	static const char *const qnames[] = {"principal", "resource", "auxData", "aux_data"};
	static MessageKeys pkeys = {.names = pnames, .n = 6};
	static MessageKeys rkeys = {.names = rnames, .n = 6};
	static MessageKeys qkeys = {.names = qnames, .n = 4};
	CelValue	pv[6],
				rv[6],
				qv[4];

	pv[0] = str(p->id);
	pv[1] = engine_string_list(c->arena, p->roles, p->nroles);
	pv[2] = p->attr;
	pv[3] = pv[4] = str(p->policy_version);
	pv[5] = str(engine_scope_value(p->scope));
	rv[0] = str(r->kind);
	rv[1] = str(r->id);
	rv[2] = r->attr;
	rv[3] = rv[4] = str(r->policy_version);
	rv[5] = str(engine_scope_value(r->scope));
	c->P = message(c->arena, "cerbos.engine.v1.Request.Principal", &pkeys, pv);
	c->R = message(c->arena, "cerbos.engine.v1.Request.Resource", &rkeys, rv);
	qv[0] = c->P;
	qv[1] = c->R;
	qv[2] = qv[3] = c->req->aux_data;
	c->request = message(c->arena, "cerbos.engine.v1.Request", &qkeys, qv);
}

/* runtime: the derived roles in effect, sorted, built when first read. */
static CelValue
runtime_value(ECheck *c)
{
	static const char *const names[] = {"effectiveDerivedRoles", "effective_derived_roles"};
	static MessageKeys keys = {.names = names, .n = 2};
	CelValue	v[2];
	const char **sorted;
	int			i,
				j;

	if (c->edr_pending)
	{
		/* evaluating derived roles switches params: keep the caller's */
		const EParams *cur = c->cur;
		CelValue	cur_vars = c->cur_vars;

		engine_derived_roles_eval(c);
		c->cur = cur;
		c->cur_vars = cur_vars;
	}
	/* strict: a derived role whose condition errored poisons runtime */
	if (c->strict && c->edr_error)
		return cel_error(c->arena, "effective derived roles: evaluation error");
	if (c->runtime_built)
		return c->runtime;
	sorted = arena_alloc0(c->arena, sizeof(char *) * (c->nedr + 1));
	if (sorted == NULL)
		return cel_error(c->arena, "out of memory");
	for (i = 0; i < c->nedr; i++)
	{
		const char *s = c->edr[i];

		for (j = i; j > 0 && strcmp(sorted[j - 1], s) > 0; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = s;
	}
	v[0] = v[1] = engine_string_list(c->arena, sorted, c->nedr);
	c->runtime = message(c->arena, "cerbos.engine.v1.Runtime", &keys, v);
	c->runtime_built = true;
	return c->runtime;
}

/* Activation: the names Cerbos binds for conditions. */
static bool
resolve_name(void *state, const char *name, CelValue *out)
{
	ECheck	   *c = state;

	switch (name[0])
	{
		case 'P':
			if (name[1] == '\0')
				return (*out = c->P, true);
			break;
		case 'R':
			if (name[1] == '\0')
				return (*out = c->R, true);
			break;
		case 'V':
			if (name[1] == '\0')
				return (*out = c->cur_vars, true);
			break;
		case 'C':
			if (name[1] == '\0')
				return (*out = c->cur ? c->cur->constants : cel_map_from(c->arena, NULL, NULL, 0), true);
			break;
		case 'G':
			if (name[1] == '\0')
				return (*out = c->set->globals, true);
			break;
		default:
			break;
	}
	if (strcmp(name, "request") == 0)
		return (*out = c->request, true);
	if (strcmp(name, "variables") == 0)
		return (*out = c->cur_vars, true);
	if (strcmp(name, "constants") == 0)
		return (*out = c->cur ? c->cur->constants : cel_map_from(c->arena, NULL, NULL, 0), true);
	if (strcmp(name, "globals") == 0)
		return (*out = c->set->globals, true);
	if (strcmp(name, "runtime") == 0)
		return (*out = runtime_value(c), true);
	return false;
}

/* Evaluates one AST under params (NULL AST: an error value). */
static CelValue
eval_ast(ECheck *c, const CelAst *ast)
{
	if (ast == NULL)
		return cel_error(c->arena, "expression not compiled");
	return cel_eval(&c->ctx, NULL, ast, &c->act);
}

/*
 * Makes params current, evaluating its variables the first time: in
 * dependency order, each seeing those before it; a variable whose
 * expression errors is left out (reading it then errors), as in Cerbos.
 */
void
engine_use_params(ECheck *c, const EParams *p)
{
	CelValue   *keys;
	CelValue   *vals;
	int			i,
				n = 0;

	c->cur = p;
	if (p == NULL)
	{
		c->cur_vars = cel_map_from(c->arena, NULL, NULL, 0);
		return;
	}
	if (c->vars_done[p->id])
	{
		c->cur_vars = c->vars[p->id];
		return;
	}
	keys = arena_alloc0(c->arena, sizeof(CelValue) * (p->nvars + 1));
	vals = arena_alloc0(c->arena, sizeof(CelValue) * (p->nvars + 1));
	c->cur_vars = cel_map_from(c->arena, NULL, NULL, 0);
	if (keys == NULL || vals == NULL)
		return;
	for (i = 0; i < p->nvars; i++)
	{
		CelValue	v = eval_ast(c, p->vars[i].ast);

		if (v.kind == CEL_VAL_ERROR || v.kind == CEL_VAL_UNKNOWN)
			continue;
		keys[n] = str(p->vars[i].name);
		vals[n++] = v;
		c->cur_vars = cel_map_from(c->arena, keys, vals, n);
	}
	c->vars[p->id] = c->cur_vars;
	c->vars_done[p->id] = 1;
}

/* A condition tree: expressions must be exactly true; errors are false. */
bool
engine_cond_holds(ECheck *c, const ECond *cond, int depth)
{
	int			i;

	if (cond == NULL)
		return true;
	if (depth > COND_DEPTH)
		return false;
	switch (cond->op)
	{
		case ECOND_EXPR:
			{
				CelValue	v = eval_ast(c, cond->ast);

				if (v.kind == CEL_VAL_ERROR && c->strict)
					c->strict_error = true;
				return v.kind == CEL_VAL_BOOL && v.u.b;
			}
		case ECOND_ALL:
			for (i = 0; i < cond->nof; i++)
				if (!engine_cond_holds(c, &cond->of[i], depth + 1))
					return false;
			return true;
		case ECOND_ANY:
			for (i = 0; i < cond->nof; i++)
			{
				if (engine_cond_holds(c, &cond->of[i], depth + 1))
					return true;
				if (c->strict_error)
					return false;
			}
			return false;
		case ECOND_NONE:
			for (i = 0; i < cond->nof; i++)
			{
				if (engine_cond_holds(c, &cond->of[i], depth + 1))
					return false;
				if (c->strict_error)
					return false;
			}
			return true;
		default:
			return false;
	}
}

/* Appends an output entry (val absent when the expression errored). */
void
engine_emit_output(ECheck *c, const ERow *row, const CelAst *ast, const char *action)
{
	EResult    *r = c->out;
	EOutputEntry *e;
	CelValue	v = eval_ast(c, ast);

	if (r->noutputs == r->outputs_cap)
	{
		int			cap = r->outputs_cap ? r->outputs_cap * 2 : 8;

		r->outputs = arena_realloc(c->arena, r->outputs, sizeof(EOutputEntry) * r->outputs_cap,
								   sizeof(EOutputEntry) * cap);
		if (r->outputs == NULL)
		{
			r->noutputs = r->outputs_cap = 0;
			return;
		}
		r->outputs_cap = cap;
	}
	e = &r->outputs[r->noutputs++];
	e->src = arena_printf(c->arena, "%s#%s", row->policy_key, row->name);
	e->action = action;
	e->has_val = !(v.kind == CEL_VAL_ERROR || v.kind == CEL_VAL_UNKNOWN);
	e->val = v;
	e->error = NULL;
	if (v.kind == CEL_VAL_ERROR)
		e->error = v.u.err && v.u.err->message ? v.u.err->message : "evaluation error";
}

/* Sets up the per-request evaluation state for one resource entry. */
bool
engine_eval_begin(ECheck *c, const EngineSet *set, Arena *arena, const ERequest *req,
				  const EResourceEntry *entry, const EngineCheckOptions *options,
				  EResult *out)
{
	memset(c, 0, sizeof(*c));
	c->set = set;
	c->arena = arena;
	c->req = req;
	c->entry = entry;
	c->out = out;
	c->ctx.arena = arena;
	c->ctx.max_iterations = 1000000;
	c->ctx.max_string_bytes = 16 * 1024 * 1024;
	c->ctx.max_list_items = 1000000;
	c->ctx.regex_match_limit = 1000000;
	if (options)
	{
		if (options->max_iterations > 0)
			c->ctx.max_iterations = options->max_iterations;
		if (options->max_string_bytes > 0)
			c->ctx.max_string_bytes = options->max_string_bytes;
		if (options->max_list_items > 0)
			c->ctx.max_list_items = options->max_list_items;
		if (options->regex_match_limit > 0)
			c->ctx.regex_match_limit = options->regex_match_limit;
		c->ctx.max_regex_bytes = options->max_regex_bytes;
		c->ctx.interrupted = options->interrupted;
		c->ctx.limit_exceeded = options->limit_exceeded;
		c->ctx.user = options->callback_state;
	}
	if (options && options->now_pinned)
	{
		c->ctx.now_set = true;
		c->ctx.now_sec = options->now_sec;
		c->ctx.now_nsec = options->now_nsec;
	}
	c->act.resolve = resolve_name;
	c->act.state = c;
	c->vars = arena_alloc0(arena, sizeof(CelValue) * (set->nparams + 1));
	c->vars_done = arena_alloc0(arena, set->nparams + 1);
	c->cond_cache = arena_alloc0(arena, set->ncond_keys + 1);
	c->cur_vars = cel_map_from(arena, NULL, NULL, 0);
	c->strict = set->config.strict_evaluation || (options && options->strict_evaluation);
	if (c->vars == NULL || c->vars_done == NULL || c->cond_cache == NULL)
		return false;
	engine_eval_request_values(c);
	return true;
}
