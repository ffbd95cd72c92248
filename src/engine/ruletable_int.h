/*
 * ruletable_int.h — shared by the rule-table builder's files.
 *
 * ruletable.c turns policies into rows and indexes; rule_exprs.c compiles
 * what a row evaluates (conditions, variables, constants, derived roles,
 * outputs) from the checked ASTs the compiler's CEL stage produced.
 */
#ifndef AUTHZ_RULETABLE_INT_H
#define AUTHZ_RULETABLE_INT_H

#include "engine_int.h"

typedef struct Builder
{
	Arena	   *arena;
	const CelEnv *env;
	const EAstCache *asts;		/* checked by the compiler's CEL stage */
	const PolicyDir *dir;
	DiagList   *diags;
	EngineSet  *set;
	int			rows_cap;
	int			buckets_cap;
	int			params_cap;
	int			perms_cap;
	bool		ok;
	/* derived roles compiled once per (derived_roles policy, definition) */
	const Policy **dr_policies;
	EDerivedRole **dr_compiled;
	int			ndr;
	int			dr_cap;
} Builder;

extern const CelAst *rt_expr(Builder *b, const char *file, const PExpr *e);
extern const ECond *rt_condition(Builder *b, const char *file, const PCondition *cond);
extern const ECond *rt_negate(Builder *b, const ECond *cond);
extern const EParams *rt_params(Builder *b, const CompiledPolicy *cp);
extern const EDerivedRole *rt_derived_role(Builder *b, const CompiledPolicy *cp,
										   const char *name);
extern void rt_output(Builder *b, const char *file, const POutput *out, ERow *row);

#endif							/* AUTHZ_RULETABLE_INT_H */
