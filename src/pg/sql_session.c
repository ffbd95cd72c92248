/*
 * sql_session.c — SQL functions around the session principal.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "authz_pg.h"

PG_FUNCTION_INFO_V1(authz_set_principal);
PG_FUNCTION_INFO_V1(authz_principal);
PG_FUNCTION_INFO_V1(authz_reset_session);

/* authz_set_principal(principal jsonb, for_session boolean) RETURNS jsonb */
Datum
authz_set_principal(PG_FUNCTION_ARGS)
{
	Jsonb	   *principal = PG_GETARG_JSONB_P(0);
	bool		for_session = PG_GETARG_BOOL(1);

	authz_require_shmem();
	authz_check_trusted("set the principal");
	authz_validate_principal(principal, "principal");
	authz_install_principal(principal, NULL, for_session);
	PG_RETURN_JSONB_P(principal);
}

/* authz_principal() RETURNS jsonb: the current principal or NULL. */
Datum
authz_principal(PG_FUNCTION_ARGS)
{
	Jsonb	   *p;

	authz_require_shmem();
	p = authz_current_principal();
	if (p == NULL)
		PG_RETURN_NULL();
	PG_RETURN_JSONB_P(p);
}

/* authz_reset_session() RETURNS void: forget the principal (any scope). */
Datum
authz_reset_session(PG_FUNCTION_ARGS)
{
	authz_require_shmem();
	authz_clear_principal();
	PG_RETURN_VOID();
}
