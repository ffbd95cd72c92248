/*
 * load.c — compiling policy directories and publishing them.
 *
 * Loading is all or nothing: the directory is compiled into a complete
 * image in backend memory first, and only a successful compilation is
 * published.  Every problem found is reported in one ERROR, one
 * "file:line:column: message" line each, so a user fixes a policy
 * repository in one round trip.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "store/image_source.h"

/*
 * Compiles dir and publishes it for dbid (InvalidOid = server-wide).
 * On failure reports at elevel (ERROR throws; LOG/WARNING return false
 * and publish nothing).
 */
bool
authz_load_directory(Oid dbid, const char *dir, int elevel_on_error,
					 uint32 *npolicies_out)
{
	MemoryContext ctx = AllocSetContextCreate(CurrentMemoryContext,
											  "authz policy load",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(ctx);
	Arena	   *arena = arena_create_in(ctx, 0);
	DiagList	diags;
	void	   *image;
	size_t		size = 0;
	uint32		npolicies = 0;
	char	   *source;
	EngineSet  *set = NULL;

	diag_init(&diags, arena);
	/* the set compiled on the way is the one shared memory receives */
	image = image_compile_set(arena, dir, NULL, 0, (size_t) authz_max_policy_file_kb * 1024,
							  &npolicies, &size, &set, &diags);
	if (image == NULL)
	{
		char	   *rendered = diag_render(&diags);
		int			nerrors = diags.count + diags.dropped;

		MemoryContextSwitchTo(old);
		ereport(elevel_on_error,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not load policies from \"%s\": %d problem%s found",
						dir, nerrors, nerrors == 1 ? "" : "s"),
				 errdetail("%s", rendered ? rendered : "out of memory"),
				 errhint("Nothing was changed: the previously loaded policies stay active.")));
		MemoryContextDelete(ctx);
		return false;
	}
	source = psprintf("directory:%s", dir);
	authz_store_publish_set(dbid, image, size, npolicies, source, dir, set);
	authz_rls_policies_changed();
	MemoryContextSwitchTo(old);
	MemoryContextDelete(ctx);
	*npolicies_out = npolicies;
	return true;
}
