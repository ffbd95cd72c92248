/*
 * eval.c — the tree-walking evaluator for checked (or unchecked) CelAsts.
 *
 * Evaluation is a recursive walk over the flat AST.  Everything CEL treats
 * specially is handled here rather than in a library, because it needs to
 * see unevaluated operands or error arguments:
 *   - _&&_ and _||_ short-circuit and absorb errors commutatively (false
 *     wins for &&, true for ||, whichever side it is on); _?_:_ evaluates one
 *     branch; @not_strictly_false turns errors into true for macros;
 *   - optional chaining: a.?b, a[?b], and any select or index applied to an
 *     optional value (none stays none; a missing key gives none);
 *     or/orValue on optionals short-circuit as cel-go's planner makes them;
 *   - identifiers: comprehension variables shadow the activation; a name
 *     that is not bound but names a type (int, list, net.IP) is that type
 *     as a value.  On an unchecked AST a chain a.b.c whose root is not a
 *     local is resolved as cel-go resolves qualified names, longest bound
 *     name first ("a.b.c", then "a.b" with field c, then "a"), and
 *     namespaced functions written as member calls (math.greatest(...))
 *     become global calls; the checker does both rewrites itself;
 *   - comprehensions, with the iteration budget and cancellation polling;
 *     an accumulator that starts as [] is appended to in place, as cel-go's
 *     mutable list, so map/filter stay linear;
 *   - == / != and ! directly (the hottest operators in conditions).
 * Every other call goes through the registry: the checker's resolved
 * overload when it recorded one and the arguments fit it, else dynamic
 * dispatch on the runtime kinds.  Runtime errors are worded as Cerbos 0.55
 * (cel-go v0.30) words them; test/diff/cel_eval_diff.py checks that.
 *
 * Recursion depth is bounded independently of the parser's limit so a
 * hand-built AST cannot exhaust the C stack.
 */
#include "cel.h"
#include "cel_registry.h"
#include "cel_std.h"

#include <string.h>

#define EVAL_MAX_DEPTH 1000
#define EVAL_MAX_LOCALS 64		/* live comprehension variables (nesting) */
#define EVAL_MAX_CHAIN 32
#define EVAL_INLINE_ARGS 8

typedef struct EvalLocal
{
	const char *name;
	CelValue	value;
	CelList    *owned;			/* accumulator list built in place, or NULL */
	size_t		capacity;		/* allocated items of owned */
} EvalLocal;

typedef struct EvalState
{
	CelEvalContext *ctx;
	const CelAst *ast;
	const CelActivation *act;
	const CelRegistry *reg;
	EvalLocal	locals[EVAL_MAX_LOCALS];
	int			nlocals;
	int			depth;
} EvalState;

static CelValue eval_node(EvalState *st, CelNodeRef ref);
static bool same_key(CelValue a, CelValue b);

/* ---------- variables ---------- */

/* Innermost comprehension variable with this name, or NULL. */
static EvalLocal *
find_local(EvalState *st, const char *name)
{
	for (int i = st->nlocals - 1; i >= 0; i--)
		if (st->locals[i].name == name || strcmp(st->locals[i].name, name) == 0)
			return &st->locals[i];
	return NULL;
}

/* Looks a global (non-local) name up in the activation. */
static bool
lookup_global(EvalState *st, const char *name, CelValue *out)
{
	if (st->act == NULL || st->act->resolve == NULL)
		return false;
	return st->act->resolve(st->act->state, name, out);
}

/* A standard or library-defined type a name denotes, or NULL. */
static const CelType *
type_named(EvalState *st, const char *name)
{
	const CelType *t = cel_type_named(name);

	return t != NULL ? t : cel_registry_find_type(st->reg, name);
}

/* Value of a plain identifier: local, activation, then type name. */
static CelValue
eval_ident(EvalState *st, const char *name)
{
	EvalLocal  *l = find_local(st, name);
	CelValue	v;
	const CelType *t;

	if (l != NULL)
		return l->value;
	if (lookup_global(st, name, &v))
		return v;
	if ((t = type_named(st, name)) != NULL)
		return cel_type_value(t);
	return cel_error(st->ctx->arena, "no such attribute(s): %s", name);
}

/* ---------- selection and indexing ---------- */

/* Field selection on a value; in optional mode a missing field is none. */
static CelValue
select_field(EvalState *st, CelValue obj, const char *field, bool optional)
{
	CelValue	key = cel_string(field, strlen(field));
	CelValue	out;

	if (cel_is_error_or_unknown(obj))
		return obj;
	if (obj.kind == CEL_VAL_OPTIONAL)
	{
		if (obj.u.opt == NULL)
			return obj;
		return select_field(st, *obj.u.opt, field, true);
	}
	if (obj.kind == CEL_VAL_MAP)
	{
		if (cel_map_get(obj.u.map, key, &out))
			return optional ? cel_optional_of(st->ctx->arena, out) : out;
		if (optional)
			return cel_optional_none();
		if (obj.u.map->msg_type != NULL)
			return cel_null();
		return cel_error_no_such_key(st->ctx->arena, key);
	}
	/* cel-go qualifies lists by index and everything else by key */
	if (obj.kind == CEL_VAL_LIST)
		return cel_error(st->ctx->arena, "unsupported index type 'string' in list");
	if (optional)
		return cel_optional_none();
	return cel_error_no_such_key(st->ctx->arena, key);
}

