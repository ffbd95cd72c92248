/*
 * filter_sql.c — a Cerbos plan filter as a SQL boolean expression.
 *
 * The rows the expression keeps are the rows whose resource (the row's
 * non-NULL columns as attributes) the filter's CEL allows.  The
 * translation walks the tree once: conditions (and, or, not, if,
 * comparisons, membership, string and set tests, comprehensions) become
 * SQL; SQL NULL carries CEL's errors, and SQL's three-valued AND, OR and
 * NOT absorb them exactly as CEL's &&, || and ! do.  authz.condition(X)
 * is the one place an error becomes false: COALESCE((X), false).  The top
 * level is meant for WHERE or a row-security policy, where NULL already
 * counts as false.
 *
 * Comprehensions run over the range's elements as jsonb
 * (jsonb_array_elements, or the keys of a jsonb object) and aggregate the
 * predicate so that errors behave as in cel-go: exists is true if any
 * element is true, else an error if any was one; all is false if any is
 * false, else an error if any was one; exists_one is an error if any was.
 *
 * Whatever cannot be said exactly falls back, for that subtree only, to
 * authz_filter_cel (sql_names.c).
 */
#include "sql_int.h"

#include <string.h>

static char *tr_bool(SCtx *c, const json_t *j, const SScope *scope, int depth);
static bool tr_value(SCtx *c, const json_t *j, const SScope *scope, int depth, SExpr *out);

/* A condition, or its fallback when SQL cannot say it. */
static char *
tr_cond(SCtx *c, const json_t *j, const SScope *scope, int depth)
{
	char	   *sql = tr_bool(c, j, scope, depth);

	if (sql == NULL && c->error == NULL)
		sql = sql_fallback(c, j);
	return sql;
}

/* and / or of the operands. */
static char *
tr_logical(SCtx *c, const FNode *n, const SScope *scope, int depth, bool and)
{
	CelStrBuf	sb;
	size_t		i;

	if (n->noperands == 0)
		return and ? "true" : "false";
	plansql_buf_init(&sb, c->arena);
	cel_strbuf_putc(&sb, '(');
	for (i = 0; i < n->noperands; i++)
	{
		char	   *sql = tr_cond(c, fnode_arg(n, i), scope, depth);

		if (sql == NULL)
			return NULL;
		if (i > 0)
			cel_strbuf_puts(&sb, and ? " AND " : " OR ");
		cel_strbuf_printf(&sb, "(%s)", sql);
	}
	cel_strbuf_putc(&sb, ')');
	return plansql_buf_text(&sb);
}

/* The lambda of a comprehension: body expressions and variable names. */
typedef struct Lambda
{
	const json_t *body;
	const json_t *filter;		/* map(x, filter, body) */
	const char *var1;
	const char *var2;			/* two-variable forms */
} Lambda;

/* Reads [range, lambda(...)] as filter_cel.c prints it. */
static bool
read_lambda(const FNode *n, Lambda *out)
{
	FNode		lam,
				v1,
				v2;
	size_t		k;

	memset(out, 0, sizeof(*out));
	if (n->noperands != 2 || !fnode_read(fnode_arg(n, 1), &lam) || lam.kind != FN_EXPR ||
		strcmp(lam.op, "lambda") != 0 || lam.noperands < 2 || lam.noperands > 3)
		return false;
	k = lam.noperands;
	if (!fnode_read(fnode_arg(&lam, k - 1), &v2) || v2.kind != FN_VAR)
		return false;
	if (k == 3 && fnode_read(fnode_arg(&lam, 1), &v1) && v1.kind == FN_VAR &&
		plansql_is_ident(v1.var, strlen(v1.var)) && strcmp(v1.var, v2.var) != 0 &&
		strcmp(n->op, "map") != 0)
	{
		out->var1 = v1.var;
		out->var2 = v2.var;
		out->body = fnode_arg(&lam, 0);
		return true;
	}
	if (k == 3)
	{
		if (strcmp(n->op, "map") != 0)
			return false;
		out->filter = fnode_arg(&lam, 0);
		out->body = fnode_arg(&lam, 1);
	}
	else
		out->body = fnode_arg(&lam, 0);
	out->var1 = v2.var;
	return plansql_is_ident(out->var1, strlen(out->var1));
}

