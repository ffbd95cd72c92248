/*
 * compiled_shmem.h — compiled policy sets shared in the main segment
 * (see compiled_shmem.c).
 */
#ifndef AUTHZ_COMPILED_SHMEM_H
#define AUTHZ_COMPILED_SHMEM_H

#include "postgres.h"

#include "port/atomics.h"

struct EngineSet;

extern int	authz_compiled_policy_memory_mb;

typedef struct AuthzCompiledStats
{
	Size		region_bytes;	/* authz.compiled_policy_memory */
	Size		used_bytes;		/* by compiled sets, retired ones included */
	int			sets;
	uint64		compiles;		/* sets compiled into the region (server-wide) */
	uint64		shared_uses;	/* times a backend took up a shared set */
	uint64		private_builds; /* times a backend compiled a set itself */
	uint64		backend_shared_uses;	/* the same, this backend */
	uint64		backend_private_builds;
} AuthzCompiledStats;

extern void authz_compiled_define_guc(void);
extern Size authz_compiled_shmem_size(void);
extern void authz_compiled_request_lock(void);
extern void authz_compiled_shmem_init(void);
extern bool authz_compiled_enabled(void);

/* loader side */
extern uint64 authz_compiled_prepare(const void *image, Size size, uint32 npolicies,
									 const struct EngineSet *from);
extern void authz_compiled_discard(uint64 handle);
extern void authz_compiled_publish(pg_atomic_uint64 *slot_word, uint64 handle,
								   uint64 generation, Oid dbid);

/* reader side */
extern const struct EngineSet *authz_compiled_pin(pg_atomic_uint64 *slot_word, Oid dbid,
												  uint64 *handle, uint64 *generation);
extern void authz_compiled_unpin(void);
extern Size authz_compiled_bytes(uint64 handle);
extern void authz_compiled_count(bool shared);
extern void authz_compiled_stats(AuthzCompiledStats *st);

#endif							/* AUTHZ_COMPILED_SHMEM_H */