/* A list index as an int64: ints, uints and integral doubles count. */
static bool
list_index(CelValue k, int64_t *out)
{
	switch (k.kind)
	{
		case CEL_VAL_INT:
			*out = k.u.i;
			return true;
		case CEL_VAL_UINT:
			if (k.u.u > (uint64_t) INT64_MAX)
				*out = -1;
			else
				*out = (int64_t) k.u.u;
			return true;
		case CEL_VAL_DOUBLE:
			if (k.u.d != k.u.d || k.u.d < -9.2e18 || k.u.d > 9.2e18 ||
				(double) (int64_t) k.u.d != k.u.d)
				return false;
			*out = (int64_t) k.u.d;
			return true;
		default:
			return false;
	}
}

/*
 * Map lookup in the order cel-go's Go-map-backed literals answer it when
 * keys of different numeric kinds coexist ({0: 1, 0u: 2}): an entry of
 * the key's own kind first, then for a double key the int entry before the
 * uint one; otherwise CEL's numeric key equality (cel_map_get).
 */
static bool
map_lookup(const CelMap *map, CelValue key, CelValue *out)
{
	if (map->index == NULL && map->len <= 64 &&
		(key.kind == CEL_VAL_INT || key.kind == CEL_VAL_UINT || key.kind == CEL_VAL_DOUBLE))
	{
		for (size_t i = map->len; i-- > 0;)
			if (same_key(map->keys[i], key))
			{
				*out = map->values[i];
				return true;
			}
		if (key.kind == CEL_VAL_DOUBLE && key.u.d >= -9.2e18 && key.u.d <= 9.2e18 &&
			(double) (int64_t) key.u.d == key.u.d)
		{
			CelValue	ik = cel_int((int64_t) key.u.d);

			for (size_t i = map->len; i-- > 0;)
				if (same_key(map->keys[i], ik))
				{
					*out = map->values[i];
					return true;
				}
		}
	}
	return cel_map_get(map, key, out);
}

/* "no such key: k" with a double key printed as Go's %v (1e+21, 10). */
static CelValue
no_such_key(Arena *arena, CelValue key)
{
	if (key.kind == CEL_VAL_DOUBLE)
	{
		char		buf[40];

		cel_format_double(key.u.d, buf, sizeof(buf));
		return cel_error(arena, "no such key: %s", buf);
	}
	return cel_error_no_such_key(arena, key);
}

/* The Go type cel-go prints for a value that cannot be a qualifier. */
static const char *
go_qualifier_type(CelValue key)
{
	switch (key.kind)
	{
		case CEL_VAL_NULL:
			return "types.Null";
		case CEL_VAL_BYTES:
			return "types.Bytes";
		case CEL_VAL_LIST:
			return "*types.baseList";
		case CEL_VAL_MAP:
			return "*types.baseMap";
		case CEL_VAL_TIMESTAMP:
			return "types.Timestamp";
		case CEL_VAL_DURATION:
			return "types.Duration";
		case CEL_VAL_TYPE:
			return "*types.Type";
		case CEL_VAL_OPTIONAL:
			return "*types.Optional";
		default:
			return "unknown";
	}
}

/*
 * Index into a list or map.  In optional mode a missing key or an index out
 * of range gives none and a found value is wrapped in optional.of.
 */
static CelValue
index_value(EvalState *st, CelValue obj, CelValue key, bool optional)
{
	Arena	   *arena = st->ctx->arena;
	CelValue	out;

	if (cel_is_error_or_unknown(obj))
		return obj;
	if (cel_is_error_or_unknown(key))
		return key;
	if (obj.kind == CEL_VAL_OPTIONAL)
	{
		if (obj.u.opt == NULL)
			return obj;
		return index_value(st, *obj.u.opt, key, true);
	}
	if (obj.kind == CEL_VAL_OPAQUE)
	{
		/* library types with an index overload (Cerbos' hierarchy("a.b")[1]) */
		CelValue	args[2];

		args[0] = obj;
		args[1] = key;
		return cel_registry_call(st->ctx, st->reg, "_[_]", false, args, 2);
	}
	switch (key.kind)
	{
		case CEL_VAL_STRING:
		case CEL_VAL_INT:
		case CEL_VAL_UINT:
		case CEL_VAL_BOOL:
		case CEL_VAL_DOUBLE:
			break;
		default:
			/* cel-go names the Go type of a key it cannot qualify with */
			return cel_error(arena, "invalid qualifier type: %s", go_qualifier_type(key));
	}
	if (obj.kind == CEL_VAL_LIST)
	{
		int64_t		i;

		if (!list_index(key, &i))
		{
			if (key.kind == CEL_VAL_DOUBLE)
			{
				char		buf[40];

				cel_format_double(key.u.d, buf, sizeof(buf));
				return cel_error(arena, "unsupported index value %s in list", buf);
			}
			return cel_error(arena, "unsupported index type '%s' in list",
							 cel_type_name(cel_value_type(key)));
		}
		if (i < 0 || (uint64_t) i >= obj.u.list->len)
		{
			if (optional)
				return cel_optional_none();
			return cel_error(arena, "index out of bounds: %lld", (long long) i);
		}
		out = obj.u.list->items[i];
		return optional ? cel_optional_of(arena, out) : out;
	}
	if (obj.kind == CEL_VAL_MAP)
	{
		switch (key.kind)
		{
			case CEL_VAL_STRING:
			case CEL_VAL_INT:
			case CEL_VAL_UINT:
			case CEL_VAL_BOOL:
			case CEL_VAL_DOUBLE:
				break;
			default:
				return cel_error(arena, "unsupported key type '%s'",
								 cel_type_name(cel_value_type(key)));
		}
		if (map_lookup(obj.u.map, key, &out))
			return optional ? cel_optional_of(arena, out) : out;
		if (optional)
			return cel_optional_none();
		return no_such_key(arena, key);
	}
	if (optional)
		return cel_optional_none();
	/* cel-go qualifies other values by key and finds nothing */
	return no_such_key(arena, key);
}