/*
 * The rows of a comprehension's range as a FROM item aliased `alias` with
 * columns a1 (and a2 for two variables), and the guard that makes the
 * whole an error when the range is absent or not iterable: *guard is a
 * CASE prefix closed by " END".  NULL when the range is not iterable.
 */
static char *
range_rows(SCtx *c, const SExpr *r, bool two, const char *alias, char **guard)
{
	const char *src;

	if (r->kind == SK_ARRAY)
	{
		*guard = r->not_null ? arena_strdup(c->arena, "CASE WHEN true THEN ")
			: arena_printf(c->arena, "CASE WHEN %s IS NOT NULL THEN ", r->sql);
		if (!two)
			return arena_printf(c->arena, "jsonb_array_elements(to_jsonb(%s)) AS %s(a1)", r->sql, alias);
		return arena_printf(c->arena,
							"(SELECT to_jsonb(_a.i - 1), _a.v FROM jsonb_array_elements(to_jsonb(%s)) WITH ORDINALITY AS _a(v, i)) AS %s(a1, a2)",
							r->sql, alias);
	}
	if (r->kind == SK_JSONB || (r->kind == SK_LIT && (json_is_array(r->lit) || json_is_object(r->lit))))
	{
		src = r->kind == SK_LIT ? sql_jsonb_literal(c->arena, r->lit) : r->sql;
		if (src == NULL)
			return NULL;
		*guard = arena_printf(c->arena, "CASE WHEN jsonb_typeof(%s) IN ('array', 'object') THEN ", src);
		if (!two)
			return arena_printf(c->arena,
								"(SELECT _a.v FROM jsonb_array_elements(CASE WHEN jsonb_typeof(%s) = 'array' THEN %s END) AS _a(v) "
								"UNION ALL SELECT to_jsonb(_o.k) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(%s) = 'object' THEN %s END) AS _o(k)) AS %s(a1)",
								src, src, src, src, alias);
		return arena_printf(c->arena,
							"(SELECT to_jsonb(_a.i - 1), _a.v FROM jsonb_array_elements(CASE WHEN jsonb_typeof(%s) = 'array' THEN %s END) WITH ORDINALITY AS _a(v, i) "
							"UNION ALL SELECT to_jsonb(_o.k), _o.v FROM jsonb_each(CASE WHEN jsonb_typeof(%s) = 'object' THEN %s END) AS _o(k, v)) AS %s(a1, a2)",
							src, src, src, src, alias);
	}
	return NULL;
}

/* Binds a comprehension's variables over the rows of alias. */
static void
bind_vars(SCtx *c, const Lambda *l, const char *alias, const SScope *scope,
		  SScope *s1, SScope *s2)
{
	memset(s1, 0, sizeof(*s1));
	memset(s2, 0, sizeof(*s2));
	s1->name = l->var1;
	s1->value.kind = SK_JSONB;
	s1->value.not_null = true;
	s1->value.sql = arena_printf(c->arena, "%s.a1", alias);
	s1->next = scope;
	if (l->var2)
	{
		*s2 = *s1;
		s2->name = l->var2;
		s2->value.sql = arena_printf(c->arena, "%s.a2", alias);
		s2->next = s1;
	}
}

