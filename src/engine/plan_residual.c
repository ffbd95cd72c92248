/*
 * plan_residual.c — partial evaluation of one CEL expression for the
 * planner: the principal, auxData, constants and globals are known, the
 * resource is known only in its kind, scope, policy version and the
 * attributes the request gives.
 *
 * Each node becomes a PRes (plan_values.c): a value when everything under
 * it is known, or a residual filter tree over request.resource.attr.* /
 * request.resource.id.  A node whose children are all known is evaluated
 * by the CEL evaluator itself (the node as the root of the same AST, with
 * the planner's bindings in front of the check engine's activation), so
 * every function keeps its exact semantics; only the nodes touching
 * unknowns are rebuilt, under their Cerbos operator names.
 * Comprehensions are in plan_comprehension.c, variables and runtime in
 * plan_names.c.
 *
 * As in the check engine, a CEL error makes a condition false: an error
 * next to an unknown (error && x) stays a placeholder inside the residual
 * and is resolved where the condition ends (pf_resolve_errors), so an
 * error under a negation is not mistaken for false.
 */
#include "plan_int.h"

#include <string.h>

/* Activation: the planner's locals, then V and C, then the check engine's names. */
bool
plan_resolve(void *state, const char *name, CelValue *out)
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
		*out = plan_known_vars(pe, pe->params);
		return true;
	}
	if (strcmp(name, "runtime") == 0)
	{
		/* only read when the list is known (see runtime_list) */
		static const char *names[] = {"effectiveDerivedRoles", "effective_derived_roles"};
		PRes		l = plan_runtime_list(pe);
		CelValue	keys[2],
					vals[2];

		if (l.kind != PRES_KNOWN)
		{
			pres_release_tree(l.j);
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
	pe->act.resolve = plan_resolve;
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
				pres_release(pe->vars[p][i]);
		pe->vars[p] = NULL;
	}
}

/* Evaluates node ref (all of whose parts are known) with the CEL evaluator. */
CelValue
plan_eval_known(PlanEval *pe, const CelAst *ast, CelNodeRef ref)
{
	CelAst		sub = *ast;

	sub.root = ref;
	pe->c->cur = pe->params;
	return cel_eval(&pe->c->ctx, NULL, &sub, &pe->act);
}

/* A map field by name, if present. */
bool
plan_map_field(CelValue m, const char *field, CelValue *out)
{
	if (m.kind != CEL_VAL_MAP)
		return false;
	return cel_map_get(m.u.map, cel_string(field, strlen(field)), out);
}

/*
 * has(x): Cerbos writes it x != null.  That is exact where an absent
 * attribute is NULL (SQL), but as CEL an absent x makes it an error, which
 * a negation around it would turn into the wrong answer; with condition
 * marks (the exact form) it stays has(x).
 */
static json_t *
has_tree(PlanEval *pe, json_t *x)
{
	if (pe->marks)
		return pf_expr1(PLAN_HAS_MARK, x);
	return pf_expr2("ne", x, pf_value(json_null()));
}

