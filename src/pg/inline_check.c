/*
 * inline_check.c — authz_check calls the query planner can see through.
 *
 * A call of authz_check per row costs a decision per row, and building the
 * resource's jsonb alone costs more than the hand-written condition it
 * stands for.  When the principal and the action are constants and the
 * resource is spelled out as
 *
 *   jsonb_build_object('kind', 'document', 'id', <expr>,
 *                      'attr', jsonb_build_object('owner', <expr>, ...))
 *
 * (optionally with constant 'policyVersion' and 'scope'), the planner
 * support function of authz_check replaces the call by the query plan of
 * the principal for that kind and action, translated to SQL over the
 * expressions themselves (src/plansql/, as row-level security does):
 * `public OR owner = 'bob'`, which the executor evaluates natively and an
 * index can serve.
 *
 * Exactness.  jsonb_build_object turns a SQL NULL into an attribute that is
 * present with the value null, while the translation reads NULL as an
 * absent attribute; and authz_check raises an error for a NULL or empty
 * id.  So the rewrite is
 *
 *   CASE WHEN <every expression not null, the id not empty>
 *        THEN <filter> ELSE authz_check(<the original arguments>) END
 *
 * where the guard leaves out what is provably not null (constants, NOT
 * NULL columns of a query without joins).  Evaluating every expression
 * that might fail in the guard keeps the errors the original call would
 * raise.  Attribute values of types the translator reads natively (text,
 * integers, boolean, timestamptz, jsonb) are used as they are; any other
 * type goes through to_jsonb(), which is the very conversion
 * jsonb_build_object applies.  The engine holds numbers as doubles where
 * the SQL compares them exactly, so values that may carry a number of
 * sixteen digits or more (int8 beyond 10^15, numeric, json, jsonb...) are
 * guarded too, and such rows go to the call.  Anything else (a volatile or
 * sub-select expression in the resource, a filter with sub-selects outside
 * a query with a range table, a key that is not a constant, a plan that
 * reads now(), the decision log on, schema enforcement or strict
 * evaluation on) leaves the call alone.
 *
 * authz_check(resource, action), for the session principal, is rewritten
 * the same way with the principal (and token claims) of the moment; a
 * plan holding such a call is forgotten when the principal changes.
 *
 * The ELSE branch's authz_check carries location INLINE_DONE so that a
 * second simplification (estimation, re-planning of the same tree) leaves
 * it alone instead of nesting rewrites.
 *
 * Cached plans.  A rewritten call embeds the policies, settings and (for
 * the session form) principal of the moment; inline_plans.c makes cached
 * plans forget it when they change.
 */
#include "postgres.h"

#include "catalog/pg_attribute.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_param.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "access/htup_details.h"

#include "arena_pg.h"
#include "authz_pg.h"
#include "cel_jsonb.h"
#include "engine/engine.h"
#define PLANSQL_NO_JANSSON
#include "plansql/plansql.h"
#include "plansql/plan_sql.h"
#include "sql_filter.h"

PG_FUNCTION_INFO_V1(authz_check_support);

/* Marks the authz_check a rewrite keeps for its ELSE branch. */
#define INLINE_DONE (-2)
/* text <> text (pg_operator has no symbolic name for it) */
#define TEXT_NE_OPERATOR 531
/* Most attributes one rewritten call may name. */
#define MAX_INLINE_ATTRS 64

static Node *false_for_null(Node *filter);

/* ---------- reading the call ---------- */

/* One attribute (or the id) of the resource: its expression and how it is read. */
typedef struct InlineArg
{
	char	   *name;			/* attribute name; NULL for the id */
	Expr	   *expr;
	Oid			type;
	PlanSqlType sqltype;
} InlineArg;

/* What a rewritable call consists of. */
typedef struct InlineCall
{
	Jsonb	   *principal;
	Jsonb	   *claims;			/* the session's token claims, or NULL */
	char	   *action;
	char	   *kind;
	char	   *policy_version;
	char	   *scope;
	InlineArg	args[MAX_INLINE_ATTRS + 1];
	int			nargs;			/* args[0] is the id */
} InlineCall;

