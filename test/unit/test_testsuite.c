/*
 * test_testsuite.c — the Cerbos test-suite runner (src/testsuite/).
 *
 * Runs test/policies/suites (whose verdicts run_tests_diff.py checks
 * against `cerbos compile`) and checks the counts and some rows, then
 * small suites written to a temporary directory for the rules that make a
 * whole suite an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testsuite/testsuite.h"
#include "unit.h"

/* The row of a case, or NULL. */
static const TsCase *
find_case(const TsReport *r, const char *test, const char *principal, const char *resource,
		  const char *action)
{
	int			i;

	for (i = 0; i < r->ncases; i++)
	{
		const TsCase *c = &r->cases[i];

		if (c->test && strcmp(c->test, test) == 0 && strcmp(c->principal, principal) == 0 &&
			strcmp(c->resource, resource) == 0 && strcmp(c->action, action) == 0)
			return c;
	}
	return NULL;
}

/* The suite-level row of a file, or NULL. */
static const TsCase *
find_suite_row(const TsReport *r, const char *file)
{
	int			i;

	for (i = 0; i < r->ncases; i++)
		if (r->cases[i].test == NULL && strcmp(r->cases[i].file, file) == 0)
			return &r->cases[i];
	return NULL;
}

/* Writes a file under dir. */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char		path[512];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static const char *POLICY =
"apiVersion: api.cerbos.dev/v1\n"
"resourcePolicy:\n"
"  resource: doc\n"
"  version: default\n"
"  rules:\n"
"    - actions: [view]\n"
"      effect: EFFECT_ALLOW\n"
"      roles: [user]\n"
"      output:\n"
"        when:\n"
"          ruleActivated: '{\"n\": 1}'\n";

static const char *FIXTURES =
"principals:\n"
"  u: {id: u, roles: [user]}\n"
"  v: {id: v, roles: [guest]}\n"
"resources:\n"
"  d: {kind: doc, id: d1}\n";

/* Runs one suite text against POLICY in a fresh directory. */
static bool
run_one(Arena *arena, const char *suite, TsReport *r)
{
	char		tmpl[] = "/tmp/test_testsuite.XXXXXX";
	char	   *dir = mkdtemp(tmpl);
	DiagList	diags;
	bool		ok;
	char		cmd[600];

	if (dir == NULL)
		return false;
	write_file(dir, "doc.yaml", POLICY);
	write_file(dir, "x_test.yaml", suite);
	diag_init(&diags, arena);
	ok = testsuite_run_dir(arena, dir, NULL, r, &diags);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return ok;
}

/* The project's own suites: counts and a few verdicts. */
static void
test_project_suites(void)
{
	Arena	   *arena = arena_create(NULL, 0);
	DiagList	diags;
	TsReport	r;
	const TsCase *c;

	diag_init(&diags, arena);
	CHECK(testsuite_run_dir(arena, "../policies/suites", NULL, &r, &diags));
	CHECK(r.nsuites == 7);
	CHECK(r.ncases == 48);
	CHECK(r.npassed == 40);
	CHECK(r.nfailed == 3);
	CHECK(r.nskipped == 2);
	CHECK(r.nerrored == 3);
	c = find_case(&r, "Bob is not the owner", "bob", "alice_private", "view");
	CHECK(c != NULL && c->status == TS_FAILED);
	CHECK_STR(c ? c->expected : NULL, "EFFECT_ALLOW");
	CHECK_STR(c ? c->actual : NULL, "EFFECT_DENY");
	c = find_case(&r, "Unmentioned pairs are expected to be denied", "root", "alice_private", "delete");
	CHECK(c != NULL && c->status == TS_FAILED);
	CHECK_STR(c ? c->expected : NULL, "EFFECT_DENY");
	c = find_case(&r, "Signing needs a strong token", "alice", "public_doc", "sign");
	CHECK(c != NULL && c->status == TS_PASSED);
	c = find_case(&r, "Lenient scope search falls back to acme", "audrey", "acme_hr_doc", "audit");
	CHECK_STR(c ? c->actual : NULL, "EFFECT_ALLOW");
	c = find_case(&r, "Strict scope search finds nothing at acme.hr", "audrey", "acme_hr_doc", "audit");
	CHECK_STR(c ? c->actual : NULL, "EFFECT_DENY");
	c = find_case(&r, "Wrong output value and a missing output", "carol", "public_doc", "view");
	CHECK(c != NULL && c->status == TS_FAILED && c->message &&
		  strstr(c->message, "no-such-rule\" missing") && strstr(c->message, "view-public\" mismatched"));
	c = find_case(&r, "A skipped test", "alice", "public_doc", "delete");
	CHECK(c != NULL && c->status == TS_SKIPPED && c->actual == NULL);
	CHECK_STR(c ? c->message : NULL, "not ready");
	c = find_suite_row(&r, "tests/skipped_test.yaml");
	CHECK(c != NULL && c->status == TS_SKIPPED);
	c = find_suite_row(&r, "tests/errors/missing_principal_test.yaml");
	CHECK(c != NULL && c->status == TS_ERRORED && c->message &&
		  strstr(c->message, "principal \"ghost\" not found"));
	c = find_suite_row(&r, "tests/errors/unknown_field_test.yaml");
	CHECK(c != NULL && c->message && strstr(c->message, "unknown_field_test.yaml:3:1: suite: unknown field \"colour\""));
	arena_destroy(arena);
}

