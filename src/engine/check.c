/*
 * check.c — Cerbos 0.55's decision for one resource and its actions.
 *
 * For every action, principal policies are consulted before resource
 * policies.  Within a policy type each principal role is tried on its own
 * (principal policies once, for any role): the scopes are walked leaf to
 * root; at each scope the applicable rows are evaluated, a DENY ends the
 * walk, and an ALLOW ends it only where the scope's permissions are
 * OVERRIDE_PARENT (REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS lets the walk go on
 * to the parent, which must allow too).  The first role to ALLOW wins;
 * otherwise the first role's answer stands, and no match at all is DENY.
 * Role policies narrow a role to its allowActions: an action outside them
 * is denied in that scope, and a conditional one is denied when its
 * condition fails; the ALLOW itself must still come from a resource policy.
 *
 * Per-request state (ECheck, evaluate.c) caches each policy's variables
 * once they are first needed; scopes.c picks the scopes to walk, roles.c
 * handles derived roles and role policies.  Outputs are evaluated for
 * activated rules (ruleActivated) and for rules whose condition failed
 * (conditionNotMet).
 *
 * Strict evaluation (Cerbos 0.55's engine.strictEvaluation, measured on
 * the binary): the walk is the same, but the first condition it evaluates
 * that yields a CEL error (a rule's, its derived role's or a role policy's
 * condition, whatever the rule's effect) ends the action with DENY,
 * attributed to the policy and scope of the rule that errored; that rule
 * emits no output, later rules are not evaluated (outputs already emitted
 * stay).  Rules the walk never reaches cannot error: a role that allowed
 * first, a scope below an OVERRIDE_PARENT ALLOW, resource policies after
 * a principal policy decided.  A derived role whose condition errors is
 * just not in effect, but reading runtime.effectiveDerivedRoles is then a
 * CEL error.  Errors in outputs and variables count only through the
 * conditions that read them.
 */
#include "engine_int.h"
#include "../policy/policy.h"

#include <string.h>

#define NO_MATCH "NO_MATCH"
#define NO_MATCH_FOR_SCOPE_PERMISSIONS "NO_MATCH_FOR_SCOPE_PERMISSIONS"
#define EFFECT_NO_MATCH 0
#define ROW_STRICT_ERROR (-1)

typedef struct EffectInfo
{
	int			effect;
	const char *policy;
	const char *scope;
} EffectInfo;

/*
 * Evaluates one row.  Returns the effect it contributes (ALLOW/DENY), 0
 * when its conditions do not hold, or ROW_STRICT_ERROR when under strict
 * evaluation one of them errored (not cached: each action that reaches
 * the rule errors again, as in Cerbos).  As in Cerbos, a rule's condition is
 * evaluated once per request (cached by rule, and by derived role for
 * derived-role rows) and reused for its other actions and roles; a rule
 * skipped because its derived role did not hold is cached as not met, so
 * a later hit emits its conditionNotMet output where the first did not.
 */
static int
eval_row(ECheck *c, const ERow *row, const ECond *cond, int effect, const char *action)
{
	uint8_t    *cached = row->cond_key >= 0 ? &c->cond_cache[row->cond_key] : NULL;
	bool		holds;

	if (cached != NULL && *cached != 0)
		holds = (*cached == 1);
	else
	{
		if (row->derived_role != NULL && row->derived_role->cond != NULL)
		{
			engine_use_params(c, row->derived_role->params);
			if (!engine_cond_holds(c, row->derived_role->cond, 0))
			{
				if (c->strict_error)
					return ROW_STRICT_ERROR;
				if (cached != NULL)
					*cached = 2;
				return 0;
			}
		}
		engine_use_params(c, row->params);
		holds = engine_cond_holds(c, cond, 0);
		if (c->strict_error)
			return ROW_STRICT_ERROR;
		if (cached != NULL)
			*cached = holds ? 1 : 2;
	}
	engine_use_params(c, row->params);
	if (holds)
	{
		if (row->has_out_activated)
			engine_emit_output(c, row, row->out_activated, action);
		return effect;
	}
	if (row->has_out_not_met)
		engine_emit_output(c, row, row->out_not_met, action);
	return 0;
}

