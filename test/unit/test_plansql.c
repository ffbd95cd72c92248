/*
 * test_plansql.c — plan filters printed as CEL and as SQL.
 *
 * CEL: the exact text for each operator, then the text evaluated with the
 * CEL engine against sample resources (so a wrong precedence or a wrong
 * receiver shows up as a wrong answer), and every conditional filter of
 * Cerbos' plan tests printed and type-checked.
 * SQL: the exact text for each operator and column type.
 */
#include <stdio.h>
#include <string.h>

#include "plansql/plansql.h"
#include "plansql/plansql_eval.h"
#include "engine/engine_int.h"
#include "policy_paths.h"
#include "unit.h"

static Arena *arena;

/* The CEL text of a filter given as JSON text. */
static const char *
cel_of(const char *filter_json)
{
	json_error_t jerr;
	json_t	   *j = json_loads(filter_json, 0, &jerr);
	const char *error = NULL;
	char	   *out;

	if (j == NULL)
		return "<bad json>";
	out = filter_to_cel(arena, j, &error);
	json_decref(j);
	return out ? out : arena_printf(arena, "<error: %s>", error);
}

/* Evaluates a filter's CEL for a resource whose attributes are attr_json:
 * 1 true, 0 false, -1 error, -2 compile error. */
static int
eval_filter(const char *filter_json, const char *attr_json)
{
	const char *text = cel_of(filter_json);
	const char *error = NULL;
	PlanSqlCel *c = plansql_cel_compile(arena, text, &error);
	json_t	   *attr;
	CelEvalContext ctx;
	int			r;

	if (c == NULL)
	{
		fprintf(stderr, "compile %s: %s\n", text, error);
		return -2;
	}
	attr = json_loads(attr_json, 0, NULL);
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.max_iterations = 100000;
	r = plansql_cel_eval(&ctx, c, engine_json_to_cel(arena, attr, 0), "z0");
	json_decref(attr);
	return r;
}

#define V(name) "{\"variable\":\"request.resource.attr." name "\"}"
#define VAL(json) "{\"value\":" json "}"
#define E(op, args) "{\"expression\":{\"operator\":\"" op "\",\"operands\":[" args "]}}"
#define LAMBDA(body, var) E("lambda", body ",{\"variable\":\"" var "\"}")

