/*
 * verify.c — from token text to verified SuperTokens claims.
 *
 * The order is the point of this file:
 *   1. size, then exactly three non-empty segments;
 *   2. the header: canonical base64url, a JSON object without duplicate
 *      keys, alg exactly "RS256", typ exactly "JWT", version exactly "3",
 *      "4" or "5", a string kid, no crit; jwk/jku/x5u/x5c are never read;
 *   3. the key by exact kid, and the RS256 signature over the first two
 *      segments as they appear in the token;
 *   4. only then the payload: a JSON object without duplicate keys, stt,
 *      exp and iat against the caller's clock, and the claims each version
 *      requires (supertokens-node's validateAccessTokenStructure, made
 *      stricter where node is lax: tId for v4+, shapes of st-* claims).
 * Nothing from an unverified payload is looked at, logged or returned.
 */
#include "session_int.h"

#include <math.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#define US_PER_S INT64_C(1000000)
/* Times beyond this many seconds cannot be expressed in microseconds. */
#define ST_MAX_TIME_S INT64_C(9000000000000)

/* SHA-256, fetched once per process rather than on every verification. */
static EVP_MD *sha256_md;

/* Returns the cached SHA-256 implementation. */
static const EVP_MD *
get_sha256(void)
{
	if (sha256_md == NULL)
		sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return sha256_md;
}

/* Drops the claims of a StVerified. */
void
st_verified_clear(StVerified *verified)
{
	if (verified == NULL)
		return;
	if (verified->claims)
		json_decref(verified->claims);
	verified->claims = NULL;
}

/* Checks the protected header; fills *version and *kid on success. */
static StStatus
check_header(json_t *header, Arena *arena, int *version, const char **kid,
			 StError *err)
{
	json_t	   *alg = json_object_get(header, "alg");
	json_t	   *typ = json_object_get(header, "typ");
	json_t	   *ver = json_object_get(header, "version");
	json_t	   *kid_v = json_object_get(header, "kid");
	const char *v;

	if (alg == NULL)
		return st_fail(err, arena, ST_WRONG_ALGORITHM, "token header has no alg");
	if (!json_is_string(alg))
		return st_fail(err, arena, ST_WRONG_ALGORITHM, "token alg is not a string");
	if (strcmp(json_string_value(alg), "RS256") != 0 ||
		json_string_length(alg) != 5)
		return st_fail(err, arena, ST_WRONG_ALGORITHM,
					   "token algorithm \"%s\" is not accepted (only RS256)",
					   st_sanitize(arena, json_string_value(alg)));
	if (json_object_get(header, "crit") != NULL)
		return st_fail(err, arena, ST_UNSUPPORTED_CRIT,
					   "token header has crit (no JWS extensions are supported)");
	if (typ == NULL || !json_is_string(typ) ||
		strcmp(json_string_value(typ), "JWT") != 0 || json_string_length(typ) != 3)
		return st_fail(err, arena, ST_BAD_TYPE, "token typ is not \"JWT\"");
	if (ver == NULL)
		return st_fail(err, arena, ST_UNSUPPORTED_VERSION,
					   "token header has no version (legacy v1/v2 tokens are not accepted)");
	if (!json_is_string(ver))
		return st_fail(err, arena, ST_UNSUPPORTED_VERSION,
					   "token version is not a string");
	v = json_string_value(ver);
	if (json_string_length(ver) != 1 || v[0] < '3' || v[0] > '5')
		return st_fail(err, arena, ST_UNSUPPORTED_VERSION,
					   "token version \"%s\" is not supported (only \"3\", \"4\", \"5\")",
					   st_sanitize(arena, v));
	*version = v[0] - '0';
	if (kid_v == NULL || !json_is_string(kid_v) ||
		json_string_length(kid_v) == 0 ||
		strlen(json_string_value(kid_v)) != json_string_length(kid_v))
		return st_fail(err, arena, ST_MISSING_KID, "token header has no string kid");
	*kid = json_string_value(kid_v);
	return ST_OK;
}

/*
 * RS256 over signing_input with key; true only on a valid signature.
 *
 * EVP_DigestVerifyInit looks up the signature provider, the digest and
 * exports the key on every call, which costs as much as a third of the RSA
 * work itself.  The key set keeps one initialised context per key and each
 * verification works on a copy of it, so that lookup is paid once per key.
 */