/* A non-null text constant's value, or NULL. */
static char *
const_text(Node *n)
{
	Const	   *c = (Const *) n;

	if (n == NULL || !IsA(n, Const) || c->constisnull)
		return NULL;
	if (c->consttype == UNKNOWNOID)
		return pstrdup(DatumGetCString(c->constvalue));	/* a literal passed to "any" */
	if (c->consttype != TEXTOID && c->consttype != VARCHAROID)
		return NULL;
	return TextDatumGetCString(c->constvalue);
}

/* Whether s is non-empty and made of letters, digits and the characters extra allows. */
static bool
plain_name(const char *s, const char *extra)
{
	const char *p;

	if (s == NULL || *s == '\0')
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || strchr(extra, *p) != NULL))
			return false;
	return true;
}

/* Whether s is a CEL identifier (a filter variable names it without quoting). */
static bool
identifier(const char *s)
{
	return plain_name(s, "") && !(s[0] >= '0' && s[0] <= '9');
}

/* Whether n is a call of jsonb_build_object with its arguments listed. */
static bool
is_build_object(Node *n)
{
	FuncExpr   *f = (FuncExpr *) n;

	return n != NULL && IsA(n, FuncExpr) && !f->funcvariadic &&
		(f->funcid == F_JSONB_BUILD_OBJECT_ANY || f->funcid == F_JSONB_BUILD_OBJECT_) &&
		list_length(f->args) % 2 == 0;
}

/*
 * How the translator reads an attribute of this SQL type: as a protected
 * table's column of the type, except numeric and floats (NaN, infinities)
 * and arrays, which are read through to_jsonb(), jsonb_build_object's own
 * conversion.
 */
static PlanSqlType
inline_sql_type(Oid type)
{
	Oid			base = getBaseType(type);
	PlanSqlType t = authz_plansql_type(base);

	if (t == PLANSQL_NUMERIC && base != INT2OID && base != INT4OID && base != INT8OID)
		return PLANSQL_UNKNOWN;
	if (t == PLANSQL_TEXT_ARRAY || t == PLANSQL_NUMERIC_ARRAY || t == PLANSQL_BOOLEAN_ARRAY)
		return PLANSQL_UNKNOWN;
	return t;
}

/*
 * The principal, if it is one authz_validate_principal accepts without a
 * doubt (so that decoding it here cannot raise an error the original call
 * would have raised only when it ran).
 */
static bool
plain_principal(Jsonb *j)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	int			depth = 0;
	int			nroles = 0;
	enum
	{
		NONE, ID, ROLES, ATTR
	}			key = NONE;
	bool		have_id = false;

	if (!JB_ROOT_IS_OBJECT(j) || JB_ROOT_IS_SCALAR(j))
		return false;
	it = JsonbIteratorInit(&j->root);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_OBJECT || tok == WJB_BEGIN_ARRAY)
		{
			if (depth == 1 && key == ROLES && tok != WJB_BEGIN_ARRAY)
				return false;
			if (depth == 1 && key == ATTR && tok != WJB_BEGIN_OBJECT)
				return false;
			depth++;
			continue;
		}
		if (tok == WJB_END_OBJECT || tok == WJB_END_ARRAY)
		{
			depth--;
			continue;
		}
		if (depth == 1 && tok == WJB_KEY)
		{
			if (v.val.string.len == 2 && strncmp(v.val.string.val, "id", 2) == 0)
				key = ID;
			else if (v.val.string.len == 5 && strncmp(v.val.string.val, "roles", 5) == 0)
				key = ROLES;
			else if (v.val.string.len == 4 && strncmp(v.val.string.val, "attr", 4) == 0)
				key = ATTR;
			else
				return false;	/* policyVersion, scope: left to the call */
			continue;
		}
		if (depth == 1 && tok == WJB_VALUE)
		{
			/* a scalar right under the root: only the id may be one */
			if (key != ID || v.type != jbvString || v.val.string.len == 0)
				return false;
			have_id = true;
			continue;
		}
		if (depth == 2 && key == ROLES)
		{
			if (tok != WJB_ELEM || v.type != jbvString || v.val.string.len == 0)
				return false;
			nroles++;
		}
		if (depth > 2 && key == ROLES)
			return false;
	}
	return have_id && nroles >= 1 && nroles <= 100;
}