/* The text printed for each operator. */
static void
test_cel_text(void)
{
	CHECK_STR(cel_of(E("eq", V("owner") "," VAL("\"harry\""))),
			  "request.resource.attr.owner == \"harry\"");
	CHECK_STR(cel_of("{\"kind\":\"KIND_ALWAYS_ALLOWED\"}"), "true");
	CHECK_STR(cel_of("{\"filter\":{\"kind\":\"KIND_ALWAYS_DENIED\"}}"), "false");
	CHECK_STR(cel_of("{\"kind\":\"KIND_CONDITIONAL\",\"condition\":" E("ne", V("a") "," VAL("1.5")) "}"),
			  "request.resource.attr.a != 1.5");
	CHECK_STR(cel_of(E("and", E("lt", V("a") "," VAL("-2")) "," E("ge", V("b") "," VAL("2.0")) ","
						   E("not", V("c")))),
			  "(request.resource.attr.a < (-2)) && (request.resource.attr.b >= 2.0) && (!request.resource.attr.c)");
	CHECK_STR(cel_of(E("or", E("le", V("a") "," VAL("1")) "," E("gt", V("a") "," VAL("5")))),
			  "(request.resource.attr.a <= 1) || (request.resource.attr.a > 5)");
	CHECK_STR(cel_of(E("in", V("team") "," VAL("[\"A\",\"B\"]"))),
			  "request.resource.attr.team in [\"A\", \"B\"]");
	CHECK_STR(cel_of(E("if", V("x") "," VAL("[\"a\"]") "," VAL("[]"))),
			  "request.resource.attr.x ? [\"a\"] : []");
	CHECK_STR(cel_of(E("eq", E("add", VAL("1") "," E("mult", V("n") "," VAL("2"))) "," VAL("7"))),
			  "(1 + (request.resource.attr.n * 2)) == 7");
	CHECK_STR(cel_of(E("eq", E("sub", V("n") "," E("div", V("m") "," E("mod", V("k") "," VAL("3")))) ","
						   VAL("0"))),
			  "(request.resource.attr.n - (request.resource.attr.m / (request.resource.attr.k % 3))) == 0");
	CHECK_STR(cel_of(E("eq", E("index", V("m") "," VAL("\"k\"")) "," VAL("\"v\""))),
			  "request.resource.attr.m[\"k\"] == \"v\"");
	CHECK_STR(cel_of(E("in", VAL("\"a\"") "," E("list", V("x") "," VAL("\"b\"")))),
			  "\"a\" in [request.resource.attr.x, \"b\"]");
	CHECK_STR(cel_of(E("eq", E("struct", E("set-field", VAL("\"k\"") "," V("x"))) "," VAL("{\"k\":1}"))),
			  "{\"k\": request.resource.attr.x} == {\"k\": 1}");
	CHECK_STR(cel_of(E("eq", E("get-field", E("index", V("l") "," VAL("0")) ",{\"variable\":\"f\"}") ","
						   VAL("null"))),
			  "request.resource.attr.l[0].f == null");
	CHECK_STR(cel_of(E("startsWith", V("s") "," VAL("\"a\\\"b\""))),
			  "request.resource.attr.s.startsWith(\"a\\\"b\")");
	CHECK_STR(cel_of(E("hasIntersection", V("l") "," VAL("[\"a\"]"))),
			  "hasIntersection(request.resource.attr.l, [\"a\"])");
	CHECK_STR(cel_of(E("ancestorOf", E("hierarchy", V("s")) "," E("hierarchy", VAL("\"a.b\"")))),
			  "hierarchy(request.resource.attr.s).ancestorOf(hierarchy(\"a.b\"))");
	CHECK_STR(cel_of(E("lt", E("timeSince", E("timestamp", V("t"))) "," E("duration", VAL("\"1h\"")))),
			  "timeSince(timestamp(request.resource.attr.t)) < duration(\"1h\")");
	CHECK_STR(cel_of(E("size", V("l"))), "size(request.resource.attr.l)");
	CHECK_STR(cel_of(E("all", V("l") "," LAMBDA(E("ne", "{\"variable\":\"x\"}," VAL("1")), "x"))),
			  "request.resource.attr.l.all(x, x != 1)");
	CHECK_STR(cel_of(E("exists_one", V("l") "," LAMBDA("{\"variable\":\"x.b\"}", "x"))),
			  "request.resource.attr.l.exists_one(x, x.b)");
	CHECK_STR(cel_of(E("all", V("m") "," E("lambda", E("ne", "{\"variable\":\"k\"},{\"variable\":\"v\"}")
											",{\"variable\":\"k\"},{\"variable\":\"v\"}"))),
			  "request.resource.attr.m.all(k, v, k != v)");
	CHECK_STR(cel_of(E("in", VAL("\"a\"") "," E("map", V("l") "," LAMBDA("{\"variable\":\"x.id\"}", "x")))),
			  "\"a\" in request.resource.attr.l.map(x, x.id)");
	CHECK_STR(cel_of(E("eq", E("map", V("l") "," E("lambda", E("gt", "{\"variable\":\"x\"}," VAL("1")) ","
													 E("mult", "{\"variable\":\"x\"}," VAL("2")) ",{\"variable\":\"x\"}"))
						   "," VAL("[]"))),
			  "request.resource.attr.l.map(x, x > 1, x * 2) == []");
	CHECK_STR(cel_of(E("eq", E("transformList", V("l") "," E("lambda", "{\"variable\":\"v\"},{\"variable\":\"i\"},{\"variable\":\"v\"}"))
						   "," VAL("[]"))),
			  "request.resource.attr.l.transformList(i, v, v) == []");
	CHECK_STR(cel_of(E("authz.condition", E("eq", V("a") "," VAL("true")))),
			  "request.resource.attr.a == true");
	CHECK_STR(cel_of(E("eq", "{\"variable\":\"R.attr.my-attr\"}," VAL("\"\\n\""))),
			  "R.attr[\"my-attr\"] == \"\\n\"");
	CHECK_STR(cel_of(E("eq", "{\"variable\":\"request.resource.id\"}," VAL("\"z0\""))),
			  "request.resource.id == \"z0\"");
	/* malformed filters are errors, not crashes */
	CHECK_STR(cel_of(E("eq", V("a"))), "<error: a binary operator needs two operands>");
	CHECK_STR(cel_of("{\"expression\":{\"operator\":\"x;y\",\"operands\":[]}}"), "<error: unknown operator>");
	CHECK_STR(cel_of("{\"foo\":1}"), "<error: an operand must be an expression, a variable or a value>");
	CHECK_STR(cel_of(E("all", V("l") "," VAL("1"))), "<error: a comprehension needs a range and a lambda>");
}

