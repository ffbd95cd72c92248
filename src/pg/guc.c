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
char	   *authz_default_policy_version = NULL;
bool		authz_lenient_scope_search = false;
char	   *authz_globals = NULL;
int			authz_schema_enforcement = 0;
int			authz_max_resources_per_request = 50;
int			authz_max_actions_per_resource = 50;
char	   *authz_pinned_now = NULL;
bool		authz_decision_log_enabled = false;
int			authz_decision_log_size = 10000;
char	   *authz_supertokens_schema = NULL;
char	   *authz_supertokens_table_prefix = NULL;
char	   *authz_supertokens_app_id = NULL;
bool		authz_supertokens_check_revocation = false;
bool		authz_strict_evaluation = false;

static const struct config_enum_entry schema_enforcement_options[] = {
	{"none", 0, false},
	{"warn", 1, false},
	{"reject", 2, false},
	{NULL, 0, false}
};

/* authz.globals must be a JSON object. */
static bool
check_globals(char **newval, void **extra, GucSource source)
{
	const char *p = *newval;

	if (p == NULL || *p == '\0')
		return true;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '{')
	{
		GUC_check_errdetail("authz.globals must be a JSON object.");
		return false;
	}
	return true;
}

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

	DefineCustomStringVariable("authz.default_policy_version",
							   "Policy version used when a request names none (Cerbos' engine.defaultPolicyVersion).",
							   NULL,
							   &authz_default_policy_version,
							   "default",
							   PGC_SIGHUP,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("authz.lenient_scope_search",
							 "Use the nearest existing scope when a request's scope has no policy (Cerbos' engine.lenientScopeSearch).",
							 NULL,
							 &authz_lenient_scope_search,
							 false,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("authz.globals",
							   "Global values for conditions, a JSON object (Cerbos' engine.globals, G in CEL).",
							   NULL,
							   &authz_globals,
							   "",
							   PGC_SIGHUP,
							   0,
							   check_globals, NULL, NULL);

	DefineCustomEnumVariable("authz.schema_enforcement",
							 "How attribute schemas are enforced: none, warn or reject (Cerbos' schema.enforcement).",
							 NULL,
							 &authz_schema_enforcement,
							 0,
							 schema_enforcement_options,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("authz.max_resources_per_request",
							"Most resources one CheckResources request may name.",
							NULL,
							&authz_max_resources_per_request,
							50, 1, 100000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("authz.max_actions_per_resource",
							"Most actions one resource of a request may name.",
							NULL,
							&authz_max_actions_per_resource,
							50, 1, 100000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("authz.now",
							   "Pins now() in conditions to this timestamp (for tests); empty = the statement's start time.",
							   NULL,
							   &authz_pinned_now,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("authz.decision_log",
							 "Records every decision in a ring in shared memory (see authz_decision_log()).",
							 NULL,
							 &authz_decision_log_enabled,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("authz.decision_log_size",
							"Number of decisions the decision log keeps.",
							NULL,
							&authz_decision_log_size,
							10000, 0, 10000000,
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

	/*
	 * The SuperTokens core's own tables (session_core.c).  All superuser-only:
	 * whoever may point authz at a schema decides which keys are trusted.
	 */
	DefineCustomStringVariable("authz.supertokens_schema",
							   "Schema holding the SuperTokens core's tables (its PostgreSQL plugin); empty = not used.",
							   "When set, access tokens are verified with the core's own signing keys, and the user's roles, permissions and metadata join the principal.",
							   &authz_supertokens_schema,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("authz.supertokens_table_prefix",
							   "The core's postgresql_table_names_prefix (an \"_\" follows it when it is not empty).",
							   NULL,
							   &authz_supertokens_table_prefix,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("authz.supertokens_app_id",
							   "The SuperTokens app whose keys, sessions and users authz reads from the core's tables.",
							   NULL,
							   &authz_supertokens_app_id,
							   "public",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("authz.supertokens_check_revocation",
							 "Refuse an access token whose session row is gone from the core's session_info table.",
							 NULL,
							 &authz_supertokens_check_revocation,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	/* Cerbos' engine.strictEvaluation; part of the compiled set's settings */
	DefineCustomBoolVariable("authz.strict_evaluation",
							 "A CEL error in a condition denies the action instead of making the condition false (Cerbos' engine.strictEvaluation).",
							 NULL,
							 &authz_strict_evaluation,
							 false,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
}
