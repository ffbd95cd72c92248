/*
 * ts_run.h — the state of one run of a directory's suites (run.c,
 * run_cell.c).
 */
#ifndef AUTHZ_TS_RUN_H
#define AUTHZ_TS_RUN_H

#include "ts_int.h"
#include "../engine/engine.h"

/* An engine set compiled for one combination of test options. */
typedef struct TsEngine
{
	bool		lenient;
	const char *globals;		/* "" = none */
	const char *default_version;	/* "" = the engine's default */
	const EngineSet *set;
	struct TsEngine *next;
} TsEngine;

typedef struct TsRun
{
	Arena	   *arena;
	const PolicyDir *dir;
	TsEngine   *engines;
	TsReport   *report;
	const TsFixtures *fixtures; /* of the suite being run */
	const TsRunOptions *options;	/* never NULL */
} TsRun;

/*
 * `cerbos compile` runs tests with schemas enforced (checked against the
 * binary: a resource that breaks its schema is denied every action).
 */
#define TS_SCHEMA_ENFORCEMENT ENGINE_SCHEMA_REJECT

extern void ts_run_cell(TsRun *run, const TsSuite *s, const TsTable *t, const TsCell *c);

#endif							/* AUTHZ_TS_RUN_H */
