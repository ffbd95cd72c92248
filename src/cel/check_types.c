/*
 * check_types.c — the checker's type algebra, following cel-go's checker:
 * building types, printing them as cel-go's messages do, and the
 * substitution of type variables with its assignability rules
 * (isAssignable, isValidTypeSubstitution, mostGeneral).  A failed overload
 * attempt is undone through the substitution's undo log (ck_s_rollback).
 */
#include "cel_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- type construction ---------- */

/* A type allocated in the checker's arena. */
const CelType *
ck_mk_type(Checker *c, CelTypeKind kind, const CelType *p0, const CelType *p1,
		const char *name)
{
	CelType    *t = (CelType *) arena_alloc0(c->arena, sizeof(CelType));

	if (t == NULL)
	{
		c->oom = true;
		return &cel_type_error;
	}
	t->kind = kind;
	t->param[0] = p0;
	t->param[1] = p1;
	t->name = name;
	return t;
}

/* list(elem) */
const CelType *
ck_mk_list(Checker *c, const CelType *elem)
{
	return ck_mk_type(c, CEL_T_LIST, elem, NULL, NULL);
}

/* map(k, v) */
const CelType *
ck_mk_map(Checker *c, const CelType *k, const CelType *v)
{
	return ck_mk_type(c, CEL_T_MAP, k, v, NULL);
}

/* optional_type(t) */
const CelType *
ck_mk_optional(Checker *c, const CelType *t)
{
	return ck_mk_type(c, CEL_T_OPTIONAL, t, NULL, NULL);
}

/* A fresh type variable "_var<n>". */
const CelType *
ck_new_var(Checker *c)
{
	char	   *name = arena_printf(c->arena, "_var%d", c->nextvar++);

	if (name == NULL)
	{
		c->oom = true;
		return &cel_type_dyn;
	}
	return ck_mk_type(c, CEL_T_PARAM, NULL, NULL, name);
}

/* How many type parameters a type constructor carries. */
int
ck_nparams_of(const CelType *t)
{
	switch (t->kind)
	{
		case CEL_T_LIST:
		case CEL_T_TYPE:
		case CEL_T_OPTIONAL:
			return t->param[0] ? 1 : 0;
		case CEL_T_MAP:
			return 2;
		default:
			return 0;
	}
}

/* Structural type equality (cel-go's IsExactType). */
bool
ck_type_exact(const CelType *a, const CelType *b)
{
	if (a == b)
		return true;
	if (a == NULL || b == NULL || a->kind != b->kind)
		return false;
	if (a->kind == CEL_T_PARAM || a->kind == CEL_T_MESSAGE || a->kind == CEL_T_OPAQUE)
		if (strcmp(a->name ? a->name : "", b->name ? b->name : "") != 0)
			return false;
	for (int i = 0; i < ck_nparams_of(a); i++)
		if (!ck_type_exact(a->param[i], b->param[i]))
			return false;
	return true;
}

/* ---------- formatting ---------- */

/* Appends t as cel-go's checker spells types to buf. */
void
ck_format_into(char *buf, size_t size, const CelType *t)
{
	size_t		n = strlen(buf);

	if (n + 1 >= size)
		return;
	if (t == NULL)
	{
		snprintf(buf + n, size - n, "dyn");
		return;
	}
	switch (t->kind)
	{
		case CEL_T_LIST:
			snprintf(buf + n, size - n, "list(");
			ck_format_into(buf, size, t->param[0]);
			n = strlen(buf);
			snprintf(buf + n, size - n, ")");
			return;
		case CEL_T_MAP:
			snprintf(buf + n, size - n, "map(");
			ck_format_into(buf, size, t->param[0]);
			n = strlen(buf);
			snprintf(buf + n, size - n, ", ");
			ck_format_into(buf, size, t->param[1]);
			n = strlen(buf);
			snprintf(buf + n, size - n, ")");
			return;
		case CEL_T_TYPE:
		case CEL_T_OPTIONAL:
			snprintf(buf + n, size - n, "%s", t->kind == CEL_T_TYPE ? "type" : "optional_type");
			if (t->param[0] != NULL)
			{
				n = strlen(buf);
				snprintf(buf + n, size - n, "(");
				ck_format_into(buf, size, t->param[0]);
				n = strlen(buf);
				snprintf(buf + n, size - n, ")");
			}
			return;
		case CEL_T_ERROR:
			snprintf(buf + n, size - n, "!error!");
			return;
		case CEL_T_NULL:
			snprintf(buf + n, size - n, "null");
			return;
		case CEL_T_TIMESTAMP:
			snprintf(buf + n, size - n, "timestamp");
			return;
		case CEL_T_DURATION:
			snprintf(buf + n, size - n, "duration");
			return;
		default:
			snprintf(buf + n, size - n, "%s", cel_type_name(t));
			return;
	}
}

/* A type as cel-go prints it in messages ("list(int)", "map(int, string)"). */
const char *
cel_check_format_type(Arena *arena, const CelType *t)
{
	char		buf[512];

	buf[0] = '\0';
	ck_format_into(buf, sizeof(buf), t);
	return arena_strdup(arena, buf);
}

