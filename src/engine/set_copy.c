/*
 * set_copy.c — a compiled set copied, alone, into another arena.
 *
 * Compiling a policy set allocates far more than the set it produces: the
 * YAML trees, the compiler's model, every CEL parser's growing arrays and
 * every checker's state stay in the compile arena (about 45 kB per policy
 * of a generated repository, against a few kB for the rule table).  Where
 * the set must live somewhere precious (the shared-memory region the
 * PostgreSQL layer reads it from), the compile runs in a scratch arena and
 * this file copies exactly what the engine reads at check and plan time.
 *
 * The copy is typed, following engine_int.h: rows, buckets, policies,
 * derived roles, variable tables, conditions, CEL ASTs, CEL values,
 * indexes and strings.  Objects that the set shares (a condition or an
 * AST used by several rows, a policy key, a derived role) are copied once,
 * through a table from old to new address, so the copy keeps the sharing
 * and is never bigger than the original's reachable part.
 *
 * What is not copied: the checker's static type of each AST node.  The
 * evaluator only asks whether an AST was checked (types != NULL), so the
 * copy carries an array of NULL ("dyn") types.  The engine settings are
 * reset to the defaults; users apply theirs with engine_set_with_config.
 */
#include "engine_int.h"

#include <stdint.h>
#include <string.h>

#define COPY_MAX_DEPTH 512

typedef struct Copier
{
	Arena	   *dst;
	Arena	   *scratch;
	const void **from;			/* open addressing: old address -> new */
	void	  **to;
	size_t		size;
	size_t		count;
	bool		failed;
} Copier;

/* Mixes a pointer into a table index. */
static size_t
addr_hash(const void *p)
{
	uint64_t	x = (uint64_t) (uintptr_t) p;

	/* low bits of the product only see low (aligned) bits: fold high in */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t) x;
}

/* The copy already made of old, or NULL. */
static void *
seen(Copier *c, const void *old)
{
	size_t		i;

	for (i = addr_hash(old) & (c->size - 1); c->from[i] != NULL; i = (i + 1) & (c->size - 1))
		if (c->from[i] == old)
			return c->to[i];
	return NULL;
}

/* Remembers that old was copied to new (the table doubles when half full). */
static void
remember(Copier *c, const void *old, void *new)
{
	size_t		i;

	if ((c->count + 1) * 2 > c->size)
	{
		const void **of = c->from;
		void	  **ot = c->to;
		size_t		osize = c->size,
					j;

		c->size *= 2;
		c->from = arena_alloc0(c->scratch, sizeof(void *) * c->size);
		c->to = arena_alloc0(c->scratch, sizeof(void *) * c->size);
		if (c->from == NULL || c->to == NULL)
		{
			c->failed = true;
			c->from = of;
			c->to = ot;
			c->size = osize;
			return;
		}
		c->count = 0;
		for (j = 0; j < osize; j++)
			if (of[j] != NULL)
				remember(c, of[j], ot[j]);
	}
	for (i = addr_hash(old) & (c->size - 1); c->from[i] != NULL; i = (i + 1) & (c->size - 1))
		;
	c->from[i] = old;
	c->to[i] = new;
	c->count++;
}

/* Bytes copied into the destination; NULL stays NULL. */
static void *
copy_bytes(Copier *c, const void *src, size_t n)
{
	void	   *p;

	if (src == NULL)
		return NULL;
	p = arena_alloc(c->dst, n ? n : 1);
	if (p == NULL)
	{
		c->failed = true;
		return NULL;
	}
	if (n)
		memcpy(p, src, n);
	return p;
}

/* A NUL-terminated string, copied once however often it is referenced. */
static const char *
copy_str(Copier *c, const char *s)
{
	char	   *p;

	if (s == NULL)
		return NULL;
	if ((p = seen(c, s)) != NULL)
		return p;
	p = copy_bytes(c, s, strlen(s) + 1);
	if (p)
		remember(c, s, p);
	return p;
}

/* An array of n strings. */
static const char **
copy_strs(Copier *c, const char *const *v, int n)
{
	const char **p;
	int			i;

	if (v == NULL)
		return NULL;
	p = arena_alloc(c->dst, sizeof(char *) * (n > 0 ? n : 1));
	if (p == NULL)
	{
		c->failed = true;
		return NULL;
	}
	for (i = 0; i < n; i++)
		p[i] = copy_str(c, v[i]);
	return p;
}

static CelValue copy_value(Copier *c, CelValue v, int depth);

