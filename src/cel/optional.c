/*
 * optional.c — cel-go's optional types library (cel.OptionalTypes).
 *
 * optional.of / ofNonZeroValue / none, hasValue, value, or, orValue,
 * optional.unwrap / unwrapOpt, and the signatures of the optional-chaining
 * operators (_?._, _[?_], and _[_] on optionals) so the checker can type
 * them.  The evaluator (eval.c) performs the chaining itself and
 * short-circuits or/orValue as cel-go's planner does, so the impls of those
 * rows only run for dynamic calls that reach them directly.
 */
#include "cel_func.h"

#include <string.h>

#define A (ctx->arena)

/* cel-go's IsZeroValue for the kinds CEL values take. */
static bool
is_zero_value(CelValue v)
{
	switch (v.kind)
	{
		case CEL_VAL_NULL:
			return true;
		case CEL_VAL_BOOL:
			return !v.u.b;
		case CEL_VAL_INT:
			return v.u.i == 0;
		case CEL_VAL_UINT:
			return v.u.u == 0;
		case CEL_VAL_DOUBLE:
			return v.u.d == 0;
		case CEL_VAL_STRING:
		case CEL_VAL_BYTES:
			return v.u.str.len == 0;
		case CEL_VAL_LIST:
			return v.u.list->len == 0;
		case CEL_VAL_MAP:
			return v.u.map->len == 0;
		case CEL_VAL_DURATION:
			return v.u.dur == 0;
		case CEL_VAL_TIMESTAMP:
			return v.u.ts.sec == 0 && v.u.ts.nsec == 0;
		case CEL_VAL_OPTIONAL:
			return v.u.opt == NULL;
		default:
			return false;
	}
}

static CelValue
opt_of(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_optional_of(A, a[0]);
}

static CelValue
opt_of_non_zero(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (is_zero_value(a[0]))
		return cel_optional_none();
	return cel_optional_of(A, a[0]);
}

static CelValue
opt_none(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_optional_none();
}

static CelValue
opt_has_value(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_bool(a[0].u.opt != NULL);
}

static CelValue
opt_value(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[0].u.opt == NULL)
		return cel_error(A, "optional.none() dereference");
	return *a[0].u.opt;
}

static CelValue
opt_or(CelEvalContext *ctx, const CelValue *a, int n)
{
	return a[0].u.opt != NULL ? a[0] : a[1];
}

static CelValue
opt_or_value(CelEvalContext *ctx, const CelValue *a, int n)
{
	return a[0].u.opt != NULL ? *a[0].u.opt : a[1];
}

/* optional.unwrap(list): the values of the non-empty optionals. */
static CelValue
opt_unwrap(CelEvalContext *ctx, const CelValue *a, int n)
{
	const CelList *l = a[0].u.list;
	CelValue   *items = arena_alloc(A, sizeof(CelValue) * (l->len ? l->len : 1));
	size_t		count = 0;

	if (items == NULL)
		return cel_error(A, "out of memory");
	for (size_t i = 0; i < l->len; i++)
	{
		if (l->items[i].kind != CEL_VAL_OPTIONAL)
			return cel_error_no_such_overload(A, "optional.unwrap");
		if (l->items[i].u.opt != NULL)
			items[count++] = *l->items[i].u.opt;
	}
	return cel_list_from(A, items, count);
}

/* x.?f / x[?k] / optional[k] when called directly (eval.c normally). */
static CelValue
opt_select_or_index(CelEvalContext *ctx, const CelValue *a, int n)
{
	CelValue	obj = a[0];
	CelValue	out;

	if (obj.kind == CEL_VAL_OPTIONAL)
	{
		if (obj.u.opt == NULL)
			return obj;
		obj = *obj.u.opt;
	}
	if (obj.kind == CEL_VAL_MAP)
		return cel_map_get(obj.u.map, a[1], &out) ? cel_optional_of(A, out) :
			cel_optional_none();
	if (obj.kind == CEL_VAL_LIST && a[1].kind == CEL_VAL_INT)
	{
		if (a[1].u.i < 0 || (uint64_t) a[1].u.i >= obj.u.list->len)
			return cel_optional_none();
		return cel_optional_of(A, obj.u.list->items[a[1].u.i]);
	}
	return cel_optional_none();
}

static const CelOverload optional_overloads[] = {
	{"optional_of", "optional.of(A) -> optional_type(A)", opt_of, 0},
	{"optional_ofNonZeroValue", "optional.ofNonZeroValue(A) -> optional_type(A)",
	opt_of_non_zero, 0},
	{"optional_none", "optional.none() -> optional_type(A)", opt_none, 0},
	{"optional_hasValue", "optional_type(A).hasValue() -> bool", opt_has_value, 0},
	{"optional_value", "optional_type(A).value() -> A", opt_value, 0},
	{"optional_or_optional", "optional_type(A).or(optional_type(A)) -> optional_type(A)",
	opt_or, 0},
	{"optional_orValue_value", "optional_type(A).orValue(A) -> A", opt_or_value, 0},
	{"optional_unwrap", "optional.unwrap(list(optional_type(A))) -> list(A)", opt_unwrap, 0},
	{"optional_unwrapOpt", "list(optional_type(A)).unwrapOpt() -> list(A)", opt_unwrap, 0},
	{"select_optional_field", "_?._(dyn, string) -> optional_type(dyn)",
	opt_select_or_index, 0},
	{"list_optindex_optional_int", "_[?_](list(A), int) -> optional_type(A)",
	opt_select_or_index, 0},
	{"optional_list_optindex_optional_int",
		"_[?_](optional_type(list(A)), int) -> optional_type(A)", opt_select_or_index, 0},
	{"map_optindex_optional_value", "_[?_](map(K, V), K) -> optional_type(V)",
	opt_select_or_index, 0},
	{"optional_map_optindex_optional_value",
		"_[?_](optional_type(map(K, V)), K) -> optional_type(V)", opt_select_or_index, 0},
	{"optional_list_index_int", "_[_](optional_type(list(A)), int) -> optional_type(A)",
	opt_select_or_index, 0},
	{"optional_map_index_value", "_[_](optional_type(map(K, V)), K) -> optional_type(V)",
	opt_select_or_index, 0},
};

const CelLibrary cel_lib_optional = {
	"optional", optional_overloads,
	(int) (sizeof(optional_overloads) / sizeof(optional_overloads[0]))
};
