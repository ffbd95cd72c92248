/*
 * decode_suite.c — one test-suite file (cerbos.policy.v1.TestSuite).
 *
 * The whole file is read, every problem recorded with its position, and
 * the suite returned only when there were none: Cerbos refuses to run a
 * suite that does not validate, and reports the suite as errored.
 */
#include "ts_int.h"

#include <string.h>

/* An expectation's effect per action: {action: EFFECT_*}. */
static void
decode_effects(TsDec *d, const PNode *n, TsMap *out)
{
	int			i;

	memset(out, 0, sizeof(*out));
	if (pnode_is_null(n) || !ts_expect_map(d, n, "expected.actions"))
		return;
	out->names = arena_alloc0(d->arena, sizeof(char *) * (n->count + 1));
	out->nodes = arena_alloc0(d->arena, sizeof(PNode *) * (n->count + 1));
	if (out->names == NULL || out->nodes == NULL)
		return;
	for (i = 0; i < n->count; i++)
	{
		const char *e = ts_get_string(d, n->values[i], "expected.actions");

		if (n->keys[i]->len == 0)
			ts_error(d, n->keys[i], "expected.actions: action names must not be empty");
		/* Cerbos' validator takes only these two in a test */
		if (strcmp(e, "EFFECT_ALLOW") != 0 && strcmp(e, "EFFECT_DENY") != 0)
			ts_error(d, n->values[i],
					 "expected.actions.%s: \"%s\" must be one of [EFFECT_ALLOW, EFFECT_DENY]",
					 n->keys[i]->text, e);
		out->names[out->count] = n->keys[i]->text;
		out->nodes[out->count++] = n->values[i];
	}
}

/* outputs: [{action, expected: [{src, val}]}]. */
static void
decode_outputs(TsDec *d, const PNode *n, TsExpectation *out)
{
	int			i,
				j,
				k;

	if (pnode_is_null(n))
		return;
	if (n->kind != PNODE_SEQ)
	{
		ts_error(d, n, "expected.outputs: expected a sequence, got %s", pnode_type_name(n));
		return;
	}
	out->output_actions = arena_alloc0(d->arena, sizeof(char *) * (n->count + 1));
	out->output_entries = arena_alloc0(d->arena, sizeof(PNode *) * (n->count + 1));
	if (out->output_actions == NULL || out->output_entries == NULL)
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *o = n->values[i];
		const char *action = "";
		const PNode *entries = NULL;

		if (!ts_expect_map(d, o, "expected.outputs"))
			continue;
		for (j = 0; j < o->count; j++)
		{
			if (ts_key_is(o->keys[j], "action", NULL))
				action = ts_get_string(d, o->values[j], "expected.outputs.action");
			else if (ts_key_is(o->keys[j], "expected", NULL))
				entries = o->values[j];
			else
				ts_unknown_field(d, o->keys[j], "expected.outputs");
		}
		if (action[0] == '\0')
			ts_error(d, o, "expected.outputs.action: value length must be at least 1 characters");
		if (entries == NULL || entries->kind != PNODE_SEQ || entries->count == 0)
		{
			ts_error(d, entries ? entries : o,
					 "expected.outputs.expected: value must contain at least 1 item(s)");
			continue;
		}
		for (j = 0; j < entries->count; j++)
		{
			const PNode *e = entries->values[j];

			if (!ts_expect_map(d, e, "expected.outputs.expected"))
				continue;
			for (k = 0; k < e->count; k++)
			{
				if (ts_key_is(e->keys[k], "src", NULL))
					ts_get_string(d, e->values[k], "expected.outputs.expected.src");
				else if (!ts_key_is(e->keys[k], "val", NULL))
					ts_unknown_field(d, e->keys[k], "expected.outputs.expected");
			}
		}
		out->output_actions[out->noutputs] = action;
		out->output_entries[out->noutputs++] = entries;
	}
}