/* A CEL value of the kinds policies hold (constants, schemas, globals). */
static CelValue
copy_value(Copier *c, CelValue v, int depth)
{
	CelValue	out = v;
	size_t		i;

	if (depth > COPY_MAX_DEPTH)
	{
		c->failed = true;
		return v;
	}
	switch (v.kind)
	{
		case CEL_VAL_STRING:
		case CEL_VAL_BYTES:
			out.u.str.ptr = copy_bytes(c, v.u.str.ptr, v.u.str.len);
			break;
		case CEL_VAL_LIST:
			{
				CelList    *l;
				CelValue   *items;

				if ((l = seen(c, v.u.list)) != NULL)
				{
					out.u.list = l;
					break;
				}
				l = arena_alloc0(c->dst, sizeof(CelList));
				items = arena_alloc(c->dst, sizeof(CelValue) * (v.u.list->len ? v.u.list->len : 1));
				if (l == NULL || items == NULL)
				{
					c->failed = true;
					break;
				}
				for (i = 0; i < v.u.list->len; i++)
					items[i] = copy_value(c, v.u.list->items[i], depth + 1);
				l->len = v.u.list->len;
				l->items = items;
				remember(c, v.u.list, l);
				out.u.list = l;
				break;
			}
		case CEL_VAL_MAP:
			{
				CelMap	   *m;
				CelValue   *keys;
				CelValue   *values;

				if ((m = seen(c, v.u.map)) != NULL)
				{
					out.u.map = m;
					break;
				}
				m = arena_alloc0(c->dst, sizeof(CelMap));
				keys = arena_alloc(c->dst, sizeof(CelValue) * (v.u.map->len ? v.u.map->len : 1));
				values = arena_alloc(c->dst, sizeof(CelValue) * (v.u.map->len ? v.u.map->len : 1));
				if (m == NULL || keys == NULL || values == NULL)
				{
					c->failed = true;
					break;
				}
				for (i = 0; i < v.u.map->len; i++)
				{
					keys[i] = copy_value(c, v.u.map->keys[i], depth + 1);
					values[i] = copy_value(c, v.u.map->values[i], depth + 1);
				}
				m->len = v.u.map->len;
				m->keys = keys;
				m->values = values;
				m->index = NULL;	/* never built for compiled values */
				m->msg_type = copy_str(c, v.u.map->msg_type);
				remember(c, v.u.map, m);
				out.u.map = m;
				break;
			}
		case CEL_VAL_OPTIONAL:
			if (v.u.opt != NULL)
			{
				CelValue   *inner = arena_alloc(c->dst, sizeof(CelValue));

				if (inner == NULL)
				{
					c->failed = true;
					break;
				}
				*inner = copy_value(c, *v.u.opt, depth + 1);
				out.u.opt = inner;
			}
			break;
		case CEL_VAL_ERROR:
			{
				CelErrorInfo *e = arena_alloc(c->dst, sizeof(CelErrorInfo));

				if (e == NULL)
				{
					c->failed = true;
					break;
				}
				e->message = copy_str(c, v.u.err->message);
				e->node = v.u.err->node;
				out.u.err = e;
				break;
			}
		case CEL_VAL_TYPE:
		case CEL_VAL_UNKNOWN:
		case CEL_VAL_OPAQUE:
			/* never produced from policy documents; not position-safe */
			c->failed = true;
			break;
		default:
			break;				/* scalars are copied by value */
	}
	return out;
}

/* A checked CEL AST: flat arrays, copied once per AST. */
static const CelAst *
copy_ast(Copier *c, const CelAst *a)
{
	CelAst	   *n;

	if (a == NULL)
		return NULL;
	if ((n = seen(c, a)) != NULL)
		return n;
	n = arena_alloc0(c->dst, sizeof(CelAst));
	if (n == NULL)
	{
		c->failed = true;
		return NULL;
	}
	n->nnodes = a->nnodes;
	n->nargs = a->nargs;
	n->strings_len = a->strings_len;
	n->root = a->root;
	n->nodes = copy_bytes(c, a->nodes, sizeof(CelExpr) * (size_t) a->nnodes);
	n->args = copy_bytes(c, a->args, sizeof(int32_t) * a->nargs);
	n->strings = copy_bytes(c, a->strings, a->strings_len);
	n->overload = copy_bytes(c, a->overload, sizeof(int32_t) * (size_t) a->nnodes);
	if (a->types != NULL)
	{
		/* checked: keep the mark, not the checker's type objects */
		n->types = arena_alloc0(c->dst, sizeof(CelType *) * (size_t) (a->nnodes + 1));
		if (n->types == NULL)
			c->failed = true;
	}
	n->source = copy_str(c, a->source);
	remember(c, a, n);
	return n;
}

static const ECond *copy_cond(Copier *c, const ECond *e, int depth);