/* Adds one argument to the call; false when there are too many. */
static bool
add_arg(InlineCall *call, char *name, Expr *expr)
{
	InlineArg  *a;

	if (call->nargs >= MAX_INLINE_ATTRS + 1)
		return false;
	if (exprType((Node *) expr) == UNKNOWNOID)
	{
		/* a literal: jsonb_build_object reads it as text */
		char	   *lit = const_text((Node *) expr);

		if (lit == NULL)
			return false;
		expr = (Expr *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
								  CStringGetTextDatum(lit), false, false);
	}
	else if (get_typtype(exprType((Node *) expr)) == TYPTYPE_PSEUDO)
		return false;			/* record, anyelement...: nothing to parse against */
	a = &call->args[call->nargs++];
	a->name = name;
	a->expr = expr;
	a->type = exprType((Node *) expr);
	a->sqltype = name == NULL ? PLANSQL_TEXT : inline_sql_type(a->type);
	return true;
}

/* Reads the attributes of jsonb_build_object(key, value, ...); false when not rewritable. */
static bool
read_attributes(InlineCall *call, FuncExpr *attr)
{
	ListCell   *lc;

	for (lc = list_head(attr->args); lc != NULL; lc = lnext(attr->args, lnext(attr->args, lc)))
	{
		char	   *key = const_text(lfirst(lc));
		Expr	   *value = (Expr *) lfirst(lnext(attr->args, lc));
		int			i;

		if (!identifier(key))
			return false;
		for (i = 1; i < call->nargs; i++)
			if (strcmp(call->args[i].name, key) == 0)
				return false;	/* a repeated key: the last one wins, keep it simple */
		if (!add_arg(call, key, value))
			return false;
	}
	return true;
}

/* Reads a call of authz_check(principal, resource, action); false when not rewritable. */
static bool
read_call(FuncExpr *f, InlineCall *call)
{
	bool		session = list_length(f->args) == 2;
	Node	   *principal = session ? NULL : linitial(f->args);
	Node	   *resource = session ? linitial(f->args) : lsecond(f->args);
	Node	   *action = session ? lsecond(f->args) : lthird(f->args);
	FuncExpr   *build = (FuncExpr *) resource;
	Expr	   *id = NULL;
	FuncExpr   *attr = NULL;
	bool		have_attr = false;
	ListCell   *lc;

	memset(call, 0, sizeof(*call));
	if (session)
	{
		/* nobody: the call is false for every row, but only once it runs */
		call->principal = authz_current_principal();
		call->claims = authz_current_jwt_claims();
		if (call->principal == NULL)
			return false;
	}
	else
	{
		if (!IsA(principal, Const) || ((Const *) principal)->constisnull ||
			((Const *) principal)->consttype != JSONBOID)
			return false;
		call->principal = DatumGetJsonbP(((Const *) principal)->constvalue);
	}
	if (!plain_principal(call->principal))
		return false;
	call->action = const_text(action);
	if (call->action == NULL || call->action[0] == '\0')
		return false;
	if (!is_build_object(resource) || contain_volatile_functions(resource) ||
		contain_subplans(resource))
		return false;

	for (lc = list_head(build->args); lc != NULL; lc = lnext(build->args, lnext(build->args, lc)))
	{
		char	   *key = const_text(lfirst(lc));
		Node	   *value = lfirst(lnext(build->args, lc));

		if (key == NULL)
			return false;
		if (strcmp(key, "kind") == 0 && call->kind == NULL)
		{
			call->kind = const_text(value);
			if (!plain_name(call->kind, "_-.:/@"))
				return false;
		}
		else if (strcmp(key, "policyVersion") == 0 && call->policy_version == NULL)
		{
			call->policy_version = const_text(value);
			if (!plain_name(call->policy_version, ""))
				return false;
		}
		else if (strcmp(key, "scope") == 0 && call->scope == NULL)
		{
			call->scope = const_text(value);
			if (!plain_name(call->scope, "-."))
				return false;
		}
		else if (strcmp(key, "id") == 0 && id == NULL)
		{
			Oid			t = exprType(value);

			/* a string in JSON; another type is an error the call raises */
			if (t != TEXTOID && t != VARCHAROID)
				return false;
			id = (Expr *) value;
		}
		else if (strcmp(key, "attr") == 0 && !have_attr)
		{
			if (!is_build_object(value))
				return false;
			attr = (FuncExpr *) value;
			have_attr = true;
		}
		else
			return false;		/* repeated, or a field the call would ignore or refuse */
	}
	if (call->kind == NULL || id == NULL)
		return false;
	add_arg(call, NULL, id);
	return attr == NULL || read_attributes(call, attr);
}

