/*
 * test_cel_check.c — the CEL type checker: result types of well-typed
 * expressions, and cel-go's messages and positions for what Cerbos rejects
 * (no matching overload, non-bool logic operands, undeclared names, bad
 * literal arguments).
 */
#include "cel/cel.h"
#include "cel/cel_check.h"
#include "cel_ast_dump.h"
#include "unit.h"

static Arena *arena;

/* Checks src in the Cerbos environment plus y.z:int and b.c:string;
 * renders the root type or "ERR l:c: message" for the first error. */
static const char *
check_str(const char *src)
{
	static char buf[2048];
	DiagList	d;
	CelAst	   *ast;
	CelEnv	   *env;

	diag_init(&d, arena);
	ast = cel_parse(arena, src, strlen(src), NULL, &d);
	if (ast == NULL)
		return "PARSE ERROR";
	env = cel_env_cerbos(arena);
	cel_env_declare(env, "y.z", &cel_type_int);
	cel_env_declare(env, "b.c", &cel_type_string);
	if (!cel_check(env, ast, arena, &d))
	{
		if (d.count == 0)
			return "ERR (no diag)";
		snprintf(buf, sizeof(buf), "ERR %d:%d: %s", d.items[0].line, d.items[0].column,
				 d.items[0].message);
		return buf;
	}
	return cel_check_format_type(arena, ast->types[ast->root]);
}

/* The checked AST rendered (for rewrites). */
static const char *
checked_ast(const char *src)
{
	DiagList	d;
	CelAst	   *ast;

	diag_init(&d, arena);
	ast = cel_parse(arena, src, strlen(src), NULL, &d);
	if (ast == NULL || !cel_check(cel_env_cerbos(arena), ast, arena, &d))
		return "ERR";
	return dump_ast(ast);
}

/* Number of errors reported. */
static int
error_count(const char *src)
{
	DiagList	d;
	CelAst	   *ast;

	diag_init(&d, arena);
	ast = cel_parse(arena, src, strlen(src), NULL, &d);
	if (ast == NULL)
		return -1;
	(void) cel_check(cel_env_cerbos(arena), ast, arena, &d);
	return d.count;
}

