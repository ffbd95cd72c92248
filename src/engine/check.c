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
 * Per-request state (ECheck) caches each policy's variables once they are
 * first needed and the derived roles found at each scope; a CEL error makes
 * the expression false.  Outputs are evaluated for activated rules
 * (ruleActivated) and for rules whose condition failed (conditionNotMet).
 */
#include "engine_int.h"
#include "../policy/policy.h"

#include <string.h>

#define NO_MATCH "NO_MATCH"
#define NO_MATCH_FOR_SCOPE_PERMISSIONS "NO_MATCH_FOR_SCOPE_PERMISSIONS"
#define EFFECT_NO_MATCH 0
#define MAX_SCOPES 64
#define MAX_ROLES 256
#define COND_DEPTH 40

typedef struct ECheck
{
	const EngineSet *set;
	Arena	   *arena;
	const ERequest *req;
	const EResourceEntry *entry;
	CelEvalContext ctx;
	CelActivation act;
	CelValue	P;
	CelValue	R;
	CelValue	request;
	/* derived roles active for runtime.effectiveDerivedRoles */
	const char **edr;
	int			nedr;
	bool		runtime_built;
	CelValue	runtime;
	/* variables per EParams.id, evaluated on first use */
	CelValue   *vars;
	uint8_t    *vars_done;
	const EParams *cur;
	CelValue	cur_vars;
	EResult    *out;
} ECheck;

typedef struct EffectInfo
{
	int			effect;
	const char *policy;
	const char *scope;
} EffectInfo;

/* A map standing for a protobuf message (absent fields read as defaults). */
static CelValue
message(Arena *arena, const char *type, const char **names, const CelValue *vals, int n)
{
	CelValue   *keys = arena_alloc(arena, sizeof(CelValue) * n);
	CelValue	m;
	int			i;

	if (keys == NULL)
		return cel_error(arena, "out of memory");
	for (i = 0; i < n; i++)
		keys[i] = cel_string(names[i], strlen(names[i]));
	m = cel_map_from(arena, keys, vals, n);
	if (m.kind == CEL_VAL_MAP)
		((CelMap *) m.u.map)->msg_type = type;
	return m;
}

static CelValue
str(const char *s)
{
	return cel_string(s, strlen(s));
}

/* A requested scope as Cerbos reads it: a leading "." is dropped. */
static const char *
scope_value(const char *scope)
{
	return scope[0] == '.' ? scope + 1 : scope;
}

/* The request as CEL sees it: P, R and request. */
static void
build_request_values(ECheck *c)
{
	const EPrincipal *p = &c->req->principal;
	const EResource *r = &c->entry->resource;
	static const char *pnames[] = {"id", "roles", "attr", "policyVersion", "policy_version", "scope"};
	static const char *rnames[] = {"kind", "id", "attr", "policyVersion", "policy_version", "scope"};
	static const char *qnames[] = {"principal", "resource", "auxData", "aux_data"};
	CelValue	pv[6],
				rv[6],
				qv[4];

	pv[0] = str(p->id);
	pv[1] = engine_string_list(c->arena, p->roles, p->nroles);
	pv[2] = p->attr;
	pv[3] = pv[4] = str(p->policy_version);
	pv[5] = str(scope_value(p->scope));
	rv[0] = str(r->kind);
	rv[1] = str(r->id);
	rv[2] = r->attr;
	rv[3] = rv[4] = str(r->policy_version);
	rv[5] = str(scope_value(r->scope));
	c->P = message(c->arena, "cerbos.engine.v1.Request.Principal", pnames, pv, 6);
	c->R = message(c->arena, "cerbos.engine.v1.Request.Resource", rnames, rv, 6);
	qv[0] = c->P;
	qv[1] = c->R;
	qv[2] = qv[3] = c->req->aux_data;
	c->request = message(c->arena, "cerbos.engine.v1.Request", qnames, qv, 4);
}