/* ---------- the filter ---------- */

/* Resolves the filter's variables to the parameters $1 (id), $2... (attributes). */
static bool
resolve_inline(void *state, PlanSqlField field, const char *name, PlanSqlColumn *out)
{
	InlineCall *call = state;
	int			i;

	memset(out, 0, sizeof(*out));
	if (field == PLANSQL_FIELD_ID)
	{
		out->sql = "$1";
		out->type = PLANSQL_TEXT;
		out->not_null = true;	/* the guard holds */
		return true;
	}
	for (i = 1; i < call->nargs; i++)
		if (strcmp(call->args[i].name, name) == 0)
		{
			out->sql = psprintf("$%d", i + 1);
			out->type = call->args[i].sqltype;
			out->not_null = true;	/* the guard holds */
			return true;
		}
	/* not in the call's attributes: always absent */
	out->sql = "NULL::jsonb";
	out->type = PLANSQL_JSONB;
	return true;
}

/* The filter as SQL text over $1..$n, or NULL when the call stays as it is. */
static char *
filter_text(InlineCall *call)
{
	Arena	   *arena = arena_create_in(CurrentMemoryContext, 0);
	EnginePrincipal principal;
	EngineResource template = {0};
	EngineCheckOptions opts;
	CelValue	claims;
	PlanSqlColumns resolver = {0};
	PlanSqlStats stats = {0};
	const char *error = NULL;
	bool		now_dependent = false;
	char	   *sql;

	authz_decode_principal(arena, call->principal, &principal);
	authz_engine_options(&opts);
	if (call->claims != NULL)
	{
		claims = authz_jsonb_to_cel(arena, call->claims);
		opts.aux_jwt = &claims;
	}
	template.kind = call->kind;
	template.policy_version = call->policy_version;
	template.scope = call->scope;
	resolver.resolve = resolve_inline;
	resolver.state = call;
	resolver.fallback_function = authz_filter_cel_name();
	/* the filter and any error are copied out before the set is released */
	sql = plansql_resource_filter(authz_engine_acquire(), arena, &principal, &template,
								  call->action, &opts, &resolver, &stats,
								  &now_dependent, &error);
	if (sql == NULL || now_dependent)
	{
		const char *why = sql == NULL ? pstrdup(error ? error : "unknown error")
			: "the policies read now()";

		authz_engine_release();
		ereport(DEBUG1,
				(errmsg("authz: authz_check on \"%s\" not inlined: %s", call->kind, why)));
		return NULL;
	}
	sql = pstrdup(sql);
	authz_engine_release();
	return sql;
}

typedef struct SubstituteContext
{
	InlineCall *call;
	int			depth;			/* sub-selects entered */
} SubstituteContext;

