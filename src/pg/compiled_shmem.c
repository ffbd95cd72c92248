/*
 * compiled_shmem.c — compiled policy sets in the main shared-memory segment.
 *
 * The policy image (store_shmem.c) holds the policy documents; compiling
 * them into the engine's rule table (EngineSet) costs about as much as the
 * load itself.  Instead of every backend doing that after every reload,
 * the loading process compiles the set once, here, and every backend reads
 * it in place.
 *
 * Why pointers are fine here.  An EngineSet is pointer-rich (rows, indexes,
 * CEL ASTs, strings).  The DSA area that holds images maps at a different
 * address in each process, which is why images are offset-based.  The main
 * segment, though, is inherited from the postmaster by fork() and so sits
 * at the same address in every process of the cluster; authz is required
 * in shared_preload_libraries, so its code and static data (string
 * literals, function tables) are also at the same address everywhere.  A
 * set built by bump allocation inside the main segment is therefore valid,
 * as is, in every backend.  (EXEC_BACKEND builds re-attach the segment at
 * the same address too, but re-load the library; they are not supported by
 * authz.)  The few per-process things a compile touches are not read from
 * the set at run time: CEL overloads are kept as indexes into the
 * registry, and the checker's type pointers are only tested for NULL.
 *
 * The region.  authz.compiled_policy_memory reserves a fixed region at
 * start-up.  Each compiled set occupies one extent of it: a header
 * (CompiledHeader) followed by the set.  A load compiles in private memory
 * (the compile allocates some twenty times what the finished set needs:
 * YAML trees, checker state), takes the largest free gap, copies just the
 * set into it (engine_set_copy) through an Arena whose allocator is a bump
 * pointer over the gap, and shrinks the extent to what was used.  Running
 * out of the gap fails the arena, hence the copy, hence the load: nothing
 * changes, and the ERROR names the setting and the bytes needed.  Because
 * the published set stays in place while its successor is built, the
 * region must hold two copies of the largest set (plus the sets of the
 * other databases with their own policies).
 *
 * Extents are BUILDING (being compiled by one process), PREPARED (compiled,
 * not yet current: between a transaction's pre-commit and commit),
 * PUBLISHED (current in a store slot) or RETIRED (replaced, waiting for its
 * readers to finish).  Only one process builds at a time.
 *
 * Readers: hazard pins.  Every process has one pin word (indexed by its
 * pgprocno).  To read the set of a slot, a backend writes the slot's
 * extent handle into its pin, issues a full barrier, and re-reads the
 * slot; if the slot still holds that handle, the extent cannot be reused
 * until the pin is cleared, because a loader first retires an extent (swaps
 * the slot word), then, before reusing the space, waits until no pin holds
 * the handle.  A pin lasts one SQL call (nested calls reuse the outer pin);
 * an ERROR unwinding through a call clears it in the (sub)transaction abort
 * callback, and process exit clears it too.  Retired extents are freed at
 * the start of the next load, which waits (a few seconds at most, a call's
 * duration in practice) for pins on them to go away.
 *
 * Locking.  region->lock (an LWLock) protects the extent table and the
 * builder; the store's lock is taken before it when both are needed
 * (publishing).  Slot words and pins are atomics read without a lock.
 */
#include "postgres.h"

#include <limits.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "compiled_shmem.h"
#include "engine/engine.h"
#include "store/image_source.h"

#define COMPILED_MAGIC		UINT64CONST(0x415a43534554)	/* "AZCSET" */
#define PIN_WAIT_MS			10000	/* longest wait for readers of a retired set */
#define WAIT_STEP_MS		5
#define MIN_EXTENT			8192	/* smaller gaps are not worth a try */

/* at the start of every extent */
typedef struct CompiledHeader
{
	uint64		magic;
	uint64		generation;		/* set when published */
	Oid			dbid;			/* database of the slot (InvalidOid = server) */
	uint32		npolicies;
	Size		bytes;			/* extent bytes used, header included */
	Size		image_bytes;	/* of the image it was compiled from */
	const EngineSet *set;
} CompiledHeader;

