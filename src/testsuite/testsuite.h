/*
 * testsuite.h — Cerbos policy test suites, run against authz's engine.
 *
 * A policy directory may hold test suites (*_test.yaml, *_test.yml,
 * *_test.json, outside testdata/) and, next to them, a testdata/ directory
 * of shared fixtures (principals.*, resources.*, auxdata.*).  Each suite
 * lists principals, resources and auxData by name; each test of a suite
 * names some of them (directly or through principalGroups /
 * resourceGroups), a list of actions, and the effects (and outputs) it
 * expects for some (principal, resource) pairs; every pair it does not
 * mention is expected to be denied.  This is Cerbos 0.55's `cerbos
 * compile` test runner, and the verdicts are meant to be the same
 * (test/diff/run_tests_diff.py compares them).
 *
 * testsuite_run_dir() compiles the directory's policies once per distinct
 * set of engine options the suites ask for (lenientScopeSearch, globals,
 * defaultPolicyVersion) and produces one TsCase per (suite, test,
 * principal, resource, action).  A suite that cannot run (a syntax error,
 * an unknown field, a test naming a principal that no fixture defines)
 * yields one TsCase with status TS_ERRORED and only `file`, `suite` and
 * `message` set; a skipped suite yields one TsCase with TS_SKIPPED.
 *
 * Everything is allocated in the caller's Arena.  Link flags as for the
 * engine (-lyaml -ljansson -lpcre2-8 -lssl -lcrypto -lm).
 *
 * Not done as Cerbos does: a test without options.now that calls now()
 * is an error in Cerbos; here now() is the time of the run.
 */
#ifndef AUTHZ_TESTSUITE_H
#define AUTHZ_TESTSUITE_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/diag.h"

typedef enum TsStatus
{
	TS_PASSED = 1,
	TS_FAILED,
	TS_SKIPPED,
	TS_ERRORED
} TsStatus;

/* One verdict: a (suite, test, principal, resource, action) cell. */
typedef struct TsCase
{
	const char *file;			/* suite file, relative to the directory */
	const char *suite;			/* suite name ("" if it could not be read) */
	const char *test;			/* NULL for a suite-level row */
	const char *principal;		/* fixture names as the test gives them */
	const char *resource;
	const char *action;
	const char *expected;		/* "EFFECT_ALLOW" / "EFFECT_DENY"; NULL if none */
	const char *actual;			/* NULL when not run */
	const char *expected_outputs;	/* JSON object {src: value}; NULL if none */
	const char *actual_outputs; /* JSON object {src: value}; NULL when not run */
	TsStatus	status;
	const char *message;		/* why it failed, errored or was skipped; or NULL */
} TsCase;

typedef struct TsReport
{
	TsCase	   *cases;
	int			ncases;
	int			capacity;
	int			nsuites;		/* suite files found */
	int			ntests;			/* tests (tables) in suites that could be read */
	int			npassed;		/* cases by status */
	int			nfailed;
	int			nskipped;
	int			nerrored;
	bool		interrupted;	/* the run was stopped by options->interrupted */
} TsReport;

/* Per-run options (NULL = defaults). */
typedef struct TsRunOptions
{
	/* polled between cells: true stops the run (report->interrupted) */
	bool		(*interrupted) (void *state);
	void	   *interrupted_state;
	/*
	 * `cerbos compile --strict-evaluation`: every test runs with strict
	 * evaluation; without it a test runs strict when its options (or, when
	 * it has none, its suite's) say strictEvaluation: true
	 */
	bool		strict_evaluation;
} TsRunOptions;

/*
 * Runs every suite under dir against dir's own policies.  False (with
 * diags) when the policies themselves do not load or compile: nothing is
 * run then.  Suite problems are rows of the report, not failures.
 */
extern bool testsuite_run_dir(Arena *arena, const char *dir, const TsRunOptions *options,
							  TsReport *report, DiagList *diags);

/* "passed", "failed", "skipped" or "errored". */
extern const char *testsuite_status_name(TsStatus status);

#endif							/* AUTHZ_TESTSUITE_H */
