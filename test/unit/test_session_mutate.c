/*
 * Mutation tests for token verification: thousands of tokens derived from
 * a valid one by flipping, inserting and deleting characters, and signed
 * tokens whose header or payload text is mutated before signing.  Because
 * base64url is accepted in its canonical spelling only, every changed
 * string must be refused; nothing may crash (run under ASan to see it).
 */
#include "unit.h"
#include "session_mint.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: deterministic, so a failure can be replayed. */
static uint64_t
next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static const char token_chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}";

/* One random edit of s (replace, insert or delete a character). */
static char *
mutate(Arena *a, const char *s)
{
	size_t		len = strlen(s);
	size_t		pos = len ? next_rand() % len : 0;
	char		c = token_chars[next_rand() % (sizeof(token_chars) - 1)];

	switch (next_rand() % 3)
	{
		case 0:
			return arena_printf(a, "%.*s%c%s", (int) pos, s, c, len ? s + pos + 1 : "");
		case 1:
			return arena_printf(a, "%.*s%c%s", (int) pos, s, c, s + pos);
		default:
			return arena_printf(a, "%.*s%s", (int) pos, s, len ? s + pos + 1 : "");
	}
}

int
main(void)
{
	Arena	   *a = arena_create(NULL, 0);
	Arena	   *scratch = arena_create(NULL, 0);
	EVP_PKEY   *key = mint_key(2048);
	const char *jwks = arena_printf(a, "{\"keys\":[%s]}", mint_jwk(a, key, "d-1"));
	StKeySet   *keys = st_keyset_create(a, 1);
	StVerifyOptions opts = {.now_us = MINT_NOW * 1000000};
	const char *hdr = mint_header(a, "d-1", "5");
	const char *pl = mint_payload_v5(a, MINT_NOW, MINT_NOW + 3600, "");
	const char *token = mint_rs256(a, key, hdr, pl);
	int			i;
	int			changed = 0;
	int			accepted_changed = 0;
	int			signed_ok = 0;
	int			signed_bad = 0;
	int			statuses[ST_INTERNAL + 1] = {0};
	int			violations = 0;
	StVerified	v;

	CHECK(st_keyset_add_jwks(keys, jwks, strlen(jwks), NULL, NULL) == ST_OK);
	CHECK(st_verify(keys, token, strlen(token), &opts, scratch, &v, NULL) == ST_OK);
	st_verified_clear(&v);

	/* edits of the token text: all refused */
	for (i = 0; i < 6000; i++)
	{
		char	   *m = mutate(scratch, token);
		int			k = (int) (next_rand() % 3);
		StStatus	s;

		while (k-- > 0)
			m = mutate(scratch, m);
		if (strcmp(m, token) == 0)
			continue;
		changed++;
		s = st_verify(keys, m, strlen(m), &opts, scratch, &v, NULL);
		if (s == ST_OK)
		{
			accepted_changed++;
			st_verified_clear(&v);
		}
		else if (v.claims != NULL)
			violations++;
		if (s >= 0 && s <= ST_INTERNAL)
			statuses[s]++;
		arena_reset(scratch);
	}
	CHECK(changed > 5000);
	CHECK(accepted_changed == 0);
	/* the refusals spread over the shape, header and signature checks */
	CHECK(statuses[ST_BAD_BASE64] > 0);
	CHECK(statuses[ST_MALFORMED] > 0);
	CHECK(statuses[ST_BAD_SIGNATURE] > 0);
	CHECK(statuses[ST_BAD_JSON] > 0);

	/* signed tokens with mutated JSON: refused or accepted, never a crash,
	 * and an accepted one always has a string sub */
	for (i = 0; i < 1500; i++)
	{
		const char *h = next_rand() % 4 == 0 ? mutate(scratch, hdr) : hdr;
		const char *p = mutate(scratch, pl);
		char	   *t = mint_rs256(scratch, key, h, p);
		StStatus	s = st_verify(keys, t, strlen(t), &opts, scratch, &v, NULL);

		if (s == ST_OK)
		{
			signed_ok++;
			if (v.sub == NULL || v.claims == NULL)
				violations++;
			st_verified_clear(&v);
		}
		else
		{
			signed_bad++;
			if (!st_status_is_token_failure(s))
				violations++;
		}
		arena_reset(scratch);
	}
	CHECK(signed_bad > 0);
	CHECK(violations == 0);
	printf("mutated tokens: %d refused of %d; signed mutations: %d accepted, %d refused\n",
		   changed - accepted_changed, changed, signed_ok, signed_bad);

	st_keyset_release(keys);
	EVP_PKEY_free(key);
	arena_destroy(scratch);
	arena_destroy(a);
	UNIT_DONE("session_mutate");
}
