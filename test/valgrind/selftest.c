/*
 * selftest.c — deliberate memory errors in arena memory, for the self-test
 * of tools/test_valgrind.  Never part of the extension: the script copies
 * this file into its scratch build only, where it is compiled into authz.so
 * with -DAUTHZ_VALGRIND and called through a function created by hand.
 *
 * The errors are ones memcheck cannot see without the arena's marks: every
 * access stays inside one block obtained from palloc, so only the redzones,
 * the undefined chunks and the freed chunks of src/common/arena.c make
 * them reports.  Each kind must produce one; "clean" must produce none,
 * also after a context holding a live arena was deleted and its memory
 * handed to other code (the reset callback of src/pg/arena_pg.c).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "pg/arena_pg.h"

PG_FUNCTION_INFO_V1(authz_valgrind_selftest);

/* authz_valgrind_selftest(kind text) RETURNS integer */
Datum
authz_valgrind_selftest(PG_FUNCTION_ARGS)
{
	char	   *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Arena	   *arena = arena_create_in(CurrentMemoryContext, 0);
	volatile char *p;
	int			result = 0;

	if (strcmp(kind, "overread") == 0)
	{
		/* one byte past a 5-byte allocation, inside its 8-byte slot */
		p = arena_alloc(arena, 5);
		memcpy((char *) p, "abcd", 5);
		result = p[5];
	}
	else if (strcmp(kind, "uninitialised") == 0)
	{
		/* a decision on a byte nobody wrote */
		p = arena_alloc(arena, 8);
		p[0] = 'a';
		if (p[3] == 'x')
			elog(NOTICE, "an unwritten byte was 'x'");
	}
	else if (strcmp(kind, "after_realloc") == 0)
	{
		/* the old copy of an array that grew */
		char	   *old = arena_alloc(arena, 16);
		char	   *grown;

		memset(old, 'o', 16);
		grown = arena_realloc(arena, old, 16, 64);
		p = old;
		result = p[0] + grown[0];
	}
	else if (strcmp(kind, "clean") == 0)
	{
		/* one 64 kB block, kept by a reset: the arena's block lives in it */
		MemoryContext child = AllocSetContextCreate(CurrentMemoryContext, "selftest",
													0, 64 * 1024, 64 * 1024);
		Arena	   *lost = arena_create_in(child, 0);
		char	   *reused;

		p = arena_alloc(lost, 100);
		p[0] = 'x';
		/* the context is reset under the live arena, as after an ERROR ... */
		MemoryContextReset(child);
		/* ... and hands the same memory to code that knows no marks */
		reused = MemoryContextAlloc(child, 30000);
		memset(reused, 'y', 30000);
		result = reused[29999];
		MemoryContextDelete(child);
		p = arena_alloc(arena, 8);
		memset((char *) p, 'z', 8);
		result += p[7];
	}
	else
		elog(ERROR, "unknown self-test \"%s\"", kind);
	arena_destroy(arena);
	PG_RETURN_INT32(result);
}