/* all / exists / exists_one over a range. */
static char *
tr_quantifier(SCtx *c, const FNode *n, const SScope *scope, int depth)
{
	Lambda		l;
	SExpr		r;
	SScope		s1,
				s2;
	char	   *guard;
	char	   *from;
	char	   *p;
	char	   *agg;
	char	   *alias;

	if (!read_lambda(n, &l) || l.filter != NULL)
	{
		c->error = c->error ? c->error : "a comprehension needs a range and a lambda";
		return NULL;
	}
	if (!tr_value(c, fnode_arg(n, 0), scope, depth, &r))
		return NULL;
	alias = arena_printf(c->arena, "_c%d", ++c->aliases);
	from = range_rows(c, &r, l.var2 != NULL, alias, &guard);
	if (from == NULL)
		return r.kind == SK_LIT ? NULL : "NULL::boolean";
	bind_vars(c, &l, alias, scope, &s1, &s2);
	p = tr_bool(c, l.body, l.var2 ? &s2 : &s1, depth);
	if (p == NULL)
		return NULL;
	/*
	 * The aggregates read the column p of the inner select: an aggregate
	 * whose argument only read outer columns would belong to the outer
	 * query.
	 */
	if (strcmp(n->op, "all") == 0)
		agg = "CASE WHEN bool_or(NOT p) THEN false WHEN bool_or(p IS NULL) THEN NULL ELSE true END";
	else if (strcmp(n->op, "exists") == 0)
		agg = "CASE WHEN bool_or(p) THEN true WHEN bool_or(p IS NULL) THEN NULL ELSE false END";
	else
		agg = "CASE WHEN bool_or(p IS NULL) THEN NULL ELSE count(*) FILTER (WHERE p) = 1 END";
	return arena_printf(c->arena, "%s(SELECT %s FROM (SELECT %s AS p FROM %s) AS %s_p) END",
						guard, agg, p, from, alias);
}

/*
 * v in range.map(x, f) and v in range.filter(x, p): an error if f (or p)
 * errs for any element, else whether some f(x) (some x with p) equals v.
 */
static char *
tr_in_comprehension(SCtx *c, const SExpr *v, const FNode *n, const SScope *scope, int depth)
{
	Lambda		l;
	SExpr		r;
	SExpr		x;
	SScope		s1,
				s2;
	char	   *guard;
	char	   *from;
	char	   *alias;
	char	   *eq;
	char	   *errs;
	char	   *hit;

	if (!read_lambda(n, &l) || l.var2 != NULL || (v->kind != SK_LIT && !v->not_null))
		return NULL;
	if (!tr_value(c, fnode_arg(n, 0), scope, depth, &r))
		return NULL;
	alias = arena_printf(c->arena, "_c%d", ++c->aliases);
	from = range_rows(c, &r, false, alias, &guard);
	if (from == NULL)
		return NULL;
	bind_vars(c, &l, alias, scope, &s1, &s2);
	if (strcmp(n->op, "filter") == 0)
	{
		char	   *p = tr_bool(c, l.body, &s1, depth);

		if (p == NULL)
			return NULL;
		eq = sql_eq(c, v, &s1.value, false);
		if (eq == NULL)
			return NULL;
		errs = arena_printf(c->arena, "(%s) IS NULL", p);
		hit = arena_printf(c->arena, "(%s) AND (%s)", p, eq);
	}
	else
	{
		char	   *p = NULL;

		if (l.filter != NULL && (p = tr_bool(c, l.filter, &s1, depth)) == NULL)
			return NULL;
		if (!tr_value(c, l.body, &s1, depth, &x) || x.kind == SK_LIT)
			return NULL;
		eq = sql_eq(c, v, &x, false);
		if (eq == NULL)
			return NULL;
		if (p == NULL)
		{
			errs = arena_printf(c->arena, "(%s) IS NULL", x.sql);
			hit = eq;
		}
		else
		{
			errs = arena_printf(c->arena, "(%s) IS NULL OR ((%s) AND (%s) IS NULL)", p, p, x.sql);
			hit = arena_printf(c->arena, "(%s) AND (%s)", p, eq);
		}
	}
	return arena_printf(c->arena,
						"%s(SELECT CASE WHEN bool_or(e) THEN NULL ELSE COALESCE(bool_or(h), false) END "
						"FROM (SELECT %s AS e, %s AS h FROM %s) AS %s_p) END",
						guard, errs, hit, from, alias);
}

/* Translates the operands of n into args (at most 4). */
static bool
tr_args(SCtx *c, const FNode *n, const SScope *scope, int depth, SExpr *args)
{
	size_t		i;

	if (n->noperands > 4)
		return false;
	for (i = 0; i < n->noperands; i++)
		if (!tr_value(c, fnode_arg(n, i), scope, depth, &args[i]))
			return false;
	return true;
}

