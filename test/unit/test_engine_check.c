/*
 * test_engine_check.c — replays Cerbos' own engine and server check cases.
 *
 * Each line of check.jsonl names a policy folder, an engine configuration
 * (configs.json) and a CheckResources request with the response Cerbos'
 * tests expect.  The runner compiles each (folder, configuration) once,
 * runs the request through engine_check_json with now() pinned when the
 * case says so, and compares: actions exactly; meta, outputs,
 * effectiveDerivedRoles and validationErrors as sets; a case that wants a
 * 400 must be rejected.  Cases listed in engine_check_known_failures.txt
 * (id, then the reason) may fail; any other failure fails the test.
 *
 * AUTHZ_CHECK_CASES overrides the path of check.jsonl (policies and
 * configs.json are found next to it).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"
#include "policy_paths.h"
#include "engine/engine.h"

#define KNOWN_FAILURES "engine_check_known_failures.txt"
#define MAX_SETS 64

typedef struct CachedSet
{
	char		key[512];
	EngineSet  *set;
	const char *diags;
} CachedSet;

static Arena *compile_arena;
static CachedSet sets[MAX_SETS];
static int	nsets;

/* Numbers equal as doubles; everything else structurally (objects by key). */
static bool
json_same(const json_t *a, const json_t *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (json_is_number(a) && json_is_number(b))
		return fabs(json_number_value(a) - json_number_value(b)) <= 1e-9 * fmax(1.0, fabs(json_number_value(a)));
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_object(a))
	{
		const char *k;
		json_t	   *v;

		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *) a, k, v)
			if (!json_same(v, json_object_get(b, k)))
			return false;
		return true;
	}
	if (json_is_array(a))
	{
		size_t		i;

		if (json_array_size(a) != json_array_size(b))
			return false;
		for (i = 0; i < json_array_size(a); i++)
			if (!json_same(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	return json_equal((json_t *) a, (json_t *) b);
}

/* Arrays equal as multisets (missing = empty). */
static bool
json_same_set(const json_t *a, const json_t *b)
{
	size_t		na = a ? json_array_size(a) : 0;
	size_t		nb = b ? json_array_size(b) : 0;
	size_t		i,
				j;
	char		used[1024] = {0};

	if (na != nb || na > sizeof(used))
		return false;
	for (i = 0; i < na; i++)
	{
		bool		found = false;

		for (j = 0; j < nb && !found; j++)
			if (!used[j] && json_same(json_array_get(a, i), json_array_get(b, j)))
				used[j] = found = true;
		if (!found)
			return false;
	}
	return true;
}

/* Compares one result object; writes the first difference into why. */
static bool
result_matches(const json_t *got, const json_t *want, char *why, size_t whylen)
{
	const json_t *gm = json_object_get(got, "meta");
	const json_t *wm = json_object_get(want, "meta");

	if (!json_same(json_object_get(got, "resource"), json_object_get(want, "resource")))
		return snprintf(why, whylen, "resource differs"), false;
	if (!json_same(json_object_get(got, "actions"), json_object_get(want, "actions")))
		return snprintf(why, whylen, "actions differ"), false;
	if ((gm == NULL) != (wm == NULL))
		return snprintf(why, whylen, "meta presence differs"), false;
	if (wm != NULL)
	{
		if (!json_same(json_object_get(gm, "actions"), json_object_get(wm, "actions")))
			return snprintf(why, whylen, "meta.actions differ"), false;
		if (!json_same_set(json_object_get(gm, "effectiveDerivedRoles"),
						   json_object_get(wm, "effectiveDerivedRoles")))
			return snprintf(why, whylen, "effectiveDerivedRoles differ"), false;
	}
	if (!json_same_set(json_object_get(got, "outputs"), json_object_get(want, "outputs")))
		return snprintf(why, whylen, "outputs differ"), false;
	if (!json_same_set(json_object_get(got, "validationErrors"),
					   json_object_get(want, "validationErrors")))
		return snprintf(why, whylen, "validationErrors differ"), false;
	return true;
}

/* Reads a whole file (malloc'd). */
static char *
read_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n + 1);
	if (buf && fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The compiled set for (policy folder, config), compiled on first use. */
static CachedSet *
get_set(const char *base, const char *policy_set, const char *config_name,
		const json_t *config)
{
	char		key[512];
	char		dir[2048];
	EngineConfig ec;
	DiagList	diags;
	json_t	   *g;
	const char *se;
	int			i;

	snprintf(key, sizeof(key), "%s|%s", policy_set, config_name);
	for (i = 0; i < nsets; i++)
		if (strcmp(sets[i].key, key) == 0)
			return &sets[i];
	if (nsets == MAX_SETS)
		return NULL;
	memset(&ec, 0, sizeof(ec));
	g = json_object_get(config, "globals");
	ec.globals_json = g ? json_dumps(g, JSON_COMPACT) : NULL;
	ec.lenient_scope_search = json_is_true(json_object_get(config, "lenientScopeSearch"));
	se = json_string_value(json_object_get(config, "schemaEnforcement"));
	ec.schema_enforcement = se == NULL ? ENGINE_SCHEMA_NONE :
		strcmp(se, "warn") == 0 ? ENGINE_SCHEMA_WARN :
		strcmp(se, "reject") == 0 ? ENGINE_SCHEMA_REJECT : ENGINE_SCHEMA_NONE;
	{
		json_t	   *lim = json_object_get(config, "requestLimits");

		if (lim)
		{
			ec.max_actions = (int) json_integer_value(json_object_get(lim, "maxActionsPerResource"));
			ec.max_resources = (int) json_integer_value(json_object_get(lim, "maxResourcesPerRequest"));
		}
	}
	snprintf(dir, sizeof(dir), "%s/policies/%s", base, policy_set);
	diag_init(&diags, compile_arena);
	strcpy(sets[nsets].key, key);
	sets[nsets].set = engine_compile_dir(compile_arena, dir, &ec, &diags);
	sets[nsets].diags = diags.count ? diag_render(&diags) : "";
	return &sets[nsets++];
}

/* RFC 3339 with offset -> Unix seconds and nanos. */
static bool
parse_rfc3339(const char *s, int64_t *sec, int32_t *nsec)
{
	struct tm	tm;
	int			y,
				mo,
				d,
				h,
				mi,
				se,
				n = 0;
	const char *p;
	int32_t		ns = 0;
	int			off = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6)
		return false;
	p = s + n;
	if (*p == '.')
	{
		int			digits = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*p - '0');
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (*p == '+' || *p == '-')
	{
		int			oh,
					om;

		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return false;
		off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*sec = (int64_t) timegm(&tm) - off;
	*nsec = ns;
	return true;
}

/* The reason a case is a known failure, or NULL. */
static const char *
known_failure(char *known, const char *id)
{
	char	   *line = known;
	size_t		idlen = strlen(id);

	while (line && *line)
	{
		char	   *nl = strchr(line, '\n');

		if (strncmp(line, id, idlen) == 0 && (line[idlen] == ' ' || line[idlen] == '\t'))
			return line + idlen + 1;
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* Runs one case; true when the answer matches. */
static bool
run_case(const char *base, const json_t *configs, const json_t *c, char *why, size_t whylen)
{
	const char *policy_set = json_string_value(json_object_get(c, "policy_set"));
	const char *config_name = json_string_value(json_object_get(c, "config"));
	const json_t *want = json_object_get(c, "expected");
	const json_t *oracle = json_object_get(c, "oracle");
	json_t	   *merged = NULL;
	const json_t *req = json_object_get(c, "request");
	const json_t *status = json_object_get(c, "want_status");
	bool		want_error = json_is_true(json_object_get(c, "want_error")) ||
		(status && json_integer_value(json_object_get(status, "httpStatusCode")) >= 400);
	CachedSet  *cs = get_set(base, policy_set, config_name, json_object_get(configs, config_name));
	EngineCheckOptions opts;
	Arena	   *arena;
	char	   *body;
	char	   *resp;
	const char *err = NULL;
	json_t	   *got;
	bool		ok = true;
	size_t		i;

	/*
	 * The cel/ cases' `expected` was made from the CEL test's boolean and
	 * lacks what includeMeta adds; the real Cerbos 0.55 answer (oracle)
	 * supplies the rest.  Actions still come from `expected`: the oracle
	 * could not pin now().
	 */
	if (json_object_get(c, "cel_case") != NULL && oracle != NULL &&
		json_integer_value(json_object_get(oracle, "status")) == 200 &&
		json_object_get(oracle, "response") != NULL)
	{
		merged = json_deep_copy(json_object_get(oracle, "response"));
		for (i = 0; i < json_array_size(json_object_get(merged, "results")); i++)
		{
			json_t	   *mr = json_array_get(json_object_get(merged, "results"), i);
			json_t	   *er = json_array_get(json_object_get(want, "results"), i);

			if (er != NULL)
				json_object_set(mr, "actions", json_object_get(er, "actions"));
		}
		want = merged;
	}
	if (cs == NULL || cs->set == NULL)
	{
		snprintf(why, whylen, "policy set %s did not compile: %.300s", policy_set,
				 cs ? cs->diags : "too many sets");
		json_decref(merged);
		return false;
	}
	memset(&opts, 0, sizeof(opts));
	if (json_is_true(json_object_get(c, "now_dependent")))
	{
		const char *now = json_string_value(json_object_get(c, "now"));

		opts.now_pinned = parse_rfc3339(now ? now : "2024-01-16T10:18:27.395+13:00",
										&opts.now_sec, &opts.now_nsec);
	}
	arena = arena_create(NULL, 0);
	body = json_dumps(req, JSON_COMPACT);
	resp = engine_check_json(cs->set, arena, body, strlen(body), &opts, &err);
	free(body);
	if (want_error)
	{
		if (resp != NULL)
		{
			snprintf(why, whylen, "request accepted, want a 400");
			ok = false;
		}
		json_decref(merged);
		arena_destroy(arena);
		return ok;
	}
	if (resp == NULL)
	{
		snprintf(why, whylen, "request rejected: %s", err ? err : "?");
		json_decref(merged);
		arena_destroy(arena);
		return false;
	}
	got = json_loads(resp, 0, NULL);
	if (got == NULL || json_array_size(json_object_get(got, "results")) !=
		json_array_size(json_object_get(want, "results")))
	{
		snprintf(why, whylen, "results count differs");
		ok = false;
	}
	for (i = 0; ok && i < json_array_size(json_object_get(want, "results")); i++)
	{
		char		w[200];

		if (!result_matches(json_array_get(json_object_get(got, "results"), i),
							json_array_get(json_object_get(want, "results"), i), w, sizeof(w)))
		{
			char	   *g = json_dumps(json_array_get(json_object_get(got, "results"), i), JSON_COMPACT);

			snprintf(why, whylen, "results[%zu]: %s; got %.600s", i, w, g ? g : "");
			free(g);
			ok = false;
		}
	}
	json_decref(got);
	json_decref(merged);
	arena_destroy(arena);
	return ok;
}

int
main(void)
{
	const char *path = getenv("AUTHZ_CHECK_CASES");
	char		cases[1024];
	char		base[1024];
	char		cfgpath[1200];
	char	   *slash;
	char	   *text;
	char	   *known;
	char	   *line;
	json_t	   *configs;
	int			passed = 0,
				failed = 0,
				known_failed = 0,
				unexpected = 0;

	if (path == NULL)
	{
		const char *data = shared_data_dir();

		snprintf(cases, sizeof(cases), "%s/cerbos/check.jsonl", data ? data : "../../../shared/data");
		path = cases;
	}
	snprintf(base, sizeof(base), "%s", path);
	slash = strrchr(base, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(base, ".");
	snprintf(cfgpath, sizeof(cfgpath), "%s/configs.json", base);
	text = read_file(path);
	configs = json_load_file(cfgpath, 0, NULL);
	CHECK(text != NULL);
	CHECK(configs != NULL);
	if (text == NULL || configs == NULL)
		UNIT_DONE("engine_check");
	known = read_file(KNOWN_FAILURES);
	compile_arena = arena_create(NULL, 0);

	for (line = text; line && *line;)
	{
		char	   *nl = strchr(line, '\n');
		json_t	   *c;
		char		why[1024] = "";

		if (nl)
			*nl = '\0';
		c = json_loads(line, 0, NULL);
		if (c != NULL)
		{
			const char *id = json_string_value(json_object_get(c, "id"));
			const char *reason = known ? known_failure(known, id) : NULL;

			if (run_case(base, configs, c, why, sizeof(why)))
				passed++;
			else
			{
				failed++;
				if (reason)
					known_failed++;
				else
					unexpected++;
				printf("FAIL %s%s: %s\n", id, reason ? " (known)" : "", why);
			}
			json_decref(c);
		}
		line = nl ? nl + 1 : NULL;
	}
	printf("engine_check: %d passed, %d failed (%d known, %d unexpected)\n",
		   passed, failed, known_failed, unexpected);
	/* the unit summary: every case not listed as known must pass */
	CHECK(unexpected == 0);
	CHECK(passed > 0);
	json_decref(configs);
	free(text);
	free(known);
	arena_destroy(compile_arena);
	UNIT_DONE("engine_check_unit");
}
