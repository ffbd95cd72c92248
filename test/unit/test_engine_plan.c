/*
 * test_engine_plan.c — replays Cerbos' own query-planner cases.
 *
 * Each line of plan.jsonl names a policy folder, an engine configuration
 * and a PlanResources request with the filter Cerbos' tests expect.  The
 * runner compiles each (folder, configuration) once, plans the request
 * with engine_plan_json (now() pinned as the planner tests pin it) and
 * compares the filter: the kind must be equal; a conditional filter is
 * either identical as JSON or semantically equal: both filters, printed
 * as CEL (plansql's filter_to_cel), keep the same resources out of a set
 * generated from the literals in both filters plus absent attributes.
 * The same is checked for the plan with condition marks.  meta.filterDebug
 * is compared with the real Cerbos' answer where its filter is ours.
 * Every plan, with condition marks, is also run against the check engine:
 * on the generated resources it must keep exactly those engine_check_json
 * allows for all the actions (marks evaluated as "error counts as false").
 * Cases listed in engine_plan_known_failures.txt (id, then the reason)
 * may fail the comparison with Cerbos' expected filter; any other failure
 * fails the test.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "engine/engine_int.h"
#include "engine/plan.h"
#include "plansql/plansql.h"
#include "plansql/plansql_eval.h"
#include "policy_paths.h"

#define KNOWN_FAILURES "engine_plan_known_failures.txt"
#define MAX_SETS 64
#define MAX_CANDIDATES 24
#define MAX_ATTRS 24
#define MAX_RESOURCES 4000

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


/* ---------- generated resources ---------- */

typedef struct Harvest
{
	const char *attrs[MAX_ATTRS];	/* top-level attribute names */
	int			nattrs;
	bool		uses_id;
	json_t	   *values;			/* candidate values (array) */
} Harvest;

/* Adds a candidate value if not already there. */
static void
add_value(Harvest *h, json_t *v)
{
	size_t		i;

	for (i = 0; i < json_array_size(h->values); i++)
		if (json_equal(json_array_get(h->values, i), v))
		{
			json_decref(v);
			return;
		}
	if (json_array_size(h->values) < MAX_CANDIDATES)
		json_array_append_new(h->values, v);
	else
		json_decref(v);
}

/* Collects variables and literals of a filter tree. */
static void
harvest(Harvest *h, const json_t *f, int depth)
{
	json_t	   *e,
			   *v;

	if (f == NULL || depth > 100)
		return;
	if ((e = json_object_get(f, "expression")) != NULL)
	{
		json_t	   *ops = json_object_get(e, "operands");
		size_t		i;

		for (i = 0; i < json_array_size(ops); i++)
			harvest(h, json_array_get(ops, i), depth + 1);
	}
	else if ((v = json_object_get(f, "variable")) != NULL)
	{
		const char *name = json_string_value(v);
		const char *prefix = "request.resource.attr.";

		if (name && strcmp(name, "request.resource.id") == 0)
			h->uses_id = true;
		else if (name && strncmp(name, prefix, strlen(prefix)) == 0)
		{
			char		attr[256];
			const char *p = name + strlen(prefix);
			size_t		n = strcspn(p, ".");
			int			i;

			snprintf(attr, sizeof(attr), "%.*s", (int) n, p);
			for (i = 0; i < h->nattrs; i++)
				if (strcmp(h->attrs[i], attr) == 0)
					break;
			if (i == h->nattrs && h->nattrs < MAX_ATTRS)
				h->attrs[h->nattrs++] = strdup(attr);
		}
	}
	else if ((v = json_object_get(f, "value")) != NULL)
	{
		add_value(h, json_incref(v));
		if (json_is_array(v))
		{
			size_t		i;

			for (i = 0; i < json_array_size(v); i++)
				add_value(h, json_incref(json_array_get(v, i)));
		}
	}
}

