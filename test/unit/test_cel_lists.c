/*
 * test_cel_lists.c — ext.Lists (lists.c) and ext.Sets (sets.c) through
 * their overload tables, with results and messages from the Cerbos 0.55
 * REPL.
 */
#include "cel_libtest.h"

#define LC(id, n, ...) lt_call(&cel_lib_lists, id, n, __VA_ARGS__)
#define SC(id, n, ...) lt_call(&cel_lib_sets, id, n, __VA_ARGS__)

/* Renders a list of ints/strings as "1,2,3" for compact checks. */
static const char *
show(CelValue v)
{
	char	   *out = arena_strdup(lt_arena, "");

	if (v.kind == CEL_VAL_ERROR)
		return v.u.err->message;
	if (v.kind != CEL_VAL_LIST)
		return "<not a list>";
	for (size_t i = 0; i < v.u.list->len; i++)
	{
		CelValue	e = v.u.list->items[i];
		const char *t = e.kind == CEL_VAL_INT ? arena_printf(lt_arena, "%lld", (long long) e.u.i)
			: e.kind == CEL_VAL_UINT ? arena_printf(lt_arena, "%lluu", (unsigned long long) e.u.u)
			: e.kind == CEL_VAL_DOUBLE ? arena_printf(lt_arena, "%g", e.u.d)
			: e.kind == CEL_VAL_LIST ? arena_printf(lt_arena, "[%s]", show(e))
			: e.kind == CEL_VAL_BOOL ? (e.u.b ? "true" : "false")
			: lt_str(e);

		out = arena_printf(lt_arena, "%s%s%s", out, i ? "," : "", t);
	}
	return out;
}

