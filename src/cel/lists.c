/*
 * lists.c — cel-go's ext.Lists library as Cerbos 0.55 enables it (version
 * 2: slice, flatten, sort, the runtime half of sortBy, lists.range, reverse
 * and distinct), plus first() and last(), which cel-go declares in its
 * optional types library (version 2) and which answer optionals.
 *
 * list.sortBy(e, key) is a macro: the parser binds the list to
 * "@__sortBy_input__" and calls
 * @__sortBy_input__.@sortByAssociatedKeys(@__sortBy_input__.map(e, key)).
 * This file implements @sortByAssociatedKeys (and sort() on top of it),
 * with Go's own (unstable) sort algorithm so that equal keys keep Cerbos'
 * order.
 */
#include "cel_func.h"

#include <string.h>

#define FLATTEN_MAX_NESTING 1000

/* The error value for an allocation the arena refused. */
static CelValue
oom(CelEvalContext *ctx)
{
	return cel_error(ctx->arena, "out of memory");
}

/* Builds a list value, enforcing the evaluation's list size limit. */
static CelValue
make_list(CelEvalContext *ctx, const CelValue *items, size_t n)
{
	if (ctx->max_list_items && n > ctx->max_list_items)
		return cel_limit_error(ctx, CEL_LIMIT_LIST_ITEMS,
							   "list exceeds the size limit of %zu items", ctx->max_list_items);
	return cel_list_from(ctx->arena, items, n);
}

/* list.slice(int, int): elements [start, end). */
static CelValue
list_slice(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *l = args[0].u.list;
	int64_t		start = args[1].u.i;
	int64_t		end = args[2].u.i;

	if (start < 0 || end < 0)
		return cel_error(ctx->arena, "cannot slice(%lld, %lld), negative indexes not supported",
						 (long long) start, (long long) end);
	if (start > end)
		return cel_error(ctx->arena, "cannot slice(%lld, %lld), start index must be less than or equal to end index",
						 (long long) start, (long long) end);
	if ((uint64_t) end > l->len)
		return cel_error(ctx->arena, "cannot slice(%lld, %lld), list is length %zu",
						 (long long) start, (long long) end, l->len);
	return cel_list_from(ctx->arena, l->items + start, (size_t) (end - start));
}

/* Counts the items flatten(depth) produces; -1 when nesting is too deep. */
static int64_t
flatten_count(const CelList *l, int64_t depth, int nesting)
{
	int64_t		n = 0;

	if (nesting > FLATTEN_MAX_NESTING)
		return -1;
	for (size_t i = 0; i < l->len; i++)
	{
		if (l->items[i].kind == CEL_VAL_LIST && depth > 0)
		{
			int64_t		sub = flatten_count(l->items[i].u.list, depth - 1, nesting + 1);

			if (sub < 0)
				return -1;
			n += sub;
		}
		else
			n++;
	}
	return n;
}

/* Copies the flattened items into out; returns the next free slot. */
static size_t
flatten_into(const CelList *l, int64_t depth, CelValue *out, size_t at)
{
	for (size_t i = 0; i < l->len; i++)
	{
		if (l->items[i].kind == CEL_VAL_LIST && depth > 0)
			at = flatten_into(l->items[i].u.list, depth - 1, out, at);
		else
			out[at++] = l->items[i];
	}
	return at;
}

/* Shared body of flatten() and flatten(depth). */
static CelValue
flatten(CelEvalContext *ctx, const CelList *l, int64_t depth)
{
	int64_t		n;
	CelValue   *items;

	if (depth < 0)
		return cel_error(ctx->arena, "level must be non-negative");
	n = flatten_count(l, depth, 0);
	if (n < 0)
		return cel_error(ctx->arena, "flatten: list nests too deeply");
	if (ctx->max_list_items && (uint64_t) n > ctx->max_list_items)
		return cel_limit_error(ctx, CEL_LIMIT_LIST_ITEMS,
							   "list exceeds the size limit of %zu items", ctx->max_list_items);
	items = (CelValue *) arena_alloc(ctx->arena, ((size_t) n + 1) * sizeof(CelValue));
	if (items == NULL)
		return oom(ctx);
	flatten_into(l, depth, items, 0);
	return cel_list_from(ctx->arena, items, (size_t) n);
}

