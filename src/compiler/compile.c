/*
 * compile.c — the policy set: identity index, duplicates, scope chains,
 * imports, schemas and the CEL hook, in the order `cerbos compile` checks
 * them.  See compiler.h for the list of rules.
 *
 * The index is open addressing over (kind, name, version, scope), sized to
 * twice the number of policies, so a lookup is one hash and a probe or two.
 * Every stage runs even when an earlier one found problems, so one load
 * reports everything it can; stages that need a resolved import skip the
 * parts whose import is missing.
 */
#include "compiler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a over the identity fields. */
static uint32_t
identity_hash(PolicyKind kind, const char *name, const char *version, const char *scope)
{
	uint32_t	h = 2166136261u;
	const char *parts[3] = {name, version, scope};
	int			i;

	h = (h ^ (uint32_t) kind) * 16777619u;
	for (i = 0; i < 3; i++)
	{
		const unsigned char *p = (const unsigned char *) (parts[i] ? parts[i] : "");

		for (; *p; p++)
			h = (h ^ *p) * 16777619u;
		h = (h ^ 0xff) * 16777619u;
	}
	return h;
}

/* Whether a compiled policy has this identity. */
static bool
same_identity(const CompiledPolicy *cp, PolicyKind kind, const char *name,
			  const char *version, const char *scope)
{
	return cp->kind == kind && strcmp(cp->name, name) == 0 &&
		strcmp(cp->version, version) == 0 && strcmp(cp->scope, scope) == 0;
}

/* The policy with this identity, or NULL.  scope "" is the root. */
const CompiledPolicy *
policy_set_find(const PolicySet *set, PolicyKind kind, const char *name,
				const char *version, const char *scope)
{
	uint32_t	h;
	int			slot;

	if (set == NULL || set->index_size == 0)
		return NULL;
	h = identity_hash(kind, name, version, scope);
	for (slot = (int) (h % (uint32_t) set->index_size);; slot = (slot + 1) % set->index_size)
	{
		int			i = set->index[slot];

		if (i < 0)
			return NULL;
		if (same_identity(&set->policies[i], kind, name, version, scope))
			return &set->policies[i];
	}
}

/* Inserts policies[i]; returns the index of an existing twin or -1. */
static int
index_insert(PolicySet *set, int i)
{
	const CompiledPolicy *cp = &set->policies[i];
	uint32_t	h = identity_hash(cp->kind, cp->name, cp->version, cp->scope);
	int			slot;

	for (slot = (int) (h % (uint32_t) set->index_size);; slot = (slot + 1) % set->index_size)
	{
		int			j = set->index[slot];

		if (j < 0)
		{
			set->index[slot] = i;
			return -1;
		}
		if (same_identity(&set->policies[j], cp->kind, cp->name, cp->version, cp->scope))
			return j;
	}
}

/* The identity string Cerbos prints for a policy. */
static const char *
fqn_of(Arena *arena, PolicyKind kind, const char *name, const char *version,
	   const char *scope)
{
	if (kind == POLICY_RESOURCE || kind == POLICY_PRINCIPAL || kind == POLICY_ROLE)
		return arena_printf(arena, "%s.%s.v%s%s%s", policy_kind_name(kind), name,
							version, *scope ? "/" : "", scope);
	return arena_printf(arena, "%s.%s", policy_kind_name(kind), name);
}

