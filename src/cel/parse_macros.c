/*
 * parse_macros.c — macro expansion at parse time, with the shapes cel-go
 * v0.30 produces so that error absorption and iteration order match.
 *
 * Standard macros: has, all, exists, exists_one, map (2 and 3 arguments),
 * filter.  Extensions Cerbos enables: two-variable comprehensions (all,
 * exists, existsOne/exists_one, transformList, transformMap,
 * transformMapEntry), cel.bind, optMap/optFlatMap, sortBy (ext.Lists) and
 * math.greatest/math.least (ext.Math).  A comprehension's accumulator is
 * "@result", which user expressions cannot name.
 *
 * Every node a macro creates takes the offset of the call being expanded
 * (its '('), as cel-go's macro helper does.
 */
#include "cel_parser.h"

#include <stdio.h>
#include <string.h>

/*
 * The identifier name of node r, or NULL if it is not a plain ident.  A
 * copy: the string pool moves when it grows, and a macro adds strings
 * (function names) before it stores the names it was given.
 */
static const char *
ident_name(CelParser *p, CelNodeRef r)
{
	const char *name;

	if (r < 0 || p->nodes[r].kind != CEL_EXPR_IDENT)
		return NULL;
	name = arena_strdup(p->arena, p->strings + p->nodes[r].u.ident.name);
	if (name == NULL)
	{
		if (!p->fatal)
			cel_parse_error(p, 0, "out of memory");
		p->fatal = true;
	}
	return name;
}

/* A reference to the accumulator variable. */
static CelNodeRef
accu(CelParser *p, int32_t off)
{
	return cel_pmk_ident(p, off, CEL_ACCU_NAME);
}

/* Global calls with one, two and three arguments. */
static CelNodeRef
call1(CelParser *p, int32_t off, const char *fn, CelNodeRef a)
{
	return cel_pmk_call(p, off, CEL_NO_NODE, fn, &a, 1);
}

/* A global call with two arguments. */
static CelNodeRef
call2(CelParser *p, int32_t off, const char *fn, CelNodeRef a, CelNodeRef b)
{
	CelNodeRef	args[2] = {a, b};

	return cel_pmk_call(p, off, CEL_NO_NODE, fn, args, 2);
}

/* A global call with three arguments. */
static CelNodeRef
call3(CelParser *p, int32_t off, const char *fn, CelNodeRef a, CelNodeRef b,
	  CelNodeRef c)
{
	CelNodeRef	args[3] = {a, b, c};

	return cel_pmk_call(p, off, CEL_NO_NODE, fn, args, 3);
}

/* Reports a macro error at the offset of node r. */
static bool
macro_error(CelParser *p, CelNodeRef r, int32_t off, const char *msg,
			CelNodeRef *out)
{
	cel_parse_error(p, r >= 0 ? p->nodes[r].offset : off, "%s", msg);
	*out = CEL_NO_NODE;
	return true;
}

typedef enum Quantifier
{
	Q_ALL,
	Q_EXISTS,
	Q_EXISTS_ONE
} Quantifier;

/* all / exists / exists_one over one or two iteration variables. */
static CelNodeRef
quantifier(CelParser *p, int32_t off, Quantifier q, CelNodeRef target,
		   const char *v1, const char *v2, CelNodeRef pred)
{
	CelNodeRef	init,
				cond,
				step,
				result;

	switch (q)
	{
		case Q_ALL:
			init = cel_pmk_bool(p, off, true);
			cond = call1(p, off, "@not_strictly_false", accu(p, off));
			step = call2(p, off, "_&&_", accu(p, off), pred);
			result = accu(p, off);
			break;
		case Q_EXISTS:
			init = cel_pmk_bool(p, off, false);
			cond = call1(p, off, "@not_strictly_false",
						 call1(p, off, "!_", accu(p, off)));
			step = call2(p, off, "_||_", accu(p, off), pred);
			result = accu(p, off);
			break;
		default:
			init = cel_pmk_int(p, off, 0);
			cond = cel_pmk_bool(p, off, true);
			step = call3(p, off, "_?_:_", pred,
						 call2(p, off, "_+_", accu(p, off), cel_pmk_int(p, off, 1)),
						 accu(p, off));
			result = call2(p, off, "_==_", accu(p, off), cel_pmk_int(p, off, 1));
			break;
	}
	return cel_pmk_comprehension(p, off, target, v1, v2, CEL_ACCU_NAME, init, cond,
								 step, result);
}