/* ---------- substitutions (cel-go's mapping) ---------- */

/* Looks a signature type parameter up in an instantiation map. */
const CelType *
ck_m_find(const Mapping *m, const char *var)
{
	for (int i = m->n - 1; i >= 0; i--)
		if (strcmp(m->items[i].var, var) == 0)
			return m->items[i].type;
	return NULL;
}

/* Records that a signature type parameter stands for t. */
void
ck_m_add(Checker *c, Mapping *m, const char *var, const CelType *t)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->items[i].var, var) == 0)
		{
			m->items[i].type = t;
			return;
		}
	if (m->n == m->cap)
	{
		int			ncap = m->cap ? m->cap * 2 : 16;
		Subst	   *n = (Subst *) arena_alloc(c->arena, sizeof(Subst) * (size_t) ncap);

		if (n == NULL)
		{
			c->oom = true;
			return;
		}
		if (m->n > 0)
			memcpy(n, m->items, sizeof(Subst) * (size_t) m->n);
		m->items = n;
		m->cap = ncap;
	}
	m->items[m->n].var = var;
	m->items[m->n].type = t;
	m->n++;
}

/* The number of a type variable "_var<n>", or -1. */
static int
var_number(const CelType *t)
{
	if (t == NULL || t->kind != CEL_T_PARAM || t->name == NULL ||
		strncmp(t->name, "_var", 4) != 0)
		return -1;
	return atoi(t->name + 4);
}

/* The current substitution of a type variable, or NULL. */
static const CelType *
s_find(const Checker *c, const CelType *var)
{
	int			n = var_number(var);

	if (n < 0 || n >= c->s.cap)
		return NULL;
	return c->s.sub[n];
}

/* Binds a type variable, remembering the old binding for rollback. */
static void
s_add(Checker *c, const CelType *var, const CelType *t)
{
	Subs	   *s = &c->s;
	int			n = var_number(var);

	if (n < 0)
		return;
	if (n >= s->cap)
	{
		int			ncap = s->cap ? s->cap : 64;
		const CelType **nsub;

		while (ncap <= n)
			ncap *= 2;
		nsub = (const CelType **) arena_realloc(c->arena, (void *) s->sub,
												sizeof(CelType *) * (size_t) s->cap,
												sizeof(CelType *) * (size_t) ncap);
		if (nsub == NULL)
		{
			c->oom = true;
			return;
		}
		memset((void *) (nsub + s->cap), 0, sizeof(CelType *) * (size_t) (ncap - s->cap));
		s->sub = nsub;
		s->cap = ncap;
	}
	if (s->nundo == s->capundo)
	{
		int			ncap = s->capundo ? s->capundo * 2 : 64;
		Undo	   *nu = (Undo *) arena_realloc(c->arena, s->undo,
											   sizeof(Undo) * (size_t) s->capundo,
											   sizeof(Undo) * (size_t) ncap);

		if (nu == NULL)
		{
			c->oom = true;
			return;
		}
		s->undo = nu;
		s->capundo = ncap;
	}
	s->undo[s->nundo].var = n;
	s->undo[s->nundo].old = s->sub[n];
	s->nundo++;
	s->sub[n] = t;
}

/* Undoes bindings made since mark. */
void
ck_s_rollback(Checker *c, int mark)
{
	while (c->s.nundo > mark)
	{
		c->s.nundo--;
		c->s.sub[c->s.undo[c->s.nundo].var] = c->s.undo[c->s.nundo].old;
	}
}

/* Replaces type variables by their substitutions; free ones stay or become dyn. */
const CelType *
ck_substitute(Checker *c, const CelType *t, bool to_dyn, int depth)
{
	if (t == NULL)
		return &cel_type_dyn;
	if (depth > 100)
		return &cel_type_dyn;
	if (t->kind == CEL_T_PARAM)
	{
		const CelType *s = s_find(c, t);

		if (s != NULL && s != t)
			return ck_substitute(c, s, to_dyn, depth + 1);
		return to_dyn ? &cel_type_dyn : t;
	}
	if (ck_nparams_of(t) > 0)
	{
		const CelType *p0 = ck_substitute(c, t->param[0], to_dyn, depth + 1);
		const CelType *p1 = t->kind == CEL_T_MAP ?
			ck_substitute(c, t->param[1], to_dyn, depth + 1) : NULL;

		if (p0 == t->param[0] && p1 == t->param[1])
			return t;
		return ck_mk_type(c, t->kind, p0, p1, t->name);
	}
	return t;
}

/* Whether var does not occur in t (following substitutions). */
static bool
not_referenced_in(const Checker *c, const char *var, const CelType *t, int depth)
{
	if (t == NULL || depth > 100)
		return true;
	if (t->kind == CEL_T_PARAM)
	{
		const CelType *s;

		if (strcmp(t->name, var) == 0)
			return false;
		s = s_find(c, t);
		return s == NULL || s == t || not_referenced_in(c, var, s, depth + 1);
	}
	for (int i = 0; i < ck_nparams_of(t); i++)
		if (!not_referenced_in(c, var, t->param[i], depth + 1))
			return false;
	return true;
}