/* Requires every ancestor scope of scoped resource and principal policies. */
static bool
check_scope_chains(Arena *arena, PolicySet *set, DiagList *diags)
{
	bool		ok = true;
	int			i;

	for (i = 0; i < set->npolicies; i++)
	{
		CompiledPolicy *cp = &set->policies[i];
		char	   *scope;
		bool		first = true;

		if (cp->kind != POLICY_RESOURCE && cp->kind != POLICY_PRINCIPAL)
			continue;
		if (cp->scope[0] == '\0')
			continue;
		scope = arena_strdup(arena, cp->scope);
		if (scope == NULL)
			return false;
		/* walk up: a.b.c -> a.b -> a -> "" */
		for (;;)
		{
			char	   *dot = strrchr(scope, '.');
			const CompiledPolicy *anc;

			if (dot)
				*dot = '\0';
			else
				scope[0] = '\0';
			anc = policy_set_find(set, cp->kind, cp->name, cp->version, scope);
			if (first)
				cp->parent = anc;
			first = false;
			if (anc == NULL)
			{
				diag_add(diags, cp->policy->file, cp->policy->kind_pos.line,
						 cp->policy->kind_pos.column,
						 "scoped policy %s is not found but is required by descendant policies %s",
						 fqn_of(arena, cp->kind, cp->name, cp->version, scope), cp->fqn);
				ok = false;
			}
			if (scope[0] == '\0')
				break;
		}
	}
	return ok;
}

/* The setting a policy contributes to its scope's check. */
static int
scope_permissions_of(const CompiledPolicy *cp)
{
	if (cp->kind == POLICY_RESOURCE || cp->kind == POLICY_PRINCIPAL)
		return cp->policy->scope_permissions;
	return SCOPE_PERMISSIONS_UNSPECIFIED;
}

/*
 * One scopePermissions setting per scope, as Cerbos 0.55 enforces it.  What
 * the 0.55 binary does (measured with `cerbos compile`, not what its later
 * sources say): every enabled policy counts towards its scope, kinds without
 * the field (derived roles, exports; role policies, whose field is a no-op)
 * as UNSPECIFIED and derived roles and exports in the root scope; settings
 * are compared unnormalised, in load order, and the first policy of a scope
 * is not compared -- every later one must equal the second.  Reproducing
 * this keeps authz accepting exactly the directories Cerbos accepts.
 */
typedef struct ScopeEntry
{
	const char *scope;
	int			index;			/* load order */
} ScopeEntry;

/* Orders by scope, then by load order. */
static int
compare_scope_entries(const void *a, const void *b)
{
	const ScopeEntry *x = a;
	const ScopeEntry *y = b;
	int			c = strcmp(x->scope, y->scope);

	return c != 0 ? c : x->index - y->index;
}

/* Applies the rule described above to every scope. */
static bool
check_scope_permissions(Arena *arena, PolicySet *set, DiagList *diags)
{
	ScopeEntry *entries;
	bool		ok = true;
	int			i,
				start;

	if (set->npolicies < 3)
		return true;
	entries = arena_alloc(arena, sizeof(ScopeEntry) * set->npolicies);
	if (entries == NULL)
		return false;
	for (i = 0; i < set->npolicies; i++)
	{
		entries[i].scope = set->policies[i].scope;
		entries[i].index = i;
	}
	qsort(entries, set->npolicies, sizeof(ScopeEntry), compare_scope_entries);
	for (start = 0; start < set->npolicies; start = i)
	{
		const CompiledPolicy *second = NULL;
		bool		reported = false;

		for (i = start; i < set->npolicies &&
			 strcmp(entries[i].scope, entries[start].scope) == 0; i++)
		{
			const CompiledPolicy *cp = &set->policies[entries[i].index];

			if (i == start)
				continue;		/* the first of a scope is not compared */
			if (second == NULL)
				second = cp;
			else if (!reported && scope_permissions_of(cp) != scope_permissions_of(second))
			{
				diag_add(diags, cp->policy->file, cp->policy->kind_pos.line,
						 cp->policy->kind_pos.column,
						 "policies sharing scope \"%s\" have conflicting scopePermissions (%s and %s)",
						 entries[start].scope, second->fqn, cp->fqn);
				reported = true;
				ok = false;
			}
		}
	}
	return ok;
}

/* Whether a set of derived roles defines this role. */
static bool
defines_role(const Policy *drp, const char *name)
{
	int			d;

	for (d = 0; d < drp->nrole_defs; d++)
		if (strcmp(drp->role_defs[d].name.s, name) == 0)
			return true;
	return false;
}