/* obj.field (or has(obj.field) when test_only) for a non-known obj. */
PRes
plan_select(PlanEval *pe, PRes obj, const char *field, bool test_only)
{
	Arena	   *arena = pe->c->arena;
	CelValue	v;

	switch (obj.kind)
	{
		case PRES_REQUEST:
			if (strcmp(field, "resource") == 0)
				return test_only ? pres_known(cel_bool(true)) : pres_marker(PRES_RESOURCE);
			if (plan_map_field(pe->c->request, field, &v))
				return pres_known(test_only ? cel_bool(true) : v);
			return pres_known(test_only ? cel_bool(false) : cel_error(arena, "no such key: %s", field));
		case PRES_RESOURCE:
			if (strcmp(field, "attr") == 0)
				return test_only ? pres_known(cel_bool(true)) : pres_marker(PRES_ATTR);
			if (strcmp(field, "id") == 0)
			{
				if (pe->c->entry->resource.id[0] != '\0')
					return pres_known(test_only ? cel_bool(true) :
								 cel_string(pe->c->entry->resource.id,
											strlen(pe->c->entry->resource.id)));
				if (test_only)
					return pres_unknown(pf_expr2("ne", pf_var("request.resource.id"), pf_value(json_string(""))));
				return pres_unknown(pf_var("request.resource.id"));
			}
			if (plan_map_field(pe->c->R, field, &v))
				return pres_known(test_only ? cel_bool(true) : v);
			return pres_known(test_only ? cel_bool(false) : cel_error(arena, "no such key: %s", field));
		case PRES_ATTR:
			{
				const char *name = arena_printf(arena, "request.resource.attr.%s", field);

				if (plan_map_field(pe->c->entry->resource.attr, field, &v))
					return pres_known(test_only ? cel_bool(true) : v);
				if (test_only)
					return pres_unknown(has_tree(pe, pf_var(name)));
				return pres_unknown(pf_var(name));
			}
		case PRES_VARS:
			{
				PRes		r;

				if (plan_var(pe, pe->params, field, &r))
					return test_only ? (pres_release(r), pres_known(cel_bool(true))) : r;
				return pres_known(test_only ? cel_bool(false) :
							 cel_error(arena, "no such key: %s", field));
			}
		case PRES_RUNTIME:
			if (strcmp(field, "effectiveDerivedRoles") == 0 ||
				strcmp(field, "effective_derived_roles") == 0)
				return test_only ? pres_known(cel_bool(true)) : plan_runtime_list(pe);
			return pres_known(test_only ? cel_bool(false) : cel_error(arena, "no such key: %s", field));
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
					return pres_unknown(pf_expr2("get-field", pres_tree(pe, obj), pf_var(field)));
				for (i = 0; i < m->len; i++)
					if (plan_map_field(m->values[i], field, &vals[n]))
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
					return pres_unknown(has_tree(pe, t));
				return pres_unknown(t);
			}
	}
	return pres_known(cel_error(arena, "bad select"));
}