/* A small deterministic generator. */
static uint64_t
next_random(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/*
 * Candidate values of one attribute: absent (NULL), every literal, lists
 * of them, and the nested forms a dotted variable needs.
 */
static json_t *
candidates(const Harvest *h)
{
	json_t	   *c = json_array();
	json_t	   *strs = json_array();
	size_t		i;

	json_array_append_new(c, json_null());	/* stands for "absent" */
	for (i = 0; i < json_array_size(h->values); i++)
	{
		json_t	   *v = json_array_get(h->values, i);

		/* a null literal stands for absence (SQL's NULL); a present null is
		 * told apart by has() in CEL but not in a filter, as in Cerbos */
		if (json_is_null(v))
			continue;

		json_array_append(c, v);
		if (!json_is_array(v))
		{
			json_t	   *one = json_array();

			json_array_append(one, v);
			json_array_append_new(c, one);
		}
		if (json_is_string(v))
			json_array_append(strs, v);
	}
	json_array_append_new(c, json_array());
	json_array_append_new(c, strs);
	json_array_append_new(c, json_true());
	json_array_append_new(c, json_false());
	json_array_append_new(c, json_string(""));
	return c;
}

/* Fills the nested forms of dotted variables (x.a.b = literal). */
static void
nested_candidates(const json_t *f, json_t *cands_by_attr, int depth)
{
	json_t	   *e;

	if (f == NULL || depth > 100)
		return;
	if ((e = json_object_get(f, "expression")) != NULL)
	{
		json_t	   *ops = json_object_get(e, "operands");
		size_t		i,
					j;

		/* (op var value): the variable's path holding the value */
		for (i = 0; i < json_array_size(ops); i++)
		{
			const char *name = json_string_value(json_object_get(json_array_get(ops, i), "variable"));
			const char *prefix = "request.resource.attr.";

			if (name && strncmp(name, prefix, strlen(prefix)) == 0 &&
				strchr(name + strlen(prefix), '.') != NULL)
			{
				char		attr[256];
				const char *p = name + strlen(prefix);
				size_t		n = strcspn(p, ".");
				json_t	   *list;

				snprintf(attr, sizeof(attr), "%.*s", (int) n, p);
				list = json_object_get(cands_by_attr, attr);
				for (j = 0; list && j < json_array_size(ops); j++)
				{
					json_t	   *val = json_object_get(json_array_get(ops, j), "value");
					json_t	   *obj,
							   *cur;
					const char *seg = p + n + 1;

					if (val == NULL)
						continue;
					obj = json_object();
					cur = obj;
					while (strchr(seg, '.'))
					{
						char		part[256];
						json_t	   *inner = json_object();

						snprintf(part, sizeof(part), "%.*s", (int) strcspn(seg, "."), seg);
						json_object_set_new(cur, part, inner);
						cur = inner;
						seg += strcspn(seg, ".") + 1;
					}
					json_object_set(cur, seg, val);
					json_array_append_new(list, obj);
				}
			}
			nested_candidates(json_array_get(ops, i), cands_by_attr, depth + 1);
		}
	}
}

/* A generated resource's verdicts agree for both compiled filters? */
typedef struct Compare
{
	int			resources;
	int			differ;
	char		example[600];
} Compare;

/* Decides one generated resource: 1 kept, 0 not (the visitor's verdicts differ when they disagree). */
typedef bool (*Visit) (void *state, json_t *attr, const char *id, int *a, int *b);

/*
 * Generates resources from the literals and variables of the trees (all
 * combinations, or a fixed-seed sample when there are too many) and asks
 * visit whether its two verdicts agree on each.
 */
static void
generate(const json_t **trees, int ntrees, const json_t *known_attr, Visit visit,
		 void *state, Compare *cmp, int max_resources)
{
	Harvest		h;
	json_t	   *cands,
			   *by_attr;
	size_t		ncand[MAX_ATTRS + 1];
	double		total = 1;
	uint64_t	seed = 12345;
	int			r,
				i,
				t;

	memset(cmp, 0, sizeof(*cmp));
	memset(&h, 0, sizeof(h));
	h.values = json_array();
	for (t = 0; t < ntrees; t++)
		harvest(&h, trees[t], 0);
	cands = candidates(&h);
	by_attr = json_object();
	for (i = 0; i < h.nattrs; i++)
		json_object_set_new(by_attr, h.attrs[i], json_deep_copy(cands));
	for (t = 0; t < ntrees; t++)
		nested_candidates(trees[t], by_attr, 0);
	for (i = 0; i < h.nattrs; i++)
	{
		ncand[i] = json_array_size(json_object_get(by_attr, h.attrs[i]));
		total *= (double) ncand[i];
	}
	for (r = 0; r < max_resources && (double) r < total * (h.uses_id ? 4 : 1); r++)
	{
		json_t	   *attr = known_attr ? json_deep_copy(known_attr) : json_object();
		uint64_t	k = (uint64_t) r;
		const char *id = "";
		int			a,
					b;
		char		idbuf[256];

		if (attr == NULL)
			attr = json_object();
		/* the id: absent, a string literal, or another string */
		if (h.uses_id)
		{
			size_t		pick = (total * 4 > max_resources) ? next_random(&seed) % 4 : k % 4;
			size_t		j;

			if (!(total * 4 > max_resources))
				k /= 4;
			for (j = 0; pick > 0 && j < json_array_size(h.values); j++)
				if (json_is_string(json_array_get(h.values, j)))
				{
					snprintf(idbuf, sizeof(idbuf), "%s", json_string_value(json_array_get(h.values, j)));
					id = (pick == 1) ? idbuf : "other";
					break;
				}
		}
		for (i = 0; i < h.nattrs; i++)
		{
			json_t	   *list = json_object_get(by_attr, h.attrs[i]);
			size_t		pick;

			if (total > max_resources)
				pick = (r == 0) ? 0 : next_random(&seed) % ncand[i];
			else
			{
				pick = k % ncand[i];
				k /= ncand[i];
			}
			if (pick > 0)
				json_object_set(attr, h.attrs[i], json_array_get(list, pick));
		}
		cmp->resources++;
		if (!visit(state, attr, id, &a, &b) && cmp->differ++ == 0)
		{
			char	   *s = json_dumps(attr, JSON_COMPACT);

			snprintf(cmp->example, sizeof(cmp->example), "id=%s attr=%.300s want %d got %d",
					 id, s ? s : "", a, b);
			free(s);
		}
		json_decref(attr);
	}
	json_decref(cands);
	json_decref(by_attr);
	json_decref(h.values);
	for (i = 0; i < h.nattrs; i++)
		free((char *) h.attrs[i]);
}

/* State of the two-filter comparison. */
typedef struct TwoFilters
{
	Arena	   *arena;
	CelEvalContext *ctx;
	PlanSqlCel *want;
	PlanSqlCel *got;
} TwoFilters;

/* Both filters keep or drop the resource. */
static bool
visit_two_filters(void *state, json_t *attr, const char *id, int *a, int *b)
{
	TwoFilters *tf = state;
	CelValue	av = engine_json_to_cel(tf->arena, attr, 0);

	*a = plansql_cel_eval(tf->ctx, tf->want, av, id);
	*b = plansql_cel_eval(tf->ctx, tf->got, av, id);
	return (*a == 1) == (*b == 1);
}

/* Evaluates both filters over generated resources. */
static bool
same_semantics(Arena *arena, const json_t *want, const json_t *got, CelEvalContext *ctx,
			   const json_t *known_attr, Compare *cmp, char *why, size_t whylen)
{
	const char *err = NULL;
	char	   *wtext = filter_operand_to_cel(arena, want, &err);
	char	   *gtext;
	TwoFilters	tf;
	const json_t *trees[2] = {want, got};

	memset(cmp, 0, sizeof(*cmp));
	if (wtext == NULL)
		return snprintf(why, whylen, "expected filter does not print: %s", err), false;
	gtext = filter_operand_to_cel(arena, got, &err);
	if (gtext == NULL)
		return snprintf(why, whylen, "our filter does not print: %s", err), false;
	tf.arena = arena;
	tf.ctx = ctx;
	tf.want = plansql_cel_compile(arena, wtext, &err);
	if (tf.want == NULL)
		return snprintf(why, whylen, "expected filter does not compile: %s: %.200s", err, wtext), false;
	tf.got = plansql_cel_compile(arena, gtext, &err);
	if (tf.got == NULL)
		return snprintf(why, whylen, "our filter does not compile: %s: %.300s", err, gtext), false;
	generate(trees, 2, known_attr, visit_two_filters, &tf, cmp, MAX_RESOURCES);
	if (cmp->differ > 0)
		return snprintf(why, whylen, "%d of %d resources differ (%s); want %.300s; got %.500s",
						cmp->differ, cmp->resources, cmp->example, wtext, gtext), false;
	return true;
}

/* Does the tree contain the operator op anywhere? */
static bool
has_operator(const json_t *f, const char *op, int depth)
{
	json_t	   *e;
	size_t		i;

	if (f == NULL || depth > 200)
		return false;
	if ((e = json_object_get(f, "expression")) == NULL)
		return false;
	if (strcmp(json_string_value(json_object_get(e, "operator")), op) == 0)
		return true;
	for (i = 0; i < json_array_size(json_object_get(e, "operands")); i++)
		if (has_operator(json_array_get(json_object_get(e, "operands"), i), op, depth + 1))
			return true;
	return false;
}

/* ---------- the plan against the check engine ---------- */

#define MAX_COMPILED 256

/* State of the plan-against-check comparison. */
typedef struct PlanVsCheck
{
	Arena	   *arena;
	CelEvalContext *ctx;
	const EngineSet *set;
	const EngineCheckOptions *opts;
	const json_t *request;		/* the plan request */
	const json_t *condition;	/* the marked plan's condition; NULL: kind decides */
	bool		always;			/* KIND_ALWAYS_ALLOWED */
	const json_t *nodes[MAX_COMPILED];
	PlanSqlCel *compiled[MAX_COMPILED];
	int			ncompiled;
	const char *error;
	int			no_cache;		/* evaluating a throwaway copy: node addresses recur */
} PlanVsCheck;

static void replace_marks(PlanVsCheck *pc, json_t *f, CelValue attr, const char *id, int depth);

/*
 * A marked filter for one resource, with CEL's error values kept: 1 true,
 * 0 false, -1 error.  and/or/not follow CEL (false absorbs an error in
 * and, true in or); authz.condition turns an error into false; any other
 * subtree is printed as CEL and evaluated.
 */
static int
eval_marked(PlanVsCheck *pc, const json_t *f, CelValue attr, const char *id, int depth)
{
	json_t	   *e = json_object_get(f, "expression");
	const char *op = e ? json_string_value(json_object_get(e, "operator")) : NULL;
	json_t	   *ops = e ? json_object_get(e, "operands") : NULL;
	size_t		i;
	int			k;

	if (depth > 200)
		return -1;
	if (op && (strcmp(op, "and") == 0 || strcmp(op, "or") == 0))
	{
		bool		is_and = op[0] == 'a';
		bool		err = false;

		for (i = 0; i < json_array_size(ops); i++)
		{
			int			v = eval_marked(pc, json_array_get(ops, i), attr, id, depth + 1);

			if (v == (is_and ? 0 : 1))
				return v;
			if (v == -1)
				err = true;
		}
		return err ? -1 : (is_and ? 1 : 0);
	}
	if (op && strcmp(op, "not") == 0 && json_array_size(ops) == 1)
	{
		int			v = eval_marked(pc, json_array_get(ops, 0), attr, id, depth + 1);

		return v == -1 ? -1 : !v;
	}
	if (op && strcmp(op, PLAN_CONDITION_MARK) == 0 && json_array_size(ops) == 1)
		return eval_marked(pc, json_array_get(ops, 0), attr, id, depth + 1) == 1 ? 1 : 0;
	/* marks inside a value (runtime's if(cond, [r], [])): their verdicts as constants */
	if (has_operator(f, PLAN_CONDITION_MARK, 0))
	{
		json_t	   *copy = json_deep_copy(f);
		const char *err = NULL;
		char	   *text;
		PlanSqlCel *c;
		int			v;

		pc->no_cache++;
		replace_marks(pc, copy, attr, id, depth + 1);
		pc->no_cache--;
		text = filter_operand_to_cel(pc->arena, copy, &err);
		c = text ? plansql_cel_compile(pc->arena, text, &err) : NULL;
		json_decref(copy);
		if (c == NULL)
		{
			pc->error = err ? err : "does not compile";
			return -1;
		}
		v = plansql_cel_eval(pc->ctx, c, attr, id);
		return v;
	}
	for (k = 0; k < pc->ncompiled && pc->no_cache == 0; k++)
		if (pc->nodes[k] == f)
			break;
	if (pc->no_cache > 0)
		k = pc->ncompiled;
	if (k == pc->ncompiled)
	{
		const char *err = NULL;
		char	   *text = filter_operand_to_cel(pc->arena, f, &err);
		PlanSqlCel *c = text ? plansql_cel_compile(pc->arena, text, &err) : NULL;

		if (c == NULL)
		{
			pc->error = err ? err : "does not compile";
			return -1;
		}
		if (k == MAX_COMPILED || pc->no_cache > 0)
			return plansql_cel_eval(pc->ctx, c, attr, id);
		pc->nodes[k] = f;
		pc->compiled[k] = c;
		pc->ncompiled++;
	}
	return plansql_cel_eval(pc->ctx, pc->compiled[k], attr, id);
}

/* Replaces every authz.condition(X) under f by the constant X has for this resource. */
static void
replace_marks(PlanVsCheck *pc, json_t *f, CelValue attr, const char *id, int depth)
{
	json_t	   *e = json_object_get(f, "expression");
	json_t	   *ops = e ? json_object_get(e, "operands") : NULL;
	size_t		i;

	if (e == NULL || depth > 200)
		return;
	for (i = 0; i < json_array_size(ops); i++)
	{
		json_t	   *o = json_array_get(ops, i);
		json_t	   *oe = json_object_get(o, "expression");

		if (oe && strcmp(json_string_value(json_object_get(oe, "operator")), PLAN_CONDITION_MARK) == 0)
		{
			int			v = eval_marked(pc, json_array_get(json_object_get(oe, "operands"), 0),
										attr, id, depth + 1);
			json_t	   *c = json_object();

			json_object_set_new(c, "value", json_boolean(v == 1));
			json_array_set_new(ops, i, c);
		}
		else
			replace_marks(pc, o, attr, id, depth + 1);
	}
}

/* The plan keeps the resource exactly when the check engine allows every action. */
static bool
visit_plan_vs_check(void *state, json_t *attr, const char *id, int *a, int *b)
{
	PlanVsCheck *pc = state;
	const json_t *req = pc->request;
	const json_t *res = json_object_get(req, "resource");
	json_t	   *creq = json_object();
	json_t	   *cres = json_object();
	json_t	   *entry = json_object();
	json_t	   *actions = json_object_get(req, "actions");
	const char *rid = id[0] ? id : "plan-test-id";
	const char *err = NULL;
	char	   *body,
			   *resp;
	json_t	   *got;
	const char *k;
	json_t	   *v;

	json_object_set_new(creq, "requestId", json_string("plan-vs-check"));
	json_object_set(creq, "principal", json_object_get(req, "principal"));
	if (json_object_get(req, "auxData"))
		json_object_set(creq, "auxData", json_object_get(req, "auxData"));
	json_object_set_new(cres, "kind", json_string(json_string_value(json_object_get(res, "kind"))));
	json_object_set_new(cres, "id", json_string(rid));
	if (json_object_get(res, "policyVersion"))
		json_object_set(cres, "policyVersion", json_object_get(res, "policyVersion"));
	if (json_object_get(res, "scope"))
		json_object_set(cres, "scope", json_object_get(res, "scope"));
	json_object_set(cres, "attr", attr);
	if (actions == NULL || json_array_size(actions) == 0)
	{
		actions = json_array();
		json_array_append(actions, json_object_get(req, "action"));
		json_object_set_new(entry, "actions", actions);
	}
	else
		json_object_set(entry, "actions", actions);
	json_object_set_new(entry, "resource", cres);
	json_object_set_new(creq, "resources", json_array());
	json_array_append_new(json_object_get(creq, "resources"), entry);
	body = json_dumps(creq, JSON_COMPACT);
	json_decref(creq);
	resp = engine_check_json(pc->set, pc->arena, body, strlen(body), pc->opts, &err);
	free(body);
	got = resp ? json_loads(resp, 0, NULL) : NULL;
	*a = got != NULL ? 1 : -1;
	json_object_foreach(json_object_get(json_array_get(json_object_get(got, "results"), 0), "actions"), k, v)
		if (strcmp(json_string_value(v), "EFFECT_ALLOW") != 0)
		*a = 0;
	json_decref(got);
	if (pc->condition == NULL)
		*b = pc->always ? 1 : 0;
	else
		*b = eval_marked(pc, pc->condition, engine_json_to_cel(pc->arena, attr, 0), rid, 0) == 1;
	return *a == *b;
}

/*
 * Runs the marked plan of req against the check engine on generated
 * resources; prints the first difference (tagged with id) when they
 * disagree.
 */
static bool
plan_agrees_with_check(Arena *arena, CelEvalContext *ctx, const EngineSet *set,
					   const EngineCheckOptions *opts, const json_t *req,
					   const json_t *mfilter, int max_resources, const char *id)
{
	PlanVsCheck pc;
	const json_t *trees[1];
	Compare		cmp;

	memset(&pc, 0, sizeof(pc));
	pc.arena = arena;
	pc.ctx = ctx;
	pc.set = set;
	pc.opts = opts;
	pc.request = req;
	pc.condition = json_object_get(mfilter, "condition");
	pc.always = strcmp(json_string_value(json_object_get(mfilter, "kind")), "KIND_ALWAYS_ALLOWED") == 0;
	trees[0] = pc.condition;
	generate(trees, pc.condition ? 1 : 0,
			 json_object_get(json_object_get(req, "resource"), "attr"),
			 visit_plan_vs_check, &pc, &cmp, max_resources);
	if (cmp.differ == 0 && pc.error == NULL)
		return true;
	{
		char	   *m = json_dumps(mfilter, JSON_COMPACT);

		printf("CHECKDIFF %s: %d of %d resources (%s)%s%s; plan %.600s\n",
			   id, cmp.differ, cmp.resources, cmp.example,
			   pc.error ? "; " : "", pc.error ? pc.error : "", m ? m : "");
		free(m);
	}
	return false;
}

/* ---------- one case ---------- */

static int n_kind_equal,
			n_identical,
			n_semantic,
			n_debug_equal,
			n_debug_total,
			n_marks_equal,
			n_valerr_equal,
			n_scope_equal,
			n_scope_total,
			n_check_agree,
			n_check_skipped,
			n_body_equal,
			n_body_total;

/* Runs one case; true when the plan matches. */
static bool
run_case(const char *base, const json_t *configs, const json_t *c, char *why, size_t whylen)
{
	const char *policy_set = json_string_value(json_object_get(c, "policy_set"));
	const char *config_name = json_string_value(json_object_get(c, "config"));
	const json_t *want = json_object_get(c, "expected");
	const json_t *oracle = json_object_get(json_object_get(c, "oracle"), "response");
	const json_t *req = json_object_get(c, "request");
	const json_t *wfilter = json_object_get(want, "filter");
	CachedSet  *cs = get_set(base, policy_set, config_name, json_object_get(configs, config_name));
	EngineCheckOptions opts;
	Arena	   *arena;
	char	   *body;
	char	   *resp,
			   *resp_marked;
	const char *err = NULL;
	json_t	   *got = NULL,
			   *got_marked = NULL;
	const json_t *gfilter;
	CelEvalContext ctx;
	Compare		cmp;
	bool		ok = true;
	const char *now = json_string_value(json_object_get(c, "now"));

	if (cs == NULL || cs->set == NULL)
		return snprintf(why, whylen, "policy set %s did not compile: %.300s", policy_set,
						cs ? cs->diags : "too many sets"), false;
	memset(&opts, 0, sizeof(opts));
	opts.now_pinned = parse_rfc3339(now ? now : "2024-01-16T10:18:27.395+13:00",
									&opts.now_sec, &opts.now_nsec);
	arena = arena_create(NULL, 0);
	body = json_dumps(req, JSON_COMPACT);
	resp = engine_plan_json(cs->set, arena, body, strlen(body), &opts, false, &err);
	resp_marked = engine_plan_json(cs->set, arena, body, strlen(body), &opts, true, &err);
	free(body);
	if (resp == NULL || resp_marked == NULL)
	{
		snprintf(why, whylen, "request rejected: %s", err ? err : "?");
		arena_destroy(arena);
		return false;
	}
	/* the planner's internal error placeholder never gets out */
	CHECK(strstr(resp, "authz.error") == NULL && strstr(resp_marked, "authz.error") == NULL);
	got = json_loads(resp, 0, NULL);
	got_marked = json_loads(resp_marked, 0, NULL);
	gfilter = json_object_get(got, "filter");
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.now_set = true;
	ctx.now_sec = opts.now_sec;
	ctx.now_nsec = opts.now_nsec;
	ctx.max_iterations = 1000000;
	ctx.max_string_bytes = 1 << 20;
	ctx.max_list_items = 100000;
	ctx.regex_match_limit = 100000;

	/* the whole body as the real binary answered (its call id aside) */
	if (oracle)
	{
		json_t	   *o = json_deep_copy(oracle);

		json_object_del(o, "cerbosCallId");
		n_body_total++;
		if (json_same(o, got))
			n_body_equal++;
		else if (getenv("AUTHZ_PLAN_SHOW_DIFF"))
		{
			char	   *a = json_dumps(o, JSON_COMPACT);

			printf("BODYDIFF %s\n  want %.700s\n  got  %.700s\n", json_string_value(json_object_get(c, "id")), a, resp);
			free(a);
		}
		json_decref(o);
	}
	if (oracle && json_same_set(json_object_get(got, "validationErrors"),
								json_object_get(oracle, "validationErrors")))
		n_valerr_equal++;
	if (oracle && json_equal(json_object_get(json_object_get(oracle, "filter"), "kind"),
							 json_object_get(gfilter, "kind")))
	{
		const json_t *om = json_object_get(oracle, "meta");
		const json_t *gm = json_object_get(got, "meta");

		n_scope_total++;
		if (json_same(json_object_get(om, "matchedScope"), json_object_get(gm, "matchedScope")) &&
			json_same(json_object_get(om, "matchedScopes"), json_object_get(gm, "matchedScopes")))
			n_scope_equal++;
		else if (getenv("AUTHZ_PLAN_SHOW_DIFF"))
		{
			char	   *a = json_dumps(om, JSON_COMPACT);
			char	   *b = json_dumps(gm, JSON_COMPACT);

			printf("SCOPEDIFF %s\n  want %s\n  got  %s\n", json_string_value(json_object_get(c, "id")), a, b);
			free(a);
			free(b);
		}
	}
	/*
	 * The marked plan keeps exactly what the check engine allows.  Not
	 * comparable under schema enforcement "reject": a check rejects a
	 * resource missing a required attribute, which a plan cannot know.
	 */
	if (strcmp(json_string_value(json_object_get(json_object_get(configs, config_name),
												 "schemaEnforcement")), "reject") == 0)
		n_check_skipped++;
	else if (plan_agrees_with_check(arena, &ctx, cs->set, &opts, req,
									json_object_get(got_marked, "filter"), MAX_RESOURCES,
									json_string_value(json_object_get(c, "id"))))
		n_check_agree++;
	if (!json_equal(json_object_get(gfilter, "kind"), json_object_get(wfilter, "kind")))
	{
		char	   *g = json_dumps(gfilter, JSON_COMPACT);

		snprintf(why, whylen, "kind: want %s, got %.600s",
				 json_string_value(json_object_get(wfilter, "kind")), g ? g : "");
		free(g);
		ok = false;
	}
	else
	{
		n_kind_equal++;
		if (json_object_get(wfilter, "condition") == NULL)
		{
			n_identical++;
			n_semantic++;
			n_marks_equal++;
			if (oracle && json_object_get(oracle, "meta") &&
				json_equal(json_object_get(json_object_get(oracle, "filter"), "kind"),
						   json_object_get(gfilter, "kind")))
			{
				n_debug_total++;
				if (json_equal(json_object_get(json_object_get(oracle, "meta"), "filterDebug"),
							   json_object_get(json_object_get(got, "meta"), "filterDebug")))
					n_debug_equal++;
				else if (getenv("AUTHZ_PLAN_SHOW_DIFF"))
					printf("DEBUGDIFF %s\n  want %s\n  got  %s\n", json_string_value(json_object_get(c, "id")),
						   json_string_value(json_object_get(json_object_get(oracle, "meta"), "filterDebug")),
						   json_string_value(json_object_get(json_object_get(got, "meta"), "filterDebug")));
			}
		}
		else
		{
			const json_t *wc = json_object_get(wfilter, "condition");
			const json_t *gc = json_object_get(gfilter, "condition");
			const json_t *known_attr = json_object_get(json_object_get(req, "resource"), "attr");

			if (json_same(wc, gc))
			{
				n_identical++;
				n_semantic++;
			}
			else
			{
				if (getenv("AUTHZ_PLAN_SHOW_DIFF"))
				{
					char	   *a = json_dumps(wc, JSON_COMPACT);
					char	   *b = json_dumps(gc, JSON_COMPACT);

					printf("DIFF %s\n  want %s\n  got  %s\n",
						   json_string_value(json_object_get(c, "id")), a, b);
					free(a);
					free(b);
				}
				if (same_semantics(arena, wc, gc, &ctx, known_attr, &cmp, why, whylen))
					n_semantic++;
				else
					ok = false;
			}
			if (same_semantics(arena, wc, json_object_get(json_object_get(got_marked, "filter"), "condition"),
							   &ctx, known_attr, &cmp, why, whylen))
				n_marks_equal++;
			/* the real binary's filterDebug, where its filter is ours (it could
			 * not pin now(), and Go's map order varies) */
			if (oracle && json_object_get(oracle, "meta") &&
				json_same(json_object_get(json_object_get(oracle, "filter"), "condition"), gc))
			{
				n_debug_total++;
				if (json_equal(json_object_get(json_object_get(oracle, "meta"), "filterDebug"),
							   json_object_get(json_object_get(got, "meta"), "filterDebug")))
					n_debug_equal++;
				else if (getenv("AUTHZ_PLAN_SHOW_DIFF"))
					printf("DEBUGDIFF %s\n  want %s\n  got  %s\n", json_string_value(json_object_get(c, "id")),
						   json_string_value(json_object_get(json_object_get(oracle, "meta"), "filterDebug")),
						   json_string_value(json_object_get(json_object_get(got, "meta"), "filterDebug")));
			}
		}
	}
	json_decref(got);
	json_decref(got_marked);
	arena_destroy(arena);
	return ok;
}

/*
 * The API around the cases: bad requests name the field, condition marks
 * appear only when asked for, and the decoded entry point plans as the
 * JSON one does.
 */
static void
api_checks(const char *base, const json_t *configs)
{
	CachedSet  *cs = get_set(base, "query_planner", "engine", json_object_get(configs, "engine"));
	Arena	   *arena = arena_create(NULL, 0);
	const char *err = NULL;
	const char *good = "{\"requestId\":\"r\",\"action\":\"view\",\"includeMeta\":true,"
		"\"principal\":{\"id\":\"harry\",\"roles\":[\"employee\"],\"policyVersion\":\"default\"},"
		"\"resource\":{\"kind\":\"leave_request\",\"policyVersion\":\"default\"}}";
	const char *bad[][2] = {
		{"{\"action\":\"view\",\"principal\":{\"id\":\"h\",\"roles\":[\"r\"]}}", "resource"},
		{"{\"principal\":{\"id\":\"h\",\"roles\":[\"r\"]},\"resource\":{\"kind\":\"k\"}}", "action"},
		{"{\"action\":\"v\",\"principal\":{\"id\":\"h\",\"roles\":[]},\"resource\":{\"kind\":\"k\"}}", "principal.roles"},
		{"{\"action\":\"v\",\"principal\":{\"id\":\"h\",\"roles\":[\"r\"]},\"resource\":{}}", "resource.kind"},
		{"{\"action\":\"v\",\"principal\":{\"id\":\"h\",\"roles\":[\"r\"]},\"resource\":{\"kind\":\"k\"},\"bogus\":1}", "bogus"},
		{"[1]", "request"},
	};
	char	   *plain,
			   *marked;
	json_t	   *jp,
			   *jm;
	size_t		i;

	CHECK(cs != NULL && cs->set != NULL);
	if (cs == NULL || cs->set == NULL)
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		err = NULL;
		CHECK(engine_plan_json(cs->set, arena, bad[i][0], strlen(bad[i][0]), NULL, false, &err) == NULL);
		CHECK(err != NULL && strstr(err, bad[i][1]) != NULL);
	}
	plain = engine_plan_json(cs->set, arena, good, strlen(good), NULL, false, &err);
	marked = engine_plan_json(cs->set, arena, good, strlen(good), NULL, true, &err);
	CHECK(plain != NULL && marked != NULL);
	jp = json_loads(plain ? plain : "", 0, NULL);
	jm = json_loads(marked ? marked : "", 0, NULL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(jp, "filter"), "kind")), "KIND_CONDITIONAL");
	CHECK(!has_operator(json_object_get(json_object_get(jp, "filter"), "condition"), PLAN_CONDITION_MARK, 0));
	CHECK(has_operator(json_object_get(json_object_get(jm, "filter"), "condition"), PLAN_CONDITION_MARK, 0));
	CHECK_STR(json_string_value(json_object_get(json_object_get(jp, "meta"), "filterDebug")),
			  "(and (not request.resource.attr.hidden_from_employee) (eq request.resource.attr.owner \"harry\"))");

	/* the decoded entry point: the same plan */
	{
		const char *roles[] = {"employee"};
		const char *actions[] = {"view"};
		EnginePrincipal p = {"harry", roles, 1, {0}, "default", ""};
		EngineResource r = {"leave_request", "", {0}, "default", ""};
		EnginePlan plan;

		CHECK(engine_plan_decoded(cs->set, arena, &p, &r, actions, 1, NULL, false, &plan, &err));
		CHECK(plan.kind == PLAN_KIND_CONDITIONAL);
		CHECK(json_same(plan.condition, json_object_get(json_object_get(jp, "filter"), "condition")));
		json_decref(plan.condition);
		r.kind = "";
		CHECK(!engine_plan_decoded(cs->set, arena, &p, &r, actions, 1, NULL, false, &plan, &err));
		CHECK(err != NULL && strstr(err, "resource.kind") != NULL);
	}
	json_decref(jp);
	json_decref(jm);
	arena_destroy(arena);
}

