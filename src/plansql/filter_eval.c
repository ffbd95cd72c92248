/*
 * filter_eval.c — the CEL text of a filter evaluated for one resource.
 *
 * The reference the SQL translation is measured against, and what
 * authz_filter_cel runs for the subtrees SQL cannot express: the text is
 * compiled in Cerbos' environment and evaluated with R and
 * request.resource bound to {"id": id, "attr": attr}, as a condition sees
 * the resource.  Only exactly true counts as true.
 */
#include "plansql_eval.h"
#include "../cel/cel.h"

#include <string.h>

typedef struct Resource
{
	CelValue	R;
	CelValue	request;
} Resource;

/* A map standing for a protobuf message (absent fields read as defaults). */
static CelValue
message(Arena *arena, const char *type, const char *const *names, const CelValue *vals, int n)
{
	CelValue   *keys = arena_alloc(arena, sizeof(CelValue) * n);
	CelValue	m;
	int			i;

	if (keys == NULL)
		return cel_error(arena, "out of memory");
	for (i = 0; i < n; i++)
		keys[i] = cel_string(names[i], strlen(names[i]));
	m = cel_map_from(arena, keys, vals, n);
	if (m.kind == CEL_VAL_MAP)
		((CelMap *) m.u.map)->msg_type = type;
	return m;
}

/* Activation: R and request. */
static bool
resolve(void *state, const char *name, CelValue *out)
{
	Resource   *r = state;

	if (strcmp(name, "R") == 0)
		return (*out = r->R, true);
	if (strcmp(name, "request") == 0)
		return (*out = r->request, true);
	return false;
}

/* Compiles CEL text in Cerbos' environment; NULL with *error on failure. */
PlanSqlCel *
plansql_cel_compile(Arena *arena, const char *text, const char **error)
{
	DiagList	diags;
	CelAst	   *ast;
	PlanSqlCel *c;
	const CelEnv *env;

	*error = NULL;
	diag_init(&diags, arena);
	ast = cel_parse(arena, text, strlen(text), NULL, &diags);
	env = cel_env_cerbos(arena);
	if (ast == NULL || env == NULL || !cel_check(env, ast, arena, &diags))
	{
		*error = diags.count > 0 ? diags.items[0].message : "invalid CEL expression";
		return NULL;
	}
	c = arena_alloc0(arena, sizeof(PlanSqlCel));
	if (c == NULL)
	{
		*error = "out of memory";
		return NULL;
	}
	c->ast = ast;
	c->env = env;
	return c;
}

/* Evaluates a compiled filter for one resource: 1 true, 0 false, -1 error. */
int
plansql_cel_eval(CelEvalContext *ctx, const PlanSqlCel *c, CelValue attr, const char *id)
{
	static const char *const rnames[] = {"kind", "id", "attr", "policyVersion",
	"policy_version", "scope"};
	static const char *const qnames[] = {"resource"};
	CelValue	rv[6];
	Resource	r;
	CelActivation act;
	CelValue	result;

	rv[0] = cel_string("", 0);
	rv[1] = id ? cel_string(id, strlen(id)) : cel_string("", 0);
	rv[2] = attr.kind == CEL_VAL_MAP ? attr : cel_map_from(ctx->arena, NULL, NULL, 0);
	rv[3] = rv[4] = rv[5] = cel_string("", 0);
	r.R = message(ctx->arena, "cerbos.engine.v1.Request.Resource", rnames, rv, 6);
	r.request = message(ctx->arena, "cerbos.engine.v1.Request", qnames, &r.R, 1);
	act.resolve = resolve;
	act.state = &r;
	result = cel_eval(ctx, NULL, c->ast, &act);
	if (result.kind == CEL_VAL_BOOL)
		return result.u.b ? 1 : 0;
	return -1;
}
