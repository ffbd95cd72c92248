/*
 * protect.c — which tables the policies protect, and how.
 *
 * authz_protect() (SQL, in the extension script) records a table in
 * authz_protected: the resource kind its rows are, the action each SQL
 * command needs, and a mapping from resource attributes to columns.  This
 * file validates those arguments before they are stored, and reads the row
 * back for the row-level-security hook (rls.c) on every rewrite, with an
 * index lookup rather than SPI: the hook runs inside the rewriter, and a
 * nested query there would itself be rewritten.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "authz_pg.h"

PG_FUNCTION_INFO_V1(authz_protect_validate);

/* The SQL commands authz_protect() maps to actions. */
static const char *const protect_commands[] = {"select", "insert", "update", "delete"};

static void
bad_argument(const char *argument, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s for authz_protect: %s", argument, problem)));
}

/* Checks that actions maps only known SQL commands to non-empty action names. */
static void
validate_actions(Jsonb *actions)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	bool		expect_key = true;

	if (!JB_ROOT_IS_OBJECT(actions))
		bad_argument("actions", "must be a JSON object such as {\"select\": \"view\"}");
	it = JsonbIteratorInit(&actions->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			char	   *key = pnstrdup(v.val.string.val, v.val.string.len);
			bool		known = false;

			for (size_t i = 0; i < lengthof(protect_commands); i++)
				known |= strcmp(key, protect_commands[i]) == 0;
			if (!known)
				bad_argument("actions",
							 psprintf("unknown command \"%s\" (expected select, insert, update or delete)", key));
			expect_key = false;
		}
		else if (tok == WJB_VALUE && !expect_key)
		{
			if (v.type != jbvString || v.val.string.len == 0)
				bad_argument("actions", "each command must map to a non-empty action name");
			expect_key = true;
		}
	}
}

/* Checks that columns maps attribute names to a column name or {"sql", "type"}. */
static void
validate_columns(Jsonb *columns)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			depth = 0;

	if (!JB_ROOT_IS_OBJECT(columns))
		bad_argument("columns", "must be a JSON object mapping attribute names to columns");
	it = JsonbIteratorInit(&columns->root);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_OBJECT)
			depth++;
		else if (tok == WJB_END_OBJECT)
			depth--;
		else if (tok == WJB_VALUE && depth == 1 && v.type != jbvString)
			bad_argument("columns", "each attribute must map to a column name or to {\"sql\": …, \"type\": …}");
		else if (tok == WJB_BEGIN_ARRAY)
			bad_argument("columns", "each attribute must map to a column name or to {\"sql\": …, \"type\": …}");
	}
}

/*
 * authz_protect_validate(tbl, kind, actions, columns): errors unless the
 * caller may protect tables and the arguments make sense.  With kind NULL
 * only the privilege is checked (authz_unprotect).
 */
Datum
authz_protect_validate(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char		relkind;

	authz_check_admin("protect tables");
	relkind = get_rel_relkind(relid);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", get_rel_name(relid)),
				 errdetail("Only tables can have row-level security.")));
	if (PG_ARGISNULL(1))
		PG_RETURN_VOID();
	if (VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(1)) == 0)
		bad_argument("kind", "must not be empty");
	if (PG_ARGISNULL(2))
		bad_argument("actions", "must not be NULL");
	validate_actions(PG_GETARG_JSONB_P(2));
	if (!PG_ARGISNULL(3))
		validate_columns(PG_GETARG_JSONB_P(3));
	PG_RETURN_VOID();
}

/* The action that cmd needs on relid's rows per the stored mapping, or NULL. */
static char *
action_for(Jsonb *actions, CmdType cmd)
{
	const char *name;
	JsonbValue *v;

	switch (cmd)
	{
		case CMD_SELECT:
			name = "select";
			break;
		case CMD_INSERT:
			name = "insert";
			break;
		case CMD_UPDATE:
			name = "update";
			break;
		case CMD_DELETE:
			name = "delete";
			break;
		default:
			return NULL;
	}
	v = getKeyJsonValueFromContainer(&actions->root, name, strlen(name), NULL);
	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/*
 * authz_protected and its index, looked up once: the hook runs for every
 * rewrite of every table with row-level security.  Dropping the extension
 * drops the table, whose relcache invalidation forgets them.
 */
static Oid	protected_table = InvalidOid;
static Oid	protected_index = InvalidOid;
static bool callback_registered = false;

static void
forget_protected_table(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == protected_table || relid == protected_index)
	{
		protected_table = InvalidOid;
		protected_index = InvalidOid;
	}
}

static bool
find_protected_table(void)
{
	if (OidIsValid(protected_table))
		return true;
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(forget_protected_table, (Datum) 0);
		callback_registered = true;
	}
	protected_table = authz_extension_relation("authz_protected");
	protected_index = authz_extension_relation("authz_protected_pkey");
	if (!OidIsValid(protected_table) || !OidIsValid(protected_index))
	{
		protected_table = protected_index = InvalidOid;
		return false;
	}
	return true;
}

/*
 * Looks relid up in authz_protected.  Returns false when it is not
 * protected; else fills *out (allocated in the current memory context)
 * with the kind, the action cmd needs (NULL: the command is not allowed at
 * all) and the column mapping (NULL: attributes are columns of that name).
 */
bool
authz_protected_lookup(Oid relid, CmdType cmd, AuthzProtection *out)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	bool		found = false;

	memset(out, 0, sizeof(*out));
	if (!find_protected_table())
		return false;
	rel = table_open(protected_table, AccessShareLock);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, protected_index, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		Datum		d;

		found = true;
		d = heap_getattr(tuple, 2, desc, &isnull);
		out->kind = isnull ? NULL : TextDatumGetCString(d);
		d = heap_getattr(tuple, 3, desc, &isnull);
		out->action = isnull ? NULL : action_for(DatumGetJsonbPCopy(d), cmd);
		d = heap_getattr(tuple, 4, desc, &isnull);
		out->columns = isnull ? NULL : DatumGetJsonbPCopy(d);
		out->version = HeapTupleHeaderGetXmin(tuple->t_data);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}
