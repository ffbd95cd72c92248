/*
 * cel_env.h — what the checker needs to see inside a CelEnv (env.c).
 *
 * A CelEnv is a flat list of declared variables (name, type) plus the
 * libraries requested.  Lookups are linear: an environment holds a dozen
 * names, and the checker consults it once per identifier.
 */
#ifndef AUTHZ_CEL_ENV_H
#define AUTHZ_CEL_ENV_H

#include "cel.h"

typedef struct CelEnvVar
{
	const char *name;
	const CelType *type;
} CelEnvVar;

struct CelEnv
{
	Arena	   *arena;
	CelEnvVar  *vars;
	int			nvars;
	int			capvars;
	const CelLibrary **libraries;
	int			nlibraries;
	int			caplibraries;
};

/* The declared type of a variable, or NULL (later declarations win). */
extern const CelType *cel_env_lookup(const CelEnv *env, const char *name);

/* The type of a field of one of Cerbos' message types, or NULL. */
extern const CelType *cel_env_message_field(const CelType *message,
											const char *field);

#endif							/* AUTHZ_CEL_ENV_H */
