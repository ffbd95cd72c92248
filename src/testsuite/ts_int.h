/*
 * ts_int.h — the test-suite model shared by the files of src/testsuite/.
 *
 * Suites and fixtures are decoded from the policy reader's PNode trees
 * (policy/ptree.c), so every error keeps its file:line:column.  Fixture
 * values (a principal, a resource, auxData claims, globals, expected
 * outputs) stay as PNodes and become JSON only when a request is built.
 */
#ifndef AUTHZ_TS_INT_H
#define AUTHZ_TS_INT_H

#include "testsuite.h"
#include "../policy/policy.h"
#include "../common/jansson_safe.h"

/* A name -> node map, in file order (principals, resources, groups...). */
typedef struct TsMap
{
	const char **names;
	const PNode **nodes;
	int			count;
} TsMap;

/* A list of names with where it was written. */
typedef struct TsNames
{
	const char **items;
	int			count;
} TsNames;

/* options: of a suite or of one test (a test's replace the suite's). */
typedef struct TsOptions
{
	bool		present;
	bool		has_now;
	int64_t		now_sec;
	int32_t		now_nsec;
	bool		lenient_scope_search;
	const char *globals_json;	/* NULL = none */
	const char *default_policy_version; /* "" = none */
	const char *default_scope;	/* "" = none */
	bool		strict_evaluation;	/* options.strictEvaluation */
} TsOptions;

/* One entry of a test's expected list. */
typedef struct TsExpectation
{
	TsNames		principals;		/* principal and principals together */
	TsNames		principal_groups;
	TsNames		resources;
	TsNames		resource_groups;
	TsMap		actions;		/* action -> effect scalar */
	const char **output_actions;	/* outputs[i].action */
	const PNode **output_entries;	/* outputs[i].expected: [{src, val}] */
	int			noutputs;
	int			line;
	int			column;
} TsExpectation;

/* One test (Cerbos' TestTable). */
typedef struct TsTable
{
	const char *name;
	const char *description;
	bool		skip;
	const char *skip_reason;
	TsOptions	options;
	TsNames		principals;
	TsNames		principal_groups;
	TsNames		resources;
	TsNames		resource_groups;
	TsNames		actions;
	const char *aux_data;		/* a name, "" for none */
	TsExpectation *expected;
	int			nexpected;
	int			line;
	int			column;
} TsTable;

/* Fixtures: a suite's own, or a testdata/ directory's. */
typedef struct TsFixtures
{
	TsMap		principals;
	TsMap		principal_groups;	/* name -> sequence of names */
	TsMap		resources;
	TsMap		resource_groups;
	TsMap		aux_data;		/* name -> {jwt: {...}} */
} TsFixtures;

typedef struct TsSuite
{
	const char *file;
	const char *name;
	const char *description;
	bool		skip;
	const char *skip_reason;
	TsFixtures	own;
	TsOptions	options;
	TsTable    *tables;
	int			ntables;
} TsSuite;

/* decode_common.c: the field-by-field reading every decoder shares */
typedef struct TsDec
{
	Arena	   *arena;
	const char *file;
	DiagList   *diags;
	bool		failed;
} TsDec;

extern void ts_error(TsDec *d, const PNode *at, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
extern bool ts_key_is(const PNode *key, const char *camel, const char *snake);
extern bool ts_expect_map(TsDec *d, const PNode *n, const char *what);
extern const char *ts_get_string(TsDec *d, const PNode *n, const char *what);
extern bool ts_get_bool(TsDec *d, const PNode *n, const char *what);
extern void ts_get_names(TsDec *d, const PNode *n, const char *what, TsNames *out);
extern void ts_unknown_field(TsDec *d, const PNode *key, const char *where);
extern void ts_decode_principals(TsDec *d, const PNode *n, TsMap *out);
extern void ts_decode_resources(TsDec *d, const PNode *n, TsMap *out);
extern void ts_decode_groups(TsDec *d, const PNode *n, const char *member_field,
							 TsMap *out);
extern void ts_decode_aux_data(TsDec *d, const PNode *n, TsMap *out);
extern void ts_decode_options(TsDec *d, const PNode *n, TsOptions *out);
extern const PNode *ts_map_get(const TsMap *map, const char *name);

/* pnode_json.c: YAML values as JSON, and JSON values compared as Cerbos does */
extern json_t *ts_pnode_to_json(const PNode *n, int depth);
extern char *ts_json_text(Arena *arena, const json_t *value);
extern bool ts_json_equal(const json_t *a, const json_t *b, int depth);

/* decode_suite.c / fixtures.c */
extern TsSuite *ts_decode_suite(Arena *arena, const char *file, const char *text,
								size_t len, DiagList *diags);
extern bool ts_load_fixtures(Arena *arena, const char *root, const char *dir,
							 TsFixtures *out, DiagList *diags);

/* matrix.c: one test expanded into (principal, resource) cells */
typedef struct TsCell
{
	const char *principal;
	const char *resource;
	const PNode *principal_node;
	const PNode *resource_node;
	/* per input action: expected effect name, expected outputs JSON or NULL */
	const char **expected;
	const char **expected_outputs;
} TsCell;

extern bool ts_build_matrix(Arena *arena, const TsSuite *suite, const TsFixtures *shared,
							const TsTable *table, TsCell **cells, int *ncells,
							const char **error);

/* report.c */
extern TsCase *ts_report_add(Arena *arena, TsReport *report, TsStatus status);

#endif							/* AUTHZ_TS_INT_H */