typedef enum ExtentState
{
	EXTENT_BUILDING = 1,
	EXTENT_PREPARED,
	EXTENT_PUBLISHED,
	EXTENT_RETIRED
} ExtentState;

typedef struct Extent
{
	Size		off;
	Size		size;
	int			state;			/* ExtentState */
	int			owner;			/* pgprocno while BUILDING or PREPARED */
} Extent;

typedef struct CompiledRegion
{
	LWLock	   *lock;
	Size		size;			/* bytes of the data area */
	int			builder;		/* pgprocno compiling now, -1 none */
	int			nextents;		/* in use, sorted by offset */
	int			maxextents;
	int			npins;
	pg_atomic_uint64 compiles;	/* sets compiled into the region */
	pg_atomic_uint64 shared_uses;	/* backends that started using a shared set */
	pg_atomic_uint64 private_builds;	/* backends that compiled a set themselves */
	Extent		extents[FLEXIBLE_ARRAY_MEMBER];
	/* then pg_atomic_uint64 pins[npins] */
} CompiledRegion;

int			authz_compiled_policy_memory_mb = 64;

static CompiledRegion *region = NULL;
static pg_atomic_uint64 *pins = NULL;
static char *region_data = NULL;

/* this process's pin */
static int	pin_depth = 0;
static uint64 pinned = 0;
static bool callbacks_registered = false;

/* this process's counters */
static uint64 my_shared_uses = 0;
static uint64 my_private_builds = 0;

static int
max_extents(void)
{
	return 4 * (authz_max_databases + 1) + 8;
}

static int
pin_count(void)
{
	return MaxBackends + NUM_AUXILIARY_PROCS;
}

static Size
region_bytes(void)
{
	return (Size) authz_compiled_policy_memory_mb * 1024 * 1024;
}

static Size
control_size(void)
{
	Size		s = add_size(offsetof(CompiledRegion, extents),
							 mul_size(sizeof(Extent), max_extents()));

	s = MAXALIGN(s);
	return add_size(s, mul_size(sizeof(pg_atomic_uint64), pin_count()));
}

/* Defines authz.compiled_policy_memory (called from _PG_init). */
void
authz_compiled_define_guc(void)
{
	DefineCustomIntVariable("authz.compiled_policy_memory",
							"Shared memory for compiled policy sets, read in place by every backend.",
							"Must hold two copies of the largest policy set (the active one stays "
							"while a reload compiles the next). 0 disables sharing: each backend "
							"then compiles the published policies itself.",
							&authz_compiled_policy_memory_mb,
							64, 0, 64 * 1024,
							PGC_POSTMASTER,
							GUC_UNIT_MB,
							NULL, NULL, NULL);
}

/* Shared memory to request (shmem_request_hook). */
Size
authz_compiled_shmem_size(void)
{
	return add_size(control_size(), region_bytes());
}

/* The LWLock tranche to request (shmem_request_hook). */
void
authz_compiled_request_lock(void)
{
	RequestNamedLWLockTranche("authz_compiled", 1);
}

/* Creates or finds the region (shmem_startup_hook, AddinShmemInitLock held). */
void
authz_compiled_shmem_init(void)
{
	bool		found;
	char	   *base;

	base = ShmemInitStruct("authz compiled policies", authz_compiled_shmem_size(), &found);
	region = (CompiledRegion *) base;
	pins = (pg_atomic_uint64 *) (base + MAXALIGN(add_size(offsetof(CompiledRegion, extents),
														   mul_size(sizeof(Extent), max_extents()))));
	region_data = base + control_size();
	if (!found)
	{
		int			i;

		region->lock = &(GetNamedLWLockTranche("authz_compiled"))->lock;
		region->size = region_bytes();
		region->builder = -1;
		region->nextents = 0;
		region->maxextents = max_extents();
		region->npins = pin_count();
		pg_atomic_init_u64(&region->compiles, 0);
		pg_atomic_init_u64(&region->shared_uses, 0);
		pg_atomic_init_u64(&region->private_builds, 0);
		for (i = 0; i < region->npins; i++)
			pg_atomic_init_u64(&pins[i], 0);
	}
}

