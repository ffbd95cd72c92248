/*
 * Unit tests for key sets: JWKS parsing (what is taken, skipped, refused)
 * and the SuperTokens core's "public|private" key strings, of which only
 * the public half may ever be read.
 */
#include "unit.h"
#include "session_mint.h"

static Arena *A;

/* Adds a JWKS text to a fresh key set; returns the status, *added the count. */
static StStatus
load(const char *jwks, int *added, StKeySet **out)
{
	StError		err = {0};
	StKeySet   *ks = st_keyset_create(A, 7);
	StStatus	s = st_keyset_add_jwks(ks, jwks, strlen(jwks), added, &err);

	if (s != ST_OK)
		CHECK(err.message != NULL && err.status == s);
	if (out)
		*out = ks;
	else
		st_keyset_release(ks);
	return s;
}

int
main(void)
{
	EVP_PKEY   *k1 = mint_key(2048);
	EVP_PKEY   *k2 = mint_key(3072);
	EVP_PKEY   *small = mint_key(1024);
	EVP_PKEY   *ec = EVP_EC_gen("P-256");
	StKeySet   *ks;
	StError		err;
	StVerifyOptions opts = {0};
	StVerified	v;
	int			added = -1;
	char	   *j1;
	char	   *j2;
	char	   *core;
	char	   *tok;
	const char *pl;

	A = arena_create(NULL, 0);
	CHECK(k1 && k2 && small && ec);
	j1 = mint_jwk(A, k1, "d-1");
	j2 = mint_jwk(A, k2, "s-2b3c");
	opts.now_us = MINT_NOW * 1000000;
	pl = mint_payload_v5(A, MINT_NOW, MINT_NOW + 3600, "");

	/* ---- JWKS */
	CHECK(load(arena_printf(A, "{\"keys\":[%s,%s]}", j1, j2), &added, &ks) == ST_OK);
	CHECK(added == 2);
	CHECK(st_keyset_count(ks) == 2);
	CHECK_STR(st_keyset_kid(ks, 1), "s-2b3c");
	CHECK(st_keyset_kid(ks, 2) == NULL);
	CHECK(st_keyset_kid(ks, -1) == NULL);
	tok = mint_rs256(A, k2, mint_header(A, "s-2b3c", "5"), pl);
	CHECK(st_verify(ks, tok, strlen(tok), &opts, A, &v, &err) == ST_OK);
	st_verified_clear(&v);
	/* a second call adds to the set; a kid already present is refused, all or nothing */
	{
		const char *more = arena_printf(A, "{\"keys\":[%s]}", mint_jwk(A, k1, "d-9"));

		CHECK(st_keyset_add_jwks(ks, more, strlen(more), &added, &err) == ST_OK && added == 1);
	}
	CHECK(st_keyset_count(ks) == 3);
	{
		const char *dup = arena_printf(A, "{\"keys\":[%s,%s]}", mint_jwk(A, k1, "d-10"), j1);

		CHECK(st_keyset_add_jwks(ks, dup, strlen(dup), &added, &err) == ST_BAD_KEY);
		CHECK(st_keyset_count(ks) == 3);	/* d-10 was rolled back */
		CHECK(strstr(err.message, "appears twice") != NULL);
	}
	st_keyset_release(ks);
	CHECK(st_keyset_count(ks) == 0);

	/* skipped: other kty, other alg, other use; taken: no alg/use given */
	CHECK(load(arena_printf(A, "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"e1\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"},"
							"{\"kty\":\"RSA\",\"kid\":\"r512\",\"alg\":\"RS512\",\"n\":\"AA\",\"e\":\"AQAB\"},"
							"{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\",\"n\":\"AA\",\"e\":\"AQAB\"},"
							"{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"},"
							"{\"kty\":\"RSA\",\"kid\":\"plain\",\"n\":\"%s\",\"e\":\"AQAB\"}]}",
							mint_bn_b64(A, k1, OSSL_PKEY_PARAM_RSA_N)), &added, NULL) == ST_OK);
	CHECK(added == 1);
	CHECK(load("{\"keys\":[]}", &added, NULL) == ST_OK && added == 0);

	/* refused */
	CHECK(load("", &added, NULL) == ST_BAD_KEY);
	CHECK(load("[]", &added, NULL) == ST_BAD_KEY);
	CHECK(load("{\"keys\":{}}", &added, NULL) == ST_BAD_KEY);
	CHECK(load("{\"keys\":[1]}", &added, NULL) == ST_BAD_KEY);
	CHECK(load("{\"keys\":[],\"keys\":[]}", &added, NULL) == ST_BAD_KEY);
	CHECK(load("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", &added, NULL) == ST_BAD_KEY);
	CHECK(load("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"x\",\"e\":\"AQAB\"}]}", &added, NULL) == ST_BAD_KEY);
	CHECK(load("{\"keys\":[{\"kty\":\"RSA\",\"kid\":7,\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", &added, NULL) == ST_BAD_KEY);
	CHECK(load(arena_printf(A, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"x\",\"n\":\"%s=\",\"e\":\"AQAB\"}]}",
							mint_bn_b64(A, k1, OSSL_PKEY_PARAM_RSA_N)), &added, NULL) == ST_BAD_KEY);
	CHECK(load(arena_printf(A, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"x\",\"n\":\"%s\",\"e\":\"AAAA\"}]}",
							mint_bn_b64(A, k1, OSSL_PKEY_PARAM_RSA_N)), &added, NULL) == ST_BAD_KEY);
	CHECK(load(arena_printf(A, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"x\",\"n\":\"%s\",\"e\":\"AQ\"}]}",
							mint_bn_b64(A, k1, OSSL_PKEY_PARAM_RSA_N)), &added, NULL) == ST_BAD_KEY);
	CHECK(load(arena_printf(A, "{\"keys\":[%s]}", mint_jwk(A, small, "small")), &added, NULL) == ST_BAD_KEY);
	{
		char	   *priv = mint_jwk(A, k1, "with-d");

		priv[strlen(priv) - 1] = '\0';
		CHECK(load(arena_printf(A, "{\"keys\":[%s,\"d\":\"AQAB\"}]}", priv), &added, NULL) == ST_BAD_KEY);
	}
	CHECK(load(arena_printf(A, "{\"keys\":[%s,%s]}", j1, mint_jwk(A, small, "small")), &added, &ks) == ST_BAD_KEY);
	CHECK(st_keyset_count(ks) == 0);	/* the good key before it was dropped too */
	st_keyset_release(ks);

	/* ---- the core's key strings */
	ks = st_keyset_create(A, 8);
	core = mint_core_key_string(A, k1, '|');
	CHECK(strchr(core, '|') != NULL);
	CHECK(st_keyset_add_core_key(ks, "d-1700000000000", core, strlen(core), &err) == ST_OK);
	core = mint_core_key_string(A, k2, ';');
	CHECK(st_keyset_add_core_key(ks, "s-static", core, strlen(core), &err) == ST_OK);
	CHECK(st_keyset_count(ks) == 2);
	tok = mint_rs256(A, k1, mint_header(A, "d-1700000000000", "5"), pl);
	CHECK(st_verify(ks, tok, strlen(tok), &opts, A, &v, &err) == ST_OK);
	st_verified_clear(&v);
	tok = mint_rs256(A, k2, mint_header(A, "s-static", "5"), pl);
	CHECK(st_verify(ks, tok, strlen(tok), &opts, A, &v, &err) == ST_OK);
	st_verified_clear(&v);

	/*
	 * Only the part before the separator is read: the length passed covers
	 * just "public|" here, and a buffer whose private half is unreadable
	 * garbage (or absent) works the same.
	 */
	{
		char	   *pub = mint_core_key_string(A, k2, '|');
		size_t		pub_len = (size_t) (strchr(pub, '|') - pub) + 1;
		StKeySet   *ks2 = st_keyset_create(A, 9);

		CHECK(st_keyset_add_core_key(ks2, "a", pub, pub_len, &err) == ST_OK);
		memset(strchr(pub, '|') + 1, 0xff, strlen(strchr(pub, '|') + 1));
		CHECK(st_keyset_add_core_key(ks2, "b", pub, strlen(pub), &err) == ST_OK);
		/* private key first: not a SubjectPublicKeyInfo, refused */
		pub = mint_core_key_string(A, k2, '|');
		{
			char	   *bar = strchr(pub, '|');
			char	   *swapped = arena_printf(A, "%s|%.*s", bar + 1, (int) (bar - pub), pub);

			CHECK(st_keyset_add_core_key(ks2, "c", swapped, strlen(swapped), &err) == ST_BAD_KEY);
			/* the message does not quote any of the key material */
			CHECK(strstr(err.message, "MII") == NULL);
			CHECK(strstr(err.message, bar + 1 + 20) == NULL);
		}
		CHECK(st_keyset_add_core_key(ks2, "d", "no-separator", 12, &err) == ST_BAD_KEY);
		/* the public half alone (split off in SQL) is enough */
		{
			char	   *full = mint_core_key_string(A, k1, ';');
			size_t		half = (size_t) (strchr(full, ';') - full);

			CHECK(st_keyset_add_core_key(ks2, "pub-only", full, half, &err) == ST_OK);
			/* the private half alone is not a public key */
			CHECK(st_keyset_add_core_key(ks2, "priv-only", full + half + 1, strlen(full + half + 1), &err) == ST_BAD_KEY);
		}
		CHECK(st_keyset_add_core_key(ks2, "e", "!!!!|x", 6, &err) == ST_BAD_KEY);
		CHECK(st_keyset_add_core_key(ks2, "a", pub, strlen(pub), &err) == ST_BAD_KEY);	/* kid taken */
		CHECK(st_keyset_add_core_key(ks2, "", pub, strlen(pub), &err) == ST_BAD_KEY);
		core = mint_core_key_string(A, small, '|');
		CHECK(st_keyset_add_core_key(ks2, "f", core, strlen(core), &err) == ST_BAD_KEY);
		{
			unsigned char *der = NULL;
			int			n = i2d_PUBKEY(ec, &der);
			char	   *ec_string = arena_printf(A, "%s|", mint_b64std(A, der, n));

			OPENSSL_free(der);
			CHECK(st_keyset_add_core_key(ks2, "g", ec_string, strlen(ec_string), &err) == ST_BAD_KEY);
			CHECK(strstr(err.message, "not an RSA key") != NULL);
		}
		CHECK(st_keyset_count(ks2) == 3);
		/* the caller wipes its copy of a key string */
		pub = mint_core_key_string(A, k2, '|');
		{
			size_t		n = strlen(pub);
			size_t		i;
			bool		zero = true;

			st_wipe(pub, n);
			for (i = 0; i < n; i++)
				zero &= pub[i] == 0;
			CHECK(zero);
			st_wipe(NULL, 5);
		}
		st_keyset_release(ks2);
	}
	st_keyset_release(ks);

	CHECK(st_keyset_add_jwks(NULL, "{}", 2, &added, &err) == ST_BAD_ARGUMENT);
	CHECK(st_keyset_create(NULL, 1) == NULL);

	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(small);
	EVP_PKEY_free(ec);
	arena_destroy(A);
	UNIT_DONE("session_keys");
}
