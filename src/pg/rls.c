/*
 * rls.c — row-level security that follows the policies.
 *
 * For a table recorded by authz_protect(), PostgreSQL's row-security hooks
 * ask us for policies whenever a query on it is rewritten.  We answer with
 * one policy whose expression is the query plan of the session principal
 * for the table's kind and the command's action, turned into SQL
 * (plan_sql.c), parsed and analysed against the table as CREATE POLICY
 * would.  The filter is thus an ordinary expression the planner can match
 * to indexes: `owner = 'alice'`, not a function call per row.
 *
 * The policy is permissive, so with no policies of the table's own it is
 * the whole filter.  When the table also has permissive policies of its
 * own, which PostgreSQL ORs together, we add the same expression as a
 * restrictive policy too, so that they can narrow but never widen what the
 * policies allow.
 *
 * Cached plans.  The filter depends on who the principal is and on the
 * published policies, but PostgreSQL keeps rewritten queries in its plan
 * cache (prepared statements, PL/pgSQL) and only re-rewrites them when a
 * relation they use changes or the role changes.  So:
 *   - when the principal changes in a backend that has built a filter
 *     since the last change, we invalidate that backend's plan cache
 *     (ResetPlanCache, local and cheap: plans are rebuilt on next use);
 *   - when policies are published, the publishing transaction queues a
 *     relcache invalidation of every relation, which reaches every backend
 *     (and, through the WAL, hot standbys) when it commits, after the new
 *     image is installed;
 *   - a backend inside a transaction does not read invalidations while it
 *     holds its locks, so each statement also compares the policy
 *     generation with the one its filters were built from, before parse
 *     analysis (simple protocol, and PL/pgSQL called from it) and before
 *     execution (so a named prepared statement bound through the extended
 *     protocol is at most that one statement late, inside a transaction);
 *   - a filter made by policies that read now() holds for its statement
 *     only, so the next statement forgets the cached plans the same way.
 * Keeping the principal in backend memory (not a GUC) is what makes the
 * first rule possible: we see every change.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "parser/parse_clause.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "rewrite/rowsecurity.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/inval.h"
#include "utils/plancache.h"
#include "utils/rel.h"

#include "authz_pg.h"

static row_security_policy_hook_type prev_permissive_hook = NULL;
static row_security_policy_hook_type prev_restrictive_hook = NULL;

static post_parse_analyze_hook_type prev_post_parse_analyze = NULL;
static ExecutorStart_hook_type prev_executor_start = NULL;

/* Whether a filter was built since the principal last changed. */
static bool filters_built = false;
/* The policy generation those filters were built from. */
static uint64 filters_generation = 0;
/* Whether one of them read now(): it holds for its statement only. */
static bool filters_now_dependent = false;

/* Parses a SQL boolean expression over rel's columns into a policy qual. */
static Expr *
parse_filter(Relation rel, const char *sql, bool *hassublinks)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;
	List	   *raw;
	SelectStmt *select;
	Node	   *expr;
	Expr	   *qual;

	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock,
										   NULL, false, false);
	addNSItemToQuery(pstate, nsitem, false, true, true);

	raw = raw_parser(psprintf("SELECT %s", sql), RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1)
		elog(ERROR, "authz: filter is not one expression: %s", sql);
	select = (SelectStmt *) ((RawStmt *) linitial(raw))->stmt;
	if (!IsA(select, SelectStmt) || list_length(select->targetList) != 1 ||
		select->fromClause != NIL || select->whereClause != NULL)
		elog(ERROR, "authz: filter is not one expression: %s", sql);
	expr = ((ResTarget *) linitial(select->targetList))->val;

	qual = (Expr *) transformWhereClause(pstate, expr, EXPR_KIND_POLICY, "POLICY");
	assign_expr_collations(pstate, (Node *) qual);
	*hassublinks = pstate->p_hasSubLinks;
	free_parsestate(pstate);
	return qual;
}

/* A policy for every role holding qual (varno 1 is the table). */
static RowSecurityPolicy *
make_policy(Expr *qual, bool hassublinks, bool permissive)
{
	RowSecurityPolicy *policy = palloc0(sizeof(RowSecurityPolicy));
	Datum		role = ObjectIdGetDatum(ACL_ID_PUBLIC);

	policy->policy_name = pstrdup(permissive ? "authz" : "authz_restrict");
	policy->polcmd = '*';
	policy->roles = construct_array(&role, 1, OIDOID, sizeof(Oid), true, TYPALIGN_INT);
	policy->permissive = permissive;
	policy->qual = qual;
	policy->with_check_qual = NULL;	/* the qual checks new rows too */
	policy->hassublinks = hassublinks;
	return policy;
}

