/*
 * cel_hook.c — the compiler's CEL stage: every policy expression through
 * cel_parse and cel_check in the environment Cerbos compiles conditions in.
 *
 * The compiler calls the hook once per expression (conditions, variables,
 * outputs).  CEL reports positions inside the expression's text; they are
 * mapped back to the policy file with pexpr_file_position(), so an error in
 * the third line of a `|` block lands on the right line and column of the
 * YAML file.  The checked AST is returned as the handle for the engine.
 */
#include "compiler.h"

#include <string.h>

#include "../cel/cel.h"

/*
 * Weak references: the compiler links, and runs without CEL checking, in
 * builds that do not contain the CEL engine yet (compile_use_cel() then
 * returns false).  Where the engine is linked in, these resolve to it.
 * Note that a weak reference does not pull an object out of a static
 * archive: a program linking libauthzcore.a must reference CEL itself.
 */
#pragma weak cel_parse
#pragma weak cel_check
#pragma weak cel_env_cerbos

/* Whether the CEL engine is linked in. */
bool
compile_cel_available(void)
{
	return cel_parse != NULL && cel_check != NULL && cel_env_cerbos != NULL;
}

/* Makes options check every expression with cel_parse + cel_check. */
bool
compile_use_cel(CompileOptions *options, CompileCelState *state, Arena *arena)
{
	if (!compile_cel_available())
		return false;
	state->arena = arena;
	state->env = cel_env_cerbos(arena);
	if (state->env == NULL)
		return false;
	options->check_expr = compile_cel_check_expr;
	options->check_expr_state = state;
	return true;
}

/* Parses and checks one expression; reports errors at file positions. */
bool
compile_cel_check_expr(void *state, const char *file, const CompiledPolicy *policy,
					   const PExpr *expr, CompileExprRole role, void **handle,
					   DiagList *diags)
{
	CompileCelState *st = state;
	DiagList	local;
	CelAst	   *ast;
	int			i;

	diag_init(&local, st->arena);
	ast = cel_parse(st->arena, expr->text, strlen(expr->text), NULL, &local);
	if (ast != NULL && cel_check(st->env, ast, st->arena, &local))
	{
		*handle = ast;
		return true;
	}
	for (i = 0; i < local.count; i++)
	{
		const Diag *d = &local.items[i];
		PPos		at = d->line > 0 ? pexpr_file_position(expr, d->line, d->column)
			: expr->pos;

		diag_add(diags, file, at.line, at.column, "invalid expression `%s`: %s",
				 expr->text, d->message);
	}
	if (local.count == 0)
		diag_add(diags, file, expr->pos.line, expr->pos.column,
				 "invalid expression `%s`", expr->text);
	return false;
}
