/*
 * plan_sql_resource.c — a query plan as SQL for a resource template, for
 * rewriting authz_check calls (src/pg/inline_check.c).
 *
 * Row-level security plans for a kind alone; a call of authz_check may
 * also name the resource's policy version and scope, which choose the
 * policies as much as the kind does.  The resource passed here is a
 * template: its kind, policyVersion and scope are fixed, its id and
 * attributes are the unknowns the filter reads through the resolver.
 */
#include "../common/jansson_safe.h"
#include "../engine/plan.h"
#include "plansql.h"
#include "plan_sql.h"

/* The SQL filter for principal on resources like template for action; NULL + *error. */
char *
plansql_resource_filter(const EngineSet *set, Arena *arena,
						const EnginePrincipal *principal, const EngineResource *template,
						const char *action, const EngineCheckOptions *options,
						const struct PlanSqlColumns *next, struct PlanSqlStats *stats,
						bool *now_dependent, const char **error)
{
	EngineResource resource = {0};
	EnginePlan	plan = {0};
	const char *actions[1] = {action};
	char	   *condition_json;
	char	   *sql;

	resource.kind = template->kind;
	resource.id = "";
	resource.policy_version = template->policy_version ? template->policy_version : "";
	resource.scope = template->scope ? template->scope : "";
	resource.attr = cel_map_from(arena, NULL, NULL, 0);
	if (!engine_plan_decoded(set, arena, principal, &resource, actions, 1, options,
							 true, &plan, error))
		return NULL;
	*now_dependent = plan.now_dependent;
	if (plan.kind == PLAN_KIND_ALWAYS_ALLOWED)
		return arena_strdup(arena, "true");
	if (plan.kind != PLAN_KIND_CONDITIONAL || plan.condition == NULL)
		return arena_strdup(arena, "false");
	condition_json = json_dumps(plan.condition, JSON_COMPACT);
	json_decref(plan.condition);
	if (condition_json == NULL)
	{
		*error = "out of memory";
		return NULL;
	}
	sql = plansql_sql_from_text(arena, condition_json, NULL, next, stats, error);
	free(condition_json);
	return sql;
}