/* Whether compiled sets are shared (the region exists and is not empty). */
bool
authz_compiled_enabled(void)
{
	return region != NULL && region->size > 0;
}

/* This process's pin word, or NULL when it has none (should not happen). */
static pg_atomic_uint64 *
my_pin(void)
{
	if (region == NULL || MyProc == NULL || MyProc->pgprocno < 0 ||
		MyProc->pgprocno >= region->npins)
		return NULL;
	return &pins[MyProc->pgprocno];
}

static CompiledHeader *
header_of(uint64 handle)
{
	return (CompiledHeader *) (region_data + (handle - 1));
}

static int
find_extent(uint64 handle)
{
	int			i;

	for (i = 0; i < region->nextents; i++)
		if (region->extents[i].off == handle - 1)
			return i;
	return -1;
}

static void
remove_extent(int i)
{
	memmove(&region->extents[i], &region->extents[i + 1],
			sizeof(Extent) * (region->nextents - i - 1));
	region->nextents--;
}

/* Whether any process pins handle (caller holds the lock). */
static int
pinned_by(uint64 handle)
{
	int			i;

	pg_memory_barrier();
	for (i = 0; i < region->npins; i++)
		if (pg_atomic_read_u64(&pins[i]) == handle)
			return i;
	return -1;
}

/* Frees this process's unfinished extents and pin (exit, ERROR). */
static void
release_own(bool pins_too)
{
	int			i;

	if (region == NULL || MyProc == NULL)
		return;
	LWLockAcquire(region->lock, LW_EXCLUSIVE);
	for (i = region->nextents - 1; i >= 0; i--)
		if ((region->extents[i].state == EXTENT_BUILDING ||
			 region->extents[i].state == EXTENT_PREPARED) &&
			region->extents[i].owner == MyProc->pgprocno)
			remove_extent(i);
	if (region->builder == MyProc->pgprocno)
		region->builder = -1;
	LWLockRelease(region->lock);
	if (pins_too)
	{
		pg_atomic_uint64 *pin = my_pin();

		pg_memory_barrier();
		if (pin)
			pg_atomic_write_u64(pin, 0);
		pin_depth = 0;
		pinned = 0;
	}
}

static void
compiled_exit(int code, Datum arg)
{
	release_own(true);
}

/* An ERROR unwinding through a call that pinned a set: unpin. */
static void
compiled_xact_callback(XactEvent event, void *arg)
{
	if ((event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		 event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		 event == XACT_EVENT_PREPARE) && pin_depth > 0)
	{
		pg_atomic_uint64 *pin = my_pin();

		if (pin)
			pg_atomic_write_u64(pin, 0);
		pin_depth = 0;
		pinned = 0;
	}
}

/*
 * A subtransaction aborting while a set is pinned: the pinned call is being
 * unwound (the engine never runs SQL while it holds a set, so no outer call
 * can still be using the pin).
 */
static void
compiled_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		compiled_xact_callback(XACT_EVENT_ABORT, arg);
}

static void
register_callbacks(void)
{
	if (callbacks_registered)
		return;
	before_shmem_exit(compiled_exit, 0);
	RegisterXactCallback(compiled_xact_callback, NULL);
	RegisterSubXactCallback(compiled_subxact_callback, NULL);
	callbacks_registered = true;
}

/* ---------- building ---------- */

typedef struct BumpState
{
	char	   *cursor;
	char	   *end;
	bool		exhausted;
} BumpState;

/* ArenaAllocator over one extent: blocks are never given back. */
static void *
bump_alloc(void *state, size_t size)
{
	BumpState  *b = state;
	char	   *p;

	size = MAXALIGN(size);
	if ((Size) (b->end - b->cursor) < size)
	{
		b->exhausted = true;
		return NULL;
	}
	p = b->cursor;
	b->cursor += size;
	return p;
}

/* Largest free gap (caller holds the lock); *off receives its start. */
static Size
largest_gap(Size *off)
{
	Size		at = 0,
				best = 0;
	int			i;

	*off = 0;
	for (i = 0; i <= region->nextents; i++)
	{
		Size		end = i < region->nextents ? region->extents[i].off : region->size;

		if (end > at && end - at > best)
		{
			best = end - at;
			*off = at;
		}
		if (i < region->nextents)
			at = region->extents[i].off + region->extents[i].size;
	}
	return best;
}

