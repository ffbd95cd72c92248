/*
 * test_engine_strict.c — Cerbos 0.55's strict evaluation mode, against
 * answers recorded from the reference binary.
 *
 * test/engine/strict/ holds a matrix built to pin the mode down: policies
 * whose conditions error in every position (DENY and ALLOW rules, all/any/
 * none in both orders and nested, variables, derived roles used by rules
 * and read through runtime.effectiveDerivedRoles, principal and role
 * policies, scopes with OVERRIDE_PARENT and REQUIRE_PARENTAL_CONSENT_FOR_
 * ALLOWS, outputs), requests.jsonl over them, and expected.jsonl with the
 * binary's results for each request with engine.strictEvaluation off and
 * on (record.py writes it).  Every request is decided here both ways, by
 * the set's config and by the per-call option, and compared result by
 * result: actions and meta exactly, effective derived roles and outputs
 * as sets.  A few named cases are checked on their own as well, so that a
 * failure says what broke.
 *
 * Plans: every (principal, kind, scope, action) of the matrix is planned
 * under strict evaluation; an ALWAYS_ALLOWED or ALWAYS_DENIED plan must
 * be the strict check's answer for resources with the erroring attribute
 * absent and present, and a conditional one must end in the per-row check
 * (alone or ANDed to the lenient formula).  expected_plans.jsonl holds
 * Cerbos' own strict plans: where one is constant and its strict check
 * agrees on those resources, the engine's plan must be the same constant.
 * Last, the SQL of a per-row plan with and without the caller's row check,
 * and test/policies/suites_strict run as `cerbos compile` runs it with and
 * without --strict-evaluation (the verdict counts it reports).
 */
#include "unit.h"

#include <jansson.h>

#include "engine/engine.h"
#include "engine/plan.h"
#include "plansql/plansql.h"
#include "testsuite/testsuite.h"

#define STRICT_DIR "../engine/strict"

/* Sorts a JSON array in place by each element's compact text. */
static void
sort_array(json_t *arr)
{
	size_t		n = json_array_size(arr),
				i,
				j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--)
		{
			char	   *a = json_dumps(json_array_get(arr, j - 1), JSON_SORT_KEYS | JSON_COMPACT);
			char	   *b = json_dumps(json_array_get(arr, j), JSON_SORT_KEYS | JSON_COMPACT);
			int			cmp = strcmp(a, b);

			free(a);
			free(b);
			if (cmp <= 0)
				break;
			{
				json_t	   *x = json_incref(json_array_get(arr, j - 1));

				json_array_set(arr, j - 1, json_array_get(arr, j));
				json_array_set_new(arr, j, x);
			}
		}
}

