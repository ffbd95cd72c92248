/*
 * session.h — SuperTokens access tokens: verification and principals.
 *
 * SuperTokens signs its session access tokens as compact JWS (RS256) with
 * keys it publishes as a JWKS and keeps in its own tables.  This module turns
 * such a token into a Cerbos principal, and nothing else into anything:
 *
 *   keys:    a StKeySet holds RSA public keys by exact kid, read from a JWKS
 *            (st_keyset_add_jwks) or from the core's key columns
 *            (st_keyset_add_core_key, which reads only the public half).
 *   verify:  st_verify splits the token strictly, checks the header, finds
 *            the key by kid, verifies the RS256 signature and only then
 *            parses and checks the claims against the caller's clock.
 *   map:     st_principal_build turns verified claims into
 *            {"id","roles","attr","scope"} following a StMapping.
 *   both:    st_session_authenticate does verify + map and hands back plain
 *            text in the caller's arena, with no library objects left over.
 *
 * Every refusal is a StStatus with its own code and a message that never
 * contains the token (it may name the kid, which is sanitised, or a claim).
 *
 * The module is pure C (no postgres.h); the PostgreSQL layer supplies the
 * clock (GetCurrentTimestamp() is microseconds since 2000-01-01, so add
 * ST_PG_EPOCH_OFFSET_US), the leeway GUC, the key set cache and the SQLSTATE
 * (28000 for every ST_* token failure).  This header deliberately does not
 * include jansson.h: jansson's json_object() clashes with PostgreSQL's
 * fmgrprotos.h, so the claims are exposed only as struct json_t *.
 *
 * Memory: arena memory belongs to the caller.  Two things live outside the
 * arena and must be released explicitly (or from a memory-context reset
 * callback): the OpenSSL keys of a StKeySet (st_keyset_release) and the
 * claims of a StVerified (st_verified_clear).  st_session_authenticate
 * leaves only the key set to release.
 *
 * Using it from the PostgreSQL layer (a sketch; names outside st_* are
 * the glue's own):
 *
 *   once per key configuration (authz_set_jwks, the JWKS file, or the
 *   core's tables), in a long-lived context:
 *     keys = st_keyset_create(arena, ++generation);
 *     st_keyset_add_jwks(keys, text, len, &added, &err);
 *   or, for each row of <schema>.<prefix>session_access_token_signing_keys
 *   with created_at_time >= now_ms - (update interval + 2 x token validity)
 *   (older rows may linger but the core no longer verifies with them):
 *     st_keyset_add_core_key(keys, "d-<created_at_time>", public_part,
 *                            len, &err);
 *   (public_part selected as split_part(split_part(value, ';', 1), '|', 1)
 *   so the private half never leaves the table), and for jwt_signing_keys
 *   rows with algorithm 'RS256' the same with kid = key_id; if a whole
 *   value was fetched, st_wipe it.  Register a reset callback on the key
 *   set's context that calls st_keyset_release(keys).
 *
 *   per authz_set_session(token), in a per-call arena:
 *     StVerifyOptions o = {.now_us = GetCurrentTimestamp() + ST_PG_EPOCH_OFFSET_US,
 *                          .leeway_s = leeway_guc};
 *     s = st_session_authenticate(keys, token, len, &o, mapping, NULL,
 *                                 hook_or_NULL, arena, &out, &err);
 *     if (s != ST_OK)
 *         ereport(ERROR, (errcode(st_status_is_token_failure(s) ?
 *                                 ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION :
 *                                 ERRCODE_INVALID_PARAMETER_VALUE),
 *                         errmsg("access token refused: %s", err.message),
 *                         errdetail("reason: %s", st_status_name(s))));
 *   cache out.principal_json / out.claims_json under (token bytes,
 *   st_keyset_generation(keys)) until st_expired(out.exp_s, now, leeway);
 *   log only out.log_label.
 *
 * Not thread-safe: st_verify updates the key set's memo of accepted
 * headers (fine in a single-threaded backend; use one key set per thread
 * elsewhere).  Global state is only a cached SHA-256 method and the base64
 * tables, both set idempotently.
 *
 * Link with: -ljansson -lcrypto
 */
#ifndef AUTHZ_SESSION_H
#define AUTHZ_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"

struct json_t;

/* Unix epoch minus PostgreSQL epoch (2000-01-01), in microseconds. */
#define ST_PG_EPOCH_OFFSET_US INT64_C(946684800000000)

/* Longest token accepted unless the options say otherwise (SuperTokens
 * tokens are about 1 KB; custom claims make them grow). */
