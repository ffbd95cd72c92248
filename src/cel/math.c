/*
 * math.c — cel-go's ext.Math library as Cerbos 0.55 enables it (version 2:
 * greatest/least, rounding, abs, sign, the floating point predicates, the
 * bitwise functions and sqrt).
 *
 * math.greatest(...) and math.least(...) are macros in cel-go: the parser
 * rewrites them into calls of the hidden functions "math.@max" and
 * "math.@min" (one argument as is, two arguments as a pair, more as a list
 * literal).  This file implements those hidden functions; the macro itself
 * belongs to the parser.
 *
 * Comparisons across int, uint and double follow cel-go's Compare: exact
 * between the integer kinds, through double otherwise, and NaN cannot be
 * ordered.  Ties keep the earlier argument, so math.greatest(1, 1.0) is the
 * int 1.
 */
#include "cel_func.h"

#include <math.h>

/* Whether v is an int, uint or double. */
static bool
is_number(CelValue v)
{
	return v.kind == CEL_VAL_INT || v.kind == CEL_VAL_UINT ||
		v.kind == CEL_VAL_DOUBLE;
}

/* Orders a double against another value the way cel-go's Compare does. */
static int
cmp_double(double a, double b)
{
	return a < b ? -1 : (a > b ? 1 : 0);
}

/*
 * Compares two numbers: -1, 0 or 1; false when they cannot be ordered
 * (NaN, or a non-number).
 */
static bool
compare_numbers(CelValue a, CelValue b, int *out)
{
	if (!is_number(a) || !is_number(b))
		return false;
	if ((a.kind == CEL_VAL_DOUBLE && isnan(a.u.d)) ||
		(b.kind == CEL_VAL_DOUBLE && isnan(b.u.d)))
		return false;
	if (a.kind == CEL_VAL_DOUBLE && b.kind == CEL_VAL_DOUBLE)
		*out = cmp_double(a.u.d, b.u.d);
	else if (a.kind == CEL_VAL_DOUBLE)
	{
		if (!compare_numbers(b, a, out))
			return false;
		*out = -*out;
	}
	else if (b.kind == CEL_VAL_DOUBLE)
	{
		double		d = b.u.d;

		if (a.kind == CEL_VAL_INT)
		{
			if (d < -9223372036854775808.0)
				*out = 1;
			else if (d > 9223372036854775807.0)
				*out = -1;
			else
				*out = cmp_double((double) a.u.i, d);
		}
		else
		{
			if (d < 0)
				*out = 1;
			else if (d > 18446744073709551615.0)
				*out = -1;
			else
				*out = cmp_double((double) a.u.u, d);
		}
	}
	else if (a.kind == CEL_VAL_INT && b.kind == CEL_VAL_INT)
		*out = a.u.i < b.u.i ? -1 : (a.u.i > b.u.i);
	else if (a.kind == CEL_VAL_UINT && b.kind == CEL_VAL_UINT)
		*out = a.u.u < b.u.u ? -1 : (a.u.u > b.u.u);
	else if (a.kind == CEL_VAL_INT)
		*out = a.u.i < 0 ? -1 : ((uint64_t) a.u.i < b.u.u ? -1 : ((uint64_t) a.u.i > b.u.u));
	else
		*out = b.u.i < 0 ? 1 : (a.u.u < (uint64_t) b.u.i ? -1 : (a.u.u > (uint64_t) b.u.i));
	return true;
}

/* math.@max(x) / math.@min(x) for a single number: the number itself. */
static CelValue
math_identity(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return args[0];
}

/* Shared pair body: the greater (want 1) or lesser (want -1) argument. */
static CelValue
pick_pair(CelEvalContext *ctx, const CelValue *args, int want, const char *fn)
{
	int			c;

	if (!compare_numbers(args[0], args[1], &c))
	{
		if (is_number(args[0]) && is_number(args[1]))
			return cel_error(ctx->arena, "NaN values cannot be ordered: %s", fn);
		return cel_error(ctx->arena, "no such overload: %s", fn);
	}
	return c == -want ? args[1] : args[0];
}

/* math.@max(a, b) */
static CelValue
math_max_pair(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return pick_pair(ctx, args, 1, "math.@max");
}

/* math.@min(a, b) */
static CelValue
math_min_pair(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return pick_pair(ctx, args, -1, "math.@min");
}

/* Shared list body of math.@max/@min over a list of numbers. */
static CelValue
pick_list(CelEvalContext *ctx, const CelList *list, int want, const char *fn)
{
	CelValue	best;

	if (list->len == 0)
		return cel_error(ctx->arena, "%s(list) argument must not be empty", fn);
	best = list->items[0];
	if (!is_number(best))
		return cel_error(ctx->arena, "no such overload: %s(list)", fn);
	for (size_t i = 1; i < list->len; i++)
	{
		int			c;

		if (!compare_numbers(best, list->items[i], &c))
			return cel_error(ctx->arena, "no such overload: %s", fn);
		if (c == -want)
			best = list->items[i];
	}
	return best;
}

/* math.@max(list) */
static CelValue
math_max_list(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return pick_list(ctx, args[0].u.list, 1, "math.@max");
}

