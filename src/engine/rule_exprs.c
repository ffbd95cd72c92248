/*
 * rule_exprs.c — what a rule-table row evaluates, compiled once.
 *
 * Conditions become ECond trees that keep each rule's own all/any/none
 * combinator; variables, constants (as CEL values) and derived roles are
 * compiled once per defining policy and shared by the rows that use them.
 * Expressions come as checked ASTs from the compiler's CEL stage (the
 * EAstCache); an expression it did not see is parsed and checked here.
 */
#include "ruletable_int.h"

#include <string.h>

#define COND_MAX_DEPTH 32

/* Compiles one expression at its position. */
const CelAst *
rt_expr(Builder *b, const char *file, const PExpr *e)
{
	const CelAst *ast = engine_ast_cache_get(b->asts, e);

	if (ast != NULL)
		return ast;
	return engine_cel_compile(b->arena, b->env, file, e, b->diags);
}

/* A PMatch tree as an ECond tree. */
static const ECond *
build_match(Builder *b, const char *file, const PMatch *m, int depth)
{
	ECond	   *c;
	ECond	   *of;
	int			i;

	if (m == NULL || depth > COND_MAX_DEPTH)
		return NULL;
	c = arena_alloc0(b->arena, sizeof(ECond));
	if (c == NULL)
		return NULL;
	switch (m->op)
	{
		case PMATCH_EXPR:
			c->op = ECOND_EXPR;
			c->text = m->expr.text;
			c->ast = rt_expr(b, file, &m->expr);
			if (c->ast == NULL && engine_cel_available())
				b->ok = false;
			return c;
		case PMATCH_ALL:
			c->op = ECOND_ALL;
			break;
		case PMATCH_ANY:
			c->op = ECOND_ANY;
			break;
		default:
			c->op = ECOND_NONE;
			break;
	}
	of = arena_alloc0(b->arena, sizeof(ECond) * (m->nof + 1));
	if (of == NULL)
		return NULL;
	for (i = 0; i < m->nof; i++)
	{
		const ECond *sub = build_match(b, file, &m->of[i], depth + 1);

		if (sub != NULL)
			of[i] = *sub;
		else
			of[i].op = ECOND_EXPR;	/* uncompilable: false */
	}
	c->of = of;
	c->nof = m->nof;
	return c;
}

/* A rule condition (match or deprecated script). */
const ECond *
rt_condition(Builder *b, const char *file, const PCondition *cond)
{
	ECond	   *c;

	if (cond == NULL)
		return NULL;
	if (cond->match != NULL)
		return build_match(b, file, cond->match, 0);
	c = arena_alloc0(b->arena, sizeof(ECond));
	if (c == NULL)
		return NULL;
	c->op = ECOND_EXPR;
	c->text = cond->script.text;
	c->ast = rt_expr(b, file, &cond->script);
	if (c->ast == NULL && engine_cel_available())
		b->ok = false;
	return c;
}

/* none(cond): how Cerbos turns a conditional ALLOW into a DENY. */
const ECond *
rt_negate(Builder *b, const ECond *cond)
{
	ECond	   *c = arena_alloc0(b->arena, sizeof(ECond));

	if (c == NULL)
		return cond;
	c->op = ECOND_NONE;
	c->of = cond;
	c->nof = 1;
	return c;
}

/* A policy's variables and constants. */
const EParams *
rt_params(Builder *b, const CompiledPolicy *cp)
{
	EngineSet  *set = b->set;
	EParams    *p = arena_alloc0(b->arena, sizeof(EParams));
	EVar	   *vars;
	CelValue   *keys;
	CelValue   *vals;
	int			i;

	if (p == NULL)
		return NULL;
	vars = arena_alloc0(b->arena, sizeof(EVar) * (cp->nvariables + 1));
	keys = arena_alloc0(b->arena, sizeof(CelValue) * (cp->nconstants + 1));
	vals = arena_alloc0(b->arena, sizeof(CelValue) * (cp->nconstants + 1));
	if (vars == NULL || keys == NULL || vals == NULL)
		return NULL;
	for (i = 0; i < cp->nvariables; i++)
	{
		const CVariable *v = &cp->variables[i];

		vars[i].name = v->name;
		vars[i].text = v->expr.text;
		vars[i].ast = rt_expr(b, v->file ? v->file : cp->policy->file, &v->expr);
		if (vars[i].ast == NULL && engine_cel_available())
			b->ok = false;
	}
	for (i = 0; i < cp->nconstants; i++)
	{
		keys[i] = cel_string(cp->constants[i].name, strlen(cp->constants[i].name));
		vals[i] = engine_pnode_to_cel(b->arena, cp->constants[i].value, 0);
	}
	p->vars = vars;
	p->nvars = cp->nvariables;
	p->constants = cel_map_from(b->arena, keys, vals, cp->nconstants);
	if (set->nparams == b->params_cap)
	{
		int			cap = b->params_cap ? b->params_cap * 2 : 32;

		set->params = arena_realloc(b->arena, set->params, sizeof(EParams *) * b->params_cap,
									sizeof(EParams *) * cap);
		if (set->params == NULL)
			return NULL;
		b->params_cap = cap;
	}
	p->id = set->nparams;
	set->params[set->nparams++] = p;
	return p;
}

