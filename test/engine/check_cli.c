/*
 * check_cli.c — runs CheckResources requests through the engine, one JSON
 * request per input line, one response (or {"error": ...}) per output line.
 * Used by differential.py to compare the engine with the Cerbos binary.
 *
 *   check_cli POLICY_DIR [GLOBALS_JSON] [lenient] [strict] [warn|reject] < requests.jsonl
 *
 * lenient and strict turn on Cerbos' engine.lenientScopeSearch and
 * engine.strictEvaluation; warn and reject set schema.enforcement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

int
main(int argc, char **argv)
{
	Arena	   *arena = arena_create(NULL, 0);
	Arena	   *req_arena = arena_create(NULL, 0);
	DiagList	diags;
	EngineConfig config;
	EngineSet  *set;
	static char line[1 << 20];

	if (argc < 2)
	{
		fprintf(stderr, "usage: check_cli POLICY_DIR [GLOBALS_JSON] [lenient] [strict] [warn|reject]\n");
		return 2;
	}
	memset(&config, 0, sizeof(config));
	config.globals_json = argc > 2 ? argv[2] : NULL;
	for (int i = 3; i < argc; i++)
	{
		if (strcmp(argv[i], "lenient") == 0)
			config.lenient_scope_search = true;
		else if (strcmp(argv[i], "strict") == 0)
			config.strict_evaluation = true;
		else if (strcmp(argv[i], "warn") == 0)
			config.schema_enforcement = ENGINE_SCHEMA_WARN;
		else if (strcmp(argv[i], "reject") == 0)
			config.schema_enforcement = ENGINE_SCHEMA_REJECT;
	}
	diag_init(&diags, arena);
	set = engine_compile_dir(arena, argv[1], &config, &diags);
	if (set == NULL)
	{
		fprintf(stderr, "%s\n", diag_render(&diags));
		return 1;
	}
	while (fgets(line, sizeof(line), stdin) != NULL)
	{
		const char *err = NULL;
		char	   *resp = engine_check_json(set, req_arena, line, strlen(line), NULL, &err);

		if (resp)
			printf("%s\n", resp);
		else
			printf("{\"error\":\"%s\"}\n", err ? "rejected" : "?");
		fflush(stdout);
		arena_reset(req_arena);
	}
	return 0;
}
