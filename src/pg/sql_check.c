/*
 * sql_check.c — decisions in SQL: authz_check() and authz_check_resources().
 *
 * Every backend decides with the compiled set the loading process built in
 * shared memory (compiled_shmem.c), read in place.  A call pins it for its
 * length (authz_engine_acquire / authz_engine_release), so a reload cannot
 * reuse its memory meanwhile.  The engine settings (GUCs) are this
 * backend's own: they are applied through a small private header over the
 * shared rule table (engine_set_with_config), rebuilt when the set or the
 * settings change, so a backend never recompiles for a settings change.
 *
 * Fallback: when the published image has no compiled set (sharing disabled
 * with authz.compiled_policy_memory = 0, nothing published yet, a slot
 * that changed hands), the backend compiles its own copy from the image's
 * documents in a long-lived context, as every backend once did.
 * authz_compiled_status() counts both paths.
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "engine/engine.h"
#include "cel_jsonb.h"
#include "eval_limits.h"
#include "compiled_shmem.h"
#include "store/image_source.h"

PG_FUNCTION_INFO_V1(authz_check);
PG_FUNCTION_INFO_V1(authz_check_session);
PG_FUNCTION_INFO_V1(authz_check_resources);
PG_FUNCTION_INFO_V1(authz_allowed_actions);

typedef struct BackendEngine
{
	MemoryContext context;
	EngineSet  *set;
	uint64		generation;		/* image generation it was built from */
	bool		has_image;
	uint64		shared_handle;	/* set is a view of this shared set; 0 = private */
	/* the engine settings it was built with (copies of the GUCs) */
	char	   *default_policy_version;
	char	   *globals;
	bool		lenient_scope_search;
	bool		strict_evaluation;
	int			schema_enforcement;
	int			max_resources;
	int			max_actions;
} BackendEngine;

static BackendEngine backend_engine;
/* Counts rebuilds of backend_engine: a cache keyed by it never sees a stale set. */
static uint64 backend_engine_epoch = 0;

static const char *
guc_text(const char *v)
{
	return v ? v : "";
}

/* Whether the engine settings still equal those the set was built with. */
static bool
settings_unchanged(void)
{
	return backend_engine.lenient_scope_search == authz_lenient_scope_search &&
		backend_engine.strict_evaluation == authz_strict_evaluation &&
		backend_engine.schema_enforcement == authz_schema_enforcement &&
		backend_engine.max_resources == authz_max_resources_per_request &&
		backend_engine.max_actions == authz_max_actions_per_resource &&
		strcmp(backend_engine.default_policy_version, guc_text(authz_default_policy_version)) == 0 &&
		strcmp(backend_engine.globals, guc_text(authz_globals)) == 0;
}

/* The engine settings of this backend (its GUCs). */
static void
current_config(EngineConfig *config)
{
	memset(config, 0, sizeof(*config));
	config->default_policy_version = (authz_default_policy_version && authz_default_policy_version[0])
		? authz_default_policy_version : NULL;
	config->lenient_scope_search = authz_lenient_scope_search;
	config->strict_evaluation = authz_strict_evaluation;
	config->globals_json = (authz_globals && authz_globals[0]) ? authz_globals : NULL;
	config->schema_enforcement = authz_schema_enforcement;
	config->max_resources = authz_max_resources_per_request;
	config->max_actions = authz_max_actions_per_resource;
}

/* Makes ctx/set this backend's engine, recording the settings it has. */
static void
install_engine(MemoryContext ctx, EngineSet *set, bool have, uint64 generation,
			   uint64 shared_handle)
{
	if (backend_engine.context)
		MemoryContextDelete(backend_engine.context);
	backend_engine.context = ctx;
	backend_engine.set = set;
	backend_engine_epoch++;
	backend_engine.has_image = have;
	backend_engine.generation = generation;
	backend_engine.shared_handle = shared_handle;
	backend_engine.default_policy_version = MemoryContextStrdup(ctx, guc_text(authz_default_policy_version));
	backend_engine.globals = MemoryContextStrdup(ctx, guc_text(authz_globals));
	backend_engine.lenient_scope_search = authz_lenient_scope_search;
	backend_engine.strict_evaluation = authz_strict_evaluation;
	backend_engine.schema_enforcement = authz_schema_enforcement;
	backend_engine.max_resources = authz_max_resources_per_request;
	backend_engine.max_actions = authz_max_actions_per_resource;
}