/* The compiled form of one derived role definition (shared by its users). */
static const EDerivedRole *
build_derived_role(Builder *b, const CompiledPolicy *drp, const PRoleDef *def,
				   const EParams *params)
{
	EDerivedRole *dr = arena_alloc0(b->arena, sizeof(EDerivedRole));
	int			i;

	if (dr == NULL)
		return NULL;
	dr->name = def->name.s;
	dr->nparents = def->parent_roles.count;
	dr->parents = arena_alloc0(b->arena, sizeof(char *) * (dr->nparents + 1));
	if (dr->parents == NULL)
		return NULL;
	for (i = 0; i < dr->nparents; i++)
		dr->parents[i] = def->parent_roles.items[i].s;
	dr->cond = rt_condition(b, drp->policy->file, def->condition);
	dr->params = params;
	return dr;
}

/* The params of a derived_roles policy, built once. */
static const EParams *
derived_roles_params(Builder *b, const CompiledPolicy *drp)
{
	int			j;

	for (j = 0; j < b->ndr; j++)
		if (b->dr_policies[j] == drp->policy && b->dr_compiled[j] != NULL)
			return b->dr_compiled[j]->params;
	return rt_params(b, drp);
}

/* Finds (compiling on first use) derived role `name` imported by cp. */
const EDerivedRole *
rt_derived_role(Builder *b, const CompiledPolicy *cp, const char *name)
{
	int			k,
				i,
				j;

	for (k = 0; k < cp->nderived_roles; k++)
	{
		const CompiledPolicy *drp = cp->derived_roles[k];

		for (i = 0; i < drp->policy->nrole_defs; i++)
		{
			const PRoleDef *def = &drp->policy->role_defs[i];
			const EDerivedRole *dr;

			if (strcmp(def->name.s, name) != 0)
				continue;
			for (j = 0; j < b->ndr; j++)
				if (b->dr_policies[j] == drp->policy && strcmp(b->dr_compiled[j]->name, name) == 0)
					return b->dr_compiled[j];
			if (b->ndr == b->dr_cap)
			{
				int			cap = b->dr_cap ? b->dr_cap * 2 : 32;

				b->dr_policies = arena_realloc(b->arena, b->dr_policies,
											   sizeof(Policy *) * b->dr_cap, sizeof(Policy *) * cap);
				b->dr_compiled = arena_realloc(b->arena, b->dr_compiled,
											   sizeof(EDerivedRole *) * b->dr_cap,
											   sizeof(EDerivedRole *) * cap);
				if (b->dr_policies == NULL || b->dr_compiled == NULL)
					return NULL;
				b->dr_cap = cap;
			}
			dr = build_derived_role(b, drp, def, derived_roles_params(b, drp));
			if (dr == NULL)
				return NULL;
			b->dr_policies[b->ndr] = drp->policy;
			b->dr_compiled[b->ndr++] = (EDerivedRole *) dr;
			return dr;
		}
	}
	return NULL;
}

/* Fills an output's compiled expressions into a row. */
void
rt_output(Builder *b, const char *file, const POutput *out, ERow *row)
{
	if (out == NULL)
		return;
	if (out->has_rule_activated)
	{
		row->has_out_activated = true;
		row->out_activated = rt_expr(b, file, &out->rule_activated);
	}
	else if (out->has_expr)
	{
		row->has_out_activated = true;
		row->out_activated = rt_expr(b, file, &out->expr);
	}
	if (out->has_condition_not_met)
	{
		row->has_out_not_met = true;
		row->out_not_met = rt_expr(b, file, &out->condition_not_met);
	}
}