/* list.flatten(): one level. */
static CelValue
list_flatten(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return flatten(ctx, args[0].u.list, 1);
}

/* list.flatten(int): up to depth levels. */
static CelValue
list_flatten_depth(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return flatten(ctx, args[0].u.list, args[1].u.i);
}

/* Whether values of this kind can be sort keys. */
static bool
is_comparable(CelValue v)
{
	switch (v.kind)
	{
		case CEL_VAL_INT:
		case CEL_VAL_UINT:
		case CEL_VAL_DOUBLE:
		case CEL_VAL_BOOL:
		case CEL_VAL_STRING:
		case CEL_VAL_BYTES:
		case CEL_VAL_DURATION:
		case CEL_VAL_TIMESTAMP:
			return true;
		default:
			return false;
	}
}

/* Whether key a sorts strictly before key b (both of the same kind). */
static bool
key_less(CelValue a, CelValue b)
{
	switch (a.kind)
	{
		case CEL_VAL_INT:
			return a.u.i < b.u.i;
		case CEL_VAL_UINT:
			return a.u.u < b.u.u;
		case CEL_VAL_DOUBLE:
			return a.u.d < b.u.d;
		case CEL_VAL_BOOL:
			return !a.u.b && b.u.b;
		case CEL_VAL_STRING:
		case CEL_VAL_BYTES:
			{
				size_t		n = a.u.str.len < b.u.str.len ? a.u.str.len : b.u.str.len;
				int			c = memcmp(a.u.str.ptr, b.u.str.ptr, n);

				return c < 0 || (c == 0 && a.u.str.len < b.u.str.len);
			}
		case CEL_VAL_DURATION:
			return a.u.dur < b.u.dur;
		case CEL_VAL_TIMESTAMP:
			return a.u.ts.sec < b.u.ts.sec ||
				(a.u.ts.sec == b.u.ts.sec && a.u.ts.nsec < b.u.ts.nsec);
		default:
			return false;
	}
}

/*
 * Go's sort.Slice, which cel-go sorts with: pattern-defeating quicksort as
 * Go 1.19+ implements it (sort/zsortfunc.go), reproduced step by step so
 * that elements with equal keys end up in the same order as in Cerbos.
 * It sorts an array of indexes; less compares the keys they point at.
 */
typedef struct GoSort
{
	size_t	   *idx;
	const CelValue *keys;
} GoSort;

/* data.Less(i, j) */
static bool
gs_less(GoSort *g, size_t i, size_t j)
{
	return key_less(g->keys[g->idx[i]], g->keys[g->idx[j]]);
}

/* data.Swap(i, j) */
static void
gs_swap(GoSort *g, size_t i, size_t j)
{
	size_t		t = g->idx[i];

	g->idx[i] = g->idx[j];
	g->idx[j] = t;
}

/* insertionSort_func */
static void
gs_insertion(GoSort *g, size_t a, size_t b)
{
	for (size_t i = a + 1; i < b; i++)
		for (size_t j = i; j > a && gs_less(g, j, j - 1); j--)
			gs_swap(g, j, j - 1);
}

/* siftDown_func */
static void
gs_sift_down(GoSort *g, size_t lo, size_t hi, size_t first)
{
	size_t		root = lo;

	for (;;)
	{
		size_t		child = 2 * root + 1;

		if (child >= hi)
			return;
		if (child + 1 < hi && gs_less(g, first + child, first + child + 1))
			child++;
		if (!gs_less(g, first + root, first + child))
			return;
		gs_swap(g, first + root, first + child);
		root = child;
	}
}

/* heapSort_func */
static void
gs_heap(GoSort *g, size_t a, size_t b)
{
	size_t		hi = b - a;

	for (size_t i = (hi - 1) / 2 + 1; i-- > 0;)
		gs_sift_down(g, i, hi, a);
	for (size_t i = hi; i-- > 0;)
	{
		gs_swap(g, a, a + i);
		gs_sift_down(g, 0, i, a);
	}
}

