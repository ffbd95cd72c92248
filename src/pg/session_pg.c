/*
 * session_pg.c — SuperTokens access tokens in SQL: authz_set_session().
 *
 * Keys come from the authz_jwks table (set with authz_set_jwks, so they
 * replicate and survive restarts) and from the file named by
 * authz.supertokens_jwks_file.  Each backend builds its key set once and
 * rebuilds it when a commit changed authz_jwks (the store's key
 * generation moves), when the file setting changes, or, on a standby where
 * no commit callback runs, after a few seconds.
 *
 * Verifications are cached per backend, keyed by the exact token bytes and
 * the key-set generation: an RSA verification costs tens of microseconds and
 * the same token comes back with every request.  A cached entry still has
 * its expiry checked against the clock on every use.
 *
 * With authz.supertokens_schema set, the SuperTokens core's own tables add
 * their keys to the key set (rebuilt when their fingerprint changes), and
 * each verification and each use of a cached one also reads the token's
 * session row, roles, permissions and metadata (session_core.c).
 *
 * Tokens are never logged: refusals are raised with errhidestmt() so the
 * statement (which contains the token) stays out of the server log, and
 * messages name at most the kid.
 */
#include "postgres.h"

#include <sys/stat.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "common/hashfn.h"
#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "session/session.h"
#include "session_core.h"

PG_FUNCTION_INFO_V1(authz_set_session);
PG_FUNCTION_INFO_V1(authz_validate_jwks);
PG_FUNCTION_INFO_V1(authz_jwks_changed);

#define STANDBY_KEY_REFRESH_US (5 * USECS_PER_SEC)
#define TOKEN_CACHE_MAX 1024

/* the backend's key set and what it was built from */
static MemoryContext keys_context = NULL;
static StKeySet *backend_keys = NULL;
static uint64 keys_built_generation = 0;
static char *keys_built_file = NULL;
static TimestampTz keys_built_at = 0;
static uint64 keys_built_core = 0;	/* core tables' fingerprint, 0 = unused */
static uint64 keyset_serial = 0;	/* bumps on every rebuild: cache key */
static bool jwks_commit_pending = false;
static bool jwks_callback_registered = false;

typedef struct TokenCacheKey
{
	uint32		hash;
	uint64		keyset_serial;
} TokenCacheKey;

typedef struct TokenCacheEntry
{
	TokenCacheKey key;			/* hash key: must be first */
	char	   *token;			/* exact bytes, in cache_context */
	Size		token_len;
	int64		exp_s;
	Jsonb	   *principal;
	Jsonb	   *claims;
	bool		valid;
	/* core-tables mode: what to read again on each use, and its digest */
	char	   *core_sub;
	char	   *core_tenant;
	char	   *core_handle;
	uint64		core_digest;
} TokenCacheEntry;

static HTAB *token_cache = NULL;

static int	validate_jwks_text(const char *text);
static MemoryContext cache_context = NULL;

/* Releases the OpenSSL keys when the key context goes away. */
static void
release_keys(void *arg)
{
	st_keyset_release((StKeySet *) arg);
}

/* Reads a whole file into palloc'd memory (NUL-terminated). */
static char *
read_jwks_file(const char *path, size_t *len)
{
	FILE	   *f = AllocateFile(path, "rb");
	struct stat sb;
	char	   *buf;

	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open authz.supertokens_jwks_file \"%s\": %m", path)));
	if (fstat(fileno(f), &sb) != 0 || sb.st_size > 4 * 1024 * 1024)
	{
		FreeFile(f);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("authz.supertokens_jwks_file \"%s\" is unreadable or larger than 4MB", path)));
	}
	buf = palloc(sb.st_size + 1);
	*len = fread(buf, 1, sb.st_size, f);
	buf[*len] = '\0';
	FreeFile(f);
	return buf;
}