/*
 * Collects a chain of plain selects ending in an identifier (a.b.c) into
 * parts[] root first; returns the part count, or 0 when the node is not
 * such a chain.
 */
static int
ident_chain(const EvalState *st, CelNodeRef ref, const char **parts, int max)
{
	const CelExpr *e = cel_ast_node(st->ast, ref);
	int			n;

	if (e->kind == CEL_EXPR_IDENT)
	{
		if (max < 1)
			return 0;
		parts[0] = cel_ast_str(st->ast, e->u.ident.name);
		return 1;
	}
	if (e->kind != CEL_EXPR_SELECT ||
		(e->flags & (CEL_EXPR_F_TEST_ONLY | CEL_EXPR_F_OPTIONAL)))
		return 0;
	n = ident_chain(st, e->u.select.operand, parts, max - 1);
	if (n == 0 || n >= max)
		return 0;
	parts[n] = cel_ast_str(st->ast, e->u.select.field);
	return n + 1;
}

/* parts[0..k) joined with dots, in the arena. */
static const char *
join_parts(Arena *arena, const char *const *parts, int k)
{
	size_t		len = 0;
	char	   *buf,
			   *p;

	for (int i = 0; i < k; i++)
		len += strlen(parts[i]) + 1;
	buf = arena_alloc(arena, len + 1);
	if (buf == NULL)
		return NULL;
	p = buf;
	for (int i = 0; i < k; i++)
	{
		size_t		n = strlen(parts[i]);

		if (i > 0)
			*p++ = '.';
		memcpy(p, parts[i], n);
		p += n;
	}
	*p = '\0';
	return buf;
}

/*
 * Resolves a qualified-name chain as cel-go does: the longest prefix that
 * names a bound variable (or a type) wins and the rest are field
 * selections.  Returns false when the chain does not apply (root is a
 * local, or no prefix is bound) so the caller evaluates normally.
 */
static bool
eval_qualified(EvalState *st, const char *const *parts, int n, CelValue *out)
{
	if (n < 2 || find_local(st, parts[0]) != NULL)
		return false;
	for (int k = n; k >= 1; k--)
	{
		const char *name = k == 1 ? parts[0] : join_parts(st->ctx->arena, parts, k);
		CelValue	v;
		const CelType *t;
		bool		found = false;

		if (name == NULL)
			return false;
		if (lookup_global(st, name, &v))
			found = true;
		else if ((t = type_named(st, name)) != NULL)
		{
			v = cel_type_value(t);
			found = true;
		}
		if (found)
		{
			for (int i = k; i < n; i++)
				v = select_field(st, v, parts[i], false);
			*out = v;
			return true;
		}
	}
	return false;
}

/* A select node: plain, optional (a.?b) or presence test (has(a.b)). */
static CelValue
eval_select(EvalState *st, CelNodeRef ref, const CelExpr *e)
{
	const char *field = cel_ast_str(st->ast, e->u.select.field);
	CelValue	obj;

	/* the checker already turned bound qualified names into identifiers */
	if (!(e->flags & (CEL_EXPR_F_TEST_ONLY | CEL_EXPR_F_OPTIONAL)) &&
		st->ast->types == NULL)
	{
		const char *parts[EVAL_MAX_CHAIN];
		int			n = ident_chain(st, ref, parts, EVAL_MAX_CHAIN);
		CelValue	v;

		if (n >= 2 && eval_qualified(st, parts, n, &v))
			return v;
	}

	obj = eval_node(st, e->u.select.operand);
	if (e->flags & CEL_EXPR_F_TEST_ONLY)
	{
		CelValue	key = cel_string(field, strlen(field));
		CelValue	ignored;

		if (cel_is_error_or_unknown(obj))
			return obj;
		if (obj.kind == CEL_VAL_MAP)
			return cel_bool(cel_map_get(obj.u.map, key, &ignored));
		if (obj.kind == CEL_VAL_OPTIONAL)
		{
			if (obj.u.opt == NULL)
				return cel_bool(false);
			obj = *obj.u.opt;
			if (obj.kind == CEL_VAL_MAP)
				return cel_bool(cel_map_get(obj.u.map, key, &ignored));
		}
		/* as cel-go: a list cannot be qualified by a name; scalars lack it */
		if (obj.kind == CEL_VAL_LIST)
			return cel_error(st->ctx->arena, "unsupported index type 'string' in list");
		return cel_bool(false);
	}
	return select_field(st, obj, field, (e->flags & CEL_EXPR_F_OPTIONAL) != 0);
}

