/*
 * keys.c — RSA public keys by kid, from a JWKS or from the core's tables.
 *
 * A token names its key by kid and is verified with that key only: trying
 * every key would let a key meant for something else vouch for a token.
 * Keys come from configuration (a JWKS pushed by an administrator or read
 * from a file) or from the SuperTokens core's own tables, whose columns
 * hold "base64(SPKI DER)|base64(PKCS#8 DER)": the private key in clear
 * text right after the public one.  For those we look only at the bytes
 * before the first separator and never at anything after it.
 *
 * Only RSA keys of 2048 to 8192 bits are taken: SuperTokens uses 2048, and
 * the upper bound caps what one verification can cost.
 */
#include "session_int.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define ST_MIN_RSA_BITS 2048
#define ST_MAX_RSA_BITS 8192
#define ST_MAX_KEYS 1000
#define ST_MAX_JWKS_BYTES (4 * 1024 * 1024)

/* An empty key set in arena. */
StKeySet *
st_keyset_create(Arena *arena, uint64_t generation)
{
	StKeySet   *keys;

	if (arena == NULL)
		return NULL;
	keys = arena_alloc0(arena, sizeof(StKeySet));
	if (keys == NULL)
		return NULL;
	keys->arena = arena;
	keys->generation = generation;
	/* without the memo verification still works, only a little slower */
	keys->memo = arena_alloc0(arena, sizeof(StHeaderMemo));
	return keys;
}

/* Frees the OpenSSL keys of a set. */
void
st_keyset_release(StKeySet *keys)
{
	int			i;

	if (keys == NULL)
		return;
	for (i = 0; i < keys->count; i++)
	{
		EVP_MD_CTX_free(keys->keys[i].proto);
		EVP_PKEY_free(keys->keys[i].pkey);
		keys->keys[i].proto = NULL;
		keys->keys[i].pkey = NULL;
	}
	keys->count = 0;
}

/* The caller's generation number for this set. */
uint64_t
st_keyset_generation(const StKeySet *keys)
{
	return keys ? keys->generation : 0;
}

/* Number of keys in the set. */
int
st_keyset_count(const StKeySet *keys)
{
	return keys ? keys->count : 0;
}

/* kid of the i-th key. */
const char *
st_keyset_kid(const StKeySet *keys, int i)
{
	if (keys == NULL || i < 0 || i >= keys->count)
		return NULL;
	return keys->keys[i].kid;
}

/* Exact-kid lookup (sets are small: a handful of rotating keys). */
const StKey *
st_keyset_find(const StKeySet *keys, const char *kid)
{
	int			i;

	if (keys == NULL || kid == NULL)
		return NULL;
	for (i = 0; i < keys->count; i++)
		if (strcmp(keys->keys[i].kid, kid) == 0)
			return &keys->keys[i];
	return NULL;
}

/* Checks that pkey is an RSA key of acceptable size; returns its bits or 0. */
static int
usable_rsa_bits(EVP_PKEY *pkey)
{
	int			bits;

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
		return 0;
	bits = EVP_PKEY_get_bits(pkey);
	if (bits < ST_MIN_RSA_BITS || bits > ST_MAX_RSA_BITS)
		return 0;
	return bits;
}

/* Appends a key (taking ownership of pkey) after checking its kid is new. */
static StStatus
keyset_append(StKeySet *keys, const char *kid, EVP_PKEY *pkey, int bits,
			  StError *err)
{
	StKey	   *k;

	if (st_keyset_find(keys, kid) != NULL)
	{
		EVP_PKEY_free(pkey);
		return st_fail(err, keys->arena, ST_BAD_KEY,
					   "key id \"%s\" appears twice in the key set",
					   st_sanitize(keys->arena, kid));
	}
	if (keys->count >= ST_MAX_KEYS)
	{
		EVP_PKEY_free(pkey);
		return st_fail(err, keys->arena, ST_BAD_KEY,
					   "too many keys (at most %d)", ST_MAX_KEYS);
	}
	if (keys->count == keys->capacity)
	{
		int			cap = keys->capacity ? keys->capacity * 2 : 4;
		StKey	   *grown = arena_realloc(keys->arena, keys->keys,
										  sizeof(StKey) * keys->capacity,
										  sizeof(StKey) * cap);

		if (grown == NULL)
		{
			EVP_PKEY_free(pkey);
			return st_fail(err, keys->arena, ST_OUT_OF_MEMORY, "out of memory");
		}
		keys->keys = grown;
		keys->capacity = cap;
	}
	k = &keys->keys[keys->count];
	k->kid = arena_strdup(keys->arena, kid);
	if (k->kid == NULL)
	{
		EVP_PKEY_free(pkey);
		return st_fail(err, keys->arena, ST_OUT_OF_MEMORY, "out of memory");
	}
	k->proto = st_rs256_context(pkey);
	if (k->proto == NULL)
	{
		EVP_PKEY_free(pkey);
		return st_fail(err, keys->arena, ST_INTERNAL,
					   "OpenSSL cannot set up RS256 verification for key \"%s\"",
					   st_sanitize(keys->arena, kid));
	}
	k->pkey = pkey;
	k->bits = bits;
	keys->count++;
	return ST_OK;
}

