/*
 * fold.c — constant folding of checked CEL ASTs.
 *
 * A sub-expression that mentions no identifier (so no variable, no
 * comprehension and no type name) and calls no function marked
 * CEL_FN_NO_FOLD (now(), timeSince) has the same value on every
 * evaluation.  The largest such sub-expressions are evaluated once, here,
 * and replaced by a literal when the value is a scalar a literal can hold
 * (null, bool, int, uint, double, string, bytes).  Errors are never folded
 * — 1/0 stays a division, so it still fails at runtime exactly as before —
 * and neither are lists, maps or other values, whose nodes are kept as
 * they are.  A folded node keeps its static type (ast->types), so what the
 * checker concluded stays visible.  Folding never changes a result, only
 * its cost.
 *
 * The evaluation runs under tight limits (iterations, string and list
 * sizes) so a constant expression cannot make compilation expensive; hitting
 * a limit just leaves the expression unfolded.
 */
#include "cel_check.h"
#include "cel_registry.h"

#include <string.h>

#define FOLD_MAX_DEPTH 1000

typedef struct Folder
{
	CelAst	   *ast;
	Arena	   *arena;
	const CelRegistry *reg;
	Arena	   *scratch;		/* evaluation memory, released at the end */
	size_t		pool_cap;		/* capacity of ast->strings once copied, else 0 */
} Folder;

/* Whether any overload of a call's function may not be folded. */
static bool
call_foldable(Folder *f, const CelExpr *e)
{
	const char *fn = cel_ast_str(f->ast, e->u.call.function);
	const CelSignature *const *cands;
	int			n;

	for (int style = 0; style < 2; style++)
	{
		cel_registry_candidates(f->reg, fn, style == 1, &cands, &n);
		for (int i = 0; i < n; i++)
			if (cands[i]->flags & CEL_FN_NO_FOLD)
				return false;
	}
	return true;
}

/* Appends bytes to the AST's string pool (copied once, then grown
 * geometrically); false when it cannot. */
static bool
pool_add(Folder *f, const char *s, size_t len, CelStrRef *out)
{
	size_t		old = f->ast->strings_len;

	if (len > UINT32_MAX / 4 || old + len + 1 > UINT32_MAX / 2)
		return false;
	if (old + len + 1 > f->pool_cap)
	{
		size_t		ncap = (old + len + 1) * 2;
		char	   *pool = (char *) arena_alloc(f->arena, ncap);

		if (pool == NULL)
			return false;
		memcpy(pool, f->ast->strings, old);
		f->ast->strings = pool;
		f->pool_cap = ncap;
	}
	if (len > 0)
		memcpy(f->ast->strings + old, s, len);
	f->ast->strings[old + len] = '\0';
	f->ast->strings_len = (uint32_t) (old + len + 1);
	*out = (CelStrRef) old;
	return true;
}

/* Evaluates node ref alone and, for a scalar value, makes it a literal. */
static void
fold_node(Folder *f, CelNodeRef ref)
{
	CelAst		view = *f->ast;
	CelEvalContext ctx;
	CelValue	v;
	CelConst	k;
	CelExpr    *e;

	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = f->scratch;
	ctx.max_iterations = 10000;
	ctx.max_string_bytes = 64 * 1024;
	ctx.max_list_items = 10000;
	ctx.now_set = true;
	view.root = ref;
	v = cel_eval(&ctx, NULL, &view, NULL);
	if (f->scratch->failed)
		return;
	memset(&k, 0, sizeof(k));
	switch (v.kind)
	{
		case CEL_VAL_NULL:
			k.kind = CEL_CONST_NULL;
			break;
		case CEL_VAL_BOOL:
			k.kind = CEL_CONST_BOOL;
			k.u.b = v.u.b;
			break;
		case CEL_VAL_INT:
			k.kind = CEL_CONST_INT;
			k.u.i = v.u.i;
			break;
		case CEL_VAL_UINT:
			k.kind = CEL_CONST_UINT;
			k.u.u = v.u.u;
			break;
		case CEL_VAL_DOUBLE:
			k.kind = CEL_CONST_DOUBLE;
			k.u.d = v.u.d;
			break;
		case CEL_VAL_STRING:
		case CEL_VAL_BYTES:
			k.kind = v.kind == CEL_VAL_STRING ? CEL_CONST_STRING : CEL_CONST_BYTES;
			if (!pool_add(f, v.u.str.ptr, v.u.str.len, &k.u.str.off))
				return;
			k.u.str.len = (uint32_t) v.u.str.len;
			break;
		default:
			return;				/* errors, aggregates, types: keep the expression */
	}
	e = &f->ast->nodes[ref];
	e->kind = CEL_EXPR_CONST;
	e->flags = 0;
	memset(&e->u, 0, sizeof(e->u));
	e->u.constant = k;
	if (f->ast->overload != NULL)
		f->ast->overload[ref] = -1;
	/* ast->types keeps the checker's static type of the expression */
}

