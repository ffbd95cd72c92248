/*
 * session_core.c — the SuperTokens core's own tables as the source of keys,
 * sessions, roles, permissions and metadata.
 *
 * When the SuperTokens core keeps its data in this database (its PostgreSQL
 * plugin), authz.supertokens_schema names the schema, and
 * authz.supertokens_table_prefix and authz.supertokens_app_id say which
 * tables and which app, exactly as the plugin's postgresql_table_schema,
 * postgresql_table_names_prefix ("st" -> "st_session_info") and the app id
 * do.  The tables read (plugin 4.0 and later, all with app_id):
 *
 *   session_access_token_signing_keys (app_id, created_at_time, value)
 *       dynamic keys; a token's kid is "d-" || created_at_time
 *   jwt_signing_keys (app_id, key_id, key_string, algorithm, created_at)
 *       static keys; kid = key_id ("s-<uuid>"), RS256 rows only
 *   session_info (app_id, tenant_id, session_handle, user_id, expires_at ...)
 *       a session that ended or was revoked has no row
 *   user_roles (app_id, tenant_id, user_id, role)
 *   role_permissions (app_id, role, permission)
 *   user_metadata (app_id, user_id, user_metadata: JSON object as text)
 *   userid_mapping (app_id, supertokens_user_id, external_user_id)
 *       tokens carry the external id in sub when one is mapped, and the
 *       roles and metadata APIs store whichever id the application passed,
 *       so both ids are looked up
 *
 * Private keys.  value and key_string hold "public|private" (older rows
 * "public;private") in clear text.  The key query splits them in SQL
 * (split_part) so that only the public half ever reaches this file, and the
 * freshness check reads no key column at all.
 *
 * Privileges.  The user who calls authz_set_session is normally an
 * application role that must not read the core's tables (they hold every
 * user's sessions and private keys).  authz reads them the way a SECURITY
 * DEFINER function owned by the extension's owner would: the user id is
 * switched to the owner of extension authz for the duration of each read,
 * with SECURITY_RESTRICTED_OPERATION, search_path pinned to pg_catalog
 * (so no operator or function of the caller's choosing runs with those
 * rights), read-only SPI, and only plain tables of built-in column types
 * accepted (a view, or a type's output function, would run code of the
 * table owner's choosing with the extension owner's rights).  The
 * extension owner therefore needs USAGE on the schema and SELECT on these
 * tables; errors say which table is missing or unreadable.  Nothing read
 * here is returned to SQL except through the principal (roles,
 * permissions, metadata of the token's own user).
 *
 * Freshness.  authz_core_keys_fingerprint hashes (created_at_time, xmin)
 * of the dynamic key rows and (key_id, xmin) of the static ones: any
 * insert, update or delete changes it, and session_pg.c rebuilds its key
 * set when it does, so key rotation needs no configuration.  Roles,
 * permissions, metadata and the session row are read again on every use of
 * a cached token, together with the key fingerprint (one read, two
 * indexed queries): a cached principal is handed out only while none of
 * them changed.  A token not in the cache has the fingerprint checked
 * before it is verified, so a key the core has just added is found.
 *
 * Reads use the latest snapshot, so a revocation committed by the core is
 * seen by the next call even inside a REPEATABLE READ transaction.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/transam.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "authz_pg.h"
#include "session_core.h"

enum
{
	T_DYNAMIC_KEYS,
	T_STATIC_KEYS,
	T_SESSIONS,
	T_USER_ROLES,
	T_ROLE_PERMISSIONS,
	T_METADATA,
	T_ID_MAPPING,
	N_TABLES
};

static const char *const table_names[N_TABLES] = {
	"session_access_token_signing_keys",
	"jwt_signing_keys",
	"session_info",
	"user_roles",
	"role_permissions",
	"user_metadata",
	"userid_mapping"
};

/* prepared queries for one configuration (schema, prefix, extension) */
static char *plans_config = NULL;
static Oid	reader_role = InvalidOid;
static Oid	extension_oid = InvalidOid;

/*
 * The extension, its owner and the tables were checked since the last
 * relcache invalidation.  Any DDL (a table renamed away and a view put in
 * its place, a GRANT revoked, the extension dropped) sends one, so the
 * checks run again before the next read and not on every call.
 */