/* map(v, [filter,] fn) over range (cel-go's MakeMap). */
static bool
make_map(CelParser *p, int32_t off, CelNodeRef range, const CelNodeRef *args,
		 uint32_t nargs, CelNodeRef *out)
{
	const char *v = ident_name(p, args[0]);
	CelNodeRef	fn = nargs == 3 ? args[2] : args[1];
	CelNodeRef	step;
	CelNodeRef	elem;

	if (v == NULL)
		return macro_error(p, args[0], off, "argument is not an identifier", out);
	if (strcmp(v, CEL_ACCU_NAME) == 0 || strcmp(v, "__result__") == 0)
		return macro_error(p, args[0], off,
						   "iteration variable overwrites accumulator variable", out);
	elem = cel_pmk_list(p, off, &fn, 1);
	step = call2(p, off, "_+_", accu(p, off), elem);
	if (nargs == 3)
		step = call3(p, off, "_?_:_", args[1], step, accu(p, off));
	*out = cel_pmk_comprehension(p, off, range, v, NULL, CEL_ACCU_NAME,
								 cel_pmk_list(p, off, NULL, 0),
								 cel_pmk_bool(p, off, true), step, accu(p, off));
	return true;
}

/* Both iteration variables of a two-variable macro, checked as cel-go. */
static bool
iter_vars(CelParser *p, int32_t off, const CelNodeRef *args, const char **v1,
		  const char **v2, CelNodeRef *out)
{
	*v1 = ident_name(p, args[0]);
	if (*v1 == NULL)
		return !macro_error(p, args[0], off, "argument must be a simple name", out);
	*v2 = ident_name(p, args[1]);
	if (*v2 == NULL)
		return !macro_error(p, args[1], off, "argument must be a simple name", out);
	if (strcmp(*v1, *v2) == 0)
	{
		cel_parse_error(p, p->nodes[args[1]].offset, "duplicate variable name: %s", *v1);
		*out = CEL_NO_NODE;
		return false;
	}
	if (strcmp(*v1, CEL_ACCU_NAME) == 0 || strcmp(*v1, "__result__") == 0)
		return !macro_error(p, args[0], off,
							"iteration variable overwrites accumulator variable", out);
	if (strcmp(*v2, CEL_ACCU_NAME) == 0 || strcmp(*v2, "__result__") == 0)
		return !macro_error(p, args[1], off,
							"iteration variable overwrites accumulator variable", out);
	return true;
}

/* Whether a numeric literal or a non-literal expression (ext.Math). */
static bool
math_arg_ok(CelParser *p, CelNodeRef r)
{
	const CelExpr *e = &p->nodes[r];

	switch (e->kind)
	{
		case CEL_EXPR_CONST:
			return e->u.constant.kind == CEL_CONST_INT ||
				e->u.constant.kind == CEL_CONST_UINT ||
				e->u.constant.kind == CEL_CONST_DOUBLE;
		case CEL_EXPR_LIST:
		case CEL_EXPR_MAP:
		case CEL_EXPR_STRUCT:
			return false;
		default:
			return true;
	}
}

/* math.greatest / math.least -> math.@max / math.@min. */
static bool
math_minmax(CelParser *p, int32_t off, CelNodeRef target, bool greatest,
			const CelNodeRef *args, uint32_t nargs, CelNodeRef *out)
{
	const char *name = greatest ? "math.greatest()" : "math.least()";
	const char *fn = greatest ? "math.@max" : "math.@min";
	char		msg[128];

	if (nargs == 0)
	{
		snprintf(msg, sizeof(msg), "%s requires at least one argument", name);
		return macro_error(p, target, off, msg, out);
	}
	if (nargs == 1)
	{
		const CelExpr *e = &p->nodes[args[0]];
		bool		ok = math_arg_ok(p, args[0]);

		if (e->kind == CEL_EXPR_LIST && e->u.list.nelems > 0)
		{
			ok = true;
			for (uint32_t i = 0; i < e->u.list.nelems; i++)
				if (!math_arg_ok(p, p->args[e->u.list.elems + i]))
					ok = false;
		}
		if (!ok)
		{
			snprintf(msg, sizeof(msg), "%s invalid single argument value", name);
			return macro_error(p, args[0], off, msg, out);
		}
		*out = call1(p, off, fn, args[0]);
		return true;
	}
	for (uint32_t i = 0; i < nargs; i++)
		if (!math_arg_ok(p, args[i]))
		{
			snprintf(msg, sizeof(msg), "%s simple literal arguments must be numeric", name);
			return macro_error(p, args[i], off, msg, out);
		}
	if (nargs == 2)
		*out = call2(p, off, fn, args[0], args[1]);
	else
		*out = call1(p, off, fn, cel_pmk_list(p, off, args, nargs));
	return true;
}