/* The JWKS stored with authz_set_jwks(), or NULL. */
static char *
read_jwks_table(void)
{
	char	   *result = NULL;
	MemoryContext caller = CurrentMemoryContext;
	Oid			relid = authz_extension_relation("authz_jwks");
	char	   *query;

	if (!OidIsValid(relid))
		return NULL;
	query = psprintf("SELECT jwks::text FROM %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid)));
	PushActiveSnapshot(GetLatestSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(query, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read authz_jwks");
	if (SPI_processed > 0)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (v)
			result = MemoryContextStrdup(caller, v);
	}
	SPI_finish();
	PopActiveSnapshot();
	return result;
}

static void
raise_key_error(const char *where, const StError *err)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid SuperTokens keys in %s: %s", where,
					err->message ? err->message : st_status_name(err->status))));
}

/*
 * The key set for this call, rebuilt when its sources changed.  The core's
 * key rows are looked at when check_core is set (or their settings changed):
 * a cached token's read checks them itself (see verify_token).
 */
static StKeySet *
current_keys(bool check_core)
{
	uint64		generation = authz_store_keys_generation();
	const char *file = authz_supertokens_jwks_file ? authz_supertokens_jwks_file : "";
	uint64		core = check_core || backend_keys == NULL || authz_core_config_changed()
		? authz_core_keys_fingerprint() : keys_built_core;
	bool		stale = backend_keys == NULL ||
		core != keys_built_core ||
		generation != keys_built_generation ||
		strcmp(file, keys_built_file ? keys_built_file : "") != 0 ||
		(RecoveryInProgress() &&
		 GetCurrentTimestamp() - keys_built_at > STANDBY_KEY_REFRESH_US);

	if (!stale)
		return backend_keys;

	{
		MemoryContext ctx = AllocSetContextCreate(TopMemoryContext, "authz SuperTokens keys",
												  ALLOCSET_SMALL_SIZES);
		MemoryContextCallback *cb;
		Arena	   *arena;
		StKeySet   *keys;
		StError		err = {0};
		char	   *table_jwks;
		int			added = 0;

		PG_TRY();
		{
			arena = arena_create_in(ctx, 0);
			keys = st_keyset_create(arena, generation);
			if (keys == NULL)
				ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
			cb = MemoryContextAlloc(ctx, sizeof(*cb));
			cb->func = release_keys;
			cb->arg = keys;
			MemoryContextRegisterResetCallback(ctx, cb);

			table_jwks = read_jwks_table();
			if (table_jwks &&
				st_keyset_add_jwks(keys, table_jwks, strlen(table_jwks), &added, &err) != ST_OK)
				raise_key_error("authz_jwks", &err);
			if (file[0] != '\0')
			{
				size_t		len;
				char	   *text = read_jwks_file(file, &len);

				if (st_keyset_add_jwks(keys, text, len, &added, &err) != ST_OK)
					raise_key_error("authz.supertokens_jwks_file", &err);
			}
			if (core != 0)
				authz_core_add_keys(keys);
		}
		PG_CATCH();
		{
			MemoryContextDelete(ctx);
			PG_RE_THROW();
		}
		PG_END_TRY();

		if (keys_context)
			MemoryContextDelete(keys_context);
		keys_context = ctx;
		backend_keys = keys;
		keys_built_generation = generation;
		keys_built_core = core;
		if (keys_built_file)
			pfree(keys_built_file);
		keys_built_file = MemoryContextStrdup(TopMemoryContext, file);
		keys_built_at = GetCurrentTimestamp();
		keyset_serial++;
		if (token_cache)
		{
			hash_destroy(token_cache);
			token_cache = NULL;
			MemoryContextReset(cache_context);
		}
	}
	return backend_keys;
}