/* runtime: the derived roles in effect, sorted, built when first read. */
static CelValue
runtime_value(ECheck *c)
{
	static const char *names[] = {"effectiveDerivedRoles", "effective_derived_roles"};
	CelValue	v[2];
	const char **sorted;
	int			i,
				j;

	if (c->runtime_built)
		return c->runtime;
	sorted = arena_alloc0(c->arena, sizeof(char *) * (c->nedr + 1));
	if (sorted == NULL)
		return cel_error(c->arena, "out of memory");
	for (i = 0; i < c->nedr; i++)
	{
		const char *s = c->edr[i];

		for (j = i; j > 0 && strcmp(sorted[j - 1], s) > 0; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = s;
	}
	v[0] = v[1] = engine_string_list(c->arena, sorted, c->nedr);
	c->runtime = message(c->arena, "cerbos.engine.v1.Runtime", names, v, 2);
	c->runtime_built = true;
	return c->runtime;
}

/* Activation: the names Cerbos binds for conditions. */
static bool
resolve_name(void *state, const char *name, CelValue *out)
{
	ECheck	   *c = state;

	switch (name[0])
	{
		case 'P':
			if (name[1] == '\0')
				return (*out = c->P, true);
			break;
		case 'R':
			if (name[1] == '\0')
				return (*out = c->R, true);
			break;
		case 'V':
			if (name[1] == '\0')
				return (*out = c->cur_vars, true);
			break;
		case 'C':
			if (name[1] == '\0')
				return (*out = c->cur ? c->cur->constants : cel_map_from(c->arena, NULL, NULL, 0), true);
			break;
		case 'G':
			if (name[1] == '\0')
				return (*out = c->set->globals, true);
			break;
		default:
			break;
	}
	if (strcmp(name, "request") == 0)
		return (*out = c->request, true);
	if (strcmp(name, "variables") == 0)
		return (*out = c->cur_vars, true);
	if (strcmp(name, "constants") == 0)
		return (*out = c->cur ? c->cur->constants : cel_map_from(c->arena, NULL, NULL, 0), true);
	if (strcmp(name, "globals") == 0)
		return (*out = c->set->globals, true);
	if (strcmp(name, "runtime") == 0)
		return (*out = runtime_value(c), true);
	return false;
}

/* Evaluates one AST under params (NULL AST: an error value). */
static CelValue
eval_ast(ECheck *c, const CelAst *ast)
{
	if (ast == NULL)
		return cel_error(c->arena, "expression not compiled");
	return cel_eval(&c->ctx, NULL, ast, &c->act);
}

/*
 * Makes params current, evaluating its variables the first time: in
 * dependency order, each seeing those before it; a variable whose
 * expression errors is left out (reading it then errors), as in Cerbos.
 */
static void
use_params(ECheck *c, const EParams *p)
{
	CelValue   *keys;
	CelValue   *vals;
	int			i,
				n = 0;

	c->cur = p;
	if (p == NULL)
	{
		c->cur_vars = cel_map_from(c->arena, NULL, NULL, 0);
		return;
	}
	if (c->vars_done[p->id])
	{
		c->cur_vars = c->vars[p->id];
		return;
	}
	keys = arena_alloc0(c->arena, sizeof(CelValue) * (p->nvars + 1));
	vals = arena_alloc0(c->arena, sizeof(CelValue) * (p->nvars + 1));
	c->cur_vars = cel_map_from(c->arena, NULL, NULL, 0);
	if (keys == NULL || vals == NULL)
		return;
	for (i = 0; i < p->nvars; i++)
	{
		CelValue	v = eval_ast(c, p->vars[i].ast);

		if (v.kind == CEL_VAL_ERROR || v.kind == CEL_VAL_UNKNOWN)
			continue;
		keys[n] = str(p->vars[i].name);
		vals[n++] = v;
		c->cur_vars = cel_map_from(c->arena, keys, vals, n);
	}
	c->vars[p->id] = c->cur_vars;
	c->vars_done[p->id] = 1;
}

/* A condition tree: expressions must be exactly true; errors are false. */
static bool
cond_holds(ECheck *c, const ECond *cond, int depth)
{
	int			i;

	if (cond == NULL)
		return true;
	if (depth > COND_DEPTH)
		return false;
	switch (cond->op)
	{
		case ECOND_EXPR:
			{
				CelValue	v = eval_ast(c, cond->ast);

				return v.kind == CEL_VAL_BOOL && v.u.b;
			}
		case ECOND_ALL:
			for (i = 0; i < cond->nof; i++)
				if (!cond_holds(c, &cond->of[i], depth + 1))
					return false;
			return true;
		case ECOND_ANY:
			for (i = 0; i < cond->nof; i++)
				if (cond_holds(c, &cond->of[i], depth + 1))
					return true;
			return false;
		case ECOND_NONE:
			for (i = 0; i < cond->nof; i++)
				if (cond_holds(c, &cond->of[i], depth + 1))
					return false;
			return true;
		default:
			return false;
	}
}

/* Appends an output entry (val absent when the expression errored). */
static void
emit_output(ECheck *c, const ERow *row, const CelAst *ast, const char *action)
{
	EResult    *r = c->out;
	EOutputEntry *e;
	CelValue	v = eval_ast(c, ast);

	if (r->noutputs == r->outputs_cap)
	{
		int			cap = r->outputs_cap ? r->outputs_cap * 2 : 8;

		r->outputs = arena_realloc(c->arena, r->outputs, sizeof(EOutputEntry) * r->outputs_cap,
								   sizeof(EOutputEntry) * cap);
		if (r->outputs == NULL)
		{
			r->noutputs = r->outputs_cap = 0;
			return;
		}
		r->outputs_cap = cap;
	}
	e = &r->outputs[r->noutputs++];
	e->src = arena_printf(c->arena, "%s#%s", row->policy_key, row->name);
	e->action = action;
	e->has_val = !(v.kind == CEL_VAL_ERROR || v.kind == CEL_VAL_UNKNOWN);
	e->val = v;
	e->error = NULL;
	if (v.kind == CEL_VAL_ERROR)
		e->error = v.u.err && v.u.err->message ? v.u.err->message : "evaluation error";
}

/*
 * Whether rows of the type exist at any of the scopes for this version
 * (and resource kind, for resource rows): Cerbos' "scoped policy exists",
 * which decides whether the policy key is reported for a non-match.
 */
static bool
scoped_rows_exist(const EngineSet *set, bool principal, const char *kind,
				  const char *version, const char **scopes, int n)
{
	int			s,
				i;

	for (s = 0; s < n; s++)
	{
		const EBucket *bk = engine_bucket(set, principal ? EROW_PRINCIPAL : EROW_RESOURCE,
										  version, scopes[s]);

		if (bk == NULL)
			continue;
		if (principal && bk->nrows > 0)
			return true;
		for (i = 0; !principal && i < bk->nrows; i++)
			if (engine_glob_match(set->rows[bk->rows[i]].resource, kind))
				return true;
	}
	return false;
}

/* The parent of a scope ("a.b" -> "a" -> ""); false at the root. */
static bool
scope_parent(Arena *arena, const char *scope, const char **parent)
{
	const char *dot;

	if (scope[0] == '\0')
		return false;
	dot = strrchr(scope, '.');
	*parent = dot ? arena_strndup(arena, scope, (size_t) (dot - scope)) : "";
	return true;
}

/*
 * The scopes to walk for one policy type, leaf first, and the policy key
 * for the first of them.  As the real Cerbos 0.55 answers, a scope
 * "exists" when any policy of the type is defined there, whatever its name
 * or version (role policies count as resource policies).  Strict search needs the requested scope
 * to exist; lenient search starts at the nearest ancestor that does.
 */
static int
scope_chain(ECheck *c, bool principal, const char *name, const char *version,
			const char *scope, const char **scopes, const char **key)
{
	const EngineSet *set = c->set;
	const char *s = scope;
	int			n = 0;
	bool		first = true;

	*key = NULL;
	do
	{
		bool		exists = engine_scope_exists(set, principal ? EROW_PRINCIPAL : EROW_RESOURCE, s);

		if (exists && n < MAX_SCOPES)
		{
			if (*key == NULL)
				*key = engine_policy_key(c->arena, principal ? "principal" : "resource",
										 name, version, s);
			scopes[n++] = s;
		}
		else if (first && !set->config.lenient_scope_search)
			return 0;
		first = false;
	} while (scope_parent(c->arena, s, &s));
	return n;
}

/* Appends role and (transitively) its parent roles from role policies at scope. */
static int
add_parent_roles(ECheck *c, const char *scope, const char **roles, int n, int max)
{
	int			i,
				k;

	for (i = 0; i < n && n < max; i++)
	{
		const EPolicy *rp = engine_role_policy(c->set, roles[i], scope);

		if (rp == NULL)
			continue;
		for (k = 0; k < rp->nparent_roles && n < max; k++)
		{
			int			j;

			for (j = 0; j < n; j++)
				if (strcmp(roles[j], rp->parent_roles[k]) == 0)
					break;
			if (j == n)
				roles[n++] = rp->parent_roles[k];
		}
	}
	return n;
}

/* Records a derived role found in effect. */
static void
note_derived_role(ECheck *c, const char *name)
{
	EResult    *r = c->out;
	int			i;

	for (i = 0; i < r->nderived_roles; i++)
		if (strcmp(r->derived_roles[i], name) == 0)
			return;
	if (r->nderived_roles < MAX_ROLES)
		r->derived_roles[r->nderived_roles++] = name;
}

/* Evaluates the derived roles the resource policy at scope refers to. */
static void
derived_roles_at(ECheck *c, const char *version, const char *scope,
				 const char **all_roles, int nall)
{
	const EPolicy *pol = engine_policy(c->set, POLICY_RESOURCE, c->entry->resource.kind,
									   version, scope);
	const char **edr;
	int			n = 0,
				i,
				j,
				k;

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
		use_params(c, dr->params);
		if (cond_holds(c, dr->cond, 0))
		{
			edr[n++] = dr->name;
			note_derived_role(c, dr->name);
		}
	}
	c->edr = edr;
	c->nedr = n;
	c->runtime_built = false;
}

