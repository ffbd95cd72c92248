/*
 * test_policy_compile.c — the compiler on inline policy sets: the index,
 * duplicates, scope chains, imports, variable order, and the CEL hook
 * (every expression reaches it with its role and file, and positions inside
 * an expression map back to the right line and column of the YAML file).
 */
#include <string.h>

#include "compiler/compiler.h"
#include "unit.h"

static Arena *arena;

typedef struct HookLog
{
	int			calls[5];		/* by CompileExprRole */
	int			total;
	const char *reject;			/* text to reject */
} HookLog;

/* A stand-in for CEL: counts calls; rejects one text at its 2nd line, col 3. */
static bool
fake_hook(void *state, const char *file, const CompiledPolicy *policy,
		  const PExpr *expr, CompileExprRole role, void **handle, DiagList *diags)
{
	HookLog    *log = state;

	log->calls[role]++;
	log->total++;
	*handle = (void *) expr;
	if (log->reject && strstr(expr->text, log->reject))
	{
		PPos		at = pexpr_file_position(expr, 2, 3);

		diag_add(diags, file, at.line, at.column, "rejected");
		return false;
	}
	return true;
}

/* Compiles files given as name/text pairs (NULL-terminated). */
static bool
compile_texts(const char *const *files, const CompileOptions *options,
			  PolicySet **set, DiagList *diags)
{
	PolicyDir	dir;
	int			i;

	memset(&dir, 0, sizeof(dir));
	dir.root = "mem";
	diag_init(diags, arena);
	for (i = 0; files[i]; i += 2)
		if (!policy_load_text(arena, files[i], files[i + 1], strlen(files[i + 1]),
							  NULL, &dir.policies, &dir.npolicies, diags))
			return false;
	return compile_policies(arena, &dir, options, set, diags);
}

static const char *resource_a =
"apiVersion: api.cerbos.dev/v1\n"
"resourcePolicy:\n"
"  resource: doc\n"
"  version: default\n"
"  importDerivedRoles: [dr]\n"
"  variables:\n"
"    import: [ev]\n"
"    local:\n"
"      c: V.b && V.a\n"
"  rules:\n"
"    - actions: [view]\n"
"      derivedRoles: [owner]\n"
"      effect: EFFECT_ALLOW\n"
"      condition:\n"
"        match:\n"
"          all:\n"
"            of:\n"
"              - expr: V.c\n"
"              - expr: |-\n"
"                  R.attr.x &&\n"
"                    BAD\n"
"      output:\n"
"        when:\n"
"          ruleActivated: '\"yes\"'\n";

static const char *derived =
"apiVersion: api.cerbos.dev/v1\n"
"derivedRoles:\n"
"  name: dr\n"
"  definitions:\n"
"    - name: owner\n"
"      parentRoles: [user]\n"
"      condition: {match: {expr: R.attr.owner == P.id}}\n";

static const char *exported =
"apiVersion: api.cerbos.dev/v1\n"
"exportVariables:\n"
"  name: ev\n"
"  definitions:\n"
"    b: V.a || true\n"
"    a: P.attr.ok\n";

static const char *scoped =
"apiVersion: api.cerbos.dev/v1\n"
"resourcePolicy:\n"
"  resource: doc\n"
"  version: default\n"
"  scope: acme\n"
"  rules:\n"
"    - {actions: [view], roles: [user], effect: EFFECT_ALLOW}\n";

