/*
 * store_shmem.c — publishing policy images in shared memory.
 *
 * One control struct lives in the main shared-memory segment; the images
 * themselves live in a DSA area created by the first process that needs it
 * and pinned for the life of the server.
 *
 * Slots.  Each database may have its own image (policies loaded with
 * authz_load() in that database); slot 0 (dbid InvalidOid) holds the
 * server-wide image compiled from authz.policy_dir.  A backend uses its
 * database's slot if there is one, else the server slot, else an empty
 * policy set that denies everything.
 *
 * Locking.  The control struct's LWLock protects the slot array and the
 * DSA handle.  To look at a slot one holds the lock shared; to publish one
 * holds it exclusive.  `generation` is a pg_atomic_uint64 bumped (under the
 * exclusive lock) on every publish to any slot, so the hot path of every
 * call is one atomic read compared with the generation this backend last
 * attached: no lock at all unless something changed.
 *
 * Lifetime of images.  Every image carries a reference count: one for being
 * current in a slot, one for each backend attached to it.  A backend takes
 * its reference while holding the lock shared, so it can never reach an
 * image whose slot reference has already been dropped (that only happens
 * after the exclusive swap).  Whoever drops the count to zero frees the
 * image; a backend drops its reference when it re-attaches or exits.  An
 * idle backend thus pins at most one image, so memory is bounded by the
 * number of backends.
 *
 * Compiled sets.  Preparing an image also compiles it, once, into the
 * main segment (compiled_shmem.c); the slot publishes that set beside the
 * image (AuthzSlot.compiled) and every backend decides with it in place.
 * Its lifetime is not the image's reference count (idle backends keep old
 * images attached) but hazard pins held for the length of a call.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/dsa.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "authz_pg.h"
#include "compiled_shmem.h"
#include "store/image.h"

#define AUTHZ_SOURCE_LEN 256

/* header in front of every image in the DSA area */
typedef struct SharedImage
{
	pg_atomic_uint32 refcount;
	uint32		npolicies;
	uint64		generation;		/* generation at which it was published */
	TimestampTz loaded_at;
	Size		size;			/* bytes of the image proper */
	uint64		compiled;		/* its compiled set (compiled_shmem.c), 0 = none */
	char		source[AUTHZ_SOURCE_LEN];
	char		directory[MAXPGPATH];	/* directory compiled in, "" if none */
	/* image bytes follow, MAXALIGNed */
} SharedImage;

#define SHARED_IMAGE_DATA(si) ((char *) (si) + MAXALIGN(sizeof(SharedImage)))

typedef struct AuthzSlot
{
	Oid			dbid;			/* InvalidOid: server-wide slot (or unused) */
	bool		in_use;
	dsa_pointer image;			/* SharedImage, or InvalidDsaPointer */
	uint64		table_fingerprint;	/* standby: authz_policies as compiled, 0 = unknown */
	pg_atomic_uint64 compiled;	/* the image's compiled set, 0 = none */
} AuthzSlot;

typedef struct AuthzSharedState
{
	LWLock	   *lock;
	pg_atomic_uint64 generation;
	pg_atomic_uint64 image_bytes;	/* bytes of all live images, retired included */
	pg_atomic_uint64 keys_generation;	/* bumped when authz_jwks commits */
	pg_atomic_uint32 live_images;
	dsa_handle	area_handle;	/* DSM_HANDLE_INVALID until created */
	int			nslots;
	AuthzSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} AuthzSharedState;

static AuthzSharedState *authz_state = NULL;
static dsa_area *authz_area = NULL;

/* this backend's attachment */
static dsa_pointer attached_dp = InvalidDsaPointer;
static SharedImage *attached = NULL;
static uint64 attached_generation = 0;
static int	attached_slot = 0;		/* slot the attached image came from */
static Oid	attached_slot_dbid = InvalidOid;
static bool attached_generation_known = false;
static bool exit_callback_registered = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
authz_shmem_size(void)
{
	return add_size(offsetof(AuthzSharedState, slots),
					mul_size(sizeof(AuthzSlot), authz_max_databases + 1));
}

