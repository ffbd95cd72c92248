/*
 * matrix.c — a test expanded into (principal, resource) cells, each with
 * the effect and outputs it expects per action.
 *
 * The rules are Cerbos 0.55's: a test's input names principals and
 * resources directly or through groups; the expected list may name them
 * the same ways, and one pair may be covered by several entries only if
 * they agree.  A pair the expected list does not mention expects DENY for
 * every action, and so does an action an entry leaves out.  An entry for a
 * pair that is not in the input, or for an action that is not, makes the
 * whole suite an error, as does a name no fixture defines.
 */
#include "ts_int.h"

#include <string.h>

/* What the expected list says about one pair. */
typedef struct Expect
{
	const char *principal;
	const char *resource;
	const char **effects;		/* per input action; NULL = not given */
	json_t	   *outputs;		/* action -> {src: val}, owned */
	bool		used;
} Expect;

typedef struct Build
{
	Arena	   *arena;
	const TsSuite *suite;
	const TsFixtures *shared;
	const TsTable *table;
	Expect	   *expects;
	int			nexpects;
	int			capacity;
	const char *error;
} Build;

/* A group's member list: the suite's own groups first, then testdata's. */
static const PNode *
find_group(const TsMap *own, const TsMap *shared, const char *name)
{
	const PNode *g = ts_map_get(own, name);

	return g ? g : ts_map_get(shared, name);
}

/* Names plus the members of groups, without repeats, in Cerbos' order. */
static bool
collect(Build *b, const TsNames *names, const TsNames *groups, bool principals,
		TsNames *out)
{
	int			i,
				j,
				k,
				max = names->count;

	for (i = 0; i < groups->count; i++)
	{
		const PNode *g = principals
			? find_group(&b->suite->own.principal_groups, &b->shared->principal_groups, groups->items[i])
			: find_group(&b->suite->own.resource_groups, &b->shared->resource_groups, groups->items[i]);

		if (g == NULL)
		{
			/* Cerbos says "principal group" for both kinds */
			b->error = arena_printf(b->arena, "principal group \"%s\" not found", groups->items[i]);
			return false;
		}
		max += g->count;
	}
	out->items = arena_alloc0(b->arena, sizeof(char *) * (max + 1));
	out->count = 0;
	if (out->items == NULL)
		return false;
	for (i = 0; i < names->count; i++)
		out->items[out->count++] = names->items[i];
	for (i = 0; i < groups->count; i++)
	{
		const PNode *g = principals
			? find_group(&b->suite->own.principal_groups, &b->shared->principal_groups, groups->items[i])
			: find_group(&b->suite->own.resource_groups, &b->shared->resource_groups, groups->items[i]);

		for (j = 0; j < g->count; j++)
		{
			const char *m = g->values[j]->text;

			for (k = 0; k < out->count; k++)
				if (strcmp(out->items[k], m) == 0)
					break;
			if (k == out->count)
				out->items[out->count++] = m;
		}
	}
	return true;
}

/* Index of an input action, or -1. */
static int
action_index(const TsTable *t, const char *action)
{
	int			i;

	for (i = 0; i < t->actions.count; i++)
		if (strcmp(t->actions.items[i], action) == 0)
			return i;
	return -1;
}

/* The expectation of a pair, created on first use. */
static Expect *
expect_for(Build *b, const char *principal, const char *resource, bool create)
{
	int			i;

	for (i = 0; i < b->nexpects; i++)
		if (strcmp(b->expects[i].principal, principal) == 0 &&
			strcmp(b->expects[i].resource, resource) == 0)
			return &b->expects[i];
	if (!create)
		return NULL;
	if (b->nexpects == b->capacity)
	{
		int			cap = b->capacity ? b->capacity * 2 : 16;
		Expect	   *e = arena_realloc(b->arena, b->expects, sizeof(Expect) * b->capacity,
									  sizeof(Expect) * cap);

		if (e == NULL)
			return NULL;
		b->expects = e;
		b->capacity = cap;
	}
	memset(&b->expects[b->nexpects], 0, sizeof(Expect));
	b->expects[b->nexpects].principal = principal;
	b->expects[b->nexpects].resource = resource;
	b->expects[b->nexpects].effects = arena_alloc0(b->arena, sizeof(char *) * (b->table->actions.count + 1));
	b->expects[b->nexpects].outputs = json_object();
	return &b->expects[b->nexpects++];
}

