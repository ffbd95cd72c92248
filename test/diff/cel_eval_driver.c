/*
 * cel_eval_driver.c — the authz side of cel_eval_diff.py.  Reads lines as
 * the Cerbos REPL does: ":let name = expr" evaluates expr and binds the
 * result to name (declared dyn, as the REPL declares it); any other line is
 * an expression to check and evaluate, answered with one line:
 *
 *   ok<TAB>b<TAB>true|false     ok<TAB>i<TAB>decimal     ok<TAB>s<TAB>hex
 *   ok<TAB>d<TAB>%.17g          err<TAB>message          compile<TAB>message
 *   other<TAB>kind
 */
#include <stdio.h>
#include <string.h>

#include "cel/cel.h"

#define MAX_VARS 16

typedef struct Vars
{
	char	   *names[MAX_VARS];
	CelValue	values[MAX_VARS];
	int			n;
} Vars;

/* Looks a REPL variable up. */
static bool
resolve(void *state, const char *name, CelValue *out)
{
	Vars	   *v = state;

	for (int i = 0; i < v->n; i++)
		if (strcmp(v->names[i], name) == 0)
		{
			*out = v->values[i];
			return true;
		}
	return false;
}

/* Parses, checks and evaluates one expression; false on compile error. */
static bool
evaluate(Arena *arena, Vars *vars, const char *text, CelValue *out, const char **msg)
{
	DiagList	diags;
	CelAst	   *ast;
	CelEnv	   *env = cel_env_cerbos(arena);
	CelEvalContext ctx;
	CelActivation act = {resolve, vars};

	diag_init(&diags, arena);
	for (int i = 0; i < vars->n; i++)
		cel_env_declare(env, vars->names[i], &cel_type_dyn);
	ast = cel_parse(arena, text, strlen(text), NULL, &diags);
	if (ast == NULL || !cel_check(env, ast, arena, &diags))
	{
		*msg = diags.count ? diags.items[0].message : "";
		return false;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.max_iterations = 1000000;
	*out = cel_eval(&ctx, env, ast, &act);
	return true;
}

int
main(void)
{
	static char line[65536];
	Arena	   *keep = arena_create(NULL, 0);	/* bound values live here */
	Vars		vars = {{0}, {{0}}, 0};

	while (fgets(line, sizeof(line), stdin))
	{
		size_t		n = strlen(line);
		CelValue	v;
		const char *msg;

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, ":let ", 5) == 0)
		{
			char	   *eq = strstr(line, " = ");

			if (eq == NULL || vars.n == MAX_VARS - 1)
				continue;
			*eq = '\0';
			if (evaluate(keep, &vars, eq + 3, &v, &msg) && v.kind != CEL_VAL_ERROR)
			{
				int			i;

				/* a new :let of a bound name replaces it, as in the REPL */
				for (i = 0; i < vars.n; i++)
					if (strcmp(vars.names[i], line + 5) == 0)
						break;
				if (i == vars.n)
					vars.names[vars.n++] = arena_strdup(keep, line + 5);
				vars.values[i] = v;
			}
			continue;
		}
		{
			Arena	   *arena = arena_create(NULL, 0);

			if (!evaluate(arena, &vars, line, &v, &msg))
				printf("compile\t%s\n", msg);
			else
				switch (v.kind)
				{
					case CEL_VAL_ERROR:
						printf("err\t%s\n", v.u.err->message);
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
					case CEL_VAL_DOUBLE:
						printf("ok\td\t%.17g\n", v.u.d);
						break;
					case CEL_VAL_STRING:
						printf("ok\ts\t");
						for (size_t i = 0; i < v.u.str.len; i++)
							printf("%02x", (unsigned char) v.u.str.ptr[i]);
						printf("\n");
						break;
					default:
						printf("other\t%d\n", v.kind);
						break;
				}
			arena_destroy(arena);
		}
	}
	arena_destroy(keep);
	return 0;
}
