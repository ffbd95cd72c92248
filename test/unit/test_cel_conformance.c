/*
 * test_cel_conformance.c — replays the CEL specification's conformance
 * suite, annotated with Cerbos 0.55's answers, through parse + check + eval.
 *
 * Input: ../shared/data/cel/cel_conformance.jsonl seen from the project
 * root (override with AUTHZ_CEL_CONFORMANCE).  Each line is one case with
 * typed bindings and Cerbos' verdict; cases whose verdict is oracle_na are
 * not counted.  Bindings are declared dyn, as the Cerbos REPL's :let makes
 * them (null < x with x = null is a runtime, not a compile, error there).
 *
 * A case passes when authz gives Cerbos' answer:
 *   value          the result equals the expected typed value (or, where
 *                  Cerbos disagrees with the spec, Cerbos' JSON rendering);
 *   compile_error  parsing or checking fails;
 *   eval_error     it compiles and evaluates to an error value.
 * Failures go to stderr with a reason.  The program exits non-zero only
 * when a failing case is not listed in cel_conformance_known_failures.txt
 * (one "file/section/name  reason" per line), so the list is the honest
 * record of what is still wrong.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cel/cel.h"
#include "cel/cel_registry.h"
#include <stdint.h>

#define MAX_BINDINGS 16

typedef struct Binding
{
	const char *name;
	CelValue	value;
} Binding;

typedef struct Bindings
{
	Binding		items[MAX_BINDINGS];
	int			count;
} Bindings;

/* Activation over the case's bindings. */
static bool
resolve_binding(void *state, const char *name, CelValue *out)
{
	Bindings   *b = state;

	for (int i = 0; i < b->count; i++)
		if (strcmp(b->items[i].name, name) == 0)
		{
			*out = b->items[i].value;
			return true;
		}
	return false;
}

/* Standard base64 (with padding) into the arena; false if malformed. */
static bool
base64_decode(Arena *arena, const char *in, char **out, size_t *outlen)
{
	size_t		len = strlen(in);
	char	   *buf = arena_alloc(arena, len / 4 * 3 + 3);
	size_t		o = 0;
	uint32_t	acc = 0;
	int			bits = 0;

	if (buf == NULL)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		char		c = in[i];
		int			v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else if (c == '=')
			break;
		else
			return false;
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			buf[o++] = (char) ((acc >> bits) & 0xFF);
		}
	}
	*out = buf;
	*outlen = o;
	return true;
}

/* A double from the typed encoding (number or "NaN"/"Infinity"). */
static bool
json_double(json_t *j, double *out)
{
	if (json_is_number(j))
	{
		*out = json_number_value(j);
		return true;
	}
	if (json_is_string(j))
	{
		const char *s = json_string_value(j);

		if (strcmp(s, "NaN") == 0)
			*out = NAN;
		else if (strcmp(s, "Infinity") == 0)
			*out = INFINITY;
		else if (strcmp(s, "-Infinity") == 0)
			*out = -INFINITY;
		else
			*out = strtod(s, NULL);
		return true;
	}
	return false;
}

/* Decodes one typed value ({"int": "5"}, {"list": [...]}, ...). */
static bool
decode_typed(Arena *arena, json_t *j, CelValue *out, int depth)
{
	const char *key;
	json_t	   *v;

	if (!json_is_object(j) || json_object_size(j) != 1 || depth > 64)
		return false;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "int") == 0)
		{
			*out = cel_int(json_is_string(v) ? strtoll(json_string_value(v), NULL, 10) :
						   (int64_t) json_integer_value(v));
			return true;
		}
		if (strcmp(key, "uint") == 0)
		{
			*out = cel_uint(json_is_string(v) ? strtoull(json_string_value(v), NULL, 10) :
							(uint64_t) json_integer_value(v));
			return true;
		}
		if (strcmp(key, "double") == 0)
		{
			double		d;

			if (!json_double(v, &d))
				return false;
			*out = cel_double(d);
			return true;
		}
		if (strcmp(key, "string") == 0)
		{
			*out = cel_string_copy(arena, json_string_value(v), json_string_length(v));
			return true;
		}
		if (strcmp(key, "bytes") == 0)
		{
			char	   *buf;
			size_t		len;

			if (!json_is_string(v) || !base64_decode(arena, json_string_value(v), &buf, &len))
				return false;
			*out = cel_bytes(buf, len);
			return true;
		}
		if (strcmp(key, "bool") == 0)
		{
			*out = cel_bool(json_is_true(v));
			return true;
		}
		if (strcmp(key, "null") == 0)
		{
			*out = cel_null();
			return true;
		}
		if (strcmp(key, "type") == 0)
		{
			const CelType *t = cel_type_named(json_string_value(v));

			if (t == NULL)
				return false;
			*out = cel_type_value(t);
			return true;
		}
		if (strcmp(key, "list") == 0)
		{
			size_t		n = json_array_size(v);
			CelValue   *items = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));

			for (size_t i = 0; i < n; i++)
				if (!decode_typed(arena, json_array_get(v, i), &items[i], depth + 1))
					return false;
			*out = cel_list_from(arena, items, n);
			return true;
		}
		if (strcmp(key, "map") == 0)
		{
			size_t		n = json_array_size(v);
			CelValue   *keys = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));
			CelValue   *vals = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));

			for (size_t i = 0; i < n; i++)
			{
				json_t	   *pair = json_array_get(v, i);

				if (!decode_typed(arena, json_array_get(pair, 0), &keys[i], depth + 1) ||
					!decode_typed(arena, json_array_get(pair, 1), &vals[i], depth + 1))
					return false;
			}
			*out = cel_map_from(arena, keys, vals, n);
			return true;
		}
	}
	return false;
}