/* Outputs compare as protobuf Values: 1 equals 1.0; extra outputs are fine. */
static void
test_outputs(void)
{
	Arena	   *arena = arena_create(NULL, 0);
	TsReport	r;
	char	   *suite = arena_printf(arena,
									 "name: s\n%s"
									 "tests:\n"
									 "  - name: t\n"
									 "    input: {principals: [u, v], resources: [d], actions: [view]}\n"
									 "    expected:\n"
									 "      - principal: u\n"
									 "        resource: d\n"
									 "        actions: {view: EFFECT_ALLOW}\n"
									 "        outputs:\n"
									 "          - action: view\n"
									 "            expected:\n"
									 "              - src: resource.doc.vdefault#rule-001\n"
									 "                val: {n: 1.0}\n", FIXTURES);

	CHECK(run_one(arena, suite, &r));
	CHECK(r.ncases == 2);
	CHECK(r.npassed == 2);
	CHECK(r.ncases == 2 && r.cases[0].actual_outputs &&
		  strcmp(r.cases[0].actual_outputs, "{\"resource.doc.vdefault#rule-001\":{\"n\":1}}") == 0);
	/* v is not mentioned: expected DENY, and denied */
	CHECK(r.ncases == 2 && strcmp(r.cases[1].principal, "v") == 0 &&
		  strcmp(r.cases[1].expected, "EFFECT_DENY") == 0 && r.cases[1].status == TS_PASSED);
	arena_destroy(arena);
}

/* Rules that make the whole suite an error, worded as Cerbos words them. */
static void
test_suite_errors(void)
{
	static const struct
	{
		const char *tests;
		const char *message;
	}			cases[] = {
		{"  - name: t\n    input: {principals: [u], resources: [d], actions: [view]}\n"
			"    expected:\n      - {principal: u, resource: d, actions: {view: EFFECT_ALLOW}}\n"
			"      - {principals: [u], resource: d, actions: {view: EFFECT_DENY}}\n",
		"found inconsistent expectations for principal \"u\" performing action \"view\" on resource \"d\""},
		{"  - name: t\n    input: {principals: [u], resources: [d], actions: [view]}\n"
			"    expected:\n      - {principal: u, resource: d, actions: {edit: EFFECT_ALLOW}}\n",
		"found expectations for actions that do not exist in the input actions list: [edit]"},
		{"  - name: t\n    input: {principalGroups: [nobody], resources: [d], actions: [view]}\n"
			"    expected:\n      - {principal: u, resource: d, actions: {view: EFFECT_ALLOW}}\n",
		"principal group \"nobody\" not found"},
		{"  - name: t\n    input: {principals: [u], resources: [d], actions: [view]}\n"
			"    expected:\n      - {principal: u, resource: d, actions: {view: EFFECT_ALLOW}}\n"
			"  - name: t\n    input: {principals: [u], resources: [d], actions: [view]}\n"
			"    expected:\n      - {principal: u, resource: d, actions: {view: EFFECT_ALLOW}}\n",
		"another test named t already exists"},
		{"  - name: t\n    input: {principals: [u], resources: [d], actions: [view]}\n"
			"    expected:\n      - {principal: u, resource: d, actions: {view: EFFECT_MAYBE}}\n",
		"x_test.yaml:11:53: expected.actions.view: \"EFFECT_MAYBE\" must be one of [EFFECT_ALLOW, EFFECT_DENY]"},
		{"  - name: t\n    input: {principals: [u], resources: [d], actions: [view], auxData: nope}\n"
			"    expected:\n      - {principal: u, resource: d, actions: {view: EFFECT_ALLOW}}\n",
		"auxData \"nope\" not found"},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		Arena	   *arena = arena_create(NULL, 0);
		TsReport	r;
		char	   *suite = arena_printf(arena, "name: s\n%stests:\n%s", FIXTURES, cases[i].tests);
		bool		ok = run_one(arena, suite, &r);

		CHECK(ok);
		CHECK(r.ncases == 1 && r.cases[0].status == TS_ERRORED && r.cases[0].test == NULL);
		if (!(r.ncases == 1 && r.cases[0].message && strstr(r.cases[0].message, cases[i].message)))
		{
			fprintf(stderr, "case %zu: got %s\n", i, r.ncases ? r.cases[0].message : "(no rows)");
			CHECK(false);
		}
		else
			CHECK(true);
		arena_destroy(arena);
	}
}

/* Policies that do not compile: no test runs and the errors are diags. */
static void
test_broken_policies(void)
{
	Arena	   *arena = arena_create(NULL, 0);
	DiagList	diags;
	TsReport	r;

	diag_init(&diags, arena);
	CHECK(!testsuite_run_dir(arena, "../fixtures/store/broken", NULL, &r, &diags));
	CHECK(diags.count > 0);
	CHECK(r.ncases == 0);
	arena_destroy(arena);
}

/* Stops after a number of polls. */
static bool
stop_after(void *state)
{
	int		   *left = state;

	return (*left)-- <= 0;
}

/* An interrupted run stops between cells and says so. */
static void
test_interrupted(void)
{
	Arena	   *arena = arena_create(NULL, 0);
	DiagList	diags;
	TsReport	r;
	TsRunOptions opts = {0};
	int			left = 3;

	opts.interrupted = stop_after;
	opts.interrupted_state = &left;
	diag_init(&diags, arena);
	CHECK(testsuite_run_dir(arena, "../policies/suites", &opts, &r, &diags));
	CHECK(r.interrupted);
	/* three cells of the first suite ran (three actions each) */
	CHECK(r.ncases == 9);
	arena_destroy(arena);
}

int
main(void)
{
	test_project_suites();
	test_outputs();
	test_suite_errors();
	test_broken_policies();
	test_interrupted();
	UNIT_DONE("test_testsuite");
}
