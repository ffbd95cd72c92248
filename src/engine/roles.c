/*
 * roles.c — derived roles and role policies during a check.
 *
 * Derived roles referenced by the resource policy at a scope are evaluated
 * once per scope (they feed meta.effectiveDerivedRoles and
 * runtime.effectiveDerivedRoles).  Role policies narrow a role to its
 * allowActions at their scope, denying the rest.
 */
#include "engine_int.h"

#include <string.h>

/* Records a derived role found in effect. */
static void
note_derived_role(ECheck *c, const char *name)
{
	EResult    *r = c->out;
	int			i;

	for (i = 0; i < r->nderived_roles; i++)
		if (strcmp(r->derived_roles[i], name) == 0)
			return;
	if (r->nderived_roles < ENGINE_MAX_ROLES)
		r->derived_roles[r->nderived_roles++] = name;
}

/*
 * The derived roles the resource policy at scope refers to, for this scope
 * of the walk.  With includeMeta they are evaluated now (the response lists
 * them); otherwise only when a condition reads runtime.effectiveDerivedRoles
 * (engine_derived_roles_eval from evaluate.c): their conditions have no
 * effect on the answer but through runtime.
 */
void
engine_derived_roles_at(ECheck *c, const char *version, const char *scope,
						const char **all_roles, int nall)
{
	c->nedr = 0;
	c->runtime_built = false;
	c->edr_error = false;
	c->edr_pending = !c->req->include_meta;
	c->edr_version = version;
	c->edr_scope = scope;
	c->edr_roles = all_roles;
	c->edr_nroles = nall;
	if (!c->edr_pending)
		engine_derived_roles_eval(c);
}

/* Evaluates the derived roles recorded by engine_derived_roles_at. */
void
engine_derived_roles_eval(ECheck *c)
{
	const char *version = c->edr_version;
	const char *scope = c->edr_scope;
	const char **all_roles = c->edr_roles;
	int			nall = c->edr_nroles;
	const EPolicy *pol = engine_policy(c->set, POLICY_RESOURCE, c->entry->resource.kind,
									   version, scope);
	const char **edr;
	bool		outer_error = c->strict_error;
	int			n = 0,
				i,
				j,
				k;

	/*
	 * A derived role's own condition may read runtime.effectiveDerivedRoles:
	 * while they run it is the empty list (as in Cerbos), not a request to
	 * evaluate them again (which recursed without end).
	 */
	c->edr_pending = false;
	edr = arena_alloc0(c->arena, sizeof(char *) * ((pol ? pol->nderived_roles : 0) + 1));
	if (edr == NULL)
		return;
	for (i = 0; pol && i < pol->nderived_roles; i++)
	{
		const EDerivedRole *dr = pol->derived_roles[i];
		bool		intersects = false;

		for (j = 0; j < dr->nparents && !intersects; j++)
			for (k = 0; k < nall && !intersects; k++)
				if (engine_glob_match(dr->parents[j], all_roles[k]))
					intersects = true;
		if (!intersects)
			continue;
		engine_use_params(c, dr->params);
		c->strict_error = false;
		if (engine_cond_holds(c, dr->cond, 0))
		{
			edr[n++] = dr->name;
			note_derived_role(c, dr->name);
		}
		/*
		 * strict: the error is not the action's (the role is just not in
		 * effect) but reading runtime.effectiveDerivedRoles then fails
		 */
		if (c->strict_error)
			c->edr_error = true;
	}
	c->strict_error = outer_error;
	c->edr = edr;
	c->nedr = n;
	c->edr_pending = false;
	c->runtime_built = false;
}

/* Does a row's role match one of the roles? */
bool
engine_role_matches(const char *row_role, const char **roles, int n)
{
	int			i;

	if (strcmp(row_role, "*") == 0)
		return true;
	for (i = 0; i < n; i++)
		if (engine_glob_match(row_role, roles[i]))
			return true;
	return false;
}

/* Are there resource-policy rows at this scope for the resource and roles? */
static bool
resource_rows_for_roles(ECheck *c, const EBucket *bk, const char **roles, int nroles)
{
	int			i;

	for (i = 0; i < bk->nrows; i++)
	{
		const ERow *row = &c->set->rows[bk->rows[i]];

		if (row->type == EROW_RESOURCE && engine_role_matches(row->role, roles, nroles) &&
			engine_glob_match(row->resource, c->entry->resource.kind))
			return true;
	}
	return false;
}

/*
 * Role policies at one scope for the roles being tried: an action outside a
 * role's allowActions is denied when a role policy of these roles here has
 * rules for this resource, or when resource rules at this scope could
 * otherwise grant the roles something (as the real Cerbos 0.55 answers); a
 * conditional allowAction is denied when its condition fails.
 * Returns DENY with the role policy's key, or 0.
 */
int
engine_role_policy_denies(ECheck *c, const EBucket *bk, const char *action, const char **roles,
				   int nroles, const char **policy)
{
	const EngineSet *set = c->set;
	bool		any_covers = false;
	int			r,
				i,
				a;

	/* does any of the roles' role policies here have rules for this resource? */
	for (i = 0; i < bk->nrows && !any_covers; i++)
	{
		const ERow *row = &set->rows[bk->rows[i]];

		if (row->type == EROW_ROLE_POLICY && engine_role_matches(row->role, roles, nroles) &&
			strcmp(row->role, "*") != 0 && engine_glob_match(row->resource, c->entry->resource.kind))
			any_covers = true;
	}
	for (r = 0; r < nroles; r++)
	{
		bool		had = false;
		bool		covers = false;
		bool		matched = false;

		for (i = 0; i < bk->nrows; i++)
		{
			const ERow *row = &set->rows[bk->rows[i]];

			if (row->type != EROW_ROLE_POLICY || !engine_glob_match(row->role, roles[r]))
				continue;
			/* a role policy is exhaustive: other resources are denied too */
			had = true;
			if (!engine_glob_match(row->resource, c->entry->resource.kind))
				continue;
			covers = true;
			for (a = 0; a < row->nallow_actions; a++)
				if (engine_glob_match(row->allow_actions[a], action))
					break;
			if (a == row->nallow_actions)
				continue;
			matched = true;
			engine_use_params(c, row->params);
			if (engine_cond_holds(c, row->cond, 0))
			{
				if (row->has_out_activated)
					engine_emit_output(c, row, row->out_activated, action);
			}
			else
			{
				/* strict error: denied, without a conditionNotMet output */
				if (row->has_out_not_met && !c->strict_error)
					engine_emit_output(c, row, row->out_not_met, action);
				*policy = row->policy_key;
				return ENGINE_EFFECT_DENY;
			}
		}
		if (had && !matched &&
			(covers || any_covers || resource_rows_for_roles(c, bk, roles, nroles)))
		{
			*policy = engine_policy_key(c->arena, "role", roles[r], bk->version, bk->scope);
			return ENGINE_EFFECT_DENY;
		}
	}
	return 0;
}