/* Same kind and same value (for expected-vs-actual, no numeric mixing). */
static bool
strict_equal(CelValue a, CelValue b, int depth)
{
	if (a.kind != b.kind || depth > 64)
		return false;
	switch (a.kind)
	{
		case CEL_VAL_NULL:
			return true;
		case CEL_VAL_BOOL:
			return a.u.b == b.u.b;
		case CEL_VAL_INT:
			return a.u.i == b.u.i;
		case CEL_VAL_UINT:
			return a.u.u == b.u.u;
		case CEL_VAL_DOUBLE:
			if (isnan(a.u.d) && isnan(b.u.d))
				return true;
			return a.u.d == b.u.d;
		case CEL_VAL_STRING:
		case CEL_VAL_BYTES:
			return a.u.str.len == b.u.str.len &&
				memcmp(a.u.str.ptr, b.u.str.ptr, a.u.str.len) == 0;
		case CEL_VAL_TYPE:
			return strcmp(cel_type_name(a.u.type), cel_type_name(b.u.type)) == 0;
		case CEL_VAL_LIST:
			if (a.u.list->len != b.u.list->len)
				return false;
			for (size_t i = 0; i < a.u.list->len; i++)
				if (!strict_equal(a.u.list->items[i], b.u.list->items[i], depth + 1))
					return false;
			return true;
		case CEL_VAL_MAP:
			if (a.u.map->len != b.u.map->len)
				return false;
			for (size_t i = 0; i < a.u.map->len; i++)
			{
				bool		found = false;

				for (size_t k = 0; k < b.u.map->len && !found; k++)
					if (strict_equal(a.u.map->keys[i], b.u.map->keys[k], depth + 1))
					{
						if (!strict_equal(a.u.map->values[i], b.u.map->values[k], depth + 1))
							return false;
						found = true;
					}
				if (!found)
					return false;
			}
			return true;
		default:
			return cel_equal_bool(a, b);
	}
}

/* Loose comparison with Cerbos' JSON rendering (the disagree cases). */
static bool
json_matches(json_t *j, CelValue v, int depth)
{
	if (depth > 64)
		return false;
	switch (v.kind)
	{
		case CEL_VAL_NULL:
			return json_is_null(j);
		case CEL_VAL_BOOL:
			return json_is_boolean(j) && json_is_true(j) == v.u.b;
		case CEL_VAL_INT:
			return json_is_number(j) && json_number_value(j) == (double) v.u.i;
		case CEL_VAL_UINT:
			return json_is_number(j) && json_number_value(j) == (double) v.u.u;
		case CEL_VAL_DOUBLE:
			return json_is_number(j) && json_number_value(j) == v.u.d;
		case CEL_VAL_STRING:
			return json_is_string(j) && json_string_length(j) == v.u.str.len &&
				memcmp(json_string_value(j), v.u.str.ptr, v.u.str.len) == 0;
		case CEL_VAL_LIST:
			if (!json_is_array(j) || json_array_size(j) != v.u.list->len)
				return false;
			for (size_t i = 0; i < v.u.list->len; i++)
				if (!json_matches(json_array_get(j, i), v.u.list->items[i], depth + 1))
					return false;
			return true;
		default:
			return false;
	}
}

