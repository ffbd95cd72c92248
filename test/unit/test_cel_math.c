/*
 * test_cel_math.c — the ext.Math library (math.c) through its overload
 * table, with expected values from the CEL conformance suite and the
 * Cerbos 0.55 REPL (error texts included).
 */
#include <math.h>

#include "cel_libtest.h"

#define CALL(id, n, ...) lt_call(&cel_lib_math, id, n, __VA_ARGS__)

static void
test_greatest_least(void)
{
	CelValue	v;

	CHECK_INT(CALL("math_@max_int", 1, cel_int(-5)), -5);
	CHECK_INT(CALL("math_@max_int_int", 2, cel_int(-7), cel_int(5)), 5);
	CHECK_INT(CALL("math_@max_int_int", 2, cel_int(INT64_MIN), cel_int(1)), 1);
	/* ties keep the first argument, whatever its type */
	v = CALL("math_@max_int_double", 2, cel_int(1), cel_double(1.0));
	CHECK(v.kind == CEL_VAL_INT && v.u.i == 1);
	v = CALL("math_@max_double_int", 2, cel_double(1.0), cel_int(1));
	CHECK(v.kind == CEL_VAL_DOUBLE);
	CHECK_UINT(CALL("math_@max_uint_int", 2, cel_uint(5), cel_int(-7)), 5);
	CHECK_UINT(CALL("math_@max_int_uint", 2, cel_int(-3), cel_uint(3)), 3);
	CHECK_DOUBLE(CALL("math_@max_double_int", 2, cel_double(1.797693e308), cel_int(1)), 1.797693e308);
	CHECK_INT(CALL("math_@min_int_int", 2, cel_int(5), cel_int(-7)), -7);
	CHECK_DOUBLE(CALL("math_@min_double_double", 2, cel_double(1.5), cel_double(-1.797693e308)), -1.797693e308);
	CHECK_UINT(CALL("math_@min_uint_uint", 2, cel_uint(UINT64_MAX), cel_uint(1)), 1);
	CHECK_UINT(CALL("math_@min_uint_int", 2, cel_uint(1), cel_int(1)), 1);
	CHECK_STR(lt_err(CALL("math_@max_double_int", 2, cel_double(NAN), cel_int(1))),
			  "NaN values cannot be ordered: math.@max");
	CHECK_STR(lt_err(CALL("math_@min_int_double", 2, cel_int(1), cel_double(NAN))),
			  "NaN values cannot be ordered: math.@min");

	/* list forms */
	CHECK_INT(CALL("math_@max_list_int", 1,
				   L(5, cel_double(5.4), cel_int(10), cel_uint(3), cel_double(-5.0), cel_double(3.5))), 10);
	CHECK_UINT(CALL("math_@max_list_uint", 1,
					L(5, cel_double(5.4), cel_uint(10), cel_uint(3), cel_double(-5.0), cel_double(3.5))), 10);
	CHECK_DOUBLE(CALL("math_@min_list_double", 1,
					  L(5, cel_double(5.4), cel_double(10.5), cel_uint(3), cel_double(-5.0), cel_double(3.5))), -5.0);
	CHECK_UINT(CALL("math_@min_list_uint", 1,
					L(5, cel_double(5.4), cel_uint(10), cel_uint(3), cel_uint(1), cel_double(3.5))), 1);
	CHECK_DOUBLE(CALL("math_@max_list_double", 1, L(3, cel_uint(1), cel_int(-1), cel_double(2.5))), 2.5);
	CHECK_STR(lt_err(CALL("math_@max_list_int", 1, L(0))), "math.@max(list) argument must not be empty");
	CHECK_STR(lt_err(CALL("math_@max_list_int", 1, L(1, S("a")))), "no such overload: math.@max(list)");
	CHECK_STR(lt_err(CALL("math_@max_list_int", 1, L(2, cel_int(1), S("a")))), "no such overload: math.@max");
	CHECK_STR(lt_err(CALL("math_@max_list_int", 1, L(2, cel_int(1), cel_double(NAN)))), "no such overload: math.@max");
	CHECK_STR(lt_err(CALL("math_@min_list_int", 1, L(2, cel_int(1), L(0)))), "no such overload: math.@min");
	/* int against uint and double at the extremes */
	CHECK_INT(CALL("math_@max_int_double", 2, cel_int(INT64_MAX), cel_double(1)), INT64_MAX);
	CHECK_UINT(CALL("math_@max_int_uint", 2, cel_int(-1), cel_uint(0)), 0);
}