static void
ensure_token_cache(void)
{
	HASHCTL		ctl;

	if (token_cache != NULL)
		return;
	if (cache_context == NULL)
		cache_context = AllocSetContextCreate(TopMemoryContext, "authz token cache",
											  ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(TokenCacheKey);
	ctl.entrysize = sizeof(TokenCacheEntry);
	ctl.hcxt = cache_context;
	token_cache = hash_create("authz token cache", 64, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static Jsonb *
text_to_jsonb(const char *json)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}

/* Raises a token refusal: SQLSTATE 28000, no token, no statement in the log. */
static void
raise_token_error(const StError *err)
{
	bool		token_fault = st_status_is_token_failure(err->status);

	ereport(ERROR,
			(errcode(token_fault ? ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION
					 : ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s", token_fault ? "invalid access token" : "cannot verify access tokens",
					err->message ? err->message : st_status_name(err->status)),
			 errdetail("reason: %s", st_status_name(err->status)),
			 errhidestmt(true)));
}

/* Verifies (or finds in the cache) a token; returns its cache entry. */
static TokenCacheEntry *
verify_token(const char *token, Size len)
{
	StKeySet   *keys = current_keys(false);
	int64		now_us = GetCurrentTimestamp() + ST_PG_EPOCH_OFFSET_US;
	TokenCacheKey key;
	TokenCacheEntry *entry;
	bool		found;

	ensure_token_cache();
	memset(&key, 0, sizeof(key));
	key.hash = hash_bytes((const unsigned char *) token, (int) len);
	key.keyset_serial = keyset_serial;
	entry = hash_search(token_cache, &key, HASH_FIND, NULL);
	if (entry && entry->valid && entry->token_len == len &&
		memcmp(entry->token, token, len) == 0)
	{
		/* time moves on: a cached token expires like a fresh one */
		if (now_us / USECS_PER_SEC >= entry->exp_s + authz_supertokens_leeway)
		{
			StError		err = {ST_EXPIRED, "token expired"};

			raise_token_error(&err);
		}
		if (entry->core_sub == NULL)
			return entry;
		{
			uint64		fingerprint = 0;
			AuthzCoreCheck check = authz_core_recheck(entry->core_sub, entry->core_tenant,
													  entry->core_handle, entry->core_digest,
													  &fingerprint);

			/* with other keys (one deleted, say) the token is verified again */
			if (fingerprint == keys_built_core)
				switch (check)
				{
					case AUTHZ_CORE_SAME:
						return entry;
					case AUTHZ_CORE_REVOKED:
						{
							StError		err = {ST_SESSION_REVOKED, AUTHZ_CORE_REVOKED_MESSAGE};

							raise_token_error(&err);
						}
						break;
					case AUTHZ_CORE_CHANGED:
						break;	/* roles or metadata changed: build it again */
				}
		}
	}

	/* a token not served from the cache may name a key the core just added */
	if (keys_built_core != 0)
	{
		keys = current_keys(true);
		ensure_token_cache();
		key.keyset_serial = keyset_serial;
	}

	{
		MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext, "authz verify",
												  ALLOCSET_SMALL_SIZES);
		MemoryContext old = MemoryContextSwitchTo(tmp);
		Arena	   *arena = arena_create_in(tmp, 0);
		StVerifyOptions opts = {0};
		StSession	session;
		StError		err = {0};
		StMapping  *mapping = NULL;
		Jsonb	   *principal,
				   *claims;
		uint64		core_digest = 0;
		StStatus	status;

		opts.now_us = now_us;
		opts.leeway_s = authz_supertokens_leeway;
		opts.max_token_bytes = ST_DEFAULT_MAX_TOKEN_BYTES;
		if (authz_principal_mapping && authz_principal_mapping[0] != '\0')
		{
			mapping = st_mapping_parse(authz_principal_mapping, strlen(authz_principal_mapping),
									   arena, &err);
			if (mapping == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid authz.principal_mapping: %s", err.message)));
		}
		if (keys_built_core != 0)
			status = authz_core_authenticate(keys, token, len, &opts, mapping, arena,
											 &session, &core_digest, &err);
		else
			status = st_session_authenticate(keys, token, len, &opts, mapping, NULL, NULL,
											 arena, &session, &err);
		if (status != ST_OK)
			raise_token_error(&err);
		principal = text_to_jsonb(session.principal_json);
		claims = text_to_jsonb(session.claims_json);

		MemoryContextSwitchTo(old);
		if (hash_get_num_entries(token_cache) >= TOKEN_CACHE_MAX)
		{
			hash_destroy(token_cache);
			token_cache = NULL;
			MemoryContextReset(cache_context);
			ensure_token_cache();
		}
		entry = hash_search(token_cache, &key, HASH_ENTER, &found);
		if (found && entry->valid)
		{
			/* a hash collision with another token: replace it */
			pfree(entry->token);
			pfree(entry->principal);
			pfree(entry->claims);
			if (entry->core_sub)
			{
				pfree(entry->core_sub);
				pfree(entry->core_tenant);
				pfree(entry->core_handle);
			}
		}
		entry->token = MemoryContextAlloc(cache_context, len);
		memcpy(entry->token, token, len);
		entry->token_len = len;
		entry->exp_s = session.exp_s;
		entry->principal = authz_copy_jsonb(cache_context, principal);
		entry->claims = authz_copy_jsonb(cache_context, claims);
		entry->core_sub = NULL;
		entry->core_tenant = NULL;
		entry->core_handle = NULL;
		entry->core_digest = core_digest;
		if (keys_built_core != 0)
		{
			entry->core_sub = MemoryContextStrdup(cache_context, session.sub ? session.sub : "");
			entry->core_tenant = MemoryContextStrdup(cache_context, session.tenant_id ? session.tenant_id : "public");
			entry->core_handle = MemoryContextStrdup(cache_context,
													 session.session_handle ? session.session_handle : "");
		}
		entry->valid = true;
		MemoryContextDelete(tmp);
	}
	return entry;
}

/* authz_set_session(access_token text, for_session boolean) RETURNS jsonb */
Datum
authz_set_session(PG_FUNCTION_ARGS)
{
	text	   *token = PG_GETARG_TEXT_PP(0);
	bool		for_session = PG_GETARG_BOOL(1);
	TokenCacheEntry *entry;

	authz_require_shmem();
	entry = verify_token(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token));
	authz_install_principal(entry->principal, entry->claims, for_session);
	PG_RETURN_JSONB_P(entry->principal);
}

/* authz_validate_jwks(jwks jsonb) RETURNS integer: usable keys in it. */
Datum
authz_validate_jwks(PG_FUNCTION_ARGS)
{
	Jsonb	   *jwks = PG_GETARG_JSONB_P(0);

	PG_RETURN_INT32(validate_jwks_text(JsonbToCString(NULL, &jwks->root, VARSIZE(jwks))));
}

static void
jwks_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT && jwks_commit_pending)
		authz_store_bump_keys_generation();
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT)
		jwks_commit_pending = false;
}