/*
 * AUTHZ_PLAN_WIDE=1: every request of plan.jsonl planned again for every
 * action the file asks of its resource kind, each plan run against the
 * check engine (slower; a search for disagreements beyond the cases).
 */
static void
wide_checks(const char *base, const json_t *configs, const char *text)
{
	json_t	   *cases = json_array();
	json_t	   *actions_by_kind = json_object();
	const char *line = text;
	size_t		i,
				j;
	int			agree = 0,
				total = 0;

	while (line && *line)
	{
		const char *nl = strchr(line, '\n');
		json_t	   *c = json_loadb(line, nl ? (size_t) (nl - line) : strlen(line), 0, NULL);

		if (c != NULL)
		{
			const json_t *req = json_object_get(c, "request");
			const char *kind = json_string_value(json_object_get(json_object_get(req, "resource"), "kind"));
			json_t	   *list = json_object_get(actions_by_kind, kind);
			json_t	   *acts = json_array();
			json_t	   *a;

			if (json_object_get(req, "action"))
				json_array_append(acts, json_object_get(req, "action"));
			for (j = 0; j < json_array_size(json_object_get(req, "actions")); j++)
				json_array_append(acts, json_array_get(json_object_get(req, "actions"), j));
			if (list == NULL)
			{
				list = json_array();
				json_object_set_new(actions_by_kind, kind, list);
			}
			json_array_foreach(acts, j, a)
			{
				size_t		k;

				for (k = 0; k < json_array_size(list) && !json_equal(json_array_get(list, k), a); k++)
					;
				if (k == json_array_size(list))
					json_array_append(list, a);
			}
			json_decref(acts);
			json_array_append_new(cases, c);
		}
		line = nl ? nl + 1 : NULL;
	}
	for (i = 0; i < json_array_size(cases); i++)
	{
		const json_t *c = json_array_get(cases, i);
		const char *config_name = json_string_value(json_object_get(c, "config"));
		const json_t *req = json_object_get(c, "request");
		const char *kind = json_string_value(json_object_get(json_object_get(req, "resource"), "kind"));
		CachedSet  *cs = get_set(base, json_string_value(json_object_get(c, "policy_set")), config_name,
							 json_object_get(configs, config_name));
		const char *now = json_string_value(json_object_get(c, "now"));
		EngineCheckOptions opts;
		json_t	   *a;

		if (cs == NULL || cs->set == NULL ||
			strcmp(json_string_value(json_object_get(json_object_get(configs, config_name),
													 "schemaEnforcement")), "reject") == 0)
			continue;
		memset(&opts, 0, sizeof(opts));
		opts.now_pinned = parse_rfc3339(now ? now : "2024-01-16T10:18:27.395+13:00",
										&opts.now_sec, &opts.now_nsec);
		json_array_foreach(json_object_get(actions_by_kind, kind), j, a)
		{
			Arena	   *arena = arena_create(NULL, 0);
			json_t	   *r = json_deep_copy(req);
			char	   *body,
					   *resp;
			const char *err = NULL;
			json_t	   *got;
			CelEvalContext ctx;
			char		id[512];

			json_object_del(r, "actions");
			json_object_set(r, "action", a);
			body = json_dumps(r, JSON_COMPACT);
			resp = engine_plan_json(cs->set, arena, body, strlen(body), &opts, true, &err);
			free(body);
			got = resp ? json_loads(resp, 0, NULL) : NULL;
			memset(&ctx, 0, sizeof(ctx));
			ctx.arena = arena;
			ctx.now_set = true;
			ctx.now_sec = opts.now_sec;
			ctx.now_nsec = opts.now_nsec;
			ctx.max_iterations = 1000000;
			ctx.max_string_bytes = 1 << 20;
			ctx.max_list_items = 100000;
			ctx.regex_match_limit = 100000;
			snprintf(id, sizeof(id), "%s [%s]", json_string_value(json_object_get(c, "id")),
					 json_string_value(a));
			total++;
			if (got && plan_agrees_with_check(arena, &ctx, cs->set, &opts, r,
											  json_object_get(got, "filter"), 300, id))
				agree++;
			json_decref(got);
			json_decref(r);
			arena_destroy(arena);
		}
	}
	printf("wide: %d of %d (request, action) plans agree with the check engine\n", agree, total);
	CHECK(agree == total);
	json_decref(cases);
	json_decref(actions_by_kind);
}

