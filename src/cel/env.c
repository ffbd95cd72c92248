/*
 * env.c — checker environments: declared variables and libraries, and the
 * environment Cerbos 0.55 compiles conditions in.
 *
 * Cerbos declares request, P, R and runtime as protobuf messages and
 * variables/V, constants/C, globals/G as its "Variables" map type.  authz
 * has no protobuf types, so the message-typed names are declared dyn (their
 * fields are then dyn too, as attribute values are) and the variable maps
 * as map(string, dyn), which types selections on them the same way.
 */
#include "cel_env.h"
#include "cel_registry.h"

#include <string.h>

/* An empty environment allocated in the arena. */
CelEnv *
cel_env_new(Arena *arena)
{
	CelEnv	   *env = (CelEnv *) arena_alloc0(arena, sizeof(CelEnv));

	if (env != NULL)
		env->arena = arena;
	return env;
}

/* Declares (or redeclares) a variable; the name is copied. */
void
cel_env_declare(CelEnv *env, const char *name, const CelType *type)
{
	if (env == NULL || name == NULL)
		return;
	for (int i = 0; i < env->nvars; i++)
		if (strcmp(env->vars[i].name, name) == 0)
		{
			env->vars[i].type = type ? type : &cel_type_dyn;
			return;
		}
	if (env->nvars == env->capvars)
	{
		int			ncap = env->capvars ? env->capvars * 2 : 16;
		CelEnvVar  *n = (CelEnvVar *) arena_realloc(env->arena, env->vars,
												   sizeof(CelEnvVar) * (size_t) env->capvars,
												   sizeof(CelEnvVar) * (size_t) ncap);

		if (n == NULL)
			return;
		env->vars = n;
		env->capvars = ncap;
	}
	env->vars[env->nvars].name = arena_strdup(env->arena, name);
	env->vars[env->nvars].type = type ? type : &cel_type_dyn;
	if (env->vars[env->nvars].name != NULL)
		env->nvars++;
}

/* Records a library as in use (the checker resolves against all of them). */
void
cel_env_use_library(CelEnv *env, const CelLibrary *library)
{
	if (env == NULL || library == NULL)
		return;
	if (env->nlibraries == env->caplibraries)
	{
		int			ncap = env->caplibraries ? env->caplibraries * 2 : 16;
		const CelLibrary **n = (const CelLibrary **)
			arena_realloc(env->arena, (void *) env->libraries,
						  sizeof(CelLibrary *) * (size_t) env->caplibraries,
						  sizeof(CelLibrary *) * (size_t) ncap);

		if (n == NULL)
			return;
		env->libraries = n;
		env->caplibraries = ncap;
	}
	env->libraries[env->nlibraries++] = library;
}

const CelType *
cel_env_lookup(const CelEnv *env, const char *name)
{
	if (env == NULL)
		return NULL;
	for (int i = env->nvars - 1; i >= 0; i--)
		if (strcmp(env->vars[i].name, name) == 0)
			return env->vars[i].type;
	return NULL;
}

/* map(string, dyn): the type of Cerbos' variables, constants and globals. */
static const CelType variables_type = {CEL_T_MAP, {&cel_type_string, &cel_type_dyn}, NULL};

/* The environment of a Cerbos 0.55 condition. */
CelEnv *
cel_env_cerbos(Arena *arena)
{
	static const char *const dyn_names[] = {"request", "P", "R", "runtime"};
	static const char *const map_names[] = {
		"variables", "V", "constants", "C", "globals", "G"
	};
	CelEnv	   *env = cel_env_new(arena);

	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(dyn_names) / sizeof(dyn_names[0]); i++)
		cel_env_declare(env, dyn_names[i], &cel_type_dyn);
	for (size_t i = 0; i < sizeof(map_names) / sizeof(map_names[0]); i++)
		cel_env_declare(env, map_names[i], &variables_type);
	for (int i = 0; i < cel_all_libraries_count; i++)
		cel_env_use_library(env, cel_all_libraries[i]);
	return env;
}
