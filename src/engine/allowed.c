/*
 * allowed.c — the actions a principal may perform on a resource.
 *
 * Cerbos has no such call; authz_allowed_actions() needs one.  The
 * candidates are the literal action names of every rule that can apply to
 * the resource's kind (resource, principal and role policies); each is
 * then decided exactly as a CheckResources request would decide it.
 * Actions a policy only grants through a wildcard ("*", "view:*") cannot
 * be listed and are left out, which the SQL documentation must say.
 */
#include "engine_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 4096

/* qsort order for action names. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Adds a literal (non-glob) action once. */
static void
add_candidate(const char **list, int *n, const char *action)
{
	if (action == NULL || strpbrk(action, "*?[{\\") != NULL || *n >= MAX_CANDIDATES)
		return;
	list[(*n)++] = action;
}

/* One decision per candidate action; the allowed ones, sorted. */
bool
engine_allowed_actions(const EngineSet *set, Arena *arena, const char *principal_json,
					   const char *resource_json, const EngineCheckOptions *options,
					   const char ***actions, int *nactions, const char **error)
{
	const char **cand = arena_alloc(arena, sizeof(char *) * MAX_CANDIDATES);
	const char **allowed;
	int			n = 0,
				m = 0,
				i,
				a;
	ERequest	req;
	EResourceEntry entry;
	EResult		result;

	*actions = NULL;
	*nactions = 0;
	if (cand == NULL)
	{
		*error = "out of memory";
		return false;
	}
	/* validates and decodes both objects the way a single check does */
	if (!engine_decode_request_parts(arena, principal_json, resource_json, &req, &entry, error))
		return false;
	for (i = 0; i < set->nrows; i++)
	{
		const ERow *row = &set->rows[i];

		if (!engine_glob_match(row->resource, entry.resource.kind))
			continue;
		if (row->type == EROW_ROLE_POLICY)
			for (a = 0; a < row->nallow_actions; a++)
				add_candidate(cand, &n, row->allow_actions[a]);
		else
			add_candidate(cand, &n, row->action);
	}
	qsort(cand, n, sizeof(char *), cmp_str);
	for (i = 0, m = 0; i < n; i++)
		if (m == 0 || strcmp(cand[m - 1], cand[i]) != 0)
			cand[m++] = cand[i];
	entry.actions = cand;
	entry.nactions = m;
	req.resources = &entry;
	req.nresources = 1;
	if (m == 0)
		return true;
	engine_check_resource(set, arena, &req, &entry, options, &result);
	allowed = arena_alloc0(arena, sizeof(char *) * (m + 1));
	if (allowed == NULL || result.actions == NULL)
	{
		*error = "out of memory";
		return false;
	}
	for (i = 0; i < m; i++)
		if (result.actions[i].effect == ENGINE_EFFECT_ALLOW)
			allowed[(*nactions)++] = cand[i];
	*actions = allowed;
	return true;
}
