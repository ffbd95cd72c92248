/*
 * Unit tests for claims -> Cerbos principal: the default mapping of
 * issue 6, mapping specs, facts from the core's tables, and the one-call
 * st_session_authenticate used by the PostgreSQL layer.
 */
#include <jansson.h>

#include "unit.h"
#include "session_mint.h"

static Arena *A;
static EVP_PKEY *K;
static StKeySet *KEYS;
static StVerifyOptions OPTS;

/* Authenticates a v5 token with extra claims under a mapping spec;
 * returns the principal JSON or "ERR:<status>". */
static const char *
principal_for(const char *version, const char *payload, const char *spec,
			  const StPrincipalExtras *extras)
{
	StError		err = {0};
	StMapping  *m = st_mapping_parse(spec, spec ? strlen(spec) : 0, A, &err);
	StSession	s;
	char	   *tok;
	StStatus	st;

	if (m == NULL)
		return arena_printf(A, "ERR:%s", st_status_name(err.status));
	tok = mint_rs256(A, K, mint_header(A, "d-1", version), payload);
	st = st_session_authenticate(KEYS, tok, strlen(tok), &OPTS, m, extras, NULL, A, &s, &err);
	if (st != ST_OK)
	{
		CHECK(err.message != NULL);
		return arena_printf(A, "ERR:%s", st_status_name(st));
	}
	return s.principal_json;
}

/* A hook standing in for the database: revoked handles, roles, metadata. */
typedef struct HookState
{
	const char *revoked_handle;
	int			calls;
	char		seen[200];
} HookState;

/* The test hook: refuses a revoked handle, else supplies roles and metadata. */
static StStatus
test_hook(void *arg, const StVerified *v, Arena *arena, StPrincipalExtras *extras,
		  StError *err)
{
	HookState  *h = arg;
	static const char *roles[] = {"db-role"};

	h->calls++;
	snprintf(h->seen, sizeof(h->seen), "%s|%s|%s|%d", v->sub, v->tenant_id,
			 v->session_handle, v->claims != NULL);
	if (h->revoked_handle && strcmp(v->session_handle, h->revoked_handle) == 0)
		return st_session_refuse(err, arena, ST_SESSION_REVOKED,
								 "session of \"%s\" was revoked", v->sub);
	extras->roles = roles;
	extras->nroles = 1;
	extras->metadata_json = arena_strdup(arena, "{\"tier\":2}");
	extras->metadata_len = 10;
	return ST_OK;
}

/* payload with tId "acme" replaced. */
static const char *
replace_tenant(const char *payload, const char *tenant)
{
	const char *p = strstr(payload, "\"tId\":\"acme\"");

	return arena_printf(A, "%.*s\"tId\":\"%s\"%s", (int) (p - payload), payload, tenant,
						p + strlen("\"tId\":\"acme\""));
}

/* The v5 payload with extra claims. */
static const char *
pl(const char *extra)
{
	return mint_payload_v5(A, MINT_NOW, MINT_NOW + 3600, extra);
}

