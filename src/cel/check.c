/*
 * check.c — the CEL type checker, following cel-go v0.30's checker.
 *
 * Every node gets a static type; calls are resolved against the overload
 * signatures of the registry (cel_registry.h) by cel-go's rules:
 *   - each overload's type parameters are replaced by fresh type variables,
 *     and an overload matches when every argument type is assignable to its
 *     parameter under the current substitution (dyn and error are assignable
 *     both ways; null to messages, opaques, timestamps and durations; lists,
 *     maps and opaques element-wise; every type(T) to every type(U));
 *   - the first match fixes the result type; several matches with different
 *     result types make it dyn; no match is "found no matching overload";
 *   - && and || demand bool operands ("expected type 'bool' but found ...");
 *   - list and map literals join their element types (mixed elements give
 *     dyn, as cel-go does without homogeneous-literal checking);
 *   - a select chain a.b.c naming a declared variable becomes that
 *     identifier, and x.f(...) whose x.f is a function namespace becomes a
 *     global call of "x.f".
 * Messages and positions are cel-go's, so Cerbos' compile errors can be
 * reproduced.  After typing, literal arguments are validated as Cerbos does
 * it (timestamp, duration, ip, cidr, format strings, matches patterns) and
 * constant sub-expressions are folded (fold.c).
 */
#include "cel_cerbos.h"
#include "cel_check.h"
#include "cel_env.h"
#include "cel_net.h"
#include "cel_registry.h"
#include "cel_regex.h"
#include "cel_strings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_MAX_DEPTH 2000

static const CelType *check_node(Checker *c, CelNodeRef ref);

/* ---------- errors ---------- */

