/*
 * principal.c — the session principal: who the current user is.
 *
 * The principal is set only by a verifying function (authz_set_session) or
 * by a privileged call (authz_set_principal), and lives in backend memory,
 * never in a GUC: any role can SET a placeholder GUC, so a principal kept
 * there could be forged from plain SQL.
 *
 * Scopes.  A principal set for the transaction (the default, safe with
 * transaction pooling) is forgotten when the transaction ends, commit or
 * abort; one set for the session lasts until authz_reset_session(),
 * RESET ALL or DISCARD ALL.  A transaction-scoped principal shadows the
 * session one.  A principal set inside a subtransaction that rolls back is
 * undone, like any other change made there.
 *
 * Parallel workers.  Workers do not inherit C statics.  Each backend owns a
 * slot in shared memory (indexed by BackendId) holding a copy of its current
 * principal in the DSA area, written only by this file in that backend; a
 * worker reads its leader's slot.  A change bumps the slot's change counter
 * before and after the write (odd = being written), so a reader retries
 * instead of seeing half an update.  Functions that read the principal thus
 * stay PARALLEL SAFE while no SQL can write it.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "port/atomics.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/dsa.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "authz_pg.h"

typedef struct PrincipalSlot
{
	pg_atomic_uint64 changes;	/* odd while being written */
	dsa_pointer data;			/* Jsonb copy, or InvalidDsaPointer */
} PrincipalSlot;

/* a principal and where it was set, for subtransaction rollback */
typedef struct PrincipalEntry
{
	Jsonb	   *principal;		/* in principal_context; NULL = none */
	Jsonb	   *claims;			/* verified token claims (auxData.jwt) or NULL */
	SubTransactionId subxid;	/* subtransaction that set it */
	struct PrincipalEntry *previous;	/* value before it was set */
} PrincipalEntry;

static PrincipalSlot *principal_slots = NULL;
static MemoryContext principal_context = NULL;
static PrincipalEntry *xact_principal = NULL;	/* transaction scope */
static Jsonb *session_principal = NULL; /* session scope */
static Jsonb *session_claims = NULL;
static bool published_once = false;

/* worker-side cache of the leader's principal and its token claims */
static Jsonb *worker_principal = NULL;
static Jsonb *worker_claims = NULL;
static uint64 worker_changes = 0;
static bool worker_cached = false;

static ProcessUtility_hook_type prev_process_utility = NULL;

Size
authz_principal_shmem_size(void)
{
	return mul_size(sizeof(PrincipalSlot), MaxBackends + 1);
}

void
authz_principal_shmem_init(void)
{
	bool		found;
	int			i;

	principal_slots = ShmemInitStruct("authz principals",
									  authz_principal_shmem_size(), &found);
	if (!found)
	{
		for (i = 0; i <= MaxBackends; i++)
		{
			pg_atomic_init_u64(&principal_slots[i].changes, 0);
			principal_slots[i].data = InvalidDsaPointer;
		}
	}
}

/* The principal in force in this backend (leader side). */
static Jsonb *
local_principal(void)
{
	if (xact_principal != NULL)
		return xact_principal->principal;
	return session_principal;
}

static void
clear_slot_on_exit(int code, Datum arg)
{
	PrincipalSlot *slot;
	dsa_area   *area;

	if (principal_slots == NULL || MyBackendId == InvalidBackendId)
		return;
	slot = &principal_slots[MyBackendId];
	if (!DsaPointerIsValid(slot->data))
		return;
	area = authz_store_area();
	pg_atomic_fetch_add_u64(&slot->changes, 1);
	dsa_free(area, slot->data);
	slot->data = InvalidDsaPointer;
	pg_atomic_fetch_add_u64(&slot->changes, 1);
}

/* [principal, claims or null] as one jsonb, the form a slot holds. */
static Jsonb *
slot_payload(Jsonb *principal, Jsonb *claims)
{
	JsonbParseState *state = NULL;
	JsonbValue	v;
	JsonbValue *res;

	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	v.type = jbvBinary;
	v.val.binary.data = &principal->root;
	v.val.binary.len = VARSIZE(principal) - VARHDRSZ;
	pushJsonbValue(&state, WJB_ELEM, &v);
	if (claims != NULL && !JB_ROOT_IS_SCALAR(claims))
	{
		v.type = jbvBinary;
		v.val.binary.data = &claims->root;
		v.val.binary.len = VARSIZE(claims) - VARHDRSZ;
	}
	else
		v.type = jbvNull;
	pushJsonbValue(&state, WJB_ELEM, &v);
	res = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	return JsonbValueToJsonb(res);
}