int
main(void)
{
	const char *jwks;
	StError		err;
	StSession	s;
	char	   *tok;
	StPrincipalExtras ex = {0};
	const char *core_roles[] = {"member", "billing"};
	const char *core_perms[] = {"invoice:read"};
	const char *no_roles;

	A = arena_create(NULL, 0);
	K = mint_key(2048);
	jwks = arena_printf(A, "{\"keys\":[%s]}", mint_jwk(A, K, "d-1"));
	KEYS = st_keyset_create(A, 1);
	CHECK(st_keyset_add_jwks(KEYS, jwks, strlen(jwks), NULL, &err) == ST_OK);
	OPTS.now_us = MINT_NOW * 1000000;

	/* ---- the default mapping */
	CHECK_STR(principal_for("5", pl(""), NULL, NULL),
			  "{\"attr\":{\"department\":\"eng\",\"emailVerified\":true,"
			  "\"permissions\":[\"doc:read\",\"doc:write\"],\"recipeUserId\":\"login-1\","
			  "\"sessionHandle\":\"6a1b2c3d-0000-4000-8000-000000000001_acme\","
			  "\"tenantId\":\"acme\"},\"id\":\"user-1\",\"roles\":[\"editor\",\"viewer\"],\"scope\":\"\"}");
	CHECK_STR(principal_for("5", pl(""), "{}", NULL), principal_for("5", pl(""), NULL, NULL));

	/* the whole st_session_authenticate result */
	tok = mint_rs256(A, K, mint_header(A, "d-1", "5"), pl(",\"org\":{\"id\":\"o-7\",\"plan\":\"pro\"}"));
	CHECK(st_session_authenticate(KEYS, tok, strlen(tok), &OPTS, NULL, NULL, NULL, A, &s, &err) == ST_OK);
	CHECK(s.version == 5);
	CHECK_STR(s.kid, "d-1");
	CHECK_STR(s.sub, "user-1");
	CHECK_STR(s.tenant_id, "acme");
	CHECK_STR(s.recipe_user_id, "login-1");
	CHECK(s.exp_s == MINT_NOW + 3600);
	CHECK_STR(s.log_label, "kid=d-1 sub=user-1 session=6a1b2c3d...");
	CHECK(strstr(s.principal_json, "\"org\":{\"id\":\"o-7\",\"plan\":\"pro\"}") != NULL);
	/* the verified claims for request.auxData.jwt: the signed payload text */
	CHECK_STR(s.claims_json, mint_payload_v5(A, MINT_NOW, MINT_NOW + 3600, ",\"org\":{\"id\":\"o-7\",\"plan\":\"pro\"}"));
	/* a failure leaves no principal */
	tok = mint_rs256(A, K, mint_header(A, "d-1", "5"), mint_payload_v5(A, MINT_NOW - 7200, MINT_NOW - 3600, ""));
	CHECK(st_session_authenticate(KEYS, tok, strlen(tok), &OPTS, NULL, NULL, NULL, A, &s, &err) == ST_EXPIRED);
	CHECK(s.principal_json == NULL && s.claims_json == NULL && s.sub == NULL);

	/* v3: tenant public, recipe user = sub, no roles -> default role */
	CHECK_STR(principal_for("3",
							"{\"iat\":1700000000,\"exp\":1700003600,\"sub\":\"u3\",\"sessionHandle\":\"h\","
							"\"refreshTokenHash1\":\"r\",\"antiCsrfToken\":null}", NULL, NULL),
			  "{\"attr\":{\"recipeUserId\":\"u3\",\"sessionHandle\":\"h\",\"tenantId\":\"public\"},"
			  "\"id\":\"u3\",\"roles\":[\"user\"],\"scope\":\"\"}");

	/* removed claims (v null) and empty role lists */
	no_roles = mint_payload_v5(A, MINT_NOW, MINT_NOW + 3600, "");
	no_roles = arena_printf(A, "%s", no_roles);
	{
		char	   *p = strstr(no_roles, "[\"editor\",\"viewer\"]");
		char	   *q;

		CHECK(p != NULL);
		q = arena_printf(A, "%.*snull%s", (int) (p - no_roles), no_roles, p + strlen("[\"editor\",\"viewer\"]"));
		CHECK(strstr(principal_for("5", q, NULL, NULL), "\"roles\":[\"user\"]") != NULL);
		CHECK_STR(principal_for("5", q, "{\"defaultRole\":null}", NULL), "ERR:no_roles");
		CHECK(strstr(principal_for("5", q, "{\"defaultRole\":\"guest\"}", NULL), "\"roles\":[\"guest\"]") != NULL);
		/* the core's roles fill in only when the token has none */
		ex.roles = core_roles;
		ex.nroles = 2;
		CHECK(strstr(principal_for("5", q, "{\"defaultRole\":null}", &ex), "\"roles\":[\"member\",\"billing\"]") != NULL);
		CHECK(strstr(principal_for("5", pl(""), NULL, &ex), "\"roles\":[\"editor\",\"viewer\"]") != NULL);
		q = arena_printf(A, "%.*s[]%s", (int) (p - no_roles), no_roles, p + strlen("[\"editor\",\"viewer\"]"));
		CHECK(strstr(principal_for("5", q, NULL, NULL), "\"roles\":[\"user\"]") != NULL);
		ex.nroles = 0;
	}
	{
		const char *base = pl("");
		const char *p = strstr(base, "{\"v\":[\"doc:read\",\"doc:write\"]");
		const char *q = arena_printf(A, "%.*s{\"v\":null%s", (int) (p - base), base,
									 p + strlen("{\"v\":[\"doc:read\",\"doc:write\"]"));
		const char *r = principal_for("5", q, NULL, NULL);

		CHECK(strstr(r, "permissions") == NULL);
		ex.permissions = core_perms;
		ex.npermissions = 1;
		CHECK(strstr(principal_for("5", q, NULL, &ex), "\"permissions\":[\"invoice:read\"]") != NULL);
		CHECK(strstr(principal_for("5", pl(""), NULL, &ex), "\"permissions\":[\"doc:read\",\"doc:write\"]") != NULL);
		ex.npermissions = 0;
	}
	/* metadata from the core */
	ex.metadata_json = "{\"plan\":\"gold\",\"seats\":3}";
	ex.metadata_len = strlen(ex.metadata_json);
	CHECK(strstr(principal_for("5", pl(""), NULL, &ex), "\"metadata\":{\"plan\":\"gold\",\"seats\":3}") != NULL);
	ex.metadata_json = "[1]";
	ex.metadata_len = 3;
	CHECK_STR(principal_for("5", pl(""), NULL, &ex), "ERR:bad_argument");
	ex.metadata_json = NULL;
	ex.metadata_len = 0;

	/* custom claims can not pose as standard attributes */
	{
		const char *r = principal_for("5", pl(",\"tenantId\":\"other\",\"sessionHandle2\":\"x\",\"st-mfa\":{\"c\":{},\"v\":true}"), NULL, NULL);

		CHECK(strstr(r, "\"tenantId\":\"acme\"") != NULL);
		CHECK(strstr(r, "\"tenantId\":\"other\"") == NULL);
		CHECK(strstr(r, "\"sessionHandle2\":\"x\"") != NULL);
		CHECK(strstr(r, "\"st-mfa\":{\"c\":{},\"v\":true}") != NULL);
		/* reserved claims are never copied as custom ones */
		CHECK(strstr(r, "refreshTokenHash1") == NULL);
		CHECK(strstr(r, "antiCsrfToken") == NULL);
		CHECK(strstr(r, "\"exp\"") == NULL);
	}

	/* deep nesting in a custom claim: jansson's depth limit (2048) or ours */
	{
		char	   *deep = arena_alloc(A, 2 * 3000 + 1);
		int			d;

		for (d = 0; d < 3000; d++)
		{
			deep[d] = '[';
			deep[3000 + d] = ']';
		}
		deep[6000] = '\0';
		CHECK_STR(principal_for("5", pl(arena_printf(A, ",\"deep\":%s", deep)), NULL, NULL), "ERR:bad_json");
		/* 1000 levels are fine */
		memset(deep + 1000, ']', 1000);
		deep[2000] = '\0';
		CHECK(strstr(principal_for("5", pl(arena_printf(A, ",\"deep\":%s", deep)), NULL, NULL), "\"deep\":[[[[") != NULL);
	}

	/* escaping and numbers survive the principal writer: read it back */
	{
		const char *extra = ",\"note\":\"q\\\"b\\\\s\\nn\\u0001\\u001f/\u00e9\u20ac\\ud83d\\ude00\","
			"\"r\":0.1,\"big\":1e300,\"whole\":2.0,\"neg\":-5,\"i64\":9007199254740993,"
			"\"nested\":{\"z\":[true,false,null,{}],\"a\":\"\\t\"}";
		const char *payload = pl(extra);
		const char *r = principal_for("5", payload, NULL, NULL);
		json_t	   *claims = json_loads(payload, 0, NULL);
		json_t	   *principal = json_loads(r, JSON_REJECT_DUPLICATES, NULL);
		json_t	   *attr = json_object_get(principal, "attr");
		const char *names[] = {"note", "r", "big", "whole", "neg", "i64", "nested"};
		int			k;

		CHECK(claims != NULL && principal != NULL && attr != NULL);
		for (k = 0; k < 7; k++)
			CHECK(json_equal(json_object_get(attr, names[k]), json_object_get(claims, names[k])));
		CHECK(strstr(r, "\"whole\":2.0") != NULL);
		CHECK(strstr(r, "\\u0001") != NULL);
		json_decref(claims);
		json_decref(principal);
	}

	/* ---- mapping specs */
	CHECK_STR(principal_for("5", pl(",\"appRoles\":[\"owner\"],\"org\":{\"id\":\"o-7\"}"),
							"{\"id\":\"rsub\",\"roles\":\"appRoles\",\"scopeFromTenant\":true,"
							"\"standardAttrs\":false,\"includeCustomClaims\":false,"
							"\"attr\":{\"orgId\":\"org.id\",\"verified\":\"st-ev.v\",\"missing\":\"no.such\"}}", NULL),
			  "{\"attr\":{\"orgId\":\"o-7\",\"verified\":true},\"id\":\"login-1\",\"roles\":[\"owner\"],\"scope\":\"acme\"}");
	/* a tenant that would nest under another tenant's scope is refused */
	CHECK_STR(principal_for("5", replace_tenant(pl(""), "acme.x"), "{\"scopeFromTenant\":true}", NULL),
			  "ERR:invalid_claim");
	CHECK(strstr(principal_for("5", replace_tenant(pl(""), "acme.x"), NULL, NULL), "\"tenantId\":\"acme.x\"") != NULL);
	CHECK(strstr(principal_for("5", replace_tenant(pl(""), "t-9_b"), "{\"scopeFromTenant\":true}", NULL),
				 "\"scope\":\"t-9_b\"") != NULL);
	/* a single role string */
	CHECK(strstr(principal_for("5", pl(",\"role\":\"auditor\""), "{\"roles\":\"role\"}", NULL),
				 "\"roles\":[\"auditor\"]") != NULL);
	CHECK_STR(principal_for("5", pl(",\"role\":7"), "{\"roles\":\"role\"}", NULL), "ERR:invalid_claim");
	CHECK_STR(principal_for("5", pl(",\"role\":[\"a\",\"\"]"), "{\"roles\":\"role\"}", NULL), "ERR:invalid_claim");
	/* the spec's attributes win over the standard ones */
	CHECK(strstr(principal_for("5", pl(""), "{\"attr\":{\"tenantId\":\"department\"}}", NULL),
				 "\"tenantId\":\"eng\"") != NULL);
	/* id from a claim that is missing or not a string */
	CHECK_STR(principal_for("5", pl(""), "{\"id\":\"uid\"}", NULL), "ERR:missing_claim");
	CHECK_STR(principal_for("5", pl(""), "{\"id\":\"st-ev.v\"}", NULL), "ERR:invalid_claim");
	/* bad specs */
	CHECK_STR(principal_for("5", pl(""), "{\"rolse\":\"x\"}", NULL), "ERR:bad_mapping");
	CHECK_STR(principal_for("5", pl(""), "{\"id\":7}", NULL), "ERR:bad_mapping");
	CHECK_STR(principal_for("5", pl(""), "{\"id\":\"a..b\"}", NULL), "ERR:bad_mapping");
	CHECK_STR(principal_for("5", pl(""), "{\"id\":\"\"}", NULL), "ERR:bad_mapping");
	CHECK_STR(principal_for("5", pl(""), "{\"defaultRole\":\"\"}", NULL), "ERR:bad_mapping");
	CHECK_STR(principal_for("5", pl(""), "{\"scopeFromTenant\":\"yes\"}", NULL), "ERR:bad_mapping");
	CHECK_STR(principal_for("5", pl(""), "{\"attr\":[]}", NULL), "ERR:bad_mapping");
	CHECK_STR(principal_for("5", pl(""), "{\"attr\":{\"x\":1}}", NULL), "ERR:bad_mapping");
	CHECK_STR(principal_for("5", pl(""), "{\"id\":\"sub\",\"id\":\"rsub\"}", NULL), "ERR:bad_mapping");
	CHECK_STR(principal_for("5", pl(""), "not json", NULL), "ERR:bad_mapping");
	{
		StMapping  *m = st_mapping_parse("{\"bogus\":1}", 11, A, &err);

		CHECK(m == NULL);
		CHECK_STR(err.message, "principal mapping has an unknown key \"bogus\"");
	}

	/* ---- the hook: revocation and facts from the database */
	{
		HookState	h = {0};
		StSessionHook hook = {test_hook, &h};
		const char *q = arena_printf(A, "%s", pl(""));
		const char *p = strstr(q, "[\"editor\",\"viewer\"]");

		q = arena_printf(A, "%.*s[]%s", (int) (p - q), q, p + strlen("[\"editor\",\"viewer\"]"));
		tok = mint_rs256(A, K, mint_header(A, "d-1", "5"), q);
		CHECK(st_session_authenticate(KEYS, tok, strlen(tok), &OPTS, NULL, NULL, &hook, A, &s, &err) == ST_OK);
		CHECK(h.calls == 1);
		CHECK_STR(h.seen, "user-1|acme|6a1b2c3d-0000-4000-8000-000000000001_acme|1");
		CHECK(strstr(s.principal_json, "\"roles\":[\"db-role\"]") != NULL);
		CHECK(strstr(s.principal_json, "\"metadata\":{\"tier\":2}") != NULL);
		h.revoked_handle = "6a1b2c3d-0000-4000-8000-000000000001_acme";
		CHECK(st_session_authenticate(KEYS, tok, strlen(tok), &OPTS, NULL, NULL, &hook, A, &s, &err) == ST_SESSION_REVOKED);
		CHECK_STR(err.message, "session of \"user-1\" was revoked");
		CHECK(s.principal_json == NULL && s.sub == NULL);
		CHECK(st_status_is_token_failure(ST_SESSION_REVOKED));
		CHECK_STR(st_status_name(ST_SESSION_REVOKED), "session_revoked");
		/* the hook is not called for a token that does not verify */
		tok = mint_rs256(A, K, mint_header(A, "d-1", "5"), mint_payload_v5(A, MINT_NOW - 7200, MINT_NOW - 3600, ""));
		CHECK(st_session_authenticate(KEYS, tok, strlen(tok), &OPTS, NULL, NULL, &hook, A, &s, &err) == ST_EXPIRED);
		CHECK(h.calls == 2);
	}

	/* ---- a small arena: out of memory, never a crash or a half result */
	{
		int			limit;
		int			oom = 0;
		int			ok = 0;
		int			other = 0;

		tok = mint_rs256(A, K, mint_header(A, "d-1", "5"), pl(",\"org\":{\"id\":\"o-7\"}"));
		for (limit = 64; limit <= 16384; limit += 48)
		{
			Arena	   *small = arena_create(NULL, (size_t) limit);
			StStatus	st = st_session_authenticate(KEYS, tok, strlen(tok), &OPTS, NULL, NULL,
													 NULL, small, &s, &err);

			if (st == ST_OK && s.principal_json != NULL && s.claims_json != NULL)
				ok++;
			else if (st == ST_OUT_OF_MEMORY && s.principal_json == NULL)
				oom++;
			else
				other++;
			arena_destroy(small);
		}
		CHECK(oom > 0);
		CHECK(ok > 0);
		CHECK(other == 0);
	}

	st_keyset_release(KEYS);
	EVP_PKEY_free(K);
	arena_destroy(A);
	UNIT_DONE("session_principal");
}