/* && and || with unknowns: constants fold, errors stay placeholders. */
static PRes
eval_logic(PlanEval *pe, PRes a, PRes b, bool is_and)
{
	json_t	   *fa,
			   *fb;

	a = pres_settle(pe, a);
	b = pres_settle(pe, b);
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
		return pres_is_err(a) ? a : pres_is_err(b) ? b : pres_known(cel_error(pe->c->arena, "no such overload"));
	}
	fa = pres_operand(pe, a);
	fb = pres_operand(pe, b);
	return pres_unknown(is_and ? pf_and(fa, fb) : pf_or(fa, fb));
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
		PRes		a = plan_eval_node(pe, ast, argrefs[0]);
		PRes		b = plan_eval_node(pe, ast, argrefs[1]);

		return eval_logic(pe, a, b, fn[1] == '&');
	}
	if (strcmp(fn, "_?_:_") == 0)
	{
		PRes		cond = pres_settle(pe, plan_eval_node(pe, ast, argrefs[0]));

		if (cond.kind == PRES_KNOWN)
		{
			if (cond.v.kind != CEL_VAL_BOOL)
				return pres_is_err(cond) ? cond : pres_known(cel_error(pe->c->arena, "no such overload"));
			return plan_eval_node(pe, ast, argrefs[cond.v.u.b ? 1 : 2]);
		}
		trees[0] = cond.j;
		trees[1] = pres_tree(pe, pres_settle(pe, plan_eval_node(pe, ast, argrefs[1])));
		trees[2] = pres_tree(pe, pres_settle(pe, plan_eval_node(pe, ast, argrefs[2])));
		return pres_unknown(pf_expr("if", trees, 3));
	}
	if (strcmp(fn, "@not_strictly_false") == 0)
	{
		PRes		a = pres_settle(pe, plan_eval_node(pe, ast, argrefs[0]));

		if (a.kind == PRES_KNOWN)
			return pres_known(cel_bool(!(a.v.kind == CEL_VAL_BOOL && !a.v.u.b)));
		return a;
	}
	if (strcmp(fn, "!_") == 0)
	{
		PRes		a = pres_settle(pe, plan_eval_node(pe, ast, argrefs[0]));

		if (a.kind == PRES_KNOWN)
			return a.v.kind == CEL_VAL_BOOL ? pres_known(cel_bool(!a.v.u.b)) : a;
		return pres_unknown(pf_not(a.j));
	}
	if (nargs + 1 > 8)
		return pres_known(cel_error(pe->c->arena, "too many arguments"));
	if (e->u.call.target != CEL_NO_NODE)
		parts[n++] = plan_eval_node(pe, ast, e->u.call.target);
	for (i = 0; i < nargs; i++)
		parts[n++] = plan_eval_node(pe, ast, argrefs[i]);
	if (strcmp(fn, "_[_]") == 0 && n == 2)
	{
		PRes		key = pres_settle(pe, parts[1]);

		/* R.attr["x"] reads like R.attr.x */
		if (parts[0].kind != PRES_KNOWN && parts[0].kind != PRES_UNKNOWN &&
			parts[0].kind != PRES_INDEX && key.kind == PRES_KNOWN && key.v.kind == CEL_VAL_STRING)
			return plan_select(pe, parts[0], arena_strndup(pe->c->arena, key.v.u.str.ptr,
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
		((parts[0].kind == PRES_INDEX && pres_settle(pe, parts[1]).kind == PRES_KNOWN) ||
		 (parts[1].kind == PRES_INDEX && pres_settle(pe, parts[0]).kind == PRES_KNOWN)))
	{
		PRes		ix = parts[0].kind == PRES_INDEX ? parts[0] : parts[1];
		PRes		val = pres_settle(pe, parts[0].kind == PRES_INDEX ? parts[1] : parts[0]);
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
			return pres_unknown(pf_expr1("unsupported-index-ne", pf_bool(false)));
		}
		return pres_unknown(f);
	}
	/* v in m[k]: k is one of the keys whose entry holds v */
	if (strcmp(fn, "@in") == 0 && n == 2 && parts[1].kind == PRES_INDEX &&
		pres_settle(pe, parts[0]).kind == PRES_KNOWN)
	{
		PRes		ix = parts[1];
		PRes		val = pres_settle(pe, parts[0]);
		json_t	   *f = pf_bool(false);
		size_t		k,
					m;

		for (k = 0; k < ix.v.u.map->len && !pres_is_err(val); k++)
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
		return pres_unknown(f);
	}
	for (i = 0; i < n; i++)
		parts[i] = pres_settle(pe, parts[i]);
	for (i = 0; i < n; i++)
		if (parts[i].kind != PRES_KNOWN)
			all_known = false;
	if (all_known)
	{
		for (i = 0; i < n; i++)
			pres_release(parts[i]);
		return pres_known_at(plan_eval_known(pe, ast, ref), ast, ref);
	}
	for (i = 0; i < n; i++)
		if (pres_is_err(parts[i]))
		{
			PRes		err = parts[i];

			for (i = 0; i < n; i++)
				pres_release(parts[i]);
			return err;
		}
	/* x in map: x is one of its keys */
	if (strcmp(fn, "@in") == 0 && n == 2 && parts[1].kind == PRES_KNOWN &&
		parts[1].v.kind == CEL_VAL_MAP)
	{
		const CelMap *m = parts[1].v.u.map;

		parts[1] = pres_known(cel_list_from(pe->c->arena, m->keys, m->len));
	}
	/*
	 * x in anything but a list or a map has no overload: an error whatever
	 * x is.  (Cerbos' planner writes x in "s" as x == "s", but its check,
	 * like ours, never allows it.)
	 */
	if (strcmp(fn, "@in") == 0 && n == 2 && parts[1].kind == PRES_KNOWN &&
		parts[1].v.kind != CEL_VAL_LIST && parts[1].v.kind != CEL_VAL_MAP)
	{
		pres_release(parts[0]);
		return pres_known(cel_error_no_such_overload(pe->c->arena, "@in"));
	}
	/* x in [v] is x == v; x in [] is false */
	if (strcmp(fn, "@in") == 0 && n == 2 && parts[1].kind == PRES_KNOWN &&
		parts[1].v.kind == CEL_VAL_LIST && parts[1].v.u.list->len <= 1)
	{
		if (parts[1].v.u.list->len == 0)
			return (pres_release(parts[0]), pres_known(cel_bool(false)));
		return pres_unknown(pf_expr2("eq", pres_tree(pe, parts[0]),
								pres_tree(pe, pres_known(parts[1].v.u.list->items[0]))));
	}
	for (i = 0; i < n; i++)
		trees[i] = pres_tree(pe, parts[i]);
	return pres_unknown(pf_expr(plan_operator_name(fn), trees, n));
}

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
		return pres_marker(PRES_RESOURCE);
	if (strcmp(name, "request") == 0)
		return pres_marker(PRES_REQUEST);
	if (strcmp(name, "V") == 0 || strcmp(name, "variables") == 0)
		return pres_marker(PRES_VARS);
	if (strcmp(name, "runtime") == 0)
		return pres_marker(PRES_RUNTIME);
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

					r = plan_map_field(r.v, field, &v) ? pres_known(v) :
						pres_known(cel_error(pe->c->arena, "no such key: %s", field));
				}
				else
					r = plan_select(pe, r, field, false);
				dot = next;
			}
			return r;
		}
	}
	return pres_known(plan_eval_known(pe, ast, ref));
}