/* Whether t is dyn (or any, which behaves as dyn). */
bool
ck_is_dyn(const CelType *t)
{
	return t == NULL || t->kind == CEL_T_DYN || t->kind == CEL_T_ANY;
}

/* Whether t accepts and is accepted by everything. */
bool
ck_is_dyn_or_error(const CelType *t)
{
	return ck_is_dyn(t) || t->kind == CEL_T_ERROR;
}

/* cel-go's isEqualOrLessSpecific. */
static bool
less_specific(const CelType *a, const CelType *b)
{
	if (ck_is_dyn(a) || a->kind == CEL_T_PARAM)
		return true;
	if (ck_is_dyn(b) || b->kind == CEL_T_PARAM)
		return false;
	if (a->kind != b->kind)
		return false;
	switch (a->kind)
	{
		case CEL_T_LIST:
		case CEL_T_MAP:
		case CEL_T_OPTIONAL:
		case CEL_T_TYPE:
			for (int i = 0; i < ck_nparams_of(a); i++)
			{
				if (b->param[i] == NULL || a->param[i] == NULL)
					continue;
				if (!less_specific(a->param[i], b->param[i]))
					return false;
			}
			return true;
		default:
			return ck_type_exact(a, b);
	}
}

/* The less specific of two compatible types (cel-go's mostGeneral). */
const CelType *
ck_most_general(const CelType *a, const CelType *b)
{
	return less_specific(a, b) ? a : b;
}


/* Whether t1 may substitute for the variable t2 (cel-go's isValidTypeSubstitution). */
static bool
valid_substitution(Checker *c, const CelType *t1, const CelType *t2, bool *has_sub,
				   int depth)
{
	const CelType *sub;

	*has_sub = false;
	if (t1->kind == t2->kind && ck_type_exact(t1, t2))
	{
		*has_sub = true;
		return true;
	}
	sub = s_find(c, t2);
	if (sub != NULL)
	{
		*has_sub = true;
		if (t1->kind == sub->kind && ck_type_exact(t1, sub))
			return true;
		if (ck_assignable_in(c, t1, sub, depth + 1))
		{
			const CelType *g = ck_most_general(t1, sub);

			if (not_referenced_in(c, t2->name, g, 0))
				s_add(c, t2, g);
			return true;
		}
		return false;
	}
	if (not_referenced_in(c, t2->name, t1, 0))
	{
		s_add(c, t2, t1);
		return true;
	}
	return false;
}

/* Whether null is assignable to t. */
static bool
null_assignable(const CelType *t)
{
	switch (t->kind)
	{
		case CEL_T_NULL:
		case CEL_T_OPAQUE:
		case CEL_T_OPTIONAL:
		case CEL_T_MESSAGE:
		case CEL_T_ANY:
		case CEL_T_DURATION:
		case CEL_T_TIMESTAMP:
			return true;
		default:
			return false;
	}
}

/* cel-go's internalIsAssignable: may extend m. */
bool
ck_assignable_in(Checker *c, const CelType *t1, const CelType *t2, int depth)
{
	if (t1 == NULL)
		t1 = &cel_type_dyn;
	if (t2 == NULL)
		t2 = &cel_type_dyn;
	if (depth > 100)
		return false;
	if (t2->kind == CEL_T_PARAM)
	{
		bool		has_sub;

		if (valid_substitution(c, t1, t2, &has_sub, depth))
			return true;
		if (has_sub)
			return false;
	}
	if (t1->kind == CEL_T_PARAM)
	{
		bool		has_sub;

		return valid_substitution(c, t2, t1, &has_sub, depth);
	}
	if (ck_is_dyn_or_error(t1) || ck_is_dyn_or_error(t2))
		return true;
	if (t1->kind == CEL_T_NULL)
		return null_assignable(t2);
	if (t2->kind == CEL_T_NULL)
		return null_assignable(t1);
	switch (t1->kind)
	{
		case CEL_T_TYPE:
			return t2->kind == CEL_T_TYPE;
		case CEL_T_LIST:
		case CEL_T_MAP:
		case CEL_T_OPTIONAL:
			if (t1->kind != t2->kind)
				return false;
			for (int i = 0; i < ck_nparams_of(t1); i++)
				if (!ck_assignable_in(c, t1->param[i], t2->param[i], depth + 1))
					return false;
			return true;
		case CEL_T_OPAQUE:
		case CEL_T_MESSAGE:
			return t1->kind == t2->kind &&
				strcmp(t1->name ? t1->name : "", t2->name ? t2->name : "") == 0;
		default:
			return t1->kind == t2->kind;
	}
}

/* Assignability committed to the checker's mapping only on success. */
bool
ck_is_assignable(Checker *c, const CelType *t1, const CelType *t2)
{
	int			mark = c->s.nundo;

	if (!ck_assignable_in(c, t1, t2, 0))
	{
		ck_s_rollback(c, mark);
		return false;
	}
	c->s.nundo = mark;			/* committed: no enclosing trial to undo to */
	return true;
}
