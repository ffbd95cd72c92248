/*
 * test_policy_decode.c — the YAML tree, the decoder and the compiler's
 * helpers on small inline documents: positions of nodes and of errors,
 * camelCase and snake_case, every field of every kind landing in the
 * model, JSON through libyaml, anchors, limits, name patterns and the
 * variable-reference scanner.
 */
#include <string.h>

#include "compiler/compiler.h"
#include "unit.h"

static Arena *arena;

/* Loads text as one file; returns the rendered diagnostics ("" if none). */
static const char *
load(const char *text, Policy ***out, int *n)
{
	DiagList	diags;
	static Policy **none;
	int			zero = 0;

	diag_init(&diags, arena);
	if (out == NULL)
	{
		out = &none;
		n = &zero;
	}
	*out = NULL;
	*n = 0;
	policy_load_text(arena, "p.yaml", text, strlen(text), NULL, out, n, &diags);
	return diag_render(&diags);
}

static void
test_tree(void)
{
	PDoc	   *docs;
	int			ndocs;
	DiagList	diags;
	const char *text = "a: 1\nb:\n  - x\n  - 'y'\nc: &anchor {k: v}\nd: *anchor\n---\ne: null\n";
	PTreeLimits tight = {4, 10, 0};

	diag_init(&diags, arena);
	CHECK(ptree_parse(arena, "t.yaml", text, strlen(text), NULL, &docs, &ndocs, &diags));
	CHECK(ndocs == 2);
	CHECK(docs[0].root->kind == PNODE_MAP && docs[0].root->count == 4);
	CHECK(docs[0].root->values[1]->kind == PNODE_SEQ);
	CHECK(docs[0].root->values[1]->values[1]->line == 4);
	CHECK(docs[0].root->values[1]->values[1]->column == 5);
	CHECK(docs[0].root->values[1]->values[0]->plain);
	CHECK(!docs[0].root->values[1]->values[1]->plain);
	CHECK(docs[0].root->values[3] == docs[0].root->values[2]);	/* alias shares */
	CHECK(pnode_is_null(docs[1].root->values[0]));
	CHECK_STR(pnode_type_name(docs[0].root->values[0]), "Integer");
	CHECK_STR(pnode_type_name(docs[0].root->values[2]), "Mapping");

	/* JSON, with tabs and no spaces after colons */
	text = "{\n\t\"a\":[1,2],\n\t\"b\":{\"c\":\"d\"}\n}";
	CHECK(ptree_parse(arena, "t.json", text, strlen(text), NULL, &docs, &ndocs, &diags));
	CHECK(ndocs == 1 && docs[0].root->count == 2);
	CHECK(docs[0].root->keys[1]->line == 3 && docs[0].root->keys[1]->column == 2);

	/* limits: depth and node count (an alias counts its whole subtree) */
	text = "a: [[[[[1]]]]]\n";
	CHECK(!ptree_parse(arena, "t.yaml", text, strlen(text), &tight, &docs, &ndocs, &diags));
	text = "a: &x [1, 2, 3]\nb: [*x, *x, *x]\n";
	CHECK(!ptree_parse(arena, "t.yaml", text, strlen(text), &tight, &docs, &ndocs, &diags));
	CHECK(strstr(diag_render(&diags), "too large") != NULL);

	/* duplicate keys are reported at the second with the first's position */
	diag_init(&diags, arena);
	text = "a: 1\nb: 2\na: 3\n";
	CHECK(!ptree_parse(arena, "t.yaml", text, strlen(text), NULL, &docs, &ndocs, &diags));
	CHECK_STR(diag_render(&diags), "t.yaml:3:1: mapping key \"a\" already defined at [1:1]");
}