static bool checked = false;
static bool callback_registered = false;
static SPIPlanPtr fingerprint_plan = NULL;
static SPIPlanPtr keys_plan = NULL;
static SPIPlanPtr facts_plan = NULL;

/* one read of the core's tables: what to restore afterwards */
typedef struct CoreRead
{
	Oid			save_user;
	int			save_sec;
	int			guc_nest;
	ErrorContextCallback context;
} CoreRead;

/* the facts about one token's user and session */
typedef struct CoreFacts
{
	bool		live;			/* the session row exists */
	int			nroles;
	const char **roles;
	int			npermissions;
	const char **permissions;
	char	   *metadata;		/* JSON object text or NULL */
	uint64		digest;
} CoreFacts;

/* Forgets the checks after DDL (see "checked"). */
static void
forget_checks(Datum arg, Oid relid)
{
	checked = false;
}

/* Adds the schema to errors raised while reading the core's tables. */
static void
core_error_context(void *arg)
{
	errcontext("reading the SuperTokens core tables in schema \"%s\" (authz.supertokens_schema)",
			   authz_supertokens_schema);
}

/* The role that owns extension authz: its rights read the core's tables. */
static Oid
extension_owner(Oid ext)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			owner = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		owner = ((Form_pg_extension) GETSTRUCT(tuple))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return owner;
}

/* The table's name as the plugin spells it: prefix + "_" + name. */
static char *
core_table_name(int which)
{
	const char *prefix = authz_supertokens_table_prefix ? authz_supertokens_table_prefix : "";

	return psprintf("%s%s%s", prefix, prefix[0] ? "_" : "", table_names[which]);
}

/* Errors, naming the table, unless it is a plain table the reader may read. */
static void
check_core_table(Oid namespace, int which, Oid reader)
{
	char	   *relname = core_table_name(which);
	Oid			relid = get_relname_relid(relname, namespace);
	char		relkind;

#define qualified quote_qualified_identifier(authz_supertokens_schema, relname)

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("SuperTokens core table %s does not exist", qualified),
				 errhint("authz.supertokens_schema and authz.supertokens_table_prefix must name the tables of the SuperTokens PostgreSQL plugin (version 4.0 or later).")));
	relkind = get_rel_relkind(relid);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("SuperTokens core table %s is not a table", qualified),
				 errdetail("authz reads the core's tables with the rights of the extension's owner and refuses views and other relations.")));

	/*
	 * Column types must be built in: a user-defined type's output function
	 * would run with the owner's rights when authz reads the column.
	 */
	{
		Relation	rel = relation_open(relid, AccessShareLock);
		TupleDesc	desc = RelationGetDescr(rel);
		int			i;

		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && att->atttypid >= FirstNormalObjectId)
				ereport(ERROR,
						(errcode(ERRCODE_WRONG_OBJECT_TYPE),
						 errmsg("column \"%s\" of SuperTokens core table %s has a user-defined type",
								NameStr(att->attname), qualified),
						 errdetail("authz reads the core's tables with the rights of the extension's owner and accepts only built-in column types.")));
		}
		relation_close(rel, AccessShareLock);
	}
	if (pg_class_aclcheck(relid, reader, ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\", which owns extension authz, may not read SuperTokens core table %s",
						GetUserNameFromId(reader, false), qualified),
				 errhint("GRANT SELECT ON %s TO %s;", qualified,
						 quote_identifier(GetUserNameFromId(reader, false)))));
#undef qualified
	pfree(relname);
}

/* Prepares one query and keeps it for the backend's lifetime. */
static SPIPlanPtr
keep_plan(const char *sql, int nargs)
{
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};

	/*
	 * A generic plan: the queries are indexed lookups whatever the values,
	 * and a custom plan per call would cost more than the read itself.
	 */
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);

	if (plan == NULL)
		elog(ERROR, "could not prepare a query on the SuperTokens core tables: %s",
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "could not keep a query on the SuperTokens core tables");
	return plan;
}

/*
 * Checks the tables and prepares the queries (once per configuration).  Runs
 * inside core_begin (connected to SPI, search_path pinned).
 */
