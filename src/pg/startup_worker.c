/*
 * startup_worker.c — loads authz.policy_dir when the server starts.
 *
 * A background worker (it needs shared memory, not a database) compiles
 * the directory once the server is consistent, so a standby loads its own
 * policies too.  A broken directory must not leave the server with half a
 * policy set: the worker logs every problem and publishes an empty set,
 * which denies everything, until a good set is loaded.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "store/image.h"

PGDLLEXPORT void authz_startup_loader_main(Datum arg);

void
authz_register_startup_worker(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "authz");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "authz_startup_loader_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "authz policy loader");
	snprintf(worker.bgw_type, BGW_MAXLEN, "authz policy loader");
	RegisterBackgroundWorker(&worker);
}

/* Publishes an empty, deny-everything policy set. */
static void
publish_empty(const char *source)
{
	Arena	   *arena = arena_create_in(CurrentMemoryContext, 0);
	size_t		size = 0;
	void	   *image = image_build(arena, NULL, 0, NULL, 0, &size);

	if (image == NULL)
		elog(ERROR, "out of memory building an empty policy image");
	authz_store_publish(InvalidOid, image, size, 0, source, NULL);
}

void
authz_startup_loader_main(Datum arg)
{
	uint32		n = 0;

	BackgroundWorkerUnblockSignals();
	if (authz_policy_dir == NULL || authz_policy_dir[0] == '\0')
		proc_exit(0);

	if (!authz_load_directory(InvalidOid, authz_policy_dir, WARNING, &n))
	{
		/* serve an explicit empty set, never half a set */
		publish_empty(psprintf("directory:%s (failed to load)", authz_policy_dir));
	}
	else
		ereport(LOG,
				(errmsg("authz loaded %u policies from \"%s\"", n, authz_policy_dir)));
	proc_exit(0);
}
