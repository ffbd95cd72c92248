/*
 * fuzz_cel.c — libFuzzer target for the CEL parser, checker and evaluator.
 *
 * The input is one expression.  It is parsed, then evaluated twice against
 * a fixed attribute document bound to `x` (and Cerbos' R/P shapes): once
 * unchecked, which drives the evaluator's dynamic paths (qualified-name
 * probing, dispatch on runtime kinds, errors the checker would have
 * prevented), and once after cel_check when it succeeds.  Resource limits
 * are small so that hostile input ends quickly: any crash, sanitizer report,
 * timeout or leak is a bug.
 *
 *   make -C test/fuzz && test/fuzz/fuzz_cel -max_total_time=600 corpus/
 */
#include <stdint.h>
#include <string.h>

#include "cel/cel.h"

typedef struct FuzzVars
{
	const char *names[3];
	CelValue	values[3];
} FuzzVars;

/* The three bound names. */
static bool
fuzz_resolve(void *state, const char *name, CelValue *out)
{
	FuzzVars   *v = state;

	for (int i = 0; i < 3; i++)
		if (strcmp(v->names[i], name) == 0)
		{
			*out = v->values[i];
			return true;
		}
	return false;
}

/* Builds {"a": 1.5, "b": ["s", true, null, 2.0], "c": {"d": "e"}}. */
static CelValue
fuzz_document(Arena *arena)
{
	CelValue	inner_k = cel_string("d", 1);
	CelValue	inner_v = cel_string("e", 1);
	CelValue	items[4] = {cel_string("s", 1), cel_bool(true), cel_null(), cel_double(2)};
	CelValue	keys[3] = {cel_string("a", 1), cel_string("b", 1), cel_string("c", 1)};
	CelValue	vals[3];

	vals[0] = cel_double(1.5);
	vals[1] = cel_list_from(arena, items, 4);
	vals[2] = cel_map_from(arena, &inner_k, &inner_v, 1);
	return cel_map_from(arena, keys, vals, 3);
}

/* One evaluation with tight limits. */
static void
fuzz_eval(Arena *arena, const CelEnv *env, const CelAst *ast, FuzzVars *vars)
{
	CelEvalContext ctx;
	CelActivation act = {fuzz_resolve, vars};

	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.max_iterations = 20000;
	ctx.max_string_bytes = 1 << 20;
	ctx.max_list_items = 1 << 16;
	ctx.regex_match_limit = 100000;
	ctx.now_set = true;
	ctx.now_sec = 1700000000;
	(void) cel_eval(&ctx, env, ast, &act);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena	   *arena = arena_create(NULL, 64 * 1024 * 1024);
	DiagList	diags;
	CelAst	   *ast;
	CelEnv	   *env;
	FuzzVars	vars = {{"x", "R", "P"}, {{0}}};

	if (arena == NULL)
		return 0;
	vars.values[0] = fuzz_document(arena);
	vars.values[1] = vars.values[0];
	vars.values[2] = vars.values[0];
	diag_init(&diags, arena);
	ast = cel_parse(arena, (const char *) data, size, NULL, &diags);
	if (ast != NULL)
	{
		env = cel_env_cerbos(arena);
		cel_env_declare(env, "x", &cel_type_dyn);
		fuzz_eval(arena, env, ast, &vars);
		if (cel_check(env, ast, arena, &diags))
			fuzz_eval(arena, env, ast, &vars);
	}
	arena_destroy(arena);
	return 0;
}