/* A short printable rendering of a value for failure messages. */
static void
describe(CelValue v, char *buf, size_t size)
{
	switch (v.kind)
	{
		case CEL_VAL_ERROR:
			snprintf(buf, size, "error(%s)", v.u.err && v.u.err->message ? v.u.err->message : "?");
			break;
		case CEL_VAL_INT:
			snprintf(buf, size, "int(%lld)", (long long) v.u.i);
			break;
		case CEL_VAL_UINT:
			snprintf(buf, size, "uint(%llu)", (unsigned long long) v.u.u);
			break;
		case CEL_VAL_DOUBLE:
			snprintf(buf, size, "double(%.17g)", v.u.d);
			break;
		case CEL_VAL_BOOL:
			snprintf(buf, size, "bool(%s)", v.u.b ? "true" : "false");
			break;
		case CEL_VAL_STRING:
			snprintf(buf, size, "string(\"%.*s\")", (int) (v.u.str.len > 60 ? 60 : v.u.str.len),
					 v.u.str.ptr);
			break;
		case CEL_VAL_TYPE:
			snprintf(buf, size, "type(%s)", cel_type_name(v.u.type));
			break;
		case CEL_VAL_LIST:
			snprintf(buf, size, "list[%zu]", v.u.list->len);
			break;
		case CEL_VAL_MAP:
			snprintf(buf, size, "map[%zu]", v.u.map->len);
			break;
		default:
			snprintf(buf, size, "kind %d", v.kind);
			break;
	}
}

/* The known-failure list: "file/section/name  reason" lines. */
typedef struct KnownList
{
	char	  **keys;
	int			count;
	bool	   *seen;
} KnownList;

static void
load_known(const char *path, KnownList *k)
{
	FILE	   *f = fopen(path, "r");
	char		line[1024];
	int			cap = 0;

	k->keys = NULL;
	k->count = 0;
	k->seen = NULL;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f))
	{
		char	   *end;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		/* the key ends at two spaces or a tab (names may hold one space) */
		end = strstr(line, "  ");
		if (end == NULL)
			end = strchr(line, '\t');
		if (end == NULL)
			end = line + strcspn(line, "\n");
		*end = '\0';
		if (k->count == cap)
		{
			cap = cap ? cap * 2 : 32;
			k->keys = realloc(k->keys, sizeof(char *) * cap);
		}
		k->keys[k->count++] = strdup(line);
	}
	fclose(f);
	k->seen = calloc(k->count ? k->count : 1, sizeof(bool));
}

static bool
is_known(KnownList *k, const char *key)
{
	for (int i = 0; i < k->count; i++)
		if (strcmp(k->keys[i], key) == 0)
		{
			k->seen[i] = true;
			return true;
		}
	return false;
}

/* Runs one case; returns NULL on pass or a reason (static/arena) on fail. */
static const char *
run_case(Arena *arena, json_t *c, char *detail, size_t dsize)
{
	json_t	   *cerbos = json_object_get(c, "cerbos");
	const char *kind = json_string_value(json_object_get(cerbos, "kind"));
	const char *expr = json_string_value(json_object_get(c, "expr"));
	json_t	   *bindings = json_object_get(c, "bindings");
	Bindings	b;
	DiagList	diags;
	CelAst	   *ast;
	CelEnv	   *env;
	CelEvalContext ctx;
	CelActivation act;
	CelValue	result;
	const char *name;
	json_t	   *bv;

	detail[0] = '\0';
	if (kind == NULL || expr == NULL)
		return "malformed case";
	b.count = 0;
	json_object_foreach(bindings, name, bv)
	{
		if (b.count == MAX_BINDINGS)
			return "too many bindings";
		b.items[b.count].name = arena_strdup(arena, name);
		if (!decode_typed(arena, bv, &b.items[b.count].value, 0))
			return "cannot decode binding";
		b.count++;
	}

	diag_init(&diags, arena);
	ast = cel_parse(arena, expr, json_string_length(json_object_get(c, "expr")), NULL,
					&diags);
	if (ast != NULL)
	{
		env = cel_env_cerbos(arena);
		for (int i = 0; i < b.count; i++)
			cel_env_declare(env, b.items[i].name, &cel_type_dyn);
		if (!cel_check(env, ast, arena, &diags))
			ast = NULL;
	}
	if (ast == NULL)
	{
		if (strcmp(kind, "compile_error") == 0)
			return NULL;
		snprintf(detail, dsize, "%s", diags.count ? diag_render(&diags) : "?");
		return "compile error";
	}
	if (strcmp(kind, "compile_error") == 0)
		return "compiled, Cerbos rejects it";

	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.max_iterations = 1000000;
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ctx.now_sec = ts.tv_sec;
		ctx.now_nsec = (int32_t) ts.tv_nsec;
		ctx.now_set = true;
	}
	act.resolve = resolve_binding;
	act.state = &b;
	result = cel_eval(&ctx, NULL, ast, &act);
	describe(result, detail, dsize);

	if (strcmp(kind, "eval_error") == 0)
		return result.kind == CEL_VAL_ERROR ? NULL : "expected an evaluation error";
	if (strcmp(kind, "value") != 0)
		return "unknown verdict kind";
	if (result.kind == CEL_VAL_ERROR)
		return "evaluation error";
	if (json_is_true(json_object_get(cerbos, "equal_expected")))
	{
		CelValue	want;

		if (!decode_typed(arena, json_object_get(c, "expected"), &want, 0))
			return "cannot decode expected value";
		return strict_equal(want, result, 0) ? NULL : "wrong value";
	}
	else
	{
		const char *text = json_string_value(json_object_get(cerbos, "json"));
		json_t	   *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
		bool		ok = j != NULL && json_matches(j, result, 0);

		json_decref(j);
		return ok ? NULL : "differs from Cerbos' value";
	}
}