/* Inserts an extent keeping the table sorted (caller holds the lock). */
static void
insert_extent(Size off, Size size, int state, int owner)
{
	int			i = 0;

	while (i < region->nextents && region->extents[i].off < off)
		i++;
	memmove(&region->extents[i + 1], &region->extents[i],
			sizeof(Extent) * (region->nextents - i));
	region->extents[i].off = off;
	region->extents[i].size = size;
	region->extents[i].state = state;
	region->extents[i].owner = owner;
	region->nextents++;
}

/* Sleeps a little, honouring interrupts (cancel, statement_timeout). */
static void
wait_step(void)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 WAIT_STEP_MS, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/*
 * Becomes the builder and claims the largest gap, after freeing every
 * retired extent (waiting for its readers).  Returns the gap's offset.
 */
static pg_noinline Size
claim_gap(Size *size)
{
	TimestampTz deadline = 0;
	int			holder = -1;

	for (;;)
	{
		bool		busy = false;
		int			i;

		LWLockAcquire(region->lock, LW_EXCLUSIVE);
		if (region->builder >= 0 && region->builder != MyProc->pgprocno)
			busy = true;
		else
		{
			for (i = region->nextents - 1; i >= 0; i--)
			{
				int			by;

				if (region->extents[i].state != EXTENT_RETIRED)
					continue;
				by = pinned_by(region->extents[i].off + 1);
				if (by < 0)
					remove_extent(i);
				else
				{
					holder = by;
					busy = true;
				}
			}
		}
		if (!busy)
		{
			Size		off;

			if (region->nextents >= region->maxextents)
			{
				LWLockRelease(region->lock);
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many compiled policy sets in shared memory"),
						 errhint("Raise authz.max_databases and restart the server.")));
			}
			*size = largest_gap(&off);
			if (*size < MIN_EXTENT)
			{
				/* full: the caller reports what the set would need */
				*size = 0;
				LWLockRelease(region->lock);
				return 0;
			}
			region->builder = MyProc->pgprocno;
			insert_extent(off, *size, EXTENT_BUILDING, MyProc->pgprocno);
			LWLockRelease(region->lock);
			return off;
		}
		LWLockRelease(region->lock);
		if (holder >= 0)
		{
			/* only readers of a retired set hold us up: their calls end soon */
			if (deadline == 0)
				deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), PIN_WAIT_MS);
			else if (GetCurrentTimestamp() > deadline)
			{
				PGPROC	   *proc = holder < (int) ProcGlobal->allProcCount ?
					&ProcGlobal->allProcs[holder] : NULL;

				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_IN_USE),
						 errmsg("a replaced policy set is still in use"),
						 errdetail("Process %d has been reading it for more than %d ms.",
								   proc ? proc->pid : 0, PIN_WAIT_MS),
						 errhint("Nothing was changed; retry the load.")));
			}
			holder = -1;
		}
		wait_step();
	}
}

/* Ends a build: shrinks the extent to used bytes (or drops it). */
static void
finish_build(Size off, Size used, bool keep)
{
	int			i;

	LWLockAcquire(region->lock, LW_EXCLUSIVE);
	i = find_extent(off + 1);
	if (i >= 0)
	{
		if (keep)
		{
			region->extents[i].size = MAXALIGN(used);
			region->extents[i].state = EXTENT_PREPARED;
		}
		else
			remove_extent(i);
	}
	if (region->builder == MyProc->pgprocno)
		region->builder = -1;
	LWLockRelease(region->lock);
}

/* What copying set takes, measured in private memory (for the error). */
static Size
bytes_needed(const EngineSet *set)
{
	MemoryContext ctx = AllocSetContextCreate(CurrentMemoryContext, "authz compiled size",
											  ALLOCSET_DEFAULT_SIZES);
	Arena	   *dst = arena_create_in(ctx, 0);
	Arena	   *scratch = arena_create_in(ctx, 0);
	Size		total;

	(void) engine_set_copy(dst, set, scratch);
	total = dst->total + MAXALIGN(sizeof(CompiledHeader));
	MemoryContextDelete(ctx);
	return total;
}

