/*
 * guc.c — authz's configuration parameters.
 *
 * Every parameter is documented in the README's Configuration section.
 * Limits that protect the server are superuser-only (PGC_SUSET or
 * stricter) so that an ordinary role cannot lift them for its session.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"

#include "authz_pg.h"

char	   *authz_policy_dir = NULL;
int			authz_max_image_size_kb = 64 * 1024;
int			authz_max_policy_file_kb = 1024;
int			authz_max_databases = 16;
char	   *authz_supertokens_jwks_file = NULL;
int			authz_supertokens_leeway = 0;
char	   *authz_principal_mapping = NULL;

void
authz_define_gucs(void)
{
	DefineCustomStringVariable("authz.policy_dir",
							   "Directory of Cerbos policies loaded at server start and by authz_reload().",
							   "Empty means no server-wide policies: everything is denied until policies are loaded.",
							   &authz_policy_dir,
							   "",
							   PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("authz.max_image_size",
							"Largest compiled policy image that may be published.",
							NULL,
							&authz_max_image_size_kb,
							64 * 1024, 64, INT_MAX / 1024,
							PGC_SIGHUP,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("authz.max_policy_file_size",
							"Largest policy file that will be read.",
							NULL,
							&authz_max_policy_file_kb,
							1024, 1, INT_MAX / 1024,
							PGC_SIGHUP,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("authz.max_databases",
							"Number of databases that can hold their own policy set.",
							"Databases without their own set use the server-wide set from authz.policy_dir.",
							&authz_max_databases,
							16, 1, 1024,
							PGC_POSTMASTER,
							0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("authz.supertokens_jwks_file",
							   "File holding a SuperTokens JWKS whose keys verify access tokens.",
							   "Used together with the keys stored by authz_set_jwks().",
							   &authz_supertokens_jwks_file,
							   "",
							   PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("authz.supertokens_leeway",
							"Clock skew allowed when checking access-token expiry and issue time.",
							NULL,
							&authz_supertokens_leeway,
							0, 0, 3600,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomStringVariable("authz.principal_mapping",
							   "How access-token claims become the principal (JSON; empty = the default mapping).",
							   NULL,
							   &authz_principal_mapping,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);
}