/* Fills n with a copy of condition e (its operands copied in place). */
static void
fill_cond(Copier *c, ECond *n, const ECond *e, int depth)
{
	int			i;

	if (depth > COPY_MAX_DEPTH)
	{
		c->failed = true;
		return;
	}
	n->op = e->op;
	n->ast = copy_ast(c, e->ast);
	n->text = copy_str(c, e->text);
	n->nof = e->nof;
	n->of = NULL;
	if (e->of != NULL)
	{
		ECond	   *of = arena_alloc0(c->dst, sizeof(ECond) * (e->nof > 0 ? e->nof : 1));

		if (of == NULL)
		{
			c->failed = true;
			return;
		}
		for (i = 0; i < e->nof; i++)
		{
			fill_cond(c, &of[i], &e->of[i], depth + 1);
			remember(c, &e->of[i], &of[i]);
		}
		n->of = of;
	}
}

/* A condition tree, copied once however many rows share it. */
static const ECond *
copy_cond(Copier *c, const ECond *e, int depth)
{
	ECond	   *n;

	if (e == NULL)
		return NULL;
	if ((n = seen(c, e)) != NULL)
		return n;
	n = arena_alloc0(c->dst, sizeof(ECond));
	if (n == NULL)
	{
		c->failed = true;
		return NULL;
	}
	fill_cond(c, n, e, depth);
	remember(c, e, n);
	return n;
}

/* A policy's variables and constants, copied once. */
static const EParams *
copy_params(Copier *c, const EParams *p)
{
	EParams    *n;
	EVar	   *vars;
	int			i;

	if (p == NULL)
		return NULL;
	if ((n = seen(c, p)) != NULL)
		return n;
	n = arena_alloc0(c->dst, sizeof(EParams));
	vars = arena_alloc0(c->dst, sizeof(EVar) * (p->nvars > 0 ? p->nvars : 1));
	if (n == NULL || vars == NULL)
	{
		c->failed = true;
		return NULL;
	}
	n->id = p->id;
	n->nvars = p->nvars;
	for (i = 0; i < p->nvars; i++)
	{
		vars[i].name = copy_str(c, p->vars[i].name);
		vars[i].ast = copy_ast(c, p->vars[i].ast);
		vars[i].text = copy_str(c, p->vars[i].text);
	}
	n->vars = p->vars ? vars : NULL;
	n->constants = copy_value(c, p->constants, 0);
	remember(c, p, n);
	return n;
}

/* A derived role, copied once. */
static const EDerivedRole *
copy_derived_role(Copier *c, const EDerivedRole *d)
{
	EDerivedRole *n;

	if (d == NULL)
		return NULL;
	if ((n = seen(c, d)) != NULL)
		return n;
	n = arena_alloc0(c->dst, sizeof(EDerivedRole));
	if (n == NULL)
	{
		c->failed = true;
		return NULL;
	}
	n->name = copy_str(c, d->name);
	n->parents = copy_strs(c, d->parents, d->nparents);
	n->nparents = d->nparents;
	n->cond = copy_cond(c, d->cond, 0);
	n->params = copy_params(c, d->params);
	remember(c, d, n);
	return n;
}

/* A string index: keys copied, values as they are. */
static void
copy_index(Copier *c, EIndex *dst, const EIndex *src)
{
	int			i;

	*dst = *src;
	if (src->keys == NULL)
		return;
	dst->keys = arena_alloc0(c->dst, sizeof(char *) * (src->size > 0 ? src->size : 1));
	dst->vals = copy_bytes(c, src->vals, sizeof(int) * (size_t) src->size);
	if (dst->keys == NULL)
	{
		c->failed = true;
		return;
	}
	for (i = 0; i < src->size; i++)
		dst->keys[i] = copy_str(c, src->keys[i]);
}

static void
copy_schema(Copier *c, ESchemaRef *dst, const ESchemaRef *src)
{
	*dst = *src;
	dst->schema = copy_value(c, src->schema, 0);
	dst->ignore = copy_strs(c, src->ignore, src->nignore);
}

/*
 * Copies src into dst with the default engine settings; scratch holds the
 * bookkeeping (freed by the caller).  NULL when dst (or scratch) ran out
 * or src holds a value that cannot be copied.
 */
