/*
 * vars.c — a policy's variable and constant tables.
 *
 * A resource, principal or derived-roles policy sees the definitions of
 * the exportVariables / exportConstants policies it imports, its own
 * `local` ones and (resource and principal policies) the deprecated
 * top-level `variables`.  As in Cerbos, one name defined in two places is
 * an error that lists every place; a reference to an undefined name is an
 * error (in a variable or in a condition/output); variables that use each
 * other in a cycle are an error.  The table is finally sorted so that each
 * variable comes after the variables it uses, which lets the engine
 * evaluate them in one pass (or lazily, in any order, without recursion
 * surprises).
 */
#include "compiler.h"

#include <string.h>

typedef struct VarSource
{
	const char *what;			/* "import 'x'", "policy local variables", ... */
	const char *file;
	PPos		pos;
} VarSource;

/* Names of a policy's variables or constants, hashed for lookup. */
typedef struct NameIndex
{
	const char **names;			/* names[i] of entry i */
	int			n;
	int		   *slots;			/* entry index or -1 */
	int			size;
	int		   *first;			/* first[i]: earlier entry with the same name, or -1 */
} NameIndex;

typedef struct Scan
{
	Arena	   *arena;
	DiagList   *diags;
	const char *file;
	CompiledPolicy *cp;
	NameIndex	variables;
	NameIndex	constants_index;
	int			self;			/* variable being scanned, -1 for conditions */
	PPos		pos;
	bool		constants;		/* scanning for C. rather than V. */
	bool		ok;
} Scan;


/* FNV-1a of a name. */
static uint32_t
name_hash(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char) s[i]) * 16777619u;
	return h;
}

/* Index of the first entry with this name, or -1. */
static int
name_find(const NameIndex *idx, const char *name, size_t len)
{
	int			slot;

	if (idx->size == 0)
		return -1;
	for (slot = (int) (name_hash(name, len) % (uint32_t) idx->size);;
		 slot = (slot + 1) % idx->size)
	{
		int			i = idx->slots[slot];

		if (i < 0)
			return -1;
		if (strncmp(idx->names[i], name, len) == 0 && idx->names[i][len] == '\0')
			return i;
	}
}

/* Builds the index; first[] records repeated names. */
static bool
name_index_build(Arena *arena, NameIndex *idx, const char **names, int n)
{
	int			i;

	idx->names = names;
	idx->n = n;
	idx->size = 2 * n + 1;
	idx->slots = arena_alloc(arena, sizeof(int) * idx->size);
	idx->first = arena_alloc(arena, sizeof(int) * (n + 1));
	if (idx->slots == NULL || idx->first == NULL)
		return false;
	memset(idx->slots, 0xff, sizeof(int) * idx->size);
	for (i = 0; i < n; i++)
	{
		size_t		len = strlen(names[i]);
		int			j = name_find(idx, names[i], len);

		idx->first[i] = j;
		if (j < 0)
		{
			int			slot = (int) (name_hash(names[i], len) % (uint32_t) idx->size);

			while (idx->slots[slot] >= 0)
				slot = (slot + 1) % idx->size;
			idx->slots[slot] = i;
		}
	}
	return true;
}