/* Merges one expected entry's outputs into a pair's, refusing disagreements. */
static bool
merge_outputs(Build *b, Expect *e, const TsExpectation *x)
{
	int			i,
				j;

	for (i = 0; i < x->noutputs; i++)
	{
		const char *action = x->output_actions[i];
		const PNode *entries = x->output_entries[i];
		json_t	   *per = json_object_get(e->outputs, action);

		if (per == NULL)
		{
			per = json_object();
			json_object_set_new(e->outputs, action, per);
		}
		for (j = 0; j < entries->count; j++)
		{
			const PNode *entry = entries->values[j];
			const char *src = "";
			json_t	   *val = json_null();
			json_t	   *old;
			int			k;

			for (k = 0; k < entry->count; k++)
			{
				if (ts_key_is(entry->keys[k], "src", NULL))
					src = entry->values[k]->text;
				else if (ts_key_is(entry->keys[k], "val", NULL))
				{
					json_decref(val);
					val = ts_pnode_to_json(entry->values[k], 0);
					if (val == NULL)
					{
						b->error = arena_printf(b->arena, "output \"%s\" has no JSON form", src);
						return false;
					}
				}
			}
			old = json_object_get(per, src);
			if (old != NULL && !ts_json_equal(old, val, 0))
			{
				json_decref(val);
				b->error = arena_printf(b->arena,
										"found inconsistent expectations for output \"%s\" from principal \"%s\" performing action \"%s\" on resource \"%s\"",
										src, e->principal, action, e->resource);
				return false;
			}
			json_object_set_new(per, src, val);
		}
	}
	return true;
}

/* The expected list as per-pair expectations (Cerbos' buildExpectationLookup). */
static bool
build_lookup(Build *b)
{
	const TsTable *t = b->table;
	int			x,
				i,
				p,
				r;

	for (x = 0; x < t->nexpected; x++)
	{
		const TsExpectation *ex = &t->expected[x];
		TsNames		principals,
					resources;

		for (i = 0; i < ex->noutputs; i++)
			if (action_index(t, ex->output_actions[i]) < 0)
			{
				b->error = arena_printf(b->arena,
										"found output expectations for actions that are not in the input actions list: [%s]",
										ex->output_actions[i]);
				return false;
			}
		if (!collect(b, &ex->principals, &ex->principal_groups, true, &principals) ||
			!collect(b, &ex->resources, &ex->resource_groups, false, &resources))
			return false;
		for (p = 0; p < principals.count; p++)
			for (r = 0; r < resources.count; r++)
			{
				Expect	   *e;

				for (i = 0; i < ex->actions.count; i++)
					if (action_index(t, ex->actions.names[i]) < 0)
					{
						b->error = arena_printf(b->arena,
												"found expectations for actions that do not exist in the input actions list: [%s]",
												ex->actions.names[i]);
						return false;
					}
				e = expect_for(b, principals.items[p], resources.items[r], true);
				if (e == NULL || e->effects == NULL || e->outputs == NULL)
					return false;
				for (i = 0; i < ex->actions.count; i++)
				{
					int			a = action_index(t, ex->actions.names[i]);
					const char *eff = ex->actions.nodes[i]->text;

					if (e->effects[a] != NULL && strcmp(e->effects[a], eff) != 0)
					{
						b->error = arena_printf(b->arena,
												"found inconsistent expectations for principal \"%s\" performing action \"%s\" on resource \"%s\"",
												e->principal, ex->actions.names[i], e->resource);
						return false;
					}
					e->effects[a] = eff;
				}
				if (!merge_outputs(b, e, ex))
					return false;
			}
	}
	return true;
}