/* Requests our part of the main segment and a named LWLock tranche. */
static void
authz_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(authz_shmem_size());
	RequestAddinShmemSpace(authz_principal_shmem_size());
	RequestAddinShmemSpace(authz_decision_log_shmem_size());
	RequestNamedLWLockTranche("authz", 1);
	RequestAddinShmemSpace(authz_compiled_shmem_size());
	authz_compiled_request_lock();
}

/* Creates (postmaster) or finds (EXEC_BACKEND children) the control struct. */
static void
authz_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	authz_state = ShmemInitStruct("authz", authz_shmem_size(), &found);
	if (!found)
	{
		int			i;

		authz_state->lock = &(GetNamedLWLockTranche("authz"))->lock;
		pg_atomic_init_u64(&authz_state->generation, 0);
		pg_atomic_init_u64(&authz_state->image_bytes, 0);
		pg_atomic_init_u64(&authz_state->keys_generation, 1);
		pg_atomic_init_u32(&authz_state->live_images, 0);
		authz_state->area_handle = DSM_HANDLE_INVALID;
		authz_state->nslots = authz_max_databases + 1;
		for (i = 0; i < authz_state->nslots; i++)
		{
			authz_state->slots[i].in_use = false;
			authz_state->slots[i].dbid = InvalidOid;
			authz_state->slots[i].image = InvalidDsaPointer;
			pg_atomic_init_u64(&authz_state->slots[i].compiled, 0);
		}
		/* slot 0 is always the server-wide slot */
		authz_state->slots[0].in_use = true;
	}
	authz_principal_shmem_init();
	authz_decision_log_shmem_init();
	authz_compiled_shmem_init();
	LWLockRelease(AddinShmemInitLock);
}

void
authz_store_install_hooks(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = authz_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = authz_shmem_startup;
}

/* Errors out unless the library was preloaded and shared memory exists. */
void
authz_require_shmem(void)
{
	if (authz_state == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("authz must be loaded via shared_preload_libraries"),
				 errhint("Add authz to shared_preload_libraries in postgresql.conf and restart.")));
}

/* Generation of the SuperTokens key configuration (authz_jwks). */
uint64
authz_store_keys_generation(void)
{
	authz_require_shmem();
	return pg_atomic_read_u64(&authz_state->keys_generation);
}

/* Tells every backend to rebuild its keys; cannot fail (runs at commit). */
void
authz_store_bump_keys_generation(void)
{
	if (authz_state != NULL)
		pg_atomic_fetch_add_u64(&authz_state->keys_generation, 1);
}

bool
authz_shmem_available(void)
{
	return authz_state != NULL;
}

/* Drops one reference; frees the image when it was the last. */
static void
release_image(dsa_pointer dp)
{
	SharedImage *si;

	if (!DsaPointerIsValid(dp))
		return;
	si = dsa_get_address(authz_area, dp);
	if (pg_atomic_sub_fetch_u32(&si->refcount, 1) == 0)
	{
		pg_atomic_sub_fetch_u64(&authz_state->image_bytes, si->size);
		pg_atomic_sub_fetch_u32(&authz_state->live_images, 1);
		dsa_free(authz_area, dp);
	}
}

static void
authz_store_detach_on_exit(int code, Datum arg)
{
	if (authz_area != NULL && DsaPointerIsValid(attached_dp))
		release_image(attached_dp);
	attached_dp = InvalidDsaPointer;
	attached = NULL;
}

/* Maps the DSA area in this process, creating it on first use. */
static void
ensure_area(void)
{
	MemoryContext old;

	if (authz_area != NULL)
		return;
	authz_require_shmem();
	old = MemoryContextSwitchTo(TopMemoryContext);
	LWLockAcquire(authz_state->lock, LW_EXCLUSIVE);
	if (authz_state->area_handle == DSM_HANDLE_INVALID)
	{
		int			tranche = LWLockNewTrancheId();

		LWLockRegisterTranche(tranche, "authz_dsa");
		authz_area = dsa_create(tranche);
		dsa_pin(authz_area);
		authz_state->area_handle = dsa_get_handle(authz_area);
	}
	else
		authz_area = dsa_attach(authz_state->area_handle);
	LWLockRelease(authz_state->lock);
	dsa_pin_mapping(authz_area);
	MemoryContextSwitchTo(old);
	if (!exit_callback_registered)
	{
		before_shmem_exit(authz_store_detach_on_exit, 0);
		exit_callback_registered = true;
	}
}