static void report(Checker *c, CelNodeRef ref, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Records an error at a node (reported sorted by flush_errors). */
static void
report(Checker *c, CelNodeRef ref, const char *fmt,...)
{
	char		buf[1024];
	va_list		ap;

	c->failed = true;
	if (c->nerrors >= 1000)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (c->nerrors == c->caperrors)
	{
		int			ncap = c->caperrors ? c->caperrors * 2 : 8;
		CheckError *n = (CheckError *) arena_realloc(c->arena, c->errors,
													 sizeof(CheckError) * (size_t) c->caperrors,
													 sizeof(CheckError) * (size_t) ncap);

		if (n == NULL)
		{
			c->oom = true;
			return;
		}
		c->errors = n;
		c->caperrors = ncap;
	}
	c->errors[c->nerrors].offset = ref >= 0 ? c->ast->nodes[ref].offset : 0;
	c->errors[c->nerrors].message = arena_strdup(c->arena, buf);
	c->nerrors++;
}

/* Moves the collected errors into diags ordered by position, as cel-go
 * sorts its issues (stable: same position keeps report order). */
static void
flush_errors(Checker *c)
{
	/* insertion sort: few errors, and it is stable */
	for (int i = 1; i < c->nerrors; i++)
	{
		CheckError	e = c->errors[i];
		int			j = i - 1;

		while (j >= 0 && c->errors[j].offset > e.offset)
		{
			c->errors[j + 1] = c->errors[j];
			j--;
		}
		c->errors[j + 1] = e;
	}
	for (int i = 0; i < c->nerrors && c->diags != NULL; i++)
	{
		int			line;
		int			column;

		cel_offset_position(c->ast->source, c->errors[i].offset, &line, &column);
		diag_add(c->diags, "<input>", line, column, "%s",
				 c->errors[i].message ? c->errors[i].message : "out of memory");
	}
	c->nerrors = 0;
}

/* ---------- node bookkeeping ---------- */

/* Records a node's type. */
static void
set_type(Checker *c, CelNodeRef ref, const CelType *t)
{
	c->types[ref] = t;
}

/* A node's recorded type (dyn if none yet). */
static const CelType *
get_type(Checker *c, CelNodeRef ref)
{
	const CelType *t = c->types[ref];

	return t ? t : &cel_type_dyn;
}

/* Appends a string to the AST's pool (the checker renames nodes); the pool
 * is copied once into a buffer that then grows geometrically. */
static CelStrRef
ast_add_string(Checker *c, const char *s)
{
	size_t		len = strlen(s);
	CelStrRef	off;

	if (c->ast->strings_len + len + 1 > c->pool_cap)
	{
		size_t		ncap = (c->ast->strings_len + len + 1) * 2;
		char	   *pool = (char *) arena_alloc(c->arena, ncap);

		if (pool == NULL || ncap > UINT32_MAX)
		{
			c->oom = true;
			return 0;
		}
		memcpy(pool, c->ast->strings, c->ast->strings_len);
		c->ast->strings = pool;
		c->pool_cap = ncap;
	}
	off = c->ast->strings_len;
	memcpy(c->ast->strings + off, s, len + 1);
	c->ast->strings_len += (uint32_t) len + 1;
	return off;
}

/* ---------- identifiers ---------- */

/* The type of the innermost comprehension variable with this name. */
static const CelType *
find_local(Checker *c, const char *name)
{
	for (int i = c->nlocals - 1; i >= 0; i--)
		if (strcmp(c->locals[i].name, name) == 0)
			return c->locals[i].type;
	return NULL;
}

/* Type of a name: local, declared variable, or a type identifier. */
static const CelType *
lookup_ident(Checker *c, const char *name, bool *is_local)
{
	const CelType *t;

	*is_local = false;
	if ((t = find_local(c, name)) != NULL)
	{
		*is_local = true;
		return t;
	}
	if ((t = cel_env_lookup(c->env, name)) != NULL)
		return t;
	if (strcmp(name, "dyn") != 0 &&
		((t = cel_type_named(name)) != NULL || (t = cel_net_type_named(name)) != NULL ||
		 (t = cel_cerbos_type_named(name)) != NULL))
		return ck_mk_type(c, CEL_T_TYPE, t, NULL, NULL);
	return NULL;
}

/* Types an identifier; undeclared names are errors. */
static void
check_ident(Checker *c, CelNodeRef ref)
{
	const char *name = cel_ast_str(c->ast, c->ast->nodes[ref].u.ident.name);
	bool		local;
	const CelType *t;

	/* .x names x in the root scope: resolve and keep it without the dot */
	if (name[0] == '.' && name[1] != '\0')
	{
		t = cel_env_lookup(c->env, name + 1);
		if (t == NULL)
			t = lookup_ident(c, name + 1, &local);
		if (t != NULL)
		{
			c->ast->nodes[ref].u.ident.name++;
			set_type(c, ref, t);
			return;
		}
	}
	t = lookup_ident(c, name, &local);

	if (t == NULL)
	{
		report(c, ref, "undeclared reference to '%s' (in container '')", name);
		set_type(c, ref, &cel_type_error);
		return;
	}
	set_type(c, ref, t);
}

/* "a.b.c" when ref is a select chain over an identifier, else NULL. */
static char *
qualified_name(Checker *c, CelNodeRef ref, int depth)
{
	const CelExpr *e = &c->ast->nodes[ref];

	if (depth > 64)
		return NULL;
	if (e->kind == CEL_EXPR_IDENT)
		return arena_strdup(c->arena, cel_ast_str(c->ast, e->u.ident.name));
	if (e->kind == CEL_EXPR_SELECT && !(e->flags & CEL_EXPR_F_TEST_ONLY))
	{
		char	   *prefix = qualified_name(c, e->u.select.operand, depth + 1);

		if (prefix == NULL)
			return NULL;
		return arena_printf(c->arena, "%s.%s", prefix,
							cel_ast_str(c->ast, e->u.select.field));
	}
	return NULL;
}

/* Whether the first part of a dotted name is a comprehension variable. */
static bool
root_is_local(Checker *c, const char *qname)
{
	const char *dot = strchr(qname, '.');
	char	   *root;

	if (dot == NULL)
		return find_local(c, qname) != NULL;
	root = arena_strndup(c->arena, qname, (size_t) (dot - qname));
	return root != NULL && find_local(c, root) != NULL;
}

/* The type of operand.field (optional: for a.?b). */
static const CelType *
select_field_type(Checker *c, CelNodeRef ref, CelNodeRef operand, const char *field,
				  bool optional)
{
	const CelType *ot;
	const CelType *target;
	const CelType *result;
	bool		was_opt = false;

	check_node(c, operand);
	ot = ck_substitute(c, get_type(c, operand), false, 0);
	target = ot;
	if (ot->kind == CEL_T_OPTIONAL)
	{
		was_opt = true;
		target = ot->param[0] ? ot->param[0] : &cel_type_dyn;
	}
	switch (target->kind)
	{
		case CEL_T_MAP:
			result = target->param[1];
			break;
		case CEL_T_MESSAGE:
			result = cel_env_message_field(target, field);
			if (result == NULL)
			{
				report(c, ref, "undefined field '%s'", field);
				result = &cel_type_error;
			}
			break;
		case CEL_T_PARAM:
			(void) ck_is_assignable(c, &cel_type_dyn, target);
			result = &cel_type_dyn;
			break;
		default:
			/* Cerbos declares its own value types (cerbos.lib.*) as object
			 * types its type provider cannot describe */
			if (target->kind == CEL_T_OPAQUE && target->name != NULL &&
				strncmp(target->name, "cerbos.lib.", 11) == 0)
				report(c, ref, "unexpected failed resolution of '%s'", target->name);
			else if (!ck_is_dyn_or_error(target))
				report(c, ref, "type '%s' does not support field selection",
					   cel_check_format_type(c->arena, target));
			result = &cel_type_dyn;
			break;
	}
	if (was_opt || optional)
		return ck_mk_optional(c, result);
	return result;
}

/* Types a selection, first trying it as a qualified variable name. */
static void
check_select(Checker *c, CelNodeRef ref)
{
	CelExpr    *e = &c->ast->nodes[ref];
	const CelType *t;

	if (!(e->flags & CEL_EXPR_F_TEST_ONLY))
	{
		char	   *q = qualified_name(c, ref, 0);
		bool		local;

		/* a comprehension variable shadows dotted global names */
		if (q != NULL && root_is_local(c, q))
			q = NULL;
		if (q != NULL && (t = lookup_ident(c, q, &local)) != NULL)
		{
			CelStrRef	s = ast_add_string(c, q);

			e = &c->ast->nodes[ref];
			e->kind = CEL_EXPR_IDENT;
			e->flags = 0;
			e->u.ident.name = s;
			set_type(c, ref, t);
			return;
		}
	}
	t = select_field_type(c, ref, e->u.select.operand,
						  cel_ast_str(c->ast, e->u.select.field), false);
	if (c->ast->nodes[ref].flags & CEL_EXPR_F_TEST_ONLY)
		t = &cel_type_bool;
	set_type(c, ref, ck_substitute(c, t, false, 0));
}

/* ---------- calls ---------- */

/* "(int, string)" or "int.(string)" for no-matching-overload messages. */
static const char *
format_args(Checker *c, const CelType *const *types, int n, bool receiver)
{
	char		buf[1024];

	buf[0] = '\0';
	for (int i = 0; i < n; i++)
	{
		const CelType *t = ck_substitute(c, types[i], true, 0);
		size_t		len = strlen(buf);

		if (receiver && i == 0)
		{
			ck_format_into(buf, sizeof(buf), t);
			len = strlen(buf);
			snprintf(buf + len, sizeof(buf) - len, ".(");
			continue;
		}
		if (i == 0 || (receiver && i == 1))
		{
			if (!receiver)
				snprintf(buf + len, sizeof(buf) - len, "(");
		}
		else
			snprintf(buf + len, sizeof(buf) - len, ", ");
		ck_format_into(buf, sizeof(buf), t);
	}
	if (n == 0 || (receiver && n == 1))
	{
		size_t		len = strlen(buf);

		snprintf(buf + len, sizeof(buf) - len, receiver ? "" : "(");
	}
	{
		size_t		len = strlen(buf);

		snprintf(buf + len, sizeof(buf) - len, ")");
	}
	return arena_strdup(c->arena, buf);
}

/* Replaces a signature's type parameters with fresh variables. */
static const CelType *
instantiate(Checker *c, const CelType *t, Mapping *fresh, int depth)
{
	if (t == NULL || depth > 50)
		return &cel_type_dyn;
	if (t->kind == CEL_T_PARAM)
	{
		const CelType *v = ck_m_find(fresh, t->name);

		if (v == NULL)
		{
			v = ck_new_var(c);
			ck_m_add(c, fresh, t->name, v);
		}
		return v;
	}
	if (ck_nparams_of(t) > 0)
	{
		const CelType *p0 = instantiate(c, t->param[0], fresh, depth + 1);
		const CelType *p1 = t->kind == CEL_T_MAP ?
			instantiate(c, t->param[1], fresh, depth + 1) : NULL;

		if (p0 == t->param[0] && p1 == t->param[1])
			return t;
		return ck_mk_type(c, t->kind, p0, p1, t->name);
	}
	return t;
}

/*
 * Resolves a call given the argument types (receiver first for member
 * calls); sets the node's type and overload, or reports no match.
 */
static void
resolve_overload(Checker *c, CelNodeRef ref, const char *function, bool receiver,
				 const CelType *const *argt, int n)
{
	const CelSignature *const *cands;
	int			ncands;
	const CelType *result = NULL;
	int			matched = -1;
	int			nmatched = 0;
	int			start_mark = c->s.nundo;

	cel_registry_candidates(c->reg, function, receiver, &cands, &ncands);
	for (int i = 0; i < ncands; i++)
	{
		const CelSignature *sig = cands[i];
		Mapping		fresh = {NULL, 0, 0};
		int			mark = c->s.nundo;
		bool		ok = true;

		if (sig->variadic ? n < sig->nparams - 1 : n != sig->nparams)
			continue;
		for (int a = 0; a < n && ok; a++)
		{
			const CelType *pt = sig->params[a < sig->nparams ? a : sig->nparams - 1];

			pt = instantiate(c, pt, &fresh, 0);
			if (!ck_assignable_in(c, argt[a], pt, 0))
				ok = false;
		}
		if (!ok)
		{
			ck_s_rollback(c, mark);
			continue;
		}
		{
			const CelType *rt = ck_substitute(c, instantiate(c, sig->result, &fresh, 0),
										   false, 0);

			if (result == NULL)
				result = rt;
			else if (!ck_is_dyn(result) && !ck_type_exact(rt, result))
				result = &cel_type_dyn;
		}
		matched = sig->index;
		nmatched++;
	}
	c->s.nundo = start_mark;	/* keep what the matches bound */
	if (result == NULL)
	{
		report(c, ref, "found no matching overload for '%s' applied to '%s'", function,
			   format_args(c, argt, n, receiver));
		set_type(c, ref, &cel_type_error);
		return;
	}
	set_type(c, ref, result);
	c->overload[ref] = nmatched == 1 ? matched : -1;
}

/* && and ||: each operand must be a bool. */
static void
check_logic(Checker *c, CelNodeRef ref)
{
	const CelExpr *e = &c->ast->nodes[ref];
	bool		ok = true;

	for (uint32_t i = 0; i < e->u.call.nargs; i++)
	{
		CelNodeRef	a = c->ast->args[e->u.call.args + i];

		if (!ck_is_assignable(c, &cel_type_bool, get_type(c, a)))
		{
			/* cel-go prints the operand's type unsubstituted ("list(_var0)") */
			report(c, a, "expected type 'bool' but found '%s'",
				   cel_check_format_type(c->arena, get_type(c, a)));
			ok = false;
		}
	}
	set_type(c, ref, ok ? &cel_type_bool : &cel_type_error);
}

/* Types a call: special forms, namespaced functions, then overloads. */
static void
check_call(Checker *c, CelNodeRef ref)
{
	CelExpr    *e = &c->ast->nodes[ref];
	const char *fn = cel_ast_str(c->ast, e->u.call.function);
	uint32_t	nargs = e->u.call.nargs;
	const CelType **argt;

	if (strcmp(fn, "_?._") == 0 && nargs == 2 && e->u.call.target < 0)
	{
		CelNodeRef	field = c->ast->args[e->u.call.args + 1];
		const CelExpr *f = &c->ast->nodes[field];
		const CelType *t;

		if (f->kind != CEL_EXPR_CONST || f->u.constant.kind != CEL_CONST_STRING)
		{
			report(c, field, "unsupported optional field selection");
			set_type(c, ref, &cel_type_error);
			return;
		}
		set_type(c, field, &cel_type_string);
		t = select_field_type(c, ref, c->ast->args[e->u.call.args],
							  cel_ast_str(c->ast, f->u.constant.u.str.off), true);
		set_type(c, ref, ck_substitute(c, t, false, 0));
		return;
	}

	for (uint32_t i = 0; i < nargs; i++)
		check_node(c, c->ast->args[e->u.call.args + i]);
	e = &c->ast->nodes[ref];

	if (e->u.call.target < 0)
	{
		if ((strcmp(fn, "_&&_") == 0 || strcmp(fn, "_||_") == 0) && nargs == 2)
		{
			check_logic(c, ref);
			return;
		}
		if (!cel_registry_has_function(c->reg, fn))
		{
			report(c, ref, "undeclared reference to '%s' (in container '')", fn);
			set_type(c, ref, &cel_type_error);
			return;
		}
		argt = (const CelType **) arena_alloc(c->arena, sizeof(CelType *) * (nargs + 1));
		if (argt == NULL)
		{
			c->oom = true;
			return;
		}
		for (uint32_t i = 0; i < nargs; i++)
			argt[i] = get_type(c, c->ast->args[e->u.call.args + i]);
		resolve_overload(c, ref, fn, false, argt, (int) nargs);
		return;
	}

	/* a namespaced function written as a member call: x.y.f(...) */
	{
		char	   *q = qualified_name(c, e->u.call.target, 0);

		if (q != NULL)
		{
			char	   *full = arena_printf(c->arena, "%s.%s", q, fn);
			bool		local;
			char	   *root = arena_strdup(c->arena, q);

			if (root != NULL && strchr(root, '.') != NULL)
				*strchr(root, '.') = '\0';
			if (full != NULL && root != NULL && find_local(c, root) == NULL &&
				cel_registry_has_function(c->reg, full))
			{
				CelStrRef	s = ast_add_string(c, full);

				(void) local;
				e = &c->ast->nodes[ref];
				e->u.call.target = CEL_NO_NODE;
				e->u.call.function = s;
				argt = (const CelType **) arena_alloc(c->arena,
													  sizeof(CelType *) * (nargs + 1));
				if (argt == NULL)
				{
					c->oom = true;
					return;
				}
				for (uint32_t i = 0; i < nargs; i++)
					argt[i] = get_type(c, c->ast->args[e->u.call.args + i]);
				resolve_overload(c, ref, full, false, argt, (int) nargs);
				return;
			}
		}
	}

	check_node(c, e->u.call.target);
	e = &c->ast->nodes[ref];
	if (!cel_registry_has_function(c->reg, fn))
	{
		set_type(c, ref, &cel_type_error);
		report(c, ref, "undeclared reference to '%s' (in container '')", fn);
		return;
	}
	argt = (const CelType **) arena_alloc(c->arena, sizeof(CelType *) * (nargs + 2));
	if (argt == NULL)
	{
		c->oom = true;
		return;
	}
	argt[0] = get_type(c, e->u.call.target);
	for (uint32_t i = 0; i < nargs; i++)
		argt[i + 1] = get_type(c, c->ast->args[e->u.call.args + i]);
	resolve_overload(c, ref, fn, true, argt, (int) nargs + 1);
}

/* ---------- aggregates ---------- */

/* cel-go's joinTypes for literal elements (mixed types give dyn). */
static const CelType *
join_types(Checker *c, const CelType *prev, const CelType *cur)
{
	if (prev == NULL)
		return cur;
	if (ck_is_assignable(c, prev, cur))
		return ck_most_general(prev, cur);
	return &cel_type_dyn;
}

/* Whether element i of a literal is marked optional ("?x"). */
static bool
is_optional_index(const CelAst *ast, uint32_t run, uint32_t n, uint32_t i)
{
	for (uint32_t j = 0; j < n; j++)
		if ((uint32_t) ast->args[run + j] == i)
			return true;
	return false;
}

/* The element type behind an optional entry ("?x"), reporting non-optionals. */
static const CelType *
unwrap_optional_entry(Checker *c, CelNodeRef v)
{
	const CelType *t = ck_substitute(c, get_type(c, v), false, 0);

	if (t->kind == CEL_T_OPTIONAL)
		return t->param[0] ? t->param[0] : &cel_type_dyn;
	if (!ck_is_dyn(t))
		report(c, v, "expected type '%s' but found '%s'",
			   cel_check_format_type(c->arena, ck_mk_optional(c, t)),
			   cel_check_format_type(c->arena, t));
	return t;
}

/* Types a list literal by joining its element types. */
static void
check_list(Checker *c, CelNodeRef ref)
{
	const CelExpr *e = &c->ast->nodes[ref];
	const CelType *elem = NULL;

	for (uint32_t i = 0; i < e->u.list.nelems; i++)
	{
		CelNodeRef	x = c->ast->args[e->u.list.elems + i];
		const CelType *t;

		check_node(c, x);
		e = &c->ast->nodes[ref];
		t = get_type(c, x);
		if (e->u.list.noptional > 0 &&
			is_optional_index(c->ast, e->u.list.optional, e->u.list.noptional, i))
			t = unwrap_optional_entry(c, x);
		elem = join_types(c, elem, t);
	}
	if (elem == NULL)
		elem = ck_new_var(c);
	set_type(c, ref, ck_mk_list(c, elem));
}

/* Types a map literal by joining key and value types. */
static void
check_map(Checker *c, CelNodeRef ref)
{
	const CelExpr *e = &c->ast->nodes[ref];
	const CelType *kt = NULL;
	const CelType *vt = NULL;

	for (uint32_t i = 0; i < e->u.map.nentries; i++)
	{
		CelNodeRef	k = c->ast->args[e->u.map.entries + 2 * i];
		CelNodeRef	v = c->ast->args[e->u.map.entries + 2 * i + 1];
		const CelType *t;

		check_node(c, k);
		kt = join_types(c, kt, get_type(c, k));
		check_node(c, v);
		e = &c->ast->nodes[ref];
		t = get_type(c, v);
		if (e->u.map.noptional > 0 &&
			is_optional_index(c->ast, e->u.map.optional, e->u.map.noptional, i))
			t = unwrap_optional_entry(c, v);
		vt = join_types(c, vt, t);
	}
	if (kt == NULL)
	{
		kt = ck_new_var(c);
		vt = ck_new_var(c);
	}
	set_type(c, ref, ck_mk_map(c, kt, vt));
}

/* ---------- comprehensions ---------- */

/* Declares a comprehension variable; false when nesting is too deep. */
static bool
push_local(Checker *c, CelNodeRef ref, const char *name, const CelType *t)
{
	if (c->nlocals >= CHECK_MAX_LOCALS)
	{
		report(c, ref, "too many nested comprehensions");
		return false;
	}
	c->locals[c->nlocals].name = name;
	c->locals[c->nlocals].type = t;
	c->nlocals++;
	return true;
}

/* Types a comprehension as cel-go does (range, accumulator, loop). */
static void
check_comprehension(Checker *c, CelNodeRef ref)
{
	const CelExpr *e = &c->ast->nodes[ref];
	CelNodeRef	range = e->u.comp.iter_range;
	const CelType *rt;
	const CelType *accu_t;
	const CelType *vt;
	const CelType *vt2 = NULL;
	bool		two = e->u.comp.iter_var2 != 0;
	int			saved = c->nlocals;

	check_node(c, range);
	check_node(c, c->ast->nodes[ref].u.comp.accu_init);
	e = &c->ast->nodes[ref];
	rt = ck_substitute(c, get_type(c, range), false, 0);
	accu_t = get_type(c, e->u.comp.accu_init);
	if (!push_local(c, ref, cel_ast_str(c->ast, e->u.comp.accu_var), accu_t))
		return;
	switch (rt->kind)
	{
		case CEL_T_LIST:
			vt = rt->param[0];
			if (two)
			{
				vt2 = vt;
				vt = &cel_type_int;
			}
			break;
		case CEL_T_MAP:
			vt = rt->param[0];
			if (two)
				vt2 = rt->param[1];
			break;
		case CEL_T_DYN:
		case CEL_T_ANY:
		case CEL_T_ERROR:
		case CEL_T_PARAM:
			(void) ck_is_assignable(c, &cel_type_dyn, rt);
			vt = &cel_type_dyn;
			vt2 = &cel_type_dyn;
			break;
		default:
			report(c, range,
				   "expression of type '%s' cannot be range of a comprehension (must be list, map, or dynamic)",
				   cel_check_format_type(c->arena, rt));
			vt = &cel_type_error;
			vt2 = &cel_type_error;
			break;
	}
	if (!push_local(c, ref, cel_ast_str(c->ast, e->u.comp.iter_var), vt))
		return;
	if (two && !push_local(c, ref, cel_ast_str(c->ast, e->u.comp.iter_var2), vt2))
		return;
	check_node(c, e->u.comp.loop_cond);
	e = &c->ast->nodes[ref];
	if (!ck_is_assignable(c, &cel_type_bool, get_type(c, e->u.comp.loop_cond)))
		report(c, e->u.comp.loop_cond, "expected type 'bool' but found '%s'",
			   cel_check_format_type(c->arena, ck_substitute(c,
														 get_type(c, e->u.comp.loop_cond),
														 true, 0)));
	check_node(c, e->u.comp.loop_step);
	e = &c->ast->nodes[ref];
	if (!ck_is_assignable(c, accu_t, get_type(c, e->u.comp.loop_step)))
		report(c, e->u.comp.loop_step, "expected type '%s' but found '%s'",
			   cel_check_format_type(c->arena, ck_substitute(c, accu_t, true, 0)),
			   cel_check_format_type(c->arena, ck_substitute(c,
														 get_type(c, e->u.comp.loop_step),
														 true, 0)));
	/* the loop variables go out of scope before the result */
	c->nlocals = saved + 1;
	check_node(c, e->u.comp.result);
	e = &c->ast->nodes[ref];
	c->nlocals = saved;
	set_type(c, ref, ck_substitute(c, get_type(c, e->u.comp.result), false, 0));
}

/* ---------- dispatch ---------- */

/* Types one node (recursively), with a depth bound. */
static const CelType *
check_node(Checker *c, CelNodeRef ref)
{
	const CelExpr *e;

	if (ref < 0 || ref >= c->ast->nnodes)
		return &cel_type_error;
	if (++c->depth > CHECK_MAX_DEPTH)
	{
		if (c->depth == CHECK_MAX_DEPTH + 1)
			report(c, ref, "max recursion depth exceeded");
		c->depth--;
		set_type(c, ref, &cel_type_error);
		return &cel_type_error;
	}
	e = &c->ast->nodes[ref];
	switch (e->kind)
	{
		case CEL_EXPR_CONST:
			switch (e->u.constant.kind)
			{
				case CEL_CONST_NULL:
					set_type(c, ref, &cel_type_null);
					break;
				case CEL_CONST_BOOL:
					set_type(c, ref, &cel_type_bool);
					break;
				case CEL_CONST_INT:
					set_type(c, ref, &cel_type_int);
					break;
				case CEL_CONST_UINT:
					set_type(c, ref, &cel_type_uint);
					break;
				case CEL_CONST_DOUBLE:
					set_type(c, ref, &cel_type_double);
					break;
				case CEL_CONST_STRING:
					set_type(c, ref, &cel_type_string);
					break;
				default:
					set_type(c, ref, &cel_type_bytes);
					break;
			}
			break;
		case CEL_EXPR_IDENT:
			check_ident(c, ref);
			break;
		case CEL_EXPR_SELECT:
			check_select(c, ref);
			break;
		case CEL_EXPR_CALL:
			check_call(c, ref);
			break;
		case CEL_EXPR_LIST:
			check_list(c, ref);
			break;
		case CEL_EXPR_MAP:
			check_map(c, ref);
			break;
		case CEL_EXPR_STRUCT:
			for (uint32_t i = 0; i < e->u.strct.nfields; i++)
				check_node(c, c->ast->args[e->u.strct.fields + 2 * i + 1]);
			e = &c->ast->nodes[ref];
			report(c, ref, "undeclared reference to '%s' (in container '')",
				   cel_ast_str(c->ast, e->u.strct.type_name));
			set_type(c, ref, &cel_type_error);
			break;
		case CEL_EXPR_COMPREHENSION:
			check_comprehension(c, ref);
			break;
		default:
			set_type(c, ref, &cel_type_error);
			break;
	}
	c->depth--;
	return get_type(c, ref);
}

/* ---------- entry point ---------- */

/* Type-checks an AST in place (see cel.h). */
bool
cel_check(const CelEnv *env, CelAst *ast, Arena *arena, DiagList *diags)
{
	Checker		checker;
	Checker    *c = &checker;

	if (ast == NULL || arena == NULL)
		return false;
	/*
	 * On the stack, not in the arena: the checker's state (8 kB of local
	 * slots) is dead once the AST is typed, and a policy set checks
	 * thousands of expressions into one long-lived arena.
	 */
	memset(c, 0, sizeof(Checker));
	c->env = env;
	c->ast = ast;
	c->arena = arena;
	c->diags = diags;
	c->reg = cel_registry_default();
	if (c->reg == NULL)
	{
		if (diags)
			diag_add(diags, "<input>", 1, 1, "out of memory");
		return false;
	}
	c->types = (const CelType **) arena_alloc0(arena, sizeof(CelType *) * (size_t) (ast->nnodes + 1));
	c->overload = (int32_t *) arena_alloc(arena, sizeof(int32_t) * (size_t) (ast->nnodes + 1));
	if (c->types == NULL || c->overload == NULL)
		return false;
	for (int32_t i = 0; i < ast->nnodes; i++)
		c->overload[i] = -1;

	check_node(c, ast->root);
	flush_errors(c);

	/* final types: every variable resolved, free ones dyn */
	for (int32_t i = 0; i < ast->nnodes; i++)
		if (c->types[i] != NULL)
			c->types[i] = ck_substitute(c, c->types[i], true, 0);

	if (!c->failed)
	{
		ast->types = c->types;
		ast->overload = c->overload;
		cel_check_validate(ast, arena, diags, &c->failed);
		ast->types = NULL;
		ast->overload = NULL;
	}
	if (c->oom || arena->failed)
	{
		if (diags && !c->failed)
			diag_add(diags, "<input>", 1, 1, "out of memory");
		return false;
	}
	if (c->failed)
		return false;
	ast->types = c->types;
	ast->overload = c->overload;
	cel_fold(ast, arena);
	return true;
}