#define ST_DEFAULT_MAX_TOKEN_BYTES 16384
/* Hard ceiling for max_token_bytes. */
#define ST_MAX_TOKEN_BYTES_LIMIT (1024 * 1024)

typedef enum StStatus
{
	ST_OK = 0,
	/* token shape */
	ST_OVERSIZED,				/* longer than max_token_bytes */
	ST_MALFORMED,				/* not exactly three non-empty segments */
	ST_BAD_BASE64,				/* padding, standard alphabet, bad length */
	ST_BAD_JSON,				/* header or payload is not a JSON object */
	ST_DUPLICATE_KEY,			/* a JSON object repeats a key */
	/* header */
	ST_WRONG_ALGORITHM,			/* alg is not exactly "RS256" */
	ST_BAD_TYPE,				/* typ is not exactly "JWT" */
	ST_UNSUPPORTED_VERSION,		/* version not exactly "3", "4" or "5" */
	ST_MISSING_KID,				/* kid absent, empty or not a string */
	ST_UNSUPPORTED_CRIT,		/* crit names extensions we do not know */
	/* keys and signature */
	ST_UNKNOWN_KID,				/* no key in the set has this kid */
	ST_BAD_SIGNATURE,			/* RS256 signature does not verify */
	/* claims (only ever looked at after the signature verified) */
	ST_EXPIRED,					/* now >= exp + leeway */
	ST_NOT_YET_VALID,			/* iat (or nbf) later than now + leeway */
	ST_MISSING_CLAIM,			/* a claim the version requires is absent */
	ST_INVALID_CLAIM,			/* a claim has the wrong type or shape */
	ST_WRONG_TOKEN_TYPE,		/* stt present and not 0 */
	ST_WRONG_ISSUER,			/* iss differs from the configured issuer */
	ST_SESSION_REVOKED,			/* the caller's hook found no live session */
	ST_NO_ROLES,				/* mapping found no role and has no default */
	/* configuration (not the token's fault) */
	ST_BAD_KEY,					/* a JWKS or key string cannot be used */
	ST_BAD_MAPPING,				/* the mapping spec is invalid */
	ST_BAD_ARGUMENT,			/* NULL where something is required */
	ST_OUT_OF_MEMORY,
	ST_INTERNAL					/* OpenSSL or jansson failed unexpectedly */
} StStatus;

/* A refusal: the code and a lowercase message without the token text. */
typedef struct StError
{
	StStatus	status;
	const char *message;		/* arena or static; never NULL after a failure */
} StError;

/* Stable snake_case name of a status ("expired", "unknown_kid", ...). */
extern const char *st_status_name(StStatus status);

/* True for statuses caused by the token (SQLSTATE 28000); false for
 * configuration and internal failures. */
extern bool st_status_is_token_failure(StStatus status);

/* ---------------------------------------------------------------- keys */

typedef struct StKeySet StKeySet;

/* An empty key set allocated in arena; generation is the caller's number
 * for this configuration (cache entries carry it). */
extern StKeySet *st_keyset_create(Arena *arena, uint64_t generation);

/* Frees the OpenSSL keys; the arena memory stays with the arena. */
extern void st_keyset_release(StKeySet *keys);

extern uint64_t st_keyset_generation(const StKeySet *keys);
extern int	st_keyset_count(const StKeySet *keys);
/* kid of the i-th key (0-based), NULL when out of range. */
extern const char *st_keyset_kid(const StKeySet *keys, int i);

/*
 * Adds every usable key of a JWKS text ({"keys":[{"kty":"RSA","kid","n","e",
 * "alg","use"}...]}).  Keys of another kty, with alg other than RS256 or use
 * other than sig are skipped (*added tells how many were taken).  An RSA key
 * without kid, with bad n/e, shorter than 2048 bits, with private members
 * (d, p, q, ...), or a kid already in the set fails the whole call with
 * ST_BAD_KEY and adds nothing.
 */
extern StStatus st_keyset_add_jwks(StKeySet *keys, const char *json, size_t len,
								   int *added, StError *err);

/*
 * Adds one key from the core's session_access_token_signing_keys.value
 * (kid "d-<created_at_time>") or jwt_signing_keys.key_string (kid = key_id):
 * "base64(SPKI DER)|base64(PKCS#8 DER)" or with ';'.  Only the bytes before
 * the first separator are read; the private half is never read or copied.
 * A string without separator is taken as the public half alone, so the
 * caller may split in SQL, split_part(split_part(value, ';', 1), '|', 1),
 * and never fetch the private half; otherwise it should st_wipe its copy.
 */