/* Checks a JWKS text; ERROR naming the problem. Returns usable keys. */
static int
validate_jwks_text(const char *text)
{
	Arena	   *arena = arena_create_in(CurrentMemoryContext, 0);
	StKeySet   *keys = st_keyset_create(arena, 0);
	StError		err = {0};
	int			added = 0;
	StStatus	st;

	st = st_keyset_add_jwks(keys, text, strlen(text), &added, &err);
	st_keyset_release(keys);
	if (st != ST_OK)
		raise_key_error("the JWKS", &err);
	if (added == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the JWKS holds no RS256 signing key")));
	return added;
}

/*
 * Trigger on authz_jwks.  Per row (BEFORE): the new JWKS must be usable.
 * Per statement (AFTER): every backend rebuilds its keys at commit.
 */
Datum
authz_jwks_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("authz_jwks_changed() must be called as a trigger")));
	authz_require_shmem();
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)
			? trigdata->tg_newtuple : trigdata->tg_trigtuple;
		bool		isnull;
		int			attnum = SPI_fnumber(trigdata->tg_relation->rd_att, "jwks");
		Datum		d;

		authz_check_admin("set SuperTokens keys");
		d = heap_getattr(tuple, attnum, trigdata->tg_relation->rd_att, &isnull);
		if (!isnull)
		{
			Jsonb	   *jwks = DatumGetJsonbP(d);

			validate_jwks_text(JsonbToCString(NULL, &jwks->root, VARSIZE(jwks)));
		}
		return PointerGetDatum(tuple);
	}
	/* deleting or truncating the keys locks every session out: admins only */
	authz_check_admin("set SuperTokens keys");
	if (!jwks_callback_registered)
	{
		RegisterXactCallback(jwks_xact_callback, NULL);
		jwks_callback_registered = true;
	}
	jwks_commit_pending = true;
	return PointerGetDatum(NULL);
}