/* A derived role a rule uses must come from exactly one import. */
static bool
check_unambiguous(Arena *arena, const CompiledPolicy *cp, const PStr *role, DiagList *diags)
{
	const Policy *p = cp->policy;
	const char *list = NULL;
	int			n = 0,
				k;

	for (k = 0; k < cp->nderived_roles; k++)
		if (defines_role(cp->derived_roles[k]->policy, role->s))
			n++;
	if (n < 2)
		return true;
	for (k = 0; k < cp->nderived_roles; k++)
	{
		const Policy *drp = cp->derived_roles[k]->policy;
		const PStr *imp = NULL;
		int			i;
		const char *item;

		if (!defines_role(drp, role->s))
			continue;
		for (i = 0; i < p->import_derived_roles.count; i++)
			if (strcmp(p->import_derived_roles.items[i].s, drp->name.s) == 0)
				imp = &p->import_derived_roles.items[i];
		item = arena_printf(arena, "%s (imported as \"%s\" at %d:%d)", drp->file, drp->name.s,
							imp ? imp->pos.line : 0, imp ? imp->pos.column : 0);
		list = list ? arena_printf(arena, "%s, %s", list, item) : item;
	}
	diag_add(diags, p->file, role->pos.line, role->pos.column,
			 "Derived role \"%s\" is defined in more than one import: %s", role->s,
			 list ? list : "");
	return false;
}

/* Resolves importDerivedRoles and the derived roles each rule names. */
static bool
resolve_derived_roles(Arena *arena, PolicySet *set, CompiledPolicy *cp, DiagList *diags)
{
	const Policy *p = cp->policy;
	bool		ok = true;
	int			i,
				j,
				k;

	if (p->kind != POLICY_RESOURCE)
		return true;
	cp->derived_roles = arena_alloc0(arena, sizeof(CompiledPolicy *) *
									 (p->import_derived_roles.count + 1));
	if (cp->derived_roles == NULL)
		return false;
	for (i = 0; i < p->import_derived_roles.count; i++)
	{
		const PStr *imp = &p->import_derived_roles.items[i];
		const CompiledPolicy *dr = policy_set_find(set, POLICY_DERIVED_ROLES, imp->s, "", "");

		if (dr == NULL)
		{
			diag_add(diags, p->file, imp->pos.line, imp->pos.column,
					 "cannot find derived roles \"%s\" imported by %s", imp->s, cp->fqn);
			ok = false;
			continue;
		}
		cp->derived_roles[cp->nderived_roles++] = dr;
		((CompiledPolicy *) dr)->imported = true;
	}
	if (!ok)
		return false;			/* names cannot be checked against missing imports */
	for (i = 0; i < p->nresource_rules; i++)
	{
		const PStrList *names = &p->resource_rules[i].derived_roles;

		for (j = 0; j < names->count; j++)
		{
			bool		found = false;

			for (k = 0; k < cp->nderived_roles && !found; k++)
			{
				const Policy *drp = cp->derived_roles[k]->policy;
				int			d;

				for (d = 0; d < drp->nrole_defs; d++)
					if (strcmp(drp->role_defs[d].name.s, names->items[j].s) == 0)
					{
						found = true;
						break;
					}
			}
			if (!found)
			{
				diag_add(diags, p->file, names->items[j].pos.line, names->items[j].pos.column,
						 "Derived role \"%s\" is not defined in any imports", names->items[j].s);
				ok = false;
			}
			else if (!check_unambiguous(arena, cp, &names->items[j], diags))
				ok = false;
		}
	}
	return ok;
}

/*
 * One expression: an empty one is a syntax error even before CEL is wired
 * in (Cerbos says "Invalid expression ``"); then the CEL hook, if any,
 * whose result is kept in the expression (PExpr.checked) unless the caller
 * gives another place for it.
 */
static bool
check_one(const CompileOptions *o, const CompiledPolicy *cp, const char *file,
		  const PExpr *e, CompileExprRole role, void **handle, DiagList *diags)
{
	const char *t = e->text ? e->text : "";

	while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
		t++;
	if (*t == '\0')
	{
		diag_add(diags, file, e->pos.line, e->pos.column,
				 "Invalid expression `%s`: syntax error: empty expression", e->text ? e->text : "");
		return false;
	}
	if (o == NULL || o->check_expr == NULL)
		return true;
	if (handle == NULL)
		handle = &((PExpr *) e)->checked;	/* the compiler owns the model */
	return o->check_expr(o->check_expr_state, file, cp, e, role, handle, diags);
}

