/*
 * plan_comprehension.c — comprehensions (the expanded macros) for the
 * planner: over a known range they are unrolled, step by step, with the
 * accumulator as a partial value; over an unknown range (or a long one)
 * they become Cerbos' lambda forms, all/exists/exists_one/map/filter and
 * the two-variable transformList/transformMap/transformMapEntry, each
 * recognised from the shape cel-go expands its macro to.
 */
#include "plan_int.h"

#include <string.h>

/* Pushes a local binding; false when too deep. */
bool
plan_push_local(PlanEval *pe, const char *name, PRes v)
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
PRes
plan_lambda_form(PlanEval *pe, const CelAst *ast, const CelExpr *e, PRes range)
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
		return pres_unknown(pf_expr1("unsupported-comprehension", pres_tree(pe, range)));
	}
	if (!plan_push_local(pe, iter, pres_unknown(pf_var(iter))) ||
		(iter2[0] && !plan_push_local(pe, iter2, pres_unknown(pf_var(iter2)))))
		return pres_known(cel_error(pe->c->arena, "too many nested comprehensions"));
	pe->in_lambda++;
	b = pres_settle(pe, plan_eval_node(pe, ast, body));
	pe->in_lambda--;
	while (pe->nlocals > base)
		json_decref(pe->local_vals[--pe->nlocals].j);
	if (iter2[0])
	{
		json_t	   *l[3] = {pres_tree(pe, b), pf_var(iter), pf_var(iter2)};

		lam = pf_expr("lambda", l, 3);
	}
	else
		lam = pf_expr2("lambda", pres_tree(pe, b), pf_var(iter));
	ops[0] = pres_tree(pe, range);
	ops[1] = lam;
	return pres_unknown(pf_expr(op, ops, 2));
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
PRes
plan_comprehension(PlanEval *pe, const CelAst *ast, CelNodeRef ref, const CelExpr *e)
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
		return pres_known_at(plan_eval_known(pe, ast, ref), ast, ref);
	range = pres_settle(pe, plan_eval_node(pe, ast, e->u.comp.iter_range));

	if (range.kind == PRES_UNKNOWN)
		return plan_lambda_form(pe, ast, e, range);
	if (pres_is_err(range))
		return range;
	if (range.v.kind == CEL_VAL_LIST)
		len = range.v.u.list->len;
	else if (range.v.kind == CEL_VAL_MAP)
		len = range.v.u.map->len;
	else
		return pres_known(plan_eval_known(pe, ast, ref));
	/* too long to unroll: Cerbos' lambda form over the known range */
	if (len > PLAN_MAX_UNROLL || pe->unrolled + (int) len > PLAN_MAX_UNROLL)
		return plan_lambda_form(pe, ast, e, range);
	pe->unrolled += (int) len;
	accu = pres_settle(pe, plan_eval_node(pe, ast, e->u.comp.accu_init));
	if (!plan_push_local(pe, accu_name, accu) || !plan_push_local(pe, iter1, pres_known(cel_null())) ||
		(two && !plan_push_local(pe, iter2, pres_known(cel_null()))))
	{
		pe->nlocals = base;
		return pres_known(cel_error(pe->c->arena, "too many nested comprehensions"));
	}
	for (i = 0; i < len; i++)
	{
		PRes		cond;

		if (range.v.kind == CEL_VAL_LIST)
		{
			if (two)
			{
				pe->local_vals[base + 1] = pres_known(cel_int((int64_t) i));
				pe->local_vals[base + 2] = pres_known(range.v.u.list->items[i]);
			}
			else
				pe->local_vals[base + 1] = pres_known(range.v.u.list->items[i]);
		}
		else
		{
			pe->local_vals[base + 1] = pres_known(range.v.u.map->keys[i]);
			if (two)
				pe->local_vals[base + 2] = pres_known(range.v.u.map->values[i]);
		}
		cond = pres_settle(pe, plan_eval_node(pe, ast, e->u.comp.loop_cond));
		if (cond.kind == PRES_KNOWN && cond.v.kind == CEL_VAL_BOOL && !cond.v.u.b)
			break;
		pres_release(cond);
		/* the accumulator is read by the step: keep a reference for it */
		{
			PRes		old = pe->local_vals[base];
			PRes		next = pres_settle(pe, plan_eval_node(pe, ast, e->u.comp.loop_step));

			pe->local_vals[base] = next;
			pres_release(old);
		}
	}
	pe->nlocals = base + 1;
	result = pres_settle(pe, plan_eval_node(pe, ast, e->u.comp.result));
	pres_release(pe->local_vals[base]);
	pe->nlocals = base;
	/* inside a lambda Cerbos keeps a macro over a known range as a lambda too */
	if (pe->in_lambda > 0 && result.kind == PRES_UNKNOWN)
	{
		pres_release(result);
		return plan_lambda_form(pe, ast, e, range);
	}
	return result;
}