static bool
rs256_verify(const StKey *key, const char *signing_input, size_t input_len,
			 const unsigned char *sig, size_t sig_len, bool *internal)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int			rc = 0;

	*internal = false;
	if (ctx == NULL || key->proto == NULL || !EVP_MD_CTX_copy_ex(ctx, key->proto))
		*internal = true;
	else
		rc = EVP_DigestVerify(ctx, sig, sig_len,
							  (const unsigned char *) signing_input, input_len);
	EVP_MD_CTX_free(ctx);
	/* leave no stale errors for other OpenSSL users in the process */
	if (rc != 1)
		ERR_clear_error();
	return rc == 1;
}

/* A DigestVerify context for RS256 with pkey, ready to be copied. */
EVP_MD_CTX *
st_rs256_context(EVP_PKEY *pkey)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = get_sha256();
	EVP_PKEY_CTX *pctx = NULL;

	if (ctx == NULL || md == NULL ||
		EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) <= 0 ||
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
	{
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		return NULL;
	}
	return ctx;
}

/* A numeric date claim as Unix microseconds; false if not a usable number. */
static bool
claim_time_us(json_t *v, int64_t *out)
{
	if (json_is_integer(v))
	{
		json_int_t	s = json_integer_value(v);

		if (s > ST_MAX_TIME_S || s < -ST_MAX_TIME_S)
			return false;
		*out = (int64_t) s * US_PER_S;
		return true;
	}
	if (json_is_real(v))
	{
		double		s = json_real_value(v);

		if (!isfinite(s) || s > (double) ST_MAX_TIME_S || s < -(double) ST_MAX_TIME_S)
			return false;
		*out = (int64_t) floor(s * 1e6);
		return true;
	}
	return false;
}

/* A required non-empty string claim. */
static StStatus
required_string(json_t *payload, const char *name, bool allow_empty,
				Arena *arena, const char **out, StError *err)
{
	json_t	   *v = json_object_get(payload, name);

	if (v == NULL || json_is_null(v))
		return st_fail(err, arena, ST_MISSING_CLAIM, "token has no \"%s\" claim", name);
	if (!json_is_string(v) || (!allow_empty && json_string_length(v) == 0) ||
		strlen(json_string_value(v)) != json_string_length(v))
		return st_fail(err, arena, ST_INVALID_CLAIM,
					   "token claim \"%s\" is not a %sstring", name,
					   allow_empty ? "" : "non-empty ");
	if (out)
		*out = json_string_value(v);
	return ST_OK;
}

/* An optional claim that must be a string or null when present. */
static StStatus
optional_string(json_t *payload, const char *name, Arena *arena, StError *err)
{
	json_t	   *v = json_object_get(payload, name);

	if (v != NULL && !json_is_null(v) && !json_is_string(v))
		return st_fail(err, arena, ST_INVALID_CLAIM,
					   "token claim \"%s\" is not a string or null", name);
	return ST_OK;
}

/* Checks a SuperTokens {"v": value, "t": ms} claim; want_bool picks the
 * value type (boolean, else array of strings); null v is "removed". */
static StStatus
check_st_claim(json_t *payload, const char *name, bool want_bool, Arena *arena,
			   StError *err)
{
	json_t	   *c = json_object_get(payload, name);
	json_t	   *v;
	json_t	   *t;
	size_t		i;

	if (c == NULL)
		return ST_OK;
	v = json_is_object(c) ? json_object_get(c, "v") : NULL;
	t = json_is_object(c) ? json_object_get(c, "t") : NULL;
	if (!json_is_object(c) || !json_is_number(t) || v == NULL)
		goto bad;
	if (json_is_null(v))
		return ST_OK;
	if (want_bool)
	{
		if (!json_is_boolean(v))
			goto bad;
		return ST_OK;
	}
	if (!json_is_array(v))
		goto bad;
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i)))
			goto bad;
	return ST_OK;
bad:
	return st_fail(err, arena, ST_INVALID_CLAIM,
				   "token claim \"%s\" is not {\"v\": %s or null, \"t\": ms}",
				   name, want_bool ? "a boolean" : "an array of strings");
}

