/*
 * cel_bridge.c — where the engine meets the CEL engine.
 *
 * Every expression of a policy (conditions, variables, derived-role
 * conditions, outputs) is parsed and type-checked here in the environment
 * Cerbos compiles them in (cel_env_cerbos), once, at compile time.
 *
 * An expression that fails to compile is an error at load time, reported
 * at its line and column in the policy file; one that cannot be evaluated
 * is false, as in Cerbos.
 */
#include "engine_int.h"
#include "../policy/policy.h"
#include "../compiler/compiler.h"

#include <stdint.h>
#include <string.h>


/* True when the CEL parser and checker are linked in (always, now). */
bool
engine_cel_available(void)
{
	return true;
}

/* The checking environment, or NULL when no CEL checker is linked in. */
const CelEnv *
engine_cel_env(Arena *arena)
{
	return cel_env_cerbos(arena);
}

/*
 * Parses and checks one policy expression; CEL's positions inside the text
 * are mapped to the policy file (pexpr_file_position).  NULL on failure.
 */
const CelAst *
engine_cel_compile(Arena *arena, const CelEnv *env, const char *file,
				   const PExpr *expr, DiagList *diags)
{
	DiagList	local;
	CelAst	   *ast;
	int			i;

	if (expr == NULL || expr->text == NULL)
		return NULL;
	diag_init(&local, arena);
	ast = cel_parse(arena, expr->text, strlen(expr->text), NULL, &local);
	if (ast != NULL && env != NULL && !cel_check(env, ast, arena, &local))
		ast = NULL;
	if (ast == NULL)
	{
		for (i = 0; i < local.count; i++)
		{
			const Diag *d = &local.items[i];
			PPos		at = d->line > 0 ? pexpr_file_position(expr, d->line, d->column) : expr->pos;

			diag_add(diags, file, at.line, at.column, "invalid expression `%s`: %s",
					 expr->text, d->message);
		}
		if (local.count == 0)
			diag_add(diags, file, expr->pos.line, expr->pos.column,
					 "invalid expression `%s`", expr->text);
	}
	return ast;
}

/* ---------- checked ASTs kept from the compiler's CEL stage ---------- */

/* Pointer-keyed table: PExpr address -> checked AST. */
struct EAstCache
{
	Arena	   *arena;
	const void **keys;
	const CelAst **asts;
	int			size;
	int			count;
};

/* A new, empty table. */
EAstCache *
engine_ast_cache_new(Arena *arena)
{
	EAstCache  *c = arena_alloc0(arena, sizeof(EAstCache));

	if (c == NULL)
		return NULL;
	c->arena = arena;
	c->size = 1024;
	c->keys = arena_alloc0(arena, sizeof(void *) * c->size);
	c->asts = arena_alloc0(arena, sizeof(CelAst *) * c->size);
	return (c->keys && c->asts) ? c : NULL;
}

/* Mixes a pointer into a table index. */
static uint32_t
ptr_hash(const void *p)
{
	uint64_t	x = (uint64_t) (uintptr_t) p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t) x;
}

/* Stores an AST (the table doubles when half full). */
static void
cache_put(EAstCache *c, const void *key, const CelAst *ast)
{
	uint32_t	i;

	if ((c->count + 1) * 2 > c->size)
	{
		const void **ok = c->keys;
		const CelAst **oa = c->asts;
		int			osize = c->size,
					j;

		c->size *= 2;
		c->keys = arena_alloc0(c->arena, sizeof(void *) * c->size);
		c->asts = arena_alloc0(c->arena, sizeof(CelAst *) * c->size);
		if (c->keys == NULL || c->asts == NULL)
		{
			c->keys = ok;
			c->asts = oa;
			c->size = osize;
			return;
		}
		c->count = 0;
		for (j = 0; j < osize; j++)
			if (ok[j] != NULL)
				cache_put(c, ok[j], oa[j]);
	}
	for (i = ptr_hash(key) & (c->size - 1); c->keys[i] != NULL; i = (i + 1) & (c->size - 1))
		if (c->keys[i] == key)
			break;
	if (c->keys[i] == NULL)
		c->count++;
	c->keys[i] = key;
	c->asts[i] = ast;
}

/* The AST stored for key, or NULL. */
const CelAst *
engine_ast_cache_get(const EAstCache *c, const void *key)
{
	uint32_t	i;

	if (c == NULL)
		return NULL;
	for (i = ptr_hash(key) & (c->size - 1); c->keys[i] != NULL; i = (i + 1) & (c->size - 1))
		if (c->keys[i] == key)
			return c->asts[i];
	return NULL;
}

/*
 * The compiler's CEL hook, wrapped: every expression of every policy is
 * checked (with the compiler's positions and wording) and its checked AST
 * remembered for the rule table.
 */
bool
engine_compile_hook(void *state, const char *file, const struct CompiledPolicy *policy,
					const PExpr *expr, CompileExprRole role, void **handle,
					DiagList *diags)
{
	EngineHookState *st = state;
	void	   *h = NULL;
	bool		ok = compile_cel_check_expr(&st->cel, file, policy, expr, role, &h, diags);

	if (ok && h != NULL)
		cache_put(st->cache, expr, h);
	if (handle)
		*handle = h;
	return ok;
}
