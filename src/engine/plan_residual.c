/*
 * plan_residual.c — partial evaluation of one CEL expression for the
 * planner: the principal, auxData, constants and globals are known, the
 * resource is known only in its kind, scope, policy version and the
 * attributes the request gives.
 *
 * Each node becomes a PRes: a value when everything under it is known, or
 * a residual filter tree over request.resource.attr.* / request.resource.id.
 * A node whose children are all known is evaluated by the CEL evaluator
 * itself (the node as the root of the same AST, with the planner's
 * bindings in front of the check engine's activation), so every function
 * keeps its exact semantics; only the nodes touching unknowns are
 * rebuilt, under their Cerbos operator names.  Comprehensions over a
 * known range are unrolled; over an unknown range they become Cerbos'
 * lambda forms (all, exists, exists_one, map, filter).  Variables are
 * partially evaluated on first use, per policy.
 *
 * As in the check engine, a CEL error inside a rule's condition makes it
 * false: an error next to an unknown in && reads as false, in || as
 * nothing.
 */
#include "plan_int.h"

#include <string.h>

#define PLAN_MAX_DEPTH 120

static PRes eval_node(PlanEval *pe, const CelAst *ast, CelNodeRef ref);

/* A known value. */
static PRes
known(CelValue v)
{
	PRes		r = {PRES_KNOWN, v, NULL, NULL, CEL_NO_NODE};

	return r;
}

/* A known value made by node ref of ast (see PRes). */
static PRes
known_at(CelValue v, const CelAst *ast, CelNodeRef ref)
{
	PRes		r = {PRES_KNOWN, v, NULL, ast, ref};

	return r;
}

/* A residual. */
static PRes
unknown(json_t *j)
{
	PRes		r = {PRES_UNKNOWN, {0}, j, NULL, CEL_NO_NODE};

	return r;
}

/* A part of the request (PRES_REQUEST, PRES_RESOURCE, PRES_ATTR, PRES_VARS, PRES_RUNTIME). */
static PRes
marker(int kind)
{
	PRes		r = {kind, {0}, NULL, NULL, CEL_NO_NODE};

	return r;
}

/* Can JSON carry the value as Cerbos' {"value": ...} does? */
static bool
representable(CelValue v, int depth)
{
	size_t		i;

	if (depth > 32)
		return false;
	switch (v.kind)
	{
		case CEL_VAL_NULL:
		case CEL_VAL_BOOL:
		case CEL_VAL_INT:
		case CEL_VAL_UINT:
		case CEL_VAL_DOUBLE:
		case CEL_VAL_STRING:
			return true;
		case CEL_VAL_LIST:
			for (i = 0; i < v.u.list->len; i++)
				if (!representable(v.u.list->items[i], depth + 1))
					return false;
			return true;
		case CEL_VAL_MAP:
			for (i = 0; i < v.u.map->len; i++)
				if (v.u.map->keys[i].kind != CEL_VAL_STRING ||
					!representable(v.u.map->values[i], depth + 1))
					return false;
			return true;
		default:
			return false;
	}
}

static json_t *rebuild_tree(PlanEval *pe, const CelAst *ast, CelNodeRef ref);
static void release(PRes r);
static PRes runtime_list(PlanEval *pe);

/* Binds the known variables of the current params as a CEL map (for cel_eval). */
static CelValue known_vars_map(PlanEval *pe, const EParams *p);

/* Drops a tree (NULL allowed). */
static void
release_tree(json_t *j)
{
	if (j)
		json_decref(j);
}

/* Activation: the planner's locals, then V and C, then the check engine's names. */
static bool
resolve(void *state, const char *name, CelValue *out)
{
	PlanEval   *pe = state;
	int			i;

	for (i = pe->nlocals - 1; i >= 0; i--)
		if (strcmp(pe->local_names[i], name) == 0)
		{
			if (pe->local_vals[i].kind != PRES_KNOWN)
				return false;
			*out = pe->local_vals[i].v;
			return true;
		}
	if (strcmp(name, "V") == 0 || strcmp(name, "variables") == 0)
	{
		*out = known_vars_map(pe, pe->params);
		return true;
	}
	if (strcmp(name, "runtime") == 0)
	{
		/* only read when the list is known (see runtime_list) */
		static const char *names[] = {"effectiveDerivedRoles", "effective_derived_roles"};
		PRes		l = runtime_list(pe);
		CelValue	keys[2],
					vals[2];

		if (l.kind != PRES_KNOWN)
		{
			release_tree(l.j);
			return false;
		}
		keys[0] = cel_string(names[0], strlen(names[0]));
		keys[1] = cel_string(names[1], strlen(names[1]));
		vals[0] = vals[1] = l.v;
		*out = cel_map_from(pe->c->arena, keys, vals, 2);
		if (out->kind == CEL_VAL_MAP)
			((CelMap *) out->u.map)->msg_type = "cerbos.engine.v1.Runtime";
		return true;
	}
	pe->c->cur = pe->params;
	return pe->c->act.resolve(pe->c->act.state, name, out);
}

/* Sets up a planner evaluation over a check's request state. */
bool
plan_eval_init(PlanEval *pe, ECheck *c, bool marks)
{
	int			n = c->set->nparams + 1;

	memset(pe, 0, sizeof(*pe));
	pe->c = c;
	pe->marks = marks;
	pe->vars = arena_alloc0(c->arena, sizeof(PRes *) * n);
	pe->vars_state = arena_alloc0(c->arena, sizeof(uint8_t *) * n);
	pe->known_vars = arena_alloc0(c->arena, sizeof(CelValue) * n);
	pe->known_vars_done = arena_alloc0(c->arena, n);
	pe->act.resolve = resolve;
	pe->act.state = pe;
	return pe->vars && pe->vars_state && pe->known_vars && pe->known_vars_done;
}

/* Releases the residuals the evaluation keeps (its variables). */
void
plan_eval_finish(PlanEval *pe)
{
	const EngineSet *set = pe->c->set;
	int			p,
				i;

	for (p = 0; p < set->nparams + 1 && pe->vars; p++)
	{
		const EParams *params = NULL;

		if (pe->vars[p] == NULL)
			continue;
		for (i = 0; i < set->nparams; i++)
			if (set->params[i]->id == p)
				params = set->params[i];
		for (i = 0; params && i < params->nvars; i++)
			if (pe->vars_state[p][i] == 2)
				release(pe->vars[p][i]);
		pe->vars[p] = NULL;
	}
}