static void
ensure_plans(void)
{
	char	   *config = psprintf("%s\x1f%s\x1f%u",
								  authz_supertokens_schema,
								  authz_supertokens_table_prefix ? authz_supertokens_table_prefix : "",
								  extension_oid);
	char	   *t[N_TABLES];
	int			i;

	if (plans_config && strcmp(plans_config, config) == 0)
	{
		pfree(config);
		return;
	}
	if (fingerprint_plan)
		SPI_freeplan(fingerprint_plan);
	if (keys_plan)
		SPI_freeplan(keys_plan);
	if (facts_plan)
		SPI_freeplan(facts_plan);
	fingerprint_plan = keys_plan = facts_plan = NULL;
	if (plans_config)
		pfree(plans_config);
	plans_config = NULL;

	for (i = 0; i < N_TABLES; i++)
		t[i] = quote_qualified_identifier(authz_supertokens_schema, core_table_name(i));

	/*
	 * The queries avoid sorts, DISTINCT and CTEs: each would set up a
	 * tuplesort or tuplestore per call, which costs more than the reads.
	 * Order and duplicates are dealt with in C.
	 *
	 * Fingerprint: no key column is read, only created_at_time / key_id and
	 * each row's xmin, hashed and summed so that row order does not matter.
	 */
	fingerprint_plan = keep_plan(psprintf(
		"SELECT (SELECT count(*) || ':' || coalesce(sum(hashtextextended("
		"                 k.created_at_time::text || ':' || k.xmin::text, 0)::numeric), 0)"
		"          FROM %s k WHERE k.app_id = $1)"
		"    || '/' ||"
		"       (SELECT count(*) || ':' || coalesce(sum(hashtextextended("
		"                 j.key_id::text || ':' || j.xmin::text, 0)::numeric), 0)"
		"          FROM %s j WHERE j.app_id = $1)",
		t[T_DYNAMIC_KEYS], t[T_STATIC_KEYS]), 1);

	/* the public half only: the private half never leaves the executor */
	keys_plan = keep_plan(psprintf(
		"SELECT 'd-' || k.created_at_time::text,"
		"       split_part(split_part(k.value, ';', 1), '|', 1)"
		"  FROM %s k WHERE k.app_id = $1 AND k.value IS NOT NULL"
		" UNION ALL "
		"SELECT j.key_id::text,"
		"       split_part(split_part(j.key_string, ';', 1), '|', 1)"
		"  FROM %s j WHERE j.app_id = $1 AND upper(j.algorithm) = 'RS256'",
		t[T_DYNAMIC_KEYS], t[T_STATIC_KEYS]), 1);

	/*
	 * $1 app, $2 tenant, $3 sub, $4 session handle.  The user is sub and,
	 * when sub is an external id, the core's own id mapped to it.
	 */
	{
		char	   *mapped = psprintf("(SELECT m.supertokens_user_id::text FROM %s m"
									  " WHERE m.app_id = $1 AND m.external_user_id = $3)",
									  t[T_ID_MAPPING]);

		facts_plan = keep_plan(psprintf(
			"SELECT EXISTS (SELECT 1 FROM %s s"
			"                WHERE s.app_id = $1 AND s.tenant_id = $2 AND s.session_handle = $4),"
			"       ARRAY(SELECT u.role::text FROM %s u"
			"              WHERE u.app_id = $1 AND u.tenant_id = $2"
			"                AND u.user_id = ANY (ARRAY[$3, %s])),"
			"       ARRAY(SELECT p.permission::text FROM %s u JOIN %s p"
			"                ON p.app_id = u.app_id AND p.role = u.role"
			"              WHERE u.app_id = $1 AND u.tenant_id = $2"
			"                AND u.user_id = ANY (ARRAY[$3, %s])),"
			"       coalesce((SELECT um.user_metadata::text FROM %s um"
			"                  WHERE um.app_id = $1 AND um.user_id = $3),"
			"                (SELECT um.user_metadata::text FROM %s um"
			"                  WHERE um.app_id = $1 AND um.user_id = %s))",
			t[T_SESSIONS], t[T_USER_ROLES], mapped, t[T_USER_ROLES],
			t[T_ROLE_PERMISSIONS], mapped, t[T_METADATA], t[T_METADATA], mapped), 4);
	}

	plans_config = MemoryContextStrdup(TopMemoryContext, config);
}