EngineSet *
engine_set_copy(Arena *dst, const EngineSet *src, Arena *scratch)
{
	Copier		c;
	EngineSet  *set;
	int			i,
				j;

	if (src == NULL)
		return NULL;
	memset(&c, 0, sizeof(c));
	c.dst = dst;
	c.scratch = scratch;
	c.size = 4096;
	c.from = arena_alloc0(scratch, sizeof(void *) * c.size);
	c.to = arena_alloc0(scratch, sizeof(void *) * c.size);
	set = arena_alloc0(dst, sizeof(EngineSet));
	if (c.from == NULL || c.to == NULL || set == NULL)
		return NULL;
	*set = *src;
	if (!engine_apply_config(dst, set, NULL, NULL))
		return NULL;

	set->rows = arena_alloc0(dst, sizeof(ERow) * (src->nrows > 0 ? src->nrows : 1));
	if (set->rows == NULL)
		return NULL;
	for (i = 0; i < src->nrows && !c.failed; i++)
	{
		const ERow *r = &src->rows[i];
		ERow	   *n = &set->rows[i];

		*n = *r;
		n->resource = copy_str(&c, r->resource);
		n->principal = copy_str(&c, r->principal);
		n->role = copy_str(&c, r->role);
		n->action = copy_str(&c, r->action);
		n->allow_actions = copy_strs(&c, r->allow_actions, r->nallow_actions);
		n->cond = copy_cond(&c, r->cond, 0);
		n->derived_role = copy_derived_role(&c, r->derived_role);
		n->params = copy_params(&c, r->params);
		n->name = copy_str(&c, r->name);
		n->policy_key = copy_str(&c, r->policy_key);
		n->scope = copy_str(&c, r->scope);
		n->version = copy_str(&c, r->version);
		n->out_activated = copy_ast(&c, r->out_activated);
		n->out_not_met = copy_ast(&c, r->out_not_met);
	}

	set->buckets = arena_alloc0(dst, sizeof(EBucket) * (src->nbuckets > 0 ? src->nbuckets : 1));
	if (set->buckets == NULL)
		return NULL;
	for (i = 0; i < src->nbuckets && !c.failed; i++)
	{
		const EBucket *b = &src->buckets[i];
		EBucket    *n = &set->buckets[i];

		*n = *b;
		n->version = copy_str(&c, b->version);
		n->scope = copy_str(&c, b->scope);
		n->rows = copy_bytes(&c, b->rows, sizeof(int) * (size_t) b->nrows);
		n->cap = b->nrows;
	}
	copy_index(&c, &set->bucket_index, &src->bucket_index);

	set->policies = arena_alloc0(dst, sizeof(EPolicy) * (src->npolicies > 0 ? src->npolicies : 1));
	if (set->policies == NULL)
		return NULL;
	for (i = 0; i < src->npolicies && !c.failed; i++)
	{
		const EPolicy *p = &src->policies[i];
		EPolicy    *n = &set->policies[i];

		*n = *p;
		n->name = copy_str(&c, p->name);
		n->version = copy_str(&c, p->version);
		n->scope = copy_str(&c, p->scope);
		n->key = copy_str(&c, p->key);
		if (p->derived_roles != NULL)
		{
			const EDerivedRole **drs = arena_alloc0(dst, sizeof(EDerivedRole *) *
													(p->nderived_roles > 0 ? p->nderived_roles : 1));

			if (drs == NULL)
				return NULL;
			for (j = 0; j < p->nderived_roles; j++)
				drs[j] = copy_derived_role(&c, p->derived_roles[j]);
			n->derived_roles = drs;
		}
		n->parent_roles = copy_strs(&c, p->parent_roles, p->nparent_roles);
		n->resources = copy_strs(&c, p->resources, p->nresources);
		copy_schema(&c, &n->principal_schema, &p->principal_schema);
		copy_schema(&c, &n->resource_schema, &p->resource_schema);
	}
	copy_index(&c, &set->policy_index, &src->policy_index);

	if (src->params != NULL)
	{
		set->params = arena_alloc0(dst, sizeof(EParams *) * (src->nparams > 0 ? src->nparams : 1));
		if (set->params == NULL)
			return NULL;
		for (i = 0; i < src->nparams; i++)
			set->params[i] = (EParams *) copy_params(&c, src->params[i]);
	}
	copy_index(&c, &set->role_index, &src->role_index);
	copy_index(&c, &set->scope_index, &src->scope_index);
	if (src->scope_perms != NULL)
	{
		set->scope_perms = arena_alloc0(dst, sizeof(EScopePerm) *
										(src->nscope_perms > 0 ? src->nscope_perms : 1));
		if (set->scope_perms == NULL)
			return NULL;
		for (i = 0; i < src->nscope_perms; i++)
		{
			set->scope_perms[i].scope = copy_str(&c, src->scope_perms[i].scope);
			set->scope_perms[i].perm = src->scope_perms[i].perm;
		}
	}
	if (c.failed || dst->failed || scratch->failed)
		return NULL;
	return set;
}
