/*
 * sql_filter.h — query-plan filters as SQL, for the rest of the PostgreSQL
 * layer (authz_protect builds its row-security quals with it).
 */
#ifndef AUTHZ_SQL_FILTER_H
#define AUTHZ_SQL_FILTER_H

#include "postgres.h"

#define PLANSQL_NO_JANSSON
#include "plansql/plansql.h"

/*
 * The SQL condition for a Cerbos filter (JSON text: its condition, the
 * filter or a PlanResources response) over table relid (InvalidOid: no
 * catalog): columns_json (NULL or a JSON object, see
 * src/plansql/columns_json.c) maps attributes first, the table's column
 * types the rest.  fallback_function names authz_filter_cel (qualify it
 * with the extension's schema for use in policies).  *fallbacks (may be
 * NULL) gets the number of subtrees left to it.  ERROR on a bad filter.
 */
extern char *authz_filter_to_sql(const char *filter_json, const char *columns_json,
								 Oid relid, const char *fallback_function,
								 int *fallbacks);

/* authz_filter_cel, schema-qualified, for the SQL the translator prints. */
extern char *authz_filter_cel_name(void);

/* How the translator reads a value of this SQL type (domains by their base type). */
extern PlanSqlType authz_plansql_type(Oid type);

/* A PlanSqlResolve over table *(Oid *) state's columns and their types. */
extern bool authz_resolve_catalog_column(void *state, PlanSqlField field,
										 const char *name, PlanSqlColumn *out);

#endif							/* AUTHZ_SQL_FILTER_H */