/* Checks the claims of a verified payload and fills *out. */
static StStatus
check_claims(json_t *payload, int version, const StVerifyOptions *options,
			 Arena *arena, StVerified *out, StError *err)
{
	json_t	   *stt = json_object_get(payload, "stt");
	json_t	   *exp = json_object_get(payload, "exp");
	json_t	   *iat = json_object_get(payload, "iat");
	json_t	   *nbf = json_object_get(payload, "nbf");
	json_t	   *iss = json_object_get(payload, "iss");
	int64_t		leeway_us = options->leeway_s * US_PER_S;
	int64_t		exp_us;
	int64_t		iat_us;
	int64_t		nbf_us;
	const char *sub;
	const char *handle;
	const char *tenant = "public";
	const char *rsub = NULL;
	StStatus	s;

	/* an OAuth2-provider token is signed with the same keys: not a session */
	if (stt != NULL && !(json_is_integer(stt) && json_integer_value(stt) == 0))
		return st_fail(err, arena, ST_WRONG_TOKEN_TYPE,
					   "token is not a session access token (stt is not 0)");
	if (exp == NULL || json_is_null(exp))
		return st_fail(err, arena, ST_MISSING_CLAIM, "token has no \"exp\" claim");
	if (!claim_time_us(exp, &exp_us))
		return st_fail(err, arena, ST_INVALID_CLAIM, "token claim \"exp\" is not a number of seconds");
	if (iat == NULL || json_is_null(iat))
		return st_fail(err, arena, ST_MISSING_CLAIM, "token has no \"iat\" claim");
	if (!claim_time_us(iat, &iat_us))
		return st_fail(err, arena, ST_INVALID_CLAIM, "token claim \"iat\" is not a number of seconds");
	if (nbf != NULL && !claim_time_us(nbf, &nbf_us))
		return st_fail(err, arena, ST_INVALID_CLAIM, "token claim \"nbf\" is not a number of seconds");

	if (options->now_us >= exp_us + leeway_us)
		return st_fail(err, arena, ST_EXPIRED,
					   "token expired %lld s ago",
					   (long long) ((options->now_us - exp_us) / US_PER_S));
	if (iat_us > options->now_us + leeway_us)
		return st_fail(err, arena, ST_NOT_YET_VALID,
					   "token issued %lld s in the future",
					   (long long) ((iat_us - options->now_us) / US_PER_S));
	if (nbf != NULL && nbf_us > options->now_us + leeway_us)
		return st_fail(err, arena, ST_NOT_YET_VALID,
					   "token not valid for another %lld s",
					   (long long) ((nbf_us - options->now_us) / US_PER_S));

	if ((s = required_string(payload, "sub", false, arena, &sub, err)) != ST_OK ||
		(s = required_string(payload, "sessionHandle", false, arena, &handle, err)) != ST_OK ||
		(s = required_string(payload, "refreshTokenHash1", true, arena, NULL, err)) != ST_OK ||
		(s = optional_string(payload, "parentRefreshTokenHash1", arena, err)) != ST_OK ||
		(s = optional_string(payload, "antiCsrfToken", arena, err)) != ST_OK)
		return s;
	if (version >= 4 &&
		(s = required_string(payload, "tId", false, arena, &tenant, err)) != ST_OK)
		return s;
	if (version >= 5 &&
		(s = required_string(payload, "rsub", false, arena, &rsub, err)) != ST_OK)
		return s;
	if (iss != NULL && !json_is_string(iss))
		return st_fail(err, arena, ST_INVALID_CLAIM, "token claim \"iss\" is not a string");
	if (options->issuer != NULL &&
		(iss == NULL || strcmp(json_string_value(iss), options->issuer) != 0 ||
		 strlen(options->issuer) != json_string_length(iss)))
		return st_fail(err, arena, ST_WRONG_ISSUER,
					   iss ? "token issuer \"%s\" is not the configured one" :
					   "token has no issuer%s", iss ? st_sanitize(arena, json_string_value(iss)) : "");
	if ((s = check_st_claim(payload, "st-role", false, arena, err)) != ST_OK ||
		(s = check_st_claim(payload, "st-perm", false, arena, err)) != ST_OK ||
		(s = check_st_claim(payload, "st-ev", true, arena, err)) != ST_OK)
		return s;

	out->sub = arena_strdup(arena, sub);
	out->session_handle = arena_strdup(arena, handle);
	out->tenant_id = arena_strdup(arena, tenant);
	out->recipe_user_id = arena_strdup(arena, rsub ? rsub : sub);
	out->exp_s = exp_us / US_PER_S;
	out->iat_s = iat_us / US_PER_S;
	if (out->sub == NULL || out->session_handle == NULL ||
		out->tenant_id == NULL || out->recipe_user_id == NULL)
		return st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
	return ST_OK;
}

