/*
 * ruletable.c — from a resolved policy set to Cerbos' rule table.
 *
 * Each rule of a resource policy becomes one row per (action, role) and
 * one per (action, derived role, parent role of that derived role); each
 * action of a principal policy rule one row for any role; each rule of a
 * role policy one row holding its allowActions.  Rows are bucketed by
 * (policy type, version, scope), so a check looks at the buckets of the
 * scopes it walks and nothing else.  As in Cerbos, an ALLOW rule with a
 * condition in a REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS policy is stored as a
 * DENY of none(condition).  Conditions keep their own all/any/none
 * combinator: unlike Cerbos 0.55 nothing is merged across rules.
 */
#include "ruletable_int.h"

#include <stdio.h>
#include <string.h>

/* Appends a row and files it in its bucket. */
static void
add_row(Builder *b, const ERow *row, int bucket_type)
{
	EngineSet  *set = b->set;
	const char *key;
	int			bi;
	EBucket    *bk;

	if (set->nrows == b->rows_cap)
	{
		int			cap = b->rows_cap ? b->rows_cap * 2 : 256;

		set->rows = arena_realloc(b->arena, set->rows, sizeof(ERow) * b->rows_cap,
								  sizeof(ERow) * cap);
		if (set->rows == NULL)
		{
			b->ok = false;
			return;
		}
		b->rows_cap = cap;
	}
	set->rows[set->nrows] = *row;
	key = arena_printf(b->arena, "%d|%s|%s", bucket_type, row->version, row->scope);
	bi = eindex_get(&set->bucket_index, key);
	if (bi < 0)
	{
		if (set->nbuckets == b->buckets_cap)
		{
			b->ok = false;		/* sized for the worst case up front */
			return;
		}
		bi = set->nbuckets++;
		bk = &set->buckets[bi];
		bk->type = bucket_type;
		bk->version = row->version;
		bk->scope = row->scope;
		eindex_put(&set->bucket_index, key, bi);
	}
	bk = &set->buckets[bi];
	if (bk->nrows == bk->cap)
	{
		int			cap = bk->cap ? bk->cap * 2 : 8;

		bk->rows = arena_realloc(b->arena, bk->rows, sizeof(int) * bk->cap, sizeof(int) * cap);
		if (bk->rows == NULL)
		{
			b->ok = false;
			return;
		}
		bk->cap = cap;
	}
	bk->rows[bk->nrows++] = set->nrows++;
}

/* Records a scope's scopePermissions (UNSPECIFIED reads as OVERRIDE_PARENT). */
static void
note_scope_permissions(Builder *b, const char *scope, int perm)
{
	EngineSet  *set = b->set;
	int			i;

	if (perm == SCOPE_PERMISSIONS_UNSPECIFIED)
		perm = SCOPE_PERMISSIONS_OVERRIDE_PARENT;
	for (i = 0; i < set->nscope_perms; i++)
		if (strcmp(set->scope_perms[i].scope, scope) == 0)
		{
			if (perm == SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS)
				set->scope_perms[i].perm = perm;
			return;
		}
	if (set->nscope_perms == b->perms_cap)
	{
		int			cap = b->perms_cap ? b->perms_cap * 2 : 16;

		set->scope_perms = arena_realloc(b->arena, set->scope_perms,
										 sizeof(EScopePerm) * b->perms_cap,
										 sizeof(EScopePerm) * cap);
		if (set->scope_perms == NULL)
		{
			b->ok = false;
			return;
		}
		b->perms_cap = cap;
	}
	set->scope_perms[set->nscope_perms].scope = scope;
	set->scope_perms[set->nscope_perms++].perm = perm;
}

/* Registers a policy identity for scope searches and derived roles. */
static EPolicy *
add_policy(Builder *b, int kind, const char *name, const char *version,
		   const char *scope, const char *key)
{
	EngineSet  *set = b->set;
	EPolicy    *p = &set->policies[set->npolicies];
	const char *ikey = arena_printf(b->arena, "%d|%s|%s|%s", kind, name, version, scope);

	/* Cerbos knows resource scopes per policy type, whatever the name or version */
	eindex_put(&set->scope_index,
			   arena_printf(b->arena, "%d|%s", kind == POLICY_PRINCIPAL ? EROW_PRINCIPAL : EROW_RESOURCE,
							scope),
			   1);
	p->kind = kind;
	p->name = name;
	p->version = version;
	p->scope = scope;
	p->key = key;
	if (!eindex_put(&set->policy_index, ikey, set->npolicies))
		return p;				/* duplicate: the compiler reported it */
	/* parent roles are looked up by role and scope, whatever the version */
	if (kind == POLICY_ROLE)
		eindex_put(&set->role_index, arena_printf(b->arena, "%s|%s", name, scope), set->npolicies);
	set->npolicies++;
	return p;
}

