/*
 * sql_plan.c — Cerbos' PlanResources from SQL.
 *
 *   authz_plan_resources(request jsonb) → jsonb   the body of Cerbos'
 *       POST /api/plan/resources in, the body it answers out
 *   authz_plan_sql(request jsonb, columns jsonb) → text   the same plan as
 *       a SQL boolean expression over a table's columns (src/plansql/)
 *
 * The plan for SQL carries condition marks (see src/engine/plan.h): where
 * Cerbos turns a CEL error into false, the SQL turns NULL into false, so
 * the rows kept are exactly those authz_check allows one by one.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "engine/engine.h"
#define PLANSQL_NO_JANSSON
#include "plansql/plansql.h"
#include "plansql/plan_sql.h"
#include "sql_filter.h"

PG_FUNCTION_INFO_V1(authz_plan_resources);
PG_FUNCTION_INFO_V1(authz_plan_sql);

/* The plan response for a request (JSON text), with or without marks. */
static char *
plan_response(Arena *arena, Jsonb *request, bool with_marks)
{
	EngineCheckOptions opts;
	const char *error = NULL;
	char	   *text = JsonbToCString(NULL, &request->root, VARSIZE(request));
	char	   *response;

	authz_require_shmem();
	authz_engine_options(&opts);
	response = plansql_plan_json(authz_engine_acquire(), arena, text, strlen(text), &opts,
								with_marks, &error);
	if (response == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request: %s", error ? error : "malformed")));
	authz_engine_release();
	CHECK_FOR_INTERRUPTS();
	return response;
}

/* authz_plan_resources(request jsonb) RETURNS jsonb */
Datum
authz_plan_resources(PG_FUNCTION_ARGS)
{
	Arena	   *arena = arena_create_in(CurrentMemoryContext, 0);
	char	   *response = plan_response(arena, PG_GETARG_JSONB_P(0), false);

	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(response)));
}

/* authz_plan_sql(request jsonb, columns jsonb DEFAULT NULL) RETURNS text */
Datum
authz_plan_sql(PG_FUNCTION_ARGS)
{
	Jsonb	   *columns = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	char	   *response;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	response = plan_response(arena_create_in(CurrentMemoryContext, 0), PG_GETARG_JSONB_P(0), true);
	PG_RETURN_TEXT_P(cstring_to_text(authz_filter_to_sql(response,
														 columns ? JsonbToCString(NULL, &columns->root, VARSIZE(columns)) : NULL,
														 InvalidOid, authz_filter_cel_name(), NULL)));
}