/*
 * The header check is a function of the header segment's bytes alone, so
 * a segment that passed once passes again: the memo remembers the last
 * few accepted segments with their version and kid, and a token whose
 * header matches one byte for byte skips decoding and parsing it.  Only
 * accepted headers are remembered, and the kid still goes through the key
 * lookup and the signature check like any other.
 */
static bool
header_memo_lookup(StHeaderMemo *memo, const char *segment, size_t len,
				   Arena *arena, int *version, const char **kid)
{
	int			i;

	if (memo == NULL || len > ST_MEMO_SEGMENT_MAX)
		return false;
	for (i = 0; i < memo->count; i++)
	{
		StHeaderMemoEntry *e = &memo->entries[i];

		if (e->len == len && memcmp(e->segment, segment, len) == 0)
		{
			*version = e->version;
			*kid = arena_strdup(arena, e->kid);
			return true;
		}
	}
	return false;
}

/* Remembers an accepted header segment (round robin over the slots). */
static void
header_memo_store(StHeaderMemo *memo, const char *segment, size_t len,
				  int version, const char *kid)
{
	StHeaderMemoEntry *e;

	if (memo == NULL || len > ST_MEMO_SEGMENT_MAX || strlen(kid) >= sizeof(e->kid))
		return;
	e = &memo->entries[memo->next];
	memcpy(e->segment, segment, len);
	e->len = len;
	e->version = version;
	strcpy(e->kid, kid);
	memo->next = (memo->next + 1) % ST_MEMO_ENTRIES;
	if (memo->count < ST_MEMO_ENTRIES)
		memo->count++;
}

