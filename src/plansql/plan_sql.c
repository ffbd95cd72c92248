/*
 * plan_sql.c — a query plan straight to SQL, for row-level security and
 * for rewriting authz_check calls.
 *
 * The PostgreSQL layer decodes the principal once and asks for the filter
 * one protected table's command (or one inlined call) needs: the planner's
 * answer (with condition marks, so the SQL keeps CEL's "an error is false"
 * boundaries) handed to the translator.  Kept in the core so that the PostgreSQL files
 * never see jansson (its json_object clashes with PostgreSQL's).
 */
#include "../common/jansson_safe.h"
#include "../engine/plan.h"
#include "plansql.h"
#include "plan_sql.h"

/*
 * The SQL filter for principal on resources like template for action: the
 * template fixes kind, policy version and scope (they choose the policies),
 * its id and attributes are the unknowns the filter reads through
 * columns_json and next.  Row-level security knows only the kind; an
 * inlined authz_check call (src/pg/inline_check.c) may name all three.
 */
static char *
filter_for_template(const EngineSet *set, Arena *arena, const EnginePrincipal *principal,
					const EngineResource *template, const char *action,
					const EngineCheckOptions *options, const char *columns_json,
					const PlanSqlColumns *next, PlanSqlStats *stats,
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
	sql = plansql_sql_from_text(arena, condition_json, columns_json, next, stats, error);
	free(condition_json);
	return sql;
}

/* The SQL filter for principal on kind's rows for action; NULL + *error. */
char *
plansql_principal_filter(const EngineSet *set, Arena *arena,
						 const EnginePrincipal *principal, const char *kind,
						 const char *action, const EngineCheckOptions *options,
						 const char *columns_json, const PlanSqlColumns *next,
						 PlanSqlStats *stats, bool *now_dependent, const char **error)
{
	EngineResource template = {0};

	template.kind = kind;
	return filter_for_template(set, arena, principal, &template, action, options,
							   columns_json, next, stats, now_dependent, error);
}

/* The SQL filter for principal on resources like template for action; NULL + *error. */
char *
plansql_resource_filter(const EngineSet *set, Arena *arena,
						const EnginePrincipal *principal, const EngineResource *template,
						const char *action, const EngineCheckOptions *options,
						const PlanSqlColumns *next, PlanSqlStats *stats,
						bool *now_dependent, const char **error)
{
	return filter_for_template(set, arena, principal, template, action, options,
							   NULL, next, stats, now_dependent, error);
}

/* engine_plan_json for callers that cannot include jansson. */
char *
plansql_plan_json(const EngineSet *set, Arena *arena, const char *request_json,
				  size_t len, const EngineCheckOptions *options,
				  bool with_condition_marks, const char **error)
{
	return engine_plan_json(set, arena, request_json, len, options, with_condition_marks, error);
}