/* Rows of one resource policy. */
static void
build_resource_policy(Builder *b, const CompiledPolicy *cp)
{
	const Policy *pol = cp->policy;
	const char *key = engine_policy_key(b->arena, "resource", cp->name, cp->version, cp->scope);
	const EParams *params = rt_params(b, cp);
	EPolicy    *ep = add_policy(b, POLICY_RESOURCE, cp->name, cp->version, cp->scope, key);
	bool		consent = pol->scope_permissions == SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS;
	int			cond_base;
	int			i,
				a,
				r,
				k;

	note_scope_permissions(b, cp->scope, pol->scope_permissions);
	if (!engine_load_schema_ref(b->arena, b->dir, pol, &pol->principal_schema,
								&ep->principal_schema, b->diags) ||
		!engine_load_schema_ref(b->arena, b->dir, pol, &pol->resource_schema,
								&ep->resource_schema, b->diags))
		b->ok = false;
	ep->derived_roles = arena_alloc0(b->arena, sizeof(EDerivedRole *) * 64);
	if (ep->derived_roles == NULL)
	{
		b->ok = false;
		return;
	}
	for (i = 0; i < pol->nresource_rules; i++)
	{
		const PResourceRule *rule = &pol->resource_rules[i];
		ERow		row;

		memset(&row, 0, sizeof(row));
		row.type = EROW_RESOURCE;
		row.resource = cp->name;
		row.effect = rule->effect == POLICY_EFFECT_DENY ? ENGINE_EFFECT_DENY : ENGINE_EFFECT_ALLOW;
		row.cond = rt_condition(b, pol->file, rule->condition);
		if (consent && row.effect == ENGINE_EFFECT_ALLOW && row.cond != NULL)
		{
			row.cond = rt_negate(b, row.cond);
			row.effect = ENGINE_EFFECT_DENY;
		}
		row.params = params;
		row.name = rule->name.present && rule->name.s[0] ?
			rule->name.s : arena_printf(b->arena, "rule-%03d", i + 1);
		row.policy_key = key;
		row.scope = cp->scope;
		row.version = cp->version;
		rt_output(b, pol->file, rule->output, &row);
		/* one condition-cache slot for the rule, one per derived role */
		cond_base = b->set->ncond_keys;
		b->set->ncond_keys += 1 + rule->derived_roles.count;
		for (a = 0; a < rule->actions.count; a++)
		{
			row.action = rule->actions.items[a].s;
			row.derived_role = NULL;
			row.cond_key = cond_base;
			for (r = 0; r < rule->roles.count; r++)
			{
				row.role = rule->roles.items[r].s;
				add_row(b, &row, EROW_RESOURCE);
			}
			for (r = 0; r < rule->derived_roles.count; r++)
			{
				const EDerivedRole *dr = rt_derived_role(b, cp, rule->derived_roles.items[r].s);

				if (dr == NULL)
					continue;	/* the compiler reported the unknown name */
				row.derived_role = dr;
				row.cond_key = cond_base + 1 + r;
				for (k = 0; k < dr->nparents; k++)
				{
					row.role = dr->parents[k];
					add_row(b, &row, EROW_RESOURCE);
				}
			}
		}
		/* the derived roles a check evaluates for effectiveDerivedRoles */
		for (r = 0; r < rule->derived_roles.count; r++)
		{
			const EDerivedRole *dr = rt_derived_role(b, cp, rule->derived_roles.items[r].s);

			if (dr == NULL)
				continue;
			for (k = 0; k < ep->nderived_roles; k++)
				if (ep->derived_roles[k] == dr)
					break;
			if (k == ep->nderived_roles && k < 64)
				ep->derived_roles[ep->nderived_roles++] = dr;
		}
	}
}

/* Rows of one principal policy. */
static void
build_principal_policy(Builder *b, const CompiledPolicy *cp)
{
	const Policy *pol = cp->policy;
	const char *key = engine_policy_key(b->arena, "principal", cp->name, cp->version, cp->scope);
	const EParams *params = rt_params(b, cp);
	bool		consent = pol->scope_permissions == SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS;
	int			i,
				a;

	add_policy(b, POLICY_PRINCIPAL, cp->name, cp->version, cp->scope, key);
	note_scope_permissions(b, cp->scope, pol->scope_permissions);
	for (i = 0; i < pol->nprincipal_rules; i++)
	{
		const PPrincipalRule *pr = &pol->principal_rules[i];

		for (a = 0; a < pr->nactions; a++)
		{
			const PPrincipalAction *act = &pr->actions[a];
			ERow		row;

			memset(&row, 0, sizeof(row));
			row.type = EROW_PRINCIPAL;
			row.resource = pr->resource.s;
			row.principal = cp->name;
			row.role = "*";
			row.action = act->action.s;
			row.effect = act->effect == POLICY_EFFECT_DENY ? ENGINE_EFFECT_DENY : ENGINE_EFFECT_ALLOW;
			row.cond = rt_condition(b, pol->file, act->condition);
			if (consent && row.effect == ENGINE_EFFECT_ALLOW && row.cond != NULL)
			{
				row.cond = rt_negate(b, row.cond);
				row.effect = ENGINE_EFFECT_DENY;
			}
			row.params = params;
			row.name = act->name.present && act->name.s[0] ?
				act->name.s : arena_printf(b->arena, "%s_rule-%03d", pr->resource.s, a + 1);
			row.policy_key = key;
			row.scope = cp->scope;
			row.version = cp->version;
			rt_output(b, pol->file, act->output, &row);
			row.cond_key = b->set->ncond_keys++;
			add_row(b, &row, EROW_PRINCIPAL);
		}
	}
}

