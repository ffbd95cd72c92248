/*
 * Unit tests for SuperTokens access-token verification: the accepted
 * layouts (v5, v4, v3) and every way a token must be refused, each with
 * its own status and a message that does not contain the token.
 */
#include "unit.h"
#include "session_mint.h"

static Arena *A;
static StKeySet *KEYS;
static EVP_PKEY *K1;
static StVerifyOptions OPTS;

/* Verifies token with the global keys and options; returns the status and
 * checks that a refusal's message is present and free of token text. */
static StStatus
verify_with(const StKeySet *keys, const StVerifyOptions *opts, const char *token,
			StVerified *out)
{
	StError		err = {0};
	StVerified	local;
	StStatus	s = st_verify(keys, token, strlen(token), opts, A, out ? out : &local, &err);

	if (s != ST_OK)
	{
		const char *dot = strchr(token, '.');
		char		head[24];

		CHECK(err.status == s && err.message != NULL);
		/* no 16-character run of the token appears in the message */
		if (err.message && dot && strlen(dot + 1) >= 16)
		{
			snprintf(head, sizeof(head), "%.16s", dot + 1);
			CHECK(strstr(err.message, head) == NULL);
		}
		if (err.message && strlen(token) >= 16)
		{
			snprintf(head, sizeof(head), "%.16s", token);
			CHECK(strstr(err.message, head) == NULL);
		}
	}
	if (out == NULL)
		st_verified_clear(&local);
	return s;
}

/* verify_with the global key set and options. */
static StStatus
verify(const char *token)
{
	return verify_with(KEYS, &OPTS, token, NULL);
}

/* A v5 token signed by K1 with the given header version and extra claims. */
static char *
v5(const char *extra)
{
	return mint_rs256(A, K1, mint_header(A, "d-1700000000000", "5"),
					  mint_payload_v5(A, MINT_NOW - 10, MINT_NOW + 3600, extra));
}

/* A token signed by K1 with free header and payload text. */
static char *
signed_raw(const char *header, const char *payload)
{
	return mint_rs256(A, K1, header, payload);
}

/* Replaces the first occurrence of from with to (test tampering). */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);

	if (p == NULL)
		return arena_strdup(A, s);
	return arena_printf(A, "%.*s%s%s", (int) (p - s), s, to, p + strlen(from));
}