/* Records one reference found by the scanner. */
static void
visit_ref(void *state, const char *name, size_t len)
{
	Scan	   *s = state;
	CompiledPolicy *cp = s->cp;
	const char *n = arena_strndup(s->arena, name, len);

	if (s->constants)
	{
		if (name_find(&s->constants_index, name, len) < 0)
		{
			if (s->self >= 0)
				diag_add(s->diags, s->file, s->pos.line, s->pos.column,
						 "Undefined constant '%s' referenced in variable '%s'",
						 n, cp->variables[s->self].name);
			else
				diag_add(s->diags, s->file, s->pos.line, s->pos.column,
						 "Undefined constant '%s'", n);
			s->ok = false;
		}
		return;
	}
	if (name_find(&s->variables, name, len) < 0)
	{
		if (s->self >= 0)
			diag_add(s->diags, s->file, s->pos.line, s->pos.column,
					 "Undefined variable '%s' referenced in variable '%s'",
					 n, cp->variables[s->self].name);
		else
			diag_add(s->diags, s->file, s->pos.line, s->pos.column,
					 "Undefined variable '%s'", n);
		s->ok = false;
		return;
	}
	if (s->self >= 0)
	{
		CVariable  *v = &cp->variables[s->self];
		int			idx = name_find(&s->variables, name, len);
		int			i;

		for (i = 0; i < v->nuses; i++)
			if (v->uses[i] == idx)
				return;
		/* capacity is 4, 8, 16, ...: grow when nuses reaches a power of two */
		if (v->nuses == 0 || (v->nuses >= 4 && (v->nuses & (v->nuses - 1)) == 0))
		{
			int			cap = v->nuses == 0 ? 4 : v->nuses * 2;

			v->uses = arena_realloc(s->arena, v->uses, sizeof(int) * v->nuses,
									sizeof(int) * cap);
		}
		if (v->uses)
			v->uses[v->nuses++] = idx;
	}
}

/* Checks the references of one expression. */
static void
scan_expr(Scan *s, const char *file, const PExpr *e, int self)
{
	s->file = file;
	s->pos = e->pos;
	s->self = self;
	s->constants = false;
	compile_scan_refs(e->text, "V", "variables", visit_ref, s);
	s->constants = true;
	compile_scan_refs(e->text, "C", "constants", visit_ref, s);
}

/* Checks the references of every expression of a match tree. */
static void
scan_match(Scan *s, const char *file, const PMatch *m, int depth)
{
	int			i;

	if (m == NULL || depth > 128)
		return;
	if (m->op == PMATCH_EXPR)
		scan_expr(s, file, &m->expr, -1);
	for (i = 0; i < m->nof; i++)
		scan_match(s, file, &m->of[i], depth + 1);
}

/* Checks the references of a condition. */
static void
scan_condition(Scan *s, const char *file, const PCondition *c)
{
	if (c == NULL)
		return;
	if (c->match)
		scan_match(s, file, c->match, 0);
	if (c->has_script)
		scan_expr(s, file, &c->script, -1);
}

/* Checks the references of an output's expressions. */
static void
scan_output(Scan *s, const char *file, const POutput *o)
{
	if (o == NULL)
		return;
	if (o->has_expr)
		scan_expr(s, file, &o->expr, -1);
	if (o->has_rule_activated)
		scan_expr(s, file, &o->rule_activated, -1);
	if (o->has_condition_not_met)
		scan_expr(s, file, &o->condition_not_met, -1);
}

/* Adds a variable; reports a redefinition listing every place. */
static void
add_variable(Arena *arena, CompiledPolicy *cp, int *capacity, VarSource **sources,
			 const char *name, const PExpr *expr, const VarSource *src)
{
	if (cp->nvariables == *capacity)
	{
		int			cap = *capacity ? *capacity * 2 : 8;

		cp->variables = arena_realloc(arena, cp->variables, sizeof(CVariable) * *capacity,
									  sizeof(CVariable) * cap);
		*sources = arena_realloc(arena, *sources, sizeof(VarSource) * *capacity,
								 sizeof(VarSource) * cap);
		if (cp->variables == NULL || *sources == NULL)
			return;
		*capacity = cap;
	}
	memset(&cp->variables[cp->nvariables], 0, sizeof(CVariable));
	cp->variables[cp->nvariables].name = name;
	cp->variables[cp->nvariables].expr = *expr;
	cp->variables[cp->nvariables].file = src->file;
	(*sources)[cp->nvariables] = *src;
	cp->nvariables++;
}

/* Appends to "a", "a and b", "a, b, and c" as Cerbos lists things. */
static const char *
join_item(Arena *arena, const char *list, const char *item, bool last, int before)
{
	if (before == 0)
		return item;
	if (!last)
		return arena_printf(arena, "%s, %s", list, item);
	return arena_printf(arena, "%s%s and %s", list, before > 1 ? "," : "", item);
}

