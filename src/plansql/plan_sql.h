/*
 * plan_sql.h — the query planner's answer as SQL, without jansson in sight
 * (for the PostgreSQL layer, whose headers clash with jansson's).
 */
#ifndef AUTHZ_PLAN_SQL_H
#define AUTHZ_PLAN_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "../engine/engine.h"

struct PlanSqlColumns;
struct PlanSqlStats;

/*
 * The SQL filter for principal on kind's rows for action: "true", "false"
 * or a boolean expression over the columns next resolves (columns_json
 * first, may be NULL); NULL with *error set.  *now_dependent: the plan read
 * now(), so it holds for this instant only.
 */
extern char *plansql_principal_filter(const EngineSet *set, Arena *arena,
									  const EnginePrincipal *principal, const char *kind,
									  const char *action, const EngineCheckOptions *options,
									  const char *columns_json, const struct PlanSqlColumns *next,
									  struct PlanSqlStats *stats, bool *now_dependent,
									  const char **error);

/* PlanResources over JSON text (engine_plan_json), for callers without jansson. */
extern char *plansql_plan_json(const EngineSet *set, Arena *arena, const char *request_json,
							   size_t len, const EngineCheckOptions *options,
							   bool with_condition_marks, const char **error);

/*
 * The SQL filter for principal on resources like template (its kind,
 * policy_version and scope; id and attr are read through next) for action,
 * as plansql_principal_filter.
 */
extern char *plansql_resource_filter(const EngineSet *set, Arena *arena,
									 const EnginePrincipal *principal,
									 const EngineResource *template, const char *action,
									 const EngineCheckOptions *options,
									 const struct PlanSqlColumns *next,
									 struct PlanSqlStats *stats, bool *now_dependent,
									 const char **error);

#endif							/* AUTHZ_PLAN_SQL_H */