/* A condition expression. */
static char *
tr_bool_expr(SCtx *c, const json_t *j, const FNode *n, const SScope *scope, int depth)
{
	static const struct
	{
		const char *op;
		const char *sql;
	}			cmp[] = {{"lt", "<"}, {"le", "<="}, {"gt", ">"}, {"ge", ">="}, {NULL, NULL}};
	SExpr		args[4];
	int			i;
	char	   *sql;

	if (strcmp(n->op, "and") == 0 || strcmp(n->op, "or") == 0)
		return tr_logical(c, n, scope, depth, n->op[0] == 'a');
	if (strcmp(n->op, "not") == 0 || strcmp(n->op, PLANSQL_CONDITION_OP) == 0)
	{
		if (n->noperands != 1)
		{
			c->error = "a unary operator needs one operand";
			return NULL;
		}
		sql = tr_cond(c, fnode_arg(n, 0), scope, depth);
		if (sql == NULL)
			return NULL;
		if (n->op[0] == 'n')
			return arena_printf(c->arena, "NOT (%s)", sql);
		/*
		 * Where only AND and OR lead to the top, NULL and false keep the
		 * same rows (Kleene logic is monotone), so the bare expression is
		 * exact and stays indexable; elsewhere NULL must become false.
		 */
		return arena_printf(c->arena, c->positive ? "(%s)" : "COALESCE((%s), false)", sql);
	}
	if (strcmp(n->op, PLANSQL_CHECK_OP) == 0)
	{
		if (c->columns != NULL && c->columns->row_check_sql != NULL)
			return arena_printf(c->arena, "(%s)", c->columns->row_check_sql);
		c->error = PLANSQL_CHECK_REFUSED;
		return NULL;
	}
	if (strcmp(n->op, PLANSQL_ERROR_OP) == 0)
		return arena_strdup(c->arena, "NULL::boolean");
	if (strcmp(n->op, PLANSQL_HAS_OP) == 0)
	{
		/* a NULL column is an absent attribute; jsonb null is present */
		if (n->noperands != 1 || !tr_value(c, fnode_arg(n, 0), scope, depth, &args[0]))
			return NULL;
		if (args[0].kind == SK_LIT)
			return arena_strdup(c->arena, json_is_null(args[0].lit) ? "false" : "true");
		return arena_printf(c->arena, "(%s IS NOT NULL)", args[0].sql);
	}
	if (strcmp(n->op, "if") == 0)
	{
		char	   *cond,
				   *a,
				   *b;

		if (n->noperands != 3)
		{
			c->error = "if needs three operands";
			return NULL;
		}
		if ((cond = tr_cond(c, fnode_arg(n, 0), scope, depth)) == NULL ||
			(a = tr_cond(c, fnode_arg(n, 1), scope, depth)) == NULL ||
			(b = tr_cond(c, fnode_arg(n, 2), scope, depth)) == NULL)
			return NULL;
		/* a NULL (error) condition must not pick the else branch */
		return arena_printf(c->arena, "CASE WHEN %s THEN %s WHEN NOT (%s) THEN %s END",
							cond, a, cond, b);
	}
	if (strcmp(n->op, "all") == 0 || strcmp(n->op, "exists") == 0 ||
		strcmp(n->op, "exists_one") == 0 || strcmp(n->op, "existsOne") == 0)
		return tr_quantifier(c, n, scope, depth);
	if (strcmp(n->op, "in") == 0 && n->noperands == 2)
	{
		FNode		rhs;

		if (!tr_value(c, fnode_arg(n, 0), scope, depth, &args[0]))
			return NULL;
		if (fnode_read(fnode_arg(n, 1), &rhs) && rhs.kind == FN_EXPR &&
			(strcmp(rhs.op, "map") == 0 || strcmp(rhs.op, "filter") == 0))
			return tr_in_comprehension(c, &args[0], &rhs, scope, depth);
		if (!tr_value(c, fnode_arg(n, 1), scope, depth, &args[1]))
			return NULL;
		return sql_in(c, &args[0], &args[1], j);
	}
	if (strcmp(n->op, "eq") == 0 || strcmp(n->op, "ne") == 0)
	{
		if (n->noperands != 2 || !tr_args(c, n, scope, depth, args))
			return NULL;
		return sql_eq(c, &args[0], &args[1], n->op[0] == 'n');
	}
	for (i = 0; cmp[i].op; i++)
		if (strcmp(n->op, cmp[i].op) == 0)
		{
			if (n->noperands != 2 || !tr_args(c, n, scope, depth, args))
				return NULL;
			return sql_compare(c, &args[0], &args[1], cmp[i].sql);
		}
	if (strcmp(n->op, "startsWith") == 0 || strcmp(n->op, "endsWith") == 0 ||
		strcmp(n->op, "contains") == 0)
	{
		if (n->noperands != 2 || !tr_args(c, n, scope, depth, args))
			return NULL;
		return sql_string_test(c, n->op, &args[0], &args[1]);
	}
	if (strcmp(n->op, "hasIntersection") == 0 || strcmp(n->op, "isSubset") == 0)
	{
		if (n->noperands != 2 || !tr_args(c, n, scope, depth, args))
			return NULL;
		return sql_set_test(c, n->op, &args[0], &args[1]);
	}
	return NULL;
}

