/*
 * cel_check.h — internals shared by the checker (check.c), its literal
 * validators (check_literals.c) and constant folding (fold.c).
 */
#ifndef AUTHZ_CEL_CHECK_H
#define AUTHZ_CEL_CHECK_H

#include "cel.h"

/* A type as cel-go prints it ("list(int)", "map(string, dyn)"). */
extern const char *cel_check_format_type(Arena *arena, const CelType *t);

/*
 * Cerbos' compile-time checks of literal arguments on a typed AST
 * (ast->types set): timestamp('...'), timestamp(int), duration('...'),
 * ip('...'), cidr('...'), "...".format([...]) and x.matches('...').  Sets
 * *failed and adds diags for each bad literal.
 */
extern void cel_check_validate(CelAst *ast, Arena *arena, DiagList *diags,
							   bool *failed);

/*
 * Replaces constant sub-expressions of a checked AST by their values where
 * that cannot change the outcome (the value is a literal; errors are never
 * folded).  Types and overloads of folded nodes are kept consistent.
 */
extern void cel_fold(CelAst *ast, Arena *arena);

#endif							/* AUTHZ_CEL_CHECK_H */
