/*
 * plan_walk.c — the check engine's rule selection (check.c) with formulas
 * in place of booleans.
 *
 * check.c walks scopes leaf to root with early exits: a DENY ends the
 * walk, an ALLOW ends it where the scope overrides its parent.  With an
 * unknown resource each "does this hold" becomes a formula, and the walk
 * keeps one formula for "still undecided here" (U) and one for "an ALLOW
 * was seen and carries on to the parent" (H):
 *
 *     deny  |= U & (roleDeny | D)        U &= !roleDeny & !D
 *     H'     = H | A
 *     OVERRIDE_PARENT:              allow |= U & H'   (U &= !H')
 *     REQUIRE_PARENTAL_CONSENT:     H = false
 *     otherwise:                    H = H'
 *
 * where A and D are the ORs of the scope's ALLOW and DENY rule conditions
 * (a derived-role rule's condition includes its role's).  The action is
 * allowed when the principal policies allow it, or when they do not deny
 * it and some role's walk allows it.  The same helpers as check.c pick
 * the scopes, parent roles and rows, so both agree rule for rule.
 */
#include "plan_int.h"
#include "../policy/policy.h"

#include <string.h>

/* A shared reference to f. */
static json_t *
share(json_t *f)
{
	return json_incref(f);
}

/* The formula for "this row applies": its derived role's condition and its own. */
static json_t *
row_formula(PlanEval *pe, const ERow *row)
{
	json_t	   *f = plan_cond(pe, row->cond, row->params, 0);

	/* the rule's own condition first, as Cerbos writes it */
	if (row->derived_role != NULL && row->derived_role->cond != NULL)
		f = pf_and(f, plan_cond(pe, row->derived_role->cond, row->derived_role->params, 0));
	return f;
}

/* Notes that a rule at scope applied to the action. */
static void
note_match(PlanEval *pe, const char *scope)
{
	if (pe->rows_matched++ == 0 || pe->matched_scope == NULL)
		pe->matched_scope = scope;
	else if (scope != NULL && strcmp(pe->matched_scope, scope) != 0)
	{
		pe->matched_scopes_differ = true;
		/* the leafmost: the longer of two scopes on one chain */
		if (strlen(scope) > strlen(pe->matched_scope))
			pe->matched_scope = scope;
	}
}

/* Are there resource-policy rows at this scope for the kind and roles? */
static bool
resource_rows_for_roles(const EngineSet *set, const EBucket *bk, const char *kind,
						const char **roles, int nroles)
{
	int			i;

	for (i = 0; i < bk->nrows; i++)
	{
		const ERow *row = &set->rows[bk->rows[i]];

		if (row->type == EROW_RESOURCE && engine_role_matches(row->role, roles, nroles) &&
			engine_glob_match(row->resource, kind))
			return true;
	}
	return false;
}

/*
 * engine_role_policy_denies as a formula: role policies at this scope
 * deny an action outside their allowActions, or one whose condition fails.
 */
static json_t *
role_policy_denies(PlanEval *pe, const EBucket *bk, const char *action,
				   const char **roles, int nroles)
{
	const EngineSet *set = pe->c->set;
	const char *kind = pe->c->entry->resource.kind;
	json_t	   *deny = pf_bool(false);
	bool		any_covers = false;
	int			r,
				i,
				a;

	for (i = 0; i < bk->nrows && !any_covers; i++)
	{
		const ERow *row = &set->rows[bk->rows[i]];

		if (row->type == EROW_ROLE_POLICY && engine_role_matches(row->role, roles, nroles) &&
			strcmp(row->role, "*") != 0 && engine_glob_match(row->resource, kind))
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
			had = true;
			if (!engine_glob_match(row->resource, kind))
				continue;
			covers = true;
			for (a = 0; a < row->nallow_actions; a++)
				if (engine_glob_match(row->allow_actions[a], action))
					break;
			if (a == row->nallow_actions)
				continue;
			matched = true;
			deny = pf_or(deny, pf_not(plan_cond(pe, row->cond, row->params, 0)));
		}
		if (had && !matched &&
			(covers || any_covers || resource_rows_for_roles(set, bk, kind, roles, nroles)))
		{
			/* a denial is a match (Cerbos says "(false)", not NO_MATCH) */
			note_match(pe, NULL);
			deny = pf_or(deny, pf_bool(true));
		}
	}
	return deny;
}