/* Decides every action of one resource. */
void
engine_check_resource(const EngineSet *set, Arena *arena, const ERequest *req,
					  const EResourceEntry *entry, const EngineCheckOptions *options,
					  EResult *out)
{
	ECheck		c;
	const EPrincipal *pr = &req->principal;
	const EResource *res = &entry->resource;
	const char *pversion = pr->policy_version[0] ? pr->policy_version : set->default_version;
	const char *rversion = res->policy_version[0] ? res->policy_version : set->default_version;
	const char *pscopes[ENGINE_MAX_SCOPES];
	const char *rscopes[ENGINE_MAX_SCOPES];
	const char *pkey,
			   *rkey;
	int			npscopes,
				nrscopes;
	bool		pexists,
				rexists;
	const char *all_roles[ENGINE_MAX_ROLES];
	int			nall;
	bool	   *scope_done;
	int			ai,
				pt,
				ri,
				si,
				i;

	memset(out, 0, sizeof(*out));
	out->entry = entry;
	out->actions = arena_alloc0(arena, sizeof(EActionResult) * (entry->nactions + 1));
	out->derived_roles = arena_alloc0(arena, sizeof(char *) * (ENGINE_MAX_ROLES + 1));
	if (out->actions == NULL || out->derived_roles == NULL ||
		!engine_eval_begin(&c, set, arena, req, entry, options, out))
		return;
	for (ai = 0; ai < entry->nactions; ai++)
	{
		out->actions[ai].action = entry->actions[ai];
		out->actions[ai].effect = ENGINE_EFFECT_DENY;
		out->actions[ai].policy = NO_MATCH;
		out->actions[ai].scope = "";
	}

	npscopes = engine_scope_chain(&c, true, pr->id, pversion, engine_scope_value(pr->scope), pscopes, &pkey);
	nrscopes = engine_scope_chain(&c, false, res->kind, rversion, engine_scope_value(res->scope), rscopes, &rkey);
	if (npscopes == 0 && nrscopes == 0)
		return;
	pexists = engine_scoped_rows_exist(set, true, res->kind, pversion, pscopes, npscopes);
	rexists = engine_scoped_rows_exist(set, false, res->kind, rversion, rscopes, nrscopes);
	if (!pexists && !rexists)
		return;

	/* schemas of the first resource policy, before any rule runs */
	if (set->config.schema_enforcement != ENGINE_SCHEMA_NONE && nrscopes > 0)
	{
		const EPolicy *pol = NULL;

		/* a scoped policy without schemas uses its nearest ancestor's */
		for (si = 0; si < nrscopes && pol == NULL; si++)
		{
			pol = engine_policy(set, POLICY_RESOURCE, res->kind, rversion, rscopes[si]);
			if (pol && !pol->principal_schema.present && !pol->resource_schema.present)
				pol = NULL;
		}

		out->nvalidation_errors = engine_validate(arena, pol, pr, entry, &out->validation_errors);
		if (out->nvalidation_errors > 0 && set->config.schema_enforcement == ENGINE_SCHEMA_REJECT)
		{
			for (ai = 0; ai < entry->nactions; ai++)
				out->actions[ai].policy = rkey;
			return;
		}
	}

	/* every role with its parents, for derived roles */
	nall = 0;
	for (i = 0; i < pr->nroles && nall < ENGINE_MAX_ROLES; i++)
		all_roles[nall++] = pr->roles[i];
	nall = engine_add_parent_roles(&c, engine_scope_value(res->scope), all_roles, nall, ENGINE_MAX_ROLES);
	scope_done = arena_alloc0(arena, sizeof(bool) * (nrscopes + 1));
	if (scope_done == NULL)
		return;

	for (ai = 0; ai < entry->nactions; ai++)
	{
		const char *action = entry->actions[ai];
		EffectInfo	action_effect = {EFFECT_NO_MATCH, NO_MATCH, ""};

		c.strict_error = false;

		for (pt = 0; pt < 2; pt++)
		{
			bool		principal = (pt == 0);
			const char *main_key = principal ? pkey : rkey;
			const char **scopes = principal ? pscopes : rscopes;
			int			nscopes = principal ? npscopes : nrscopes;
			/* Cerbos queries rows of both types with the resource's version */
			const char *version = rversion;

			action_effect.effect = EFFECT_NO_MATCH;
			for (ri = 0; ri < pr->nroles; ri++)
			{
				EffectInfo	role_effect = {EFFECT_NO_MATCH, NO_MATCH, ""};
				const char *roles[ENGINE_MAX_ROLES];
				int			nroles = 1;
				bool		has_allow = false;

				if (ri > 0 && principal)
					break;
				if (principal ? pexists : rexists)
					role_effect.policy = main_key;
				roles[0] = pr->roles[ri];
				nroles = engine_add_parent_roles(&c, engine_scope_value(res->scope), roles, 1, ENGINE_MAX_ROLES);

				for (si = 0; si < nscopes; si++)
				{
					const char *scope = scopes[si];
					const EBucket *bk;
					int			perm;

					if (!principal && !scope_done[si])
					{
						engine_derived_roles_at(&c, rversion, scope, all_roles, nall);
						scope_done[si] = true;
					}
					if (role_effect.effect != EFFECT_NO_MATCH)
						break;
					bk = engine_bucket(set, principal ? EROW_PRINCIPAL : EROW_RESOURCE, version, scope);
					if (bk == NULL)
						continue;
					if (!principal)
					{
						const char *rp_policy = NULL;

						if (engine_role_policy_denies(&c, bk, action, roles, nroles, &rp_policy))
						{
							if (c.strict_error)
							{
								action_effect = (EffectInfo) {ENGINE_EFFECT_DENY, rp_policy, scope};
								goto decided;
							}
							role_effect.effect = ENGINE_EFFECT_DENY;
							role_effect.policy = rp_policy;
							role_effect.scope = scope;
							break;
						}
					}
					for (i = 0; i < bk->nrows; i++)
					{
						const ERow *row = &set->rows[bk->rows[i]];
						int			eff;

						if (row->type == EROW_ROLE_POLICY)
							continue;
						if (principal && strcmp(row->principal, pr->id) != 0)
							continue;
						if (!principal && !engine_role_matches(row->role, roles, nroles))
							continue;
						if (!engine_glob_match(row->resource, res->kind) ||
							!engine_glob_match(row->action, action))
							continue;
						eff = eval_row(&c, row, row->cond, row->effect, action);
						if (eff == ROW_STRICT_ERROR)
						{
							action_effect = (EffectInfo) {ENGINE_EFFECT_DENY, row->policy_key, scope};
							goto decided;
						}
						if (eff == ENGINE_EFFECT_ALLOW)
							has_allow = true;
						else if (eff == ENGINE_EFFECT_DENY)
						{
							role_effect.effect = ENGINE_EFFECT_DENY;
							role_effect.scope = scope;
							break;
						}
					}
					if (role_effect.effect == ENGINE_EFFECT_DENY)
						break;
					if (has_allow)
					{
						perm = engine_scope_permissions(set, scope);
						if (perm == SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS)
							has_allow = false;
						else if (perm == SCOPE_PERMISSIONS_OVERRIDE_PARENT)
						{
							role_effect.effect = ENGINE_EFFECT_ALLOW;
							role_effect.scope = scope;
							break;
						}
					}
				}

				if (action_effect.effect == EFFECT_NO_MATCH)
					action_effect = role_effect;
				if (role_effect.effect == ENGINE_EFFECT_ALLOW)
				{
					action_effect = role_effect;
					break;
				}
				else if (role_effect.effect == ENGINE_EFFECT_DENY &&
						 strcmp(action_effect.policy, NO_MATCH_FOR_SCOPE_PERMISSIONS) == 0 &&
						 strcmp(role_effect.policy, NO_MATCH_FOR_SCOPE_PERMISSIONS) != 0)
					action_effect = role_effect;
			}
			if (action_effect.effect == ENGINE_EFFECT_ALLOW ||
				action_effect.effect == ENGINE_EFFECT_DENY)
				break;
		}
decided:
		out->actions[ai].effect = action_effect.effect == ENGINE_EFFECT_ALLOW ?
			ENGINE_EFFECT_ALLOW : ENGINE_EFFECT_DENY;
		out->actions[ai].policy = action_effect.policy;
		out->actions[ai].scope = action_effect.scope;
	}
}
