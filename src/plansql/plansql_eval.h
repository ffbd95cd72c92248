/*
 * plansql_eval.h — evaluating a filter's CEL text for one resource.
 */
#ifndef AUTHZ_PLANSQL_EVAL_H
#define AUTHZ_PLANSQL_EVAL_H

#include "../cel/cel.h"

typedef struct PlanSqlCel
{
	CelAst	   *ast;
	const CelEnv *env;
} PlanSqlCel;

/* Compiles CEL text in Cerbos' environment; NULL with *error on failure. */
extern PlanSqlCel *plansql_cel_compile(Arena *arena, const char *text,
									   const char **error);

/*
 * Evaluates it with R (and request.resource) = {"id": id, "attr": attr}:
 * 1 when the result is true, 0 when false, -1 on an error or a non-bool.
 */
extern int	plansql_cel_eval(CelEvalContext *ctx, const PlanSqlCel *c,
							 CelValue attr, const char *id);

/*
 * A whole filter for one resource, exactly (authz.condition(X) is false
 * where X errs, which CEL text cannot say): 1 true, 0 false, -1 error,
 * -2 with *error set when the filter is malformed.
 */
struct json_t;
extern int	plansql_filter_eval(CelEvalContext *ctx, const struct json_t *filter,
								CelValue attr, const char *id, const char **error);
extern int	plansql_filter_eval_text(CelEvalContext *ctx, const char *filter_json,
									 CelValue attr, const char *id, const char **error);

#endif							/* AUTHZ_PLANSQL_EVAL_H */
