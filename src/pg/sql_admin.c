/*
 * sql_admin.c — SQL functions that load policies and report on the store.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "authz_pg.h"
#include "store/image.h"

PG_FUNCTION_INFO_V1(authz_load);
PG_FUNCTION_INFO_V1(authz_reload);
PG_FUNCTION_INFO_V1(authz_status);
PG_FUNCTION_INFO_V1(authz_policies_loaded);

/* authz_load(dir text) RETURNS integer: this database's policies := dir's. */
Datum
authz_load(PG_FUNCTION_ARGS)
{
	char	   *dir = text_to_cstring(PG_GETARG_TEXT_PP(0));
	uint32		n = 0;

	authz_require_shmem();
	authz_check_admin("load policies");
	authz_publish_database(dir, &n);
	PG_RETURN_INT32((int32) n);
}

/* authz_reload() RETURNS integer: recompile authz.policy_dir server-wide. */
Datum
authz_reload(PG_FUNCTION_ARGS)
{
	uint32		n = 0;

	authz_require_shmem();
	authz_check_admin("reload policies");
	if (authz_policy_dir == NULL || authz_policy_dir[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("authz.policy_dir is not set"),
				 errhint("Set authz.policy_dir in postgresql.conf and reload the configuration.")));
	authz_load_directory(InvalidOid, authz_policy_dir, ERROR, &n);
	/* a database with its own set compiled from the directory follows it */
	{
		char		dir[MAXPGPATH];
		uint32		ndb;

		if (authz_store_database_directory(MyDatabaseId, dir) &&
			strcmp(dir, authz_policy_dir) == 0)
		{
			authz_publish_database(dir, &ndb);
			n = ndb;
		}
	}
	PG_RETURN_INT32((int32) n);
}

/* authz_status(): the policy set this session decides with. */
Datum
authz_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {0};
	AuthzImageRef ref;
	bool		have;
	uint64		image_bytes;
	uint32		live_images;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	have = authz_current_image(&ref);
	values[0] = Int64GetDatum((int64) (have ? ref.generation : 0));
	if (have)
		values[1] = TimestampTzGetDatum(ref.loaded_at);
	else
		nulls[1] = true;
	values[2] = Int64GetDatum((int64) (have ? ref.size : 0));
	values[3] = Int32GetDatum((int32) (have ? ref.npolicies : 0));
	if (have)
		values[4] = CStringGetTextDatum(ref.source);
	else
		nulls[4] = true;
	authz_store_usage(&image_bytes, &live_images);
	values[5] = Int64GetDatum((int64) image_bytes);
	values[6] = Int32GetDatum((int32) live_images);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* authz_policies_loaded(): one row per policy of the active set. */
Datum
authz_policies_loaded(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AuthzImageRef ref;
	uint32		i;

	InitMaterializedSRF(fcinfo, 0);
	if (!authz_current_image(&ref))
		PG_RETURN_VOID();
	for (i = 0; i < image_header(ref.image)->npolicies; i++)
	{
		const ImagePolicy *p = image_policy(ref.image, i);
		Datum		values[6];
		bool		nulls[6] = {0};

		values[0] = CStringGetTextDatum(image_str(ref.image, p->fqn));
		values[1] = CStringGetTextDatum(image_str(ref.image, p->kind));
		values[2] = CStringGetTextDatum(image_str(ref.image, p->version));
		values[3] = CStringGetTextDatum(image_str(ref.image, p->scope));
		values[4] = CStringGetTextDatum(image_str(ref.image, p->source));
		values[5] = Int64GetDatum((int64) ref.generation);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}