int
main(void)
{
	arena = arena_create(NULL, 0);

	/* well-typed expressions and their types */
	CHECK_STR(check_str("1 + 2"), "int");
	CHECK_STR(check_str("[1, 2]"), "list(int)");
	CHECK_STR(check_str("[1, 'a']"), "list(dyn)");
	CHECK_STR(check_str("{1: 'a', 2: 'b'}"), "map(int, string)");
	CHECK_STR(check_str("[]"), "list(dyn)");
	CHECK_STR(check_str("[1].map(x, x * 2)"), "list(int)");
	CHECK_STR(check_str("[1, 2].filter(x, x > 1)"), "list(int)");
	CHECK_STR(check_str("[1].all(x, x > 0)"), "bool");
	CHECK_STR(check_str("[1, 2].transformMap(i, v, v * 2.0)"), "ERR 1:29: found no matching overload for '_*_' applied to '(int, double)'");
	CHECK_STR(check_str("[1, 2].transformMap(i, v, string(v))"), "map(int, string)");
	CHECK_STR(check_str("cel.bind(x, 'a', x + 'b')"), "string");
	CHECK_STR(check_str("1 < 1.0"), "bool");
	CHECK_STR(check_str("type(1) == int"), "bool");
	CHECK_STR(check_str("1.0 == dyn(1)"), "bool");
	CHECK_STR(check_str("R.attr.x == 1"), "bool");
	CHECK_STR(check_str("V"), "map(string, dyn)");
	CHECK_STR(check_str("V.x"), "dyn");
	CHECK_STR(check_str("optional.of(1)"), "optional_type(int)");
	CHECK_STR(check_str("optional.of(1).orValue(2)"), "int");
	CHECK_STR(check_str("{'a': 1}.?a"), "optional_type(int)");
	CHECK_STR(check_str("[1, 2][?0]"), "optional_type(int)");
	CHECK_STR(check_str("math.greatest(1, 2)"), "int");
	CHECK_STR(check_str("y.z + 1"), "int");
	CHECK_STR(check_str("[{'z': 'a'}].exists(y, y.z == 'a')"), "bool");
	CHECK_STR(check_str("b.c.size()"), "int");
	CHECK_STR(check_str("'a' in ['a']"), "bool");
	CHECK_STR(check_str("has(R.attr.x)"), "bool");
	CHECK_STR(check_str("null == null"), "bool");
	CHECK_STR(check_str("timestamp('2024-01-01T00:00:00Z') + duration('1h')"), "timestamp");
	CHECK_STR(check_str("true ? 1 : dyn('a')"), "dyn");
	CHECK_STR(check_str("type(ip('1.2.3.4')) == net.IP"), "bool");

	/* rewrites: qualified names become identifiers, namespaces global calls */
	CHECK_STR(checked_ast("optional.of(1)"), "optional.of(1)");
	CHECK_STR(checked_ast("optional.of(R).hasValue()"), "optional.of(R).hasValue()");

	/* constant folding: scalar constants only, never errors */
	CHECK_STR(checked_ast("1 + 2 * 3"), "7");
	CHECK_STR(checked_ast("R.attr.x + (1 + 2)"), "_+_(R.attr.x, 3)");
	CHECK_STR(checked_ast("1 / 0"), "_/_(1, 0)");
	CHECK_STR(checked_ast("'a' + 'b' == R.id"), "_==_(\"ab\", R.id)");
	CHECK_STR(checked_ast("size([1, 2]) == 2"), "true");
	CHECK_STR(checked_ast("b'a' + b'b'"), "b\"\\x61\\x62\"");
	CHECK_STR(checked_ast("now() < timestamp('2020-01-01T00:00:00Z')"),
			  "_<_(now(), timestamp(\"2020-01-01T00:00:00Z\"))");
	CHECK_STR(checked_ast("[1, 2].exists(x, x == R.attr.y && 1 < 2)"),
			  "__comp__(x, [1, 2], @result, false, @not_strictly_false(!_(@result)), _||_(@result, _&&_(_==_(x, R.attr.y), true)), @result)");
	CHECK_STR(check_str("true ? 1 : dyn('a')"), "dyn");

	/* what Cerbos rejects, with cel-go's messages and positions */
	CHECK_STR(check_str("1 == 1.0"), "ERR 1:3: found no matching overload for '_==_' applied to '(int, double)'");
	CHECK_STR(check_str("['one'] == [2, 3]"), "ERR 1:9: found no matching overload for '_==_' applied to '(list(string), list(int))'");
	CHECK_STR(check_str("'a' && false"), "ERR 1:1: expected type 'bool' but found 'string'");
	CHECK_STR(check_str("false && 32"), "ERR 1:10: expected type 'bool' but found 'int'");
	CHECK(error_count("'a' || 'b'") == 2);
	CHECK_STR(check_str("x"), "ERR 1:1: undeclared reference to 'x' (in container '')");
	CHECK_STR(check_str("dyn"), "ERR 1:1: undeclared reference to 'dyn' (in container '')");
	CHECK_STR(check_str("f_unknown(17)"), "ERR 1:10: undeclared reference to 'f_unknown' (in container '')");
	CHECK_STR(check_str("42.charAt(2)"), "ERR 1:10: found no matching overload for 'charAt' applied to 'int.(int)'");
	CHECK_STR(check_str("'42'.indexOf('4', 0, 1)"), "ERR 1:13: found no matching overload for 'indexOf' applied to 'string.(string, int, int)'");
	CHECK_STR(check_str("-(5u)"), "ERR 1:1: found no matching overload for '-_' applied to '(uint)'");
	CHECK_STR(check_str("!0"), "ERR 1:1: found no matching overload for '!_' applied to '(int)'");
	CHECK_STR(check_str("true ? 'cows' : 17"), "ERR 1:6: found no matching overload for '_?_:_' applied to '(bool, string, int)'");
	CHECK_STR(check_str("{0: 'a'} < {1: 'b'}"), "ERR 1:10: found no matching overload for '_<_' applied to '(map(int, string), map(int, string))'");
	CHECK_STR(check_str("[1].exists(x, 'a')"), "ERR 1:15: expected type 'bool' but found 'string'");
	CHECK_STR(check_str("[[1]].exists(y, y.z == 0)"), "ERR 1:18: type 'list(int)' does not support field selection");
	CHECK_STR(check_str("1.all(x, true)"), "ERR 1:1: expression of type 'int' cannot be range of a comprehension (must be list, map, or dynamic)");
	CHECK_STR(check_str("a.as() || true"), "ERR 1:1: undeclared reference to 'a' (in container '')");
	CHECK(error_count("a.as() || true") == 2);
	CHECK_STR(check_str("hierarchy('a').x"), "ERR 1:15: unexpected failed resolution of 'cerbos.lib.hierarchy'");
	CHECK_STR(check_str("ip('1.2.3.4').x"), "ERR 1:14: type 'net.IP' does not support field selection");
	CHECK_STR(check_str("isIP(cidr('192.168.0.0/24'))"), "ERR 1:5: found no matching overload for 'isIP' applied to '(net.CIDR)'");

	/* Cerbos' message types (answers taken from cerbos compile 0.55) */
	CHECK_STR(check_str("R.id + 1"), "ERR 1:6: found no matching overload for '_+_' applied to '(string, int)'");
	CHECK_STR(check_str("P.id.startsWith(1)"), "ERR 1:16: found no matching overload for 'startsWith' applied to 'string.(int)'");
	CHECK_STR(check_str("P.unknownField == 1"), "ERR 1:2: undefined field 'unknownField'");
	CHECK_STR(check_str("request.auxData == {}"), "ERR 1:17: found no matching overload for '_==_' applied to '(cerbos.engine.v1.AuxData, map(dyn, dyn))'");
	CHECK_STR(check_str("R.attr == null"), "ERR 1:8: found no matching overload for '_==_' applied to '(map(string, dyn), null)'");
	CHECK_STR(check_str("inIPAddrRange(P.attr.ip, '10.0.0.0/8')"), "ERR 1:14: found no matching overload for 'inIPAddrRange' applied to '(dyn, string)'");
	CHECK_STR(check_str("duration('1h') * 2"), "ERR 1:16: found no matching overload for '_*_' applied to '(duration, int)'");
	CHECK_STR(check_str("R.policy_version == R.policyVersion"), "bool");
	CHECK_STR(check_str("runtime.effectiveDerivedRoles"), "list(string)");
	CHECK_STR(check_str(".R.id"), "string");
	CHECK_STR(check_str("request.aux_data.jwt.iss"), "dyn");
	CHECK_STR(check_str("request.auxData.jwts == 1"), "ERR 1:22: found no matching overload for '_==_' applied to '(map(string, cerbos.engine.v1.AuxData.JWT), int)'");
	CHECK_STR(check_str("'A' in request.auxData.jwts.token_b.claims.customArray"), "bool");
	CHECK_STR(check_str("request.auxData.jwts.a.foo"), "ERR 1:23: undefined field 'foo'");
	CHECK_STR(check_str("R == null && type(R) == int"), "bool");
	CHECK_STR(check_str("P.roles.exists(r, r == 'admin')"), "bool");

	/* literal arguments Cerbos validates when compiling */
	CHECK_STR(check_str("timestamp('0000-01-01T00:00:00Z')"), "ERR 1:11: invalid timestamp argument");
	CHECK_STR(check_str("timestamp(253402300800)"), "ERR 1:11: invalid timestamp argument");
	CHECK(error_count("duration('200000000000s') + duration('200000000000s')") == 2);
	CHECK_STR(check_str("duration('1x')"), "ERR 1:10: invalid duration argument");
	CHECK_STR(check_str("ip('::ffff:192.168.0.1')"), "ERR 1:4: invalid ip argument: IPv4-mapped IPv6 address \"::ffff:192.168.0.1\" is not allowed");
	CHECK_STR(check_str("'abc'.matches('(')"), "ERR 1:15: invalid matches argument");
	CHECK_STR(check_str("\"%a\".format([1])"), "ERR 1:12: could not parse formatting clause: unrecognized formatting clause \"a\"");
	CHECK_STR(check_str("timestamp('2024-01-01T00:00:00Z')"), "timestamp");

	/* checking twice (after rewrites and folding) gives the same answer */
	{
		const char *src = "optional.of(y.z).hasValue() && .R.id == 'a' + 'b' && b.c.size() > 1";
		DiagList	d;
		CelAst	   *ast;
		CelEnv	   *env = cel_env_cerbos(arena);
		const char *first;

		cel_env_declare(env, "y.z", &cel_type_int);
		cel_env_declare(env, "b.c", &cel_type_string);
		diag_init(&d, arena);
		ast = cel_parse(arena, src, strlen(src), NULL, &d);
		CHECK(ast != NULL && cel_check(env, ast, arena, &d));
		first = ast ? arena_strdup(arena, dump_ast(ast)) : "";
		CHECK_STR(first, "_&&_(_&&_(optional.of(y.z).hasValue(), _==_(R.id, \"ab\")), _>_(b.c.size(), 1))");
		CHECK(ast != NULL && cel_check(env, ast, arena, &d));
		CHECK_STR(ast ? dump_ast(ast) : "", first);
	}

	/* cel-go's display form, as the conformance data records Cerbos' errors */
	{
		const char *src = "'less filling' && 'tastes great'";
		DiagList	d;
		CelAst	   *ast;

		diag_init(&d, arena);
		ast = cel_parse(arena, src, strlen(src), NULL, &d);
		CHECK(ast != NULL && !cel_check(cel_env_cerbos(arena), ast, arena, &d));
		CHECK_STR(cel_errors_display(arena, src, strlen(src), &d),
				  "ERROR: <input>:1:1: expected type 'bool' but found 'string'\n"
				  " | 'less filling' && 'tastes great'\n"
				  " | ^\n"
				  "ERROR: <input>:1:19: expected type 'bool' but found 'string'\n"
				  " | 'less filling' && 'tastes great'\n"
				  " | ..................^");
		src = "1 +\n\t2 + 'a'";
		diag_init(&d, arena);
		ast = cel_parse(arena, src, strlen(src), NULL, &d);
		CHECK(ast != NULL && !cel_check(cel_env_cerbos(arena), ast, arena, &d));
		CHECK_STR(cel_errors_display(arena, src, strlen(src), &d),
				  "ERROR: <input>:2:4: found no matching overload for '_+_' applied to '(int, string)'\n"
				  " |  2 + 'a'\n"
				  " | ...^");
	}

	/* cost stays linear: 3000 comparisons of dyn against literals */
	{
		static char big[64 * 1024];
		Arena	   *a = arena_create(NULL, 0);
		DiagList	d;
		CelAst	   *ast;
		size_t		n = 0;
		CelParseOptions o = {0, sizeof(big), 0};

		for (int i = 0; i < 3000; i++)
			n += (size_t) snprintf(big + n, sizeof(big) - n, "%sR.attr.x == %d",
								   i ? " || " : "", i);
		diag_init(&d, a);
		ast = cel_parse(a, big, n, &o, &d);
		CHECK(ast != NULL);
		CHECK(ast != NULL && cel_check(cel_env_cerbos(a), ast, a, &d));
		CHECK(a->total < 32 * 1024 * 1024);
		arena_destroy(a);
	}

	arena_destroy(arena);
	UNIT_DONE("test_cel_check");
}
