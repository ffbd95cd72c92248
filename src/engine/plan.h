/*
 * plan.h — Cerbos 0.55's PlanResources: the policies partially evaluated
 * for a known principal and an unknown resource.
 *
 * The answer is a filter in Cerbos' AST: always allowed, always denied, or
 * a residual condition over request.resource.attr.* and request.resource.id
 * built from {"expression":{"operator":op,"operands":[...]}},
 * {"variable":name} and {"value":json}.  With condition marks on, the
 * residual of every condition expression (a rule's match expr, each expr
 * of an all/any/none list, a derived role's or a role policy's condition)
 * is wrapped in the unary operator "authz.condition": "X, where an
 * evaluation error counts as false" — the place where the check engine
 * turns a CEL error into false, which the SQL translation needs to stay
 * exact.  Constant conditions are folded away unmarked.  The JSON API
 * never emits it.
 *
 * Exactness: with marks, a plan keeps exactly the resources the check
 * engine allows (test_engine_plan runs every plan against it).  Where
 * Cerbos' planner disagrees with its own check, the check wins (see
 * test/unit/engine_plan_known_failures.txt).
 *
 * Operators besides Cerbos' documented ones: every CEL function under its
 * name (receiver first), "-_" (unary minus, as Cerbos), "get-field"
 * (operands: the object and {"variable": field}), "struct"/"set-field"
 * (a map literal over unknowns), "index"; and, where Cerbos itself refuses
 * to plan, "_?._"/"_[?_]" (optional selection), "unsupported-comprehension"
 * and "unsupported-index-ne", which no translator understands.
 *
 * Files: plan_json.c (entry points, the HTTP body), plan_walk.c (rule
 * selection as formulas, mirroring check.c), plan_residual.c (partial
 * evaluation of one CEL expression) with plan_values.c, plan_names.c
 * (variables, runtime) and plan_comprehension.c, plan_filter.c (building,
 * folding and printing filter trees).  Tested by test/unit/test_engine_plan.c.
 */
#ifndef AUTHZ_PLAN_H
#define AUTHZ_PLAN_H

#include "engine.h"

#include "../common/jansson_safe.h"

#define PLAN_KIND_ALWAYS_ALLOWED 1
#define PLAN_KIND_ALWAYS_DENIED 2
#define PLAN_KIND_CONDITIONAL 3

/*
 * Under strict evaluation, a plan whose rows may meet condition errors
 * ANDs this operator (no operands: "the rows a strict check allows every
 * action of the plan", see plan_json.c) to its formula.
 */
#define PLAN_STRICT_CHECK "authz.check"

/* Name of the marking operator (see above). */
#define PLAN_CONDITION_MARK "authz.condition"
/* With marks on, has(x) over the unknown resource is this unary operator
 * (Cerbos writes it as x != null, which for an absent x means an error). */
#define PLAN_HAS_MARK "authz.has"

/* One plan: kind, and the condition when conditional (a new reference). */
typedef struct EnginePlan
{
	int			kind;			/* PLAN_KIND_* */
	json_t	   *condition;		/* NULL unless PLAN_KIND_CONDITIONAL; caller decrefs */
	bool		no_match;		/* no rule applies (filterDebug NO_MATCH) */
	bool		now_dependent;	/* the plan read now(): valid at this instant only */
	const char **matched_scopes;	/* per action: the scope its rules came from
									 * ("" at the root or for several; arena) */
} EnginePlan;

/*
 * PlanResources: request JSON text in, response JSON text out (allocated
 * in arena).  NULL with *error naming the field for a request Cerbos
 * would reject.  with_condition_marks adds "authz.condition" nodes.
 */
extern char *engine_plan_json(const EngineSet *set, Arena *arena,
							  const char *request_json, size_t len,
							  const EngineCheckOptions *options,
							  bool with_condition_marks, const char **error);

/*
 * The plan for a decoded principal (validated as for engine_check_decoded)
 * and the resource's kind, policy version, scope and known attributes
 * (resource->id and attr may be empty), for the actions (all must be
 * allowed).  options->aux_jwt gives request.auxData.jwt.  False with
 * *error for a bad principal or resource.
 */
extern bool engine_plan_decoded(const EngineSet *set, Arena *arena,
								const EnginePrincipal *principal,
								const EngineResource *resource,
								const char **actions, int nactions,
								const EngineCheckOptions *options,
								bool with_condition_marks,
								EnginePlan *out, const char **error);

/* Cerbos' s-expression for a filter condition: (and (eq a "x") ...). */
extern char *engine_plan_debug(Arena *arena, const json_t *condition);

#endif							/* AUTHZ_PLAN_H */
