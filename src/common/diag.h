/*
 * diag.h — errors as values for the pure-C core.
 *
 * The core never longjmps or exits: a stage that fails returns false and
 * leaves one or more Diags in a DiagList.  A compiler-like stage keeps going
 * after the first problem so that one load reports every mistake, each with
 * its position; the PostgreSQL layer turns the list into one ereport.
 */
#ifndef AUTHZ_DIAG_H
#define AUTHZ_DIAG_H

#include "arena.h"

typedef struct Diag
{
	const char *file;			/* policy file or "<input>"; may be NULL */
	int			line;			/* 1-based; 0 = unknown */
	int			column;			/* 1-based; 0 = unknown */
	const char *message;		/* lowercase, no trailing period */
} Diag;

typedef struct DiagList
{
	Arena	   *arena;			/* where messages are allocated */
	Diag	   *items;
	int			count;
	int			capacity;
	int			max_items;		/* stop recording after this many (0 = 100) */
	int			dropped;		/* problems seen beyond max_items */
} DiagList;

extern void diag_init(DiagList *list, Arena *arena);

/* Records one problem; message is printf-formatted into the arena. */
extern void diag_add(DiagList *list, const char *file, int line, int column,
					 const char *fmt,...) __attribute__((format(printf, 5, 6)));

/* Renders "file:line:column: message" lines joined by '\n'. */
extern char *diag_render(const DiagList *list);

#endif							/* AUTHZ_DIAG_H */
