/*
 * test_cel_value.c — type names, error wording, CEL equality and map key
 * lookup (value.c).
 */
#include "cel/cel_func.h"
#include "cel/cel_value.h"
#include "unit.h"

#include <math.h>

int
main(void)
{
	Arena	   *a = arena_create(NULL, 0);
	CelValue	items1[3], items2[3], keys[3], vals[3], keys2[3], vals2[3];
	CelValue	l1, l2, m1, m2, out, e;

	/* type names as cel-go spells them */
	CHECK_STR(cel_type_name(&cel_type_int), "int");
	CHECK_STR(cel_type_name(&cel_type_null), "null_type");
	CHECK_STR(cel_type_name(&cel_type_list_dyn), "list");
	CHECK_STR(cel_type_name(&cel_type_map_dyn), "map");
	CHECK_STR(cel_type_name(&cel_type_timestamp), "google.protobuf.Timestamp");
	CHECK_STR(cel_type_name(&cel_type_duration), "google.protobuf.Duration");
	CHECK_STR(cel_type_name(&cel_type_type), "type");
	CHECK_STR(cel_type_name(&cel_type_optional), "optional_type");
	CHECK_STR(cel_type_name(cel_value_type(cel_bytes("x", 1))), "bytes");
	CHECK_STR(cel_type_name(cel_value_type(cel_uint(1))), "uint");

	/* errors */
	e = cel_error_no_such_overload(a, "_<_");
	CHECK(cel_is_error(e));
	CHECK_STR(e.u.err->message, "no such overload: _<_");
	CHECK_STR(cel_error_no_such_overload(a, NULL).u.err->message, "no such overload");
	CHECK_STR(cel_error_no_such_key(a, cel_string("name", 4)).u.err->message, "no such key: name");
	CHECK_STR(cel_error_no_such_key(a, cel_int(-1)).u.err->message, "no such key: -1");
	CHECK_STR(cel_error_no_such_key(a, cel_double(3.1)).u.err->message, "no such key: 3.1");
	CHECK_STR(cel_error_overflow(a, NULL).u.err->message, "integer overflow");
	CHECK_STR(cel_error_overflow(a, "unsigned integer").u.err->message, "unsigned integer overflow");
	CHECK_STR(cel_error(a, "x=%d", 5).u.err->message, "x=5");

	/* numeric heterogeneous equality */
	CHECK(cel_equal_bool(cel_int(1), cel_uint(1)));
	CHECK(cel_equal_bool(cel_int(1), cel_double(1.0)));
	CHECK(cel_equal_bool(cel_uint(2), cel_double(2.0)));
	CHECK(!cel_equal_bool(cel_int(-1), cel_uint(UINT64_MAX)));
	CHECK(!cel_equal_bool(cel_int(1), cel_double(1.5)));
	CHECK(!cel_equal_bool(cel_double(NAN), cel_double(NAN)));
	/* Cerbos converts the integer to double: both are 2^63 (checked in its REPL) */
	CHECK(cel_equal_bool(cel_int(INT64_MAX), cel_double(9223372036854775808.0)));
	CHECK(cel_equal_bool(cel_uint(UINT64_MAX), cel_double(18446744073709551616.0)));
	CHECK(!cel_equal_bool(cel_int(INT64_MIN), cel_double(-1e19)));
	/* map keys stay exact */
	{
		Arena	   *ka = arena_create(NULL, 0);
		CelValue	k = cel_int(INT64_MAX),
					v = cel_bool(true),
					out;
		CelValue	m = cel_map_from(ka, &k, &v, 1);

		CHECK(!cel_map_get(m.u.map, cel_double(9223372036854775808.0), &out));
		CHECK(cel_map_get(m.u.map, cel_int(INT64_MAX), &out));
		arena_destroy(ka);
	}
	CHECK(!cel_equal_bool(cel_int(1), cel_string("1", 1)));
	CHECK(!cel_equal_bool(cel_null(), cel_bool(false)));
	CHECK(cel_equal_bool(cel_null(), cel_null()));
	CHECK(cel_equal_bool(cel_string("ab", 2), cel_string("ab", 2)));
	CHECK(!cel_equal_bool(cel_string("ab", 2), cel_bytes("ab", 2)));
	CHECK(cel_equal_bool(cel_duration(5), cel_duration(5)));
	CHECK(cel_equal_bool(cel_type_value(&cel_type_int), cel_type_value(&cel_type_int)));
	CHECK(!cel_equal_bool(cel_type_value(&cel_type_int), cel_type_value(&cel_type_uint)));

	/* lists: deep, element-wise */
	items1[0] = cel_int(1);
	items1[1] = cel_string("a", 1);
	items2[0] = cel_double(1.0);
	items2[1] = cel_string("a", 1);
	l1 = cel_list_from(a, items1, 2);
	l2 = cel_list_from(a, items2, 2);
	CHECK(cel_equal_bool(l1, l2));
	items2[1] = cel_string("b", 1);
	l2 = cel_list_from(a, items2, 2);
	CHECK(!cel_equal_bool(l1, l2));
	CHECK(!cel_equal_bool(l1, cel_list_from(a, items1, 1)));

	/* maps: order-independent, numeric keys */
	keys[0] = cel_int(1);
	vals[0] = cel_string("one", 3);
	keys[1] = cel_string("k", 1);
	vals[1] = cel_bool(true);
	keys2[0] = cel_string("k", 1);
	vals2[0] = cel_bool(true);
	keys2[1] = cel_uint(1);
	vals2[1] = cel_string("one", 3);
	m1 = cel_map_from(a, keys, vals, 2);
	m2 = cel_map_from(a, keys2, vals2, 2);
	CHECK(cel_equal_bool(m1, m2));
	CHECK(cel_map_get(m1.u.map, cel_double(1.0), &out));
	CHECK(out.kind == CEL_VAL_STRING && out.u.str.len == 3);
	CHECK(cel_map_get(m1.u.map, cel_uint(1), &out));
	CHECK(!cel_map_get(m1.u.map, cel_double(1.5), &out));
	CHECK(!cel_map_get(m1.u.map, cel_string("K", 1), &out));
	vals2[0] = cel_bool(false);
	CHECK(!cel_equal_bool(m1, cel_map_from(a, keys2, vals2, 2)));
	CHECK(!cel_equal_bool(m1, l1));

	/* cel_equals propagates errors and returns bool values otherwise */
	out = cel_equals(a, e, cel_int(1));
	CHECK(cel_is_error(out));
	out = cel_equals(a, cel_int(2), cel_uint(2));
	CHECK(out.kind == CEL_VAL_BOOL && out.u.b);

	/* optional equality */
	CHECK(cel_equal_bool(cel_optional_none(), cel_optional_none()));
	CHECK(cel_equal_bool(cel_optional_of(a, cel_int(1)), cel_optional_of(a, cel_uint(1))));
	CHECK(!cel_equal_bool(cel_optional_of(a, cel_int(1)), cel_optional_none()));

	/* string copy */
	out = cel_string_copy(a, "hello", 5);
	CHECK(out.kind == CEL_VAL_STRING && out.u.str.len == 5 && memcmp(out.u.str.ptr, "hello", 5) == 0);

	arena_destroy(a);
	UNIT_DONE("test_cel_value");
}
