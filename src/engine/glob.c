/*
 * glob.c — the globs Cerbos accepts in actions, roles and resource names.
 *
 * Cerbos compiles them with gobwas/glob using ':' as the separator, so
 * "view:*" matches "view:public" but not "view:a:b", "**" crosses
 * separators, "?" is one non-separator character, "[...]" a class and
 * "{a,b}" alternatives.  A lone "*" matches every value (Cerbos treats it
 * as the wildcard action and role).  Matching is a bounded backtracking
 * walk; patterns in policies are short.
 */
#include "engine_int.h"

#include <string.h>

#define GLOB_MAX_STEPS 100000

static bool glob_at(const char *p, const char *pend, const char *v, int *steps);

/* Matches a character class starting at p ('['); sets *next past ']'. */
static bool
glob_class(const char *p, const char *pend, char c, const char **next, bool *ok)
{
	bool		negate = false;
	bool		hit = false;
	const char *q = p + 1;

	if (q < pend && *q == '!')
	{
		negate = true;
		q++;
	}
	while (q < pend && *q != ']')
	{
		char		lo = *q;
		char		hi = lo;

		if (q + 2 < pend && q[1] == '-' && q[2] != ']')
		{
			hi = q[2];
			q += 3;
		}
		else
			q++;
		if (c >= lo && c <= hi)
			hit = true;
	}
	if (q >= pend)
	{
		*ok = false;			/* unterminated: treat '[' literally */
		return false;
	}
	*ok = true;
	*next = q + 1;
	return negate ? !hit : hit;
}

/* Expands the first {a,b} group at p and tries each alternative. */
static bool
glob_alternatives(const char *p, const char *pend, const char *v, int *steps)
{
	const char *close = NULL;
	int			depth = 0;
	const char *q;
	const char *start = p + 1;
	char		buf[1024];

	for (q = p; q < pend; q++)
	{
		if (*q == '{')
			depth++;
		else if (*q == '}' && --depth == 0)
		{
			close = q;
			break;
		}
	}
	if (close == NULL)
		return *v == '{' && glob_at(p + 1, pend, v + 1, steps);
	depth = 0;
	for (q = start; q <= close; q++)
	{
		if (q < close && *q == '{')
			depth++;
		else if (q < close && *q == '}')
			depth--;
		else if (q == close || (*q == ',' && depth == 0))
		{
			size_t		alt = (size_t) (q - start);
			size_t		rest = (size_t) (pend - (close + 1));

			if (alt + rest < sizeof(buf))
			{
				memcpy(buf, start, alt);
				memcpy(buf + alt, close + 1, rest);
				if (glob_at(buf, buf + alt + rest, v, steps))
					return true;
			}
			start = q + 1;
		}
	}
	return false;
}

/* Does the pattern p..pend match all of v? */
static bool
glob_at(const char *p, const char *pend, const char *v, int *steps)
{
	while (p < pend)
	{
		if (++*steps > GLOB_MAX_STEPS)
			return false;
		switch (*p)
		{
			case '*':
				{
					bool		super = (p + 1 < pend && p[1] == '*');
					const char *rest = p + (super ? 2 : 1);
					const char *s;

					for (s = v;; s++)
					{
						if (glob_at(rest, pend, s, steps))
							return true;
						if (*s == '\0' || (!super && *s == ':'))
							return false;
					}
				}
			case '?':
				if (*v == '\0' || *v == ':')
					return false;
				p++;
				v++;
				break;
			case '[':
				{
					const char *next;
					bool		ok;
					bool		hit;

					if (*v == '\0')
						return false;
					hit = glob_class(p, pend, *v, &next, &ok);
					if (!ok)
					{
						if (*v != '[')
							return false;
						p++;
						v++;
						break;
					}
					if (!hit)
						return false;
					p = next;
					v++;
					break;
				}
			case '{':
				return glob_alternatives(p, pend, v, steps);
			case '\\':
				if (p + 1 < pend)
					p++;
				/* FALLTHROUGH */
			default:
				if (*p != *v)
					return false;
				p++;
				v++;
				break;
		}
	}
	return *v == '\0';
}

/* Whether a Cerbos glob (or literal) matches a value. */
bool
engine_glob_match(const char *pattern, const char *value)
{
	int			steps = 0;

	if (pattern == NULL || value == NULL)
		return false;
	if (strcmp(pattern, "*") == 0 || strcmp(pattern, value) == 0)
		return true;
	if (strpbrk(pattern, "*?[{\\") == NULL)
		return false;
	return glob_at(pattern, pattern + strlen(pattern), value, &steps);
}
