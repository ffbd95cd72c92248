/*
 * fuzz_session.c — libFuzzer target for the session module.
 *
 * The first input byte picks what the rest is fed to: a token (verified
 * against a fixed RSA key, whose signature a fuzzer will not find, so this
 * exercises every refusal path), a JWKS, a core key string, or a principal
 * mapping spec.  Build and run:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itest/unit \
 *     test/fuzz/fuzz_session.c src/common/[a-z]*.c src/session/[a-z]*.c \
 *     -ljansson -lcrypto -lm -o /tmp/fuzz_session
 *   /tmp/fuzz_session -max_total_time=60 CORPUS_DIR
 * test/fuzz/session_seeds.sh writes a starting corpus (tokens, a JWKS, a
 * key string, specs) so the fuzzer starts past the base64 layer.
 */
#include "session_mint.h"

static StKeySet *keys;
static Arena *keys_arena;
static const char *valid_token;

/* One key and one valid token, made once per process. */
static void
setup(void)
{
	EVP_PKEY   *key;
	const char *jwks;

	if (keys != NULL)
		return;
	keys_arena = arena_create(NULL, 0);
	key = mint_key(2048);
	jwks = arena_printf(keys_arena, "{\"keys\":[%s]}", mint_jwk(keys_arena, key, "d-1"));
	keys = st_keyset_create(keys_arena, 1);
	st_keyset_add_jwks(keys, jwks, strlen(jwks), NULL, NULL);
	valid_token = mint_rs256(keys_arena, key, mint_header(keys_arena, "d-1", "5"),
							 mint_payload_v5(keys_arena, MINT_NOW, MINT_NOW + 3600, ""));
	EVP_PKEY_free(key);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one input to the part the first byte selects. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena	   *a;
	StError		err;
	StVerifyOptions o = {.now_us = MINT_NOW * 1000000};

	setup();
	if (size < 1)
		return 0;
	a = arena_create(NULL, 0);
	switch (data[0] % 5)
	{
		case 0:
			{
				StSession	s;

				if (st_session_authenticate(keys, (const char *) data + 1, size - 1, &o, NULL,
											NULL, NULL, a, &s, &err) == ST_OK &&
					strcmp(valid_token, s.claims_json) == 0)
					__builtin_trap();
				break;
			}
		case 1:
			{
				/* a valid header and signature around fuzzed payload bytes:
				 * the signature fails, but the splitter and decoder run */
				char	   *t = arena_printf(a, "%.*s", (int) (size - 1), (const char *) data + 1);
				StVerified	v;

				if (st_verify(keys, t, strlen(t), &o, a, &v, &err) == ST_OK)
				{
					if (strcmp(t, valid_token) != 0)
						__builtin_trap();
					st_verified_clear(&v);
				}
				break;
			}
		case 2:
			{
				StKeySet   *k = st_keyset_create(a, 2);

				st_keyset_add_jwks(k, (const char *) data + 1, size - 1, NULL, &err);
				st_keyset_release(k);
				break;
			}
		case 3:
			{
				StKeySet   *k = st_keyset_create(a, 3);

				st_keyset_add_core_key(k, "d-1", (const char *) data + 1, size - 1, &err);
				st_keyset_release(k);
				break;
			}
		default:
			{
				StMapping  *m = st_mapping_parse((const char *) data + 1, size - 1, a, &err);
				StVerified	v;
				char	   *p;

				if (m && st_verify(keys, valid_token, strlen(valid_token), &o, a, &v, &err) == ST_OK)
				{
					st_principal_build(m, &v, NULL, a, &p, NULL, &err);
					st_verified_clear(&v);
				}
				break;
			}
	}
	arena_destroy(a);
	return 0;
}