/*
 * Finds the extension and its owner and checks the seven tables: plain
 * tables that the owner may read.  Does nothing when that was done since
 * the last DDL for the same schema and prefix.
 */
static void
check_tables(void)
{
	static char *checked_config = NULL;
	char	   *config = psprintf("%s\x1f%s", authz_supertokens_schema,
								  authz_supertokens_table_prefix ? authz_supertokens_table_prefix : "");
	Oid			namespace;
	int			i;

	if (checked && checked_config && strcmp(checked_config, config) == 0)
	{
		pfree(config);
		return;
	}
	checked = false;
	if (checked_config)
		pfree(checked_config);
	checked_config = NULL;
	extension_oid = get_extension_oid("authz", false);
	reader_role = extension_owner(extension_oid);
	namespace = get_namespace_oid(authz_supertokens_schema, true);
	if (!OidIsValid(namespace))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" named by authz.supertokens_schema does not exist",
						authz_supertokens_schema)));
	if (pg_namespace_aclcheck(namespace, reader_role, ACL_USAGE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\", which owns extension authz, may not use schema \"%s\" of the SuperTokens core tables",
						GetUserNameFromId(reader_role, false), authz_supertokens_schema),
				 errhint("GRANT USAGE ON SCHEMA %s TO %s;", quote_identifier(authz_supertokens_schema),
						 quote_identifier(GetUserNameFromId(reader_role, false)))));
	for (i = 0; i < N_TABLES; i++)
		check_core_table(namespace, i, reader_role);
	checked_config = MemoryContextStrdup(TopMemoryContext, config);
	checked = true;
}

/*
 * Starts a read: the extension owner's rights, restricted, search_path
 * pg_catalog, the latest snapshot, SPI.  An error anywhere is cleaned up by
 * the (sub)transaction abort, which restores the user, the GUC nest level,
 * the snapshot stack and SPI.
 */