/* Replaces the parameters by the call's expressions (one level up per sub-select). */
static Node *
substitute_params(Node *node, SubstituteContext *cx)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Param))
	{
		Param	   *p = (Param *) node;
		Node	   *expr;

		if (p->paramkind != PARAM_EXTERN || p->paramid < 1 || p->paramid > cx->call->nargs)
			elog(ERROR, "authz: unexpected parameter in an inlined filter");
		expr = (Node *) copyObject(cx->call->args[p->paramid - 1].expr);
		if (cx->depth > 0)
			IncrementVarSublevelsUp(expr, cx->depth, 0);
		return expr;
	}
	if (IsA(node, Query))
	{
		Query	   *q;

		cx->depth++;
		q = query_tree_mutator((Query *) node, substitute_params, (void *) cx, 0);
		cx->depth--;
		return (Node *) q;
	}
	return expression_tree_mutator(node, substitute_params, (void *) cx);
}

/*
 * The filter parsed as an expression over the call's expressions, or NULL
 * when it cannot be used here; as_filter: NULL is made false.  Parsed with search_path pg_catalog, so
 * that the operators are the built-in ones.  A filter with sub-selects
 * (comprehensions over lists) needs the planner to turn them into
 * sub-plans after simplification, which it does for a query with a range
 * table once told that the query has them; a PL/pgSQL simple expression
 * (no range table) or a caller outside the planner keeps the call.
 */
static Node *
parse_filter(PlannerInfo *root, InlineCall *call, const char *sql, bool as_filter)
{
	ParseState *pstate;
	List	   *raw;
	SelectStmt *select;
	Node	   *expr;
	Oid		   *types = palloc(sizeof(Oid) * call->nargs);
	int			save_nestlevel;
	bool		sublinks;
	SubstituteContext cx;
	int			i;

	for (i = 0; i < call->nargs; i++)
		types[i] = call->args[i].type;
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	pstate = make_parsestate(NULL);
	setup_parse_fixed_parameters(pstate, types, call->nargs);
	raw = raw_parser(psprintf("SELECT %s", sql), RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1)
		elog(ERROR, "authz: inlined filter is not one expression: %s", sql);
	select = (SelectStmt *) ((RawStmt *) linitial(raw))->stmt;
	if (!IsA(select, SelectStmt) || list_length(select->targetList) != 1 ||
		select->fromClause != NIL || select->whereClause != NULL)
		elog(ERROR, "authz: inlined filter is not one expression: %s", sql);
	expr = ((ResTarget *) linitial(select->targetList))->val;
	expr = transformExpr(pstate, expr, EXPR_KIND_WHERE);
	expr = coerce_to_boolean(pstate, expr, "WHERE");
	assign_expr_collations(pstate, expr);
	sublinks = pstate->p_hasSubLinks;
	free_parsestate(pstate);
	AtEOXact_GUC(true, save_nestlevel);
	if (sublinks && (root == NULL || root->parse == NULL || root->parse->rtable == NIL))
		return NULL;
	/* what simplification does for every expression (COLLATE becomes a relabeling) */
	expr = eval_const_expressions(NULL, expr);
	if (as_filter)
		expr = false_for_null(expr);
	cx.call = call;
	cx.depth = 0;
	expr = substitute_params(expr, &cx);
	if (sublinks)
		root->parse->hasSubLinks = true;
	return expr;
}

/*
 * Whether a filter over the (guarded, so not null) parameters can be
 * proved never NULL: authz_check is never NULL, while the translation
 * lets NULL stand for "not allowed" (WHERE reads it so, NOT or a select
 * list would not).  Comparisons of btree operator families, boolean
 * connectives, null tests and COALESCE with a non-null end qualify.
 */
static bool
never_null_filter(Node *node)
{
	ListCell   *lc;

	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_Const:
			return !((Const *) node)->constisnull;
		case T_Param:
			return true;
		case T_RelabelType:
			return never_null_filter((Node *) ((RelabelType *) node)->arg);
		case T_NullTest:
		case T_BooleanTest:
			return true;
		case T_BoolExpr:
			foreach(lc, ((BoolExpr *) node)->args)
				if (!never_null_filter(lfirst(lc)))
					return false;
			return true;
		case T_OpExpr:
			{
				OpExpr	   *op = (OpExpr *) node;

				if (op->opresulttype != BOOLOID || !op_strict(op->opno) ||
					get_op_btree_interpretation(op->opno) == NIL)
					return false;
				foreach(lc, op->args)
					if (!never_null_filter(lfirst(lc)))
						return false;
				return true;
			}
		case T_CoalesceExpr:
			return never_null_filter(llast(((CoalesceExpr *) node)->args));
		default:
			return false;
	}
}