/*
 * A view of the pinned shared set with this backend's settings (only the
 * set's header is copied), made current unless it already is.
 */
static const EngineSet *
shared_engine(const EngineSet *shared, uint64 handle, uint64 generation)
{
	MemoryContext ctx;
	Arena	   *arena;
	DiagList	diags;
	EngineConfig config;
	EngineSet  *set;

	if (backend_engine.set != NULL && backend_engine.shared_handle == handle &&
		backend_engine.generation == generation && settings_unchanged())
		return backend_engine.set;
	ctx = AllocSetContextCreate(TopMemoryContext, "authz policy view",
								ALLOCSET_SMALL_SIZES);
	arena = arena_create_in(ctx, 0);
	diag_init(&diags, arena);
	current_config(&config);
	set = engine_set_with_config(arena, shared, &config, &diags);
	if (set == NULL)
	{
		char	   *detail = pstrdup(diag_render(&diags));

		MemoryContextDelete(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid engine settings"),
				 errdetail("%s", detail)));
	}
	install_engine(ctx, set, true, generation, handle);
	authz_compiled_count(true);
	return set;
}

/*
 * The compiled set this call decides with.  Every call must be paired with
 * authz_engine_release() once the set is no longer used (an ERROR in
 * between releases it through the transaction's abort).
 */
const EngineSet *
authz_engine_acquire(void)
{
	AuthzImageRef ref;
	bool		have = authz_current_image(&ref);
	MemoryContext ctx;
	MemoryContext old;
	Arena	   *arena;
	DiagList	diags;
	EngineConfig config;
	EngineSet  *set;

	if (have)
	{
		uint64		handle = 0;
		uint64		generation = 0;
		const EngineSet *shared = authz_store_pin_compiled(&handle, &generation);

		if (shared != NULL)
			return shared_engine(shared, handle, generation);
	}
	if (backend_engine.set != NULL && backend_engine.shared_handle == 0 &&
		backend_engine.has_image == have &&
		(!have || backend_engine.generation == ref.generation) &&
		settings_unchanged())
		return backend_engine.set;

	ctx = AllocSetContextCreate(TopMemoryContext, "authz policy cache",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ctx);
	PG_TRY();
	{
		arena = arena_create_in(ctx, 0);
		diag_init(&diags, arena);
		current_config(&config);
		if (have)
			set = image_engine_set(arena, ref.image, &config, &diags);
		else
		{
			/* nothing published: an empty set, which denies everything */
			size_t		size = 0;
			void	   *empty = image_build(arena, NULL, 0, NULL, 0, &size);

			set = empty ? image_engine_set(arena, empty, &config, &diags) : NULL;
		}
		if (set == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not rebuild the published policy set"),
					 errdetail("%s", diag_render(&diags))));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(ctx);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);

	install_engine(ctx, set, have, have ? ref.generation : 0, 0);
	if (have)
		authz_compiled_count(false);
	return set;
}

/* Ends the use of the set authz_engine_acquire() returned. */
void
authz_engine_release(void)
{
	authz_compiled_unpin();
}

