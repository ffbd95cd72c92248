/*
 * error_display.c — CEL compile errors in the form cel-go displays them,
 * which is what Cerbos shows for an invalid condition:
 *
 *   ERROR: <input>:1:9: found no matching overload for '_==_' applied to ...
 *    | ['one'] == [2, 3]
 *    | ........^
 *
 * One block per problem, joined by newlines: the source line (tabs shown as
 * spaces) and a caret under the column, preceded by one dot per character.
 */
#include "cel.h"

#include <string.h>

/* Appends s[0..n) to a growing arena buffer; false when memory runs out. */
static bool
put(Arena *arena, char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap)
	{
		size_t		ncap = *cap ? *cap * 2 : 256;
		char	   *nb;

		while (ncap < *len + n + 1)
			ncap *= 2;
		nb = (char *) arena_realloc(arena, *buf, *cap, ncap);
		if (nb == NULL)
			return false;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return true;
}

/* cel-go's display string for every diag of a parse or check of source. */
char *
cel_errors_display(Arena *arena, const char *source, size_t source_len,
				   const DiagList *diags)
{
	char	   *buf = NULL;
	size_t		len = 0;
	size_t		cap = 0;

	if (diags == NULL || arena == NULL)
		return NULL;
	if (!put(arena, &buf, &len, &cap, "", 0))
		return NULL;
	for (int i = 0; i < diags->count; i++)
	{
		const Diag *d = &diags->items[i];
		char	   *head = arena_printf(arena, "%sERROR: <input>:%d:%d: %s", i ? "\n" : "",
										d->line, d->column, d->message ? d->message : "");
		size_t		start = 0;
		size_t		end;
		int			line = 1;

		if (head == NULL || !put(arena, &buf, &len, &cap, head, strlen(head)))
			return NULL;
		if (source == NULL || d->line < 1)
			continue;
		/* find the line */
		while (line < d->line && start < source_len)
		{
			if (source[start] == '\n')
				line++;
			start++;
		}
		if (line != d->line)
			continue;
		end = start;
		while (end < source_len && source[end] != '\n')
			end++;
		if (!put(arena, &buf, &len, &cap, "\n | ", 4))
			return NULL;
		for (size_t k = start; k < end; k++)
			if (!put(arena, &buf, &len, &cap, source[k] == '\t' ? " " : source + k, 1))
				return NULL;
		if (!put(arena, &buf, &len, &cap, "\n | ", 4))
			return NULL;
		for (int c = 1; c < d->column; c++)
			if (!put(arena, &buf, &len, &cap, ".", 1))
				return NULL;
		if (!put(arena, &buf, &len, &cap, "^", 1))
			return NULL;
	}
	return buf;
}