static void
core_begin(CoreRead *r)
{
	r->context.callback = core_error_context;
	r->context.arg = NULL;
	r->context.previous = error_context_stack;
	error_context_stack = &r->context;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(forget_checks, (Datum) 0);
		callback_registered = true;
	}
	check_tables();

	GetUserIdAndSecContext(&r->save_user, &r->save_sec);
	r->guc_nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	SetUserIdAndSecContext(reader_role, r->save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	PushActiveSnapshot(GetLatestSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ensure_plans();
}

/* Ends a read started by core_begin. */
static void
core_end(CoreRead *r)
{
	SPI_finish();
	PopActiveSnapshot();
	SetUserIdAndSecContext(r->save_user, r->save_sec);
	AtEOXact_GUC(true, r->guc_nest);
	error_context_stack = r->context.previous;
}

/* Runs a kept plan read-only with text arguments. */
static void
run_plan(SPIPlanPtr plan, int nargs, const char *const *args)
{
	Datum		values[4];
	int			i;

	for (i = 0; i < nargs; i++)
		values[i] = CStringGetTextDatum(args[i]);
	if (SPI_execute_plan(plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the SuperTokens core tables");
}

/* The settings that name the core's rows, as one string. */
static char *
current_settings(void)
{
	return psprintf("%s\x1f%s\x1f%s",
					authz_supertokens_schema ? authz_supertokens_schema : "",
					authz_supertokens_table_prefix ? authz_supertokens_table_prefix : "",
					authz_supertokens_app_id ? authz_supertokens_app_id : "public");
}

/* the settings of the last successful authz_core_keys_fingerprint */
static char *fingerprint_settings = NULL;

/* Remembers the settings a fingerprint was taken under. */
static void
remember_settings(void)
{
	char	   *now = current_settings();

	if (fingerprint_settings == NULL || strcmp(now, fingerprint_settings) != 0)
	{
		if (fingerprint_settings)
			pfree(fingerprint_settings);
		fingerprint_settings = MemoryContextStrdup(TopMemoryContext, now);
	}
	pfree(now);
}

/* See session_core.h. */
bool
authz_core_config_changed(void)
{
	char	   *now = current_settings();
	bool		changed = fingerprint_settings == NULL || strcmp(now, fingerprint_settings) != 0;

	pfree(now);
	return changed;
}

/* Runs the fingerprint query inside a read and hashes its answer. */
static uint64
read_fingerprint(void)
{
	const char *app = authz_supertokens_app_id ? authz_supertokens_app_id : "public";
	StringInfoData buf;
	uint64		digest;

	initStringInfo(&buf);
	run_plan(fingerprint_plan, 1, &app);
	appendStringInfo(&buf, "%s\x1f%s\x1f", plans_config, app);
	if (SPI_processed == 1)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (v)
			appendStringInfoString(&buf, v);
	}
	digest = hash_bytes_extended((const unsigned char *) buf.data, buf.len, 0);
	pfree(buf.data);
	return digest == 0 ? 1 : digest;
}

/* See session_core.h. */
uint64
authz_core_keys_fingerprint(void)
{
	CoreRead	r;
	uint64		digest;

	if (authz_supertokens_schema == NULL || authz_supertokens_schema[0] == '\0')
	{
		remember_settings();
		return 0;
	}
	core_begin(&r);
	digest = read_fingerprint();
	core_end(&r);
	remember_settings();
	return digest;
}

/* See session_core.h. */
void
authz_core_add_keys(StKeySet *keys)
{
	CoreRead	r;
	const char *app = authz_supertokens_app_id ? authz_supertokens_app_id : "public";
	uint64		i;

	core_begin(&r);
	run_plan(keys_plan, 1, &app);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		char	   *kid = SPI_getvalue(row, SPI_tuptable->tupdesc, 1);
		char	   *public_half = SPI_getvalue(row, SPI_tuptable->tupdesc, 2);
		StError		err = {0};

		if (kid == NULL || public_half == NULL)
			continue;

		/*
		 * One bad row must not stop every login: it is skipped (its tokens
		 * then fail as an unknown kid) and the administrator warned.
		 */
		if (st_keyset_add_core_key(keys, kid, public_half, strlen(public_half), &err) != ST_OK)
			ereport(WARNING,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("skipping SuperTokens core signing key \"%s\": %s", kid,
							err.message ? err.message : st_status_name(err.status))));
	}
	core_end(&r);
}

/* qsort comparator for C strings (byte order, like COLLATE "C"). */
static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The text[] in column col as sorted, distinct C strings in context into. */
static const char **
text_array_column(int col, int *count, MemoryContext into)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);
	Datum	   *items;
	bool	   *nulls;
	int			n;
	int			i;
	int			kept = 0;
	const char **out;

	*count = 0;
	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &items, &nulls, &n);
	out = MemoryContextAlloc(into, sizeof(char *) * (n + 1));
	for (i = 0; i < n; i++)
		if (!nulls[i])
			out[kept++] = MemoryContextStrdup(into, TextDatumGetCString(items[i]));
	qsort(out, kept, sizeof(char *), compare_strings);
	n = kept;
	kept = 0;
	for (i = 0; i < n; i++)
		if (kept == 0 || strcmp(out[kept - 1], out[i]) != 0)
			out[kept++] = out[i];
	*count = kept;
	return out;
}

/* Reads the facts about one token's session and user (one query), and the
 * key fingerprint too when asked. */