/* order2_func */
static void
gs_order2(GoSort *g, size_t *a, size_t *b, int *swaps)
{
	if (gs_less(g, *b, *a))
	{
		size_t		t = *a;

		(*swaps)++;
		*a = *b;
		*b = t;
	}
}

/* median_func */
static size_t
gs_median(GoSort *g, size_t a, size_t b, size_t c, int *swaps)
{
	gs_order2(g, &a, &b, swaps);
	gs_order2(g, &b, &c, swaps);
	gs_order2(g, &a, &b, swaps);
	return b;
}

enum
{
	HINT_UNKNOWN, HINT_INCREASING, HINT_DECREASING
};

/* choosePivot_func */
static size_t
gs_choose_pivot(GoSort *g, size_t a, size_t b, int *hint)
{
	size_t		l = b - a;
	int			swaps = 0;
	size_t		i = a + l / 4 * 1;
	size_t		j = a + l / 4 * 2;
	size_t		k = a + l / 4 * 3;

	if (l >= 8)
	{
		if (l >= 50)
		{
			i = gs_median(g, i - 1, i, i + 1, &swaps);
			j = gs_median(g, j - 1, j, j + 1, &swaps);
			k = gs_median(g, k - 1, k, k + 1, &swaps);
		}
		j = gs_median(g, i, j, k, &swaps);
	}
	*hint = swaps == 0 ? HINT_INCREASING : swaps == 12 ? HINT_DECREASING : HINT_UNKNOWN;
	return j;
}

/* reverseRange_func */
static void
gs_reverse(GoSort *g, size_t a, size_t b)
{
	for (size_t i = a, j = b - 1; i < j; i++, j--)
		gs_swap(g, i, j);
}

/* partialInsertionSort_func */
static bool
gs_partial_insertion(GoSort *g, size_t a, size_t b)
{
	size_t		i = a + 1;

	for (int step = 0; step < 5; step++)
	{
		while (i < b && !gs_less(g, i, i - 1))
			i++;
		if (i == b)
			return true;
		if (b - a < 50)
			return false;
		gs_swap(g, i, i - 1);
		if (i - a >= 2)
			for (size_t j = i - 1; j >= 1; j--)
			{
				if (!gs_less(g, j, j - 1))
					break;
				gs_swap(g, j, j - 1);
			}
		if (b - i >= 2)
			for (size_t j = i + 1; j < b; j++)
			{
				if (!gs_less(g, j, j - 1))
					break;
				gs_swap(g, j, j - 1);
			}
	}
	return false;
}

/* breakPatterns_func, with Go's xorshift seeded by the length */
static void
gs_break_patterns(GoSort *g, size_t a, size_t b)
{
	size_t		length = b - a;

	if (length >= 8)
	{
		uint64_t	r = length;
		size_t		modulus = 1;

		while (modulus <= length)
			modulus <<= 1;		/* 1 << bits.Len(length) */
		for (size_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++)
		{
			size_t		other;

			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			other = (size_t) r & (modulus - 1);
			if (other >= length)
				other -= length;
			gs_swap(g, idx, a + other);
		}
	}
}

/* partitionEqual_func */
static size_t
gs_partition_equal(GoSort *g, size_t a, size_t b, size_t pivot)
{
	size_t		i = a + 1;
	size_t		j = b - 1;

	gs_swap(g, a, pivot);
	for (;;)
	{
		while (i <= j && !gs_less(g, a, i))
			i++;
		while (i <= j && gs_less(g, a, j))
			j--;
		if (i > j)
			break;
		gs_swap(g, i, j);
		i++;
		j--;
	}
	return i;
}

