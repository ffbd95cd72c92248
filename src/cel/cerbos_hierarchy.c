/*
 * cerbos_hierarchy.c — Cerbos' hierarchy type: "a.b.c" split into parts,
 * with ancestorOf, descendentOf, commonAncestors, immediateChildOf,
 * immediateParentOf, overlaps, siblingOf, size() and [i].
 *
 * Construction follows Go's strings.Split: "" is one empty part, an empty
 * delimiter splits into UTF-8 characters.  From a list, every element must
 * convert to a Go string; Cerbos' messages for the ones that do not are
 * reproduced (a hierarchy element converts to its dotted form).
 *
 * The comparisons are Cerbos' exactly, including its quirks: siblingOf is
 * true for a hierarchy and itself, and commonAncestors of two hierarchies
 * of equal length ignores their last parts.
 */
#include "cel_cerbos.h"

#include <string.h>

static bool hierarchy_equals(const void *a, const void *b);

static const CelType hierarchy_desc = {CEL_T_OPAQUE, {NULL, NULL}, "cerbos.lib.hierarchy"};

const CelOpaqueType cel_hierarchy_type = {
	"cerbos.lib.hierarchy", &hierarchy_desc, hierarchy_equals
};

/* Whether two hierarchies have the same parts. */
static bool
hierarchy_equals(const void *a, const void *b)
{
	const CelHierarchy *x = a;
	const CelHierarchy *y = b;

	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (x->len[i] != y->len[i] || memcmp(x->part[i], y->part[i], x->len[i]) != 0)
			return false;
	return true;
}

/* Allocates an empty hierarchy with room for n parts. */
static CelHierarchy *
hierarchy_alloc(Arena *arena, size_t n)
{
	CelHierarchy *h = arena_alloc0(arena, sizeof(CelHierarchy));

	if (!h)
		return NULL;
	h->part = arena_alloc(arena, sizeof(char *) * (n ? n : 1));
	h->len = arena_alloc(arena, sizeof(size_t) * (n ? n : 1));
	if (!h->part || !h->len)
		return NULL;
	return h;
}

/* Wraps a hierarchy as a CEL value. */
static CelValue
hierarchy_value(Arena *arena, const CelHierarchy *h)
{
	CelValue	v = {0};

	if (!h)
		return cel_error(arena, "out of memory");
	v.kind = CEL_VAL_OPAQUE;
	v.u.opaque.type = &cel_hierarchy_type;
	v.u.opaque.data = h;
	return v;
}

