/*
 * test_cel_limits.c — the evaluator's resource limits report through one
 * callback (limit_exceeded) with the limit's name, the interrupt poll
 * stops a long comprehension, and the parser's process-wide limits
 * (cel_parse_set_defaults) apply to calls without options.
 */
#include <string.h>

#include "unit.h"
#include "cel/cel.h"

static Arena *arena;
static const char *reported;
static int	reports;
static int	polls;

static void
on_limit(void *user, const char *limit)
{
	reported = limit;
	reports++;
}

static bool
stop_after_some(void *user)
{
	return ++polls >= 10;
}

static bool
resolve(void *state, const char *name, CelValue *out)
{
	if (strcmp(name, "s") == 0)
	{
		*out = cel_string("aaaaaaaaaaaaaaaaaaaaaaaaaaaaac", 30);
		return true;
	}
	return false;
}

/* Evaluates expr under ctx; the error message, or "ok". */
static const char *
run(CelEvalContext *ctx, const char *expr)
{
	DiagList	diags;
	CelEnv	   *env = cel_env_cerbos(arena);
	CelAst	   *ast;
	CelActivation act = {resolve, NULL};
	CelValue	v;

	diag_init(&diags, arena);
	cel_env_declare(env, "s", &cel_type_dyn);
	ast = cel_parse(arena, expr, strlen(expr), NULL, &diags);
	if (ast == NULL || !cel_check(env, ast, arena, &diags))
		return diags.count ? diags.items[0].message : "compile error";
	ctx->arena = arena;
	v = cel_eval(ctx, env, ast, &act);
	return v.kind == CEL_VAL_ERROR ? v.u.err->message : "ok";
}

static void
fresh(CelEvalContext *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->limit_exceeded = on_limit;
	reported = NULL;
	reports = 0;
}

int
main(void)
{
	CelEvalContext ctx;
	CelParseOptions popts = {0};
	DiagList	diags;

	arena = arena_create(NULL, 256 * 1024 * 1024);

	fresh(&ctx);
	ctx.max_iterations = 100;
	CHECK_STR(run(&ctx, "lists.range(int(size(s)) * 10).all(x, x >= 0)"),
			  "comprehension iteration limit of 100 exceeded");
	CHECK_STR(reported, CEL_LIMIT_ITERATIONS);
	CHECK_STR(ctx.limit_hit, CEL_LIMIT_ITERATIONS);

	fresh(&ctx);
	ctx.max_string_bytes = 40;
	CHECK_STR(run(&ctx, "s + s"), "string or bytes result exceeds the size limit of 40 bytes");
	CHECK_STR(reported, CEL_LIMIT_STRING_BYTES);

	fresh(&ctx);
	ctx.max_list_items = 20;
	CHECK_STR(run(&ctx, "lists.range(size(s))"), "list exceeds the size limit of 20 items");
	CHECK_STR(reported, CEL_LIMIT_LIST_ITEMS);

	fresh(&ctx);
	ctx.max_regex_bytes = 4;
	CHECK_STR(run(&ctx, "s.matches(s)"), "regular expression exceeds the size limit of 4 bytes");
	CHECK_STR(reported, CEL_LIMIT_REGEX_BYTES);

	fresh(&ctx);
	ctx.regex_match_limit = 50;
	CHECK_STR(run(&ctx, "s.matches('^(a|a)*$')"), "regular expression match exceeded its resource limit");
	CHECK_STR(reported, CEL_LIMIT_REGEX_MATCH);

	/* within every limit: no report */
	fresh(&ctx);
	ctx.max_iterations = 1000;
	ctx.max_string_bytes = 100;
	ctx.max_list_items = 100;
	ctx.max_regex_bytes = 100;
	CHECK_STR(run(&ctx, "lists.range(size(s)).all(x, x >= 0) && (s + s).matches('^a+c+a+c$')"), "ok");
	CHECK(reports == 0 && ctx.limit_hit == NULL);

	/* the interrupt poll ends a long comprehension */
	fresh(&ctx);
	ctx.interrupted = stop_after_some;
	polls = 0;
	CHECK_STR(run(&ctx, "lists.range(1000).all(i, lists.range(1000).all(j, j >= 0))"),
			  "evaluation interrupted");
	CHECK(polls >= 10 && ctx.iterations < 10000);

	/* parser limits set process-wide reach calls without options */
	popts.max_depth = 3;
	cel_parse_set_defaults(&popts);
	diag_init(&diags, arena);
	CHECK(cel_parse(arena, "((((1))))", 9, NULL, &diags) == NULL);
	CHECK(diags.count > 0 && strstr(diags.items[0].message, "recursion") != NULL);
	popts.max_depth = 0;
	popts.max_length = 5;
	cel_parse_set_defaults(&popts);
	diag_init(&diags, arena);
	CHECK(cel_parse(arena, "1 + 2 + 3", 9, NULL, &diags) == NULL);
	cel_parse_set_defaults(NULL);
	diag_init(&diags, arena);
	CHECK(cel_parse(arena, "((((1 + 2 + 3))))", 17, NULL, &diags) != NULL);

	arena_destroy(arena);
	UNIT_DONE("cel_limits");
}