/* math.@min(list) */
static CelValue
math_min_list(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return pick_list(ctx, args[0].u.list, -1, "math.@min");
}

/* math.ceil(double) */
static CelValue
math_ceil(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_double(ceil(args[0].u.d));
}

/* math.floor(double) */
static CelValue
math_floor(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_double(floor(args[0].u.d));
}

/* math.round(double): halves away from zero, as Go's math.Round. */
static CelValue
math_round(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_double(round(args[0].u.d));
}

/* math.trunc(double) */
static CelValue
math_trunc(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_double(trunc(args[0].u.d));
}

/* math.isInf(double) */
static CelValue
math_is_inf(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(isinf(args[0].u.d));
}

/* math.isNaN(double) */
static CelValue
math_is_nan(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(isnan(args[0].u.d));
}

/* math.isFinite(double) */
static CelValue
math_is_finite(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(isfinite(args[0].u.d));
}

/* math.abs(double) */
static CelValue
math_abs_double(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_double(fabs(args[0].u.d));
}

/* math.abs(int): the most negative int has no absolute value. */
static CelValue
math_abs_int(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	int64_t		v = args[0].u.i;

	if (v == INT64_MIN)
		return cel_error(ctx->arena, "integer overflow");
	return cel_int(v < 0 ? -v : v);
}

/* math.sign(double): NaN stays NaN, zero of either sign gives 0. */
static CelValue
math_sign_double(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	double		d = args[0].u.d;

	if (isnan(d))
		return args[0];
	return cel_double(d > 0 ? 1.0 : (d < 0 ? -1.0 : 0.0));
}

/* math.sign(int) */
static CelValue
math_sign_int(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	int64_t		v = args[0].u.i;

	return cel_int(v > 0 ? 1 : (v < 0 ? -1 : 0));
}

/* math.sign(uint) */
static CelValue
math_sign_uint(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_uint(args[0].u.u ? 1 : 0);
}

/* math.sqrt(number): NaN for negatives, as Go's math.Sqrt. */
static CelValue
math_sqrt(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelValue	v = args[0];
	double		d = v.kind == CEL_VAL_INT ? (double) v.u.i :
		v.kind == CEL_VAL_UINT ? (double) v.u.u : v.u.d;

	return cel_double(sqrt(d));
}

/* math.bitAnd(int, int) */
static CelValue
math_and_int(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(args[0].u.i & args[1].u.i);
}

/* math.bitAnd(uint, uint) */
static CelValue
math_and_uint(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_uint(args[0].u.u & args[1].u.u);
}

/* math.bitOr(int, int) */
static CelValue
math_or_int(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(args[0].u.i | args[1].u.i);
}

/* math.bitOr(uint, uint) */
static CelValue
math_or_uint(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_uint(args[0].u.u | args[1].u.u);
}

/* math.bitXor(int, int) */
static CelValue
math_xor_int(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(args[0].u.i ^ args[1].u.i);
}

/* math.bitXor(uint, uint) */
static CelValue
math_xor_uint(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_uint(args[0].u.u ^ args[1].u.u);
}

/* math.bitNot(int) */
static CelValue
math_not_int(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(~args[0].u.i);
}

/* math.bitNot(uint) */
static CelValue
math_not_uint(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_uint(~args[0].u.u);
}

/*
 * Shared shift body on the 64 bits of the value: Go shifts by 64 or more
 * give 0, and a right shift of an int is logical (through uint64).
 */
static CelValue
shift(CelEvalContext *ctx, const CelValue *args, bool left, const char *fn)
{
	int64_t		bits = args[1].u.i;
	uint64_t	v = args[0].kind == CEL_VAL_UINT ? args[0].u.u : (uint64_t) args[0].u.i;
	uint64_t	r;

	if (bits < 0)
		return cel_error(ctx->arena, "%s() negative offset: %lld", fn,
						 (long long) bits);
	if (bits >= 64)
		r = 0;
	else
		r = left ? v << bits : v >> bits;
	if (args[0].kind == CEL_VAL_UINT)
		return cel_uint(r);
	return cel_int((int64_t) r);
}

/* math.bitShiftLeft(int|uint, int) */
static CelValue
math_shift_left(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return shift(ctx, args, true, "math.bitShiftLeft");
}

/* math.bitShiftRight(int|uint, int) */
static CelValue
math_shift_right(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return shift(ctx, args, false, "math.bitShiftRight");
}

