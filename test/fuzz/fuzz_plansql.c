/*
 * fuzz_plansql.c — libFuzzer target for the plan-filter translators.
 *
 * The input is a filter as JSON text.  It is printed as SQL over columns of
 * every type and as CEL; the CEL text, when there is one, is compiled and
 * evaluated for an empty resource.  Whatever the input, the translators
 * must return text or an error message: a crash, sanitizer report, timeout
 * or leak is a bug.  Seeds: Cerbos' plan filters (corpus/plansql/).
 *
 *   make -C test/fuzz && test/fuzz/build/fuzz_plansql -max_total_time=600 corpus/plansql
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plansql/plansql.h"
#include "plansql/plansql_eval.h"

static const char *const columns =
	"{\"s\": {\"type\": \"text\"}, \"n\": {\"type\": \"numeric\"}, \"b\": {\"type\": \"boolean\"},"
	" \"t\": {\"type\": \"timestamptz\"}, \"l\": {\"type\": \"text[]\"}, \"nl\": {\"type\": \"int[]\"},"
	" \"bl\": {\"type\": \"boolean[]\"}, \"j\": {\"type\": \"jsonb\"},"
	" \"status\": {\"type\": \"text\"}, \"owner\": \"owner_id\", \"geos\": {\"type\": \"jsonb\"},"
	" \"m\": {\"sql\": \"meta->'m'\", \"type\": \"jsonb\"}, \"id\": {\"column\": \"rid\"}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena	   *arena = arena_create(NULL, 64 * 1024 * 1024);
	char	   *text = malloc(size + 1);
	const char *error = NULL;
	PlanSqlStats stats;
	char	   *cel;

	if (text == NULL || arena == NULL)
	{
		free(text);
		if (arena)
			arena_destroy(arena);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	(void) plansql_sql_from_text(arena, text, columns, NULL, &stats, &error);
	(void) plansql_sql_from_text(arena, text, NULL, NULL, &stats, &error);
	cel = plansql_cel_from_text(arena, text, &error);
	if (cel != NULL)
	{
		PlanSqlCel *c = plansql_cel_compile(arena, cel, &error);

		if (c != NULL)
		{
			CelEvalContext ctx;

			memset(&ctx, 0, sizeof(ctx));
			ctx.arena = arena;
			ctx.max_iterations = 10000;
			ctx.max_string_bytes = 1 << 20;
			ctx.max_list_items = 10000;
			ctx.regex_match_limit = 100000;
			(void) plansql_cel_eval(&ctx, c, cel_map_from(arena, NULL, NULL, 0), "x");
		}
	}
	free(text);
	arena_destroy(arena);
	return 0;
}
