/*
 * test_cel_eval.c — the evaluator and the standard library on hand-built
 * ASTs, independent of the parser: error absorption in && and ||,
 * qualified-name resolution, optional chaining, comprehensions and their
 * iteration budget, overflow and conversion rules of std.
 */
#include <math.h>
#include <stdarg.h>

#include "cel/cel.h"
#include "cel/cel_std.h"
#include "unit.h"

/* A tiny AST builder over fixed arrays. */
typedef struct Builder
{
	CelExpr		nodes[256];
	int32_t		nnodes;
	int32_t		args[512];
	uint32_t	nargs;
	char		strings[4096];
	uint32_t	slen;
} Builder;

static Builder B;

static void
reset(void)
{
	memset(&B, 0, sizeof(B));
	B.slen = 1;					/* offset 0 is "" */
}

static CelStrRef
str(const char *s)
{
	CelStrRef	r = B.slen;
	size_t		n = strlen(s);

	memcpy(B.strings + B.slen, s, n + 1);
	B.slen += (uint32_t) n + 1;
	return r;
}

static int32_t
node(CelExprKind kind)
{
	CelExpr    *e = &B.nodes[B.nnodes];

	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return B.nnodes++;
}

static int32_t
k_int(int64_t v)
{
	int32_t		n = node(CEL_EXPR_CONST);

	B.nodes[n].u.constant.kind = CEL_CONST_INT;
	B.nodes[n].u.constant.u.i = v;
	return n;
}

static int32_t
k_uint(uint64_t v)
{
	int32_t		n = node(CEL_EXPR_CONST);

	B.nodes[n].u.constant.kind = CEL_CONST_UINT;
	B.nodes[n].u.constant.u.u = v;
	return n;
}

static int32_t
k_double(double v)
{
	int32_t		n = node(CEL_EXPR_CONST);

	B.nodes[n].u.constant.kind = CEL_CONST_DOUBLE;
	B.nodes[n].u.constant.u.d = v;
	return n;
}

static int32_t
k_bool(bool v)
{
	int32_t		n = node(CEL_EXPR_CONST);

	B.nodes[n].u.constant.kind = CEL_CONST_BOOL;
	B.nodes[n].u.constant.u.b = v;
	return n;
}

static int32_t
k_str(const char *s)
{
	int32_t		n = node(CEL_EXPR_CONST);

	B.nodes[n].u.constant.kind = CEL_CONST_STRING;
	B.nodes[n].u.constant.u.str.off = str(s);
	B.nodes[n].u.constant.u.str.len = (uint32_t) strlen(s);
	return n;
}

static int32_t
ident(const char *name)
{
	int32_t		n = node(CEL_EXPR_IDENT);

	B.nodes[n].u.ident.name = str(name);
	return n;
}

static int32_t
sel(int32_t operand, const char *field, int flags)
{
	int32_t		n = node(CEL_EXPR_SELECT);

	B.nodes[n].flags = (uint8_t) flags;
	B.nodes[n].u.select.operand = operand;
	B.nodes[n].u.select.field = str(field);
	return n;
}

/* call(fn, target or -1, nargs, args...) */
static int32_t
call(const char *fn, int32_t target, int nargs,...)
{
	int32_t		n = node(CEL_EXPR_CALL);
	va_list		ap;

	B.nodes[n].u.call.function = str(fn);
	B.nodes[n].u.call.target = target;
	B.nodes[n].u.call.args = B.nargs;
	B.nodes[n].u.call.nargs = (uint32_t) nargs;
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		B.args[B.nargs++] = va_arg(ap, int32_t);
	va_end(ap);
	return n;
}

static int32_t
list(int nelems,...)
{
	int32_t		n = node(CEL_EXPR_LIST);
	va_list		ap;

	B.nodes[n].u.list.elems = B.nargs;
	B.nodes[n].u.list.nelems = (uint32_t) nelems;
	va_start(ap, nelems);
	for (int i = 0; i < nelems; i++)
		B.args[B.nargs++] = va_arg(ap, int32_t);
	va_end(ap);
	return n;
}