/* A principal or resource fixture: the suite's own first, then testdata's. */
static const PNode *
find_fixture(const TsMap *own, const TsMap *shared, const char *name)
{
	const PNode *n = ts_map_get(own, name);

	return n ? n : ts_map_get(shared, name);
}

/* Fills one cell's expectations (DENY where nothing is said). */
static bool
fill_cell(Build *b, TsCell *c, Expect *e)
{
	const TsTable *t = b->table;
	int			a;

	c->expected = arena_alloc0(b->arena, sizeof(char *) * (t->actions.count + 1));
	c->expected_outputs = arena_alloc0(b->arena, sizeof(char *) * (t->actions.count + 1));
	if (c->expected == NULL || c->expected_outputs == NULL)
		return false;
	for (a = 0; a < t->actions.count; a++)
	{
		const char *eff = e ? e->effects[a] : NULL;
		json_t	   *outs = e ? json_object_get(e->outputs, t->actions.items[a]) : NULL;

		if (eff == NULL || strcmp(eff, "EFFECT_UNSPECIFIED") == 0)
			eff = "EFFECT_DENY";
		c->expected[a] = eff;
		c->expected_outputs[a] = outs ? ts_json_text(b->arena, outs) : NULL;
	}
	return true;
}

/* Expands a test into cells; false with *error as Cerbos words it. */
bool
ts_build_matrix(Arena *arena, const TsSuite *suite, const TsFixtures *shared,
				const TsTable *table, TsCell **cells, int *ncells, const char **error)
{
	Build		b;
	TsNames		principals,
				resources;
	int			p,
				r,
				i,
				n = 0;
	bool		ok = false;

	memset(&b, 0, sizeof(b));
	b.arena = arena;
	b.suite = suite;
	b.shared = shared;
	b.table = table;
	*cells = NULL;
	*ncells = 0;
	if (!build_lookup(&b) ||
		!collect(&b, &table->principals, &table->principal_groups, true, &principals) ||
		!collect(&b, &table->resources, &table->resource_groups, false, &resources))
		goto done;
	*cells = arena_alloc0(arena, sizeof(TsCell) * (principals.count * resources.count + 1));
	if (*cells == NULL)
		goto done;
	for (p = 0; p < principals.count; p++)
		for (r = 0; r < resources.count; r++)
		{
			TsCell	   *c = &(*cells)[n++];
			Expect	   *e = expect_for(&b, principals.items[p], resources.items[r], false);

			c->principal = principals.items[p];
			c->resource = resources.items[r];
			if (e != NULL)
				e->used = true;
			if (!fill_cell(&b, c, e))
				goto done;
		}
	for (i = 0; i < b.nexpects; i++)
		if (!b.expects[i].used)
		{
			b.error = arena_printf(arena,
								   "found an expectation for principal \"%s\" and resource \"%s\", but at least one of these is not present in input",
								   b.expects[i].principal, b.expects[i].resource);
			goto done;
		}
	/* the fixtures themselves, looked up as Cerbos' buildTest does */
	for (i = 0; i < n; i++)
	{
		TsCell	   *c = &(*cells)[i];

		c->principal_node = find_fixture(&suite->own.principals, &shared->principals, c->principal);
		if (c->principal_node == NULL)
		{
			b.error = arena_printf(arena, "principal \"%s\" not found", c->principal);
			goto done;
		}
		c->resource_node = find_fixture(&suite->own.resources, &shared->resources, c->resource);
		if (c->resource_node == NULL)
		{
			b.error = arena_printf(arena, "resource \"%s\" not found", c->resource);
			goto done;
		}
	}
	if (table->aux_data[0] != '\0' &&
		find_fixture(&suite->own.aux_data, &shared->aux_data, table->aux_data) == NULL)
	{
		b.error = arena_printf(arena, "auxData \"%s\" not found", table->aux_data);
		goto done;
	}
	*ncells = n;
	ok = true;
done:
	for (i = 0; i < b.nexpects; i++)
		json_decref(b.expects[i].outputs);
	if (!ok)
		*error = b.error ? b.error : "out of memory";
	return ok;
}