/* now() for this request: pinned by authz.now for tests, else the statement's. */
static void
check_options(EngineCheckOptions *opts)
{
	memset(opts, 0, sizeof(*opts));
	authz_engine_apply_limits(opts);
	if (authz_pinned_now != NULL && authz_pinned_now[0] != '\0')
	{
		TimestampTz ts = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
																 CStringGetDatum(authz_pinned_now),
																 ObjectIdGetDatum(InvalidOid),
																 Int32GetDatum(-1)));
		int64		us = ts + ((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC);

		opts->now_pinned = true;
		opts->now_sec = us / USECS_PER_SEC;
		opts->now_nsec = (int32) ((us % USECS_PER_SEC) * 1000);
		if (opts->now_nsec < 0)
		{
			opts->now_sec -= 1;
			opts->now_nsec += 1000000000;
		}
	}
	else
	{
		/* one instant per statement, as Cerbos fixes one per request */
		int64		us = GetCurrentStatementStartTimestamp() +
			((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC);

		opts->now_pinned = true;
		opts->now_sec = us / USECS_PER_SEC;
		opts->now_nsec = (int32) ((us % USECS_PER_SEC) * 1000);
	}
}

static char *
jsonb_text(Jsonb *j)
{
	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

static void
bad_request(const char *error)
{
	const char *limit = NULL;
	int			value = 0;

	/* the request-size limits: name the setting that was hit */
	if (error && strstr(error, "number of resources") && strstr(error, "limit"))
		limit = "authz.max_resources_per_request", value = authz_max_resources_per_request;
	else if (error && strstr(error, ".actions: value must contain no more than"))
		limit = "authz.max_actions_per_resource", value = authz_max_actions_per_resource;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid request: %s", error ? error : "malformed"),
			 limit ? errhint("The limit is %s = %d.", limit, value) : 0));
}

/*
 * Per-call-site state of authz_check, kept in fn_extra: principals decoded
 * once and looked up by their bytes (queries pass the same few principals
 * for many rows, often interleaved, as in a join of users and documents),
 * and an arena reset per row, so a row costs decoding its resource and the
 * decision itself, with no JSON text in between.
 *
 * The principal table is indexed by a hash of the principal's and the
 * token claims' bytes, probing PRINCIPAL_CACHE_WAYS slots; when all are
 * taken by others a new principal replaces one of them in turn.
 * Decoded principals accumulate in one arena, which is emptied with the
 * whole table when it passes PRINCIPAL_CACHE_BYTES.
 */
#define PRINCIPAL_CACHE_SLOTS 512
#define PRINCIPAL_CACHE_WAYS 4
#define PRINCIPAL_CACHE_BYTES (1024 * 1024)

typedef struct CachedPrincipal
{
	uint64		hash;
	Jsonb	   *principal_raw;	/* copy of the jsonb the principal came from */
	Jsonb	   *claims_raw;		/* the token claims decoded below, or NULL */
	EnginePrincipal principal;
	CelValue	claims;			/* request.auxData.jwt */
} CachedPrincipal;

typedef struct CheckCallCache
{
	CachedPrincipal *slots[PRINCIPAL_CACHE_SLOTS];
	uint32		next_victim;	/* which of the probed slots a full probe replaces */
	Arena	   *principal_arena;
	Arena	   *row_arena;
} CheckCallCache;

/* A string field of a jsonb object (NUL-terminated copy) or NULL. */
static const char *
object_string(Arena *arena, JsonbContainer *obj, const char *key, const char *field)
{
	JsonbValue	v;

	if (getKeyJsonValueFromContainer(obj, key, strlen(key), &v) == NULL || v.type == jbvNull)
		return NULL;
	if (v.type != jbvString)
		bad_request(psprintf("%s: must be a string", field));
	return arena_strndup(arena, v.val.string.val, v.val.string.len);
}

/* The attr object of a principal or resource as a CEL map (empty if absent). */
static CelValue
object_attr(Arena *arena, JsonbContainer *obj, const char *field)
{
	JsonbValue	v;

	if (getKeyJsonValueFromContainer(obj, "attr", 4, &v) == NULL || v.type == jbvNull)
		return cel_map_from(arena, NULL, NULL, 0);
	if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		bad_request(psprintf("%s.attr: must be an object", field));
	return authz_jsonb_value_to_cel(arena, &v);
}

