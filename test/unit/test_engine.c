/*
 * test_engine.c — the engine's API on a small fixture (test/engine/policies):
 * globs, DENY over ALLOW, principal policies first, all/any/none kept per
 * rule, variables, constants, globals, a condition that errors, derived
 * roles with outputs, request validation that names the field, and the
 * response shape.
 */
#include <jansson.h>
#include <string.h>

#include "unit.h"
#include "engine/engine.h"

static EngineSet *set;
static Arena *arena;

/* A stand-in verifier: "good" tokens carry {"sub":"bob"}, others fail. */
static const char *
fake_verify(void *state, Arena *a, const char *token, const char *key_set_id, const char **error)
{
	if (strcmp(token, "good") == 0)
		return "{\"sub\":\"bob\"}";
	*error = "signature is invalid";
	return NULL;
}

/* One decision's effect (0 when the call failed). */
static int
decide(const char *principal, const char *resource, const char *action, const char **policy)
{
	EngineDecision d;
	const char *err = NULL;

	if (!engine_check_one(set, arena, principal, resource, action, NULL, &d, &err))
	{
		fprintf(stderr, "check failed: %s\n", err ? err : "?");
		return 0;
	}
	if (policy)
		*policy = d.policy;
	return d.effect;
}

/* The error message of a rejected CheckResources body (NULL if accepted). */
static const char *
reject(const char *body)
{
	const char *err = NULL;
	char	   *resp = engine_check_json(set, arena, body, strlen(body), NULL, &err);

	return resp ? NULL : err;
}

#define BOB "{\"id\":\"bob\",\"roles\":[\"user\"]}"
#define ALICE "{\"id\":\"alice\",\"roles\":[\"user\"]}"
#define DOC(attr) "{\"kind\":\"document\",\"id\":\"d1\",\"attr\":" attr "}"
#define ALLOW ENGINE_EFFECT_ALLOW
#define DENY ENGINE_EFFECT_DENY