/* Evaluates node ref (all of whose parts are known) with the CEL evaluator. */
static CelValue
eval_known(PlanEval *pe, const CelAst *ast, CelNodeRef ref)
{
	CelAst		sub = *ast;

	sub.root = ref;
	pe->c->cur = pe->params;
	return cel_eval(&pe->c->ctx, NULL, &sub, &pe->act);
}

/* The filter tree of a PRes (known values become {"value": ...}). */
static json_t *
to_tree(PlanEval *pe, PRes r)
{
	switch (r.kind)
	{
		case PRES_KNOWN:
			if (r.v.kind == CEL_VAL_DURATION || r.v.kind == CEL_VAL_TIMESTAMP)
				return pf_expr1(r.v.kind == CEL_VAL_DURATION ? "duration" : "timestamp",
								pf_value(engine_cel_to_json(r.v, 0)));
			if (r.ast != NULL && !representable(r.v, 0))
				return rebuild_tree(pe, r.ast, r.node);
			return pf_value(engine_cel_to_json(r.v, 0));
		case PRES_INDEX:
			return pf_expr2("index", pf_value(engine_cel_to_json(r.v, 0)), r.j);
		case PRES_RUNTIME:
			return pf_var("runtime");
		case PRES_UNKNOWN:
			return r.j;
		case PRES_REQUEST:
			return pf_var("request");
		case PRES_RESOURCE:
			return pf_var("request.resource");
		case PRES_ATTR:
			return pf_var("request.resource.attr");
		case PRES_VARS:
			return pf_value(engine_cel_to_json(known_vars_map(pe, pe->params), 0));
	}
	return pf_value(json_null());
}

/* Drops a PRes's tree when it is not used. */
static void
release(PRes r)
{
	if ((r.kind == PRES_UNKNOWN || r.kind == PRES_INDEX) && r.j)
		json_decref(r.j);
}

/* Turns request markers into values or residuals. */
static PRes
settle(PlanEval *pe, PRes r)
{
	if (r.kind == PRES_KNOWN || r.kind == PRES_UNKNOWN)
		return r;
	if (r.kind == PRES_VARS)
		return known(known_vars_map(pe, pe->params));
	if (r.kind == PRES_RUNTIME)
	{
		CelValue	v;

		if (resolve(pe, "runtime", &v))
			return known(v);
	}
	return unknown(to_tree(pe, r));
}

/* Is the value an error? */
static bool
is_err(PRes r)
{
	return r.kind == PRES_KNOWN && r.v.kind == CEL_VAL_ERROR;
}

/* A boolean formula from a residual or value (non-bool values: false). */
static json_t *
as_formula(PlanEval *pe, PRes r)
{
	r = settle(pe, r);
	if (r.kind == PRES_KNOWN)
		return pf_bool(r.v.kind == CEL_VAL_BOOL && r.v.u.b);
	return r.j;
}

/* ---------- variables ---------- */

/* The residual of variable `name` of params p (evaluated on first use). */
static bool
var_res(PlanEval *pe, const EParams *p, const char *name, PRes *out)
{
	Arena	   *arena = pe->c->arena;
	int			i;

	if (p == NULL)
		return false;
	for (i = 0; i < p->nvars; i++)
		if (strcmp(p->vars[i].name, name) == 0)
			break;
	if (i == p->nvars)
		return false;
	if (pe->vars[p->id] == NULL)
	{
		pe->vars[p->id] = arena_alloc0(arena, sizeof(PRes) * (p->nvars + 1));
		pe->vars_state[p->id] = arena_alloc0(arena, p->nvars + 1);
		if (pe->vars[p->id] == NULL || pe->vars_state[p->id] == NULL)
			return false;
	}
	if (pe->vars_state[p->id][i] == 1)
	{
		*out = known(cel_error(arena, "variable refers to itself"));
		return true;
	}
	if (pe->vars_state[p->id][i] == 0)
	{
		/* a variable sees no comprehension locals of its user */
		const EParams *saved = pe->params;
		int			saved_n = pe->nlocals;
		PRes		r;

		pe->vars_state[p->id][i] = 1;
		pe->params = p;
		pe->nlocals = 0;
		if (p->vars[i].ast == NULL)
			r = known(cel_error(arena, "expression not compiled"));
		else
		{
			r = eval_node(pe, p->vars[i].ast, p->vars[i].ast->root);
			if (r.kind != PRES_INDEX)
				r = settle(pe, r);
		}
		pe->params = saved;
		pe->nlocals = saved_n;
		pe->vars[p->id][i] = r;
		pe->vars_state[p->id][i] = 2;
	}
	*out = pe->vars[p->id][i];
	if (out->kind == PRES_UNKNOWN || out->kind == PRES_INDEX)
		json_incref(out->j);
	return true;
}

/* The known variables of p as a map (unknown and failed ones left out). */
static CelValue
known_vars_map(PlanEval *pe, const EParams *p)
{
	Arena	   *arena = pe->c->arena;
	CelValue   *keys,
			   *vals;
	int			i,
				n = 0;

	if (p == NULL)
		return cel_map_from(arena, NULL, NULL, 0);
	if (pe->known_vars_done[p->id])
		return pe->known_vars[p->id];
	keys = arena_alloc0(arena, sizeof(CelValue) * (p->nvars + 1));
	vals = arena_alloc0(arena, sizeof(CelValue) * (p->nvars + 1));
	if (keys == NULL || vals == NULL)
		return cel_map_from(arena, NULL, NULL, 0);
	/* mark first: a variable's evaluation may read V itself */
	pe->known_vars_done[p->id] = 1;
	pe->known_vars[p->id] = cel_map_from(arena, NULL, NULL, 0);
	for (i = 0; i < p->nvars; i++)
	{
		PRes		r;

		if (!var_res(pe, p, p->vars[i].name, &r))
			continue;
		if (r.kind != PRES_KNOWN || r.v.kind == CEL_VAL_ERROR)
		{
			release(r);
			continue;
		}
		keys[n] = cel_string(p->vars[i].name, strlen(p->vars[i].name));
		vals[n++] = r.v;
		pe->known_vars[p->id] = cel_map_from(arena, keys, vals, n);
	}
	return pe->known_vars[p->id];
}

