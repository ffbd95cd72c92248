/*
 * value.c — the CEL value model's shared helpers: type singletons and
 * names, error values, equality, map lookup and arena builders.
 *
 * Equality follows cel-go v0.30 with heterogeneous equality enabled:
 * numbers compare across int/uint/double by value (NaN equals nothing),
 * values of different kinds are simply unequal (not an error), lists and
 * maps compare deeply (maps regardless of entry order) and an element pair
 * that is not comparable makes the aggregates unequal.  Map keys use the
 * same numeric rule, so m[1], m[1u] and m[1.0] find the same entry, as
 * cel-go does for maps whose keys are dyn.
 */
#include "cel_func.h"
#include "cel_value.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const CelType cel_type_dyn = {CEL_T_DYN, {NULL, NULL}, NULL};
const CelType cel_type_null = {CEL_T_NULL, {NULL, NULL}, NULL};
const CelType cel_type_bool = {CEL_T_BOOL, {NULL, NULL}, NULL};
const CelType cel_type_int = {CEL_T_INT, {NULL, NULL}, NULL};
const CelType cel_type_uint = {CEL_T_UINT, {NULL, NULL}, NULL};
const CelType cel_type_double = {CEL_T_DOUBLE, {NULL, NULL}, NULL};
const CelType cel_type_string = {CEL_T_STRING, {NULL, NULL}, NULL};
const CelType cel_type_bytes = {CEL_T_BYTES, {NULL, NULL}, NULL};
const CelType cel_type_timestamp = {CEL_T_TIMESTAMP, {NULL, NULL}, NULL};
const CelType cel_type_duration = {CEL_T_DURATION, {NULL, NULL}, NULL};
const CelType cel_type_error = {CEL_T_ERROR, {NULL, NULL}, NULL};
const CelType cel_type_list_dyn = {CEL_T_LIST, {&cel_type_dyn, NULL}, NULL};
const CelType cel_type_map_dyn = {CEL_T_MAP, {&cel_type_dyn, &cel_type_dyn}, NULL};
const CelType cel_type_type = {CEL_T_TYPE, {NULL, NULL}, NULL};

/* The name type() and messages use for a type (outer constructor only). */
const char *
cel_type_name(const CelType *t)
{
	if (t == NULL)
		return "dyn";
	switch (t->kind)
	{
		case CEL_T_DYN:
			return "dyn";
		case CEL_T_NULL:
			return "null_type";
		case CEL_T_BOOL:
			return "bool";
		case CEL_T_INT:
			return "int";
		case CEL_T_UINT:
			return "uint";
		case CEL_T_DOUBLE:
			return "double";
		case CEL_T_STRING:
			return "string";
		case CEL_T_BYTES:
			return "bytes";
		case CEL_T_LIST:
			return "list";
		case CEL_T_MAP:
			return "map";
		case CEL_T_TIMESTAMP:
			return "google.protobuf.Timestamp";
		case CEL_T_DURATION:
			return "google.protobuf.Duration";
		case CEL_T_TYPE:
			return "type";
		case CEL_T_OPTIONAL:
			return "optional_type";
		case CEL_T_ERROR:
			return "*error*";
		case CEL_T_ANY:
			return "google.protobuf.Any";
		case CEL_T_PARAM:
		case CEL_T_MESSAGE:
		case CEL_T_OPAQUE:
			return t->name ? t->name : "dyn";
	}
	return "dyn";
}

/* ---------- errors ---------- */

/* An error value whose message is formatted into the arena. */
CelValue
cel_error(Arena *arena, const char *fmt,...)
{
	static const CelErrorInfo oom = {"out of memory", -1};
	CelValue	v = {0};
	CelErrorInfo *info;
	va_list		ap;
	char		buf[512];
	int			n;

	v.kind = CEL_VAL_ERROR;
	v.u.err = &oom;
	if (arena == NULL)
		return v;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	info = (CelErrorInfo *) arena_alloc(arena, sizeof(CelErrorInfo));
	if (info == NULL)
		return v;
	if ((size_t) n >= sizeof(buf))
	{
		/* long message (it quotes user data): format again at full size */
		char	   *big = (char *) arena_alloc(arena, (size_t) n + 1);

		if (big == NULL)
			return v;
		va_start(ap, fmt);
		vsnprintf(big, (size_t) n + 1, fmt, ap);
		va_end(ap);
		info->message = big;
	}
	else
		info->message = arena_strndup(arena, buf, (size_t) n);
	if (info->message == NULL)
		return v;
	info->node = -1;
	v.u.err = info;
	return v;
}

