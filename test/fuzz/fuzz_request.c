/*
 * fuzz_request.c — any bytes as the body of a CheckResources or a
 * PlanResources request, answered by engine_check_json or engine_plan_json
 * over a real policy store.  Must never crash, leak or read out of bounds;
 * rejected requests are expected.
 *
 * The policy store is compiled once, in two engine configurations (plain,
 * and lenient scope search with schemas rejected), so that the decoder,
 * rule selection, derived roles, schemas, outputs and CEL conditions are
 * all reachable.  The last byte of the input picks the configuration (bit
 * 0), PlanResources instead of CheckResources (bit 1: a request ending in
 * a newline is planned), for plans, condition marks (bit 2) and strict
 * evaluation (bit 3), so a seed replays the same way every time.  The store is Cerbos' engine
 * test store under ../shared/data when it is there (AUTHZ_FUZZ_POLICIES
 * overrides), else this project's test/policies/good/all_kinds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/plan.h"

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const store_candidates[] = {
	"../../../shared/data/cerbos/policies/store",
	"../../../../shared/data/cerbos/policies/store",
	"/work/shared/data/cerbos/policies/store",
	"../policies/good/all_kinds",
};

static Arena *compile_arena;
static EngineSet *sets[2];
static bool verbose;			/* AUTHZ_FUZZ_VERBOSE=1: print each answer */

/* Compiles the store in one configuration; exits if it does not compile. */
static EngineSet *
compile_store(const char *dir, bool strict)
{
	EngineConfig config;
	DiagList	diags;
	EngineSet  *set;

	memset(&config, 0, sizeof(config));
	config.globals_json = "{\"environment\":\"test\"}";
	config.max_resources = 50;
	config.max_actions = 50;
	if (strict)
	{
		config.lenient_scope_search = true;
		config.schema_enforcement = ENGINE_SCHEMA_REJECT;
	}
	diag_init(&diags, compile_arena);
	set = engine_compile_dir(compile_arena, dir, &config, &diags);
	if (set == NULL)
	{
		fprintf(stderr, "fuzz_request: %s does not compile:\n%s\n", dir, diag_render(&diags));
		exit(2);
	}
	return set;
}

/* Finds and compiles the policy store before the first input. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("AUTHZ_FUZZ_POLICIES");
	size_t		i;

	for (i = 0; dir == NULL && i < sizeof(store_candidates) / sizeof(store_candidates[0]); i++)
	{
		struct stat st;

		if (stat(store_candidates[i], &st) == 0 ||
			i + 1 == sizeof(store_candidates) / sizeof(store_candidates[0]))
			dir = store_candidates[i];
	}
	verbose = getenv("AUTHZ_FUZZ_VERBOSE") != NULL;
	compile_arena = arena_create(NULL, 256 * 1024 * 1024);
	sets[0] = compile_store(dir, false);
	sets[1] = compile_store(dir, true);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena	   *arena = arena_create(NULL, 64 * 1024 * 1024);
	EngineCheckOptions options;
	const char *error = NULL;
	char	   *body;
	char	   *response;

	if (arena == NULL)
		return 0;
	/* exactly sized, so ASan sees a read past the end */
	body = malloc(size ? size : 1);
	if (body == NULL)
	{
		arena_destroy(arena);
		return 0;
	}
	memcpy(body, data, size);
	memset(&options, 0, sizeof(options));
	options.now_pinned = true;
	options.now_sec = 1705356000;
	{
		uint8_t		selector = size > 0 ? data[size - 1] : 0;
		const EngineSet *set = sets[selector & 1];

		/* bit 3: strict evaluation (the same walk, stopping at errors) */
		options.strict_evaluation = (selector & 8) != 0;

		if (selector & 2)
			response = engine_plan_json(set, arena, body, size, &options, (selector & 4) != 0,
										&error);
		else
			response = engine_check_json(set, arena, body, size, &options, &error);
	}
	if (verbose)
		fprintf(stderr, "%s\n", response ? response : error);
	free(body);
	arena_destroy(arena);
	return 0;
}
