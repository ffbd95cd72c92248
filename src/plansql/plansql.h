/*
 * plansql.h — Cerbos query-plan filters turned into CEL text and into SQL.
 *
 * A plan filter (Cerbos' PlanResourcesFilter operand) is a tree of
 *   {"expression": {"operator": op, "operands": [...]}}
 *   {"variable": "request.resource.attr.x"}   (also R.attr.x, lambda vars)
 *   {"value": json}
 * filter_to_cel prints it as CEL source over R / request.resource, which
 * the CEL engine can evaluate against one resource; filter_to_sql prints
 * it as a SQL boolean expression over a table whose columns hold the
 * attributes, keeping exactly the rows the CEL text is true for (SQL NULL
 * stands for CEL's error and for an absent attribute).  What SQL cannot
 * say exactly is evaluated per row by authz_filter_cel(expr, attr) for
 * that subtree only.
 *
 * Both accept the bare condition operand, a PlanResourcesFilter
 * ({"kind": ..., "condition": ...}) or a whole PlanResources response
 * ({"filter": {...}}).
 */
#ifndef AUTHZ_PLANSQL_H
#define AUTHZ_PLANSQL_H

#include <stdbool.h>

#include "../common/arena.h"

#ifndef PLANSQL_NO_JANSSON
#include "../common/jansson_safe.h"
#else
typedef struct json_t json_t;
#endif

/* The private operator the planner adds: X, with an error counting as false. */
#define PLANSQL_CONDITION_OP "authz.condition"
/* ... and has(X), which Cerbos itself writes as X != null. */
#define PLANSQL_HAS_OP "authz.has"
/* ... and a CEL error where a condition was expected (no operands). */
#define PLANSQL_ERROR_OP "authz.error"
/*
 * ... and, under strict evaluation, "the rows authz_check allows" (no
 * operands): the SQL translator writes the caller's row_check_sql, the
 * CEL one refuses it.
 */
#define PLANSQL_CHECK_OP "authz.check"
#define PLANSQL_CHECK_REFUSED "the plan is a per-row check (strict evaluation: its conditions may error)"

/* Deepest filter tree either translator accepts. */
#define PLANSQL_MAX_DEPTH 200

/*
 * The filter as CEL source text; NULL with *error set when the filter is
 * malformed.  authz.condition(X) is printed as X (CEL has no way to catch
 * an error inside an expression).
 */
extern char *filter_to_cel(Arena *arena, const json_t *filter, const char **error);

/* The CEL text of a filter's condition operand only (used for fallbacks). */
extern char *filter_operand_to_cel(Arena *arena, const json_t *operand,
								   const char **error);

/* ---------- SQL ---------- */

/* What the table holds for an attribute, as the resolver declares it. */
typedef enum PlanSqlType
{
	PLANSQL_UNKNOWN = 0,		/* any other type: compared through to_jsonb() */
	PLANSQL_TEXT,
	PLANSQL_NUMERIC,			/* numeric, integer types, real, double */
	PLANSQL_BOOLEAN,
	PLANSQL_TIMESTAMPTZ,
	PLANSQL_TEXT_ARRAY,
	PLANSQL_NUMERIC_ARRAY,		/* numeric[], int[], bigint[], float8[] */
	PLANSQL_BOOLEAN_ARRAY,
	PLANSQL_JSONB
} PlanSqlType;

/* Which part of the resource a filter variable names. */
typedef enum PlanSqlField
{
	PLANSQL_FIELD_ATTR,			/* request.resource.attr.<name> */
	PLANSQL_FIELD_ID			/* request.resource.id (name is "id") */
} PlanSqlField;

/* Where an attribute lives. */
typedef struct PlanSqlColumn
{
	const char *column;			/* a column name (quoted when printed), or */
	const char *sql;			/* a SQL expression used as is (trusted) */
	PlanSqlType type;
	bool		not_null;		/* the column is declared NOT NULL */
} PlanSqlColumn;

/*
 * The caller's resolver: fills *out for an attribute and returns true, or
 * returns false to use the defaults (column = the name, type unknown).
 */
typedef bool (*PlanSqlResolve) (void *state, PlanSqlField field,
								const char *name, PlanSqlColumn *out);

typedef struct PlanSqlColumns
{
	PlanSqlResolve resolve;		/* may be NULL */
	void	   *state;
	const char *fallback_function;	/* NULL = "authz_filter_cel" */
	/*
	 * SQL deciding the whole row as authz_check does (authz.check, which a
	 * strict-evaluation plan ANDs to its formula); NULL: such plans are
	 * refused
	 */
	const char *row_check_sql;
} PlanSqlColumns;

/* Counters a translation reports. */
typedef struct PlanSqlStats
{
	int			fallbacks;		/* subtrees left to authz_filter_cel */
} PlanSqlStats;

/*
 * The filter as a SQL boolean expression (NULL counts as false at the top:
 * the result is meant for WHERE); NULL with *error set when the filter is
 * malformed.  stats may be NULL.
 */
extern char *filter_to_sql(Arena *arena, const json_t *filter,
						   const PlanSqlColumns *columns, PlanSqlStats *stats,
						   const char **error);

/* A SQL identifier, double-quoted when it needs to be. */
extern char *plansql_quote_ident(Arena *arena, const char *name);

/* A SQL string literal ('...' with quotes doubled). */
extern char *plansql_quote_literal(Arena *arena, const char *s, size_t len);

/* The condition operand of a filter, response or operand; NULL + *kind
 * "KIND_ALWAYS_ALLOWED"/"KIND_ALWAYS_DENIED" when there is none. */
extern const json_t *plansql_condition(const json_t *filter, const char **kind,
									   const char **error);

/* ---------- driven by JSON text (columns_json.c) ---------- */

/* The column type a type name ("text", "int[]", "jsonb"...) stands for. */
extern bool plansql_type_named(const char *name, PlanSqlType *out);

/*
 * filter_to_sql over JSON text: columns_json (may be NULL) maps attribute
 * names to a column name or {"column"|"sql", "type", "not_null"}; names it
 * does not map go to next (may be NULL), whose fallback_function is used.
 */
extern char *plansql_sql_from_text(Arena *arena, const char *filter_json,
								   const char *columns_json,
								   const PlanSqlColumns *next,
								   PlanSqlStats *stats, const char **error);

/* filter_to_cel over JSON text. */
extern char *plansql_cel_from_text(Arena *arena, const char *filter_json,
								   const char **error);

#endif							/* AUTHZ_PLANSQL_H */
