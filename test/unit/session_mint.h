/*
 * session_mint.h — test helpers that mint SuperTokens-shaped tokens.
 *
 * The session tests need real RSA keys and real signatures, including the
 * ones an attacker would make (HS256 keyed with the public key, RS512,
 * PS256, tampered payloads).  These helpers generate keys with OpenSSL,
 * export them as a JWKS or as the core's "public|private" key strings, and
 * sign arbitrary header and payload text so tests can also build tokens no
 * JSON library would produce (duplicate keys).
 */
#ifndef AUTHZ_SESSION_MINT_H
#define AUTHZ_SESSION_MINT_H

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "common/arena.h"
#include "session/session.h"

/* Fixed test clock: 2023-11-14T22:13:20Z. */
#define MINT_NOW INT64_C(1700000000)

/* A fresh RSA key of the given size. */
static inline EVP_PKEY *
mint_key(int bits)
{
	return EVP_RSA_gen((unsigned int) bits);
}

/* base64url of a BIGNUM parameter of key. */
static inline char *
mint_bn_b64(Arena *a, EVP_PKEY *key, const char *param)
{
	BIGNUM	   *bn = NULL;
	unsigned char buf[1024];
	int			n;

	if (!EVP_PKEY_get_bn_param(key, param, &bn))
		return NULL;
	n = BN_bn2bin(bn, buf);
	BN_free(bn);
	return st_b64url_encode(a, buf, (size_t) n);
}

/* One JWK object (text) for key under kid. */
static inline char *
mint_jwk(Arena *a, EVP_PKEY *key, const char *kid)
{
	return arena_printf(a,
						"{\"kty\":\"RSA\",\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\",\"alg\":\"RS256\",\"use\":\"sig\"}",
						kid, mint_bn_b64(a, key, OSSL_PKEY_PARAM_RSA_N),
						mint_bn_b64(a, key, OSSL_PKEY_PARAM_RSA_E));
}

/* Standard padded base64 (for the core's key strings). */
static inline char *
mint_b64std(Arena *a, const unsigned char *data, int len)
{
	char	   *out = arena_alloc(a, (size_t) (len / 3 + 2) * 4 + 1);

	EVP_EncodeBlock((unsigned char *) out, data, len);
	return out;
}

/* The core's key string: base64(SPKI) sep base64(PKCS#8). */
static inline char *
mint_core_key_string(Arena *a, EVP_PKEY *key, char sep)
{
	unsigned char *spki = NULL;
	unsigned char *pkcs8 = NULL;
	int			spki_len = i2d_PUBKEY(key, &spki);
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
	int			p8_len = i2d_PKCS8_PRIV_KEY_INFO(p8, &pkcs8);
	char	   *s = arena_printf(a, "%s%c%s", mint_b64std(a, spki, spki_len), sep,
								 mint_b64std(a, pkcs8, p8_len));

	OPENSSL_free(spki);
	OPENSSL_free(pkcs8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return s;
}

/* PEM text of the public key (what a confused verifier uses as HMAC key). */
static inline char *
mint_public_pem(Arena *a, EVP_PKEY *key)
{
	BIO		   *bio = BIO_new(BIO_s_mem());
	char	   *data;
	long		len;
	char	   *s;

	PEM_write_bio_PUBKEY(bio, key);
	len = BIO_get_mem_data(bio, &data);
	s = arena_strndup(a, data, (size_t) len);
	BIO_free(bio);
	return s;
}

/* Signs "b64(header).b64(payload)" with md and padding (RSA) or returns
 * the unsigned input when key is NULL; appends the signature segment. */
static inline char *
mint_sign(Arena *a, EVP_PKEY *key, const EVP_MD *md, int padding,
		  const char *header, const char *payload)
{
	char	   *input = arena_printf(a, "%s.%s",
									 st_b64url_encode(a, (const unsigned char *) header, strlen(header)),
									 st_b64url_encode(a, (const unsigned char *) payload, strlen(payload)));
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char sig[1024];
	size_t		sig_len = sizeof(sig);

	if (key == NULL)
		return input;
	ctx = EVP_MD_CTX_new();
	EVP_DigestSignInit(ctx, &pctx, md, NULL, key);
	EVP_PKEY_CTX_set_rsa_padding(pctx, padding);
	if (padding == RSA_PKCS1_PSS_PADDING)
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
	EVP_DigestSign(ctx, sig, &sig_len, (unsigned char *) input, strlen(input));
	EVP_MD_CTX_free(ctx);
	return arena_printf(a, "%s.%s", input, st_b64url_encode(a, sig, sig_len));
}

/* RS256 as SuperTokens signs. */
static inline char *
mint_rs256(Arena *a, EVP_PKEY *key, const char *header, const char *payload)
{
	return mint_sign(a, key, EVP_sha256(), RSA_PKCS1_PADDING, header, payload);
}

/* HS256 with an arbitrary secret (the classic key-confusion forgery). */
static inline char *
mint_hs256(Arena *a, const char *secret, const char *header, const char *payload)
{
	char	   *input = mint_sign(a, NULL, NULL, 0, header, payload);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;

	HMAC(EVP_sha256(), secret, (int) strlen(secret), (unsigned char *) input,
		 strlen(input), mac, &mac_len);
	return arena_printf(a, "%s.%s", input, st_b64url_encode(a, mac, mac_len));
}

/* A v5 header for kid. */
static inline char *
mint_header(Arena *a, const char *kid, const char *version)
{
	return arena_printf(a, "{\"kid\":\"%s\",\"typ\":\"JWT\",\"version\":\"%s\",\"alg\":\"RS256\"}",
						kid, version);
}

/* A v5 payload as SuperTokens 12 issues it, with extra members spliced in
 * before the closing brace ("" for none). */
static inline char *
mint_payload_v5(Arena *a, long long iat, long long exp, const char *extra)
{
	return arena_printf(a,
						"{\"iat\":%lld,\"exp\":%lld,\"sub\":\"user-1\",\"tId\":\"acme\","
						"\"rsub\":\"login-1\",\"sessionHandle\":\"6a1b2c3d-0000-4000-8000-000000000001_acme\","
						"\"refreshTokenHash1\":\"9f86d081884c7d659a2feaa0c55ad015\","
						"\"parentRefreshTokenHash1\":null,\"antiCsrfToken\":null,"
						"\"iss\":\"https://api.example.com/auth\","
						"\"st-role\":{\"v\":[\"editor\",\"viewer\"],\"t\":1700000000000},"
						"\"st-perm\":{\"v\":[\"doc:read\",\"doc:write\"],\"t\":1700000000000},"
						"\"st-ev\":{\"v\":true,\"t\":1700000000000},"
						"\"department\":\"eng\"%s}",
						iat, exp, extra);
}

#endif							/* AUTHZ_SESSION_MINT_H */
