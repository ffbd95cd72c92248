/*
 * test_policy_stores.c — every Cerbos policy store in the shared test data
 * loads and compiles without errors, and what it compiles to is what the
 * files say (counts, identities, imports, variable order, skipped files).
 */
#include <dirent.h>
#include <string.h>

#include "compiler/compiler.h"
#include "policy_paths.h"
#include "unit.h"

/* Compiles one directory; prints the errors when it fails. */
static PolicySet *
compile_dir(Arena *arena, const char *dir)
{
	DiagList	diags;
	PolicySet  *set = NULL;

	diag_init(&diags, arena);
	if (!compile_policy_dir(arena, dir, NULL, &set, &diags))
	{
		fprintf(stderr, "%s:\n%s\n", dir, diag_render(&diags));
		return NULL;
	}
	return set;
}

static int
count_kind(const PolicySet *set, PolicyKind kind)
{
	int			i,
				n = 0;

	for (i = 0; i < set->npolicies; i++)
		n += set->policies[i].kind == kind;
	return n;
}

/* store/: the engine tests' store, with schemas, tests, hidden files. */
static void
test_store(const char *data)
{
	Arena	   *arena = arena_create(NULL, 0);
	char		dir[512];
	PolicySet  *set;
	const CompiledPolicy *cp;
	int			i;

	snprintf(dir, sizeof(dir), "%s/cerbos/policies/store", data);
	set = compile_dir(arena, dir);
	CHECK(set != NULL);
	if (set == NULL)
		return;
	CHECK(set->npolicies + set->ndisabled == 60);
	CHECK(set->ndisabled >= 1);	/* disabled_policy_01.yaml */
	CHECK(count_kind(set, POLICY_ROLE) == 8);
	CHECK(count_kind(set, POLICY_EXPORT_VARIABLES) >= 1);
	CHECK(count_kind(set, POLICY_EXPORT_CONSTANTS) >= 1);
	/* _schemas: principal.json and resources/...; hidden files there are
	 * kept too, since Cerbos opens schemas by name */
	CHECK(policy_dir_schema(&set->dir, "principal.json") != NULL);
	CHECK(policy_dir_schema(&set->dir, "resources/leave_request.json") != NULL);
	CHECK(policy_dir_schema(&set->dir, ".hidden_file.json") != NULL);
	CHECK(policy_dir_schema(&set->dir, "nosuch.json") == NULL);
	/* three *_test.yaml suites (one beside the policies); testdata kept apart */
	CHECK(set->dir.ntest_files == 3);
	CHECK(set->dir.ntestdata_files >= 1);

	cp = policy_set_find(set, POLICY_RESOURCE, "leave_request", "20210210", "");
	CHECK(cp != NULL);
	if (cp)
	{
		CHECK_STR(cp->fqn, "resource.leave_request.v20210210");
		CHECK(cp->nderived_roles == 2);
		CHECK(cp->nvariables >= 2);
		CHECK_STR(cp->policy->principal_schema.ref.s, "cerbos:///principal.json");
		CHECK(cp->policy->resource_rules[0].actions.count == 1);
		CHECK_STR(cp->policy->resource_rules[0].name.s, "wildcard");
	}
	/* scoped chain acme.hr.uk.brighton.kemptown -> acme.hr.uk.brighton */
	cp = policy_set_find(set, POLICY_RESOURCE, "leave_request", "default",
						 "acme.hr.uk.brighton.kemptown");
	CHECK(cp != NULL);
	if (cp)
	{
		CHECK(cp->parent != NULL);
		CHECK(cp->parent && strcmp(cp->parent->scope, "acme.hr.uk.brighton") == 0);
	}
	CHECK(policy_set_find(set, POLICY_RESOURCE, "leave_request", "default", "no.such") == NULL);
	/* every variable comes after the variables it uses */
	for (i = 0; i < set->npolicies; i++)
	{
		const CompiledPolicy *p = &set->policies[i];
		int			v,
					u;

		for (v = 0; v < p->nvariables; v++)
			for (u = 0; u < p->variables[v].nuses; u++)
				CHECK(p->variables[v].uses[u] < v);
	}
	arena_destroy(arena);
}

static void
test_query_planner(const char *data)
{
	Arena	   *arena = arena_create(NULL, 0);
	char		dir[512];
	PolicySet  *set;

	snprintf(dir, sizeof(dir), "%s/cerbos/policies/query_planner", data);
	set = compile_dir(arena, dir);
	CHECK(set != NULL);
	if (set)
	{
		CHECK(set->npolicies == 39);
		CHECK(count_kind(set, POLICY_ROLE) == 6);
		CHECK(count_kind(set, POLICY_PRINCIPAL) == 3);
	}
	arena_destroy(arena);
}

/* cel_eval/: each sub-directory is a store of its own. */
static void
test_cel_eval(const char *data)
{
	char		root[512];
	DIR		   *d;
	struct dirent *de;
	int			stores = 0;

	snprintf(root, sizeof(root), "%s/cerbos/policies/cel_eval", data);
	d = opendir(root);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
	{
		Arena	   *arena;
		char		dir[1024];
		PolicySet  *set;

		if (de->d_name[0] == '.')
			continue;
		arena = arena_create(NULL, 0);
		snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name);
		set = compile_dir(arena, dir);
		CHECK(set != NULL && set->npolicies == 1);
		stores++;
		arena_destroy(arena);
	}
	closedir(d);
	CHECK(stores == 17);
}

/* The good corpus compiles too. */
static void
test_good_corpus(void)
{
	DIR		   *d = opendir(POLICY_CORPUS "/good");
	struct dirent *de;
	int			cases = 0;

	CHECK(d != NULL);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
	{
		Arena	   *arena;
		char		dir[1024];

		if (de->d_name[0] == '.')
			continue;
		arena = arena_create(NULL, 0);
		snprintf(dir, sizeof(dir), "%s/good/%s", POLICY_CORPUS, de->d_name);
		CHECK(compile_dir(arena, dir) != NULL);
		cases++;
		arena_destroy(arena);
	}
	closedir(d);
	CHECK(cases >= 5);
}

int
main(void)
{
	const char *data = shared_data_dir();

	CHECK(data != NULL);
	if (data)
	{
		test_store(data);
		test_query_planner(data);
		test_cel_eval(data);
	}
	test_good_corpus();
	UNIT_DONE("policy_stores");
}
