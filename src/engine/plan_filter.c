/*
 * plan_filter.c — building Cerbos' filter trees, folding the constants
 * true and false out of and/or/not as Cerbos does, and printing a tree as
 * the s-expression Cerbos reports in meta.filterDebug.
 */
#include "plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {"value": v} (takes v). */
json_t *
pf_value(json_t *v)
{
	json_t	   *o = json_object();

	json_object_set_new(o, "value", v ? v : json_null());
	return o;
}

/* The constant true or false. */
json_t *
pf_bool(bool b)
{
	return pf_value(json_boolean(b));
}

/* {"variable": name}. */
json_t *
pf_var(const char *name)
{
	json_t	   *o = json_object();

	json_object_set_new(o, "variable", json_string(name));
	return o;
}

/* {"expression": {"operator": op, "operands": [...]}} (takes operands). */
json_t *
pf_expr(const char *op, json_t **operands, int n)
{
	json_t	   *e = json_object();
	json_t	   *inner = json_object();
	json_t	   *arr = json_array();
	int			i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, operands[i] ? operands[i] : pf_value(json_null()));
	json_object_set_new(inner, "operator", json_string(op));
	json_object_set_new(inner, "operands", arr);
	json_object_set_new(e, "expression", inner);
	return e;
}

/* A unary expression. */
json_t *
pf_expr1(const char *op, json_t *a)
{
	return pf_expr(op, &a, 1);
}

/* A binary expression. */
json_t *
pf_expr2(const char *op, json_t *a, json_t *b)
{
	json_t	   *ops[2] = {a, b};

	return pf_expr(op, ops, 2);
}

/* Is the tree the constant true or false? */
bool
pf_is_bool(const json_t *f, bool *b)
{
	json_t	   *v;

	if (f == NULL || !json_is_object(f) || json_object_size(f) != 1)
		return false;
	v = json_object_get(f, "value");
	if (v == NULL || !json_is_boolean(v))
		return false;
	*b = json_is_true(v);
	return true;
}

/* The operator of an expression tree, or NULL. */
static const char *
op_of(const json_t *f)
{
	return json_string_value(json_object_get(json_object_get(f, "expression"), "operator"));
}

/* Operand i of an expression tree (borrowed). */
static json_t *
operand(const json_t *f, size_t i)
{
	return json_array_get(json_object_get(json_object_get(f, "expression"), "operands"), i);
}

/* Number of operands of an expression tree. */
static size_t
noperands(const json_t *f)
{
	return json_array_size(json_object_get(json_object_get(f, "expression"), "operands"));
}

/* Trees equal, numbers compared by value (42 and 42.0 are one number). */
static bool
same_tree(const json_t *a, const json_t *b, int depth)
{
	if (a == NULL || b == NULL || depth > 200)
		return a == b;
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_object(a))
	{
		const char *k;
		json_t	   *v;

		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *) a, k, v)
			if (!same_tree(v, json_object_get(b, k), depth + 1))
			return false;
		return true;
	}
	if (json_is_array(a))
	{
		size_t		i;

		if (json_array_size(a) != json_array_size(b))
			return false;
		for (i = 0; i < json_array_size(a); i++)
			if (!same_tree(json_array_get(a, i), json_array_get(b, i), depth + 1))
				return false;
		return true;
	}
	return json_equal((json_t *) a, (json_t *) b);
}

/* Is x one of the operands of the and-expression f? */
static bool
and_contains(const json_t *f, const json_t *x)
{
	size_t		i;

	if (op_of(f) == NULL || strcmp(op_of(f), "and") != 0)
		return false;
	for (i = 0; i < noperands(f); i++)
		if (same_tree(operand(f, i), x, 0))
			return true;
	return false;
}

/*
 * op(a, b) where a may be a long left-leaning chain of op (an unrolled
 * comprehension): past a few levels b joins a's operands instead of
 * nesting again, so trees stay shallow enough for every recursive reader.
 */
static json_t *
join_chain(const char *op, json_t *a, json_t *b)
{
	const json_t *f = a;
	int			depth = 0;

	while (depth < 16 && op_of(f) && strcmp(op_of(f), op) == 0 && noperands(f) > 0)
	{
		f = operand(f, 0);
		depth++;
	}
	if (depth >= 16)
	{
		json_t	   *own = a->refcount == 1 ? a : json_deep_copy(a);

		if (own != a)
			json_decref(a);
		json_array_append_new(json_object_get(json_object_get(own, "expression"), "operands"), b);
		return own;
	}
	return pf_expr2(op, a, b);
}

/* a AND b, folding constants and a repeated operand. */
json_t *
pf_and(json_t *a, json_t *b)
{
	bool		x;

	if (pf_is_bool(a, &x))
	{
		if (!x)
			return (json_decref(b), a);
		return (json_decref(a), b);
	}
	if (pf_is_bool(b, &x))
	{
		if (!x)
			return (json_decref(a), b);
		return (json_decref(b), a);
	}
	if (same_tree(a, b, 0))
		return (json_decref(b), a);
	return join_chain("and", a, b);
}

