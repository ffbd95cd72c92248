/*
 * eval_limits.h — resource limits on CEL and their GUCs (eval_limits.c).
 */
#ifndef AUTHZ_PG_EVAL_LIMITS_H
#define AUTHZ_PG_EVAL_LIMITS_H

#include "cel/cel.h"
#include "engine/engine.h"

extern int	authz_cel_max_expression_size;
extern int	authz_cel_max_nesting_depth;
extern int	authz_cel_max_iterations;
extern int	authz_cel_max_string_size_kb;
extern int	authz_cel_max_list_items;
extern int	authz_cel_max_regex_size;
extern int	authz_cel_regex_match_limit;

extern void authz_define_limit_gucs(void);

/* Sets the limits and the interrupt and limit callbacks of one evaluation. */
extern void authz_cel_apply_limits(CelEvalContext *ctx);
extern void authz_engine_apply_limits(EngineCheckOptions *opts);

#endif							/* AUTHZ_PG_EVAL_LIMITS_H */