/* ---------- field selection ---------- */

/* A map field by name, if present. */
static bool
map_field(CelValue m, const char *field, CelValue *out)
{
	if (m.kind != CEL_VAL_MAP)
		return false;
	return cel_map_get(m.u.map, cel_string(field, strlen(field)), out);
}

/* obj.field (or has(obj.field) when test_only) for a non-known obj. */
static PRes
select_on(PlanEval *pe, PRes obj, const char *field, bool test_only)
{
	Arena	   *arena = pe->c->arena;
	CelValue	v;

	switch (obj.kind)
	{
		case PRES_REQUEST:
			if (strcmp(field, "resource") == 0)
				return test_only ? known(cel_bool(true)) : marker(PRES_RESOURCE);
			if (map_field(pe->c->request, field, &v))
				return known(test_only ? cel_bool(true) : v);
			return known(test_only ? cel_bool(false) : cel_error(arena, "no such key: %s", field));
		case PRES_RESOURCE:
			if (strcmp(field, "attr") == 0)
				return test_only ? known(cel_bool(true)) : marker(PRES_ATTR);
			if (strcmp(field, "id") == 0)
			{
				if (pe->c->entry->resource.id[0] != '\0')
					return known(test_only ? cel_bool(true) :
								 cel_string(pe->c->entry->resource.id,
											strlen(pe->c->entry->resource.id)));
				if (test_only)
					return unknown(pf_expr2("ne", pf_var("request.resource.id"), pf_value(json_string(""))));
				return unknown(pf_var("request.resource.id"));
			}
			if (map_field(pe->c->R, field, &v))
				return known(test_only ? cel_bool(true) : v);
			return known(test_only ? cel_bool(false) : cel_error(arena, "no such key: %s", field));
		case PRES_ATTR:
			{
				const char *name = arena_printf(arena, "request.resource.attr.%s", field);

				if (map_field(pe->c->entry->resource.attr, field, &v))
					return known(test_only ? cel_bool(true) : v);
				if (test_only)
					return unknown(pf_expr2("ne", pf_var(name), pf_value(json_null())));
				return unknown(pf_var(name));
			}
		case PRES_VARS:
			{
				PRes		r;

				if (var_res(pe, pe->params, field, &r))
					return test_only ? (release(r), known(cel_bool(true))) : r;
				return known(test_only ? cel_bool(false) :
							 cel_error(arena, "no such key: %s", field));
			}
		case PRES_RUNTIME:
			if (strcmp(field, "effectiveDerivedRoles") == 0 ||
				strcmp(field, "effective_derived_roles") == 0)
				return test_only ? known(cel_bool(true)) : runtime_list(pe);
			return known(test_only ? cel_bool(false) : cel_error(arena, "no such key: %s", field));
		case PRES_INDEX:
			{
				/* m[k].f: the same lookup in the map of each entry's f */
				const CelMap *m = obj.v.u.map;
				CelValue   *keys = arena_alloc0(arena, sizeof(CelValue) * (m->len + 1));
				CelValue   *vals = arena_alloc0(arena, sizeof(CelValue) * (m->len + 1));
				size_t		i,
							n = 0;
				PRes		r;

				if (test_only || keys == NULL || vals == NULL)
					return unknown(pf_expr2("get-field", to_tree(pe, obj), pf_var(field)));
				for (i = 0; i < m->len; i++)
					if (map_field(m->values[i], field, &vals[n]))
						keys[n++] = m->keys[i];
				r = obj;
				r.v = cel_map_from(arena, keys, vals, n);
				return r;
			}
		case PRES_UNKNOWN:
			{
				json_t	   *var = json_object_get(obj.j, "variable");
				json_t	   *t;

				if (var != NULL && json_is_string(var))
				{
					const char *name = arena_printf(arena, "%s.%s", json_string_value(var), field);

					json_decref(obj.j);
					t = pf_var(name);
				}
				else
					t = pf_expr2("get-field", obj.j, pf_var(field));
				if (test_only)
					return unknown(pf_expr2("ne", t, pf_value(json_null())));
				return unknown(t);
			}
	}
	return known(cel_error(arena, "bad select"));
}

/* ---------- calls ---------- */

/* Cerbos' operator name for a CEL function. */
static const char *
operator_name(const char *fn)
{
	static const char *const map[][2] = {
		{"_==_", "eq"}, {"_!=_", "ne"}, {"_<_", "lt"}, {"_<=_", "le"}, {"_>_", "gt"},
		{"_>=_", "ge"}, {"@in", "in"}, {"_+_", "add"}, {"_-_", "sub"}, {"_*_", "mult"},
		{"_/_", "div"}, {"_%_", "mod"}, {"_[_]", "index"}, {"!_", "not"},
		{"_&&_", "and"}, {"_||_", "or"}, {"_?_:_", "if"},
	};
	size_t		i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], fn) == 0)
			return map[i][1];
	return fn;
}

/* && and || with unknowns: constants fold, errors read as false. */
static PRes
eval_logic(PlanEval *pe, PRes a, PRes b, bool is_and)
{
	json_t	   *fa,
			   *fb;

	a = settle(pe, a);
	b = settle(pe, b);
	if (a.kind == PRES_KNOWN && b.kind == PRES_KNOWN)
	{
		/* CEL's own absorption: false wins in &&, true in || */
		bool		ab = a.v.kind == CEL_VAL_BOOL,
					bb = b.v.kind == CEL_VAL_BOOL;

		if (ab && a.v.u.b != is_and)
			return a;
		if (bb && b.v.u.b != is_and)
			return b;
		if (ab && bb)
			return a;
		return is_err(a) ? a : is_err(b) ? b : known(cel_error(pe->c->arena, "no such overload"));
	}
	fa = as_formula(pe, a);
	fb = as_formula(pe, b);
	return unknown(is_and ? pf_and(fa, fb) : pf_or(fa, fb));
}

