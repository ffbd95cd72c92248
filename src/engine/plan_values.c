/*
 * plan_values.c — the planner's partial values (PRes) and how they become
 * filter trees: known values as {"value": ...} (or, when JSON cannot carry
 * them, the call that made them, as Cerbos writes duration("3600s")),
 * residuals as they are, parts of the request as variables; and Cerbos'
 * operator names for CEL's functions.
 */
#include "plan_int.h"

#include <string.h>

/* A known value. */
PRes
pres_known(CelValue v)
{
	PRes		r = {PRES_KNOWN, v, NULL, NULL, CEL_NO_NODE};

	return r;
}

/* A known value made by node ref of ast (see PRes). */
PRes
pres_known_at(CelValue v, const CelAst *ast, CelNodeRef ref)
{
	PRes		r = {PRES_KNOWN, v, NULL, ast, ref};

	return r;
}

/* A residual. */
PRes
pres_unknown(json_t *j)
{
	PRes		r = {PRES_UNKNOWN, {0}, j, NULL, CEL_NO_NODE};

	return r;
}

/* A part of the request (PRES_REQUEST, PRES_RESOURCE, PRES_ATTR, PRES_VARS, PRES_RUNTIME). */
PRes
pres_marker(int kind)
{
	PRes		r = {kind, {0}, NULL, NULL, CEL_NO_NODE};

	return r;
}

/* Can JSON carry the value as Cerbos' {"value": ...} does? */
bool
pres_representable(CelValue v, int depth)
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
				if (!pres_representable(v.u.list->items[i], depth + 1))
					return false;
			return true;
		case CEL_VAL_MAP:
			for (i = 0; i < v.u.map->len; i++)
				if (v.u.map->keys[i].kind != CEL_VAL_STRING ||
					!pres_representable(v.u.map->values[i], depth + 1))
					return false;
			return true;
		default:
			return false;
	}
}

/* Drops a tree (NULL allowed). */
void
pres_release_tree(json_t *j)
{
	if (j)
		json_decref(j);
}

/* The filter tree of a PRes (known values become {"value": ...}). */
json_t *
pres_tree(PlanEval *pe, PRes r)
{
	switch (r.kind)
	{
		case PRES_KNOWN:
			/* an error inside a residual (a lambda's body, an if's branch):
			 * the placeholder its condition resolves */
			if (r.v.kind == CEL_VAL_ERROR)
				return pf_error();
			if (r.v.kind == CEL_VAL_DURATION || r.v.kind == CEL_VAL_TIMESTAMP)
				return pf_expr1(r.v.kind == CEL_VAL_DURATION ? "duration" : "timestamp",
								pf_value(engine_cel_to_json(r.v, 0)));
			if (r.ast != NULL && !pres_representable(r.v, 0))
				return pres_rebuild_tree(pe, r.ast, r.node);
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
			return pf_value(engine_cel_to_json(plan_known_vars(pe, pe->params), 0));
	}
	return pf_value(json_null());
}

/* Drops a PRes's tree when it is not used. */
void
pres_release(PRes r)
{
	if ((r.kind == PRES_UNKNOWN || r.kind == PRES_INDEX) && r.j)
		json_decref(r.j);
}

/* Turns request markers into values or residuals. */
PRes
pres_settle(PlanEval *pe, PRes r)
{
	if (r.kind == PRES_KNOWN || r.kind == PRES_UNKNOWN)
		return r;
	if (r.kind == PRES_VARS)
		return pres_known(plan_known_vars(pe, pe->params));
	if (r.kind == PRES_RUNTIME)
	{
		CelValue	v;

		if (plan_resolve(pe, "runtime", &v))
			return pres_known(v);
	}
	return pres_unknown(pres_tree(pe, r));
}

/* Is the value an error? */
bool
pres_is_err(PRes r)
{
	return r.kind == PRES_KNOWN && r.v.kind == CEL_VAL_ERROR;
}

/*
 * An operand of and/or/not as a formula: a CEL error (or a value that is
 * no bool, which is one) stays an error placeholder, resolved where the
 * condition ends (pf_resolve_errors).
 */
json_t *
pres_operand(PlanEval *pe, PRes r)
{
	r = pres_settle(pe, r);
	if (r.kind == PRES_KNOWN)
	{
		if (r.v.kind == CEL_VAL_BOOL)
			return pf_bool(r.v.u.b);
		return pf_error();
	}
	return r.j;
}

/* A boolean formula from a residual or value (non-bool values: false). */
json_t *
pres_formula(PlanEval *pe, PRes r)
{
	r = pres_settle(pe, r);
	if (r.kind == PRES_KNOWN)
		return pf_bool(r.v.kind == CEL_VAL_BOOL && r.v.u.b);
	return r.j;
}

/* Cerbos' operator name for a CEL function. */
const char *
plan_operator_name(const char *fn)
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

/*
 * The tree for a known value JSON cannot carry: the call that made it,
 * with its (known) arguments written out, as Cerbos writes
 * duration("3600s") or hierarchy("a.b.c").
 */
json_t *
pres_rebuild_tree(PlanEval *pe, const CelAst *ast, CelNodeRef ref)
{
	const CelExpr *e = cel_ast_node(ast, ref);
	json_t	   *trees[8];
	int			n = 0;
	uint32_t	i;

	if (e->kind != CEL_EXPR_CALL || e->u.call.nargs + 1 > 8 || pe->depth > PLAN_MAX_DEPTH)
		return pf_value(engine_cel_to_json(plan_eval_known(pe, ast, ref), 0));
	pe->depth++;
	if (e->u.call.target != CEL_NO_NODE)
		trees[n++] = pres_tree(pe, pres_settle(pe, plan_eval_node(pe, ast, e->u.call.target)));
	for (i = 0; i < e->u.call.nargs; i++)
		trees[n++] = pres_tree(pe, pres_settle(pe, plan_eval_node(pe, ast, ast->args[e->u.call.args + i])));
	pe->depth--;
	return pf_expr(plan_operator_name(cel_ast_str(ast, e->u.call.function)), trees, n);
}