/* cel.bind(v, init, body) and the optMap/optFlatMap bodies: a one-shot fold. */
static CelNodeRef
bind_fold(CelParser *p, int32_t off, const char *var, CelNodeRef init,
		  CelNodeRef body)
{
	return cel_pmk_comprehension(p, off, cel_pmk_list(p, off, NULL, 0),
								 CEL_UNUSED_ITER, NULL, var, init,
								 cel_pmk_bool(p, off, false),
								 cel_pmk_ident(p, off, var), body);
}

/* Expands the macro a call names, if any (see cel_parser.h). */
bool
cel_expand_macro(CelParser *p, int32_t off, CelNodeRef target,
				 const char *function, const CelNodeRef *args, uint32_t nargs,
				 CelNodeRef *out)
{
	const char *tname = target >= 0 ? ident_name(p, target) : NULL;

	*out = CEL_NO_NODE;
	if (target < 0)
	{
		if (strcmp(function, "has") == 0 && nargs == 1)
		{
			const CelExpr *a = &p->nodes[args[0]];
			CelNodeRef	r;

			if (a->kind != CEL_EXPR_SELECT)
				return macro_error(p, args[0], off, "invalid argument to has() macro", out);
			r = cel_pnode(p, CEL_EXPR_SELECT, off);
			if (r >= 0)
			{
				p->nodes[r] = p->nodes[args[0]];
				p->nodes[r].offset = off;
				p->nodes[r].flags |= CEL_EXPR_F_TEST_ONLY;
				p->height[r] = p->height[args[0]];
			}
			*out = r;
			return true;
		}
		return false;
	}

	/* namespaced macros written as member calls on a bare identifier */
	if (tname != NULL && strcmp(tname, "cel") == 0 && strcmp(function, "bind") == 0 &&
		nargs == 3)
	{
		const char *v = ident_name(p, args[0]);

		if (v == NULL)
			return macro_error(p, args[0], off,
							   "cel.bind() variable names must be simple identifiers", out);
		*out = bind_fold(p, off, v, args[1], args[2]);
		return true;
	}
	if (tname != NULL && strcmp(tname, "math") == 0 &&
		(strcmp(function, "greatest") == 0 || strcmp(function, "least") == 0))
		return math_minmax(p, off, target, function[0] == 'g', args, nargs, out);

	if (nargs == 2 && (strcmp(function, "all") == 0 || strcmp(function, "exists") == 0 ||
					   strcmp(function, "exists_one") == 0))
	{
		const char *v = ident_name(p, args[0]);
		Quantifier	q = function[0] == 'a' ? Q_ALL :
			strcmp(function, "exists") == 0 ? Q_EXISTS : Q_EXISTS_ONE;

		if (v == NULL)
			return macro_error(p, args[0], off, "argument must be a simple name", out);
		if (strcmp(v, CEL_ACCU_NAME) == 0 || strcmp(v, "__result__") == 0)
			return macro_error(p, args[0], off,
							   "iteration variable overwrites accumulator variable", out);
		*out = quantifier(p, off, q, target, v, NULL, args[1]);
		return true;
	}
	if (nargs == 3 && (strcmp(function, "all") == 0 || strcmp(function, "exists") == 0 ||
					   strcmp(function, "existsOne") == 0 ||
					   strcmp(function, "exists_one") == 0))
	{
		const char *v1;
		const char *v2;
		Quantifier	q = function[0] == 'a' ? Q_ALL :
			strcmp(function, "exists") == 0 ? Q_EXISTS : Q_EXISTS_ONE;

		if (!iter_vars(p, off, args, &v1, &v2, out))
			return true;
		*out = quantifier(p, off, q, target, v1, v2, args[2]);
		return true;
	}
	if ((nargs == 2 || nargs == 3) && strcmp(function, "map") == 0)
		return make_map(p, off, target, args, nargs, out);
	if (nargs == 2 && strcmp(function, "filter") == 0)
	{
		const char *v = ident_name(p, args[0]);
		CelNodeRef	step;
		CelNodeRef	elem;

		if (v == NULL)
			return macro_error(p, args[0], off, "argument is not an identifier", out);
		if (strcmp(v, CEL_ACCU_NAME) == 0 || strcmp(v, "__result__") == 0)
			return macro_error(p, args[0], off,
							   "iteration variable overwrites accumulator variable", out);
		elem = cel_pmk_list(p, off, &args[0], 1);
		step = call2(p, off, "_+_", accu(p, off), elem);
		step = call3(p, off, "_?_:_", args[1], step, accu(p, off));
		*out = cel_pmk_comprehension(p, off, target, v, NULL, CEL_ACCU_NAME,
									 cel_pmk_list(p, off, NULL, 0),
									 cel_pmk_bool(p, off, true), step, accu(p, off));
		return true;
	}
	if ((nargs == 3 || nargs == 4) &&
		(strcmp(function, "transformList") == 0 || strcmp(function, "transformMap") == 0 ||
		 strcmp(function, "transformMapEntry") == 0))
	{
		const char *v1;
		const char *v2;
		CelNodeRef	transform = nargs == 4 ? args[3] : args[2];
		CelNodeRef	step;
		CelNodeRef	init;

		if (!iter_vars(p, off, args, &v1, &v2, out))
			return true;
		if (strcmp(function, "transformList") == 0)
		{
			step = call2(p, off, "_+_", accu(p, off), cel_pmk_list(p, off, &transform, 1));
			init = cel_pmk_list(p, off, NULL, 0);
		}
		else if (strcmp(function, "transformMap") == 0)
		{
			step = call3(p, off, "cel.@mapInsert", accu(p, off),
						 cel_pmk_ident(p, off, v1), transform);
			init = cel_pmk_map(p, off);
		}
		else
		{
			step = call2(p, off, "cel.@mapInsert", accu(p, off), transform);
			init = cel_pmk_map(p, off);
		}
		if (nargs == 4)
			step = call3(p, off, "_?_:_", args[2], step, accu(p, off));
		*out = cel_pmk_comprehension(p, off, target, v1, v2, CEL_ACCU_NAME, init,
									 cel_pmk_bool(p, off, true), step, accu(p, off));
		return true;
	}
	if (nargs == 2 && (strcmp(function, "optMap") == 0 || strcmp(function, "optFlatMap") == 0))
	{
		bool		flat = function[3] == 'F';
		const char *v = ident_name(p, args[0]);
		CelNodeRef	has;
		CelNodeRef	value;
		CelNodeRef	fold;
		CelNodeRef	copy;

		if (v == NULL)
			return macro_error(p, args[0], off, flat ?
							   "optFlatMap() variable name must be a simple identifier" :
							   "optMap() variable name must be a simple identifier", out);
		copy = cel_pcopy(p, target);
		has = cel_pmk_call(p, off, target, "hasValue", NULL, 0);
		value = cel_pmk_call(p, off, copy, "value", NULL, 0);
		fold = bind_fold(p, off, v, value, args[1]);
		if (!flat)
			fold = call1(p, off, "optional.of", fold);
		*out = call3(p, off, "_?_:_", has, fold,
					 cel_pmk_call(p, off, CEL_NO_NODE, "optional.none", NULL, 0));
		return true;
	}
	if (nargs == 2 && strcmp(function, "sortBy") == 0)
	{
		const char *input = "@__sortBy_input__";
		CelExprKind k = (CelExprKind) p->nodes[target].kind;
		CelNodeRef	mapped;
		CelNodeRef	call;

		if (k != CEL_EXPR_LIST && k != CEL_EXPR_SELECT && k != CEL_EXPR_IDENT &&
			k != CEL_EXPR_COMPREHENSION && k != CEL_EXPR_CALL)
			return macro_error(p, target, off,
							   "sortBy can only be applied to a list, identifier, comprehension, call or select expression",
							   out);
		if (!make_map(p, off, cel_pmk_ident(p, off, input), args, 2, &mapped))
			return false;
		if (mapped < 0)
			return true;
		call = cel_pmk_call(p, off, cel_pmk_ident(p, off, input), "@sortByAssociatedKeys",
							&mapped, 1);
		*out = cel_pmk_comprehension(p, off, cel_pmk_list(p, off, NULL, 0),
									 CEL_UNUSED_ITER, NULL, input, target,
									 cel_pmk_bool(p, off, false),
									 cel_pmk_ident(p, off, input), call);
		return true;
	}
	return false;
}