/* A call node. */
static PRes
eval_call(PlanEval *pe, const CelAst *ast, CelNodeRef ref, const CelExpr *e)
{
	const char *fn = cel_ast_str(ast, e->u.call.function);
	const int32_t *argrefs = ast->args + e->u.call.args;
	int			nargs = (int) e->u.call.nargs;
	PRes		parts[8];
	int			n = 0,
				i;
	bool		all_known = true;
	json_t	   *trees[8];

	if (strcmp(fn, "_&&_") == 0 || strcmp(fn, "_||_") == 0)
	{
		PRes		a = eval_node(pe, ast, argrefs[0]);
		PRes		b = eval_node(pe, ast, argrefs[1]);

		return eval_logic(pe, a, b, fn[1] == '&');
	}
	if (strcmp(fn, "_?_:_") == 0)
	{
		PRes		cond = settle(pe, eval_node(pe, ast, argrefs[0]));

		if (cond.kind == PRES_KNOWN)
		{
			if (cond.v.kind != CEL_VAL_BOOL)
				return is_err(cond) ? cond : known(cel_error(pe->c->arena, "no such overload"));
			return eval_node(pe, ast, argrefs[cond.v.u.b ? 1 : 2]);
		}
		trees[0] = cond.j;
		trees[1] = to_tree(pe, settle(pe, eval_node(pe, ast, argrefs[1])));
		trees[2] = to_tree(pe, settle(pe, eval_node(pe, ast, argrefs[2])));
		return unknown(pf_expr("if", trees, 3));
	}
	if (strcmp(fn, "@not_strictly_false") == 0)
	{
		PRes		a = settle(pe, eval_node(pe, ast, argrefs[0]));

		if (a.kind == PRES_KNOWN)
			return known(cel_bool(!(a.v.kind == CEL_VAL_BOOL && !a.v.u.b)));
		return a;
	}
	if (strcmp(fn, "!_") == 0)
	{
		PRes		a = settle(pe, eval_node(pe, ast, argrefs[0]));

		if (a.kind == PRES_KNOWN)
			return a.v.kind == CEL_VAL_BOOL ? known(cel_bool(!a.v.u.b)) : a;
		return unknown(pf_not(a.j));
	}
	if (nargs + 1 > 8)
		return known(cel_error(pe->c->arena, "too many arguments"));
	if (e->u.call.target != CEL_NO_NODE)
		parts[n++] = eval_node(pe, ast, e->u.call.target);
	for (i = 0; i < nargs; i++)
		parts[n++] = eval_node(pe, ast, argrefs[i]);
	if (strcmp(fn, "_[_]") == 0 && n == 2)
	{
		PRes		key = settle(pe, parts[1]);

		/* R.attr["x"] reads like R.attr.x */
		if (parts[0].kind != PRES_KNOWN && parts[0].kind != PRES_UNKNOWN &&
			parts[0].kind != PRES_INDEX && key.kind == PRES_KNOWN && key.v.kind == CEL_VAL_STRING)
			return select_on(pe, parts[0], arena_strndup(pe->c->arena, key.v.u.str.ptr,
														 key.v.u.str.len), false);
		/* a known map indexed by an unknown key: kept apart for == below */
		if (parts[0].kind == PRES_KNOWN && parts[0].v.kind == CEL_VAL_MAP &&
			key.kind == PRES_UNKNOWN)
		{
			PRes		r = parts[0];

			r.kind = PRES_INDEX;
			r.j = key.j;
			r.ast = NULL;
			return r;
		}
		parts[1] = key;
	}
	/* m[k] == v: k is one of the keys whose entry equals v */
	if ((strcmp(fn, "_==_") == 0 || strcmp(fn, "_!=_") == 0) && n == 2 &&
		((parts[0].kind == PRES_INDEX && settle(pe, parts[1]).kind == PRES_KNOWN) ||
		 (parts[1].kind == PRES_INDEX && settle(pe, parts[0]).kind == PRES_KNOWN)))
	{
		PRes		ix = parts[0].kind == PRES_INDEX ? parts[0] : parts[1];
		PRes		val = settle(pe, parts[0].kind == PRES_INDEX ? parts[1] : parts[0]);
		json_t	   *f = pf_bool(false);
		size_t		k;

		for (k = 0; k < ix.v.u.map->len; k++)
		{
			CelValue	eq = cel_equals(pe->c->arena, ix.v.u.map->values[k], val.v);

			if (eq.kind == CEL_VAL_BOOL && eq.u.b)
				f = pf_or(f, pf_expr2("eq", json_deep_copy(ix.j),
									  pf_value(engine_cel_to_json(ix.v.u.map->keys[k], 0))));
		}
		/* an absent key is an error: false either way */
		json_decref(ix.j);
		if (fn[1] == '!')
		{
			/* k must be a key whose entry differs */
			json_decref(f);
			return unknown(pf_expr1("unsupported-index-ne", pf_bool(false)));
		}
		return unknown(f);
	}
	/* v in m[k]: k is one of the keys whose entry holds v */
	if (strcmp(fn, "@in") == 0 && n == 2 && parts[1].kind == PRES_INDEX &&
		settle(pe, parts[0]).kind == PRES_KNOWN)
	{
		PRes		ix = parts[1];
		PRes		val = settle(pe, parts[0]);
		json_t	   *f = pf_bool(false);
		size_t		k,
					m;

		for (k = 0; k < ix.v.u.map->len && !is_err(val); k++)
		{
			CelValue	entry = ix.v.u.map->values[k];
			bool		hit = false;

			if (entry.kind == CEL_VAL_LIST)
				for (m = 0; m < entry.u.list->len && !hit; m++)
					hit = cel_equal_bool(entry.u.list->items[m], val.v);
			else if (entry.kind == CEL_VAL_MAP)
			{
				CelValue	dummy;

				hit = cel_map_get(entry.u.map, val.v, &dummy);
			}
			if (hit)
				f = pf_or(f, pf_expr2("eq", json_deep_copy(ix.j),
									  pf_value(engine_cel_to_json(ix.v.u.map->keys[k], 0))));
		}
		json_decref(ix.j);
		return unknown(f);
	}
	for (i = 0; i < n; i++)
		parts[i] = settle(pe, parts[i]);
	for (i = 0; i < n; i++)
		if (parts[i].kind != PRES_KNOWN)
			all_known = false;
	if (all_known)
	{
		for (i = 0; i < n; i++)
			release(parts[i]);
		return known_at(eval_known(pe, ast, ref), ast, ref);
	}
	for (i = 0; i < n; i++)
		if (is_err(parts[i]))
		{
			PRes		err = parts[i];

			for (i = 0; i < n; i++)
				release(parts[i]);
			return err;
		}
	/* x in map: x is one of its keys */
	if (strcmp(fn, "@in") == 0 && n == 2 && parts[1].kind == PRES_KNOWN &&
		parts[1].v.kind == CEL_VAL_MAP)
	{
		const CelMap *m = parts[1].v.u.map;

		parts[1] = known(cel_list_from(pe->c->arena, m->keys, m->len));
	}
	/*
	 * x in anything but a list or a map has no overload: an error whatever
	 * x is.  (Cerbos' planner writes x in "s" as x == "s", but its check,
	 * like ours, never allows it.)
	 */
	if (strcmp(fn, "@in") == 0 && n == 2 && parts[1].kind == PRES_KNOWN &&
		parts[1].v.kind != CEL_VAL_LIST && parts[1].v.kind != CEL_VAL_MAP)
	{
		release(parts[0]);
		return known(cel_error_no_such_overload(pe->c->arena, "@in"));
	}
	/* x in [v] is x == v; x in [] is false */
	if (strcmp(fn, "@in") == 0 && n == 2 && parts[1].kind == PRES_KNOWN &&
		parts[1].v.kind == CEL_VAL_LIST && parts[1].v.u.list->len <= 1)
	{
		if (parts[1].v.u.list->len == 0)
			return (release(parts[0]), known(cel_bool(false)));
		return unknown(pf_expr2("eq", to_tree(pe, parts[0]),
								to_tree(pe, known(parts[1].v.u.list->items[0]))));
	}
	for (i = 0; i < n; i++)
		trees[i] = to_tree(pe, parts[i]);
	return unknown(pf_expr(operator_name(fn), trees, n));
}