/* The DSA area, mapped in this process (created on first use). */
dsa_area *
authz_store_area(void)
{
	ensure_area();
	return authz_area;
}

/* The slot for dbid, optionally claiming a free one; -1 if none. */
static int
find_slot(Oid dbid, bool create)
{
	int			i,
				free_slot = -1;

	if (!OidIsValid(dbid))
		return 0;
	for (i = 1; i < authz_state->nslots; i++)
	{
		if (authz_state->slots[i].in_use && authz_state->slots[i].dbid == dbid)
			return i;
		if (!authz_state->slots[i].in_use && free_slot < 0)
			free_slot = i;
	}
	if (!create)
		return -1;
	if (free_slot < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("no free policy slot for another database"),
				 errdetail("authz.max_databases is %d.", authz_max_databases),
				 errhint("Raise authz.max_databases and restart the server.")));
	authz_state->slots[free_slot].in_use = true;
	authz_state->slots[free_slot].dbid = dbid;
	authz_state->slots[free_slot].image = InvalidDsaPointer;
	authz_state->slots[free_slot].table_fingerprint = 0;
	pg_atomic_write_u64(&authz_state->slots[free_slot].compiled, 0);
	return free_slot;
}

/*
 * Copies an image into shared memory without making it current; returns
 * its pointer.  Errors leave nothing behind.  Splitting preparation from
 * installation lets a committing transaction do everything that can fail
 * before its commit record, and only the infallible swap after it.
 */
dsa_pointer
authz_store_prepare(const void *image, Size size, uint32 npolicies,
					const char *source, const char *directory)
{
	return authz_store_prepare_set(image, size, npolicies, source, directory, NULL);
}

/* authz_store_prepare with the image's set already compiled (or NULL). */
dsa_pointer
authz_store_prepare_set(const void *image, Size size, uint32 npolicies,
						const char *source, const char *directory,
						const struct EngineSet *set)
{
	dsa_pointer dp;
	SharedImage *si;
	uint64		compiled;

	ensure_area();
	if (size > (Size) authz_max_image_size_kb * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("policy image of %zu bytes exceeds authz.max_image_size", size),
				 errdetail("authz.max_image_size is %d kB.", authz_max_image_size_kb)));
	if (!image_validate(image, size))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("refusing to publish a malformed policy image")));

	/* compiled once, here, for every backend; may wait for readers */
	compiled = authz_compiled_prepare(image, size, npolicies, set);
	dp = dsa_allocate_extended(authz_area, MAXALIGN(sizeof(SharedImage)) + size,
							   DSA_ALLOC_NO_OOM);
	if (!DsaPointerIsValid(dp))
	{
		authz_compiled_discard(compiled);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of shared memory for the policy image")));
	}
	si = dsa_get_address(authz_area, dp);
	si->compiled = compiled;
	pg_atomic_init_u32(&si->refcount, 1);	/* the slot's reference */
	si->npolicies = npolicies;
	si->loaded_at = GetCurrentTimestamp();
	si->size = size;
	strlcpy(si->source, source ? source : "", sizeof(si->source));
	strlcpy(si->directory, directory ? directory : "", sizeof(si->directory));
	memcpy(SHARED_IMAGE_DATA(si), image, size);
	pg_atomic_add_fetch_u64(&authz_state->image_bytes, size);
	pg_atomic_add_fetch_u32(&authz_state->live_images, 1);
	return dp;
}

/* Frees a prepared image that will not be installed. */
void
authz_store_discard(dsa_pointer dp)
{
	if (DsaPointerIsValid(dp))
		authz_compiled_discard(((SharedImage *) dsa_get_address(authz_area, dp))->compiled);
	release_image(dp);
}

