/*
 * diag.c — recording and rendering positioned errors.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
diag_init(DiagList *list, Arena *arena)
{
	memset(list, 0, sizeof(*list));
	list->arena = arena;
	list->max_items = 100;
}

void
diag_add(DiagList *list, const char *file, int line, int column,
		 const char *fmt,...)
{
	va_list		ap;
	char		buf[1024];
	Diag	   *d;

	if (list->count >= (list->max_items > 0 ? list->max_items : 100))
	{
		list->dropped++;
		return;
	}
	if (list->count == list->capacity)
	{
		int			cap = list->capacity ? list->capacity * 2 : 8;
		Diag	   *items = arena_realloc(list->arena, list->items,
										  sizeof(Diag) * list->capacity,
										  sizeof(Diag) * cap);

		if (items == NULL)
		{
			list->dropped++;
			return;
		}
		list->items = items;
		list->capacity = cap;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d = &list->items[list->count++];
	d->file = file ? arena_strdup(list->arena, file) : NULL;
	d->line = line;
	d->column = column;
	d->message = arena_strdup(list->arena, buf);
	if (d->message == NULL)
		d->message = "out of memory";
}

char *
diag_render(const DiagList *list)
{
	size_t		size = 64;
	char	   *out;
	char	   *p;
	int			i;

	for (i = 0; i < list->count; i++)
		size += strlen(list->items[i].message) +
			(list->items[i].file ? strlen(list->items[i].file) : 0) + 32;
	out = arena_alloc(list->arena, size);
	if (out == NULL)
		return NULL;
	p = out;
	*p = '\0';
	for (i = 0; i < list->count; i++)
	{
		const Diag *d = &list->items[i];

		if (i > 0)
			*p++ = '\n';
		if (d->file && d->line > 0)
			p += sprintf(p, "%s:%d:%d: %s", d->file, d->line, d->column, d->message);
		else if (d->file)
			p += sprintf(p, "%s: %s", d->file, d->message);
		else if (d->line > 0)
			p += sprintf(p, "%d:%d: %s", d->line, d->column, d->message);
		else
			p += sprintf(p, "%s", d->message);
	}
	if (list->dropped > 0)
		sprintf(p, "%s... and %d more", list->count ? "\n" : "", list->dropped);
	return out;
}
