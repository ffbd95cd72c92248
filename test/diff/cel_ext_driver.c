/*
 * cel_ext_driver.c — the authz side of cel_ext_diff.py: reads one CEL
 * expression per line, parses and evaluates it (no bindings) and prints
 * one answer line the way cel_ext_diff.py reads the Cerbos REPL:
 *
 *   ok<TAB>b<TAB>true|false      a bool
 *   ok<TAB>i<TAB>decimal         an int or uint
 *   ok<TAB>s<TAB>hex bytes       a string
 *   err<TAB>message              an error value
 *   compile<TAB>L:C: message     parse or check failed (first problem)
 *   other<TAB>kind               anything else
 *
 * Expressions are checked in the Cerbos environment (cel_env_cerbos), as
 * Cerbos compiles conditions, so compile-time rejections (literal format
 * strings, literal regexes, overloads) are compared too.
 */
#include <stdio.h>
#include <string.h>

#include "cel/cel.h"

/* No variables are bound. */
static bool
resolve_none(void *state, const char *name, CelValue *out)
{
	return false;
}

/* Prints one result line. */
static void
print_result(CelValue v)
{
	switch (v.kind)
	{
		case CEL_VAL_ERROR:
			printf("err\t%s\n", v.u.err && v.u.err->message ? v.u.err->message : "");
			break;
		case CEL_VAL_BOOL:
			printf("ok\tb\t%s\n", v.u.b ? "true" : "false");
			break;
		case CEL_VAL_INT:
			printf("ok\ti\t%lld\n", (long long) v.u.i);
			break;
		case CEL_VAL_UINT:
			printf("ok\ti\t%llu\n", (unsigned long long) v.u.u);
			break;
		case CEL_VAL_STRING:
			printf("ok\ts\t");
			for (size_t i = 0; i < v.u.str.len; i++)
				printf("%02x", (unsigned char) v.u.str.ptr[i]);
			printf("\n");
			break;
		default:
			printf("other\t%d\n", v.kind);
	}
}

int
main(void)
{
	static char line[1 << 16];

	while (fgets(line, sizeof(line), stdin))
	{
		Arena	   *arena = arena_create(NULL, 0);
		DiagList	diags;
		CelAst	   *ast;
		size_t		len = strcspn(line, "\n");

		diag_init(&diags, arena);
		ast = cel_parse(arena, line, len, NULL, &diags);
		if (ast == NULL || !cel_check(cel_env_cerbos(arena), ast, arena, &diags))
			printf("compile\t%d:%d: %s\n", diags.count ? diags.items[0].line : 0,
				   diags.count ? diags.items[0].column : 0,
				   diags.count ? diags.items[0].message : "");
		else
		{
			CelEvalContext ctx;
			CelActivation act = {resolve_none, NULL};

			memset(&ctx, 0, sizeof(ctx));
			ctx.arena = arena;
			ctx.max_iterations = 1000000;
			print_result(cel_eval(&ctx, NULL, ast, &act));
		}
		fflush(stdout);
		arena_destroy(arena);
	}
	return 0;
}