/* Rows of one role policy. */
static void
build_role_policy(Builder *b, const CompiledPolicy *cp)
{
	const Policy *pol = cp->policy;
	const char *key = engine_policy_key(b->arena, "role", cp->name, cp->version, cp->scope);
	const EParams *params = rt_params(b, cp);
	EPolicy    *ep = add_policy(b, POLICY_ROLE, cp->name, cp->version, cp->scope, key);
	int			i,
				a;

	ep->nparent_roles = pol->parent_roles.count;
	ep->parent_roles = arena_alloc0(b->arena, sizeof(char *) * (ep->nparent_roles + 1));
	ep->resources = arena_alloc0(b->arena, sizeof(char *) * (pol->nrole_rules + 1));
	if (ep->parent_roles == NULL || ep->resources == NULL)
	{
		b->ok = false;
		return;
	}
	for (i = 0; i < ep->nparent_roles; i++)
		ep->parent_roles[i] = pol->parent_roles.items[i].s;
	for (i = 0; i < pol->nrole_rules; i++)
	{
		const PRoleRule *rule = &pol->role_rules[i];
		ERow		row;
		const char **acts = arena_alloc0(b->arena, sizeof(char *) * (rule->allow_actions.count + 1));

		if (acts == NULL)
		{
			b->ok = false;
			return;
		}
		for (a = 0; a < rule->allow_actions.count; a++)
			acts[a] = rule->allow_actions.items[a].s;
		ep->resources[ep->nresources++] = rule->resource.s;
		memset(&row, 0, sizeof(row));
		row.type = EROW_ROLE_POLICY;
		row.resource = rule->resource.s;
		row.role = cp->name;
		row.allow_actions = acts;
		row.nallow_actions = rule->allow_actions.count;
		row.effect = ENGINE_EFFECT_ALLOW;
		row.cond = rt_condition(b, pol->file, rule->condition);
		row.params = params;
		row.name = rule->name.present && rule->name.s[0] ?
			rule->name.s : arena_printf(b->arena, "%s_rule-%03d", cp->name, i);
		row.policy_key = key;
		row.scope = cp->scope;
		row.version = cp->version;
		rt_output(b, pol->file, rule->output, &row);
		row.cond_key = -1;		/* evaluated by the role-policy step, not cached */
		add_row(b, &row, EROW_RESOURCE);
	}
}

/* Builds the engine's compiled set from a resolved policy set. */
EngineSet *
engine_build(Arena *arena, const PolicySet *ps, const EngineConfig *config,
			 const EAstCache *asts, DiagList *diags)
{
	Builder		b;
	EngineSet  *set = arena_alloc0(arena, sizeof(EngineSet));
	int			i;

	if (set == NULL)
		return NULL;
	memset(&b, 0, sizeof(b));
	b.arena = arena;
	b.diags = diags;
	b.set = set;
	b.ok = true;
	b.env = engine_cel_env(arena);
	b.asts = asts;
	b.dir = &ps->dir;
	if (!engine_apply_config(arena, set, config, diags))
		return NULL;
	b.buckets_cap = ps->npolicies * 2 + 8;
	set->buckets = arena_alloc0(arena, sizeof(EBucket) * b.buckets_cap);
	set->policies = arena_alloc0(arena, sizeof(EPolicy) * (ps->npolicies + 1));
	if (set->buckets == NULL || set->policies == NULL ||
		!eindex_init(arena, &set->bucket_index, b.buckets_cap) ||
		!eindex_init(arena, &set->policy_index, ps->npolicies + 1) ||
		!eindex_init(arena, &set->scope_index, ps->npolicies + 1) ||
		!eindex_init(arena, &set->role_index, ps->npolicies + 1))
		return NULL;
	set->nsource_policies = ps->npolicies;
	for (i = 0; i < ps->npolicies; i++)
	{
		const CompiledPolicy *cp = &ps->policies[i];

		switch (cp->kind)
		{
			case POLICY_RESOURCE:
				build_resource_policy(&b, cp);
				break;
			case POLICY_PRINCIPAL:
				build_principal_policy(&b, cp);
				break;
			case POLICY_ROLE:
				build_role_policy(&b, cp);
				break;
			case POLICY_DERIVED_ROLES:
				/* conditions compile when a resource policy uses them; check
				 * every expression anyway so errors surface at load */
				break;
			default:
				break;
		}
	}
	if (arena->failed)
	{
		diag_add(diags, "<engine>", 0, 0, "out of memory while building the rule table");
		return NULL;
	}
	return b.ok ? set : NULL;
}

