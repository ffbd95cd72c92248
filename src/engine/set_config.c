/*
 * set_config.c — the engine settings a compiled set decides with.
 *
 * Cerbos' engine settings (default policy version, lenient scope search,
 * globals, schema enforcement, request limits) are read at check time
 * only: no row, index or CEL AST of the rule table depends on them.  So a
 * rule table compiled once can be shared by processes whose settings
 * differ: each gives it its own settings through a small private copy of
 * the set's header (engine_set_with_config), while the rows, policies,
 * indexes and ASTs stay where they are, read-only.  engine_build applies
 * the settings the same way, so both paths agree by construction.
 */
#include "engine_int.h"

#include <string.h>

/* Copies config (strings included) into set and decodes the globals. */
bool
engine_apply_config(Arena *arena, EngineSet *set, const EngineConfig *config,
					DiagList *diags)
{
	memset(&set->config, 0, sizeof(set->config));
	set->default_version = "default";
	set->globals = cel_map_from(arena, NULL, NULL, 0);
	if (config == NULL)
		return true;
	set->config = *config;
	/* the caller's strings may not live as long as the set */
	if (config->default_policy_version)
	{
		set->config.default_policy_version = arena_strdup(arena, config->default_policy_version);
		set->default_version = set->config.default_policy_version;
	}
	if (config->globals_json)
	{
		json_error_t jerr;
		json_t	   *g;

		set->config.globals_json = arena_strdup(arena, config->globals_json);
		g = json_loads(config->globals_json, 0, &jerr);
		if (g == NULL || !json_is_object(g))
		{
			diag_add(diags, "<config>", 0, 0, "globals must be a JSON object");
			json_decref(g);
			return false;
		}
		set->globals = engine_json_to_cel(arena, g, 0);
		json_decref(g);
	}
	if (arena->failed || set->default_version == NULL)
	{
		diag_add(diags, "<config>", 0, 0, "out of memory applying the engine settings");
		return false;
	}
	return true;
}

/*
 * A set that shares base's rule table but decides with config: only the
 * header is copied (into arena); base is not touched.  NULL on failure.
 */
EngineSet *
engine_set_with_config(Arena *arena, const EngineSet *base, const EngineConfig *config,
					   DiagList *diags)
{
	EngineSet  *set;

	if (base == NULL)
		return NULL;
	set = arena_alloc(arena, sizeof(EngineSet));
	if (set == NULL)
	{
		diag_add(diags, "<config>", 0, 0, "out of memory applying the engine settings");
		return NULL;
	}
	*set = *base;
	return engine_apply_config(arena, set, config, diags) ? set : NULL;
}
