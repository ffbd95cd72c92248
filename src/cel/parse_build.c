/*
 * parse_build.c — building the flat CelAst while parsing: the growable
 * node, argument and string arrays, the scratch stack that holds a call's
 * arguments until its run can be laid down contiguously, node builders
 * shared with the macro expanders, subtree copies, tree-height accounting
 * for the depth limit, and error reporting with positions.
 */
#include "cel_parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------- errors ---------- */

/* Reports an error at a byte offset; the parse result will be NULL. */
void
cel_parse_error(CelParser *p, int32_t offset, const char *fmt,...)
{
	char		buf[512];
	va_list		ap;
	int			line;
	int			column;

	p->failed = true;
	if (p->diags == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cel_offset_position(p->src, offset, &line, &column);
	diag_add(p->diags, "<input>", line, column, "%s", buf);
}

/* ---------- arrays ---------- */

/* Grows an arena array to hold at least need elements. */
bool
cel_pgrow(CelParser *p, void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t	ncap;
	void	   *n;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	n = arena_realloc(p->arena, *arr, (size_t) *cap * elem, (size_t) ncap * elem);
	if (n == NULL)
	{
		if (!p->fatal)
			cel_parse_error(p, 0, "out of memory");
		p->fatal = true;
		return false;
	}
	*arr = n;
	*cap = ncap;
	return true;
}

/* A fresh node of the given kind; CEL_NO_NODE when limits are hit. */
CelNodeRef
cel_pnode(CelParser *p, CelExprKind kind, int32_t offset)
{
	CelExpr    *e;
	uint32_t	cap = (uint32_t) p->cap_nodes;

	if (p->fatal)
		return CEL_NO_NODE;
	if (p->nnodes >= p->max_nodes)
	{
		cel_parse_error(p, offset, "expression exceeds the node limit (%d)", p->max_nodes);
		p->fatal = true;
		return CEL_NO_NODE;
	}
	if (!cel_pgrow(p, (void **) &p->nodes, &cap, (uint32_t) p->nnodes + 1, sizeof(CelExpr)))
		return CEL_NO_NODE;
	p->cap_nodes = (int32_t) cap;
	if (!cel_pgrow(p, (void **) &p->height, &p->cap_height, (uint32_t) p->nnodes + 1,
			  sizeof(int32_t)))
		return CEL_NO_NODE;
	p->height[p->nnodes] = 1;
	e = &p->nodes[p->nnodes];
	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t) kind;
	e->offset = offset;
	return p->nnodes++;
}

/* Interns nothing: appends s[0..len) plus a NUL to the string pool. */
CelStrRef
cel_pstr(CelParser *p, const char *s, size_t len)
{
	CelStrRef	off;
	bool		pooled;
	size_t		from = 0;

	if (len == 0)
		return 0;
	/* s may be a string of the pool itself, which growing moves */
	pooled = p->strings && s >= p->strings && s < p->strings + p->strings_len;
	if (pooled)
		from = (size_t) (s - p->strings);
	if (len > UINT32_MAX / 2 || !cel_pgrow(p, (void **) &p->strings, &p->cap_strings,
									  p->strings_len + (uint32_t) len + 1, 1))
		return 0;
	if (pooled)
		s = p->strings + from;
	off = p->strings_len;
	memcpy(p->strings + off, s, len);
	p->strings[off + len] = '\0';
	p->strings_len += (uint32_t) len + 1;
	return off;
}

/* Holds an argument ref until its call is complete. */
void
cel_pscratch_push(CelParser *p, CelNodeRef ref)
{
	if (!cel_pgrow(p, (void **) &p->scratch, &p->cap_scratch, p->nscratch + 1, sizeof(int32_t)))
		return;
	p->scratch[p->nscratch++] = ref;
}

/* Appends refs as one run in args; returns the run's start. */
uint32_t
cel_pargs_from(CelParser *p, const CelNodeRef *refs, uint32_t n)
{
	uint32_t	start = p->nargs;

	if (n == 0)
		return start;
	if (!cel_pgrow(p, (void **) &p->args, &p->cap_args, p->nargs + n, sizeof(int32_t)))
		return 0;
	memcpy(p->args + start, refs, n * sizeof(int32_t));
	p->nargs += n;
	return start;
}

/* Moves scratch[mark..] into args and pops them. */
uint32_t
cel_pscratch_commit(CelParser *p, uint32_t mark)
{
	uint32_t	start = p->nscratch > mark ?
		cel_pargs_from(p, p->scratch + mark, p->nscratch - mark) : p->nargs;

	p->nscratch = mark;
	return start;
}

/* ---------- tree height ---------- */

