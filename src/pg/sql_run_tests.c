/*
 * sql_run_tests.c — authz_run_tests(dir): Cerbos policy test suites run
 * inside the database.
 *
 * The directory is read by the server process, so the function is for
 * administrators only (as authz_load is).  It compiles the directory's own
 * policies (not the active set), runs every *_test.yaml suite under it
 * with src/testsuite/, and returns one row per (suite, test, principal,
 * resource, action).  A suite that cannot run is one row with only suite
 * and message set; a skipped suite is one row with skipped = true.
 * Policies that do not compile are an error, as `cerbos compile` fails
 * before running any test.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "authz_pg.h"
#include "arena_pg.h"
#include "testsuite/testsuite.h"

PG_FUNCTION_INFO_V1(authz_run_tests);

#define RUN_TESTS_COLUMNS 12

/* Polled between test cases: a cancel or termination stops the run. */
static bool
interrupt_requested(void *state)
{
	return InterruptPending;
}

/* A text datum, or a null. */
static void
set_text(Datum *values, bool *nulls, int i, const char *s)
{
	if (s == NULL)
		nulls[i] = true;
	else
		values[i] = CStringGetTextDatum(s);
}

/* A jsonb datum from JSON text, or a null. */
static void
set_jsonb(Datum *values, bool *nulls, int i, const char *json)
{
	if (json == NULL)
		nulls[i] = true;
	else
		values[i] = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
}

/* authz_run_tests(dir text DEFAULT NULL) RETURNS TABLE(...) */
Datum
authz_run_tests(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext ctx;
	MemoryContext old;
	Arena	   *arena;
	DiagList	diags;
	TsReport	report;
	TsRunOptions options;
	char	   *dir;
	int			i;

	authz_check_admin("run policy tests");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("authz_run_tests needs a policy directory"),
				 errhint("Pass the directory that holds the policies and their *_test.yaml suites.")));
	dir = text_to_cstring(PG_GETARG_TEXT_PP(0));
	InitMaterializedSRF(fcinfo, 0);

	ctx = AllocSetContextCreate(CurrentMemoryContext, "authz run tests",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ctx);
	arena = arena_create_in(ctx, 0);
	diag_init(&diags, arena);
	options.interrupted = interrupt_requested;
	options.interrupted_state = NULL;
	/* the server's strict setting acts as `cerbos compile --strict-evaluation` */
	options.strict_evaluation = authz_strict_evaluation;
	if (!testsuite_run_dir(arena, dir, &options, &report, &diags))
	{
		char	   *rendered = diag_render(&diags);
		int			nerrors = diags.count + diags.dropped;

		MemoryContextSwitchTo(old);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not compile the policies in \"%s\": %d problem%s found",
						dir, nerrors, nerrors == 1 ? "" : "s"),
				 errdetail("%s", rendered ? rendered : "out of memory"),
				 errhint("No test was run.")));
	}
	if (report.interrupted)
	{
		MemoryContextSwitchTo(old);
		CHECK_FOR_INTERRUPTS();
		/* an interrupt that was already served: still no partial answer */
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("authz_run_tests was interrupted")));
	}
	for (i = 0; i < report.ncases; i++)
	{
		const TsCase *c = &report.cases[i];
		Datum		values[RUN_TESTS_COLUMNS] = {0};
		bool		nulls[RUN_TESTS_COLUMNS] = {0};
		const char *message = c->message;

		/* a suite-level row says which file, since its name may be unknown */
		if (c->test == NULL && message != NULL)
			message = psprintf("%s: %s", c->file, message);
		set_text(values, nulls, 0, c->suite[0] ? c->suite : c->file);
		set_text(values, nulls, 1, c->test);
		set_text(values, nulls, 2, c->principal);
		set_text(values, nulls, 3, c->resource);
		set_text(values, nulls, 4, c->action);
		set_text(values, nulls, 5, c->expected);
		set_text(values, nulls, 6, c->actual);
		values[7] = BoolGetDatum(c->status == TS_PASSED);
		values[8] = BoolGetDatum(c->status == TS_SKIPPED);
		set_jsonb(values, nulls, 9, c->expected_outputs);
		set_jsonb(values, nulls, 10, c->actual_outputs);
		set_text(values, nulls, 11, message);
		MemoryContextSwitchTo(old);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(ctx);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(ctx);
	return (Datum) 0;
}
