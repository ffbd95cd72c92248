/*
 * run_tests_driver.c — authz's test-suite runner from the command line,
 * for run_tests_diff.py: runs every suite of a policy directory and
 * prints one JSON object per row (file, suite, test, principal, resource,
 * action, expected, actual, status, expected_outputs, actual_outputs,
 * message), then a summary line on stderr.
 *
 *   run_tests_driver [--strict-evaluation] <policy-dir>
 *
 * --strict-evaluation runs every test strict, as `cerbos compile
 * --strict-evaluation` does.
 *
 * Exit status 0 when the policies compiled (whatever the verdicts), 1 if
 * not (the errors on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jansson_safe.h"
#include "testsuite/testsuite.h"

/* A string member, or JSON null for NULL. */
static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Runs the suites of argv[1] and prints every row as a JSON line. */
int
main(int argc, char **argv)
{
	Arena	   *arena;
	DiagList	diags;
	TsReport	report;
	TsRunOptions options;
	int			i;

	memset(&options, 0, sizeof(options));
	if (argc == 3 && strcmp(argv[1], "--strict-evaluation") == 0)
	{
		options.strict_evaluation = true;
		argv++;
		argc--;
	}
	if (argc != 2)
	{
		fprintf(stderr, "usage: run_tests_driver [--strict-evaluation] <policy-dir>\n");
		return 2;
	}
	arena = arena_create(NULL, 0);
	if (arena == NULL)
		return 2;
	diag_init(&diags, arena);
	if (!testsuite_run_dir(arena, argv[1], &options, &report, &diags))
	{
		fprintf(stderr, "%s\n", diag_render(&diags));
		arena_destroy(arena);
		return 1;
	}
	for (i = 0; i < report.ncases; i++)
	{
		const TsCase *c = &report.cases[i];
		json_t	   *o = json_object();
		char	   *text;

		json_object_set_new(o, "file", json_string(c->file));
		json_object_set_new(o, "suite", json_string(c->suite));
		json_object_set_new(o, "test", str_or_null(c->test));
		json_object_set_new(o, "principal", str_or_null(c->principal));
		json_object_set_new(o, "resource", str_or_null(c->resource));
		json_object_set_new(o, "action", str_or_null(c->action));
		json_object_set_new(o, "expected", str_or_null(c->expected));
		json_object_set_new(o, "actual", str_or_null(c->actual));
		json_object_set_new(o, "status", json_string(testsuite_status_name(c->status)));
		json_object_set_new(o, "expected_outputs",
							c->expected_outputs ? json_loads(c->expected_outputs, 0, NULL) : json_null());
		json_object_set_new(o, "actual_outputs",
							c->actual_outputs ? json_loads(c->actual_outputs, 0, NULL) : json_null());
		json_object_set_new(o, "message", str_or_null(c->message));
		text = json_dumps(o, JSON_COMPACT);
		if (text != NULL)
			printf("%s\n", text);
		free(text);
		json_decref(o);
	}
	fprintf(stderr, "suites %d, tests %d, cases %d: %d passed, %d failed, %d skipped, %d errored\n",
			report.nsuites, report.ntests, report.ncases, report.npassed, report.nfailed,
			report.nskipped, report.nerrored);
	arena_destroy(arena);
	return 0;
}