/* The printed text evaluated: the answers a condition would give. */
static void
test_cel_eval(void)
{
	const char *f = E("and", E("eq", V("status") "," VAL("\"PENDING\"")) ","
					  E("not", E("in", V("team") "," VAL("[\"A\",\"B\"]"))));

	CHECK(eval_filter(f, "{\"status\":\"PENDING\",\"team\":\"C\"}") == 1);
	CHECK(eval_filter(f, "{\"status\":\"PENDING\",\"team\":\"A\"}") == 0);
	CHECK(eval_filter(f, "{\"status\":\"DONE\"}") == 0);
	CHECK(eval_filter(f, "{\"status\":\"PENDING\"}") == -1);
	/* precedence: (1 + n * 2) == 7 */
	f = E("eq", E("add", VAL("1") "," E("mult", V("n") "," VAL("2"))) "," VAL("7"));
	CHECK(eval_filter(f, "{\"n\":3}") == -1);	/* int + double: no overload */
	f = E("eq", E("add", VAL("1.0") "," E("mult", V("n") "," VAL("2.0"))) "," VAL("7.0"));
	CHECK(eval_filter(f, "{\"n\":3}") == 1);
	CHECK(eval_filter(f, "{\"n\":4}") == 0);
	/* receiver first */
	f = E("startsWith", VAL("\"team1\"") "," V("teamId"));
	CHECK(eval_filter(f, "{\"teamId\":\"team\"}") == 1);
	CHECK(eval_filter(f, "{\"teamId\":\"team12\"}") == 0);
	/* comprehensions */
	f = E("exists", V("geos") "," LAMBDA(E("in", VAL("\"US\"") ",{\"variable\":\"x.countries\"}"), "x"));
	CHECK(eval_filter(f, "{\"geos\":[{\"countries\":[\"UK\"]},{\"countries\":[\"US\"]}]}") == 1);
	CHECK(eval_filter(f, "{\"geos\":[{\"countries\":[\"UK\"]}]}") == 0);
	f = E("all", V("deps") "," E("lambda", E("ne", "{\"variable\":\"k\"},{\"variable\":\"v\"}")
								  ",{\"variable\":\"k\"},{\"variable\":\"v\"}"));
	CHECK(eval_filter(f, "{\"deps\":{\"a\":\"b\"}}") == 1);
	CHECK(eval_filter(f, "{\"deps\":{\"a\":\"a\"}}") == 0);
	f = E("eq", E("transformList", V("l") "," E("lambda", E("add", "{\"variable\":\"v\"}," VAL("\"!\""))
												 ",{\"variable\":\"i\"},{\"variable\":\"v\"}")) ","
		  VAL("[\"a!\"]"));
	CHECK(eval_filter(f, "{\"l\":[\"a\"]}") == 1);
	/* R.id */
	f = E("eq", VAL("\"z0\"") ",{\"variable\":\"request.resource.id\"}");
	CHECK(eval_filter(f, "{}") == 1);
	f = E("eq", "{\"variable\":\"R.attr.my-attr\"}," VAL("\"x\""));
	CHECK(eval_filter(f, "{\"my-attr\":\"x\"}") == 1);
	/* a string with quotes and backslashes survives */
	f = E("eq", V("s") "," VAL("\"a\\\"b\\\\c\\u0001\""));
	CHECK(eval_filter(f, "{\"s\":\"a\\\"b\\\\c\\u0001\"}") == 1);
	CHECK(eval_filter(f, "{\"s\":\"a\\\"b\\\\c\"}") == 0);
}