/* a OR b, folding constants. */
json_t *
pf_or(json_t *a, json_t *b)
{
	bool		x;

	if (pf_is_bool(a, &x))
	{
		if (x)
			return (json_decref(b), a);
		return (json_decref(a), b);
	}
	if (pf_is_bool(b, &x))
	{
		if (x)
			return (json_decref(a), b);
		return (json_decref(b), a);
	}
	if (same_tree(a, b, 0) || and_contains(b, a))
		return (json_decref(b), a);
	if (and_contains(a, b))
		return (json_decref(a), b);
	/* (X and Y) or (X and Z) is X and (Y or Z), as Cerbos factors it */
	if (op_of(a) && op_of(b) && strcmp(op_of(a), "and") == 0 && strcmp(op_of(b), "and") == 0 &&
		noperands(a) == 2 && noperands(b) == 2 && same_tree(operand(a, 0), operand(b, 0), 0))
	{
		json_t	   *x0 = json_incref(operand(a, 0));
		json_t	   *y = json_incref(operand(a, 1));
		json_t	   *z = json_incref(operand(b, 1));

		json_decref(a);
		json_decref(b);
		return pf_and(x0, pf_or(y, z));
	}
	return join_chain("or", a, b);
}

/* NOT a, folding constants. */
json_t *
pf_not(json_t *a)
{
	bool		x;

	if (pf_is_bool(a, &x))
		return (json_decref(a), pf_bool(!x));
	if (op_of(a) && strcmp(op_of(a), "not") == 0 && noperands(a) == 1)
	{
		json_t	   *inner = json_incref(operand(a, 0));

		json_decref(a);
		return inner;
	}
	return pf_expr1("not", a);
}

/*
 * The n-ary and/or Cerbos writes for a condition's all/any list: the
 * operands that are not constants (takes them); NULL entries are skipped.
 */
json_t *
pf_nary(const char *op, json_t **fs, int n)
{
	bool		is_and = strcmp(op, "and") == 0;
	json_t	   *keep[64];
	int			k = 0,
				i;
	bool		x;

	for (i = 0; i < n; i++)
	{
		if (pf_is_bool(fs[i], &x))
		{
			if (x != is_and)
			{
				int			j;

				for (j = 0; j < k; j++)
					json_decref(keep[j]);
				for (j = i + 1; j < n; j++)
					json_decref(fs[j]);
				return fs[i];
			}
			json_decref(fs[i]);
			continue;
		}
		{
			int			j;

			for (j = 0; j < k && !same_tree(keep[j], fs[i], 0); j++)
				;
			if (j < k)
			{
				json_decref(fs[i]);
				continue;
			}
		}
		if (k < 64)
			keep[k++] = fs[i];
		else
			keep[k - 1] = is_and ? pf_and(keep[k - 1], fs[i]) : pf_or(keep[k - 1], fs[i]);
	}
	if (k == 0)
		return pf_bool(is_and);
	if (k == 1)
		return keep[0];
	return pf_expr(op, keep, k);
}

/* The placeholder for a CEL error next to an unknown (see pf_resolve_errors). */
json_t *
pf_error(void)
{
	return pf_expr(PLAN_ERROR_OP, NULL, 0);
}

/* Number of error placeholders in f. */
static int
count_errors(const json_t *f, int depth)
{
	const char *op = op_of(f);
	size_t		i;
	int			n = 0;

	if (op == NULL || depth > 5000)
		return 0;
	if (strcmp(op, PLAN_ERROR_OP) == 0)
		return 1;
	for (i = 0; i < noperands(f); i++)
		n += count_errors(operand(f, i), depth + 1);
	return n;
}

/* A copy of f with the placeholders set to the bits of mask, in order, folded. */
static json_t *
substitute(const json_t *f, unsigned mask, int *next, int depth)
{
	const char *op = op_of(f);
	size_t		i,
				n;
	json_t	   *acc;

	if (op == NULL)
		return json_deep_copy(f);
	if (strcmp(op, PLAN_ERROR_OP) == 0)
		return pf_bool(((mask >> (*next)++) & 1) != 0);
	n = noperands(f);
	if (depth > 5000)
		return json_deep_copy(f);
	if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0)
	{
		bool		is_and = op[0] == 'a';

		acc = pf_bool(is_and);
		for (i = 0; i < n; i++)
		{
			json_t	   *o = substitute(operand(f, i), mask, next, depth + 1);

			acc = is_and ? pf_and(acc, o) : pf_or(acc, o);
		}
		return acc;
	}
	if (strcmp(op, "not") == 0 && n == 1)
		return pf_not(substitute(operand(f, 0), mask, next, depth + 1));
	{
		json_t	  **ops = malloc(sizeof(json_t *) * (n + 1));

		if (ops == NULL)
			return pf_bool(false);
		for (i = 0; i < n; i++)
			ops[i] = substitute(operand(f, i), mask, next, depth + 1);
		acc = pf_expr(op, ops, (int) n);
		free(ops);
		return acc;
	}
}