/* ---------- comprehensions ---------- */

/* Pushes a local binding; false when too deep. */
static bool
push_local(PlanEval *pe, const char *name, PRes v)
{
	if (pe->nlocals >= PLAN_MAX_LOCALS)
		return false;
	pe->local_names[pe->nlocals] = name;
	pe->local_vals[pe->nlocals] = v;
	pe->nlocals++;
	return true;
}

/* The call node at ref named fn, or NULL. */
static const CelExpr *
call_named(const CelAst *ast, CelNodeRef ref, const char *fn)
{
	const CelExpr *e;

	if (ref < 0)
		return NULL;
	e = cel_ast_node(ast, ref);
	if (e->kind != CEL_EXPR_CALL || strcmp(cel_ast_str(ast, e->u.call.function), fn) != 0)
		return NULL;
	return e;
}

/*
 * A macro over an unknown range as Cerbos writes it: op(range, lambda(body,
 * var)).  The macro is recognised from the shape cel-go expands it to.
 */
static PRes
lambda_form(PlanEval *pe, const CelAst *ast, const CelExpr *e, PRes range)
{
	const char *iter = cel_ast_str(ast, e->u.comp.iter_var);
	const char *iter2 = cel_ast_str(ast, e->u.comp.iter_var2);
	CelNodeRef	step = e->u.comp.loop_step;
	const CelExpr *s;
	const CelExpr *init = cel_ast_node(ast, e->u.comp.accu_init);
	const char *op = NULL;
	CelNodeRef	body = CEL_NO_NODE;
	int			base = pe->nlocals;
	PRes		b;
	json_t	   *lam,
			   *ops[2];

	if ((s = call_named(ast, step, "_&&_")) != NULL)
		op = "all", body = ast->args[s->u.call.args + 1];
	else if ((s = call_named(ast, step, "_||_")) != NULL)
		op = "exists", body = ast->args[s->u.call.args + 1];
	else if ((s = call_named(ast, step, "_?_:_")) != NULL)
	{
		CelNodeRef	then = ast->args[s->u.call.args + 1];
		const CelExpr *add = call_named(ast, then, "_+_");

		if (init->kind == CEL_EXPR_CONST && init->u.constant.kind == CEL_CONST_INT)
			op = "exists_one", body = ast->args[s->u.call.args];
		else if (add != NULL && iter2[0] == '\0')
		{
			const CelExpr *lst = cel_ast_node(ast, ast->args[add->u.call.args + 1]);

			if (lst->kind == CEL_EXPR_LIST && lst->u.list.nelems == 1)
			{
				const CelExpr *el = cel_ast_node(ast, ast->args[lst->u.list.elems]);

				if (el->kind == CEL_EXPR_IDENT &&
					strcmp(cel_ast_str(ast, el->u.ident.name), iter) == 0)
					op = "filter", body = ast->args[s->u.call.args];
			}
		}
	}
	else if ((s = call_named(ast, step, "_+_")) != NULL)
	{
		const CelExpr *lst = cel_ast_node(ast, ast->args[s->u.call.args + 1]);

		if (lst->kind == CEL_EXPR_LIST && lst->u.list.nelems == 1)
			op = iter2[0] ? "transformList" : "map", body = ast->args[lst->u.list.elems];
	}
	else if ((s = call_named(ast, step, "cel.@mapInsert")) != NULL && iter2[0])
	{
		if (s->u.call.nargs == 3)
			op = "transformMap", body = ast->args[s->u.call.args + 2];
		else if (s->u.call.nargs == 2)
			op = "transformMapEntry", body = ast->args[s->u.call.args + 1];
	}
	if (op == NULL)
	{
		/* not a form Cerbos names: keep it as an opaque residual */
		return unknown(pf_expr1("unsupported-comprehension", to_tree(pe, range)));
	}
	if (!push_local(pe, iter, unknown(pf_var(iter))) ||
		(iter2[0] && !push_local(pe, iter2, unknown(pf_var(iter2)))))
		return known(cel_error(pe->c->arena, "too many nested comprehensions"));
	pe->in_lambda++;
	b = settle(pe, eval_node(pe, ast, body));
	pe->in_lambda--;
	while (pe->nlocals > base)
		json_decref(pe->local_vals[--pe->nlocals].j);
	if (iter2[0])
	{
		json_t	   *l[3] = {to_tree(pe, b), pf_var(iter), pf_var(iter2)};

		lam = pf_expr("lambda", l, 3);
	}
	else
		lam = pf_expr2("lambda", to_tree(pe, b), pf_var(iter));
	ops[0] = to_tree(pe, range);
	ops[1] = lam;
	return unknown(pf_expr(op, ops, 2));
}

