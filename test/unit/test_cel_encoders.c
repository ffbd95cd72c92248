/*
 * test_cel_encoders.c — base64.encode / base64.decode (encoders.c),
 * including unpadded input and Go's error offsets as Cerbos 0.55 reports
 * them.
 */
#include "cel_libtest.h"

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
	UNIT_DONE("test_cel_encoders");
}