/* partition_func */
static size_t
gs_partition(GoSort *g, size_t a, size_t b, size_t pivot, bool *already)
{
	size_t		i = a + 1;
	size_t		j = b - 1;

	gs_swap(g, a, pivot);
	while (i <= j && gs_less(g, i, a))
		i++;
	while (i <= j && !gs_less(g, j, a))
		j--;
	if (i > j)
	{
		gs_swap(g, j, a);
		*already = true;
		return j;
	}
	gs_swap(g, i, j);
	i++;
	j--;
	for (;;)
	{
		while (i <= j && gs_less(g, i, a))
			i++;
		while (i <= j && !gs_less(g, j, a))
			j--;
		if (i > j)
			break;
		gs_swap(g, i, j);
		i++;
		j--;
	}
	gs_swap(g, j, a);
	*already = false;
	return j;
}

/* pdqsort_func; recursion depth is bounded by the limit (log2 n) */
static void
gs_pdqsort(GoSort *g, size_t a, size_t b, int limit)
{
	bool		was_balanced = true;
	bool		was_partitioned = true;

	for (;;)
	{
		size_t		length = b - a;
		size_t		pivot;
		size_t		mid;
		int			hint;
		bool		already;

		if (length <= 12)
		{
			gs_insertion(g, a, b);
			return;
		}
		if (limit == 0)
		{
			gs_heap(g, a, b);
			return;
		}
		if (!was_balanced)
		{
			gs_break_patterns(g, a, b);
			limit--;
		}
		pivot = gs_choose_pivot(g, a, b, &hint);
		if (hint == HINT_DECREASING)
		{
			gs_reverse(g, a, b);
			pivot = (b - 1) - (pivot - a);
			hint = HINT_INCREASING;
		}
		if (was_balanced && was_partitioned && hint == HINT_INCREASING &&
			gs_partial_insertion(g, a, b))
			return;
		if (a > 0 && !gs_less(g, a - 1, pivot))
		{
			a = gs_partition_equal(g, a, b, pivot);
			continue;
		}
		mid = gs_partition(g, a, b, pivot, &already);
		was_partitioned = already;
		if (mid - a < b - mid)
		{
			was_balanced = mid - a >= length / 8;
			gs_pdqsort(g, a, mid, limit);
			a = mid + 1;
		}
		else
		{
			was_balanced = b - mid >= length / 8;
			gs_pdqsort(g, mid + 1, b, limit);
			b = mid;
		}
	}
}

/* Sorts list by the parallel list of keys (cel-go's sortListByAssociatedKeys). */
static CelValue
sort_by_keys(CelEvalContext *ctx, const CelList *list, const CelList *keys)
{
	size_t		n = list->len;
	size_t	   *idx;
	CelValue   *out;
	GoSort		g;
	int			limit = 0;

	if (n != keys->len)
		return cel_error(ctx->arena, "@sortByAssociatedKeys() expected a list of the same size as the associated keys list, but got %zu and %zu elements respectively",
						 n, keys->len);
	if (n == 0)
		return cel_list(list);
	if (!is_comparable(keys->items[0]))
		return cel_error(ctx->arena, "list elements must be comparable");
	for (size_t i = 1; i < n; i++)
		if (keys->items[i].kind != keys->items[0].kind)
			return cel_error(ctx->arena, "list elements must have the same type");
	idx = (size_t *) arena_alloc(ctx->arena, n * sizeof(size_t));
	out = (CelValue *) arena_alloc(ctx->arena, n * sizeof(CelValue));
	if (idx == NULL || out == NULL)
		return oom(ctx);
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (size_t m = n; m; m >>= 1)
		limit++;				/* bits.Len(n) */
	g.idx = idx;
	g.keys = keys->items;
	gs_pdqsort(&g, 0, n, limit);
	for (size_t i = 0; i < n; i++)
		out[i] = list->items[idx[i]];
	return cel_list_from(ctx->arena, out, n);
}

/* list.sort() */
static CelValue
list_sort(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return sort_by_keys(ctx, args[0].u.list, args[0].u.list);
}

/* list.@sortByAssociatedKeys(keys): the runtime half of sortBy. */
static CelValue
list_sort_by_keys(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return sort_by_keys(ctx, args[0].u.list, args[1].u.list);
}