/* One result as comparable text: sets sorted, empty lists dropped. */
static char *
canonical(json_t *result)
{
	json_t	   *r = json_deep_copy(result);
	json_t	   *meta = json_object_get(r, "meta");
	json_t	   *outs = json_object_get(r, "outputs");
	char	   *text;

	if (meta && json_object_get(meta, "effectiveDerivedRoles"))
	{
		sort_array(json_object_get(meta, "effectiveDerivedRoles"));
		if (json_array_size(json_object_get(meta, "effectiveDerivedRoles")) == 0)
			json_object_del(meta, "effectiveDerivedRoles");
	}
	if (outs)
	{
		sort_array(outs);
		if (json_array_size(outs) == 0)
			json_object_del(r, "outputs");
	}
	text = json_dumps(r, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(r);
	return text;
}

/* Do the engine's results equal the binary's?  Prints the first difference. */
static bool
same_results(json_t *mine, json_t *theirs, int line, const char *mode)
{
	size_t		i;
	bool		ok = json_array_size(mine) == json_array_size(theirs);

	for (i = 0; ok && i < json_array_size(mine); i++)
	{
		char	   *a = canonical(json_array_get(mine, i));
		char	   *b = canonical(json_array_get(theirs, i));

		if (strcmp(a, b) != 0)
		{
			fprintf(stderr, "request %d (%s):\n  engine %s\n  cerbos %s\n", line, mode, a, b);
			ok = false;
		}
		free(a);
		free(b);
	}
	return ok;
}

/* Decides one request; the response's results (new reference) or NULL. */
static json_t *
decide(const EngineSet *set, Arena *arena, const char *body, bool per_call)
{
	EngineCheckOptions opts;
	const char *err = NULL;
	char	   *resp;
	json_t	   *j,
			   *results = NULL;

	memset(&opts, 0, sizeof(opts));
	opts.strict_evaluation = per_call;
	resp = engine_check_json(set, arena, body, strlen(body), &opts, &err);
	if (resp == NULL)
		return NULL;
	j = json_loads(resp, 0, NULL);
	if (j)
		results = json_incref(json_object_get(j, "results"));
	json_decref(j);
	return results;
}

/* The effect of one action in a results array ("" when absent). */
static const char *
effect_of(json_t *results, int resource, const char *action)
{
	json_t	   *acts = json_object_get(json_array_get(results, resource), "actions");
	const char *e = json_string_value(json_object_get(acts, action));

	return e ? e : "";
}

int
main(void)
{
	Arena	   *arena = arena_create(NULL, 0);
	Arena	   *req_arena = arena_create(NULL, 0);
	DiagList	diags;
	EngineConfig lenient_cfg,
				strict_cfg;
	EngineSet  *lenient,
			   *strict;
	FILE	   *reqs,
			   *want;
	static char line[1 << 20];
	static char wline[1 << 20];
	int			n = 0,
				agree_lenient = 0,
				agree_strict = 0,
				agree_option = 0,
				differ = 0;

	memset(&lenient_cfg, 0, sizeof(lenient_cfg));
	strict_cfg = lenient_cfg;
	strict_cfg.strict_evaluation = true;
	diag_init(&diags, arena);
	lenient = engine_compile_dir(arena, STRICT_DIR "/policies", &lenient_cfg, &diags);
	strict = engine_compile_dir(arena, STRICT_DIR "/policies", &strict_cfg, &diags);
	CHECK(lenient != NULL && strict != NULL);
	if (lenient == NULL || strict == NULL)
	{
		fprintf(stderr, "%s\n", diag_render(&diags));
		UNIT_DONE("engine_strict");
	}

	reqs = fopen(STRICT_DIR "/requests.jsonl", "r");
	want = fopen(STRICT_DIR "/expected.jsonl", "r");
	CHECK(reqs != NULL && want != NULL);
	while (reqs && want && fgets(line, sizeof(line), reqs) && fgets(wline, sizeof(wline), want))
	{
		json_t	   *expected = json_loads(wline, 0, NULL);
		json_t	   *ml = decide(lenient, req_arena, line, false);
		json_t	   *ms = decide(strict, req_arena, line, false);
		json_t	   *mo = decide(lenient, req_arena, line, true);
		json_t	   *wl = json_object_get(expected, "lenient");
		json_t	   *ws = json_object_get(expected, "strict");
		char	   *a = canonical(wl);
		char	   *b = canonical(ws);

		n++;
		agree_lenient += ml && same_results(ml, wl, n, "lenient");
		agree_strict += ms && same_results(ms, ws, n, "strict by config");
		agree_option += mo && same_results(mo, ws, n, "strict by option");
		differ += strcmp(a, b) != 0;
		free(a);
		free(b);
		json_decref(ml);
		json_decref(ms);
		json_decref(mo);
		json_decref(expected);
		arena_reset(req_arena);
	}
	if (reqs)
		fclose(reqs);
	if (want)
		fclose(want);
	/* the matrix must be the recorded one and must tell the modes apart */
	CHECK(n == 632);
	CHECK(differ > 100);
	CHECK(agree_lenient == n);
	CHECK(agree_strict == n);
	CHECK(agree_option == n);
	printf("engine_strict: %d requests, %d where strict differs; agree lenient %d, strict %d, per-call %d\n",
		   n, differ, agree_lenient, agree_strict, agree_option);

	/* plans under strict evaluation, against the strict check and Cerbos */
	{
		FILE	   *f = fopen(STRICT_DIR "/requests.jsonl", "r");
		FILE	   *cp = fopen(STRICT_DIR "/expected_plans.jsonl", "r");
		int			nplans = 0,
					exact = 0,
					per_row = 0,
					constant = 0,
					same_as_cerbos = 0,
					cerbos_contradicted = 0,
					cerbos_constant_ours_per_row = 0,
					cerbos_conditional = 0;

		CHECK(cp != NULL);
		while (f && cp && fgets(line, sizeof(line), f))
		{
			json_t	   *req = json_loads(line, 0, NULL);
			json_t	   *entry = json_array_get(json_object_get(req, "resources"), 0);
			json_t	   *res = json_object_get(entry, "resource");
			json_t	   *acts = json_object_get(entry, "actions");
			size_t		ai;

			/* one plan per principal, kind and scope: skip the attr variants */
			if (json_object_size(json_object_get(res, "attr")) > 0 ||
				!json_is_true(json_object_get(req, "includeMeta")))
			{
				json_decref(req);
				continue;
			}
			for (ai = 0; ai < json_array_size(acts) && fgets(wline, sizeof(wline), cp); ai++)
			{
				const char *action = json_string_value(json_array_get(acts, ai));
				const char *scope = json_string_value(json_object_get(res, "scope"));
				json_t	   *plan_req = json_pack("{s:s,s:s,s:O,s:{s:O,s:s,s:{}}}",
												 "requestId", "p",
												 "action", action,
												 "principal", json_object_get(req, "principal"),
												 "resource", "kind", json_object_get(res, "kind"),
												 "scope", scope ? scope : "",
												 "attr");
				char	   *body = json_dumps(plan_req, JSON_COMPACT);
				const char *err = NULL;
				char	   *resp = engine_plan_json(strict, req_arena, body, strlen(body), NULL, true, &err);
				json_t	   *pj = resp ? json_loads(resp, 0, NULL) : NULL;
				json_t	   *filter = json_object_get(pj, "filter");
				const char *kind = json_string_value(json_object_get(filter, "kind"));
				json_t	   *cerbos = json_loads(wline, 0, NULL);
				const char *ckind = json_string_value(json_object_get(cerbos, "kind"));
				static const char *const probes[] = {"{}", "{\"missing\":\"x\"}"};
				const char *checked[2];
				bool		ok = false;
				int			p;

				nplans++;
				/* the strict check on resources without and with the attribute */
				for (p = 0; p < 2; p++)
				{
					json_t	   *chk = json_deep_copy(req);
					json_t	   *ent = json_array_get(json_object_get(chk, "resources"), 0);
					char	   *cb;
					json_t	   *results;

					json_object_set_new(json_object_get(ent, "resource"), "attr", json_loads(probes[p], 0, NULL));
					json_object_set_new(ent, "actions", json_pack("[s]", action));
					cb = json_dumps(chk, JSON_COMPACT);
					results = decide(strict, req_arena, cb, false);
					checked[p] = strcmp(effect_of(results, 0, action), "EFFECT_ALLOW") == 0
						? "KIND_ALWAYS_ALLOWED" : "KIND_ALWAYS_DENIED";
					json_decref(results);
					json_decref(chk);
					free(cb);
				}
				if (kind && strcmp(kind, "KIND_CONDITIONAL") == 0)
				{
					json_t	   *e = json_object_get(json_object_get(filter, "condition"), "expression");
					const char *op = json_string_value(json_object_get(e, "operator"));
					json_t	   *ops = json_object_get(e, "operands");
					size_t		k;

					/* the per-row check, alone or ANDed to the lenient formula */
					ok = op && strcmp(op, PLAN_STRICT_CHECK) == 0;
					for (k = 0; !ok && op && strcmp(op, "and") == 0 && k < json_array_size(ops); k++)
					{
						const char *sub = json_string_value(json_object_get(json_object_get(json_array_get(ops, k), "expression"), "operator"));

						ok = sub && strcmp(sub, PLAN_STRICT_CHECK) == 0;
					}
					per_row += ok;
				}
				else if (kind)
				{
					ok = strcmp(kind, checked[0]) == 0 && strcmp(kind, checked[1]) == 0;
					if (!ok)
						fprintf(stderr, "plan %s for %s, but the strict check says %s, %s\n",
								kind, body, checked[0], checked[1]);
					constant += ok;
				}
				exact += ok;
				/* Cerbos' strict plan: where it agrees with its check, so must we */
				if (ckind == NULL || strcmp(ckind, "KIND_CONDITIONAL") == 0)
					cerbos_conditional++;
				else if (strcmp(ckind, checked[0]) != 0 || strcmp(ckind, checked[1]) != 0)
					cerbos_contradicted++;
				else if (kind && strcmp(kind, ckind) == 0)
					same_as_cerbos++;
				else if (kind && strcmp(kind, "KIND_CONDITIONAL") == 0)
					cerbos_constant_ours_per_row++;
				else
				{
					fprintf(stderr, "plan %s for %s, Cerbos %s\n", kind ? kind : "?", body, ckind);
					CHECK(false);
				}
				json_decref(cerbos);
				json_decref(pj);
				json_decref(plan_req);
				free(body);
				arena_reset(req_arena);
			}
			json_decref(req);
		}
		if (f)
			fclose(f);
		if (cp)
			fclose(cp);
		CHECK(nplans == 1106);
		CHECK(exact == nplans);
		CHECK(per_row > 50 && constant > 100);
		CHECK(same_as_cerbos > 800);
		printf("engine_strict: %d strict plans, %d exact (%d constant, %d per-row); against Cerbos' "
			   "strict plans: %d the same, %d where Cerbos contradicts its own check, %d where Cerbos "
			   "is constant and ours per-row, %d where Cerbos is conditional\n",
			   nplans, exact, constant, per_row, same_as_cerbos, cerbos_contradicted,
			   cerbos_constant_ours_per_row, cerbos_conditional);
	}

	/* named cases: principal u with roles user (+ other) */
	{
		const char *body_user =
			"{\"requestId\":\"t\",\"principal\":{\"id\":\"u\",\"roles\":[\"user\",\"other\"],\"attr\":{\"x\":1}},"
			"\"resources\":[{\"actions\":[\"a\"],\"resource\":{\"kind\":\"%s\",\"id\":\"r\",\"attr\":{}}}]}";
		static const struct
		{
			const char *kind;
			const char *lenient;
			const char *strict;
		}			cases[] = {
			/* DENY whose expr errors: applies under strict */
			{"k13_DENY", "EFFECT_ALLOW", "EFFECT_DENY"},
			/* ALLOW whose expr errors: the action is denied too */
			{"k13_ALLOW", "EFFECT_ALLOW", "EFFECT_DENY"},
			/* all [false, error] stops at false: no error */
			{"k1_DENY", "EFFECT_ALLOW", "EFFECT_ALLOW"},
			/* all [true, error] reaches the error */
			{"k2_DENY", "EFFECT_ALLOW", "EFFECT_DENY"},
			/* any [true, error] stops at true */
			{"k6_DENY", "EFFECT_ALLOW", "EFFECT_ALLOW"},
			/* any [error, true] reaches the error first */
			{"k8_ALLOW", "EFFECT_ALLOW", "EFFECT_DENY"},
			/* none [true, error] stops at true */
			{"k10_DENY", "EFFECT_ALLOW", "EFFECT_ALLOW"},
			/* none [false, error] reaches the error */
			{"k9_DENY", "EFFECT_ALLOW", "EFFECT_DENY"},
		};
		size_t		i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			char		body[1024];
			json_t	   *l,
					   *s;

			snprintf(body, sizeof(body), body_user, cases[i].kind);
			l = decide(lenient, req_arena, body, false);
			s = decide(strict, req_arena, body, false);
			CHECK_STR(effect_of(l, 0, "a"), cases[i].lenient);
			CHECK_STR(effect_of(s, 0, "a"), cases[i].strict);
			json_decref(l);
			json_decref(s);
			arena_reset(req_arena);
		}
	}

	/* the erroring row names the policy and scope: a root DENY under scope o */
	{
		const char *body =
			"{\"requestId\":\"t\",\"includeMeta\":true,\"principal\":{\"id\":\"u\",\"roles\":[\"user\"],\"attr\":{\"x\":1}},"
			"\"resources\":[{\"actions\":[\"c\",\"f\"],\"resource\":{\"kind\":\"sc\",\"id\":\"r\",\"scope\":\"o\",\"attr\":{}}}]}";
		json_t	   *s = decide(strict, req_arena, body, false);
		json_t	   *meta = json_object_get(json_object_get(json_array_get(s, 0), "meta"), "actions");

		CHECK_STR(json_string_value(json_object_get(json_object_get(meta, "c"), "matchedPolicy")),
				  "resource.sc.vdefault");
		CHECK_STR(json_string_value(json_object_get(json_object_get(meta, "f"), "matchedPolicy")),
				  "resource.sc.vdefault/o");
		CHECK_STR(json_string_value(json_object_get(json_object_get(meta, "f"), "matchedScope")), "o");
		json_decref(s);
		arena_reset(req_arena);
	}

	/* the SQL of a strict plan: the formula, then the caller's row check */
	{
		const char *plan =
			"{\"kind\":\"KIND_CONDITIONAL\",\"condition\":{\"expression\":{\"operator\":\"and\",\"operands\":["
			"{\"expression\":{\"operator\":\"eq\",\"operands\":[{\"variable\":\"request.resource.attr.owner\"},{\"value\":\"u1\"}]}},"
			"{\"expression\":{\"operator\":\"authz.check\",\"operands\":[]}}]}}}";
		PlanSqlColumns with = {0};
		const char *err = NULL;
		char	   *sql;

		with.row_check_sql = "row_ok(t)";
		sql = plansql_sql_from_text(req_arena, plan, NULL, &with, NULL, &err);
		CHECK(sql != NULL && strstr(sql, "owner") != NULL && strstr(sql, "(row_ok(t))") != NULL);
		CHECK(plansql_sql_from_text(req_arena, plan, NULL, NULL, NULL, &err) == NULL);
		CHECK_STR(err, PLANSQL_CHECK_REFUSED);
		CHECK(plansql_cel_from_text(req_arena, plan, &err) == NULL);
		arena_reset(req_arena);
	}

	/* suites with options.strictEvaluation, as cerbos compile counts them */
	{
		TsRunOptions ro;
		TsReport	report;
		DiagList	td;

		memset(&ro, 0, sizeof(ro));
		diag_init(&td, arena);
		CHECK(testsuite_run_dir(arena, "../policies/suites_strict", &ro, &report, &td));
		CHECK(report.npassed == 37 && report.nfailed == 11);
		ro.strict_evaluation = true;
		CHECK(testsuite_run_dir(arena, "../policies/suites_strict", &ro, &report, &td));
		CHECK(report.npassed == 42 && report.nfailed == 6);
	}

	UNIT_DONE("engine_strict");
}
