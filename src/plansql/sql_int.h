/*
 * sql_int.h — the SQL translator's working types.
 *
 * Every operand is translated to an SExpr: SQL text plus what CEL value
 * it stands for.  SQL NULL always means "a CEL error" (an absent attribute
 * reads as an error too); a JSON null inside jsonb is CEL's null.
 */
#ifndef AUTHZ_PLANSQL_SQL_INT_H
#define AUTHZ_PLANSQL_SQL_INT_H

#include "plansql_int.h"

typedef enum SKind
{
	SK_LIT,						/* a JSON literal (lit) */
	SK_BOOL,
	SK_TEXT,
	SK_NUM,
	SK_JSONB,					/* any JSON value */
	SK_ARRAY,					/* a SQL array; elem = SK_TEXT/NUM/BOOL */
	SK_TS						/* timestamptz */
} SKind;

typedef struct SExpr
{
	SKind		kind;
	SKind		elem;			/* SK_ARRAY */
	const char *sql;
	const json_t *lit;			/* SK_LIT */
	bool		not_null;		/* never SQL NULL */
	const char *ts_column;		/* text read from a timestamptz column */
} SExpr;

/* A lambda variable in scope. */
typedef struct SScope
{
	const char *name;
	SExpr		value;			/* always SK_JSONB */
	const struct SScope *next;
} SScope;

typedef struct SCtx
{
	Arena	   *arena;
	const PlanSqlColumns *columns;
	PlanSqlStats *stats;
	const char *error;			/* a malformed filter */
	int			aliases;		/* counter for subquery aliases */
	bool		positive;		/* only and/or lead from here to the top */
} SCtx;

/* sql_values.c */
extern char *sql_number(Arena *arena, const json_t *v);
extern char *sql_jsonb_literal(Arena *arena, const json_t *v);
extern bool sql_json_is_kind(const json_t *v, SKind k);
extern char *sql_scalar_literal(Arena *arena, const json_t *v, SKind k);
extern const char *sql_array_type(SKind k);
extern char *sql_list_items(Arena *arena, const json_t *list, SKind k, bool *others);
extern char *sql_array_literal(Arena *arena, const json_t *list, SKind k);

/* sql_names.c */
extern bool sql_variable(SCtx *c, const char *var, const SScope *scope, SExpr *out);
extern char *sql_fallback(SCtx *c, const json_t *node);

/* sql_ops.c: comparisons, membership and functions over SExprs */
extern char *sql_if_present(SCtx *c, const SExpr *a, const char *then_sql);
extern char *sql_as_text(SCtx *c, const SExpr *a);
extern char *sql_as_jsonb(SCtx *c, const SExpr *a);
extern char *sql_as_bool(SCtx *c, const SExpr *a);
extern char *sql_eq(SCtx *c, const SExpr *a, const SExpr *b, bool ne);
extern char *sql_compare(SCtx *c, const SExpr *a, const SExpr *b, const char *op);
extern char *sql_in(SCtx *c, const SExpr *a, const SExpr *b, const json_t *node);
extern char *sql_string_test(SCtx *c, const char *fn, const SExpr *recv, const SExpr *arg);
extern char *sql_set_test(SCtx *c, const char *fn, const SExpr *a, const SExpr *b);
extern bool sql_timestamp_literal(SCtx *c, const json_t *lit, SExpr *out);
extern bool sql_function_value(SCtx *c, const char *fn, const SExpr *args, size_t nargs,
							   SExpr *out);

#endif							/* AUTHZ_PLANSQL_SQL_INT_H */