/* Operators that yield a value SQL can compute (not a condition). */
static bool
is_value_op(const char *op)
{
	return strcmp(op, "size") == 0 || strcmp(op, "upperAscii") == 0 ||
		strcmp(op, "lowerAscii") == 0 || strcmp(op, "timestamp") == 0 ||
		strcmp(op, "get-field") == 0 || strcmp(op, "index") == 0;
}

/* A condition; NULL when SQL cannot say it (or on a malformed filter). */
static char *
tr_bool_inner(SCtx *c, const json_t *j, const SScope *scope, int depth)
{
	FNode		n;
	SExpr		v;

	if (c->error != NULL)
		return NULL;
	if (depth > PLANSQL_MAX_DEPTH)
	{
		c->error = "the filter is nested too deeply";
		return NULL;
	}
	if (!fnode_read(j, &n))
	{
		c->error = "an operand must be an expression, a variable or a value";
		return NULL;
	}
	if (n.kind == FN_EXPR && !is_value_op(n.op))
	{
		bool		saved = c->positive;
		char	   *sql;

		if (strcmp(n.op, "and") != 0 && strcmp(n.op, "or") != 0 &&
			strcmp(n.op, PLANSQL_CONDITION_OP) != 0)
			c->positive = false;
		sql = tr_bool_expr(c, j, &n, scope, depth + 1);
		c->positive = saved;
		return sql;
	}
	if (!tr_value(c, j, scope, depth + 1, &v))
		return NULL;
	return sql_as_bool(c, &v);
}

static bool tr_value_walk(SCtx *c, const json_t *j, const SScope *scope, int depth, SExpr *out);

/* A value operand (never in a positive position: conditions in it keep COALESCE). */
static bool
tr_value_inner(SCtx *c, const json_t *j, const SScope *scope, int depth, SExpr *out)
{
	bool		saved = c->positive;
	bool		ok;

	c->positive = false;
	ok = tr_value_walk(c, j, scope, depth, out);
	c->positive = saved;
	return ok;
}

