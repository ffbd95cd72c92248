/*
 * sets.c — cel-go's ext.Sets library: sets.contains, sets.equivalent and
 * sets.intersects over lists treated as sets.
 *
 * Membership uses CEL equality (cel_equal_bool), so 1, 1u and 1.0 are the
 * same element and lists and maps compare deeply, as in cel-go.  The
 * quadratic scan is what cel-go does too; inputs are bounded by the
 * evaluation's list limits.
 */
#include "cel_func.h"

/* Whether v equals some element of list. */
static bool
list_has(const CelList *list, CelValue v)
{
	for (size_t i = 0; i < list->len; i++)
		if (cel_equal_bool(list->items[i], v))
			return true;
	return false;
}

/* Whether every element of sub is in list. */
static bool
list_contains_all(const CelList *list, const CelList *sub)
{
	for (size_t i = 0; i < sub->len; i++)
		if (!list_has(list, sub->items[i]))
			return false;
	return true;
}

/* sets.contains(list, list): the second list is a subset of the first. */
static CelValue
sets_contains(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(list_contains_all(args[0].u.list, args[1].u.list));
}

/* sets.equivalent(list, list): both lists hold the same elements. */
static CelValue
sets_equivalent(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(list_contains_all(args[0].u.list, args[1].u.list) &&
					list_contains_all(args[1].u.list, args[0].u.list));
}

/* sets.intersects(list, list): the lists share an element. */
static CelValue
sets_intersects(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *a = args[0].u.list;

	for (size_t i = 0; i < a->len; i++)
		if (list_has(args[1].u.list, a->items[i]))
			return cel_bool(true);
	return cel_bool(false);
}

static const CelOverload set_overloads[] = {
	{"list_sets_contains_list", "sets.contains(list(A), list(A)) -> bool",
	sets_contains, 0},
	{"list_sets_equivalent_list", "sets.equivalent(list(A), list(A)) -> bool",
	sets_equivalent, 0},
	{"list_sets_intersects_list", "sets.intersects(list(A), list(A)) -> bool",
	sets_intersects, 0},
};

const CelLibrary cel_lib_sets = {
	"sets", set_overloads,
	(int) (sizeof(set_overloads) / sizeof(set_overloads[0]))
};