/*
 * Does the subtree read anything that may be unknown: the resource (R,
 * request), variables, runtime, or a local bound to a residual?  (A
 * conservative answer: true when unsure.)
 */
static bool
reads_unknown(PlanEval *pe, const CelAst *ast, CelNodeRef ref, int depth)
{
	const CelExpr *e;
	uint32_t	i;

	if (ref < 0 || ref >= ast->nnodes || depth > 100)
		return true;
	e = cel_ast_node(ast, ref);
	switch (e->kind)
	{
		case CEL_EXPR_IDENT:
			{
				const char *name = cel_ast_str(ast, e->u.ident.name);
				size_t		n = strcspn(name, ".");
				int			k;

				if ((n == 1 && (name[0] == 'R' || name[0] == 'V')) ||
					(n == 7 && strncmp(name, "request", 7) == 0) ||
					(n == 7 && strncmp(name, "runtime", 7) == 0) ||
					(n == 9 && strncmp(name, "variables", 9) == 0))
					return true;
				for (k = pe->nlocals - 1; k >= 0; k--)
					if (strlen(pe->local_names[k]) == n && strncmp(pe->local_names[k], name, n) == 0)
						return pe->local_vals[k].kind != PRES_KNOWN;
				return false;
			}
		case CEL_EXPR_SELECT:
			return reads_unknown(pe, ast, e->u.select.operand, depth + 1);
		case CEL_EXPR_CALL:
			if (e->u.call.target != CEL_NO_NODE &&
				reads_unknown(pe, ast, e->u.call.target, depth + 1))
				return true;
			for (i = 0; i < e->u.call.nargs; i++)
				if (reads_unknown(pe, ast, ast->args[e->u.call.args + i], depth + 1))
					return true;
			return false;
		case CEL_EXPR_LIST:
			for (i = 0; i < e->u.list.nelems; i++)
				if (reads_unknown(pe, ast, ast->args[e->u.list.elems + i], depth + 1))
					return true;
			return false;
		case CEL_EXPR_MAP:
			for (i = 0; i < 2 * e->u.map.nentries; i++)
				if (reads_unknown(pe, ast, ast->args[e->u.map.entries + i], depth + 1))
					return true;
			return false;
		case CEL_EXPR_COMPREHENSION:
			return reads_unknown(pe, ast, e->u.comp.iter_range, depth + 1) ||
				reads_unknown(pe, ast, e->u.comp.accu_init, depth + 1) ||
				reads_unknown(pe, ast, e->u.comp.loop_cond, depth + 1) ||
				reads_unknown(pe, ast, e->u.comp.loop_step, depth + 1) ||
				reads_unknown(pe, ast, e->u.comp.result, depth + 1);
		case CEL_EXPR_CONST:
			return false;
		default:
			return true;
	}
}

/* A comprehension: unrolled over a known range, a lambda form otherwise. */
static PRes
eval_comprehension(PlanEval *pe, const CelAst *ast, CelNodeRef ref, const CelExpr *e)
{
	const char *iter1 = cel_ast_str(ast, e->u.comp.iter_var);
	const char *iter2 = cel_ast_str(ast, e->u.comp.iter_var2);
	const char *accu_name = cel_ast_str(ast, e->u.comp.accu_var);
	bool		two = iter2[0] != '\0';
	PRes		range;
	PRes		accu,
				result;
	int			base = pe->nlocals;
	size_t		len,
				i;

	/* nothing unknown inside: the evaluator's own answer */
	if (!reads_unknown(pe, ast, ref, 0))
		return known_at(eval_known(pe, ast, ref), ast, ref);
	range = settle(pe, eval_node(pe, ast, e->u.comp.iter_range));

	if (range.kind == PRES_UNKNOWN)
		return lambda_form(pe, ast, e, range);
	if (is_err(range))
		return range;
	if (range.v.kind == CEL_VAL_LIST)
		len = range.v.u.list->len;
	else if (range.v.kind == CEL_VAL_MAP)
		len = range.v.u.map->len;
	else
		return known(eval_known(pe, ast, ref));
	/* too long to unroll: Cerbos' lambda form over the known range */
	if (len > PLAN_MAX_UNROLL || pe->unrolled + (int) len > PLAN_MAX_UNROLL)
		return lambda_form(pe, ast, e, range);
	pe->unrolled += (int) len;
	accu = settle(pe, eval_node(pe, ast, e->u.comp.accu_init));
	if (!push_local(pe, accu_name, accu) || !push_local(pe, iter1, known(cel_null())) ||
		(two && !push_local(pe, iter2, known(cel_null()))))
	{
		pe->nlocals = base;
		return known(cel_error(pe->c->arena, "too many nested comprehensions"));
	}
	for (i = 0; i < len; i++)
	{
		PRes		cond;

		if (range.v.kind == CEL_VAL_LIST)
		{
			if (two)
			{
				pe->local_vals[base + 1] = known(cel_int((int64_t) i));
				pe->local_vals[base + 2] = known(range.v.u.list->items[i]);
			}
			else
				pe->local_vals[base + 1] = known(range.v.u.list->items[i]);
		}
		else
		{
			pe->local_vals[base + 1] = known(range.v.u.map->keys[i]);
			if (two)
				pe->local_vals[base + 2] = known(range.v.u.map->values[i]);
		}
		cond = settle(pe, eval_node(pe, ast, e->u.comp.loop_cond));
		if (cond.kind == PRES_KNOWN && cond.v.kind == CEL_VAL_BOOL && !cond.v.u.b)
			break;
		release(cond);
		/* the accumulator is read by the step: keep a reference for it */
		{
			PRes		old = pe->local_vals[base];
			PRes		next = settle(pe, eval_node(pe, ast, e->u.comp.loop_step));

			pe->local_vals[base] = next;
			release(old);
		}
	}
	pe->nlocals = base + 1;
	result = settle(pe, eval_node(pe, ast, e->u.comp.result));
	release(pe->local_vals[base]);
	pe->nlocals = base;
	/* inside a lambda Cerbos keeps a macro over a known range as a lambda too */
	if (pe->in_lambda > 0 && result.kind == PRES_UNKNOWN)
	{
		release(result);
		return lambda_form(pe, ast, e, range);
	}
	return result;
}

