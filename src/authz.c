/*
 * authz.c — module initialisation.
 *
 * authz keeps the compiled policies in shared memory, so it only works
 * when loaded through shared_preload_libraries: loaded any other way it
 * refuses with an error and a hint instead of half-working.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "pg/authz_pg.h"
#include "pg/compiled_shmem.h"
#include "pg/eval_limits.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("authz must be loaded via shared_preload_libraries"),
				 errhint("Add authz to shared_preload_libraries in postgresql.conf and restart.")));

	authz_define_gucs();
	authz_define_limit_gucs();
	authz_inline_init();
	authz_compiled_define_guc();
	MarkGUCPrefixReserved("authz");
	authz_store_install_hooks();
	authz_principal_install_hooks();
	authz_rls_install_hooks();
	authz_register_startup_worker();
}
