/*
 * fold.c — constant folding of checked CEL ASTs.
 *
 * Not yet implemented: the AST is left as checked.  Folding is an
 * optimisation only; evaluation of the unfolded tree gives the same
 * results.
 */
#include "cel_check.h"

/* Folds constant sub-expressions (currently none). */
void
cel_fold(CelAst *ast, Arena *arena)
{
	(void) ast;
	(void) arena;
}