/* Does a row's role match one of the roles? */
static bool
role_matches(const char *row_role, const char **roles, int n)
{
	int			i;

	if (strcmp(row_role, "*") == 0)
		return true;
	for (i = 0; i < n; i++)
		if (engine_glob_match(row_role, roles[i]))
			return true;
	return false;
}

/*
 * Evaluates one row.  Returns the effect it contributes (ALLOW/DENY) or 0
 * when its conditions do not hold.
 */
static int
eval_row(ECheck *c, const ERow *row, const ECond *cond, int effect, const char *action)
{
	bool		holds;

	if (row->derived_role != NULL && row->derived_role->cond != NULL)
	{
		use_params(c, row->derived_role->params);
		if (!cond_holds(c, row->derived_role->cond, 0))
			return 0;
	}
	use_params(c, row->params);
	holds = cond_holds(c, cond, 0);
	if (holds)
	{
		if (row->has_out_activated)
			emit_output(c, row, row->out_activated, action);
		return effect;
	}
	if (row->has_out_not_met)
		emit_output(c, row, row->out_not_met, action);
	return 0;
}

/* Are there resource-policy rows at this scope for the resource and roles? */
static bool
resource_rows_for_roles(ECheck *c, const EBucket *bk, const char **roles, int nroles)
{
	int			i;

	for (i = 0; i < bk->nrows; i++)
	{
		const ERow *row = &c->set->rows[bk->rows[i]];

		if (row->type == EROW_RESOURCE && role_matches(row->role, roles, nroles) &&
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
static int
role_policy_denies(ECheck *c, const EBucket *bk, const char *action, const char **roles,
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

		if (row->type == EROW_ROLE_POLICY && role_matches(row->role, roles, nroles) &&
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
			use_params(c, row->params);
			if (cond_holds(c, row->cond, 0))
			{
				if (row->has_out_activated)
					emit_output(c, row, row->out_activated, action);
			}
			else
			{
				if (row->has_out_not_met)
					emit_output(c, row, row->out_not_met, action);
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
	const char *pscopes[MAX_SCOPES];
	const char *rscopes[MAX_SCOPES];
	const char *pkey,
			   *rkey;
	int			npscopes,
				nrscopes;
	bool		pexists,
				rexists;
	const char *all_roles[MAX_ROLES];
	int			nall;
	bool	   *scope_done;
	int			ai,
				pt,
				ri,
				si,
				i;

	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	c.set = set;
	c.arena = arena;
	c.req = req;
	c.entry = entry;
	c.out = out;
	c.ctx.arena = arena;
	c.ctx.max_iterations = 1000000;
	c.ctx.max_string_bytes = 16 * 1024 * 1024;
	c.ctx.max_list_items = 1000000;
	c.ctx.regex_match_limit = 1000000;
	if (options && options->now_pinned)
	{
		c.ctx.now_set = true;
		c.ctx.now_sec = options->now_sec;
		c.ctx.now_nsec = options->now_nsec;
	}
	c.act.resolve = resolve_name;
	c.act.state = &c;
	c.vars = arena_alloc0(arena, sizeof(CelValue) * (set->nparams + 1));
	c.vars_done = arena_alloc0(arena, set->nparams + 1);
	out->entry = entry;
	out->actions = arena_alloc0(arena, sizeof(EActionResult) * (entry->nactions + 1));
	out->derived_roles = arena_alloc0(arena, sizeof(char *) * (MAX_ROLES + 1));
	if (c.vars == NULL || c.vars_done == NULL || out->actions == NULL || out->derived_roles == NULL)
		return;
	for (ai = 0; ai < entry->nactions; ai++)
	{
		out->actions[ai].action = entry->actions[ai];
		out->actions[ai].effect = ENGINE_EFFECT_DENY;
		out->actions[ai].policy = NO_MATCH;
		out->actions[ai].scope = "";
	}
	c.cur_vars = cel_map_from(arena, NULL, NULL, 0);
	build_request_values(&c);

	npscopes = scope_chain(&c, true, pr->id, pversion, scope_value(pr->scope), pscopes, &pkey);
	nrscopes = scope_chain(&c, false, res->kind, rversion, scope_value(res->scope), rscopes, &rkey);
	if (npscopes == 0 && nrscopes == 0)
		return;
	pexists = scoped_rows_exist(set, true, res->kind, pversion, pscopes, npscopes);
	rexists = scoped_rows_exist(set, false, res->kind, rversion, rscopes, nrscopes);
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
	for (i = 0; i < pr->nroles && nall < MAX_ROLES; i++)
		all_roles[nall++] = pr->roles[i];
	nall = add_parent_roles(&c, scope_value(res->scope), all_roles, nall, MAX_ROLES);
	scope_done = arena_alloc0(arena, sizeof(bool) * (nrscopes + 1));
	if (scope_done == NULL)
		return;

	for (ai = 0; ai < entry->nactions; ai++)
	{
		const char *action = entry->actions[ai];
		EffectInfo	action_effect = {EFFECT_NO_MATCH, NO_MATCH, ""};

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
				const char *roles[MAX_ROLES];
				int			nroles = 1;
				bool		has_allow = false;

				if (ri > 0 && principal)
					break;
				if (principal ? pexists : rexists)
					role_effect.policy = main_key;
				roles[0] = pr->roles[ri];
				nroles = add_parent_roles(&c, scope_value(res->scope), roles, 1, MAX_ROLES);

				for (si = 0; si < nscopes; si++)
				{
					const char *scope = scopes[si];
					const EBucket *bk;
					int			perm;

					if (!principal && !scope_done[si])
					{
						derived_roles_at(&c, rversion, scope, all_roles, nall);
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

						if (role_policy_denies(&c, bk, action, roles, nroles, &rp_policy))
						{
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
						if (!principal && !role_matches(row->role, roles, nroles))
							continue;
						if (!engine_glob_match(row->resource, res->kind) ||
							!engine_glob_match(row->action, action))
							continue;
						eff = eval_row(&c, row, row->cond, row->effect, action);
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
		out->actions[ai].effect = action_effect.effect == ENGINE_EFFECT_ALLOW ?
			ENGINE_EFFECT_ALLOW : ENGINE_EFFECT_DENY;
		out->actions[ai].policy = action_effect.policy;
		out->actions[ai].scope = action_effect.scope;
	}
}
