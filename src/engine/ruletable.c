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
#include "engine_int.h"
#include "../compiler/compiler.h"

#include <stdio.h>
#include <string.h>

typedef struct Builder
{
	Arena	   *arena;
	const CelEnv *env;
	const EAstCache *asts;		/* checked by the compiler's CEL stage */
	const PolicyDir *dir;
	DiagList   *diags;
	EngineSet  *set;
	int			rows_cap;
	int			buckets_cap;
	int			params_cap;
	int			perms_cap;
	bool		ok;
	/* derived roles compiled once per (derived_roles policy, definition) */
	const Policy **dr_policies;
	EDerivedRole **dr_compiled;
	int			ndr;
	int			dr_cap;
} Builder;

#define COND_MAX_DEPTH 32

/* A letter, digit or underscore (regexp \w). */
static bool
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * Cerbos' name sanitising for policy keys: a name that follows the pre-0.30
 * pattern (segments starting with a letter, of word characters and @.-/,
 * joined by ':') has each run of characters other than word characters and
 * '.' replaced by '_' ("the:one:ring" -> "the_one_ring"); other names are
 * kept as they are.
 */
static const char *
sanitize_name(Arena *arena, const char *v)
{
	const char *p = v;
	char	   *out,
			   *o;

	for (;;)
	{
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return v;
		for (p++; is_word(*p) || *p == '@' || *p == '.' || *p == '-' || *p == '/'; p++)
			;
		if (*p == '\0')
			break;
		if (*p != ':')
			return v;
		p++;
	}
	out = arena_alloc(arena, strlen(v) + 1);
	if (out == NULL)
		return v;
	for (p = v, o = out; *p;)
	{
		if (is_word(*p) || *p == '.')
			*o++ = *p++;
		else
		{
			*o++ = '_';
			while (*p && !(is_word(*p) || *p == '.'))
				p++;
		}
	}
	*o = '\0';
	return out;
}

/* "resource.kind.vversion/scope" and friends, as Cerbos prints policy keys. */
const char *
engine_policy_key(Arena *arena, const char *kind, const char *name,
				  const char *version, const char *scope)
{
	name = sanitize_name(arena, name);
	version = sanitize_name(arena, version);
	if (scope != NULL && scope[0] != '\0')
		return arena_printf(arena, "%s.%s.v%s/%s", kind, name, version, scope);
	return arena_printf(arena, "%s.%s.v%s", kind, name, version);
}

/* Compiles one expression at its position. */
static const CelAst *
build_expr(Builder *b, const char *file, const PExpr *e)
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
			c->ast = build_expr(b, file, &m->expr);
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
static const ECond *
build_condition(Builder *b, const char *file, const PCondition *cond)
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
	c->ast = build_expr(b, file, &cond->script);
	if (c->ast == NULL && engine_cel_available())
		b->ok = false;
	return c;
}

/* none(cond): how Cerbos turns a conditional ALLOW into a DENY. */
static const ECond *
negate_condition(Builder *b, const ECond *cond)
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
static const EParams *
build_params(Builder *b, const CompiledPolicy *cp)
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
		vars[i].ast = build_expr(b, v->file ? v->file : cp->policy->file, &v->expr);
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
	dr->cond = build_condition(b, drp->policy->file, def->condition);
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
	return build_params(b, drp);
}

/* Finds (compiling on first use) derived role `name` imported by cp. */
static const EDerivedRole *
find_derived_role(Builder *b, const CompiledPolicy *cp, const char *name)
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