/* ---------- calls ---------- */

/*
 * a && b / a || b with CEL's commutative absorption, as cel-go v0.30's
 * evalAnd/evalOr: the absorbing value (false for &&, true for ||) wins from
 * any term; otherwise an unknown; otherwise the first term that is not a
 * bool decides the error (its own error, or "no such overload" for a
 * non-bool value).
 */
static CelValue
eval_logic(EvalState *st, const CelExpr *e, bool is_and)
{
	const int32_t *args = st->ast->args + e->u.call.args;
	CelValue	unknown = {0};
	CelValue	err = {0};
	bool		have_unknown = false,
				have_err = false;

	for (uint32_t i = 0; i < e->u.call.nargs; i++)
	{
		CelValue	v = eval_node(st, args[i]);

		if (v.kind == CEL_VAL_BOOL)
		{
			if (v.u.b != is_and)
				return v;		/* false && _, true || _ */
			continue;
		}
		if (v.kind == CEL_VAL_UNKNOWN)
		{
			if (!have_unknown)
				unknown = v;
			have_unknown = true;
		}
		else if (!have_err)
		{
			err = v.kind == CEL_VAL_ERROR ? v :
				cel_error_no_such_overload(st->ctx->arena, NULL);
			have_err = true;
		}
	}
	if (have_unknown)
		return unknown;
	if (have_err)
		return err;
	return cel_bool(is_and);
}

/* c ? a : b — only the chosen branch is evaluated. */
static CelValue
eval_conditional(EvalState *st, const CelExpr *e)
{
	const int32_t *args = st->ast->args + e->u.call.args;
	CelValue	c;

	if (e->u.call.nargs != 3)
		return cel_error_no_such_overload(st->ctx->arena, "_?_:_");
	c = eval_node(st, args[0]);
	if (c.kind == CEL_VAL_BOOL)
		return eval_node(st, c.u.b ? args[1] : args[2]);
	if (cel_is_error_or_unknown(c))
		return c;
	return cel_error_no_such_overload(st->ctx->arena, NULL);
}

/* Whether a call's target is a namespace for a global function. */
static const char *
namespaced_function(EvalState *st, const CelExpr *e)
{
	const char *parts[EVAL_MAX_CHAIN];
	int			n;
	const char *name;

	/* on a checked AST the checker already made these global calls */
	if (e->u.call.target == CEL_NO_NODE || st->ast->types != NULL)
		return NULL;
	n = ident_chain(st, e->u.call.target, parts, EVAL_MAX_CHAIN - 1);
	if (n == 0 || find_local(st, parts[0]) != NULL)
		return NULL;
	parts[n] = cel_ast_str(st->ast, e->u.call.function);
	name = join_parts(st->ctx->arena, parts, n + 1);
	if (name == NULL || !cel_registry_has_function(st->reg, name))
		return NULL;
	return name;
}

/* Calls through the registry: resolved overload first, else dispatch. */
static CelValue
call_registry(EvalState *st, CelNodeRef ref, const char *function, bool receiver,
			  const CelValue *args, int nargs)
{
	if (st->ast->overload != NULL)
	{
		int32_t		idx = st->ast->overload[ref];
		const CelSignature *sig = cel_registry_get(st->reg, idx);

		if (sig != NULL && strcmp(sig->function, function) == 0 &&
			sig->receiver == receiver && cel_signature_matches(sig, args, nargs))
			return cel_registry_invoke(st->ctx, sig, args, nargs);
	}
	return cel_registry_call(st->ctx, st->reg, function, receiver, args, nargs);
}

/* opt.or(other) / opt.orValue(v): the argument only when opt is none. */
static bool
eval_optional_or(EvalState *st, const CelExpr *e, const char *fn, CelValue *out)
{
	const int32_t *args = st->ast->args + e->u.call.args;
	CelValue	target;
	CelValue	alt;
	bool		is_or;

	if (e->u.call.target == CEL_NO_NODE || e->u.call.nargs != 1 || fn[0] != 'o')
		return false;
	is_or = strcmp(fn, "or") == 0;
	if (!is_or && strcmp(fn, "orValue") != 0)
		return false;
	target = eval_node(st, e->u.call.target);
	if (cel_is_error_or_unknown(target))
	{
		*out = target;
		return true;
	}
	if (target.kind != CEL_VAL_OPTIONAL)
	{
		*out = cel_error_no_such_overload(st->ctx->arena, NULL);
		return true;
	}
	if (target.u.opt != NULL)
	{
		*out = is_or ? target : *target.u.opt;
		return true;
	}
	alt = eval_node(st, args[0]);
	if (is_or && !cel_is_error_or_unknown(alt) && alt.kind != CEL_VAL_OPTIONAL)
		alt = cel_error_no_such_overload(st->ctx->arena, NULL);
	*out = alt;
	return true;
}