/* Length of the UTF-8 sequence starting at s (1 for invalid bytes, as Go). */
static size_t
utf8_step(const unsigned char *s, size_t left)
{
	size_t		n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 :
		(s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 1;

	if (n > left)
		return 1;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

/* Go's strings.Split(s, delim) as a hierarchy. */
CelValue
cel_hierarchy_from_string(Arena *arena, const char *s, size_t len,
						  const char *delim, size_t dlen)
{
	size_t		n = 0;
	CelHierarchy *h;
	char	  **part;
	size_t	   *plen;

	/* count */
	if (dlen == 0)
	{
		for (size_t i = 0; i < len; i += utf8_step((const unsigned char *) s + i, len - i))
			n++;
	}
	else
	{
		n = 1;
		for (size_t i = 0; i + dlen <= len;)
		{
			if (memcmp(s + i, delim, dlen) == 0)
				n++, i += dlen;
			else
				i++;
		}
	}
	h = hierarchy_alloc(arena, n);
	if (!h)
		return cel_error(arena, "out of memory");
	part = (char **) h->part;
	plen = (size_t *) h->len;
	if (dlen == 0)
	{
		for (size_t i = 0; i < len;)
		{
			size_t		k = utf8_step((const unsigned char *) s + i, len - i);

			part[h->n] = (char *) s + i;
			plen[h->n++] = k;
			i += k;
		}
	}
	else
	{
		size_t		start = 0;

		for (size_t i = 0; i + dlen <= len;)
		{
			if (memcmp(s + i, delim, dlen) == 0)
			{
				part[h->n] = (char *) s + start;
				plen[h->n++] = i - start;
				i += dlen;
				start = i;
			}
			else
				i++;
		}
		part[h->n] = (char *) s + start;
		plen[h->n++] = len - start;
	}
	return hierarchy_value(arena, h);
}

/* The number of parts of a hierarchy value. */
size_t
cel_hierarchy_size(CelValue h)
{
	return ((const CelHierarchy *) h.u.opaque.data)->n;
}

/* hierarchy(string). */
CelValue
cel_fn_hierarchy(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	if (args[0].kind == CEL_VAL_OPAQUE && args[0].u.opaque.type == &cel_hierarchy_type)
		return args[0];
	if (args[0].kind == CEL_VAL_LIST)
		return cel_fn_hierarchy_list(ctx, args, nargs);
	if (args[0].kind != CEL_VAL_STRING)
		return cel_error_no_such_overload(ctx->arena, NULL);
	return cel_hierarchy_from_string(ctx->arena, args[0].u.str.ptr,
									 args[0].u.str.len, ".", 1);
}

/* hierarchy(string, delimiter). */
CelValue
cel_fn_hierarchy_delim(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_hierarchy_from_string(ctx->arena, args[0].u.str.ptr,
									 args[0].u.str.len, args[1].u.str.ptr,
									 args[1].u.str.len);
}

/* The joined "a.b.c" form of a hierarchy (its conversion to a Go string). */
static bool
hierarchy_join(Arena *arena, const CelHierarchy *h, const char **out,
			   size_t *out_len)
{
	size_t		total = h->n ? h->n - 1 : 0;
	char	   *buf;
	size_t		o = 0;

	for (size_t i = 0; i < h->n; i++)
		total += h->len[i];
	buf = arena_alloc(arena, total + 1);
	if (!buf)
		return false;
	for (size_t i = 0; i < h->n; i++)
	{
		if (i > 0)
			buf[o++] = '.';
		memcpy(buf + o, h->part[i], h->len[i]);
		o += h->len[i];
	}
	buf[o] = '\0';
	*out = buf;
	*out_len = o;
	return true;
}

/* cel-go's wording for a list element that is not a Go string. */
static const char *
string_conversion_error(CelValue v)
{
	switch (v.kind)
	{
		case CEL_VAL_INT:
			return "unsupported type conversion from 'int' to string";
		case CEL_VAL_UINT:
			return "unsupported type conversion from 'uint' to string";
		case CEL_VAL_DOUBLE:
			return "type conversion error from Double to 'string'";
		case CEL_VAL_BOOL:
			return "type conversion error from bool to 'string'";
		case CEL_VAL_BYTES:
			return "type conversion error from Bytes to 'string'";
		case CEL_VAL_NULL:
			return "type conversion error from 'null_type' to 'string'";
		case CEL_VAL_LIST:
			return "type conversion error from list to 'string'";
		case CEL_VAL_MAP:
			return "type conversion error from map to 'string'";
		case CEL_VAL_TIMESTAMP:
			return "type conversion error from 'Timestamp' to 'string'";
		case CEL_VAL_DURATION:
			return "type conversion error from 'Duration' to 'string'";
		default:
			return "type conversion error to 'string'";
	}
}

/* hierarchy(list(string)). */
CelValue
cel_fn_hierarchy_list(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *l = args[0].u.list;
	CelHierarchy *h;

	/* cel-go's dispatcher rejects a list that does not start with a string */
	if (l->len > 0 && l->items[0].kind != CEL_VAL_STRING)
		return cel_error(ctx->arena, "no such overload: hierarchy(list)");
	h = hierarchy_alloc(ctx->arena, l->len);
	if (!h)
		return cel_error(ctx->arena, "out of memory");
	for (size_t i = 0; i < l->len; i++)
	{
		CelValue	e = l->items[i];
		const char *p;
		size_t		n;

		if (e.kind == CEL_VAL_STRING)
			p = e.u.str.ptr, n = e.u.str.len;
		else if (e.kind == CEL_VAL_OPAQUE && e.u.opaque.type == &cel_hierarchy_type)
		{
			if (!hierarchy_join(ctx->arena, e.u.opaque.data, &p, &n))
				return cel_error(ctx->arena, "out of memory");
		}
		else if (e.kind == CEL_VAL_ERROR)
			return e;
		else
			return cel_error(ctx->arena,
							 "failed to convert list to string slice: %s",
							 string_conversion_error(e));
		((const char **) h->part)[i] = p;
		((size_t *) h->len)[i] = n;
	}
	h->n = l->len;
	return hierarchy_value(ctx->arena, h);
}

/* The hierarchies of a member call: receiver and argument. */
#define H0 ((const CelHierarchy *) args[0].u.opaque.data)
#define H1 ((const CelHierarchy *) args[1].u.opaque.data)

/* Whether part i of a equals part j of b. */
static inline bool
part_eq(const CelHierarchy *a, size_t i, const CelHierarchy *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->part[i], b->part[j], a->len[i]) == 0;
}

/* Whether the first n parts of a and b agree. */
static bool
prefix_eq(const CelHierarchy *a, const CelHierarchy *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!part_eq(a, i, b, i))
			return false;
	return true;
}

