/*
 * test_cel_strings.c — the ext.Strings library (strings.c, format.c) called
 * through its overload table.  Expected values come from the CEL
 * conformance suite and from the Cerbos 0.55 REPL.
 */
#include <math.h>

#include "cel/cel_strings.h"
#include "cel_libtest.h"

#define STR(id, n, ...) lt_str(lt_call(&cel_lib_strings, id, n, __VA_ARGS__))
#define ERR(id, n, ...) lt_err(lt_call(&cel_lib_strings, id, n, __VA_ARGS__))
#define FMT(f, list) lt_str(lt_call(&cel_lib_strings, "string_format", 2, S(f), list))
#define FMTERR(f, list) lt_err(lt_call(&cel_lib_strings, "string_format", 2, S(f), list))

static void
test_char_at(void)
{
	CHECK_STR(STR("string_char_at_int", 2, S("tacocat"), cel_int(3)), "o");
	CHECK_STR(STR("string_char_at_int", 2, S("tacocat"), cel_int(7)), "");
	CHECK_STR(STR("string_char_at_int", 2, S("©αT"), cel_int(1)), "α");
	CHECK_STR(ERR("string_char_at_int", 2, S("tacocat"), cel_int(30)), "index out of range: 30");
	CHECK_STR(ERR("string_char_at_int", 2, S("abc"), cel_int(-1)), "index out of range: -1");
}

static void
test_index_of(void)
{
	const CelLibrary *l = &cel_lib_strings;

	CHECK_INT(lt_call(l, "string_index_of_string", 2, S("tacocat"), S("")), 0);
	CHECK_INT(lt_call(l, "string_index_of_string", 2, S("tacocat"), S("ac")), 1);
	CHECK_INT(lt_call(l, "string_index_of_string", 2, S("tacocat"), S("none")), -1);
	CHECK_INT(lt_call(l, "string_index_of_string_int", 3, S("tacocat"), S(""), cel_int(3)), 3);
	CHECK_INT(lt_call(l, "string_index_of_string_int", 3, S("tacocat"), S("a"), cel_int(3)), 5);
	CHECK_INT(lt_call(l, "string_index_of_string", 2, S("ta©o©αT"), S("©")), 2);
	CHECK_INT(lt_call(l, "string_index_of_string_int", 3, S("ta©o©αT"), S("©"), cel_int(3)), 4);
	CHECK_INT(lt_call(l, "string_index_of_string_int", 3, S("ta©o©αT"), S("©αT"), cel_int(3)), 4);
	CHECK_INT(lt_call(l, "string_index_of_string_int", 3, S("ta©o©αT"), S("©α"), cel_int(5)), -1);
	CHECK_INT(lt_call(l, "string_index_of_string_int", 3, S("hello wello"), S("ello"), cel_int(6)), 7);
	/* Cerbos (cel-go 0.30) past the end: -1, empty needle clamps */
	CHECK_INT(lt_call(l, "string_index_of_string_int", 3, S("tacocat"), S("a"), cel_int(30)), -1);
	CHECK_INT(lt_call(l, "string_index_of_string_int", 3, S("abc"), S(""), cel_int(5)), 3);
	CHECK_STR(ERR("string_index_of_string_int", 3, S("abc"), S(""), cel_int(-5)), "index out of range: -5");
	CHECK_INT(lt_call(l, "string_index_of_string_int", 3, S("ab"), S("abc"), cel_int(1)), -1);

	CHECK_INT(lt_call(l, "string_last_index_of_string", 2, S(""), S("@@")), -1);
	CHECK_INT(lt_call(l, "string_last_index_of_string", 2, S("tacocat"), S("")), 7);
	CHECK_INT(lt_call(l, "string_last_index_of_string", 2, S("tacocat"), S("at")), 5);
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("tacocat"), S(""), cel_int(3)), 3);
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("tacocat"), S("a"), cel_int(3)), 1);
	CHECK_INT(lt_call(l, "string_last_index_of_string", 2, S("ta©o©αT"), S("©")), 4);
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("ta©o©αT"), S("©"), cel_int(3)), 2);
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("ta©o©αT"), S("©α"), cel_int(4)), 4);
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("hello wello"), S("ello"), cel_int(6)), 1);
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("bananananana"), S("nana"), cel_int(7)), 6);
	CHECK_INT(lt_call(l, "string_last_index_of_string", 2, S("hello wello"), S("hello wello")), 0);
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("tacocat"), S("a"), cel_int(30)), -1);
	CHECK_STR(ERR("string_last_index_of_string_int", 3, S("tacocat"), S("a"), cel_int(-1)), "index out of range: -1");
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("abc"), S(""), cel_int(10)), 3);
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("abc"), S("c"), cel_int(3)), -1);
	CHECK_INT(lt_call(l, "string_last_index_of_string_int", 3, S("abc"), S("bc"), cel_int(2)), 1);
}