int
main(void)
{
	const char *hdr;
	const char *pl;
	char	   *tok;
	StVerified	v;
	StError		err;
	EVP_PKEY   *k2;
	EVP_PKEY   *other;
	StKeySet   *both;
	StKeySet   *rotated;
	StVerifyOptions o;
	char	   *jwks1;
	char	   *jwks_both;
	int			added;

	A = arena_create(NULL, 0);
	K1 = mint_key(2048);
	k2 = mint_key(2048);
	other = mint_key(2048);
	CHECK(K1 != NULL && k2 != NULL && other != NULL);
	jwks1 = arena_printf(A, "{\"keys\":[%s]}", mint_jwk(A, K1, "d-1700000000000"));
	jwks_both = arena_printf(A, "{\"keys\":[%s,%s]}", mint_jwk(A, k2, "d-1700600000000"),
							 mint_jwk(A, K1, "d-1700000000000"));
	KEYS = st_keyset_create(A, 1);
	CHECK(st_keyset_add_jwks(KEYS, jwks1, strlen(jwks1), &added, &err) == ST_OK);
	CHECK(added == 1);
	OPTS.now_us = MINT_NOW * 1000000 + 250000;
	OPTS.leeway_s = 0;

	/* ---- accepted: v5 as SuperTokens issues it */
	tok = v5("");
	CHECK(verify_with(KEYS, &OPTS, tok, &v) == ST_OK);
	CHECK(v.version == 5);
	CHECK_STR(v.kid, "d-1700000000000");
	CHECK_STR(v.sub, "user-1");
	CHECK_STR(v.tenant_id, "acme");
	CHECK_STR(v.recipe_user_id, "login-1");
	CHECK_STR(v.session_handle, "6a1b2c3d-0000-4000-8000-000000000001_acme");
	CHECK(v.exp_s == MINT_NOW + 3600);
	CHECK(v.iat_s == MINT_NOW - 10);
	CHECK(v.claims != NULL);
	CHECK_STR(st_verified_log_label(&v, A),
			  "kid=d-1700000000000 sub=user-1 session=6a1b2c3d...");
	st_verified_clear(&v);
	CHECK(v.claims == NULL);
	st_verified_clear(&v);		/* twice is harmless */

	/* v4: no rsub, recipe user = sub */
	tok = signed_raw(mint_header(A, "d-1700000000000", "4"),
					 "{\"iat\":1699999990,\"exp\":1700003600,\"sub\":\"u4\",\"tId\":\"public\","
					 "\"sessionHandle\":\"h4\",\"refreshTokenHash1\":\"r\",\"parentRefreshTokenHash1\":null,"
					 "\"antiCsrfToken\":null}");
	CHECK(verify_with(KEYS, &OPTS, tok, &v) == ST_OK);
	CHECK(v.version == 4);
	CHECK_STR(v.recipe_user_id, "u4");
	CHECK_STR(v.tenant_id, "public");
	st_verified_clear(&v);

	/* v3: no tId, tenant public (a stray tId is not trusted) */
	tok = signed_raw(mint_header(A, "d-1700000000000", "3"),
					 "{\"iat\":1699999990,\"exp\":1700003600,\"sub\":\"u3\","
					 "\"sessionHandle\":\"h3\",\"refreshTokenHash1\":\"r\",\"antiCsrfToken\":\"x\"}");
	CHECK(verify_with(KEYS, &OPTS, tok, &v) == ST_OK);
	CHECK(v.version == 3);
	CHECK_STR(v.tenant_id, "public");
	st_verified_clear(&v);

	/* header member order and jwk/jku/x5u/x5c do not matter: they are ignored */
	tok = signed_raw("{\"alg\":\"RS256\",\"version\":\"5\",\"typ\":\"JWT\",\"kid\":\"d-1700000000000\","
					 "\"jku\":\"https://evil.example/jwks\",\"x5u\":\"https://evil.example/c\",\"x5c\":[\"AAAA\"]}",
					 mint_payload_v5(A, MINT_NOW, MINT_NOW + 60, ""));
	CHECK(verify(tok) == ST_OK);

	/* ---- version rules */
	pl = mint_payload_v5(A, MINT_NOW, MINT_NOW + 60, "");
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"alg\":\"RS256\"}", pl)) == ST_UNSUPPORTED_VERSION);
	CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "2"), pl)) == ST_UNSUPPORTED_VERSION);
	CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "1"), pl)) == ST_UNSUPPORTED_VERSION);
	CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "6"), pl)) == ST_UNSUPPORTED_VERSION);
	CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "5abc"), pl)) == ST_UNSUPPORTED_VERSION);
	CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "05"), pl)) == ST_UNSUPPORTED_VERSION);
	CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", ""), pl)) == ST_UNSUPPORTED_VERSION);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":5,\"alg\":\"RS256\"}", pl)) == ST_UNSUPPORTED_VERSION);
	/* legacy v2 header exactly as node recognises it */
	CHECK(verify(signed_raw("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"version\":\"2\"}", pl)) == ST_UNSUPPORTED_VERSION);

	/* ---- typ, kid, crit */
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"version\":\"5\",\"alg\":\"RS256\"}", pl)) == ST_BAD_TYPE);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"jwt\",\"version\":\"5\",\"alg\":\"RS256\"}", pl)) == ST_BAD_TYPE);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"at+jwt\",\"version\":\"5\",\"alg\":\"RS256\"}", pl)) == ST_BAD_TYPE);
	CHECK(verify(signed_raw("{\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\"}", pl)) == ST_MISSING_KID);
	CHECK(verify(signed_raw("{\"kid\":17,\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\"}", pl)) == ST_MISSING_KID);
	CHECK(verify(signed_raw("{\"kid\":\"\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\"}", pl)) == ST_MISSING_KID);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\",\"crit\":[\"exp\"]}", pl)) == ST_UNSUPPORTED_CRIT);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\",\"crit\":[\"b64\"],\"b64\":false}", pl)) == ST_UNSUPPORTED_CRIT);

	/* ---- algorithms */
	hdr = mint_header(A, "d-1700000000000", "5");
	CHECK(verify(mint_sign(A, NULL, NULL, 0, "{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"none\"}", pl)) == ST_MALFORMED);
	CHECK(verify(arena_printf(A, "%s.AAAA", mint_sign(A, NULL, NULL, 0, "{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"none\"}", pl))) == ST_WRONG_ALGORITHM);
	CHECK(verify(mint_hs256(A, mint_public_pem(A, K1), "{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"HS256\"}", pl)) == ST_WRONG_ALGORITHM);
	CHECK(verify(mint_hs256(A, jwks1, "{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"HS256\"}", pl)) == ST_WRONG_ALGORITHM);
	/* the same HMAC forgery but with the header claiming RS256 is just a bad signature */
	CHECK(verify(mint_hs256(A, mint_public_pem(A, K1), hdr, pl)) == ST_BAD_SIGNATURE);
	CHECK(verify(mint_sign(A, K1, EVP_sha512(), RSA_PKCS1_PADDING, "{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS512\"}", pl)) == ST_WRONG_ALGORITHM);
	CHECK(verify(mint_sign(A, K1, EVP_sha256(), RSA_PKCS1_PSS_PADDING, "{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"PS256\"}", pl)) == ST_WRONG_ALGORITHM);
	/* a PS256 signature presented as RS256 does not verify either */
	CHECK(verify(mint_sign(A, K1, EVP_sha256(), RSA_PKCS1_PSS_PADDING, hdr, pl)) == ST_BAD_SIGNATURE);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"rs256\"}", pl)) == ST_WRONG_ALGORITHM);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256 \"}", pl)) == ST_WRONG_ALGORITHM);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\\u0000\"}", pl)) == ST_BAD_JSON);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\"}", pl)) == ST_WRONG_ALGORITHM);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":[\"RS256\"]}", pl)) == ST_WRONG_ALGORITHM);

	/* ---- keys: unknown kid, embedded jwk ignored, wrong key */
	CHECK(verify(mint_rs256(A, K1, mint_header(A, "d-999", "5"), pl)) == ST_UNKNOWN_KID);
	CHECK(verify(mint_rs256(A, other, arena_printf(A,
												   "{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\",\"jwk\":%s}",
												   mint_jwk(A, other, "d-1700000000000")), pl)) == ST_BAD_SIGNATURE);
	CHECK(verify(mint_rs256(A, other, hdr, pl)) == ST_BAD_SIGNATURE);
	/* tampered payload (signature of the original) */
	tok = v5("");
	{
		char	   *dot1 = strchr(tok, '.');
		char	   *dot2 = strchr(dot1 + 1, '.');
		const char *forged = replace(mint_payload_v5(A, MINT_NOW - 10, MINT_NOW + 3600, ""),
									  "\"user-1\"", "\"admin-0\"");
		char	   *forged_pl = st_b64url_encode(A, (const unsigned char *) forged, strlen(forged));

		CHECK(verify(arena_printf(A, "%.*s.%s%s", (int) (dot1 - tok), tok, forged_pl, dot2)) == ST_BAD_SIGNATURE);
		/* truncated and extended signatures */
		{
			size_t		sl;
			unsigned char *sig = st_b64url_decode(A, dot2 + 1, strlen(dot2 + 1), &sl);

			CHECK(sig != NULL && sl == 256);
			CHECK(verify(arena_printf(A, "%.*s.%s", (int) (dot2 - tok), tok,
									  st_b64url_encode(A, sig, sl - 3))) == ST_BAD_SIGNATURE);
			sig[10] ^= 1;
			CHECK(verify(arena_printf(A, "%.*s.%s", (int) (dot2 - tok), tok,
									  st_b64url_encode(A, sig, sl))) == ST_BAD_SIGNATURE);
		}
		CHECK(verify(arena_printf(A, "%sAAAA", tok)) == ST_BAD_SIGNATURE);
	}
	/* a kid of unprintable junk is not echoed */
	{
		StError		e2;

		tok = mint_rs256(A, K1, "{\"kid\":\"\\u001b[31mx\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\"}", pl);
		CHECK(st_verify(KEYS, tok, strlen(tok), &OPTS, A, &v, &e2) == ST_UNKNOWN_KID);
		CHECK_STR(e2.message, "unknown key id \"(unprintable)\"");
	}

	/* ---- duplicates */
	CHECK(verify(v5(",\"sub\":\"admin\"")) == ST_DUPLICATE_KEY);
	CHECK(verify(v5(",\"exp\":99999999999")) == ST_DUPLICATE_KEY);
	CHECK(verify(signed_raw("{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"none\",\"alg\":\"RS256\"}", pl)) == ST_DUPLICATE_KEY);
	CHECK(verify(v5(",\"st-role\":{\"v\":[\"admin\"],\"t\":1}")) == ST_DUPLICATE_KEY);
	CHECK(verify(v5(",\"org\":{\"id\":1,\"id\":2}")) == ST_DUPLICATE_KEY);

	/* ---- base64 and segments */
	tok = v5("");
	{
		char	   *dot1 = strchr(tok, '.');
		char	   *dot2 = strchr(dot1 + 1, '.');
		int			hl = (int) (dot1 - tok);
		int			pl_len = (int) (dot2 - dot1 - 1);

		CHECK(verify(tok) == ST_OK);
		CHECK(verify(arena_printf(A, "%.*s=%s", hl, tok, dot1)) == ST_BAD_BASE64);
		CHECK(verify(arena_printf(A, "%.*s==%s", (int) (dot2 - tok), tok, dot2)) == ST_BAD_BASE64);
		CHECK(verify(arena_printf(A, "%s=", tok)) == ST_BAD_BASE64);
		CHECK(verify(arena_printf(A, "%s==", tok)) == ST_BAD_BASE64);
		CHECK(verify(arena_printf(A, "%.*s.%.*s", (int) (dot2 - tok), tok, (int) strlen(dot2 + 1), dot2 + 1)) == ST_OK);
		/* standard alphabet instead of url-safe */
		{
			char	   *std = arena_strdup(A, tok);
			char	   *p;
			bool		changed = false;

			for (p = std; *p; p++)
				if (*p == '-' || *p == '_')
				{
					*p = *p == '-' ? '+' : '/';
					changed = true;
				}
			CHECK(changed);
			CHECK(verify(std) == ST_BAD_BASE64);
		}
		/* whitespace inside a segment */
		CHECK(verify(arena_printf(A, "%.*s %s", hl, tok, dot1)) == ST_BAD_BASE64);
		CHECK(verify(arena_printf(A, " %s", tok)) == ST_BAD_BASE64);
		CHECK(verify(arena_printf(A, "%s\n", tok)) == ST_BAD_BASE64);
		/* 2 and 4 segments, empty segments */
		CHECK(verify(arena_printf(A, "%.*s", (int) (dot2 - tok), tok)) == ST_MALFORMED);
		CHECK(verify(arena_printf(A, "%s.%s", tok, dot2 + 1)) == ST_MALFORMED);
		CHECK(verify(arena_printf(A, "%s.", tok)) == ST_MALFORMED);
		CHECK(verify(arena_printf(A, ".%s", tok)) == ST_MALFORMED);
		CHECK(verify(arena_printf(A, "%.*s..%s", hl, tok, dot2 + 1)) == ST_MALFORMED);
		CHECK(verify("") == ST_MALFORMED);
		CHECK(verify("..") == ST_MALFORMED);
		CHECK(verify("abc") == ST_MALFORMED);
		(void) pl_len;
	}
	/* non-canonical trailing bits and the alphabets */
	{
		size_t		n;

		CHECK(st_b64url_decode(A, "QQ", 2, &n) != NULL && n == 1);
		CHECK(st_b64url_decode(A, "QR", 2, &n) == NULL);
		CHECK(st_b64url_decode(A, "QUI", 3, &n) != NULL && n == 2);
		CHECK(st_b64url_decode(A, "QUJ", 3, &n) == NULL);
		CHECK(st_b64url_decode(A, "Q", 1, &n) == NULL);
		CHECK(st_b64url_decode(A, "QQ==", 4, &n) == NULL);
		CHECK(st_b64url_decode(A, "+/8", 3, &n) == NULL);
		CHECK(st_b64url_decode(A, "-_8", 3, &n) != NULL && n == 2);
		CHECK(st_b64std_decode(A, "QQ==", 4, &n) != NULL && n == 1);
		CHECK(st_b64std_decode(A, "QQ", 2, &n) == NULL);
		CHECK(st_b64std_decode(A, "Q===", 4, &n) == NULL);
		CHECK(st_b64std_decode(A, "QQ=A", 4, &n) == NULL);
	}
	/* header that is not JSON / not an object */
	CHECK(verify(signed_raw("not json", pl)) == ST_BAD_JSON);
	CHECK(verify(signed_raw("[\"RS256\"]", pl)) == ST_BAD_JSON);
	CHECK(verify(signed_raw("{\"alg\":\"RS256\"} x", pl)) == ST_BAD_JSON);
	/* payload that is not JSON (signed, so it is only looked at after the signature) */
	CHECK(verify(signed_raw(hdr, "{\"sub\":")) == ST_BAD_JSON);
	CHECK(verify(signed_raw(hdr, "42")) == ST_BAD_JSON);
	CHECK(verify(mint_rs256(A, other, hdr, "{\"sub\":")) == ST_BAD_SIGNATURE);

	/* ---- size */
	o = OPTS;
	o.max_token_bytes = 200;
	CHECK(verify_with(KEYS, &o, v5(""), NULL) == ST_OVERSIZED);
	{
		char	   *big = arena_alloc(A, 20000);

		memset(big, 'A', 19999);
		big[19999] = '\0';
		CHECK(verify(big) == ST_OVERSIZED);
		CHECK(verify(v5(arena_printf(A, ",\"blob\":\"%.14000s\"", big))) == ST_OVERSIZED);
		o.max_token_bytes = 100000;
		CHECK(verify_with(KEYS, &o, v5(arena_printf(A, ",\"blob\":\"%.14000s\"", big)), NULL) == ST_OK);
	}

	/* ---- time */
	tok = mint_rs256(A, K1, hdr, mint_payload_v5(A, MINT_NOW - 3600, MINT_NOW - 10, ""));
	CHECK(verify(tok) == ST_EXPIRED);
	o = OPTS;
	o.leeway_s = 30;
	CHECK(verify_with(KEYS, &o, tok, NULL) == ST_OK);
	o.leeway_s = 10;
	CHECK(verify_with(KEYS, &o, tok, NULL) == ST_EXPIRED);	/* now = exp + 10.25 s */
	o.leeway_s = 11;
	CHECK(verify_with(KEYS, &o, tok, NULL) == ST_OK);
	/* exactly at exp is expired */
	tok = mint_rs256(A, K1, hdr, mint_payload_v5(A, MINT_NOW - 3600, MINT_NOW, ""));
	o = OPTS;
	o.now_us = MINT_NOW * 1000000;
	CHECK(verify_with(KEYS, &o, tok, NULL) == ST_EXPIRED);
	o.now_us = MINT_NOW * 1000000 - 1;
	CHECK(verify_with(KEYS, &o, tok, NULL) == ST_OK);
	{
		StError		e2;

		o.now_us = (MINT_NOW + 125) * 1000000;
		CHECK(st_verify(KEYS, tok, strlen(tok), &o, A, &v, &e2) == ST_EXPIRED);
		CHECK_STR(e2.message, "token expired 125 s ago");
		CHECK_STR(st_status_name(e2.status), "expired");
		CHECK(st_status_is_token_failure(e2.status));
	}
	/* the cache's rule is the verifier's rule */
	CHECK(st_expired(MINT_NOW, MINT_NOW * 1000000, 0));
	CHECK(!st_expired(MINT_NOW, MINT_NOW * 1000000 - 1, 0));
	CHECK(!st_expired(MINT_NOW, (MINT_NOW + 4) * 1000000, 5));
	CHECK(st_expired(MINT_NOW, (MINT_NOW + 5) * 1000000, 5));
	/* issued in the future */
	tok = mint_rs256(A, K1, hdr, mint_payload_v5(A, MINT_NOW + 60, MINT_NOW + 3600, ""));
	CHECK(verify(tok) == ST_NOT_YET_VALID);
	o = OPTS;
	o.leeway_s = 120;
	CHECK(verify_with(KEYS, &o, tok, NULL) == ST_OK);
	CHECK(verify(v5(",\"nbf\":1700000100")) == ST_NOT_YET_VALID);
	CHECK(verify(v5(",\"nbf\":1699999000")) == ST_OK);
	/* fractional seconds are allowed (jose and node take any number) */
	CHECK(verify(signed_raw(hdr, replace(pl, "\"exp\":1700000060", "\"exp\":1700000060.5"))) == ST_OK);
	o = OPTS;
	o.leeway_s = -1;
	CHECK(verify_with(KEYS, &o, v5(""), NULL) == ST_BAD_ARGUMENT);

	/* ---- claims */
	CHECK(verify(signed_raw(hdr, replace(pl, "\"exp\":1700000060,", ""))) == ST_MISSING_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"exp\":1700000060", "\"exp\":\"1700000060\""))) == ST_INVALID_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"exp\":1700000060", "\"exp\":null"))) == ST_MISSING_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"exp\":1700000060", "\"exp\":1e300"))) == ST_INVALID_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"iat\":1700000000,", ""))) == ST_MISSING_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"sub\":\"user-1\",", ""))) == ST_MISSING_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"sub\":\"user-1\"", "\"sub\":7"))) == ST_INVALID_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"sub\":\"user-1\"", "\"sub\":\"\""))) == ST_INVALID_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"sub\":\"user-1\"", "\"sub\":\"a\\u0000b\""))) == ST_BAD_JSON);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"tId\":\"acme\",", ""))) == ST_MISSING_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"rsub\":\"login-1\",", ""))) == ST_MISSING_CLAIM);
	CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "4"), replace(pl, "\"tId\":\"acme\",", ""))) == ST_MISSING_CLAIM);
	CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "4"), replace(pl, "\"rsub\":\"login-1\",", ""))) == ST_OK);
	CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "3"), replace(pl, "\"tId\":\"acme\",", ""))) == ST_OK);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"sessionHandle\"", "\"sessionhandle\""))) == ST_MISSING_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"refreshTokenHash1\"", "\"refreshTokenHash\""))) == ST_MISSING_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"antiCsrfToken\":null", "\"antiCsrfToken\":1"))) == ST_INVALID_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"iss\":\"https://api.example.com/auth\"", "\"iss\":[]"))) == ST_INVALID_CLAIM);
	CHECK(verify(v5(",\"stt\":0")) == ST_OK);
	CHECK(verify(v5(",\"stt\":1")) == ST_WRONG_TOKEN_TYPE);
	CHECK(verify(v5(",\"stt\":\"0\"")) == ST_WRONG_TOKEN_TYPE);
	CHECK(verify(v5(",\"stt\":null")) == ST_WRONG_TOKEN_TYPE);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"v\":[\"editor\",\"viewer\"]", "\"v\":\"editor\""))) == ST_INVALID_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"v\":[\"editor\",\"viewer\"]", "\"v\":[\"editor\",1]"))) == ST_INVALID_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"v\":[\"editor\",\"viewer\"]", "\"v\":null"))) == ST_OK);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"st-ev\":{\"v\":true,", "\"st-ev\":{\"v\":\"yes\","))) == ST_INVALID_CLAIM);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"st-ev\":{\"v\":true,\"t\":1700000000000}", "\"st-ev\":true"))) == ST_INVALID_CLAIM);

	/* ---- issuer, when configured */
	o = OPTS;
	o.issuer = "https://api.example.com/auth";
	CHECK(verify_with(KEYS, &o, v5(""), NULL) == ST_OK);
	o.issuer = "https://api.example.com/aut";
	CHECK(verify_with(KEYS, &o, v5(""), NULL) == ST_WRONG_ISSUER);
	o.issuer = "https://api.example.com/auth/";
	CHECK(verify_with(KEYS, &o, v5(""), NULL) == ST_WRONG_ISSUER);
	CHECK(verify_with(KEYS, &o, signed_raw(hdr, replace(pl, "\"iss\":\"https://api.example.com/auth\",", "")), NULL) == ST_WRONG_ISSUER);
	CHECK(verify(signed_raw(hdr, replace(pl, "\"iss\":\"https://api.example.com/auth\",", ""))) == ST_OK);

	/* ---- rotation: two keys, then the old one removed */
	both = st_keyset_create(A, 2);
	CHECK(st_keyset_add_jwks(both, jwks_both, strlen(jwks_both), &added, &err) == ST_OK);
	CHECK(added == 2);
	CHECK(st_keyset_generation(both) == 2);
	CHECK_STR(st_keyset_kid(both, 0), "d-1700600000000");
	tok = v5("");
	{
		char	   *tok2 = mint_rs256(A, k2, mint_header(A, "d-1700600000000", "5"), pl);

		CHECK(verify_with(both, &OPTS, tok, NULL) == ST_OK);
		CHECK(verify_with(both, &OPTS, tok2, NULL) == ST_OK);
		/* a token naming key 2 but signed by key 1: never "try every key" */
		CHECK(verify_with(both, &OPTS, mint_rs256(A, K1, mint_header(A, "d-1700600000000", "5"), pl), NULL) == ST_BAD_SIGNATURE);
		rotated = st_keyset_create(A, 3);
		CHECK(st_keyset_add_jwks(rotated, arena_printf(A, "{\"keys\":[%s]}", mint_jwk(A, k2, "d-1700600000000")),
								 strlen(arena_printf(A, "{\"keys\":[%s]}", mint_jwk(A, k2, "d-1700600000000"))),
								 &added, &err) == ST_OK);
		CHECK(verify_with(rotated, &OPTS, tok, NULL) == ST_UNKNOWN_KID);
		CHECK(verify_with(rotated, &OPTS, tok2, NULL) == ST_OK);
		st_keyset_release(rotated);
		/* a released key set verifies nothing */
		CHECK(verify_with(rotated, &OPTS, tok2, NULL) == ST_UNKNOWN_KID);
	}
	st_keyset_release(both);

	/* ---- the header memo never stands in for the key or the signature */
	{
		int			k;
		char	   *good = v5("");

		CHECK(verify(good) == ST_OK);	/* header now remembered */
		CHECK(verify(good) == ST_OK);
		CHECK(verify(mint_rs256(A, other, hdr, pl)) == ST_BAD_SIGNATURE);
		/* same header against a key set without that kid */
		rotated = st_keyset_create(A, 4);
		CHECK(verify_with(rotated, &OPTS, good, NULL) == ST_UNKNOWN_KID);
		CHECK(verify_with(rotated, &OPTS, good, NULL) == ST_UNKNOWN_KID);
		/* more distinct headers than memo slots: all still judged right */
		for (k = 0; k < 20; k++)
		{
			const char *h = arena_printf(A, "{\"kid\":\"d-1700000000000\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\",\"n\":%d}", k);

			CHECK(verify(mint_rs256(A, K1, h, pl)) == ST_OK);
			CHECK(verify(mint_rs256(A, other, h, pl)) == ST_BAD_SIGNATURE);
		}
		CHECK(verify(good) == ST_OK);
		CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "6"), pl)) == ST_UNSUPPORTED_VERSION);
		CHECK(verify(signed_raw(mint_header(A, "d-1700000000000", "6"), pl)) == ST_UNSUPPORTED_VERSION);
	}

	/* ---- arguments */
	CHECK(st_verify(NULL, "a.b.c", 5, &OPTS, A, &v, &err) == ST_BAD_ARGUMENT);
	CHECK(st_verify(KEYS, "a.b.c", 5, NULL, A, &v, &err) == ST_BAD_ARGUMENT);
	CHECK(st_verify(KEYS, "a.b.c", 5, &OPTS, NULL, &v, &err) == ST_BAD_ARGUMENT);
	CHECK(!st_status_is_token_failure(ST_BAD_KEY));
	CHECK_STR(st_status_name(ST_UNKNOWN_KID), "unknown_kid");
	CHECK_STR(st_status_name((StStatus) 999), "unknown");

	st_keyset_release(KEYS);
	EVP_PKEY_free(K1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(other);
	arena_destroy(A);
	UNIT_DONE("session_verify");
}
