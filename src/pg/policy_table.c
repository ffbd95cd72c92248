/*
 * policy_table.c — policies kept in the authz_policies table.
 *
 * A transaction that changes the table gets its database's policy set
 * recompiled from the table's rows (plus the database's directory) when it
 * commits, and only then:
 *
 *   statement trigger   takes a SHARE ROW EXCLUSIVE lock on the table, so
 *                       writers commit one after another, and notes that a
 *                       recompilation is due;
 *   PRE_COMMIT          reads the rows with the latest snapshot (so the
 *                       second of two writers sees the first one's rows),
 *                       compiles them and copies the image into shared
 *                       memory.  Any error here fails the COMMIT, so a
 *                       broken policy can never be committed;
 *   COMMIT              swaps the prepared image in — an operation that
 *                       cannot fail, as it must not after the commit record;
 *   ABORT               throws the prepared image away: a rolled-back
 *                       change publishes nothing.
 *
 * After a restart (or on a standby, or in a backend that starts first) a
 * database's set is rebuilt from the table on first use.
 *
 * A standby replays the primary's changes to the table but runs none of
 * the above.  So on a standby, at most once per statement that decides and
 * only when WAL has been replayed since it last looked, a backend computes
 * a fingerprint of the rows (their ids and xmins, which
 * replay carries over unchanged) and compares it with the one recorded
 * next to the database's image in shared memory; when they differ the set
 * is recompiled from the table and published, and the fingerprint
 * recorded.  The first backend to notice does the work; the others then
 * find the fingerprints equal.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlogrecovery.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/namespace.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "catalog/pg_class.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "store/image_source.h"

PG_FUNCTION_INFO_V1(authz_policies_changed);

static bool recompile_due = false;
static dsa_pointer prepared_image = InvalidDsaPointer;
static Oid	prepared_dbid = InvalidOid;
static bool callbacks_registered = false;
static bool first_use_checked = false;

/* The schema the extension lives in (PostgreSQL 15 does not export it). */
static Oid
extension_schema(Oid ext)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			schema = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		schema = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return schema;
}

/* The extension's schema in this database, or InvalidOid. */
Oid
authz_extension_namespace(void)
{
	Oid			ext = get_extension_oid("authz", true);

	return OidIsValid(ext) ? extension_schema(ext) : InvalidOid;
}

/* A relation of the extension's schema in this database, or InvalidOid. */
Oid
authz_extension_relation(const char *name)
{
	Oid			ext = get_extension_oid("authz", true);
	Oid			schema;

	if (!OidIsValid(ext))
		return InvalidOid;
	schema = extension_schema(ext);
	return OidIsValid(schema) ? get_relname_relid(name, schema) : InvalidOid;
}

static Oid
policy_table_oid(void)
{
	return authz_extension_relation("authz_policies");
}

/*
 * Runs what follows as the table's owner: the first decision of a backend
 * (or any decision on a standby) may read the table on behalf of a role
 * that has no privileges on it.  An ERROR in between is undone by the
 * (sub)transaction's abort, which restores the user.
 */