/* ---------- random policies ---------- */

typedef struct Rng
{
	uint64_t	s;
} Rng;

/* A number below n. */
static int
rnd(Rng *r, int n)
{
	return (int) (next_random(&r->s) % (uint64_t) n);
}

/* Appends a random boolean CEL expression over the resource and principal. */
static void
random_expr(Rng *r, char *buf, size_t size, int depth)
{
	static const char *const atoms[] = {
		"R.attr.a == \"x\"", "R.attr.a != \"y\"", "R.attr.n > 2", "R.attr.n <= P.attr.n",
		"R.attr.a in [\"x\", \"z\"]", "\"x\" in R.attr.tags", "has(R.attr.a)",
		"R.attr.a.startsWith(\"x\")", "size(R.attr.tags) > 1", "R.attr.flag",
		"R.attr.tags.exists(t, t == P.attr.s)", "R.attr.tags.all(t, t != \"y\")",
		"R.attr.owner == P.id", "R.id == \"z\"", "R.attr.n + 1 == 3", "P.attr.n > 1",
		"P.attr.s == \"nope\"", "R.attr.a == P.attr.missing", "R.attr.m.k == \"x\"",
		"(R.attr.flag ? R.attr.n : 0) > 1", "[\"x\", \"y\"].exists(v, v == R.attr.a)",
		"R.attr.tags.filter(t, t.startsWith(\"x\")).size() == 1", "V.mine", "!V.mine",
		"R.attr.a in P.attr.list", "R.attr.n in [1, 2.0, 3]",
		"R.attr.tags.exists(t, t == P.attr.missing)", "R.attr.tags.all(t, t == P.attr.missing)",
		"(R.attr.flag ? P.attr.missing : R.attr.n) > 1",
	};
	size_t		len = strlen(buf);
	int			k = depth > 2 ? 0 : rnd(r, 4);

	if (len + 200 > size)
		k = 0;
	switch (k)
	{
		case 1:
		case 2:
			snprintf(buf + len, size - len, "(");
			random_expr(r, buf, size, depth + 1);
			len = strlen(buf);
			snprintf(buf + len, size - len, k == 1 ? " && " : " || ");
			random_expr(r, buf, size, depth + 1);
			len = strlen(buf);
			snprintf(buf + len, size - len, ")");
			break;
		case 3:
			snprintf(buf + len, size - len, "!(");
			random_expr(r, buf, size, depth + 1);
			len = strlen(buf);
			snprintf(buf + len, size - len, ")");
			break;
		default:
			snprintf(buf + len, size - len, "%s", atoms[rnd(r, (int) (sizeof(atoms) / sizeof(atoms[0])))]);
			break;
	}
}