static void
test_compile_and_hook(void)
{
	const char *files[] = {"a.yaml", resource_a, "d.yaml", derived, "e.yaml", exported,
	"s.yaml", scoped, NULL};
	CompileOptions options;
	HookLog		log;
	PolicySet  *set = NULL;
	DiagList	diags;
	const CompiledPolicy *cp;
	int			i;

	memset(&options, 0, sizeof(options));
	memset(&log, 0, sizeof(log));
	options.check_expr = fake_hook;
	options.check_expr_state = &log;
	CHECK(compile_texts(files, &options, &set, &diags));
	CHECK_STR(diag_render(&diags), "");
	if (set == NULL)
		return;
	CHECK(set->npolicies == 4);
	cp = policy_set_find(set, POLICY_RESOURCE, "doc", "default", "");
	CHECK(cp != NULL);
	if (cp == NULL)
		return;
	CHECK(cp->nderived_roles == 1);
	CHECK(cp->nvariables == 3);
	/* a before b before c: each after what it uses */
	CHECK_STR(cp->variables[0].name, "a");
	CHECK_STR(cp->variables[1].name, "b");
	CHECK_STR(cp->variables[2].name, "c");
	CHECK_STR(cp->variables[0].file, "e.yaml");
	CHECK(cp->variables[2].nuses == 2);
	for (i = 0; i < cp->nvariables; i++)
		CHECK(cp->variables[i].checked == &cp->variables[i].expr);
	/* conditions and outputs keep what the hook returned */
	{
		const PMatch *all = cp->policy->resource_rules[0].condition->match;

		CHECK(all->of[0].expr.checked == &all->of[0].expr);
		CHECK(all->of[1].expr.checked == &all->of[1].expr);
		CHECK(cp->policy->resource_rules[0].output->rule_activated.checked ==
			  &cp->policy->resource_rules[0].output->rule_activated);
	}
	cp = policy_set_find(set, POLICY_RESOURCE, "doc", "default", "acme");
	CHECK(cp != NULL && cp->parent == policy_set_find(set, POLICY_RESOURCE, "doc", "default", ""));
	CHECK(policy_set_find(set, POLICY_DERIVED_ROLES, "dr", "", "") != NULL);
	CHECK(policy_set_find(set, POLICY_EXPORT_VARIABLES, "ev", "", "") != NULL);
	/* expressions: 3 variables, 2 rule conditions (+1 in the scoped policy:
	 * none), 1 output, 1 derived-role condition */
	CHECK(log.calls[CEXPR_VARIABLE] == 3);
	CHECK(log.calls[CEXPR_RULE_CONDITION] == 2);
	CHECK(log.calls[CEXPR_OUTPUT] == 1);
	CHECK(log.calls[CEXPR_DERIVED_ROLE_CONDITION] == 1);

	/* an error on line 2, column 3 of the block scalar: file line 21 */
	memset(&log, 0, sizeof(log));
	log.reject = "BAD";
	set = NULL;
	CHECK(!compile_texts(files, &options, &set, &diags));
	CHECK_STR(diag_render(&diags), "a.yaml:21:21: rejected");
}

static void
test_positions(void)
{
	PExpr		e;
	PPos		p;

	memset(&e, 0, sizeof(e));
	e.content.line = 10;
	e.content.column = 17;
	p = pexpr_file_position(&e, 1, 5);
	CHECK(p.line == 10 && p.column == 21);
	e.block = true;
	p = pexpr_file_position(&e, 3, 2);
	CHECK(p.line == 12 && p.column == 18);
}

static void
test_errors(void)
{
	const char *dup[] = {"a.yaml", scoped, "b.yaml", scoped, NULL};
	const char *missing_import[] = {"a.yaml", resource_a, NULL};
	PolicySet  *set;
	DiagList	diags;

	CHECK(!compile_texts(dup, NULL, &set, &diags));
	CHECK(strstr(diag_render(&diags),
				 "b.yaml:2:1: duplicate definition of resource.doc.vdefault/acme (previous definition in a.yaml)") != NULL);
	CHECK(strstr(diag_render(&diags),
				 "scoped policy resource.doc.vdefault is not found but is required by descendant policies resource.doc.vdefault/acme") != NULL);
	CHECK(!compile_texts(missing_import, NULL, &set, &diags));
	CHECK_STR(diag_render(&diags),
			  "a.yaml:5:24: cannot find derived roles \"dr\" imported by resource.doc.vdefault\n"
			  "a.yaml:7:14: cannot find variables \"ev\" imported by resource.doc.vdefault\n"
			  "a.yaml:9:10: Undefined variable 'b' referenced in variable 'c'\n"
			  "a.yaml:9:10: Undefined variable 'a' referenced in variable 'c'");
}