static void
test_case_replace_split(void)
{
	CHECK_STR(STR("string_lower_ascii", 1, S("TacoCÆt Xii")), "tacocÆt xii");
	CHECK_STR(STR("string_upper_ascii", 1, S("tacoCαt")), "TACOCαT");
	CHECK_STR(STR("string_replace_string_string", 3, S("{0} days {0} hours"), S("{0}"), S("2")),
			  "2 days 2 hours");
	CHECK_STR(STR("string_replace_string_string_int", 4, S("{0} days {0} hours"), S("{0}"), S("2"), cel_int(1)),
			  "2 days {0} hours");
	CHECK_STR(STR("string_replace_string_string", 3, S("1 ©αT taco"), S("αT"), S("o©α")), "1 ©o©α taco");
	CHECK_STR(STR("string_replace_string_string", 3, S("abc"), S(""), S("_")), "_a_b_c_");
	CHECK_STR(STR("string_replace_string_string", 3, S("é"), S(""), S("-")), "-é-");
	CHECK_STR(STR("string_replace_string_string_int", 4, S("aaa"), S("a"), S("b"), cel_int(-2)), "bbb");
	CHECK_STR(STR("string_replace_string_string_int", 4, S("aaa"), S("a"), S("b"), cel_int(2)), "bba");
	CHECK_STR(STR("string_replace_string_string_int", 4, S("aaa"), S("a"), S("b"), cel_int(0)), "aaa");

	CHECK_STR(lt_join(lt_call(&cel_lib_strings, "string_split_string", 2, S("hello world"), S(" "))), "hello|world");
	CHECK(lt_call(&cel_lib_strings, "string_split_string_int", 3, S("hello world events!"), S(" "), cel_int(0)).u.list->len == 0);
	CHECK_STR(lt_join(lt_call(&cel_lib_strings, "string_split_string_int", 3, S("hello world events!"), S(" "), cel_int(1))),
			  "hello world events!");
	CHECK_STR(lt_join(lt_call(&cel_lib_strings, "string_split_string_int", 3, S("o©o©o©o"), S("©"), cel_int(-1))), "o|o|o|o");
	CHECK_STR(lt_join(lt_call(&cel_lib_strings, "string_split_string_int", 3, S("a,b,,c"), S(","), cel_int(2))), "a|b,,c");
	CHECK_STR(lt_join(lt_call(&cel_lib_strings, "string_split_string", 2, S("abc"), S(""))), "a|b|c");
	CHECK_STR(lt_join(lt_call(&cel_lib_strings, "string_split_string_int", 3, S("abc"), S(""), cel_int(2))), "a|bc");
	CHECK(lt_call(&cel_lib_strings, "string_split_string", 2, S(""), S("")).u.list->len == 0);
	CHECK_STR(lt_join(lt_call(&cel_lib_strings, "string_split_string", 2, S(""), S(","))), "");
	CHECK(lt_call(&cel_lib_strings, "string_split_string", 2, S(""), S(",")).u.list->len == 1);
}