static void
core_fetch(const char *sub, const char *tenant, const char *session_handle,
		   CoreFacts *facts, MemoryContext into, uint64 *fingerprint)
{
	CoreRead	r;
	const char *args[4];
	StringInfoData digest;
	int			col;

	memset(facts, 0, sizeof(*facts));
	args[0] = authz_supertokens_app_id ? authz_supertokens_app_id : "public";
	args[1] = tenant ? tenant : "public";
	args[2] = sub ? sub : "";
	args[3] = session_handle ? session_handle : "";
	initStringInfo(&digest);
	core_begin(&r);
	run_plan(facts_plan, 4, args);
	if (SPI_processed != 1)
		elog(ERROR, "could not read the SuperTokens core tables");
	{
		bool		isnull;

		facts->live = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 1, &isnull)) && !isnull;
	}
	facts->roles = text_array_column(2, &facts->nroles, into);
	facts->permissions = text_array_column(3, &facts->npermissions, into);
	{
		char	   *m = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);

		facts->metadata = m ? MemoryContextStrdup(into, m) : NULL;
	}
	/* the keys in the same read (after the facts: it replaces SPI_tuptable) */
	if (fingerprint)
		*fingerprint = read_fingerprint();
	core_end(&r);

	/* what the principal is built from, lengths first so nothing is ambiguous */
	appendStringInfo(&digest, "%d/%d/%d/", facts->live, facts->nroles, facts->npermissions);
	for (col = 0; col < facts->nroles; col++)
		appendStringInfo(&digest, "%zu:%s", strlen(facts->roles[col]), facts->roles[col]);
	for (col = 0; col < facts->npermissions; col++)
		appendStringInfo(&digest, "%zu:%s", strlen(facts->permissions[col]), facts->permissions[col]);
	if (facts->metadata)
		appendStringInfoString(&digest, facts->metadata);
	facts->digest = hash_bytes_extended((const unsigned char *) digest.data, digest.len, 0);
	pfree(digest.data);
}

/* See session_core.h. */
StStatus
authz_core_authenticate(const StKeySet *keys, const char *token, size_t len,
						const StVerifyOptions *options, const StMapping *mapping,
						Arena *arena, StSession *out, uint64 *digest, StError *err)
{
	StVerified	verified;
	CoreFacts	facts;
	StPrincipalExtras extras;
	const StMapping *map;
	StStatus	s;

	memset(out, 0, sizeof(*out));
	*digest = 0;
	s = st_verify(keys, token, len, options, arena, &verified, err);
	if (s != ST_OK)
		return s;

	/* the claims are malloc'd by jansson: release them if the read fails */
	PG_TRY();
	{
		core_fetch(verified.sub, verified.tenant_id, verified.session_handle, &facts,
				   CurrentMemoryContext, NULL);
	}
	PG_CATCH();
	{
		st_verified_clear(&verified);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (authz_supertokens_check_revocation && !facts.live)
	{
		st_verified_clear(&verified);
		return st_session_refuse(err, arena, ST_SESSION_REVOKED, "%s",
								 AUTHZ_CORE_REVOKED_MESSAGE);
	}
	map = mapping ? mapping : st_mapping_parse(NULL, 0, arena, err);
	if (map == NULL)
	{
		st_verified_clear(&verified);
		return err->status;
	}
	memset(&extras, 0, sizeof(extras));
	extras.roles = facts.roles;
	extras.nroles = facts.nroles;
	extras.permissions = facts.permissions;
	extras.npermissions = facts.npermissions;
	extras.metadata_json = facts.metadata;
	extras.metadata_len = facts.metadata ? strlen(facts.metadata) : 0;
	s = st_principal_build(map, &verified, &extras, arena,
						   &out->principal_json, &out->claims_json, err);
	if (s == ST_OK)
	{
		out->version = verified.version;
		out->kid = verified.kid;
		out->sub = verified.sub;
		out->session_handle = verified.session_handle;
		out->tenant_id = verified.tenant_id;
		out->recipe_user_id = verified.recipe_user_id;
		out->exp_s = verified.exp_s;
		out->log_label = st_verified_log_label(&verified, arena);
		*digest = facts.digest;
	}
	else
		memset(out, 0, sizeof(*out));
	st_verified_clear(&verified);
	return s;
}

/* See session_core.h. */
AuthzCoreCheck
authz_core_recheck(const char *sub, const char *tenant, const char *session_handle,
				   uint64 digest, uint64 *fingerprint)
{
	CoreFacts	facts;

	*fingerprint = 0;
	if (authz_core_config_changed())
		return AUTHZ_CORE_CHANGED;	/* the caller's keys are from elsewhere */
	core_fetch(sub, tenant, session_handle, &facts, CurrentMemoryContext, fingerprint);
	if (authz_supertokens_check_revocation && !facts.live)
		return AUTHZ_CORE_REVOKED;
	return facts.digest == digest ? AUTHZ_CORE_SAME : AUTHZ_CORE_CHANGED;
}