/* A whole filter evaluated exactly, authz.condition included. */
static int
eval_exact(const char *filter_json, const char *attr_json)
{
	json_t	   *attr = json_loads(attr_json, 0, NULL);
	CelEvalContext ctx;
	const char *error = NULL;
	int			r;

	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.max_iterations = 100000;
	r = plansql_filter_eval_text(&ctx, filter_json, engine_json_to_cel(arena, attr, 0), "z0", &error);
	json_decref(attr);
	return r;
}

/* authz.condition: an error inside counts as false, even under a not. */
static void
test_filter_eval(void)
{
	const char *f = E("not", E("authz.condition", E("eq", V("a") "," VAL("1.0"))));

	CHECK(eval_exact(f, "{\"a\":1}") == 0);
	CHECK(eval_exact(f, "{\"a\":2}") == 1);
	CHECK(eval_exact(f, "{}") == 1);	/* absent: the condition is false */
	CHECK(eval_filter(f, "{}") == -1);	/* CEL text alone cannot say so */
	f = E("or", E("eq", V("a") "," VAL("1.0")) "," E("eq", V("b") "," VAL("2.0")));
	CHECK(eval_exact(f, "{\"b\":2}") == 1);
	CHECK(eval_exact(f, "{\"b\":3}") == -1);
	f = E("and", E("eq", V("a") "," VAL("1.0")) "," E("eq", V("b") "," VAL("2.0")));
	CHECK(eval_exact(f, "{\"b\":3}") == 0);
	f = E("if", V("c") "," VAL("true") "," E("authz.condition", V("d")));
	CHECK(eval_exact(f, "{\"c\":false}") == 0);
	CHECK(eval_exact(f, "{}") == -1);
	CHECK(eval_exact("{\"kind\":\"KIND_ALWAYS_ALLOWED\"}", "{}") == 1);
	CHECK(eval_exact(E("eq", V("a")), "{}") == -2);
}