static void
test_substring_trim_misc(void)
{
	CHECK_STR(STR("string_substring_int", 2, S("tacocat"), cel_int(4)), "cat");
	CHECK_STR(STR("string_substring_int", 2, S("tacocat"), cel_int(7)), "");
	CHECK_STR(STR("string_substring_int_int", 3, S("tacocat"), cel_int(0), cel_int(4)), "taco");
	CHECK_STR(STR("string_substring_int_int", 3, S("ta©o©αT"), cel_int(2), cel_int(6)), "©o©α");
	CHECK_STR(STR("string_substring_int_int", 3, S("ta©o©αT"), cel_int(7), cel_int(7)), "");
	CHECK_STR(ERR("string_substring_int", 2, S("tacocat"), cel_int(40)), "index out of range: 40");
	CHECK_STR(ERR("string_substring_int", 2, S("tacocat"), cel_int(-1)), "index out of range: -1");
	CHECK_STR(ERR("string_substring_int_int", 3, S("tacocat"), cel_int(1), cel_int(50)), "index out of range: 50");
	CHECK_STR(ERR("string_substring_int_int", 3, S("tacocat"), cel_int(49), cel_int(50)), "index out of range: 49");
	CHECK_STR(ERR("string_substring_int_int", 3, S("tacocat"), cel_int(4), cel_int(3)),
			  "invalid substring range. start: 4, end: 3");

	CHECK_STR(STR("string_trim", 1, S(" \f\n\r\t\vtext  ")), "text");
	CHECK_STR(STR("string_trim", 1, S("\xc2\x85\u00a0\u1680text")), "text");
	CHECK_STR(STR("string_trim", 1, S("text\u2000\u2001\u2002\u2003\u2004\u2004\u2006\u2007\u2008\u2009")), "text");
	CHECK_STR(STR("string_trim", 1, S("\u200atext\u2028\u2029\u202F\u205F\u3000")), "text");
	CHECK_STR(STR("string_trim", 1, S("\u180etext\u200b\u200c\u200d\u2060\ufeff")),
			  "\u180etext\u200b\u200c\u200d\u2060\ufeff");
	CHECK_STR(STR("string_trim", 1, S("   ")), "");

	CHECK_STR(STR("list_join", 1, L(2, S("x"), S("y"))), "xy");
	CHECK_STR(STR("list_join_string", 2, L(2, S("x"), S("y")), S("-")), "x-y");
	CHECK_STR(STR("list_join_string", 2, L(0), S("-")), "");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_int(1))), "join: invalid input: 1");
	/* the message shows the element as Go's %v does */
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_null())), "join: invalid input: 0");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_double(1234567.0))), "join: invalid input: 1.234567e+06");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_double(100000.0))), "join: invalid input: 100000");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_double(0.00001))), "join: invalid input: 1e-05");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_double(0.0001))), "join: invalid input: 0.0001");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_bytes("x", 1))), "join: invalid input: [120]");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), L(5, cel_int(1), S("x"), cel_double(2.5), cel_null(), cel_bytes("y", 1)))),
			  "join: invalid input: [1, x, 2.5, 0, [121]]");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_timestamp(1672531200, 0))),
			  "join: invalid input: 2023-01-01 00:00:00 +0000 UTC");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), M(2, S("k"), S("v"), cel_int(1), L(1, cel_int(2))))),
			  "join: invalid input: {k: v, 1: [2]}");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_duration(5400000000000LL))), "join: invalid input: 1h30m0s");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_duration(1500000LL))), "join: invalid input: 1.5ms");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_type_value(&cel_type_int))), "join: invalid input: int");
	CHECK_STR(ERR("list_join", 1, L(2, S("a"), cel_double(-0.0))), "join: invalid input: -0");

	CHECK_STR(STR("string_reverse", 1, S("Ta©oCαt")), "tαCo©aT");
	CHECK_STR(STR("string_reverse", 1, S("")), "");

	CHECK_STR(STR("strings_quote", 1, S("first\nsecond")), "\"first\\nsecond\"");
	CHECK_STR(STR("strings_quote", 1, S("bell\a")), "\"bell\\a\"");
	CHECK_STR(STR("strings_quote", 1, S("\bbackspace")), "\"\\bbackspace\"");
	CHECK_STR(STR("strings_quote", 1, S("mid string \" quote")), "\"mid string \\\" quote\"");
	CHECK_STR(STR("strings_quote", 1, S("double \\\\ slash")), "\"double \\\\\\\\ slash\"");
	CHECK_STR(STR("strings_quote", 1, S("завтра")), "\"завтра\"");
	CHECK_STR(STR("strings_quote", 1, S("")), "\"\"");
	CHECK_STR(STR("strings_quote", 1, cel_string("a\xffz", 3)), "\"a\xEF\xBF\xBDz\"");
}