/* Makes sure dbid has a slot, so that installing cannot fail later. */
void
authz_store_reserve_slot(Oid dbid)
{
	ensure_area();
	LWLockAcquire(authz_state->lock, LW_EXCLUSIVE);
	PG_TRY();
	{
		(void) find_slot(dbid, true);
	}
	PG_FINALLY();
	{
		LWLockRelease(authz_state->lock);
	}
	PG_END_TRY();
}

/*
 * Makes a prepared image current for dbid and bumps the generation.  Cannot
 * fail once the slot is reserved; safe to call after a commit record.
 */
uint64
authz_store_install(Oid dbid, dsa_pointer dp)
{
	SharedImage *si = dsa_get_address(authz_area, dp);
	dsa_pointer old;
	uint64		generation;
	int			slot;

	LWLockAcquire(authz_state->lock, LW_EXCLUSIVE);
	slot = find_slot(dbid, false);
	if (slot < 0)
	{
		/* not reserved: only possible for callers that may still fail */
		LWLockRelease(authz_state->lock);
		authz_store_reserve_slot(dbid);
		LWLockAcquire(authz_state->lock, LW_EXCLUSIVE);
		slot = find_slot(dbid, false);
		Assert(slot >= 0);
	}
	old = authz_state->slots[slot].image;
	generation = pg_atomic_read_u64(&authz_state->generation) + 1;
	si->generation = generation;
	authz_state->slots[slot].image = dp;
	authz_state->slots[slot].table_fingerprint = 0;
	authz_compiled_publish(&authz_state->slots[slot].compiled, si->compiled, generation,
						   authz_state->slots[slot].dbid);
	pg_atomic_write_u64(&authz_state->generation, generation);
	LWLockRelease(authz_state->lock);

	release_image(old);
	return generation;
}

uint64
authz_store_publish(Oid dbid, const void *image, Size size, uint32 npolicies,
					const char *source, const char *directory)
{
	return authz_store_publish_set(dbid, image, size, npolicies, source, directory, NULL);
}

