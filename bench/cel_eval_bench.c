/*
 * cel_eval_bench.c — evaluations per second of typical Cerbos conditions
 * in the pure-C CEL engine (no PostgreSQL): attribute comparisons, `in`
 * over a list, exists over 10 items, a regex, and a mixed condition.
 *
 * Each expression is parsed and checked once in Cerbos' environment; the
 * loop then evaluates it against R and P maps shaped as Cerbos' Resource
 * and Principal (attribute numbers are doubles, as from JSON), resetting
 * one arena per evaluation as a request would.
 *
 *   make -C test/unit B=/tmp/authz-bench T=test_arena.c EXTRA_CFLAGS=-O2
 *   cc -O2 -Isrc bench/cel_eval_bench.c /tmp/authz-bench/libauthzcore.a \
 *      -lyaml -ljwt -ljansson -lpcre2-8 -lssl -lcrypto -lm -o /tmp/cel_bench
 *   /tmp/cel_bench [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cel/cel.h"

typedef struct BenchVars
{
	const char *names[2];
	CelValue	values[2];
} BenchVars;

/* R and P. */
static bool
bench_resolve(void *state, const char *name, CelValue *out)
{
	BenchVars  *v = state;

	for (int i = 0; i < 2; i++)
		if (strcmp(v->names[i], name) == 0)
		{
			*out = v->values[i];
			return true;
		}
	return false;
}

/* A string value of a C literal. */
static CelValue
s(const char *text)
{
	return cel_string(text, strlen(text));
}

/* Builds R = {attr: {department, tags[10], email, owner}}, P = {id, roles, attr}. */
static void
build_inputs(Arena *arena, BenchVars *vars)
{
	CelValue	tags[10];
	CelValue	rk[4] = {s("department"), s("tags"), s("email"), s("owner")};
	CelValue	rv[4];
	CelValue	attr_key = s("attr");
	CelValue	rattr;
	CelValue	roles[2] = {s("user"), s("admin")};
	CelValue	pk[3] = {s("attr"), s("roles"), s("id")};
	CelValue	pv[3];
	CelValue	level_key = s("level");
	CelValue	level = cel_double(4);

	for (int i = 0; i < 10; i++)
	{
		char	   *t = arena_printf(arena, "x%d", i);

		tags[i] = cel_string(t, strlen(t));
	}
	rv[0] = s("eng");
	rv[1] = cel_list_from(arena, tags, 10);
	rv[2] = s("bob@example.com");
	rv[3] = s("alice");
	rattr = cel_map_from(arena, rk, rv, 4);
	pv[0] = cel_map_from(arena, &level_key, &level, 1);
	pv[1] = cel_list_from(arena, roles, 2);
	pv[2] = s("alice");
	vars->names[0] = "R";
	vars->names[1] = "P";
	vars->values[0] = cel_map_from(arena, &attr_key, &rattr, 1);
	vars->values[1] = cel_map_from(arena, pk, pv, 3);
}

int
main(int argc, char **argv)
{
	static const char *const exprs[] = {
		"R.attr.department == 'eng' && P.attr.level > 3",
		"'admin' in P.roles",
		"R.attr.tags.exists(t, t == 'x9')",
		"R.attr.email.matches('^[a-z]+@example\\\\.com$')",
		"R.attr.owner == P.id || (P.attr.level >= 5 && R.attr.department in ['eng', 'ops'])",
	};
	long		iterations = argc > 1 ? atol(argv[1]) : 200000;
	Arena	   *keep = arena_create(NULL, 0);
	BenchVars	vars;

	build_inputs(keep, &vars);
	for (size_t e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++)
	{
		DiagList	diags;
		CelAst	   *ast;
		CelEnv	   *env = cel_env_cerbos(keep);
		Arena	   *arena = arena_create(NULL, 0);
		CelEvalContext ctx;
		CelActivation act = {bench_resolve, &vars};
		CelValue	r = cel_null();
		struct timespec t0,
					t1;
		double		secs;

		diag_init(&diags, keep);
		ast = cel_parse(keep, exprs[e], strlen(exprs[e]), NULL, &diags);
		if (ast == NULL || !cel_check(env, ast, keep, &diags))
		{
			printf("%s: does not compile: %s\n", exprs[e], diag_render(&diags));
			return 1;
		}
		memset(&ctx, 0, sizeof(ctx));
		ctx.arena = arena;
		ctx.max_iterations = 1000000;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < iterations; i++)
		{
			arena_reset(arena);
			ctx.iterations = 0;
			r = cel_eval(&ctx, env, ast, &act);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("%-84s %s %10.0f evals/s\n", exprs[e],
			   r.kind == CEL_VAL_BOOL ? (r.u.b ? "true " : "false") : "error",
			   (double) iterations / secs);
		arena_destroy(arena);
	}
	arena_destroy(keep);
	return 0;
}
