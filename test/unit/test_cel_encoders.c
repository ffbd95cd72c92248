/*
 * test_cel_encoders.c — base64.encode / base64.decode (encoders.c),
 * including unpadded input and Go's error offsets as Cerbos 0.55 reports
 * them, and json.encode (expected texts from the Cerbos 0.55 REPL).
 */
#include <math.h>

#include "cel_libtest.h"

#define JSON(v) lt_str(lt_call(&cel_lib_encoders, "json_encode_dyn", 1, (v)))
#define JSONERR(v) lt_err(lt_call(&cel_lib_encoders, "json_encode_dyn", 1, (v)))

static void
test_json(void)
{
	CHECK_STR(JSON(cel_int(1)), "1");
	CHECK_STR(JSON(cel_uint(1)), "1");
	CHECK_STR(JSON(cel_double(1.0)), "1");
	CHECK_STR(JSON(cel_double(1.5e300)), "1.5e+300");
	CHECK_STR(JSON(cel_double(1e21)), "1e+21");
	CHECK_STR(JSON(cel_double(1e20)), "100000000000000000000");
	CHECK_STR(JSON(cel_double(1e-7)), "1e-7");
	CHECK_STR(JSON(cel_double(-1.234e-7)), "-1.234e-7");
	CHECK_STR(JSON(cel_double(0.000001)), "0.000001");
	CHECK_STR(JSON(cel_double(5e-324)), "5e-324");
	CHECK_STR(JSON(cel_double(-0.0)), "-0");
	CHECK_STR(JSON(cel_double(-123.456)), "-123.456");
	CHECK_STR(JSON(cel_int(INT64_MAX)), "\"9223372036854775807\"");
	CHECK_STR(JSON(cel_int(9007199254740991LL)), "9007199254740991");
	CHECK_STR(JSON(cel_int(-9007199254740992LL)), "\"-9007199254740992\"");
	CHECK_STR(JSON(cel_uint(9007199254740992ULL)), "\"9007199254740992\"");
	CHECK_STR(JSON(S("a\"<>&\u00e9\u2028")), "\"a\\\"\\u003c\\u003e\\u0026\u00e9\\u2028\"");
	CHECK_STR(JSON(S("\x01\t\n\x7f\b\f\r")), "\"\\u0001\\t\\n\x7f\\b\\f\\r\"");
	CHECK_STR(JSON(cel_bytes("ab", 2)), "\"YWI=\"");
	CHECK_STR(JSON(cel_null()), "null");
	CHECK_STR(JSON(L(2, cel_bool(true), cel_null())), "[true,null]");
	CHECK_STR(JSON(M(2, S("b"), cel_int(1), S("a"), cel_int(2))), "{\"a\":2,\"b\":1}");
	CHECK_STR(JSON(M(1, S("x"), M(1, S("y"), L(2, cel_int(1), cel_double(2.5))))), "{\"x\":{\"y\":[1,2.5]}}");
	CHECK_STR(JSON(L(0)), "[]");
	CHECK_STR(JSON(M(0)), "{}");
	CHECK_STR(JSON(cel_timestamp(1672531200, 500000000)), "\"2023-01-01T00:00:00.5Z\"");
	CHECK_STR(JSON(cel_duration(1000000001LL)), "\"1.000000001s\"");
	CHECK_STR(JSON(cel_duration(-1500000000LL)), "\"-1.5s\"");
	CHECK_STR(JSON(cel_optional_of(lt_arena, cel_int(1))), "1");
	CHECK_STR(JSONERR(cel_optional_none()), "optional.none() dereference");
	CHECK_STR(JSONERR(M(1, cel_int(1), cel_int(2))), "unsupported type conversion from 'int' to string");
	CHECK_STR(JSONERR(M(1, cel_bool(true), cel_int(2))), "type conversion error from bool to 'string'");
	CHECK_STR(JSONERR(cel_double(NAN)), "proto:\xc2\xa0google.protobuf.Value.number_value: invalid NaN value");
	CHECK_STR(JSONERR(cel_double(-INFINITY)), "proto:\xc2\xa0google.protobuf.Value.number_value: invalid -Inf value");
	CHECK_STR(JSONERR(L(2, cel_int(1), cel_type_value(&cel_type_int))), "type conversion not supported for 'type'");
	/* conversion errors come before the marshalling ones */
	CHECK_STR(JSONERR(L(2, cel_double(NAN), M(1, cel_int(1), cel_int(2)))),
			  "unsupported type conversion from 'int' to string");
}

#define ENC(s, n) lt_str(lt_call(&cel_lib_encoders, "base64_encode_bytes", 1, cel_bytes(s, n)))
#define DEC(s) lt_str(lt_call(&cel_lib_encoders, "base64_decode_string", 1, S(s)))
#define DECERR(s) lt_err(lt_call(&cel_lib_encoders, "base64_decode_string", 1, S(s)))

int
main(void)
{
	lt_init();
	CHECK_STR(ENC("hello", 5), "aGVsbG8=");
	CHECK_STR(ENC("", 0), "");
	CHECK_STR(ENC("a", 1), "YQ==");
	CHECK_STR(ENC("ab", 2), "YWI=");
	CHECK_STR(ENC("abc", 3), "YWJj");
	CHECK_STR(ENC("\xff\x00\xfe", 3), "/wD+");
	CHECK_STR(ENC("Hello World!", 12), "SGVsbG8gV29ybGQh");

	CHECK_STR(DEC("aGVsbG8="), "hello");
	CHECK_STR(DEC("aGVsbG8"), "hello");
	CHECK_STR(DEC("SGVsbG8gV29ybGQh"), "Hello World!");
	CHECK_STR(DEC(""), "");
	CHECK_STR(DEC("YQ"), "a");
	CHECK_STR(DEC("YWI"), "ab");
	CHECK_STR(DEC("aGVs\nbG8="), "hello");
	CHECK_STR(DEC("YR=="), "a");		/* non-zero trailing bits are accepted */
	CHECK(lt_call(&cel_lib_encoders, "base64_decode_string", 1, S("/wD+")).u.str.len == 3);

	CHECK_STR(DECERR("a"), "illegal base64 data at input byte 0");
	CHECK_STR(DECERR("!!!!"), "illegal base64 data at input byte 0");
	CHECK_STR(DECERR("YQ="), "illegal base64 data at input byte 2");
	CHECK_STR(DECERR("YQ==YQ=="), "illegal base64 data at input byte 2");
	CHECK_STR(DECERR("aGVsbG8*"), "illegal base64 data at input byte 7");
	CHECK_STR(DECERR("YWJjZ"), "illegal base64 data at input byte 4");
	test_json();
	UNIT_DONE("test_cel_encoders");
}