static void
decode_principal(Arena *arena, Jsonb *j, EnginePrincipal *p)
{
	JsonbValue	v;
	JsonbContainer *root = &j->root;

	authz_validate_principal(j, "principal");
	memset(p, 0, sizeof(*p));
	p->id = object_string(arena, root, "id", "principal.id");
	if (getKeyJsonValueFromContainer(root, "roles", 5, &v) != NULL && v.type == jbvBinary)
	{
		int			n = JsonContainerSize(v.val.binary.data);
		int			i;

		p->roles = arena_alloc(arena, sizeof(char *) * (n ? n : 1));
		for (i = 0; i < n; i++)
		{
			JsonbValue *r = getIthJsonbValueFromContainer(v.val.binary.data, i);

			p->roles[i] = arena_strndup(arena, r->val.string.val, r->val.string.len);
		}
		p->nroles = n;
	}
	p->attr = object_attr(arena, root, "principal");
	p->policy_version = object_string(arena, root, "policyVersion", "principal.policyVersion");
	if (p->policy_version == NULL)
		p->policy_version = object_string(arena, root, "policy_version", "principal.policyVersion");
	p->scope = object_string(arena, root, "scope", "principal.scope");
}

static void
decode_resource(Arena *arena, Jsonb *j, EngineResource *r)
{
	JsonbContainer *root = &j->root;

	if (!JB_ROOT_IS_OBJECT(j) || JB_ROOT_IS_SCALAR(j))
		bad_request("resource: must be an object");
	memset(r, 0, sizeof(*r));
	r->kind = object_string(arena, root, "kind", "resource.kind");
	r->id = object_string(arena, root, "id", "resource.id");
	r->attr = object_attr(arena, root, "resource");
	r->policy_version = object_string(arena, root, "policyVersion", "resource.policyVersion");
	if (r->policy_version == NULL)
		r->policy_version = object_string(arena, root, "policy_version", "resource.policyVersion");
	r->scope = object_string(arena, root, "scope", "resource.scope");
}

/* A copy of a jsonb in the arena (NULL stays NULL). */
static Jsonb *
arena_jsonb_copy(Arena *arena, const Jsonb *j)
{
	Jsonb	   *copy;

	if (j == NULL)
		return NULL;
	copy = arena_alloc(arena, VARSIZE(j));
	if (copy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory decoding a principal")));
	memcpy(copy, j, VARSIZE(j));
	return copy;
}

/* The call site's decoded principal for these bytes, decoding it on a miss. */
static CachedPrincipal *
cached_principal(CheckCallCache *cache, Jsonb *principal, Jsonb *claims)
{
	uint64		hash = hash_bytes_extended((const unsigned char *) principal, VARSIZE(principal), 0);
	CachedPrincipal **slot;
	CachedPrincipal *entry;
	Arena	   *arena = cache->principal_arena;
	int			way;

	if (claims != NULL)
		hash = hash_bytes_extended((const unsigned char *) claims, VARSIZE(claims), hash);
	slot = NULL;
	for (way = 0; way < PRINCIPAL_CACHE_WAYS; way++)
	{
		CachedPrincipal **probe = &cache->slots[(hash + way) % PRINCIPAL_CACHE_SLOTS];

		entry = *probe;
		if (entry == NULL)
		{
			if (slot == NULL)
				slot = probe;
			continue;
		}
		if (entry->hash == hash && authz_same_jsonb(entry->principal_raw, principal) &&
			authz_same_jsonb(entry->claims_raw, claims))
			return entry;
	}
	if (slot == NULL)
		slot = &cache->slots[(hash + cache->next_victim++ % PRINCIPAL_CACHE_WAYS) % PRINCIPAL_CACHE_SLOTS];

	if (arena->total > PRINCIPAL_CACHE_BYTES)
	{
		memset(cache->slots, 0, sizeof(cache->slots));
		arena_reset(arena);
		slot = &cache->slots[hash % PRINCIPAL_CACHE_SLOTS];
	}
	/* the slot is filled only once decoding succeeded: an ERROR leaves it as it was */
	entry = arena_alloc0(arena, sizeof(CachedPrincipal));
	if (entry == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory decoding a principal")));
	decode_principal(arena, principal, &entry->principal);
	if (claims != NULL)
		entry->claims = authz_jsonb_to_cel(arena, claims);
	entry->principal_raw = arena_jsonb_copy(arena, principal);
	entry->claims_raw = arena_jsonb_copy(arena, claims);
	entry->hash = hash;
	if (arena->failed)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory decoding a principal")));
	*slot = entry;
	return entry;
}

/* One decision through the call site's cache. */
static bool
decide(FunctionCallInfo fcinfo, Jsonb *principal, Jsonb *claims, Jsonb *resource,
	   text *action)
{
	const EngineSet *set;
	CheckCallCache *cache = fcinfo->flinfo->fn_extra;
	EngineCheckOptions opts;
	EngineDecision decision;
	EngineResource res;
	const char *error = NULL;
	char	   *act;
	bool		ok;
	CachedPrincipal *entry;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CheckCallCache));
		cache->row_arena = arena_create_in(fcinfo->flinfo->fn_mcxt, 0);
		cache->principal_arena = arena_create_in(fcinfo->flinfo->fn_mcxt, 0);
		fcinfo->flinfo->fn_extra = cache;
	}
	entry = cached_principal(cache, principal, claims);
	arena_reset(cache->row_arena);
	decode_resource(cache->row_arena, resource, &res);
	set = authz_engine_acquire();
	act = arena_strndup(cache->row_arena, VARDATA_ANY(action), VARSIZE_ANY_EXHDR(action));
	check_options(&opts);
	if (entry->claims_raw != NULL)
		opts.aux_jwt = &entry->claims;
	ok = engine_check_decoded(set, cache->row_arena, &entry->principal, &res, act,
							  &opts, &decision, &error);
	if (!ok)
		bad_request(error);
	/* decision.policy points into the set: log before releasing it */
	authz_log_decision(entry->principal.id, res.kind, res.id, act,
					   decision.effect == ENGINE_EFFECT_ALLOW, decision.policy,
					   backend_engine.generation);
	authz_engine_release();
	if (cache->row_arena->failed)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory evaluating a decision")));
	CHECK_FOR_INTERRUPTS();
	return decision.effect == ENGINE_EFFECT_ALLOW;
}