/* Element i of a slot payload as its own jsonb, or NULL. */
static Jsonb *
payload_element(Jsonb *payload, int i)
{
	JsonbValue *v = getIthJsonbValueFromContainer(&payload->root, i);

	if (v == NULL || v->type != jbvBinary)
		return NULL;
	return JsonbValueToJsonb(v);
}

/* Copies the principal in force into this backend's shared slot. */
static void
publish_to_slot(void)
{
	PrincipalSlot *slot;
	Jsonb	   *p = local_principal();
	dsa_area   *area;
	dsa_pointer newdata = InvalidDsaPointer,
				old;

	if (principal_slots == NULL || MyBackendId == InvalidBackendId)
		return;
	slot = &principal_slots[MyBackendId];
	if (p == NULL && !DsaPointerIsValid(slot->data))
		return;
	area = authz_store_area();
	if (!published_once)
	{
		before_shmem_exit(clear_slot_on_exit, 0);
		published_once = true;
	}
	if (p != NULL)
	{
		Jsonb	   *payload = slot_payload(p, authz_current_jwt_claims());

		newdata = dsa_allocate_extended(area, VARSIZE(payload), DSA_ALLOC_NO_OOM);
		if (!DsaPointerIsValid(newdata))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of shared memory for the session principal")));
		memcpy(dsa_get_address(area, newdata), payload, VARSIZE(payload));
		pfree(payload);
	}
	old = slot->data;
	pg_atomic_fetch_add_u64(&slot->changes, 1);
	pg_write_barrier();
	slot->data = newdata;
	pg_write_barrier();
	pg_atomic_fetch_add_u64(&slot->changes, 1);
	if (DsaPointerIsValid(old))
		dsa_free(area, old);
}

/* A worker's copy of its leader's principal (NULL if none). */
static Jsonb *
leader_principal(void)
{
	PrincipalSlot *slot;
	dsa_area   *area;
	int			attempt;

	if (principal_slots == NULL || ParallelLeaderBackendId == InvalidBackendId)
		return NULL;
	slot = &principal_slots[ParallelLeaderBackendId];
	for (attempt = 0; attempt < 1000; attempt++)
	{
		uint64		before = pg_atomic_read_u64(&slot->changes);
		dsa_pointer dp;
		Jsonb	   *copy = NULL;

		if (before & 1)
		{
			pg_usleep(10);
			continue;
		}
		if (worker_cached && before == worker_changes)
			return worker_principal;
		pg_read_barrier();
		dp = slot->data;
		if (DsaPointerIsValid(dp))
		{
			Jsonb	   *shared;
			Size		len;

			area = authz_store_area();
			shared = dsa_get_address(area, dp);
			len = VARSIZE(shared);
			if (len < VARHDRSZ || len > MaxAllocSize)
				continue;
			copy = MemoryContextAlloc(TopMemoryContext, len);
			memcpy(copy, shared, len);
		}
		pg_read_barrier();
		if (pg_atomic_read_u64(&slot->changes) != before)
		{
			if (copy)
				pfree(copy);
			continue;
		}
		if (worker_principal)
			pfree(worker_principal);
		if (worker_claims)
			pfree(worker_claims);
		worker_principal = NULL;
		worker_claims = NULL;
		if (copy != NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			worker_principal = payload_element(copy, 0);
			worker_claims = payload_element(copy, 1);
			MemoryContextSwitchTo(old);
			pfree(copy);
		}
		worker_changes = before;
		worker_cached = true;
		return worker_principal;
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("could not read the leader's principal in a parallel worker")));
	return NULL;
}

Jsonb *
authz_current_principal(void)
{
	if (IsParallelWorker())
		return leader_principal();
	return local_principal();
}

static void
ensure_context(void)
{
	if (principal_context == NULL)
		principal_context = AllocSetContextCreate(TopMemoryContext,
												  "authz principal",
												  ALLOCSET_SMALL_SIZES);
}