static void
test_resource_policy(void)
{
	Policy	  **ps;
	int			n;
	const char *errs;
	const Policy *p;
	const PResourceRule *r;

	errs = load("apiVersion: api.cerbos.dev/v1\n"
				"description: d\n"
				"metadata: {annotations: {a: b}, hash: 42, store_identifer: s}\n"
				"resource_policy:\n"
				"  resource: doc\n"
				"  version: 20210210\n"
				"  scope: acme.hr\n"
				"  scope_permissions: 2\n"
				"  importDerivedRoles: [x]\n"
				"  schemas: {resourceSchema: {ref: 'cerbos:///r.json', ignore_when: {actions: [a]}}}\n"
				"  variables: {import: [v], local: {l: 'R.id'}}\n"
				"  constants: {local: {c: [1, 2]}}\n"
				"  rules:\n"
				"    - actions: [view]\n"
				"      roles: ['*']\n"
				"      effect: EFFECT_DENY\n"
				"      name: r1\n"
				"      condition:\n"
				"        match:\n"
				"          none:\n"
				"            of:\n"
				"              - expr: V.l == 'x'\n"
				"              - any: {of: [{expr: 'true'}, {all: {of: [{expr: 'false'}]}}]}\n"
				"      output:\n"
				"        expr: '1'\n"
				"        when: {ruleActivated: '2', condition_not_met: '3'}\n",
				&ps, &n);
	CHECK_STR(errs, "");
	CHECK(n == 1);
	if (n != 1)
		return;
	p = ps[0];
	CHECK(p->kind == POLICY_RESOURCE);
	CHECK_STR(p->name.s, "doc");
	CHECK_STR(p->version.s, "20210210");
	CHECK_STR(p->scope.s, "acme.hr");
	CHECK(p->scope_permissions == SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS);
	CHECK(p->metadata.has_hash && p->metadata.hash == 42);
	CHECK_STR(p->metadata.store_identifier, "s");
	CHECK(p->metadata.nannotations == 1);
	CHECK_STR(p->resource_schema.ref.s, "cerbos:///r.json");
	CHECK(p->resource_schema.ignore_actions.count == 1);
	CHECK(p->variables.imports.count == 1 && p->variables.nlocal == 1);
	CHECK(p->constants.nlocal == 1 && p->constants.local[0].value->kind == PNODE_SEQ);
	CHECK(p->nresource_rules == 1);
	r = &p->resource_rules[0];
	CHECK(r->effect == POLICY_EFFECT_DENY);
	CHECK_STR(r->name.s, "r1");
	CHECK(r->condition && r->condition->match && r->condition->match->op == PMATCH_NONE);
	CHECK(r->condition->match->nof == 2);
	CHECK_STR(r->condition->match->of[0].expr.text, "V.l == 'x'");
	CHECK(r->condition->match->of[0].expr.pos.line == 22);
	CHECK(r->condition->match->of[0].expr.pos.column == 23);
	CHECK(r->condition->match->of[1].op == PMATCH_ANY);
	CHECK(r->condition->match->of[1].of[1].op == PMATCH_ALL);
	CHECK(r->output && r->output->has_expr && r->output->has_rule_activated &&
		  r->output->has_condition_not_met);
	CHECK_STR(r->output->condition_not_met.text, "3");
	CHECK_STR(policy_fqn(arena, p), "resource.doc.v20210210/acme.hr");
}