extern StStatus st_keyset_add_core_key(StKeySet *keys, const char *kid,
									   const char *key_string, size_t len,
									   StError *err);

/* Overwrites n bytes at p in a way the compiler cannot drop (for the
 * caller's copy of a core key string, which holds the private key). */
extern void st_wipe(void *p, size_t n);

/* Adds an RSA public key in SPKI DER form under kid (used by the above). */
extern StStatus st_keyset_add_spki(StKeySet *keys, const char *kid,
								   const unsigned char *der, size_t len,
								   StError *err);

/* ------------------------------------------------------------- verify */

typedef struct StVerifyOptions
{
	int64_t		now_us;			/* Unix time in microseconds (required) */
	int64_t		leeway_s;		/* clock skew allowed, seconds (default 0) */
	size_t		max_token_bytes;	/* 0 = ST_DEFAULT_MAX_TOKEN_BYTES */
	const char *issuer;			/* NULL = iss not checked; else iss must be
								 * present and exactly this (SuperTokens sets
								 * it to API domain + base path) */
} StVerifyOptions;

/* What a verified token says, for the principal and for logs. */
typedef struct StVerified
{
	int			version;		/* 3, 4 or 5 */
	const char *kid;			/* arena copies */
	const char *sub;
	const char *session_handle;
	const char *tenant_id;		/* tId, or "public" for v3 */
	const char *recipe_user_id; /* rsub, or sub before v5 */
	int64_t		exp_s;			/* expiry, Unix seconds, rounded down (so a
								 * cache drops an entry no later than st_verify
								 * would start refusing the token) */
	int64_t		iat_s;
	struct json_t *claims;		/* the payload object; st_verified_clear */
	const char *payload_json;	/* the signed payload text (arena, NUL-
								 * terminated): valid JSON, no duplicate keys */
	size_t		payload_len;
} StVerified;

/*
 * Verifies token[0..len) against keys at options->now_us.  On ST_OK fills
 * *out (the caller must st_verified_clear it); otherwise *out holds no
 * claims and err says why.  Nothing in the payload is interpreted before
 * the signature has verified.
 */
extern StStatus st_verify(const StKeySet *keys, const char *token, size_t len,
						  const StVerifyOptions *options, Arena *arena,
						  StVerified *out, StError *err);

/* Drops the claims of a StVerified (safe to call twice). */
extern void st_verified_clear(StVerified *verified);

/* "kid=<kid> sub=<sub> session=<first 8 chars>...": what may be logged
 * (printable ASCII only, whatever the token held). */
extern char *st_verified_log_label(const StVerified *verified, Arena *arena);

/* ------------------------------------------------------------ mapping */

/*
 * A principal mapping spec is a JSON object; every key is optional and the
 * empty object {} is the default mapping:
 *
 *   {
 *     "id": "sub",               claim path of the principal id (a string)
 *     "roles": "st-role.v",      claim path of the roles: an array of
 *                                strings or one string
 *     "defaultRole": "user",     role used when the token has none (a Cerbos
 *                                principal needs one); null = refuse with
 *                                ST_NO_ROLES instead
 *     "scopeFromTenant": false,  scope = the tenant id (tId; "public" for v3);
 *                                a tenant id that is not one scope segment
 *                                ([A-Za-z0-9][A-Za-z0-9_-]*) is refused, so
 *                                tenant "a.b" cannot inherit tenant "a"
 *     "standardAttrs": true,     attr gets tenantId, permissions (st-perm.v),
 *                                emailVerified (st-ev.v), sessionHandle and
 *                                recipeUserId (rsub)
 *     "includeCustomClaims": true,  every non-reserved top-level claim is
 *                                copied into attr under its own name
 *     "attr": {"name": "claim.path", ...}  extra attributes; these win over
 *                                the standard ones, which win over custom
 *                                claims of the same name
 *   }
 *
 * A claim path is a dot-separated list of object keys from the payload
 * root ("st-role.v", "org.id"); a missing step or a null value means the
 * attribute is left out.  Reserved claims (never copied as custom): sub,
 * exp, iat, nbf, iss, aud, jti, sessionHandle, refreshTokenHash1,
 * parentRefreshTokenHash1, antiCsrfToken, rsub, tId, stt, st-role, st-perm,
 * st-ev.  Unknown keys in the spec are an error, so typos do not pass.
 */
typedef struct StMapping StMapping;