static void
become_table_owner(Oid relid, Oid *saved_user, int *saved_context)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	GetUserIdAndSecContext(saved_user, saved_context);
	SetUserIdAndSecContext(owner, *saved_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

/*
 * Reads every row of authz_policies (id order) as documents "table:<id>",
 * using the latest snapshot.  Allocates in the current memory context.
 */
static int
fetch_policy_rows(ImageDocumentInput **rows_out)
{
	Oid			relid = policy_table_oid();
	ImageDocumentInput *rows;
	char	   *query;
	uint64		i;
	int			n;
	MemoryContext caller = CurrentMemoryContext;
	Oid			saved_user;
	int			saved_context;

	*rows_out = NULL;
	if (!OidIsValid(relid))
		return 0;
	query = psprintf("SELECT id, definition FROM %s ORDER BY id",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid)));
	CommandCounterIncrement();
	PushActiveSnapshot(GetLatestSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	become_table_owner(relid, &saved_user, &saved_context);
	if (SPI_execute(query, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read authz_policies");
	SetUserIdAndSecContext(saved_user, saved_context);
	n = (int) SPI_processed;
	rows = MemoryContextAlloc(caller, sizeof(ImageDocumentInput) * (n ? n : 1));
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *def = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		rows[i].source = MemoryContextStrdup(caller, psprintf("table:%s", id));
		rows[i].text = MemoryContextStrdup(caller, def ? def : "");
	}
	SPI_finish();
	PopActiveSnapshot();
	*rows_out = rows;
	return n;
}

/* The directory compiled together with this database's table rows. */
static char *
database_directory(void)
{
	char		dir[MAXPGPATH];

	if (authz_store_database_directory(MyDatabaseId, dir) && dir[0] != '\0')
		return pstrdup(dir);
	if (authz_policy_dir != NULL && authz_policy_dir[0] != '\0')
		return pstrdup(authz_policy_dir);
	return NULL;
}

/*
 * Compiles dir plus this database's table rows into a prepared (not yet
 * current) image; ERROR with every problem when anything is wrong.
 */
dsa_pointer
authz_compile_database(const char *dir, uint32 *npolicies_out)
{
	MemoryContext ctx = AllocSetContextCreate(CurrentMemoryContext,
											  "authz policy compile",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(ctx);
	Arena	   *arena = arena_create_in(ctx, 0);
	ImageDocumentInput *rows;
	int			nrows = fetch_policy_rows(&rows);
	DiagList	diags;
	void	   *image;
	size_t		size = 0;
	uint32		npolicies = 0;
	char	   *source;
	dsa_pointer dp;
	EngineSet  *set = NULL;

	diag_init(&diags, arena);
	image = image_compile_set(arena, dir, rows, (uint32) nrows,
							  (size_t) authz_max_policy_file_kb * 1024,
							  &npolicies, &size, &set, &diags);
	if (image == NULL)
	{
		char	   *rendered = diag_render(&diags);
		int			nerrors = diags.count + diags.dropped;

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not compile the policies of database \"%s\": %d problem%s found",
						get_database_name(MyDatabaseId), nerrors, nerrors == 1 ? "" : "s"),
				 errdetail("%s", rendered ? rendered : "out of memory"),
				 errhint("Nothing was changed: the previously loaded policies stay active.")));
	}
	if (dir && nrows > 0)
		source = psprintf("directory:%s + authz_policies (%d row%s)", dir, nrows,
						  nrows == 1 ? "" : "s");
	else if (dir)
		source = psprintf("directory:%s", dir);
	else
		source = psprintf("authz_policies (%d row%s)", nrows, nrows == 1 ? "" : "s");
	dp = authz_store_prepare_set(image, size, npolicies, source, dir, set);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(ctx);
	*npolicies_out = npolicies;
	return dp;
}

/* Compiles dir plus the table and makes it this database's set now. */
void
authz_publish_database(const char *dir, uint32 *npolicies)
{
	dsa_pointer dp = authz_compile_database(dir, npolicies);

	PG_TRY();
	{
		authz_store_reserve_slot(MyDatabaseId);
	}
	PG_CATCH();
	{
		authz_store_discard(dp);
		PG_RE_THROW();
	}
	PG_END_TRY();
	authz_store_install(MyDatabaseId, dp);
	authz_rls_policies_changed();
}

static void
policy_table_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (recompile_due)
			{
				uint32		n;
				char	   *dir = database_directory();

				/* errors here make the COMMIT fail: nothing is published */
				prepared_image = authz_compile_database(dir, &n);
				prepared_dbid = MyDatabaseId;
				authz_store_reserve_slot(prepared_dbid);
				/* sent after COMMIT installs the image: plans see it */
				authz_rls_policies_changed();
			}
			break;
		case XACT_EVENT_COMMIT:
			if (DsaPointerIsValid(prepared_image))
				authz_store_install(prepared_dbid, prepared_image);
			prepared_image = InvalidDsaPointer;
			recompile_due = false;
			break;
		case XACT_EVENT_ABORT:
			if (DsaPointerIsValid(prepared_image))
				authz_store_discard(prepared_image);
			prepared_image = InvalidDsaPointer;
			recompile_due = false;
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (recompile_due)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that changed authz_policies")));
			break;
		default:
			break;
	}
}