/* One entry of expected[]. */
static void
decode_expectation(TsDec *d, const PNode *n, TsExpectation *out)
{
	int			i;
	TsNames		one;

	memset(out, 0, sizeof(*out));
	if (!ts_expect_map(d, n, "expected"))
		return;
	out->line = n->line;
	out->column = n->column;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (ts_key_is(k, "principal", NULL) || ts_key_is(k, "resource", NULL))
		{
			const char *s = ts_get_string(d, v, k->text);

			if (s[0] == '\0')
				continue;
			one.items = arena_alloc0(d->arena, sizeof(char *));
			if (one.items == NULL)
				continue;
			one.items[0] = s;
			one.count = 1;
			if (k->text[0] == 'p')
				out->principals = one;
			else
				out->resources = one;
		}
		else if (ts_key_is(k, "principals", NULL))
			ts_get_names(d, v, "expected.principals", &out->principals);
		else if (ts_key_is(k, "principalGroups", "principal_groups"))
			ts_get_names(d, v, "expected.principalGroups", &out->principal_groups);
		else if (ts_key_is(k, "resources", NULL))
			ts_get_names(d, v, "expected.resources", &out->resources);
		else if (ts_key_is(k, "resourceGroups", "resource_groups"))
			ts_get_names(d, v, "expected.resourceGroups", &out->resource_groups);
		else if (ts_key_is(k, "actions", NULL))
			decode_effects(d, v, &out->actions);
		else if (ts_key_is(k, "outputs", NULL))
			decode_outputs(d, v, out);
		else
			ts_unknown_field(d, k, "expected");
	}
	if (out->principals.count + out->principal_groups.count == 0)
		ts_error(d, n, "expected: principal, principals or principalGroups is required");
	if (out->resources.count + out->resource_groups.count == 0)
		ts_error(d, n, "expected: resource, resources or resourceGroups is required");
	if (out->actions.count == 0)
		ts_error(d, n, "expected.actions: value must contain at least 1 pair(s)");
}

/* input: principals, resources, their groups, actions, auxData. */
static void
decode_input(TsDec *d, const PNode *n, TsTable *t)
{
	int			i;

	if (!ts_expect_map(d, n, "input"))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (ts_key_is(k, "principals", NULL))
			ts_get_names(d, v, "input.principals", &t->principals);
		else if (ts_key_is(k, "principalGroups", "principal_groups"))
			ts_get_names(d, v, "input.principalGroups", &t->principal_groups);
		else if (ts_key_is(k, "resources", NULL))
			ts_get_names(d, v, "input.resources", &t->resources);
		else if (ts_key_is(k, "resourceGroups", "resource_groups"))
			ts_get_names(d, v, "input.resourceGroups", &t->resource_groups);
		else if (ts_key_is(k, "actions", NULL))
			ts_get_names(d, v, "input.actions", &t->actions);
		else if (ts_key_is(k, "auxData", "aux_data"))
			t->aux_data = ts_get_string(d, v, "input.auxData");
		else
			ts_unknown_field(d, k, "input");
	}
	if (t->principals.count + t->principal_groups.count == 0)
		ts_error(d, n, "input: principals or principalGroups is required");
	if (t->resources.count + t->resource_groups.count == 0)
		ts_error(d, n, "input: resources or resourceGroups is required");
	if (t->actions.count == 0)
		ts_error(d, n, "input.actions: value must contain at least 1 item(s)");
}

/* One entry of tests[]. */
static void
decode_table(TsDec *d, const PNode *n, TsTable *t)
{
	int			i;
	const PNode *input = NULL;

	memset(t, 0, sizeof(*t));
	t->name = "";
	t->description = "";
	t->skip_reason = "";
	t->aux_data = "";
	t->options.default_policy_version = "";
	t->options.default_scope = "";
	if (!ts_expect_map(d, n, "tests"))
		return;
	t->line = n->line;
	t->column = n->column;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (ts_key_is(k, "name", NULL))
			t->name = ts_get_string(d, v, "tests.name");
		else if (ts_key_is(k, "description", NULL))
			t->description = ts_get_string(d, v, "tests.description");
		else if (ts_key_is(k, "skip", NULL))
			t->skip = ts_get_bool(d, v, "tests.skip");
		else if (ts_key_is(k, "skipReason", "skip_reason"))
			t->skip_reason = ts_get_string(d, v, "tests.skipReason");
		else if (ts_key_is(k, "options", NULL))
			ts_decode_options(d, v, &t->options);
		else if (ts_key_is(k, "input", NULL))
			input = v;
		else if (ts_key_is(k, "expected", NULL))
		{
			int			j;

			if (pnode_is_null(v))
				continue;
			if (v->kind != PNODE_SEQ)
			{
				ts_error(d, v, "tests.expected: expected a sequence, got %s", pnode_type_name(v));
				continue;
			}
			t->expected = arena_alloc0(d->arena, sizeof(TsExpectation) * (v->count + 1));
			if (t->expected == NULL)
				continue;
			for (j = 0; j < v->count; j++)
				decode_expectation(d, v->values[j], &t->expected[t->nexpected++]);
		}
		else
			ts_unknown_field(d, k, "tests");
	}
	if (t->name[0] == '\0')
		ts_error(d, n, "tests.name: value length must be at least 1 characters");
	if (t->nexpected == 0)
		ts_error(d, n, "tests.expected: value is required");
	if (input == NULL)
		ts_error(d, n, "tests.input: value is required");
	else
		decode_input(d, input, t);
}

