/*
 * plan_names.c — the names a condition reads beyond the request:
 * a policy's variables (partially evaluated on first use, kept for the
 * rest of the plan) and runtime.effectiveDerivedRoles (a residual list of
 * the derived roles whose conditions may hold).
 */
#include "plan_int.h"

#include <string.h>

/* The residual of variable `name` of params p (evaluated on first use). */
bool
plan_var(PlanEval *pe, const EParams *p, const char *name, PRes *out)
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
		*out = pres_known(cel_error(arena, "variable refers to itself"));
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
			r = pres_known(cel_error(arena, "expression not compiled"));
		else
		{
			r = plan_eval_node(pe, p->vars[i].ast, p->vars[i].ast->root);
			if (r.kind != PRES_INDEX)
				r = pres_settle(pe, r);
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
CelValue
plan_known_vars(PlanEval *pe, const EParams *p)
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

		if (!plan_var(pe, p, p->vars[i].name, &r))
			continue;
		if (r.kind != PRES_KNOWN || r.v.kind == CEL_VAL_ERROR)
		{
			pres_release(r);
			continue;
		}
		keys[n] = cel_string(p->vars[i].name, strlen(p->vars[i].name));
		vals[n++] = r.v;
		pe->known_vars[p->id] = cel_map_from(arena, keys, vals, n);
	}
	return pe->known_vars[p->id];
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
PRes
plan_runtime_list(PlanEval *pe)
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
		return pres_known(engine_string_list(arena, NULL, 0));
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
		return pres_known(engine_string_list(arena, names, nknown));
	}
	if (nknown > 0)
		terms[nterms++] = pf_value(engine_cel_to_json(engine_string_list(arena, names, nknown), 0));
	/* add(a, add(b, c)): right to left, as Cerbos nests it */
	acc = terms[nterms - 1];
	for (i = nterms - 2; i >= 0; i--)
		acc = pf_expr2("add", terms[i], acc);
	return pres_unknown(acc);
}
