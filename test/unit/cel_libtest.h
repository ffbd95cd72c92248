/*
 * cel_libtest.h — helpers for unit tests of CEL function libraries: an
 * evaluation context over a malloc arena, calls through a library's
 * overload table by cel-go overload id, and value constructors.
 */
#ifndef AUTHZ_CEL_LIBTEST_H
#define AUTHZ_CEL_LIBTEST_H

#include <stdarg.h>
#include <string.h>

#include "cel/cel_func.h"
#include "unit.h"

static Arena *lt_arena;
static CelEvalContext lt_ctx;

/* Sets up the shared context (call once at the start of main). */
static inline void
lt_init(void)
{
	lt_arena = arena_create(NULL, 0);
	memset(&lt_ctx, 0, sizeof(lt_ctx));
	lt_ctx.arena = lt_arena;
}

/* Calls overload `id` of lib with nargs arguments. */
static inline CelValue
lt_call(const CelLibrary *lib, const char *id, int nargs,...)
{
	CelValue	args[8];
	va_list		ap;

	va_start(ap, nargs);
	for (int i = 0; i < nargs && i < 8; i++)
		args[i] = va_arg(ap, CelValue);
	va_end(ap);
	for (int i = 0; i < lib->count; i++)
		if (strcmp(lib->overloads[i].id, id) == 0)
			return lib->overloads[i].impl(&lt_ctx, args, nargs);
	fprintf(stderr, "no overload %s in %s\n", id, lib->name);
	return cel_null();
}

/* A string value of a C string. */
static inline CelValue
S(const char *s)
{
	return cel_string(s, strlen(s));
}

/* A list value of n values. */
static inline CelValue
L(int n,...)
{
	CelValue   *items = (CelValue *) arena_alloc(lt_arena, (size_t) (n + 1) * sizeof(CelValue));
	CelList    *list = (CelList *) arena_alloc(lt_arena, sizeof(CelList));
	va_list		ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		items[i] = va_arg(ap, CelValue);
	va_end(ap);
	list->len = (size_t) n;
	list->items = items;
	return cel_list(list);
}

/* A map value of n key/value pairs given as k0, v0, k1, v1, ... */
static inline CelValue
M(int n,...)
{
	CelValue   *keys = (CelValue *) arena_alloc(lt_arena, (size_t) (n + 1) * sizeof(CelValue));
	CelValue   *vals = (CelValue *) arena_alloc(lt_arena, (size_t) (n + 1) * sizeof(CelValue));
	CelMap	   *map = (CelMap *) arena_alloc0(lt_arena, sizeof(CelMap));
	va_list		ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
	{
		keys[i] = va_arg(ap, CelValue);
		vals[i] = va_arg(ap, CelValue);
	}
	va_end(ap);
	map->len = (size_t) n;
	map->keys = keys;
	map->values = vals;
	return cel_map(map);
}

/* The text of a string/bytes value (NUL-terminated copy), or a marker. */
static inline const char *
lt_str(CelValue v)
{
	if (v.kind == CEL_VAL_ERROR)
		return arena_printf(lt_arena, "<error: %s>", v.u.err->message);
	if (v.kind != CEL_VAL_STRING && v.kind != CEL_VAL_BYTES)
		return "<not a string>";
	return arena_strndup(lt_arena, v.u.str.ptr, v.u.str.len);
}

/* The message of an error value, or a marker. */
static inline const char *
lt_err(CelValue v)
{
	if (v.kind != CEL_VAL_ERROR)
		return "<not an error>";
	return v.u.err->message;
}

/* Renders a list of strings as "a|b|c" for compact checks. */
static inline const char *
lt_join(CelValue v)
{
	char	   *out = arena_strdup(lt_arena, "");

	if (v.kind == CEL_VAL_ERROR)
		return lt_str(v);
	if (v.kind != CEL_VAL_LIST)
		return "<not a list>";
	for (size_t i = 0; i < v.u.list->len; i++)
		out = arena_printf(lt_arena, "%s%s%s", out, i ? "|" : "",
						   lt_str(v.u.list->items[i]));
	return out;
}

#define CHECK_INT(v, want) \
	do { \
		CelValue v_ = (v); \
		CHECK(v_.kind == CEL_VAL_INT && v_.u.i == (want)); \
		if (v_.kind != CEL_VAL_INT || v_.u.i != (want)) \
			fprintf(stderr, "  got kind %d %s\n", v_.kind, \
					v_.kind == CEL_VAL_ERROR ? v_.u.err->message : ""); \
	} while (0)

#define CHECK_UINT(v, want) \
	do { \
		CelValue v_ = (v); \
		CHECK(v_.kind == CEL_VAL_UINT && v_.u.u == (want)); \
	} while (0)

#define CHECK_DOUBLE(v, want) \
	do { \
		CelValue v_ = (v); \
		CHECK(v_.kind == CEL_VAL_DOUBLE && v_.u.d == (want)); \
		if (v_.kind != CEL_VAL_DOUBLE || v_.u.d != (want)) \
			fprintf(stderr, "  got kind %d\n", v_.kind); \
	} while (0)

#define CHECK_BOOL(v, want) \
	do { \
		CelValue v_ = (v); \
		CHECK(v_.kind == CEL_VAL_BOOL && v_.u.b == (want)); \
		if (v_.kind != CEL_VAL_BOOL || v_.u.b != (want)) \
			fprintf(stderr, "  got kind %d %s\n", v_.kind, \
					v_.kind == CEL_VAL_ERROR ? v_.u.err->message : ""); \
	} while (0)

#endif							/* AUTHZ_CEL_LIBTEST_H */