/* Verifies a SuperTokens access token; see session.h. */
StStatus
st_verify(const StKeySet *keys, const char *token, size_t len,
		  const StVerifyOptions *options, Arena *arena, StVerified *out,
		  StError *err)
{
	size_t		max = ST_DEFAULT_MAX_TOKEN_BYTES;
	const char *dot1;
	const char *dot2;
	size_t		header_len;
	size_t		payload_len;
	size_t		sig_len;
	unsigned char *header_bytes;
	unsigned char *payload_bytes;
	unsigned char *sig;
	size_t		n;
	json_t	   *header;
	json_t	   *payload;
	int			version = 0;
	const char *kid = NULL;
	const StKey *key;
	bool		internal;
	StStatus	s;
	StError		local_err;

	if (err == NULL)
		err = &local_err;
	err->status = ST_OK;
	err->message = NULL;
	if (out)
		memset(out, 0, sizeof(*out));
	if (arena == NULL)
		return st_fail(err, NULL, ST_BAD_ARGUMENT, "an arena is required");
	if (keys == NULL || token == NULL || options == NULL || out == NULL)
		return st_fail(err, arena, ST_BAD_ARGUMENT,
					   "key set, token, options and result are required");
	if (options->leeway_s < 0 || options->leeway_s > 86400)
		return st_fail(err, arena, ST_BAD_ARGUMENT,
					   "leeway must be between 0 and 86400 seconds");
	if (options->max_token_bytes > 0)
		max = options->max_token_bytes < ST_MAX_TOKEN_BYTES_LIMIT ?
			options->max_token_bytes : ST_MAX_TOKEN_BYTES_LIMIT;

	/* 1. shape */
	if (len > max)
		return st_fail(err, arena, ST_OVERSIZED,
					   "token is %zu bytes, more than the limit of %zu", len, max);
	dot1 = memchr(token, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t) (dot1 + 1 - token)) : NULL;
	if (dot1 == NULL || dot2 == NULL ||
		memchr(dot2 + 1, '.', len - (size_t) (dot2 + 1 - token)) != NULL)
		return st_fail(err, arena, ST_MALFORMED,
					   "token does not have exactly three dot-separated segments");
	header_len = (size_t) (dot1 - token);
	payload_len = (size_t) (dot2 - dot1 - 1);
	sig_len = len - (size_t) (dot2 + 1 - token);
	if (header_len == 0 || payload_len == 0 || sig_len == 0)
		return st_fail(err, arena, ST_MALFORMED, "token has an empty segment");

	/* 2. header (SuperTokens sends the same few headers again and again) */
	if (!header_memo_lookup(keys->memo, token, header_len, arena, &version, &kid))
	{
		header_bytes = st_b64url_decode(arena, token, header_len, &n);
		if (header_bytes == NULL)
			return arena->failed ?
				st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory") :
				st_fail(err, arena, ST_BAD_BASE64, "token header is not unpadded base64url");
		header = st_parse_object((const char *) header_bytes, n, arena, "token header", err);
		if (header == NULL)
			return err->status;
		s = check_header(header, arena, &version, &kid, err);
		if (s == ST_OK)
		{
			kid = arena_strdup(arena, kid);
			if (kid == NULL)
				s = st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");
			else
				header_memo_store(keys->memo, token, header_len, version, kid);
		}
		json_decref(header);
		if (s != ST_OK)
			return s;
	}
	if (kid == NULL)
		return st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory");

	payload_bytes = st_b64url_decode(arena, dot1 + 1, payload_len, &payload_len);
	if (payload_bytes == NULL)
		return arena->failed ?
			st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory") :
			st_fail(err, arena, ST_BAD_BASE64, "token payload is not unpadded base64url");
	sig = st_b64url_decode(arena, dot2 + 1, sig_len, &sig_len);
	if (sig == NULL)
		return arena->failed ?
			st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory") :
			st_fail(err, arena, ST_BAD_BASE64, "token signature is not unpadded base64url");

	/* 3. key and signature */
	key = st_keyset_find(keys, kid);
	if (key == NULL || key->pkey == NULL)
		return st_fail(err, arena, ST_UNKNOWN_KID, "unknown key id \"%s\"",
					   st_sanitize(arena, kid));
	if (!rs256_verify(key, token, (size_t) (dot2 - token), sig, sig_len,
					  &internal))
		return internal ?
			st_fail(err, arena, ST_INTERNAL, "OpenSSL could not set up RS256 verification") :
			st_fail(err, arena, ST_BAD_SIGNATURE,
					"token signature does not verify with key \"%s\"",
					st_sanitize(arena, kid));

	/* 4. claims */
	payload = st_parse_object((const char *) payload_bytes, payload_len, arena,
							  "token payload", err);
	if (payload == NULL)
		return err->status;
	out->version = version;
	out->kid = kid;
	s = check_claims(payload, version, options, arena, out, err);
	if (s != ST_OK)
	{
		json_decref(payload);
		memset(out, 0, sizeof(*out));
		return s;
	}
	out->claims = payload;
	out->payload_json = (const char *) payload_bytes;
	out->payload_len = payload_len;
	return ST_OK;
}

/* Whether a cached result has expired (same rule as check_claims). */
bool
st_expired(int64_t exp_s, int64_t now_us, int64_t leeway_s)
{
	if (exp_s > ST_MAX_TIME_S)
		exp_s = ST_MAX_TIME_S;
	if (leeway_s < 0)
		leeway_s = 0;
	return now_us >= exp_s * US_PER_S + leeway_s * US_PER_S;
}

/* What may be logged about a verified token: kid, sub, a handle prefix. */
char *
st_verified_log_label(const StVerified *verified, Arena *arena)
{
	char		prefix[9];
	const char *handle;

	if (verified == NULL || verified->kid == NULL)
		return arena_strdup(arena, "(no token)");
	handle = verified->session_handle ? st_sanitize(arena, verified->session_handle) : "";
	snprintf(prefix, sizeof(prefix), "%s", handle);
	return arena_printf(arena, "kid=%s sub=%s session=%s%s",
						st_sanitize(arena, verified->kid),
						verified->sub ? st_sanitize(arena, verified->sub) : "",
						prefix, strlen(handle) > 8 ? "..." : "");
}