/* A random condition block (match expr, or an all/any/none list). */
static void
random_condition(Rng *r, FILE *f, const char *indent)
{
	char		e[2048];
	int			k = rnd(r, 5);

	fprintf(f, "%scondition:\n%s  match:\n", indent, indent);
	if (k < 3)
	{
		e[0] = '\0';
		random_expr(r, e, sizeof(e), 0);
		fprintf(f, "%s    expr: '%s'\n", indent, e);
	}
	else
	{
		int			n = 1 + rnd(r, 3),
					i;

		fprintf(f, "%s    %s:\n%s      of:\n", indent, (const char *[]) {"all", "any", "none"}[rnd(r, 3)], indent);
		for (i = 0; i < n; i++)
		{
			e[0] = '\0';
			random_expr(r, e, sizeof(e), 1);
			fprintf(f, "%s        - expr: '%s'\n", indent, e);
		}
	}
}

/* Writes one random policy set (resource policy, derived roles) into dir. */
static void
random_policies(Rng *r, const char *dir)
{
	char		path[1200];
	FILE	   *f;
	int			nrules = 1 + rnd(r, 4),
				i;

	snprintf(path, sizeof(path), "%s/derived.yaml", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "apiVersion: api.cerbos.dev/v1\nderivedRoles:\n  name: rnd_roles\n"
			"  variables:\n    local:\n      mine: 'R.attr.owner == P.id'\n  definitions:\n"
			"    - name: owner\n      parentRoles: [\"user\"]\n");
	random_condition(r, f, "      ");
	fprintf(f, "    - name: anyone\n      parentRoles: [\"*\"]\n");
	fclose(f);

	snprintf(path, sizeof(path), "%s/doc.yaml", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: doc\n  version: default\n"
			"  importDerivedRoles: [rnd_roles]\n  variables:\n    local:\n");
	{
		char		e[2048] = "";

		random_expr(r, e, sizeof(e), 1);
		fprintf(f, "      mine: '%s'\n", strstr(e, "V.mine") ? "R.attr.owner == P.id" : e);
	}
	fprintf(f, "  rules:\n");
	for (i = 0; i < nrules; i++)
	{
		int			who = rnd(r, 4);

		fprintf(f, "    - actions: [%s]\n", (const char *[]) {"\"view\"", "\"edit\"", "\"*\"", "\"view\", \"edit\""}[rnd(r, 4)]);
		if (who == 3)
			fprintf(f, "      derivedRoles: [%s]\n", rnd(r, 2) ? "owner" : "anyone");
		else
			fprintf(f, "      roles: [%s]\n", (const char *[]) {"\"user\"", "\"admin\"", "\"*\""}[who]);
		fprintf(f, "      effect: %s\n", rnd(r, 10) < 7 ? "EFFECT_ALLOW" : "EFFECT_DENY");
		if (rnd(r, 5) > 0)
			random_condition(r, f, "      ");
	}
	fclose(f);

	/* a scoped policy under it, sometimes requiring the parent's consent */
	snprintf(path, sizeof(path), "%s/doc_acme.yaml", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: doc\n  version: default\n"
			"  scope: acme\n  variables:\n    local:\n      mine: '!(R.attr.owner == P.id)'\n");
	if (rnd(r, 2))
		fprintf(f, "  scopePermissions: %s\n", rnd(r, 2) ? "SCOPE_PERMISSIONS_OVERRIDE_PARENT" :
				"SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS");
	fprintf(f, "  rules:\n");
	for (i = 0; i < 1 + rnd(r, 2); i++)
	{
		fprintf(f, "    - actions: [%s]\n      roles: [%s]\n      effect: %s\n",
				(const char *[]) {"\"view\"", "\"edit\"", "\"*\""}[rnd(r, 3)],
				(const char *[]) {"\"user\"", "\"admin\"", "\"*\""}[rnd(r, 3)],
				rnd(r, 10) < 7 ? "EFFECT_ALLOW" : "EFFECT_DENY");
		if (rnd(r, 4) > 0)
			random_condition(r, f, "      ");
	}
	fclose(f);

	/* a role policy narrowing admin at acme, now and then */
	snprintf(path, sizeof(path), "%s/admin_acme.yaml", dir);
	if (rnd(r, 3) == 0)
	{
		f = fopen(path, "w");
		if (f == NULL)
			return;
		fprintf(f, "apiVersion: api.cerbos.dev/v1\nrolePolicy:\n  role: admin\n  scope: acme\n"
				"  rules:\n    - resource: doc\n      allowActions: [%s]\n",
				(const char *[]) {"\"view\"", "\"edit\"", "\"view\", \"edit\""}[rnd(r, 3)]);
		if (rnd(r, 2))
			random_condition(r, f, "      ");
		fclose(f);
	}
	else
		remove(path);

	/* a principal policy for u1, now and then */
	snprintf(path, sizeof(path), "%s/u1.yaml", dir);
	if (rnd(r, 3) == 0)
	{
		f = fopen(path, "w");
		if (f == NULL)
			return;
		fprintf(f, "apiVersion: api.cerbos.dev/v1\nprincipalPolicy:\n  principal: u1\n  version: default\n"
				"  variables:\n    local:\n      mine: 'R.attr.a == \"x\"'\n  rules:\n    - resource: doc\n      actions:\n        - action: %s\n          effect: %s\n",
				rnd(r, 2) ? "view" : "\"*\"", rnd(r, 2) ? "EFFECT_ALLOW" : "EFFECT_DENY");
		if (rnd(r, 3) > 0)
			random_condition(r, f, "          ");
		fclose(f);
	}
	else
		remove(path);
}