static void
test_lists(void)
{
	CelValue	l1234 = L(4, cel_int(1), cel_int(2), cel_int(3), cel_int(4));
	CelValue	l12 = L(2, cel_int(1), cel_int(2));

	CHECK_STR(show(LC("list_slice", 3, l1234, cel_int(1), cel_int(3))), "2,3");
	CHECK_STR(show(LC("list_slice", 3, l12, cel_int(1), cel_int(1))), "");
	CHECK_STR(show(LC("list_slice", 3, l12, cel_int(2), cel_int(1))),
			  "cannot slice(2, 1), start index must be less than or equal to end index");
	CHECK_STR(show(LC("list_slice", 3, l12, cel_int(-1), cel_int(1))),
			  "cannot slice(-1, 1), negative indexes not supported");
	CHECK_STR(show(LC("list_slice", 3, l12, cel_int(0), cel_int(3))),
			  "cannot slice(0, 3), list is length 2");

	{
		CelValue	nested = L(2, cel_int(1), L(2, cel_int(2), L(1, cel_int(3))));

		CHECK_STR(show(LC("list_flatten", 1, nested)), "1,2,[3]");
		CHECK_STR(show(LC("list_flatten_int", 2, nested, cel_int(2))), "1,2,3");
		CHECK_STR(show(LC("list_flatten_int", 2, nested, cel_int(0))), "1,[2,[3]]");
		CHECK_STR(show(LC("list_flatten_int", 2, L(1, cel_int(1)), cel_int(-1))), "level must be non-negative");
	}
	CHECK_STR(show(LC("list_distinct", 1, L(7, cel_int(1), cel_double(1.0), cel_uint(1), S("a"), S("a"),
										   L(1, cel_int(1)), L(1, cel_double(1.0))))), "1,a,[1]");
	CHECK_STR(show(LC("list_reverse", 1, L(3, cel_int(3), cel_int(1), cel_int(2)))), "2,1,3");
	CHECK_STR(show(LC("list_string_sort", 1, L(3, S("b"), S("a"), S("ab")))), "a,ab,b");
	CHECK_STR(show(LC("list_int_sort", 1, L(4, cel_int(3), cel_int(-1), cel_int(2), cel_int(-1)))), "-1,-1,2,3");
	CHECK_STR(show(LC("list_bool_sort", 1, L(2, cel_bool(true), cel_bool(false)))), "false,true");
	CHECK_STR(show(LC("list_int_sort", 1, L(2, cel_int(1), S("a")))), "list elements must have the same type");
	CHECK_STR(show(LC("list_int_sort", 1, L(3, cel_int(1), cel_double(2.5), cel_uint(0)))),
			  "list elements must have the same type");
	CHECK_STR(show(LC("list_int_sort", 1, L(1, L(1, cel_int(1))))), "list elements must be comparable");
	CHECK_STR(show(LC("list_int_sortByAssociatedKeys", 2, L(3, S("foo"), S("bar"), S("baz")),
					  L(3, cel_int(3), cel_int(1), cel_int(2)))), "bar,baz,foo");
	/* equal keys keep their order */
	CHECK_STR(show(LC("list_int_sortByAssociatedKeys", 2, L(3, S("x"), S("y"), S("z")),
					  L(3, cel_int(1), cel_int(0), cel_int(1)))), "y,x,z");
	/* more than twelve elements with equal keys: Go's pdqsort order, as Cerbos */
	{
		CelValue	items[20];
		CelValue	keys[20];
		CelList		il = {20, items};
		CelList		kl = {20, keys};

		for (int i = 0; i < 20; i++)
		{
			items[i] = cel_int(i);
			keys[i] = cel_int(i % 3);
		}
		CHECK_STR(show(LC("list_int_sortByAssociatedKeys", 2, cel_list(&il), cel_list(&kl))),
				  "9,18,15,3,12,0,6,10,7,4,13,16,1,19,8,5,11,14,2,17");
	}
	CHECK_STR(show(LC("list_int_sortByAssociatedKeys", 2, L(1, S("x")), L(2, cel_int(1), cel_int(2)))),
			  "@sortByAssociatedKeys() expected a list of the same size as the associated keys list, but got 1 and 2 elements respectively");
	CHECK_STR(show(LC("lists_range", 1, cel_int(3))), "0,1,2");
	CHECK_STR(show(LC("lists_range", 1, cel_int(0))), "");
	CHECK_STR(show(LC("lists_range", 1, cel_int(-1))), "lists.range: size must be non-negative, got -1");
	{
		CelValue	v = LC("list_first", 1, L(2, cel_int(1), cel_int(2)));

		CHECK(v.kind == CEL_VAL_OPTIONAL && v.u.opt && v.u.opt->u.i == 1);
		v = LC("list_last", 1, L(2, cel_int(1), cel_int(2)));
		CHECK(v.kind == CEL_VAL_OPTIONAL && v.u.opt && v.u.opt->u.i == 2);
		v = LC("list_first", 1, L(0));
		CHECK(v.kind == CEL_VAL_OPTIONAL && v.u.opt == NULL);
		v = LC("list_last", 1, L(0));
		CHECK(v.kind == CEL_VAL_OPTIONAL && v.u.opt == NULL);
	}
	lt_ctx.max_list_items = 100;
	CHECK_STR(show(LC("lists_range", 1, cel_int(1000000000000LL))), "list exceeds the size limit of 100 items");
	lt_ctx.max_list_items = 0;
}

static void
test_sets(void)
{
	CHECK_BOOL(SC("list_sets_contains_list", 2, L(0), L(0)), true);
	CHECK_BOOL(SC("list_sets_contains_list", 2, L(2, cel_int(1), cel_int(2)), L(1, cel_double(2.0))), true);
	CHECK_BOOL(SC("list_sets_contains_list", 2, L(1, cel_int(1)), L(2, cel_int(1), cel_int(3))), false);
	CHECK_BOOL(SC("list_sets_equivalent_list", 2, L(2, cel_int(1), cel_int(1)), L(1, cel_uint(1))), true);
	CHECK_BOOL(SC("list_sets_equivalent_list", 2, L(2, cel_int(1), cel_int(2)), L(1, cel_int(1))), false);
	CHECK_BOOL(SC("list_sets_intersects_list", 2, L(1, L(1, cel_int(1))), L(1, L(1, cel_double(1.0)))), true);
	CHECK_BOOL(SC("list_sets_intersects_list", 2, L(1, S("a")), L(1, S("b"))), false);
	CHECK_BOOL(SC("list_sets_intersects_list", 2, L(0), L(1, S("b"))), false);
}

int
main(void)
{
	lt_init();
	test_lists();
	test_sets();
	UNIT_DONE("test_cel_lists");
}