/* Statement trigger on authz_policies: serialise writers, recompile at commit. */
Datum
authz_policies_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("authz_policies_changed() must be called as a trigger")));
	authz_require_shmem();
	LockRelationOid(RelationGetRelid(trigdata->tg_relation), ShareRowExclusiveLock);
	if (!callbacks_registered)
	{
		RegisterXactCallback(policy_table_xact_callback, NULL);
		callbacks_registered = true;
	}
	recompile_due = true;
	/* statement triggers return a null pointer, not an SQL NULL */
	return PointerGetDatum(NULL);
}

/* A fingerprint of the table's rows (count, ids, xmins); never 0. */
static uint64
policy_rows_fingerprint(Oid relid)
{
	char	   *query;
	uint64		fp = 0;
	Oid			saved_user;
	int			saved_context;

	query = psprintf("SELECT count(*), coalesce(sum(hashtext(id::text || '/' || xmin::text)), 0)"
					 " FROM %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid)));
	PushActiveSnapshot(GetLatestSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	become_table_owner(relid, &saved_user, &saved_context);
	if (SPI_execute(query, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read authz_policies");
	SetUserIdAndSecContext(saved_user, saved_context);
	{
		bool		null1,
					null2;
		int64		count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 1, &null1));
		int64		sum = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
													  SPI_tuptable->tupdesc, 2, &null2));

		fp = ((uint64) count << 40) ^ (uint64) sum;
	}
	SPI_finish();
	PopActiveSnapshot();
	return fp | 1;
}

/*
 * On a standby, once per statement: recompiles this database's set when
 * the replicated table no longer matches what it was compiled from.
 */
static void
standby_follow_table(void)
{
	static LocalTransactionId checked_lxid = InvalidLocalTransactionId;
	static TimestampTz checked_statement = 0;
	static XLogRecPtr checked_lsn = InvalidXLogRecPtr;
	XLogRecPtr	replayed;
	Oid			relid;
	uint64		fp;
	char		dir[MAXPGPATH];
	bool		own_set;

	if (MyProc->lxid == checked_lxid &&
		GetCurrentStatementStartTimestamp() == checked_statement)
		return;
	checked_lxid = MyProc->lxid;
	checked_statement = GetCurrentStatementStartTimestamp();
	/* nothing replayed since this backend last looked: the table is as it was */
	replayed = GetXLogReplayRecPtr(NULL);
	if (replayed == checked_lsn)
		return;
	relid = policy_table_oid();
	if (!OidIsValid(relid))
		return;
	fp = policy_rows_fingerprint(relid);
	own_set = authz_store_database_directory(MyDatabaseId, dir);
	if (own_set && authz_store_table_fingerprint(MyDatabaseId) == fp)
	{
		checked_lsn = replayed;
		return;
	}
	if (!own_set)
	{
		ImageDocumentInput *rows;

		/* no rows and no set of its own: the server-wide set applies */
		if (fetch_policy_rows(&rows) == 0)
		{
			checked_lsn = replayed;
			return;
		}
	}
	{
		uint32		n;

		authz_publish_database(database_directory(), &n);
		authz_store_set_table_fingerprint(MyDatabaseId, fp);
		checked_lsn = replayed;
	}
}

/*
 * The image this backend decides with.  On first use in a database whose
 * table holds policies but whose set is not in shared memory (after a
 * restart, on a standby), compiles and publishes it first.  Parallel
 * workers and a leader running a parallel plan take what is published.
 */
bool
authz_current_image(AuthzImageRef *ref)
{
	/*
	 * Reading the table needs a fresh snapshot, which parallel mode forbids;
	 * the leader did both steps when its parallel plan started (rls.c).
	 */
	if (IsInParallelMode())
		return authz_store_current(ref);
	if (!first_use_checked && IsTransactionState() && !RecoveryInProgress())
	{
		char		dir[MAXPGPATH];

		first_use_checked = true;
		if (!authz_store_database_directory(MyDatabaseId, dir) &&
			OidIsValid(policy_table_oid()))
		{
			ImageDocumentInput *rows;
			int			nrows = fetch_policy_rows(&rows);

			if (nrows > 0)
			{
				uint32		n;

				authz_publish_database(database_directory(), &n);
			}
		}
	}
	if (RecoveryInProgress() && IsTransactionState())
		standby_follow_table();
	return authz_store_current(ref);
}