/* Hands every expression of a match tree to the CEL hook. */
static bool
check_match(const CompileOptions *o, const CompiledPolicy *cp, const PMatch *m,
			CompileExprRole role, DiagList *diags, int depth)
{
	bool		ok = true;
	int			i;

	if (m == NULL || depth > 128)	/* decode.c bounds nesting at 100 */
		return true;
	if (m->op == PMATCH_EXPR)
	{
		if (!check_one(o, cp, cp->policy->file, &m->expr, role, NULL, diags))
			ok = false;
	}
	for (i = 0; i < m->nof; i++)
		if (!check_match(o, cp, &m->of[i], role, diags, depth + 1))
			ok = false;
	return ok;
}

/* Hands one condition to the CEL hook; rejects the deprecated scripts. */
static bool
check_condition(const CompileOptions *o, const CompiledPolicy *cp, const PCondition *c,
				CompileExprRole role, DiagList *diags)
{
	if (c == NULL)
		return true;
	if (c->has_script)
	{
		diag_add(diags, cp->policy->file, c->pos.line, c->pos.column,
				 "Unsupported feature: scripts in conditions are no longer supported");
		return false;
	}
	if (c->match == NULL)
		return true;
	return check_match(o, cp, c->match, role, diags, 0);
}

/* Hands an output's expressions to the CEL stage. */
static bool
check_output(const CompileOptions *o, const CompiledPolicy *cp, const POutput *out,
			 DiagList *diags)
{
	bool		ok = true;

	if (out == NULL)
		return true;
	if (out->has_expr && !check_one(o, cp, cp->policy->file, &out->expr, CEXPR_OUTPUT, NULL, diags))
		ok = false;
	if (out->has_rule_activated &&
		!check_one(o, cp, cp->policy->file, &out->rule_activated, CEXPR_OUTPUT, NULL, diags))
		ok = false;
	if (out->has_condition_not_met &&
		!check_one(o, cp, cp->policy->file, &out->condition_not_met, CEXPR_OUTPUT, NULL, diags))
		ok = false;
	return ok;
}

/*
 * The CEL hook stage: every expression of a policy, with its role.  This is
 * where cel_parse/cel_check are wired in (options->check_expr).
 */
static bool
compile_check_expressions(const CompileOptions *o, CompiledPolicy *cp, DiagList *diags)
{
	const Policy *p = cp->policy;
	bool		ok = true;
	int			i,
				j;

	for (i = 0; i < cp->nvariables; i++)
		if (!check_one(o, cp, cp->variables[i].file, &cp->variables[i].expr, CEXPR_VARIABLE,
					   &cp->variables[i].checked, diags))
			ok = false;
	for (i = 0; i < p->nresource_rules; i++)
	{
		ok &= check_condition(o, cp, p->resource_rules[i].condition, CEXPR_RULE_CONDITION, diags);
		ok &= check_output(o, cp, p->resource_rules[i].output, diags);
	}
	for (i = 0; i < p->nprincipal_rules; i++)
		for (j = 0; j < p->principal_rules[i].nactions; j++)
		{
			ok &= check_condition(o, cp, p->principal_rules[i].actions[j].condition,
								  CEXPR_RULE_CONDITION, diags);
			ok &= check_output(o, cp, p->principal_rules[i].actions[j].output, diags);
		}
	for (i = 0; i < p->nrole_defs; i++)
		ok &= check_condition(o, cp, p->role_defs[i].condition,
							  CEXPR_DERIVED_ROLE_CONDITION, diags);
	for (i = 0; i < p->nrole_rules; i++)
	{
		ok &= check_condition(o, cp, p->role_rules[i].condition, CEXPR_RULE_CONDITION, diags);
		ok &= check_output(o, cp, p->role_rules[i].output, diags);
	}
	return ok;
}

