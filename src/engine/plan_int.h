/*
 * plan_int.h — shared between the planner's files (see plan.h).
 *
 * Filter trees are jansson values.  Every builder takes ownership of the
 * trees passed to it and returns a new reference; a tree used twice is
 * json_incref'd first.  The constants true and false are {"value":true}
 * and {"value":false}, which the builders fold away.
 */
#ifndef AUTHZ_PLAN_INT_H
#define AUTHZ_PLAN_INT_H

#include "engine_int.h"
#include "plan.h"

/* ---------- plan_filter.c ---------- */
extern json_t *pf_value(json_t *v);
extern json_t *pf_bool(bool b);
extern json_t *pf_var(const char *name);
extern json_t *pf_expr(const char *op, json_t **operands, int n);
extern json_t *pf_expr1(const char *op, json_t *a);
extern json_t *pf_expr2(const char *op, json_t *a, json_t *b);
extern bool pf_is_bool(const json_t *f, bool *b);
extern json_t *pf_and(json_t *a, json_t *b);
extern json_t *pf_or(json_t *a, json_t *b);
extern json_t *pf_not(json_t *a);
extern json_t *pf_mark(json_t *a, bool marks);
extern json_t *pf_nary(const char *op, json_t **fs, int n);
extern json_t *pf_error(void);
extern json_t *pf_resolve_errors(json_t *f);

/* Internal placeholder for a CEL error inside a residual; never output. */
#define PLAN_ERROR_OP "authz.error"


/* ---------- plan_residual.c ---------- */

/* A partially evaluated node: a value, a residual, or a part of request. */
typedef enum PResKind
{
	PRES_KNOWN = 1,
	PRES_UNKNOWN,				/* j: filter tree */
	PRES_REQUEST,				/* request */
	PRES_RESOURCE,				/* request.resource */
	PRES_ATTR,					/* request.resource.attr */
	PRES_VARS,					/* V / variables */
	PRES_INDEX,					/* m[k]: v the known map m, j the residual key k */
	PRES_RUNTIME				/* runtime */
} PResKind;

typedef struct PRes
{
	int			kind;
	CelValue	v;
	json_t	   *j;
	/* a known value JSON cannot carry (timestamp, duration, hierarchy...)
	 * is written as the call that made it: the node it came from */
	const CelAst *ast;
	CelNodeRef	node;
} PRes;

#define PLAN_MAX_LOCALS 64
#define PLAN_MAX_UNROLL 1000		/* comprehension steps unrolled per plan */

typedef struct PlanEval
{
	ECheck	   *c;
	bool		marks;
	const EParams *params;		/* whose V and C are in scope */
	const char *local_names[PLAN_MAX_LOCALS];
	PRes		local_vals[PLAN_MAX_LOCALS];
	int			nlocals;
	int			depth;
	/* per EParams.id: residuals of its variables (NULL until needed) */
	PRes	  **vars;
	uint8_t   **vars_state;		/* 0 not yet, 1 evaluating, 2 done */
	CelValue   *known_vars;		/* map of the known ones, for cel_eval */
	uint8_t    *known_vars_done;
	CelActivation act;
	/* runtime.effectiveDerivedRoles: the derived roles of the resource
	 * policy at the scope being walked, for these roles */
	const char *edr_version;
	const char *edr_scope;
	const char **edr_roles;
	int			edr_nroles;
	bool		in_derived;		/* evaluating derived roles: runtime is empty */
	int			in_lambda;		/* inside a lambda over an unknown range */
	int			unrolled;		/* comprehension steps unrolled so far */
	int			rows_matched;	/* rules that applied to the action (NO_MATCH when 0) */
	const char *matched_scope;	/* the leafmost scope they came from */
	bool		matched_scopes_differ;	/* rules of several scopes applied */
	/*
	 * strict evaluation: a condition expression the walk met was a known
	 * CEL error, or was left residual (it may error on some rows)
	 */
	bool		strict_error;
	bool		strict_residual;
} PlanEval;

#define PLAN_MAX_DEPTH 120		/* nesting of one expression */

/* plan_values.c */
extern PRes pres_known(CelValue v);
extern PRes pres_known_at(CelValue v, const CelAst *ast, CelNodeRef ref);
extern PRes pres_unknown(json_t *j);
extern PRes pres_marker(int kind);
extern bool pres_representable(CelValue v, int depth);
extern void pres_release_tree(json_t *j);
extern json_t *pres_tree(PlanEval *pe, PRes r);
extern void pres_release(PRes r);
extern PRes pres_settle(PlanEval *pe, PRes r);
extern bool pres_is_err(PRes r);
extern json_t *pres_formula(PlanEval *pe, PRes r);
extern json_t *pres_operand(PlanEval *pe, PRes r);
extern const char *plan_operator_name(const char *fn);
extern json_t *pres_rebuild_tree(PlanEval *pe, const CelAst *ast, CelNodeRef ref);

/* plan_residual.c */
extern bool plan_resolve(void *state, const char *name, CelValue *out);
extern CelValue plan_eval_known(PlanEval *pe, const CelAst *ast, CelNodeRef ref);
extern bool plan_map_field(CelValue m, const char *field, CelValue *out);
extern PRes plan_select(PlanEval *pe, PRes obj, const char *field, bool test_only);
extern PRes plan_eval_node(PlanEval *pe, const CelAst *ast, CelNodeRef ref);

/* plan_names.c */
extern bool plan_var(PlanEval *pe, const EParams *p, const char *name, PRes *out);
extern CelValue plan_known_vars(PlanEval *pe, const EParams *p);
extern PRes plan_runtime_list(PlanEval *pe);

/* plan_comprehension.c */
extern bool plan_push_local(PlanEval *pe, const char *name, PRes v);
extern PRes plan_lambda_form(PlanEval *pe, const CelAst *ast, const CelExpr *e, PRes range);
extern PRes plan_comprehension(PlanEval *pe, const CelAst *ast, CelNodeRef ref, const CelExpr *e);

extern bool plan_eval_init(PlanEval *pe, ECheck *c, bool marks);
extern void plan_eval_finish(PlanEval *pe);

/* A condition tree as a boolean formula (errors false), marked if asked. */
extern json_t *plan_cond(PlanEval *pe, const ECond *cond, const EParams *params, int depth);

/* ---------- plan_walk.c ---------- */
extern json_t *plan_action(PlanEval *pe, const char *action, bool *no_match);

#endif							/* AUTHZ_PLAN_INT_H */