/* The policy for cmd on rel, or NULL when rel is not protected. */
static RowSecurityPolicy *
protection_policy(CmdType cmd, Relation rel, bool permissive)
{
	AuthzProtection protection;
	char	   *sql;
	bool		hassublinks = false;
	bool		now_dependent = false;
	Expr	   *qual;

	if (!authz_protected_lookup(RelationGetRelid(rel), cmd, &protection))
		return NULL;
	if (!filters_built)
		filters_generation = authz_store_generation();
	sql = authz_rls_filter_sql(rel, &protection, &now_dependent);
	filters_now_dependent |= now_dependent;
	qual = parse_filter(rel, sql, &hassublinks);
	filters_built = true;
	return make_policy(qual, hassublinks, permissive);
}

/* Whether rel has permissive policies of its own (CREATE POLICY). */
static bool
has_own_permissive_policies(Relation rel)
{
	ListCell   *lc;

	if (rel->rd_rsdesc == NULL)
		return false;
	foreach(lc, rel->rd_rsdesc->policies)
	{
		if (((RowSecurityPolicy *) lfirst(lc))->permissive)
			return true;
	}
	return false;
}

static List *
authz_permissive_policies(CmdType cmd, Relation rel)
{
	List	   *policies = prev_permissive_hook ? prev_permissive_hook(cmd, rel) : NIL;
	RowSecurityPolicy *policy = protection_policy(cmd, rel, true);

	return policy ? lappend(policies, policy) : policies;
}

static List *
authz_restrictive_policies(CmdType cmd, Relation rel)
{
	List	   *policies = prev_restrictive_hook ? prev_restrictive_hook(cmd, rel) : NIL;
	RowSecurityPolicy *policy;

	if (!has_own_permissive_policies(rel))
		return policies;
	policy = protection_policy(cmd, rel, false);
	return policy ? lappend(policies, policy) : policies;
}

/* Called whenever the session principal changes (principal.c). */
void
authz_rls_principal_changed(void)
{
	if (!filters_built)
		return;
	filters_built = false;
	filters_now_dependent = false;
	ResetPlanCache();
}

/*
 * Called by a transaction that publishes policies: every backend replans
 * when it commits.  Outside a transaction (server start) there is nothing
 * cached yet.  A hot standby cannot queue invalidations (they would need
 * WAL); there the primary's commit record carries the invalidation that
 * made its backends rebuild, and this backend forgets its own plans.
 */
void
authz_rls_policies_changed(void)
{
	if (IsTransactionState() && !RecoveryInProgress())
		CacheInvalidateRelcacheAll();
	authz_rls_principal_changed();
}

/*
 * Forgets cached plans whose filters predate the published policies, or
 * were made at another instant by policies that read now().
 */
static void
check_policy_generation(void)
{
	if (filters_built &&
		(filters_now_dependent ||
		 (authz_shmem_available() && authz_store_generation() != filters_generation)))
	{
		filters_built = false;
		filters_now_dependent = false;
		ResetPlanCache();
	}
}

static void
authz_post_parse_analyze(ParseState *pstate, Query *query, JumbleState *jstate)
{
	check_policy_generation();
	if (prev_post_parse_analyze)
		prev_post_parse_analyze(pstate, query, jstate);
}

static void
authz_executor_start(QueryDesc *queryDesc, int eflags)
{
	check_policy_generation();

	/*
	 * A parallel plan may decide in its workers, which cannot read the
	 * policy table: publish this database's set from it first, as the
	 * first decision would.
	 */
	if (queryDesc->plannedstmt->parallelModeNeeded && !IsParallelWorker() &&
		IsTransactionState() && authz_shmem_available())
	{
		AuthzImageRef ref;

		(void) authz_current_image(&ref);
	}
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

void
authz_rls_install_hooks(void)
{
	prev_post_parse_analyze = post_parse_analyze_hook;
	post_parse_analyze_hook = authz_post_parse_analyze;
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = authz_executor_start;
	prev_permissive_hook = row_security_policy_hook_permissive;
	row_security_policy_hook_permissive = authz_permissive_policies;
	prev_restrictive_hook = row_security_policy_hook_restrictive;
	row_security_policy_hook_restrictive = authz_restrictive_policies;
}
