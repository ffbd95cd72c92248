/*
 * inline_plans.c — cached plans that hold inlined authz_check calls.
 *
 * The planner support of authz_check (inline_check.c) writes the policies
 * of the moment into a plan: the filter of the published generation, made
 * under the settings that shape it (authz.inline_checks, the decision log,
 * the engine's settings and CEL limits) and, for authz_check(resource,
 * action), for the session principal and its token claims.  PostgreSQL
 * keeps plans (prepared statements, PL/pgSQL) across all of these.
 *
 * So whenever the support function considers a call, rewritten or not,
 * this backend notes the state it planned in; before parse analysis
 * (simple protocol, and PL/pgSQL called from it) and before execution of
 * each statement, it compares the state with the noted one and forgets
 * every cached plan (ResetPlanCache, local and cheap) when they differ.
 * A statement bound through the extended protocol is thus at most itself
 * late, as for row-level security (rls.c), whose relcache invalidation at
 * publication also reaches other backends' plans over tables.
 */
#include "postgres.h"

#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "parser/analyze.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/plancache.h"

#include "authz_pg.h"

bool		authz_inline_checks = true;

/* Settings that shape a rewrite, compared before each statement. */
static const char *const shaping_settings[] = {
	"authz.inline_checks", "authz.decision_log", "authz.default_policy_version",
	"authz.lenient_scope_search", "authz.globals", "authz.schema_enforcement",
	"authz.now", "authz.strict_evaluation",
	"authz.cel_max_iterations", "authz.cel_max_string_size", "authz.cel_max_list_items",
	"authz.cel_max_regex_size", "authz.cel_regex_match_limit",
};

/* Whether this backend planned a call of authz_check (rewritten or not) since it last forgot its plans. */
static bool inlined = false;
/* The policy generation and settings those rewrites were made with. */
static uint64 inlined_generation = 0;
static char *inlined_settings = NULL;
/* Whether one of those calls was of the session principal's, and whose. */
static bool session_inlined = false;
static Jsonb *inlined_principal = NULL;
static Jsonb *inlined_claims = NULL;

static post_parse_analyze_hook_type prev_post_parse_analyze = NULL;
static ExecutorStart_hook_type prev_executor_start = NULL;

/* The values of the settings that shape a rewrite, as one string. */
static char *
current_settings(MemoryContext mcxt)
{
	StringInfoData s;
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	int			i;

	initStringInfo(&s);
	for (i = 0; i < (int) lengthof(shaping_settings); i++)
	{
		const char *v = GetConfigOption(shaping_settings[i], true, false);

		appendStringInfo(&s, "%s\x1f", v ? v : "\x1e");
	}
	MemoryContextSwitchTo(old);
	return s.data;
}

/*
 * Remembers that a plan now holds a call planned in the current state;
 * session: a call for the session principal, whose plan depends on who
 * that is.
 */
void
authz_inline_note_plan(bool session)
{
	if (!inlined)
	{
		if (inlined_settings)
			pfree(inlined_settings);
		inlined_settings = current_settings(TopMemoryContext);
		inlined_generation = authz_store_generation();
		session_inlined = false;
		inlined = true;
	}
	if (session && !session_inlined)
	{
		if (inlined_principal)
			pfree(inlined_principal);
		if (inlined_claims)
			pfree(inlined_claims);
		inlined_principal = authz_copy_jsonb(TopMemoryContext, authz_current_principal());
		inlined_claims = authz_copy_jsonb(TopMemoryContext, authz_current_jwt_claims());
		session_inlined = true;
	}
}

/* Forgets cached plans whose calls were planned with other policies, settings or principal. */
static void
check_rewrites_current(void)
{
	char	   *now;
	bool		same;

	if (!inlined || !authz_shmem_available())
		return;
	now = current_settings(CurrentMemoryContext);
	same = authz_store_generation() == inlined_generation &&
		strcmp(now, inlined_settings) == 0 &&
		(!session_inlined ||
		 (authz_same_jsonb(authz_current_principal(), inlined_principal) &&
		  authz_same_jsonb(authz_current_jwt_claims(), inlined_claims)));
	pfree(now);
	if (!same)
	{
		inlined = false;
		session_inlined = false;
		ResetPlanCache();
	}
}

/* Before parse analysis: the simple protocol's statements, PL/pgSQL called from them. */
static void
inline_post_parse_analyze(ParseState *pstate, Query *query, JumbleState *jstate)
{
	check_rewrites_current();
	if (prev_post_parse_analyze)
		prev_post_parse_analyze(pstate, query, jstate);
}

/* Before execution: a statement bound through the extended protocol is at most itself late. */
static void
inline_executor_start(QueryDesc *queryDesc, int eflags)
{
	check_rewrites_current();
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/* Defines authz.inline_checks and installs the statement hooks (from _PG_init). */
void
authz_inline_init(void)
{
	DefineCustomBoolVariable("authz.inline_checks",
							 "Rewrites authz_check calls with a constant principal and action and a jsonb_build_object resource into the SQL filter of their query plan.",
							 NULL,
							 &authz_inline_checks,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	prev_post_parse_analyze = post_parse_analyze_hook;
	post_parse_analyze_hook = inline_post_parse_analyze;
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = inline_executor_start;
}
