/*
 * refs.c — finding variable and constant references in CEL text.
 *
 * Until CEL ASTs are available here, the compiler finds `V.name`,
 * `variables.name`, `C.name` and `constants.name` by scanning the source:
 * string literals (all quote forms, raw or not) and // comments are
 * skipped, and the prefix must start an identifier path (not follow a '.'
 * or an identifier character), so `R.attr.V.x` is not a reference.  Once
 * the checker runs, its resolved identifiers can replace this scan.
 */
#include "compiler.h"

#include <string.h>

/* A character of a CEL identifier. */
static bool
ident_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		(c >= 'A' && c <= 'Z') || c == '_';
}

/* Skips a string literal starting at p (at the quote); returns its end. */
static const char *
skip_string(const char *p, bool raw)
{
	char		q = *p;
	bool		triple = p[1] == q && p[2] == q;

	p += triple ? 3 : 1;
	while (*p)
	{
		if (!raw && *p == '\\' && p[1])
		{
			p += 2;
			continue;
		}
		if (*p == q && (!triple || (p[1] == q && p[2] == q)))
			return p + (triple ? 3 : 1);
		if (!triple && *p == '\n')
			return p;
		p++;
	}
	return p;
}

/* Calls visit for each name following short_prefix. or long_prefix. */
void
compile_scan_refs(const char *text, const char *short_prefix,
				  const char *long_prefix, CompileRefVisitor visit, void *state)
{
	const char *p = text;
	size_t		sl = strlen(short_prefix);
	size_t		ll = strlen(long_prefix);

	if (text == NULL)
		return;
	while (*p)
	{
		if (*p == '/' && p[1] == '/')
		{
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (*p == '"' || *p == '\'')
		{
			p = skip_string(p, false);
			continue;
		}
		if ((*p == 'r' || *p == 'R' || *p == 'b' || *p == 'B') &&
			(p == text || !ident_char(p[-1])))
		{
			const char *q = p + 1;

			if ((*q == 'r' || *q == 'R' || *q == 'b' || *q == 'B') && q[1] != '\0')
				q++;
			if (*q == '"' || *q == '\'')
			{
				bool		raw = (*p == 'r' || *p == 'R' || q[-1] == 'r' || q[-1] == 'R');

				p = skip_string(q, raw);
				continue;
			}
		}
		if (ident_char(*p) && (p == text || (!ident_char(p[-1]) && p[-1] != '.')))
		{
			const char *start = p;
			size_t		len;

			while (ident_char(*p))
				p++;
			len = (size_t) (p - start);
			if (((len == sl && strncmp(start, short_prefix, sl) == 0) ||
				 (len == ll && strncmp(start, long_prefix, ll) == 0)))
			{
				const char *q = p;

				while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
					q++;
				if (*q == '.')
				{
					q++;
					while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
						q++;
					if (ident_char(*q))
					{
						const char *name = q;

						while (ident_char(*q))
							q++;
						visit(state, name, (size_t) (q - name));
						p = q;
					}
				}
			}
			continue;
		}
		p++;
	}
}