/* ---------- nodes ---------- */

/* An identifier (possibly dotted after checking). */
static PRes
eval_ident(PlanEval *pe, const CelAst *ast, CelNodeRef ref, const char *name)
{
	int			i;

	for (i = pe->nlocals - 1; i >= 0; i--)
		if (strcmp(pe->local_names[i], name) == 0)
		{
			PRes		r = pe->local_vals[i];

			if (r.kind == PRES_UNKNOWN)
				json_incref(r.j);
			return r;
		}
	if (strcmp(name, "R") == 0)
		return marker(PRES_RESOURCE);
	if (strcmp(name, "request") == 0)
		return marker(PRES_REQUEST);
	if (strcmp(name, "V") == 0 || strcmp(name, "variables") == 0)
		return marker(PRES_VARS);
	if (strcmp(name, "runtime") == 0)
		return marker(PRES_RUNTIME);
	if (strchr(name, '.') != NULL)
	{
		/* a qualified name: its root, then field selections */
		const char *dot = strchr(name, '.');
		const char *root = arena_strndup(pe->c->arena, name, (size_t) (dot - name));

		if (strcmp(root, "R") == 0 || strcmp(root, "request") == 0 ||
			strcmp(root, "V") == 0 || strcmp(root, "variables") == 0 ||
			strcmp(root, "runtime") == 0)
		{
			PRes		r = eval_ident(pe, ast, ref, root);

			while (dot != NULL)
			{
				const char *next = strchr(dot + 1, '.');
				const char *field = next ? arena_strndup(pe->c->arena, dot + 1, (size_t) (next - dot - 1)) : dot + 1;

				if (r.kind == PRES_KNOWN)
				{
					CelValue	v;

					r = map_field(r.v, field, &v) ? known(v) :
						known(cel_error(pe->c->arena, "no such key: %s", field));
				}
				else
					r = select_on(pe, r, field, false);
				dot = next;
			}
			return r;
		}
	}
	return known(eval_known(pe, ast, ref));
}

/* One node. */
static PRes
eval_node(PlanEval *pe, const CelAst *ast, CelNodeRef ref)
{
	const CelExpr *e;
	PRes		r;

	if (ref < 0 || ref >= ast->nnodes)
		return known(cel_error(pe->c->arena, "bad node"));
	if (pe->depth > PLAN_MAX_DEPTH)
		return known(cel_error(pe->c->arena, "expression nested too deeply to plan"));
	pe->depth++;
	e = cel_ast_node(ast, ref);
	switch (e->kind)
	{
		case CEL_EXPR_IDENT:
			r = eval_ident(pe, ast, ref, cel_ast_str(ast, e->u.ident.name));
			break;
		case CEL_EXPR_SELECT:
			{
				PRes		obj = eval_node(pe, ast, e->u.select.operand);
				const char *field = cel_ast_str(ast, e->u.select.field);
				bool		test_only = (e->flags & CEL_EXPR_F_TEST_ONLY) != 0;

				if (obj.kind == PRES_KNOWN)
					r = known(eval_known(pe, ast, ref));
				else if (e->flags & CEL_EXPR_F_OPTIONAL)
				{
					release(obj);
					r = unknown(pf_expr1("unsupported-optional", pf_var(field)));
				}
				else
					r = select_on(pe, obj, field, test_only);
				break;
			}
		case CEL_EXPR_CALL:
			r = eval_call(pe, ast, ref, e);
			break;
		case CEL_EXPR_LIST:
			{
				PRes	   *items = arena_alloc0(pe->c->arena, sizeof(PRes) * (e->u.list.nelems + 1));
				json_t	  **trees = arena_alloc0(pe->c->arena, sizeof(json_t *) * (e->u.list.nelems + 1));
				bool		all_known = true;
				uint32_t	i;

				if (items == NULL || trees == NULL)
				{
					r = known(cel_error(pe->c->arena, "out of memory"));
					break;
				}
				for (i = 0; i < e->u.list.nelems; i++)
				{
					items[i] = settle(pe, eval_node(pe, ast, ast->args[e->u.list.elems + i]));
					if (items[i].kind != PRES_KNOWN)
						all_known = false;
				}
				if (all_known || e->u.list.noptional > 0)
				{
					for (i = 0; i < e->u.list.nelems; i++)
						release(items[i]);
					r = known(eval_known(pe, ast, ref));
					break;
				}
				for (i = 0; i < e->u.list.nelems; i++)
					trees[i] = to_tree(pe, items[i]);
				r = unknown(pf_expr("list", trees, (int) e->u.list.nelems));
				break;
			}
		case CEL_EXPR_COMPREHENSION:
			r = eval_comprehension(pe, ast, ref, e);
			break;
		case CEL_EXPR_MAP:
			{
				uint32_t	i;
				bool		all_known = true;
				json_t	   *st = NULL;

				for (i = 0; i < 2 * e->u.map.nentries && all_known; i++)
				{
					PRes		p = settle(pe, eval_node(pe, ast, ast->args[e->u.map.entries + i]));

					if (p.kind != PRES_KNOWN)
						all_known = false;
					release(p);
				}
				if (all_known)
				{
					r = known(eval_known(pe, ast, ref));
					break;
				}
				/* a map built from unknowns: struct with set-field entries */
				st = pf_expr("struct", NULL, 0);
				for (i = 0; i < e->u.map.nentries; i++)
				{
					PRes		k = settle(pe, eval_node(pe, ast, ast->args[e->u.map.entries + 2 * i]));
					PRes		v = settle(pe, eval_node(pe, ast, ast->args[e->u.map.entries + 2 * i + 1]));

					json_array_append_new(json_object_get(json_object_get(st, "expression"), "operands"),
										  pf_expr2("set-field", to_tree(pe, k), to_tree(pe, v)));
				}
				r = unknown(st);
				break;
			}
		default:
			r = known(eval_known(pe, ast, ref));
			break;
	}
	pe->depth--;
	return r;
}

/*
 * The tree for a known value JSON cannot carry: the call that made it,
 * with its (known) arguments written out, as Cerbos writes
 * duration("3600s") or hierarchy("a.b.c").
 */
