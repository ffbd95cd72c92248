/*
 * env.c — checker environments: declared variables and libraries, and the
 * environment Cerbos 0.55 compiles conditions in.
 *
 * Cerbos declares request, P, R and runtime as protobuf messages and
 * variables/V, constants/C, globals/G as its "Variables" map type.  authz
 * has no protobuf, so the messages are described here by their fields
 * (reachable under both the proto and the camelCase names, as Cerbos' field
 * provider allows), which is all the checker needs: R.id is a string, so
 * R.id + 1 is rejected as Cerbos rejects it, R.attr is map(string, dyn) and
 * an unknown field is "undefined field".  The variable maps are
 * map(string, dyn).
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

/* The declared type of a variable, or NULL. */
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
static const CelType list_string_type = {CEL_T_LIST, {&cel_type_string, NULL}, NULL};

static const CelType request_type = {CEL_T_MESSAGE, {NULL, NULL}, "cerbos.engine.v1.Request"};
static const CelType principal_type = {CEL_T_MESSAGE, {NULL, NULL},
"cerbos.engine.v1.Request.Principal"};
static const CelType resource_type = {CEL_T_MESSAGE, {NULL, NULL},
"cerbos.engine.v1.Request.Resource"};
static const CelType aux_data_type = {CEL_T_MESSAGE, {NULL, NULL}, "cerbos.engine.v1.AuxData"};
static const CelType runtime_type = {CEL_T_MESSAGE, {NULL, NULL}, "cerbos.engine.v1.Runtime"};
static const CelType jwt_type = {CEL_T_MESSAGE, {NULL, NULL}, "cerbos.engine.v1.AuxData.JWT"};
static const CelType jwts_type = {CEL_T_MAP, {&cel_type_string, &jwt_type}, NULL};

typedef struct MessageField
{
	const CelType *message;
	const char *name;
	const char *camel;			/* camelCase alias, or NULL */
	const CelType *type;
} MessageField;

static const MessageField message_fields[] = {
	{&request_type, "principal", NULL, &principal_type},
	{&request_type, "resource", NULL, &resource_type},
	{&request_type, "aux_data", "auxData", &aux_data_type},
	{&principal_type, "id", NULL, &cel_type_string},
	{&principal_type, "roles", NULL, &list_string_type},
	{&principal_type, "attr", NULL, &variables_type},
	{&principal_type, "policy_version", "policyVersion", &cel_type_string},
	{&principal_type, "scope", NULL, &cel_type_string},
	{&resource_type, "kind", NULL, &cel_type_string},
	{&resource_type, "id", NULL, &cel_type_string},
	{&resource_type, "attr", NULL, &variables_type},
	{&resource_type, "policy_version", "policyVersion", &cel_type_string},
	{&resource_type, "scope", NULL, &cel_type_string},
	{&aux_data_type, "jwt", NULL, &variables_type},
	{&aux_data_type, "jwts", NULL, &jwts_type},
	{&jwt_type, "claims", NULL, &variables_type},
	{&runtime_type, "effective_derived_roles", "effectiveDerivedRoles", &list_string_type},
};

/* The type of field `field` of a message type, or NULL if it has none. */
const CelType *
cel_env_message_field(const CelType *message, const char *field)
{
	if (message == NULL || message->kind != CEL_T_MESSAGE || message->name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(message_fields) / sizeof(message_fields[0]); i++)
	{
		const MessageField *f = &message_fields[i];

		if (strcmp(f->message->name, message->name) != 0)
			continue;
		if (strcmp(f->name, field) == 0 || (f->camel && strcmp(f->camel, field) == 0))
			return f->type;
	}
	return NULL;
}

/* The environment of a Cerbos 0.55 condition. */
CelEnv *
cel_env_cerbos(Arena *arena)
{
	static const char *const map_names[] = {
		"variables", "V", "constants", "C", "globals", "G"
	};
	CelEnv	   *env = cel_env_new(arena);

	if (env == NULL)
		return NULL;
	cel_env_declare(env, "request", &request_type);
	cel_env_declare(env, "P", &principal_type);
	cel_env_declare(env, "R", &resource_type);
	cel_env_declare(env, "runtime", &runtime_type);
	for (size_t i = 0; i < sizeof(map_names) / sizeof(map_names[0]); i++)
		cel_env_declare(env, map_names[i], &variables_type);
	for (int i = 0; i < cel_all_libraries_count; i++)
		cel_env_use_library(env, cel_all_libraries[i]);
	return env;
}
