/*
 * cel_bridge.c — where the engine meets the CEL engine.
 *
 * Every expression of a policy (conditions, variables, derived-role
 * conditions, outputs) is parsed and type-checked here in the environment
 * Cerbos compiles them in (cel_env_cerbos), once, at compile time.
 *
 * The checker is being written on the cel branch alongside the engine;
 * until it links in, the references to it are weak so the engine builds
 * and runs without it: expressions are then only parsed (the evaluator
 * runs unchecked ASTs).  An expression that fails to compile is an error
 * at load time; one that cannot be evaluated is false, as in Cerbos.
 */
#include "engine_int.h"

#include <string.h>

#pragma weak cel_check
#pragma weak cel_env_cerbos

/* True when the CEL parser and checker are linked in. */
bool
engine_cel_available(void)
{
	return true;
}

/* The checking environment, or NULL when no CEL checker is linked in. */
const CelEnv *
engine_cel_env(Arena *arena)
{
	if (cel_check == NULL || cel_env_cerbos == NULL)
		return NULL;
	return cel_env_cerbos(arena);
}

/*
 * Parses and checks one expression; positions in diags are made relative
 * to the policy file (line/column of the YAML value).  NULL on failure, or
 * when no CEL parser is linked in (then without a diag).
 */
const CelAst *
engine_cel_compile(Arena *arena, const CelEnv *env, const char *text,
				   const char *file, int line, int column, DiagList *diags)
{
	DiagList	local;
	CelAst	   *ast;
	int			i;

	if (!engine_cel_available() || text == NULL)
		return NULL;
	diag_init(&local, arena);
	ast = cel_parse(arena, text, strlen(text), NULL, &local);
	/* without a checker the evaluator runs the AST unchecked */
	if (ast != NULL && env != NULL && !cel_check(env, ast, arena, &local))
		ast = NULL;
	if (ast == NULL)
	{
		for (i = 0; i < local.count; i++)
		{
			const Diag *d = &local.items[i];
			int			l = line + (d->line > 1 ? d->line - 1 : 0);
			int			c = d->line > 1 ? d->column : column + (d->column > 0 ? d->column - 1 : 0);

			diag_add(diags, file, l, c, "%s", d->message);
		}
		if (local.count == 0)
			diag_add(diags, file, line, column, "invalid expression");
	}
	return ast;
}