/* The walk of one policy type for one role (or the principal); see above. */
static void
walk(PlanEval *pe, bool principal, const char *action, const char **scopes, int nscopes,
	 const char **roles, int nroles, json_t **allow_out, json_t **deny_out)
{
	const EngineSet *set = pe->c->set;
	const EPrincipal *pr = &pe->c->req->principal;
	const EResource *res = &pe->c->entry->resource;
	const char *version = res->policy_version[0] ? res->policy_version : set->default_version;
	json_t	   *U = pf_bool(true);
	json_t	   *H = pf_bool(false);
	json_t	   *allow = pf_bool(false);
	json_t	   *deny = pf_bool(false);
	int			si,
				i;

	for (si = 0; si < nscopes; si++)
	{
		const EBucket *bk = engine_bucket(set, principal ? EROW_PRINCIPAL : EROW_RESOURCE,
										  version, scopes[si]);
		json_t	   *A,
				   *D,
				   *Hn;
		bool		b;
		int			perm;

		if (pf_is_bool(U, &b) && !b)
			break;
		if (!principal)
		{
			pe->edr_version = version;
			pe->edr_scope = scopes[si];
		}
		if (bk == NULL)
			continue;
		A = pf_bool(false);
		D = pf_bool(false);
		if (!principal)
		{
			json_t	   *rp;

			rp = role_policy_denies(pe, bk, action, roles, nroles);

			deny = pf_or(deny, pf_and(share(U), share(rp)));
			U = pf_and(U, pf_not(rp));
		}
		for (i = 0; i < bk->nrows; i++)
		{
			const ERow *row = &set->rows[bk->rows[i]];

			if (row->type == EROW_ROLE_POLICY)
				continue;
			if (principal && strcmp(row->principal, pr->id) != 0)
				continue;
			if (!principal && !engine_role_matches(row->role, roles, nroles))
				continue;
			if (!engine_glob_match(row->resource, res->kind) ||
				!engine_glob_match(row->action, action))
				continue;
			note_match(pe, scopes[si]);
			if (row->effect == ENGINE_EFFECT_ALLOW)
				A = pf_or(A, row_formula(pe, row));
			else if (row->effect == ENGINE_EFFECT_DENY)
				D = pf_or(D, row_formula(pe, row));
		}
		deny = pf_or(deny, pf_and(share(U), share(D)));
		U = pf_and(U, pf_not(D));
		Hn = pf_or(H, A);
		perm = engine_scope_permissions(set, scopes[si]);
		if (perm == SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS)
		{
			json_decref(Hn);
			H = pf_bool(false);
		}
		else if (perm == SCOPE_PERMISSIONS_OVERRIDE_PARENT)
		{
			/* U & !Hn would be exact; dropping !Hn changes nothing (a later
			 * term only matters when this one is false) and keeps the
			 * filter as Cerbos writes it */
			allow = pf_or(allow, pf_and(share(U), Hn));
			H = pf_bool(false);
		}
		else
			H = Hn;
	}
	json_decref(U);
	json_decref(H);
	*allow_out = allow;
	*deny_out = deny;
}

/* The formula for one action (a new reference); *no_match when no rule applies to it. */
json_t *
plan_action(PlanEval *pe, const char *action, bool *no_match)
{
	ECheck	   *c = pe->c;
	const EngineSet *set = c->set;
	const EPrincipal *pr = &c->req->principal;
	const EResource *res = &c->entry->resource;
	const char *pversion = pr->policy_version[0] ? pr->policy_version : set->default_version;
	const char *rversion = res->policy_version[0] ? res->policy_version : set->default_version;
	const char *pscopes[ENGINE_MAX_SCOPES];
	const char *rscopes[ENGINE_MAX_SCOPES];
	const char *pkey,
			   *rkey;
	const char *all_roles[ENGINE_MAX_ROLES];
	int			npscopes,
				nrscopes,
				nall,
				ri;
	json_t	   *p_allow,
			   *p_deny,
			   *r_allow;

	*no_match = false;
	npscopes = engine_scope_chain(c, true, pr->id, pversion, engine_scope_value(pr->scope), pscopes, &pkey);
	nrscopes = engine_scope_chain(c, false, res->kind, rversion, engine_scope_value(res->scope), rscopes, &rkey);
	if ((npscopes == 0 && nrscopes == 0) ||
		(!engine_scoped_rows_exist(set, true, res->kind, pversion, pscopes, npscopes) &&
		 !engine_scoped_rows_exist(set, false, res->kind, rversion, rscopes, nrscopes)))
	{
		*no_match = true;
		return pf_bool(false);
	}

	/* every role with its parents, for derived roles */
	nall = 0;
	for (ri = 0; ri < pr->nroles && nall < ENGINE_MAX_ROLES; ri++)
		all_roles[nall++] = pr->roles[ri];
	nall = engine_add_parent_roles(c, engine_scope_value(res->scope), all_roles, nall, ENGINE_MAX_ROLES);
	pe->edr_roles = all_roles;
	pe->edr_nroles = nall;

	pe->rows_matched = 0;
	pe->matched_scope = NULL;
	pe->matched_scopes_differ = false;
	walk(pe, true, action, pscopes, npscopes, NULL, 0, &p_allow, &p_deny);
	r_allow = pf_bool(false);
	for (ri = 0; ri < pr->nroles; ri++)
	{
		const char *roles[ENGINE_MAX_ROLES];
		int			nroles;
		json_t	   *a,
				   *d;

		roles[0] = pr->roles[ri];
		nroles = engine_add_parent_roles(c, engine_scope_value(res->scope), roles, 1, ENGINE_MAX_ROLES);
		walk(pe, false, action, rscopes, nrscopes, roles, nroles, &a, &d);
		json_decref(d);
		r_allow = pf_or(r_allow, a);
	}
	pe->edr_roles = NULL;
	pe->edr_nroles = 0;
	pe->edr_scope = NULL;
	*no_match = (pe->rows_matched == 0);
	return pf_or(p_allow, pf_and(pf_not(p_deny), r_allow));
}