static void
test_format(void)
{
	CHECK_STR(FMT("no substitution", L(0)), "no substitution");
	CHECK_STR(FMT("str is %s and some more", L(1, S("filler"))), "str is filler and some more");
	CHECK_STR(FMT("%%%s%%", L(1, S("text"))), "%text%");
	CHECK_STR(FMT("%d %d %d, %s %s %s", L(6, cel_int(1), cel_int(2), cel_int(3), S("A"), S("B"), S("C"))),
			  "1 2 3, A B C");
	CHECK_STR(FMT("%.3f", L(1, cel_double(1.2345))), "1.234");
	CHECK_STR(FMT("%b", L(1, cel_int(5))), "101");
	CHECK_STR(FMT("%b", L(1, cel_uint(64))), "1000000");
	CHECK_STR(FMT("%b", L(1, cel_bool(true))), "1");
	CHECK_STR(FMT("%o", L(1, cel_int(11))), "13");
	CHECK_STR(FMT("%o", L(1, cel_uint(65535))), "177777");
	CHECK_STR(FMT("%x", L(1, cel_int(30))), "1e");
	CHECK_STR(FMT("%X", L(1, cel_uint(6000))), "1770");
	CHECK_STR(FMT("%x", L(1, S("Hello world!"))), "48656c6c6f20776f726c6421");
	CHECK_STR(FMT("%X", L(1, cel_bytes("byte string", 11))), "6279746520737472696E67");
	CHECK_STR(FMT("%.6e", L(1, cel_double(1052.032911275))), "1.052033e+03");
	CHECK_STR(FMT("%f", L(1, cel_double(2.71828))), "2.718280");
	CHECK_STR(FMT("%f", L(1, cel_int(2))), "2.000000");
	CHECK_STR(FMT("%e", L(1, cel_uint(3))), "3.000000e+00");
	CHECK_STR(FMT("%e", L(1, cel_double(NAN))), "NaN");
	CHECK_STR(FMT("%d", L(1, cel_double(-INFINITY))), "-Infinity");
	CHECK_STR(FMT("%f", L(1, cel_double(INFINITY))), "Infinity");
	CHECK_STR(FMT("%s", L(1, cel_null())), "null");
	CHECK_STR(FMT("%s", L(1, cel_int(999999999999))), "999999999999");
	CHECK_STR(FMT("%s", L(1, cel_bytes("xyz", 3))), "xyz");
	CHECK_STR(FMT("%s", L(1, cel_timestamp(1675467080, 0))), "2023-02-03T23:31:20Z");
	CHECK_STR(FMT("%s", L(1, cel_timestamp(1672531200, 500000000))), "2023-01-01T00:00:00.5Z");
	CHECK_STR(FMT("%s", L(1, cel_duration(6347000000000LL))), "6347s");
	CHECK_STR(FMT("%s", L(1, cel_duration(-1500000000LL))), "-1.5s");
	CHECK_STR(FMT("%s", L(1, L(4, S("abc"), cel_double(3.14), cel_null(), L(2, cel_int(9), cel_int(8))))),
			  "[abc, 3.14, null, [9, 8]]");
	CHECK_STR(FMT("%s", L(1, M(3, S("key2"), cel_duration(7200000000000LL), S("key1"), cel_bytes("xyz", 3),
							  S("key3"), cel_double(2.71828)))),
			  "{key1: xyz, key2: 7200s, key3: 2.71828}");
	CHECK_STR(FMT("%s", L(1, M(3, S("strKey"), S("x"), cel_int(6), cel_duration(422000000000LL),
							  cel_bool(true), cel_int(42)))),
			  "{6: 422s, strKey: x, true: 42}");
	CHECK_STR(FMT("%s, %s", L(2, cel_int(32), cel_double(56.8))), "32, 56.8");
	CHECK_STR(FMT("%s", L(1, cel_double(1e20))), "100000000000000000000");
	CHECK_STR(FMT("%s", L(1, cel_double(1e-7))), "0.0000001");
	CHECK_STR(FMT("%s", L(1, cel_double(-0.0))), "-0");
	CHECK_STR(FMT("%s", L(1, cel_double(123456789.125))), "123456789.125");
	CHECK_STR(FMT("%d", L(1, cel_double(2.5))), "2.5");
	CHECK_STR(FMT("%.0f", L(1, cel_double(2.5))), "2");
	CHECK_STR(FMT("%.0f", L(1, cel_double(3.5001))), "4");
	CHECK_STR(FMT("%.3f", L(1, cel_double(-123.4999))), "-123.500");
	CHECK_STR(FMT("%.30f", L(1, cel_double(0.1))), "0.100000000000000005551115123126");
	CHECK_STR(FMT("%.0e", L(1, cel_double(12345.0))), "1e+04");
	CHECK_STR(FMT("%.2e", L(1, cel_double(-0.0))), "-0.00e+00");
	CHECK_STR(FMT("%x", L(1, cel_int(-255))), "-ff");
	CHECK_STR(FMT("%b", L(1, cel_int(-5))), "-101");
	CHECK_STR(FMT("%o", L(1, cel_int(-8))), "-10");
	CHECK_STR(FMT("%x", L(1, S("héllo"))), "68c3a96c6c6f");

	CHECK_STR(FMTERR("%.f", L(1, cel_double(1))),
			  "could not parse formatting clause: error while parsing precision: error while converting precision to integer: strconv.Atoi: parsing \"\": invalid syntax");
	CHECK_STR(FMTERR("%", L(1, cel_int(1))), "unexpected end of string");
	CHECK_STR(FMTERR("%", L(0)), "index 0 out of range");
	CHECK_STR(FMTERR("%s %s", L(1, cel_int(1))), "index 1 out of range");
	CHECK_STR(FMTERR("%.3", L(1, cel_int(1))),
			  "could not parse formatting clause: error while parsing precision: could not find end of precision specifier");
	CHECK_STR(FMTERR("%.101f", L(1, cel_double(1))),
			  "could not parse formatting clause: error while parsing precision: precision 101 exceeds maximum allowed precision 100");
	CHECK_STR(FMTERR("%d", L(1, S("a"))),
			  "error during formatting: decimal clause can only be used on ints, uints, and doubles, was given string");
	CHECK_STR(FMTERR("%a", L(1, cel_int(1))),
			  "could not parse formatting clause: unrecognized formatting clause \"a\"");
	CHECK_STR(FMTERR("%\xc3\xa9", L(1, cel_int(1))),
			  "could not parse formatting clause: unrecognized formatting clause \"\xc3\x83\"");
	CHECK_STR(FMTERR("%s", L(1, cel_optional_none())),
			  "error during formatting: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given optional_type");
	CHECK_STR(FMTERR("%b", L(1, S("abc"))),
			  "error during formatting: only ints, uints, and bools can be formatted as binary, was given string");
	CHECK_STR(FMTERR("%o", L(1, cel_null())),
			  "error during formatting: octal clause can only be used on ints and uints, was given null_type");
	CHECK_STR(FMTERR("%x", L(1, cel_double(0.5))),
			  "error during formatting: only ints, uints, bytes, and strings can be formatted as hex, was given double");
	CHECK_STR(FMTERR("%e", L(1, cel_duration(1))),
			  "error during formatting: scientific clause can only be used on ints, uints, and doubles, was given google.protobuf.Duration");
}

