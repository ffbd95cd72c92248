/*
 * decision_log.c — a queryable record of recent decisions.
 *
 * When authz.decision_log is on, every decision made by authz_check and
 * authz_check_resources is appended to a ring of authz.decision_log_size
 * entries in shared memory, readable with authz_decision_log() from any
 * session.  A ring (not a table) because decisions are taken inside
 * read-only queries, STABLE and parallel-safe functions, where writing a
 * table is impossible, and because a log must never slow a decision down by
 * waiting on a lock: appending takes a slot with one atomic increment.
 *
 * Each entry carries the sequence number it was written for; a writer sets
 * it to zero while filling the entry and to its number when done, so a
 * reader skips entries that are being overwritten instead of showing half
 * of one.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "authz_pg.h"

#define LOG_FIELD 64

typedef struct DecisionEntry
{
	pg_atomic_uint64 seq;		/* 0 while being written */
	TimestampTz at;
	uint64		generation;		/* policy image generation */
	bool		allowed;
	char		principal[LOG_FIELD];
	char		kind[LOG_FIELD];
	char		resource[LOG_FIELD];
	char		action[LOG_FIELD];
	char		policy[2 * LOG_FIELD];
} DecisionEntry;

typedef struct DecisionLog
{
	pg_atomic_uint64 next;		/* sequence number of the next entry, from 1 */
	int			size;
	DecisionEntry entries[FLEXIBLE_ARRAY_MEMBER];
} DecisionLog;

static DecisionLog *decision_log = NULL;

PG_FUNCTION_INFO_V1(authz_decision_log);

Size
authz_decision_log_shmem_size(void)
{
	return add_size(offsetof(DecisionLog, entries),
					mul_size(sizeof(DecisionEntry), authz_decision_log_size));
}

void
authz_decision_log_shmem_init(void)
{
	bool		found;
	int			i;

	decision_log = ShmemInitStruct("authz decision log",
								   authz_decision_log_shmem_size(), &found);
	if (!found)
	{
		pg_atomic_init_u64(&decision_log->next, 1);
		decision_log->size = authz_decision_log_size;
		for (i = 0; i < authz_decision_log_size; i++)
			pg_atomic_init_u64(&decision_log->entries[i].seq, 0);
	}
}

/* Appends one decision when the log is on; never waits. */
void
authz_log_decision(const char *principal, const char *kind, const char *resource,
				   const char *action, bool allowed, const char *policy,
				   uint64 generation)
{
	uint64		seq;
	DecisionEntry *e;

	if (!authz_decision_log_enabled || decision_log == NULL || decision_log->size <= 0)
		return;
	seq = pg_atomic_fetch_add_u64(&decision_log->next, 1);
	e = &decision_log->entries[(seq - 1) % decision_log->size];
	pg_atomic_write_u64(&e->seq, 0);
	pg_write_barrier();
	e->at = GetCurrentTimestamp();
	e->generation = generation;
	e->allowed = allowed;
	strlcpy(e->principal, principal ? principal : "", LOG_FIELD);
	strlcpy(e->kind, kind ? kind : "", LOG_FIELD);
	strlcpy(e->resource, resource ? resource : "", LOG_FIELD);
	strlcpy(e->action, action ? action : "", LOG_FIELD);
	strlcpy(e->policy, policy ? policy : "", sizeof(e->policy));
	pg_write_barrier();
	pg_atomic_write_u64(&e->seq, seq);
}

/* authz_decision_log(): the entries still in the ring, oldest first. */
Datum
authz_decision_log(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	uint64		next;
	uint64		first;
	uint64		s;

	/* who decided what is not for everyone, even if EXECUTE is granted */
	authz_check_admin("read the decision log");
	authz_require_shmem();
	InitMaterializedSRF(fcinfo, 0);
	if (decision_log == NULL || decision_log->size <= 0)
		PG_RETURN_VOID();
	next = pg_atomic_read_u64(&decision_log->next);
	first = next > (uint64) decision_log->size ? next - decision_log->size : 1;
	for (s = first; s < next; s++)
	{
		DecisionEntry *e = &decision_log->entries[(s - 1) % decision_log->size];
		DecisionEntry copy;
		Datum		values[9];
		bool		nulls[9] = {0};

		if (pg_atomic_read_u64(&e->seq) != s)
			continue;			/* being written, or already overwritten */
		pg_read_barrier();
		memcpy(&copy, e, sizeof(copy));
		pg_read_barrier();
		if (pg_atomic_read_u64(&e->seq) != s)
			continue;
		values[0] = Int64GetDatum((int64) s);
		values[1] = TimestampTzGetDatum(copy.at);
		values[2] = CStringGetTextDatum(copy.principal);
		values[3] = CStringGetTextDatum(copy.kind);
		values[4] = CStringGetTextDatum(copy.resource);
		values[5] = CStringGetTextDatum(copy.action);
		values[6] = CStringGetTextDatum(copy.allowed ? "EFFECT_ALLOW" : "EFFECT_DENY");
		values[7] = CStringGetTextDatum(copy.policy);
		values[8] = Int64GetDatum((int64) copy.generation);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}
