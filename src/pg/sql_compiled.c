/*
 * sql_compiled.c — authz_compiled_status(): how this backend and the
 * server share compiled policy sets (see compiled_shmem.c).
 *
 * The counters let tests and operators see that after a reload only the
 * loading process compiled: every other backend took up the shared set
 * (shared_uses) instead of compiling its own (private_builds).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"

#include "authz_pg.h"
#include "compiled_shmem.h"

PG_FUNCTION_INFO_V1(authz_compiled_status);

#define STATUS_COLUMNS 10

/* authz_compiled_status() RETURNS record */
Datum
authz_compiled_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[STATUS_COLUMNS];
	bool		nulls[STATUS_COLUMNS];
	AuthzCompiledStats st;
	uint64		handle;
	Size		bytes;

	authz_require_shmem();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	/* the set this backend decides with now, held while it is measured */
	(void) authz_engine_acquire();
	handle = authz_engine_shared_handle();
	bytes = authz_compiled_bytes(handle);
	authz_engine_release();
	authz_compiled_stats(&st);

	memset(nulls, 0, sizeof(nulls));
	values[0] = BoolGetDatum(handle != 0);
	values[1] = Int64GetDatum((int64) bytes);
	nulls[1] = handle == 0;
	values[2] = Int64GetDatum((int64) st.region_bytes);
	values[3] = Int64GetDatum((int64) st.used_bytes);
	values[4] = Int32GetDatum(st.sets);
	values[5] = Int64GetDatum((int64) st.compiles);
	values[6] = Int64GetDatum((int64) st.shared_uses);
	values[7] = Int64GetDatum((int64) st.private_builds);
	values[8] = Int64GetDatum((int64) st.backend_shared_uses);
	values[9] = Int64GetDatum((int64) st.backend_private_builds);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