/* authz_store_publish with the image's set already compiled (or NULL). */
uint64
authz_store_publish_set(Oid dbid, const void *image, Size size, uint32 npolicies,
						const char *source, const char *directory,
						const struct EngineSet *set)
{
	dsa_pointer dp = authz_store_prepare_set(image, size, npolicies, source, directory, set);

	PG_TRY();
	{
		authz_store_reserve_slot(dbid);
	}
	PG_CATCH();
	{
		authz_store_discard(dp);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return authz_store_install(dbid, dp);
}

/*
 * Whether dbid has its own image; if so, copies the directory it was
 * compiled from (may be empty) into directory (MAXPGPATH bytes).
 */
bool
authz_store_database_directory(Oid dbid, char *directory)
{
	bool		found = false;
	int			slot;

	ensure_area();
	LWLockAcquire(authz_state->lock, LW_SHARED);
	slot = find_slot(dbid, false);
	if (slot > 0 && DsaPointerIsValid(authz_state->slots[slot].image))
	{
		SharedImage *si = dsa_get_address(authz_area, authz_state->slots[slot].image);

		strlcpy(directory, si->directory, MAXPGPATH);
		found = true;
	}
	LWLockRelease(authz_state->lock);
	return found;
}

/* Re-attaches when the generation moved; returns the current image or NULL. */
static SharedImage *
current_shared_image(void)
{
	uint64		generation;
	dsa_pointer dp = InvalidDsaPointer;
	int			slot;

	authz_require_shmem();
	generation = pg_atomic_read_u64(&authz_state->generation);
	if (attached_generation_known && generation == attached_generation)
		return attached;
	ensure_area();

	LWLockAcquire(authz_state->lock, LW_SHARED);
	generation = pg_atomic_read_u64(&authz_state->generation);
	slot = find_slot(MyDatabaseId, false);
	if (slot >= 0)
		dp = authz_state->slots[slot].image;
	if (!DsaPointerIsValid(dp))
	{
		dp = authz_state->slots[0].image;
		slot = 0;
	}
	attached_slot = slot;
	attached_slot_dbid = authz_state->slots[slot].dbid;
	if (dp != attached_dp && DsaPointerIsValid(dp))
	{
		SharedImage *si = dsa_get_address(authz_area, dp);

		pg_atomic_fetch_add_u32(&si->refcount, 1);
	}
	LWLockRelease(authz_state->lock);

	if (dp != attached_dp)
	{
		dsa_pointer old = attached_dp;

		attached_dp = dp;
		attached = DsaPointerIsValid(dp) ? dsa_get_address(authz_area, dp) : NULL;
		release_image(old);
	}
	attached_generation = generation;
	attached_generation_known = true;
	return attached;
}

bool
authz_store_current(AuthzImageRef *ref)
{
	SharedImage *si = current_shared_image();

	memset(ref, 0, sizeof(*ref));
	ref->global_generation = attached_generation;
	if (si == NULL)
		return false;
	ref->image = SHARED_IMAGE_DATA(si);
	ref->size = si->size;
	ref->generation = si->generation;
	ref->loaded_at = si->loaded_at;
	ref->npolicies = si->npolicies;
	ref->source = si->source;
	return true;
}

/*
 * Pins the compiled set of the image authz_store_current() attached, for
 * one call (authz_compiled_unpin ends it); NULL when it has none.
 */
const struct EngineSet *
authz_store_pin_compiled(uint64 *handle, uint64 *generation)
{
	if (authz_state == NULL || attached == NULL)
		return NULL;
	return authz_compiled_pin(&authz_state->slots[attached_slot].compiled,
							  attached_slot_dbid, handle, generation);
}

uint64
authz_store_generation(void)
{
	authz_require_shmem();
	return pg_atomic_read_u64(&authz_state->generation);
}

void
authz_store_usage(uint64 *image_bytes, uint32 *live_images)
{
	authz_require_shmem();
	*image_bytes = pg_atomic_read_u64(&authz_state->image_bytes);
	*live_images = pg_atomic_read_u32(&authz_state->live_images);
}

/* Removes the current database's own image; the server image applies again. */
bool
authz_store_drop_database(Oid dbid)
{
	dsa_pointer old = InvalidDsaPointer;
	int			slot;

	ensure_area();
	LWLockAcquire(authz_state->lock, LW_EXCLUSIVE);
	slot = find_slot(dbid, false);
	if (slot > 0)
	{
		old = authz_state->slots[slot].image;
		authz_compiled_publish(&authz_state->slots[slot].compiled, 0, 0, dbid);
		authz_state->slots[slot].image = InvalidDsaPointer;
		authz_state->slots[slot].in_use = false;
		authz_state->slots[slot].dbid = InvalidOid;
		pg_atomic_write_u64(&authz_state->generation,
							pg_atomic_read_u64(&authz_state->generation) + 1);
	}
	LWLockRelease(authz_state->lock);
	release_image(old);
	return slot > 0;
}

/*
 * On a standby: the fingerprint of the authz_policies rows dbid's image was
 * compiled from (0 when unknown or no image of its own), and setting it
 * right after publishing.  See policy_table.c's standby_follow_table().
 */
uint64
authz_store_table_fingerprint(Oid dbid)
{
	uint64		fp = 0;
	int			slot;

	ensure_area();
	LWLockAcquire(authz_state->lock, LW_SHARED);
	slot = find_slot(dbid, false);
	if (slot > 0)
		fp = authz_state->slots[slot].table_fingerprint;
	LWLockRelease(authz_state->lock);
	return fp;
}

void
authz_store_set_table_fingerprint(Oid dbid, uint64 fingerprint)
{
	int			slot;

	ensure_area();
	LWLockAcquire(authz_state->lock, LW_EXCLUSIVE);
	slot = find_slot(dbid, false);
	if (slot > 0)
		authz_state->slots[slot].table_fingerprint = fingerprint;
	LWLockRelease(authz_state->lock);
}
