/*
 * privileges.c — who may administer authz and who may set principals.
 *
 * EXECUTE grants already restrict the functions; these checks repeat the
 * rule inside C so that a grant made by mistake cannot open them up.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/acl.h"

#include "authz_pg.h"

/* Whether the current user has the privileges of the named role. */
static bool
member_of(const char *role)
{
	Oid			oid = get_role_oid(role, true);

	return OidIsValid(oid) && has_privs_of_role(GetUserId(), oid);
}

/* Errors unless the current user is a superuser or a member of authz_admin. */
void
authz_check_admin(const char *what)
{
	if (superuser() || member_of("authz_admin"))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s", what),
			 errhint("Only superusers and members of authz_admin may %s.", what)));
}

/* Errors unless the user is a superuser, authz_admin or authz_trusted. */
void
authz_check_trusted(const char *what)
{
	if (superuser() || member_of("authz_admin") || member_of("authz_trusted"))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s", what),
			 errhint("Only superusers and members of authz_admin or authz_trusted may %s.", what)));
}