/* cel-go's dispatch failure; function may carry an argument list. */
CelValue
cel_error_no_such_overload(Arena *arena, const char *function)
{
	if (function == NULL || function[0] == '\0')
		return cel_error(arena, "no such overload");
	return cel_error(arena, "no such overload: %s", function);
}

/* Go's shortest %v rendering of a double, as cel-go prints map keys. */
static void
format_go_double(char *buf, size_t size, double d)
{
	if (isnan(d))
	{
		snprintf(buf, size, "NaN");
		return;
	}
	if (isinf(d))
	{
		snprintf(buf, size, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++)
	{
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* Go writes exponents with at least two digits, as C does: e+06 -> e+06 */
}

/* "no such key: <key>" with the key printed as Go's %v prints it. */
CelValue
cel_error_no_such_key(Arena *arena, CelValue key)
{
	char		buf[64];

	switch (key.kind)
	{
		case CEL_VAL_STRING:
			return cel_error(arena, "no such key: %.*s",
							 (int) (key.u.str.len > 4096 ? 4096 : key.u.str.len),
							 key.u.str.ptr);
		case CEL_VAL_INT:
			return cel_error(arena, "no such key: %lld", (long long) key.u.i);
		case CEL_VAL_UINT:
			return cel_error(arena, "no such key: %llu",
							 (unsigned long long) key.u.u);
		case CEL_VAL_BOOL:
			return cel_error(arena, "no such key: %s", key.u.b ? "true" : "false");
		case CEL_VAL_DOUBLE:
			format_go_double(buf, sizeof(buf), key.u.d);
			return cel_error(arena, "no such key: %s", buf);
		default:
			return cel_error(arena, "no such key");
	}
}

/* "integer overflow" (what NULL), else "<what> overflow". */
CelValue
cel_error_overflow(Arena *arena, const char *what)
{
	if (what == NULL || what[0] == '\0')
		return cel_error(arena, "integer overflow");
	return cel_error(arena, "%s overflow", what);
}

/* ---------- equality ---------- */

/* Numeric value comparison across int/uint/double; false when not numbers. */
static bool
numeric_equal(CelValue a, CelValue b, bool *comparable)
{
	*comparable = true;
	switch (a.kind)
	{
		case CEL_VAL_INT:
			if (b.kind == CEL_VAL_INT)
				return a.u.i == b.u.i;
			if (b.kind == CEL_VAL_UINT)
				return a.u.i >= 0 && (uint64_t) a.u.i == b.u.u;
			if (b.kind == CEL_VAL_DOUBLE)
			{
				/* compare exactly: doubles beyond int64 range never match */
				if (isnan(b.u.d) || b.u.d < -9223372036854775808.0 ||
					b.u.d >= 9223372036854775808.0)
					return false;
				return (double) a.u.i == b.u.d && (int64_t) b.u.d == a.u.i;
			}
			break;
		case CEL_VAL_UINT:
			if (b.kind == CEL_VAL_UINT)
				return a.u.u == b.u.u;
			if (b.kind == CEL_VAL_INT)
				return b.u.i >= 0 && (uint64_t) b.u.i == a.u.u;
			if (b.kind == CEL_VAL_DOUBLE)
			{
				if (isnan(b.u.d) || b.u.d < 0 || b.u.d >= 18446744073709551616.0)
					return false;
				return (double) a.u.u == b.u.d && (uint64_t) b.u.d == a.u.u;
			}
			break;
		case CEL_VAL_DOUBLE:
			if (b.kind == CEL_VAL_DOUBLE)
				return a.u.d == b.u.d;
			if (b.kind == CEL_VAL_INT || b.kind == CEL_VAL_UINT)
				return numeric_equal(b, a, comparable);
			break;
		default:
			break;
	}
	*comparable = false;
	return false;
}

/*
 * Equality between an integer and a double as cel-go decides it: the
 * integer is converted to double, after ruling out doubles outside the
 * integer type's range (so dyn(2.0**63) == 9223372036854775807 holds, as
 * in Cerbos, since both round to 2^63).  Map keys keep the exact rule above.
 */
static bool
numeric_equal_converting(CelValue a, CelValue b, bool *comparable)
{
	if (a.kind == CEL_VAL_DOUBLE && (b.kind == CEL_VAL_INT || b.kind == CEL_VAL_UINT))
		return numeric_equal_converting(b, a, comparable);
	if (b.kind == CEL_VAL_DOUBLE && (a.kind == CEL_VAL_INT || a.kind == CEL_VAL_UINT))
	{
		double		d = b.u.d;

		*comparable = true;
		if (isnan(d))
			return false;
		if (a.kind == CEL_VAL_INT)
		{
			if (d < -9223372036854775808.0 || d > 9223372036854775808.0)
				return false;
			return (double) a.u.i == d;
		}
		if (d < 0 || d > 18446744073709551616.0)
			return false;
		return (double) a.u.u == d;
	}
	return numeric_equal(a, b, comparable);
}

static bool equal_depth(CelValue a, CelValue b, int depth);

/* Whether two maps hold the same keys with equal values. */
static bool
map_equal(const CelMap *a, const CelMap *b, int depth)
{
	if (a == b)
		return true;
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
	{
		CelValue	other;

		if (!cel_map_get(b, a->keys[i], &other))
			return false;
		if (!equal_depth(a->values[i], other, depth + 1))
			return false;
	}
	return true;
}

/* Deep CEL equality; depth bounds recursion on pathological values. */
static bool
equal_depth(CelValue a, CelValue b, int depth)
{
	bool		comparable;
	bool		eq;

	if (depth > 1000)
		return false;
	eq = numeric_equal_converting(a, b, &comparable);
	if (comparable)
		return eq;
	if (a.kind != b.kind)
		return false;
	switch (a.kind)
	{
		case CEL_VAL_NULL:
			return true;
		case CEL_VAL_BOOL:
			return a.u.b == b.u.b;
		case CEL_VAL_STRING:
		case CEL_VAL_BYTES:
			return a.u.str.len == b.u.str.len &&
				(a.u.str.len == 0 ||
				 memcmp(a.u.str.ptr, b.u.str.ptr, a.u.str.len) == 0);
		case CEL_VAL_LIST:
			if (a.u.list == b.u.list)
				return true;
			if (a.u.list->len != b.u.list->len)
				return false;
			for (size_t i = 0; i < a.u.list->len; i++)
				if (!equal_depth(a.u.list->items[i], b.u.list->items[i], depth + 1))
					return false;
			return true;
		case CEL_VAL_MAP:
			return map_equal(a.u.map, b.u.map, depth);
		case CEL_VAL_TIMESTAMP:
			return a.u.ts.sec == b.u.ts.sec && a.u.ts.nsec == b.u.ts.nsec;
		case CEL_VAL_DURATION:
			return a.u.dur == b.u.dur;
		case CEL_VAL_TYPE:
			return strcmp(cel_type_name(a.u.type), cel_type_name(b.u.type)) == 0;
		case CEL_VAL_OPTIONAL:
			if (a.u.opt == NULL || b.u.opt == NULL)
				return a.u.opt == b.u.opt;
			return equal_depth(*a.u.opt, *b.u.opt, depth + 1);
		case CEL_VAL_OPAQUE:
			if (a.u.opaque.type != b.u.opaque.type &&
				(a.u.opaque.type == NULL || b.u.opaque.type == NULL ||
				 strcmp(a.u.opaque.type->name, b.u.opaque.type->name) != 0))
				return false;
			if (a.u.opaque.type == NULL || a.u.opaque.type->equals == NULL)
				return false;
			return a.u.opaque.type->equals(a.u.opaque.data, b.u.opaque.data);
		default:
			return false;
	}
}

/* CEL's _==_: errors/unknowns propagate (first one wins), else a bool. */
CelValue
cel_equals(Arena *arena, CelValue a, CelValue b)
{
	if (a.kind == CEL_VAL_UNKNOWN)
		return a;
	if (b.kind == CEL_VAL_UNKNOWN)
		return b;
	if (a.kind == CEL_VAL_ERROR)
		return a;
	if (b.kind == CEL_VAL_ERROR)
		return b;
	return cel_bool(equal_depth(a, b, 0));
}

/* Equality as a plain truth value (errors compare unequal). */
bool
cel_equal_bool(CelValue a, CelValue b)
{
	if (cel_is_error_or_unknown(a) || cel_is_error_or_unknown(b))
		return false;
	return equal_depth(a, b, 0);
}

/* ---------- maps ---------- */

/* Whether a stored key matches a lookup key under CEL's key rules. */
static bool
key_matches(CelValue stored, CelValue key)
{
	bool		comparable;
	bool		eq;

	eq = numeric_equal(stored, key, &comparable);
	if (comparable)
		return eq;
	if (stored.kind != key.kind)
		return false;
	switch (key.kind)
	{
		case CEL_VAL_STRING:
		case CEL_VAL_BYTES:
			return stored.u.str.len == key.u.str.len &&
				(key.u.str.len == 0 ||
				 memcmp(stored.u.str.ptr, key.u.str.ptr, key.u.str.len) == 0);
		case CEL_VAL_BOOL:
			return stored.u.b == key.u.b;
		case CEL_VAL_NULL:
			return true;
		default:
			return equal_depth(stored, key, 0);
	}
}

/* Finds key in map; the last duplicate wins, as with Go map literals. */
bool
cel_map_get(const CelMap *map, CelValue key, CelValue *out)
{
	if (map == NULL)
		return false;
	for (size_t i = map->len; i-- > 0;)
	{
		if (key_matches(map->keys[i], key))
		{
			if (out)
				*out = map->values[i];
			return true;
		}
	}
	return false;
}

/* ---------- builders ---------- */

/* The error value for a failed allocation. */
static CelValue
out_of_memory(Arena *arena)
{
	return cel_error(arena, "out of memory");
}

/* A list value holding a copy of items[0..n). */
CelValue
cel_list_from(Arena *arena, const CelValue *items, size_t n)
{
	CelList    *list;
	CelValue   *copy = NULL;

	if (arena == NULL)
		return cel_error(NULL, "out of memory");
	list = (CelList *) arena_alloc(arena, sizeof(CelList));
	if (list == NULL)
		return out_of_memory(arena);
	if (n > 0)
	{
		if (n > SIZE_MAX / sizeof(CelValue))
			return out_of_memory(arena);
		copy = (CelValue *) arena_alloc(arena, n * sizeof(CelValue));
		if (copy == NULL)
			return out_of_memory(arena);
		memcpy(copy, items, n * sizeof(CelValue));
	}
	list->len = n;
	list->items = copy;
	return cel_list(list);
}

/* A map value holding copies of the key and value arrays (order kept). */
CelValue
cel_map_from(Arena *arena, const CelValue *keys, const CelValue *values,
			 size_t n)
{
	CelMap	   *map;
	CelValue   *k = NULL;
	CelValue   *v = NULL;

	if (arena == NULL)
		return cel_error(NULL, "out of memory");
	map = (CelMap *) arena_alloc0(arena, sizeof(CelMap));
	if (map == NULL)
		return out_of_memory(arena);
	if (n > 0)
	{
		if (n > SIZE_MAX / sizeof(CelValue))
			return out_of_memory(arena);
		k = (CelValue *) arena_alloc(arena, n * sizeof(CelValue));
		v = (CelValue *) arena_alloc(arena, n * sizeof(CelValue));
		if (k == NULL || v == NULL)
			return out_of_memory(arena);
		memcpy(k, keys, n * sizeof(CelValue));
		memcpy(v, values, n * sizeof(CelValue));
	}
	map->len = n;
	map->keys = k;
	map->values = v;
	return cel_map(map);
}

/* A string value whose bytes are copied into the arena. */
CelValue
cel_string_copy(Arena *arena, const char *s, size_t len)
{
	char	   *copy;

	if (arena == NULL)
		return cel_error(NULL, "out of memory");
	copy = arena_strndup(arena, s ? s : "", s ? len : 0);
	if (copy == NULL)
		return out_of_memory(arena);
	return cel_string(copy, s ? len : 0);
}

/* The runtime type of a value, as type() reports it. */
const CelType *
cel_value_type(CelValue v)
{
	switch (v.kind)
	{
		case CEL_VAL_NULL:
			return &cel_type_null;
		case CEL_VAL_BOOL:
			return &cel_type_bool;
		case CEL_VAL_INT:
			return &cel_type_int;
		case CEL_VAL_UINT:
			return &cel_type_uint;
		case CEL_VAL_DOUBLE:
			return &cel_type_double;
		case CEL_VAL_STRING:
			return &cel_type_string;
		case CEL_VAL_BYTES:
			return &cel_type_bytes;
		case CEL_VAL_LIST:
			return &cel_type_list_dyn;
		case CEL_VAL_MAP:
			return &cel_type_map_dyn;
		case CEL_VAL_TIMESTAMP:
			return &cel_type_timestamp;
		case CEL_VAL_DURATION:
			return &cel_type_duration;
		case CEL_VAL_TYPE:
			return &cel_type_type;
		case CEL_VAL_OPTIONAL:
			return &cel_type_optional;
		case CEL_VAL_OPAQUE:
			if (v.u.opaque.type && v.u.opaque.type->type)
				return v.u.opaque.type->type;
			return &cel_type_dyn;
		case CEL_VAL_ERROR:
			return &cel_type_error;
		default:
			return &cel_type_dyn;
	}
}