/*
 * accu + [x] inside a comprehension that builds a list (map, filter,
 * transformList): append to the accumulator in place instead of copying
 * it every step, as cel-go does with its mutable list.  Returns false when
 * the call is not of that shape; *out is set otherwise.
 */
static bool
eval_append_in_place(EvalState *st, const int32_t *argrefs, CelValue *out)
{
	const CelExpr *lhs = cel_ast_node(st->ast, argrefs[0]);
	EvalLocal  *loc;
	CelValue	r;
	const CelList *add;

	if (lhs->kind != CEL_EXPR_IDENT)
		return false;
	loc = find_local(st, cel_ast_str(st->ast, lhs->u.ident.name));
	if (loc == NULL || loc->owned == NULL || loc->value.kind != CEL_VAL_LIST ||
		loc->value.u.list != loc->owned)
		return false;
	r = eval_node(st, argrefs[1]);
	if (r.kind != CEL_VAL_LIST)
	{
		CelValue	args[2] = {loc->value, r};

		*out = cel_registry_call(st->ctx, st->reg, "_+_", false, args, 2);
		return true;
	}
	add = r.u.list;
	if (add->len == 0)
	{
		*out = loc->value;
		return true;
	}
	if (st->ctx->max_list_items > 0 &&
		loc->owned->len + add->len > st->ctx->max_list_items)
	{
		*out = cel_limit_error(st->ctx, CEL_LIMIT_LIST_ITEMS,
							   "list result exceeds the size limit of %zu items",
							   st->ctx->max_list_items);
		return true;
	}
	if (loc->owned->len + add->len > loc->capacity)
	{
		size_t		cap = loc->capacity ? loc->capacity * 2 : 8;
		CelValue   *items;

		while (cap < loc->owned->len + add->len)
			cap *= 2;
		items = arena_realloc(st->ctx->arena, (void *) loc->owned->items,
							  sizeof(CelValue) * loc->capacity, sizeof(CelValue) * cap);
		if (items == NULL)
		{
			*out = cel_error(st->ctx->arena, "out of memory");
			return true;
		}
		loc->owned->items = items;
		loc->capacity = cap;
	}
	memcpy((CelValue *) loc->owned->items + loc->owned->len, add->items,
		   sizeof(CelValue) * add->len);
	loc->owned->len += add->len;
	*out = loc->value;
	return true;
}

/* A call node: special forms, then registry calls. */
static CelValue
eval_call(EvalState *st, CelNodeRef ref, const CelExpr *e)
{
	const char *fn = cel_ast_str(st->ast, e->u.call.function);
	const int32_t *argrefs = st->ast->args + e->u.call.args;
	uint32_t	nargs = e->u.call.nargs;
	CelValue	inline_args[EVAL_INLINE_ARGS];
	CelValue   *args = inline_args;
	const char *global;
	bool		receiver = false;
	int			n = 0;

	if (e->u.call.target == CEL_NO_NODE && fn[0] == '_')
	{
		/* the second character tells the special operators apart cheaply */
		char		c1 = fn[1];

		if (c1 == '&' && strcmp(fn, "_&&_") == 0)
			return eval_logic(st, e, true);
		if (c1 == '|' && strcmp(fn, "_||_") == 0)
			return eval_logic(st, e, false);
		if (c1 == '?' && strcmp(fn, "_?_:_") == 0)
			return eval_conditional(st, e);
		if (c1 == '?' && strcmp(fn, "_?._") == 0 && nargs == 2)
		{
			const CelExpr *f = cel_ast_node(st->ast, argrefs[1]);
			CelValue	obj = eval_node(st, argrefs[0]);

			if (f->kind != CEL_EXPR_CONST || f->u.constant.kind != CEL_CONST_STRING)
				return cel_error_no_such_overload(st->ctx->arena, fn);
			return select_field(st, obj,
								cel_ast_str(st->ast, f->u.constant.u.str.off), true);
		}
		if (c1 == '[' && (strcmp(fn, "_[?_]") == 0 || strcmp(fn, "_[_]") == 0) && nargs == 2)
		{
			CelValue	obj = eval_node(st, argrefs[0]);
			CelValue	key = eval_node(st, argrefs[1]);

			return index_value(st, obj, key, fn[2] == '?');
		}
		/* equality is hot in conditions: skip dispatch (cel-go's evalEq) */
		if ((c1 == '=' || c1 == '!') && (strcmp(fn, "_==_") == 0 || strcmp(fn, "_!=_") == 0) &&
			nargs == 2)
		{
			CelValue	l = eval_node(st, argrefs[0]);
			CelValue	r = eval_node(st, argrefs[1]);
			CelValue	eq;

			if (cel_is_error_or_unknown(l))
				return l;
			if (cel_is_error_or_unknown(r))
				return r;
			eq = cel_equals(st->ctx->arena, l, r);
			if (fn[1] == '!' && eq.kind == CEL_VAL_BOOL)
				eq.u.b = !eq.u.b;
			return eq;
		}
		if (c1 == '+' && strcmp(fn, "_+_") == 0 && nargs == 2 && st->nlocals > 0)
		{
			CelValue	v;

			if (eval_append_in_place(st, argrefs, &v))
				return v;
		}
	}
	if (e->u.call.target == CEL_NO_NODE && fn[0] == '!' && fn[1] == '_' && fn[2] == '\0' &&
		nargs == 1)
	{
		CelValue	v = eval_node(st, argrefs[0]);

		if (v.kind == CEL_VAL_BOOL)
			return cel_bool(!v.u.b);
		if (cel_is_error_or_unknown(v))
			return v;
		return cel_error_no_such_overload(st->ctx->arena, NULL);
	}
	if (e->u.call.target == CEL_NO_NODE && fn[0] == '@' &&
		strcmp(fn, "@not_strictly_false") == 0 &&
		nargs == 1)
	{
		CelValue	v = eval_node(st, argrefs[0]);

		return cel_bool(!(v.kind == CEL_VAL_BOOL && !v.u.b));
	}
	{
		CelValue	v;

		if (eval_optional_or(st, e, fn, &v))
			return v;
	}

	global = namespaced_function(st, e);
	if (nargs + 1 > EVAL_INLINE_ARGS)
	{
		args = arena_alloc(st->ctx->arena, sizeof(CelValue) * (nargs + 1));
		if (args == NULL)
			return cel_error(st->ctx->arena, "out of memory");
	}
	if (e->u.call.target != CEL_NO_NODE && global == NULL)
	{
		args[n++] = eval_node(st, e->u.call.target);
		receiver = true;
	}
	for (uint32_t i = 0; i < nargs; i++)
		args[n++] = eval_node(st, argrefs[i]);
	return call_registry(st, ref, global ? global : fn, receiver, args, n);
}