/* COALESCE(filter, false) unless the filter is never NULL. */
static Node *
false_for_null(Node *filter)
{
	CoalesceExpr *c;

	if (never_null_filter(filter))
		return filter;
	c = makeNode(CoalesceExpr);
	c->coalescetype = BOOLOID;
	c->coalescecollid = InvalidOid;
	c->args = list_make2(filter, makeBoolConst(false, false));
	c->location = -1;
	return (Node *) c;
}

/* ---------- the guard ---------- */

/* Whether expr is a column of a NOT NULL column that no outer join can null. */
static bool
not_null_column(PlannerInfo *root, Expr *expr)
{
	Var		   *var = (Var *) expr;
	RangeTblEntry *rte;
	HeapTuple	tup;
	bool		not_null = false;

	if (root == NULL || root->hasJoinRTEs || !IsA(expr, Var) || var->varlevelsup != 0 ||
		var->varattno <= 0 || var->varno < 1 || var->varno > list_length(root->parse->rtable))
		return false;
	rte = rt_fetch(var->varno, root->parse->rtable);
	if (rte->rtekind != RTE_RELATION)
		return false;
	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rte->relid), Int16GetDatum(var->varattno));
	if (HeapTupleIsValid(tup))
	{
		not_null = ((Form_pg_attribute) GETSTRUCT(tup))->attnotnull;
		ReleaseSysCache(tup);
	}
	return not_null;
}

/* Whether expr is never NULL and evaluating it cannot fail. */
static bool
never_null(PlannerInfo *root, Expr *expr)
{
	if (IsA(expr, Const))
		return !((Const *) expr)->constisnull;
	return not_null_column(root, expr);
}

/*
 * Whether the CEL engine reads every number jsonb_build_object makes of a
 * value of this type as the SQL filter does.  The engine holds numbers as
 * doubles; the filter compares them exactly.  They agree on numbers of at
 * most 15 significant digits, and on what a float prints (its shortest
 * exact form).
 */
static bool
numbers_exact(Oid type)
{
	switch (getBaseType(type))
	{
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case NAMEOID:
		case BOOLOID:
		case INT2OID:
		case INT4OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case UUIDOID:
		case TEXTARRAYOID:
		case VARCHARARRAYOID:
		case BOOLARRAYOID:
		case INT2ARRAYOID:
		case INT4ARRAYOID:
		case FLOAT4ARRAYOID:
		case FLOAT8ARRAYOID:
			return true;
		default:
			return false;
	}
}

/*
 * Appends the SQL conditions under which the filter reads attribute $param
 * exactly as the call would: not NULL (a present null, which the filter
 * would read as absent), and no number the engine would round.
 */
static void
append_attr_guard(StringInfo sql, PlannerInfo *root, const InlineArg *arg, int param)
{
	const char *and = sql->len > 0 ? " AND " : "";

	if (!never_null(root, arg->expr))
	{
		appendStringInfo(sql, "%s$%d IS NOT NULL", and, param);
		and = " AND ";
	}
	if (numbers_exact(arg->type))
		return;
	if (getBaseType(arg->type) == INT8OID)
		appendStringInfo(sql, "%s$%d > -1000000000000000 AND $%d < 1000000000000000",
						 and, param, param);
	else
		/* sixteen digits in a row (a point among them allowed): the call decides */
		appendStringInfo(sql, "%sto_jsonb($%d)::text !~ '[0-9]([.]?[0-9]){15}'", and, param);
}

/* expr IS NOT NULL */
static Expr *
is_not_null(Expr *expr)
{
	NullTest   *t = makeNode(NullTest);

	t->arg = copyObject(expr);
	t->nulltesttype = IS_NOT_NULL;
	t->argisrow = false;
	t->location = -1;
	return (Expr *) t;
}

/*
 * The id's test: not NULL and not empty.  An integer printed as text is
 * never empty, so its test is on the integer.
 */