/* Every file's errors in one load, up to the list's limit. */
static void
test_all_errors_at_once(void)
{
	const char *bad1 = "apiVersion: api.cerbos.dev/v1\nfoo: 1\nexportVariables: {name: a}\n";
	const char *bad2 = "apiVersion: api.cerbos.dev/v1\nexportVariables: {name: 'b c'}\n";
	const char *bad3 = "apiVersion: [\n";
	const char *files[] = {"1.yaml", bad1, "2.yaml", bad2, "3.yaml", bad3, NULL};
	PolicyDir	dir;
	DiagList	diags;
	int			i;

	memset(&dir, 0, sizeof(dir));
	diag_init(&diags, arena);
	for (i = 0; files[i]; i += 2)
		policy_dir_add_text(arena, &dir, files[i], files[i + 1], strlen(files[i + 1]), NULL, &diags);
	CHECK(diags.count == 3);
	CHECK(strncmp(diag_render(&diags),
				  "1.yaml:2:1: unknown field \"foo\"\n"
				  "2.yaml:2:19: exportVariables.name: does not match regex pattern", 92) == 0);
	CHECK(strstr(diag_render(&diags), "\n3.yaml:2:1: invalid YAML") != NULL);

	/* a limit: the rest are counted, not listed */
	diag_init(&diags, arena);
	diags.max_items = 2;
	for (i = 0; files[i]; i += 2)
		policy_dir_add_text(arena, &dir, files[i], files[i + 1], strlen(files[i + 1]), NULL, &diags);
	CHECK(diags.count == 2 && diags.dropped == 1);
	CHECK(strstr(diag_render(&diags), "... and 1 more") != NULL);
}

/* A directory plus policies from another source: duplicates name both. */
static void
test_mixed_sources(void)
{
	PolicyDir	dir;
	DiagList	diags;
	PolicySet  *set = NULL;
	const char *row =
		"apiVersion: api.cerbos.dev/v1\n"
		"principalPolicy:\n"
		"  principal: alice\n"
		"  version: default\n"
		"  rules: []\n";
	const char *extra =
		"apiVersion: api.cerbos.dev/v1\n"
		"principalPolicy:\n"
		"  principal: carol\n"
		"  version: default\n"
		"  rules: []\n";
	int			before;

	diag_init(&diags, arena);
	CHECK(policy_load_dir(arena, "../policies/good/all_kinds", NULL, &dir, &diags));
	before = dir.npolicies;
	CHECK(policy_dir_add_text(arena, &dir, "authz_policies/carol", extra, strlen(extra), NULL, &diags));
	CHECK(dir.npolicies == before + 1);
	CHECK(compile_policies(arena, &dir, NULL, &set, &diags));
	CHECK(set != NULL && policy_set_find(set, POLICY_PRINCIPAL, "carol", "default", "") != NULL);
	CHECK(policy_dir_add_text(arena, &dir, "authz_policies/alice", row, strlen(row), NULL, &diags));
	CHECK(!compile_policies(arena, &dir, NULL, &set, &diags));
	CHECK_STR(diag_render(&diags),
			  "authz_policies/alice:2:1: duplicate definition of principal.alice.vdefault "
			  "(previous definition in principal.yaml)");
}

int
main(void)
{
	arena = arena_create(NULL, 0);
	test_compile_and_hook();
	test_positions();
	test_errors();
	test_mixed_sources();
	test_all_errors_at_once();
	arena_destroy(arena);
	UNIT_DONE("policy_compile");
}