static json_t *
rebuild_tree(PlanEval *pe, const CelAst *ast, CelNodeRef ref)
{
	const CelExpr *e = cel_ast_node(ast, ref);
	json_t	   *trees[8];
	int			n = 0;
	uint32_t	i;

	if (e->kind != CEL_EXPR_CALL || e->u.call.nargs + 1 > 8 || pe->depth > PLAN_MAX_DEPTH)
		return pf_value(engine_cel_to_json(eval_known(pe, ast, ref), 0));
	pe->depth++;
	if (e->u.call.target != CEL_NO_NODE)
		trees[n++] = to_tree(pe, settle(pe, eval_node(pe, ast, e->u.call.target)));
	for (i = 0; i < e->u.call.nargs; i++)
		trees[n++] = to_tree(pe, settle(pe, eval_node(pe, ast, ast->args[e->u.call.args + i])));
	pe->depth--;
	return pf_expr(operator_name(cel_ast_str(ast, e->u.call.function)), trees, n);
}

/* Sorts names (insertion sort: a policy has few derived roles). */
static void
sort_names(const char **names, int n)
{
	int			i,
				j;

	for (i = 1; i < n; i++)
	{
		const char *s = names[i];

		for (j = i; j > 0 && strcmp(names[j - 1], s) > 0; j--)
			names[j] = names[j - 1];
		names[j] = s;
	}
}

/*
 * runtime.effectiveDerivedRoles: the derived roles (sorted) of the
 * resource policy at the scope being walked whose parents the principal
 * has and whose conditions hold; a conditional one contributes
 * if(cond, [name], []).  While derived roles are evaluated the list is
 * empty, as in the check engine.
 */
static PRes
runtime_list(PlanEval *pe)
{
	Arena	   *arena = pe->c->arena;
	const EPolicy *pol;
	const EDerivedRole *drs[ENGINE_MAX_ROLES];
	const char *names[ENGINE_MAX_ROLES];
	const char *saved_names[PLAN_MAX_LOCALS];
	PRes		saved_vals[PLAN_MAX_LOCALS];
	const EParams *saved_params = pe->params;
	int			saved_n = pe->nlocals;
	json_t	   *terms[2 * ENGINE_MAX_ROLES + 1];
	int			ndr = 0,
				nknown = 0,
				nterms = 0,
				i,
				j,
				k;
	bool		any_unknown = false;
	json_t	   *acc;

	if (pe->in_derived || pe->edr_scope == NULL)
		return known(engine_string_list(arena, NULL, 0));
	pol = engine_policy(pe->c->set, POLICY_RESOURCE, pe->c->entry->resource.kind,
						pe->edr_version, pe->edr_scope);
	for (i = 0; pol && i < pol->nderived_roles && ndr < ENGINE_MAX_ROLES; i++)
	{
		const EDerivedRole *dr = pol->derived_roles[i];
		bool		hit = false;

		for (j = 0; j < dr->nparents && !hit; j++)
			for (k = 0; k < pe->edr_nroles && !hit; k++)
				hit = engine_glob_match(dr->parents[j], pe->edr_roles[k]);
		if (hit)
			drs[ndr++] = dr;
	}
	/* in name order */
	for (i = 1; i < ndr; i++)
	{
		const EDerivedRole *d = drs[i];

		for (j = i; j > 0 && strcmp(drs[j - 1]->name, d->name) > 0; j--)
			drs[j] = drs[j - 1];
		drs[j] = d;
	}
	memcpy(saved_names, pe->local_names, sizeof(saved_names));
	memcpy(saved_vals, pe->local_vals, sizeof(saved_vals));
	pe->in_derived = true;
	for (i = 0; i < ndr; i++)
	{
		json_t	   *f = plan_cond(pe, drs[i]->cond, drs[i]->params, 0);
		bool		b;

		if (pf_is_bool(f, &b))
		{
			json_decref(f);
			if (b)
				names[nknown++] = drs[i]->name;
			continue;
		}
		if (nknown > 0)
		{
			terms[nterms++] = pf_value(engine_cel_to_json(engine_string_list(arena, names, nknown), 0));
			nknown = 0;
		}
		{
			json_t	   *ops[3];

			ops[0] = f;
			ops[1] = pf_value(json_pack("[s]", drs[i]->name));
			ops[2] = pf_value(json_array());
			terms[nterms++] = pf_expr("if", ops, 3);
			any_unknown = true;
		}
	}
	pe->in_derived = false;
	memcpy(pe->local_names, saved_names, sizeof(saved_names));
	memcpy(pe->local_vals, saved_vals, sizeof(saved_vals));
	pe->nlocals = saved_n;
	pe->params = saved_params;
	if (!any_unknown)
	{
		sort_names(names, nknown);
		return known(engine_string_list(arena, names, nknown));
	}
	if (nknown > 0)
		terms[nterms++] = pf_value(engine_cel_to_json(engine_string_list(arena, names, nknown), 0));
	/* add(a, add(b, c)): right to left, as Cerbos nests it */
	acc = terms[nterms - 1];
	for (i = nterms - 2; i >= 0; i--)
		acc = pf_expr2("add", terms[i], acc);
	return unknown(acc);
}

/* A condition tree as a formula (see plan_int.h). */
json_t *
plan_cond(PlanEval *pe, const ECond *cond, const EParams *params, int depth)
{
	json_t	   *f;
	int			i;

	if (cond == NULL)
		return pf_bool(true);
	if (depth > 40)
		return pf_bool(false);
	pe->params = params;
	switch (cond->op)
	{
		case ECOND_EXPR:
			if (cond->ast == NULL)
				return pf_bool(false);
			pe->nlocals = 0;
			return pf_mark(as_formula(pe, eval_node(pe, cond->ast, cond->ast->root)),
						   pe->marks);
		case ECOND_ALL:
		case ECOND_ANY:
		case ECOND_NONE:
			{
				json_t	  **fs = arena_alloc0(pe->c->arena, sizeof(json_t *) * (cond->nof + 1));

				if (fs == NULL)
					return pf_bool(false);
				for (i = 0; i < cond->nof; i++)
				{
					fs[i] = plan_cond(pe, &cond->of[i], params, depth + 1);
					if (cond->op == ECOND_NONE)
						fs[i] = pf_not(fs[i]);
				}
				f = pf_nary(cond->op == ECOND_ANY ? "or" : "and", fs, cond->nof);
				break;
			}
		default:
			return pf_bool(false);
	}
	return f;
}