/*
 * Random resource policies (rules for roles and derived roles, ALLOW and
 * DENY, conditions mixing resource and principal attributes, errors from
 * missing or mistyped attributes), each planned for two actions and run
 * against the check engine on generated resources.
 */
static void
random_checks(int count)
{
	Rng			r = {20260101};
	int			i,
				agree = 0,
				total = 0,
				compiled = 0;
	char		dir[] = "/tmp/authz-plan-random-XXXXXX";

	if (mkdtemp(dir) == NULL)
	{
		CHECK(false);
		return;
	}
	for (i = 0; i < count; i++)
	{
		Arena	   *arena = arena_create(NULL, 0);
		EngineConfig ec;
		DiagList	diags;
		EngineSet  *set;
		int			a;

		random_policies(&r, dir);
		memset(&ec, 0, sizeof(ec));
		diag_init(&diags, arena);
		set = engine_compile_dir(arena, dir, &ec, &diags);
		if (set != NULL)
			compiled++;
		else if (getenv("AUTHZ_PLAN_SHOW_DIFF"))
			printf("random #%d does not compile: %.300s\n", i, diag_render(&diags));
		for (a = 0; set != NULL && a < 2; a++)
		{
			const char *action = a == 0 ? "view" : "edit";
			const char *roles = (const char *[]) {"[\"user\"]", "[\"admin\"]", "[\"user\", \"admin\"]", "[\"guest\"]"}[rnd(&r, 4)];
			char		body[1024];
			const char *err = NULL;
			char	   *resp;
			json_t	   *req,
					   *got;
			EngineCheckOptions opts;
			CelEvalContext ctx;
			char		id[64];

			snprintf(body, sizeof(body),
					 "{\"requestId\":\"r\",\"action\":\"%s\",\"principal\":{\"id\":\"u1\",\"roles\":%s,"
					 "\"attr\":{\"s\":\"x\",\"n\":%d,\"list\":[\"x\",\"q\"]}},\"resource\":{\"kind\":\"doc\"%s}}",
					 action, roles, 1 + rnd(&r, 3), rnd(&r, 2) ? ",\"scope\":\"acme\"" : "");
			memset(&opts, 0, sizeof(opts));
			opts.now_pinned = true;
			opts.now_sec = 1705353507;
			resp = engine_plan_json(set, arena, body, strlen(body), &opts, true, &err);
			CHECK(resp == NULL || strstr(resp, "authz.error") == NULL);
			req = json_loads(body, 0, NULL);
			got = resp ? json_loads(resp, 0, NULL) : NULL;
			memset(&ctx, 0, sizeof(ctx));
			ctx.arena = arena;
			ctx.now_set = true;
			ctx.now_sec = opts.now_sec;
			ctx.max_iterations = 1000000;
			ctx.max_string_bytes = 1 << 20;
			ctx.max_list_items = 100000;
			ctx.regex_match_limit = 100000;
			snprintf(id, sizeof(id), "random #%d %s", i, action);
			total++;
			if (got && plan_agrees_with_check(arena, &ctx, set, &opts, req,
											  json_object_get(got, "filter"), 400, id))
				agree++;
			else if (getenv("AUTHZ_PLAN_SHOW_DIFF"))
			{
				char		cmd[1400];

				snprintf(cmd, sizeof(cmd), "cat %s/*.yaml", dir);
				printf("request %s\n", body);
				fflush(stdout);
				if (system(cmd) != 0)
					printf("(policies not shown)\n");
			}
			json_decref(req);
			json_decref(got);
		}
		arena_destroy(arena);
	}
	{
		char		path[1200];

		snprintf(path, sizeof(path), "%s/doc.yaml", dir);
		remove(path);
		snprintf(path, sizeof(path), "%s/derived.yaml", dir);
		remove(path);
		snprintf(path, sizeof(path), "%s/doc_acme.yaml", dir);
		remove(path);
		snprintf(path, sizeof(path), "%s/u1.yaml", dir);
		remove(path);
		snprintf(path, sizeof(path), "%s/admin_acme.yaml", dir);
		remove(path);
		rmdir(dir);
	}
	printf("random policies: %d generated, %d compiled; %d of %d plans agree with the check engine\n",
		   count, compiled, agree, total);
	CHECK(compiled > count / 2);
	CHECK(agree == total);
}

