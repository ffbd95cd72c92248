/*
 * test_set_config.c — one compiled rule table, several engine settings.
 *
 * The shared-memory store compiles a policy set once with default settings
 * and every backend decides with its own settings through
 * engine_set_with_config.  These checks compare such a view with a set
 * compiled directly with the same settings, and make sure the base set is
 * left as it was (it is read-only shared memory in the server).
 */
#include <string.h>

#include "unit.h"
#include "engine/engine_int.h"

#define BOB "{\"id\":\"bob\",\"roles\":[\"user\"]}"
#define DOC(attr) "{\"kind\":\"document\",\"id\":\"d1\",\"attr\":" attr "}"
#define PAGES DOC("{\"pages\":10}")
#define TWO "{\"principal\":" BOB ",\"resources\":[" \
	"{\"resource\":" PAGES ",\"actions\":[\"pages\"]}," \
	"{\"resource\":" PAGES ",\"actions\":[\"pages\"]}]}"

/* The effect of one decision; 0 when the request was rejected. */
static int
effect(const EngineSet *set, Arena *arena, const char *resource, const char *action)
{
	EngineDecision d;
	const char *err = NULL;

	if (!engine_check_one(set, arena, BOB, resource, action, NULL, &d, &err))
		return 0;
	return d.effect;
}

int
main(void)
{
	Arena	   *arena = arena_create(NULL, 0);
	DiagList	diags;
	EngineConfig none;
	EngineConfig test_env;
	EngineConfig v2;
	EngineConfig limited;
	EngineConfig bad;
	EngineSet  *base;
	EngineSet  *direct;
	EngineSet  *view;
	EngineSet  *view_v2;
	EngineSet  *view_limited;
	EngineSet	before;
	const char *err = NULL;

	diag_init(&diags, arena);
	memset(&none, 0, sizeof(none));
	base = engine_compile_dir(arena, "../engine/policies", NULL, &diags);
	CHECK(base != NULL);
	if (base == NULL)
		UNIT_DONE("set_config");
	before = *base;

	/* globals: the condition reads G.env == "test" */
	test_env = none;
	test_env.globals_json = "{\"env\":\"test\"}";
	direct = engine_compile_dir(arena, "../engine/policies", &test_env, &diags);
	view = engine_set_with_config(arena, base, &test_env, &diags);
	CHECK(direct != NULL && view != NULL);
	CHECK(effect(base, arena, PAGES, "pages") == ENGINE_EFFECT_DENY);
	CHECK(effect(direct, arena, PAGES, "pages") == ENGINE_EFFECT_ALLOW);
	CHECK(effect(view, arena, PAGES, "pages") == ENGINE_EFFECT_ALLOW);
	/* the view shares the rule table, not the header */
	CHECK(view != base);
	CHECK(engine_set_row_count(view) == engine_set_row_count(base));
	CHECK(memcmp(&before, base, sizeof(before)) == 0);
	CHECK(effect(base, arena, PAGES, "pages") == ENGINE_EFFECT_DENY);

	/* default policy version: v2 has no document policy */
	v2 = test_env;
	v2.default_policy_version = "v2";
	view_v2 = engine_set_with_config(arena, base, &v2, &diags);
	CHECK(view_v2 != NULL);
	CHECK(effect(view_v2, arena, DOC("{\"owner\":\"bob\"}"), "view") == ENGINE_EFFECT_DENY);
	CHECK(effect(view, arena, DOC("{\"owner\":\"bob\"}"), "view") == ENGINE_EFFECT_ALLOW);

	/* request limits are the view's: one resource per request */
	limited = test_env;
	limited.max_resources = 1;
	view_limited = engine_set_with_config(arena, base, &limited, &diags);
	CHECK(view_limited != NULL);
	CHECK(engine_check_json(view_limited, arena, TWO, strlen(TWO), NULL, &err) == NULL);
	CHECK(err != NULL && strstr(err, "exceeds the configured limit of 1") != NULL);
	err = NULL;
	CHECK(engine_check_json(view, arena, TWO, strlen(TWO), NULL, &err) != NULL);

	/* invalid globals: no view, an error that says why */
	bad = none;
	bad.globals_json = "[1]";
	diag_init(&diags, arena);
	CHECK(engine_set_with_config(arena, base, &bad, &diags) == NULL);
	CHECK(diags.count == 1 && strstr(diag_render(&diags), "globals must be a JSON object") != NULL);
	CHECK(engine_set_with_config(arena, NULL, &none, &diags) == NULL);
	CHECK(memcmp(&before, base, sizeof(before)) == 0);

	arena_destroy(arena);
	UNIT_DONE("set_config");
}