static void
test_rounding_and_sign(void)
{
	CelValue	v;

	CHECK_DOUBLE(CALL("math_ceil_double", 1, cel_double(-1.2)), -1.0);
	CHECK_DOUBLE(CALL("math_ceil_double", 1, cel_double(1.2)), 2.0);
	CHECK_DOUBLE(CALL("math_floor_double", 1, cel_double(-1.2)), -2.0);
	CHECK_DOUBLE(CALL("math_round_double", 1, cel_double(-1.5)), -2.0);
	CHECK_DOUBLE(CALL("math_round_double", 1, cel_double(2.5)), 3.0);
	CHECK_DOUBLE(CALL("math_round_double", 1, cel_double(-1.4)), -1.0);
	CHECK_DOUBLE(CALL("math_trunc_double", 1, cel_double(-1.2)), -1.0);
	v = CALL("math_trunc_double", 1, cel_double(NAN));
	CHECK(v.kind == CEL_VAL_DOUBLE && isnan(v.u.d));
	CHECK_UINT(CALL("math_abs_uint", 1, cel_uint(1)), 1);
	CHECK_INT(CALL("math_abs_int", 1, cel_int(-11)), 11);
	CHECK_DOUBLE(CALL("math_abs_double", 1, cel_double(-11.5)), 11.5);
	CHECK_STR(lt_err(CALL("math_abs_int", 1, cel_int(INT64_MIN))), "integer overflow");
	CHECK_UINT(CALL("math_sign_uint", 1, cel_uint(100)), 1);
	CHECK_UINT(CALL("math_sign_uint", 1, cel_uint(0)), 0);
	CHECK_INT(CALL("math_sign_int", 1, cel_int(-11)), -1);
	CHECK_DOUBLE(CALL("math_sign_double", 1, cel_double(-32.0)), -1.0);
	v = CALL("math_sign_double", 1, cel_double(-0.0));
	CHECK(v.kind == CEL_VAL_DOUBLE && v.u.d == 0 && !signbit(v.u.d));
	v = CALL("math_sign_double", 1, cel_double(NAN));
	CHECK(v.kind == CEL_VAL_DOUBLE && isnan(v.u.d));
	CHECK_BOOL(CALL("math_isNaN_double", 1, cel_double(NAN)), true);
	CHECK_BOOL(CALL("math_isInf_double", 1, cel_double(-INFINITY)), true);
	CHECK_BOOL(CALL("math_isInf_double", 1, cel_double(NAN)), false);
	CHECK_BOOL(CALL("math_isFinite_double", 1, cel_double(1.0 / 1.5)), true);
	CHECK_BOOL(CALL("math_isFinite_double", 1, cel_double(NAN)), false);
	CHECK_DOUBLE(CALL("math_sqrt_int", 1, cel_int(81)), 9.0);
	CHECK_DOUBLE(CALL("math_sqrt_uint", 1, cel_uint(2)), sqrt(2.0));
	v = CALL("math_sqrt_int", 1, cel_int(-15));
	CHECK(v.kind == CEL_VAL_DOUBLE && isnan(v.u.d));
}

static void
test_bits(void)
{
	CHECK_INT(CALL("math_bitAnd_int_int", 2, cel_int(1), cel_int(3)), 1);
	CHECK_INT(CALL("math_bitAnd_int_int", 2, cel_int(1), cel_int(-1)), 1);
	CHECK_UINT(CALL("math_bitAnd_uint_uint", 2, cel_uint(1), cel_uint(2)), 0);
	CHECK_INT(CALL("math_bitOr_int_int", 2, cel_int(4), cel_int(-2)), -2);
	CHECK_UINT(CALL("math_bitOr_uint_uint", 2, cel_uint(1), cel_uint(4)), 5);
	CHECK_INT(CALL("math_bitXor_int_int", 2, cel_int(4), cel_int(-2)), -6);
	CHECK_UINT(CALL("math_bitXor_uint_uint", 2, cel_uint(1), cel_uint(3)), 2);
	CHECK_INT(CALL("math_bitNot_int_int", 1, cel_int(1)), -2);
	CHECK_UINT(CALL("math_bitNot_uint_uint", 1, cel_uint(0)), UINT64_MAX);
	CHECK_INT(CALL("math_bitShiftLeft_int_int", 2, cel_int(1), cel_int(2)), 4);
	CHECK_INT(CALL("math_bitShiftLeft_int_int", 2, cel_int(1), cel_int(200)), 0);
	CHECK_INT(CALL("math_bitShiftLeft_int_int", 2, cel_int(-1), cel_int(200)), 0);
	CHECK_INT(CALL("math_bitShiftLeft_int_int", 2, cel_int(1), cel_int(63)), INT64_MIN);
	CHECK_UINT(CALL("math_bitShiftLeft_uint_int", 2, cel_uint(1), cel_int(2)), 4);
	CHECK_STR(lt_err(CALL("math_bitShiftLeft_uint_int", 2, cel_uint(1), cel_int(-1))),
			  "math.bitShiftLeft() negative offset: -1");
	CHECK_INT(CALL("math_bitShiftRight_int_int", 2, cel_int(1024), cel_int(2)), 256);
	CHECK_INT(CALL("math_bitShiftRight_int_int", 2, cel_int(-1024), cel_int(3)), 2305843009213693824LL);
	CHECK_INT(CALL("math_bitShiftRight_int_int", 2, cel_int(-1024), cel_int(64)), 0);
	CHECK_INT(CALL("math_bitShiftRight_int_int", 2, cel_int(-1), cel_int(1)), INT64_MAX);
	CHECK_UINT(CALL("math_bitShiftRight_uint_int", 2, cel_uint(1024), cel_int(200)), 0);
	CHECK_STR(lt_err(CALL("math_bitShiftRight_int_int", 2, cel_int(1), cel_int(-3))),
			  "math.bitShiftRight() negative offset: -3");
}

int
main(void)
{
	lt_init();
	test_greatest_least();
	test_rounding_and_sign();
	test_bits();
	UNIT_DONE("test_cel_math");
}
