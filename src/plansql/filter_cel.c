/*
 * filter_cel.c — a Cerbos plan filter printed as CEL source text.
 *
 * The text reads the resource as a condition would (R.attr.x or
 * request.resource.attr.x, as the filter names it), so it can be checked
 * and evaluated by the CEL engine against one resource: the semantic tests
 * of the planner use it, and the SQL translator uses it for the subtrees
 * it leaves to authz_filter_cel.
 *
 * Every compound operand is parenthesised, so CEL's precedence never
 * regroups anything.  Functions other than the operators are printed as
 * the registry knows them: a global call when a global overload takes that
 * many arguments, else a member call on the first operand (Cerbos puts
 * the receiver first).
 */
#include "plansql_int.h"
#include "../cel/cel_registry.h"

#include <string.h>

typedef struct CelOut
{
	Arena	   *arena;
	CelStrBuf	sb;
	const char *error;
} CelOut;

static bool print_operand(CelOut *o, const json_t *j, int depth);

/* Binary operators printed infix. */
static const struct
{
	const char *op;
	const char *cel;
}			infix_ops[] = {
	{"eq", "=="}, {"ne", "!="}, {"lt", "<"}, {"le", "<="}, {"gt", ">"},
	{"ge", ">="}, {"in", "in"}, {"add", "+"}, {"sub", "-"}, {"mult", "*"},
	{"div", "/"}, {"mod", "%"}, {NULL, NULL}
};

/* Records the first error and returns false. */
static bool
fail(CelOut *o, const char *msg)
{
	if (o->error == NULL)
		o->error = msg;
	return false;
}

/* Whether an operand prints as one primary (no parentheses needed):
 * variables, literals (negative numbers print their own), calls, lists,
 * maps, indexing and field selection. */
static bool
is_atomic(const json_t *j)
{
	static const char *const compound[] = {
		"eq", "ne", "lt", "le", "gt", "ge", "in", "add", "sub", "mult", "div",
		"mod", "and", "or", "not", "if", PLANSQL_CONDITION_OP, NULL
	};
	FNode		n;
	int			i;

	if (!fnode_read(j, &n))
		return false;
	if (n.kind != FN_EXPR)
		return true;
	for (i = 0; compound[i]; i++)
		if (strcmp(n.op, compound[i]) == 0)
			return false;
	return true;
}

/* Prints an operand, in parentheses unless it is atomic. */
static bool
print_wrapped(CelOut *o, const json_t *j, int depth)
{
	bool		ok;

	if (is_atomic(j))
		return print_operand(o, j, depth);
	cel_strbuf_putc(&o->sb, '(');
	ok = print_operand(o, j, depth);
	cel_strbuf_putc(&o->sb, ')');
	return ok;
}

/* Prints a variable: a dotted path whose parts CEL cannot spell as
 * identifiers become index expressions. */