/* ---------- aggregates ---------- */

/* Whether element index i of a list/map literal is marked optional. */
static bool
is_optional_entry(const EvalState *st, uint32_t run, uint32_t count, uint32_t i)
{
	for (uint32_t j = 0; j < count; j++)
		if ((uint32_t) st->ast->args[run + j] == i)
			return true;
	return false;
}

/* A list literal; optional elements are dropped when none. */
static CelValue
eval_list(EvalState *st, const CelExpr *e)
{
	uint32_t	n = e->u.list.nelems;
	CelValue   *items = arena_alloc(st->ctx->arena, sizeof(CelValue) * (n ? n : 1));
	size_t		count = 0;

	if (items == NULL)
		return cel_error(st->ctx->arena, "out of memory");
	for (uint32_t i = 0; i < n; i++)
	{
		CelValue	v = eval_node(st, st->ast->args[e->u.list.elems + i]);

		if (cel_is_error_or_unknown(v))
			return v;
		if (e->u.list.noptional > 0 &&
			is_optional_entry(st, e->u.list.optional, e->u.list.noptional, i))
		{
			if (v.kind != CEL_VAL_OPTIONAL)
				return cel_error(st->ctx->arena,
								 "cannot initialize optional list element from non-optional value");
			if (v.u.opt == NULL)
				continue;
			v = *v.u.opt;
		}
		items[count++] = v;
	}
	return cel_list_from(st->ctx->arena, items, count);
}

/* Whether two map keys are the same key (same kind and value). */
static bool
same_key(CelValue a, CelValue b)
{
	if (a.kind != b.kind)
		return false;
	switch (a.kind)
	{
		case CEL_VAL_BOOL:
			return a.u.b == b.u.b;
		case CEL_VAL_INT:
			return a.u.i == b.u.i;
		case CEL_VAL_UINT:
			return a.u.u == b.u.u;
		case CEL_VAL_DOUBLE:
			return a.u.d == b.u.d;
		case CEL_VAL_STRING:
			return a.u.str.len == b.u.str.len &&
				memcmp(a.u.str.ptr, b.u.str.ptr, a.u.str.len) == 0;
		default:
			return false;
	}
}

/*
 * A map literal.  As in Cerbos (cel-go over a Go map), a repeated key keeps
 * its last value, keys of different numeric kinds stay distinct entries,
 * and double keys are accepted.
 */
static CelValue
eval_map(EvalState *st, const CelExpr *e)
{
	uint32_t	n = e->u.map.nentries;
	Arena	   *arena = st->ctx->arena;
	CelValue   *keys = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));
	CelValue   *vals = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));
	size_t		count = 0;

	if (keys == NULL || vals == NULL)
		return cel_error(arena, "out of memory");
	for (uint32_t i = 0; i < n; i++)
	{
		CelValue	k = eval_node(st, st->ast->args[e->u.map.entries + 2 * i]);
		CelValue	v;
		size_t		j;

		if (cel_is_error_or_unknown(k))
			return k;
		v = eval_node(st, st->ast->args[e->u.map.entries + 2 * i + 1]);
		if (cel_is_error_or_unknown(v))
			return v;
		switch (k.kind)
		{
			case CEL_VAL_BOOL:
			case CEL_VAL_INT:
			case CEL_VAL_UINT:
			case CEL_VAL_STRING:
			case CEL_VAL_DOUBLE:
				break;
			default:
				return cel_error(arena, "unsupported key type");
		}
		if (e->u.map.noptional > 0 &&
			is_optional_entry(st, e->u.map.optional, e->u.map.noptional, i))
		{
			if (v.kind != CEL_VAL_OPTIONAL)
				return cel_error(arena,
								 "cannot initialize optional entry from non-optional value");
			if (v.u.opt == NULL)
				continue;
			v = *v.u.opt;
		}
		for (j = 0; j < count; j++)
			if (same_key(keys[j], k))
				break;
		if (j < count)
			vals[j] = v;
		else
		{
			keys[count] = k;
			vals[count] = v;
			count++;
		}
	}
	return cel_map_from(arena, keys, vals, count);
}

