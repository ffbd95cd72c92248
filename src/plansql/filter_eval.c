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
#include "plansql.h"
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

/* ---------- a whole filter, authz.condition included ---------- */

/* Evaluates one operand as a condition: 1 true, 0 false, -1 error; -2 with
 * *error set when a subtree does not compile. */
static int
eval_operand(CelEvalContext *ctx, const json_t *j, CelValue attr, const char *id,
			 int depth, const char **error)
{
	const json_t *e = json_object_get(j, "expression");
	const char *op = json_string_value(json_object_get(e, "operator"));
	const json_t *args = json_object_get(e, "operands");
	size_t		n = json_array_size(args);
	size_t		i;
	char	   *text;
	PlanSqlCel *c;

	if (depth > PLANSQL_MAX_DEPTH)
	{
		*error = "the filter is nested too deeply";
		return -2;
	}
	if (op != NULL && n > 0 && (strcmp(op, "and") == 0 || strcmp(op, "or") == 0))
	{
		bool		and = op[0] == 'a';
		bool		err = false;

		/* CEL's && and ||: a deciding operand wins over errors */
		for (i = 0; i < n; i++)
		{
			int			r = eval_operand(ctx, json_array_get(args, i), attr, id, depth + 1, error);

			if (r == -2)
				return -2;
			if (r == (and ? 0 : 1))
				return r;
			if (r < 0)
				err = true;
		}
		return err ? -1 : (and ? 1 : 0);
	}
	if (op != NULL && n == 1 && (strcmp(op, "not") == 0 || strcmp(op, PLANSQL_CONDITION_OP) == 0))
	{
		int			r = eval_operand(ctx, json_array_get(args, 0), attr, id, depth + 1, error);

		if (r == -2)
			return -2;
		if (op[0] == 'n')
			return r < 0 ? -1 : 1 - r;
		return r == 1 ? 1 : 0;	/* an error counts as false */
	}
	if (op != NULL && n == 3 && strcmp(op, "if") == 0)
	{
		int			r = eval_operand(ctx, json_array_get(args, 0), attr, id, depth + 1, error);

		if (r < 0)
			return r;
		return eval_operand(ctx, json_array_get(args, r ? 1 : 2), attr, id, depth + 1, error);
	}
	text = filter_operand_to_cel(ctx->arena, j, error);
	if (text == NULL)
		return -2;
	c = plansql_cel_compile(ctx->arena, text, error);
	if (c == NULL)
		return -2;
	return plansql_cel_eval(ctx, c, attr, id);
}

/* A whole filter for one resource: 1 true, 0 false, -1 error, -2 bad filter. */
int
plansql_filter_eval(CelEvalContext *ctx, const json_t *filter, CelValue attr,
					const char *id, const char **error)
{
	const char *kind = NULL;
	const json_t *cond;

	*error = NULL;
	cond = plansql_condition(filter, &kind, error);
	if (cond == NULL)
		return *error ? -2 : (strcmp(kind, "KIND_ALWAYS_ALLOWED") == 0 ? 1 : 0);
	return eval_operand(ctx, cond, attr, id, 0, error);
}

/* plansql_filter_eval over JSON text. */
int
plansql_filter_eval_text(CelEvalContext *ctx, const char *filter_json, CelValue attr,
						 const char *id, const char **error)
{
	json_error_t jerr;
	json_t	   *filter = json_loads(filter_json, JSON_DECODE_ANY, &jerr);
	int			r;

	if (filter == NULL)
	{
		*error = arena_printf(ctx->arena, "invalid filter: %s", jerr.text);
		return -2;
	}
	r = plansql_filter_eval(ctx, filter, attr, id, error);
	json_decref(filter);
	return r;
}