/* authz_check(principal jsonb, resource jsonb, action text) RETURNS boolean */
Datum
authz_check(PG_FUNCTION_ARGS)
{
	authz_require_shmem();
	PG_RETURN_BOOL(decide(fcinfo, PG_GETARG_JSONB_P(0), NULL, PG_GETARG_JSONB_P(1), PG_GETARG_TEXT_PP(2)));
}

/* authz_check(resource jsonb, action text): for the session principal. */
Datum
authz_check_session(PG_FUNCTION_ARGS)
{
	Jsonb	   *principal;

	authz_require_shmem();
	principal = authz_current_principal();
	if (principal == NULL)
		PG_RETURN_BOOL(false);	/* nobody: nothing is allowed */
	PG_RETURN_BOOL(decide(fcinfo, principal, authz_current_jwt_claims(), PG_GETARG_JSONB_P(0), PG_GETARG_TEXT_PP(1)));
}

/* A string member of a jsonb object, or "" (for the decision log). */
static const char *
member_text(JsonbContainer *obj, const char *key)
{
	JsonbValue	v;

	if (obj == NULL || getKeyJsonValueFromContainer(obj, key, strlen(key), &v) == NULL ||
		v.type != jbvString)
		return "";
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* A member of a jsonb object that is itself a container, or NULL. */
static JsonbContainer *
member_container(JsonbContainer *obj, const char *key)
{
	JsonbValue	v;

	if (obj == NULL || getKeyJsonValueFromContainer(obj, key, strlen(key), &v) == NULL ||
		v.type != jbvBinary)
		return NULL;
	return v.val.binary.data;
}

/* Logs every (resource, action) effect of a CheckResources response. */
static void
log_response(Jsonb *request, Jsonb *response)
{
	const char *principal = member_text(member_container(&request->root, "principal"), "id");
	JsonbContainer *results = member_container(&response->root, "results");
	int			n = results ? JsonContainerSize(results) : 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		JsonbValue *r = getIthJsonbValueFromContainer(results, i);
		JsonbContainer *res,
				   *actions,
				   *meta;
		JsonbIterator *it;
		JsonbValue	k,
					v;
		JsonbIteratorToken tok;

		if (r == NULL || r->type != jbvBinary)
			continue;
		res = member_container(r->val.binary.data, "resource");
		actions = member_container(r->val.binary.data, "actions");
		meta = member_container(member_container(r->val.binary.data, "meta"), "actions");
		if (actions == NULL)
			continue;
		it = JsonbIteratorInit(actions);
		while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
		{
			char	   *action;

			if (tok != WJB_KEY)
				continue;
			action = pnstrdup(k.val.string.val, k.val.string.len);
			tok = JsonbIteratorNext(&it, &v, true);
			authz_log_decision(principal, member_text(res, "kind"), member_text(res, "id"), action,
							   v.type == jbvString && v.val.string.len == 12 &&
							   strncmp(v.val.string.val, "EFFECT_ALLOW", 12) == 0,
							   member_text(member_container(meta, action), "matchedPolicy"),
							   backend_engine.generation);
		}
	}
}