/* Cerbos' ancestorOf: child strictly longer and starting with h. */
static bool
ancestor_of(const CelHierarchy *h, const CelHierarchy *child)
{
	return child->n > h->n && prefix_eq(h, child, h->n);
}

/* Cerbos' immediateParentOf: child exactly one part longer. */
static bool
immediate_parent_of(const CelHierarchy *h, const CelHierarchy *child)
{
	return child->n == h->n + 1 && prefix_eq(h, child, h->n);
}

/* <h>.ancestorOf(child). */
CelValue
cel_fn_hierarchy_ancestor_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(ancestor_of(H0, H1));
}

/* <h>.descendentOf(parent). */
CelValue
cel_fn_hierarchy_descendent_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(ancestor_of(H1, H0));
}

/* <h>.immediateParentOf(child). */
CelValue
cel_fn_hierarchy_immediate_parent_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(immediate_parent_of(H0, H1));
}

/* <h>.immediateChildOf(parent). */
CelValue
cel_fn_hierarchy_immediate_child_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(immediate_parent_of(H1, H0));
}

/* siblingOf: same length, same parts but (possibly) the last. */
CelValue
cel_fn_hierarchy_sibling_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	if (H0->n != H1->n)
		return cel_bool(false);
	return cel_bool(H0->n == 0 || prefix_eq(H0, H1, H0->n - 1));
}

/* overlaps: the shorter is a prefix of the longer. */
CelValue
cel_fn_hierarchy_overlaps(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	size_t		n = H0->n < H1->n ? H0->n : H1->n;

	return cel_bool(prefix_eq(H0, H1, n));
}

/* commonAncestors: the shared leading parts (last parts dropped when the
 * lengths are equal). */
CelValue
cel_fn_hierarchy_common_ancestors(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelHierarchy *a = H0;
	const CelHierarchy *b = H1;
	size_t		n = a->n < b->n ? a->n : b->n;
	size_t		k = 0;
	CelHierarchy *h;

	if (a->n == b->n && n > 0)
		n--;
	while (k < n && part_eq(a, k, b, k))
		k++;
	h = hierarchy_alloc(ctx->arena, k);
	if (!h)
		return cel_error(ctx->arena, "out of memory");
	h->n = k;
	memcpy((void *) h->part, a->part, sizeof(char *) * k);
	memcpy((void *) h->len, a->len, sizeof(size_t) * k);
	return hierarchy_value(ctx->arena, h);
}

/* hierarchy.size(). */
CelValue
cel_fn_hierarchy_size(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int((int64_t) H0->n);
}

/* hierarchy[i]. */
CelValue
cel_fn_hierarchy_index(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelHierarchy *h = H0;
	int64_t		i;

	if (args[1].kind != CEL_VAL_INT)
		return cel_error(ctx->arena, "unsupported index type '%s'",
						 cel_type_name(cel_value_type(args[1])));
	i = args[1].u.i;
	if (i < 0 || (uint64_t) i >= h->n)
		return cel_error(ctx->arena, "index out of range");
	return cel_string(h->part[i], h->len[i]);
}
