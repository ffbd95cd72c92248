/*
 * test_set_copy.c — a compiled set copied alone decides as the original.
 *
 * The server compiles a policy set in scratch memory and copies only the
 * set into shared memory (engine_set_copy).  Here every request of Cerbos'
 * engine and planner tests (check.jsonl, plan.jsonl) is answered by a set
 * compiled directly and by a copy whose compile arena has been destroyed
 * (so a pointer the copy missed would read freed memory, which the
 * sanitized run catches), each with the request's engine configuration
 * applied through engine_set_with_config; the answers must be identical.
 * The copy must also be much smaller than the compile arena.
 */
#include <jansson.h>
#include <string.h>

#include "unit.h"
#include "policy_paths.h"
#include "engine/engine.h"
#include "engine/plan.h"

/* The engine settings of one configs.json entry. */
static void
config_of(json_t *config, EngineConfig *ec)
{
	json_t	   *g = json_object_get(config, "globals");
	json_t	   *lim = json_object_get(config, "requestLimits");
	const char *se = json_string_value(json_object_get(config, "schemaEnforcement"));

	memset(ec, 0, sizeof(*ec));
	ec->globals_json = g ? json_dumps(g, JSON_COMPACT) : NULL;
	ec->lenient_scope_search = json_is_true(json_object_get(config, "lenientScopeSearch"));
	ec->schema_enforcement = se == NULL ? ENGINE_SCHEMA_NONE :
		strcmp(se, "warn") == 0 ? ENGINE_SCHEMA_WARN :
		strcmp(se, "reject") == 0 ? ENGINE_SCHEMA_REJECT : ENGINE_SCHEMA_NONE;
	if (lim)
	{
		ec->max_actions = (int) json_integer_value(json_object_get(lim, "maxActionsPerResource"));
		ec->max_resources = (int) json_integer_value(json_object_get(lim, "maxResourcesPerRequest"));
	}
}

/* Answers every request of file for policy_set on both sets; returns how many. */
static int
compare(const char *base, const char *file, const char *policy_set, bool plan,
		const EngineSet *direct, const EngineSet *copy, json_t *configs, int *same)
{
	char		path[2048];
	FILE	   *f;
	char	   *line = NULL;
	size_t		cap = 0;
	int			n = 0;
	EngineCheckOptions opts;

	memset(&opts, 0, sizeof(opts));
	opts.now_pinned = true;
	opts.now_sec = 1705353507;	/* the planner tests' instant */
	snprintf(path, sizeof(path), "%s/cerbos/%s", base, file);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0)
	{
		json_t	   *c = json_loads(line, 0, NULL);
		Arena	   *arena;
		DiagList	diags;
		EngineConfig ec;
		EngineSet  *a,
				   *b;
		char	   *body;
		const char *ea = NULL,
				   *eb = NULL;
		char	   *ra,
				   *rb;

		if (c == NULL || strcmp(json_string_value(json_object_get(c, "policy_set")), policy_set) != 0)
		{
			json_decref(c);
			continue;
		}
		arena = arena_create(NULL, 0);
		diag_init(&diags, arena);
		config_of(json_object_get(configs, json_string_value(json_object_get(c, "config"))), &ec);
		a = engine_set_with_config(arena, direct, &ec, &diags);
		b = engine_set_with_config(arena, copy, &ec, &diags);
		body = json_dumps(json_object_get(c, "request"), JSON_COMPACT);
		if (plan)
		{
			ra = engine_plan_json(a, arena, body, strlen(body), &opts, true, &ea);
			rb = engine_plan_json(b, arena, body, strlen(body), &opts, true, &eb);
		}
		else
		{
			ra = engine_check_json(a, arena, body, strlen(body), &opts, &ea);
			rb = engine_check_json(b, arena, body, strlen(body), &opts, &eb);
		}
		n++;
		if ((ra && rb && strcmp(ra, rb) == 0) || (!ra && !rb && ea && eb && strcmp(ea, eb) == 0))
			(*same)++;
		else
			fprintf(stderr, "%s: %s differs:\n  %s\n  %s\n", file,
					json_string_value(json_object_get(c, "id")), ra ? ra : ea, rb ? rb : eb);
		free((void *) ec.globals_json);
		free(body);
		arena_destroy(arena);
		json_decref(c);
	}
	free(line);
	fclose(f);
	return n;
}

int
main(void)
{
	const char *base = shared_data_dir();
	static const char *const sets[] = {"store", "query_planner"};
	char		path[2048];
	json_t	   *configs;
	size_t		i;

	if (base == NULL)
	{
		fprintf(stderr, "shared data not found: skipped\n");
		UNIT_DONE("set_copy");
	}
	snprintf(path, sizeof(path), "%s/cerbos/configs.json", base);
	configs = json_load_file(path, 0, NULL);
	CHECK(configs != NULL);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
	{
		Arena	   *compile = arena_create(NULL, 0);
		Arena	   *reference = arena_create(NULL, 0);
		Arena	   *dst = arena_create(NULL, 0);
		Arena	   *scratch = arena_create(NULL, 0);
		DiagList	diags;
		EngineSet  *direct,
				   *original,
				   *copy;
		int			same = 0,
					n;

		snprintf(path, sizeof(path), "%s/cerbos/policies/%s", base, sets[i]);
		diag_init(&diags, reference);
		direct = engine_compile_dir(reference, path, NULL, &diags);
		original = engine_compile_dir(compile, path, NULL, &diags);
		CHECK(direct != NULL && original != NULL);
		if (direct == NULL || original == NULL)
			continue;
		copy = engine_set_copy(dst, original, scratch);
		CHECK(copy != NULL);
		if (copy == NULL)
			continue;
		fprintf(stderr, "%s: compile arena %zu bytes, copy %zu bytes\n", sets[i],
				compile->total, dst->total);
		CHECK(dst->total * 4 < compile->total);
		CHECK(engine_set_row_count(copy) == engine_set_row_count(original));
		CHECK(engine_set_policy_count(copy) == engine_set_policy_count(original));
		/* nothing of the compile may be needed any more */
		arena_destroy(compile);
		arena_destroy(scratch);
		n = compare(base, "check.jsonl", sets[i], false, direct, copy, configs, &same);
		n += compare(base, "plan.jsonl", sets[i], true, direct, copy, configs, &same);
		fprintf(stderr, "%s: %d of %d answers equal\n", sets[i], same, n);
		CHECK(n > 20);
		CHECK(same == n);
		arena_destroy(dst);
		arena_destroy(reference);
	}
	/* a destination too small fails cleanly */
	{
		Arena	   *compile = arena_create(NULL, 0);
		Arena	   *tiny = arena_create(NULL, 4096);
		Arena	   *scratch = arena_create(NULL, 0);
		DiagList	diags;
		EngineSet  *original;

		snprintf(path, sizeof(path), "%s/cerbos/policies/store", base);
		diag_init(&diags, compile);
		original = engine_compile_dir(compile, path, NULL, &diags);
		CHECK(original != NULL && engine_set_copy(tiny, original, scratch) == NULL);
		CHECK(tiny->failed);
		arena_destroy(compile);
		arena_destroy(tiny);
		arena_destroy(scratch);
	}
	json_decref(configs);
	UNIT_DONE("set_copy");
}
