/*
 * authz_pg.h — the PostgreSQL layer's internal interface.
 */
#ifndef AUTHZ_PG_H
#define AUTHZ_PG_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/dsa.h"
#include "nodes/nodes.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"

/* GUCs (guc.c) */
extern char *authz_policy_dir;
extern int	authz_max_image_size_kb;
extern int	authz_max_policy_file_kb;
extern int	authz_max_databases;
extern char *authz_supertokens_jwks_file;
extern int	authz_supertokens_leeway;
extern char *authz_principal_mapping;
extern char *authz_default_policy_version;
extern bool authz_lenient_scope_search;
extern bool authz_strict_evaluation;
extern char *authz_globals;
extern int	authz_schema_enforcement;
extern int	authz_max_resources_per_request;
extern int	authz_max_actions_per_resource;
extern char *authz_pinned_now;
extern bool authz_decision_log_enabled;
extern int	authz_decision_log_size;

/* decision log (decision_log.c) */
extern Size authz_decision_log_shmem_size(void);
extern void authz_decision_log_shmem_init(void);
extern void authz_log_decision(const char *principal, const char *kind,
							   const char *resource, const char *action,
							   bool allowed, const char *policy, uint64 generation);
extern void authz_define_gucs(void);

/* shared-memory store (store_shmem.c) */
typedef struct AuthzImageRef
{
	const void *image;			/* position-independent image, read-only */
	Size		size;
	uint64		generation;		/* generation the image was published at */
	uint64		global_generation;	/* store generation seen by this call */
	TimestampTz loaded_at;
	uint32		npolicies;
	const char *source;
} AuthzImageRef;

extern void authz_store_install_hooks(void);
extern void authz_require_shmem(void);
extern bool authz_shmem_available(void);
extern uint64 authz_store_publish(Oid dbid, const void *image, Size size,
								  uint32 npolicies, const char *source,
								  const char *directory);
extern dsa_pointer authz_store_prepare(const void *image, Size size,
									   uint32 npolicies, const char *source,
									   const char *directory);
extern void authz_store_discard(dsa_pointer dp);
struct EngineSet;
extern dsa_pointer authz_store_prepare_set(const void *image, Size size,
										   uint32 npolicies, const char *source,
										   const char *directory,
										   const struct EngineSet *set);
extern uint64 authz_store_publish_set(Oid dbid, const void *image, Size size,
									  uint32 npolicies, const char *source,
									  const char *directory,
									  const struct EngineSet *set);
extern void authz_store_reserve_slot(Oid dbid);
extern uint64 authz_store_install(Oid dbid, dsa_pointer dp);
extern bool authz_store_database_directory(Oid dbid, char *directory);
extern uint64 authz_store_table_fingerprint(Oid dbid);
extern void authz_store_set_table_fingerprint(Oid dbid, uint64 fingerprint);
extern bool authz_store_current(AuthzImageRef *ref);
struct EngineSet;
extern const struct EngineSet *authz_store_pin_compiled(uint64 *handle, uint64 *generation);
extern uint64 authz_store_generation(void);
extern void authz_store_usage(uint64 *image_bytes, uint32 *live_images);
extern bool authz_store_drop_database(Oid dbid);
extern dsa_area *authz_store_area(void);
extern uint64 authz_store_keys_generation(void);
extern void authz_store_bump_keys_generation(void);

/* session principal (principal.c) */
extern Size authz_principal_shmem_size(void);
extern void authz_principal_shmem_init(void);
extern void authz_principal_install_hooks(void);
extern Jsonb *authz_current_principal(void);
extern void authz_install_principal(Jsonb *principal, Jsonb *claims, bool for_session);
extern Jsonb *authz_current_jwt_claims(void);
/* Whether two jsonb values have the same bytes (or both are NULL); caches key on it. */
extern bool authz_same_jsonb(const Jsonb *a, const Jsonb *b);
/* A copy of a jsonb value in a memory context (NULL stays NULL), for caches. */
extern Jsonb *authz_copy_jsonb(MemoryContext context, const Jsonb *j);
extern void authz_clear_principal(void);
extern void authz_check_trusted(const char *what);

/* decisions (sql_check.c) */
struct EngineSet;
struct EngineCheckOptions;
extern const struct EngineSet *authz_engine_acquire(void);
extern void authz_engine_release(void);
extern uint64 authz_engine_shared_handle(void);
extern uint64 authz_current_engine_epoch(void);
extern void authz_engine_options(struct EngineCheckOptions *opts);
struct Arena;
struct EnginePrincipal;
extern void authz_decode_principal(struct Arena *arena, Jsonb *principal,
								   struct EnginePrincipal *out);

/* request decoding (request.c) */
extern void authz_validate_principal(Jsonb *principal, const char *field);

/* loading (load.c) */
extern bool authz_load_directory(Oid dbid, const char *dir, int elevel_on_error,
								 uint32 *npolicies);
extern void authz_check_admin(const char *what);

/* policies table (policy_table.c) */
extern dsa_pointer authz_compile_database(const char *dir, uint32 *npolicies);
extern void authz_publish_database(const char *dir, uint32 *npolicies);
extern bool authz_current_image(AuthzImageRef *ref);
extern Oid	authz_extension_relation(const char *name);
extern Oid	authz_extension_namespace(void);

/* start-up loader (startup_worker.c) */
extern void authz_register_startup_worker(void);

/* protected tables (protect.c, rls.c, rls_filter.c) */
typedef struct AuthzProtection
{
	char	   *kind;			/* resource kind of the rows */
	char	   *action;			/* action the command needs; NULL = none may */
	Jsonb	   *columns;		/* attribute -> column mapping, or NULL */
	TransactionId version;		/* xmin of the authz_protected row */
} AuthzProtection;

extern bool authz_protected_lookup(Oid relid, CmdType cmd, AuthzProtection *out);
extern char *authz_rls_filter_sql(Relation rel, const AuthzProtection *p,
								  bool *now_dependent);
extern void authz_rls_install_hooks(void);
extern char *authz_filter_cache_get(Relation rel, const AuthzProtection *p, Jsonb *principal,
									Jsonb *claims, uint64 engine_epoch);
extern void authz_filter_cache_put(Relation rel, const AuthzProtection *p, Jsonb *principal,
								   Jsonb *claims, uint64 engine_epoch, const char *sql);
extern void authz_rls_principal_changed(void);
extern void authz_rls_policies_changed(void);

/* SuperTokens core tables (guc.c; used by session_core.c) */
extern char *authz_supertokens_schema;
extern char *authz_supertokens_table_prefix;
extern char *authz_supertokens_app_id;
extern bool authz_supertokens_check_revocation;

/* inline_check.c: authz_check calls rewritten into their query plan's SQL */
extern bool authz_inline_checks;
extern void authz_inline_init(void);
/* inline_plans.c: a plan now holds an authz_check call planned in the current state */
extern void authz_inline_note_plan(bool session);

#endif							/* AUTHZ_PG_H */