/* Single-entry map literal, optionally an optional entry. */
static int32_t
map1(int32_t k, int32_t v, bool optional)
{
	int32_t		n = node(CEL_EXPR_MAP);

	B.nodes[n].u.map.entries = B.nargs;
	B.nodes[n].u.map.nentries = 1;
	B.args[B.nargs++] = k;
	B.args[B.nargs++] = v;
	if (optional)
	{
		B.nodes[n].u.map.optional = B.nargs;
		B.nodes[n].u.map.noptional = 1;
		B.args[B.nargs++] = 0;
	}
	return n;
}

/* range.exists(x, pred) expanded as cel-go expands it. */
static int32_t
exists(int32_t range, const char *var, int32_t pred)
{
	int32_t		n;
	int32_t		init = k_bool(false);
	int32_t		cond = call("@not_strictly_false", -1, 1,
							call("!_", -1, 1, ident("@result")));
	int32_t		step = call("_||_", -1, 2, ident("@result"), pred);
	int32_t		result = ident("@result");

	n = node(CEL_EXPR_COMPREHENSION);
	B.nodes[n].u.comp.iter_var = str(var);
	B.nodes[n].u.comp.iter_range = range;
	B.nodes[n].u.comp.accu_var = str("@result");
	B.nodes[n].u.comp.accu_init = init;
	B.nodes[n].u.comp.loop_cond = cond;
	B.nodes[n].u.comp.loop_step = step;
	B.nodes[n].u.comp.result = result;
	return n;
}

/* range.map(var, f) expanded as cel-go expands it (builds @result + [f]). */
static int32_t
map_macro(int32_t range, const char *var, int32_t f)
{
	int32_t		n;
	int32_t		init = list(0);
	int32_t		cond = k_bool(true);
	int32_t		step = call("_+_", -1, 2, ident("@result"), list(1, f));
	int32_t		result = ident("@result");

	n = node(CEL_EXPR_COMPREHENSION);
	B.nodes[n].u.comp.iter_var = str(var);
	B.nodes[n].u.comp.iter_range = range;
	B.nodes[n].u.comp.accu_var = str("@result");
	B.nodes[n].u.comp.accu_init = init;
	B.nodes[n].u.comp.loop_cond = cond;
	B.nodes[n].u.comp.loop_step = step;
	B.nodes[n].u.comp.result = result;
	return n;
}

typedef struct Vars
{
	const char *names[4];
	CelValue	values[4];
	int			n;
} Vars;

static bool
resolve(void *state, const char *name, CelValue *out)
{
	Vars	   *v = state;

	for (int i = 0; i < v->n; i++)
		if (strcmp(v->names[i], name) == 0)
		{
			*out = v->values[i];
			return true;
		}
	return false;
}

static Arena *arena;
static Vars vars;
static int64_t max_iter;

static CelValue
run(int32_t root)
{
	CelAst		ast;
	CelEvalContext ctx;
	CelActivation act = {resolve, &vars};

	memset(&ast, 0, sizeof(ast));
	ast.nodes = B.nodes;
	ast.nnodes = B.nnodes;
	ast.args = B.args;
	ast.nargs = B.nargs;
	ast.strings = B.strings;
	ast.strings_len = B.slen;
	ast.root = root;
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.max_iterations = max_iter;
	return cel_eval(&ctx, NULL, &ast, &act);
}

static bool
is_int(CelValue v, int64_t i)
{
	return v.kind == CEL_VAL_INT && v.u.i == i;
}

static bool
is_bool(CelValue v, bool b)
{
	return v.kind == CEL_VAL_BOOL && v.u.b == b;
}

static bool
is_err(CelValue v, const char *substr)
{
	return v.kind == CEL_VAL_ERROR && strstr(v.u.err->message, substr) != NULL;
}

static bool
is_str(CelValue v, const char *s)
{
	return v.kind == CEL_VAL_STRING && v.u.str.len == strlen(s) &&
		memcmp(v.u.str.ptr, s, v.u.str.len) == 0;
}

