/*
 * names.c — the name patterns of policy.proto and policy identifiers.
 *
 * The patterns are simple enough to test by hand (and cheaper than a regex
 * engine for thousands of policies).  \w is RE2's ASCII [0-9A-Za-z_].
 */
#include "policy.h"

#include <string.h>

/* RE2's \w: ASCII letters, digits and underscore. */
static bool
is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		(c >= 'A' && c <= 'Z') || c == '_';
}

/* An ASCII letter. */
static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ^[^!*?\[\]{}]+$ : resource, principal and role names */
bool
policy_valid_resource_name(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	return strpbrk(s, "!*?[]{}") == NULL;
}

/* ^[\w]+$ (or ^[\w]*$ when empty is allowed) */
bool
policy_valid_version(const char *s, bool allow_empty)
{
	if (s == NULL || *s == '\0')
		return allow_empty;
	for (; *s; s++)
		if (!is_word(*s))
			return false;
	return true;
}

/* ^[\w\-\.]+$ : derived roles, imports, export names */
bool
policy_valid_ident(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!is_word(*s) && *s != '-' && *s != '.')
			return false;
	return true;
}

/* ^(^$|\.|[0-9a-zA-Z][\w\-]*(\.\w[\w\-]*)*)$ */
bool
policy_valid_scope(const char *s)
{
	if (s == NULL || *s == '\0' || strcmp(s, ".") == 0)
		return true;
	if (!is_word(*s) || *s == '_')
		return false;
	s++;
	for (;;)
	{
		while (is_word(*s) || *s == '-')
			s++;
		if (*s == '\0')
			return true;
		if (*s != '.' || !is_word(s[1]))
			return false;
		s += 2;
	}
}

/* ^([a-zA-Z][\w\@\.\-]*)*$ : empty, or a letter then word characters */
bool
policy_valid_rule_name(const char *s)
{
	if (s == NULL || *s == '\0')
		return true;
	if (!is_alpha(*s))
		return false;
	for (s++; *s; s++)
		if (!is_word(*s) && *s != '@' && *s != '.' && *s != '-')
			return false;
	return true;
}

/* The kind as Cerbos spells it in policy identifiers. */
const char *
policy_kind_name(PolicyKind kind)
{
	switch (kind)
	{
		case POLICY_RESOURCE:
			return "resource";
		case POLICY_PRINCIPAL:
			return "principal";
		case POLICY_DERIVED_ROLES:
			return "derived_roles";
		case POLICY_EXPORT_VARIABLES:
			return "export_variables";
		case POLICY_EXPORT_CONSTANTS:
			return "export_constants";
		case POLICY_ROLE:
			return "role";
		default:
			return "unknown";
	}
}

/* resource.doc.vdefault/acme.hr, derived_roles.common, role.admin/acme, ... */
const char *
policy_fqn(Arena *arena, const Policy *p)
{
	const char *kind = policy_kind_name(p->kind);
	const char *scope = p->scope.s ? p->scope.s : "";

	switch (p->kind)
	{
		case POLICY_RESOURCE:
		case POLICY_PRINCIPAL:
			return arena_printf(arena, "%s.%s.v%s%s%s", kind, p->name.s,
								p->version.s, *scope ? "/" : "", scope);
		case POLICY_ROLE:
			/* role policies default to version "default", as in Cerbos */
			return arena_printf(arena, "%s.%s.v%s%s%s", kind, p->name.s,
								(p->version.s && p->version.s[0]) ? p->version.s : "default",
								*scope ? "/" : "", scope);
		default:
			return arena_printf(arena, "%s.%s", kind, p->name.s);
	}
}