/* Records that child hangs below parent; errors when the tree gets too tall. */
void
cel_pattach(CelParser *p, CelNodeRef parent, CelNodeRef child)
{
	int32_t		h;

	if (parent < 0 || child < 0 || p->fatal)
		return;
	h = p->height[child] + 1;
	if (h > p->height[parent])
		p->height[parent] = h;
	if (h > p->max_height)
	{
		cel_parse_error(p, p->nodes[parent].offset, "max recursion depth exceeded");
		p->fatal = true;
	}
}

/* ---------- builders ---------- */

/* An identifier node. */
CelNodeRef
cel_pmk_ident(CelParser *p, int32_t off, const char *name)
{
	CelNodeRef	r = cel_pnode(p, CEL_EXPR_IDENT, off);

	if (r >= 0)
		p->nodes[r].u.ident.name = cel_pstr(p, name, strlen(name));
	return r;
}

/* A bool literal node. */
CelNodeRef
cel_pmk_bool(CelParser *p, int32_t off, bool b)
{
	CelNodeRef	r = cel_pnode(p, CEL_EXPR_CONST, off);

	if (r >= 0)
	{
		p->nodes[r].u.constant.kind = CEL_CONST_BOOL;
		p->nodes[r].u.constant.u.b = b;
	}
	return r;
}

/* An int literal node. */
CelNodeRef
cel_pmk_int(CelParser *p, int32_t off, int64_t i)
{
	CelNodeRef	r = cel_pnode(p, CEL_EXPR_CONST, off);

	if (r >= 0)
	{
		p->nodes[r].u.constant.kind = CEL_CONST_INT;
		p->nodes[r].u.constant.u.i = i;
	}
	return r;
}

/* A string constant node (bytes: set the kind afterwards). */
CelNodeRef
cel_pmk_string(CelParser *p, int32_t off, const char *s, size_t len)
{
	CelNodeRef	r = cel_pnode(p, CEL_EXPR_CONST, off);

	if (r >= 0)
	{
		CelStrRef	sr = cel_pstr(p, s, len);

		p->nodes[r].u.constant.kind = CEL_CONST_STRING;
		p->nodes[r].u.constant.u.str.off = sr;
		p->nodes[r].u.constant.u.str.len = (uint32_t) len;
	}
	return r;
}

/* A call node; target CEL_NO_NODE for a global call. */
CelNodeRef
cel_pmk_call(CelParser *p, int32_t off, CelNodeRef target, const char *function,
			 const CelNodeRef *args, uint32_t nargs)
{
	CelNodeRef	r;

	for (uint32_t i = 0; i < nargs; i++)
		if (args[i] < 0)
			return CEL_NO_NODE;
	r = cel_pnode(p, CEL_EXPR_CALL, off);
	if (r < 0)
		return r;
	{
		CelStrRef	fn = cel_pstr(p, function, strlen(function));
		uint32_t	start = cel_pargs_from(p, args, nargs);
		CelExpr    *e = &p->nodes[r];

		e->u.call.target = target;
		e->u.call.function = fn;
		e->u.call.args = start;
		e->u.call.nargs = nargs;
	}
	cel_pattach(p, r, target);
	for (uint32_t i = 0; i < nargs; i++)
		cel_pattach(p, r, args[i]);
	return r;
}

/* A list literal of plain (non-optional) elements. */
CelNodeRef
cel_pmk_list(CelParser *p, int32_t off, const CelNodeRef *elems, uint32_t n)
{
	CelNodeRef	r = cel_pnode(p, CEL_EXPR_LIST, off);

	if (r < 0)
		return r;
	{
		uint32_t	start = cel_pargs_from(p, elems, n);

		p->nodes[r].u.list.elems = start;
		p->nodes[r].u.list.nelems = n;
	}
	for (uint32_t i = 0; i < n; i++)
		cel_pattach(p, r, elems[i]);
	return r;
}

/* An empty map literal. */
CelNodeRef
cel_pmk_map(CelParser *p, int32_t off)
{
	return cel_pnode(p, CEL_EXPR_MAP, off);
}

