/*
 * run.c — every suite of a policy directory, in the order Cerbos reports
 * them (by file path), checked the way Cerbos checks them before running:
 * the suite decodes, its testdata/ loads, its groups name real fixtures,
 * it is not skipped, its test names are unique and every test expands
 * into a matrix.  The first of these that fails makes the suite one
 * errored (or skipped) row; otherwise each test yields a row per
 * (principal, resource, action).
 */
#include "ts_int.h"
#include "ts_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SUITE_SIZE (16 * 1024 * 1024)

/* A suite-level row (errored or skipped). */
static void
suite_row(TsRun *run, const char *file, const char *name, TsStatus status, const char *msg)
{
	TsCase	   *row = ts_report_add(run->arena, run->report, status);

	if (row == NULL)
		return;
	row->file = file;
	row->suite = name ? name : "";
	row->message = msg;
}

/* Reads a suite file into the arena. */
static char *
read_text(Arena *arena, const char *path, size_t *len)
{
	struct stat st;
	FILE	   *f;
	char	   *buf;

	if (stat(path, &st) != 0 || st.st_size > MAX_SUITE_SIZE)
		return NULL;
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	buf = arena_alloc(arena, (size_t) st.st_size + 1);
	*len = buf ? fread(buf, 1, (size_t) st.st_size, f) : 0;
	fclose(f);
	if (buf != NULL)
		buf[*len] = '\0';
	return buf;
}

/* The directory part of a relative path ("" at the top). */
static const char *
dir_of(Arena *arena, const char *rel)
{
	const char *slash = strrchr(rel, '/');

	return slash ? arena_strndup(arena, rel, (size_t) (slash - rel)) : "";
}

/* Whether the suite's own groups name principals/resources that exist. */
static const char *
check_suite_groups(TsRun *run, const TsSuite *s, const TsFixtures *f)
{
	int			i,
				j,
				kind;

	for (kind = 0; kind < 2; kind++)
	{
		const TsMap *groups = kind == 0 ? &s->own.principal_groups : &s->own.resource_groups;
		const TsMap *own = kind == 0 ? &s->own.principals : &s->own.resources;
		const TsMap *shared = kind == 0 ? &f->principals : &f->resources;

		for (i = 0; i < groups->count; i++)
			for (j = 0; j < groups->nodes[i]->count; j++)
			{
				const char *m = groups->nodes[i]->values[j]->text;

				if (ts_map_get(own, m) == NULL && ts_map_get(shared, m) == NULL)
					return arena_printf(run->arena,
										"Invalid %s groups in test suite: missing fixture \"%s\" referenced in group \"%s\"",
										kind == 0 ? "principal" : "resource", m, groups->names[i]);
			}
	}
	return NULL;
}