/*
 * Builds the typed AST of "<fmt>".format([e0, e1...]) where each element is
 * a constant of the given type (strings given as "s", ints as "i", dyn as
 * "d", double as "f", null as "n") and runs the checker's validation.
 */
static const char *
check_format(const char *fmt, const char *elems, CelNodeRef *bad)
{
	static char pool[256];
	static CelExpr nodes[16];
	static int32_t args[16];
	static const CelType *types[16];
	CelAst		ast;
	int			n = (int) strlen(elems);
	uint32_t	fmt_off = 1;
	uint32_t	fn_off;
	const char *msg = NULL;
	CelNodeRef	node = -1;

	memset(&ast, 0, sizeof(ast));
	memset(nodes, 0, sizeof(nodes));
	pool[0] = '\0';
	strcpy(pool + fmt_off, fmt);
	fn_off = fmt_off + (uint32_t) strlen(fmt) + 1;
	strcpy(pool + fn_off, "format");
	/* node 0: the format string */
	nodes[0].kind = CEL_EXPR_CONST;
	nodes[0].u.constant.kind = CEL_CONST_STRING;
	nodes[0].u.constant.u.str.off = fmt_off;
	nodes[0].u.constant.u.str.len = (uint32_t) strlen(fmt);
	types[0] = &cel_type_string;
	/* nodes 1..n: the elements */
	for (int i = 0; i < n; i++)
	{
		nodes[1 + i].kind = CEL_EXPR_CONST;
		nodes[1 + i].u.constant.kind = CEL_CONST_INT;
		types[1 + i] = elems[i] == 's' ? &cel_type_string : elems[i] == 'i' ? &cel_type_int :
			elems[i] == 'f' ? &cel_type_double : elems[i] == 'n' ? &cel_type_null : &cel_type_dyn;
		args[i] = 1 + i;
	}
	/* node n+1: the list literal; node n+2: the call */
	nodes[n + 1].kind = CEL_EXPR_LIST;
	nodes[n + 1].u.list.elems = 0;
	nodes[n + 1].u.list.nelems = (uint32_t) n;
	types[n + 1] = &cel_type_list_dyn;
	args[n] = n + 1;
	nodes[n + 2].kind = CEL_EXPR_CALL;
	nodes[n + 2].u.call.target = 0;
	nodes[n + 2].u.call.function = fn_off;
	nodes[n + 2].u.call.args = (uint32_t) n;
	nodes[n + 2].u.call.nargs = 1;
	types[n + 2] = &cel_type_string;
	ast.nodes = nodes;
	ast.nnodes = n + 3;
	ast.args = args;
	ast.nargs = (uint32_t) n + 1;
	ast.strings = pool;
	ast.types = types;
	ast.root = n + 2;
	if (cel_strings_check_format(&ast, n + 2, lt_arena, &node, &msg))
		return NULL;
	*bad = node;
	return msg;
}

