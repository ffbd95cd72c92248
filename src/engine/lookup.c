/*
 * lookup.c — reading a compiled set: policy keys, buckets, policies,
 * scopes, scope permissions and role policies, each one index probe.
 */
#include "engine_int.h"

#include <string.h>

/* A letter, digit or underscore (regexp \w). */
static bool
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * Cerbos' name sanitising for policy keys: a name that follows the pre-0.30
 * pattern (segments starting with a letter, of word characters and @.-/,
 * joined by ':') has each run of characters other than word characters and
 * '.' replaced by '_' ("the:one:ring" -> "the_one_ring"); other names are
 * kept as they are.
 */
static const char *
sanitize_name(Arena *arena, const char *v)
{
	const char *p = v;
	char	   *out,
			   *o;

	for (;;)
	{
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return v;
		for (p++; is_word(*p) || *p == '@' || *p == '.' || *p == '-' || *p == '/'; p++)
			;
		if (*p == '\0')
			break;
		if (*p != ':')
			return v;
		p++;
	}
	out = arena_alloc(arena, strlen(v) + 1);
	if (out == NULL)
		return v;
	for (p = v, o = out; *p;)
	{
		if (is_word(*p) || *p == '.')
			*o++ = *p++;
		else
		{
			*o++ = '_';
			while (*p && !(is_word(*p) || *p == '.'))
				p++;
		}
	}
	*o = '\0';
	return out;
}

/* "resource.kind.vversion/scope" and friends, as Cerbos prints policy keys. */
const char *
engine_policy_key(Arena *arena, const char *kind, const char *name,
				  const char *version, const char *scope)
{
	size_t		lk,
				ln,
				lv,
				ls;
	char	   *out,
			   *o;

	/* runs on every check: concatenated by hand rather than printf'd */
	name = sanitize_name(arena, name);
	version = sanitize_name(arena, version);
	if (scope == NULL)
		scope = "";
	lk = strlen(kind);
	ln = strlen(name);
	lv = strlen(version);
	ls = strlen(scope);
	out = arena_alloc(arena, lk + ln + lv + ls + 5);
	if (out == NULL)
		return "";
	o = out;
	memcpy(o, kind, lk);
	o += lk;
	*o++ = '.';
	memcpy(o, name, ln);
	o += ln;
	*o++ = '.';
	*o++ = 'v';
	memcpy(o, version, lv);
	o += lv;
	if (ls > 0)
	{
		*o++ = '/';
		memcpy(o, scope, ls);
		o += ls;
	}
	*o = '\0';
	return out;
}

/*
 * Joins parts with '|' into buf (an index key); false when it does not fit.
 * Lookups run on every check, so this avoids printf.
 */
static bool
join_key(char *buf, size_t size, const char *a, const char *b, const char *c, const char *d)
{
	const char *parts[4] = {a, b, c, d};
	size_t		n = 0;
	int			i;

	for (i = 0; i < 4 && parts[i] != NULL; i++)
	{
		size_t		len = strlen(parts[i]);

		if (n + len + 2 > size)
			return false;
		if (i > 0)
			buf[n++] = '|';
		memcpy(buf + n, parts[i], len);
		n += len;
	}
	buf[n] = '\0';
	return true;
}

/* The digit naming a type or kind in index keys ("%d" of 1..9). */
static const char *
digit(int v)
{
	static const char *const d[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

	return (v >= 0 && v <= 9) ? d[v] : "?";
}

/* The bucket of (type, version, scope), or NULL. */
const EBucket *
engine_bucket(const EngineSet *set, int type, const char *version, const char *scope)
{
	char		buf[512];
	int			bi;

	if (!join_key(buf, sizeof(buf), digit(type), version, scope, NULL))
		return NULL;
	bi = eindex_get(&set->bucket_index, buf);
	return bi < 0 ? NULL : &set->buckets[bi];
}

/* The policy with this identity, or NULL. */
const EPolicy *
engine_policy(const EngineSet *set, int kind, const char *name, const char *version,
			  const char *scope)
{
	char		buf[1024];
	int			pi;

	if (!join_key(buf, sizeof(buf), digit(kind), name, version, scope))
		return NULL;
	pi = eindex_get(&set->policy_index, buf);
	return pi < 0 ? NULL : &set->policies[pi];
}

/* A scope's scopePermissions (0 when no policy at that scope set one). */
int
engine_scope_permissions(const EngineSet *set, const char *scope)
{
	int			i;

	for (i = 0; i < set->nscope_perms; i++)
		if (strcmp(set->scope_perms[i].scope, scope) == 0)
			return set->scope_perms[i].perm;
	return 0;
}

/* Whether any policy of the type (EROW_PRINCIPAL or EROW_RESOURCE, role
 * policies included) exists at scope, whatever its name or version. */
bool
engine_scope_exists(const EngineSet *set, int type, const char *scope)
{
	char		buf[512];

	if (!join_key(buf, sizeof(buf), digit(type), scope, NULL, NULL))
		return false;
	return eindex_get(&set->scope_index, buf) >= 0;
}

/* The role policy of a role at scope (any version), or NULL. */
const EPolicy *
engine_role_policy(const EngineSet *set, const char *role, const char *scope)
{
	char		buf[1024];
	int			pi;

	if (!join_key(buf, sizeof(buf), role, scope, NULL, NULL))
		return NULL;
	pi = eindex_get(&set->role_index, buf);
	return pi < 0 ? NULL : &set->policies[pi];
}