/* Parses a spec (NULL or "" = default) into arena; NULL + err on failure. */
extern StMapping *st_mapping_parse(const char *json, size_t len, Arena *arena,
								   StError *err);

/* Facts from the core's tables, added when the token lacks them. */
typedef struct StPrincipalExtras
{
	const char *const *roles;	/* user_roles for the token's tenant; used
								 * only when the token has no roles */
	int			nroles;
	const char *const *permissions;	/* role_permissions of those roles; used
									 * only when the token has no st-perm */
	int			npermissions;
	const char *metadata_json;	/* user_metadata object -> attr.metadata */
	size_t		metadata_len;
} StPrincipalExtras;

/*
 * Builds the principal JSON text (compact, keys sorted) from verified
 * claims.  extras may be NULL.  *claims_json, when not NULL, receives the
 * verified claims as JSON text for request.auxData.jwt: the signed payload
 * exactly as the token carried it (already checked to be one JSON object
 * without duplicate keys), which costs nothing to produce.
 */
extern StStatus st_principal_build(const StMapping *mapping,
								   const StVerified *verified,
								   const StPrincipalExtras *extras,
								   Arena *arena, char **principal_json,
								   char **claims_json, StError *err);

/*
 * Whether a result verified earlier has expired by now_us under leeway_s,
 * with exactly st_verify's rule (expired when now >= exp + leeway); for
 * caches that hand out a principal again without verifying again.
 */
extern bool st_expired(int64_t exp_s, int64_t now_us, int64_t leeway_s);

/* --------------------------------------------------- verify + map */

/*
 * Called by st_session_authenticate after the token verified and before the
 * principal is built: the place for what needs the database, such as the
 * revocation check (return ST_SESSION_REVOKED via st_session_refuse) and
 * the user's roles, permissions and metadata from the core's tables (fill
 * *extras, allocating in arena).  *extras starts as a copy of the extras
 * passed to st_session_authenticate (or all zero).  Returning anything but
 * ST_OK refuses the token with that status and err.
 *
 * The hook must return normally: a longjmp out of it (an uncaught ereport)
 * leaks the claims object (malloc memory, about 2 KB).  Wrap SPI calls in
 * PG_TRY/PG_CATCH, or call st_verify and st_principal_build separately.
 */
typedef struct StSessionHook
{
	StStatus	(*after_verify) (void *arg, const StVerified *verified,
								 Arena *arena, StPrincipalExtras *extras,
								 StError *err);
	void	   *arg;
} StSessionHook;

/* Fills err for a hook's refusal (message printf-formatted into arena). */
extern StStatus st_session_refuse(StError *err, Arena *arena, StStatus status,
								  const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

typedef struct StSession
{
	int			version;
	const char *kid;
	const char *sub;
	const char *session_handle;
	const char *tenant_id;
	const char *recipe_user_id;
	int64_t		exp_s;			/* cache the result no longer than this */
	char	   *principal_json; /* {"attr":…,"id":…,"roles":[…],"scope":…} */
	char	   *claims_json;	/* verified payload text, for auxData.jwt */
	char	   *log_label;		/* see st_verified_log_label */
} StSession;

/*
 * st_verify + (hook) + st_principal_build in one call; on ST_OK everything
 * in *out is arena text and no library object remains to be released; on
 * failure *out is all NULL.  mapping NULL = default mapping; extras and
 * hook may be NULL.
 */
extern StStatus st_session_authenticate(const StKeySet *keys,
										const char *token, size_t len,
										const StVerifyOptions *options,
										const StMapping *mapping,
										const StPrincipalExtras *extras,
										const StSessionHook *hook,
										Arena *arena, StSession *out,
										StError *err);

/* ------------------------------------------------------------ base64 */

/* Strict base64url (RFC 7515 §2): alphabet A-Z a-z 0-9 - _, no padding,
 * canonical trailing bits.  Returns a NUL-terminated arena buffer and its
 * length in *out_len, or NULL when the text is not canonical base64url
 * (or the arena is exhausted: check arena->failed). */
extern unsigned char *st_b64url_decode(Arena *arena, const char *text,
									   size_t len, size_t *out_len);

/* Unpadded base64url of data[0..len) as a NUL-terminated arena string. */
extern char *st_b64url_encode(Arena *arena, const unsigned char *data,
							  size_t len);

/* Standard base64 with mandatory padding (the core's key strings). */
extern unsigned char *st_b64std_decode(Arena *arena, const char *text,
									   size_t len, size_t *out_len);

#endif							/* AUTHZ_SESSION_H */