static const CelOverload math_overloads[] = {
	{"math_@max_double", "math.@max(double) -> double", math_identity, 0},
	{"math_@max_int", "math.@max(int) -> int", math_identity, 0},
	{"math_@max_uint", "math.@max(uint) -> uint", math_identity, 0},
	{"math_@max_double_double", "math.@max(double, double) -> double", math_max_pair, 0},
	{"math_@max_int_int", "math.@max(int, int) -> int", math_max_pair, 0},
	{"math_@max_uint_uint", "math.@max(uint, uint) -> uint", math_max_pair, 0},
	{"math_@max_int_uint", "math.@max(int, uint) -> dyn", math_max_pair, 0},
	{"math_@max_int_double", "math.@max(int, double) -> dyn", math_max_pair, 0},
	{"math_@max_double_int", "math.@max(double, int) -> dyn", math_max_pair, 0},
	{"math_@max_double_uint", "math.@max(double, uint) -> dyn", math_max_pair, 0},
	{"math_@max_uint_int", "math.@max(uint, int) -> dyn", math_max_pair, 0},
	{"math_@max_uint_double", "math.@max(uint, double) -> dyn", math_max_pair, 0},
	{"math_@max_list_double", "math.@max(list(double)) -> double", math_max_list, 0},
	{"math_@max_list_int", "math.@max(list(int)) -> int", math_max_list, 0},
	{"math_@max_list_uint", "math.@max(list(uint)) -> uint", math_max_list, 0},
	{"math_@min_double", "math.@min(double) -> double", math_identity, 0},
	{"math_@min_int", "math.@min(int) -> int", math_identity, 0},
	{"math_@min_uint", "math.@min(uint) -> uint", math_identity, 0},
	{"math_@min_double_double", "math.@min(double, double) -> double", math_min_pair, 0},
	{"math_@min_int_int", "math.@min(int, int) -> int", math_min_pair, 0},
	{"math_@min_uint_uint", "math.@min(uint, uint) -> uint", math_min_pair, 0},
	{"math_@min_int_uint", "math.@min(int, uint) -> dyn", math_min_pair, 0},
	{"math_@min_int_double", "math.@min(int, double) -> dyn", math_min_pair, 0},
	{"math_@min_double_int", "math.@min(double, int) -> dyn", math_min_pair, 0},
	{"math_@min_double_uint", "math.@min(double, uint) -> dyn", math_min_pair, 0},
	{"math_@min_uint_int", "math.@min(uint, int) -> dyn", math_min_pair, 0},
	{"math_@min_uint_double", "math.@min(uint, double) -> dyn", math_min_pair, 0},
	{"math_@min_list_double", "math.@min(list(double)) -> double", math_min_list, 0},
	{"math_@min_list_int", "math.@min(list(int)) -> int", math_min_list, 0},
	{"math_@min_list_uint", "math.@min(list(uint)) -> uint", math_min_list, 0},
	{"math_ceil_double", "math.ceil(double) -> double", math_ceil, 0},
	{"math_floor_double", "math.floor(double) -> double", math_floor, 0},
	{"math_round_double", "math.round(double) -> double", math_round, 0},
	{"math_trunc_double", "math.trunc(double) -> double", math_trunc, 0},
	{"math_isInf_double", "math.isInf(double) -> bool", math_is_inf, 0},
	{"math_isNaN_double", "math.isNaN(double) -> bool", math_is_nan, 0},
	{"math_isFinite_double", "math.isFinite(double) -> bool", math_is_finite, 0},
	{"math_abs_double", "math.abs(double) -> double", math_abs_double, 0},
	{"math_abs_int", "math.abs(int) -> int", math_abs_int, 0},
	{"math_abs_uint", "math.abs(uint) -> uint", math_identity, 0},
	{"math_sign_double", "math.sign(double) -> double", math_sign_double, 0},
	{"math_sign_int", "math.sign(int) -> int", math_sign_int, 0},
	{"math_sign_uint", "math.sign(uint) -> uint", math_sign_uint, 0},
	{"math_bitAnd_int_int", "math.bitAnd(int, int) -> int", math_and_int, 0},
	{"math_bitAnd_uint_uint", "math.bitAnd(uint, uint) -> uint", math_and_uint, 0},
	{"math_bitOr_int_int", "math.bitOr(int, int) -> int", math_or_int, 0},
	{"math_bitOr_uint_uint", "math.bitOr(uint, uint) -> uint", math_or_uint, 0},
	{"math_bitXor_int_int", "math.bitXor(int, int) -> int", math_xor_int, 0},
	{"math_bitXor_uint_uint", "math.bitXor(uint, uint) -> uint", math_xor_uint, 0},
	{"math_bitNot_int_int", "math.bitNot(int) -> int", math_not_int, 0},
	{"math_bitNot_uint_uint", "math.bitNot(uint) -> uint", math_not_uint, 0},
	{"math_bitShiftLeft_int_int", "math.bitShiftLeft(int, int) -> int", math_shift_left, 0},
	{"math_bitShiftLeft_uint_int", "math.bitShiftLeft(uint, int) -> uint", math_shift_left, 0},
	{"math_bitShiftRight_int_int", "math.bitShiftRight(int, int) -> int", math_shift_right, 0},
	{"math_bitShiftRight_uint_int", "math.bitShiftRight(uint, int) -> uint", math_shift_right, 0},
	{"math_sqrt_double", "math.sqrt(double) -> double", math_sqrt, 0},
	{"math_sqrt_int", "math.sqrt(int) -> double", math_sqrt, 0},
	{"math_sqrt_uint", "math.sqrt(uint) -> double", math_sqrt, 0},
};

const CelLibrary cel_lib_math = {
	"math", math_overloads,
	(int) (sizeof(math_overloads) / sizeof(math_overloads[0]))
};