/* Compiles policies already loaded (for the authz_policies table). */
bool
compile_policies(Arena *arena, const PolicyDir *dir, const CompileOptions *options,
				 PolicySet **out, DiagList *diags)
{
	PolicySet  *set;
	bool		ok = true;
	int			i;

	*out = NULL;
	set = arena_alloc0(arena, sizeof(PolicySet));
	if (set == NULL)
		return false;
	set->dir = *dir;
	set->policies = arena_alloc0(arena, sizeof(CompiledPolicy) * (dir->npolicies + 1));
	set->index_size = dir->npolicies * 2 + 1;
	set->index = arena_alloc(arena, sizeof(int) * set->index_size);
	if (set->policies == NULL || set->index == NULL)
		return false;
	memset(set->index, 0xff, sizeof(int) * set->index_size);

	/* identities; disabled policies are left out, as Cerbos does */
	for (i = 0; i < dir->npolicies; i++)
	{
		const Policy *p = dir->policies[i];
		CompiledPolicy *cp;
		int			twin;

		if (p->disabled)
		{
			set->ndisabled++;
			continue;
		}
		cp = &set->policies[set->npolicies];
		cp->policy = p;
		cp->kind = p->kind;
		cp->name = p->name.s;
		cp->version = p->version.s;
		cp->scope = p->scope.s;
		if (p->kind == POLICY_ROLE && cp->version[0] == '\0')
			cp->version = "default";
		if (p->kind != POLICY_RESOURCE && p->kind != POLICY_PRINCIPAL && p->kind != POLICY_ROLE)
		{
			cp->version = "";
			cp->scope = "";
		}
		cp->fqn = fqn_of(arena, cp->kind, cp->name, cp->version, cp->scope);
		twin = index_insert(set, set->npolicies);
		if (twin >= 0)
		{
			diag_add(diags, p->file, p->kind_pos.line, p->kind_pos.column,
					 "duplicate definition of %s (previous definition in %s)",
					 cp->fqn, set->policies[twin].policy->file);
			ok = false;
			continue;
		}
		set->npolicies++;
	}
	if (arena->failed)
		return false;

	if (!check_scope_chains(arena, set, diags))
		ok = false;
	if (!check_scope_permissions(arena, set, diags))
		ok = false;
	for (i = 0; i < set->npolicies; i++)
		if (!resolve_derived_roles(arena, set, &set->policies[i], diags))
			ok = false;
	for (i = 0; i < set->npolicies; i++)
	{
		CompiledPolicy *cp = &set->policies[i];
		bool		vars_ok;

		/* Cerbos compiles derived roles only as part of a policy importing them */
		if (cp->kind == POLICY_DERIVED_ROLES && !cp->imported)
		{
			if (!compile_resolve_variables(arena, set, cp, false, diags))
				ok = false;
			continue;
		}
		vars_ok = compile_resolve_variables(arena, set, cp, true, diags);
		if (!vars_ok)
			ok = false;
		if (!compile_check_schema_ref(arena, set, cp, &cp->policy->principal_schema,
									  "principal", diags))
			ok = false;
		if (!compile_check_schema_ref(arena, set, cp, &cp->policy->resource_schema,
									  "resource", diags))
			ok = false;
		if (vars_ok && !compile_check_expressions(options, cp, diags))
			ok = false;
	}
	if (arena->failed)
	{
		diag_add(diags, dir->root, 0, 0, "out of memory while compiling policies");
		return false;
	}
	if (ok)
		*out = set;
	return ok;
}

/* Loads and compiles a directory; false (with diags) when anything is wrong. */
bool
compile_policy_dir(Arena *arena, const char *path, const CompileOptions *options,
				   PolicySet **out, DiagList *diags)
{
	PolicyDir	dir;
	bool		loaded;

	*out = NULL;
	loaded = policy_load_dir(arena, path, options ? &options->load : NULL, &dir, diags);
	if (!loaded)
		return false;			/* Cerbos stops after load failures too */
	return compile_policies(arena, &dir, options, out, diags);
}