static bool
tr_value_walk(SCtx *c, const json_t *j, const SScope *scope, int depth, SExpr *out)
{
	FNode		n;

	memset(out, 0, sizeof(*out));
	if (c->error != NULL || j == NULL)
		return false;
	if (depth > PLANSQL_MAX_DEPTH)
	{
		c->error = "the filter is nested too deeply";
		return false;
	}
	if (!fnode_read(j, &n))
	{
		c->error = "an operand must be an expression, a variable or a value";
		return false;
	}
	if (n.kind == FN_VALUE)
	{
		out->kind = SK_LIT;
		out->lit = n.value;
		out->not_null = true;
		return true;
	}
	if (n.kind == FN_VAR)
		return sql_variable(c, n.var, scope, out);
	if (strcmp(n.op, "get-field") == 0 || strcmp(n.op, "index") == 0)
	{
		SExpr		base;
		FNode		key;
		char	   *k = NULL;
		char	   *bj;

		if (n.noperands != 2 || !tr_value(c, fnode_arg(&n, 0), scope, depth + 1, &base) ||
			base.kind == SK_LIT || !fnode_read(fnode_arg(&n, 1), &key))
			return false;
		if (n.op[0] == 'g' && key.kind == FN_VAR)
			k = plansql_quote_literal(c->arena, key.var, strlen(key.var));
		else if (n.op[0] == 'i' && key.kind == FN_VALUE && json_is_string(key.value))
			k = plansql_quote_literal(c->arena, json_string_value(key.value), json_string_length(key.value));
		else if (n.op[0] == 'i' && key.kind == FN_VALUE && json_is_integer(key.value) &&
				 json_integer_value(key.value) >= 0 && json_integer_value(key.value) < 1000000000)
			k = arena_printf(c->arena, "%lld", (long long) json_integer_value(key.value));
		if (k == NULL || (bj = sql_as_jsonb(c, &base)) == NULL)
			return false;
		if (base.kind != SK_JSONB && base.kind != SK_ARRAY)
			bj = "NULL::jsonb";
		out->kind = SK_JSONB;
		/* a jsonb scalar answers -> 0 with itself: only arrays are indexed */
		if (k[0] != '\'' && k[0] != 'E')
			out->sql = arena_printf(c->arena, "(CASE WHEN jsonb_typeof(%s) = 'array' THEN %s -> %s END)",
									bj, bj, k);
		else
			out->sql = arena_printf(c->arena, "(%s -> %s)", bj, k);
		return true;
	}
	if (is_value_op(n.op))
	{
		SExpr		args[4];

		if (!tr_args(c, &n, scope, depth + 1, args))
			return false;
		if (strcmp(n.op, "timestamp") == 0 && n.noperands == 1 && args[0].kind == SK_LIT)
			return sql_timestamp_literal(c, args[0].lit, out);
		return sql_function_value(c, n.op, args, n.noperands, out);
	}
	{
		/* conditions used as values */
		char	   *sql = tr_bool_expr(c, j, &n, scope, depth + 1);

		if (sql == NULL)
			return false;
		out->kind = SK_BOOL;
		out->sql = arena_printf(c->arena, "(%s)", sql);
		return true;
	}
}

/*
 * Some translations repeat an operand (if, jsonb type tests), so nesting
 * can grow the text exponentially: past this size the filter is refused.
 */
#define MAX_SQL_BYTES (4 * 1024 * 1024)

/* Whether a translation grew past MAX_SQL_BYTES (then an error). */
static bool
too_big(SCtx *c, const char *sql)
{
	if (sql == NULL || strlen(sql) <= MAX_SQL_BYTES)
		return false;
	if (c->error == NULL)
		c->error = "the filter's SQL would be too large";
	return true;
}

/* A condition, size-checked. */
static char *
tr_bool(SCtx *c, const json_t *j, const SScope *scope, int depth)
{
	char	   *sql = tr_bool_inner(c, j, scope, depth);

	return too_big(c, sql) ? NULL : sql;
}

/* A value, size-checked. */
static bool
tr_value(SCtx *c, const json_t *j, const SScope *scope, int depth, SExpr *out)
{
	if (!tr_value_inner(c, j, scope, depth, out))
		return false;
	return !too_big(c, out->sql);
}

/* The filter as a SQL boolean expression. */
char *
filter_to_sql(Arena *arena, const json_t *filter, const PlanSqlColumns *columns,
			  PlanSqlStats *stats, const char **error)
{
	SCtx		c;
	const char *kind;
	const json_t *cond;
	char	   *sql;

	*error = NULL;
	if (stats)
		memset(stats, 0, sizeof(*stats));
	cond = plansql_condition(filter, &kind, error);
	if (cond == NULL)
	{
		if (*error != NULL)
			return NULL;
		return arena_strdup(arena, strcmp(kind, "KIND_ALWAYS_ALLOWED") == 0 ? "true" : "false");
	}
	memset(&c, 0, sizeof(c));
	c.arena = arena;
	c.columns = columns;
	c.stats = stats;
	c.positive = true;
	sql = tr_cond(&c, cond, NULL, 0);
	if (sql == NULL || c.error != NULL)
	{
		*error = c.error ? c.error : "the filter cannot be translated";
		return NULL;
	}
	return sql;
}