int
main(void)
{
	char		buf[64];

	arena = arena_create(NULL, 0);

	/* arithmetic and overflow */
	reset();
	CHECK(is_int(run(call("_+_", -1, 2, k_int(2), k_int(3))), 5));
	reset();
	CHECK(is_err(run(call("_+_", -1, 2, k_int(INT64_MAX), k_int(1))), "overflow"));
	reset();
	CHECK(is_err(run(call("_-_", -1, 2, k_uint(1), k_uint(2))), "overflow"));
	reset();
	CHECK(is_err(run(call("_/_", -1, 2, k_int(1), k_int(0))), "division by zero"));
	reset();
	CHECK(is_err(run(call("_%_", -1, 2, k_int(1), k_int(0))), "modulus by zero"));
	reset();
	CHECK(is_err(run(call("-_", -1, 1, k_int(INT64_MIN))), "overflow"));
	reset();
	CHECK(is_err(run(call("_+_", -1, 2, k_int(1), k_uint(1))), "no such overload"));

	/* dispatch failures worded as cel-go words them */
	reset();
	{
		CelValue	v = run(call("_<_", -1, 2, call("dyn", -1, 1, list(0)), k_int(1)));

		CHECK(v.kind == CEL_VAL_ERROR && strcmp(v.u.err->message, "no such overload: _<_") == 0);
	}
	reset();
	{
		CelValue	v = run(call("_<_", -1, 2, k_int(1), k_str("a")));

		CHECK(v.kind == CEL_VAL_ERROR && strcmp(v.u.err->message, "no such overload") == 0);
	}
	reset();
	{
		CelValue	v = run(call("int", -1, 1, list(0)));

		CHECK(v.kind == CEL_VAL_ERROR && strcmp(v.u.err->message, "no such overload: int(list)") == 0);
	}

	/* cross-type ordering and equality */
	reset();
	CHECK(is_bool(run(call("_<_", -1, 2, k_int(1), k_double(1.5))), true));
	reset();
	CHECK(is_bool(run(call("_<_", -1, 2, k_int(-1), k_uint(0))), true));
	reset();
	CHECK(is_bool(run(call("_>_", -1, 2, k_uint(UINT64_MAX), k_double(1e19))), true));
	reset();
	CHECK(is_bool(run(call("_<=_", -1, 2, k_double(NAN), k_int(1))), false));

	/* && and || absorb errors from either side */
	reset();
	CHECK(is_bool(run(call("_&&_", -1, 2,
						   call("_/_", -1, 2, k_int(1), k_int(0)), k_bool(false))), false));
	reset();
	CHECK(is_bool(run(call("_||_", -1, 2,
						   call("_/_", -1, 2, k_int(1), k_int(0)), k_bool(true))), true));
	reset();
	CHECK(is_err(run(call("_&&_", -1, 2,
						  call("_/_", -1, 2, k_int(1), k_int(0)), k_bool(true))), "division"));
	reset();
	CHECK(is_err(run(call("_||_", -1, 2, k_int(1), k_bool(false))), "no such overload"));
	/* ?: evaluates only the chosen branch */
	reset();
	CHECK(is_int(run(call("_?_:_", -1, 3, k_bool(true), k_int(1),
						  call("_/_", -1, 2, k_int(1), k_int(0)))), 1));

	/* variables: plain, qualified longest-first, missing key */
	vars.n = 2;
	vars.names[0] = "a.b";
	{
		CelValue	k = cel_string("c", 1);
		CelValue	v = cel_string("yeah", 4);

		vars.values[0] = cel_map_from(arena, &k, &v, 1);
	}
	vars.names[1] = "a.b.c";
	vars.values[1] = cel_string("longest", 7);
	reset();
	CHECK(is_str(run(sel(sel(ident("a"), "b", 0), "c", 0)), "longest"));
	vars.n = 1;
	reset();
	CHECK(is_str(run(sel(sel(ident("a"), "b", 0), "c", 0)), "yeah"));
	reset();
	CHECK(is_err(run(sel(sel(ident("a"), "b", 0), "d", 0)), "no such key"));
	reset();
	CHECK(is_bool(run(sel(sel(ident("a"), "b", 0), "d", CEL_EXPR_F_TEST_ONLY)), false));
	reset();
	CHECK(is_bool(run(sel(sel(ident("a"), "b", 0), "c", CEL_EXPR_F_TEST_ONLY)), true));
	reset();
	CHECK(is_err(run(ident("nope")), "no such attribute"));
	vars.n = 0;

	/* has() on a scalar is false; qualifying by an unusable key is an error */
	reset();
	CHECK(is_bool(run(sel(k_int(1), "f", CEL_EXPR_F_TEST_ONLY)), false));
	reset();
	CHECK(is_err(run(sel(list(1, k_int(1)), "f", CEL_EXPR_F_TEST_ONLY)), "unsupported index type"));
	reset();
	CHECK(is_err(run(call("_[_]", -1, 2, list(1, k_int(1)), list(0))),
				 "invalid qualifier type: *types.baseList"));
	reset();
	CHECK(is_err(run(sel(k_str("s"), "f", 0)), "no such key: f"));
	/* && reports the first non-bool term */
	reset();
	CHECK(is_err(run(call("_&&_", -1, 2, k_int(1), call("_/_", -1, 2, k_int(1), k_int(0)))),
				 "no such overload"));

	/* type denotations */
	reset();
	CHECK(is_bool(run(call("_==_", -1, 2, call("type", -1, 1, k_int(1)), ident("int"))), true));
	reset();
	CHECK(is_bool(run(call("_==_", -1, 2, call("type", -1, 1, k_uint(1)), ident("int"))), false));

	/* optional chaining */
	reset();
	CHECK(is_bool(run(call("hasValue", sel(map1(k_str("k"), k_int(1), false), "x",
											CEL_EXPR_F_OPTIONAL), 0)), false));
	reset();
	CHECK(is_int(run(call("value", sel(map1(k_str("k"), k_int(7), false), "k",
										 CEL_EXPR_F_OPTIONAL), 0)), 7));
	reset();
	CHECK(is_int(run(call("orValue", call("_[?_]", -1, 2, list(1, k_int(5)), k_int(3)),
						  1, k_int(9))), 9));
	reset();
	/* {?'k': optional.none()} is empty */
	{
		CelValue	v = run(map1(k_str("k"), call("none", ident("optional"), 0), true));

		CHECK(v.kind == CEL_VAL_MAP && v.u.map->len == 0);
	}
	reset();
	/* or() does not evaluate its argument when the receiver has a value */
	CHECK(is_int(run(call("value", call("or", call("of", ident("optional"), 1, k_int(1)), 1,
											call("_/_", -1, 2, k_int(1), k_int(0))), 0)), 1));

	/* comprehensions: exists absorbs an error when a later element is true */
	reset();
	CHECK(is_bool(run(exists(list(2, k_int(0), k_int(2)), "x",
							 call("_==_", -1, 2, call("_/_", -1, 2, k_int(2), ident("x")),
								  k_int(1)))), true));
	reset();
	CHECK(is_err(run(exists(list(2, k_int(0), k_int(3)), "x",
							call("_==_", -1, 2, call("_/_", -1, 2, k_int(2), ident("x")),
								 k_int(1)))), "division"));
	max_iter = 1;
	reset();
	CHECK(is_err(run(exists(list(2, k_int(1), k_int(2)), "x",
							call("_==_", -1, 2, ident("x"), k_int(5)))), "limit"));
	max_iter = 0;

	/* list-building comprehensions append in place and stay correct */
	reset();
	{
		int32_t		range = list(0);
		CelValue	items[20];
		CelValue	v;

		for (int i = 0; i < 20; i++)
			items[i] = cel_int(i);
		vars.n = 1;
		vars.names[0] = "xs";
		vars.values[0] = cel_list_from(arena, items, 20);
		(void) range;
		v = run(map_macro(ident("xs"), "x", call("_*_", -1, 2, ident("x"), k_int(2))));
		CHECK(v.kind == CEL_VAL_LIST && v.u.list->len == 20);
		CHECK(v.kind == CEL_VAL_LIST && is_int(v.u.list->items[19], 38) &&
			  is_int(v.u.list->items[0], 0));
		/* nested: each inner map builds its own list */
		reset();
		v = run(map_macro(ident("xs"), "x",
						  map_macro(list(2, k_int(1), k_int(2)), "y",
									call("_+_", -1, 2, ident("x"), ident("y")))));
		CHECK(v.kind == CEL_VAL_LIST && v.u.list->len == 20 &&
			  v.u.list->items[5].kind == CEL_VAL_LIST &&
			  v.u.list->items[5].u.list->len == 2 &&
			  is_int(v.u.list->items[5].u.list->items[1], 7));
		vars.n = 0;
	}

	/* conversions */
	reset();
	CHECK(is_err(run(call("int", -1, 1, k_double(9223372036854775807.0))), "overflow"));
	reset();
	CHECK(is_int(run(call("int", -1, 1, k_double(-3.5))), -3));
	reset();
	CHECK(is_int(run(call("int", -1, 1, k_str("-42"))), -42));
	reset();
	CHECK(run(call("int", -1, 1, k_str("4 2"))).kind == CEL_VAL_ERROR);
	reset();
	CHECK(is_err(run(call("int", -1, 1, k_str("9223372036854775808"))),
				 "type conversion error from 'string' to 'int'"));
	reset();
	CHECK(is_int(run(call("int", -1, 1, k_str("-9223372036854775808"))), INT64_MIN));
	reset();
	CHECK(is_str(run(call("string", -1, 1, k_double(-4.5e-3))), "-0.0045"));
	reset();
	CHECK(is_bool(run(call("bool", -1, 1, k_str("TRUE"))), true));
	reset();
	CHECK(run(call("bool", -1, 1, k_str("TrUe"))).kind == CEL_VAL_ERROR);
	reset();
	CHECK(is_int(run(call("size", -1, 1, k_str("\xc3\xbf" "a"))), 2));
	reset();
	/* namespaced global written as a member call on an unbound name */
	CHECK(is_bool(run(call("hasValue", call("of", ident("optional"), 1, k_int(0)), 0)), true));

	/* Go number formatting and parsing */
	cel_format_double(1e6, buf, sizeof(buf));
	CHECK_STR(buf, "1e+06");
	cel_format_double(123456, buf, sizeof(buf));
	CHECK_STR(buf, "123456");
	cel_format_double(0.1, buf, sizeof(buf));
	CHECK_STR(buf, "0.1");
	cel_format_double(1e-5, buf, sizeof(buf));
	CHECK_STR(buf, "1e-05");
	cel_format_double(-INFINITY, buf, sizeof(buf));
	CHECK_STR(buf, "-Inf");
	{
		double		d;

		CHECK(cel_parse_go_float("1e3", 3, &d) && d == 1000);
		CHECK(!cel_parse_go_float(" 1", 2, &d));
		CHECK(!cel_parse_go_float("1e400", 5, &d));
		CHECK(cel_parse_go_float("-Inf", 4, &d) && isinf(d) && d < 0);
		CHECK(!cel_parse_go_float("0x1", 3, &d));
		CHECK(cel_parse_go_float("1_000", 5, &d) && d == 1000);
		CHECK(!cel_parse_go_float("1__0", 4, &d));
		CHECK(!cel_parse_go_float("_1", 2, &d));
		CHECK(cel_parse_go_float("0x_1p4", 6, &d) && d == 16);
	}
	CHECK(cel_utf8_valid("\xc3\xbf", 2));
	CHECK(!cel_utf8_valid("\xff", 1));
	CHECK(!cel_utf8_valid("\xc3", 1));

	arena_destroy(arena);
	UNIT_DONE("cel_eval");
}