static void
test_format_check(void)
{
	CelNodeRef	bad = -1;

	CHECK(check_format("%s and %d", "si", &bad) == NULL);
	CHECK(check_format("%d", "d", &bad) == NULL);
	CHECK(check_format("%d %f %e", "ifi", &bad) == NULL);
	CHECK_STR(check_format("%d", "s", &bad),
			  "error during formatting: decimal clause can only be used on ints, uints, and doubles, was given string");
	CHECK(bad == 1);
	CHECK_STR(check_format("%s %o", "sn", &bad),
			  "error during formatting: octal clause can only be used on ints and uints, was given null_type");
	CHECK(bad == 2);
	CHECK_STR(check_format("x", "i", &bad),
			  "too many arguments supplied to string.format (expected 0, got 1)");
	CHECK(bad == 3);
	CHECK_STR(check_format("%d %d %d", "ii", &bad), "index 2 out of range");
	CHECK(bad == 4);
	CHECK_STR(check_format("%a", "i", &bad),
			  "could not parse formatting clause: unrecognized formatting clause \"a\"");
	CHECK_STR(check_format("%.1000f", "f", &bad),
			  "could not parse formatting clause: error while parsing precision: precision 1000 exceeds maximum allowed precision 100");
	CHECK_STR(check_format("%E", "f", &bad),
			  "could not parse formatting clause: unrecognized formatting clause \"E\"");
}

int
main(void)
{
	lt_init();
	test_char_at();
	test_index_of();
	test_case_replace_split();
	test_substring_trim_misc();
	test_format();
	test_format_check();
	UNIT_DONE("test_cel_strings");
}