/* Adds an SPKI DER public key under kid. */
StStatus
st_keyset_add_spki(StKeySet *keys, const char *kid, const unsigned char *der,
				   size_t len, StError *err)
{
	const unsigned char *p = der;
	EVP_PKEY   *pkey;
	int			bits;

	if (keys == NULL || kid == NULL || der == NULL)
		return st_fail(err, keys ? keys->arena : NULL, ST_BAD_ARGUMENT,
					   "key set, kid and key are required");
	if (kid[0] == '\0')
		return st_fail(err, keys->arena, ST_BAD_KEY, "key id is empty");
	if (len > 64 * 1024)
		return st_fail(err, keys->arena, ST_BAD_KEY, "public key is too large");
	pkey = d2i_PUBKEY(NULL, &p, (long) len);
	if (pkey == NULL || p != der + len)
	{
		EVP_PKEY_free(pkey);
		return st_fail(err, keys->arena, ST_BAD_KEY,
					   "key \"%s\" is not a DER SubjectPublicKeyInfo",
					   st_sanitize(keys->arena, kid));
	}
	bits = usable_rsa_bits(pkey);
	if (bits == 0)
	{
		EVP_PKEY_free(pkey);
		return st_fail(err, keys->arena, ST_BAD_KEY,
					   "key \"%s\" is not an RSA key of %d to %d bits",
					   st_sanitize(keys->arena, kid), ST_MIN_RSA_BITS,
					   ST_MAX_RSA_BITS);
	}
	return keyset_append(keys, kid, pkey, bits, err);
}

/* Adds the public half of a core key string; never reads the private half. */
StStatus
st_keyset_add_core_key(StKeySet *keys, const char *kid, const char *key_string,
					   size_t len, StError *err)
{
	size_t		pub_len;
	unsigned char *der;
	size_t		der_len;
	StStatus	status;

	if (keys == NULL || kid == NULL || key_string == NULL)
		return st_fail(err, keys ? keys->arena : NULL, ST_BAD_ARGUMENT,
					   "key set, kid and key string are required");

	/*
	 * One pass that stops at the first separator of either kind, so not a
	 * byte of the private half is read, whichever separator the row uses.
	 */
	for (pub_len = 0; pub_len < len; pub_len++)
		if (key_string[pub_len] == '|' || key_string[pub_len] == ';')
			break;

	/*
	 * Without a separator the whole string is taken as the public half, so
	 * that the caller can split in SQL (split_part) and never fetch the
	 * private half at all; a private key alone is not an SPKI and fails.
	 */

	der = st_b64std_decode(keys->arena, key_string, pub_len, &der_len);
	if (der == NULL)
		return st_fail(err, keys->arena, ST_BAD_KEY,
					   "public part of key \"%s\" is not base64",
					   st_sanitize(keys->arena, kid));
	status = st_keyset_add_spki(keys, kid, der, der_len, err);
	OPENSSL_cleanse(der, der_len);
	return status;
}

/* Wipes a buffer that held key material. */
void
st_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