int
main(void)
{
	const char *data = shared_data_dir();
	char		base[1024];
	char		path[1200];
	char		cfgpath[1200];
	char	   *text;
	char	   *known;
	char	   *line;
	json_t	   *configs;
	int			passed = 0,
				failed = 0,
				known_failed = 0,
				unexpected = 0,
				total = 0;

	CHECK(data != NULL);
	if (data == NULL)
		UNIT_DONE("engine_plan");
	snprintf(base, sizeof(base), "%s/cerbos", data);
	snprintf(path, sizeof(path), "%s/plan.jsonl", base);
	snprintf(cfgpath, sizeof(cfgpath), "%s/configs.json", base);
	text = read_file(path);
	configs = json_load_file(cfgpath, 0, NULL);
	CHECK(text != NULL);
	CHECK(configs != NULL);
	if (text == NULL || configs == NULL)
		UNIT_DONE("engine_plan");
	known = read_file(KNOWN_FAILURES);
	compile_arena = arena_create(NULL, 0);
	api_checks(base, configs);

	for (line = text; line && *line;)
	{
		char	   *nl = strchr(line, '\n');
		json_t	   *c;
		char		why[2048] = "";

		if (nl)
			*nl = '\0';
		c = json_loads(line, 0, NULL);
		if (c != NULL)
		{
			const char *id = json_string_value(json_object_get(c, "id"));
			const char *reason = known ? known_failure(known, id) : NULL;

			total++;
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
	printf("plan cases: %d; kinds equal %d, identical JSON %d, semantically equal %d; "
		   "with condition marks semantically equal %d; filterDebug equal %d of %d comparable; "
		   "validationErrors equal %d; meta.matchedScope(s) equal %d of %d comparable\n",
		   total, n_kind_equal, n_identical, n_semantic, n_marks_equal, n_debug_equal,
		   n_debug_total, n_valerr_equal, n_scope_equal, n_scope_total);
	printf("whole response bodies identical to the real Cerbos 0.55 binary's: %d of %d\n",
		   n_body_equal, n_body_total);
	printf("plan with condition marks against the check engine (authz_check) on generated resources: "
		   "%d of %d cases agree (%d under schema rejection not comparable)\n",
		   n_check_agree, total - n_check_skipped, n_check_skipped);
	printf("engine_plan: %d passed, %d failed (%d known, %d unexpected)\n",
		   passed, failed, known_failed, unexpected);
	CHECK(unexpected == 0);
	CHECK(passed > 0);
	CHECK(n_debug_equal == n_debug_total);
	/* exactness: every plan keeps just the resources the check engine allows */
	CHECK(n_check_agree == total - n_check_skipped);
	random_checks(getenv("AUTHZ_PLAN_RANDOM") ? atoi(getenv("AUTHZ_PLAN_RANDOM")) : 150);
	if (getenv("AUTHZ_PLAN_WIDE"))
	{
		char	   *again = read_file(path);

		wide_checks(base, configs, again);
		free(again);
	}
	json_decref(configs);
	free(text);
	free(known);
	arena_destroy(compile_arena);
	UNIT_DONE("engine_plan_unit");
}