/* Every conditional filter of Cerbos' plan tests prints as CEL that checks. */
static void
test_cel_plan_cases(void)
{
	const char *dir = shared_data_dir();
	char		path[1024];
	FILE	   *fp;
	char	   *line = NULL;
	size_t		cap = 0;
	int			n = 0,
				ok = 0;

	if (dir == NULL)
	{
		fprintf(stderr, "plan.jsonl not found: skipped\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/cerbos/plan.jsonl", dir);
	fp = fopen(path, "r");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (getline(&line, &cap, fp) > 0)
	{
		json_t	   *j = json_loads(line, 0, NULL);
		json_t	   *filter = json_object_get(json_object_get(j, "expected"), "filter");
		const char *kind = json_string_value(json_object_get(filter, "kind"));

		if (kind && strcmp(kind, "KIND_CONDITIONAL") == 0)
		{
			const char *error = NULL;
			char	   *text = filter_to_cel(arena, filter, &error);

			n++;
			if (text && plansql_cel_compile(arena, text, &error))
				ok++;
			else
				fprintf(stderr, "%s: %s: %s\n", json_string_value(json_object_get(j, "id")),
						text ? text : "-", error);
		}
		json_decref(j);
	}
	free(line);
	fclose(fp);
	CHECK(n == 143);
	CHECK(ok == n);
	printf("plan cases printed as CEL and checked: %d of %d\n", ok, n);
}

/* Columns of the SQL tests: one of each type. */
static const char *const test_columns =
	"{\"s\": {\"type\": \"text\"}, \"n\": {\"type\": \"numeric\"},"
	" \"b\": {\"type\": \"boolean\"}, \"t\": {\"type\": \"timestamptz\"},"
	" \"l\": {\"type\": \"text[]\"}, \"nl\": {\"type\": \"int[]\"},"
	" \"j\": {\"type\": \"jsonb\"}, \"m\": {\"sql\": \"meta->'m'\", \"type\": \"jsonb\"},"
	" \"owner\": \"owner_id\", \"id\": {\"column\": \"rid\", \"not_null\": true}}";

/* The SQL of a filter over test_columns. */
static const char *
sql_of(const char *filter_json)
{
	const char *error = NULL;
	PlanSqlStats stats;
	char	   *out = plansql_sql_from_text(arena, filter_json, test_columns, NULL, &stats, &error);

	return out ? out : arena_printf(arena, "<error: %s>", error);
}

#define SQL_CASE(filter, want) CHECK_STR(sql_of(filter), want)

/* The SQL printed for each operator and column type. */
static void
test_sql_text(void)
{
	char	   *deep;
	int			i;

#include "plansql_sql_cases.h"
	/* whole filters and responses */
	CHECK_STR(sql_of("{\"kind\":\"KIND_ALWAYS_ALLOWED\"}"), "true");
	CHECK_STR(sql_of("{\"filter\":{\"kind\":\"KIND_CONDITIONAL\",\"condition\":" E("eq", V("b") "," VAL("false")) "}}"),
			  "\"b\" = false");
	/* malformed filters and columns are errors, not crashes */
	CHECK_STR(sql_of(E("eq", "{\"variable\":\"P.attr.x\"}," VAL("1"))),
			  "<error: unknown variable \"P.attr.x\" in the filter>");
	CHECK_STR(sql_of(E("lt", V("s"))), "<error: a binary operator needs two operands>");
	CHECK_STR(sql_of("{\"kind\":\"KIND_MAYBE\"}"), "<error: unknown filter kind>");
	CHECK_STR(sql_of("[1"), "<error: invalid filter: ']' expected near end of file>");
	{
		const char *error = NULL;

		CHECK(plansql_sql_from_text(arena, "true", "{\"a\": {\"type\": \"money\"}}", NULL, NULL, &error) == NULL);
		CHECK(error != NULL && strstr(error, "unknown column type") != NULL);
		CHECK(plansql_sql_from_text(arena, "true", "{\"a\": 1}", NULL, NULL, &error) == NULL);
	}
	/* nesting is bounded */
	deep = arena_strdup(arena, V("b"));
	for (i = 0; i < 400; i++)
		deep = arena_printf(arena, "{\"expression\":{\"operator\":\"not\",\"operands\":[%s]}}", deep);
	CHECK_STR(sql_of(deep), "<error: the filter is nested too deeply>");
	CHECK_STR(cel_of(deep), "<error: the filter is nested too deeply>");
	/* and so is the size of what it prints (if repeats its condition) */
	deep = arena_strdup(arena, V("b"));
	for (i = 0; i < 40; i++)
		deep = arena_printf(arena, "{\"expression\":{\"operator\":\"if\",\"operands\":[%s,%s,%s]}}",
							deep, V("b"), V("b"));
	CHECK_STR(sql_of(deep), "<error: the filter's SQL would be too large>");
}

int
main(void)
{
	arena = arena_create(NULL, 0);
	test_cel_text();
	test_cel_eval();
	test_cel_plan_cases();
	test_filter_eval();
	test_sql_text();
	arena_destroy(arena);
	UNIT_DONE("test_plansql");
}