/* The ERROR of a set that does not fit: the setting and the bytes needed. */
static void
not_enough_memory(const EngineSet *set, Size gap)
{
	Size		need = bytes_needed(set);

	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("compiled policy set does not fit in authz.compiled_policy_memory"),
			 errdetail("Compiling it needs %zu bytes; the largest free part of the %d MB is %zu bytes (the active policy sets stay in place while a new one is built).",
					   need, authz_compiled_policy_memory_mb, gap),
			 errhint("Raise authz.compiled_policy_memory and restart the server. Nothing was changed.")));
}

/*
 * Compiles image (unless the caller has its set already: from, compiled
 * with the default settings) and copies the set into a new extent that is
 * not yet current; returns its handle, or 0 when sharing is disabled.  An
 * ERROR leaves nothing behind.
 *
 * The compile itself runs in private memory: it allocates some twenty
 * times what the finished set needs (parse trees, checker state), and only
 * the set is copied into the region (engine_set_copy).
 */
uint64
authz_compiled_prepare(const void *image, Size size, uint32 npolicies,
					   const EngineSet *from)
{
	volatile Size off;
	Size		gap;
	BumpState	bump;
	ArenaAllocator allocator;
	MemoryContext ctx;
	Arena	   *compile_arena;
	Arena	   *scratch;
	Arena	   *arena;
	DiagList	diags;
	CompiledHeader *h;
	EngineSet  *compiled;
	const EngineSet *volatile set = NULL;

	if (!authz_compiled_enabled())
		return 0;
	register_callbacks();
	ctx = AllocSetContextCreate(CurrentMemoryContext, "authz shared compile",
								ALLOCSET_DEFAULT_SIZES);
	compile_arena = arena_create_in(ctx, 0);
	scratch = arena_create_in(ctx, 0);
	diag_init(&diags, compile_arena);
	compiled = from ? (EngineSet *) from : image_engine_set(compile_arena, image, NULL, &diags);
	if (compiled == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compile the policy set for shared memory"),
				 errdetail("%s", diag_render(&diags))));

	off = claim_gap(&gap);
	if (gap == 0)
		not_enough_memory(compiled, 0);
	bump.cursor = region_data + off + MAXALIGN(sizeof(CompiledHeader));
	bump.end = region_data + off + gap;
	bump.exhausted = false;
	PG_TRY();
	{
		allocator.alloc = bump_alloc;
		allocator.release = NULL;
		allocator.state = &bump;
		arena = arena_create(&allocator, 0);
		if (arena != NULL)
			set = engine_set_copy(arena, compiled, scratch);
		if (set == NULL && (bump.exhausted || arena == NULL))
			not_enough_memory(compiled, gap);
		if (set == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory copying the policy set into shared memory")));
	}
	PG_CATCH();
	{
		finish_build(off, 0, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextDelete(ctx);

	h = (CompiledHeader *) (region_data + off);
	h->magic = COMPILED_MAGIC;
	h->generation = 0;
	h->dbid = InvalidOid;
	h->npolicies = npolicies;
	h->bytes = (Size) (bump.cursor - (region_data + off));
	h->image_bytes = size;
	h->set = set;
	finish_build(off, h->bytes, true);
	pg_atomic_fetch_add_u64(&region->compiles, 1);
	return (uint64) off + 1;
}

/* Frees a prepared extent that will not be published. */
void
authz_compiled_discard(uint64 handle)
{
	int			i;

	if (handle == 0 || region == NULL)
		return;
	LWLockAcquire(region->lock, LW_EXCLUSIVE);
	i = find_extent(handle);
	if (i >= 0 && region->extents[i].state == EXTENT_PREPARED)
		remove_extent(i);
	LWLockRelease(region->lock);
}

/*
 * Makes handle (0: none) the set of *slot_word, the slot of dbid, and
 * retires the set it replaces.  Cannot fail; the store calls it with its own lock held exclusively.
 */
void
authz_compiled_publish(pg_atomic_uint64 *slot_word, uint64 handle, uint64 generation,
					   Oid dbid)
{
	uint64		old;
	int			i;

	if (region == NULL)
		return;
	old = pg_atomic_read_u64(slot_word);
	LWLockAcquire(region->lock, LW_EXCLUSIVE);
	if (handle != 0)
	{
		i = find_extent(handle);
		if (i >= 0)
		{
			region->extents[i].state = EXTENT_PUBLISHED;
			region->extents[i].owner = -1;
			header_of(handle)->generation = generation;
			header_of(handle)->dbid = dbid;
		}
		else
			handle = 0;			/* cannot happen: prepared extents are ours */
	}
	pg_write_barrier();
	pg_atomic_write_u64(slot_word, handle);
	if (old != 0 && old != handle)
	{
		i = find_extent(old);
		if (i >= 0)
			region->extents[i].state = EXTENT_RETIRED;
	}
	LWLockRelease(region->lock);
}

/* ---------- reading ---------- */

/*
 * Pins the set published in *slot_word for one call; NULL when there is
 * none (sharing disabled, or the slot has none) or it is not the set of
 * dbid's slot (the slot changed hands since this backend attached).
 * Nested pins return the outer pin's set.  Pair with authz_compiled_unpin.
 */
const EngineSet *
authz_compiled_pin(pg_atomic_uint64 *slot_word, Oid dbid, uint64 *handle,
				   uint64 *generation)
{
	pg_atomic_uint64 *pin = my_pin();
	CompiledHeader *h;
	uint64		v;

	if (!authz_compiled_enabled() || pin == NULL || slot_word == NULL)
		return NULL;
	register_callbacks();
	if (pin_depth == 0)
	{
		for (;;)
		{
			v = pg_atomic_read_u64(slot_word);
			if (v == 0)
				return NULL;
			pg_atomic_write_u64(pin, v);
			pg_memory_barrier();
			if (pg_atomic_read_u64(slot_word) == v)
				break;
		}
		h = header_of(v);
		if (h->magic != COMPILED_MAGIC || h->dbid != dbid)
		{
			pg_atomic_write_u64(pin, 0);
			return NULL;
		}
		pinned = v;
	}
	pin_depth++;
	h = header_of(pinned);
	*handle = pinned;
	*generation = h->generation;
	return h->set;
}

/* Ends one pinned use; the last one clears the pin. */
void
authz_compiled_unpin(void)
{
	if (pin_depth == 0)
		return;
	if (--pin_depth == 0)
	{
		pg_atomic_uint64 *pin = my_pin();

		/* every read of the set happens before the pin is seen cleared */
		pg_memory_barrier();
		if (pin)
			pg_atomic_write_u64(pin, 0);
		pinned = 0;
	}
}

/* Bytes of the compiled set behind handle (valid while pinned or published). */
Size
authz_compiled_bytes(uint64 handle)
{
	return handle ? header_of(handle)->bytes : 0;
}

/* Counts a backend starting to use a shared set, or compiling its own. */
void
authz_compiled_count(bool shared)
{
	if (shared)
		my_shared_uses++;
	else
		my_private_builds++;
	if (region != NULL)
		pg_atomic_fetch_add_u64(shared ? &region->shared_uses : &region->private_builds, 1);
}

/* Counters and usage for authz_compiled_status(). */
void
authz_compiled_stats(AuthzCompiledStats *st)
{
	int			i;

	memset(st, 0, sizeof(*st));
	st->backend_shared_uses = my_shared_uses;
	st->backend_private_builds = my_private_builds;
	if (region == NULL)
		return;
	st->region_bytes = region->size;
	st->compiles = pg_atomic_read_u64(&region->compiles);
	st->shared_uses = pg_atomic_read_u64(&region->shared_uses);
	st->private_builds = pg_atomic_read_u64(&region->private_builds);
	LWLockAcquire(region->lock, LW_SHARED);
	for (i = 0; i < region->nextents; i++)
	{
		st->used_bytes += region->extents[i].size;
		st->sets++;
	}
	LWLockRelease(region->lock);
}