/*
 * A condition's formula with its error placeholders resolved (takes f).
 * Where a CEL error met an unknown (error && x, !(error || x), ...), the
 * condition is true only where it would be true whatever each error
 * occurrence were, true or false: Kleene's logic, which CEL's and/or/not
 * follow, and the check engine's "an error makes the condition false".
 * So the answer is the AND of the formula over every assignment.
 */
json_t *
pf_resolve_errors(json_t *f)
{
	int			k = count_errors(f, 0);
	unsigned	mask;
	json_t	   *acc;

	if (k == 0)
		return f;
	if (k > 10)
	{
		/* too many to enumerate: false, as if every error were reached */
		json_decref(f);
		return pf_bool(false);
	}
	acc = pf_bool(true);
	for (mask = 0; mask < (1u << k); mask++)
	{
		int			next = 0;
		bool		b;

		acc = pf_and(acc, substitute(f, mask, &next, 0));
		if (pf_is_bool(acc, &b) && !b)
			break;
	}
	json_decref(f);
	return acc;
}

/* A condition's residual, marked as an error-is-false boundary when asked. */
json_t *
pf_mark(json_t *a, bool marks)
{
	bool		x;

	if (!marks || pf_is_bool(a, &x))
		return a;
	return pf_expr1(PLAN_CONDITION_MARK, a);
}

typedef struct DebugBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	Arena	   *arena;
} DebugBuf;

/* Appends n bytes. */
static void
db_add(DebugBuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = (b->cap ? b->cap * 2 : 128) + n;
		char	   *d = arena_realloc(b->arena, b->data, b->cap, cap);

		if (d == NULL)
			return;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Appends a JSON value compactly, reals in their shortest round-trip form. */
static void
db_json(DebugBuf *b, const json_t *v, int depth)
{
	char		num[64];
	size_t		i;

	if (depth > 100)
		return;
	if (json_is_real(v))
	{
		double		d = json_real_value(v);
		int			prec;

		for (prec = 1; prec <= 17; prec++)
		{
			snprintf(num, sizeof(num), "%.*g", prec, d);
			if (strtod(num, NULL) == d)
				break;
		}
		db_add(b, num, strlen(num));
	}
	else if (json_is_array(v))
	{
		db_add(b, "[", 1);
		for (i = 0; i < json_array_size(v); i++)
		{
			if (i > 0)
				db_add(b, ",", 1);
			db_json(b, json_array_get(v, i), depth + 1);
		}
		db_add(b, "]", 1);
	}
	else if (json_is_object(v))
	{
		const char *k;
		json_t	   *x;
		bool		first = true;

		db_add(b, "{", 1);
		json_object_foreach((json_t *) v, k, x)
		{
			json_t	   *key = json_string(k);
			char	   *ks = json_dumps(key, JSON_ENCODE_ANY);

			if (!first)
				db_add(b, ",", 1);
			first = false;
			if (ks)
			{
				db_add(b, ks, strlen(ks));
				free(ks);
			}
			json_decref(key);
			db_add(b, ":", 1);
			db_json(b, x, depth + 1);
		}
		db_add(b, "}", 1);
	}
	else
	{
		char	   *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		if (s)
		{
			db_add(b, s, strlen(s));
			free(s);
		}
	}
}

/* Appends the s-expression of one tree node. */
static void
db_node(DebugBuf *b, const json_t *f, int depth)
{
	json_t	   *e,
			   *v;

	if (depth > 200)
		return;
	if ((e = json_object_get(f, "expression")) != NULL)
	{
		const char *op = json_string_value(json_object_get(e, "operator"));
		json_t	   *ops = json_object_get(e, "operands");
		size_t		i;

		db_add(b, "(", 1);
		db_add(b, op ? op : "", op ? strlen(op) : 0);
		for (i = 0; i < json_array_size(ops); i++)
		{
			db_add(b, " ", 1);
			db_node(b, json_array_get(ops, i), depth + 1);
		}
		db_add(b, ")", 1);
	}
	else if ((v = json_object_get(f, "variable")) != NULL)
	{
		const char *s = json_string_value(v);

		db_add(b, s ? s : "", s ? strlen(s) : 0);
	}
	else if ((v = json_object_get(f, "value")) != NULL)
		db_json(b, v, 0);
}

/* Cerbos' filterDebug for a condition. */
char *
engine_plan_debug(Arena *arena, const json_t *condition)
{
	DebugBuf	b = {NULL, 0, 0, arena};
	bool		x;

	if (condition == NULL)
		return "(false)";
	if (pf_is_bool(condition, &x))
		return x ? "(true)" : "(false)";
	db_node(&b, condition, 0);
	return b.data ? b.data : "";
}