/* Reports names defined more than once, as Cerbos words it. */
static bool
report_redefinitions(Arena *arena, CompiledPolicy *cp, const VarSource *sources,
					 DiagList *diags, bool constants, const NameIndex *idx)
{
	bool		ok = true;
	int			i,
				j;
	int		   *copies = arena_alloc0(arena, sizeof(int) * (idx->n + 1));

	if (copies == NULL)
		return false;
	for (i = 0; i < idx->n; i++)
		if (idx->first[i] >= 0)
			copies[idx->first[i]]++;
	for (i = 0; i < idx->n; i++)
	{
		const char *list = NULL;
		int			left,
					listed = 0;

		if (idx->first[i] >= 0 || copies[i] == 0)
			continue;
		ok = false;
		left = copies[i] + 1;
		for (j = i; j < idx->n; j++)
		{
			if (j != i && idx->first[j] != i)
				continue;
			list = join_item(arena, list,
							 arena_printf(arena, "%s (%s:%d:%d)", sources[j].what, sources[j].file,
										  sources[j].pos.line, sources[j].pos.column),
							 --left == 0, listed++);
		}
		diag_add(diags, cp->policy->file, cp->policy->kind_pos.line,
				 cp->policy->kind_pos.column, "%s '%s' has multiple definitions in %s",
				 constants ? "Constant" : "Variable", idx->names[i], list ? list : "");
	}
	return ok;
}

/* Reports the cycle that closes at u, the variables path[from..depth]. */
static void
report_cycle(Arena *arena, CompiledPolicy *cp, const int *path, int depth, int u,
			 DiagList *diags)
{
	const CVariable *a = &cp->variables[u];
	const char *list = NULL;
	int			start = depth,
				k,
				listed = 0;

	if (path[depth] == u)
	{
		diag_add(diags, a->file, a->expr.pos.line, a->expr.pos.column,
				 "Variable '%s' references itself", a->name);
		return;
	}
	while (start > 0 && path[start] != u)
		start--;
	for (k = start; k <= depth; k++)
	{
		const CVariable *w = &cp->variables[path[k]];

		list = join_item(arena, list,
						 arena_printf(arena, "'%s' (%s:%d:%d)", w->name, w->file,
									  w->expr.pos.line, w->expr.pos.column),
						 k == depth, listed++);
	}
	diag_add(diags, a->file, a->expr.pos.line, a->expr.pos.column,
			 "Variables %s form a cycle", list ? list : "");
}

/*
 * Depth-first search from root for cycles, appending finished variables to
 * order (so each comes after those it uses).  Iterative, with path[] and
 * next[] as the explicit stack, so long chains cannot exhaust the C stack.
 * state: 0 new, 1 on the path, 2 done.
 */
static bool
visit_cycles(Arena *arena, CompiledPolicy *cp, int root, char *state, int *path,
			 int *next, int *order, int *norder, DiagList *diags)
{
	bool		ok = true;
	int			depth = 0;

	path[0] = root;
	next[0] = 0;
	state[root] = 1;
	while (depth >= 0)
	{
		int			v = path[depth];
		CVariable  *var = &cp->variables[v];

		if (next[depth] < var->nuses)
		{
			int			u = var->uses[next[depth]++];

			if (state[u] == 1)
			{
				report_cycle(arena, cp, path, depth, u, diags);
				ok = false;
			}
			else if (state[u] == 0)
			{
				state[u] = 1;
				depth++;
				path[depth] = u;
				next[depth] = 0;
			}
			continue;
		}
		state[v] = 2;
		order[(*norder)++] = v;
		depth--;
	}
	return ok;
}

/* Where a constant's value is written (Cerbos reports that). */
static PPos
value_pos(const PConstDef *d)
{
	PPos		p = d->name_pos;

	if (d->value)
	{
		p.line = d->value->line;
		p.column = d->value->column;
	}
	return p;
}

