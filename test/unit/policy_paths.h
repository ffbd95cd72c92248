/*
 * policy_paths.h — where the policy unit tests find their data.
 *
 * Tests run from test/unit/.  The shared Cerbos stores live in
 * ../shared/data/ next to the project (AUTHZ_DATA overrides); the broken
 * and good corpora are in the project's test/policies/.
 */
#ifndef AUTHZ_POLICY_PATHS_H
#define AUTHZ_POLICY_PATHS_H

#include <stdlib.h>
#include <sys/stat.h>

/* The shared data directory, or NULL when it cannot be found. */
static inline const char *
shared_data_dir(void)
{
	static const char *const candidates[] = {
		"../../../shared/data", "../../../../shared/data", "/work/shared/data"
	};
	const char *env = getenv("AUTHZ_DATA");
	struct stat st;
	size_t		i;

	if (env && stat(env, &st) == 0)
		return env;
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (stat(candidates[i], &st) == 0 && S_ISDIR(st.st_mode))
			return candidates[i];
	return NULL;
}

#define POLICY_CORPUS "../policies"

#endif							/* AUTHZ_POLICY_PATHS_H */