/* lists.range(n): [0, 1, ..., n-1]. */
static CelValue
lists_range(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	int64_t		n = args[0].u.i;
	CelValue   *items;

	if (n < 0)
		return cel_error(ctx->arena, "lists.range: size must be non-negative, got %lld",
						 (long long) n);
	if ((ctx->max_list_items && (uint64_t) n > ctx->max_list_items) ||
		(uint64_t) n > SIZE_MAX / sizeof(CelValue) / 2)
		return cel_limit_error(ctx, CEL_LIMIT_LIST_ITEMS,
							   "list exceeds the size limit of %zu items", ctx->max_list_items);
	items = (CelValue *) arena_alloc(ctx->arena, ((size_t) n + 1) * sizeof(CelValue));
	if (items == NULL)
		return oom(ctx);
	for (int64_t i = 0; i < n; i++)
		items[i] = cel_int(i);
	return cel_list_from(ctx->arena, items, (size_t) n);
}

/* list.reverse() */
static CelValue
list_reverse(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *l = args[0].u.list;
	CelValue   *items = (CelValue *) arena_alloc(ctx->arena,
												 (l->len + 1) * sizeof(CelValue));

	if (items == NULL)
		return oom(ctx);
	for (size_t i = 0; i < l->len; i++)
		items[i] = l->items[l->len - 1 - i];
	return make_list(ctx, items, l->len);
}

/* list.distinct(): first occurrences under CEL equality, in order. */
static CelValue
list_distinct(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *l = args[0].u.list;
	CelValue   *items;
	size_t		n = 0;

	if (l->len == 0)
		return args[0];
	items = (CelValue *) arena_alloc(ctx->arena, l->len * sizeof(CelValue));
	if (items == NULL)
		return oom(ctx);
	for (size_t i = 0; i < l->len; i++)
	{
		bool		seen = false;

		for (size_t j = 0; j < n && !seen; j++)
			seen = cel_equal_bool(l->items[i], items[j]);
		if (!seen)
			items[n++] = l->items[i];
	}
	return cel_list_from(ctx->arena, items, n);
}

/* list.first(): optional of the first element, none when empty. */
static CelValue
list_first(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *l = args[0].u.list;

	if (l->len == 0)
		return cel_optional_none();
	return cel_optional_of(ctx->arena, l->items[0]);
}

/* list.last(): optional of the last element, none when empty. */
static CelValue
list_last(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *l = args[0].u.list;

	if (l->len == 0)
		return cel_optional_none();
	return cel_optional_of(ctx->arena, l->items[l->len - 1]);
}

#define SORT_ROWS(t, tn) \
	{"list_" tn "_sort", "list(" t ").sort() -> list(" t ")", list_sort, 0}, \
	{"list_" tn "_sortByAssociatedKeys", \
	 "list(T).@sortByAssociatedKeys(list(" t ")) -> list(T)", list_sort_by_keys, 0}

static const CelOverload list_overloads[] = {
	{"list_slice", "list(T).slice(int, int) -> list(T)", list_slice, 0},
	{"list_flatten", "list(list(T)).flatten() -> list(T)", list_flatten, 0},
	{"list_flatten_int", "list(dyn).flatten(int) -> list(dyn)", list_flatten_depth, 0},
	SORT_ROWS("int", "int"),
	SORT_ROWS("uint", "uint"),
	SORT_ROWS("double", "double"),
	SORT_ROWS("bool", "bool"),
	SORT_ROWS("google.protobuf.Duration", "google.protobuf.Duration"),
	SORT_ROWS("google.protobuf.Timestamp", "google.protobuf.Timestamp"),
	SORT_ROWS("string", "string"),
	SORT_ROWS("bytes", "bytes"),
	{"lists_range", "lists.range(int) -> list(int)", lists_range, 0},
	{"list_reverse", "list(T).reverse() -> list(T)", list_reverse, 0},
	{"list_distinct", "list(T).distinct() -> list(T)", list_distinct, 0},
	{"list_first", "list(T).first() -> optional_type(T)", list_first, 0},
	{"list_last", "list(T).last() -> optional_type(T)", list_last, 0},
};

const CelLibrary cel_lib_lists = {
	"lists", list_overloads,
	(int) (sizeof(list_overloads) / sizeof(list_overloads[0]))
};