/* The child node refs of a node (into kids, at most max); returns the count. */
static uint32_t
children(const CelAst *ast, const CelExpr *e, CelNodeRef *single, const int32_t **run,
		 uint32_t *stride)
{
	*run = NULL;
	*stride = 1;
	*single = CEL_NO_NODE;
	switch (e->kind)
	{
		case CEL_EXPR_SELECT:
			*single = e->u.select.operand;
			return 0;
		case CEL_EXPR_CALL:
			*single = e->u.call.target;
			*run = ast->args + e->u.call.args;
			return e->u.call.nargs;
		case CEL_EXPR_LIST:
			*run = ast->args + e->u.list.elems;
			return e->u.list.nelems;
		case CEL_EXPR_MAP:
			*run = ast->args + e->u.map.entries;
			return 2 * e->u.map.nentries;
		default:
			return 0;
	}
}

/*
 * Post-order walk: returns whether ref is constant.  Constant children of a
 * non-constant node are folded on the way back up.
 */
static bool
visit(Folder *f, CelNodeRef ref, int depth)
{
	const CelExpr *e;
	CelNodeRef	single;
	const int32_t *run;
	uint32_t	stride;
	uint32_t	n;
	bool		constant = true;
	bool		single_const = false;
	bool	   *kid_const;

	if (ref < 0 || ref >= f->ast->nnodes || depth > FOLD_MAX_DEPTH)
		return false;
	e = &f->ast->nodes[ref];
	switch (e->kind)
	{
		case CEL_EXPR_CONST:
			return true;
		case CEL_EXPR_IDENT:
		case CEL_EXPR_STRUCT:
			return false;
		case CEL_EXPR_COMPREHENSION:
			/* its variables are identifiers; fold inside its parts only */
			{
				CelNodeRef	parts[5] = {e->u.comp.iter_range, e->u.comp.accu_init,
					e->u.comp.loop_cond, e->u.comp.loop_step, e->u.comp.result};

				for (int i = 0; i < 5; i++)
					if (visit(f, parts[i], depth + 1) &&
						f->ast->nodes[parts[i]].kind != CEL_EXPR_CONST)
						fold_node(f, parts[i]);
			}
			return false;
		default:
			break;
	}
	n = children(f->ast, e, &single, &run, &stride);
	kid_const = n > 0 ? (bool *) arena_alloc(f->scratch, n * sizeof(bool)) : NULL;
	if (n > 0 && kid_const == NULL)
		return false;
	if (single >= 0)
	{
		single_const = visit(f, single, depth + 1);
		if (!single_const)
			constant = false;
	}
	for (uint32_t i = 0; i < n; i++)
	{
		kid_const[i] = visit(f, run[i], depth + 1);
		if (!kid_const[i])
			constant = false;
	}
	e = &f->ast->nodes[ref];
	if (e->kind == CEL_EXPR_CALL && !call_foldable(f, e))
		constant = false;
	if (e->kind == CEL_EXPR_LIST && e->u.list.noptional > 0)
		constant = false;
	if (e->kind == CEL_EXPR_MAP && e->u.map.noptional > 0)
		constant = false;
	if (!constant)
	{
		/* fold the constant parts of this non-constant node */
		if (single >= 0 && single_const && f->ast->nodes[single].kind != CEL_EXPR_CONST)
			fold_node(f, single);
		for (uint32_t i = 0; i < n; i++)
			if (kid_const[i] && f->ast->nodes[run[i]].kind != CEL_EXPR_CONST)
				fold_node(f, run[i]);
	}
	return constant;
}

/* Folds the constant sub-expressions of a checked AST in place. */
void
cel_fold(CelAst *ast, Arena *arena)
{
	Folder		f;

	if (ast == NULL || arena == NULL || ast->nnodes == 0)
		return;
	f.ast = ast;
	f.arena = arena;
	f.pool_cap = 0;
	f.reg = cel_registry_default();
	if (f.reg == NULL)
		return;
	f.scratch = arena_create(NULL, 16 * 1024 * 1024);
	if (f.scratch == NULL)
		return;
	if (visit(&f, ast->root, 0) && ast->nodes[ast->root].kind != CEL_EXPR_CONST)
		fold_node(&f, ast->root);
	arena_destroy(f.scratch);
}