int
main(void)
{
	DiagList	diags;
	EngineConfig config;
	const char *policy = NULL;
	const char *err;
	char	   *resp;
	json_t	   *j;

	arena = arena_create(NULL, 0);
	diag_init(&diags, arena);
	memset(&config, 0, sizeof(config));
	config.globals_json = "{\"env\":\"test\"}";
	config.max_resources = 2;
	set = engine_compile_dir(arena, "../engine/policies", &config, &diags);
	if (set == NULL)
		fprintf(stderr, "%s\n", diag_render(&diags));
	CHECK(set != NULL);
	if (set == NULL)
		UNIT_DONE("engine");
	CHECK(engine_set_policy_count(set) == 3);

	/* owner may view and edit; DENY wins when locked */
	CHECK(decide(BOB, DOC("{\"owner\":\"bob\"}"), "view", &policy) == ALLOW);
	CHECK_STR(policy, "resource.document.vdefault");
	CHECK(decide(BOB, DOC("{\"owner\":\"bob\"}"), "edit", NULL) == ALLOW);
	CHECK(decide(BOB, DOC("{\"owner\":\"bob\",\"locked\":true}"), "edit", NULL) == DENY);
	CHECK(decide(BOB, DOC("{\"owner\":\"carol\"}"), "view", NULL) == DENY);
	/* principal policy before resource policy */
	CHECK(decide(ALICE, DOC("{\"owner\":\"alice\"}"), "edit", &policy) == DENY);
	CHECK_STR(policy, "principal.alice.vdefault");
	CHECK(decide(ALICE, DOC("{\"owner\":\"alice\"}"), "view", &policy) == ALLOW);
	CHECK_STR(policy, "resource.document.vdefault");
	/* wildcards: report:* and roles ["*"]; ':' separates segments */
	CHECK(decide("{\"id\":\"x\",\"roles\":[\"guest\"]}", DOC("{}"), "report:daily", NULL) == ALLOW);
	CHECK(decide("{\"id\":\"x\",\"roles\":[\"guest\"]}", DOC("{}"), "report:a:b", NULL) == DENY);
	/* no rule at all: DENY with the policy that was consulted */
	CHECK(decide(BOB, DOC("{}"), "delete", &policy) == DENY);
	CHECK_STR(policy, "resource.document.vdefault");
	CHECK(decide(BOB, "{\"kind\":\"nothing\",\"id\":\"n\"}", "view", &policy) == DENY);
	CHECK_STR(policy, "NO_MATCH");
	/* each rule keeps its own combinator (Cerbos 0.55 merges these) */
	CHECK(decide(BOB, DOC("{\"a\":1,\"b\":2}"), "all_of", NULL) == DENY);
	CHECK(decide(BOB, DOC("{\"a\":1,\"b\":2}"), "any_of", NULL) == ALLOW);
	CHECK(decide(BOB, DOC("{\"a\":1,\"b\":2}"), "none_of", NULL) == DENY);
	CHECK(decide(BOB, DOC("{\"a\":3,\"b\":2}"), "none_of", NULL) == ALLOW);
	/* constants, globals; JSON integers are doubles in CEL */
	CHECK(decide(BOB, DOC("{\"pages\":10}"), "pages", NULL) == ALLOW);
	CHECK(decide(BOB, DOC("{\"pages\":11}"), "pages", NULL) == DENY);
	/* the decoded fast path gives the same answers */
	{
		EnginePrincipal p;
		EngineResource r;
		EngineDecision d;
		const char *roles[] = {"user"};
		CelValue	k = cel_string("owner", 5);
		CelValue	v = cel_string("bob", 3);

		memset(&p, 0, sizeof(p));
		memset(&r, 0, sizeof(r));
		p.id = "bob";
		p.roles = roles;
		p.nroles = 1;
		r.kind = "document";
		r.id = "d1";
		r.attr = cel_map_from(arena, &k, &v, 1);
		err = NULL;
		CHECK(engine_check_decoded(set, arena, &p, &r, "view", NULL, &d, &err) && d.effect == ALLOW);
		CHECK(engine_check_decoded(set, arena, &p, &r, "delete", NULL, &d, &err) && d.effect == DENY);
		p.nroles = 0;
		CHECK(!engine_check_decoded(set, arena, &p, &r, "view", NULL, &d, &err));
		CHECK_STR(err, "principal.roles: value must contain at least 1 item(s)");
	}

	/* now() is fixed per call and can be pinned */
	{
		EngineCheckOptions o;
		EngineDecision d;

		memset(&o, 0, sizeof(o));
		o.now_pinned = true;
		o.now_sec = 1546300800;	/* 2019-01-01 */
		err = NULL;
		CHECK(engine_check_one(set, arena, BOB, DOC("{}"), "timed", &o, &d, &err) && d.effect == DENY);
		o.now_sec = 1609459200;	/* 2021-01-01 */
		CHECK(engine_check_one(set, arena, BOB, DOC("{}"), "timed", &o, &d, &err) && d.effect == ALLOW);
		CHECK(decide(BOB, DOC("{}"), "timed", NULL) == ALLOW);	/* the clock */
	}
	/* a condition that errors is false */
	CHECK(decide(BOB, DOC("{}"), "broken", NULL) == DENY);

	/* CheckResources: derived roles, outputs, meta */
	err = NULL;
	resp = engine_check_json(set, arena,
							 "{\"requestId\":\"r1\",\"includeMeta\":true,\"principal\":" BOB ","
							 "\"resources\":[{\"actions\":[\"manage\",\"view\"],\"resource\":"
							 DOC("{\"owner\":\"bob\"}") "}]}", 1000000, NULL, &err);
	CHECK(resp == NULL);		/* the length is checked: trailing garbage */
	{
		const char *body = "{\"requestId\":\"r1\",\"includeMeta\":true,\"principal\":" BOB ","
			"\"resources\":[{\"actions\":[\"manage\",\"view\"],\"resource\":"
			DOC("{\"owner\":\"bob\"}") "}]}";

		resp = engine_check_json(set, arena, body, strlen(body), NULL, &err);
	}
	CHECK(resp != NULL);
	j = resp ? json_loads(resp, 0, NULL) : NULL;
	CHECK(j != NULL);
	if (j)
	{
		json_t	   *r0 = json_array_get(json_object_get(j, "results"), 0);
		json_t	   *outs = json_object_get(r0, "outputs");

		CHECK_STR(json_string_value(json_object_get(j, "requestId")), "r1");
		CHECK_STR(json_string_value(json_object_get(json_object_get(r0, "actions"), "manage")), "EFFECT_ALLOW");
		CHECK(json_object_get(json_object_get(r0, "resource"), "policyVersion") == NULL);
		CHECK_STR(json_string_value(json_array_get(json_object_get(json_object_get(r0, "meta"),
																   "effectiveDerivedRoles"), 0)), "owner");
		CHECK(json_array_size(outs) == 1);
		CHECK_STR(json_string_value(json_object_get(json_array_get(outs, 0), "src")),
				  "resource.document.vdefault#rule-009");
		CHECK_STR(json_string_value(json_object_get(json_array_get(outs, 0), "val")), "managed by bob");
		json_decref(j);
	}

	/* bad requests name the field */
	CHECK_STR(reject("{\"resources\":[]}"), "principal: value is required");
	CHECK_STR(reject("{\"principal\":{\"id\":\"a\",\"roles\":[]},\"resources\":[]}"),
			  "principal.roles: value must contain at least 1 item(s)");
	CHECK_STR(reject("{\"principal\":" BOB ",\"resources\":[{\"actions\":[\"v\"],\"resource\":{\"id\":\"1\"}}]}"),
			  "resources[0].resource.kind: value length must be at least 1 characters");
	CHECK_STR(reject("{\"principal\":" BOB ",\"resources\":[{\"actions\":[\"v\",\"v\"],\"resource\":" DOC("{}") "}]}"),
			  "resources[0].actions: repeated value must contain unique items");
	CHECK(reject("{\"principal\":" BOB ",\"resources\":[{\"actions\":[\"v\"],\"resource\":" DOC("{}") "},"
				 "{\"actions\":[\"v\"],\"resource\":" DOC("{}") "},{\"actions\":[\"v\"],\"resource\":" DOC("{}") "}]}") != NULL);
	CHECK_STR(reject("{\"principal\":" BOB ",\"bogus\":1,\"resources\":[]}"), "unknown field \"bogus\"");

	/* allowed actions: literal names of the applicable rules, decided one by one */
	{
		const char **acts = NULL;
		int			nacts = 0;

		err = NULL;
		CHECK(engine_allowed_actions(set, arena, BOB, DOC("{\"owner\":\"bob\",\"a\":1,\"b\":2}"),
									 NULL, &acts, &nacts, &err));
		CHECK(nacts == 5);			/* jwt_view: no auxData, so not allowed */
		if (nacts == 5)
		{
			CHECK_STR(acts[0], "any_of");
			CHECK_STR(acts[1], "edit");
			CHECK_STR(acts[2], "manage");
			CHECK_STR(acts[3], "timed");
			CHECK_STR(acts[4], "view");
		}
		CHECK(!engine_allowed_actions(set, arena, "{\"id\":\"\"}", DOC("{}"), NULL, &acts, &nacts, &err));
		CHECK_STR(err, "principal.id: value length must be at least 1 characters");
	}

	/* auxData JWTs go through the caller's verifier */
	{
		EngineCheckOptions o;
		const char *good = "{\"principal\":" BOB ",\"auxData\":{\"jwt\":{\"token\":\"good\"}},"
			"\"resources\":[{\"actions\":[\"jwt_view\"],\"resource\":" DOC("{}") "}]}";
		const char *bad = "{\"principal\":" BOB ",\"auxData\":{\"jwt\":{\"token\":\"bad\"}},"
			"\"resources\":[{\"actions\":[\"jwt_view\"],\"resource\":" DOC("{}") "}]}";

		memset(&o, 0, sizeof(o));
		o.verify_jwt = fake_verify;
		resp = engine_check_json(set, arena, good, strlen(good), &o, &err);
		CHECK(resp != NULL && strstr(resp, "\"jwt_view\":\"EFFECT_ALLOW\"") != NULL);
		resp = engine_check_json(set, arena, bad, strlen(bad), &o, &err);
		CHECK(resp == NULL);
		CHECK_STR(err, "auxData.jwt.token: signature is invalid");
	}

	/*
	 * The condition cache: a rule skipped because its derived role failed
	 * is cached as not met, so only its second action gets conditionNotMet
	 * (what Cerbos 0.55 answers).
	 */
	{
		DiagList	cd;
		EngineSet  *cs;
		const char *body = "{\"principal\":{\"id\":\"bob\",\"roles\":[\"user\"]},\"resources\":"
			"[{\"actions\":[\"a\",\"b\"],\"resource\":{\"kind\":\"thing\",\"id\":\"1\","
			"\"attr\":{\"owner\":\"alice\",\"ok\":true}}}]}";

		diag_init(&cd, arena);
		cs = engine_compile_dir(arena, "../engine/cache", &config, &cd);
		CHECK(cs != NULL);
		resp = cs ? engine_check_json(cs, arena, body, strlen(body), NULL, &err) : NULL;
		CHECK(resp != NULL && strstr(resp, "\"outputs\":[{\"src\":\"resource.thing.vdefault#r1\","
									 "\"val\":\"no\",\"action\":\"b\"}]") != NULL);
	}

	/* the default policy version applies when the request names none */
	{
		DiagList	vd;
		EngineConfig vc = config;
		EngineSet  *vs;
		EngineDecision d;

		vc.default_policy_version = "v2";
		diag_init(&vd, arena);
		vs = engine_compile_dir(arena, "../engine/policies", &vc, &vd);
		CHECK(vs != NULL);
		err = NULL;
		CHECK(vs && engine_check_one(vs, arena, BOB, DOC("{\"owner\":\"bob\"}"), "view", NULL, &d, &err) &&
			  d.effect == DENY && strcmp(d.policy, "NO_MATCH") == 0);
		CHECK(vs && engine_check_one(vs, arena, BOB,
									 "{\"kind\":\"document\",\"id\":\"d1\",\"policyVersion\":\"default\","
									 "\"attr\":{\"owner\":\"bob\"}}", "view", NULL, &d, &err) &&
			  d.effect == ALLOW);
	}

	/*
	 * derived roles whose conditions read runtime.effectiveDerivedRoles,
	 * asked without includeMeta (they are then evaluated on first use):
	 * this recursed until the stack ran out.  Answers as Cerbos 0.55's.
	 */
	{
		DiagList	rd;
		EngineSet  *rs;
		const char *body = "{\"requestId\":\"1\",\"principal\":{\"id\":\"andy\",\"roles\":[\"employee\"]},"
			"\"resources\":[{\"actions\":[\"camelCase\",\"snake_case\",\"view\"],"
			"\"resource\":{\"kind\":\"runtime_effective_derived_roles\",\"id\":\"test\"}}]}";

		diag_init(&rd, arena);
		rs = engine_compile_dir(arena, "../engine/runtime_edr", &config, &rd);
		CHECK(rs != NULL);
		resp = rs ? engine_check_json(rs, arena, body, strlen(body), NULL, &err) : NULL;
		CHECK(resp != NULL && strstr(resp, "\"actions\":{\"camelCase\":\"EFFECT_ALLOW\","
									 "\"snake_case\":\"EFFECT_ALLOW\",\"view\":\"EFFECT_DENY\"}") != NULL);
		CHECK(resp != NULL && strstr(resp, "\"val\":[\"one\",\"two\"],\"action\":\"camelCase\"") != NULL);
		if (resp && !strstr(resp, "\"val\":[\"one\",\"two\"]"))
			fprintf(stderr, "runtime_edr: %s\n", resp);
	}

	/*
	 * The response writer's escapes: every character JSON must escape, and
	 * the ones it need not (/, DEL, UTF-8), in requestId, a resource id and
	 * an action name; the text reads back as the same strings.
	 */
	{
		const char *body = "{\"requestId\":\"q\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\xc3\xa9\xf0\x9f\x92\xa5\","
			"\"includeMeta\":true,\"principal\":" BOB ",\"resources\":[{\"actions\":[\"view\",\"a\\tb\"],"
			"\"resource\":{\"kind\":\"document\",\"id\":\"d\\\"1\\n\",\"attr\":{}}}]}";
		const char *want_id = "q\"\\/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9\xf0\x9f\x92\xa5";

		err = NULL;
		resp = engine_check_json(set, arena, body, strlen(body), NULL, &err);
		CHECK(resp != NULL);
		CHECK(resp && strstr(resp, "\"requestId\":\"q\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001F\x7f\xc3\xa9\xf0\x9f\x92\xa5\"") != NULL);
		CHECK(resp && strstr(resp, "\"resource\":{\"id\":\"d\\\"1\\n\",\"kind\":\"document\"}") != NULL);
		CHECK(resp && strstr(resp, "\"a\\tb\":\"EFFECT_DENY\"") != NULL);
		j = resp ? json_loads(resp, JSON_REJECT_DUPLICATES, NULL) : NULL;
		CHECK(j != NULL);
		if (j)
		{
			json_t	   *r0 = json_array_get(json_object_get(j, "results"), 0);

			CHECK_STR(json_string_value(json_object_get(j, "requestId")), want_id);
			CHECK_STR(json_string_value(json_object_get(json_object_get(r0, "resource"), "id")), "d\"1\n");
			CHECK(json_object_get(json_object_get(json_object_get(r0, "meta"), "actions"), "a\tb") != NULL);
			json_decref(j);
		}
		else if (resp)
			fprintf(stderr, "escapes: %s\n", resp);
	}

	/* a policy whose condition does not parse: no set, an error at file:line:column */
	{
		DiagList	bad;
		char	   *text;

		diag_init(&bad, arena);
		CHECK(engine_compile_dir(arena, "../engine/broken", &config, &bad) == NULL);
		text = diag_render(&bad);
		CHECK(bad.count >= 1);
		CHECK(text != NULL && strstr(text, "bad_condition.yaml:11:") != NULL);
		if (text && !strstr(text, "bad_condition.yaml:11:"))
			fprintf(stderr, "diags: %s\n", text);
	}

	arena_destroy(arena);
	UNIT_DONE("engine");
}
