/*
 * report.c — the rows of a test run and their tallies.
 */
#include "ts_int.h"

#include <string.h>

/* Appends a row with a status; NULL when the arena is exhausted. */
TsCase *
ts_report_add(Arena *arena, TsReport *report, TsStatus status)
{
	TsCase	   *c;

	if (report->ncases == report->capacity)
	{
		int			cap = report->capacity ? report->capacity * 2 : 64;
		TsCase	   *n = arena_realloc(arena, report->cases, sizeof(TsCase) * report->capacity,
									  sizeof(TsCase) * cap);

		if (n == NULL)
			return NULL;
		report->cases = n;
		report->capacity = cap;
	}
	c = &report->cases[report->ncases++];
	memset(c, 0, sizeof(*c));
	c->status = status;
	switch (status)
	{
		case TS_PASSED:
			report->npassed++;
			break;
		case TS_FAILED:
			report->nfailed++;
			break;
		case TS_SKIPPED:
			report->nskipped++;
			break;
		case TS_ERRORED:
			report->nerrored++;
			break;
	}
	return c;
}

/* "passed", "failed", "skipped" or "errored". */
const char *
testsuite_status_name(TsStatus status)
{
	switch (status)
	{
		case TS_PASSED:
			return "passed";
		case TS_FAILED:
			return "failed";
		case TS_SKIPPED:
			return "skipped";
		case TS_ERRORED:
			return "errored";
	}
	return "unknown";
}