/* Whether two jsonb values have the same bytes (or both are NULL). */
bool
authz_same_jsonb(const Jsonb *a, const Jsonb *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

/* A copy of j allocated in context (NULL stays NULL). */
Jsonb *
authz_copy_jsonb(MemoryContext context, const Jsonb *j)
{
	Jsonb	   *copy;

	if (j == NULL)
		return NULL;
	copy = MemoryContextAlloc(context, VARSIZE(j));
	memcpy(copy, j, VARSIZE(j));
	return copy;
}

static Jsonb *
copy_jsonb(Jsonb *j)
{
	ensure_context();
	return authz_copy_jsonb(principal_context, j);
}

static void
free_entry_chain(PrincipalEntry *e)
{
	while (e != NULL)
	{
		PrincipalEntry *prev = e->previous;

		if (e->principal)
			pfree(e->principal);
		if (e->claims)
			pfree(e->claims);
		pfree(e);
		e = prev;
	}
}

/* The verified token claims that came with the current principal, or NULL. */
Jsonb *
authz_current_jwt_claims(void)
{
	if (IsParallelWorker())
	{
		(void) leader_principal();
		return worker_claims;
	}
	if (xact_principal != NULL)
		return xact_principal->claims;
	return session_claims;
}

void
authz_install_principal(Jsonb *principal, Jsonb *claims, bool for_session)
{
	if (IsParallelWorker())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("cannot set the principal in a parallel worker")));
	ensure_context();
	if (for_session)
	{
		Jsonb	   *copy = copy_jsonb(principal);
		Jsonb	   *claims_copy = copy_jsonb(claims);

		if (session_principal)
			pfree(session_principal);
		if (session_claims)
			pfree(session_claims);
		session_principal = copy;
		session_claims = claims_copy;
		/* a session principal replaces any transaction-scoped one */
		free_entry_chain(xact_principal);
		xact_principal = NULL;
	}
	else
	{
		PrincipalEntry *e = MemoryContextAllocZero(principal_context, sizeof(PrincipalEntry));

		e->principal = copy_jsonb(principal);
		e->claims = copy_jsonb(claims);
		e->subxid = GetCurrentSubTransactionId();
		e->previous = xact_principal;
		xact_principal = e;
	}
	publish_to_slot();
	authz_rls_principal_changed();
}

void
authz_clear_principal(void)
{
	free_entry_chain(xact_principal);
	xact_principal = NULL;
	if (session_principal)
		pfree(session_principal);
	if (session_claims)
		pfree(session_claims);
	session_principal = NULL;
	session_claims = NULL;
	publish_to_slot();
	authz_rls_principal_changed();
}

/* Forgets the transaction-scoped principal when the transaction ends. */
static void
principal_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			if (xact_principal != NULL)
			{
				free_entry_chain(xact_principal);
				xact_principal = NULL;
				if (!IsParallelWorker())
				{
					publish_to_slot();
					authz_rls_principal_changed();
				}
			}
			break;
		default:
			break;
	}
}

/* Undoes principals set inside a subtransaction that rolls back. */
static void
principal_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						   SubTransactionId parentSubid, void *arg)
{
	bool		changed = false;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	while (xact_principal != NULL && xact_principal->subxid == mySubid)
	{
		PrincipalEntry *e = xact_principal;

		xact_principal = e->previous;
		e->previous = NULL;
		free_entry_chain(e);
		changed = true;
	}
	if (changed && !IsParallelWorker())
	{
		publish_to_slot();
		authz_rls_principal_changed();
	}
}

/* RESET ALL and DISCARD ALL forget the principal; DROP EXTENSION forgets everything. */
static void
principal_process_utility(PlannedStmt *pstmt, const char *queryString,
						  bool readOnlyTree, ProcessUtilityContext context,
						  ParamListInfo params, QueryEnvironment *queryEnv,
						  DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	bool		forget = false;
	bool		dropping_authz = false;

	if (IsA(stmt, DiscardStmt) && ((DiscardStmt *) stmt)->target == DISCARD_ALL)
		forget = true;
	else if (IsA(stmt, VariableSetStmt) && ((VariableSetStmt *) stmt)->kind == VAR_RESET_ALL)
		forget = true;
	else if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->removeType == OBJECT_EXTENSION)
	{
		ListCell   *lc;

		foreach(lc, ((DropStmt *) stmt)->objects)
			if (strcmp(strVal(lfirst(lc)), "authz") == 0)
				dropping_authz = true;
	}

	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context, params,
							 queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
	/* only once the statement succeeded */
	if (forget || dropping_authz)
		authz_clear_principal();
	/* DROP EXTENSION leaves no policy set of this database behind */
	if (dropping_authz && authz_shmem_available())
		authz_store_drop_database(MyDatabaseId);
}

void
authz_principal_install_hooks(void)
{
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = principal_process_utility;
	RegisterXactCallback(principal_xact_callback, NULL);
	RegisterSubXactCallback(principal_subxact_callback, NULL);
}
