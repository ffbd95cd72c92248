/*
 * mint_tool.c — the C side of test/session/cross_check.sh.
 *
 *   mint_tool mint DIR          generates an RSA-2048 key, writes DIR/jwks.json
 *                               and DIR/tokens.tsv (name, what our verifier
 *                               answers, token), minted at the real clock in
 *                               the SuperTokens layouts and as forgeries
 *   mint_tool verify JWKS TSV   verifies each token of a name<TAB>token file
 *                               at the real clock and prints name<TAB>status
 *
 * The cross-check hands the first file to supertokens-node's own
 * verification and the second to tokens minted by jose, so each side judges
 * the other's tokens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "session_mint.h"

/* Unix time in microseconds. */
static int64_t
clock_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t) tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Reads a whole file into the arena. */
static char *
slurp(Arena *a, const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = arena_alloc(a, (size_t) n + 1);
	if (fread(buf, 1, (size_t) n, f) != (size_t) n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return buf;
}

/* Verifies one token at the real clock with our verifier. */
static const char *
our_verdict(Arena *a, StKeySet *keys, const char *token)
{
	StVerifyOptions o = {.now_us = clock_us()};
	StVerified	v;
	StStatus	s = st_verify(keys, token, strlen(token), &o, a, &v, NULL);

	st_verified_clear(&v);
	return st_status_name(s);
}

/* Writes one token line, with our own verdict. */
static void
emit(FILE *out, Arena *a, StKeySet *keys, const char *name, const char *token)
{
	fprintf(out, "%s\t%s\t%s\n", name, our_verdict(a, keys, token), token);
}

/* Mints the SuperTokens layouts and the forgeries. */
static int
mint(const char *dir)
{
	Arena	   *a = arena_create(NULL, 0);
	EVP_PKEY   *key = mint_key(2048);
	EVP_PKEY   *other = mint_key(2048);
	long long	now = (long long) (clock_us() / 1000000);
	const char *kid = arena_printf(a, "d-%lld000", now - 3600);
	const char *jwks = arena_printf(a, "{\"keys\":[%s]}", mint_jwk(a, key, kid));
	StKeySet   *keys = st_keyset_create(a, 1);
	const char *hdr = mint_header(a, kid, "5");
	const char *v5 = mint_payload_v5(a, now - 5, now + 3600, "");
	const char *v4 = arena_printf(a, "{\"iat\":%lld,\"exp\":%lld,\"sub\":\"user-4\",\"tId\":\"public\","
								  "\"sessionHandle\":\"h-4\",\"refreshTokenHash1\":\"r4\","
								  "\"parentRefreshTokenHash1\":null,\"antiCsrfToken\":null}", now - 5, now + 3600);
	const char *v3 = arena_printf(a, "{\"iat\":%lld,\"exp\":%lld,\"sub\":\"user-3\","
								  "\"sessionHandle\":\"h-3\",\"refreshTokenHash1\":\"r3\","
								  "\"parentRefreshTokenHash1\":null,\"antiCsrfToken\":null}", now - 5, now + 3600);
	const char *hdr_kv = "{\"kid\":\"%s\",\"typ\":\"JWT\",\"version\":\"%s\",\"alg\":\"%s\"}";
	FILE	   *f;
	char	   *tok;
	char	   *p;

	if (st_keyset_add_jwks(keys, jwks, strlen(jwks), NULL, NULL) != ST_OK)
		return 1;
	f = fopen(arena_printf(a, "%s/jwks.json", dir), "w");
	fputs(jwks, f);
	fclose(f);
	f = fopen(arena_printf(a, "%s/tokens.tsv", dir), "w");

	emit(f, a, keys, "v5", mint_rs256(a, key, hdr, v5));
	emit(f, a, keys, "v5_custom", mint_rs256(a, key, hdr,
											 mint_payload_v5(a, now - 5, now + 3600, ",\"org\":{\"id\":\"o-1\"},\"st-mfa\":{\"c\":{},\"v\":true}")));
	emit(f, a, keys, "v4", mint_rs256(a, key, mint_header(a, kid, "4"), v4));
	emit(f, a, keys, "v3", mint_rs256(a, key, mint_header(a, kid, "3"), v3));
	emit(f, a, keys, "expired", mint_rs256(a, key, hdr, mint_payload_v5(a, now - 7200, now - 60, "")));
	emit(f, a, keys, "iat_future", mint_rs256(a, key, hdr, mint_payload_v5(a, now + 600, now + 3600, "")));
	emit(f, a, keys, "other_key", mint_rs256(a, other, hdr, v5));
	emit(f, a, keys, "unknown_kid", mint_rs256(a, key, mint_header(a, "d-1", "5"), v5));
	emit(f, a, keys, "version_6", mint_rs256(a, key, mint_header(a, kid, "6"), v5));
	emit(f, a, keys, "version_5abc", mint_rs256(a, key, mint_header(a, kid, "5abc"), v5));
	emit(f, a, keys, "version_2", mint_rs256(a, key, mint_header(a, kid, "2"), v5));
	emit(f, a, keys, "no_version", mint_rs256(a, key, arena_printf(a, "{\"kid\":\"%s\",\"typ\":\"JWT\",\"alg\":\"RS256\"}", kid), v5));
	emit(f, a, keys, "typ_missing", mint_rs256(a, key, arena_printf(a, "{\"kid\":\"%s\",\"version\":\"5\",\"alg\":\"RS256\"}", kid), v5));
	p = strstr(v5, "\"tId\":\"acme\",");
	emit(f, a, keys, "v5_no_tId", mint_rs256(a, key, hdr, arena_printf(a, "%.*s%s", (int) (p - v5), v5, p + 13)));
	p = strstr(v5, "\"rsub\":\"login-1\",");
	emit(f, a, keys, "v5_no_rsub", mint_rs256(a, key, hdr, arena_printf(a, "%.*s%s", (int) (p - v5), v5, p + 17)));
	emit(f, a, keys, "stt_1", mint_rs256(a, key, hdr, mint_payload_v5(a, now - 5, now + 3600, ",\"stt\":1")));
	emit(f, a, keys, "dup_sub", mint_rs256(a, key, hdr, mint_payload_v5(a, now - 5, now + 3600, ",\"sub\":\"admin\"")));
	emit(f, a, keys, "crit", mint_rs256(a, key, arena_printf(a, "{\"kid\":\"%s\",\"typ\":\"JWT\",\"version\":\"5\",\"alg\":\"RS256\",\"crit\":[\"exp\"]}", kid), v5));
	emit(f, a, keys, "alg_rs256_lower", mint_rs256(a, key, arena_printf(a, hdr_kv, kid, "5", "rs256"), v5));
	emit(f, a, keys, "alg_RS512", mint_sign(a, key, EVP_sha512(), RSA_PKCS1_PADDING, arena_printf(a, hdr_kv, kid, "5", "RS512"), v5));
	emit(f, a, keys, "alg_PS256", mint_sign(a, key, EVP_sha256(), RSA_PKCS1_PSS_PADDING, arena_printf(a, hdr_kv, kid, "5", "PS256"), v5));
	emit(f, a, keys, "alg_HS256_pem", mint_hs256(a, mint_public_pem(a, key), arena_printf(a, hdr_kv, kid, "5", "HS256"), v5));
	emit(f, a, keys, "alg_HS256_jwks", mint_hs256(a, jwks, arena_printf(a, hdr_kv, kid, "5", "HS256"), v5));
	tok = mint_sign(a, NULL, NULL, 0, arena_printf(a, hdr_kv, kid, "5", "none"), v5);
	emit(f, a, keys, "alg_none", arena_printf(a, "%s.", tok));
	tok = mint_rs256(a, key, hdr, v5);
	emit(f, a, keys, "padded_sig", arena_printf(a, "%s==", tok));
	emit(f, a, keys, "four_segments", arena_printf(a, "%s.AAAA", tok));
	p = strrchr(tok, '.');
	emit(f, a, keys, "two_segments", arena_printf(a, "%.*s", (int) (p - tok), tok));
	fclose(f);
	st_keyset_release(keys);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	arena_destroy(a);
	return 0;
}

/* Verifies every token of a TSV (name, token) against a JWKS file. */
static int
verify(const char *jwks_path, const char *tsv_path)
{
	Arena	   *a = arena_create(NULL, 0);
	size_t		len;
	char	   *jwks = slurp(a, jwks_path, &len);
	char	   *tsv = slurp(a, tsv_path, &len);
	StKeySet   *keys = st_keyset_create(a, 1);
	StError		err;
	char	   *line;
	char	   *save = NULL;

	if (jwks == NULL || tsv == NULL ||
		st_keyset_add_jwks(keys, jwks, strlen(jwks), NULL, &err) != ST_OK)
	{
		fprintf(stderr, "cannot load %s or %s\n", jwks_path, tsv_path);
		return 1;
	}
	for (line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
	{
		char	   *tab = strchr(line, '\t');

		if (tab == NULL)
			continue;
		*tab = '\0';
		printf("%s\t%s\n", line, our_verdict(a, keys, tab + 1));
	}
	st_keyset_release(keys);
	arena_destroy(a);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "mint") == 0)
		return mint(argv[2]);
	if (argc == 4 && strcmp(argv[1], "verify") == 0)
		return verify(argv[2], argv[3]);
	fprintf(stderr, "usage: mint_tool mint DIR | mint_tool verify JWKS TSV\n");
	return 2;
}