static Expr *
id_guard(PlannerInfo *root, Expr *id)
{
	OpExpr	   *op;

	if (IsA(id, CoerceViaIO))
	{
		Expr	   *arg = ((CoerceViaIO *) id)->arg;
		Oid			t = exprType((Node *) arg);

		if (t == INT2OID || t == INT4OID || t == INT8OID)
			return never_null(root, arg) ? NULL : is_not_null(arg);
	}
	if (IsA(id, Const))
		return NULL;			/* read_call's caller checked it */
	/* id <> '' (NULL when the id is) */
	op = (OpExpr *) make_opclause(TEXT_NE_OPERATOR, BOOLOID, false,
								  (Expr *) makeRelabelType(copyObject(id), TEXTOID, -1,
														   DEFAULT_COLLATION_OID, COERCE_IMPLICIT_CAST),
								  (Expr *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
													 CStringGetTextDatum(""), false, false),
								  InvalidOid, DEFAULT_COLLATION_OID);
	op->opfuncid = F_TEXTNE;
	return (Expr *) op;
}

/* ---------- the support function ---------- */

/* The rewritten call, or NULL to leave it alone. */
static Node *
inline_call(PlannerInfo *root, FuncExpr *f)
{
	InlineCall	call;
	char	   *sql;
	Node	   *filter;
	List	   *guards = NIL;
	FuncExpr   *original;
	CaseExpr   *ce;
	CaseWhen   *when;
	Expr	   *guard;
	StringInfoData attr_guards;
	int			i;

	if (f->location == INLINE_DONE || list_length(f->args) < 2 || list_length(f->args) > 3 ||
		!authz_shmem_available())
		return NULL;
	/* from here the plan depends on the settings (and principal), rewritten or not */
	authz_inline_note_plan(list_length(f->args) == 2);
	/* under strict evaluation CEL errors deny, and the filter reads them as false */
	if (!authz_inline_checks || authz_decision_log_enabled || authz_schema_enforcement != 0 ||
		authz_strict_evaluation)
		return NULL;
	if (!read_call(f, &call))
		return NULL;
	if (IsA(call.args[0].expr, Const))
	{
		Const	   *c = (Const *) call.args[0].expr;

		if (c->constisnull || VARSIZE_ANY_EXHDR(DatumGetPointer(c->constvalue)) == 0)
			return NULL;
	}
	sql = filter_text(&call);
	if (sql == NULL)
		return NULL;
	filter = parse_filter(root, &call, sql, true);
	if (filter == NULL)
		return NULL;

	guard = id_guard(root, call.args[0].expr);
	if (guard != NULL)
		guards = lappend(guards, guard);
	initStringInfo(&attr_guards);
	for (i = 1; i < call.nargs; i++)
		append_attr_guard(&attr_guards, root, &call.args[i], i + 1);
	if (attr_guards.len > 0)
	{
		guard = (Expr *) parse_filter(root, &call, attr_guards.data, false);
		if (guard == NULL)
			return NULL;
		if (is_andclause(guard))
			guards = list_concat(guards, ((BoolExpr *) guard)->args);
		else
			guards = lappend(guards, guard);
	}
	if (guards == NIL)
		return filter;

	original = copyObject(f);
	original->location = INLINE_DONE;
	when = makeNode(CaseWhen);
	when->expr = list_length(guards) == 1 ? linitial(guards) : make_andclause(guards);
	when->result = (Expr *) filter;
	when->location = -1;
	ce = makeNode(CaseExpr);
	ce->casetype = BOOLOID;
	ce->casecollid = InvalidOid;
	ce->arg = NULL;
	ce->args = list_make1(when);
	ce->defresult = (Expr *) original;
	ce->location = -1;
	return (Node *) ce;
}

/* authz_check_support(internal) RETURNS internal: the planner support of authz_check. */
Datum
authz_check_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestSimplify *req;

	if (!IsA(rawreq, SupportRequestSimplify))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestSimplify *) rawreq;
	PG_RETURN_POINTER(inline_call(req->root, req->fcall));
}