/* ---------- comprehensions ---------- */

/* Pushes a comprehension variable; false when too many are live. */
static bool
push_local(EvalState *st, const char *name, CelValue v)
{
	if (st->nlocals >= EVAL_MAX_LOCALS)
		return false;
	st->locals[st->nlocals].name = name;
	st->locals[st->nlocals].value = v;
	st->locals[st->nlocals].owned = NULL;
	st->locals[st->nlocals].capacity = 0;
	st->nlocals++;
	return true;
}

/* One step of the iteration budget and cancellation check. */
static CelValue *
iteration_guard(EvalState *st, CelValue *err)
{
	CelEvalContext *ctx = st->ctx;

	ctx->iterations++;
	if (ctx->max_iterations > 0 && ctx->iterations > ctx->max_iterations)
	{
		*err = cel_limit_error(ctx, CEL_LIMIT_ITERATIONS,
							   "comprehension iteration limit of %lld exceeded",
							   (long long) ctx->max_iterations);
		return err;
	}
	/* once interrupted, every later step stops too, so the evaluation unwinds */
	if (ctx->stopped ||
		(ctx->interrupted != NULL && (ctx->iterations & 63) == 0 &&
		 ctx->interrupted(ctx->user)))
	{
		ctx->stopped = true;
		*err = cel_error(ctx->arena, "evaluation interrupted");
		return err;
	}
	if (ctx->arena->failed)
	{
		*err = cel_error(ctx->arena, "out of memory");
		return err;
	}
	return NULL;
}

/* The Go type cel-go names in range errors ("Double" for types.Double). */
static const char *
go_type_name(CelValue v)
{
	switch (v.kind)
	{
		case CEL_VAL_NULL:
			return "Null";
		case CEL_VAL_BOOL:
			return "Bool";
		case CEL_VAL_INT:
			return "Int";
		case CEL_VAL_UINT:
			return "Uint";
		case CEL_VAL_DOUBLE:
			return "Double";
		case CEL_VAL_STRING:
			return "String";
		case CEL_VAL_BYTES:
			return "Bytes";
		case CEL_VAL_TIMESTAMP:
			return "Timestamp";
		case CEL_VAL_DURATION:
			return "Duration";
		case CEL_VAL_OPTIONAL:
			return "Optional";
		default:
			return "Type";
	}
}

/* A fold over a list or map, as cel-go's evalFold. */
static CelValue
eval_comprehension(EvalState *st, const CelExpr *e)
{
	const char *iter1 = cel_ast_str(st->ast, e->u.comp.iter_var);
	const char *iter2 = cel_ast_str(st->ast, e->u.comp.iter_var2);
	const char *accu_name = cel_ast_str(st->ast, e->u.comp.accu_var);
	bool		two = iter2[0] != '\0';
	CelValue	range = eval_node(st, e->u.comp.iter_range);
	CelValue	accu;
	CelValue	result;
	size_t		len;
	int			base = st->nlocals;
	int			accu_slot;
	int			it1_slot;
	int			it2_slot = -1;

	if (cel_is_error_or_unknown(range))
		return range;
	if (range.kind == CEL_VAL_LIST)
		len = range.u.list->len;
	else if (range.kind == CEL_VAL_MAP)
		len = range.u.map->len;
	else if (two)
		return cel_error(st->ctx->arena, "unsupported comprehension range type: types.%s",
						 go_type_name(range));
	else
		return cel_error(st->ctx->arena, "got 'types.%s', expected iterable type",
						 go_type_name(range));

	accu = eval_node(st, e->u.comp.accu_init);
	if (!push_local(st, accu_name, accu))
		return cel_error(st->ctx->arena, "too many nested comprehensions");
	accu_slot = st->nlocals - 1;
	/* an accumulator starting as [] (and unnameable by users) is built in place */
	if (accu.kind == CEL_VAL_LIST && accu.u.list->len == 0 && accu_name[0] == '@')
	{
		CelList    *owned = arena_alloc0(st->ctx->arena, sizeof(CelList));

		if (owned != NULL)
		{
			owned->items = NULL;
			st->locals[accu_slot].owned = owned;
			st->locals[accu_slot].value = cel_list(owned);
		}
	}
	if (!push_local(st, iter1, cel_null()))
	{
		st->nlocals = base;
		return cel_error(st->ctx->arena, "too many nested comprehensions");
	}
	it1_slot = st->nlocals - 1;
	if (two)
	{
		if (!push_local(st, iter2, cel_null()))
		{
			st->nlocals = base;
			return cel_error(st->ctx->arena, "too many nested comprehensions");
		}
		it2_slot = st->nlocals - 1;
	}

	for (size_t i = 0; i < len; i++)
	{
		CelValue	cond;
		CelValue	err;

		if (iteration_guard(st, &err) != NULL)
		{
			st->nlocals = base;
			return err;
		}
		if (range.kind == CEL_VAL_LIST)
		{
			if (two)
			{
				st->locals[it1_slot].value = cel_int((int64_t) i);
				st->locals[it2_slot].value = range.u.list->items[i];
			}
			else
				st->locals[it1_slot].value = range.u.list->items[i];
		}
		else
		{
			st->locals[it1_slot].value = range.u.map->keys[i];
			if (two)
				st->locals[it2_slot].value = range.u.map->values[i];
		}
		cond = eval_node(st, e->u.comp.loop_cond);
		if (cond.kind == CEL_VAL_BOOL && !cond.u.b)
			break;
		st->locals[accu_slot].value = eval_node(st, e->u.comp.loop_step);
	}
	/* the result sees the accumulator but not the iteration variables */
	st->nlocals = accu_slot + 1;
	result = eval_node(st, e->u.comp.result);
	st->nlocals = base;
	return result;
}