/* First readable path among the override and the usual locations. */
static const char *
data_path(void)
{
	static const char *const candidates[] = {
		"../../../shared/data/cel/cel_conformance.jsonl",
		"../../../../shared/data/cel/cel_conformance.jsonl",
		"/work/shared/data/cel/cel_conformance.jsonl",
	};
	const char *env = getenv("AUTHZ_CEL_CONFORMANCE");

	if (env != NULL && env[0] != '\0')
		return env;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
	{
		FILE	   *f = fopen(candidates[i], "r");

		if (f != NULL)
		{
			fclose(f);
			return candidates[i];
		}
	}
	return candidates[0];
}

int
main(int argc, char **argv)
{
	const char *path = data_path();
	FILE	   *f = fopen(path, "r");
	char	   *line = NULL;
	size_t		cap = 0;
	int			passed = 0,
				failed = 0,
				unexpected = 0,
				skipped = 0;
	KnownList	known;
	const char *only = argc > 1 ? argv[1] : NULL;

	if (f == NULL)
	{
		fprintf(stderr, "cannot open %s (set AUTHZ_CEL_CONFORMANCE)\n", path);
		printf("cel_conformance: 0 passed, 1 failed\n");
		return 1;
	}
	load_known("cel_conformance_known_failures.txt", &known);

	while (getline(&line, &cap, f) > 0)
	{
		json_error_t jerr;
		json_t	   *c = json_loads(line, JSON_ALLOW_NUL, &jerr);
		const char *verdict;
		char		key[512];
		char		detail[512];
		const char *reason;
		Arena	   *arena;

		if (c == NULL)
		{
			/* an unreadable line counts as a failure, never silently */
			failed++;
			unexpected++;
			fprintf(stderr, "FAIL line not readable: %s\n", jerr.text);
			continue;
		}
		verdict = json_string_value(json_object_get(json_object_get(c, "cerbos"), "verdict"));
		snprintf(key, sizeof(key), "%s/%s/%s",
				 json_string_value(json_object_get(c, "file")),
				 json_string_value(json_object_get(c, "section")),
				 json_string_value(json_object_get(c, "name")));
		if (verdict == NULL || strcmp(verdict, "oracle_na") == 0 ||
			(only != NULL && strstr(key, only) == NULL))
		{
			skipped++;
			json_decref(c);
			continue;
		}
		arena = arena_create(NULL, 64 * 1024 * 1024);
		reason = run_case(arena, c, detail, sizeof(detail));
		if (reason == NULL)
			passed++;
		else
		{
			bool		k = is_known(&known, key);

			failed++;
			if (!k)
				unexpected++;
			fprintf(stderr, "%s %s: %s: %s [%s]\n", k ? "known" : "FAIL", key, reason,
					detail, json_string_value(json_object_get(c, "expr")));
		}
		arena_destroy(arena);
		json_decref(c);
	}
	free(line);
	fclose(f);
	for (int i = 0; i < known.count; i++)
		if (!known.seen[i] && only == NULL)
			fprintf(stderr, "note: known failure %s now passes (remove it from the list)\n",
					known.keys[i]);
	for (int i = 0; i < known.count; i++)
		free(known.keys[i]);
	free(known.keys);
	free(known.seen);
	fprintf(stderr, "cel_conformance: %d failures, %d not in the known list, %d skipped\n",
			failed, unexpected, skipped);
	printf("cel_conformance: %d passed, %d failed\n", passed, failed);
	return unexpected ? 1 : 0;
}