/* One node. */
PRes
plan_eval_node(PlanEval *pe, const CelAst *ast, CelNodeRef ref)
{
	const CelExpr *e;
	PRes		r;

	if (ref < 0 || ref >= ast->nnodes)
		return pres_known(cel_error(pe->c->arena, "bad node"));
	if (pe->depth > PLAN_MAX_DEPTH)
		return pres_known(cel_error(pe->c->arena, "expression nested too deeply to plan"));
	pe->depth++;
	e = cel_ast_node(ast, ref);
	switch (e->kind)
	{
		case CEL_EXPR_IDENT:
			r = eval_ident(pe, ast, ref, cel_ast_str(ast, e->u.ident.name));
			break;
		case CEL_EXPR_SELECT:
			{
				PRes		obj = plan_eval_node(pe, ast, e->u.select.operand);
				const char *field = cel_ast_str(ast, e->u.select.field);
				bool		test_only = (e->flags & CEL_EXPR_F_TEST_ONLY) != 0;

				if (obj.kind == PRES_KNOWN)
					r = pres_known(plan_eval_known(pe, ast, ref));
				else if (e->flags & CEL_EXPR_F_OPTIONAL)
				{
					pres_release(obj);
					r = pres_unknown(pf_expr1("unsupported-optional", pf_var(field)));
				}
				else
					r = plan_select(pe, obj, field, test_only);
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
					r = pres_known(cel_error(pe->c->arena, "out of memory"));
					break;
				}
				for (i = 0; i < e->u.list.nelems; i++)
				{
					items[i] = pres_settle(pe, plan_eval_node(pe, ast, ast->args[e->u.list.elems + i]));
					if (items[i].kind != PRES_KNOWN)
						all_known = false;
				}
				if (all_known || e->u.list.noptional > 0)
				{
					for (i = 0; i < e->u.list.nelems; i++)
						pres_release(items[i]);
					r = pres_known(plan_eval_known(pe, ast, ref));
					break;
				}
				for (i = 0; i < e->u.list.nelems; i++)
					trees[i] = pres_tree(pe, items[i]);
				r = pres_unknown(pf_expr("list", trees, (int) e->u.list.nelems));
				break;
			}
		case CEL_EXPR_COMPREHENSION:
			r = plan_comprehension(pe, ast, ref, e);
			break;
		case CEL_EXPR_MAP:
			{
				uint32_t	i;
				bool		all_known = true;
				json_t	   *st = NULL;

				for (i = 0; i < 2 * e->u.map.nentries && all_known; i++)
				{
					PRes		p = pres_settle(pe, plan_eval_node(pe, ast, ast->args[e->u.map.entries + i]));

					if (p.kind != PRES_KNOWN)
						all_known = false;
					pres_release(p);
				}
				if (all_known)
				{
					r = pres_known(plan_eval_known(pe, ast, ref));
					break;
				}
				/* a map built from unknowns: struct with set-field entries */
				st = pf_expr("struct", NULL, 0);
				for (i = 0; i < e->u.map.nentries; i++)
				{
					PRes		k = pres_settle(pe, plan_eval_node(pe, ast, ast->args[e->u.map.entries + 2 * i]));
					PRes		v = pres_settle(pe, plan_eval_node(pe, ast, ast->args[e->u.map.entries + 2 * i + 1]));

					json_array_append_new(json_object_get(json_object_get(st, "expression"), "operands"),
										  pf_expr2("set-field", pres_tree(pe, k), pres_tree(pe, v)));
				}
				r = pres_unknown(st);
				break;
			}
		default:
			r = pres_known(plan_eval_known(pe, ast, ref));
			break;
	}
	pe->depth--;
	return r;
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
			{
				PRes		r;

				if (cond->ast == NULL)
					return pf_bool(false);
				pe->nlocals = 0;
				r = pres_settle(pe, plan_eval_node(pe, cond->ast, cond->ast->root));
				/* strict evaluation: note what plan_json.c must not fold away */
				if (pe->c->strict && r.kind == PRES_KNOWN && r.v.kind == CEL_VAL_ERROR)
					pe->strict_error = true;
				else if (pe->c->strict && r.kind != PRES_KNOWN)
					pe->strict_residual = true;
				return pf_mark(pf_resolve_errors(pres_formula(pe, r)), pe->marks);
			}
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