/* ---------- constants and dispatch on node kind ---------- */

/* The value of a literal. */
static CelValue
eval_const(EvalState *st, const CelConst *c)
{
	switch (c->kind)
	{
		case CEL_CONST_NULL:
			return cel_null();
		case CEL_CONST_BOOL:
			return cel_bool(c->u.b);
		case CEL_CONST_INT:
			return cel_int(c->u.i);
		case CEL_CONST_UINT:
			return cel_uint(c->u.u);
		case CEL_CONST_DOUBLE:
			return cel_double(c->u.d);
		case CEL_CONST_STRING:
			return cel_string(cel_ast_str(st->ast, c->u.str.off), c->u.str.len);
		case CEL_CONST_BYTES:
			return cel_bytes(cel_ast_str(st->ast, c->u.str.off), c->u.str.len);
	}
	return cel_error(st->ctx->arena, "invalid constant");
}

/* Evaluates one node (depth-bounded). */
static CelValue
eval_node(EvalState *st, CelNodeRef ref)
{
	const CelExpr *e;
	CelValue	v;

	if (ref < 0 || ref >= st->ast->nnodes)
		return cel_error(st->ctx->arena, "invalid expression");
	if (st->depth >= EVAL_MAX_DEPTH)
		return cel_error(st->ctx->arena, "expression nesting exceeds evaluation depth limit");
	st->depth++;
	e = cel_ast_node(st->ast, ref);
	switch (e->kind)
	{
		case CEL_EXPR_CONST:
			v = eval_const(st, &e->u.constant);
			break;
		case CEL_EXPR_IDENT:
			v = eval_ident(st, cel_ast_str(st->ast, e->u.ident.name));
			break;
		case CEL_EXPR_SELECT:
			v = eval_select(st, ref, e);
			break;
		case CEL_EXPR_CALL:
			v = eval_call(st, ref, e);
			break;
		case CEL_EXPR_LIST:
			v = eval_list(st, e);
			break;
		case CEL_EXPR_MAP:
			v = eval_map(st, e);
			break;
		case CEL_EXPR_COMPREHENSION:
			v = eval_comprehension(st, e);
			break;
		case CEL_EXPR_STRUCT:
			v = cel_error(st->ctx->arena, "unknown type: %s",
						  cel_ast_str(st->ast, e->u.strct.type_name));
			break;
		default:
			v = cel_error(st->ctx->arena, "invalid expression");
			break;
	}
	st->depth--;
	return v;
}

/* Returned when the arena can no longer hold even an error message. */
static const CelErrorInfo out_of_memory = {"out of memory", -1};

/* The out-of-memory error without allocating. */
static CelValue
oom_error(void)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_ERROR;
	v.u.err = &out_of_memory;
	return v;
}

CelValue
cel_eval(CelEvalContext *ctx, const CelEnv *env, const CelAst *ast,
		 const CelActivation *activation)
{
	EvalState	state;			/* about 2.6 kB: cheaper than an arena block */
	EvalState  *st = &state;
	CelValue	v;

	(void) env;
	if (ctx == NULL || ctx->arena == NULL)
		return cel_null();
	if (ast == NULL || ast->nodes == NULL)
		return cel_error(ctx->arena, "no expression to evaluate");
	/* locals[] is initialised entry by entry as variables are pushed */
	st->ctx = ctx;
	st->ast = ast;
	st->act = activation;
	st->nlocals = 0;
	st->depth = 0;
	st->reg = cel_registry_default();
	if (st->reg == NULL)
		return cel_error(ctx->arena, "function registry unavailable");
	v = eval_node(st, ast->root);
	if (ctx->arena->failed)
		return oom_error();
	return v;
}
