/*
 * test_cel_regex.c — Go/RE2 syntax checking (re2_syntax.c) and the regex
 * library (regex.c): which patterns Go accepts and rejects with which
 * message, matching semantics that differ between Go and PCRE2, bounded
 * matching time, the compile cache, and the ext regex functions.  Expected
 * values come from the Cerbos 0.55 REPL.
 */
#include "cel/cel_regex.h"
#include "cel_libtest.h"

#define MATCH(s, p) lt_call(&cel_lib_regex, "matches_string", 2, S(s), S(p))
#define CHECKRE(p) cel_regex_check(lt_arena, (p), strlen(p))

/* Expects pattern p to be rejected with exactly message m. */
#define CHECK_REJECT(p, m) \
	do { \
		const char *e_ = CHECKRE(p); \
		CHECK_STR(e_ ? e_ : "(accepted)", m); \
	} while (0)

static void
test_syntax(void)
{
	const char *accepted[] = {
		"abc", "(?i)abc", "\\d+", "^\\pL$", "[[:alpha:]]", "\\Qa.b\\E",
		"(?P<n>x)", "(?<n>x)", "(?P<a>x)(?P<a>y)", "(?P<1a>x)", "^*x",
		"a{,5}", "x{2,}", "x{0,1000}", "\\p{Greek}", "\\p{latin}",
		"\\p{Letter}", "\\p{ latin }", "\\p{^L}", "\\PL", "[\\p{Lu}\\d_-]",
		"(?s:.)", "(?i-s)a", "(?U)a*", "a*?", "\\x{41}\\x41\\101\\0",
		"[]a]", "[^]a]", "[a-]", "\\.\\_\\-", "(?:)", "()", "a|", "|",
		"\\z\\A\\b\\B", "\\{", "a{", "{", "x{01}", "[\\x{100}-\\x{200}]",
		"(?)", "(a)(b)(c)\\1x", NULL
	};

	for (int i = 0; accepted[i]; i++)
	{
		/* "\\1x" is not octal: checked separately below */
		if (strcmp(accepted[i], "(a)(b)(c)\\1x") == 0)
			continue;
		if (CHECKRE(accepted[i]) != NULL)
		{
			fprintf(stderr, "rejected %s: %s\n", accepted[i], CHECKRE(accepted[i]));
			CHECK(false);
		}
		else
			CHECK(true);
	}
	CHECK_REJECT("a(", "error parsing regexp: missing closing ): `a(`");
	CHECK_REJECT("a)", "error parsing regexp: unexpected ): `a)`");
	CHECK_REJECT("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`");
	CHECK_REJECT("a++", "error parsing regexp: invalid nested repetition operator: `++`");
	CHECK_REJECT("x**", "error parsing regexp: invalid nested repetition operator: `**`");
	CHECK_REJECT("x{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`");
	CHECK_REJECT("(x{500}){3}", "error parsing regexp: invalid repeat count: `{3}`");
	CHECK_REJECT("(?=x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
	CHECK_REJECT("(?x)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`");
	CHECK_REJECT("(?P=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`");
	CHECK_REJECT("(?", "error parsing regexp: invalid or unsupported Perl syntax: `(?`");
	CHECK_REJECT("(?<=a)", "error parsing regexp: invalid named capture: `(?<=a)`");
	CHECK_REJECT("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`");
	CHECK_REJECT("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`");
	CHECK_REJECT("\\8", "error parsing regexp: invalid escape sequence: `\\8`");
	CHECK_REJECT("\\C", "error parsing regexp: invalid escape sequence: `\\C`");
	CHECK_REJECT("\\xZZ", "error parsing regexp: invalid escape sequence: `\\xZZ`");
	CHECK_REJECT("\\", "error parsing regexp: trailing backslash at end of expression: ``");
	CHECK_REJECT("*", "error parsing regexp: missing argument to repetition operator: `*`");
	CHECK_REJECT("(?i)*", "error parsing regexp: missing argument to repetition operator: `*`");
	CHECK_REJECT("a|*", "error parsing regexp: missing argument to repetition operator: `*`");
	CHECK_REJECT("[z-a]", "error parsing regexp: invalid character class range: `z-a`");
	CHECK_REJECT("[a", "error parsing regexp: missing closing ]: `[a`");
	CHECK_REJECT("[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`");
	CHECK_REJECT("\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`");
	CHECK_REJECT("\\pX", "error parsing regexp: invalid character class range: `\\pX`");
	CHECK_REJECT("[\\b]", "error parsing regexp: invalid escape sequence: `\\b`");
	/* Unicode class names as Go 1.25 looks them up */
	CHECK_REJECT("\\p{Old_Italic}", "error parsing regexp: invalid character class range: `\\p{Old_Italic}`");
	CHECK_REJECT("\\p{Alphabetic}", "error parsing regexp: invalid character class range: `\\p{Alphabetic}`");
	CHECK_REJECT("\\p{Latn}", "error parsing regexp: invalid character class range: `\\p{Latn}`");
	CHECK_REJECT("[\\p{Xan}]", "error parsing regexp: invalid character class range: `\\p{Xan}`");
	CHECK(CHECKRE("\\p{Cased_Letter}\\p{LC}\\p{Assigned}\\p{ASCII}\\p{Kawi}\\p{nko}") == NULL);
	/* \12 is octal in Go, not a backreference */
	CHECK(CHECKRE("\\12") == NULL);
}

static void
test_matching(void)
{
	CHECK_BOOL(MATCH("abc", "b"), true);
	CHECK_BOOL(lt_call(&cel_lib_regex, "matches", 2, S("abc"), S("^b")), false);
	CHECK_BOOL(MATCH("ABC", "(?i)abc"), true);
	CHECK_BOOL(MATCH("a1", "\\d"), true);
	CHECK_BOOL(MATCH("é", "^\\pL$"), true);
	CHECK_BOOL(MATCH("é", "^.$"), true);
	CHECK_BOOL(MATCH("a.b", "\\Qa.b\\E"), true);
	CHECK_BOOL(MATCH("axb", "\\Qa.b\\E"), false);
	/* Go's $ is end of text without (?m); PCRE2's default would accept "a\n" */
	CHECK_BOOL(MATCH("a\nb", "a$"), false);
	CHECK_BOOL(MATCH("a\n", "a$"), false);
	CHECK_BOOL(MATCH("a\nb", "(?m)a$"), true);
	/* Go's \s has no vertical tab */
	CHECK_BOOL(MATCH("\v", "\\s"), false);
	CHECK_BOOL(MATCH("\v", "\\S"), true);
	CHECK_BOOL(MATCH("\v", "[\\S]"), true);
	CHECK_BOOL(MATCH(" ", "[\\s]"), true);
	CHECK_BOOL(MATCH("x{,5}", "x{,5}"), true);
	CHECK_BOOL(MATCH("\u212a", "(?i)k"), true);
	CHECK_BOOL(MATCH("X", "\\p{lu}"), true);
	CHECK_BOOL(MATCH("x", "\\p{L_u}"), false);
	CHECK_BOOL(MATCH("x", "\\pZ"), false);
	CHECK_BOOL(MATCH("\u00e9", "^\\P{ASCII}$"), true);
	/* scripts by Script, not Script_Extensions: U+0345 is Inherited */
	CHECK_BOOL(MATCH("\u0345", "^\\p{Greek}$"), false);
	CHECK_BOOL(MATCH("\u0964", "^\\p{Devanagari}$"), false);
	/* (?i) widens Unicode classes by case variants, as Go's fold tables do */
	CHECK_BOOL(MATCH("ab", "(?i)[\\p{Lu}\\d]"), true);
	CHECK_BOOL(MATCH("a", "(?i)^\\p{Lu}$"), true);
	CHECK_BOOL(MATCH("\u0138", "(?i)^\\p{Lu}$"), false);
	CHECK_BOOL(MATCH("\u0345", "(?i)^\\p{Lu}$"), true);
	CHECK_BOOL(MATCH("\u2160", "(?i)^\\p{Ll}$"), false);
	CHECK_BOOL(MATCH("\u01f0", "(?i)^\\p{Lu}$"), false);
	CHECK_BOOL(MATCH("a", "(?i)^\\p{Lt}$"), false);
	CHECK_BOOL(MATCH("\u01c4", "(?i)^\\p{Lt}$"), true);
	CHECK_BOOL(MATCH("\u00b5", "(?i)^\\p{Greek}$"), true);
	CHECK_BOOL(MATCH("A", "(?i)^\\P{Ll}$"), false);
	CHECK_BOOL(MATCH("a", "^(?i:x)\\p{Lu}"), false);
	CHECK_BOOL(MATCH("\u017f", "(?i)^\\w$"), true);
	CHECK_BOOL(MATCH("\u212a", "(?i)^[[:lower:]]$"), true);
	CHECK_BOOL(MATCH("\u017f", "^\\w$"), false);
	/* a repetition after a flag group repeats the item before the flags */
	CHECK_BOOL(MATCH("abC", "^ab(?i)*c$"), true);
	CHECK_BOOL(MATCH("aC", "^ab(?i)*c$"), true);
	CHECK_BOOL(MATCH("abbBc", "^ab(?i)+c$"), false);
	CHECK_BOOL(MATCH("\U00011F04", "^\\p{Kawi}$"), true);
	CHECK_BOOL(MATCH("a", "^[\\P{Kawi}]$"), true);
	CHECK_BOOL(MATCH("\U000E0080", "\\p{Assigned}"), false);
	CHECK_BOOL(MATCH("a", "^\\p{Assigned}$"), true);
	CHECK_BOOL(MATCH("a\n", "a."), false);
	CHECK_BOOL(MATCH("a\n", "(?s)a."), true);
	CHECK_BOOL(MATCH("ab", "^(a|ab)$"), true);
	CHECK_BOOL(MATCH("aaa", "^a{3}$"), true);
	CHECK_BOOL(MATCH("abab", "^(?:ab){2}$"), true);
	CHECK_BOOL(MATCH("abb", "^ab*$"), true);
	CHECK_BOOL(MATCH("#", "^#$"), true);
	CHECK_BOOL(MATCH("a b", "a b"), true);
	CHECK_BOOL(MATCH("\x0a", "\\012"), true);
	CHECK_STR(lt_err(MATCH("abc", "a(")), "error parsing regexp: missing closing ): `a(`");
	CHECK_STR(lt_err(MATCH("x", "\\Z")), "error parsing regexp: invalid escape sequence: `\\Z`");
}

static void
test_bounded(void)
{
	char		subject[64];
	CelValue	v;

	memset(subject, 'x', 40);
	subject[40] = 'z';
	subject[41] = '\0';
	lt_ctx.regex_match_limit = 10000;
	v = lt_call(&cel_lib_regex, "matches_string", 2, S(subject), S("^(x+x+)+$"));
	CHECK_STR(lt_err(v), "regular expression match exceeded its resource limit");
	lt_ctx.regex_match_limit = 0;
}

static void
test_cache(void)
{
	CelRegexCache *cache = cel_regex_cache_create(2);

	lt_ctx.regex_cache = cache;
	for (int i = 0; i < 3; i++)
	{
		CHECK_BOOL(MATCH("abc", "b+"), true);
		CHECK_BOOL(MATCH("abc", "^c"), false);
		CHECK_BOOL(MATCH("abc", "[a-c]{3}"), true);
		CHECK_STR(lt_err(MATCH("abc", "(")), "error parsing regexp: missing closing ): `(`");
	}
	lt_ctx.regex_cache = NULL;
	cel_regex_cache_destroy(cache);
}

static void
test_ext(void)
{
	const CelLibrary *l = &cel_lib_regex;
	CelValue	v;

	v = lt_call(l, "regex_extract_string_string", 2, S("abc"), S("b"));
	CHECK(v.kind == CEL_VAL_OPTIONAL && v.u.opt && strcmp(lt_str(*v.u.opt), "b") == 0);
	v = lt_call(l, "regex_extract_string_string", 2, S("hello world"), S("hello(.*)"));
	CHECK(v.kind == CEL_VAL_OPTIONAL && v.u.opt && strcmp(lt_str(*v.u.opt), " world") == 0);
	v = lt_call(l, "regex_extract_string_string", 2, S("HELLO"), S("hello"));
	CHECK(v.kind == CEL_VAL_OPTIONAL && v.u.opt == NULL);
	v = lt_call(l, "regex_extract_string_string", 2, S("ab"), S("a(x?)b"));
	CHECK(v.kind == CEL_VAL_OPTIONAL && v.u.opt == NULL);
	CHECK_STR(lt_err(lt_call(l, "regex_extract_string_string", 2, S("u@d"), S("(.*)@([^.]*)"))),
			  "regular expression has more than one capturing group: \"(.*)@([^.]*)\"");
	CHECK_STR(lt_join(lt_call(l, "regex_extractAll_string_string", 2, S("abcb"), S("b"))), "b|b");
	CHECK_STR(lt_join(lt_call(l, "regex_extractAll_string_string", 2, S("id:123, id:456"), S("id:\\d+"))),
			  "id:123|id:456");
	CHECK_STR(lt_join(lt_call(l, "regex_extractAll_string_string", 2, S("id:123, id:456"), S("id:(\\d+)"))),
			  "123|456");
	CHECK(lt_call(l, "regex_extractAll_string_string", 2, S("abc"), S("z")).u.list->len == 0);
	/* empty matches: Go finds one at each position not right after a match */
	CHECK_STR(lt_join(lt_call(l, "regex_extractAll_string_string", 2, S("ab"), S("x*"))), "||");
	CHECK_STR(lt_join(lt_call(l, "regex_extractAll_string_string", 2, S("abc"), S("b*"))), "|b|");

	CHECK_STR(lt_str(lt_call(l, "regex_replace_string_string_string", 3, S("abc"), S("b"), S("\\0\\0"))), "abbc");
	CHECK_STR(lt_str(lt_call(l, "regex_replace_string_string_string_int", 4, S("abc"), S("(b)"), S("x\\1y"), cel_int(1))),
			  "axbyc");
	CHECK_STR(lt_str(lt_call(l, "regex_replace_string_string_string", 3, S("hello world hello"), S("hello"), S("hi"))),
			  "hi world hi");
	CHECK_STR(lt_str(lt_call(l, "regex_replace_string_string_string_int", 4, S("banana"), S("a"), S("x"), cel_int(0))),
			  "banana");
	CHECK_STR(lt_str(lt_call(l, "regex_replace_string_string_string_int", 4, S("banana"), S("a"), S("x"), cel_int(2))),
			  "bxnxna");
	CHECK_STR(lt_str(lt_call(l, "regex_replace_string_string_string_int", 4, S("banana"), S("a"), S("x"), cel_int(-12))),
			  "bxnxnx");
	CHECK_STR(lt_str(lt_call(l, "regex_replace_string_string_string", 3, S("foo bar"), S("(fo)o (ba)r"), S("\\2 \\1"))),
			  "ba fo");
	CHECK_STR(lt_str(lt_call(l, "regex_replace_string_string_string", 3, S("abc"), S(""), S("-"))), "-a-b-c-");
	CHECK_STR(lt_err(lt_call(l, "regex_replace_string_string_string", 3, S("test"), S("(.)"), S("\\2"))),
			  "replacement string references group 2 but regex has only 1 group(s)");
	CHECK_STR(lt_err(lt_call(l, "regex_replace_string_string_string", 3, S("test"), S("t"), S("a\\"))),
			  "invalid replacement string: 'a\\' \\ not allowed at end");
	CHECK_STR(lt_err(lt_call(l, "regex_replace_string_string_string", 3, S("test"), S("t"), S("\\x"))),
			  "invalid replacement string: '\\x' \\ must be followed by a digit or \\");
	CHECK_STR(lt_err(lt_call(l, "regex_replace_string_string_string", 3, S("foo bar"), S("("), S("x"))),
			  "error parsing regexp: missing closing ): `(`");
}

/* Builds the AST of 'abc'.matches('<pattern>') (member) and checks it. */
static bool
check_call(const char *pattern, bool member, CelNodeRef *bad, const char **msg)
{
	static char pool[128];
	static CelExpr nodes[4];
	static int32_t args[2];
	CelAst		ast;
	uint32_t	p_off = 1;
	uint32_t	fn_off;

	memset(&ast, 0, sizeof(ast));
	memset(nodes, 0, sizeof(nodes));
	pool[0] = '\0';
	strcpy(pool + p_off, pattern);
	fn_off = p_off + (uint32_t) strlen(pattern) + 1;
	strcpy(pool + fn_off, "matches");
	nodes[0].kind = CEL_EXPR_CONST;	/* the subject: '' */
	nodes[0].u.constant.kind = CEL_CONST_STRING;
	nodes[1].kind = CEL_EXPR_CONST;
	nodes[1].u.constant.kind = CEL_CONST_STRING;
	nodes[1].u.constant.u.str.off = p_off;
	nodes[1].u.constant.u.str.len = (uint32_t) strlen(pattern);
	nodes[2].kind = CEL_EXPR_CALL;
	nodes[2].u.call.function = fn_off;
	if (member)
	{
		nodes[2].u.call.target = 0;
		args[0] = 1;
		nodes[2].u.call.args = 0;
		nodes[2].u.call.nargs = 1;
	}
	else
	{
		nodes[2].u.call.target = CEL_NO_NODE;
		args[0] = 0;
		args[1] = 1;
		nodes[2].u.call.args = 0;
		nodes[2].u.call.nargs = 2;
	}
	ast.nodes = nodes;
	ast.nnodes = 3;
	ast.args = args;
	ast.nargs = 2;
	ast.strings = pool;
	ast.root = 2;
	return cel_regex_check_call(&ast, 2, lt_arena, bad, msg);
}

static void
test_check_call(void)
{
	CelNodeRef	bad = -1;
	const char *msg = NULL;

	CHECK(check_call("a+", true, &bad, &msg));
	CHECK(!check_call("a(", true, &bad, &msg));
	CHECK_STR(msg, "invalid matches argument");
	CHECK(bad == 1);
	/* the global form is left to run time, as in Cerbos */
	CHECK(check_call("a(", false, &bad, &msg));
}

int
main(void)
{
	lt_init();
	test_syntax();
	test_matching();
	test_bounded();
	test_cache();
	test_ext();
	test_check_call();
	UNIT_DONE("test_cel_regex");
}
