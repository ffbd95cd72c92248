/*
 * sql_cel.c — authz_cel_eval(): one CEL expression from psql.
 *
 * The expression is compiled exactly as a policy condition is (Cerbos'
 * environment, its libraries, the type checker) with every binding
 * declared dyn, then evaluated.  A compile error is an SQL ERROR whose
 * message carries line:column; a runtime error is a result,
 * {"error": "..."}, because in CEL errors are values.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "cel/cel.h"
#include "cel_jsonb.h"
#include "eval_limits.h"

PG_FUNCTION_INFO_V1(authz_cel_eval);

typedef struct Bindings
{
	int			count;
	const char **names;
	CelValue   *values;
} Bindings;

static bool
resolve_binding(void *state, const char *name, CelValue *out)
{
	Bindings   *b = state;
	int			i;

	for (i = 0; i < b->count; i++)
	{
		if (strcmp(b->names[i], name) == 0)
		{
			*out = b->values[i];
			return true;
		}
	}
	return false;
}

/* Decodes the bindings object into names and values. */
static void
decode_bindings(Arena *arena, Jsonb *j, bool typed, Bindings *b)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	int			n;
	int			i = 0;

	if (!JB_ROOT_IS_OBJECT(j) || JB_ROOT_IS_SCALAR(j))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bindings must be a JSON object mapping names to values")));
	n = JB_ROOT_COUNT(j);
	b->names = palloc(sizeof(char *) * (n + 1));
	b->values = palloc(sizeof(CelValue) * (n + 1));
	it = JsonbIteratorInit(&j->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY && i < n)
			b->names[i] = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE && i < n)
		{
			b->values[i] = typed ? authz_typed_jsonb_to_cel(arena, &v)
				: authz_jsonb_value_to_cel(arena, &v);
			i++;
		}
	}
	b->count = i;
}

/* Raises the compile errors in diags as one ERROR. */
static void
report_compile_error(DiagList *diags, int sqlstate)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < diags->count; i++)
	{
		const Diag *d = &diags->items[i];

		if (i > 0)
			appendStringInfoString(&buf, "; ");
		if (d->line > 0)
			appendStringInfo(&buf, "%d:%d: ", d->line, d->column);
		appendStringInfoString(&buf, d->message);
	}
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("invalid CEL expression: %s", buf.len ? buf.data : "unknown error"),
			 (strstr(buf.data, "limit") || strstr(buf.data, "depth exceeded")) ?
			 errhint("The parser's limits are authz.cel_max_expression_size (%d) and authz.cel_max_nesting_depth (%d).",
					 authz_cel_max_expression_size, authz_cel_max_nesting_depth) : 0));
}

/* authz_cel_eval(expr text, bindings jsonb, typed boolean) RETURNS jsonb */
Datum
authz_cel_eval(PG_FUNCTION_ARGS)
{
	text	   *expr = PG_GETARG_TEXT_PP(0);
	Jsonb	   *bindings_json = PG_GETARG_JSONB_P(1);
	bool		typed = PG_GETARG_BOOL(2);
	MemoryContext ctx = AllocSetContextCreate(CurrentMemoryContext, "authz_cel_eval",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(ctx);
	Arena	   *arena = arena_create_in(ctx, 0);
	Bindings	bindings = {0};
	DiagList	diags;
	CelAst	   *ast;
	CelEnv	   *env;
	CelEvalContext ectx;
	CelActivation activation;
	CelValue	result;
	Jsonb	   *out;
	int			i;

	decode_bindings(arena, bindings_json, typed, &bindings);

	diag_init(&diags, arena);
	ast = cel_parse(arena, VARDATA_ANY(expr), VARSIZE_ANY_EXHDR(expr), NULL, &diags);
	if (ast == NULL)
		report_compile_error(&diags, ERRCODE_SYNTAX_ERROR);

	env = cel_env_cerbos(arena);
	for (i = 0; i < bindings.count; i++)
		cel_env_declare(env, bindings.names[i], &cel_type_dyn);
	if (!cel_check(env, ast, arena, &diags))
		report_compile_error(&diags, ERRCODE_DATATYPE_MISMATCH);

	memset(&ectx, 0, sizeof(ectx));
	ectx.arena = arena;
	authz_cel_apply_limits(&ectx);
	activation.resolve = resolve_binding;
	activation.state = &bindings;

	result = cel_eval(&ectx, env, ast, &activation);
	CHECK_FOR_INTERRUPTS();
	if (arena->failed)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory evaluating a CEL expression")));

	if (result.kind == CEL_VAL_ERROR)
	{
		JsonbParseState *state = NULL;
		JsonbValue	k,
					v,
				   *res;
		const char *msg = result.u.err && result.u.err->message ? result.u.err->message : "error";

		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		k.type = jbvString;
		k.val.string.val = "error";
		k.val.string.len = 5;
		pushJsonbValue(&state, WJB_KEY, &k);
		v.type = jbvString;
		v.val.string.val = (char *) msg;
		v.val.string.len = strlen(msg);
		pushJsonbValue(&state, WJB_VALUE, &v);
		res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
		out = JsonbValueToJsonb(res);
	}
	else if (typed)
		out = authz_cel_to_jsonb(arena, result, true);
	else
	{
		JsonbParseState *state = NULL;
		JsonbValue	k,
					v,
				   *res;
		const char *type_name = cel_type_name(cel_value_type(result));
		Jsonb	   *value = authz_cel_to_jsonb(arena, result, false);

		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		k.type = jbvString;
		k.val.string.val = "type";
		k.val.string.len = 4;
		pushJsonbValue(&state, WJB_KEY, &k);
		v.type = jbvString;
		v.val.string.val = (char *) type_name;
		v.val.string.len = strlen(type_name);
		pushJsonbValue(&state, WJB_VALUE, &v);
		k.val.string.val = "value";
		k.val.string.len = 5;
		pushJsonbValue(&state, WJB_KEY, &k);
		if (JB_ROOT_IS_SCALAR(value))
			JsonbExtractScalar(&value->root, &v);
		else
		{
			v.type = jbvBinary;
			v.val.binary.data = &value->root;
			v.val.binary.len = VARSIZE(value) - VARHDRSZ;
		}
		pushJsonbValue(&state, WJB_VALUE, &v);
		res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
		out = JsonbValueToJsonb(res);
	}

	MemoryContextSwitchTo(old);
	/* copy out of the per-call context */
	out = (Jsonb *) PG_DETOAST_DATUM_COPY(PointerGetDatum(out));
	MemoryContextDelete(ctx);
	PG_RETURN_JSONB_P(out);
}