/* Runs one suite file. */
static void
run_suite(TsRun *run, const char *root, const char *file)
{
	DiagList	diags;
	size_t		len = 0;
	char	   *text = read_text(run->arena, arena_printf(run->arena, "%s/%s", root, file), &len);
	TsSuite    *s;
	TsFixtures	fixtures;
	TsCell	  **cells;
	int		   *ncells;
	const char *msg;
	int			i,
				j;

	diag_init(&diags, run->arena);
	if (text == NULL)
	{
		suite_row(run, file, "", TS_ERRORED, "cannot read the test suite");
		return;
	}
	s = ts_decode_suite(run->arena, file, text, len, &diags);
	if (s == NULL)
	{
		suite_row(run, file, "", TS_ERRORED,
				  arena_printf(run->arena, "failed to load test suite: %s", diag_render(&diags)));
		return;
	}
	if (!ts_load_fixtures(run->arena, root, dir_of(run->arena, file), &fixtures, &diags))
	{
		suite_row(run, file, s->name, TS_ERRORED,
				  arena_printf(run->arena, "failed to load test fixtures: %s", diag_render(&diags)));
		return;
	}
	run->fixtures = &fixtures;
	run->report->ntests += s->ntables;
	if ((msg = check_suite_groups(run, s, &fixtures)) != NULL)
	{
		suite_row(run, file, s->name, TS_ERRORED, msg);
		return;
	}
	if (s->skip)
	{
		suite_row(run, file, s->name, TS_SKIPPED, s->skip_reason[0] ? s->skip_reason : NULL);
		return;
	}
	for (i = 0; i < s->ntables; i++)
		for (j = 0; j < i; j++)
			if (strcmp(s->tables[i].name, s->tables[j].name) == 0)
			{
				suite_row(run, file, s->name, TS_ERRORED,
						  arena_printf(run->arena, "Invalid test suite: another test named %s already exists",
									   s->tables[i].name));
				return;
			}
	cells = arena_alloc0(run->arena, sizeof(TsCell *) * (s->ntables + 1));
	ncells = arena_alloc0(run->arena, sizeof(int) * (s->ntables + 1));
	if (cells == NULL || ncells == NULL)
		return;
	for (i = 0; i < s->ntables; i++)
		if (!ts_build_matrix(run->arena, s, &fixtures, &s->tables[i], &cells[i], &ncells[i], &msg))
		{
			suite_row(run, file, s->name, TS_ERRORED,
					  arena_printf(run->arena, "Failed to load the test suite: invalid test \"%s\": %s",
								   s->tables[i].name, msg));
			return;
		}
	for (i = 0; i < s->ntables; i++)
	{
		const TsTable *t = &s->tables[i];

		for (j = 0; j < ncells[i]; j++)
		{
			const TsCell *c = &cells[i][j];
			int			a;

			if (run->options->interrupted != NULL &&
				run->options->interrupted(run->options->interrupted_state))
			{
				run->report->interrupted = true;
				return;
			}
			if (!t->skip)
			{
				ts_run_cell(run, s, t, c);
				continue;
			}
			for (a = 0; a < t->actions.count; a++)
			{
				TsCase	   *row = ts_report_add(run->arena, run->report, TS_SKIPPED);

				if (row == NULL)
					return;
				row->file = file;
				row->suite = s->name;
				row->test = t->name;
				row->principal = c->principal;
				row->resource = c->resource;
				row->action = t->actions.items[a];
				row->expected = c->expected[a];
				row->expected_outputs = c->expected_outputs[a];
				row->message = t->skip_reason[0] ? t->skip_reason : NULL;
			}
		}
	}
}

/* Byte order of paths, as Cerbos sorts its suite results. */
static int
compare_paths(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Runs every suite under dir against dir's own policies. */
bool
testsuite_run_dir(Arena *arena, const char *dir, const TsRunOptions *options,
				  TsReport *report, DiagList *diags)
{
	static const TsRunOptions defaults = {0};
	PolicyDir	pdir;
	TsRun		run;
	EngineConfig cfg;
	const char **files;
	int			i;

	memset(report, 0, sizeof(*report));
	memset(&pdir, 0, sizeof(pdir));
	if (!policy_load_dir(arena, dir, NULL, &pdir, diags))
		return false;
	memset(&run, 0, sizeof(run));
	run.arena = arena;
	run.dir = &pdir;
	run.report = report;
	run.options = options ? options : &defaults;
	/* the policies must compile before any suite runs, as in `cerbos compile` */
	memset(&cfg, 0, sizeof(cfg));
	cfg.schema_enforcement = TS_SCHEMA_ENFORCEMENT;
	run.engines = arena_alloc0(arena, sizeof(TsEngine));
	if (run.engines == NULL)
		return false;
	run.engines->globals = "";
	run.engines->default_version = "";
	run.engines->set = engine_compile_policies(arena, &pdir, &cfg, NULL, diags);
	if (run.engines->set == NULL)
		return false;
	files = arena_alloc0(arena, sizeof(char *) * (pdir.ntest_files + 1));
	if (files == NULL)
		return false;
	memcpy(files, pdir.test_files, sizeof(char *) * pdir.ntest_files);
	qsort(files, pdir.ntest_files, sizeof(char *), compare_paths);
	report->nsuites = pdir.ntest_files;
	for (i = 0; i < pdir.ntest_files && !report->interrupted; i++)
		run_suite(&run, dir, files[i]);
	return !arena->failed;
}