static void
test_other_kinds(void)
{
	Policy	  **ps;
	int			n;

	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\n"
				   "principalPolicy:\n"
				   "  principal: bob\n"
				   "  version: default\n"
				   "  rules:\n"
				   "    - resource: doc\n"
				   "      actions:\n"
				   "        - {action: view, effect: EFFECT_ALLOW, name: a, output: {when: {ruleActivated: 'x'}}}\n"
				   "        - {action: edit, effect: 2, condition: {match: {expr: 'true'}}}\n",
				   &ps, &n), "");
	CHECK(n == 1 && ps[0]->kind == POLICY_PRINCIPAL && ps[0]->nprincipal_rules == 1);
	CHECK(n == 1 && ps[0]->principal_rules[0].nactions == 2);
	CHECK(n == 1 && ps[0]->principal_rules[0].actions[1].effect == POLICY_EFFECT_DENY);

	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\n"
				   "derived_roles:\n"
				   "  name: common\n"
				   "  variables: {local: {a: 'true'}}\n"
				   "  definitions:\n"
				   "    - {name: owner, parent_roles: [user, admin], condition: {match: {expr: V.a}}}\n",
				   &ps, &n), "");
	CHECK(n == 1 && ps[0]->kind == POLICY_DERIVED_ROLES && ps[0]->nrole_defs == 1);
	CHECK(n == 1 && ps[0]->role_defs[0].parent_roles.count == 2);

	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\n"
				   "exportVariables: {name: ev, definitions: {a: '1', b: 2}}\n", &ps, &n), "");
	CHECK(n == 1 && ps[0]->nexport_variables == 2);
	CHECK(n == 1 && strcmp(ps[0]->export_variables[1].expr.text, "2") == 0);

	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\n"
				   "exportConstants: {name: ec, definitions: {a: {b: [1]}}}\n", &ps, &n), "");
	CHECK(n == 1 && ps[0]->nexport_constants == 1);

	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\n"
				   "rolePolicy:\n"
				   "  role: boss\n"
				   "  parentRoles: [user]\n"
				   "  scope: acme\n"
				   "  rules:\n"
				   "    - {resource: doc, allowActions: [view, edit], name: r, condition: {match: {expr: 'true'}}}\n",
				   &ps, &n), "");
	CHECK(n == 1 && ps[0]->kind == POLICY_ROLE && ps[0]->nrole_rules == 1);
	CHECK(n == 1 && ps[0]->role_rules[0].allow_actions.count == 2);
	CHECK(n == 1 && ps[0]->parent_roles.count == 1);

	/* empty and comment-only documents are not policies */
	CHECK_STR(load("# nothing\n", &ps, &n), "");
	CHECK(n == 0);
}

static void
test_error_positions(void)
{
	/* an unknown field in a nested rule, at its key */
	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\n"
				   "resourcePolicy:\n"
				   "  resource: doc\n"
				   "  version: default\n"
				   "  rules:\n"
				   "    - actions: [view]\n"
				   "      roles: [user]\n"
				   "      effect: EFFECT_ALLOW\n"
				   "      colour: red\n", NULL, NULL),
			  "p.yaml:9:7: unknown field \"colour\"");
	/* every error of a document at once */
	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\n"
				   "resourcePolicy:\n"
				   "  resource: doc\n"
				   "  version: default\n"
				   "  rules:\n"
				   "    - actions: [view, view]\n"
				   "      effect: EFFECT_MAYBE\n"
				   "      name: 9lives\n"
				   "      roles: [user]\n", NULL, NULL),
			  "p.yaml:6:7: resourcePolicy.rules[0].actions: repeated value must contain unique items\n"
			  "p.yaml:7:15: invalid enum value \"EFFECT_MAYBE\"\n"
			  "p.yaml:8:7: resourcePolicy.rules[0].name: does not match regex pattern `^([a-zA-Z][\\w\\@\\.\\-]*)*$`");
	/* a missing field is reported at the mapping that lacks it */
	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\n"
				   "principalPolicy:\n"
				   "  principal: bob\n"
				   "  version: default\n"
				   "  rules:\n"
				   "    - resource: doc\n"
				   "      actions:\n"
				   "        - effect: EFFECT_ALLOW\n", NULL, NULL),
			  "p.yaml:8:11: principalPolicy.rules[0].actions[0].action: value is required");
	/* wrong types */
	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\ndisabled: yes\n"
				   "derivedRoles: {name: x, definitions: [{name: y, parentRoles: [z]}]}\n", NULL, NULL),
			  "p.yaml:2:11: expected boolean value got String");
	/* a second document: Cerbos refuses it unless allowed */
	CHECK_STR(load("apiVersion: api.cerbos.dev/v1\n"
				   "exportVariables: {name: a}\n"
				   "---\n"
				   "apiVersion: api.cerbos.dev/v1\n"
				   "exportVariables: {name: b}\n", NULL, NULL),
			  "p.yaml:3:1: more than one YAML document detected");
	{
		PolicyLoadOptions opts = {true, {0, 0, 0}};
		Policy	  **ps = NULL;
		int			n = 0;
		DiagList	diags;
		const char *t = "apiVersion: api.cerbos.dev/v1\nexportVariables: {name: a}\n---\n"
			"apiVersion: api.cerbos.dev/v1\nexportVariables: {name: b}\n";

		diag_init(&diags, arena);
		CHECK(policy_load_text(arena, "m.yaml", t, strlen(t), &opts, &ps, &n, &diags));
		CHECK(n == 2);
		CHECK(n == 2 && ps[1]->pos.line == 4);
	}
	/* syntax errors carry libyaml's position */
	CHECK(strncmp(load("a: [1, 2\nb: 3\n", NULL, NULL), "p.yaml:2:2: invalid YAML", 24) == 0);
}