static bool
print_variable(CelOut *o, const char *var)
{
	const char *p = var;
	bool		first = true;

	while (*p)
	{
		const char *dot = strchr(p, '.');
		size_t		len = dot ? (size_t) (dot - p) : strlen(p);

		if (plansql_is_ident(p, len))
		{
			if (!first)
				cel_strbuf_putc(&o->sb, '.');
			cel_strbuf_append(&o->sb, p, len);
		}
		else
		{
			if (first)
				return fail(o, "a variable must start with an identifier");
			cel_strbuf_putc(&o->sb, '[');
			plansql_cel_string(&o->sb, p, len);
			cel_strbuf_putc(&o->sb, ']');
		}
		first = false;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	return true;
}

/* Prints operands[from..) separated by commas. */
static bool
print_args(CelOut *o, const FNode *n, size_t from, int depth)
{
	size_t		i;

	for (i = from; i < n->noperands; i++)
	{
		if (i > from)
			cel_strbuf_puts(&o->sb, ", ");
		if (!print_operand(o, fnode_arg(n, i), depth))
			return false;
	}
	return true;
}

/* The name of a simple lambda variable operand, or NULL. */
static const char *
lambda_var(const json_t *j)
{
	FNode		n;

	if (!fnode_read(j, &n) || n.kind != FN_VAR || !plansql_is_ident(n.var, strlen(n.var)))
		return NULL;
	return n.var;
}

/*
 * A comprehension: [range, lambda(body..., var...)].  map and filter bind
 * one variable; all/exists/exists_one one or two; transform* two.  With
 * two expressions, the first is the filter (map(x, p, f), transformList(i,
 * v, p, f)).
 */
static bool
print_comprehension(CelOut *o, const FNode *n, int depth)
{
	FNode		lam;
	size_t		nvars,
				nexprs,
				i;
	bool		one_var_only = strcmp(n->op, "map") == 0 || strcmp(n->op, "filter") == 0;
	bool		two_vars_only = strncmp(n->op, "transform", 9) == 0;
	const char *op = n->op;

	if (n->noperands != 2 || !fnode_read(fnode_arg(n, 1), &lam) ||
		lam.kind != FN_EXPR || strcmp(lam.op, "lambda") != 0 || lam.noperands < 2)
		return fail(o, "a comprehension needs a range and a lambda");
	if (one_var_only)
		nvars = 1;
	else if (two_vars_only)
		nvars = 2;
	else
	{
		const char *a = lam.noperands >= 3 ? lambda_var(fnode_arg(&lam, lam.noperands - 2)) : NULL;
		const char *b = lambda_var(fnode_arg(&lam, lam.noperands - 1));

		nvars = (a != NULL && b != NULL && strcmp(a, b) != 0) ? 2 : 1;
	}
	if (lam.noperands <= nvars || lam.noperands > nvars + 2)
		return fail(o, "a lambda has the wrong number of operands");
	nexprs = lam.noperands - nvars;
	if (nexprs == 2 && !(strcmp(n->op, "map") == 0 || two_vars_only))
		return fail(o, "only map and transform comprehensions take a filter");
	for (i = nexprs; i < lam.noperands; i++)
		if (lambda_var(fnode_arg(&lam, i)) == NULL)
			return fail(o, "a lambda variable must be an identifier");
	if (strcmp(op, "existsOne") == 0)
		op = "exists_one";
	if (!print_wrapped(o, fnode_arg(n, 0), depth))
		return false;
	cel_strbuf_printf(&o->sb, ".%s(", op);
	for (i = nexprs; i < lam.noperands; i++)
		cel_strbuf_printf(&o->sb, "%s, ", lambda_var(fnode_arg(&lam, i)));
	for (i = 0; i < nexprs; i++)
	{
		if (i > 0)
			cel_strbuf_puts(&o->sb, ", ");
		if (!print_operand(o, fnode_arg(&lam, i), depth))
			return false;
	}
	cel_strbuf_putc(&o->sb, ')');
	return true;
}

/* Whether the registry has an overload of fn in that style for nargs. */
static bool
has_overload(const char *fn, bool receiver, size_t nargs)
{
	const CelRegistry *reg = cel_registry_default();
	const CelSignature *const *cands;
	int			count,
				i;

	if (reg == NULL)
		return false;
	cel_registry_candidates(reg, fn, receiver, &cands, &count);
	for (i = 0; i < count; i++)
		if ((size_t) cands[i]->nparams == nargs ||
			(cands[i]->variadic && nargs + 1 >= (size_t) cands[i]->nparams))
			return true;
	return false;
}

/* A function call, global or on its first operand. */
static bool
print_call(CelOut *o, const FNode *n, int depth)
{
	const char *p;

	for (p = n->op; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
			return fail(o, "unknown operator");
	if (n->noperands > 0 && !has_overload(n->op, false, n->noperands) &&
		has_overload(n->op, true, n->noperands))
	{
		if (!print_wrapped(o, fnode_arg(n, 0), depth))
			return false;
		cel_strbuf_printf(&o->sb, ".%s(", n->op);
		if (!print_args(o, n, 1, depth))
			return false;
		cel_strbuf_putc(&o->sb, ')');
		return true;
	}
	cel_strbuf_printf(&o->sb, "%s(", n->op);
	if (!print_args(o, n, 0, depth))
		return false;
	cel_strbuf_putc(&o->sb, ')');
	return true;
}

/* An and/or of any number of operands. */
static bool
print_logical(CelOut *o, const FNode *n, const char *sep, const char *empty, int depth)
{
	size_t		i;

	if (n->noperands == 0)
	{
		cel_strbuf_puts(&o->sb, empty);
		return true;
	}
	for (i = 0; i < n->noperands; i++)
	{
		if (i > 0)
			cel_strbuf_puts(&o->sb, sep);
		if (!print_wrapped(o, fnode_arg(n, i), depth))
			return false;
	}
	return true;
}

/* A struct: set-field(key, value) entries as a map literal. */
static bool
print_struct(CelOut *o, const FNode *n, int depth)
{
	size_t		i;

	cel_strbuf_putc(&o->sb, '{');
	for (i = 0; i < n->noperands; i++)
	{
		FNode		f;

		if (!fnode_read(fnode_arg(n, i), &f) || f.kind != FN_EXPR ||
			strcmp(f.op, "set-field") != 0 || f.noperands != 2)
			return fail(o, "struct operands must be set-field(key, value)");
		if (i > 0)
			cel_strbuf_puts(&o->sb, ", ");
		if (!print_operand(o, fnode_arg(&f, 0), depth))
			return false;
		cel_strbuf_puts(&o->sb, ": ");
		if (!print_operand(o, fnode_arg(&f, 1), depth))
			return false;
	}
	cel_strbuf_putc(&o->sb, '}');
	return true;
}

/* An expression node. */
static bool
print_expr(CelOut *o, const FNode *n, int depth)
{
	int			i;

	for (i = 0; infix_ops[i].op; i++)
		if (strcmp(n->op, infix_ops[i].op) == 0)
		{
			if (n->noperands != 2)
				return fail(o, "a binary operator needs two operands");
			if (!print_wrapped(o, fnode_arg(n, 0), depth))
				return false;
			cel_strbuf_printf(&o->sb, " %s ", infix_ops[i].cel);
			return print_wrapped(o, fnode_arg(n, 1), depth);
		}
	if (strcmp(n->op, "and") == 0)
		return print_logical(o, n, " && ", "true", depth);
	if (strcmp(n->op, "or") == 0)
		return print_logical(o, n, " || ", "false", depth);
	if (strcmp(n->op, PLANSQL_CHECK_OP) == 0)
		return fail(o, PLANSQL_CHECK_REFUSED);
	if (strcmp(n->op, PLANSQL_ERROR_OP) == 0)
	{
		/* an expression that type-checks and always errs */
		cel_strbuf_puts(&o->sb, "(1 / 0 == 0)");
		return true;
	}
	if (strcmp(n->op, PLANSQL_HAS_OP) == 0)
	{
		if (n->noperands != 1)
			return fail(o, "a unary operator needs one operand");
		cel_strbuf_puts(&o->sb, "has(");
		if (!print_operand(o, fnode_arg(n, 0), depth))
			return false;
		cel_strbuf_putc(&o->sb, ')');
		return true;
	}
	if (strcmp(n->op, "not") == 0 || strcmp(n->op, PLANSQL_CONDITION_OP) == 0)
	{
		if (n->noperands != 1)
			return fail(o, "a unary operator needs one operand");
		if (n->op[0] != 'n')
			return print_operand(o, fnode_arg(n, 0), depth);
		cel_strbuf_putc(&o->sb, '!');
		return print_wrapped(o, fnode_arg(n, 0), depth);
	}
	if (strcmp(n->op, "if") == 0)
	{
		if (n->noperands != 3)
			return fail(o, "if needs three operands");
		if (!print_wrapped(o, fnode_arg(n, 0), depth))
			return false;
		cel_strbuf_puts(&o->sb, " ? ");
		if (!print_wrapped(o, fnode_arg(n, 1), depth))
			return false;
		cel_strbuf_puts(&o->sb, " : ");
		return print_wrapped(o, fnode_arg(n, 2), depth);
	}
	if (strcmp(n->op, "index") == 0)
	{
		if (n->noperands != 2)
			return fail(o, "index needs two operands");
		if (!print_wrapped(o, fnode_arg(n, 0), depth))
			return false;
		cel_strbuf_putc(&o->sb, '[');
		if (!print_operand(o, fnode_arg(n, 1), depth))
			return false;
		cel_strbuf_putc(&o->sb, ']');
		return true;
	}
	if (strcmp(n->op, "list") == 0)
	{
		cel_strbuf_putc(&o->sb, '[');
		if (!print_args(o, n, 0, depth))
			return false;
		cel_strbuf_putc(&o->sb, ']');
		return true;
	}
	if (strcmp(n->op, "struct") == 0)
		return print_struct(o, n, depth);
	if (strcmp(n->op, "get-field") == 0)
	{
		FNode		f;

		if (n->noperands != 2 || !fnode_read(fnode_arg(n, 1), &f) || f.kind != FN_VAR)
			return fail(o, "get-field needs an operand and a field name");
		if (!print_wrapped(o, fnode_arg(n, 0), depth))
			return false;
		if (plansql_is_ident(f.var, strlen(f.var)))
			cel_strbuf_printf(&o->sb, ".%s", f.var);
		else
		{
			cel_strbuf_putc(&o->sb, '[');
			plansql_cel_string(&o->sb, f.var, strlen(f.var));
			cel_strbuf_putc(&o->sb, ']');
		}
		return true;
	}
	if (plansql_is_comprehension(n->op))
		return print_comprehension(o, n, depth);
	if (strcmp(n->op, "lambda") == 0 || strcmp(n->op, "set-field") == 0)
		return fail(o, "lambda and set-field may only appear inside a comprehension or struct");
	return print_call(o, n, depth);
}

/* Prints any operand. */
static bool
print_operand(CelOut *o, const json_t *j, int depth)
{
	FNode		n;

	if (depth > PLANSQL_MAX_DEPTH)
		return fail(o, "the filter is nested too deeply");
	if (!fnode_read(j, &n))
		return fail(o, "an operand must be an expression, a variable or a value");
	switch (n.kind)
	{
		case FN_VAR:
			return print_variable(o, n.var);
		case FN_VALUE:
			if (!plansql_cel_value(&o->sb, n.value, depth))
				return fail(o, "a value is nested too deeply");
			return true;
		case FN_EXPR:
			return print_expr(o, &n, depth + 1);
	}
	return fail(o, "unknown operand");
}

/* The CEL text of a filter's condition operand. */
char *
filter_operand_to_cel(Arena *arena, const json_t *operand, const char **error)
{
	CelOut		o;

	memset(&o, 0, sizeof(o));
	o.arena = arena;
	plansql_buf_init(&o.sb, arena);
	*error = NULL;
	if (!print_operand(&o, operand, 0))
	{
		*error = o.error ? o.error : "cannot print the filter";
		return NULL;
	}
	if (plansql_buf_text(&o.sb) == NULL)
	{
		*error = "out of memory";
		return NULL;
	}
	return plansql_buf_text(&o.sb);
}

/* The filter as CEL source text. */
char *
filter_to_cel(Arena *arena, const json_t *filter, const char **error)
{
	const char *kind;
	const json_t *cond;

	*error = NULL;
	cond = plansql_condition(filter, &kind, error);
	if (cond == NULL)
	{
		if (*error != NULL)
			return NULL;
		return arena_strdup(arena, strcmp(kind, "KIND_ALWAYS_ALLOWED") == 0 ? "true" : "false");
	}
	return filter_operand_to_cel(arena, cond, error);
}