/* A comprehension node (macro expansion); NO_NODE if a part failed. */
CelNodeRef
cel_pmk_comprehension(CelParser *p, int32_t off, CelNodeRef range,
					  const char *iter, const char *iter2, const char *accu,
					  CelNodeRef init, CelNodeRef cond, CelNodeRef step,
					  CelNodeRef result)
{
	CelNodeRef	r;

	if (range < 0 || init < 0 || cond < 0 || step < 0 || result < 0)
		return CEL_NO_NODE;
	r = cel_pnode(p, CEL_EXPR_COMPREHENSION, off);
	if (r < 0)
		return r;
	{
		CelStrRef	it = cel_pstr(p, iter, strlen(iter));
		CelStrRef	it2 = iter2 ? cel_pstr(p, iter2, strlen(iter2)) : 0;
		CelStrRef	ac = cel_pstr(p, accu, strlen(accu));
		CelExpr    *e = &p->nodes[r];

		e->flags |= CEL_EXPR_F_MACRO;
		e->u.comp.iter_var = it;
		e->u.comp.iter_var2 = it2;
		e->u.comp.accu_var = ac;
		e->u.comp.iter_range = range;
		e->u.comp.accu_init = init;
		e->u.comp.loop_cond = cond;
		e->u.comp.loop_step = step;
		e->u.comp.result = result;
	}
	cel_pattach(p, r, range);
	cel_pattach(p, r, init);
	cel_pattach(p, r, cond);
	cel_pattach(p, r, step);
	cel_pattach(p, r, result);
	return r;
}

/* Copies a subtree (new nodes, same offsets). */
CelNodeRef
cel_pcopy(CelParser *p, CelNodeRef ref)
{
	CelExpr		e;
	CelNodeRef	r;
	CelNodeRef	local[8];
	CelNodeRef *kids = local;
	uint32_t	n = 0;
	uint32_t	start = 0;

	if (ref < 0 || p->fatal)
		return CEL_NO_NODE;
	if (++p->depth > p->max_depth)
	{
		cel_parse_error(p, p->nodes[ref].offset, "max recursion depth exceeded");
		p->fatal = true;
		p->depth--;
		return CEL_NO_NODE;
	}
	e = p->nodes[ref];
	switch (e.kind)
	{
		case CEL_EXPR_CALL:
			n = e.u.call.nargs;
			start = e.u.call.args;
			break;
		case CEL_EXPR_LIST:
			n = e.u.list.nelems;
			start = e.u.list.elems;
			break;
		case CEL_EXPR_MAP:
			n = 2 * e.u.map.nentries;
			start = e.u.map.entries;
			break;
		case CEL_EXPR_STRUCT:
			n = 2 * e.u.strct.nfields;
			start = e.u.strct.fields;
			break;
		default:
			break;
	}
	if (n > 8)
	{
		kids = (CelNodeRef *) arena_alloc(p->arena, n * sizeof(CelNodeRef));
		if (kids == NULL)
		{
			p->fatal = true;
			p->depth--;
			return CEL_NO_NODE;
		}
	}
	for (uint32_t i = 0; i < n; i++)
	{
		int32_t		v = p->args[start + i];

		/* struct runs hold (name, node) pairs: copy only the nodes */
		if (e.kind == CEL_EXPR_STRUCT && i % 2 == 0)
			kids[i] = v;
		else
			kids[i] = cel_pcopy(p, v);
	}
	switch (e.kind)
	{
		case CEL_EXPR_SELECT:
			e.u.select.operand = cel_pcopy(p, e.u.select.operand);
			break;
		case CEL_EXPR_CALL:
			if (e.u.call.target >= 0)
				e.u.call.target = cel_pcopy(p, e.u.call.target);
			e.u.call.args = cel_pargs_from(p, kids, n);
			break;
		case CEL_EXPR_LIST:
			e.u.list.elems = cel_pargs_from(p, kids, n);
			if (e.u.list.noptional > 0)
				e.u.list.optional = cel_pargs_from(p, p->args + e.u.list.optional,
												   e.u.list.noptional);
			break;
		case CEL_EXPR_MAP:
			e.u.map.entries = cel_pargs_from(p, kids, n);
			if (e.u.map.noptional > 0)
				e.u.map.optional = cel_pargs_from(p, p->args + e.u.map.optional,
												  e.u.map.noptional);
			break;
		case CEL_EXPR_STRUCT:
			e.u.strct.fields = cel_pargs_from(p, kids, n);
			break;
		case CEL_EXPR_COMPREHENSION:
			e.u.comp.iter_range = cel_pcopy(p, e.u.comp.iter_range);
			e.u.comp.accu_init = cel_pcopy(p, e.u.comp.accu_init);
			e.u.comp.loop_cond = cel_pcopy(p, e.u.comp.loop_cond);
			e.u.comp.loop_step = cel_pcopy(p, e.u.comp.loop_step);
			e.u.comp.result = cel_pcopy(p, e.u.comp.result);
			break;
		default:
			break;
	}
	p->depth--;
	r = cel_pnode(p, (CelExprKind) e.kind, e.offset);
	if (r >= 0)
	{
		p->nodes[r] = e;
		p->height[r] = p->height[ref];
	}
	return r;
}