/* authz_check_resources(request jsonb) RETURNS jsonb: Cerbos' API body. */
Datum
authz_check_resources(PG_FUNCTION_ARGS)
{
	Jsonb	   *request = PG_GETARG_JSONB_P(0);
	const EngineSet *set;
	Arena	   *arena;
	EngineCheckOptions opts;
	const char *error = NULL;
	char	   *text;
	char	   *response;
	Jsonb	   *result;

	authz_require_shmem();
	arena = arena_create_in(CurrentMemoryContext, 0);
	check_options(&opts);
	text = jsonb_text(request);
	set = authz_engine_acquire();
	response = engine_check_json(set, arena, text, strlen(text), &opts, &error);
	if (response == NULL)
		bad_request(error);
	authz_engine_release();
	CHECK_FOR_INTERRUPTS();
	result = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(response)));
	if (authz_decision_log_enabled)
		log_response(request, result);
	PG_RETURN_JSONB_P(result);
}

/* authz_allowed_actions(principal jsonb, resource jsonb) RETURNS text[] */
Datum
authz_allowed_actions(PG_FUNCTION_ARGS)
{
	Jsonb	   *principal = PG_GETARG_JSONB_P(0);
	Jsonb	   *resource = PG_GETARG_JSONB_P(1);
	const EngineSet *set;
	Arena	   *arena;
	EngineCheckOptions opts;
	const char *error = NULL;
	const char **actions = NULL;
	int			nactions = 0;
	Datum	   *elems;
	int			i;

	authz_require_shmem();
	authz_validate_principal(principal, "principal");
	arena = arena_create_in(CurrentMemoryContext, 0);
	check_options(&opts);
	set = authz_engine_acquire();
	if (!engine_allowed_actions(set, arena, jsonb_text(principal), jsonb_text(resource),
								&opts, &actions, &nactions, &error))
		bad_request(error);
	elems = palloc(sizeof(Datum) * (nactions ? nactions : 1));
	for (i = 0; i < nactions; i++)
		elems[i] = CStringGetTextDatum(actions[i]);
	authz_engine_release();
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nactions, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Which build (or view) of the compiled set authz_engine_acquire() returned last. */
uint64
authz_current_engine_epoch(void)
{
	return backend_engine_epoch;
}

/* The shared set behind this backend's engine (0: a private compile). */
uint64
authz_engine_shared_handle(void)
{
	return backend_engine.shared_handle;
}

/* Per-call engine options (now()), for the other SQL entry points. */
void
authz_engine_options(EngineCheckOptions *opts)
{
	check_options(opts);
}

/* A principal jsonb decoded for the engine (validated; errors are 22023). */
void
authz_decode_principal(Arena *arena, Jsonb *principal, EnginePrincipal *out)
{
	decode_principal(arena, principal, out);
}
