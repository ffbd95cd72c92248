/*
 * scopes.c — which scopes a check walks, and a role's parent roles.
 *
 * Cerbos walks a request's scope from the leaf to the root, visiting the
 * scopes where policies of the type exist (strict search needs the leaf
 * itself to exist; lenient search starts at the nearest ancestor).  Parent
 * roles come from role policies at the resource's own scope.
 */
#include "engine_int.h"

#include <string.h>

/*
 * Whether rows of the type exist at any of the scopes for this version
 * (and resource kind, for resource rows): Cerbos' "scoped policy exists",
 * which decides whether the policy key is reported for a non-match.
 */
bool
engine_scoped_rows_exist(const EngineSet *set, bool principal, const char *kind,
				  const char *version, const char **scopes, int n)
{
	int			s,
				i;

	for (s = 0; s < n; s++)
	{
		const EBucket *bk = engine_bucket(set, principal ? EROW_PRINCIPAL : EROW_RESOURCE,
										  version, scopes[s]);

		if (bk == NULL)
			continue;
		if (principal && bk->nrows > 0)
			return true;
		for (i = 0; !principal && i < bk->nrows; i++)
			if (engine_glob_match(set->rows[bk->rows[i]].resource, kind))
				return true;
	}
	return false;
}

/* The parent of a scope ("a.b" -> "a" -> ""); false at the root. */
static bool
scope_parent(Arena *arena, const char *scope, const char **parent)
{
	const char *dot;

	if (scope[0] == '\0')
		return false;
	dot = strrchr(scope, '.');
	*parent = dot ? arena_strndup(arena, scope, (size_t) (dot - scope)) : "";
	return true;
}

/*
 * The scopes to walk for one policy type, leaf first, and the policy key
 * for the first of them.  As the real Cerbos 0.55 answers, a scope
 * "exists" when any policy of the type is defined there, whatever its name
 * or version (role policies count as resource policies).  Strict search needs the requested scope
 * to exist; lenient search starts at the nearest ancestor that does.
 */
int
engine_scope_chain(ECheck *c, bool principal, const char *name, const char *version,
			const char *scope, const char **scopes, const char **key)
{
	const EngineSet *set = c->set;
	const char *s = scope;
	int			n = 0;
	bool		first = true;

	*key = NULL;
	do
	{
		bool		exists = engine_scope_exists(set, principal ? EROW_PRINCIPAL : EROW_RESOURCE, s);

		if (exists && n < ENGINE_MAX_SCOPES)
		{
			if (*key == NULL)
				*key = engine_policy_key(c->arena, principal ? "principal" : "resource",
										 name, version, s);
			scopes[n++] = s;
		}
		else if (first && !set->config.lenient_scope_search)
			return 0;
		first = false;
	} while (scope_parent(c->arena, s, &s));
	return n;
}

/* Appends role and (transitively) its parent roles from role policies at scope. */
int
engine_add_parent_roles(ECheck *c, const char *scope, const char **roles, int n, int max)
{
	int			i,
				k;

	for (i = 0; i < n && n < max; i++)
	{
		const EPolicy *rp = engine_role_policy(c->set, roles[i], scope);

		if (rp == NULL)
			continue;
		for (k = 0; k < rp->nparent_roles && n < max; k++)
		{
			int			j;

			for (j = 0; j < n; j++)
				if (strcmp(roles[j], rp->parent_roles[k]) == 0)
					break;
			if (j == n)
				roles[n++] = rp->parent_roles[k];
		}
	}
	return n;
}