/* Builds an RSA public key from JWK n and e (base64url big-endian). */
static EVP_PKEY *
rsa_from_jwk(Arena *arena, const char *n_text, const char *e_text)
{
	size_t		n_len;
	size_t		e_len;
	unsigned char *n_bytes = st_b64url_decode(arena, n_text, strlen(n_text), &n_len);
	unsigned char *e_bytes = st_b64url_decode(arena, e_text, strlen(e_text), &e_len);
	BIGNUM	   *n = NULL;
	BIGNUM	   *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY   *pkey = NULL;

	if (n_bytes == NULL || e_bytes == NULL || n_len == 0 || e_len == 0 ||
		e_len > 8 || n_len > ST_MAX_RSA_BITS / 8 + 1)
		return NULL;
	/* e must be odd and at least 3 */
	if ((e_bytes[e_len - 1] & 1) == 0 || (e_len == 1 && e_bytes[0] < 3))
		return NULL;
	n = BN_bin2bn(n_bytes, (int) n_len, NULL);
	e = BN_bin2bn(e_bytes, (int) e_len, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (n == NULL || e == NULL || bld == NULL ||
		!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto done;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
	{
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
done:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* Optional string member: NULL when absent, *bad when present but not a string. */
static const char *
jwk_string(json_t *jwk, const char *name, bool *bad)
{
	json_t	   *v = json_object_get(jwk, name);

	if (v == NULL)
		return NULL;
	if (!json_is_string(v))
	{
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

/* Adds the usable keys of a JWKS; all or nothing. */
StStatus
st_keyset_add_jwks(StKeySet *keys, const char *json, size_t len, int *added,
				   StError *err)
{
	json_t	   *root;
	json_t	   *list;
	size_t		i;
	int			start;
	StStatus	status = ST_OK;

	if (added)
		*added = 0;
	if (keys == NULL || json == NULL)
		return st_fail(err, keys ? keys->arena : NULL, ST_BAD_ARGUMENT,
					   "key set and JWKS are required");
	if (len > ST_MAX_JWKS_BYTES)
		return st_fail(err, keys->arena, ST_BAD_KEY, "JWKS is larger than %d bytes",
					   ST_MAX_JWKS_BYTES);
	root = st_parse_object(json, len, keys->arena, "JWKS", err);
	if (root == NULL)
		return st_fail(err, keys->arena, ST_BAD_KEY, "%s", err ? err->message : "bad JWKS");
	list = json_object_get(root, "keys");
	if (!json_is_array(list))
	{
		json_decref(root);
		return st_fail(err, keys->arena, ST_BAD_KEY, "JWKS has no \"keys\" array");
	}

	start = keys->count;
	for (i = 0; i < json_array_size(list) && status == ST_OK; i++)
	{
		json_t	   *jwk = json_array_get(list, i);
		bool		bad = false;
		const char *kty;
		const char *kid;
		const char *alg;
		const char *use;
		const char *n;
		const char *e;
		EVP_PKEY   *pkey;
		int			bits;

		if (!json_is_object(jwk))
		{
			status = st_fail(err, keys->arena, ST_BAD_KEY,
							 "JWKS key %zu is not an object", i);
			break;
		}
		kty = jwk_string(jwk, "kty", &bad);
		kid = jwk_string(jwk, "kid", &bad);
		alg = jwk_string(jwk, "alg", &bad);
		use = jwk_string(jwk, "use", &bad);
		n = jwk_string(jwk, "n", &bad);
		e = jwk_string(jwk, "e", &bad);
		if (bad)
		{
			status = st_fail(err, keys->arena, ST_BAD_KEY,
							 "JWKS key %zu has a member that is not a string", i);
			break;
		}
		/* keys for other algorithms or purposes are not ours to use */
		if (kty == NULL || strcmp(kty, "RSA") != 0 ||
			(alg != NULL && strcmp(alg, "RS256") != 0) ||
			(use != NULL && strcmp(use, "sig") != 0))
			continue;
		if (kid == NULL || kid[0] == '\0')
		{
			status = st_fail(err, keys->arena, ST_BAD_KEY,
							 "JWKS key %zu has no kid", i);
			break;
		}
		/* a private JWK pasted by mistake must not end up stored anywhere */
		if (json_object_get(jwk, "d") || json_object_get(jwk, "p") ||
			json_object_get(jwk, "q") || json_object_get(jwk, "dp") ||
			json_object_get(jwk, "dq") || json_object_get(jwk, "qi") ||
			json_object_get(jwk, "oth"))
		{
			status = st_fail(err, keys->arena, ST_BAD_KEY,
							 "JWKS key \"%s\" contains private key members; give the public JWKS only",
							 st_sanitize(keys->arena, kid));
			break;
		}
		if (n == NULL || e == NULL)
		{
			status = st_fail(err, keys->arena, ST_BAD_KEY,
							 "JWKS key \"%s\" lacks n or e",
							 st_sanitize(keys->arena, kid));
			break;
		}
		pkey = rsa_from_jwk(keys->arena, n, e);
		bits = pkey ? usable_rsa_bits(pkey) : 0;
		if (bits == 0)
		{
			EVP_PKEY_free(pkey);
			status = st_fail(err, keys->arena, ST_BAD_KEY,
							 "JWKS key \"%s\" is not a usable RSA key (base64url n and e, %d to %d bits)",
							 st_sanitize(keys->arena, kid), ST_MIN_RSA_BITS,
							 ST_MAX_RSA_BITS);
			break;
		}
		status = keyset_append(keys, kid, pkey, bits, err);
	}
	json_decref(root);

	if (status != ST_OK)
	{
		/* all or nothing: drop what this call added */
		while (keys->count > start)
		{
			keys->count--;
			EVP_MD_CTX_free(keys->keys[keys->count].proto);
			EVP_PKEY_free(keys->keys[keys->count].pkey);
			keys->keys[keys->count].proto = NULL;
			keys->keys[keys->count].pkey = NULL;
		}
		return status;
	}
	if (added)
		*added = keys->count - start;
	return ST_OK;
}