/*
 * Builds, checks and orders the variables and constants of one policy.
 * Without check_references only the imports are resolved (Cerbos reports
 * missing imports of every policy, but checks the definitions of derived
 * roles only as part of a policy that imports them).
 */
bool
compile_resolve_variables(Arena *arena, const PolicySet *set, CompiledPolicy *cp,
						  bool check_references, DiagList *diags)
{
	const Policy *p = cp->policy;
	VarSource  *sources = NULL;
	VarSource  *csources;
	int			capacity = 0;
	bool		ok = true;
	Scan		s;
	int			i,
				j;

	if (p->kind != POLICY_RESOURCE && p->kind != POLICY_PRINCIPAL &&
		p->kind != POLICY_DERIVED_ROLES && p->kind != POLICY_ROLE)
		return true;

	/* variables: imports, local, deprecated top-level */
	for (i = 0; i < p->variables.imports.count; i++)
	{
		const PStr *imp = &p->variables.imports.items[i];
		const CompiledPolicy *ev = policy_set_find(set, POLICY_EXPORT_VARIABLES, imp->s, "", "");

		if (ev == NULL)
		{
			diag_add(diags, p->file, imp->pos.line, imp->pos.column,
					 "cannot find variables \"%s\" imported by %s", imp->s, cp->fqn);
			ok = false;
			continue;
		}
		for (j = 0; j < ev->policy->nexport_variables; j++)
		{
			const PVarDef *d = &ev->policy->export_variables[j];
			VarSource	src = {arena_printf(arena, "import '%s'", imp->s), ev->policy->file, d->expr.pos};

			add_variable(arena, cp, &capacity, &sources, d->name, &d->expr, &src);
		}
	}
	for (i = 0; i < p->variables.nlocal; i++)
	{
		const PVarDef *d = &p->variables.local[i];
		VarSource	src = {"policy local variables", p->file, d->expr.pos};

		add_variable(arena, cp, &capacity, &sources, d->name, &d->expr, &src);
	}
	for (i = 0; i < p->ntop_variables; i++)
	{
		const PVarDef *d = &p->top_variables[i];
		VarSource	src = {"deprecated top-level policy variables", p->file, d->expr.pos};

		add_variable(arena, cp, &capacity, &sources, d->name, &d->expr, &src);
	}
	if (arena->failed)
		return false;
	memset(&s, 0, sizeof(s));
	{
		const char **names = arena_alloc(arena, sizeof(char *) * (cp->nvariables + 1));

		if (names == NULL)
			return false;
		for (i = 0; i < cp->nvariables; i++)
			names[i] = cp->variables[i].name;
		if (!name_index_build(arena, &s.variables, names, cp->nvariables))
			return false;
	}
	if (check_references &&
		!report_redefinitions(arena, cp, sources, diags, false, &s.variables))
		ok = false;

	/* constants: imports, local */
	capacity = 0;
	csources = NULL;
	for (i = 0; i < p->constants.imports.count; i++)
	{
		const PStr *imp = &p->constants.imports.items[i];
		const CompiledPolicy *ec = policy_set_find(set, POLICY_EXPORT_CONSTANTS, imp->s, "", "");

		if (ec == NULL)
		{
			diag_add(diags, p->file, imp->pos.line, imp->pos.column,
					 "cannot find constants \"%s\" imported by %s", imp->s, cp->fqn);
			ok = false;
			continue;
		}
		for (j = 0; j < ec->policy->nexport_constants; j++)
		{
			const PConstDef *d = &ec->policy->export_constants[j];

			cp->constants = arena_realloc(arena, cp->constants, sizeof(CConstant) * cp->nconstants,
										  sizeof(CConstant) * (cp->nconstants + 1));
			csources = arena_realloc(arena, csources, sizeof(VarSource) * cp->nconstants,
									 sizeof(VarSource) * (cp->nconstants + 1));
			if (cp->constants == NULL || csources == NULL)
				return false;
			cp->constants[cp->nconstants] = (CConstant) {d->name, d->value, ec->policy->file, d->name_pos};
			csources[cp->nconstants] = (VarSource) {arena_printf(arena, "import '%s'", imp->s), ec->policy->file, value_pos(d)};
			cp->nconstants++;
		}
	}
	for (i = 0; i < p->constants.nlocal; i++)
	{
		const PConstDef *d = &p->constants.local[i];

		cp->constants = arena_realloc(arena, cp->constants, sizeof(CConstant) * cp->nconstants,
									  sizeof(CConstant) * (cp->nconstants + 1));
		csources = arena_realloc(arena, csources, sizeof(VarSource) * cp->nconstants,
								 sizeof(VarSource) * (cp->nconstants + 1));
		if (cp->constants == NULL || csources == NULL)
			return false;
		cp->constants[cp->nconstants] = (CConstant) {d->name, d->value, p->file, d->name_pos};
		csources[cp->nconstants] = (VarSource) {"policy local constants", p->file, value_pos(d)};
		cp->nconstants++;
	}
	if (!check_references)
		return ok;				/* imports only: nothing uses this policy */
	{
		const char **names = arena_alloc(arena, sizeof(char *) * (cp->nconstants + 1));

		if (names == NULL)
			return false;
		for (i = 0; i < cp->nconstants; i++)
			names[i] = cp->constants[i].name;
		if (!name_index_build(arena, &s.constants_index, names, cp->nconstants))
			return false;
	}
	if (!report_redefinitions(arena, cp, csources, diags, true, &s.constants_index))
		ok = false;

	/* references from variables, then from conditions and outputs */
	s.arena = arena;
	s.diags = diags;
	s.cp = cp;
	s.ok = true;
	for (i = 0; i < cp->nvariables; i++)
		scan_expr(&s, cp->variables[i].file, &cp->variables[i].expr, i);
	for (i = 0; i < p->nresource_rules; i++)
	{
		scan_condition(&s, p->file, p->resource_rules[i].condition);
		scan_output(&s, p->file, p->resource_rules[i].output);
	}
	for (i = 0; i < p->nprincipal_rules; i++)
		for (j = 0; j < p->principal_rules[i].nactions; j++)
		{
			scan_condition(&s, p->file, p->principal_rules[i].actions[j].condition);
			scan_output(&s, p->file, p->principal_rules[i].actions[j].output);
		}
	for (i = 0; i < p->nrole_defs; i++)
		scan_condition(&s, p->file, p->role_defs[i].condition);
	for (i = 0; i < p->nrole_rules; i++)
	{
		scan_condition(&s, p->file, p->role_rules[i].condition);
		scan_output(&s, p->file, p->role_rules[i].output);
	}
	if (!s.ok)
		ok = false;

	/* cycles, and dependency order */
	if (ok && cp->nvariables > 0)
	{
		char	   *state = arena_alloc0(arena, cp->nvariables);
		int		   *order = arena_alloc(arena, sizeof(int) * cp->nvariables);
		int		   *where = arena_alloc(arena, sizeof(int) * cp->nvariables);
		int		   *path = arena_alloc(arena, sizeof(int) * cp->nvariables);
		int		   *next = arena_alloc(arena, sizeof(int) * cp->nvariables);
		CVariable  *sorted = arena_alloc(arena, sizeof(CVariable) * cp->nvariables);
		int			norder = 0;

		if (state == NULL || order == NULL || where == NULL || sorted == NULL || path == NULL ||
			next == NULL)
			return false;
		for (i = 0; i < cp->nvariables; i++)
			if (state[i] == 0 &&
				!visit_cycles(arena, cp, i, state, path, next, order, &norder, diags))
				ok = false;
		if (ok)
		{
			for (i = 0; i < norder; i++)
				where[order[i]] = i;
			for (i = 0; i < norder; i++)
			{
				sorted[i] = cp->variables[order[i]];
				for (j = 0; j < sorted[i].nuses; j++)
					sorted[i].uses[j] = where[sorted[i].uses[j]];
			}
			cp->variables = sorted;
		}
	}
	return ok;
}