/* Fills an output's compiled expressions into a row. */
static void
build_output(Builder *b, const char *file, const POutput *out, ERow *row)
{
	if (out == NULL)
		return;
	if (out->has_rule_activated)
	{
		row->has_out_activated = true;
		row->out_activated = build_expr(b, file, &out->rule_activated);
	}
	else if (out->has_expr)
	{
		row->has_out_activated = true;
		row->out_activated = build_expr(b, file, &out->expr);
	}
	if (out->has_condition_not_met)
	{
		row->has_out_not_met = true;
		row->out_not_met = build_expr(b, file, &out->condition_not_met);
	}
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
	const EParams *params = build_params(b, cp);
	EPolicy    *ep = add_policy(b, POLICY_RESOURCE, cp->name, cp->version, cp->scope, key);
	bool		consent = pol->scope_permissions == SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS;
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
		row.cond = build_condition(b, pol->file, rule->condition);
		if (consent && row.effect == ENGINE_EFFECT_ALLOW && row.cond != NULL)
		{
			row.cond = negate_condition(b, row.cond);
			row.effect = ENGINE_EFFECT_DENY;
		}
		row.params = params;
		row.name = rule->name.present && rule->name.s[0] ?
			rule->name.s : arena_printf(b->arena, "rule-%03d", i + 1);
		row.policy_key = key;
		row.scope = cp->scope;
		row.version = cp->version;
		build_output(b, pol->file, rule->output, &row);
		for (a = 0; a < rule->actions.count; a++)
		{
			row.action = rule->actions.items[a].s;
			row.derived_role = NULL;
			for (r = 0; r < rule->roles.count; r++)
			{
				row.role = rule->roles.items[r].s;
				add_row(b, &row, EROW_RESOURCE);
			}
			for (r = 0; r < rule->derived_roles.count; r++)
			{
				const EDerivedRole *dr = find_derived_role(b, cp, rule->derived_roles.items[r].s);

				if (dr == NULL)
					continue;	/* the compiler reported the unknown name */
				row.derived_role = dr;
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
			const EDerivedRole *dr = find_derived_role(b, cp, rule->derived_roles.items[r].s);

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
	const EParams *params = build_params(b, cp);
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
			row.cond = build_condition(b, pol->file, act->condition);
			if (consent && row.effect == ENGINE_EFFECT_ALLOW && row.cond != NULL)
			{
				row.cond = negate_condition(b, row.cond);
				row.effect = ENGINE_EFFECT_DENY;
			}
			row.params = params;
			row.name = act->name.present && act->name.s[0] ?
				act->name.s : arena_printf(b->arena, "%s_rule-%03d", pr->resource.s, a + 1);
			row.policy_key = key;
			row.scope = cp->scope;
			row.version = cp->version;
			build_output(b, pol->file, act->output, &row);
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
	const EParams *params = build_params(b, cp);
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
		row.cond = build_condition(b, pol->file, rule->condition);
		row.params = params;
		row.name = rule->name.present && rule->name.s[0] ?
			rule->name.s : arena_printf(b->arena, "%s_rule-%03d", cp->name, i);
		row.policy_key = key;
		row.scope = cp->scope;
		row.version = cp->version;
		build_output(b, pol->file, rule->output, &row);
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
	if (config)
		set->config = *config;
	set->default_version = config && config->default_policy_version ?
		config->default_policy_version : "default";
	set->globals = cel_map_from(arena, NULL, NULL, 0);
	if (config && config->globals_json)
	{
		json_error_t jerr;
		json_t	   *g = json_loads(config->globals_json, 0, &jerr);

		if (g == NULL || !json_is_object(g))
		{
			diag_add(diags, "<config>", 0, 0, "globals must be a JSON object");
			json_decref(g);
			return NULL;
		}
		set->globals = engine_json_to_cel(arena, g, 0);
		json_decref(g);
	}
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

/* The bucket of (type, version, scope), or NULL. */
const EBucket *
engine_bucket(const EngineSet *set, int type, const char *version, const char *scope)
{
	char		buf[512];
	int			bi;

	if ((size_t) snprintf(buf, sizeof(buf), "%d|%s|%s", type, version, scope) >= sizeof(buf))
		return NULL;
	bi = eindex_get(&set->bucket_index, buf);
	return bi < 0 ? NULL : &set->buckets[bi];
}

/* The policy with this identity, or NULL. */
const EPolicy *
engine_policy(const EngineSet *set, int kind, const char *name, const char *version,
			  const char *scope)
{
	char		buf[1024];
	int			pi;

	if ((size_t) snprintf(buf, sizeof(buf), "%d|%s|%s|%s", kind, name, version, scope) >= sizeof(buf))
		return NULL;
	pi = eindex_get(&set->policy_index, buf);
	return pi < 0 ? NULL : &set->policies[pi];
}

/* A scope's scopePermissions (0 when no policy at that scope set one). */
int
engine_scope_permissions(const EngineSet *set, const char *scope)
{
	int			i;

	for (i = 0; i < set->nscope_perms; i++)
		if (strcmp(set->scope_perms[i].scope, scope) == 0)
			return set->scope_perms[i].perm;
	return 0;
}

/* Whether any policy of the type (EROW_PRINCIPAL or EROW_RESOURCE, role
 * policies included) exists at scope, whatever its name or version. */
bool
engine_scope_exists(const EngineSet *set, int type, const char *scope)
{
	char		buf[512];

	if ((size_t) snprintf(buf, sizeof(buf), "%d|%s", type, scope) >= sizeof(buf))
		return false;
	return eindex_get(&set->scope_index, buf) >= 0;
}

/* The role policy of a role at scope (any version), or NULL. */
const EPolicy *
engine_role_policy(const EngineSet *set, const char *role, const char *scope)
{
	char		buf[1024];
	int			pi;

	if ((size_t) snprintf(buf, sizeof(buf), "%s|%s", role, scope) >= sizeof(buf))
		return NULL;
	pi = eindex_get(&set->role_index, buf);
	return pi < 0 ? NULL : &set->policies[pi];
}