static void
test_names(void)
{
	CHECK(policy_valid_scope(""));
	CHECK(policy_valid_scope("acme.hr-uk.x_1"));
	CHECK(!policy_valid_scope("acme..hr"));
	CHECK(!policy_valid_scope("_acme"));
	CHECK(!policy_valid_scope("acme."));
	CHECK(policy_valid_rule_name(""));
	CHECK(policy_valid_rule_name("a@b.c-d_e"));
	CHECK(!policy_valid_rule_name("1a"));
	CHECK(policy_valid_version("20210210", false));
	CHECK(!policy_valid_version("", false));
	CHECK(policy_valid_version("", true));
	CHECK(!policy_valid_version("v1.0", false));
	CHECK(policy_valid_resource_name("album:photo/x"));
	CHECK(!policy_valid_resource_name("doc*"));
	CHECK(policy_valid_ident("a.b-c_d"));
	CHECK(!policy_valid_ident("a b"));
	CHECK(policy_file_role("a/b.yaml") == PFILE_POLICY);
	CHECK(policy_file_role("a/b.JSON") == PFILE_POLICY);
	CHECK(policy_file_role("a/b_test.yml") == PFILE_TEST);
	CHECK(policy_file_role("a/testdata/b.yaml") == PFILE_TESTDATA);
	CHECK(policy_file_role("_schemas/x.json") == PFILE_SCHEMA);
	CHECK(policy_file_role("a/_schemas/x.yaml") == PFILE_POLICY);
	CHECK(policy_file_role("a/.hidden/b.yaml") == PFILE_IGNORED);
	CHECK(policy_file_role("_schemas/.h/x.json") == PFILE_SCHEMA);
	CHECK(policy_file_role(".b.yaml") == PFILE_IGNORED);
	CHECK(policy_file_role("b.txt") == PFILE_IGNORED);
}

typedef struct Refs
{
	char		names[8][32];
	int			n;
} Refs;

static void
collect(void *state, const char *name, size_t len)
{
	Refs	   *r = state;

	if (r->n < 8 && len < 32)
	{
		memcpy(r->names[r->n], name, len);
		r->names[r->n][len] = '\0';
	}
	r->n++;
}

static void
test_refs(void)
{
	Refs		r;

	memset(&r, 0, sizeof(r));
	compile_scan_refs("V.a + variables.b > 1 && R.attr.V.c && 'V.d' == \"variables.e\" "
					  "// V.f\n && r'V.g' != V . h && XV.i",
					  "V", "variables", collect, &r);
	CHECK(r.n == 3);
	CHECK_STR(r.names[0], "a");
	CHECK_STR(r.names[1], "b");
	CHECK_STR(r.names[2], "h");
	memset(&r, 0, sizeof(r));
	compile_scan_refs("C.x + constants.y + '''C.z'''", "C", "constants", collect, &r);
	CHECK(r.n == 2);
}

int
main(void)
{
	arena = arena_create(NULL, 0);
	test_tree();
	test_resource_policy();
	test_other_kinds();
	test_error_positions();
	test_names();
	test_refs();
	arena_destroy(arena);
	UNIT_DONE("policy_decode");
}
