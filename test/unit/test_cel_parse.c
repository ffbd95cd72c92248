/*
 * test_cel_parse.c — the CEL lexer and parser: literals and escapes,
 * precedence, optional syntax, macro expansion shapes, positions and
 * syntax errors, and the depth limits.
 */
#include "cel/cel.h"
#include "cel_ast_dump.h"
#include "unit.h"

static Arena *arena;

/* Parses and renders; errors rendered as "ERR line:col: message". */
static const char *
parse_str(const char *src)
{
	static char buf[8192];
	DiagList	d;
	CelAst	   *ast;

	diag_init(&d, arena);
	ast = cel_parse(arena, src, strlen(src), NULL, &d);
	if (ast == NULL)
	{
		if (d.count == 0)
			return "ERR (no diag)";
		snprintf(buf, sizeof(buf), "ERR %d:%d: %s", d.items[0].line, d.items[0].column,
				 d.items[0].message);
		return buf;
	}
	return dump_ast(ast);
}

/* Offset of the root node. */
static int
root_offset(const char *src)
{
	DiagList	d;
	CelAst	   *ast;

	diag_init(&d, arena);
	ast = cel_parse(arena, src, strlen(src), NULL, &d);
	return ast ? ast->nodes[ast->root].offset : -1;
}

int
main(void)
{
	arena = arena_create(NULL, 0);

	/* literals */
	CHECK_STR(parse_str("0"), "0");
	CHECK_STR(parse_str("-9223372036854775808"), "-9223372036854775808");
	CHECK_STR(parse_str("9223372036854775808"), "ERR 1:1: invalid int literal");
	CHECK_STR(parse_str("18446744073709551615u"), "18446744073709551615u");
	CHECK_STR(parse_str("18446744073709551616u"), "ERR 1:1: invalid uint literal");
	CHECK_STR(parse_str("0x1F"), "31");
	CHECK_STR(parse_str("-0x10"), "-16");
	CHECK_STR(parse_str("0xFFu"), "255u");
	CHECK_STR(parse_str("1.5e3"), "1500");
	CHECK_STR(parse_str(".5"), "0.5");
	CHECK_STR(parse_str("1e-2"), "0.01");
	CHECK_STR(parse_str("-(5u)"), "-_(5u)");
	CHECK_STR(parse_str("--5"), "5");
	CHECK_STR(parse_str("---x"), "-_(x)");
	CHECK_STR(parse_str("!!true"), "true");
	CHECK_STR(parse_str("!x"), "!_(x)");
	CHECK_STR(parse_str("'a\\tb'"), "\"a\tb\"");
	CHECK_STR(parse_str("\"\\u00e9\""), "\"\xc3\xa9\"");
	CHECK_STR(parse_str("'\\xFF'"), "\"\xc3\xbf\"");
	CHECK_STR(parse_str("b'\\xFF\\377a'"), "b\"\\xff\\xff\\x61\"");
	CHECK_STR(parse_str("b'\\u00e9'"), "ERR 1:1: unable to unescape string");
	CHECK_STR(parse_str("'\\ud800'"), "ERR 1:1: unable to unescape string");
	CHECK_STR(parse_str("'\\U0001F600'"), "\"\xf0\x9f\x98\x80\"");
	CHECK_STR(parse_str("r'a\\nb'"), "\"a\\nb\"");
	CHECK_STR(parse_str("'''a\nb'''"), "\"a\nb\"");
	CHECK_STR(parse_str("\"\"\"x\"y\"\"\""), "\"x\"y\"");
	CHECK_STR(parse_str("b\"\xc3\xbf\""), "b\"\\xc3\\xbf\"");
	CHECK_STR(parse_str("'\\q'"), "ERR 1:1: Syntax error: token recognition error at: ''\\q'");
	CHECK_STR(parse_str("'abc"), "ERR 1:1: Syntax error: token recognition error at: ''abc'");
	CHECK_STR(parse_str("null"), "null");

	/* precedence and associativity */
	CHECK_STR(parse_str("1 + 2 * 3 - 4"), "_-_(_+_(1, _*_(2, 3)), 4)");
	CHECK_STR(parse_str("a < b == c"), "_==_(_<_(a, b), c)");
	CHECK_STR(parse_str("a || b && c"), "_||_(a, _&&_(b, c))");
	CHECK_STR(parse_str("a || b || c || d"), "_||_(_||_(a, b), _||_(c, d))");
	CHECK_STR(parse_str("a && b && c"), "_&&_(_&&_(a, b), c)");
	CHECK_STR(parse_str("a ? b : c ? d : e"), "_?_:_(a, b, _?_:_(c, d, e))");
	CHECK_STR(parse_str("x in [1, 2,]"), "@in(x, [1, 2])");
	CHECK_STR(parse_str("a.b.c[0]"), "_[_](a.b.c, 0)");
	CHECK_STR(parse_str("a.f(1).g()"), "a.f(1).g()");
	CHECK_STR(parse_str("-a.b"), "-_(a.b)");
	CHECK_STR(parse_str("{'a': 1, 2: [3]}"), "{\"a\": 1, 2: [3]}");
	CHECK_STR(parse_str("a.`b-c`"), "a.b-c");
	CHECK_STR(parse_str("google.protobuf.Int64Value{value: 1}"), "google.protobuf.Int64Value{value: 1}");
	CHECK_STR(parse_str(".x"), ".x");

	/* optional syntax */
	CHECK_STR(parse_str("a.?b"), "_?._(a, \"b\")");
	CHECK_STR(parse_str("a[?0]"), "_[?_](a, 0)");
	CHECK_STR(parse_str("[?a, b]"), "[?a, b]");
	CHECK_STR(parse_str("{?'k': v}"), "{?\"k\": v}");

	/* macros */
	CHECK_STR(parse_str("has(a.b)"), "a.b~test");
	CHECK_STR(parse_str("has(a)"), "ERR 1:5: invalid argument to has() macro");
	CHECK_STR(parse_str("l.all(x, x > 0)"),
			  "__comp__(x, l, @result, true, @not_strictly_false(@result), _&&_(@result, _>_(x, 0)), @result)");
	CHECK_STR(parse_str("l.exists(x, p)"),
			  "__comp__(x, l, @result, false, @not_strictly_false(!_(@result)), _||_(@result, p), @result)");
	CHECK_STR(parse_str("l.exists_one(x, p)"),
			  "__comp__(x, l, @result, 0, true, _?_:_(p, _+_(@result, 1), @result), _==_(@result, 1))");
	CHECK_STR(parse_str("l.map(x, x * 2)"),
			  "__comp__(x, l, @result, [], true, _+_(@result, [_*_(x, 2)]), @result)");
	CHECK_STR(parse_str("l.map(x, x > 1, x)"),
			  "__comp__(x, l, @result, [], true, _?_:_(_>_(x, 1), _+_(@result, [x]), @result), @result)");
	CHECK_STR(parse_str("l.filter(x, p)"),
			  "__comp__(x, l, @result, [], true, _?_:_(p, _+_(@result, [x]), @result), @result)");
	CHECK_STR(parse_str("m.all(k, v, v > k)"),
			  "__comp__(k,v, m, @result, true, @not_strictly_false(@result), _&&_(@result, _>_(v, k)), @result)");
	CHECK_STR(parse_str("m.transformMap(k, v, v + 1)"),
			  "__comp__(k,v, m, @result, {}, true, cel.@mapInsert(@result, k, _+_(v, 1)), @result)");
	CHECK_STR(parse_str("m.transformList(i, v, i < 2, v)"),
			  "__comp__(i,v, m, @result, [], true, _?_:_(_<_(i, 2), _+_(@result, [v]), @result), @result)");
	CHECK_STR(parse_str("m.all(k, k, true)"), "ERR 1:10: duplicate variable name: k");
	CHECK_STR(parse_str("cel.bind(x, 1, x + 1)"),
			  "__comp__(#unused, [], x, 1, false, x, _+_(x, 1))");
	CHECK_STR(parse_str("cel.bind(x.y, 1, 2)"),
			  "ERR 1:11: cel.bind() variable names must be simple identifiers");
	CHECK_STR(parse_str("o.optMap(v, v + 1)"),
			  "_?_:_(o.hasValue(), optional.of(__comp__(#unused, [], v, o.value(), false, v, _+_(v, 1))), optional.none())");
	CHECK_STR(parse_str("math.greatest(1, 2, 3)"), "math.@max([1, 2, 3])");
	CHECK_STR(parse_str("math.least(x)"), "math.@min(x)");
	CHECK_STR(parse_str("math.greatest('a', 1)"),
			  "ERR 1:15: math.greatest() simple literal arguments must be numeric");
	CHECK_STR(parse_str("l.sortBy(e, -e)"),
			  "__comp__(#unused, [], @__sortBy_input__, l, false, @__sortBy_input__, @__sortBy_input__.@sortByAssociatedKeys(__comp__(e, @__sortBy_input__, @result, [], true, _+_(@result, [-_(e)]), @result)))");
	CHECK_STR(parse_str("l.all(x.y, true)"), "ERR 1:8: argument must be a simple name");
	CHECK_STR(parse_str("x.bind(a, b, c)"), "x.bind(a, b, c)");

	/* positions: operators at their token, calls at '(' */
	CHECK(root_offset("a + b") == 2);
	CHECK(root_offset("f_unknown(17)") == 9);
	CHECK(root_offset("42.charAt(2)") == 9);
	CHECK(root_offset("a.b") == 1);
	CHECK(root_offset("x[1]") == 1);
	CHECK(root_offset("  [1]") == 2);
	CHECK(root_offset("true ? 1 : 2") == 5);

	/* line and column: columns count code points, lines start after '\n' */
	{
		int			line,
					col;

		cel_offset_position("ab\ncd", 4, &line, &col);
		CHECK(line == 2 && col == 2);
		cel_offset_position("'\xc3\xa9\xc3\xa9' + x", 7, &line, &col);
		CHECK(line == 1 && col == 6);
		cel_offset_position("x", 0, &line, &col);
		CHECK(line == 1 && col == 1);
	}

	/* syntax errors */
	CHECK_STR(parse_str("1 +"), "ERR 1:4: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}");
	CHECK_STR(parse_str("a b"), "ERR 1:3: Syntax error: extraneous input 'b' expecting <EOF>");
	CHECK_STR(parse_str("(1"), "ERR 1:3: Syntax error: missing ')' at '<EOF>'");
	CHECK_STR(parse_str("[1, 2"), "ERR 1:6: Syntax error: mismatched input '<EOF>' expecting {']', ','}");
	CHECK_STR(parse_str("1 ? 2"), "ERR 1:6: Syntax error: mismatched input '<EOF>' expecting ':'");
	CHECK_STR(parse_str("R.attr.x."), "ERR 1:10: Syntax error: no viable alternative at input '.'");
	CHECK_STR(parse_str("1e400"), "ERR 1:1: invalid double literal");
	CHECK_STR(parse_str("a\n  # b"), "ERR 2:3: Syntax error: token recognition error at: '#'");
	CHECK_STR(parse_str("if"), "ERR 1:1: reserved identifier: if");
	CHECK_STR(parse_str("a.if"), "a.if");
	CHECK_STR(parse_str("a = b"), "ERR 1:3: Syntax error: token recognition error at: '= '");
	CHECK_STR(parse_str("'\xc3\xa9' + #"), "ERR 1:7: Syntax error: token recognition error at: '#'");

	/* a NUL byte inside a literal is an ordinary character, as in cel-go */
	{
		DiagList	d;
		CelAst	   *ast;

		diag_init(&d, arena);
		ast = cel_parse(arena, "b'a\0b'", 6, NULL, &d);
		CHECK(ast != NULL && ast->nodes[ast->root].u.constant.kind == CEL_CONST_BYTES &&
			  ast->nodes[ast->root].u.constant.u.str.len == 3);
		ast = cel_parse(arena, "a\0", 2, NULL, &d);
		CHECK(ast == NULL);
	}

	/* depth limits: errors, never stack exhaustion */
	{
		static char deep[200001];
		int			i;

		for (i = 0; i < 100000; i++)
			deep[i] = '(';
		deep[i] = '\0';
		CHECK(strstr(parse_str(deep), "expression recursion limit exceeded: 250") != NULL);
		for (i = 0; i < 100000; i++)
		{
			deep[2 * i] = i ? '+' : '1';
			deep[2 * i + 1] = '1';
		}
		deep[2 * i] = '\0';
		CHECK(strstr(parse_str(deep), "max recursion depth exceeded") != NULL ||
			  strstr(parse_str(deep), "exceeds") != NULL);
		for (i = 0; i < 300; i++)
			deep[i] = '[';
		deep[i] = '\0';
		CHECK(strstr(parse_str(deep), "expression recursion limit exceeded: 250") != NULL);
		CHECK_STR(parse_str("((((((((((1))))))))))"), "1");
		/* the boundaries Cerbos 0.55 has (measured with cerbos compile) */
		for (i = 0; i < 249; i++)
			deep[i] = '(';
		deep[i++] = '1';
		for (int j = 0; j < 249; j++)
			deep[i++] = ')';
		deep[i] = '\0';
		CHECK_STR(parse_str(deep), "1");
		memmove(deep + 1, deep, strlen(deep) + 1);
		deep[0] = '(';
		strcat(deep, ")");
		CHECK(strstr(parse_str(deep), "expression recursion limit exceeded: 250") != NULL);
		strcpy(deep, "1");
		for (i = 1; i < 250; i++)
			strcat(deep, "+1");
		strcat(deep, ">0");		/* tree height 251: accepted */
		CHECK(strncmp(parse_str(deep), "ERR", 3) != 0);
		strcpy(deep, "1");
		for (i = 1; i < 251; i++)
			strcat(deep, "+1");
		strcat(deep, ">0");		/* height 252 */
		CHECK(strstr(parse_str(deep), "max recursion depth exceeded") != NULL);
	}

	arena_destroy(arena);
	UNIT_DONE("test_cel_parse");
}