/* The suite's top-level fields. */
static void
decode_body(TsDec *d, const PNode *n, TsSuite *s)
{
	int			i;

	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (ts_key_is(k, "name", NULL))
			s->name = ts_get_string(d, v, "name");
		else if (ts_key_is(k, "description", NULL))
			s->description = ts_get_string(d, v, "description");
		else if (ts_key_is(k, "skip", NULL))
			s->skip = ts_get_bool(d, v, "skip");
		else if (ts_key_is(k, "skipReason", "skip_reason"))
			s->skip_reason = ts_get_string(d, v, "skipReason");
		else if (ts_key_is(k, "principals", NULL))
			ts_decode_principals(d, v, &s->own.principals);
		else if (ts_key_is(k, "principalGroups", "principal_groups"))
			ts_decode_groups(d, v, "principals", &s->own.principal_groups);
		else if (ts_key_is(k, "resources", NULL))
			ts_decode_resources(d, v, &s->own.resources);
		else if (ts_key_is(k, "resourceGroups", "resource_groups"))
			ts_decode_groups(d, v, "resources", &s->own.resource_groups);
		else if (ts_key_is(k, "auxData", "aux_data"))
			ts_decode_aux_data(d, v, &s->own.aux_data);
		else if (ts_key_is(k, "options", NULL))
			ts_decode_options(d, v, &s->options);
		else if (ts_key_is(k, "tests", NULL))
		{
			int			j;

			if (pnode_is_null(v))
				continue;
			if (v->kind != PNODE_SEQ)
			{
				ts_error(d, v, "tests: expected a sequence, got %s", pnode_type_name(v));
				continue;
			}
			s->tables = arena_alloc0(d->arena, sizeof(TsTable) * (v->count + 1));
			if (s->tables == NULL)
				continue;
			for (j = 0; j < v->count; j++)
				decode_table(d, v->values[j], &s->tables[s->ntables++]);
		}
		else
			ts_unknown_field(d, k, "suite");
	}
	if (s->name[0] == '\0')
		ts_error(d, n, "name: value length must be at least 1 characters");
	if (s->ntables == 0)
		ts_error(d, n, "tests: value must contain at least 1 item(s)");
}

/* Decodes a suite file; NULL (with diags) when it is not a valid suite. */
TsSuite *
ts_decode_suite(Arena *arena, const char *file, const char *text, size_t len,
				DiagList *diags)
{
	TsDec		d;
	PDoc	   *docs = NULL;
	int			ndocs = 0,
				i;
	const PNode *root = NULL;
	TsSuite    *s;

	memset(&d, 0, sizeof(d));
	d.arena = arena;
	d.file = file;
	d.diags = diags;
	if (!ptree_parse(arena, file, text, len, NULL, &docs, &ndocs, diags))
		return NULL;
	for (i = 0; i < ndocs && root == NULL; i++)
		root = docs[i].root;
	if (root == NULL)
	{
		diag_add(diags, file, 1, 1, "empty test suite");
		return NULL;
	}
	s = arena_alloc0(arena, sizeof(TsSuite));
	if (s == NULL)
		return NULL;
	s->file = file;
	s->name = "";
	s->description = "";
	s->skip_reason = "";
	s->options.default_policy_version = "";
	s->options.default_scope = "";
	if (!ts_expect_map(&d, root, "suite"))
		return NULL;
	decode_body(&d, root, s);
	return d.failed ? NULL : s;
}
